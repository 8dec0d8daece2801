/* admin email: a staff account's email address (0023): read from a body, checked and
 * normalised as customers' addresses are (rules/identity.c), stored unique; the
 * outbox sends a role's notifications to these addresses. PATCH /api/v1/me sets one's
 * own. */
#include "features/admin/admin.h"

#include "base/audit.h"
#include "base/jsonv.h"
#include "features/common/common.h"
#include "rules/identity.h"

#include <string.h>

int admin_email_field(jsonv *v, json_t *body, char out[IDENTITY_EMAIL_MAX])
{
    out[0] = '\0';
    json_t *e = json_is_object(body) ? json_object_get(body, "email") : NULL;
    if (!e)
        return 0;
    if (json_is_null(e))
        return 1;
    const char *s = jsonv_str(v, "email", 0, 320);
    if (!s)
        return 0;
    if (!*s)
        return 1; /* "" clears, as null does */
    if (identity_email(s, out) < 0) {
        jsonv_fail(v, "email", "not an email address");
        return 0;
    }
    return 1;
}

int64_t admin_email_store(db_conn *c, int64_t user_id, const char *email)
{
    return db_exec(c, "UPDATE users SET email = NULLIF(?, ''), updated_at = ? WHERE id = ?",
                   "tii", email, now_unix(), user_id);
}

/* PATCH /api/v1/me {email}: one's own address (null or "" removes it). */
static int me_change(req *r)
{
    static const char *const allowed[] = {"email", NULL};
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv v;
    jsonv_init(&v, body);
    jsonv_only(&v, allowed);
    char email[IDENTITY_EMAIL_MAX];
    int given = admin_email_field(&v, body, email);
    int rc;
    if (jsonv_ok(&v) && !r->who.user_id)
        jsonv_fail(&v, "email", "a bearer token has no account");
    if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed", "account not changed", jsonv_take(&v));
        goto done;
    }
    if (given) {
        db_conn *c = req_db(r);
        json_t *detail = json_pack("{s:[s]}", "fields", "email");
        int64_t w = db_begin(c);
        if (w >= 0)
            w = admin_email_store(c, r->who.user_id, email);
        if (w >= 0)
            w = audit_write(c, audit_actor(r), "update", "user", r->who.login, detail);
        if (w >= 0)
            w = db_commit(c);
        json_decref(detail);
        if (w < 0) {
            db_rollback(c);
            rc = w == DB_EUNIQUE ? admin_email_taken(r) : reply_db_failure(r, (int)w, "account");
            goto done;
        }
    }
    rc = admin_user_reply(r, r->who.login, 200);
done:
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

int admin_email_taken(req *r)
{
    return reply_error(r, 409, "conflict", "another account has that email address",
                       json_pack("{s:s}", "email", "taken"));
}

const struct route admin_me_routes[] = {
    {"PATCH", "/api/v1/me", me_change, ROLE_ANY, 0},
    {0},
};
