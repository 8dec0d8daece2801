/* repairs: POST /api/v1/repairs/:code/transitions, one step of the lifecycle of
 * rules/repair_state, recorded, audited and notified. */
#include "base/audit.h"
#include "base/jsonv.h"
#include "features/common/common.h"
#include "features/repairs/internal.h"
#include "rules/repair_state.h"
#include "rules/warranty.h"

#include <string.h>

/* A transition asked for, and the repair it applies to. */
struct step {
    const char *to_s, *reason, *note, *code;
    int to, from, has_version, has_quote;
    int in_warranty; /* 1, 0 (paid) or -1 (not decided yet) */
    int via_quote; /* made by the quote route (prices), which priced the amount */
    long long version, quote;
    int64_t id, cur_version;
};

/* Read the body into s; the errors go to v. */
static void read_step(jsonv *v, struct step *s)
{
    static const char *const allowed[] = {"to", "version", "quote_fen", "reason", "note", NULL};
    jsonv_only(v, allowed);
    s->to_s = jsonv_str(v, "to", 1, 20);
    s->version = 0;
    s->quote = -1;
    s->has_version = jsonv_int(v, "version", 0, &s->version);
    s->has_quote = jsonv_int(v, "quote_fen", 0, &s->quote);
    s->reason = jsonv_str(v, "reason", 0, 500);
    s->note = jsonv_str(v, "note", 0, 2000);
    s->to = s->to_s ? repair_status_parse(s->to_s) : -1;
    if (s->to_s && s->to < 0)
        jsonv_fail(v, "to", "unknown status");
    if (s->has_quote && (s->quote <= 0 || s->quote > 100000000LL))
        jsonv_fail(v, "quote_fen", "a positive amount in fen, at most 1,000,000 yuan");
}

/* Answer why the step may not be made from the current state and return 1, or 0 when
 * it may. */
static int refuse_step(req *r, const struct step *s)
{
    const char *from = repair_status_name((enum repair_status)s->from);
    int verdict = repair_transition_check((enum repair_status)s->from, (enum repair_status)s->to,
                                          r->who.role, s->has_quote ? s->quote : -1, s->reason);
    const char *code = NULL, *msg = NULL, *field = NULL;
    int status = 0;
    switch (verdict) {
    case RS_ILLEGAL:
        status = 409, code = "illegal_transition";
        msg = arena_printf(r->a, "a repair cannot go from %s to %s", from, s->to_s);
        break;
    case RS_FORBIDDEN_ROLE:
        status = 403, code = "forbidden";
        msg = arena_printf(r->a, "your role may not move a repair from %s to %s", from, s->to_s);
        break;
    case RS_MISSING_QUOTE:
        status = 422, code = "validation_failed", field = "quote_fen";
        msg = "a quote needs quote_fen, the amount in fen";
        break;
    case RS_MISSING_REASON:
        status = 422, code = "validation_failed", field = "reason";
        msg = "a cancellation needs a reason";
        break;
    }
    /* A quote is labour from the price guide plus parts at catalog price (SPEC M8): only
     * the quote route makes it, so a typed amount cannot stand in for one. */
    if ((!status || verdict == RS_MISSING_QUOTE) && s->to == RS_QUOTED && !s->via_quote) {
        field = NULL;
        status = 422, code = "quote_required";
        msg = arena_printf(r->a,
                           "a repair is quoted with POST /api/v1/repairs/%s/quote (labour from"
                           " the price guide plus parts at catalog price), not by a transition",
                           s->code);
    }
    if (!status && repair_skips_quote((enum repair_status)s->from, (enum repair_status)s->to,
                                      s->in_warranty)) {
        status = 409, code = "quote_not_approved";
        msg = repairs_quote_first_msg(r->a, s->code);
    }
    if (!status && s->has_version && s->version != s->cur_version) {
        status = 409, code = "stale_version";
        msg = "the repair was changed by someone else; reload it";
    }
    if (!status)
        return 0;
    reply_error(r, status, code, msg, field ? json_pack("{s:s}", field, "required") : NULL);
    return 1;
}

/* The new state, its time and (at receipt) warranty or paid. The number of rows changed
 * (0: someone else moved it first) or a negative db code. */
static int64_t update_repair(db_conn *c, const struct step *s, json_t *cur, int64_t now)
{
    int tcol = repair_status_time((enum repair_status)s->to);
    int64_t in_warranty = -1;
    if (s->to == RS_RECEIVED) {
        /* Warranty or paid, decided once, at receipt, from the unit's warranty end. */
        char today[11];
        dt_local_date(org_zone(c), now, today);
        json_t *wu = json_object_get(cur, "warranty_until");
        in_warranty = warranty_covers(json_is_string(wu) ? json_string_value(wu) : NULL, today);
    }
    int64_t quote = s->to == RS_QUOTED ? s->quote : 0;
    return db_exec(
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
        "tiiiiiiiiiiiiititi", repair_status_name((enum repair_status)s->to), now, (int64_t)tcol, now,
        (int64_t)tcol, now, (int64_t)tcol, now, (int64_t)tcol, now, in_warranty, in_warranty, quote,
        quote, s->to == RS_CANCELLED ? s->reason : NULL, s->id,
        repair_status_name((enum repair_status)s->from), s->cur_version);
}

/* The timeline event, the ready-for-pick-up message and the audit entry of a step
 * made. 0 or a negative db code. */
static int record_step(req *r, db_conn *c, const struct step *s, int64_t now)
{
    const char *to = repair_status_name((enum repair_status)s->to);
    const char *event_note = s->to == RS_CANCELLED ? s->reason : s->note;
    if (s->to == RS_QUOTED && !s->note)
        event_note = arena_printf(r->a, "%lld.%02lld", s->quote / 100, s->quote % 100);
    int64_t e = db_exec(c, "INSERT INTO repair_events (repair_id, status, at, actor, note)"
                           " VALUES (?, ?, ?, ?, ?)",
                        "ititt", s->id, to, now, audit_actor(r), event_note);
    if (e < 0)
        return (int)e;
    if (s->to == RS_REPAIRED &&
        (e = db_exec(c,
                     "INSERT INTO outbox (channel, recipient, template, payload, customer_id, created_at)"
                     " SELECT 'sms', ph.phone, 'repair_ready', CAST(? AS TEXT), r.customer_id, CAST(? AS BIGINT) FROM repairs r"
                     " JOIN customer_phones ph ON ph.customer_id = r.customer_id WHERE r.id = ?"
                     " ORDER BY ph.id LIMIT 1",
                     "tii", arena_printf(r->a, "{\"code\":\"%s\"}", s->code), now, s->id)) < 0)
        return (int)e;
    for (const char *const *hook = feature_repair_steps; *hook; hook++)
        if ((e = db_exec(c, *hook, "tii", audit_actor(r), now, s->id)) < 0)
            return (int)e;
    for (const feature_repair_hook *fn = feature_repair_hooks; *fn; fn++)
        if ((e = (*fn)(c, s->id, to, now)) < 0)
            return (int)e;
    json_t *detail = json_pack("{s:s, s:s}", "from", repair_status_name((enum repair_status)s->from),
                               "to", to);
    if (s->has_quote && s->to == RS_QUOTED)
        json_object_set_new(detail, "quote_fen", json_integer(s->quote));
    if (s->reason && s->to == RS_CANCELLED)
        json_object_set_new(detail, "reason", json_string(s->reason));
    int k = audit_write(c, audit_actor(r), "transition", "repair", s->code, detail);
    json_decref(detail);
    return k < 0 ? k : 0;
}

/* The step inside the open transaction: answered (refusals too) or -1; the caller
 * commits when *commit is set. */
static int make_step(req *r, db_conn *c, struct step *s, json_t **out, int *commit)
{
    json_t *cur = NULL;
    int k = rep_repair_load(c, s->code, scope_outlet(r), r->who.role, &cur, &s->id);
    if (k < 0)
        return -1;
    if (k == 1)
        return reply_not_found(r, "repair");
    s->from = repair_status_parse(json_string_value(json_object_get(cur, "status")));
    s->cur_version = json_integer_value(json_object_get(cur, "version"));
    json_t *iw = json_object_get(cur, "in_warranty");
    s->in_warranty = json_is_boolean(iw) ? json_is_true(iw) : -1;
    if (refuse_step(r, s)) {
        json_decref(cur);
        return 0;
    }
    int64_t now = now_unix();
    int64_t e = update_repair(c, s, cur, now);
    json_decref(cur);
    if (e < 0)
        return -1;
    if (e == 0)
        return reply_error(r, 409, "stale_version", "the repair was changed by someone else; reload it",
                           NULL);
    if (record_step(r, c, s, now) < 0 || rep_repair_load(c, s->code, 0, r->who.role, out, NULL) != 0)
        return -1;
    *commit = 1;
    return 0;
}

int repairs_step(req *r, db_conn *c, const char *code, const char *to, int64_t quote_fen,
                 const char *reason, json_t **out)
{
    struct step s = {0};
    s.code = code;
    s.to_s = to;
    s.to = repair_status_parse(to);
    s.reason = reason;
    s.has_quote = quote_fen > 0;
    s.quote = quote_fen > 0 ? quote_fen : -1;
    s.via_quote = s.to == RS_QUOTED;
    int commit = 0;
    *out = NULL;
    if (s.to < 0 || make_step(r, c, &s, out, &commit) < 0)
        return -1;
    return commit ? 0 : 1;
}

int repairs_transition(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv v;
    jsonv_init(&v, body);
    struct step s = {0};
    read_step(&v, &s);
    s.code = req_param(r, "code");
    int rc;
    if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed", "the transition is not valid", jsonv_take(&v));
    } else {
        db_conn *c = req_db(r);
        json_t *j = NULL;
        int commit = 0;
        if (db_begin(c) < 0) {
            rc = -1;
        } else {
            rc = make_step(r, c, &s, &j, &commit);
            if (commit && db_commit(c) == 0) {
                rc = reply_json(r, 200, j);
            } else {
                db_rollback(c);
                json_decref(j);
                if (commit)
                    rc = -1;
            }
        }
    }
    jsonv_free(&v);
    json_decref(body);
    return rc;
}
