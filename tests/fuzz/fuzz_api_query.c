/* libFuzzer target: query strings on the GET routes through the real router and handlers
 * (in-process, tests/fuzz/harness.c). Input: byte 0 picks a GET route, byte 1 the caller;
 * then the :param values separated by '/' up to a '\n'; the rest is the query string
 * (after the '?', sent as it is). Any answer is fine but a crash, a leak, undefined
 * behaviour or a 500. Seeds in tests/fuzz/corpus/api_query/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static const struct route **routes;
static int nroutes;

static int is_get(const struct route *rt) { return strcmp(rt->method, "GET") == 0; }

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    harness_init();
    routes = fuzz_routes(is_get, &nroutes);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const struct route *rt = routes[data[0] % nroutes];
    const struct harness_user *u = harness_user(data[1]);
    const char *params;
    size_t plen, qlen;
    const uint8_t *q;
    fuzz_split(data + 2, size - 2, &params, &plen, &q, &qlen);
    if (memchr(q, '\0', qlen)) /* a URL holds no NUL */
        return 0;
    buf url = BUF_INIT;
    fuzz_url(&url, rt, params, plen);
    buf_addc(&url, '?');
    buf_add(&url, q, qlen);
    char headers[160];
    snprintf(headers, sizeof headers, "Cookie: %s", u->cookie);
    struct http_local_reply out;
    harness_request("GET", url.s, headers, NULL, 0, &out);
    http_local_reply_free(&out);
    buf_release(&url);
    harness_reset();
    return 0;
}
