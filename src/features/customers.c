/* customers: the customer master (M1). One record per person with a unique code
 * (C + 8 digits), found from any phone, email or name: storage, the /api/v1/customers
 * routes, CSV import/export, demo data, and the two calls other capabilities use
 * (customers_match_or_create, customers_resolve). The rules (normalisation, match
 * strength) are in rules/identity.c. */
#include "features/customers.h"

#include "base/audit.h"
#include "base/buf.h"
#include "base/csv.h"
#include "base/jsonv.h"
#include "base/log.h"
#include "rules/identity.h"

#include <ctype.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <utf8proc.h>

enum {
    CUST_MAX_PHONES = 5,
    CUST_MAX_EMAILS = 5,
    CUST_NAME_BYTES = IDENTITY_NAME_CHARS * 4 + 1,
    CUST_ADDRESS_CHARS = 200,
    CUST_ADDRESS_BYTES = CUST_ADDRESS_CHARS * 4 + 1,
    CUST_RAW_MAX = 4096, /* any field longer than this is refused before parsing */
    MATCH_MAX = 20,
    CAND_MAX = 64,
};

#define ROLES_READ (ROLE_ADMIN | ROLE_SUPERVISOR | ROLE_AGENT | ROLE_MARKETER)
#define ROLES_WRITE (ROLE_ADMIN | ROLE_SUPERVISOR | ROLE_AGENT)
#define ROLES_LOOKUP (ROLES_READ | ROLE_OUTLET_STAFF)
#define ROLES_ADMIN (ROLE_ADMIN | ROLE_SUPERVISOR)

static const char *const consent_channels[] = {"phone", "sms", "email", "fax", "post", NULL};

/* A customer's fields, validated and normalised. */
struct cust_in {
    char name[CUST_NAME_BYTES];
    char name_key[IDENTITY_NAME_KEY_MAX];
    char region[IDENTITY_REGION_MAX]; /* "" when none */
    char address[CUST_ADDRESS_BYTES]; /* "" when none */
    int nphones;
    char phones[CUST_MAX_PHONES][IDENTITY_PHONE_MAX];
    int kinds[CUST_MAX_PHONES];
    int nemails;
    char emails[CUST_MAX_EMAILS][IDENTITY_EMAIL_MAX];
};

/* ---- small helpers ---- */

static void fmt_time(int64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static json_t *json_time(int64_t t)
{
    char s[32];
    fmt_time(t, s);
    return json_string(s);
}

static const char *kind_name(int kind)
{
    return kind == IDENTITY_LANDLINE ? "landline" : "mobile";
}

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
static void trim_copy(const char *s, char *out, size_t cap)
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
static void prefix_end(const char *prefix, char *out, size_t cap)
{
    size_t n = strlen(prefix);
    if (n >= cap)
        n = cap - 1;
    memcpy(out, prefix, n);
    out[n] = '\0';
    if (n > 0)
        out[n - 1] = (char)((unsigned char)out[n - 1] + 1);
}

/* ---- field validation (shared by the API, match_or_create, CSV and demo) ---- */

static const char *v_name(struct cust_in *in, const char *s)
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

static const char *v_phone_add(struct cust_in *in, const char *s)
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

static const char *v_email_add(struct cust_in *in, const char *s)
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

static const char *v_region(struct cust_in *in, const char *s)
{
    char t[16];
    in->region[0] = '\0';
    if (!s)
        return NULL;
    if (strlen(s) > 15)
        return "invalid";
    trim_copy(s, t, sizeof t);
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
    trim_copy(s, t, sizeof t);
    int rc = text_check(t, CUST_ADDRESS_CHARS);
    if (rc == -2)
        return "too_long";
    if (rc < 0)
        return "invalid";
    strcpy(in->address, t);
    return NULL;
}

/* Split a "a;b" list (CSV cells, match_or_create) and add each part. */
static const char *v_list_add(struct cust_in *in, const char *s, int phones)
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
        trim_copy(part, t, sizeof t);
        if (!*t)
            continue;
        const char *why = phones ? v_phone_add(in, t) : v_email_add(in, t);
        if (why)
            return why;
    }
    return NULL;
}

/* ---- storage ---- */

/* Next customer code from the counters table (inside the write transaction). */
static int next_code(db_conn *c, char code[16])
{
    db_stmt *st = db_prepare(c, "UPDATE counters SET value = value + 1 WHERE name = 'customer'"
                                " RETURNING value");
    if (!st)
        return DB_ERROR;
    int rc = db_step(st);
    int64_t v = rc == DB_ROW ? db_int(st, 0) : 0;
    db_done(st);
    if (rc != DB_ROW)
        return rc < 0 ? rc : DB_ERROR;
    if (v > 99999999)
        return DB_ERROR;
    snprintf(code, 16, "C%08d", (int)v);
    return 0;
}

static int insert_phone(db_conn *c, int64_t id, const char *phone, int kind, int64_t now)
{
    char rev[IDENTITY_PHONE_MAX];
    identity_phone_reverse(phone, rev);
    int64_t rc = db_exec(c,
                         "INSERT INTO customer_phones (customer_id, phone, phone_rev, kind,"
                         " created_at) VALUES (?, ?, ?, ?, ?)",
                         "ittti", id, phone, rev, kind_name(kind), now);
    return rc < 0 ? (int)rc : 0;
}

static int insert_email(db_conn *c, int64_t id, const char *email, int64_t now)
{
    int64_t rc = db_exec(c,
                         "INSERT INTO customer_emails (customer_id, email, created_at)"
                         " VALUES (?, ?, ?)",
                         "iti", id, email, now);
    return rc < 0 ? (int)rc : 0;
}

/* Insert a customer with its phones and emails under code (no audit, no checks). */
static int insert_customer(db_conn *c, const struct cust_in *in, const char *code, int64_t now,
                           int64_t *id_out)
{
    db_stmt *st = db_prepare(c, "INSERT INTO customers (code, name, name_key, region, address,"
                                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                                " RETURNING id");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, code);
    db_bind_text(st, 2, in->name);
    db_bind_text(st, 3, in->name_key);
    db_bind_text(st, 4, in->region[0] ? in->region : NULL);
    db_bind_text(st, 5, in->address[0] ? in->address : NULL);
    db_bind_int(st, 6, now);
    db_bind_int(st, 7, now);
    int rc = db_step(st);
    int64_t id = rc == DB_ROW ? db_int(st, 0) : 0;
    db_done(st);
    if (rc != DB_ROW)
        return rc < 0 ? rc : DB_ERROR;
    for (int i = 0; i < in->nphones; i++)
        if ((rc = insert_phone(c, id, in->phones[i], in->kinds[i], now)) < 0)
            return rc;
    for (int i = 0; i < in->nemails; i++)
        if ((rc = insert_email(c, id, in->emails[i], now)) < 0)
            return rc;
    *id_out = id;
    return 0;
}

/* On PostgreSQL, serialise concurrent creates of the same phone/email (SQLite's BEGIN
 * IMMEDIATE already serialises all writers). */
static int lock_identities(db_conn *c, const struct cust_in *in)
{
    if (db_conn_kind(c) != DB_POSTGRES)
        return 0;
    for (int i = 0; i < in->nphones + in->nemails; i++) {
        const char *k = i < in->nphones ? in->phones[i] : in->emails[i - in->nphones];
        db_stmt *st = db_prepare(c, "SELECT pg_advisory_xact_lock(hashtext(CAST(? AS TEXT)))");
        if (!st)
            return DB_ERROR;
        db_bind_text(st, 1, k);
        int rc = db_step(st);
        db_done(st);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* id, merged_into (0 when none), erased (0/1) of a code. 0, -1 unknown, or a db error. */
static int lookup_code(db_conn *c, const char *code, int64_t *id, int64_t *merged, int *erased)
{
    db_stmt *st = db_prepare(c, "SELECT id, merged_into, erased_at FROM customers WHERE code = ?");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, code);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        *id = db_int(st, 0);
        *merged = db_isnull(st, 1) ? 0 : db_int(st, 1);
        *erased = !db_isnull(st, 2);
    }
    db_done(st);
    return rc == DB_ROW ? 0 : rc == DB_DONE ? -1 : rc;
}

/* Follow merges from code to the live record. 0, -1 unknown, -2 erased, or a db error. */
static int resolve_code(db_conn *c, const char *code_in, int64_t *id_out, char code_out[16])
{
    char code[16];
    size_t n = code_in ? strlen(code_in) : 0;
    if (n == 0 || n >= sizeof code)
        return -1;
    for (size_t i = 0; i <= n; i++)
        code[i] = (char)toupper((unsigned char)code_in[i]);
    int64_t id, merged;
    int erased;
    int rc = lookup_code(c, code, &id, &merged, &erased);
    for (int hops = 0; rc == 0 && merged && hops < 8; hops++) {
        db_stmt *st = db_prepare(c, "SELECT code, merged_into, erased_at FROM customers"
                                    " WHERE id = ?");
        if (!st)
            return DB_ERROR;
        db_bind_int(st, 1, merged);
        int s = db_step(st);
        if (s == DB_ROW) {
            id = merged;
            snprintf(code, sizeof code, "%s", db_text(st, 0));
            merged = db_isnull(st, 1) ? 0 : db_int(st, 1);
            erased = !db_isnull(st, 2);
        }
        db_done(st);
        if (s != DB_ROW)
            return s < 0 ? s : -1;
    }
    if (rc != 0)
        return rc;
    if (merged)
        return -1;
    if (erased)
        return -2;
    if (id_out)
        *id_out = id;
    if (code_out)
        snprintf(code_out, 16, "%s", code);
    return 0;
}

int customers_resolve(db_conn *c, const char *code, int64_t *id_out, char code_out[16])
{
    int rc = resolve_code(c, code, id_out, code_out);
    return rc == -2 ? -1 : rc;
}

/* The phones ([{number, kind}]) and emails of a customer. */
static int load_identities(db_conn *c, int64_t id, json_t *phones, json_t *emails)
{
    db_stmt *st = db_prepare(c, "SELECT phone, kind FROM customer_phones WHERE customer_id = ?"
                                " ORDER BY id");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, id);
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(
            phones, json_pack("{s:s, s:s}", "number", db_text(st, 0), "kind", db_text(st, 1)));
    db_done(st);
    if (rc < 0)
        return rc;
    st = db_prepare(c, "SELECT email FROM customer_emails WHERE customer_id = ? ORDER BY id");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, id);
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(emails, json_string(db_text(st, 0)));
    db_done(st);
    return rc < 0 ? rc : 0;
}

/* A customer as the API shows it. full adds consents, merged codes and times; name_key
 * (may be NULL) gets the stored name key. NULL on a db error or when the id does not
 * exist. */
static json_t *customer_json_key(db_conn *c, int64_t id, int full, char *name_key)
{
    db_stmt *st = db_prepare(c, "SELECT code, name, region, address, version, created_at,"
                                " updated_at, erased_at, name_key FROM customers WHERE id = ?");
    if (!st)
        return NULL;
    db_bind_int(st, 1, id);
    if (db_step(st) != DB_ROW) {
        db_done(st);
        return NULL;
    }
    if (name_key)
        snprintf(name_key, IDENTITY_NAME_KEY_MAX, "%s", db_text(st, 8) ? db_text(st, 8) : "");
    json_t *j = json_pack("{s:s, s:s, s:s?, s:s?, s:I}", "code", db_text(st, 0), "name",
                          db_text(st, 1), "region", db_text(st, 2), "address", db_text(st, 3),
                          "version", (json_int_t)db_int(st, 4));
    int64_t created = db_int(st, 5), updated = db_int(st, 6);
    int erased = !db_isnull(st, 7);
    int64_t erased_at = erased ? db_int(st, 7) : 0;
    db_done(st);
    json_t *phones = json_array(), *emails = json_array();
    json_object_set_new(j, "phones", phones);
    json_object_set_new(j, "emails", emails);
    if (load_identities(c, id, phones, emails) < 0)
        goto fail;
    json_t *p0 = json_array_get(phones, 0);
    json_object_set_new(j, "phone", p0 ? json_incref(json_object_get(p0, "number")) : json_null());
    json_object_set_new(
        j, "email", json_array_size(emails) ? json_incref(json_array_get(emails, 0)) : json_null());
    if (!full)
        return j;
    json_object_set_new(j, "created_at", json_time(created));
    json_object_set_new(j, "updated_at", json_time(updated));
    json_object_set_new(j, "erased_at", erased ? json_time(erased_at) : json_null());
    json_t *consents = json_object();
    for (int i = 0; consent_channels[i]; i++)
        json_object_set_new(consents, consent_channels[i], json_null());
    json_object_set_new(j, "consents", consents);
    st = db_prepare(c, "SELECT channel, granted, updated_at, source, updated_by"
                       " FROM customer_consents WHERE customer_id = ?");
    if (!st)
        goto fail;
    db_bind_int(st, 1, id);
    json_t *detail = json_object();
    json_object_set_new(j, "consent_details", detail);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        json_object_set_new(consents, db_text(st, 0), json_boolean(db_int(st, 1)));
        json_object_set_new(detail, db_text(st, 0),
                            json_pack("{s:b, s:o, s:s?, s:s}", "granted", (int)db_int(st, 1),
                                      "updated_at", json_time(db_int(st, 2)), "source",
                                      db_text(st, 3), "updated_by", db_text(st, 4)));
    }
    db_done(st);
    if (rc < 0)
        goto fail;
    json_t *merged = json_array();
    json_object_set_new(j, "merged_codes", merged);
    st = db_prepare(c, "SELECT code FROM customers WHERE merged_into = ? ORDER BY id");
    if (!st)
        goto fail;
    db_bind_int(st, 1, id);
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(merged, json_string(db_text(st, 0)));
    db_done(st);
    if (rc < 0)
        goto fail;
    return j;
fail:
    json_decref(j);
    return NULL;
}

static json_t *customer_json(db_conn *c, int64_t id, int full)
{
    return customer_json_key(c, id, full, NULL);
}

/* Summaries (the customer_json(c, id, 0) shape) of n <= 64 customers in three statements
 * instead of three per customer. out[i] is NULL for an id not found; keys[i] (may be NULL)
 * gets the name key. 0 or a db error (out[] then all NULL). */
static int summaries_load(db_conn *c, const int64_t *ids, int n, json_t **out,
                          char (*keys)[IDENTITY_NAME_KEY_MAX])
{
    char in[64 * 2 + 4], sql[400];
    size_t len = 0;
    for (int i = 0; i < n; i++) {
        out[i] = NULL;
        len += (size_t)snprintf(in + len, sizeof in - len, "%s?", i ? "," : "");
    }
    if (n == 0)
        return 0;
    static const char *const q[3] = {
        "SELECT id, code, name, region, address, version, name_key FROM customers WHERE id IN"
        " (%s)",
        "SELECT customer_id, phone, kind FROM customer_phones WHERE customer_id IN (%s)"
        " ORDER BY id",
        "SELECT customer_id, email FROM customer_emails WHERE customer_id IN (%s) ORDER BY id",
    };
    int rc = 0;
    for (int pass = 0; pass < 3 && rc >= 0; pass++) {
        snprintf(sql, sizeof sql, q[pass], in);
        db_stmt *st = db_prepare(c, sql);
        if (!st) {
            rc = DB_ERROR;
            break;
        }
        for (int i = 0; i < n; i++)
            db_bind_int(st, i + 1, ids[i]);
        while ((rc = db_step(st)) == DB_ROW) {
            int64_t id = db_int(st, 0);
            for (int i = 0; i < n; i++) {
                if (ids[i] != id)
                    continue;
                if (pass == 0) {
                    out[i] = json_pack("{s:s, s:s, s:s?, s:s?, s:I, s:[], s:[]}", "code",
                                       db_text(st, 1), "name", db_text(st, 2), "region",
                                       db_text(st, 3), "address", db_text(st, 4), "version",
                                       (json_int_t)db_int(st, 5), "phones", "emails");
                    if (keys)
                        snprintf(keys[i], IDENTITY_NAME_KEY_MAX, "%s",
                                 db_text(st, 6) ? db_text(st, 6) : "");
                } else if (out[i]) {
                    json_t *arr = json_object_get(out[i], pass == 1 ? "phones" : "emails");
                    json_array_append_new(arr, pass == 1 ? json_pack("{s:s, s:s}", "number",
                                                                     db_text(st, 1), "kind",
                                                                     db_text(st, 2))
                                                         : json_string(db_text(st, 1)));
                }
            }
        }
        db_done(st);
    }
    for (int i = 0; i < n; i++) {
        if (!out[i])
            continue;
        if (rc < 0) {
            json_decref(out[i]);
            out[i] = NULL;
            continue;
        }
        json_t *p0 = json_array_get(json_object_get(out[i], "phones"), 0);
        json_t *e0 = json_array_get(json_object_get(out[i], "emails"), 0);
        json_object_set_new(out[i], "phone",
                            p0 ? json_incref(json_object_get(p0, "number")) : json_null());
        json_object_set_new(out[i], "email", e0 ? json_incref(e0) : json_null());
    }
    return rc < 0 ? rc : 0;
}

/* ---- matching ---- */

struct cand {
    int64_t id;
    enum identity_strength strength;
    unsigned reasons;
    json_t *customer;
};

static void cand_add(int64_t *ids, int *n, int64_t id)
{
    for (int i = 0; i < *n; i++)
        if (ids[i] == id)
            return;
    if (*n < CAND_MAX)
        ids[(*n)++] = id;
}

/* Ids from a query with text parameters (NULL-terminated list), first column. */
static int collect_ids(db_conn *c, const char *sql, const char *const *params, int64_t *ids, int *n)
{
    db_stmt *st = db_prepare(c, sql);
    if (!st)
        return DB_ERROR;
    for (int i = 0; params[i]; i++)
        db_bind_text(st, i + 1, params[i]);
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        cand_add(ids, n, db_int(st, 0));
    db_done(st);
    return rc < 0 ? rc : 0;
}

static int cand_cmp(const void *a, const void *b)
{
    const struct cand *x = a, *y = b;
    if (x->strength != y->strength)
        return x->strength > y->strength ? -1 : 1;
    int nx = __builtin_popcount(x->reasons), ny = __builtin_popcount(y->reasons);
    if (nx != ny)
        return nx > ny ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

int customers_match(db_conn *c, const char *phone, const char *email, const char *name_key,
                    const char *region, int64_t exclude_id, json_t **out)
{
    int64_t ids[CAND_MAX];
    int n = 0, rc = 0;
    struct cand cands[CAND_MAX];
    int nc = 0;
    json_t *arr = json_array();
    const char *live = " AND c.merged_into IS NULL AND c.erased_at IS NULL";
    char sql[512];
    if (phone && *phone) {
        snprintf(sql, sizeof sql,
                 "SELECT c.id FROM customer_phones p JOIN customers c ON c.id = p.customer_id"
                 " WHERE p.phone = ?%s ORDER BY c.id LIMIT %d",
                 live, MATCH_MAX);
        if ((rc = collect_ids(c, sql, (const char *[]){phone, NULL}, ids, &n)) < 0)
            goto cleanup;
    }
    if (email && *email) {
        snprintf(sql, sizeof sql,
                 "SELECT c.id FROM customer_emails e JOIN customers c ON c.id = e.customer_id"
                 " WHERE e.email = ?%s ORDER BY c.id LIMIT %d",
                 live, MATCH_MAX);
        if ((rc = collect_ids(c, sql, (const char *[]){email, NULL}, ids, &n)) < 0)
            goto cleanup;
    }
    if (name_key && *name_key) {
        int alone = !(phone && *phone) && !(email && *email) && !(region && *region);
        if (alone) {
            snprintf(sql, sizeof sql,
                     "SELECT c.id FROM customers c WHERE c.name_key = ?%s ORDER BY c.id LIMIT %d",
                     live, MATCH_MAX);
            if ((rc = collect_ids(c, sql, (const char *[]){name_key, NULL}, ids, &n)) < 0)
                goto cleanup;
        } else {
            /* same name plus a clue: related region or the same phone tail. Regions: the
             * probe's area as a prefix range, or the candidate's province/city code
             * containing the probe's. Impossible ranges ('' .. '') when a clue is absent. */
            char r_lo[8] = "", r_hi[8] = "", r_prov[8] = "", r_city[8] = "";
            char t_lo[8] = "", t_hi[8] = "";
            if (region && *region) {
                size_t sig = strcmp(region + 2, "0000") == 0 ? 2
                             : strcmp(region + 4, "00") == 0 ? 4
                                                             : 6;
                memcpy(r_lo, region, sig);
                r_lo[sig] = '\0';
                prefix_end(r_lo, r_hi, sizeof r_hi);
                snprintf(r_prov, sizeof r_prov, "%.2s0000", region);
                snprintf(r_city, sizeof r_city, "%.4s00", region);
            }
            if (phone && strlen(phone) >= 4) {
                char rev[IDENTITY_PHONE_MAX];
                identity_phone_reverse(phone, rev);
                memcpy(t_lo, rev, 4);
                t_lo[4] = '\0';
                prefix_end(t_lo, t_hi, sizeof t_hi);
            }
            snprintf(sql, sizeof sql,
                     "SELECT c.id FROM customers c WHERE c.name_key = ?%s AND ("
                     "(c.region >= ? AND c.region < ?) OR c.region = ? OR c.region = ? OR"
                     " EXISTS (SELECT 1 FROM customer_phones p WHERE p.customer_id = c.id"
                     " AND p.phone_rev >= ? AND p.phone_rev < ?)) ORDER BY c.id LIMIT %d",
                     live, MATCH_MAX);
            const char *params[] = {name_key, r_lo, r_hi, r_prov, r_city, t_lo, t_hi, NULL};
            if ((rc = collect_ids(c, sql, params, ids, &n)) < 0)
                goto cleanup;
        }
    }
    struct identity_probe probe = {phone, email, name_key, region};
    int m = 0;
    for (int i = 0; i < n; i++)
        if (ids[i] != exclude_id)
            ids[m++] = ids[i];
    json_t *sum[CAND_MAX];
    char keys[CAND_MAX][IDENTITY_NAME_KEY_MAX];
    if ((rc = summaries_load(c, ids, m, sum, keys)) < 0)
        goto cleanup;
    for (int i = 0; i < m; i++) {
        char *nk = keys[i], rg[IDENTITY_REGION_MAX] = "";
        json_t *cj = sum[i];
        if (!cj)
            continue;
        snprintf(rg, sizeof rg, "%s",
                 json_string_value(json_object_get(cj, "region"))
                     ? json_string_value(json_object_get(cj, "region"))
                     : "");
        /* the candidate's identities, as strings for the rule */
        const char *ph[16], *em[16];
        int np = 0, ne = 0;
        size_t k;
        json_t *v;
        json_array_foreach(json_object_get(cj, "phones"), k, v) if (np < 16) ph[np++] =
            json_string_value(json_object_get(v, "number"));
        json_array_foreach(json_object_get(cj, "emails"), k, v) if (ne < 16) em[ne++] =
            json_string_value(v);
        struct identity_cand cand = {ph, np, em, ne, nk, rg};
        unsigned reasons = 0;
        enum identity_strength s = identity_match(&probe, &cand, &reasons);
        if (s == IDENTITY_NONE) {
            json_decref(cj);
            continue;
        }
        cands[nc++] = (struct cand){ids[i], s, reasons, cj};
    }
    rc = 0;
    qsort(cands, (size_t)nc, sizeof *cands, cand_cmp);
    for (int i = 0; i < nc && i < MATCH_MAX; i++) {
        json_t *why = json_array();
        for (unsigned bit = 1; bit <= IDENTITY_R_PHONE_TAIL; bit <<= 1)
            if (cands[i].reasons & bit)
                json_array_append_new(why, json_string(identity_reason_name(bit)));
        json_array_append_new(
            arr,
            json_pack("{s:O, s:s, s:o}", "customer", cands[i].customer, "strength",
                      cands[i].strength == IDENTITY_STRONG ? "strong" : "weak", "reasons", why));
    }
cleanup:
    for (int i = 0; i < nc; i++)
        json_decref(cands[i].customer);
    if (rc < 0) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return 0;
}

/* Strong matches of in's phones and emails among live customers other than exclude_id:
 * a JSON array (maybe empty) or NULL on a db error. */
static json_t *strong_matches(db_conn *c, const struct cust_in *in, int64_t exclude_id)
{
    json_t *all = json_array();
    for (int i = 0; i < in->nphones + in->nemails; i++) {
        json_t *m = NULL;
        int rc = i < in->nphones
                     ? customers_match(c, in->phones[i], NULL, in->name_key, NULL, exclude_id, &m)
                     : customers_match(c, NULL, in->emails[i - in->nphones], in->name_key, NULL,
                                       exclude_id, &m);
        if (rc < 0) {
            json_decref(all);
            return NULL;
        }
        size_t k;
        json_t *x;
        json_array_foreach(m, k, x)
        {
            if (strcmp(json_string_value(json_object_get(x, "strength")), "strong") != 0)
                continue;
            const char *code =
                json_string_value(json_object_get(json_object_get(x, "customer"), "code"));
            int seen = 0;
            size_t k2;
            json_t *y;
            json_array_foreach(all, k2, y) if (strcmp(json_string_value(json_object_get(
                                                          json_object_get(y, "customer"), "code")),
                                                      code) == 0) seen = 1;
            if (!seen)
                json_array_append(all, x);
        }
        json_decref(m);
    }
    return all;
}

/* ---- the two calls for other capabilities ---- */

const char *customers_invalid_field(int rc)
{
    switch (rc) {
    case CUSTOMERS_BAD_NAME:
        return "name";
    case CUSTOMERS_BAD_PHONE:
        return "phone";
    case CUSTOMERS_BAD_EMAIL:
        return "email";
    case CUSTOMERS_BAD_REGION:
        return "region";
    case CUSTOMERS_NO_CONTACT:
        return "phone";
    }
    return "";
}

const char *customers_invalid_reason(int rc)
{
    switch (rc) {
    case CUSTOMERS_BAD_NAME:
        return "the name is missing, too long or not valid text";
    case CUSTOMERS_BAD_PHONE:
        return "the phone is not a valid Chinese mobile or landline number";
    case CUSTOMERS_BAD_EMAIL:
        return "the email address is not valid";
    case CUSTOMERS_BAD_REGION:
        return "the region is not a six-digit GB/T 2260 code";
    case CUSTOMERS_NO_CONTACT:
        return "a phone or an email is required";
    }
    return "unknown";
}

static int first_live(db_conn *c, const char *sql, const char *key, int64_t *id, char code[16])
{
    db_stmt *st = db_prepare(c, sql);
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, key);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        *id = db_int(st, 0);
        snprintf(code, 16, "%s", db_text(st, 1));
    }
    db_done(st);
    return rc == DB_ROW ? 1 : rc < 0 ? rc : 0;
}

/* Create under a new code with an audit entry (inside the caller's transaction). */
static int create_customer(db_conn *c, const char *actor, const struct cust_in *in, const char *via,
                           int64_t *id, char code[16])
{
    int64_t now = now_unix();
    int rc = next_code(c, code);
    if (rc < 0)
        return rc;
    if ((rc = insert_customer(c, in, code, now, id)) < 0)
        return rc;
    json_t *d =
        json_pack("{s:s, s:i, s:i}", "via", via, "phones", in->nphones, "emails", in->nemails);
    rc = audit_write(c, actor, "create", "customer", code, d);
    json_decref(d);
    return rc;
}

int customers_match_or_create(db_conn *c, const char *actor, const char *name, const char *phone,
                              const char *email, const char *region, int64_t *id_out,
                              char code_out[16])
{
    struct cust_in in;
    memset(&in, 0, sizeof in);
    if (v_name(&in, name))
        return CUSTOMERS_BAD_NAME;
    if (phone && *phone && v_list_add(&in, phone, 1))
        return CUSTOMERS_BAD_PHONE;
    if (email && *email && v_list_add(&in, email, 0))
        return CUSTOMERS_BAD_EMAIL;
    if (v_region(&in, region))
        return CUSTOMERS_BAD_REGION;
    if (in.nphones + in.nemails == 0)
        return CUSTOMERS_NO_CONTACT;
    int rc = lock_identities(c, &in);
    if (rc < 0)
        return rc;
    int64_t id = 0;
    char code[16] = "";
    for (int i = 0; i < in.nphones + in.nemails && !id; i++) {
        rc = i < in.nphones
                 ? first_live(c,
                              "SELECT c.id, c.code FROM customer_phones p JOIN customers c"
                              " ON c.id = p.customer_id WHERE p.phone = ? AND c.merged_into IS NULL"
                              " AND c.erased_at IS NULL ORDER BY c.id LIMIT 1",
                              in.phones[i], &id, code)
                 : first_live(c,
                              "SELECT c.id, c.code FROM customer_emails e JOIN customers c"
                              " ON c.id = e.customer_id WHERE e.email = ? AND c.merged_into IS NULL"
                              " AND c.erased_at IS NULL ORDER BY c.id LIMIT 1",
                              in.emails[i - in.nphones], &id, code);
        if (rc < 0)
            return rc;
    }
    if (!id && (rc = create_customer(c, actor, &in, "match_or_create", &id, code)) < 0)
        return rc;
    if (id_out)
        *id_out = id;
    if (code_out)
        snprintf(code_out, 16, "%s", code);
    return 0;
}

/* ---- HTTP: reading the body ---- */

/* A string member: NULL when absent or null; records too_long / invalid. */
static const char *body_str(jsonv *v, const char *field, size_t maxbytes)
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
        const char *why =
            phones ? v_phone_add(in, json_string_value(x)) : v_email_add(in, json_string_value(x));
        if (why) {
            jsonv_fail(v, field, why);
            return;
        }
    }
}

/* Validate a create body (or an update's present fields, with *have saying which). */
enum { HAVE_NAME = 1, HAVE_REGION = 2, HAVE_ADDRESS = 4, HAVE_PHONES = 8, HAVE_EMAILS = 16 };

static unsigned body_fields(jsonv *v, struct cust_in *in, int create)
{
    unsigned have = 0;
    const char *why;
    json_t *b = v->body;
    if (create || json_object_get(b, "name")) {
        have |= HAVE_NAME;
        json_t *j = json_object_get(b, "name");
        if (j && !json_is_string(j) && !json_is_null(j))
            jsonv_fail(v, "name", "invalid");
        else if ((why = v_name(in, json_string_value(j))))
            jsonv_fail(v, "name", why);
    }
    if (json_object_get(b, "region")) {
        have |= HAVE_REGION;
        const char *s = body_str(v, "region", 64);
        if ((why = v_region(in, s)))
            jsonv_fail(v, "region", why);
    }
    if (json_object_get(b, "address")) {
        have |= HAVE_ADDRESS;
        const char *s = body_str(v, "address", CUST_RAW_MAX);
        if ((why = v_address(in, s)))
            jsonv_fail(v, "address", why);
    }
    if (json_object_get(b, "phone") || json_object_get(b, "phones")) {
        have |= HAVE_PHONES;
        const char *s = body_str(v, "phone", 64);
        if (s && *s && (why = v_phone_add(in, s)))
            jsonv_fail(v, "phone", why);
        body_list(v, in, "phones", 1);
    }
    if (json_object_get(b, "email") || json_object_get(b, "emails")) {
        have |= HAVE_EMAILS;
        const char *s = body_str(v, "email", 320);
        if (s && *s && (why = v_email_add(in, s)))
            jsonv_fail(v, "email", why);
        body_list(v, in, "emails", 0);
    }
    return have;
}

static int reply_validation(req *r, jsonv *v)
{
    return reply_error(r, 422, "validation_failed", "some fields are missing or not valid",
                       jsonv_take(v));
}

static int reply_duplicate(req *r, json_t *matches)
{
    json_t *e = json_pack("{s:s, s:s, s:o}", "code", "duplicate", "message",
                          "a customer with this phone or email exists already; send force to"
                          " create anyway",
                          "matches", matches);
    return reply_json(r, 409, json_pack("{s:o}", "error", e));
}

static int reply_not_found(req *r, int why)
{
    if (why == -2)
        return reply_error(r, 410, "erased", "this customer's data was erased", NULL);
    return reply_error(r, 404, "not_found", "no such customer", NULL);
}

/* ---- HTTP: handlers ---- */

static int customers_create(req *r)
{
    json_t *body = NULL, *matches = NULL, *out = NULL;
    jsonv v = {0};
    int rc = 0, began = 0;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv_init(&v, body);
    static const char *const allowed[] = {"name",   "phone",   "email", "phones", "emails",
                                          "region", "address", "force", NULL};
    jsonv_only(&v, allowed);
    struct cust_in in;
    memset(&in, 0, sizeof in);
    body_fields(&v, &in, 1);
    int force = 0;
    jsonv_bool(&v, "force", 0, &force);
    if (jsonv_ok(&v) && in.nphones + in.nemails == 0) {
        jsonv_fail(&v, "phone", "required");
        jsonv_fail(&v, "email", "required");
    }
    if (!jsonv_ok(&v)) {
        rc = reply_validation(r, &v);
        goto cleanup;
    }
    db_conn *c = req_db(r);
    if (db_begin(c) < 0) {
        rc = -1;
        goto cleanup;
    }
    began = 1;
    if (lock_identities(c, &in) < 0)
        goto dberr;
    if (!force) {
        if (!(matches = strong_matches(c, &in, 0)))
            goto dberr;
        if (json_array_size(matches) > 0) {
            db_rollback(c);
            began = 0;
            rc = reply_duplicate(r, matches);
            matches = NULL;
            goto cleanup;
        }
    }
    int64_t id;
    char code[16];
    if (create_customer(c, audit_actor(r), &in, force ? "api_forced" : "api", &id, code) < 0)
        goto dberr;
    if (db_commit(c) < 0)
        goto dberr;
    began = 0;
    out = customer_json(c, id, 1);
    rc = out ? reply_json(r, 201, out) : -1;
    out = NULL;
    goto cleanup;
dberr:
    log_error("customers create: %s", db_errmsg(req_db(r)));
    rc = -1;
cleanup:
    if (began)
        db_rollback(req_db(r));
    json_decref(matches);
    json_decref(out);
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

static int customers_get(req *r)
{
    db_conn *c = req_db(r);
    int64_t id;
    char code[16];
    int rc = resolve_code(c, req_param(r, "code"), &id, code);
    if (rc < 0 && rc != -1 && rc != -2)
        return -1;
    if (rc < 0)
        return reply_not_found(r, rc);
    json_t *j = customer_json(c, id, 1);
    if (!j)
        return -1;
    if (strcasecmp(code, req_param(r, "code")) != 0)
        json_object_set_new(j, "resolved_from", json_string(req_param(r, "code")));
    return reply_json(r, 200, j);
}

static int customers_update(req *r)
{
    json_t *body = NULL, *matches = NULL, *out = NULL, *changed = NULL;
    jsonv v = {0};
    int rc = 0, began = 0;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv_init(&v, body);
    static const char *const allowed[] = {"name",   "phone",   "email", "phones",  "emails",
                                          "region", "address", "force", "version", NULL};
    jsonv_only(&v, allowed);
    struct cust_in in;
    memset(&in, 0, sizeof in);
    unsigned have = body_fields(&v, &in, 0);
    int force = 0;
    long long version = 0;
    jsonv_bool(&v, "force", 0, &force);
    jsonv_int(&v, "version", 1, &version);
    if (!jsonv_ok(&v)) {
        rc = reply_validation(r, &v);
        goto cleanup;
    }
    db_conn *c = req_db(r);
    if (db_begin(c) < 0) {
        rc = -1;
        goto cleanup;
    }
    began = 1;
    int64_t id;
    char code[16];
    int f = resolve_code(c, req_param(r, "code"), &id, code);
    if (f == -1 || f == -2) {
        rc = reply_not_found(r, f);
        goto cleanup;
    }
    if (f < 0)
        goto dberr;
    /* current values for the fields not sent */
    db_stmt *st = db_prepare(c, "SELECT name, name_key, region, address, version FROM customers"
                                " WHERE id = ?");
    if (!st)
        goto dberr;
    db_bind_int(st, 1, id);
    if (db_step(st) != DB_ROW) {
        db_done(st);
        goto dberr;
    }
    int64_t cur_version = db_int(st, 4);
    struct cust_in cur;
    memset(&cur, 0, sizeof cur);
    snprintf(cur.name, sizeof cur.name, "%s", db_text(st, 0));
    snprintf(cur.name_key, sizeof cur.name_key, "%s", db_text(st, 1));
    snprintf(cur.region, sizeof cur.region, "%s", db_text(st, 2) ? db_text(st, 2) : "");
    snprintf(cur.address, sizeof cur.address, "%s", db_text(st, 3) ? db_text(st, 3) : "");
    db_done(st);
    if (cur_version != version) {
        db_rollback(c);
        began = 0;
        json_t *e = json_pack("{s:s, s:s, s:I}", "code", "stale_version", "message",
                              "the customer was changed by someone else; reload it",
                              "current_version", (json_int_t)cur_version);
        rc = reply_json(r, 409, json_pack("{s:o}", "error", e));
        goto cleanup;
    }
    changed = json_array();
    if (!(have & HAVE_NAME)) {
        strcpy(in.name, cur.name);
        strcpy(in.name_key, cur.name_key);
    } else if (strcmp(in.name, cur.name) != 0) {
        json_array_append_new(changed, json_string("name"));
    }
    if (!(have & HAVE_REGION))
        strcpy(in.region, cur.region);
    else if (strcmp(in.region, cur.region) != 0)
        json_array_append_new(changed, json_string("region"));
    if (!(have & HAVE_ADDRESS))
        strcpy(in.address, cur.address);
    else if (strcmp(in.address, cur.address) != 0)
        json_array_append_new(changed, json_string("address"));
    /* identities: replaced as a whole when sent; keep the others */
    json_t *ph = json_array(), *em = json_array();
    if (load_identities(c, id, ph, em) < 0) {
        json_decref(ph);
        json_decref(em);
        goto dberr;
    }
    size_t k;
    json_t *x;
    if (!(have & HAVE_PHONES)) {
        json_array_foreach(ph, k, x)
            v_phone_add(&in, json_string_value(json_object_get(x, "number")));
    } else {
        int same = (size_t)in.nphones == json_array_size(ph);
        json_array_foreach(
            ph, k, x) if (same && strcmp(in.phones[k],
                                         json_string_value(json_object_get(x, "number"))) != 0)
            same = 0;
        if (!same)
            json_array_append_new(changed, json_string("phones"));
    }
    if (!(have & HAVE_EMAILS)) {
        json_array_foreach(em, k, x) v_email_add(&in, json_string_value(x));
    } else {
        int same = (size_t)in.nemails == json_array_size(em);
        json_array_foreach(em, k, x) if (same && strcmp(in.emails[k], json_string_value(x)) != 0)
            same = 0;
        if (!same)
            json_array_append_new(changed, json_string("emails"));
    }
    json_decref(ph);
    json_decref(em);
    if (in.nphones + in.nemails == 0) {
        db_rollback(c);
        began = 0;
        jsonv_fail(&v, "phone", "required");
        jsonv_fail(&v, "email", "required");
        rc = reply_validation(r, &v);
        goto cleanup;
    }
    if (!force && (have & (HAVE_PHONES | HAVE_EMAILS))) {
        if (lock_identities(c, &in) < 0 || !(matches = strong_matches(c, &in, id)))
            goto dberr;
        if (json_array_size(matches) > 0) {
            db_rollback(c);
            began = 0;
            rc = reply_duplicate(r, matches);
            matches = NULL;
            goto cleanup;
        }
    }
    int64_t now = now_unix();
    if (json_array_size(changed) > 0) {
        if (db_exec(c,
                    "UPDATE customers SET name = ?, name_key = ?, region = ?, address = ?,"
                    " version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
                    "ttttiii", in.name, in.name_key, in.region[0] ? in.region : NULL,
                    in.address[0] ? in.address : NULL, now, id, (int64_t)version) != 1)
            goto dberr;
        if (have & HAVE_PHONES) {
            if (db_exec(c, "DELETE FROM customer_phones WHERE customer_id = ?", "i", id) < 0)
                goto dberr;
            for (int i = 0; i < in.nphones; i++)
                if (insert_phone(c, id, in.phones[i], in.kinds[i], now) < 0)
                    goto dberr;
        }
        if (have & HAVE_EMAILS) {
            if (db_exec(c, "DELETE FROM customer_emails WHERE customer_id = ?", "i", id) < 0)
                goto dberr;
            for (int i = 0; i < in.nemails; i++)
                if (insert_email(c, id, in.emails[i], now) < 0)
                    goto dberr;
        }
        json_t *d = json_pack("{s:O, s:b}", "fields", changed, "forced", force);
        int a = audit_write(c, audit_actor(r), "update", "customer", code, d);
        json_decref(d);
        if (a < 0)
            goto dberr;
    }
    if (db_commit(c) < 0)
        goto dberr;
    began = 0;
    out = customer_json(c, id, 1);
    rc = out ? reply_json(r, 200, out) : -1;
    out = NULL;
    goto cleanup;
dberr:
    log_error("customers update: %s", db_errmsg(req_db(r)));
    rc = -1;
cleanup:
    if (began)
        db_rollback(req_db(r));
    json_decref(changed);
    json_decref(matches);
    json_decref(out);
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

static int customers_match_route(req *r)
{
    const char *qp = req_query(r, "phone"), *qe = req_query(r, "email"), *qn = req_query(r, "name"),
               *qr = req_query(r, "region");
    char phone[IDENTITY_PHONE_MAX] = "", email[IDENTITY_EMAIL_MAX] = "",
         key[IDENTITY_NAME_KEY_MAX] = "", region[IDENTITY_REGION_MAX] = "";
    json_t *fields = json_object();
    if (qp && *qp && (strlen(qp) > 64 || identity_phone(qp, phone, NULL) < 0))
        json_object_set_new(fields, "phone", json_string(strlen(qp) > 64 ? "too_long" : "invalid"));
    if (qe && *qe && (strlen(qe) > 320 || identity_email(qe, email) < 0))
        json_object_set_new(fields, "email",
                            json_string(strlen(qe) > 320 ? "too_long" : "invalid"));
    if (qn && *qn && (strlen(qn) > 400 || identity_name_key(qn, key) < 0))
        json_object_set_new(fields, "name", json_string(strlen(qn) > 400 ? "too_long" : "invalid"));
    if (qr && *qr && identity_region(qr, region) < 0)
        json_object_set_new(fields, "region", json_string("invalid"));
    if (json_object_size(fields) == 0 && !*phone && !*email && !*key) {
        json_object_set_new(fields, "phone", json_string("required"));
        json_object_set_new(fields, "email", json_string("required"));
        json_object_set_new(fields, "name", json_string("required"));
    }
    if (json_object_size(fields) > 0)
        return reply_error(r, 422, "validation_failed",
                           "give a valid phone, email or name to match", fields);
    json_decref(fields);
    json_t *m = NULL;
    if (customers_match(req_db(r), phone, email, key, region, 0, &m) < 0)
        return -1;
    return reply_json(r, 200, json_pack("{s:o}", "matches", m));
}

/* GET /api/v1/customers?q=: code, phone (full, prefix, last 4+ digits), email or name
 * prefix, detected from what was typed; no q: the newest customers. */
static int customers_list(req *r)
{
    db_conn *c = req_db(r);
    const char *q = req_query(r, "q");
    const char *lim = req_query(r, "limit");
    const char *cur = req_query(r, "cursor");
    long limit = lim ? strtol(lim, NULL, 10) : 20;
    if (limit < 1 || limit > 100)
        return reply_error(r, 422, "validation_failed", "limit is 1 to 100",
                           json_pack("{s:s}", "limit", "out_of_range"));
    int64_t after = cur && *cur ? strtoll(cur, NULL, 10) : 0;
    char t[400] = "";
    if (q) {
        if (strlen(q) >= sizeof t)
            return reply_error(r, 422, "validation_failed", "q is too long",
                               json_pack("{s:s}", "q", "too_long"));
        trim_copy(q, t, sizeof t);
    }
    int64_t ids[101];
    const char *how[101];
    int n = 0, rc = 0, paged = 1;
    char sql[512], lo[IDENTITY_NAME_KEY_MAX], hi[IDENTITY_NAME_KEY_MAX];
    const char *live = "merged_into IS NULL AND erased_at IS NULL";
    db_stmt *st = NULL;
    char digits[IDENTITY_PHONE_MAX], phone[IDENTITY_PHONE_MAX], email[IDENTITY_EMAIL_MAX];
    size_t tl = strlen(t);
    int is_code =
        tl >= 2 && tl <= 9 && (t[0] == 'C' || t[0] == 'c') && strspn(t + 1, "0123456789") == tl - 1;
    if (!*t) {
        snprintf(sql, sizeof sql,
                 "SELECT id FROM customers WHERE %s AND id < ? ORDER BY id DESC"
                 " LIMIT %ld",
                 live, limit + 1);
        st = db_prepare(c, sql);
        if (!st)
            return -1;
        db_bind_int(st, 1, after > 0 ? after : INT64_MAX);
        while ((rc = db_step(st)) == DB_ROW && n <= limit) {
            how[n] = "recent";
            ids[n++] = db_int(st, 0);
        }
        db_done(st);
    } else if (is_code) {
        paged = 0;
        for (size_t i = 0; i < tl; i++)
            t[i] = (char)toupper((unsigned char)t[i]);
        int64_t id;
        char code[16];
        if (tl == 9) {
            rc = resolve_code(c, t, &id, code);
            if (rc == 0) {
                how[n] = "code";
                ids[n++] = id;
            } else if (rc != -1 && rc != -2) {
                return -1;
            }
            rc = 0;
        } else {
            prefix_end(t, hi, sizeof hi);
            snprintf(sql, sizeof sql,
                     "SELECT id FROM customers WHERE code >= ? AND code < ? AND %s"
                     " ORDER BY code LIMIT %ld",
                     live, limit);
            st = db_prepare(c, sql);
            if (!st)
                return -1;
            db_bind_text(st, 1, t);
            db_bind_text(st, 2, hi);
            while ((rc = db_step(st)) == DB_ROW && n < limit) {
                how[n] = "code";
                ids[n++] = db_int(st, 0);
            }
            db_done(st);
        }
    } else if (strchr(t, '@')) {
        paged = 0;
        const char *key = t;
        int exact = identity_email(t, email) == 0;
        if (exact)
            key = email;
        else
            for (size_t i = 0; i < tl; i++)
                t[i] = (char)tolower((unsigned char)t[i]);
        prefix_end(key, hi, sizeof hi);
        snprintf(sql, sizeof sql,
                 "SELECT e.customer_id FROM customer_emails e JOIN customers c"
                 " ON c.id = e.customer_id WHERE e.email >= ? AND e.email < ?"
                 " AND c.merged_into IS NULL AND c.erased_at IS NULL"
                 " ORDER BY e.email LIMIT %ld",
                 limit);
        st = db_prepare(c, sql);
        if (!st)
            return -1;
        db_bind_text(st, 1, key);
        db_bind_text(st, 2, hi);
        while ((rc = db_step(st)) == DB_ROW && n < limit) {
            int64_t id = db_int(st, 0);
            int dup = 0;
            for (int i = 0; i < n; i++)
                dup |= ids[i] == id;
            if (!dup) {
                how[n] = exact ? "email" : "email_prefix";
                ids[n++] = id;
            }
        }
        db_done(st);
    } else if (identity_phone_digits(t, digits) >= 4 || identity_phone(t, phone, NULL) == 0) {
        paged = 0;
        int exact = identity_phone(t, phone, NULL) == 0;
        const char *kinds[3] = {"phone", "phone_prefix", "phone_tail"};
        int have_digits = identity_phone_digits(t, digits) >= 4;
        for (int pass = exact ? 0 : 1; pass < 3 && n < limit; pass++) {
            char key[IDENTITY_PHONE_MAX], end[IDENTITY_PHONE_MAX + 1];
            const char *col = pass == 2 ? "phone_rev" : "phone";
            if (pass > 0 && !have_digits)
                break;
            if (pass == 0) { /* the whole number: phone = key */
                strcpy(key, phone);
                snprintf(end, sizeof end, "%s0", key);
            } else {
                if (pass == 1)
                    strcpy(key, digits);
                else
                    identity_phone_reverse(digits, key);
                prefix_end(key, end, sizeof end);
            }
            snprintf(sql, sizeof sql,
                     "SELECT p.customer_id FROM customer_phones p JOIN customers c ON c.id ="
                     " p.customer_id WHERE p.%s >= ? AND p.%s < ? AND c.merged_into IS NULL AND"
                     " c.erased_at IS NULL ORDER BY p.%s LIMIT %ld",
                     col, col, col, limit);
            st = db_prepare(c, sql);
            if (!st)
                return -1;
            db_bind_text(st, 1, key);
            db_bind_text(st, 2, end);
            while ((rc = db_step(st)) == DB_ROW && n < limit) {
                int64_t id = db_int(st, 0);
                int dup = 0;
                for (int i = 0; i < n; i++)
                    dup |= ids[i] == id;
                if (!dup) {
                    how[n] = kinds[pass];
                    ids[n++] = id;
                }
            }
            db_done(st);
            if (rc < 0)
                break;
        }
    } else {
        char key[IDENTITY_NAME_KEY_MAX];
        if (identity_name_key(t, key) < 0)
            return reply_json(r, 200, json_pack("{s:[], s:n}", "items", "next_cursor"));
        snprintf(lo, sizeof lo, "%s", key);
        prefix_end(key, hi, sizeof hi);
        char after_key[IDENTITY_NAME_KEY_MAX] = "";
        if (after > 0) {
            st = db_prepare(c, "SELECT name_key FROM customers WHERE id = ?");
            if (!st)
                return -1;
            db_bind_int(st, 1, after);
            if (db_step(st) == DB_ROW)
                snprintf(after_key, sizeof after_key, "%s", db_text(st, 0));
            db_done(st);
        }
        if (after > 0 && *after_key) {
            snprintf(sql, sizeof sql,
                     "SELECT id FROM customers WHERE name_key >= ? AND name_key < ? AND %s AND"
                     " (name_key > ? OR (name_key = ? AND id > ?)) ORDER BY name_key, id LIMIT %ld",
                     live, limit + 1);
        } else {
            snprintf(sql, sizeof sql,
                     "SELECT id FROM customers WHERE name_key >= ? AND name_key < ? AND %s"
                     " ORDER BY name_key, id LIMIT %ld",
                     live, limit + 1);
        }
        st = db_prepare(c, sql);
        if (!st)
            return -1;
        db_bind_text(st, 1, lo);
        db_bind_text(st, 2, hi);
        if (after > 0 && *after_key) {
            db_bind_text(st, 3, after_key);
            db_bind_text(st, 4, after_key);
            db_bind_int(st, 5, after);
        }
        while ((rc = db_step(st)) == DB_ROW && n <= limit) {
            how[n] = "name";
            ids[n++] = db_int(st, 0);
        }
        db_done(st);
    }
    if (rc < 0)
        return -1;
    json_t *items = json_array();
    int shown = n > limit ? (int)limit : n;
    for (int at = 0; at < shown; at += 64) {
        int k = shown - at < 64 ? shown - at : 64;
        json_t *sum[64];
        if (summaries_load(c, ids + at, k, sum, NULL) < 0) {
            json_decref(items);
            return -1;
        }
        for (int i = 0; i < k; i++) {
            if (!sum[i])
                continue;
            json_object_set_new(sum[i], "matched_on", json_string(how[at + i]));
            json_array_append_new(items, sum[i]);
        }
    }
    json_t *next = json_null();
    if (paged && n > limit) {
        char s[24];
        snprintf(s, sizeof s, "%" PRId64, ids[limit - 1]);
        next = json_string(s);
    }
    return reply_json(r, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}

/* Audit events of a customer (and of the codes merged into it) as timeline items. */
/* A readable summary of one of the customer's own audited events (English; the staff app
 * translates from action and detail). */
static void audit_summary(buf *s, const char *action, json_t *d)
{
    const char *str;
    if (strcmp(action, "create") == 0) {
        buf_adds(s, "created");
        if ((str = json_string_value(json_object_get(d, "via"))))
            buf_addf(s, " (%s)", str);
    } else if (strcmp(action, "update") == 0) {
        buf_adds(s, "changed:");
        size_t i;
        json_t *f;
        json_array_foreach(json_object_get(d, "fields"), i, f)
            buf_addf(s, "%s %s", i ? "," : "", json_string_value(f));
    } else if (strcmp(action, "consent") == 0) {
        json_t *to = json_object_get(d, "to");
        buf_addf(s, "consent %s: %s", json_string_value(json_object_get(d, "channel")),
                 json_is_true(to)    ? "granted"
                 : json_is_false(to) ? "refused"
                                     : "not asked");
        if ((str = json_string_value(json_object_get(d, "source"))))
            buf_addf(s, " (%s)", str);
    } else if (strcmp(action, "merge") == 0) {
        buf_addf(s, "merged %s into this customer",
                 json_string_value(json_object_get(d, "duplicate")));
    } else if (strcmp(action, "merged_into") == 0) {
        buf_addf(s, "merged into %s", json_string_value(json_object_get(d, "survivor")));
    } else if (strcmp(action, "export") == 0) {
        buf_adds(s, "personal data exported");
    } else if (strcmp(action, "erase") == 0) {
        buf_adds(s, "personal data erased");
    } else {
        buf_adds(s, action);
    }
}

/* Audit events of a customer (and of the codes merged into it) as timeline items. */
static int audit_items(db_conn *c, const char *code, json_t *items)
{
    db_stmt *st = db_prepare(c, "SELECT at, action, detail, actor FROM audit WHERE entity ="
                                " 'customer' AND entity_code = ? ORDER BY id");
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, code);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        const char *action = db_text(st, 1), *detail = db_text(st, 2);
        buf s = BUF_INIT;
        json_t *d = detail ? json_loads(detail, 0, NULL) : NULL;
        if (!d)
            d = json_object();
        audit_summary(&s, action, d);
        json_array_append_new(items, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o}", "at_unix",
                                               (json_int_t)db_int(st, 0), "kind", "customer",
                                               "code", code, "action", action, "summary", s.s,
                                               "actor", db_text(st, 3), "detail", d));
        buf_release(&s);
    }
    db_done(st);
    return rc < 0 ? rc : 0;
}

struct hitem {
    json_t *j;
    json_int_t at;
    size_t idx;
};

static int item_cmp(const void *a, const void *b)
{
    const struct hitem *x = a, *y = b;
    if (x->at != y->at)
        return x->at > y->at ? -1 : 1;
    return x->idx > y->idx ? -1 : x->idx < y->idx;
}

/* The timeline of a customer: every feature_history source plus the customer's own events,
 * newest first, at most limit items. */
static json_t *history_json(db_conn *c, int64_t id, const char *code, long limit)
{
    json_t *items = json_array();
    for (const struct history_source *h = feature_history; h->kind; h++) {
        db_stmt *st = db_prepare(c, h->sql);
        if (!st) {
            log_error("history source %s: %s", h->kind, db_errmsg(c));
            continue;
        }
        db_bind_int(st, 1, id);
        while (db_step(st) == DB_ROW)
            json_array_append_new(items,
                                  json_pack("{s:I, s:s, s:s?, s:s?}", "at_unix",
                                            (json_int_t)db_int(st, 0), "kind", h->kind, "code",
                                            db_text(st, 1), "summary", db_text(st, 2)));
        db_done(st);
    }
    if (audit_items(c, code, items) < 0)
        goto fail;
    db_stmt *st = db_prepare(c, "SELECT code FROM customers WHERE merged_into = ? ORDER BY id");
    if (!st)
        goto fail;
    db_bind_int(st, 1, id);
    char codes[64][16];
    int nm = 0;
    while (db_step(st) == DB_ROW && nm < 64)
        snprintf(codes[nm++], 16, "%s", db_text(st, 0));
    db_done(st);
    for (int i = 0; i < nm; i++)
        if (audit_items(c, codes[i], items) < 0)
            goto fail;
    /* newest first; for equal times the later entry (audit after sources) first */
    size_t n = json_array_size(items);
    struct hitem *v = malloc((n ? n : 1) * sizeof *v);
    for (size_t i = 0; i < n; i++) {
        v[i].j = json_array_get(items, i);
        v[i].at = json_integer_value(json_object_get(v[i].j, "at_unix"));
        v[i].idx = i;
    }
    qsort(v, n, sizeof *v, item_cmp);
    json_t *out = json_array();
    for (size_t i = 0; i < n && (long)i < limit; i++) {
        json_t *x = json_deep_copy(v[i].j);
        json_object_set_new(x, "at", json_time(v[i].at));
        json_object_del(x, "at_unix");
        json_array_append_new(out, x);
    }
    free(v);
    json_decref(items);
    return out;
fail:
    json_decref(items);
    return NULL;
}

static int customers_history(req *r)
{
    db_conn *c = req_db(r);
    int64_t id;
    char code[16];
    int rc = resolve_code(c, req_param(r, "code"), &id, code);
    if (rc == -1 || rc == -2)
        return reply_not_found(r, rc);
    if (rc < 0)
        return -1;
    const char *lim = req_query(r, "limit");
    long limit = lim ? strtol(lim, NULL, 10) : 200;
    if (limit < 1 || limit > 1000)
        limit = 200;
    json_t *items = history_json(c, id, code, limit);
    if (!items)
        return -1;
    return reply_json(r, 200, json_pack("{s:s, s:o}", "code", code, "items", items));
}

/* PUT /api/v1/customers/{code}/consents {"sms": true, "email": false, "post": null,
 * "source": "..."}: each channel sent is set (null: back to "never asked"), audited. */
static int customers_consents(req *r)
{
    json_t *body = NULL, *out = NULL;
    jsonv v = {0};
    int rc = 0, began = 0;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv_init(&v, body);
    static const char *const allowed[] = {"phone", "sms", "email", "fax", "post", "source", NULL};
    jsonv_only(&v, allowed);
    const char *source = body_str(&v, "source", 200);
    int any = 0;
    for (int i = 0; consent_channels[i]; i++) {
        json_t *j = json_object_get(body, consent_channels[i]);
        if (!j)
            continue;
        any = 1;
        if (!json_is_boolean(j) && !json_is_null(j))
            jsonv_fail(&v, consent_channels[i], "invalid");
    }
    if (!any && jsonv_ok(&v))
        jsonv_fail(&v, "sms", "required");
    if (!jsonv_ok(&v)) {
        rc = reply_validation(r, &v);
        goto cleanup;
    }
    db_conn *c = req_db(r);
    if (db_begin(c) < 0) {
        rc = -1;
        goto cleanup;
    }
    began = 1;
    int64_t id;
    char code[16];
    int f = resolve_code(c, req_param(r, "code"), &id, code);
    if (f == -1 || f == -2) {
        rc = reply_not_found(r, f);
        goto cleanup;
    }
    if (f < 0)
        goto dberr;
    int64_t now = now_unix();
    for (int i = 0; consent_channels[i]; i++) {
        const char *ch = consent_channels[i];
        json_t *j = json_object_get(body, ch);
        if (!j)
            continue;
        /* the current state, to audit only real changes */
        db_stmt *st = db_prepare(c, "SELECT granted FROM customer_consents WHERE customer_id = ?"
                                    " AND channel = ?");
        if (!st)
            goto dberr;
        db_bind_int(st, 1, id);
        db_bind_text(st, 2, ch);
        int s = db_step(st);
        int before = s == DB_ROW ? (int)db_int(st, 0) : -1;
        db_done(st);
        if (s < 0)
            goto dberr;
        int after = json_is_null(j) ? -1 : json_is_true(j);
        if (before == after)
            continue;
        int64_t x;
        if (after < 0)
            x = db_exec(c, "DELETE FROM customer_consents WHERE customer_id = ? AND channel = ?",
                        "it", id, ch);
        else
            x = db_exec(c,
                        "INSERT INTO customer_consents (customer_id, channel, granted, source,"
                        " updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)"
                        " ON CONFLICT (customer_id, channel) DO UPDATE SET granted ="
                        " excluded.granted, source = excluded.source, updated_at ="
                        " excluded.updated_at, updated_by = excluded.updated_by",
                        "itit"
                        "it",
                        id, ch, (int64_t)after, source, now, audit_actor(r));
        if (x < 0)
            goto dberr;
        json_t *d = json_pack("{s:s, s:o, s:o, s:s?}", "channel", ch, "from",
                              before < 0 ? json_null() : json_boolean(before), "to",
                              after < 0 ? json_null() : json_boolean(after), "source", source);
        int a = audit_write(c, audit_actor(r), "consent", "customer", code, d);
        json_decref(d);
        if (a < 0)
            goto dberr;
    }
    if (db_commit(c) < 0)
        goto dberr;
    began = 0;
    out = customer_json(c, id, 1);
    rc = out ? reply_json(r, 200, out) : -1;
    out = NULL;
    goto cleanup;
dberr:
    log_error("customers consents: %s", db_errmsg(req_db(r)));
    rc = -1;
cleanup:
    if (began)
        db_rollback(req_db(r));
    json_decref(out);
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

/* POST /api/v1/customers/{code}/merge {"duplicate": "C...", "version"?: n}: everything of
 * the duplicate moves to this customer (the survivor); the duplicate's code resolves to
 * the survivor from then on. */
static int customers_merge(req *r)
{
    json_t *body = NULL, *out = NULL;
    jsonv v = {0};
    int rc = 0, began = 0;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv_init(&v, body);
    static const char *const allowed[] = {"duplicate", "version", "duplicate_version", NULL};
    jsonv_only(&v, allowed);
    const char *dup_code = body_str(&v, "duplicate", 15);
    if (!dup_code && jsonv_ok(&v))
        jsonv_fail(&v, "duplicate", "required");
    long long version = -1, dup_version = -1;
    jsonv_int(&v, "version", 0, &version);
    jsonv_int(&v, "duplicate_version", 0, &dup_version);
    if (!jsonv_ok(&v)) {
        rc = reply_validation(r, &v);
        goto cleanup;
    }
    db_conn *c = req_db(r);
    if (db_begin(c) < 0) {
        rc = -1;
        goto cleanup;
    }
    began = 1;
    int64_t sid, did, dmerged;
    char scode[16], dcode[16];
    int f = resolve_code(c, req_param(r, "code"), &sid, scode);
    if (f == -1 || f == -2) {
        rc = reply_not_found(r, f);
        goto cleanup;
    }
    if (f < 0)
        goto dberr;
    int derased;
    snprintf(dcode, sizeof dcode, "%s", dup_code);
    for (char *p = dcode; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    f = lookup_code(c, dcode, &did, &dmerged, &derased);
    if (f < -1)
        goto dberr;
    const char *why = f == -1      ? "unknown"
                      : derased    ? "erased"
                      : dmerged    ? "already_merged"
                      : did == sid ? "same_customer"
                                   : NULL;
    if (why) {
        db_rollback(c);
        began = 0;
        jsonv_fail(&v, "duplicate", why);
        rc = reply_validation(r, &v);
        goto cleanup;
    }
    /* versions, when given, must be current */
    for (int i = 0; i < 2; i++) {
        long long want = i == 0 ? version : dup_version;
        if (want < 0)
            continue;
        db_stmt *st = db_prepare(c, "SELECT version FROM customers WHERE id = ?");
        if (!st)
            goto dberr;
        db_bind_int(st, 1, i == 0 ? sid : did);
        int64_t cur = db_step(st) == DB_ROW ? db_int(st, 0) : -1;
        db_done(st);
        if (cur != want) {
            db_rollback(c);
            began = 0;
            json_t *e = json_pack("{s:s, s:s, s:I}", "code", "stale_version", "message",
                                  "a customer was changed meanwhile; reload both",
                                  "current_version", (json_int_t)cur);
            rc = reply_json(r, 409, json_pack("{s:o}", "error", e));
            goto cleanup;
        }
    }
    /* other capabilities' records */
    for (const char *const *m = feature_customer_moves; *m; m++)
        if (db_exec(c, *m, "ii", sid, did) < 0)
            goto dberr;
    /* identities: move those the survivor lacks, drop the rest */
    if (db_exec(c,
                "DELETE FROM customer_phones WHERE customer_id = ? AND phone IN"
                " (SELECT phone FROM customer_phones WHERE customer_id = ?)",
                "ii", did, sid) < 0 ||
        db_exec(c, "UPDATE customer_phones SET customer_id = ? WHERE customer_id = ?", "ii", sid,
                did) < 0 ||
        db_exec(c,
                "DELETE FROM customer_emails WHERE customer_id = ? AND email IN"
                " (SELECT email FROM customer_emails WHERE customer_id = ?)",
                "ii", did, sid) < 0 ||
        db_exec(c, "UPDATE customer_emails SET customer_id = ? WHERE customer_id = ?", "ii", sid,
                did) < 0 ||
        db_exec(c,
                "DELETE FROM customer_consents WHERE customer_id = ? AND channel IN"
                " (SELECT channel FROM customer_consents WHERE customer_id = ?)",
                "ii", did, sid) < 0 ||
        db_exec(c, "UPDATE customer_consents SET customer_id = ? WHERE customer_id = ?", "ii", sid,
                did) < 0)
        goto dberr;
    int64_t now = now_unix();
    /* the survivor takes region/address it lacks */
    if (db_exec(c,
                "UPDATE customers SET region = COALESCE(region, (SELECT region FROM customers d"
                " WHERE d.id = ?)), address = COALESCE(address, (SELECT address FROM customers d"
                " WHERE d.id = ?)), version = version + 1, updated_at = ? WHERE id = ?",
                "iiii", did, did, now, sid) < 0)
        goto dberr;
    /* flatten: codes merged into the duplicate now point at the survivor */
    if (db_exec(c, "UPDATE customers SET merged_into = ? WHERE merged_into = ?", "ii", sid, did) <
            0 ||
        db_exec(c,
                "UPDATE customers SET merged_into = ?, version = version + 1, updated_at = ?"
                " WHERE id = ?",
                "iii", sid, now, did) < 0)
        goto dberr;
    json_t *d1 = json_pack("{s:s}", "duplicate", dcode);
    json_t *d2 = json_pack("{s:s}", "survivor", scode);
    int a = audit_write(c, audit_actor(r), "merge", "customer", scode, d1);
    if (a >= 0)
        a = audit_write(c, audit_actor(r), "merged_into", "customer", dcode, d2);
    json_decref(d1);
    json_decref(d2);
    if (a < 0)
        goto dberr;
    if (db_commit(c) < 0)
        goto dberr;
    began = 0;
    out = customer_json(c, sid, 1);
    rc = out ? reply_json(r, 200, out) : -1;
    out = NULL;
    goto cleanup;
dberr:
    log_error("customers merge: %s", db_errmsg(req_db(r)));
    rc = -1;
cleanup:
    if (began)
        db_rollback(req_db(r));
    json_decref(out);
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

/* GET /api/v1/customers/{code}/export: everything held on the person (audited). */
static int customers_export(req *r)
{
    db_conn *c = req_db(r);
    int64_t id;
    char code[16];
    int rc = resolve_code(c, req_param(r, "code"), &id, code);
    if (rc == -1 || rc == -2)
        return reply_not_found(r, rc);
    if (rc < 0)
        return -1;
    json_t *cust = customer_json(c, id, 1);
    json_t *hist = cust ? history_json(c, id, code, 100000) : NULL;
    if (!hist) {
        json_decref(cust);
        return -1;
    }
    /* merged records' own fields (names and addresses they were known by) */
    json_t *merged = json_array();
    db_stmt *st = db_prepare(c, "SELECT code, name, region, address, created_at FROM customers"
                                " WHERE merged_into = ? ORDER BY id");
    if (st) {
        db_bind_int(st, 1, id);
        while (db_step(st) == DB_ROW)
            json_array_append_new(
                merged, json_pack("{s:s, s:s, s:s?, s:s?, s:o}", "code", db_text(st, 0), "name",
                                  db_text(st, 1), "region", db_text(st, 2), "address",
                                  db_text(st, 3), "created_at", json_time(db_int(st, 4))));
        db_done(st);
    }
    if (db_begin(c) < 0 || audit_write(c, audit_actor(r), "export", "customer", code, NULL) < 0 ||
        db_commit(c) < 0) {
        db_rollback(c);
        json_decref(cust);
        json_decref(hist);
        json_decref(merged);
        return -1;
    }
    char now[32];
    fmt_time(now_unix(), now);
    reply_header(r, "Content-Disposition",
                 arena_printf(r->a, "attachment; filename=\"customer-%s.json\"", code));
    return reply_json(r, 200,
                      json_pack("{s:s, s:s, s:o, s:o, s:o}", "exported_at", now, "exported_by",
                                audit_actor(r), "customer", cust, "merged_records", merged,
                                "history", hist));
}

/* POST /api/v1/customers/{code}/erase {"reason": "..."}: personal fields removed (name,
 * address, phones, emails, consents; also on records merged into it); the row, its code,
 * region and the links from repairs etc. stay, anonymous, for statistics. */
static int customers_erase(req *r)
{
    json_t *body = NULL;
    jsonv v = {0};
    int rc = 0, began = 0;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv_init(&v, body);
    static const char *const allowed[] = {"reason", NULL};
    jsonv_only(&v, allowed);
    const char *reason = body_str(&v, "reason", 500);
    if (!reason || !*reason)
        jsonv_fail(&v, "reason", "required");
    if (!jsonv_ok(&v)) {
        rc = reply_validation(r, &v);
        goto cleanup;
    }
    db_conn *c = req_db(r);
    if (db_begin(c) < 0) {
        rc = -1;
        goto cleanup;
    }
    began = 1;
    int64_t id;
    char code[16];
    int f = resolve_code(c, req_param(r, "code"), &id, code);
    if (f == -1 || f == -2) {
        rc = reply_not_found(r, f);
        goto cleanup;
    }
    if (f < 0)
        goto dberr;
    int64_t now = now_unix();
    static const char *const wipe[] = {
        "DELETE FROM customer_phones WHERE customer_id IN (SELECT id FROM customers WHERE id = ?"
        " OR merged_into = ?)",
        "DELETE FROM customer_emails WHERE customer_id IN (SELECT id FROM customers WHERE id = ?"
        " OR merged_into = ?)",
        "DELETE FROM customer_consents WHERE customer_id IN (SELECT id FROM customers WHERE id ="
        " ? OR merged_into = ?)",
        NULL,
    };
    for (int i = 0; wipe[i]; i++)
        if (db_exec(c, wipe[i], "ii", id, id) < 0)
            goto dberr;
    for (const char *const *e = feature_customer_erasures; *e; e++)
        if (db_exec(c, *e, "ii", id, id) < 0)
            goto dberr;
    if (db_exec(c,
                "UPDATE customers SET name = '', name_key = '', address = NULL, erased_at = ?,"
                " version = version + 1, updated_at = ? WHERE id = ? OR merged_into = ?",
                "iiii", now, now, id, id) < 0)
        goto dberr;
    json_t *d = json_pack("{s:s}", "reason", reason);
    int a = audit_write(c, audit_actor(r), "erase", "customer", code, d);
    json_decref(d);
    if (a < 0 || db_commit(c) < 0)
        goto dberr;
    began = 0;
    rc = reply_json(r, 200, json_pack("{s:s, s:s}", "code", code, "status", "erased"));
    goto cleanup;
dberr:
    log_error("customers erase: %s", db_errmsg(req_db(r)));
    rc = -1;
cleanup:
    if (began)
        db_rollback(req_db(r));
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

/* Who may do what: agents, supervisors and admins read and write; marketers read;
 * merging and erasing are for supervisors and admins. Outlet staff (technician,
 * outlet_manager) may match and open one customer by code (a walk-in at the counter);
 * they cannot list, search, see history or export. */
const struct route customers_routes[] = {
    {"GET", "/api/v1/customers/match", customers_match_route, ROLES_LOOKUP, 0},
    {"GET", "/api/v1/customers", customers_list, ROLES_READ, 0},
    {"POST", "/api/v1/customers", customers_create, ROLES_WRITE, 0},
    {"GET", "/api/v1/customers/:code", customers_get, ROLES_LOOKUP, 0},
    {"PATCH", "/api/v1/customers/:code", customers_update, ROLES_WRITE, 0},
    {"GET", "/api/v1/customers/:code/history", customers_history, ROLES_READ, 0},
    {"PUT", "/api/v1/customers/:code/consents", customers_consents, ROLES_WRITE, 0},
    {"POST", "/api/v1/customers/:code/merge", customers_merge, ROLES_ADMIN, 0},
    {"GET", "/api/v1/customers/:code/export", customers_export, ROLES_WRITE, 0},
    {"POST", "/api/v1/customers/:code/erase", customers_erase, ROLES_ADMIN, 0},
    {0},
};

/* ---- CSV ---- */

static const struct csv_column cust_columns[] = {
    {"code", 0}, {"name", 0}, {"phone", 0}, {"email", 0}, {"region", 0}, {"address", 0}, {NULL, 0}};
enum { COL_CODE, COL_NAME, COL_PHONE, COL_EMAIL, COL_REGION, COL_ADDRESS, NCOLS };

/* Validate one CSV row into in; NULL or "column: reason". */
static const char *cust_row(struct cust_in *in, const char *const *val, char *code, char *msg,
                            size_t msgsz)
{
    const char *why;
    in->nphones = in->nemails = 0;
    in->name[0] = in->name_key[0] = in->region[0] = in->address[0] = '\0';
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
    if ((why = v_name(in, val[COL_NAME] ? val[COL_NAME] : ""))) {
        col = "name";
        goto bad;
    }
    if (val[COL_PHONE] && (why = v_list_add(in, val[COL_PHONE], 1))) {
        col = "phone";
        goto bad;
    }
    if (val[COL_EMAIL] && (why = v_list_add(in, val[COL_EMAIL], 0))) {
        col = "email";
        goto bad;
    }
    if ((why = v_region(in, val[COL_REGION]))) {
        col = "region";
        goto bad;
    }
    if ((why = v_address(in, val[COL_ADDRESS]))) {
        col = "address";
        goto bad;
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

/* Insert many customers fast (import, demo): one transaction opened by the caller, codes
 * given or drawn from *next. */
/* Rows per multi-row INSERT, within the db layer's 256 parameters: customers 32 x 7,
 * phones 51 x 5, emails 85 x 3. */
enum { BULK_BATCH = 32, BULK_PHONES = 51, BULK_EMAILS = 85 };

struct bulk {
    db_conn *c;
    int reindex;      /* the tables were empty: secondary indexes dropped, rebuilt at the end */
    int64_t next;     /* last code number used */
    int64_t max_code; /* largest explicit code number seen */
    int64_t now;
    long rows;
    uint8_t *codes; /* bitmap of the code numbers used by this load (12.5 MB) */
    int npending;
    const struct cust_in *pending[BULK_BATCH]; /* valid until the next flush */
    struct cust_in store[BULK_BATCH];          /* for callers without storage (bulk_slot) */
    char pcode[BULK_BATCH][16];
    /* the multi-row INSERTs by row count, prepared once: building and looking up their
     * long SQL text for every batch cost more than running them */
    db_stmt *ins_cust[BULK_BATCH + 1], *ins_phone[BULK_PHONES + 1], *ins_email[BULK_EMAILS + 1];
};

/* Room for the next customer, for callers that build it in place (demo). */
static struct cust_in *bulk_slot(struct bulk *b)
{
    return &b->store[b->npending];
}
/* Secondary indexes of the customer tables, as the migrations create them. A bulk load
 * into empty tables drops them and builds them once at the end (sorting is several times
 * faster than inserting random keys row by row); the transaction keeps it atomic. The
 * unique index on customers.code stays (it catches duplicate codes in the file), and so do
 * the customer_id indexes: ids only grow, so those inserts are appends. */
static const struct {
    const char *name, *sqlite, *pg;
} bulk_indexes[] = {
    {"customers_name_key", "customers(name_key)", "customers(name_key, id)"},
    {"customer_phones_phone", "customer_phones(phone)", NULL},
    {"customer_phones_rev", "customer_phones(phone_rev)", NULL},
    {"customer_emails_email", "customer_emails(email)", NULL},
};

static int bulk_indexes_set(db_conn *c, int create)
{
    for (size_t i = 0; i < sizeof bulk_indexes / sizeof *bulk_indexes; i++) {
        char sql[200];
        const char *on = db_conn_kind(c) == DB_POSTGRES && bulk_indexes[i].pg
                             ? bulk_indexes[i].pg
                             : bulk_indexes[i].sqlite;
        if (create)
            snprintf(sql, sizeof sql, "CREATE INDEX %s ON %s", bulk_indexes[i].name, on);
        else
            snprintf(sql, sizeof sql, "DROP INDEX %s", bulk_indexes[i].name);
        if (db_exec_script(c, sql) < 0)
            return DB_ERROR;
    }
    return 0;
}

static void bulk_free(struct bulk *b)
{
    free(b->codes);
    b->codes = NULL;
}

static int bulk_begin(struct bulk *b, db_conn *c)
{
    memset(b, 0, sizeof *b);
    b->c = c;
    b->now = now_unix();
    b->codes = calloc(100000000 / 8, 1);
    if (!b->codes)
        return DB_ERROR;
    db_stmt *e = db_prepare(c, "SELECT COUNT(*) FROM (SELECT id FROM customers LIMIT 1) x");
    if (!e)
        return DB_ERROR;
    int empty = db_step(e) == DB_ROW && db_int(e, 0) == 0;
    db_done(e);
    if (empty) {
        if (bulk_indexes_set(c, 0) < 0)
            return DB_ERROR;
        b->reindex = 1;
    }
    /* lock the counter row for the whole transaction and read it */
    db_stmt *st = db_prepare(c, "UPDATE counters SET value = value WHERE name = 'customer'"
                                " RETURNING value");
    if (!st)
        return DB_ERROR;
    int rc = db_step(st);
    if (rc == DB_ROW)
        b->next = db_int(st, 0);
    db_done(st);
    return rc == DB_ROW ? 0 : rc < 0 ? rc : DB_ERROR;
}

/* "INSERT INTO table (cols) VALUES (?,..),(?,..)... [RETURNING ...]" for n rows. */
static void multi_insert_sql(char *out, size_t cap, const char *head, int ncols, int n,
                             const char *tail)
{
    size_t len = (size_t)snprintf(out, cap, "%s VALUES ", head);
    for (int r = 0; r < n && len < cap; r++) {
        len += (size_t)snprintf(out + len, cap - len, "%s(", r ? "," : "");
        for (int k = 0; k < ncols && len < cap; k++)
            len += (size_t)snprintf(out + len, cap - len, "%s?", k ? "," : "");
        if (len < cap)
            len += (size_t)snprintf(out + len, cap - len, ")");
    }
    if (len < cap)
        snprintf(out + len, cap - len, "%s", tail);
}

/* Insert the pending customers, several rows per statement, then their phones and
 * emails the same way. */
static int bulk_flush(struct bulk *b)
{
    int n = b->npending, rc;
    if (n == 0)
        return 0;
    char sql[2048];
    int64_t ids[BULK_BATCH] = {0};
    db_stmt *st = b->ins_cust[n];
    if (!st) {
        multi_insert_sql(sql, sizeof sql,
                         "INSERT INTO customers (code, name, name_key, region, address,"
                         " created_at, updated_at)",
                         7, n, " RETURNING id, code");
        st = b->ins_cust[n] = db_prepare(b->c, sql);
        if (!st)
            return DB_ERROR;
    }
    for (int i = 0; i < n; i++) {
        const struct cust_in *in = b->pending[i];
        int p = i * 7;
        db_bind_text(st, p + 1, b->pcode[i]);
        db_bind_text(st, p + 2, in->name);
        db_bind_text(st, p + 3, in->name_key);
        db_bind_text(st, p + 4, in->region[0] ? in->region : NULL);
        db_bind_text(st, p + 5, in->address[0] ? in->address : NULL);
        db_bind_int(st, p + 6, b->now);
        db_bind_int(st, p + 7, b->now);
    }
    for (int k = 0; (rc = db_step(st)) == DB_ROW; k++) {
        /* the rows come back in the order given (SQLite); matched by code in case not */
        const char *code = db_text(st, 1);
        if (k < n && strcmp(b->pcode[k], code) == 0) {
            ids[k] = db_int(st, 0);
            continue;
        }
        for (int i = 0; i < n; i++)
            if (strcmp(b->pcode[i], code) == 0)
                ids[i] = db_int(st, 0);
    }
    db_done(st);
    if (rc < 0)
        return rc;
    /* phones (5 columns, 12 a statement) and emails (3 columns, 21 a statement) */
    for (int pass = 0; pass < 2; pass++) {
        int per = pass == 0 ? BULK_PHONES : BULK_EMAILS, ncols = pass == 0 ? 5 : 3;
        struct {
            int64_t id;
            const char *v;
            int kind;
        } rows[BULK_BATCH * CUST_MAX_PHONES];
        int nr = 0;
        for (int i = 0; i < n; i++) {
            const struct cust_in *in = b->pending[i];
            int cnt = pass == 0 ? in->nphones : in->nemails;
            for (int k = 0; k < cnt; k++) {
                rows[nr].id = ids[i];
                rows[nr].v = pass == 0 ? in->phones[k] : in->emails[k];
                rows[nr++].kind = pass == 0 ? in->kinds[k] : 0;
            }
        }
        for (int at = 0; at < nr; at += per) {
            int m = nr - at < per ? nr - at : per;
            db_stmt **slot = pass == 0 ? &b->ins_phone[m] : &b->ins_email[m];
            if (!*slot) {
                multi_insert_sql(sql, sizeof sql,
                                 pass == 0 ? "INSERT INTO customer_phones (customer_id, phone,"
                                             " phone_rev, kind, created_at)"
                                           : "INSERT INTO customer_emails (customer_id, email,"
                                             " created_at)",
                                 ncols, m, "");
                *slot = db_prepare(b->c, sql);
                if (!*slot)
                    return DB_ERROR;
            }
            st = *slot;
            char revs[BULK_PHONES][IDENTITY_PHONE_MAX];
            for (int j = 0; j < m; j++) {
                int p = j * ncols;
                db_bind_int(st, p + 1, rows[at + j].id);
                db_bind_text(st, p + 2, rows[at + j].v);
                if (pass == 0) {
                    identity_phone_reverse(rows[at + j].v, revs[j]);
                    db_bind_text(st, p + 3, revs[j]);
                    db_bind_text(st, p + 4, kind_name(rows[at + j].kind));
                    db_bind_int(st, p + 5, b->now);
                } else {
                    db_bind_int(st, p + 3, b->now);
                }
            }
            rc = db_step(st);
            db_done(st);
            if (rc < 0)
                return rc;
        }
    }
    b->rows += n;
    b->npending = 0;
    return 0;
}

/* Queue one customer (in must stay valid until the next bulk_flush or bulk_end). Its code
 * is code_in (checked unused: BULK_CODE_TAKEN otherwise) or the next from the counter.
 * With id_out, it is inserted at once and its id returned. */
enum { BULK_CODE_TAKEN = -100 };

static int bulk_add(struct bulk *b, const struct cust_in *in, const char *code_in, int64_t *id_out,
                    char code_out[16])
{
    char code[16];
    int64_t num;
    if (code_out)
        snprintf(code_out, 16, "%s", code_in ? code_in : "");
    if (code_in && *code_in) {
        snprintf(code, sizeof code, "%s", code_in);
        num = strtoll(code + 1, NULL, 10);
        if (!b->reindex) { /* the table had rows: is the code one of them? */
            db_stmt *st = db_prepare(b->c, "SELECT 1 FROM customers WHERE code = ?");
            if (!st)
                return DB_ERROR;
            db_bind_text(st, 1, code);
            int rc = db_step(st);
            db_done(st);
            if (rc < 0)
                return rc;
            if (rc == DB_ROW)
                return BULK_CODE_TAKEN;
        }
        if (num > b->max_code)
            b->max_code = num;
    } else {
        do {
            if (b->next >= 99999999)
                return DB_ERROR;
            num = ++b->next;
        } while (b->codes[num / 8] & (1u << (num % 8))); /* skip codes given earlier */
        snprintf(code, sizeof code, "C%08d", (int)num);
    }
    if (b->codes[num / 8] & (1u << (num % 8)))
        return BULK_CODE_TAKEN; /* given twice in this load */
    b->codes[num / 8] |= (uint8_t)(1u << (num % 8));
    b->pending[b->npending] = in;
    memcpy(b->pcode[b->npending], code, 16);
    b->npending++;
    if (code_out)
        memcpy(code_out, code, 16);
    if (b->npending == BULK_BATCH || id_out) {
        int rc = bulk_flush(b);
        if (rc < 0)
            return rc;
        if (id_out) {
            db_stmt *st = db_prepare(b->c, "SELECT id FROM customers WHERE code = ?");
            if (!st)
                return DB_ERROR;
            db_bind_text(st, 1, code);
            rc = db_step(st);
            if (rc == DB_ROW)
                *id_out = db_int(st, 0);
            db_done(st);
            if (rc != DB_ROW)
                return DB_ERROR;
        }
    }
    return 0;
}

static int bulk_end(struct bulk *b, const char *actor, json_t *detail)
{
    if (bulk_flush(b) < 0)
        return DB_ERROR;
    int64_t v = b->next > b->max_code ? b->next : b->max_code;
    if (db_exec(b->c, "UPDATE counters SET value = ? WHERE name = 'customer'", "i", v) < 0)
        return DB_ERROR;
    /* SQLite sorts an index in memory on one thread when the cache can hold it; a small
     * cache makes it sort runs on the worker threads (PRAGMA threads) and merge them. */
    if (b->reindex && db_conn_kind(b->c) == DB_SQLITE)
        db_exec_script(b->c, "PRAGMA cache_size=-16384");
    if (b->reindex && bulk_indexes_set(b->c, 1) < 0)
        return DB_ERROR;
    return audit_write(b->c, actor, "import", "customer", NULL, detail);
}

/* SQLite: a large page cache for the duration of a bulk load (indexes stay in memory) and
 * worker threads for the sorts of CREATE INDEX. */
static void bulk_cache(db_conn *c, int big)
{
    if (db_conn_kind(c) == DB_SQLITE)
        db_exec_script(c, big ? "PRAGMA cache_size=-1048576; PRAGMA threads=4"
                              : "PRAGMA cache_size=-65536; PRAGMA threads=0");
}

/* Import is a pipeline: a reader thread parses and validates rows (CSV, UTF-8, phone,
 * email and name normalisation: about a fifth of the work) into a ring of buffers while
 * this thread inserts them. The first invalid row stops both; nothing is committed. */
enum { PIPE_ROWS = 256, PIPE_BUFS = 4 };

struct pipe_row {
    struct cust_in in;
    char code[16];
    long line;
};

struct pipe_buf {
    int full; /* 0: the reader may fill it; 1: rows ready for the writer */
    int n;
    int last;      /* no buffer follows */
    char err[400]; /* the reader's error for the row after the n good ones ("" none) */
    struct pipe_row rows[PIPE_ROWS];
};

struct pipe {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop; /* the writer gave up */
    struct pipe_buf *bufs;
    csv_reader *rd;
    int idx[NCOLS]; /* position of each column in the file, or -1 */
    const char *path;
};

static void *pipe_reader(void *arg)
{
    struct pipe *p = arg;
    for (int i = 0;; i = (i + 1) % PIPE_BUFS) {
        struct pipe_buf *pb = &p->bufs[i];
        pthread_mutex_lock(&p->mu);
        while (pb->full && !p->stop)
            pthread_cond_wait(&p->cv, &p->mu);
        int stop = p->stop;
        pthread_mutex_unlock(&p->mu);
        if (stop) {
            identity_thread_cleanup();
            return NULL;
        }
        pb->n = 0;
        pb->last = 0;
        pb->err[0] = '\0';
        while (pb->n < PIPE_ROWS) {
            int nf = csv_next(p->rd);
            long start = csv_line(p->rd);
            if (nf == 0) {
                pb->last = 1;
                break;
            }
            if (nf < 0) {
                snprintf(pb->err, sizeof pb->err, "%s:%ld: %s", p->path, start, csv_error(p->rd));
                pb->last = 1;
                break;
            }
            const char *val[NCOLS];
            for (int k = 0; k < NCOLS; k++)
                val[k] = p->idx[k] >= 0 ? csv_field(p->rd, p->idx[k]) : NULL;
            struct pipe_row *row = &pb->rows[pb->n];
            char msg[300];
            if (cust_row(&row->in, val, row->code, msg, sizeof msg)) {
                snprintf(pb->err, sizeof pb->err, "%s:%ld: %s", p->path, start, msg);
                pb->last = 1;
                break;
            }
            row->line = start;
            pb->n++;
        }
        int last = pb->last;
        pthread_mutex_lock(&p->mu);
        pb->full = 1;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        if (last) {
            identity_thread_cleanup();
            return NULL;
        }
    }
}

int customers_import_csv(db *d, const char *path, FILE *in)
{
    struct pipe *p = calloc(1, sizeof *p);
    if (!p)
        return -1;
    p->rd = csv_reader_new(in);
    p->path = path;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    int rc = -1, began = 0, reading = 0;
    db_conn *c = NULL;
    struct bulk *b = calloc(1, sizeof *b);
    pthread_t reader;
    double t0 = now_mono();
    if (!b || !p->rd)
        goto cleanup;

    if (csv_header(p->rd, cust_columns, p->idx) < 0) {
        fprintf(stderr, "%s:%ld: %s\n", path, csv_line(p->rd), csv_error(p->rd));
        goto cleanup;
    }
    if (p->idx[COL_NAME] < 0 || (p->idx[COL_PHONE] < 0 && p->idx[COL_EMAIL] < 0)) {
        fprintf(stderr, "%s:%ld: the header needs a name column and a phone or email column\n",
                path, csv_line(p->rd));
        goto cleanup;
    }

    c = db_acquire(d);
    bulk_cache(c, 1);
    if (db_begin(c) < 0 || bulk_begin(b, c) < 0) {
        fprintf(stderr, "%s: %s\n", path, db_errmsg(c));
        goto cleanup;
    }
    began = 1;
    p->bufs = calloc(PIPE_BUFS, sizeof *p->bufs);
    if (!p->bufs || pthread_create(&reader, NULL, pipe_reader, p) != 0)
        goto cleanup;
    reading = 1;
    for (int i = 0;; i = (i + 1) % PIPE_BUFS) {
        struct pipe_buf *pb = &p->bufs[i];
        pthread_mutex_lock(&p->mu);
        while (!pb->full)
            pthread_cond_wait(&p->cv, &p->mu);
        pthread_mutex_unlock(&p->mu);
        for (int k = 0; k < pb->n; k++) {
            struct pipe_row *row = &pb->rows[k];
            char used[16];
            int x = bulk_add(b, &row->in, row->code, NULL, used);
            if (x == BULK_CODE_TAKEN) {
                fprintf(stderr, "%s:%ld: code: %s exists already\n", path, row->line, used);
                goto cleanup;
            }
            if (x < 0) {
                fprintf(stderr, "%s:%ld: %s\n", path, row->line, db_errmsg(c));
                goto cleanup;
            }
        }
        if (bulk_flush(b) < 0) { /* the buffer is reused: its rows must be in */
            fprintf(stderr, "%s: %s\n", path, db_errmsg(c));
            goto cleanup;
        }
        if (pb->err[0]) {
            fprintf(stderr, "%s\n", pb->err);
            goto cleanup;
        }
        int last = pb->last;
        pthread_mutex_lock(&p->mu);
        pb->full = 0;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        if (last)
            break;
    }
    json_t *detail = json_pack("{s:s, s:I}", "file", path, "rows", (json_int_t)b->rows);
    int e = bulk_end(b, "cli:import", detail);
    json_decref(detail);
    if (e < 0 || db_commit(c) < 0) {
        fprintf(stderr, "%s: %s\n", path, db_errmsg(c));
        goto cleanup;
    }
    began = 0;
    double dt = now_mono() - t0;
    printf("imported %ld customers from %s in %.2f s (%.0f rows/s)\n", b->rows, path, dt,
           dt > 0 ? (double)b->rows / dt : 0.0);
    rc = 0;
cleanup:
    if (reading) {
        pthread_mutex_lock(&p->mu);
        p->stop = 1;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        pthread_join(reader, NULL);
    }
    if (c) {
        if (began) {
            db_rollback(c);
            fprintf(stderr, "%s: nothing imported\n", path);
        }
        bulk_cache(c, 0);
        db_release(c);
    }
    if (b)
        bulk_free(b);
    free(b);
    csv_reader_free(p->rd);
    free(p->bufs);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p);
    return rc;
}

int customers_export_csv(db *d, FILE *out)
{
    db_conn *c = db_acquire(d);
    int rc = -1;
    int64_t last = 0;
    enum { BATCH = 5000 };
    struct row {
        int64_t id;
        char code[16];
        char *name, *region, *address;
        buf phones, emails;
    } *rows = calloc(BATCH, sizeof *rows);
    /* CRLF as Excel writes it; text that looks like a formula is written as text */
    csv_writer wr = csv_writer_file(out, CSV_CRLF | CSV_GUARD_FORMULAS);
    static const char *const head[] = {"code", "name", "phone", "email", "region", "address"};
    csv_row(&wr, head, NCOLS);
    for (;;) {
        db_stmt *st = db_prepare(c, "SELECT id, code, name, region, address FROM customers WHERE"
                                    " id > ? AND merged_into IS NULL AND erased_at IS NULL"
                                    " ORDER BY id LIMIT 5000");
        if (!st)
            goto cleanup;
        db_bind_int(st, 1, last);
        int n = 0, s;
        while ((s = db_step(st)) == DB_ROW) {
            struct row *w = &rows[n++];
            w->id = db_int(st, 0);
            snprintf(w->code, sizeof w->code, "%s", db_text(st, 1));
            w->name = strdup(db_text(st, 2));
            w->region = db_text(st, 3) ? strdup(db_text(st, 3)) : NULL;
            w->address = db_text(st, 4) ? strdup(db_text(st, 4)) : NULL;
            buf_init(&w->phones);
            buf_init(&w->emails);
        }
        db_done(st);
        if (s < 0)
            goto cleanup;
        if (n == 0)
            break;
        int64_t lo = rows[0].id, hi = rows[n - 1].id;
        for (int pass = 0; pass < 2; pass++) {
            st = db_prepare(c, pass == 0 ? "SELECT customer_id, phone FROM customer_phones WHERE"
                                           " customer_id BETWEEN ? AND ? ORDER BY customer_id, id"
                                         : "SELECT customer_id, email FROM customer_emails WHERE"
                                           " customer_id BETWEEN ? AND ? ORDER BY customer_id, id");
            if (!st)
                goto cleanup;
            db_bind_int(st, 1, lo);
            db_bind_int(st, 2, hi);
            int k = 0;
            while ((s = db_step(st)) == DB_ROW) {
                int64_t cid = db_int(st, 0);
                while (k < n && rows[k].id < cid)
                    k++;
                if (k < n && rows[k].id == cid) {
                    buf *bb = pass == 0 ? &rows[k].phones : &rows[k].emails;
                    if (bb->len)
                        buf_addc(bb, ';');
                    buf_adds(bb, db_text(st, 1));
                }
            }
            db_done(st);
            if (s < 0)
                goto cleanup;
        }
        for (int i = 0; i < n; i++) {
            struct row *w = &rows[i];
            const char *cells[NCOLS] = {w->code,     w->name,   w->phones.s,
                                        w->emails.s, w->region, w->address};
            csv_row(&wr, cells, NCOLS);
            free(w->name);
            free(w->region);
            free(w->address);
            buf_release(&w->phones);
            buf_release(&w->emails);
            w->name = w->region = w->address = NULL;
        }
        last = hi;
        if (n < BATCH)
            break;
    }
    rc = fflush(out) == 0 ? 0 : -1;
cleanup:
    if (rc < 0)
        fprintf(stderr, "export customers: %s\n", db_errmsg(c));
    for (int i = 0; i < BATCH; i++) {
        free(rows[i].name);
        free(rows[i].region);
        free(rows[i].address);
        if (rows[i].phones.cap)
            buf_release(&rows[i].phones);
        if (rows[i].emails.cap)
            buf_release(&rows[i].emails);
    }
    free(rows);
    db_release(c);
    return rc;
}

/* ---- demo data ---- */

static uint64_t rng_state;

static uint32_t rnd(void)
{
    /* xorshift64*: deterministic for a seed, good enough for fake people */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 2685821657736338717ULL) >> 32);
}

static uint32_t rnd_n(uint32_t n)
{
    return rnd() % n;
}

static const struct {
    const char *hanzi, *pinyin;
    int weight;
} surnames[] = {
    {"王", "wang", 72},    {"李", "li", 72},    {"张", "zhang", 68},  {"刘", "liu", 55},
    {"陈", "chen", 46},    {"杨", "yang", 32},  {"黄", "huang", 24},  {"赵", "zhao", 23},
    {"吴", "wu", 21},      {"周", "zhou", 21},  {"徐", "xu", 16},     {"孙", "sun", 16},
    {"马", "ma", 15},      {"朱", "zhu", 14},   {"胡", "hu", 13},     {"郭", "guo", 12},
    {"何", "he", 12},      {"林", "lin", 11},   {"高", "gao", 11},    {"罗", "luo", 10},
    {"郑", "zheng", 10},   {"梁", "liang", 9},  {"谢", "xie", 8},     {"宋", "song", 7},
    {"唐", "tang", 7},     {"许", "xu", 7},     {"韩", "han", 7},     {"冯", "feng", 7},
    {"邓", "deng", 7},     {"曹", "cao", 6},    {"彭", "peng", 6},    {"曾", "zeng", 6},
    {"肖", "xiao", 6},     {"田", "tian", 5},   {"董", "dong", 5},    {"潘", "pan", 5},
    {"袁", "yuan", 5},     {"蔡", "cai", 5},    {"蒋", "jiang", 5},   {"余", "yu", 4},
    {"于", "yu", 4},       {"杜", "du", 4},     {"叶", "ye", 4},      {"程", "cheng", 4},
    {"魏", "wei", 4},      {"苏", "su", 4},     {"吕", "lv", 4},      {"丁", "ding", 4},
    {"任", "ren", 3},      {"卢", "lu", 3},     {"姚", "yao", 3},     {"沈", "shen", 3},
    {"钟", "zhong", 3},    {"姜", "jiang", 3},  {"崔", "cui", 3},     {"谭", "tan", 3},
    {"陆", "lu", 3},       {"范", "fan", 3},    {"汪", "wang", 3},    {"廖", "liao", 3},
    {"石", "shi", 3},      {"金", "jin", 3},    {"韦", "wei", 3},     {"贾", "jia", 3},
    {"夏", "xia", 2},      {"付", "fu", 2},     {"方", "fang", 2},    {"邹", "zou", 2},
    {"熊", "xiong", 2},    {"白", "bai", 2},    {"孟", "meng", 2},    {"秦", "qin", 2},
    {"邱", "qiu", 2},      {"侯", "hou", 2},    {"江", "jiang", 2},   {"尹", "yin", 2},
    {"欧阳", "ouyang", 1}, {"司马", "sima", 1}, {"诸葛", "zhuge", 1}, {"上官", "shangguan", 1},
};

static const char *const given[] = {
    "伟",   "芳", "娜", "敏", "静",   "丽", "强",   "磊",   "军",   "洋",   "勇",   "艳",   "杰",
    "娟",   "涛", "明", "超", "秀英", "霞", "平",   "刚",   "桂英", "华",   "玉兰", "萍",   "红",
    "建华", "文", "辉", "力", "鹏",   "宇", "浩",   "然",   "子涵", "欣怡", "梓轩", "雨桐", "晨",
    "思",   "博", "嘉", "俊", "雪",   "婷", "佳琪", "志国", "海燕", "飞",   "鑫",   "斌",   "波",
    "宁",   "丹", "亮", "琳", "倩",   "颖", "凯",   "健",   "帆",   "瑶",   "慧",   "晶",   "昊",
    "旭",   "彤", "悦", "诗", "涵",   "睿", "泽",   "一",   "可",   "心",   "安",   "宏",   "春",
    "秋",   "冬", "梅", "兰", "竹",   "菊", "淑",   "珍",   "云",
};

/* A few names written with a middle dot (Uyghur, Tibetan, foreign). */
static const char *const dotted[] = {"阿卜杜·热合曼", "买买提·艾力", "古丽·阿不都",
                                     "扎西·次仁",     "约翰·史密斯", "迪丽热巴·迪力木拉提"};

/* Traditional forms of a few characters, for near-duplicates typed in traditional. */
static const char *const trad_pairs[][2] = {
    {"张", "張"}, {"刘", "劉"}, {"陈", "陳"}, {"杨", "楊"}, {"黄", "黃"}, {"赵", "趙"},
    {"吴", "吳"}, {"孙", "孫"}, {"马", "馬"}, {"郑", "鄭"}, {"谢", "謝"}, {"伟", "偉"},
    {"丽", "麗"}, {"强", "強"}, {"军", "軍"}, {"艳", "艷"}, {"杰", "傑"}, {"娟", "娟"},
    {"涛", "濤"}, {"华", "華"}, {"兰", "蘭"}, {"红", "紅"}, {"辉", "輝"}, {"鹏", "鵬"},
};

static const struct {
    const char *code, *area, *place;
    int weight;
} regions[] = {
    {"110105", "010", "北京市朝阳区", 8},    {"110108", "010", "北京市海淀区", 7},
    {"310104", "021", "上海市徐汇区", 6},    {"310115", "021", "上海市浦东新区", 9},
    {"440106", "020", "广州市天河区", 6},    {"440305", "0755", "深圳市南山区", 6},
    {"440306", "0755", "深圳市宝安区", 5},   {"330106", "0571", "杭州市西湖区", 4},
    {"320106", "025", "南京市鼓楼区", 4},    {"510107", "028", "成都市武侯区", 5},
    {"420106", "027", "武汉市武昌区", 4},    {"610113", "029", "西安市雁塔区", 4},
    {"500103", "023", "重庆市渝中区", 4},    {"120101", "022", "天津市和平区", 3},
    {"370202", "0532", "青岛市市南区", 3},   {"350203", "0592", "厦门市思明区", 2},
    {"430104", "0731", "长沙市岳麓区", 3},   {"210102", "024", "沈阳市和平区", 3},
    {"230103", "0451", "哈尔滨市南岗区", 2}, {"530102", "0871", "昆明市五华区", 2},
    {"450103", "0771", "南宁市青秀区", 2},   {"650102", "0991", "乌鲁木齐市天山区", 1},
    {"460105", "0898", "海口市秀英区", 1},   {"340104", "0551", "合肥市蜀山区", 2},
    {"410105", "0371", "郑州市金水区", 3},   {"320583", "0512", "昆山市", 2},
    {"130102", "0311", "石家庄市长安区", 2}, {"140105", "0351", "太原市小店区", 1},
};

static const char *const streets[] = {"人民路", "解放路", "中山路", "建设路",   "和平路",
                                      "新华路", "长江路", "黄河路", "文化路",   "胜利路",
                                      "青年路", "东风路", "学府路", "科技园路", "滨江大道"};

static const char *const mobile_prefixes[] = {
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151",
    "152", "153", "155", "156", "157", "158", "159", "166", "173", "176", "177", "178",
    "180", "181", "182", "183", "185", "186", "187", "188", "189", "191", "198", "199"};

static const char *const mail_domains[] = {"qq.com",    "163.com",     "126.com", "sina.com",
                                           "gmail.com", "outlook.com", "139.com", "foxmail.com"};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static int pick_weighted_surname(void)
{
    static int total;
    if (!total)
        for (size_t i = 0; i < NELEM(surnames); i++)
            total += surnames[i].weight;
    int x = (int)rnd_n((uint32_t)total);
    for (size_t i = 0; i < NELEM(surnames); i++)
        if ((x -= surnames[i].weight) < 0)
            return (int)i;
    return 0;
}

static int pick_region(void)
{
    static int total;
    if (!total)
        for (size_t i = 0; i < NELEM(regions); i++)
            total += regions[i].weight;
    int x = (int)rnd_n((uint32_t)total);
    for (size_t i = 0; i < NELEM(regions); i++)
        if ((x -= regions[i].weight) < 0)
            return (int)i;
    return 0;
}

/* One fake person (raw strings, as typed) */
struct fake {
    char name[64], phone[64], email[96], region[8], address[200];
};

static void fake_mobile(char *out, size_t n)
{
    snprintf(out, n, "%s%08u", mobile_prefixes[rnd_n(NELEM(mobile_prefixes))], rnd_n(100000000));
}

static void fake_person(struct fake *p)
{
    int s = pick_weighted_surname();
    int r = pick_region();
    if (rnd_n(200) == 0) {
        snprintf(p->name, sizeof p->name, "%s", dotted[rnd_n(NELEM(dotted))]);
    } else {
        const char *g1 = given[rnd_n(NELEM(given))];
        if (rnd_n(10) < 4 || strlen(g1) > 3)
            snprintf(p->name, sizeof p->name, "%s%s", surnames[s].hanzi, g1);
        else
            snprintf(p->name, sizeof p->name, "%s%s%s", surnames[s].hanzi, g1,
                     given[rnd_n(NELEM(given))]);
    }
    snprintf(p->region, sizeof p->region, "%s", regions[r].code);
    uint32_t kind = rnd_n(100);
    char mob[16], land[20];
    fake_mobile(mob, sizeof mob);
    const char *area = regions[r].area;
    if (strlen(area) == 3)
        snprintf(land, sizeof land, "%s%u", area, 20000000 + rnd_n(79999999));
    else
        snprintf(land, sizeof land, "%s%u", area, 2000000 + rnd_n(7999999));
    if (kind < 70)
        snprintf(p->phone, sizeof p->phone, "%s", mob);
    else if (kind < 88)
        snprintf(p->phone, sizeof p->phone, "%s;%s", mob, land); /* a mobile and a landline */
    else if (kind < 95)
        snprintf(p->phone, sizeof p->phone, "%s", land);
    else
        p->phone[0] = '\0'; /* email only */
    if (kind >= 95 || rnd_n(100) < 35) {
        const char *dom = mail_domains[rnd_n(NELEM(mail_domains))];
        if (strcmp(dom, "qq.com") == 0)
            snprintf(p->email, sizeof p->email, "%u@qq.com", 10000000 + rnd_n(2000000000));
        else
            snprintf(p->email, sizeof p->email, "%s%u@%s", surnames[s].pinyin, rnd_n(100000), dom);
    } else {
        p->email[0] = '\0';
    }
    snprintf(p->address, sizeof p->address, "%s%s%u号%u栋%u室", regions[r].place,
             streets[rnd_n(NELEM(streets))], 1 + rnd_n(999), 1 + rnd_n(30), 101 + rnd_n(2800));
}

static void to_traditional(char *name, size_t cap)
{
    char out[64];
    size_t n = 0;
    const char *p = name;
    while (*p) {
        const char *piece = p;
        size_t adv = 1, len;
        while ((p[adv] & 0xC0) == 0x80)
            adv++;
        len = adv;
        for (size_t i = 0; i < NELEM(trad_pairs); i++) {
            size_t l = strlen(trad_pairs[i][0]);
            if (strncmp(p, trad_pairs[i][0], l) == 0) {
                piece = trad_pairs[i][1];
                adv = l;
                len = strlen(piece);
                break;
            }
        }
        if (n + len >= sizeof out)
            break;
        memcpy(out + n, piece, len);
        n += len;
        p += adv;
    }
    out[n] = '\0';
    snprintf(name, cap, "%s", out);
}

/* Re-type a mobile the way people say it: "+86 138-0013-8000". */
static void retype_phone(const char *digits, char *out, size_t n)
{
    if (strlen(digits) == 11 && digits[0] == '1')
        snprintf(out, n, "+86 %.3s-%.4s-%.4s", digits, digits + 3, digits + 7);
    else
        snprintf(out, n, "%s", digits);
}

int customers_demo(db *d, const struct demo_opts *o)
{
    long total = o->customers > 0 ? o->customers : 200;
    rng_state = 0x9E3779B97F4A7C15ULL ^ ((uint64_t)o->seed * 0x100000001B3ULL);
    if (!rng_state)
        rng_state = 1;
    db_conn *c = db_acquire(d);
    int rc = -1, began = 0;
    struct bulk b = {0};
    struct fake prev[64];
    int nprev = 0, dups = 0;
    bulk_cache(c, 1);
    if (db_begin(c) < 0 || bulk_begin(&b, c) < 0)
        goto fail;
    began = 1;
    int small = total <= 20000;
    for (long i = 0; i < total; i++) {
        struct fake p;
        /* about 4% are near-duplicates of someone created shortly before */
        if (nprev > 8 && rnd_n(100) < 4) {
            p = prev[rnd_n((uint32_t)nprev)];
            char first[20];
            snprintf(first, sizeof first, "%.*s", (int)strcspn(p.phone, ";"), p.phone);
            switch (rnd_n(3)) {
            case 0: /* same phone re-typed, name in traditional: a strong duplicate */
                to_traditional(p.name, sizeof p.name);
                if (*first)
                    retype_phone(first, p.phone, sizeof p.phone);
                p.email[0] = '\0';
                if (!p.phone[0])
                    goto fresh;
                break;
            case 1: /* same email in capitals: strong */
                if (!p.email[0])
                    goto fresh;
                for (char *q = p.email; *q; q++)
                    *q = (char)toupper((unsigned char)*q);
                p.phone[0] = '\0';
                break;
            default: { /* same name, same region, another mobile: weak */
                fake_mobile(p.phone, sizeof p.phone);
                p.email[0] = '\0';
                break;
            }
            }
            dups++;
        } else {
        fresh:
            fake_person(&p);
            if (nprev < 64)
                prev[nprev++] = p;
            else
                prev[rnd_n(64)] = p;
        }
        struct cust_in *ci = bulk_slot(&b);
        char code[16] = "", msg[200];
        const char *val[NCOLS] = {NULL, p.name, p.phone, p.email, p.region, p.address};
        if (cust_row(ci, val, code, msg, sizeof msg)) {
            fprintf(stderr, "demo customers: generated an invalid row (%s): %s\n", p.name, msg);
            goto fail;
        }
        int64_t id;
        char newcode[16];
        if (bulk_add(&b, ci, NULL, small ? &id : NULL, newcode) < 0)
            goto fail;
        if (small && rnd_n(100) < 30) {
            /* some consent history for the demo set */
            for (int k = 0; consent_channels[k]; k++) {
                if (rnd_n(100) < 50)
                    continue;
                if (db_exec(c,
                            "INSERT INTO customer_consents (customer_id, channel, granted, source,"
                            " updated_at, updated_by) VALUES (?, ?, ?, 'demo', ?, 'demo')",
                            "itii", id, consent_channels[k], (int64_t)(rnd_n(100) < 70), b.now) < 0)
                    goto fail;
            }
        }
    }
    json_t *detail = json_pack("{s:s, s:I, s:i}", "file", "demo", "rows", (json_int_t)b.rows,
                               "near_duplicates", dups);
    int e = bulk_end(&b, "demo", detail);
    json_decref(detail);
    if (e < 0 || db_commit(c) < 0)
        goto fail;
    began = 0;
    fprintf(stderr, "demo: %ld customers (%d near-duplicates)\n", b.rows, dups);
    rc = 0;
    goto cleanup;
fail:
    fprintf(stderr, "demo customers: %s\n", db_errmsg(c));
cleanup:
    if (began)
        db_rollback(c);
    bulk_cache(c, 0);
    db_release(c);
    bulk_free(&b);
    return rc;
}
