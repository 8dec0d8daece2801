/* metrics: lock-free counters per route and status class, one histogram per route. */
#include "base/metrics.h"
#include "base/db.h"
#include "base/router.h"

#include <stdatomic.h>
#include <stdint.h>

#define MAX_ROUTES 514 /* router's routes + static + unmatched */
static const int statuses[] = {200, 201, 204, 206, 301, 302, 304, 400, 401, 403, 404,
                               405, 409, 413, 415, 422, 429, 500, 503, 0 /* other */};
#define NSTATUS (int)(sizeof statuses / sizeof *statuses)
static const double bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
#define NBOUNDS (int)(sizeof bounds / sizeof *bounds)

static _Atomic uint64_t counts[MAX_ROUTES][NSTATUS];
static _Atomic uint64_t hist[MAX_ROUTES][NBOUNDS + 1];
static _Atomic uint64_t sum_us[MAX_ROUTES];

static int slot(int route_index) { return route_index + 2; }

void metrics_observe(int route_index, int status, double seconds)
{
    int r = slot(route_index);
    if (r < 0 || r >= MAX_ROUTES)
        return;
    int s = NSTATUS - 1;
    for (int i = 0; i < NSTATUS - 1; i++)
        if (statuses[i] == status) {
            s = i;
            break;
        }
    atomic_fetch_add_explicit(&counts[r][s], 1, memory_order_relaxed);
    int b = 0;
    while (b < NBOUNDS && seconds > bounds[b])
        b++;
    atomic_fetch_add_explicit(&hist[r][b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&sum_us[r], (uint64_t)(seconds * 1e6), memory_order_relaxed);
}

static void route_label(buf *out, int r)
{
    if (r == slot(METRICS_STATIC))
        buf_adds(out, "method=\"GET\",route=\"static\"");
    else if (r == slot(METRICS_UNMATCHED))
        buf_adds(out, "method=\"\",route=\"unmatched\"");
    else {
        const struct route *rt = router_at(r - 2);
        buf_addf(out, "method=\"%s\",route=\"%s\"", rt->method, rt->pattern);
    }
}

void metrics_render(buf *out)
{
    int n = router_count() + 2;
    buf_adds(out, "# HELP aftersales_requests_total HTTP requests by route and status.\n"
                  "# TYPE aftersales_requests_total counter\n");
    for (int r = 0; r < n; r++)
        for (int s = 0; s < NSTATUS; s++) {
            uint64_t c = atomic_load(&counts[r][s]);
            if (!c)
                continue;
            buf_adds(out, "aftersales_requests_total{");
            route_label(out, r);
            if (statuses[s])
                buf_addf(out, ",status=\"%d\"} %llu\n", statuses[s], (unsigned long long)c);
            else
                buf_addf(out, ",status=\"other\"} %llu\n", (unsigned long long)c);
        }
    buf_adds(out, "# HELP aftersales_request_duration_seconds Request latency.\n"
                  "# TYPE aftersales_request_duration_seconds histogram\n");
    for (int r = 0; r < n; r++) {
        uint64_t total = 0;
        for (int b = 0; b <= NBOUNDS; b++)
            total += atomic_load(&hist[r][b]);
        if (!total)
            continue;
        uint64_t cum = 0;
        for (int b = 0; b <= NBOUNDS; b++) {
            cum += atomic_load(&hist[r][b]);
            buf_adds(out, "aftersales_request_duration_seconds_bucket{");
            route_label(out, r);
            if (b < NBOUNDS)
                buf_addf(out, ",le=\"%g\"} %llu\n", bounds[b], (unsigned long long)cum);
            else
                buf_addf(out, ",le=\"+Inf\"} %llu\n", (unsigned long long)cum);
        }
        buf_adds(out, "aftersales_request_duration_seconds_sum{");
        route_label(out, r);
        buf_addf(out, "} %.6f\n", (double)atomic_load(&sum_us[r]) / 1e6);
        buf_adds(out, "aftersales_request_duration_seconds_count{");
        route_label(out, r);
        buf_addf(out, "} %llu\n", (unsigned long long)total);
    }
    uint64_t q, ns;
    db_stats(&q, &ns);
    buf_addf(out,
             "# HELP aftersales_db_queries_total SQL statements executed.\n"
             "# TYPE aftersales_db_queries_total counter\n"
             "aftersales_db_queries_total %llu\n"
             "# HELP aftersales_db_seconds_total Time spent in the database.\n"
             "# TYPE aftersales_db_seconds_total counter\n"
             "aftersales_db_seconds_total %.6f\n",
             (unsigned long long)q, (double)ns / 1e9);
}
