/* buf: the one growable string type (after git's strbuf). buf.s is never NULL. */
#ifndef BASE_BUF_H
#define BASE_BUF_H
#include <stdarg.h>
#include <stddef.h>

typedef struct buf {
    char *s;     /* NUL-terminated; points at a static "" while cap == 0 */
    size_t len;
    size_t cap;
} buf;

#define BUF_INIT {(char *)"", 0, 0}

void buf_init(buf *b);
/* Ensure room for n more bytes plus the NUL. */
void buf_grow(buf *b, size_t n);
void buf_add(buf *b, const void *p, size_t n);
void buf_adds(buf *b, const char *s);
void buf_addc(buf *b, char c);
void buf_addf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vaddf(buf *b, const char *fmt, va_list ap);
void buf_reset(buf *b);
/* Free the storage; b is empty and reusable afterwards. */
void buf_release(buf *b);
/* Hand the string to the caller (free() it); b is empty afterwards. */
char *buf_detach(buf *b);

#endif
