/* campaigns: the route table of M12 segments. */
#include "features/campaigns/internal.h"

#define MARKETING (ROLE_ADMIN | ROLE_SUPERVISOR | ROLE_MARKETER)

const struct route campaigns_routes[] = {
    {"POST", "/api/v1/segments/preview", seg_preview_route, MARKETING, 0},
    {"GET", "/api/v1/segments", seg_list, MARKETING, 0},
    {"POST", "/api/v1/segments", seg_create, MARKETING, 0},
    {"GET", "/api/v1/segments/:code", seg_get, MARKETING, 0},
    {0},
};
