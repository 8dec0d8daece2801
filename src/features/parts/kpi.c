/* parts: the parts KPIs (SPEC "KPI definitions"), fill_rate and parts_lead_time_h, as
 * grouped rows of a KPI slice for the kpi report, and the part a repair waits for. */
#include <stdio.h>

#include "features/common/common.h"
#include "features/parts/internal.h"

/* The rows of a slice, SQL per key (KPI_KEY_*): KEY is the key column, BUCKET the time
 * bucket column, GROUP the GROUP BY. A line belongs to its own outlet (the repair's at
 * request time) and to its repair's product line. Only the product line needs the
 * repair: without a product-line key or filter the lines are read alone, from the
 * covering period index (one repair row lookup per line was most of a year's report). */
#define PK_KEYS(SQL)                                                                          \
    {{SQL("0", "0", "", PK_LINES), SQL("COALESCE(l.outlet_id, 0)", "0", " GROUP BY 1", PK_LINES),  \
      SQL("COALESCE(r.product_line_id, 0)", "0", " GROUP BY 1", PK_JOIN),                     \
      SQL("0", PK_AT " / CAST(? AS BIGINT)", " GROUP BY 2", PK_LINES)},                       \
     {SQL("0", "0", "", PK_JOIN), SQL("COALESCE(l.outlet_id, 0)", "0", " GROUP BY 1", PK_JOIN),    \
      SQL("COALESCE(r.product_line_id, 0)", "0", " GROUP BY 1", PK_JOIN),                     \
      SQL("0", PK_AT " / CAST(? AS BIGINT)", " GROUP BY 2", PK_JOIN)}}
/* the 6 filter parameters stay: with no product line filter "0 = ?" binds 0 */
#define PK_LINES " FROM part_request_lines l", "0"
#define PK_JOIN " FROM part_request_lines l JOIN repairs r ON r.id = l.repair_id", "r.product_line_id"
#define PK_FROM_(FROM, PL) FROM " WHERE " PK_AT " >= ? AND " PK_AT " < ?" KPI_SLICE_WHERE("l.outlet_id", PL)
#define PK_FROM(...) PK_FROM_(__VA_ARGS__)

static int pk_run(db_conn *c, const char *const sql[2][4], const struct kpi_slice *s,
                  kpi_row_fn fn, void *arg)
{
    return kpi_slice_run(db_prepare(c, sql[s->pl_id != 0][s->key]), s, fn, arg);
}

int parts_kpi_fill(db_conn *c, const struct kpi_slice *s, kpi_row_fn fn, void *arg)
{
    /* lines created in the period (a), and those first reserved from domestic stock (b):
     * own outlet, a branch or third party, central; not overseas, not backordered.
     * Index part_request_lines_created (covering, 0022). */
#define PK_AT "l.created_at"
#define FILL_SQL(KEY, BUCKET, GROUP, FROM)                                                    \
    "SELECT " KEY ", " BUCKET ", CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(CASE WHEN"      \
    " l.first_status = 'reserved' THEN 1 ELSE 0 END), 0) AS BIGINT)" PK_FROM(FROM) GROUP
    static const char *const sql[2][4] = PK_KEYS(FILL_SQL);
#undef PK_AT
    return pk_run(c, sql, s, fn, arg);
}

int parts_kpi_lead(db_conn *c, const struct kpi_slice *s, kpi_row_fn fn, void *arg)
{
    /* one row per line received in the period: a = seconds from creation to receipt.
     * Index part_request_lines_received (covering, 0022). */
#define PK_AT "l.received_at"
#define LEAD_SQL(KEY, BUCKET, GROUP, FROM) \
    "SELECT " KEY ", " BUCKET ", l.received_at - l.created_at, 0" PK_FROM(FROM)
    static const char *const sql[2][4] = PK_KEYS(LEAD_SQL);
#undef PK_AT
    return pk_run(c, sql, s, fn, arg);
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
