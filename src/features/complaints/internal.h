/* complaints: what the files of the complaints folder share (nobody else includes it):
 * loaded calendars and the policy, the clock computation, the complaint JSON and the
 * route handlers. */
#ifndef FEATURES_COMPLAINTS_INTERNAL_H
#define FEATURES_COMPLAINTS_INTERNAL_H
#include <jansson.h>

#include "features/common/common.h"
#include "features/complaints/complaints.h"
#include "rules/calendar.h"

#define CPL_SOURCE_CN "chinese-days 1.5.7 (MIT)"

extern const char *const cpl_weekdays[]; /* "mon" ... "sun", NULL */

/* A calendar read from the database, ready for the rules/calendar sums. */
struct cpl_cal {
    struct calendar cal;
    struct cal_exception *exc; /* malloc'd, sorted */
    int64_t id, version, updated_at;
    json_t *row; /* the calendar as the API shows it */
};
/* 0, 1 when there is no such calendar, or a negative db code (-2: stored data bad). */
int cpl_cal_load(db_conn *c, const char *name, struct cpl_cal *out);
void cpl_cal_free(struct cpl_cal *k);
/* Parse a weekly object / a windows array into days; NULL, or why not (arena text). */
const char *cpl_weekly_parse(arena *a, json_t *weekly, struct cal_day week[7]);
const char *cpl_windows_parse(arena *a, json_t *arr, struct cal_day *d);

/* The complaint SLA policy. */
struct cpl_policy {
    char calendar[64];
    int64_t fr_hours, res_hours, version, updated_at;
    json_t *escalation;
};
int cpl_policy_load(db_conn *c, struct cpl_policy *p); /* 0 or a negative db code */
json_t *cpl_policy_json(const struct cpl_policy *p);

/* The policy and its calendar, loaded once for many complaints. */
struct cpl_clock {
    struct cpl_policy pol;
    struct cpl_cal cal;
};
int cpl_clock_open(db_conn *c, struct cpl_clock *k); /* 0 or a negative db code */
void cpl_clock_close(struct cpl_clock *k);
/* Recompute and store the due times of complaint id from its event log: received, the
 * first response, resolution, its pauses, the spans it spent resolved before a reopen
 * (the resolution clock does not run then) and the escalation steps already fired. Also
 * stores next_step_at, the instant its running clock's next step not fired yet is due
 * (NULL: none), which the escalation pass selects by. */
int cpl_recompute(db_conn *c, const struct cpl_clock *k, int64_t id);

/* An escalation step of a clock: pct of the target used at `at`. */
#define CPL_STEPS_MAX 8
struct cpl_step {
    const char *clock; /* "first_response" or "resolution" */
    int pct;
    int64_t at;
};
int cpl_step_pct(double share);                  /* 0.75 -> 75 */
int64_t cpl_step_secs(double share, int64_t target); /* the business seconds it takes */
/* cpl_recompute, and the steps not fired yet that are due at `now` in due[0..*ndue)
 * (next_step_at is then the next step after those: the caller fires them). */
int cpl_recompute_due(db_conn *c, const struct cpl_clock *k, int64_t id, int64_t now,
                      struct cpl_step due[CPL_STEPS_MAX], int *ndue);
/* ... of every open complaint (after a calendar, policy or holiday change). */
int cpl_recompute_open(db_conn *c);
/* ... when the policy runs on calendar `name` (after an edit of that calendar). */
int cpl_recompute_calendar(db_conn *c, const char *name);

/* holidays.c */
int cpl_holidays_list(db_conn *c, const struct cpl_cal *k, int year, const struct dt_zone *z,
                      json_t *out);
/* Warnings for the calendar: next year's schedule missing from 1 December on. */
int cpl_holiday_warnings(db_conn *c, const struct cpl_cal *k, json_t *warnings);

/* Load one complaint as r may see it: 0 with *out (and *id), 1 not found, or <0. */
int cpl_load(req *r, db_conn *c, const char *code, int full, json_t **out, int64_t *id);

/* Route handlers. */
int cpl_calendars_list(req *r);
int cpl_calendar_get(req *r);
int cpl_calendar_put(req *r);
int cpl_policy_get(req *r);
int cpl_policy_put(req *r);
int cpl_create(req *r);
int cpl_get(req *r);
int cpl_list(req *r);
int cpl_respond(req *r);
int cpl_pause(req *r);
int cpl_resume(req *r);
int cpl_resolve(req *r);
int cpl_transition(req *r);

#endif
