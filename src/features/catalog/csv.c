/* catalog: `aftersales import|export models`, the models as CSV. */
#include "base/audit.h"
#include "base/csv.h"
#include "features/catalog/internal.h"
#include "features/common/common.h"

#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- CSV import/export */

enum { C_CODE, C_NAME, C_LINE, C_MONTHS, C_LAUNCH };

/* The id of product line `line`; a line the catalog does not know yet is created with
 * its code as its name. 0 or a db code. */
static int import_line_id(struct import_row *ir, const char *line, int64_t *lid)
{
    int l = lookup_id(ir->c, "SELECT id FROM product_lines WHERE code = ?", line, lid);
    if (l != 1)
        return l < 0 ? l : 0;
    db_stmt *st = db_prepare(ir->c, "INSERT INTO product_lines (code, name, created_at)"
                                    " VALUES (?, ?, ?) RETURNING id");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, line);
    db_bind_text(st, 2, line);
    db_bind_int(st, 3, ir->now);
    int rc = db_step(st);
    if (rc == DB_ROW)
        *lid = db_int(st, 0);
    db_done(st);
    if (rc != DB_ROW)
        return rc < 0 ? rc : DB_ERROR;
    return audit_write(ir->c, ir->actor, "create", "product_line", line, NULL) < 0 ? DB_ERROR : 0;
}

/* One row of the models file: checked, then inserted or updated (audited). */
static int import_model(struct import_row *ir)
{
    const char *code = import_field(ir, C_CODE), *name = import_field(ir, C_NAME);
    const char *line = import_field(ir, C_LINE), *months_s = import_field(ir, C_MONTHS);
    const char *launch = import_field(ir, C_LAUNCH);
    json_t *seen = ir->ctx;
    const char *why;
    char *end = NULL;
    long months = strtol(months_s, &end, 10);
    if ((why = cat_model_code_reason(code)))
        return import_bad(ir, "code: %s", why);
    if (!*name || strlen(name) > 200)
        return import_bad(ir, "name: required, at most 200 bytes");
    if (!code_ok(line, 32))
        return import_bad(ir, "product_line: 1-32 letters, digits or - _ . /");
    if (!*months_s || *end || (why = cat_model_months_reason(months)))
        return import_bad(ir, "warranty_months: must be a whole number of months from 1 to 120");
    if ((why = cat_model_launch_reason(launch)))
        return import_bad(ir, "launched_on: %s", why);
    char *ucode = code_upper(ir->a, code);
    if (json_object_get(seen, ucode))
        return import_bad(ir, "model %s appears twice in the file (first on line %lld)", ucode,
                          (long long)json_integer_value(json_object_get(seen, ucode)));
    json_object_set_new(seen, ucode, json_integer(import_line(ir)));
    int64_t lid = 0;
    int rc = import_line_id(ir, line, &lid);
    if (rc < 0)
        return rc;
    if (db_exec(ir->c,
                "INSERT INTO models (code, name, product_line_id, warranty_months, launched_on,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE"
                " SET name = excluded.name, product_line_id = excluded.product_line_id,"
                " warranty_months = excluded.warranty_months, launched_on = excluded.launched_on,"
                " version = models.version + 1, updated_at = excluded.updated_at",
                "ttiitii", ucode, name, lid, (int64_t)months, *launch ? launch : NULL, ir->now,
                ir->now) < 0)
        return DB_ERROR;
    json_t *detail = json_pack("{s:s, s:s, s:s, s:i, s:s?}", "code", ucode, "name", name,
                               "product_line", line, "warranty_months", (int)months,
                               "launched_on", *launch ? launch : NULL);
    int aw = audit_write(ir->c, ir->actor, "import", "model", ucode, detail);
    json_decref(detail);
    return aw < 0 ? DB_ERROR : 0;
}

int catalog_import_models(db *d, const char *path, FILE *in)
{
    static const struct csv_column cols[] = {{"code", 1},        {"name", 1},
                                             {"product_line", 1}, {"warranty_months", 1},
                                             {"launched_on", 0},  {NULL, 0}};
    json_t *seen = json_object();
    struct import_spec spec = {"models", cols, import_model, NULL, seen};
    int rc = import_csv(d, path, in, &spec);
    json_decref(seen);
    return rc;
}

int catalog_export_models(db *d, FILE *out)
{
    db_conn *c = db_acquire(d);
    db_stmt *st = db_prepare(c, "SELECT m.code, m.name, p.code, m.warranty_months, m.launched_on"
                                " FROM models m JOIN product_lines p ON p.id = m.product_line_id"
                                " ORDER BY m.code");
    int rc = -1;
    if (!st)
        goto cleanup;
    csv_writer w = csv_writer_file(out, 0);
    static const char *const head[] = {"code", "name", "product_line", "warranty_months",
                                       "launched_on"};
    csv_row(&w, head, 5);
    int s;
    while ((s = db_step(st)) == DB_ROW) {
        csv_cell(&w, db_text(st, 0));
        csv_cell(&w, db_text(st, 1));
        csv_cell(&w, db_text(st, 2));
        csv_cellf(&w, "%lld", (long long)db_int(st, 3));
        csv_cell(&w, db_text(st, 4));
        csv_end_row(&w);
    }
    db_done(st);
    rc = s < 0 ? -1 : 0;
cleanup:
    if (rc < 0)
        fprintf(stderr, "export models: %s\n", db_errmsg(c));
    db_release(c);
    return rc;
}
