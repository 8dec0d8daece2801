/* ratelimit: fixed-window counters by key (client address, login, ...): in process,
 * or (ratelimit_shared_*) in the database's rate_limits table on PostgreSQL, so that
 * several servers on one database count together. */
#ifndef BASE_RATELIMIT_H
#define BASE_RATELIMIT_H
#include <stdint.h>

#include "base/db.h"

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
int ratelimit_limit(const struct ratelimit *rl);
int ratelimit_window(const struct ratelimit *rl);

/* The same three on a limit shared by every server: on PostgreSQL the counter is the
 * rate_limits row of key (one UPSERT per event, outside any transaction of c's; stale
 * rows are swept now and then); on SQLite, or when the database fails, rl itself. */
int ratelimit_shared_over(struct ratelimit *rl, db_conn *c, const char *key, int64_t now);
int ratelimit_shared_add(struct ratelimit *rl, db_conn *c, const char *key, int64_t now);
void ratelimit_shared_clear(struct ratelimit *rl, db_conn *c, const char *key);

#endif
