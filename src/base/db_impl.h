/* Internal: the backend interface behind db.h. */
#ifndef BASE_DB_IMPL_H
#define BASE_DB_IMPL_H
#include "base/db.h"

#include <pthread.h>

struct db_backend {
    enum db_kind kind;
    int (*connect)(const char *url, void **handle, char **err);
    void (*disconnect)(void *handle);
    void *(*prepare)(db_conn *c, const char *sql, int *nparams); /* backend statement */
    void (*finalize)(void *bst);
    int (*step)(db_stmt *st);
    const char *(*text)(db_stmt *st, int col);
    int64_t (*integer)(db_stmt *st, int col);
    int (*isnull)(db_stmt *st, int col);
    int (*ncols)(db_stmt *st);
    const char *(*colname)(db_stmt *st, int col);
    void (*reset)(db_stmt *st);
    int (*script)(db_conn *c, const char *sql);
    /* Optional: reconnect a broken connection; 1 when it did (cached statements are gone). */
    int (*revive)(db_conn *c);
    const char *begin_sql;
    /* Optional: the background checkpointer (db_checkpoint_in_background). */
    int (*bg_start)(db *d);
    void (*bg_stop)(db *d);
    /* Optional: make the commit c just did durable (group commit); 0 or DB_ERROR. */
    int (*durable)(db_conn *c);
};

/* Parameters of one statement: PostgreSQL takes up to 65535, SQLite (as Debian builds it)
 * 250000; multi-row INSERTs (base/db_bulk.h) use a few thousand. */
#define DB_MAX_PARAMS 32766

struct db_stmt {
    db_conn *conn;
    char *sql;
    unsigned hash;
    void *bst;       /* backend statement */
    int nparams;
    int nbound;
    /* nparams of each, allocated with the statement: */
    char *ptype;      /* 'n' null, 't' text, 'i' integer */
    char **ptext;     /* text values, set when the statement runs (into pbuf) */
    int64_t *pint;    /* integer values */
    size_t *poff;     /* where each text value starts in pbuf */
    char *pbuf;                   /* the bound texts, NUL-terminated, one after another: */
    size_t plen, pcap;            /* one allocation reused by every execution */
    int64_t changes;
    int row;         /* PostgreSQL: current row of the result */
    void *result;    /* PostgreSQL: PGresult */
    int started;
    struct db_stmt *next;
};

#define DB_STMT_BUCKETS 256

struct db_conn {
    db *owner;
    const struct db_backend *be;
    void *handle; /* sqlite3 * or PGconn * */
    struct db_stmt *stmts[DB_STMT_BUCKETS];
    int nstmts;
    char errmsg[512];
    int in_use;
    int writing; /* holds the database's write lock (SQLite) */
    int64_t bulk_saved_cache; /* PRAGMA cache_size before db_bulk_cache(c, 1), or 0 */
};

/* The pool (db.c; db_bulk.c's load mode closes and reopens its connections). */
struct db {
    const struct db_backend *be;
    char *url;
    db_conn *conns;
    int n;
    int nfree;
    int loading; /* in load mode (db_load_begin) */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    /* SQLite has one writer at a time. Writers of this process queue here, in order,
     * instead of polling in SQLite's busy handler (which sleeps up to 100 ms a try and
     * gave p99 commit latencies near a second under load). */
    pthread_mutex_t write_mu;
    void *bg; /* the backend's background checkpointer, or NULL */
};

void db_set_error(db_conn *c, const char *msg);
/* Finalize every cached statement of c. */
void db_drop_statements(db_conn *c);

int db_sqlite_backup(db_conn *c, const char *file, char **err);

extern const struct db_backend db_sqlite_backend;
extern const struct db_backend db_pg_backend;

#endif
