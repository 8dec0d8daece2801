/* customers: the /api/v1/customers route table and the create, get, update, match
 * and list handlers. */
#include "features/customers/internal.h"

#include "base/audit.h"
#include "base/log.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ROLES_READ (ROLE_ADMIN | ROLE_SUPERVISOR | ROLE_AGENT | ROLE_MARKETER)
#define ROLES_WRITE (ROLE_ADMIN | ROLE_SUPERVISOR | ROLE_AGENT)
#define ROLES_LOOKUP (ROLES_READ | ROLE_OUTLET_STAFF)
#define ROLES_ADMIN (ROLE_ADMIN | ROLE_SUPERVISOR)

static int reply_duplicate(req *r, json_t *matches)
{
    json_t *e = json_pack("{s:s, s:s, s:o}", "code", "duplicate", "message",
                          "a customer with this phone or email exists already; send force to"
                          " create anyway",
                          "matches", matches);
    return reply_json(r, 409, json_pack("{s:o}", "error", e));
}

static int customers_create(req *r)
{
    json_t *body = NULL, *matches = NULL, *out = NULL;
    jsonv v = {0};
    int rc = 0, began = 0;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv_init(&v, body);
    static const char *const allowed[] = {"name",   "phone",   "email", "phones", "emails",
                                          "region", "address", "force", NULL};
    jsonv_only(&v, allowed);
    struct cust_in in;
    memset(&in, 0, sizeof in);
    cust_body_fields(&v, &in, 1);
    int force = 0;
    jsonv_bool(&v, "force", 0, &force);
    if (jsonv_ok(&v) && in.nphones + in.nemails == 0) {
        jsonv_fail(&v, "phone", "required");
        jsonv_fail(&v, "email", "required");
    }
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
    if (cust_lock_identities(c, &in) < 0)
        goto dberr;
    if (!force) {
        if (!(matches = cust_strong_matches(c, &in, 0)))
            goto dberr;
        if (json_array_size(matches) > 0) {
            db_rollback(c);
            began = 0;
            rc = reply_duplicate(r, matches);
            matches = NULL;
            goto cleanup;
        }
    }
    int64_t id;
    char code[16];
    if (cust_create_customer(c, audit_actor(r), &in, force ? "api_forced" : "api", &id, code) < 0)
        goto dberr;
    if (db_commit(c) < 0)
        goto dberr;
    began = 0;
    out = cust_customer_json(c, id, 1);
    rc = out ? reply_json(r, 201, out) : -1;
    out = NULL;
    goto cleanup;
dberr:
    log_error("customers create: %s", db_errmsg(req_db(r)));
    rc = -1;
cleanup:
    if (began)
        db_rollback(req_db(r));
    json_decref(matches);
    json_decref(out);
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

static int customers_get(req *r)
{
    db_conn *c = req_db(r);
    int64_t id;
    char code[16];
    int rc = cust_resolve_code(c, req_param(r, "code"), &id, code);
    if (rc < 0 && rc != -1 && rc != -2)
        return -1;
    if (rc < 0)
        return cust_reply_not_found(r, rc);
    json_t *j = cust_customer_json(c, id, 1);
    if (!j)
        return -1;
    if (strcasecmp(code, req_param(r, "code")) != 0)
        json_object_set_new(j, "resolved_from", json_string(req_param(r, "code")));
    return reply_json(r, 200, j);
}

static int customers_update(req *r)
{
    json_t *body = NULL, *matches = NULL, *out = NULL, *changed = NULL;
    jsonv v = {0};
    int rc = 0, began = 0;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv_init(&v, body);
    static const char *const allowed[] = {"name",   "phone",   "email", "phones",  "emails",
                                          "region", "address", "force", "version", NULL};
    jsonv_only(&v, allowed);
    struct cust_in in;
    memset(&in, 0, sizeof in);
    unsigned have = cust_body_fields(&v, &in, 0);
    int force = 0;
    long long version = 0;
    jsonv_bool(&v, "force", 0, &force);
    jsonv_int(&v, "version", 1, &version);
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
    /* current values for the fields not sent */
    db_stmt *st = db_prepare(c, "SELECT name, name_key, region, address, version FROM customers"
                                " WHERE id = ?");
    if (!st)
        goto dberr;
    db_bind_int(st, 1, id);
    if (db_step(st) != DB_ROW) {
        db_done(st);
        goto dberr;
    }
    int64_t cur_version = db_int(st, 4);
    struct cust_in cur;
    memset(&cur, 0, sizeof cur);
    snprintf(cur.name, sizeof cur.name, "%s", db_text(st, 0));
    snprintf(cur.name_key, sizeof cur.name_key, "%s", db_text(st, 1));
    snprintf(cur.region, sizeof cur.region, "%s", db_text(st, 2) ? db_text(st, 2) : "");
    snprintf(cur.address, sizeof cur.address, "%s", db_text(st, 3) ? db_text(st, 3) : "");
    db_done(st);
    if (cur_version != version) {
        db_rollback(c);
        began = 0;
        json_t *e = json_pack("{s:s, s:s, s:I}", "code", "stale_version", "message",
                              "the customer was changed by someone else; reload it",
                              "current_version", (json_int_t)cur_version);
        rc = reply_json(r, 409, json_pack("{s:o}", "error", e));
        goto cleanup;
    }
    changed = json_array();
    if (!(have & HAVE_NAME)) {
        strcpy(in.name, cur.name);
        strcpy(in.name_key, cur.name_key);
    } else if (strcmp(in.name, cur.name) != 0) {
        json_array_append_new(changed, json_string("name"));
    }
    if (!(have & HAVE_REGION))
        strcpy(in.region, cur.region);
    else if (strcmp(in.region, cur.region) != 0)
        json_array_append_new(changed, json_string("region"));
    if (!(have & HAVE_ADDRESS))
        strcpy(in.address, cur.address);
    else if (strcmp(in.address, cur.address) != 0)
        json_array_append_new(changed, json_string("address"));
    /* identities: replaced as a whole when sent; keep the others */
    json_t *ph = json_array(), *em = json_array();
    if (cust_load_identities(c, id, ph, em) < 0) {
        json_decref(ph);
        json_decref(em);
        goto dberr;
    }
    size_t k;
    json_t *x;
    if (!(have & HAVE_PHONES)) {
        json_array_foreach(ph, k, x)
            cust_v_phone_add(&in, json_string_value(json_object_get(x, "number")));
    } else {
        int same = (size_t)in.nphones == json_array_size(ph);
        json_array_foreach(
            ph, k, x) if (same && strcmp(in.phones[k],
                                         json_string_value(json_object_get(x, "number"))) != 0)
            same = 0;
        if (!same)
            json_array_append_new(changed, json_string("phones"));
    }
    if (!(have & HAVE_EMAILS)) {
        json_array_foreach(em, k, x) cust_v_email_add(&in, json_string_value(x));
    } else {
        int same = (size_t)in.nemails == json_array_size(em);
        json_array_foreach(em, k, x) if (same && strcmp(in.emails[k], json_string_value(x)) != 0)
            same = 0;
        if (!same)
            json_array_append_new(changed, json_string("emails"));
    }
    json_decref(ph);
    json_decref(em);
    if (in.nphones + in.nemails == 0) {
        db_rollback(c);
        began = 0;
        jsonv_fail(&v, "phone", "required");
        jsonv_fail(&v, "email", "required");
        rc = cust_reply_validation(r, &v);
        goto cleanup;
    }
    if (!force && (have & (HAVE_PHONES | HAVE_EMAILS))) {
        if (cust_lock_identities(c, &in) < 0 || !(matches = cust_strong_matches(c, &in, id)))
            goto dberr;
        if (json_array_size(matches) > 0) {
            db_rollback(c);
            began = 0;
            rc = reply_duplicate(r, matches);
            matches = NULL;
            goto cleanup;
        }
    }
    int64_t now = now_unix();
    if (json_array_size(changed) > 0) {
        if (db_exec(c,
                    "UPDATE customers SET name = ?, name_key = ?, region = ?, address = ?,"
                    " version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
                    "ttttiii", in.name, in.name_key, in.region[0] ? in.region : NULL,
                    in.address[0] ? in.address : NULL, now, id, (int64_t)version) != 1)
            goto dberr;
        if (have & HAVE_PHONES) {
            if (db_exec(c, "DELETE FROM customer_phones WHERE customer_id = ?", "i", id) < 0)
                goto dberr;
            for (int i = 0; i < in.nphones; i++)
                if (cust_insert_phone(c, id, in.phones[i], in.kinds[i], now) < 0)
                    goto dberr;
        }
        if (have & HAVE_EMAILS) {
            if (db_exec(c, "DELETE FROM customer_emails WHERE customer_id = ?", "i", id) < 0)
                goto dberr;
            for (int i = 0; i < in.nemails; i++)
                if (cust_insert_email(c, id, in.emails[i], now) < 0)
                    goto dberr;
        }
        json_t *d = json_pack("{s:O, s:b}", "fields", changed, "forced", force);
        int a = audit_write(c, audit_actor(r), "update", "customer", code, d);
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
    log_error("customers update: %s", db_errmsg(req_db(r)));
    rc = -1;
cleanup:
    if (began)
        db_rollback(req_db(r));
    json_decref(changed);
    json_decref(matches);
    json_decref(out);
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

static int customers_match_route(req *r)
{
    const char *qp = req_query(r, "phone"), *qe = req_query(r, "email"), *qn = req_query(r, "name"),
               *qr = req_query(r, "region");
    char phone[IDENTITY_PHONE_MAX] = "", email[IDENTITY_EMAIL_MAX] = "",
         key[IDENTITY_NAME_KEY_MAX] = "", region[IDENTITY_REGION_MAX] = "";
    json_t *fields = json_object();
    if (qp && *qp && (strlen(qp) > 64 || identity_phone(qp, phone, NULL) < 0))
        json_object_set_new(fields, "phone", json_string(strlen(qp) > 64 ? "too_long" : "invalid"));
    if (qe && *qe && (strlen(qe) > 320 || identity_email(qe, email) < 0))
        json_object_set_new(fields, "email",
                            json_string(strlen(qe) > 320 ? "too_long" : "invalid"));
    if (qn && *qn && (strlen(qn) > 400 || identity_name_key(qn, key) < 0))
        json_object_set_new(fields, "name", json_string(strlen(qn) > 400 ? "too_long" : "invalid"));
    if (qr && *qr && identity_region(qr, region) < 0)
        json_object_set_new(fields, "region", json_string("invalid"));
    if (json_object_size(fields) == 0 && !*phone && !*email && !*key) {
        json_object_set_new(fields, "phone", json_string("required"));
        json_object_set_new(fields, "email", json_string("required"));
        json_object_set_new(fields, "name", json_string("required"));
    }
    if (json_object_size(fields) > 0)
        return reply_error(r, 422, "validation_failed",
                           "give a valid phone, email or name to match", fields);
    json_decref(fields);
    json_t *m = NULL;
    if (customers_match(req_db(r), phone, email, key, region, 0, &m) < 0)
        return -1;
    return reply_json(r, 200, json_pack("{s:o}", "matches", m));
}

/* Who may do what: agents, supervisors and admins read and write; marketers read;
 * merging and erasing are for supervisors and admins. Outlet staff (technician,
 * outlet_manager) may match and open one customer by code (a walk-in at the counter);
 * they cannot list, search, see history or export. */
const struct route customers_routes[] = {
    {"GET", "/api/v1/customers/match", customers_match_route, ROLES_LOOKUP, 0},
    {"GET", "/api/v1/customers", customers_list, ROLES_READ, 0},
    {"POST", "/api/v1/customers", customers_create, ROLES_WRITE, 0},
    {"GET", "/api/v1/customers/:code", customers_get, ROLES_LOOKUP, 0},
    {"PATCH", "/api/v1/customers/:code", customers_update, ROLES_WRITE, 0},
    {"GET", "/api/v1/customers/:code/history", customers_history, ROLES_READ, 0},
    {"PUT", "/api/v1/customers/:code/consents", customers_consents, ROLES_WRITE, 0},
    {"POST", "/api/v1/customers/:code/merge", customers_merge, ROLES_ADMIN, 0},
    {"GET", "/api/v1/customers/:code/export", customers_export, ROLES_WRITE, 0},
    {"POST", "/api/v1/customers/:code/erase", customers_erase, ROLES_ADMIN, 0},
    {0},
};
