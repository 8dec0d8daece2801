/* customers: merging a duplicate customer into a survivor. */
#include "features/customers/internal.h"

#include "base/audit.h"

#include <ctype.h>
#include <stdio.h>

/* A merge: what was sent, then the survivor. */
struct merge {
    jsonv *v;
    char dcode[16];                  /* the duplicate's code, upper case */
    long long version, dup_version; /* -1: not given */
    int64_t sid;
    char scode[16];
};

/* 0 when the customer's version is want (or want < 0); CUST_ANSWERED after answering 409
 * stale_version; a db error. */
static int check_version(req *r, int64_t id, long long want)
{
    if (want < 0)
        return 0;
    db_stmt *st = db_prepare(req_db(r), "SELECT version FROM customers WHERE id = ?");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, id);
    int rc = db_step(st);
    int64_t cur = rc == DB_ROW ? db_int(st, 0) : -1;
    db_done(st);
    if (rc < 0)
        return rc;
    if (cur == want)
        return 0;
    json_t *e = json_pack("{s:s, s:s, s:I}", "code", "stale_version", "message",
                          "a customer was changed meanwhile; reload both", "current_version",
                          (json_int_t)cur);
    reply_json(r, 409, json_pack("{s:o}", "error", e));
    return CUST_ANSWERED;
}

/* Everything of the duplicate did moves to the survivor sid: other capabilities' records,
 * the identities and consents it lacks, the region and address it lacks; the duplicate
 * (and the codes merged into it) then point at the survivor. 0 or a db error. */
static int move_all(db_conn *c, int64_t sid, int64_t did)
{
    for (const char *const *m = feature_customer_moves; *m; m++) {
        int64_t x = db_exec(c, *m, "ii", sid, did);
        if (x < 0)
            return (int)x;
    }
    /* (sql, duplicate first?) : identities and consents the survivor lacks move, the rest
     * are dropped */
    static const struct {
        const char *sql;
        int dup_first;
    } steps[] = {
        {"DELETE FROM customer_phones WHERE customer_id = ? AND phone IN"
         " (SELECT phone FROM customer_phones WHERE customer_id = ?)",
         1},
        {"UPDATE customer_phones SET customer_id = ? WHERE customer_id = ?", 0},
        {"DELETE FROM customer_emails WHERE customer_id = ? AND email IN"
         " (SELECT email FROM customer_emails WHERE customer_id = ?)",
         1},
        {"UPDATE customer_emails SET customer_id = ? WHERE customer_id = ?", 0},
        {"DELETE FROM customer_consents WHERE customer_id = ? AND channel IN"
         " (SELECT channel FROM customer_consents WHERE customer_id = ?)",
         1},
        {"UPDATE customer_consents SET customer_id = ? WHERE customer_id = ?", 0},
        /* flatten: codes merged into the duplicate now point at the survivor */
        {"UPDATE customers SET merged_into = ? WHERE merged_into = ?", 0},
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        int64_t x = db_exec(c, steps[i].sql, "ii", steps[i].dup_first ? did : sid,
                            steps[i].dup_first ? sid : did);
        if (x < 0)
            return (int)x;
    }
    int64_t now = now_unix();
    /* the survivor takes region/address it lacks */
    int64_t x = db_exec(c,
                        "UPDATE customers SET region = COALESCE(region, (SELECT region FROM"
                        " customers d WHERE d.id = ?)), address = COALESCE(address, (SELECT"
                        " address FROM customers d WHERE d.id = ?)), version = version + 1,"
                        " updated_at = ? WHERE id = ?",
                        "iiii", did, did, now, sid);
    if (x >= 0)
        x = db_exec(c,
                    "UPDATE customers SET merged_into = ?, version = version + 1, updated_at = ?"
                    " WHERE id = ?",
                    "iii", sid, now, did);
    return x < 0 ? (int)x : 0;
}

/* Inside the transaction: find both, check them and their versions, move, audit both. */
static int apply_merge(req *r, void *arg)
{
    struct merge *m = arg;
    db_conn *c = req_db(r);
    int rc = cust_find(r, &m->sid, m->scode);
    if (rc != 0)
        return rc;
    int64_t did, dmerged;
    int derased;
    rc = cust_lookup_code(c, m->dcode, &did, &dmerged, &derased);
    if (rc < -1)
        return rc;
    const char *why = rc == -1       ? "unknown"
                      : derased      ? "erased"
                      : dmerged      ? "already_merged"
                      : did == m->sid ? "same_customer"
                                     : NULL;
    if (why) {
        jsonv_fail(m->v, "duplicate", why);
        cust_reply_validation(r, m->v);
        return CUST_ANSWERED;
    }
    /* versions, when given, must be current */
    if ((rc = check_version(r, m->sid, m->version)) != 0 ||
        (rc = check_version(r, did, m->dup_version)) != 0 || (rc = move_all(c, m->sid, did)) < 0)
        return rc;
    json_t *d1 = json_pack("{s:s}", "duplicate", m->dcode);
    json_t *d2 = json_pack("{s:s}", "survivor", m->scode);
    rc = audit_write(c, audit_actor(r), "merge", "customer", m->scode, d1);
    if (rc >= 0)
        rc = audit_write(c, audit_actor(r), "merged_into", "customer", m->dcode, d2);
    json_decref(d1);
    json_decref(d2);
    return rc < 0 ? rc : 0;
}

/* POST /api/v1/customers/{code}/merge {"duplicate": "C...", "version"?: n}: everything of
 * the duplicate moves to this customer (the survivor); the duplicate's code resolves to
 * the survivor from then on. */
int customers_merge(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv v = {0};
    jsonv_init(&v, body);
    static const char *const allowed[] = {"duplicate", "version", "duplicate_version", NULL};
    jsonv_only(&v, allowed);
    struct merge m = {.v = &v, .version = -1, .dup_version = -1};
    const char *dup_code = cust_body_str(&v, "duplicate", 15);
    if (!dup_code && jsonv_ok(&v))
        jsonv_fail(&v, "duplicate", "required");
    jsonv_int(&v, "version", 0, &m.version);
    jsonv_int(&v, "duplicate_version", 0, &m.dup_version);
    int rc;
    if (!jsonv_ok(&v)) {
        rc = cust_reply_validation(r, &v);
    } else {
        snprintf(m.dcode, sizeof m.dcode, "%s", dup_code);
        for (char *p = m.dcode; *p; p++)
            *p = (char)toupper((unsigned char)*p);
        rc = cust_write(r, "customers merge", apply_merge, &m);
        if (rc == 0)
            rc = cust_reply_customer(r, 200, m.sid);
        else if (rc == CUST_ANSWERED)
            rc = 0;
    }
    jsonv_free(&v);
    json_decref(body);
    return rc;
}
