/* parts: the stock ledger: balance changes that never take available below zero,
 * the append-only moves, transfers shipped and received, and backorders filled first
 * in, first out when stock arrives. Everything runs in the caller's transaction. */
#include <string.h>

#include "base/log.h"
#include "features/common/common.h"
#include "features/parts/internal.h"

/* ---------------------------------------------------------------- balances */

/* The conditional statements of each delta: (q, now, part, wh[, q]) except the adding
 * ones, which are upserts (part, wh, q, now). */
static const char *const delta_sql[] = {
    [PD_RECEIVE] = "INSERT INTO stock (part_id, warehouse_id, on_hand, updated_at) VALUES (?, ?, ?, ?)"
                   " ON CONFLICT (part_id, warehouse_id) DO UPDATE"
                   " SET on_hand = stock.on_hand + excluded.on_hand, updated_at = excluded.updated_at",
    [PD_SHIP_IN] = "INSERT INTO stock (part_id, warehouse_id, in_transit, updated_at) VALUES (?, ?, ?, ?)"
                   " ON CONFLICT (part_id, warehouse_id) DO UPDATE"
                   " SET in_transit = stock.in_transit + excluded.in_transit,"
                   " updated_at = excluded.updated_at",
    [PD_TAKE] = "UPDATE stock SET on_hand = on_hand - ?, updated_at = ?"
                " WHERE part_id = ? AND warehouse_id = ? AND on_hand - reserved >= ?",
    [PD_RESERVE] = "UPDATE stock SET reserved = reserved + ?, updated_at = ?"
                   " WHERE part_id = ? AND warehouse_id = ? AND on_hand - reserved >= ?",
    [PD_RELEASE] = "UPDATE stock SET reserved = reserved - ?, updated_at = ?"
                   " WHERE part_id = ? AND warehouse_id = ? AND reserved >= ?",
    [PD_TAKE_RESERVED] = "UPDATE stock SET on_hand = on_hand - ?, reserved = reserved - ?,"
                         " updated_at = ? WHERE part_id = ? AND warehouse_id = ?"
                         " AND reserved >= ? AND on_hand >= ?",
    [PD_ARRIVE] = "UPDATE stock SET in_transit = in_transit - ?, on_hand = on_hand + ?,"
                  " updated_at = ? WHERE part_id = ? AND warehouse_id = ? AND in_transit >= ?",
};

int pl_apply(db_conn *c, int64_t part, int64_t wh, enum part_delta d, int64_t q, int64_t now)
{
    if (q <= 0 || (unsigned)d >= sizeof delta_sql / sizeof *delta_sql || !delta_sql[d])
        return DB_ERROR;
    int64_t e;
    switch (d) {
    case PD_RECEIVE:
    case PD_SHIP_IN:
        e = db_exec(c, delta_sql[d], "iiii", part, wh, q, now);
        return e < 0 ? (int)e : 0;
    case PD_TAKE_RESERVED:
        e = db_exec(c, delta_sql[d], "iiiiiii", q, q, now, part, wh, q, q);
        break;
    case PD_ARRIVE:
        e = db_exec(c, delta_sql[d], "iiiiii", q, q, now, part, wh, q);
        break;
    default:
        e = db_exec(c, delta_sql[d], "iiiii", q, now, part, wh, q);
        break;
    }
    if (e < 0)
        return (int)e;
    return e == 1 ? 0 : PL_SHORT;
}

int pl_add_defective(db_conn *c, int64_t part, int64_t wh, int64_t q, int64_t now)
{
    int64_t e = db_exec(c,
                        "INSERT INTO stock (part_id, warehouse_id, defective, updated_at)"
                        " VALUES (?, ?, ?, ?) ON CONFLICT (part_id, warehouse_id) DO UPDATE"
                        " SET defective = stock.defective + excluded.defective,"
                        " updated_at = excluded.updated_at",
                        "iiii", part, wh, q, now);
    return e < 0 ? (int)e : 0;
}

/* ---------------------------------------------------------------- moves */

static void bind_opt(db_stmt *st, int i, int64_t v)
{
    if (v)
        db_bind_int(st, i, v);
    else
        db_bind_null(st, i);
}

int pl_move_add(db_conn *c, const struct pl_move *m, int64_t *id)
{
    db_stmt *st = db_prepare(
        c, "INSERT INTO stock_moves (kind, part_id, qty, from_warehouse_id, to_warehouse_id,"
           " transfer_id, repair_id, line_id, reason, serial, idempotency_key, actor, at,"
           " po_line_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, m->kind);
    db_bind_int(st, 2, m->part);
    db_bind_int(st, 3, m->qty);
    bind_opt(st, 4, m->from);
    bind_opt(st, 5, m->to);
    bind_opt(st, 6, m->transfer);
    bind_opt(st, 7, m->repair);
    bind_opt(st, 8, m->line);
    db_bind_text(st, 9, m->reason);
    db_bind_text(st, 10, m->serial);
    db_bind_text(st, 11, m->key);
    db_bind_text(st, 12, m->actor);
    db_bind_int(st, 13, m->at);
    bind_opt(st, 14, m->po_line);
    int rc = db_step(st);
    if (rc == DB_ROW && id)
        *id = db_int(st, 0);
    db_done(st);
    return rc == DB_ROW ? 0 : rc < 0 ? rc : DB_ERROR;
}

static json_t *opt_text(db_stmt *st, int col)
{
    return db_isnull(st, col) ? json_null() : json_string(db_text(st, col));
}

json_t *pl_move_row(db_stmt *st)
{
    json_t *j = json_pack("{s:I, s:s, s:s, s:I}", "id", (json_int_t)db_int(st, 0), "kind",
                          db_text(st, 1), "part", db_text(st, 2), "qty",
                          (json_int_t)db_int(st, 3));
    json_object_set_new(j, "from", opt_text(st, 4));
    json_object_set_new(j, "to", opt_text(st, 5));
    json_object_set_new(j, "transfer", opt_text(st, 6));
    json_object_set_new(j, "repair", opt_text(st, 7));
    json_object_set_new(j, "reason", opt_text(st, 8));
    json_object_set_new(j, "serial", opt_text(st, 9));
    json_object_set_new(j, "idempotency_key", opt_text(st, 10));
    json_object_set_new(j, "actor", json_string(db_text(st, 11)));
    json_object_set_new(j, "at", dt_json(db_int(st, 12)));
    return j;
}

/* One row of sql (PL_MOVE_COLS or PL_TRANSFER_COLS ..., one id parameter) through row. */
static int one_row(db_conn *c, const char *sql, int64_t id, json_t *(*row)(db_stmt *st),
                   json_t **out)
{
    db_stmt *st = db_prepare(c, sql);
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, id);
    int rc = db_step(st);
    if (rc == DB_ROW)
        *out = row(st);
    db_done(st);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? 1 : rc;
}

int pl_move_json(db_conn *c, int64_t id, json_t **out)
{
    return one_row(c, "SELECT " PL_MOVE_COLS PL_MOVE_FROM " WHERE m.id = ?", id, pl_move_row,
                   out);
}

/* ---------------------------------------------------------------- transfers */

json_t *pl_transfer_row(db_stmt *st)
{
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s}", "code", db_text(st, 0), "part",
                          db_text(st, 1), "from", db_text(st, 2), "to", db_text(st, 3), "qty",
                          (json_int_t)db_int(st, 4), "status", db_text(st, 5));
    json_object_set_new(j, "shipped_at", dt_json(db_int(st, 6)));
    json_object_set_new(j, "received_at", dt_json(db_isnull(st, 7) ? DT_NONE : db_int(st, 7)));
    json_object_set_new(j, "shipped_by", json_string(db_text(st, 8)));
    json_object_set_new(j, "received_by", opt_text(st, 9));
    json_object_set_new(j, "for_line", json_boolean(!db_isnull(st, 10)));
    return j;
}

int pl_transfer_json(db_conn *c, int64_t id, json_t **out)
{
    return one_row(c, "SELECT " PL_TRANSFER_COLS PL_TRANSFER_FROM " WHERE t.id = ?", id,
                   pl_transfer_row, out);
}

int pl_ship(db_conn *c, int64_t part, int64_t from, int64_t to, int64_t q, int reserved,
            int64_t line, const char *actor, const char *key, int64_t now, int64_t *tid,
            int64_t *move_id)
{
    int rc = pl_apply(c, part, from, reserved ? PD_TAKE_RESERVED : PD_TAKE, q, now);
    if (rc != 0)
        return rc;
    if ((rc = pl_apply(c, part, to, PD_SHIP_IN, q, now)) != 0)
        return rc;
    char code[24];
    if ((rc = code_next(c, "transfer", "TR", 8, code, sizeof code)) < 0)
        return rc;
    db_stmt *st = db_prepare(
        c, "INSERT INTO transfers (code, part_id, from_warehouse_id, to_warehouse_id, qty,"
           " status, line_id, shipped_at, shipped_by) VALUES (?, ?, ?, ?, ?, 'in_transit', ?, ?, ?)"
           " RETURNING id");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, code);
    db_bind_int(st, 2, part);
    db_bind_int(st, 3, from);
    db_bind_int(st, 4, to);
    db_bind_int(st, 5, q);
    bind_opt(st, 6, line);
    db_bind_int(st, 7, now);
    db_bind_text(st, 8, actor);
    rc = db_step(st);
    int64_t id = rc == DB_ROW ? db_int(st, 0) : 0;
    db_done(st);
    if (rc != DB_ROW)
        return rc < 0 ? rc : DB_ERROR;
    struct pl_move m = {.kind = "transfer_ship", .part = part, .qty = q, .from = from, .to = to,
                        .transfer = id, .line = line, .key = key, .actor = actor, .at = now};
    if ((rc = pl_move_add(c, &m, move_id)) != 0)
        return rc;
    *tid = id;
    return 0;
}

int pl_receive(db_conn *c, int64_t tid, const char *actor, int64_t now)
{
    db_stmt *st = db_prepare(c, "SELECT part_id, to_warehouse_id, qty, line_id FROM transfers"
                                " WHERE id = ? AND status = 'in_transit'");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, tid);
    int rc = db_step(st);
    int64_t part = 0, to = 0, q = 0, line = 0;
    if (rc == DB_ROW) {
        part = db_int(st, 0), to = db_int(st, 1), q = db_int(st, 2);
        line = db_isnull(st, 3) ? 0 : db_int(st, 3);
    }
    db_done(st);
    if (rc != DB_ROW)
        return rc == DB_DONE ? PL_SHORT : rc;
    int64_t e = db_exec(c, "UPDATE transfers SET status = 'received', received_at = ?,"
                           " received_by = ? WHERE id = ? AND status = 'in_transit'",
                        "iti", now, actor, tid);
    if (e < 0)
        return (int)e;
    if (e == 0)
        return PL_SHORT; /* someone received it first */
    if ((rc = pl_apply(c, part, to, PD_ARRIVE, q, now)) != 0)
        return rc;
    struct pl_move m = {.kind = "transfer_receive", .part = part, .qty = q, .to = to,
                        .transfer = tid, .line = line, .actor = actor, .at = now};
    return pl_move_add(c, &m, NULL);
}

/* ---------------------------------------------------------------- backorders */

struct backorder {
    int64_t id, qty, outlet, repair;
    char province[7];
};

int pl_fill_backorders(db_conn *c, int64_t part, int64_t wh, const char *actor, int64_t now)
{
    int rc;
    db_stmt *st;
    /* the oldest backorders first; at most 200 per receipt */
    enum { MAX = 200 };
    struct backorder bo[MAX];
    int n = 0;
    st = db_prepare(c, "SELECT l.id, l.qty, COALESCE(l.outlet_id, 0), l.repair_id, o.region"
                       " FROM part_request_lines l LEFT JOIN outlets o ON o.id = l.outlet_id"
                       " WHERE l.status = 'backordered' AND l.part_id = ?"
                       " ORDER BY l.created_at, l.id LIMIT 200");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, part);
    while ((rc = db_step(st)) == DB_ROW && n < MAX) {
        struct backorder *b = &bo[n++];
        b->id = db_int(st, 0), b->qty = db_int(st, 1), b->outlet = db_int(st, 2);
        b->repair = db_int(st, 3);
        if (part_province_of(db_text(st, 4), b->province) < 0)
            b->province[0] = '\0';
    }
    db_done(st);
    if (rc < 0)
        return rc;
    if (n == 0)
        return 0; /* the usual case: nothing waits for this part */
    st = db_prepare(c, "SELECT kind, province, outlet_id FROM warehouses WHERE id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, wh);
    rc = db_step(st);
    struct part_candidate cand = {wh, -1, NULL, 0, 0};
    char wprov[8] = "";
    if (rc == DB_ROW) {
        cand.kind = part_wh_kind_parse(db_text(st, 0));
        if (!db_isnull(st, 1))
            snprintf(wprov, sizeof wprov, "%s", db_text(st, 1));
        cand.outlet_id = db_isnull(st, 2) ? 0 : db_int(st, 2);
    }
    db_done(st);
    if (rc != DB_ROW)
        return rc == DB_DONE ? 0 : rc;
    cand.province = *wprov ? wprov : NULL;

    const struct dt_zone *z = org_zone(c);
    for (int i = 0; i < n; i++) {
        int tier = part_tier_of(&cand, bo[i].outlet, bo[i].province[0] ? bo[i].province : NULL);
        if (tier == PT_NONE)
            continue;
        rc = pl_apply(c, part, wh, PD_RESERVE, bo[i].qty, now);
        if (rc == PL_SHORT)
            break; /* first in, first out: a later line does not jump the queue */
        if (rc != 0)
            return rc;
        char promise[11];
        part_promise_date(z, now, part_tier_promise_days(tier), promise);
        int64_t e = db_exec(c,
                            "UPDATE part_request_lines SET status = ?, warehouse_id = ?,"
                            " promise_date = ?, version = version + 1"
                            " WHERE id = ? AND status = 'backordered'",
                            "titi", tier == PT_OVERSEAS ? "ordered" : "reserved", wh, promise,
                            bo[i].id);
        if (e < 0)
            return (int)e;
        struct pl_move m = {.kind = "reserve", .part = part, .qty = bo[i].qty, .from = wh,
                            .repair = bo[i].repair, .line = bo[i].id, .actor = actor,
                            .reason = "backorder filled", .at = now};
        if ((rc = pl_move_add(c, &m, NULL)) != 0)
            return rc;
    }
    return 0;
}
