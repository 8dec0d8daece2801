/* actions: what happens to a complaint: POST /api/v1/complaints/:code/responses, pause,
 * resume, resolve and transitions (in_progress, closed, reopened); each records a
 * timeline event and an audit entry, recomputes the due times and, on resolution,
 * queues the customer's notification in the outbox. */
#include "features/complaints/internal.h"

#include "base/arena.h"
#include "base/audit.h"
#include "base/jsonv.h"

#include <string.h>

int cpl_event(db_conn *c, int64_t id, const char *kind, int64_t at, const char *actor, const char *note);

enum act { A_RESPOND, A_PAUSE, A_RESUME, A_RESOLVE, A_TRANSITION };

struct action {
    enum act a;
    const char *text, *to, *actor, *code;
    long long version;
    int has_version;
    int64_t id, cur_version, now;
    const char *status;
};

static int open_pause(db_conn *c, int64_t id, int64_t *pid)
{
    db_stmt *st = db_prepare(c, "SELECT id FROM complaint_pauses WHERE complaint_id = ? AND ended_at IS NULL");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, id);
    int rc = db_step(st);
    *pid = rc == DB_ROW ? db_int(st, 0) : 0;
    db_done(st);
    return rc < 0 ? rc : 0;
}

static int in(const char *s, const char *a, const char *b, const char *c)
{
    return strcmp(s, a) == 0 || (b && strcmp(s, b) == 0) || (c && strcmp(s, c) == 0);
}

/* Refuse (answered, returns 1) or 0. */
static int check(req *r, db_conn *c, struct action *x, int64_t *pause)
{
    int rc = open_pause(c, x->id, pause);
    if (rc < 0)
        return rc;
    const char *msg = NULL, *code = "illegal_transition";
    const char *st = x->status;
    int live = in(st, "received", "responded", "in_progress");
    switch (x->a) {
    case A_RESPOND:
        if (strcmp(st, "closed") == 0)
            msg = "a closed complaint takes no responses; reopen it first";
        break;
    case A_PAUSE:
        if (!live)
            msg = arena_printf(r->a, "a %s complaint has no clock to pause", st);
        else if (*pause)
            msg = "the complaint is already paused", code = "already_paused";
        break;
    case A_RESUME:
        if (!*pause)
            msg = "the complaint is not paused", code = "not_paused";
        break;
    case A_RESOLVE:
        if (!live)
            msg = arena_printf(r->a, "a %s complaint cannot be resolved", st);
        break;
    case A_TRANSITION:
        if ((strcmp(x->to, "in_progress") == 0 && !in(st, "received", "responded", NULL)) ||
            (strcmp(x->to, "closed") == 0 && strcmp(st, "resolved") != 0) ||
            (strcmp(x->to, "reopened") == 0 && !in(st, "resolved", "closed", NULL)))
            msg = arena_printf(r->a, "a complaint cannot go from %s to %s", st, x->to);
        break;
    }
    if (!msg && x->has_version && x->version != x->cur_version)
        msg = "the complaint was changed by someone else; reload it", code = "stale_version";
    if (!msg)
        return 0;
    reply_error(r, 409, code, msg, NULL);
    return 1;
}

static int notify_resolved(db_conn *c, struct action *x)
{
    json_t *p = json_pack("{s:s, s:s}", "code", x->code, "note", x->text);
    char *payload = json_dumps(p, JSON_COMPACT);
    json_decref(p);
    int64_t e = db_exec(c, "INSERT INTO outbox (channel, recipient, template, payload, customer_id, created_at)"
                           " SELECT 'sms', ph.phone, 'complaint_resolved', CAST(? AS TEXT), k.customer_id,"
                           " CAST(? AS BIGINT) FROM complaints k JOIN customer_phones ph ON ph.customer_id = k.customer_id"
                           " WHERE k.id = ? ORDER BY ph.id LIMIT 1",
                        "tii", payload, x->now, x->id);
    if (e == 0)
        e = db_exec(c, "INSERT INTO outbox (channel, recipient, template, payload, customer_id, created_at)"
                       " SELECT 'email', em.email, 'complaint_resolved', CAST(? AS TEXT), k.customer_id,"
                       " CAST(? AS BIGINT) FROM complaints k JOIN customer_emails em ON em.customer_id = k.customer_id"
                       " WHERE k.id = ? ORDER BY em.id LIMIT 1",
                    "tii", payload, x->now, x->id);
    free(payload);
    return e < 0 ? (int)e : 0;
}

/* The change itself. 0, or a negative db code; DB_ERROR - 100 when a concurrent write won. */
static int apply(db_conn *c, struct action *x, int64_t pause)
{
    int64_t e = 0;
    const char *kind = NULL;
    switch (x->a) {
    case A_RESPOND:
        kind = "response";
        e = db_exec(c, "UPDATE complaints SET first_response_at = COALESCE(first_response_at, CAST(? AS BIGINT)),"
                       " status = CASE WHEN status = 'received' THEN 'responded' ELSE status END,"
                       " version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
                    "iiii", x->now, x->now, x->id, x->cur_version);
        break;
    case A_PAUSE:
        kind = "pause";
        if ((e = db_exec(c, "INSERT INTO complaint_pauses (complaint_id, started_at, reason, started_by)"
                            " VALUES (?, ?, ?, ?)", "iitt", x->id, x->now, x->text, x->actor)) < 0)
            return (int)e;
        e = db_exec(c, "UPDATE complaints SET version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
                    "iii", x->now, x->id, x->cur_version);
        break;
    case A_RESUME:
        kind = "resume";
        if ((e = db_exec(c, "UPDATE complaint_pauses SET ended_at = ?, ended_by = ? WHERE id = ?", "iti",
                         x->now, x->actor, pause)) < 0)
            return (int)e;
        e = db_exec(c, "UPDATE complaints SET version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
                    "iii", x->now, x->id, x->cur_version);
        break;
    case A_RESOLVE:
        kind = "resolved";
        if (pause && (e = db_exec(c, "UPDATE complaint_pauses SET ended_at = ?, ended_by = ? WHERE id = ?",
                                  "iti", x->now, x->actor, pause)) < 0)
            return (int)e;
        e = db_exec(c, "UPDATE complaints SET status = 'resolved', resolved_at = ?, resolution_note = ?,"
                       " first_response_at = COALESCE(first_response_at, CAST(? AS BIGINT)),"
                       " version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
                    "itiiii", x->now, x->text, x->now, x->now, x->id, x->cur_version);
        if (e > 0 && notify_resolved(c, x) < 0)
            return DB_ERROR;
        break;
    case A_TRANSITION:
        kind = x->to;
        if (strcmp(x->to, "reopened") == 0)
            e = db_exec(c, "UPDATE complaints SET status = 'in_progress', resolved_at = NULL, closed_at = NULL,"
                           " version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
                        "iii", x->now, x->id, x->cur_version);
        else
            e = db_exec(c, "UPDATE complaints SET status = ?, closed_at = CASE WHEN status = 'resolved'"
                           " THEN CAST(? AS BIGINT) ELSE closed_at END, version = version + 1, updated_at = ?"
                           " WHERE id = ? AND version = ?",
                        "tiiii", x->to, x->now, x->now, x->id, x->cur_version);
        break;
    }
    if (e < 0)
        return (int)e;
    if (e == 0)
        return DB_ERROR - 100;
    int rc = cpl_event(c, x->id, kind, x->now, x->actor, x->text);
    if (rc < 0)
        return rc;
    struct cpl_clock k;
    if ((rc = cpl_clock_open(c, &k)) < 0)
        return rc;
    rc = cpl_recompute(c, &k, x->id);
    cpl_clock_close(&k);
    if (rc < 0)
        return rc;
    json_t *d = json_pack("{s:s, s:s?}", "from", x->status, "note", x->text);
    rc = audit_write(c, x->actor, kind, "complaint", x->code, d);
    json_decref(d);
    return rc < 0 ? rc : 0;
}

static int run(req *r, enum act a)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv v;
    jsonv_init(&v, body);
    struct action x = {.a = a, .actor = audit_actor(r), .code = req_param(r, "code"), .now = now_unix()};
    static const char *const f_text[] = {"text", "version", NULL}, *const f_reason[] = {"reason", "version", NULL},
                             *const f_note[] = {"note", "version", NULL}, *const f_none[] = {"version", NULL},
                             *const f_to[] = {"to", "note", "version", NULL};
    static const char *const tos[] = {"in_progress", "closed", "reopened", NULL};
    if (!json_is_object(body))
        jsonv_fail(&v, "body", "must be an object");
    switch (a) {
    case A_RESPOND:
        jsonv_only(&v, f_text);
        x.text = jsonv_str(&v, "text", 1, 4000);
        break;
    case A_PAUSE:
        jsonv_only(&v, f_reason);
        x.text = jsonv_str(&v, "reason", 1, 500);
        break;
    case A_RESUME:
        jsonv_only(&v, f_none);
        break;
    case A_RESOLVE:
        jsonv_only(&v, f_note);
        x.text = jsonv_str(&v, "note", 1, 4000);
        break;
    case A_TRANSITION:
        jsonv_only(&v, f_to);
        x.to = jsonv_enum(&v, "to", 1, tos);
        x.text = jsonv_str(&v, "note", 0, 2000);
        break;
    }
    x.has_version = jsonv_int(&v, "version", 0, &x.version);
    int rc;
    if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed", "the request is not valid", jsonv_take(&v));
        goto out;
    }
    db_conn *c = req_db(r);
    if (db_begin(c) < 0) {
        rc = reply_db_failure(r, DB_EBUSY, "complaint");
        goto out;
    }
    json_t *cur = NULL;
    int k = cpl_load(r, c, x.code, 0, &cur, &x.id);
    if (k != 0) {
        db_rollback(c);
        rc = k == 1 ? reply_not_found(r, "complaint") : reply_db_failure(r, k, "load complaint");
        goto out;
    }
    x.status = arena_strdup(r->a, json_string_value(json_object_get(cur, "status")));
    x.cur_version = json_integer_value(json_object_get(cur, "version"));
    json_decref(cur);
    int64_t pause = 0;
    if ((k = check(r, c, &x, &pause)) != 0) {
        db_rollback(c);
        rc = k == 1 ? 0 : reply_db_failure(r, k, "complaint");
        goto out;
    }
    k = apply(c, &x, pause);
    json_t *j = NULL;
    if (k == 0)
        k = cpl_load(NULL, c, x.code, 1, &j, NULL);
    if (k == 0 && db_commit(c) == 0) {
        rc = reply_json(r, a == A_RESPOND || a == A_PAUSE ? 201 : 200, j);
        goto out;
    }
    db_rollback(c);
    json_decref(j);
    rc = k == DB_ERROR - 100
             ? reply_error(r, 409, "stale_version", "the complaint was changed by someone else; reload it", NULL)
             : reply_db_failure(r, k ? k : DB_ERROR, "update complaint");
out:
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

int cpl_respond(req *r) { return run(r, A_RESPOND); }
int cpl_pause(req *r) { return run(r, A_PAUSE); }
int cpl_resume(req *r) { return run(r, A_RESUME); }
int cpl_resolve(req *r) { return run(r, A_RESOLVE); }
int cpl_transition(req *r) { return run(r, A_TRANSITION); }
