/* holidays: the official mainland-China schedule in the holidays table: loaded from the
 * chinese-days package (never typed in), added to by `aftersales import holidays`,
 * listed per year for the calendar editor, and the missing-next-year warning. */
#include "features/complaints/internal.h"

#include "base/arena.h"
#include "base/audit.h"
#include "base/log.h"
#include "base/paths.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static char *package_file(void)
{
    const char *env = getenv("AFTERSALES_CHINESE_DAYS");
    if (env && *env)
        return strdup(env);
    char *repo = paths_repo_dir(), *out = NULL;
    if (asprintf(&out, "%s/node_modules/chinese-days/dist/chinese-days.json", repo) < 0)
        out = NULL;
    free(repo);
    return out;
}

/* "Mid-autumn Festival,中秋,1" -> en, zh. */
static void split_name(const char *v, char en[80], char zh[80])
{
    const char *c1 = strchr(v, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
    snprintf(en, 80, "%.*s", (int)(c1 ? (size_t)(c1 - v) : strlen(v)), v);
    zh[0] = 0;
    if (c1)
        snprintf(zh, 80, "%.*s", (int)(c2 ? (size_t)(c2 - c1 - 1) : strlen(c1 + 1)), c1 + 1);
}

static int fill_kind(db_conn *c, json_t *obj, const char *kind, int *n)
{
    const char *day;
    json_t *v;
    json_object_foreach(obj, day, v) {
        if (!dt_is_date(day) || !json_is_string(v)) {
            fprintf(stderr, "holidays: bad entry %s in the package\n", day);
            return -1;
        }
        char en[80], zh[80];
        split_name(json_string_value(v), en, zh);
        if (db_exec(c, "INSERT INTO holidays (region, day, kind, name_zh, name_en, source)"
                       " VALUES ('cn', ?, ?, ?, ?, ?) ON CONFLICT (region, day) DO NOTHING",
                    "ttttt", day, kind, zh, en, CPL_SOURCE_CN) < 0)
            return -1;
        (*n)++;
    }
    return 0;
}

static int64_t cn_count(db_conn *c)
{
    db_stmt *st = db_prepare(c, "SELECT COUNT(*) FROM holidays WHERE region = 'cn'");
    int64_t n = -1;
    if (st && db_step(st) == DB_ROW)
        n = db_int(st, 0);
    db_done(st);
    return n;
}

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int ready;

int complaints_holidays_ensure(db_conn *c)
{
    int rc = -1, n = 0;
    char *path = NULL;
    json_t *j = NULL;
    pthread_mutex_lock(&mu);
    if (ready) {
        rc = 0;
        goto out;
    }
    int64_t have = cn_count(c);
    if (have < 0) {
        fprintf(stderr, "holidays: %s\n", db_errmsg(c));
        goto out;
    }
    if (have == 0) {
        json_error_t e;
        if (!(path = package_file()) || !(j = json_load_file(path, 0, &e))) {
            fprintf(stderr, "holidays: %s: %s\n", path ? path : "?", j ? "" : e.text);
            goto out;
        }
        json_t *hol = json_object_get(j, "holidays"), *work = json_object_get(j, "workdays");
        if (!json_is_object(hol) || !json_is_object(work)) {
            fprintf(stderr, "holidays: %s has no holidays/workdays objects\n", path);
            goto out;
        }
        if (db_begin(c) < 0)
            goto out;
        if (fill_kind(c, hol, "holiday", &n) < 0 || fill_kind(c, work, "makeup_workday", &n) < 0 ||
            db_commit(c) < 0) {
            db_rollback(c);
            if (cn_count(c) <= 0) /* another process may have loaded them meanwhile */
                goto out;
        } else {
            log_info("holidays: loaded %d days of the mainland-China schedule from %s", n, path);
        }
    }
    ready = 1;
    rc = 0;
out:
    pthread_mutex_unlock(&mu);
    json_decref(j);
    free(path);
    return rc;
}

/* ---------------------------------------------------------------- import */

struct import_ctx {
    json_t *seen;
    const char *source;
};

static int import_day(struct import_row *ir)
{
    struct import_ctx *x = ir->ctx;
    const char *day = import_field(ir, 0), *kind = import_field(ir, 1), *name = import_field(ir, 2);
    if (!dt_is_date(day))
        return import_bad(ir, "day: must be a date YYYY-MM-DD");
    if (strcmp(kind, "holiday") != 0 && strcmp(kind, "makeup_workday") != 0)
        return import_bad(ir, "kind: must be holiday or makeup_workday");
    if (strlen(name) > 80)
        return import_bad(ir, "name: too long (at most 80 bytes)");
    if (json_object_get(x->seen, day))
        return import_bad(ir, "day: %s appears twice in the file", day);
    json_object_set_new(x->seen, day, json_true());
    int64_t e = db_exec(ir->c,
                        "INSERT INTO holidays (region, day, kind, name_zh, name_en, source)"
                        " VALUES ('cn', ?, ?, ?, NULL, ?) ON CONFLICT (region, day) DO UPDATE"
                        " SET kind = excluded.kind, name_zh = excluded.name_zh,"
                        " name_en = excluded.name_en, source = excluded.source",
                        "tttt", day, kind, *name ? name : NULL, x->source);
    return e < 0 ? (int)e : 0;
}

static int import_end(struct import_row *ir)
{
    json_t *d = json_pack("{s:I}", "days", (json_int_t)ir->rows);
    int rc = audit_write(ir->c, ir->actor, "import", "holidays", "cn", d);
    json_decref(d);
    if (rc < 0)
        return rc;
    return cpl_recompute_open(ir->c);
}

int complaints_import_holidays(db *d, const char *path, FILE *in)
{
    static const struct csv_column cols[] = {{"day", 1}, {"kind", 1}, {"name", 0}, {NULL, 0}};
    db_conn *c = db_acquire(d);
    int ok = complaints_holidays_ensure(c); /* the package first, so it is not skipped later */
    db_release(c);
    if (ok < 0)
        return -1;
    const char *base = strrchr(path, '/');
    char source[200];
    snprintf(source, sizeof source, "import %s", base ? base + 1 : path);
    struct import_ctx x = {json_object(), source};
    struct import_spec spec = {"holidays", cols, import_day, import_end, &x};
    int rc = import_csv(d, path, in, &spec);
    json_decref(x.seen);
    return rc;
}

/* ---------------------------------------------------------------- listing */

static const char *kind_name(enum cal_exc_kind k)
{
    return k == CAL_HOLIDAY ? "holiday" : k == CAL_MAKEUP ? "makeup_workday" : "special_hours";
}

int cpl_holidays_list(db_conn *c, const struct cpl_cal *k, int year, const struct dt_zone *z,
                      json_t *out)
{
    (void)z;
    /* names of the official days, for display */
    json_t *names = json_object();
    db_stmt *st = db_prepare(c, "SELECT day, name_zh, name_en, source FROM holidays WHERE region = 'cn'"
                                " AND day >= ? AND day < ? ORDER BY day");
    if (!st) {
        json_decref(names);
        return DB_ERROR;
    }
    char lo[24], hi[24];
    snprintf(lo, sizeof lo, "%04d-01-01", year);
    snprintf(hi, sizeof hi, "%04d-01-01", year + 1);
    db_bind_text(st, 1, lo);
    db_bind_text(st, 2, hi);
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        json_object_set_new(names, db_text(st, 0),
                            json_pack("{s:s?, s:s?, s:s}", "zh", db_text(st, 1), "en",
                                      db_text(st, 2), "source", db_text(st, 3)));
    db_done(st);
    if (rc < 0) {
        json_decref(names);
        return rc;
    }
    json_t *own = json_object();
    json_t *exc = json_object_get(k->row, "exceptions");
    size_t i;
    json_t *e;
    json_array_foreach(exc, i, e) json_object_set(own, json_string_value(json_object_get(e, "day")), e);
    int64_t d0 = dt_days_from_civil(year, 1, 1), d1 = dt_days_from_civil(year + 1, 1, 1);
    for (size_t n = 0; n < k->cal.nexc; n++) {
        const struct cal_exception *x = &k->cal.exc[n];
        if (x->day < d0 || x->day >= d1)
            continue;
        int y, m, d;
        dt_civil_from_days(x->day, &y, &m, &d);
        char ds[11];
        snprintf(ds, sizeof ds, "%04d-%02d-%02d", y, m, d);
        json_t *o = json_pack("{s:s, s:s, s:i}", "day", ds, "kind", kind_name(x->kind), "month", m);
        json_t *mine = json_object_get(own, ds), *nm = json_object_get(names, ds);
        if (mine) {
            json_object_set(o, "source", json_object_get(mine, "source"));
            if (json_object_get(mine, "hours"))
                json_object_set(o, "hours", json_object_get(mine, "hours"));
        } else if (nm) {
            json_object_set(o, "source", json_object_get(nm, "source"));
        }
        if (nm) {
            json_object_set(o, "name_zh", json_object_get(nm, "zh"));
            json_object_set(o, "name_en", json_object_get(nm, "en"));
        }
        json_array_append_new(out, o);
    }
    json_decref(own);
    json_decref(names);
    return 0;
}

static int year_known(db_conn *c, int year, int *known)
{
    char lo[24], hi[24];
    snprintf(lo, sizeof lo, "%04d-01-01", year);
    snprintf(hi, sizeof hi, "%04d-01-01", year + 1);
    db_stmt *st = db_prepare(c, "SELECT COUNT(*) FROM holidays WHERE region = 'cn' AND day >= ? AND day < ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, lo);
    db_bind_text(st, 2, hi);
    int rc = db_step(st);
    *known = rc == DB_ROW && db_int(st, 0) > 0;
    db_done(st);
    return rc == DB_ROW ? 0 : rc < 0 ? rc : DB_ERROR;
}

int cpl_holiday_warnings(db_conn *c, const struct cpl_cal *k, json_t *warnings)
{
    json_t *h = json_object_get(k->row, "holidays");
    if (!json_is_string(h))
        return 0;
    int y, m, d, hh, mm, ss, known = 0;
    dt_local_parts(k->cal.zone, now_unix(), &y, &m, &d, &hh, &mm, &ss);
    int rc = year_known(c, y, &known);
    if (rc < 0)
        return rc;
    if (!known)
        json_array_append_new(
            warnings, json_pack("{s:s, s:i, s:s}", "code", "holidays_missing", "year", y, "message",
                                "this year's official holiday schedule is not loaded: import it"
                                " (aftersales import holidays FILE.csv); days are not guessed"));
    if (m == 12) {
        char msg[200];
        snprintf(msg, sizeof msg,
                 "the official holiday schedule of %d is not loaded yet: import it when the State"
                 " Council publishes it (aftersales import holidays FILE.csv); days are not guessed",
                 y + 1);
        if ((rc = year_known(c, y + 1, &known)) < 0)
            return rc;
        if (!known)
            json_array_append_new(
                warnings,
                json_pack("{s:s, s:i, s:s}", "code", "next_year_missing", "year", y + 1, "message",
                          msg));
    }
    return 0;
}
