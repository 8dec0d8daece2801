/* store: a complaint's JSON (with its clocks, pauses and timeline), POST
 * /api/v1/complaints and GET /api/v1/complaints/:code. */
#include "features/complaints/internal.h"

#include "base/arena.h"
#include "base/audit.h"
#include "base/jsonv.h"
#include "features/customers/customers.h"

#include <string.h>

static const char *const channels[] = {"phone", "email", "web", "walk_in", "letter", "fax", "wechat", NULL};
static const char *const severities[] = {"low", "normal", "high", "critical", NULL};

#define CPL_COLS                                                                               \
    "k.id, k.code, k.status, k.channel, k.text, k.category, k.severity, k.received_at,"        \
    " k.first_response_at, k.resolved_at, k.closed_at, k.resolution_note, k.first_response_due," \
    " k.resolution_due, k.first_response_left, k.resolution_left, k.clock_rank, k.version,"     \
    " cu.code, cu.name, rp.code, o.code, p.code, k.outlet_id"
#define CPL_FROM                                                                               \
    " FROM complaints k JOIN customers cu ON cu.id = k.customer_id"                             \
    " LEFT JOIN repairs rp ON rp.id = k.repair_id LEFT JOIN outlets o ON o.id = k.outlet_id"    \
    " LEFT JOIN product_lines p ON p.id = k.product_line_id"

static int64_t opt_int(db_stmt *st, int i)
{
    return db_isnull(st, i) ? DT_NONE : db_int(st, i);
}

static json_t *opt_text(db_stmt *st, int i)
{
    return db_isnull(st, i) ? json_null() : json_string(db_text(st, i));
}

/* Business seconds from now to due (negative: overdue by that much). */
static int64_t left_of(const struct calendar *cal, int64_t now, int64_t due)
{
    return due >= now ? cal_between(cal, now, due) : -cal_between(cal, due, now);
}

/* One row (CPL_COLS) as JSON, times in the calendar's zone. */
json_t *cpl_row_json(db_stmt *st, const struct calendar *cal, int64_t now);
json_t *cpl_row_json(db_stmt *st, const struct calendar *cal, int64_t now)
{
    const struct dt_zone *z = cal->zone;
    int64_t fdue = opt_int(st, 12), rdue = opt_int(st, 13), fleft = opt_int(st, 14), rleft = opt_int(st, 15);
    int64_t resp = opt_int(st, 8);
    int rank = (int)db_int(st, 16);
    json_t *clock = json_object();
    const char *running = rank == 2 ? NULL : resp == DT_NONE ? "first_response" : "resolution";
    json_object_set_new(clock, "running", running ? json_string(running) : json_null());
    json_object_set_new(clock, "paused", json_boolean(rank == 1));
    if (running) {
        int64_t due = resp == DT_NONE ? fdue : rdue, left = resp == DT_NONE ? fleft : rleft;
        int64_t secs = rank == 1 ? left : due == DT_NONE ? 0 : left_of(cal, now, due);
        json_object_set_new(clock, "business_seconds_left", json_integer(secs));
        json_object_set_new(clock, "overdue", json_boolean(secs < 0));
    } else {
        json_object_set_new(clock, "business_seconds_left", json_null());
        json_object_set_new(clock, "overdue", json_false());
    }
    /* each clock's business time left while it runs or is paused (null once stopped) */
    int done = rank == 2;
    int64_t stops[2] = {resp, done ? 0 : DT_NONE}, dues[2] = {fdue, rdue}, lefts[2] = {fleft, rleft};
    static const char *const names[2] = {"first_response_seconds_left", "resolution_seconds_left"};
    for (int i = 0; i < 2; i++) {
        json_t *v = json_null();
        if (stops[i] == DT_NONE && rank == 1 && lefts[i] != DT_NONE)
            v = json_integer(lefts[i]);
        else if (stops[i] == DT_NONE && rank == 0 && dues[i] != DT_NONE)
            v = json_integer(left_of(cal, now, dues[i]));
        json_object_set_new(clock, names[i], v);
    }
    json_t *j = json_pack("{s:s, s:s, s:{s:s, s:s}, s:o, s:o, s:o, s:s, s:s, s:o, s:s, s:o, s:o, s:o,"
                          " s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I}",
                          "code", db_text(st, 1), "status", db_text(st, 2), "customer", "code",
                          db_text(st, 18), "name", db_text(st, 19), "repair", opt_text(st, 20),
                          "outlet", opt_text(st, 21), "product_line", opt_text(st, 22), "channel",
                          db_text(st, 3), "text", db_text(st, 4), "category", opt_text(st, 5),
                          "severity", db_text(st, 6), "received_at", dt_json_zone(z, db_int(st, 7)),
                          "first_response_at", dt_json_zone(z, resp), "resolved_at",
                          dt_json_zone(z, opt_int(st, 9)), "closed_at", dt_json_zone(z, opt_int(st, 10)),
                          "resolution_note", opt_text(st, 11), "first_response_due",
                          dt_json_zone(z, fdue), "resolution_due", dt_json_zone(z, rdue),
                          "first_response_left_secs", fleft == DT_NONE ? json_null() : json_integer(fleft),
                          "resolution_left_secs", rleft == DT_NONE ? json_null() : json_integer(rleft),
                          "clock", clock, "version", (json_int_t)db_int(st, 17));
    return j;
}

static int add_pauses(db_conn *c, int64_t id, const struct dt_zone *z, json_t *j)
{
    db_stmt *st = db_prepare(c, "SELECT started_at, ended_at, reason, started_by, ended_by FROM"
                                " complaint_pauses WHERE complaint_id = ? ORDER BY started_at, id");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, id);
    json_t *a = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(a, json_pack("{s:o, s:o, s:s, s:s, s:o}", "start", dt_json_zone(z, db_int(st, 0)),
                                           "end", dt_json_zone(z, opt_int(st, 1)), "reason", db_text(st, 2),
                                           "who", db_text(st, 3), "resumed_by", opt_text(st, 4)));
    db_done(st);
    json_object_set_new(j, "pauses", a);
    return rc < 0 ? rc : 0;
}

static int add_timeline(db_conn *c, int64_t id, const struct dt_zone *z, json_t *j)
{
    db_stmt *st = db_prepare(c, "SELECT at, kind, actor, note FROM complaint_events WHERE complaint_id = ?"
                                " ORDER BY at, id");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, id);
    json_t *a = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(a, json_pack("{s:o, s:s, s:s, s:o}", "at", dt_json_zone(z, db_int(st, 0)),
                                           "kind", db_text(st, 1), "actor", db_text(st, 2), "note",
                                           opt_text(st, 3)));
    db_done(st);
    json_object_set_new(j, "timeline", a);
    return rc < 0 ? rc : 0;
}

int cpl_load(req *r, db_conn *c, const char *code, int full, json_t **out, int64_t *id)
{
    struct cpl_clock k;
    int rc = cpl_clock_open(c, &k);
    if (rc < 0)
        return rc;
    db_stmt *st = db_prepare(c, "SELECT " CPL_COLS CPL_FROM " WHERE k.code = ?");
    if (!st) {
        cpl_clock_close(&k);
        return DB_ERROR;
    }
    db_bind_text(st, 1, code);
    rc = db_step(st);
    int64_t cid = 0;
    if (rc == DB_ROW && (!r || scope_sees(r, db_isnull(st, 23) ? 0 : db_int(st, 23)))) {
        cid = db_int(st, 0);
        *out = cpl_row_json(st, &k.cal.cal, now_unix());
    }
    db_done(st);
    if (rc < 0 || !cid) {
        cpl_clock_close(&k);
        return rc < 0 ? rc : 1;
    }
    if (id)
        *id = cid;
    rc = add_pauses(c, cid, k.cal.cal.zone, *out);
    if (rc >= 0 && full)
        rc = add_timeline(c, cid, k.cal.cal.zone, *out);
    if (full) {
        json_object_set_new(*out, "calendar", json_string(k.pol.calendar));
        json_object_set_new(*out, "policy", cpl_policy_json(&k.pol));
    }
    cpl_clock_close(&k);
    if (rc < 0) {
        json_decref(*out);
        *out = NULL;
    }
    return rc < 0 ? rc : 0;
}

int cpl_event(db_conn *c, int64_t id, const char *kind, int64_t at, const char *actor, const char *note);
int cpl_event(db_conn *c, int64_t id, const char *kind, int64_t at, const char *actor, const char *note)
{
    int64_t e = db_exec(c, "INSERT INTO complaint_events (complaint_id, kind, at, actor, note) VALUES (?, ?, ?, ?, ?)",
                        "ititt", id, kind, at, actor, note);
    return e < 0 ? (int)e : 0;
}

int cpl_get(req *r)
{
    json_t *j = NULL;
    int rc = cpl_load(r, req_db(r), req_param(r, "code"), 1, &j, NULL);
    if (rc == 1)
        return reply_not_found(r, "complaint");
    if (rc < 0)
        return reply_db_failure(r, rc, "load complaint");
    return reply_json(r, 200, j);
}

/* ---------------------------------------------------------------- creation */

struct new_complaint {
    const char *customer, *repair, *channel, *text, *category, *severity, *actor;
    int64_t received;
    const char *bad_field, *bad_reason;
    char code[24];
};

static int refuse(struct new_complaint *n, const char *field, const char *why)
{
    n->bad_field = field;
    n->bad_reason = why;
    return 1;
}

static int create_tx(db_conn *c, void *arg)
{
    struct new_complaint *n = arg;
    n->bad_field = NULL;
    int64_t cust = 0, repair = 0, outlet = 0, line = 0;
    int rc = customers_resolve(c, n->customer, &cust, NULL);
    if (rc == -1)
        return refuse(n, "customer", "unknown customer");
    if (rc < 0)
        return rc;
    if (n->repair) {
        db_stmt *st = db_prepare(c, "SELECT id, customer_id, outlet_id, product_line_id FROM repairs WHERE code = ?");
        if (!st)
            return DB_ERROR;
        db_bind_text(st, 1, n->repair);
        int64_t rc2 = db_step(st), rcust = 0;
        if (rc2 == DB_ROW) {
            repair = db_int(st, 0);
            rcust = db_int(st, 1);
            outlet = db_isnull(st, 2) ? 0 : db_int(st, 2);
            line = db_isnull(st, 3) ? 0 : db_int(st, 3);
        }
        db_done(st);
        if (rc2 < 0)
            return (int)rc2;
        if (!repair)
            return refuse(n, "repair", "unknown repair");
        if (rcust != cust)
            return refuse(n, "repair", "the repair belongs to another customer");
    }
    int64_t now = now_unix();
    if ((rc = code_next_daily(c, "complaint", "K", 4, now, "SELECT 1 FROM complaints WHERE code = ?",
                              n->code, sizeof n->code)) < 0)
        return rc;
    db_stmt *st = db_prepare(c, "INSERT INTO complaints (code, customer_id, repair_id, outlet_id, product_line_id,"
                                " channel, text, category, severity, status, received_at, created_at, updated_at)"
                                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'received', ?, ?, ?) RETURNING id");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, n->code);
    db_bind_int(st, 2, cust);
    int64_t opt[3] = {repair, outlet, line};
    for (int i = 0; i < 3; i++)
        if (opt[i])
            db_bind_int(st, 3 + i, opt[i]);
        else
            db_bind_null(st, 3 + i);
    db_bind_text(st, 6, n->channel);
    db_bind_text(st, 7, n->text);
    db_bind_text(st, 8, n->category);
    db_bind_text(st, 9, n->severity);
    db_bind_int(st, 10, n->received);
    db_bind_int(st, 11, now);
    db_bind_int(st, 12, now);
    rc = db_step(st);
    int64_t id = rc == DB_ROW ? db_int(st, 0) : 0;
    db_done(st);
    if (!id)
        return rc < 0 ? rc : DB_ERROR;
    struct cpl_clock k;
    if ((rc = cpl_clock_open(c, &k)) < 0)
        return rc;
    rc = cpl_recompute(c, &k, id);
    cpl_clock_close(&k);
    if (rc < 0 || (rc = cpl_event(c, id, "received", n->received, n->actor, n->channel)) < 0)
        return rc;
    json_t *d = json_pack("{s:s, s:s?, s:s, s:s}", "customer", n->customer, "repair", n->repair,
                          "channel", n->channel, "severity", n->severity);
    rc = audit_write(c, n->actor, "create", "complaint", n->code, d);
    json_decref(d);
    return rc < 0 ? rc : 0;
}

int cpl_create(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv v;
    jsonv_init(&v, body);
    static const char *const allowed[] = {"customer", "repair", "channel", "text", "category",
                                          "severity", "received_at", NULL};
    jsonv_only(&v, allowed);
    struct new_complaint n = {0};
    n.actor = audit_actor(r);
    n.customer = jsonv_str(&v, "customer", 1, 16);
    n.repair = jsonv_str(&v, "repair", 0, 24);
    if (n.repair && !*n.repair)
        n.repair = NULL;
    n.channel = jsonv_enum(&v, "channel", 1, channels);
    n.text = jsonv_str(&v, "text", 1, 4000);
    n.category = jsonv_str(&v, "category", 0, 60);
    n.severity = json_object_get(body, "severity") && !json_is_null(json_object_get(body, "severity"))
                     ? jsonv_enum(&v, "severity", 0, severities)
                     : "normal";
    int64_t now = now_unix();
    n.received = now;
    if (jsonv_time(&v, "received_at", 0, &n.received) && n.received > now + 300)
        jsonv_fail(&v, "received_at", "must not be in the future");
    int rc;
    if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed", "the complaint is not valid", jsonv_take(&v));
        goto out;
    }
    db_conn *c = req_db(r);
    int t = in_tx(c, create_tx, &n);
    if (t < 0) {
        rc = reply_db_failure(r, t, "create complaint");
        goto out;
    }
    if (n.bad_field) {
        rc = reply_error(r, 422, "validation_failed", n.bad_reason, json_pack("{s:s}", n.bad_field, n.bad_reason));
        goto out;
    }
    json_t *j = NULL;
    rc = cpl_load(NULL, c, n.code, 1, &j, NULL);
    rc = rc == 0 ? reply_json(r, 201, j) : -1;
out:
    jsonv_free(&v);
    json_decref(body);
    return rc;
}
