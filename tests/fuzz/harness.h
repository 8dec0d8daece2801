/* harness: the server's real router and handlers in-process, for the libFuzzer targets
 * (fuzz_api_*.c, fuzz_import.c). One in-memory SQLite database, migrated and filled with
 * the demo data, with a logged-in session for some roles; after each input that committed
 * a change, harness_reset puts the database back as it was, so inputs do not see each
 * other's records and nothing grows (FUZZ_CHECK_RESET=1 checks it; `make fuzz-check`).
 * Sessions do not expire and the in-process rate limits are lifted for the run.
 * Requests go through http_dispatch_local (base/http.h). */
#ifndef FUZZ_HARNESS_H
#define FUZZ_HARNESS_H
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/db.h"
#include "base/http.h"

/* A logged-in caller: the session cookie (as a Cookie header value), its CSRF token,
 * and a bearer token (an Authorization header value) for the same role. */
struct harness_user {
    const char *login; /* "admin", "agent", "tech" (outlet technician), ... */
    char cookie[128];
    char csrf[80];
    char bearer[96];
};

/* Once, from LLVMFuzzerInitialize: exits with a message when the database cannot be made.
 * Sends the program's stderr chatter (import errors, logs) to /dev/null unless FUZZ_VERBOSE
 * is set; sanitizer and libFuzzer reports still reach fd 2. */
void harness_init(void);
db *harness_db(void);
int harness_nusers(void);
const struct harness_user *harness_user(int i);

/* One request (see http_dispatch_local); headers may be NULL. Aborts when nothing
 * answered or the answer is a 500 (an internal error is a bug worth an input). */
void harness_request(const char *method, const char *url, const char *headers, const void *body,
                     size_t len, struct http_local_reply *out);
/* The headers of a JSON write by u: cookie, CSRF token and Content-Type. In a static
 * buffer. */
const char *harness_json_headers(const struct harness_user *u);
/* Put the database back as harness_init left it, if an input committed anything; dies
 * when an input left a transaction open. */
void harness_reset(void);

/* ---- for the fuzz_api_* targets: pick a route of the table and build its URL ---- */

/* The routes for which keep(route) is 1, in table order; *n receives their count. */
const struct route **fuzz_routes(int (*keep)(const struct route *), int *n);
/* Append rt's path to url with its :name segments taken in turn from the '/'-separated
 * params (percent-encoded; "x" when they run out). */
void fuzz_url(buf *url, const struct route *rt, const char *params, size_t len);
/* Split data at the first '\n': the head (params) and the rest. */
void fuzz_split(const uint8_t *data, size_t size, const char **head, size_t *hlen,
                const uint8_t **rest, size_t *rlen);

#endif
