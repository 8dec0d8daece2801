/* repairs: repairs from registration to hand-back (M4): the route table, the CSV
 * import/export of historic repairs, the demo repairs, and the few local-time and
 * transaction helpers that catalog, warranty and repairs share (util.c). */
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

/* ---- shared helpers (util.c) ---- */

/* Local time is Asia/Shanghai: UTC+8 all year (no daylight saving since 1991). */
#define REP_TZ_OFFSET (8 * 3600)

/* The local date of instant t, "YYYY-MM-DD". */
void rep_local_date(int64_t t, char out[11]);
/* RFC 3339 UTC text of t ("2026-11-24T04:55:02Z") in the arena, or JSON null when
 * isnull. */
json_t *rep_time_json(int64_t t, int isnull);
/* Parse an import time: RFC 3339 ("2026-05-01T10:00:00+08:00", "...Z") or local
 * "YYYY-MM-DD HH:MM[:SS]". 0 with *out set, or -1. */
int rep_parse_time(const char *s, int64_t *out);

/* Run fn inside a write transaction, retrying a few times on DB_EBUSY. fn returns 0 to
 * commit, or anything else to roll back (that value is returned). */
int rep_in_tx(db_conn *c, int (*fn)(db_conn *c, void *arg), void *arg);

#endif
