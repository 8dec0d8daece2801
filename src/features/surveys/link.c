/* surveys: the public survey page's routes, reached by a signed single-use link without
 * login: a tampered or unknown link answers 404, an answered, closed or expired one 410. */
#include "features/surveys/internal.h"

#include <string.h>

/* The survey of the token in r's path: 0 with *id and *st_out (a row of SV_TEMPLATE_COLS
 * then the survey's code, status, expires_at, id, kind; the caller finishes it), or
 * answered (404, 410) and 1, or -1. */
static int find_survey(req *r, db_conn *c, int64_t *id, db_stmt **st_out)
{
    struct sv_settings set;
    int rc = sv_settings_load(c, 0, &set);
    if (rc < 0)
        return reply_db_failure(r, rc, "survey settings") < 0 ? -1 : 1;
    int64_t expires = 0;
    const char *code = rc == 0 ? sv_token_check(r->a, &set, req_param(r, "token"), &expires) : NULL;
    if (!code)
        return reply_not_found(r, "survey"), 1;
    db_stmt *st = db_prepare(c, "SELECT " SV_TEMPLATE_COLS ", s.code, s.status, s.expires_at, s.id,"
                                " s.channel FROM surveys s JOIN survey_templates t"
                                " ON t.id = s.template_id WHERE s.code = ?");
    if (!st)
        return -1;
    db_bind_text(st, 1, code);
    int s = db_step(st);
    if (s != DB_ROW || db_int(st, 11) != expires || strcmp(db_text(st, 13), "callback") == 0) {
        db_done(st);
        return s < 0 ? -1 : (reply_not_found(r, "survey"), 1);
    }
    if (strcmp(db_text(st, 10), "open") != 0 || expires <= now_unix()) {
        db_done(st);
        return reply_error(r, 410, "gone", "this survey link was used already or has expired", NULL), 1;
    }
    *id = db_int(st, 12);
    *st_out = st;
    return 0;
}

int sv_public_get(req *r)
{
    db_conn *c = req_db(r);
    db_stmt *st = NULL;
    int64_t id = 0;
    int rc = find_survey(r, c, &id, &st);
    if (rc)
        return rc < 0 ? -1 : 0;
    json_t *j = json_pack("{s:s, s:s, s:o}", "code", db_text(st, 9), "kind", db_text(st, 3),
                          "template", sv_template_json(st, 0));
    db_done(st);
    return reply_json(r, 200, j);
}

int sv_public_answer(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    db_conn *c = req_db(r);
    int rc = db_begin(c);
    db_stmt *st = NULL;
    int64_t id = 0;
    if (rc < 0) {
        json_decref(body);
        return reply_db_failure(r, rc, "survey");
    }
    rc = find_survey(r, c, &id, &st);
    if (rc) {
        db_rollback(c);
        json_decref(body);
        return rc < 0 ? -1 : 0;
    }
    db_done(st);
    jsonv v;
    jsonv_init(&v, body);
    static const char *const allowed[] = {"first_impression", "repair_time", "attitude", "overall",
                                          "nps", "comment", NULL};
    jsonv_only(&v, allowed);
    int k = sv_store_answers(c, id, &v, "link", now_unix());
    if (k == 0 && db_commit(c) == 0)
        rc = reply_json(r, 200, json_pack("{s:b}", "answered", 1));
    else {
        db_rollback(c);
        if (k == 1)
            rc = reply_error(r, 422, "validation_failed", "the answers are not valid", jsonv_take(&v));
        else if (k == 2)
            rc = reply_error(r, 410, "gone", "this survey link was used already or has expired", NULL);
        else
            rc = k < 0 ? reply_db_failure(r, k, "survey") : -1;
    }
    jsonv_free(&v);
    json_decref(body);
    return rc;
}
