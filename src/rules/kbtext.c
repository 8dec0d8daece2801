/* kbtext: normalisation and tokens of the information base's search text (see kbtext.h). */
#include "rules/kbtext.h"
#include "rules/t2s.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

static int is_cjk(int32_t cp)
{
    return (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xAC00 && cp <= 0xD7AF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x3FFFF);
}

static int is_ascii_alnum(int32_t cp)
{
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
}

/* A character that belongs to a word: ASCII letters and digits, other letters, digits
 * and marks (not CJK, which are tokens of their own). */
static int is_word(int32_t cp)
{
    if (cp < 0x80)
        return is_ascii_alnum(cp);
    if (is_cjk(cp))
        return 0;
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO: case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
        return 1;
    default:
        return 0;
    }
}

struct out {
    char *s;
    size_t len, cap;
    int fail;
};

static void put(struct out *o, const char *s, size_t n)
{
    if (o->fail)
        return;
    if (o->len + n + 1 > o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 256;
        while (cap < o->len + n + 1)
            cap *= 2;
        char *p = realloc(o->s, cap);
        if (!p) {
            o->fail = 1;
            return;
        }
        o->s = p;
        o->cap = cap;
    }
    memcpy(o->s + o->len, s, n);
    o->len += n;
    o->s[o->len] = '\0';
}

/* The NFKC, case-folded, simplified form of in (malloc'd), or NULL. */
static char *normalise(const char *in)
{
    utf8proc_uint8_t *m = NULL;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)in, 0, &m,
                                      UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE |
                                          UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE);
    if (n < 0)
        return NULL;
    int ascii = 1;
    for (utf8proc_ssize_t i = 0; i < n && ascii; i++)
        ascii = m[i] < 0x80;
    opencc_t cc = ascii ? (opencc_t)-1 : rules_t2s();
    if (cc == (opencc_t)-1)
        return (char *)m;
    char *conv = rules_t2s_utf8(cc, (const char *)m, (size_t)n);
    if (!conv)
        return (char *)m;
    char *copy = strdup(conv);
    rules_t2s_free(conv);
    free(m);
    return copy;
}

/* The tokens of in; query: separators between parts become '\n' and *groups counts them. */
static char *tokenize(const char *in, int max_tokens, int query, int *groups)
{
    if (!in)
        return NULL;
    char *m = normalise(in);
    if (!m)
        return NULL;
    struct out o = {0};
    put(&o, "", 0);
    int tokens = 0, in_word = 0, brk = 0, ngroups = 0;
    size_t word_len = 0;
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)m;
    while (*p && tokens <= max_tokens) {
        int32_t cp;
        utf8proc_ssize_t l = utf8proc_iterate(p, -1, &cp);
        if (l <= 0) {
            o.fail = 1;
            break;
        }
        p += l;
        if (cp == '-' && in_word) {
            int32_t next = -1;
            if (*p)
                utf8proc_iterate(p, -1, &next);
            if (next >= 0 && is_word(next))
                continue; /* an inner hyphen: the word goes on */
        }
        int cjk = is_cjk(cp), word = is_word(cp);
        if (!cjk && !word) {
            in_word = 0;
            brk = 1;
            continue;
        }
        if (cjk || !in_word) {
            if (++tokens > max_tokens)
                break;
            int first = o.len == 0;
            if (!first)
                put(&o, query && brk ? "\n" : " ", 1);
            if (first || (query && brk))
                ngroups++;
            brk = 0;
            word_len = 0;
        }
        char enc[16];
        size_t n;
        if (cp < 0x80) {
            enc[0] = (char)cp;
            n = 1;
        } else {
            n = (size_t)snprintf(enc, sizeof enc, "u%x", (unsigned)cp);
        }
        if (cjk) {
            put(&o, enc, n);
            in_word = 0;
        } else {
            if (word_len + n <= KBTEXT_WORD_MAX)
                put(&o, enc, n);
            word_len += n;
            in_word = 1;
        }
    }
    free(m);
    if (o.fail) {
        free(o.s);
        return NULL;
    }
    if (groups)
        *groups = ngroups;
    return o.s;
}

char *kbtext_tokens(const char *text, int max_tokens)
{
    return tokenize(text, max_tokens > 0 ? max_tokens : KBTEXT_TOKENS_MAX, 0, NULL);
}

char *kbtext_query(const char *q, int *groups)
{
    *groups = 0;
    return tokenize(q, KBTEXT_TOKENS_MAX, 1, groups);
}

/* 1 when the token at s (length n) is a CJK character's "u" + hex. */
static int cjk_token(const char *s, size_t n)
{
    if (n < 5 || n > 6 || s[0] != 'u')
        return 0;
    unsigned v = 0;
    for (size_t i = 1; i < n; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9')
            v = v * 16 + (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v = v * 16 + (unsigned)(c - 'a' + 10);
        else
            return 0;
    }
    return is_cjk((int32_t)v);
}

char *kbtext_bigrams(const char *tokens)
{
    struct out o = {0};
    put(&o, "", 0);
    const char *prev = NULL;
    size_t prev_n = 0;
    int prev_cjk = 0;
    for (const char *s = tokens ? tokens : ""; *s;) {
        while (*s == ' ')
            s++;
        if (!*s)
            break;
        const char *e = strchr(s, ' ');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        int cjk = cjk_token(s, n);
        const char *next = s + n;
        while (*next == ' ')
            next++;
        size_t nn = strcspn(next, " ");
        int next_cjk = *next && cjk_token(next, nn);
        if (cjk && prev_cjk) {
            if (o.len)
                put(&o, " ", 1);
            put(&o, prev, prev_n);
            put(&o, "x", 1);
            put(&o, s + 1, n - 1);
        } else if (!(cjk && next_cjk)) {
            /* a word, or a CJK character alone: itself */
            if (o.len)
                put(&o, " ", 1);
            put(&o, s, n);
        } /* else the first of a run: its pair comes with the next token */
        prev = s;
        prev_n = n;
        prev_cjk = cjk;
        s += n;
    }
    if (o.fail) {
        free(o.s);
        return NULL;
    }
    return o.s;
}

int kbtext_cjk_run(const char *phrase)
{
    int count = 0;
    for (const char *s = phrase; *s;) {
        while (*s == ' ')
            s++;
        if (!*s)
            break;
        size_t n = strcspn(s, " ");
        if (!cjk_token(s, n))
            return 0;
        count++;
        s += n;
    }
    return count >= 2;
}
