/* ratelimit: windows, keys kept apart, clearing, and a full table stays strict. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>

#include "base/ratelimit.h"

static void counts_up_to_the_limit_per_window(void **state)
{
    struct ratelimit *rl = ratelimit_new(3, 60);
    for (int i = 0; i < 3; i++) {
        assert_false(ratelimit_over(rl, "a", 1000));
        assert_false(ratelimit_add(rl, "a", 1000 + i));
    }
    assert_true(ratelimit_over(rl, "a", 1010));
    assert_true(ratelimit_add(rl, "a", 1010));
    assert_false(ratelimit_over(rl, "b", 1010));
    /* the window ends 60 s after it began */
    assert_true(ratelimit_over(rl, "a", 1059));
    assert_false(ratelimit_over(rl, "a", 1060));
    assert_false(ratelimit_add(rl, "a", 1060));
    ratelimit_free(rl);
}

static void clear_forgets_a_key(void **state)
{
    struct ratelimit *rl = ratelimit_new(1, 60);
    ratelimit_add(rl, "k", 5);
    assert_true(ratelimit_over(rl, "k", 6));
    ratelimit_clear(rl, "k");
    assert_false(ratelimit_over(rl, "k", 6));
    ratelimit_free(rl);
}

static void many_keys_never_loosen_a_live_limit(void **state)
{
    struct ratelimit *rl = ratelimit_new(2, 600);
    ratelimit_add(rl, "victim", 100);
    ratelimit_add(rl, "victim", 100);
    assert_true(ratelimit_over(rl, "victim", 100));
    char key[32];
    for (int i = 0; i < 100000; i++) {
        snprintf(key, sizeof key, "k%d", i);
        ratelimit_add(rl, key, 200);
    }
    /* the flood of fresh keys did not free the victim */
    assert_true(ratelimit_over(rl, "victim", 300));
    /* once the window is over, everyone starts afresh */
    assert_false(ratelimit_over(rl, "victim", 700));
    assert_false(ratelimit_add(rl, "k1", 800));
    ratelimit_free(rl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counts_up_to_the_limit_per_window),
        cmocka_unit_test(clear_forgets_a_key),
        cmocka_unit_test(many_keys_never_loosen_a_live_limit),
    };
    return cmocka_run_group_tests_name("ratelimit", tests, NULL, NULL);
}
