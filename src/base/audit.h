/* audit: who changed what, written in the same transaction as the change. */
#ifndef BASE_AUDIT_H
#define BASE_AUDIT_H
#include <jansson.h>

#include "base/db.h"
#include "base/http.h"

/* Record action ("create", "update", "merge", ...) on entity (table-like name) with its
 * code; detail (may be NULL) is stored as JSON and not stolen. Call inside the
 * transaction of the change. 0 or a negative db code. */
int audit_write(db_conn *c, const char *actor, const char *action, const char *entity,
                const char *code, json_t *detail);
/* The actor string of a request: the login, or "token:<name>". */
const char *audit_actor(const req *r);

#endif
