/* demo: the contact center of `aftersales demo`: five hotlines (one per product line) on
 * the published hours (08:30-20:30 every day), the demo agents' extensions, and a few
 * hundred contacts of the last four weeks over the demo customers and their repairs (all
 * channels and reasons; missed calls with their call-backs). One transaction. */
#include "features/contacts/internal.h"
#include "features/features.h"
#include "base/xrand.h"

#include <stdio.h>
#include <string.h>

#define DEMO_CONTACTS 400

static const struct {
    const char *code, *number, *name, *line;
} hotlines[] = {
    {"HE", "4008100000", "家庭电子产品热线", "AV"},   {"PC", "4008200000", "笔记本电脑热线", "PC"},
    {"TV", "4008300000", "电视与家庭影院上门安装热线", "TV"}, {"VC", "4008400000", "视频会议热线", "VC"},
    {"GAME", "4008500000", "游戏机热线", "GAME"},
};
static const char *const subjects[] = {
    "咨询保修期", "询问维修进度", "预约上门安装", "报修：无法开机", "购买配件", "投诉等待时间过长",
    "建议增加网点", "会员活动咨询",
};

static int add_hotlines(db_conn *c, int64_t now)
{
    for (size_t i = 0; i < sizeof hotlines / sizeof *hotlines; i++) {
        if (db_exec(c, "INSERT INTO hotlines (code, number, name, calendar, active, version, created_at,"
                       " updated_at) VALUES (?, ?, ?, 'hotline', 1, 1, ?, ?) ON CONFLICT (code) DO NOTHING",
                    "tttii", hotlines[i].code, hotlines[i].number, hotlines[i].name, now, now) < 0 ||
            db_exec(c, "INSERT INTO hotline_lines (hotline_id, product_line_id) SELECT h.id, p.id FROM"
                       " hotlines h, product_lines p WHERE h.code = ? AND p.code = ? ON CONFLICT DO NOTHING",
                    "tt", hotlines[i].code, hotlines[i].line) < 0)
            return -1;
    }
    /* the desk logins get extensions 8001, 8002, ... */
    return db_exec(c, "INSERT INTO staff_extensions (user_id, extension, updated_at) SELECT id,"
                      " CAST(8000 + id AS TEXT), ? FROM users WHERE role IN ('agent', 'supervisor')"
                      " ON CONFLICT DO NOTHING", "i", now) < 0 ? -1 : 0;
}

static int add_contacts(db_conn *c, struct xrand *rs, int64_t now)
{
    db_stmt *st = db_prepare(c, "SELECT r.customer_id, r.id FROM repairs r ORDER BY r.id DESC LIMIT ?");
    if (!st)
        return -1;
    db_bind_int(st, 1, DEMO_CONTACTS);
    int64_t who[DEMO_CONTACTS][2];
    int n = 0;
    while (n < DEMO_CONTACTS && db_step(st) == DB_ROW) {
        who[n][0] = db_int(st, 0);
        who[n][1] = db_int(st, 1);
        n++;
    }
    db_done(st);
    int64_t agent = 0, hl = 0;
    st = db_prepare(c, "SELECT (SELECT MIN(id) FROM users WHERE role = 'agent'), (SELECT MIN(id) FROM hotlines)");
    if (st && db_step(st) == DB_ROW) {
        agent = db_isnull(st, 0) ? 0 : db_int(st, 0);
        hl = db_isnull(st, 1) ? 0 : db_int(st, 1);
    }
    db_done(st);
    for (int i = 0; i < n; i++) {
        const char *ch = ct_channels[xrand_next(rs) % 7 < 4 ? 0 : xrand_next(rs) % 7];
        int phone = strcmp(ch, "phone") == 0, missed = phone && i % 20 == 3;
        struct contact_new k = {
            .channel = ch, .direction = i % 9 == 0 ? "out" : "in",
            .reason = missed ? NULL : ct_reasons[xrand_next(rs) % 7],
            .outcome = missed ? "missed" : ct_outcomes[xrand_next(rs) % 5],
            .hotline_id = phone ? hl + (int64_t)(xrand_next(rs) % 5) : 0,
            .handled_by = missed ? 0 : agent, .started_at = now - xrand_in(rs, 600, 28 * 86400),
            .duration_s = phone && !missed ? xrand_in(rs, 30, 900) : 0, .customer_id = who[i][0],
            .repair_id = i % 3 == 0 ? who[i][1] : 0, .subject = subjects[xrand_next(rs) % 8],
            .actor = "demo",
        };
        int64_t id = 0;
        if (contacts_log(c, &k, &id, NULL, 0) != 0)
            return -1;
        if (missed && ct_callback_add(c, id, who[i][0], "13800000000", "missed") < 0)
            return -1;
    }
    return 0;
}

int contacts_demo(db *d, const struct demo_opts *o)
{
    db_conn *c = db_acquire(d);
    struct xrand rs = xrand_seed(0xC0FFEE1234567ull, o->seed);
    int64_t now = now_unix();
    db_stmt *st = db_prepare(c, "SELECT COUNT(*) FROM hotlines");
    int64_t have = st && db_step(st) == DB_ROW ? db_int(st, 0) : -1;
    db_done(st);
    int rc = -1;
    if (have == 0 && db_begin(c) == 0) {
        rc = add_hotlines(c, now) == 0 && add_contacts(c, &rs, now) == 0 ? db_commit(c) : -1;
        if (rc < 0) {
            fprintf(stderr, "demo contacts: %s\n", db_errmsg(c));
            db_rollback(c);
        }
    }
    db_release(c);
    return have > 0 ? 0 : rc < 0 ? -1 : 0;
}
