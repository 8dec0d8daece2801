/* complaints (M10): complaints on SLA clocks that run on business calendars with the
 * official mainland-China holidays and make-up working days. The public API: the route
 * table, the holidays CSV import, the holidays loader and the KPI count. */
#ifndef FEATURES_COMPLAINTS_H
#define FEATURES_COMPLAINTS_H
#include <stdint.h>
#include <stdio.h>

#include "base/db.h"
#include "base/http.h"
#include "features/common/common.h"

extern const struct route complaints_routes[];

struct demo_opts;
/* The demo step: the office calendar, the policy on it and a few hundred complaints. */
int complaints_demo(db *d, const struct demo_opts *o);

/* `aftersales import holidays FILE.csv` (day,kind,name): next year's official schedule
 * for region cn. 0 or -1 after printing FILE:LINE: reason (nothing stored). */
int complaints_import_holidays(db *d, const char *path, FILE *in);
/* Load the chinese-days package into the holidays table once, when it holds no cn
 * rows (serve, migrate, first use). 0 or -1 (message on stderr). */
int complaints_holidays_ensure(db_conn *c);
/* complaint_response_24h as rows of the slice s (see kpi_slice in
 * features/common/common.h): per (key, bucket) of the complaints received in the period,
 * a = complaints, b = those whose first response came by its due time. A complaint
 * belongs to its outlet and product line (those of its repair when it has one). 0 or a
 * negative db code. */
int complaints_kpi_rows(db_conn *c, const struct kpi_slice *s, kpi_row_fn fn, void *arg);

/* Whether calendar `name` is open at instant t (its hours, holidays and exceptions):
 * 0 with *open set, 1 when there is no such calendar, or a negative db code. */
int complaints_calendar_open(db_conn *c, const char *name, int64_t t, int *open);

/* One escalation pass over the open complaints (who: the actor written, e.g.
 * "escalation:PID"); *fired steps were fired by this caller. 0 or a negative db code. */
int complaints_escalate(db_conn *c, const char *who, int *fired);
/* The scheduler thread inside serve: a pass every AFTERSALES_ESCALATION_INTERVAL
 * seconds (default 60; 0 turns it off). */
void complaints_scheduler_start(db *d);
void complaints_scheduler_stop(void);
/* `aftersales escalate`: one pass, then exit. */
int complaints_cmd_escalate(int argc, char **argv, db *d);

#endif
