/* complaints: complaint_response_24h (SPEC "KPI definitions") as grouped rows of a KPI
 * slice, for the kpi report's total and its groups. */
#include "features/complaints/complaints.h"

/* In time: answered by the first-response due time (no due time: any answer); one still
 * unanswered counts as a miss, also before its due time (SPEC: over all complaints
 * received in the period). Index complaints_received. */
#define CK_SQL(KEY, BUCKET, GROUP)                                                            \
    "SELECT " KEY ", " BUCKET ", CAST(COUNT(*) AS BIGINT),"                                   \
    " CAST(COALESCE(SUM(CASE WHEN first_response_at IS NOT NULL AND (first_response_due"      \
    " IS NULL OR first_response_at <= first_response_due) THEN 1 ELSE 0 END), 0) AS BIGINT)"  \
    " FROM complaints WHERE received_at >= ? AND received_at < ?"                             \
    KPI_SLICE_WHERE("outlet_id", "product_line_id") GROUP

int complaints_kpi_rows(db_conn *c, const struct kpi_slice *s, kpi_row_fn fn, void *arg)
{
    static const char *const sql[] = {
        CK_SQL("0", "0", ""),
        CK_SQL("COALESCE(outlet_id, 0)", "0", " GROUP BY 1"),
        CK_SQL("COALESCE(product_line_id, 0)", "0", " GROUP BY 1"),
        CK_SQL("0", "received_at / CAST(? AS BIGINT)", " GROUP BY 2"),
    };
    return kpi_slice_run(db_prepare(c, sql[s->key]), s, fn, arg);
}
