/* Unit tests for src/rules/prices.c: levels, region enclosure on GB/T 2260 codes, the
 * cap check and the most specific price. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka needs the headers above first (this comment keeps clang-format from sorting it up) */
#include <cmocka.h>

#include "rules/prices.h"

static void expect_chain(const char *code, int n, const char *a, const char *b, const char *c,
                         const char *d)
{
    char out[PRICE_CHAIN_MAX][7];
    const char *want[] = {a, b, c, d};
    assert_int_equal(price_region_chain(code, out), n);
    for (int i = 0; i < n; i++)
        assert_string_equal(out[i], want[i]);
}

static void levels(void **s)
{
    (void)s;
    assert_true(price_level_ok("A"));
    assert_true(price_level_ok("D"));
    assert_false(price_level_ok("E"));
    assert_false(price_level_ok("a"));
    assert_false(price_level_ok("AB"));
    assert_false(price_level_ok(""));
    assert_false(price_level_ok("1"));
    assert_false(price_level_ok(NULL));
}

static void region_codes(void **s)
{
    (void)s;
    assert_true(price_region_ok("440106"));
    assert_true(price_region_ok("000000"));
    assert_false(price_region_ok("001234")); /* no province 00 */
    assert_false(price_region_ok("44010"));
    assert_false(price_region_ok("4401061"));
    assert_false(price_region_ok("44a106"));
    assert_false(price_region_ok(""));
    assert_false(price_region_ok(NULL));
    assert_int_equal(price_region_prefix("000000"), 0);
    assert_int_equal(price_region_prefix("440000"), 2);
    assert_int_equal(price_region_prefix("440100"), 4);
    assert_int_equal(price_region_prefix("440106"), 6);
    assert_int_equal(price_region_prefix("x"), -1);
}

static void chains(void **s)
{
    (void)s;
    expect_chain("440106", 4, "440106", "440100", "440000", "000000"); /* Guangzhou Tianhe */
    expect_chain("110105", 4, "110105", "110100", "110000", "000000"); /* Beijing Chaoyang */
    expect_chain("419001", 4, "419001", "419000", "410000", "000000"); /* Jiyuan */
    expect_chain("440100", 3, "440100", "440000", "000000", NULL);
    expect_chain("441900", 3, "441900", "440000", "000000", NULL); /* Dongguan, no districts */
    expect_chain("440000", 2, "440000", "000000", NULL, NULL);
    expect_chain("000000", 1, "000000", NULL, NULL, NULL);
    expect_chain("12345", 0, NULL, NULL, NULL, NULL);
}

static void enclosure(void **s)
{
    (void)s;
    assert_true(price_region_encloses("440106", "440106"));
    assert_true(price_region_encloses("440100", "440106"));
    assert_true(price_region_encloses("440000", "440106"));
    assert_true(price_region_encloses("000000", "440106"));
    assert_true(price_region_encloses("110000", "110105"));
    assert_false(price_region_encloses("440106", "440100")); /* inner is larger */
    assert_false(price_region_encloses("440300", "440106")); /* sibling city */
    assert_false(price_region_encloses("310000", "440106"));
    assert_false(price_region_encloses("440000", "000000"));
    assert_false(price_region_encloses(NULL, "440106"));
    assert_false(price_region_encloses("440000", "bad"));
}

static void cap_check(void **s)
{
    (void)s;
    const struct price_entry caps[] = {
        {"000000", 20000},
        {"440000", 15000},
        {"440100", 18000},
        {"310000", 5000},
    };
    /* the province cap binds below the city's looser one */
    assert_null(price_cap_broken(caps, 4, "440106", 15000));
    const struct price_entry *b = price_cap_broken(caps, 4, "440106", 16000);
    assert_non_null(b);
    assert_string_equal(b->region, "440000");
    /* above the city cap too: the most specific broken cap is named */
    b = price_cap_broken(caps, 4, "440106", 19000);
    assert_string_equal(b->region, "440100");
    /* national only */
    b = price_cap_broken(caps, 4, "510104", 20001);
    assert_string_equal(b->region, "000000");
    assert_null(price_cap_broken(caps, 4, "510104", 20000)); /* equal to the cap: allowed */
    /* Shanghai's cap does not bind Guangzhou */
    assert_null(price_cap_broken(caps, 4, "440106", 6000));
    assert_non_null(price_cap_broken(caps, 4, "310104", 6000));
    /* a national price is checked against the national cap only */
    assert_null(price_cap_broken(caps, 4, "000000", 19000));
    assert_non_null(price_cap_broken(caps, 4, "000000", 20001));
    assert_null(price_cap_broken(NULL, 0, "440106", 1000000));
}

static void most_specific(void **s)
{
    (void)s;
    const struct price_entry prices[] = {
        {"000000", 10000}, {"440000", 9000}, {"440100", 8000}, {"440106", 7000}, {"110000", 12000},
    };
    assert_int_equal(price_most_specific(prices, 5, "440106")->fen, 7000);  /* county */
    assert_int_equal(price_most_specific(prices, 5, "440103")->fen, 8000);  /* city */
    assert_int_equal(price_most_specific(prices, 5, "440303")->fen, 9000);  /* province */
    assert_int_equal(price_most_specific(prices, 5, "510104")->fen, 10000); /* national */
    assert_int_equal(price_most_specific(prices, 5, "110105")->fen, 12000); /* municipality */
    assert_null(price_most_specific(prices + 1, 4, "510104"));              /* no national price */
    assert_null(price_most_specific(prices, 5, "bad"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(levels),    cmocka_unit_test(region_codes),
        cmocka_unit_test(chains),    cmocka_unit_test(enclosure),
        cmocka_unit_test(cap_check), cmocka_unit_test(most_specific),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
