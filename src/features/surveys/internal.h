/* surveys: what the files of the surveys folder share (nobody else includes it). */
#ifndef FEATURES_SURVEYS_INTERNAL_H
#define FEATURES_SURVEYS_INTERNAL_H
#include <jansson.h>
#include <stdint.h>

#include "base/jsonv.h"
#include "features/surveys/surveys.h"

/* A score of this or below opens a follow-up; satisfied is overall >= SV_SATISFIED. */
#define SV_LOW 2
#define SV_SATISFIED 4

/* survey_settings. */
struct sv_settings {
    int64_t interval_days, link_days, max_attempts;
    unsigned char key[32];
};

/* invite.c */
/* The settings, making the link key at the first call (inside a write transaction when
 * make_key). 0, 1 when there is no key yet and make_key is 0, or a negative db code. */
int sv_settings_load(db_conn *c, int make_key, struct sv_settings *out);
/* Invite customer_id for a repair (appointment_id 0) or a visit, inside the caller's
 * transaction: nothing when the customer was surveyed in the last interval_days or has
 * no channel. 0 or a negative db code. */
int sv_invite(db_conn *c, const char *kind, int64_t repair_id, int64_t appointment_id,
              int64_t customer_id, int64_t outlet_id, int64_t pl_id, int64_t now);
/* The link token "<code>.<expires>.<hex HMAC-SHA256>" of a survey, into out (>= 128). */
void sv_token(const struct sv_settings *st, const char *code, int64_t expires, char *out,
              size_t n);
/* The survey code of a token whose signature holds (its expiry in *expires), or NULL
 * (tampered or malformed); in the arena. */
const char *sv_token_check(arena *a, const struct sv_settings *st, const char *token,
                           int64_t *expires);

/* answer.c */
/* The answers read from v's body into the survey id (open, not answered) with via
 * ("link" or "callback"), and the follow-up of a low score; inside the caller's
 * transaction. 0 stored, 1 when the body is invalid (reasons in v), 2 when already
 * answered or closed, or a negative db code. */
int sv_store_answers(db_conn *c, int64_t id, jsonv *v, const char *via, int64_t now);
/* The template's JSON (code, names, texts, script, nps, free_text). */
json_t *sv_template_json(db_stmt *st, int first);
#define SV_TEMPLATE_COLS "t.code, t.name_zh, t.name_en, t.kind, t.texts, t.script_zh, t.script_en, t.nps, t.free_text"

/* tasks.c, templates.c, link.c, report.c: the handlers */
int sv_list(req *r);
int sv_get(req *r);
int sv_attempt(req *r);
int sv_followups_list(req *r);
int sv_followup_close(req *r);
int sv_templates_list(req *r);
int sv_template_put(req *r);
int sv_settings_get(req *r);
int sv_settings_put(req *r);
int sv_public_get(req *r);
int sv_public_answer(req *r);

#endif
