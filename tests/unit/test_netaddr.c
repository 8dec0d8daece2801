/* netaddr: CIDR lists (IPv4, IPv6, mapped), bad input refused, the X-Forwarded-For walk. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>

#include "base/netaddr.h"

static void parses_and_matches_ipv4(void **state)
{
    struct cidr_list l;
    assert_int_equal(cidr_list_parse("10.0.0.0/8, 192.168.1.7", &l), 0);
    assert_int_equal(l.n, 2);
    assert_true(cidr_list_has(&l, "10.200.3.4"));
    assert_false(cidr_list_has(&l, "11.0.0.1"));
    assert_true(cidr_list_has(&l, "192.168.1.7"));
    assert_false(cidr_list_has(&l, "192.168.1.8"));
    assert_true(cidr_list_has(&l, "::ffff:10.1.1.1"));
    assert_false(cidr_list_has(&l, "not an address"));
    assert_int_equal(cidr_list_parse("172.16.0.0/12", &l), 0);
    assert_true(cidr_list_has(&l, "172.31.255.255"));
    assert_false(cidr_list_has(&l, "172.32.0.0"));
    assert_int_equal(cidr_list_parse("0.0.0.0/0", &l), 0);
    assert_true(cidr_list_has(&l, "8.8.8.8"));
    assert_false(cidr_list_has(&l, "2001:db8::1"));
}

static void parses_and_matches_ipv6(void **state)
{
    struct cidr_list l;
    assert_int_equal(cidr_list_parse("2001:db8::/32,::1", &l), 0);
    assert_true(cidr_list_has(&l, "2001:db8:ffff::1"));
    assert_false(cidr_list_has(&l, "2001:db9::1"));
    assert_true(cidr_list_has(&l, "::1"));
    assert_false(cidr_list_has(&l, "::2"));
    assert_false(cidr_list_has(&l, "127.0.0.1"));
    assert_int_equal(cidr_list_parse("fe80::/10", &l), 0);
    assert_true(cidr_list_has(&l, "febf::1"));
    assert_false(cidr_list_has(&l, "fec0::1"));
}

static void refuses_bad_lists(void **state)
{
    struct cidr_list l;
    const char *bad[] = {"", "10.0.0.0/33", "::/129", "10.0.0/8", "10.0.0.0/", "10.0.0.0/8,",
                         "10.0.0.0/8,,1.2.3.4", "10.0.0.0/-1", "10.0.0.0/1a", "host.example", "1.2.3.4/8/8"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(cidr_list_parse(bad[i], &l), -1);
        assert_int_equal(l.n, 0);
    }
}

static void walks_forwarded_for(void **state)
{
    struct cidr_list l;
    char out[64];
    assert_int_equal(cidr_list_parse("127.0.0.1,10.0.0.0/8", &l), 0);
    /* an untrusted peer: the header is ignored */
    assert_string_equal(netaddr_client(&l, "203.0.113.9", "1.1.1.1", out, sizeof out), "203.0.113.9");
    /* no header, or no list */
    assert_string_equal(netaddr_client(&l, "127.0.0.1", NULL, out, sizeof out), "127.0.0.1");
    assert_string_equal(netaddr_client(NULL, "127.0.0.1", "1.1.1.1", out, sizeof out), "127.0.0.1");
    /* the right-most untrusted entry wins; a forged left part is not believed */
    assert_string_equal(netaddr_client(&l, "127.0.0.1", "6.6.6.6, 198.51.100.2", out, sizeof out),
                        "198.51.100.2");
    assert_string_equal(netaddr_client(&l, "127.0.0.1", "6.6.6.6, 198.51.100.2 ,10.1.2.3", out,
                                       sizeof out), "198.51.100.2");
    /* all trusted: the left-most */
    assert_string_equal(netaddr_client(&l, "127.0.0.1", "10.0.0.5,10.0.0.6", out, sizeof out),
                        "10.0.0.5");
    /* garbage stops the walk at the hop to its right */
    assert_string_equal(netaddr_client(&l, "127.0.0.1", "junk, 10.0.0.7", out, sizeof out),
                        "10.0.0.7");
    assert_string_equal(netaddr_client(&l, "127.0.0.1", "junk", out, sizeof out), "127.0.0.1");
    /* IPv6 entries and mapped forms come out canonical */
    assert_string_equal(netaddr_client(&l, "127.0.0.1", "2001:DB8::0:1", out, sizeof out),
                        "2001:db8::1");
    assert_string_equal(netaddr_client(&l, "127.0.0.1", "::ffff:198.51.100.4", out, sizeof out),
                        "198.51.100.4");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_and_matches_ipv4),
        cmocka_unit_test(parses_and_matches_ipv6),
        cmocka_unit_test(refuses_bad_lists),
        cmocka_unit_test(walks_forwarded_for),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
