/* Unit tests for src/rules/repair_state.c: the repair lifecycle table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/http.h"
#include "rules/repair_state.h"

#define OUTLET (ROLE_OUTLET_MANAGER | ROLE_TECHNICIAN)

static void role_bits_match_http(void **s)
{
    (void)s;
    assert_int_equal(RS_ROLE_ADMIN, ROLE_ADMIN);
    assert_int_equal(RS_ROLE_SUPERVISOR, ROLE_SUPERVISOR);
    assert_int_equal(RS_ROLE_AGENT, ROLE_AGENT);
    assert_int_equal(RS_ROLE_OUTLET_MANAGER, ROLE_OUTLET_MANAGER);
    assert_int_equal(RS_ROLE_TECHNICIAN, ROLE_TECHNICIAN);
}

static void names_round_trip(void **s)
{
    (void)s;
    for (int i = 0; i < RS_COUNT; i++)
        assert_int_equal(repair_status_parse(repair_status_name((enum repair_status)i)), i);
    assert_string_equal(repair_status_name(RS_WAITING_PARTS), "waiting_parts");
    assert_int_equal(repair_status_parse("Received"), -1);
    assert_int_equal(repair_status_parse(""), -1);
    assert_int_equal(repair_status_parse(NULL), -1);
    assert_null(repair_status_name(RS_COUNT));
}

static void happy_path_technician(void **s)
{
    (void)s;
    const enum repair_status path[] = {RS_REGISTERED, RS_RECEIVED,  RS_DIAGNOSING, RS_QUOTED,
                                       RS_APPROVED,   RS_WAITING_PARTS, RS_REPAIRING,
                                       RS_REPAIRED,   RS_DELIVERED};
    for (size_t i = 0; i + 1 < sizeof path / sizeof *path; i++)
        assert_int_equal(repair_transition_check(path[i], path[i + 1], ROLE_TECHNICIAN, 12000, NULL),
                         RS_OK);
    /* The short path without quote or parts. */
    assert_int_equal(repair_transition_check(RS_DIAGNOSING, RS_REPAIRING, ROLE_TECHNICIAN, -1, NULL),
                     RS_OK);
}

static void every_pair_is_either_in_table_or_illegal(void **s)
{
    (void)s;
    int legal = 0;
    for (int f = 0; f < RS_COUNT; f++)
        for (int t = 0; t < RS_COUNT; t++) {
            int v = repair_transition_check((enum repair_status)f, (enum repair_status)t, ROLE_ADMIN,
                                            100, "reason");
            if (repair_transition_find((enum repair_status)f, (enum repair_status)t)) {
                assert_int_equal(v, RS_OK);
                legal++;
            } else {
                assert_int_equal(v, RS_ILLEGAL);
            }
        }
    assert_int_equal(legal, 19);
}

static void illegal_transitions(void **s)
{
    (void)s;
    assert_int_equal(repair_transition_check(RS_REGISTERED, RS_REPAIRED, ROLE_ADMIN, -1, NULL),
                     RS_ILLEGAL);
    assert_int_equal(repair_transition_check(RS_DELIVERED, RS_REPAIRING, ROLE_ADMIN, -1, NULL),
                     RS_ILLEGAL);
    assert_int_equal(repair_transition_check(RS_CANCELLED, RS_RECEIVED, ROLE_ADMIN, -1, NULL),
                     RS_ILLEGAL);
    assert_int_equal(repair_transition_check(RS_REPAIRED, RS_CANCELLED, ROLE_ADMIN, -1, "x"),
                     RS_ILLEGAL);
    assert_int_equal(repair_transition_check(RS_DELIVERED, RS_CANCELLED, ROLE_ADMIN, -1, "x"),
                     RS_ILLEGAL);
    assert_int_equal(repair_transition_check(RS_RECEIVED, RS_RECEIVED, ROLE_ADMIN, -1, NULL),
                     RS_ILLEGAL);
    assert_int_equal(repair_transition_check(RS_QUOTED, RS_REPAIRING, ROLE_ADMIN, -1, NULL),
                     RS_ILLEGAL); /* a quote must be approved first */
    assert_int_equal(repair_transition_check(RS_DIAGNOSING, RS_APPROVED, ROLE_ADMIN, -1, NULL),
                     RS_ILLEGAL);
    for (int t = 0; t < RS_COUNT; t++) {
        assert_int_equal(repair_transition_check(RS_DELIVERED, (enum repair_status)t, ROLE_ADMIN,
                                                 1, "x"),
                         RS_ILLEGAL);
        assert_int_equal(repair_transition_check(RS_CANCELLED, (enum repair_status)t, ROLE_ADMIN,
                                                 1, "x"),
                         RS_ILLEGAL);
    }
}

static void roles(void **s)
{
    (void)s;
    /* Agents register and approve quotes, but do not touch the workshop steps. */
    assert_int_equal(repair_transition_check(RS_REGISTERED, RS_RECEIVED, ROLE_AGENT, -1, NULL),
                     RS_FORBIDDEN_ROLE);
    assert_int_equal(repair_transition_check(RS_REPAIRING, RS_REPAIRED, ROLE_AGENT, -1, NULL),
                     RS_FORBIDDEN_ROLE);
    assert_int_equal(repair_transition_check(RS_QUOTED, RS_APPROVED, ROLE_AGENT, -1, NULL), RS_OK);
    /* Technicians do not cancel; their manager does. */
    assert_int_equal(repair_transition_check(RS_RECEIVED, RS_CANCELLED, ROLE_TECHNICIAN, -1, "x"),
                     RS_FORBIDDEN_ROLE);
    assert_int_equal(
        repair_transition_check(RS_RECEIVED, RS_CANCELLED, ROLE_OUTLET_MANAGER, -1, "beyond repair"),
        RS_OK);
    assert_int_equal(repair_transition_check(RS_REGISTERED, RS_CANCELLED, ROLE_AGENT, -1, "withdrawn"),
                     RS_OK);
    /* Warehouse, editor, marketer never move repairs. */
    for (int f = 0; f < RS_COUNT; f++)
        for (int t = 0; t < RS_COUNT; t++) {
            int v = repair_transition_check((enum repair_status)f, (enum repair_status)t,
                                            ROLE_WAREHOUSE | ROLE_EDITOR | ROLE_MARKETER, 100, "x");
            assert_true(v == RS_ILLEGAL || v == RS_FORBIDDEN_ROLE);
        }
}

static void requirements(void **s)
{
    (void)s;
    assert_int_equal(repair_transition_check(RS_DIAGNOSING, RS_QUOTED, OUTLET, -1, NULL),
                     RS_MISSING_QUOTE);
    assert_int_equal(repair_transition_check(RS_DIAGNOSING, RS_QUOTED, OUTLET, 0, NULL),
                     RS_MISSING_QUOTE);
    assert_int_equal(repair_transition_check(RS_DIAGNOSING, RS_QUOTED, OUTLET, 1, NULL), RS_OK);
    assert_int_equal(repair_transition_check(RS_QUOTED, RS_CANCELLED, ROLE_AGENT, -1, NULL),
                     RS_MISSING_REASON);
    assert_int_equal(repair_transition_check(RS_QUOTED, RS_CANCELLED, ROLE_AGENT, -1, "  \n"),
                     RS_MISSING_REASON);
    assert_int_equal(repair_transition_check(RS_QUOTED, RS_CANCELLED, ROLE_AGENT, -1, "declined"),
                     RS_OK);
}

static void next_states(void **s)
{
    (void)s;
    enum repair_status out[RS_COUNT];
    int n = repair_next_states(RS_DIAGNOSING, ROLE_TECHNICIAN, out);
    assert_int_equal(n, 3);
    assert_int_equal(out[0], RS_QUOTED);
    assert_int_equal(out[1], RS_WAITING_PARTS);
    assert_int_equal(out[2], RS_REPAIRING);
    n = repair_next_states(RS_DIAGNOSING, ROLE_OUTLET_MANAGER, out);
    assert_int_equal(n, 4);
    assert_int_equal(out[3], RS_CANCELLED);
    n = repair_next_states(RS_REGISTERED, ROLE_AGENT, out);
    assert_int_equal(n, 1);
    assert_int_equal(out[0], RS_CANCELLED);
    assert_int_equal(repair_next_states(RS_DELIVERED, ROLE_ADMIN, out), 0);
    assert_int_equal(repair_next_states(RS_REPAIRING, ROLE_WAREHOUSE, out), 0);
}

/* A paid repair is quoted (and the quote approved) before parts or the repair itself. */
static void paid_repair_needs_quote(void **state)
{
    (void)state;
    assert_int_equal(repair_skips_quote(RS_DIAGNOSING, RS_WAITING_PARTS, 0), 1);
    assert_int_equal(repair_skips_quote(RS_DIAGNOSING, RS_REPAIRING, 0), 1);
    /* in warranty, or not known (a repair imported without a unit): no quote needed */
    assert_int_equal(repair_skips_quote(RS_DIAGNOSING, RS_WAITING_PARTS, 1), 0);
    assert_int_equal(repair_skips_quote(RS_DIAGNOSING, RS_WAITING_PARTS, -1), 0);
    /* the quote's own path, and the steps after approval */
    assert_int_equal(repair_skips_quote(RS_DIAGNOSING, RS_QUOTED, 0), 0);
    assert_int_equal(repair_skips_quote(RS_APPROVED, RS_WAITING_PARTS, 0), 0);
    assert_int_equal(repair_skips_quote(RS_APPROVED, RS_REPAIRING, 0), 0);
    assert_int_equal(repair_skips_quote(RS_REPAIRING, RS_WAITING_PARTS, 0), 0);
    assert_int_equal(repair_skips_quote(RS_DIAGNOSING, RS_CANCELLED, 0), 0);
}

static void time_columns(void **s)
{
    (void)s;
    assert_int_equal(repair_status_time(RS_RECEIVED), RS_TIME_RECEIVED);
    assert_int_equal(repair_status_time(RS_REPAIRED), RS_TIME_REPAIRED);
    assert_int_equal(repair_status_time(RS_DELIVERED), RS_TIME_DELIVERED);
    assert_int_equal(repair_status_time(RS_CANCELLED), RS_TIME_CANCELLED);
    assert_int_equal(repair_status_time(RS_DIAGNOSING), RS_TIME_NONE);
    assert_int_equal(repair_status_final(RS_DELIVERED), 1);
    assert_int_equal(repair_status_final(RS_CANCELLED), 1);
    assert_int_equal(repair_status_final(RS_REPAIRED), 0);
}

static void import_status_derivation(void **s)
{
    (void)s;
    int st = -1;
    assert_null(repair_status_from_times(&st, 100, 0, 0, 0));
    assert_int_equal(st, RS_RECEIVED);
    st = -1;
    assert_null(repair_status_from_times(&st, 100, 200, 0, 0));
    assert_int_equal(st, RS_REPAIRED);
    st = -1;
    assert_null(repair_status_from_times(&st, 100, 200, 300, 0));
    assert_int_equal(st, RS_DELIVERED);
    st = -1;
    assert_null(repair_status_from_times(&st, 100, 0, 0, 150));
    assert_int_equal(st, RS_CANCELLED);
}

static void import_status_consistency(void **s)
{
    (void)s;
    int st;
    st = RS_DELIVERED;
    assert_null(repair_status_from_times(&st, 100, 200, 300, 0));
    st = RS_REPAIRING;
    assert_null(repair_status_from_times(&st, 100, 0, 0, 0));
    st = RS_REGISTERED;
    assert_null(repair_status_from_times(&st, 100, 0, 0, 0));
    st = RS_DELIVERED;
    assert_string_equal(repair_status_from_times(&st, 100, 200, 0, 0),
                        "status delivered needs delivered_at");
    st = RS_REPAIRED;
    assert_string_equal(repair_status_from_times(&st, 100, 0, 0, 0),
                        "status repaired needs repaired_at");
    st = RS_REPAIRED;
    assert_string_equal(repair_status_from_times(&st, 100, 200, 300, 0),
                        "status repaired but delivered_at is set");
    st = RS_DIAGNOSING;
    assert_string_equal(repair_status_from_times(&st, 100, 200, 0, 0),
                        "an open status cannot have repaired_at or delivered_at");
    st = RS_CANCELLED;
    assert_string_equal(repair_status_from_times(&st, 100, 0, 0, 0),
                        "status cancelled needs cancelled_at");
    st = RS_RECEIVED;
    assert_string_equal(repair_status_from_times(&st, 100, 0, 0, 150),
                        "cancelled_at is set but status is not cancelled");
    st = -1;
    assert_string_equal(repair_status_from_times(&st, 100, 50, 0, 0),
                        "repaired_at is before received_at");
    assert_string_equal(repair_status_from_times(&st, 100, 200, 150, 0),
                        "delivered_at is before repaired_at");
    assert_string_equal(repair_status_from_times(&st, 100, 0, 150, 0),
                        "delivered_at without repaired_at");
    assert_string_equal(repair_status_from_times(&st, 100, 0, 0, 50),
                        "cancelled_at is before received_at");
    assert_string_equal(repair_status_from_times(&st, 100, 200, 0, 300),
                        "a cancelled repair cannot have repaired_at or delivered_at");
    assert_string_equal(repair_status_from_times(&st, 0, 0, 0, 0), "received_at is required");
    assert_int_equal(st, -1); /* not set on failure */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(role_bits_match_http),
        cmocka_unit_test(names_round_trip),
        cmocka_unit_test(happy_path_technician),
        cmocka_unit_test(every_pair_is_either_in_table_or_illegal),
        cmocka_unit_test(illegal_transitions),
        cmocka_unit_test(roles),
        cmocka_unit_test(requirements),
        cmocka_unit_test(next_states),
        cmocka_unit_test(paid_repair_needs_quote),
        cmocka_unit_test(time_columns),
        cmocka_unit_test(import_status_derivation),
        cmocka_unit_test(import_status_consistency),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
