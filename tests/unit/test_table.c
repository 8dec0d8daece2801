/* table: CSV and XLSX downloads of typed columns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/table.h"

static const struct table_col cols[] = {
    {"code", NULL, TABLE_TEXT, 12, 0},
    {"outlet", "outlet.code", TABLE_TEXT, 0, 0},
    {"count", NULL, TABLE_INT, 0, 0},
    {"rate", NULL, TABLE_RATE, 0, 0},
    {"received_at", NULL, TABLE_TIME, 0, 0},
    {"lines", NULL, TABLE_LIST, 0, 0},
};
#define NCOLS (int)(sizeof cols / sizeof cols[0])

static void csv_has_bom_header_and_values_by_key(void **state)
{
    table *t = table_new(TABLE_CSV, "x", cols, NCOLS, NULL);
    assert_non_null(t);
    json_t *a = json_loads("{\"code\":\"R1\",\"outlet\":{\"code\":\"O9\"},\"count\":3,\"rate\":0.5,"
                           "\"received_at\":\"2026-01-02T03:04:05Z\",\"lines\":[\"tv\",\"audio\"]}",
                           0, NULL);
    json_t *b = json_loads("{\"code\":\"=cmd()\",\"outlet\":null,\"lines\":[{\"code\":\"pc\"}]}", 0, NULL);
    json_t *c = json_loads("[\"R3\",\"O1\",7,null,null,[]]", 0, NULL);
    assert_int_equal(table_row(t, a), 0);
    assert_int_equal(table_row(t, b), 0);
    assert_int_equal(table_row(t, c), 0);
    json_t *five = json_integer(5);
    assert_int_equal(table_row(t, five), -1); /* neither object nor array */
    json_decref(five);
    assert_int_equal(table_rows(t), 3);
    char *data;
    size_t len;
    assert_int_equal(table_finish(t, &data, &len), 0);
    assert_int_equal(len, strlen(data));
    assert_string_equal(data, "\xEF\xBB\xBF"
                              "code,outlet,count,rate,received_at,lines\r\n"
                              "R1,O9,3,0.500000,2026-01-02T03:04:05Z,tv; audio\r\n"
                              "\"'=cmd()\",,,,,pc\r\n"
                              "R3,O1,7,,,\r\n");
    free(data);
    json_decref(a);
    json_decref(b);
    json_decref(c);
}

static void xlsx_is_a_zip_with_the_sheet(void **state)
{
    const struct dt_zone *sh = dt_zone_get("Asia/Shanghai");
    table *t = table_new(TABLE_XLSX, "repairs", cols, NCOLS, sh);
    assert_non_null(t);
    for (int i = 0; i < 100; i++) {
        json_t *row = json_pack("{s:s, s:{s:s}, s:i, s:f, s:I, s:[s]}", "code", "R1", "outlet",
                                "code", "O1", "count", i, "rate", 0.25, "received_at",
                                (json_int_t)1767225600, "lines", "tv");
        assert_int_equal(table_row(t, row), 0);
        json_decref(row);
    }
    char *data;
    size_t len;
    assert_int_equal(table_finish(t, &data, &len), 0);
    assert_true(len > 1000);
    assert_memory_equal(data, "PK\x03\x04", 4);
    /* the sheet and the shared strings are in the archive, by name */
    assert_non_null(memmem(data, len, "xl/worksheets/sheet1.xml", 24));
    assert_non_null(memmem(data, len, "xl/sharedStrings.xml", 20));
    free(data);
    /* the temporary directory is gone */
    table *u = table_new(TABLE_XLSX, "", cols, NCOLS, NULL);
    table_free(u);
}

static void decimals_and_later_sheets(void **state)
{
    static const struct table_col first[] = {{"rate", NULL, TABLE_RATE, 0, 4}};
    static const struct table_col second[] = {{"code", NULL, TABLE_TEXT, 0, 0}};
    table *t = table_new(TABLE_CSV, "a", first, 1, NULL);
    json_t *r = json_pack("[f]", 1.0);
    table_row(t, r);
    json_decref(r);
    assert_int_equal(table_sheet(t, "b", second, 1), 0);
    r = json_pack("[s]", "dropped in CSV");
    table_row(t, r);
    json_decref(r);
    char *data;
    size_t len;
    assert_int_equal(table_finish(t, &data, &len), 0);
    assert_string_equal(data, "\xEF\xBB\xBFrate\r\n1.0000\r\n");
    free(data);
    t = table_new(TABLE_XLSX, "a", first, 1, NULL);
    assert_int_equal(table_sheet(t, "uncovered", second, 1), 0);
    assert_int_equal(table_finish(t, &data, &len), 0);
    assert_non_null(memmem(data, len, "xl/worksheets/sheet2.xml", 24));
    free(data);
}

static void mime_types(void **state)
{
    assert_string_equal(table_mime(TABLE_CSV), "text/csv; charset=utf-8");
    assert_non_null(strstr(table_mime(TABLE_XLSX), "spreadsheetml"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(csv_has_bom_header_and_values_by_key),
        cmocka_unit_test(xlsx_is_a_zip_with_the_sheet),
        cmocka_unit_test(decimals_and_later_sheets),
        cmocka_unit_test(mime_types),
    };
    return cmocka_run_group_tests_name("table", tests, NULL, NULL);
}
