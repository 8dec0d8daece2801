/* kb: the information base (M2, M14): articles with a lifecycle and validity window in
 * zh-CN and en, their search for the public portal and the staff, images, the expiry
 * pass that serve runs, and the demo articles. */
#ifndef FEATURES_KB_KB_H
#define FEATURES_KB_KB_H
#include "base/db.h"
#include "base/http.h"
#include "features/features.h"

extern const struct route kb_routes[];
int kb_demo(db *d, const struct demo_opts *o);

/* Withdraw every published article whose valid_to has passed (a version row each);
 * *n gets how many. 0 or a negative db code. */
int kb_expire(db_conn *c, int64_t now, int *n);
/* The expiry pass inside serve: every AFTERSALES_KB_EXPIRY_INTERVAL s (default 60, 0 off). */
void kb_scheduler_start(db *d);
void kb_scheduler_stop(void);

#endif
