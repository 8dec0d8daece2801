/* libFuzzer target: JSON request bodies through the real router and handlers (in-process,
 * tests/fuzz/harness.c). Input: byte 0 picks one of the routes that take a JSON body
 * (POST, PUT, PATCH without ROUTE_RAW_BODY), byte 1 the caller (harness users); then the
 * :param values separated by '/' up to a '\n'; the rest is the body. Any answer is fine
 * but a crash, a leak, undefined behaviour or a 500. Built and run by `make fuzz`; seeds
 * in tests/fuzz/corpus/api_json/ (scripts/fuzz-seeds makes them). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static const struct route **routes;
static int nroutes;

static int takes_body(const struct route *rt)
{
    return (strcmp(rt->method, "POST") == 0 || strcmp(rt->method, "PUT") == 0 ||
            strcmp(rt->method, "PATCH") == 0) &&
           !(rt->flags & ROUTE_RAW_BODY);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    harness_init();
    routes = fuzz_routes(takes_body, &nroutes);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const struct route *rt = routes[data[0] % nroutes];
    const struct harness_user *u = harness_user(data[1]);
    const char *params;
    size_t plen, blen;
    const uint8_t *body;
    fuzz_split(data + 2, size - 2, &params, &plen, &body, &blen);
    buf url = BUF_INIT;
    fuzz_url(&url, rt, params, plen);
    struct http_local_reply out;
    harness_request(rt->method, url.s, harness_json_headers(u), body, blen, &out);
    http_local_reply_free(&out);
    buf_release(&url);
    harness_reset();
    return 0;
}
