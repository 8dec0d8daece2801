/* contacts: what the files of the contacts folder share (nobody else includes it): the
 * value sets, the hotline hours check, the contact JSON, the CTI call store and the
 * route handlers. */
#ifndef FEATURES_CONTACTS_INTERNAL_H
#define FEATURES_CONTACTS_INTERNAL_H
#include <jansson.h>

#include "features/common/common.h"
#include "features/contacts/contacts.h"

extern const char *const ct_channels[];
extern const char *const ct_directions[];
extern const char *const ct_reasons[];
extern const char *const ct_outcomes[];
/* 1 when s is one of the NULL-ended set. */
int ct_in(const char *const *set, const char *s);

/* *closed = 1 when hotline id's calendar is closed at t. 0, 1 no such hotline, or <0. */
int ct_hotline_closed(db_conn *c, int64_t hotline_id, int64_t t, int *closed);

/* The number as the M1 rules normalise it (mobiles, landlines with area code), else its
 * digits without a +86 / 0086 prefix (400 numbers, short codes). */
void ct_number_key(const char *in, char out[32]);
/* The active hotline dialled (0 when none). 0 or <0. */
int ct_hotline_of(db_conn *c, const char *number, int64_t *id);

/* CTI calls (calls.c), inside a write transaction. CT_UNKNOWN_CALL: no newCall seen. */
enum { CT_UNKNOWN_CALL = -100 };
int ct_call_new(db_conn *c, int64_t token, const char *call, const char *dir, const char *from,
                const char *to, const char *ext);
int ct_call_answer(db_conn *c, int64_t token, const char *call, const char *ext);
int ct_call_hangup(db_conn *c, int64_t token, const char *call, const char *cause);
/* After the commit: the pop to the users (extensions or logins) the call rings. */
int ct_pop_send(db_conn *c, int64_t token, const char *call, const char *const *users, int nusers);
/* After the commit: the call's state (and contact at hangup) to its agent. */
int ct_call_notify(db_conn *c, int64_t token, const char *call);
/* A customer's card for the pop: code, name, phones, units, open repairs, recent contacts. */
json_t *ct_customer_card(db_conn *c, int64_t id);

/* Call-backs (callbacks.c): a new open call-back for contact id. 0 or <0. */
int ct_callback_add(db_conn *c, int64_t contact_id, int64_t customer_id, const char *number,
                    const char *cause);

/* A contact as JSON (by code, or by id when code is NULL), as r may see it (r NULL: no
 * confinement). 0, 1 not found / hidden, or <0. */
int ct_contact_json(req *r, db_conn *c, const char *code, int64_t id, json_t **out);

/* Route handlers. */
int ct_list(req *r);
int ct_get(req *r);
int ct_create(req *r);
int ct_update(req *r);
int ct_webhook(req *r);
int ct_events(req *r);
int ct_extension_get(req *r);
int ct_extension_put(req *r);
int ct_pop_get(req *r);
int ct_hotlines_list(req *r);
int ct_hotline_put(req *r);
int ct_callbacks_list(req *r);
int ct_callback_attempt(req *r);

#endif
