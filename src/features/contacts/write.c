/* write: POST /api/v1/contacts (a letter, fax, walk-in or any contact logged by hand) and
 * PATCH /api/v1/contacts/:code (the wrap-up after a call: reason, outcome, links, notes;
 * by version). */
#include "features/contacts/internal.h"

#include "base/audit.h"
#include "base/jsonv.h"
#include "features/customers/customers.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

struct links {
    int64_t customer, repair, complaint, hotline;
};

/* Resolve the codes of the body's links into ids; a bad one is a field error. */
static int read_links(db_conn *c, jsonv *v, struct links *l)
{
    const char *cu = jsonv_str(v, "customer", 0, 32), *rp = jsonv_str(v, "repair", 0, 32);
    const char *cp = jsonv_str(v, "complaint", 0, 32), *hl = jsonv_str(v, "hotline", 0, 32);
    int rc;
    if (cu && *cu && (rc = customers_resolve(c, cu, &l->customer, NULL)) != 0) {
        if (rc < -1)
            return rc;
        jsonv_fail(v, "customer", "no such customer");
    }
    static const char *const sql[] = {"SELECT id FROM repairs WHERE code = ?",
                                      "SELECT id FROM complaints WHERE code = ?",
                                      "SELECT id FROM hotlines WHERE code = ?"};
    const char *codes[] = {rp, cp, hl}, *names[] = {"repair", "complaint", "hotline"};
    int64_t *ids[] = {&l->repair, &l->complaint, &l->hotline};
    for (int i = 0; i < 3; i++) {
        if (!codes[i] || !*codes[i])
            continue;
        if ((rc = lookup_id(c, sql[i], codes[i], ids[i])) < 0)
            return rc;
        if (rc == 1)
            jsonv_fail(v, names[i], "no such record");
    }
    return 0;
}

struct create_arg {
    struct contact_new n;
    int64_t id, outlet; /* outlet: the logging outlet staff's outlet, or 0 */
    char code[32];
};

static int create_tx(db_conn *c, void *arg)
{
    struct create_arg *a = arg;
    int rc = contacts_log(c, &a->n, &a->id, a->code, sizeof a->code);
    if (rc == 0 && a->outlet) {
        int64_t e = db_exec(c, "UPDATE contacts SET outlet_id = ? WHERE id = ?", "ii", a->outlet, a->id);
        rc = e < 0 ? (int)e : 0;
    }
    return rc;
}

/* Outlet staff link only what they may see: their outlet's repairs and complaints (another
 * outlet's is "no such record", as a missing one). 0 or a db code. */
static int confine_links(req *r, jsonv *v, const struct links *l)
{
    static const char *const sql[] = {"SELECT COALESCE(outlet_id, 0) FROM repairs WHERE id = ?",
                                      "SELECT COALESCE(outlet_id, 0) FROM complaints WHERE id = ?"};
    const int64_t ids[] = {l->repair, l->complaint};
    const char *names[] = {"repair", "complaint"};
    for (int i = 0; i < 2; i++) {
        if (!ids[i])
            continue;
        db_stmt *st = db_prepare(req_db(r), sql[i]);
        if (!st)
            return DB_ERROR;
        db_bind_int(st, 1, ids[i]);
        int rc = db_step(st);
        int64_t o = rc == DB_ROW ? db_int(st, 0) : 0;
        db_done(st);
        if (rc < 0)
            return rc;
        if (!scope_sees(r, o))
            jsonv_fail(v, names[i], "no such record");
    }
    return 0;
}

int ct_create(req *r)
{
    json_t *b;
    if (req_json(r, &b) < 0)
        return 0;
    static const char *const allowed[] = {"channel", "direction", "reason", "outcome", "customer",
                                          "address", "repair", "complaint", "hotline", "order_id",
                                          "started_at", "duration_s", "subject", "body", NULL};
    if (scope_outlet(r) < 0) { /* outlet staff of no outlet log nothing */
        json_decref(b);
        return reply_error(r, 403, "forbidden", "outlet staff without an outlet", NULL);
    }
    db_conn *c = req_db(r);
    jsonv v;
    jsonv_init(&v, b);
    jsonv_only(&v, allowed);
    struct create_arg a = {0};
    struct contact_new *n = &a.n;
    n->channel = jsonv_enum(&v, "channel", 1, ct_channels);
    n->direction = jsonv_enum(&v, "direction", 0, ct_directions);
    if (!n->direction)
        n->direction = "in";
    n->reason = jsonv_enum(&v, "reason", 0, ct_reasons);
    n->outcome = jsonv_enum(&v, "outcome", 0, ct_outcomes);
    n->address = jsonv_str(&v, "address", 0, 300);
    n->subject = jsonv_str(&v, "subject", 0, 300);
    n->body = jsonv_str(&v, "body", 0, 20000);
    long long dur = 0, order = 0;
    jsonv_int_range(&v, "duration_s", 0, 0, 86400, &dur);
    jsonv_int_range(&v, "order_id", 0, 1, LLONG_MAX, &order);
    jsonv_time(&v, "started_at", 0, &n->started_at);
    struct links l = {0};
    int rc = read_links(c, &v, &l);
    a.outlet = scope_outlet(r) > 0 ? scope_outlet(r) : 0;
    if (rc >= 0 && a.outlet)
        rc = confine_links(r, &v, &l);
    if (rc < 0) {
        jsonv_free(&v);
        json_decref(b);
        return reply_db_failure(r, rc, "contact");
    }
    if (jsonv_ok(&v) && !l.customer && !(n->address && *n->address))
        jsonv_fail(&v, "customer", "name the customer, or give the address or number it came from");
    if (n->started_at > now_unix() + 300)
        jsonv_fail(&v, "started_at", "must not be in the future");
    if (!jsonv_ok(&v)) {
        json_decref(b);
        return reply_error(r, 422, "validation_failed", "the contact is not valid", jsonv_take(&v));
    }
    n->duration_s = dur;
    n->order_id = order;
    n->customer_id = l.customer;
    n->repair_id = l.repair;
    n->complaint_id = l.complaint;
    n->hotline_id = l.hotline;
    n->handled_by = r->who.user_id;
    n->actor = audit_actor(r);
    rc = in_tx(c, create_tx, &a);
    jsonv_free(&v);
    json_decref(b);
    if (rc != 0)
        return rc > 0 ? reply_error(r, 422, "validation_failed", "the contact is not valid", NULL)
                      : reply_db_failure(r, rc, "contact");
    json_t *j = NULL;
    if ((rc = ct_contact_json(NULL, c, a.code, 0, &j)) != 0)
        return reply_db_failure(r, rc < 0 ? rc : DB_ERROR, "contact");
    return reply_json(r, 201, j);
}

/* ---------------------------------------------------------------- wrap-up */

struct update_arg {
    const char *code, *reason, *outcome, *subject, *body, *actor;
    struct links l;
    int64_t version;
    int has_reason, has_outcome, has_subject, has_body;
    int64_t user;
    int found;
};

static int update_tx(db_conn *c, void *arg)
{
    struct update_arg *a = arg;
    db_stmt *st = db_prepare(
        c, "UPDATE contacts SET reason = CASE WHEN ? = 1 THEN CAST(? AS TEXT) ELSE reason END,"
           " outcome = CASE WHEN ? = 1 THEN CAST(? AS TEXT) ELSE outcome END,"
           " subject = CASE WHEN ? = 1 THEN CAST(? AS TEXT) ELSE subject END,"
           " body = CASE WHEN ? = 1 THEN CAST(? AS TEXT) ELSE body END,"
           " customer_id = COALESCE(CAST(? AS BIGINT), customer_id),"
           " repair_id = COALESCE(CAST(? AS BIGINT), repair_id),"
           " complaint_id = COALESCE(CAST(? AS BIGINT), complaint_id),"
           " handled_by = COALESCE(handled_by, CAST(? AS BIGINT)),"
           " version = version + 1, updated_at = ? WHERE code = ? AND version = ?"
           " RETURNING id, customer_id, address");
    if (!st)
        return DB_ERROR;
    const char *vals[4] = {a->reason, a->outcome, a->subject, a->body};
    int has[4] = {a->has_reason, a->has_outcome, a->has_subject, a->has_body};
    int p = 1;
    for (int i = 0; i < 4; i++) {
        db_bind_int(st, p++, has[i]);
        if (vals[i] && *vals[i])
            db_bind_text(st, p++, vals[i]);
        else
            db_bind_null(st, p++);
    }
    int64_t ids[4] = {a->l.customer, a->l.repair, a->l.complaint, a->user};
    for (int i = 0; i < 4; i++) {
        if (ids[i])
            db_bind_int(st, p++, ids[i]);
        else
            db_bind_null(st, p++);
    }
    db_bind_int(st, p++, now_unix());
    db_bind_text(st, p++, a->code);
    db_bind_int(st, p, a->version);
    int rc = db_step(st);
    int64_t id = 0, cust = 0;
    char number[64] = "";
    if (rc == DB_ROW) {
        id = db_int(st, 0);
        cust = db_isnull(st, 1) ? 0 : db_int(st, 1);
        snprintf(number, sizeof number, "%s", db_isnull(st, 2) ? "" : db_text(st, 2));
    }
    db_done(st);
    if (rc < 0)
        return rc;
    a->found = rc == DB_ROW;
    if (!a->found)
        return 0;
    /* "call back" puts the caller on the call-back list once */
    if (a->outcome && strcmp(a->outcome, "call_back") == 0 && *number) {
        int64_t open = 0;
        char key[24];
        snprintf(key, sizeof key, "%lld", (long long)id);
        if ((rc = lookup_id(c, "SELECT id FROM callbacks WHERE contact_id = CAST(? AS BIGINT) AND status = 'open'",
                            key, &open)) < 0)
            return rc;
        if (rc == 1 && (rc = ct_callback_add(c, id, cust, number, "requested")) < 0)
            return rc;
    }
    return audit_write(c, a->actor, "update", "contact", a->code, NULL);
}

int ct_update(req *r)
{
    db_conn *c = req_db(r);
    const char *code = req_param(r, "code");
    json_t *cur = NULL;
    int rc = ct_contact_json(r, c, code, 0, &cur);
    if (rc == 1)
        return reply_not_found(r, "contact");
    if (rc < 0)
        return reply_db_failure(r, rc, "contact");
    json_decref(cur);
    json_t *b;
    if (req_json(r, &b) < 0)
        return 0;
    static const char *const allowed[] = {"version", "reason", "outcome", "customer", "repair",
                                          "complaint", "subject", "body", NULL};
    jsonv v;
    jsonv_init(&v, b);
    jsonv_only(&v, allowed);
    struct update_arg a = {.code = code, .actor = audit_actor(r), .user = r->who.user_id};
    long long ver = 0;
    jsonv_int_range(&v, "version", 1, 1, LLONG_MAX, &ver);
    a.version = ver;
    a.has_reason = json_object_get(b, "reason") != NULL;
    a.has_outcome = json_object_get(b, "outcome") != NULL;
    a.has_subject = json_object_get(b, "subject") != NULL;
    a.has_body = json_object_get(b, "body") != NULL;
    a.reason = jsonv_enum(&v, "reason", 0, ct_reasons);
    a.outcome = jsonv_enum(&v, "outcome", 0, ct_outcomes);
    a.subject = jsonv_str(&v, "subject", 0, 300);
    a.body = jsonv_str(&v, "body", 0, 20000);
    if ((rc = read_links(c, &v, &a.l)) < 0) {
        jsonv_free(&v);
        json_decref(b);
        return reply_db_failure(r, rc, "contact");
    }
    if (!jsonv_ok(&v)) {
        json_decref(b);
        return reply_error(r, 422, "validation_failed", "the wrap-up is not valid", jsonv_take(&v));
    }
    rc = in_tx(c, update_tx, &a);
    jsonv_free(&v);
    json_decref(b);
    if (rc < 0)
        return reply_db_failure(r, rc, "contact");
    if (!a.found)
        return reply_error(r, 409, "stale_version", "the contact was changed by someone else; reload it", NULL);
    json_t *j = NULL;
    if ((rc = ct_contact_json(NULL, c, code, 0, &j)) != 0)
        return reply_db_failure(r, rc < 0 ? rc : DB_ERROR, "contact");
    return reply_json(r, 200, j);
}
