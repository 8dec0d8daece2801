/* orders: the route table of orders, the battery check and feedback. */
#include "features/orders/internal.h"

#define STAFF (ROLE_ADMIN | ROLE_SUPERVISOR | ROLE_AGENT | ROLE_OUTLET_STAFF | ROLE_WAREHOUSE)
#define PUB (ROUTE_PUBLIC | ROUTE_LIMITED)

const struct route orders_routes[] = {
    {"GET", "/api/v1/orders", ord_list, STAFF, 0},
    {"POST", "/api/v1/orders", ord_post, STAFF, 0},
    {"GET", "/api/v1/orders/:code", ord_get, STAFF, 0},
    {"PATCH", "/api/v1/orders/:code", ord_patch, STAFF, 0},
    {"POST", "/api/v1/orders/:code/transition", ord_step, STAFF, 0},
    {"POST", "/api/v1/orders/:code/payment", ord_pay, STAFF, 0},
    {"GET", "/api/v1/feedback", ord_feedback_list, STAFF, 0},
    {"POST", "/api/v1/feedback", ord_feedback_counter, STAFF, 0},
    {"GET", "/api/v1/feedback/:code", ord_feedback_get, STAFF, 0},
    {"PATCH", "/api/v1/feedback/:code", ord_feedback_patch, STAFF, 0},
    {"GET", "/api/v1/public/accessories", ord_public_accessories, 0, PUB},
    {"POST", "/api/v1/public/orders", ord_public_place, 0, PUB},
    {"GET", "/api/v1/public/orders/:code", ord_public_get, 0, PUB},
    {"PATCH", "/api/v1/public/orders/:code", ord_public_patch, 0, PUB},
    {"POST", "/api/v1/public/orders/:code/cancel", ord_public_cancel, 0, PUB},
    {"GET", "/api/v1/public/battery/:serial", ord_battery, 0, PUB},
    {"POST", "/api/v1/public/feedback", ord_feedback_post, 0, PUB},
    {0},
};
