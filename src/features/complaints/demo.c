/* complaints: the demo complaints of `aftersales demo`: the calendar office (Mon-Fri
 * 09:00-18:00 with the official cn holidays and make-up days), the complaint policy on it
 * (24 and 72 business hours), and a few hundred complaints of the last eight weeks over
 * the demo repairs, customers and outlets: nearly all answered within 24 business hours,
 * some paused while waiting on the customer, most older ones resolved or closed, a few
 * unanswered and overdue. All of it in one transaction. */
#include "features/complaints/internal.h"
#include "features/features.h"
#include "base/xrand.h"

#include <stdlib.h>
#include <string.h>

#define ACTOR "demo"
#define DEMO_DAYS 56
#define DEMO_MIN 300
#define DEMO_MAX 2000

static struct xrand rs;
static int64_t rnd_in(int64_t lo, int64_t hi) /* [lo, hi] */
{
    return xrand_in(&rs, lo, hi);
}
#define PICK(a) ((a)[xrand_next(&rs) % (sizeof(a) / sizeof *(a))])

struct topic {
    const char *category, *text;
};
static const struct topic topics[] = {
    {"delay", "送修三周还没修好，网点一直说在等零件，也没有给出完成日期"},
    {"delay", "预约上门两次都没有来，也没有提前电话通知"},
    {"delay", "维修进度在网站上查不到，客服说会回电但一直没有"},
    {"quality", "修好后不到一周同样的问题又出现了，要求彻底解决"},
    {"quality", "取回电视后发现屏幕边角有划痕，送修前没有"},
    {"quality", "更换主板后遥控器无法配对，网点说不是他们的问题"},
    {"attitude", "网点工作人员态度很差，不愿意解释收费项目"},
    {"attitude", "热线等待超过二十分钟才接通，转了三次人工"},
    {"charges", "保修期内却被收取了检测费 80 元"},
    {"charges", "报价和最后收费不一致，多收了 150 元"},
    {"parts", "零件缺货一个多月，没有明确的到货时间"},
    {"parts", "要求使用原厂零件，网点说只能用替代件"},
    {"other", "希望提供上门取送服务，老人行动不便"},
    {"other", "维修发票开错了单位名称，要求重开"},
};
static const char *const responses[] = {
    "已致电客户致歉，并联系网点核实情况，明天回复处理方案",
    "已记录客户诉求，承诺 24 小时内给出处理方案",
    "已与客户确认问题细节，安排网点主管跟进",
    "已回电说明情况，客户同意等待网点联系",
};
static const char *const pause_reasons[] = {
    "等待客户提供购买发票", "等待客户确认上门时间", "客户出差，约定下周回复", "等待客户寄回配件",
};
static const char *const notes[] = {
    "网点已免费重新维修并向客户致歉，客户确认满意",
    "已退还多收的费用，并说明收费标准",
    "零件已到货并完成更换，回访客户确认正常",
    "已安排主管上门道歉，并赠送一年延保",
    "已重新开具发票并快递给客户",
};

static const char *channel_of(void)
{
    int64_t u = rnd_in(0, 99);
    return u < 55 ? "phone" : u < 70 ? "web" : u < 80 ? "email" : u < 92 ? "wechat" : u < 97 ? "walk_in" : u < 99 ? "letter" : "fax";
}

static const char *severity_of(void)
{
    int64_t u = rnd_in(0, 99);
    return u < 15 ? "low" : u < 75 ? "normal" : u < 95 ? "high" : "critical";
}

/* Who a complaint is about: a customer, maybe a repair (with its outlet and line) or an
 * outlet alone; the earliest it can be received. */
struct about {
    int64_t customer, repair, outlet, line, after;
};

/* The newest demo repairs at an outlet, then customers without one (some about an outlet). */
static int load_about(db_conn *c, struct about *v, int n, int64_t now)
{
    int nrep = n * 2 / 3, k = 0, rc;
    db_stmt *st = db_prepare(c, "SELECT id, customer_id, outlet_id, product_line_id, registered_at FROM repairs"
                                " WHERE outlet_id IS NOT NULL ORDER BY id DESC LIMIT ?");
    if (!st)
        return -1;
    db_bind_int(st, 1, nrep);
    while (k < nrep && (rc = db_step(st)) == DB_ROW) {
        v[k] = (struct about){db_int(st, 1), db_int(st, 0), db_int(st, 2), db_isnull(st, 3) ? 0 : db_int(st, 3),
                              db_int(st, 4)};
        k++;
    }
    db_done(st);
    int64_t outlets[64];
    int no = 0;
    if (!(st = db_prepare(c, "SELECT id FROM outlets ORDER BY id LIMIT 64")))
        return -1;
    while (no < 64 && db_step(st) == DB_ROW)
        outlets[no++] = db_int(st, 0);
    db_done(st);
    if (!(st = db_prepare(c, "SELECT id FROM customers WHERE merged_into IS NULL ORDER BY id DESC LIMIT ?")))
        return -1;
    db_bind_int(st, 1, n - k);
    while (k < n && (rc = db_step(st)) == DB_ROW) {
        int64_t o = no && rnd_in(0, 2) == 0 ? outlets[rnd_in(0, no - 1)] : 0;
        v[k++] = (struct about){db_int(st, 0), 0, o, 0, now - DEMO_DAYS * 86400};
    }
    db_done(st);
    return k;
}

static int event(db_conn *c, int64_t id, const char *kind, int64_t at, const char *note)
{
    return db_exec(c, "INSERT INTO complaint_events (complaint_id, kind, at, actor, note) VALUES (?, ?, ?, ?, ?)",
                   "ititt", id, kind, at, ACTOR, note) < 0
               ? -1
               : 0;
}

/* What happened to one complaint after it came in, decided here, then stored. */
struct fate {
    int64_t resp, pstart, pend, progress, resolved, closed;
    const char *status;
};

enum mode { M_USUAL, M_FORGOTTEN, M_LATE, M_WAITING };

static void decide(const struct calendar *cal, int64_t recv, int64_t now, enum mode mode, struct fate *f)
{
    memset(f, 0, sizeof *f);
    f->resp = f->pstart = f->pend = f->progress = f->resolved = f->closed = DT_NONE;
    f->status = "received";
    int64_t due, u = rnd_in(0, 999), secs;
    if (cal_add(cal, recv, 24 * 3600, &due) < 0)
        return;
    if (mode == M_FORGOTTEN)
        return; /* forgotten: unanswered and overdue */
    secs = mode == M_LATE ? 24 * 3600 + rnd_in(1800, 16 * 3600)
           : u < 700      ? rnd_in(600, 4 * 3600)
                          : rnd_in(4 * 3600, 22 * 3600);
    if (cal_add(cal, recv, secs, &f->resp) < 0 || f->resp > now) {
        f->resp = DT_NONE;
        return;
    }
    f->status = "responded";
    int64_t resume_from = f->resp;
    if (mode == M_WAITING || rnd_in(0, 99) < 12) { /* waiting on the customer */
        f->pstart = f->resp + rnd_in(1800, 5 * 3600);
        if (mode == M_WAITING && f->pstart >= now)
            f->pstart = f->resp + (now - f->resp) / 2;
        if (f->pstart < now) {
            f->pend = mode == M_WAITING ? DT_NONE : f->pstart + rnd_in(4 * 3600, 4 * 86400);
            if (f->pend > now)
                f->pend = DT_NONE; /* still waiting */
            else
                resume_from = f->pend;
        } else {
            f->pstart = DT_NONE;
        }
    }
    if (rnd_in(0, 99) < 75 && resume_from + 3600 < now) {
        f->progress = f->resp + rnd_in(1800, 8 * 3600);
        if (f->progress < now)
            f->status = "in_progress";
        else
            f->progress = DT_NONE;
    }
    if (f->pstart != DT_NONE && f->pend == DT_NONE)
        return;
    /* resolution: business hours after the first response, past any pause */
    int64_t work = rnd_in(0, 99) < 90 ? rnd_in(4 * 3600, 50 * 3600) : rnd_in(50 * 3600, 90 * 3600), at;
    int64_t from = resume_from > f->progress || f->progress == DT_NONE ? resume_from : f->progress;
    if (cal_add(cal, from, work, &at) < 0 || at > now)
        return;
    f->resolved = at;
    f->status = "resolved";
    if (rnd_in(0, 99) < 60 && at + 86400 < now) {
        f->closed = at + rnd_in(86400, 5 * 86400);
        if (f->closed < now)
            f->status = "closed";
        else
            f->closed = DT_NONE;
    }
}

static int one(db_conn *c, const struct cpl_clock *k, const struct about *a, int64_t now, enum mode mode)
{
    /* a fifth of them in the last week, so the queue has open ones */
    int64_t recv = now - (mode == M_FORGOTTEN  ? rnd_in(5 * 86400, 9 * 86400)
                          : mode == M_LATE     ? rnd_in(7 * 86400, DEMO_DAYS * 86400)
                          : mode == M_WAITING  ? rnd_in(86400, 6 * 86400)
                          : rnd_in(0, 4) == 0 ? rnd_in(600, 7 * 86400)
                                               : rnd_in(600, DEMO_DAYS * 86400));
    if (recv < a->after)
        recv = a->after + rnd_in(3600, 2 * 86400);
    if (recv > now - 600 || (mode != M_USUAL && recv > now - 86400))
        recv = now - (mode == M_USUAL ? rnd_in(600, 3 * 3600) : rnd_in(86400, 2 * 86400));
    const struct topic *tp = &PICK(topics);
    struct fate f;
    decide(&k->cal.cal, recv, now, mode, &f);
    char code[24];
    if (code_next_daily(c, "complaint", "K", 4, recv, NULL, code, sizeof code) < 0)
        return -1;
    db_stmt *st = db_prepare(c, "INSERT INTO complaints (code, customer_id, repair_id, outlet_id, product_line_id,"
                                " channel, text, category, severity, status, received_at, first_response_at,"
                                " resolved_at, closed_at, resolution_note, created_at, updated_at)"
                                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
    if (!st)
        return -1;
    int64_t ids[4] = {a->customer, a->repair, a->outlet, a->line}, times[3] = {f.resp, f.resolved, f.closed};
    for (int i = 0; i < 4; i++)
        if (ids[i])
            db_bind_int(st, 2 + i, ids[i]);
        else
            db_bind_null(st, 2 + i);
    db_bind_text(st, 1, code);
    db_bind_text(st, 6, channel_of());
    db_bind_text(st, 7, tp->text);
    db_bind_text(st, 8, tp->category);
    db_bind_text(st, 9, severity_of());
    db_bind_text(st, 10, f.status);
    db_bind_int(st, 11, recv);
    for (int i = 0; i < 3; i++)
        if (times[i] != DT_NONE)
            db_bind_int(st, 12 + i, times[i]);
        else
            db_bind_null(st, 12 + i);
    db_bind_text(st, 15, f.resolved != DT_NONE ? PICK(notes) : NULL);
    db_bind_int(st, 16, recv);
    db_bind_int(st, 17, now);
    int rc = db_step(st);
    int64_t id = rc == DB_ROW ? db_int(st, 0) : 0;
    db_done(st);
    if (!id || event(c, id, "received", recv, NULL) < 0)
        return -1;
    if (f.resp != DT_NONE && event(c, id, "response", f.resp, PICK(responses)) < 0)
        return -1;
    if (f.pstart != DT_NONE) {
        const char *why = PICK(pause_reasons);
        int64_t e = f.pend == DT_NONE
                        ? db_exec(c, "INSERT INTO complaint_pauses (complaint_id, started_at, reason, started_by)"
                                     " VALUES (?, ?, ?, ?)", "iitt", id, f.pstart, why, ACTOR)
                        : db_exec(c, "INSERT INTO complaint_pauses (complaint_id, started_at, ended_at, reason,"
                                     " started_by, ended_by) VALUES (?, ?, ?, ?, ?, ?)",
                                  "iiittt", id, f.pstart, f.pend, why, ACTOR, ACTOR);
        if (e < 0 ||
            event(c, id, "pause", f.pstart, why) < 0 || (f.pend != DT_NONE && event(c, id, "resume", f.pend, NULL) < 0))
            return -1;
    }
    if ((f.progress != DT_NONE && event(c, id, "in_progress", f.progress, NULL) < 0) ||
        (f.resolved != DT_NONE && event(c, id, "resolved", f.resolved, NULL) < 0) ||
        (f.closed != DT_NONE && event(c, id, "closed", f.closed, NULL) < 0))
        return -1;
    return cpl_recompute(c, k, id) < 0 ? -1 : 0;
}

static const char office_weekly[] =
    "{\"mon\":[[\"09:00\",\"18:00\"]],\"tue\":[[\"09:00\",\"18:00\"]],\"wed\":[[\"09:00\",\"18:00\"]],"
    "\"thu\":[[\"09:00\",\"18:00\"]],\"fri\":[[\"09:00\",\"18:00\"]],\"sat\":[],\"sun\":[]}";

int complaints_demo(db *d, const struct demo_opts *o)
{
    db_conn *c = db_acquire(d);
    rs = xrand_seed(0x9E3779B97F4A7C15ull, o->seed);
    int64_t now = now_unix();
    db_stmt *st = db_prepare(c, "SELECT COUNT(*) FROM complaints");
    int64_t have = st && db_step(st) == DB_ROW ? db_int(st, 0) : -1;
    db_done(st);
    if (have != 0 || complaints_holidays_ensure(c) < 0) {
        db_release(c);
        return have > 0 ? 0 : -1; /* there already, or no holidays */
    }
    long want = o->repairs > 0 ? o->repairs / 50 : DEMO_MIN;
    int n = (int)(want < DEMO_MIN ? DEMO_MIN : want > DEMO_MAX ? DEMO_MAX : want);
    struct about *v = calloc((size_t)n, sizeof *v);
    struct cpl_clock k;
    int rc = -1, opened = 0;
    if (!v || db_begin(c) < 0)
        goto fail;
    if (db_exec(c, "INSERT INTO calendars (name, zone, weekly, holidays, exceptions, version, updated_at)"
                   " VALUES ('office', 'Asia/Shanghai', ?, 'cn', '[]', 1, ?) ON CONFLICT (name) DO NOTHING",
                "ti", office_weekly, now) < 0 ||
        db_exec(c, "UPDATE sla_policies SET calendar = 'office', first_response_hours = 24,"
                   " resolution_hours = 72, updated_at = ? WHERE name = 'complaint'",
                "i", now) < 0 ||
        cpl_clock_open(c, &k) < 0)
        goto rollback;
    opened = 1;
    int m = load_about(c, v, n, now);
    if (m < 0)
        goto rollback;
    /* 1 in 100 forgotten (unanswered, overdue), 1 in 100 answered late (so about 98% in
     * time), 1 in 25 waiting on the customer now */
    for (int i = 0; i < m; i++) {
        enum mode md = i % 100 == 7 ? M_FORGOTTEN : i % 100 == 41 ? M_LATE : i % 25 == 3 ? M_WAITING : M_USUAL;
        if (one(c, &k, &v[i], now, md) < 0)
            goto rollback;
    }
    cpl_clock_close(&k);
    opened = 0;
    if (db_commit(c) < 0)
        goto fail;
    fprintf(stderr, "demo: %d complaints on the office calendar\n", m);
    rc = 0;
    goto done;
rollback:
    if (opened)
        cpl_clock_close(&k);
    db_rollback(c);
fail:
    fprintf(stderr, "demo complaints: %s\n", db_errmsg(c));
done:
    free(v);
    db_release(c);
    return rc;
}
