/* outbox: the public calls of the outbox sender (serve's thread that mails and texts
 * what the capabilities queue in the outbox table), its routes and the bounce hook. */
#ifndef FEATURES_OUTBOX_H
#define FEATURES_OUTBOX_H
#include <stdint.h>

#include "base/db.h"
#include "base/http.h"

/* Message states (outbox.status):
 *   queued  -> sending (claimed with a lease) -> sent   (the relay's 250, own commit)
 *                                              -> retry  (next_at: exponential backoff, capped)
 *                                              -> failed (a permanent refusal, or N attempts)
 *   sent    -> bounced (outbox_mark_bounced, from the mail-in helper's bounce handling)
 *   failed, bounced -> queued (POST /api/v1/outbox/{id}/resend, audited)
 * A row in sending whose lease has expired (its server died) goes back to retry.
 *
 * Restarts: a claim is committed before the relay is contacted, and `sent` is committed
 * in its own statement right after the relay's 250 to the end of DATA, so a crash loses
 * nothing. The one window that can duplicate is a crash between that 250 and the
 * commit (microseconds; a busy database is retried for up to 5 s before giving up):
 * the row's lease then expires and the message goes out once more, under the same
 * Message-ID (so receivers that deduplicate by it see one). The lease
 * (AFTERSALES_OUTBOX_LEASE, default 300 s) must outlast one delivery attempt (SMTP
 * times out after 120 s, the SMS gateway after 30 s), or a slow relay could see a
 * message twice from two servers.
 *
 * Message-ID of every mail, stored on the row before the mail is sent and kept across
 * retries (a resend makes a new one):
 *     <outbox-ID.RANDOM@HOST>
 * ID the row's decimal id, RANDOM 16 lower-case hex digits, HOST the domain of the
 * From address. Replies carry it in In-Reply-To/References; mail_outbox_id_of (features/mail/mail.h)
 * finds the row back. */

extern const struct route outbox_routes[];

struct outbox_config {
    const char *smtp_url;    /* smtp://HOST:PORT or smtps://HOST:PORT; NULL: no mail */
    const char *smtp_auth;   /* file holding user:password; NULL: no AUTH */
    const char *mail_from;   /* the From address; NULL: aftersales@localhost */
    const char *sms_gateway; /* URL taking POST {"to":..., "text":...}; NULL: no SMS */
    const char *public_url;  /* where customers reach the portal, e.g. https://service.example;
                              * a payload "link" starting with / is sent under it */
};

/* Start the sender thread (a pass every AFTERSALES_OUTBOX_INTERVAL s, default 10, 0
 * off; AFTERSALES_OUTBOX_ATTEMPTS, _RETRY_BASE, _RETRY_CAP, _LEASE tune it). cfg's
 * strings must outlive the thread. 0, or -1 when the auth file cannot be read. */
int outbox_sender_start(db *d, const struct outbox_config *cfg);
void outbox_sender_stop(void);

/* Mark the message with id bounced, why kept as its last error (sent or sending rows
 * only), audited; inside the caller's write transaction (mail-in stores the bounce in
 * the same one). 1 when marked, 0 when no such row in those states, or a negative db
 * code. */
int outbox_mark_bounced(db_conn *c, int64_t id, const char *why);


#endif
