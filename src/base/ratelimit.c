/* ratelimit: an open table of 64-bit key hashes with window start and count, under
 * striped locks. When a key's probe range is full of live entries, the new key counts
 * into the fullest of them instead of evicting it: a flood of fresh keys can make a
 * limit stricter for the keys it collides with, never looser. */
#include "base/ratelimit.h"

#include <pthread.h>
#include <stdlib.h>

#define RL_SLOTS 8192
#define RL_STRIPES 64
#define RL_PROBE 8

struct rl_slot {
    uint64_t key;
    int64_t start;
    int count;
};

struct ratelimit {
    int limit, window;
    pthread_mutex_t mu[RL_STRIPES];
    struct rl_slot slots[RL_SLOTS];
};

static uint64_t hash64(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h ? h : 1;
}

struct ratelimit *ratelimit_new(int limit, int window)
{
    struct ratelimit *rl = calloc(1, sizeof *rl);
    if (!rl)
        abort();
    rl->limit = limit;
    rl->window = window;
    for (int i = 0; i < RL_STRIPES; i++)
        pthread_mutex_init(&rl->mu[i], NULL);
    return rl;
}

void ratelimit_free(struct ratelimit *rl)
{
    if (!rl)
        return;
    for (int i = 0; i < RL_STRIPES; i++)
        pthread_mutex_destroy(&rl->mu[i]);
    free(rl);
}

void ratelimit_set_limit(struct ratelimit *rl, int limit) { rl->limit = limit; }
int ratelimit_limit(const struct ratelimit *rl) { return rl->limit; }
int ratelimit_window(const struct ratelimit *rl) { return rl->window; }

/* Find key's slot within its probe range, or (claim) take an empty or expired one, or
 * share the fullest live one. Lock held by caller. */
static struct rl_slot *find(struct ratelimit *rl, uint64_t h, int64_t now, int claim)
{
    size_t base = (size_t)(h % (RL_SLOTS / RL_PROBE)) * RL_PROBE;
    struct rl_slot *free_slot = NULL, *fullest = NULL;
    for (int i = 0; i < RL_PROBE; i++) {
        struct rl_slot *s = &rl->slots[base + (size_t)i];
        if (s->key == h)
            return s;
        if (s->key == 0 || s->start + rl->window <= now) {
            if (!free_slot)
                free_slot = s;
        } else if (!fullest || s->count > fullest->count) {
            fullest = s;
        }
    }
    if (!claim)
        return NULL;
    if (!free_slot)
        return fullest;
    free_slot->key = h;
    free_slot->start = now;
    free_slot->count = 0;
    return free_slot;
}

static pthread_mutex_t *stripe(struct ratelimit *rl, uint64_t h)
{
    return &rl->mu[(h % (RL_SLOTS / RL_PROBE)) % RL_STRIPES];
}

int ratelimit_over(struct ratelimit *rl, const char *key, int64_t now)
{
    uint64_t h = hash64(key);
    pthread_mutex_t *mu = stripe(rl, h);
    pthread_mutex_lock(mu);
    struct rl_slot *s = find(rl, h, now, 0);
    int over = s && s->start + rl->window > now && s->count >= rl->limit;
    pthread_mutex_unlock(mu);
    return over;
}

int ratelimit_add(struct ratelimit *rl, const char *key, int64_t now)
{
    uint64_t h = hash64(key);
    pthread_mutex_t *mu = stripe(rl, h);
    pthread_mutex_lock(mu);
    struct rl_slot *s = find(rl, h, now, 1);
    if (s->start + rl->window <= now) {
        s->start = now;
        s->count = 0;
    }
    s->count++;
    int over = s->count > rl->limit;
    pthread_mutex_unlock(mu);
    return over;
}

void ratelimit_clear(struct ratelimit *rl, const char *key)
{
    uint64_t h = hash64(key);
    pthread_mutex_t *mu = stripe(rl, h);
    pthread_mutex_lock(mu);
    struct rl_slot *s = find(rl, h, 0, 0);
    if (s)
        s->key = 0, s->count = 0;
    pthread_mutex_unlock(mu);
}
