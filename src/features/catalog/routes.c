/* catalog: the product lines and models of M2 over HTTP (lists, lookups, creation,
 * updates, the portal's model picker) and the catalog's route table. */
#include "base/audit.h"
#include "base/jsonv.h"
#include "features/catalog/internal.h"

#include <stdlib.h>

/* ---------------------------------------------------------------- product lines */

static int lines_list(req *r)
{
    db_conn *c = req_db(r);
    db_stmt *st = db_prepare(c, "SELECT code, name, name_en FROM product_lines ORDER BY code");
    if (!st)
        return -1;
    json_t *items = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(items, cat_line_json(st, 0));
    db_done(st);
    if (rc < 0) {
        json_decref(items);
        return -1;
    }
    return reply_json(r, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

static int lines_create(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    static const char *const allowed[] = {"code", "name", "name_en", NULL};
    jsonv v;
    jsonv_init(&v, body);
    jsonv_only(&v, allowed);
    const char *code = jsonv_str(&v, "code", 1, 32);
    const char *name = jsonv_str(&v, "name", 1, 100);
    const char *name_en = jsonv_str(&v, "name_en", 0, 100);
    if (code && !cat_code_ok(code, 32))
        jsonv_fail(&v, "code", "1-32 letters, digits or - _ . /");
    int rc = 0;
    db_conn *c = req_db(r);
    if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed", "the product line is not valid", jsonv_take(&v));
        goto cleanup;
    }
    if (db_begin(c) < 0) {
        rc = -1;
        goto cleanup;
    }
    int64_t e = db_exec(c, "INSERT INTO product_lines (code, name, name_en, created_at) VALUES (?, ?, ?, ?)",
                        "ttti", code, name, name_en, now_unix());
    if (e == DB_EUNIQUE) {
        db_rollback(c);
        rc = reply_error(r, 409, "duplicate", "a product line with this code exists", NULL);
        goto cleanup;
    }
    json_t *detail = json_pack("{s:s, s:s}", "code", code, "name", name);
    if (e < 0 || audit_write(c, audit_actor(r), "create", "product_line", code, detail) < 0 ||
        db_commit(c) < 0) {
        json_decref(detail);
        db_rollback(c);
        rc = -1;
        goto cleanup;
    }
    json_decref(detail);
    rc = reply_json(r, 201, json_pack("{s:s, s:s, s:s?}", "code", code, "name", name, "name_en", name_en));
cleanup:
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

/* ---------------------------------------------------------------- models */

#define MODEL_COLS                                                                              \
    "m.code, m.name, p.code, p.name, p.name_en, m.warranty_months, m.launched_on, m.version"

static json_t *model_json(db_stmt *st)
{
    return json_pack("{s:s, s:s, s:o, s:I, s:s?, s:I}", "code", db_text(st, 0), "name",
                     db_text(st, 1), "product_line", cat_line_json(st, 2), "warranty_months",
                     (json_int_t)db_int(st, 5), "launched_on", db_text(st, 6), "version",
                     (json_int_t)db_int(st, 7));
}

static int model_load(db_conn *c, const char *code, json_t **out)
{
    db_stmt *st = db_prepare(c, "SELECT " MODEL_COLS " FROM models m JOIN product_lines p"
                                " ON p.id = m.product_line_id WHERE m.code = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, code);
    int rc = db_step(st);
    if (rc == DB_ROW)
        *out = model_json(st);
    db_done(st);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? 1 : rc;
}

static int models_list(req *r)
{
    const char *line = req_query(r, "product_line");
    const char *q = req_query(r, "q");
    const char *cursor = req_query(r, "cursor");
    const char *lim = req_query(r, "limit");
    long limit = lim ? strtol(lim, NULL, 10) : 100;
    if (limit < 1 || limit > 500)
        return reply_error(r, 422, "validation_failed", "limit must be 1-500",
                           json_pack("{s:s}", "limit", "must be 1-500"));
    if (line && !*line)
        line = NULL;
    char *like = q && *q ? arena_printf(r->a, "%%%s%%", q) : NULL;
    db_conn *c = req_db(r);
    db_stmt *st = db_prepare(
        c, "SELECT " MODEL_COLS " FROM models m JOIN product_lines p ON p.id = m.product_line_id"
           " WHERE (CAST(? AS TEXT) IS NULL OR p.code = ?)"
           " AND (CAST(? AS TEXT) IS NULL OR m.code > ?)"
           " AND (CAST(? AS TEXT) IS NULL OR m.code LIKE ? OR m.name LIKE ?)"
           " ORDER BY m.code LIMIT ?");
    if (!st)
        return -1;
    db_bind_text(st, 1, line);
    db_bind_text(st, 2, line);
    db_bind_text(st, 3, cursor);
    db_bind_text(st, 4, cursor);
    db_bind_text(st, 5, like);
    db_bind_text(st, 6, like);
    db_bind_text(st, 7, like);
    db_bind_int(st, 8, limit + 1);
    json_t *items = json_array();
    int rc, n = 0;
    char *last = NULL;
    int more = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        if (n == limit) {
            more = 1;
            break;
        }
        json_array_append_new(items, model_json(st));
        last = arena_strdup(r->a, db_text(st, 0));
        n++;
    }
    db_done(st);
    if (rc < 0) {
        json_decref(items);
        return -1;
    }
    return reply_json(r, 200, json_pack("{s:o, s:s?}", "items", items, "next_cursor", more ? last : NULL));
}

static int models_get(req *r)
{
    json_t *m = NULL;
    char *code = cat_upper_dup(r->a, req_param(r, "code"));
    int rc = model_load(req_db(r), code, &m);
    if (rc < 0)
        return -1;
    if (rc == 1)
        return reply_error(r, 404, "not_found", "no such model", NULL);
    return reply_json(r, 200, m);
}

/* Create (code == NULL: from the body) or update a model from a JSON body. */
static int models_write(req *r, const char *path_code)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    static const char *const allowed_new[] = {"code", "name", "product_line", "warranty_months",
                                              "launched_on", NULL};
    static const char *const allowed_upd[] = {"name", "product_line", "warranty_months",
                                              "launched_on", "version", NULL};
    int creating = path_code == NULL;
    jsonv v;
    jsonv_init(&v, body);
    jsonv_only(&v, creating ? allowed_new : allowed_upd);
    const char *code = creating ? jsonv_str(&v, "code", 1, 40) : path_code;
    const char *name = jsonv_str(&v, "name", creating, 200);
    const char *line = jsonv_str(&v, "product_line", creating, 32);
    long long months = 0, version = 0;
    int has_months = jsonv_int(&v, "warranty_months", creating, &months);
    int has_launch = json_object_get(body, "launched_on") != NULL;
    const char *launch = jsonv_str(&v, "launched_on", 0, 10);
    if (!creating)
        jsonv_int(&v, "version", 1, &version);
    const char *why;
    if (creating && code && (why = cat_model_code_reason(code)))
        jsonv_fail(&v, "code", why);
    if (has_months && (why = cat_model_months_reason(months)))
        jsonv_fail(&v, "warranty_months", why);
    if (launch && (why = cat_model_launch_reason(launch)))
        jsonv_fail(&v, "launched_on", why);
    int rc = 0;
    int64_t lid = 0;
    db_conn *c = req_db(r);
    json_t *m = NULL;
    if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed", "the model is not valid", jsonv_take(&v));
        goto cleanup;
    }
    char *ucode = cat_upper_dup(r->a, code);
    if (db_begin(c) < 0) {
        rc = -1;
        goto cleanup;
    }
    if (line) {
        int l = cat_line_id(c, line, &lid);
        if (l < 0)
            goto fail;
        if (l == 1) {
            db_rollback(c);
            rc = reply_error(r, 422, "validation_failed", "unknown product line",
                             json_pack("{s:s}", "product_line", "unknown product line"));
            goto cleanup;
        }
    }
    int64_t now = now_unix();
    int64_t e;
    if (creating) {
        e = db_exec(c,
                    "INSERT INTO models (code, name, product_line_id, warranty_months, launched_on,"
                    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    "ttiitii", ucode, name, lid, (int64_t)months, launch && *launch ? launch : NULL,
                    now, now);
        if (e == DB_EUNIQUE) {
            db_rollback(c);
            rc = reply_error(r, 409, "duplicate", "a model with this code exists", NULL);
            goto cleanup;
        }
    } else {
        e = db_exec(c,
                    "UPDATE models SET name = COALESCE(CAST(? AS TEXT), name),"
                    " product_line_id = CASE WHEN CAST(? AS BIGINT) = 1 THEN CAST(? AS BIGINT)"
                    " ELSE product_line_id END,"
                    " warranty_months = CASE WHEN CAST(? AS BIGINT) = 1 THEN CAST(? AS INTEGER)"
                    " ELSE warranty_months END,"
                    " launched_on = CASE WHEN CAST(? AS BIGINT) = 1 THEN CAST(? AS TEXT) ELSE launched_on END,"
                    " version = version + 1, updated_at = ? WHERE code = ? AND version = ?",
                    "tiiiiititi", name, (int64_t)(line != NULL), lid, (int64_t)has_months,
                    (int64_t)months, (int64_t)has_launch, launch && *launch ? launch : NULL, now,
                    ucode, (int64_t)version);
        if (e == 0) {
            json_t *cur = NULL;
            int l = model_load(c, ucode, &cur);
            db_rollback(c);
            json_decref(cur);
            if (l < 0) {
                rc = -1;
            } else if (l == 1) {
                rc = reply_error(r, 404, "not_found", "no such model", NULL);
            } else {
                rc = reply_error(r, 409, "stale_version",
                                 "the model was changed by someone else; reload it", NULL);
            }
            goto cleanup;
        }
    }
    if (e < 0)
        goto fail;
    if (audit_write(c, audit_actor(r), creating ? "create" : "update", "model", ucode, body) < 0)
        goto fail;
    if (model_load(c, ucode, &m) != 0 || db_commit(c) < 0)
        goto fail;
    rc = reply_json(r, creating ? 201 : 200, m);
    m = NULL;
    goto cleanup;
fail:
    db_rollback(c);
    rc = -1;
cleanup:
    json_decref(m);
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

static int models_create(req *r)
{
    return models_write(r, NULL);
}

static int models_update(req *r)
{
    return models_write(r, req_param(r, "code"));
}

/* The portal's model picker: code, name and line of every model. */
static int models_public(req *r)
{
    db_conn *c = req_db(r);
    db_stmt *st = db_prepare(c, "SELECT " MODEL_COLS " FROM models m JOIN product_lines p"
                                " ON p.id = m.product_line_id ORDER BY p.code, m.code LIMIT 5000");
    if (!st)
        return -1;
    json_t *items = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(items,
                              json_pack("{s:s, s:s, s:o}", "code", db_text(st, 0), "name",
                                        db_text(st, 1), "product_line", cat_line_json(st, 2)));
    db_done(st);
    if (rc < 0) {
        json_decref(items);
        return -1;
    }
    return reply_json(r, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

#define CATALOG_EDIT (ROLE_ADMIN | ROLE_SUPERVISOR | ROLE_EDITOR)

const struct route catalog_routes[] = {
    {"GET", "/api/v1/product-lines", lines_list, ROLE_ANY, 0},
    {"POST", "/api/v1/product-lines", lines_create, CATALOG_EDIT, 0},
    {"GET", "/api/v1/models", models_list, ROLE_ANY, 0},
    {"POST", "/api/v1/models", models_create, CATALOG_EDIT, 0},
    {"GET", "/api/v1/models/:code", models_get, ROLE_ANY, 0},
    {"PATCH", "/api/v1/models/:code", models_update, CATALOG_EDIT, 0},
    {"GET", "/api/v1/public/models", models_public, 0, ROUTE_PUBLIC | ROUTE_LIMITED},
    {0},
};
