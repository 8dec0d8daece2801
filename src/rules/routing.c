/* routing: ranking candidate outlets for a repair, and coverage arithmetic. */
#include "rules/routing.h"

#include "base/datetime.h"

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

int date_weekday(const char *date)
{
    int y, m, d;
    if (dt_parse_date(date, &y, &m, &d) < 0)
        return 0;
    int64_t days = dt_days_from_civil(y, m, d);
    /* 1970-01-01 was a Thursday (4) */
    return (int)(((days % 7) + 7 + 3) % 7) + 1;
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
