/* calendars: business calendars in the database (weekly windows, the cn schedule, own
 * dated exceptions), loaded into rules/calendar form, and their routes:
 * GET /api/v1/calendars, GET and PUT /api/v1/calendars/:name. */
#include "features/complaints/internal.h"

#include "base/arena.h"
#include "base/audit.h"
#include "base/jsonv.h"

#include <stdlib.h>
#include <string.h>

const char *const cpl_weekdays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL};
static const char *const exc_kinds[] = {"holiday", "makeup_workday", "special_hours", NULL};

const char *cpl_windows_parse(arena *a, json_t *arr, struct cal_day *d)
{
    memset(d, 0, sizeof *d);
    if (!json_is_array(arr))
        return "must be a list of [\"HH:MM\",\"HH:MM\"] windows";
    size_t i;
    json_t *w;
    json_array_foreach(arr, i, w) {
        json_t *o = json_array_get(w, 0), *c = json_array_get(w, 1);
        if (!json_is_array(w) || json_array_size(w) != 2 || !json_is_string(o) || !json_is_string(c))
            return "each window must be [\"HH:MM\",\"HH:MM\"]";
        if (!a && (d->n >= CAL_MAX_WINDOWS ||
                   cal_day_add(d, json_string_value(o), json_string_value(c)) < 0))
            return "bad window"; /* stored data: no arena for the message */
        if (!a)
            continue;
        if (d->n >= CAL_MAX_WINDOWS)
            return arena_printf(a, "at most %d windows a day", CAL_MAX_WINDOWS);
        if (cal_day_add(d, json_string_value(o), json_string_value(c)) < 0)
            return arena_printf(a, "bad window %s-%s: times are HH:MM from 00:00 to 24:00 and differ",
                                json_string_value(o), json_string_value(c));
    }
    return NULL;
}

const char *cpl_weekly_parse(arena *a, json_t *weekly, struct cal_day week[7])
{
    if (!json_is_object(weekly))
        return "must be an object {\"mon\":[[\"09:00\",\"18:00\"]],...,\"sun\":[]}";
    const char *key;
    json_t *v;
    json_object_foreach(weekly, key, v) {
        int k = -1;
        for (int i = 0; cpl_weekdays[i]; i++)
            if (strcmp(key, cpl_weekdays[i]) == 0)
                k = i;
        if (k < 0)
            return a ? arena_printf(a, "unknown day %s (mon ... sun)", key) : "unknown day";
        const char *why = cpl_windows_parse(a, v, &week[k]);
        if (why)
            return a ? arena_printf(a, "%s: %s", key, why) : why;
    }
    return NULL;
}

static int by_day(const void *x, const void *y)
{
    int64_t a = ((const struct cal_exception *)x)->day, b = ((const struct cal_exception *)y)->day;
    return a < b ? -1 : a > b;
}

static int64_t day_num(const char *s)
{
    int y, m, d;
    return dt_parse_date(s, &y, &m, &d) < 0 ? -1 : dt_days_from_civil(y, m, d);
}

/* The official days (when holidays is "cn") and the calendar's own, own ones winning. */
static int load_exceptions(db_conn *c, struct cpl_cal *k, json_t *own, int cn)
{
    size_t cap = json_array_size(own) + 16, n = 0;
    struct cal_exception *e = malloc(cap * sizeof *e);
    if (!e)
        return DB_ERROR;
    size_t i;
    json_t *x;
    json_array_foreach(own, i, x) {
        const char *kind = json_string_value(json_object_get(x, "kind"));
        struct cal_exception ce = {.day = day_num(json_string_value(json_object_get(x, "day")))};
        ce.kind = strcmp(kind ? kind : "", "holiday") == 0          ? CAL_HOLIDAY
                  : strcmp(kind ? kind : "", "makeup_workday") == 0 ? CAL_MAKEUP
                                                                    : CAL_SPECIAL;
        if (ce.kind == CAL_SPECIAL && cpl_windows_parse(NULL, json_object_get(x, "hours"), &ce.hours))
            memset(&ce.hours, 0, sizeof ce.hours);
        e[n++] = ce;
    }
    size_t nown = n;
    qsort(e, nown, sizeof *e, by_day);
    if (cn) {
        db_stmt *st = db_prepare(c, "SELECT day, kind FROM holidays WHERE region = 'cn' ORDER BY day");
        if (!st) {
            free(e);
            return DB_ERROR;
        }
        int rc;
        while ((rc = db_step(st)) == DB_ROW) {
            struct cal_exception ce = {.day = day_num(db_text(st, 0)),
                                       .kind = strcmp(db_text(st, 1), "holiday") == 0 ? CAL_HOLIDAY : CAL_MAKEUP};
            struct calendar probe = {.exc = e, .nexc = nown};
            if (cal_exception_of(&probe, ce.day))
                continue; /* the calendar's own exception wins */
            if (n == cap) {
                cap *= 2;
                struct cal_exception *g = realloc(e, cap * sizeof *e);
                if (!g) {
                    rc = DB_ERROR;
                    break;
                }
                e = g;
            }
            e[n++] = ce;
        }
        db_done(st);
        if (rc < 0) {
            free(e);
            return rc;
        }
        qsort(e, n, sizeof *e, by_day);
    }
    k->exc = e;
    k->cal.exc = e;
    k->cal.nexc = n;
    return 0;
}

void cpl_cal_free(struct cpl_cal *k)
{
    free(k->exc);
    json_decref(k->row);
    memset(k, 0, sizeof *k);
}

int cpl_cal_load(db_conn *c, const char *name, struct cpl_cal *k)
{
    memset(k, 0, sizeof *k);
    db_stmt *st = db_prepare(c, "SELECT id, name, zone, weekly, holidays, exceptions, version,"
                                " updated_at FROM calendars WHERE name = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, name);
    int rc = db_step(st);
    if (rc != DB_ROW) {
        db_done(st);
        return rc == DB_DONE ? 1 : rc;
    }
    k->id = db_int(st, 0);
    k->version = db_int(st, 6);
    k->updated_at = db_int(st, 7);
    json_t *weekly = json_loads(db_text(st, 3), 0, NULL), *exc = json_loads(db_text(st, 5), 0, NULL);
    k->row = json_pack("{s:s, s:s, s:o, s:s?, s:o, s:I, s:o, s:b}", "name", db_text(st, 1), "zone",
                       db_text(st, 2), "weekly", weekly ? weekly : json_object(), "holidays",
                       db_isnull(st, 4) ? NULL : db_text(st, 4), "exceptions",
                       exc ? exc : json_array(), "version", (json_int_t)k->version, "updated_at",
                       dt_json(k->updated_at), "builtin", strcmp(name, "always") == 0);
    k->cal.zone = dt_zone_get(db_text(st, 2));
    int cn = !db_isnull(st, 4);
    db_done(st);
    if (!k->cal.zone || cpl_weekly_parse(NULL, json_object_get(k->row, "weekly"), k->cal.week)) {
        cpl_cal_free(k);
        return -2;
    }
    cal_set_standard(&k->cal);
    if ((rc = load_exceptions(c, k, json_object_get(k->row, "exceptions"), cn)) < 0)
        cpl_cal_free(k);
    return rc;
}

int complaints_calendar_open(db_conn *c, const char *name, int64_t t, int *open)
{
    struct cpl_cal k;
    int rc = cpl_cal_load(c, name, &k);
    if (rc != 0)
        return rc == -2 ? DB_ERROR : rc;
    int64_t next = 0;
    *open = cal_next_open(&k.cal, t, &next) == 0 && next == t;
    cpl_cal_free(&k);
    return 0;
}

/* ---------------------------------------------------------------- routes */

/* One calendar by id as the list shows it. */
static int calendar_item(db_conn *c, int64_t id, json_t **out)
{
    db_stmt *st = db_prepare(c, "SELECT name FROM calendars WHERE id = ?");
    if (!st)
        return -1;
    db_bind_int(st, 1, id);
    char name[64] = "";
    if (db_step(st) == DB_ROW)
        snprintf(name, sizeof name, "%s", db_text(st, 0));
    db_done(st);
    struct cpl_cal k;
    if (!*name || cpl_cal_load(c, name, &k) != 0)
        return -1;
    *out = json_incref(k.row);
    cpl_cal_free(&k);
    return 0;
}

static int calendars_page(req *r, const struct page *p, json_t *items, const char **next)
{
    int64_t after = page_after_id(r, p);
    if (after < 0)
        return LIST_ANSWERED;
    db_stmt *st = db_prepare(req_db(r), "SELECT id FROM calendars WHERE id > ? ORDER BY id LIMIT ?");
    if (!st)
        return -1;
    db_bind_int(st, 1, after);
    db_bind_int(st, 2, p->limit + 1);
    return list_ids_page(r, p, st, calendar_item, items, next);
}

static const struct table_col calendar_cols[] = {
    {"name", NULL, TABLE_TEXT, 14, 0},
    {"zone", NULL, TABLE_TEXT, 16, 0},
    {"holidays", NULL, TABLE_TEXT, 9, 0},
    {"version", NULL, TABLE_INT, 8, 0},
    {"updated_at", NULL, TABLE_TIME, 17, 0},
};

static const struct list_spec calendar_spec = {
    "calendars", calendar_cols, (int)(sizeof calendar_cols / sizeof *calendar_cols), 100, 500, 1,
    calendars_page,
};

int cpl_calendars_list(req *r)
{
    return list_reply(r, &calendar_spec);
}

int cpl_calendar_get(req *r)
{
    db_conn *c = req_db(r);
    const char *ys = req_query(r, "year");
    long year = 0;
    if (ys) {
        char *end;
        year = strtol(ys, &end, 10);
        if (!*ys || *end || year < 1970 || year > 9998)
            return reply_bad_param(r, "year", "a year YYYY from 1970 to 9998");
    }
    if (complaints_holidays_ensure(c) < 0)
        return reply_error(r, 503, "holidays_unavailable",
                           "the official holiday schedule could not be loaded", NULL);
    struct cpl_cal k;
    int rc = cpl_cal_load(c, req_param(r, "name"), &k);
    if (rc == 1)
        return reply_not_found(r, "calendar");
    if (rc < 0)
        return reply_db_failure(r, rc, "load calendar");
    json_t *out = json_deep_copy(k.row), *warnings = json_array();
    if (year) {
        json_t *days = json_array();
        rc = cpl_holidays_list(c, &k, (int)year, k.cal.zone, days);
        json_object_set_new(out, "year", json_integer(year));
        json_object_set_new(out, "days", days);
    }
    if (rc >= 0)
        rc = cpl_holiday_warnings(c, &k, warnings);
    json_object_set_new(out, "warnings", warnings);
    cpl_cal_free(&k);
    if (rc < 0) {
        json_decref(out);
        return reply_db_failure(r, rc, "calendar holidays");
    }
    return reply_json(r, 200, out);
}

/* A name for a calendar: 1-40 of a-z, 0-9, '-', '_'. */
static int name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 40)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
            return 0;
    return 1;
}

/* The exceptions list, checked and normalised (a copy). */
static json_t *read_exceptions(req *r, jsonv *v)
{
    json_t *in = json_object_get(v->body, "exceptions");
    if (!in || json_is_null(in))
        return json_array();
    if (!json_is_array(in) || json_array_size(in) > 2000) {
        jsonv_fail(v, "exceptions", "must be a list of at most 2000 {day, kind, hours, source}");
        return NULL;
    }
    json_t *out = json_array(), *seen = json_object();
    size_t i;
    json_t *e;
    json_array_foreach(in, i, e) {
        const char *why = NULL;
        json_t *day = json_object_get(e, "day"), *kind = json_object_get(e, "kind");
        json_t *hours = json_object_get(e, "hours"), *src = json_object_get(e, "source");
        int k = -1;
        for (int j = 0; json_is_string(kind) && exc_kinds[j]; j++)
            if (strcmp(json_string_value(kind), exc_kinds[j]) == 0)
                k = j;
        struct cal_day d;
        const char *key;
        json_t *val;
        if (!json_is_object(e))
            why = "must be an object {day, kind, hours, source}";
        else if (!json_is_string(day) || !dt_is_date(json_string_value(day)))
            why = "day: must be a date YYYY-MM-DD";
        else if (k < 0)
            why = "kind: must be one of holiday, makeup_workday, special_hours";
        else if (json_object_get(seen, json_string_value(day)))
            why = "day: listed twice";
        else if (k == 2 && (why = cpl_windows_parse(r->a, hours, &d)) != NULL)
            why = arena_printf(r->a, "hours: %s", why);
        else if (k != 2 && hours && !json_is_null(hours))
            why = "hours: only for special_hours";
        else if (src && !json_is_null(src) && (!json_is_string(src) || strlen(json_string_value(src)) > 200))
            why = "source: must be a string of at most 200 bytes";
        json_object_foreach(e, key, val) if (!why && strcmp(key, "day") && strcmp(key, "kind") &&
                                             strcmp(key, "hours") && strcmp(key, "source"))
            why = arena_printf(r->a, "unknown field %s", key);
        if (why) {
            jsonv_fail(v, "exceptions", arena_printf(r->a, "item %zu: %s", i, why));
            json_decref(out);
            json_decref(seen);
            return NULL;
        }
        json_object_set_new(seen, json_string_value(day), json_true());
        json_t *o = json_pack("{s:O, s:O, s:s}", "day", day, "kind", kind, "source",
                              json_is_string(src) ? json_string_value(src) : "manual");
        if (k == 2)
            json_object_set(o, "hours", hours);
        json_array_append_new(out, o);
    }
    json_decref(seen);
    return out;
}

int cpl_calendar_put(req *r)
{
    const char *name = req_param(r, "name");
    if (strcmp(name, "always") == 0)
        return reply_error(r, 409, "read_only", "the calendar always is built in and cannot be changed",
                           NULL);
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv v;
    jsonv_init(&v, body);
    static const char *const allowed[] = {"zone", "weekly", "holidays", "exceptions", "version", NULL};
    static const char *const sources[] = {"cn", NULL};
    jsonv_only(&v, allowed);
    if (!json_is_object(body))
        jsonv_fail(&v, "body", "must be an object");
    if (!name_ok(name))
        jsonv_fail(&v, "name", "1-40 of a-z, 0-9, - and _");
    const char *zone = jsonv_str(&v, "zone", 1, 63);
    if (zone && (!dt_zone_name_ok(zone) || !dt_zone_get(zone)))
        jsonv_fail(&v, "zone", "unknown time zone");
    struct cal_day week[7] = {{0}};
    json_t *weekly = json_object_get(body, "weekly");
    const char *why = weekly ? cpl_weekly_parse(r->a, weekly, week) : "required";
    if (why)
        jsonv_fail(&v, "weekly", why);
    const char *holidays = jsonv_enum(&v, "holidays", 0, sources);
    long long version = 0;
    int has_version = jsonv_int(&v, "version", 0, &version);
    json_t *exc = read_exceptions(r, &v);
    int rc;
    if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed", "the calendar is not valid", jsonv_take(&v));
        goto out;
    }
    /* store the weekly object with all seven days, in order */
    json_t *wk = json_object();
    for (int i = 0; cpl_weekdays[i]; i++) {
        json_t *d = json_object_get(weekly, cpl_weekdays[i]);
        json_object_set(wk, cpl_weekdays[i], d ? d : json_array());
    }
    char *wtext = json_dumps(wk, JSON_COMPACT), *etext = json_dumps(exc, JSON_COMPACT);
    json_decref(wk);
    db_conn *c = req_db(r);
    int64_t now = now_unix();
    rc = -1;
    if (db_begin(c) < 0)
        goto freed;
    struct cpl_cal cur;
    int k = cpl_cal_load(c, name, &cur);
    int64_t e;
    if (k < 0 && k != -2)
        goto rollback;
    if (k == 0 && has_version && version != cur.version) {
        cpl_cal_free(&cur);
        db_rollback(c);
        rc = reply_error(r, 409, "stale_version", "the calendar was changed by someone else; reload it", NULL);
        goto freed;
    }
    if (k == 0)
        cpl_cal_free(&cur);
    if (k == 1)
        e = db_exec(c, "INSERT INTO calendars (name, zone, weekly, holidays, exceptions, version, updated_at)"
                       " VALUES (?, ?, ?, ?, ?, 1, ?)",
                    "ttttti", name, zone, wtext, holidays, etext, now);
    else
        e = db_exec(c, "UPDATE calendars SET zone = ?, weekly = ?, holidays = ?, exceptions = ?,"
                       " version = version + 1, updated_at = ? WHERE name = ?",
                    "ttttit", zone, wtext, holidays, etext, now, name);
    json_t *detail = json_pack("{s:s, s:O, s:s?, s:O}", "zone", zone, "weekly", weekly, "holidays",
                               holidays, "exceptions", exc);
    int a = e < 0 ? 0 : audit_write(c, audit_actor(r), k == 1 ? "create" : "update", "calendar", name, detail);
    json_decref(detail);
    if (e < 0 || a < 0 || cpl_recompute_open(c) < 0 || cpl_cal_load(c, name, &cur) != 0)
        goto rollback;
    if (db_commit(c) < 0) {
        cpl_cal_free(&cur);
        goto freed;
    }
    rc = reply_json(r, k == 1 ? 201 : 200, json_incref(cur.row));
    cpl_cal_free(&cur);
    goto freed;
rollback:
    db_rollback(c);
    rc = reply_db_failure(r, DB_ERROR, "save calendar");
freed:
    free(wtext);
    free(etext);
out:
    json_decref(exc);
    jsonv_free(&v);
    json_decref(body);
    return rc;
}
