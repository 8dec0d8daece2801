/* kpi: turnaround and quality KPIs (M5) and their exports (M15): the `aftersales kpi`
 * command, GET /api/v1/kpi/turnaround and GET /api/v1/kpi/at-risk.
 *
 * The daily aggregates the report reads are maintained by database triggers declared
 * in sql/<backend>/0005_kpi.sql, inside every INSERT/UPDATE/DELETE of repairs: no other
 * feature needs to call anything to keep them current. */
#ifndef FEATURES_KPI_KPI_H
#define FEATURES_KPI_KPI_H
#include <stdint.h>
#include <stdio.h>

#include "base/db.h"
#include "base/http.h"

extern const struct route kpi_routes[];
/* The outlet ranking and its weights (ranking.c). */
extern const struct route kpi_ranking_routes[];

/* `aftersales kpi ...` (see its --help). Exit status 0, 1 or 2. */
int kpi_cmd(int argc, char **argv, db *d);

/* Recompute every KPI fact and daily bucket from the repairs table, first setting the
 * configured time zone and bucket offset when zone is not NULL (audited). Runs in its own
 * transaction on c. 0 or a negative db code. */
int kpi_rebuild(db_conn *c, const char *zone, int64_t bucket_offset);

/* Recompute every KPI fact and daily bucket in bulk inside the caller's transaction (or
 * none): the triggers on the facts set aside, the facts from the repairs in one INSERT,
 * the buckets as their sums. For bulk loads that set the triggers on repairs aside
 * (db_defer) and so kept nothing current. 0 or a negative db code. */
int kpi_recompute(db_conn *c);

/* Compare the stored facts and daily buckets with a full recount done in C by
 * src/rules/kpi.c, and the parts and complaint KPIs of every grouping of the last 24
 * months with a plain count of their rows. Returns the number of differences (0: all equal), or -1 on error;
 * writes up to a few differing items to `report` when it is not NULL. */
long kpi_check(db_conn *c, FILE *report);

#endif
