/* xrand: a small seeded xorshift64 generator for reproducible demo and benchmark data
 * (never for anything secret). */
#ifndef BASE_XRAND_H
#define BASE_XRAND_H
#include <stdint.h>

struct xrand {
    uint64_t s; /* never 0 */
};

static inline struct xrand xrand_seed(uint64_t salt, unsigned seed)
{
    struct xrand r = {salt ^ (uint64_t)(seed ? seed : 7)};
    if (!r.s)
        r.s = 0x2545F4914F6CDD1Dull;
    return r;
}

static inline uint64_t xrand_next(struct xrand *r)
{
    r->s ^= r->s << 13;
    r->s ^= r->s >> 7;
    r->s ^= r->s << 17;
    return r->s;
}

/* A number in [lo, hi] (lo when hi <= lo). */
static inline int64_t xrand_in(struct xrand *r, int64_t lo, int64_t hi)
{
    return hi <= lo ? lo : lo + (int64_t)(xrand_next(r) % (uint64_t)(hi - lo + 1));
}

#endif
