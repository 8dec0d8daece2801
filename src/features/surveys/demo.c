/* surveys: the demo's surveys: one over each delivered demo repair and, for on-site
 * repairs, a completed visit with its own survey; most are answered and satisfied
 * (about 98-99%), a few low scores open follow-ups, and recent call-backs stay open.
 * The once-per-interval limit is not applied to the demo's history. One transaction. */
#include "features/surveys/internal.h"

#include "base/xrand.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEMO_MAX 30000

static struct xrand rs;

/* Scores of one answered survey: overall 4-5 for ~98%, else 1-3. */
static void scores(long long q[5], int *low)
{
    int sat = xrand_in(&rs, 0, 999) >= 20;
    for (int i = 0; i < 4; i++)
        q[i] = sat ? xrand_in(&rs, 4, 5) : xrand_in(&rs, 1, 3);
    if (sat && xrand_in(&rs, 0, 9) == 0)
        q[xrand_in(&rs, 0, 2)] = 3;
    q[4] = sat ? xrand_in(&rs, 8, 10) : xrand_in(&rs, 0, 6);
    *low = 0;
    for (int i = 0; i < 4; i++)
        if (q[i] <= SV_LOW)
            *low = 1;
}

/* The visit of an on-site repair: an appointment of a technician of its outlet, done
 * two hours before delivery. Its id, 0 when the outlet has no technician, or < 0. */
static int64_t demo_visit(db_conn *c, int64_t repair_id, int64_t at)
{
    char code[24];
    int rc = code_next(c, "appointment", "A", 6, code, sizeof code);
    if (rc < 0)
        return rc;
    db_stmt *st = db_prepare(
        c, "INSERT INTO appointments (code, technician_id, outlet_id, starts_at, ends_at,"
           " repair_code, note, completed_at, created_at)"
           " SELECT ?, t.id, r.outlet_id, CAST(? AS BIGINT), CAST(? AS BIGINT), r.code, 'demo',"
           " CAST(? AS BIGINT), CAST(? AS BIGINT) FROM repairs r JOIN technicians t"
           " ON t.outlet_id = r.outlet_id WHERE r.id = ? ORDER BY t.id LIMIT 1 RETURNING id");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, code);
    db_bind_int(st, 2, at - 3 * 3600);
    db_bind_int(st, 3, at - 2 * 3600);
    db_bind_int(st, 4, at - 2 * 3600);
    db_bind_int(st, 5, at - 86400);
    db_bind_int(st, 6, repair_id);
    int s = db_step(st);
    int64_t id = s == DB_ROW ? db_int(st, 0) : 0;
    db_done(st);
    return s < 0 ? s : id;
}

/* One survey (kind repair or visit) sent at `at` and its answer; a fresh one (the
 * newest few, or of the last week) is still open. 0 or < 0. */
static int demo_survey(db_conn *c, const char *kind, int64_t repair_id, int64_t appt_id,
                       int64_t cid, int64_t oid, int64_t pl, int64_t at, int64_t now, int fresh)
{
    char code[24];
    int rc = code_next(c, "survey", "S", 8, code, sizeof code);
    if (rc < 0)
        return rc;
    static const char *const channels[] = {"callback", "callback", "email", "sms"};
    const char *ch = channels[xrand_in(&rs, 0, 3)];
    int recent = fresh || now - at < 7 * 86400;
    int answered = !recent && xrand_in(&rs, 0, 99) < 85;
    long long q[5] = {0};
    int low = 0;
    if (answered)
        scores(q, &low);
    int64_t ans_at = at + xrand_in(&rs, 3600, 2 * 86400);
    const char *status = answered ? "answered" : recent ? "open" : "closed";
    int64_t attempts = strcmp(ch, "callback") == 0 ? (answered ? xrand_in(&rs, 1, 2) : recent ? 0 : 3) : 0;
    int64_t e = db_exec(
        c,
        "INSERT INTO surveys (code, template_id, kind, repair_id, appointment_id, customer_id,"
        " outlet_id, product_line_id, channel, status, created_at, expires_at, answered_at,"
        " answered_via, attempts, outcome, q_first, q_time, q_attitude, q_overall, nps)"
        " SELECT ?, t.id, t.kind, NULLIF(CAST(? AS BIGINT), 0), NULLIF(CAST(? AS BIGINT), 0), ?,"
        " NULLIF(CAST(? AS BIGINT), 0), NULLIF(CAST(? AS BIGINT), 0), ?, ?, CAST(? AS BIGINT),"
        " CAST(? AS BIGINT), CASE WHEN CAST(? AS BIGINT) = 1 THEN CAST(? AS BIGINT) END,"
        " CASE WHEN CAST(? AS BIGINT) = 1 THEN CAST(? AS TEXT) END, ?,"
        " CASE WHEN CAST(? AS BIGINT) > 0 THEN CAST(? AS TEXT) END,"
        " NULLIF(CAST(? AS BIGINT), 0), NULLIF(CAST(? AS BIGINT), 0), NULLIF(CAST(? AS BIGINT), 0),"
        " NULLIF(CAST(? AS BIGINT), 0), CASE WHEN CAST(? AS BIGINT) = 1 THEN CAST(? AS BIGINT) END"
        " FROM survey_templates t WHERE t.code = ?",
        "tiiiiittiiiiitiitiiiiiit", code, repair_id, appt_id, cid, oid, pl, ch, status, at,
        at + 14 * 86400, (int64_t)answered, ans_at, (int64_t)answered,
        strcmp(ch, "callback") == 0 ? "callback" : "link", attempts, attempts,
        answered ? "answered" : "no_answer", (int64_t)q[0], (int64_t)q[1], (int64_t)q[2],
        (int64_t)q[3], (int64_t)answered, (int64_t)q[4], kind);
    if (e < 0 || !low)
        return e < 0 ? (int)e : 0;
    e = db_exec(c,
                "INSERT INTO survey_followups (survey_id, outlet_id, reason, status, created_at)"
                " SELECT id, outlet_id, 'overall ' || CAST(q_overall AS TEXT), ?, ? FROM surveys"
                " WHERE code = ?",
                "tit", xrand_in(&rs, 0, 1) ? "done" : "open", ans_at, code);
    return e < 0 ? (int)e : 0;
}

/* The delivered repairs' surveys and visits. 0 or < 0. */
static int fill(db_conn *c, int64_t now)
{
    db_stmt *st = db_prepare(c, "SELECT id, customer_id, COALESCE(outlet_id, 0),"
                                " COALESCE(product_line_id, 0), delivered_at, kind FROM repairs"
                                " WHERE status = 'delivered' AND delivered_at IS NOT NULL"
                                " ORDER BY id DESC LIMIT ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, DEMO_MAX);
    struct row {
        int64_t id, cid, oid, pl, at;
        int on_site;
    } *v = calloc(DEMO_MAX, sizeof *v);
    size_t n = 0;
    int s;
    while (v && n < DEMO_MAX && (s = db_step(st)) == DB_ROW) {
        v[n] = (struct row){db_int(st, 0), db_int(st, 1), db_int(st, 2), db_int(st, 3),
                            db_int(st, 4), strcmp(db_text(st, 5), "on_site") == 0};
        n++;
    }
    db_done(st);
    int rc = v ? 0 : DB_ERROR;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = demo_survey(c, "repair", v[i].id, 0, v[i].cid, v[i].oid, v[i].pl, v[i].at, now, i < 12);
        int64_t a = rc == 0 && v[i].on_site && v[i].oid ? demo_visit(c, v[i].id, v[i].at) : 0;
        if (a < 0)
            rc = (int)a;
        else if (a > 0)
            rc = demo_survey(c, "visit", 0, a, v[i].cid, v[i].oid, v[i].pl, v[i].at - 2 * 3600, now,
                             i < 12);
    }
    free(v);
    return rc;
}

int surveys_demo(db *d, const struct demo_opts *o)
{
    db_conn *c = db_acquire(d);
    rs = xrand_seed(0x5EEDF00DC0FFEEull, o->seed);
    struct sv_settings set;
    int64_t now = now_unix();
    db_stmt *st = db_prepare(c, "SELECT COUNT(*) FROM surveys");
    int64_t have = st && db_step(st) == DB_ROW ? db_int(st, 0) : -1;
    db_done(st);
    int rc = have != 0 ? (have > 0 ? 0 : -1) : db_begin(c);
    if (have == 0 && rc == 0) {
        rc = sv_settings_load(c, 1, &set);
        if (rc == 0)
            rc = fill(c, now);
        if (rc == 0)
            rc = db_commit(c);
        else
            db_rollback(c);
        if (rc < 0)
            fprintf(stderr, "demo surveys: %s\n", db_errmsg(c));
    }
    db_release(c);
    return rc < 0 ? -1 : 0;
}
