/* base/utf8 validity, and rules/t2s: the per-thread converter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "rules/t2s.h"

#define V(s) utf8_valid(s, sizeof s - 1)

static void valid_text(void **state)
{
    assert_true(V(""));
    assert_true(V("abc"));
    assert_true(V("張偉 Zhang"));
    assert_true(V("\xc2\xb7"));             /* U+00B7 */
    assert_true(V("\xf0\x9f\x98\x80"));     /* U+1F600 */
    assert_true(V("\xf4\x8f\xbf\xbf"));     /* U+10FFFF */
    assert_true(V("a\0b"));                 /* NUL is a character */
}

static void invalid_text(void **state)
{
    assert_false(V("\x80"));                /* a lone continuation byte */
    assert_false(V("\xc3"));                /* cut short */
    assert_false(V("\xe5\xbc"));
    assert_false(V("\xc0\xaf"));            /* overlong '/' */
    assert_false(V("\xe0\x80\xaf"));        /* overlong */
    assert_false(V("\xed\xa0\x80"));        /* surrogate U+D800 */
    assert_false(V("\xf4\x90\x80\x80"));    /* past U+10FFFF */
    assert_false(V("\xf5\x80\x80\x80"));
    assert_false(V("\xff"));
    assert_false(V("ab\xe5\xbc\xa0\xe5"));  /* valid, then cut short */
}

static void converts(void **state)
{
    char *s = rules_t2s_convert("張偉", strlen("張偉"));
    assert_non_null(s);
    assert_string_equal(s, "张伟");
    free(s);
    assert_null(rules_t2s_convert("\xe5\xbc", 2)); /* invalid: not given to OpenCC */
    assert_true(rules_t2s() == rules_t2s());       /* one per thread */
}

static void *other_thread(void *arg)
{
    *(opencc_t *)arg = rules_t2s();
    char *s = rules_t2s_convert("網點", strlen("網點"));
    int ok = s && strcmp(s, "网点") == 0;
    free(s);
    return ok ? arg : NULL; /* the converter is closed as the thread exits (LSan checks) */
}

static void one_per_thread(void **state)
{
    opencc_t theirs = NULL;
    pthread_t t;
    void *ret = NULL;
    assert_int_equal(pthread_create(&t, NULL, other_thread, &theirs), 0);
    assert_int_equal(pthread_join(t, &ret), 0);
    assert_non_null(ret);
    assert_true(theirs != rules_t2s());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_text),
        cmocka_unit_test(invalid_text),
        cmocka_unit_test(converts),
        cmocka_unit_test(one_per_thread),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    rules_t2s_close();
    return rc;
}
