/* periodic: one background pass every N seconds (see periodic.h). */
#include "base/periodic.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

struct periodic {
    pthread_t thread;
    volatile int stopping;
    int interval_s;
    void (*fn)(void *arg);
    void *arg;
};

static void *loop(void *arg)
{
    struct periodic *p = arg;
    while (!p->stopping) {
        p->fn(p->arg);
        for (int i = 0; i < p->interval_s * 10 && !p->stopping; i++)
            nanosleep(&(struct timespec){0, 100000000}, NULL);
    }
    return NULL;
}

struct periodic *periodic_start(int interval_s, void (*fn)(void *arg), void *arg)
{
    if (interval_s <= 0)
        return NULL;
    struct periodic *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->interval_s = interval_s;
    p->fn = fn;
    p->arg = arg;
    if (pthread_create(&p->thread, NULL, loop, p) != 0) {
        free(p);
        return NULL;
    }
    return p;
}

void periodic_stop(struct periodic *p)
{
    if (!p)
        return;
    p->stopping = 1;
    pthread_join(p->thread, NULL);
    free(p);
}
