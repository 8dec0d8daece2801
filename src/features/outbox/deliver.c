/* outbox: one delivery attempt with libcurl: a mail through the SMTP relay, or a text
 * through the SMS gateway's HTTP POST. */
#include "features/outbox/internal.h"

#include "base/netcurl.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct upload {
    const char *p;
    size_t left;
};

static size_t read_cb(char *dst, size_t size, size_t n, void *arg)
{
    struct upload *u = arg;
    size_t k = size * n < u->left ? size * n : u->left;
    memcpy(dst, u->p, k);
    u->p += k;
    u->left -= k;
    return k;
}

static size_t discard_cb(char *p, size_t size, size_t n, void *arg)
{
    (void)p;
    (void)arg;
    return size * n;
}

/* An easy handle for url with the common options: timeouts, no signals, the error text
 * into ebuf. NULL on memory trouble (err filled). */
static CURL *easy(const char *url, long timeout, char *ebuf, char *err, size_t errlen)
{
    CURL *h = curl_easy_init();
    if (!h) {
        snprintf(err, errlen, "curl: out of memory");
        return NULL;
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
    return h;
}

enum ob_result ob_smtp_send(const char *url, const char *user, const char *password,
                            const char *from, const struct ob_rcpts *to, const char *msg,
                            size_t len, char *err, size_t errlen)
{
    char ebuf[CURL_ERROR_SIZE] = "";
    CURL *h = easy(url, 120L, ebuf, err, errlen);
    if (!h)
        return OB_RETRY;
    struct upload u = {msg, len};
    struct curl_slist *rcpt = NULL;
    for (int i = 0; i < to->n; i++) {
        char a[264];
        snprintf(a, sizeof a, "<%s>", to->addr[i]);
        struct curl_slist *more = curl_slist_append(rcpt, a);
        if (!more) {
            curl_slist_free_all(rcpt);
            curl_easy_cleanup(h);
            snprintf(err, errlen, "curl: out of memory");
            return OB_RETRY;
        }
        rcpt = more;
    }
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(h, CURLOPT_READDATA, &u);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
    if (user) {
        curl_easy_setopt(h, CURLOPT_USERNAME, user);
        curl_easy_setopt(h, CURLOPT_PASSWORD, password);
    }
    CURLcode rc = curl_easy_perform(h);
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(h);
    if (rc == CURLE_OK)
        return OB_SENT; /* the relay answered 250 to the end of DATA */
    snprintf(err, errlen, "smtp %ld: %s", code, *ebuf ? ebuf : curl_easy_strerror(rc));
    /* 5xx refuses for good (unknown mailbox, policy); connection trouble, 4xx and our
     * own authentication (530, 535: fixed by the operator, then it goes out) retry */
    int auth = rc == CURLE_LOGIN_DENIED || code == 530 || code == 535;
    return code >= 500 && code < 600 && !auth ? OB_PERMANENT : OB_RETRY;
}

enum ob_result ob_sms_send(const char *url, const char *to, const char *text, char *err,
                           size_t errlen)
{
    json_t *j = json_pack("{s:s, s:s}", "to", to, "text", text);
    char *body = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    char ebuf[CURL_ERROR_SIZE] = "";
    CURL *h = body ? easy(url, 30L, ebuf, err, errlen) : NULL;
    if (!h) {
        if (!body)
            snprintf(err, errlen, "sms: out of memory");
        free(body);
        return OB_RETRY;
    }
    struct curl_slist *hd = curl_slist_append(NULL, "Content-Type: application/json; charset=utf-8");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard_cb);
    CURLcode rc = curl_easy_perform(h);
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(hd);
    curl_easy_cleanup(h);
    free(body);
    if (rc == CURLE_OK && code >= 200 && code < 300)
        return OB_SENT;
    if (rc != CURLE_OK)
        snprintf(err, errlen, "sms gateway: %s", *ebuf ? ebuf : curl_easy_strerror(rc));
    else
        snprintf(err, errlen, "sms gateway: HTTP %ld", code);
    return rc == CURLE_OK && code >= 400 && code < 500 && code != 429 ? OB_PERMANENT : OB_RETRY;
}
