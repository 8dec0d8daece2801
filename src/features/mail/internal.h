/* mail: what the folder's files share (the parsed message; nobody else includes it). */
#ifndef FEATURES_MAIL_INTERNAL_H
#define FEATURES_MAIL_INTERNAL_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/db.h"

struct mail_att {
    char *filename;       /* UTF-8, "" when the part had none */
    char *mime_type;      /* "application/pdf" */
    unsigned char *data;  /* decoded content */
    size_t size;
};

/* A parsed message. Strings are UTF-8 and never NULL except body_html, malloc'd. */
struct mail_parsed {
    char *message_id, *in_reply_to, *refs; /* ids without brackets; refs space-separated */
    char *from_addr, *from_name, *to_addr, *return_path, *subject;
    int64_t date;              /* the Date header, 0 when missing or unreadable */
    char *body_text, *body_html;
    json_t *headers;           /* [[name, decoded value], ...] of the top-level headers */
    int no_auto_reply;         /* the loop guard: never answer this one automatically */
    int is_bounce;             /* a delivery status notification */
    char *dsn_status;          /* its Status: "5.1.1", or "" */
    int64_t bounce_outbox;     /* the outbox id the bounce names, 0 when none */
    struct mail_att *att;
    size_t natt;
};

/* Parse raw bytes; anything at all gives a result (an unreadable message is a message
 * with an empty body). Returns 0, or -1 only when out of memory. */
int mail_parse(const char *raw, size_t len, struct mail_parsed *m);
void mail_parsed_free(struct mail_parsed *m);

/* The iconv name to decode a declared charset with: GB2312, GBK, CP936 (and their
 * aliases) read as GB18030, Big5 as CP950; others as given. */
const char *mail_charset(const char *declared);
/* Bytes in a charset (NULL/"": UTF-8 if valid, else GB18030) to malloc'd valid UTF-8. */
char *mail_to_utf8(const char *bytes, size_t len, const char *charset);
/* An unfolded header value with RFC 2047 encoded words decoded, as malloc'd UTF-8. */
char *mail_decode_header(const char *raw);

/* Log the stored message mail_id as an email contact (under customer_id and repair_id,
 * 0: none) through the contacts feature and set mail_messages.contact_id. Runs inside
 * the storing transaction; 0 or a negative db code. */
int mail_contact(db_conn *c, int64_t mail_id, int64_t customer_id, int64_t repair_id,
                 const char *address, const char *subject, const char *body, int64_t now);

#endif
