/* kpi: the turnaround report (M5): counts of a period per month, outlet, region or
 * product line, from the daily buckets or the repairs themselves, and the report as
 * JSON. The arithmetic is src/rules/kpi.c and its SQL twin in sql/<backend>/0005_kpi.sql. */
#include "features/common/common.h"
#include "features/kpi/internal.h"
#include "rules/kpi.h"

#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- queries */

struct kpi_group *kpi_groups_at(struct kpi_groups *g, int64_t id, const char *key)
{
    for (size_t i = 0; i < g->n; i++)
        if (g->v[i].id == id && strcmp(g->v[i].key, key ? key : "") == 0)
            return &g->v[i];
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 16;
        struct kpi_group *v = realloc(g->v, cap * sizeof *v);
        if (!v)
            return NULL;
        g->v = v;
        g->cap = cap;
    }
    struct kpi_group *e = &g->v[g->n++];
    memset(e, 0, sizeof *e);
    e->id = id;
    snprintf(e->key, sizeof e->key, "%s", key ? key : "");
    return e;
}

#define F_WHERE KPI_SLICE_WHERE("outlet_id", "product_line_id")
#define SUMS_DAILY                                                                            \
    "CAST(SUM(completed) AS BIGINT), CAST(SUM(within_4d) AS BIGINT), "                        \
    "CAST(SUM(over_14d) AS BIGINT), CAST(SUM(with_serial) AS BIGINT), CAST(SUM(rr90) AS BIGINT)"
#define SUMS_RAW                                                                              \
    "CAST(COUNT(*) AS BIGINT), CAST(SUM(within_4d) AS BIGINT), "                              \
    "CAST(SUM(over_14d) AS BIGINT), CAST(SUM(with_serial) AS BIGINT), CAST(SUM(rr90) AS BIGINT)"
/* open_over_14d = still open, received before to - 336 h (index kpi_repairs_open)... */
#define OPEN_NOW_WHERE(FROM)                                                                  \
    " FROM " FROM " WHERE repaired_at IS NULL AND cancelled_at IS NULL"                       \
    " AND status <> 'cancelled' AND received_at < ?" F_WHERE
/* SQLite's planner, seeing one row per repaired_at value, would read every NULL of
 * repairs_repaired_at instead; PostgreSQL knows the null fraction and needs no hint. */
#define OPEN_FROM_SQLITE "repairs INDEXED BY kpi_repairs_open"
/* ...plus repaired at or after `to` and received before to - 336 h (kpi_repairs_long). */
#define OPEN_LONG_WHERE                                                                       \
    " FROM repairs WHERE repaired_at - received_at > 1209600 AND repaired_at >= ?"           \
    " AND received_at < ? AND cancelled_at IS NULL AND status <> 'cancelled'" F_WHERE

/* Completions per group from the daily buckets, or the monthly ones for whole months
 * (periods on bucket boundaries)... */
#define SQL_BUCKETS(T, K)                                                                     \
    {"SELECT 0, " SUMS_DAILY " FROM " T " WHERE " K " >= ? AND " K " < ?" F_WHERE,           \
     /* by outlet: one range of the outlet index per outlet (and 0, none), read in outlet    \
      * order; the planner's own choice, the range of the primary key then a sort of every  \
      * row by outlet, took twice the time over a year at 463 outlets (issue 16) */          \
     "SELECT outlet_id, " SUMS_DAILY " FROM " T " WHERE outlet_id IN (SELECT id FROM"        \
     " outlets UNION ALL SELECT 0) AND " K " >= ? AND " K " < ?" F_WHERE " GROUP BY outlet_id", \
     "SELECT product_line_id, " SUMS_DAILY " FROM " T " WHERE " K " >= ? AND " K " < ?"       \
     F_WHERE " GROUP BY product_line_id"}
static const char *const sql_buckets[2][3] = {SQL_BUCKETS("kpi_daily", "day"),
                                              SQL_BUCKETS("kpi_monthly", "month")};
/* ...or from the repairs themselves (any other period). */
static const char *const sql_raw[] = {
    "SELECT 0, " SUMS_RAW " FROM kpi_fact_source WHERE repaired_at >= ? AND repaired_at < ?"
    F_WHERE,
    "SELECT outlet_id, " SUMS_RAW " FROM kpi_fact_source WHERE repaired_at >= ? AND "
    "repaired_at < ?" F_WHERE " GROUP BY outlet_id",
    "SELECT product_line_id, " SUMS_RAW " FROM kpi_fact_source WHERE repaired_at >= ? AND "
    "repaired_at < ?" F_WHERE " GROUP BY product_line_id",
};
/* Open over 14 days at the period end, in two parts (see OPEN_NOW_WHERE). */
static const char *const sql_open_now[2][3] = {
    {
        "SELECT 0, CAST(COUNT(*) AS BIGINT)" OPEN_NOW_WHERE("repairs"),
        "SELECT COALESCE(outlet_id, 0), CAST(COUNT(*) AS BIGINT)" OPEN_NOW_WHERE("repairs")
        " GROUP BY COALESCE(outlet_id, 0)",
        "SELECT COALESCE(product_line_id, 0), CAST(COUNT(*) AS BIGINT)" OPEN_NOW_WHERE("repairs")
        " GROUP BY COALESCE(product_line_id, 0)",
    },
    {
        "SELECT 0, CAST(COUNT(*) AS BIGINT)" OPEN_NOW_WHERE(OPEN_FROM_SQLITE),
        "SELECT COALESCE(outlet_id, 0), CAST(COUNT(*) AS BIGINT)" OPEN_NOW_WHERE(OPEN_FROM_SQLITE)
        " GROUP BY COALESCE(outlet_id, 0)",
        "SELECT COALESCE(product_line_id, 0), CAST(COUNT(*) AS BIGINT)"
        OPEN_NOW_WHERE(OPEN_FROM_SQLITE) " GROUP BY COALESCE(product_line_id, 0)",
    },
};
static const char *const sql_open_long[] = {
    "SELECT 0, CAST(COUNT(*) AS BIGINT)" OPEN_LONG_WHERE,
    "SELECT COALESCE(outlet_id, 0), CAST(COUNT(*) AS BIGINT)" OPEN_LONG_WHERE
    " GROUP BY COALESCE(outlet_id, 0)",
    "SELECT COALESCE(product_line_id, 0), CAST(COUNT(*) AS BIGINT)" OPEN_LONG_WHERE
    " GROUP BY COALESCE(product_line_id, 0)",
};

void kpi_bind_filter(db_stmt *st, int first, const struct kpi_filter *f)
{
    kpi_filter_bind(st, first, f->outlet_id, f->pl_id, f->region);
}

/* The first day (number) of the month that day d is in, or of the next month when d is
 * not a month's first day; and the first day of d's month. A month of kpi_monthly is the
 * civil month of the day numbers, which are local days when the periods are aligned. */
static int64_t month_start_before(int64_t d)
{
    int y, m, dd;
    dt_civil_from_days(d, &y, &m, &dd);
    return dt_days_from_civil(y, m, 1);
}

static int64_t month_start_after(int64_t d)
{
    int y, m, dd;
    dt_civil_from_days(d, &y, &m, &dd);
    return dd == 1 ? d : dt_days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1);
}

/* Add the counts of [from, to) grouped by `group` into out (under `key` for every row).
 * 0 or -1. */
static int kpi_period(db_conn *c, const struct kpi_cfg *cfg, int64_t from, int64_t to,
                      const struct kpi_filter *f, int group, const char *key,
                      struct kpi_groups *out)
{
    int aligned = (from + cfg->bucket_offset) % 86400 == 0 && (to + cfg->bucket_offset) % 86400 == 0;
    /* pieces: [lo, hi) of days, months (on month starts, as day numbers), days; or the
     * raw instants */
    int64_t piece[3][2] = {{from, to}, {0, 0}, {0, 0}};
    int src[3] = {-1, 0, 0}; /* -1 raw, 0 daily, 1 monthly */
    if (aligned) {
        int64_t d0 = (from + cfg->bucket_offset) / 86400, d1 = (to + cfg->bucket_offset) / 86400;
        int64_t m0 = month_start_after(d0), m1 = month_start_before(d1);
        if (m0 < m1) {
            piece[0][0] = d0, piece[0][1] = m0, src[0] = 0;
            piece[1][0] = m0, piece[1][1] = m1, src[1] = 1;
            piece[2][0] = m1, piece[2][1] = d1, src[2] = 0;
        } else {
            piece[0][0] = d0, piece[0][1] = d1, src[0] = 0;
        }
    }
    int rc = 0;
    for (int k = 0; k < 3 && rc == 0; k++) {
        if (k && piece[k][0] >= piece[k][1])
            continue;
        db_stmt *st = db_prepare(c, src[k] < 0 ? sql_raw[group] : sql_buckets[src[k]][group]);
        if (!st)
            return -1;
        db_bind_int(st, 1, piece[k][0]);
        db_bind_int(st, 2, piece[k][1]);
        kpi_bind_filter(st, 3, f);
        while ((rc = db_step(st)) == DB_ROW) {
            struct kpi_group *g = kpi_groups_at(out, db_int(st, 0), key);
            if (!g) {
                rc = -1;
                break;
            }
            g->c.completed += db_int(st, 1);
            g->c.within_4d += db_int(st, 2);
            g->c.over_14d += db_int(st, 3);
            g->c.with_serial += db_int(st, 4);
            g->c.rr90 += db_int(st, 5);
        }
        db_done(st);
        rc = rc < 0 ? -1 : 0;
    }
    if (rc < 0)
        return -1;
    for (int part = 0; part < 2; part++) {
        db_stmt *st = db_prepare(c, part ? sql_open_long[group]
                                : sql_open_now[db_conn_kind(c) == DB_SQLITE][group]);
        if (!st)
            return -1;
        int k = 1;
        if (part)
            db_bind_int(st, k++, to);
        db_bind_int(st, k++, to - KPI_14D_SECONDS);
        kpi_bind_filter(st, k, f);
        while ((rc = db_step(st)) == DB_ROW) {
            struct kpi_group *g = kpi_groups_at(out, db_int(st, 0), key);
            if (!g) {
                rc = -1;
                break;
            }
            g->c.open_over_14d += db_int(st, 1);
        }
        db_done(st);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- the report */

const char *const kpi_by_names[] = {"", "month", "outlet", "region", "product_line"};

void kpi_result_free(struct kpi_result *res)
{
    if (res->labels)
        for (size_t i = 0; i < res->groups.n * 2; i++)
            free(res->labels[i]);
    free(res->labels);
    free(res->groups.v);
    memset(res, 0, sizeof *res);
}

static char *dup_or_empty(const char *s) { return strdup(s ? s : ""); }

static void kpi_counts_add(struct kpi_counts *to, const struct kpi_counts *c)
{
    to->completed += c->completed;
    to->within_4d += c->within_4d;
    to->over_14d += c->over_14d;
    to->with_serial += c->with_serial;
    to->rr90 += c->rr90;
    to->open_over_14d += c->open_over_14d;
}

/* Province of an outlet's region code: the first two digits + "0000". */
static void province_of(const char *region, char out[7])
{
    if (region && strlen(region) >= 2 && region[0] >= '0' && region[0] <= '9' &&
        region[1] >= '0' && region[1] <= '9')
        snprintf(out, 7, "%.2s0000", region);
    else
        out[0] = '\0';
}

static int cmp_key(const void *a, const void *b)
{
    return strcmp(((const struct kpi_group *)a)->key, ((const struct kpi_group *)b)->key);
}

static int cmp_province(const void *a, const void *b)
{
    int64_t x = ((const struct kpi_province *)a)->id, y = ((const struct kpi_province *)b)->id;
    return x < y ? -1 : x > y;
}

int kpi_provinces_load(db_conn *c, struct kpi_provinces *p)
{
    memset(p, 0, sizeof *p);
    size_t cap = 0;
    db_stmt *st = db_prepare(c, "SELECT id, region FROM outlets ORDER BY id");
    if (!st)
        return -1;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if (p->n == cap) {
            cap = cap ? cap * 2 : 64;
            struct kpi_province *v = realloc(p->v, cap * sizeof *v);
            if (!v) {
                rc = -1;
                break;
            }
            p->v = v;
        }
        p->v[p->n].id = db_int(st, 0);
        province_of(db_isnull(st, 1) ? NULL : db_text(st, 1), p->v[p->n].code);
        p->n++;
    }
    db_done(st);
    if (rc < 0) {
        free(p->v);
        memset(p, 0, sizeof *p);
        return -1;
    }
    return 0;
}

const char *kpi_province_of(const struct kpi_provinces *p, int64_t id)
{
    struct kpi_province k = {.id = id};
    const struct kpi_province *e = p->n ? bsearch(&k, p->v, p->n, sizeof k, cmp_province) : NULL;
    return e ? e->code : "";
}

/* Fold the groups of outlets into their provinces, sorted by province code. 0 or -1. */
static int fold_regions(struct kpi_result *res, const struct kpi_provinces *pv)
{
    struct kpi_groups *g = &res->groups;
    struct kpi_groups prov = {0};
    for (size_t i = 0; i < g->n; i++) {
        struct kpi_group *e = kpi_groups_at(&prov, 0, kpi_province_of(pv, g->v[i].id));
        if (!e) {
            free(prov.v);
            return -1;
        }
        kpi_counts_add(&e->c, &g->v[i].c);
    }
    free(g->v);
    *g = prov;
    return 0;
}

/* Names for the groups: outlet code and name, product line code and name, region
 * name (best effort: the regions table is the network feature's), month as is. */
static int label_groups(db_conn *c, int by, struct kpi_result *res)
{
    struct kpi_groups *g = &res->groups;
    if (by == BY_REGION)
        qsort(g->v, g->n, sizeof *g->v, cmp_key);
    res->labels = calloc(g->n * 2 + 1, sizeof *res->labels);
    if (!res->labels)
        return -1;
    const char *sql = by == BY_OUTLET ? "SELECT code, name FROM outlets WHERE id = ?"
                      : by == BY_PL   ? "SELECT code, name FROM product_lines WHERE id = ?"
                                      : NULL;
    /* region names: best effort (reports are not run inside a transaction, so a missing
     * table only leaves the names empty) */
    static const char region_sql[] = "SELECT name FROM regions WHERE code = ?";
    for (size_t i = 0; i < g->n; i++) {
        char *k = NULL, *n = NULL;
        if (sql && g->v[i].id) {
            db_stmt *st = db_prepare(c, sql);
            if (!st)
                return -1;
            db_bind_int(st, 1, g->v[i].id);
            if (db_step(st) == DB_ROW) {
                k = dup_or_empty(db_text(st, 0));
                n = dup_or_empty(db_text(st, 1));
            }
            db_done(st);
        } else if (by == BY_REGION && g->v[i].key[0]) {
            db_stmt *st = db_prepare(c, region_sql);
            if (st) {
                db_bind_text(st, 1, g->v[i].key);
                if (db_step(st) == DB_ROW)
                    n = dup_or_empty(db_text(st, 0));
                db_done(st);
            }
        }
        if (!k)
            k = strdup(sql ? "" : g->v[i].key);
        if (!n)
            n = strdup("");
        res->labels[2 * i] = k;
        res->labels[2 * i + 1] = n;
        if (!k || !n)
            return -1;
    }
    return 0;
}

/* The report of `q` into res. 0 or -1 (database). */
int kpi_report(db_conn *c, const struct kpi_cfg *cfg, const struct kpi_request *q,
               struct kpi_result *res)
{
    memset(res, 0, sizeof *res);
    int64_t from = dt_local_midnight(cfg->z, q->fy, q->fm, q->fd);
    int64_t to = dt_local_midnight(cfg->z, q->ty, q->tm, q->td);
    /* by outlet, region or product line the total is the sum of the groups (every
     * repair is in one: outlet or product line 0 for none); otherwise counted apart */
    int by_key = q->by == BY_OUTLET || q->by == BY_REGION || q->by == BY_PL;
    struct kpi_groups tot = {0};
    if (!by_key && kpi_period(c, cfg, from, to, &q->f, G_NONE, NULL, &tot) < 0) {
        free(tot.v);
        return -1;
    }
    if (tot.n)
        res->total = tot.v[0].c;
    free(tot.v);
    /* BY_MONTH: the months' first instants, then the period's end (at most ten years) */
    int64_t bounds[KPI_MAX_DAYS / 28 + 3];
    size_t nb = 0;
    struct kpi_provinces prov = {0};
    int rc = 0;
    if (q->by == BY_MONTH) {
        int y = q->fy, m = q->fm;
        int64_t start = from;
        bounds[0] = from;
        while (start < to && rc == 0 && nb + 1 < sizeof bounds / sizeof bounds[0]) {
            int ny = m == 12 ? y + 1 : y, nm = m == 12 ? 1 : m + 1;
            int64_t end = dt_local_midnight(cfg->z, ny, nm, 1);
            if (end > to)
                end = to;
            char key[16];
            snprintf(key, sizeof key, "%04d-%02d", y, m);
            /* every month shows, also one with no repairs */
            if (!kpi_groups_at(&res->groups, 0, key))
                rc = -1;
            else
                rc = kpi_period(c, cfg, start, end, &q->f, G_NONE, key, &res->groups);
            start = end;
            bounds[++nb] = end;
            y = ny;
            m = nm;
        }
    } else if (q->by != BY_NONE) {
        rc = kpi_period(c, cfg, from, to, &q->f, q->by == BY_PL ? G_PL : G_OUTLET, NULL,
                        &res->groups);
        for (size_t i = 0; rc == 0 && i < res->groups.n; i++)
            kpi_counts_add(&res->total, &res->groups.v[i].c);
    }
    if (rc == 0 && q->by == BY_REGION && (rc = kpi_provinces_load(c, &prov)) == 0)
        rc = fold_regions(res, &prov);
    /* fill_rate, parts_lead_time_h, complaint_response_24h of the total and the groups */
    if (rc == 0)
        rc = kpi_more_report(c, q, from, to, bounds, nb, &prov, res);
    if (rc == 0 && q->by != BY_NONE)
        rc = label_groups(c, q->by, res);
    free(prov.v);
    if (rc < 0)
        kpi_result_free(res);
    return rc;
}

json_t *kpi_rate_json(int64_t num, int64_t den)
{
    double r;
    return kpi_rate(num, den, &r) ? json_real(r) : json_null();
}

/* The KPI names of the SPEC as keys (the `aftersales kpi --json` contract). */
json_t *kpi_counts_json(const struct kpi_counts *c, const struct kpi_more *m)
{
    json_t *o = json_object();
    json_object_set_new(o, "completed", json_integer(c->completed));
    json_object_set_new(o, "within_4d", json_integer(c->within_4d));
    json_object_set_new(o, "rate_4d", kpi_rate_json(c->within_4d, c->completed));
    json_object_set_new(o, "over_14d", json_integer(c->over_14d));
    json_object_set_new(o, "rate_over_14d", kpi_rate_json(c->over_14d, c->completed));
    json_object_set_new(o, "open_over_14d", json_integer(c->open_over_14d));
    json_object_set_new(o, "rr90", json_integer(c->rr90));
    json_object_set_new(o, "rate_rr90", kpi_rate_json(c->rr90, c->with_serial));
    json_object_set_new(o, "complaint_response_24h",
                        kpi_rate_json(m->complaints_in_time, m->complaints));
    json_object_set_new(o, "fill_rate", kpi_rate_json(m->part_lines_domestic, m->part_lines));
    json_object_set_new(o, "parts_lead_time_h",
                        m->part_lines_received ? json_real(m->lead_h) : json_null());
    json_object_set_new(o, "dispatch_satisfaction",
                        kpi_rate_json(m->visit_satisfied, m->visit_answers));
    json_object_set_new(o, "dispatch_response_rate",
                        kpi_rate_json(m->visit_answers, m->visit_surveys));
    json_object_set_new(o, "survey_satisfied_share",
                        kpi_rate_json(m->survey_satisfied, m->survey_answers));
    return o;
}

/* A group or the total in the report: the KPIs and their denominators. */
static json_t *report_counts_json(const struct kpi_counts *c, const struct kpi_more *m)
{
    json_t *o = kpi_counts_json(c, m);
    json_object_set_new(o, "with_serial", json_integer(c->with_serial));
    json_object_set_new(o, "part_lines", json_integer(m->part_lines));
    json_object_set_new(o, "part_lines_received", json_integer(m->part_lines_received));
    json_object_set_new(o, "complaints", json_integer(m->complaints));
    json_object_set_new(o, "dispatch_surveys", json_integer(m->visit_surveys));
    json_object_set_new(o, "dispatch_answers", json_integer(m->visit_answers));
    json_object_set_new(o, "dispatch_satisfied", json_integer(m->visit_satisfied));
    json_object_set_new(o, "survey_answers", json_integer(m->survey_answers));
    return o;
}

void kpi_date_text(int y, int m, int d, char out[11])
{
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
             (unsigned)d % 100u);
}

json_t *kpi_report_json(const struct kpi_cfg *cfg, const struct kpi_request *q,
                        const struct kpi_result *res)
{
    char from[11], to[11];
    kpi_date_text(q->fy, q->fm, q->fd, from);
    kpi_date_text(q->ty, q->tm, q->td, to);
    json_t *total = report_counts_json(&res->total, &res->total_m);
    json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:{s:f, s:i, s:f}}", "from", from, "to", to,
                          "time_zone", cfg->zone, "total", total, "targets", "rate_4d",
                          TARGET_RATE_4D, "over_14d", 0, "rate_rr90", TARGET_RATE_RR90);
    json_object_set_new(json_object_get(o, "targets"), "complaint_response_24h",
                        json_real(TARGET_COMPLAINT_24H));
    json_object_set_new(json_object_get(o, "targets"), "dispatch_satisfaction",
                        json_real(TARGET_DISPATCH_SAT));
    if (q->by != BY_NONE) {
        json_t *arr = json_array();
        for (size_t i = 0; i < res->groups.n; i++) {
            const struct kpi_group *g = &res->groups.v[i];
            json_t *e = report_counts_json(&g->c, &g->m);
            json_object_set_new(e, "key", json_string(res->labels[2 * i]));
            json_object_set_new(e, "name", json_string(res->labels[2 * i + 1]));
            json_array_append_new(arr, e);
        }
        json_object_set_new(o, "group_by", json_string(kpi_by_names[q->by]));
        json_object_set_new(o, "groups", arr);
    }
    return o;
}
