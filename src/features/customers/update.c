/* customers: PATCH /api/v1/customers/{code}: the fields sent replace the stored ones under
 * the version read, duplicates of a new phone or email are refused unless forced, and the
 * names of the fields changed are audited. */
#include "features/customers/internal.h"

#include "base/audit.h"
#include "features/common/common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An update being made: what was sent, then the whole new state. */
struct update {
    jsonv *v;
    struct cust_in sent; /* the fields sent */
    struct cust_in in;   /* the same completed with the stored ones */
    unsigned have;     /* HAVE_* of the fields sent */
    int force;
    long long version; /* the version the client read */
    int64_t id;
    char code[16];
    json_t *changed; /* names of the fields whose value changes */
};

/* The body: the customer fields (all optional), force, and the required version. */
static void read_body(jsonv *v, struct update *u)
{
    static const char *const allowed[] = {"name",   "phone",   "email", "phones",  "emails",
                                          "region", "address", "force", "version", "lang", NULL};
    jsonv_only(v, allowed);
    u->have = cust_body_fields(v, &u->sent, 0);
    jsonv_bool(v, "force", 0, &u->force);
    jsonv_int(v, "version", 1, &u->version);
}

/* The stored name, name key, region and address of a customer, and its version. 0 or a
 * db error. */
static int load_current(db_conn *c, int64_t id, struct cust_in *cur, int64_t *version)
{
    db_stmt *st = db_prepare(c, "SELECT name, name_key, region, address, version, lang"
                                " FROM customers WHERE id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, id);
    int rc = db_step(st);
    if (rc != DB_ROW) {
        db_done(st);
        return rc < 0 ? rc : DB_ERROR;
    }
    memset(cur, 0, sizeof *cur);
    snprintf(cur->name, sizeof cur->name, "%s", db_text(st, 0));
    snprintf(cur->name_key, sizeof cur->name_key, "%s", db_text(st, 1));
    snprintf(cur->region, sizeof cur->region, "%s", db_text(st, 2) ? db_text(st, 2) : "");
    snprintf(cur->address, sizeof cur->address, "%s", db_text(st, 3) ? db_text(st, 3) : "");
    *version = db_int(st, 4);
    snprintf(cur->lang, sizeof cur->lang, "%s", db_text(st, 5));
    db_done(st);
    return 0;
}

/* Name, region and address: those not sent keep their stored value; those sent with a
 * new value are noted as changed. */
static void merge_fields(struct update *u, const struct cust_in *cur)
{
    struct cust_in *in = &u->in;
    if (!(u->have & HAVE_NAME)) {
        strcpy(in->name, cur->name);
        strcpy(in->name_key, cur->name_key);
    } else if (strcmp(in->name, cur->name) != 0) {
        json_array_append_new(u->changed, json_string("name"));
    }
    if (!(u->have & HAVE_REGION))
        strcpy(in->region, cur->region);
    else if (strcmp(in->region, cur->region) != 0)
        json_array_append_new(u->changed, json_string("region"));
    if (!(u->have & HAVE_ADDRESS))
        strcpy(in->address, cur->address);
    else if (strcmp(in->address, cur->address) != 0)
        json_array_append_new(u->changed, json_string("address"));
    if (!(u->have & HAVE_LANG))
        strcpy(in->lang, cur->lang);
    else if (strcmp(in->lang, cur->lang) != 0)
        json_array_append_new(u->changed, json_string("lang"));
}

/* 1 when the phones sent differ from the stored ones ([{number, kind}], in order). */
static int phones_differ(const struct cust_in *in, json_t *stored)
{
    if ((size_t)in->nphones != json_array_size(stored))
        return 1;
    size_t k;
    json_t *x;
    json_array_foreach(stored, k, x)
        if (strcmp(in->phones[k], json_string_value(json_object_get(x, "number"))) != 0)
            return 1;
    return 0;
}

/* 1 when the emails sent differ from the stored ones (in order). */
static int emails_differ(const struct cust_in *in, json_t *stored)
{
    if ((size_t)in->nemails != json_array_size(stored))
        return 1;
    size_t k;
    json_t *x;
    json_array_foreach(stored, k, x)
        if (strcmp(in->emails[k], json_string_value(x)) != 0)
            return 1;
    return 0;
}

/* Phones and emails: a list sent replaces the stored one as a whole (noted when it
 * differs); a list not sent is kept. 0 or a db error. */
static int merge_identities(db_conn *c, struct update *u)
{
    json_t *ph = json_array(), *em = json_array();
    int rc = cust_load_identities(c, u->id, ph, em);
    if (rc == 0) {
        size_t k;
        json_t *x;
        if (!(u->have & HAVE_PHONES)) {
            json_array_foreach(ph, k, x)
                cust_v_phone_add(&u->in, json_string_value(json_object_get(x, "number")));
        } else if (phones_differ(&u->in, ph)) {
            json_array_append_new(u->changed, json_string("phones"));
        }
        if (!(u->have & HAVE_EMAILS)) {
            json_array_foreach(em, k, x)
                cust_v_email_add(&u->in, json_string_value(x));
        } else if (emails_differ(&u->in, em)) {
            json_array_append_new(u->changed, json_string("emails"));
        }
    }
    json_decref(ph);
    json_decref(em);
    return rc;
}

/* Replace a customer's phones (phones 1) or emails (0) by those of in. 0 or a db error. */
static int replace_identities(db_conn *c, int64_t id, const struct cust_in *in, int phones,
                              int64_t now)
{
    int64_t d = db_exec(c,
                        phones ? "DELETE FROM customer_phones WHERE customer_id = ?"
                               : "DELETE FROM customer_emails WHERE customer_id = ?",
                        "i", id);
    if (d < 0)
        return (int)d;
    int n = phones ? in->nphones : in->nemails;
    for (int i = 0; i < n; i++) {
        int rc = phones ? cust_insert_phone(c, id, in->phones[i], in->kinds[i], now)
                        : cust_insert_email(c, id, in->emails[i], now);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* Store the new state (bumping the version) and audit the fields changed. 0 or a db
 * error. */
static int write_update(db_conn *c, const char *actor, const struct update *u)
{
    const struct cust_in *in = &u->in;
    int64_t now = now_unix();
    int64_t n = db_exec(c,
                        "UPDATE customers SET name = ?, name_key = ?, region = ?, address = ?,"
                        " lang = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
                        "tttttiii", in->name, in->name_key, in->region[0] ? in->region : NULL,
                        in->address[0] ? in->address : NULL, in->lang[0] ? in->lang : "zh-CN", now,
                        u->id, (int64_t)u->version);
    if (n != 1)
        return n < 0 ? (int)n : DB_ERROR;
    int rc;
    if ((u->have & HAVE_PHONES) && (rc = replace_identities(c, u->id, in, 1, now)) < 0)
        return rc;
    if ((u->have & HAVE_EMAILS) && (rc = replace_identities(c, u->id, in, 0, now)) < 0)
        return rc;
    json_t *d = json_pack("{s:O, s:b}", "fields", u->changed, "forced", u->force);
    rc = audit_write(c, actor, "update", "customer", u->code, d);
    json_decref(d);
    return rc < 0 ? rc : 0;
}

/* 409 stale_version with the version stored. */
static int reply_stale(req *r, int64_t current)
{
    json_t *e = json_pack("{s:s, s:s, s:I}", "code", "stale_version", "message",
                          "the customer was changed by someone else; reload it",
                          "current_version", (json_int_t)current);
    return reply_json(r, 409, json_pack("{s:o}", "error", e));
}

/* Everything inside the transaction (cust_write): find the customer, check the version,
 * complete the new state, refuse an update without contact or (unless forced) one whose new
 * phone or email is another customer's, and write. */
static int apply_update(req *r, void *arg)
{
    struct update *u = arg;
    db_conn *c = req_db(r);
    u->in = u->sent;
    json_array_clear(u->changed);
    int rc = cust_find(r, &u->id, u->code);
    struct cust_in cur;
    int64_t cur_version;
    if (rc != 0 || (rc = load_current(c, u->id, &cur, &cur_version)) < 0)
        return rc;
    if (cur_version != u->version) {
        reply_stale(r, cur_version);
        return CUST_ANSWERED;
    }
    merge_fields(u, &cur);
    if ((rc = merge_identities(c, u)) < 0)
        return rc;
    if (u->in.nphones + u->in.nemails == 0) {
        jsonv_fail(u->v, "phone", "required");
        jsonv_fail(u->v, "email", "required");
        cust_reply_validation(r, u->v);
        return CUST_ANSWERED;
    }
    if (!u->force && (u->have & (HAVE_PHONES | HAVE_EMAILS))) {
        if ((rc = cust_lock_identities(c, &u->in)) < 0 ||
            (rc = cust_refuse_duplicate(r, &u->in, u->id)) != 0)
            return rc;
    }
    return json_array_size(u->changed) > 0 ? write_update(c, audit_actor(r), u) : 0;
}

int customers_update(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv v = {0};
    jsonv_init(&v, body);
    struct update *u = calloc(1, sizeof *u);
    if (!u) {
        jsonv_free(&v);
        json_decref(body);
        return -1;
    }
    u->v = &v;
    read_body(&v, u);
    int rc;
    if (!jsonv_ok(&v)) {
        rc = cust_reply_validation(r, &v);
    } else {
        u->changed = json_array();
        rc = cust_write(r, "customers update", apply_update, u);
        if (rc == 0)
            rc = cust_reply_customer(r, 200, u->id);
        else if (rc == CUST_ANSWERED)
            rc = 0;
    }
    json_decref(u->changed);
    free(u);
    jsonv_free(&v);
    json_decref(body);
    return rc;
}
