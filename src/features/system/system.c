/* system: liveness, Prometheus metrics and the API description. */
#include "base/buf.h"
#include "base/metrics.h"
#include "features/system/system.h"

#include <string.h>

extern const char openapi_json[]; /* generated from docs/openapi.yaml at build time */

static int system_healthz(req *r)
{
    static const char ok[] = "{\"status\":\"ok\"}";
    return reply_bytes(r, 200, "application/json", ok, sizeof ok - 1);
}

static int system_metrics(req *r)
{
    buf b = BUF_INIT;
    metrics_render(&b);
    uint64_t commits, syncs;
    if (db_commit_stats(req_db(r), &commits, &syncs) == 0)
        buf_addf(&b,
                 "# HELP aftersales_db_commits_total Durable commits (SQLite, group commit).\n"
                 "# TYPE aftersales_db_commits_total counter\n"
                 "aftersales_db_commits_total %llu\n"
                 "# HELP aftersales_db_wal_syncs_total Syncs of the write-ahead log those commits took.\n"
                 "# TYPE aftersales_db_wal_syncs_total counter\n"
                 "aftersales_db_wal_syncs_total %llu\n",
                 (unsigned long long)commits, (unsigned long long)syncs);
    int rc = reply_bytes(r, 200, "text/plain; version=0.0.4; charset=utf-8", b.s, b.len);
    buf_release(&b);
    return rc;
}

static int system_openapi(req *r)
{
    reply_header(r, "Cache-Control", "no-cache");
    return reply_bytes(r, 200, "application/json; charset=utf-8", openapi_json,
                       strlen(openapi_json));
}

const struct route system_routes[] = {
    {"GET", "/healthz", system_healthz, 0, ROUTE_PUBLIC},
    {"GET", "/metrics", system_metrics, ROLE_ADMIN | ROLE_SUPERVISOR, 0},
    {"GET", "/api/v1/openapi.json", system_openapi, 0, ROUTE_PUBLIC},
    {0},
};
