/* surveys: the route table of M11 surveys (staff lists and call-backs, follow-ups,
 * templates and settings, the public link). */
#include "features/surveys/internal.h"

#define DESK (ROLE_ADMIN | ROLE_SUPERVISOR | ROLE_AGENT)
#define MANAGE (ROLE_ADMIN | ROLE_SUPERVISOR)

const struct route surveys_routes[] = {
    {"GET", "/api/v1/surveys", sv_list, DESK, 0},
    {"GET", "/api/v1/surveys/:code", sv_get, DESK, 0},
    {"POST", "/api/v1/surveys/:code/attempts", sv_attempt, DESK, 0},
    {"GET", "/api/v1/survey-followups", sv_followups_list, MANAGE, 0},
    {"POST", "/api/v1/survey-followups/:code/close", sv_followup_close, MANAGE, 0},
    {"GET", "/api/v1/survey-templates", sv_templates_list, DESK, 0},
    {"PUT", "/api/v1/survey-templates/:code", sv_template_put, ROLE_ADMIN, 0},
    {"GET", "/api/v1/survey-settings", sv_settings_get, DESK, 0},
    {"PUT", "/api/v1/survey-settings", sv_settings_put, ROLE_ADMIN, 0},
    {"GET", "/api/v1/public/surveys/:token", sv_public_get, 0, ROUTE_PUBLIC | ROUTE_LIMITED},
    {"POST", "/api/v1/public/surveys/:token", sv_public_answer, 0,
     ROUTE_PUBLIC | ROUTE_LIMITED},
    {0},
};
