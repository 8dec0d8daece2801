/* repairs: `aftersales export repairs FILE`, every repair as CSV. */
#include "base/csv.h"
#include "base/datetime.h"
#include "features/repairs/internal.h"

int repairs_export_csv(db *d, FILE *out)
{
    db_conn *c = db_acquire(d);
    db_stmt *st = db_prepare(
        c, "SELECT r.code, cu.code, r.serial, m.code, o.code, r.kind, r.channel, r.status,"
           " COALESCE(r.received_at, r.registered_at), r.repaired_at, r.delivered_at, r.cancelled_at, r.fault"
           " FROM repairs r JOIN customers cu ON cu.id = r.customer_id LEFT JOIN models m ON m.id = r.model_id"
           " LEFT JOIN outlets o ON o.id = r.outlet_id ORDER BY r.id");
    int rc = -1;
    if (!st)
        goto cleanup;
    csv_writer w = csv_writer_file(out, 0);
    static const char *const head[] = {"code",        "customer",    "serial",       "model",
                                       "outlet",      "kind",        "channel",      "status",
                                       "received_at", "repaired_at", "delivered_at", "cancelled_at",
                                       "fault"};
    csv_row(&w, head, 13);
    int s;
    while ((s = db_step(st)) == DB_ROW) {
        for (int i = 0; i < 13; i++) {
            if (i >= 8 && i <= 11) {
                char tbuf[21] = "";
                if (!db_isnull(st, i))
                    dt_rfc3339(db_int(st, i), tbuf);
                csv_cell(&w, tbuf);
            } else {
                csv_cell(&w, db_text(st, i));
            }
        }
        csv_end_row(&w);
    }
    db_done(st);
    rc = s < 0 ? -1 : 0;
cleanup:
    if (rc < 0)
        fprintf(stderr, "export repairs: %s\n", db_errmsg(c));
    db_release(c);
    return rc;
}
