/* orders: the writes of an order inside the caller's transaction: create (customer
 * matched or created, lines priced from the parts catalog and reserved at the fulfilling
 * warehouse, confirmation queued in the outbox), modify the lines, and the lifecycle
 * transitions with their stock effect on the parts ledger. */
#include <stdlib.h>
#include <string.h>

#include "base/audit.h"
#include "features/customers/customers.h"
#include "features/orders/internal.h"
#include "features/parts/parts.h"

static int add_event(db_conn *c, int64_t id, const char *status, const char *note,
                     const char *actor, int64_t now)
{
    int64_t e = db_exec(c, "INSERT INTO order_events (order_id, status, note, actor, at)"
                           " VALUES (?, ?, ?, ?, ?)", "ittti", id, status, note, actor, now);
    return e < 0 ? (int)e : 0;
}

/* Queue a notice about order o (template e.g. "order_placed") by SMS to its contact
 * phone, sent by the outbox worker. */
static int queue_notice(db_conn *c, const struct ord_row *o, const char *tmpl, int64_t now)
{
    json_t *d = NULL;
    int rc = ord_json(c, o->id, 0, &d);
    if (rc != 0)
        return rc < 0 ? rc : DB_ERROR;
    json_t *p = json_pack("{s:s, s:O, s:O}", "code", o->code, "status",
                          json_object_get(d, "status"), "total_fen", json_object_get(d, "total_fen"));
    json_decref(d);
    char *payload = json_dumps(p, JSON_COMPACT);
    json_decref(p);
    int64_t e = db_exec(c, "INSERT INTO outbox (channel, recipient, template, payload, customer_id,"
                           " created_at) VALUES ('sms', ?, ?, ?, ?, ?)",
                        "tttii", o->phone, tmpl, payload, o->customer_id, now);
    free(payload);
    return e < 0 ? (int)e : 0;
}

/* Price and reserve the lines of order o. 0 (a refusal in *a), or a db code. */
static int reserve_lines(db_conn *c, const char *actor, const struct ord_row *o,
                         const struct ord_line_in *l, int n, int online, int64_t now,
                         int64_t *total, struct ord_answer *a)
{
    *total = 0;
    for (int i = 0; i < n; i++) {
        int64_t part = 0, price = 0;
        int rc = parts_lookup(c, l[i].part, &part, &price);
        if (rc == 0 && online)
            rc = lookup_id(c, "SELECT part_id FROM accessories WHERE part_id IN"
                              " (SELECT id FROM parts WHERE number = ?)", l[i].part, &part);
        if (rc < 0)
            return rc;
        if (rc == 1) {
            ord_refuse(a, 422, "unknown_part", "lines", online ? "no accessory with this number"
                                                               : "no part with this number");
            a->reason = l[i].part;
            return 0;
        }
        int64_t e = db_exec(c, "INSERT INTO order_lines (order_id, part_id, qty, price_fen)"
                               " VALUES (?, ?, ?, ?)", "iiii", o->id, part, l[i].qty, price);
        if (e < 0)
            return (int)e;
        rc = parts_sale_move(c, part, o->warehouse_id, PARTS_RESERVE, l[i].qty, o->code, actor, now);
        if (rc == PARTS_SHORT) {
            ord_refuse(a, 409, "out_of_stock", "lines", "not enough stock for this part");
            a->reason = l[i].part;
            return 0;
        }
        if (rc < 0)
            return rc;
        *total += l[i].qty * price;
    }
    return 0;
}

/* Apply op to every line of o at its warehouse. 0, PARTS_SHORT or a db code. */
static int stock_lines(db_conn *c, const char *actor, const struct ord_row *o,
                       enum parts_sale_op op, int64_t now)
{
    db_stmt *st = db_prepare(c, "SELECT part_id, qty FROM order_lines WHERE order_id = ? ORDER BY id");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, o->id);
    int64_t parts[ORD_MAX_LINES], qty[ORD_MAX_LINES];
    int n = 0, rc;
    while ((rc = db_step(st)) == DB_ROW && n < ORD_MAX_LINES) {
        parts[n] = db_int(st, 0);
        qty[n++] = db_int(st, 1);
    }
    db_done(st);
    if (rc < 0)
        return rc;
    for (int i = 0; i < n; i++)
        if ((rc = parts_sale_move(c, parts[i], o->warehouse_id, op, qty[i], o->code, actor, now)) != 0)
            return rc;
    return 0;
}

/* The contact of customer_code: its name and first phone. 0, 1 (unknown) or a db code. */
static int customer_contact(db_conn *c, const char *code, int64_t *id, char name[128],
                            char phone[48])
{
    char cc[16];
    int rc = customers_resolve(c, code, id, cc);
    if (rc == -1)
        return 1;
    if (rc < 0)
        return rc;
    db_stmt *st = db_prepare(c, "SELECT cu.name, COALESCE((SELECT MIN(phone) FROM customer_phones"
                                " WHERE customer_id = cu.id), '') FROM customers cu WHERE cu.id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, *id);
    rc = db_step(st);
    if (rc == DB_ROW) {
        snprintf(name, 128, "%s", db_text(st, 0));
        snprintf(phone, 48, "%s", db_text(st, 1));
    }
    db_done(st);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? 1 : rc;
}

/* The customer of a new order into o and its contact. 0 (refusal in *a) or a db code. */
static int find_customer(db_conn *c, const char *actor, const struct ord_new *n,
                         struct ord_row *o, char name[128], struct ord_answer *a)
{
    if (n->customer_code) {
        int rc = customer_contact(c, n->customer_code, &o->customer_id, name, o->phone);
        if (rc == 1)
            ord_refuse(a, 422, "validation_failed", "customer", "unknown customer");
        else if (rc == 0 && !*o->phone)
            ord_refuse(a, 422, "validation_failed", "phone", "the customer has no phone");
        return rc < 0 ? rc : 0;
    }
    int rc = customers_match_or_create(c, actor, n->name, n->phone, NULL, NULL, &o->customer_id, NULL);
    if (rc > 0) {
        ord_refuse(a, 422, "validation_failed", customers_invalid_field(rc),
                   customers_invalid_reason(rc));
        return 0;
    }
    if (rc < 0)
        return rc;
    /* The phone as stored for the customer (normalised), for notices and the lookup. */
    db_stmt *st = db_prepare(c, "SELECT MIN(phone) FROM customer_phones WHERE customer_id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, o->customer_id);
    rc = db_step(st);
    if (rc == DB_ROW && !db_isnull(st, 0))
        snprintf(o->phone, sizeof o->phone, "%s", db_text(st, 0));
    db_done(st);
    snprintf(name, 128, "%s", n->name);
    return rc < 0 ? rc : 0;
}

int ord_create(db_conn *c, const char *actor, const struct ord_new *n, struct ord_answer *a)
{
    struct ord_row o = {0};
    char name[128] = "";
    int64_t now = now_unix();
    int rc = find_customer(c, actor, n, &o, name, a);
    if (rc < 0 || a->status)
        return rc;
    if ((rc = parts_sale_warehouse(c, n->outlet_id, now, &o.warehouse_id)) == 1) {
        ord_refuse(a, 503, "no_warehouse", NULL, "no warehouse fulfils orders here");
        return 0;
    }
    if (rc < 0)
        return rc;
    rc = code_next_daily(c, "order", "S", 4, now, "SELECT 1 FROM orders WHERE code = ?", o.code,
                         sizeof o.code);
    if (rc < 0)
        return rc;
    db_stmt *st = db_prepare(
        c, "INSERT INTO orders (code, customer_id, channel, outlet_id, warehouse_id, status,"
           " total_fen, contact_name, contact_phone, address, note, placed_at, updated_at)"
           " VALUES (?, ?, ?, ?, ?, 'placed', 0, ?, ?, ?, ?, ?, ?) RETURNING id");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, o.code);
    db_bind_int(st, 2, o.customer_id);
    db_bind_text(st, 3, n->outlet_id ? "outlet" : "online");
    if (n->outlet_id)
        db_bind_int(st, 4, n->outlet_id);
    else
        db_bind_null(st, 4);
    db_bind_int(st, 5, o.warehouse_id);
    db_bind_text(st, 6, name);
    db_bind_text(st, 7, o.phone);
    db_bind_text(st, 8, n->address);
    db_bind_text(st, 9, n->note);
    db_bind_int(st, 10, now);
    db_bind_int(st, 11, now);
    rc = db_step(st);
    if (rc == DB_ROW)
        o.id = db_int(st, 0);
    db_done(st);
    if (rc != DB_ROW)
        return rc < 0 ? rc : DB_ERROR;
    int64_t total = 0;
    if ((rc = reserve_lines(c, actor, &o, n->lines, n->nlines, n->online, now, &total, a)) < 0 ||
        a->status)
        return rc;
    if ((rc = (int)db_exec(c, "UPDATE orders SET total_fen = ? WHERE id = ?", "ii", total, o.id)) < 0 ||
        (rc = add_event(c, o.id, "placed", NULL, actor, now)) < 0 ||
        (rc = audit_write(c, actor, "create", "order", o.code, NULL)) < 0 ||
        (rc = queue_notice(c, &o, "order_placed", now)) < 0)
        return rc;
    if ((rc = ord_json(c, o.id, 1, &a->body)) != 0)
        return rc < 0 ? rc : DB_ERROR;
    a->status = 201;
    return 0;
}

int ord_modify(db_conn *c, const char *actor, struct ord_row *o, const struct ord_line_in *l,
               int n, int online, struct ord_answer *a)
{
    if (!order_modifiable(o->status)) {
        ord_refuse(a, 409, "not_modifiable", "status", "the order has shipped or is closed");
        return 0;
    }
    int64_t now = now_unix(), total = 0;
    int rc = stock_lines(c, actor, o, PARTS_RELEASE, now);
    if (rc == PARTS_SHORT)
        rc = DB_ERROR; /* a reservation of the order is missing: never expected */
    if (rc < 0)
        return rc;
    if ((rc = (int)db_exec(c, "DELETE FROM order_lines WHERE order_id = ?", "i", o->id)) < 0)
        return rc;
    if ((rc = reserve_lines(c, actor, o, l, n, online, now, &total, a)) < 0 || a->status)
        return rc;
    if ((rc = (int)db_exec(c, "UPDATE orders SET total_fen = ?, version = version + 1, updated_at = ?"
                              " WHERE id = ?", "iii", total, now, o->id)) < 0 ||
        (rc = add_event(c, o->id, "modified", NULL, actor, now)) < 0 ||
        (rc = audit_write(c, actor, "modify", "order", o->code, NULL)) < 0 ||
        (rc = queue_notice(c, o, "order_modified", now)) < 0)
        return rc;
    if ((rc = ord_json(c, o->id, 1, &a->body)) != 0)
        return rc < 0 ? rc : DB_ERROR;
    a->status = 200;
    return 0;
}

int ord_transition(db_conn *c, const char *actor, struct ord_row *o, enum order_status to,
                   const char *note, struct ord_answer *a)
{
    enum order_stock effect = OST_NONE;
    if (!order_transition_ok(o->status, to, &effect)) {
        ord_refuse(a, 409, "invalid_transition", "to",
                   to == OS_CANCELLED ? "the order has shipped or is closed"
                                      : "the order cannot move to this status from its own");
        return 0;
    }
    int64_t now = now_unix();
    int rc = 0;
    if (effect == OST_RELEASE)
        rc = stock_lines(c, actor, o, PARTS_RELEASE, now);
    else if (effect == OST_ISSUE)
        rc = stock_lines(c, actor, o, PARTS_ISSUE, now);
    else if (effect == OST_RESTOCK)
        rc = stock_lines(c, actor, o, PARTS_RESTOCK, now);
    if (rc == PARTS_SHORT) {
        ord_refuse(a, 409, "out_of_stock", "lines", "the warehouse no longer holds the reserved units");
        return 0;
    }
    if (rc < 0)
        return rc;
    char sql[160];
    snprintf(sql, sizeof sql, "UPDATE orders SET status = ?, %s = ?, version = version + 1,"
             " updated_at = ? WHERE id = ?", order_time_column(to));
    const char *name = order_status_name(to);
    if ((rc = (int)db_exec(c, sql, "tiii", name, now, now, o->id)) < 0 ||
        (rc = add_event(c, o->id, name, note, actor, now)) < 0 ||
        (rc = audit_write(c, actor, name, "order", o->code, NULL)) < 0)
        return rc;
    if (to == OS_CANCELLED || to == OS_SHIPPED) {
        if ((rc = queue_notice(c, o, to == OS_CANCELLED ? "order_cancelled" : "order_shipped", now)) < 0)
            return rc;
    }
    o->status = to;
    if ((rc = ord_json(c, o->id, 1, &a->body)) != 0)
        return rc < 0 ? rc : DB_ERROR;
    a->status = 200;
    return 0;
}
