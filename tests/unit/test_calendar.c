/* Unit tests for src/rules/calendar.c: business time on working calendars with the 2026
 * mainland-China holidays and make-up days, windows across midnight, DST zones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rules/calendar.h"

#define H 3600

/* The 2026 schedule as the State Council published it (国办发明电〔2025〕7号), typed
 * here as the test's oracle; the product loads it from the chinese-days package. */
static const char *const off_2026[] = {
    "2026-01-01", "2026-01-02", "2026-01-03", "2026-02-15", "2026-02-16", "2026-02-17",
    "2026-02-18", "2026-02-19", "2026-02-20", "2026-02-21", "2026-02-22", "2026-02-23",
    "2026-04-04", "2026-04-05", "2026-04-06", "2026-05-01", "2026-05-02", "2026-05-03",
    "2026-05-04", "2026-05-05", "2026-06-19", "2026-06-20", "2026-06-21", "2026-09-25",
    "2026-09-26", "2026-09-27", "2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04",
    "2026-10-05", "2026-10-06", "2026-10-07"};
static const char *const makeup_2026[] = {"2026-01-04", "2026-02-14", "2026-02-28",
                                          "2026-05-09", "2026-09-20", "2026-10-10"};
#define NOFF (sizeof off_2026 / sizeof *off_2026)
#define NMAKEUP (sizeof makeup_2026 / sizeof *makeup_2026)

static struct cal_exception cn[NOFF + NMAKEUP];

static int64_t day_of(const char *s)
{
    int y, m, d;
    assert_int_equal(dt_parse_date(s, &y, &m, &d), 0);
    return dt_days_from_civil(y, m, d);
}

static int by_day(const void *a, const void *b)
{
    int64_t x = ((const struct cal_exception *)a)->day, y = ((const struct cal_exception *)b)->day;
    return x < y ? -1 : x > y;
}

static const struct dt_zone *shanghai(void)
{
    const struct dt_zone *z = dt_zone_get("Asia/Shanghai");
    assert_non_null(z);
    return z;
}

/* Mon-Fri 09:00-18:00 in Shanghai with the cn schedule. */
static void office(struct calendar *c)
{
    memset(c, 0, sizeof *c);
    c->zone = shanghai();
    for (int i = 0; i < 5; i++)
        assert_int_equal(cal_day_add(&c->week[i], "09:00", "18:00"), 0);
    cal_set_standard(c);
    size_t n = 0;
    for (size_t i = 0; i < NOFF; i++)
        cn[n++] = (struct cal_exception){.day = day_of(off_2026[i]), .kind = CAL_HOLIDAY};
    for (size_t i = 0; i < NMAKEUP; i++)
        cn[n++] = (struct cal_exception){.day = day_of(makeup_2026[i]), .kind = CAL_MAKEUP};
    qsort(cn, n, sizeof *cn, by_day);
    c->exc = cn;
    c->nexc = n;
}

static void always(struct calendar *c, const struct dt_zone *z)
{
    memset(c, 0, sizeof *c);
    c->zone = z;
    for (int i = 0; i < 7; i++)
        assert_int_equal(cal_day_add(&c->week[i], "00:00", "24:00"), 0);
}

/* An instant from local wall time in zone z. */
static int64_t at(const struct dt_zone *z, const char *wall)
{
    int64_t t;
    assert_int_equal(dt_parse_time(wall, z, &t), 0);
    return t;
}

static void expect_add(const struct calendar *c, const char *from, int64_t secs, const char *want)
{
    int64_t t;
    assert_int_equal(cal_add(c, at(c->zone, from), secs, &t), 0);
    if (t != at(c->zone, want)) {
        char got[32];
        int y, m, d, hh, mm, ss;
        dt_local_parts(c->zone, t, &y, &m, &d, &hh, &mm, &ss);
        snprintf(got, sizeof got, "%02d-%02d %02d:%02d", m, d, hh, mm);
        fail_msg("%s + %lld s: got %s, want %s", from, (long long)secs, got, want);
    }
}

static void times_and_windows_parse(void **s)
{
    (void)s;
    int32_t v;
    assert_int_equal(cal_parse_hhmm("08:30", &v), 0);
    assert_int_equal(v, 8 * H + 30 * 60);
    assert_int_equal(cal_parse_hhmm("24:00", &v), 0);
    assert_int_equal(v, 24 * H);
    const char *bad[] = {"24:01", "8:30", "08:60", "0830", "08:3a", "", "25:00", NULL};
    for (int i = 0; bad[i]; i++)
        assert_int_equal(cal_parse_hhmm(bad[i], &v), -1);
    assert_int_equal(cal_parse_hhmm(NULL, &v), -1);
    struct cal_day d = {0};
    assert_int_equal(cal_day_add(&d, "13:00", "18:00"), 0);
    assert_int_equal(cal_day_add(&d, "09:00", "12:00"), 0);
    assert_int_equal(d.w[0].open, 9 * H); /* kept sorted */
    assert_int_equal(cal_day_add(&d, "22:00", "06:00"), 0);
    assert_int_equal(d.w[2].close, 30 * H); /* the next morning */
    assert_int_equal(cal_day_add(&d, "10:00", "10:00"), -1);
    assert_int_equal(cal_day_add(&d, "24:00", "06:00"), -1);
    for (int i = d.n; i < CAL_MAX_WINDOWS; i++)
        assert_int_equal(cal_day_add(&d, "01:00", "02:00"), 0);
    assert_int_equal(cal_day_add(&d, "01:00", "02:00"), -1); /* full */
}

/* Every day of 2026: a working day exactly when it is Mon-Fri and no holiday, or a
 * make-up day; and then it has the office's nine hours. */
static void every_2026_holiday_and_makeup_day(void **s)
{
    (void)s;
    struct calendar c;
    office(&c);
    int worked = 0;
    for (int64_t day = day_of("2026-01-01"); day <= day_of("2026-12-31"); day++) {
        int y, m, d;
        dt_civil_from_days(day, &y, &m, &d);
        char ds[11];
        snprintf(ds, sizeof ds, "%04d-%02d-%02d", y, m, d);
        int off = 0, makeup = 0;
        for (size_t i = 0; i < NOFF; i++)
            off |= strcmp(ds, off_2026[i]) == 0;
        for (size_t i = 0; i < NMAKEUP; i++)
            makeup |= strcmp(ds, makeup_2026[i]) == 0;
        int want = makeup || (cal_weekday(day) < 5 && !off);
        int64_t midnight = dt_local_midnight(c.zone, y, m, d);
        int64_t hours = cal_between(&c, midnight, midnight + 24 * H);
        if (hours != (want ? 9 * H : 0))
            fail_msg("%s: %lld business seconds", ds, (long long)hours);
        worked += want;
    }
    assert_int_equal(worked, 248); /* 261 weekdays - 19 holidays on weekdays + 6 make-up days */
    assert_int_equal(cal_weekday(day_of("2026-10-10")), 5); /* a Saturday ... */
    expect_add(&c, "2026-10-09 17:00", 2 * H, "2026-10-10 10:00"); /* ... that is worked */
    expect_add(&c, "2026-01-03 12:00", 1 * H, "2026-01-04 10:00"); /* a make-up Sunday */
}

/* Complaints around the 2026 Mid-Autumn and National Day holidays, 24 business hours. */
static void around_national_day(void **s)
{
    (void)s;
    struct calendar c;
    office(&c);
    /* Thu 17:00 +1 h; Fri-Sun off; Mon, Tue 9 h each; Wed 09:00 + 5 h */
    expect_add(&c, "2026-09-24 17:00", 24 * H, "2026-09-30 14:00");
    /* received on a holiday: the clock starts at the next opening, Thu 10-08 09:00 */
    expect_add(&c, "2026-10-03 11:00", 24 * H, "2026-10-10 15:00"); /* 8th, 9th, Sat 10th */
    expect_add(&c, "2026-09-20 10:00", 8 * H, "2026-09-20 18:00");  /* the make-up Sunday */
    int64_t t;
    assert_int_equal(cal_next_open(&c, at(c.zone, "2026-10-01 00:00"), &t), 0);
    assert_int_equal(t, at(c.zone, "2026-10-08 09:00"));
    assert_int_equal(cal_next_open(&c, at(c.zone, "2026-10-08 10:30"), &t), 0);
    assert_int_equal(t, at(c.zone, "2026-10-08 10:30")); /* already open */
}

static void due_lands_exactly_at_closing(void **s)
{
    (void)s;
    struct calendar c;
    office(&c);
    expect_add(&c, "2026-11-02 09:00", 9 * H, "2026-11-02 18:00");      /* not 11-03 09:00 */
    expect_add(&c, "2026-11-02 09:00", 9 * H + 1, "2026-11-03 09:00:01");
    expect_add(&c, "2026-11-06 18:00", 0, "2026-11-06 18:00"); /* nothing to add */
    expect_add(&c, "2026-11-06 18:00", 1, "2026-11-09 09:00:01");
    assert_int_equal(cal_between(&c, at(c.zone, "2026-11-02 08:00"), at(c.zone, "2026-11-02 18:00")), 9 * H);
    assert_int_equal(cal_between(&c, at(c.zone, "2026-11-02 18:00"), at(c.zone, "2026-11-02 09:00")), 0);
}

/* Two windows a day, and a night shift that runs past midnight into a holiday. */
static void windows_across_midnight(void **s)
{
    (void)s;
    struct calendar c;
    office(&c);
    memset(c.week, 0, sizeof c.week);
    assert_int_equal(cal_day_add(&c.week[0], "09:00", "12:00"), 0);
    assert_int_equal(cal_day_add(&c.week[0], "13:00", "18:00"), 0);
    assert_int_equal(cal_day_add(&c.week[3], "22:00", "06:00"), 0); /* Thursday night */
    assert_int_equal(cal_day_add(&c.week[4], "00:00", "04:00"), 0); /* overlaps it */
    expect_add(&c, "2026-11-02 11:00", 2 * H, "2026-11-02 14:00"); /* skips lunch */
    /* Thu 11-05 22:00 to Fri 06:00 counts once: 8 h, not 12 */
    int64_t a = at(c.zone, "2026-11-05 00:00");
    assert_int_equal(cal_between(&c, a, a + 3 * 24 * H), 8 * H);
    expect_add(&c, "2026-11-05 23:00", 6 * H, "2026-11-06 05:00");
    /* Thursday 2026-09-24's shift runs into the Mid-Autumn holiday morning */
    expect_add(&c, "2026-09-24 21:00", 8 * H, "2026-09-25 06:00");
    /* the clock starts inside a shift that opened the evening before */
    expect_add(&c, "2026-11-06 03:00", 2 * H, "2026-11-06 05:00");
}

/* Europe/Berlin: the wall clock is honoured across the 2026 DST changes. */
static void dst_zone(void **s)
{
    (void)s;
    const struct dt_zone *berlin = dt_zone_get("Europe/Berlin");
    assert_non_null(berlin);
    struct calendar c;
    always(&c, berlin);
    int64_t d29 = dt_local_midnight(berlin, 2026, 3, 29), d30 = dt_local_midnight(berlin, 2026, 3, 30);
    assert_int_equal(cal_between(&c, d29, d30), 23 * H); /* spring forward */
    int64_t o25 = dt_local_midnight(berlin, 2026, 10, 25), o26 = dt_local_midnight(berlin, 2026, 10, 26);
    assert_int_equal(cal_between(&c, o25, o26), 25 * H); /* fall back */
    /* an office day keeps 09:00-18:00 by the wall clock on both sides of the change */
    struct calendar o = {.zone = berlin};
    for (int i = 0; i < 7; i++)
        assert_int_equal(cal_day_add(&o.week[i], "09:00", "18:00"), 0);
    expect_add(&o, "2026-03-28 17:00", 2 * H, "2026-03-29 10:00");
    int64_t t;
    assert_int_equal(cal_add(&o, at(berlin, "2026-03-28 17:00"), 2 * H, &t), 0);
    assert_int_equal(t - at(berlin, "2026-03-28 17:00"), 16 * H); /* 17 wall hours, one lost */
    /* a window 01:00-04:00 on the change day has two real hours */
    struct calendar n = {.zone = berlin};
    assert_int_equal(cal_day_add(&n.week[6], "01:00", "04:00"), 0); /* 2026-03-29 is a Sunday */
    assert_int_equal(cal_between(&n, d29, d30), 2 * H);
}

/* One sweep over a year of Berlin nights (it skips the zone searches while the offset
 * holds) counts what each window's own wall-clock conversion gives: 2 h a night, 1 h on
 * the spring-forward night, 3 h on the fall-back one. */
static void dst_year_in_one_sweep(void **s)
{
    (void)s;
    const struct dt_zone *berlin = dt_zone_get("Europe/Berlin");
    assert_non_null(berlin);
    struct calendar c = {.zone = berlin};
    for (int i = 0; i < 7; i++)
        assert_int_equal(cal_day_add(&c.week[i], "01:30", "03:30"), 0);
    int64_t d0 = dt_days_from_civil(2026, 1, 1), d1 = dt_days_from_civil(2027, 1, 1), want = 0;
    for (int64_t d = d0; d < d1; d++)
        want += dt_local_to_utc(berlin, d * 86400 + 12600) - dt_local_to_utc(berlin, d * 86400 + 5400);
    assert_int_equal(want, 365 * 2 * H);
    int64_t a = dt_local_midnight(berlin, 2026, 1, 1), b = dt_local_midnight(berlin, 2027, 1, 1), t;
    assert_int_equal(cal_between(&c, a, b), want);
    assert_int_equal(cal_add(&c, a, want, &t), 0);
    assert_int_equal(t, dt_local_to_utc(berlin, (d1 - 1) * 86400 + 12600));
    assert_int_equal(cal_between(&c, dt_local_midnight(berlin, 2026, 3, 29),
                                 dt_local_midnight(berlin, 2026, 3, 30)), 1 * H);
    assert_int_equal(cal_between(&c, dt_local_midnight(berlin, 2026, 10, 25),
                                 dt_local_midnight(berlin, 2026, 10, 26)), 3 * H);
}

/* A pause stops the clock for its business time; one spanning the National Day week
 * counts only the working hours inside it. */
static void pauses_spanning_holidays(void **s)
{
    (void)s;
    struct calendar c;
    office(&c);
    int64_t p0 = at(c.zone, "2026-09-30 15:00"), p1 = at(c.zone, "2026-10-09 10:00");
    int64_t paused = cal_between(&c, p0, p1);
    assert_int_equal(paused, 3 * H + 9 * H + 1 * H); /* 09-30 15-18, 10-08, 10-09 09-10 */
    /* received Tue 09-29 09:00, 24 h due Thu 10-08 15:00 without the pause */
    int64_t due, recv = at(c.zone, "2026-09-29 09:00");
    assert_int_equal(cal_add(&c, recv, 24 * H, &due), 0);
    assert_int_equal(due, at(c.zone, "2026-10-08 15:00"));
    /* with it the due time moves by exactly the paused business time */
    int64_t due2;
    assert_int_equal(cal_add(&c, recv, 24 * H + paused, &due2), 0);
    assert_int_equal(cal_between(&c, due, due2), paused);
    assert_int_equal(due2, at(c.zone, "2026-10-10 10:00")); /* the make-up Saturday */
}

/* cal_due: the due instant with the stored pauses. */
static void due_with_pauses(void **s)
{
    (void)s;
    struct calendar c;
    office(&c);
    int64_t due, rem, recv = at(c.zone, "2026-09-29 09:00");
    /* no pauses: the plain sum */
    assert_int_equal(cal_due(&c, recv, 24 * H, NULL, 0, &due, &rem), 0);
    assert_int_equal(due, at(c.zone, "2026-10-08 15:00"));
    assert_int_equal(rem, 0);
    /* one pause across the National Day week: 13 business hours paused */
    int64_t one[][2] = {{at(c.zone, "2026-09-30 15:00"), at(c.zone, "2026-10-09 10:00")}};
    assert_int_equal(cal_due(&c, recv, 24 * H, one, 1, &due, &rem), 0);
    assert_int_equal(due, at(c.zone, "2026-10-10 10:00"));
    /* several pauses, one of them wholly on the holiday (no business time: no effect),
     * one before the clock started (ignored) */
    int64_t several[][2] = {{at(c.zone, "2026-09-28 10:00"), at(c.zone, "2026-09-28 12:00")},
                            {at(c.zone, "2026-09-29 10:00"), at(c.zone, "2026-09-29 12:00")},
                            {at(c.zone, "2026-10-02 09:00"), at(c.zone, "2026-10-05 18:00")},
                            {at(c.zone, "2026-10-08 09:00"), at(c.zone, "2026-10-08 09:30")}};
    assert_int_equal(cal_due(&c, recv, 24 * H, several, 4, &due, &rem), 0);
    assert_int_equal(due, at(c.zone, "2026-10-08 17:30")); /* 15:00 + 2 h + 30 min */
    /* a pause that starts inside another's span of the clock, overlapping the start */
    int64_t early[][2] = {{at(c.zone, "2026-09-29 08:00"), at(c.zone, "2026-09-29 10:00")}};
    assert_int_equal(cal_due(&c, recv, 24 * H, early, 1, &due, &rem), 0);
    assert_int_equal(due, at(c.zone, "2026-10-08 16:00")); /* one business hour paused */
    /* a pause after the breach does not move the due time, nor does one starting at it */
    int64_t late[][2] = {{at(c.zone, "2026-10-08 15:00"), at(c.zone, "2026-10-09 12:00")},
                         {at(c.zone, "2026-10-12 09:00"), DT_NONE}};
    assert_int_equal(cal_due(&c, recv, 24 * H, late, 2, &due, &rem), 0);
    assert_int_equal(due, at(c.zone, "2026-10-08 15:00"));
    /* an open pause reached first: paused, with the business time still to run */
    int64_t open[][2] = {{at(c.zone, "2026-09-29 09:00"), at(c.zone, "2026-09-29 10:00")},
                         {at(c.zone, "2026-09-30 17:00"), DT_NONE}};
    assert_int_equal(cal_due(&c, recv, 24 * H, open, 2, &due, &rem), CAL_PAUSED);
    assert_int_equal(due, DT_NONE);
    assert_int_equal(rem, 24 * H - (8 * H + 8 * H)); /* 09-29 10-18, 09-30 09-17 */
    /* a zero target is due at once, even with an open pause at the start */
    int64_t now[][2] = {{recv, DT_NONE}};
    assert_int_equal(cal_due(&c, recv, 0, now, 1, &due, &rem), 0);
    assert_int_equal(due, recv);
    /* a calendar without hours gives up */
    struct calendar none = {.zone = shanghai()};
    assert_int_equal(cal_due(&none, recv, H, NULL, 0, &due, &rem), -1);
}

static void always_and_never(void **s)
{
    (void)s;
    struct calendar c;
    always(&c, shanghai());
    expect_add(&c, "2026-10-01 08:15", 24 * H, "2026-10-02 08:15");
    expect_add(&c, "2026-12-31 23:00", 2 * H, "2027-01-01 01:00");
    int64_t a = at(c.zone, "2026-01-01 00:00"), b = at(c.zone, "2027-01-01 00:00");
    assert_int_equal(cal_between(&c, a, b), 365 * 24 * H);
    /* a long sum: a year of business time on the office calendar */
    struct calendar o;
    office(&o);
    int64_t t;
    assert_int_equal(cal_add(&o, at(o.zone, "2026-01-01 00:00"), 248 * 9 * H, &t), 0);
    assert_int_equal(t, at(o.zone, "2026-12-31 18:00"));
    struct calendar none = {.zone = shanghai()};
    assert_int_equal(cal_add(&none, a, 1, &t), -1);
    assert_int_equal(cal_next_open(&none, a, &t), -1);
    assert_int_equal(cal_between(&none, a, b), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(times_and_windows_parse),
        cmocka_unit_test(every_2026_holiday_and_makeup_day),
        cmocka_unit_test(around_national_day),
        cmocka_unit_test(due_lands_exactly_at_closing),
        cmocka_unit_test(windows_across_midnight),
        cmocka_unit_test(dst_zone),
        cmocka_unit_test(dst_year_in_one_sweep),
        cmocka_unit_test(pauses_spanning_holidays),
        cmocka_unit_test(due_with_pauses),
        cmocka_unit_test(always_and_never),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
