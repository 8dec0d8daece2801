/* parts: defective returns: the faulty part expected back for each part issued on a
 * warranty repair, listed (overdue ones too) and received by warehouse staff. */
#include <string.h>

#include "base/audit.h"
#include "base/jsonv.h"
#include "features/common/common.h"
#include "features/parts/internal.h"

#define RETURN_COLS                                                                            \
    "pr.id, q.code, l.line_no, r.code, o.code, p.number, pr.qty, pr.faulty_serial,"           \
    " pr.due_date, pr.status, w.code, pr.received_at"
#define RETURN_FROM                                                                            \
    " FROM part_returns pr JOIN part_request_lines l ON l.id = pr.line_id"                     \
    " JOIN part_requests q ON q.id = l.request_id JOIN repairs r ON r.id = pr.repair_id"       \
    " JOIN parts p ON p.id = pr.part_id LEFT JOIN outlets o ON o.id = pr.outlet_id"            \
    " LEFT JOIN warehouses w ON w.id = pr.warehouse_id"

static json_t *return_json(db_stmt *st, const char *today)
{
    char line[48];
    snprintf(line, sizeof line, "%s-%lld", db_text(st, 1), (long long)db_int(st, 2));
    json_t *j = json_pack("{s:s, s:s, s:s?, s:s, s:I, s:s, s:s}", "line", line, "repair",
                          db_text(st, 3), "outlet", db_text(st, 4), "part", db_text(st, 5),
                          "qty", (json_int_t)db_int(st, 6), "due_date", db_text(st, 8),
                          "status", db_text(st, 9));
    json_object_set_new(j, "faulty_serial",
                        db_isnull(st, 7) ? json_null() : json_string(db_text(st, 7)));
    json_object_set_new(j, "overdue", json_boolean(strcmp(db_text(st, 9), "expected") == 0 &&
                                                   strcmp(db_text(st, 8), today) < 0));
    json_object_set_new(j, "warehouse",
                        db_isnull(st, 10) ? json_null() : json_string(db_text(st, 10)));
    json_object_set_new(j, "received_at", dt_json(db_isnull(st, 11) ? DT_NONE : db_int(st, 11)));
    return j;
}

static const struct table_col return_cols[] = {
    {"line", NULL, TABLE_TEXT, 14, 0},     {"repair", NULL, TABLE_TEXT, 14, 0},
    {"outlet", NULL, TABLE_TEXT, 10, 0},   {"part", NULL, TABLE_TEXT, 16, 0},
    {"qty", NULL, TABLE_INT, 6, 0},        {"faulty_serial", NULL, TABLE_TEXT, 16, 0},
    {"due_date", NULL, TABLE_TEXT, 12, 0}, {"status", NULL, TABLE_TEXT, 10, 0},
    {"overdue", NULL, TABLE_TEXT, 8, 0},   {"warehouse", NULL, TABLE_TEXT, 12, 0},
};

/* Oldest due first, filtered by ?status= and ?overdue=true (expected, due before
 * today). Outlet staff see their own outlet's (what they are to send back). */
static int returns_page(req *r, const struct page *p, json_t *items, const char **next)
{
    const char *status = req_query(r, "status"), *overdue = req_query(r, "overdue");
    if (status && !*status)
        status = NULL;
    if (status && strcmp(status, "expected") && strcmp(status, "received"))
        return reply_bad_param(r, "status", "one of expected, received"), LIST_ANSWERED;
    if (overdue && *overdue && strcmp(overdue, "true") && strcmp(overdue, "false"))
        return reply_bad_param(r, "overdue", "true or false"), LIST_ANSWERED;
    int late = overdue && strcmp(overdue, "true") == 0;
    db_conn *c = req_db(r);
    char today[11];
    dt_local_date(org_zone(c), now_unix(), today);
    const char *after_due = p->nkeys ? p->key[0] : NULL;
    int64_t after_id = p->nkeys ? page_key_int(p, 1) : 0, scope = scope_outlet(r);
    db_stmt *st = db_prepare(
        c, "SELECT " RETURN_COLS RETURN_FROM
           " WHERE (CAST(? AS TEXT) IS NULL OR pr.due_date > ? OR (pr.due_date = ? AND pr.id > ?))"
           " AND (CAST(? AS TEXT) IS NULL OR pr.status = ?)"
           " AND (CAST(? AS BIGINT) = 0 OR (pr.status = 'expected' AND pr.due_date < ?))"
           " AND (CAST(? AS BIGINT) = 0 OR pr.outlet_id = ?)"
           " ORDER BY pr.due_date, pr.id LIMIT ?");
    if (!st)
        return -1;
    db_bind_text(st, 1, after_due);
    db_bind_text(st, 2, after_due);
    db_bind_text(st, 3, after_due);
    db_bind_int(st, 4, after_id);
    db_bind_text(st, 5, status);
    db_bind_text(st, 6, status);
    db_bind_int(st, 7, late);
    db_bind_text(st, 8, today);
    db_bind_int(st, 9, scope);
    db_bind_int(st, 10, scope);
    db_bind_int(st, 11, p->limit + 1);
    int rc;
    long n = 0;
    const char *keys[2] = {NULL, NULL};
    while ((rc = db_step(st)) == DB_ROW) {
        if (n == p->limit) {
            *next = page_cursor(r->a, 2, keys);
            break;
        }
        json_array_append_new(items, return_json(st, today));
        keys[0] = arena_strdup(r->a, db_text(st, 8));
        keys[1] = arena_printf(r->a, "%lld", (long long)db_int(st, 0));
        n++;
    }
    db_done(st);
    return rc < 0 ? -1 : 0;
}

int returns_list(req *r)
{
    static const struct list_spec spec = {
        .name = "part-returns", .cols = return_cols,
        .ncols = (int)(sizeof return_cols / sizeof *return_cols), .def_limit = 100,
        .max_limit = 1000, .nkeys = 2, .page = returns_page,
    };
    return list_reply(r, &spec);
}

struct ret_recv {
    req *r;
    const char *line, *wh;
    int64_t id;
    const char *field, *why;
};
enum { RR_NOT_FOUND = 1, RR_BAD, RR_DONE };

static int ret_recv_tx(db_conn *c, void *arg)
{
    struct ret_recv *x = arg;
    const char *dash = strrchr(x->line, '-');
    if (!dash || dash == x->line)
        return RR_NOT_FOUND;
    char req_code[48];
    snprintf(req_code, sizeof req_code, "%.*s", (int)(dash - x->line), x->line);
    db_stmt *st = db_prepare(c, "SELECT pr.id, pr.status, pr.part_id, pr.qty, pr.repair_id,"
                                " pr.faulty_serial, l.id, pr.outlet_id FROM part_returns pr"
                                " JOIN part_request_lines l ON l.id = pr.line_id"
                                " JOIN part_requests q ON q.id = l.request_id"
                                " WHERE q.code = ? AND CAST(l.line_no AS TEXT) = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, req_code);
    db_bind_text(st, 2, dash + 1);
    int rc = db_step(st);
    int expected = 0;
    int64_t part = 0, qty = 0, repair = 0, line = 0, outlet = 0;
    char serial[72] = "";
    if (rc == DB_ROW) {
        x->id = db_int(st, 0);
        expected = strcmp(db_text(st, 1), "expected") == 0;
        part = db_int(st, 2), qty = db_int(st, 3), repair = db_int(st, 4);
        if (!db_isnull(st, 5))
            snprintf(serial, sizeof serial, "%s", db_text(st, 5));
        line = db_int(st, 6);
        outlet = db_isnull(st, 7) ? 0 : db_int(st, 7);
    }
    db_done(st);
    if (rc != DB_ROW)
        return rc == DB_DONE ? RR_NOT_FOUND : rc;
    if (!expected)
        return RR_DONE;
    struct pt_wh w;
    int k = pt_wh_find(c, code_upper(x->r->a, x->wh), &w);
    if (k < 0)
        return k;
    if (k == 1)
        return x->field = "warehouse", x->why = "unknown warehouse", RR_BAD;
    int64_t now = now_unix(), from = 0;
    struct pt_wh own;
    if (outlet && (k = pt_outlet_wh(c, outlet, now, &own)) == 0)
        from = own.id;
    else if (k < 0)
        return k;
    const char *actor = audit_actor(x->r);
    if ((k = pl_add_defective(c, part, w.id, qty, now)) != 0)
        return k;
    struct pl_move m = {.kind = "defective_return", .part = part, .qty = qty, .from = from,
                        .to = w.id, .repair = repair, .line = line,
                        .serial = *serial ? serial : NULL, .actor = actor, .at = now};
    if ((k = pl_move_add(c, &m, NULL)) != 0)
        return k;
    int64_t e = db_exec(c, "UPDATE part_returns SET status = 'received', received_at = ?,"
                           " received_by = ?, warehouse_id = ? WHERE id = ? AND status = 'expected'",
                        "itii", now, actor, w.id, x->id);
    if (e < 0)
        return (int)e;
    if (e == 0)
        return RR_DONE;
    return audit_write(c, actor, "receive", "part_return", x->line, NULL) < 0 ? DB_ERROR : 0;
}

/* POST /api/v1/part-returns/:line/receive {"warehouse"} */
int returns_receive(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv v;
    jsonv_init(&v, body);
    static const char *const allowed[] = {"warehouse", NULL};
    struct ret_recv x = {.r = r, .line = code_upper(r->a, req_param(r, "line"))};
    if (!json_is_object(body))
        jsonv_fail(&v, "body", "must be an object");
    else
        jsonv_only(&v, allowed);
    x.wh = jsonv_str(&v, "warehouse", 1, 32);
    int rc;
    if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed", "the return is not valid", jsonv_take(&v));
    } else if ((rc = in_tx(req_db(r), ret_recv_tx, &x)) == RR_NOT_FOUND) {
        rc = reply_not_found(r, "part return");
    } else if (rc == RR_BAD) {
        rc = reply_error(r, 422, "validation_failed", x.why, json_pack("{s:s}", x.field, x.why));
    } else if (rc == RR_DONE) {
        rc = reply_error(r, 409, "conflict", "the return was received already", NULL);
    } else if (rc != 0) {
        rc = reply_db_failure(r, rc, "receive return");
    } else {
        db_conn *c = req_db(r);
        char today[11];
        dt_local_date(org_zone(c), now_unix(), today);
        db_stmt *st = db_prepare(c, "SELECT " RETURN_COLS RETURN_FROM " WHERE pr.id = ?");
        json_t *j = NULL;
        if (st) {
            db_bind_int(st, 1, x.id);
            if (db_step(st) == DB_ROW)
                j = return_json(st, today);
            db_done(st);
        }
        rc = j ? reply_json(r, 200, j) : -1;
    }
    jsonv_free(&v);
    json_decref(body);
    return rc;
}
