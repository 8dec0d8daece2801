/* libFuzzer target for src/base/csv: any input must be read without a crash, a leak or
 * undefined behaviour, give NUL-free fields within the limits and non-decreasing line
 * numbers, and every record it accepts must survive the writer and read back equal.
 * Built and run by `make fuzz`; seeds in tests/fuzz/corpus/csv/. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/csv.h"

static const struct csv_column cols[] = {{"code", 1}, {"name", 0}, {"phone", 0}, {NULL, 0}};

/* Write the current record of r, read it back, compare. */
static void round_trip(csv_reader *r, int flags)
{
    buf out = BUF_INIT;
    csv_writer w = csv_writer_buf(&out, flags);
    int n = csv_nfields(r);
    for (int i = 0; i < n; i++)
        csv_cell(&w, csv_field(r, i));
    csv_end_row(&w);
    FILE *f = fmemopen(out.s, out.len, "r");
    if (!f)
        abort();
    csv_reader *back = csv_reader_new(f);
    if (!back || csv_next(back) != 1 || csv_nfields(back) != n)
        abort();
    for (int i = 0; i < n; i++)
        if (csv_field_len(back, i) != csv_field_len(r, i) ||
            memcmp(csv_field(back, i), csv_field(r, i), csv_field_len(r, i)) != 0)
            abort();
    if (csv_next(back) != 0)
        abort();
    csv_reader_free(back);
    fclose(f);
    buf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    int mode = data[0];
    data++, size--;
    /* fmemopen wants a non-empty buffer it may write to */
    char *copy = malloc(size + 1);
    memcpy(copy, data, size);
    FILE *f = size ? fmemopen(copy, size, "r") : fopen("/dev/null", "r");
    if (!f)
        abort();
    csv_reader *r = csv_reader_new(f);
    if (!r)
        abort();
    int rc = 1;
    if (mode & 1) {
        int idx[3];
        rc = csv_header(r, cols, idx) == 0 ? 1 : -1;
        if (rc == 1 && (idx[0] < 0 || idx[0] >= csv_nfields(r)))
            abort();
    }
    long last = 0;
    while (rc == 1 && (rc = csv_next(r)) == 1) {
        int n = csv_nfields(r);
        if (n < 1 || n > CSV_FIELDS_MAX || csv_line(r) < last || csv_line(r) < 1)
            abort();
        last = csv_line(r);
        size_t total = 0;
        for (int i = 0; i < n; i++) {
            size_t len = csv_field_len(r, i);
            if (strlen(csv_field(r, i)) != len || len > CSV_FIELD_MAX)
                abort();
            total += len;
        }
        if (total > CSV_RECORD_MAX)
            abort();
        round_trip(r, mode & 2 ? CSV_CRLF : 0);
    }
    if (rc < 0 && (!*csv_error(r) || csv_next(r) != -1))
        abort(); /* an error explains itself and is final */
    if (rc == 0 && *csv_error(r))
        abort();
    csv_reader_free(r);
    fclose(f);
    free(copy);
    return 0;
}
