/* jsonv: validation of JSON request bodies into field errors for 422 answers. */
#ifndef BASE_JSONV_H
#define BASE_JSONV_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

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
/* An integer in [lo, hi]; "must be an integer from LO to HI" otherwise. 1 when present
 * and valid. */
int jsonv_int_range(jsonv *v, const char *field, int required, long long lo, long long hi,
                    long long *out);
/* A string that is one of the NULL-terminated `allowed`; "must be one of a, b, c". */
const char *jsonv_enum(jsonv *v, const char *field, int required, const char *const *allowed);
/* A calendar date "YYYY-MM-DD" (see dt_parse_date); "must be a date YYYY-MM-DD". */
const char *jsonv_date(jsonv *v, const char *field, int required);
/* An RFC 3339 instant into *out; "must be an RFC 3339 time". 1 when present and valid. */
int jsonv_time(jsonv *v, const char *field, int required, int64_t *out);
/* Money in fen: a whole number from 0 to max_fen; "must be a whole number of fen from 0
 * to MAX". 1 when present and valid. */
int jsonv_fen(jsonv *v, const char *field, int required, int64_t max_fen, int64_t *out);
/* An array of at most max_items non-empty strings of at most max_len bytes each (the
 * array is borrowed from the body); "must be a list of strings", "too many items",
 * "items must be non-empty strings of at most N bytes". NULL when absent or invalid. */
json_t *jsonv_strs(jsonv *v, const char *field, int required, size_t max_items, size_t max_len);
/* 1 when there are no errors. */
int jsonv_ok(const jsonv *v);
/* Hand the errors object to the caller (for reply_error's fields); v keeps none (a later
 * jsonv_fail starts a new one, jsonv_free frees nothing). */
json_t *jsonv_take(jsonv *v);
/* Fail every key of the body not in the NULL-terminated allowed list ("unknown field"). */
void jsonv_only(jsonv *v, const char *const *allowed);

#endif
