/* db (SQLite backend) and migrate: migrations applied once, statements cached,
 * bindings, error classes, transactions. PostgreSQL is exercised by the API tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
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

static int teardown(void **state)
{
    db_close(*state);
    char wal[80];
    unlink(path);
    snprintf(wal, sizeof wal, "%s-wal", path);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", path);
    unlink(wal);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(migrations_are_recorded_once),
        cmocka_unit_test(binds_and_reads_types),
        cmocka_unit_test(classifies_errors),
        cmocka_unit_test(rollback_undoes_and_commit_keeps),
        cmocka_unit_test(backup_copies_a_consistent_database),
    };
    return cmocka_run_group_tests_name("db", tests, setup, teardown);
}
