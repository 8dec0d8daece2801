/* routes: the network's route table. */
#include "features/network/internal.h"

#define R_STAFF (ROLE_ADMIN | ROLE_SUPERVISOR | ROLE_AGENT | ROLE_OUTLET_STAFF | ROLE_WAREHOUSE)

const struct route network_routes[] = {
    {"GET", "/api/v1/regions", net_regions_list, ROLE_ANY, 0},
    {"GET", "/api/v1/regions/:code", net_regions_get, ROLE_ANY, 0},
    {"GET", "/api/v1/outlets", net_outlets_list, R_STAFF, 0},
    {"POST", "/api/v1/outlets", net_outlets_create, ROLE_NETWORK_ADMIN, 0},
    {"GET", "/api/v1/outlets/:code", net_outlets_get, R_STAFF, 0},
    {"PATCH", "/api/v1/outlets/:code", net_outlets_update, ROLE_NETWORK_ADMIN, 0},
    {"GET", "/api/v1/technicians", net_technicians_list,
     ROLE_NETWORK_ADMIN | ROLE_AGENT | ROLE_OUTLET_STAFF, 0},
    {"POST", "/api/v1/technicians", net_technicians_create,
     ROLE_NETWORK_ADMIN | ROLE_OUTLET_MANAGER, 0},
    {"GET", "/api/v1/technicians/:code", net_technicians_get,
     ROLE_NETWORK_ADMIN | ROLE_AGENT | ROLE_OUTLET_STAFF, 0},
    {"PATCH", "/api/v1/technicians/:code", net_technicians_update,
     ROLE_NETWORK_ADMIN | ROLE_OUTLET_MANAGER, 0},
    {"GET", "/api/v1/routing/suggest", net_routing_suggest, ROLE_NETWORK_ADMIN | ROLE_AGENT, 0},
    {"GET", "/api/v1/coverage", net_coverage_get, ROLE_NETWORK_ADMIN, 0},
    {"GET", "/api/v1/outlets/:code/slots", net_outlet_slots,
     ROLE_NETWORK_ADMIN | ROLE_AGENT | ROLE_OUTLET_STAFF, 0},
    {"GET", "/api/v1/appointments", net_appointments_list,
     ROLE_NETWORK_ADMIN | ROLE_AGENT | ROLE_OUTLET_STAFF, 0},
    {"POST", "/api/v1/appointments", net_appointments_create,
     ROLE_NETWORK_ADMIN | ROLE_AGENT | ROLE_OUTLET_MANAGER, 0},
    {"POST", "/api/v1/appointments/:code/cancel", net_appointments_cancel,
     ROLE_NETWORK_ADMIN | ROLE_AGENT | ROLE_OUTLET_MANAGER, 0},
    {"POST", "/api/v1/appointments/:code/complete", net_appointments_complete,
     ROLE_NETWORK_ADMIN | ROLE_AGENT | ROLE_OUTLET_STAFF, 0},
    {0},
};
