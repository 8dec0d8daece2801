/* coverage: county coverage of the network: the report, its XLSX download and the
 * `coverage` subcommand. */
#include "features/network/internal.h"

#include "base/buf.h"
#include "base/csv.h"
#include "rules/routing.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

struct cov_county {
    char code[7], province[7], city[7];
    int covered;
};

struct coverage {
    struct cov_county *c;
    size_t n;
};

/* County-level regions within scope (NULL: the country) with their covered flag. */
static int coverage_compute(db_conn *c, const char *scope, struct coverage *out)
{
    memset(out, 0, sizeof *out);
    char day[11];
    net_today(day);
    db_stmt *st = db_prepare(
        c, "SELECT g.code, g.province_code, g.city_code, CASE WHEN EXISTS (SELECT 1"
           " FROM outlet_covers oc JOIN outlets o ON o.id = oc.outlet_id"
           " WHERE oc.region_code IN (g.code, g.city_code, g.province_code) AND " OUTLET_ACTIVE_SQL
           ") THEN 1 ELSE 0 END FROM regions g WHERE g.level = 3"
           " AND (CAST(? AS TEXT) IS NULL OR g.province_code = ? OR g.city_code = ? OR g.code = ?)"
           " ORDER BY g.code");
    if (!st)
        return -1;
    net_bind_day4(st, 1, day);
    for (int i = 5; i <= 8; i++)
        db_bind_text(st, i, scope);
    size_t cap = 0;
    int s;
    while ((s = db_step(st)) == DB_ROW) {
        if (out->n == cap) {
            cap = cap ? cap * 2 : 1024;
            out->c = realloc(out->c, cap * sizeof *out->c);
        }
        struct cov_county *x = &out->c[out->n++];
        snprintf(x->code, sizeof x->code, "%s", db_text(st, 0));
        snprintf(x->province, sizeof x->province, "%s", db_text(st, 1));
        snprintf(x->city, sizeof x->city, "%s", db_text(st, 2) ? db_text(st, 2) : "");
        x->covered = (int)db_int(st, 3);
    }
    db_done(st);
    if (s < 0) {
        free(out->c);
        out->c = NULL;
        return -1;
    }
    return 0;
}

static json_t *rate_json(int64_t covered, int64_t total)
{
    double r = coverage_rate(covered, total);
    return r < 0 ? json_null() : json_real(r);
}

/* {"covered","total","rate","uncovered"} for the contract. */
static json_t *coverage_summary(const struct coverage *cv)
{
    int64_t covered = 0;
    json_t *unc = json_array();
    for (size_t i = 0; i < cv->n; i++) {
        if (cv->c[i].covered)
            covered++;
        else
            json_array_append_new(unc, json_string(cv->c[i].code));
    }
    return json_pack("{s:I, s:I, s:o, s:o}", "covered", (json_int_t)covered, "total",
                     (json_int_t)cv->n, "rate", rate_json(covered, (int64_t)cv->n), "uncovered",
                     unc);
}

/* Scope check shared by the command and the API: NULL ok, else a province or city. */
static int coverage_scope_ok(db_conn *c, const char *scope, const char **why)
{
    if (!scope)
        return 1;
    struct region_info ri;
    if (net_region_lookup(c, scope, &ri) < 0)
        return -1;
    if (!ri.level) {
        *why = "unknown region code (six-digit GB/T 2260)";
        return 0;
    }
    return 1;
}

/* Per-group breakdown: key picks province or city of each county. */
static json_t *coverage_breakdown(db_conn *c, const struct coverage *cv, int by_city)
{
    json_t *groups = json_object(), *order = json_array();
    for (size_t i = 0; i < cv->n; i++) {
        const char *k = by_city ? cv->c[i].city : cv->c[i].province;
        json_t *g = json_object_get(groups, k);
        if (!g) {
            g = json_pack("{s:s, s:I, s:I}", "code", k, "covered", (json_int_t)0, "total",
                          (json_int_t)0);
            json_object_set_new(groups, k, g);
            json_array_append(order, g);
        }
        json_object_set_new(g, "total",
                            json_integer(json_integer_value(json_object_get(g, "total")) + 1));
        if (cv->c[i].covered)
            json_object_set_new(
                g, "covered", json_integer(json_integer_value(json_object_get(g, "covered")) + 1));
    }
    size_t i;
    json_t *g;
    json_array_foreach(order, i, g)
    {
        json_int_t cov = json_integer_value(json_object_get(g, "covered"));
        json_int_t tot = json_integer_value(json_object_get(g, "total"));
        json_object_set_new(g, "rate", rate_json(cov, tot));
        db_stmt *st = db_prepare(c, "SELECT full_name FROM regions WHERE code = ?");
        if (st) {
            db_bind_text(st, 1, json_string_value(json_object_get(g, "code")));
            if (db_step(st) == DB_ROW)
                json_object_set_new(g, "name", json_string(db_text(st, 0)));
            db_done(st);
        }
    }
    json_decref(groups);
    return order;
}

/* The breakdown and the uncovered counties as an XLSX workbook (two sheets). */
static int coverage_xlsx(req *r, json_t *summary, json_t *groups, int by_city)
{
    char path[] = "/tmp/aftersales-coverage-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    close(fd);
    int rc = -1;
    lxw_workbook *wb = workbook_new(path);
    if (!wb)
        goto cleanup;
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    lxw_format *pctf = workbook_add_format(wb);
    format_set_num_format(pctf, "0.0%");
    lxw_worksheet *ws = workbook_add_worksheet(wb, by_city ? "cities" : "provinces");
    static const char *const head[] = {"code", "name", "covered", "total", "rate"};
    for (lxw_col_t k = 0; k < 5; k++)
        worksheet_write_string(ws, 0, k, head[k], bold);
    size_t i;
    json_t *g;
    json_array_foreach(groups, i, g)
    {
        lxw_row_t row = (lxw_row_t)(i + 1);
        const char *name = json_string_value(json_object_get(g, "name"));
        worksheet_write_string(ws, row, 0, json_string_value(json_object_get(g, "code")), NULL);
        worksheet_write_string(ws, row, 1, name ? name : "", NULL);
        worksheet_write_number(ws, row, 2, (double)json_integer_value(json_object_get(g, "covered")), NULL);
        worksheet_write_number(ws, row, 3, (double)json_integer_value(json_object_get(g, "total")), NULL);
        json_t *rt = json_object_get(g, "rate");
        if (json_is_real(rt))
            worksheet_write_number(ws, row, 4, json_real_value(rt), pctf);
    }
    lxw_row_t last = (lxw_row_t)(json_array_size(groups) + 1);
    worksheet_write_string(ws, last, 1, "total", bold);
    worksheet_write_number(ws, last, 2, (double)json_integer_value(json_object_get(summary, "covered")), bold);
    worksheet_write_number(ws, last, 3, (double)json_integer_value(json_object_get(summary, "total")), bold);
    json_t *rt = json_object_get(summary, "rate");
    if (json_is_real(rt))
        worksheet_write_number(ws, last, 4, json_real_value(rt), pctf);
    worksheet_set_column(ws, 1, 1, 28, NULL);
    lxw_worksheet *un = workbook_add_worksheet(wb, "uncovered");
    worksheet_write_string(un, 0, 0, "code", bold);
    json_t *u;
    json_array_foreach(json_object_get(summary, "uncovered"), i, u)
        worksheet_write_string(un, (lxw_row_t)(i + 1), 0, json_string_value(u), NULL);
    if (workbook_close(wb) != LXW_NO_ERROR)
        goto cleanup;
    FILE *f = fopen(path, "rb");
    if (!f)
        goto cleanup;
    buf b = BUF_INIT;
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_add(&b, chunk, got);
    fclose(f);
    reply_header(r, "Content-Disposition", "attachment; filename=\"coverage.xlsx\"");
    rc = reply_bytes(r, 200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     b.s, b.len);
    buf_release(&b);
cleanup:
    unlink(path);
    return rc;
}

int net_coverage_get(req *r)
{
    if (net_need_regions(r) < 0)
        return 0;
    db_conn *c = req_db(r);
    const char *scope = req_query(r, "region"), *format = req_query(r, "format");
    const char *why = NULL;
    int ok = coverage_scope_ok(c, scope, &why);
    if (ok < 0)
        return -1;
    if (!ok)
        return reply_error(r, 422, "validation_failed", why,
                           json_pack("{s:s}", "region", why));
    if (format && strcmp(format, "csv") && strcmp(format, "json") && strcmp(format, "xlsx"))
        return net_bad_param(r, "format", "format is json, csv or xlsx");
    struct coverage cv;
    if (coverage_compute(c, scope, &cv) < 0)
        return net_json_fail_db(r, c, "coverage");
    int by_city = scope && strcmp(scope + 2, "0000") == 0;
    json_t *j = coverage_summary(&cv);
    json_t *groups = coverage_breakdown(c, &cv, by_city);
    free(cv.c);
    if (format && strcmp(format, "csv") == 0) {
        buf b = BUF_INIT;
        csv_writer w = csv_writer_buf(&b, CSV_CRLF | CSV_GUARD_FORMULAS);
        static const char *const head[] = {"code", "name", "covered", "total", "rate"};
        csv_row(&w, head, 5);
        size_t i;
        json_t *g;
        json_array_foreach(groups, i, g)
        {
            csv_cell(&w, json_string_value(json_object_get(g, "code")));
            csv_cell(&w, json_string_value(json_object_get(g, "name")));
            csv_cellf(&w, "%lld", (long long)json_integer_value(json_object_get(g, "covered")));
            csv_cellf(&w, "%lld", (long long)json_integer_value(json_object_get(g, "total")));
            json_t *rt = json_object_get(g, "rate");
            if (json_is_real(rt))
                csv_cellf(&w, "%.4f", json_real_value(rt));
            else
                csv_cell(&w, NULL);
            csv_end_row(&w);
        }
        reply_header(r, "Content-Disposition", "attachment; filename=\"coverage.csv\"");
        int rc = reply_bytes(r, 200, "text/csv; charset=utf-8", b.s, b.len);
        buf_release(&b);
        json_decref(j);
        json_decref(groups);
        return rc;
    }
    if (format && strcmp(format, "xlsx") == 0) {
        int rc = coverage_xlsx(r, j, groups, by_city);
        json_decref(j);
        json_decref(groups);
        return rc;
    }
    json_object_set_new(j, "region", scope ? json_string(scope) : json_null());
    json_object_set_new(j, by_city ? "cities" : "provinces", groups);
    return reply_json(r, 200, j);
}

int network_cmd_coverage(int argc, char **argv, db *d)
{
    static struct option opts[] = {{"region", required_argument, 0, 'r'},
                                   {"json", no_argument, 0, 'j'},
                                   {0, 0, 0, 0}};
    const char *scope = NULL;
    int json = 0, ch;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (ch == 'r')
            scope = optarg;
        else if (ch == 'j')
            json = 1;
        else {
            fprintf(stderr, "usage: aftersales coverage [--region CODE] --json\n");
            return 2;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "usage: aftersales coverage [--region CODE] --json\n");
        return 2;
    }
    db_conn *c = db_acquire(d);
    int rc = 1;
    const char *why = NULL;
    if (network_regions_ensure(c, NULL) < 0)
        goto cleanup;
    int ok = coverage_scope_ok(c, scope, &why);
    if (ok <= 0) {
        fprintf(stderr, "aftersales coverage: %s\n", ok < 0 ? db_errmsg(c) : why);
        goto cleanup;
    }
    struct coverage cv;
    if (coverage_compute(c, scope, &cv) < 0) {
        fprintf(stderr, "aftersales coverage: %s\n", db_errmsg(c));
        goto cleanup;
    }
    json_t *j = coverage_summary(&cv);
    free(cv.c);
    if (json) {
        char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
        printf("%s\n", s);
        free(s);
    } else {
        json_t *rt = json_object_get(j, "rate");
        printf("covered %lld of %lld county-level regions", 
               (long long)json_integer_value(json_object_get(j, "covered")),
               (long long)json_integer_value(json_object_get(j, "total")));
        if (json_is_real(rt))
            printf(" (%.1f%%)", json_real_value(rt) * 100.0);
        printf("; %zu uncovered\n", json_array_size(json_object_get(j, "uncovered")));
    }
    json_decref(j);
    rc = 0;
cleanup:
    db_release(c);
    return rc;
}
