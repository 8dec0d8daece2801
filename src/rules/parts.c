/* parts: fill order, supersession chains, promise dates and balances (SPEC M7). */
#include "rules/parts.h"

#include <stdlib.h>
#include <string.h>

static const char *const kind_names[PWK_COUNT] = {"central", "branch", "outlet", "third_party",
                                                  "overseas"};

const char *part_wh_kind_name(enum part_wh_kind k)
{
    return (unsigned)k < PWK_COUNT ? kind_names[k] : NULL;
}

int part_wh_kind_parse(const char *name)
{
    for (int i = 0; name && i < PWK_COUNT; i++)
        if (strcmp(kind_names[i], name) == 0)
            return i;
    return -1;
}

int part_province_of(const char *region, char out[7])
{
    if (!region || strlen(region) != 6)
        return -1;
    for (int i = 0; i < 6; i++)
        if (region[i] < '0' || region[i] > '9')
            return -1;
    memcpy(out, region, 2);
    memcpy(out + 2, "0000", 5);
    return 0;
}

static const char *const status_names[PLS_COUNT] = {"reserved", "ordered", "backordered",
                                                    "received", "issued",  "cancelled"};

const char *part_line_status_name(enum part_line_status s)
{
    return (unsigned)s < PLS_COUNT ? status_names[s] : NULL;
}

int part_line_status_parse(const char *name)
{
    for (int i = 0; name && i < PLS_COUNT; i++)
        if (strcmp(status_names[i], name) == 0)
            return i;
    return -1;
}

/* ---------------------------------------------------------------- fill order */

int part_tier_of(const struct part_candidate *c, int64_t outlet_id, const char *province)
{
    switch (c->kind) {
    case PWK_OUTLET:
        return c->outlet_id != 0 && c->outlet_id == outlet_id ? PT_OWN : PT_NONE;
    case PWK_BRANCH:
    case PWK_THIRD_PARTY:
        return province && c->province && strcmp(province, c->province) == 0 ? PT_PROVINCE
                                                                              : PT_NONE;
    case PWK_CENTRAL:
        return PT_CENTRAL;
    case PWK_OVERSEAS:
        return PT_OVERSEAS;
    default:
        return PT_NONE;
    }
}

int part_tier_promise_days(int tier)
{
    switch (tier) {
    case PT_OWN:
        return 0;
    case PT_PROVINCE:
    case PT_CENTRAL:
        return 3;
    case PT_OVERSEAS:
        return 7;
    default:
        return -1;
    }
}

struct part_fill part_fill_choose(const struct part_candidate *c, size_t n, int64_t outlet_id,
                                  const char *province, int64_t qty)
{
    struct part_fill f = {-1, PT_NONE, PLS_BACKORDERED, -1};
    if (qty <= 0)
        return f;
    for (size_t i = 0; i < n; i++) {
        int t = part_tier_of(&c[i], outlet_id, province);
        if (t == PT_NONE || c[i].available < qty)
            continue;
        int better = f.index < 0 || t < f.tier;
        if (!better && t == f.tier) {
            const struct part_candidate *b = &c[f.index];
            better = c[i].available > b->available ||
                     (c[i].available == b->available && c[i].warehouse_id < b->warehouse_id);
        }
        if (better) {
            f.index = (int)i;
            f.tier = t;
        }
    }
    if (f.index >= 0) {
        f.status = f.tier == PT_OVERSEAS ? PLS_ORDERED : PLS_RESERVED;
        f.promise_days = part_tier_promise_days(f.tier);
    }
    return f;
}

/* ---------------------------------------------------------------- supersession */

int part_chain(part_next_fn next, void *ctx, int64_t start, int64_t *out, size_t max)
{
    size_t n = 0;
    for (int64_t id = start; id != 0; id = next(ctx, id)) {
        for (size_t i = 0; i < n; i++)
            if (out[i] == id)
                return -1; /* seen before: a cycle */
        if (n == max)
            return -1;
        out[n++] = id;
    }
    return (int)n;
}

static int link_cmp(const void *a, const void *b)
{
    const struct part_link *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

void part_links_sort(struct part_link *links, size_t n)
{
    if (n > 1)
        qsort(links, n, sizeof *links, link_cmp);
}

int64_t part_links_next(void *ctx, int64_t id)
{
    const struct part_links *l = ctx;
    struct part_link key = {id, 0};
    const struct part_link *p = l->n ? bsearch(&key, l->v, l->n, sizeof key, link_cmp) : NULL;
    return p ? p->next : 0;
}

int part_links_cycle(const struct part_links *l, int64_t *at)
{
    int64_t chain[PART_CHAIN_MAX];
    for (size_t i = 0; i < l->n; i++) {
        if (!l->v[i].next)
            continue;
        if (part_chain(part_links_next, (void *)l, l->v[i].id, chain, PART_CHAIN_MAX) < 0) {
            *at = l->v[i].id;
            return 1;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- dates */

void part_promise_date(const struct dt_zone *z, int64_t now, int days, char out[11])
{
    char today[11];
    int y, m, d;
    dt_local_date(z, now, today);
    if (dt_parse_date(today, &y, &m, &d) < 0) {
        memcpy(out, today, 11);
        return;
    }
    dt_civil_from_days(dt_days_from_civil(y, m, d) + (days > 0 ? days : 0), &y, &m, &d);
    out[0] = (char)('0' + y / 1000 % 10);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}

/* ---------------------------------------------------------------- balances */

int part_qty_ok(long long q)
{
    return q >= 1 && q <= PART_QTY_MAX;
}

int64_t part_available(const struct part_balance *b)
{
    int64_t a = b->on_hand - b->reserved;
    return a > 0 ? a : 0;
}

int part_balance_apply(struct part_balance *b, enum part_delta d, int64_t q)
{
    if (q <= 0)
        return -1;
    struct part_balance n = *b;
    switch (d) {
    case PD_RECEIVE:
        n.on_hand += q;
        break;
    case PD_TAKE:
        if (part_available(b) < q)
            return -1;
        n.on_hand -= q;
        break;
    case PD_RESERVE:
        if (part_available(b) < q)
            return -1;
        n.reserved += q;
        break;
    case PD_RELEASE:
        if (b->reserved < q)
            return -1;
        n.reserved -= q;
        break;
    case PD_TAKE_RESERVED:
        if (b->reserved < q || b->on_hand < q)
            return -1;
        n.on_hand -= q;
        n.reserved -= q;
        break;
    case PD_SHIP_IN:
        n.in_transit += q;
        break;
    case PD_ARRIVE:
        if (b->in_transit < q)
            return -1;
        n.in_transit -= q;
        n.on_hand += q;
        break;
    default:
        return -1;
    }
    if (n.on_hand < 0 || n.reserved < 0 || n.in_transit < 0 || n.on_hand < n.reserved)
        return -1;
    *b = n;
    return 0;
}

/* ---------------------------------------------------------------- replenishment */

int64_t part_reorder_qty(int64_t available, int64_t in_transit, int64_t reorder_point,
                         int64_t reorder_qty)
{
    if (reorder_qty <= 0 || reorder_point < 0)
        return 0;
    int64_t position = (available > 0 ? available : 0) + (in_transit > 0 ? in_transit : 0);
    if (position > reorder_point)
        return 0;
    int64_t n = (reorder_point - position) / reorder_qty + 1;
    return n * reorder_qty;
}
