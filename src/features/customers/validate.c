/* customers: text checks, the field validators (v_*) shared by the API,
 * match_or_create, CSV and demo, and reading/answering request bodies. */
#include "features/customers/internal.h"

#include "base/jsonv.h"
#include "features/common/common.h"

#include <stdio.h>
#include <string.h>
#include <utf8proc.h>

/* Text check (addresses): valid UTF-8 without control characters other than line breaks
 * and tabs, at most maxchars code points. 0, -1 invalid, -2 too long. */
static int text_check(const char *s, size_t maxchars)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    size_t n = 0;
    if (strlen(s) > CUST_RAW_MAX)
        return -2;
    while (*p) {
        int32_t cp;
        utf8proc_ssize_t l = utf8proc_iterate(p, -1, &cp);
        if (l <= 0)
            return -1;
        utf8proc_category_t cat = utf8proc_category(cp);
        if ((cat == UTF8PROC_CATEGORY_CC && cp != '\n' && cp != '\r' && cp != '\t') ||
            cat == UTF8PROC_CATEGORY_CS)
            return -1;
        p += l;
        n++;
    }
    return n > maxchars ? -2 : 0;
}

/* Copy s trimmed of ASCII and ideographic spaces into out (cap bytes). */
void cust_trim_copy(const char *s, char *out, size_t cap)
{
    while (*s == ' ' || *s == '\t' || strncmp(s, "\xe3\x80\x80", 3) == 0)
        s += *s == ' ' || *s == '\t' ? 1 : 3;
    size_t n = strlen(s);
    for (;;) {
        if (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
            n--;
        else if (n >= 3 && memcmp(s + n - 3, "\xe3\x80\x80", 3) == 0)
            n -= 3;
        else
            break;
    }
    if (n >= cap)
        n = cap - 1;
    memcpy(out, s, n);
    out[n] = '\0';
}

/* Upper bound of a prefix range: prefix with its last byte incremented (UTF-8 never holds
 * 0xFF, so this is the first string after every string starting with prefix). */
void cust_prefix_end(const char *prefix, char *out, size_t cap)
{
    size_t n = strlen(prefix);
    if (n >= cap)
        n = cap - 1;
    memcpy(out, prefix, n);
    out[n] = '\0';
    if (n > 0)
        out[n - 1] = (char)((unsigned char)out[n - 1] + 1);
}

const char *cust_v_name(struct cust_in *in, const char *s)
{
    if (!s)
        return "required";
    if (strlen(s) > CUST_RAW_MAX)
        return "too_long";
    switch (identity_name(s, in->name, sizeof in->name)) {
    case 0:
        break;
    case -2:
        return "too_long";
    case -3:
        return "required";
    default:
        return "invalid";
    }
    if (identity_name_key(in->name, in->name_key) < 0)
        return "invalid";
    return NULL;
}

const char *cust_v_phone_add(struct cust_in *in, const char *s)
{
    char p[IDENTITY_PHONE_MAX];
    int kind;
    if (strlen(s) > 64)
        return "too_long";
    if (identity_phone(s, p, &kind) < 0)
        return "invalid";
    for (int i = 0; i < in->nphones; i++)
        if (strcmp(in->phones[i], p) == 0)
            return NULL; /* the same number twice */
    if (in->nphones >= CUST_MAX_PHONES)
        return "too_many";
    strcpy(in->phones[in->nphones], p);
    in->kinds[in->nphones++] = kind;
    return NULL;
}

const char *cust_v_email_add(struct cust_in *in, const char *s)
{
    char e[IDENTITY_EMAIL_MAX];
    if (strlen(s) > 320)
        return "too_long";
    if (identity_email(s, e) < 0)
        return "invalid";
    for (int i = 0; i < in->nemails; i++)
        if (strcmp(in->emails[i], e) == 0)
            return NULL;
    if (in->nemails >= CUST_MAX_EMAILS)
        return "too_many";
    strcpy(in->emails[in->nemails++], e);
    return NULL;
}

const char *cust_v_region(struct cust_in *in, const char *s)
{
    char t[16];
    in->region[0] = '\0';
    if (!s)
        return NULL;
    if (strlen(s) > 15)
        return "invalid";
    cust_trim_copy(s, t, sizeof t);
    if (!*t)
        return NULL;
    return identity_region(t, in->region) < 0 ? "invalid" : NULL;
}

static const char *v_address(struct cust_in *in, const char *s)
{
    in->address[0] = '\0';
    if (!s)
        return NULL;
    if (strlen(s) >= CUST_ADDRESS_BYTES + 64)
        return "too_long";
    char t[CUST_ADDRESS_BYTES + 64];
    cust_trim_copy(s, t, sizeof t);
    int rc = text_check(t, CUST_ADDRESS_CHARS);
    if (rc == -2)
        return "too_long";
    if (rc < 0)
        return "invalid";
    strcpy(in->address, t);
    return NULL;
}

/* Split a "a;b" list (CSV cells, match_or_create) and add each part. */
const char *cust_v_list_add(struct cust_in *in, const char *s, int phones)
{
    if (strlen(s) > CUST_RAW_MAX)
        return "too_long";
    char tmp[CUST_RAW_MAX + 1];
    strcpy(tmp, s);
    char *save = NULL;
    for (char *part = strtok_r(tmp, ";", &save); part; part = strtok_r(NULL, ";", &save)) {
        char t[400];
        if (strlen(part) >= sizeof t)
            return "too_long";
        cust_trim_copy(part, t, sizeof t);
        if (!*t)
            continue;
        const char *why = phones ? cust_v_phone_add(in, t) : cust_v_email_add(in, t);
        if (why)
            return why;
    }
    return NULL;
}

/* A string member: NULL when absent or null; records too_long / invalid. */
const char *cust_body_str(jsonv *v, const char *field, size_t maxbytes)
{
    json_t *j = json_object_get(v->body, field);
    if (!j || json_is_null(j))
        return NULL;
    if (!json_is_string(j)) {
        jsonv_fail(v, field, "invalid");
        return NULL;
    }
    if (json_string_length(j) > maxbytes) {
        jsonv_fail(v, field, "too_long");
        return NULL;
    }
    if (strlen(json_string_value(j)) != json_string_length(j)) {
        jsonv_fail(v, field, "invalid");
        return NULL;
    }
    return json_string_value(j);
}

static void body_list(jsonv *v, struct cust_in *in, const char *field, int phones)
{
    json_t *a = json_object_get(v->body, field);
    if (!a || json_is_null(a))
        return;
    if (!json_is_array(a) || json_array_size(a) > CUST_MAX_PHONES) {
        jsonv_fail(v, field, json_is_array(a) ? "too_many" : "invalid");
        return;
    }
    size_t i;
    json_t *x;
    json_array_foreach(a, i, x)
    {
        if (!json_is_string(x) || json_string_length(x) > 320) {
            jsonv_fail(v, field, json_is_string(x) ? "too_long" : "invalid");
            return;
        }
        const char *why = phones ? cust_v_phone_add(in, json_string_value(x))
                                 : cust_v_email_add(in, json_string_value(x));
        if (why) {
            jsonv_fail(v, field, why);
            return;
        }
    }
}

unsigned cust_body_fields(jsonv *v, struct cust_in *in, int create)
{
    unsigned have = 0;
    const char *why;
    json_t *b = v->body;
    if (create || json_object_get(b, "name")) {
        have |= HAVE_NAME;
        json_t *j = json_object_get(b, "name");
        if (j && !json_is_string(j) && !json_is_null(j))
            jsonv_fail(v, "name", "invalid");
        else if ((why = cust_v_name(in, json_string_value(j))))
            jsonv_fail(v, "name", why);
    }
    if (json_object_get(b, "region")) {
        have |= HAVE_REGION;
        const char *s = cust_body_str(v, "region", 64);
        if ((why = cust_v_region(in, s)))
            jsonv_fail(v, "region", why);
    }
    if (json_object_get(b, "address")) {
        have |= HAVE_ADDRESS;
        const char *s = cust_body_str(v, "address", CUST_RAW_MAX);
        if ((why = v_address(in, s)))
            jsonv_fail(v, "address", why);
    }
    if (json_object_get(b, "lang")) {
        have |= HAVE_LANG;
        const char *s = jsonv_enum(v, "lang", 1, cust_langs);
        if (s)
            snprintf(in->lang, sizeof in->lang, "%s", s);
    }
    if (json_object_get(b, "phone") || json_object_get(b, "phones")) {
        have |= HAVE_PHONES;
        const char *s = cust_body_str(v, "phone", 64);
        if (s && *s && (why = cust_v_phone_add(in, s)))
            jsonv_fail(v, "phone", why);
        body_list(v, in, "phones", 1);
    }
    if (json_object_get(b, "email") || json_object_get(b, "emails")) {
        have |= HAVE_EMAILS;
        const char *s = cust_body_str(v, "email", 320);
        if (s && *s && (why = cust_v_email_add(in, s)))
            jsonv_fail(v, "email", why);
        body_list(v, in, "emails", 0);
    }
    return have;
}

int cust_reply_validation(req *r, jsonv *v)
{
    return reply_error(r, 422, "validation_failed", "some fields are missing or not valid",
                       jsonv_take(v));
}

int cust_reply_not_found(req *r, int why)
{
    if (why == -2)
        return reply_error(r, 410, "erased", "this customer's data was erased", NULL);
    return reply_not_found(r, "customer");
}

int cust_find(req *r, int64_t *id, char code[16])
{
    int rc = cust_resolve_code(req_db(r), req_param(r, "code"), id, code);
    if (rc == -1 || rc == -2) {
        cust_reply_not_found(r, rc);
        return CUST_ANSWERED;
    }
    return rc;
}

struct write_call {
    req *r;
    int (*apply)(req *r, void *arg);
    void *arg;
};

static int write_fn(db_conn *c, void *p)
{
    (void)c;
    struct write_call *w = p;
    return w->apply(w->r, w->arg);
}

int cust_write(req *r, const char *what, int (*apply)(req *r, void *arg), void *arg)
{
    struct write_call w = {r, apply, arg};
    int rc = in_tx(req_db(r), write_fn, &w);
    if (rc >= 0)
        return rc;
    return reply_db_failure(r, rc, what) < 0 ? -1 : CUST_ANSWERED;
}

int cust_reply_customer(req *r, int status, int64_t id)
{
    json_t *out = cust_customer_json(req_db(r), id, 1);
    return out ? reply_json(r, status, out) : -1;
}

/* Validate one CSV row into in; NULL or "column: reason". */
const char *cust_row(struct cust_in *in, const char *const *val, char *code, char *msg,
                     size_t msgsz)
{
    const char *why;
    in->nphones = in->nemails = 0;
    in->name[0] = in->name_key[0] = in->region[0] = in->address[0] = in->lang[0] = '\0';
    code[0] = '\0';
    const char *col = NULL;
    if (val[COL_CODE] && *val[COL_CODE]) {
        const char *s = val[COL_CODE];
        if (strlen(s) != 9 || (s[0] != 'C' && s[0] != 'c') || strspn(s + 1, "0123456789") != 8) {
            col = "code";
            why = "must be C followed by 8 digits";
            goto bad;
        }
        code[0] = 'C';
        memcpy(code + 1, s + 1, 9);
    }
    if ((why = cust_v_name(in, val[COL_NAME] ? val[COL_NAME] : ""))) {
        col = "name";
        goto bad;
    }
    if (val[COL_PHONE] && (why = cust_v_list_add(in, val[COL_PHONE], 1))) {
        col = "phone";
        goto bad;
    }
    if (val[COL_EMAIL] && (why = cust_v_list_add(in, val[COL_EMAIL], 0))) {
        col = "email";
        goto bad;
    }
    if ((why = cust_v_region(in, val[COL_REGION]))) {
        col = "region";
        goto bad;
    }
    if ((why = v_address(in, val[COL_ADDRESS]))) {
        col = "address";
        goto bad;
    }
    if (val[COL_LANG] && *val[COL_LANG]) {
        if (strcmp(val[COL_LANG], "zh-CN") != 0 && strcmp(val[COL_LANG], "en") != 0) {
            col = "lang";
            why = "must be zh-CN or en (empty: zh-CN)";
            goto bad;
        }
        snprintf(in->lang, sizeof in->lang, "%s", val[COL_LANG]);
    }
    if (in->nphones + in->nemails == 0) {
        col = "phone";
        why = "a phone or an email is required";
        goto bad;
    }
    return NULL;
bad:
    snprintf(msg, msgsz, "%s: %s", col, why);
    return msg;
}
