/* prices: the price guide and quotes (M8): labour prices and their official caps per
 * product line, repair level and region, imports and exports of both, quotes of paid
 * repairs (labour of the most specific region enclosing the repair's outlet plus parts at
 * catalog price), the cost of in-warranty repairs and its report, and the demo prices. */
#ifndef FEATURES_PRICES_PRICES_H
#define FEATURES_PRICES_PRICES_H
#include <stdio.h>

#include "base/db.h"
#include "base/http.h"
#include "features/common/common.h"
#include "features/features.h"

extern const struct route prices_routes[];

/* CSV kinds "prices" (product_line,level,region,labour_fen) and "price-caps"
 * (product_line,level,region,cap_fen). */
int prices_import_csv(db *d, const char *path, FILE *in);
int prices_export_csv(db *d, FILE *out);
int prices_import_caps_csv(db *d, const char *path, FILE *in);
int prices_export_caps_csv(db *d, FILE *out);

/* The demo caps and prices for the demo product lines (after the catalog). */
int prices_demo(db *d, const struct demo_opts *o);
/* The warranty cost as a KPI slice (see kpi_slice): per key and bucket of the charge's
 * time, (in-warranty repairs charged, their total in fen). 0 or a negative db code. */
int prices_kpi_cost(db_conn *c, const struct kpi_slice *s, kpi_row_fn fn, void *arg);

/* The feature_repair_steps statement that records the customer's decision on a
 * pending quote when the repair leaves quoted (approved, or cancelled = declined). */
extern const char prices_decision_sql[];

#endif
