/* contacts (M9): the contact center's log under the customer, hotlines and their hours,
 * the call-back list, the CTI webhook with its screen pop. The public API: the route
 * table, the subcommand, the SSE stream and contacts_log for other capabilities (mail-in
 * creates email contacts through it). */
#ifndef FEATURES_CONTACTS_H
#define FEATURES_CONTACTS_H
#include <stddef.h>
#include <stdint.h>

#include "base/db.h"
#include "base/http.h"

extern const struct route contacts_routes[];

/* The values the log takes (the schema checks them too).
 *   channel:   phone email web letter fax walk_in sms
 *   direction: in out
 *   reason:    consultation purchase repair_registration status_query complaint
 *              suggestion marketing (or none)
 *   outcome:   resolved follow_up transferred escalated call_back missed no_answer
 *              logged (or none) */
int contacts_channel_ok(const char *s);
int contacts_reason_ok(const char *s);
int contacts_outcome_ok(const char *s);

/* A contact to log. Strings may be NULL (none); ids 0 mean no link. */
struct contact_new {
    const char *channel;   /* required */
    const char *direction; /* required: "in" or "out" */
    const char *reason;
    const char *outcome;
    int64_t hotline_id;   /* hotlines.id; when set, out_of_hours is computed from its calendar */
    int out_of_hours;     /* used when hotline_id is 0 */
    int64_t handled_by;   /* users.id of the agent, 0 for none (e.g. mail received) */
    int64_t started_at;   /* unix seconds; 0 = now */
    int64_t duration_s;
    int64_t customer_id;  /* 0: unmatched; then address keeps the raw number or address */
    const char *address;  /* the raw number or mail address as received */
    int64_t repair_id;
    int64_t complaint_id;
    int64_t order_id;
    const char *subject;
    const char *body;
    const char *actor;    /* written to the audit row, e.g. "mail-in" or a login */
};

/* Log one contact. Call inside the caller's write transaction (in_tx): the code comes
 * from a counter and the audit row is written with it. *id and code (e.g.
 * "CT26120300001", n_code >= 24) are set (either may be NULL). 0, 1 for a bad value
 * (nothing written), or a negative db code (DB_EFK: a linked row does not exist). */
int contacts_log(db_conn *c, const struct contact_new *n, int64_t *id, char *code,
                 size_t n_code);

/* `aftersales cti token NAME` / `aftersales cti list` / `aftersales cti revoke ID`. */
int contacts_cmd_cti(int argc, char **argv, db *d);

/* The demo step: the published hotlines (08:30-20:30 every day) and some contacts. */
struct demo_opts;
int contacts_demo(db *d, const struct demo_opts *o);

#endif
