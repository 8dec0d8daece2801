/* auth: who is calling. Sessions (cookie + CSRF token) for people, bearer tokens for
 * integrations; both secrets are stored only as BLAKE2b hashes. The caller comes from one
 * query that also checks the account is active and reads its role, outlet and pending
 * password change, kept while auth_epoch stays the same (the credential cache below): a
 * disable, a role change, a revoke or a logout, made by any server or by the command
 * line, holds from the next request. */
#include "base/auth.h"
#include "base/log.h"
#include "base/ratelimit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct ratelimit *login_by_name, *login_by_addr;

/* Sessions end after session_idle seconds without a request and session_max seconds
 * after the login, whichever comes first (AFTERSALES_SESSION_IDLE, _MAX). */
static int64_t session_idle = 2 * 3600, session_max = AUTH_SESSION_SECONDS;

static int64_t env_seconds(const char *name, int64_t def)
{
    const char *v = getenv(name);
    char *end;
    long long n = v && *v ? strtoll(v, &end, 10) : 0;
    return v && *v && !*end && n > 0 ? (int64_t)n : def;
}

void auth_set_session_limits(int64_t idle, int64_t max)
{
    if (idle > 0)
        session_idle = idle;
    if (max > 0)
        session_max = max;
}

int64_t auth_session_max(void) { return session_max; }

int auth_init(void)
{
    if (sodium_init() < 0)
        return -1;
    session_idle = env_seconds("AFTERSALES_SESSION_IDLE", session_idle);
    session_max = env_seconds("AFTERSALES_SESSION_MAX", session_max);
    if (!login_by_name) {
        login_by_name = ratelimit_new(10, 15 * 60);
        login_by_addr = ratelimit_new(50, 15 * 60);
    }
    return 0;
}

void auth_set_login_limits(int per_login, int per_address)
{
    auth_init();
    ratelimit_set_limit(login_by_name, per_login);
    ratelimit_set_limit(login_by_addr, per_address);
}

static unsigned long long pwhash_ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
static size_t pwhash_mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
static char dummy_hash[crypto_pwhash_STRBYTES]; /* "": the INTERACTIVE one in auth_login */

int auth_hash_password(const char *password, char out[crypto_pwhash_STRBYTES])
{
    return crypto_pwhash_str(out, password, strlen(password), pwhash_ops, pwhash_mem) == 0 ? 0
                                                                                          : -1;
}

void auth_set_pwhash_cost(unsigned long long opslimit, size_t memlimit)
{
    pwhash_ops = opslimit;
    pwhash_mem = memlimit;
    char secret[AUTH_TOKEN_HEX];
    auth_random_hex(secret);
    if (auth_hash_password(secret, dummy_hash) < 0)
        dummy_hash[0] = '\0';
}

int auth_verify_password(const char *hash, const char *password)
{
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

void auth_random_hex(char out[AUTH_TOKEN_HEX])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(out, AUTH_TOKEN_HEX, raw, sizeof raw);
}

void auth_secret_hash(const char *secret, char out[AUTH_TOKEN_HEX])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)secret, strlen(secret), NULL, 0);
    sodium_bin2hex(out, AUTH_TOKEN_HEX, h, sizeof h);
}

/* ---- credential cache ----
 * The identity query joins sessions (or tokens), users and outlets. Its answer is kept
 * for at most CACHE_TTL seconds, keyed by the credential's hash, with the auth_epoch it
 * was read at; a hit needs the epoch to be the same, read in one one-row query. Every
 * change that can alter an identity (an account updated, a session deleted, a token
 * updated or deleted, an outlet's code) moves the epoch by a trigger, whoever makes it,
 * so it holds from the next request on every server. An entry also keeps the session's
 * or token's expiry and is not used past it, nor when a session is due for renewal. */
#define CACHE_SLOTS 4096
#define CACHE_STRIPES 64
#define CACHE_TTL 1.0

struct cached {
    char key[AUTH_TOKEN_HEX]; /* the credential's hash; "" when free */
    double at;                /* now_mono() when read from the database */
    int64_t epoch;            /* auth_epoch.n read before the identity */
    int64_t expires, created; /* a session's expires_at and created_at; a token's expires_at
                                 (0: never) and -1 */
    struct who who;           /* strings point into text */
    char text[512];
};

static struct cached cache[CACHE_SLOTS];
static pthread_mutex_t cache_mu[CACHE_STRIPES] = {[0 ... CACHE_STRIPES - 1] =
                                                      PTHREAD_MUTEX_INITIALIZER};

static size_t cache_slot(const char *key)
{
    size_t h = 0;
    for (int i = 0; i < 12 && key[i]; i++)
        h = h * 16 + (size_t)(key[i] <= '9' ? key[i] - '0' : key[i] - 'a' + 10);
    return h % CACHE_SLOTS;
}

/* The expiry a session of expires / created would be renewed to now, or 0 when it is not
 * yet worth a write (use renews the idle time, written at most once per tenth of it). */
static int64_t renewal_due(int64_t expires, int64_t created)
{
    int64_t now = now_unix(), until = created + session_max;
    if (until > now + session_idle)
        until = now + session_idle;
    return until - expires >= (session_idle >= 10 ? session_idle / 10 : 1) ? until : 0;
}

/* Copy a cached identity into the request. 1 on a fresh hit (a session neither expired
 * nor due for renewal). */
static int cache_get(req *r, const char *key, int64_t epoch)
{
    size_t i = cache_slot(key);
    pthread_mutex_t *mu = &cache_mu[i % CACHE_STRIPES];
    int hit = 0;
    pthread_mutex_lock(mu);
    struct cached *e = &cache[i];
    if (strcmp(e->key, key) == 0 && e->epoch == epoch && now_mono() - e->at < CACHE_TTL &&
        (!e->expires ||
         (now_unix() < e->expires && (e->created < 0 || !renewal_due(e->expires, e->created))))) {
        r->who = e->who;
        r->who.login = arena_strdup(r->a, e->who.login);
        r->who.name = arena_strdup(r->a, e->who.name);
        r->who.role_name = arena_strdup(r->a, e->who.role_name);
        r->who.outlet_code = arena_strdup(r->a, e->who.outlet_code);
        r->who.csrf = arena_strdup(r->a, e->who.csrf);
        r->authed = 1;
        hit = 1;
    }
    pthread_mutex_unlock(mu);
    return hit;
}

static const char *cache_copy(struct cached *e, size_t *used, const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    if (*used + n > sizeof e->text)
        return NULL;
    char *p = e->text + *used;
    memcpy(p, s, n);
    *used += n;
    return p;
}

static void cache_put(const req *r, const char *key, int64_t epoch, int64_t expires,
                      int64_t created)
{
    size_t i = cache_slot(key);
    pthread_mutex_t *mu = &cache_mu[i % CACHE_STRIPES];
    pthread_mutex_lock(mu);
    struct cached *e = &cache[i];
    size_t used = 0;
    e->who = r->who;
    e->who.login = cache_copy(e, &used, r->who.login);
    e->who.name = cache_copy(e, &used, r->who.name);
    e->who.role_name = cache_copy(e, &used, r->who.role_name);
    e->who.outlet_code = cache_copy(e, &used, r->who.outlet_code);
    e->who.csrf = cache_copy(e, &used, r->who.csrf);
    /* Too long to keep (a very long name): don't cache rather than truncate. */
    int fits = (!r->who.login || e->who.login) && (!r->who.name || e->who.name) &&
               (!r->who.role_name || e->who.role_name) &&
               (!r->who.outlet_code || e->who.outlet_code) && (!r->who.csrf || e->who.csrf);
    if (fits) {
        memcpy(e->key, key, AUTH_TOKEN_HEX);
        e->at = now_mono();
        e->epoch = epoch;
        e->expires = expires;
        e->created = created;
    } else {
        e->key[0] = '\0';
    }
    pthread_mutex_unlock(mu);
}

/* The current auth_epoch.n into *out: 0, or -2 on a database error. */
static int read_epoch(req *r, int64_t *out)
{
    db_stmt *st = db_prepare(req_db(r), "SELECT n FROM auth_epoch WHERE id = 1");
    if (!st)
        return -2;
    int s = db_step(st);
    *out = s == DB_ROW ? db_int(st, 0) : 0;
    db_done(st);
    return s == DB_ROW ? 0 : -2;
}

static void fill_who(req *r, db_stmt *st, int64_t session_id, int64_t token_id)
{
    /* columns: user_id, login, name, role, outlet_id, outlet_code, csrf, must_change */
    r->who.user_id = db_int(st, 0);
    r->who.login = arena_strdup(r->a, db_text(st, 1));
    r->who.name = arena_strdup(r->a, db_text(st, 2));
    r->who.role_name = arena_strdup(r->a, db_text(st, 3));
    r->who.role = role_from_name(r->who.role_name);
    r->who.outlet_id = db_isnull(st, 4) ? 0 : db_int(st, 4);
    r->who.outlet_code = arena_strdup(r->a, db_text(st, 5));
    r->who.csrf = arena_strdup(r->a, db_text(st, 6));
    r->who.must_change_password = db_int(st, 7) != 0;
    r->who.session_id = session_id;
    r->who.token_id = token_id;
    r->authed = 1;
}

int auth_identify(req *r)
{
    const char *authz = req_header(r, "Authorization");
    const char *cookie = req_cookie(r, AUTH_SESSION_COOKIE);
    char hash[AUTH_TOKEN_HEX];
    db_stmt *st = NULL;
    int rc = -1;
    int64_t epoch = 0;
    int token = authz && strncasecmp(authz, "Bearer ", 7) == 0;
    if (!token && !(cookie && strlen(cookie) == AUTH_TOKEN_HEX - 1))
        return -1;
    if (read_epoch(r, &epoch) < 0)
        return -2;
    if (token) {
        auth_secret_hash(authz + 7, hash);
        if (cache_get(r, hash, epoch))
            return 0;
        /* A token made by a person acts with that person's role and outlet as they are
         * now (a demoted or moved account's tokens follow it), and not at all while the
         * account is disabled; a token without an owner (the command line's) keeps the
         * role it was made with. */
        st = db_prepare(req_db(r),
                        "SELECT 0, 'token:' || t.name, t.name, " AUTH_TOKEN_ROLE ", "
                        AUTH_TOKEN_OUTLET ", o.code, NULL, 0, t.id, COALESCE(t.expires_at, 0)"
                        " FROM api_tokens t LEFT JOIN users u ON u.id = t.user_id"
                        " LEFT JOIN outlets o ON o.id = " AUTH_TOKEN_OUTLET
                        " WHERE t.token_hash = ? AND t.revoked_at IS NULL"
                        " AND (t.expires_at IS NULL OR t.expires_at > ?)"
                        " AND (t.user_id IS NULL OR u.active = 1)");
        if (!st)
            return -2;
        db_bind_text(st, 1, hash);
        db_bind_int(st, 2, now_unix());
        int s = db_step(st);
        if (s == DB_ROW) {
            fill_who(r, st, 0, db_int(st, 8));
            cache_put(r, hash, epoch, db_int(st, 9), -1);
            rc = 0;
        } else if (s < 0)
            rc = -2;
    } else {
        auth_secret_hash(cookie, hash);
        if (cache_get(r, hash, epoch))
            return 0;
        st = db_prepare(req_db(r),
                        "SELECT u.id, u.login, u.name, u.role, u.outlet_id, o.code, s.csrf_token,"
                        " u.must_change_password, s.id, s.expires_at, s.created_at FROM sessions s"
                        " JOIN users u ON u.id = s.user_id LEFT JOIN outlets o ON o.id = u.outlet_id"
                        " WHERE s.token_hash = ? AND s.expires_at > ? AND s.created_at > ?"
                        " AND u.active = 1");
        if (!st)
            return -2;
        int64_t now = now_unix();
        db_bind_text(st, 1, hash);
        db_bind_int(st, 2, now);
        db_bind_int(st, 3, now - session_max);
        int s = db_step(st);
        if (s == DB_ROW) {
            fill_who(r, st, db_int(st, 8), 0);
            int64_t expires = db_int(st, 9), created = db_int(st, 10);
            int64_t until = renewal_due(expires, created);
            db_done(st);
            st = NULL;
            if (until && db_exec(req_db(r), "UPDATE sessions SET expires_at = ? WHERE id = ?", "ii",
                                 until, r->who.session_id) < 0) {
                log_error("session %lld: expiry not renewed", (long long)r->who.session_id);
                until = 0;
            }
            cache_put(r, hash, epoch, until ? until : expires, created);
            rc = 0;
        } else if (s < 0)
            rc = -2;
    }
    db_done(st);
    return rc;
}

int auth_login(req *r, const char *login, const char *password, char token[AUTH_TOKEN_HEX])
{
    int64_t now = now_unix();
    char *login_key = arena_printf(r->a, "login:%s", login);
    char *addr_key = arena_printf(r->a, "addr:%s", req_client(r));
    db_conn *c = req_db(r);
    if (ratelimit_shared_over(login_by_name, c, login_key, now) ||
        ratelimit_shared_over(login_by_addr, c, addr_key, now))
        return -2;
    db_stmt *st = db_prepare(c, "SELECT id, password_hash FROM users WHERE login = ? AND active = 1");
    if (!st)
        return -3;
    db_bind_text(st, 1, login);
    int s = db_step(st);
    if (s < 0) {
        db_done(st);
        return -3;
    }
    int64_t user_id = s == DB_ROW ? db_int(st, 0) : 0;
    char *hash = s == DB_ROW ? arena_strdup(r->a, db_text(st, 1)) : NULL;
    db_done(st);
    /* Unknown logins cost as much as wrong passwords, so timing tells nothing. */
    static const char dummy[crypto_pwhash_STRBYTES] =
        "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$"
        "9Yk1hGx0zOTMN0cl3U4WxH3f3cmJbtqJrB5Pc6Xr9Zs";
    int ok = auth_verify_password(hash ? hash : dummy_hash[0] ? dummy_hash : dummy, password) && hash;
    if (!ok) {
        ratelimit_shared_add(login_by_name, c, login_key, now);
        ratelimit_shared_add(login_by_addr, c, addr_key, now);
        return -1;
    }
    ratelimit_shared_clear(login_by_name, c, login_key);
    char csrf[AUTH_TOKEN_HEX], token_hash[AUTH_TOKEN_HEX];
    auth_random_hex(token);
    auth_random_hex(csrf);
    auth_secret_hash(token, token_hash);
    char old_hash[AUTH_TOKEN_HEX];
    const char *old_cookie = req_cookie(r, AUTH_SESSION_COOKIE);
    if (old_cookie)
        auth_secret_hash(old_cookie, old_hash);
    if (db_begin(c) < 0)
        return -3;
    /* Drop this user's expired sessions while we are here. */
    if (db_exec(c, "DELETE FROM sessions WHERE user_id = ? AND expires_at <= ?", "ii", user_id,
                now) < 0 ||
        db_exec(c,
                "INSERT INTO sessions (token_hash, csrf_token, user_id, created_at, expires_at,"
                " client) VALUES (?, ?, ?, ?, ?, ?)",
                "ttiiit", token_hash, csrf, user_id, now,
                now + (session_idle < session_max ? session_idle : session_max),
                req_client(r)) < 0 ||
        /* A new session id at every login: the one the browser held ends. */
        (old_cookie && db_exec(c, "DELETE FROM sessions WHERE token_hash = ?", "t", old_hash) < 0) ||
        db_commit(c) < 0) {
        db_rollback(c);
        return -3;
    }
    /* Load the caller as any later request would see it. */
    st = db_prepare(c, "SELECT u.id, u.login, u.name, u.role, u.outlet_id, o.code, CAST(? AS TEXT),"
                       " u.must_change_password FROM users u LEFT JOIN outlets o ON o.id = u.outlet_id WHERE u.id = ?");
    if (!st)
        return -3;
    db_bind_text(st, 1, csrf);
    db_bind_int(st, 2, user_id);
    if (db_step(st) == DB_ROW)
        fill_who(r, st, 1, 0);
    db_done(st);
    return 0;
}

int auth_logout(req *r)
{
    if (!r->who.session_id)
        return 0;
    return db_exec(req_db(r), "DELETE FROM sessions WHERE id = ?", "i", r->who.session_id) < 0
               ? -1
               : 0;
}

int auth_token_create(db_conn *c, const char *name, const char *role, int64_t outlet_id,
                      char token[AUTH_TOKEN_HEX + 4])
{
    return auth_token_create_for(c, name, role, outlet_id, 0, 0, token);
}

int auth_token_create_for(db_conn *c, const char *name, const char *role, int64_t outlet_id,
                          int64_t user_id, int64_t expires_at, char token[AUTH_TOKEN_HEX + 4])
{
    char secret[AUTH_TOKEN_HEX], hash[AUTH_TOKEN_HEX];
    auth_random_hex(secret);
    snprintf(token, AUTH_TOKEN_HEX + 4, "ast_%s", secret);
    auth_secret_hash(token, hash);
    int64_t rc = db_exec(c,
                         "INSERT INTO api_tokens (token_hash, name, role, outlet_id, created_at)"
                         " VALUES (?, ?, ?, ?, ?)",
                         outlet_id ? "tttii" : "tttni", hash, name, role,
                         outlet_id ? outlet_id : now_unix(), now_unix());
    if (rc >= 0 && user_id)
        rc = db_exec(c, "UPDATE api_tokens SET user_id = ? WHERE token_hash = ?", "it", user_id,
                     hash);
    if (rc >= 0 && expires_at)
        rc = db_exec(c, "UPDATE api_tokens SET expires_at = ? WHERE token_hash = ?", "it",
                     expires_at, hash);
    return rc < 0 ? (int)rc : 0;
}

int auth_user_add(db_conn *c, const char *login, const char *name, const char *role,
                  int64_t outlet_id, const char *password)
{
    char hash[crypto_pwhash_STRBYTES];
    if (auth_hash_password(password, hash) < 0)
        return DB_ERROR;
    int64_t now = now_unix();
    int64_t rc;
    if (outlet_id)
        rc = db_exec(c,
                     "INSERT INTO users (login, name, role, outlet_id, password_hash, created_at,"
                     " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     "tttitii", login, name, role, outlet_id, hash, now, now);
    else
        rc = db_exec(c,
                     "INSERT INTO users (login, name, role, outlet_id, password_hash, created_at,"
                     " updated_at) VALUES (?, ?, ?, NULL, ?, ?, ?)",
                     "ttttii", login, name, role, hash, now, now);
    return rc < 0 ? (int)rc : 0;
}
