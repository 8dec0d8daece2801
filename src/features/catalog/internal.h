/* catalog: what the files of the catalog folder share with each other (not used outside
 * it): code and field checks, the product line lookup and its JSON. */
#ifndef FEATURES_CATALOG_INTERNAL_H
#define FEATURES_CATALOG_INTERNAL_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "features/catalog/catalog.h"
#include "features/common/common.h"

/* Reasons for a model's fields; NULL when fine. */
const char *cat_model_code_reason(const char *code);
const char *cat_model_months_reason(long long m);
const char *cat_model_launch_reason(const char *d);
/* A product line (code, name, name_en from column col on) as JSON. */
json_t *cat_line_json(db_stmt *st, int col);

#endif
