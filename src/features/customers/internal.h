/* customers: what the files of this folder share (types, limits, helpers); nothing outside
 * src/features/customers/ includes it. The folder is the customer master (M1); the rules
 * (normalisation, match strength) are in rules/identity.c. */
#ifndef FEATURES_CUSTOMERS_INTERNAL_H
#define FEATURES_CUSTOMERS_INTERNAL_H
#include <stddef.h>
#include <stdint.h>

#include "base/db_bulk.h"
#include "base/jsonv.h"
#include "features/customers/customers.h"
#include "rules/identity.h"

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

/* The consent channels, NULL-terminated (store.c). */
extern const char *const cust_consent_channels[];

/* A customer's fields, validated and normalised. */
struct cust_in {
    char name[CUST_NAME_BYTES];
    char name_key[IDENTITY_NAME_KEY_MAX];
    char region[IDENTITY_REGION_MAX]; /* "" when none */
    char address[CUST_ADDRESS_BYTES]; /* "" when none */
    char lang[8];                     /* the preferred language, zh-CN or en ("" not given) */
    int nphones;
    char phones[CUST_MAX_PHONES][IDENTITY_PHONE_MAX];
    int kinds[CUST_MAX_PHONES];
    int nemails;
    char emails[CUST_MAX_EMAILS][IDENTITY_EMAIL_MAX];
};

/* ---- validate.c: text checks, field validators, request bodies ---- */

void cust_trim_copy(const char *s, char *out, size_t cap);
void cust_prefix_end(const char *prefix, char *out, size_t cap);
const char *cust_v_name(struct cust_in *in, const char *s);
const char *cust_v_phone_add(struct cust_in *in, const char *s);
const char *cust_v_email_add(struct cust_in *in, const char *s);
const char *cust_v_region(struct cust_in *in, const char *s);
const char *cust_v_list_add(struct cust_in *in, const char *s, int phones);
const char *cust_body_str(jsonv *v, const char *field, size_t maxbytes);

/* Validate a create body (or an update's present fields, with *have saying which). */
enum { HAVE_NAME = 1, HAVE_REGION = 2, HAVE_ADDRESS = 4, HAVE_PHONES = 8, HAVE_EMAILS = 16,
       HAVE_LANG = 32 };
/* The customer languages (0023): zh-CN (the default) and en. */
extern const char *const cust_langs[];
unsigned cust_body_fields(jsonv *v, struct cust_in *in, int create);
int cust_reply_validation(req *r, jsonv *v);
int cust_reply_not_found(req *r, int why);

/* Handlers that change customers: find the customer of the route's :code, run the change
 * in one write transaction, answer the customer. */
enum { CUST_ANSWERED = 1 }; /* the request was answered (404, 409, 422, 503, ...) */
/* The live customer of r's :code (merges followed): 0 with *id and code set,
 * CUST_ANSWERED after answering 404 (unknown) or 410 (erased), or a negative db code. */
int cust_find(req *r, int64_t *id, char code[16]);
/* Run apply(r, arg) in a write transaction (in_tx, retried when the database is busy, so
 * apply must start afresh each time). apply returns 0 to commit, CUST_ANSWERED after
 * answering (rolled back), or a negative db code (rolled back). Returns 0 when committed
 * (the caller answers), CUST_ANSWERED when r was answered (503 busy included), -1 on an
 * internal error (logged as `what`). */
int cust_write(req *r, const char *what, int (*apply)(req *r, void *arg), void *arg);
/* 0 when no other live customer (than exclude_id) has a phone or email of in; else
 * CUST_ANSWERED after answering 409 duplicate with the matches; or a db error. */
int cust_refuse_duplicate(req *r, const struct cust_in *in, int64_t exclude_id);
/* Answer the customer (full JSON) with status. */
int cust_reply_customer(req *r, int status, int64_t id);

/* The CSV columns (import.c lists their names in this order). */
enum { COL_CODE, COL_NAME, COL_PHONE, COL_EMAIL, COL_REGION, COL_ADDRESS, COL_LANG, NCOLS };
const char *cust_row(struct cust_in *in, const char *const *val, char *code, char *msg,
                     size_t msgsz);

/* ---- store.c: codes, inserts, lookup/resolve, customer JSON and summaries ---- */

const char *cust_kind_name(int kind);
int cust_insert_phone(db_conn *c, int64_t id, const char *phone, int kind, int64_t now);
int cust_insert_email(db_conn *c, int64_t id, const char *email, int64_t now);
int cust_lock_identities(db_conn *c, const struct cust_in *in);
int cust_lookup_code(db_conn *c, const char *code, int64_t *id, int64_t *merged, int *erased);
int cust_resolve_code(db_conn *c, const char *code_in, int64_t *id_out, char code_out[16]);
int cust_load_identities(db_conn *c, int64_t id, json_t *phones, json_t *emails);
json_t *cust_customer_json(db_conn *c, int64_t id, int full);
int cust_summaries_load(db_conn *c, const int64_t *ids, int n, json_t **out,
                        char (*keys)[IDENTITY_NAME_KEY_MAX]);
int cust_create_customer(db_conn *c, const char *actor, const struct cust_in *in, const char *via,
                         int64_t *id, char code[16]);

/* ---- match.c ---- */

json_t *cust_strong_matches(db_conn *c, const struct cust_in *in, int64_t exclude_id);

/* ---- history.c ---- */

json_t *cust_history_json(db_conn *c, int64_t id, const char *code, long limit);

/* ---- route handlers outside routes.c (search.c, update.c, history.c, privacy.c,
 * merge.c) ---- */

int customers_list(req *r);
int customers_update(req *r);
int customers_history(req *r);
int customers_consents(req *r);
int customers_merge(req *r);
int customers_export(req *r);
int customers_erase(req *r);

/* ---- bulk.c: many customers in one transaction (import, demo) ---- */

/* Insert many customers fast (import, demo): one transaction opened by the caller, codes
 * given or drawn from *next. */
/* Rows per multi-row INSERT, within the db layer's 256 parameters: customers 32 x 7,
 * phones 51 x 5, emails 85 x 3. */
enum { BULK_BATCH = 32, BULK_PHONES = 51, BULK_EMAILS = 85 };

struct bulk {
    db_conn *c;
    int reindex;      /* the tables were empty: secondary indexes dropped, rebuilt at the end */
    int64_t first_id; /* customers.id before the load: the load's are above */
    db_deferred *trig; /* the customers' triggers, set aside: their work is done at the end */
    int may_defer;     /* SQLite outside load mode: set them aside once the load is large */
    int64_t next;     /* last code number used */
    int64_t max_code; /* largest explicit code number seen */
    int64_t now;
    long rows;
    uint8_t *codes; /* bitmap of the code numbers used by this load (12.5 MB) */
    int npending;
    const struct cust_in *pending[BULK_BATCH]; /* valid until the next flush */
    struct cust_in store[BULK_BATCH];          /* for callers without storage (cust_bulk_slot) */
    char pcode[BULK_BATCH][16];
    /* the multi-row INSERTs by row count, prepared once: building and looking up their
     * long SQL text for every batch cost more than running them */
    db_stmt *ins_cust[BULK_BATCH + 1], *ins_phone[BULK_PHONES + 1], *ins_email[BULK_EMAILS + 1];
};

/* cust_bulk_add's answer when a given code is in use already. */
enum { BULK_CODE_TAKEN = -100 };

struct cust_in *cust_bulk_slot(struct bulk *b);
void cust_bulk_free(struct bulk *b);
int cust_bulk_begin(struct bulk *b, db_conn *c);
int cust_bulk_flush(struct bulk *b);
int cust_bulk_add(struct bulk *b, const struct cust_in *in, const char *code_in, int64_t *id_out,
                  char code_out[16]);
int cust_bulk_end(struct bulk *b, const char *actor, json_t *detail);
void cust_bulk_cache(db_conn *c, int big);

#endif
