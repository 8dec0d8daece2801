/* prices: repair levels, region enclosure, the cap check and the most specific price
 * of the price guide (SPEC M8). */
#include "rules/prices.h"

#include <string.h>

int price_level_ok(const char *level)
{
    return level && level[0] >= 'A' && level[0] <= 'D' && level[1] == '\0';
}

int price_region_ok(const char *code)
{
    if (!code)
        return 0;
    for (int i = 0; i < 6; i++)
        if (code[i] < '0' || code[i] > '9')
            return 0;
    if (code[6] != '\0')
        return 0;
    return strcmp(code, PRICE_NATIONAL) == 0 || memcmp(code, "00", 2) != 0;
}

int price_region_prefix(const char *code)
{
    if (!price_region_ok(code))
        return -1;
    if (strcmp(code, PRICE_NATIONAL) == 0)
        return 0;
    if (memcmp(code + 2, "0000", 4) == 0)
        return 2;
    if (memcmp(code + 4, "00", 2) == 0)
        return 4;
    return 6;
}

int price_region_chain(const char *code, char out[PRICE_CHAIN_MAX][7])
{
    int p = price_region_prefix(code);
    if (p < 0)
        return 0;
    int n = 0;
    /* county, city, province: the code with its last 6 - keep digits zeroed */
    static const int keep[] = {6, 4, 2};
    for (size_t i = 0; i < sizeof keep / sizeof *keep; i++) {
        if (keep[i] > p)
            continue;
        memcpy(out[n], code, (size_t)keep[i]);
        memset(out[n] + keep[i], '0', (size_t)(6 - keep[i]));
        out[n][6] = '\0';
        n++;
    }
    memcpy(out[n++], PRICE_NATIONAL, 7);
    return n;
}

int price_region_encloses(const char *outer, const char *inner)
{
    char chain[PRICE_CHAIN_MAX][7];
    int n = price_region_chain(inner, chain);
    for (int i = 0; i < n; i++)
        if (outer && strcmp(chain[i], outer) == 0)
            return 1;
    return 0;
}

const struct price_entry *price_cap_broken(const struct price_entry *caps, size_t n,
                                           const char *region, int64_t fen)
{
    char chain[PRICE_CHAIN_MAX][7];
    int m = price_region_chain(region, chain);
    for (int i = 0; i < m; i++)
        for (size_t k = 0; k < n; k++)
            if (strcmp(caps[k].region, chain[i]) == 0 && caps[k].fen < fen)
                return &caps[k];
    return NULL;
}

const struct price_entry *price_most_specific(const struct price_entry *prices, size_t n,
                                              const char *region)
{
    char chain[PRICE_CHAIN_MAX][7];
    int m = price_region_chain(region, chain);
    for (int i = 0; i < m; i++)
        for (size_t k = 0; k < n; k++)
            if (strcmp(prices[k].region, chain[i]) == 0)
                return &prices[k];
    return NULL;
}
