/* table: CSV and XLSX downloads of rows with named, typed columns (see table.h). */
#include "base/table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "base/buf.h"
#include "base/dynlib.h"
#include "base/csv.h"

/* libxlsxwriter is opened on first use (base/dynlib.h says why); the calls below go through
 * this table, typed after its header. */
#define LXW_FUNCS(X) X(format_set_bg_color) X(format_set_bold) X(format_set_border) X(format_set_num_format) X(workbook_add_format) X(workbook_add_worksheet) X(workbook_close) X(workbook_new_opt) X(worksheet_freeze_panes) X(worksheet_set_column) X(worksheet_write_boolean) X(worksheet_write_datetime) X(worksheet_write_number) X(worksheet_write_string)
DYNLIB_REQUIRED(lxw_api, LXW_FUNCS, "libxlsxwriter4", "libxlsxwriter.so.4")
#define format_set_bg_color (*lxw_api()->format_set_bg_color)
#define format_set_bold (*lxw_api()->format_set_bold)
#define format_set_border (*lxw_api()->format_set_border)
#define format_set_num_format (*lxw_api()->format_set_num_format)
#define workbook_add_format (*lxw_api()->workbook_add_format)
#define workbook_add_worksheet (*lxw_api()->workbook_add_worksheet)
#define workbook_close (*lxw_api()->workbook_close)
#define workbook_new_opt (*lxw_api()->workbook_new_opt)
#define worksheet_freeze_panes (*lxw_api()->worksheet_freeze_panes)
#define worksheet_set_column (*lxw_api()->worksheet_set_column)
#define worksheet_write_boolean (*lxw_api()->worksheet_write_boolean)
#define worksheet_write_datetime (*lxw_api()->worksheet_write_datetime)
#define worksheet_write_number (*lxw_api()->worksheet_write_number)
#define worksheet_write_string (*lxw_api()->worksheet_write_string)


struct table {
    enum table_format f;
    const struct table_col *cols;
    int ncols;
    const struct dt_zone *z;
    long rows;
    int dropping; /* CSV after table_sheet: further rows are not written */
    /* CSV */
    buf b;
    csv_writer w;
    /* XLSX */
    char dir[40], path[64];
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_format *fmt_head, *fmt_int, *fmt_num, *fmt_rate, *fmt_time;
};

static const char *XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

const char *table_mime(enum table_format f)
{
    return f == TABLE_XLSX ? XLSX_MIME : f == TABLE_CSV ? "text/csv; charset=utf-8"
                                                        : "application/json";
}

int table_format_of(req *r)
{
    const char *f = req_query(r, "format");
    if (f && *f) {
        if (strcmp(f, "json") == 0)
            return TABLE_JSON;
        if (strcmp(f, "csv") == 0)
            return TABLE_CSV;
        if (strcmp(f, "xlsx") == 0)
            return TABLE_XLSX;
        return -1;
    }
    const char *accept = req_header(r, "Accept");
    if (accept && strstr(accept, XLSX_MIME))
        return TABLE_XLSX;
    if (accept && strstr(accept, "text/csv"))
        return TABLE_CSV;
    return TABLE_JSON;
}

static int xlsx_sheet(table *t, const char *sheet);

static int xlsx_open(table *t, const char *sheet)
{
    /* a private directory: nobody else can swap the file libxlsxwriter writes by name */
    snprintf(t->dir, sizeof t->dir, "/tmp/aftersales-table-XXXXXX");
    if (!mkdtemp(t->dir))
        return -1;
    snprintf(t->path, sizeof t->path, "%s/t.xlsx", t->dir);
    lxw_workbook_options o = {.constant_memory = LXW_FALSE, .tmpdir = t->dir};
    t->wb = workbook_new_opt(t->path, &o);
    if (!t->wb)
        return -1;
    t->fmt_head = workbook_add_format(t->wb);
    format_set_bold(t->fmt_head);
    format_set_bg_color(t->fmt_head, 0xDDE4EE);
    format_set_border(t->fmt_head, LXW_BORDER_THIN);
    t->fmt_int = workbook_add_format(t->wb);
    format_set_num_format(t->fmt_int, "#,##0");
    t->fmt_num = workbook_add_format(t->wb);
    format_set_num_format(t->fmt_num, "0.0");
    t->fmt_rate = workbook_add_format(t->wb);
    format_set_num_format(t->fmt_rate, "0.00%");
    t->fmt_time = workbook_add_format(t->wb);
    format_set_num_format(t->fmt_time, "yyyy-mm-dd hh:mm");
    return xlsx_sheet(t, sheet);
}

/* A new worksheet with the header row of t's columns. */
static int xlsx_sheet(table *t, const char *sheet)
{
    char name[32];
    snprintf(name, sizeof name, "%.31s", sheet && *sheet ? sheet : "Sheet1");
    t->ws = workbook_add_worksheet(t->wb, name);
    if (!t->ws)
        return -1;
    for (int i = 0; i < t->ncols; i++) {
        double w = t->cols[i].width > 0 ? t->cols[i].width : 14;
        worksheet_set_column(t->ws, (lxw_col_t)i, (lxw_col_t)i, w, NULL);
    }
    for (int i = 0; i < t->ncols; i++)
        worksheet_write_string(t->ws, 0, (lxw_col_t)i, t->cols[i].name, t->fmt_head);
    worksheet_freeze_panes(t->ws, 1, 0);
    return 0;
}

table *table_new(enum table_format f, const char *sheet, const struct table_col *cols, int ncols,
                 const struct dt_zone *z)
{
    table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->f = f;
    t->cols = cols;
    t->ncols = ncols;
    t->z = z;
    buf_init(&t->b);
    if (f == TABLE_XLSX) {
        if (xlsx_open(t, sheet) < 0) {
            table_free(t);
            return NULL;
        }
        return t;
    }
    buf_adds(&t->b, "\xEF\xBB\xBF"); /* BOM: Excel opens UTF-8 Chinese text correctly */
    t->w = csv_writer_buf(&t->b, CSV_CRLF | CSV_GUARD_FORMULAS);
    for (int i = 0; i < ncols; i++)
        csv_cell(&t->w, cols[i].name);
    csv_end_row(&t->w);
    return t;
}

/* The value at a dotted path of an object. */
static json_t *lookup(json_t *obj, const char *path)
{
    char part[64];
    while (obj && *path) {
        size_t n = strcspn(path, ".");
        snprintf(part, sizeof part, "%.*s", (int)(n < sizeof part ? n : sizeof part - 1), path);
        obj = json_is_object(obj) ? json_object_get(obj, part) : NULL;
        path += n + (path[n] == '.');
    }
    return obj;
}

/* An instant from unix seconds or RFC 3339 text; DT_NONE otherwise. */
static int64_t instant_of(json_t *v)
{
    int64_t t;
    if (json_is_integer(v))
        return (int64_t)json_integer_value(v);
    if (json_is_string(v) && dt_parse_time(json_string_value(v), NULL, &t) == 0)
        return t;
    return DT_NONE;
}

/* A list cell: strings, or objects' "code" (else "name"), joined by "; ". */
static void list_text(json_t *v, buf *out)
{
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) {
        if (json_is_object(e)) {
            json_t *c = json_object_get(e, "code");
            e = c ? c : json_object_get(e, "name");
        }
        if (i)
            buf_adds(out, "; ");
        if (json_is_string(e))
            buf_adds(out, json_string_value(e));
        else if (json_is_integer(e))
            buf_addf(out, "%lld", (long long)json_integer_value(e));
    }
}

static void csv_value(table *t, const struct table_col *c, json_t *v)
{
    if (json_is_string(v)) {
        csv_cell(&t->w, json_string_value(v));
    } else if (json_is_integer(v)) {
        csv_cellf(&t->w, "%lld", (long long)json_integer_value(v));
    } else if (json_is_real(v)) {
        if (c->decimals > 0)
            csv_cellf(&t->w, "%.*f", c->decimals, json_real_value(v));
        else
            csv_cellf(&t->w, c->type == TABLE_RATE ? "%.6f" : "%.6g", json_real_value(v));
    } else if (json_is_boolean(v)) {
        csv_cell(&t->w, json_is_true(v) ? "true" : "false");
    } else if (json_is_array(v)) {
        buf s = BUF_INIT;
        list_text(v, &s);
        csv_cell(&t->w, s.s);
        buf_release(&s);
    } else {
        csv_cell(&t->w, NULL);
    }
}

static void xlsx_value(table *t, const struct table_col *c, json_t *v, lxw_row_t row,
                       lxw_col_t col)
{
    if (c->type == TABLE_TIME) {
        int64_t at = instant_of(v);
        if (at != DT_NONE) {
            int y, m, d, hh, mm, ss;
            dt_local_parts(t->z, at, &y, &m, &d, &hh, &mm, &ss);
            lxw_datetime dt = {y, m, d, hh, mm, (double)ss};
            worksheet_write_datetime(t->ws, row, col, &dt, t->fmt_time);
            return;
        }
    }
    if (json_is_number(v) && c->type != TABLE_TEXT) {
        lxw_format *f = c->type == TABLE_RATE  ? t->fmt_rate
                        : c->type == TABLE_NUM ? t->fmt_num
                        : json_is_integer(v)   ? t->fmt_int
                                               : t->fmt_num;
        worksheet_write_number(t->ws, row, col, json_number_value(v), f);
    } else if (json_is_string(v)) {
        worksheet_write_string(t->ws, row, col, json_string_value(v), NULL);
    } else if (json_is_integer(v)) {
        char s[24];
        snprintf(s, sizeof s, "%lld", (long long)json_integer_value(v));
        worksheet_write_string(t->ws, row, col, s, NULL);
    } else if (json_is_real(v)) {
        worksheet_write_number(t->ws, row, col, json_real_value(v), NULL);
    } else if (json_is_boolean(v)) {
        worksheet_write_boolean(t->ws, row, col, json_is_true(v), NULL);
    } else if (json_is_array(v)) {
        buf s = BUF_INIT;
        list_text(v, &s);
        worksheet_write_string(t->ws, row, col, s.s, NULL);
        buf_release(&s);
    }
}

int table_row(table *t, json_t *row)
{
    if (!t || !(json_is_object(row) || json_is_array(row)))
        return -1;
    if (t->dropping)
        return 0;
    for (int i = 0; i < t->ncols; i++) {
        const struct table_col *c = &t->cols[i];
        json_t *v = json_is_array(row) ? json_array_get(row, (size_t)i)
                                       : lookup(row, c->key ? c->key : c->name);
        if (t->f == TABLE_XLSX)
            xlsx_value(t, c, v, (lxw_row_t)(t->rows + 1), (lxw_col_t)i);
        else
            csv_value(t, c, v);
    }
    if (t->f != TABLE_XLSX)
        csv_end_row(&t->w);
    t->rows++;
    return 0;
}

int table_sheet(table *t, const char *sheet, const struct table_col *cols, int ncols)
{
    t->cols = cols;
    t->ncols = ncols;
    t->rows = 0;
    if (t->f != TABLE_XLSX) {
        t->dropping = 1;
        return 0;
    }
    return xlsx_sheet(t, sheet);
}

long table_rows(const table *t)
{
    return t ? t->rows : 0;
}

void table_free(table *t)
{
    if (!t)
        return;
    if (t->wb)
        workbook_close(t->wb);
    if (*t->path)
        unlink(t->path);
    if (*t->dir)
        rmdir(t->dir);
    buf_release(&t->b);
    free(t);
}

int table_finish(table *t, char **data, size_t *len)
{
    if (t->f != TABLE_XLSX) {
        *len = t->b.len;
        *data = buf_detach(&t->b);
        table_free(t);
        return 0;
    }
    lxw_error e = workbook_close(t->wb);
    t->wb = NULL;
    FILE *f = e == LXW_NO_ERROR ? fopen(t->path, "rb") : NULL;
    if (!f) {
        table_free(t);
        return -1;
    }
    buf b = BUF_INIT;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_add(&b, chunk, n);
    fclose(f);
    *len = b.len;
    *data = buf_detach(&b);
    table_free(t);
    return 0;
}

int table_reply(req *r, table *t, const char *name, int truncated)
{
    enum table_format f = t->f;
    char *data = NULL;
    size_t len = 0;
    if (table_finish(t, &data, &len) < 0)
        return -1;
    reply_header(r, "Content-Disposition",
                 arena_printf(r->a, "attachment; filename=\"%s.%s\"", name,
                              f == TABLE_XLSX ? "xlsx" : "csv"));
    if (truncated)
        reply_header(r, "X-Export-Truncated", "true");
    int rc = reply_bytes(r, 200, table_mime(f), data, len);
    free(data);
    return rc;
}
