/* research: the route table of M12 market research questionnaires. */
#include "features/research/internal.h"

#define WRITE (ROLE_ADMIN | ROLE_MARKETER)
#define READ (ROLE_ADMIN | ROLE_MARKETER | ROLE_SUPERVISOR)

const struct route research_routes[] = {
    {"GET", "/api/v1/questionnaires", rs_list, READ, 0},
    {"POST", "/api/v1/questionnaires", rs_create, WRITE, 0},
    {"GET", "/api/v1/questionnaires/:code", rs_get, READ, 0},
    {"PUT", "/api/v1/questionnaires/:code", rs_put, WRITE, 0},
    {"POST", "/api/v1/questionnaires/:code/send", rs_send, WRITE, 0},
    {"POST", "/api/v1/questionnaires/:code/close", rs_close, WRITE, 0},
    {"GET", "/api/v1/questionnaires/:code/recipients", rs_recipients, READ, 0},
    {"GET", "/api/v1/questionnaires/:code/results", rs_results, READ, 0},
    {"GET", "/api/v1/questionnaires/:code/answers", rs_answers, READ, 0},
    {"GET", "/api/v1/public/research/:token", rs_public_get, 0,
     ROUTE_PUBLIC | ROUTE_LIMITED | ROUTE_SECRET_PATH},
    {"POST", "/api/v1/public/research/:token", rs_public_answer, 0,
     ROUTE_PUBLIC | ROUTE_LIMITED | ROUTE_SECRET_PATH},
    {0},
};
