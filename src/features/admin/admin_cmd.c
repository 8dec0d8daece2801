/* admin_cmd: the command-line side of staff administration (user disable/enable, restore). */
#include "features/admin/admin.h"

#include "base/audit.h"
#include "base/auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int admin_cmd_user_state(db *d, const char *login, int enable)
{
    const char *prog = enable ? "aftersales user enable" : "aftersales user disable";
    db_conn *c = db_acquire(d);
    int64_t now = now_unix();
    int rc = db_begin(c);
    int64_t n = rc < 0 ? -1
                       : db_exec(c,
                                 "UPDATE users SET active = ?, version = version + 1,"
                                 " updated_at = ? WHERE login = ?",
                                 "iit", (int64_t)(enable ? 1 : 0), now, login);
    if (n == 0) {
        db_rollback(c);
        db_release(c);
        fprintf(stderr, "%s: no login %s\n", prog, login);
        return 1;
    }
    json_t *detail = json_pack("{s:[s]}", "fields", "active");
    if (n < 0 ||
        (!enable && db_exec(c,
                            "DELETE FROM sessions WHERE user_id = (SELECT id FROM users"
                            " WHERE login = ?)",
                            "t", login) < 0) ||
        audit_write(c, "cli", enable ? "enable" : "disable", "user", login, detail) < 0 ||
        db_commit(c) < 0) {
        fprintf(stderr, "%s: %s\n", prog, db_errmsg(c));
        db_rollback(c);
        json_decref(detail);
        db_release(c);
        return 1;
    }
    json_decref(detail);
    db_release(c);
    printf("user %s %s\n", login, enable ? "enabled" : "disabled");
    return 0;
}

static const char *sqlite_path(const char *url)
{
    if (strncmp(url, "sqlite://", 9) == 0)
        return url + 9;
    if (strncmp(url, "file:", 5) == 0)
        return url + 5;
    return url;
}

int admin_cmd_restore(int argc, char **argv, const char *db_path)
{
    const char *file = NULL;
    int force = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--force") == 0)
            force = 1;
        else if (argv[i][0] == '-' || file) {
            fprintf(stderr, "aftersales restore: unexpected %s\n"
                            "usage: aftersales restore FILE [--db PATH] [--force]\n",
                    argv[i]);
            return 2;
        } else
            file = argv[i];
    }
    if (!file) {
        fprintf(stderr, "aftersales restore: expected the backup FILE\n"
                        "usage: aftersales restore FILE [--db PATH] [--force]\n");
        return 2;
    }
    if (strstr(db_path, "://") && strncmp(db_path, "sqlite://", 9) != 0) {
        fprintf(stderr, "aftersales restore: restores SQLite databases only; for PostgreSQL use "
                        "pg_restore (docs/deploy.md)\n");
        return 1;
    }
    const char *target = sqlite_path(db_path);
    struct stat sb;
    if (stat(file, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fprintf(stderr, "aftersales restore: no backup file %s\n", file);
        return 1;
    }
    if (stat(target, &sb) == 0 && !force) {
        fprintf(stderr, "aftersales restore: %s exists; give --force to overwrite it (stop the "
                        "servers first)\n",
                target);
        return 1;
    }
    char *err = NULL;
    if (db_restore_sqlite(file, target, &err) < 0) {
        fprintf(stderr, "aftersales restore: %s\n", err ? err : "failed");
        free(err);
        return 1;
    }
    printf("restored %s into %s\n", file, target);
    return 0;
}
