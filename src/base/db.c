/* db: the connection pool, the statement cache and the calls shared by both backends. */
#include "base/db.h"
#include "base/db_impl.h"
#include "base/migrate.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static _Atomic uint64_t stat_queries, stat_nanos;

void db_stats(uint64_t *queries, uint64_t *nanos)
{
    *queries = atomic_load(&stat_queries);
    *nanos = atomic_load(&stat_nanos);
}

static int is_pg_url(const char *url)
{
    return strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0;
}

void db_set_error(db_conn *c, const char *msg)
{
    snprintf(c->errmsg, sizeof c->errmsg, "%s", msg ? msg : "unknown database error");
    size_t n = strlen(c->errmsg);
    while (n && (c->errmsg[n - 1] == '\n' || c->errmsg[n - 1] == ' '))
        c->errmsg[--n] = '\0';
}

const char *db_errmsg(db_conn *c) { return c->errmsg; }

int db_open(const char *url, int pool, db **out, char **err)
{
    if (pool < 1)
        pool = 1;
    db *d = calloc(1, sizeof *d);
    if (!d)
        abort();
    d->be = is_pg_url(url) ? &db_pg_backend : &db_sqlite_backend;
    d->url = strdup(url);
    if (!d->url)
        abort();
    d->conns = calloc((size_t)pool, sizeof *d->conns);
    pthread_mutex_init(&d->mu, NULL);
    pthread_cond_init(&d->cv, NULL);
    pthread_mutex_init(&d->write_mu, NULL);
    for (int i = 0; i < pool; i++) {
        db_conn *c = &d->conns[i];
        c->owner = d;
        c->be = d->be;
        if (d->be->connect(url, &c->handle, err) < 0) {
            d->n = i;
            db_close(d);
            return -1;
        }
        d->n = i + 1;
        /* Migrate through the first connection before opening the others. */
        if (i == 0 && migrate_apply(c, err) < 0) {
            db_close(d);
            return -1;
        }
    }
    d->nfree = d->n;
    *out = d;
    return 0;
}

static void stmt_free(struct db_stmt *st)
{
    st->conn->be->reset(st);
    st->conn->be->finalize(st->bst);
    free(st->pbuf);
    free(st->ptype);
    free(st->ptext);
    free(st->pint);
    free(st->poff);
    free(st->sql);
    free(st);
}

void db_drop_statements(db_conn *c)
{
    for (int b = 0; b < DB_STMT_BUCKETS; b++) {
        struct db_stmt *st = c->stmts[b];
        while (st) {
            struct db_stmt *nx = st->next;
            stmt_free(st);
            st = nx;
        }
        c->stmts[b] = NULL;
    }
    c->nstmts = 0;
}

int db_checkpoint_in_background(db *d)
{
    return d->be->bg_start && !d->bg ? d->be->bg_start(d) : 0;
}

void db_close(db *d)
{
    if (!d)
        return;
    if (d->bg && d->be->bg_stop)
        d->be->bg_stop(d);
    for (int i = 0; i < d->n; i++) {
        db_drop_statements(&d->conns[i]);
        d->be->disconnect(d->conns[i].handle);
    }
    pthread_mutex_destroy(&d->mu);
    pthread_cond_destroy(&d->cv);
    pthread_mutex_destroy(&d->write_mu);
    free(d->conns);
    free(d->url);
    free(d);
}

enum db_kind db_kind(const db *d) { return d->be->kind; }
enum db_kind db_conn_kind(const db_conn *c) { return c->be->kind; }

db_conn *db_acquire(db *d)
{
    pthread_mutex_lock(&d->mu);
    while (d->nfree == 0)
        pthread_cond_wait(&d->cv, &d->mu);
    db_conn *c = NULL;
    for (int i = 0; i < d->n; i++)
        if (!d->conns[i].in_use) {
            c = &d->conns[i];
            break;
        }
    c->in_use = 1;
    d->nfree--;
    pthread_mutex_unlock(&d->mu);
    c->errmsg[0] = '\0';
    /* A server restart or a network cut leaves a dead connection: open it again. */
    if (c->be->revive && c->be->revive(c))
        db_drop_statements(c);
    return c;
}

void db_release(db_conn *c)
{
    if (!c)
        return;
    if (c->writing) /* a transaction left open by mistake: undo it, free the writers */
        db_rollback(c);
    db *d = c->owner;
    pthread_mutex_lock(&d->mu);
    c->in_use = 0;
    d->nfree++;
    pthread_cond_signal(&d->cv);
    pthread_mutex_unlock(&d->mu);
}

static void write_unlock(db_conn *c)
{
    if (c->writing) {
        c->writing = 0;
        pthread_mutex_unlock(&c->owner->write_mu);
    }
}

int db_begin(db_conn *c)
{
    if (c->be->kind == DB_SQLITE && !c->writing) {
        pthread_mutex_lock(&c->owner->write_mu);
        c->writing = 1;
    }
    if (db_exec(c, c->be->begin_sql, "") < 0) {
        write_unlock(c);
        return DB_ERROR;
    }
    return 0;
}

int db_commit(db_conn *c)
{
    /* On failure the transaction stays open: the caller rolls back, which unlocks. */
    if (db_exec(c, "COMMIT", "") < 0)
        return DB_ERROR;
    write_unlock(c);
    /* SQLite under serve: the commit is in the WAL, not yet synced; the sync, outside
     * the write lock, is shared by the commits that wait for it together */
    return c->be->durable ? c->be->durable(c) : 0;
}

void db_rollback(db_conn *c)
{
    char keep[sizeof c->errmsg];
    memcpy(keep, c->errmsg, sizeof keep);
    db_exec(c, "ROLLBACK", "");
    memcpy(c->errmsg, keep, sizeof keep);
    write_unlock(c);
}

static unsigned hash_str(const char *s)
{
    unsigned h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

db_stmt *db_prepare(db_conn *c, const char *sql)
{
    unsigned h = hash_str(sql);
    struct db_stmt **slot = &c->stmts[h % DB_STMT_BUCKETS];
    for (struct db_stmt *st = *slot; st; st = st->next)
        if (st->hash == h && strcmp(st->sql, sql) == 0) {
            if (st->started || st->plen) /* bound but never run: start afresh too */
                db_done(st);
            return st;
        }
    int nparams = 0;
    void *bst = c->be->prepare(c, sql, &nparams);
    if (!bst)
        return NULL;
    if (nparams > DB_MAX_PARAMS) {
        c->be->finalize(bst);
        db_set_error(c, "too many parameters");
        return NULL;
    }
    struct db_stmt *st = calloc(1, sizeof *st);
    if (!st)
        abort();
    st->conn = c;
    st->sql = strdup(sql);
    st->hash = h;
    st->bst = bst;
    st->nparams = nparams;
    size_t np = nparams > 0 ? (size_t)nparams : 1;
    st->ptype = malloc(np);
    st->ptext = calloc(np, sizeof *st->ptext);
    st->pint = calloc(np, sizeof *st->pint);
    st->poff = calloc(np, sizeof *st->poff);
    if (!st->ptype || !st->ptext || !st->pint || !st->poff)
        abort();
    memset(st->ptype, 'n', np);
    st->next = *slot;
    *slot = st;
    c->nstmts++;
    return st;
}

/* Bound texts are copied into the statement's pbuf (no allocation per value once it has
 * grown); db_step points ptext at them. A value bound twice keeps its first copy in pbuf
 * until db_done. */
static void set_param(db_stmt *st, int i, char type, const char *s, int64_t v)
{
    if (i < 1 || i > st->nparams)
        return;
    i--;
    st->ptype[i] = type;
    st->ptext[i] = NULL;
    if (type == 't') {
        size_t n = strlen(s) + 1;
        if (st->plen + n > st->pcap) {
            size_t cap = st->pcap ? st->pcap : 256;
            while (st->plen + n > cap)
                cap *= 2;
            char *p = realloc(st->pbuf, cap);
            if (!p)
                abort();
            st->pbuf = p;
            st->pcap = cap;
        }
        memcpy(st->pbuf + st->plen, s, n);
        st->poff[i] = st->plen;
        st->plen += n;
    } else if (type == 'i') {
        st->pint[i] = v;
    }
}

void db_bind_text(db_stmt *st, int i, const char *s) { set_param(st, i, s ? 't' : 'n', s, 0); }
void db_bind_int(db_stmt *st, int i, int64_t v) { set_param(st, i, 'i', NULL, v); }
void db_bind_null(db_stmt *st, int i) { set_param(st, i, 'n', NULL, 0); }

int db_step(db_stmt *st)
{
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    if (!st->started)
        for (int i = 0; i < st->nparams; i++)
            st->ptext[i] = st->ptype[i] == 't' ? st->pbuf + st->poff[i] : NULL;
    int rc = st->conn->be->step(st);
    clock_gettime(CLOCK_MONOTONIC, &b);
    atomic_fetch_add(&stat_nanos,
                     (uint64_t)((b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec)));
    if (!st->started)
        atomic_fetch_add(&stat_queries, 1);
    st->started = 1;
    return rc;
}

const char *db_text(db_stmt *st, int col) { return st->conn->be->text(st, col); }
int64_t db_int(db_stmt *st, int col) { return st->conn->be->integer(st, col); }
int db_isnull(db_stmt *st, int col) { return st->conn->be->isnull(st, col); }
int db_ncols(db_stmt *st) { return st->conn->be->ncols(st); }
const char *db_colname(db_stmt *st, int col) { return st->conn->be->colname(st, col); }
int64_t db_changes(db_stmt *st) { return st->changes; }

void db_done(db_stmt *st)
{
    if (!st)
        return;
    st->conn->be->reset(st);
    for (int i = 0; i < st->nparams; i++) {
        st->ptext[i] = NULL;
        st->ptype[i] = 'n';
    }
    st->plen = 0;
    st->started = 0;
    st->changes = 0;
}

int64_t db_exec(db_conn *c, const char *sql, const char *types, ...)
{
    db_stmt *st = db_prepare(c, sql);
    if (!st)
        return DB_ERROR;
    va_list ap;
    va_start(ap, types);
    int i = 1;
    for (const char *t = types; *t; t++, i++) {
        if (*t == 't')
            db_bind_text(st, i, va_arg(ap, const char *));
        else if (*t == 'i')
            db_bind_int(st, i, va_arg(ap, int64_t));
        else
            db_bind_null(st, i);
    }
    va_end(ap);
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        ;
    int64_t changes = st->changes;
    db_done(st);
    return rc < 0 ? rc : changes;
}

int db_exec_script(db_conn *c, const char *sql) { return c->be->script(c, sql); }

int db_backup(db *d, const char *file, char **err)
{
    if (d->be->kind != DB_SQLITE) {
        if (asprintf(err, "backup works on the embedded database; for PostgreSQL use pg_dump") < 0)
            *err = NULL;
        return -1;
    }
    db_conn *c = db_acquire(d);
    int rc = db_sqlite_backup(c, file, err);
    db_release(c);
    return rc;
}
