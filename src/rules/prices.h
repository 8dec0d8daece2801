/* prices: the price guide of SPEC M8 as pure functions, no I/O: repair levels, region
 * enclosure on six-digit GB/T 2260 codes, the cap check and the most specific price.
 *
 * Regions enclose by their code: a county 440106 lies in the city 440100, the province
 * 440000 and the country (000000, the national standard). Municipalities work the same
 * way (110105 -> 110100 -> 110000), as do county-level divisions under a placeholder
 * group (419001 -> 419000 -> 410000); a code ending in 00 (a city, or a city without
 * districts such as 441900) has no county above it, and a province code no city.
 *
 * Repair levels are A to D (see docs/prices.md): A inspection, adjustment, cleaning or
 * software; B replacing a small part; C replacing a board or module; D major work
 * (panel, optical block, several modules). */
#ifndef RULES_PRICES_H
#define RULES_PRICES_H
#include <stddef.h>
#include <stdint.h>

#define PRICE_NATIONAL "000000"
/* At most county, city, province, national. */
#define PRICE_CHAIN_MAX 4

/* 1 when level is one of "A".."D" (upper case). */
int price_level_ok(const char *level);

/* 1 when code is six ASCII digits with a province part other than 00, or 000000. */
int price_region_ok(const char *code);

/* The regions enclosing code, most specific first, code itself included and national
 * last; duplicates are dropped (440100 gives 440100, 440000, 000000). Returns how many
 * were written (1..PRICE_CHAIN_MAX), or 0 when code is not price_region_ok. */
int price_region_chain(const char *code, char out[PRICE_CHAIN_MAX][7]);

/* How many leading digits of a code every region it encloses shares with it: 0 for
 * national, 2 for a province, 4 for a city, 6 for a county; -1 when not valid. */
int price_region_prefix(const char *code);

/* 1 when outer encloses inner (a region encloses itself). */
int price_region_encloses(const char *outer, const char *inner);

/* One price or cap of a product line and level. */
struct price_entry {
    char region[7];
    int64_t fen;
};

/* The cap that a price of fen in region breaks: the most specific of the caps of
 * region or of a region enclosing it with cap < fen, or NULL when none does (caps of
 * regions that do not enclose region are ignored). */
const struct price_entry *price_cap_broken(const struct price_entry *caps, size_t n,
                                           const char *region, int64_t fen);

/* The price that applies in region: the one of the most specific region enclosing it
 * (county, then city, then province, then national), or NULL when none encloses it. */
const struct price_entry *price_most_specific(const struct price_entry *prices, size_t n,
                                              const char *region);

#endif
