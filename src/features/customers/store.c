/* customers: storage: codes, inserts, lookup and resolve, the customer JSON and
 * summaries. */
#include "features/customers/internal.h"

#include "base/audit.h"
#include "base/datetime.h"
#include "features/common/common.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

const char *const cust_langs[] = {"zh-CN", "en", NULL};

const char *const cust_consent_channels[] = {"phone", "sms", "email", "fax", "post", NULL};

const char *cust_kind_name(int kind)
{
    return kind == IDENTITY_LANDLINE ? "landline" : "mobile";
}

int cust_insert_phone(db_conn *c, int64_t id, const char *phone, int kind, int64_t now)
{
    char rev[IDENTITY_PHONE_MAX];
    identity_phone_reverse(phone, rev);
    int64_t rc = db_exec(c,
                         "INSERT INTO customer_phones (customer_id, phone, phone_rev, kind,"
                         " created_at) VALUES (?, ?, ?, ?, ?)",
                         "ittti", id, phone, rev, cust_kind_name(kind), now);
    return rc < 0 ? (int)rc : 0;
}

int cust_insert_email(db_conn *c, int64_t id, const char *email, int64_t now)
{
    int64_t rc = db_exec(c,
                         "INSERT INTO customer_emails (customer_id, email, created_at)"
                         " VALUES (?, ?, ?)",
                         "iti", id, email, now);
    return rc < 0 ? (int)rc : 0;
}

/* Insert a customer with its phones and emails under code (no audit, no checks). */
static int insert_customer(db_conn *c, const struct cust_in *in, const char *code, int64_t now,
                           int64_t *id_out)
{
    db_stmt *st = db_prepare(c, "INSERT INTO customers (code, name, name_key, region, address,"
                                " created_at, updated_at, lang) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                                " RETURNING id");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, code);
    db_bind_text(st, 2, in->name);
    db_bind_text(st, 3, in->name_key);
    db_bind_text(st, 4, in->region[0] ? in->region : NULL);
    db_bind_text(st, 5, in->address[0] ? in->address : NULL);
    db_bind_int(st, 6, now);
    db_bind_int(st, 7, now);
    db_bind_text(st, 8, in->lang[0] ? in->lang : "zh-CN");
    int rc = db_step(st);
    int64_t id = rc == DB_ROW ? db_int(st, 0) : 0;
    db_done(st);
    if (rc != DB_ROW)
        return rc < 0 ? rc : DB_ERROR;
    for (int i = 0; i < in->nphones; i++)
        if ((rc = cust_insert_phone(c, id, in->phones[i], in->kinds[i], now)) < 0)
            return rc;
    for (int i = 0; i < in->nemails; i++)
        if ((rc = cust_insert_email(c, id, in->emails[i], now)) < 0)
            return rc;
    *id_out = id;
    return 0;
}

/* On PostgreSQL, serialise concurrent creates of the same phone/email (SQLite's BEGIN
 * IMMEDIATE already serialises all writers). */
int cust_lock_identities(db_conn *c, const struct cust_in *in)
{
    if (db_conn_kind(c) != DB_POSTGRES)
        return 0;
    for (int i = 0; i < in->nphones + in->nemails; i++) {
        const char *k = i < in->nphones ? in->phones[i] : in->emails[i - in->nphones];
        db_stmt *st = db_prepare(c, "SELECT pg_advisory_xact_lock(hashtext(CAST(? AS TEXT)))");
        if (!st)
            return DB_ERROR;
        db_bind_text(st, 1, k);
        int rc = db_step(st);
        db_done(st);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* id, merged_into (0 when none), erased (0/1) of a code. 0, -1 unknown, or a db error. */
int cust_lookup_code(db_conn *c, const char *code, int64_t *id, int64_t *merged, int *erased)
{
    db_stmt *st = db_prepare(c, "SELECT id, merged_into, erased_at FROM customers WHERE code = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, code);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        *id = db_int(st, 0);
        *merged = db_isnull(st, 1) ? 0 : db_int(st, 1);
        *erased = !db_isnull(st, 2);
    }
    db_done(st);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? -1 : rc;
}

/* Follow merges from code to the live record. 0, -1 unknown, -2 erased, or a db error. */
int cust_resolve_code(db_conn *c, const char *code_in, int64_t *id_out, char code_out[16])
{
    char code[16];
    size_t n = code_in ? strlen(code_in) : 0;
    if (n == 0 || n >= sizeof code)
        return -1;
    for (size_t i = 0; i <= n; i++)
        code[i] = (char)toupper((unsigned char)code_in[i]);
    int64_t id, merged;
    int erased;
    int rc = cust_lookup_code(c, code, &id, &merged, &erased);
    for (int hops = 0; rc == 0 && merged && hops < 8; hops++) {
        db_stmt *st = db_prepare(c, "SELECT code, merged_into, erased_at FROM customers"
                                    " WHERE id = ?");
        if (!st)
            return DB_ERROR;
        db_bind_int(st, 1, merged);
        int s = db_step(st);
        if (s == DB_ROW) {
            id = merged;
            snprintf(code, sizeof code, "%s", db_text(st, 0));
            merged = db_isnull(st, 1) ? 0 : db_int(st, 1);
            erased = !db_isnull(st, 2);
        }
        db_done(st);
        if (s != DB_ROW)
            return s < 0 ? s : -1;
    }
    if (rc != 0)
        return rc;
    if (merged)
        return -1;
    if (erased)
        return -2;
    if (id_out)
        *id_out = id;
    if (code_out)
        snprintf(code_out, 16, "%s", code);
    return 0;
}

int customers_resolve(db_conn *c, const char *code, int64_t *id_out, char code_out[16])
{
    int rc = cust_resolve_code(c, code, id_out, code_out);
    return rc == -2 ? -1 : rc;
}

/* The phones ([{number, kind}]) and emails of a customer. */
int cust_load_identities(db_conn *c, int64_t id, json_t *phones, json_t *emails)
{
    db_stmt *st = db_prepare(c, "SELECT phone, kind FROM customer_phones WHERE customer_id = ?"
                                " ORDER BY id");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, id);
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(
            phones, json_pack("{s:s, s:s}", "number", db_text(st, 0), "kind", db_text(st, 1)));
    db_done(st);
    if (rc < 0)
        return rc;
    st = db_prepare(c, "SELECT email FROM customer_emails WHERE customer_id = ? ORDER BY id");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, id);
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(emails, json_string(db_text(st, 0)));
    db_done(st);
    return rc < 0 ? rc : 0;
}

/* A customer as the API shows it. full adds consents, merged codes and times; name_key
 * (may be NULL) gets the stored name key. NULL on a db error or when the id does not
 * exist. */
static json_t *customer_json_key(db_conn *c, int64_t id, int full, char *name_key)
{
    db_stmt *st = db_prepare(c, "SELECT code, name, region, address, version, created_at,"
                                " updated_at, erased_at, name_key, lang FROM customers WHERE id = ?");
    if (!st)
        return NULL;
    db_bind_int(st, 1, id);
    if (db_step(st) != DB_ROW) {
        db_done(st);
        return NULL;
    }
    if (name_key)
        snprintf(name_key, IDENTITY_NAME_KEY_MAX, "%s", db_text(st, 8) ? db_text(st, 8) : "");
    json_t *j = json_pack("{s:s, s:s, s:s?, s:s?, s:I, s:s}", "code", db_text(st, 0), "name",
                          db_text(st, 1), "region", db_text(st, 2), "address", db_text(st, 3),
                          "version", (json_int_t)db_int(st, 4), "lang", db_text(st, 9));
    int64_t created = db_int(st, 5), updated = db_int(st, 6);
    int erased = !db_isnull(st, 7);
    int64_t erased_at = erased ? db_int(st, 7) : 0;
    db_done(st);
    json_t *phones = json_array(), *emails = json_array();
    json_object_set_new(j, "phones", phones);
    json_object_set_new(j, "emails", emails);
    if (cust_load_identities(c, id, phones, emails) < 0)
        goto fail;
    json_t *p0 = json_array_get(phones, 0);
    json_object_set_new(j, "phone", p0 ? json_incref(json_object_get(p0, "number")) : json_null());
    json_object_set_new(
        j, "email", json_array_size(emails) ? json_incref(json_array_get(emails, 0)) : json_null());
    if (!full)
        return j;
    json_object_set_new(j, "created_at", dt_json(created));
    json_object_set_new(j, "updated_at", dt_json(updated));
    json_object_set_new(j, "erased_at", erased ? dt_json(erased_at) : json_null());
    json_t *consents = json_object();
    for (int i = 0; cust_consent_channels[i]; i++)
        json_object_set_new(consents, cust_consent_channels[i], json_null());
    json_object_set_new(j, "consents", consents);
    st = db_prepare(c, "SELECT channel, granted, updated_at, source, updated_by"
                       " FROM customer_consents WHERE customer_id = ?");
    if (!st)
        goto fail;
    db_bind_int(st, 1, id);
    json_t *detail = json_object();
    json_object_set_new(j, "consent_details", detail);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        json_object_set_new(consents, db_text(st, 0), json_boolean(db_int(st, 1)));
        json_object_set_new(detail, db_text(st, 0),
                            json_pack("{s:b, s:o, s:s?, s:s}", "granted", (int)db_int(st, 1),
                                      "updated_at", dt_json(db_int(st, 2)), "source",
                                      db_text(st, 3), "updated_by", db_text(st, 4)));
    }
    db_done(st);
    if (rc < 0)
        goto fail;
    json_t *merged = json_array();
    json_object_set_new(j, "merged_codes", merged);
    st = db_prepare(c, "SELECT code FROM customers WHERE merged_into = ? ORDER BY id");
    if (!st)
        goto fail;
    db_bind_int(st, 1, id);
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(merged, json_string(db_text(st, 0)));
    db_done(st);
    if (rc < 0)
        goto fail;
    return j;
fail:
    json_decref(j);
    return NULL;
}

json_t *cust_customer_json(db_conn *c, int64_t id, int full)
{
    return customer_json_key(c, id, full, NULL);
}

/* Summaries (the cust_customer_json(c, id, 0) shape) of n <= 64 customers in three statements
 * instead of three per customer. out[i] is NULL for an id not found; keys[i] (may be NULL)
 * gets the name key. 0 or a db error (out[] then all NULL). */
int cust_summaries_load(db_conn *c, const int64_t *ids, int n, json_t **out,
                        char (*keys)[IDENTITY_NAME_KEY_MAX])
{
    char in[64 * 2 + 4], sql[400];
    size_t len = 0;
    for (int i = 0; i < n; i++) {
        out[i] = NULL;
        len += (size_t)snprintf(in + len, sizeof in - len, "%s?", i ? "," : "");
    }
    if (n == 0)
        return 0;
    static const char *const q[3] = {
        "SELECT id, code, name, region, address, version, name_key FROM customers WHERE id IN"
        " (%s)",
        "SELECT customer_id, phone, kind FROM customer_phones WHERE customer_id IN (%s)"
        " ORDER BY id",
        "SELECT customer_id, email FROM customer_emails WHERE customer_id IN (%s) ORDER BY id",
    };
    int rc = 0;
    for (int pass = 0; pass < 3 && rc >= 0; pass++) {
        snprintf(sql, sizeof sql, q[pass], in);
        db_stmt *st = db_prepare(c, sql);
        if (!st) {
            rc = DB_ERROR;
            break;
        }
        for (int i = 0; i < n; i++)
            db_bind_int(st, i + 1, ids[i]);
        while ((rc = db_step(st)) == DB_ROW) {
            int64_t id = db_int(st, 0);
            for (int i = 0; i < n; i++) {
                if (ids[i] != id)
                    continue;
                if (pass == 0) {
                    out[i] = json_pack("{s:s, s:s, s:s?, s:s?, s:I, s:[], s:[]}", "code",
                                       db_text(st, 1), "name", db_text(st, 2), "region",
                                       db_text(st, 3), "address", db_text(st, 4), "version",
                                       (json_int_t)db_int(st, 5), "phones", "emails");
                    if (keys)
                        snprintf(keys[i], IDENTITY_NAME_KEY_MAX, "%s",
                                 db_text(st, 6) ? db_text(st, 6) : "");
                } else if (out[i]) {
                    json_t *arr = json_object_get(out[i], pass == 1 ? "phones" : "emails");
                    json_array_append_new(arr, pass == 1 ? json_pack("{s:s, s:s}", "number",
                                                                     db_text(st, 1), "kind",
                                                                     db_text(st, 2))
                                                         : json_string(db_text(st, 1)));
                }
            }
        }
        db_done(st);
    }
    for (int i = 0; i < n; i++) {
        if (!out[i])
            continue;
        if (rc < 0) {
            json_decref(out[i]);
            out[i] = NULL;
            continue;
        }
        json_t *p0 = json_array_get(json_object_get(out[i], "phones"), 0);
        json_t *e0 = json_array_get(json_object_get(out[i], "emails"), 0);
        json_object_set_new(out[i], "phone",
                            p0 ? json_incref(json_object_get(p0, "number")) : json_null());
        json_object_set_new(out[i], "email", e0 ? json_incref(e0) : json_null());
    }
    return rc < 0 ? rc : 0;
}

/* Create under a new code with an audit entry (inside the caller's transaction). */
int cust_create_customer(db_conn *c, const char *actor, const struct cust_in *in, const char *via,
                         int64_t *id, char code[16])
{
    int64_t now = now_unix();
    int rc = code_next(c, "customer", "C", 8, code, 16);
    if (rc < 0)
        return rc;
    if ((rc = insert_customer(c, in, code, now, id)) < 0)
        return rc;
    json_t *d =
        json_pack("{s:s, s:i, s:i}", "via", via, "phones", in->nphones, "emails", in->nemails);
    rc = audit_write(c, actor, "create", "customer", code, d);
    json_decref(d);
    return rc;
}
