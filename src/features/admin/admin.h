/* admin: staff account administration (M16) from the command line: disable and enable
 * a login, restore an SQLite backup. */
#ifndef FEATURES_ADMIN_H
#define FEATURES_ADMIN_H
#include "base/db.h"

/* `aftersales user disable|enable LOGIN`: set the account's state; a disable also ends
 * its sessions (its bearer tokens are refused while it is disabled). Audited with actor
 * "cli". Exit code: 0 done, 1 no such login or a database error. */
int admin_cmd_user_state(db *d, const char *login, int enable);
/* `aftersales restore FILE [--db PATH] [--force]` (argv after the command name). Exit
 * code 0, 1 (refused or failed), 2 (usage). */
int admin_cmd_restore(int argc, char **argv, const char *db_path);

#endif
