/* campaigns: segments and campaigns of M12 (saved customer filters with a live count,
 * outreach lists frozen at launch); the public API of the folder. */
#ifndef FEATURES_CAMPAIGNS_H
#define FEATURES_CAMPAIGNS_H
#include "base/db.h"
#include "base/http.h"
#include "features/features.h"

#include <jansson.h>
#include <stdint.h>

extern const struct route campaigns_routes[];

/* The campaign send pass beside serve (every AFTERSALES_CAMPAIGN_INTERVAL s, default
 * 30, 0 off): due email and sms rows of launched campaigns into the outbox. */
void campaigns_scheduler_start(db *d);
void campaigns_scheduler_stop(void);

/* facts.c: segment_units and segment_facts computed again from their sources, in one
 * transaction (*rows: the customers with facts); 0 or a negative db code. */
int campaigns_facts_rebuild(db_conn *c, int64_t *rows);
/* The facts rows of the customers with id > after that a bulk load inserted with the
 * customers' triggers set aside, in one statement (what segment_customers_ins does row
 * by row: a new customer's row is its region), plus their consents if the load's
 * transaction granted any. Units, repairs and surveys of those customers made in the
 * same transaction are not looked at (the demo rebuilds every fact at its end).
 * 0 or a negative db code. */
int campaigns_facts_added(db_conn *c, int64_t after);
/* The demo's last step: the facts after the bulk loads that set triggers aside. */
int campaigns_demo(db *d, const struct demo_opts *o);
/* `aftersales segment-facts --rebuild`. */
int campaigns_cmd_facts(int argc, char **argv, db *d);
/* Freeze the recipients of a segment (its saved filter text) for channel (phone, email,
 * sms, fax) into table `into` (a constant name) as rows (owner_col, customer_id, status
 * 'pending', updated_at) of owner_id: every surviving customer of the segment (merged
 * duplicates and erased customers are never in one) with granted consent for the
 * channel and an address for it (an email for email, else a phone). Inside the
 * caller's write transaction. 0 with *frozen, 1 when the filter no longer holds (a
 * product line or model gone), or a negative db code. Campaign launch and research
 * questionnaires use it. */
int campaigns_freeze(db_conn *c, const char *filter, const char *channel, const char *into,
                     const char *owner_col, int64_t owner_id, int64_t now, int64_t *frozen);
/* Add the one-click List-Unsubscribe headers for customer `code` and channel to an
 * outbox payload (its "headers" object), making the link key first; 0 or a db code. */
int campaigns_unsub_headers(db_conn *c, const char *code, const char *channel, json_t *payload);
/* The same in two halves, for many messages in one transaction: the link key (made
 * first; 0 or a db code), then the headers of one customer under it. */
int campaigns_unsub_key(db_conn *c, unsigned char key[32]);
void campaigns_unsub_set(const unsigned char key[32], const char *code, const char *channel,
                         json_t *payload);

#endif
