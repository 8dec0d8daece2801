/* netaddr: CIDR parsing and matching, and the X-Forwarded-For walk for trusted proxies. */
#include "base/netaddr.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

/* Parse one address into 4 or 16 bytes; IPv4-mapped IPv6 becomes IPv4. 0 ok, -1 bad. */
static int parse_addr(const char *s, size_t len, int *v6, unsigned char addr[16])
{
    char tmp[64];
    if (len == 0 || len >= sizeof tmp)
        return -1;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    if (inet_pton(AF_INET, tmp, addr) == 1) {
        *v6 = 0;
        return 0;
    }
    if (inet_pton(AF_INET6, tmp, addr) != 1)
        return -1;
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(addr, mapped, 12) == 0) {
        memmove(addr, addr + 12, 4);
        *v6 = 0;
    } else
        *v6 = 1;
    return 0;
}

static void trim(const char **s, size_t *len)
{
    while (*len && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*len)--;
    }
    while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
        (*len)--;
}

static int parse_cidr(const char *s, size_t len, struct cidr *c)
{
    trim(&s, &len);
    const char *slash = memchr(s, '/', len);
    size_t alen = slash ? (size_t)(slash - s) : len;
    if (parse_addr(s, alen, &c->v6, c->addr) < 0)
        return -1;
    int max = c->v6 ? 128 : 32;
    c->bits = max;
    if (slash) {
        size_t blen = len - alen - 1;
        if (blen == 0 || blen > 3)
            return -1;
        int b = 0;
        for (size_t i = 0; i < blen; i++) {
            char ch = slash[1 + i];
            if (ch < '0' || ch > '9')
                return -1;
            b = b * 10 + (ch - '0');
        }
        if (b > max)
            return -1;
        c->bits = b;
    }
    return 0;
}

int cidr_list_parse(const char *text, struct cidr_list *out)
{
    out->n = 0;
    if (!text || !*text)
        return -1;
    const char *p = text;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (out->n == NETADDR_MAX_CIDRS || parse_cidr(p, len, &out->items[out->n]) < 0) {
            out->n = 0;
            return -1;
        }
        out->n++;
        if (!comma)
            return 0;
        p = comma + 1;
    }
}

static int prefix_equal(const unsigned char *a, const unsigned char *b, int bits)
{
    int whole = bits / 8, rest = bits % 8;
    if (memcmp(a, b, (size_t)whole) != 0)
        return 0;
    if (rest == 0)
        return 1;
    unsigned mask = (0xffu << (8 - rest)) & 0xffu;
    return ((a[whole] ^ b[whole]) & mask) == 0;
}

static int has_bytes(const struct cidr_list *l, int v6, const unsigned char *addr)
{
    for (int i = 0; l && i < l->n; i++)
        if (l->items[i].v6 == v6 && prefix_equal(l->items[i].addr, addr, l->items[i].bits))
            return 1;
    return 0;
}

int cidr_list_has(const struct cidr_list *l, const char *addr)
{
    int v6;
    unsigned char b[16];
    if (!addr || parse_addr(addr, strlen(addr), &v6, b) < 0)
        return 0;
    return has_bytes(l, v6, b);
}

static void copy_out(char *out, size_t outlen, const char *s, size_t len)
{
    if (len >= outlen)
        len = outlen - 1;
    memcpy(out, s, len);
    out[len] = '\0';
}

/* Write the canonical text of an address (so "::ffff:1.2.3.4" and "1.2.3.4" key alike). */
static void canonical(char *out, size_t outlen, int v6, const unsigned char *addr)
{
    if (!inet_ntop(v6 ? AF_INET6 : AF_INET, addr, out, (socklen_t)outlen))
        copy_out(out, outlen, "unknown", 7);
}

const char *netaddr_client(const struct cidr_list *l, const char *peer, const char *xff,
                           char *out, size_t outlen)
{
    copy_out(out, outlen, peer, strlen(peer));
    if (!xff || !l || l->n == 0 || !cidr_list_has(l, peer))
        return out;
    size_t end = strlen(xff);
    while (end > 0) {
        size_t start = end;
        while (start > 0 && xff[start - 1] != ',')
            start--;
        const char *s = xff + start;
        size_t len = end - start;
        trim(&s, &len);
        int v6;
        unsigned char b[16];
        if (parse_addr(s, len, &v6, b) < 0)
            return out; /* garbage: the hop to its right is the last one we believe */
        canonical(out, outlen, v6, b);
        if (!has_bytes(l, v6, b))
            return out;
        end = start ? start - 1 : 0;
    }
    return out;
}
