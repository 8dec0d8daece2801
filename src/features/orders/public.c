/* orders: the portal's order routes (no login): the accessories on sale, placing an
 * order (the customer matched or created from name and phone), and looking up,
 * changing or cancelling it by order code plus the phone's last four digits. A wrong
 * code and a wrong tail answer the same 404; repeated misses from one client address
 * answer 429, on the repair lookup's budget of misses (features/portal). */
#include <string.h>

#include "features/orders/internal.h"
#include "features/portal/portal.h"

static int not_found(req *r)
{
    return portal_miss(r, "no order with this code and phone number");
}

/* The public view of order code into a 200/201 answer. */
static int reply_public(req *r, int status, const char *code)
{
    db_conn *c = req_db(r);
    struct ord_row o;
    json_t *j = NULL;
    int rc = ord_load(c, code, &o);
    if (rc == 0)
        rc = ord_json(c, o.id, 0, &j);
    if (rc != 0)
        return reply_db_failure(r, rc < 0 ? rc : DB_ERROR, "order");
    return reply_json(r, status, j);
}

/* Run j and answer: the public view, a refusal, or the shared 404 (a miss). */
static int run_public(req *r, struct ord_job *j, const char *code)
{
    int rc = ord_run(req_db(r), j);
    if (rc < 0) {
        json_decref(j->a.body);
        return reply_db_failure(r, rc, "order");
    }
    if (j->a.status == 404)
        return not_found(r);
    if (j->a.status >= 300)
        return ord_reply(r, &j->a);
    const char *c = code ? code : json_string_value(json_object_get(j->a.body, "code"));
    char keep[24];
    snprintf(keep, sizeof keep, "%s", c ? c : "");
    int status = j->a.status;
    json_decref(j->a.body);
    return reply_public(r, status, keep);
}

/* Before any lookup: refused while the client is over its miss budget; the code and
 * tail shaped right (else a miss). 0 to go on, or 1 when answered. */
static int gate(req *r, int *rc)
{
    if (portal_blocked(r))
        return *rc = 0, 1;
    const char *code = req_param(r, "code");
    if (!portal_tail_ok(req_query(r, "phone_tail")) || !code || strlen(code) > 20)
        return *rc = not_found(r), 1;
    return 0;
}

int ord_public_get(req *r)
{
    int rc;
    if (gate(r, &rc))
        return rc;
    db_conn *c = req_db(r);
    struct ord_row o;
    rc = ord_load(c, req_param(r, "code"), &o);
    if (rc == 0) {
        int m = ord_tail_matches(c, &o, req_query(r, "phone_tail"));
        rc = m < 0 ? m : m ? 0 : 1;
    }
    if (rc < 0)
        return reply_db_failure(r, rc, "order");
    if (rc == 1)
        return not_found(r);
    return reply_public(r, 200, o.code);
}

int ord_public_place(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    static const char *const fields[] = {"name", "phone", "address", "note", "lines", NULL};
    jsonv v;
    jsonv_init(&v, body);
    jsonv_only(&v, fields);
    struct ord_line_in lines[ORD_MAX_LINES];
    struct ord_new n = {0};
    n.name = jsonv_str(&v, "name", 1, 100);
    n.phone = jsonv_str(&v, "phone", 1, 40);
    n.address = jsonv_str(&v, "address", 0, 300);
    n.note = jsonv_str(&v, "note", 0, 500);
    n.online = 1;
    n.nlines = ord_lines_read(&v, body, r->a, lines);
    n.lines = lines;
    if (!jsonv_ok(&v))
        return ord_invalid(r, &v, body);
    struct ord_job j = {.op = ORD_CREATE, .actor = "portal", .n = &n};
    int rc = run_public(r, &j, NULL);
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

int ord_public_patch(req *r)
{
    int rc;
    if (gate(r, &rc))
        return rc;
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    static const char *const fields[] = {"lines", NULL};
    jsonv v;
    jsonv_init(&v, body);
    jsonv_only(&v, fields);
    struct ord_line_in lines[ORD_MAX_LINES];
    int n = ord_lines_read(&v, body, r->a, lines);
    if (!jsonv_ok(&v))
        return ord_invalid(r, &v, body);
    struct ord_job j = {.op = ORD_MODIFY, .actor = "portal", .code = req_param(r, "code"),
                        .tail = req_query(r, "phone_tail"), .lines = lines, .nlines = n,
                        .online = 1};
    rc = run_public(r, &j, req_param(r, "code"));
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

int ord_public_cancel(req *r)
{
    int rc;
    if (gate(r, &rc))
        return rc;
    struct ord_job j = {.op = ORD_STEP, .actor = "portal", .code = req_param(r, "code"),
                        .tail = req_query(r, "phone_tail"), .to = OS_CANCELLED,
                        .note = "cancelled by the customer"};
    return run_public(r, &j, req_param(r, "code"));
}

/* The accessories on sale with their catalog price, for the portal's order form. */
int ord_public_accessories(req *r)
{
    db_conn *c = req_db(r);
    db_stmt *st = db_prepare(c, "SELECT p.number, p.description, p.description_en, p.price_fen, a.kind"
                                " FROM accessories a JOIN parts p ON p.id = a.part_id"
                                " ORDER BY a.sort, p.number");
    if (!st)
        return -1;
    json_t *items = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(
            items, json_pack("{s:s, s:s, s:s?, s:I, s:s}", "part", db_text(st, 0), "description",
                             db_text(st, 1), "description_en",
                             db_isnull(st, 2) ? NULL : db_text(st, 2), "price_fen",
                             (json_int_t)db_int(st, 3), "kind", db_text(st, 4)));
    db_done(st);
    if (rc < 0) {
        json_decref(items);
        return reply_db_failure(r, rc, "accessories");
    }
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}
