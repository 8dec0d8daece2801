/* Unit tests for src/rules/order_state.c: the order lifecycle, what each step does to
 * stock, and until when the customer may change an order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "rules/order_state.h"

static void names_round_trip(void **s)
{
    (void)s;
    for (int i = 0; i < OS_COUNT; i++)
        assert_int_equal(order_status_parse(order_status_name((enum order_status)i)), i);
    assert_int_equal(order_status_parse("Placed"), -1);
    assert_int_equal(order_status_parse(NULL), -1);
    assert_null(order_status_name(OS_COUNT));
}

static void the_happy_path_and_its_stock(void **s)
{
    (void)s;
    enum order_stock st = OST_RESTOCK;
    assert_true(order_transition_ok(OS_PLACED, OS_CONFIRMED, &st));
    assert_int_equal(st, OST_NONE);
    assert_true(order_transition_ok(OS_CONFIRMED, OS_PICKED, &st));
    assert_int_equal(st, OST_NONE);
    assert_true(order_transition_ok(OS_PICKED, OS_SHIPPED, &st));
    assert_int_equal(st, OST_ISSUE);
    assert_true(order_transition_ok(OS_SHIPPED, OS_DELIVERED, &st));
    assert_int_equal(st, OST_NONE);
    assert_true(order_transition_ok(OS_DELIVERED, OS_RETURNED, &st));
    assert_int_equal(st, OST_RESTOCK);
    assert_string_equal(order_time_column(OS_SHIPPED), "shipped_at");
    assert_null(order_time_column(OS_PLACED));
}

static void cancel_only_before_shipping(void **s)
{
    (void)s;
    enum order_stock st = OST_NONE;
    assert_true(order_transition_ok(OS_PLACED, OS_CANCELLED, &st));
    assert_int_equal(st, OST_RELEASE);
    assert_true(order_transition_ok(OS_PICKED, OS_CANCELLED, &st));
    assert_int_equal(st, OST_RELEASE);
    assert_false(order_transition_ok(OS_SHIPPED, OS_CANCELLED, NULL));
    assert_false(order_transition_ok(OS_DELIVERED, OS_CANCELLED, NULL));
    assert_false(order_transition_ok(OS_CANCELLED, OS_PLACED, NULL));
}

static void no_skipping_or_going_back(void **s)
{
    (void)s;
    assert_false(order_transition_ok(OS_PLACED, OS_SHIPPED, NULL));
    assert_false(order_transition_ok(OS_PLACED, OS_PICKED, NULL));
    assert_false(order_transition_ok(OS_SHIPPED, OS_PICKED, NULL));
    assert_false(order_transition_ok(OS_PLACED, OS_PLACED, NULL));
    assert_false(order_transition_ok(OS_PLACED, OS_RETURNED, NULL));
    assert_false(order_transition_ok((enum order_status)99, OS_PLACED, NULL));
}

static void modifiable_until_shipped(void **s)
{
    (void)s;
    assert_true(order_modifiable(OS_PLACED));
    assert_true(order_modifiable(OS_CONFIRMED));
    assert_true(order_modifiable(OS_PICKED));
    assert_false(order_modifiable(OS_SHIPPED));
    assert_false(order_modifiable(OS_DELIVERED));
    assert_false(order_modifiable(OS_CANCELLED));
    assert_false(order_modifiable(OS_RETURNED));
    assert_true(order_status_final(OS_CANCELLED));
    assert_true(order_status_final(OS_RETURNED));
    assert_false(order_status_final(OS_DELIVERED));
    assert_false(order_status_final(OS_PLACED));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_round_trip),
        cmocka_unit_test(the_happy_path_and_its_stock),
        cmocka_unit_test(cancel_only_before_shipping),
        cmocka_unit_test(no_skipping_or_going_back),
        cmocka_unit_test(modifiable_until_shipped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
