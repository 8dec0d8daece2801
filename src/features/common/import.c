/* import: the one driver of all-or-nothing CSV imports (see common.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "features/common/common.h"

const char *import_field(const struct import_row *ir, int k)
{
    int i = ir->idx[k];
    return i < 0 ? "" : csv_field((const csv_reader *)ir->csv_, i);
}

int import_has(const struct import_row *ir, int k)
{
    return ir->idx[k] >= 0;
}

int import_bad(struct import_row *ir, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ir->err, sizeof ir->err, fmt, ap);
    va_end(ap);
    return IMPORT_BAD;
}

/* The rows of an open file inside the open transaction: 0, IMPORT_BAD or a db code. */
static int import_rows(csv_reader *csv, struct import_row *ir, const struct import_spec *s)
{
    int r, rc;
    while ((r = csv_next(csv)) == 1) {
        if ((rc = s->row(ir)) != 0)
            return rc;
        ir->rows++;
    }
    if (r < 0)
        return import_bad(ir, "%s", csv_error(csv));
    return s->end ? s->end(ir) : 0;
}

int import_csv(db *d, const char *path, FILE *in, const struct import_spec *s)
{
    int ncols = 0;
    while (s->cols[ncols].name)
        ncols++;
    int *idx = calloc((size_t)ncols + 1, sizeof *idx);
    csv_reader *csv = csv_reader_new(in);
    char actor[64];
    snprintf(actor, sizeof actor, "import:%s", s->kind);
    struct import_row ir = {.idx = idx, .actor = actor, .ctx = s->ctx, .csv_ = csv};
    if (!idx || !csv) {
        fprintf(stderr, "%s: out of memory\n", path);
        free(idx);
        csv_reader_free(csv);
        return -1;
    }
    if (csv_header(csv, s->cols, idx) < 0) {
        fprintf(stderr, "%s:%ld: %s\n", path, csv_line(csv), csv_error(csv));
        free(idx);
        csv_reader_free(csv);
        return -1;
    }
    ir.c = db_acquire(d);
    ir.a = arena_new();
    ir.now = now_unix();
    int rc = db_begin(ir.c);
    if (rc == 0 && (rc = import_rows(csv, &ir, s)) == 0)
        rc = db_commit(ir.c);
    if (rc == 0) {
        fprintf(stderr, "%s: %ld %s imported\n", path, ir.rows, s->kind);
    } else {
        if (rc < 0)
            snprintf(ir.err, sizeof ir.err, "database error: %s", db_errmsg(ir.c));
        fprintf(stderr, "%s:%ld: %s\n", path, csv_line(csv), ir.err);
        db_rollback(ir.c);
    }
    db_release(ir.c);
    arena_free(ir.a);
    free(idx);
    csv_reader_free(csv);
    return rc == 0 ? 0 : -1;
}
