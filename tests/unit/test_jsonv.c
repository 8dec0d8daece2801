/* jsonv: per-field reasons for request bodies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "base/jsonv.h"

static const char *reason(jsonv *v, const char *f)
{
    return json_string_value(json_object_get(v->fields, f));
}

static void reports_each_field_once(void **state)
{
    json_t *b = json_loads("{\"name\":5,\"phone\":\"\",\"n\":\"7\",\"ok\":\"yes\",\"long\":\"abcdef\"}",
                           0, NULL);
    jsonv v;
    jsonv_init(&v, b);
    assert_null(jsonv_str(&v, "name", 1, 0));
    assert_null(jsonv_str(&v, "phone", 1, 0));
    assert_null(jsonv_str(&v, "email", 1, 0));
    assert_null(jsonv_str(&v, "missing_optional", 0, 0));
    assert_null(jsonv_str(&v, "long", 0, 5));
    long long n = 0;
    assert_int_equal(jsonv_int(&v, "n", 1, &n), 0);
    int ok = 0;
    assert_int_equal(jsonv_bool(&v, "ok", 0, &ok), 0);
    assert_string_equal(reason(&v, "name"), "must be a string");
    assert_string_equal(reason(&v, "phone"), "required");
    assert_string_equal(reason(&v, "email"), "required");
    assert_null(reason(&v, "missing_optional"));
    assert_string_equal(reason(&v, "long"), "too long");
    assert_string_equal(reason(&v, "n"), "must be an integer");
    assert_string_equal(reason(&v, "ok"), "must be true or false");
    jsonv_fail(&v, "name", "second reason loses");
    assert_string_equal(reason(&v, "name"), "must be a string");
    assert_false(jsonv_ok(&v));
    json_t *f = jsonv_take(&v);
    assert_int_equal(json_object_size(f), 6);
    assert_true(jsonv_ok(&v));
    json_decref(f);
    jsonv_free(&v);
    json_decref(b);
}

static void accepts_good_values_and_rejects_unknown_keys(void **state)
{
    json_t *b = json_loads("{\"name\":\"张伟\",\"n\":42,\"force\":true,\"extra\":1}", 0, NULL);
    jsonv v;
    jsonv_init(&v, b);
    assert_string_equal(jsonv_str(&v, "name", 1, 6), "张伟");
    long long n = 0;
    assert_int_equal(jsonv_int(&v, "n", 1, &n), 1);
    assert_int_equal(n, 42);
    int f = 0;
    assert_int_equal(jsonv_bool(&v, "force", 0, &f), 1);
    assert_int_equal(f, 1);
    assert_true(jsonv_ok(&v));
    static const char *const allowed[] = {"name", "n", "force", NULL};
    jsonv_only(&v, allowed);
    assert_string_equal(reason(&v, "extra"), "unknown field");
    jsonv_free(&v);
    json_decref(b);
}

static void rejects_embedded_nul(void **state)
{
    json_t *b = json_loads("{\"name\":\"a\\u0000b\"}", JSON_ALLOW_NUL, NULL);
    jsonv v;
    jsonv_init(&v, b);
    assert_null(jsonv_str(&v, "name", 1, 0));
    assert_string_equal(reason(&v, "name"), "must not contain NUL characters");
    jsonv_free(&v);
    json_decref(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reports_each_field_once),
        cmocka_unit_test(accepts_good_values_and_rejects_unknown_keys),
        cmocka_unit_test(rejects_embedded_nul),
    };
    return cmocka_run_group_tests_name("jsonv", tests, NULL, NULL);
}
