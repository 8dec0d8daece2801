/* db_pg: the PostgreSQL backend over libpq. `?` placeholders become $1..$n. */
#include "base/buf.h"
#include "base/db_impl.h"
#include "base/dynlib.h"

#include <inttypes.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libpq is opened on the first connection (base/dynlib.h says why); every PQ call below
 * goes through this table, typed after libpq-fe.h. */
#define PQ_FUNCS(X)                                                                        \
    X(PQclear) X(PQcmdTuples) X(PQconnectdb) X(PQerrorMessage) X(PQexec) X(PQexecPrepared) \
    X(PQfinish) X(PQfname) X(PQgetisnull) X(PQgetvalue) X(PQnfields) X(PQntuples)          \
    X(PQprepare) X(PQreset) X(PQresultErrorField) X(PQresultErrorMessage)                  \
    X(PQresultStatus) X(PQstatus)
#define PQ_MEMBER(f) __typeof__(f) *f;
static struct { PQ_FUNCS(PQ_MEMBER) } pq;
static char pq_error[256];
static pthread_once_t pq_once = PTHREAD_ONCE_INIT;

static void pq_load(void)
{
    static const char *const names[] = {"libpq.so.5", "libpq.so", NULL};
    void *h = dynlib_open(names, pq_error, sizeof pq_error);
    if (!h)
        return;
#define PQ_BIND(f) DYNLIB_BIND(pq, h, f, pq_error, fail);
    PQ_FUNCS(PQ_BIND)
    pq_error[0] = '\0';
    return;
fail:
    pq.PQconnectdb = NULL;
}

struct pg_stmt {
    char name[24];
    int nparams;
};

struct pg_handle {
    PGconn *conn;
    unsigned next_id;
};

/* Every session: warnings only, UTC, and no JIT: it compiled the segment counts for
 * 170-230 ms of their 0.05-0.4 s at 1M (bench/README.md) and a short query never gains
 * from it. */
#define PG_SESSION "SET client_min_messages = warning; SET TIME ZONE 'UTC'; SET jit = off"

static int pg_connect(const char *url, void **handle, char **err)
{
    pthread_once(&pq_once, pq_load);
    if (!pq.PQconnectdb) {
        if (err && asprintf(err, "cannot use PostgreSQL: %s (install libpq5)", pq_error) < 0)
            *err = NULL;
        return -1;
    }
    PGconn *conn = pq.PQconnectdb(url);
    if (pq.PQstatus(conn) != CONNECTION_OK) {
        if (err && asprintf(err, "cannot connect to PostgreSQL: %s", pq.PQerrorMessage(conn)) < 0)
            *err = NULL;
        pq.PQfinish(conn);
        return -1;
    }
    PGresult *r = pq.PQexec(conn, PG_SESSION);
    pq.PQclear(r);
    struct pg_handle *h = calloc(1, sizeof *h);
    if (!h)
        abort();
    h->conn = conn;
    *handle = h;
    return 0;
}

static void pg_disconnect(void *handle)
{
    struct pg_handle *h = handle;
    if (!h)
        return;
    pq.PQfinish(h->conn);
    free(h);
}

/* Rewrite `?` outside string literals and quoted names into $n. */
static char *number_params(const char *sql, int *n)
{
    buf b = BUF_INIT;
    char quote = 0;
    *n = 0;
    for (const char *p = sql; *p; p++) {
        if (quote) {
            if (*p == quote)
                quote = 0;
            buf_addc(&b, *p);
        } else if (*p == '\'' || *p == '"') {
            quote = *p;
            buf_addc(&b, *p);
        } else if (*p == '?') {
            buf_addf(&b, "$%d", ++*n);
        } else {
            buf_addc(&b, *p);
        }
    }
    return buf_detach(&b);
}

static void set_pg_error(db_conn *c, PGresult *r)
{
    struct pg_handle *h = c->handle;
    const char *m = r ? pq.PQresultErrorMessage(r) : NULL;
    db_set_error(c, m && *m ? m : pq.PQerrorMessage(h->conn));
}

static int classify(PGresult *r)
{
    const char *state = pq.PQresultErrorField(r, PG_DIAG_SQLSTATE);
    if (!state)
        return DB_ERROR;
    if (strcmp(state, "23505") == 0)
        return DB_EUNIQUE;
    if (strcmp(state, "23503") == 0)
        return DB_EFK;
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0)
        return DB_EBUSY;
    return DB_ERROR;
}

static void *pg_prepare(db_conn *c, const char *sql, int *nparams)
{
    struct pg_handle *h = c->handle;
    int n = 0;
    char *text = number_params(sql, &n);
    struct pg_stmt *ps = calloc(1, sizeof *ps);
    if (!ps)
        abort();
    snprintf(ps->name, sizeof ps->name, "s%u", ++h->next_id);
    ps->nparams = n;
    PGresult *r = pq.PQprepare(h->conn, ps->name, text, 0, NULL);
    free(text);
    if (pq.PQresultStatus(r) != PGRES_COMMAND_OK) {
        set_pg_error(c, r);
        pq.PQclear(r);
        free(ps);
        return NULL;
    }
    pq.PQclear(r);
    *nparams = n;
    return ps;
}

static void pg_finalize(void *bst) { free(bst); }

static int pg_step(db_stmt *st)
{
    struct pg_handle *h = st->conn->handle;
    struct pg_stmt *ps = st->bst;
    if (!st->started) {
        /* libpq takes integers as text: ints holds them, 24 bytes each */
        size_t np = ps->nparams > 0 ? (size_t)ps->nparams : 1;
        const char **values = malloc(np * sizeof *values);
        char(*ints)[24] = malloc(np * sizeof *ints);
        if (!values || !ints)
            abort();
        for (int i = 0; i < ps->nparams; i++) {
            values[i] = st->ptype[i] == 't' ? st->ptext[i] : NULL;
            if (st->ptype[i] == 'i') {
                snprintf(ints[i], sizeof ints[i], "%" PRId64, st->pint[i]);
                values[i] = ints[i];
            }
        }
        PGresult *r = pq.PQexecPrepared(h->conn, ps->name, ps->nparams, values, NULL, NULL, 0);
        free(values);
        free(ints);
        ExecStatusType s = pq.PQresultStatus(r);
        if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
            set_pg_error(st->conn, r);
            int rc = classify(r);
            pq.PQclear(r);
            return rc;
        }
        st->result = r;
        const char *tuples = pq.PQcmdTuples(r);
        st->changes = tuples && *tuples ? strtoll(tuples, NULL, 10) : 0;
        st->row = -1;
    }
    PGresult *r = st->result;
    if (!r)
        return DB_DONE;
    if (st->row + 1 < pq.PQntuples(r)) {
        st->row++;
        return DB_ROW;
    }
    return DB_DONE;
}

static const char *pg_text(db_stmt *st, int col)
{
    if (!st->result || st->row < 0 || pq.PQgetisnull(st->result, st->row, col))
        return NULL;
    return pq.PQgetvalue(st->result, st->row, col);
}

static int64_t pg_int(db_stmt *st, int col)
{
    const char *s = pg_text(st, col);
    if (!s)
        return 0;
    if (s[0] == 't' && s[1] == '\0')
        return 1;
    return strtoll(s, NULL, 10);
}

static int pg_isnull(db_stmt *st, int col)
{
    return !st->result || st->row < 0 || pq.PQgetisnull(st->result, st->row, col);
}

static int pg_ncols(db_stmt *st) { return st->result ? pq.PQnfields(st->result) : 0; }

static const char *pg_colname(db_stmt *st, int col)
{
    return st->result ? pq.PQfname(st->result, col) : NULL;
}

static void pg_reset(db_stmt *st)
{
    if (st->result)
        pq.PQclear(st->result);
    st->result = NULL;
    st->row = -1;
}

static int pg_script(db_conn *c, const char *sql)
{
    struct pg_handle *h = c->handle;
    PGresult *r = pq.PQexec(h->conn, sql);
    ExecStatusType s = pq.PQresultStatus(r);
    int rc = 0;
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK && s != PGRES_EMPTY_QUERY) {
        set_pg_error(c, r);
        rc = DB_ERROR;
    }
    pq.PQclear(r);
    return rc;
}

static int pg_revive(db_conn *c)
{
    struct pg_handle *h = c->handle;
    if (pq.PQstatus(h->conn) == CONNECTION_OK)
        return 0;
    pq.PQreset(h->conn);
    if (pq.PQstatus(h->conn) == CONNECTION_OK) {
        PGresult *r = pq.PQexec(h->conn, PG_SESSION);
        pq.PQclear(r);
    }
    return 1;
}

const struct db_backend db_pg_backend = {
    .revive = pg_revive,
    .kind = DB_POSTGRES,
    .connect = pg_connect,
    .disconnect = pg_disconnect,
    .prepare = pg_prepare,
    .finalize = pg_finalize,
    .step = pg_step,
    .text = pg_text,
    .integer = pg_int,
    .isnull = pg_isnull,
    .ncols = pg_ncols,
    .colname = pg_colname,
    .reset = pg_reset,
    .script = pg_script,
    .begin_sql = "BEGIN",
};
