/* store: the contact log's values and contacts_log, the one insert every channel uses. */
#include "features/contacts/internal.h"

#include "base/audit.h"
#include "features/complaints/complaints.h"

#include <string.h>

const char *const ct_channels[] = {"phone", "email", "web", "letter", "fax", "walk_in", "sms", NULL};
const char *const ct_directions[] = {"in", "out", NULL};
const char *const ct_reasons[] = {"consultation", "purchase",   "repair_registration", "status_query",
                                  "complaint",    "suggestion", "marketing",           NULL};
const char *const ct_outcomes[] = {"resolved",  "follow_up", "transferred", "escalated", "call_back",
                                   "missed",    "no_answer", "logged",      NULL};

int ct_in(const char *const *set, const char *s)
{
    if (!s)
        return 0;
    for (size_t i = 0; set[i]; i++)
        if (strcmp(set[i], s) == 0)
            return 1;
    return 0;
}

int contacts_channel_ok(const char *s) { return ct_in(ct_channels, s); }
int contacts_reason_ok(const char *s) { return ct_in(ct_reasons, s); }
int contacts_outcome_ok(const char *s) { return ct_in(ct_outcomes, s); }

static void bind_opt_text(db_stmt *st, int i, const char *s)
{
    if (s && *s)
        db_bind_text(st, i, s);
    else
        db_bind_null(st, i);
}

static void bind_opt_id(db_stmt *st, int i, int64_t id)
{
    if (id > 0)
        db_bind_int(st, i, id);
    else
        db_bind_null(st, i);
}

int ct_hotline_closed(db_conn *c, int64_t hotline_id, int64_t t, int *closed)
{
    *closed = 0;
    db_stmt *st = db_prepare(c, "SELECT calendar FROM hotlines WHERE id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, hotline_id);
    int rc = db_step(st);
    char cal[64] = "";
    if (rc == DB_ROW)
        snprintf(cal, sizeof cal, "%s", db_text(st, 0));
    db_done(st);
    if (rc != DB_ROW)
        return rc == DB_DONE ? 1 : rc;
    int open = 1;
    rc = complaints_calendar_open(c, cal, t, &open);
    if (rc < 0)
        return rc;
    *closed = rc == 0 && !open;
    return 0;
}

int contacts_log(db_conn *c, const struct contact_new *n, int64_t *id, char *code, size_t n_code)
{
    if (!ct_in(ct_channels, n->channel) || !ct_in(ct_directions, n->direction) ||
        (n->reason && !ct_in(ct_reasons, n->reason)) || (n->outcome && !ct_in(ct_outcomes, n->outcome)) ||
        n->duration_s < 0 || (n->customer_id <= 0 && !(n->address && *n->address) && n->channel[0] == 'p'))
        return 1;
    int64_t now = now_unix(), at = n->started_at > 0 ? n->started_at : now;
    int ooh = n->out_of_hours ? 1 : 0;
    if (n->hotline_id > 0) {
        int rc = ct_hotline_closed(c, n->hotline_id, at, &ooh);
        if (rc != 0)
            return rc == 1 ? DB_EFK : rc;
    }
    char cd[32];
    int rc = code_next_daily(c, "contact", "CT", 5, at, "SELECT 1 FROM contacts WHERE code = ?", cd,
                             sizeof cd);
    if (rc < 0)
        return rc;
    db_stmt *st = db_prepare(c, "INSERT INTO contacts (code, channel, direction, hotline_id, reason,"
                                " outcome, handled_by, started_at, duration_s, customer_id, address,"
                                " repair_id, complaint_id, order_id, out_of_hours, subject, body,"
                                " version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,"
                                " ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, cd);
    db_bind_text(st, 2, n->channel);
    db_bind_text(st, 3, n->direction);
    bind_opt_id(st, 4, n->hotline_id);
    bind_opt_text(st, 5, n->reason);
    bind_opt_text(st, 6, n->outcome);
    bind_opt_id(st, 7, n->handled_by);
    db_bind_int(st, 8, at);
    db_bind_int(st, 9, n->duration_s);
    bind_opt_id(st, 10, n->customer_id);
    bind_opt_text(st, 11, n->address);
    bind_opt_id(st, 12, n->repair_id);
    bind_opt_id(st, 13, n->complaint_id);
    bind_opt_id(st, 14, n->order_id);
    db_bind_int(st, 15, ooh);
    bind_opt_text(st, 16, n->subject);
    bind_opt_text(st, 17, n->body);
    db_bind_int(st, 18, now);
    db_bind_int(st, 19, now);
    rc = db_step(st);
    int64_t nid = rc == DB_ROW ? db_int(st, 0) : 0;
    db_done(st);
    if (rc != DB_ROW)
        return rc < 0 ? rc : DB_ERROR;
    json_t *d = json_pack("{s:s, s:s}", "channel", n->channel, "direction", n->direction);
    rc = audit_write(c, n->actor ? n->actor : "system", "create", "contact", cd, d);
    json_decref(d);
    if (rc < 0)
        return rc;
    if (id)
        *id = nid;
    if (code && n_code)
        snprintf(code, n_code, "%s", cd);
    return 0;
}
