/* sse: the event hub: streams by key, framing, reading in pieces, waking, closing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "base/sse.h"

static int woken, suspended;
static void *last_woken, *last_suspended;
static void suspend_it(void *conn)
{
    suspended++;
    last_suspended = conn;
}
static void wake(void *conn)
{
    woken++;
    last_woken = conn;
}

/* All pending bytes of s as text (reads in pieces of `piece`). */
static void drain(sse_stream *s, char *out, size_t n, size_t piece, int *suspend)
{
    size_t used = 0;
    long got;
    while ((got = sse_read(s, out + used, piece < n - used - 1 ? piece : n - used - 1, suspend)) > 0)
        used += (size_t)got;
    out[used] = '\0';
}

static void publish_reaches_only_its_key(void **state)
{
    (void)state;
    sse_set_waker(wake, suspend_it);
    int a = 1, b = 2;
    sse_stream *x = sse_open("user:1", &a), *y = sse_open("user:2", &b);
    char buf[512];
    int suspend = 0;
    drain(x, buf, sizeof buf, 7, &suspend);
    assert_string_equal(buf, "retry: 2000\n\nevent: ready\ndata: {}\n\n");
    assert_int_equal(suspend, 1);
    assert_int_equal(suspended, 1); /* suspended by sse_read itself, under the hub's lock */
    assert_ptr_equal(last_suspended, &a);
    drain(y, buf, sizeof buf, 512, &suspend);
    assert_int_equal(sse_count("user:1"), 1);
    woken = 0;
    assert_int_equal(sse_publish("user:1", "call", "{\"a\":1}\nsecond"), 1);
    assert_int_equal(woken, 1); /* x was suspended: woken once */
    assert_ptr_equal(last_woken, &a);
    assert_int_equal(sse_publish("user:1", NULL, "x"), 1);
    assert_int_equal(woken, 1); /* no longer suspended: not woken twice */
    drain(x, buf, sizeof buf, 5, &suspend);
    assert_string_equal(buf, "event: call\ndata: {\"a\":1}\ndata: second\n\ndata: x\n\n");
    drain(y, buf, sizeof buf, 512, &suspend);
    assert_string_equal(buf, "");
    assert_int_equal(sse_publish("user:3", "call", "{}"), 0);
    sse_ping_all();
    drain(y, buf, sizeof buf, 512, &suspend);
    assert_string_equal(buf, ": ping\n\n");
    sse_close_all();
    drain(x, buf, sizeof buf, 512, &suspend); /* what was pending still goes out, then the end */
    assert_string_equal(buf, ": ping\n\n");
    assert_int_equal(sse_read(x, buf, sizeof buf, &suspend), -1);
    assert_int_equal(sse_count("user:1"), 0);
    sse_free(x);
    sse_free(y);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(publish_reaches_only_its_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
