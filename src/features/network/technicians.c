/* technicians: technician records and their HTTP handlers (create, update, get, list). */
#include "features/network/internal.h"

#include "base/audit.h"
#include "base/log.h"

#include <stdlib.h>
#include <string.h>

static json_t *technician_json(db_conn *c, int64_t id, int *err)
{
    *err = 0;
    char day[11];
    net_today(day);
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

int64_t net_technician_visible(req *r, const char *code, int64_t *version)
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
    if (id && net_is_outlet_staff(r) && outlet != r->who.outlet_id)
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
    if (net_body_str(r->a, body, fields, "name", 100, &t->name) && !t->name)
        json_object_set_new(fields, "name", json_string("must not be empty"));
    if (creating && !t->name && !json_object_get(fields, "name"))
        json_object_set_new(fields, "name", json_string("required"));
    net_body_str(r->a, body, fields, "phone", 40, &t->phone);
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
                if (!net_valid_token(json_string_value(json_object_get(x, "product_line")), 32) ||
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
                    (is && !json_is_null(is) && !net_valid_date(json_string_value(is))) ||
                    (ex && !json_is_null(ex) && !net_valid_date(json_string_value(ex))))
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

int net_technicians_create(req *r)
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
    if (net_is_outlet_staff(r) && !outlet) {
        t.outlet_id = r->who.outlet_id;
    } else if (!outlet) {
        json_object_set_new(fields, "outlet", json_string("required"));
    } else {
        int64_t oid = net_outlet_visible(r, outlet, NULL);
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
    if (net_next_code(c, "technician", "T", code, sizeof code) < 0)
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

int net_technicians_update(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    db_conn *c = req_db(r);
    json_t *fields = json_object();
    int rc = 0;
    int64_t version = 0;
    int64_t id = net_technician_visible(r, req_param(r, "code"), &version);
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

int net_technicians_get(req *r)
{
    int64_t id = net_technician_visible(r, req_param(r, "code"), NULL);
    if (id < 0)
        return -1;
    if (id == 0)
        return reply_error(r, 404, "not_found", "no such technician", NULL);
    int err;
    json_t *j = technician_json(req_db(r), id, &err);
    return j ? reply_json(r, 200, j) : -1;
}

int net_technicians_list(req *r)
{
    db_conn *c = req_db(r);
    const char *outlet = req_query(r, "outlet"), *cursor = req_query(r, "cursor");
    const char *line = req_query(r, "product_line"), *lim = req_query(r, "limit");
    long limit = lim ? strtol(lim, NULL, 10) : 50;
    if (limit < 1 || limit > MAX_LIST)
        return net_bad_param(r, "limit", "limit is 1 to 500");
    int64_t oid = 0;
    if (outlet) {
        oid = net_outlet_visible(r, outlet, NULL);
        if (oid < 0)
            return -1;
        if (oid == 0) /* nothing to list at an unknown (or invisible) outlet */
            return reply_json(r, 200, json_pack("{s:[], s:n}", "items", "next_cursor"));
    }
    if (net_is_outlet_staff(r))
        oid = r->who.outlet_id;
    db_stmt *st = db_prepare(
        c, "SELECT t.code, t.name, t.phone, t.active, t.version, o.code FROM technicians t"
           " JOIN outlets o ON o.id = t.outlet_id WHERE"
           " (CAST(? AS BIGINT) IS NULL OR t.outlet_id = ?)"
           " AND (CAST(? AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM technician_skills s"
           "      WHERE s.technician_id = t.id AND s.line_code = ?))"
           " AND (CAST(? AS TEXT) IS NULL OR t.code > ?) ORDER BY t.code LIMIT ?");
    if (!st)
        return net_json_fail_db(r, c, "technicians");
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
        return net_json_fail_db(r, c, "technicians");
    }
    return reply_json(r, 200, json_pack("{s:o, s:s?}", "items", items, "next_cursor",
                                        more ? last : NULL));
}
