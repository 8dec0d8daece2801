/* csv: `aftersales import|export outlets`. */
#include "features/network/internal.h"

#include "base/arena.h"
#include "base/audit.h"
#include "base/buf.h"
#include "base/csv.h"

#include <stdlib.h>
#include <string.h>

static const struct csv_column outlet_columns[] = {
    {"code", 1},   {"name", 1},          {"type", 0},     {"grade", 0},  {"region", 1},
    {"covers", 0}, {"product_lines", 0}, {"capacity", 0}, {"active", 0}, {NULL, 0}};

/* Split a space-separated list into a (NULL-terminated) array in a. */
const char **net_split_list(arena *a, const char *s, size_t *n)
{
    size_t cap = 1;
    for (const char *p = s; *p; p++)
        if (*p == ' ')
            cap++;
    const char **out = arena_alloc(a, (cap + 1) * sizeof *out);
    *n = 0;
    char *copy = arena_strdup(a, s), *save = NULL;
    for (char *t = strtok_r(copy, " \t", &save); t; t = strtok_r(NULL, " \t", &save))
        out[(*n)++] = t;
    return out;
}

/* The outlet of the current row (strings borrowed from the reader or in ir->a); errors
 * of its capacity and active cells into fields. */
static void outlet_of_row(const struct import_row *ir, struct outlet_in *o, json_t *fields)
{
#define COL(k) (*import_field(ir, k) ? import_field(ir, k) : NULL)
    net_outlet_defaults(o);
    o->code = COL(0);
    o->name = COL(1);
    if (COL(2))
        o->type = COL(2);
    o->grade = COL(3);
    o->region = COL(4);
    const char *cov_s = COL(5), *lines_s = COL(6), *cap_s = COL(7), *act_s = COL(8);
#undef COL
    if (cov_s)
        o->covers = net_split_list(ir->a, cov_s, &o->ncovers);
    if (lines_s)
        o->lines = net_split_list(ir->a, lines_s, &o->nlines);
    if (cap_s) {
        char *e = NULL;
        o->capacity = strtoll(cap_s, &e, 10);
        if (*e || e == cap_s)
            json_object_set_new(fields, "capacity", json_string("must be an integer"));
    }
    if (act_s) {
        if (strcmp(act_s, "true") == 0)
            o->active = 1;
        else if (strcmp(act_s, "false") == 0)
            o->active = 0;
        else
            json_object_set_new(fields, "active", json_string("true or false"));
    }
}

/* "field: reason; field: reason" as the row's error. */
static int bad_fields(struct import_row *ir, json_t *fields)
{
    const char *k;
    json_t *v;
    size_t n = 0;
    ir->err[0] = '\0';
    json_object_foreach(fields, k, v)
    {
        n += (size_t)snprintf(ir->err + n, n < sizeof ir->err ? sizeof ir->err - n : 0,
                              "%s%s: %s", n ? "; " : "", k, json_string_value(v));
        if (n >= sizeof ir->err)
            break;
    }
    json_decref(fields);
    return IMPORT_BAD;
}

/* Create the outlet, or update the one with its code (same hours), with its audit row.
 * 0 or a db code. */
static int store_row(struct import_row *ir, const struct outlet_in *o)
{
    db_conn *c = ir->c;
    db_stmt *st = db_prepare(c, "SELECT id FROM outlets WHERE code = ?");
    int64_t id = 0;
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, o->code);
    int s = db_step(st);
    if (s == DB_ROW)
        id = db_int(st, 0);
    db_done(st);
    if (s < 0)
        return s;
    json_t *detail = json_pack("{s:s, s:s, s:s, s:s?, s:I, s:b}", "name", o->name, "type",
                               o->type, "region", o->region, "grade", o->grade, "capacity",
                               (json_int_t)o->capacity, "active", o->active);
    int rc = net_outlet_store(c, id, o) < 0 ||
                     audit_write(c, ir->actor, id ? "update" : "create", "outlet", o->code,
                                 detail) < 0
                 ? DB_ERROR
                 : 0;
    json_decref(detail);
    return rc;
}

/* One row: validated (also against the rows before it) and stored. */
static int outlet_row(struct import_row *ir)
{
    json_t *seen = ir->ctx;
    struct outlet_in o;
    json_t *fields = json_object();
    outlet_of_row(ir, &o, fields);
    if (net_outlet_validate(ir->c, &o, fields) < 0) {
        json_decref(fields);
        return DB_ERROR;
    }
    if (o.code && json_object_get(seen, o.code))
        json_object_set_new(fields, "code", json_string("appears twice in this file"));
    if (json_object_size(fields))
        return bad_fields(ir, fields);
    json_decref(fields);
    json_object_set_new(seen, o.code, json_true());
    return store_row(ir, &o);
}

int network_import_outlets(db *d, const char *path, FILE *in)
{
    db_conn *c = db_acquire(d);
    int e = network_regions_ensure(c, NULL);
    db_release(c);
    if (e < 0)
        return -1;
    json_t *seen = json_object();
    const struct import_spec spec = {
        .kind = "outlets", .cols = outlet_columns, .row = outlet_row, .ctx = seen};
    int rc = import_csv(d, path, in, &spec);
    json_decref(seen);
    return rc;
}

/* A list as one cell, its items separated by spaces. */
static void csv_list(csv_writer *w, json_t *a)
{
    buf b = BUF_INIT;
    size_t i;
    json_t *x;
    json_array_foreach(a, i, x)
    {
        if (i)
            buf_addc(&b, ' ');
        buf_adds(&b, json_string_value(x));
    }
    csv_cell(w, b.s);
    buf_release(&b);
}

int network_export_outlets(db *d, FILE *out)
{
    db_conn *c = db_acquire(d);
    int rc = -1, s, err = 0;
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    csv_writer w = csv_writer_file(out, CSV_CRLF);
    static const char *const head[] = {"code",   "name",          "type",     "grade", "region",
                                       "covers", "product_lines", "capacity", "active"};
    csv_row(&w, head, 9);
    db_stmt *st = db_prepare(c, "SELECT id FROM outlets ORDER BY code");
    if (!st)
        goto dberr;
    while ((s = db_step(st)) == DB_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            ids = realloc(ids, cap * sizeof *ids);
        }
        ids[n++] = db_int(st, 0);
    }
    db_done(st);
    if (s < 0)
        goto dberr;
    for (size_t i = 0; i < n; i++) {
        json_t *j = net_outlet_json(c, ids[i], &err);
        if (!j)
            goto dberr;
        static const char *const k[] = {"code", "name", "type", "grade", "region"};
        for (int m = 0; m < 5; m++)
            csv_cell(&w, json_string_value(json_object_get(j, k[m])));
        csv_list(&w, json_object_get(j, "covers"));
        csv_list(&w, json_object_get(j, "product_lines"));
        csv_cellf(&w, "%lld", (long long)json_integer_value(json_object_get(j, "capacity")));
        csv_cell(&w, json_is_true(json_object_get(j, "active")) ? "true" : "false");
        csv_end_row(&w);
        json_decref(j);
    }
    rc = 0;
    goto cleanup;
dberr:
    fprintf(stderr, "export outlets: %s\n", db_errmsg(c));
cleanup:
    free(ids);
    db_release(c);
    return rc;
}
