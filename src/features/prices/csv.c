/* prices: `aftersales import|export prices` and `price-caps`, the price guide as CSV
 * (columns of the SPEC contract), all or nothing, every row checked against the caps. */
#include "features/common/common.h"
#include "features/network/network.h"
#include "features/prices/internal.h"

#include <stdlib.h>
#include <string.h>

enum { C_LINE, C_LEVEL, C_REGION, C_FEN };

/* One row of a prices (ctx caps = 0) or caps file: checked, stored (audited). */
static int import_row(struct import_row *ir, int caps)
{
    const char *line = import_field(ir, C_LINE), *level = import_field(ir, C_LEVEL);
    const char *region = import_field(ir, C_REGION), *fen_s = import_field(ir, C_FEN);
    const char *fen_col = caps ? "cap_fen" : "labour_fen";
    struct pr_put p = {.caps = caps,
                       .line = line,
                       .level = level,
                       .region = region,
                       .actor = ir->actor,
                       .now = ir->now};
    if (!*line)
        return import_bad(ir, "product_line: required");
    int k = lookup_id(ir->c, "SELECT id FROM product_lines WHERE code = ?", line, &p.line_id);
    if (k < 0)
        return k;
    if (k == 1)
        return import_bad(ir, "product_line: unknown product line %s", line);
    if (!price_level_ok(level))
        return import_bad(ir, "level: must be one of A, B, C, D");
    if (!price_region_ok(region))
        return import_bad(ir, "region: must be a six-digit GB/T 2260 code or 000000");
    if ((k = pr_region_known(ir->c, region)) < 0)
        return k;
    if (!k)
        return import_bad(ir, "region: %s is not a region of the official division list", region);
    char *end = NULL;
    long long fen = strtoll(fen_s, &end, 10);
    if (!*fen_s || *end || fen <= 0 || fen > 100000000LL || fen_s[0] == '+' || fen_s[0] == ' ')
        return import_bad(ir, "%s: must be a whole number of fen from 1 to 100000000", fen_col);
    p.fen = fen;
    json_t *seen = ir->ctx;
    const char *key = arena_printf(ir->a, "%s/%s/%s", line, level, region);
    if (json_object_get(seen, key))
        return import_bad(ir, "%s %s %s appears twice in the file (first on line %lld)", line,
                          level, region, (long long)json_integer_value(json_object_get(seen, key)));
    json_object_set_new(seen, key, json_integer(import_line(ir)));
    struct price_entry broken;
    int created = 0;
    k = pr_put(ir->c, ir->a, &p, &broken, &created);
    if (k == PR_BROKEN && !caps)
        return import_bad(ir, "labour_fen: %lld is above the cap %lld of region %s", fen,
                          (long long)broken.fen, broken.region);
    if (k == PR_BROKEN)
        return import_bad(ir, "cap_fen: %lld is below the labour price %lld of region %s", fen,
                          (long long)broken.fen, broken.region);
    return k;
}

static int import_price(struct import_row *ir)
{
    return import_row(ir, 0);
}

static int import_cap(struct import_row *ir)
{
    return import_row(ir, 1);
}

static int import_file(db *d, const char *path, FILE *in, int caps)
{
    static const struct csv_column price_cols[] = {
        {"product_line", 1}, {"level", 1}, {"region", 1}, {"labour_fen", 1}, {NULL, 0}};
    static const struct csv_column cap_cols[] = {
        {"product_line", 1}, {"level", 1}, {"region", 1}, {"cap_fen", 1}, {NULL, 0}};
    /* the region codes are checked against the official list: load it if not yet done */
    db_conn *c = db_acquire(d);
    int ok = network_regions_ensure(c, NULL);
    db_release(c);
    if (ok < 0)
        return -1;
    json_t *seen = json_object();
    struct import_spec spec = {caps ? "price caps" : "prices", caps ? cap_cols : price_cols,
                               caps ? import_cap : import_price, NULL, seen};
    int rc = import_csv(d, path, in, &spec);
    json_decref(seen);
    return rc;
}

int prices_import_csv(db *d, const char *path, FILE *in)
{
    return import_file(d, path, in, 0);
}

int prices_import_caps_csv(db *d, const char *path, FILE *in)
{
    return import_file(d, path, in, 1);
}

static int export_file(db *d, FILE *out, int caps)
{
    db_conn *c = db_acquire(d);
    db_stmt *st =
        db_prepare(c, caps ? "SELECT p.code, x.level, x.region, x.cap_fen FROM labour_caps x"
                             " JOIN product_lines p ON p.id = x.product_line_id"
                             " ORDER BY p.code, x.level, x.region"
                           : "SELECT p.code, x.level, x.region, x.labour_fen FROM"
                             " labour_prices x JOIN product_lines p"
                             " ON p.id = x.product_line_id"
                             " ORDER BY p.code, x.level, x.region");
    int rc = -1;
    if (!st)
        goto cleanup;
    csv_writer w = csv_writer_file(out, 0);
    const char *head[] = {"product_line", "level", "region", caps ? "cap_fen" : "labour_fen"};
    csv_row(&w, head, 4);
    int s;
    while ((s = db_step(st)) == DB_ROW) {
        csv_cell(&w, db_text(st, 0));
        csv_cell(&w, db_text(st, 1));
        csv_cell(&w, db_text(st, 2));
        csv_cellf(&w, "%lld", (long long)db_int(st, 3));
        csv_end_row(&w);
    }
    db_done(st);
    rc = s < 0 ? -1 : 0;
cleanup:
    if (rc < 0)
        fprintf(stderr, "export %s: %s\n", caps ? "price-caps" : "prices", db_errmsg(c));
    db_release(c);
    return rc;
}

int prices_export_csv(db *d, FILE *out)
{
    return export_file(d, out, 0);
}

int prices_export_caps_csv(db *d, FILE *out)
{
    return export_file(d, out, 1);
}
