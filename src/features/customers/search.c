/* customers: the search list GET /api/v1/customers?q=, read as what was typed (a code, an
 * email, a phone, else a name prefix; nothing: the newest), as a JSON page or a download. */
#include "features/customers/internal.h"

#include "features/common/common.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

enum { SEARCH_DEF = 20, SEARCH_MAX = 100, SEARCH_Q_BYTES = 400 };

#define LIVE "merged_into IS NULL AND erased_at IS NULL"

/* The customers found so far, in order, each with how it was found. */
struct hits {
    int n;
    int64_t id[SEARCH_MAX + 1];
    const char *how[SEARCH_MAX + 1];
};

static void hit_add(struct hits *h, int64_t id, const char *how)
{
    h->how[h->n] = how;
    h->id[h->n++] = id;
}

/* Add an id unless it is there already (one customer with two matching phones). */
static void hit_add_new(struct hits *h, int64_t id, const char *how)
{
    for (int i = 0; i < h->n; i++)
        if (h->id[i] == id)
            return;
    hit_add(h, id, how);
}

/* Run st (parameters bound) and add the id of each row until h holds `upto` ids; with
 * dedupe, ids found already are skipped. Finalises st. 0 or a db error. */
static int collect(db_stmt *st, struct hits *h, int upto, const char *how, int dedupe)
{
    int rc;
    while ((rc = db_step(st)) == DB_ROW && h->n < upto) {
        if (dedupe)
            hit_add_new(h, db_int(st, 0), how);
        else
            hit_add(h, db_int(st, 0), how);
    }
    db_done(st);
    return rc < 0 ? rc : 0;
}

/* No q: the newest customers, paged by id (descending). */
static int search_recent(db_conn *c, const struct page *p, struct hits *h)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT id FROM customers WHERE " LIVE " AND id < ? ORDER BY id DESC LIMIT %ld",
             p->limit + 1);
    db_stmt *st = db_prepare(c, sql);
    if (!st)
        return DB_ERROR;
    int64_t after = page_key_int(p, 1);
    db_bind_int(st, 1, after > 0 ? after : INT64_MAX);
    return collect(st, h, (int)p->limit + 1, "recent", 0);
}

/* A code (C + 1 to 8 digits, upper-cased in t): the customer it resolves to when complete,
 * else the codes it starts. Not paged. */
static int search_code(db_conn *c, const char *t, long limit, struct hits *h)
{
    if (strlen(t) == 9) {
        int64_t id;
        char code[16];
        int rc = cust_resolve_code(c, t, &id, code);
        if (rc == 0)
            hit_add(h, id, "code");
        return rc == -1 || rc == -2 ? 0 : rc;
    }
    char hi[16], sql[256];
    cust_prefix_end(t, hi, sizeof hi);
    snprintf(sql, sizeof sql,
             "SELECT id FROM customers WHERE code >= ? AND code < ? AND " LIVE
             " ORDER BY code LIMIT %ld",
             limit);
    db_stmt *st = db_prepare(c, sql);
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, t);
    db_bind_text(st, 2, hi);
    return collect(st, h, (int)limit, "code", 0);
}

/* Text with an '@': an email, whole (normalised) or a prefix (lower-cased). Not paged. */
static int search_email(db_conn *c, char *t, long limit, struct hits *h)
{
    char email[IDENTITY_EMAIL_MAX], hi[IDENTITY_EMAIL_MAX + 1], sql[400];
    int exact = identity_email(t, email) == 0;
    const char *key = exact ? email : t;
    if (!exact)
        for (char *s = t; *s; s++)
            *s = (char)tolower((unsigned char)*s);
    cust_prefix_end(key, hi, sizeof hi);
    snprintf(sql, sizeof sql,
             "SELECT e.customer_id FROM customer_emails e JOIN customers c"
             " ON c.id = e.customer_id WHERE e.email >= ? AND e.email < ?"
             " AND c.merged_into IS NULL AND c.erased_at IS NULL"
             " ORDER BY e.email LIMIT %ld",
             limit);
    db_stmt *st = db_prepare(c, sql);
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, key);
    db_bind_text(st, 2, hi);
    return collect(st, h, (int)limit, exact ? "email" : "email_prefix", 1);
}

/* 1 when t reads as a phone: a whole number or at least four digits. */
static int looks_like_phone(const char *t)
{
    char digits[IDENTITY_PHONE_MAX], phone[IDENTITY_PHONE_MAX];
    return identity_phone_digits(t, digits) >= 4 || identity_phone(t, phone, NULL) == 0;
}

/* A phone: the whole number, then numbers starting with the digits, then numbers ending
 * with them (on the reversed column), each customer once. Not paged. */
static int search_phone(db_conn *c, const char *t, long limit, struct hits *h)
{
    static const char *const how[3] = {"phone", "phone_prefix", "phone_tail"};
    char digits[IDENTITY_PHONE_MAX], phone[IDENTITY_PHONE_MAX];
    int exact = identity_phone(t, phone, NULL) == 0;
    int have_digits = identity_phone_digits(t, digits) >= 4;
    for (int pass = exact ? 0 : 1; pass < 3 && h->n < limit; pass++) {
        char key[IDENTITY_PHONE_MAX], end[IDENTITY_PHONE_MAX + 1], sql[400];
        const char *col = pass == 2 ? "phone_rev" : "phone";
        if (pass > 0 && !have_digits)
            break;
        if (pass == 0) { /* the whole number: phone = key */
            snprintf(key, sizeof key, "%s", phone);
            snprintf(end, sizeof end, "%s0", key);
        } else {
            if (pass == 1)
                snprintf(key, sizeof key, "%s", digits);
            else
                identity_phone_reverse(digits, key);
            cust_prefix_end(key, end, sizeof end);
        }
        snprintf(sql, sizeof sql,
                 "SELECT p.customer_id FROM customer_phones p JOIN customers c ON c.id ="
                 " p.customer_id WHERE p.%s >= ? AND p.%s < ? AND c.merged_into IS NULL AND"
                 " c.erased_at IS NULL ORDER BY p.%s LIMIT %ld",
                 col, col, col, limit);
        db_stmt *st = db_prepare(c, sql);
        if (!st)
            return DB_ERROR;
        db_bind_text(st, 1, key);
        db_bind_text(st, 2, end);
        int rc = collect(st, h, (int)limit, how[pass], 1);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* Anything else: a prefix of the normalised name, paged by (name_key, id). A text with no
 * name key finds nothing. */
static int search_name(db_conn *c, const char *t, const struct page *p, struct hits *h)
{
    char key[IDENTITY_NAME_KEY_MAX], hi[IDENTITY_NAME_KEY_MAX], sql[400];
    if (identity_name_key(t, key) < 0)
        return 0;
    cust_prefix_end(key, hi, sizeof hi);
    int after = p->nkeys == 2 && *p->key[0];
    snprintf(sql, sizeof sql,
             "SELECT id FROM customers WHERE name_key >= ? AND name_key < ? AND " LIVE "%s"
             " ORDER BY name_key, id LIMIT %ld",
             after ? " AND (name_key > ? OR (name_key = ? AND id > ?))" : "", p->limit + 1);
    db_stmt *st = db_prepare(c, sql);
    if (!st)
        return DB_ERROR;
    db_bind_text(st, 1, key);
    db_bind_text(st, 2, hi);
    if (after) {
        db_bind_text(st, 3, p->key[0]);
        db_bind_text(st, 4, p->key[0]);
        db_bind_int(st, 5, page_key_int(p, 1));
    }
    return collect(st, h, (int)p->limit + 1, "name", 0);
}

/* Downloads list every phone number in one cell; the JSON items keep their phones as
 * {number, kind} objects, so the numbers go into an extra field only for a download. */
static void add_phone_numbers(json_t *item)
{
    json_t *numbers = json_array();
    size_t i;
    json_t *ph;
    json_array_foreach(json_object_get(item, "phones"), i, ph)
        json_array_append(numbers, json_object_get(ph, "number"));
    json_object_set_new(item, "phone_numbers", numbers);
}

/* The summaries of the first `shown` hits, each with matched_on, into items; the name key
 * of the last one shown into last_key. 0 or a db error. */
static int load_items(db_conn *c, const struct hits *h, int shown, int download, json_t *items,
                      char last_key[IDENTITY_NAME_KEY_MAX])
{
    for (int at = 0; at < shown; at += 64) {
        int k = shown - at < 64 ? shown - at : 64;
        json_t *sum[64];
        char keys[64][IDENTITY_NAME_KEY_MAX];
        for (int i = 0; i < k; i++)
            keys[i][0] = '\0';
        int rc = cust_summaries_load(c, h->id + at, k, sum, keys);
        if (rc < 0)
            return rc;
        for (int i = 0; i < k; i++) {
            if (at + i == shown - 1)
                snprintf(last_key, IDENTITY_NAME_KEY_MAX, "%s", keys[i]);
            if (!sum[i])
                continue;
            json_object_set_new(sum[i], "matched_on", json_string(h->how[at + i]));
            if (download)
                add_phone_numbers(sum[i]);
            json_array_append_new(items, sum[i]);
        }
    }
    return 0;
}

/* The list_spec page: the search q reads as, one page of it. Code, email and phone
 * searches show at most one page (no next_cursor); the newest and name lists page on. */
static int search_page(req *r, const struct page *p, json_t *items, const char **next)
{
    db_conn *c = req_db(r);
    const char *q = req_query(r, "q");
    char t[SEARCH_Q_BYTES] = "";
    if (q) {
        if (strlen(q) >= sizeof t) {
            reply_error(r, 422, "validation_failed", "q is too long",
                        json_pack("{s:s}", "q", "too_long"));
            return LIST_ANSWERED;
        }
        cust_trim_copy(q, t, sizeof t);
    }
    size_t tl = strlen(t);
    int is_code =
        tl >= 2 && tl <= 9 && (t[0] == 'C' || t[0] == 'c') && strspn(t + 1, "0123456789") == tl - 1;
    struct hits h = {0};
    int rc, paged = 0;
    if (!*t) {
        paged = 1;
        rc = search_recent(c, p, &h);
    } else if (is_code) {
        t[0] = 'C';
        rc = search_code(c, t, p->limit, &h);
    } else if (strchr(t, '@')) {
        rc = search_email(c, t, p->limit, &h);
    } else if (looks_like_phone(t)) {
        rc = search_phone(c, t, p->limit, &h);
    } else {
        paged = 2;
        rc = search_name(c, t, p, &h);
    }
    int shown = h.n > p->limit ? (int)p->limit : h.n;
    char last_key[IDENTITY_NAME_KEY_MAX] = "";
    if (rc >= 0)
        rc = load_items(c, &h, shown, table_format_of(r) > TABLE_JSON, items, last_key);
    if (rc < 0)
        return reply_db_failure(r, rc, "customers search") < 0 ? -1 : LIST_ANSWERED;
    if (paged && h.n > p->limit) {
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)h.id[shown - 1]);
        const char *keys[2] = {paged == 2 ? last_key : "", id};
        *next = page_cursor(r->a, 2, keys);
    }
    return 0;
}

static const struct table_col search_cols[] = {
    {"code", NULL, TABLE_TEXT, 12, 0},
    {"name", NULL, TABLE_TEXT, 16, 0},
    {"phones", "phone_numbers", TABLE_LIST, 28, 0},
    {"emails", NULL, TABLE_LIST, 30, 0},
    {"region", NULL, TABLE_TEXT, 10, 0},
    {"address", NULL, TABLE_TEXT, 40, 0},
    {"matched_on", NULL, TABLE_TEXT, 14, 0},
};

/* GET /api/v1/customers?q=&limit=&cursor=&format=. */
int customers_list(req *r)
{
    static const struct list_spec spec = {
        "customers", search_cols, (int)(sizeof search_cols / sizeof search_cols[0]),
        SEARCH_DEF,  SEARCH_MAX,  2,
        search_page,
    };
    return list_reply(r, &spec);
}
