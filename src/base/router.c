/* router: a flat table of routes matched segment by segment; `:name` segments capture.
 * An index by the first segments (below) narrows which routes a path is compared with. */
#include "base/router.h"

#include <stdint.h>
#include <string.h>

#define ROUTER_MAX 512

static const struct route *routes[ROUTER_MAX];
static int nroutes;

/* An index so that a request is not compared with every route: a route's key is its
 * pattern up to the end of the KEY_SEGS-th segment ("/api/v1/repairs" of
 * "/api/v1/repairs/:code"), and a path can only match routes with its own key, or those
 * whose key holds a capture (the "general" routes, tried for every path). Each key's
 * candidates are kept in table order, so ties are broken as by the plain scan. */
#define KEY_SEGS 3
#define INDEX_SLOTS 1024 /* a power of two, > 2 * ROUTER_MAX */
#define POOL_MAX (ROUTER_MAX * 8)

struct bucket {
    const char *key; /* NULL: a free slot */
    size_t len;
    int first, n;    /* candidates: pool[first .. first + n) */
};
static struct bucket slots[INDEX_SLOTS];
static short pool[POOL_MAX];
static int npool, indexed; /* indexed 0: the plain scan (the pool ran out) */
static short general[ROUTER_MAX];
static int ngeneral;

static size_t key_len(const char *s)
{
    size_t i = 0;
    for (int segs = 0; s[i]; i++)
        if (s[i] == '/' && ++segs > KEY_SEGS)
            break;
    return i;
}

static size_t key_slot(const char *key, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)key[i]) * 16777619u;
    size_t i = h & (INDEX_SLOTS - 1);
    while (slots[i].key && !(slots[i].len == len && memcmp(slots[i].key, key, len) == 0))
        i = (i + 1) & (INDEX_SLOTS - 1);
    return i;
}

static int is_general(int i) { return memchr(routes[i]->pattern, ':', key_len(routes[i]->pattern)) != NULL; }

static void build_index(void)
{
    memset(slots, 0, sizeof slots);
    npool = ngeneral = 0;
    indexed = 1;
    for (int i = 0; i < nroutes; i++)
        if (is_general(i))
            general[ngeneral++] = (short)i;
    for (int i = 0; i < nroutes; i++) {
        if (is_general(i))
            continue;
        const char *key = routes[i]->pattern;
        size_t len = key_len(key);
        struct bucket *b = &slots[key_slot(key, len)];
        if (b->key)
            continue; /* filled when its first route was seen */
        b->key = key;
        b->len = len;
        b->first = npool;
        for (int j = i, g = 0; j < nroutes || g < ngeneral;) {
            int take;
            if (g < ngeneral && (j >= nroutes || general[g] < j))
                take = general[g++];
            else if (!is_general(j) && key_len(routes[j]->pattern) == len &&
                     memcmp(routes[j]->pattern, key, len) == 0)
                take = j++;
            else {
                j++;
                continue;
            }
            if (npool == POOL_MAX) {
                indexed = 0;
                return;
            }
            pool[npool++] = (short)take;
        }
        b->n = npool - b->first;
    }
}

void router_set(const struct route *const *tables)
{
    nroutes = 0;
    for (; *tables; tables++)
        for (const struct route *rt = *tables; rt->pattern && nroutes < ROUTER_MAX; rt++)
            routes[nroutes++] = rt;
    build_index();
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
    const short *cand = NULL;
    int ncand = nroutes;
    if (indexed) {
        size_t len = key_len(path);
        const struct bucket *b = &slots[key_slot(path, len)];
        cand = b->key ? pool + b->first : general;
        ncand = b->key ? b->n : ngeneral;
    }
    for (int k = 0; k < ncand; k++) {
        int i = cand ? cand[k] : k;
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
