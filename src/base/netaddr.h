/* netaddr: IPv4/IPv6 CIDR lists and the client address behind trusted proxies
 * (X-Forwarded-For is believed only when the peer is in the list). */
#ifndef BASE_NETADDR_H
#define BASE_NETADDR_H
#include <stddef.h>

#define NETADDR_MAX_CIDRS 32

struct cidr {
    int v6;                  /* 0: IPv4 (4 bytes of addr), 1: IPv6 (16 bytes) */
    unsigned char addr[16];
    int bits;                /* prefix length */
};

struct cidr_list {
    int n;
    struct cidr items[NETADDR_MAX_CIDRS];
};

/* Parse "CIDR[,CIDR...]" (a bare address means /32 or /128; spaces around entries
 * are allowed). Returns 0, or -1 with *out left empty on any bad entry. */
int cidr_list_parse(const char *text, struct cidr_list *out);
/* 1 when the textual address addr (IPv4, IPv6 or IPv4-mapped IPv6) is in the list. */
int cidr_list_has(const struct cidr_list *l, const char *addr);
/* The client's address: peer itself unless peer is trusted and xff is present; then
 * the right-most X-Forwarded-For entry that is not itself a trusted proxy (all
 * trusted: the left-most one). An entry that is not an address ends the walk at the
 * hop to its right. Writes into out (size >= 46) and returns out. */
const char *netaddr_client(const struct cidr_list *l, const char *peer, const char *xff,
                           char *out, size_t outlen);

#endif
