/* parts: warehouses: lookups (confined for outlet staff), the outlet's own warehouse
 * made on first use, checking and storing one warehouse (HTTP and CSV), the list and
 * creation over HTTP. */
#include <string.h>

#include "base/audit.h"
#include "base/jsonv.h"
#include "features/common/common.h"
#include "features/parts/internal.h"

static int wh_read(db_stmt *st, struct pt_wh *out)
{
    out->id = db_int(st, 0);
    out->kind = part_wh_kind_parse(db_text(st, 1));
    out->outlet_id = db_isnull(st, 2) ? 0 : db_int(st, 2);
    snprintf(out->code, sizeof out->code, "%s", db_text(st, 3));
    return 0;
}

int pt_wh_find(db_conn *c, const char *code, struct pt_wh *out)
{
    return pt_wh_find_scoped(c, code, 0, out);
}

int pt_wh_find_scoped(db_conn *c, const char *code, int64_t scope, struct pt_wh *out)
{
    db_stmt *st = db_prepare(c, "SELECT id, kind, outlet_id, code FROM warehouses WHERE code = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, code);
    int rc = db_step(st);
    struct pt_wh w = {0};
    if (rc == DB_ROW)
        wh_read(st, &w);
    db_done(st);
    if (rc != DB_ROW)
        return rc == DB_DONE ? 1 : rc;
    /* outlet staff see their own outlet's warehouse and no other outlet's */
    if (scope != 0 && (w.kind == PWK_OUTLET ? w.outlet_id != scope : 0))
        return 1;
    *out = w;
    return 0;
}

int pt_outlet_wh(db_conn *c, int64_t outlet_id, int64_t now, struct pt_wh *out)
{
    db_stmt *st = db_prepare(c, "SELECT id, kind, outlet_id, code FROM warehouses WHERE outlet_id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, outlet_id);
    int rc = db_step(st);
    if (rc == DB_ROW)
        wh_read(st, out);
    db_done(st);
    if (rc != DB_DONE)
        return rc == DB_ROW ? 0 : rc;
    /* none yet: the outlet's stock room, named after it */
    int64_t e = db_exec(c,
                        "INSERT INTO warehouses (code, name, kind, region, province, outlet_id,"
                        " created_at, updated_at) SELECT 'W-' || code, name || ' 库房', 'outlet',"
                        " region, CASE WHEN length(region) = 6 THEN substr(region, 1, 2) || '0000'"
                        " END, id, ?, ? FROM outlets WHERE id = ?"
                        " ON CONFLICT DO NOTHING",
                        "iii", now, now, outlet_id);
    if (e < 0)
        return (int)e;
    st = db_prepare(c, "SELECT id, kind, outlet_id, code FROM warehouses WHERE outlet_id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, outlet_id);
    rc = db_step(st);
    if (rc == DB_ROW)
        wh_read(st, out);
    db_done(st);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? 1 : rc;
}

/* ---------------------------------------------------------------- one warehouse */

int pt_wh_store(db_conn *c, const struct pt_wh_in *in, const char *actor, int64_t now,
                int upsert, const char **field, const char **why)
{
    int kind = part_wh_kind_parse(in->kind);
    char prov[7] = "";
    if (!code_ok(in->code, 32))
        return *field = "code", *why = "1-32 letters, digits or - _ . /", PW_BAD;
    if (!in->name || !*in->name || strlen(in->name) > 200)
        return *field = "name", *why = "required, at most 200 bytes", PW_BAD;
    if (kind < 0)
        return *field = "kind", *why = "one of central, branch, outlet, third_party, overseas",
               PW_BAD;
    int64_t outlet = 0;
    const char *ocode = in->outlet && *in->outlet ? in->outlet : NULL;
    if ((kind == PWK_OUTLET) != (ocode != NULL))
        return *field = "outlet", *why = kind == PWK_OUTLET ? "required for kind outlet"
                                                            : "only for kind outlet", PW_BAD;
    char oregion[16] = "";
    if (ocode) {
        db_stmt *st = db_prepare(c, "SELECT id, region FROM outlets WHERE code = ?");
        if (!st)
            return DB_ERROR;
        db_bind_text(st, 1, ocode);
        int k = db_step(st);
        if (k == DB_ROW) {
            outlet = db_int(st, 0);
            snprintf(oregion, sizeof oregion, "%s", db_isnull(st, 1) ? "" : db_text(st, 1));
        }
        db_done(st);
        if (k < 0)
            return k;
        if (k != DB_ROW)
            return *field = "outlet", *why = "no such outlet", PW_BAD;
    }
    const char *region = in->region && *in->region ? in->region : NULL;
    if (!region && *oregion)
        region = oregion; /* an outlet's stock room lies where the outlet is */
    if (region) {
        if (part_province_of(region, prov) < 0)
            return *field = "region", *why = "a six-digit GB/T 2260 code", PW_BAD;
        db_stmt *st = db_prepare(c, "SELECT 1 FROM regions WHERE code = ?");
        if (!st)
            return DB_ERROR;
        db_bind_text(st, 1, region);
        int k = db_step(st);
        db_done(st);
        if (k < 0)
            return k;
        if (k != DB_ROW)
            return *field = "region", *why = "unknown region", PW_BAD;
    } else if (kind != PWK_OVERSEAS) {
        return *field = "region", *why = "required (only overseas warehouses have none)", PW_BAD;
    }
    db_stmt *st = db_prepare(
        c, upsert ? "INSERT INTO warehouses (code, name, kind, region, province, outlet_id,"
                    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind,"
                    " region = excluded.region, province = excluded.province,"
                    " outlet_id = excluded.outlet_id, version = warehouses.version + 1,"
                    " updated_at = excluded.updated_at"
                  : "INSERT INTO warehouses (code, name, kind, region, province, outlet_id,"
                    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, in->code);
    db_bind_text(st, 2, in->name);
    db_bind_text(st, 3, in->kind);
    db_bind_text(st, 4, region);
    db_bind_text(st, 5, *prov ? prov : NULL);
    if (outlet)
        db_bind_int(st, 6, outlet);
    else
        db_bind_null(st, 6);
    db_bind_int(st, 7, now);
    db_bind_int(st, 8, now);
    int e = db_step(st);
    db_done(st);
    if (e == DB_EUNIQUE)
        return *field = ocode ? "outlet" : "code",
               *why = ocode ? "the outlet already has a warehouse" : "a warehouse with this code exists",
               PW_DUPLICATE;
    if (e < 0)
        return e;
    json_t *detail = json_pack("{s:s, s:s, s:s, s:s?, s:s?}", "code", in->code, "name", in->name,
                               "kind", in->kind, "region", region, "outlet", ocode);
    int aw = audit_write(c, actor, upsert ? "import" : "create", "warehouse", in->code, detail);
    json_decref(detail);
    return aw < 0 ? DB_ERROR : 0;
}

/* ---------------------------------------------------------------- HTTP */

static const struct table_col wh_cols[] = {
    {"code", NULL, TABLE_TEXT, 14, 0},   {"name", NULL, TABLE_TEXT, 30, 0},
    {"kind", NULL, TABLE_TEXT, 12, 0},   {"region", NULL, TABLE_TEXT, 10, 0},
    {"outlet", NULL, TABLE_TEXT, 10, 0},
};

static json_t *wh_json(db_stmt *st)
{
    return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:b}", "code", db_text(st, 0), "name",
                     db_text(st, 1), "kind", db_text(st, 2), "region",
                     db_isnull(st, 3) ? json_null() : json_string(db_text(st, 3)), "province",
                     db_isnull(st, 4) ? json_null() : json_string(db_text(st, 4)), "outlet",
                     db_isnull(st, 5) ? json_null() : json_string(db_text(st, 5)), "active",
                     db_int(st, 6) != 0);
}

/* One page by code, filtered by ?kind= and ?q= (part of the code or name). Outlet staff
 * see the warehouses that are no outlet's and their own outlet's. */
static int wh_page(req *r, const struct page *p, json_t *items, const char **next)
{
    const char *kind = req_query(r, "kind"), *q = req_query(r, "q");
    if (kind && !*kind)
        kind = NULL;
    if (kind && part_wh_kind_parse(kind) < 0)
        return reply_bad_param(r, "kind", "one of central, branch, outlet, third_party, overseas"),
               LIST_ANSWERED;
    char *like = q && *q ? arena_printf(r->a, "%%%s%%", q) : NULL;
    const char *after = p->nkeys ? p->key[0] : NULL;
    int64_t scope = scope_outlet(r);
    db_stmt *st = db_prepare(
        req_db(r), "SELECT w.code, w.name, w.kind, w.region, w.province, o.code, w.active"
                   " FROM warehouses w LEFT JOIN outlets o ON o.id = w.outlet_id"
                   " WHERE (CAST(? AS TEXT) IS NULL OR w.code > ?)"
                   " AND (CAST(? AS TEXT) IS NULL OR w.kind = ?)"
                   " AND (CAST(? AS TEXT) IS NULL OR w.code LIKE ? OR w.name LIKE ?)"
                   " AND (CAST(? AS BIGINT) = 0 OR w.outlet_id IS NULL OR w.outlet_id = ?)"
                   " ORDER BY w.code LIMIT ?");
    if (!st)
        return -1;
    db_bind_text(st, 1, after);
    db_bind_text(st, 2, after);
    db_bind_text(st, 3, kind);
    db_bind_text(st, 4, kind);
    db_bind_text(st, 5, like);
    db_bind_text(st, 6, like);
    db_bind_text(st, 7, like);
    db_bind_int(st, 8, scope);
    db_bind_int(st, 9, scope);
    db_bind_int(st, 10, p->limit + 1);
    int rc;
    long n = 0;
    const char *last = NULL;
    while ((rc = db_step(st)) == DB_ROW) {
        if (n == p->limit) {
            *next = page_cursor(r->a, 1, &last);
            break;
        }
        json_array_append_new(items, wh_json(st));
        last = arena_strdup(r->a, db_text(st, 0));
        n++;
    }
    db_done(st);
    return rc < 0 ? -1 : 0;
}

int warehouses_list(req *r)
{
    static const struct list_spec spec = {
        .name = "warehouses", .cols = wh_cols, .ncols = (int)(sizeof wh_cols / sizeof *wh_cols),
        .def_limit = 100, .max_limit = 1000, .nkeys = 1, .page = wh_page,
    };
    return list_reply(r, &spec);
}

struct wh_write {
    struct pt_wh_in in;
    const char *actor, *field, *why;
};

static int wh_store_tx(db_conn *c, void *arg)
{
    struct wh_write *w = arg;
    return pt_wh_store(c, &w->in, w->actor, now_unix(), 0, &w->field, &w->why);
}

/* POST /api/v1/warehouses */
int warehouses_create(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    static const char *const allowed[] = {"code", "name", "kind", "region", "outlet", NULL};
    static const char *const kinds[] = {"central", "branch", "outlet", "third_party", "overseas",
                                        NULL};
    jsonv v;
    jsonv_init(&v, body);
    jsonv_only(&v, allowed);
    struct wh_write w = {.actor = audit_actor(r)};
    const char *code = jsonv_str(&v, "code", 1, 32);
    w.in.name = jsonv_str(&v, "name", 1, 200);
    w.in.kind = jsonv_enum(&v, "kind", 1, kinds);
    w.in.region = jsonv_str(&v, "region", 0, 6);
    w.in.outlet = jsonv_str(&v, "outlet", 0, 40);
    if (code && !code_ok(code, 32))
        jsonv_fail(&v, "code", "1-32 letters, digits or - _ . /");
    w.in.code = code ? code_upper(r->a, code) : NULL;
    int rc;
    if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed", "the warehouse is not valid", jsonv_take(&v));
    } else if ((rc = in_tx(req_db(r), wh_store_tx, &w)) == PW_BAD) {
        rc = reply_error(r, 422, "validation_failed", w.why, json_pack("{s:s}", w.field, w.why));
    } else if (rc == PW_DUPLICATE) {
        rc = reply_error(r, 409, "duplicate", w.why, json_pack("{s:s}", w.field, w.why));
    } else if (rc == 0) {
        db_stmt *st = db_prepare(req_db(r), "SELECT w.code, w.name, w.kind, w.region, w.province,"
                                            " o.code, w.active FROM warehouses w LEFT JOIN outlets o"
                                            " ON o.id = w.outlet_id WHERE w.code = ?");
        json_t *j = NULL;
        if (st) {
            db_bind_text(st, 1, w.in.code);
            if (db_step(st) == DB_ROW)
                j = wh_json(st);
            db_done(st);
        }
        rc = j ? reply_json(r, 201, j) : -1;
    } else {
        rc = reply_db_failure(r, rc, "create warehouse");
    }
    jsonv_free(&v);
    json_decref(body);
    return rc;
}
