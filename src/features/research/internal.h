/* research: what the files of the research folder share (nobody else includes it). */
#ifndef FEATURES_RESEARCH_INTERNAL_H
#define FEATURES_RESEARCH_INTERNAL_H
#include <jansson.h>
#include <stdint.h>

#include "base/jsonv.h"
#include "features/common/common.h"
#include "features/research/research.h"

#define RS_MAX_QUESTIONS 50
#define RS_MAX_OPTIONS 20
#define RS_TEXT_MAX 2000

/* The columns every read of a questionnaire takes (q the questionnaires row). */
#define RS_COLS                                                                             \
    "q.id, q.code, q.title_zh, q.title_en, q.questions, q.status, q.version,"               \
    " (SELECT code FROM segments WHERE id = q.segment_id), q.channel, q.sent_at, q.closed_at," \
    " q.created_by, q.created_at, q.updated_at"

/* questionnaire.c */
/* The questionnaire of a row of RS_COLS as JSON (questions parsed). */
json_t *rs_json(db_stmt *st);
/* The validated questions array of body (a new normalised array), or NULL with the
 * reasons in v. */
json_t *rs_questions_read(jsonv *v, json_t *questions);
/* The questions of questionnaire `code` (new reference), its id and status into *id and
 * status[8]; 0, 1 when there is none, or a negative db code. */
int rs_load(db_conn *c, const char *code, int64_t *id, char status[8], json_t **questions);

/* results.c: the questionnaire of r's :code (id, questions when qs), or 404 answered
 * (LIST_ANSWERED), or -1. */
int rs_load_or_404(req *r, int64_t *id, json_t **qs);

/* link.c */
/* The token "<code>.<recipient id>.<hex HMAC-SHA256>" of a recipient into out (>= 128). */
void rs_token(const unsigned char key[32], const char *code, int64_t rid, char *out, size_t n);

int rs_create(req *r);
int rs_get(req *r);
int rs_put(req *r);
int rs_list(req *r);
int rs_close(req *r);
int rs_send(req *r);
int rs_recipients(req *r);
int rs_results(req *r);
int rs_answers(req *r);
int rs_public_get(req *r);
int rs_public_answer(req *r);

#endif
