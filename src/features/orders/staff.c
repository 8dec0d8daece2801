/* orders: the staff routes: the order list (confined to an outlet's own for outlet
 * staff; CSV/XLSX), one order, taking an order at an outlet, changing its lines, moving
 * it through its states, and recording payment. */
#include <string.h>

#include "base/arena.h"
#include "base/audit.h"
#include "features/orders/internal.h"

static const char *const statuses[] = {"placed", "confirmed", "picked", "shipped", "delivered",
                                       "cancelled", "returned", NULL};
static const char *const methods[] = {"cash", "card", "wechat", "alipay", "transfer", "other", NULL};

static int one_of(const char *v, const char *const *allowed)
{
    for (int i = 0; allowed[i]; i++)
        if (strcmp(v, allowed[i]) == 0)
            return 1;
    return 0;
}

static int order_item(db_conn *c, int64_t id, json_t **out)
{
    int rc = ord_json(c, id, 1, out);
    if (rc == 0) {
        json_t *cu = json_object_get(*out, "customer");
        json_object_set(*out, "customer_code", json_object_get(cu, "code"));
        json_object_set(*out, "customer_name", json_object_get(cu, "name"));
        json_object_set(*out, "paid", json_object_get(json_object_get(*out, "payment"), "paid"));
    }
    return rc;
}

/* Newest first, filtered by ?status=, ?channel=, ?outlet=, ?paid=. */
static int list_page(req *r, const struct page *p, json_t *items, const char **next)
{
    const char *status = req_query(r, "status"), *channel = req_query(r, "channel"),
               *oc = req_query(r, "outlet"), *paid = req_query(r, "paid");
    status = status && *status ? status : NULL;
    channel = channel && *channel ? channel : NULL;
    paid = paid && *paid ? paid : NULL;
    if (status && !one_of(status, statuses))
        return reply_bad_param(r, "status", "one of placed, confirmed, picked, shipped, delivered,"
                                            " cancelled, returned"), LIST_ANSWERED;
    if (channel && strcmp(channel, "online") && strcmp(channel, "outlet"))
        return reply_bad_param(r, "channel", "online or outlet"), LIST_ANSWERED;
    if (paid && strcmp(paid, "true") && strcmp(paid, "false"))
        return reply_bad_param(r, "paid", "true or false"), LIST_ANSWERED;
    db_conn *c = req_db(r);
    int64_t asked = 0, scope = scope_outlet(r);
    if (oc && *oc) {
        int rc = lookup_id(c, "SELECT id FROM outlets WHERE code = ?", oc, &asked);
        if (rc < 0)
            return -1;
        if (rc == 1)
            return reply_bad_param(r, "outlet", "the code of an outlet"), LIST_ANSWERED;
    }
    db_stmt *st = db_prepare(
        c, "SELECT id FROM orders WHERE id < ? AND (CAST(? AS TEXT) IS NULL OR status = ?)"
           " AND (CAST(? AS TEXT) IS NULL OR channel = ?) AND (CAST(? AS BIGINT) = 0 OR outlet_id = ?)"
           " AND (CAST(? AS BIGINT) = 0 OR outlet_id = ?) AND (CAST(? AS BIGINT) < 0 OR paid = ?)"
           " ORDER BY id DESC LIMIT ?");
    if (!st)
        return -1;
    int64_t pv = !paid ? -1 : strcmp(paid, "true") == 0;
    db_bind_int(st, 1, p->nkeys ? page_key_int(p, 0) : INT64_MAX);
    db_bind_text(st, 2, status);
    db_bind_text(st, 3, status);
    db_bind_text(st, 4, channel);
    db_bind_text(st, 5, channel);
    db_bind_int(st, 6, scope);
    db_bind_int(st, 7, scope);
    db_bind_int(st, 8, asked);
    db_bind_int(st, 9, asked);
    db_bind_int(st, 10, pv);
    db_bind_int(st, 11, pv);
    db_bind_int(st, 12, p->limit + 1);
    return list_ids_page(r, p, st, order_item, items, next);
}

static const struct table_col cols[] = {
    {"code", NULL, TABLE_TEXT, 14, 0},          {"status", NULL, TABLE_TEXT, 11, 0},
    {"channel", NULL, TABLE_TEXT, 8, 0},        {"outlet", NULL, TABLE_TEXT, 9, 0},
    {"customer", "customer_code", TABLE_TEXT, 12, 0},
    {"customer_name", NULL, TABLE_TEXT, 14, 0}, {"contact_phone", NULL, TABLE_TEXT, 14, 0},
    {"total_fen", NULL, TABLE_INT, 10, 0},      {"paid", NULL, TABLE_TEXT, 6, 0},
    {"placed_at", NULL, TABLE_TIME, 17, 0},     {"shipped_at", NULL, TABLE_TIME, 17, 0},
};

int ord_list(req *r)
{
    static const struct list_spec spec = {
        .name = "orders", .cols = cols, .ncols = (int)(sizeof cols / sizeof *cols),
        .def_limit = 50, .max_limit = 500, .nkeys = 1, .page = list_page,
    };
    return list_reply(r, &spec);
}

int ord_get(req *r)
{
    db_conn *c = req_db(r);
    struct ord_row o;
    int rc = ord_load(c, req_param(r, "code"), &o);
    if (rc < 0)
        return reply_db_failure(r, rc, "order");
    if (rc == 1 || !scope_sees(r, o.outlet_id))
        return reply_not_found(r, "order");
    json_t *j = NULL;
    if ((rc = ord_json(c, o.id, 1, &j)) != 0)
        return rc == 1 ? reply_not_found(r, "order") : reply_db_failure(r, rc, "order");
    return reply_json(r, 200, j);
}

/* Run j and answer it (the answer's body, or its error). */
static int run_reply(req *r, struct ord_job *j)
{
    int rc = ord_run(req_db(r), j);
    if (rc < 0) {
        json_decref(j->a.body);
        return reply_db_failure(r, rc, "order");
    }
    return ord_reply(r, &j->a);
}

int ord_post(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    static const char *const fields[] = {"customer", "name", "phone", "address", "note",
                                         "outlet", "lines", NULL};
    jsonv v;
    jsonv_init(&v, body);
    jsonv_only(&v, fields);
    struct ord_line_in lines[ORD_MAX_LINES];
    struct ord_new n = {0};
    n.customer_code = jsonv_str(&v, "customer", 0, 16);
    if (n.customer_code && !*n.customer_code)
        n.customer_code = NULL;
    n.name = jsonv_str(&v, "name", !n.customer_code, 100);
    n.phone = jsonv_str(&v, "phone", !n.customer_code, 40);
    n.address = jsonv_str(&v, "address", 0, 300);
    n.note = jsonv_str(&v, "note", 0, 500);
    const char *outlet = jsonv_str(&v, "outlet", 0, 40);
    n.nlines = ord_lines_read(&v, body, r->a, lines);
    n.lines = lines;
    db_conn *c = req_db(r);
    if (r->who.role & ROLE_OUTLET_STAFF) {
        if (outlet && *outlet && strcmp(outlet, r->who.outlet_code ? r->who.outlet_code : ""))
            jsonv_fail(&v, "outlet", "outlet staff take orders at their own outlet");
        n.outlet_id = r->who.outlet_id;
        if (!n.outlet_id)
            jsonv_fail(&v, "outlet", "you belong to no outlet");
    } else if (outlet && *outlet) {
        int rc = lookup_id(c, "SELECT id FROM outlets WHERE code = ?", outlet, &n.outlet_id);
        if (rc < 0) {
            jsonv_free(&v);
            json_decref(body);
            return reply_db_failure(r, rc, "order");
        }
        if (rc == 1)
            jsonv_fail(&v, "outlet", "the code of an outlet");
    }
    if (!jsonv_ok(&v))
        return ord_invalid(r, &v, body);
    struct ord_job j = {.op = ORD_CREATE, .actor = audit_actor(r), .r = r, .n = &n};
    int rc = run_reply(r, &j);
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

/* The body of a write to one order: its fields read by fn into j after "version". */
static int order_write(req *r, const char *const *fields,
                       void (*fn)(req *r, jsonv *v, json_t *body, struct ord_job *j),
                       struct ord_job *j)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv v;
    jsonv_init(&v, body);
    jsonv_only(&v, fields);
    long long version = 0;
    jsonv_int_range(&v, "version", 1, 1, INT64_MAX, &version);
    fn(r, &v, body, j);
    if (!jsonv_ok(&v))
        return ord_invalid(r, &v, body);
    j->actor = audit_actor(r);
    j->code = req_param(r, "code");
    j->r = r;
    j->version = (int64_t)version;
    int rc = run_reply(r, j);
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

static void read_patch(req *r, jsonv *v, json_t *body, struct ord_job *j)
{
    struct ord_line_in *l = arena_alloc(r->a, sizeof *l * ORD_MAX_LINES);
    j->nlines = ord_lines_read(v, body, r->a, l);
    j->lines = l;
}

int ord_patch(req *r)
{
    static const char *const fields[] = {"version", "lines", NULL};
    struct ord_job j = {.op = ORD_MODIFY};
    return order_write(r, fields, read_patch, &j);
}

static void read_step(req *r, jsonv *v, json_t *body, struct ord_job *j)
{
    (void)r;
    (void)body;
    const char *to = jsonv_enum(v, "to", 1, statuses);
    j->to = (enum order_status)(to ? order_status_parse(to) : 0);
    j->note = jsonv_str(v, "note", 0, 500);
}

int ord_step(req *r)
{
    static const char *const fields[] = {"version", "to", "note", NULL};
    struct ord_job j = {.op = ORD_STEP};
    return order_write(r, fields, read_step, &j);
}

static void read_pay(req *r, jsonv *v, json_t *body, struct ord_job *j)
{
    (void)r;
    (void)body;
    jsonv_bool(v, "paid", 1, &j->paid);
    j->method = jsonv_enum(v, "method", j->paid, methods);
    j->reference = jsonv_str(v, "reference", 0, 100);
    if (j->reference && !*j->reference)
        j->reference = NULL;
}

int ord_pay(req *r)
{
    static const char *const fields[] = {"version", "paid", "method", "reference", NULL};
    struct ord_job j = {.op = ORD_PAY};
    return order_write(r, fields, read_pay, &j);
}
