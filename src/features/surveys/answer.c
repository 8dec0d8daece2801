/* surveys: storing a survey's answers (by its link or by the agent on a call-back) and
 * the supervisor's follow-up a score of 2 or below opens; the template as JSON. */
#include "base/jsonv.h"
#include "features/surveys/internal.h"

#include <stdio.h>
#include <string.h>

/* The four seed questions, as the body names them and as surveys stores them. */
static const char *const questions[4] = {"first_impression", "repair_time", "attitude", "overall"};

int sv_store_answers(db_conn *c, int64_t id, jsonv *v, const char *via, int64_t now)
{
    long long q[4] = {0}, nps = -1;
    for (int i = 0; i < 4; i++)
        jsonv_int_range(v, questions[i], 1, 1, 5, &q[i]);
    int has_nps = jsonv_int_range(v, "nps", 0, 0, 10, &nps);
    const char *comment = jsonv_str(v, "comment", 0, 2000);
    if (!jsonv_ok(v))
        return 1;
    db_stmt *st = db_prepare(
        c, "UPDATE surveys SET status = 'answered', answered_at = ?, answered_via = ?,"
           " q_first = ?, q_time = ?, q_attitude = ?, q_overall = ?, nps = CAST(? AS BIGINT),"
           " comment = CAST(? AS TEXT) WHERE id = ? AND status = 'open' AND answered_at IS NULL");
    if (!st)
        return DB_ERROR;
    db_bind_int(st, 1, now);
    db_bind_text(st, 2, via);
    for (int i = 0; i < 4; i++)
        db_bind_int(st, 3 + i, q[i]);
    if (has_nps)
        db_bind_int(st, 7, nps);
    else
        db_bind_null(st, 7);
    db_bind_text(st, 8, comment && *comment ? comment : NULL);
    db_bind_int(st, 9, id);
    int s = db_step(st);
    int64_t n = s == DB_DONE ? db_changes(st) : 0;
    db_done(st);
    if (s < 0)
        return s;
    if (n == 0)
        return 2;
    char reason[200] = "";
    size_t len = 0;
    for (int i = 0; i < 4; i++)
        if (q[i] <= SV_LOW && len < sizeof reason - 40)
            len += (size_t)snprintf(reason + len, sizeof reason - len, "%s%s %lld", len ? "; " : "",
                                    questions[i], q[i]);
    if (!len)
        return 0;
    int64_t e = db_exec(c,
                        "INSERT INTO survey_followups (survey_id, outlet_id, reason, created_at)"
                        " SELECT id, outlet_id, ?, ? FROM surveys WHERE id = ?",
                        "tii", reason, now, id);
    return e < 0 ? (int)e : 0;
}

json_t *sv_template_json(db_stmt *st, int first)
{
    json_error_t err;
    json_t *texts = json_loads(db_text(st, first + 4), 0, &err);
    return json_pack("{s:s, s:{s:s, s:s}, s:s, s:o, s:{s:s, s:s}, s:b, s:b}", "code",
                     db_text(st, first), "name", "zh", db_text(st, first + 1), "en",
                     db_text(st, first + 2), "kind", db_text(st, first + 3), "texts",
                     texts ? texts : json_object(), "script", "zh", db_text(st, first + 5), "en",
                     db_text(st, first + 6), "nps", (int)db_int(st, first + 7), "free_text",
                     (int)db_int(st, first + 8));
}
