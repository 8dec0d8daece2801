/* audit: who changed what, written in the same transaction as the change. */
#ifndef BASE_AUDIT_H
#define BASE_AUDIT_H
#include <jansson.h>

#include "base/db.h"
#include "base/http.h"

/* Record action ("create", "update", "merge", ...) on entity (table-like name) with its
 * code; detail (may be NULL) is stored as JSON and not stolen; the client is the
 * request's (audit_set_client). Call inside the transaction of the change. 0 or a negative db code. */
int audit_write(db_conn *c, const char *actor, const char *action, const char *entity,
                const char *code, json_t *detail);
/* The client address audit_write records on this thread (http.c sets req_client() before
 * a handler and NULL after it). */
void audit_set_client(const char *client);
/* The actor string of a request: the login, or "token:<name>". */
const char *audit_actor(const req *r);

#endif
