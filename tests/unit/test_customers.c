/* customers: the two calls other capabilities use, customers_match_or_create and
 * customers_resolve, against a fresh SQLite database (all migrations applied). */
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
#include "features/customers/customers.h"
#include "rules/identity.h"
#include "rules/t2s.h"

static char dir[64];
static db *d;

static int setup(void **state)
{
    snprintf(dir, sizeof dir, "/tmp/cust-unit-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    char path[128], *err = NULL;
    snprintf(path, sizeof path, "%s/t.db", dir);
    if (db_open(path, 1, &d, &err) < 0) {
        fprintf(stderr, "db_open: %s\n", err ? err : "?");
        free(err);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    db_close(d);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        return -1;
    rules_t2s_close();
    return 0;
}

static int64_t count(db_conn *c, const char *sql)
{
    db_stmt *st = db_prepare(c, sql);
    assert_non_null(st);
    assert_int_equal(db_step(st), DB_ROW);
    int64_t n = db_int(st, 0);
    db_done(st);
    return n;
}

/* match_or_create in its own transaction, committed */
static int moc(db_conn *c, const char *name, const char *phone, const char *email,
               const char *region, int64_t *id, char code[16])
{
    assert_int_equal(db_begin(c), 0);
    int rc = customers_match_or_create(c, "unit", name, phone, email, region, id, code);
    if (rc == 0)
        assert_int_equal(db_commit(c), 0);
    else
        db_rollback(c);
    return rc;
}

static void invalid_input_writes_nothing(void **state)
{
    db_conn *c = db_acquire(d);
    int64_t before = count(c, "SELECT COUNT(*) FROM customers");
    int64_t id = 7;
    char code[16] = "x";
    assert_int_equal(moc(c, NULL, "13800138000", NULL, NULL, &id, code), CUSTOMERS_BAD_NAME);
    assert_int_equal(moc(c, "  ", "13800138000", NULL, NULL, &id, code), CUSTOMERS_BAD_NAME);
    assert_int_equal(moc(c, "张伟", "12345", NULL, NULL, &id, code), CUSTOMERS_BAD_PHONE);
    assert_int_equal(moc(c, "张伟", NULL, "nope", NULL, &id, code), CUSTOMERS_BAD_EMAIL);
    assert_int_equal(moc(c, "张伟", "13800138000", NULL, "99", &id, code), CUSTOMERS_BAD_REGION);
    assert_int_equal(moc(c, "张伟", NULL, "", NULL, &id, code), CUSTOMERS_NO_CONTACT);
    assert_int_equal(id, 7); /* out-parameters untouched */
    assert_string_equal(code, "x");
    assert_string_equal(customers_invalid_field(CUSTOMERS_BAD_PHONE), "phone");
    assert_string_equal(customers_invalid_field(CUSTOMERS_NO_CONTACT), "phone");
    assert_true(strlen(customers_invalid_reason(CUSTOMERS_BAD_EMAIL)) > 0);
    assert_string_equal(customers_invalid_reason(0), "unknown");
    assert_int_equal(count(c, "SELECT COUNT(*) FROM customers"), before);
    db_release(c);
}

static void creates_then_matches_strongly(void **state)
{
    db_conn *c = db_acquire(d);
    int64_t id1, id2, id3, id4;
    char c1[16], c2[16], c3[16], c4[16];
    assert_int_equal(moc(c, "張偉", "+86 139-0013-9000", "Zhang@Example.com", "310104", &id1, c1),
                     0);
    assert_true(id1 > 0);
    assert_int_equal(strlen(c1), 9);
    assert_int_equal(c1[0], 'C');
    /* the same phone typed otherwise, another name: the same customer, nothing new */
    int64_t n = count(c, "SELECT COUNT(*) FROM customers");
    assert_int_equal(moc(c, "张小伟", "１３９００１３９０００", NULL, NULL, &id2, c2), 0);
    assert_int_equal(id2, id1);
    assert_string_equal(c2, c1);
    /* the same email in capitals */
    assert_int_equal(moc(c, "Z", NULL, " ZHANG@EXAMPLE.COM ", NULL, &id3, c3), 0);
    assert_int_equal(id3, id1);
    assert_int_equal(count(c, "SELECT COUNT(*) FROM customers"), n);
    /* another person */
    assert_int_equal(moc(c, "李娜", "021-6234 5678", NULL, NULL, &id4, c4), 0);
    assert_true(id4 != id1);
    assert_true(strcmp(c4, c1) > 0);
    assert_int_equal(count(c, "SELECT COUNT(*) FROM customers"), n + 1);
    assert_int_equal(count(c, "SELECT COUNT(*) FROM customer_phones WHERE phone = '02162345678'"
                              " AND phone_rev = '87654326120'"),
                     1);
    /* audited */
    assert_true(count(c, "SELECT COUNT(*) FROM audit WHERE entity = 'customer' AND action ="
                         " 'create' AND actor = 'unit'") >= 2);
    /* NULL out-parameters are fine */
    assert_int_equal(moc(c, "李娜", "02162345678", NULL, NULL, NULL, NULL), 0);
    db_release(c);
}

static void resolve_follows_merges_and_refuses_erased(void **state)
{
    db_conn *c = db_acquire(d);
    int64_t a, b, e, id;
    char ca[16], cb[16], ce[16], out[16], lower[16];
    assert_int_equal(moc(c, "王芳", "13700137001", NULL, NULL, &a, ca), 0);
    assert_int_equal(moc(c, "王芳", "13700137002", NULL, NULL, &b, cb), 0);
    assert_int_equal(moc(c, "赵六", "13700137003", NULL, NULL, &e, ce), 0);
    assert_int_equal(customers_resolve(c, ca, &id, out), 0);
    assert_int_equal(id, a);
    assert_string_equal(out, ca);
    snprintf(lower, sizeof lower, "c%s", ca + 1);
    assert_int_equal(customers_resolve(c, lower, &id, out), 0);
    assert_string_equal(out, ca);
    assert_int_equal(customers_resolve(c, "C99999999", &id, out), -1);
    assert_int_equal(customers_resolve(c, "", &id, out), -1);
    assert_int_equal(customers_resolve(c, NULL, &id, out), -1);
    assert_int_equal(customers_resolve(c, "C000000000000000000000", &id, out), -1);

    /* b merged into a (as the merge endpoint leaves it): b's code and phone lead to a */
    assert_true(db_exec(c, "UPDATE customers SET merged_into = ? WHERE id = ?", "ii", a, b) == 1);
    assert_true(db_exec(c, "UPDATE customer_phones SET customer_id = ? WHERE customer_id = ?", "ii",
                        a, b) == 1);
    assert_int_equal(customers_resolve(c, cb, &id, out), 0);
    assert_int_equal(id, a);
    assert_string_equal(out, ca);
    int64_t got;
    char gc[16];
    assert_int_equal(moc(c, "王芳", "13700137002", NULL, NULL, &got, gc), 0);
    assert_int_equal(got, a);

    /* erased: unknown to resolve, and its phone no longer matches */
    assert_true(db_exec(c,
                        "UPDATE customers SET erased_at = 1, name = '', name_key = ''"
                        " WHERE id = ?",
                        "i", e) == 1);
    assert_true(db_exec(c, "DELETE FROM customer_phones WHERE customer_id = ?", "i", e) == 1);
    assert_int_equal(customers_resolve(c, ce, &id, out), -1);
    assert_int_equal(moc(c, "赵六", "13700137003", NULL, NULL, &got, gc), 0);
    assert_true(got != e);
    db_release(c);
}

static void match_lists_strong_before_weak(void **state)
{
    db_conn *c = db_acquire(d);
    int64_t a, b;
    char ca[16], cb[16];
    assert_int_equal(moc(c, "欧阳娜娜", "13600136001", NULL, "440305", &a, ca), 0);
    assert_int_equal(moc(c, "歐陽娜娜", "13600196001", NULL, "440300", &b, cb), 0);
    json_t *m = NULL;
    assert_int_equal(customers_match(c, "13600136001", NULL, "欧阳娜娜", "440305", 0, &m), 0);
    assert_int_equal(json_array_size(m), 2);
    json_t *first = json_array_get(m, 0), *second = json_array_get(m, 1);
    assert_string_equal(json_string_value(json_object_get(first, "strength")), "strong");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(first, "customer"), "code")), ca);
    assert_string_equal(json_string_value(json_object_get(second, "strength")), "weak");
    /* b: same name, region 440300 contains 440305, and the same last four digits */
    json_t *why = json_object_get(second, "reasons");
    assert_int_equal(json_array_size(why), 3);
    json_decref(m);
    /* excluding a */
    assert_int_equal(customers_match(c, "13600136001", NULL, NULL, NULL, a, &m), 0);
    assert_int_equal(json_array_size(m), 0);
    json_decref(m);
    db_release(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(invalid_input_writes_nothing),
        cmocka_unit_test(creates_then_matches_strongly),
        cmocka_unit_test(resolve_follows_merges_and_refuses_erased),
        cmocka_unit_test(match_lists_strong_before_weak),
    };
    return cmocka_run_group_tests_name("customers", tests, setup, teardown);
}
