/* customers: the timeline of a customer (other features' history sources and the
 * customer's own audited events). */
#include "features/customers/internal.h"

#include "base/buf.h"
#include "base/datetime.h"
#include "base/log.h"
#include "features/common/common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A readable summary of one of the customer's own audited events (English; the staff app
 * translates from action and detail). */
static void audit_summary(buf *s, const char *action, json_t *d)
{
    const char *str;
    if (strcmp(action, "create") == 0) {
        buf_adds(s, "created");
        if ((str = json_string_value(json_object_get(d, "via"))))
            buf_addf(s, " (%s)", str);
    } else if (strcmp(action, "update") == 0) {
        buf_adds(s, "changed:");
        size_t i;
        json_t *f;
        json_array_foreach(json_object_get(d, "fields"), i, f)
            buf_addf(s, "%s %s", i ? "," : "", json_string_value(f));
    } else if (strcmp(action, "consent") == 0) {
        json_t *to = json_object_get(d, "to");
        buf_addf(s, "consent %s: %s", json_string_value(json_object_get(d, "channel")),
                 json_is_true(to)    ? "granted"
                 : json_is_false(to) ? "refused"
                                     : "not asked");
        if ((str = json_string_value(json_object_get(d, "source"))))
            buf_addf(s, " (%s)", str);
    } else if (strcmp(action, "merge") == 0) {
        buf_addf(s, "merged %s into this customer",
                 json_string_value(json_object_get(d, "duplicate")));
    } else if (strcmp(action, "merged_into") == 0) {
        buf_addf(s, "merged into %s", json_string_value(json_object_get(d, "survivor")));
    } else if (strcmp(action, "export") == 0) {
        buf_adds(s, "personal data exported");
    } else if (strcmp(action, "erase") == 0) {
        buf_adds(s, "personal data erased");
    } else {
        buf_adds(s, action);
    }
}

/* Audit events of a customer (and of the codes merged into it) as timeline items. */
static int audit_items(db_conn *c, const char *code, json_t *items)
{
    db_stmt *st = db_prepare(c, "SELECT at, action, detail, actor FROM audit WHERE entity ="
                                " 'customer' AND entity_code = ? ORDER BY id");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, code);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        const char *action = db_text(st, 1), *detail = db_text(st, 2);
        buf s = BUF_INIT;
        json_t *d = detail ? json_loads(detail, 0, NULL) : NULL;
        if (!d)
            d = json_object();
        audit_summary(&s, action, d);
        json_array_append_new(items, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o}", "at_unix",
                                               (json_int_t)db_int(st, 0), "kind", "customer",
                                               "code", code, "action", action, "summary", s.s,
                                               "actor", db_text(st, 3), "detail", d));
        buf_release(&s);
    }
    db_done(st);
    return rc < 0 ? rc : 0;
}

struct hitem {
    json_t *j;
    json_int_t at;
    size_t idx;
};

static int item_cmp(const void *a, const void *b)
{
    const struct hitem *x = a, *y = b;
    if (x->at != y->at)
        return x->at > y->at ? -1 : 1;
    return x->idx > y->idx ? -1 : x->idx < y->idx;
}

/* The timeline of a customer: every feature_history source plus the customer's own events,
 * newest first, at most limit items. */
json_t *cust_history_json(db_conn *c, int64_t id, const char *code, long limit)
{
    json_t *items = json_array();
    for (const struct history_source *h = feature_history; h->kind; h++) {
        db_stmt *st = db_prepare(c, h->sql);
        if (!st) {
            log_error("history source %s: %s", h->kind, db_errmsg(c));
            continue;
        }
        db_bind_int(st, 1, id);
        while (db_step(st) == DB_ROW)
            json_array_append_new(items,
                                  json_pack("{s:I, s:s, s:s?, s:s?}", "at_unix",
                                            (json_int_t)db_int(st, 0), "kind", h->kind, "code",
                                            db_text(st, 1), "summary", db_text(st, 2)));
        db_done(st);
    }
    if (audit_items(c, code, items) < 0)
        goto fail;
    db_stmt *st = db_prepare(c, "SELECT code FROM customers WHERE merged_into = ? ORDER BY id");
    if (!st)
        goto fail;
    db_bind_int(st, 1, id);
    char codes[64][16];
    int nm = 0;
    while (db_step(st) == DB_ROW && nm < 64)
        snprintf(codes[nm++], 16, "%s", db_text(st, 0));
    db_done(st);
    for (int i = 0; i < nm; i++)
        if (audit_items(c, codes[i], items) < 0)
            goto fail;
    /* newest first; for equal times the later entry (audit after sources) first */
    size_t n = json_array_size(items);
    struct hitem *v = malloc((n ? n : 1) * sizeof *v);
    for (size_t i = 0; i < n; i++) {
        v[i].j = json_array_get(items, i);
        v[i].at = json_integer_value(json_object_get(v[i].j, "at_unix"));
        v[i].idx = i;
    }
    qsort(v, n, sizeof *v, item_cmp);
    json_t *out = json_array();
    for (size_t i = 0; i < n && (long)i < limit; i++) {
        json_t *x = json_deep_copy(v[i].j);
        json_object_set_new(x, "at", dt_json(v[i].at));
        json_object_del(x, "at_unix");
        json_array_append_new(out, x);
    }
    free(v);
    json_decref(items);
    return out;
fail:
    json_decref(items);
    return NULL;
}

static const struct table_col history_cols[] = {
    {"at", NULL, TABLE_TIME, 17, 0},
    {"kind", NULL, TABLE_TEXT, 12, 0},
    {"code", NULL, TABLE_TEXT, 16, 0},
    {"summary", NULL, TABLE_TEXT, 60, 0},
};

/* The whole timeline (up to LIST_EXPORT_MAX items) as "customer-<code>-history.csv|xlsx". */
static int history_download(req *r, int64_t id, const char *code, enum table_format f)
{
    db_conn *c = req_db(r);
    json_t *items = cust_history_json(c, id, code, LIST_EXPORT_MAX + 1);
    if (!items)
        return -1;
    table *t = table_new(f, "history", history_cols,
                         (int)(sizeof history_cols / sizeof history_cols[0]), org_zone(c));
    if (!t) {
        json_decref(items);
        return -1;
    }
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it) {
        if (i < LIST_EXPORT_MAX)
            table_row(t, it);
    }
    int truncated = json_array_size(items) > LIST_EXPORT_MAX;
    json_decref(items);
    return table_reply(r, t, arena_printf(r->a, "customer-%s-history", code), truncated);
}

/* GET /api/v1/customers/{code}/history?limit=&format=: the newest `limit` items as JSON
 * ({"code", "items"}), or every item as a CSV/XLSX download. */
int customers_history(req *r)
{
    int f = table_format_of(r);
    if (f < 0)
        return reply_bad_format(r);
    db_conn *c = req_db(r);
    int64_t id;
    char code[16];
    int rc = cust_find(r, &id, code);
    if (rc != 0)
        return rc > 0 ? 0 : reply_db_failure(r, rc, "customers history");
    if (f != TABLE_JSON)
        return history_download(r, id, code, (enum table_format)f);
    const char *lim = req_query(r, "limit");
    long limit = lim ? strtol(lim, NULL, 10) : 200;
    if (limit < 1 || limit > 1000)
        limit = 200;
    json_t *items = cust_history_json(c, id, code, limit);
    if (!items)
        return -1;
    return reply_json(r, 200, json_pack("{s:s, s:o}", "code", code, "items", items));
}
