/* surveys: dispatch_satisfaction (SPEC "KPI definitions": satisfied answers / all
 * answers, for on-site visits surveyed in the period), its response rate, and the share
 * satisfied over all surveys, as grouped rows of KPI slices. Satisfied: overall >= 4
 * (the SPEC does not define it; docs/ranking.md). The period is the invitation's time. */
#include "features/surveys/internal.h"

/* One scan of the covering index surveys_created (0022) for the three pairs. */
#define SK_SQL(KEY, BUCKET, GROUP)                                                            \
    "SELECT " KEY ", " BUCKET ", " SK_SUM(VISIT) ", " SK_SUM(VISIT_ANSWERED) ", "           \
    SK_SUM(VISIT_ANSWERED) ", " SK_SUM(VISIT_SATISFIED) ", " SK_SUM(ANSWERED) ", "           \
    SK_SUM(SATISFIED) " FROM surveys WHERE created_at >= ? AND created_at < ?"               \
    KPI_SLICE_WHERE("outlet_id", "product_line_id") GROUP
#define SK_SUM(X) "CAST(COALESCE(SUM(CASE WHEN " X " THEN 1 ELSE 0 END), 0) AS BIGINT)"
#define VISIT "kind = 'visit'"
#define ANSWERED "answered_at IS NOT NULL"
#define SATISFIED "answered_at IS NOT NULL AND q_overall >= 4"
#define VISIT_ANSWERED VISIT " AND " ANSWERED
#define VISIT_SATISFIED VISIT " AND " SATISFIED

int surveys_kpi_rows(db_conn *c, const struct kpi_slice *s, const kpi_row_fn fns[3], void *arg)
{
    static const char *const sql[] = {
        SK_SQL("0", "0", ""),
        SK_SQL("COALESCE(outlet_id, 0)", "0", " GROUP BY 1"),
        SK_SQL("COALESCE(product_line_id, 0)", "0", " GROUP BY 1"),
        SK_SQL("0", "created_at / CAST(? AS BIGINT)", " GROUP BY 2"),
    };
    return kpi_slice_run_n(db_prepare(c, sql[s->key]), s, 3, fns, arg);
}
