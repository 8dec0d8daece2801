/* form: the application/x-www-form-urlencoded reader (fuzzed: tests/fuzz/fuzz_form.c). */
#include "base/form.h"

#include <stdlib.h>
#include <string.h>

static int hexval(unsigned char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Decode s[0..n) into out (room for n + 1). */
static void decode(const char *s, size_t n, char *out)
{
    char *o = out;
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (s[i] == '+') {
            *o++ = ' ';
        } else if (s[i] == '%' && i + 2 < n &&
                   (hi = hexval((unsigned char)s[i + 1])) >= 0 && (lo = hexval((unsigned char)s[i + 2])) >= 0) {
            *o++ = (char)(hi * 16 + lo);
            i += 2;
        } else {
            *o++ = s[i];
        }
    }
    *o = '\0';
}

int form_each(const char *s, size_t n, int (*fn)(void *arg, const char *key, const char *value),
              void *arg)
{
    const char *p = s, *end = s + n;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        if (stop > p) {
            const char *eq = memchr(p, '=', (size_t)(stop - p));
            size_t kl = (size_t)((eq ? eq : stop) - p), vl = eq ? (size_t)(stop - eq - 1) : 0;
            char *k = malloc(kl + 1), *v = malloc(vl + 1);
            if (!k || !v) {
                free(k);
                free(v);
                return -1;
            }
            decode(p, kl, k);
            decode(eq ? eq + 1 : stop, vl, v);
            int rc = fn(arg, k, v);
            free(k);
            free(v);
            if (rc)
                return rc;
        }
        p = stop + 1;
    }
    return 0;
}
