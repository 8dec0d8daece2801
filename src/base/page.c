/* page: limit, opaque cursors and next_cursor for keyset-paged lists (see page.h). */
#include "base/page.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Keys are joined with the unit separator (which no key may hold) and the whole is
 * base64url-encoded, so clients see one opaque token and cannot build one by accident. */
#define PAGE_SEP '\x1f'
#define PAGE_MAX_TEXT 1024

int page_limit(const char *s, long def, long max, long *out)
{
    if (!s || !*s) {
        *out = def;
        return 0;
    }
    char *end;
    long v = strtol(s, &end, 10);
    if (*end || v < 1 || v > max)
        return -1;
    *out = v;
    return 0;
}

int page_decode(arena *a, const char *cursor, int nkeys, struct page *p)
{
    p->nkeys = 0;
    if (!cursor || !*cursor)
        return 0;
    size_t n = strlen(cursor);
    if (n > PAGE_MAX_TEXT * 4 / 3 + 4 || nkeys < 1 || nkeys > PAGE_MAX_KEYS)
        return -1;
    unsigned char *bin = arena_alloc(a, n + 1);
    size_t len = 0;
    if (sodium_base642bin(bin, n, cursor, n, NULL, &len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        return -1;
    bin[len] = 0;
    if (memchr(bin, 0, len))
        return -1;
    char *s = (char *)bin;
    for (int i = 0; i < nkeys; i++) {
        char *sep = strchr(s, PAGE_SEP);
        if ((i < nkeys - 1) != (sep != NULL))
            return -1;
        if (sep)
            *sep = 0;
        p->key[i] = s;
        s = sep ? sep + 1 : s + strlen(s);
    }
    p->nkeys = nkeys;
    return 0;
}

int page_read(req *r, long def, long max, int nkeys, struct page *p)
{
    memset(p, 0, sizeof *p);
    if (page_limit(req_query(r, "limit"), def, max, &p->limit) < 0) {
        reply_error(r, 422, "validation_failed",
                    arena_printf(r->a, "limit is an integer from 1 to %ld", max),
                    json_pack("{s:s}", "limit", arena_printf(r->a, "must be 1-%ld", max)));
        return -1;
    }
    if (page_decode(r->a, req_query(r, "cursor"), nkeys, p) < 0) {
        reply_error(r, 422, "validation_failed", "cursor is not one this list handed out",
                    json_pack("{s:s}", "cursor", "not a cursor from this list"));
        return -1;
    }
    return 0;
}

int64_t page_key_int(const struct page *p, int i)
{
    if (i < 0 || i >= p->nkeys || !p->key[i])
        return 0;
    return strtoll(p->key[i], NULL, 10);
}

int page_key_pos(const struct page *p, int i, int64_t *out)
{
    if (i < 0 || i >= p->nkeys || !p->key[i] || !*p->key[i])
        return -1;
    char *end = NULL;
    long long v = strtoll(p->key[i], &end, 10);
    if (*end || v <= 0)
        return -1;
    *out = (int64_t)v;
    return 0;
}

int64_t page_after_id(req *r, const struct page *p)
{
    int64_t id;
    if (!p->nkeys)
        return 0;
    if (page_key_pos(p, 0, &id) == 0)
        return id;
    reply_error(r, 422, "validation_failed", "cursor is not one this list handed out",
                json_pack("{s:s}", "cursor", "not a cursor from this list"));
    return -1;
}

const char *page_cursor(arena *a, int nkeys, const char *const *keys)
{
    char text[PAGE_MAX_TEXT];
    size_t len = 0;
    for (int i = 0; i < nkeys; i++) {
        const char *k = keys[i] ? keys[i] : "";
        size_t kl = strlen(k);
        if (len + kl + 1 >= sizeof text)
            kl = sizeof text - len - 2;
        if (i)
            text[len++] = PAGE_SEP;
        memcpy(text + len, k, kl);
        len += kl;
    }
    size_t cap = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = arena_alloc(a, cap);
    sodium_bin2base64(out, cap, (const unsigned char *)text, len,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return out;
}

const char *page_cursor_int(arena *a, int64_t id)
{
    char s[24];
    snprintf(s, sizeof s, "%" PRId64, id);
    const char *k[1] = {s};
    return page_cursor(a, 1, k);
}

json_t *page_answer(json_t *items, const char *next)
{
    return json_pack("{s:o, s:s?}", "items", items, "next_cursor", next);
}
