/* kpi: turnaround and quality KPIs (M5) per period, outlet, region and product line, the
 * supervisor's at-risk list, and their CSV/XLSX downloads (M15). The command line and the
 * API share kpi_report(); the arithmetic is src/rules/kpi.c and its SQL twin in
 * sql/<backend>/0005_kpi.sql, which `kpi --check` holds against each other. */
#include "features/kpi.h"

#include "base/audit.h"
#include "base/buf.h"
#include "base/csv.h"
#include "base/log.h"
#include "features/features.h"
#include "rules/kpi.h"

#include <getopt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xlsxwriter.h>

#define KPI_MAX_DAYS 3700 /* longest period a report covers (about ten years) */

/* Targets (SPEC M5), sent along so screens and exports need not repeat them. */
#define TARGET_RATE_4D 0.95
#define TARGET_RATE_RR90 0.01

/* ---------------------------------------------------------------- zone and config */

struct kpi_cfg {
    char zone[64];
    int64_t bucket_offset;
    const struct kpi_zone *z;
};

static pthread_mutex_t zone_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    char name[64];
    struct kpi_zone z;
} zone_cache[8];
static int zone_count;

static int zone_name_ok(const char *n)
{
    size_t len = strlen(n);
    if (len == 0 || len >= 64 || n[0] == '/' || strstr(n, ".."))
        return 0;
    return strspn(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_+-/") == len;
}

/* The parsed zone `name` from the system's zoneinfo (TZDIR overrides the directory).
 * Loaded once and kept for the life of the process; NULL when unknown. */
static const struct kpi_zone *zone_get(const char *name)
{
    if (!zone_name_ok(name))
        return NULL;
    const struct kpi_zone *found = NULL;
    pthread_mutex_lock(&zone_lock);
    for (int i = 0; i < zone_count; i++)
        if (strcmp(zone_cache[i].name, name) == 0) {
            found = &zone_cache[i].z;
            goto done;
        }
    if (zone_count == (int)(sizeof zone_cache / sizeof zone_cache[0]))
        goto done;
    const char *dir = getenv("TZDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name);
    FILE *f = fopen(path, "rb");
    if (!f)
        goto done;
    static unsigned char data[1 << 17];
    size_t n = fread(data, 1, sizeof data, f);
    fclose(f);
    if (kpi_zone_parse(data, n, &zone_cache[zone_count].z) == 0) {
        snprintf(zone_cache[zone_count].name, sizeof zone_cache[0].name, "%s", name);
        found = &zone_cache[zone_count++].z;
    }
done:
    pthread_mutex_unlock(&zone_lock);
    return found;
}

static int cfg_load(db_conn *c, struct kpi_cfg *cfg)
{
    db_stmt *st = db_prepare(c, "SELECT time_zone, bucket_offset FROM kpi_config WHERE id = 1");
    if (!st)
        return -1;
    int rc = -1;
    if (db_step(st) == DB_ROW) {
        snprintf(cfg->zone, sizeof cfg->zone, "%s", db_text(st, 0));
        cfg->bucket_offset = db_int(st, 1);
        rc = 0;
    }
    db_done(st);
    if (rc == 0 && !(cfg->z = zone_get(cfg->zone))) {
        log_error("kpi: time zone %s not found in the zoneinfo", cfg->zone);
        rc = -1;
    }
    return rc;
}

/* ---------------------------------------------------------------- queries */

enum { G_NONE, G_OUTLET, G_PL };

struct kpi_filter {
    int64_t outlet_id;   /* 0: all */
    int64_t pl_id;       /* 0: all */
    const char *region;  /* LIKE pattern "44%" or NULL */
};

struct kpi_group {
    int64_t id;          /* outlet or product line id (0: none) */
    char key[32];        /* month "YYYY-MM" or region code */
    struct kpi_counts c;
};

struct kpi_groups {
    struct kpi_group *v;
    size_t n, cap;
};

static struct kpi_group *groups_at(struct kpi_groups *g, int64_t id, const char *key)
{
    for (size_t i = 0; i < g->n; i++)
        if (g->v[i].id == id && strcmp(g->v[i].key, key ? key : "") == 0)
            return &g->v[i];
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 16;
        struct kpi_group *v = realloc(g->v, cap * sizeof *v);
        if (!v)
            return NULL;
        g->v = v;
        g->cap = cap;
    }
    struct kpi_group *e = &g->v[g->n++];
    memset(e, 0, sizeof *e);
    e->id = id;
    snprintf(e->key, sizeof e->key, "%s", key ? key : "");
    return e;
}

#define F_WHERE                                                                               \
    " AND (CAST(? AS BIGINT) = 0 OR outlet_id = ?)"                                           \
    " AND (CAST(? AS BIGINT) = 0 OR product_line_id = ?)"                                     \
    " AND (CAST(? AS TEXT) IS NULL OR outlet_id IN (SELECT id FROM outlets WHERE region LIKE ?))"
#define SUMS_DAILY                                                                            \
    "CAST(SUM(completed) AS BIGINT), CAST(SUM(within_4d) AS BIGINT), "                        \
    "CAST(SUM(over_14d) AS BIGINT), CAST(SUM(with_serial) AS BIGINT), CAST(SUM(rr90) AS BIGINT)"
#define SUMS_RAW                                                                              \
    "CAST(COUNT(*) AS BIGINT), CAST(SUM(within_4d) AS BIGINT), "                              \
    "CAST(SUM(over_14d) AS BIGINT), CAST(SUM(with_serial) AS BIGINT), CAST(SUM(rr90) AS BIGINT)"
/* open_over_14d = still open, received before to - 336 h (index kpi_repairs_open)... */
#define OPEN_NOW_WHERE(FROM)                                                                  \
    " FROM " FROM " WHERE repaired_at IS NULL AND cancelled_at IS NULL"                       \
    " AND status <> 'cancelled' AND received_at < ?" F_WHERE
/* SQLite's planner, seeing one row per repaired_at value, would read every NULL of
 * repairs_repaired_at instead; PostgreSQL knows the null fraction and needs no hint. */
#define OPEN_FROM_SQLITE "repairs INDEXED BY kpi_repairs_open"
/* ...plus repaired at or after `to` and received before to - 336 h (kpi_repairs_long). */
#define OPEN_LONG_WHERE                                                                       \
    " FROM repairs WHERE repaired_at - received_at > 1209600 AND repaired_at >= ?"           \
    " AND received_at < ? AND cancelled_at IS NULL AND status <> 'cancelled'" F_WHERE

/* Completions per group from the daily buckets (periods on bucket boundaries)... */
static const char *const sql_daily[] = {
    "SELECT 0, " SUMS_DAILY " FROM kpi_daily WHERE day >= ? AND day < ?" F_WHERE,
    "SELECT outlet_id, " SUMS_DAILY " FROM kpi_daily WHERE day >= ? AND day < ?" F_WHERE
    " GROUP BY outlet_id",
    "SELECT product_line_id, " SUMS_DAILY " FROM kpi_daily WHERE day >= ? AND day < ?" F_WHERE
    " GROUP BY product_line_id",
};
/* ...or from the repairs themselves (any other period). */
static const char *const sql_raw[] = {
    "SELECT 0, " SUMS_RAW " FROM kpi_fact_source WHERE repaired_at >= ? AND repaired_at < ?"
    F_WHERE,
    "SELECT outlet_id, " SUMS_RAW " FROM kpi_fact_source WHERE repaired_at >= ? AND "
    "repaired_at < ?" F_WHERE " GROUP BY outlet_id",
    "SELECT product_line_id, " SUMS_RAW " FROM kpi_fact_source WHERE repaired_at >= ? AND "
    "repaired_at < ?" F_WHERE " GROUP BY product_line_id",
};
/* Open over 14 days at the period end, in two parts (see OPEN_NOW_WHERE). */
static const char *const sql_open_now[2][3] = {
    {
        "SELECT 0, CAST(COUNT(*) AS BIGINT)" OPEN_NOW_WHERE("repairs"),
        "SELECT COALESCE(outlet_id, 0), CAST(COUNT(*) AS BIGINT)" OPEN_NOW_WHERE("repairs")
        " GROUP BY COALESCE(outlet_id, 0)",
        "SELECT COALESCE(product_line_id, 0), CAST(COUNT(*) AS BIGINT)" OPEN_NOW_WHERE("repairs")
        " GROUP BY COALESCE(product_line_id, 0)",
    },
    {
        "SELECT 0, CAST(COUNT(*) AS BIGINT)" OPEN_NOW_WHERE(OPEN_FROM_SQLITE),
        "SELECT COALESCE(outlet_id, 0), CAST(COUNT(*) AS BIGINT)" OPEN_NOW_WHERE(OPEN_FROM_SQLITE)
        " GROUP BY COALESCE(outlet_id, 0)",
        "SELECT COALESCE(product_line_id, 0), CAST(COUNT(*) AS BIGINT)"
        OPEN_NOW_WHERE(OPEN_FROM_SQLITE) " GROUP BY COALESCE(product_line_id, 0)",
    },
};
static const char *const sql_open_long[] = {
    "SELECT 0, CAST(COUNT(*) AS BIGINT)" OPEN_LONG_WHERE,
    "SELECT COALESCE(outlet_id, 0), CAST(COUNT(*) AS BIGINT)" OPEN_LONG_WHERE
    " GROUP BY COALESCE(outlet_id, 0)",
    "SELECT COALESCE(product_line_id, 0), CAST(COUNT(*) AS BIGINT)" OPEN_LONG_WHERE
    " GROUP BY COALESCE(product_line_id, 0)",
};

static void bind_filter(db_stmt *st, int first, const struct kpi_filter *f)
{
    db_bind_int(st, first, f->outlet_id);
    db_bind_int(st, first + 1, f->outlet_id);
    db_bind_int(st, first + 2, f->pl_id);
    db_bind_int(st, first + 3, f->pl_id);
    db_bind_text(st, first + 4, f->region);
    db_bind_text(st, first + 5, f->region);
}

/* Add the counts of [from, to) grouped by `group` into out (under `key` for every row).
 * 0 or -1. */
static int kpi_period(db_conn *c, const struct kpi_cfg *cfg, int64_t from, int64_t to,
                      const struct kpi_filter *f, int group, const char *key,
                      struct kpi_groups *out)
{
    int aligned = (from + cfg->bucket_offset) % 86400 == 0 && (to + cfg->bucket_offset) % 86400 == 0;
    db_stmt *st = db_prepare(c, aligned ? sql_daily[group] : sql_raw[group]);
    if (!st)
        return -1;
    if (aligned) {
        db_bind_int(st, 1, (from + cfg->bucket_offset) / 86400);
        db_bind_int(st, 2, (to + cfg->bucket_offset) / 86400);
    } else {
        db_bind_int(st, 1, from);
        db_bind_int(st, 2, to);
    }
    bind_filter(st, 3, f);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        struct kpi_group *g = groups_at(out, db_int(st, 0), key);
        if (!g) {
            rc = -1;
            break;
        }
        g->c.completed += db_int(st, 1);
        g->c.within_4d += db_int(st, 2);
        g->c.over_14d += db_int(st, 3);
        g->c.with_serial += db_int(st, 4);
        g->c.rr90 += db_int(st, 5);
    }
    db_done(st);
    if (rc < 0)
        return -1;
    for (int part = 0; part < 2; part++) {
        st = db_prepare(c, part ? sql_open_long[group]
                                : sql_open_now[db_conn_kind(c) == DB_SQLITE][group]);
        if (!st)
            return -1;
        int k = 1;
        if (part)
            db_bind_int(st, k++, to);
        db_bind_int(st, k++, to - KPI_14D_SECONDS);
        bind_filter(st, k, f);
        while ((rc = db_step(st)) == DB_ROW) {
            struct kpi_group *g = groups_at(out, db_int(st, 0), key);
            if (!g) {
                rc = -1;
                break;
            }
            g->c.open_over_14d += db_int(st, 1);
        }
        db_done(st);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- the report */

enum { BY_NONE, BY_MONTH, BY_OUTLET, BY_REGION, BY_PL };
static const char *const by_names[] = {"", "month", "outlet", "region", "product_line"};

struct kpi_request {
    int fy, fm, fd, ty, tm, td;  /* local dates [from, to) */
    struct kpi_filter f;
    int by;
};

struct kpi_result {
    struct kpi_counts total;
    struct kpi_groups groups;   /* empty for BY_NONE */
    char **labels;              /* per group: key shown and name (groups.n * 2) */
};

static void result_free(struct kpi_result *res)
{
    if (res->labels)
        for (size_t i = 0; i < res->groups.n * 2; i++)
            free(res->labels[i]);
    free(res->labels);
    free(res->groups.v);
    memset(res, 0, sizeof *res);
}

static char *dup_or_empty(const char *s) { return strdup(s ? s : ""); }

/* Province of an outlet's region code: the first two digits + "0000". */
static void province_of(const char *region, char out[7])
{
    if (region && strlen(region) >= 2 && region[0] >= '0' && region[0] <= '9' &&
        region[1] >= '0' && region[1] <= '9')
        snprintf(out, 7, "%.2s0000", region);
    else
        out[0] = '\0';
}

static int cmp_key(const void *a, const void *b)
{
    return strcmp(((const struct kpi_group *)a)->key, ((const struct kpi_group *)b)->key);
}

/* Names for the groups: outlet code and name, product line code and name, region
 * name (best effort: the regions table is the network feature's), month as is. */
static int label_groups(db_conn *c, int by, struct kpi_result *res)
{
    struct kpi_groups *g = &res->groups;
    if (by == BY_REGION) {
        /* fold outlets into provinces */
        struct kpi_groups prov = {0};
        db_stmt *st = db_prepare(c, "SELECT region FROM outlets WHERE id = ?");
        if (!st)
            return -1;
        for (size_t i = 0; i < g->n; i++) {
            char p[7] = "";
            db_bind_int(st, 1, g->v[i].id);
            if (db_step(st) == DB_ROW)
                province_of(db_text(st, 0), p);
            db_done(st);
            struct kpi_group *e = groups_at(&prov, 0, p);
            if (!e) {
                free(prov.v);
                return -1;
            }
            e->c.completed += g->v[i].c.completed;
            e->c.within_4d += g->v[i].c.within_4d;
            e->c.over_14d += g->v[i].c.over_14d;
            e->c.with_serial += g->v[i].c.with_serial;
            e->c.rr90 += g->v[i].c.rr90;
            e->c.open_over_14d += g->v[i].c.open_over_14d;
        }
        free(g->v);
        *g = prov;
        qsort(g->v, g->n, sizeof *g->v, cmp_key);
    }
    res->labels = calloc(g->n * 2 + 1, sizeof *res->labels);
    if (!res->labels)
        return -1;
    const char *sql = by == BY_OUTLET ? "SELECT code, name FROM outlets WHERE id = ?"
                      : by == BY_PL   ? "SELECT code, name FROM product_lines WHERE id = ?"
                                      : NULL;
    /* region names: best effort (reports are not run inside a transaction, so a missing
     * table only leaves the names empty) */
    static const char region_sql[] = "SELECT name FROM regions WHERE code = ?";
    for (size_t i = 0; i < g->n; i++) {
        char *k = NULL, *n = NULL;
        if (sql && g->v[i].id) {
            db_stmt *st = db_prepare(c, sql);
            if (!st)
                return -1;
            db_bind_int(st, 1, g->v[i].id);
            if (db_step(st) == DB_ROW) {
                k = dup_or_empty(db_text(st, 0));
                n = dup_or_empty(db_text(st, 1));
            }
            db_done(st);
        } else if (by == BY_REGION && g->v[i].key[0]) {
            db_stmt *st = db_prepare(c, region_sql);
            if (st) {
                db_bind_text(st, 1, g->v[i].key);
                if (db_step(st) == DB_ROW)
                    n = dup_or_empty(db_text(st, 0));
                db_done(st);
            }
        }
        if (!k)
            k = strdup(sql ? "" : g->v[i].key);
        if (!n)
            n = strdup("");
        res->labels[2 * i] = k;
        res->labels[2 * i + 1] = n;
        if (!k || !n)
            return -1;
    }
    return 0;
}

/* The report of `q` into res. 0 or -1 (database). */
static int kpi_report(db_conn *c, const struct kpi_cfg *cfg, const struct kpi_request *q,
                      struct kpi_result *res)
{
    memset(res, 0, sizeof *res);
    int64_t from = kpi_local_midnight(cfg->z, q->fy, q->fm, q->fd);
    int64_t to = kpi_local_midnight(cfg->z, q->ty, q->tm, q->td);
    struct kpi_groups tot = {0};
    if (kpi_period(c, cfg, from, to, &q->f, G_NONE, NULL, &tot) < 0) {
        free(tot.v);
        return -1;
    }
    if (tot.n)
        res->total = tot.v[0].c;
    free(tot.v);
    int rc = 0;
    if (q->by == BY_MONTH) {
        int y = q->fy, m = q->fm;
        int64_t start = from;
        while (start < to && rc == 0) {
            int ny = m == 12 ? y + 1 : y, nm = m == 12 ? 1 : m + 1;
            int64_t end = kpi_local_midnight(cfg->z, ny, nm, 1);
            if (end > to)
                end = to;
            char key[16];
            snprintf(key, sizeof key, "%04d-%02d", y, m);
            /* every month shows, also one with no repairs */
            if (!groups_at(&res->groups, 0, key))
                rc = -1;
            else
                rc = kpi_period(c, cfg, start, end, &q->f, G_NONE, key, &res->groups);
            start = end;
            y = ny;
            m = nm;
        }
    } else if (q->by != BY_NONE) {
        rc = kpi_period(c, cfg, from, to, &q->f, q->by == BY_PL ? G_PL : G_OUTLET, NULL,
                        &res->groups);
    }
    if (rc == 0 && q->by != BY_NONE)
        rc = label_groups(c, q->by, res);
    if (rc < 0)
        result_free(res);
    return rc;
}

static json_t *rate_json(int64_t num, int64_t den)
{
    double r;
    return kpi_rate(num, den, &r) ? json_real(r) : json_null();
}

/* The KPI names of the SPEC as keys (the `aftersales kpi --json` contract). */
static json_t *counts_json(const struct kpi_counts *c)
{
    json_t *o = json_object();
    json_object_set_new(o, "completed", json_integer(c->completed));
    json_object_set_new(o, "within_4d", json_integer(c->within_4d));
    json_object_set_new(o, "rate_4d", rate_json(c->within_4d, c->completed));
    json_object_set_new(o, "over_14d", json_integer(c->over_14d));
    json_object_set_new(o, "rate_over_14d", rate_json(c->over_14d, c->completed));
    json_object_set_new(o, "open_over_14d", json_integer(c->open_over_14d));
    json_object_set_new(o, "rr90", json_integer(c->rr90));
    json_object_set_new(o, "rate_rr90", rate_json(c->rr90, c->with_serial));
    return o;
}

static void date_text(int y, int m, int d, char out[11])
{
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
             (unsigned)d % 100u);
}

static json_t *report_json(const struct kpi_cfg *cfg, const struct kpi_request *q,
                           const struct kpi_result *res)
{
    char from[11], to[11];
    date_text(q->fy, q->fm, q->fd, from);
    date_text(q->ty, q->tm, q->td, to);
    json_t *total = counts_json(&res->total);
    json_object_set_new(total, "with_serial", json_integer(res->total.with_serial));
    json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:{s:f, s:i, s:f}}", "from", from, "to", to,
                          "time_zone", cfg->zone, "total", total, "targets", "rate_4d",
                          TARGET_RATE_4D, "over_14d", 0, "rate_rr90", TARGET_RATE_RR90);
    if (q->by != BY_NONE) {
        json_t *arr = json_array();
        for (size_t i = 0; i < res->groups.n; i++) {
            const struct kpi_group *g = &res->groups.v[i];
            json_t *e = counts_json(&g->c);
            json_object_set_new(e, "with_serial", json_integer(g->c.with_serial));
            json_object_set_new(e, "key", json_string(res->labels[2 * i]));
            json_object_set_new(e, "name", json_string(res->labels[2 * i + 1]));
            json_array_append_new(arr, e);
        }
        json_object_set_new(o, "group_by", json_string(by_names[q->by]));
        json_object_set_new(o, "groups", arr);
    }
    return o;
}

/* ---------------------------------------------------------------- tables: CSV and XLSX */

enum col_type { COL_TEXT, COL_INT, COL_RATE, COL_TIME, COL_NUM };
struct col {
    const char *name;
    enum col_type type;
    double width;
};

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
static int reply_table(req *r, const char *format, const char *name, const struct col *cols,
                       int ncols, json_t *rows, const struct kpi_zone *z)
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

static const struct col turnaround_cols[] = {
    {"group", COL_TEXT, 14},        {"name", COL_TEXT, 28},       {"completed", COL_INT, 12},
    {"within_4d", COL_INT, 12},     {"rate_4d", COL_RATE, 10},    {"over_14d", COL_INT, 10},
    {"rate_over_14d", COL_RATE, 14}, {"open_over_14d", COL_INT, 14}, {"rr90", COL_INT, 8},
    {"rate_rr90", COL_RATE, 10},    {"with_serial", COL_INT, 12},
};

static json_t *counts_row(const char *key, const char *name, const struct kpi_counts *c)
{
    json_t *row = json_pack("[s, s, I, I, o, I, o, I, I, o, I]", key, name,
                            (json_int_t)c->completed, (json_int_t)c->within_4d,
                            rate_json(c->within_4d, c->completed), (json_int_t)c->over_14d,
                            rate_json(c->over_14d, c->completed), (json_int_t)c->open_over_14d,
                            (json_int_t)c->rr90, rate_json(c->rr90, c->with_serial),
                            (json_int_t)c->with_serial);
    return row;
}

/* ---------------------------------------------------------------- request parsing */

/* Fill q from query-style parameters; on a bad one, names it in *field and *why. The
 * outlet and product line codes are resolved to ids (unknown: *field = "outlet" with
 * why "unknown"). 0, -1 (invalid), -2 (database). */
static int parse_request(db_conn *c, const char *from, const char *to, const char *outlet,
                         const char *region, const char *pl, const char *by,
                         struct kpi_request *q, const char **field, const char **why,
                         char region_like[16])
{
    memset(q, 0, sizeof *q);
    *field = NULL;
    if (!from || !*from) {
        *field = "from", *why = "required";
        return -1;
    }
    if (kpi_parse_date(from, &q->fy, &q->fm, &q->fd) < 0) {
        *field = "from", *why = "must be a date YYYY-MM-DD";
        return -1;
    }
    if (!to || !*to) {
        *field = "to", *why = "required";
        return -1;
    }
    if (kpi_parse_date(to, &q->ty, &q->tm, &q->td) < 0) {
        *field = "to", *why = "must be a date YYYY-MM-DD";
        return -1;
    }
    int64_t span = kpi_days_from_civil(q->ty, q->tm, q->td) - kpi_days_from_civil(q->fy, q->fm, q->fd);
    if (span <= 0) {
        *field = "to", *why = "must be after from";
        return -1;
    }
    if (span > KPI_MAX_DAYS) {
        *field = "to", *why = "the period may span at most ten years";
        return -1;
    }
    q->by = BY_NONE;
    if (by && *by) {
        q->by = -1;
        for (int i = 1; i < (int)(sizeof by_names / sizeof by_names[0]); i++)
            if (strcmp(by, by_names[i]) == 0)
                q->by = i;
        if (q->by < 0) {
            *field = "group_by", *why = "one of month, outlet, region, product_line";
            return -1;
        }
    }
    if (region && *region) {
        size_t len = strlen(region);
        if (len != 6 || strspn(region, "0123456789") != 6) {
            *field = "region", *why = "a six-digit GB/T 2260 code";
            return -1;
        }
        /* 440000 -> "44%", 440100 -> "4401%", 440106 -> "440106%" */
        size_t keep = 6;
        while (keep > 2 && region[keep - 1] == '0' && region[keep - 2] == '0')
            keep -= 2;
        snprintf(region_like, 16, "%.*s%%", (int)keep, region);
        q->f.region = region_like;
    }
    const struct {
        const char *val, *name, *sql;
        int64_t *out;
    } look[] = {
        {outlet, "outlet", "SELECT id FROM outlets WHERE code = ?", &q->f.outlet_id},
        {pl, "product_line", "SELECT id FROM product_lines WHERE code = ?", &q->f.pl_id},
    };
    for (size_t i = 0; i < 2; i++) {
        if (!look[i].val || !*look[i].val)
            continue;
        db_stmt *st = db_prepare(c, look[i].sql);
        if (!st)
            return -2;
        db_bind_text(st, 1, look[i].val);
        int rc = db_step(st);
        if (rc == DB_ROW)
            *look[i].out = db_int(st, 0);
        db_done(st);
        if (rc < 0)
            return -2;
        if (rc != DB_ROW) {
            *field = look[i].name, *why = "unknown";
            return -1;
        }
    }
    return 0;
}

static int is_outlet_staff(const req *r) { return (r->who.role & ROLE_OUTLET_STAFF) != 0; }

/* Shared by both routes: the format parameter. NULL when invalid (answered). */
static const char *want_format(req *r, int *answered)
{
    const char *fmt = req_query(r, "format");
    *answered = 0;
    if (!fmt || !*fmt || strcmp(fmt, "json") == 0)
        return "json";
    if (strcmp(fmt, "csv") == 0 || strcmp(fmt, "xlsx") == 0)
        return fmt;
    *answered = 1;
    reply_error(r, 422, "validation_failed", "format is json, csv or xlsx",
                json_pack("{s:s}", "format", "one of json, csv, xlsx"));
    return NULL;
}

/* Outlet staff: only their outlet. Another outlet's code answers 404 like an unknown
 * one. Returns 0, or 1 when answered. */
static int confine(req *r, struct kpi_request *q, const char *outlet_param)
{
    if (!is_outlet_staff(r))
        return 0;
    if (r->who.outlet_id <= 0) { /* outlet staff without an outlet see nothing */
        reply_error(r, 403, "forbidden", "no outlet is assigned to this account", NULL);
        return 1;
    }
    if (outlet_param && *outlet_param && q->f.outlet_id != r->who.outlet_id) {
        reply_error(r, 404, "not_found", "no such outlet", NULL);
        return 1;
    }
    q->f.outlet_id = r->who.outlet_id;
    return 0;
}

/* GET /api/v1/kpi/turnaround */
static int kpi_turnaround(req *r)
{
    int answered;
    const char *fmt = want_format(r, &answered);
    if (!fmt)
        return 0;
    db_conn *c = req_db(r);
    struct kpi_cfg cfg;
    if (cfg_load(c, &cfg) < 0)
        return -1;
    struct kpi_request q;
    const char *field, *why;
    char region_like[16];
    const char *outlet = req_query(r, "outlet");
    int prc = parse_request(c, req_query(r, "from"), req_query(r, "to"), outlet,
                            req_query(r, "region"), req_query(r, "product_line"),
                            req_query(r, "group_by"), &q, &field, &why, region_like);
    if (prc == -2)
        return -1;
    if (prc == -1 && strcmp(field, "outlet") == 0 && strcmp(why, "unknown") == 0)
        return reply_error(r, 404, "not_found", "no such outlet", NULL);
    if (prc == -1)
        return reply_error(r, 422, "validation_failed",
                           arena_printf(r->a, "%s: %s", field, why),
                           json_pack("{s:s}", field, why));
    if (confine(r, &q, outlet))
        return 0;
    struct kpi_result res;
    if (kpi_report(c, &cfg, &q, &res) < 0)
        return -1;
    int rc;
    if (strcmp(fmt, "json") == 0) {
        rc = reply_json(r, 200, report_json(&cfg, &q, &res));
    } else {
        json_t *rows = json_array();
        for (size_t i = 0; i < res.groups.n; i++)
            json_array_append_new(rows, counts_row(res.labels[2 * i], res.labels[2 * i + 1],
                                                   &res.groups.v[i].c));
        json_array_append_new(rows, counts_row("total", "", &res.total));
        char from[11], to[11];
        date_text(q.fy, q.fm, q.fd, from);
        date_text(q.ty, q.tm, q.td, to);
        const char *name = arena_printf(r->a, "kpi-turnaround-%s-%s%s%s", from, to,
                                        q.by ? "-by-" : "", by_names[q.by]);
        rc = reply_table(r, fmt, name, turnaround_cols,
                         (int)(sizeof turnaround_cols / sizeof turnaround_cols[0]), rows, cfg.z);
        json_decref(rows);
    }
    result_free(&res);
    return rc;
}

/* ---------------------------------------------------------------- at-risk list */

static const struct col atrisk_cols[] = {
    {"code", COL_TEXT, 16},       {"outlet", COL_TEXT, 12},   {"outlet_name", COL_TEXT, 26},
    {"product_line", COL_TEXT, 14}, {"status", COL_TEXT, 14},  {"received_at", COL_TIME, 18},
    {"crosses_at", COL_TIME, 18}, {"hours_left", COL_NUM, 11}, {"part", COL_TEXT, 16},
};

#define ATRISK_FROM(HINT)                                                                     \
    " FROM repairs r" HINT " LEFT JOIN outlets o ON o.id = r.outlet_id"                       \
    " LEFT JOIN product_lines p ON p.id = r.product_line_id"                                  \
    " WHERE r.repaired_at IS NULL AND r.cancelled_at IS NULL AND r.status <> 'cancelled'"     \
    " AND (CAST(? AS BIGINT) = 0 OR r.outlet_id = ?)"                                         \
    " AND (CAST(? AS BIGINT) = 0 OR r.product_line_id = ?)"                                   \
    " AND (CAST(? AS TEXT) IS NULL OR o.region LIKE ?)"

/* GET /api/v1/kpi/at-risk?threshold=4d|14d&within_hours=&outlet=&region=&product_line=&limit= */
static int kpi_at_risk(req *r)
{
    int answered;
    const char *fmt = want_format(r, &answered);
    if (!fmt)
        return 0;
    const char *th = req_query(r, "threshold");
    int64_t limit_s = KPI_14D_SECONDS;
    if (th && *th && strcmp(th, "4d") == 0)
        limit_s = KPI_4D_SECONDS;
    else if (th && *th && strcmp(th, "14d") != 0)
        return reply_error(r, 422, "validation_failed", "threshold is 4d or 14d",
                           json_pack("{s:s}", "threshold", "one of 4d, 14d"));
    long hours = 72, limit = 100;
    const char *h = req_query(r, "within_hours"), *l = req_query(r, "limit");
    char *end;
    if (h && *h) {
        hours = strtol(h, &end, 10);
        if (*end || hours < 1 || hours > 24 * 366)
            return reply_error(r, 422, "validation_failed", "within_hours is 1 to 8784",
                               json_pack("{s:s}", "within_hours", "an integer from 1 to 8784"));
    }
    if (l && *l) {
        limit = strtol(l, &end, 10);
        if (*end || limit < 1 || limit > 1000)
            return reply_error(r, 422, "validation_failed", "limit is 1 to 1000",
                               json_pack("{s:s}", "limit", "an integer from 1 to 1000"));
    }
    db_conn *c = req_db(r);
    struct kpi_cfg cfg;
    if (cfg_load(c, &cfg) < 0)
        return -1;
    struct kpi_request q;
    const char *field, *why;
    char region_like[16];
    const char *outlet = req_query(r, "outlet");
    /* reuse the report's parsing for the filters (a dummy valid period) */
    int prc = parse_request(c, "2000-01-01", "2000-01-02", outlet, req_query(r, "region"),
                            req_query(r, "product_line"), NULL, &q, &field, &why, region_like);
    if (prc == -2)
        return -1;
    if (prc == -1 && strcmp(field, "outlet") == 0 && strcmp(why, "unknown") == 0)
        return reply_error(r, 404, "not_found", "no such outlet", NULL);
    if (prc == -1)
        return reply_error(r, 422, "validation_failed", arena_printf(r->a, "%s: %s", field, why),
                           json_pack("{s:s}", field, why));
    if (confine(r, &q, outlet))
        return 0;
    int64_t now = now_unix();
    /* crossing in (now, now + hours]: received in (now - limit_s, now + hours - limit_s] */
    static const char *const list_sql[2] = {
        "SELECT r.code, o.code, o.name, p.code, r.status, r.received_at" ATRISK_FROM("")
        " AND r.received_at > ? AND r.received_at <= ? ORDER BY r.received_at, r.id LIMIT ?",
        "SELECT r.code, o.code, o.name, p.code, r.status, r.received_at"
        ATRISK_FROM(" INDEXED BY kpi_repairs_open")
        " AND r.received_at > ? AND r.received_at <= ? ORDER BY r.received_at, r.id LIMIT ?",
    };
    static const char *const over_sql[2] = {
        "SELECT CAST(COUNT(*) AS BIGINT)" ATRISK_FROM("") " AND r.received_at <= ?",
        "SELECT CAST(COUNT(*) AS BIGINT)" ATRISK_FROM(" INDEXED BY kpi_repairs_open") " AND r.received_at <= ?",
    };
    int lite = db_conn_kind(c) == DB_SQLITE;
    db_stmt *st = db_prepare(c, list_sql[lite]);
    if (!st)
        return -1;
    bind_filter(st, 1, &q.f);
    db_bind_int(st, 7, now - limit_s);
    db_bind_int(st, 8, now + hours * 3600 - limit_s);
    db_bind_int(st, 9, limit);
    json_t *items = json_array(), *rows = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t rcv = db_int(st, 5), cross = rcv + limit_s;
        double left = (double)(cross - now) / 3600.0;
        const char *oc = db_text(st, 1), *on = db_text(st, 2), *pc = db_text(st, 3);
        json_array_append_new(
            items, json_pack("{s:s, s:s?, s:s?, s:s?, s:s, s:o, s:o, s:f, s:n}", "code",
                             db_text(st, 0), "outlet", oc, "outlet_name", on, "product_line", pc,
                             "status", db_text(st, 4), "received_at", json_integer(rcv),
                             "crosses_at", json_integer(cross), "hours_left",
                             (double)(int64_t)(left * 10) / 10.0, "part"));
        json_array_append_new(rows, json_pack("[s, s, s, s, s, I, I, f, s]", db_text(st, 0),
                                              oc ? oc : "", on ? on : "", pc ? pc : "",
                                              db_text(st, 4), (json_int_t)rcv, (json_int_t)cross,
                                              (double)(int64_t)(left * 10) / 10.0, ""));
    }
    db_done(st);
    if (rc < 0)
        goto fail;
    /* how many are past the threshold already */
    st = db_prepare(c, over_sql[lite]);
    if (!st)
        goto fail;
    bind_filter(st, 1, &q.f);
    db_bind_int(st, 7, now - limit_s);
    int64_t over = db_step(st) == DB_ROW ? db_int(st, 0) : -1;
    db_done(st);
    if (over < 0)
        goto fail;
    /* times as RFC 3339 in JSON */
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it) {
        for (int k = 0; k < 2; k++) {
            const char *key = k ? "crosses_at" : "received_at";
            time_t t = (time_t)json_integer_value(json_object_get(it, key));
            struct tm tm;
            char s[32];
            gmtime_r(&t, &tm);
            strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%SZ", &tm);
            json_object_set_new(it, key, json_string(s));
        }
    }
    if (strcmp(fmt, "json") == 0) {
        json_decref(rows);
        return reply_json(r, 200,
                          json_pack("{s:s, s:i, s:I, s:o, s:b}", "threshold",
                                    limit_s == KPI_4D_SECONDS ? "4d" : "14d", "within_hours",
                                    (int)hours, "already_over", (json_int_t)over, "items", items,
                                    "parts_known", 0));
    }
    json_decref(items);
    rc = reply_table(r, fmt, limit_s == KPI_4D_SECONDS ? "kpi-at-risk-4d" : "kpi-at-risk-14d",
                     atrisk_cols, (int)(sizeof atrisk_cols / sizeof atrisk_cols[0]), rows, cfg.z);
    json_decref(rows);
    return rc;
fail:
    json_decref(items);
    json_decref(rows);
    return -1;
}

const struct route kpi_routes[] = {
    {"GET", "/api/v1/kpi/turnaround", kpi_turnaround,
     ROLE_ADMIN | ROLE_SUPERVISOR | ROLE_OUTLET_STAFF, 0},
    {"GET", "/api/v1/kpi/at-risk", kpi_at_risk, ROLE_ADMIN | ROLE_SUPERVISOR | ROLE_OUTLET_STAFF,
     0},
    {0},
};

/* ---------------------------------------------------------------- rebuild and check */

#define FACT_COLS                                                                             \
    "repair_id, day, outlet_id, product_line_id, within_4d, over_14d, with_serial, rr90"

int kpi_rebuild(db_conn *c, const char *zone, int64_t bucket_offset)
{
    int rc = db_begin(c);
    if (rc < 0)
        return rc;
    if (zone && (rc = (int)db_exec(c, "UPDATE kpi_config SET time_zone = ?, bucket_offset = ? "
                                      "WHERE id = 1", "ti", zone, bucket_offset)) < 0) {
        db_rollback(c);
        return rc;
    }
    /* buckets first, so deleting the facts has nothing left to subtract from */
    if ((rc = (int)db_exec(c, "DELETE FROM kpi_daily", "")) < 0 ||
        (rc = (int)db_exec(c, "DELETE FROM kpi_facts", "")) < 0 ||
        (rc = (int)db_exec(c, "INSERT INTO kpi_facts (" FACT_COLS ") SELECT " FACT_COLS
                              " FROM kpi_fact_source", "")) < 0) {
        db_rollback(c);
        return rc;
    }
    json_t *detail = zone ? json_pack("{s:s, s:I}", "time_zone", zone, "bucket_offset",
                                      (json_int_t)bucket_offset)
                          : NULL;
    rc = audit_write(c, "cli", zone ? "update" : "rebuild", "kpi_config", "1", detail);
    json_decref(detail);
    if (rc < 0) {
        db_rollback(c);
        return rc;
    }
    return db_commit(c);
}

struct check_rec {
    struct kpi_rec r;
    int64_t outlet_id, pl_id;
};

long kpi_check(db_conn *c, FILE *report)
{
    struct kpi_cfg cfg;
    if (cfg_load(c, &cfg) < 0)
        return -1;
    long diffs = -1;
    size_t n = 0, cap = 0;
    struct kpi_rec *recs = NULL;
    int64_t *oid = NULL, *pid = NULL;
    int *flags = NULL;
    db_stmt *st = db_prepare(c, "SELECT id, serial, received_at, repaired_at, delivered_at, "
                                "CASE WHEN cancelled_at IS NOT NULL OR status = 'cancelled' "
                                "THEN 1 ELSE 0 END, COALESCE(outlet_id, 0), "
                                "COALESCE(product_line_id, 0) FROM repairs ORDER BY id");
    if (!st)
        return -1;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 4096;
            struct kpi_rec *nr = realloc(recs, cap * sizeof *nr);
            int64_t *no = nr ? realloc(oid, cap * sizeof *no) : NULL;
            if (nr)
                recs = nr;
            if (no)
                oid = no;
            int64_t *np = no ? realloc(pid, cap * sizeof *np) : NULL;
            if (np)
                pid = np;
            if (!nr || !no || !np) {
                rc = -1;
                break;
            }
        }
        struct kpi_rec *x = &recs[n];
        x->id = db_int(st, 0);
        x->serial = db_isnull(st, 1) ? NULL : strdup(db_text(st, 1));
        x->received_at = db_isnull(st, 2) ? KPI_NONE : db_int(st, 2);
        x->repaired_at = db_isnull(st, 3) ? KPI_NONE : db_int(st, 3);
        x->delivered_at = db_isnull(st, 4) ? KPI_NONE : db_int(st, 4);
        x->cancelled = (int)db_int(st, 5);
        oid[n] = db_int(st, 6);
        pid[n] = db_int(st, 7);
        n++;
    }
    db_done(st);
    if (rc < 0)
        goto cleanup;
    flags = malloc((n ? n : 1) * sizeof *flags);
    if (!flags || kpi_flags(recs, n, flags) < 0)
        goto cleanup;
    /* 1. every fact equals the C recount (both in repair id order) */
    diffs = 0;
    st = db_prepare(c, "SELECT " FACT_COLS " FROM kpi_facts ORDER BY repair_id");
    if (!st) {
        diffs = -1;
        goto cleanup;
    }
    size_t i = 0;
    int more = db_step(st) == DB_ROW;
    while (i < n || more) {
        while (i < n && !(flags[i] & KPI_F_COMPLETED))
            i++;
        if (i >= n && !more)
            break;
        int64_t fid = more ? db_int(st, 0) : INT64_MAX;
        int64_t rid = i < n ? recs[i].id : INT64_MAX;
        if (rid == fid) {
            int f = flags[i];
            int64_t day = (recs[i].repaired_at + cfg.bucket_offset) / 86400;
            if (db_int(st, 1) != day || db_int(st, 2) != oid[i] || db_int(st, 3) != pid[i] ||
                db_int(st, 4) != ((f & KPI_F_WITHIN_4D) != 0) ||
                db_int(st, 5) != ((f & KPI_F_OVER_14D) != 0) ||
                db_int(st, 6) != ((f & KPI_F_SERIAL) != 0) ||
                db_int(st, 7) != ((f & KPI_F_RR90) != 0)) {
                if (report && diffs < 10)
                    fprintf(report, "repair id %lld: stored fact differs from the recount\n",
                            (long long)rid);
                diffs++;
            }
            i++;
            more = db_step(st) == DB_ROW;
        } else if (rid < fid) {
            if (report && diffs < 10)
                fprintf(report, "repair id %lld: completed but has no fact\n", (long long)rid);
            diffs++;
            i++;
        } else {
            if (report && diffs < 10)
                fprintf(report, "repair id %lld: has a fact but does not count\n",
                        (long long)fid);
            diffs++;
            more = db_step(st) == DB_ROW;
        }
    }
    db_done(st);
    /* 2. every daily bucket equals the sum of its facts */
    static const char *const bucket_sql[] = {
        "SELECT CAST(COUNT(*) AS BIGINT) FROM (SELECT day, outlet_id, product_line_id, "
        "completed, within_4d, over_14d, with_serial, rr90 FROM kpi_daily WHERE completed <> 0 "
        "OR within_4d <> 0 OR over_14d <> 0 OR with_serial <> 0 OR rr90 <> 0 EXCEPT "
        "SELECT day, outlet_id, product_line_id, CAST(COUNT(*) AS BIGINT), "
        "CAST(SUM(within_4d) AS BIGINT), CAST(SUM(over_14d) AS BIGINT), "
        "CAST(SUM(with_serial) AS BIGINT), CAST(SUM(rr90) AS BIGINT) FROM kpi_facts "
        "GROUP BY day, outlet_id, product_line_id) x",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM (SELECT day, outlet_id, product_line_id, "
        "CAST(COUNT(*) AS BIGINT), CAST(SUM(within_4d) AS BIGINT), "
        "CAST(SUM(over_14d) AS BIGINT), CAST(SUM(with_serial) AS BIGINT), "
        "CAST(SUM(rr90) AS BIGINT) FROM kpi_facts GROUP BY day, outlet_id, product_line_id "
        "EXCEPT SELECT day, outlet_id, product_line_id, completed, within_4d, over_14d, "
        "with_serial, rr90 FROM kpi_daily) x",
    };
    for (int k = 0; k < 2; k++) {
        st = db_prepare(c, bucket_sql[k]);
        int64_t bad = st && db_step(st) == DB_ROW ? db_int(st, 0) : -1;
        db_done(st);
        if (bad < 0) {
            diffs = -1;
            goto cleanup;
        }
        if (bad && report)
            fprintf(report, "%lld daily buckets differ from the sum of their facts\n",
                    (long long)bad);
        diffs += (long)bad;
    }
cleanup:
    for (size_t k = 0; k < n; k++)
        free((char *)recs[k].serial);
    free(recs);
    free(oid);
    free(pid);
    free(flags);
    return diffs;
}

/* ---------------------------------------------------------------- the command */

static void print_text(const struct kpi_cfg *cfg, const struct kpi_request *q,
                       const struct kpi_result *res)
{
    char from[11], to[11];
    date_text(q->fy, q->fm, q->fd, from);
    date_text(q->ty, q->tm, q->td, to);
    printf("KPIs %s to %s (exclusive), %s\n", from, to, cfg->zone);
    const struct kpi_counts *c = &res->total;
    double rt;
    printf("  completed        %lld\n", (long long)c->completed);
    printf("  within 4 days    %lld", (long long)c->within_4d);
    if (kpi_rate(c->within_4d, c->completed, &rt))
        printf("  (%.2f%%, target >= 95%%)", rt * 100);
    printf("\n  over 14 days     %lld", (long long)c->over_14d);
    if (kpi_rate(c->over_14d, c->completed, &rt))
        printf("  (%.2f%%, target 0)", rt * 100);
    printf("\n  open over 14 d   %lld at the end\n", (long long)c->open_over_14d);
    printf("  back in 90 days  %lld", (long long)c->rr90);
    if (kpi_rate(c->rr90, c->with_serial, &rt))
        printf("  (%.2f%% of %lld with a serial, target < 1%%)", rt * 100,
               (long long)c->with_serial);
    printf("\n");
    for (size_t i = 0; i < res->groups.n; i++) {
        const struct kpi_counts *g = &res->groups.v[i].c;
        printf("  %-12s %-20s completed %lld, within 4 d %lld, over 14 d %lld, rr90 %lld\n",
               res->labels[2 * i], res->labels[2 * i + 1], (long long)g->completed,
               (long long)g->within_4d, (long long)g->over_14d, (long long)g->rr90);
    }
}

int kpi_cmd(int argc, char **argv, db *d)
{
    static struct option opts[] = {{"from", required_argument, 0, 'f'},
                                   {"to", required_argument, 0, 't'},
                                   {"outlet", required_argument, 0, 'o'},
                                   {"product-line", required_argument, 0, 'p'},
                                   {"region", required_argument, 0, 'r'},
                                   {"group-by", required_argument, 0, 'g'},
                                   {"json", no_argument, 0, 'j'},
                                   {"check", no_argument, 0, 'c'},
                                   {"rebuild", no_argument, 0, 'b'},
                                   {"zone", required_argument, 0, 'z'},
                                   {0, 0, 0, 0}};
    const char *from = NULL, *to = NULL, *outlet = NULL, *pl = NULL, *region = NULL,
               *by = NULL, *zone = NULL;
    int json = 0, check = 0, rebuild = 0, ch;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'f': from = optarg; break;
        case 't': to = optarg; break;
        case 'o': outlet = optarg; break;
        case 'p': pl = optarg; break;
        case 'r': region = optarg; break;
        case 'g': by = optarg; break;
        case 'j': json = 1; break;
        case 'c': check = 1; break;
        case 'b': rebuild = 1; break;
        case 'z': zone = optarg; break;
        default:
            fprintf(stderr, "aftersales kpi: unknown option\n");
            return 2;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "aftersales kpi: unexpected argument %s\n", argv[optind]);
        return 2;
    }
    db_conn *c = db_acquire(d);
    int status = 1;
    if (zone && !rebuild) {
        fprintf(stderr, "aftersales kpi: --zone goes with --rebuild\n");
        status = 2;
        goto cleanup;
    }
    if (rebuild || check) {
        if (rebuild) {
            int64_t off = 0;
            if (zone) {
                const struct kpi_zone *z = zone_get(zone);
                if (!z) {
                    fprintf(stderr, "aftersales kpi: unknown time zone %s\n", zone);
                    goto cleanup;
                }
                /* buckets are cut at the zone's offset in force now; periods whose
                 * midnights fall elsewhere (daylight saving) are counted from repairs */
                off = kpi_zone_offset(z, now_unix());
            }
            if (kpi_rebuild(c, zone, off) < 0) {
                fprintf(stderr, "aftersales kpi: rebuild failed: %s\n", db_errmsg(c));
                goto cleanup;
            }
            printf("KPI aggregates rebuilt\n");
        }
        if (check) {
            long diffs = kpi_check(c, stderr);
            if (diffs < 0) {
                fprintf(stderr, "aftersales kpi: check failed: %s\n", db_errmsg(c));
                goto cleanup;
            }
            if (diffs) {
                fprintf(stderr, "aftersales kpi: %ld differences between the aggregates and "
                                "a full recount\n", diffs);
                goto cleanup;
            }
            printf("KPI aggregates equal a full recount\n");
        }
        status = 0;
        goto cleanup;
    }
    struct kpi_cfg cfg;
    if (cfg_load(c, &cfg) < 0) {
        fprintf(stderr, "aftersales kpi: cannot read the KPI configuration or its time zone\n");
        goto cleanup;
    }
    struct kpi_request q;
    const char *field, *why;
    char region_like[16];
    int prc = parse_request(c, from, to, outlet, region, pl, by, &q, &field, &why, region_like);
    if (prc == -2) {
        fprintf(stderr, "aftersales kpi: %s\n", db_errmsg(c));
        goto cleanup;
    }
    if (prc == -1) {
        const char *opt = strcmp(field, "product_line") == 0 ? "product-line"
                          : strcmp(field, "group_by") == 0   ? "group-by"
                                                             : field;
        fprintf(stderr, "aftersales kpi: --%s: %s\n", opt, why);
        status = strcmp(why, "unknown") == 0 ? 1 : 2;
        goto cleanup;
    }
    struct kpi_result res;
    if (kpi_report(c, &cfg, &q, &res) < 0) {
        fprintf(stderr, "aftersales kpi: %s\n", db_errmsg(c));
        goto cleanup;
    }
    if (json) {
        json_t *o = q.by == BY_NONE ? counts_json(&res.total) : report_json(&cfg, &q, &res);
        char *s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(17));
        printf("%s\n", s ? s : "null");
        free(s);
        json_decref(o);
    } else {
        print_text(&cfg, &q, &res);
    }
    result_free(&res);
    status = 0;
cleanup:
    db_release(c);
    return status;
}
