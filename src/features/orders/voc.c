/* orders: voice of the customer (M11, issue 13 item 2), the staff side of the feedback
 * store: the list (status, category, outlet, channel or source, received from/to; an
 * outlet's staff see only their outlet's; CSV/XLSX), one item, its change checked by
 * version (status new -> in_progress -> closed, a closed one reopened to in_progress;
 * category; outlet reassignment by staff who see every outlet; a note), and feedback
 * taken at the counter. */
#include <string.h>

#include "base/audit.h"
#include "base/jsonv.h"
#include "features/orders/internal.h"

static const char *const statuses[] = {"new", "in_progress", "closed", NULL};

#define FB_COLS                                                                                \
    "f.id, f.code, f.channel, f.category, f.status, f.text, f.contact, cu.code, o.code,"       \
    " f.received_at, f.note, f.version, f.updated_at, f.updated_by, f.taken_by, f.outlet_id"   \
    " FROM feedback f LEFT JOIN customers cu ON cu.id = f.customer_id"                         \
    " LEFT JOIN outlets o ON o.id = f.outlet_id"

static json_t *opt_text(db_stmt *st, int col)
{
    return db_isnull(st, col) ? json_null() : json_string(db_text(st, col));
}

static json_t *fb_json(db_stmt *st)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:I, s:o, s:o, s:o}",
                     "code", db_text(st, 1), "channel", db_text(st, 2), "category",
                     db_text(st, 3), "status", db_text(st, 4), "text", db_text(st, 5),
                     "contact", opt_text(st, 6), "customer", opt_text(st, 7), "outlet",
                     opt_text(st, 8), "received_at", dt_json(db_int(st, 9)), "note",
                     opt_text(st, 10), "version", (json_int_t)db_int(st, 11), "updated_at",
                     db_isnull(st, 12) ? json_null() : dt_json(db_int(st, 12)), "updated_by",
                     opt_text(st, 13), "taken_by", opt_text(st, 14));
}

/* A day parameter as a local midnight (+1 day for `to`); 0 absent, -1 bad. */
static int64_t day_param(req *r, const char *name, int next)
{
    const char *s = req_query(r, name);
    int y, m, d;
    if (!s || !*s)
        return 0;
    if (dt_parse_date(s, &y, &m, &d) != 0)
        return -1;
    return dt_local_midnight(org_zone(req_db(r)), y, m, d) + (next ? 86400 : 0);
}

static int fb_page(req *r, const struct page *p, json_t *items, const char **next)
{
    int ok = 1;
    const char *st_ = query_one_of(r, "status", statuses, &ok);
    if (!ok)
        return reply_bad_param(r, "status", "one of new, in_progress, closed"), LIST_ANSWERED;
    const char *cat = query_one_of(r, "category", ord_fb_categories, &ok);
    if (!ok)
        return reply_bad_param(r, "category", "one of praise, suggestion, complaint, product,"
                                              " service, other"), LIST_ANSWERED;
    const char *ch = query_one_of(r, "channel", ord_fb_channels, &ok);
    if (ok && !ch)
        ch = query_one_of(r, "source", ord_fb_channels, &ok);
    if (!ok)
        return reply_bad_param(r, "channel", "one of portal, kiosk, counter"), LIST_ANSWERED;
    int64_t from = day_param(r, "from", 0), to = day_param(r, "to", 1);
    if (from < 0 || to < 0)
        return reply_bad_param(r, from < 0 ? "from" : "to", "a date YYYY-MM-DD"), LIST_ANSWERED;
    db_conn *c = req_db(r);
    int64_t outlet = 0;
    const char *oc = req_query(r, "outlet");
    if (oc && *oc) {
        int rc = lookup_id(c, "SELECT id FROM outlets WHERE code = ?", oc, &outlet);
        if (rc == 1)
            return reply_bad_param(r, "outlet", "the code of an outlet"), LIST_ANSWERED;
        if (rc < 0)
            return -1;
    }
    int64_t scope = scope_outlet(r);
    db_stmt *st = db_prepare(
        c, "SELECT " FB_COLS " WHERE f.id < ? AND (CAST(? AS TEXT) IS NULL OR f.status = ?)"
           " AND (CAST(? AS TEXT) IS NULL OR f.category = ?) AND (CAST(? AS TEXT) IS NULL OR f.channel = ?)"
           " AND (CAST(? AS BIGINT) = 0 OR f.outlet_id = ?) AND (CAST(? AS BIGINT) = 0 OR f.outlet_id = ?)"
           " AND f.received_at >= ? AND (CAST(? AS BIGINT) = 0 OR f.received_at < ?)"
           " ORDER BY f.id DESC LIMIT ?");
    if (!st)
        return -1;
    db_bind_int(st, 1, p->nkeys ? page_key_int(p, 0) : INT64_MAX);
    const char *texts[] = {st_, cat, ch};
    for (int i = 0; i < 3; i++) {
        db_bind_text(st, 2 + 2 * i, texts[i]);
        db_bind_text(st, 3 + 2 * i, texts[i]);
    }
    db_bind_int(st, 8, scope);
    db_bind_int(st, 9, scope);
    db_bind_int(st, 10, outlet);
    db_bind_int(st, 11, outlet);
    db_bind_int(st, 12, from);
    db_bind_int(st, 13, to);
    db_bind_int(st, 14, to);
    db_bind_int(st, 15, p->limit + 1);
    return list_rows_page(r, p, st, fb_json, 0, items, next);
}

static const struct table_col fb_cols[] = {
    {"code", NULL, TABLE_TEXT, 12, 0},     {"received_at", NULL, TABLE_TIME, 17, 0},
    {"channel", NULL, TABLE_TEXT, 8, 0},   {"category", NULL, TABLE_TEXT, 11, 0},
    {"outlet", NULL, TABLE_TEXT, 9, 0},    {"customer", NULL, TABLE_TEXT, 12, 0},
    {"contact", NULL, TABLE_TEXT, 16, 0},  {"text", NULL, TABLE_TEXT, 50, 0},
    {"status", NULL, TABLE_TEXT, 11, 0},   {"note", NULL, TABLE_TEXT, 30, 0},
};

int ord_feedback_list(req *r)
{
    static const struct list_spec spec = {
        .name = "feedback", .cols = fb_cols, .ncols = (int)(sizeof fb_cols / sizeof *fb_cols),
        .def_limit = 50, .max_limit = 500, .nkeys = 1, .page = fb_page,
    };
    return list_reply(r, &spec);
}

/* The item of code as JSON into *out when r may see it: 0, 1 (none or hidden), db code. */
static int fb_load(req *r, const char *code, json_t **out, int64_t *id, int64_t *version,
                   char status[16])
{
    db_stmt *st = db_prepare(req_db(r), "SELECT " FB_COLS " WHERE f.code = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, code);
    int s = db_step(st);
    int rc = s == DB_ROW ? 0 : s == DB_DONE ? 1 : s;
    if (s == DB_ROW && !scope_sees(r, db_isnull(st, 15) ? 0 : db_int(st, 15)))
        rc = 1;
    if (rc == 0) {
        if (out)
            *out = fb_json(st);
        if (id)
            *id = db_int(st, 0);
        if (version)
            *version = db_int(st, 11);
        if (status)
            snprintf(status, 16, "%s", db_text(st, 4));
    }
    db_done(st);
    return rc;
}

int ord_feedback_get(req *r)
{
    json_t *j = NULL;
    int rc = fb_load(r, req_param(r, "code"), &j, NULL, NULL, NULL);
    if (rc < 0)
        return reply_db_failure(r, rc, "feedback");
    if (rc == 1)
        return reply_not_found(r, "feedback");
    return reply_json(r, 200, j);
}

struct fb_change {
    req *r;
    const char *code, *status, *category, *outlet, *note;
    int set_outlet, set_note;
    long long version;
    int state; /* 0 done, 1 not found, 2 stale, 3 bad transition, 4 outlet gone */
    char from[16];
};

static int transition_ok(const char *from, const char *to)
{
    return strcmp(from, to) == 0 || (strcmp(from, "new") == 0 && strcmp(to, "in_progress") == 0) ||
           (strcmp(from, "in_progress") == 0 && strcmp(to, "closed") == 0) ||
           (strcmp(from, "closed") == 0 && strcmp(to, "in_progress") == 0);
}

static int change_tx(db_conn *c, void *arg)
{
    struct fb_change *g = arg;
    int64_t id = 0, version = 0, outlet = 0;
    int rc = fb_load(g->r, g->code, NULL, &id, &version, g->from);
    g->state = rc == 1 ? 1 : 0;
    if (rc)
        return rc < 0 ? rc : 1;
    if (version != g->version)
        return g->state = 2, 1;
    if (g->status && !transition_ok(g->from, g->status))
        return g->state = 3, 1;
    if (g->set_outlet && g->outlet) {
        rc = lookup_id(c, "SELECT id FROM outlets WHERE code = ?", g->outlet, &outlet);
        if (rc)
            return rc < 0 ? rc : (g->state = 4, 1);
    }
    int64_t n = db_exec(c,
                        "UPDATE feedback SET status = COALESCE(CAST(? AS TEXT), status),"
                        " category = COALESCE(CAST(? AS TEXT), category),"
                        " outlet_id = CASE WHEN CAST(? AS BIGINT) = 1 THEN NULLIF(CAST(? AS BIGINT), 0) ELSE outlet_id END,"
                        " note = CASE WHEN CAST(? AS BIGINT) = 1 THEN CAST(? AS TEXT) ELSE note END,"
                        " version = version + 1, updated_at = ?, updated_by = ?"
                        " WHERE id = ? AND version = ?",
                        "ttiiititiii", g->status, g->category, (int64_t)g->set_outlet, outlet,
                        (int64_t)g->set_note, g->note, now_unix(), audit_actor(g->r), id,
                        (int64_t)g->version);
    if (n != 1)
        return n < 0 ? (int)n : (g->state = 2, 1);
    json_t *d = json_object();
    if (g->status)
        json_object_set_new(d, "status", json_pack("[ss]", g->from, g->status));
    if (g->category)
        json_object_set_new(d, "category", json_string(g->category));
    if (g->set_outlet)
        json_object_set_new(d, "outlet", g->outlet ? json_string(g->outlet) : json_null());
    if (g->set_note)
        json_object_set_new(d, "note", json_true());
    rc = audit_write(c, audit_actor(g->r), "update", "feedback", g->code, d);
    json_decref(d);
    return rc;
}

int ord_feedback_patch(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    static const char *const fields[] = {"version", "status", "category", "outlet", "note", NULL};
    jsonv v;
    jsonv_init(&v, body);
    jsonv_only(&v, fields);
    struct fb_change g = {.r = r, .code = req_param(r, "code")};
    jsonv_int_range(&v, "version", 1, 1, INT32_MAX, &g.version);
    g.status = jsonv_enum(&v, "status", 0, statuses);
    g.category = jsonv_enum(&v, "category", 0, ord_fb_categories);
    json_t *o = json_object_get(body, "outlet"), *n = json_object_get(body, "note");
    g.set_outlet = o != NULL;
    g.outlet = o && !json_is_null(o) ? jsonv_str(&v, "outlet", 0, 40) : NULL;
    g.set_note = n != NULL;
    g.note = n && !json_is_null(n) ? jsonv_str(&v, "note", 0, 2000) : NULL;
    if (g.set_outlet && scope_outlet(r) != 0)
        jsonv_fail(&v, "outlet", "only staff who see every outlet reassign feedback");
    if (jsonv_ok(&v) && !g.status && !g.category && !g.set_outlet && !g.set_note)
        jsonv_fail(&v, "status", "nothing to change");
    int rc;
    if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed", "the change is not valid", jsonv_take(&v));
    } else if ((rc = in_tx(req_db(r), change_tx, &g)) < 0) {
        rc = reply_db_failure(r, rc, "feedback change");
    } else if (g.state == 1) {
        rc = reply_not_found(r, "feedback");
    } else if (g.state == 2) {
        rc = reply_error(r, 409, "stale_version", "the feedback was changed by someone else; reload it",
                         json_pack("{s:s}", "version", "stale"));
    } else if (g.state == 3) {
        rc = reply_error(r, 422, "validation_failed", "the status cannot go that way",
                         json_pack("{s:s}", "status", "new -> in_progress -> closed"));
    } else if (g.state == 4) {
        rc = reply_error(r, 422, "validation_failed", "the change is not valid",
                         json_pack("{s:s}", "outlet", "the code of an outlet"));
    } else {
        rc = ord_feedback_get(r);
    }
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

/* Feedback taken at the counter by staff: the staff's outlet for outlet staff; under the
 * customer named by code, else the one the contact matches, else anonymous. */
int ord_feedback_counter(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    static const char *const fields[] = {"category", "text", "contact", "customer", "outlet", NULL};
    jsonv v;
    jsonv_init(&v, body);
    jsonv_only(&v, fields);
    struct fb_job j = {.channel = "counter", .taken_by = audit_actor(r)};
    ord_fb_read(&v, &j);
    const char *cust = jsonv_str(&v, "customer", 0, 16);
    if (scope_outlet(r) != 0) {
        if (j.outlet && (!r->who.outlet_code || strcmp(j.outlet, r->who.outlet_code) != 0))
            jsonv_fail(&v, "outlet", "outlet staff take feedback for their own outlet");
        j.outlet = r->who.outlet_code;
    }
    int rc = 0;
    if (jsonv_ok(&v) && cust && *cust) {
        rc = lookup_id(req_db(r), "SELECT COALESCE(merged_into, id) FROM customers WHERE code = ?"
                                  " AND erased_at IS NULL", cust, &j.customer_id);
        if (rc == 1)
            jsonv_fail(&v, "customer", "the code of a customer");
    }
    return ord_fb_finish(r, &v, body, &j, rc);
}
