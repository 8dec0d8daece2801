/* router: literal routes beat captures, params are captured, 404 vs 405. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "base/router.h"

static int h(req *r) { return 0; }

static const struct route table_a[] = {
    {"GET", "/api/v1/customers/:code", h, ROLE_ANY, 0},
    {"GET", "/api/v1/customers/match", h, ROLE_ANY, 0},
    {"POST", "/api/v1/customers", h, ROLE_ANY, 0},
    {0},
};
static const struct route table_b[] = {
    {"POST", "/api/v1/customers/:code/merge", h, ROLE_ANY, 0},
    {"GET", "/api/v1/repairs/:code/events/:n", h, ROLE_ANY, 0},
    {0},
};
static const struct route *const tables[] = {table_a, table_b, NULL};

static int setup(void **state)
{
    router_set(tables);
    return 0;
}

static void collects_every_table(void **state)
{
    assert_int_equal(router_count(), 5);
    assert_string_equal(router_at(3)->pattern, "/api/v1/customers/:code/merge");
    assert_null(router_at(5));
    assert_null(router_at(-1));
}

static void literal_segment_wins_over_capture(void **state)
{
    req r = {.a = arena_new()};
    assert_int_equal(router_match(&r, "GET", "/api/v1/customers/match"), ROUTER_FOUND);
    assert_string_equal(r.route->pattern, "/api/v1/customers/match");
    assert_int_equal(r.nparams, 0);
    arena_free(r.a);
}

static void captures_parameters(void **state)
{
    req r = {.a = arena_new()};
    assert_int_equal(router_match(&r, "GET", "/api/v1/customers/C00000001"), ROUTER_FOUND);
    assert_string_equal(req_param(&r, "code"), "C00000001");
    assert_null(req_param(&r, "other"));
    req r2 = {.a = r.a};
    assert_int_equal(router_match(&r2, "GET", "/api/v1/repairs/R1/events/7"), ROUTER_FOUND);
    assert_string_equal(req_param(&r2, "code"), "R1");
    assert_string_equal(req_param(&r2, "n"), "7");
    arena_free(r.a);
}

static void tells_missing_path_from_wrong_method(void **state)
{
    req r = {.a = arena_new()};
    assert_int_equal(router_match(&r, "DELETE", "/api/v1/customers/C1"), ROUTER_NO_METHOD);
    assert_int_equal(router_match(&r, "GET", "/api/v1/customer"), ROUTER_NO_PATH);
    assert_int_equal(router_match(&r, "GET", "/api/v1/customers/"), ROUTER_NO_PATH);
    assert_int_equal(router_match(&r, "GET", "/api/v1/customers/C1/extra"), ROUTER_NO_PATH);
    assert_int_equal(router_match(&r, "POST", "/api/v1/customers/C1/merge"), ROUTER_FOUND);
    assert_string_equal(req_param(&r, "code"), "C1");
    arena_free(r.a);
}

/* The index by the first segments finds what a scan of the whole table finds: routes with
 * a capture in their first segments are tried for every path, ties go to the earlier
 * route, and a short pattern (/healthz) has its own key. */
static const struct route table_c[] = {
    {"GET", "/healthz", h, ROLE_ANY, 0},
    {"GET", "/api/:version/things", h, ROLE_ANY, 0},
    {"GET", "/api/v1/things", h, ROLE_ANY, 0},
    {"GET", "/api/v1/:kind", h, ROLE_ANY, 0},
    {"PUT", "/api/v1/things/:id", h, ROLE_ANY, 0},
    {"GET", "/api/v2/things/:id", h, ROLE_ANY, 0},
    {0},
};

static void index_agrees_with_a_scan(void **state)
{
    static const struct route *const only_c[] = {table_c, NULL};
    router_set(only_c);
    req r = {.a = arena_new()};
    assert_int_equal(router_match(&r, "GET", "/healthz"), ROUTER_FOUND);
    assert_int_equal(router_match(&r, "GET", "/healthz/x"), ROUTER_NO_PATH);
    assert_int_equal(router_match(&r, "GET", "/api/v1/things"), ROUTER_FOUND);
    assert_string_equal(r.route->pattern, "/api/v1/things"); /* the most literal */
    assert_int_equal(router_match(&r, "GET", "/api/v9/things"), ROUTER_FOUND);
    assert_string_equal(req_param(&r, "version"), "v9"); /* an unknown key: general routes */
    assert_int_equal(router_match(&r, "GET", "/api/v1/parts"), ROUTER_FOUND);
    assert_string_equal(req_param(&r, "kind"), "parts");
    assert_int_equal(router_match(&r, "GET", "/api/v1/things/7"), ROUTER_NO_METHOD);
    assert_int_equal(router_match(&r, "PUT", "/api/v1/things/7"), ROUTER_FOUND);
    assert_string_equal(req_param(&r, "id"), "7");
    assert_int_equal(router_match(&r, "GET", "/api/v2/things/8"), ROUTER_FOUND);
    assert_int_equal(router_match(&r, "GET", "/api/v2/thing/8"), ROUTER_NO_PATH);
    assert_int_equal(router_match(&r, "GET", "/api/v1/"), ROUTER_NO_PATH);
    assert_int_equal(router_match(&r, "GET", ""), ROUTER_NO_PATH);
    assert_int_equal(router_match(&r, "GET", "/"), ROUTER_NO_PATH);
    arena_free(r.a);
    router_set(tables);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(collects_every_table),
        cmocka_unit_test(literal_segment_wins_over_capture),
        cmocka_unit_test(captures_parameters),
        cmocka_unit_test(tells_missing_path_from_wrong_method),
        cmocka_unit_test(index_agrees_with_a_scan),
    };
    return cmocka_run_group_tests_name("router", tests, setup, NULL);
}
