/* callbacks: the call-back list (missed and out-of-hours calls) that agents work
 * through: GET /api/v1/callbacks and POST /api/v1/callbacks/:code/attempts. */
#include "features/contacts/internal.h"

#include "base/arena.h"
#include "base/audit.h"
#include "base/jsonv.h"

#include <limits.h>
#include <string.h>

static const char *const statuses[] = {"open", "done", "given_up", NULL};
static const char *const attempt_outcomes[] = {"reached", "no_answer", "busy", "voicemail",
                                               "wrong_number", NULL};
/* After this many attempts without reaching the caller the call-back is given up. */
#define CT_MAX_ATTEMPTS 3

int ct_callback_add(db_conn *c, int64_t contact_id, int64_t customer_id, const char *number,
                    const char *cause)
{
    char code[32];
    int64_t now = now_unix();
    int rc = code_next_daily(c, "callback", "CB", 4, now, "SELECT 1 FROM callbacks WHERE code = ?",
                             code, sizeof code);
    if (rc < 0)
        return rc;
    if (customer_id)
        rc = (int)db_exec(c, "INSERT INTO callbacks (code, contact_id, customer_id, number, cause, status,"
                             " created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'open', ?, ?)",
                          "tiittii", code, contact_id, customer_id, number, cause, now, now);
    else
        rc = (int)db_exec(c, "INSERT INTO callbacks (code, contact_id, customer_id, number, cause, status,"
                             " created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'open', ?, ?)",
                          "tintti", code, contact_id, number, cause, now, now);
    return rc < 0 ? rc : 0;
}

#define CB_COLS                                                                                \
    "b.id, b.code, b.number, b.cause, b.status, b.attempts, b.last_outcome, b.version,"         \
    " b.created_at, cu.code, cu.name, ct.code, ct.started_at"
#define CB_FROM                                                                                \
    " FROM callbacks b JOIN contacts ct ON ct.id = b.contact_id"                                 \
    " LEFT JOIN customers cu ON cu.id = b.customer_id"

static json_t *cb_json(db_stmt *st)
{
    json_t *cust = db_isnull(st, 9) ? json_null()
                                    : json_pack("{s:s, s:s}", "code", db_text(st, 9), "name", db_text(st, 10));
    return json_pack("{s:s, s:s, s:s, s:s, s:I, s:o, s:I, s:o, s:o, s:s, s:o}", "code", db_text(st, 1),
                     "number", db_text(st, 2), "cause", db_text(st, 3), "status", db_text(st, 4),
                     "attempts", (json_int_t)db_int(st, 5), "last_outcome",
                     db_isnull(st, 6) ? json_null() : json_string(db_text(st, 6)), "version",
                     (json_int_t)db_int(st, 7), "created_at", dt_json(db_int(st, 8)), "customer", cust,
                     "contact", db_text(st, 11), "called_at", dt_json(db_int(st, 12)));
}

static int page_fn(req *r, const struct page *p, json_t *items, const char **next)
{
    const char *status = req_query(r, "status");
    if (status && *status && !ct_in(statuses, status)) {
        reply_bad_param(r, "status", "one of open, done, given_up");
        return LIST_ANSWERED;
    }
    if (!status || !*status)
        status = "open";
    int after = p->nkeys == 2;
    db_stmt *st = db_prepare(req_db(r), after ? "SELECT " CB_COLS CB_FROM " WHERE b.status = ? AND"
                                                " (b.created_at > CAST(? AS BIGINT) OR (b.created_at ="
                                                " CAST(? AS BIGINT) AND b.id > CAST(? AS BIGINT)))"
                                                " ORDER BY b.created_at, b.id LIMIT ?"
                                              : "SELECT " CB_COLS CB_FROM " WHERE b.status = ?"
                                                " ORDER BY b.created_at, b.id LIMIT ?");
    if (!st)
        return -1;
    int b = 1;
    db_bind_text(st, b++, status);
    if (after) {
        db_bind_int(st, b++, page_key_int(p, 0));
        db_bind_int(st, b++, page_key_int(p, 0));
        db_bind_int(st, b++, page_key_int(p, 1));
    }
    db_bind_int(st, b, p->limit + 1);
    long shown = 0;
    int64_t last[2] = {0};
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if (shown == p->limit) {
            const char *keys[2] = {arena_printf(r->a, "%lld", (long long)last[0]),
                                   arena_printf(r->a, "%lld", (long long)last[1])};
            *next = page_cursor(r->a, 2, keys);
            break;
        }
        json_array_append_new(items, cb_json(st));
        last[0] = db_int(st, 8);
        last[1] = db_int(st, 0);
        shown++;
    }
    db_done(st);
    return rc < 0 ? -1 : 0;
}

static const struct table_col cols[] = {
    {"code", NULL, TABLE_TEXT, 14, 0},        {"created_at", NULL, TABLE_TEXT, 22, 0},
    {"number", NULL, TABLE_TEXT, 14, 0},      {"cause", NULL, TABLE_TEXT, 12, 0},
    {"status", NULL, TABLE_TEXT, 9, 0},       {"attempts", NULL, TABLE_INT, 8, 0},
    {"last_outcome", NULL, TABLE_TEXT, 12, 0}, {"customer", "customer.code", TABLE_TEXT, 12, 0},
    {"customer_name", "customer.name", TABLE_TEXT, 14, 0}, {"contact", NULL, TABLE_TEXT, 16, 0},
};

static const struct list_spec spec = {
    "callbacks", cols, (int)(sizeof cols / sizeof *cols), 50, 500, 2, page_fn,
};

int ct_callbacks_list(req *r) { return list_reply(r, &spec); }

struct attempt {
    const char *code, *outcome, *note, *actor;
    int64_t version, user;
    int found;
    json_t *out;
};

static int attempt_tx(db_conn *c, void *arg)
{
    struct attempt *a = arg;
    db_stmt *st = db_prepare(c, "UPDATE callbacks SET attempts = attempts + 1, last_outcome = ?,"
                                " status = CASE WHEN ? = 'reached' THEN 'done' WHEN attempts + 1 >= ?"
                                " THEN 'given_up' ELSE 'open' END, version = version + 1, updated_at = ?"
                                " WHERE code = ? AND version = ? AND status = 'open' RETURNING id");
    if (!st)
        return DB_ERROR;
    int64_t now = now_unix();
    db_bind_text(st, 1, a->outcome);
    db_bind_text(st, 2, a->outcome);
    db_bind_int(st, 3, CT_MAX_ATTEMPTS);
    db_bind_int(st, 4, now);
    db_bind_text(st, 5, a->code);
    db_bind_int(st, 6, a->version);
    int rc = db_step(st);
    int64_t id = rc == DB_ROW ? db_int(st, 0) : 0;
    db_done(st);
    if (rc < 0)
        return rc;
    if (!(a->found = rc == DB_ROW))
        return 0;
    if ((rc = (int)db_exec(c, "INSERT INTO callback_attempts (callback_id, at, by_user, outcome, note)"
                              " VALUES (?, ?, ?, ?, ?)", a->note ? "iiitt" : "iiitn", id, now, a->user,
                           a->outcome, a->note)) < 0)
        return rc;
    json_t *d = json_pack("{s:s}", "outcome", a->outcome);
    rc = audit_write(c, a->actor, "attempt", "callback", a->code, d);
    json_decref(d);
    return rc;
}

int ct_callback_attempt(req *r)
{
    json_t *b;
    if (req_json(r, &b) < 0)
        return 0;
    static const char *const allowed[] = {"version", "outcome", "note", NULL};
    jsonv v;
    jsonv_init(&v, b);
    jsonv_only(&v, allowed);
    struct attempt a = {.code = req_param(r, "code"), .actor = audit_actor(r), .user = r->who.user_id};
    long long ver = 0;
    jsonv_int_range(&v, "version", 1, 1, LLONG_MAX, &ver);
    a.version = ver;
    a.outcome = jsonv_enum(&v, "outcome", 1, attempt_outcomes);
    a.note = jsonv_str(&v, "note", 0, 2000);
    if (!jsonv_ok(&v)) {
        json_decref(b);
        return reply_error(r, 422, "validation_failed", "the attempt is not valid", jsonv_take(&v));
    }
    db_conn *c = req_db(r);
    int64_t id = 0;
    int rc = lookup_id(c, "SELECT id FROM callbacks WHERE code = ?", a.code, &id);
    if (rc == 0)
        rc = in_tx(c, attempt_tx, &a);
    jsonv_free(&v);
    json_decref(b);
    if (rc == 1)
        return reply_not_found(r, "callback");
    if (rc < 0)
        return reply_db_failure(r, rc, "callback");
    if (!a.found)
        return reply_error(r, 409, "stale_version", "the call-back was changed or closed by someone else; reload it", NULL);
    db_stmt *st = db_prepare(c, "SELECT " CB_COLS CB_FROM " WHERE b.code = ?");
    if (!st)
        return -1;
    db_bind_text(st, 1, a.code);
    json_t *j = db_step(st) == DB_ROW ? cb_json(st) : NULL;
    db_done(st);
    return j ? reply_json(r, 200, j) : -1;
}
