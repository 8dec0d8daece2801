/* helpers: the small helpers the network files share (dates, tokens, parameter errors, name
 * keys, code sequences). */
#include "features/network/internal.h"

#include "base/buf.h"
#include "base/log.h"

#include <ctype.h>
#include <opencc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const outlet_types[] = {"service_center", "authorised", "designated",
                                           "certified", "agent", NULL};

void net_bind_day4(db_stmt *st, int first, const char *day)
{
    for (int i = 0; i < 4; i++)
        db_bind_text(st, first + i, day);
}

/* Today in the service's time zone (Asia/Shanghai, UTC+8, no daylight saving). */
void net_today(char out[11])
{
    time_t t = (time_t)(now_unix() + 8 * 3600);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

int net_valid_date(const char *s)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return 0;
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return 0;
    if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 0;
    return 1;
}

int net_valid_hhmm(const char *s)
{
    if (!s || strlen(s) != 5 || s[2] != ':' || !isdigit((unsigned char)s[0]) ||
        !isdigit((unsigned char)s[1]) || !isdigit((unsigned char)s[3]) ||
        !isdigit((unsigned char)s[4]))
        return 0;
    int h = atoi(s), m = atoi(s + 3);
    return (h < 24 && m < 60) || (h == 24 && m == 0);
}

int net_valid_token(const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > max)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
            return 0;
    return 1;
}

int net_is_outlet_type(const char *s)
{
    for (int i = 0; outlet_types[i]; i++)
        if (s && strcmp(s, outlet_types[i]) == 0)
            return 1;
    return 0;
}

int net_is_outlet_staff(const req *r)
{
    return (r->who.role & ROLE_OUTLET_STAFF) != 0;
}

/* A malformed query parameter: 422 validation_failed naming it. */
int net_bad_param(req *r, const char *param, const char *why)
{
    return reply_error(r, 422, "validation_failed", why, json_pack("{s:s}", param, why));
}

int net_json_fail_db(req *r, db_conn *c, const char *what)
{
    log_error("network %s: %s", what, db_errmsg(c));
    return -1;
}

int net_next_code(db_conn *c, const char *counter, const char *prefix, char *out, size_t n)
{
    if (db_exec(c, "INSERT INTO counters (name, value) VALUES (?, 0) ON CONFLICT (name) DO NOTHING",
                "t", counter) < 0)
        return -1;
    db_stmt *st = db_prepare(c, "UPDATE counters SET value = value + 1 WHERE name = ? RETURNING value");
    if (!st)
        return -1;
    db_bind_text(st, 1, counter);
    int s = db_step(st);
    int64_t v = s == DB_ROW ? db_int(st, 0) : -1;
    db_done(st);
    if (v < 0)
        return -1;
    snprintf(out, n, "%s%06lld", prefix, (long long)v);
    return 0;
}

/* ---- name keys: simplified Chinese, no spaces, ASCII lower case ---- */

static pthread_mutex_t cc_mu = PTHREAD_MUTEX_INITIALIZER;
static opencc_t cc = (opencc_t)-1;
static int cc_tried;

/* malloc'd key for name search (traditional -> simplified via OpenCC t2s). */
char *net_name_key(const char *s)
{
    char *conv = NULL;
    pthread_mutex_lock(&cc_mu);
    if (!cc_tried) {
        cc_tried = 1;
        cc = opencc_open("t2s.json");
        if (cc == (opencc_t)-1)
            log_error("network: OpenCC t2s.json unavailable; names are matched as typed");
    }
    if (cc != (opencc_t)-1) {
        char *o = opencc_convert_utf8(cc, s, strlen(s));
        if (o) {
            conv = strdup(o);
            opencc_convert_utf8_free(o);
        }
    }
    pthread_mutex_unlock(&cc_mu);
    const char *src = conv ? conv : s;
    buf b = BUF_INIT;
    for (const unsigned char *p = (const unsigned char *)src; *p; p++) {
        if (isspace(*p))
            continue;
        if (p[0] == 0xC2 && p[1] == 0xB7) { /* U+00B7 middle dot */
            p++;
            continue;
        }
        buf_addc(&b, (char)tolower(*p));
    }
    free(conv);
    return buf_detach(&b);
}
