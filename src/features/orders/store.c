/* orders: loading an order, its JSON (staff and public views), reading order lines from
 * a request body, and answering a write. */
#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "features/orders/internal.h"

void ord_refuse(struct ord_answer *a, int status, const char *code, const char *field,
                const char *message)
{
    a->status = status;
    a->code = code;
    a->field = field;
    a->reason = message;
    a->message = message;
}

int ord_reply(req *r, struct ord_answer *a)
{
    if (a->status >= 300) {
        json_decref(a->body);
        a->body = NULL;
        return reply_error(r, a->status, a->code, a->message,
                           a->field ? json_pack("{s:s}", a->field, a->reason) : NULL);
    }
    json_t *b = a->body;
    a->body = NULL;
    return reply_json(r, a->status, b);
}

int ord_invalid(req *r, jsonv *v, json_t *body)
{
    int rc = reply_error(r, 422, "validation_failed", "the order is incomplete or wrong",
                         jsonv_take(v));
    jsonv_free(v);
    json_decref(body);
    return rc;
}

int ord_lines_read(jsonv *v, json_t *body, arena *a, struct ord_line_in *out)
{
    json_t *lines = json_object_get(body, "lines");
    if (!json_is_array(lines) || json_array_size(lines) == 0 ||
        json_array_size(lines) > ORD_MAX_LINES) {
        jsonv_fail(v, "lines", "1 to 20 lines of {part, qty}");
        return 0;
    }
    int n = 0;
    size_t i;
    json_t *l;
    json_array_foreach(lines, i, l) {
        json_t *p = json_object_get(l, "part"), *q = json_object_get(l, "qty");
        const char *field = arena_printf(a, "lines[%zu]", i);
        if (!json_is_object(l) || json_object_size(l) != 2 || !json_is_string(p) ||
            !code_ok(json_string_value(p), 40) || !json_is_integer(q) ||
            json_integer_value(q) < 1 || json_integer_value(q) > 99) {
            jsonv_fail(v, field, "{part: a part number, qty: 1 to 99}");
            return 0;
        }
        const char *number = code_upper(a, json_string_value(p));
        for (int k = 0; k < n; k++)
            if (strcmp(out[k].part, number) == 0) {
                jsonv_fail(v, field, "the same part twice: give one line with its quantity");
                return 0;
            }
        out[n].part = number;
        out[n].qty = (int64_t)json_integer_value(q);
        n++;
    }
    return n;
}

int ord_load(db_conn *c, const char *code, struct ord_row *o)
{
    db_stmt *st = db_prepare(c, "SELECT id, customer_id, COALESCE(outlet_id, 0), warehouse_id,"
                                " version, status, code, contact_phone FROM orders WHERE code = ?");
    if (!st)
        return DB_ERROR;
    char up[24];
    size_t n = strlen(code ? code : "");
    if (n >= sizeof up)
        return 1;
    for (size_t i = 0; i <= n; i++)
        up[i] = (code[i] >= 'a' && code[i] <= 'z') ? (char)(code[i] - 32) : code[i];
    db_bind_text(st, 1, up);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        o->id = db_int(st, 0);
        o->customer_id = db_int(st, 1);
        o->outlet_id = db_int(st, 2);
        o->warehouse_id = db_int(st, 3);
        o->version = db_int(st, 4);
        o->status = (enum order_status)order_status_parse(db_text(st, 5));
        snprintf(o->code, sizeof o->code, "%s", db_text(st, 6));
        snprintf(o->phone, sizeof o->phone, "%s", db_text(st, 7));
    }
    db_done(st);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? 1 : rc;
}

static json_t *opt_text(db_stmt *st, int col)
{
    return db_isnull(st, col) ? json_null() : json_string(db_text(st, col));
}

static json_t *opt_time(db_stmt *st, int col)
{
    return db_isnull(st, col) ? json_null() : dt_json(db_int(st, col));
}

static int add_lines(db_conn *c, int64_t id, json_t *o)
{
    db_stmt *st = db_prepare(c, "SELECT p.number, p.description, p.description_en, l.qty, l.price_fen"
                                " FROM order_lines l JOIN parts p ON p.id = l.part_id"
                                " WHERE l.order_id = ? ORDER BY l.id");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, id);
    json_t *lines = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(
            lines, json_pack("{s:s, s:s, s:o, s:I, s:I, s:I}", "part", db_text(st, 0), "description",
                             db_text(st, 1), "description_en", opt_text(st, 2), "qty",
                             (json_int_t)db_int(st, 3), "price_fen", (json_int_t)db_int(st, 4),
                             "amount_fen", (json_int_t)(db_int(st, 3) * db_int(st, 4))));
    db_done(st);
    json_object_set_new(o, "lines", lines);
    return rc < 0 ? rc : 0;
}

static int add_events(db_conn *c, int64_t id, int staff, json_t *o)
{
    db_stmt *st = db_prepare(c, "SELECT status, at, actor, note FROM order_events"
                                " WHERE order_id = ? ORDER BY id");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, id);
    json_t *events = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        json_t *e = json_pack("{s:s, s:o}", "status", db_text(st, 0), "at", dt_json(db_int(st, 1)));
        if (staff) {
            json_object_set_new(e, "actor", json_string(db_text(st, 2)));
            json_object_set_new(e, "note", opt_text(st, 3));
        }
        json_array_append_new(events, e);
    }
    db_done(st);
    json_object_set_new(o, "events", events);
    return rc < 0 ? rc : 0;
}

int ord_json(db_conn *c, int64_t id, int staff, json_t **out)
{
    db_stmt *st = db_prepare(
        c, "SELECT o.code, o.status, o.channel, ou.code, ou.name, w.code, cu.code, cu.name,"
           " o.contact_name, o.contact_phone, o.address, o.note, o.total_fen, o.paid, o.pay_method,"
           " o.pay_reference, o.paid_at, o.placed_at, o.confirmed_at, o.picked_at, o.shipped_at,"
           " o.delivered_at, o.cancelled_at, o.returned_at, o.version, ou.phone"
           " FROM orders o JOIN customers cu ON cu.id = o.customer_id"
           " JOIN warehouses w ON w.id = o.warehouse_id LEFT JOIN outlets ou ON ou.id = o.outlet_id"
           " WHERE o.id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, id);
    int rc = db_step(st);
    if (rc != DB_ROW) {
        db_done(st);
        return rc == DB_DONE ? 1 : rc;
    }
    int status = order_status_parse(db_text(st, 1));
    json_t *o = json_pack(
        "{s:s, s:s, s:s, s:I, s:b, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "code",
        db_text(st, 0), "status", db_text(st, 1), "channel", db_text(st, 2), "total_fen",
        (json_int_t)db_int(st, 12), "modifiable",
        status >= 0 && order_modifiable((enum order_status)status), "placed_at",
        dt_json(db_int(st, 17)), "confirmed_at", opt_time(st, 18), "picked_at", opt_time(st, 19),
        "shipped_at", opt_time(st, 20), "delivered_at", opt_time(st, 21), "cancelled_at",
        opt_time(st, 22), "returned_at", opt_time(st, 23), "outlet_name", opt_text(st, 4));
    json_t *pay = json_pack("{s:b}", "paid", db_int(st, 13) != 0);
    if (staff) {
        json_object_set_new(o, "outlet", opt_text(st, 3));
        json_object_set_new(o, "warehouse", json_string(db_text(st, 5)));
        json_object_set_new(o, "customer", json_pack("{s:s, s:s}", "code", db_text(st, 6),
                                                     "name", db_text(st, 7)));
        json_object_set_new(o, "contact_name", json_string(db_text(st, 8)));
        json_object_set_new(o, "contact_phone", json_string(db_text(st, 9)));
        json_object_set_new(o, "address", opt_text(st, 10));
        json_object_set_new(o, "note", opt_text(st, 11));
        json_object_set_new(o, "version", json_integer((json_int_t)db_int(st, 24)));
        json_object_set_new(pay, "method", opt_text(st, 14));
        json_object_set_new(pay, "reference", opt_text(st, 15));
        json_object_set_new(pay, "paid_at", opt_time(st, 16));
    } else {
        json_object_set_new(o, "outlet_phone", opt_text(st, 25));
    }
    json_object_set_new(o, "payment", pay);
    db_done(st);
    if ((rc = add_lines(c, id, o)) == 0)
        rc = add_events(c, id, staff, o);
    if (rc < 0) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return 0;
}
