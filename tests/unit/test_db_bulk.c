/* db_bulk (SQLite backend): the multi-row INSERT text, db_rows batches and partial
 * flushes, indexes and triggers set aside and restored, load mode in and out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/db_bulk.h"

static char path[64];

static void remove_files(void)
{
    char f[80];
    unlink(path);
    snprintf(f, sizeof f, "%s-wal", path);
    unlink(f);
    snprintf(f, sizeof f, "%s-shm", path);
    unlink(f);
}

static int setup(void **state)
{
    snprintf(path, sizeof path, "/tmp/aftersales-unit-bulk-%d.db", (int)getpid());
    remove_files();
    db *d = NULL;
    char *err = NULL;
    if (db_open(path, 2, &d, &err) < 0) {
        fprintf(stderr, "%s\n", err);
        free(err);
        return -1;
    }
    db_conn *c = db_acquire(d);
    int rc = db_exec_script(c, "CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT UNIQUE, v BIGINT);"
                               "CREATE INDEX t_v ON t(v);"
                               "CREATE TABLE tsum (n BIGINT);"
                               "INSERT INTO tsum VALUES (0);"
                               "CREATE TRIGGER t_count AFTER INSERT ON t BEGIN"
                               " UPDATE tsum SET n = n + 1; END;");
    db_release(c);
    *state = d;
    return rc;
}

static int teardown(void **state)
{
    db_close(*state);
    remove_files();
    return 0;
}

static int64_t one_int(db_conn *c, const char *sql)
{
    db_stmt *st = db_prepare(c, sql);
    assert_non_null(st);
    assert_int_equal(db_step(st), DB_ROW);
    int64_t v = db_int(st, 0);
    db_done(st);
    return v;
}

static void builds_the_multi_row_statement(void **state)
{
    (void)state;
    buf b = BUF_INIT;
    db_rows_sql(&b, "INSERT INTO t (a, b)", 2, 3, " RETURNING id");
    assert_string_equal(b.s, "INSERT INTO t (a, b) VALUES (?,?),(?,?),(?,?) RETURNING id");
    buf_reset(&b);
    db_rows_sql(&b, "INSERT INTO t (a)", 1, 1, NULL);
    assert_string_equal(b.s, "INSERT INTO t (a) VALUES (?)");
    buf_release(&b);
}

struct seen {
    int64_t ids[64];
    int n;
};

static int note_id(void *arg, db_stmt *st, int k)
{
    struct seen *s = arg;
    assert_int_equal(k, s->n % 4); /* k counts within the batch of 4 */
    s->ids[s->n++] = db_int(st, 0);
    return 0;
}

static void inserts_full_batches_and_the_rest(void **state)
{
    db_conn *c = db_acquire(*state);
    db_exec_script(c, "DELETE FROM t; UPDATE tsum SET n = 0");
    db_rows r;
    struct seen s = {.n = 0};
    assert_int_equal(db_rows_init(&r, c, "INSERT INTO t (k, v)", 2, 4, " RETURNING id"), 0);
    r.each = note_id;
    r.arg = &s;
    int ran = 0;
    for (int i = 0; i < 10; i++) {
        char k[8];
        snprintf(k, sizeof k, "k%d", i);
        db_rows_text(&r, k);
        if (i == 3)
            db_rows_null(&r);
        else
            db_rows_int(&r, i * 10);
        int rc = db_rows_end(&r);
        assert_true(rc >= 0);
        ran += rc;
        /* nothing reaches the table before a batch is full */
        assert_int_equal(one_int(c, "SELECT COUNT(*) FROM t"), (i + 1) / 4 * 4);
    }
    assert_int_equal(ran, 2);
    assert_int_equal(db_rows_flush(&r), 1);
    assert_int_equal(db_rows_flush(&r), 0);
    assert_int_equal(r.rows, 10);
    assert_int_equal(s.n, 10);
    assert_int_equal(one_int(c, "SELECT COUNT(*) FROM t"), 10);
    assert_int_equal(one_int(c, "SELECT SUM(v) FROM t"), 450 - 30);
    assert_int_equal(one_int(c, "SELECT COUNT(*) FROM t WHERE v IS NULL AND k = 'k3'"), 1);
    assert_int_equal(one_int(c, "SELECT id FROM t WHERE k = 'k9'"), s.ids[9]);
    /* a row with too few values is refused, not shifted into the next one */
    db_rows_text(&r, "short");
    assert_true(db_rows_end(&r) < 0);
    db_release(c);
}

static void a_failing_batch_reports_the_error(void **state)
{
    db_conn *c = db_acquire(*state);
    db_rows r;
    assert_int_equal(db_rows_init(&r, c, "INSERT INTO t (k, v)", 2, 2, NULL), 0);
    db_rows_text(&r, "dup");
    db_rows_int(&r, 1);
    assert_int_equal(db_rows_end(&r), 0);
    db_rows_text(&r, "dup");
    db_rows_int(&r, 2);
    assert_int_equal(db_rows_end(&r), DB_EUNIQUE);
    assert_int_equal(one_int(c, "SELECT COUNT(*) FROM t WHERE k = 'dup'"), 0);
    db_release(c);
}

static void defers_indexes_and_triggers_and_restores_them(void **state)
{
    db_conn *c = db_acquire(*state);
    const char *const tables[] = {"t", NULL};
    const char *schema = "SELECT COUNT(*) FROM sqlite_master WHERE tbl_name = 't'"
                         " AND type IN ('index', 'trigger')";
    int64_t before = one_int(c, schema); /* t_v, t_count and the unique index on k */
    assert_int_equal(before, 3);
    db_exec_script(c, "DELETE FROM t; UPDATE tsum SET n = 0");
    db_deferred *saved = NULL;
    assert_int_equal(db_defer(c, tables, &saved), 0);
    assert_int_equal(db_deferred_count(saved), 2);
    assert_int_equal(one_int(c, schema), 1); /* the unique index stays */
    assert_int_equal(db_exec(c, "INSERT INTO t (k, v) VALUES ('a', 1)", ""), 1);
    assert_int_equal(db_exec(c, "INSERT INTO t (k, v) VALUES ('a', 2)", ""), DB_EUNIQUE);
    assert_int_equal(one_int(c, "SELECT n FROM tsum"), 0); /* the trigger is off */
    assert_int_equal(db_restore(c, saved), 0);
    assert_int_equal(one_int(c, schema), before);
    assert_int_equal(db_exec(c, "INSERT INTO t (k, v) VALUES ('b', 2)", ""), 1);
    assert_int_equal(one_int(c, "SELECT n FROM tsum"), 1);
    assert_int_equal(one_int(c, "SELECT COUNT(*) FROM t INDEXED BY t_v WHERE v = 2"), 1);
    db_release(c);
}

static void defers_only_the_triggers_and_forgets_after_a_rollback(void **state)
{
    db_conn *c = db_acquire(*state);
    const char *const tables[] = {"t", NULL};
    const char *triggers = "SELECT COUNT(*) FROM sqlite_master WHERE tbl_name = 't' AND type = 'trigger'";
    const char *indexes = "SELECT COUNT(*) FROM sqlite_master WHERE tbl_name = 't' AND type = 'index'";
    db_exec_script(c, "DELETE FROM t; UPDATE tsum SET n = 0");
    db_deferred *saved = NULL;
    assert_int_equal(db_defer_triggers(c, tables, &saved), 0);
    assert_int_equal(db_deferred_count(saved), 1);
    assert_int_equal(one_int(c, triggers), 0);
    assert_int_equal(one_int(c, indexes), 2); /* t_v and the unique index stay */
    assert_int_equal(db_exec(c, "INSERT INTO t (k, v) VALUES ('a', 1)", ""), 1);
    assert_int_equal(one_int(c, "SELECT n FROM tsum"), 0);
    assert_int_equal(db_restore(c, saved), 0);
    assert_int_equal(one_int(c, triggers), 1);
    assert_int_equal(db_exec(c, "INSERT INTO t (k, v) VALUES ('b', 2)", ""), 1);
    assert_int_equal(one_int(c, "SELECT n FROM tsum"), 1);
    /* inside a transaction rolled back: the drop is undone, the saved SQL only freed */
    assert_int_equal(db_begin(c), 0);
    assert_int_equal(db_defer_triggers(c, tables, &saved), 0);
    assert_int_equal(one_int(c, triggers), 0);
    db_rollback(c);
    db_deferred_forget(saved);
    assert_int_equal(one_int(c, triggers), 1);
    db_release(c);
}

static void tells_empty_tables(void **state)
{
    db_conn *c = db_acquire(*state);
    db_exec_script(c, "DELETE FROM t");
    const char *const both[] = {"t", "tsum", NULL}, *const one[] = {"t", NULL};
    assert_int_equal(db_tables_empty(c, one), 1);
    assert_int_equal(db_tables_empty(c, both), 0);
    const char *const missing[] = {"no_such_table", NULL};
    assert_true(db_tables_empty(c, missing) < 0);
    db_release(c);
}

static void load_mode_leaves_wal_and_comes_back(void **state)
{
    db *d = *state;
    char *err = NULL;
    assert_int_equal(db_load_begin(d, &err), 0);
    db_conn *c = db_acquire(d);
    assert_true(db_loading(c));
    db_stmt *st = db_prepare(c, "PRAGMA journal_mode");
    assert_int_equal(db_step(st), DB_ROW);
    assert_string_equal(db_text(st, 0), "memory");
    db_done(st);
    assert_int_equal(one_int(c, "PRAGMA synchronous"), 0);
    db_bulk_cache(c, 1);
    db_bulk_cache(c, 0); /* back to the load mode's cache, not the usual one */
    assert_int_equal(one_int(c, "PRAGMA cache_size"), -1048576);
    assert_int_equal(db_exec(c, "INSERT INTO t (k, v) VALUES ('load', 1)", ""), 1);
    db_release(c);
    assert_int_equal(db_load_end(d, &err), 0);
    /* both connections are back, in WAL with synchronous=FULL */
    db_conn *a = db_acquire(d), *b = db_acquire(d);
    assert_false(db_loading(a));
    st = db_prepare(b, "PRAGMA journal_mode");
    assert_int_equal(db_step(st), DB_ROW);
    assert_string_equal(db_text(st, 0), "wal");
    db_done(st);
    assert_int_equal(one_int(a, "PRAGMA synchronous"), 2);
    assert_int_equal(one_int(b, "SELECT COUNT(*) FROM t WHERE k = 'load'"), 1);
    /* not while a connection is borrowed */
    db_release(b);
    assert_int_equal(db_load_begin(d, &err), -1);
    assert_non_null(err);
    free(err);
    db_release(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(builds_the_multi_row_statement),
        cmocka_unit_test(inserts_full_batches_and_the_rest),
        cmocka_unit_test(a_failing_batch_reports_the_error),
        cmocka_unit_test(defers_indexes_and_triggers_and_restores_them),
        cmocka_unit_test(defers_only_the_triggers_and_forgets_after_a_rollback),
        cmocka_unit_test(tells_empty_tables),
        cmocka_unit_test(load_mode_leaves_wal_and_comes_back),
    };
    return cmocka_run_group_tests_name("db_bulk", tests, setup, teardown);
}
