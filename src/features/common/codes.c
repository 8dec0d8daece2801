/* codes: gap-free human codes (C…, T…, R<date>…) from the counters table. */
#include <stdio.h>
#include <string.h>

#include "features/common/common.h"

int code_next_value(db_conn *c, const char *name, int64_t *value)
{
    for (int pass = 0; pass < 2; pass++) {
        db_stmt *st = db_prepare(c, "UPDATE counters SET value = value + 1 WHERE name = ?"
                                    " RETURNING value");
        if (!st)
            return DB_ERROR;
        db_bind_text(st, 1, name);
        int rc = db_step(st);
        int64_t v = rc == DB_ROW ? db_int(st, 0) : 0;
        db_done(st);
        if (rc == DB_ROW) {
            *value = v;
            return 0;
        }
        if (rc < 0)
            return rc;
        /* no such counter yet: create it at 0 and count again */
        int64_t e = db_exec(c, "INSERT INTO counters (name, value) VALUES (?, 0)"
                               " ON CONFLICT (name) DO NOTHING", "t", name);
        if (e < 0)
            return (int)e;
    }
    return DB_ERROR;
}

/* "<prefix><v as width digits>" into out; -1 when it does not fit. */
static int format_code(const char *prefix, int64_t v, int width, char *out, size_t n)
{
    int64_t limit = 1;
    for (int i = 0; i < width && limit <= INT64_MAX / 10; i++)
        limit *= 10;
    if (v < 0 || v >= limit)
        return DB_ERROR;
    int len = snprintf(out, n, "%s%0*lld", prefix, width, (long long)v);
    return len < 0 || (size_t)len >= n ? DB_ERROR : 0;
}

int code_next(db_conn *c, const char *counter, const char *prefix, int width, char *out,
              size_t n)
{
    int64_t v;
    int rc = code_next_value(c, counter, &v);
    return rc < 0 ? rc : format_code(prefix, v, width, out, n);
}

/* 1 when taken_sql finds code, 0 when not, a negative db code on failure. */
static int code_taken(db_conn *c, const char *taken_sql, const char *code)
{
    db_stmt *st = db_prepare(c, taken_sql);
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, code);
    int rc = db_step(st);
    db_done(st);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : rc;
}

int code_next_daily(db_conn *c, const char *counter, const char *prefix, int width, int64_t now,
                    const char *taken_sql, char *out, size_t n)
{
    char day[11], name[64], head[32];
    dt_local_date(org_zone(c), now, day);
    snprintf(name, sizeof name, "%s:%.2s%.2s%.2s", counter, day + 2, day + 5, day + 8);
    snprintf(head, sizeof head, "%s%.2s%.2s%.2s", prefix, day + 2, day + 5, day + 8);
    for (int tries = 0; tries < 1000; tries++) {
        int64_t v;
        int rc = code_next_value(c, name, &v);
        /* width is the least number of digits: a day's sequence may pass 10^width (the
         * design size registers ~14k repairs a day, peaks more: R<date>12345), and the
         * date before it has a fixed length, so longer codes never meet shorter ones */
        if (rc < 0)
            return rc;
        int len = snprintf(out, n, "%s%0*lld", head, width, (long long)v);
        if (len < 0 || (size_t)len >= n)
            return DB_ERROR;
        if (!taken_sql || (rc = code_taken(c, taken_sql, out)) == 0)
            return 0;
        if (rc < 0)
            return rc;
    }
    return DB_ERROR;
}

int code_ok(const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 1 || n > max)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '_' || ch == '.' || ch == '/'))
            return 0;
    }
    return 1;
}

char *code_upper(arena *a, const char *s)
{
    char *u = arena_strdup(a, s ? s : "");
    for (char *p = u; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    return u;
}
