/* escalate: the escalation pass: for every open complaint whose clock has used a share
 * of its target named by the policy's escalation list (e.g. 75 % notify the supervisor,
 * 100 % breach), fire that step once: a complaint_escalations row (its primary key lets
 * one server only win, also with several on one PostgreSQL), a timeline event and a
 * notification in the outbox. The pass reads only the complaints whose next_step_at
 * (kept with their due times) has come. Run by a thread inside serve and by
 * `aftersales escalate`. */
#include "features/complaints/internal.h"

#include "base/log.h"

#include <getopt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Fire step st of complaint id (code) once: 1 fired, 0 already, <0 db. In the caller's
 * transaction. */
static int fire(db_conn *c, int64_t id, const char *code, const struct cpl_step *st,
                const char *who, int64_t now)
{
    int64_t e = db_exec(c, "INSERT INTO complaint_escalations (complaint_id, clock, share_pct, fired_at, fired_by)"
                           " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                        "itiit", id, st->clock, (int64_t)st->pct, now, who);
    if (e <= 0)
        return e < 0 ? (int)e : 0;
    char note[96], payload[160];
    snprintf(note, sizeof note, "%s %d%%%s", st->clock, st->pct, st->pct >= 100 ? " (breach)" : "");
    snprintf(payload, sizeof payload, "{\"code\":\"%s\",\"clock\":\"%s\",\"share_pct\":%d}", code,
             st->clock, st->pct);
    int64_t ev = db_exec(c, "INSERT INTO complaint_events (complaint_id, kind, at, actor, note) VALUES (?, 'escalation', ?, ?, ?)",
                         "iitt", id, now, who, note);
    int64_t ob = ev < 0 ? ev
                        : db_exec(c, "INSERT INTO outbox (channel, recipient, template, payload, customer_id, created_at)"
                                     " VALUES ('staff', 'supervisor', ?, ?, NULL, ?)",
                                  "tti", st->pct >= 100 ? "complaint_breach" : "complaint_escalation", payload, now);
    return ob < 0 ? (int)ob : 1;
}

/* A batch of complaints with a step due, in one transaction: their due steps fired,
 * next_step_at moved on. The count fired or a db code. */
#define BATCH 100
struct due_row {
    int64_t id;
    char code[24];
};

static int fire_batch(db_conn *c, const struct cpl_clock *k, const struct due_row *v, size_t n,
                      const char *who, int64_t now)
{
    int rc = db_begin(c), fired = 0;
    for (size_t i = 0; rc >= 0 && i < n; i++) {
        struct cpl_step due[CPL_STEPS_MAX];
        int nd = 0;
        /* recomputed inside the transaction: what another server fired meanwhile counts */
        rc = cpl_recompute_due(c, k, v[i].id, now, due, &nd);
        for (int j = 0; rc >= 0 && j < nd; j++) {
            int f = fire(c, v[i].id, v[i].code, &due[j], who, now);
            if (f < 0)
                rc = f;
            else
                fired += f;
        }
    }
    if (rc >= 0 && (rc = db_commit(c)) >= 0)
        return fired;
    db_rollback(c);
    return rc;
}

int complaints_escalate(db_conn *c, const char *who, int *fired)
{
    *fired = 0;
    struct cpl_clock k;
    int rc = cpl_clock_open(c, &k);
    if (rc < 0)
        return rc;
    int64_t now = now_unix();
    /* only the complaints whose next step is due (complaints_next_step), in batches */
    db_stmt *st = db_prepare(c, "SELECT id, code FROM complaints WHERE next_step_at IS NOT NULL"
                                " AND next_step_at <= ? ORDER BY next_step_at, id LIMIT 100");
    for (int round = 0; st && rc >= 0 && round < 10000; round++) {
        struct due_row v[BATCH];
        size_t n = 0;
        db_bind_int(st, 1, now);
        while ((rc = db_step(st)) == DB_ROW && n < BATCH) {
            v[n].id = db_int(st, 0);
            snprintf(v[n].code, sizeof v[n].code, "%s", db_text(st, 1));
            n++;
        }
        db_done(st);
        if (rc < 0 || n == 0)
            break;
        int f = fire_batch(c, &k, v, n, who, now);
        if (f < 0)
            rc = f;
        else
            *fired += f;
    }
    if (!st)
        rc = DB_ERROR;
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
