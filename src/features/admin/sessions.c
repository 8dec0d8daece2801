/* admin sessions: a person's own sessions (list, end one, log out everywhere). */
#include "features/admin/admin.h"

#include "base/auth.h"
#include "base/datetime.h"
#include "features/common/common.h"

#include <stdlib.h>

static int my_sessions(req *r)
{
    /* A bearer token has no sessions: an empty list (user_id 0 matches none). */
    db_stmt *st = db_prepare(req_db(r), "SELECT id, created_at, expires_at, client FROM sessions"
                                        " WHERE user_id = ? AND expires_at > ? ORDER BY id DESC");
    if (!st)
        return -1;
    db_bind_int(st, 1, r->who.user_id);
    db_bind_int(st, 2, now_unix());
    json_t *items = json_array();
    int s;
    while ((s = db_step(st)) == DB_ROW) {
        char created[21], expires[21];
        dt_rfc3339(db_int(st, 1), created);
        dt_rfc3339(db_int(st, 2), expires);
        json_array_append_new(
            items, json_pack("{s:I, s:s, s:s, s:s?, s:b}", "id", (json_int_t)db_int(st, 0),
                             "created_at", created, "expires_at", expires, "client",
                             db_isnull(st, 3) ? NULL : db_text(st, 3), "current",
                             db_int(st, 0) == r->who.session_id));
    }
    db_done(st);
    if (s < 0) {
        json_decref(items);
        return -1;
    }
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/* End sessions of the caller: one (id > 0) or all of them. */
static int end_sessions(req *r, int64_t id)
{
    if (!r->who.user_id)
        return reply_error(r, 404, "not_found", "a bearer token has no sessions", NULL);
    int64_t n = id ? db_exec(req_db(r), "DELETE FROM sessions WHERE user_id = ? AND id = ?",
                             "ii", r->who.user_id, id)
                   : db_exec(req_db(r), "DELETE FROM sessions WHERE user_id = ?", "i",
                             r->who.user_id);
    if (n < 0)
        return -1;
    if (n == 0)
        return reply_error(r, 404, "not_found", "no such session", NULL);
    return reply_empty(r, 204);
}

static int logout_everywhere(req *r) { return end_sessions(r, 0); }

static int end_one(req *r)
{
    char *end;
    const char *p = req_param(r, "id");
    long long id = strtoll(p, &end, 10);
    if (*end || id < 1)
        return reply_error(r, 404, "not_found", "no such session", NULL);
    return end_sessions(r, (int64_t)id);
}

const struct route admin_session_routes[] = {
    {"GET", "/api/v1/me/sessions", my_sessions, ROLE_ANY, 0},
    {"DELETE", "/api/v1/me/sessions", logout_everywhere, ROLE_ANY, 0},
    {"DELETE", "/api/v1/me/sessions/:id", end_one, ROLE_ANY, 0},
    {0},
};
