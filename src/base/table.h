/* table: one writer that turns rows into a CSV or an XLSX download, so every list can
 * be exported with the same columns it shows. The only file that includes
 * libxlsxwriter is table.c.
 *
 * Rows come as JSON: an object whose values are found by each column's key (a dotted
 * path, "outlet.code"), or an array read by position. Text is written as text,
 * numbers as numbers; TABLE_TIME cells take unix seconds or RFC 3339 text and are
 * shown in the table's zone (CSV keeps the API's RFC 3339 text). */
#ifndef BASE_TABLE_H
#define BASE_TABLE_H
#include <jansson.h>
#include <stddef.h>

#include "base/datetime.h"
#include "base/http.h"

enum table_type {
    TABLE_TEXT,  /* strings; a number or boolean is written as its text */
    TABLE_INT,   /* integer, "#,##0" */
    TABLE_NUM,   /* decimal, "0.0" */
    TABLE_RATE,  /* fraction shown as a percentage, "0.00%" */
    TABLE_TIME,  /* instant: unix seconds or RFC 3339 text, "yyyy-mm-dd hh:mm" local */
    TABLE_LIST,  /* array of strings (or of objects with key "code"), joined by "; " */
};

struct table_col {
    const char *name;     /* the header cell */
    const char *key;      /* dotted path in an object row; NULL: the same as name */
    enum table_type type;
    double width;         /* XLSX column width in characters; 0: 14 */
    int decimals;         /* CSV digits after the point for reals; 0: 6 */
};

enum table_format { TABLE_JSON = 0, TABLE_CSV = 1, TABLE_XLSX = 2 };

typedef struct table table;

/* ?format= of a request: TABLE_JSON when absent or "json", TABLE_CSV, TABLE_XLSX; -1
 * for anything else (the caller answers 422). The Accept header text/csv or the XLSX
 * type also selects a format when there is no ?format=. */
int table_format_of(req *r);

/* A table of ncols columns (cols must outlive it) in the given format, its sheet named
 * `sheet`; instants shown in zone z (NULL: UTC). NULL when out of memory or no
 * temporary file could be made. */
table *table_new(enum table_format f, const char *sheet, const struct table_col *cols, int ncols,
                 const struct dt_zone *z);
/* Add one row from an object (values by key) or an array (by position). 0 or -1. */
int table_row(table *t, json_t *row);
/* XLSX: start another sheet with its own columns (cols must outlive t); the rows that
 * follow go there. CSV holds one table: the rows of later sheets are dropped. 0 or -1. */
int table_sheet(table *t, const char *sheet, const struct table_col *cols, int ncols);
/* Rows written so far (to the current sheet). */
long table_rows(const table *t);
/* Finish and hand over the file's bytes (malloc'd) and length; frees t. 0 or -1. */
int table_finish(table *t, char **data, size_t *len);
/* Give up without a file; frees t. NULL is fine. */
void table_free(table *t);
/* The MIME type of a format. */
const char *table_mime(enum table_format f);

/* Finish t and answer it as an attachment "<name>.csv|.xlsx" (truncated: sets
 * X-Export-Truncated: true). Frees t. 0, or -1 (not answered). */
int table_reply(req *r, table *t, const char *name, int truncated);

#endif
