/* repairs: the route table of M4 and GET /api/v1/repairs/:code. */
#include "features/common/common.h"
#include "features/repairs/internal.h"

static int repairs_get(req *r)
{
    json_t *j = NULL;
    int rc = rep_repair_load(req_db(r), req_param(r, "code"), scope_outlet(r), r->who.role, &j,
                             NULL);
    if (rc < 0)
        return -1;
    if (rc == 1)
        return reply_not_found(r, "repair");
    return reply_json(r, 200, j);
}

#define DESK (ROLE_ADMIN | ROLE_SUPERVISOR | ROLE_AGENT)
#define REPAIR_ROLES (DESK | ROLE_OUTLET_STAFF)

const struct route repairs_routes[] = {
    {"GET", "/api/v1/repairs", repairs_list, REPAIR_ROLES, 0},
    {"POST", "/api/v1/repairs", repairs_create, REPAIR_ROLES, 0},
    {"GET", "/api/v1/repairs/:code", repairs_get, REPAIR_ROLES, 0},
    {"POST", "/api/v1/repairs/:code/transitions", repairs_transition, REPAIR_ROLES, 0},
    {0},
};
