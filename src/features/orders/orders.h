/* orders: sales orders of accessories and parts (M13) placed online on the portal or at
 * an outlet, with stock reserved from the parts ledger, the genuine-battery check by
 * serial and the feedback store (M14). */
#ifndef FEATURES_ORDERS_ORDERS_H
#define FEATURES_ORDERS_ORDERS_H
#include <stdio.h>

#include "base/db.h"
#include "base/http.h"
#include "features/features.h"

extern const struct route orders_routes[];

/* `aftersales import battery-serials FILE` (one column: serial). */
int orders_import_battery_serials(db *d, const char *path, FILE *in);

/* `aftersales import accessories FILE` (part,kind[,sort]): the parts on sale online. */
int orders_import_accessories(db *d, const char *path, FILE *in);

/* Demo: the accessories on sale, genuine battery serials, some orders over the demo
 * customers and outlets, and a little feedback. */
int orders_demo(db *d, const struct demo_opts *o);

#endif
