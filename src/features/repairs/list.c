/* repairs: GET /api/v1/repairs, the filtered, paged list. */
#include "features/customers/customers.h"
#include "features/repairs/internal.h"
#include "rules/repair_state.h"

#include <stdlib.h>
#include <string.h>

int repairs_list(req *r)
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
    if (kind && *kind && !rep_in_list(rep_kinds, kind))
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
    int64_t outlet_id = rep_confined_outlet(r), cust = 0;
    if (outlet && *outlet && outlet_id == 0) {
        int k = rep_lookup_id(c, "SELECT id FROM outlets WHERE code = ?", outlet, &outlet_id);
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
        json_array_append_new(items, rep_repair_row_json(st, 0));
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
