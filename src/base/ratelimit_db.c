/* ratelimit_db: the shared rate limits, counted in the rate_limits table on PostgreSQL
 * so that every server on one database sees the same count. */
#include "base/log.h"
#include "base/ratelimit.h"

#include <stdatomic.h>

/* Rows whose window began this long ago are swept (longer than any window in use). */
#define RL_STALE_SECONDS 3600
/* One event in this many sweeps the stale rows. */
#define RL_SWEEP_EVERY 512

static atomic_uint events;

static int shared(db_conn *c) { return c && db_conn_kind(c) == DB_POSTGRES; }

static void sweep(db_conn *c, int64_t now)
{
    if (atomic_fetch_add(&events, 1) % RL_SWEEP_EVERY != 0)
        return;
    if (db_exec(c, "DELETE FROM rate_limits WHERE window_start < ?", "i", now - RL_STALE_SECONDS) < 0)
        log_error("rate_limits sweep: %s", db_errmsg(c));
}

int ratelimit_shared_over(struct ratelimit *rl, db_conn *c, const char *key, int64_t now)
{
    if (!shared(c))
        return ratelimit_over(rl, key, now);
    db_stmt *st = db_prepare(c, "SELECT count FROM rate_limits WHERE key = ? AND window_start > ?");
    if (!st)
        return ratelimit_over(rl, key, now);
    db_bind_text(st, 1, key);
    db_bind_int(st, 2, now - ratelimit_window(rl));
    int s = db_step(st);
    int over = s == DB_ROW && db_int(st, 0) >= ratelimit_limit(rl);
    db_done(st);
    return s < 0 ? ratelimit_over(rl, key, now) : over;
}

int ratelimit_shared_add(struct ratelimit *rl, db_conn *c, const char *key, int64_t now)
{
    if (!shared(c))
        return ratelimit_add(rl, key, now);
    /* A window that has ended starts again at now with this one event. */
    db_stmt *st = db_prepare(c,
        "INSERT INTO rate_limits (key, window_start, count) VALUES (?, ?, 1)"
        " ON CONFLICT (key) DO UPDATE SET"
        " count = CASE WHEN rate_limits.window_start <= EXCLUDED.window_start - ?"
        " THEN 1 ELSE rate_limits.count + 1 END,"
        " window_start = CASE WHEN rate_limits.window_start <= EXCLUDED.window_start - ?"
        " THEN EXCLUDED.window_start ELSE rate_limits.window_start END"
        " RETURNING count");
    if (!st)
        return ratelimit_add(rl, key, now);
    db_bind_text(st, 1, key);
    db_bind_int(st, 2, now);
    db_bind_int(st, 3, ratelimit_window(rl));
    db_bind_int(st, 4, ratelimit_window(rl));
    int s = db_step(st);
    int64_t count = s == DB_ROW ? db_int(st, 0) : 0;
    db_done(st);
    if (s != DB_ROW) {
        log_error("rate_limits: %s", db_errmsg(c));
        return ratelimit_add(rl, key, now);
    }
    sweep(c, now);
    return count > ratelimit_limit(rl);
}

void ratelimit_shared_clear(struct ratelimit *rl, db_conn *c, const char *key)
{
    ratelimit_clear(rl, key);
    if (shared(c) && db_exec(c, "DELETE FROM rate_limits WHERE key = ?", "t", key) < 0)
        log_error("rate_limits: %s", db_errmsg(c));
}
