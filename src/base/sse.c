/* sse: the server-sent event hub: streams by key, their pending bytes, waking. */
#include "base/sse.h"
#include "base/buf.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct sse_stream {
    char *key;
    void *conn;
    buf pending;
    size_t sent; /* bytes of pending already read */
    int suspended, closed;
    struct sse_stream *prev, *next;
};

static pthread_mutex_t hub = PTHREAD_MUTEX_INITIALIZER;
static struct sse_stream *streams;
static void (*waker)(void *conn), (*suspender)(void *conn);

void sse_set_waker(void (*wake)(void *conn), void (*suspend)(void *conn))
{
    waker = wake;
    suspender = suspend;
}

/* Under the lock: append text; note whether the connection needs waking. */
static void *append(struct sse_stream *s, const char *text)
{
    buf_adds(&s->pending, text);
    if (!s->suspended)
        return NULL;
    s->suspended = 0;
    return s->conn;
}

/* Under the lock, collect connections to wake in a small growing array. */
struct wake_list {
    void **v;
    size_t n, cap;
};

static void wake_add(struct wake_list *w, void *conn)
{
    if (!conn)
        return;
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 16;
        void **v = realloc(w->v, cap * sizeof *v);
        if (!v)
            return;
        w->v = v;
        w->cap = cap;
    }
    w->v[w->n++] = conn;
}

static void wake_run(struct wake_list *w)
{
    for (size_t i = 0; i < w->n; i++)
        if (waker)
            waker(w->v[i]);
    free(w->v);
}

int sse_publish(const char *key, const char *event, const char *data)
{
    buf msg = BUF_INIT;
    if (event)
        buf_addf(&msg, "event: %s\n", event);
    /* data may not hold a newline: every line is its own data: field */
    const char *p = data ? data : "";
    do {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        buf_adds(&msg, "data: ");
        buf_add(&msg, p, len);
        buf_addc(&msg, '\n');
        p = nl ? nl + 1 : NULL;
    } while (p);
    buf_addc(&msg, '\n');
    int n = 0;
    struct wake_list w = {0};
    pthread_mutex_lock(&hub);
    for (struct sse_stream *s = streams; s; s = s->next)
        if (!s->closed && strcmp(s->key, key) == 0) {
            wake_add(&w, append(s, msg.s));
            n++;
        }
    pthread_mutex_unlock(&hub);
    wake_run(&w);
    buf_release(&msg);
    return n;
}

int sse_count(const char *key)
{
    int n = 0;
    pthread_mutex_lock(&hub);
    for (struct sse_stream *s = streams; s; s = s->next)
        n += !s->closed && strcmp(s->key, key) == 0;
    pthread_mutex_unlock(&hub);
    return n;
}

sse_stream *sse_open(const char *key, void *conn)
{
    struct sse_stream *s = calloc(1, sizeof *s);
    if (!s || !(s->key = strdup(key))) {
        free(s);
        return NULL;
    }
    s->conn = conn;
    buf_init(&s->pending);
    buf_adds(&s->pending, "retry: 2000\n\nevent: ready\ndata: {}\n\n");
    pthread_mutex_lock(&hub);
    s->next = streams;
    if (streams)
        streams->prev = s;
    streams = s;
    pthread_mutex_unlock(&hub);
    return s;
}

long sse_read(sse_stream *s, char *out, size_t max, int *suspend)
{
    *suspend = 0;
    pthread_mutex_lock(&hub);
    size_t left = s->pending.len - s->sent;
    long got;
    if (left) {
        size_t n = left < max ? left : max;
        memcpy(out, s->pending.s + s->sent, n);
        s->sent += n;
        if (s->sent == s->pending.len) {
            buf_reset(&s->pending);
            s->sent = 0;
        }
        got = (long)n;
    } else if (s->closed) {
        got = -1;
    } else {
        /* Suspend under the lock: a publish that sees `suspended` must find the
         * connection suspended already, or its wake would be lost (resuming a
         * connection not yet suspended is undefined in libmicrohttpd). */
        s->suspended = 1;
        *suspend = 1;
        if (suspender)
            suspender(s->conn);
        got = 0;
    }
    pthread_mutex_unlock(&hub);
    return got;
}

void sse_free(sse_stream *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&hub);
    if (s->prev)
        s->prev->next = s->next;
    else
        streams = s->next;
    if (s->next)
        s->next->prev = s->prev;
    pthread_mutex_unlock(&hub);
    buf_release(&s->pending);
    free(s->key);
    free(s);
}

static void all(int close_them)
{
    struct wake_list w = {0};
    pthread_mutex_lock(&hub);
    for (struct sse_stream *s = streams; s; s = s->next) {
        if (close_them)
            s->closed = 1;
        else if (!s->closed)
            buf_adds(&s->pending, ": ping\n\n");
        if (s->suspended) {
            s->suspended = 0;
            wake_add(&w, s->conn);
        }
    }
    pthread_mutex_unlock(&hub);
    wake_run(&w);
}

void sse_ping_all(void) { all(0); }
void sse_close_all(void) { all(1); }
