/* tx: write transactions with retry, the organisation's time zone, and id lookups by key. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "features/common/common.h"

int in_tx(db_conn *c, int (*fn)(db_conn *c, void *arg), void *arg)
{
    for (int attempt = 0;; attempt++) {
        int rc = db_begin(c);
        if (rc == 0) {
            rc = fn(c, arg);
            if (rc == 0)
                rc = db_commit(c);
            else
                db_rollback(c);
            if (rc == 0)
                return 0;
        }
        if (rc != DB_EBUSY || attempt >= 4)
            return rc;
        db_rollback(c);
        struct timespec ts = {0, 2000000L * (attempt + 1)};
        nanosleep(&ts, NULL);
    }
}

/* The zone name is read again after ORG_ZONE_TTL seconds, so a change made with
 * `aftersales kpi --rebuild --zone` reaches running servers. */
#define ORG_ZONE_TTL 10

static pthread_mutex_t org_lock = PTHREAD_MUTEX_INITIALIZER;
static const struct dt_zone *org_cached;
static double org_read_at;

/* UTC+8 all year: China Standard Time, used when no zone file can be read. */
static const struct dt_zone *zone_cst(void)
{
    static int32_t off = 8 * 3600;
    static struct dt_zone z = {0, NULL, NULL, 1, &off};
    return &z;
}

const struct dt_zone *org_zone(db_conn *c)
{
    double now = now_mono();
    pthread_mutex_lock(&org_lock);
    const struct dt_zone *z = org_cached;
    int fresh = z && now - org_read_at < ORG_ZONE_TTL;
    pthread_mutex_unlock(&org_lock);
    if (fresh)
        return z;
    char name[64] = "Asia/Shanghai";
    db_stmt *st = c ? db_prepare(c, "SELECT time_zone FROM kpi_config WHERE id = 1") : NULL;
    if (st) {
        if (db_step(st) == DB_ROW && db_text(st, 0))
            snprintf(name, sizeof name, "%s", db_text(st, 0));
        db_done(st);
    }
    z = dt_zone_get(name);
    if (!z) {
        log_error("time zone %s not found in the zoneinfo; using UTC+8", name);
        z = zone_cst();
    }
    pthread_mutex_lock(&org_lock);
    org_cached = z;
    org_read_at = now;
    pthread_mutex_unlock(&org_lock);
    return z;
}

int lookup_id(db_conn *c, const char *sql, const char *key, int64_t *id)
{
    db_stmt *st = db_prepare(c, sql);
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, key);
    int rc = db_step(st);
    if (rc == DB_ROW)
        *id = db_int(st, 0);
    db_done(st);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? 1 : rc;
}
