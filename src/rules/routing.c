/* routing: ranking candidate outlets for a repair, and coverage arithmetic. */
#include "rules/routing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int region_code_valid(const char *s)
{
    if (!s || strlen(s) != 6)
        return 0;
    for (int i = 0; i < 6; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

int routing_distance(const char *customer_county, const char *outlet_region)
{
    if (!region_code_valid(customer_county) || !region_code_valid(outlet_region))
        return ROUTING_ELSEWHERE;
    if (strcmp(customer_county, outlet_region) == 0)
        return ROUTING_SAME_COUNTY;
    if (strncmp(customer_county, outlet_region, 4) == 0)
        return ROUTING_SAME_CITY;
    if (strncmp(customer_county, outlet_region, 2) == 0)
        return ROUTING_SAME_PROVINCE;
    return ROUTING_ELSEWHERE;
}

int routing_grade_rank(const char *grade)
{
    if (!grade || !grade[0] || grade[1])
        return 4;
    switch (grade[0]) {
    case 'A': case 'a': return 0;
    case 'B': case 'b': return 1;
    case 'C': case 'c': return 2;
    case 'D': case 'd': return 3;
    default: return 4;
    }
}

static int cmp_candidate(const void *pa, const void *pb)
{
    const struct routing_candidate *a = pa, *b = pb;
    if (a->full != b->full)
        return a->full - b->full;
    if (a->score < b->score - 1e-9)
        return -1;
    if (a->score > b->score + 1e-9)
        return 1;
    int c = strcmp(a->code ? a->code : "", b->code ? b->code : "");
    if (c)
        return c;
    return a->outlet_id < b->outlet_id ? -1 : a->outlet_id > b->outlet_id;
}

void routing_rank(struct routing_candidate *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct routing_candidate *x = &c[i];
        int64_t open = x->open_repairs < 0 ? 0 : x->open_repairs;
        if (x->capacity <= 0) {
            x->load = 1.0;
            x->full = 1;
        } else {
            x->load = (double)open / (double)x->capacity;
            x->full = open >= x->capacity;
        }
        int d = x->distance < 0 || x->distance > ROUTING_ELSEWHERE ? ROUTING_ELSEWHERE
                                                                      : x->distance;
        x->score = x->load + 0.15 * routing_grade_rank(x->grade) + 0.2 * d;
    }
    if (n > 1)
        qsort(c, n, sizeof *c, cmp_candidate);
}

static const char *distance_text(int d)
{
    switch (d) {
    case ROUTING_SAME_COUNTY: return "in the customer's county";
    case ROUTING_SAME_CITY: return "in the customer's city";
    case ROUTING_SAME_PROVINCE: return "in the customer's province";
    default: return "outside the customer's province";
    }
}

char *routing_explain(const struct routing_candidate *c, size_t n, const char *customer_county,
                      const char *line)
{
    if (n == 0)
        return NULL;
    char *out = NULL;
    char next[160] = "";
    if (n > 1)
        snprintf(next, sizeof next, "; next best %s (load %lld/%lld, grade %s, %s)",
                 c[1].code ? c[1].code : "?", (long long)c[1].open_repairs,
                 (long long)c[1].capacity, c[1].grade ? c[1].grade : "none",
                 distance_text(c[1].distance));
    if (asprintf(&out,
                 "chosen because it is active, covers %s and is authorised for %s; "
                 "load %lld/%lld (%.0f%%)%s, grade %s, %s; %zu candidate%s%s",
                 customer_county ? customer_county : "?", line ? line : "?",
                 (long long)c[0].open_repairs, (long long)c[0].capacity, c[0].load * 100.0,
                 c[0].full ? ", full: every candidate is full" : "",
                 c[0].grade ? c[0].grade : "none", distance_text(c[0].distance), n,
                 n == 1 ? "" : "s", next) < 0)
        return NULL;
    return out;
}

double coverage_rate(int64_t covered, int64_t total)
{
    if (total <= 0)
        return -1.0;
    return (double)covered / (double)total;
}

int coverage_includes(const char *cover, const char *county, const char *county_city)
{
    if (!region_code_valid(cover) || !region_code_valid(county))
        return 0;
    if (strcmp(cover, county) == 0)
        return 1;
    if (county_city && strcmp(cover, county_city) == 0)
        return 1;
    /* a province code: two digits then 0000 */
    if (strcmp(cover + 2, "0000") == 0 && strncmp(cover, county, 2) == 0)
        return 1;
    return 0;
}

/* ---- on-site appointments ---- */

int hhmm_minutes(const char *s)
{
    if (!s || strlen(s) != 5 || s[2] != ':')
        return -1;
    for (int i = 0; i < 5; i++)
        if (i != 2 && (s[i] < '0' || s[i] > '9'))
            return -1;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    if (m > 59 || h > 24 || (h == 24 && m != 0))
        return -1;
    return h * 60 + m;
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int parse_date(const char *s, int *y, int *m, int *d)
{
    if (!s || strlen(s) < 10 || s[4] != '-' || s[7] != '-')
        return -1;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return -1;
    *y = atoi(s);
    *m = (s[5] - '0') * 10 + (s[6] - '0');
    *d = (s[8] - '0') * 10 + (s[9] - '0');
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (*y < 1970 || *m < 1 || *m > 12 || *d < 1 || *d > mdays[*m - 1])
        return -1;
    int leap = (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
    if (*m == 2 && *d == 29 && !leap)
        return -1;
    return 0;
}

int date_weekday(const char *date)
{
    int y, m, d;
    if (!date || strlen(date) != 10 || parse_date(date, &y, &m, &d) < 0)
        return 0;
    int64_t days = days_from_civil(y, (unsigned)m, (unsigned)d);
    /* 1970-01-01 was a Thursday (4) */
    return (int)(((days % 7) + 7 + 3) % 7) + 1;
}

int64_t local_instant(const char *date, int minutes)
{
    int y, m, d;
    if (parse_date(date, &y, &m, &d) < 0)
        return 0;
    return days_from_civil(y, (unsigned)m, (unsigned)d) * 86400 + (int64_t)minutes * 60 -
           SERVICE_UTC_OFFSET;
}

int parse_instant(const char *s, int64_t *out)
{
    int y, mo, d;
    if (!s || parse_date(s, &y, &mo, &d) < 0)
        return -1;
    size_t n = strlen(s);
    if (n < 16 || (s[10] != 'T' && s[10] != ' ' && s[10] != 't'))
        return -1;
    const char *p = s + 11;
    if (!(p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9' && p[2] == ':' &&
          p[3] >= '0' && p[3] <= '9' && p[4] >= '0' && p[4] <= '9'))
        return -1;
    int hh = (p[0] - '0') * 10 + (p[1] - '0'), mi = (p[3] - '0') * 10 + (p[4] - '0'), ss = 0;
    p += 5;
    if (*p == ':') {
        if (!(p[1] >= '0' && p[1] <= '9' && p[2] >= '0' && p[2] <= '9'))
            return -1;
        ss = (p[1] - '0') * 10 + (p[2] - '0');
        p += 3;
        if (*p == '.') { /* fractions of a second are dropped */
            p++;
            if (*p < '0' || *p > '9')
                return -1;
            while (*p >= '0' && *p <= '9')
                p++;
        }
    }
    if (hh > 23 || mi > 59 || ss > 60)
        return -1;
    int64_t offset;
    if (*p == '\0') {
        if (s[10] == 'T' || s[10] == 't')
            return -1; /* RFC 3339 needs its offset */
        offset = SERVICE_UTC_OFFSET;
    } else if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
        offset = 0;
    } else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':' && p[1] >= '0' &&
               p[1] <= '9' && p[2] >= '0' && p[2] <= '9' && p[4] >= '0' && p[4] <= '9' &&
               p[5] >= '0' && p[5] <= '9') {
        int oh = (p[1] - '0') * 10 + (p[2] - '0'), om = (p[4] - '0') * 10 + (p[5] - '0');
        if (oh > 23 || om > 59)
            return -1;
        offset = (*p == '+' ? 1 : -1) * (int64_t)(oh * 3600 + om * 60);
    } else {
        return -1;
    }
    *out = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + hh * 3600 + mi * 60 + ss -
           offset;
    return 0;
}

static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

void local_date_of(int64_t t, char date[11], int *minutes)
{
    int64_t l = t + SERVICE_UTC_OFFSET;
    int64_t days = l >= 0 ? l / 86400 : (l - 86399) / 86400;
    int64_t secs = l - days * 86400;
    int y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    snprintf(date, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, m % 100u, d % 100u);
    if (minutes)
        *minutes = (int)(secs / 60);
}

void format_instant(int64_t t, char out[21])
{
    int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    int64_t secs = t - days * 86400;
    int y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    unsigned sec = (unsigned)secs % 86400u;
    snprintf(out, 21, "%04u-%02u-%02uT%02u:%02u:%02uZ", (unsigned)y % 10000u, m % 100u, d % 100u,
             sec / 3600u, sec / 60u % 60u, sec % 60u);
}

size_t free_slots(int opens, int closes, int len, const int *busy_from, const int *busy_to,
                  size_t n, int *out, size_t max)
{
    size_t k = 0;
    if (len <= 0)
        return 0;
    for (int s = opens; s + len <= closes && k < max; s += len) {
        int clash = 0;
        for (size_t i = 0; i < n && !clash; i++)
            if (s < busy_to[i] && busy_from[i] < s + len)
                clash = 1;
        if (!clash)
            out[k++] = s;
    }
    return k;
}
