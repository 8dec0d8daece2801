/* catalog: product lines and models (M2): the route table, `aftersales import|export
 * models` and the demo catalog. */
#ifndef FEATURES_CATALOG_CATALOG_H
#define FEATURES_CATALOG_CATALOG_H
#include <stdio.h>

#include "base/db.h"
#include "base/http.h"
#include "features/features.h"

extern const struct route catalog_routes[];
int catalog_import_models(db *d, const char *path, FILE *in);
int catalog_export_models(db *d, FILE *out);
int catalog_demo(db *d, const struct demo_opts *o);

#endif
