/* csv: the reader's RFC 4180 cases, limits and errors, the header helper, the writer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/csv.h"

/* A reader over a copy of the n bytes at s (the FILE and the copy live until done()). */
struct src {
    FILE *f;
    char *copy;
    csv_reader *r;
};

static csv_reader *open_n(struct src *s, const char *text, size_t n)
{
    s->copy = malloc(n ? n : 1);
    memcpy(s->copy, text, n);
    s->f = n ? fmemopen(s->copy, n, "r") : fopen("/dev/null", "r");
    assert_non_null(s->f);
    s->r = csv_reader_new(s->f);
    assert_non_null(s->r);
    return s->r;
}

static csv_reader *open_s(struct src *s, const char *text)
{
    return open_n(s, text, strlen(text));
}

static void done(struct src *s)
{
    csv_reader_free(s->r);
    fclose(s->f);
    free(s->copy);
}

/* The next record must be exactly the n fields given, starting on line. */
static void expect(csv_reader *r, long line, int n, ...)
{
    assert_int_equal(csv_next(r), 1);
    assert_int_equal(csv_line(r), line);
    assert_int_equal(csv_nfields(r), n);
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++) {
        const char *want = va_arg(ap, const char *);
        assert_string_equal(csv_field(r, i), want);
        assert_int_equal(csv_field_len(r, i), strlen(want));
    }
    va_end(ap);
}

static void expect_error(csv_reader *r, long line, const char *why)
{
    assert_int_equal(csv_next(r), -1);
    assert_int_equal(csv_line(r), line);
    assert_string_equal(csv_error(r), why);
    assert_int_equal(csv_next(r), -1); /* an error is final */
}

static void reads_lf_crlf_and_a_last_line_without_newline(void **state)
{
    struct src s;
    csv_reader *r = open_s(&s, "a,b,c\nd,e,f\r\ng,h,i");
    expect(r, 1, 3, "a", "b", "c");
    expect(r, 2, 3, "d", "e", "f");
    expect(r, 3, 3, "g", "h", "i");
    assert_int_equal(csv_next(r), 0);
    assert_int_equal(csv_next(r), 0);
    assert_string_equal(csv_error(r), "");
    done(&s);
}

static void empty_fields_and_out_of_range(void **state)
{
    struct src s;
    csv_reader *r = open_s(&s, "a,,b,\n\"\",x\n,\n");
    expect(r, 1, 4, "a", "", "b", "");
    assert_string_equal(csv_field(r, 4), "");
    assert_string_equal(csv_field(r, -1), "");
    assert_int_equal(csv_field_len(r, 9), 0);
    expect(r, 2, 2, "", "x");
    expect(r, 3, 2, "", "");
    assert_int_equal(csv_next(r), 0);
    done(&s);
}

static void quoted_fields_hold_commas_quotes_and_newlines(void **state)
{
    struct src s;
    csv_reader *r = open_s(&s, "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n"
                               "\"crlf\r\ninside\",\"\"\"\"\n"
                               "next,one\n");
    expect(r, 1, 3, "a,b", "say \"hi\"", "two\nlines");
    expect(r, 3, 2, "crlf\r\ninside", "\"");
    expect(r, 5, 2, "next", "one"); /* the physical line, past the embedded breaks */
    assert_int_equal(csv_next(r), 0);
    done(&s);
}

static void a_bom_is_skipped_only_at_the_start(void **state)
{
    struct src s;
    csv_reader *r = open_s(&s, "\xEF\xBB\xBFname,phone\n\xEF\xBB\xBFx,1\n");
    expect(r, 1, 2, "name", "phone");
    expect(r, 2, 2, "\xEF\xBB\xBFx", "1"); /* later it is text (valid UTF-8) */
    done(&s);
    r = open_s(&s, "\xEF\xBB\xBF");
    assert_int_equal(csv_next(r), 0);
    done(&s);
    r = open_s(&s, "\xEF\xBB");
    expect_error(r, 1, "field 1: invalid UTF-8");
    done(&s);
}

static void blank_lines_are_skipped_and_counted(void **state)
{
    struct src s;
    csv_reader *r = open_s(&s, "\n\r\na,b\n\n\r\n\nc,d\n\n");
    expect(r, 3, 2, "a", "b");
    expect(r, 7, 2, "c", "d");
    assert_int_equal(csv_next(r), 0);
    done(&s);
    r = open_s(&s, "");
    assert_int_equal(csv_next(r), 0);
    done(&s);
}

static void a_lone_cr_ends_a_line(void **state)
{
    struct src s;
    csv_reader *r = open_s(&s, "a,b\rc,d\r\"e\rf\",g\rh,i");
    expect(r, 1, 2, "a", "b");
    expect(r, 2, 2, "c", "d");
    expect(r, 3, 2, "e\rf", "g");
    expect(r, 5, 2, "h", "i");
    done(&s);
}

static void a_quote_inside_an_unquoted_field_is_text(void **state)
{
    struct src s;
    csv_reader *r = open_s(&s, "5\" screen,a\"b\"\n");
    expect(r, 1, 2, "5\" screen", "a\"b\"");
    done(&s);
}

static void an_unterminated_quote_names_the_record_start(void **state)
{
    struct src s;
    csv_reader *r = open_s(&s, "a,b\nc,\"d\ne,f\ng,h\n");
    expect(r, 1, 2, "a", "b");
    expect_error(r, 2, "a quoted field is not closed");
    done(&s);
    r = open_s(&s, "\"");
    expect_error(r, 1, "a quoted field is not closed");
    done(&s);
}

static void text_after_a_closing_quote_is_an_error(void **state)
{
    struct src s;
    csv_reader *r = open_s(&s, "x\n\"a\"b,c\n");
    expect(r, 1, 1, "x");
    expect_error(r, 2, "text after a closing quote");
    done(&s);
    r = open_s(&s, "\"a\" ,b\n");
    expect_error(r, 1, "text after a closing quote");
    done(&s);
}

static void invalid_utf8_is_refused(void **state)
{
    static const char *const bad[] = {
        "\xff",             /* never valid */
        "\xc0\x80",         /* overlong NUL */
        "\xe0\x80\xaf",     /* overlong '/' */
        "\xed\xa0\x80",     /* a UTF-16 surrogate */
        "\xe4\xb8",         /* truncated */
        "\xf4\x90\x80\x80", /* beyond U+10FFFF */
        "\x80",             /* a lone continuation byte */
        "abcdefgh\xe4\xb8", /* after an ASCII run */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char text[64];
        snprintf(text, sizeof text, "ok,%s,z\n", bad[i]);
        struct src s;
        csv_reader *r = open_s(&s, text);
        expect_error(r, 1, "field 2: invalid UTF-8");
        done(&s);
    }
    struct src s;
    csv_reader *r = open_s(&s, "张伟,\xf0\x9f\x98\x80,\xc3\xa9,\xef\xbf\xbf,\xf4\x8f\xbf\xbf\n");
    expect(r, 1, 5, "张伟", "\xf0\x9f\x98\x80", "\xc3\xa9", "\xef\xbf\xbf", "\xf4\x8f\xbf\xbf");
    done(&s);
}

static void a_nul_byte_is_refused(void **state)
{
    struct src s;
    csv_reader *r = open_n(&s, "a,b\nc,d\0e\n", 10);
    expect(r, 1, 2, "a", "b");
    expect_error(r, 2, "field 2: a NUL byte");
    done(&s);
    r = open_n(&s, "\"x\0\"\n", 5);
    expect_error(r, 1, "field 1: a NUL byte");
    done(&s);
}

static void field_size_limit(void **state)
{
    size_t n = CSV_FIELD_MAX;
    char *text = malloc(2 * n + 16);
    memset(text, 'x', n);
    memcpy(text + n, ",y\n", 3);
    struct src s;
    csv_reader *r = open_n(&s, text, n + 3);
    assert_int_equal(csv_next(r), 1);
    assert_int_equal(csv_field_len(r, 0), n);
    done(&s);
    /* one more byte, quoted this time */
    text[0] = '"';
    memset(text + 1, 'x', n + 1);
    memcpy(text + n + 2, "\",y\n", 4);
    r = open_n(&s, text, n + 6);
    char want[80];
    snprintf(want, sizeof want, "field 1: a field is longer than %d bytes", CSV_FIELD_MAX);
    expect_error(r, 1, want);
    done(&s);
    free(text);
}

static void record_size_and_field_count_limits(void **state)
{
    /* 20 fields of 60,000 bytes: each fine, together over the record limit */
    size_t fl = 60000, nf = 20, n = nf * (fl + 1);
    char *text = malloc(n + 1);
    for (size_t i = 0; i < nf; i++) {
        memset(text + i * (fl + 1), 'x', fl);
        text[i * (fl + 1) + fl] = i + 1 < nf ? ',' : '\n';
    }
    struct src s;
    csv_reader *r = open_n(&s, text, n);
    char want[80];
    snprintf(want, sizeof want, "a record is longer than %d bytes", CSV_RECORD_MAX);
    expect_error(r, 1, want);
    done(&s);
    free(text);
    /* CSV_FIELDS_MAX empty fields are fine, one more is not */
    text = malloc(CSV_FIELDS_MAX + 8);
    memset(text, ',', CSV_FIELDS_MAX - 1);
    text[CSV_FIELDS_MAX - 1] = '\n';
    r = open_n(&s, text, CSV_FIELDS_MAX);
    assert_int_equal(csv_next(r), 1);
    assert_int_equal(csv_nfields(r), CSV_FIELDS_MAX);
    done(&s);
    memset(text, ',', CSV_FIELDS_MAX);
    text[CSV_FIELDS_MAX] = '\n';
    r = open_n(&s, text, CSV_FIELDS_MAX + 1);
    snprintf(want, sizeof want, "more than %d fields", CSV_FIELDS_MAX);
    expect_error(r, 1, want);
    done(&s);
    free(text);
}

/* Found by review, not by the fuzzer: empty fields after a field that filled the record
 * buffer exactly wrote their NUL terminators past its end. */
static void empty_fields_after_a_full_record_buffer(void **state)
{
    static const size_t sizes[] = {250, 251, 252, 253, 254, 255, 256, 257, 508, 509, 510, 511,
                                   512, 4092, 4093, 4094, 4095, 4096};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        size_t fill = sizes[k];
        char *text = malloc(fill + 16);
        memset(text, 'x', fill);
        memcpy(text + fill, ",,,,,\n", 6);
        struct src s;
        csv_reader *r = open_n(&s, text, fill + 6);
        assert_int_equal(csv_next(r), 1);
        assert_int_equal(csv_nfields(r), 6);
        assert_int_equal(csv_field_len(r, 0), fill);
        assert_string_equal(csv_field(r, 5), "");
        done(&s);
        free(text);
    }
}

/* Doubled quotes, CRLFs and multi-byte characters falling on the reader's 64 KiB buffer
 * boundary. */
static void tokens_across_the_read_buffer_boundary(void **state)
{
    for (int shift = -4; shift <= 4; shift++) {
        buf b = BUF_INIT;
        size_t target = 65536 + (size_t)(long)shift;
        /* rows "xxxx,yy" up to just before the boundary */
        long line = 1;
        while (b.len + 40 < target) {
            buf_adds(&b, "abcdefghijklmnopq,rstuvwxyz\r\n");
            line++;
        }
        while (b.len < target - 3)
            buf_addc(&b, 'p');
        buf_adds(&b, ",\"q\"\"r\r\ns\",张\r\nend,1\r\n");
        struct src s;
        csv_reader *r = open_n(&s, b.s, b.len);
        for (long i = 1; i < line; i++)
            expect(r, i, 2, "abcdefghijklmnopq", "rstuvwxyz");
        assert_int_equal(csv_next(r), 1);
        assert_int_equal(csv_nfields(r), 3);
        assert_string_equal(csv_field(r, 1), "q\"r\r\ns");
        assert_string_equal(csv_field(r, 2), "张");
        expect(r, line + 2, 2, "end", "1");
        assert_int_equal(csv_next(r), 0);
        done(&s);
        buf_release(&b);
    }
}

/* Many records through one reader: memory stays that of the largest record. */
static void a_long_file_streams(void **state)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    for (int i = 0; i < 200000; i++)
        fprintf(f, "C%08d,\"name, %d\",1380013%04d\n", i, i, i % 10000);
    rewind(f);
    csv_reader *r = csv_reader_new(f);
    long n = 0;
    while (csv_next(r) == 1) {
        assert_int_equal(csv_nfields(r), 3);
        n++;
    }
    assert_int_equal(n, 200000);
    assert_string_equal(csv_error(r), "");
    assert_int_equal(csv_line(r), 200001);
    csv_reader_free(r);
    fclose(f);
}

static const struct csv_column cols[] = {
    {"code", 1}, {"name", 1}, {"phone", 0}, {"email", 0}, {NULL, 0}};

static void header_maps_columns_in_any_order(void **state)
{
    struct src s;
    csv_reader *r = open_s(&s, "\xEF\xBB\xBF Phone ,NAME,code\r\n1,n,C1\n");
    int idx[4];
    assert_int_equal(csv_header(r, cols, idx), 0);
    assert_int_equal(idx[0], 2);
    assert_int_equal(idx[1], 1);
    assert_int_equal(idx[2], 0);
    assert_int_equal(idx[3], -1);
    expect(r, 2, 3, "1", "n", "C1");
    assert_string_equal(csv_field(r, idx[3]), ""); /* an absent column reads as "" */
    assert_int_equal(csv_next(r), 0);
    done(&s);
}

static void header_errors(void **state)
{
    static const struct {
        const char *text, *why;
        long line;
    } cases[] = {
        {"", "the file is empty; a header row is required", 1},
        {"\n\n", "the file is empty; a header row is required", 3},
        {"code,name,colour\n", "unknown column \"colour\" (columns: code, name, phone, email)", 1},
        {"code,name,,phone\n", "unknown column \"\" (columns: code, name, phone, email)", 1},
        {"code,name,Name\n", "column \"name\" appears twice", 1},
        {"code,phone\n", "missing column \"name\"", 1},
        {"\n\"code\n", "a quoted field is not closed", 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct src s;
        csv_reader *r = open_s(&s, cases[i].text);
        int idx[4];
        assert_int_equal(csv_header(r, cols, idx), -1);
        assert_string_equal(csv_error(r), cases[i].why);
        assert_int_equal(csv_line(r), cases[i].line);
        done(&s);
    }
}

static void after_the_header_records_have_its_width_and_errors_name_columns(void **state)
{
    struct src s;
    csv_reader *r = open_s(&s, "name,code\na,b\n\"x\ny\",b,c\n");
    int idx[4];
    assert_int_equal(csv_header(r, cols, idx), 0);
    expect(r, 2, 2, "a", "b");
    expect_error(r, 3, "3 fields where the header has 2");
    done(&s);
    r = open_s(&s, "name,code\nok,1\n\xff\xfe,2\n");
    assert_int_equal(csv_header(r, cols, idx), 0);
    expect(r, 2, 2, "ok", "1");
    expect_error(r, 3, "name: invalid UTF-8");
    done(&s);
    /* a field beyond the header's width is named by position */
    r = open_s(&s, "name,code\nok,1,\xff\n");
    assert_int_equal(csv_header(r, cols, idx), 0);
    expect_error(r, 2, "field 3: invalid UTF-8");
    done(&s);
}

static void writer_quotes_only_when_needed(void **state)
{
    buf b = BUF_INIT;
    csv_writer w = csv_writer_buf(&b, 0);
    const char *row[] = {"plain", "a,b", "say \"hi\"", "two\nlines", "cr\r", NULL, "", "张伟"};
    csv_row(&w, row, 8);
    csv_cell(&w, "x");
    csv_cellf(&w, "%d-%s", 7, "y");
    csv_end_row(&w);
    csv_end_row(&w); /* an empty row */
    csv_cell(&w, "");
    csv_end_row(&w); /* one empty field: not a blank line */
    csv_cell(&w, NULL);
    csv_cell(&w, NULL);
    csv_end_row(&w);
    assert_string_equal(b.s, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\",,,张伟\n"
                             "x,7-y\n\n\"\"\n,\n");
    buf_release(&b);
}

static void writer_guards_formulas_and_ends_rows_with_crlf(void **state)
{
    buf b = BUF_INIT;
    csv_writer w = csv_writer_buf(&b, CSV_CRLF | CSV_GUARD_FORMULAS);
    const char *row[] = {"=SUM(A1)", "+86 138", "-x", "@me", "-12.5", "=", "-", "a=b", "=\"q\""};
    csv_row(&w, row, 9);
    assert_string_equal(b.s, "\"'=SUM(A1)\",\"'+86 138\",\"'-x\",\"'@me\",-12.5,=,-,a=b,"
                             "\"'=\"\"q\"\"\"\r\n");
    buf_release(&b);
    /* without the flag, the same text is written as it is */
    w = csv_writer_buf(&b, 0);
    csv_cell(&w, "=SUM(A1)");
    csv_end_row(&w);
    assert_string_equal(b.s, "=SUM(A1)\n");
    buf_release(&b);
}

static void writer_to_a_file_reads_back_the_same(void **state)
{
    char *mem = NULL;
    size_t memlen = 0;
    FILE *f = open_memstream(&mem, &memlen);
    csv_writer w = csv_writer_file(f, CSV_CRLF);
    /* random fields from the characters that matter */
    static const char *const pieces[] = {",", "\"", "\r\n", "\n", "\r", "a", " ", "张", "\"\""};
    char fields[300][64];
    uint32_t seed = 1;
    for (int i = 0; i < 300; i++) {
        fields[i][0] = '\0';
        seed = seed * 1103515245u + 12345u;
        int n = (int)(seed >> 16) % 8;
        for (int k = 0; k < n; k++) {
            seed = seed * 1103515245u + 12345u;
            strcat(fields[i], pieces[(seed >> 16) % 9]);
        }
        csv_cell(&w, fields[i]);
        if (i % 3 == 2) {
            csv_cell(&w, "end"); /* so no row is blank */
            csv_end_row(&w);
        }
    }
    fclose(f);
    struct src s;
    csv_reader *r = open_n(&s, mem, memlen);
    for (int i = 0; i < 300; i += 3) {
        assert_int_equal(csv_next(r), 1);
        assert_int_equal(csv_nfields(r), 4);
        for (int k = 0; k < 3; k++)
            assert_string_equal(csv_field(r, k), fields[i + k]);
    }
    assert_int_equal(csv_next(r), 0);
    done(&s);
    free(mem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_lf_crlf_and_a_last_line_without_newline),
        cmocka_unit_test(empty_fields_and_out_of_range),
        cmocka_unit_test(quoted_fields_hold_commas_quotes_and_newlines),
        cmocka_unit_test(a_bom_is_skipped_only_at_the_start),
        cmocka_unit_test(blank_lines_are_skipped_and_counted),
        cmocka_unit_test(a_lone_cr_ends_a_line),
        cmocka_unit_test(a_quote_inside_an_unquoted_field_is_text),
        cmocka_unit_test(an_unterminated_quote_names_the_record_start),
        cmocka_unit_test(text_after_a_closing_quote_is_an_error),
        cmocka_unit_test(invalid_utf8_is_refused),
        cmocka_unit_test(a_nul_byte_is_refused),
        cmocka_unit_test(field_size_limit),
        cmocka_unit_test(record_size_and_field_count_limits),
        cmocka_unit_test(empty_fields_after_a_full_record_buffer),
        cmocka_unit_test(tokens_across_the_read_buffer_boundary),
        cmocka_unit_test(a_long_file_streams),
        cmocka_unit_test(header_maps_columns_in_any_order),
        cmocka_unit_test(header_errors),
        cmocka_unit_test(after_the_header_records_have_its_width_and_errors_name_columns),
        cmocka_unit_test(writer_quotes_only_when_needed),
        cmocka_unit_test(writer_guards_formulas_and_ends_rows_with_crlf),
        cmocka_unit_test(writer_to_a_file_reads_back_the_same),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
