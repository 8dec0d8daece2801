/* migrate: numbered schema migrations embedded from sql/<backend>/ at build time. */
#ifndef BASE_MIGRATE_H
#define BASE_MIGRATE_H
#include "base/db.h"

struct migration {
    const char *backend; /* "sqlite" or "postgres" */
    const char *name;    /* "0001_base.sql" */
    const char *sql;
};

extern const struct migration migrations[]; /* ends with a zeroed entry */

/* Apply every migration of c's backend not yet recorded in schema_migrations, each in
 * its own transaction. 0, or -1 with *err set (malloc'd). */
int migrate_apply(db_conn *c, char **err);

#endif
