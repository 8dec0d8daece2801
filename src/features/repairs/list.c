/* repairs: GET /api/v1/repairs, the filtered, paged list, also as a CSV/XLSX download. */
#include "features/common/common.h"
#include "features/customers/customers.h"
#include "features/repairs/internal.h"
#include "rules/repair_state.h"

#include <stdlib.h>
#include <string.h>

/* The filters of one list request, read and checked. */
struct repair_filter {
    const char *status, *kind;
    int64_t outlet_id, cust, before;
    int open;
};

/* Read and check the filters of r into f. 0, LIST_ANSWERED (422 answered) or -1. */
static int read_filter(req *r, db_conn *c, struct repair_filter *f)
{
    const char *outlet = req_query(r, "outlet");
    const char *customer = req_query(r, "customer");
    const char *age = req_query(r, "age");
    const char *open = req_query(r, "open");
    json_t *fields = json_object();
    char *end;
    memset(f, 0, sizeof *f);
    f->status = req_query(r, "status");
    f->kind = req_query(r, "kind");
    if (f->status && *f->status && repair_status_parse(f->status) < 0)
        json_object_set_new(fields, "status", json_string("unknown status"));
    if (f->kind && *f->kind && !rep_in_list(rep_kinds, f->kind))
        json_object_set_new(fields, "kind", json_string("one of carry_in, on_site, mail_in"));
    long age_days = 0;
    if (age && *age) {
        age_days = strtol(age, &end, 10);
        if (*end || age_days < 0 || age_days > 3650)
            json_object_set_new(fields, "age", json_string("a number of days, 0-3650"));
    }
    f->outlet_id = scope_outlet(r);
    if (outlet && *outlet && f->outlet_id == 0) {
        int k = lookup_id(c, "SELECT id FROM outlets WHERE code = ?", outlet, &f->outlet_id);
        if (k < 0) {
            json_decref(fields);
            return -1;
        }
        if (k == 1)
            json_object_set_new(fields, "outlet", json_string("unknown outlet"));
    }
    if (customer && *customer) {
        int k = customers_resolve(c, customer, &f->cust, NULL);
        if (k < -1) {
            json_decref(fields);
            return -1;
        }
        if (k == -1)
            json_object_set_new(fields, "customer", json_string("unknown customer"));
    }
    if (json_object_size(fields)) {
        reply_error(r, 422, "validation_failed", "bad list filter", fields);
        return LIST_ANSWERED;
    }
    json_decref(fields);
    if (f->status && !*f->status)
        f->status = NULL;
    if (f->kind && !*f->kind)
        f->kind = NULL;
    f->before = age_days ? now_unix() - (int64_t)age_days * 86400 : 0;
    f->open = open && (strcmp(open, "1") == 0 || strcmp(open, "true") == 0);
    return 0;
}

static int repairs_page(req *r, const struct page *p, json_t *items, const char **next)
{
    db_conn *c = req_db(r);
    int64_t after = page_after_id(r, p);
    if (after < 0)
        return LIST_ANSWERED;
    struct repair_filter f;
    int rc = read_filter(r, c, &f);
    if (rc != 0)
        return rc;
    /* Downloads also carry the fault, which the JSON list leaves to the detail. */
    int download = table_format_of(r) != TABLE_JSON;
    /* The WHERE clause is made of the fixed fragments of the filters given (never of input
     * text), so each combination is its own cached statement and can use the indexes
     * (outlet_id, id), (status, id), (customer_id). */
    const struct {
        int on;
        const char *sql;
        const char *text;
        int64_t num;
    } filters[] = {
        {f.status != NULL, " AND r.status = ?", f.status, 0},
        {f.outlet_id != 0, " AND r.outlet_id = ?", NULL, f.outlet_id},
        {f.kind != NULL, " AND r.kind = ?", f.kind, 0},
        {f.cust != 0, " AND r.customer_id = ?", NULL, f.cust},
        {f.before != 0, " AND COALESCE(r.received_at, r.registered_at) <= ?", NULL, f.before},
        {f.open, " AND r.status NOT IN ('delivered', 'cancelled')", NULL, -1},
        {after != 0, " AND r.id < ?", NULL, after},
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
    int n = 1;
    for (size_t i = 0; i < sizeof filters / sizeof *filters; i++) {
        if (!filters[i].on || filters[i].num < 0)
            continue;
        if (filters[i].text)
            db_bind_text(st, n++, filters[i].text);
        else
            db_bind_int(st, n++, filters[i].num);
    }
    db_bind_int(st, n, p->limit + 1);
    long shown = 0;
    int64_t last = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        if (shown == p->limit) {
            *next = page_cursor_int(r->a, last);
            break;
        }
        json_t *it = rep_repair_row_json(st, 0);
        if (download)
            json_object_set_new(it, "fault", db_isnull(st, 5) ? json_null()
                                                              : json_string(db_text(st, 5)));
        json_array_append_new(items, it);
        last = db_int(st, 0);
        shown++;
    }
    db_done(st);
    return rc < 0 ? -1 : 0;
}

static const struct table_col repair_cols[] = {
    {"code", NULL, TABLE_TEXT, 14, 0},
    {"status", NULL, TABLE_TEXT, 12, 0},
    {"kind", NULL, TABLE_TEXT, 10, 0},
    {"channel", NULL, TABLE_TEXT, 9, 0},
    {"customer", "customer.code", TABLE_TEXT, 12, 0},
    {"customer_name", "customer.name", TABLE_TEXT, 14, 0},
    {"serial", NULL, TABLE_TEXT, 18, 0},
    {"model", "model.code", TABLE_TEXT, 12, 0},
    {"model_name", "model.name", TABLE_TEXT, 20, 0},
    {"product_line", "product_line.code", TABLE_TEXT, 12, 0},
    {"outlet", "outlet.code", TABLE_TEXT, 9, 0},
    {"outlet_name", "outlet.name", TABLE_TEXT, 20, 0},
    {"in_warranty", NULL, TABLE_TEXT, 11, 0},
    {"fault", NULL, TABLE_TEXT, 40, 0},
    {"registered_at", NULL, TABLE_TIME, 17, 0},
    {"received_at", NULL, TABLE_TIME, 17, 0},
    {"repaired_at", NULL, TABLE_TIME, 17, 0},
    {"delivered_at", NULL, TABLE_TIME, 17, 0},
    {"cancelled_at", NULL, TABLE_TIME, 17, 0},
    {"age_days", NULL, TABLE_INT, 9, 0},
};

static const struct list_spec repairs_spec = {
    "repairs", repair_cols, (int)(sizeof repair_cols / sizeof *repair_cols), 50, 500, 1,
    repairs_page,
};

int repairs_list(req *r)
{
    return list_reply(r, &repairs_spec);
}
