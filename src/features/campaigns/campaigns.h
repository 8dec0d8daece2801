/* campaigns: segments and campaigns of M12 (saved customer filters with a live count,
 * outreach lists frozen at launch); the public API of the folder. */
#ifndef FEATURES_CAMPAIGNS_H
#define FEATURES_CAMPAIGNS_H
#include "base/db.h"
#include "base/http.h"

extern const struct route campaigns_routes[];

/* The campaign send pass beside serve (every AFTERSALES_CAMPAIGN_INTERVAL s, default
 * 30, 0 off): due email and sms rows of launched campaigns into the outbox. */
void campaigns_scheduler_start(db *d);
void campaigns_scheduler_stop(void);

#endif
