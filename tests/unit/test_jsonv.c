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

static void typed_field_readers(void **state)
{
    json_t *b = json_loads("{\"kind\":\"tv\",\"bad_kind\":\"radio\",\"day\":\"2026-02-28\","
                           "\"bad_day\":\"2026-02-30\",\"at\":\"2026-02-28T10:00:00+08:00\","
                           "\"bad_at\":\"yesterday\",\"price\":12345,\"neg\":-1,\"frac\":1.5,"
                           "\"tags\":[\"a\",\"b\"],\"bad_tags\":[\"a\",3],\"many\":[\"a\",\"b\",\"c\"],"
                           "\"n\":7,\"big\":70}",
                           0, NULL);
    jsonv v;
    jsonv_init(&v, b);
    static const char *const kinds[] = {"tv", "audio", NULL};
    assert_string_equal(jsonv_enum(&v, "kind", 1, kinds), "tv");
    assert_null(jsonv_enum(&v, "bad_kind", 1, kinds));
    assert_null(jsonv_enum(&v, "absent_kind", 0, kinds));
    assert_string_equal(jsonv_date(&v, "day", 1), "2026-02-28");
    assert_null(jsonv_date(&v, "bad_day", 1));
    int64_t t = 0;
    assert_int_equal(jsonv_time(&v, "at", 1, &t), 1);
    assert_int_equal(t, 1772244000);
    assert_int_equal(jsonv_time(&v, "bad_at", 1, &t), 0);
    int64_t fen = 0;
    assert_int_equal(jsonv_fen(&v, "price", 1, 100000000, &fen), 1);
    assert_int_equal(fen, 12345);
    assert_int_equal(jsonv_fen(&v, "neg", 1, 100000000, &fen), 0);
    assert_int_equal(jsonv_fen(&v, "frac", 1, 100000000, &fen), 0);
    assert_int_equal(jsonv_fen(&v, "no_price", 1, 100000000, &fen), 0);
    assert_non_null(jsonv_strs(&v, "tags", 1, 5, 10));
    assert_null(jsonv_strs(&v, "bad_tags", 1, 5, 10));
    assert_null(jsonv_strs(&v, "many", 1, 2, 10));
    long long n = 0;
    assert_int_equal(jsonv_int_range(&v, "n", 1, 1, 10, &n), 1);
    assert_int_equal(n, 7);
    assert_int_equal(jsonv_int_range(&v, "big", 1, 1, 10, &n), 0);
    assert_string_equal(reason(&v, "bad_kind"), "must be one of tv, audio");
    assert_null(reason(&v, "absent_kind"));
    assert_string_equal(reason(&v, "bad_day"), "must be a date YYYY-MM-DD");
    assert_string_equal(reason(&v, "bad_at"), "must be an RFC 3339 time");
    assert_string_equal(reason(&v, "neg"), "must be a whole number of fen from 0 to 100000000");
    assert_string_equal(reason(&v, "frac"), "must be a whole number of fen from 0 to 100000000");
    assert_string_equal(reason(&v, "no_price"), "required");
    assert_string_equal(reason(&v, "bad_tags"), "items must be non-empty strings of at most 10 bytes");
    assert_string_equal(reason(&v, "many"), "too many items");
    assert_string_equal(reason(&v, "big"), "must be an integer from 1 to 10");
    assert_null(reason(&v, "kind"));
    assert_null(reason(&v, "tags"));
    jsonv_free(&v);
    json_decref(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reports_each_field_once),
        cmocka_unit_test(accepts_good_values_and_rejects_unknown_keys),
        cmocka_unit_test(rejects_embedded_nul),
        cmocka_unit_test(typed_field_readers),
    };
    return cmocka_run_group_tests_name("jsonv", tests, NULL, NULL);
}
