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

/* ---- calendar ---- */

/* Howard Hinnant's days_from_civil. */
int64_t kpi_days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void kpi_civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

int kpi_parse_date(const char *s, int *y, int *m, int *d)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return -1;
    int yy = atoi(s), mm = atoi(s + 5), dd = atoi(s + 8);
    if (yy < 1970 || mm < 1 || mm > 12 || dd < 1)
        return -1;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (yy % 4 == 0 && yy % 100 != 0) || yy % 400 == 0;
    if (dd > mdays[mm - 1] + (mm == 2 && leap))
        return -1;
    *y = yy;
    *m = mm;
    *d = dd;
    return 0;
}

/* ---- TZif ---- */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

void kpi_zone_free(struct kpi_zone *z)
{
    free(z->trans);
    free(z->idx);
    free(z->utoff);
    memset(z, 0, sizeof *z);
}

int kpi_zone_fixed(int32_t utoff, struct kpi_zone *z)
{
    memset(z, 0, sizeof *z);
    z->utoff = malloc(sizeof *z->utoff);
    if (!z->utoff)
        return -1;
    z->utoff[0] = utoff;
    z->ntypes = 1;
    return 0;
}

int kpi_zone_parse(const unsigned char *buf, size_t len, struct kpi_zone *z)
{
    memset(z, 0, sizeof *z);
    if (!buf || len < 44 || memcmp(buf, "TZif", 4) != 0)
        return -1;
    const unsigned char *p = buf;
    size_t left = len;
    int tsize = 4;
    for (int pass = 0; pass < 2; pass++) {
        if (left < 44 || memcmp(p, "TZif", 4) != 0)
            return -1;
        char version = (char)p[4];
        uint32_t isut = be32(p + 20), isstd = be32(p + 24), leap = be32(p + 28),
                 timecnt = be32(p + 32), typecnt = be32(p + 36), charcnt = be32(p + 40);
        if (typecnt == 0 || typecnt > 256 || timecnt > 100000 || charcnt > 65536 ||
            leap > 100000 || isut > 256 || isstd > 256)
            return -1;
        size_t body = (size_t)timecnt * (size_t)tsize + timecnt + (size_t)typecnt * 6 + charcnt +
                      (size_t)leap * (size_t)(tsize + 4) + isstd + isut;
        if (left - 44 < body)
            return -1;
        if (pass == 0 && version >= '2') {
            /* skip the 32-bit block; the 64-bit one follows */
            p += 44 + body;
            left -= 44 + body;
            tsize = 8;
            continue;
        }
        const unsigned char *q = p + 44;
        z->trans = malloc((timecnt ? timecnt : 1) * sizeof *z->trans);
        z->idx = malloc(timecnt ? timecnt : 1);
        z->utoff = malloc(typecnt * sizeof *z->utoff);
        if (!z->trans || !z->idx || !z->utoff) {
            kpi_zone_free(z);
            return -1;
        }
        for (uint32_t i = 0; i < timecnt; i++) {
            z->trans[i] = tsize == 8 ? be64(q) : (int64_t)(int32_t)be32(q);
            q += tsize;
            if (i && z->trans[i] <= z->trans[i - 1]) {
                kpi_zone_free(z);
                return -1;
            }
        }
        for (uint32_t i = 0; i < timecnt; i++) {
            z->idx[i] = *q++;
            if (z->idx[i] >= typecnt) {
                kpi_zone_free(z);
                return -1;
            }
        }
        for (uint32_t i = 0; i < typecnt; i++) {
            int32_t off = (int32_t)be32(q);
            if (off < -26 * 3600 || off > 26 * 3600) {
                kpi_zone_free(z);
                return -1;
            }
            z->utoff[i] = off;
            q += 6;
        }
        z->ntrans = timecnt;
        z->ntypes = typecnt;
        return 0;
    }
    return -1;
}

int32_t kpi_zone_offset(const struct kpi_zone *z, int64_t t)
{
    if (z->ntrans == 0 || t < z->trans[0])
        return z->utoff[0];
    size_t lo = 0, hi = z->ntrans; /* last i with trans[i] <= t */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (z->trans[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return z->utoff[z->idx[lo]];
}

int64_t kpi_local_midnight(const struct kpi_zone *z, int y, int m, int d)
{
    int64_t local = kpi_days_from_civil(y, m, d) * 86400;
    /* Try the offsets in force around that wall time; keep a candidate that maps back. */
    int64_t best = KPI_NONE;
    int64_t probes[2] = {local - kpi_zone_offset(z, local - 86400),
                         local - kpi_zone_offset(z, local + 86400)};
    for (int i = 0; i < 2; i++) {
        int64_t u = probes[i];
        if (u + kpi_zone_offset(z, u) == local && (best == KPI_NONE || u < best))
            best = u;
    }
    if (best != KPI_NONE)
        return best;
    /* In a gap: local midnight does not exist; the day starts at the transition. */
    int64_t u = probes[0] < probes[1] ? probes[0] : probes[1];
    for (size_t i = 0; i < z->ntrans; i++)
        if (z->trans[i] > u - 86400 && z->trans[i] <= u + 86400 &&
            z->trans[i] + kpi_zone_offset(z, z->trans[i]) >= local)
            return z->trans[i];
    return u;
}
