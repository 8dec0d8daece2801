/* outlets_routes: the outlet HTTP handlers: body parsing, create, update, get and list. */
#include "features/network/internal.h"

#include "base/arena.h"
#include "base/audit.h"
#include "base/buf.h"
#include "rules/routing.h"

#include <stdlib.h>
#include <string.h>

/* A nullable string field of a JSON body: 1 when the key is present (out: the copy or
 * NULL for null/""), 0 when absent; records a field error for another type. */
int net_body_str(arena *a, json_t *body, json_t *fields, const char *k, size_t max,
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
        net_body_str(a, body, fields, "code", 16, &o->code);
    net_body_str(a, body, fields, "name", 200, &o->name);
    const char *type = NULL;
    if (net_body_str(a, body, fields, "type", 32, &type))
        o->type = type;
    net_body_str(a, body, fields, "grade", 2, &o->grade);
    net_body_str(a, body, fields, "region", 6, &o->region);
    net_body_str(a, body, fields, "address", 500, &o->address);
    net_body_str(a, body, fields, "phone", 40, &o->phone);
    net_body_str(a, body, fields, "note", 2000, &o->note);
    net_body_str(a, body, fields, "suspended_from", 10, &o->suspended_from);
    net_body_str(a, body, fields, "suspended_until", 10, &o->suspended_until);
    net_body_str(a, body, fields, "contract_start", 10, &o->contract_start);
    net_body_str(a, body, fields, "contract_end", 10, &o->contract_end);
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
    json_t *j = net_outlet_json(req_db(r), id, &err);
    if (!j)
        return -1;
    return reply_json(r, status, j);
}

int net_outlets_create(req *r)
{
    if (net_need_regions(r) < 0)
        return 0;
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    db_conn *c = req_db(r);
    json_t *fields = json_object();
    struct outlet_in o;
    net_outlet_defaults(&o);
    outlet_from_body(r->a, body, fields, &o, 1);
    json_object_del(fields, "version");
    int rc = 0;
    if (net_outlet_validate(c, &o, fields) < 0) {
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
    int64_t id = net_outlet_store(c, 0, &o);
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

int net_outlets_update(req *r)
{
    if (net_need_regions(r) < 0)
        return 0;
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    db_conn *c = req_db(r);
    json_t *fields = json_object();
    int rc = 0;
    int64_t version = 0;
    int64_t id = net_outlet_visible(r, req_param(r, "code"), &version);
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
    if (net_outlet_load(c, r->a, id, &o) < 0) {
        rc = -1;
        goto cleanup;
    }
    outlet_from_body(r->a, body, fields, &o, 0);
    if (net_outlet_validate(c, &o, fields) < 0) {
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
    if (net_outlet_store(c, id, &o) < 0 ||
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

int net_outlets_get(req *r)
{
    int64_t id = net_outlet_visible(r, req_param(r, "code"), NULL);
    if (id < 0)
        return -1;
    if (id == 0)
        return reply_error(r, 404, "not_found", "no such outlet", NULL);
    return outlet_reply(r, 200, id);
}

int net_outlets_list(req *r)
{
    db_conn *c = req_db(r);
    const char *q = req_query(r, "q"), *type = req_query(r, "type");
    const char *region = req_query(r, "region"), *line = req_query(r, "product_line");
    const char *active = req_query(r, "active"), *cursor = req_query(r, "cursor");
    const char *lim = req_query(r, "limit");
    long limit = lim ? strtol(lim, NULL, 10) : 50;
    if (limit < 1 || limit > MAX_LIST)
        return net_bad_param(r, "limit", "limit is 1 to 500");
    if (type && !net_is_outlet_type(type))
        return net_bad_param(r, "type", "unknown outlet type");
    if (region && !region_code_valid(region))
        return net_bad_param(r, "region", "region is a six-digit region code");
    if (active && strcmp(active, "true") && strcmp(active, "false"))
        return net_bad_param(r, "active", "active is true or false");
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
    net_today(day);
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
        return net_json_fail_db(r, c, "outlets");
    net_bind_day4(st, 1, day);
    if (net_is_outlet_staff(r)) {
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
        return net_json_fail_db(r, c, "outlets");
    }
    return reply_json(r, 200, json_pack("{s:o, s:s?}", "items", items, "next_cursor",
                                        more ? last : NULL));
}
