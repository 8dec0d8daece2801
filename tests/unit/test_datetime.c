/* datetime: dates, RFC 3339 instants and zones, the one place for them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "base/datetime.h"

static void dates_are_real_calendar_days(void **state)
{
    int y, m, d;
    assert_int_equal(dt_parse_date("2024-02-29", &y, &m, &d), 0);
    assert_int_equal(y * 10000 + m * 100 + d, 20240229);
    assert_int_equal(dt_parse_date("2023-02-29", &y, &m, &d), -1);
    assert_int_equal(dt_parse_date("1900-02-28", &y, &m, &d), -1); /* before 1970 */
    assert_int_equal(dt_parse_date("2026-04-31", &y, &m, &d), -1);
    assert_int_equal(dt_parse_date("2026-4-01", &y, &m, &d), -1);
    assert_int_equal(dt_parse_date("2026-04-01 ", &y, &m, &d), -1);
    assert_int_equal(dt_parse_date("2026-0a-01", &y, &m, &d), -1);
    assert_int_equal(dt_parse_date(NULL, &y, &m, &d), -1);
    assert_true(dt_is_date("2000-02-29"));
    assert_false(dt_is_date("2100-02-29"));
    assert_int_equal(dt_month_days(2024, 2), 29);
    assert_int_equal(dt_month_days(2026, 12), 31);
    assert_int_equal(dt_month_days(2026, 13), 0);
}

static void civil_days_round_trip(void **state)
{
    assert_int_equal(dt_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(dt_days_from_civil(2026, 1, 1), 20454);
    for (int64_t days = -1000; days < 40000; days += 7) {
        int y, m, d;
        dt_civil_from_days(days, &y, &m, &d);
        assert_int_equal(dt_days_from_civil(y, m, d), days);
    }
}

static void rfc3339_formats_and_parses(void **state)
{
    char s[21];
    dt_rfc3339(0, s);
    assert_string_equal(s, "1970-01-01T00:00:00Z");
    dt_rfc3339(1764000902, s);
    assert_string_equal(s, "2025-11-24T16:15:02Z");
    int64_t t;
    assert_int_equal(dt_parse_time("2025-11-24T16:15:02Z", NULL, &t), 0);
    assert_int_equal(t, 1764000902);
    assert_int_equal(dt_parse_time("2025-11-25T00:15:02+08:00", NULL, &t), 0);
    assert_int_equal(t, 1764000902);
    assert_int_equal(dt_parse_time("2025-11-24T11:15:02.250-05:00", NULL, &t), 0);
    assert_int_equal(t, 1764000902);
    assert_int_equal(dt_parse_time("2025-11-24T16:15Z", NULL, &t), 0);
    assert_int_equal(t, 1764000900);
    /* no offset: only the local form with a space, and only when a zone is given */
    assert_int_equal(dt_parse_time("2025-11-24T16:15:02", NULL, &t), -1);
    assert_int_equal(dt_parse_time("2025-11-24 16:15:02", NULL, &t), -1);
    assert_int_equal(dt_parse_time("2025-11-24T24:00:00Z", NULL, &t), -1);
    assert_int_equal(dt_parse_time("2025-11-24T16:15:02+8:00", NULL, &t), -1);
    assert_int_equal(dt_parse_time("2025-02-30T00:00:00Z", NULL, &t), -1);
    assert_int_equal(dt_parse_time("", NULL, &t), -1);
    json_t *j = dt_json(DT_NONE);
    assert_true(json_is_null(j));
    j = dt_json(0);
    assert_string_equal(json_string_value(j), "1970-01-01T00:00:00Z");
    json_decref(j);
}

static void zones_from_the_system_zoneinfo(void **state)
{
    const struct dt_zone *sh = dt_zone_get("Asia/Shanghai");
    assert_non_null(sh);
    assert_ptr_equal(dt_zone_get("Asia/Shanghai"), sh); /* parsed once */
    assert_int_equal(dt_zone_offset(sh, 1764000902), 8 * 3600);
    assert_null(dt_zone_get("../etc/passwd"));
    assert_null(dt_zone_get("/etc/passwd"));
    assert_null(dt_zone_get("No/Such_Zone"));
    assert_non_null(dt_zone_get("UTC"));
    assert_int_equal(dt_zone_offset(NULL, 5), 0);

    char day[11];
    /* 2025-11-24T16:15:02Z is already the 25th in Shanghai */
    dt_local_date(sh, 1764000902, day);
    assert_string_equal(day, "2025-11-25");
    dt_local_date(NULL, 1764000902, day);
    assert_string_equal(day, "2025-11-24");
    int64_t t;
    assert_int_equal(dt_parse_time("2025-11-25 00:15:02", sh, &t), 0);
    assert_int_equal(t, 1764000902);
    assert_int_equal(dt_parse_time("2025-11-25 00:15", sh, &t), 0);
    assert_int_equal(t, 1764000900);
    assert_int_equal(dt_local_midnight(sh, 2025, 11, 25), 1764000000);

    /* New York: 2026-03-08 02:00 does not exist (clocks go to 03:00); 01:30 on
     * 2026-11-01 happens twice and the earlier one is taken */
    const struct dt_zone *ny = dt_zone_get("America/New_York");
    assert_non_null(ny);
    assert_int_equal(dt_local_midnight(ny, 2026, 3, 8), 1772946000);
    assert_int_equal(dt_parse_time("2026-03-08 02:30", ny, &t), 0);
    assert_int_equal(t, 1772953200); /* 03:00 EDT, the first instant after the gap */
    assert_int_equal(dt_parse_time("2026-11-01 01:30", ny, &t), 0);
    assert_int_equal(t, 1793511000); /* 01:30 EDT, before the clocks fall back */
}

/* The appointment times of the service network (moved from rules/routing). */
static void shanghai_appointment_instants(void **state)
{
    const struct dt_zone *sh = dt_zone_get("Asia/Shanghai");
    int64_t t = 0;
    char buf[21], day[11];
    /* 09:00 in Shanghai is 01:00 UTC */
    assert_int_equal(dt_local_midnight(sh, 2026, 11, 25) + 9 * 3600, 1795568400);
    dt_rfc3339(1795568400, buf);
    assert_string_equal(buf, "2026-11-25T01:00:00Z");
    assert_int_equal(dt_parse_time("2026-11-25T09:00:00+08:00", sh, &t), 0);
    assert_int_equal(t, 1795568400);
    assert_int_equal(dt_parse_time("2026-11-25 09:00", sh, &t), 0);
    assert_int_equal(t, 1795568400);
    assert_int_equal(dt_parse_time("2026-11-24T20:00:00-05:00", sh, &t), 0);
    assert_int_equal(t, 1795568400);
    assert_int_equal(dt_parse_time("2026-11-25T09:00:00", sh, &t), -1);
    assert_int_equal(dt_parse_time("2026-11-25", sh, &t), -1);
    /* 23:30 UTC is 07:30 the next local day */
    int y, m, d, hh, mm, ss;
    dt_local_date(sh, 1795649400, day);
    assert_string_equal(day, "2026-11-26");
    dt_local_parts(sh, 1795649400, &y, &m, &d, &hh, &mm, &ss);
    assert_int_equal(hh * 60 + mm, 7 * 60 + 30);
}

static void fixed_zones_and_bad_tzif(void **state)
{
    struct dt_zone z;
    assert_int_equal(dt_zone_fixed(-3600, &z), 0);
    assert_int_equal(dt_zone_offset(&z, 123456), -3600);
    char day[11];
    dt_local_date(&z, 3600, day);
    assert_string_equal(day, "1970-01-01");
    dt_local_date(&z, 1, day);
    assert_string_equal(day, "1969-12-31");
    dt_zone_free(&z);
    const unsigned char junk[60] = "TZif2 but nothing else";
    assert_int_equal(dt_zone_parse(junk, sizeof junk, &z), -1);
    assert_int_equal(dt_zone_parse(NULL, 0, &z), -1);
}

/* RFC 3339 with the zone's offset, and back to the same instant. */
static void rfc3339_with_offset(void **st)
{
    (void)st;
    char s[26];
    int64_t t;
    const struct dt_zone *sh = dt_zone_get("Asia/Shanghai"), *berlin = dt_zone_get("Europe/Berlin");
    assert_non_null(sh);
    assert_non_null(berlin);
    assert_int_equal(dt_parse_time("2026-09-30T06:00:00Z", NULL, &t), 0);
    dt_rfc3339_zone(sh, t, s);
    assert_string_equal(s, "2026-09-30T14:00:00+08:00");
    dt_rfc3339_zone(berlin, t, s);
    assert_string_equal(s, "2026-09-30T08:00:00+02:00"); /* summer time */
    int64_t back;
    assert_int_equal(dt_parse_time(s, NULL, &back), 0);
    assert_int_equal(back, t);
    assert_int_equal(dt_parse_time("2026-12-03T00:34:05Z", NULL, &t), 0);
    dt_rfc3339_zone(berlin, t, s);
    assert_string_equal(s, "2026-12-03T01:34:05+01:00");
    struct dt_zone west;
    assert_int_equal(dt_zone_fixed(-(3 * 3600 + 30 * 60), &west), 0);
    dt_rfc3339_zone(&west, t, s);
    assert_string_equal(s, "2026-12-02T21:04:05-03:30");
    dt_zone_free(&west);
    dt_rfc3339_zone(NULL, t, s);
    assert_string_equal(s, "2026-12-03T00:34:05Z");
    json_t *j = dt_json_zone(sh, DT_NONE);
    assert_true(json_is_null(j));
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dates_are_real_calendar_days),
        cmocka_unit_test(civil_days_round_trip),
        cmocka_unit_test(rfc3339_formats_and_parses),
        cmocka_unit_test(zones_from_the_system_zoneinfo),
        cmocka_unit_test(shanghai_appointment_instants),
        cmocka_unit_test(fixed_zones_and_bad_tzif),
        cmocka_unit_test(rfc3339_with_offset),
    };
    return cmocka_run_group_tests_name("datetime", tests, NULL, NULL);
}
