/* t2s: see t2s.h. */
#include "rules/t2s.h"
#include "base/dynlib.h"
#include "base/utf8.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* opencc_convert_utf8 on a shared handle is not documented as thread-safe: one per thread.
 * The thread-local copy is for speed; the key's destructor closes it at thread exit. */
static _Thread_local opencc_t handle;
static _Thread_local int state; /* 0 unopened, 1 open, -1 failed */
static pthread_key_t key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

#define T2S_FUNCS(X) X(opencc_open) X(opencc_close) X(opencc_convert_utf8) X(opencc_convert_utf8_free)
DYNLIB_REQUIRED(occ, T2S_FUNCS, "libopencc1.1", "libopencc.so.1.1", "libopencc.so.1", "libopencc.so")
#define opencc_open (*occ()->opencc_open)
#define opencc_close (*occ()->opencc_close)
#define opencc_convert_utf8 (*occ()->opencc_convert_utf8)
#define opencc_convert_utf8_free (*occ()->opencc_convert_utf8_free)

static void on_thread_exit(void *h) { opencc_close((opencc_t)h); }

static void make_key(void) { pthread_key_create(&key, on_thread_exit); }

opencc_t rules_t2s(void)
{
    if (state == 0) {
        pthread_once(&key_once, make_key);
        handle = opencc_open("t2s.json");
        state = handle == (opencc_t)-1 ? -1 : 1;
        if (state == 1)
            pthread_setspecific(key, handle);
    }
    return state == 1 ? handle : (opencc_t)-1;
}

void rules_t2s_close(void)
{
    if (state == 1) {
        pthread_setspecific(key, NULL);
        opencc_close(handle);
    }
    state = 0;
}

char *rules_t2s_utf8(opencc_t cc, const char *s, size_t n)
{
    return opencc_convert_utf8(cc, s, n);
}

void rules_t2s_free(char *converted)
{
    opencc_convert_utf8_free(converted);
}

char *rules_t2s_convert(const char *s, size_t n)
{
    if (!utf8_valid(s, n))
        return NULL;
    opencc_t cc = rules_t2s();
    if (cc == (opencc_t)-1)
        return NULL;
    char *conv = opencc_convert_utf8(cc, s, n);
    if (!conv)
        return NULL;
    char *copy = strdup(conv);
    opencc_convert_utf8_free(conv);
    return copy;
}
