/* Unit tests for src/rules/parts.c: fill order, supersession chains, promise dates and
 * balances that never go negative. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "rules/parts.h"

#define OUTLET 7
#define GD "440000"

/* One warehouse of each kind that matters, all holding `avail` units. */
static void network(struct part_candidate *c, int64_t avail)
{
    const struct part_candidate all[] = {
        {1, PWK_CENTRAL, "310000", 0, avail},       /* Shanghai parts center */
        {2, PWK_BRANCH, "110000", 0, avail},        /* Beijing branch: another province */
        {3, PWK_BRANCH, GD, 0, avail},              /* Guangzhou branch */
        {4, PWK_THIRD_PARTY, GD, 0, avail},         /* third party in Guangdong */
        {5, PWK_OVERSEAS, NULL, 0, avail},          /* Tokyo */
        {6, PWK_OUTLET, GD, OUTLET + 1, avail},     /* a neighbouring outlet */
        {7, PWK_OUTLET, GD, OUTLET, avail},         /* the repair's own outlet */
    };
    memcpy(c, all, sizeof all);
}

static void kinds_and_statuses_round_trip(void **s)
{
    (void)s;
    for (int i = 0; i < PWK_COUNT; i++)
        assert_int_equal(part_wh_kind_parse(part_wh_kind_name((enum part_wh_kind)i)), i);
    assert_int_equal(part_wh_kind_parse("Central"), -1);
    assert_int_equal(part_wh_kind_parse(NULL), -1);
    assert_null(part_wh_kind_name(PWK_COUNT));
    for (int i = 0; i < PLS_COUNT; i++)
        assert_int_equal(part_line_status_parse(part_line_status_name((enum part_line_status)i)),
                         i);
    assert_int_equal(part_line_status_parse("waiting"), -1);
    char p[7];
    assert_int_equal(part_province_of("440106", p), 0);
    assert_string_equal(p, "440000");
    assert_int_equal(part_province_of("4401", p), -1);
    assert_int_equal(part_province_of("44010a", p), -1);
    assert_int_equal(part_province_of(NULL, p), -1);
}

static void tiers(void **s)
{
    (void)s;
    struct part_candidate c[7];
    network(c, 5);
    const int want[7] = {PT_CENTRAL, PT_NONE, PT_PROVINCE, PT_PROVINCE, PT_OVERSEAS, PT_NONE,
                         PT_OWN};
    for (int i = 0; i < 7; i++)
        assert_int_equal(part_tier_of(&c[i], OUTLET, GD), want[i]);
    /* an outlet without a region: no province tier */
    assert_int_equal(part_tier_of(&c[2], OUTLET, NULL), PT_NONE);
    /* an outlet warehouse whose outlet id is 0 is nobody's own */
    struct part_candidate odd = {9, PWK_OUTLET, GD, 0, 5};
    assert_int_equal(part_tier_of(&odd, 0, GD), PT_NONE);
}

static void fill_order_walks_the_tiers(void **s)
{
    (void)s;
    struct part_candidate c[7];
    network(c, 5);
    struct part_fill f = part_fill_choose(c, 7, OUTLET, GD, 2);
    assert_int_equal(c[f.index].warehouse_id, 7); /* own stock first */
    assert_int_equal(f.status, PLS_RESERVED);
    assert_int_equal(f.promise_days, 0);

    c[6].available = 1; /* own outlet has too few: province, most available first */
    c[3].available = 9;
    f = part_fill_choose(c, 7, OUTLET, GD, 2);
    assert_int_equal(c[f.index].warehouse_id, 4);
    assert_int_equal(f.tier, PT_PROVINCE);
    assert_int_equal(f.promise_days, 3);
    c[3].available = 5; /* equal: the lower id (the branch) */
    f = part_fill_choose(c, 7, OUTLET, GD, 2);
    assert_int_equal(c[f.index].warehouse_id, 3);

    c[2].available = c[3].available = 0; /* nothing in the province: central */
    f = part_fill_choose(c, 7, OUTLET, GD, 2);
    assert_int_equal(c[f.index].warehouse_id, 1);
    assert_int_equal(f.status, PLS_RESERVED);
    assert_int_equal(f.promise_days, 3);

    c[0].available = 1; /* central too short: overseas, ordered, a week */
    f = part_fill_choose(c, 7, OUTLET, GD, 2);
    assert_int_equal(c[f.index].warehouse_id, 5);
    assert_int_equal(f.status, PLS_ORDERED);
    assert_int_equal(f.promise_days, 7);

    c[4].available = 0; /* Beijing and the neighbour have plenty, but are not ours */
    f = part_fill_choose(c, 7, OUTLET, GD, 2);
    assert_int_equal(f.index, -1);
    assert_int_equal(f.status, PLS_BACKORDERED);
    assert_int_equal(f.promise_days, -1);
    assert_int_equal(f.tier, PT_NONE);
}

static void fill_never_splits_and_refuses_bad_qty(void **s)
{
    (void)s;
    struct part_candidate c[7];
    network(c, 1); /* seven single units in all, none may fill a line of 2 alone */
    struct part_fill f = part_fill_choose(c, 7, OUTLET, GD, 2);
    assert_int_equal(f.status, PLS_BACKORDERED);
    assert_int_equal(part_fill_choose(c, 7, OUTLET, GD, 0).status, PLS_BACKORDERED);
    assert_int_equal(part_fill_choose(c, 7, OUTLET, GD, -3).status, PLS_BACKORDERED);
    assert_int_equal(part_fill_choose(c, 0, OUTLET, GD, 1).index, -1);
    /* exactly enough is enough */
    f = part_fill_choose(c, 7, OUTLET, GD, 1);
    assert_int_equal(c[f.index].warehouse_id, 7);
}

/* ---- supersession ---- */

static int64_t arr_next(void *ctx, int64_t id)
{
    const int64_t *next = ctx; /* next[id], ids 1..9 */
    return id >= 1 && id <= 9 ? next[id] : 0;
}

static void chains_follow_and_cycles_are_found(void **s)
{
    (void)s;
    /* 1 -> 2 -> 3; 4 -> 5 -> 6 -> 4 (cycle); 7 -> 7 (itself); 8 alone */
    int64_t next[10] = {0, 2, 3, 0, 5, 6, 4, 7, 0, 0};
    int64_t out[PART_CHAIN_MAX];
    assert_int_equal(part_chain(arr_next, next, 1, out, PART_CHAIN_MAX), 3);
    assert_int_equal(out[0], 1);
    assert_int_equal(out[2], 3);
    assert_int_equal(part_chain(arr_next, next, 2, out, PART_CHAIN_MAX), 2);
    assert_int_equal(part_chain(arr_next, next, 8, out, PART_CHAIN_MAX), 1);
    assert_int_equal(part_chain(arr_next, next, 4, out, PART_CHAIN_MAX), -1);
    assert_int_equal(part_chain(arr_next, next, 7, out, PART_CHAIN_MAX), -1);
    /* too long for the room given */
    assert_int_equal(part_chain(arr_next, next, 1, out, 2), -1);

    struct part_link links[] = {{3, 0}, {1, 2}, {2, 3}, {8, 0}};
    part_links_sort(links, 4);
    struct part_links l = {links, 4};
    int64_t at = 0;
    assert_int_equal(part_links_next(&l, 1), 2);
    assert_int_equal(part_links_next(&l, 99), 0);
    assert_int_equal(part_links_cycle(&l, &at), 0);
    links[3].next = 1; /* 8 -> 1: still a chain */
    part_links_sort(links, 4);
    assert_int_equal(part_links_cycle(&l, &at), 0);
    struct part_link loop[] = {{10, 11}, {11, 12}, {12, 10}, {1, 10}};
    part_links_sort(loop, 4);
    struct part_links ll = {loop, 4};
    assert_int_equal(part_links_cycle(&ll, &at), 1);
    assert_true(at == 1 || at == 10 || at == 11 || at == 12);
    struct part_links empty = {NULL, 0};
    assert_int_equal(part_links_cycle(&empty, &at), 0);
}

static void a_chain_longer_than_the_maximum_is_refused(void **s)
{
    (void)s;
    struct part_link links[PART_CHAIN_MAX + 2];
    for (int i = 0; i < PART_CHAIN_MAX + 2; i++)
        links[i] = (struct part_link){i + 1, i + 2 <= PART_CHAIN_MAX + 2 ? i + 2 : 0};
    struct part_links l = {links, PART_CHAIN_MAX + 2};
    int64_t at = 0;
    assert_int_equal(part_links_cycle(&l, &at), 1);
    l.n = PART_CHAIN_MAX; /* 1..64, ending at 64: exactly the longest allowed */
    links[PART_CHAIN_MAX - 1].next = 0;
    assert_int_equal(part_links_cycle(&l, &at), 0);
}

/* ---- promise dates ---- */

static void promise_dates_are_local_across_month_and_year_ends(void **s)
{
    (void)s;
    struct dt_zone cst;
    assert_int_equal(dt_zone_fixed(8 * 3600, &cst), 0);
    char out[11];
    int64_t t = 1798732800; /* 2026-12-31T16:00:00Z = 2027-01-01 00:00 in Shanghai */
    part_promise_date(&cst, t - 1, 0, out);
    assert_string_equal(out, "2026-12-31");
    part_promise_date(&cst, t - 1, 3, out);
    assert_string_equal(out, "2027-01-03");
    part_promise_date(&cst, t, 0, out);
    assert_string_equal(out, "2027-01-01");
    part_promise_date(&cst, t - 1, 7, out);
    assert_string_equal(out, "2027-01-07");
    /* the same instant in UTC is still the 31st */
    part_promise_date(NULL, t, 0, out);
    assert_string_equal(out, "2026-12-31");
    /* month ends, leap and common Februaries */
    t = 1772294400; /* 2026-02-28T16:00:00Z = 2026-03-01 00:00 local */
    part_promise_date(&cst, t - 1, 3, out);
    assert_string_equal(out, "2026-03-03");
    part_promise_date(&cst, 1835222400, 3, out); /* 2028-02-27T00:00:00Z = 08:00 local */
    assert_string_equal(out, "2028-03-01");
    part_promise_date(&cst, 1835222400, 0, out);
    assert_string_equal(out, "2028-02-27");
    part_promise_date(&cst, 1803168000, 7, out); /* 2027-02-21 08:00 local */
    assert_string_equal(out, "2027-02-28");
    part_promise_date(&cst, 1803168000, 8, out);
    assert_string_equal(out, "2027-03-01");
    /* the system's zone file, when there is one, agrees */
    const struct dt_zone *sh = dt_zone_get("Asia/Shanghai");
    if (sh) {
        part_promise_date(sh, 1798732800 - 1, 3, out);
        assert_string_equal(out, "2027-01-03");
    }
    dt_zone_free(&cst);
}

/* ---- quantities ---- */

static void quantities_never_go_negative(void **s)
{
    (void)s;
    assert_true(part_qty_ok(1));
    assert_true(part_qty_ok(PART_QTY_MAX));
    assert_false(part_qty_ok(0));
    assert_false(part_qty_ok(-1));
    assert_false(part_qty_ok(PART_QTY_MAX + 1));

    struct part_balance b = {0, 0, 0};
    assert_int_equal(part_balance_apply(&b, PD_TAKE, 1), -1);
    assert_int_equal(part_balance_apply(&b, PD_RECEIVE, 10), 0);
    assert_int_equal(part_balance_apply(&b, PD_RESERVE, 4), 0);
    assert_int_equal(part_available(&b), 6);
    assert_int_equal(part_balance_apply(&b, PD_TAKE, 7), -1); /* 4 of the 10 are promised */
    assert_int_equal(b.on_hand, 10);
    assert_int_equal(part_balance_apply(&b, PD_TAKE, 6), 0);
    assert_int_equal(part_available(&b), 0);
    assert_int_equal(part_balance_apply(&b, PD_RESERVE, 1), -1);
    assert_int_equal(part_balance_apply(&b, PD_RELEASE, 5), -1);
    assert_int_equal(part_balance_apply(&b, PD_TAKE_RESERVED, 4), 0);
    assert_int_equal(b.on_hand, 0);
    assert_int_equal(b.reserved, 0);
    assert_int_equal(part_balance_apply(&b, PD_TAKE_RESERVED, 1), -1);
    assert_int_equal(part_balance_apply(&b, PD_ARRIVE, 1), -1);
    assert_int_equal(part_balance_apply(&b, PD_SHIP_IN, 3), 0);
    assert_int_equal(part_balance_apply(&b, PD_ARRIVE, 3), 0);
    assert_int_equal(b.on_hand, 3);
    assert_int_equal(b.in_transit, 0);
    assert_int_equal(part_balance_apply(&b, PD_RECEIVE, 0), -1);
    assert_int_equal(part_balance_apply(&b, PD_RECEIVE, -5), -1);
    assert_int_equal(b.on_hand, 3);
    /* a balance that is somehow off never shows negative availability */
    struct part_balance odd = {2, 5, 0};
    assert_int_equal(part_available(&odd), 0);

    /* 50 takers of one unit against 10: exactly 10 succeed */
    struct part_balance ten = {10, 0, 0};
    int ok = 0;
    for (int i = 0; i < 50; i++)
        ok += part_balance_apply(&ten, PD_TAKE, 1) == 0;
    assert_int_equal(ok, 10);
    assert_int_equal(part_available(&ten), 0);
}

static void reorder_under_the_point(void **s)
{
    (void)s;
    assert_int_equal(part_reorder_qty(10, 0, 5, 20), 0);  /* above the point */
    assert_int_equal(part_reorder_qty(5, 0, 5, 20), 20);  /* at it: one lot */
    assert_int_equal(part_reorder_qty(3, 1, 5, 20), 20);  /* in transit counts */
    assert_int_equal(part_reorder_qty(2, 4, 5, 20), 0);   /* 6 on the way or here */
    assert_int_equal(part_reorder_qty(0, 0, 25, 10), 30); /* lots enough to pass it */
    assert_int_equal(part_reorder_qty(-3, 0, 0, 4), 4);   /* a negative is read as 0 */
    assert_int_equal(part_reorder_qty(0, 0, 5, 0), 0);    /* no policy */
    assert_int_equal(part_reorder_qty(0, 0, -1, 5), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kinds_and_statuses_round_trip),
        cmocka_unit_test(tiers),
        cmocka_unit_test(fill_order_walks_the_tiers),
        cmocka_unit_test(fill_never_splits_and_refuses_bad_qty),
        cmocka_unit_test(chains_follow_and_cycles_are_found),
        cmocka_unit_test(a_chain_longer_than_the_maximum_is_refused),
        cmocka_unit_test(promise_dates_are_local_across_month_and_year_ends),
        cmocka_unit_test(quantities_never_go_negative),
        cmocka_unit_test(reorder_under_the_point),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
