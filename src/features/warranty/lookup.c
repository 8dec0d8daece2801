/* warranty: a unit's registration as JSON, warranty lookup by serial (public and
 * staff), a customer's units, and the warranty route table. */
#include "features/common/common.h"
#include "features/customers/customers.h"
#include "features/warranty/internal.h"
#include "rules/warranty.h"

#include <stdlib.h>

/* The unit's registration as JSON (staff: with the owner). */
int wty_unit_json(db_conn *c, const char *serial, int staff, json_t **out)
{
    db_stmt *st = db_prepare(
        c, "SELECT u.serial, m.code, m.name, u.purchase_date, u.dealer, u.warranty_until,"
           " u.registered_at, cu.code, cu.name, u.registered_via, p.code, p.name"
           " FROM units u JOIN models m ON m.id = u.model_id"
           " JOIN product_lines p ON p.id = m.product_line_id"
           " LEFT JOIN customers cu ON cu.id = u.customer_id WHERE u.serial = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, serial);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        char today[11];
        dt_local_date(org_zone(c), now_unix(), today);
        json_t *j = json_pack(
            "{s:s, s:{s:s, s:s, s:{s:s, s:s}}, s:s?, s:s?, s:s?, s:b}", "serial", db_text(st, 0),
            "model", "code", db_text(st, 1), "name", db_text(st, 2), "product_line", "code",
            db_text(st, 10), "name", db_text(st, 11), "purchase_date", db_text(st, 3),
            "warranty_until", db_text(st, 5), staff ? "dealer" : "registered_via",
            staff ? db_text(st, 4) : NULL, "in_warranty", warranty_covers(db_text(st, 5), today));
        if (staff) {
            json_object_set_new(j, "registered_at", dt_json(db_isnull(st, 6) ? DT_NONE : db_int(st, 6)));
            json_object_set_new(j, "registered_via", db_isnull(st, 9) ? json_null()
                                                                     : json_string(db_text(st, 9)));
            json_object_set_new(j, "customer",
                                db_isnull(st, 7) ? json_null()
                                                 : json_pack("{s:s, s:s}", "code", db_text(st, 7),
                                                             "name", db_text(st, 8)));
        } else {
            json_object_del(j, "registered_via");
        }
        *out = j;
    }
    db_done(st);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? 1 : rc;
}

static int lookup(req *r, int staff)
{
    char serial[WARRANTY_SERIAL_MAX + 1];
    if (warranty_serial_normalize(req_param(r, "serial"), serial) < 0)
        return reply_error(r, 404, "not_found", "no registered unit with this serial", NULL);
    json_t *j = NULL;
    int rc = wty_unit_json(req_db(r), serial, staff, &j);
    if (rc < 0)
        return -1;
    /* The public sees registered units only. */
    if (rc == 1 || (!staff && json_is_null(json_object_get(j, "warranty_until")))) {
        json_decref(j);
        return reply_error(r, 404, "not_found", "no registered unit with this serial", NULL);
    }
    if (staff) {
        /* The unit's repairs, newest first (outlet staff: their outlet's only). */
        db_stmt *st = db_prepare(
            req_db(r), "SELECT r.code, r.status, r.registered_at FROM repairs r JOIN units u"
                       " ON u.id = r.unit_id WHERE u.serial = ?"
                       " AND (CAST(? AS BIGINT) = 0 OR r.outlet_id = ?) ORDER BY r.id DESC LIMIT 50");
        if (!st) {
            json_decref(j);
            return -1;
        }
        int64_t outlet = scope_outlet(r); /* -1: outlet staff of no outlet see none */
        db_bind_text(st, 1, serial);
        db_bind_int(st, 2, outlet);
        db_bind_int(st, 3, outlet);
        json_t *list = json_array();
        while (db_step(st) == DB_ROW)
            json_array_append_new(list, json_pack("{s:s, s:s, s:o}", "code", db_text(st, 0), "status",
                                                  db_text(st, 1), "registered_at",
                                                  dt_json(db_int(st, 2))));
        db_done(st);
        json_object_set_new(j, "repairs", list);
        if (r->who.role & ROLE_OUTLET_STAFF)
            json_object_del(j, "customer");
    }
    return reply_json(r, 200, j);
}

static int units_get(req *r)
{
    return lookup(r, 1);
}

static int warranty_public(req *r)
{
    return lookup(r, 0);
}

/* A customer's units (the agent's repair form prefills them), newest first. */
static int units_page(req *r, const struct page *p, json_t *items, const char **next)
{
    const char *code = req_query(r, "customer");
    if (!code || !*code) {
        reply_error(r, 422, "validation_failed", "customer is required",
                    json_pack("{s:s}", "customer", "required"));
        return LIST_ANSWERED;
    }
    int64_t after = page_after_id(r, p);
    if (after < 0)
        return LIST_ANSWERED;
    db_conn *c = req_db(r);
    int64_t cust = 0;
    int k = customers_resolve(c, code, &cust, NULL);
    if (k == -1) {
        reply_not_found(r, "customer");
        return LIST_ANSWERED;
    }
    if (k < 0)
        return -1;
    db_stmt *st = db_prepare(
        c, "SELECT u.serial, m.code, m.name, u.purchase_date, u.warranty_until, u.id FROM units u"
           " JOIN models m ON m.id = u.model_id WHERE u.customer_id = ?"
           " AND (CAST(? AS BIGINT) = 0 OR u.id < ?) ORDER BY u.id DESC LIMIT ?");
    if (!st)
        return -1;
    db_bind_int(st, 1, cust);
    db_bind_int(st, 2, after != 0);
    db_bind_int(st, 3, after);
    db_bind_int(st, 4, p->limit + 1);
    char today[11];
    dt_local_date(org_zone(c), now_unix(), today);
    long shown = 0;
    int64_t last = 0;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if (shown == p->limit) {
            *next = page_cursor_int(r->a, last);
            break;
        }
        json_array_append_new(items, json_pack("{s:s, s:{s:s, s:s}, s:s?, s:s?, s:b}", "serial",
                                               db_text(st, 0), "model", "code", db_text(st, 1), "name",
                                               db_text(st, 2), "purchase_date", db_text(st, 3),
                                               "warranty_until", db_text(st, 4), "in_warranty",
                                               warranty_covers(db_text(st, 4), today)));
        last = db_int(st, 5);
        shown++;
    }
    db_done(st);
    return rc < 0 ? -1 : 0;
}

static const struct table_col unit_cols[] = {
    {"serial", NULL, TABLE_TEXT, 18, 0},
    {"model", "model.code", TABLE_TEXT, 12, 0},
    {"model_name", "model.name", TABLE_TEXT, 20, 0},
    {"purchase_date", NULL, TABLE_TEXT, 13, 0},
    {"warranty_until", NULL, TABLE_TEXT, 14, 0},
    {"in_warranty", NULL, TABLE_TEXT, 11, 0},
};

/* At most 200 units a page, as when the list had one page only. */
static const struct list_spec units_spec = {
    "units", unit_cols, (int)(sizeof unit_cols / sizeof *unit_cols), 200, 200, 1, units_page,
};

static int units_list(req *r)
{
    return list_reply(r, &units_spec);
}

#define DESK (ROLE_ADMIN | ROLE_SUPERVISOR | ROLE_AGENT)

const struct route warranty_routes[] = {
    {"POST", "/api/v1/public/warranty-registrations", wty_registrations_public, 0,
     ROUTE_PUBLIC | ROUTE_LIMITED},
    {"GET", "/api/v1/public/warranty/:serial", warranty_public, 0, ROUTE_PUBLIC | ROUTE_LIMITED},
    {"POST", "/api/v1/warranty-registrations", wty_registrations_staff, DESK | ROLE_OUTLET_STAFF,
     0},
    {"GET", "/api/v1/units", units_list, DESK | ROLE_OUTLET_STAFF, 0},
    {"GET", "/api/v1/units/:serial", units_get, ROLE_ANY, 0},
    {0},
};
