/* customers: the /api/v1/customers route table and the create, get and match
 * handlers. */
#include "features/customers/internal.h"

#include "base/audit.h"
#include "features/common/common.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define ROLES_READ (ROLE_ADMIN | ROLE_SUPERVISOR | ROLE_AGENT | ROLE_MARKETER)
#define ROLES_WRITE (ROLE_ADMIN | ROLE_SUPERVISOR | ROLE_AGENT)
#define ROLES_LOOKUP (ROLES_READ | ROLE_OUTLET_STAFF)
#define ROLES_ADMIN (ROLE_ADMIN | ROLE_SUPERVISOR)

/* 409 duplicate with the strong matches (steals matches). */
static int reply_duplicate(req *r, json_t *matches)
{
    json_t *e = json_pack("{s:s, s:s, s:o}", "code", "duplicate", "message",
                          "a customer with this phone or email exists already; send force to"
                          " create anyway",
                          "matches", matches);
    return reply_json(r, 409, json_pack("{s:o}", "error", e));
}

int cust_refuse_duplicate(req *r, const struct cust_in *in, int64_t exclude_id)
{
    json_t *matches = cust_strong_matches(req_db(r), in, exclude_id);
    if (!matches)
        return DB_ERROR;
    if (json_array_size(matches) == 0) {
        json_decref(matches);
        return 0;
    }
    reply_duplicate(r, matches);
    return CUST_ANSWERED;
}

/* A create: the fields sent, then the customer made. */
struct create {
    struct cust_in in;
    int force;
    int64_t id;
};

/* Inside the transaction: refuse a duplicate unless forced, then create. */
static int apply_create(req *r, void *arg)
{
    struct create *k = arg;
    db_conn *c = req_db(r);
    int rc = cust_lock_identities(c, &k->in);
    if (rc < 0)
        return rc;
    if (!k->force && (rc = cust_refuse_duplicate(r, &k->in, 0)) != 0)
        return rc;
    char code[16];
    return cust_create_customer(c, audit_actor(r), &k->in, k->force ? "api_forced" : "api",
                                &k->id, code);
}

static int customers_create(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv v = {0};
    jsonv_init(&v, body);
    static const char *const allowed[] = {"name", "lang", "phone",   "email", "phones", "emails",
                                          "region", "address", "force", NULL};
    jsonv_only(&v, allowed);
    struct create k;
    memset(&k, 0, sizeof k);
    cust_body_fields(&v, &k.in, 1);
    jsonv_bool(&v, "force", 0, &k.force);
    if (jsonv_ok(&v) && k.in.nphones + k.in.nemails == 0) {
        jsonv_fail(&v, "phone", "required");
        jsonv_fail(&v, "email", "required");
    }
    int rc;
    if (!jsonv_ok(&v)) {
        rc = cust_reply_validation(r, &v);
    } else {
        rc = cust_write(r, "customers create", apply_create, &k);
        if (rc == 0)
            rc = cust_reply_customer(r, 201, k.id);
        else if (rc == CUST_ANSWERED)
            rc = 0;
    }
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

static int customers_get(req *r)
{
    db_conn *c = req_db(r);
    int64_t id;
    char code[16];
    int rc = cust_find(r, &id, code);
    if (rc != 0)
        return rc > 0 ? 0 : reply_db_failure(r, rc, "customers get");
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
