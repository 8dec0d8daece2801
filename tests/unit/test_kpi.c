/* Unit tests for src/rules/kpi.c: every boundary of the SPEC's KPI definitions and the
 * local-midnight conversion. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "base/db.h"
#include "features/kpi/kpi.h"
#include "base/datetime.h"
#include "rules/kpi.h"

#include <string.h>
#include <unistd.h>

#define H 3600
#define N KPI_NONE

/* A period of 30 days starting at T0. */
static const int64_t T0 = 1767196800; /* 2025-12-31T16:00:00Z = 2026-01-01 00:00 Shanghai */
static const int64_t T1 = 1767196800 + 30 * 24 * H;

static struct kpi_rec rec(int64_t id, const char *serial, int64_t rcv, int64_t rep, int64_t del,
                          int cancelled)
{
    struct kpi_rec r = {id, rcv, rep, del, serial, cancelled};
    return r;
}

static struct kpi_counts compute(const struct kpi_rec *r, size_t n)
{
    struct kpi_counts c;
    assert_int_equal(kpi_compute(r, n, T0, T1, &c), 0);
    return c;
}

static void test_tat_96h_boundary(void **s)
{
    struct kpi_rec r[] = {
        rec(1, NULL, T0, T0 + 96 * H, N, 0),     /* exactly 96 h: within */
        rec(2, NULL, T0, T0 + 96 * H + 1, N, 0), /* one second more: not */
    };
    struct kpi_counts c = compute(r, 2);
    assert_int_equal(c.completed, 2);
    assert_int_equal(c.within_4d, 1);
    assert_int_equal(c.over_14d, 0);
    assert_int_equal(kpi_tat_flags(&r[0]), KPI_F_WITHIN_4D);
    assert_int_equal(kpi_tat_flags(&r[1]), 0);
}

static void test_tat_336h_boundary(void **s)
{
    struct kpi_rec r[] = {
        rec(1, NULL, T0 - 100 * H, T0 - 100 * H + 336 * H, N, 0),     /* exactly 336 h: not over */
        rec(2, NULL, T0 - 100 * H, T0 - 100 * H + 336 * H + 1, N, 0), /* over */
        rec(3, NULL, T0 - 400 * H, T0 + 5 * H, N, 0),                 /* 405 h: over */
    };
    struct kpi_counts c = compute(r, 3);
    assert_int_equal(c.completed, 3);
    assert_int_equal(c.over_14d, 2);
    assert_int_equal(c.within_4d, 0);
    double rate = -1;
    assert_int_equal(kpi_rate(c.over_14d, c.completed, &rate), 1);
    assert_true(rate > 0.6666 && rate < 0.6667);
}

static void test_period_edges(void **s)
{
    struct kpi_rec r[] = {
        rec(1, NULL, T0 - 10 * H, T0, N, 0),     /* repaired exactly at from: in */
        rec(2, NULL, T1 - 10 * H, T1, N, 0),     /* repaired exactly at to: not in */
        rec(3, NULL, T1 - 10 * H, T1 - 1, N, 0), /* last second: in */
        rec(4, NULL, T0 - 10 * H, T0 - 1, N, 0), /* before from: not in */
    };
    struct kpi_counts c = compute(r, 4);
    assert_int_equal(c.completed, 2);
    assert_int_equal(c.within_4d, 2);
    /* the one repaired exactly at `to` belongs to the next period */
    struct kpi_counts next;
    assert_int_equal(kpi_compute(r, 4, T1, T1 + 24 * H, &next), 0);
    assert_int_equal(next.completed, 1);
}

static void test_open_over_14d_at_period_end(void **s)
{
    int64_t edge = T1 - 336 * H;
    struct kpi_rec r[] = {
        rec(1, NULL, edge - 1, N, N, 0),     /* open, received just before to - 336 h: counts */
        rec(2, NULL, edge, N, N, 0),         /* received exactly at to - 336 h: not yet */
        rec(3, NULL, edge - 50, T1, N, 0),   /* repaired exactly at to: still open at to */
        rec(4, NULL, edge - 50, T1 - 1, N, 0), /* repaired before to: closed */
        rec(5, NULL, edge - 50, N, N, 1),    /* cancelled: never counts */
        rec(6, NULL, edge - 50, T1 + 99, N, 0), /* repaired after to: open at to */
        rec(7, NULL, N, N, N, 0),            /* registered, never received: not open */
    };
    struct kpi_counts c = compute(r, 7);
    assert_int_equal(c.open_over_14d, 3);
    assert_true(kpi_is_open_over_14d(&r[0], T1));
    assert_false(kpi_is_open_over_14d(&r[1], T1));
    assert_true(kpi_is_open_over_14d(&r[2], T1));
    /* only rec 4 is completed in the period; it took > 336 h */
    assert_int_equal(c.completed, 1);
    assert_int_equal(c.over_14d, 1);
}

static void test_cancelled_never_count(void **s)
{
    struct kpi_rec r[] = {
        rec(1, "SN1", T0 + H, T0 + 2 * H, T0 + 3 * H, 1),    /* cancelled (with times): nothing */
        rec(2, "SN2", T0 + H, T0 + 2 * H, T0 + 3 * H, 0),    /* done */
        rec(3, "SN2", T0 + 10 * H, N, N, 1),                 /* cancelled return: not a return */
        rec(4, "SN1", T0 + 10 * H, T0 + 11 * H, N, 0),       /* return of a cancelled one: no */
    };
    struct kpi_counts c = compute(r, 4);
    assert_int_equal(c.completed, 2);
    assert_int_equal(c.with_serial, 2);
    assert_int_equal(c.rr90, 0);
    assert_int_equal(kpi_is_completed(&r[0]), 0);
    assert_int_equal(kpi_is_return(&r[1], &r[2]), 0);
    assert_int_equal(kpi_is_return(&r[0], &r[3]), 0);
}

static void test_rr90_window_from_delivery(void **s)
{
    int64_t del = T0 + 48 * H;
    struct kpi_rec r[] = {
        rec(1, "A", T0, T0 + 24 * H, del, 0),
        rec(2, "A", del + 2160 * H, N, N, 0), /* exactly 2160 h after delivery: a return */
        rec(3, "B", T0, T0 + 24 * H, del, 0),
        rec(4, "B", del + 2160 * H + 1, N, N, 0), /* one second late: not */
        rec(5, "C", T0, T0 + 24 * H, del, 0),
        rec(6, "C", T0 + 30 * H, N, N, 0), /* back after repair but before delivery: not */
        rec(7, "D", T0, T0 + 24 * H, del, 0),
        rec(8, "D", del, N, N, 0), /* received at the delivery instant: a return */
    };
    struct kpi_counts c = compute(r, 8);
    assert_int_equal(c.completed, 4);
    assert_int_equal(c.with_serial, 4);
    assert_int_equal(c.rr90, 2);
    assert_true(kpi_is_return(&r[0], &r[1]));
    assert_false(kpi_is_return(&r[2], &r[3]));
    assert_false(kpi_is_return(&r[4], &r[5]));
    assert_true(kpi_is_return(&r[6], &r[7]));
    double rate = 0;
    assert_int_equal(kpi_rate(c.rr90, c.with_serial, &rate), 1);
    assert_true(rate == 0.5);
}

static void test_rr90_window_from_repair_without_delivery(void **s)
{
    int64_t rep = T0 + 24 * H;
    struct kpi_rec r[] = {
        rec(1, "A", T0, rep, N, 0),
        rec(2, "A", rep + 2160 * H, N, N, 0), /* measured from repaired_at: in */
        rec(3, "B", T0, rep, N, 0),
        rec(4, "B", rep + 2160 * H + 1, N, N, 0), /* out */
    };
    struct kpi_counts c = compute(r, 4);
    assert_int_equal(c.rr90, 1);
    assert_int_equal(kpi_rr90_anchor(&r[0]), rep);
}

static void test_rr90_serial_must_match_and_be_known(void **s)
{
    struct kpi_rec r[] = {
        rec(1, NULL, T0, T0 + H, N, 0),
        rec(2, NULL, T0 + 2 * H, T0 + 3 * H, N, 0), /* no serial: never a return */
        rec(3, "X", T0, T0 + H, N, 0),
        rec(4, "Y", T0 + 2 * H, N, N, 0), /* other serial */
    };
    struct kpi_counts c = compute(r, 4);
    assert_int_equal(c.completed, 3);
    assert_int_equal(c.with_serial, 1);
    assert_int_equal(c.rr90, 0);
    /* the return itself may be completed in the period and counts as completed */
    struct kpi_rec q[] = {
        rec(1, "Z", T0, T0 + H, N, 0),
        rec(2, "Z", T0 + 5 * H, T0 + 6 * H, N, 0),
    };
    c = compute(q, 2);
    assert_int_equal(c.completed, 2);
    assert_int_equal(c.with_serial, 2);
    assert_int_equal(c.rr90, 1); /* only the first came back */
}

static void test_no_completions_rates_null(void **s)
{
    struct kpi_rec r[] = {rec(1, "A", T0, N, N, 0)};
    struct kpi_counts c = compute(r, 1);
    assert_int_equal(c.completed, 0);
    double rate = 42;
    assert_int_equal(kpi_rate(c.within_4d, c.completed, &rate), 0);
    assert_true(rate == 42);
    assert_int_equal(kpi_rate(0, 0, &rate), 0);
    struct kpi_counts e;
    assert_int_equal(kpi_compute(NULL, 0, T0, T1, &e), 0);
    assert_int_equal(e.completed, 0);
    /* completed but none with a serial: rr90 rate is null, 4-day rate is not */
    struct kpi_rec q[] = {rec(1, NULL, T0, T0 + H, N, 0)};
    c = compute(q, 1);
    assert_int_equal(kpi_rate(c.rr90, c.with_serial, &rate), 0);
    assert_int_equal(kpi_rate(c.within_4d, c.completed, &rate), 1);
    assert_true(rate == 1.0);
}

static void test_dates(void **s)
{
    int y, m, d;
    assert_int_equal(dt_parse_date("2024-02-29", &y, &m, &d), 0);
    assert_int_equal(y * 10000 + m * 100 + d, 20240229);
    assert_int_equal(dt_parse_date("2025-02-29", &y, &m, &d), -1);
    assert_int_equal(dt_parse_date("2025-13-01", &y, &m, &d), -1);
    assert_int_equal(dt_parse_date("2025-1-01", &y, &m, &d), -1);
    assert_int_equal(dt_parse_date("2025-01-01x", &y, &m, &d), -1);
    assert_int_equal(dt_parse_date("", &y, &m, &d), -1);
    assert_int_equal(dt_parse_date(NULL, &y, &m, &d), -1);
    assert_int_equal(dt_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(dt_days_from_civil(2026, 1, 1), 20454);
    dt_civil_from_days(20454 + 59, &y, &m, &d);
    assert_int_equal(y * 10000 + m * 100 + d, 20260301);
}

static int load_zone(const char *name, struct dt_zone *z)
{
    char path[256];
    snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    unsigned char buf[65536];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    return dt_zone_parse(buf, n, z);
}

static void test_zone_shanghai(void **s)
{
    struct dt_zone z;
    assert_int_equal(load_zone("Asia/Shanghai", &z), 0);
    assert_int_equal(dt_local_midnight(&z, 2026, 1, 1), T0);
    assert_int_equal(dt_local_midnight(&z, 2026, 2, 1), 1769875200); /* 2026-01-31T16:00Z */
    assert_int_equal(dt_zone_offset(&z, T0), 8 * H);
    /* China observed DST 1986-1991: 1990-07-01 00:00 local was UTC+9 */
    assert_int_equal(dt_local_midnight(&z, 1990, 7, 1),
                     dt_days_from_civil(1990, 7, 1) * 86400 - 9 * H);
    /* a repair at 23:59:59 local on Jan 31 is in January, at 00:00 Feb 1 in February */
    struct kpi_rec r[] = {rec(1, NULL, T0, 1769875199, N, 0), rec(2, NULL, T0, 1769875200, N, 0)};
    struct kpi_counts c;
    assert_int_equal(kpi_compute(r, 2, T0, dt_local_midnight(&z, 2026, 2, 1), &c), 0);
    assert_int_equal(c.completed, 1);
    dt_zone_free(&z);
}

static void test_zone_dst(void **s)
{
    struct dt_zone z;
    assert_int_equal(load_zone("Europe/Berlin", &z), 0);
    /* 2026-03-29: clocks go 02:00 -> 03:00; that day starts at 23:00Z before, the next
     * at 22:00Z */
    int64_t d0 = dt_days_from_civil(2026, 3, 29) * 86400;
    assert_int_equal(dt_local_midnight(&z, 2026, 3, 29), d0 - H);
    assert_int_equal(dt_local_midnight(&z, 2026, 3, 30), d0 + 86400 - 2 * H);
    assert_int_equal(dt_local_midnight(&z, 2026, 7, 1),
                     dt_days_from_civil(2026, 7, 1) * 86400 - 2 * H);
    dt_zone_free(&z);
    /* America/Sao_Paulo in 2018 sprang forward at local midnight (00:00 -> 01:00 on
     * 2018-11-04): the day starts at the transition, 03:00Z */
    if (load_zone("America/Sao_Paulo", &z) == 0) {
        assert_int_equal(dt_local_midnight(&z, 2018, 11, 4),
                         dt_days_from_civil(2018, 11, 4) * 86400 + 3 * H);
        dt_zone_free(&z);
    }
}

static void test_zone_fixed_and_invalid(void **s)
{
    struct dt_zone z;
    assert_int_equal(dt_zone_fixed(0, &z), 0);
    assert_int_equal(dt_local_midnight(&z, 2026, 1, 1), 20454LL * 86400);
    dt_zone_free(&z);
    unsigned char junk[64] = "TZif2 this is not a zone file at all.....";
    assert_int_equal(dt_zone_parse(junk, sizeof junk, &z), -1);
    assert_int_equal(dt_zone_parse(junk, 10, &z), -1);
    assert_null(z.utoff);
}

/* The triggers of 0005_kpi.sql against the C recount (kpi_check), through a real SQLite
 * database, and the report code of the command under the sanitizers. */
static void test_db_aggregates_equal_recount(void **s)
{
    char dir[] = "/tmp/kpi-unit-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/t.db", dir);
    db *d = NULL;
    char *err = NULL;
    assert_int_equal(db_open(path, 2, &d, &err), 0);
    db_conn *c = db_acquire(d);
    assert_int_equal(db_exec_script(c,
        "INSERT INTO customers (id, code, name, name_key, created_at, updated_at) "
        "VALUES (1, 'CU1', 'u', 'u', 0, 0);"
        "INSERT INTO outlets (id, code, name, region, created_at, updated_at) "
        "VALUES (1, 'OU1', 'one', '440106', 0, 0), (2, 'OU2', 'two', '310101', 0, 0);"
        "INSERT INTO product_lines (id, code, name, created_at) VALUES (1, 'PL1', 'x', 0);"
        /* 2026-01-05 00:00 Shanghai = 1767542400 */
        "INSERT INTO repairs (code, customer_id, serial, product_line_id, outlet_id, status, "
        "registered_at, received_at, repaired_at, delivered_at, created_at, updated_at) VALUES "
        "('U1', 1, 'S1', 1, 1, 'delivered', 0, 1767542400, 1767542400 + 345600, "
        " 1767542400 + 360000, 0, 0),"
        "('U2', 1, 'S1', 1, 2, 'repaired', 0, 1767542400 + 400000, 1767542400 + 1700000, NULL, 0, 0),"
        "('U3', 1, NULL, 1, 2, 'repaired', 0, 1767542400, 1767542400 + 3600, NULL, 0, 0),"
        "('U4', 1, 'S4', 1, 1, 'received', 0, 1767542400 - 2592000, NULL, NULL, 0, 0);"),
        0);
    assert_int_equal(kpi_check(c, NULL), 0);
    /* U1 came back (U2 within 2160 h of its delivery); cancelling U2 undoes that */
    db_stmt *st = db_prepare(c, "SELECT SUM(rr90), SUM(over_14d), SUM(completed) FROM kpi_daily");
    assert_int_equal(db_step(st), DB_ROW);
    assert_int_equal(db_int(st, 0), 1);
    assert_int_equal(db_int(st, 1), 1); /* U2: 1300000 s > 336 h */
    assert_int_equal(db_int(st, 2), 3);
    db_done(st);
    assert_true(db_exec(c, "UPDATE repairs SET status = 'cancelled', cancelled_at = 1 "
                           "WHERE code = 'U2'", "") == 1);
    st = db_prepare(c, "SELECT SUM(rr90), SUM(over_14d), SUM(completed) FROM kpi_daily");
    assert_int_equal(db_step(st), DB_ROW);
    assert_int_equal(db_int(st, 0), 0);
    assert_int_equal(db_int(st, 1), 0);
    assert_int_equal(db_int(st, 2), 2);
    db_done(st);
    assert_int_equal(kpi_check(c, NULL), 0);
    /* a tampered bucket is found, a rebuild repairs it */
    assert_true(db_exec(c, "UPDATE kpi_daily SET rr90 = rr90 + 1", "") >= 1);
    assert_true(kpi_check(c, NULL) > 0);
    assert_int_equal(kpi_rebuild(c, NULL, 0), 0);
    assert_int_equal(kpi_check(c, NULL), 0);
    db_release(c);
    /* the command's report path (prints one JSON line) */
    char *argv[] = {"kpi", "--from", "2026-01-01", "--to", "2026-02-01", "--group-by", "region",
                    "--json", NULL};
    optind = 1;
    assert_int_equal(kpi_cmd(8, argv, d), 0);
    char *bad[] = {"kpi", "--from", "2026-02-30", "--to", "2026-03-01", NULL};
    optind = 1;
    assert_int_equal(kpi_cmd(5, bad, d), 2);
    db_close(d);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tat_96h_boundary),
        cmocka_unit_test(test_tat_336h_boundary),
        cmocka_unit_test(test_period_edges),
        cmocka_unit_test(test_open_over_14d_at_period_end),
        cmocka_unit_test(test_cancelled_never_count),
        cmocka_unit_test(test_rr90_window_from_delivery),
        cmocka_unit_test(test_rr90_window_from_repair_without_delivery),
        cmocka_unit_test(test_rr90_serial_must_match_and_be_known),
        cmocka_unit_test(test_no_completions_rates_null),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_zone_shanghai),
        cmocka_unit_test(test_zone_dst),
        cmocka_unit_test(test_zone_fixed_and_invalid),
        cmocka_unit_test(test_db_aggregates_equal_recount),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
