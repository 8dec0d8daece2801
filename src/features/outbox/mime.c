/* outbox: the mail as bytes: RFC 5322 headers, RFC 2047 UTF-8 subjects, a base64
 * text/plain UTF-8 body, marked Auto-Submitted. */
#include "features/outbox/internal.h"

#include <sodium.h>
#include <string.h>
#include <time.h>

static int printable_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
            return 0;
    return 1;
}

static void add_base64(buf *out, const unsigned char *p, size_t n)
{
    char tmp[128];
    while (n) {
        size_t k = n > 57 ? 57 : n; /* 57 bytes make one 76-character line */
        sodium_bin2base64(tmp, sizeof tmp, p, k, sodium_base64_VARIANT_ORIGINAL);
        buf_adds(out, tmp);
        p += k;
        n -= k;
        if (n)
            buf_adds(out, "\r\n");
    }
}

void ob_header_words(buf *out, const char *s)
{
    if (printable_ascii(s)) {
        buf_adds(out, s);
        return;
    }
    /* "=?UTF-8?B?" + 4*ceil(n/3) + "?=" <= 75: at most 45 bytes of text per word */
    const unsigned char *p = (const unsigned char *)s;
    size_t left = strlen(s);
    int first = 1;
    while (left) {
        size_t k = left > 45 ? 45 : left;
        while (k < left && k > 0 && (p[k] & 0xc0) == 0x80)
            k--; /* never split a UTF-8 sequence */
        if (k == 0)
            k = left > 45 ? 45 : left;
        char tmp[96];
        sodium_bin2base64(tmp, sizeof tmp, p, k, sodium_base64_VARIANT_ORIGINAL);
        buf_addf(out, "%s=?UTF-8?B?%s?=", first ? "" : "\r\n ", tmp);
        first = 0;
        p += k;
        left -= k;
    }
}

/* One header value without CR or LF (a recipient or id from the database). */
static int clean(const char *s)
{
    return !strpbrk(s, "\r\n");
}

int ob_mime(buf *out, const char *from, const char *to, const char *message_id,
            int64_t date, const struct ob_text *t)
{
    if (!clean(from) || !clean(to) || !clean(message_id) ||
        (t->in_reply_to && !clean(t->in_reply_to)) || (t->references && !clean(t->references)) ||
        (t->list_unsubscribe && !clean(t->list_unsubscribe)) ||
        (t->list_unsubscribe_post && !clean(t->list_unsubscribe_post)))
        return -1;
    time_t tt = (time_t)date;
    struct tm tm;
    char when[64];
    if (!gmtime_r(&tt, &tm) || !strftime(when, sizeof when, "%a, %d %b %Y %H:%M:%S +0000", &tm))
        return -1;
    buf_addf(out, "From: %s\r\nTo: %s\r\nSubject: ", from, to);
    ob_header_words(out, t->subject ? t->subject : "");
    buf_addf(out, "\r\nDate: %s\r\nMessage-ID: %s\r\n", when, message_id);
    if (t->in_reply_to)
        buf_addf(out, "In-Reply-To: %s\r\n", t->in_reply_to);
    if (t->references)
        buf_addf(out, "References: %s\r\n", t->references);
    if (t->list_unsubscribe)
        buf_addf(out, "List-Unsubscribe: %s\r\n", t->list_unsubscribe);
    if (t->list_unsubscribe_post)
        buf_addf(out, "List-Unsubscribe-Post: %s\r\n", t->list_unsubscribe_post);
    buf_adds(out, "Auto-Submitted: auto-generated\r\n"
                  "MIME-Version: 1.0\r\n"
                  "Content-Type: text/plain; charset=UTF-8\r\n"
                  "Content-Transfer-Encoding: base64\r\n\r\n");
    add_base64(out, (const unsigned char *)t->body, strlen(t->body));
    buf_adds(out, "\r\n");
    return 0;
}
