/* hotlines: the hotlines with their number, product lines and opening hours (a calendar
 * of complaints' calendars): GET /api/v1/hotlines and PUT /api/v1/hotlines/:code. */
#include "features/contacts/internal.h"

#include "base/arena.h"
#include "base/audit.h"
#include "base/jsonv.h"
#include "features/complaints/complaints.h"

#include <limits.h>
#include <string.h>

static int hotline_json(db_conn *c, int64_t id, json_t **out)
{
    db_stmt *st = db_prepare(c, "SELECT code, number, name, calendar, active, version, updated_at"
                                " FROM hotlines WHERE id = ?");
    if (!st)
        return -1;
    db_bind_int(st, 1, id);
    if (db_step(st) != DB_ROW) {
        db_done(st);
        return -1;
    }
    *out = json_pack("{s:s, s:s, s:s, s:s, s:b, s:I, s:o}", "code", db_text(st, 0), "number",
                     db_text(st, 1), "name", db_text(st, 2), "calendar", db_text(st, 3), "active",
                     (int)db_int(st, 4), "version", (json_int_t)db_int(st, 5), "updated_at",
                     dt_json(db_int(st, 6)));
    db_done(st);
    json_t *lines = json_array();
    st = db_prepare(c, "SELECT p.code FROM hotline_lines l JOIN product_lines p ON p.id ="
                       " l.product_line_id WHERE l.hotline_id = ? ORDER BY p.code");
    if (st) {
        db_bind_int(st, 1, id);
        while (db_step(st) == DB_ROW)
            json_array_append_new(lines, json_string(db_text(st, 0)));
        db_done(st);
    }
    json_object_set_new(*out, "product_lines", lines);
    int open = 1;
    const char *cal = json_string_value(json_object_get(*out, "calendar"));
    if (complaints_calendar_open(c, cal, now_unix(), &open) == 0)
        json_object_set_new(*out, "open_now", json_boolean(open));
    return 0;
}

static int page_fn(req *r, const struct page *p, json_t *items, const char **next)
{
    int64_t after = page_after_id(r, p);
    if (after < 0)
        return LIST_ANSWERED;
    db_stmt *st = db_prepare(req_db(r), "SELECT id FROM hotlines WHERE id > ? ORDER BY id LIMIT ?");
    if (!st)
        return -1;
    db_bind_int(st, 1, after);
    db_bind_int(st, 2, p->limit + 1);
    return list_ids_page(r, p, st, hotline_json, items, next);
}

static const struct table_col cols[] = {
    {"code", NULL, TABLE_TEXT, 10, 0},     {"number", NULL, TABLE_TEXT, 14, 0},
    {"name", NULL, TABLE_TEXT, 24, 0},     {"calendar", NULL, TABLE_TEXT, 12, 0},
    {"active", NULL, TABLE_TEXT, 6, 0},
};

static const struct list_spec spec = {
    "hotlines", cols, (int)(sizeof cols / sizeof *cols), 50, 200, 1, page_fn,
};

int ct_hotlines_list(req *r) { return list_reply(r, &spec); }

struct put {
    const char *code, *number, *name, *calendar, *actor;
    json_t *lines;
    int active;
    int64_t version, id;
    int conflict;
};

static int put_tx(db_conn *c, void *arg)
{
    struct put *a = arg;
    int64_t now = now_unix();
    int rc = lookup_id(c, "SELECT id FROM hotlines WHERE code = ?", a->code, &a->id);
    if (rc < 0)
        return rc;
    if (rc == 1) {
        db_stmt *st = db_prepare(c, "INSERT INTO hotlines (code, number, name, calendar, active, version,"
                                    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?) RETURNING id");
        if (!st)
            return DB_ERROR;
        db_bind_text(st, 1, a->code);
        db_bind_text(st, 2, a->number);
        db_bind_text(st, 3, a->name);
        db_bind_text(st, 4, a->calendar);
        db_bind_int(st, 5, a->active);
        db_bind_int(st, 6, now);
        db_bind_int(st, 7, now);
        rc = db_step(st);
        a->id = rc == DB_ROW ? db_int(st, 0) : 0;
        db_done(st);
        if (rc != DB_ROW)
            return rc < 0 ? rc : DB_ERROR;
    } else {
        int64_t n = db_exec(c, "UPDATE hotlines SET number = ?, name = ?, calendar = ?, active = ?,"
                               " version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
                            "tttiiii", a->number, a->name, a->calendar, (int64_t)a->active, now, a->id,
                            a->version);
        if (n < 0)
            return (int)n;
        if (n == 0) {
            a->conflict = 1;
            return 0;
        }
        if ((rc = (int)db_exec(c, "DELETE FROM hotline_lines WHERE hotline_id = ?", "i", a->id)) < 0)
            return rc;
    }
    for (size_t i = 0; i < json_array_size(a->lines); i++) {
        int64_t pl = 0;
        rc = lookup_id(c, "SELECT id FROM product_lines WHERE code = ?",
                       json_string_value(json_array_get(a->lines, i)), &pl);
        if (rc != 0)
            return rc < 0 ? rc : DB_EFK;
        if ((rc = (int)db_exec(c, "INSERT INTO hotline_lines (hotline_id, product_line_id) VALUES (?, ?)"
                                  " ON CONFLICT DO NOTHING", "ii", a->id, pl)) < 0)
            return rc;
    }
    return audit_write(c, a->actor, "put", "hotline", a->code, NULL);
}

int ct_hotline_put(req *r)
{
    json_t *b;
    if (req_json(r, &b) < 0)
        return 0;
    static const char *const allowed[] = {"number", "name", "calendar", "product_lines", "active",
                                          "version", NULL};
    jsonv v;
    jsonv_init(&v, b);
    jsonv_only(&v, allowed);
    struct put a = {.code = req_param(r, "code"), .actor = audit_actor(r), .active = 1};
    char key[32];
    const char *num = jsonv_str(&v, "number", 1, 40);
    ct_number_key(num, key);
    if (num && strlen(key) < 3)
        jsonv_fail(&v, "number", "must be a phone number");
    a.number = key;
    a.name = jsonv_str(&v, "name", 1, 100);
    a.calendar = jsonv_str(&v, "calendar", 0, 63);
    if (!a.calendar)
        a.calendar = "hotline";
    a.lines = jsonv_strs(&v, "product_lines", 0, 50, 32);
    jsonv_bool(&v, "active", 0, &a.active);
    long long ver = 0;
    jsonv_int_range(&v, "version", 0, 1, LLONG_MAX, &ver);
    a.version = ver;
    if (!code_ok(a.code, 32))
        jsonv_fail(&v, "code", "letters, digits and - _ . only");
    db_conn *c = req_db(r);
    int64_t cal = 0;
    if (jsonv_ok(&v) && lookup_id(c, "SELECT id FROM calendars WHERE name = ?", a.calendar, &cal) == 1)
        jsonv_fail(&v, "calendar", "no such calendar");
    if (!jsonv_ok(&v)) {
        json_decref(b);
        return reply_error(r, 422, "validation_failed", "the hotline is not valid", jsonv_take(&v));
    }
    int rc = in_tx(c, put_tx, &a);
    jsonv_free(&v);
    json_decref(b);
    if (rc == DB_EFK)
        return reply_error(r, 422, "validation_failed", "the hotline is not valid",
                           json_pack("{s:s}", "product_lines", "no such product line"));
    if (rc == DB_EUNIQUE)
        return reply_error(r, 409, "duplicate", "another hotline has this number", NULL);
    if (rc < 0)
        return reply_db_failure(r, rc, "hotline");
    if (a.conflict)
        return reply_error(r, 409, "stale_version", "the hotline was changed by someone else; reload it", NULL);
    json_t *j = NULL;
    if (hotline_json(c, a.id, &j) < 0)
        return -1;
    return reply_json(r, 200, j);
}
