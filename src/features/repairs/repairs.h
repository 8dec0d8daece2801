/* repairs: repairs from registration to hand-back (M4): the route table, the CSV
 * import/export of historic repairs, the demo repairs, and the UTC+8 local date the
 * demo generator uses (util.c). */
#ifndef FEATURES_REPAIRS_REPAIRS_H
#define FEATURES_REPAIRS_REPAIRS_H
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "base/db.h"
#include "base/http.h"
#include "features/features.h"

extern const struct route repairs_routes[];
int repairs_import_csv(db *d, const char *path, FILE *in);
int repairs_export_csv(db *d, FILE *out);
int repairs_demo(db *d, const struct demo_opts *o);

/* ---- for demo.c (util.c) ---- */

/* Local time is Asia/Shanghai: UTC+8 all year (no daylight saving since 1991). */
#define REP_TZ_OFFSET (8 * 3600)

/* The local date at UTC+8 of instant t, "YYYY-MM-DD". */
void rep_local_date(int64_t t, char out[11]);

#endif
