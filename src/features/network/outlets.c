/* outlets: outlet records: defaults, validation, storage, JSON and confinement to one's own
 * outlet. */
#include "features/network/internal.h"

#include "base/arena.h"
#include "rules/routing.h"

#include <stdlib.h>
#include <string.h>

void net_outlet_defaults(struct outlet_in *o)
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
int net_outlet_validate(db_conn *c, const struct outlet_in *o, json_t *fields)
{
#define FAIL(f, why)                                                                           \
    do {                                                                                       \
        if (!json_object_get(fields, f))                                                       \
            json_object_set_new(fields, f, json_string(why));                                  \
    } while (0)
    if (!o->code || !*o->code)
        FAIL("code", "required");
    else if (!net_valid_token(o->code, 16))
        FAIL("code", "1 to 16 letters, digits, - or _");
    if (!o->name || !*o->name)
        FAIL("name", "required");
    else if (strlen(o->name) > 200)
        FAIL("name", "too long");
    if (!net_is_outlet_type(o->type))
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
    else if (net_region_lookup(c, o->region, &ri) < 0)
        return -1;
    else if (ri.level != 3)
        FAIL("region", ri.level ? "must be a county-level region code"
                                : "unknown region code (six-digit GB/T 2260)");
    for (size_t i = 0; i < o->ncovers; i++) {
        if (net_region_lookup(c, o->covers[i], &ri) < 0)
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
        if (!net_valid_token(o->lines[i], 32)) {
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
        if (dates[i][1] && !net_valid_date(dates[i][1]))
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
        else if (!net_valid_hhmm(h->opens) || !net_valid_hhmm(h->closes))
            FAIL("hours", "opens and closes are HH:MM");
        else if (strcmp(h->opens, h->closes) >= 0)
            FAIL("hours", "opens must be before closes");
        for (int k = 0; k < i; k++)
            if (o->hours[k].weekday == h->weekday)
                FAIL("hours", "a weekday is listed twice");
    }
    for (size_t i = 0; i < o->nexc; i++) {
        const struct exc_row *e = &o->exc[i];
        if (!net_valid_date(e->day))
            FAIL("hours_exceptions", "day is a date YYYY-MM-DD");
        else if ((e->opens == NULL) != (e->closes == NULL))
            FAIL("hours_exceptions", "give both opens and closes, or neither for a closed day");
        else if (e->opens && (!net_valid_hhmm(e->opens) || !net_valid_hhmm(e->closes) ||
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
int64_t net_outlet_store(db_conn *c, int64_t id, const struct outlet_in *o)
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
json_t *net_outlet_json(db_conn *c, int64_t id, int *err)
{
    *err = 0;
    char day[11];
    net_today(day);
    db_stmt *st = db_prepare(
        c, "SELECT o.code, o.name, o.type, o.grade, o.region, o.address, o.phone, o.capacity,"
           " o.active, o.suspended_from, o.suspended_until, o.contract_start, o.contract_end,"
           " o.note, o.version, o.created_at, o.updated_at, g.full_name, " OUTLET_ACTIVE_SQL
           " FROM outlets o LEFT JOIN regions g ON g.code = o.region WHERE o.id = ?");
    if (!st) {
        *err = -1;
        return NULL;
    }
    net_bind_day4(st, 1, day);
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
int64_t net_outlet_visible(req *r, const char *code, int64_t *version)
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
    if (id && net_is_outlet_staff(r) && id != r->who.outlet_id)
        return 0;
    return id;
}

/* Load the stored outlet into o (strings in arena a). 0 or -1. */
int net_outlet_load(db_conn *c, arena *a, int64_t id, struct outlet_in *o)
{
    int err;
    json_t *j = net_outlet_json(c, id, &err);
    if (!j)
        return -1;
    net_outlet_defaults(o);
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
