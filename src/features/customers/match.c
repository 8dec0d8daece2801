/* customers: matching (customers_match, strong matches) and the two calls for
 * other capabilities (customers_match_or_create, customers_invalid_*). */
#include "features/customers/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
                cust_prefix_end(r_lo, r_hi, sizeof r_hi);
                snprintf(r_prov, sizeof r_prov, "%.2s0000", region);
                snprintf(r_city, sizeof r_city, "%.4s00", region);
            }
            if (phone && strlen(phone) >= 4) {
                char rev[IDENTITY_PHONE_MAX];
                identity_phone_reverse(phone, rev);
                memcpy(t_lo, rev, 4);
                t_lo[4] = '\0';
                cust_prefix_end(t_lo, t_hi, sizeof t_hi);
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
    if ((rc = cust_summaries_load(c, ids, m, sum, keys)) < 0)
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
json_t *cust_strong_matches(db_conn *c, const struct cust_in *in, int64_t exclude_id)
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

int customers_match_or_create(db_conn *c, const char *actor, const char *name, const char *phone,
                              const char *email, const char *region, int64_t *id_out,
                              char code_out[16])
{
    struct cust_in in;
    memset(&in, 0, sizeof in);
    if (cust_v_name(&in, name))
        return CUSTOMERS_BAD_NAME;
    if (phone && *phone && cust_v_list_add(&in, phone, 1))
        return CUSTOMERS_BAD_PHONE;
    if (email && *email && cust_v_list_add(&in, email, 0))
        return CUSTOMERS_BAD_EMAIL;
    if (cust_v_region(&in, region))
        return CUSTOMERS_BAD_REGION;
    if (in.nphones + in.nemails == 0)
        return CUSTOMERS_NO_CONTACT;
    int rc = cust_lock_identities(c, &in);
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
    if (!id && (rc = cust_create_customer(c, actor, &in, "match_or_create", &id, code)) < 0)
        return rc;
    if (id_out)
        *id_out = id;
    if (code_out)
        snprintf(code_out, 16, "%s", code);
    return 0;
}
