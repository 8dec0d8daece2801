/* kpi: GET /api/v1/kpi/at-risk, the supervisor's list of open repairs about to cross
 * the 4-day or 14-day threshold. */
#include "features/common/common.h"
#include "features/kpi/internal.h"
#include "features/parts/parts.h"
#include "rules/kpi.h"

#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- at-risk list */

/* The download's columns: rows are arrays in this order; times are unix seconds (shown
 * as local times in XLSX, as numbers in CSV). */
static const struct table_col atrisk_cols[] = {
    {"code", NULL, TABLE_TEXT, 16, 0},
    {"outlet", NULL, TABLE_TEXT, 12, 0},
    {"outlet_name", NULL, TABLE_TEXT, 26, 0},
    {"product_line", NULL, TABLE_TEXT, 14, 0},
    {"status", NULL, TABLE_TEXT, 14, 0},
    {"received_at", NULL, TABLE_TIME, 18, 0},
    {"crosses_at", NULL, TABLE_TIME, 18, 0},
    {"hours_left", NULL, TABLE_NUM, 11, 6},
    {"part", NULL, TABLE_TEXT, 16, 0},
};

#define ATRISK_FROM(HINT)                                                                     \
    " FROM repairs r" HINT " LEFT JOIN outlets o ON o.id = r.outlet_id"                       \
    " LEFT JOIN product_lines p ON p.id = r.product_line_id"                                  \
    " WHERE r.repaired_at IS NULL AND r.cancelled_at IS NULL AND r.status <> 'cancelled'"     \
    " AND (CAST(? AS BIGINT) = 0 OR r.outlet_id = ?)"                                         \
    " AND (CAST(? AS BIGINT) = 0 OR r.product_line_id = ?)"                                   \
    " AND (CAST(? AS TEXT) IS NULL OR o.region LIKE ?)"

/* GET /api/v1/kpi/at-risk?threshold=4d|14d&within_hours=&outlet=&region=&product_line=&limit= */
int kpi_at_risk(req *r)
{
    int f = kpi_want_format(r);
    if (f < 0)
        return 0;
    const char *th = req_query(r, "threshold");
    int64_t limit_s = KPI_14D_SECONDS;
    if (th && *th && strcmp(th, "4d") == 0)
        limit_s = KPI_4D_SECONDS;
    else if (th && *th && strcmp(th, "14d") != 0)
        return reply_error(r, 422, "validation_failed", "threshold is 4d or 14d",
                           json_pack("{s:s}", "threshold", "one of 4d, 14d"));
    long hours = 72, limit = 100;
    const char *h = req_query(r, "within_hours"), *l = req_query(r, "limit");
    char *end;
    if (h && *h) {
        hours = strtol(h, &end, 10);
        if (*end || hours < 1 || hours > 24 * 366)
            return reply_error(r, 422, "validation_failed", "within_hours is 1 to 8784",
                               json_pack("{s:s}", "within_hours", "an integer from 1 to 8784"));
    }
    if (l && *l) {
        limit = strtol(l, &end, 10);
        if (*end || limit < 1 || limit > 1000)
            return reply_error(r, 422, "validation_failed", "limit is 1 to 1000",
                               json_pack("{s:s}", "limit", "an integer from 1 to 1000"));
    }
    db_conn *c = req_db(r);
    struct kpi_request q;
    const char *field, *why;
    char region_like[16];
    const char *outlet = req_query(r, "outlet");
    /* reuse the report's parsing for the filters (a dummy valid period) */
    int prc = kpi_parse_request(c, "2000-01-01", "2000-01-02", outlet, req_query(r, "region"),
                                req_query(r, "product_line"), NULL, &q, &field, &why, region_like);
    if (prc < 0)
        return kpi_answer_request(r, prc, field, why);
    if (kpi_confine(r, &q, outlet))
        return 0;
    int64_t now = now_unix();
    /* crossing in (now, now + hours]: received in (now - limit_s, now + hours - limit_s] */
    static const char *const list_sql[2] = {
        "SELECT r.code, o.code, o.name, p.code, r.status, r.received_at" ATRISK_FROM("")
        " AND r.received_at > ? AND r.received_at <= ? ORDER BY r.received_at, r.id LIMIT ?",
        "SELECT r.code, o.code, o.name, p.code, r.status, r.received_at"
        ATRISK_FROM(" INDEXED BY kpi_repairs_open")
        " AND r.received_at > ? AND r.received_at <= ? ORDER BY r.received_at, r.id LIMIT ?",
    };
    static const char *const over_sql[2] = {
        "SELECT CAST(COUNT(*) AS BIGINT)" ATRISK_FROM("") " AND r.received_at <= ?",
        "SELECT CAST(COUNT(*) AS BIGINT)" ATRISK_FROM(" INDEXED BY kpi_repairs_open") " AND r.received_at <= ?",
    };
    int lite = db_conn_kind(c) == DB_SQLITE;
    db_stmt *st = db_prepare(c, list_sql[lite]);
    if (!st)
        return -1;
    kpi_bind_filter(st, 1, &q.f);
    db_bind_int(st, 7, now - limit_s);
    db_bind_int(st, 8, now + hours * 3600 - limit_s);
    db_bind_int(st, 9, limit);
    json_t *items = json_array(), *rows = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t rcv = db_int(st, 5), cross = rcv + limit_s;
        double left = (double)(cross - now) / 3600.0;
        const char *oc = db_text(st, 1), *on = db_text(st, 2), *pc = db_text(st, 3);
        /* the part it waits for (features/parts), when it waits for one */
        char part[48] = "", promise[11] = "";
        int pk = parts_awaited(c, db_text(st, 0), part, sizeof part, promise);
        if (pk < 0) {
            rc = pk;
            break;
        }
        json_t *it = json_pack("{s:s, s:s?, s:s?, s:s?, s:s, s:o, s:o, s:f, s:s?, s:s?}", "code",
                               db_text(st, 0), "outlet", oc, "outlet_name", on, "product_line", pc,
                               "status", db_text(st, 4), "received_at", dt_json(rcv),
                               "crosses_at", dt_json(cross), "hours_left",
                               (double)(int64_t)(left * 10) / 10.0, "part", *part ? part : NULL,
                               "part_promise_date", *promise ? promise : NULL);
        if (!json_object_get(it, "part"))
            json_object_set_new(it, "part", json_null());
        if (!json_object_get(it, "part_promise_date"))
            json_object_set_new(it, "part_promise_date", json_null());
        json_array_append_new(items, it);
        json_array_append_new(rows, json_pack("[s, s, s, s, s, I, I, f, s]", db_text(st, 0),
                                              oc ? oc : "", on ? on : "", pc ? pc : "",
                                              db_text(st, 4), (json_int_t)rcv, (json_int_t)cross,
                                              (double)(int64_t)(left * 10) / 10.0, part));
    }
    db_done(st);
    if (rc < 0)
        goto fail;
    /* how many are past the threshold already */
    st = db_prepare(c, over_sql[lite]);
    if (!st)
        goto fail;
    kpi_bind_filter(st, 1, &q.f);
    db_bind_int(st, 7, now - limit_s);
    int64_t over = db_step(st) == DB_ROW ? db_int(st, 0) : -1;
    db_done(st);
    if (over < 0)
        goto fail;
    if (f == TABLE_JSON) {
        json_decref(rows);
        return reply_json(r, 200,
                          json_pack("{s:s, s:i, s:I, s:o, s:b}", "threshold",
                                    limit_s == KPI_4D_SECONDS ? "4d" : "14d", "within_hours",
                                    (int)hours, "already_over", (json_int_t)over, "items", items,
                                    "parts_known", 1));
    }
    json_decref(items);
    rc = table_reply_rows(r, (enum table_format)f,
                          limit_s == KPI_4D_SECONDS ? "kpi-at-risk-4d" : "kpi-at-risk-14d", "KPI",
                          atrisk_cols, (int)(sizeof atrisk_cols / sizeof atrisk_cols[0]), rows);
    json_decref(rows);
    return rc;
fail:
    json_decref(items);
    json_decref(rows);
    return -1;
}
