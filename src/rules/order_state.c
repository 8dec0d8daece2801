/* order_state: the order lifecycle table of SPEC M13 and its checks. */
#include "rules/order_state.h"

#include <stddef.h>
#include <string.h>

static const char *const names[OS_COUNT] = {
    [OS_PLACED] = "placed",       [OS_CONFIRMED] = "confirmed", [OS_PICKED] = "picked",
    [OS_SHIPPED] = "shipped",     [OS_DELIVERED] = "delivered", [OS_CANCELLED] = "cancelled",
    [OS_RETURNED] = "returned",
};

static const struct {
    enum order_status from, to;
    enum order_stock stock;
} transitions[] = {
    {OS_PLACED, OS_CONFIRMED, OST_NONE},     {OS_CONFIRMED, OS_PICKED, OST_NONE},
    {OS_PICKED, OS_SHIPPED, OST_ISSUE},      {OS_SHIPPED, OS_DELIVERED, OST_NONE},
    {OS_PLACED, OS_CANCELLED, OST_RELEASE},  {OS_CONFIRMED, OS_CANCELLED, OST_RELEASE},
    {OS_PICKED, OS_CANCELLED, OST_RELEASE},  {OS_SHIPPED, OS_RETURNED, OST_RESTOCK},
    {OS_DELIVERED, OS_RETURNED, OST_RESTOCK},
};

const char *order_status_name(enum order_status s)
{
    return (unsigned)s < OS_COUNT ? names[s] : NULL;
}

int order_status_parse(const char *name)
{
    if (!name)
        return -1;
    for (int i = 0; i < OS_COUNT; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

int order_status_final(enum order_status s)
{
    for (size_t i = 0; i < sizeof transitions / sizeof *transitions; i++)
        if (transitions[i].from == s)
            return 0;
    return 1;
}

int order_modifiable(enum order_status s)
{
    return s == OS_PLACED || s == OS_CONFIRMED || s == OS_PICKED;
}

int order_transition_ok(enum order_status from, enum order_status to, enum order_stock *stock)
{
    for (size_t i = 0; i < sizeof transitions / sizeof *transitions; i++)
        if (transitions[i].from == from && transitions[i].to == to) {
            if (stock)
                *stock = transitions[i].stock;
            return 1;
        }
    return 0;
}

const char *order_time_column(enum order_status to)
{
    switch (to) {
    case OS_CONFIRMED: return "confirmed_at";
    case OS_PICKED: return "picked_at";
    case OS_SHIPPED: return "shipped_at";
    case OS_DELIVERED: return "delivered_at";
    case OS_CANCELLED: return "cancelled_at";
    case OS_RETURNED: return "returned_at";
    default: return NULL;
    }
}
