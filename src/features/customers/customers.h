/* customers: the customer master (M1). One record per person, found from any phone,
 * email or name. Routes, CSV import/export, demo data, and two calls for other
 * capabilities (repairs, warranty, contacts) that need a customer.
 *
 * Other features use exactly these two functions; both run on the caller's
 * connection and never begin, commit or roll back a transaction themselves. */
#ifndef FEATURES_CUSTOMERS_H
#define FEATURES_CUSTOMERS_H
#include <stdint.h>
#include <stdio.h>

#include "base/db.h"
#include "base/http.h"
#include "features/features.h"

/* Positive "invalid input" results of customers_match_or_create (nothing written).
 * customers_invalid_field/customers_invalid_reason name the field and say why. */
enum {
    CUSTOMERS_OK = 0,
    CUSTOMERS_BAD_NAME = 1,   /* name missing, empty after normalisation or > 100 chars */
    CUSTOMERS_BAD_PHONE = 2,  /* phone given but not a valid Chinese mobile/landline */
    CUSTOMERS_BAD_EMAIL = 3,  /* email given but malformed or > 254 bytes */
    CUSTOMERS_BAD_REGION = 4, /* region given but not a 6-digit GB/T 2260 code */
    CUSTOMERS_NO_CONTACT = 5, /* neither phone nor email given: cannot match or reach */
};

/* Find-or-create the customer for a person named in some other record (a repair, a
 * warranty registration, a contact). MUST be called inside the caller's open write
 * transaction (db_begin) on c; the caller commits or rolls back.
 *
 *   name     required (display form, stored as given after trimming)
 *   phone    optional, any usual form ("+86 138-0013-8000", full-width digits, ...)
 *   email    optional; at least one of phone/email is required
 *   region   optional 6-digit GB/T 2260 code, used only when creating
 *   actor    audit actor (e.g. audit_actor(r) or "import:...")
 *
 * A strong match (equal normalised phone, else equal normalised email) on a live,
 * non-erased customer returns that customer, following merges to the survivor; the
 * existing record is not changed. Otherwise a new customer is created with a new code
 * (C + 8 digits), its phone/email, and an audit entry ("create", actor).
 *
 * Returns 0 with *id_out and code_out (NUL-terminated, e.g. "C00000042") set;
 * a positive CUSTOMERS_BAD_* code when the input is invalid (nothing written);
 * or a negative db code (DB_ERROR, DB_EBUSY, ...) on a database failure (the caller
 * should roll back). id_out/code_out may be NULL if not wanted. */
int customers_match_or_create(db_conn *c, const char *actor, const char *name, const char *phone,
                              const char *email, const char *region, int64_t *id_out,
                              char code_out[16]);

/* The field ("name", "phone", "email", "region") and a human reason (English) for a
 * positive code from customers_match_or_create; "" / "unknown" otherwise. Static
 * strings. */
const char *customers_invalid_field(int rc);
const char *customers_invalid_reason(int rc);

/* Resolve a customer code to its live record, following merges (a merged duplicate's
 * code resolves to the survivor; the code is compared case-insensitively). Returns 0 with
 * *id_out and code_out (the survivor's code) set; -1 when the code is unknown or the
 * customer is erased; another negative db code (DB_EBUSY, ...) on a database failure (a
 * plain DB_ERROR is also -1 and then reads as unknown; db_errmsg(c) tells). id_out and
 * code_out may be NULL. Read-only: works inside or outside a transaction. */
int customers_resolve(db_conn *c, const char *code, int64_t *id_out, char code_out[16]);

/* Strong and weak matches for normalised keys (identity_phone / identity_email /
 * identity_name_key forms; NULL or "" when absent; region six digits or NULL), live
 * customers only, strongest first, at most 20, leaving out exclude_id (0: none).
 * *out gets the JSON array of {"customer":{...},"strength":"strong"|"weak",
 * "reasons":["phone",...]} the match endpoint answers. 0 or a negative db code. */
int customers_match(db_conn *c, const char *phone, const char *email, const char *name_key,
                    const char *region, int64_t exclude_id, json_t **out);

/* Feature tables (listed in features.c). */
extern const struct route customers_routes[];
int customers_import_csv(db *d, const char *path, FILE *in);
int customers_export_csv(db *d, FILE *out);
/* Erase customer id inside the caller's transaction: its personal fields and those of the
 * records merged into it, here and in the other capabilities (feature_customer_erasures);
 * the rows stay, anonymous. Not audited (the caller audits). 0 or a negative db code. */
int customers_erase_id(db_conn *c, int64_t id);
int customers_demo(db *d, const struct demo_opts *o);

#endif
