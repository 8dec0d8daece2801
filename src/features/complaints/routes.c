/* complaints: the route table of M10 (calendars, the SLA policy, complaints). */
#include "features/complaints/internal.h"

#define DESK (ROLE_ADMIN | ROLE_SUPERVISOR | ROLE_AGENT)
#define MANAGE (ROLE_ADMIN | ROLE_SUPERVISOR)
#define CPL_ROLES (DESK | ROLE_OUTLET_STAFF)

const struct route complaints_routes[] = {
    {"GET", "/api/v1/calendars", cpl_calendars_list, DESK, 0},
    {"GET", "/api/v1/calendars/:name", cpl_calendar_get, DESK, 0},
    {"PUT", "/api/v1/calendars/:name", cpl_calendar_put, MANAGE, 0},
    {"GET", "/api/v1/sla-policies/complaint", cpl_policy_get, DESK, 0},
    {"PUT", "/api/v1/sla-policies/complaint", cpl_policy_put, MANAGE, 0},
    {"GET", "/api/v1/complaints", cpl_list, CPL_ROLES, 0},
    {"POST", "/api/v1/complaints", cpl_create, DESK, 0},
    {"GET", "/api/v1/complaints/:code", cpl_get, CPL_ROLES, 0},
    {"POST", "/api/v1/complaints/:code/responses", cpl_respond, CPL_ROLES, 0},
    {"POST", "/api/v1/complaints/:code/pause", cpl_pause, CPL_ROLES, 0},
    {"POST", "/api/v1/complaints/:code/resume", cpl_resume, CPL_ROLES, 0},
    {"POST", "/api/v1/complaints/:code/resolve", cpl_resolve, CPL_ROLES, 0},
    {"POST", "/api/v1/complaints/:code/transitions", cpl_transition, CPL_ROLES, 0},
    {0},
};
