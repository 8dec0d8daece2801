/* mail: charsets and RFC 2047 header decoding, with the Chinese charset rules
 * (GB2312, GBK, CP936 as GB18030; Big5 as CP950), so mislabelled mail still reads. */
#include <ctype.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "features/mail/internal.h"

static const struct {
    const char *name, *iconv;
} aliases[] = {
    {"gb2312", "GB18030"},   {"gbk", "GB18030"},       {"cp936", "GB18030"},
    {"x-gbk", "GB18030"},    {"gb_2312-80", "GB18030"}, {"euc-cn", "GB18030"},
    {"windows-936", "GB18030"}, {"ms936", "GB18030"},   {"x-euc-cn", "GB18030"},
    {"csgb2312", "GB18030"}, {"gb18030", "GB18030"},   {"big5", "CP950"},
    {"big-5", "CP950"},      {"x-big5", "CP950"},      {"cn-big5", "CP950"},
    {"csbig5", "CP950"},     {"cp950", "CP950"},       {"windows-950", "CP950"},
};

const char *mail_charset(const char *declared)
{
    if (!declared || !*declared)
        return NULL;
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (g_ascii_strcasecmp(declared, aliases[i].name) == 0)
            return aliases[i].iconv;
    return declared;
}

char *mail_to_utf8(const char *bytes, size_t len, const char *charset)
{
    if (!bytes || len == 0)
        return g_strdup("");
    const char *cs = mail_charset(charset);
    if (!cs || g_ascii_strcasecmp(cs, "utf-8") == 0 || g_ascii_strcasecmp(cs, "us-ascii") == 0) {
        if (g_utf8_validate(bytes, (gssize)len, NULL) && !memchr(bytes, 0, len))
            return g_strndup(bytes, len);
        cs = "GB18030"; /* undeclared 8-bit text in Chinese mail is nearly always GBK */
    }
    gsize w = 0;
    char *out = g_convert(bytes, (gssize)len, "UTF-8", cs, NULL, &w, NULL);
    if (!out)
        out = g_convert_with_fallback(bytes, (gssize)len, "UTF-8", cs, "?", NULL, &w, NULL);
    if (out && (memchr(out, 0, w) || !g_utf8_validate(out, (gssize)w, NULL))) {
        g_free(out);
        out = NULL;
    }
    if (!out) { /* unknown charset or hopeless bytes: keep what is readable */
        char *t = g_strndup(bytes, len);
        out = g_utf8_make_valid(t, -1);
        g_free(t);
    }
    return out;
}

/* One encoded word at p ("=?cs?B?text?="): charset into cs, decoded bytes appended to
 * b; returns the length consumed, or 0 when p is not an encoded word. */
static size_t encoded_word(const char *p, char cs[64], GByteArray *b)
{
    if (p[0] != '=' || p[1] != '?')
        return 0;
    const char *q1 = strchr(p + 2, '?');
    if (!q1 || q1 - (p + 2) >= 64 || q1 == p + 2 || !q1[1] || q1[2] != '?')
        return 0;
    char enc = (char)toupper((unsigned char)q1[1]);
    if (enc != 'B' && enc != 'Q')
        return 0;
    const char *text = q1 + 3, *end = strstr(text, "?=");
    if (!end || memchr(text, ' ', (size_t)(end - text)))
        return 0;
    size_t n = (size_t)(q1 - (p + 2));
    memcpy(cs, p + 2, n);
    cs[n] = 0;
    char *star = strchr(cs, '*'); /* RFC 2231 language suffix */
    if (star)
        *star = 0;
    if (enc == 'B') {
        char *t = g_strndup(text, (size_t)(end - text));
        gsize dl = 0;
        guchar *d = g_base64_decode(t, &dl);
        g_byte_array_append(b, d, (guint)dl);
        g_free(d);
        g_free(t);
    } else {
        for (const char *s = text; s < end; s++) {
            guint8 c = (guint8)*s;
            if (c == '_')
                c = ' ';
            else if (c == '=' && s + 2 < end && g_ascii_isxdigit(s[1]) && g_ascii_isxdigit(s[2])) {
                c = (guint8)(g_ascii_xdigit_value(s[1]) * 16 + g_ascii_xdigit_value(s[2]));
                s += 2;
            }
            g_byte_array_append(b, &c, 1);
        }
    }
    return (size_t)(end + 2 - p);
}

static void flush(GString *out, GByteArray *b, const char *cs)
{
    if (b->len) {
        char *u = mail_to_utf8((const char *)b->data, b->len, cs);
        g_string_append(out, u);
        g_free(u);
        g_byte_array_set_size(b, 0);
    }
}

char *mail_decode_header(const char *raw)
{
    GString *out = g_string_new(NULL);
    GByteArray *b = g_byte_array_new(), *plain = g_byte_array_new();
    char cs[64] = "";
    const char *p = raw;
    while (*p) {
        if (*p == '\r' || *p == '\n') { /* unfold */
            p++;
            continue;
        }
        size_t n = encoded_word(p, cs, b);
        if (!n) {
            g_byte_array_append(plain, (const guint8 *)p, 1);
            p++;
            continue;
        }
        /* b holds the bytes of adjacent words in one charset, decoded together (a
         * character may be split across two words); whitespace between words goes */
        flush(out, plain, NULL);
        p += n;
        const char *q = p;
        while (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n')
            q++;
        char cs2[64];
        GByteArray *peek = g_byte_array_new();
        size_t n2 = encoded_word(q, cs2, peek);
        g_byte_array_free(peek, TRUE);
        if (n2)
            p = q;
        if (!n2 || g_ascii_strcasecmp(cs2, cs) != 0)
            flush(out, b, cs);
    }
    flush(out, plain, NULL);
    g_byte_array_free(b, TRUE);
    g_byte_array_free(plain, TRUE);
    char *s = g_string_free(out, FALSE);
    g_strstrip(s);
    return s;
}
