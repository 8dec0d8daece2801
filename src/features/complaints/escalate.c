/* escalate: the escalation pass: for every open complaint whose clock has used a share
 * of its target named by the policy's escalation list (e.g. 75 % notify the supervisor,
 * 100 % breach), fire that step once: a complaint_escalations row (its primary key lets
 * one server only win, also with several on one PostgreSQL), a timeline event and a
 * notification in the outbox. Run by a thread inside serve and by `aftersales escalate`. */
#include "features/complaints/internal.h"

#include "base/log.h"

#include <getopt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* One open complaint's running clock, read in the pass. */
struct open_clock {
    int64_t id, target;
    int64_t due, left; /* due DT_NONE: paused, left the business seconds left */
    const char *clock;
    char code[24];
};

/* Fire step `pct` of clock k->clock on complaint k->id once. 1 fired, 0 already, <0 db. */
static int fire(db_conn *c, const struct open_clock *k, int pct, const char *who, int64_t now)
{
    if (db_begin(c) < 0)
        return DB_ERROR;
    int64_t e = db_exec(c, "INSERT INTO complaint_escalations (complaint_id, clock, share_pct, fired_at, fired_by)"
                           " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                        "itiit", k->id, k->clock, (int64_t)pct, now, who);
    if (e <= 0) {
        db_rollback(c);
        return e < 0 ? (int)e : 0;
    }
    char note[96], payload[160];
    snprintf(note, sizeof note, "%s %d%%%s", k->clock, pct, pct >= 100 ? " (breach)" : "");
    snprintf(payload, sizeof payload, "{\"code\":\"%s\",\"clock\":\"%s\",\"share_pct\":%d}", k->code, k->clock, pct);
    int64_t ev = db_exec(c, "INSERT INTO complaint_events (complaint_id, kind, at, actor, note) VALUES (?, 'escalation', ?, ?, ?)",
                         "iitt", k->id, now, who, note);
    int64_t ob = ev < 0 ? ev
                        : db_exec(c, "INSERT INTO outbox (channel, recipient, template, payload, customer_id, created_at)"
                                     " VALUES ('staff', 'supervisor', ?, ?, NULL, ?)",
                                  "tti", pct >= 100 ? "complaint_breach" : "complaint_escalation", payload, now);
    if (ob < 0 || db_commit(c) < 0) {
        db_rollback(c);
        return DB_ERROR;
    }
    return 1;
}

int complaints_escalate(db_conn *c, const char *who, int *fired)
{
    *fired = 0;
    struct cpl_clock k;
    int rc = cpl_clock_open(c, &k);
    if (rc < 0)
        return rc;
    db_stmt *st = db_prepare(c, "SELECT id, code, first_response_at, first_response_due, resolution_due,"
                                " first_response_left, resolution_left FROM complaints"
                                " WHERE status NOT IN ('resolved', 'closed') ORDER BY id");
    size_t n = 0, cap = 64;
    struct open_clock *v = malloc(cap * sizeof *v);
    while (st && v && (rc = db_step(st)) == DB_ROW) {
        if (n == cap) {
            struct open_clock *g = realloc(v, (cap *= 2) * sizeof *v);
            if (!g)
                break;
            v = g;
        }
        struct open_clock *o = &v[n++];
        int res = !db_isnull(st, 2);
        o->id = db_int(st, 0);
        snprintf(o->code, sizeof o->code, "%s", db_text(st, 1));
        o->clock = res ? "resolution" : "first_response";
        o->target = (res ? k.pol.res_hours : k.pol.fr_hours) * 3600;
        o->due = db_isnull(st, res ? 4 : 3) ? DT_NONE : db_int(st, res ? 4 : 3);
        o->left = db_isnull(st, res ? 6 : 5) ? 0 : db_int(st, res ? 6 : 5);
    }
    db_done(st);
    if (!st || !v)
        rc = DB_ERROR;
    int64_t now = now_unix();
    for (size_t i = 0; rc >= 0 && i < n; i++) {
        struct open_clock *o = &v[i];
        /* business seconds left: stored while paused, else from now to the due time */
        int64_t left = o->due == DT_NONE ? o->left
                       : o->due >= now   ? cal_between(&k.cal.cal, now, o->due)
                                         : -cal_between(&k.cal.cal, o->due, now);
        if (o->due != DT_NONE && o->due <= now && left > 0)
            left = 0;
        size_t j;
        json_t *share;
        json_array_foreach(k.pol.escalation, j, share) {
            double s = json_number_value(share);
            int pct = (int)(s * 100 + 0.5);
            /* used >= s * target  <=>  left <= target - s * target */
            if ((double)left > (double)o->target * (1 - s))
                continue;
            int f = fire(c, o, pct, who, now);
            if (f < 0) {
                rc = f;
                break;
            }
            *fired += f;
        }
    }
    free(v);
    cpl_clock_close(&k);
    return rc < 0 ? rc : 0;
}

/* ---------------------------------------------------------------- inside serve */

static pthread_t thread;
static volatile int stopping, running;
static db *the_db;
static int interval_s;

static void *loop(void *arg)
{
    (void)arg;
    char who[64];
    snprintf(who, sizeof who, "escalation:%ld", (long)getpid());
    while (!stopping) {
        db_conn *c = db_acquire(the_db);
        int fired = 0;
        if (complaints_escalate(c, who, &fired) < 0)
            log_info("escalation: pass failed: %s", db_errmsg(c));
        else if (fired)
            log_info("escalation: %d steps fired", fired);
        db_release(c);
        for (int i = 0; i < interval_s * 10 && !stopping; i++)
            nanosleep(&(struct timespec){0, 100000000}, NULL);
    }
    return NULL;
}

void complaints_scheduler_start(db *d)
{
    const char *env = getenv("AFTERSALES_ESCALATION_INTERVAL");
    interval_s = env && *env ? atoi(env) : 60;
    if (interval_s <= 0)
        return; /* 0 turns the scheduler off */
    the_db = d;
    stopping = 0;
    running = pthread_create(&thread, NULL, loop, NULL) == 0;
}

void complaints_scheduler_stop(void)
{
    if (!running)
        return;
    stopping = 1;
    pthread_join(thread, NULL);
    running = 0;
}

int complaints_cmd_escalate(int argc, char **argv, db *d)
{
    (void)argc;
    (void)argv;
    db_conn *c = db_acquire(d);
    char who[64];
    snprintf(who, sizeof who, "escalation:%ld", (long)getpid());
    int fired = 0, rc = complaints_escalate(c, who, &fired);
    if (rc < 0)
        fprintf(stderr, "aftersales escalate: %s\n", db_errmsg(c));
    else
        printf("%d escalation steps fired\n", fired);
    db_release(c);
    return rc < 0 ? 1 : 0;
}
