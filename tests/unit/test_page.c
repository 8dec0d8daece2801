/* page: limits and opaque keyset cursors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "base/page.h"

static void limits_have_bounds(void **state)
{
    long n = 0;
    assert_int_equal(page_limit(NULL, 20, 100, &n), 0);
    assert_int_equal(n, 20);
    assert_int_equal(page_limit("", 20, 100, &n), 0);
    assert_int_equal(n, 20);
    assert_int_equal(page_limit("100", 20, 100, &n), 0);
    assert_int_equal(n, 100);
    assert_int_equal(page_limit("1", 20, 100, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(page_limit("0", 20, 100, &n), -1);
    assert_int_equal(page_limit("101", 20, 100, &n), -1);
    assert_int_equal(page_limit("-5", 20, 100, &n), -1);
    assert_int_equal(page_limit("5x", 20, 100, &n), -1);
    assert_int_equal(page_limit("99999999999999999999", 20, 100, &n), -1);
}

static void cursors_round_trip_and_are_opaque(void **state)
{
    arena *a = arena_new();
    const char *keys[3] = {"王小明", "2026-05-01T10:00:00Z", "42"};
    const char *c = page_cursor(a, 3, keys);
    assert_null(strstr(c, "42"));
    for (const char *p = c; *p; p++) /* safe in a URL as it is */
        assert_true((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_');
    struct page p = {0};
    assert_int_equal(page_decode(a, c, 3, &p), 0);
    assert_int_equal(p.nkeys, 3);
    assert_string_equal(p.key[0], "王小明");
    assert_string_equal(p.key[1], "2026-05-01T10:00:00Z");
    assert_int_equal(page_key_int(&p, 2), 42);
    assert_int_equal(page_key_int(&p, 3), 0);
    /* the wrong number of keys, garbage, and other lists' cursors are refused */
    assert_int_equal(page_decode(a, c, 2, &p), -1);
    assert_int_equal(page_decode(a, c, 4, &p), -1);
    assert_int_equal(page_decode(a, "not base64!", 1, &p), -1);
    /* a plain id (what lists handed out before cursors were opaque) decodes to bytes
     * that are not a number, so it can never select rows by accident */
    if (page_decode(a, "12345", 1, &p) == 0)
        assert_int_equal(page_key_int(&p, 0), 0);
    /* an empty cursor is the first page */
    assert_int_equal(page_decode(a, "", 2, &p), 0);
    assert_int_equal(p.nkeys, 0);
    assert_int_equal(page_decode(a, NULL, 2, &p), 0);
    const char *one = page_cursor_int(a, 1234567890123LL);
    assert_int_equal(page_decode(a, one, 1, &p), 0);
    assert_int_equal(page_key_int(&p, 0), 1234567890123LL);
    int64_t id = 0;
    assert_int_equal(page_key_pos(&p, 0, &id), 0);
    assert_int_equal(id, 1234567890123LL);
    assert_int_equal(page_key_pos(&p, 1, &id), -1); /* no such key */
    const char *bad[] = {"0", "-5", "12x", ""};
    for (int i = 0; i < 4; i++) {
        const char *one_key[1] = {bad[i]};
        assert_int_equal(page_decode(a, page_cursor(a, 1, one_key), 1, &p), 0);
        assert_int_equal(page_key_pos(&p, 0, &id), -1);
    }
    /* empty keys survive */
    const char *blank[2] = {"", NULL};
    assert_int_equal(page_decode(a, page_cursor(a, 2, blank), 2, &p), 0);
    assert_string_equal(p.key[0], "");
    assert_string_equal(p.key[1], "");
    arena_free(a);
}

static void answer_shape(void **state)
{
    json_t *j = page_answer(json_array(), NULL);
    assert_true(json_is_array(json_object_get(j, "items")));
    assert_true(json_is_null(json_object_get(j, "next_cursor")));
    json_decref(j);
    j = page_answer(json_array(), "abc");
    assert_string_equal(json_string_value(json_object_get(j, "next_cursor")), "abc");
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(limits_have_bounds),
        cmocka_unit_test(cursors_round_trip_and_are_opaque),
        cmocka_unit_test(answer_shape),
    };
    return cmocka_run_group_tests_name("page", tests, NULL, NULL);
}
