/* html: an allow-list HTML sanitiser and plain-text extractor (see html.h). */
#include "rules/html.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { DEPTH_MAX = 64, NAME_MAX_ = 16 };

struct sb {
    char *s;
    size_t len, cap;
    int fail;
};

static void sb_put(struct sb *b, const char *s, size_t n)
{
    if (b->fail)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->s, cap);
        if (!p) {
            b->fail = 1;
            return;
        }
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void sb_puts(struct sb *b, const char *s) { sb_put(b, s, strlen(s)); }

static const char *const allowed[] = {"p", "br", "hr", "b", "strong", "i", "em", "u", "s", "sub",
                                      "sup", "h2", "h3", "h4", "blockquote", "pre", "code", "ul",
                                      "ol", "li", "a", "img", "table", "thead", "tbody", "tr",
                                      "th", "td", "span", "div", NULL};
static const char *const voids[] = {"br", "hr", "img", NULL};
static const char *const dropped[] = {"script", "style", "iframe", "object", "embed", "template",
                                      "noscript", "textarea", "select", "svg", "math", "title",
                                      "head", "frameset", "noembed", "xmp", NULL};
static const char *const blocks[] = {"p", "br", "hr", "div", "li", "h2", "h3", "h4", "blockquote",
                                     "pre", "tr", "td", "th", "table", "ul", "ol", NULL};

static int in_list(const char *const *l, const char *name)
{
    for (; *l; l++)
        if (strcmp(*l, name) == 0)
            return 1;
    return 0;
}

static void put_utf8(struct sb *b, uint32_t cp)
{
    char u[4];
    size_t n;
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    sb_put(b, u, n);
}

/* An entity at s ('&'): its length (0: not one) and, in *cp, its character (0 when it is
 * a named entity we do not decode, kept as written). */
static size_t entity(const char *s, uint32_t *cp)
{
    static const struct {
        const char *name;
        uint32_t cp;
    } named[] = {{"amp", '&'},   {"lt", '<'},      {"gt", '>'},        {"quot", '"'},
                 {"apos", '\''}, {"colon", ':'},   {"tab", '\t'},      {"newline", '\n'},
                 {"nbsp", 0xA0}, {"lpar", '('},    {"rpar", ')'},      {NULL, 0}};
    size_t i = 1;
    *cp = 0;
    if (s[1] == '#') {
        int hex = s[2] == 'x' || s[2] == 'X';
        i = hex ? 3 : 2;
        uint32_t v = 0;
        size_t start = i;
        while (hex ? isxdigit((unsigned char)s[i]) : isdigit((unsigned char)s[i])) {
            unsigned d = isdigit((unsigned char)s[i]) ? (unsigned)(s[i] - '0')
                                                      : (unsigned)(tolower((unsigned char)s[i]) - 'a' + 10);
            if (v < 0x110000)
                v = v * (hex ? 16u : 10u) + d;
            i++;
        }
        if (i == start)
            return 0;
        *cp = v ? v : 0xFFFD;
        return s[i] == ';' ? i + 1 : i;
    }
    while (isalnum((unsigned char)s[i]) && i < 32)
        i++;
    if (i == 1 || s[i] != ';')
        return 0;
    for (int k = 0; named[k].name; k++)
        if (strlen(named[k].name) == i - 1 && strncasecmp(named[k].name, s + 1, i - 1) == 0)
            *cp = named[k].cp;
    return i + 1;
}

static void put_escaped(struct sb *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '&': sb_puts(b, "&amp;"); break;
        case '<': sb_puts(b, "&lt;"); break;
        case '>': sb_puts(b, "&gt;"); break;
        case '"': sb_puts(b, "&quot;"); break;
        default: sb_put(b, s + i, 1);
        }
    }
}

/* An attribute value with its entities decoded and control characters removed. */
static void decode_value(struct sb *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t cp = (unsigned char)s[i];
        size_t l = 0;
        if (s[i] == '&' && (l = entity(s + i, &cp)) > 0 && cp) {
            i += l - 1;
            if (cp >= 0x20 && cp != 0x7F)
                put_utf8(b, cp);
        } else if ((unsigned char)s[i] >= 0x20 && s[i] != 0x7F) {
            sb_put(b, s + i, 1);
        }
    }
}

/* 1 when the decoded URL u may be kept: relative, or of an allowed scheme. */
static int url_ok(const char *u, int image)
{
    char scheme[16];
    size_t i = 0, k = 0;
    while (u[i] == ' ')
        i++;
    for (; u[i] && !strchr(":/?#", u[i]); i++)
        if (u[i] != ' ' && k < sizeof scheme - 1)
            scheme[k++] = (char)tolower((unsigned char)u[i]);
    scheme[k] = '\0';
    if (u[i] != ':')
        return 1; /* relative */
    if (strcmp(scheme, "https") == 0)
        return 1;
    return !image && (strcmp(scheme, "http") == 0 || strcmp(scheme, "mailto") == 0);
}

static int digits_ok(const char *v, size_t max)
{
    size_t n = strlen(v);
    if (n == 0 || n > max)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)v[i]))
            return 0;
    return 1;
}

/* Write one allowed attribute of tag, or nothing. */
static void put_attr(struct sb *out, const char *tag, const char *name, const char *val, size_t vn)
{
    int kind = 0; /* 1 url, 2 text, 3 small number */
    if (strcmp(tag, "a") == 0)
        kind = strcmp(name, "href") == 0 ? 1 : strcmp(name, "title") == 0 ? 2 : 0;
    else if (strcmp(tag, "img") == 0)
        kind = strcmp(name, "src") == 0 ? 1 : strcmp(name, "alt") == 0 ? 2
               : (strcmp(name, "width") == 0 || strcmp(name, "height") == 0) ? 3 : 0;
    else if (strcmp(tag, "td") == 0 || strcmp(tag, "th") == 0)
        kind = (strcmp(name, "colspan") == 0 || strcmp(name, "rowspan") == 0) ? 3 : 0;
    if (!kind)
        return;
    struct sb v = {0};
    sb_put(&v, "", 0);
    decode_value(&v, val, vn);
    int ok = !v.fail && (kind == 2 || (kind == 1 && url_ok(v.s, tag[0] == 'i')) ||
                         (kind == 3 && digits_ok(v.s, 4)));
    if (ok) {
        sb_puts(out, " ");
        sb_puts(out, name);
        sb_puts(out, "=\"");
        put_escaped(out, v.s, v.len);
        sb_puts(out, "\"");
    }
    free(v.s);
}

/* Reads a tag name at s into name (lower case); returns its length in s. */
static size_t tag_name(const char *s, char name[NAME_MAX_])
{
    size_t i = 0, k = 0;
    while (isalnum((unsigned char)s[i])) {
        if (k < NAME_MAX_ - 1)
            name[k++] = (char)tolower((unsigned char)s[i]);
        i++;
    }
    name[k] = '\0';
    return i;
}

/* Parses the attributes of an opening tag from s up to '>'; writes the allowed ones when
 * keep. Returns the length consumed (past '>', or to the end). */
static size_t attrs(struct sb *out, const char *tag, const char *s, int keep)
{
    size_t i = 0;
    for (;;) {
        while (s[i] && (isspace((unsigned char)s[i]) || s[i] == '/'))
            i++;
        if (!s[i])
            return i;
        if (s[i] == '>')
            return i + 1;
        char name[NAME_MAX_];
        size_t k = 0, start = i;
        while (s[i] && !isspace((unsigned char)s[i]) && !strchr("/>=", s[i])) {
            if (k < NAME_MAX_ - 1)
                name[k++] = (char)tolower((unsigned char)s[i]);
            i++;
        }
        if (i == start)
            i++; /* a stray '=' */
        name[k] = '\0';
        while (isspace((unsigned char)s[i]))
            i++;
        const char *val = "";
        size_t vn = 0;
        if (s[i] == '=') {
            i++;
            while (isspace((unsigned char)s[i]))
                i++;
            if (s[i] == '"' || s[i] == '\'') {
                char q = s[i++];
                val = s + i;
                while (s[i] && s[i] != q)
                    i++;
                vn = (size_t)(s + i - val);
                if (s[i])
                    i++;
            } else {
                val = s + i;
                while (s[i] && !isspace((unsigned char)s[i]) && s[i] != '>')
                    i++;
                vn = (size_t)(s + i - val);
            }
        }
        if (keep && k)
            put_attr(out, tag, name, val, vn);
    }
}

/* Skips the content of a dropped element: past its closing tag, or to the end. */
static size_t skip_content(const char *s, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = s; (p = strchr(p, '<')) != NULL; p++)
        if (p[1] == '/' && strncasecmp(p + 2, name, n) == 0 && !isalnum((unsigned char)p[2 + n])) {
            const char *e = strchr(p, '>');
            return e ? (size_t)(e + 1 - s) : strlen(s);
        }
    return strlen(s);
}

struct state {
    struct sb out, text;
    char stack[DEPTH_MAX][NAME_MAX_];
    int depth;
};

static void close_to(struct state *st, int level)
{
    while (st->depth > level) {
        st->depth--;
        sb_puts(&st->out, "</");
        sb_puts(&st->out, st->stack[st->depth]);
        sb_puts(&st->out, ">");
    }
}

/* A tag at s ('<'); returns its length, or 0 when '<' is only text. */
static size_t tag(struct state *st, const char *s)
{
    if (strncmp(s, "<!--", 4) == 0) {
        const char *e = strstr(s + 4, "-->");
        return e ? (size_t)(e + 3 - s) : strlen(s);
    }
    if (s[1] == '!' || s[1] == '?') {
        const char *e = strchr(s, '>');
        return e ? (size_t)(e + 1 - s) : strlen(s);
    }
    int closing = s[1] == '/';
    const char *p = s + 1 + closing;
    if (!isalpha((unsigned char)*p))
        return 0;
    char name[NAME_MAX_];
    p += tag_name(p, name);
    if (in_list(blocks, name))
        sb_puts(&st->text, " ");
    if (closing) {
        const char *e = strchr(p, '>');
        size_t len = e ? (size_t)(e + 1 - s) : strlen(s);
        for (int i = st->depth - 1; i >= 0; i--)
            if (strcmp(st->stack[i], name) == 0) {
                close_to(st, i);
                break;
            }
        return len;
    }
    int keep = in_list(allowed, name) && (in_list(voids, name) || st->depth < DEPTH_MAX);
    if (keep) {
        sb_puts(&st->out, "<");
        sb_puts(&st->out, name);
    }
    size_t len = (size_t)(p - s) + attrs(&st->out, name, p, keep);
    if (keep) {
        sb_puts(&st->out, ">");
        if (!in_list(voids, name))
            strcpy(st->stack[st->depth++], name);
    }
    if (in_list(dropped, name))
        len += skip_content(s + len, name);
    return len;
}

char *html_sanitize(const char *in, char **text)
{
    struct state *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    sb_put(&st->out, "", 0);
    sb_put(&st->text, "", 0);
    for (const char *s = in ? in : ""; *s;) {
        if (*s == '<') {
            size_t n = tag(st, s);
            if (n) {
                s += n;
                continue;
            }
        }
        if (*s == '&') {
            uint32_t cp;
            size_t n = entity(s, &cp);
            if (n && cp) {
                put_utf8(&st->text, cp);
                if (cp == '&' || cp == '<' || cp == '>' || cp == '"')
                    put_escaped(&st->out, (char[]){(char)cp}, 1);
                else
                    put_utf8(&st->out, cp);
                s += n;
                continue;
            }
        }
        put_escaped(&st->out, s, 1);
        sb_put(&st->text, s, 1);
        s++;
    }
    close_to(st, 0);
    char *out = st->out.fail || st->text.fail ? NULL : st->out.s;
    if (!out)
        free(st->out.s);
    if (text && out)
        *text = st->text.s;
    else
        free(st->text.s);
    free(st);
    return out;
}
