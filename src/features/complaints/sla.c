/* sla: the complaint SLA policy (GET and PUT /api/v1/sla-policies/complaint), the due
 * times of a complaint derived from received_at, its pauses and the current policy and
 * calendar (stored in columns for the queue order), and the complaint_response_24h count. */
#include "features/complaints/internal.h"

#include "base/arena.h"
#include "base/audit.h"
#include "base/jsonv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int cpl_policy_load(db_conn *c, struct cpl_policy *p)
{
    memset(p, 0, sizeof *p);
    db_stmt *st = db_prepare(c, "SELECT calendar, first_response_hours, resolution_hours, escalation,"
                                " version, updated_at FROM sla_policies WHERE name = 'complaint'");
    if (!st)
        return DB_ERROR;
    int rc = db_step(st);
    if (rc == DB_ROW) {
        snprintf(p->calendar, sizeof p->calendar, "%s", db_text(st, 0));
        p->fr_hours = db_int(st, 1);
        p->res_hours = db_int(st, 2);
        p->escalation = json_loads(db_text(st, 3), 0, NULL);
        p->version = db_int(st, 4);
        p->updated_at = db_int(st, 5);
    }
    db_done(st);
    if (!p->escalation)
        p->escalation = json_array();
    return rc == DB_ROW ? 0 : rc < 0 ? rc : DB_ERROR;
}

json_t *cpl_policy_json(const struct cpl_policy *p)
{
    return json_pack("{s:s, s:s, s:I, s:I, s:O, s:I, s:o}", "name", "complaint", "calendar",
                     p->calendar, "first_response_hours", (json_int_t)p->fr_hours,
                     "resolution_hours", (json_int_t)p->res_hours, "escalation", p->escalation,
                     "version", (json_int_t)p->version, "updated_at", dt_json(p->updated_at));
}

int cpl_clock_open(db_conn *c, struct cpl_clock *k)
{
    memset(k, 0, sizeof *k);
    int rc = cpl_policy_load(c, &k->pol);
    if (rc < 0)
        return rc;
    if (complaints_holidays_ensure(c) < 0)
        return DB_ERROR;
    rc = cpl_cal_load(c, k->pol.calendar, &k->cal);
    if (rc != 0) {
        json_decref(k->pol.escalation);
        return rc < 0 ? rc : DB_ERROR;
    }
    return 0;
}

void cpl_clock_close(struct cpl_clock *k)
{
    json_decref(k->pol.escalation);
    cpl_cal_free(&k->cal);
}

/* What a complaint's clocks are computed from (its event log): received, first
 * response and resolution instants, its pauses, the spans it spent resolved before a
 * reopen, and the escalation steps already fired. */
struct facts {
    int64_t id, recv, resp, res;
    int done;
    int64_t stored[7]; /* the clock columns as stored (update_stmt's order; DT_NONE: NULL) */
    size_t np, ns, nf, cp, cs; /* counts and capacities */
    int64_t (*pauses)[2]; /* sorted by start; an end of DT_NONE: still paused */
    int64_t (*spans)[2];  /* [resolved, reopened), sorted */
    struct fired { int res; int pct; } *fired;
};

/* An interval list that grows (malloc'd; freed by the caller). 0 or -1. */
static int add_span(int64_t (**v)[2], size_t *n, size_t *cap, int64_t a, int64_t b)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 4;
        int64_t (*g)[2] = realloc(*v, nc * sizeof **v);
        if (!g)
            return -1;
        *v = g, *cap = nc;
    }
    (*v)[*n][0] = a, (*v)[*n][1] = b;
    (*n)++;
    return 0;
}

/* One clock: from received, the pauses clipped at stop (the clock's end, DT_NONE while
 * it runs). */
static int clock_of(const struct calendar *cal, int64_t received, int64_t target, int64_t stop,
                    const int64_t (*ps)[2], size_t n, int64_t *due, int64_t *left)
{
    int64_t (*cut)[2] = n ? malloc(n * sizeof *cut) : NULL;
    size_t m = 0;
    for (size_t i = 0; i < n && cut; i++) {
        if (stop != DT_NONE && ps[i][0] >= stop)
            break;
        cut[m][0] = ps[i][0];
        cut[m][1] = ps[i][1];
        if (stop != DT_NONE && (cut[m][1] == DT_NONE || cut[m][1] > stop))
            cut[m][1] = stop;
        m++;
    }
    int rc = cal_due(cal, received, target, (const int64_t(*)[2])cut, m, due, left);
    free(cut);
    if (rc < 0) { /* no hours within ten years: no due time */
        *due = DT_NONE;
        *left = target;
    }
    return rc;
}

/* The resolution clock's stops: the pauses and the resolved spans, in one sorted list
 * (they do not overlap: a resolved complaint cannot be paused; overlaps would merge).
 * NULL with *n 0 when there are none; else malloc'd. */
static int64_t (*resolution_stops(const struct facts *f, size_t *n))[2]
{
    *n = f->np;
    if (!f->ns)
        return f->pauses;
    *n = 0;
    int64_t (*v)[2] = malloc((f->np + f->ns) * sizeof *v);
    size_t i = 0, j = 0;
    while (v && (i < f->np || j < f->ns)) {
        const int64_t *x = j >= f->ns || (i < f->np && f->pauses[i][0] <= f->spans[j][0])
                               ? f->pauses[i++] : f->spans[j++];
        if (*n && (v[*n - 1][1] == DT_NONE || v[*n - 1][1] >= x[0])) {
            if (v[*n - 1][1] != DT_NONE && (x[1] == DT_NONE || x[1] > v[*n - 1][1]))
                v[*n - 1][1] = x[1];
            continue;
        }
        v[*n][0] = x[0], v[*n][1] = x[1];
        (*n)++;
    }
    return v;
}

/* The running clock's escalation steps not fired yet, each with the instant its used
 * business time reaches the step's share of the target (none while paused before it).
 * The count (at most CPL_STEPS_MAX). */
static int steps_of(const struct cpl_clock *k, const struct facts *f, const int64_t (*rs)[2],
                    size_t nr, struct cpl_step *out)
{
    if (f->done)
        return 0;
    int on_res = f->resp != DT_NONE, n = 0;
    int64_t target = (on_res ? k->pol.res_hours : k->pol.fr_hours) * 3600;
    size_t j;
    json_t *share;
    json_array_foreach(k->pol.escalation, j, share) {
        int pct = cpl_step_pct(json_number_value(share)), was = 0;
        for (size_t i = 0; i < f->nf; i++)
            was |= f->fired[i].res == on_res && f->fired[i].pct == pct;
        int64_t at, left;
        if (was || n == CPL_STEPS_MAX ||
            clock_of(&k->cal.cal, f->recv, cpl_step_secs(json_number_value(share), target), DT_NONE,
                     on_res ? rs : (const int64_t(*)[2])f->pauses, on_res ? nr : f->np, &at,
                     &left) != 0)
            continue;
        out[n++] = (struct cpl_step){on_res ? "resolution" : "first_response", pct, at};
    }
    return n;
}

/* The due times of f, its queue order and its next escalation step, stored by u; the
 * steps due at `now` in due (NULL: not wanted) and their count in *ndue. */
static int store_clocks(db_stmt *u, const struct cpl_clock *k, const struct facts *f, int64_t now,
                        struct cpl_step *due, int *ndue)
{
    const struct calendar *cal = &k->cal.cal;
    size_t nr = 0;
    int64_t (*rs)[2] = resolution_stops(f, &nr);
    if (f->ns && !rs)
        return DB_ERROR;
    int64_t fdue, fleft, rdue, rleft;
    int fp = clock_of(cal, f->recv, k->pol.fr_hours * 3600, f->resp,
                      (const int64_t(*)[2])f->pauses, f->np, &fdue, &fleft);
    int rp = clock_of(cal, f->recv, k->pol.res_hours * 3600, f->res, (const int64_t(*)[2])rs, nr,
                      &rdue, &rleft);
    int64_t rank, key, next = DT_NONE;
    int on_resolution = f->resp != DT_NONE;
    if (f->done)
        rank = 2, key = f->recv;
    else if (on_resolution ? rp != 0 : fp != 0)
        rank = 1, key = on_resolution ? rleft : fleft;
    else
        rank = 0, key = on_resolution ? rdue : fdue;
    struct cpl_step steps[CPL_STEPS_MAX];
    int ns = steps_of(k, f, (const int64_t(*)[2])rs, nr, steps);
    for (int i = 0; i < ns; i++) {
        if (due && steps[i].at <= now) {
            due[(*ndue)++] = steps[i]; /* fired by the caller: not the next one */
            continue;
        }
        if (next == DT_NONE || steps[i].at < next)
            next = steps[i].at;
    }
    if (rs != f->pauses)
        free(rs);
    /* NULL for an absent instant */
    int64_t v[7] = {fdue, rdue, fp ? fleft : DT_NONE, rp ? rleft : DT_NONE, rank, key, next};
    if (memcmp(v, f->stored, sizeof v) == 0)
        return 0; /* unchanged (most complaints after an edit of days far ahead) */
    for (int i = 0; i < 7; i++)
        if (v[i] == DT_NONE)
            db_bind_null(u, i + 1);
        else
            db_bind_int(u, i + 1, v[i]);
    db_bind_int(u, 8, f->id);
    int rc = db_step(u);
    db_done(u);
    return rc < 0 ? rc : 0;
}

int cpl_step_pct(double share) { return (int)(share * 100 + 0.5); }

int64_t cpl_step_secs(double share, int64_t target)
{
    /* the first whole second at which used >= share * target */
    double x = share * (double)target;
    int64_t s = (int64_t)x;
    return (double)s < x - 1e-6 ? s + 1 : s;
}

static db_stmt *update_stmt(db_conn *c)
{
    return db_prepare(c, "UPDATE complaints SET first_response_due = ?, resolution_due = ?,"
                         " first_response_left = ?, resolution_left = ?, clock_rank = ?,"
                         " clock_key = ?, next_step_at = ? WHERE id = ?");
}

/* Rows of (complaint id, a, b) in complaint order, from st, appended to the facts of
 * fs[0..n) (sorted by id) with put. 0 or a db code. */
static int merge_rows(db_stmt *st, struct facts *fs, size_t n,
                      int (*put)(struct facts *f, db_stmt *st))
{
    size_t i = 0;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t id = db_int(st, 0);
        while (i < n && fs[i].id < id)
            i++;
        if (i < n && fs[i].id == id && put(&fs[i], st) < 0) {
            rc = DB_ERROR;
            break;
        }
    }
    db_done(st);
    return rc < 0 ? rc : 0;
}

static int put_pause(struct facts *f, db_stmt *st)
{
    return add_span(&f->pauses, &f->np, &f->cp, db_int(st, 1),
                    db_isnull(st, 2) ? DT_NONE : db_int(st, 2));
}

/* Events resolved and reopened, in order: each reopen closes the span its resolve
 * opened. */
static int put_event(struct facts *f, db_stmt *st)
{
    int reopen = strcmp(db_text(st, 2), "reopened") == 0;
    if (!reopen) /* a resolve: a span opens (its end set by the reopen, if any) */
        return add_span(&f->spans, &f->ns, &f->cs, db_int(st, 1), DT_NONE);
    if (f->ns && f->spans[f->ns - 1][1] == DT_NONE)
        f->spans[f->ns - 1][1] = db_int(st, 1);
    return 0;
}

static int put_fired(struct facts *f, db_stmt *st)
{
    struct fired *g = realloc(f->fired, (f->nf + 1) * sizeof *g);
    if (!g)
        return -1;
    f->fired = g;
    g[f->nf].res = strcmp(db_text(st, 1), "resolution") == 0;
    g[f->nf].pct = (int)db_int(st, 2);
    f->nf++;
    return 0;
}

/* The still-open span (resolved now) is no stop: the clock's own end stops it. */
static void drop_open_span(struct facts *f)
{
    if (f->ns && f->spans[f->ns - 1][1] == DT_NONE)
        f->ns--;
}

static void facts_free(struct facts *fs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(fs[i].pauses);
        free(fs[i].spans);
        free(fs[i].fired);
    }
    free(fs);
}

static int put_row(struct facts *f, db_stmt *st)
{
    f->id = db_int(st, 0);
    f->recv = db_int(st, 1);
    f->resp = db_isnull(st, 2) ? DT_NONE : db_int(st, 2);
    f->res = db_isnull(st, 3) ? DT_NONE : db_int(st, 3);
    f->done = strcmp(db_text(st, 4), "resolved") == 0 || strcmp(db_text(st, 4), "closed") == 0;
    for (int i = 0; i < 7; i++)
        f->stored[i] = db_isnull(st, 5 + i) ? DT_NONE : db_int(st, 5 + i);
    return 0;
}

/* The facts of the complaints selected by `where` (on complaints k; with one integer
 * parameter when arg is not DT_NONE), read with four statements in id order. */
static int load_facts(db_conn *c, const char *where, int64_t arg, struct facts **out, size_t *nout)
{
    static const char *const sql[4] = {
        "SELECT k.id, k.received_at, k.first_response_at, k.resolved_at, k.status,"
        " k.first_response_due, k.resolution_due, k.first_response_left, k.resolution_left,"
        " k.clock_rank, k.clock_key, k.next_step_at FROM complaints k WHERE %s ORDER BY k.id",
        "SELECT p.complaint_id, p.started_at, p.ended_at FROM complaint_pauses p"
        " JOIN complaints k ON k.id = p.complaint_id WHERE %s ORDER BY p.complaint_id, p.started_at, p.id",
        "SELECT e.complaint_id, e.at, e.kind FROM complaint_events e JOIN complaints k ON k.id = e.complaint_id"
        " WHERE %s AND e.kind IN ('resolved', 'reopened') ORDER BY e.complaint_id, e.at, e.id",
        "SELECT e.complaint_id, e.clock, e.share_pct FROM complaint_escalations e"
        " JOIN complaints k ON k.id = e.complaint_id WHERE %s ORDER BY e.complaint_id",
    };
    int (*const put[4])(struct facts *, db_stmt *) = {NULL, put_pause, put_event, put_fired};
    struct facts *fs = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    for (int q = 0; q < 4 && rc >= 0; q++) {
        char text[400];
        snprintf(text, sizeof text, sql[q], where);
        db_stmt *st = db_prepare(c, text);
        if (!st) {
            rc = DB_ERROR;
            break;
        }
        if (arg != DT_NONE)
            db_bind_int(st, 1, arg);
        if (q > 0) {
            rc = merge_rows(st, fs, n, put[q]);
            continue;
        }
        while ((rc = db_step(st)) == DB_ROW) {
            if (n == cap) {
                struct facts *g = realloc(fs, (cap = cap ? cap * 2 : 64) * sizeof *g);
                if (!g) {
                    rc = DB_ERROR;
                    break;
                }
                fs = g;
            }
            memset(&fs[n], 0, sizeof fs[n]);
            put_row(&fs[n++], st);
        }
        db_done(st);
    }
    for (size_t i = 0; i < n; i++)
        drop_open_span(&fs[i]);
    if (rc < 0) {
        facts_free(fs, n);
        return rc;
    }
    *out = fs;
    *nout = n;
    return 0;
}

/* Recompute and store the clocks of the complaints `where` selects; the count, or a db
 * code. due and ndue: as store_clocks (one complaint). */
static int recompute_where(db_conn *c, const struct cpl_clock *k, const char *where, int64_t arg,
                           int64_t now, struct cpl_step *due, int *ndue)
{
    struct facts *fs = NULL;
    size_t n = 0;
    int rc = load_facts(c, where, arg, &fs, &n);
    if (rc < 0)
        return rc;
    db_stmt *u = update_stmt(c);
    if (!u)
        rc = DB_ERROR;
    for (size_t i = 0; rc >= 0 && i < n; i++)
        rc = store_clocks(u, k, &fs[i], now, due, ndue);
    facts_free(fs, n);
    return rc < 0 ? rc : (int)(n > INT32_MAX ? INT32_MAX : n);
}

int cpl_recompute(db_conn *c, const struct cpl_clock *k, int64_t id)
{
    int rc = recompute_where(c, k, "k.id = ?", id, 0, NULL, NULL);
    return rc < 0 ? rc : rc == 0 ? DB_ERROR : 0;
}

int cpl_recompute_due(db_conn *c, const struct cpl_clock *k, int64_t id, int64_t now,
                      struct cpl_step due[CPL_STEPS_MAX], int *ndue)
{
    *ndue = 0;
    int rc = recompute_where(c, k, "k.id = ?", id, now, due, ndue);
    return rc < 0 ? rc : 0;
}

int cpl_recompute_open(db_conn *c)
{
    struct cpl_clock k;
    int rc = cpl_clock_open(c, &k);
    if (rc < 0)
        return rc;
    rc = recompute_where(c, &k, "k.status NOT IN ('resolved', 'closed')", DT_NONE, 0, NULL, NULL);
    cpl_clock_close(&k);
    return rc < 0 ? rc : 0;
}

int cpl_recompute_calendar(db_conn *c, const char *name)
{
    struct cpl_policy p;
    int rc = cpl_policy_load(c, &p);
    if (rc < 0)
        return rc;
    int used = strcmp(p.calendar, name) == 0;
    json_decref(p.escalation);
    return used ? cpl_recompute_open(c) : 0;
}

/* ---------------------------------------------------------------- policy routes */

int cpl_policy_get(req *r)
{
    struct cpl_policy p;
    int rc = cpl_policy_load(req_db(r), &p);
    if (rc < 0)
        return reply_db_failure(r, rc, "load policy");
    json_t *j = cpl_policy_json(&p);
    json_decref(p.escalation);
    return reply_json(r, 200, j);
}

/* The escalation shares: ascending numbers in (0, 2], at most 8. */
static json_t *read_escalation(jsonv *v)
{
    json_t *e = json_object_get(v->body, "escalation");
    if (!e || json_is_null(e))
        return NULL;
    double last = 0;
    size_t i;
    json_t *x;
    if (!json_is_array(e) || json_array_size(e) > 8) {
        jsonv_fail(v, "escalation", "must be a list of at most 8 shares of the target, e.g. [0.75, 1.0]");
        return NULL;
    }
    json_array_foreach(e, i, x) {
        if (!json_is_number(x) || json_number_value(x) <= last || json_number_value(x) > 2) {
            jsonv_fail(v, "escalation", "shares must be numbers above 0, at most 2, ascending");
            return NULL;
        }
        last = json_number_value(x);
    }
    return e;
}

int cpl_policy_put(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv v;
    jsonv_init(&v, body);
    static const char *const allowed[] = {"calendar", "first_response_hours", "resolution_hours",
                                          "escalation", "version", NULL};
    jsonv_only(&v, allowed);
    const char *cal = jsonv_str(&v, "calendar", 1, 40);
    long long fr = 0, res = 0, version = 0;
    jsonv_int_range(&v, "first_response_hours", 1, 1, 8760, &fr);
    jsonv_int_range(&v, "resolution_hours", 1, 1, 8760, &res);
    int has_version = jsonv_int(&v, "version", 0, &version);
    json_t *esc = read_escalation(&v);
    db_conn *c = req_db(r);
    int rc = -1;
    if (cal && jsonv_ok(&v)) {
        struct cpl_cal k;
        int e = cpl_cal_load(c, cal, &k);
        if (e < 0 && e != -2)
            goto out;
        if (e == 0)
            cpl_cal_free(&k);
        else
            jsonv_fail(&v, "calendar", "unknown calendar");
    }
    if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed", "the policy is not valid", jsonv_take(&v));
        goto out;
    }
    if (db_begin(c) < 0)
        goto out;
    struct cpl_policy p;
    if (cpl_policy_load(c, &p) < 0)
        goto rollback;
    if (has_version && version != p.version) {
        json_decref(p.escalation);
        db_rollback(c);
        rc = reply_error(r, 409, "stale_version", "the policy was changed by someone else; reload it", NULL);
        goto out;
    }
    char *etext = json_dumps(esc ? esc : p.escalation, JSON_COMPACT);
    json_decref(p.escalation);
    int64_t e = db_exec(c, "UPDATE sla_policies SET calendar = ?, first_response_hours = ?,"
                           " resolution_hours = ?, escalation = ?, version = version + 1,"
                           " updated_at = ? WHERE name = 'complaint'",
                        "tiiti", cal, (int64_t)fr, (int64_t)res, etext, now_unix());
    free(etext);
    json_t *detail = json_pack("{s:s, s:I, s:I}", "calendar", cal, "first_response_hours",
                               (json_int_t)fr, "resolution_hours", (json_int_t)res);
    int a = e < 0 ? -1 : audit_write(c, audit_actor(r), "update", "sla_policy", "complaint", detail);
    json_decref(detail);
    if (a < 0 || cpl_recompute_open(c) < 0 || cpl_policy_load(c, &p) < 0)
        goto rollback;
    if (db_commit(c) < 0) {
        json_decref(p.escalation);
        goto out;
    }
    rc = reply_json(r, 200, cpl_policy_json(&p));
    json_decref(p.escalation);
    goto out;
rollback:
    db_rollback(c);
    rc = reply_db_failure(r, DB_ERROR, "save policy");
out:
    jsonv_free(&v);
    json_decref(body);
    return rc;
}
