/* kb: the checked content of one article write, shared by create and update. */
#ifndef FEATURES_KB_STORE_H
#define FEATURES_KB_STORE_H
#include <jansson.h>
#include <stdint.h>

#include "base/db.h"

struct kb_write {
    /* as given */
    const char *lang, *kind, *audience, *title, *raw_body, *translation_of;
    int64_t valid_from, valid_to; /* valid_to 0: open-ended */
    int has_valid_from, has_valid_to;
    long long version;            /* update: the version the editor saw */
    json_t *lines, *models;       /* arrays of codes, or NULL (unchanged) */
    const char *actor, *code;
    int64_t id;
    /* made by kb_prepare (malloc'd, freed by kb_write_free) */
    char *body, *text, *tokens_title, *tokens_all, *bi_title, *bi_all;
    /* update: the current title and body when not given, kind and audience (malloc'd) */
    char *cur_title, *cur_body, cur_kind[16], cur_audience[16];
    /* a refusal */
    const char *field, *why;
};

/* Sanitise the body and make the tokens. 0, KB_BAD or DB_ERROR. */
int kb_prepare(struct kb_write *w);
void kb_write_free(struct kb_write *w);
int kb_links_store(db_conn *c, int64_t id, struct kb_write *w);
int kb_twin_store(db_conn *c, int64_t id, const char *lang, const char *twin, struct kb_write *w);

#endif
