/* jsonv: validation of JSON request bodies into field errors for 422 answers. */
#ifndef BASE_JSONV_H
#define BASE_JSONV_H
#include <jansson.h>
#include <stddef.h>

/* Collects field -> reason; empty when the body is valid. */
typedef struct jsonv {
    json_t *body;
    json_t *fields; /* object */
} jsonv;

void jsonv_init(jsonv *v, json_t *body);
/* Release the collected errors (not the body). */
void jsonv_free(jsonv *v);
/* Record an error for a field (the first one wins). */
void jsonv_fail(jsonv *v, const char *field, const char *reason);
/* A string field: NULL when absent or null. Records "required" when required and missing,
 * "must be a string" for another type, "too long" beyond max bytes (0: no limit),
 * "must not be empty" for "" when required. */
const char *jsonv_str(jsonv *v, const char *field, int required, size_t max);
/* An integer field into *out; returns 1 when present and valid, 0 when absent. */
int jsonv_int(jsonv *v, const char *field, int required, long long *out);
/* A boolean field; returns 1 when present and valid. */
int jsonv_bool(jsonv *v, const char *field, int required, int *out);
/* 1 when there are no errors. */
int jsonv_ok(const jsonv *v);
/* Hand the errors object to the caller (for reply_error's fields). */
json_t *jsonv_take(jsonv *v);
/* Fail every key of the body not in the NULL-terminated allowed list ("unknown field"). */
void jsonv_only(jsonv *v, const char *const *allowed);

#endif
