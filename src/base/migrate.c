/* migrate: applies pending migrations in order, recording each in schema_migrations. */
#include "base/migrate.h"
#include "base/db_bulk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int applied(db_conn *c, const char *name)
{
    db_stmt *st = db_prepare(c, "SELECT 1 FROM schema_migrations WHERE name = ?");
    if (!st)
        return -1;
    db_bind_text(st, 1, name);
    int rc = db_step(st);
    db_done(st);
    return rc < 0 ? -1 : rc == DB_ROW;
}

static int apply_all(db_conn *c, char **err);

/* A migration that fills a table over a large database (0020: 10M units and customers)
 * is one transaction whose dirty pages must fit in the cache; with the usual 64 MB they
 * spilled into the WAL and were read back (over 20 min and 34+ GB of I/O at the design
 * size, not finished). So migrations run with the bulk cache, allocated only as used. */
int migrate_apply(db_conn *c, char **err)
{
    db_bulk_cache(c, 1);
    int rc = apply_all(c, err);
    db_bulk_cache(c, 0);
    return rc;
}

static int apply_all(db_conn *c, char **err)
{
    const char *backend = db_conn_kind(c) == DB_POSTGRES ? "postgres" : "sqlite";
    if (db_exec_script(c, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                          " name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)") < 0)
        goto fail;
    for (const struct migration *m = migrations; m->name; m++) {
        if (strcmp(m->backend, backend) != 0)
            continue;
        if (db_begin(c) < 0)
            goto fail;
        /* Several servers may start at once on PostgreSQL: serialise on a lock. */
        if (db_conn_kind(c) == DB_POSTGRES &&
            db_exec(c, "SELECT pg_advisory_xact_lock(727272)", "") < 0)
            goto fail_tx;
        int done = applied(c, m->name);
        if (done < 0)
            goto fail_tx;
        if (done) {
            db_rollback(c);
            continue;
        }
        if (db_exec_script(c, m->sql) < 0) {
            if (asprintf(err, "migration %s/%s failed: %s", backend, m->name, db_errmsg(c)) < 0)
                *err = NULL;
            db_rollback(c);
            return -1;
        }
        if (db_exec(c, "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)", "ti",
                    m->name, (int64_t)time(NULL)) < 0)
            goto fail_tx;
        if (db_commit(c) < 0)
            goto fail_tx;
    }
    return 0;
fail_tx:
    db_rollback(c);
fail:
    if (asprintf(err, "migration failed: %s", db_errmsg(c)) < 0)
        *err = NULL;
    return -1;
}
