/* warranty: warranty registration (M3) by customers on the portal and by staff, with an
 * immediate answer, the registrant matched to or created as a customer (M1) and a
 * confirmation queued in the outbox. */
#include "base/audit.h"
#include "base/jsonv.h"
#include "features/customers/customers.h"
#include "features/warranty/internal.h"
#include "rules/warranty.h"

#include <stdlib.h>
#include <string.h>

struct registration {
    const char *customer_code; /* staff: an existing customer instead of name/phone/email */
    const char *name, *phone, *email, *model, *purchase_date, *dealer;
    char serial[WARRANTY_SERIAL_MAX + 1];
};

/* The answer of a registration: a JSON body or an error. */
struct reg_answer {
    int status;
    const char *code, *message, *field, *reason;
    json_t *body;
};

static void reg_refuse(struct reg_answer *a, const char *code, const char *field,
                       const char *reason, const char *message)
{
    a->status = 422;
    a->code = code;
    a->field = field;
    a->reason = reason;
    a->message = message;
}

/* The model registered (code upper-cased into model_code): its id, warranty months and
 * launch date. 0, 1 (refused: unknown model, in *a) or a negative db code. */
static int find_model(db_conn *c, const char *model, char model_code[48], int64_t *model_id,
                      int64_t *months, char launched[11], struct reg_answer *a)
{
    size_t ml = strlen(model);
    if (ml >= 48)
        ml = 47;
    for (size_t i = 0; i < ml; i++)
        model_code[i] = (model[i] >= 'a' && model[i] <= 'z') ? (char)(model[i] - 32) : model[i];
    model_code[ml] = 0;
    db_stmt *st = db_prepare(c, "SELECT id, warranty_months, launched_on FROM models WHERE code = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, model_code);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        *model_id = db_int(st, 0);
        *months = db_int(st, 1);
        if (!db_isnull(st, 2))
            snprintf(launched, 11, "%s", db_text(st, 2));
    }
    db_done(st);
    if (rc < 0)
        return rc;
    if (rc == DB_DONE) {
        reg_refuse(a, "unknown_model", "model", "unknown model", "no model with this code");
        return 1;
    }
    return 0;
}

/* The purchase date checked against today and the launch, and the warranty end into
 * until. 0, or 1 when refused (in *a). */
static int check_purchase(db_conn *c, const char *purchase_date, const char *launched,
                          int64_t months, char until[11], struct reg_answer *a)
{
    char today[11];
    dt_local_date(org_zone(c), now_unix(), today);
    int verdict = warranty_check_purchase(purchase_date, today, launched);
    if (verdict != WARRANTY_DATE_OK) {
        reg_refuse(a, "invalid_purchase_date", "purchase_date", warranty_purchase_reason(verdict),
                   warranty_purchase_reason(verdict));
        return 1;
    }
    if (warranty_until(purchase_date, (int)months, until) < 0) {
        reg_refuse(a, "invalid_purchase_date", "purchase_date", "cannot compute the warranty end",
                   "cannot compute the warranty end");
        return 1;
    }
    return 0;
}

/* Who registers: the named customer (staff), or the registrant matched or created. 0, 1
 * (refused, in *a) or a negative db code. */
static int find_registrant(db_conn *c, const char *actor, const struct registration *g,
                           int64_t *cust, char ccode[16], struct reg_answer *a)
{
    if (g->customer_code) {
        int k = customers_resolve(c, g->customer_code, cust, ccode);
        if (k == -1) {
            reg_refuse(a, "validation_failed", "customer", "unknown customer", "unknown customer");
            return 1;
        }
        return k < 0 ? k : 0;
    }
    int k = customers_match_or_create(c, actor, g->name, g->phone, g->email, NULL, cust, ccode);
    if (k > 0) {
        reg_refuse(a, "validation_failed", customers_invalid_field(k), customers_invalid_reason(k),
                   customers_invalid_reason(k));
        return 1;
    }
    return k < 0 ? k : 0;
}

/* Queue the confirmation, sent later by the outbox worker: SMS to the first phone, else
 * email; nothing when the customer has neither. 0 or a negative db code. */
static int queue_confirmation(db_conn *c, int64_t cust, json_t *detail, int64_t now)
{
    db_stmt *st = db_prepare(c, "SELECT 'sms', phone FROM customer_phones WHERE customer_id = ?"
                                " UNION ALL SELECT 'email', email FROM customer_emails WHERE customer_id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, cust);
    db_bind_int(st, 2, cust);
    char ch[8] = "", to[256] = "";
    if (db_step(st) == DB_ROW) {
        snprintf(ch, sizeof ch, "%s", db_text(st, 0));
        snprintf(to, sizeof to, "%s", db_text(st, 1));
    }
    db_done(st);
    if (!*to)
        return 0;
    char *payload = json_dumps(detail, JSON_COMPACT);
    int rc = (int)db_exec(c,
                          "INSERT INTO outbox (channel, recipient, template, payload,"
                          " customer_id, created_at) VALUES (?, ?, 'warranty_registered', ?, ?, ?)",
                          "tttii", ch, to, payload, cust, now);
    free(payload);
    return rc < 0 ? rc : 0;
}

/* Register inside the open transaction. Returns 0 (answer in *a: commit when status <
 * 300), or a negative db code. */
static int register_tx(db_conn *c, const char *actor, const char *via, int staff,
                       const struct registration *g, struct reg_answer *a)
{
    char model_code[48], launched[11] = "", until[11], ccode[16] = "";
    int64_t model_id = 0, months = 0, cust = 0;
    int rc = find_model(c, g->model, model_code, &model_id, &months, launched, a);
    if (rc == 0 && (rc = check_purchase(c, g->purchase_date, launched, months, until, a)) == 0)
        rc = find_registrant(c, actor, g, &cust, ccode, a);
    if (rc != 0)
        return rc < 0 ? rc : 0;
    /* The unit: new, known without an owner, or already someone's. */
    db_stmt *st = db_prepare(c, "SELECT id, customer_id, warranty_until FROM units WHERE serial = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, g->serial);
    rc = db_step(st);
    int64_t unit_id = 0, owner = 0;
    int registered = 0;
    if (rc == DB_ROW) {
        unit_id = db_int(st, 0);
        owner = db_isnull(st, 1) ? 0 : db_int(st, 1);
        registered = !db_isnull(st, 2);
    }
    db_done(st);
    if (rc < 0)
        return rc;
    int64_t now = now_unix();
    if (unit_id && owner && owner != cust) {
        reg_refuse(a, "serial_taken", "serial", "already registered to someone else",
                   "this serial number is already registered to someone else");
        return 0;
    }
    if (unit_id && owner == cust && registered) {
        /* The same person again: the existing registration stands. */
        rc = wty_unit_json(c, g->serial, staff, &a->body);
        a->status = 200;
        return rc < 0 ? rc : 0;
    }
    if (unit_id) {
        rc = (int)db_exec(c,
                          "UPDATE units SET model_id = ?, customer_id = ?, purchase_date = ?, dealer = ?,"
                          " warranty_until = ?, registered_at = ?, registered_via = ?,"
                          " version = version + 1, updated_at = ? WHERE id = ?",
                          "iitttitii", model_id, cust, g->purchase_date, g->dealer, until, now, via,
                          now, unit_id);
    } else {
        rc = (int)db_exec(c,
                          "INSERT INTO units (serial, model_id, customer_id, purchase_date, dealer,"
                          " warranty_until, registered_at, registered_via, created_at, updated_at)"
                          " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                          "tiitttitii", g->serial, model_id, cust, g->purchase_date, g->dealer,
                          until, now, via, now, now);
    }
    if (rc == DB_EUNIQUE) {
        reg_refuse(a, "serial_taken", "serial", "already registered to someone else",
                   "this serial number is already registered to someone else");
        return 0;
    }
    if (rc < 0)
        return rc;
    json_t *detail = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s}", "serial", g->serial, "model",
                               model_code, "customer", ccode, "purchase_date", g->purchase_date,
                               "dealer", g->dealer, "warranty_until", until);
    rc = audit_write(c, actor, "register", "unit", g->serial, detail);
    if (rc >= 0)
        rc = queue_confirmation(c, cust, detail, now);
    json_decref(detail);
    if (rc < 0)
        return rc;
    rc = wty_unit_json(c, g->serial, staff, &a->body);
    if (rc != 0)
        return rc < 0 ? rc : DB_ERROR;
    a->status = 201;
    return 0;
}

/* One registration attempt for in_tx: commits an answer under 300, rolls back a refusal
 * (returns 1). */
struct reg_job {
    const char *actor, *via;
    int staff;
    const struct registration *g;
    struct reg_answer a;
};

static int register_job(db_conn *c, void *arg)
{
    struct reg_job *j = arg;
    json_decref(j->a.body);
    memset(&j->a, 0, sizeof j->a);
    int rc = register_tx(c, j->actor, j->via, j->staff, j->g, &j->a);
    return rc < 0 ? rc : j->a.status >= 300 ? 1 : 0;
}

static int registration_handler(req *r, int staff)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    static const char *const pub_fields[] = {"name",          "phone",  "email", "model", "serial",
                                             "purchase_date", "dealer", NULL};
    static const char *const staff_fields[] = {"customer", "name",          "phone",  "email",
                                               "model",    "serial",        "purchase_date",
                                               "dealer",   NULL};
    jsonv v;
    jsonv_init(&v, body);
    jsonv_only(&v, staff ? staff_fields : pub_fields);
    struct registration g = {0};
    g.customer_code = staff ? jsonv_str(&v, "customer", 0, 16) : NULL;
    g.name = jsonv_str(&v, "name", !g.customer_code, 100);
    g.phone = jsonv_str(&v, "phone", 0, 40);
    g.email = jsonv_str(&v, "email", 0, 254);
    g.model = jsonv_str(&v, "model", 1, 40);
    const char *serial = jsonv_str(&v, "serial", 1, 64);
    g.purchase_date = jsonv_str(&v, "purchase_date", 1, 10);
    g.dealer = jsonv_str(&v, "dealer", 0, 200);
    if (g.phone && !*g.phone)
        g.phone = NULL;
    if (g.email && !*g.email)
        g.email = NULL;
    if (g.dealer && !*g.dealer)
        g.dealer = NULL;
    if (!g.customer_code && !g.phone && !g.email && jsonv_ok(&v))
        jsonv_fail(&v, "phone", "a phone or an email is required");
    int rc = 0;
    struct reg_answer a = {0};
    if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed", "the registration is incomplete", jsonv_take(&v));
        goto cleanup;
    }
    if (warranty_serial_normalize(serial, g.serial) < 0) {
        rc = reply_error(r, 422, "invalid_serial",
                         "a serial number is 4 to 32 letters, digits or dashes",
                         json_pack("{s:s}", "serial", "4 to 32 letters, digits or dashes"));
        goto cleanup;
    }
    struct reg_job job = {staff ? audit_actor(r) : "portal", staff ? "staff" : "portal", staff, &g,
                          {0}};
    int t = in_tx(req_db(r), register_job, &job);
    a = job.a;
    if (t < 0) {
        json_decref(a.body);
        rc = reply_db_failure(r, t, "warranty registration");
        goto cleanup;
    }
    if (a.status >= 300) {
        rc = reply_error(r, a.status, a.code, a.message,
                         a.field && *a.field ? json_pack("{s:s}", a.field, a.reason) : NULL);
    } else {
        rc = reply_json(r, a.status, a.body);
    }
cleanup:
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

int wty_registrations_public(req *r)
{
    return registration_handler(r, 0);
}

int wty_registrations_staff(req *r)
{
    return registration_handler(r, 1);
}
