/* ratelimit: in-process fixed-window counters by key (client address, login, ...).
 * Per process: with several servers on PostgreSQL each server counts on its own. */
#ifndef BASE_RATELIMIT_H
#define BASE_RATELIMIT_H
#include <stdint.h>

struct ratelimit;

/* At most `limit` events per `window` seconds per key. */
struct ratelimit *ratelimit_new(int limit, int window);
void ratelimit_free(struct ratelimit *rl);
/* 1 when key has used up its events in the current window. */
int ratelimit_over(struct ratelimit *rl, const char *key, int64_t now);
/* Count one event for key; returns 1 when this event went over the limit. */
int ratelimit_add(struct ratelimit *rl, const char *key, int64_t now);
/* Forget key (after a successful login, say). */
void ratelimit_clear(struct ratelimit *rl, const char *key);
/* Change the limit (configuration, tests). */
void ratelimit_set_limit(struct ratelimit *rl, int limit);

#endif
