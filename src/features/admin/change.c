/* admin change: an administrator changes an account's role, outlet, name or email by version.
 * The update moves auth_epoch (a trigger), so the account's open sessions have the new
 * rights on their next request, on every server; audited with the changed field names. */
#include "features/admin/admin.h"

#include "base/audit.h"
#include "base/jsonv.h"
#include "features/common/common.h"

#include <stdio.h>
#include <string.h>

struct account {
    int64_t id, outlet_id, version;
    char role[32];
    char *name, *email;
};

/* 0, 1 when there is no such login, or a negative db code. */
static int load(req *r, const char *login, struct account *a)
{
    db_stmt *st = db_prepare(req_db(r), "SELECT id, role, COALESCE(outlet_id, 0), version, name,"
                                        " COALESCE(email, '')"
                                        " FROM users WHERE login = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, login);
    int s = db_step(st);
    if (s == DB_ROW) {
        a->id = db_int(st, 0);
        snprintf(a->role, sizeof a->role, "%s", db_text(st, 1));
        a->outlet_id = db_int(st, 2);
        a->version = db_int(st, 3);
        a->name = arena_strdup(r->a, db_text(st, 4));
        a->email = arena_strdup(r->a, db_text(st, 5));
    }
    db_done(st);
    return s == DB_ROW ? 0 : s == DB_DONE ? 1 : s;
}

/* One write: 0, 1 when the version moved on, or a negative db code. */
static int64_t store(req *r, const char *login, const struct account *was, const char *role,
                     int64_t outlet_id, const char *name, const char *email, json_t *fields)
{
    db_conn *c = req_db(r);
    int64_t w = db_begin(c);
    if (w >= 0)
        w = db_exec(c,
                    outlet_id ? "UPDATE users SET role = ?, outlet_id = ?, name = ?, email = NULLIF(?, ''),"
                                " version = version + 1, updated_at = ? WHERE id = ? AND version = ?"
                              : "UPDATE users SET role = ?, outlet_id = NULLIF(?, 0), name = ?,"
                                " email = NULLIF(?, ''),"
                                " version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
                    "tittiii", role, outlet_id, name, email, now_unix(), was->id, was->version);
    if (w == 0) {
        db_rollback(c);
        return 1;
    }
    json_t *detail = json_pack("{s:O}", "fields", fields);
    if (w >= 0)
        w = audit_write(c, audit_actor(r), "update", "user", login, detail);
    json_decref(detail);
    if (w >= 0)
        w = db_commit(c);
    if (w < 0)
        db_rollback(c);
    return w < 0 ? w : 0;
}

int admin_user_change(req *r)
{
    static const char *const allowed[] = {"version", "role", "outlet", "name", "email", NULL};
    const char *login = req_param(r, "login");
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv v;
    jsonv_init(&v, body);
    jsonv_only(&v, allowed);
    long long version = 0;
    jsonv_int_range(&v, "version", 1, 1, INT64_MAX, &version);
    const char *role = jsonv_enum(&v, "role", 0, admin_roles),
               *outlet = jsonv_str(&v, "outlet", 0, 32), *name = jsonv_str(&v, "name", 0, 100);
    int outlet_given = json_is_object(body) && json_object_get(body, "outlet") != NULL;
    if (name && !*name)
        jsonv_fail(&v, "name", "must not be empty");
    char email[IDENTITY_EMAIL_MAX];
    int email_given = admin_email_field(&v, body, email);
    struct account was = {0};
    int rc = 0, l = jsonv_ok(&v) ? load(r, login, &was) : 0;
    if (l == 1) {
        rc = reply_error(r, 404, "not_found", "no such login", NULL);
        goto done;
    }
    if (l < 0) {
        rc = reply_db_failure(r, l, "account");
        goto done;
    }
    int64_t oid = was.outlet_id;
    if (jsonv_ok(&v) && outlet_given) {
        oid = 0;
        if (outlet && lookup_id(req_db(r), "SELECT id FROM outlets WHERE code = ?", outlet,
                                &oid) != 0)
            jsonv_fail(&v, "outlet", "no such outlet");
    }
    const char *to_role = role ? role : was.role;
    if (jsonv_ok(&v) && (role_from_name(to_role) & ROLE_OUTLET_STAFF) && !oid)
        jsonv_fail(&v, "outlet", "outlet staff need an outlet");
    if (jsonv_ok(&v) && role && strcmp(role, was.role) != 0 && r->who.login &&
        strcmp(r->who.login, login) == 0)
        jsonv_fail(&v, "role", "you cannot change your own role");
    if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed", "account not changed", jsonv_take(&v));
        goto done;
    }
    if (version != was.version) {
        rc = reply_error(r, 409, "stale_version", "the account changed since you read it", NULL);
        goto done;
    }
    json_t *fields = json_array();
    if (strcmp(to_role, was.role) != 0)
        json_array_append_new(fields, json_string("role"));
    if (oid != was.outlet_id)
        json_array_append_new(fields, json_string("outlet"));
    if (name && strcmp(name, was.name) != 0)
        json_array_append_new(fields, json_string("name"));
    const char *to_email = email_given ? email : was.email;
    if (strcmp(to_email, was.email) != 0)
        json_array_append_new(fields, json_string("email"));
    int64_t w = json_array_size(fields)
                    ? store(r, login, &was, to_role, oid, name ? name : was.name, to_email, fields)
                    : 0;
    json_decref(fields);
    if (w == 1)
        rc = reply_error(r, 409, "stale_version", "the account changed since you read it", NULL);
    else if (w == DB_EUNIQUE)
        rc = admin_email_taken(r);
    else if (w < 0)
        rc = reply_db_failure(r, (int)w, "account");
    else
        rc = admin_user_reply(r, login, 200);
done:
    jsonv_free(&v);
    json_decref(body);
    return rc;
}
