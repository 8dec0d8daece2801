/* outbox: a staff notification (channel 'staff', recipient a role such as
 * 'supervisor') goes to the email addresses of the enabled accounts of that role
 * (users.email, 0023), in one mail; for an outlet-bound role (outlet_manager,
 * technician) to that outlet's accounts only when the payload names an "outlet". */
#include "features/outbox/internal.h"

#include <stdio.h>
#include <string.h>

enum ob_result ob_staff_rcpts(db_conn *c, const char *role, const char *payload,
                              struct ob_rcpts *out, char *err, size_t errlen)
{
    out->n = 0;
    unsigned bit = role_from_name(role);
    if (!bit) {
        snprintf(err, errlen, "staff: no role %s", role);
        return OB_PERMANENT;
    }
    json_t *p = json_loads(payload ? payload : "{}", 0, NULL);
    const char *outlet = json_string_value(json_object_get(p, "outlet"));
    if (!(bit & ROLE_OUTLET_STAFF))
        outlet = NULL;
    db_stmt *st = db_prepare(c, "SELECT u.email FROM users u LEFT JOIN outlets o ON o.id = u.outlet_id"
                                " WHERE u.role = ? AND u.active = 1 AND u.email IS NOT NULL"
                                " AND (CAST(? AS TEXT) IS NULL OR o.code = ?) ORDER BY u.id");
    if (!st) {
        json_decref(p);
        snprintf(err, errlen, "staff: %s", db_errmsg(c));
        return OB_RETRY;
    }
    db_bind_text(st, 1, role);
    db_bind_text(st, 2, outlet);
    db_bind_text(st, 3, outlet);
    int rc;
    /* the first OB_RCPTS_MAX accounts (by id) when a role has more */
    while ((rc = db_step(st)) == DB_ROW && out->n < OB_RCPTS_MAX)
        snprintf(out->addr[out->n++], sizeof out->addr[0], "%s", db_text(st, 0));
    db_done(st);
    enum ob_result res = OB_SENT;
    if (rc != DB_DONE && rc != DB_ROW) {
        snprintf(err, errlen, "staff: %s", db_errmsg(c));
        res = OB_RETRY;
    } else if (out->n == 0) {
        snprintf(err, errlen, "no enabled %s%s%s has an email address (set one on the accounts screen)",
                 role, outlet ? " of outlet " : "", outlet ? outlet : "");
        res = OB_PERMANENT;
    }
    json_decref(p);
    return res;
}
