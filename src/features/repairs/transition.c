/* repairs: POST /api/v1/repairs/:code/transitions, one step of the lifecycle of
 * rules/repair_state, recorded, audited and notified. */
#include "base/audit.h"
#include "base/jsonv.h"
#include "features/repairs/internal.h"
#include "rules/repair_state.h"
#include "rules/warranty.h"

#include <string.h>

/* ---------------------------------------------------------------- transitions */

int repairs_transition(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    static const char *const allowed[] = {"to", "version", "quote_fen", "reason", "note", NULL};
    jsonv v;
    jsonv_init(&v, body);
    jsonv_only(&v, allowed);
    const char *to_s = jsonv_str(&v, "to", 1, 20);
    long long version = 0, quote = -1;
    int has_version = jsonv_int(&v, "version", 0, &version);
    int has_quote = jsonv_int(&v, "quote_fen", 0, &quote);
    const char *reason = jsonv_str(&v, "reason", 0, 500);
    const char *note = jsonv_str(&v, "note", 0, 2000);
    int to = to_s ? repair_status_parse(to_s) : -1;
    if (to_s && to < 0)
        jsonv_fail(&v, "to", "unknown status");
    if (has_quote && (quote <= 0 || quote > 100000000LL))
        jsonv_fail(&v, "quote_fen", "a positive amount in fen, at most 1,000,000 yuan");
    int rc = 0;
    json_t *cur = NULL, *j = NULL;
    if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed", "the transition is not valid", jsonv_take(&v));
        goto cleanup;
    }
    db_conn *c = req_db(r);
    const char *code = req_param(r, "code");
    int64_t id = 0;
    if (db_begin(c) < 0) {
        rc = -1;
        goto cleanup;
    }
    int k = rep_repair_load(c, code, rep_confined_outlet(r), r->who.role, &cur, &id);
    if (k < 0)
        goto fail;
    if (k == 1) {
        db_rollback(c);
        rc = reply_error(r, 404, "not_found", "no such repair", NULL);
        goto cleanup;
    }
    int from = repair_status_parse(json_string_value(json_object_get(cur, "status")));
    int64_t cur_version = json_integer_value(json_object_get(cur, "version"));
    int verdict = repair_transition_check((enum repair_status)from, (enum repair_status)to,
                                          r->who.role, has_quote ? quote : -1, reason);
    const char *err_code = NULL, *msg = NULL, *field = NULL;
    int status = 0;
    switch (verdict) {
    case RS_ILLEGAL:
        status = 409, err_code = "illegal_transition";
        msg = arena_printf(r->a, "a repair cannot go from %s to %s", repair_status_name((enum repair_status)from),
                           to_s);
        break;
    case RS_FORBIDDEN_ROLE:
        status = 403, err_code = "forbidden";
        msg = arena_printf(r->a, "your role may not move a repair from %s to %s",
                           repair_status_name((enum repair_status)from), to_s);
        break;
    case RS_MISSING_QUOTE:
        status = 422, err_code = "validation_failed", field = "quote_fen";
        msg = "a quote needs quote_fen, the amount in fen";
        break;
    case RS_MISSING_REASON:
        status = 422, err_code = "validation_failed", field = "reason";
        msg = "a cancellation needs a reason";
        break;
    }
    if (!status && has_version && version != cur_version) {
        status = 409, err_code = "stale_version";
        msg = "the repair was changed by someone else; reload it";
    }
    if (status) {
        db_rollback(c);
        rc = reply_error(r, status, err_code, msg, field ? json_pack("{s:s}", field, "required") : NULL);
        goto cleanup;
    }
    int64_t now = now_unix();
    int tcol = repair_status_time((enum repair_status)to);
    int64_t in_warranty = -1;
    if (to == RS_RECEIVED) {
        /* Warranty or paid, decided once, at receipt, from the unit's warranty end. */
        char today[11];
        rep_local_date(now, today);
        json_t *wu = json_object_get(cur, "warranty_until");
        in_warranty = warranty_covers(json_is_string(wu) ? json_string_value(wu) : NULL, today);
    }
    int64_t e = db_exec(
        c,
        "UPDATE repairs SET status = ?, version = version + 1, updated_at = ?,"
        " received_at = CASE WHEN CAST(? AS BIGINT) = 1 THEN CAST(? AS BIGINT) ELSE received_at END,"
        " repaired_at = CASE WHEN CAST(? AS BIGINT) = 2 THEN CAST(? AS BIGINT) ELSE repaired_at END,"
        " delivered_at = CASE WHEN CAST(? AS BIGINT) = 3 THEN CAST(? AS BIGINT) ELSE delivered_at END,"
        " cancelled_at = CASE WHEN CAST(? AS BIGINT) = 4 THEN CAST(? AS BIGINT) ELSE cancelled_at END,"
        " in_warranty = CASE WHEN CAST(? AS BIGINT) >= 0 THEN CAST(? AS INTEGER) ELSE in_warranty END,"
        " quote_fen = CASE WHEN CAST(? AS BIGINT) > 0 THEN CAST(? AS BIGINT) ELSE quote_fen END,"
        " cancel_reason = COALESCE(CAST(? AS TEXT), cancel_reason)"
        " WHERE id = ? AND status = ? AND version = ?",
        "tiiiiiiiiiiiiititi", repair_status_name((enum repair_status)to), now, (int64_t)tcol, now,
        (int64_t)tcol, now, (int64_t)tcol, now, (int64_t)tcol, now, in_warranty, in_warranty,
        (int64_t)(to == RS_QUOTED ? quote : 0), (int64_t)(to == RS_QUOTED ? quote : 0),
        to == RS_CANCELLED ? reason : NULL, id, repair_status_name((enum repair_status)from),
        cur_version);
    if (e < 0)
        goto fail;
    if (e == 0) {
        db_rollback(c);
        rc = reply_error(r, 409, "stale_version", "the repair was changed by someone else; reload it",
                         NULL);
        goto cleanup;
    }
    const char *event_note = to == RS_CANCELLED ? reason : note;
    if (to == RS_QUOTED && !note)
        event_note = arena_printf(r->a, "%lld.%02lld", quote / 100, quote % 100);
    if (db_exec(c, "INSERT INTO repair_events (repair_id, status, at, actor, note) VALUES (?, ?, ?, ?, ?)",
                "ititt", id, repair_status_name((enum repair_status)to), now, audit_actor(r),
                event_note) < 0)
        goto fail;
    if (to == RS_REPAIRED &&
        db_exec(c,
                "INSERT INTO outbox (channel, recipient, template, payload, customer_id, created_at)"
                " SELECT 'sms', ph.phone, 'repair_ready', CAST(? AS TEXT), r.customer_id, CAST(? AS BIGINT) FROM repairs r"
                " JOIN customer_phones ph ON ph.customer_id = r.customer_id WHERE r.id = ?"
                " ORDER BY ph.id LIMIT 1",
                "tii", arena_printf(r->a, "{\"code\":\"%s\"}", code), now, id) < 0)
        goto fail;
    json_t *detail = json_pack("{s:s, s:s}", "from", repair_status_name((enum repair_status)from),
                               "to", repair_status_name((enum repair_status)to));
    if (has_quote && to == RS_QUOTED)
        json_object_set_new(detail, "quote_fen", json_integer(quote));
    if (reason && to == RS_CANCELLED)
        json_object_set_new(detail, "reason", json_string(reason));
    k = audit_write(c, audit_actor(r), "transition", "repair", code, detail);
    json_decref(detail);
    if (k < 0)
        goto fail;
    if (rep_repair_load(c, code, 0, r->who.role, &j, NULL) != 0 || db_commit(c) < 0)
        goto fail;
    rc = reply_json(r, 200, j);
    j = NULL;
    goto cleanup;
fail:
    db_rollback(c);
    rc = -1;
cleanup:
    json_decref(cur);
    json_decref(j);
    jsonv_free(&v);
    json_decref(body);
    return rc;
}
