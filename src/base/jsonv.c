/* jsonv: typed getters over a request body that record what is wrong, per field. */
#include "base/jsonv.h"

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
    json_t *f = v->fields;
    v->fields = json_object();
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
