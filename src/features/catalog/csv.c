/* catalog: `aftersales import|export models`, the models as CSV. */
#include "base/audit.h"
#include "base/csv.h"
#include "features/catalog/internal.h"

#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- CSV import/export */

int catalog_import_models(db *d, const char *path, FILE *in)
{
    static const struct csv_column cols[] = {{"code", 1},        {"name", 1},
                                             {"product_line", 1}, {"warranty_months", 1},
                                             {"launched_on", 0},  {NULL, 0}};
    enum { C_CODE, C_NAME, C_LINE, C_MONTHS, C_LAUNCH };
    int idx[5];
    char err[512] = "";
    csv_reader *csv = csv_reader_new(in);
    db_conn *c = db_acquire(d);
    json_t *seen = json_object();
    int rc = -1, n = 0;
    arena *a = arena_new();
    int in_tx = 0;
    int r;
    if (!csv) {
        snprintf(err, sizeof err, "out of memory");
        goto bad;
    }
    if (csv_header(csv, cols, idx) < 0) {
        snprintf(err, sizeof err, "%s", csv_error(csv));
        goto bad;
    }
    if (db_begin(c) < 0)
        goto dberr;
    in_tx = 1;
    int64_t now = now_unix();
    while ((r = csv_next(csv)) == 1) {
        const char *code = csv_field(csv, idx[C_CODE]);
        const char *name = csv_field(csv, idx[C_NAME]);
        const char *line = csv_field(csv, idx[C_LINE]);
        const char *months_s = csv_field(csv, idx[C_MONTHS]);
        const char *launch = csv_field(csv, idx[C_LAUNCH]);
        const char *why;
        char *end = NULL;
        long months = strtol(months_s, &end, 10);
        if ((why = cat_model_code_reason(code))) {
            snprintf(err, sizeof err, "code: %s", why);
            goto bad;
        }
        if (!*name || strlen(name) > 200) {
            snprintf(err, sizeof err, "name: required, at most 200 bytes");
            goto bad;
        }
        if (!cat_code_ok(line, 32)) {
            snprintf(err, sizeof err, "product_line: 1-32 letters, digits or - _ . /");
            goto bad;
        }
        if (!*months_s || *end || (why = cat_model_months_reason(months))) {
            snprintf(err, sizeof err, "warranty_months: must be a whole number of months from 1 to 120");
            goto bad;
        }
        if ((why = cat_model_launch_reason(launch))) {
            snprintf(err, sizeof err, "launched_on: %s", why);
            goto bad;
        }
        char *ucode = cat_upper_dup(a, code);
        if (json_object_get(seen, ucode)) {
            snprintf(err, sizeof err, "model %s appears twice in the file (first on line %lld)",
                     ucode, (long long)json_integer_value(json_object_get(seen, ucode)));
            goto bad;
        }
        json_object_set_new(seen, ucode, json_integer(csv_line(csv)));
        int64_t lid = 0;
        int l = cat_line_id(c, line, &lid);
        if (l < 0)
            goto dberr;
        if (l == 1) {
            /* A line the catalog does not know yet: created with its code as its name. */
            db_stmt *st = db_prepare(c, "INSERT INTO product_lines (code, name, created_at)"
                                        " VALUES (?, ?, ?) RETURNING id");
            if (!st)
                goto dberr;
            db_bind_text(st, 1, line);
            db_bind_text(st, 2, line);
            db_bind_int(st, 3, now);
            if (db_step(st) != DB_ROW) {
                db_done(st);
                goto dberr;
            }
            lid = db_int(st, 0);
            db_done(st);
            if (audit_write(c, "import:models", "create", "product_line", line, NULL) < 0)
                goto dberr;
        }
        if (db_exec(c,
                    "INSERT INTO models (code, name, product_line_id, warranty_months, launched_on,"
                    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE"
                    " SET name = excluded.name, product_line_id = excluded.product_line_id,"
                    " warranty_months = excluded.warranty_months, launched_on = excluded.launched_on,"
                    " version = models.version + 1, updated_at = excluded.updated_at",
                    "ttiitii", ucode, name, lid, (int64_t)months, *launch ? launch : NULL, now,
                    now) < 0)
            goto dberr;
        json_t *detail = json_pack("{s:s, s:s, s:s, s:i, s:s?}", "code", ucode, "name", name,
                                   "product_line", line, "warranty_months", (int)months,
                                   "launched_on", *launch ? launch : NULL);
        int aw = audit_write(c, "import:models", "import", "model", ucode, detail);
        json_decref(detail);
        if (aw < 0)
            goto dberr;
        n++;
    }
    if (r < 0) {
        snprintf(err, sizeof err, "%s", csv_error(csv));
        goto bad;
    }
    if (db_commit(c) < 0)
        goto dberr;
    in_tx = 0;
    fprintf(stderr, "%s: %d models imported\n", path, n);
    rc = 0;
    goto cleanup;
dberr:
    snprintf(err, sizeof err, "database error: %s", db_errmsg(c));
bad:
    fprintf(stderr, "%s:%ld: %s\n", path, csv ? csv_line(csv) : 1L, err);
    if (in_tx)
        db_rollback(c);
cleanup:
    json_decref(seen);
    arena_free(a);
    csv_reader_free(csv);
    db_release(c);
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
