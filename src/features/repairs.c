/* repairs: repairs from registration to hand-back (M4): codes, creation, the lifecycle
 * of rules/repair_state with every step recorded, outlet confinement, lists, the CSV
 * import/export of historic repairs and the demo repairs. */
#include "base/audit.h"
#include "base/csv.h"
#include "base/jsonv.h"
#include "features/customers.h"
#include "features/network/network.h"
#include "features/repairs.h"
#include "rules/repair_state.h"
#include "rules/warranty.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

_Static_assert((int)RS_ROLE_ADMIN == (int)ROLE_ADMIN && (int)RS_ROLE_SUPERVISOR == (int)ROLE_SUPERVISOR &&
                   (int)RS_ROLE_AGENT == (int)ROLE_AGENT && (int)RS_ROLE_OUTLET_MANAGER == (int)ROLE_OUTLET_MANAGER &&
                   (int)RS_ROLE_TECHNICIAN == (int)ROLE_TECHNICIAN,
               "repair_state role bits follow base/http.h");

static const char *const kinds[] = {"carry_in", "on_site", "mail_in", NULL};
static const char *const channels[] = {"phone", "email", "web", "walk_in", "letter", "fax", NULL};

static int in_list(const char *const *list, const char *s)
{
    for (; s && *list; list++)
        if (strcmp(*list, s) == 0)
            return 1;
    return 0;
}

/* Outlet staff are confined to their outlet: the id to filter on, 0 for everyone else. */
static int64_t confined_outlet(const req *r)
{
    return (r->who.role & ROLE_OUTLET_STAFF) ? (r->who.outlet_id ? r->who.outlet_id : -1) : 0;
}

static int lookup_id(db_conn *c, const char *sql, const char *key, int64_t *id)
{
    db_stmt *st = db_prepare(c, sql);
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, key);
    int rc = db_step(st);
    if (rc == DB_ROW)
        *id = db_int(st, 0);
    db_done(st);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? 1 : rc;
}

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
        rc = lookup_id(c, "SELECT id FROM repairs WHERE code = ?", out, &id);
        if (rc < 0)
            return rc;
        if (rc == 1)
            return 0;
    }
    return DB_ERROR;
}

/* ---------------------------------------------------------------- reading */

#define REPAIR_COLS                                                                            \
    "r.id, r.code, r.status, r.kind, r.channel, r.fault, r.in_warranty, r.quote_fen,"          \
    " r.cancel_reason, cu.code, cu.name, r.serial, m.code, m.name, p.code, p.name, o.code,"     \
    " o.name, o.phone, r.registered_at, r.received_at, r.repaired_at, r.delivered_at,"          \
    " r.cancelled_at, r.version, r.outlet_id, u.warranty_until"
#define REPAIR_FROM                                                                            \
    " FROM repairs r JOIN customers cu ON cu.id = r.customer_id"                                \
    " LEFT JOIN units u ON u.id = r.unit_id LEFT JOIN models m ON m.id = r.model_id"            \
    " LEFT JOIN product_lines p ON p.id = r.product_line_id LEFT JOIN outlets o ON o.id = r.outlet_id"

static json_t *opt_text(db_stmt *st, int col)
{
    return db_isnull(st, col) ? json_null() : json_string(db_text(st, col));
}

static json_t *pair(db_stmt *st, int col)
{
    return db_isnull(st, col) ? json_null()
                              : json_pack("{s:s, s:s}", "code", db_text(st, col), "name",
                                          db_text(st, col + 1));
}

static json_t *repair_row_json(db_stmt *st, int full)
{
    int64_t now = now_unix();
    int64_t since = db_isnull(st, 20) ? db_int(st, 19) : db_int(st, 20);
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o}", "code", db_text(st, 1),
                          "status", db_text(st, 2), "kind", db_text(st, 3), "channel",
                          db_text(st, 4), "customer", pair(st, 9), "serial", opt_text(st, 11),
                          "model", pair(st, 12), "product_line", pair(st, 14), "outlet",
                          pair(st, 16));
    json_object_set_new(j, "in_warranty",
                        db_isnull(st, 6) ? json_null() : json_boolean(db_int(st, 6) != 0));
    json_object_set_new(j, "registered_at", rep_time_json(db_int(st, 19), 0));
    json_object_set_new(j, "received_at", rep_time_json(db_int(st, 20), db_isnull(st, 20)));
    json_object_set_new(j, "repaired_at", rep_time_json(db_int(st, 21), db_isnull(st, 21)));
    json_object_set_new(j, "delivered_at", rep_time_json(db_int(st, 22), db_isnull(st, 22)));
    json_object_set_new(j, "cancelled_at", rep_time_json(db_int(st, 23), db_isnull(st, 23)));
    json_object_set_new(j, "age_days", json_integer((json_int_t)((now - since) / 86400)));
    json_object_set_new(j, "version", json_integer((json_int_t)db_int(st, 24)));
    if (full) {
        json_object_set_new(j, "fault", opt_text(st, 5));
        json_object_set_new(j, "quote_fen",
                            db_isnull(st, 7) ? json_null() : json_integer((json_int_t)db_int(st, 7)));
        json_object_set_new(j, "cancel_reason", opt_text(st, 8));
        json_object_set_new(j, "warranty_until", opt_text(st, 26));
        if (!db_isnull(st, 16))
            json_object_set_new(json_object_get(j, "outlet"), "phone", opt_text(st, 18));
    }
    return j;
}

/* Load one repair as the caller may see it. 0 with *out, 1 when not found (or another
 * outlet's), or a negative db code. */
static int repair_load(db_conn *c, const char *code, int64_t outlet, unsigned role, json_t **out,
                       int64_t *id_out)
{
    db_stmt *st = db_prepare(c, "SELECT " REPAIR_COLS REPAIR_FROM
                                " WHERE r.code = ? AND (CAST(? AS BIGINT) = 0 OR r.outlet_id = ?)");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, code);
    db_bind_int(st, 2, outlet);
    db_bind_int(st, 3, outlet);
    int rc = db_step(st);
    json_t *j = NULL;
    int64_t id = 0;
    if (rc == DB_ROW) {
        j = repair_row_json(st, 1);
        id = db_int(st, 0);
    }
    db_done(st);
    if (rc != DB_ROW)
        return rc == DB_DONE ? 1 : rc;
    st = db_prepare(c, "SELECT status, at, actor, note FROM repair_events WHERE repair_id = ?"
                       " ORDER BY at, id");
    if (!st) {
        json_decref(j);
        return DB_ERROR;
    }
    db_bind_int(st, 1, id);
    json_t *events = json_array();
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(events, json_pack("{s:s, s:o, s:s, s:o}", "status", db_text(st, 0),
                                                "at", rep_time_json(db_int(st, 1), 0), "actor",
                                                db_text(st, 2), "note", opt_text(st, 3)));
    db_done(st);
    json_object_set_new(j, "events", events);
    enum repair_status next[RS_COUNT];
    int n = repair_next_states((enum repair_status)repair_status_parse(
                                   json_string_value(json_object_get(j, "status"))),
                               role, next);
    json_t *na = json_array();
    for (int i = 0; i < n; i++) {
        const struct repair_transition *t =
            repair_transition_find((enum repair_status)repair_status_parse(
                                       json_string_value(json_object_get(j, "status"))),
                                   next[i]);
        json_array_append_new(na, json_pack("{s:s, s:b, s:b}", "to", repair_status_name(next[i]),
                                            "needs_quote", (t->needs & RS_NEEDS_QUOTE) != 0,
                                            "needs_reason", (t->needs & RS_NEEDS_REASON) != 0));
    }
    json_object_set_new(j, "next", na);
    if (rc < 0) {
        json_decref(j);
        return rc;
    }
    *out = j;
    if (id_out)
        *id_out = id;
    return 0;
}

static int repairs_get(req *r)
{
    json_t *j = NULL;
    int rc = repair_load(req_db(r), req_param(r, "code"), confined_outlet(r), r->who.role, &j, NULL);
    if (rc < 0)
        return -1;
    if (rc == 1)
        return reply_error(r, 404, "not_found", "no such repair", NULL);
    return reply_json(r, 200, j);
}

static int repairs_list(req *r)
{
    const char *status = req_query(r, "status");
    const char *kind = req_query(r, "kind");
    const char *outlet = req_query(r, "outlet");
    const char *customer = req_query(r, "customer");
    const char *age = req_query(r, "age");
    const char *open = req_query(r, "open");
    const char *cursor = req_query(r, "cursor");
    const char *lim = req_query(r, "limit");
    json_t *fields = json_object();
    char *end;
    long limit = 50;
    if (lim && *lim) {
        limit = strtol(lim, &end, 10);
        if (*end || limit < 1 || limit > 500)
            json_object_set_new(fields, "limit", json_string("must be 1-500"));
    }
    if (status && *status && repair_status_parse(status) < 0)
        json_object_set_new(fields, "status", json_string("unknown status"));
    if (kind && *kind && !in_list(kinds, kind))
        json_object_set_new(fields, "kind", json_string("one of carry_in, on_site, mail_in"));
    long age_days = 0;
    if (age && *age) {
        age_days = strtol(age, &end, 10);
        if (*end || age_days < 0 || age_days > 3650)
            json_object_set_new(fields, "age", json_string("a number of days, 0-3650"));
    }
    long long after = 0;
    if (cursor && *cursor) {
        after = strtoll(cursor, &end, 10);
        if (*end || after <= 0)
            json_object_set_new(fields, "cursor", json_string("not a cursor from this list"));
    }
    db_conn *c = req_db(r);
    int64_t outlet_id = confined_outlet(r), cust = 0;
    if (outlet && *outlet && outlet_id == 0) {
        int k = lookup_id(c, "SELECT id FROM outlets WHERE code = ?", outlet, &outlet_id);
        if (k < 0) {
            json_decref(fields);
            return -1;
        }
        if (k == 1)
            json_object_set_new(fields, "outlet", json_string("unknown outlet"));
    }
    if (customer && *customer) {
        int k = customers_resolve(c, customer, &cust, NULL);
        if (k < -1) {
            json_decref(fields);
            return -1;
        }
        if (k == -1)
            json_object_set_new(fields, "customer", json_string("unknown customer"));
    }
    if (json_object_size(fields))
        return reply_error(r, 422, "validation_failed", "bad list filter", fields);
    json_decref(fields);
    if (status && !*status)
        status = NULL;
    if (kind && !*kind)
        kind = NULL;
    int64_t before = age_days ? now_unix() - (int64_t)age_days * 86400 : 0;
    int64_t is_open = open && (strcmp(open, "1") == 0 || strcmp(open, "true") == 0);
    /* The WHERE clause is made of the fixed fragments of the filters given (never of input
     * text), so each combination is its own cached statement and can use the indexes
     * (outlet_id, id), (status, id), (customer_id). */
    const struct {
        int on;
        const char *sql;
        const char *text;
        int64_t num;
    } filters[] = {
        {status != NULL, " AND r.status = ?", status, 0},
        {outlet_id != 0, " AND r.outlet_id = ?", NULL, outlet_id},
        {kind != NULL, " AND r.kind = ?", kind, 0},
        {cust != 0, " AND r.customer_id = ?", NULL, cust},
        {before != 0, " AND COALESCE(r.received_at, r.registered_at) <= ?", NULL, before},
        {(int)is_open, " AND r.status NOT IN ('delivered', 'cancelled')", NULL, -1},
        {after != 0, " AND r.id < ?", NULL, (int64_t)after},
    };
    char sql[2048];
    size_t used = (size_t)snprintf(sql, sizeof sql, "%s", "SELECT " REPAIR_COLS REPAIR_FROM " WHERE 1 = 1");
    for (size_t i = 0; i < sizeof filters / sizeof *filters; i++)
        if (filters[i].on)
            used += (size_t)snprintf(sql + used, sizeof sql - used, "%s", filters[i].sql);
    snprintf(sql + used, sizeof sql - used, "%s", " ORDER BY r.id DESC LIMIT ?");
    db_stmt *st = db_prepare(c, sql);
    if (!st)
        return -1;
    int p = 1;
    for (size_t i = 0; i < sizeof filters / sizeof *filters; i++) {
        if (!filters[i].on || filters[i].num < 0)
            continue;
        if (filters[i].text)
            db_bind_text(st, p++, filters[i].text);
        else
            db_bind_int(st, p++, filters[i].num);
    }
    db_bind_int(st, p, limit + 1);
    json_t *items = json_array();
    int rc, n = 0;
    int64_t last = 0;
    int more = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        if (n == limit) {
            more = 1;
            break;
        }
        json_array_append_new(items, repair_row_json(st, 0));
        last = db_int(st, 0);
        n++;
    }
    db_done(st);
    if (rc < 0) {
        json_decref(items);
        return -1;
    }
    json_t *next = more ? json_string(arena_printf(r->a, "%lld", (long long)last)) : json_null();
    return reply_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
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
        rc = lookup_id(c, "SELECT id FROM outlets WHERE code = ? AND active = 1", n->outlet, &outlet_id);
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

static int repairs_create(req *r)
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
    int64_t own = confined_outlet(r);
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
    if (!in_list(kinds, n.kind))
        jsonv_fail(&v, "kind", "one of carry_in, on_site, mail_in");
    if (!in_list(channels, n.channel))
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
    if (repair_load(c, n.code, 0, r->who.role, &j, NULL) != 0) {
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

/* ---------------------------------------------------------------- transitions */

static int repairs_transition(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    static const char *const allowed[] = {"to", "version", "quote_fen", "reason", "note", NULL};
    jsonv v;
    jsonv_init(&v, body);
    jsonv_only(&v, allowed);
    const char *to_s = jsonv_str(&v, "to", 1, 20);
    long long version = 0, quote = -1;
    int has_version = jsonv_int(&v, "version", 0, &version);
    int has_quote = jsonv_int(&v, "quote_fen", 0, &quote);
    const char *reason = jsonv_str(&v, "reason", 0, 500);
    const char *note = jsonv_str(&v, "note", 0, 2000);
    int to = to_s ? repair_status_parse(to_s) : -1;
    if (to_s && to < 0)
        jsonv_fail(&v, "to", "unknown status");
    if (has_quote && (quote <= 0 || quote > 100000000LL))
        jsonv_fail(&v, "quote_fen", "a positive amount in fen, at most 1,000,000 yuan");
    int rc = 0;
    json_t *cur = NULL, *j = NULL;
    if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed", "the transition is not valid", jsonv_take(&v));
        goto cleanup;
    }
    db_conn *c = req_db(r);
    const char *code = req_param(r, "code");
    int64_t id = 0;
    if (db_begin(c) < 0) {
        rc = -1;
        goto cleanup;
    }
    int k = repair_load(c, code, confined_outlet(r), r->who.role, &cur, &id);
    if (k < 0)
        goto fail;
    if (k == 1) {
        db_rollback(c);
        rc = reply_error(r, 404, "not_found", "no such repair", NULL);
        goto cleanup;
    }
    int from = repair_status_parse(json_string_value(json_object_get(cur, "status")));
    int64_t cur_version = json_integer_value(json_object_get(cur, "version"));
    int verdict = repair_transition_check((enum repair_status)from, (enum repair_status)to,
                                          r->who.role, has_quote ? quote : -1, reason);
    const char *err_code = NULL, *msg = NULL, *field = NULL;
    int status = 0;
    switch (verdict) {
    case RS_ILLEGAL:
        status = 409, err_code = "illegal_transition";
        msg = arena_printf(r->a, "a repair cannot go from %s to %s", repair_status_name((enum repair_status)from),
                           to_s);
        break;
    case RS_FORBIDDEN_ROLE:
        status = 403, err_code = "forbidden";
        msg = arena_printf(r->a, "your role may not move a repair from %s to %s",
                           repair_status_name((enum repair_status)from), to_s);
        break;
    case RS_MISSING_QUOTE:
        status = 422, err_code = "validation_failed", field = "quote_fen";
        msg = "a quote needs quote_fen, the amount in fen";
        break;
    case RS_MISSING_REASON:
        status = 422, err_code = "validation_failed", field = "reason";
        msg = "a cancellation needs a reason";
        break;
    }
    if (!status && has_version && version != cur_version) {
        status = 409, err_code = "stale_version";
        msg = "the repair was changed by someone else; reload it";
    }
    if (status) {
        db_rollback(c);
        rc = reply_error(r, status, err_code, msg, field ? json_pack("{s:s}", field, "required") : NULL);
        goto cleanup;
    }
    int64_t now = now_unix();
    int tcol = repair_status_time((enum repair_status)to);
    int64_t in_warranty = -1;
    if (to == RS_RECEIVED) {
        /* Warranty or paid, decided once, at receipt, from the unit's warranty end. */
        char today[11];
        rep_local_date(now, today);
        json_t *wu = json_object_get(cur, "warranty_until");
        in_warranty = warranty_covers(json_is_string(wu) ? json_string_value(wu) : NULL, today);
    }
    int64_t e = db_exec(
        c,
        "UPDATE repairs SET status = ?, version = version + 1, updated_at = ?,"
        " received_at = CASE WHEN CAST(? AS BIGINT) = 1 THEN CAST(? AS BIGINT) ELSE received_at END,"
        " repaired_at = CASE WHEN CAST(? AS BIGINT) = 2 THEN CAST(? AS BIGINT) ELSE repaired_at END,"
        " delivered_at = CASE WHEN CAST(? AS BIGINT) = 3 THEN CAST(? AS BIGINT) ELSE delivered_at END,"
        " cancelled_at = CASE WHEN CAST(? AS BIGINT) = 4 THEN CAST(? AS BIGINT) ELSE cancelled_at END,"
        " in_warranty = CASE WHEN CAST(? AS BIGINT) >= 0 THEN CAST(? AS INTEGER) ELSE in_warranty END,"
        " quote_fen = CASE WHEN CAST(? AS BIGINT) > 0 THEN CAST(? AS BIGINT) ELSE quote_fen END,"
        " cancel_reason = COALESCE(CAST(? AS TEXT), cancel_reason)"
        " WHERE id = ? AND status = ? AND version = ?",
        "tiiiiiiiiiiiiititi", repair_status_name((enum repair_status)to), now, (int64_t)tcol, now,
        (int64_t)tcol, now, (int64_t)tcol, now, (int64_t)tcol, now, in_warranty, in_warranty,
        (int64_t)(to == RS_QUOTED ? quote : 0), (int64_t)(to == RS_QUOTED ? quote : 0),
        to == RS_CANCELLED ? reason : NULL, id, repair_status_name((enum repair_status)from),
        cur_version);
    if (e < 0)
        goto fail;
    if (e == 0) {
        db_rollback(c);
        rc = reply_error(r, 409, "stale_version", "the repair was changed by someone else; reload it",
                         NULL);
        goto cleanup;
    }
    const char *event_note = to == RS_CANCELLED ? reason : note;
    if (to == RS_QUOTED && !note)
        event_note = arena_printf(r->a, "%lld.%02lld", quote / 100, quote % 100);
    if (db_exec(c, "INSERT INTO repair_events (repair_id, status, at, actor, note) VALUES (?, ?, ?, ?, ?)",
                "ititt", id, repair_status_name((enum repair_status)to), now, audit_actor(r),
                event_note) < 0)
        goto fail;
    if (to == RS_REPAIRED &&
        db_exec(c,
                "INSERT INTO outbox (channel, recipient, template, payload, customer_id, created_at)"
                " SELECT 'sms', ph.phone, 'repair_ready', CAST(? AS TEXT), r.customer_id, CAST(? AS BIGINT) FROM repairs r"
                " JOIN customer_phones ph ON ph.customer_id = r.customer_id WHERE r.id = ?"
                " ORDER BY ph.id LIMIT 1",
                "tii", arena_printf(r->a, "{\"code\":\"%s\"}", code), now, id) < 0)
        goto fail;
    json_t *detail = json_pack("{s:s, s:s}", "from", repair_status_name((enum repair_status)from),
                               "to", repair_status_name((enum repair_status)to));
    if (has_quote && to == RS_QUOTED)
        json_object_set_new(detail, "quote_fen", json_integer(quote));
    if (reason && to == RS_CANCELLED)
        json_object_set_new(detail, "reason", json_string(reason));
    k = audit_write(c, audit_actor(r), "transition", "repair", code, detail);
    json_decref(detail);
    if (k < 0)
        goto fail;
    if (repair_load(c, code, 0, r->who.role, &j, NULL) != 0 || db_commit(c) < 0)
        goto fail;
    rc = reply_json(r, 200, j);
    j = NULL;
    goto cleanup;
fail:
    db_rollback(c);
    rc = -1;
cleanup:
    json_decref(cur);
    json_decref(j);
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

#define DESK (ROLE_ADMIN | ROLE_SUPERVISOR | ROLE_AGENT)
#define REPAIR_ROLES (DESK | ROLE_OUTLET_STAFF)

const struct route repairs_routes[] = {
    {"GET", "/api/v1/repairs", repairs_list, REPAIR_ROLES, 0},
    {"POST", "/api/v1/repairs", repairs_create, REPAIR_ROLES, 0},
    {"GET", "/api/v1/repairs/:code", repairs_get, REPAIR_ROLES, 0},
    {"POST", "/api/v1/repairs/:code/transitions", repairs_transition, REPAIR_ROLES, 0},
    {0},
};

/* ---------------------------------------------------------------- CSV import/export */

static int event_add(db_conn *c, int64_t id, const char *status, int64_t at, const char *actor)
{
    return (int)db_exec(c, "INSERT INTO repair_events (repair_id, status, at, actor) VALUES (?, ?, ?, ?)",
                        "itit", id, status, at, actor);
}

int repairs_import_csv(db *d, const char *path, FILE *in)
{
    static const struct csv_column cols[] = {
        {"code", 1},        {"customer", 1},    {"serial", 0},       {"model", 0},
        {"outlet", 0},      {"kind", 0},        {"channel", 0},      {"status", 0},
        {"received_at", 1}, {"repaired_at", 0}, {"delivered_at", 0}, {"cancelled_at", 0},
        {"fault", 0},       {NULL, 0}};
    enum { C_CODE, C_CUST, C_SERIAL, C_MODEL, C_OUTLET, C_KIND, C_CHANNEL, C_STATUS, C_RECV,
           C_REP, C_DEL, C_CANC, C_FAULT };
    int idx[13];
    char err[512] = "";
    csv_reader *csv = csv_reader_new(in);
    db_conn *c = db_acquire(d);
    json_t *seen = json_object();
    int rc = -1, n = 0, in_tx = 0;
    const char *actor = "import:repairs";
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
        const char *f[13];
        for (int k = 0; k < 13; k++)
            f[k] = csv_field(csv, idx[k]);
        const char *code = f[C_CODE];
        size_t cl = strlen(code);
        int code_good = cl >= 2 && cl <= 32;
        for (size_t i = 0; i < cl && code_good; i++)
            code_good = (code[i] >= '0' && code[i] <= '9') || (code[i] >= 'A' && code[i] <= 'Z') ||
                        code[i] == '-';
        if (!code_good) {
            snprintf(err, sizeof err, "code: 2-32 upper-case letters, digits or dashes");
            goto bad;
        }
        if (json_object_get(seen, code)) {
            snprintf(err, sizeof err, "repair %s appears twice in the file", code);
            goto bad;
        }
        json_object_set_new(seen, code, json_true());
        int64_t tmp;
        int k = lookup_id(c, "SELECT id FROM repairs WHERE code = ?", code, &tmp);
        if (k < 0)
            goto dberr;
        if (k == 0) {
            snprintf(err, sizeof err, "repair %s already exists", code);
            goto bad;
        }
        int64_t cust = 0;
        if (!*f[C_CUST]) {
            snprintf(err, sizeof err, "customer: required");
            goto bad;
        }
        k = customers_resolve(c, f[C_CUST], &cust, NULL);
        if (k == -1) {
            snprintf(err, sizeof err, "customer: unknown customer %s", f[C_CUST]);
            goto bad;
        }
        if (k < 0)
            goto dberr;
        const char *kind = *f[C_KIND] ? f[C_KIND] : "carry_in";
        const char *channel = *f[C_CHANNEL] ? f[C_CHANNEL] : "phone";
        if (!in_list(kinds, kind)) {
            snprintf(err, sizeof err, "kind: one of carry_in, on_site, mail_in");
            goto bad;
        }
        if (!in_list(channels, channel)) {
            snprintf(err, sizeof err, "channel: one of phone, email, web, walk_in, letter, fax");
            goto bad;
        }
        int status = -1;
        if (*f[C_STATUS] && (status = repair_status_parse(f[C_STATUS])) < 0) {
            snprintf(err, sizeof err, "status: unknown status \"%s\"", f[C_STATUS]);
            goto bad;
        }
        int64_t t[4] = {0, 0, 0, 0};
        static const char *const tnames[4] = {"received_at", "repaired_at", "delivered_at",
                                              "cancelled_at"};
        for (int i = 0; i < 4; i++) {
            const char *s = f[C_RECV + i];
            if (*s && rep_parse_time(s, &t[i]) < 0) {
                snprintf(err, sizeof err, "%s: not a time (RFC 3339 or YYYY-MM-DD HH:MM[:SS])",
                         tnames[i]);
                goto bad;
            }
        }
        if (!*f[C_RECV]) {
            snprintf(err, sizeof err, "received_at: required");
            goto bad;
        }
        const char *why = repair_status_from_times(&status, t[0], t[1], t[2], t[3]);
        if (why) {
            snprintf(err, sizeof err, "status: %s", why);
            goto bad;
        }
        int64_t outlet = 0;
        if (*f[C_OUTLET]) {
            k = lookup_id(c, "SELECT id FROM outlets WHERE code = ?", f[C_OUTLET], &outlet);
            if (k < 0)
                goto dberr;
            if (k == 1) {
                snprintf(err, sizeof err, "outlet: unknown outlet %s", f[C_OUTLET]);
                goto bad;
            }
        }
        int64_t model_id = 0, line_id = 0, unit_id = 0;
        const char *until = NULL;
        char until_buf[11] = "";
        if (*f[C_MODEL]) {
            char um[48];
            snprintf(um, sizeof um, "%s", f[C_MODEL]);
            for (char *p = um; *p; p++)
                if (*p >= 'a' && *p <= 'z')
                    *p = (char)(*p - 32);
            db_stmt *st = db_prepare(c, "SELECT id, product_line_id FROM models WHERE code = ?");
            if (!st)
                goto dberr;
            db_bind_text(st, 1, um);
            k = db_step(st);
            if (k == DB_ROW) {
                model_id = db_int(st, 0);
                line_id = db_int(st, 1);
            }
            db_done(st);
            if (k < 0)
                goto dberr;
            if (k == DB_DONE) {
                snprintf(err, sizeof err, "model: unknown model %s", f[C_MODEL]);
                goto bad;
            }
        }
        char serial[WARRANTY_SERIAL_MAX + 1] = "";
        if (*f[C_SERIAL]) {
            if (warranty_serial_normalize(f[C_SERIAL], serial) < 0) {
                snprintf(err, sizeof err, "serial: 4 to 32 letters, digits or dashes");
                goto bad;
            }
            db_stmt *st = db_prepare(c, "SELECT u.id, u.model_id, m.product_line_id, u.warranty_until"
                                        " FROM units u JOIN models m ON m.id = u.model_id WHERE u.serial = ?");
            if (!st)
                goto dberr;
            db_bind_text(st, 1, serial);
            k = db_step(st);
            if (k == DB_ROW) {
                unit_id = db_int(st, 0);
                model_id = db_int(st, 1);
                line_id = db_int(st, 2);
                if (!db_isnull(st, 3)) {
                    snprintf(until_buf, sizeof until_buf, "%s", db_text(st, 3));
                    until = until_buf;
                }
            }
            db_done(st);
            if (k < 0)
                goto dberr;
            if (!unit_id && model_id) {
                db_stmt *ins = db_prepare(c, "INSERT INTO units (serial, model_id, customer_id,"
                                             " created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id");
                if (!ins)
                    goto dberr;
                db_bind_text(ins, 1, serial);
                db_bind_int(ins, 2, model_id);
                db_bind_int(ins, 3, cust);
                db_bind_int(ins, 4, now);
                db_bind_int(ins, 5, now);
                k = db_step(ins);
                if (k == DB_ROW)
                    unit_id = db_int(ins, 0);
                db_done(ins);
                if (k != DB_ROW)
                    goto dberr;
            }
        }
        /* A repair imported as registered was not received yet: received_at is when it
         * was registered. */
        int64_t registered = t[0];
        int64_t received = status == RS_REGISTERED ? 0 : t[0];
        int64_t in_warranty = -1;
        if (received) {
            char day[11];
            rep_local_date(received, day);
            in_warranty = warranty_covers(until, day);
        }
        db_stmt *st = db_prepare(
            c, "INSERT INTO repairs (code, customer_id, unit_id, serial, model_id, product_line_id,"
               " outlet_id, kind, channel, status, fault, in_warranty, registered_at, received_at,"
               " repaired_at, delivered_at, cancelled_at, cancel_reason, created_at, updated_at)"
               " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
        if (!st)
            goto dberr;
        int p = 1;
        db_bind_text(st, p++, code);
        db_bind_int(st, p++, cust);
#define BIND_OPT(v)                                                                            \
    do {                                                                                       \
        if (v)                                                                                 \
            db_bind_int(st, p++, v);                                                           \
        else                                                                                   \
            db_bind_null(st, p++);                                                             \
    } while (0)
        BIND_OPT(unit_id);
        db_bind_text(st, p++, *serial ? serial : NULL);
        BIND_OPT(model_id);
        BIND_OPT(line_id);
        BIND_OPT(outlet);
        db_bind_text(st, p++, kind);
        db_bind_text(st, p++, channel);
        db_bind_text(st, p++, repair_status_name((enum repair_status)status));
        db_bind_text(st, p++, *f[C_FAULT] ? f[C_FAULT] : NULL);
        if (in_warranty >= 0)
            db_bind_int(st, p++, in_warranty);
        else
            db_bind_null(st, p++);
        db_bind_int(st, p++, registered);
        BIND_OPT(received);
        BIND_OPT(t[1]);
        BIND_OPT(t[2]);
        BIND_OPT(t[3]);
        db_bind_text(st, p++, t[3] ? "imported as cancelled" : NULL);
        db_bind_int(st, p++, now);
        db_bind_int(st, p++, now);
#undef BIND_OPT
        k = db_step(st);
        int64_t id = k == DB_ROW ? db_int(st, 0) : 0;
        db_done(st);
        if (k != DB_ROW)
            goto dberr;
        /* The timeline as far as the times tell it. */
        if (event_add(c, id, "registered", registered, actor) < 0 ||
            (received && event_add(c, id, "received", received, actor) < 0))
            goto dberr;
        if (status > RS_RECEIVED && status < RS_REPAIRED &&
            event_add(c, id, repair_status_name((enum repair_status)status), received, actor) < 0)
            goto dberr;
        if ((t[1] && event_add(c, id, "repaired", t[1], actor) < 0) ||
            (t[2] && event_add(c, id, "delivered", t[2], actor) < 0) ||
            (t[3] && event_add(c, id, "cancelled", t[3], actor) < 0))
            goto dberr;
        json_t *detail = json_pack("{s:s, s:s, s:s?}", "customer", f[C_CUST], "status",
                                   repair_status_name((enum repair_status)status), "serial",
                                   *serial ? serial : NULL);
        k = audit_write(c, actor, "import", "repair", code, detail);
        json_decref(detail);
        if (k < 0)
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
    fprintf(stderr, "%s: %d repairs imported\n", path, n);
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
    csv_reader_free(csv);
    db_release(c);
    return rc;
}

int repairs_export_csv(db *d, FILE *out)
{
    db_conn *c = db_acquire(d);
    db_stmt *st = db_prepare(
        c, "SELECT r.code, cu.code, r.serial, m.code, o.code, r.kind, r.channel, r.status,"
           " COALESCE(r.received_at, r.registered_at), r.repaired_at, r.delivered_at, r.cancelled_at, r.fault"
           " FROM repairs r JOIN customers cu ON cu.id = r.customer_id LEFT JOIN models m ON m.id = r.model_id"
           " LEFT JOIN outlets o ON o.id = r.outlet_id ORDER BY r.id");
    int rc = -1;
    if (!st)
        goto cleanup;
    csv_writer w = csv_writer_file(out, 0);
    static const char *const head[] = {"code",        "customer",    "serial",       "model",
                                       "outlet",      "kind",        "channel",      "status",
                                       "received_at", "repaired_at", "delivered_at", "cancelled_at",
                                       "fault"};
    csv_row(&w, head, 13);
    int s;
    while ((s = db_step(st)) == DB_ROW) {
        for (int i = 0; i < 13; i++) {
            if (i >= 8 && i <= 11) {
                char tbuf[32] = "";
                if (!db_isnull(st, i)) {
                    json_t *t = rep_time_json(db_int(st, i), 0);
                    snprintf(tbuf, sizeof tbuf, "%s", json_string_value(t));
                    json_decref(t);
                }
                csv_cell(&w, tbuf);
            } else {
                csv_cell(&w, db_text(st, i));
            }
        }
        csv_end_row(&w);
    }
    db_done(st);
    rc = s < 0 ? -1 : 0;
cleanup:
    if (rc < 0)
        fprintf(stderr, "export repairs: %s\n", db_errmsg(c));
    db_release(c);
    return rc;
}

/* ---------------------------------------------------------------- demo */

static uint64_t rnd_state;
static uint64_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return rnd_state;
}
static int64_t rnd_in(int64_t lo, int64_t hi) /* [lo, hi] */
{
    return hi <= lo ? lo : lo + (int64_t)(rnd() % (uint64_t)(hi - lo + 1));
}

static int ids_of(db_conn *c, const char *sql, int64_t **out, int *n)
{
    db_stmt *st = db_prepare(c, sql);
    if (!st)
        return -1;
    int cap = 64, k = 0, rc;
    int64_t *v = malloc((size_t)cap * sizeof *v);
    while ((rc = db_step(st)) == DB_ROW) {
        if (k == cap) {
            cap *= 2;
            v = realloc(v, (size_t)cap * sizeof *v);
        }
        v[k++] = db_int(st, 0);
    }
    db_done(st);
    if (rc < 0 || !v) {
        free(v);
        return -1;
    }
    *out = v;
    *n = k;
    return 0;
}

/* Demo customers when the customer feature has not made enough: matched or created by
 * the M1 rules, so they are real customers with phones. */
static int demo_customers(db_conn *c, int want)
{
    static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
                                           "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "高", "罗"};
    static const char *const given[] = {"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋",
                                        "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "华", "平"};
    for (int i = 0; i < want; i++) {
        char name[32], phone[16];
        snprintf(name, sizeof name, "%s%s", surnames[rnd() % 20], given[rnd() % 20]);
        snprintf(phone, sizeof phone, "13%09d", (int)(rnd() % 1000000000));
        int rc = customers_match_or_create(c, "demo", name, phone, NULL, NULL, NULL, NULL);
        if (rc != 0)
            return -1;
    }
    return 0;
}

int repairs_demo(db *d, const struct demo_opts *o)
{
    static const char *const faults[] = {
        "无法开机", "屏幕有横线", "无声音", "遥控器无响应", "HDMI 无信号", "风扇噪音大",
        "电池不充电", "键盘部分按键失灵", "蓝牙无法连接", "画面闪烁", "手柄漂移", "过热自动关机",
        "光驱不读盘", "网络连接不稳定", "摄像头无图像", "投影画面偏色",
    };
    long want = o->repairs > 0 ? o->repairs : 300;
    long units_want = o->repairs > 0 ? want / 2 : 300;
    rnd_state = 0x9E3779B97F4A7C15ull ^ (uint64_t)o->seed;
    db_conn *c = db_acquire(d);
    int64_t *cust = NULL, *models = NULL, *outlets = NULL, *lines = NULL, *units = NULL;
    int64_t *unit_model = NULL;
    int ncust = 0, nmodels = 0, noutlets = 0, nl = 0;
    int rc = -1, in_tx = 0;
    int64_t now = now_unix();
    /* Customers first (their own transaction). */
    if (ids_of(c, "SELECT id FROM customers WHERE merged_into IS NULL AND erased_at IS NULL"
                  " ORDER BY id LIMIT 2000000", &cust, &ncust) < 0)
        goto fail;
    if (ncust < 60) {
        if (db_begin(c) < 0)
            goto fail;
        if (demo_customers(c, 60 - ncust) < 0 || db_commit(c) < 0) {
            db_rollback(c);
            goto fail;
        }
        free(cust);
        if (ids_of(c, "SELECT id FROM customers WHERE merged_into IS NULL AND erased_at IS NULL"
                      " ORDER BY id", &cust, &ncust) < 0)
            goto fail;
    }
    if (ids_of(c, "SELECT id FROM models ORDER BY id", &models, &nmodels) < 0 ||
        ids_of(c, "SELECT product_line_id FROM models ORDER BY id", &lines, &nl) < 0 ||
        ids_of(c, "SELECT id FROM outlets WHERE active = 1 ORDER BY id", &outlets, &noutlets) < 0)
        goto fail;
    if (!nmodels || !noutlets || !ncust) {
        fprintf(stderr, "demo repairs: needs models, outlets and customers first\n");
        goto cleanup;
    }
    /* Units: bought in the last three years, most registered for warranty. */
    units = malloc((size_t)units_want * sizeof *units);
    unit_model = malloc((size_t)units_want * sizeof *unit_model);
    if (!units || !unit_model)
        goto fail;
    const long batch = 10000;
    for (long i = 0; i < units_want; i++) {
        if (!in_tx) {
            if (db_begin(c) < 0)
                goto fail;
            in_tx = 1;
        }
        int mi = (int)(rnd() % (uint64_t)nmodels);
        int64_t bought = now - rnd_in(10, 3 * 365) * 86400;
        char serial[48], pdate[11], until[11];
        snprintf(serial, sizeof serial, "S%02d%07ld%c", mi, i, (char)('A' + rnd() % 26));
        rep_local_date(bought, pdate);
        db_stmt *m = db_prepare(c, "SELECT warranty_months, launched_on FROM models WHERE id = ?");
        if (!m)
            goto fail;
        db_bind_int(m, 1, models[mi]);
        int64_t months = 12;
        char launched[11] = "";
        if (db_step(m) == DB_ROW) {
            months = db_int(m, 0);
            if (!db_isnull(m, 1))
                snprintf(launched, sizeof launched, "%s", db_text(m, 1));
        }
        db_done(m);
        if (*launched && strcmp(pdate, launched) < 0)
            snprintf(pdate, sizeof pdate, "%s", launched);
        int registered = rnd() % 10 < 8;
        if (warranty_until(pdate, (int)months, until) < 0)
            registered = 0;
        db_stmt *st = db_prepare(
            c, "INSERT INTO units (serial, model_id, customer_id, purchase_date, dealer, warranty_until,"
               " registered_at, registered_via, created_at, updated_at)"
               " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
        if (!st)
            goto fail;
        db_bind_text(st, 1, serial);
        db_bind_int(st, 2, models[mi]);
        db_bind_int(st, 3, cust[rnd() % (uint64_t)ncust]);
        db_bind_text(st, 4, registered ? pdate : NULL);
        db_bind_text(st, 5, registered ? "苏宁易购" : NULL);
        db_bind_text(st, 6, registered ? until : NULL);
        if (registered)
            db_bind_int(st, 7, bought + 86400);
        else
            db_bind_null(st, 7);
        db_bind_text(st, 8, registered ? (rnd() % 2 ? "portal" : "staff") : NULL);
        db_bind_int(st, 9, now);
        db_bind_int(st, 10, now);
        int k = db_step(st);
        units[i] = k == DB_ROW ? db_int(st, 0) : 0;
        unit_model[i] = mi;
        db_done(st);
        if (k != DB_ROW)
            goto fail;
        if ((i + 1) % batch == 0) {
            if (db_commit(c) < 0)
                goto fail;
            in_tx = 0;
        }
    }
    /* Repairs over the last six months in every state; codes follow each day's counter. */
    int days = 183;
    int64_t *seq = calloc((size_t)days + 1, sizeof *seq);
    if (!seq)
        goto fail;
    for (long i = 0; i < want; i++) {
        if (!in_tx) {
            if (db_begin(c) < 0) {
                free(seq);
                goto fail;
            }
            in_tx = 1;
        }
        int64_t reg = now - rnd_in(600, (int64_t)days * 86400);
        int64_t age = now - reg;
        /* Older repairs are mostly finished; recent ones spread over the open states. */
        int status;
        uint64_t dice = rnd() % 100;
        if (age > 20 * 86400)
            status = dice < 85 ? RS_DELIVERED : dice < 92 ? RS_CANCELLED : dice < 96 ? RS_REPAIRED
                                                                                      : RS_WAITING_PARTS;
        else
            status = (int)(dice % RS_COUNT);
        int64_t recv = status == RS_REGISTERED ? 0 : reg + rnd_in(300, 2 * 86400);
        if (recv > now)
            recv = now - 60;
        if (recv && recv < reg)
            recv = reg;
        int64_t rep = 0, del = 0, canc = 0;
        if (status == RS_REPAIRED || status == RS_DELIVERED) {
            /* Turnaround: mostly within 4 days, a tail beyond 14. */
            uint64_t tat = rnd() % 100;
            int64_t span = tat < 93 ? rnd_in(3600, 4 * 86400) : tat < 99 ? rnd_in(4 * 86400, 14 * 86400)
                                                                          : rnd_in(14 * 86400, 20 * 86400);
            rep = recv + span;
            if (rep > now)
                rep = now - 30;
            if (status == RS_DELIVERED) {
                del = rep + rnd_in(600, 3 * 86400);
                if (del > now)
                    del = now - 10;
            }
        }
        if (status == RS_CANCELLED)
            canc = (recv ? recv : reg) + rnd_in(600, 5 * 86400);
        if (canc > now)
            canc = now - 10;
        int use_unit = rnd() % 10 < 8;
        long ui = (long)(rnd() % (uint64_t)units_want);
        int64_t unit = use_unit ? units[ui] : 0;
        int mi = use_unit ? (int)unit_model[ui] : (int)(rnd() % (uint64_t)nmodels);
        int64_t owner = cust[rnd() % (uint64_t)ncust];
        if (use_unit) {
            db_stmt *q = db_prepare(c, "SELECT customer_id, serial, warranty_until FROM units WHERE id = ?");
            if (!q) {
                free(seq);
                goto fail;
            }
            db_bind_int(q, 1, unit);
            char serial[40] = "", until[11] = "";
            if (db_step(q) == DB_ROW) {
                owner = db_int(q, 0);
                snprintf(serial, sizeof serial, "%s", db_text(q, 1));
                if (!db_isnull(q, 2))
                    snprintf(until, sizeof until, "%s", db_text(q, 2));
            }
            db_done(q);
            (void)serial;
        }
        int day = (int)((now + REP_TZ_OFFSET) / 86400 - (reg + REP_TZ_OFFSET) / 86400);
        if (day < 0 || day > days)
            day = days;
        char dstr[11], code[32];
        rep_local_date(reg, dstr);
        snprintf(code, sizeof code, "R%.2s%.2s%.2s%04lld", dstr + 2, dstr + 5, dstr + 8,
                 (long long)++seq[day]);
        const char *kind = rnd() % 10 < 7 ? "carry_in" : rnd() % 2 ? "on_site" : "mail_in";
        const char *channel = channels[rnd() % 6];
        /* Most at the first demo outlets (where the demo staff work), the rest anywhere. */
        int64_t outlet = rnd() % 10 < 6 ? outlets[rnd() % (uint64_t)(noutlets < 2 ? noutlets : 2)]
                                        : outlets[rnd() % (uint64_t)noutlets];
        int64_t quote = (status >= RS_QUOTED && rnd() % 3 == 0) ? rnd_in(50, 2000) * 100 : 0;
        db_stmt *st = db_prepare(
            c, "INSERT INTO repairs (code, customer_id, unit_id, serial, model_id, product_line_id,"
               " outlet_id, kind, channel, status, fault, in_warranty, quote_fen, cancel_reason,"
               " registered_at, received_at, repaired_at, delivered_at, cancelled_at, created_at,"
               " updated_at) SELECT ?, ?, u.id, u.serial, ?, ?, ?, ?, ?, ?, ?,"
               " CASE WHEN CAST(? AS BIGINT) = 0 THEN NULL WHEN u.warranty_until >= CAST(? AS TEXT)"
               " THEN 1 ELSE 0 END, ?, ?, ?, ?, ?, ?, ?, ?, ?"
               " FROM (SELECT CAST(? AS BIGINT) AS k) x LEFT JOIN units u ON u.id = x.k RETURNING id");
        if (!st) {
            free(seq);
            goto fail;
        }
        char recv_day[11] = "";
        if (recv)
            rep_local_date(recv, recv_day);
        int p = 1;
        db_bind_text(st, p++, code);
        db_bind_int(st, p++, owner);
        db_bind_int(st, p++, models[mi]);
        db_bind_int(st, p++, lines[mi]);
        db_bind_int(st, p++, outlet);
        db_bind_text(st, p++, kind);
        db_bind_text(st, p++, channel);
        db_bind_text(st, p++, repair_status_name((enum repair_status)status));
        db_bind_text(st, p++, faults[rnd() % (sizeof faults / sizeof *faults)]);
        db_bind_int(st, p++, recv);
        db_bind_text(st, p++, recv_day);
        if (quote)
            db_bind_int(st, p++, quote);
        else
            db_bind_null(st, p++);
        db_bind_text(st, p++, canc ? "客户取消" : NULL);
        db_bind_int(st, p++, reg);
        int64_t tv[4] = {recv, rep, del, canc};
        for (int t = 0; t < 4; t++) {
            if (tv[t])
                db_bind_int(st, p++, tv[t]);
            else
                db_bind_null(st, p++);
        }
        db_bind_int(st, p++, now);
        db_bind_int(st, p++, now);
        db_bind_int(st, p++, unit);
        int k = db_step(st);
        int64_t id = k == DB_ROW ? db_int(st, 0) : 0;
        db_done(st);
        if (k != DB_ROW) {
            free(seq);
            goto fail;
        }
        /* The timeline: every state passed through, with plausible times. */
        int ok = event_add(c, id, "registered", reg, "demo") >= 0;
        if (ok && recv)
            ok = event_add(c, id, "received", recv, "tech") >= 0;
        if (ok && recv && status >= RS_DIAGNOSING && status != RS_CANCELLED)
            ok = event_add(c, id, "diagnosing", recv + 1800, "tech") >= 0;
        if (ok && quote)
            ok = event_add(c, id, "quoted", recv + 3600, "tech") >= 0;
        if (ok && quote && status >= RS_APPROVED && status != RS_CANCELLED)
            ok = event_add(c, id, "approved", recv + 7200, "agent") >= 0;
        if (ok && status >= RS_REPAIRING && status != RS_CANCELLED && status != RS_WAITING_PARTS)
            ok = event_add(c, id, "repairing", recv + 9000, "tech") >= 0;
        if (ok && status == RS_WAITING_PARTS)
            ok = event_add(c, id, "waiting_parts", recv + 9000, "tech") >= 0;
        if (ok && rep)
            ok = event_add(c, id, "repaired", rep, "tech") >= 0;
        if (ok && del)
            ok = event_add(c, id, "delivered", del, "tech") >= 0;
        if (ok && canc)
            ok = event_add(c, id, "cancelled", canc, "manager") >= 0;
        if (!ok) {
            free(seq);
            goto fail;
        }
        if ((i + 1) % batch == 0 || i + 1 == want) {
            if (i + 1 == want) {
                /* Counters continue after the demo codes. */
                for (int dd = 0; dd <= days; dd++) {
                    if (!seq[dd])
                        continue;
                    char ds[11], name[24];
                    rep_local_date(now - (int64_t)dd * 86400, ds);
                    snprintf(name, sizeof name, "repair:%.2s%.2s%.2s", ds + 2, ds + 5, ds + 8);
                    if (db_exec(c,
                                "INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name)"
                                " DO UPDATE SET value = CASE WHEN excluded.value > counters.value"
                                " THEN excluded.value ELSE counters.value END",
                                "ti", name, seq[dd]) < 0) {
                        free(seq);
                        goto fail;
                    }
                }
            }
            if (db_commit(c) < 0) {
                free(seq);
                goto fail;
            }
            in_tx = 0;
            if (want >= 100000 && (i + 1) % 100000 == 0)
                fprintf(stderr, "demo: %ld repairs\n", i + 1);
        }
    }
    free(seq);
    rc = 0;
    goto cleanup;
fail:
    fprintf(stderr, "demo repairs: %s\n", db_errmsg(c));
    if (in_tx)
        db_rollback(c);
cleanup:
    free(cust);
    free(models);
    free(lines);
    free(outlets);
    free(units);
    free(unit_model);
    db_release(c);
    return rc;
}
