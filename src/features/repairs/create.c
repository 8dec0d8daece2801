/* repairs: POST /api/v1/repairs: the customer matched or created, the unit, the model,
 * the outlet (named or routed) and the next repair code of the day. */
#include "base/audit.h"
#include "base/jsonv.h"
#include "features/customers/customers.h"
#include "features/network.h"
#include "features/repairs/internal.h"
#include "rules/warranty.h"

#include <stdlib.h>
#include <string.h>

/* The next free repair code of the local day of `now`, from the counters table (inside
 * the write transaction: the counter row lock serialises concurrent creations on both
 * backends). Codes taken by imports are skipped. */
static int next_code(db_conn *c, int64_t now, char out[24])
{
    char day[11], name[24];
    rep_local_date(now, day);
    snprintf(name, sizeof name, "repair:%.2s%.2s%.2s", day + 2, day + 5, day + 8);
    if (db_exec(c, "INSERT INTO counters (name, value) VALUES (?, 0) ON CONFLICT (name) DO NOTHING",
                "t", name) < 0)
        return DB_ERROR;
    for (int tries = 0; tries < 1000; tries++) {
        db_stmt *st = db_prepare(c, "UPDATE counters SET value = value + 1 WHERE name = ? RETURNING value");
        if (!st)
            return DB_ERROR;
        db_bind_text(st, 1, name);
        int rc = db_step(st);
        int64_t v = rc == DB_ROW ? db_int(st, 0) : 0;
        db_done(st);
        if (rc != DB_ROW)
            return rc < 0 ? rc : DB_ERROR;
        snprintf(out, 24, "R%.2s%.2s%.2s%04lld", day + 2, day + 5, day + 8, (long long)v);
        int64_t id;
        rc = rep_lookup_id(c, "SELECT id FROM repairs WHERE code = ?", out, &id);
        if (rc < 0)
            return rc;
        if (rc == 1)
            return 0;
    }
    return DB_ERROR;
}

/* ---------------------------------------------------------------- creation */

struct new_repair {
    const char *customer, *name, *phone, *email, *model, *kind, *channel, *fault, *outlet;
    char serial[WARRANTY_SERIAL_MAX + 1];
    int has_serial;
    /* filled by create_tx */
    const char *bad_field, *bad_reason, *bad_code;
    char code[24];
    char *routing_reason; /* malloc'd: why the outlet was chosen when routed automatically */
};

static int create_tx(db_conn *c, const char *actor, int64_t own_outlet, struct new_repair *n)
{
    int64_t cust = 0, unit_id = 0, model_id = 0, line_id = 0, outlet_id = own_outlet;
    int rc;
    char ccode[16];
    if (n->customer) {
        rc = customers_resolve(c, n->customer, &cust, ccode);
        if (rc == -1) {
            n->bad_field = "customer";
            n->bad_reason = "unknown customer";
            return 0;
        }
        if (rc < 0)
            return rc;
    } else {
        rc = customers_match_or_create(c, actor, n->name, n->phone, n->email, NULL, &cust, ccode);
        if (rc > 0) {
            n->bad_field = customers_invalid_field(rc);
            n->bad_reason = customers_invalid_reason(rc);
            return 0;
        }
        if (rc < 0)
            return rc;
    }
    if (!own_outlet && n->outlet) {
        rc = rep_lookup_id(c, "SELECT id FROM outlets WHERE code = ? AND active = 1", n->outlet,
                           &outlet_id);
        if (rc < 0)
            return rc;
        if (rc == 1) {
            n->bad_field = "outlet";
            n->bad_reason = "unknown or inactive outlet";
            return 0;
        }
    }
    if (n->has_serial) {
        db_stmt *st = db_prepare(c, "SELECT u.id, u.model_id, m.product_line_id FROM units u"
                                    " JOIN models m ON m.id = u.model_id WHERE u.serial = ?");
        if (!st)
            return DB_ERROR;
        db_bind_text(st, 1, n->serial);
        rc = db_step(st);
        if (rc == DB_ROW) {
            unit_id = db_int(st, 0);
            model_id = db_int(st, 1);
            line_id = db_int(st, 2);
        }
        db_done(st);
        if (rc < 0)
            return rc;
    }
    if (!unit_id) {
        if (!n->model) {
            n->bad_field = "model";
            n->bad_reason = n->has_serial ? "the serial is unknown: give the model"
                                          : "give the serial or the model";
            return 0;
        }
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
            model_id = db_int(st, 0);
            line_id = db_int(st, 1);
        }
        db_done(st);
        if (rc < 0)
            return rc;
        if (rc == DB_DONE) {
            n->bad_field = "model";
            n->bad_reason = "unknown model";
            n->bad_code = "unknown_model";
            return 0;
        }
    }
    if (!outlet_id) {
        /* No outlet named: route by the customer's region and the product line (M6). */
        char region[16] = "", line[40] = "";
        db_stmt *q = db_prepare(c, "SELECT cu.region, p.code FROM customers cu, product_lines p"
                                   " WHERE cu.id = ? AND p.id = ?");
        if (!q)
            return DB_ERROR;
        db_bind_int(q, 1, cust);
        db_bind_int(q, 2, line_id);
        if ((rc = db_step(q)) == DB_ROW) {
            snprintf(region, sizeof region, "%s", db_text(q, 0) ? db_text(q, 0) : "");
            snprintf(line, sizeof line, "%s", db_text(q, 1));
        }
        db_done(q);
        if (rc < 0)
            return rc;
        char *why = NULL;
        rc = *region ? network_suggest_outlet(c, region, line, &outlet_id, &why) : -2;
        if (rc == -1) {
            free(why);
            return DB_ERROR;
        }
        if (rc != 0) {
            n->bad_field = "outlet";
            n->bad_reason = rc == -2 ? "required: the customer has no county-level region to route by"
                                     : "required: no active outlet covers the customer's region for this product line";
            free(why);
            return 0;
        }
        free(n->routing_reason);
        n->routing_reason = why;
    }
    int64_t now = now_unix();
    if (n->has_serial && !unit_id) {
        /* A unit seen for the first time: known by its serial from now on (not registered
         * for warranty: it is paid unless registered before receipt). */
        db_stmt *st = db_prepare(c, "INSERT INTO units (serial, model_id, customer_id, created_at,"
                                    " updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id");
        if (!st)
            return DB_ERROR;
        db_bind_text(st, 1, n->serial);
        db_bind_int(st, 2, model_id);
        db_bind_int(st, 3, cust);
        db_bind_int(st, 4, now);
        db_bind_int(st, 5, now);
        rc = db_step(st);
        if (rc == DB_ROW)
            unit_id = db_int(st, 0);
        db_done(st);
        if (rc != DB_ROW)
            return rc < 0 ? rc : DB_ERROR;
    }
    if ((rc = next_code(c, now, n->code)) < 0)
        return rc;
    db_stmt *st = db_prepare(
        c, "INSERT INTO repairs (code, customer_id, unit_id, serial, model_id, product_line_id,"
           " outlet_id, kind, channel, status, fault, registered_at, created_at, updated_at)"
           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'registered', ?, ?, ?, ?) RETURNING id");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, n->code);
    db_bind_int(st, 2, cust);
    if (unit_id)
        db_bind_int(st, 3, unit_id);
    else
        db_bind_null(st, 3);
    db_bind_text(st, 4, n->has_serial ? n->serial : NULL);
    db_bind_int(st, 5, model_id);
    db_bind_int(st, 6, line_id);
    db_bind_int(st, 7, outlet_id);
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
    if ((rc = (int)db_exec(c,
                           "INSERT INTO repair_events (repair_id, status, at, actor) VALUES (?, 'registered', ?, ?)",
                           "iit", id, now, actor)) < 0)
        return rc;
    json_t *detail = json_pack("{s:s, s:s?, s:s, s:s, s:s}", "customer", ccode, "serial",
                               n->has_serial ? n->serial : NULL, "kind", n->kind, "channel",
                               n->channel, "fault", n->fault);
    rc = audit_write(c, actor, "create", "repair", n->code, detail);
    json_decref(detail);
    return rc < 0 ? rc : 0;
}

int repairs_create(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    static const char *const allowed[] = {"customer", "name",  "phone", "email",  "serial",
                                          "model",    "kind",  "channel", "fault", "outlet", NULL};
    jsonv v;
    jsonv_init(&v, body);
    jsonv_only(&v, allowed);
    struct new_repair n = {0};
    n.customer = jsonv_str(&v, "customer", 0, 16);
    n.name = jsonv_str(&v, "name", 0, 100);
    n.phone = jsonv_str(&v, "phone", 0, 40);
    n.email = jsonv_str(&v, "email", 0, 254);
    const char *serial = jsonv_str(&v, "serial", 0, 64);
    n.model = jsonv_str(&v, "model", 0, 40);
    n.kind = jsonv_str(&v, "kind", 0, 16);
    n.channel = jsonv_str(&v, "channel", 0, 16);
    n.fault = jsonv_str(&v, "fault", 1, 2000);
    n.outlet = jsonv_str(&v, "outlet", 0, 16);
    int64_t own = rep_confined_outlet(r);
    if (n.model && !*n.model)
        n.model = NULL;
    if (n.phone && !*n.phone)
        n.phone = NULL;
    if (n.email && !*n.email)
        n.email = NULL;
    if (!n.kind)
        n.kind = "carry_in";
    if (!n.channel)
        n.channel = own ? "walk_in" : "phone";
    if (!rep_in_list(rep_kinds, n.kind))
        jsonv_fail(&v, "kind", "one of carry_in, on_site, mail_in");
    if (!rep_in_list(rep_channels, n.channel))
        jsonv_fail(&v, "channel", "one of phone, email, web, walk_in, letter, fax");
    if (!n.customer && !n.name)
        jsonv_fail(&v, "customer", "give a customer code, or the name and a phone or email");
    else if (!n.customer && !n.phone && !n.email)
        jsonv_fail(&v, "phone", "a phone or an email is required for a new customer");
    if (own < 0)
        jsonv_fail(&v, "outlet", "your account has no outlet");
    else if (own && n.outlet && *n.outlet && strcmp(n.outlet, r->who.outlet_code ? r->who.outlet_code : "") != 0)
        jsonv_fail(&v, "outlet", "outlet staff register repairs at their own outlet");
    if (n.outlet && !*n.outlet)
        n.outlet = NULL;
    int rc = 0;
    if (serial && *serial) {
        if (warranty_serial_normalize(serial, n.serial) < 0)
            jsonv_fail(&v, "serial", "4 to 32 letters, digits or dashes");
        else
            n.has_serial = 1;
    }
    if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed", "the repair is not valid", jsonv_take(&v));
        goto cleanup;
    }
    db_conn *c = req_db(r);
    int t = 0;
    for (int attempt = 0; attempt < 5; attempt++) {
        n.bad_field = n.bad_reason = n.bad_code = NULL;
        t = db_begin(c);
        if (t == 0)
            t = create_tx(c, audit_actor(r), own, &n);
        if (t == 0 && !n.bad_field)
            t = db_commit(c);
        if (t < 0 || n.bad_field)
            db_rollback(c);
        if (t != DB_EBUSY && t != DB_EUNIQUE)
            break;
    }
    if (t < 0) {
        rc = t == DB_EBUSY ? reply_error(r, 503, "busy", "the database is busy; try again", NULL) : -1;
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
