/* libFuzzer target for src/base/form: any input must be read without a crash, a leak or
 * undefined behaviour; no decoded key or value is longer than the input; and pairs
 * written back fully percent-encoded read back equal. Built and run by `make fuzz`;
 * seeds in tests/fuzz/corpus/form/. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/form.h"

struct pairs {
    size_t limit, n;
    buf enc;
    char *k[64], *v[64];
};

static void encode(buf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        buf_addf(b, "%%%02X", *p);
}

static int first(void *arg, const char *k, const char *v)
{
    struct pairs *p = arg;
    if (strlen(k) > p->limit || strlen(v) > p->limit)
        abort();
    if (p->n < 64) {
        p->k[p->n] = strdup(k);
        p->v[p->n] = strdup(v);
        if (!p->k[p->n] || !p->v[p->n])
            abort();
        if (p->n)
            buf_addc(&p->enc, '&');
        encode(&p->enc, k);
        buf_addc(&p->enc, '=');
        encode(&p->enc, v);
        p->n++;
    }
    return 0;
}

struct check {
    struct pairs *p;
    size_t i;
};

static int again(void *arg, const char *k, const char *v)
{
    struct check *c = arg;
    if (c->i >= c->p->n || strcmp(k, c->p->k[c->i]) != 0 || strcmp(v, c->p->v[c->i]) != 0)
        abort();
    c->i++;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pairs p = {.limit = size};
    buf_init(&p.enc);
    if (form_each((const char *)data, size, first, &p) != 0)
        abort();
    struct check c = {&p, 0};
    if (form_each(p.enc.s, p.enc.len, again, &c) != 0 || c.i != p.n)
        abort();
    for (size_t i = 0; i < p.n; i++) {
        free(p.k[i]);
        free(p.v[i]);
    }
    buf_release(&p.enc);
    return 0;
}
