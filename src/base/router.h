/* router: the route table collected from every feature, and path matching. */
#ifndef BASE_ROUTER_H
#define BASE_ROUTER_H
#include "base/http.h"

/* Register the features' tables (each ends with a zeroed route). Call once, before serving. */
void router_set(const struct route *const *tables);
int router_count(void);
const struct route *router_at(int i);

enum { ROUTER_FOUND = 0, ROUTER_NO_PATH = -1, ROUTER_NO_METHOD = -2 };
/* Match method and path; on ROUTER_FOUND sets r->route, r->route_index and path params
 * (copied into r->a). */
int router_match(req *r, const char *method, const char *path);

#endif
