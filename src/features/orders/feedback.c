/* orders: the feedback store (M14, M11 voice of the customer): feedback posted from the
 * portal, a kiosk or a counter, categorised, routed to its outlet and kept under the
 * customer its contact matches (else anonymous). The staff side is voc.c. */
#include <string.h>

#include "base/arena.h"
#include "base/jsonv.h"
#include "features/orders/internal.h"
#include "rules/identity.h"

const char *const ord_fb_channels[] = {"portal", "kiosk", "counter", NULL};
const char *const ord_fb_categories[] = {"praise", "suggestion", "complaint", "product",
                                         "service", "other", NULL};

/* The live customer whose phone or email is contact (normalised); 0 when none. */
static int match_contact(db_conn *c, const char *contact, int64_t *cust)
{
    char phone[IDENTITY_PHONE_MAX], email[IDENTITY_EMAIL_MAX];
    const char *sql = NULL, *key = NULL;
    *cust = 0;
    if (identity_phone(contact, phone, NULL) == 0)
        sql = "SELECT MIN(cu.id) FROM customer_phones p JOIN customers cu ON cu.id = p.customer_id"
              " WHERE p.phone = ? AND cu.merged_into IS NULL AND cu.erased_at IS NULL",
        key = phone;
    else if (identity_email(contact, email) == 0)
        sql = "SELECT MIN(cu.id) FROM customer_emails e JOIN customers cu ON cu.id = e.customer_id"
              " WHERE e.email = ? AND cu.merged_into IS NULL AND cu.erased_at IS NULL",
        key = email;
    if (!sql)
        return 0;
    db_stmt *st = db_prepare(c, sql);
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, key);
    int rc = db_step(st);
    if (rc == DB_ROW && !db_isnull(st, 0))
        *cust = db_int(st, 0);
    db_done(st);
    return rc < 0 ? rc : 0;
}

int ord_fb_store(db_conn *c, void *arg)
{
    struct fb_job *j = arg;
    int64_t cust = j->customer_id, outlet = 0;
    int rc = j->contact && !cust ? match_contact(c, j->contact, &cust) : 0;
    if (rc == 0 && j->outlet)
        rc = lookup_id(c, "SELECT id FROM outlets WHERE code = ?", j->outlet, &outlet);
    if (rc == 1)
        return 1; /* the outlet vanished since it was checked */
    if (rc < 0 || (rc = code_next(c, "feedback", "F", 8, j->code, sizeof j->code)) < 0)
        return rc;
    db_stmt *st = db_prepare(c, "INSERT INTO feedback (code, channel, category, text, contact,"
                                " customer_id, outlet_id, received_at, taken_by)"
                                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, j->code);
    db_bind_text(st, 2, j->channel);
    db_bind_text(st, 3, j->category);
    db_bind_text(st, 4, j->text);
    db_bind_text(st, 5, j->contact);
    if (cust)
        db_bind_int(st, 6, cust);
    else
        db_bind_null(st, 6);
    if (outlet)
        db_bind_int(st, 7, outlet);
    else
        db_bind_null(st, 7);
    db_bind_int(st, 8, now_unix());
    db_bind_text(st, 9, j->taken_by);
    rc = db_step(st);
    db_done(st);
    return rc == DB_DONE ? 0 : rc < 0 ? rc : DB_ERROR;
}

void ord_fb_read(jsonv *v, struct fb_job *j)
{
    j->category = jsonv_enum(v, "category", 1, ord_fb_categories);
    j->text = jsonv_str(v, "text", 1, 2000);
    j->contact = jsonv_str(v, "contact", 0, 254);
    j->outlet = jsonv_str(v, "outlet", 0, 40);
    if (j->text && !*j->text)
        jsonv_fail(v, "text", "the feedback is empty");
    if (j->contact && !*j->contact)
        j->contact = NULL;
    if (j->outlet && !*j->outlet)
        j->outlet = NULL;
}

int ord_fb_finish(req *r, jsonv *v, json_t *body, struct fb_job *j, int rc)
{
    if (rc >= 0 && jsonv_ok(v) && j->outlet) {
        int64_t id;
        rc = lookup_id(req_db(r), "SELECT id FROM outlets WHERE code = ?", j->outlet, &id);
        if (rc == 1)
            jsonv_fail(v, "outlet", "the code of an outlet");
    }
    if (rc < 0)
        rc = reply_db_failure(r, rc, "feedback");
    else if (!jsonv_ok(v))
        rc = reply_error(r, 422, "validation_failed", "the feedback is incomplete or wrong",
                         jsonv_take(v));
    else if ((rc = in_tx(req_db(r), ord_fb_store, j)) != 0)
        rc = rc < 0 ? reply_db_failure(r, rc, "feedback") : reply_bad_param(r, "outlet", "the code of an outlet");
    else
        rc = reply_json(r, 201, json_pack("{s:s}", "code", j->code));
    jsonv_free(v);
    json_decref(body);
    return rc;
}

int ord_feedback_post(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    static const char *const fields[] = {"channel", "category", "text", "contact", "outlet", NULL};
    jsonv v;
    jsonv_init(&v, body);
    jsonv_only(&v, fields);
    struct fb_job j = {0};
    j.channel = jsonv_enum(&v, "channel", 1, ord_fb_channels);
    ord_fb_read(&v, &j);
    return ord_fb_finish(r, &v, body, &j, 0);
}
