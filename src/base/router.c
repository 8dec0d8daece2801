/* router: a flat table of routes matched segment by segment; `:name` segments capture. */
#include "base/router.h"

#include <string.h>

#define ROUTER_MAX 512

static const struct route *routes[ROUTER_MAX];
static int nroutes;

void router_set(const struct route *const *tables)
{
    nroutes = 0;
    for (; *tables; tables++)
        for (const struct route *rt = *tables; rt->pattern && nroutes < ROUTER_MAX; rt++)
            routes[nroutes++] = rt;
}

int router_count(void) { return nroutes; }

const struct route *router_at(int i) { return i >= 0 && i < nroutes ? routes[i] : NULL; }

/* Does path match pattern? Returns 0, or 1 + the number of captured segments.
 * Captures go into r when r is non-NULL. */
static int match(const char *pattern, const char *path, req *r)
{
    const char *p = pattern, *s = path;
    int n = 0;
    while (*p && *s) {
        if (*p == ':') {
            const char *pe = strchr(p, '/');
            const char *se = strchr(s, '/');
            size_t plen = pe ? (size_t)(pe - p) : strlen(p);
            size_t slen = se ? (size_t)(se - s) : strlen(s);
            if (slen == 0 || n >= REQ_MAX_PARAMS)
                return 0;
            if (r) {
                r->pname[n] = arena_strndup(r->a, p + 1, plen - 1);
                r->pval[n] = arena_strndup(r->a, s, slen);
            }
            n++;
            p += plen;
            s += slen;
            continue;
        }
        if (*p != *s)
            return 0;
        p++;
        s++;
    }
    if (*p || *s)
        return 0;
    if (r)
        r->nparams = n;
    return 1 + n;
}

/* The most literal route wins: /customers/match before /customers/:code. */
int router_match(req *r, const char *method, const char *path)
{
    int path_seen = 0, best = -1, best_score = 0;
    for (int i = 0; i < nroutes; i++) {
        int m = match(routes[i]->pattern, path, NULL);
        if (!m)
            continue;
        path_seen = 1;
        if (strcmp(routes[i]->method, method) != 0)
            continue;
        if (best < 0 || m < best_score) {
            best = i;
            best_score = m;
        }
    }
    if (best < 0)
        return path_seen ? ROUTER_NO_METHOD : ROUTER_NO_PATH;
    match(routes[best]->pattern, path, r);
    r->route = routes[best];
    r->route_index = best;
    return ROUTER_FOUND;
}
