/* audit: one row per change in the audit table. */
#include "base/audit.h"

#include <stdlib.h>

/* The client of the request this thread is answering (set around each handler by
 * http.c; a request runs on one thread from start to reply), NULL elsewhere. */
static _Thread_local const char *current_client;

void audit_set_client(const char *client) { current_client = client; }

int audit_write(db_conn *c, const char *actor, const char *action, const char *entity,
                const char *code, json_t *detail)
{
    char *d = detail ? json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    int64_t rc = db_exec(c,
                         "INSERT INTO audit (at, actor, action, entity, entity_code, detail, client)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?)",
                         "itttttt", now_unix(), actor ? actor : "system", action, entity, code, d,
                         current_client);
    free(d);
    return rc < 0 ? (int)rc : 0;
}

const char *audit_actor(const req *r) { return r->who.login ? r->who.login : "anonymous"; }
