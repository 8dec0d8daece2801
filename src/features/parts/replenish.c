/* parts: replenishment: reorder points and quantities per (part, warehouse), and the
 * suggested transfers (from the central parts center) or purchases for the balances
 * whose position, available plus in transit plus on order (open purchase orders), fell
 * to the point. Warehouse staff confirm a transfer by making the move (POST
 * /api/v1/stock-moves) and a purchase by ordering it (POST /api/v1/purchase-orders). */
#include <string.h>

#include "base/audit.h"
#include "base/jsonv.h"
#include "features/common/common.h"
#include "features/parts/internal.h"

/* ---------------------------------------------------------------- POST reorder-points */

struct rp_write {
    req *r;
    const char *part_s, *wh_s;
    long long point, qty;
    int64_t part, wh;
    const char *field, *why;
};
enum { RP_BAD = 1 };

static int rp_tx(db_conn *c, void *arg)
{
    struct rp_write *w = arg;
    struct pt_part p;
    int k = pt_part_find(c, code_upper(w->r->a, w->part_s), &p);
    if (k < 0)
        return k;
    if (k == 1)
        return w->field = "part", w->why = "unknown part", RP_BAD;
    struct pt_wh wh;
    if ((k = pt_wh_find(c, code_upper(w->r->a, w->wh_s), &wh)) < 0)
        return k;
    if (k == 1)
        return w->field = "warehouse", w->why = "unknown warehouse", RP_BAD;
    w->part = p.id, w->wh = wh.id;
    int64_t e = db_exec(c,
                        "INSERT INTO stock (part_id, warehouse_id, reorder_point, reorder_qty,"
                        " updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (part_id, warehouse_id)"
                        " DO UPDATE SET reorder_point = excluded.reorder_point,"
                        " reorder_qty = excluded.reorder_qty, updated_at = excluded.updated_at",
                        "iiiii", p.id, wh.id, (int64_t)w->point, (int64_t)w->qty, now_unix());
    if (e < 0)
        return (int)e;
    json_t *detail = json_pack("{s:s, s:s, s:I, s:I}", "part", w->part_s, "warehouse", w->wh_s,
                               "reorder_point", (json_int_t)w->point, "reorder_qty",
                               (json_int_t)w->qty);
    k = audit_write(c, audit_actor(w->r), "reorder_point", "stock", w->part_s, detail);
    json_decref(detail);
    return k < 0 ? k : 0;
}

/* POST /api/v1/reorder-points {"part","warehouse","reorder_point","reorder_qty"} */
int reorder_set(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv v;
    jsonv_init(&v, body);
    static const char *const allowed[] = {"part", "warehouse", "reorder_point", "reorder_qty",
                                          NULL};
    struct rp_write w = {.r = r};
    if (!json_is_object(body)) {
        jsonv_fail(&v, "body", "must be an object");
    } else {
        jsonv_only(&v, allowed);
        w.part_s = jsonv_str(&v, "part", 1, 40);
        w.wh_s = jsonv_str(&v, "warehouse", 1, 32);
        jsonv_int_range(&v, "reorder_point", 1, 0, PART_QTY_MAX, &w.point);
        jsonv_int_range(&v, "reorder_qty", 1, 1, PART_QTY_MAX, &w.qty);
    }
    int rc;
    if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed", "the reorder point is not valid",
                         jsonv_take(&v));
    } else if ((rc = in_tx(req_db(r), rp_tx, &w)) == RP_BAD) {
        rc = reply_error(r, 422, "validation_failed", w.why, json_pack("{s:s}", w.field, w.why));
    } else if (rc != 0) {
        rc = reply_db_failure(r, rc, "reorder point");
    } else {
        rc = reply_json(r, 200, json_pack("{s:s, s:s, s:I, s:I}", "part", code_upper(r->a, w.part_s),
                                          "warehouse", code_upper(r->a, w.wh_s), "reorder_point",
                                          (json_int_t)w.point, "reorder_qty", (json_int_t)w.qty));
    }
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

/* ---------------------------------------------------------------- GET replenishment */

static const struct table_col repl_cols[] = {
    {"warehouse", NULL, TABLE_TEXT, 14, 0},        {"part", NULL, TABLE_TEXT, 16, 0},
    {"available", NULL, TABLE_INT, 10, 0},         {"in_transit", NULL, TABLE_INT, 10, 0},
    {"on_order", NULL, TABLE_INT, 10, 0},
    {"reorder_point", NULL, TABLE_INT, 10, 0},     {"reorder_qty", NULL, TABLE_INT, 10, 0},
    {"suggest", "suggestion.kind", TABLE_TEXT, 10, 0},
    {"from", "suggestion.from", TABLE_TEXT, 12, 0}, {"qty", "suggestion.qty", TABLE_INT, 8, 0},
};

/* Where a warehouse other than a central one gets qty units of part: the central
 * warehouse with the most available beyond its own reorder point, or NULL (purchase). */
static int central_source(db_conn *c, arena *a, int64_t part, int64_t qty, const char **from)
{
    db_stmt *st = db_prepare(c, "SELECT w.code FROM stock s JOIN warehouses w ON w.id = s.warehouse_id"
                                " WHERE s.part_id = ? AND w.kind = 'central' AND w.active = 1"
                                " AND s.on_hand - s.reserved - COALESCE(s.reorder_point, 0) >= ?"
                                " ORDER BY s.on_hand - s.reserved DESC, w.id LIMIT 1");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, part);
    db_bind_int(st, 2, qty);
    int rc = db_step(st);
    *from = rc == DB_ROW ? arena_strdup(a, db_text(st, 0)) : NULL;
    db_done(st);
    return rc < 0 ? rc : 0;
}

/* The balances whose position (available + in transit + on order) is at or below their
 * reorder point, in (part, warehouse) order, filtered by ?warehouse=; outlet staff see
 * their own outlet's. */
static int repl_page(req *r, const struct page *p, json_t *items, const char **next)
{
    db_conn *c = req_db(r);
    const char *wc = req_query(r, "warehouse");
    int64_t wh = 0, scope = scope_outlet(r);
    if (wc && *wc) {
        struct pt_wh w;
        int k = pt_wh_find_scoped(c, code_upper(r->a, wc), scope, &w);
        if (k < 0)
            return -1;
        if (k == 1)
            return reply_bad_param(r, "warehouse", "unknown warehouse"), LIST_ANSWERED;
        wh = w.id;
    }
    int64_t ap = p->nkeys ? page_key_int(p, 0) : -1, aw = p->nkeys ? page_key_int(p, 1) : -1;
    db_stmt *st = db_prepare(
        c, "SELECT s.part_id, s.warehouse_id, w.code, pa.number,"
           " CASE WHEN s.on_hand > s.reserved THEN s.on_hand - s.reserved ELSE 0 END,"
           " s.in_transit, s.reorder_point, s.reorder_qty, w.kind, s.on_order"
           " FROM stock s JOIN warehouses w ON w.id = s.warehouse_id JOIN parts pa ON pa.id = s.part_id"
           " WHERE s.reorder_point IS NOT NULL AND s.reorder_qty IS NOT NULL"
           " AND CASE WHEN s.on_hand > s.reserved THEN s.on_hand - s.reserved ELSE 0 END"
           "     + s.in_transit + s.on_order <= s.reorder_point"
           " AND (s.part_id > ? OR (s.part_id = ? AND s.warehouse_id > ?))"
           " AND (CAST(? AS BIGINT) = 0 OR s.warehouse_id = ?)"
           " AND (CAST(? AS BIGINT) = 0 OR w.outlet_id = ?)"
           " ORDER BY s.part_id, s.warehouse_id LIMIT ?");
    if (!st)
        return -1;
    db_bind_int(st, 1, ap);
    db_bind_int(st, 2, ap);
    db_bind_int(st, 3, aw);
    db_bind_int(st, 4, wh);
    db_bind_int(st, 5, wh);
    db_bind_int(st, 6, scope);
    db_bind_int(st, 7, scope);
    db_bind_int(st, 8, p->limit + 1);
    json_t *rows = json_array();
    int rc;
    long n = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        if (n == p->limit) {
            json_t *last = json_array_get(rows, json_array_size(rows) - 1);
            const char *keys[2] = {
                arena_printf(r->a, "%lld", (long long)json_integer_value(json_array_get(last, 0))),
                arena_printf(r->a, "%lld", (long long)json_integer_value(json_array_get(last, 1)))};
            *next = page_cursor(r->a, 2, keys);
            break;
        }
        json_array_append_new(rows, json_pack("[I, I, s, s, I, I, I, I, s, I]", (json_int_t)db_int(st, 0),
                                              (json_int_t)db_int(st, 1), db_text(st, 2),
                                              db_text(st, 3), (json_int_t)db_int(st, 4),
                                              (json_int_t)db_int(st, 5), (json_int_t)db_int(st, 6),
                                              (json_int_t)db_int(st, 7), db_text(st, 8),
                                              (json_int_t)db_int(st, 9)));
        n++;
    }
    db_done(st);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        if (rc < 0)
            break;
        int64_t part = json_integer_value(json_array_get(row, 0));
        int64_t avail = json_integer_value(json_array_get(row, 4));
        int64_t transit = json_integer_value(json_array_get(row, 5));
        int64_t point = json_integer_value(json_array_get(row, 6));
        int64_t lot = json_integer_value(json_array_get(row, 7));
        int64_t ordered = json_integer_value(json_array_get(row, 9));
        int64_t qty = part_reorder_qty(avail, transit + ordered, point, lot);
        const char *from = NULL;
        if (strcmp(json_string_value(json_array_get(row, 8)), "central") != 0 &&
            (rc = central_source(c, r->a, part, qty, &from)) < 0)
            break;
        json_array_append_new(
            items, json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:{s:s, s:s?, s:I}}",
                             "warehouse", json_string_value(json_array_get(row, 2)), "part",
                             json_string_value(json_array_get(row, 3)), "available",
                             (json_int_t)avail, "in_transit", (json_int_t)transit, "on_order",
                             (json_int_t)ordered,
                             "reorder_point", (json_int_t)point, "reorder_qty", (json_int_t)lot,
                             "suggestion", "kind", from ? "transfer" : "purchase", "from", from,
                             "qty", (json_int_t)qty));
    }
    json_decref(rows);
    return rc < 0 ? -1 : 0;
}

int replenishment_list(req *r)
{
    static const struct list_spec spec = {
        .name = "replenishment", .cols = repl_cols,
        .ncols = (int)(sizeof repl_cols / sizeof *repl_cols), .def_limit = 100,
        .max_limit = 1000, .nkeys = 2, .page = repl_page,
    };
    return list_reply(r, &spec);
}
