/* desk: what the agent desk needs besides the log: GET /api/v1/desk/events (the
 * server-sent event stream of screen pops for the signed-in staff member), the staff
 * member's extension (GET/PUT /api/v1/desk/extension) and a customer's card. */
#include "features/contacts/internal.h"

#include "base/arena.h"
#include "base/audit.h"
#include "base/jsonv.h"
#include "features/customers/customers.h"

#include <stdio.h>
#include <string.h>

int ct_events(req *r)
{
    if (!r->who.user_id)
        return reply_error(r, 403, "forbidden", "screen pops go to staff accounts", NULL);
    char ch[32];
    snprintf(ch, sizeof ch, "user:%lld", (long long)r->who.user_id);
    return reply_sse(r, ch);
}

int ct_extension_get(req *r)
{
    db_stmt *st = db_prepare(req_db(r), "SELECT extension FROM staff_extensions WHERE user_id = ?");
    if (!st)
        return -1;
    db_bind_int(st, 1, r->who.user_id);
    json_t *ext = db_step(st) == DB_ROW ? json_string(db_text(st, 0)) : json_null();
    db_done(st);
    return reply_json(r, 200, json_pack("{s:o}", "extension", ext));
}

int ct_extension_put(req *r)
{
    if (!r->who.user_id)
        return reply_error(r, 403, "forbidden", "extensions belong to staff accounts", NULL);
    json_t *b;
    if (req_json(r, &b) < 0)
        return 0;
    static const char *const allowed[] = {"extension", NULL};
    jsonv v;
    jsonv_init(&v, b);
    jsonv_only(&v, allowed);
    const char *ext = jsonv_str(&v, "extension", 0, 32);
    if (ext && *ext && !code_ok(ext, 32))
        jsonv_fail(&v, "extension", "letters, digits and - _ . only");
    if (!jsonv_ok(&v)) {
        json_decref(b);
        return reply_error(r, 422, "validation_failed", "the extension is not valid", jsonv_take(&v));
    }
    db_conn *c = req_db(r);
    int64_t rc = ext && *ext
                     ? db_exec(c, "INSERT INTO staff_extensions (user_id, extension, updated_at) VALUES (?, ?, ?)"
                                  " ON CONFLICT (user_id) DO UPDATE SET extension = excluded.extension,"
                                  " updated_at = excluded.updated_at", "iti", r->who.user_id, ext, now_unix())
                     : db_exec(c, "DELETE FROM staff_extensions WHERE user_id = ?", "i", r->who.user_id);
    json_t *out = json_pack("{s:o}", "extension", ext && *ext ? json_string(ext) : json_null());
    jsonv_free(&v);
    json_decref(b);
    if (rc == DB_EUNIQUE) {
        json_decref(out);
        return reply_error(r, 409, "duplicate", "another staff member has this extension", NULL);
    }
    if (rc < 0) {
        json_decref(out);
        return reply_db_failure(r, (int)rc, "extension");
    }
    return reply_json(r, 200, out);
}

int ct_pop_get(req *r)
{
    db_conn *c = req_db(r);
    int64_t id = 0;
    int rc = customers_resolve(c, req_param(r, "code"), &id, NULL);
    if (rc == -1)
        return reply_not_found(r, "customer");
    if (rc < 0)
        return reply_db_failure(r, rc, "customer");
    return reply_json(r, 200, ct_customer_card(c, id));
}
