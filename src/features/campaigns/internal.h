/* campaigns: what the files of the campaigns folder share (nobody else includes it). */
#ifndef FEATURES_CAMPAIGNS_INTERNAL_H
#define FEATURES_CAMPAIGNS_INTERNAL_H
#include <jansson.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/jsonv.h"
#include "features/campaigns/campaigns.h"
#include "features/common/common.h"

/* The marketing channels a segment can require consent for (customer_consents). */
#define SEG_CHANNELS 5
extern const char *const seg_channels[SEG_CHANNELS + 1];

/* A validated segment filter; absent parts are 0 or "". */
struct seg_filter {
    int64_t pl_id, model_id;
    int pl_bit;                     /* the line's bit in segment_facts.pl_mask, -1: none */
    char purchased_from[11], purchased_to[11];
    char region[7];
    int64_t served_from, served_to; /* local midnights: [from, to + 1 day) */
    long long score_min, score_max;
    unsigned consent;               /* bit i: seg_channels[i] granted */
};

/* The query's WHERE over segment_facts f (live customers only) and its parameters. */
struct seg_sql {
    buf where;
    int n;
    int kind[24];
    const char *text[24];
    int64_t num[24];
};

/* segments.c */
/* Read and check filter (a JSON object, NULL as {}): reasons in v; codes resolved on c.
 * 0, or a negative db code. */
int seg_filter_read(db_conn *c, jsonv *v, json_t *filter, struct seg_filter *f);
/* The WHERE of f into q (buf_release(&q->where) after). */
void seg_sql_build(const struct seg_filter *f, struct seg_sql *q);
/* Bind q's parameters to st from parameter `first`. */
void seg_sql_bind(const struct seg_sql *q, db_stmt *st, int first);
/* {count, sample: [first 20 {code, name, region}]} of f, or NULL with *rc set. */
json_t *seg_preview(db_conn *c, const struct seg_filter *f, int *rc);

/* The segment's filter (saved JSON text) read back into f; 0, or -1 when it no longer
 * holds (a product line or model gone) or a negative db code. */
int seg_filter_of_text(db_conn *c, const char *text, struct seg_filter *f);

/* campaigns.c, outreach.c */
/* 1 when customer_id (not erased) has granted consent for channel now. 0, 1 or a db code. */
int cp_consent_now(db_conn *c, int64_t customer_id, const char *channel);
int cp_unsub_page(req *r);
int cp_unsub_post(req *r);
int cp_create(req *r);
int cp_get(req *r);
int cp_list(req *r);
int cp_launch(req *r);
int cp_targets(req *r);
int cp_attempt(req *r);
/* One send pass: due email/sms rows of launched campaigns into the outbox (or skipped). */
int cp_send_due(db_conn *c, int64_t now, int *sent, int *skipped);

int seg_preview_route(req *r);
int seg_create(req *r);
int seg_get(req *r);
int seg_list(req *r);

#endif
