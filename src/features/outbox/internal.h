/* outbox: what the folder's files share (message building, delivery, templates). */
#ifndef FEATURES_OUTBOX_INTERNAL_H
#define FEATURES_OUTBOX_INTERNAL_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "features/common/common.h"
#include "features/outbox/outbox.h"

/* A rendered message: subject (mail only) and body, malloc'd. */
struct ob_text {
    char *subject;
    char *body;
    char *in_reply_to; /* a reply's thread headers (payload in_reply_to, references), */
    char *references;  /* or NULL */
    /* payload "headers" from the allow-list (campaign mail's one-click unsubscribe), or NULL */
    char *list_unsubscribe, *list_unsubscribe_post;
};

/* Render template tpl in lang ("zh-CN" or "en"; anything else: zh-CN) with payload's
 * fields. 0, or -1 for an unknown template
 * (t then empty) or memory. */
int ob_render(const char *tpl, const char *lang, json_t *payload, struct ob_text *t);
void ob_text_free(struct ob_text *t);

/* The whole RFC 5322 message (CRLF lines): UTF-8 subject as RFC 2047 words when not
 * ASCII, the body base64, Auto-Submitted: auto-generated; In-Reply-To and References
 * when t has them (References: the original's references, then the original);
 * List-Unsubscribe and List-Unsubscribe-Post when t has them. 0 or -1 (a header value
 * with CR or LF). */
int ob_mime(buf *out, const char *from, const char *to, const char *message_id,
            int64_t date, const struct ob_text *t);
/* Append s as RFC 2047 encoded words ("=?UTF-8?B?...?=", each at most 75 characters,
 * separated by CRLF SP, never splitting a UTF-8 sequence); plain when s is printable
 * ASCII. */
void ob_header_words(buf *out, const char *s);

/* What a delivery attempt came to. */
enum ob_result { OB_SENT, OB_RETRY, OB_PERMANENT };

/* The envelope recipients of one mail (bare addresses). */
#define OB_RCPTS_MAX 64
struct ob_rcpts {
    int n;
    char addr[OB_RCPTS_MAX][256];
};

/* Send one mail through the relay at url to every address of to: OB_* with err (at most
 * errlen) filled unless sent. */
enum ob_result ob_smtp_send(const char *url, const char *user, const char *password,
                            const char *from, const struct ob_rcpts *to, const char *msg,
                            size_t len, char *err, size_t errlen);

/* A staff notification's addresses (staff.c): the enabled accounts of role (the row's
 * recipient) with an email address; for an outlet-bound role only those of the outlet
 * the payload's "outlet" names, when it names one. OB_SENT with out filled, or
 * OB_PERMANENT (err says why: an unknown role, nobody with an address) or OB_RETRY (the
 * database). */
enum ob_result ob_staff_rcpts(db_conn *c, const char *role, const char *payload,
                              struct ob_rcpts *out, char *err, size_t errlen);
/* POST {"to":..., "text":...} to the gateway; 2xx sent, 4xx permanent, else retry. */
enum ob_result ob_sms_send(const char *url, const char *to, const char *text, char *err,
                           size_t errlen);

/* The row as the API shows it (columns OB_COLS). */
#define OB_COLS                                                                              \
    "o.id, o.channel, o.recipient, o.template, o.payload, o.status, o.attempts,"             \
    " o.last_error, o.created_at, o.sent_at, o.next_at, o.message_id, cu.code, o.updated_at"
#define OB_FROM " FROM outbox o LEFT JOIN customers cu ON cu.id = o.customer_id"
json_t *ob_row_json(db_stmt *st);

int ob_list(req *r);
int ob_get(req *r);
int ob_resend(req *r);

#endif
