/* parts: the stock side of sales orders (M13): part lookup by number, the warehouse
 * that fulfils an order, and reserve / release / issue / restock through the ledger. */
#include "features/common/common.h"
#include "features/parts/internal.h"

int parts_lookup(db_conn *c, const char *number, int64_t *id, int64_t *price_fen)
{
    struct pt_part p;
    int rc = pt_part_find(c, number, &p);
    if (rc == 0) {
        *id = p.id;
        *price_fen = p.price_fen;
    }
    return rc;
}

int parts_sale_warehouse(db_conn *c, int64_t outlet_id, int64_t now, int64_t *wh)
{
    if (outlet_id) {
        struct pt_wh w;
        int rc = pt_outlet_wh(c, outlet_id, now, &w);
        if (rc == 0)
            *wh = w.id;
        return rc;
    }
    db_stmt *st = db_prepare(c, "SELECT id FROM warehouses WHERE kind = 'central' AND active = 1"
                                " ORDER BY id LIMIT 1");
    if (!st)
        return DB_ERROR;
    int rc = db_step(st);
    if (rc == DB_ROW)
        *wh = db_int(st, 0);
    db_done(st);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? 1 : rc;
}

int parts_sale_move(db_conn *c, int64_t part, int64_t wh, enum parts_sale_op op, int64_t qty,
                    const char *reason, const char *actor, int64_t now)
{
    static const struct {
        enum part_delta delta;
        const char *kind;
        int into; /* the move goes to wh (else from it) */
    } ops[] = {
        [PARTS_RESERVE] = {PD_RESERVE, "reserve", 0},
        [PARTS_RELEASE] = {PD_RELEASE, "release", 0},
        [PARTS_ISSUE] = {PD_TAKE_RESERVED, "issue", 0},
        [PARTS_RESTOCK] = {PD_RECEIVE, "receipt", 1},
    };
    if ((unsigned)op >= sizeof ops / sizeof *ops || qty <= 0)
        return DB_ERROR;
    int rc = pl_apply(c, part, wh, ops[op].delta, qty, now);
    if (rc != 0)
        return rc == PL_SHORT ? PARTS_SHORT : rc;
    struct pl_move m = {.kind = ops[op].kind, .part = part, .qty = qty,
                        .from = ops[op].into ? 0 : wh, .to = ops[op].into ? wh : 0,
                        .reason = reason, .actor = actor, .at = now};
    return pl_move_add(c, &m, NULL);
}
