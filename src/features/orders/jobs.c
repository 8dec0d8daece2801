/* orders: one write of an order as a retried transaction: find and check the order
 * (confinement, phone tail, version), then create, modify, move or record payment. */
#include <string.h>

#include "base/audit.h"
#include "features/orders/internal.h"

int ord_tail_matches(db_conn *c, const struct ord_row *o, const char *tail)
{
    db_stmt *st = db_prepare(c, "SELECT 1 FROM customer_phones WHERE customer_id = ?"
                                " AND substr(phone, length(phone) - 3) = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, o->customer_id);
    db_bind_text(st, 2, tail);
    int rc = db_step(st);
    db_done(st);
    if (rc < 0)
        return rc;
    size_t n = strlen(o->phone);
    return rc == DB_ROW || (n >= 4 && strcmp(o->phone + n - 4, tail) == 0);
}

static int pay(db_conn *c, struct ord_job *j, struct ord_row *o)
{
    int64_t now = now_unix();
    if (o->status == OS_CANCELLED) {
        ord_refuse(&j->a, 409, "invalid_transition", "paid", "the order is cancelled");
        return 0;
    }
    int rc = (int)db_exec(c, "UPDATE orders SET paid = ?, pay_method = ?, pay_reference = ?,"
                             " paid_at = ?, version = version + 1, updated_at = ? WHERE id = ?",
                          "ittiii", (int64_t)j->paid, j->method,
                          j->reference, now, now, o->id);
    if (rc >= 0 && !j->paid)
        rc = (int)db_exec(c, "UPDATE orders SET pay_method = NULL, pay_reference = NULL,"
                             " paid_at = NULL WHERE id = ?", "i", o->id);
    json_t *d = json_pack("{s:b, s:s?, s:s?}", "paid", j->paid, "method", j->method, "reference",
                          j->reference);
    if (rc >= 0)
        rc = audit_write(c, j->actor, "payment", "order", o->code, d);
    json_decref(d);
    if (rc < 0)
        return rc;
    if ((rc = ord_json(c, o->id, 1, &j->a.body)) != 0)
        return rc < 0 ? rc : DB_ERROR;
    j->a.status = 200;
    return 0;
}

static int job_tx(db_conn *c, void *arg)
{
    struct ord_job *j = arg;
    json_decref(j->a.body);
    memset(&j->a, 0, sizeof j->a);
    if (j->op == ORD_CREATE) {
        int rc = ord_create(c, j->actor, j->n, &j->a);
        return rc < 0 ? rc : j->a.status >= 300;
    }
    struct ord_row o;
    int rc = ord_load(c, j->code, &o);
    if (rc < 0)
        return rc;
    if (rc == 0 && j->r && !scope_sees(j->r, o.outlet_id))
        rc = 1;
    if (rc == 0 && !j->r && (rc = ord_tail_matches(c, &o, j->tail)) >= 0)
        rc = !rc;
    if (rc < 0)
        return rc;
    if (rc == 1) {
        ord_refuse(&j->a, 404, "not_found", NULL, "no such order");
        return 1;
    }
    if (j->version && j->version != o.version) {
        ord_refuse(&j->a, 409, "stale_version", "version",
                   "the order was changed by someone else; reload it");
        return 1;
    }
    switch (j->op) {
    case ORD_MODIFY: rc = ord_modify(c, j->actor, &o, j->lines, j->nlines, j->online, &j->a); break;
    case ORD_STEP: rc = ord_transition(c, j->actor, &o, j->to, j->note, &j->a); break;
    default: rc = pay(c, j, &o); break;
    }
    return rc < 0 ? rc : j->a.status >= 300;
}

int ord_run(db_conn *c, struct ord_job *j)
{
    int rc = in_tx(c, job_tx, j);
    return rc < 0 ? rc : 0;
}
