/* Unit tests for rules/routing.c: ranking candidate outlets and coverage arithmetic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rules/routing.h"

#define assert_near(a, b, eps) assert_true(fabs((double)(a) - (double)(b)) < (eps))

static struct routing_candidate cand(int64_t id, const char *code, const char *grade,
                                     int64_t open, int64_t capacity, int distance)
{
    return (struct routing_candidate){.outlet_id = id, .code = code, .grade = grade,
                                      .open_repairs = open, .capacity = capacity,
                                      .distance = distance};
}

static void test_distance(void **state)
{
    (void)state;
    assert_int_equal(routing_distance("440106", "440106"), ROUTING_SAME_COUNTY);
    assert_int_equal(routing_distance("440106", "440104"), ROUTING_SAME_CITY);
    assert_int_equal(routing_distance("440106", "440100"), ROUTING_SAME_CITY);
    assert_int_equal(routing_distance("440106", "440305"), ROUTING_SAME_PROVINCE);
    assert_int_equal(routing_distance("440106", "310104"), ROUTING_ELSEWHERE);
    assert_int_equal(routing_distance("440106", NULL), ROUTING_ELSEWHERE);
    assert_int_equal(routing_distance("44010", "440106"), ROUTING_ELSEWHERE);
}

static void test_grade_rank(void **state)
{
    (void)state;
    assert_int_equal(routing_grade_rank("A"), 0);
    assert_int_equal(routing_grade_rank("b"), 1);
    assert_int_equal(routing_grade_rank("D"), 3);
    assert_int_equal(routing_grade_rank(NULL), 4);
    assert_int_equal(routing_grade_rank("AA"), 4);
    assert_int_equal(routing_grade_rank("E"), 4);
}

static void test_lower_load_wins(void **state)
{
    (void)state;
    struct routing_candidate c[] = {cand(1, "O1", "B", 30, 60, 1), cand(2, "O2", "B", 10, 60, 1)};
    routing_rank(c, 2);
    assert_string_equal(c[0].code, "O2");
    assert_true(c[0].load > 0.166 && c[0].load < 0.167);
    assert_near(c[1].load, 0.5, 1e-9);
}

static void test_full_goes_last(void **state)
{
    (void)state;
    /* O1 is nearer and better graded but full: the other one takes the repair */
    struct routing_candidate c[] = {cand(1, "O1", "A", 60, 60, 0), cand(2, "O2", "D", 50, 60, 3)};
    routing_rank(c, 2);
    assert_string_equal(c[0].code, "O2");
    assert_int_equal(c[0].full, 0);
    assert_int_equal(c[1].full, 1);
}

static void test_no_capacity_is_full(void **state)
{
    (void)state;
    struct routing_candidate c[] = {cand(1, "O1", "A", 0, 0, 0), cand(2, "O2", "C", 5, 10, 2)};
    routing_rank(c, 2);
    assert_string_equal(c[0].code, "O2");
    assert_int_equal(c[1].full, 1);
    assert_near(c[1].load, 1.0, 1e-9);
}

static void test_nearer_wins_when_equal(void **state)
{
    (void)state;
    struct routing_candidate c[] = {cand(1, "O1", "B", 5, 50, ROUTING_SAME_PROVINCE),
                                    cand(2, "O2", "B", 5, 50, ROUTING_SAME_CITY),
                                    cand(3, "O3", "B", 5, 50, ROUTING_SAME_COUNTY)};
    routing_rank(c, 3);
    assert_string_equal(c[0].code, "O3");
    assert_string_equal(c[1].code, "O2");
    assert_string_equal(c[2].code, "O1");
    assert_near(c[2].score - c[0].score, 0.4, 1e-9);
}

static void test_grade_breaks_equal_load(void **state)
{
    (void)state;
    struct routing_candidate c[] = {cand(1, "O1", "C", 10, 100, 1), cand(2, "O2", "A", 10, 100, 1)};
    routing_rank(c, 2);
    assert_string_equal(c[0].code, "O2");
    assert_near(c[1].score - c[0].score, 0.3, 1e-9);
}

static void test_ties_by_code(void **state)
{
    (void)state;
    struct routing_candidate c[] = {cand(9, "O9", "B", 1, 10, 1), cand(3, "O3", "B", 1, 10, 1)};
    routing_rank(c, 2);
    assert_string_equal(c[0].code, "O3");
}

static void test_load_outweighs_one_city_step(void **state)
{
    (void)state;
    /* same county but 90% loaded vs same city at 10%: 0.9 > 0.1 + 0.2 */
    struct routing_candidate c[] = {cand(1, "O1", "B", 90, 100, 0), cand(2, "O2", "B", 10, 100, 1)};
    routing_rank(c, 2);
    assert_string_equal(c[0].code, "O2");
}

static void test_explain(void **state)
{
    (void)state;
    struct routing_candidate c[] = {cand(1, "O1", "A", 12, 60, 1), cand(2, "O2", "B", 30, 60, 0)};
    routing_rank(c, 2);
    char *why = routing_explain(c, 2, "440106", "TV");
    assert_non_null(why);
    assert_non_null(strstr(why, "chosen because"));
    assert_non_null(strstr(why, "covers 440106"));
    assert_non_null(strstr(why, "authorised for TV"));
    assert_non_null(strstr(why, "load 12/60 (20%)"));
    assert_non_null(strstr(why, "grade A"));
    assert_non_null(strstr(why, "next best O2"));
    free(why);
    assert_null(routing_explain(c, 0, "440106", "TV"));
}

static void test_explain_all_full(void **state)
{
    (void)state;
    struct routing_candidate c[] = {cand(1, "O1", "A", 70, 60, 0)};
    routing_rank(c, 1);
    char *why = routing_explain(c, 1, "440106", "TV");
    assert_non_null(strstr(why, "every candidate is full"));
    assert_non_null(strstr(why, "; 1 candidate"));
    free(why);
}

static void test_coverage_rate(void **state)
{
    (void)state;
    assert_near(coverage_rate(2708, 2978), 2708.0 / 2978.0, 1e-12);
    assert_near(coverage_rate(0, 5), 0.0, 1e-12);
    assert_near(coverage_rate(5, 5), 1.0, 1e-12);
    assert_true(coverage_rate(0, 0) < 0); /* no rate, reported as null */
}

static void test_coverage_includes(void **state)
{
    (void)state;
    assert_true(coverage_includes("440106", "440106", "440100"));
    assert_true(coverage_includes("440100", "440106", "440100"));
    assert_true(coverage_includes("440000", "440106", "440100"));
    assert_false(coverage_includes("440300", "440106", "440100"));
    assert_false(coverage_includes("450000", "440106", "440100"));
    /* a directly administered county: its group code, not a prefix, makes the city */
    assert_true(coverage_includes("429000", "429004", "429000"));
    assert_false(coverage_includes("420100", "429004", "429000"));
    assert_true(coverage_includes("441900", "441900", "441900"));
    assert_false(coverage_includes("4401", "440106", "440100"));
}

static void test_region_code_valid(void **state)
{
    (void)state;
    assert_true(region_code_valid("110105"));
    assert_false(region_code_valid("11010"));
    assert_false(region_code_valid("11010a"));
    assert_false(region_code_valid(NULL));
}

static void test_hhmm_and_weekday(void **state)
{
    (void)state;
    assert_int_equal(hhmm_minutes("08:30"), 510);
    assert_int_equal(hhmm_minutes("24:00"), 1440);
    assert_int_equal(hhmm_minutes("24:01"), -1);
    assert_int_equal(hhmm_minutes("8:30"), -1);
    assert_int_equal(hhmm_minutes("12:60"), -1);
    assert_int_equal(date_weekday("2026-11-24"), 2); /* a Tuesday */
    assert_int_equal(date_weekday("2026-11-29"), 7);
    assert_int_equal(date_weekday("2024-02-29"), 4);
    assert_int_equal(date_weekday("2026-02-29"), 0);
    assert_int_equal(date_weekday("2026-13-01"), 0);
    assert_int_equal(date_weekday("1970-01-01"), 4);
}

static void test_free_slots(void **state)
{
    (void)state;
    int out[32];
    /* 08:30-12:30 in hours, busy 09:30-10:15 */
    int from[] = {570}, to[] = {615};
    size_t n = free_slots(510, 750, 60, from, to, 1, out, 32);
    assert_int_equal(n, 3); /* 08:30, 10:30, 11:30; 09:30 clashes */
    assert_int_equal(out[0], 510);
    assert_int_equal(out[1], 630);
    assert_int_equal(out[2], 690);
    n = free_slots(510, 750, 60, NULL, NULL, 0, out, 32);
    assert_int_equal(n, 4);
    /* a slot ending exactly when the busy one starts is free */
    int f2[] = {570}, t2[] = {630};
    n = free_slots(510, 630, 60, f2, t2, 1, out, 32);
    assert_int_equal(n, 1);
    assert_int_equal(out[0], 510);
    assert_int_equal(free_slots(510, 540, 60, NULL, NULL, 0, out, 32), 0);
    assert_int_equal(free_slots(0, 1440, 15, NULL, NULL, 0, out, 32), 32); /* capped at max */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_distance),
        cmocka_unit_test(test_grade_rank),
        cmocka_unit_test(test_lower_load_wins),
        cmocka_unit_test(test_full_goes_last),
        cmocka_unit_test(test_no_capacity_is_full),
        cmocka_unit_test(test_nearer_wins_when_equal),
        cmocka_unit_test(test_grade_breaks_equal_load),
        cmocka_unit_test(test_ties_by_code),
        cmocka_unit_test(test_load_outweighs_one_city_step),
        cmocka_unit_test(test_explain),
        cmocka_unit_test(test_explain_all_full),
        cmocka_unit_test(test_coverage_rate),
        cmocka_unit_test(test_coverage_includes),
        cmocka_unit_test(test_region_code_valid),
        cmocka_unit_test(test_hhmm_and_weekday),
        cmocka_unit_test(test_free_slots),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
