/* admin accounts: creating a staff account with a first password that must be changed,
 * a user changing their own password, and the password policy both use. */
#include "features/admin/admin.h"

#include "base/audit.h"
#include "base/auth.h"
#include "base/jsonv.h"
#include "features/common/common.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* Common passwords of 10 characters or more (leaked-password lists' top entries). */
static const char *const common[] = {
    "1234567890", "12345678910", "0123456789", "1111111111", "0000000000", "1234554321",
    "qwertyuiop", "1q2w3e4r5t", "1qaz2wsx3edc", "password123", "password1234", "passw0rd123",
    "iloveyou123", "abcdefghij", "abc1234567", "a123456789", "qwerty1234", "qwerty123456",
    "woaini1314", "woaini520", "5201314520", "1314520520", "asdfghjkl;", "asdfghjkl1",
    "zxcvbnm123", "administrator", "admin12345", "admin123456", "welcome123", "changeme123",
    "letmein123", "football123", "sunshine123", "princess123", "987654321", "9876543210",
    "aa123456789", "q1w2e3r4t5", "1q2w3e4r5t6y", "p@ssw0rd123", "aftersales123", NULL,
};

const char *admin_password_problem(const char *login, const char *pw)
{
    size_t n = strlen(pw);
    if (n < 10)
        return "at least 10 characters";
    if (n > 256)
        return "at most 256 characters";
    if (login && strcasecmp(login, pw) == 0)
        return "must not be the login";
    for (int i = 0; common[i]; i++)
        if (strcasecmp(common[i], pw) == 0)
            return "too common";
    size_t same = 0;
    while (same < n && pw[same] == pw[0])
        same++;
    return same == n ? "too common" : NULL;
}

const char *const admin_roles[] = {"admin",     "supervisor", "agent",  "outlet_manager",
                                   "technician", "warehouse",  "editor", "marketer", NULL};

/* 1 when an account has that email address (after a failed insert: which key clashed). */
static int email_taken(db_conn *c, const char *email)
{
    int64_t id = 0;
    return lookup_id(c, "SELECT id FROM users WHERE email = ?", email, &id) == 0;
}

static int user_create(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv v;
    jsonv_init(&v, body);
    const char *login = jsonv_str(&v, "login", 1, 64), *name = jsonv_str(&v, "name", 0, 100),
               *role = jsonv_enum(&v, "role", 1, admin_roles), *outlet = jsonv_str(&v, "outlet", 0, 32),
               *pw = jsonv_str(&v, "password", 1, 1024);
    size_t ll = login ? strlen(login) : 0;
    if (login && (ll < 2 || strspn(login, "abcdefghijklmnopqrstuvwxyz0123456789._-") != ll))
        jsonv_fail(&v, "login", "2-64 of a-z 0-9 . _ -");
    if (role && (role_from_name(role) & ROLE_OUTLET_STAFF) && !outlet)
        jsonv_fail(&v, "outlet", "outlet staff need an outlet");
    char email[IDENTITY_EMAIL_MAX];
    admin_email_field(&v, body, email);
    const char *why = pw ? admin_password_problem(login, pw) : NULL;
    if (why)
        jsonv_fail(&v, "password", why);
    db_conn *c = req_db(r);
    int64_t oid = 0;
    if (jsonv_ok(&v) && outlet &&
        lookup_id(c, "SELECT id FROM outlets WHERE code = ?", outlet, &oid) != 0)
        jsonv_fail(&v, "outlet", "no such outlet");
    int rc;
    if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed", "invalid account", jsonv_take(&v));
        goto done;
    }
    json_t *detail = json_pack("{s:[s,s,s,s,s]}", "fields", "login", "name", "role", "outlet",
                               "password");
    if (*email)
        json_array_append_new(json_object_get(detail, "fields"), json_string("email"));
    int64_t w = db_begin(c);
    if (w >= 0)
        w = auth_user_add(c, login, name ? name : login, role, oid, pw);
    if (w >= 0)
        w = db_exec(c, "UPDATE users SET must_change_password = 1, email = NULLIF(?, '')"
                       " WHERE login = ?", "tt", email, login);
    if (w >= 0)
        w = audit_write(c, audit_actor(r), "create", "user", login, detail);
    if (w >= 0)
        w = db_commit(c);
    json_decref(detail);
    if (w < 0) {
        db_rollback(c);
        rc = w == DB_EUNIQUE && *email && email_taken(c, email) ? admin_email_taken(r)
             : w == DB_EUNIQUE ? reply_error(r, 409, "conflict", "that login exists already", NULL)
                               : -1;
        goto done;
    }
    rc = admin_user_reply(r, login, 201);
done:
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

/* The caller's password hash, NULL when none (a bearer token). */
static char *password_hash(req *r)
{
    if (!r->who.user_id)
        return NULL;
    db_stmt *st = db_prepare(req_db(r), "SELECT password_hash FROM users WHERE id = ?");
    if (!st)
        return NULL;
    db_bind_int(st, 1, r->who.user_id);
    char *h = db_step(st) == DB_ROW ? arena_strdup(r->a, db_text(st, 0)) : NULL;
    db_done(st);
    return h;
}

static int me_password(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv v;
    jsonv_init(&v, body);
    const char *cur = jsonv_str(&v, "current_password", 1, 1024),
               *pw = jsonv_str(&v, "new_password", 1, 1024);
    char *hash = password_hash(r);
    int rc = 0;
    if (!hash) {
        rc = reply_error(r, 422, "validation_failed", "a bearer token has no password", NULL);
        goto done;
    }
    if (cur && !auth_verify_password(hash, cur))
        jsonv_fail(&v, "current_password", "wrong password");
    const char *why = pw ? admin_password_problem(r->who.login, pw) : NULL;
    if (why)
        jsonv_fail(&v, "new_password", why);
    if (pw && cur && strcmp(pw, cur) == 0)
        jsonv_fail(&v, "new_password", "must differ from the current one");
    if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed", "password not changed", jsonv_take(&v));
        goto done;
    }
    char nh[crypto_pwhash_STRBYTES];
    if (auth_hash_password(pw, nh) < 0) {
        rc = -1;
        goto done;
    }
    db_conn *c = req_db(r);
    json_t *detail = json_pack("{s:[s]}", "fields", "password");
    int64_t w = db_begin(c);
    if (w >= 0)
        w = db_exec(c,
                    "UPDATE users SET password_hash = ?, must_change_password = 0,"
                    " version = version + 1, updated_at = ? WHERE id = ?",
                    "tii", nh, now_unix(), r->who.user_id);
    /* The other sessions of this login end; this one goes on. */
    if (w >= 0)
        w = db_exec(c, "DELETE FROM sessions WHERE user_id = ? AND id <> ?", "ii",
                    r->who.user_id, r->who.session_id);
    if (w >= 0)
        w = audit_write(c, audit_actor(r), "password", "user", r->who.login, detail);
    if (w >= 0)
        w = db_commit(c);
    json_decref(detail);
    if (w < 0) {
        db_rollback(c);
        rc = -1;
        goto done;
    }
    rc = reply_empty(r, 204);
done:
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

/* Run sql (parameters: value, now, login) as an admin change of login in one
 * transaction, audited with the field names; ends the login's sessions when
 * end_sessions. 0, 1 when there is no such login, or a negative db code. */
static int64_t account_change(req *r, const char *login, const char *action, json_t *fields,
                              int end_sessions, const char *sql, const char *value)
{
    db_conn *c = req_db(r);
    int64_t w = db_begin(c);
    if (w >= 0)
        w = db_exec(c, sql, "tit", value, now_unix(), login);
    if (w == 0) {
        db_rollback(c);
        return 1;
    }
    if (w >= 0 && end_sessions)
        w = db_exec(c, "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE login = ?)",
                    "t", login);
    json_t *detail = json_pack("{s:O}", "fields", fields);
    if (w >= 0)
        w = audit_write(c, audit_actor(r), action, "user", login, detail);
    if (w >= 0)
        w = db_commit(c);
    json_decref(detail);
    if (w < 0) {
        db_rollback(c);
        return w;
    }
    return 0;
}

static int change_answer(req *r, const char *login, int64_t w)
{
    if (w == 1)
        return reply_error(r, 404, "not_found", "no such login", NULL);
    return w < 0 ? -1 : admin_user_reply(r, login, 200);
}

/* POST /api/v1/users/:login/password {password}: a new first password, changed at the
 * next login; the login's sessions end. */
static int user_reset_password(req *r)
{
    const char *login = req_param(r, "login");
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv v;
    jsonv_init(&v, body);
    const char *pw = jsonv_str(&v, "password", 1, 1024);
    const char *why = pw ? admin_password_problem(login, pw) : NULL;
    if (why)
        jsonv_fail(&v, "password", why);
    int rc;
    char nh[crypto_pwhash_STRBYTES];
    if (!jsonv_ok(&v))
        rc = reply_error(r, 422, "validation_failed", "password not set", jsonv_take(&v));
    else if (auth_hash_password(pw, nh) < 0)
        rc = -1;
    else {
        json_t *f = json_pack("[s]", "password");
        rc = change_answer(r, login,
                           account_change(r, login, "reset_password", f, 1,
                                          "UPDATE users SET password_hash = ?,"
                                          " must_change_password = 1, version = version + 1,"
                                          " updated_at = ? WHERE login = ?",
                                          nh));
        json_decref(f);
    }
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

const struct route admin_account_routes[] = {
    {"POST", "/api/v1/users/:login/password", user_reset_password, ROLE_ADMIN, 0},
    {"POST", "/api/v1/users", user_create, ROLE_ADMIN, 0},
    {"POST", "/api/v1/me/password", me_password, ROLE_ANY, ROUTE_PASSWORD_PENDING},
    {0},
};
