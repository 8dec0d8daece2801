/* customers: CSV import (customers_import_csv), a reader thread feeding the bulk
 * inserter. */
#include "features/customers/internal.h"

#include "base/csv.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

/* The CSV columns, in the order of the COL_* indexes (internal.h). */
static const struct csv_column cust_columns[] = {
    {"code", 0}, {"name", 0}, {"phone", 0}, {"email", 0}, {"region", 0}, {"address", 0},
    {"lang", 0}, /* beyond the contract's six: optional, zh-CN or en, empty zh-CN */
    {NULL, 0}};

/* Import is a pipeline: a reader thread parses and validates rows (CSV, UTF-8, phone,
 * email and name normalisation: about a fifth of the work) into a ring of buffers while
 * this thread inserts them. The first invalid row stops both; nothing is committed. */
enum { PIPE_ROWS = 256, PIPE_BUFS = 4 };

struct pipe_row {
    struct cust_in in;
    char code[16];
    long line;
};

struct pipe_buf {
    int full; /* 0: the reader may fill it; 1: rows ready for the writer */
    int n;
    int last;      /* no buffer follows */
    char err[400]; /* the reader's error for the row after the n good ones ("" none) */
    struct pipe_row rows[PIPE_ROWS];
};

struct pipe {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop; /* the writer gave up */
    struct pipe_buf *bufs;
    csv_reader *rd;
    int idx[NCOLS]; /* position of each column in the file, or -1 */
    const char *path;
};

static void *pipe_reader(void *arg)
{
    struct pipe *p = arg;
    for (int i = 0;; i = (i + 1) % PIPE_BUFS) {
        struct pipe_buf *pb = &p->bufs[i];
        pthread_mutex_lock(&p->mu);
        while (pb->full && !p->stop)
            pthread_cond_wait(&p->cv, &p->mu);
        int stop = p->stop;
        pthread_mutex_unlock(&p->mu);
        if (stop)
            return NULL; /* rules/t2s.c closes this thread's converter as it exits */
        pb->n = 0;
        pb->last = 0;
        pb->err[0] = '\0';
        while (pb->n < PIPE_ROWS) {
            int nf = csv_next(p->rd);
            long start = csv_line(p->rd);
            if (nf == 0) {
                pb->last = 1;
                break;
            }
            if (nf < 0) {
                snprintf(pb->err, sizeof pb->err, "%s:%ld: %s", p->path, start, csv_error(p->rd));
                pb->last = 1;
                break;
            }
            const char *val[NCOLS];
            for (int k = 0; k < NCOLS; k++)
                val[k] = p->idx[k] >= 0 ? csv_field(p->rd, p->idx[k]) : NULL;
            struct pipe_row *row = &pb->rows[pb->n];
            char msg[300];
            if (cust_row(&row->in, val, row->code, msg, sizeof msg)) {
                snprintf(pb->err, sizeof pb->err, "%s:%ld: %s", p->path, start, msg);
                pb->last = 1;
                break;
            }
            row->line = start;
            pb->n++;
        }
        int last = pb->last;
        pthread_mutex_lock(&p->mu);
        pb->full = 1;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        if (last)
            return NULL;
    }
}

int customers_import_csv(db *d, const char *path, FILE *in)
{
    struct pipe *p = calloc(1, sizeof *p);
    if (!p)
        return -1;
    p->rd = csv_reader_new(in);
    p->path = path;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    int rc = -1, began = 0, reading = 0;
    db_conn *c = NULL;
    struct bulk *b = calloc(1, sizeof *b);
    pthread_t reader;
    double t0 = now_mono();
    if (!b || !p->rd)
        goto cleanup;

    if (csv_header(p->rd, cust_columns, p->idx) < 0) {
        fprintf(stderr, "%s:%ld: %s\n", path, csv_line(p->rd), csv_error(p->rd));
        goto cleanup;
    }
    if (p->idx[COL_NAME] < 0 || (p->idx[COL_PHONE] < 0 && p->idx[COL_EMAIL] < 0)) {
        fprintf(stderr, "%s:%ld: the header needs a name column and a phone or email column\n",
                path, csv_line(p->rd));
        goto cleanup;
    }

    c = db_acquire(d);
    cust_bulk_cache(c, 1);
    if (db_begin(c) < 0 || cust_bulk_begin(b, c) < 0) {
        fprintf(stderr, "%s: %s\n", path, db_errmsg(c));
        goto cleanup;
    }
    began = 1;
    p->bufs = calloc(PIPE_BUFS, sizeof *p->bufs);
    if (!p->bufs || pthread_create(&reader, NULL, pipe_reader, p) != 0)
        goto cleanup;
    reading = 1;
    for (int i = 0;; i = (i + 1) % PIPE_BUFS) {
        struct pipe_buf *pb = &p->bufs[i];
        pthread_mutex_lock(&p->mu);
        while (!pb->full)
            pthread_cond_wait(&p->cv, &p->mu);
        pthread_mutex_unlock(&p->mu);
        for (int k = 0; k < pb->n; k++) {
            struct pipe_row *row = &pb->rows[k];
            char used[16];
            int x = cust_bulk_add(b, &row->in, row->code, NULL, used);
            if (x == BULK_CODE_TAKEN) {
                fprintf(stderr, "%s:%ld: code: %s exists already\n", path, row->line, used);
                goto cleanup;
            }
            if (x < 0) {
                fprintf(stderr, "%s:%ld: %s\n", path, row->line, db_errmsg(c));
                goto cleanup;
            }
        }
        if (cust_bulk_flush(b) < 0) { /* the buffer is reused: its rows must be in */
            fprintf(stderr, "%s: %s\n", path, db_errmsg(c));
            goto cleanup;
        }
        if (pb->err[0]) {
            fprintf(stderr, "%s\n", pb->err);
            goto cleanup;
        }
        int last = pb->last;
        pthread_mutex_lock(&p->mu);
        pb->full = 0;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        if (last)
            break;
    }
    json_t *detail = json_pack("{s:s, s:I}", "file", path, "rows", (json_int_t)b->rows);
    int e = cust_bulk_end(b, "cli:import", detail);
    json_decref(detail);
    if (e < 0 || db_commit(c) < 0) {
        fprintf(stderr, "%s: %s\n", path, db_errmsg(c));
        goto cleanup;
    }
    began = 0;
    double dt = now_mono() - t0;
    printf("imported %ld customers from %s in %.2f s (%.0f rows/s)\n", b->rows, path, dt,
           dt > 0 ? (double)b->rows / dt : 0.0);
    rc = 0;
cleanup:
    if (reading) {
        pthread_mutex_lock(&p->mu);
        p->stop = 1;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        pthread_join(reader, NULL);
    }
    if (c) {
        if (began) {
            db_rollback(c);
            fprintf(stderr, "%s: nothing imported\n", path);
        }
        cust_bulk_cache(c, 0);
        db_release(c);
    }
    if (b)
        cust_bulk_free(b);
    free(b);
    csv_reader_free(p->rd);
    free(p->bufs);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p);
    return rc;
}
