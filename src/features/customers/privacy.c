/* customers: personal data rights: consents, the JSON export of everything held on a
 * person, and erasure. */
#include "features/customers/internal.h"

#include "base/audit.h"
#include "base/datetime.h"
#include "base/log.h"

#include <stdio.h>
#include <string.h>

/* PUT /api/v1/customers/{code}/consents {"sms": true, "email": false, "post": null,
 * "source": "..."}: each channel sent is set (null: back to "never asked"), audited. */
int customers_consents(req *r)
{
    json_t *body = NULL, *out = NULL;
    jsonv v = {0};
    int rc = 0, began = 0;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv_init(&v, body);
    static const char *const allowed[] = {"phone", "sms", "email", "fax", "post", "source", NULL};
    jsonv_only(&v, allowed);
    const char *source = cust_body_str(&v, "source", 200);
    int any = 0;
    for (int i = 0; cust_consent_channels[i]; i++) {
        json_t *j = json_object_get(body, cust_consent_channels[i]);
        if (!j)
            continue;
        any = 1;
        if (!json_is_boolean(j) && !json_is_null(j))
            jsonv_fail(&v, cust_consent_channels[i], "invalid");
    }
    if (!any && jsonv_ok(&v))
        jsonv_fail(&v, "sms", "required");
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
    int64_t id;
    char code[16];
    int f = cust_resolve_code(c, req_param(r, "code"), &id, code);
    if (f == -1 || f == -2) {
        rc = cust_reply_not_found(r, f);
        goto cleanup;
    }
    if (f < 0)
        goto dberr;
    int64_t now = now_unix();
    for (int i = 0; cust_consent_channels[i]; i++) {
        const char *ch = cust_consent_channels[i];
        json_t *j = json_object_get(body, ch);
        if (!j)
            continue;
        /* the current state, to audit only real changes */
        db_stmt *st = db_prepare(c, "SELECT granted FROM customer_consents WHERE customer_id = ?"
                                    " AND channel = ?");
        if (!st)
            goto dberr;
        db_bind_int(st, 1, id);
        db_bind_text(st, 2, ch);
        int s = db_step(st);
        int before = s == DB_ROW ? (int)db_int(st, 0) : -1;
        db_done(st);
        if (s < 0)
            goto dberr;
        int after = json_is_null(j) ? -1 : json_is_true(j);
        if (before == after)
            continue;
        int64_t x;
        if (after < 0)
            x = db_exec(c, "DELETE FROM customer_consents WHERE customer_id = ? AND channel = ?",
                        "it", id, ch);
        else
            x = db_exec(c,
                        "INSERT INTO customer_consents (customer_id, channel, granted, source,"
                        " updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)"
                        " ON CONFLICT (customer_id, channel) DO UPDATE SET granted ="
                        " excluded.granted, source = excluded.source, updated_at ="
                        " excluded.updated_at, updated_by = excluded.updated_by",
                        "itit"
                        "it",
                        id, ch, (int64_t)after, source, now, audit_actor(r));
        if (x < 0)
            goto dberr;
        json_t *d = json_pack("{s:s, s:o, s:o, s:s?}", "channel", ch, "from",
                              before < 0 ? json_null() : json_boolean(before), "to",
                              after < 0 ? json_null() : json_boolean(after), "source", source);
        int a = audit_write(c, audit_actor(r), "consent", "customer", code, d);
        json_decref(d);
        if (a < 0)
            goto dberr;
    }
    if (db_commit(c) < 0)
        goto dberr;
    began = 0;
    out = cust_customer_json(c, id, 1);
    rc = out ? reply_json(r, 200, out) : -1;
    out = NULL;
    goto cleanup;
dberr:
    log_error("customers consents: %s", db_errmsg(req_db(r)));
    rc = -1;
cleanup:
    if (began)
        db_rollback(req_db(r));
    json_decref(out);
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

/* GET /api/v1/customers/{code}/export: everything held on the person (audited). */
int customers_export(req *r)
{
    db_conn *c = req_db(r);
    int64_t id;
    char code[16];
    int rc = cust_resolve_code(c, req_param(r, "code"), &id, code);
    if (rc == -1 || rc == -2)
        return cust_reply_not_found(r, rc);
    if (rc < 0)
        return -1;
    json_t *cust = cust_customer_json(c, id, 1);
    json_t *hist = cust ? cust_history_json(c, id, code, 100000) : NULL;
    if (!hist) {
        json_decref(cust);
        return -1;
    }
    /* merged records' own fields (names and addresses they were known by) */
    json_t *merged = json_array();
    db_stmt *st = db_prepare(c, "SELECT code, name, region, address, created_at FROM customers"
                                " WHERE merged_into = ? ORDER BY id");
    if (st) {
        db_bind_int(st, 1, id);
        while (db_step(st) == DB_ROW)
            json_array_append_new(
                merged, json_pack("{s:s, s:s, s:s?, s:s?, s:o}", "code", db_text(st, 0), "name",
                                  db_text(st, 1), "region", db_text(st, 2), "address",
                                  db_text(st, 3), "created_at", dt_json(db_int(st, 4))));
        db_done(st);
    }
    if (db_begin(c) < 0 || audit_write(c, audit_actor(r), "export", "customer", code, NULL) < 0 ||
        db_commit(c) < 0) {
        db_rollback(c);
        json_decref(cust);
        json_decref(hist);
        json_decref(merged);
        return -1;
    }
    char now[21];
    dt_rfc3339(now_unix(), now);
    reply_header(r, "Content-Disposition",
                 arena_printf(r->a, "attachment; filename=\"customer-%s.json\"", code));
    return reply_json(r, 200,
                      json_pack("{s:s, s:s, s:o, s:o, s:o}", "exported_at", now, "exported_by",
                                audit_actor(r), "customer", cust, "merged_records", merged,
                                "history", hist));
}

/* POST /api/v1/customers/{code}/erase {"reason": "..."}: personal fields removed (name,
 * address, phones, emails, consents; also on records merged into it); the row, its code,
 * region and the links from repairs etc. stay, anonymous, for statistics. */
int customers_erase(req *r)
{
    json_t *body = NULL;
    jsonv v = {0};
    int rc = 0, began = 0;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv_init(&v, body);
    static const char *const allowed[] = {"reason", NULL};
    jsonv_only(&v, allowed);
    const char *reason = cust_body_str(&v, "reason", 500);
    if (!reason || !*reason)
        jsonv_fail(&v, "reason", "required");
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
    int64_t id;
    char code[16];
    int f = cust_resolve_code(c, req_param(r, "code"), &id, code);
    if (f == -1 || f == -2) {
        rc = cust_reply_not_found(r, f);
        goto cleanup;
    }
    if (f < 0)
        goto dberr;
    int64_t now = now_unix();
    static const char *const wipe[] = {
        "DELETE FROM customer_phones WHERE customer_id IN (SELECT id FROM customers WHERE id = ?"
        " OR merged_into = ?)",
        "DELETE FROM customer_emails WHERE customer_id IN (SELECT id FROM customers WHERE id = ?"
        " OR merged_into = ?)",
        "DELETE FROM customer_consents WHERE customer_id IN (SELECT id FROM customers WHERE id ="
        " ? OR merged_into = ?)",
        NULL,
    };
    for (int i = 0; wipe[i]; i++)
        if (db_exec(c, wipe[i], "ii", id, id) < 0)
            goto dberr;
    for (const char *const *e = feature_customer_erasures; *e; e++)
        if (db_exec(c, *e, "ii", id, id) < 0)
            goto dberr;
    if (db_exec(c,
                "UPDATE customers SET name = '', name_key = '', address = NULL, erased_at = ?,"
                " version = version + 1, updated_at = ? WHERE id = ? OR merged_into = ?",
                "iiii", now, now, id, id) < 0)
        goto dberr;
    json_t *d = json_pack("{s:s}", "reason", reason);
    int a = audit_write(c, audit_actor(r), "erase", "customer", code, d);
    json_decref(d);
    if (a < 0 || db_commit(c) < 0)
        goto dberr;
    began = 0;
    rc = reply_json(r, 200, json_pack("{s:s, s:s}", "code", code, "status", "erased"));
    goto cleanup;
dberr:
    log_error("customers erase: %s", db_errmsg(req_db(r)));
    rc = -1;
cleanup:
    if (began)
        db_rollback(req_db(r));
    jsonv_free(&v);
    json_decref(body);
    return rc;
}
