/* admin_cmd: the command-line side of staff administration (user disable/enable, restore). */
#include "features/admin/admin.h"


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int admin_cmd_user_state(db *d, const char *login, int enable)
{
    const char *prog = enable ? "aftersales user enable" : "aftersales user disable";
    db_conn *c = db_acquire(d);
    int rc = admin_user_set_active(c, "cli", login, enable);
    if (rc == 1)
        fprintf(stderr, "%s: no login %s\n", prog, login);
    else if (rc < 0)
        fprintf(stderr, "%s: %s\n", prog, db_errmsg(c));
    else
        printf("user %s %s\n", login, enable ? "enabled" : "disabled");
    db_release(c);
    return rc == 0 ? 0 : 1;
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
                        "pg_restore (docs/backup-restore.md)\n");
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
