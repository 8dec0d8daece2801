/* routes: the contact center's route table. */
#include "features/contacts/internal.h"

#define DESK (ROLE_AGENT | ROLE_SUPERVISOR | ROLE_ADMIN)

const struct route contacts_routes[] = {
    {"GET", "/api/v1/contacts", ct_list, DESK | ROLE_OUTLET_STAFF, 0},
    {"POST", "/api/v1/contacts", ct_create, DESK | ROLE_OUTLET_STAFF, 0},
    {"GET", "/api/v1/contacts/:code", ct_get, DESK | ROLE_OUTLET_STAFF, 0},
    {"PATCH", "/api/v1/contacts/:code", ct_update, DESK, 0},
    {"GET", "/api/v1/hotlines", ct_hotlines_list, DESK, 0},
    {"PUT", "/api/v1/hotlines/:code", ct_hotline_put, ROLE_SUPERVISOR | ROLE_ADMIN, 0},
    {"GET", "/api/v1/callbacks", ct_callbacks_list, DESK, 0},
    {"POST", "/api/v1/callbacks/:code/attempts", ct_callback_attempt, DESK, 0},
    {"GET", "/api/v1/desk/events", ct_events, DESK, 0},
    {"GET", "/api/v1/desk/extension", ct_extension_get, DESK, 0},
    {"PUT", "/api/v1/desk/extension", ct_extension_put, DESK, 0},
    {"GET", "/api/v1/desk/customers/:code", ct_pop_get, DESK, 0},
    {"POST", "/api/v1/cti/:token", ct_webhook, 0, ROUTE_PUBLIC | ROUTE_NO_CSRF | ROUTE_RAW_BODY | ROUTE_SECRET_PATH},
    {0},
};
