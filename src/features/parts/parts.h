/* parts: spare-parts supply (M7): the part catalog with compatible models and
 * supersession, warehouses, the stock ledger (balances that never go negative, moves,
 * transfers, idempotent retries), part requests of repairs filled in the contract's
 * order, their receipt at the outlet and issue to the repair, CSV imports and exports,
 * the demo parts network, and the parts KPIs. */
#ifndef FEATURES_PARTS_PARTS_H
#define FEATURES_PARTS_PARTS_H
#include <stdint.h>
#include <stdio.h>

#include "base/db.h"
#include "base/http.h"
#include "features/common/common.h"
#include "features/features.h"

extern const struct route parts_routes[];

/* `aftersales import|export parts|warehouses`, `aftersales import stock`. */
int parts_import_parts(db *d, const char *path, FILE *in);
int parts_export_parts(db *d, FILE *out);
int parts_import_warehouses(db *d, const char *path, FILE *in);
int parts_export_warehouses(db *d, FILE *out);
int parts_import_stock(db *d, const char *path, FILE *in);

/* The demo parts network: about 2,000 parts over the demo models, the warehouses (a
 * central parts center, branches, third party, overseas, one per outlet), stock and
 * some part requests with backorders. */
int parts_demo(db *d, const struct demo_opts *o);

/* The parts KPIs of SPEC "KPI definitions" as rows of the slice s (see kpi_slice in
 * features/common/common.h), one call of fn per row:
 * - parts_kpi_fill: per (key, bucket) of the lines created in the period, a = lines,
 *   b = those first reserved from domestic stock (the fill rate's denominator and
 *   numerator);
 * - parts_kpi_lead: per line received in the period, a = seconds from its creation to
 *   its receipt (the report takes the median), b = 0.
 * 0 or a negative db code. */
int parts_kpi_fill(db_conn *c, const struct kpi_slice *s, kpi_row_fn fn, void *arg);
int parts_kpi_lead(db_conn *c, const struct kpi_slice *s, kpi_row_fn fn, void *arg);

/* The part a repair still waits for (for the KPI at-risk list): the number of its open
 * request line that will come last (a backordered one first, else the latest promise)
 * into out, and its promise date ("" when backordered) into promise. 0, 1 when the
 * repair waits for no part, or a negative db code. */
int parts_awaited(db_conn *c, const char *repair_code, char *out, size_t n, char promise[11]);


/* ---- stock for sales orders (M13: accessories are parts) ---- */

/* A part of the catalog by number: its id and catalog price (fen). 0, 1 when there is no
 * such part, or a negative db code. */
int parts_lookup(db_conn *c, const char *number, int64_t *id, int64_t *price_fen);
/* The warehouse that fulfils an order taken at outlet_id (its own outlet warehouse,
 * created when missing), or for outlet_id 0 (online) the central warehouse of the lowest
 * id. 0 with *wh, 1 when there is none, or a negative db code. */
int parts_sale_warehouse(db_conn *c, int64_t outlet_id, int64_t now, int64_t *wh);
/* One stock change for an order line at wh, in the caller's transaction, with its
 * ledger move (reason: e.g. the order code): reserve (needs available >= qty), release
 * (needs reserved >= qty), issue (the reserved units leave the warehouse), restock (a
 * return: on_hand += qty). 0, PARTS_SHORT when the balance does not allow it (nothing
 * changed: the ledger never goes negative), or a negative db code. */
enum parts_sale_op { PARTS_RESERVE, PARTS_RELEASE, PARTS_ISSUE, PARTS_RESTOCK };
enum { PARTS_SHORT = 1 };
int parts_sale_move(db_conn *c, int64_t part, int64_t wh, enum parts_sale_op op, int64_t qty,
                    const char *reason, const char *actor, int64_t now);

#endif
