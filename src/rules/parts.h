/* parts: the rules of spare-parts supply (SPEC M7). Pure functions, no I/O: warehouse
 * kinds, the fill order of a part request line over candidate warehouses, supersession
 * chains (followed, cycles found), promise dates as local dates in a zone, and stock
 * balances that never go negative.
 *
 * Fill order (SPEC "Parts and prices"): the repair outlet's own stock (reserved,
 * promise today); a branch or third-party warehouse in the outlet's province, then the
 * central parts center (reserved, today + 3 days); an overseas parts center (ordered,
 * today + 7 days); else backordered with no promise date. */
#ifndef RULES_PARTS_H
#define RULES_PARTS_H
#include <stddef.h>
#include <stdint.h>

#include "base/datetime.h"

/* ---- warehouse kinds ---- */

enum part_wh_kind { PWK_CENTRAL, PWK_BRANCH, PWK_OUTLET, PWK_THIRD_PARTY, PWK_OVERSEAS, PWK_COUNT };

/* "central", "branch", "outlet", "third_party", "overseas" <-> values; -1 for unknown. */
const char *part_wh_kind_name(enum part_wh_kind k);
int part_wh_kind_parse(const char *name);
/* The province code ("440000") of a six-digit GB/T 2260 region code into out; -1 when
 * region is not six digits. */
int part_province_of(const char *region, char out[7]);

/* ---- fill order ---- */

/* Fill tiers, best first. */
enum part_tier {
    PT_OWN = 0,      /* the repair outlet's own warehouse */
    PT_PROVINCE = 1, /* a branch or third-party warehouse in the outlet's province */
    PT_CENTRAL = 2,  /* the central parts center */
    PT_OVERSEAS = 3, /* an overseas parts center */
    PT_NONE = -1,    /* not a candidate for this outlet (another outlet's stock, a branch
                        in another province) */
};

/* Line statuses. */
enum part_line_status {
    PLS_RESERVED,
    PLS_ORDERED,
    PLS_BACKORDERED,
    PLS_RECEIVED,
    PLS_ISSUED,
    PLS_CANCELLED,
    PLS_COUNT
};
const char *part_line_status_name(enum part_line_status s);
int part_line_status_parse(const char *name);

/* A warehouse that holds the part, as the fill order sees it. */
struct part_candidate {
    int64_t warehouse_id;
    int kind;             /* enum part_wh_kind */
    const char *province; /* province code of the warehouse's region, or NULL */
    int64_t outlet_id;    /* for kind outlet; 0 otherwise */
    int64_t available;    /* on_hand - reserved */
};

/* The tier of candidate c for a repair at outlet_id whose region lies in province
 * (NULL when the outlet has no region: only own, central and overseas then). */
int part_tier_of(const struct part_candidate *c, int64_t outlet_id, const char *province);

/* The fill of one line. */
struct part_fill {
    int index;        /* the chosen candidate, -1 when backordered */
    int tier;         /* enum part_tier (PT_NONE when backordered) */
    int status;       /* PLS_RESERVED, PLS_ORDERED or PLS_BACKORDERED */
    int promise_days; /* days after today; -1 for no promise (backordered) */
};

/* Choose where a line of qty (> 0) units is filled from: the best tier holding at least
 * qty available; within a tier the warehouse with the most available, then the lowest
 * id. A candidate is never split across warehouses. */
struct part_fill part_fill_choose(const struct part_candidate *c, size_t n, int64_t outlet_id,
                                  const char *province, int64_t qty);
/* Promise days of a tier: 0, 3, 3, 7; -1 for PT_NONE. */
int part_tier_promise_days(int tier);

/* ---- supersession ---- */

#define PART_CHAIN_MAX 64 /* a longer chain is refused as if it were a cycle */

/* What supersedes part id: its successor's id, or 0 when none. */
typedef int64_t (*part_next_fn)(void *ctx, int64_t id);

/* Follow the chain from start (start first) into out (at most max ids). Returns the
 * chain's length, or -1 when it meets a cycle or runs longer than max. */
int part_chain(part_next_fn next, void *ctx, int64_t start, int64_t *out, size_t max);

/* A part and what supersedes it (0: nothing), for checking a whole catalog at once. */
struct part_link {
    int64_t id, next;
};
/* Sort links by id (for part_links_next). */
void part_links_sort(struct part_link *links, size_t n);
/* part_next_fn over sorted links (ctx: a struct part_links). */
struct part_links {
    const struct part_link *v;
    size_t n;
};
int64_t part_links_next(void *ctx, int64_t id);
/* 1 when some chain of the sorted links loops (or is longer than PART_CHAIN_MAX), with
 * *at set to a part on it; 0 when every chain ends. */
int part_links_cycle(const struct part_links *l, int64_t *at);

/* ---- dates ---- */

/* The local date (in z) of instant now plus days (>= 0) days, "YYYY-MM-DD". */
void part_promise_date(const struct dt_zone *z, int64_t now, int days, char out[11]);

/* ---- quantities and balances ---- */

#define PART_QTY_MAX 100000 /* one move or line: 1..PART_QTY_MAX units */

/* 1 when q is a quantity a move or line may carry. */
int part_qty_ok(long long q);

struct part_balance {
    int64_t on_hand, reserved, in_transit;
};
/* on_hand - reserved, never below 0. */
int64_t part_available(const struct part_balance *b);

/* The changes a move makes to one balance. */
enum part_delta {
    PD_RECEIVE,        /* on_hand += q */
    PD_TAKE,           /* on_hand -= q, needs available >= q */
    PD_RESERVE,        /* reserved += q, needs available >= q */
    PD_RELEASE,        /* reserved -= q, needs reserved >= q */
    PD_TAKE_RESERVED,  /* on_hand -= q and reserved -= q (ship or issue what was reserved) */
    PD_SHIP_IN,        /* in_transit += q */
    PD_ARRIVE,         /* in_transit -= q, on_hand += q, needs in_transit >= q */
};
/* Apply delta d of q (> 0) units to b: 0, or -1 (b unchanged) when it would make a
 * quantity negative or available below zero, or q is not positive. */
int part_balance_apply(struct part_balance *b, enum part_delta d, int64_t q);

/* ---- replenishment ---- */

/* The quantity to reorder for one (part, warehouse) under a reorder point and quantity
 * (the (s, Q) policy): when the stock position, available plus in transit, is at or
 * below reorder_point, enough multiples of reorder_qty to lift it above the point;
 * else 0. 0 too when there is no policy (reorder_qty <= 0 or reorder_point < 0). */
int64_t part_reorder_qty(int64_t available, int64_t in_transit, int64_t reorder_point,
                         int64_t reorder_qty);

#endif
