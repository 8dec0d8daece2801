/* portal: the customer's public repair status lookup (M4, M14): the route table. */
#ifndef FEATURES_PORTAL_PORTAL_H
#define FEATURES_PORTAL_PORTAL_H
#include "base/http.h"

extern const struct route portal_routes[];

/* For the other lookups by code + phone tail (orders): the same miss budget per client
 * address as the repair lookup. portal_blocked answers 429 and returns 1 while r's
 * client is over it, else 0; portal_miss counts a miss and answers 429 when it is now
 * over, else 404 not_found with `message`; portal_tail_ok is 1 for four digits. */
int portal_blocked(req *r);
int portal_miss(req *r, const char *message);
int portal_tail_ok(const char *tail);

#endif
