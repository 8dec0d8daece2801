/* admin: staff account administration (M16): the accounts list, disable and enable a
 * login (API and command line), restore an SQLite backup. */
#ifndef FEATURES_ADMIN_H
#define FEATURES_ADMIN_H
#include "base/db.h"

#include "base/jsonv.h"
#include "base/router.h"
#include "rules/identity.h"

extern const struct route admin_routes[];
/* Creating accounts and changing one's password (accounts.c). */
extern const struct route admin_account_routes[];
/* The staff role names, NULL-terminated. */
extern const char *const admin_roles[];
/* PATCH /api/v1/users/:login: role, outlet and name by version (change.c). */
int admin_user_change(req *r);
/* Bearer tokens over the API: list, create, revoke (tokens.c). */
extern const struct route admin_token_routes[];
/* Why pw is refused as a password of login (length, the login itself, a common one), or
 * NULL when it is acceptable. */
const char *admin_password_problem(const char *login, const char *pw);
/* Answer the account login as JSON with status (404 when there is none). */
int admin_user_reply(req *r, const char *login, int status);
/* A person's own sessions: list, end one, log out everywhere (sessions.c). */
extern const struct route admin_session_routes[];
/* PATCH /api/v1/me: one's own email address (email.c). */
extern const struct route admin_me_routes[];
/* body's "email" into out, normalised (identity_email): 1 when given (out "" for null or
 * "", which remove it), 0 when absent or invalid (a field error in v). */
int admin_email_field(jsonv *v, json_t *body, char out[IDENTITY_EMAIL_MAX]);
/* Set the account's email ("" removes it) in the caller's transaction: rows or a db code
 * (DB_EUNIQUE when another account has it). */
int64_t admin_email_store(db_conn *c, int64_t user_id, const char *email);
/* The 409 for an email address another account has. */
int admin_email_taken(req *r);
/* GET /api/v1/audit (audit_view.c). */
int admin_audit_list(req *r);

/* Disable (enable 0) or enable a login in one transaction, audited for actor: a disable
 * also deletes its sessions and empties this server's identity cache. 0, 1 when there
 * is no such login, or a negative db code. */
int admin_user_set_active(db_conn *c, const char *actor, const char *login, int enable);

/* `aftersales user disable|enable LOGIN`: set the account's state; a disable also ends
 * its sessions (its bearer tokens are refused while it is disabled). Audited with actor
 * "cli". Exit code: 0 done, 1 no such login or a database error. */
int admin_cmd_user_state(db *d, const char *login, int enable);
/* `aftersales restore FILE [--db PATH] [--force]` (argv after the command name). Exit
 * code 0, 1 (refused or failed), 2 (usage). */
int admin_cmd_restore(int argc, char **argv, const char *db_path);

/* `aftersales retention [--years N] [--dry-run] [--save]` (argv from the command name):
 * anonymise or delete closed records older than N years (or the stored setting), erase
 * customers with nothing left; --dry-run prints the same counts and changes nothing;
 * --save stores N as the setting. Audited (actor cli). Exit 0, 1 (no period, db error),
 * 2 (usage). */
int admin_cmd_retention(int argc, char **argv, db *d);

#endif
