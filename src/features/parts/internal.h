/* parts: what the files of the parts folder share with each other (not used outside
 * it): lookups of parts and warehouses, the ledger primitives every stock change goes
 * through, JSON of moves and lines, and the route handlers. */
#ifndef FEATURES_PARTS_INTERNAL_H
#define FEATURES_PARTS_INTERNAL_H
#include <jansson.h>
#include <stdint.h>

#include "base/arena.h"
#include "features/parts/parts.h"
#include "rules/parts.h"

/* ---- lookups (0 found, 1 not found, or a negative db code) ---- */

struct pt_part {
    int64_t id, superseded_by, price_fen;
    int imported, serial_tracked;
};
int pt_part_find(db_conn *c, const char *number, struct pt_part *out);

struct pt_wh {
    int64_t id, outlet_id;
    int kind;       /* enum part_wh_kind */
    char code[40];
};
int pt_wh_find(db_conn *c, const char *code, struct pt_wh *out);
/* The same, as outlet staff confined to outlet `scope` may see it (scope 0: all): an
 * outlet warehouse of another outlet is "not found". */
int pt_wh_find_scoped(db_conn *c, const char *code, int64_t scope, struct pt_wh *out);
/* The warehouse of kind outlet of outlet_id, created ("W-<outlet code>") when missing.
 * 0 with *out, 1 when there is no such outlet, or a negative db code. */
int pt_outlet_wh(db_conn *c, int64_t outlet_id, int64_t now, struct pt_wh *out);
/* Answers of the store functions besides 0 and db codes. */
enum { PW_DUPLICATE = 1, PW_BAD = 2 };

/* A warehouse as given (HTTP body or CSV row). */
struct pt_wh_in {
    const char *code, *name, *kind, *region, *outlet;
};
/* Check in and insert it (upsert: or update the one with its code), audited. 0, PW_BAD
 * or PW_DUPLICATE with *field and *why (static text), or a db code. */
int pt_wh_store(db_conn *c, const struct pt_wh_in *in, const char *actor, int64_t now,
                int upsert, const char **field, const char **why);

/* ---- the ledger: every change of a balance, in the caller's transaction ---- */

/* Apply delta d of q units to the balance of (part, warehouse), creating the row for
 * the deltas that add. The deltas that take are one conditional UPDATE (e.g. on_hand -
 * reserved >= q) checked by rows affected, so concurrent writers on either backend can
 * never take available below zero. 0, PL_SHORT when the balance does not allow it
 * (nothing changed), or a negative db code. */
enum { PL_SHORT = 1 };
int pl_apply(db_conn *c, int64_t part, int64_t wh, enum part_delta d, int64_t q, int64_t now);
/* defective += q (a faulty part returned to wh). */
int pl_add_defective(db_conn *c, int64_t part, int64_t wh, int64_t q, int64_t now);

/* One append-only row of stock_moves. */
struct pl_move {
    const char *kind;
    int64_t part, qty, from, to, transfer, repair, line, po_line; /* 0: none */
    const char *reason, *serial, *key, *actor;
    int64_t at;
};
/* Insert m; *id the new row. DB_EUNIQUE when m->key was used before. */
int pl_move_add(db_conn *c, const struct pl_move *m, int64_t *id);
/* The JSON of move id (as GET /api/v1/stock-moves lists it). 0, 1, or a db code. */
int pl_move_json(db_conn *c, int64_t id, json_t **out);
/* A move's columns and joins (aliases m, fw, tw; m.id first), and the JSON of one such
 * row: a page of moves is one query. The part, transfer and repair are scalar
 * subqueries, not joins: PostgreSQL plans the page query (its filters fold with the
 * parameters, so it keeps custom plans) at every execution, and a six-table join took
 * 6-8 ms to plan where this takes under 1 ms. */
#define PL_MOVE_COLS                                                                           \
    "m.id, m.kind, (SELECT number FROM parts WHERE id = m.part_id), m.qty, fw.code, tw.code,"  \
    " (SELECT code FROM transfers WHERE id = m.transfer_id),"                                  \
    " (SELECT code FROM repairs WHERE id = m.repair_id), m.reason, m.serial,"                  \
    " m.idempotency_key, m.actor, m.at"
#define PL_MOVE_FROM                                                                           \
    " FROM stock_moves m LEFT JOIN warehouses fw ON fw.id = m.from_warehouse_id"               \
    " LEFT JOIN warehouses tw ON tw.id = m.to_warehouse_id"
json_t *pl_move_row(db_stmt *st);
/* The JSON of transfer id. 0, 1 or a db code. */
int pl_transfer_json(db_conn *c, int64_t id, json_t **out);
/* A transfer's columns (t.id last, column 11, not in the JSON) and joins (t, p, fw, tw),
 * and the JSON of one such row. */
#define PL_TRANSFER_COLS                                                                       \
    "t.code, p.number, fw.code, tw.code, t.qty, t.status, t.shipped_at, t.received_at,"        \
    " t.shipped_by, t.received_by, t.line_id, t.id"
#define PL_TRANSFER_FROM                                                                       \
    " FROM transfers t JOIN parts p ON p.id = t.part_id"                                       \
    " JOIN warehouses fw ON fw.id = t.from_warehouse_id"                                       \
    " JOIN warehouses tw ON tw.id = t.to_warehouse_id"
json_t *pl_transfer_row(db_stmt *st);
/* Ship q units of part from -> to as a new transfer (from's reserved units when
 * reserved is set, else its available ones): the transfer row and its move. *tid the
 * transfer. 0, PL_SHORT, or a db code. */
int pl_ship(db_conn *c, int64_t part, int64_t from, int64_t to, int64_t q, int reserved,
            int64_t line, const char *actor, const char *key, int64_t now, int64_t *tid,
            int64_t *move_id);
/* Receive transfer tid at its destination (in_transit -> on_hand). 0, PL_SHORT when it
 * is already received, or a db code. */
int pl_receive(db_conn *c, int64_t tid, const char *actor, int64_t now);
/* Allocate receipts to backorders: the backordered lines of part, first in first out,
 * reserved at wh while its available stock covers them. 0 or a db code. */
int pl_fill_backorders(db_conn *c, int64_t part, int64_t wh, const char *actor, int64_t now);

/* ---- part requests and their lines ---- */

struct repair_ref;
/* A part request of n lines (part ids and quantities) for repair ref at instant now, in
 * the caller's transaction: each line filled in the contract's order (supersession,
 * promise dates from now), reserved and recorded; code gets the request's code and
 * line_ids the lines. next (or NULL: looked up) holds what supersedes each part, as its
 * lookup in the same transaction read it (0: nothing). The repair's state is the
 * caller's business. 0 or a db code. */
int pr_fill_request(db_conn *c, arena *a, const struct repair_ref *ref, const char *actor,
                    int64_t now, int n, const int64_t *parts, const int64_t *next,
                    const int64_t *qty, char code[24], int64_t *line_ids);

/* The JSON of line id as the part-request answers show it. 0, 1 or a db code. */
int pr_line_json(db_conn *c, int64_t id, int full, json_t **out);

/* Receive line id at its outlet (shipping it first when its warehouse has not), in the
 * caller's transaction. 0, PL_SHORT when the line is not waiting to be received, or a
 * db code. */
int pr_line_receive(db_conn *c, int64_t line, const char *actor, int64_t now);

/* Issue received line id to its repair (fitted and faulty serials may be NULL): the
 * issue move from the outlet's warehouse, and on a warranty repair the faulty part
 * expected back. 0, PL_SHORT with *why, or a db code. */
int pr_line_issue(db_conn *c, int64_t id, const char *actor, int64_t now, const char *fitted,
                  const char *faulty, const char **why);

/* ---- purchase orders ---- */

/* A new purchase order: n lines of part ids, quantities and whether each part is
 * imported (its lead time: 7 days, else 3). */
struct pt_po_in {
    int64_t wh;
    const char *supplier, *note, *key, *actor; /* NULL: none (actor required) */
    int n;
    const int64_t *part, *qty;
    const int *imported;
};
/* Store it, open, at instant now: the order, its lines and their quantities on order at
 * the warehouse, in the caller's transaction. *id and code the new order's. 0 or a db
 * code. */
int pt_po_store(db_conn *c, const struct pt_po_in *in, int64_t now, int64_t *id, char code[24]);

/* ---- request bodies ---- */

struct jsonv;
/* The "lines" of body, a list of 1..max {part, qty}, into part (upper-cased numbers)
 * and qty; reasons per field ("lines[2].qty") go to v. The number of lines, 0 when the
 * list itself is missing or malformed. */
int pt_lines_read(struct jsonv *v, json_t *body, arena *a, int max, const char **part,
                  int64_t *qty);
/* The idempotency key of a write: the body's "idempotency_key" or the Idempotency-Key
 * header (1-100 bytes; both given must agree), or NULL. */
const char *pt_idempotency_key(struct jsonv *v, req *r);

/* ---- route handlers ---- */

int parts_list(req *r);
int parts_get(req *r);
int parts_create(req *r);
int warehouses_list(req *r);
int warehouses_create(req *r);
int stock_list(req *r);
int moves_list(req *r);
int moves_create(req *r);
int transfers_list(req *r);
int transfers_receive(req *r);
int requests_create(req *r);
int requests_list(req *r);
int lines_list(req *r);
int line_ship(req *r);
int line_receive(req *r);
int line_issue(req *r);
int line_cancel(req *r);
int returns_list(req *r);
int returns_receive(req *r);
int reorder_set(req *r);
int replenishment_list(req *r);
int po_list(req *r);
int po_get(req *r);
int po_create(req *r);
int po_receive(req *r);
int po_cancel(req *r);

#endif
