/* db: one SQL API over two backends, SQLite (embedded, the default) and PostgreSQL.
 *
 * SQL is written once with `?` placeholders; the PostgreSQL backend numbers them.
 * Write portable SQL: integers for booleans and times (unix seconds, UTC), TEXT for
 * strings, `RETURNING` for generated ids, `ON CONFLICT` for upserts, and a CAST
 * around a placeholder whose type PostgreSQL cannot infer (`CAST(? AS TEXT)`).
 * Statements are prepared once per connection and cached by their text.
 */
#ifndef BASE_DB_H
#define BASE_DB_H
#include <stdint.h>

typedef struct db db;           /* a pool of connections to one database */
typedef struct db_conn db_conn; /* one connection, used by one thread at a time */
typedef struct db_stmt db_stmt; /* a prepared statement owned by its connection */

enum db_kind { DB_SQLITE = 1, DB_POSTGRES = 2 };

/* db_step results and error codes (negative). */
enum {
    DB_ROW = 1,
    DB_DONE = 0,
    DB_ERROR = -1,
    DB_EUNIQUE = -2, /* unique or primary key violation */
    DB_EFK = -3,     /* foreign key violation */
    DB_EBUSY = -4,   /* lock timeout, serialization failure: the caller may retry */
};

/* Open a pool of `pool` connections. url: a file path (SQLite) or postgres://,
 * postgresql:// (libpq). Applies pending migrations. On failure returns -1 and
 * sets *err to a malloc'd message. */
int db_open(const char *url, int pool, db **out, char **err);
void db_close(db *d);
/* SQLite: checkpoint the WAL on a thread of its own (with its own connection) instead of
 * in the commit that fills it, so no request waits for the copy into the database file
 * and its fsync; and commit in groups: a commit returns once a sync of the WAL that
 * started after it is done, one sync for all the commits that wait together (outside
 * the write lock), so commits stay durable. For serve; call right after db_open;
 * db_close stops it. PostgreSQL: nothing (it groups commits itself). 0 or -1. */
int db_checkpoint_in_background(db *d);
/* Group commit so far (SQLite under db_checkpoint_in_background): durable commits and
 * the WAL syncs they took. -1 when there is none (PostgreSQL, or not serving). */
int db_commit_stats(db_conn *c, uint64_t *commits, uint64_t *syncs);
enum db_kind db_kind(const db *d);
enum db_kind db_conn_kind(const db_conn *c);

/* Borrow a connection (blocks while all are in use) and give it back. */
db_conn *db_acquire(db *d);
void db_release(db_conn *c);

/* Write transaction (BEGIN IMMEDIATE on SQLite). 0 or a negative code. */
int db_begin(db_conn *c);
int db_commit(db_conn *c);
void db_rollback(db_conn *c);

/* The cached prepared statement for sql (bindings cleared), or NULL on error
 * (see db_errmsg). Valid until the next db_prepare of the same text on c. */
db_stmt *db_prepare(db_conn *c, const char *sql);
/* Parameters are 1-based. A NULL string binds SQL NULL. */
void db_bind_text(db_stmt *st, int i, const char *s);
void db_bind_int(db_stmt *st, int i, int64_t v);
void db_bind_null(db_stmt *st, int i);
/* DB_ROW, DB_DONE or a negative error code. */
int db_step(db_stmt *st);
/* Columns are 0-based; text is NULL for SQL NULL and lives until the next step. */
const char *db_text(db_stmt *st, int col);
int64_t db_int(db_stmt *st, int col);
int db_isnull(db_stmt *st, int col);
int db_ncols(db_stmt *st);
const char *db_colname(db_stmt *st, int col);
/* Rows changed by the last completed INSERT/UPDATE/DELETE. */
int64_t db_changes(db_stmt *st);
/* Finish using st: reset it for the next db_prepare. Always call it. */
void db_done(db_stmt *st);

/* One-shot statement. types names each argument: 't' const char *, 'i' int64_t,
 * 'n' SQL NULL (no argument). Returns rows changed (>= 0) or a negative code. */
int64_t db_exec(db_conn *c, const char *sql, const char *types, ...);
/* Run several statements without parameters (migrations, scripts). */
int db_exec_script(db_conn *c, const char *sql);
const char *db_errmsg(db_conn *c);

/* Copy a SQLite database to file with the online backup API (readers and writers go
 * on meanwhile). -1 with *err (malloc'd) on failure or for PostgreSQL. */
int db_backup(db *d, const char *file, char **err);
/* Replace the SQLite database file target with the backup file (made by db_backup), after
 * checking backup is an aftersales database. 0, -2 when it is not one, -1 on failure. */
int db_restore_sqlite(const char *backup, const char *target, char **err);

/* Process-wide counters for /metrics. */
void db_stats(uint64_t *queries, uint64_t *nanos);

#endif
