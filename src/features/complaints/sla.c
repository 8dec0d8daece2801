/* sla: the complaint SLA policy (GET and PUT /api/v1/sla-policies/complaint), the due
 * times of a complaint derived from received_at, its pauses and the current policy and
 * calendar (stored in columns for the queue order), and the complaint_response_24h count. */
#include "features/complaints/internal.h"

#include "base/arena.h"
#include "base/audit.h"
#include "base/jsonv.h"

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

/* One clock: from received, the pauses clipped at stop (the clock's end, DT_NONE while
 * it runs). */
static int clock_of(const struct calendar *cal, int64_t received, int64_t target, int64_t stop,
                    const int64_t (*ps)[2], size_t n, int64_t *due, int64_t *left)
{
    int64_t (*cut)[2] = n ? malloc(n * sizeof *cut) : NULL;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
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

int cpl_recompute(db_conn *c, const struct cpl_clock *k, int64_t id)
{
    db_stmt *st = db_prepare(c, "SELECT received_at, first_response_at, resolved_at, status FROM complaints"
                                " WHERE id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, id);
    int rc = db_step(st);
    int64_t recv = 0, resp = DT_NONE, res = DT_NONE;
    int done = 0;
    if (rc == DB_ROW) {
        recv = db_int(st, 0);
        resp = db_isnull(st, 1) ? DT_NONE : db_int(st, 1);
        res = db_isnull(st, 2) ? DT_NONE : db_int(st, 2);
        done = strcmp(db_text(st, 3), "resolved") == 0 || strcmp(db_text(st, 3), "closed") == 0;
    }
    db_done(st);
    if (rc != DB_ROW)
        return rc < 0 ? rc : DB_ERROR;
    size_t n = 0, cap = 8;
    int64_t (*ps)[2] = malloc(cap * sizeof *ps);
    if (!(st = db_prepare(c, "SELECT started_at, ended_at FROM complaint_pauses WHERE complaint_id = ?"
                             " ORDER BY started_at, id"))) {
        free(ps);
        return DB_ERROR;
    }
    db_bind_int(st, 1, id);
    while ((rc = db_step(st)) == DB_ROW) {
        if (n == cap) {
            cap *= 2;
            ps = realloc(ps, cap * sizeof *ps);
        }
        ps[n][0] = db_int(st, 0);
        ps[n][1] = db_isnull(st, 1) ? DT_NONE : db_int(st, 1);
        n++;
    }
    db_done(st);
    if (rc < 0) {
        free(ps);
        return rc;
    }
    int64_t fdue, fleft, rdue, rleft;
    int fp = clock_of(&k->cal.cal, recv, k->pol.fr_hours * 3600, resp, (const int64_t(*)[2])ps, n,
                      &fdue, &fleft);
    int rp = clock_of(&k->cal.cal, recv, k->pol.res_hours * 3600, res, (const int64_t(*)[2])ps, n,
                      &rdue, &rleft);
    free(ps);
    int64_t rank, key;
    int on_resolution = resp != DT_NONE;
    if (done)
        rank = 2, key = recv;
    else if (on_resolution ? rp != 0 : fp != 0)
        rank = 1, key = on_resolution ? rleft : fleft;
    else
        rank = 0, key = on_resolution ? rdue : fdue;
    /* NULL for an absent instant */
    int64_t v[4] = {fdue, rdue, fp ? fleft : DT_NONE, rp ? rleft : DT_NONE};
    db_stmt *u = db_prepare(c, "UPDATE complaints SET first_response_due = ?, resolution_due = ?,"
                               " first_response_left = ?, resolution_left = ?, clock_rank = ?,"
                               " clock_key = ? WHERE id = ?");
    if (!u)
        return DB_ERROR;
    for (int i = 0; i < 4; i++)
        if (v[i] == DT_NONE)
            db_bind_null(u, i + 1);
        else
            db_bind_int(u, i + 1, v[i]);
    db_bind_int(u, 5, rank);
    db_bind_int(u, 6, key);
    db_bind_int(u, 7, id);
    rc = db_step(u);
    db_done(u);
    return rc < 0 ? rc : 0;
}

int cpl_recompute_open(db_conn *c)
{
    struct cpl_clock k;
    int rc = cpl_clock_open(c, &k);
    if (rc < 0)
        return rc;
    db_stmt *st = db_prepare(c, "SELECT id FROM complaints WHERE status NOT IN ('resolved', 'closed')"
                                " ORDER BY id");
    if (!st) {
        cpl_clock_close(&k);
        return DB_ERROR;
    }
    size_t n = 0, cap = 64;
    int64_t *ids = malloc(cap * sizeof *ids);
    while ((rc = db_step(st)) == DB_ROW) {
        if (n == cap) {
            cap *= 2;
            ids = realloc(ids, cap * sizeof *ids);
        }
        ids[n++] = db_int(st, 0);
    }
    db_done(st);
    for (size_t i = 0; rc >= 0 && i < n; i++)
        rc = cpl_recompute(c, &k, ids[i]);
    free(ids);
    cpl_clock_close(&k);
    return rc < 0 ? rc : 0;
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

/* ---------------------------------------------------------------- KPI */

int complaints_kpi_response(db_conn *c, int64_t from, int64_t to, int64_t outlet_id,
                            int64_t line_id, const char *region_like, int64_t *num, int64_t *den)
{
    db_stmt *st = db_prepare(
        c, "SELECT CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(CASE WHEN first_response_at IS NOT NULL"
           " AND (first_response_due IS NULL OR first_response_at <= first_response_due)"
           " THEN 1 ELSE 0 END), 0) AS BIGINT) FROM complaints"
           " WHERE received_at >= ? AND received_at < ?"
           " AND (CAST(? AS BIGINT) = 0 OR outlet_id = ?) AND (CAST(? AS BIGINT) = 0 OR product_line_id = ?)"
           " AND (CAST(? AS TEXT) IS NULL OR outlet_id IN (SELECT id FROM outlets WHERE region LIKE ?))");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, from);
    db_bind_int(st, 2, to);
    db_bind_int(st, 3, outlet_id);
    db_bind_int(st, 4, outlet_id);
    db_bind_int(st, 5, line_id);
    db_bind_int(st, 6, line_id);
    db_bind_text(st, 7, region_like);
    db_bind_text(st, 8, region_like);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        *den = db_int(st, 0);
        *num = db_int(st, 1);
    }
    db_done(st);
    return rc == DB_ROW ? 0 : rc < 0 ? rc : DB_ERROR;
}
