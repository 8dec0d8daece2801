/* kpi: `kpi --rebuild` and `kpi --check`: recompute the stored facts and daily buckets,
 * and hold them against a full recount done in C by src/rules/kpi.c; check that the
 * parts and complaint KPIs of every grouping add up to a plain count. */
#include "base/audit.h"
#include "base/db_bulk.h"
#include "features/kpi/internal.h"
#include "rules/kpi.h"

#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- rebuild and check */

#define FACT_COLS                                                                             \
    "repair_id, day, outlet_id, product_line_id, within_4d, over_14d, with_serial, rr90"

/* kpi_monthly's month of a kpi_daily day: the day number of the month's first day
 * (sql/<backend>/0022_kpi_covering.sql). */
#define MONTH_SQLITE                                                                          \
    "CAST(julianday(date(day * 86400, 'unixepoch', 'start of month')) - 2440587.5 AS INTEGER)"
#define MONTH_PG "kpi_month_of(day)"
#define MONTHLY_FILL(MONTH)                                                                   \
    "INSERT INTO kpi_monthly (month, outlet_id, product_line_id, completed, within_4d,"      \
    " over_14d, with_serial, rr90) SELECT " MONTH ", outlet_id, product_line_id,"            \
    " SUM(completed), SUM(within_4d), SUM(over_14d), SUM(with_serial), SUM(rr90)"           \
    " FROM kpi_daily GROUP BY 1, 2, 3"
#define MONTHLY_SUMS(MONTH)                                                                   \
    "SELECT " MONTH " AS month, outlet_id, product_line_id, CAST(SUM(completed) AS BIGINT)"  \
    " AS completed, CAST(SUM(within_4d) AS BIGINT) AS within_4d, CAST(SUM(over_14d) AS"      \
    " BIGINT) AS over_14d, CAST(SUM(with_serial) AS BIGINT) AS with_serial,"                 \
    " CAST(SUM(rr90) AS BIGINT) AS rr90 FROM kpi_daily GROUP BY 1, 2, 3"
#define MONTHLY_ROWS                                                                          \
    "SELECT month, outlet_id, product_line_id, completed, within_4d, over_14d, with_serial,"  \
    " rr90 FROM kpi_monthly"
#define NONZERO                                                                               \
    " WHERE completed <> 0 OR within_4d <> 0 OR over_14d <> 0 OR with_serial <> 0 OR rr90 <> 0"

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
        (rc = (int)db_exec(c, "DELETE FROM kpi_monthly", "")) < 0 ||
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

int kpi_recompute(db_conn *c)
{
    static const char *const facts[] = {"kpi_facts", NULL};
    db_deferred *saved = NULL;
    int rc = db_defer(c, facts, &saved);
    if (rc < 0)
        return rc;
    if ((rc = (int)db_exec(c, "DELETE FROM kpi_daily", "")) >= 0 &&
        (rc = (int)db_exec(c, "DELETE FROM kpi_monthly", "")) >= 0 &&
        (rc = (int)db_exec(c, "DELETE FROM kpi_facts", "")) >= 0 &&
        (rc = (int)db_exec(c, "INSERT INTO kpi_facts (" FACT_COLS ") SELECT " FACT_COLS
                              " FROM kpi_fact_source ORDER BY repair_id", "")) >= 0)
        rc = (int)db_exec(c,
                          "INSERT INTO kpi_daily (day, outlet_id, product_line_id, completed,"
                          " within_4d, over_14d, with_serial, rr90) SELECT day, outlet_id,"
                          " product_line_id, COUNT(*), SUM(within_4d), SUM(over_14d),"
                          " SUM(with_serial), SUM(rr90) FROM kpi_facts"
                          " GROUP BY day, outlet_id, product_line_id", "");
    if (rc >= 0)
        rc = (int)db_exec(c, db_conn_kind(c) == DB_SQLITE ? MONTHLY_FILL(MONTH_SQLITE)
                                                          : MONTHLY_FILL(MONTH_PG), "");
    int back = db_restore(c, saved);
    return rc < 0 ? rc : back;
}

/* ---------------------------------------------------------------- the other KPIs */

/* A plain count of [from, to): lines created, those first reserved, lines received,
 * complaints received. 0 or -1. */
static int plain_counts(db_conn *c, int64_t from, int64_t to, int64_t want[4])
{
    static const char *const count_sql[] = {
        "SELECT CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(CASE WHEN first_status ="
        " 'reserved' THEN 1 ELSE 0 END), 0) AS BIGINT) FROM part_request_lines"
        " WHERE created_at >= ? AND created_at < ?",
        "SELECT CAST(COUNT(*) AS BIGINT), 0 FROM part_request_lines"
        " WHERE received_at >= ? AND received_at < ?",
        "SELECT CAST(COUNT(*) AS BIGINT), 0 FROM complaints"
        " WHERE received_at >= ? AND received_at < ?",
    };
    for (int k = 0; k < 3; k++) {
        db_stmt *st = db_prepare(c, count_sql[k]);
        if (!st)
            return -1;
        db_bind_int(st, 1, from);
        db_bind_int(st, 2, to);
        int rc = db_step(st);
        if (rc == DB_ROW) {
            want[k ? k + 1 : 0] = db_int(st, 0);
            if (k == 0)
                want[1] = db_int(st, 1);
        }
        db_done(st);
        if (rc != DB_ROW)
            return -1;
    }
    return 0;
}

static long more_diffs(const struct kpi_more *m, const int64_t want[4], const char *where,
                       FILE *report)
{
    static const char *const what[] = {"part lines created", "part lines from domestic stock",
                                       "part lines received", "complaints"};
    int64_t got[4] = {m->part_lines, m->part_lines_domestic, m->part_lines_received,
                      m->complaints};
    long diffs = 0;
    for (int k = 0; k < 4; k++)
        if (got[k] != want[k]) {
            if (report)
                fprintf(report, "%s %s: the report has %lld, a count %lld\n", what[k], where,
                        (long long)got[k], (long long)want[k]);
            diffs++;
        }
    return diffs;
}

/* The parts and complaint KPIs of the last 24 months (to the end of this month): the
 * total and every month equal a plain count of their rows, and the groups by outlet,
 * province and product line add up to the total. Returns the number of differences,
 * or -1. */
static long check_more(db_conn *c, const struct kpi_cfg *cfg, FILE *report)
{
    char today[11];
    dt_local_date(cfg->z, now_unix(), today);
    struct kpi_request q = {0};
    if (dt_parse_date(today, &q.ty, &q.tm, &q.td) < 0)
        return -1;
    q.td = 1;
    q.tm = q.tm == 12 ? 1 : q.tm + 1;
    q.ty += q.tm == 1;
    q.fy = q.ty - 2, q.fm = q.tm, q.fd = 1;
    int64_t want[4] = {0};
    if (plain_counts(c, dt_local_midnight(cfg->z, q.fy, q.fm, q.fd),
                     dt_local_midnight(cfg->z, q.ty, q.tm, q.td), want) < 0)
        return -1;
    long diffs = 0;
    for (int by = BY_MONTH; by <= BY_PL; by++) { /* each has the total too */
        q.by = by;
        struct kpi_result res;
        if (kpi_report(c, cfg, &q, &res) < 0)
            return -1;
        diffs += more_diffs(&res.total_m, want, "in total", report);
        struct kpi_more sum = {0};
        for (size_t i = 0; i < res.groups.n && diffs >= 0; i++) {
            const struct kpi_group *g = &res.groups.v[i];
            sum.part_lines += g->m.part_lines;
            sum.part_lines_domestic += g->m.part_lines_domestic;
            sum.part_lines_received += g->m.part_lines_received;
            sum.complaints += g->m.complaints;
            if (by != BY_MONTH)
                continue;
            int y, m;
            int64_t mw[4] = {0};
            if (sscanf(g->key, "%d-%d", &y, &m) != 2 ||
                plain_counts(c, dt_local_midnight(cfg->z, y, m, 1),
                             dt_local_midnight(cfg->z, m == 12 ? y + 1 : y, m % 12 + 1, 1),
                             mw) < 0)
                diffs = -1;
            else
                diffs += more_diffs(&g->m, mw, g->key, report);
        }
        if (diffs >= 0)
            diffs += more_diffs(&sum, want, kpi_by_names[by], report);
        kpi_result_free(&res);
        if (diffs < 0)
            return -1;
    }
    return diffs;
}

struct check_rec {
    struct kpi_rec r;
    int64_t outlet_id, pl_id;
};

/* The sum of the counts of the two statements (one row, one column each), told to
 * report as "N what" when not 0; -1 on a database error. */
static long count_diffs(db_conn *c, const char *const sql[2], FILE *report, const char *what)
{
    long sum = 0;
    for (int k = 0; k < 2; k++) {
        db_stmt *st = db_prepare(c, sql[k]);
        int64_t bad = st && db_step(st) == DB_ROW ? db_int(st, 0) : -1;
        db_done(st);
        if (bad < 0)
            return -1;
        if (bad && report)
            fprintf(report, "%lld %s\n", (long long)bad, what);
        sum += (long)bad;
    }
    return sum;
}

long kpi_check(db_conn *c, FILE *report)
{
    struct kpi_cfg cfg;
    if (kpi_cfg_load(c, &cfg) < 0)
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
    long bad =
        count_diffs(c, bucket_sql, report, "daily buckets differ from the sum of their facts");
    if (bad < 0) {
        diffs = -1;
        goto cleanup;
    }
    diffs += bad;
    /* 3. every monthly bucket equals the sum of its daily buckets */
    static const char *const month_sql[2][2] = {
        {"SELECT CAST(COUNT(*) AS BIGINT) FROM (" MONTHLY_ROWS NONZERO " EXCEPT "
         MONTHLY_SUMS(MONTH_PG) ") x",
         "SELECT CAST(COUNT(*) AS BIGINT) FROM (SELECT * FROM (" MONTHLY_SUMS(MONTH_PG) ") s"
         NONZERO " EXCEPT " MONTHLY_ROWS ") x"},
        {"SELECT CAST(COUNT(*) AS BIGINT) FROM (" MONTHLY_ROWS NONZERO " EXCEPT "
         MONTHLY_SUMS(MONTH_SQLITE) ") x",
         "SELECT CAST(COUNT(*) AS BIGINT) FROM (SELECT * FROM (" MONTHLY_SUMS(MONTH_SQLITE)
         ") s" NONZERO " EXCEPT " MONTHLY_ROWS ") x"},
    };
    bad = count_diffs(c, month_sql[db_conn_kind(c) == DB_SQLITE], report,
                      "monthly buckets differ from the sum of their days");
    if (bad < 0) {
        diffs = -1;
        goto cleanup;
    }
    diffs += bad;
    /* 4. the parts and complaint KPIs: groups add up to the total, the total to a count */
    long others = check_more(c, &cfg, report);
    diffs = others < 0 ? -1 : diffs + others;
cleanup:
    for (size_t k = 0; k < n; k++)
        free((char *)recs[k].serial);
    free(recs);
    free(oid);
    free(pid);
    free(flags);
    return diffs;
}
