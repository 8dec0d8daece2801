/* admin tokens: bearer tokens over the API. Everyone lists their own tokens (admins see
 * all, with the owner), creates one with a name and an expiry (acting with its owner's
 * role and outlet as they are at each request, base/auth.h; the secret is answered once
 * and stored only as a hash) and revokes
 * one; a revoked or expired token is refused (401) from the next request on. */
#include "features/admin/admin.h"

#include "base/audit.h"
#include "base/auth.h"
#include "base/datetime.h"
#include "base/jsonv.h"
#include "features/common/common.h"

#include <stdio.h>
#include <stdlib.h>

#define MAX_LIFETIME (2 * 366 * 86400LL)

static const struct table_col cols[] = {
    {"id", NULL, TABLE_INT, 6, 0},          {"name", NULL, TABLE_TEXT, 20, 0},
    {"role", NULL, TABLE_TEXT, 14, 0},      {"outlet", NULL, TABLE_TEXT, 10, 0},
    {"owner", NULL, TABLE_TEXT, 16, 0},     {"state", NULL, TABLE_TEXT, 9, 0},
    {"created_at", NULL, TABLE_TEXT, 21, 0}, {"expires_at", NULL, TABLE_TEXT, 21, 0},
    {"revoked_at", NULL, TABLE_TEXT, 21, 0},
};

/* Bind: now, admin (1 sees all), user id, then the cursor. */
#define TOKEN_SELECT                                                                          \
    "SELECT t.id, t.name, " AUTH_TOKEN_ROLE ", o.code, u.login,"                              \
    " CASE WHEN t.revoked_at IS NOT NULL THEN 'revoked' WHEN t.expires_at IS NOT NULL"        \
    " AND t.expires_at <= ? THEN 'expired' ELSE 'active' END, t.created_at, t.expires_at,"    \
    " t.revoked_at FROM api_tokens t LEFT JOIN users u ON u.id = t.user_id"                   \
    " LEFT JOIN outlets o ON o.id = " AUTH_TOKEN_OUTLET " WHERE (? = 1 OR t.user_id = ?)"

static const char *when(db_stmt *st, int col, char out[21])
{
    if (db_isnull(st, col))
        return NULL;
    dt_rfc3339(db_int(st, col), out);
    return out;
}

static json_t *token_json(db_stmt *st)
{
    char c[21], e[21], rv[21];
    return json_pack("{s:I, s:s, s:s, s:s?, s:s?, s:s, s:s, s:s?, s:s?}", "id",
                     (json_int_t)db_int(st, 0), "name", db_text(st, 1), "role", db_text(st, 2),
                     "outlet", db_isnull(st, 3) ? NULL : db_text(st, 3), "owner",
                     db_isnull(st, 4) ? NULL : db_text(st, 4), "state", db_text(st, 5),
                     "created_at", when(st, 6, c), "expires_at", when(st, 7, e), "revoked_at",
                     when(st, 8, rv));
}

static db_stmt *visible(req *r, const char *tail)
{
    db_stmt *st = db_prepare(req_db(r), arena_printf(r->a, "%s%s", TOKEN_SELECT, tail));
    if (st) {
        db_bind_int(st, 1, now_unix());
        db_bind_int(st, 2, r->who.role == ROLE_ADMIN);
        db_bind_int(st, 3, r->who.user_id);
    }
    return st;
}

static int tokens_page(req *r, const struct page *p, json_t *items, const char **next)
{
    int64_t after = page_after_id(r, p);
    if (after < 0)
        return LIST_ANSWERED;
    db_stmt *st = visible(r, " AND (CAST(? AS BIGINT) = 0 OR t.id < ?) ORDER BY t.id DESC LIMIT ?");
    if (!st)
        return -1;
    db_bind_int(st, 4, after);
    db_bind_int(st, 5, after);
    db_bind_int(st, 6, p->limit + 1);
    return list_rows_page(r, p, st, token_json, 0, items, next);
}

static int tokens_list(req *r)
{
    static const struct list_spec spec = {
        .name = "tokens", .cols = cols, .ncols = (int)(sizeof cols / sizeof *cols),
        .def_limit = 50, .max_limit = 500, .nkeys = 1, .page = tokens_page,
    };
    return list_reply(r, &spec);
}

/* The visible token id as JSON, NULL when there is none. */
static json_t *token_get(req *r, int64_t id)
{
    db_stmt *st = visible(r, " AND t.id = ?");
    if (!st)
        return NULL;
    db_bind_int(st, 4, id);
    json_t *j = db_step(st) == DB_ROW ? token_json(st) : NULL;
    db_done(st);
    return j;
}

static int64_t audited(req *r, int64_t w, const char *action, int64_t id, json_t *detail)
{
    char code[24];
    snprintf(code, sizeof code, "%lld", (long long)id);
    if (w >= 0)
        w = audit_write(req_db(r), audit_actor(r), action, "token", code, detail);
    json_decref(detail);
    return w;
}

static int token_create(req *r)
{
    static const char *const allowed[] = {"name", "expires_at", NULL};
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv v;
    jsonv_init(&v, body);
    jsonv_only(&v, allowed);
    const char *name = jsonv_str(&v, "name", 1, 64);
    int64_t expires = 0, now = now_unix();
    if (jsonv_time(&v, "expires_at", 1, &expires) && (expires <= now || expires > now + MAX_LIFETIME))
        jsonv_fail(&v, "expires_at", "must be in the future and within two years");
    if (!r->who.user_id)
        jsonv_fail(&v, "name", "a bearer token cannot create tokens; log in");
    int rc;
    if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed", "token not created", jsonv_take(&v));
        goto done;
    }
    db_conn *c = req_db(r);
    char secret[AUTH_TOKEN_HEX + 4], hash[AUTH_TOKEN_HEX];
    int64_t id = 0, w = db_begin(c);
    if (w >= 0)
        w = auth_token_create_for(c, name, r->who.role_name, r->who.outlet_id, r->who.user_id,
                                  expires, secret);
    if (w >= 0) {
        auth_secret_hash(secret, hash);
        w = lookup_id(c, "SELECT id FROM api_tokens WHERE token_hash = ?", hash, &id);
    }
    w = audited(r, w, "create", id, json_pack("{s:[s,s]}", "fields", "name", "expires_at"));
    if (w >= 0)
        w = db_commit(c);
    if (w != 0) {
        db_rollback(c);
        rc = reply_db_failure(r, w > 0 ? DB_ERROR : (int)w, "token");
        goto done;
    }
    json_t *j = token_get(r, id);
    if (!j) {
        rc = -1;
        goto done;
    }
    json_object_set_new(j, "token", json_string(secret));
    reply_header(r, "Cache-Control", "no-store");
    rc = reply_json(r, 201, j);
done:
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

static int token_revoke(req *r)
{
    char *end;
    long long id = strtoll(req_param(r, "id"), &end, 10);
    json_t *j = *end || id < 1 ? NULL : token_get(r, (int64_t)id);
    if (!j)
        return reply_not_found(r, "token");
    json_decref(j);
    db_conn *c = req_db(r);
    int64_t w = db_begin(c);
    if (w >= 0)
        w = db_exec(c, "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                    "ii", now_unix(), (int64_t)id);
    if (w == 0) {
        db_rollback(c);
        return reply_error(r, 409, "conflict", "the token is revoked already", NULL);
    }
    w = audited(r, w, "revoke", (int64_t)id, json_pack("{s:[s]}", "fields", "revoked_at"));
    if (w >= 0)
        w = db_commit(c);
    if (w < 0) {
        db_rollback(c);
        return reply_db_failure(r, (int)w, "token");
    }
    j = token_get(r, (int64_t)id);
    return j ? reply_json(r, 200, j) : -1;
}

const struct route admin_token_routes[] = {
    {"GET", "/api/v1/tokens", tokens_list, ROLE_ANY, 0},
    {"POST", "/api/v1/tokens", token_create, ROLE_ANY, 0},
    {"DELETE", "/api/v1/tokens/:id", token_revoke, ROLE_ANY, 0},
    {0},
};
