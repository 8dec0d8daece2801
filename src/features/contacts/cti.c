/* cti: POST /api/v1/cti/:token, Zammad's generic CTI webhook (newCall, answer, hangup;
 * form-encoded or JSON) and `aftersales cti token|list|revoke`. A call is kept in
 * cti_calls; newCall pops the caller on the ringing agents' screens, hangup logs the
 * contact and, for a missed or out-of-hours call, a call-back. */
#include "features/contacts/internal.h"

#include "base/arena.h"
#include "base/auth.h"
#include "base/buf.h"
#include "base/log.h"
#include "rules/identity.h"

#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- the body */

static int hexval(int ch)
{
    return isdigit(ch) ? ch - '0' : isxdigit(ch) ? (tolower(ch) - 'a' + 10) : -1;
}

/* Percent-decode s[0..n) into the arena ('+' is a space). */
static char *form_decode(arena *a, const char *s, size_t n)
{
    char *out = arena_alloc(a, n + 1), *o = out;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            *o++ = ' ';
        } else if (s[i] == '%' && i + 2 < n && hexval((unsigned char)s[i + 1]) >= 0 &&
                   hexval((unsigned char)s[i + 2]) >= 0) {
            *o++ = (char)(hexval((unsigned char)s[i + 1]) * 16 + hexval((unsigned char)s[i + 2]));
            i += 2;
        } else {
            *o++ = s[i];
        }
    }
    *o = '\0';
    return out;
}

/* The body as a JSON object: JSON as is, a form as {"event":"...","user":["a","b"]}. */
static json_t *cti_body(req *r)
{
    const char *ct = req_header(r, "Content-Type");
    if (ct && strncasecmp(ct, "application/json", 16) == 0) {
        json_t *j = json_loadb(r->body, r->body_len, 0, NULL);
        if (j && !json_is_object(j)) {
            json_decref(j);
            j = NULL;
        }
        return j;
    }
    json_t *o = json_object();
    const char *p = r->body ? r->body : "", *end = p + r->body_len;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end, *eq = memchr(p, '=', (size_t)(stop - p));
        if (eq) {
            char *k = form_decode(r->a, p, (size_t)(eq - p));
            char *v = form_decode(r->a, eq + 1, (size_t)(stop - eq - 1));
            size_t kl = strlen(k);
            if (kl > 2 && strcmp(k + kl - 2, "[]") == 0) {
                k[kl - 2] = '\0';
                json_t *arr = json_object_get(o, k);
                if (!json_is_array(arr)) {
                    arr = json_array();
                    json_object_set_new(o, k, arr);
                }
                json_array_append_new(arr, json_string(v));
            } else if (json_is_string(json_object_get(o, k)) || !json_object_get(o, k)) {
                json_object_set_new(o, k, json_string(v));
            }
        }
        p = stop + 1;
    }
    return o;
}

static const char *field(json_t *b, const char *k)
{
    const char *s = json_string_value(json_object_get(b, k));
    return s && *s ? s : NULL;
}

/* ---------------------------------------------------------------- numbers */

void ct_number_key(const char *in, char out[32])
{
    int kind = 0;
    if (in && identity_phone(in, out, &kind) == 0)
        return;
    /* service numbers (400/800, short codes) and anything else: the digits, without a
     * +86 / 0086 prefix */
    char d[32];
    size_t n = 0, skip = 0;
    for (const char *p = in ? in : ""; *p && n < sizeof d - 1; p++)
        if (isdigit((unsigned char)*p))
            d[n++] = *p;
    d[n] = '\0';
    if (n > 4 && memcmp(d, "0086", 4) == 0)
        skip = 4;
    else if (n > 2 && in && in[0] == '+' && memcmp(d, "86", 2) == 0)
        skip = 2;
    memcpy(out, d + skip, n - skip + 1);
}

/* ---------------------------------------------------------------- tokens */

static int token_id(db_conn *c, const char *token, int64_t *id, int *revoked)
{
    char hash[AUTH_TOKEN_HEX];
    auth_secret_hash(token, hash);
    db_stmt *st = db_prepare(c, "SELECT id, revoked_at FROM cti_tokens WHERE token_hash = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, hash);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        *id = db_int(st, 0);
        *revoked = !db_isnull(st, 1);
    }
    db_done(st);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? 1 : rc;
}

int contacts_cmd_cti(int argc, char **argv, db *d)
{
    int n = argc - optind;
    const char *verb = n >= 1 ? argv[optind] : "";
    if (!((strcmp(verb, "token") == 0 && n == 2) || (strcmp(verb, "list") == 0 && n == 1) ||
          (strcmp(verb, "revoke") == 0 && n == 2))) {
        fprintf(stderr, "usage: aftersales cti token NAME | cti list | cti revoke ID\n");
        return 2;
    }
    db_conn *c = db_acquire(d);
    int rc = 0;
    if (verb[0] == 't') {
        char tok[AUTH_TOKEN_HEX], hash[AUTH_TOKEN_HEX];
        auth_random_hex(tok);
        auth_secret_hash(tok, hash);
        rc = (int)db_exec(c, "INSERT INTO cti_tokens (name, token_hash, created_at) VALUES (?, ?, ?)",
                     "tti", argv[optind + 1], hash, now_unix());
        if (rc >= 0)
            printf("%s\n", tok);
    } else if (verb[0] == 'l') {
        db_stmt *st = db_prepare(c, "SELECT id, name, created_at, revoked_at FROM cti_tokens ORDER BY id");
        while (st && (rc = db_step(st)) == DB_ROW)
            printf("%lld\t%s\t%lld\t%s\n", (long long)db_int(st, 0), db_text(st, 1),
                   (long long)db_int(st, 2), db_isnull(st, 3) ? "active" : "revoked");
        db_done(st);
        rc = st ? (rc < 0 ? rc : 0) : DB_ERROR;
    } else {
        rc = (int)db_exec(c, "UPDATE cti_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                     "ii", now_unix(), (int64_t)strtoll(argv[optind + 1], NULL, 10));
    }
    if (rc < 0)
        fprintf(stderr, "aftersales cti: %s\n", db_errmsg(c));
    db_release(c);
    return rc < 0 ? 1 : 0;
}

/* ---------------------------------------------------------------- the webhook */

struct cti_event {
    const char *event, *from, *to, *direction, *call_id, *cause, *users[8];
    int nusers;
    int64_t token_id;
    json_t *popped; /* the pop for newCall */
};

static int on_event(db_conn *c, void *arg)
{
    struct cti_event *e = arg;
    if (strcmp(e->event, "newCall") == 0)
        return ct_call_new(c, e->token_id, e->call_id, e->direction, e->from, e->to,
                           e->nusers ? e->users[0] : NULL);
    if (strcmp(e->event, "answer") == 0)
        return ct_call_answer(c, e->token_id, e->call_id, e->nusers ? e->users[0] : NULL);
    return ct_call_hangup(c, e->token_id, e->call_id, e->cause);
}

int ct_webhook(req *r)
{
    db_conn *c = req_db(r);
    struct cti_event e = {0};
    int revoked = 0;
    int rc = token_id(c, req_param(r, "token"), &e.token_id, &revoked);
    if (rc < 0)
        return reply_db_failure(r, rc, "cti");
    if (rc == 1)
        return reply_error(r, 404, "not_found", "no such CTI integration", NULL);
    if (revoked)
        return reply_error(r, 403, "forbidden", "this CTI token was revoked", NULL);
    json_t *b = cti_body(r);
    if (!b)
        return reply_error(r, 400, "bad_body", "send the event form-encoded or as a JSON object", NULL);
    json_t *fields = json_object();
    e.event = field(b, "event");
    e.call_id = field(b, "callId");
    e.from = field(b, "from");
    e.to = field(b, "to");
    e.direction = field(b, "direction");
    e.cause = field(b, "cause");
    if (!e.event || (strcmp(e.event, "newCall") && strcmp(e.event, "answer") && strcmp(e.event, "hangup")))
        json_object_set_new(fields, "event", json_string("must be one of newCall, answer, hangup"));
    if (!e.call_id || strlen(e.call_id) > 200)
        json_object_set_new(fields, "callId", json_string("required, at most 200 bytes"));
    if (e.event && strcmp(e.event, "newCall") == 0) {
        if (!e.direction || (strcmp(e.direction, "in") && strcmp(e.direction, "out")))
            json_object_set_new(fields, "direction", json_string("must be in or out"));
        if (!e.from || !e.to)
            json_object_set_new(fields, e.from ? "to" : "from", json_string("required"));
    }
    json_t *u = json_object_get(b, "user");
    if (json_is_string(u))
        e.users[e.nusers++] = json_string_value(u);
    for (size_t i = 0; json_is_array(u) && i < json_array_size(u) && e.nusers < 8; i++)
        if (json_is_string(json_array_get(u, i)))
            e.users[e.nusers++] = json_string_value(json_array_get(u, i));
    const char *ans = field(b, "answeringNumber");
    if (ans && e.event && strcmp(e.event, "answer") == 0) {
        e.users[0] = ans;
        e.nusers = e.nusers ? e.nusers : 1;
    }
    if (json_object_size(fields)) {
        json_decref(b);
        return reply_error(r, 422, "validation_failed", "the CTI event is not valid", fields);
    }
    json_decref(fields);
    rc = in_tx(c, on_event, &e);
    if (rc == 0 && strcmp(e.event, "newCall") == 0)
        rc = ct_pop_send(c, e.token_id, e.call_id, e.users, e.nusers);
    else if (rc == 0)
        rc = ct_call_notify(c, e.token_id, e.call_id);
    json_decref(b);
    if (rc == CT_UNKNOWN_CALL)
        return reply_error(r, 404, "not_found", "no such call (newCall first)", NULL);
    if (rc < 0)
        return reply_db_failure(r, rc, "cti");
    return reply_json(r, 200, json_object());
}
