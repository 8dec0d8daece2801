/* list: list routes answered as a JSON page or as a CSV/XLSX download of all rows. */
#include <string.h>

#include "features/common/common.h"

int reply_bad_format(req *r)
{
    return reply_error(r, 422, "validation_failed", "format is json, csv or xlsx",
                       json_pack("{s:s}", "format", "one of json, csv, xlsx"));
}

static long export_max = LIST_EXPORT_MAX;

void list_set_export_max(long n) { export_max = n > 0 && n < LIST_EXPORT_MAX ? n : LIST_EXPORT_MAX; }

/* Every matching row, page after page, into one download. */
static int list_export(req *r, const struct list_spec *s, enum table_format f)
{
    table *t = table_new(f, s->name, s->cols, s->ncols, org_zone(req_db(r)));
    if (!t)
        return -1;
    struct page p = {.limit = s->max_limit};
    int truncated = 0;
    for (;;) {
        json_t *items = json_array();
        const char *next = NULL;
        int rc = s->page(r, &p, items, &next);
        if (rc != 0) {
            json_decref(items);
            table_free(t);
            return rc == LIST_ANSWERED ? 0 : -1;
        }
        size_t i;
        json_t *it;
        json_array_foreach(items, i, it) {
            if (table_rows(t) >= export_max) {
                truncated = 1;
                break;
            }
            table_row(t, it);
        }
        json_decref(items);
        if (truncated || !next)
            break;
        if (table_rows(t) >= export_max) {
            truncated = 1;
            break;
        }
        if (page_decode(r->a, next, s->nkeys, &p) < 0)
            break;
    }
    return table_reply(r, t, s->name, truncated);
}

int list_reply(req *r, const struct list_spec *s)
{
    int f = table_format_of(r);
    if (f < 0)
        return reply_bad_format(r);
    if (f != TABLE_JSON)
        return list_export(r, s, (enum table_format)f);
    struct page p;
    if (page_read(r, s->def_limit, s->max_limit, s->nkeys, &p) < 0)
        return 0;
    json_t *items = json_array();
    const char *next = NULL;
    int rc = s->page(r, &p, items, &next);
    if (rc != 0) {
        json_decref(items);
        return rc == LIST_ANSWERED ? 0 : -1;
    }
    return reply_json(r, 200, page_answer(items, next));
}

int table_reply_rows(req *r, enum table_format f, const char *name, const char *sheet,
                     const struct table_col *cols, int ncols, json_t *rows)
{
    table *t = table_new(f, sheet, cols, ncols, org_zone(req_db(r)));
    if (!t)
        return -1;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
        table_row(t, row);
    return table_reply(r, t, name, 0);
}

int list_ids_page(req *r, const struct page *p, db_stmt *st,
                  int (*one)(db_conn *c, int64_t id, json_t **out), json_t *items,
                  const char **next)
{
    long cap = p->limit + 1, n = 0;
    int64_t *ids = arena_alloc(r->a, (size_t)cap * sizeof *ids);
    int rc;
    while ((rc = db_step(st)) == DB_ROW && n < cap)
        ids[n++] = db_int(st, 0);
    db_done(st);
    if (rc < 0)
        return -1;
    if (n > p->limit) {
        n = p->limit;
        *next = page_cursor_int(r->a, ids[n - 1]);
    }
    for (long i = 0; i < n; i++) {
        json_t *j = NULL;
        if (one(req_db(r), ids[i], &j) != 0)
            return -1;
        json_array_append_new(items, j);
    }
    return 0;
}

int list_rows_page(req *r, const struct page *p, db_stmt *st, json_t *(*row)(db_stmt *st),
                   int id_col, json_t *items, const char **next)
{
    long n = 0;
    int64_t last = 0;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if (n == p->limit) {
            *next = page_cursor_int(r->a, last);
            break;
        }
        json_array_append_new(items, row(st));
        last = db_int(st, id_col);
        n++;
    }
    db_done(st);
    return rc < 0 ? -1 : 0;
}
