/* calendar: business time on a working calendar (SPEC M10): weekly opening windows in
 * a zone, dated exceptions (holidays, make-up working days, special hours), and the
 * three sums an SLA clock needs: add business time, count it between two instants, find
 * the next opening. Pure, no I/O; exact to the second; O(days) in the span covered.
 *
 * A window belongs to the local day it opens on. Its close may lie past midnight (a
 * night shift 22:00-06:00 runs into the next day, also when that day is a holiday);
 * overlapping windows count once. Local wall times become instants in the calendar's
 * zone, so a day with a clock change has the hours its wall clock shows. */
#ifndef RULES_CALENDAR_H
#define RULES_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

#include "base/datetime.h"

#define CAL_MAX_WINDOWS 8      /* windows a day */
#define CAL_HORIZON_DAYS 3660  /* days without hours after which a sum gives up (ten years) */

struct cal_window {
    int32_t open, close; /* seconds after local midnight; open < close <= open + 86400 */
};

struct cal_day {
    int n;
    struct cal_window w[CAL_MAX_WINDOWS]; /* sorted by open (cal_day_add keeps it so) */
};

enum cal_exc_kind {
    CAL_HOLIDAY,  /* a day off */
    CAL_MAKEUP,   /* 调休: a working day with that weekday's hours, else the standard day's */
    CAL_SPECIAL,  /* these hours instead of the weekly ones */
};

struct cal_exception {
    int64_t day; /* days since 1970-01-01 (local date) */
    enum cal_exc_kind kind;
    struct cal_day hours; /* CAL_SPECIAL only */
};

struct calendar {
    const struct dt_zone *zone;
    struct cal_day week[7];           /* 0 Monday ... 6 Sunday */
    struct cal_day standard;          /* a make-up day on a weekday without hours */
    const struct cal_exception *exc;  /* sorted by day, at most one a day */
    size_t nexc;
};

/* "HH:MM" (00:00-24:00) as seconds after midnight. 0 or -1. */
int cal_parse_hhmm(const char *s, int32_t *out);
/* Add the window open-close ("09:00", "18:00"; a close at or before the open means the
 * next day's, "22:00"-"06:00") to a day. 0, or -1 when a time is malformed, the two are
 * equal, or the day is full. */
int cal_day_add(struct cal_day *d, const char *open, const char *close);
/* The standard day: the first weekday Monday-Friday that has hours (used for make-up
 * days that fall on a weekend); nothing when none has. */
void cal_set_standard(struct calendar *c);
/* Monday 0 ... Sunday 6 of a day number. */
int cal_weekday(int64_t day);
/* The exception of a day, or NULL. */
const struct cal_exception *cal_exception_of(const struct calendar *c, int64_t day);
/* The hours that open on local day `day` (after exceptions). */
const struct cal_day *cal_hours_of(const struct calendar *c, int64_t day);

/* Business seconds in [a, b) (0 when b <= a). */
int64_t cal_between(const struct calendar *c, int64_t a, int64_t b);
/* The instant at which `secs` business seconds have passed after start (start itself
 * when secs is 0; a sum that ends exactly at a closing gives the closing). 0, or -1
 * when the calendar has no hours for CAL_HORIZON_DAYS days on end. */
int cal_add(const struct calendar *c, int64_t start, int64_t secs, int64_t *out);
/* The first business instant at or after t. 0 or -1 (none within the horizon). */
int cal_next_open(const struct calendar *c, int64_t t, int64_t *out);

/* An SLA clock: the instant at which the business time after `start` and outside the
 * pauses reaches target_secs. pauses[i] = {start, end} sorted by start, not overlapping;
 * an end of DT_NONE is a pause still open. A pause that begins after the due time does
 * not move it. 0 with *due (and *remaining 0); CAL_PAUSED when an open pause is reached
 * first, with *remaining the business seconds still to run (*due DT_NONE); -1 when the
 * calendar has no hours within the horizon. */
#define CAL_PAUSED 1
int cal_due(const struct calendar *c, int64_t start, int64_t target_secs,
            const int64_t (*pauses)[2], size_t n, int64_t *due, int64_t *remaining);

#endif
