/* repairs: one repair as JSON, as a list row or in full with its timeline and the
 * transitions the caller may make next. */
#include "features/common/common.h"
#include "features/repairs/internal.h"
#include "rules/repair_state.h"

/* ---------------------------------------------------------------- reading */

static json_t *opt_text(db_stmt *st, int col)
{
    return db_isnull(st, col) ? json_null() : json_string(db_text(st, col));
}

/* The instant in col as RFC 3339 text, or null. */
static json_t *opt_time(db_stmt *st, int col)
{
    return dt_json(db_isnull(st, col) ? DT_NONE : db_int(st, col));
}

static json_t *pair(db_stmt *st, int col)
{
    return db_isnull(st, col) ? json_null()
                              : json_pack("{s:s, s:s}", "code", db_text(st, col), "name",
                                          db_text(st, col + 1));
}

json_t *rep_repair_row_json(db_stmt *st, int full)
{
    int64_t now = now_unix();
    int64_t since = db_isnull(st, 20) ? db_int(st, 19) : db_int(st, 20);
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o}", "code", db_text(st, 1),
                          "status", db_text(st, 2), "kind", db_text(st, 3), "channel",
                          db_text(st, 4), "customer", pair(st, 9), "serial", opt_text(st, 11),
                          "model", pair(st, 12), "product_line", pair(st, 14), "outlet",
                          pair(st, 16));
    json_object_set_new(j, "in_warranty",
                        db_isnull(st, 6) ? json_null() : json_boolean(db_int(st, 6) != 0));
    json_object_set_new(j, "registered_at", dt_json(db_int(st, 19)));
    json_object_set_new(j, "received_at", opt_time(st, 20));
    json_object_set_new(j, "repaired_at", opt_time(st, 21));
    json_object_set_new(j, "delivered_at", opt_time(st, 22));
    json_object_set_new(j, "cancelled_at", opt_time(st, 23));
    json_object_set_new(j, "age_days", json_integer((json_int_t)((now - since) / 86400)));
    json_object_set_new(j, "version", json_integer((json_int_t)db_int(st, 24)));
    if (full) {
        json_object_set_new(j, "fault", opt_text(st, 5));
        json_object_set_new(j, "quote_fen",
                            db_isnull(st, 7) ? json_null() : json_integer((json_int_t)db_int(st, 7)));
        json_object_set_new(j, "cancel_reason", opt_text(st, 8));
        json_object_set_new(j, "warranty_until", opt_text(st, 26));
        if (!db_isnull(st, 16))
            json_object_set_new(json_object_get(j, "outlet"), "phone", opt_text(st, 18));
    }
    return j;
}

/* Load one repair as the caller may see it. 0 with *out, 1 when not found (or another
 * outlet's), or a negative db code. */
int rep_repair_load(db_conn *c, const char *code, int64_t outlet, unsigned role, json_t **out,
                    int64_t *id_out)
{
    db_stmt *st = db_prepare(c, "SELECT " REPAIR_COLS REPAIR_FROM
                                " WHERE r.code = ? AND (CAST(? AS BIGINT) = 0 OR r.outlet_id = ?)");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, code);
    db_bind_int(st, 2, outlet);
    db_bind_int(st, 3, outlet);
    int rc = db_step(st);
    json_t *j = NULL;
    int64_t id = 0;
    if (rc == DB_ROW) {
        j = rep_repair_row_json(st, 1);
        id = db_int(st, 0);
    }
    db_done(st);
    if (rc != DB_ROW)
        return rc == DB_DONE ? 1 : rc;
    st = db_prepare(c, "SELECT status, at, actor, note FROM repair_events WHERE repair_id = ?"
                       " ORDER BY at, id");
    if (!st) {
        json_decref(j);
        return DB_ERROR;
    }
    db_bind_int(st, 1, id);
    json_t *events = json_array();
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(events, json_pack("{s:s, s:o, s:s, s:o}", "status", db_text(st, 0),
                                                "at", dt_json(db_int(st, 1)), "actor",
                                                db_text(st, 2), "note", opt_text(st, 3)));
    db_done(st);
    json_object_set_new(j, "events", events);
    enum repair_status next[RS_COUNT];
    int n = repair_next_states((enum repair_status)repair_status_parse(
                                   json_string_value(json_object_get(j, "status"))),
                               role, next);
    json_t *na = json_array(), *iw = json_object_get(j, "in_warranty");
    for (int i = 0; i < n; i++) {
        /* a paid repair in diagnosing is quoted first: no step past the quote offered */
        if (repair_skips_quote((enum repair_status)repair_status_parse(
                                   json_string_value(json_object_get(j, "status"))),
                               next[i], json_is_boolean(iw) ? json_is_true(iw) : -1))
            continue;
        const struct repair_transition *t =
            repair_transition_find((enum repair_status)repair_status_parse(
                                       json_string_value(json_object_get(j, "status"))),
                                   next[i]);
        json_array_append_new(na, json_pack("{s:s, s:b, s:b}", "to", repair_status_name(next[i]),
                                            "needs_quote", (t->needs & RS_NEEDS_QUOTE) != 0,
                                            "needs_reason", (t->needs & RS_NEEDS_REASON) != 0));
    }
    json_object_set_new(j, "next", na);
    if (rc < 0) {
        json_decref(j);
        return rc;
    }
    *out = j;
    if (id_out)
        *id_out = id;
    return 0;
}
