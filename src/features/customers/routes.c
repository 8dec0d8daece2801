/* customers: the /api/v1/customers route table and the create, get and match
 * handlers. */
#include "features/customers/internal.h"

#include "base/audit.h"
#include "base/log.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define ROLES_READ (ROLE_ADMIN | ROLE_SUPERVISOR | ROLE_AGENT | ROLE_MARKETER)
#define ROLES_WRITE (ROLE_ADMIN | ROLE_SUPERVISOR | ROLE_AGENT)
#define ROLES_LOOKUP (ROLES_READ | ROLE_OUTLET_STAFF)
#define ROLES_ADMIN (ROLE_ADMIN | ROLE_SUPERVISOR)

int cust_reply_duplicate(req *r, json_t *matches)
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
            rc = cust_reply_duplicate(r, matches);
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
