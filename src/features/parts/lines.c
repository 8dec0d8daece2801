/* parts: what happens to a part request line after it is filled: shipped from its
 * warehouse to the outlet, received there, issued to the repair (with the faulty part
 * expected back on warranty), or cancelled; and the list of lines (backorders, late). */
#include <stdlib.h>
#include <string.h>

#include "base/audit.h"
#include "base/jsonv.h"
#include "features/common/common.h"
#include "features/parts/internal.h"
#include "features/repairs/repairs.h"

#define RETURN_DAYS 14 /* a faulty part is due back two weeks after the issue */

struct line {
    int64_t id, part, qty, wh, transfer, outlet, repair;
    int status; /* enum part_line_status */
};

static int line_load(db_conn *c, int64_t id, struct line *l)
{
    db_stmt *st = db_prepare(c, "SELECT id, part_id, qty, COALESCE(warehouse_id, 0),"
                                " COALESCE(transfer_id, 0), COALESCE(outlet_id, 0), repair_id,"
                                " status FROM part_request_lines WHERE id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, id);
    int rc = db_step(st);
    if (rc == DB_ROW)
        *l = (struct line){db_int(st, 0), db_int(st, 1), db_int(st, 2), db_int(st, 3),
                           db_int(st, 4), db_int(st, 5), db_int(st, 6),
                           part_line_status_parse(db_text(st, 7))};
    db_done(st);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? 1 : rc;
}

/* The id of line "PR00000001-2" as scope may see it. 0, 1 or a db code. */
static int line_find(db_conn *c, const char *code, int64_t scope, int64_t *id)
{
    const char *dash = code ? strrchr(code, '-') : NULL;
    if (!dash || dash == code || !dash[1] || strlen(code) > 40)
        return 1;
    char *end = NULL;
    long no = strtol(dash + 1, &end, 10);
    if (*end || no < 1 || no > 1000)
        return 1;
    char req_code[48];
    snprintf(req_code, sizeof req_code, "%.*s", (int)(dash - code), code);
    db_stmt *st = db_prepare(c, "SELECT l.id FROM part_request_lines l JOIN part_requests q"
                                " ON q.id = l.request_id WHERE q.code = ? AND l.line_no = ?"
                                " AND (CAST(? AS BIGINT) = 0 OR l.outlet_id = ?)");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, req_code);
    db_bind_int(st, 2, no);
    db_bind_int(st, 3, scope);
    db_bind_int(st, 4, scope);
    int rc = db_step(st);
    if (rc == DB_ROW)
        *id = db_int(st, 0);
    db_done(st);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? 1 : rc;
}

/* Ship a reserved or ordered line from its warehouse to the outlet's (nothing to do when
 * it is the outlet's own stock). 0, PL_SHORT or a db code. */
static int line_ship_tx(db_conn *c, const struct line *l, const char *actor, int64_t now,
                        int64_t *own_wh)
{
    if (l->status != PLS_RESERVED && l->status != PLS_ORDERED)
        return PL_SHORT;
    struct pt_wh own;
    int rc = pt_outlet_wh(c, l->outlet, now, &own);
    if (rc != 0)
        return rc < 0 ? rc : DB_ERROR;
    *own_wh = own.id;
    if (l->wh == own.id || l->transfer)
        return 0;
    int64_t tid = 0;
    if ((rc = pl_ship(c, l->part, l->wh, own.id, l->qty, 1, l->id, actor, NULL, now, &tid,
                      NULL)) != 0)
        return rc;
    int64_t e = db_exec(c, "UPDATE part_request_lines SET transfer_id = ?, version = version + 1"
                           " WHERE id = ?",
                        "ii", tid, l->id);
    return e < 0 ? (int)e : 0;
}

int pr_line_receive(db_conn *c, int64_t id, const char *actor, int64_t now)
{
    struct line l;
    int rc = line_load(c, id, &l);
    if (rc != 0)
        return rc < 0 ? rc : PL_SHORT;
    int64_t own = 0;
    if ((rc = line_ship_tx(c, &l, actor, now, &own)) != 0)
        return rc;
    if (l.wh != own) {
        /* the transfer (made now or before) arrives, and its units stay promised to the repair */
        if ((rc = line_load(c, id, &l)) != 0)
            return rc < 0 ? rc : DB_ERROR;
        if ((rc = pl_receive(c, l.transfer, actor, now)) != 0)
            return rc;
        if ((rc = pl_apply(c, l.part, own, PD_RESERVE, l.qty, now)) != 0)
            return rc == PL_SHORT ? DB_ERROR : rc;
        struct pl_move m = {.kind = "reserve", .part = l.part, .qty = l.qty, .from = own,
                            .repair = l.repair, .line = l.id, .actor = actor, .at = now};
        if ((rc = pl_move_add(c, &m, NULL)) != 0)
            return rc;
    }
    int64_t e = db_exec(c, "UPDATE part_request_lines SET status = 'received', received_at = ?,"
                           " version = version + 1 WHERE id = ? AND status IN ('reserved', 'ordered')",
                        "ii", now, id);
    return e < 0 ? (int)e : e == 0 ? PL_SHORT : 0;
}

/* ---------------------------------------------------------------- the actions */

enum line_action { LA_SHIP, LA_RECEIVE, LA_ISSUE, LA_CANCEL };
static const char *const action_names[] = {"ship", "receive", "issue", "cancel"};

struct act {
    req *r;
    enum line_action what;
    const char *code, *fitted, *faulty;
    int64_t id;
    const char *why; /* a 409 */
};
enum { LA_NOT_FOUND = 1, LA_CONFLICT };

int pr_line_issue(db_conn *c, int64_t id, const char *actor, int64_t now, const char *fitted,
                  const char *faulty, const char **why)
{
    struct line l0, *l = &l0;
    int rc = line_load(c, id, l);
    if (rc != 0)
        return rc < 0 ? rc : DB_ERROR;
    if (l->status != PLS_RECEIVED)
        return *why = "only a received line is issued to the repair", PL_SHORT;
    struct pt_wh own;
    if ((rc = pt_outlet_wh(c, l->outlet, now, &own)) != 0)
        return rc < 0 ? rc : DB_ERROR;
    if ((rc = pl_apply(c, l->part, own.id, PD_TAKE_RESERVED, l->qty, now)) != 0)
        return rc == PL_SHORT ? (*why = "the reserved units are no longer on hand", PL_SHORT) : rc;
    struct pl_move m = {.kind = "issue", .part = l->part, .qty = l->qty, .from = own.id,
                        .repair = l->repair, .line = l->id, .serial = fitted,
                        .actor = actor, .at = now};
    if ((rc = pl_move_add(c, &m, NULL)) != 0)
        return rc;
    int64_t e = db_exec(c, "UPDATE part_request_lines SET status = 'issued', issued_at = ?,"
                           " fitted_serial = ?, faulty_serial = ?, version = version + 1"
                           " WHERE id = ? AND status = 'received'",
                        "itti", now, fitted, faulty, l->id);
    if (e < 0)
        return (int)e;
    /* on a warranty repair the faulty part goes back to the parts center */
    char due[11];
    part_promise_date(org_zone(c), now, RETURN_DAYS, due);
    e = db_exec(c, "INSERT INTO part_returns (line_id, repair_id, outlet_id, part_id, qty,"
                   " faulty_serial, due_date, status, created_at)"
                   " SELECT ?, r.id, r.outlet_id, ?, ?, ?, ?, 'expected', ? FROM repairs r"
                   " WHERE r.id = ? AND r.in_warranty = 1",
                "iiittii", l->id, l->part, l->qty, faulty, due, now, l->repair);
    return e < 0 ? (int)e : 0;
}

static int act_issue(db_conn *c, struct act *a, const struct line *l, int64_t now)
{
    int rc = pr_line_issue(c, l->id, audit_actor(a->r), now, a->fitted, a->faulty, &a->why);
    return rc == PL_SHORT ? LA_CONFLICT : rc;
}

static int act_cancel(db_conn *c, struct act *a, const struct line *l, int64_t now)
{
    const char *actor = audit_actor(a->r);
    int64_t at = 0;
    int rc = 0;
    if (l->status == PLS_RESERVED || l->status == PLS_ORDERED) {
        if (l->transfer)
            return a->why = "the part is on its way to the outlet; receive it first", LA_CONFLICT;
        at = l->wh;
    } else if (l->status == PLS_RECEIVED) {
        struct pt_wh own;
        if ((rc = pt_outlet_wh(c, l->outlet, now, &own)) != 0)
            return rc < 0 ? rc : DB_ERROR;
        at = own.id;
    } else if (l->status != PLS_BACKORDERED) {
        return a->why = "an issued or cancelled line cannot be cancelled", LA_CONFLICT;
    }
    if (at) {
        if ((rc = pl_apply(c, l->part, at, PD_RELEASE, l->qty, now)) != 0)
            return rc == PL_SHORT ? DB_ERROR : rc;
        struct pl_move m = {.kind = "release", .part = l->part, .qty = l->qty, .from = at,
                            .repair = l->repair, .line = l->id, .actor = actor, .at = now};
        if ((rc = pl_move_add(c, &m, NULL)) != 0)
            return rc;
        if ((rc = pl_fill_backorders(c, l->part, at, actor, now)) != 0)
            return rc;
    }
    int64_t e = db_exec(c, "UPDATE part_request_lines SET status = 'cancelled', cancelled_at = ?,"
                           " version = version + 1 WHERE id = ?",
                        "ii", now, l->id);
    return e < 0 ? (int)e : 0;
}

static int act_tx(db_conn *c, void *arg)
{
    struct act *a = arg;
    int k = line_find(c, a->code, scope_outlet(a->r), &a->id);
    if (k != 0)
        return k < 0 ? k : LA_NOT_FOUND;
    struct line l;
    if ((k = line_load(c, a->id, &l)) != 0)
        return k < 0 ? k : LA_NOT_FOUND;
    int64_t now = now_unix(), own = 0;
    const char *actor = audit_actor(a->r);
    switch (a->what) {
    case LA_SHIP:
        if (l.status != PLS_RESERVED && l.status != PLS_ORDERED)
            return a->why = "only a reserved or ordered line is shipped", LA_CONFLICT;
        if (l.transfer)
            return a->why = "the line was shipped already", LA_CONFLICT;
        k = line_ship_tx(c, &l, actor, now, &own);
        if (k == 0 && l.wh == own)
            return a->why = "the part is in the outlet's own stock: nothing to ship", LA_CONFLICT;
        break;
    case LA_RECEIVE:
        k = pr_line_receive(c, a->id, actor, now);
        if (k == PL_SHORT)
            return a->why = l.status == PLS_BACKORDERED
                                ? "the line is backordered: nothing is on its way yet"
                                : "only a reserved or ordered line is received",
                   LA_CONFLICT;
        break;
    case LA_ISSUE:
        k = act_issue(c, a, &l, now);
        break;
    case LA_CANCEL:
        k = act_cancel(c, a, &l, now);
        break;
    }
    if (k == PL_SHORT)
        return a->why = "the stock for this line is not there", LA_CONFLICT;
    if (k != 0)
        return k;
    return audit_write(c, actor, action_names[a->what], "part_request_line", a->code, NULL) < 0
               ? DB_ERROR
               : 0;
}

static int line_act(req *r, enum line_action what)
{
    json_t *body = NULL;
    struct act a = {.r = r, .what = what, .code = code_upper(r->a, req_param(r, "code"))};
    if (what == LA_ISSUE && req_json(r, &body) < 0)
        return 0;
    jsonv v;
    jsonv_init(&v, body); /* once: a second init would leak the first's errors object */
    if (what == LA_ISSUE) {
        /* the body is optional: {"serial", "faulty_serial"} of the fitted and the faulty part */
        static const char *const allowed[] = {"serial", "faulty_serial", NULL};
        if (!json_is_object(body))
            jsonv_fail(&v, "body", "must be an object");
        else
            jsonv_only(&v, allowed);
        a.fitted = jsonv_str(&v, "serial", 0, 64);
        a.faulty = jsonv_str(&v, "faulty_serial", 0, 64);
    }
    int rc;
    if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed", "the issue is not valid", jsonv_take(&v));
    } else if ((rc = in_tx(req_db(r), act_tx, &a)) == LA_NOT_FOUND) {
        rc = reply_not_found(r, "part request line");
    } else if (rc == LA_CONFLICT) {
        rc = reply_error(r, 409, "conflict", a.why, NULL);
    } else if (rc != 0) {
        rc = reply_db_failure(r, rc, "part request line");
    } else {
        json_t *j = NULL;
        rc = pr_line_json(req_db(r), a.id, 1, &j);
        rc = rc == 0 ? reply_json(r, 200, j) : reply_db_failure(r, rc < 0 ? rc : DB_ERROR, "load line");
    }
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

int line_ship(req *r)
{
    return line_act(r, LA_SHIP);
}
int line_receive(req *r)
{
    return line_act(r, LA_RECEIVE);
}
int line_issue(req *r)
{
    return line_act(r, LA_ISSUE);
}
int line_cancel(req *r)
{
    return line_act(r, LA_CANCEL);
}

/* ---------------------------------------------------------------- GET part-request-lines */

static const struct table_col line_cols[] = {
    {"code", NULL, TABLE_TEXT, 14, 0},          {"repair", NULL, TABLE_TEXT, 14, 0},
    {"part", NULL, TABLE_TEXT, 16, 0},          {"requested_part", NULL, TABLE_TEXT, 16, 0},
    {"qty", NULL, TABLE_INT, 6, 0},             {"status", NULL, TABLE_TEXT, 12, 0},
    {"warehouse", NULL, TABLE_TEXT, 12, 0},     {"promise_date", NULL, TABLE_TEXT, 12, 0},
    {"created_at", NULL, TABLE_TIME, 17, 0},    {"received_at", NULL, TABLE_TIME, 17, 0},
};

/* A line with its repair, as the lists show it. */
static int line_json_full(db_conn *c, int64_t id, json_t **out)
{
    return pr_line_json(c, id, 1, out);
}

/* Newest first, filtered by ?status=, ?late=true (reserved or ordered with a promise
 * date before today: the late parts) and ?to_ship=true (reserved or ordered in a
 * warehouse that is no outlet's, not shipped yet: the warehouse desk's work). Outlet
 * staff see their own outlet's lines. */
static int lines_page(req *r, const struct page *p, json_t *items, const char **next)
{
    const char *status = req_query(r, "status"), *late = req_query(r, "late");
    if (status && !*status)
        status = NULL;
    if (status && part_line_status_parse(status) < 0)
        return reply_bad_param(r, "status", "one of reserved, ordered, backordered, received,"
                                            " issued, cancelled"),
               LIST_ANSWERED;
    if (late && *late && strcmp(late, "true") && strcmp(late, "false"))
        return reply_bad_param(r, "late", "true or false"), LIST_ANSWERED;
    int is_late = late && strcmp(late, "true") == 0;
    const char *ship = req_query(r, "to_ship");
    if (ship && *ship && strcmp(ship, "true") && strcmp(ship, "false"))
        return reply_bad_param(r, "to_ship", "true or false"), LIST_ANSWERED;
    int to_ship = ship && strcmp(ship, "true") == 0;
    db_conn *c = req_db(r);
    char today[11];
    dt_local_date(org_zone(c), now_unix(), today);
    int64_t scope = scope_outlet(r), before = p->nkeys ? page_key_int(p, 0) : INT64_MAX;
    db_stmt *st = db_prepare(
        c, "SELECT id FROM part_request_lines WHERE id < ?"
           " AND (CAST(? AS TEXT) IS NULL OR status = ?)"
           " AND (CAST(? AS BIGINT) = 0 OR (status IN ('reserved', 'ordered')"
           "      AND promise_date < ?))"
           " AND (CAST(? AS BIGINT) = 0 OR outlet_id = ?)"
           " AND (CAST(? AS BIGINT) = 0 OR (status IN ('reserved', 'ordered')"
           "      AND transfer_id IS NULL AND warehouse_id IN"
           "      (SELECT id FROM warehouses WHERE kind <> 'outlet')))"
           " ORDER BY id DESC LIMIT ?");
    if (!st)
        return -1;
    db_bind_int(st, 1, before);
    db_bind_text(st, 2, status);
    db_bind_text(st, 3, status);
    db_bind_int(st, 4, is_late);
    db_bind_text(st, 5, today);
    db_bind_int(st, 6, scope);
    db_bind_int(st, 7, scope);
    db_bind_int(st, 8, to_ship);
    db_bind_int(st, 9, p->limit + 1);
    return list_ids_page(r, p, st, line_json_full, items, next);
}

int lines_list(req *r)
{
    static const struct list_spec spec = {
        .name = "part-request-lines", .cols = line_cols,
        .ncols = (int)(sizeof line_cols / sizeof *line_cols), .def_limit = 100,
        .max_limit = 1000, .nkeys = 1, .page = lines_page,
    };
    return list_reply(r, &spec);
}
