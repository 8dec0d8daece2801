/* sse: server-sent event channels. A stream subscribes to a key (any text, e.g.
 * "user:42"); sse_publish queues an event on every stream of that key and wakes them.
 * http.c ties streams to connections (reply_sse); this file knows nothing of HTTP. */
#ifndef BASE_SSE_H
#define BASE_SSE_H
#include <stddef.h>

typedef struct sse_stream sse_stream;

/* Publish `event` (a name, may be NULL) with `data` (one line of text, e.g. JSON) to every
 * stream subscribed to key. Returns the number of streams it reached. */
int sse_publish(const char *key, const char *event, const char *data);
/* Streams subscribed to key now. */
int sse_count(const char *key);

/* ---- for http.c ---- */
/* wake(conn) resumes a suspended connection, suspend(conn) suspends one (called by
 * sse_read under the hub's lock, NULL when the caller suspends); set once before
 * streams exist. */
void sse_set_waker(void (*wake)(void *conn), void (*suspend)(void *conn));
/* A new stream for conn on key (with a "retry" and "ready" preamble queued). NULL on OOM. */
sse_stream *sse_open(const char *key, void *conn);
/* Copy up to max pending bytes into out. Returns the count; 0 when there is nothing
 * (then *suspend is set and the connection suspended, and the next publish wakes it); -1 when the stream was closed (end of stream). */
long sse_read(sse_stream *s, char *out, size_t max, int *suspend);
/* The connection is finished with the stream: forget and free it. */
void sse_free(sse_stream *s);
/* Queue a keep-alive comment on every stream (a thread calls it every few seconds). */
void sse_ping_all(void);
/* End every stream (shutdown): each reads end-of-stream next. */
void sse_close_all(void);

#endif
