/* repairs: the small helpers the repairs files share (kinds, channels, id lookups,
 * timeline events). */
#include "features/repairs/internal.h"
#include "rules/repair_state.h"

#include <string.h>

_Static_assert((int)RS_ROLE_ADMIN == (int)ROLE_ADMIN && (int)RS_ROLE_SUPERVISOR == (int)ROLE_SUPERVISOR &&
                   (int)RS_ROLE_AGENT == (int)ROLE_AGENT && (int)RS_ROLE_OUTLET_MANAGER == (int)ROLE_OUTLET_MANAGER &&
                   (int)RS_ROLE_TECHNICIAN == (int)ROLE_TECHNICIAN,
               "repair_state role bits follow base/http.h");

const char *const rep_kinds[] = {"carry_in", "on_site", "mail_in", NULL};
const char *const rep_channels[] = {"phone", "email", "web", "walk_in", "letter", "fax", NULL};

int rep_in_list(const char *const *list, const char *s)
{
    for (; s && *list; list++)
        if (strcmp(*list, s) == 0)
            return 1;
    return 0;
}


int rep_event_add(db_conn *c, int64_t id, const char *status, int64_t at, const char *actor)
{
    return (int)db_exec(c, "INSERT INTO repair_events (repair_id, status, at, actor) VALUES (?, ?, ?, ?)",
                        "itit", id, status, at, actor);
}
