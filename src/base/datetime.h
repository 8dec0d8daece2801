/* datetime: the one place for calendar dates, instants and time zones: parsing and
 * formatting "YYYY-MM-DD" and RFC 3339, civil-day arithmetic, TZif zones from the
 * system's zoneinfo, and the local date or midnight of an instant in a zone.
 *
 * Instants are int64_t unix seconds (UTC). Nothing here reads the process time zone
 * (TZ, localtime): every local computation names its zone, so threads never race. */
#ifndef BASE_DATETIME_H
#define BASE_DATETIME_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define DT_NONE INT64_MIN /* an absent instant */

/* ---- calendar ---- */

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t dt_days_from_civil(int y, int m, int d);
void dt_civil_from_days(int64_t days, int *y, int *m, int *d);
/* Days in month m of year y. */
int dt_month_days(int y, int m);
/* Parse "YYYY-MM-DD", a real calendar date of the years 1970-9999. 0 or -1. */
int dt_parse_date(const char *s, int *y, int *m, int *d);
/* 1 when s is such a date. */
int dt_is_date(const char *s);

/* ---- zones (TZif files, RFC 8536) ---- */

struct dt_zone {
    size_t ntrans;
    int64_t *trans;     /* transition instants, ascending */
    unsigned char *idx; /* local time type in force from trans[i] */
    size_t ntypes;
    int32_t *utoff;     /* seconds east of UTC per local time type */
};

/* Parse a TZif file (version 1, 2 or later) from memory. 0, or -1 when it is not a
 * valid TZif file (z is then empty). Free with dt_zone_free. Instants after the last
 * transition keep the last offset (the POSIX footer rule is not applied). */
int dt_zone_parse(const unsigned char *buf, size_t len, struct dt_zone *z);
void dt_zone_free(struct dt_zone *z);
/* A zone with one fixed offset (tests, and UTC). 0 or -1. */
int dt_zone_fixed(int32_t utoff, struct dt_zone *z);
/* Seconds east of UTC in force at instant t. */
int32_t dt_zone_offset(const struct dt_zone *z, int64_t t);
/* The offset at t and the instants [*lo, *hi) around t that have it without a
 * transition between (INT64_MIN / INT64_MAX at the ends). */
int32_t dt_zone_span(const struct dt_zone *z, int64_t t, int64_t *lo, int64_t *hi);
/* The UTC instant of local midnight starting day y-m-d in z. A midnight skipped by a
 * clock change maps to the first instant after the gap. */
int64_t dt_local_midnight(const struct dt_zone *z, int y, int m, int d);
/* The UTC instant of a local wall time written as seconds since 1970-01-01 00:00 local
 * (days * 86400 + seconds into the day; more than 86400 seconds run into the next day).
 * A wall time skipped by a clock change maps to the end of the gap; one that happens
 * twice, to the earlier. */
int64_t dt_local_to_utc(const struct dt_zone *z, int64_t local);
/* 1 when name is a plausible zone name ("Asia/Shanghai", "UTC"): letters, digits,
 * '/', '_', '-', '+', no "..", at most 63 bytes. */
int dt_zone_name_ok(const char *name);
/* The zone `name` read from the system's zoneinfo ($TZDIR, else /usr/share/zoneinfo),
 * parsed once and kept for the life of the process (thread-safe). NULL when the name
 * is not valid or the file is missing or not TZif. */
const struct dt_zone *dt_zone_get(const char *name);

/* ---- formatting ---- */

/* "2026-11-24T04:55:02Z" (RFC 3339, UTC). */
void dt_rfc3339(int64_t t, char out[21]);
/* The same as a JSON string, or JSON null when t is DT_NONE. */
json_t *dt_json(int64_t t);
/* Instant t as local time in z with z's offset then: "2026-09-30T14:00:00+08:00" (UTC,
 * "...Z", when z is NULL). */
void dt_rfc3339_zone(const struct dt_zone *z, int64_t t, char out[26]);
/* The same as a JSON string, or JSON null when t is DT_NONE. */
json_t *dt_json_zone(const struct dt_zone *z, int64_t t);
/* The local date "YYYY-MM-DD" of instant t in zone z (UTC when z is NULL). */
void dt_local_date(const struct dt_zone *z, int64_t t, char out[11]);
/* The local wall-clock parts of t in z (UTC when z is NULL). */
void dt_local_parts(const struct dt_zone *z, int64_t t, int *y, int *m, int *d, int *hh,
                    int *mm, int *ss);

/* ---- parsing ---- */

/* An instant written as RFC 3339 ("2026-05-01T10:00:00+08:00", "...Z", fractions of a
 * second ignored) or, when local is not NULL, as local wall time "YYYY-MM-DD HH:MM[:SS]"
 * in zone `local`. 0 with *out set, or -1. */
int dt_parse_time(const char *s, const struct dt_zone *local, int64_t *out);

#endif
