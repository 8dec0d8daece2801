/* jsonv: typed getters over a request body that record what is wrong, per field. */
#include "base/jsonv.h"

#include <stdio.h>

#include "base/buf.h"
#include "base/datetime.h"

#include <string.h>

void jsonv_init(jsonv *v, json_t *body)
{
    v->body = body;
    v->fields = json_object();
}

void jsonv_free(jsonv *v)
{
    json_decref(v->fields);
    v->fields = NULL;
}

void jsonv_fail(jsonv *v, const char *field, const char *reason)
{
    if (!v->fields) /* after jsonv_take */
        v->fields = json_object();
    if (!json_object_get(v->fields, field))
        json_object_set_new(v->fields, field, json_string(reason));
}

const char *jsonv_str(jsonv *v, const char *field, int required, size_t max)
{
    json_t *j = json_object_get(v->body, field);
    if (!j || json_is_null(j)) {
        if (required)
            jsonv_fail(v, field, "required");
        return NULL;
    }
    if (!json_is_string(j)) {
        jsonv_fail(v, field, "must be a string");
        return NULL;
    }
    const char *s = json_string_value(j);
    if (max && json_string_length(j) > max) {
        jsonv_fail(v, field, "too long");
        return NULL;
    }
    if (strlen(s) != json_string_length(j)) {
        jsonv_fail(v, field, "must not contain NUL characters");
        return NULL;
    }
    if (required && !*s) {
        jsonv_fail(v, field, "required");
        return NULL;
    }
    return s;
}

int jsonv_int(jsonv *v, const char *field, int required, long long *out)
{
    json_t *j = json_object_get(v->body, field);
    if (!j || json_is_null(j)) {
        if (required)
            jsonv_fail(v, field, "required");
        return 0;
    }
    if (!json_is_integer(j)) {
        jsonv_fail(v, field, "must be an integer");
        return 0;
    }
    *out = json_integer_value(j);
    return 1;
}

int jsonv_bool(jsonv *v, const char *field, int required, int *out)
{
    json_t *j = json_object_get(v->body, field);
    if (!j || json_is_null(j)) {
        if (required)
            jsonv_fail(v, field, "required");
        return 0;
    }
    if (!json_is_boolean(j)) {
        jsonv_fail(v, field, "must be true or false");
        return 0;
    }
    *out = json_is_true(j);
    return 1;
}

int jsonv_ok(const jsonv *v) { return json_object_size(v->fields) == 0; }

json_t *jsonv_take(jsonv *v)
{
    json_t *f = v->fields ? v->fields : json_object();
    v->fields = NULL; /* the caller owns them now; jsonv_free has nothing left to free */
    return f;
}

void jsonv_only(jsonv *v, const char *const *allowed)
{
    const char *key;
    json_t *val;
    json_object_foreach(v->body, key, val)
    {
        int ok = 0;
        for (const char *const *a = allowed; *a; a++)
            if (strcmp(*a, key) == 0)
                ok = 1;
        if (!ok)
            jsonv_fail(v, key, "unknown field");
    }
}

/* The value of field, or NULL (recording "required" when required) when absent/null. */
static json_t *present(jsonv *v, const char *field, int required)
{
    json_t *j = json_object_get(v->body, field);
    if (!j || json_is_null(j)) {
        if (required)
            jsonv_fail(v, field, "required");
        return NULL;
    }
    return j;
}

int jsonv_int_range(jsonv *v, const char *field, int required, long long lo, long long hi,
                    long long *out)
{
    json_t *j = present(v, field, required);
    if (!j)
        return 0;
    if (!json_is_integer(j) || json_integer_value(j) < lo || json_integer_value(j) > hi) {
        char why[96];
        snprintf(why, sizeof why, "must be an integer from %lld to %lld", lo, hi);
        jsonv_fail(v, field, why);
        return 0;
    }
    *out = json_integer_value(j);
    return 1;
}

const char *jsonv_enum(jsonv *v, const char *field, int required, const char *const *allowed)
{
    const char *s = jsonv_str(v, field, required, 64);
    if (!s)
        return NULL;
    for (const char *const *a = allowed; *a; a++)
        if (strcmp(*a, s) == 0)
            return *a;
    buf why = BUF_INIT;
    buf_adds(&why, "must be one of ");
    for (const char *const *a = allowed; *a; a++)
        buf_addf(&why, "%s%s", a == allowed ? "" : ", ", *a);
    jsonv_fail(v, field, why.s);
    buf_release(&why);
    return NULL;
}

const char *jsonv_date(jsonv *v, const char *field, int required)
{
    const char *s = jsonv_str(v, field, required, 10);
    if (s && !dt_is_date(s)) {
        jsonv_fail(v, field, "must be a date YYYY-MM-DD");
        return NULL;
    }
    return s;
}

int jsonv_time(jsonv *v, const char *field, int required, int64_t *out)
{
    const char *s = jsonv_str(v, field, required, 40);
    if (!s)
        return 0;
    if (dt_parse_time(s, NULL, out) < 0) {
        jsonv_fail(v, field, "must be an RFC 3339 time");
        return 0;
    }
    return 1;
}

int jsonv_fen(jsonv *v, const char *field, int required, int64_t max_fen, int64_t *out)
{
    json_t *j = present(v, field, required);
    if (!j)
        return 0;
    if (!json_is_integer(j) || json_integer_value(j) < 0 || json_integer_value(j) > max_fen) {
        char why[96];
        snprintf(why, sizeof why, "must be a whole number of fen from 0 to %lld",
                 (long long)max_fen);
        jsonv_fail(v, field, why);
        return 0;
    }
    *out = (int64_t)json_integer_value(j);
    return 1;
}

json_t *jsonv_strs(jsonv *v, const char *field, int required, size_t max_items, size_t max_len)
{
    json_t *a = present(v, field, required);
    if (!a)
        return NULL;
    if (!json_is_array(a)) {
        jsonv_fail(v, field, "must be a list of strings");
        return NULL;
    }
    if (json_array_size(a) > max_items) {
        jsonv_fail(v, field, "too many items");
        return NULL;
    }
    size_t i;
    json_t *x;
    json_array_foreach(a, i, x) {
        if (!json_is_string(x) || !json_string_length(x) || json_string_length(x) > max_len ||
            strlen(json_string_value(x)) != json_string_length(x)) {
            char why[96];
            snprintf(why, sizeof why, "items must be non-empty strings of at most %zu bytes",
                     max_len);
            jsonv_fail(v, field, why);
            return NULL;
        }
    }
    return a;
}
