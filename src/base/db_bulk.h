/* db_bulk: filling tables with many rows fast: a load mode for a new database, indexes
 * and triggers set aside during a load, and multi-row INSERT statements.
 *
 * A bulk load on a fresh database goes: db_load_begin (SQLite: no journal on disk, no
 * fsync), db_defer of the tables it fills, rows through db_rows, db_restore (indexes built
 * once over the filled tables, triggers back), db_load_end. Everything works the same on
 * PostgreSQL, where the load mode only turns synchronous_commit off. */
#ifndef BASE_DB_BULK_H
#define BASE_DB_BULK_H
#include <stdint.h>

#include "base/buf.h"
#include "base/db.h"

/* ---- load mode */

/* Load mode for the whole pool, for a database that is being filled from nothing: a
 * crash or a kill meanwhile can leave a SQLite file corrupt, so use it only where the load
 * can be redone on a new database. SQLite: closes the pool's other connections (a
 * database leaves WAL only with one connection open), then journal in memory, synchronous
 * off, foreign keys unchecked and a 1 GiB page cache on the one left. PostgreSQL: synchronous_commit off.
 * Call with no connection borrowed. 0, or -1 with *err (malloc'd). */
int db_load_begin(db *d, char **err);
/* Back to the normal settings (SQLite: WAL, synchronous=FULL, the usual cache) and the
 * whole pool. 0, or -1 with *err (malloc'd). */
int db_load_end(db *d, char **err);
/* 1 while c's pool is in load mode. */
int db_loading(const db_conn *c);
/* SQLite: a large page cache and worker threads for the sorts of CREATE INDEX during a
 * bulk load (big = 1), or the usual settings again (big = 0; in load mode: the load
 * mode's). Nothing on PostgreSQL. */
void db_bulk_cache(db_conn *c, int big);

/* 1 when every table of the NULL-terminated list has no row, 0 when one has, or a
 * negative db code. */
int db_tables_empty(db_conn *c, const char *const *tables);

/* ---- indexes and triggers set aside */

typedef struct db_deferred db_deferred;

/* Drop the secondary indexes (not the unique ones, which check the data, nor keys) and
 * the triggers of the tables of the NULL-terminated list, keeping their SQL in *out for
 * db_restore: building an index over a filled table is much faster than keeping it up
 * row by row. Inside the caller's transaction or outside one. 0 with *out, or a negative
 * db code (then what was dropped is created again). */
int db_defer(db_conn *c, const char *const *tables, db_deferred **out);
/* Only the triggers of the tables (their indexes stay), for a load that does in one
 * statement at the end what the triggers would do row by row. 0 or a negative db code. */
int db_defer_triggers(db_conn *c, const char *const *tables, db_deferred **out);
/* Create again what db_defer dropped: the indexes first, then the triggers. Frees saved,
 * also on failure. 0 or a negative db code. */
int db_restore(db_conn *c, db_deferred *saved);
/* Free saved without creating anything (a rollback has put back what was dropped). */
void db_deferred_forget(db_deferred *saved);
/* Number of indexes and triggers saved. */
int db_deferred_count(const db_deferred *saved);

/* ---- multi-row INSERT */

/* The SQL of an INSERT of n rows of ncols parameters: `head VALUES (?,?),(?,?)tail`,
 * e.g. head "INSERT INTO t (a, b)", tail "" or " RETURNING id". */
void db_rows_sql(buf *out, const char *head, int ncols, int n, const char *tail);

/* Rows are bound one value at a time into a statement for `per` rows, which runs when it
 * is full (prepared once, reused); db_rows_flush runs the rest in a statement of their
 * size. With a RETURNING tail, each is called for every row the statement returns, k
 * counting them from 0 in the batch (callers check which row it is: PostgreSQL does not
 * promise the order). */
typedef struct db_rows {
    db_conn *c;
    const char *head, *tail;
    int ncols, per;
    int n;         /* rows complete in the statement */
    int col;       /* values bound in the row being built */
    db_stmt *full; /* the statement for per rows */
    int (*each)(void *arg, db_stmt *st, int k);
    void *arg;
    int64_t rows; /* rows inserted */
} db_rows;

/* Ready r for rows of ncols values, per of them a statement (capped at 30000 values a
 * statement). 0 or a negative db code. */
int db_rows_init(db_rows *r, db_conn *c, const char *head, int ncols, int per, const char *tail);
void db_rows_int(db_rows *r, int64_t v);
void db_rows_text(db_rows *r, const char *s); /* NULL binds SQL NULL */
void db_rows_null(db_rows *r);
/* Finish the row being built (exactly ncols values). Runs the statement when it holds
 * per rows: 1 when it ran, 0 when not, or a negative db code. */
int db_rows_end(db_rows *r);
/* Insert the rows not inserted yet: 1 when it ran, 0 when none were pending, or a
 * negative db code. */
int db_rows_flush(db_rows *r);

#endif
