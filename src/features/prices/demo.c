/* prices: the demo price guide of `aftersales demo`: national caps and prices for the
 * demo product lines at every level, and regional ones for Shanghai, Beijing and
 * Guangdong (province, city, one county), each below its caps. */
#include "features/common/common.h"
#include "features/prices/internal.h"

#include <string.h>

/* Labour of level A per product line (fen); B, C, D are multiples of it. */
static const struct {
    const char *line;
    int64_t base;
} lines[] = {{"AV", 6000}, {"PC", 12000}, {"TV", 15000}, {"VC", 20000}, {"GAME", 8000}};
static const char *const levels[] = {"A", "B", "C", "D"};
static const int level_pct[] = {100, 200, 350, 500};

/* Region and percentage of the national price (caps: of the national cap). */
static const struct {
    const char *region;
    int caps, pct;
} regions[] = {
    {"000000", 1, 150}, {"310000", 1, 90},  {"110000", 1, 90},  {"440000", 1, 85},
    {"000000", 0, 100}, {"310000", 0, 120}, {"310100", 0, 125}, {"110000", 0, 115},
    {"440000", 0, 110}, {"440100", 0, 118}, {"310104", 0, 130},
};

static int fill(db_conn *c, void *arg)
{
    arena *a = arg;
    int64_t now = now_unix();
    for (size_t l = 0; l < sizeof lines / sizeof *lines; l++) {
        int64_t line_id = 0;
        int k = lookup_id(c, "SELECT id FROM product_lines WHERE code = ?", lines[l].line, &line_id);
        if (k == 1)
            continue; /* not in this catalog */
        if (k < 0)
            return k;
        for (size_t v = 0; v < 4; v++) {
            int64_t national = lines[l].base * level_pct[v] / 100;
            for (size_t g = 0; g < sizeof regions / sizeof *regions; g++) {
                /* caps are a share of the national cap, prices of the national price */
                int64_t base = regions[g].caps ? national * 150 / 100 : national;
                if (regions[g].caps && strcmp(regions[g].region, "000000") == 0)
                    base = national;
                struct pr_put p = {.caps = regions[g].caps,
                                   .line_id = line_id,
                                   .line = lines[l].line,
                                   .level = levels[v],
                                   .region = regions[g].region,
                                   .fen = base * regions[g].pct / 100,
                                   .actor = "demo",
                                   .now = now};
                struct price_entry broken;
                int created = 0;
                if ((k = pr_put(c, a, &p, &broken, &created)) != 0) {
                    fprintf(stderr, "demo prices: %s %s %s: %s\n", p.line, p.level, p.region,
                            k == PR_BROKEN ? "above a cap" : db_errmsg(c));
                    return k < 0 ? k : DB_ERROR;
                }
            }
        }
    }
    return 0;
}

int prices_demo(db *d, const struct demo_opts *o)
{
    (void)o;
    db_conn *c = db_acquire(d);
    arena *a = arena_new();
    int rc = in_tx(c, fill, a);
    if (rc != 0 && rc != DB_ERROR)
        fprintf(stderr, "demo prices: %s\n", db_errmsg(c));
    arena_free(a);
    db_release(c);
    return rc == 0 ? 0 : -1;
}
