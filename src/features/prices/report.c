/* prices: the warranty cost report: labour and parts of in-warranty repairs per outlet
 * and product line over a period, as JSON or a CSV/XLSX download, and as the KPI slice
 * the outlet ranking reads (prices_kpi_cost). */
#include "features/common/common.h"
#include "features/prices/internal.h"

#include <string.h>

static const struct table_col report_cols[] = {
    {"outlet", "outlet.code", TABLE_TEXT, 10, 0},
    {"outlet_name", "outlet.name", TABLE_TEXT, 30, 0},
    {"product_line", "product_line.code", TABLE_TEXT, 12, 0},
    {"product_line_name", "product_line.name", TABLE_TEXT, 24, 0},
    {"repairs", NULL, TABLE_INT, 10, 0},
    {"labour_fen", NULL, TABLE_INT, 12, 0},
    {"parts_fen", NULL, TABLE_INT, 12, 0},
    {"total_fen", NULL, TABLE_INT, 12, 0},
};

/* ?name= as the local midnight starting that date (end: the day after), or DT_NONE when
 * absent; -1 in *bad when malformed. */
static int64_t day_param(req *r, const char *name, int end, int *bad)
{
    const char *s = req_query(r, name);
    int y, m, d;
    if (!s || !*s)
        return DT_NONE;
    if (dt_parse_date(s, &y, &m, &d) < 0) {
        *bad = 1;
        return DT_NONE;
    }
    int64_t days = dt_days_from_civil(y, m, d) + (end ? 1 : 0);
    dt_civil_from_days(days, &y, &m, &d);
    return dt_local_midnight(org_zone(req_db(r)), y, m, d);
}

static json_t *pair(db_stmt *st, int col)
{
    return db_isnull(st, col)
               ? json_null()
               : json_pack("{s:s, s:s}", "code", db_text(st, col), "name", db_text(st, col + 1));
}

/* GET /api/v1/reports/warranty-cost?from=&to=&outlet=&product_line=[&format=] */
int pr_warranty_report(req *r)
{
    int f = table_format_of(r);
    if (f < 0)
        return reply_bad_format(r);
    int bad = 0;
    int64_t from = day_param(r, "from", 0, &bad);
    if (bad)
        return reply_bad_param(r, "from", "a date YYYY-MM-DD");
    int64_t to = day_param(r, "to", 1, &bad);
    if (bad)
        return reply_bad_param(r, "to", "a date YYYY-MM-DD");
    const char *outlet = req_query(r, "outlet"), *line = req_query(r, "product_line");
    if (outlet && !*outlet)
        outlet = NULL;
    if (line && !*line)
        line = NULL;
    int64_t scope = scope_outlet(r);
    db_stmt *st = db_prepare(
        req_db(r),
        "SELECT o.code, o.name, p.code, p.name, COUNT(*), SUM(x.labour_fen), SUM(x.parts_fen),"
        " SUM(x.total_fen) FROM repair_charges x LEFT JOIN outlets o ON o.id = x.outlet_id"
        " LEFT JOIN product_lines p ON p.id = x.product_line_id WHERE x.kind = 'warranty'"
        " AND x.created_at >= CAST(? AS BIGINT) AND x.created_at < CAST(? AS BIGINT)"
        " AND (CAST(? AS BIGINT) = 0 OR x.outlet_id = ?)"
        " AND (CAST(? AS TEXT) IS NULL OR o.code = ?) AND (CAST(? AS TEXT) IS NULL OR p.code = ?)"
        " GROUP BY o.code, o.name, p.code, p.name ORDER BY o.code, p.code");
    if (!st)
        return -1;
    db_bind_int(st, 1, from == DT_NONE ? 0 : from);
    db_bind_int(st, 2, to == DT_NONE ? INT64_MAX : to);
    db_bind_int(st, 3, scope);
    db_bind_int(st, 4, scope);
    db_bind_text(st, 5, outlet);
    db_bind_text(st, 6, outlet);
    db_bind_text(st, 7, line);
    db_bind_text(st, 8, line);
    json_t *items = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(
            items, json_pack("{s:o, s:o, s:I, s:I, s:I, s:I}", "outlet", pair(st, 0),
                             "product_line", pair(st, 2), "repairs", (json_int_t)db_int(st, 4),
                             "labour_fen", (json_int_t)db_int(st, 5), "parts_fen",
                             (json_int_t)db_int(st, 6), "total_fen", (json_int_t)db_int(st, 7)));
    db_done(st);
    if (rc < 0) {
        json_decref(items);
        return reply_db_failure(r, rc, "warranty cost report");
    }
    if (f == TABLE_JSON)
        return reply_json(r, 200, json_pack("{s:o}", "items", items));
    rc = table_reply_rows(r, (enum table_format)f, "warranty-cost", "warranty cost", report_cols,
                          (int)(sizeof report_cols / sizeof report_cols[0]), items);
    json_decref(items);
    return rc;
}

#define PK_SQL(KEY, BUCKET, GROUP)                                                            \
    "SELECT " KEY ", " BUCKET ", CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(total_fen), 0)"   \
    " AS BIGINT) FROM repair_charges WHERE kind = 'warranty' AND created_at >= ?"             \
    " AND created_at < ?" KPI_SLICE_WHERE("outlet_id", "product_line_id") GROUP

int prices_kpi_cost(db_conn *c, const struct kpi_slice *s, kpi_row_fn fn, void *arg)
{
    static const char *const sql[] = {
        PK_SQL("0", "0", ""),
        PK_SQL("COALESCE(outlet_id, 0)", "0", " GROUP BY 1"),
        PK_SQL("COALESCE(product_line_id, 0)", "0", " GROUP BY 1"),
        PK_SQL("0", "created_at / CAST(? AS BIGINT)", " GROUP BY 2"),
    };
    return kpi_slice_run(db_prepare(c, sql[s->key]), s, fn, arg);
}
