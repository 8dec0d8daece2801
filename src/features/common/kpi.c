/* kpi: binding a KPI report's filters and running the grouped query of a KPI slice, for the capabilities that count a KPI
 * of the kpi report (parts, complaints). */
#include "features/common/common.h"

void kpi_filter_bind(db_stmt *st, int first, int64_t outlet_id, int64_t pl_id,
                     const char *region_like)
{
    db_bind_int(st, first, outlet_id);
    db_bind_int(st, first + 1, outlet_id);
    db_bind_int(st, first + 2, pl_id);
    db_bind_int(st, first + 3, pl_id);
    db_bind_text(st, first + 4, region_like);
    db_bind_text(st, first + 5, region_like);
}

int kpi_slice_run_n(db_stmt *st, const struct kpi_slice *s, int n, const kpi_row_fn *fns,
                    void *arg)
{
    if (!st)
        return DB_ERROR;
    int k = 1;
    if (s->key == KPI_KEY_TIME)
        db_bind_int(st, k++, s->step);
    db_bind_int(st, k, s->from);
    db_bind_int(st, k + 1, s->to);
    kpi_filter_bind(st, k + 2, s->outlet_id, s->pl_id, s->region_like);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t key = db_int(st, 0), bucket = db_int(st, 1);
        for (int i = 0; i < n && rc == DB_ROW; i++)
            if (fns[i](arg, key, bucket, db_int(st, 2 + 2 * i), db_int(st, 3 + 2 * i)) < 0)
                rc = DB_ERROR;
        if (rc != DB_ROW)
            break;
    }
    db_done(st);
    return rc < 0 ? rc : 0;
}

int kpi_slice_run(db_stmt *st, const struct kpi_slice *s, kpi_row_fn fn, void *arg)
{
    return kpi_slice_run_n(st, s, 1, &fn, arg);
}
