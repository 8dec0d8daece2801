/* prices: the route table of the price guide and quotes (M8). */
#include "features/common/common.h"
#include "features/prices/internal.h"

#define BOSS (ROLE_ADMIN | ROLE_SUPERVISOR)
#define DESK (BOSS | ROLE_AGENT)
#define REPAIR_ROLES (DESK | ROLE_OUTLET_STAFF)
/* who quotes and records costs: those who may move a repair to quoted */
#define QUOTERS (BOSS | ROLE_OUTLET_STAFF)

const struct route prices_routes[] = {
    {"GET", "/api/v1/prices", pr_prices_list, REPAIR_ROLES, 0},
    {"POST", "/api/v1/prices", pr_prices_put, BOSS, 0},
    {"GET", "/api/v1/price-caps", pr_caps_list, REPAIR_ROLES, 0},
    {"POST", "/api/v1/price-caps", pr_caps_put, BOSS, 0},
    {"GET", "/api/v1/repairs/:code/labour", pr_repair_labour, REPAIR_ROLES, 0},
    {"GET", "/api/v1/repairs/:code/charges", pr_repair_charges, REPAIR_ROLES, 0},
    {"POST", "/api/v1/repairs/:code/quote", pr_repair_quote, QUOTERS, 0},
    {"POST", "/api/v1/repairs/:code/warranty-cost", pr_repair_warranty_cost, QUOTERS, 0},
    {"GET", "/api/v1/reports/warranty-cost", pr_warranty_report, REPAIR_ROLES, 0},
    {0},
};
