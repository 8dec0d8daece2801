/* customers: merging a duplicate customer into a survivor. */
#include "features/customers/internal.h"

#include "base/audit.h"
#include "base/log.h"

#include <ctype.h>
#include <stdio.h>

/* POST /api/v1/customers/{code}/merge {"duplicate": "C...", "version"?: n}: everything of
 * the duplicate moves to this customer (the survivor); the duplicate's code resolves to
 * the survivor from then on. */
int customers_merge(req *r)
{
    json_t *body = NULL, *out = NULL;
    jsonv v = {0};
    int rc = 0, began = 0;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv_init(&v, body);
    static const char *const allowed[] = {"duplicate", "version", "duplicate_version", NULL};
    jsonv_only(&v, allowed);
    const char *dup_code = cust_body_str(&v, "duplicate", 15);
    if (!dup_code && jsonv_ok(&v))
        jsonv_fail(&v, "duplicate", "required");
    long long version = -1, dup_version = -1;
    jsonv_int(&v, "version", 0, &version);
    jsonv_int(&v, "duplicate_version", 0, &dup_version);
    if (!jsonv_ok(&v)) {
        rc = cust_reply_validation(r, &v);
        goto cleanup;
    }
    db_conn *c = req_db(r);
    if (db_begin(c) < 0) {
        rc = -1;
        goto cleanup;
    }
    began = 1;
    int64_t sid, did, dmerged;
    char scode[16], dcode[16];
    int f = cust_resolve_code(c, req_param(r, "code"), &sid, scode);
    if (f == -1 || f == -2) {
        rc = cust_reply_not_found(r, f);
        goto cleanup;
    }
    if (f < 0)
        goto dberr;
    int derased;
    snprintf(dcode, sizeof dcode, "%s", dup_code);
    for (char *p = dcode; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    f = cust_lookup_code(c, dcode, &did, &dmerged, &derased);
    if (f < -1)
        goto dberr;
    const char *why = f == -1      ? "unknown"
                      : derased    ? "erased"
                      : dmerged    ? "already_merged"
                      : did == sid ? "same_customer"
                                   : NULL;
    if (why) {
        db_rollback(c);
        began = 0;
        jsonv_fail(&v, "duplicate", why);
        rc = cust_reply_validation(r, &v);
        goto cleanup;
    }
    /* versions, when given, must be current */
    for (int i = 0; i < 2; i++) {
        long long want = i == 0 ? version : dup_version;
        if (want < 0)
            continue;
        db_stmt *st = db_prepare(c, "SELECT version FROM customers WHERE id = ?");
        if (!st)
            goto dberr;
        db_bind_int(st, 1, i == 0 ? sid : did);
        int64_t cur = db_step(st) == DB_ROW ? db_int(st, 0) : -1;
        db_done(st);
        if (cur != want) {
            db_rollback(c);
            began = 0;
            json_t *e = json_pack("{s:s, s:s, s:I}", "code", "stale_version", "message",
                                  "a customer was changed meanwhile; reload both",
                                  "current_version", (json_int_t)cur);
            rc = reply_json(r, 409, json_pack("{s:o}", "error", e));
            goto cleanup;
        }
    }
    /* other capabilities' records */
    for (const char *const *m = feature_customer_moves; *m; m++)
        if (db_exec(c, *m, "ii", sid, did) < 0)
            goto dberr;
    /* identities: move those the survivor lacks, drop the rest */
    if (db_exec(c,
                "DELETE FROM customer_phones WHERE customer_id = ? AND phone IN"
                " (SELECT phone FROM customer_phones WHERE customer_id = ?)",
                "ii", did, sid) < 0 ||
        db_exec(c, "UPDATE customer_phones SET customer_id = ? WHERE customer_id = ?", "ii", sid,
                did) < 0 ||
        db_exec(c,
                "DELETE FROM customer_emails WHERE customer_id = ? AND email IN"
                " (SELECT email FROM customer_emails WHERE customer_id = ?)",
                "ii", did, sid) < 0 ||
        db_exec(c, "UPDATE customer_emails SET customer_id = ? WHERE customer_id = ?", "ii", sid,
                did) < 0 ||
        db_exec(c,
                "DELETE FROM customer_consents WHERE customer_id = ? AND channel IN"
                " (SELECT channel FROM customer_consents WHERE customer_id = ?)",
                "ii", did, sid) < 0 ||
        db_exec(c, "UPDATE customer_consents SET customer_id = ? WHERE customer_id = ?", "ii", sid,
                did) < 0)
        goto dberr;
    int64_t now = now_unix();
    /* the survivor takes region/address it lacks */
    if (db_exec(c,
                "UPDATE customers SET region = COALESCE(region, (SELECT region FROM customers d"
                " WHERE d.id = ?)), address = COALESCE(address, (SELECT address FROM customers d"
                " WHERE d.id = ?)), version = version + 1, updated_at = ? WHERE id = ?",
                "iiii", did, did, now, sid) < 0)
        goto dberr;
    /* flatten: codes merged into the duplicate now point at the survivor */
    if (db_exec(c, "UPDATE customers SET merged_into = ? WHERE merged_into = ?", "ii", sid, did) <
            0 ||
        db_exec(c,
                "UPDATE customers SET merged_into = ?, version = version + 1, updated_at = ?"
                " WHERE id = ?",
                "iii", sid, now, did) < 0)
        goto dberr;
    json_t *d1 = json_pack("{s:s}", "duplicate", dcode);
    json_t *d2 = json_pack("{s:s}", "survivor", scode);
    int a = audit_write(c, audit_actor(r), "merge", "customer", scode, d1);
    if (a >= 0)
        a = audit_write(c, audit_actor(r), "merged_into", "customer", dcode, d2);
    json_decref(d1);
    json_decref(d2);
    if (a < 0)
        goto dberr;
    if (db_commit(c) < 0)
        goto dberr;
    began = 0;
    out = cust_customer_json(c, sid, 1);
    rc = out ? reply_json(r, 200, out) : -1;
    out = NULL;
    goto cleanup;
dberr:
    log_error("customers merge: %s", db_errmsg(req_db(r)));
    rc = -1;
cleanup:
    if (began)
        db_rollback(req_db(r));
    json_decref(out);
    jsonv_free(&v);
    json_decref(body);
    return rc;
}
