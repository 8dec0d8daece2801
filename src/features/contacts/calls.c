/* calls: a CTI call's life in cti_calls (ringing, answered, ended), the contact and the
 * call-back it leaves at hangup, and the screen pop pushed to the ringing agents over
 * server-sent events (base/sse.h, channel "user:<id>"). */
#include "features/contacts/internal.h"

#include "base/arena.h"
#include "base/sse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Live customers with this normalised phone: up to max ids; the count. <0 db code. */
static int match_phone(db_conn *c, const char *key, int64_t *ids, int max)
{
    if (!*key)
        return 0;
    db_stmt *st = db_prepare(c, "SELECT DISTINCT cu.id FROM customer_phones p JOIN customers cu"
                                " ON cu.id = p.customer_id WHERE p.phone = ? AND cu.merged_into IS NULL"
                                " AND cu.erased_at IS NULL ORDER BY cu.id");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, key);
    int n = 0, rc;
    while ((rc = db_step(st)) == DB_ROW)
        if (n < max)
            ids[n++] = db_int(st, 0);
    db_done(st);
    return rc < 0 ? rc : n;
}

int ct_hotline_of(db_conn *c, const char *number, int64_t *id)
{
    char key[32];
    ct_number_key(number, key);
    *id = 0;
    if (!*key)
        return 0;
    db_stmt *st = db_prepare(c, "SELECT id FROM hotlines WHERE number = ? AND active = 1");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, key);
    int rc = db_step(st);
    if (rc == DB_ROW)
        *id = db_int(st, 0);
    db_done(st);
    return rc < 0 ? rc : 0;
}

int ct_call_new(db_conn *c, int64_t token, const char *call, const char *dir, const char *from,
                const char *to, const char *ext)
{
    int in = strcmp(dir, "in") == 0;
    char key[32];
    ct_number_key(in ? from : to, key);
    int64_t ids[2] = {0}, hotline = 0;
    int n = match_phone(c, key, ids, 2);
    if (n < 0)
        return n;
    int rc = ct_hotline_of(c, in ? to : from, &hotline);
    if (rc < 0)
        return rc;
    db_stmt *st = db_prepare(c, "INSERT INTO cti_calls (token_id, call_ref, direction, from_number,"
                                " to_number, extension, hotline_id, customer_id, matches, state,"
                                " started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'ringing', ?)"
                                " ON CONFLICT (token_id, call_ref) DO NOTHING");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, token);
    db_bind_text(st, 2, call);
    db_bind_text(st, 3, dir);
    db_bind_text(st, 4, from);
    db_bind_text(st, 5, to);
    if (ext)
        db_bind_text(st, 6, ext);
    else
        db_bind_null(st, 6);
    if (hotline)
        db_bind_int(st, 7, hotline);
    else
        db_bind_null(st, 7);
    if (n == 1)
        db_bind_int(st, 8, ids[0]);
    else
        db_bind_null(st, 8);
    db_bind_int(st, 9, n);
    db_bind_int(st, 10, now_unix());
    rc = db_step(st);
    db_done(st);
    return rc < 0 ? rc : 0;
}

int ct_call_answer(db_conn *c, int64_t token, const char *call, const char *ext)
{
    db_stmt *st = db_prepare(c, "UPDATE cti_calls SET state = 'answered', answered_at = ?,"
                                " extension = COALESCE(CAST(? AS TEXT), extension)"
                                " WHERE token_id = ? AND call_ref = ? AND state = 'ringing' RETURNING id");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, now_unix());
    if (ext)
        db_bind_text(st, 2, ext);
    else
        db_bind_null(st, 2);
    db_bind_int(st, 3, token);
    db_bind_text(st, 4, call);
    int rc = db_step(st);
    db_done(st);
    if (rc < 0)
        return rc;
    if (rc == DB_ROW)
        return 0;
    /* already answered or ended: fine (a repeated event); unknown: say so */
    int64_t id = 0;
    st = db_prepare(c, "SELECT id FROM cti_calls WHERE token_id = ? AND call_ref = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, token);
    db_bind_text(st, 2, call);
    rc = db_step(st);
    if (rc == DB_ROW)
        id = db_int(st, 0);
    db_done(st);
    return rc < 0 ? rc : id ? 0 : CT_UNKNOWN_CALL;
}

/* The staff member whose extension (or login) is ext: users.id or 0. */
static int64_t user_of(db_conn *c, const char *ext)
{
    if (!ext || !*ext)
        return 0;
    db_stmt *st = db_prepare(c, "SELECT user_id FROM staff_extensions WHERE extension = ?"
                                " UNION SELECT id FROM users WHERE login = ? AND active = 1");
    if (!st)
        return 0;
    db_bind_text(st, 1, ext);
    db_bind_text(st, 2, ext);
    int64_t id = db_step(st) == DB_ROW ? db_int(st, 0) : 0;
    db_done(st);
    return id;
}

int ct_call_hangup(db_conn *c, int64_t token, const char *call, const char *cause)
{
    db_stmt *st = db_prepare(c, "SELECT id, direction, from_number, to_number, extension, hotline_id,"
                                " customer_id, started_at, answered_at, contact_id FROM cti_calls"
                                " WHERE token_id = ? AND call_ref = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, token);
    db_bind_text(st, 2, call);
    int rc = db_step(st);
    if (rc != DB_ROW) {
        db_done(st);
        return rc == DB_DONE ? CT_UNKNOWN_CALL : rc;
    }
    int64_t id = db_int(st, 0), now = now_unix();
    int in = strcmp(db_text(st, 1), "in") == 0;
    char number[64], ext[64];
    snprintf(number, sizeof number, "%s", db_text(st, in ? 2 : 3));
    snprintf(ext, sizeof ext, "%s", db_isnull(st, 4) ? "" : db_text(st, 4));
    int64_t hotline = db_isnull(st, 5) ? 0 : db_int(st, 5), cust = db_isnull(st, 6) ? 0 : db_int(st, 6);
    int64_t started = db_int(st, 7), answered = db_isnull(st, 8) ? 0 : db_int(st, 8);
    int done = !db_isnull(st, 9);
    db_done(st);
    if (done)
        return 0; /* a repeated hangup */
    struct contact_new n = {
        .channel = "phone", .direction = in ? "in" : "out", .hotline_id = hotline,
        .outcome = answered ? NULL : in ? "missed" : "no_answer",
        .handled_by = answered ? user_of(c, ext) : 0, .started_at = started,
        .duration_s = answered ? now - answered : 0, .customer_id = cust, .address = number,
        .actor = "cti",
    };
    int64_t cid = 0;
    char code[32];
    if ((rc = contacts_log(c, &n, &cid, code, sizeof code)) != 0)
        return rc > 0 ? DB_ERROR : rc;
    if ((rc = (int)db_exec(c, "UPDATE cti_calls SET state = 'ended', ended_at = ?, cause = ?, contact_id = ?"
                         " WHERE id = ?", "itii", now, cause ? cause : "", cid, id)) < 0)
        return rc;
    if ((rc = (int)db_exec(c, "UPDATE contacts SET call_id = ? WHERE id = ?", "ii", id, cid)) < 0)
        return rc;
    int ooh = 0;
    if (hotline && (rc = ct_hotline_closed(c, hotline, started, &ooh)) < 0)
        return rc;
    if (in && (!answered || ooh))
        return ct_callback_add(c, cid, cust, number, !answered && !ooh ? "missed" : "out_of_hours");
    return 0;
}

/* ---------------------------------------------------------------- the pop */

static json_t *rows(db_conn *c, const char *sql, int64_t id, const char *const *names, int n)
{
    json_t *a = json_array();
    db_stmt *st = db_prepare(c, sql);
    if (!st)
        return a;
    db_bind_int(st, 1, id);
    while (db_step(st) == DB_ROW) {
        json_t *o = json_object();
        for (int i = 0; i < n; i++) {
            json_t *v = db_isnull(st, i) ? json_null()
                        : names[i][0] == '@' ? dt_json(db_int(st, i)) : json_string(db_text(st, i));
            json_object_set_new(o, names[i][0] == '@' ? names[i] + 1 : names[i], v);
        }
        json_array_append_new(a, o);
    }
    db_done(st);
    return a;
}

/* The card of one customer: who, units, open repairs, recent contacts. */
json_t *ct_customer_card(db_conn *c, int64_t id)
{
    static const char *const cust[] = {"code", "name", "region"};
    static const char *const units[] = {"serial", "model", "warranty_until"};
    static const char *const reps[] = {"code", "status", "model", "@registered_at"};
    static const char *const cons[] = {"code", "@started_at", "channel", "reason", "outcome"};
    json_t *a = rows(c, "SELECT code, name, region FROM customers WHERE id = ?", id, cust, 3);
    json_t *card = json_array_size(a) ? json_incref(json_array_get(a, 0)) : json_object();
    json_decref(a);
    json_object_set_new(card, "phones", rows(c, "SELECT phone FROM customer_phones WHERE customer_id = ?"
                                                " ORDER BY id", id, (const char *const[]){"phone"}, 1));
    json_object_set_new(card, "units", rows(c, "SELECT u.serial, m.name, u.warranty_until FROM units u"
                                               " JOIN models m ON m.id = u.model_id WHERE u.customer_id = ?"
                                               " ORDER BY u.id DESC LIMIT 10", id, units, 3));
    json_object_set_new(card, "open_repairs",
                        rows(c, "SELECT r.code, r.status, m.name, r.registered_at FROM repairs r"
                                " LEFT JOIN models m ON m.id = r.model_id WHERE r.customer_id = ? AND"
                                " r.status NOT IN ('delivered', 'cancelled', 'closed')"
                                " ORDER BY r.id DESC LIMIT 10", id, reps, 4));
    json_object_set_new(card, "recent_contacts",
                        rows(c, "SELECT code, started_at, channel, reason, outcome FROM contacts"
                                " WHERE customer_id = ? ORDER BY started_at DESC, id DESC LIMIT 5",
                             id, cons, 5));
    return card;
}

int ct_pop_send(db_conn *c, int64_t token, const char *call, const char *const *users, int nusers)
{
    db_stmt *st = db_prepare(c, "SELECT k.direction, k.from_number, k.to_number, h.code, h.name,"
                                " k.started_at, k.hotline_id FROM cti_calls k LEFT JOIN hotlines h"
                                " ON h.id = k.hotline_id WHERE k.token_id = ? AND k.call_ref = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, token);
    db_bind_text(st, 2, call);
    int rc = db_step(st);
    if (rc != DB_ROW) {
        db_done(st);
        return rc < 0 ? rc : CT_UNKNOWN_CALL;
    }
    int in = strcmp(db_text(st, 0), "in") == 0;
    char num[64];
    snprintf(num, sizeof num, "%s", db_text(st, in ? 1 : 2));
    json_t *callj = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "call_id", call, "direction",
                              db_text(st, 0), "from", db_text(st, 1), "to", db_text(st, 2),
                              "hotline", db_isnull(st, 3) ? json_null()
                                         : json_pack("{s:s, s:s}", "code", db_text(st, 3), "name", db_text(st, 4)),
                              "started_at", dt_json(db_int(st, 5)));
    int64_t hotline = db_isnull(st, 6) ? 0 : db_int(st, 6), started = db_int(st, 5);
    char key[32];
    ct_number_key(num, key);
    db_done(st);
    int ooh = 0;
    if (hotline && (rc = ct_hotline_closed(c, hotline, started, &ooh)) < 0) {
        json_decref(callj);
        return rc;
    }
    json_object_set_new(callj, "out_of_hours", json_boolean(ooh));
    int64_t ids[10];
    int n = match_phone(c, key, ids, 10);
    if (n < 0) {
        json_decref(callj);
        return n;
    }
    static const char *const cust[] = {"code", "name", "region"};
    json_t *matches = json_array();
    for (int i = 0; i < n; i++) /* one: the card; several: the chooser's code and name */
        if (n == 1)
            json_array_append_new(matches, ct_customer_card(c, ids[i]));
        else {
            json_t *one = rows(c, "SELECT code, name, region FROM customers WHERE id = ?", ids[i], cust, 3);
            json_array_extend(matches, one);
            json_decref(one);
        }
    json_t *pop = json_pack("{s:o, s:s, s:o, s:{s:s}}", "call", callj, "match",
                            n == 0 ? "none" : n == 1 ? "one" : "several", "customers", matches,
                            "prefill", "phone", num);
    char *data = json_dumps(pop, JSON_COMPACT);
    json_decref(pop);
    for (int i = 0; data && i < nusers; i++) {
        int64_t u = user_of(c, users[i]);
        if (u) {
            char ch[32];
            snprintf(ch, sizeof ch, "user:%lld", (long long)u);
            sse_publish(ch, "call", data);
        }
    }
    free(data);
    return 0;
}

int ct_call_notify(db_conn *c, int64_t token, const char *call)
{
    db_stmt *st = db_prepare(c, "SELECT k.state, k.extension, ct.code FROM cti_calls k LEFT JOIN"
                                " contacts ct ON ct.id = k.contact_id WHERE k.token_id = ? AND k.call_ref = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, token);
    db_bind_text(st, 2, call);
    int rc = db_step(st);
    if (rc != DB_ROW) {
        db_done(st);
        return rc < 0 ? rc : CT_UNKNOWN_CALL;
    }
    json_t *j = json_pack("{s:s, s:s, s:o}", "call_id", call, "state", db_text(st, 0), "contact",
                          db_isnull(st, 2) ? json_null() : json_string(db_text(st, 2)));
    char ext[64];
    snprintf(ext, sizeof ext, "%s", db_isnull(st, 1) ? "" : db_text(st, 1));
    db_done(st);
    int64_t u = user_of(c, ext);
    char *data = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (u && data) {
        char ch[32];
        snprintf(ch, sizeof ch, "user:%lld", (long long)u);
        sse_publish(ch, "call_state", data);
    }
    free(data);
    return 0;
}
