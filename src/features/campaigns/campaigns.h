/* campaigns: segments and campaigns of M12 (saved customer filters with a live count,
 * outreach lists frozen at launch); the public API of the folder. */
#ifndef FEATURES_CAMPAIGNS_H
#define FEATURES_CAMPAIGNS_H
#include "base/db.h"
#include "base/http.h"
#include "features/features.h"

extern const struct route campaigns_routes[];

/* The campaign send pass beside serve (every AFTERSALES_CAMPAIGN_INTERVAL s, default
 * 30, 0 off): due email and sms rows of launched campaigns into the outbox. */
void campaigns_scheduler_start(db *d);
void campaigns_scheduler_stop(void);

/* facts.c: segment_units and segment_facts computed again from their sources, in one
 * transaction (*rows: the customers with facts); 0 or a negative db code. */
int campaigns_facts_rebuild(db_conn *c, int64_t *rows);
/* The demo's last step: the facts after the bulk loads that set triggers aside. */
int campaigns_demo(db *d, const struct demo_opts *o);
/* `aftersales segment-facts --rebuild`. */
int campaigns_cmd_facts(int argc, char **argv, db *d);

#endif
