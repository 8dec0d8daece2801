/* datetime: calendar dates, RFC 3339 instants and TZif time zones (see datetime.h). */
#include "base/datetime.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- calendar ---- */

/* Howard Hinnant's days_from_civil. */
int64_t dt_days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void dt_civil_from_days(int64_t z, int *y, int *m, int *d)
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

int dt_month_days(int y, int m)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12)
        return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return mdays[m - 1] + (m == 2 && leap);
}

/* n decimal digits at s into *out; 0 or -1. */
static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* The date at the start of s (exactly 10 bytes are read). */
static int date_prefix(const char *s, int *y, int *m, int *d)
{
    int yy, mm, dd;
    if (digits(s, 4, &yy) < 0 || s[4] != '-' || digits(s + 5, 2, &mm) < 0 || s[7] != '-' ||
        digits(s + 8, 2, &dd) < 0)
        return -1;
    if (yy < 1970 || mm < 1 || mm > 12 || dd < 1 || dd > dt_month_days(yy, mm))
        return -1;
    *y = yy;
    *m = mm;
    *d = dd;
    return 0;
}

int dt_parse_date(const char *s, int *y, int *m, int *d)
{
    if (!s || strlen(s) != 10)
        return -1;
    return date_prefix(s, y, m, d);
}

int dt_is_date(const char *s)
{
    int y, m, d;
    return dt_parse_date(s, &y, &m, &d) == 0;
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

void dt_zone_free(struct dt_zone *z)
{
    free(z->trans);
    free(z->idx);
    free(z->utoff);
    memset(z, 0, sizeof *z);
}

int dt_zone_fixed(int32_t utoff, struct dt_zone *z)
{
    memset(z, 0, sizeof *z);
    z->utoff = malloc(sizeof *z->utoff);
    if (!z->utoff)
        return -1;
    z->utoff[0] = utoff;
    z->ntypes = 1;
    return 0;
}

/* The data block of one TZif header at q: transitions, their types, the offsets. */
static int zone_block(const unsigned char *q, uint32_t timecnt, uint32_t typecnt, int tsize,
                      struct dt_zone *z)
{
    z->trans = malloc((timecnt ? timecnt : 1) * sizeof *z->trans);
    z->idx = malloc(timecnt ? timecnt : 1);
    z->utoff = malloc(typecnt * sizeof *z->utoff);
    if (!z->trans || !z->idx || !z->utoff)
        return -1;
    for (uint32_t i = 0; i < timecnt; i++) {
        z->trans[i] = tsize == 8 ? be64(q) : (int64_t)(int32_t)be32(q);
        q += tsize;
        if (i && z->trans[i] <= z->trans[i - 1])
            return -1;
    }
    for (uint32_t i = 0; i < timecnt; i++) {
        z->idx[i] = *q++;
        if (z->idx[i] >= typecnt)
            return -1;
    }
    for (uint32_t i = 0; i < typecnt; i++) {
        int32_t off = (int32_t)be32(q);
        if (off < -26 * 3600 || off > 26 * 3600)
            return -1;
        z->utoff[i] = off;
        q += 6;
    }
    z->ntrans = timecnt;
    z->ntypes = typecnt;
    return 0;
}

int dt_zone_parse(const unsigned char *buf, size_t len, struct dt_zone *z)
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
        if (zone_block(p + 44, timecnt, typecnt, tsize, z) < 0) {
            dt_zone_free(z);
            return -1;
        }
        return 0;
    }
    return -1;
}

int32_t dt_zone_offset(const struct dt_zone *z, int64_t t)
{
    int64_t lo, hi;
    return dt_zone_span(z, t, &lo, &hi);
}

int32_t dt_zone_span(const struct dt_zone *z, int64_t t, int64_t *lo, int64_t *hi)
{
    *lo = INT64_MIN, *hi = INT64_MAX;
    if (!z || z->ntrans == 0)
        return z ? z->utoff[0] : 0;
    if (t < z->trans[0]) {
        *hi = z->trans[0];
        return z->utoff[0];
    }
    size_t a = 0, b = z->ntrans; /* last i with trans[i] <= t */
    while (b - a > 1) {
        size_t mid = a + (b - a) / 2;
        if (z->trans[mid] <= t)
            a = mid;
        else
            b = mid;
    }
    *lo = z->trans[a];
    if (a + 1 < z->ntrans)
        *hi = z->trans[a + 1];
    return z->utoff[z->idx[a]];
}

/* The UTC instant of local wall time `local` (seconds since the epoch as if UTC) in z:
 * the earliest instant that maps to it, or the first one after a gap. */
int64_t dt_local_to_utc(const struct dt_zone *z, int64_t local)
{
    int64_t best = DT_NONE;
    int64_t probes[2] = {local - dt_zone_offset(z, local - 86400),
                         local - dt_zone_offset(z, local + 86400)};
    for (int i = 0; i < 2; i++) {
        int64_t u = probes[i];
        if (u + dt_zone_offset(z, u) == local && (best == DT_NONE || u < best))
            best = u;
    }
    if (best != DT_NONE)
        return best;
    /* In a gap: that wall time does not exist; it starts at the transition. */
    int64_t u = probes[0] < probes[1] ? probes[0] : probes[1];
    for (size_t i = 0; z && i < z->ntrans; i++)
        if (z->trans[i] > u - 86400 && z->trans[i] <= u + 86400 &&
            z->trans[i] + dt_zone_offset(z, z->trans[i]) >= local)
            return z->trans[i];
    return u;
}

int64_t dt_local_midnight(const struct dt_zone *z, int y, int m, int d)
{
    return dt_local_to_utc(z, dt_days_from_civil(y, m, d) * 86400);
}

int dt_zone_name_ok(const char *n)
{
    if (!n || !*n || strlen(n) > 63 || strstr(n, "..") || n[0] == '/')
        return 0;
    for (const char *p = n; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '/' || *p == '_' || *p == '-' || *p == '+'))
            return 0;
    return 1;
}

#define ZONE_CACHE 16
static pthread_mutex_t zone_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    char name[64];
    struct dt_zone z;
} zone_cache[ZONE_CACHE];
static int zone_count;

/* Read and parse the zoneinfo file of name into *z. 0 or -1. */
static int zone_load(const char *name, struct dt_zone *z)
{
    if (strcmp(name, "UTC") == 0)
        return dt_zone_fixed(0, z);
    const char *dir = getenv("TZDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    unsigned char data[65536 * 2];
    size_t n = fread(data, 1, sizeof data, f);
    fclose(f);
    return n == sizeof data ? -1 : dt_zone_parse(data, n, z);
}

const struct dt_zone *dt_zone_get(const char *name)
{
    if (!dt_zone_name_ok(name))
        return NULL;
    const struct dt_zone *found = NULL;
    pthread_mutex_lock(&zone_lock);
    for (int i = 0; i < zone_count && !found; i++)
        if (strcmp(zone_cache[i].name, name) == 0)
            found = &zone_cache[i].z;
    if (!found && zone_count < ZONE_CACHE && zone_load(name, &zone_cache[zone_count].z) == 0) {
        snprintf(zone_cache[zone_count].name, sizeof zone_cache[0].name, "%s", name);
        found = &zone_cache[zone_count++].z;
    }
    pthread_mutex_unlock(&zone_lock);
    return found;
}

/* ---- formatting ---- */

void dt_local_parts(const struct dt_zone *z, int64_t t, int *y, int *m, int *d, int *hh,
                    int *mm, int *ss)
{
    int64_t lt = t + dt_zone_offset(z, t);
    int64_t days = lt >= 0 ? lt / 86400 : (lt - 86399) / 86400;
    int64_t sec = lt - days * 86400;
    dt_civil_from_days(days, y, m, d);
    *hh = (int)(sec / 3600);
    *mm = (int)(sec / 60 % 60);
    *ss = (int)(sec % 60);
}

/* v as exactly n decimal digits at p (values out of range wrap). */
static void put_digits(char *p, int v, int n)
{
    unsigned u = (unsigned)(v < 0 ? -v : v);
    for (int i = n - 1; i >= 0; i--, u /= 10)
        p[i] = (char)('0' + u % 10);
}

/* "YYYY-MM-DD" into out (11 bytes). */
static void put_date(char *out, int y, int m, int d)
{
    put_digits(out, y, 4);
    out[4] = '-';
    put_digits(out + 5, m, 2);
    out[7] = '-';
    put_digits(out + 8, d, 2);
    out[10] = 0;
}

void dt_rfc3339(int64_t t, char out[21])
{
    int y, m, d, hh, mm, ss;
    dt_local_parts(NULL, t, &y, &m, &d, &hh, &mm, &ss);
    put_date(out, y, m, d);
    out[10] = 'T';
    put_digits(out + 11, hh, 2);
    out[13] = ':';
    put_digits(out + 14, mm, 2);
    out[16] = ':';
    put_digits(out + 17, ss, 2);
    out[19] = 'Z';
    out[20] = 0;
}

json_t *dt_json(int64_t t)
{
    if (t == DT_NONE)
        return json_null();
    char s[21];
    dt_rfc3339(t, s);
    return json_string(s);
}

void dt_rfc3339_zone(const struct dt_zone *z, int64_t t, char out[26])
{
    if (!z) {
        dt_rfc3339(t, out);
        return;
    }
    int32_t off = dt_zone_offset(z, t);
    int y, m, d, hh, mm, ss;
    dt_local_parts(z, t, &y, &m, &d, &hh, &mm, &ss);
    put_date(out, y, m, d);
    out[10] = 'T';
    put_digits(out + 11, hh, 2);
    out[13] = ':';
    put_digits(out + 14, mm, 2);
    out[16] = ':';
    put_digits(out + 17, ss, 2);
    out[19] = off < 0 ? '-' : '+';
    int32_t a = off < 0 ? -off : off;
    put_digits(out + 20, (int)(a / 3600), 2);
    out[22] = ':';
    put_digits(out + 23, (int)(a / 60 % 60), 2);
    out[25] = 0;
}

json_t *dt_json_zone(const struct dt_zone *z, int64_t t)
{
    if (t == DT_NONE)
        return json_null();
    char s[26];
    dt_rfc3339_zone(z, t, s);
    return json_string(s);
}

void dt_local_date(const struct dt_zone *z, int64_t t, char out[11])
{
    int y, m, d, hh, mm, ss;
    dt_local_parts(z, t, &y, &m, &d, &hh, &mm, &ss);
    put_date(out, y, m, d);
}

/* ---- parsing ---- */

int dt_parse_time(const char *s, const struct dt_zone *local, int64_t *out)
{
    int y, mo, d, h, mi, se = 0;
    if (!s || strlen(s) < 16 || date_prefix(s, &y, &mo, &d) < 0 ||
        (s[10] != 'T' && s[10] != ' ' && s[10] != 't'))
        return -1;
    if (digits(s + 11, 2, &h) < 0 || s[13] != ':' || digits(s + 14, 2, &mi) < 0)
        return -1;
    const char *p = s + 16;
    if (*p == ':') {
        if (digits(p + 1, 2, &se) < 0)
            return -1;
        p += 3;
        if (*p == '.') {
            p++;
            if (*p < '0' || *p > '9')
                return -1;
            while (*p >= '0' && *p <= '9')
                p++;
        }
    }
    if (h > 23 || mi > 59 || se > 60)
        return -1;
    int64_t wall = dt_days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 + mi * 60 + se;
    if (*p == 0) {
        if (s[10] != ' ' || !local)
            return -1; /* RFC 3339 needs an offset */
        *out = dt_local_to_utc(local, wall);
        return 0;
    }
    if ((*p == 'Z' || *p == 'z') && p[1] == 0) {
        *out = wall;
        return 0;
    }
    if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
        int oh, om;
        if (digits(p + 1, 2, &oh) < 0 || digits(p + 4, 2, &om) < 0 || oh > 23 || om > 59)
            return -1;
        int64_t off = (int64_t)oh * 3600 + om * 60;
        *out = wall - (*p == '+' ? off : -off);
        return 0;
    }
    return -1;
}
