/* parts: stock over HTTP: balances (GET /api/v1/stock), moves (POST with an optional
 * idempotency key, and the list), transfers (the list and their receipt). */
#include <string.h>

#include "base/audit.h"
#include "base/jsonv.h"
#include "features/common/common.h"
#include "features/parts/internal.h"
#include "features/repairs/repairs.h"
#include "rules/prices.h"

/* ---------------------------------------------------------------- balances */

static const struct table_col stock_cols[] = {
    {"warehouse", NULL, TABLE_TEXT, 14, 0}, {"part", NULL, TABLE_TEXT, 16, 0},
    {"on_hand", NULL, TABLE_INT, 10, 0},    {"reserved", NULL, TABLE_INT, 10, 0},
    {"available", NULL, TABLE_INT, 10, 0},  {"in_transit", NULL, TABLE_INT, 10, 0},
    {"on_order", NULL, TABLE_INT, 10, 0},   {"reorder_point", NULL, TABLE_INT, 10, 0},
    {"reorder_qty", NULL, TABLE_INT, 10, 0},
};

/* The ?part= and ?warehouse= filters as ids (0: none); answers 422 itself for an
 * unknown one (another outlet's warehouse is unknown to outlet staff). 0, LIST_ANSWERED
 * or -1. */
static int stock_filters(req *r, int64_t *part, int64_t *wh)
{
    db_conn *c = req_db(r);
    const char *pn = req_query(r, "part"), *wc = req_query(r, "warehouse");
    *part = *wh = 0;
    if (pn && *pn) {
        struct pt_part p;
        int k = pt_part_find(c, code_upper(r->a, pn), &p);
        if (k < 0)
            return -1;
        if (k == 1)
            return reply_bad_param(r, "part", "unknown part"), LIST_ANSWERED;
        *part = p.id;
    }
    if (wc && *wc) {
        struct pt_wh w;
        int k = pt_wh_find_scoped(c, code_upper(r->a, wc), scope_outlet(r), &w);
        if (k < 0)
            return -1;
        if (k == 1)
            return reply_bad_param(r, "warehouse", "unknown warehouse"), LIST_ANSWERED;
        *wh = w.id;
    }
    return 0;
}

/* The desk's filters besides part and warehouse: ?kind= (of the warehouse), ?region= (a
 * GB/T 2260 code: the warehouses in it) and ?below=true (position, available plus in
 * transit plus on order, at or below the reorder point). 0 or LIST_ANSWERED. */
struct stock_more {
    const char *kind, *prefix;
    int plen, below;
};
static int stock_more_filters(req *r, struct stock_more *f)
{
    const char *kind = req_query(r, "kind"), *region = req_query(r, "region"),
               *below = req_query(r, "below");
    *f = (struct stock_more){0};
    if (kind && *kind) {
        if (part_wh_kind_parse(kind) < 0)
            return reply_bad_param(r, "kind", "one of central, branch, outlet, third_party,"
                                              " overseas"),
                   LIST_ANSWERED;
        f->kind = kind;
    }
    if (region && *region) {
        if (!price_region_ok(region))
            return reply_bad_param(r, "region", "a six-digit GB/T 2260 code or 000000"),
                   LIST_ANSWERED;
        f->plen = price_region_prefix(region);
        f->prefix = arena_printf(r->a, "%.*s", f->plen, region);
    }
    if (below && *below && strcmp(below, "true") && strcmp(below, "false"))
        return reply_bad_param(r, "below", "true or false"), LIST_ANSWERED;
    f->below = below && strcmp(below, "true") == 0;
    return 0;
}

static json_t *opt_int(db_stmt *st, int col)
{
    return db_isnull(st, col) ? json_null() : json_integer(db_int(st, col));
}

/* One page of balances in (part, warehouse) order. Outlet staff see their own outlet's
 * warehouse only. */
static int stock_page(req *r, const struct page *p, json_t *items, const char **next)
{
    int64_t part, wh;
    int k = stock_filters(r, &part, &wh);
    if (k != 0)
        return k;
    struct stock_more f;
    if ((k = stock_more_filters(r, &f)) != 0)
        return k;
    int64_t scope = scope_outlet(r);
    int64_t ap = p->nkeys ? page_key_int(p, 0) : -1, aw = p->nkeys ? page_key_int(p, 1) : -1;
    db_stmt *st = db_prepare(
        req_db(r), "SELECT s.part_id, s.warehouse_id, w.code, pa.number, s.on_hand, s.reserved,"
                   " s.in_transit, s.on_order, s.reorder_point, s.reorder_qty"
                   " FROM stock s JOIN warehouses w ON w.id = s.warehouse_id"
                   " JOIN parts pa ON pa.id = s.part_id"
                   " WHERE (s.part_id > ? OR (s.part_id = ? AND s.warehouse_id > ?))"
                   " AND (CAST(? AS BIGINT) = 0 OR s.part_id = ?)"
                   " AND (CAST(? AS BIGINT) = 0 OR s.warehouse_id = ?)"
                   " AND (CAST(? AS BIGINT) = 0 OR w.outlet_id = ?)"
                   " AND (CAST(? AS TEXT) IS NULL OR w.kind = ?)"
                   " AND (CAST(? AS BIGINT) = 0 OR substr(w.region, 1, CAST(? AS INTEGER)) = ?)"
                   " AND (CAST(? AS BIGINT) = 0 OR (s.reorder_point IS NOT NULL"
                   "      AND s.on_hand - s.reserved + s.in_transit + s.on_order"
                   "          <= s.reorder_point))"
                   " ORDER BY s.part_id, s.warehouse_id LIMIT ?");
    if (!st)
        return -1;
    db_bind_int(st, 1, ap);
    db_bind_int(st, 2, ap);
    db_bind_int(st, 3, aw);
    db_bind_int(st, 4, part);
    db_bind_int(st, 5, part);
    db_bind_int(st, 6, wh);
    db_bind_int(st, 7, wh);
    db_bind_int(st, 8, scope);
    db_bind_int(st, 9, scope);
    db_bind_text(st, 10, f.kind);
    db_bind_text(st, 11, f.kind);
    db_bind_int(st, 12, f.prefix ? 1 : 0);
    db_bind_int(st, 13, f.plen);
    db_bind_text(st, 14, f.prefix ? f.prefix : "");
    db_bind_int(st, 15, f.below);
    db_bind_int(st, 16, p->limit + 1);
    int rc;
    long n = 0;
    int64_t lp = 0, lw = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        if (n == p->limit) {
            const char *keys[2] = {arena_printf(r->a, "%lld", (long long)lp),
                                   arena_printf(r->a, "%lld", (long long)lw)};
            *next = page_cursor(r->a, 2, keys);
            break;
        }
        int64_t oh = db_int(st, 4), res = db_int(st, 5);
        struct part_balance b = {oh, res, 0};
        json_array_append_new(
            items, json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:o, s:o}", "warehouse",
                             db_text(st, 2), "part", db_text(st, 3), "on_hand", (json_int_t)oh,
                             "reserved", (json_int_t)res, "available",
                             (json_int_t)part_available(&b), "in_transit",
                             (json_int_t)db_int(st, 6), "on_order", (json_int_t)db_int(st, 7),
                             "reorder_point", opt_int(st, 8), "reorder_qty", opt_int(st, 9)));
        lp = db_int(st, 0), lw = db_int(st, 1);
        n++;
    }
    db_done(st);
    return rc < 0 ? -1 : 0;
}

int stock_list(req *r)
{
    static const struct list_spec spec = {
        .name = "stock", .cols = stock_cols, .ncols = (int)(sizeof stock_cols / sizeof *stock_cols),
        .def_limit = 100, .max_limit = 1000, .nkeys = 2, .page = stock_page,
    };
    return list_reply(r, &spec);
}

/* ---------------------------------------------------------------- POST /stock-moves */

enum mv_kind { MK_RECEIPT, MK_TRANSFER, MK_ADJUSTMENT, MK_ISSUE, MK_RETURN };
static const char *const mv_kinds[] = {"receipt", "transfer", "adjustment", "issue",
                                       "defective_return", NULL};
static const char *const mv_ledger_kind[] = {"receipt", "transfer_ship", "adjustment", "issue",
                                             "defective_return"};

struct mv {
    req *r;
    int kind;
    const char *part_s, *from_s, *to_s, *reason, *repair_s, *serial, *key;
    long long qty;
    int64_t scope;
    /* resolved in the transaction */
    int64_t part, from, to, repair, move_id;
    const char *field, *why; /* a 422 */
    int replay;
};
enum { MV_BAD = 1, MV_SHORT, MV_KEY_CLASH };

/* Resolve a warehouse code for the move: 0, MV_BAD (w->field set), or a db code. Outlet
 * staff see no other outlet's warehouse; `own` asks for their own outlet's one. */
static int mv_wh(db_conn *c, struct mv *m, const char *field, const char *code, int own,
                 int64_t *id)
{
    struct pt_wh w;
    int k = pt_wh_find_scoped(c, code_upper(m->r->a, code), m->scope, &w);
    if (k < 0)
        return k;
    if (k == 1)
        return m->field = field, m->why = "unknown warehouse", MV_BAD;
    if (own && m->scope && w.outlet_id != m->scope)
        return m->field = field, m->why = "outlet staff move only their own outlet's stock", MV_BAD;
    *id = w.id;
    return 0;
}

/* The move named by the key: the first result answered again. 0 with m->move_id, 1
 * when the key is new, MV_KEY_CLASH when it was used for another move, or a db code. */
static int mv_replay(db_conn *c, struct mv *m)
{
    db_stmt *st = db_prepare(c, "SELECT id, kind, part_id, qty FROM stock_moves"
                                " WHERE idempotency_key = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, m->key);
    int rc = db_step(st);
    int same = 0;
    if (rc == DB_ROW) {
        m->move_id = db_int(st, 0);
        same = strcmp(db_text(st, 1), mv_ledger_kind[m->kind]) == 0 &&
               db_int(st, 2) == m->part && db_int(st, 3) == m->qty;
    }
    db_done(st);
    if (rc != DB_ROW)
        return rc == DB_DONE ? 1 : rc;
    return same ? 0 : MV_KEY_CLASH;
}

/* The balance changes and the move row. 0, MV_SHORT or a db code. */
static int mv_apply(db_conn *c, struct mv *m, int64_t now)
{
    const char *actor = audit_actor(m->r);
    struct pl_move row = {.kind = mv_ledger_kind[m->kind], .part = m->part, .qty = m->qty,
                          .from = m->from, .to = m->to, .repair = m->repair,
                          .reason = m->reason, .serial = m->serial, .key = m->key,
                          .actor = actor, .at = now};
    int rc = 0;
    switch (m->kind) {
    case MK_RECEIPT:
        rc = pl_apply(c, m->part, m->to, PD_RECEIVE, m->qty, now);
        break;
    case MK_TRANSFER: {
        int64_t tid = 0;
        rc = pl_ship(c, m->part, m->from, m->to, m->qty, 0, 0, actor, m->key, now, &tid, &m->move_id);
        return rc == PL_SHORT ? MV_SHORT : rc;
    }
    case MK_ADJUSTMENT:
        rc = m->from ? pl_apply(c, m->part, m->from, PD_TAKE, m->qty, now)
                     : pl_apply(c, m->part, m->to, PD_RECEIVE, m->qty, now);
        break;
    case MK_ISSUE:
        rc = pl_apply(c, m->part, m->from, PD_TAKE, m->qty, now);
        break;
    case MK_RETURN:
        rc = pl_add_defective(c, m->part, m->to, m->qty, now);
        break;
    }
    if (rc == PL_SHORT)
        return MV_SHORT;
    if (rc != 0)
        return rc;
    if ((rc = pl_move_add(c, &row, &m->move_id)) != 0)
        return rc;
    if (m->kind == MK_RECEIPT || (m->kind == MK_ADJUSTMENT && m->to))
        rc = pl_fill_backorders(c, m->part, m->to, actor, now);
    return rc;
}

static int mv_tx(db_conn *c, void *arg)
{
    struct mv *m = arg;
    m->replay = 0;
    struct pt_part p;
    int k = pt_part_find(c, code_upper(m->r->a, m->part_s), &p);
    if (k < 0)
        return k;
    if (k == 1)
        return m->field = "part", m->why = "unknown part", MV_BAD;
    m->part = p.id;
    m->from = m->to = m->repair = 0;
    int own_to = m->kind == MK_RECEIPT || m->kind == MK_ADJUSTMENT;
    if (m->from_s && (k = mv_wh(c, m, "from", m->from_s, 1, &m->from)) != 0)
        return k;
    if (m->to_s && (k = mv_wh(c, m, "to", m->to_s, own_to, &m->to)) != 0)
        return k;
    if (m->from && m->from == m->to)
        return m->field = "to", m->why = "must differ from from", MV_BAD;
    if (m->repair_s) {
        struct repair_ref ref;
        if ((k = repairs_ref(c, m->repair_s, m->scope, &ref)) < 0)
            return k;
        if (k == 1)
            return m->field = "repair", m->why = "no such repair", MV_BAD;
        m->repair = ref.id;
    }
    if (m->key && (k = mv_replay(c, m)) != 1) {
        if (k == 0)
            m->replay = 1;
        return k; /* 0 (answer the first move; nothing changes), a clash or a db code */
    }
    k = mv_apply(c, m, now_unix());
    if (k != 0)
        return k;
    json_t *detail = json_pack("{s:s, s:s, s:I}", "kind", mv_kinds[m->kind], "part", m->part_s,
                               "qty", (json_int_t)m->qty);
    k = audit_write(c, audit_actor(m->r), "move", "stock", m->part_s, detail);
    json_decref(detail);
    return k < 0 ? k : 0;
}

const char *pt_idempotency_key(jsonv *v, req *r)
{
    const char *bkey = jsonv_str(v, "idempotency_key", 0, 100);
    const char *hkey = req_header(r, "Idempotency-Key");
    if (hkey && (!*hkey || strlen(hkey) > 100))
        jsonv_fail(v, "idempotency_key", "the Idempotency-Key header must be 1-100 bytes");
    if (hkey && bkey && strcmp(hkey, bkey) != 0)
        jsonv_fail(v, "idempotency_key", "differs from the Idempotency-Key header");
    return bkey ? bkey : hkey && *hkey ? hkey : NULL;
}

/* Read and check the body (the rules per kind) into m; errors go to v. */
static void mv_read(jsonv *v, struct mv *m)
{
    static const char *const allowed[] = {"kind", "part", "qty", "from", "to", "reason",
                                          "repair", "serial", "idempotency_key", NULL};
    jsonv_only(v, allowed);
    const char *kind = jsonv_enum(v, "kind", 1, mv_kinds);
    m->kind = -1;
    for (int i = 0; kind && mv_kinds[i]; i++)
        if (strcmp(kind, mv_kinds[i]) == 0)
            m->kind = i;
    m->part_s = jsonv_str(v, "part", 1, 40);
    jsonv_int_range(v, "qty", 1, 1, PART_QTY_MAX, &m->qty);
    m->from_s = jsonv_str(v, "from", 0, 32);
    m->to_s = jsonv_str(v, "to", 0, 32);
    m->reason = jsonv_str(v, "reason", 0, 500);
    m->repair_s = jsonv_str(v, "repair", 0, 40);
    m->serial = jsonv_str(v, "serial", 0, 64);
    m->key = pt_idempotency_key(v, m->r);
    if (m->from_s && !*m->from_s)
        m->from_s = NULL;
    if (m->to_s && !*m->to_s)
        m->to_s = NULL;
    switch (m->kind) {
    case MK_RECEIPT:
        if (!m->to_s)
            jsonv_fail(v, "to", "a receipt needs the warehouse it goes to");
        if (m->from_s)
            jsonv_fail(v, "from", "a receipt comes from outside: no from");
        break;
    case MK_TRANSFER:
        if (!m->from_s)
            jsonv_fail(v, "from", "a transfer needs the warehouse it leaves");
        if (!m->to_s)
            jsonv_fail(v, "to", "a transfer needs the warehouse it goes to");
        break;
    case MK_ADJUSTMENT:
        if (!m->reason || !*m->reason)
            jsonv_fail(v, "reason", "an adjustment needs a reason");
        if (!m->from_s == !m->to_s)
            jsonv_fail(v, m->from_s ? "to" : "from",
                       "an adjustment names one warehouse: from (down) or to (up)");
        break;
    case MK_ISSUE:
        if (!m->from_s)
            jsonv_fail(v, "from", "an issue needs the warehouse it leaves");
        if (!m->repair_s)
            jsonv_fail(v, "repair", "an issue goes to a repair");
        if (m->to_s)
            jsonv_fail(v, "to", "an issue goes to a repair: no to");
        break;
    case MK_RETURN:
        if (!m->to_s)
            jsonv_fail(v, "to", "a defective return needs the warehouse it goes to");
        break;
    }
}

int moves_create(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv v;
    jsonv_init(&v, body);
    struct mv m = {.r = r, .scope = scope_outlet(r)};
    if (!json_is_object(body))
        jsonv_fail(&v, "body", "must be an object");
    else
        mv_read(&v, &m);
    int rc;
    if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed", "the move is not valid", jsonv_take(&v));
        goto done;
    }
    db_conn *c = req_db(r);
    rc = in_tx(c, mv_tx, &m);
    if (rc == DB_EUNIQUE && m.key) /* the same key committed meanwhile: answer that one */
        rc = in_tx(c, mv_tx, &m);
    switch (rc) {
    case 0: {
        json_t *j = NULL;
        int k = pl_move_json(c, m.move_id, &j);
        if (k != 0) {
            rc = reply_db_failure(r, k < 0 ? k : DB_ERROR, "load move");
            break;
        }
        if (m.replay)
            reply_header(r, "Idempotent-Replayed", "true");
        rc = reply_json(r, 201, j);
        break;
    }
    case MV_BAD:
        rc = reply_error(r, 422, "validation_failed", m.why, json_pack("{s:s}", m.field, m.why));
        break;
    case MV_SHORT:
        rc = reply_error(r, 409, "insufficient_stock",
                         "not enough available stock: the move would take available below zero",
                         NULL);
        break;
    case MV_KEY_CLASH:
        rc = reply_error(r, 409, "idempotency_key_reused",
                         "this idempotency key was used for another move", NULL);
        break;
    default:
        rc = reply_db_failure(r, rc, "stock move");
    }
done:
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

/* ---------------------------------------------------------------- GET /stock-moves */

static const struct table_col move_cols[] = {
    {"at", NULL, TABLE_TIME, 17, 0},       {"kind", NULL, TABLE_TEXT, 16, 0},
    {"part", NULL, TABLE_TEXT, 16, 0},     {"qty", NULL, TABLE_INT, 8, 0},
    {"from", NULL, TABLE_TEXT, 12, 0},     {"to", NULL, TABLE_TEXT, 12, 0},
    {"repair", NULL, TABLE_TEXT, 14, 0},   {"transfer", NULL, TABLE_TEXT, 12, 0},
    {"reason", NULL, TABLE_TEXT, 24, 0},   {"actor", NULL, TABLE_TEXT, 14, 0},
};

/* Binds the 12 placeholders the moves and transfers pages share, in their order: the
 * keyset id, part (twice), warehouse (three times), kind or status (twice), outlet
 * scope (three times) and the row limit. */
static void bind_ledger_page(db_stmt *st, int64_t before, int64_t part, int64_t wh,
                             const char *what, int64_t scope, int64_t limit)
{
    db_bind_int(st, 1, before);
    for (int i = 2; i <= 3; i++)
        db_bind_int(st, i, part);
    for (int i = 4; i <= 6; i++)
        db_bind_int(st, i, wh);
    for (int i = 7; i <= 8; i++)
        db_bind_text(st, i, what);
    for (int i = 9; i <= 11; i++)
        db_bind_int(st, i, scope);
    db_bind_int(st, 12, limit);
}

/* Newest first, filtered by ?part=, ?warehouse= (either side) and ?kind=. Outlet staff
 * see the moves in and out of their own outlet's warehouse. */
static int moves_page(req *r, const struct page *p, json_t *items, const char **next)
{
    int64_t part, wh;
    int k = stock_filters(r, &part, &wh);
    if (k != 0)
        return k;
    const char *kind = req_query(r, "kind");
    if (kind && !*kind)
        kind = NULL;
    int64_t scope = scope_outlet(r), before = p->nkeys ? page_key_int(p, 0) : INT64_MAX;
    db_conn *c = req_db(r);
    db_stmt *st = db_prepare(
        c, "SELECT " PL_MOVE_COLS PL_MOVE_FROM " WHERE m.id < ? AND (CAST(? AS BIGINT) = 0 OR m.part_id = ?)"
           " AND (CAST(? AS BIGINT) = 0 OR m.from_warehouse_id = ? OR m.to_warehouse_id = ?)"
           " AND (CAST(? AS TEXT) IS NULL OR m.kind = ?)"
           " AND (CAST(? AS BIGINT) = 0 OR fw.outlet_id = ? OR tw.outlet_id = ?)"
           " ORDER BY m.id DESC LIMIT ?");
    if (!st)
        return -1;
    bind_ledger_page(st, before, part, wh, kind, scope, p->limit + 1);
    return list_rows_page(r, p, st, pl_move_row, 0, items, next);
}

int moves_list(req *r)
{
    static const struct list_spec spec = {
        .name = "stock-moves", .cols = move_cols, .ncols = (int)(sizeof move_cols / sizeof *move_cols),
        .def_limit = 100, .max_limit = 1000, .nkeys = 1, .page = moves_page,
    };
    return list_reply(r, &spec);
}

/* ---------------------------------------------------------------- transfers */

static const struct table_col transfer_cols[] = {
    {"code", NULL, TABLE_TEXT, 12, 0},      {"part", NULL, TABLE_TEXT, 16, 0},
    {"from", NULL, TABLE_TEXT, 12, 0},      {"to", NULL, TABLE_TEXT, 12, 0},
    {"qty", NULL, TABLE_INT, 8, 0},         {"status", NULL, TABLE_TEXT, 12, 0},
    {"shipped_at", NULL, TABLE_TIME, 17, 0}, {"received_at", NULL, TABLE_TIME, 17, 0},
};

/* Newest first, filtered by ?status= (in_transit, received) and ?warehouse= (either
 * end). Outlet staff see transfers to or from their own outlet's warehouse. */
static int transfers_page(req *r, const struct page *p, json_t *items, const char **next)
{
    int64_t part, wh;
    int k = stock_filters(r, &part, &wh);
    if (k != 0)
        return k;
    const char *status = req_query(r, "status");
    if (status && !*status)
        status = NULL;
    if (status && strcmp(status, "in_transit") && strcmp(status, "received"))
        return reply_bad_param(r, "status", "one of in_transit, received"), LIST_ANSWERED;
    int64_t scope = scope_outlet(r), before = p->nkeys ? page_key_int(p, 0) : INT64_MAX;
    db_conn *c = req_db(r);
    db_stmt *st = db_prepare(
        c, "SELECT " PL_TRANSFER_COLS PL_TRANSFER_FROM " WHERE t.id < ? AND (CAST(? AS BIGINT) = 0 OR t.part_id = ?)"
           " AND (CAST(? AS BIGINT) = 0 OR t.from_warehouse_id = ? OR t.to_warehouse_id = ?)"
           " AND (CAST(? AS TEXT) IS NULL OR t.status = ?)"
           " AND (CAST(? AS BIGINT) = 0 OR fw.outlet_id = ? OR tw.outlet_id = ?)"
           " ORDER BY t.id DESC LIMIT ?");
    if (!st)
        return -1;
    bind_ledger_page(st, before, part, wh, status, scope, p->limit + 1);
    return list_rows_page(r, p, st, pl_transfer_row, 11, items, next);
}

int transfers_list(req *r)
{
    static const struct list_spec spec = {
        .name = "transfers", .cols = transfer_cols,
        .ncols = (int)(sizeof transfer_cols / sizeof *transfer_cols), .def_limit = 100,
        .max_limit = 1000, .nkeys = 1, .page = transfers_page,
    };
    return list_reply(r, &spec);
}

struct tr_recv {
    req *r;
    const char *code;
    int64_t id;
};
enum { TR_NOT_FOUND = 1, TR_DONE };

static int tr_recv_tx(db_conn *c, void *arg)
{
    struct tr_recv *t = arg;
    int64_t scope = scope_outlet(t->r);
    db_stmt *st = db_prepare(c, "SELECT t.id, t.line_id, t.part_id, t.to_warehouse_id, w.outlet_id"
                                " FROM transfers t JOIN warehouses w ON w.id = t.to_warehouse_id"
                                " WHERE t.code = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, t->code);
    int rc = db_step(st);
    int64_t line = 0, part = 0, to = 0, outlet = 0;
    if (rc == DB_ROW) {
        t->id = db_int(st, 0);
        line = db_isnull(st, 1) ? 0 : db_int(st, 1);
        part = db_int(st, 2), to = db_int(st, 3);
        outlet = db_isnull(st, 4) ? 0 : db_int(st, 4);
    }
    db_done(st);
    if (rc != DB_ROW)
        return rc == DB_DONE ? TR_NOT_FOUND : rc;
    if (scope && outlet != scope)
        return TR_NOT_FOUND; /* outlet staff receive into their own outlet only */
    const char *actor = audit_actor(t->r);
    int64_t now = now_unix();
    if (line)
        rc = pr_line_receive(c, line, actor, now);
    else if ((rc = pl_receive(c, t->id, actor, now)) == 0)
        rc = pl_fill_backorders(c, part, to, actor, now);
    if (rc == PL_SHORT)
        return TR_DONE;
    if (rc != 0)
        return rc;
    return audit_write(c, actor, "receive", "transfer", t->code, NULL) < 0 ? DB_ERROR : 0;
}

/* POST /api/v1/transfers/:code/receive */
int transfers_receive(req *r)
{
    struct tr_recv t = {r, code_upper(r->a, req_param(r, "code")), 0};
    int rc = in_tx(req_db(r), tr_recv_tx, &t);
    if (rc == TR_NOT_FOUND)
        return reply_not_found(r, "transfer");
    if (rc == TR_DONE)
        return reply_error(r, 409, "conflict", "the transfer was received already", NULL);
    if (rc != 0)
        return reply_db_failure(r, rc, "receive transfer");
    json_t *j = NULL;
    rc = pl_transfer_json(req_db(r), t.id, &j);
    return rc == 0 ? reply_json(r, 200, j) : reply_db_failure(r, rc < 0 ? rc : DB_ERROR, "load transfer");
}
