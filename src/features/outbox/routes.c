/* outbox: the route table and its handlers: the list (filters, CSV/XLSX), one message,
 * and resend (a failed or bounced message queued again, audited). */
#include "features/outbox/internal.h"

#include "base/audit.h"
#include "base/datetime.h"
#include "base/page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MANAGE (ROLE_ADMIN | ROLE_SUPERVISOR)

const struct route outbox_routes[] = {
    {"GET", "/api/v1/outbox", ob_list, MANAGE, 0},
    {"GET", "/api/v1/outbox/:id", ob_get, MANAGE, 0},
    {"POST", "/api/v1/outbox/:id/resend", ob_resend, MANAGE, 0},
    {0},
};

static const char *const statuses[] = {"queued", "sending", "sent", "retry", "failed", "bounced", NULL};
static const char *const channels[] = {"email", "sms", "staff", NULL};

static json_t *time_or_null(db_stmt *st, int col)
{
    return db_isnull(st, col) ? json_null() : dt_json(db_int(st, col));
}

json_t *ob_row_json(db_stmt *st)
{
    json_error_t je;
    json_t *payload = json_loads(db_text(st, 4), 0, &je);
    const char *cust = db_text(st, 12), *err = db_text(st, 7), *mid = db_text(st, 11);
    int status_retry = strcmp(db_text(st, 5), "retry") == 0;
    return json_pack("{s:I, s:s, s:s, s:s, s:o, s:s, s:I, s:s?, s:o, s:o, s:o, s:s?, s:s?, s:o}",
                     "id", (json_int_t)db_int(st, 0), "channel", db_text(st, 1),
                     "recipient", db_text(st, 2), "template", db_text(st, 3),
                     "payload", payload ? payload : json_object(), "status", db_text(st, 5),
                     "attempts", (json_int_t)db_int(st, 6), "last_error", err,
                     "created_at", time_or_null(st, 8), "sent_at", time_or_null(st, 9),
                     "next_attempt_at", status_retry ? time_or_null(st, 10) : json_null(),
                     "message_id", mid, "customer", cust, "updated_at", time_or_null(st, 13));
}

static int one(db_conn *c, int64_t id, json_t **out)
{
    db_stmt *st = db_prepare(c, "SELECT " OB_COLS OB_FROM " WHERE o.id = ?");
    if (!st)
        return -1;
    db_bind_int(st, 1, id);
    int rc = db_step(st);
    *out = rc == DB_ROW ? ob_row_json(st) : NULL;
    db_done(st);
    return *out ? 0 : -1;
}

static int page_fn(req *r, const struct page *p, json_t *items, const char **next)
{
    int ok = 1;
    const char *status = query_one_of(r, "status", statuses, &ok);
    if (!ok) {
        reply_bad_param(r, "status", "one of queued, sending, sent, retry, failed, bounced");
        return LIST_ANSWERED;
    }
    const char *channel = query_one_of(r, "channel", channels, &ok);
    if (!ok) {
        reply_bad_param(r, "channel", "one of email, sms, staff");
        return LIST_ANSWERED;
    }
    const char *tpl = req_query(r, "template");
    if (tpl && !*tpl)
        tpl = NULL;
    int64_t before = page_after_id(r, p); /* newest first: the cursor is the last id shown */
    if (before < 0)
        return LIST_ANSWERED;
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT id FROM outbox WHERE 1 = 1%s%s%s%s ORDER BY id DESC LIMIT ?",
             status ? " AND status = ?" : "", channel ? " AND channel = ?" : "",
             tpl ? " AND template = ?" : "", before ? " AND id < ?" : "");
    db_stmt *st = db_prepare(req_db(r), sql);
    if (!st)
        return -1;
    int n = 1;
    if (status)
        db_bind_text(st, n++, status);
    if (channel)
        db_bind_text(st, n++, channel);
    if (tpl)
        db_bind_text(st, n++, tpl);
    if (before)
        db_bind_int(st, n++, before);
    db_bind_int(st, n, p->limit + 1);
    return list_ids_page(r, p, st, one, items, next);
}

static const struct table_col cols[] = {
    {"id", NULL, TABLE_INT, 8, 0},
    {"status", NULL, TABLE_TEXT, 9, 0},
    {"channel", NULL, TABLE_TEXT, 7, 0},
    {"template", NULL, TABLE_TEXT, 20, 0},
    {"recipient", NULL, TABLE_TEXT, 24, 0},
    {"customer", NULL, TABLE_TEXT, 12, 0},
    {"attempts", NULL, TABLE_INT, 8, 0},
    {"last_error", NULL, TABLE_TEXT, 40, 0},
    {"created_at", NULL, TABLE_TEXT, 22, 0},
    {"sent_at", NULL, TABLE_TEXT, 22, 0},
    {"message_id", NULL, TABLE_TEXT, 40, 0},
};

static const struct list_spec spec = {
    "outbox", cols, (int)(sizeof cols / sizeof *cols), 50, 500, 1, page_fn,
};

int ob_list(req *r)
{
    return list_reply(r, &spec);
}

/* The :id parameter: > 0, else 0 (answered as not found by the caller). */
static int64_t param_id(req *r)
{
    const char *s = req_param(r, "id");
    char *end;
    long long v = s && *s >= '0' && *s <= '9' ? strtoll(s, &end, 10) : 0;
    return v > 0 && *end == '\0' ? (int64_t)v : 0;
}

int ob_get(req *r)
{
    int64_t id = param_id(r);
    json_t *row = NULL;
    if (id == 0 || one(req_db(r), id, &row) < 0)
        return reply_not_found(r, "message");
    return reply_json(r, 200, row);
}

struct resend {
    req *r;
    int64_t id;
    int status; /* 200, 404 or 409 */
    char was[16];
};

static int resend_tx(db_conn *c, void *arg)
{
    struct resend *x = arg;
    db_stmt *st = db_prepare(c, "SELECT status, recipient FROM outbox WHERE id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, x->id);
    int rc = db_step(st);
    int erased = 0;
    if (rc == DB_ROW) {
        snprintf(x->was, sizeof x->was, "%s", db_text(st, 0));
        erased = !*db_text(st, 1); /* the customer's contact details were erased */
    }
    db_done(st);
    if (rc < 0)
        return rc;
    x->status = rc != DB_ROW ? 404 : erased || (strcmp(x->was, "failed") && strcmp(x->was, "bounced")) ? 409 : 200;
    if (x->status != 200)
        return 1; /* nothing to change: rolled back */
    int64_t now = now_unix();
    int64_t e = db_exec(c, "UPDATE outbox SET status = 'queued', attempts = 0, next_at = ?, updated_at = ?,"
                           " message_id = NULL, lease_until = NULL, lease_owner = NULL"
                           " WHERE id = ? AND status IN ('failed', 'bounced')",
                        "iii", now, now, x->id);
    if (e < 0)
        return (int)e;
    char code[24];
    snprintf(code, sizeof code, "%lld", (long long)x->id);
    json_t *detail = json_pack("{s:s}", "from", x->was);
    rc = audit_write(c, audit_actor(x->r), "resend", "outbox", code, detail);
    json_decref(detail);
    return rc < 0 ? rc : 0;
}

int ob_resend(req *r)
{
    struct resend x = {r, param_id(r), 404, ""};
    if (x.id == 0)
        return reply_not_found(r, "message");
    int rc = in_tx(req_db(r), resend_tx, &x);
    if (rc < 0)
        return reply_db_failure(r, rc, "resend");
    if (x.status == 404)
        return reply_not_found(r, "message");
    if (x.status == 409)
        return reply_error(r, 409, "conflict",
                           "only a failed or bounced message with a recipient can be sent again", json_pack("{s:s}", "status", x.was));
    json_t *row = NULL;
    if (one(req_db(r), x.id, &row) < 0)
        return -1;
    return reply_json(r, 200, row);
}
