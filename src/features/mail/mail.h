/* mail: inbound email (M9). `aftersales mail-in` stores one RFC 5322 message from stdin,
 * `aftersales mail-fetch` polls an IMAP mailbox through libcurl; both parse with GMime,
 * thread the message (our own Message-IDs, then a repair code from that repair's
 * customer, else the sender's customer), keep the raw message and its attachments, and
 * queue at most one automatic acknowledgement per address and day.
 *
 * Outbound Message-IDs (for the outbox sender): every email the outbox sends carries
 *
 *     Message-ID: <outbox-ID.RANDOM@HOST>
 *
 * ID the outbox row's decimal id, RANDOM 1-32 letters or digits (anything that makes
 * the id unique worldwide, e.g. 16 hex digits of randombytes), HOST the sending host's
 * name. mail_outbox_message_id() builds one; mail_outbox_id_of() reads the outbox id back
 * from a Message-ID, In-Reply-To or References entry (0 when it is not one of ours), so
 * replies and bounces find their outbox row with no column of their own.
 *
 * The acknowledgement is queued as an outbox row: channel 'email', template 'mail_ack',
 * recipient the sender's address, payload {"subject","in_reply_to","references",
 * "headers":{"Auto-Submitted":"auto-generated"}}: the sender must add the headers given
 * there (template 'mail_ack' in features/outbox/templates.c). A bounce adds a
 * mail_bounces row for the outbox message and marks it bounced (outbox_mark_bounced, in
 * the same transaction); a row not sent yet keeps its state with "bounced: STATUS" as
 * its last error. */
#ifndef FEATURES_MAIL_H
#define FEATURES_MAIL_H
#include <stddef.h>
#include <stdint.h>

#include "base/db.h"
#include "base/http.h"

#define MAIL_MSGID_MAX 160

/* "<outbox-42.RANDOM@host>" into out (angle brackets included); random is a short
 * string of letters and digits, host the domain. Returns 0, or -1 when it does not fit. */
int mail_outbox_message_id(int64_t outbox_id, const char *random, const char *host,
                           char out[MAIL_MSGID_MAX]);

/* The outbox id named by a Message-ID ("<outbox-42.x@h>" or without brackets), or 0. */
int64_t mail_outbox_id_of(const char *msgid);

/* Store one message (the raw bytes) on c: parse, thread, store, acknowledge, all in one
 * transaction. *mail_id_out (may be NULL) gets the mail_messages id. Returns 0, or a
 * negative db code when it could not be stored (nothing is then written). */
int mail_store(db_conn *c, const char *raw, size_t len, int64_t now, int64_t *mail_id_out);

/* Subcommands. */
int mail_cmd_in(int argc, char **argv, db *d);
int mail_cmd_fetch(int argc, char **argv, db *d);

extern const struct route mail_routes[];

#endif
