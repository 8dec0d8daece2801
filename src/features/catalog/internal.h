/* catalog: what the files of the catalog folder share with each other (not used outside
 * it): code and field checks, the product line lookup and its JSON. */
#ifndef FEATURES_CATALOG_INTERNAL_H
#define FEATURES_CATALOG_INTERNAL_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "features/catalog/catalog.h"

/* 1 when s is 1 to max letters, digits or - _ . / */
int cat_code_ok(const char *s, size_t max);
/* s upper-cased, in the arena. */
char *cat_upper_dup(arena *a, const char *s);
/* Reasons for a model's fields; NULL when fine. */
const char *cat_model_code_reason(const char *code);
const char *cat_model_months_reason(long long m);
const char *cat_model_launch_reason(const char *d);
/* A product line (code, name, name_en from column col on) as JSON. */
json_t *cat_line_json(db_stmt *st, int col);

#endif
