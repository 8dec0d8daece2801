/* kb: the route table of the information base, and the expiry pass inside serve. */
#include <stdlib.h>

#include "base/log.h"
#include "base/periodic.h"
#include "features/kb/internal.h"

const struct route kb_routes[] = {
    {"GET", "/api/v1/public/kb/search", kb_search_public, 0, ROUTE_PUBLIC | ROUTE_LIMITED},
    {"GET", "/api/v1/public/kb/articles", kb_public_list, 0, ROUTE_PUBLIC | ROUTE_LIMITED},
    {"GET", "/api/v1/public/kb/articles/:code", kb_public_article, 0, ROUTE_PUBLIC | ROUTE_LIMITED},
    {"GET", "/api/v1/public/kb/images/:code", kb_images_get, 0, ROUTE_PUBLIC},
    {"GET", "/api/v1/kb/search", kb_search_staff, KB_READERS, 0},
    {"GET", "/api/v1/kb/articles", kb_articles_list, KB_WRITERS, 0},
    {"POST", "/api/v1/kb/articles", kb_articles_create, KB_WRITERS, 0},
    {"GET", "/api/v1/kb/expiring", kb_articles_expiring, KB_WRITERS, 0},
    {"GET", "/api/v1/kb/articles/:code", kb_articles_get, KB_READERS, 0},
    {"PATCH", "/api/v1/kb/articles/:code", kb_articles_update, KB_WRITERS, 0},
    {"POST", "/api/v1/kb/articles/:code/transitions", kb_articles_transition, KB_WRITERS, 0},
    {"GET", "/api/v1/kb/articles/:code/versions", kb_articles_versions, KB_WRITERS, 0},
    {"POST", "/api/v1/kb/images", kb_images_create, KB_WRITERS, 0},
    {0},
};

static struct periodic *pass;

static void expire_pass(void *arg)
{
    db_conn *c = db_acquire(arg);
    int n = 0;
    if (kb_expire(c, now_unix(), &n) < 0)
        log_info("kb expiry: pass failed: %s", db_errmsg(c));
    else if (n)
        log_info("kb expiry: %d articles withdrawn", n);
    db_release(c);
}

void kb_scheduler_start(db *d)
{
    const char *env = getenv("AFTERSALES_KB_EXPIRY_INTERVAL");
    pass = periodic_start(env && *env ? atoi(env) : 60, expire_pass, d);
}

void kb_scheduler_stop(void)
{
    periodic_stop(pass);
    pass = NULL;
}
