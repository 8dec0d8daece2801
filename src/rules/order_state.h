/* order_state: the order lifecycle of SPEC M13 as a table. Pure functions, no I/O.
 *
 *   placed -> confirmed -> picked -> shipped -> delivered -> returned;
 *   placed, confirmed, picked -> cancelled; shipped -> returned.
 *
 * Each transition says what it does to the stock reserved for the order's lines. */
#ifndef RULES_ORDER_STATE_H
#define RULES_ORDER_STATE_H

enum order_status {
    OS_PLACED,
    OS_CONFIRMED,
    OS_PICKED,
    OS_SHIPPED,
    OS_DELIVERED,
    OS_CANCELLED,
    OS_RETURNED,
    OS_COUNT,
};

/* What a transition does to the lines' stock at the fulfilling warehouse. */
enum order_stock {
    OST_NONE,    /* nothing */
    OST_RELEASE, /* the reserved units go back to available (cancel) */
    OST_ISSUE,   /* the reserved units leave the warehouse (ship) */
    OST_RESTOCK, /* the units come back into on_hand (return) */
};

/* Names ("placed", ...) <-> values; -1 for an unknown name, NULL for a bad value. */
const char *order_status_name(enum order_status s);
int order_status_parse(const char *name);
/* 1 when no transition leaves s (cancelled, returned). */
int order_status_final(enum order_status s);
/* 1 when the order may still be changed or cancelled by its customer: before it ships. */
int order_modifiable(enum order_status s);
/* 1 when from -> to is a transition of the lifecycle (*stock its stock effect). */
int order_transition_ok(enum order_status from, enum order_status to, enum order_stock *stock);
/* Which instant column a transition into to sets: "confirmed_at", ... or NULL. */
const char *order_time_column(enum order_status to);

#endif
