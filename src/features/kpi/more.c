/* kpi: the KPIs other capabilities count (fill_rate and parts_lead_time_h of the parts,
 * complaint_response_24h of the complaints) for a report's total and each of its
 * groups, from one grouped query per KPI (see kpi_slice in features/common/common.h). */
#include "base/num.h"
#include "features/complaints/complaints.h"
#include "features/kpi/internal.h"
#include "features/parts/parts.h"
#include "features/surveys/surveys.h"

#include <stdlib.h>
#include <string.h>

struct more_ctx {
    struct kpi_result *res;
    int by;                          /* BY_* */
    int64_t step;                    /* BY_MONTH: the slice's step */
    const int64_t *bounds;           /* BY_MONTH: nb + 1 instants */
    size_t nb;
    const struct kpi_provinces *prov; /* BY_REGION */
    int kpi;                         /* K_FILL, K_COMPLAINTS */
    struct pair {
        int64_t k, v;                /* group (see group_key) and lead time in seconds */
    } *pairs;
    size_t n, cap;
};

enum { K_FILL, K_COMPLAINTS, K_VISITS, K_VISITS_SAT, K_SURVEYS_SAT };

/* A row's group as one number: the month's index, the province's two digits (-1 for
 * none), or the outlet or product line id. */
static int64_t group_key(const struct more_ctx *x, int64_t key, int64_t bucket)
{
    if (x->by == BY_MONTH) {
        /* bucket * step is the row's instant rounded down to a multiple of step; every
         * bound is such a multiple, so it lies in the same month as the instant */
        int64_t t = bucket * x->step;
        size_t lo = 0, hi = x->nb; /* bounds[lo] <= t < bounds[hi] */
        while (hi - lo > 1) {
            size_t mid = lo + (hi - lo) / 2;
            if (x->bounds[mid] <= t)
                lo = mid;
            else
                hi = mid;
        }
        return (int64_t)lo;
    }
    if (x->by == BY_REGION) {
        const char *p = kpi_province_of(x->prov, key);
        return p[0] ? (p[0] - '0') * 10 + (p[1] - '0') : -1;
    }
    return key;
}

/* The group of group_key value k (BY_NONE: none, the total is counted apart). */
static struct kpi_more *group_of(struct more_ctx *x, int64_t k)
{
    struct kpi_groups *g = &x->res->groups;
    struct kpi_group *e = NULL;
    if (x->by == BY_NONE)
        return NULL;
    if (x->by == BY_MONTH) {
        e = (size_t)k < g->n ? &g->v[k] : NULL;
    } else if (x->by == BY_REGION) {
        char p[7] = "";
        if (k >= 0)
            snprintf(p, sizeof p, "%02d0000", (int)k);
        e = kpi_groups_at(g, 0, p);
    } else {
        e = kpi_groups_at(g, k, NULL);
    }
    return e ? &e->m : NULL;
}

static int sum_row(void *arg, int64_t key, int64_t bucket, int64_t a, int64_t b)
{
    struct more_ctx *x = arg;
    struct kpi_more *t = &x->res->total_m;
    struct kpi_more *m = group_of(x, group_key(x, key, bucket));
    if (!m && x->by != BY_NONE)
        return -1;
    for (int i = 0; i < 2; i++) {
        struct kpi_more *o = i ? m : t;
        if (!o)
            continue;
        if (x->kpi == K_FILL) {
            o->part_lines += a;
            o->part_lines_domestic += b;
        } else if (x->kpi == K_COMPLAINTS) {
            o->complaints += a;
            o->complaints_in_time += b;
        } else if (x->kpi == K_VISITS) {
            o->visit_surveys += a;
            o->visit_answers += b;
        } else if (x->kpi == K_VISITS_SAT) {
            o->visit_satisfied += b;
        } else {
            o->survey_answers += a;
            o->survey_satisfied += b;
        }
    }
    return 0;
}

/* The surveys' three pairs of one row (surveys_kpi_rows). */
static int sum_kpi(void *arg, int kpi, int64_t key, int64_t bucket, int64_t a, int64_t b)
{
    ((struct more_ctx *)arg)->kpi = kpi;
    return sum_row(arg, key, bucket, a, b);
}
static int sum_visits(void *arg, int64_t key, int64_t bucket, int64_t a, int64_t b)
{
    return sum_kpi(arg, K_VISITS, key, bucket, a, b);
}
static int sum_visits_sat(void *arg, int64_t key, int64_t bucket, int64_t a, int64_t b)
{
    return sum_kpi(arg, K_VISITS_SAT, key, bucket, a, b);
}
static int sum_surveys_sat(void *arg, int64_t key, int64_t bucket, int64_t a, int64_t b)
{
    return sum_kpi(arg, K_SURVEYS_SAT, key, bucket, a, b);
}

static int lead_row(void *arg, int64_t key, int64_t bucket, int64_t a, int64_t b)
{
    (void)b;
    struct more_ctx *x = arg;
    if (x->n == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 256;
        struct pair *v = realloc(x->pairs, cap * sizeof *v);
        if (!v)
            return -1;
        x->pairs = v;
        x->cap = cap;
    }
    x->pairs[x->n].k = group_key(x, key, bucket);
    x->pairs[x->n].v = a;
    x->n++;
    return 0;
}

static int cmp_pair(const void *pa, const void *pb)
{
    const struct pair *a = pa, *b = pb;
    if (a->k != b->k)
        return a->k < b->k ? -1 : 1;
    return a->v < b->v ? -1 : a->v > b->v;
}

/* The median of n sorted pairs' values, in hours. */
static double median_h(const struct pair *v, size_t n)
{
    double med = n % 2 ? (double)v[n / 2].v : ((double)v[n / 2 - 1].v + (double)v[n / 2].v) / 2.0;
    return med / 3600.0;
}

/* parts_lead_time_h of the total and of each group, from the collected pairs. */
static int lead_medians(struct more_ctx *x)
{
    if (!x->n)
        return 0;
    struct pair *all = malloc(x->n * sizeof *all);
    if (!all)
        return -1;
    for (size_t i = 0; i < x->n; i++)
        all[i] = (struct pair){0, x->pairs[i].v};
    qsort(all, x->n, sizeof *all, cmp_pair);
    x->res->total_m.part_lines_received = (int64_t)x->n;
    x->res->total_m.lead_h = median_h(all, x->n);
    free(all);
    if (x->by == BY_NONE)
        return 0;
    qsort(x->pairs, x->n, sizeof *x->pairs, cmp_pair);
    for (size_t i = 0; i < x->n;) {
        size_t j = i;
        while (j < x->n && x->pairs[j].k == x->pairs[i].k)
            j++;
        struct kpi_more *m = group_of(x, x->pairs[i].k);
        if (!m)
            return -1;
        m->part_lines_received = (int64_t)(j - i);
        m->lead_h = median_h(x->pairs + i, j - i);
        i = j;
    }
    return 0;
}

int kpi_more_report(db_conn *c, const struct kpi_request *q, int64_t from, int64_t to,
                    const int64_t *bounds, size_t nb, const struct kpi_provinces *prov,
                    struct kpi_result *res)
{
    struct more_ctx x = {.res = res, .by = q->by, .bounds = bounds, .nb = nb, .prov = prov};
    struct kpi_slice s = {.from = from, .to = to, .key = KPI_KEY_NONE, .step = 1,
                          .outlet_id = q->f.outlet_id, .pl_id = q->f.pl_id,
                          .region_like = q->f.region};
    if (q->by == BY_OUTLET || q->by == BY_REGION)
        s.key = KPI_KEY_OUTLET;
    else if (q->by == BY_PL)
        s.key = KPI_KEY_PL;
    else if (q->by == BY_MONTH) {
        s.key = KPI_KEY_TIME;
        /* the largest step every bound is a multiple of (1 before 1970, where integer
         * division would round towards zero, not down) */
        int64_t g = 0;
        for (size_t i = 0; i <= nb; i++)
            g = bounds[i] > 0 && g >= 0 ? gcd64(g, bounds[i]) : -1;
        s.step = g > 0 ? g : 1;
    }
    x.step = s.step;
    memset(&res->total_m, 0, sizeof res->total_m);
    x.kpi = K_FILL;
    int rc = parts_kpi_fill(c, &s, sum_row, &x);
    x.kpi = K_COMPLAINTS;
    if (rc == 0)
        rc = complaints_kpi_rows(c, &s, sum_row, &x);
    /* dispatch_satisfaction, its response rate and the share satisfied of all surveys */
    static const kpi_row_fn survey_fns[3] = {sum_visits, sum_visits_sat, sum_surveys_sat};
    if (rc == 0)
        rc = surveys_kpi_rows(c, &s, survey_fns, &x);
    if (rc == 0)
        rc = parts_kpi_lead(c, &s, lead_row, &x);
    if (rc == 0)
        rc = lead_medians(&x);
    free(x.pairs);
    return rc < 0 ? -1 : 0;
}
