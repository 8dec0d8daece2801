/* kb: what the information base's files share (nobody else includes it). */
#ifndef FEATURES_KB_INTERNAL_H
#define FEATURES_KB_INTERNAL_H
#include <jansson.h>

#include "features/common/common.h"
#include "features/kb/kb.h"

enum { KB_BAD = 1000, KB_STALE, KB_MISSING, KB_DUPLICATE };

/* Roles that write articles, and those that publish them. */
#define KB_WRITERS (ROLE_EDITOR | ROLE_MARKETER | ROLE_SUPERVISOR | ROLE_ADMIN)
#define KB_PUBLISHERS (ROLE_SUPERVISOR | ROLE_ADMIN)
#define KB_READERS (KB_WRITERS | ROLE_AGENT | ROLE_OUTLET_MANAGER | ROLE_TECHNICIAN)

/* One article as JSON (full: body, links, twin); 0, 1 when none, or a db code. */
int kb_article_json(db_conn *c, int64_t id, int full, json_t **out);
/* The id of the article with this code: 0, 1 when none, or a db code. */
int kb_find(db_conn *c, const char *code, int64_t *id);
/* Keep a version row: the article as it is now, by actor at now. 0 or a db code. */
int kb_snapshot(db_conn *c, int64_t id, const char *actor, int64_t now);
/* 1 when the role may see articles of any status (not only published ones). */
int kb_sees_drafts(const req *r);

/* Parse r's JSON body (answering 400 itself), run fn on it, free it. fn's result. */
int kb_with_body(req *r, int (*fn)(req *r, json_t *body));

int kb_articles_list(req *r);
int kb_articles_expiring(req *r);
int kb_articles_versions(req *r);
int kb_articles_create(req *r);
int kb_articles_get(req *r);
int kb_articles_update(req *r);
int kb_articles_transition(req *r);
int kb_search_public(req *r);
int kb_search_staff(req *r);
int kb_public_article(req *r);
int kb_public_list(req *r);
int kb_images_create(req *r);
int kb_images_get(req *r);

#endif
