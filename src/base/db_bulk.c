/* db_bulk: load mode, indexes and triggers set aside, and multi-row INSERTs (db_bulk.h). */
#include "base/db_bulk.h"
#include "base/db_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* ---------------------------------------------------------------- load mode */

static const char *const sqlite_load_sql =
    "PRAGMA synchronous=OFF; PRAGMA cache_size=-1048576; PRAGMA threads=0";
static const char *const sqlite_normal_sql =
    "PRAGMA synchronous=FULL; PRAGMA cache_size=-65536; PRAGMA threads=0";

static int set_error(char **err, const char *what, const char *msg)
{
    if (err && asprintf(err, "%s: %s", what, msg ? msg : "?") < 0)
        *err = NULL;
    return -1;
}

/* PRAGMA journal_mode=mode on c: 0 when the database took it. */
static int journal_mode(db_conn *c, const char *mode)
{
    char sql[48];
    snprintf(sql, sizeof sql, "PRAGMA journal_mode=%s", mode);
    db_stmt *st = db_prepare(c, sql);
    if (!st)
        return -1;
    int ok = db_step(st) == DB_ROW && db_text(st, 0) && strcasecmp(db_text(st, 0), mode) == 0;
    db_done(st);
    return ok ? 0 : -1;
}

int db_load_begin(db *d, char **err)
{
    pthread_mutex_lock(&d->mu);
    int idle = d->nfree == d->n && !d->loading;
    if (idle) {
        d->loading = 1;
        d->nfree = 1;
        for (int i = 1; i < d->n; i++)
            d->conns[i].in_use = 1; /* taken out of the pool until db_load_end */
    }
    pthread_mutex_unlock(&d->mu);
    if (!idle)
        return set_error(err, "load mode", "connections are in use");
    db_conn *c = &d->conns[0];
    if (d->be->kind == DB_POSTGRES) {
        if (db_exec_script(c, "SET synchronous_commit = off") < 0)
            return set_error(err, "load mode", db_errmsg(c));
        return 0;
    }
    for (int i = 1; i < d->n; i++) {
        db_drop_statements(&d->conns[i]);
        d->be->disconnect(d->conns[i].handle);
        d->conns[i].handle = NULL;
    }
    /* The load's rows are made from ids read back from the tables they point to, so the
     * foreign keys are not checked row by row: each check is a seek into the parent table
     * (10M customers at the design size): 12% of the demo's CPU at 1M customers. */
    if (journal_mode(c, "MEMORY") < 0 || db_exec_script(c, sqlite_load_sql) < 0 ||
        db_exec_script(c, "PRAGMA foreign_keys=OFF") < 0) {
        char *e = NULL;
        set_error(err, "load mode", db_errmsg(c));
        db_load_end(d, &e);
        free(e);
        return -1;
    }
    return 0;
}

int db_load_end(db *d, char **err)
{
    if (!d->loading)
        return 0;
    db_conn *c = &d->conns[0];
    int rc = 0;
    if (d->be->kind == DB_POSTGRES) {
        if (db_exec_script(c, "RESET synchronous_commit") < 0)
            rc = set_error(err, "load mode", db_errmsg(c));
    } else {
        if (journal_mode(c, "WAL") < 0 || db_exec_script(c, sqlite_normal_sql) < 0 ||
            db_exec_script(c, "PRAGMA foreign_keys=ON") < 0)
            rc = set_error(err, "leaving load mode", db_errmsg(c));
        for (int i = 1; i < d->n && rc == 0; i++)
            if (d->be->connect(d->url, &d->conns[i].handle, err) < 0)
                rc = -1;
    }
    pthread_mutex_lock(&d->mu);
    for (int i = 1; i < d->n; i++)
        if (d->conns[i].handle) {
            d->conns[i].in_use = 0;
            d->nfree++;
        }
    d->loading = 0;
    pthread_cond_broadcast(&d->cv);
    pthread_mutex_unlock(&d->mu);
    return rc;
}

int db_loading(const db_conn *c)
{
    return c->owner->loading;
}

/* The page cache of a bulk load, in KiB. A load into a filled database (an import of 1M
 * customers into 10M) puts new keys all over its indexes, and it is one transaction:
 * every leaf page it touches stays dirty until the commit. When they outgrow the cache,
 * SQLite spills them into the WAL and reads them back from it page by page (measured:
 * 34 GB through pread/pwrite in ten minutes, not done). So the cache is sized to the
 * database, at least 1 GiB, at most half the RAM; it is only allocated as pages are
 * used. In load mode (a new database) 1 GiB. AFTERSALES_SQLITE_BULK_CACHE_MB sets it. */
static long bulk_cache_kib(db_conn *c)
{
    const char *v = getenv("AFTERSALES_SQLITE_BULK_CACHE_MB");
    char *end = NULL;
    long mb = v && *v ? strtol(v, &end, 10) : -1;
    if (mb > 0 && mb <= 1048576 && end && *end == '\0')
        return mb * 1024;
    if (db_loading(c))
        return 1048576;
    int64_t pages = 0, size = 0;
    db_stmt *st = db_prepare(c, "PRAGMA page_count");
    if (st && db_step(st) == DB_ROW)
        pages = db_int(st, 0);
    db_done(st);
    st = db_prepare(c, "PRAGMA page_size");
    if (st && db_step(st) == DB_ROW)
        size = db_int(st, 0);
    db_done(st);
    int64_t kib = pages * size / 1024, ram = (int64_t)sysconf(_SC_PHYS_PAGES) / 2 *
                                              (sysconf(_SC_PAGESIZE) / 1024);
    if (ram > 0 && kib > ram)
        kib = ram;
    return kib > 1048576 ? (long)kib : 1048576;
}

void db_bulk_cache(db_conn *c, int big)
{
    if (db_conn_kind(c) != DB_SQLITE)
        return;
    if (big) {
        if (!c->bulk_saved_cache) { /* the connection's own size (AFTERSALES_SQLITE_CACHE_MB) */
            db_stmt *st = db_prepare(c, "PRAGMA cache_size");
            if (st && db_step(st) == DB_ROW)
                c->bulk_saved_cache = db_int(st, 0);
            db_done(st);
        }
        char sql[80];
        snprintf(sql, sizeof sql, "PRAGMA cache_size=-%ld; PRAGMA threads=4", bulk_cache_kib(c));
        db_exec_script(c, sql);
    } else {
        db_exec_script(c, db_loading(c) ? sqlite_load_sql : sqlite_normal_sql);
        if (c->bulk_saved_cache && !db_loading(c)) {
            char sql[48];
            snprintf(sql, sizeof sql, "PRAGMA cache_size=%lld", (long long)c->bulk_saved_cache);
            db_exec_script(c, sql);
        }
        c->bulk_saved_cache = 0;
    }
}

int db_tables_empty(db_conn *c, const char *const *tables)
{
    for (; *tables; tables++) {
        char sql[160];
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM (SELECT 1 FROM %s LIMIT 1) x", *tables);
        db_stmt *st = db_prepare(c, sql);
        if (!st)
            return DB_ERROR;
        int rc = db_step(st);
        int64_t n = rc == DB_ROW ? db_int(st, 0) : -1;
        db_done(st);
        if (rc < 0)
            return rc;
        if (n != 0)
            return 0;
    }
    return 1;
}

/* ---------------------------------------------------------------- deferred indexes */

struct deferred_item {
    int trigger;
    char *name, *table, *sql;
};

struct db_deferred {
    struct deferred_item *items;
    int n, cap;
};

/* Secondary indexes and triggers of one table: rows (kind, name, table, sql), kind 'i'
 * or 't'. Unique indexes (and so keys and UNIQUE constraints) are left out. */
static const char *const list_sqlite =
    "SELECT CASE type WHEN 'index' THEN 'i' ELSE 't' END, name, tbl_name, sql"
    " FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL AND (type = 'trigger' OR"
    " (type = 'index' AND upper(sql) NOT LIKE 'CREATE UNIQUE%')) ORDER BY type, name";
static const char *const list_pg =
    "SELECT 'i', ic.relname, tc.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i"
    " JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class tc ON tc.oid = i.indrelid"
    " WHERE i.indrelid = to_regclass(CAST(? AS TEXT)) AND NOT i.indisunique"
    " AND NOT i.indisprimary"
    " UNION ALL SELECT 't', t.tgname, tc.relname, pg_get_triggerdef(t.oid) FROM pg_trigger t"
    " JOIN pg_class tc ON tc.oid = t.tgrelid"
    " WHERE t.tgrelid = to_regclass(CAST(? AS TEXT)) AND NOT t.tgisinternal ORDER BY 1, 2";

static void deferred_free(db_deferred *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->n; i++) {
        free(s->items[i].name);
        free(s->items[i].table);
        free(s->items[i].sql);
    }
    free(s->items);
    free(s);
}

static int deferred_list(db_conn *c, const char *table, db_deferred *s)
{
    db_stmt *st = db_prepare(c, db_conn_kind(c) == DB_POSTGRES ? list_pg : list_sqlite);
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, table);
    db_bind_text(st, 2, table);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if (s->n == s->cap) {
            s->cap = s->cap ? s->cap * 2 : 16;
            s->items = realloc(s->items, (size_t)s->cap * sizeof *s->items);
            if (!s->items)
                abort();
        }
        struct deferred_item *it = &s->items[s->n++];
        it->trigger = db_text(st, 0)[0] == 't';
        it->name = strdup(db_text(st, 1));
        it->table = strdup(db_text(st, 2));
        it->sql = strdup(db_text(st, 3));
        if (!it->name || !it->table || !it->sql)
            abort();
    }
    db_done(st);
    return rc < 0 ? rc : 0;
}

static int drop_item(db_conn *c, const struct deferred_item *it)
{
    buf b = BUF_INIT;
    buf_addf(&b, "DROP %s \"%s\"", it->trigger ? "TRIGGER" : "INDEX", it->name);
    if (it->trigger && db_conn_kind(c) == DB_POSTGRES)
        buf_addf(&b, " ON \"%s\"", it->table);
    int rc = db_exec_script(c, b.s);
    buf_release(&b);
    return rc;
}

/* Create saved items from `from` on, indexes (trigger = 0) or triggers (1). */
static int create_items(db_conn *c, const db_deferred *s, int from, int trigger)
{
    for (int i = from; i < s->n; i++)
        if (s->items[i].trigger == trigger && db_exec_script(c, s->items[i].sql) < 0)
            return DB_ERROR;
    return 0;
}

/* db_defer, or with only_triggers db_defer_triggers. */
static int defer_items(db_conn *c, const char *const *tables, int only_triggers, db_deferred **out)
{
    db_deferred *s = calloc(1, sizeof *s);
    if (!s)
        abort();
    for (; *tables; tables++)
        if (deferred_list(c, *tables, s) < 0) {
            deferred_free(s);
            return DB_ERROR;
        }
    if (only_triggers) { /* deferred_list's one query lists both: keep the triggers */
        int k = 0;
        for (int i = 0; i < s->n; i++) {
            if (s->items[i].trigger) {
                s->items[k++] = s->items[i];
                continue;
            }
            free(s->items[i].name);
            free(s->items[i].table);
            free(s->items[i].sql);
        }
        s->n = k;
    }
    for (int i = 0; i < s->n; i++)
        if (drop_item(c, &s->items[i]) < 0) {
            /* put back what is gone already: the first i items */
            db_deferred part = {s->items, i, s->cap};
            char keep[sizeof c->errmsg];
            memcpy(keep, c->errmsg, sizeof keep);
            create_items(c, &part, 0, 0);
            create_items(c, &part, 0, 1);
            memcpy(c->errmsg, keep, sizeof keep);
            deferred_free(s);
            return DB_ERROR;
        }
    *out = s;
    return 0;
}

int db_defer(db_conn *c, const char *const *tables, db_deferred **out)
{
    return defer_items(c, tables, 0, out);
}

int db_defer_triggers(db_conn *c, const char *const *tables, db_deferred **out)
{
    return defer_items(c, tables, 1, out);
}

void db_deferred_forget(db_deferred *saved)
{
    if (saved)
        deferred_free(saved);
}

int db_restore(db_conn *c, db_deferred *saved)
{
    if (!saved)
        return 0;
    /* SQLite sorts an index in memory on one thread when the page cache can hold it; a
     * small cache makes it sort runs on worker threads and merge them (about a third
     * faster on two cores). The cache is set back afterwards. */
    int64_t cache = 0;
    if (db_conn_kind(c) == DB_SQLITE) {
        db_stmt *st = db_prepare(c, "PRAGMA cache_size");
        if (st && db_step(st) == DB_ROW)
            cache = db_int(st, 0);
        db_done(st);
        db_exec_script(c, "PRAGMA cache_size=-16384; PRAGMA threads=4");
    }
    int rc = create_items(c, saved, 0, 0);
    if (cache) {
        char sql[80];
        snprintf(sql, sizeof sql, "PRAGMA cache_size=%lld; PRAGMA threads=0", (long long)cache);
        db_exec_script(c, sql);
    }
    if (rc == 0)
        rc = create_items(c, saved, 0, 1);
    deferred_free(saved);
    return rc;
}

int db_deferred_count(const db_deferred *saved)
{
    return saved ? saved->n : 0;
}

/* ---------------------------------------------------------------- multi-row INSERT */

void db_rows_sql(buf *out, const char *head, int ncols, int n, const char *tail)
{
    buf_adds(out, head);
    buf_adds(out, " VALUES ");
    for (int r = 0; r < n; r++) {
        buf_adds(out, r ? ",(" : "(");
        for (int k = 0; k < ncols; k++)
            buf_adds(out, k ? ",?" : "?");
        buf_addc(out, ')');
    }
    buf_adds(out, tail ? tail : "");
}

static db_stmt *rows_prepare(db_rows *r, int n)
{
    buf b = BUF_INIT;
    db_rows_sql(&b, r->head, r->ncols, n, r->tail);
    db_stmt *st = db_prepare(r->c, b.s);
    buf_release(&b);
    return st;
}

int db_rows_init(db_rows *r, db_conn *c, const char *head, int ncols, int per, const char *tail)
{
    memset(r, 0, sizeof *r);
    r->c = c;
    r->head = head;
    r->tail = tail ? tail : "";
    r->ncols = ncols < 1 ? 1 : ncols;
    r->per = per < 1 ? 1 : per;
    if (r->per > 30000 / r->ncols)
        r->per = 30000 / r->ncols > 0 ? 30000 / r->ncols : 1;
    r->full = rows_prepare(r, r->per);
    return r->full ? 0 : DB_ERROR;
}

static int rows_param(db_rows *r)
{
    return r->n * r->ncols + ++r->col;
}

void db_rows_int(db_rows *r, int64_t v)
{
    db_bind_int(r->full, rows_param(r), v);
}
void db_rows_text(db_rows *r, const char *s)
{
    db_bind_text(r->full, rows_param(r), s);
}
void db_rows_null(db_rows *r)
{
    db_bind_null(r->full, rows_param(r));
}

/* Run st (its rows bound), handing returned rows to r->each. */
static int rows_run(db_rows *r, db_stmt *st, int n)
{
    int rc, k = 0;
    while ((rc = db_step(st)) == DB_ROW)
        if (r->each && (rc = r->each(r->arg, st, k++)) < 0)
            break;
    db_done(st);
    if (rc < 0)
        return rc;
    r->rows += n;
    return 1;
}

int db_rows_end(db_rows *r)
{
    if (r->col != r->ncols) {
        db_set_error(r->c, "db_rows: a row with the wrong number of values");
        return DB_ERROR;
    }
    r->col = 0;
    if (++r->n < r->per)
        return 0;
    r->n = 0;
    return rows_run(r, r->full, r->per);
}

int db_rows_flush(db_rows *r)
{
    int n = r->n;
    if (n == 0)
        return 0;
    r->n = 0;
    db_stmt *full = r->full;
    db_stmt *st = rows_prepare(r, n);
    if (!st) {
        db_done(full);
        return DB_ERROR;
    }
    /* the values bound so far move to the statement of their size */
    for (int i = 0; i < n * r->ncols; i++) {
        if (full->ptype[i] == 't')
            db_bind_text(st, i + 1, full->pbuf + full->poff[i]);
        else if (full->ptype[i] == 'i')
            db_bind_int(st, i + 1, full->pint[i]);
        else
            db_bind_null(st, i + 1);
    }
    db_done(full);
    return rows_run(r, st, n);
}
