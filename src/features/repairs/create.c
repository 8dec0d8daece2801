/* repairs: POST /api/v1/repairs: the customer matched or created, the unit, the model,
 * the outlet (named or routed) and the next repair code of the day. */
#include "base/audit.h"
#include "base/jsonv.h"
#include "features/common/common.h"
#include "features/customers/customers.h"
#include "features/network/network.h"
#include "features/repairs/internal.h"
#include "rules/warranty.h"

#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- creation */

struct new_repair {
    const char *customer, *name, *phone, *email, *model, *kind, *channel, *fault, *outlet;
    const char *actor;
    int64_t own_outlet; /* outlet staff's outlet, 0 for desk staff */
    char serial[WARRANTY_SERIAL_MAX + 1];
    int has_serial;
    /* filled by create_tx */
    const char *bad_field, *bad_reason, *bad_code;
    char code[24];
    char *routing_reason; /* malloc'd: why the outlet was chosen when routed automatically */
};

/* What create_tx found out before writing. */
struct found {
    int64_t cust, unit_id, model_id, line_id, outlet_id;
    char ccode[16];
};

/* Refuse the repair: rolled back and answered 422 with field and reason. Returns 1. */
static int refuse(struct new_repair *n, const char *field, const char *reason, const char *code)
{
    n->bad_field = field;
    n->bad_reason = reason;
    n->bad_code = code;
    return 1;
}

/* The customer named, or matched or created from name, phone and email. */
static int find_customer(db_conn *c, struct new_repair *n, struct found *f)
{
    if (n->customer) {
        int rc = customers_resolve(c, n->customer, &f->cust, f->ccode);
        if (rc == -1)
            return refuse(n, "customer", "unknown customer", NULL);
        return rc < 0 ? rc : 0;
    }
    int rc = customers_match_or_create(c, n->actor, n->name, n->phone, n->email, NULL, &f->cust,
                                       f->ccode);
    if (rc > 0)
        return refuse(n, customers_invalid_field(rc), customers_invalid_reason(rc), NULL);
    return rc < 0 ? rc : 0;
}

/* The unit by its serial (with its model), else the model named. */
static int find_unit_or_model(db_conn *c, struct new_repair *n, struct found *f)
{
    int rc;
    if (n->has_serial) {
        db_stmt *st = db_prepare(c, "SELECT u.id, u.model_id, m.product_line_id FROM units u"
                                    " JOIN models m ON m.id = u.model_id WHERE u.serial = ?");
        if (!st)
            return DB_ERROR;
        db_bind_text(st, 1, n->serial);
        rc = db_step(st);
        if (rc == DB_ROW) {
            f->unit_id = db_int(st, 0);
            f->model_id = db_int(st, 1);
            f->line_id = db_int(st, 2);
        }
        db_done(st);
        if (rc < 0)
            return rc;
    }
    if (f->unit_id)
        return 0;
    if (!n->model)
        return refuse(n, "model",
                      n->has_serial ? "the serial is unknown: give the model" : "give the serial or the model",
                      NULL);
    char um[48];
    snprintf(um, sizeof um, "%s", n->model);
    for (char *p = um; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 32);
    db_stmt *st = db_prepare(c, "SELECT id, product_line_id FROM models WHERE code = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, um);
    rc = db_step(st);
    if (rc == DB_ROW) {
        f->model_id = db_int(st, 0);
        f->line_id = db_int(st, 1);
    }
    db_done(st);
    if (rc < 0)
        return rc;
    return rc == DB_DONE ? refuse(n, "model", "unknown model", "unknown_model") : 0;
}

/* No outlet named: route by the customer's region and the product line (M6). */
static int route_outlet(db_conn *c, struct new_repair *n, struct found *f)
{
    char region[16] = "", line[40] = "";
    db_stmt *q = db_prepare(c, "SELECT cu.region, p.code FROM customers cu, product_lines p"
                               " WHERE cu.id = ? AND p.id = ?");
    if (!q)
        return DB_ERROR;
    db_bind_int(q, 1, f->cust);
    db_bind_int(q, 2, f->line_id);
    int rc = db_step(q);
    if (rc == DB_ROW) {
        snprintf(region, sizeof region, "%s", db_text(q, 0) ? db_text(q, 0) : "");
        snprintf(line, sizeof line, "%s", db_text(q, 1));
    }
    db_done(q);
    if (rc < 0)
        return rc;
    char *why = NULL;
    rc = *region ? network_suggest_outlet(c, region, line, &f->outlet_id, &why) : -2;
    if (rc == -1) {
        free(why);
        return DB_ERROR;
    }
    if (rc != 0) {
        free(why);
        return refuse(n, "outlet",
                      rc == -2 ? "required: the customer has no county-level region to route by"
                               : "required: no active outlet covers the customer's region for this product line",
                      NULL);
    }
    free(n->routing_reason);
    n->routing_reason = why;
    return 0;
}

/* Everything the repair refers to: customer, outlet, unit or model, routed outlet. 0, 1
 * (refused) or a negative db code. */
static int find_all(db_conn *c, struct new_repair *n, struct found *f)
{
    int rc = find_customer(c, n, f);
    if (rc != 0)
        return rc;
    f->outlet_id = n->own_outlet;
    if (!n->own_outlet && n->outlet) {
        rc = lookup_id(c, "SELECT id FROM outlets WHERE code = ? AND active = 1", n->outlet,
                           &f->outlet_id);
        if (rc < 0)
            return rc;
        if (rc == 1)
            return refuse(n, "outlet", "unknown or inactive outlet", NULL);
    }
    if ((rc = find_unit_or_model(c, n, f)) != 0)
        return rc;
    return f->outlet_id ? 0 : route_outlet(c, n, f);
}

/* A unit seen for the first time: known by its serial from now on (not registered for
 * warranty: it is paid unless registered before receipt). */
static int insert_unit(db_conn *c, const struct new_repair *n, struct found *f, int64_t now)
{
    db_stmt *st = db_prepare(c, "INSERT INTO units (serial, model_id, customer_id, created_at,"
                                " updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, n->serial);
    db_bind_int(st, 2, f->model_id);
    db_bind_int(st, 3, f->cust);
    db_bind_int(st, 4, now);
    db_bind_int(st, 5, now);
    int rc = db_step(st);
    if (rc == DB_ROW)
        f->unit_id = db_int(st, 0);
    db_done(st);
    return rc == DB_ROW ? 0 : rc < 0 ? rc : DB_ERROR;
}

/* The repair row under the day's next code, its first event and the audit entry. */
static int insert_repair(db_conn *c, struct new_repair *n, const struct found *f, int64_t now)
{
    int rc = code_next_daily(c, "repair", "R", 4, now, "SELECT 1 FROM repairs WHERE code = ?",
                             n->code, sizeof n->code);
    if (rc < 0)
        return rc;
    db_stmt *st = db_prepare(
        c, "INSERT INTO repairs (code, customer_id, unit_id, serial, model_id, product_line_id,"
           " outlet_id, kind, channel, status, fault, registered_at, created_at, updated_at)"
           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'registered', ?, ?, ?, ?) RETURNING id");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, n->code);
    db_bind_int(st, 2, f->cust);
    if (f->unit_id)
        db_bind_int(st, 3, f->unit_id);
    else
        db_bind_null(st, 3);
    db_bind_text(st, 4, n->has_serial ? n->serial : NULL);
    db_bind_int(st, 5, f->model_id);
    db_bind_int(st, 6, f->line_id);
    db_bind_int(st, 7, f->outlet_id);
    db_bind_text(st, 8, n->kind);
    db_bind_text(st, 9, n->channel);
    db_bind_text(st, 10, n->fault);
    db_bind_int(st, 11, now);
    db_bind_int(st, 12, now);
    db_bind_int(st, 13, now);
    rc = db_step(st);
    int64_t id = rc == DB_ROW ? db_int(st, 0) : 0;
    db_done(st);
    if (rc != DB_ROW)
        return rc < 0 ? rc : DB_ERROR;
    if ((rc = rep_event_add(c, id, "registered", now, n->actor)) < 0)
        return rc;
    json_t *detail = json_pack("{s:s, s:s?, s:s, s:s, s:s}", "customer", f->ccode, "serial",
                               n->has_serial ? n->serial : NULL, "kind", n->kind, "channel",
                               n->channel, "fault", n->fault);
    rc = audit_write(c, n->actor, "create", "repair", n->code, detail);
    json_decref(detail);
    return rc < 0 ? rc : 0;
}

/* One attempt for in_tx: 0 (commit), 1 (refused: roll back) or a negative db code. */
static int create_tx(db_conn *c, void *arg)
{
    struct new_repair *n = arg;
    struct found f = {0};
    n->bad_field = n->bad_reason = n->bad_code = NULL;
    int rc = find_all(c, n, &f);
    if (rc != 0)
        return rc;
    int64_t now = now_unix();
    if (n->has_serial && !f.unit_id && (rc = insert_unit(c, n, &f, now)) < 0)
        return rc;
    return insert_repair(c, n, &f, now);
}

/* Read the body into n; the errors go to v. */
static void read_new_repair(req *r, jsonv *v, struct new_repair *n)
{
    static const char *const allowed[] = {"customer", "name",  "phone", "email",  "serial",
                                          "model",    "kind",  "channel", "fault", "outlet", NULL};
    jsonv_only(v, allowed);
    n->customer = jsonv_str(v, "customer", 0, 16);
    n->name = jsonv_str(v, "name", 0, 100);
    n->phone = jsonv_str(v, "phone", 0, 40);
    n->email = jsonv_str(v, "email", 0, 254);
    const char *serial = jsonv_str(v, "serial", 0, 64);
    n->model = jsonv_str(v, "model", 0, 40);
    int has_kind = json_object_get(v->body, "kind") && !json_is_null(json_object_get(v->body, "kind"));
    int has_channel =
        json_object_get(v->body, "channel") && !json_is_null(json_object_get(v->body, "channel"));
    n->kind = has_kind ? jsonv_enum(v, "kind", 0, rep_kinds) : "carry_in";
    n->channel = has_channel ? jsonv_enum(v, "channel", 0, rep_channels)
                             : n->own_outlet ? "walk_in" : "phone";
    n->fault = jsonv_str(v, "fault", 1, 2000);
    n->outlet = jsonv_str(v, "outlet", 0, 16);
    if (n->model && !*n->model)
        n->model = NULL;
    if (n->phone && !*n->phone)
        n->phone = NULL;
    if (n->email && !*n->email)
        n->email = NULL;
    if (!n->customer && !n->name)
        jsonv_fail(v, "customer", "give a customer code, or the name and a phone or email");
    else if (!n->customer && !n->phone && !n->email)
        jsonv_fail(v, "phone", "a phone or an email is required for a new customer");
    if (n->own_outlet < 0)
        jsonv_fail(v, "outlet", "your account has no outlet");
    else if (n->own_outlet && n->outlet && *n->outlet &&
             strcmp(n->outlet, r->who.outlet_code ? r->who.outlet_code : "") != 0)
        jsonv_fail(v, "outlet", "outlet staff register repairs at their own outlet");
    if (n->outlet && !*n->outlet)
        n->outlet = NULL;
    if (serial && *serial) {
        if (warranty_serial_normalize(serial, n->serial) < 0)
            jsonv_fail(v, "serial", "4 to 32 letters, digits or dashes");
        else
            n->has_serial = 1;
    }
}

int repairs_create(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv v;
    jsonv_init(&v, body);
    struct new_repair n = {0};
    n.own_outlet = scope_outlet(r);
    n.actor = audit_actor(r);
    read_new_repair(r, &v, &n);
    int rc = 0;
    if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed", "the repair is not valid", jsonv_take(&v));
        goto cleanup;
    }
    db_conn *c = req_db(r);
    int t = 0;
    /* A unique clash (two first-time customers or units at once) is tried again. */
    for (int attempt = 0; attempt < 5; attempt++)
        if ((t = in_tx(c, create_tx, &n)) != DB_EUNIQUE)
            break;
    if (t < 0) {
        rc = reply_db_failure(r, t, "create repair");
        goto cleanup;
    }
    if (n.bad_field) {
        rc = reply_error(r, 422, n.bad_code ? n.bad_code : "validation_failed", n.bad_reason,
                         json_pack("{s:s}", n.bad_field, n.bad_reason));
        goto cleanup;
    }
    json_t *j = NULL;
    if (rep_repair_load(c, n.code, 0, r->who.role, &j, NULL) != 0) {
        rc = -1;
        goto cleanup;
    }
    if (n.routing_reason)
        json_object_set_new(j, "routing_reason", json_string(n.routing_reason));
    rc = reply_json(r, 201, j);
cleanup:
    free(n.routing_reason);
    jsonv_free(&v);
    json_decref(body);
    return rc;
}
