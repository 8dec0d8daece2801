/* scope: outlet confinement and the shared error answers of handlers. */
#include "base/log.h"
#include "features/common/common.h"

#include <string.h>

int64_t scope_outlet(const req *r)
{
    if (!(r->who.role & ROLE_OUTLET_STAFF))
        return 0;
    return r->who.outlet_id ? r->who.outlet_id : -1;
}

int scope_sees(const req *r, int64_t outlet_id)
{
    int64_t mine = scope_outlet(r);
    return mine == 0 || (outlet_id != 0 && outlet_id == mine);
}

int reply_not_found(req *r, const char *what)
{
    return reply_error(r, 404, "not_found", arena_printf(r->a, "no such %s", what), NULL);
}

const char *query_one_of(req *r, const char *name, const char *const *allowed, int *ok)
{
    const char *v = req_query(r, name);
    if (!v || !*v)
        return NULL;
    int hit = 0;
    for (int i = 0; allowed[i]; i++)
        hit |= strcmp(v, allowed[i]) == 0;
    *ok &= hit;
    return v;
}

int reply_bad_param(req *r, const char *param, const char *why)
{
    return reply_error(r, 422, "validation_failed", why, json_pack("{s:s}", param, why));
}

int reply_db_failure(req *r, int rc, const char *what)
{
    if (rc == DB_EBUSY)
        return reply_error(r, 503, "busy", "the database is busy; try again", NULL);
    log_error("%s: %s", what, db_errmsg(req_db(r)));
    return -1;
}
