/* admin users: the staff accounts list (admin and supervisor, CSV/XLSX) and disable /
 * enable of a login, which ends its sessions at once on this server. */
#include "features/admin/admin.h"

#include "base/audit.h"
#include "base/auth.h"
#include "base/datetime.h"
#include "features/common/common.h"

#include <string.h>

int admin_user_set_active(db_conn *c, const char *actor, const char *login, int enable)
{
    if (db_begin(c) < 0)
        return DB_ERROR;
    int64_t n = db_exec(c,
                        "UPDATE users SET active = ?, version = version + 1, updated_at = ?"
                        " WHERE login = ?",
                        "iit", (int64_t)(enable ? 1 : 0), now_unix(), login);
    if (n == 0) {
        db_rollback(c);
        return 1;
    }
    json_t *detail = json_pack("{s:[s]}", "fields", "active");
    int64_t rc = n;
    if (rc >= 0 && !enable)
        rc = db_exec(c, "DELETE FROM sessions WHERE user_id = (SELECT id FROM users"
                        " WHERE login = ?)",
                     "t", login);
    if (rc >= 0)
        rc = audit_write(c, actor, enable ? "enable" : "disable", "user", login, detail);
    if (rc >= 0)
        rc = db_commit(c);
    json_decref(detail);
    if (rc < 0) {
        db_rollback(c);
        return (int)rc;
    }
    return 0;
}

static const struct table_col cols[] = {
    {"login", NULL, TABLE_TEXT, 16, 0},      {"name", NULL, TABLE_TEXT, 20, 0},
    {"role", NULL, TABLE_TEXT, 14, 0},       {"outlet", NULL, TABLE_TEXT, 10, 0},
    {"active", NULL, TABLE_TEXT, 7, 0},      {"created_at", NULL, TABLE_TEXT, 21, 0},
    {"updated_at", NULL, TABLE_TEXT, 21, 0}, {"version", NULL, TABLE_INT, 7, 0},
    {"email", NULL, TABLE_TEXT, 24, 0},
};

#define USER_SELECT                                                                        \
    "SELECT u.login, u.name, u.role, o.code, u.active, u.created_at, u.updated_at, u.version," \
    " u.email"                                                                               \
    " FROM users u LEFT JOIN outlets o ON o.id = u.outlet_id"

static json_t *user_json(db_stmt *st)
{
    char created[21], updated[21];
    dt_rfc3339(db_int(st, 5), created);
    dt_rfc3339(db_int(st, 6), updated);
    return json_pack("{s:s, s:s, s:s, s:s?, s:b, s:s, s:s, s:I, s:s?}", "login", db_text(st, 0),
                     "name", db_text(st, 1), "role", db_text(st, 2), "outlet",
                     db_isnull(st, 3) ? NULL : db_text(st, 3), "active", (int)db_int(st, 4),
                     "created_at", created, "updated_at", updated, "version",
                     (json_int_t)db_int(st, 7), "email",
                     db_isnull(st, 8) ? NULL : db_text(st, 8));
}

static int one(db_conn *c, int64_t id, json_t **out)
{
    db_stmt *st = db_prepare(c, USER_SELECT " WHERE u.id = ?");
    if (!st)
        return -1;
    db_bind_int(st, 1, id);
    *out = db_step(st) == DB_ROW ? user_json(st) : NULL;
    db_done(st);
    return *out ? 0 : -1;
}

/* ?q= (part of the login or name), ?role=, ?active=true|false; by id. */
static int users_page(req *r, const struct page *p, json_t *items, const char **next)
{
    const char *q = req_query(r, "q"), *role = req_query(r, "role"),
               *active = req_query(r, "active");
    q = q && *q ? q : NULL;
    role = role && *role ? role : NULL;
    active = active && *active ? active : NULL;
    if (q && strlen(q) > 100)
        return reply_bad_param(r, "q", "at most 100 bytes"), LIST_ANSWERED;
    if (role && !role_from_name(role))
        return reply_bad_param(r, "role", "a staff role"), LIST_ANSWERED;
    if (active && strcmp(active, "true") != 0 && strcmp(active, "false") != 0)
        return reply_bad_param(r, "active", "true or false"), LIST_ANSWERED;
    int64_t after = 0;
    if (p->nkeys && page_key_pos(p, 0, &after) < 0)
        return reply_bad_param(r, "cursor", "not a cursor of this list"), LIST_ANSWERED;
    char *like = q ? arena_printf(r->a, "%%%s%%", q) : NULL;
    db_stmt *st = db_prepare(req_db(r), "SELECT id FROM users WHERE id > ?"
                                        " AND (CAST(? AS TEXT) IS NULL OR login LIKE ? OR name LIKE ?)"
                                        " AND (CAST(? AS TEXT) IS NULL OR role = ?)"
                                        " AND (? < 0 OR active = ?)"
                                        " ORDER BY id LIMIT ?");
    if (!st)
        return -1;
    int64_t act = active ? (active[0] == 't') : -1;
    db_bind_int(st, 1, after);
    db_bind_text(st, 2, like);
    db_bind_text(st, 3, like);
    db_bind_text(st, 4, like);
    db_bind_text(st, 5, role);
    db_bind_text(st, 6, role);
    db_bind_int(st, 7, act);
    db_bind_int(st, 8, act);
    db_bind_int(st, 9, p->limit + 1);
    return list_ids_page(r, p, st, one, items, next);
}

static int users_list(req *r)
{
    static const struct list_spec spec = {
        .name = "users", .cols = cols, .ncols = (int)(sizeof cols / sizeof *cols),
        .def_limit = 50, .max_limit = 500, .nkeys = 1, .page = users_page,
    };
    return list_reply(r, &spec);
}

int admin_user_reply(req *r, const char *login, int status)
{
    db_stmt *st = db_prepare(req_db(r), USER_SELECT " WHERE u.login = ?");
    if (!st)
        return reply_error(r, 500, "internal", "database error", NULL);
    db_bind_text(st, 1, login);
    json_t *j = db_step(st) == DB_ROW ? user_json(st) : NULL;
    db_done(st);
    if (!j)
        return reply_error(r, 404, "not_found", "no such login", NULL);
    return reply_json(r, status, j);
}

static int user_get(req *r)
{
    return admin_user_reply(r, req_param(r, "login"), 200);
}

static int set_active(req *r, int enable)
{
    const char *login = req_param(r, "login");
    if (!enable && r->who.login && strcmp(r->who.login, login) == 0)
        return reply_error(r, 422, "validation_failed", "you cannot disable your own login",
                           NULL);
    int rc = admin_user_set_active(req_db(r), audit_actor(r), login, enable);
    if (rc == 1)
        return reply_error(r, 404, "not_found", "no such login", NULL);
    if (rc < 0)
        return reply_error(r, 500, "internal", "database error", NULL);
    return admin_user_reply(r, login, 200);
}

static int user_disable(req *r) { return set_active(r, 0); }
static int user_enable(req *r) { return set_active(r, 1); }

const struct route admin_routes[] = {
    {"GET", "/api/v1/audit", admin_audit_list, ROLE_ADMIN | ROLE_SUPERVISOR, 0},
    {"GET", "/api/v1/users", users_list, ROLE_ADMIN | ROLE_SUPERVISOR, 0},
    {"GET", "/api/v1/users/:login", user_get, ROLE_ADMIN | ROLE_SUPERVISOR, 0},
    {"PATCH", "/api/v1/users/:login", admin_user_change, ROLE_ADMIN, 0},
    {"POST", "/api/v1/users/:login/disable", user_disable, ROLE_ADMIN, 0},
    {"POST", "/api/v1/users/:login/enable", user_enable, ROLE_ADMIN, 0},
    {0},
};
