/* db_sqlite: the embedded backend. WAL, a busy timeout, foreign keys on. */
#include "base/db_impl.h"

#include <pthread.h>
#include <stdint.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

static void sq_configure(void) { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); }

/* A number (megabytes, pages) from the environment variable `name` (0 to 1048576), else `dflt`. */
static long env_num(const char *name, long dflt)
{
    const char *v = getenv(name);
    char *end = NULL;
    long n = v && *v ? strtol(v, &end, 10) : -1;
    return n >= 0 && n <= 1048576 && end && *end == '\0' ? n : dflt;
}

static int sq_connect(const char *url, void **handle, char **err)
{
    const char *path = url;
    if (strncmp(path, "sqlite://", 9) == 0)
        path += 9;
    else if (strncmp(path, "file:", 5) == 0)
        path += 5;
    /* No global memory statistics: they take a process-wide mutex on every malloc. */
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, sq_configure);
    sqlite3 *h = NULL;
    int rc = sqlite3_open_v2(path, &h,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             NULL);
    if (rc != SQLITE_OK) {
        if (err && asprintf(err, "cannot open %s: %s", path,
                            h ? sqlite3_errmsg(h) : sqlite3_errstr(rc)) < 0)
            *err = NULL;
        sqlite3_close(h);
        return -1;
    }
    sqlite3_busy_timeout(h, 10000);
    char *msg = NULL;
    /* Memory per connection: the page cache is anonymous memory (RssAnon), the mapped
     * database file pages are file-backed (RssFile) that the kernel reclaims under
     * pressure. AFTERSALES_SQLITE_CACHE_MB (default 64) and AFTERSALES_SQLITE_MMAP_MB
     * (default 1024; 0: read() into the cache instead) size them. */
    char pragmas[256];
    snprintf(pragmas, sizeof pragmas,
             "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
             "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; "
             "PRAGMA cache_size=-%ld; PRAGMA mmap_size=%lld;",
             env_num("AFTERSALES_SQLITE_CACHE_MB", 64) * 1024,
             (long long)env_num("AFTERSALES_SQLITE_MMAP_MB", 1024) * 1048576);
    rc = sqlite3_exec(h, pragmas, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        if (err && asprintf(err, "cannot configure %s: %s", path, msg ? msg : "?") < 0)
            *err = NULL;
        sqlite3_free(msg);
        sqlite3_close(h);
        return -1;
    }
    *handle = h;
    return 0;
}

static void sq_disconnect(void *handle) { sqlite3_close_v2(handle); }

static void *sq_prepare(db_conn *c, const char *sql, int *nparams)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(c->handle, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) !=
        SQLITE_OK) {
        db_set_error(c, sqlite3_errmsg(c->handle));
        return NULL;
    }
    *nparams = sqlite3_bind_parameter_count(st);
    return st;
}

static void sq_finalize(void *bst) { sqlite3_finalize(bst); }

static int map_error(db_conn *c, int rc)
{
    db_set_error(c, sqlite3_errmsg(c->handle));
    switch (sqlite3_extended_errcode(c->handle)) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
        return DB_EUNIQUE;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
        return DB_EFK;
    }
    if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
        return DB_EBUSY;
    return DB_ERROR;
}

static int sq_durable(db_conn *c);

static int sq_step(db_stmt *st)
{
    sqlite3_stmt *s = st->bst;
    if (!st->started) {
        for (int i = 0; i < st->nparams; i++) {
            if (st->ptype[i] == 't')
                sqlite3_bind_text(s, i + 1, st->ptext[i], -1, SQLITE_STATIC);
            else if (st->ptype[i] == 'i')
                sqlite3_bind_int64(s, i + 1, st->pint[i]);
            else
                sqlite3_bind_null(s, i + 1);
        }
    }
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        return DB_ROW;
    if (rc == SQLITE_DONE) {
        st->changes = sqlite3_changes64(st->conn->handle);
        /* a write outside db_begin committed by itself: make it durable here (db_commit
         * does it for transactions, once the write lock is free) */
        if (!st->conn->writing && st->conn->owner->bg && !sqlite3_stmt_readonly(s) &&
            sqlite3_get_autocommit(st->conn->handle) && sq_durable(st->conn) < 0)
            return DB_ERROR;
        return DB_DONE;
    }
    return map_error(st->conn, rc);
}

static const char *sq_text(db_stmt *st, int col)
{
    return (const char *)sqlite3_column_text(st->bst, col);
}

static int64_t sq_int(db_stmt *st, int col) { return sqlite3_column_int64(st->bst, col); }

static int sq_isnull(db_stmt *st, int col)
{
    return sqlite3_column_type(st->bst, col) == SQLITE_NULL;
}

static int sq_ncols(db_stmt *st) { return sqlite3_column_count(st->bst); }

static const char *sq_colname(db_stmt *st, int col) { return sqlite3_column_name(st->bst, col); }

static void sq_reset(db_stmt *st)
{
    sqlite3_reset(st->bst);
    sqlite3_clear_bindings(st->bst);
}

static int sq_script(db_conn *c, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(c->handle, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        db_set_error(c, msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        return DB_ERROR;
    }
    return 0;
}

/* ---------------------------------------------------------------- background checkpoints */

/* A commit that leaves SQ_CKPT_PAGES pages or more in the WAL not yet copied into the
 * database file wakes the checkpointer, which copies them with a PASSIVE checkpoint: it
 * blocks neither readers nor writers. Without it, the commit that crosses the threshold
 * does the copy and the database file's fsync itself: 4-6.5 ms, one commit in 20-30 of a
 * 5-line part request (bench/README.md). Even on its own thread a copy delays the
 * commits beside it (their WAL sync waits behind its writes and fsync at the disk), in
 * proportion to its size: at SQLite's own 1,000 pages a part request's p99 was 5.1-6.4
 * ms, at 250 pages 2.7-2.9 ms (p50 and moves/s the same; at 100, p50 and CPU rose).
 *
 * The WAL starts over only at a write transaction that finds it fully copied, and under
 * a steady load a writer always begins while a checkpoint runs (measured: it never did
 * at one part request at a time), so the WAL would only grow. At SQ_WAL_RESTART_PAGES
 * (256 MiB of 4 KiB pages) the checkpointer holds this process's writers back and runs
 * a RESTART checkpoint, which copies the last frames and starts the WAL over: one stall
 * of 20-40 ms every 65,536 pages (every ~2,200 part requests or ~6,500 moves). */
#define SQ_CKPT_PAGES 250 /* AFTERSALES_SQLITE_CHECKPOINT_PAGES overrides (b->ckpt_pages) */
#define SQ_WAL_RESTART_PAGES 65536

struct sq_bg {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int want, stop;
    int copied; /* WAL frames the last checkpoint found copied */
    int ckpt_pages; /* uncopied frames that start a checkpoint */
    sqlite3 *h;
    db *d;
    /* group commit (sq_durable): WAL syncs started and finished, one at a time */
    pthread_mutex_t sync_mu;
    pthread_cond_t sync_cv;
    uint64_t sync_started, sync_done;
    uint64_t commits, syncs; /* for /metrics: durable commits, WAL syncs they took */
    int syncing;
};

static int sq_wal_hook(void *arg, sqlite3 *h, const char *name, int pages)
{
    (void)h;
    (void)name;
    struct sq_bg *b = arg;
    pthread_mutex_lock(&b->mu);
    if (pages < b->copied) /* the WAL has started over */
        b->copied = 0;
    if (pages - b->copied >= b->ckpt_pages && !b->want) {
        b->want = 1;
        pthread_cond_signal(&b->cv);
    }
    pthread_mutex_unlock(&b->mu);
    return SQLITE_OK;
}

static void *sq_bg_loop(void *arg)
{
    struct sq_bg *b = arg;
    /* behind the request threads for the CPU (on 2 cores its copy competed with them);
     * if that is not allowed it keeps the same priority, still off the commit path */
    (void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10);
    pthread_mutex_lock(&b->mu);
    while (!b->stop) {
        if (!b->want) {
            pthread_cond_wait(&b->cv, &b->mu);
            continue;
        }
        pthread_mutex_unlock(&b->mu);
        int log = 0, done = 0;
        /* again while the writers appended much meanwhile, so that the held-back copy
         * below is short */
        for (int i = 0; i < 4; i++) {
            sqlite3_wal_checkpoint_v2(b->h, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
            if (log < SQ_WAL_RESTART_PAGES || log - done < b->ckpt_pages / 10)
                break;
        }
        if (log >= SQ_WAL_RESTART_PAGES) {
            pthread_mutex_lock(&b->d->write_mu);
            sqlite3_wal_checkpoint_v2(b->h, NULL, SQLITE_CHECKPOINT_RESTART, &log, &done);
            pthread_mutex_unlock(&b->d->write_mu);
        }
        pthread_mutex_lock(&b->mu);
        b->copied = done > 0 ? done : 0;
        b->want = 0;
    }
    pthread_mutex_unlock(&b->mu);
    return NULL;
}

static int sq_bg_start(db *d)
{
    struct sq_bg *b = calloc(1, sizeof *b);
    if (!b)
        return -1;
    char *err = NULL;
    void *h = NULL;
    if (sq_connect(d->url, &h, &err) < 0) {
        free(err);
        free(b);
        return -1;
    }
    b->h = h;
    b->d = d;
    b->ckpt_pages = (int)env_num("AFTERSALES_SQLITE_CHECKPOINT_PAGES", SQ_CKPT_PAGES);
    if (b->ckpt_pages < 1 || b->ckpt_pages > SQ_WAL_RESTART_PAGES / 2)
        b->ckpt_pages = SQ_CKPT_PAGES;
    pthread_mutex_init(&b->mu, NULL);
    pthread_cond_init(&b->cv, NULL);
    pthread_mutex_init(&b->sync_mu, NULL);
    pthread_cond_init(&b->sync_cv, NULL);
    if (pthread_create(&b->thread, NULL, sq_bg_loop, b) != 0) {
        sqlite3_close_v2(b->h);
        free(b);
        return -1;
    }
    /* the hook replaces the connections' autocheckpoint; commits sync in groups */
    for (int i = 0; i < d->n; i++)
        if (d->conns[i].handle) {
            sqlite3_wal_hook(d->conns[i].handle, sq_wal_hook, b);
            sqlite3_exec(d->conns[i].handle, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
        }
    d->bg = b;
    return 0;
}

static void sq_bg_stop(db *d)
{
    struct sq_bg *b = d->bg;
    for (int i = 0; i < d->n; i++)
        if (d->conns[i].handle) {
            sqlite3_wal_autocheckpoint(d->conns[i].handle, SQ_CKPT_PAGES);
            sqlite3_exec(d->conns[i].handle, "PRAGMA synchronous=FULL", NULL, NULL, NULL);
        }
    pthread_mutex_lock(&b->mu);
    b->stop = 1;
    pthread_cond_signal(&b->cv);
    pthread_mutex_unlock(&b->mu);
    pthread_join(b->thread, NULL);
    sqlite3_close_v2(b->h);
    pthread_mutex_destroy(&b->mu);
    pthread_cond_destroy(&b->cv);
    pthread_mutex_destroy(&b->sync_mu);
    pthread_cond_destroy(&b->sync_cv);
    free(b);
    d->bg = NULL;
}

/* ---------------------------------------------------------------- group commit */

/* Under serve (with the checkpointer) the connections run synchronous=NORMAL: COMMIT
 * writes the transaction's frames into the WAL and makes them visible, without syncing.
 * Then, outside the write lock, the committer waits for a sync of the WAL that started
 * after its commit: one committer at a time syncs, and the commits that arrived while it
 * did share the next sync. A commit returns (and a request answers) only once its frames
 * are on disk, as under synchronous=FULL, but N writers waiting pay for one fsync instead
 * of N, each of them held inside the write lock.
 *
 * Readers can see a commit during its sync (a power cut then loses it with what they
 * read); a write that depends on it comes later in the WAL, so its own sync covers both.
 * A checkpoint syncs the WAL before copying from it and the WAL starts over only when
 * everything in it is in the database file, synced. */
static int sq_sync_wal(db_conn *c)
{
    sqlite3_file *f = NULL;
    if (sqlite3_file_control(c->handle, "main", SQLITE_FCNTL_JOURNAL_POINTER, &f) != SQLITE_OK ||
        !f || !f->pMethods)
        return -1;
    return f->pMethods->xSync(f, SQLITE_SYNC_NORMAL) == SQLITE_OK ? 0 : -1;
}

static int sq_durable(db_conn *c)
{
    struct sq_bg *b = c->owner->bg;
    if (!b) /* not serving: synchronous=FULL synced the commit already */
        return 0;
    int rc = 0;
    pthread_mutex_lock(&b->sync_mu);
    b->commits++;
    uint64_t need = b->sync_started + 1; /* a sync under way may have started before us */
    while (b->sync_done < need) {
        if (b->syncing) {
            pthread_cond_wait(&b->sync_cv, &b->sync_mu);
            continue;
        }
        b->syncing = 1;
        uint64_t mine = ++b->sync_started;
        pthread_mutex_unlock(&b->sync_mu);
        int failed = sq_sync_wal(c);
        pthread_mutex_lock(&b->sync_mu);
        b->syncing = 0;
        if (failed) { /* nobody may count on this one: the next committer tries again */
            b->sync_started--;
            rc = DB_ERROR;
            db_set_error(c, "cannot sync the write-ahead log");
            pthread_cond_broadcast(&b->sync_cv);
            break;
        }
        b->sync_done = mine;
        b->syncs++;
        pthread_cond_broadcast(&b->sync_cv);
    }
    pthread_mutex_unlock(&b->sync_mu);
    return rc;
}

int db_commit_stats(db_conn *c, uint64_t *commits, uint64_t *syncs)
{
    struct sq_bg *b = c->be == &db_sqlite_backend ? c->owner->bg : NULL;
    if (!b)
        return -1;
    pthread_mutex_lock(&b->sync_mu);
    *commits = b->commits;
    *syncs = b->syncs;
    pthread_mutex_unlock(&b->sync_mu);
    return 0;
}

const struct db_backend db_sqlite_backend = {
    .kind = DB_SQLITE,
    .connect = sq_connect,
    .disconnect = sq_disconnect,
    .prepare = sq_prepare,
    .finalize = sq_finalize,
    .step = sq_step,
    .text = sq_text,
    .integer = sq_int,
    .isnull = sq_isnull,
    .ncols = sq_ncols,
    .colname = sq_colname,
    .reset = sq_reset,
    .script = sq_script,
    .begin_sql = "BEGIN IMMEDIATE",
    .bg_start = sq_bg_start,
    .bg_stop = sq_bg_stop,
    .durable = sq_durable,
};

/* Called by db_backup with a borrowed connection. */
int db_sqlite_backup(db_conn *c, const char *file, char **err)
{
    sqlite3 *dst = NULL;
    int rc = sqlite3_open(file, &dst);
    if (rc == SQLITE_OK) {
        sqlite3_backup *b = sqlite3_backup_init(dst, "main", c->handle, "main");
        if (b) {
            /* Copy in steps so writers are not blocked for the whole copy. */
            do {
                rc = sqlite3_backup_step(b, 1024);
                if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
                    sqlite3_sleep(20);
            } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
            sqlite3_backup_finish(b);
        }
        rc = sqlite3_errcode(dst);
    }
    if (rc != SQLITE_OK && rc != SQLITE_DONE) {
        if (asprintf(err, "backup to %s failed: %s", file, sqlite3_errmsg(dst)) < 0)
            *err = NULL;
        sqlite3_close(dst);
        return -1;
    }
    sqlite3_close(dst);
    return 0;
}

/* 1 when h holds an aftersales database that passes SQLite's quick check. */
static int sq_is_aftersales(sqlite3 *h)
{
    sqlite3_stmt *st = NULL;
    int ok = 0;
    if (sqlite3_prepare_v2(h,
                           "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN"
                           " ('schema_migrations', 'users', 'repairs', 'audit')",
                           -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        ok = sqlite3_column_int(st, 0) == 4;
    sqlite3_finalize(st);
    if (ok && sqlite3_prepare_v2(h, "PRAGMA quick_check", -1, &st, NULL) == SQLITE_OK) {
        ok = sqlite3_step(st) == SQLITE_ROW &&
             strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0;
        sqlite3_finalize(st);
    }
    return ok;
}

int db_restore_sqlite(const char *backup, const char *target, char **err)
{
    sqlite3 *src = NULL, *dst = NULL;
    int rc = sqlite3_open_v2(backup, &src, SQLITE_OPEN_READONLY, NULL);
    if (rc != SQLITE_OK || !sq_is_aftersales(src)) {
        if (asprintf(err, "%s is not an aftersales database", backup) < 0)
            *err = NULL;
        sqlite3_close(src);
        return -2;
    }
    rc = sqlite3_open(target, &dst);
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(dst, 10000);
        sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
        if (b) {
            rc = sqlite3_backup_step(b, -1);
            sqlite3_backup_finish(b);
        }
        rc = sqlite3_errcode(dst);
    }
    if (rc != SQLITE_OK && rc != SQLITE_DONE) {
        if (asprintf(err, "restore into %s failed: %s", target, sqlite3_errmsg(dst)) < 0)
            *err = NULL;
        rc = -1;
    } else {
        rc = 0;
    }
    sqlite3_close(dst);
    sqlite3_close(src);
    return rc;
}
