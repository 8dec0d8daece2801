/* repairs: the calls the parts capability makes on a repair: find it as the caller may
 * see it, and move it to waiting_parts by the lifecycle's rules when parts are asked for. */
#include "base/audit.h"
#include "features/common/common.h"
#include "features/repairs/internal.h"
#include "rules/repair_state.h"

int repairs_ref(db_conn *c, const char *code, int64_t scope, struct repair_ref *out)
{
    db_stmt *st = db_prepare(c, "SELECT id, COALESCE(outlet_id, 0), status, in_warranty, version"
                                " FROM repairs WHERE code = ?"
                                " AND (CAST(? AS BIGINT) = 0 OR outlet_id = ?)");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, code);
    db_bind_int(st, 2, scope);
    db_bind_int(st, 3, scope);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        out->id = db_int(st, 0);
        out->outlet_id = db_int(st, 1);
        out->status = repair_status_parse(db_text(st, 2));
        out->in_warranty = db_isnull(st, 3) ? -1 : (int)(db_int(st, 3) != 0);
        out->version = db_int(st, 4);
    }
    db_done(st);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? 1 : rc;
}

const char *repairs_quote_first_msg(arena *a, const char *code)
{
    return arena_printf(a,
                        "repair %s is out of warranty: quote it (POST /api/v1/repairs/%s/quote)"
                        " and have the customer approve the quote before parts are requested"
                        " or the repair starts",
                        code, code);
}

int repairs_can_wait_for_parts(const struct repair_ref *ref, unsigned role)
{
    if (ref->status == RS_WAITING_PARTS)
        return 1;
    return repair_transition_check((enum repair_status)ref->status, RS_WAITING_PARTS, role, -1,
                                   NULL) == RS_OK;
}

int repairs_wait_for_parts(db_conn *c, const struct repair_ref *ref, const char *actor,
                           int64_t now)
{
    if (ref->status == RS_WAITING_PARTS)
        return 0;
    if (!repair_transition_find((enum repair_status)ref->status, RS_WAITING_PARTS))
        return 1;
    int64_t e = db_exec(c,
                        "UPDATE repairs SET status = 'waiting_parts', version = version + 1,"
                        " updated_at = ? WHERE id = ? AND status = ?",
                        "iit", now, ref->id, repair_status_name((enum repair_status)ref->status));
    if (e < 0)
        return (int)e;
    if (e == 0)
        return 1; /* moved meanwhile */
    int k = rep_event_add(c, ref->id, "waiting_parts", now, actor);
    if (k < 0)
        return k;
    db_stmt *st = db_prepare(c, "SELECT code FROM repairs WHERE id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, ref->id);
    int rc = db_step(st);
    char code[40] = "";
    if (rc == DB_ROW)
        snprintf(code, sizeof code, "%s", db_text(st, 0));
    db_done(st);
    if (rc != DB_ROW)
        return rc < 0 ? rc : DB_ERROR;
    json_t *detail = json_pack("{s:s, s:s, s:s}", "from",
                               repair_status_name((enum repair_status)ref->status), "to",
                               "waiting_parts", "why", "parts requested");
    k = audit_write(c, actor, "transition", "repair", code, detail);
    json_decref(detail);
    return k < 0 ? k : 0;
}
