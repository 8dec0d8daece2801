/* session: staff log in and out, and ask who they are. */
#include "base/auth.h"
#include "base/jsonv.h"
#include "base/log.h"
#include "features/session/session.h"

#include <stdio.h>
#include <string.h>

static json_t *session_user(const req *r)
{
    return json_pack("{s:s, s:s, s:s, s:s?}", "login", r->who.login, "name",
                     r->who.name ? r->who.name : r->who.login, "role", r->who.role_name,
                     "outlet", r->who.outlet_code);
}

static int session_me(req *r)
{
    json_t *user = session_user(r);
    /* the account's email address (0023; PATCH /api/v1/me sets it), null when none */
    db_stmt *st = r->who.user_id ? db_prepare(req_db(r), "SELECT email FROM users WHERE id = ?") : NULL;
    if (st) {
        db_bind_int(st, 1, r->who.user_id);
        if (db_step(st) == DB_ROW && !db_isnull(st, 0))
            json_object_set_new(user, "email", json_string(db_text(st, 0)));
        db_done(st);
    }
    if (!json_object_get(user, "email"))
        json_object_set_new(user, "email", json_null());
    return reply_json(r, 200,
                      json_pack("{s:o, s:s?, s:b}", "user", user, "csrf_token",
                                r->who.csrf, "must_change_password", r->who.must_change_password));
}

static int session_create(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv v;
    jsonv_init(&v, body);
    const char *login = jsonv_str(&v, "login", 1, 64);
    const char *password = jsonv_str(&v, "password", 1, 1024);
    int rc = 0;
    if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed", "login and password are required",
                         jsonv_take(&v));
        goto cleanup;
    }
    char token[AUTH_TOKEN_HEX];
    int a = auth_login(r, login, password, token);
    if (a == -2) {
        reply_header(r, "Retry-After", "900");
        rc = reply_error(r, 429, "rate_limited", "too many failed logins; wait 15 minutes", NULL);
    } else if (a == -1) {
        rc = reply_error(r, 401, "invalid_credentials", "wrong login or password", NULL);
    } else if (a < 0) {
        rc = -1;
    } else {
        char *cookie = arena_printf(r->a, "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s",
                                    AUTH_SESSION_COOKIE, token, (long long)auth_session_max(),
                                    req_https(r) ? "; Secure" : "");
        reply_header(r, "Set-Cookie", cookie);
        log_info("login %s from %s", r->who.login, req_client(r));
        rc = reply_json(r, 200,
                        json_pack("{s:o, s:s, s:b}", "user", session_user(r), "csrf_token",
                                  r->who.csrf, "must_change_password", r->who.must_change_password));
    }
cleanup:
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

static int session_delete(req *r)
{
    if (auth_logout(r) < 0)
        return -1;
    reply_header(r, "Set-Cookie",
                 AUTH_SESSION_COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    return reply_empty(r, 204);
}

const struct route session_routes[] = {
    {"POST", "/api/v1/session", session_create, 0, ROUTE_PUBLIC | ROUTE_NO_CSRF},
    {"DELETE", "/api/v1/session", session_delete, ROLE_ANY, ROUTE_PASSWORD_PENDING},
    {"GET", "/api/v1/me", session_me, ROLE_ANY, ROUTE_PASSWORD_PENDING},
    {0},
};

/* Demo staff: one account per role, all with the password printed by `aftersales demo`. */
int session_demo(db *d, const struct demo_opts *o)
{
    static const struct {
        const char *login, *name, *role, *outlet;
    } staff[] = {
        {"admin", "系统管理员", "admin", NULL},
        {"supervisor", "服务经理 王敏", "supervisor", NULL},
        {"agent", "客服 李娜", "agent", NULL},
        {"manager", "网点经理 陈刚", "outlet_manager", "O0001"},
        {"tech", "技术员 张伟", "technician", "O0001"},
        {"tech2", "技术员 刘洋", "technician", "O0002"},
        {"warehouse", "仓管 赵磊", "warehouse", NULL},
        {"editor", "编辑 孙丽", "editor", NULL},
        {"marketer", "市场 周杰", "marketer", NULL},
    };
    db_conn *c = db_acquire(d);
    int rc = -1;
    int64_t now = now_unix();
    if (db_begin(c) < 0)
        goto cleanup;
    if (db_exec(c,
                "INSERT INTO outlets (code, name, type, grade, region, phone, capacity, created_at,"
                " updated_at) VALUES ('O0001', '上海徐汇技术服务中心', 'service_center', 'A',"
                " '310104', '021-64380000', 120, ?, ?), ('O0002', '北京朝阳授权维修站',"
                " 'authorised', 'B', '110105', '010-85990000', 60, ?, ?)"
                " ON CONFLICT (code) DO NOTHING",
                "iiii", now, now, now, now) < 0)
        goto fail;
    for (size_t i = 0; i < sizeof staff / sizeof *staff; i++) {
        int64_t outlet = 0;
        if (staff[i].outlet) {
            db_stmt *st = db_prepare(c, "SELECT id FROM outlets WHERE code = ?");
            if (!st)
                goto fail;
            db_bind_text(st, 1, staff[i].outlet);
            if (db_step(st) == DB_ROW)
                outlet = db_int(st, 0);
            db_done(st);
        }
        int u = auth_user_add(c, staff[i].login, staff[i].name, staff[i].role, outlet, "demo1234");
        if (u < 0 && u != DB_EUNIQUE)
            goto fail;
    }
    if (db_commit(c) < 0)
        goto fail;
    rc = 0;
    goto cleanup;
fail:
    fprintf(stderr, "demo staff: %s\n", db_errmsg(c));
    db_rollback(c);
cleanup:
    db_release(c);
    return rc;
}
