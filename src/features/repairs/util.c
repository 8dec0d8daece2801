/* repairs: local dates and times and the retrying transaction that catalog, warranty
 * and repairs share (phase 2 of issue #9 replaces them by shared helpers). */
#include "features/repairs/repairs.h"

#include <string.h>
#include <time.h>

#include "rules/warranty.h"

/* ---------------------------------------------------------------- shared helpers */

void rep_local_date(int64_t t, char out[11])
{
    time_t tt = (time_t)(t + REP_TZ_OFFSET);
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

json_t *rep_time_json(int64_t t, int isnull)
{
    if (isnull)
        return json_null();
    time_t tt = (time_t)t;
    struct tm tm;
    char s[32];
    gmtime_r(&tt, &tm);
    strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_string(s);
}

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

int rep_parse_time(const char *s, int64_t *out)
{
    int y, mo, d, h, mi, se = 0;
    char date[11];
    if (!s || strlen(s) < 16)
        return -1;
    memcpy(date, s, 10);
    date[10] = 0;
    if (warranty_parse_date(date, &y, &mo, &d) < 0 || (s[10] != 'T' && s[10] != ' ' && s[10] != 't'))
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
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = se;
    int64_t t = (int64_t)timegm(&tm);
    if (*p == 0) {
        if (s[10] != ' ')
            return -1; /* RFC 3339 needs an offset */
        t -= REP_TZ_OFFSET;
    } else if ((*p == 'Z' || *p == 'z') && p[1] == 0) {
    } else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
        int oh, om;
        if (digits(p + 1, 2, &oh) < 0 || digits(p + 4, 2, &om) < 0 || oh > 23 || om > 59)
            return -1;
        int64_t off = (int64_t)oh * 3600 + om * 60;
        t -= *p == '+' ? off : -off;
    } else {
        return -1;
    }
    *out = t;
    return 0;
}

int rep_in_tx(db_conn *c, int (*fn)(db_conn *c, void *arg), void *arg)
{
    for (int attempt = 0;; attempt++) {
        int rc = db_begin(c);
        if (rc == 0) {
            rc = fn(c, arg);
            if (rc == 0)
                rc = db_commit(c);
            else
                db_rollback(c);
            if (rc == 0)
                return 0;
        }
        if (rc != DB_EBUSY || attempt >= 4)
            return rc;
        db_rollback(c);
        struct timespec ts = {0, 2000000L * (attempt + 1)};
        nanosleep(&ts, NULL);
    }
}
