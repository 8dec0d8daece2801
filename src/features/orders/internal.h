/* orders: what the files of the orders folder share (not used outside it): the order
 * as loaded, lines given, the answer of a write, and the store functions. */
#ifndef FEATURES_ORDERS_INTERNAL_H
#define FEATURES_ORDERS_INTERNAL_H
#include <jansson.h>
#include <stdint.h>

#include "base/jsonv.h"
#include "features/common/common.h"
#include "features/orders/orders.h"
#include "rules/order_state.h"

#define ORD_MAX_LINES 20

struct ord_line_in {
    const char *part;
    int64_t qty;
};

/* An order as the write paths need it. */
struct ord_row {
    int64_t id, customer_id, outlet_id, warehouse_id, version;
    enum order_status status;
    char code[24], phone[48];
};

/* The answer of a write: status and a body, or an error (code, message, field). */
struct ord_answer {
    int status;
    const char *code, *message, *field, *reason;
    json_t *body;
};
void ord_refuse(struct ord_answer *a, int status, const char *code, const char *field,
                const char *message);
/* Send a (the body, or the error), freeing its body. */
int ord_reply(req *r, struct ord_answer *a);

/* Answer 422 validation_failed with v's reasons, freeing v and body. */
int ord_invalid(req *r, jsonv *v, json_t *body);
/* Read body field "lines" ([{"part","qty"}], 1..ORD_MAX_LINES, qty 1..99, no part
 * twice) into out (arena strings); the number of lines, or 0 after a reason in v. */
int ord_lines_read(jsonv *v, json_t *body, arena *a, struct ord_line_in *out);

/* Load order code (case-insensitive). 0, 1 when none, or a db code. */
int ord_load(db_conn *c, const char *code, struct ord_row *o);
/* The order's JSON: staff get everything; the public view (staff 0) leaves out the
 * customer, the contact and the internal notes. 0, 1 or a db code. */
int ord_json(db_conn *c, int64_t id, int staff, json_t **out);

/* New order, in the open transaction: the customer (customer_code, or matched/created
 * from name + phone), the outlet (0: online), the lines reserved at the fulfilling
 * warehouse, the confirmation queued. 0 (answer in *a: commit when status < 300) or a
 * db code. */
struct ord_new {
    const char *customer_code, *name, *phone, *address, *note;
    int64_t outlet_id;
    int online; /* portal: only accessories may be ordered */
    const struct ord_line_in *lines;
    int nlines;
};
int ord_create(db_conn *c, const char *actor, const struct ord_new *n, struct ord_answer *a);
/* Replace the lines of o (release the old reservations, reserve the new). */
int ord_modify(db_conn *c, const char *actor, struct ord_row *o, const struct ord_line_in *l,
               int n, int online, struct ord_answer *a);
/* Move o to `to` with its stock effect, event, audit and notice. */
int ord_transition(db_conn *c, const char *actor, struct ord_row *o, enum order_status to,
                   const char *note, struct ord_answer *a);

/* Route handlers. */
int ord_list(req *r);
int ord_get(req *r);
int ord_post(req *r);
int ord_patch(req *r);
int ord_step(req *r);
int ord_pay(req *r);
int ord_public_place(req *r);
int ord_public_get(req *r);
int ord_public_patch(req *r);
int ord_public_cancel(req *r);
int ord_public_accessories(req *r);
int ord_battery(req *r);
/* feedback.c: the channels and categories of feedback (NULL-terminated) */
extern const char *const ord_fb_channels[];
extern const char *const ord_fb_categories[];
/* One feedback item to store: customer_id given (0: the one contact matches, if any),
 * outlet a code (NULL: none), taken_by the staff login at a counter (NULL: posted). */
struct fb_job {
    const char *channel, *category, *text, *contact, *outlet, *taken_by;
    int64_t customer_id;
    char code[16];
};
/* in_tx body storing a struct fb_job (its code filled in): 0, 1 when the outlet is gone,
 * or a db code. */
int ord_fb_store(db_conn *c, void *arg);
/* Read category, text, contact and outlet of a posted item into j (reasons in v). */
void ord_fb_read(jsonv *v, struct fb_job *j);
/* Check j's outlet, store j and answer 201 {code} (or 422 with v's reasons, or the
 * failure rc < 0 of the caller's own checks); frees v and body. */
int ord_fb_finish(req *r, jsonv *v, json_t *body, struct fb_job *j, int rc);
int ord_feedback_post(req *r);
/* voc.c: the staff side */
int ord_feedback_list(req *r);
int ord_feedback_get(req *r);
int ord_feedback_patch(req *r);
int ord_feedback_counter(req *r);

#endif

/* One write of an order in a transaction (in_tx with retry): find the order (by code;
 * confined to scope for staff, or to the phone tail for the public), check the version
 * when given, then run the operation. */
enum { ORD_CREATE, ORD_MODIFY, ORD_STEP, ORD_PAY };
struct ord_job {
    int op;
    const char *actor, *code;
    const req *r;     /* staff: confinement; NULL for the public */
    const char *tail; /* public: the phone's last four digits */
    int64_t version;  /* 0: not checked */
    const struct ord_new *n;
    const struct ord_line_in *lines;
    int nlines, online;
    enum order_status to;
    const char *note;
    int paid;
    const char *method, *reference;
    struct ord_answer a;
};
/* 1 when one of o's customer's phones (or its contact phone) ends in tail, 0 when
 * none does, or a db code. */
int ord_tail_matches(db_conn *c, const struct ord_row *o, const char *tail);
/* Run j; the transaction's failure (a db code) or 0 with the answer in j->a. */
int ord_run(db_conn *c, struct ord_job *j);
