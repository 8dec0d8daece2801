/* kpi: the outlet ranking (M11) on four axes scored 0-100 (repair quality, parts supply,
 * contact quality, service cost) with weights an admin edits, one outlet's monthly
 * trend, and the weights' routes; the formula is in docs/ranking.md. */
#include "base/audit.h"
#include "base/jsonv.h"
#include "features/common/common.h"
#include "features/kpi/internal.h"
#include "features/prices/prices.h"

#include <stdlib.h>
#include <string.h>

enum { AX_QUALITY, AX_PARTS, AX_CONTACT, AX_COST, AX_N };
static const char *const axis_names[AX_N] = {"quality", "parts", "contact", "cost"};

/* One outlet's row of the ranking. */
struct rank_row {
    int64_t id;
    const char *code, *name;     /* the report's labels */
    double ax[AX_N], total;
    int has[AX_N], has_total, rank;
    int64_t charged, cost_fen;   /* in-warranty repairs charged, their total */
    const struct kpi_group *g;
};

struct ranking {
    struct kpi_result res;
    struct rank_row *v;
    size_t n;
};

/* The weights in ranking_weights order of axis_names. 0 or a negative db code. */
static int weights_load(db_conn *c, int64_t w[AX_N])
{
    db_stmt *st = db_prepare(c, "SELECT axis, weight FROM ranking_weights");
    if (!st)
        return DB_ERROR;
    int s;
    for (int i = 0; i < AX_N; i++)
        w[i] = 0;
    while ((s = db_step(st)) == DB_ROW)
        for (int i = 0; i < AX_N; i++)
            if (strcmp(db_text(st, 0), axis_names[i]) == 0)
                w[i] = db_int(st, 1);
    db_done(st);
    return s < 0 ? s : 0;
}

static int cost_row(void *arg, int64_t key, int64_t bucket, int64_t a, int64_t b)
{
    (void)bucket;
    struct ranking *k = arg;
    for (size_t i = 0; i < k->n; i++)
        if (k->v[i].id == key) {
            k->v[i].charged += a;
            k->v[i].cost_fen += b;
        }
    return 0;
}

/* The mean of the rates present (rate < 0: absent) times 100, into *out; 0 when none. */
static int mean100(const double *rate, int n, double *out)
{
    double sum = 0;
    int k = 0;
    for (int i = 0; i < n; i++)
        if (rate[i] >= 0)
            sum += rate[i], k++;
    if (k)
        *out = 100.0 * sum / k;
    return k > 0;
}

static double rate_or(int64_t num, int64_t den)
{
    return den > 0 ? (double)num / (double)den : -1.0;
}

/* The axes and total of every row, from the report and the costs. */
static void score(struct ranking *k, const int64_t w[AX_N])
{
    double best = -1;
    for (size_t i = 0; i < k->n; i++)
        if (k->v[i].charged > 0) {
            double cpr = (double)k->v[i].cost_fen / (double)k->v[i].charged;
            if (best < 0 || cpr < best)
                best = cpr;
        }
    for (size_t i = 0; i < k->n; i++) {
        struct rank_row *x = &k->v[i];
        const struct kpi_counts *c = &x->g->c;
        const struct kpi_more *m = &x->g->m;
        double rr = rate_or(c->rr90, c->with_serial);
        double q[2] = {rate_or(c->within_4d, c->completed), rr >= 0 ? 1.0 - rr : -1.0};
        x->has[AX_QUALITY] = mean100(q, 2, &x->ax[AX_QUALITY]);
        double p[1] = {rate_or(m->part_lines_domestic, m->part_lines)};
        x->has[AX_PARTS] = mean100(p, 1, &x->ax[AX_PARTS]);
        double ct[2] = {rate_or(m->survey_satisfied, m->survey_answers),
                        rate_or(m->complaints_in_time, m->complaints)};
        x->has[AX_CONTACT] = mean100(ct, 2, &x->ax[AX_CONTACT]);
        x->has[AX_COST] = x->charged > 0;
        if (x->has[AX_COST]) {
            double cpr = (double)x->cost_fen / (double)x->charged;
            x->ax[AX_COST] = cpr > 0 ? 100.0 * best / cpr : 100.0;
        }
        double sum = 0, ws = 0;
        for (int a = 0; a < AX_N; a++)
            if (x->has[a] && w[a] > 0)
                sum += (double)w[a] * x->ax[a], ws += (double)w[a];
        x->has_total = ws > 0;
        x->total = ws > 0 ? sum / ws : 0;
    }
}

static int cmp_rows(const void *pa, const void *pb)
{
    const struct rank_row *a = pa, *b = pb;
    if (a->has_total != b->has_total)
        return a->has_total ? -1 : 1;
    if (a->has_total && a->total != b->total)
        return a->total > b->total ? -1 : 1;
    return strcmp(a->code, b->code);
}

static void ranking_free(struct ranking *k)
{
    free(k->v);
    kpi_result_free(&k->res);
}

/* The ranking of q's period into k (every outlet with a group). 0 or -1. */
static int ranking_run(db_conn *c, const struct kpi_cfg *cfg, struct kpi_request *q,
                       const int64_t w[AX_N], struct ranking *k)
{
    memset(k, 0, sizeof *k);
    q->by = BY_OUTLET;
    if (kpi_report(c, cfg, q, &k->res) < 0)
        return -1;
    k->v = calloc(k->res.groups.n + 1, sizeof *k->v);
    if (!k->v)
        return -1;
    for (size_t i = 0; i < k->res.groups.n; i++) {
        if (!k->res.groups.v[i].id)
            continue;
        struct rank_row *x = &k->v[k->n++];
        x->id = k->res.groups.v[i].id;
        x->code = k->res.labels[2 * i];
        x->name = k->res.labels[2 * i + 1];
        x->g = &k->res.groups.v[i];
    }
    struct kpi_slice s = {.from = dt_local_midnight(cfg->z, q->fy, q->fm, q->fd),
                          .to = dt_local_midnight(cfg->z, q->ty, q->tm, q->td),
                          .key = KPI_KEY_OUTLET, .step = 1, .outlet_id = q->f.outlet_id,
                          .pl_id = q->f.pl_id, .region_like = q->f.region};
    if (prices_kpi_cost(c, &s, cost_row, k) < 0)
        return -1;
    score(k, w);
    qsort(k->v, k->n, sizeof *k->v, cmp_rows);
    for (size_t i = 0; i < k->n; i++)
        k->v[i].rank = (int)i + 1;
    return 0;
}

static json_t *score_json(const struct rank_row *x, int a)
{
    return x->has[a] ? json_real((double)(int64_t)(x->ax[a] * 10 + 0.5) / 10) : json_null();
}

static json_t *row_json(const struct rank_row *x)
{
    const struct kpi_counts *c = &x->g->c;
    const struct kpi_more *m = &x->g->m;
    json_t *o = json_pack("{s:i, s:s, s:s}", "rank", x->rank, "outlet", x->code, "name", x->name);
    for (int a = 0; a < AX_N; a++)
        json_object_set_new(o, axis_names[a], score_json(x, a));
    json_object_set_new(o, "total", x->has_total ? json_real((double)(int64_t)(x->total * 10 + 0.5) / 10)
                                                 : json_null());
    json_object_set_new(o, "rate_4d", kpi_rate_json(c->within_4d, c->completed));
    json_object_set_new(o, "rate_rr90", kpi_rate_json(c->rr90, c->with_serial));
    json_object_set_new(o, "fill_rate", kpi_rate_json(m->part_lines_domestic, m->part_lines));
    json_object_set_new(o, "satisfaction", kpi_rate_json(m->survey_satisfied, m->survey_answers));
    json_object_set_new(o, "complaint_response_24h",
                        kpi_rate_json(m->complaints_in_time, m->complaints));
    json_object_set_new(o, "warranty_cost_per_repair_fen",
                        x->charged ? json_integer(x->cost_fen / x->charged) : json_null());
    return o;
}

static json_t *weights_json(const int64_t w[AX_N])
{
    json_t *o = json_object();
    for (int a = 0; a < AX_N; a++)
        json_object_set_new(o, axis_names[a], json_integer(w[a]));
    return o;
}

static const struct table_col ranking_cols[] = {
    {"rank", NULL, TABLE_INT, 6, 0},         {"outlet", NULL, TABLE_TEXT, 10, 0},
    {"name", NULL, TABLE_TEXT, 28, 0},       {"quality", NULL, TABLE_NUM, 9, 1},
    {"parts", NULL, TABLE_NUM, 9, 1},        {"contact", NULL, TABLE_NUM, 9, 1},
    {"cost", NULL, TABLE_NUM, 9, 1},         {"total", NULL, TABLE_NUM, 9, 1},
    {"rate_4d", NULL, TABLE_RATE, 9, 4},     {"rate_rr90", NULL, TABLE_RATE, 9, 4},
    {"fill_rate", NULL, TABLE_RATE, 9, 4},   {"satisfaction", NULL, TABLE_RATE, 12, 4},
    {"complaint_response_24h", NULL, TABLE_RATE, 12, 4},
    {"warranty_cost_per_repair_fen", NULL, TABLE_INT, 14, 0},
};

/* GET /api/v1/kpi/ranking?from=&to=[&region=&product_line=] */
static int ranking_get(req *r)
{
    int f = kpi_want_format(r);
    if (f < 0)
        return 0;
    db_conn *c = req_db(r);
    struct kpi_cfg cfg;
    int64_t w[AX_N];
    if (kpi_cfg_load(c, &cfg) < 0 || weights_load(c, w) < 0)
        return -1;
    struct kpi_request q;
    const char *field, *why;
    char region_like[16];
    int prc = kpi_parse_request(c, req_query(r, "from"), req_query(r, "to"), NULL,
                                req_query(r, "region"), req_query(r, "product_line"), NULL, &q,
                                &field, &why, region_like);
    if (prc < 0)
        return kpi_answer_request(r, prc, field, why);
    struct ranking k;
    if (ranking_run(c, &cfg, &q, w, &k) < 0) {
        ranking_free(&k);
        return -1;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < k.n; i++)
        json_array_append_new(items, row_json(&k.v[i]));
    ranking_free(&k);
    if (f != TABLE_JSON) {
        int rc = table_reply_rows(r, (enum table_format)f, "outlet-ranking", "ranking", ranking_cols,
                                  (int)(sizeof ranking_cols / sizeof *ranking_cols), items);
        json_decref(items);
        return rc;
    }
    char from[11], to[11];
    kpi_date_text(q.fy, q.fm, q.fd, from);
    kpi_date_text(q.ty, q.tm, q.td, to);
    return reply_json(r, 200, json_pack("{s:s, s:s, s:o, s:o}", "from", from, "to", to, "weights",
                                        weights_json(w), "items", items));
}

/* GET /api/v1/kpi/ranking/trend?outlet=&months=: the outlet's axes, total and rank in
 * each of the last `months` (default 6) local months, this one included. */
static int ranking_trend(req *r)
{
    db_conn *c = req_db(r);
    const char *outlet = req_query(r, "outlet"), *ms = req_query(r, "months");
    long months = 6;
    if (ms && page_limit(ms, 6, 24, &months) < 0)
        return reply_bad_param(r, "months", "1 to 24");
    int64_t oid = 0;
    if (!outlet || !*outlet)
        return reply_bad_param(r, "outlet", "an outlet code");
    int k0 = lookup_id(c, "SELECT id FROM outlets WHERE code = ?", outlet, &oid);
    if (k0 < 0)
        return -1;
    if (k0 == 1)
        return reply_not_found(r, "outlet");
    struct kpi_cfg cfg;
    int64_t w[AX_N];
    if (kpi_cfg_load(c, &cfg) < 0 || weights_load(c, w) < 0)
        return -1;
    char today[11];
    dt_local_date(cfg.z, now_unix(), today);
    int y = atoi(today), m = atoi(today + 5);
    m -= (int)months - 1;
    while (m < 1)
        m += 12, y--;
    json_t *items = json_array();
    for (long i = 0; i < months; i++) {
        int ny = m == 12 ? y + 1 : y, nm = m == 12 ? 1 : m + 1;
        char from[11], to[11], month[8];
        kpi_date_text(y, m, 1, from);
        kpi_date_text(ny, nm, 1, to);
        snprintf(month, sizeof month, "%.7s", from);
        struct kpi_request q;
        const char *field, *why;
        char region_like[16];
        struct ranking k;
        memset(&k, 0, sizeof k);
        if (kpi_parse_request(c, from, to, NULL, NULL, NULL, NULL, &q, &field, &why, region_like) < 0 ||
            ranking_run(c, &cfg, &q, w, &k) < 0) {
            ranking_free(&k);
            json_decref(items);
            return -1;
        }
        json_t *e = json_pack("{s:s, s:I}", "month", month, "outlets", (json_int_t)k.n);
        const struct rank_row *x = NULL;
        for (size_t j = 0; j < k.n; j++)
            if (k.v[j].id == oid)
                x = &k.v[j];
        for (int a = 0; a < AX_N; a++)
            json_object_set_new(e, axis_names[a], x ? score_json(x, a) : json_null());
        json_object_set_new(e, "total", x && x->has_total
                                            ? json_real((double)(int64_t)(x->total * 10 + 0.5) / 10)
                                            : json_null());
        json_object_set_new(e, "rank", x && x->has_total ? json_integer(x->rank) : json_null());
        json_array_append_new(items, e);
        ranking_free(&k);
        y = ny, m = nm;
    }
    return reply_json(r, 200, json_pack("{s:s, s:o}", "outlet", outlet, "items", items));
}

/* GET /api/v1/kpi/ranking/weights */
static int weights_get(req *r)
{
    int64_t w[AX_N];
    int rc = weights_load(req_db(r), w);
    return rc < 0 ? reply_db_failure(r, rc, "ranking weights") : reply_json(r, 200, weights_json(w));
}

/* PUT /api/v1/kpi/ranking/weights {quality, parts, contact, cost}: 0-100 each, not all 0. */
static int weights_put(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv v;
    jsonv_init(&v, body);
    static const char *const allowed[] = {"quality", "parts", "contact", "cost", NULL};
    jsonv_only(&v, allowed);
    long long w[AX_N] = {0};
    long long sum = 0;
    for (int a = 0; a < AX_N; a++) {
        jsonv_int_range(&v, axis_names[a], 1, 0, 100, &w[a]);
        sum += w[a];
    }
    if (jsonv_ok(&v) && sum == 0)
        jsonv_fail(&v, "quality", "the weights must not all be 0");
    int rc;
    if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed", "the weights are not valid", jsonv_take(&v));
    } else {
        db_conn *c = req_db(r);
        int k = db_begin(c);
        for (int a = 0; k == 0 && a < AX_N; a++)
            k = db_exec(c, "UPDATE ranking_weights SET weight = ?, updated_at = ?, updated_by = ?"
                           " WHERE axis = ?",
                        "iitt", (int64_t)w[a], now_unix(), audit_actor(r), axis_names[a]) == 1
                    ? 0
                    : -1;
        json_t *d = json_pack("{s:I, s:I, s:I, s:I}", "quality", (json_int_t)w[0], "parts",
                              (json_int_t)w[1], "contact", (json_int_t)w[2], "cost", (json_int_t)w[3]);
        if (k == 0 && audit_write(c, audit_actor(r), "update", "ranking_weights", "ranking", d) == 0 &&
            db_commit(c) == 0) {
            rc = weights_get(r);
        } else {
            db_rollback(c);
            rc = -1;
        }
        json_decref(d);
    }
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

const struct route kpi_ranking_routes[] = {
    {"GET", "/api/v1/kpi/ranking", ranking_get, ROLE_ADMIN | ROLE_SUPERVISOR, 0},
    {"GET", "/api/v1/kpi/ranking/trend", ranking_trend, ROLE_ADMIN | ROLE_SUPERVISOR, 0},
    {"GET", "/api/v1/kpi/ranking/weights", weights_get, ROLE_ADMIN | ROLE_SUPERVISOR, 0},
    {"PUT", "/api/v1/kpi/ranking/weights", weights_put, ROLE_ADMIN, 0},
    {0},
};
