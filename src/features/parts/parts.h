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

#endif
