/* campaigns: the segment routes: preview a filter (count and sample), save a segment,
 * read one with its live count, list them (JSON, CSV, XLSX). */
#include "base/audit.h"
#include "features/campaigns/internal.h"

#include <string.h>

int seg_preview_route(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv v;
    jsonv_init(&v, body);
    static const char *const allowed[] = {"filter", NULL};
    jsonv_only(&v, allowed);
    struct seg_filter f;
    int rc = seg_filter_read(req_db(r), &v, json_object_get(body, "filter"), &f);
    if (rc < 0) {
        rc = reply_db_failure(r, rc, "segment");
    } else if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed", "the filter is not valid", jsonv_take(&v));
    } else {
        json_t *j = seg_preview(req_db(r), &f, &rc);
        rc = j ? reply_json(r, 200, j) : reply_db_failure(r, rc, "segment count");
    }
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

struct seg_new {
    const char *name, *actor;
    char *filter;
    char code[16];
};

static int seg_insert(db_conn *c, void *arg)
{
    struct seg_new *n = arg;
    int rc = code_next(c, "segment", "SG", 5, n->code, sizeof n->code);
    if (rc < 0)
        return rc;
    int64_t t = now_unix();
    int64_t k = db_exec(c, "INSERT INTO segments (code, name, filter, created_by, created_at,"
                           " updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                        "ttttii", n->code, n->name, n->filter, n->actor, t, t);
    if (k < 0)
        return (int)k;
    return audit_write(c, n->actor, "create", "segment", n->code, NULL);
}

int seg_create(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv v;
    jsonv_init(&v, body);
    static const char *const allowed[] = {"name", "filter", NULL};
    jsonv_only(&v, allowed);
    struct seg_new n = {.actor = audit_actor(r)};
    n.name = jsonv_str(&v, "name", 1, 200);
    json_t *filter = json_object_get(body, "filter");
    json_t *none = json_object();
    struct seg_filter f;
    int rc = seg_filter_read(req_db(r), &v, filter, &f);
    if (rc < 0) {
        rc = reply_db_failure(r, rc, "segment");
    } else if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed", "the segment is not valid", jsonv_take(&v));
    } else {
        n.filter = json_dumps(filter ? filter : none, JSON_COMPACT | JSON_SORT_KEYS);
        rc = in_tx(req_db(r), seg_insert, &n);
        free(n.filter);
        if (rc < 0) {
            rc = reply_db_failure(r, rc, "segment");
        } else {
            json_t *j = seg_preview(req_db(r), &f, &rc);
            if (!j)
                rc = reply_db_failure(r, rc, "segment count");
            else {
                json_object_set_new(j, "code", json_string(n.code));
                json_object_set_new(j, "name", json_string(n.name));
                json_object_set(j, "filter", filter ? filter : none);
                rc = reply_json(r, 201, j);
            }
        }
    }
    json_decref(none);
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

int seg_get(req *r)
{
    db_conn *c = req_db(r);
    db_stmt *st = db_prepare(c, "SELECT code, name, filter, created_by, created_at FROM segments"
                                " WHERE code = ?");
    if (!st)
        return -1;
    db_bind_text(st, 1, req_param(r, "code"));
    int s = db_step(st);
    json_t *seg = NULL;
    if (s == DB_ROW)
        seg = json_pack("{s:s, s:s, s:o, s:s, s:o}", "code", db_text(st, 0), "name",
                        db_text(st, 1), "filter", json_loads(db_text(st, 2), 0, NULL),
                        "created_by", db_text(st, 3), "created_at", dt_json(db_int(st, 4)));
    db_done(st);
    if (s < 0)
        return reply_db_failure(r, s, "segment");
    if (!seg)
        return reply_not_found(r, "segment");
    jsonv v;
    jsonv_init(&v, seg);
    struct seg_filter f;
    int rc = seg_filter_read(c, &v, json_object_get(seg, "filter"), &f);
    json_t *p = rc == 0 ? seg_preview(c, &f, &rc) : NULL;
    jsonv_free(&v);
    if (!p) {
        json_decref(seg);
        return reply_db_failure(r, rc, "segment count");
    }
    json_object_update(seg, p);
    json_decref(p);
    return reply_json(r, 200, seg);
}

/* A row of segments_page as JSON. */
static json_t *segment_row_json(db_stmt *st)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:o}", "code",
                                               db_text(st, 0), "name", db_text(st, 1), "filter",
                                               db_text(st, 2), "created_by", db_text(st, 3),
                                               "created_at", dt_json(db_int(st, 4)));
}

static int segments_page(req *r, const struct page *p, json_t *items, const char **next)
{
    int64_t after = page_after_id(r, p);
    if (after < 0)
        return LIST_ANSWERED;
    db_stmt *st = db_prepare(req_db(r), "SELECT code, name, filter, created_by, created_at, id"
                                        " FROM segments WHERE (CAST(? AS BIGINT) = 0 OR id < ?)"
                                        " ORDER BY id DESC LIMIT ?");
    if (!st)
        return -1;
    db_bind_int(st, 1, after);
    db_bind_int(st, 2, after);
    db_bind_int(st, 3, p->limit + 1);
    return list_rows_page(r, p, st, segment_row_json, 5, items, next);
}

static const struct table_col segment_cols[] = {
    {"code", NULL, TABLE_TEXT, 9, 0},       {"name", NULL, TABLE_TEXT, 24, 0},
    {"filter", NULL, TABLE_TEXT, 50, 0},    {"created_by", NULL, TABLE_TEXT, 12, 0},
    {"created_at", NULL, TABLE_TIME, 17, 0},
};

int seg_list(req *r)
{
    static const struct list_spec spec = {
        .name = "segments",
        .cols = segment_cols,
        .ncols = (int)(sizeof segment_cols / sizeof *segment_cols),
        .def_limit = 50,
        .max_limit = 500,
        .nkeys = 1,
        .page = segments_page,
    };
    return list_reply(r, &spec);
}
