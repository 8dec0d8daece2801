/* form: application/x-www-form-urlencoded pairs, decoding, odd input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "base/form.h"

static int collect(void *arg, const char *k, const char *v)
{
    char *out = arg;
    size_t n = strlen(out);
    snprintf(out + n, 512 - n, "[%s|%s]", k, v);
    return 0;
}

static int stop_at_b(void *arg, const char *k, const char *v)
{
    (void)v;
    (*(int *)arg)++;
    return strcmp(k, "b") == 0 ? 7 : 0;
}

static void pairs_decode(void **state)
{
    (void)state;
    char out[512] = "";
    const char *s = "event=newCall&from=%2B86+138&user%5B%5D=801&user[]=802&&flag&x=%zz%4&y=%e4%BD%A0";
    assert_int_equal(form_each(s, strlen(s), collect, out), 0);
    assert_string_equal(out, "[event|newCall][from|+86 138][user[]|801][user[]|802][flag|][x|%zz%4][y|你]");
    out[0] = '\0';
    assert_int_equal(form_each("", 0, collect, out), 0);
    assert_string_equal(out, "");
    /* only n bytes are read */
    assert_int_equal(form_each("a=1&b=2", 3, collect, out), 0);
    assert_string_equal(out, "[a|1]");
    int calls = 0;
    assert_int_equal(form_each("a=1&b=2&c=3", 11, stop_at_b, &calls), 7);
    assert_int_equal(calls, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(pairs_decode)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
