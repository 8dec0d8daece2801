/* surveys: dispatch_satisfaction (SPEC "KPI definitions": satisfied answers / all
 * answers, for on-site visits surveyed in the period), its response rate, and the share
 * satisfied over all surveys, as grouped rows of KPI slices. Satisfied: overall >= 4
 * (the SPEC does not define it; docs/ranking.md). The period is the invitation's time. */
#include "features/surveys/internal.h"

#define SK_SQL(KEY, BUCKET, GROUP, A, B, KIND)                                                 \
    "SELECT " KEY ", " BUCKET ", CAST(COALESCE(SUM(" A "), 0) AS BIGINT),"                    \
    " CAST(COALESCE(SUM(" B "), 0) AS BIGINT) FROM surveys WHERE created_at >= ?"             \
    " AND created_at < ?" KIND KPI_SLICE_WHERE("outlet_id", "product_line_id") GROUP

#define SK_ALL(A, B, KIND)                                                                     \
    {SK_SQL("0", "0", "", A, B, KIND),                                                         \
     SK_SQL("COALESCE(outlet_id, 0)", "0", " GROUP BY 1", A, B, KIND),                         \
     SK_SQL("COALESCE(product_line_id, 0)", "0", " GROUP BY 1", A, B, KIND),                   \
     SK_SQL("0", "created_at / CAST(? AS BIGINT)", " GROUP BY 2", A, B, KIND)}

#define ANSWERED "CASE WHEN answered_at IS NOT NULL THEN 1 ELSE 0 END"
#define SATISFIED "CASE WHEN answered_at IS NOT NULL AND q_overall >= 4 THEN 1 ELSE 0 END"

int surveys_kpi_visits(db_conn *c, const struct kpi_slice *s, kpi_row_fn fn, void *arg)
{
    static const char *const sql[] = SK_ALL("1", ANSWERED, " AND kind = 'visit'");
    return kpi_slice_run(db_prepare(c, sql[s->key]), s, fn, arg);
}

int surveys_kpi_satisfied(db_conn *c, const struct kpi_slice *s, kpi_row_fn fn, void *arg)
{
    static const char *const sql[] = SK_ALL(ANSWERED, SATISFIED, " AND kind = 'visit'");
    return kpi_slice_run(db_prepare(c, sql[s->key]), s, fn, arg);
}

int surveys_kpi_all(db_conn *c, const struct kpi_slice *s, kpi_row_fn fn, void *arg)
{
    static const char *const sql[] = SK_ALL(ANSWERED, SATISFIED, "");
    return kpi_slice_run(db_prepare(c, sql[s->key]), s, fn, arg);
}
