/* db (SQLite backend) and migrate: migrations applied once, statements cached,
 * bindings, error classes, transactions. PostgreSQL is exercised by the API tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/db.h"

static char path[64];

static int setup(void **state)
{
    snprintf(path, sizeof path, "/tmp/aftersales-unit-%d.db", (int)getpid());
    unlink(path);
    db *d = NULL;
    char *err = NULL;
    if (db_open(path, 2, &d, &err) < 0) {
        fprintf(stderr, "%s\n", err);
        free(err);
        return -1;
    }
    *state = d;
    return 0;
}

/* A SQLite database file and its -wal and -shm. */
static void remove_db(const char *file)
{
    char side[128];
    unlink(file);
    snprintf(side, sizeof side, "%s-wal", file);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", file);
    unlink(side);
}

static int teardown(void **state)
{
    db_close(*state);
    remove_db(path);
    return 0;
}

static void migrations_are_recorded_once(void **state)
{
    db_conn *c = db_acquire(*state);
    db_stmt *st = db_prepare(c, "SELECT COUNT(*) FROM schema_migrations");
    assert_non_null(st);
    assert_int_equal(db_step(st), DB_ROW);
    int64_t n = db_int(st, 0);
    assert_true(n >= 1);
    db_done(st);
    db_release(c);
    /* opening again applies nothing new */
    db *again = NULL;
    char *err = NULL;
    assert_int_equal(db_open(path, 1, &again, &err), 0);
    c = db_acquire(again);
    st = db_prepare(c, "SELECT COUNT(*) FROM schema_migrations");
    assert_int_equal(db_step(st), DB_ROW);
    assert_int_equal(db_int(st, 0), n);
    db_done(st);
    db_release(c);
    db_close(again);
}

static void binds_and_reads_types(void **state)
{
    db_conn *c = db_acquire(*state);
    assert_true(db_exec(c, "CREATE TABLE t (k TEXT PRIMARY KEY, n BIGINT, z TEXT)", "") >= 0);
    assert_int_equal(db_exec(c, "INSERT INTO t (k, n, z) VALUES (?, ?, ?)", "tin", "a",
                             (int64_t)9007199254740993LL),
                     1);
    db_stmt *st = db_prepare(c, "SELECT k, n, z FROM t WHERE k = ?");
    db_bind_text(st, 1, "a");
    assert_int_equal(db_step(st), DB_ROW);
    assert_string_equal(db_text(st, 0), "a");
    assert_true(db_int(st, 1) == 9007199254740993LL);
    assert_true(db_isnull(st, 2));
    assert_null(db_text(st, 2));
    assert_int_equal(db_ncols(st), 3);
    assert_string_equal(db_colname(st, 1), "n");
    assert_int_equal(db_step(st), DB_DONE);
    db_done(st);
    /* the same text gives the same cached statement, with bindings cleared */
    db_stmt *again = db_prepare(c, "SELECT k, n, z FROM t WHERE k = ?");
    assert_ptr_equal(st, again);
    assert_int_equal(db_step(again), DB_DONE);
    db_done(again);
    db_release(c);
}

static void classifies_errors(void **state)
{
    db_conn *c = db_acquire(*state);
    db_exec(c, "CREATE TABLE u (k TEXT PRIMARY KEY)", "");
    assert_int_equal(db_exec(c, "INSERT INTO u (k) VALUES (?)", "t", "x"), 1);
    assert_int_equal(db_exec(c, "INSERT INTO u (k) VALUES (?)", "t", "x"), DB_EUNIQUE);
    assert_int_equal(db_exec(c, "INSERT INTO users (login, name, role, outlet_id, password_hash,"
                                " created_at, updated_at) VALUES ('a','a','agent',999,'h',0,0)",
                             ""),
                     DB_EFK);
    assert_null(db_prepare(c, "SELEC nonsense"));
    assert_true(strlen(db_errmsg(c)) > 0);
    db_release(c);
}

static void rollback_undoes_and_commit_keeps(void **state)
{
    db_conn *c = db_acquire(*state);
    db_exec(c, "CREATE TABLE v (n BIGINT)", "");
    assert_int_equal(db_begin(c), 0);
    db_exec(c, "INSERT INTO v VALUES (1)", "");
    db_rollback(c);
    assert_int_equal(db_begin(c), 0);
    db_exec(c, "INSERT INTO v VALUES (2)", "");
    assert_int_equal(db_commit(c), 0);
    db_stmt *st = db_prepare(c, "SELECT COALESCE(SUM(n), 0) FROM v");
    assert_int_equal(db_step(st), DB_ROW);
    assert_int_equal(db_int(st, 0), 2);
    db_done(st);
    assert_int_equal(db_exec(c, "UPDATE v SET n = n + 1", ""), 1);
    db_release(c);
}

static void backup_copies_a_consistent_database(void **state)
{
    char copy[80];
    snprintf(copy, sizeof copy, "%s.bak", path);
    unlink(copy);
    char *err = NULL;
    assert_int_equal(db_backup(*state, copy, &err), 0);
    db *b = NULL;
    assert_int_equal(db_open(copy, 1, &b, &err), 0);
    db_conn *c = db_acquire(b);
    db_stmt *st = db_prepare(c, "SELECT COUNT(*) FROM schema_migrations");
    assert_int_equal(db_step(st), DB_ROW);
    assert_true(db_int(st, 0) >= 1);
    db_done(st);
    db_release(c);
    db_close(b);
    unlink(copy);
}

/* Group commit: writers on several threads, under the background checkpointer (as in
 * serve); every transaction and autocommit write lands, each counted as a durable commit,
 * and no more WAL syncs than commits. */
#define GC_THREADS 6
#define GC_TX 40
static void *gc_writer(void *arg)
{
    db *d = arg;
    for (int i = 0; i < GC_TX; i++) {
        db_conn *c = db_acquire(d);
        if (i % 4 == 3) { /* an autocommit write now and then */
            if (db_exec(c, "INSERT INTO gc (n) VALUES (?)", "i", (int64_t)i) != 1)
                abort();
        } else {
            if (db_begin(c) < 0 || db_exec(c, "INSERT INTO gc (n) VALUES (?)", "i", (int64_t)i) != 1 ||
                db_commit(c) < 0)
                abort();
        }
        db_release(c);
    }
    return NULL;
}

static void commits_in_groups_under_the_checkpointer(void **state)
{
    (void)state;
    char gpath[80];
    snprintf(gpath, sizeof gpath, "%s.gc", path);
    remove_db(gpath);
    db *d = NULL;
    char *err = NULL;
    assert_int_equal(db_open(gpath, GC_THREADS, &d, &err), 0);
    db_conn *c = db_acquire(d);
    uint64_t commits = 0, syncs = 0;
    assert_int_equal(db_commit_stats(c, &commits, &syncs), -1); /* not serving: none */
    assert_true(db_exec(c, "CREATE TABLE gc (n BIGINT)", "") >= 0);
    db_release(c);
    assert_int_equal(db_checkpoint_in_background(d), 0);
    pthread_t t[GC_THREADS];
    for (int i = 0; i < GC_THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, gc_writer, d), 0);
    for (int i = 0; i < GC_THREADS; i++)
        pthread_join(t[i], NULL);
    c = db_acquire(d);
    assert_int_equal(db_commit_stats(c, &commits, &syncs), 0);
    assert_int_equal(commits, GC_THREADS * GC_TX);
    assert_true(syncs >= 1 && syncs <= commits);
    db_stmt *st = db_prepare(c, "SELECT COUNT(*) FROM gc");
    assert_int_equal(db_step(st), DB_ROW);
    assert_int_equal(db_int(st, 0), GC_THREADS * GC_TX);
    db_done(st);
    db_release(c);
    db_close(d);
    remove_db(gpath);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(migrations_are_recorded_once),
        cmocka_unit_test(binds_and_reads_types),
        cmocka_unit_test(classifies_errors),
        cmocka_unit_test(rollback_undoes_and_commit_keeps),
        cmocka_unit_test(backup_copies_a_consistent_database),
        cmocka_unit_test(commits_in_groups_under_the_checkpointer),
    };
    return cmocka_run_group_tests_name("db", tests, setup, teardown);
}
