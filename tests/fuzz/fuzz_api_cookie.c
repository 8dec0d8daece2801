/* libFuzzer target: the Cookie and Authorization headers, and whatever else comes in the
 * header block, through authentication and the real handlers (in-process,
 * tests/fuzz/harness.c). Input: byte 0 picks a route (any method), byte 1 a caller whose
 * real session cookie, CSRF token and bearer token the input may name as the words
 * $COOKIE, $CSRF and $BEARER (so the fuzzer reaches both sides of every check); the rest
 * is the header block ("Name: value" lines). Paths take "x" for their :params; writes send
 * "{}". Any answer is fine but a crash, a leak, undefined behaviour or a 500. Seeds in
 * tests/fuzz/corpus/api_cookie/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static const struct route **routes;
static int nroutes;

static int any(const struct route *rt) { return rt != NULL; }

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    harness_init();
    routes = fuzz_routes(any, &nroutes);
    return 0;
}

static int starts(const uint8_t *p, const uint8_t *end, const char *word)
{
    size_t n = strlen(word);
    return (size_t)(end - p) >= n && memcmp(p, word, n) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const struct route *rt = routes[data[0] % nroutes];
    const struct harness_user *u = harness_user(data[1]);
    buf h = BUF_INIT;
    for (const uint8_t *p = data + 2, *end = data + size; p < end;) {
        if (*p == '\0') { /* headers hold no NUL */
            buf_release(&h);
            return 0;
        }
        if (starts(p, end, "$COOKIE")) {
            buf_adds(&h, u->cookie);
            p += 7;
        } else if (starts(p, end, "$CSRF")) {
            buf_adds(&h, u->csrf);
            p += 5;
        } else if (starts(p, end, "$BEARER")) {
            buf_adds(&h, u->bearer);
            p += 7;
        } else {
            buf_addc(&h, (char)*p++);
        }
    }
    buf url = BUF_INIT;
    fuzz_url(&url, rt, "", 0);
    int write = strcmp(rt->method, "GET") != 0 && strcmp(rt->method, "DELETE") != 0;
    struct http_local_reply out;
    harness_request(rt->method, url.s, h.s, write ? "{}" : NULL, write ? 2 : 0, &out);
    http_local_reply_free(&out);
    buf_release(&url);
    buf_release(&h);
    harness_reset();
    return 0;
}
