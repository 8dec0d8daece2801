/* csv: the one CSV reader and writer (RFC 4180), streaming, in constant memory; knows
 * nothing of after-sales. */
#ifndef BASE_CSV_H
#define BASE_CSV_H
#include <stddef.h>
#include <stdio.h>

#include "base/buf.h"

/* Limits of the reader; a file beyond them is refused with a clear error, so the memory
 * a reader holds never depends on the size of the file. */
enum {
    CSV_FIELD_MAX = 64 * 1024,    /* bytes in one field (after unquoting) */
    CSV_RECORD_MAX = 1024 * 1024, /* bytes in one record, its fields together */
    CSV_FIELDS_MAX = 1024,        /* fields in one record */
};

/* ---- reader ---- */

typedef struct csv_reader csv_reader;

/* A reader over in (which stays the caller's: not closed here). What it accepts:
 * fields separated by ',', records ended by CRLF, LF or a lone CR; fields in double
 * quotes may hold commas, line breaks and doubled quotes (""); a '"' inside an unquoted
 * field is kept as text; a UTF-8 byte-order mark at the start of the file is skipped;
 * blank lines are skipped. Every field must be valid UTF-8 without NUL bytes.
 * Returns NULL only when out of memory. Free with csv_reader_free. */
csv_reader *csv_reader_new(FILE *in);
void csv_reader_free(csv_reader *r);

/* Read the next record: 1, 0 at the end of the file, or -1 when it is malformed (an
 * unterminated quote, text after a closing quote, invalid UTF-8, a NUL byte, a field or
 * record over the limits above, a record whose field count differs from the header's
 * once csv_header ran, or a read error): csv_error says why and csv_line where. An
 * error is final: every later call returns -1 again. */
int csv_next(csv_reader *r);

/* The current record's field count, and field i as a NUL-terminated string owned by the
 * reader, valid until the next csv_next; "" when i is out of range. */
int csv_nfields(const csv_reader *r);
const char *csv_field(const csv_reader *r, int i);
size_t csv_field_len(const csv_reader *r, int i);

/* The physical line (1-based) on which the current record starts, or the failed one:
 * what a "FILE:LINE: reason" message names. A quoted field with line breaks makes the
 * next record start further down. */
long csv_line(const csv_reader *r);

/* Why the last call failed, one line of text owned by the reader ("" when nothing
 * failed). A problem in one field names its column when the header is known
 * ("name: invalid UTF-8"), else its position ("field 3: ..."). */
const char *csv_error(const csv_reader *r);

/* ---- header ---- */

/* A column the caller knows; the list ends with {NULL}. */
struct csv_column {
    const char *name;
    int required;
};

/* Read the first record as the header and map it onto cols: idx[k] becomes the
 * position of cols[k].name in the file or -1 (idx has one slot per column). Names match
 * case-insensitively, with surrounding spaces ignored, in any order. An empty file, an
 * unknown column (the message lists the known ones), a column given twice or a missing
 * required one is an error: -1 with csv_error/csv_line. From then on every record must
 * have as many fields as the header, and field errors name their column. cols must
 * outlive the reader. 0 on success. */
int csv_header(csv_reader *r, const struct csv_column *cols, int *idx);

/* ---- writer ---- */

enum {
    CSV_CRLF = 1,           /* end rows with CRLF (as RFC 4180 and Excel); else LF */
    CSV_GUARD_FORMULAS = 2, /* a text starting with = + - @ (not a negative number) is
                               written as "'..." so spreadsheets show it instead of
                               running it */
};

/* Writes rows to a FILE* or appends them to a buf. Fields are quoted only when they
 * hold a comma, a quote or a line break (or need the formula guard); a row of one empty
 * field is written as "" so that it does not read back as a blank line. Write errors
 * are the FILE's: check ferror/fflush after the last row. */
typedef struct csv_writer {
    FILE *f;
    buf *b;
    int flags;
    int col;   /* fields written on the current row */
    int bytes; /* whether the current row has any text yet */
} csv_writer;

csv_writer csv_writer_file(FILE *f, int flags);
csv_writer csv_writer_buf(buf *b, int flags);
/* One field; NULL writes an empty one. */
void csv_cell(csv_writer *w, const char *s);
/* One field from a printf format (numbers, dates). */
void csv_cellf(csv_writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* End the row (a record with no cells is an empty line). */
void csv_end_row(csv_writer *w);
/* Write a whole row of n fields (NULL entries are empty) and end it. */
void csv_row(csv_writer *w, const char *const *fields, int n);

#endif
