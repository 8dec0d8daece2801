/* common: the helpers every capability shares and that know the after-sales schema:
 * human-code sequences, outlet confinement, database-failure answers, transactions
 * with retry, the organisation's time zone, list answers that are also CSV/XLSX
 * downloads, and the slices of the KPI report that capabilities count. A new capability uses these instead of writing its own. */
#ifndef FEATURES_COMMON_H
#define FEATURES_COMMON_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include <stdio.h>

#include "base/csv.h"
#include "base/datetime.h"
#include "base/db.h"
#include "base/http.h"
#include "base/page.h"
#include "base/table.h"

/* ---- human codes ---- */

/* The next value of counter `name` in the counters table, creating the counter at 0
 * when it is missing. Call inside the write transaction: the counter's row lock
 * serialises concurrent writers on both backends, and a rollback returns the number.
 * 0 with *value set, or a negative db code. */
int code_next_value(db_conn *c, const char *name, int64_t *value);
/* "<prefix><value as `width` digits>", e.g. code_next(c, "customer", "C", 8, ...) gives
 * "C00000042". -1 (DB_ERROR) when the value no longer fits in width digits. */
int code_next(db_conn *c, const char *counter, const char *prefix, int width, char *out,
              size_t n);
/* A per-day code "<prefix>YYMMDD<seq as at least width digits>" for the local day of `now` in
 * the organisation's zone (counter "<counter>:YYMMDD"). When taken_sql is not NULL (a
 * query with one parameter, the code, that returns a row when the code is used), codes
 * already used (e.g. by an import) are skipped. 0 or a negative db code. */
int code_next_daily(db_conn *c, const char *counter, const char *prefix, int width, int64_t now,
                    const char *taken_sql, char *out, size_t n);

/* 1 when s is 1 to max letters, digits or - _ . / (model, part and warehouse codes). */
int code_ok(const char *s, size_t max);
/* s (NULL as "") upper-cased, in the arena. */
char *code_upper(arena *a, const char *s);

/* ---- outlet confinement ---- */

/* Outlet staff (managers, technicians) see only their own outlet's records. The outlet
 * id to confine r to: 0 for staff who see everything, -1 for outlet staff who belong
 * to no outlet (they see nothing), the outlet's id otherwise. */
int64_t scope_outlet(const req *r);
/* 1 when r may see a record of outlet_id (0: a record of no outlet, hidden from outlet
 * staff). */
int scope_sees(const req *r, int64_t outlet_id);
/* The one "not found" answer (404 not_found, "no such <what>"); outlet staff asking for
 * another outlet's record get exactly this, so they cannot tell it exists. */
int reply_not_found(req *r, const char *what);
/* A query parameter that must be one of `allowed` (NULL-terminated): NULL when absent or
 * empty; *ok becomes 0 when it is something else (left alone otherwise). */
const char *query_one_of(req *r, const char *name, const char *const *allowed, int *ok);
/* A malformed query parameter: 422 validation_failed naming it with `why`. */
int reply_bad_param(req *r, const char *param, const char *why);
/* Answer a failed database call: 503 busy for DB_EBUSY (the client may retry);
 * otherwise logs "<what>: <db message>" and returns -1 (the server answers 500). */
int reply_db_failure(req *r, int rc, const char *what);

/* ---- transactions ---- */

/* Run fn inside a write transaction, retrying a few times on DB_EBUSY. fn returns 0 to
 * commit, or anything else to roll back (that value is returned). */
int in_tx(db_conn *c, int (*fn)(db_conn *c, void *arg), void *arg);

/* ---- time ---- */

/* The organisation's zone (kpi_config.time_zone, Asia/Shanghai by default), read once
 * per few seconds; never NULL (UTC+8 when the zone file is missing). */
const struct dt_zone *org_zone(db_conn *c);

/* ---- lists ---- */

/* A list route: one function that fills one page; list_reply does the rest: limit and
 * cursor, the JSON answer, and ?format=csv|xlsx downloads of every matching row (up to
 * LIST_EXPORT_MAX, in pages of max_limit) with the columns `cols`. */
#define LIST_EXPORT_MAX 50000
/* For the fuzz harness: downloads through list_reply stop (truncated, as past
 * LIST_EXPORT_MAX) after n rows instead. The same code, not 12,504 rows of it for every
 * input that asks for a download (docs/fuzzing.md). Not thread-safe: set it at start. */
void list_set_export_max(long n);

struct list_spec {
    const char *name;              /* download file name stem ("customers") */
    const struct table_col *cols;  /* export columns: keys into each item */
    int ncols;
    long def_limit, max_limit;
    int nkeys;                     /* sort keys in the cursor */
    /* Append up to p->limit items after p's cursor to items; set *next (arena text, see
     * page_cursor) when more rows follow. Returns 0, LIST_ANSWERED after answering the
     * request itself (a bad filter: 422, a hidden record: 404), or -1 on an internal
     * error. */
    int (*page)(req *r, const struct page *p, json_t *items, const char **next);
};
enum { LIST_ANSWERED = 1 };

/* The usual page function's second half for a list ordered by id: st (bound, its
 * LIMIT p->limit + 1) yields ids; each becomes an item through one(c, id, &json) (0, or
 * non-zero on failure) and *next is set when more rows follow. Finishes st. 0 or -1. */
int list_ids_page(req *r, const struct page *p, db_stmt *st,
                  int (*one)(db_conn *c, int64_t id, json_t **out), json_t *items,
                  const char **next);
/* The same for a statement that yields whole rows in id order (either direction; the
 * page function's WHERE takes the cursor as "id < ?" or "id > ?"): each of the first
 * p->limit rows becomes an item through row(st); when another follows, *next is the
 * cursor of the last one shown (its id in column id_col). Finishes st. 0 or -1. */
int list_rows_page(req *r, const struct page *p, db_stmt *st, json_t *(*row)(db_stmt *st),
                   int id_col, json_t *items, const char **next);

/* Answer r from spec (JSON page, CSV or XLSX). The handler's whole body is usually
 * `return list_reply(r, &spec);`. */
int list_reply(req *r, const struct list_spec *spec);
/* Answer rows already computed (an array of objects or of arrays) as a download in
 * format f (TABLE_CSV or TABLE_XLSX) with the given columns. */
int table_reply_rows(req *r, enum table_format f, const char *name, const char *sheet,
                     const struct table_col *cols, int ncols, json_t *rows);
/* 422 for an unknown ?format= (the answer list_reply gives). */
int reply_bad_format(req *r);

/* ---- lookups ---- */

/* The id of the row sql (one text parameter, e.g. "SELECT id FROM product_lines WHERE
 * code = ?") finds for key: 0 with *id, 1 when none, or a negative db code. */
int lookup_id(db_conn *c, const char *sql, const char *key, int64_t *id);

/* ---- KPI slices (the KPIs other capabilities count for the kpi report) ---- */

/* What a capability counts for one KPI of a report: rows in [from, to) of the filters,
 * grouped by one key: nothing, the outlet, the product line, or the time bucket
 * instant / step (integer division), from which the report cuts months at local
 * midnights that are all multiples of step. */
enum { KPI_KEY_NONE, KPI_KEY_OUTLET, KPI_KEY_PL, KPI_KEY_TIME };
struct kpi_slice {
    int64_t from, to;         /* unix seconds, [from, to) */
    int key;                  /* KPI_KEY_* */
    int64_t step;             /* KPI_KEY_TIME: > 0 */
    int64_t outlet_id, pl_id; /* 0: all */
    const char *region_like;  /* LIKE pattern on the outlet's region ("44%"), or NULL */
};
/* One grouped row: the key (outlet or product line id, 0 for none or for another
 * grouping), the time bucket (instant / step; 0 for another grouping) and two values
 * whose meaning the KPI gives. 0 to go on, -1 to stop (memory). */
typedef int (*kpi_row_fn)(void *arg, int64_t key, int64_t bucket, int64_t a, int64_t b);
/* The filters as SQL (6 parameters, bound by kpi_slice_run). */
#define KPI_SLICE_WHERE(OUTLET_COL, PL_COL)                                                   \
    " AND (CAST(? AS BIGINT) = 0 OR " OUTLET_COL " = ?)"                                      \
    " AND (CAST(? AS BIGINT) = 0 OR " PL_COL " = ?)"                                          \
    " AND (CAST(? AS TEXT) IS NULL OR " OUTLET_COL                                            \
    " IN (SELECT id FROM outlets WHERE region LIKE ?))"
/* Bind the 6 parameters of KPI_SLICE_WHERE from parameter `first` on. */
void kpi_filter_bind(db_stmt *st, int first, int64_t outlet_id, int64_t pl_id,
                     const char *region_like);
/* Run st, a statement of four columns (key, bucket, a, b) with, for KPI_KEY_TIME, the
 * step as parameter 1, then [from, to) and the 6 of KPI_SLICE_WHERE, and hand every row
 * to fn. st NULL (a failed db_prepare) is DB_ERROR. 0 or a negative db code. */
int kpi_slice_run(db_stmt *st, const struct kpi_slice *s, kpi_row_fn fn, void *arg);
/* The same for a statement of 2 + 2 n columns (key, bucket, then n pairs of values):
 * fns[i] gets pair i of every row. One scan for several KPIs of one table. */
int kpi_slice_run_n(db_stmt *st, const struct kpi_slice *s, int n, const kpi_row_fn *fns,
                    void *arg);

/* ---- signed links (signed.c) ---- */

/* The 32-byte key of one kind of signed link, kept in `settings`.key_hex (row id 1; a
 * constant table name, never input), made first when make (inside a write
 * transaction). 0, 1 when there is none yet, or a negative db code. */
int link_key(db_conn *c, const char *settings, int make, unsigned char key[32]);
/* The hex HMAC-SHA256 of msg under key (64 digits and a NUL). */
void link_mac(const unsigned char key[32], const char *msg, char hex[65]);
/* 1 when hex is msg's signature under key (compared in constant time). */
int link_mac_ok(const unsigned char key[32], const char *msg, const char *hex);

/* ---- CSV imports (`aftersales import KIND FILE`) ---- */

/* One all-or-nothing import: the header mapped onto known columns, every row in one
 * write transaction, and the first bad row reported as "FILE:LINE: reason" on stderr
 * with nothing stored. */
struct import_row {
    db_conn *c;
    const int *idx;    /* column positions from csv_header, -1 for an absent column */
    const char *actor; /* "import:<kind>", for audit_write */
    int64_t now;
    arena *a;          /* lives for the whole import */
    void *ctx;         /* the spec's */
    long rows;         /* rows stored so far */
    char err[512];     /* the reason a row callback gives for IMPORT_BAD */
    void *csv_;        /* private */
};
enum { IMPORT_BAD = 1 };

struct import_spec {
    const char *kind;                  /* "models": "<path>: N models imported" */
    const struct csv_column *cols;     /* {NULL} ends it */
    int (*row)(struct import_row *ir); /* 0, IMPORT_BAD (ir->err says why) or a db code */
    int (*end)(struct import_row *ir); /* optional, before the commit; same returns */
    void *ctx;
};

/* Column k of the current row ("" when the file has no such column). */
const char *import_field(const struct import_row *ir, int k);
/* The line on which the current row starts. */
long import_line(const struct import_row *ir);
/* 1 when the file has column k. */
int import_has(const struct import_row *ir, int k);
/* Set ir->err and return IMPORT_BAD: `return import_bad(ir, "code: %s", why);`. */
int import_bad(struct import_row *ir, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Run the import: 0, or -1 after printing the reason (nothing stored). */
int import_csv(db *d, const char *path, FILE *in, const struct import_spec *s);

#endif
