/* buf and arena: growth, formatting, ownership. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"

static void buf_starts_empty_and_never_null(void **state)
{
    buf b = BUF_INIT;
    assert_non_null(b.s);
    assert_string_equal(b.s, "");
    assert_int_equal(b.len, 0);
    buf_release(&b);
    assert_string_equal(b.s, "");
}

static void buf_grows_across_many_appends(void **state)
{
    buf b = BUF_INIT;
    for (int i = 0; i < 10000; i++)
        buf_addc(&b, (char)('a' + i % 26));
    assert_int_equal(b.len, 10000);
    assert_int_equal(strlen(b.s), 10000);
    assert_int_equal(b.s[26], 'a');
    assert_true(b.cap > b.len);
    buf_release(&b);
}

static void buf_formats_past_its_capacity(void **state)
{
    buf b = BUF_INIT;
    buf_adds(&b, "x=");
    buf_addf(&b, "%d/%s", 42, "a long enough string to force the second vsnprintf pass......");
    assert_string_equal(b.s, "x=42/a long enough string to force the second vsnprintf pass......");
    buf_reset(&b);
    assert_string_equal(b.s, "");
    buf_addf(&b, "%s", "");
    assert_int_equal(b.len, 0);
    buf_release(&b);
}

static void buf_detach_hands_over_the_string(void **state)
{
    buf b = BUF_INIT;
    char *empty = buf_detach(&b);
    assert_string_equal(empty, "");
    free(empty);
    buf_add(&b, "abc\0def", 7);
    assert_int_equal(b.len, 7);
    char *s = buf_detach(&b);
    assert_memory_equal(s, "abc\0def", 8);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.s, "");
    free(s);
}

static void arena_allocates_aligned_zeroed_memory(void **state)
{
    arena *a = arena_new();
    for (int i = 1; i < 2000; i++) {
        unsigned char *p = arena_alloc(a, (size_t)(i % 97) + 1);
        assert_int_equal((uintptr_t)p % 16, 0);
        for (int k = 0; k < i % 97 + 1; k++)
            assert_int_equal(p[k], 0);
        memset(p, 0xff, (size_t)(i % 97) + 1);
    }
    /* bigger than a block */
    char *big = arena_alloc(a, 100000);
    memset(big, 1, 100000);
    char *small = arena_strdup(a, "still works");
    assert_string_equal(small, "still works");
    assert_string_equal(arena_printf(a, "%s-%04d", "R", 7), "R-0007");
    assert_string_equal(arena_strndup(a, "abcdef", 3), "abc");
    assert_null(arena_strdup(a, NULL));
    arena_free(a);
    arena_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(buf_starts_empty_and_never_null),
        cmocka_unit_test(buf_grows_across_many_appends),
        cmocka_unit_test(buf_formats_past_its_capacity),
        cmocka_unit_test(buf_detach_hands_over_the_string),
        cmocka_unit_test(arena_allocates_aligned_zeroed_memory),
    };
    return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
