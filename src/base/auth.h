/* auth: password hashing, session and bearer-token credentials, login rate limits. */
#ifndef BASE_AUTH_H
#define BASE_AUTH_H
#include <sodium.h>
#include <stdint.h>

#include "base/http.h"

#define AUTH_TOKEN_HEX 65      /* 32 random bytes in hex + NUL */
#define AUTH_SESSION_COOKIE "as_session"
#define AUTH_SESSION_SECONDS (12 * 3600)

/* Initialise libsodium; -1 if it cannot be. */
int auth_init(void);
/* Argon2id hash of a password into out (crypto_pwhash_STRBYTES). 0 or -1 (out of memory). */
int auth_hash_password(const char *password, char out[crypto_pwhash_STRBYTES]);
/* The Argon2id cost of new hashes (default: libsodium's INTERACTIVE, 64 MiB). Only the
 * fuzz harness lowers it, so that a login or password change is not 64 MiB of work per
 * input; logins of unknown accounts then verify against a dummy hash of the same cost. */
void auth_set_pwhash_cost(unsigned long long opslimit, size_t memlimit);
/* 1 when password matches hash (constant time), else 0. */
int auth_verify_password(const char *hash, const char *password);
/* 64 hex characters of fresh randomness. */
void auth_random_hex(char out[AUTH_TOKEN_HEX]);
/* Hex BLAKE2b-256 of a secret: what the database stores instead of the secret. */
void auth_secret_hash(const char *secret, char out[AUTH_TOKEN_HEX]);

/* Identify the caller of r from its session cookie or bearer token and fill r->who.
 * 0 when identified, -1 when there is no valid credential, -2 on a database error. */
int auth_identify(req *r);

/* Log in: check the login rate limits and the password, create a session. On success
 * fills r->who, *token (cookie value) and returns 0. Returns -1 bad credentials,
 * -2 rate limited, -3 database error. */
int auth_login(req *r, const char *login, const char *password, char token[AUTH_TOKEN_HEX]);
/* Delete the caller's session. */
int auth_logout(req *r);
/* The role and the outlet id a bearer token acts with, as SQL over api_tokens t LEFT JOIN
 * users u ON u.id = t.user_id: its owner's current ones, or for a token without an owner
 * the ones it was made with. */
#define AUTH_TOKEN_ROLE "COALESCE(u.role, t.role)"
#define AUTH_TOKEN_OUTLET "(CASE WHEN t.user_id IS NULL THEN t.outlet_id ELSE u.outlet_id END)"

/* Create a bearer token for a role (and outlet id, 0 for none); token receives the secret. */
int auth_token_create(db_conn *c, const char *name, const char *role, int64_t outlet_id,
                      char token[AUTH_TOKEN_HEX + 4]);
/* The same, owned by a staff account (user_id, 0 for none: refused while it is disabled)
 * and refused from expires_at on (unix seconds, 0 for never). */
int auth_token_create_for(db_conn *c, const char *name, const char *role, int64_t outlet_id,
                          int64_t user_id, int64_t expires_at, char token[AUTH_TOKEN_HEX + 4]);
/* Create a staff user. Returns 0, DB_EUNIQUE when the login exists, or another error. */
int auth_user_add(db_conn *c, const char *login, const char *name, const char *role,
                  int64_t outlet_id, const char *password);

/* Sessions end idle seconds after the last request and max seconds after the login
 * (serve --session-idle / --session-max; a value <= 0 keeps the current one, which is
 * AFTERSALES_SESSION_IDLE / _MAX or 2 h / 12 h). Call after auth_init. */
void auth_set_session_limits(int64_t idle, int64_t max);
/* The absolute session lifetime in seconds (the cookie's Max-Age). */
int64_t auth_session_max(void);

/* Login attempts allowed per login and per client address in 15 minutes. */
void auth_set_login_limits(int per_login, int per_address);

#endif
