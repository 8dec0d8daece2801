/* catalog: the product lines and models of M2 over HTTP (lists that are also CSV/XLSX
 * downloads, lookups, creation, updates, the portal's model picker) and the catalog's
 * route table. */
#include "base/audit.h"
#include "base/jsonv.h"
#include "features/catalog/internal.h"
#include "features/common/common.h"

/* ---------------------------------------------------------------- lists */

/* Step st (its LIMIT bound to p->limit + 1, ordered by the code in column 0): append up
 * to p->limit items made by row_json, and set *next when another row follows. Frees st.
 * 0 or -1. */
static int page_rows(req *r, db_stmt *st, const struct page *p, json_t *items, const char **next,
                     json_t *(*row_json)(db_stmt *st))
{
    int rc;
    long n = 0;
    const char *last = NULL;
    while ((rc = db_step(st)) == DB_ROW) {
        if (n == p->limit) {
            *next = page_cursor(r->a, 1, &last);
            break;
        }
        json_array_append_new(items, row_json(st));
        last = arena_strdup(r->a, db_text(st, 0));
        n++;
    }
    db_done(st);
    return rc < 0 ? -1 : 0;
}

/* ---------------------------------------------------------------- product lines */

static json_t *line_row(db_stmt *st)
{
    return cat_line_json(st, 0);
}

/* The download's columns: those of `aftersales import product lines`' CSV. */
static const struct table_col line_cols[] = {
    {"code", NULL, TABLE_TEXT, 12, 0},
    {"name", NULL, TABLE_TEXT, 24, 0},
    {"name_en", NULL, TABLE_TEXT, 30, 0},
};

/* One page of product lines by code. */
static int lines_page(req *r, const struct page *p, json_t *items, const char **next)
{
    const char *after = p->nkeys ? p->key[0] : NULL;
    db_stmt *st = db_prepare(req_db(r), "SELECT code, name, name_en FROM product_lines"
                                        " WHERE (CAST(? AS TEXT) IS NULL OR code > ?)"
                                        " ORDER BY code LIMIT ?");
    if (!st)
        return -1;
    db_bind_text(st, 1, after);
    db_bind_text(st, 2, after);
    db_bind_int(st, 3, p->limit + 1);
    return page_rows(r, st, p, items, next, line_row);
}

/* GET /api/v1/product-lines: every line (they are few), also as a download. */
static int lines_list(req *r)
{
    static const struct list_spec spec = {
        "product-lines", line_cols, (int)(sizeof line_cols / sizeof line_cols[0]), 1000, 1000, 1,
        lines_page,
    };
    return list_reply(r, &spec);
}

struct line_write {
    const char *actor, *code, *name, *name_en;
};
enum { LW_DUPLICATE = 1 };

/* In the transaction: insert the line and audit it. 0, LW_DUPLICATE or a db code. */
static int line_store(db_conn *c, void *arg)
{
    const struct line_write *w = arg;
    int64_t e = db_exec(
        c, "INSERT INTO product_lines (code, name, name_en, created_at) VALUES (?, ?, ?, ?)",
        "ttti", w->code, w->name, w->name_en, now_unix());
    if (e == DB_EUNIQUE)
        return LW_DUPLICATE;
    if (e < 0)
        return (int)e;
    json_t *detail = json_pack("{s:s, s:s}", "code", w->code, "name", w->name);
    int rc = audit_write(c, w->actor, "create", "product_line", w->code, detail);
    json_decref(detail);
    return rc;
}

/* POST /api/v1/product-lines */
static int lines_create(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    static const char *const allowed[] = {"code", "name", "name_en", NULL};
    jsonv v;
    jsonv_init(&v, body);
    jsonv_only(&v, allowed);
    struct line_write w = {audit_actor(r), jsonv_str(&v, "code", 1, 32),
                           jsonv_str(&v, "name", 1, 100), jsonv_str(&v, "name_en", 0, 100)};
    if (w.code && !code_ok(w.code, 32))
        jsonv_fail(&v, "code", "1-32 letters, digits or - _ . /");
    int rc;
    if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed", "the product line is not valid",
                         jsonv_take(&v));
    } else if ((rc = in_tx(req_db(r), line_store, &w)) == LW_DUPLICATE) {
        rc = reply_error(r, 409, "duplicate", "a product line with this code exists", NULL);
    } else if (rc == 0) {
        rc = reply_json(r, 201, json_pack("{s:s, s:s, s:s?}", "code", w.code, "name", w.name,
                                          "name_en", w.name_en));
    } else {
        rc = reply_db_failure(r, rc, "create product line");
    }
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

/* The download's columns: those of `aftersales export models`, so it imports again. */
static const struct table_col model_cols[] = {
    {"code", NULL, TABLE_TEXT, 16, 0},
    {"name", NULL, TABLE_TEXT, 36, 0},
    {"product_line", "product_line.code", TABLE_TEXT, 12, 0},
    {"warranty_months", NULL, TABLE_INT, 10, 0},
    {"launched_on", NULL, TABLE_TEXT, 12, 0},
};

/* One page of models by code, filtered by ?product_line= (a code) and ?q= (part of the
 * code or name). */
static int models_page(req *r, const struct page *p, json_t *items, const char **next)
{
    const char *line = req_query(r, "product_line");
    const char *q = req_query(r, "q");
    if (line && !*line)
        line = NULL;
    char *like = q && *q ? arena_printf(r->a, "%%%s%%", q) : NULL;
    const char *after = p->nkeys ? p->key[0] : NULL;
    db_stmt *st = db_prepare(
        req_db(r),
        "SELECT " MODEL_COLS " FROM models m JOIN product_lines p ON p.id = m.product_line_id"
        " WHERE (CAST(? AS TEXT) IS NULL OR p.code = ?)"
        " AND (CAST(? AS TEXT) IS NULL OR m.code > ?)"
        " AND (CAST(? AS TEXT) IS NULL OR m.code LIKE ? OR m.name LIKE ?)"
        " ORDER BY m.code LIMIT ?");
    if (!st)
        return -1;
    db_bind_text(st, 1, line);
    db_bind_text(st, 2, line);
    db_bind_text(st, 3, after);
    db_bind_text(st, 4, after);
    db_bind_text(st, 5, like);
    db_bind_text(st, 6, like);
    db_bind_text(st, 7, like);
    db_bind_int(st, 8, p->limit + 1);
    return page_rows(r, st, p, items, next, model_json);
}

/* GET /api/v1/models */
static int models_list(req *r)
{
    static const struct list_spec spec = {
        "models", model_cols, (int)(sizeof model_cols / sizeof model_cols[0]), 100, 500, 1,
        models_page,
    };
    return list_reply(r, &spec);
}

static int models_get(req *r)
{
    json_t *m = NULL;
    char *code = code_upper(r->a, req_param(r, "code"));
    int rc = model_load(req_db(r), code, &m);
    if (rc < 0)
        return -1;
    if (rc == 1)
        return reply_not_found(r, "model");
    return reply_json(r, 200, m);
}

/* A model's creation or update, read from the body. */
struct model_write {
    const char *actor;
    json_t *body;     /* audited as it came */
    int creating;
    const char *ucode, *name, *line, *launch;
    long long months, version;
    int has_months, has_launch;
    json_t *out;      /* the model as stored */
};
enum { MW_DUPLICATE = 1, MW_UNKNOWN_LINE, MW_NOT_FOUND, MW_STALE };

/* In the transaction: insert (creating) or update the model by its code and version,
 * audit it and load it into w->out. 0, an MW_* answer or a db code. */
static int model_store(db_conn *c, void *arg)
{
    struct model_write *w = arg;
    json_decref(w->out);
    w->out = NULL;
    int64_t lid = 0;
    if (w->line) {
        int l = lookup_id(c, "SELECT id FROM product_lines WHERE code = ?", w->line, &lid);
        if (l != 0)
            return l == 1 ? MW_UNKNOWN_LINE : l;
    }
    int64_t now = now_unix();
    const char *launch = w->launch && *w->launch ? w->launch : NULL;
    int64_t e;
    if (w->creating) {
        e = db_exec(c,
                    "INSERT INTO models (code, name, product_line_id, warranty_months, launched_on,"
                    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    "ttiitii", w->ucode, w->name, lid, (int64_t)w->months, launch, now, now);
        if (e == DB_EUNIQUE)
            return MW_DUPLICATE;
    } else {
        e = db_exec(c,
                    "UPDATE models SET name = COALESCE(CAST(? AS TEXT), name),"
                    " product_line_id = CASE WHEN CAST(? AS BIGINT) = 1 THEN CAST(? AS BIGINT)"
                    " ELSE product_line_id END,"
                    " warranty_months = CASE WHEN CAST(? AS BIGINT) = 1 THEN CAST(? AS INTEGER)"
                    " ELSE warranty_months END,"
                    " launched_on = CASE WHEN CAST(? AS BIGINT) = 1 THEN CAST(? AS TEXT) ELSE launched_on END,"
                    " version = version + 1, updated_at = ? WHERE code = ? AND version = ?",
                    "tiiiiititi", w->name, (int64_t)(w->line != NULL), lid,
                    (int64_t)w->has_months, (int64_t)w->months, (int64_t)w->has_launch, launch,
                    now, w->ucode, (int64_t)w->version);
        if (e == 0) { /* a missing model, or another version */
            json_t *cur = NULL;
            int l = model_load(c, w->ucode, &cur);
            json_decref(cur);
            return l < 0 ? l : l == 1 ? MW_NOT_FOUND : MW_STALE;
        }
    }
    if (e < 0)
        return (int)e;
    int rc = audit_write(c, w->actor, w->creating ? "create" : "update", "model", w->ucode,
                         w->body);
    if (rc == 0 && (rc = model_load(c, w->ucode, &w->out)) == 1)
        rc = DB_ERROR;
    return rc;
}

/* The answer to model_store's result rc. */
static int model_reply(req *r, struct model_write *w, int rc)
{
    switch (rc) {
    case 0:
        rc = reply_json(r, w->creating ? 201 : 200, w->out);
        w->out = NULL;
        return rc;
    case MW_DUPLICATE:
        return reply_error(r, 409, "duplicate", "a model with this code exists", NULL);
    case MW_UNKNOWN_LINE:
        return reply_error(r, 422, "validation_failed", "unknown product line",
                           json_pack("{s:s}", "product_line", "unknown product line"));
    case MW_NOT_FOUND:
        return reply_not_found(r, "model");
    case MW_STALE:
        return reply_error(r, 409, "stale_version",
                           "the model was changed by someone else; reload it", NULL);
    default:
        return reply_db_failure(r, rc, w->creating ? "create model" : "update model");
    }
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
    struct model_write w = {.actor = audit_actor(r), .body = body, .creating = !path_code};
    jsonv v;
    jsonv_init(&v, body);
    jsonv_only(&v, w.creating ? allowed_new : allowed_upd);
    const char *code = w.creating ? jsonv_str(&v, "code", 1, 40) : path_code;
    w.name = jsonv_str(&v, "name", w.creating, 200);
    w.line = jsonv_str(&v, "product_line", w.creating, 32);
    w.has_months = jsonv_int(&v, "warranty_months", w.creating, &w.months);
    w.has_launch = json_object_get(body, "launched_on") != NULL;
    w.launch = jsonv_str(&v, "launched_on", 0, 10);
    if (!w.creating)
        jsonv_int(&v, "version", 1, &w.version);
    const char *why;
    if (w.creating && code && (why = cat_model_code_reason(code)))
        jsonv_fail(&v, "code", why);
    if (w.has_months && (why = cat_model_months_reason(w.months)))
        jsonv_fail(&v, "warranty_months", why);
    if (w.launch && (why = cat_model_launch_reason(w.launch)))
        jsonv_fail(&v, "launched_on", why);
    int rc;
    if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed", "the model is not valid", jsonv_take(&v));
    } else {
        w.ucode = code_upper(r->a, code);
        rc = model_reply(r, &w, in_tx(req_db(r), model_store, &w));
    }
    json_decref(w.out);
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
