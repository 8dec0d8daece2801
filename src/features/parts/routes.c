/* parts: the route table of M7. */
#include "features/common/common.h"
#include "features/parts/internal.h"

#define BOSS (ROLE_ADMIN | ROLE_SUPERVISOR)
#define STOCK_DESK (BOSS | ROLE_WAREHOUSE)
/* Outlet staff see and move their own outlet's stock (the handlers confine them). */
#define STOCK_ALL (STOCK_DESK | ROLE_OUTLET_STAFF)

const struct route parts_routes[] = {
    {"GET", "/api/v1/parts", parts_list, ROLE_ANY, 0},
    {"POST", "/api/v1/parts", parts_create, STOCK_DESK, 0},
    {"GET", "/api/v1/parts/:number", parts_get, ROLE_ANY, 0},
    {"GET", "/api/v1/warehouses", warehouses_list, STOCK_ALL, 0},
    {"POST", "/api/v1/warehouses", warehouses_create, STOCK_DESK, 0},
    {"GET", "/api/v1/stock", stock_list, STOCK_ALL, 0},
    {"GET", "/api/v1/stock-moves", moves_list, STOCK_ALL, 0},
    {"POST", "/api/v1/stock-moves", moves_create, STOCK_ALL, 0},
    {"GET", "/api/v1/transfers", transfers_list, STOCK_ALL, 0},
    {"POST", "/api/v1/transfers/:code/receive", transfers_receive, STOCK_ALL, 0},
    {"GET", "/api/v1/repairs/:code/part-requests", requests_list, BOSS | ROLE_AGENT | ROLE_OUTLET_STAFF | ROLE_WAREHOUSE, 0},
    {"POST", "/api/v1/repairs/:code/part-requests", requests_create, BOSS | ROLE_OUTLET_STAFF, 0},
    {"GET", "/api/v1/part-request-lines", lines_list, STOCK_ALL, 0},
    {"POST", "/api/v1/part-request-lines/:code/ship", line_ship, STOCK_DESK, 0},
    {"POST", "/api/v1/part-request-lines/:code/receive", line_receive, STOCK_ALL, 0},
    {"POST", "/api/v1/part-request-lines/:code/issue", line_issue, BOSS | ROLE_OUTLET_STAFF, 0},
    {"POST", "/api/v1/part-request-lines/:code/cancel", line_cancel, STOCK_ALL, 0},
    {"GET", "/api/v1/part-returns", returns_list, STOCK_ALL, 0},
    {"POST", "/api/v1/part-returns/:line/receive", returns_receive, STOCK_DESK, 0},
    {"POST", "/api/v1/reorder-points", reorder_set, STOCK_DESK, 0},
    {"GET", "/api/v1/replenishment", replenishment_list, STOCK_ALL, 0},
    {"GET", "/api/v1/purchase-orders", po_list, STOCK_DESK, 0},
    {"POST", "/api/v1/purchase-orders", po_create, STOCK_DESK, 0},
    {"GET", "/api/v1/purchase-orders/:code", po_get, STOCK_DESK, 0},
    {"POST", "/api/v1/purchase-orders/:code/receive", po_receive, STOCK_DESK, 0},
    {"POST", "/api/v1/purchase-orders/:code/cancel", po_cancel, STOCK_DESK, 0},
    {0},
};
