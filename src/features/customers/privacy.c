/* customers: personal data rights: consents, the JSON export of everything held on a
 * person, and erasure. */
#include "features/customers/internal.h"

#include "base/audit.h"
#include "base/datetime.h"
#include "features/common/common.h"

#include <stdio.h>
#include <string.h>

/* A consent change: the body (channels sent) and the customer. */
struct consents {
    json_t *body;
    const char *source;
    int64_t id;
};

/* The stored consent of a channel: 1 granted, 0 refused, -1 never asked; or a db error
 * (below -1). */
static int consent_now(db_conn *c, int64_t id, const char *ch, int *state)
{
    db_stmt *st = db_prepare(c, "SELECT granted FROM customer_consents WHERE customer_id = ?"
                                " AND channel = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, id);
    db_bind_text(st, 2, ch);
    int rc = db_step(st);
    *state = rc == DB_ROW ? (int)db_int(st, 0) : -1;
    db_done(st);
    return rc < 0 ? rc : 0;
}

/* Inside the transaction: set each channel sent that changes, audited. */
static int apply_consents(req *r, void *arg)
{
    struct consents *k = arg;
    db_conn *c = req_db(r);
    char code[16];
    int rc = cust_find(r, &k->id, code);
    if (rc != 0)
        return rc;
    int64_t now = now_unix();
    for (int i = 0; cust_consent_channels[i]; i++) {
        const char *ch = cust_consent_channels[i];
        json_t *j = json_object_get(k->body, ch);
        if (!j)
            continue;
        /* the current state, to audit only real changes */
        int before, after = json_is_null(j) ? -1 : json_is_true(j);
        if ((rc = consent_now(c, k->id, ch, &before)) < 0)
            return rc;
        if (before == after)
            continue;
        int64_t x;
        if (after < 0)
            x = db_exec(c, "DELETE FROM customer_consents WHERE customer_id = ? AND channel = ?",
                        "it", k->id, ch);
        else
            x = db_exec(c,
                        "INSERT INTO customer_consents (customer_id, channel, granted, source,"
                        " updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)"
                        " ON CONFLICT (customer_id, channel) DO UPDATE SET granted ="
                        " excluded.granted, source = excluded.source, updated_at ="
                        " excluded.updated_at, updated_by = excluded.updated_by",
                        "itit"
                        "it",
                        k->id, ch, (int64_t)after, k->source, now, audit_actor(r));
        if (x < 0)
            return (int)x;
        json_t *d = json_pack("{s:s, s:o, s:o, s:s?}", "channel", ch, "from",
                              before < 0 ? json_null() : json_boolean(before), "to",
                              after < 0 ? json_null() : json_boolean(after), "source", k->source);
        rc = audit_write(c, audit_actor(r), "consent", "customer", code, d);
        json_decref(d);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* PUT /api/v1/customers/{code}/consents {"sms": true, "email": false, "post": null,
 * "source": "..."}: each channel sent is set (null: back to "never asked"), audited. */
int customers_consents(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv v = {0};
    jsonv_init(&v, body);
    static const char *const allowed[] = {"phone", "sms", "email", "fax", "post", "source", NULL};
    jsonv_only(&v, allowed);
    struct consents k = {.body = body, .source = cust_body_str(&v, "source", 200)};
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
    int rc;
    if (!jsonv_ok(&v)) {
        rc = cust_reply_validation(r, &v);
    } else {
        rc = cust_write(r, "customers consents", apply_consents, &k);
        if (rc == 0)
            rc = cust_reply_customer(r, 200, k.id);
        else if (rc == CUST_ANSWERED)
            rc = 0;
    }
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
    int rc = cust_find(r, &id, code);
    if (rc != 0)
        return rc > 0 ? 0 : reply_db_failure(r, rc, "customers export");
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

/* An erasure: the reason given, then the code erased. */
struct erase {
    const char *reason;
    char code[16];
};

/* customers.h: the personal fields of the customer and of the records merged into it,
 * in this capability and in the others. */
int customers_erase_id(db_conn *c, int64_t id)
{
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
    int64_t x = 0;
    for (int i = 0; wipe[i] && x >= 0; i++)
        x = db_exec(c, wipe[i], "ii", id, id);
    for (const char *const *w = feature_customer_erasures; *w && x >= 0; w++)
        x = db_exec(c, *w, "ii", id, id);
    if (x >= 0)
        x = db_exec(c,
                    "UPDATE customers SET name = '', name_key = '', address = NULL, erased_at = ?,"
                    " version = version + 1, updated_at = ? WHERE id = ? OR merged_into = ?",
                    "iiii", now, now, id, id);
    return x < 0 ? (int)x : 0;
}

/* Inside the transaction: erase the customer, audited with the reason. */
static int apply_erase(req *r, void *arg)
{
    struct erase *e = arg;
    db_conn *c = req_db(r);
    int64_t id;
    int rc = cust_find(r, &id, e->code);
    if (rc != 0)
        return rc;
    int x = customers_erase_id(c, id);
    if (x < 0)
        return x;
    json_t *d = json_pack("{s:s}", "reason", e->reason);
    rc = audit_write(c, audit_actor(r), "erase", "customer", e->code, d);
    json_decref(d);
    return rc < 0 ? rc : 0;
}

/* POST /api/v1/customers/{code}/erase {"reason": "..."}: personal fields removed (name,
 * address, phones, emails, consents; also on records merged into it); the row, its code,
 * region and the links from repairs etc. stay, anonymous, for statistics. */
int customers_erase(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv v = {0};
    jsonv_init(&v, body);
    static const char *const allowed[] = {"reason", NULL};
    jsonv_only(&v, allowed);
    struct erase e = {.reason = cust_body_str(&v, "reason", 500)};
    if (!e.reason || !*e.reason)
        jsonv_fail(&v, "reason", "required");
    int rc;
    if (!jsonv_ok(&v)) {
        rc = cust_reply_validation(r, &v);
    } else {
        rc = cust_write(r, "customers erase", apply_erase, &e);
        if (rc == 0)
            rc = reply_json(r, 200, json_pack("{s:s, s:s}", "code", e.code, "status", "erased"));
        else if (rc == CUST_ANSWERED)
            rc = 0;
    }
    jsonv_free(&v);
    json_decref(body);
    return rc;
}
