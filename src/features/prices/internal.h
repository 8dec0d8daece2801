/* prices: what the files of the prices folder share with each other (not used outside
 * it): lookups, storing a price or a cap with its cap check, and the repair context of a
 * quote. */
#ifndef FEATURES_PRICES_INTERNAL_H
#define FEATURES_PRICES_INTERNAL_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "features/prices/prices.h"
#include "rules/prices.h"

/* 1 when region is 000000 or a code of the regions table, 0 when not, or a negative db
 * code. */
int pr_region_known(db_conn *c, const char *region);

/* The caps (caps = 1) or prices (0) of one product line and level in region and the
 * regions enclosing it, into an arena array. 0 or a negative db code. */
int pr_load_chain(db_conn *c, arena *a, int caps, int64_t line_id, const char *level,
                  const char *region, struct price_entry **out, size_t *n);

/* One price or cap to store. */
struct pr_put {
    int caps; /* 1: a cap (cap_fen), 0: a labour price (labour_fen) */
    int64_t line_id;
    const char *line;   /* its code, for audit and messages */
    const char *level;  /* A..D */
    const char *region; /* six digits, known */
    int64_t fen;
    const char *actor;
    int64_t now;
};
enum {
    PR_BROKEN = 1, /* a price above a cap: *broken names the cap (price) or the price (cap) */
};
/* Insert or update p in the open transaction, audited. A price is checked against the
 * caps of its region and of every enclosing region; a cap against the prices of the
 * regions inside it. 0 (*created: 1 when new), PR_BROKEN with *broken, or a db code. */
int pr_put(db_conn *c, arena *a, const struct pr_put *p, struct price_entry *broken, int *created);

/* "123.45" (yuan) of fen, in the arena. */
const char *pr_yuan(arena *a, int64_t fen);

/* Route handlers. */
int pr_prices_list(req *r);
int pr_caps_list(req *r);
int pr_prices_put(req *r);
int pr_caps_put(req *r);
int pr_repair_labour(req *r);
int pr_repair_quote(req *r);
int pr_repair_warranty_cost(req *r);
int pr_repair_charges(req *r);
int pr_warranty_report(req *r);

#endif
