/* campaigns: the route table of M12 segments and campaigns. */
#include "features/campaigns/internal.h"

#define MARKETING (ROLE_ADMIN | ROLE_SUPERVISOR | ROLE_MARKETER)

const struct route campaigns_routes[] = {
    {"POST", "/api/v1/segments/preview", seg_preview_route, MARKETING, 0},
    {"GET", "/api/v1/segments", seg_list, MARKETING, 0},
    {"POST", "/api/v1/segments", seg_create, MARKETING, 0},
    {"GET", "/api/v1/segments/:code", seg_get, MARKETING, 0},
    {"GET", "/api/v1/campaigns", cp_list, MARKETING | ROLE_AGENT, 0},
    {"POST", "/api/v1/campaigns", cp_create, MARKETING, 0},
    {"GET", "/api/v1/campaigns/:code", cp_get, MARKETING | ROLE_AGENT, 0},
    {"POST", "/api/v1/campaigns/:code/launch", cp_launch, MARKETING, 0},
    {"GET", "/api/v1/campaigns/:code/targets", cp_targets, MARKETING | ROLE_AGENT, 0},
    {"POST", "/api/v1/campaigns/:code/targets/:id/attempts", cp_attempt, MARKETING | ROLE_AGENT, 0},
    {"GET", "/api/v1/public/unsubscribe/:token", cp_unsub_page, 0,
     ROUTE_PUBLIC | ROUTE_LIMITED | ROUTE_SECRET_PATH},
    {"POST", "/api/v1/public/unsubscribe/:token", cp_unsub_post, 0,
     ROUTE_PUBLIC | ROUTE_LIMITED | ROUTE_RAW_BODY | ROUTE_SECRET_PATH | ROUTE_NO_CSRF},
    {0},
};
