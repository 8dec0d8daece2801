/* kpi: the SPEC's KPI definitions as arithmetic over arrays of repair times, and
 * local-date to UTC conversion from TZif data (thread-safe: no process TZ). */
#include "rules/kpi.h"

#include <stdlib.h>
#include <string.h>

int kpi_is_completed(const struct kpi_rec *r)
{
    return !r->cancelled && r->received_at != KPI_NONE && r->repaired_at != KPI_NONE;
}

int kpi_tat_flags(const struct kpi_rec *r)
{
    if (!kpi_is_completed(r))
        return 0;
    int64_t tat = r->repaired_at - r->received_at;
    int f = 0;
    if (tat <= KPI_4D_SECONDS)
        f |= KPI_F_WITHIN_4D;
    if (tat > KPI_14D_SECONDS)
        f |= KPI_F_OVER_14D;
    return f;
}

int64_t kpi_rr90_anchor(const struct kpi_rec *r)
{
    return r->delivered_at != KPI_NONE ? r->delivered_at : r->repaired_at;
}

int kpi_is_return(const struct kpi_rec *done, const struct kpi_rec *back)
{
    if (done == back || done->id == back->id || done->cancelled || back->cancelled)
        return 0;
    if (!done->serial || !back->serial || strcmp(done->serial, back->serial) != 0)
        return 0;
    int64_t a = kpi_rr90_anchor(done);
    if (a == KPI_NONE || back->received_at == KPI_NONE)
        return 0;
    return back->received_at >= a && back->received_at <= a + KPI_RR90_SECONDS;
}

int kpi_is_open_over_14d(const struct kpi_rec *r, int64_t to)
{
    if (r->cancelled || r->received_at == KPI_NONE)
        return 0;
    if (r->received_at >= to - KPI_14D_SECONDS)
        return 0;
    return r->repaired_at == KPI_NONE || r->repaired_at >= to;
}

int kpi_rate(int64_t num, int64_t den, double *rate)
{
    if (den == 0)
        return 0;
    *rate = (double)num / (double)den;
    return 1;
}

/* ---- RR90 over arrays: sort by (serial, received_at), then binary search ---- */

static int by_serial_received(const void *a, const void *b)
{
    const struct kpi_rec *x = *(const struct kpi_rec *const *)a;
    const struct kpi_rec *y = *(const struct kpi_rec *const *)b;
    int c = strcmp(x->serial, y->serial);
    if (c)
        return c;
    return (x->received_at > y->received_at) - (x->received_at < y->received_at);
}

int kpi_flags(const struct kpi_rec *recs, size_t n, int *out)
{
    size_t ns = 0;
    for (size_t i = 0; i < n; i++)
        if (recs[i].serial && !recs[i].cancelled && recs[i].received_at != KPI_NONE)
            ns++;
    const struct kpi_rec **ix = malloc((ns ? ns : 1) * sizeof *ix);
    if (!ix)
        return -1;
    ns = 0;
    for (size_t i = 0; i < n; i++)
        if (recs[i].serial && !recs[i].cancelled && recs[i].received_at != KPI_NONE)
            ix[ns++] = &recs[i];
    qsort(ix, ns, sizeof *ix, by_serial_received);

    for (size_t i = 0; i < n; i++) {
        const struct kpi_rec *r = &recs[i];
        if (!kpi_is_completed(r)) {
            out[i] = 0;
            continue;
        }
        int f = kpi_tat_flags(r) | KPI_F_COMPLETED;
        if (r->serial) {
            f |= KPI_F_SERIAL;
            int64_t a = kpi_rr90_anchor(r);
            /* first sorted entry >= (serial, a) */
            size_t lo = 0, hi = ns;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                const struct kpi_rec *m = ix[mid];
                int c = strcmp(m->serial, r->serial);
                if (c < 0 || (c == 0 && m->received_at < a))
                    lo = mid + 1;
                else
                    hi = mid;
            }
            for (size_t k = lo; k < ns; k++) {
                const struct kpi_rec *b = ix[k];
                if (strcmp(b->serial, r->serial) != 0 || b->received_at > a + KPI_RR90_SECONDS)
                    break;
                if (kpi_is_return(r, b)) {
                    f |= KPI_F_RR90;
                    break;
                }
            }
        }
        out[i] = f;
    }
    free(ix);
    return 0;
}

int kpi_compute(const struct kpi_rec *recs, size_t n, int64_t from, int64_t to,
                struct kpi_counts *out)
{
    int *f = malloc((n ? n : 1) * sizeof *f);
    if (!f)
        return -1;
    if (kpi_flags(recs, n, f) < 0) {
        free(f);
        return -1;
    }
    struct kpi_counts c = {0};
    for (size_t i = 0; i < n; i++) {
        const struct kpi_rec *r = &recs[i];
        if (kpi_is_open_over_14d(r, to))
            c.open_over_14d++;
        if (!(f[i] & KPI_F_COMPLETED) || r->repaired_at < from || r->repaired_at >= to)
            continue;
        c.completed++;
        c.within_4d += (f[i] & KPI_F_WITHIN_4D) != 0;
        c.over_14d += (f[i] & KPI_F_OVER_14D) != 0;
        c.with_serial += (f[i] & KPI_F_SERIAL) != 0;
        c.rr90 += (f[i] & KPI_F_RR90) != 0;
    }
    free(f);
    *out = c;
    return 0;
}
