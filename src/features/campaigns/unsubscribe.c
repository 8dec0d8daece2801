/* campaigns: one-click unsubscribe per channel: the signed token an email carries in
 * List-Unsubscribe, and the public routes that show a confirm page (GET) and withdraw
 * consent for that channel only (POST, RFC 8058), logged in the consent history. */
#include "base/audit.h"
#include "features/campaigns/internal.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* The hex signature of customer code's link for channel. */
static void unsub_mac(const unsigned char key[32], const char *code, const char *channel, char hex[65])
{
    char msg[96];
    snprintf(msg, sizeof msg, "unsubscribe.%s.%s", code, channel);
    link_mac(key, msg, hex);
}

int campaigns_unsub_key(db_conn *c, unsigned char key[32])
{
    int rc = link_key(c, "campaign_settings", 1, key);
    return rc == 0 ? 0 : rc < 0 ? rc : DB_ERROR;
}

void campaigns_unsub_set(const unsigned char key[32], const char *code, const char *channel,
                         json_t *payload)
{
    char hex[65], url[512];
    unsub_mac(key, code, channel, hex);
    /* relative: the outbox sender puts it under serve's --public-url */
    snprintf(url, sizeof url, "</api/v1/public/unsubscribe/%s.%s.%s>", code, channel, hex);
    json_object_set_new(payload, "headers",
                        json_pack("{s:s, s:s}", "List-Unsubscribe", url, "List-Unsubscribe-Post",
                                  "List-Unsubscribe=One-Click"));
}

int campaigns_unsub_headers(db_conn *c, const char *code, const char *channel, json_t *payload)
{
    unsigned char key[32];
    int rc = campaigns_unsub_key(c, key);
    if (rc == 0)
        campaigns_unsub_set(key, code, channel, payload);
    return rc;
}

/* The customer id and channel of a token whose signature holds; 0, 1 (404) or a db code. */
static int unsub_check(db_conn *c, const char *token, int64_t *cid, char code[24], char channel[8])
{
    const char *d1 = token ? strchr(token, '.') : NULL;
    const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
    if (!d1 || !d2 || d1 - token >= 24 || d2 - d1 - 1 >= 8 || strlen(d2 + 1) != 64)
        return 1;
    snprintf(code, 24, "%.*s", (int)(d1 - token), token);
    snprintf(channel, 8, "%.*s", (int)(d2 - d1 - 1), d1 + 1);
    unsigned char key[32];
    int rc = link_key(c, "campaign_settings", 0, key);
    if (rc != 0)
        return rc;
    char want[65];
    unsub_mac(key, code, channel, want);
    if (sodium_memcmp(want, d2 + 1, 64) != 0)
        return 1;
    return lookup_id(c, "SELECT id FROM customers WHERE code = ? AND erased_at IS NULL", code, cid);
}

int cp_unsub_page(req *r)
{
    int64_t cid = 0;
    char code[24], channel[8];
    int rc = unsub_check(req_db(r), req_param(r, "token"), &cid, code, channel);
    if (rc < 0)
        return reply_db_failure(r, rc, "unsubscribe");
    if (rc == 1)
        return reply_not_found(r, "link");
    buf b = BUF_INIT;
    buf_addf(&b, "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\">"
                 "<meta name=\"viewport\" content=\"width=device-width\"><title>退订 Unsubscribe</title>"
                 "<h1>退订 / Unsubscribe</h1><p>不再通过此渠道 (%s) 接收营销信息。其他渠道不受影响。</p>"
                 "<p>Stop marketing messages on this channel (%s) only; other channels stay as they are.</p>"
                 "<form method=\"post\"><input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">"
                 "<button type=\"submit\">确认退订 / Confirm</button></form></html>",
             channel, channel);
    rc = reply_bytes(r, 200, "text/html; charset=utf-8", b.s, b.len);
    buf_release(&b);
    return rc;
}

struct unsub {
    const char *token;
    int64_t cid;
    char code[24], channel[8];
    int found;
};

static int unsub_tx(db_conn *c, void *arg)
{
    struct unsub *u = arg;
    int rc = unsub_check(c, u->token, &u->cid, u->code, u->channel);
    if (rc != 0)
        return rc;
    u->found = 1;
    int before = cp_consent_now(c, u->cid, u->channel);
    if (before < 0)
        return before;
    int64_t x = db_exec(c, "INSERT INTO customer_consents (customer_id, channel, granted, source,"
                           " updated_at, updated_by) VALUES (?, ?, 0, 'unsubscribe link', ?,"
                           " 'unsubscribe-link') ON CONFLICT (customer_id, channel) DO UPDATE SET"
                           " granted = 0, source = excluded.source, updated_at = excluded.updated_at,"
                           " updated_by = excluded.updated_by",
                        "iti", u->cid, u->channel, now_unix());
    if (x < 0)
        return (int)x;
    if (!before)
        return 0;
    json_t *d = json_pack("{s:s, s:b, s:b, s:s}", "channel", u->channel, "from", 1, "to", 0,
                          "source", "unsubscribe link");
    rc = audit_write(c, "unsubscribe-link", "consent", "customer", u->code, d);
    json_decref(d);
    return rc;
}

int cp_unsub_post(req *r)
{
    struct unsub u = {.token = req_param(r, "token")};
    int rc = in_tx(req_db(r), unsub_tx, &u);
    if (rc < 0)
        return reply_db_failure(r, rc, "unsubscribe");
    if (!u.found)
        return reply_not_found(r, "link");
    return reply_json(r, 200, json_pack("{s:s, s:b}", "channel", u.channel, "unsubscribed", 1));
}
