/* surveys: the survey templates (the seed questions' texts in zh-CN and en, the
 * call-back script, whether NPS and free text are asked) and the settings (the
 * once-per-N-days limit, how long a link works, call-back attempts). */
#include "base/audit.h"
#include "features/surveys/internal.h"

#include <string.h>

int sv_templates_list(req *r)
{
    db_stmt *st = db_prepare(req_db(r), "SELECT " SV_TEMPLATE_COLS " FROM survey_templates t ORDER BY t.code");
    if (!st)
        return -1;
    json_t *items = json_array();
    int s;
    while ((s = db_step(st)) == DB_ROW)
        json_array_append_new(items, sv_template_json(st, 0));
    db_done(st);
    if (s < 0) {
        json_decref(items);
        return reply_db_failure(r, s, "survey templates");
    }
    int f = table_format_of(r);
    if (f < 0) {
        json_decref(items);
        return reply_bad_format(r);
    }
    if (f == TABLE_JSON)
        return reply_json(r, 200, json_pack("{s:o}", "items", items));
    static const struct table_col cols[] = {
        {"code", NULL, TABLE_TEXT, 10, 0}, {"kind", NULL, TABLE_TEXT, 8, 0},
        {"name_zh", NULL, TABLE_TEXT, 24, 0}, {"name_en", NULL, TABLE_TEXT, 30, 0},
        {"nps", NULL, TABLE_TEXT, 6, 0}, {"free_text", NULL, TABLE_TEXT, 9, 0},
    };
    json_t *rows = json_array();
    size_t i;
    json_t *t;
    json_array_foreach(items, i, t)
    {
        json_t *nm = json_object_get(t, "name");
        json_array_append_new(rows, json_pack("{s:O, s:O, s:O, s:O, s:O, s:O}", "code",
                                              json_object_get(t, "code"), "kind",
                                              json_object_get(t, "kind"), "name_zh",
                                              json_object_get(nm, "zh"), "name_en",
                                              json_object_get(nm, "en"), "nps",
                                              json_object_get(t, "nps"), "free_text",
                                              json_object_get(t, "free_text")));
    }
    json_decref(items);
    int rc = table_reply_rows(r, (enum table_format)f, "survey-templates", "templates", cols,
                              (int)(sizeof cols / sizeof *cols), rows);
    json_decref(rows);
    return rc;
}

/* The texts object: each of the six keys with a non-empty zh and en of at most 300
 * bytes; the reason in v. */
static void check_texts(jsonv *v, json_t *texts)
{
    static const char *const keys[] = {"first_impression", "repair_time", "attitude", "overall",
                                       "nps", "comment"};
    if (!json_is_object(texts)) {
        jsonv_fail(v, "texts", "an object of the six question texts, each {zh, en}");
        return;
    }
    for (size_t i = 0; i < 6; i++) {
        json_t *q = json_object_get(texts, keys[i]);
        for (int l = 0; l < 2; l++) {
            json_t *s = json_object_get(q, l ? "en" : "zh");
            if (!json_is_string(s) || !json_string_length(s) || json_string_length(s) > 300) {
                jsonv_fail(v, "texts", "each of first_impression, repair_time, attitude, overall,"
                                       " nps and comment needs zh and en, 1-300 bytes");
                return;
            }
        }
    }
    if (json_object_size(texts) != 6)
        jsonv_fail(v, "texts", "only first_impression, repair_time, attitude, overall, nps, comment");
}

int sv_template_put(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv v;
    jsonv_init(&v, body);
    static const char *const allowed[] = {"name", "texts", "script", "nps", "free_text", NULL};
    jsonv_only(&v, allowed);
    json_t *name = json_object_get(body, "name"), *script = json_object_get(body, "script");
    const char *nz = json_string_value(json_object_get(name, "zh"));
    const char *ne = json_string_value(json_object_get(name, "en"));
    const char *sz = json_string_value(json_object_get(script, "zh"));
    const char *se = json_string_value(json_object_get(script, "en"));
    if (!nz || !*nz || !ne || !*ne || strlen(nz) > 100 || strlen(ne) > 100)
        jsonv_fail(&v, "name", "zh and en, 1-100 bytes each");
    if (!sz || !*sz || !se || !*se || strlen(sz) > 2000 || strlen(se) > 2000)
        jsonv_fail(&v, "script", "zh and en, 1-2000 bytes each");
    json_t *texts = json_object_get(body, "texts");
    check_texts(&v, texts);
    int nps = 1, ft = 1;
    jsonv_bool(&v, "nps", 1, &nps);
    jsonv_bool(&v, "free_text", 1, &ft);
    int rc;
    const char *code = req_param(r, "code");
    if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed", "the template is not valid", jsonv_take(&v));
    } else {
        db_conn *c = req_db(r);
        char *tx = json_dumps(texts, JSON_COMPACT);
        int k = db_begin(c);
        int64_t e = k < 0 ? k
                          : db_exec(c,
                                    "UPDATE survey_templates SET name_zh = ?, name_en = ?, texts = ?,"
                                    " script_zh = ?, script_en = ?, nps = ?, free_text = ?,"
                                    " updated_at = ?, updated_by = ? WHERE code = ?",
                                    "tttttiiitt", nz, ne, tx, sz, se, (int64_t)nps, (int64_t)ft,
                                    now_unix(), audit_actor(r), code);
        free(tx);
        if (e == 1 && audit_write(c, audit_actor(r), "update", "survey_template", code, NULL) == 0 &&
            db_commit(c) == 0) {
            rc = reply_json(r, 200, json_pack("{s:s}", "code", code));
        } else {
            if (k == 0)
                db_rollback(c);
            rc = e < 0 ? reply_db_failure(r, (int)e, "survey template")
                       : e == 0 ? reply_not_found(r, "survey template") : -1;
        }
    }
    jsonv_free(&v);
    json_decref(body);
    return rc;
}

int sv_settings_get(req *r)
{
    struct sv_settings s;
    int rc = sv_settings_load(req_db(r), 0, &s);
    if (rc < 0)
        return reply_db_failure(r, rc, "survey settings");
    return reply_json(r, 200, json_pack("{s:I, s:I, s:I}", "interval_days",
                                        (json_int_t)s.interval_days, "link_days",
                                        (json_int_t)s.link_days, "max_attempts",
                                        (json_int_t)s.max_attempts));
}

int sv_settings_put(req *r)
{
    json_t *body = NULL;
    if (req_json(r, &body) < 0)
        return 0;
    jsonv v;
    jsonv_init(&v, body);
    static const char *const allowed[] = {"interval_days", "link_days", "max_attempts", NULL};
    jsonv_only(&v, allowed);
    long long iv = 0, ld = 0, ma = 0;
    jsonv_int_range(&v, "interval_days", 1, 0, 3650, &iv);
    jsonv_int_range(&v, "link_days", 1, 1, 90, &ld);
    jsonv_int_range(&v, "max_attempts", 1, 1, 10, &ma);
    int rc;
    if (!jsonv_ok(&v)) {
        rc = reply_error(r, 422, "validation_failed", "the settings are not valid", jsonv_take(&v));
    } else {
        db_conn *c = req_db(r);
        int k = db_begin(c);
        json_t *d = json_pack("{s:I, s:I, s:I}", "interval_days", (json_int_t)iv, "link_days",
                              (json_int_t)ld, "max_attempts", (json_int_t)ma);
        if (k == 0 &&
            db_exec(c, "UPDATE survey_settings SET interval_days = ?, link_days = ?,"
                       " max_attempts = ?, updated_at = ? WHERE id = 1",
                    "iiii", (int64_t)iv, (int64_t)ld, (int64_t)ma, now_unix()) == 1 &&
            audit_write(c, audit_actor(r), "update", "survey_settings", "surveys", d) == 0 &&
            db_commit(c) == 0) {
            json_decref(d);
            jsonv_free(&v);
            json_decref(body);
            return sv_settings_get(r);
        }
        json_decref(d);
        if (k == 0)
            db_rollback(c);
        rc = -1;
    }
    jsonv_free(&v);
    json_decref(body);
    return rc;
}
