/* Unit tests for src/rules/warranty.c: warranty end dates, serials, purchase dates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rules/warranty.h"

static void expect_until(const char *purchase, int months, const char *want)
{
    char out[11] = "";
    assert_int_equal(warranty_until(purchase, months, out), 0);
    assert_string_equal(out, want);
}

static void until_spec_example(void **s)
{
    (void)s;
    expect_until("2026-02-15", 12, "2027-02-14");
}

static void until_month_end_clamping(void **s)
{
    (void)s;
    expect_until("2026-01-31", 1, "2026-02-27");  /* Feb 28 clamp, minus one */
    expect_until("2028-01-31", 1, "2028-02-28");  /* leap year: Feb 29 clamp */
    expect_until("2026-03-31", 1, "2026-04-29");  /* Apr 30 clamp */
    expect_until("2024-02-29", 12, "2025-02-27"); /* leap day + 1 year -> Feb 28 - 1 */
    expect_until("2024-02-29", 48, "2028-02-28");
    expect_until("2026-08-31", 6, "2027-02-27");
}

static void until_crosses_boundaries(void **s)
{
    (void)s;
    expect_until("2026-01-01", 12, "2026-12-31"); /* minus one day crosses the year */
    expect_until("2026-03-01", 1, "2026-03-31");
    expect_until("2026-12-15", 1, "2027-01-14");
    expect_until("2026-11-01", 24, "2028-10-31");
    expect_until("2026-03-01", 12, "2027-02-28");
    expect_until("2027-03-01", 12, "2028-02-29");
    expect_until("2026-06-10", 36, "2029-06-09");
}

static void until_rejects_bad_input(void **s)
{
    (void)s;
    char out[11] = "x";
    assert_int_equal(warranty_until("2026-02-30", 12, out), -1);
    assert_int_equal(warranty_until("2026-2-15", 12, out), -1);
    assert_int_equal(warranty_until("2026-02-15", 0, out), -1);
    assert_int_equal(warranty_until("2026-02-15", -3, out), -1);
    assert_int_equal(warranty_until("2026-02-15", 601, out), -1);
    assert_int_equal(warranty_until(NULL, 12, out), -1);
    assert_string_equal(out, "x"); /* untouched on failure */
}

static void parse_date_strict(void **s)
{
    (void)s;
    int y, m, d;
    assert_int_equal(warranty_parse_date("2024-02-29", &y, &m, &d), 0);
    assert_int_equal(y, 2024);
    assert_int_equal(m, 2);
    assert_int_equal(d, 29);
    assert_int_equal(warranty_parse_date("2023-02-29", &y, &m, &d), -1);
    assert_int_equal(warranty_parse_date("1900-02-29", &y, &m, &d), -1);
    assert_int_equal(warranty_parse_date("2000-02-29", &y, &m, &d), 0);
    assert_int_equal(warranty_parse_date("2026-13-01", &y, &m, &d), -1);
    assert_int_equal(warranty_parse_date("2026-00-10", &y, &m, &d), -1);
    assert_int_equal(warranty_parse_date("2026-04-31", &y, &m, &d), -1);
    assert_int_equal(warranty_parse_date("2026-04-00", &y, &m, &d), -1);
    assert_int_equal(warranty_parse_date("2026/04/01", &y, &m, &d), -1);
    assert_int_equal(warranty_parse_date("2026-04-01T00", &y, &m, &d), -1);
    assert_int_equal(warranty_parse_date("20a6-04-01", &y, &m, &d), -1);
    assert_int_equal(warranty_parse_date("", &y, &m, &d), -1);
}

static void serial_format(void **s)
{
    (void)s;
    char out[WARRANTY_SERIAL_MAX + 1];
    assert_int_equal(warranty_serial_normalize("ab-12cd", out), 0);
    assert_string_equal(out, "AB-12CD");
    assert_int_equal(warranty_serial_normalize("  x1y2  ", out), 0);
    assert_string_equal(out, "X1Y2");
    assert_int_equal(warranty_serial_normalize("abcd", out), 0); /* exactly 4 */
    assert_int_equal(warranty_serial_normalize("abc", out), -1);
    assert_int_equal(warranty_serial_normalize("ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", out), 0); /* 32 */
    assert_int_equal(warranty_serial_normalize("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456", out), -1);
    assert_int_equal(warranty_serial_normalize("AB CD", out), -1);
    assert_int_equal(warranty_serial_normalize("AB_CD", out), -1);
    assert_int_equal(warranty_serial_normalize("ＡＢＣＤ", out), -1); /* full-width letters */
    assert_int_equal(warranty_serial_normalize("序列号1234", out), -1);
    assert_int_equal(warranty_serial_normalize("", out), -1);
    assert_int_equal(warranty_serial_normalize(NULL, out), -1);
    char a[WARRANTY_SERIAL_MAX + 1], b[WARRANTY_SERIAL_MAX + 1];
    assert_int_equal(warranty_serial_normalize("kd-55x9000h", a), 0);
    assert_int_equal(warranty_serial_normalize("KD-55X9000H", b), 0);
    assert_string_equal(a, b); /* case-insensitive */
}

static void purchase_checks(void **s)
{
    (void)s;
    assert_int_equal(warranty_check_purchase("2026-05-01", "2026-11-24", "2026-01-01"),
                     WARRANTY_DATE_OK);
    assert_int_equal(warranty_check_purchase("2026-11-24", "2026-11-24", NULL), WARRANTY_DATE_OK);
    assert_int_equal(warranty_check_purchase("2026-11-25", "2026-11-24", NULL),
                     WARRANTY_DATE_FUTURE);
    assert_int_equal(warranty_check_purchase("2025-12-31", "2026-11-24", "2026-01-01"),
                     WARRANTY_DATE_BEFORE_LAUNCH);
    assert_int_equal(warranty_check_purchase("2026-01-01", "2026-11-24", "2026-01-01"),
                     WARRANTY_DATE_OK); /* on launch day */
    assert_int_equal(warranty_check_purchase("2026-02-30", "2026-11-24", ""),
                     WARRANTY_DATE_MALFORMED);
    assert_int_equal(warranty_check_purchase("yesterday", "2026-11-24", ""),
                     WARRANTY_DATE_MALFORMED);
    assert_string_equal(warranty_purchase_reason(WARRANTY_DATE_FUTURE),
                        "purchase_date is in the future");
}

static void covers(void **s)
{
    (void)s;
    assert_int_equal(warranty_covers("2027-02-14", "2027-02-14"), 1);
    assert_int_equal(warranty_covers("2027-02-14", "2027-02-15"), 0);
    assert_int_equal(warranty_covers("2027-02-14", "2026-02-15"), 1);
    assert_int_equal(warranty_covers(NULL, "2026-02-15"), 0);
    assert_int_equal(warranty_covers("", "2026-02-15"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(until_spec_example),      cmocka_unit_test(until_month_end_clamping),
        cmocka_unit_test(until_crosses_boundaries), cmocka_unit_test(until_rejects_bad_input),
        cmocka_unit_test(parse_date_strict),       cmocka_unit_test(serial_format),
        cmocka_unit_test(purchase_checks),         cmocka_unit_test(covers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
