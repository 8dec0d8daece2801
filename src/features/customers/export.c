/* customers: CSV export of the live customers (customers_export_csv). */
#include "features/customers/internal.h"

#include "base/buf.h"
#include "base/csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int customers_export_csv(db *d, FILE *out)
{
    db_conn *c = db_acquire(d);
    int rc = -1;
    int64_t last = 0;
    enum { BATCH = 5000 };
    struct row {
        int64_t id;
        char code[16];
        char *name, *region, *address;
        buf phones, emails;
    } *rows = calloc(BATCH, sizeof *rows);
    /* CRLF as Excel writes it; text that looks like a formula is written as text */
    csv_writer wr = csv_writer_file(out, CSV_CRLF | CSV_GUARD_FORMULAS);
    /* exactly the contract's six columns: outside tools that refuse unknown columns read it back.
       Import also takes an optional lang column (0023); the screen's list download shows it. */
    enum { NOUT = COL_LANG };
    static const char *const head[NOUT] = {"code", "name", "phone", "email", "region", "address"};
    csv_row(&wr, head, NOUT);
    for (;;) {
        db_stmt *st = db_prepare(c, "SELECT id, code, name, region, address FROM customers WHERE"
                                    " id > ? AND merged_into IS NULL AND erased_at IS NULL"
                                    " ORDER BY id LIMIT 5000");
        if (!st)
            goto cleanup;
        db_bind_int(st, 1, last);
        int n = 0, s;
        while ((s = db_step(st)) == DB_ROW) {
            struct row *w = &rows[n++];
            w->id = db_int(st, 0);
            snprintf(w->code, sizeof w->code, "%s", db_text(st, 1));
            w->name = strdup(db_text(st, 2));
            w->region = db_text(st, 3) ? strdup(db_text(st, 3)) : NULL;
            w->address = db_text(st, 4) ? strdup(db_text(st, 4)) : NULL;
            buf_init(&w->phones);
            buf_init(&w->emails);
        }
        db_done(st);
        if (s < 0)
            goto cleanup;
        if (n == 0)
            break;
        int64_t lo = rows[0].id, hi = rows[n - 1].id;
        for (int pass = 0; pass < 2; pass++) {
            st = db_prepare(c, pass == 0 ? "SELECT customer_id, phone FROM customer_phones WHERE"
                                           " customer_id BETWEEN ? AND ? ORDER BY customer_id, id"
                                         : "SELECT customer_id, email FROM customer_emails WHERE"
                                           " customer_id BETWEEN ? AND ? ORDER BY customer_id, id");
            if (!st)
                goto cleanup;
            db_bind_int(st, 1, lo);
            db_bind_int(st, 2, hi);
            int k = 0;
            while ((s = db_step(st)) == DB_ROW) {
                int64_t cid = db_int(st, 0);
                while (k < n && rows[k].id < cid)
                    k++;
                if (k < n && rows[k].id == cid) {
                    buf *bb = pass == 0 ? &rows[k].phones : &rows[k].emails;
                    if (bb->len)
                        buf_addc(bb, ';');
                    buf_adds(bb, db_text(st, 1));
                }
            }
            db_done(st);
            if (s < 0)
                goto cleanup;
        }
        for (int i = 0; i < n; i++) {
            struct row *w = &rows[i];
            const char *cells[NOUT] = {w->code,     w->name,   w->phones.s,
                                        w->emails.s, w->region, w->address};
            csv_row(&wr, cells, NOUT);
            free(w->name);
            free(w->region);
            free(w->address);
            buf_release(&w->phones);
            buf_release(&w->emails);
            w->name = w->region = w->address = NULL;
        }
        last = hi;
        if (n < BATCH)
            break;
    }
    rc = fflush(out) == 0 ? 0 : -1;
cleanup:
    if (rc < 0)
        fprintf(stderr, "export customers: %s\n", db_errmsg(c));
    for (int i = 0; i < BATCH; i++) {
        free(rows[i].name);
        free(rows[i].region);
        free(rows[i].address);
        if (rows[i].phones.cap)
            buf_release(&rows[i].phones);
        if (rows[i].emails.cap)
            buf_release(&rows[i].emails);
    }
    free(rows);
    db_release(c);
    return rc;
}
