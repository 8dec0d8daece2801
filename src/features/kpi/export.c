/* kpi: the CSV and XLSX downloads of KPI tables (M15). */
#include "base/buf.h"
#include "base/csv.h"
#include "features/kpi/internal.h"
#include "rules/kpi.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

/* ---------------------------------------------------------------- tables: CSV and XLSX */

/* rows: array of arrays (strings, integers, reals, null). */
static void table_csv(buf *b, const struct col *cols, int ncols, json_t *rows)
{
    buf_adds(b, "\xEF\xBB\xBF"); /* BOM: Excel opens UTF-8 Chinese names correctly */
    csv_writer w = csv_writer_buf(b, CSV_CRLF | CSV_GUARD_FORMULAS);
    for (int i = 0; i < ncols; i++)
        csv_cell(&w, cols[i].name);
    csv_end_row(&w);
    size_t ri;
    json_t *row;
    json_array_foreach(rows, ri, row) {
        for (int i = 0; i < ncols; i++) {
            json_t *v = json_array_get(row, (size_t)i);
            if (json_is_string(v))
                csv_cell(&w, json_string_value(v));
            else if (json_is_integer(v))
                csv_cellf(&w, "%lld", (long long)json_integer_value(v));
            else if (json_is_real(v))
                csv_cellf(&w, "%.6f", json_real_value(v));
            else
                csv_cell(&w, NULL);
        }
        csv_end_row(&w);
    }
}

/* The table as an XLSX workbook (one sheet, bold frozen header, widths, formats); a
 * malloc'd buffer in *out. Times (COL_TIME, unix seconds) are shown in `z`. 0 or -1. */
static int table_xlsx(const char *sheet, const struct col *cols, int ncols, json_t *rows,
                      const struct kpi_zone *z, char **out, size_t *outlen)
{
    /* a private directory: nobody else can swap the file libxlsxwriter writes by name */
    char dir[] = "/tmp/aftersales-kpi-XXXXXX";
    if (!mkdtemp(dir))
        return -1;
    char path[sizeof dir + 16];
    snprintf(path, sizeof path, "%s/kpi.xlsx", dir);
    int rc = -1;
    lxw_workbook *wb = workbook_new(path);
    if (!wb)
        goto cleanup;
    lxw_worksheet *ws = workbook_add_worksheet(wb, sheet);
    lxw_format *head = workbook_add_format(wb);
    format_set_bold(head);
    format_set_bg_color(head, 0xDDE4EE);
    format_set_border(head, LXW_BORDER_THIN);
    lxw_format *fint = workbook_add_format(wb);
    format_set_num_format(fint, "#,##0");
    lxw_format *frate = workbook_add_format(wb);
    format_set_num_format(frate, "0.00%");
    lxw_format *fnum = workbook_add_format(wb);
    format_set_num_format(fnum, "0.0");
    lxw_format *ftime = workbook_add_format(wb);
    format_set_num_format(ftime, "yyyy-mm-dd hh:mm");
    for (int i = 0; i < ncols; i++) {
        worksheet_set_column(ws, (lxw_col_t)i, (lxw_col_t)i, cols[i].width, NULL);
        worksheet_write_string(ws, 0, (lxw_col_t)i, cols[i].name, head);
    }
    worksheet_freeze_panes(ws, 1, 0);
    size_t ri;
    json_t *row;
    json_array_foreach(rows, ri, row) {
        lxw_row_t r = (lxw_row_t)(ri + 1);
        for (int i = 0; i < ncols; i++) {
            json_t *v = json_array_get(row, (size_t)i);
            lxw_col_t col = (lxw_col_t)i;
            if (json_is_string(v)) {
                worksheet_write_string(ws, r, col, json_string_value(v), NULL);
            } else if (json_is_number(v) && cols[i].type == COL_TIME) {
                int64_t t = json_integer_value(v);
                int64_t lt = t + kpi_zone_offset(z, t);
                int64_t days = lt >= 0 ? lt / 86400 : (lt - 86399) / 86400;
                int64_t sec = lt - days * 86400;
                int y, m, d;
                kpi_civil_from_days(days, &y, &m, &d);
                lxw_datetime dt = {y, m, d, (int)(sec / 3600), (int)(sec / 60 % 60),
                                   (double)(sec % 60)};
                worksheet_write_datetime(ws, r, col, &dt, ftime);
            } else if (json_is_number(v)) {
                lxw_format *fm = cols[i].type == COL_RATE  ? frate
                                 : cols[i].type == COL_NUM ? fnum
                                                           : fint;
                worksheet_write_number(ws, r, col, json_number_value(v), fm);
            }
        }
    }
    if (workbook_close(wb) != LXW_NO_ERROR)
        goto cleanup;
    FILE *f = fopen(path, "rb");
    if (!f)
        goto cleanup;
    buf b = BUF_INIT;
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_add(&b, chunk, n);
    fclose(f);
    *outlen = b.len;
    *out = buf_detach(&b);
    rc = 0;
cleanup:
    unlink(path);
    rmdir(dir);
    return rc;
}

/* Answer the table as ?format=csv|xlsx; the caller answered JSON otherwise. */
int kpi_reply_table(req *r, const char *format, const char *name, const struct col *cols, int ncols,
                    json_t *rows, const struct kpi_zone *z)
{
    int rc;
    if (strcmp(format, "csv") == 0) {
        buf b = BUF_INIT;
        table_csv(&b, cols, ncols, rows);
        reply_header(r, "Content-Disposition",
                     arena_printf(r->a, "attachment; filename=\"%s.csv\"", name));
        rc = reply_bytes(r, 200, "text/csv; charset=utf-8", b.s, b.len);
        buf_release(&b);
        return rc;
    }
    char *data = NULL;
    size_t len = 0;
    if (table_xlsx("KPI", cols, ncols, rows, z, &data, &len) < 0)
        return -1;
    reply_header(r, "Content-Disposition",
                 arena_printf(r->a, "attachment; filename=\"%s.xlsx\"", name));
    rc = reply_bytes(r, 200,
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", data,
                     len);
    free(data);
    return rc;
}
