/* parts: `aftersales import parts|warehouses|stock` and `aftersales export
 * parts|warehouses`, through the shared all-or-nothing import driver. */
#include <stdlib.h>
#include <string.h>

#include "base/audit.h"
#include "base/csv.h"
#include "features/common/common.h"
#include "features/parts/internal.h"

/* ---------------------------------------------------------------- parts */

enum { P_NUMBER, P_DESC, P_MODELS, P_PRICE, P_SUP, P_SOURCE, P_DESC_EN, P_SERIAL };

/* A supersession whose part came later in the file, set at the end. */
struct later {
    int64_t id;
    char *sup;
    long line;
};
struct parts_ctx {
    json_t *seen; /* number -> line */
    struct later *later;
    size_t nlater, cap;
};

static int64_t next_in_db(void *ctx, int64_t id)
{
    db_conn *c = ctx;
    db_stmt *st = db_prepare(c, "SELECT COALESCE(superseded_by, 0) FROM parts WHERE id = ?");
    if (!st)
        return 0;
    db_bind_int(st, 1, id);
    int64_t n = db_step(st) == DB_ROW ? db_int(st, 0) : 0;
    db_done(st);
    return n;
}

/* Point part id at sup (a stored part) and refuse a chain that loops. 0, IMPORT_BAD or a
 * db code. */
static int link_sup(struct import_row *ir, int64_t id, const char *number, const char *sup,
                    long line)
{
    struct pt_part s;
    int k = pt_part_find(ir->c, sup, &s);
    if (k < 0)
        return k;
    if (k == 1)
        return import_bad(ir, "superseded_by: unknown part %s (line %ld)", sup, line);
    int64_t e = db_exec(ir->c, "UPDATE parts SET superseded_by = ? WHERE id = ?", "ii", s.id, id);
    if (e < 0)
        return (int)e;
    int64_t chain[PART_CHAIN_MAX];
    if (part_chain(next_in_db, ir->c, id, chain, PART_CHAIN_MAX) < 0)
        return import_bad(ir, "superseded_by: %s -> %s makes a supersession cycle (line %ld)",
                          number, sup, line);
    return 0;
}

static int import_part(struct import_row *ir)
{
    struct parts_ctx *x = ir->ctx;
    const char *number_s = import_field(ir, P_NUMBER), *desc = import_field(ir, P_DESC);
    const char *models = import_field(ir, P_MODELS), *price_s = import_field(ir, P_PRICE);
    const char *sup_s = import_field(ir, P_SUP), *source = import_field(ir, P_SOURCE);
    const char *desc_en = import_field(ir, P_DESC_EN), *serial = import_field(ir, P_SERIAL);
    if (!code_ok(number_s, 40))
        return import_bad(ir, "number: 1-40 letters, digits or - _ . /");
    if (!*desc || strlen(desc) > 200)
        return import_bad(ir, "description: required, at most 200 bytes");
    if (strlen(desc_en) > 200)
        return import_bad(ir, "description_en: at most 200 bytes");
    char *end = NULL;
    long long price = strtoll(price_s, &end, 10);
    if (!*price_s || *end || price < 0 || price > 100000000LL)
        return import_bad(ir, "price_fen: a whole number of fen from 0 to 100000000");
    if (strcmp(source, "domestic") && strcmp(source, "imported"))
        return import_bad(ir, "source: one of domestic, imported");
    if (*serial && strcmp(serial, "true") && strcmp(serial, "false"))
        return import_bad(ir, "serial_tracked: true or false");
    if (*sup_s && !code_ok(sup_s, 40))
        return import_bad(ir, "superseded_by: a part number or empty");
    char *number = code_upper(ir->a, number_s), *sup = *sup_s ? code_upper(ir->a, sup_s) : NULL;
    if (sup && strcmp(sup, number) == 0)
        return import_bad(ir, "superseded_by: a part cannot supersede itself");
    json_t *seen = json_object_get(x->seen, number);
    if (seen)
        return import_bad(ir, "part %s appears twice in the file (first on line %lld)", number,
                          (long long)json_integer_value(seen));
    json_object_set_new(x->seen, number, json_integer(import_line(ir)));
    db_stmt *st = db_prepare(
        ir->c, "INSERT INTO parts (number, description, description_en, price_fen, source,"
               " serial_tracked, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
               " ON CONFLICT (number) DO UPDATE SET description = excluded.description,"
               " description_en = excluded.description_en, price_fen = excluded.price_fen,"
               " source = excluded.source, serial_tracked = excluded.serial_tracked,"
               " superseded_by = NULL, version = parts.version + 1, updated_at = excluded.updated_at"
               " RETURNING id");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, number);
    db_bind_text(st, 2, desc);
    db_bind_text(st, 3, *desc_en ? desc_en : NULL);
    db_bind_int(st, 4, price);
    db_bind_text(st, 5, source);
    db_bind_int(st, 6, strcmp(serial, "true") == 0);
    db_bind_int(st, 7, ir->now);
    db_bind_int(st, 8, ir->now);
    int rc = db_step(st);
    int64_t id = rc == DB_ROW ? db_int(st, 0) : 0;
    db_done(st);
    if (rc != DB_ROW)
        return rc < 0 ? rc : DB_ERROR;
    if (db_exec(ir->c, "DELETE FROM part_models WHERE part_id = ?", "i", id) < 0)
        return DB_ERROR;
    char *list = arena_strdup(ir->a, models), *save = NULL;
    for (char *m = strtok_r(list, " ", &save); m; m = strtok_r(NULL, " ", &save)) {
        char *code = code_upper(ir->a, m);
        int64_t e = db_exec(ir->c, "INSERT INTO part_models (part_id, model_id) SELECT ?, id"
                                   " FROM models WHERE code = ? ON CONFLICT DO NOTHING",
                            "it", id, code);
        if (e < 0)
            return (int)e;
        if (e == 0) {
            db_stmt *k = db_prepare(ir->c, "SELECT 1 FROM models WHERE code = ?");
            if (!k)
                return DB_ERROR;
            db_bind_text(k, 1, code);
            int f = db_step(k);
            db_done(k);
            if (f < 0)
                return f;
            if (f != DB_ROW)
                return import_bad(ir, "models: unknown model %s", code);
        }
    }
    if (sup) {
        struct pt_part s;
        int k = pt_part_find(ir->c, sup, &s);
        if (k < 0)
            return k;
        if (k == 0) {
            /* stored already (earlier in the file or before): link now, so a cycle is
             * reported on the line that closes it */
            if ((k = link_sup(ir, id, number, sup, import_line(ir))) != 0)
                return k;
        } else {
            if (x->nlater == x->cap) {
                size_t cap = x->cap ? x->cap * 2 : 64;
                struct later *v = realloc(x->later, cap * sizeof *v);
                if (!v)
                    return import_bad(ir, "out of memory");
                x->later = v, x->cap = cap;
            }
            x->later[x->nlater++] = (struct later){id, sup, import_line(ir)};
        }
    }
    json_t *detail = json_pack("{s:s, s:I, s:s, s:s?}", "number", number, "price_fen",
                               (json_int_t)price, "source", source, "superseded_by", sup);
    int aw = audit_write(ir->c, ir->actor, "import", "part", number, detail);
    json_decref(detail);
    return aw < 0 ? DB_ERROR : 0;
}

/* The supersessions that named a part further down the file. */
static int import_parts_end(struct import_row *ir)
{
    struct parts_ctx *x = ir->ctx;
    for (size_t i = 0; i < x->nlater; i++) {
        db_stmt *st = db_prepare(ir->c, "SELECT number FROM parts WHERE id = ?");
        if (!st)
            return DB_ERROR;
        db_bind_int(st, 1, x->later[i].id);
        char number[48] = "";
        if (db_step(st) == DB_ROW)
            snprintf(number, sizeof number, "%s", db_text(st, 0));
        db_done(st);
        int k = link_sup(ir, x->later[i].id, number, x->later[i].sup, x->later[i].line);
        if (k != 0)
            return k;
    }
    return 0;
}

int parts_import_parts(db *d, const char *path, FILE *in)
{
    static const struct csv_column cols[] = {
        {"number", 1},        {"description", 1}, {"models", 0},         {"price_fen", 1},
        {"superseded_by", 0}, {"source", 1},      {"description_en", 0}, {"serial_tracked", 0},
        {NULL, 0}};
    struct parts_ctx x = {.seen = json_object()};
    struct import_spec spec = {"parts", cols, import_part, import_parts_end, &x};
    int rc = import_csv(d, path, in, &spec);
    json_decref(x.seen);
    free(x.later);
    return rc;
}

int parts_export_parts(db *d, FILE *out)
{
    db_conn *c = db_acquire(d);
    int rc = -1;
    db_stmt *st = db_prepare(c, "SELECT p.id, p.number, p.description, p.price_fen, s.number,"
                                " p.source, p.description_en, p.serial_tracked FROM parts p"
                                " LEFT JOIN parts s ON s.id = p.superseded_by ORDER BY p.number");
    csv_writer w = csv_writer_file(out, 0);
    static const char *const head[] = {"number", "description", "models", "price_fen",
                                       "superseded_by", "source", "description_en",
                                       "serial_tracked"};
    if (!st)
        goto cleanup;
    /* every part first (the models query needs the statement slot) */
    json_t *rows = json_array();
    int s;
    while ((s = db_step(st)) == DB_ROW)
        json_array_append_new(
            rows, json_pack("[I, s, s, I, s?, s, s?, b]", (json_int_t)db_int(st, 0), db_text(st, 1),
                            db_text(st, 2), (json_int_t)db_int(st, 3), db_text(st, 4),
                            db_text(st, 5), db_text(st, 6), db_int(st, 7) != 0));
    db_done(st);
    if (s < 0) {
        json_decref(rows);
        goto cleanup;
    }
    csv_row(&w, head, 8);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        db_stmt *m = db_prepare(c, "SELECT m.code FROM part_models pm JOIN models m"
                                   " ON m.id = pm.model_id WHERE pm.part_id = ? ORDER BY m.code");
        if (!m)
            break;
        db_bind_int(m, 1, json_integer_value(json_array_get(row, 0)));
        char models[4096] = "";
        size_t n = 0;
        while (db_step(m) == DB_ROW)
            n += (size_t)snprintf(models + n, n < sizeof models ? sizeof models - n : 0, "%s%s",
                                  n ? " " : "", db_text(m, 0));
        db_done(m);
        csv_cell(&w, json_string_value(json_array_get(row, 1)));
        csv_cell(&w, json_string_value(json_array_get(row, 2)));
        csv_cell(&w, n < sizeof models ? models : "");
        csv_cellf(&w, "%lld", (long long)json_integer_value(json_array_get(row, 3)));
        csv_cell(&w, json_string_value(json_array_get(row, 4)));
        csv_cell(&w, json_string_value(json_array_get(row, 5)));
        csv_cell(&w, json_string_value(json_array_get(row, 6)));
        csv_cell(&w, json_is_true(json_array_get(row, 7)) ? "true" : "false");
        csv_end_row(&w);
    }
    json_decref(rows);
    rc = 0;
cleanup:
    if (rc < 0)
        fprintf(stderr, "export parts: %s\n", db_errmsg(c));
    db_release(c);
    return rc;
}

/* ---------------------------------------------------------------- warehouses */

enum { W_CODE, W_NAME, W_KIND, W_REGION, W_OUTLET };

static int import_wh(struct import_row *ir)
{
    json_t *seen = ir->ctx;
    struct pt_wh_in in = {code_upper(ir->a, import_field(ir, W_CODE)), import_field(ir, W_NAME),
                          import_field(ir, W_KIND), import_field(ir, W_REGION),
                          import_field(ir, W_OUTLET)};
    json_t *first = json_object_get(seen, in.code);
    if (first)
        return import_bad(ir, "warehouse %s appears twice in the file (first on line %lld)",
                          in.code, (long long)json_integer_value(first));
    json_object_set_new(seen, in.code, json_integer(import_line(ir)));
    const char *field = NULL, *why = NULL;
    int rc = pt_wh_store(ir->c, &in, ir->actor, ir->now, 1, &field, &why);
    if (rc == PW_BAD || rc == PW_DUPLICATE)
        return import_bad(ir, "%s: %s", field, why);
    return rc;
}

int parts_import_warehouses(db *d, const char *path, FILE *in)
{
    static const struct csv_column cols[] = {{"code", 1}, {"name", 1},   {"kind", 1},
                                             {"region", 1}, {"outlet", 0}, {NULL, 0}};
    json_t *seen = json_object();
    struct import_spec spec = {"warehouses", cols, import_wh, NULL, seen};
    int rc = import_csv(d, path, in, &spec);
    json_decref(seen);
    return rc;
}

int parts_export_warehouses(db *d, FILE *out)
{
    db_conn *c = db_acquire(d);
    db_stmt *st = db_prepare(c, "SELECT w.code, w.name, w.kind, w.region, o.code FROM warehouses w"
                                " LEFT JOIN outlets o ON o.id = w.outlet_id ORDER BY w.code");
    int rc = -1, s = DB_ERROR;
    if (st) {
        csv_writer w = csv_writer_file(out, 0);
        static const char *const head[] = {"code", "name", "kind", "region", "outlet"};
        csv_row(&w, head, 5);
        while ((s = db_step(st)) == DB_ROW) {
            for (int i = 0; i < 5; i++)
                csv_cell(&w, db_text(st, i));
            csv_end_row(&w);
        }
        db_done(st);
    }
    rc = s < 0 ? -1 : 0;
    if (rc < 0)
        fprintf(stderr, "export warehouses: %s\n", db_errmsg(c));
    db_release(c);
    return rc;
}

/* ---------------------------------------------------------------- stock */

enum { S_WAREHOUSE, S_PART, S_QTY };

static int import_stock_row(struct import_row *ir)
{
    const char *wc = import_field(ir, S_WAREHOUSE), *pn = import_field(ir, S_PART);
    const char *qs = import_field(ir, S_QTY);
    char *end = NULL;
    long long q = strtoll(qs, &end, 10);
    if (!*qs || *end || !part_qty_ok(q))
        return import_bad(ir, "qty: a whole number of units from 1 to %d", PART_QTY_MAX);
    struct pt_wh w;
    int k = pt_wh_find(ir->c, code_upper(ir->a, wc), &w);
    if (k < 0)
        return k;
    if (k == 1)
        return import_bad(ir, "warehouse: unknown warehouse %s", wc);
    struct pt_part p;
    if ((k = pt_part_find(ir->c, code_upper(ir->a, pn), &p)) < 0)
        return k;
    if (k == 1)
        return import_bad(ir, "part: unknown part %s", pn);
    if ((k = pl_apply(ir->c, p.id, w.id, PD_RECEIVE, q, ir->now)) != 0)
        return k < 0 ? k : DB_ERROR;
    struct pl_move m = {.kind = "receipt", .part = p.id, .qty = q, .to = w.id,
                        .reason = "import", .actor = ir->actor, .at = ir->now};
    if ((k = pl_move_add(ir->c, &m, NULL)) != 0)
        return k;
    return pl_fill_backorders(ir->c, p.id, w.id, ir->actor, ir->now);
}

int parts_import_stock(db *d, const char *path, FILE *in)
{
    static const struct csv_column cols[] = {{"warehouse", 1}, {"part", 1}, {"qty", 1}, {NULL, 0}};
    struct import_spec spec = {"stock", cols, import_stock_row, NULL, NULL};
    return import_csv(d, path, in, &spec);
}
