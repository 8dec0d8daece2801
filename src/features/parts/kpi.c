/* parts: the parts KPIs (SPEC "KPI definitions"): fill_rate and parts_lead_time_h. */
#include <stdio.h>
#include <stdlib.h>

#include "features/common/common.h"
#include "features/parts/internal.h"

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

#define PK_WHERE                                                                              \
    " AND (CAST(? AS BIGINT) = 0 OR l.outlet_id = ?)"                                         \
    " AND (CAST(? AS BIGINT) = 0 OR r.product_line_id = ?)"                                   \
    " AND (CAST(? AS TEXT) IS NULL OR l.outlet_id IN (SELECT id FROM outlets WHERE region LIKE ?))"

static void bind_filter(db_stmt *st, int64_t outlet_id, int64_t line_id, const char *region_like)
{
    db_bind_int(st, 3, outlet_id);
    db_bind_int(st, 4, outlet_id);
    db_bind_int(st, 5, line_id);
    db_bind_int(st, 6, line_id);
    db_bind_text(st, 7, region_like);
    db_bind_text(st, 8, region_like);
}

int parts_kpi(db_conn *c, int64_t from, int64_t to, int64_t outlet_id, int64_t line_id,
              const char *region_like, int64_t *lines, int64_t *domestic, double *lead_h)
{
    /* fill_rate: lines created in the period, and those first reserved from domestic
     * stock (own outlet, a branch or third party, central; not overseas, not backordered) */
    db_stmt *st = db_prepare(
        c, "SELECT COUNT(*), COALESCE(SUM(CASE WHEN l.first_status = 'reserved' THEN 1 ELSE 0 END), 0)"
           " FROM part_request_lines l JOIN repairs r ON r.id = l.repair_id"
           " WHERE l.created_at >= ? AND l.created_at < ?" PK_WHERE);
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, from);
    db_bind_int(st, 2, to);
    bind_filter(st, outlet_id, line_id, region_like);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        *lines = db_int(st, 0);
        *domestic = db_int(st, 1);
    }
    db_done(st);
    if (rc != DB_ROW)
        return rc < 0 ? rc : DB_ERROR;
    /* parts_lead_time_h: the median of received_at - created_at over lines received in
     * the period */
    st = db_prepare(c, "SELECT l.received_at - l.created_at FROM part_request_lines l"
                       " JOIN repairs r ON r.id = l.repair_id"
                       " WHERE l.received_at >= ? AND l.received_at < ?" PK_WHERE);
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, from);
    db_bind_int(st, 2, to);
    bind_filter(st, outlet_id, line_id, region_like);
    int64_t *v = NULL;
    size_t n = 0, cap = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            int64_t *nv = realloc(v, cap * sizeof *nv);
            if (!nv) {
                rc = DB_ERROR;
                break;
            }
            v = nv;
        }
        v[n++] = db_int(st, 0);
    }
    db_done(st);
    if (rc < 0) {
        free(v);
        return rc;
    }
    if (n == 0) {
        *lead_h = -1;
    } else {
        qsort(v, n, sizeof *v, cmp_i64);
        double med = n % 2 ? (double)v[n / 2] : ((double)v[n / 2 - 1] + (double)v[n / 2]) / 2.0;
        *lead_h = med / 3600.0;
    }
    free(v);
    return 0;
}

int parts_awaited(db_conn *c, const char *repair_code, char *out, size_t n, char promise[11])
{
    db_stmt *st = db_prepare(
        c, "SELECT p.number, l.promise_date FROM part_request_lines l"
           " JOIN repairs r ON r.id = l.repair_id JOIN parts p ON p.id = l.part_id"
           " WHERE r.code = ? AND l.status IN ('reserved', 'ordered', 'backordered')"
           " ORDER BY CASE WHEN l.promise_date IS NULL THEN 0 ELSE 1 END, l.promise_date DESC,"
           " l.id LIMIT 1");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, repair_code);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        snprintf(out, n, "%s", db_text(st, 0));
        snprintf(promise, 11, "%s", db_isnull(st, 1) ? "" : db_text(st, 1));
    }
    db_done(st);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? 1 : rc;
}
