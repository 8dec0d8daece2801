/* catalog: product lines and models (M2), `aftersales import|export models`, the demo
 * catalog, and the small helpers the repairs features share (local time, transactions). */
#include "base/audit.h"
#include "base/csv.h"
#include "base/jsonv.h"
#include "features/repairs.h"
#include "rules/warranty.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---------------------------------------------------------------- shared helpers */

void rep_local_date(int64_t t, char out[11])
{
    time_t tt = (time_t)(t + REP_TZ_OFFSET);
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

json_t *rep_time_json(int64_t t, int isnull)
{
    if (isnull)
        return json_null();
    time_t tt = (time_t)t;
    struct tm tm;
    char s[32];
    gmtime_r(&tt, &tm);
    strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_string(s);
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int rep_parse_time(const char *s, int64_t *out)
{
    int y, mo, d, h, mi, se = 0;
    char date[11];
    if (!s || strlen(s) < 16)
        return -1;
    memcpy(date, s, 10);
    date[10] = 0;
    if (warranty_parse_date(date, &y, &mo, &d) < 0 || (s[10] != 'T' && s[10] != ' ' && s[10] != 't'))
        return -1;
    if (digits(s + 11, 2, &h) < 0 || s[13] != ':' || digits(s + 14, 2, &mi) < 0)
        return -1;
    const char *p = s + 16;
    if (*p == ':') {
        if (digits(p + 1, 2, &se) < 0)
            return -1;
        p += 3;
        if (*p == '.') {
            p++;
            if (*p < '0' || *p > '9')
                return -1;
            while (*p >= '0' && *p <= '9')
                p++;
        }
    }
    if (h > 23 || mi > 59 || se > 60)
        return -1;
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = se;
    int64_t t = (int64_t)timegm(&tm);
    if (*p == 0) {
        if (s[10] != ' ')
            return -1; /* RFC 3339 needs an offset */
        t -= REP_TZ_OFFSET;
    } else if ((*p == 'Z' || *p == 'z') && p[1] == 0) {
    } else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
        int oh, om;
        if (digits(p + 1, 2, &oh) < 0 || digits(p + 4, 2, &om) < 0 || oh > 23 || om > 59)
            return -1;
        int64_t off = (int64_t)oh * 3600 + om * 60;
        t -= *p == '+' ? off : -off;
    } else {
        return -1;
    }
    *out = t;
    return 0;
}

int rep_in_tx(db_conn *c, int (*fn)(db_conn *c, void *arg), void *arg)
{
    for (int attempt = 0;; attempt++) {
        int rc = db_begin(c);
        if (rc == 0) {
            rc = fn(c, arg);
            if (rc == 0)
                rc = db_commit(c);
            else
                db_rollback(c);
            if (rc == 0)
                return 0;
        }
        if (rc != DB_EBUSY || attempt >= 4)
            return rc;
        db_rollback(c);
        struct timespec ts = {0, 2000000L * (attempt + 1)};
        nanosleep(&ts, NULL);
    }
}

/* ---------------------------------------------------------------- validation */

static int code_ok(const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 1 || n > max)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '_' || ch == '.' || ch == '/'))
            return 0;
    }
    return 1;
}

static char *upper_dup(arena *a, const char *s)
{
    char *u = arena_strdup(a, s);
    for (char *p = u; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    return u;
}

/* Reasons for a model's fields; NULL when fine. */
static const char *model_code_reason(const char *code)
{
    return code_ok(code, 40) ? NULL : "1-40 letters, digits or - _ . /";
}
static const char *model_months_reason(long long m)
{
    return m >= 1 && m <= 120 ? NULL : "must be a whole number of months from 1 to 120";
}
static const char *model_launch_reason(const char *d)
{
    int y, m, dd;
    return !d || !*d || warranty_parse_date(d, &y, &m, &dd) == 0 ? NULL : "must be a date YYYY-MM-DD";
}

static int line_id(db_conn *c, const char *code, int64_t *id)
{
    db_stmt *st = db_prepare(c, "SELECT id FROM product_lines WHERE code = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, code);
    int rc = db_step(st);
    if (rc == DB_ROW)
        *id = db_int(st, 0);
    db_done(st);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? 1 : rc;
}

/* ---------------------------------------------------------------- product lines */

static json_t *line_json(db_stmt *st, int col)
{
    return json_pack("{s:s, s:s, s:s?}", "code", db_text(st, col), "name", db_text(st, col + 1),
                     "name_en", db_text(st, col + 2));
}

static int lines_list(req *r)
{
    db_conn *c = req_db(r);
    db_stmt *st = db_prepare(c, "SELECT code, name, name_en FROM product_lines ORDER BY code");
    if (!st)
        return -1;
    json_t *items = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(items, line_json(st, 0));
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
    if (code && !code_ok(code, 32))
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
                     db_text(st, 1), "product_line", line_json(st, 2), "warranty_months",
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
    char *code = upper_dup(r->a, req_param(r, "code"));
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
    if (creating && code && (why = model_code_reason(code)))
        jsonv_fail(&v, "code", why);
    if (has_months && (why = model_months_reason(months)))
        jsonv_fail(&v, "warranty_months", why);
    if (launch && (why = model_launch_reason(launch)))
        jsonv_fail(&v, "launched_on", why);
    int rc = 0;
    int64_t lid = 0;
    db_conn *c = req_db(r);
    json_t *m = NULL;
    if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed", "the model is not valid", jsonv_take(&v));
        goto cleanup;
    }
    char *ucode = upper_dup(r->a, code);
    if (db_begin(c) < 0) {
        rc = -1;
        goto cleanup;
    }
    if (line) {
        int l = line_id(c, line, &lid);
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
        json_array_append_new(items, json_pack("{s:s, s:s, s:o}", "code", db_text(st, 0), "name",
                                               db_text(st, 1), "product_line", line_json(st, 2)));
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

/* ---------------------------------------------------------------- CSV import/export */

int catalog_import_models(db *d, const char *path, FILE *in)
{
    static const struct csv_column cols[] = {{"code", 1},        {"name", 1},
                                             {"product_line", 1}, {"warranty_months", 1},
                                             {"launched_on", 0},  {NULL, 0}};
    enum { C_CODE, C_NAME, C_LINE, C_MONTHS, C_LAUNCH };
    int idx[5];
    char err[512] = "";
    csv_reader *csv = csv_reader_new(in);
    db_conn *c = db_acquire(d);
    json_t *seen = json_object();
    int rc = -1, n = 0;
    arena *a = arena_new();
    int in_tx = 0;
    int r;
    if (!csv) {
        snprintf(err, sizeof err, "out of memory");
        goto bad;
    }
    if (csv_header(csv, cols, idx) < 0) {
        snprintf(err, sizeof err, "%s", csv_error(csv));
        goto bad;
    }
    if (db_begin(c) < 0)
        goto dberr;
    in_tx = 1;
    int64_t now = now_unix();
    while ((r = csv_next(csv)) == 1) {
        const char *code = csv_field(csv, idx[C_CODE]);
        const char *name = csv_field(csv, idx[C_NAME]);
        const char *line = csv_field(csv, idx[C_LINE]);
        const char *months_s = csv_field(csv, idx[C_MONTHS]);
        const char *launch = csv_field(csv, idx[C_LAUNCH]);
        const char *why;
        char *end = NULL;
        long months = strtol(months_s, &end, 10);
        if ((why = model_code_reason(code))) {
            snprintf(err, sizeof err, "code: %s", why);
            goto bad;
        }
        if (!*name || strlen(name) > 200) {
            snprintf(err, sizeof err, "name: required, at most 200 bytes");
            goto bad;
        }
        if (!code_ok(line, 32)) {
            snprintf(err, sizeof err, "product_line: 1-32 letters, digits or - _ . /");
            goto bad;
        }
        if (!*months_s || *end || (why = model_months_reason(months))) {
            snprintf(err, sizeof err, "warranty_months: must be a whole number of months from 1 to 120");
            goto bad;
        }
        if ((why = model_launch_reason(launch))) {
            snprintf(err, sizeof err, "launched_on: %s", why);
            goto bad;
        }
        char *ucode = upper_dup(a, code);
        if (json_object_get(seen, ucode)) {
            snprintf(err, sizeof err, "model %s appears twice in the file (first on line %lld)",
                     ucode, (long long)json_integer_value(json_object_get(seen, ucode)));
            goto bad;
        }
        json_object_set_new(seen, ucode, json_integer(csv_line(csv)));
        int64_t lid = 0;
        int l = line_id(c, line, &lid);
        if (l < 0)
            goto dberr;
        if (l == 1) {
            /* A line the catalog does not know yet: created with its code as its name. */
            db_stmt *st = db_prepare(c, "INSERT INTO product_lines (code, name, created_at)"
                                        " VALUES (?, ?, ?) RETURNING id");
            if (!st)
                goto dberr;
            db_bind_text(st, 1, line);
            db_bind_text(st, 2, line);
            db_bind_int(st, 3, now);
            if (db_step(st) != DB_ROW) {
                db_done(st);
                goto dberr;
            }
            lid = db_int(st, 0);
            db_done(st);
            if (audit_write(c, "import:models", "create", "product_line", line, NULL) < 0)
                goto dberr;
        }
        if (db_exec(c,
                    "INSERT INTO models (code, name, product_line_id, warranty_months, launched_on,"
                    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE"
                    " SET name = excluded.name, product_line_id = excluded.product_line_id,"
                    " warranty_months = excluded.warranty_months, launched_on = excluded.launched_on,"
                    " version = models.version + 1, updated_at = excluded.updated_at",
                    "ttiitii", ucode, name, lid, (int64_t)months, *launch ? launch : NULL, now,
                    now) < 0)
            goto dberr;
        json_t *detail = json_pack("{s:s, s:s, s:s, s:i, s:s?}", "code", ucode, "name", name,
                                   "product_line", line, "warranty_months", (int)months,
                                   "launched_on", *launch ? launch : NULL);
        int aw = audit_write(c, "import:models", "import", "model", ucode, detail);
        json_decref(detail);
        if (aw < 0)
            goto dberr;
        n++;
    }
    if (r < 0) {
        snprintf(err, sizeof err, "%s", csv_error(csv));
        goto bad;
    }
    if (db_commit(c) < 0)
        goto dberr;
    in_tx = 0;
    fprintf(stderr, "%s: %d models imported\n", path, n);
    rc = 0;
    goto cleanup;
dberr:
    snprintf(err, sizeof err, "database error: %s", db_errmsg(c));
bad:
    fprintf(stderr, "%s:%ld: %s\n", path, csv ? csv_line(csv) : 1L, err);
    if (in_tx)
        db_rollback(c);
cleanup:
    json_decref(seen);
    arena_free(a);
    csv_reader_free(csv);
    db_release(c);
    return rc;
}

int catalog_export_models(db *d, FILE *out)
{
    db_conn *c = db_acquire(d);
    db_stmt *st = db_prepare(c, "SELECT m.code, m.name, p.code, m.warranty_months, m.launched_on"
                                " FROM models m JOIN product_lines p ON p.id = m.product_line_id"
                                " ORDER BY m.code");
    int rc = -1;
    if (!st)
        goto cleanup;
    csv_writer w = csv_writer_file(out, 0);
    static const char *const head[] = {"code", "name", "product_line", "warranty_months",
                                       "launched_on"};
    csv_row(&w, head, 5);
    int s;
    while ((s = db_step(st)) == DB_ROW) {
        csv_cell(&w, db_text(st, 0));
        csv_cell(&w, db_text(st, 1));
        csv_cell(&w, db_text(st, 2));
        csv_cellf(&w, "%lld", (long long)db_int(st, 3));
        csv_cell(&w, db_text(st, 4));
        csv_end_row(&w);
    }
    db_done(st);
    rc = s < 0 ? -1 : 0;
cleanup:
    if (rc < 0)
        fprintf(stderr, "export models: %s\n", db_errmsg(c));
    db_release(c);
    return rc;
}

/* ---------------------------------------------------------------- demo */

int catalog_demo(db *d, const struct demo_opts *o)
{
    static const struct {
        const char *code, *name, *en;
    } lines[] = {
        {"AV", "家庭音视频", "Home audio/video"},
        {"PC", "笔记本电脑", "Laptops"},
        {"TV", "电视/投影/家庭影院", "TV, projection and home theater"},
        {"VC", "视频会议", "Video conferencing"},
        {"GAME", "游戏机", "Game consoles"},
    };
    static const struct {
        const char *code, *name, *line;
        int months;
        const char *launched;
    } models[] = {
        {"HT-A9", "HT-A9 家庭影院系统", "AV", 12, "2021-09-01"},
        {"HT-S2000", "HT-S2000 回音壁", "AV", 12, "2023-05-10"},
        {"WH-1000XM5", "WH-1000XM5 降噪耳机", "AV", 12, "2022-05-20"},
        {"WF-1000XM5", "WF-1000XM5 真无线耳机", "AV", 12, "2023-08-01"},
        {"SRS-XB43", "SRS-XB43 蓝牙音箱", "AV", 12, "2020-06-01"},
        {"NW-A306", "NW-A306 随身听", "AV", 12, "2022-10-01"},
        {"STR-AN1000", "STR-AN1000 AV功放", "AV", 24, "2023-03-01"},
        {"BDP-S6700", "BDP-S6700 蓝光播放机", "AV", 12, "2019-04-01"},
        {"SC-HTB600", "SC-HTB600 回音壁", "AV", 12, "2021-04-01"},
        {"VPCEB", "VAIO EB 笔记本电脑", "PC", 12, "2019-01-01"},
        {"VJS144", "VAIO S14 笔记本电脑", "PC", 24, "2022-11-01"},
        {"VJF164", "VAIO F16 笔记本电脑", "PC", 24, "2023-09-01"},
        {"CF-SV1", "Let's note SV1 笔记本电脑", "PC", 36, "2021-06-01"},
        {"CF-FV3", "Let's note FV3 笔记本电脑", "PC", 36, "2023-06-01"},
        {"FZ-55", "TOUGHBOOK 55 三防笔记本", "PC", 36, "2020-03-01"},
        {"CF-QR4", "Let's note QR4 笔记本电脑", "PC", 36, "2024-03-01"},
        {"XR-65A95L", "XR-65A95L OLED 电视", "TV", 24, "2023-06-01"},
        {"XR-75X90L", "XR-75X90L 液晶电视", "TV", 24, "2023-05-01"},
        {"KD-55X85K", "KD-55X85K 液晶电视", "TV", 12, "2022-04-01"},
        {"KD-65X80L", "KD-65X80L 液晶电视", "TV", 12, "2023-04-01"},
        {"K-85XR90", "K-85XR90 Mini LED 电视", "TV", 24, "2024-06-01"},
        {"TH-65LZ2000C", "TH-65LZ2000C OLED 电视", "TV", 24, "2023-07-01"},
        {"TH-55JX700C", "TH-55JX700C 液晶电视", "TV", 12, "2021-05-01"},
        {"VPL-XW5000", "VPL-XW5000 4K 投影机", "TV", 24, "2022-12-01"},
        {"VPL-VW290", "VPL-VW290 投影机", "TV", 24, "2021-03-01"},
        {"PT-VMZ51", "PT-VMZ51 激光投影机", "TV", 36, "2022-02-01"},
        {"SA-HTB700", "SA-HTB700 家庭影院", "TV", 12, "2020-09-01"},
        {"HT-A7000", "HT-A7000 家庭影院", "TV", 12, "2021-08-01"},
        {"SRG-X400", "SRG-X400 会议摄像机", "VC", 24, "2020-08-01"},
        {"SRG-A40", "SRG-A40 AI 跟踪摄像机", "VC", 24, "2023-10-01"},
        {"KX-VC2000", "KX-VC2000 高清视频会议终端", "VC", 24, "2019-06-01"},
        {"KX-VC1600", "KX-VC1600 视频会议终端", "VC", 24, "2018-05-01"},
        {"AW-UE80", "AW-UE80 4K 一体化摄像机", "VC", 24, "2021-11-01"},
        {"FW-65BZ40L", "FW-65BZ40L 会议显示屏", "VC", 36, "2023-02-01"},
        {"CFI-2000", "PlayStation 5 (CFI-2000)", "GAME", 12, "2023-11-10"},
        {"CFI-1200", "PlayStation 5 (CFI-1200)", "GAME", 12, "2022-09-01"},
        {"CFI-7000", "PlayStation 5 Pro (CFI-7000)", "GAME", 12, "2024-11-07"},
        {"CUH-2200", "PlayStation 4 (CUH-2200)", "GAME", 12, "2018-09-01"},
        {"CFI-ZVR1", "PlayStation VR2", "GAME", 12, "2023-02-22"},
        {"CFI-ZCT1", "DualSense 无线控制器", "GAME", 6, "2020-11-12"},
        {"PCH-2000", "PS Vita (PCH-2000)", "GAME", 12, "2015-03-01"},
    };
    (void)o;
    db_conn *c = db_acquire(d);
    int rc = -1;
    int64_t now = now_unix();
    if (db_begin(c) < 0)
        goto cleanup;
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++)
        if (db_exec(c,
                    "INSERT INTO product_lines (code, name, name_en, created_at) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (code) DO NOTHING",
                    "ttti", lines[i].code, lines[i].name, lines[i].en, now) < 0)
            goto fail;
    for (size_t i = 0; i < sizeof models / sizeof *models; i++)
        if (db_exec(c,
                    "INSERT INTO models (code, name, product_line_id, warranty_months, launched_on,"
                    " created_at, updated_at) SELECT ?, ?, id, ?, ?, ?, ? FROM product_lines"
                    " WHERE code = ? ON CONFLICT (code) DO NOTHING",
                    "ttitiit", models[i].code, models[i].name, (int64_t)models[i].months,
                    models[i].launched, now, now, models[i].line) < 0)
            goto fail;
    if (db_commit(c) < 0)
        goto fail;
    rc = 0;
    goto cleanup;
fail:
    fprintf(stderr, "demo catalog: %s\n", db_errmsg(c));
    db_rollback(c);
cleanup:
    db_release(c);
    return rc;
}
