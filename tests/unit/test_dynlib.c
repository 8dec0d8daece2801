/* dynlib: the first loadable name wins; a missing library or symbol is a message, not a
 * crash; and the four libraries the binary opens lazily really load and bind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four above first */
#include <cmocka.h>
#include <string.h>

#include "base/dynlib.h"
#include "base/netcurl.h"

static void missing_library_is_a_message(void **state)
{
    char err[256] = "";
    static const char *const names[] = {"libaftersales-none.so.9", NULL};
    assert_null(dynlib_open(names, err, sizeof err));
    assert_non_null(strstr(err, "cannot load libaftersales-none.so.9"));
}

static void first_loadable_name_wins_and_symbols_bind(void **state)
{
    char err[256] = "";
    static const char *const names[] = {"libaftersales-none.so.9", "libm.so.6", NULL};
    void *h = dynlib_open(names, err, sizeof err);
    assert_non_null(h);
    double (*fn)(double) = NULL;
    *(void **)(&fn) = dynlib_sym(h, "sqrt", err, sizeof err);
    assert_non_null(fn);
    assert_true(fn(16.0) == 4.0);
    assert_null(dynlib_sym(h, "no_such_function_here", err, sizeof err));
    assert_non_null(strstr(err, "no_such_function_here"));
}

static void libcurl_loads_on_first_use(void **state)
{
    assert_int_equal(netcurl_load(), 0);
    assert_string_equal(netcurl_error(), "");
    CURL *h = curl_easy_init();
    assert_non_null(h);
    assert_int_equal(curl_easy_setopt(h, CURLOPT_URL, "smtp://127.0.0.1:1"), CURLE_OK);
    curl_easy_cleanup(h);
    assert_string_equal(curl_easy_strerror(CURLE_OK), "No error");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(missing_library_is_a_message),
        cmocka_unit_test(first_loadable_name_wins_and_symbols_bind),
        cmocka_unit_test(libcurl_loads_on_first_use),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
