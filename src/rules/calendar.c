/* calendar: business-time sums over weekly windows and dated exceptions (see calendar.h). */
#include "rules/calendar.h"

#include <string.h>

int cal_parse_hhmm(const char *s, int32_t *out)
{
    if (!s || strlen(s) != 5 || s[2] != ':')
        return -1;
    for (int i = 0; i < 5; i++)
        if (i != 2 && (s[i] < '0' || s[i] > '9'))
            return -1;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    if (m > 59 || h > 24 || (h == 24 && m))
        return -1;
    *out = (int32_t)(h * 3600 + m * 60);
    return 0;
}

int cal_day_add(struct cal_day *d, const char *open, const char *close)
{
    int32_t o, c;
    if (cal_parse_hhmm(open, &o) < 0 || cal_parse_hhmm(close, &c) < 0 || o == c ||
        o >= 86400 || d->n >= CAL_MAX_WINDOWS)
        return -1;
    if (c < o)
        c += 86400; /* closes the next day */
    int i = d->n++;
    while (i > 0 && d->w[i - 1].open > o) {
        d->w[i] = d->w[i - 1];
        i--;
    }
    d->w[i] = (struct cal_window){o, c};
    return 0;
}

void cal_set_standard(struct calendar *c)
{
    memset(&c->standard, 0, sizeof c->standard);
    for (int i = 0; i < 5; i++)
        if (c->week[i].n) {
            c->standard = c->week[i];
            return;
        }
}

int cal_weekday(int64_t day)
{
    return (int)(((day % 7) + 7 + 3) % 7); /* 1970-01-01 was a Thursday */
}

const struct cal_exception *cal_exception_of(const struct calendar *c, int64_t day)
{
    size_t lo = 0, hi = c->nexc;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->exc[mid].day < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < c->nexc && c->exc[lo].day == day ? &c->exc[lo] : NULL;
}

const struct cal_day *cal_hours_of(const struct calendar *c, int64_t day)
{
    static const struct cal_day none;
    const struct cal_exception *e = cal_exception_of(c, day);
    const struct cal_day *week = &c->week[cal_weekday(day)];
    if (!e)
        return week;
    switch (e->kind) {
    case CAL_HOLIDAY:
        return &none;
    case CAL_SPECIAL:
        return &e->hours;
    case CAL_MAKEUP:
        return week->n ? week : &c->standard;
    }
    return week;
}

/* Walks the business intervals from an instant on, in time order, each clipped so that
 * none starts before the previous one ended. */
struct sweep {
    const struct calendar *c;
    int64_t day, last_day, cursor;
    const struct cal_day *h;
    int k;
    int64_t lo, hi; /* the last zone offset seen, in force over [lo, hi) */
    int32_t off;
};

/* dt_local_to_utc, without its searches while the offset last seen holds: a wall time
 * whose instant lies two days or more inside that span has no other (offsets differ by
 * less than two days), so it is the earliest one. */
static int64_t sweep_utc(struct sweep *sw, int64_t local)
{
    int64_t u = local - sw->off;
    if (sw->lo < sw->hi && u - 2 * 86400 >= sw->lo && u + 2 * 86400 < sw->hi)
        return u;
    u = dt_local_to_utc(sw->c->zone, local);
    sw->off = dt_zone_span(sw->c->zone, u, &sw->lo, &sw->hi);
    return u;
}

static void sweep_start(struct sweep *sw, const struct calendar *c, int64_t t)
{
    int y, m, d, hh, mm, ss;
    dt_local_parts(c->zone, t, &y, &m, &d, &hh, &mm, &ss);
    int64_t today = dt_days_from_civil(y, m, d);
    /* yesterday's windows may still be open */
    *sw = (struct sweep){c, today - 1, today + CAL_HORIZON_DAYS, t, cal_hours_of(c, today - 1), 0,
                         0, 0, 0};
}

/* The next interval [*s, *e). 0, or -1 past the horizon. */
static int sweep_next(struct sweep *sw, int64_t *s, int64_t *e)
{
    for (;;) {
        while (sw->k >= sw->h->n) {
            if (++sw->day > sw->last_day)
                return -1;
            sw->h = cal_hours_of(sw->c, sw->day);
            sw->k = 0;
        }
        const struct cal_window *w = &sw->h->w[sw->k++];
        int64_t base = sw->day * 86400;
        int64_t a = sweep_utc(sw, base + w->open);
        int64_t b = sweep_utc(sw, base + w->close);
        if (a < sw->cursor)
            a = sw->cursor;
        if (b <= a)
            continue;
        sw->cursor = b;
        sw->last_day = sw->day + CAL_HORIZON_DAYS; /* the horizon counts from hours found */
        *s = a;
        *e = b;
        return 0;
    }
}

int64_t cal_between(const struct calendar *c, int64_t a, int64_t b)
{
    if (b <= a)
        return 0;
    struct sweep sw;
    int64_t s, e, sum = 0;
    sweep_start(&sw, c, a);
    while (sweep_next(&sw, &s, &e) == 0 && s < b)
        sum += (e < b ? e : b) - s;
    return sum;
}

int cal_add(const struct calendar *c, int64_t start, int64_t secs, int64_t *out)
{
    if (secs <= 0) {
        *out = start;
        return 0;
    }
    struct sweep sw;
    int64_t s, e;
    sweep_start(&sw, c, start);
    while (sweep_next(&sw, &s, &e) == 0) {
        if (e - s >= secs) {
            *out = s + secs;
            return 0;
        }
        secs -= e - s;
    }
    return -1;
}

int cal_next_open(const struct calendar *c, int64_t t, int64_t *out)
{
    struct sweep sw;
    int64_t s, e;
    sweep_start(&sw, c, t);
    if (sweep_next(&sw, &s, &e) < 0)
        return -1;
    *out = s;
    return 0;
}

int cal_due(const struct calendar *c, int64_t start, int64_t target_secs,
            const int64_t (*pauses)[2], size_t n, int64_t *due, int64_t *remaining)
{
    int64_t t = start, need = target_secs > 0 ? target_secs : 0;
    *due = DT_NONE;
    *remaining = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t ps = pauses[i][0], pe = pauses[i][1];
        if (pe != DT_NONE && pe <= t)
            continue; /* over before the clock got there */
        if (ps < t)
            ps = t;
        int64_t run = cal_between(c, t, ps);
        if (run >= need)
            break; /* due before this pause begins */
        need -= run;
        if (pe == DT_NONE) {
            *remaining = need;
            return CAL_PAUSED;
        }
        t = pe;
    }
    return cal_add(c, t, need, due);
}
