/* repairs: the demo units and repairs of `aftersales demo`, in every state, written with
 * multi-row INSERTs; on empty tables their indexes and triggers wait until the end and the
 * KPI aggregates are recomputed once. */
#include "base/db_bulk.h"
#include "base/num.h"
#include "features/customers/customers.h"
#include "features/kpi/kpi.h"
#include "features/repairs/internal.h"
#include "rules/repair_state.h"
#include "rules/warranty.h"

#include <stdlib.h>
#include <string.h>

/* The stream of random numbers is the one the generator always drew, in the same order,
 * so a seed gives the same data as before the bulk writer. */
static uint64_t rnd_state;
static uint64_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return rnd_state;
}
static int64_t rnd_in(int64_t lo, int64_t hi) /* [lo, hi] */
{
    return hi <= lo ? lo : lo + (int64_t)(rnd() % (uint64_t)(hi - lo + 1));
}

#define DEMO_DAYS 183 /* repairs over the last six months */
#define UNITS_PER 200 /* rows a statement */
#define REPAIRS_PER 100
#define EVENTS_PER 500

static const char *const faults[] = {
    "无法开机",   "屏幕有横线",       "无声音",       "遥控器无响应", "HDMI 无信号", "风扇噪音大",
    "电池不充电", "键盘部分按键失灵", "蓝牙无法连接", "画面闪烁",     "手柄漂移",    "过热自动关机",
    "光驱不读盘", "网络连接不稳定",   "摄像头无图像", "投影画面偏色",
};

struct demo_model {
    int64_t id, line;
    int months;
    char launched[11];
};

/* What repairs need of a unit, kept instead of read back. */
struct demo_unit {
    int64_t id, owner;
    int model;
    char serial[32]; /* "S" model, index, letter */
    char until[11]; /* "" when not registered */
};

/* One generated repair, waiting for its id (and then its timeline). */
struct demo_repair {
    int64_t id, reg, recv, rep, del, canc, quote;
    int status;
    char code[32];
};

#define DEMO_BACK 4096
struct demo_back {
    long unit;
    int64_t del;
};

struct demo {
    db_conn *c;
    int64_t now;
    long tx_rows; /* rows a transaction */
    int64_t *cust;
    int ncust;
    struct demo_model *models;
    int nmodels;
    int64_t *outlets;
    int noutlets;
    struct demo_unit *units;
    long nunits, made; /* units wanted, units generated so far */
    long showcase; /* showcase repairs still to make */
    long walk, stride; /* the walk over units: next index, step coprime to nunits */
    struct demo_back back[DEMO_BACK]; /* delivered repairs whose unit may come back */
    int nback;
    int64_t seq[DEMO_DAYS + 1];
    struct demo_repair batch[REPAIRS_PER];
    int nbatch;
    db_rows unit_rows, repair_rows, event_rows;
};

static int ids_of(db_conn *c, const char *sql, int64_t **out, int *n)
{
    db_stmt *st = db_prepare(c, sql);
    if (!st)
        return -1;
    int cap = 64, k = 0, rc;
    int64_t *v = malloc((size_t)cap * sizeof *v);
    while (v && (rc = db_step(st)) == DB_ROW) {
        if (k == cap) {
            cap *= 2;
            int64_t *nv = realloc(v, (size_t)cap * sizeof *v);
            if (!nv)
                break;
            v = nv;
        }
        v[k++] = db_int(st, 0);
    }
    db_done(st);
    if (!v || rc != DB_DONE) {
        free(v);
        return -1;
    }
    *out = v;
    *n = k;
    return 0;
}

/* Demo customers when the customer feature has not made enough: matched or created by
 * the M1 rules, so they are real customers with phones. */
static int demo_customers(db_conn *c, int want)
{
    static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄",
                                           "赵", "吴", "周", "徐", "孙", "马", "朱",
                                           "胡", "郭", "何", "林", "高", "罗"};
    static const char *const given[] = {"伟", "芳", "娜", "敏",   "静", "丽", "强",
                                        "磊", "军", "洋", "勇",   "艳", "杰", "娟",
                                        "涛", "明", "超", "秀英", "华", "平"};
    for (int i = 0; i < want; i++) {
        char name[32], phone[16];
        snprintf(name, sizeof name, "%s%s", surnames[rnd() % 20], given[rnd() % 20]);
        snprintf(phone, sizeof phone, "13%09d", (int)(rnd() % 1000000000));
        int rc = customers_match_or_create(c, "demo", name, phone, NULL, NULL, NULL, NULL);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* Customers (made here when too few), models and active outlets. 0, 1 when something is
 * missing (said on stderr), or -1 on a database error. */
static int demo_refs(struct demo *g)
{
    const char *cust_sql = "SELECT id FROM customers WHERE merged_into IS NULL AND erased_at"
                           " IS NULL ORDER BY id LIMIT 2000000";
    if (ids_of(g->c, cust_sql, &g->cust, &g->ncust) < 0)
        return -1;
    if (g->ncust < 60) {
        if (db_begin(g->c) < 0)
            return -1;
        if (demo_customers(g->c, 60 - g->ncust) < 0 || db_commit(g->c) < 0) {
            db_rollback(g->c);
            return -1;
        }
        free(g->cust);
        g->cust = NULL;
        if (ids_of(g->c, cust_sql, &g->cust, &g->ncust) < 0)
            return -1;
    }
    db_stmt *st = db_prepare(g->c, "SELECT id, product_line_id, warranty_months, launched_on"
                                   " FROM models ORDER BY id");
    if (!st)
        return -1;
    int rc, cap = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        if (g->nmodels == cap) {
            cap = cap ? cap * 2 : 64;
            g->models = realloc(g->models, (size_t)cap * sizeof *g->models);
            if (!g->models)
                abort();
        }
        struct demo_model *m = &g->models[g->nmodels++];
        m->id = db_int(st, 0);
        m->line = db_int(st, 1);
        m->months = (int)db_int(st, 2);
        snprintf(m->launched, sizeof m->launched, "%s", db_isnull(st, 3) ? "" : db_text(st, 3));
    }
    db_done(st);
    if (rc < 0 || ids_of(g->c, "SELECT id FROM outlets WHERE active = 1 ORDER BY id", &g->outlets,
                         &g->noutlets) < 0)
        return -1;
    if (!g->nmodels || !g->noutlets || !g->ncust) {
        fprintf(stderr, "demo repairs: needs models, outlets and customers first\n");
        return 1;
    }
    return 0;
}

/* Start a transaction every tx_rows rows (i counts them), commit before the next. */
static int demo_tx(struct demo *g, long i, int *in_tx)
{
    if (*in_tx && i % g->tx_rows == 0) {
        if (db_commit(g->c) < 0)
            return -1;
        *in_tx = 0;
    }
    if (!*in_tx) {
        if (db_begin(g->c) < 0)
            return -1;
        *in_tx = 1;
    }
    return 0;
}

/* RETURNING id, serial of a units statement: the id into its unit. */
static int unit_returned(void *arg, db_stmt *st, int k)
{
    struct demo *g = arg;
    long i = (long)g->unit_rows.rows + k;
    const char *serial = db_text(st, 1);
    if (i >= g->made || strcmp(g->units[i].serial, serial) != 0)
        for (i = (long)g->unit_rows.rows; i < g->made; i++)
            if (strcmp(g->units[i].serial, serial) == 0)
                break;
    if (i >= g->made)
        return DB_ERROR;
    g->units[i].id = db_int(st, 0);
    return 0;
}

/* Units: bought in the last three years, most registered for warranty. */
static int demo_units(struct demo *g, int *in_tx)
{
    g->units = calloc((size_t)g->nunits, sizeof *g->units);
    if (!g->units)
        return -1;
    if (db_rows_init(&g->unit_rows, g->c,
                     "INSERT INTO units (serial, model_id, customer_id, purchase_date, dealer,"
                     " warranty_until, registered_at, registered_via, created_at, updated_at)",
                     10, UNITS_PER, " RETURNING id, serial") < 0)
        return -1;
    g->unit_rows.each = unit_returned;
    g->unit_rows.arg = g;
    db_rows *r = &g->unit_rows;
    for (long i = 0; i < g->nunits; i++) {
        if (i % g->tx_rows == 0 && (db_rows_flush(r) < 0 || demo_tx(g, i, in_tx) < 0))
            return -1;
        struct demo_unit *u = &g->units[i];
        int mi = (int)(rnd() % (uint64_t)g->nmodels);
        const struct demo_model *m = &g->models[mi];
        int64_t bought = g->now - rnd_in(10, 3 * 365) * 86400;
        char pdate[11], until[11];
        snprintf(u->serial, sizeof u->serial, "S%02d%07ld%c", mi, i, (char)('A' + rnd() % 26));
        rep_local_date(bought, pdate);
        if (*m->launched && strcmp(pdate, m->launched) < 0)
            snprintf(pdate, sizeof pdate, "%s", m->launched);
        int registered = rnd() % 10 < 8;
        if (warranty_until(pdate, m->months, until) < 0)
            registered = 0;
        u->model = mi;
        u->owner = g->cust[rnd() % (uint64_t)g->ncust];
        snprintf(u->until, sizeof u->until, "%s", registered ? until : "");
        g->made = i + 1;
        db_rows_text(r, u->serial);
        db_rows_int(r, m->id);
        db_rows_int(r, u->owner);
        db_rows_text(r, registered ? pdate : NULL);
        db_rows_text(r, registered ? "苏宁易购" : NULL);
        db_rows_text(r, registered ? until : NULL);
        if (registered)
            db_rows_int(r, bought + 86400);
        else
            db_rows_null(r);
        db_rows_text(r, registered ? (rnd() % 2 ? "portal" : "staff") : NULL);
        db_rows_int(r, g->now);
        db_rows_int(r, g->now);
        if (db_rows_end(r) < 0)
            return -1;
    }
    return db_rows_flush(r) < 0 ? -1 : 0;
}

/* When repairs are registered: by month (the summer peak, the Spring Festival dip), more
 * on weekends, and in opening hours with the late-morning and afternoon peaks. */
static const int month_weight[12] = {100, 70, 95, 95, 100, 110, 125, 125, 100, 90, 105, 100};
static const int wday_weight[7] = {100, 100, 100, 100, 100, 125, 120}; /* Monday first */
static const int hour_weight[24] = {0, 0, 0, 0, 0, 0, 0, 0, 2, 6, 10, 10,
                                    6, 7, 9, 9, 8, 7, 5, 4, 2, 1, 0, 0};

static int64_t demo_reg_time(const struct demo *g)
{
    int64_t today = (g->now + REP_TZ_OFFSET) / 86400;
    for (;;) {
        int64_t day = today - rnd_in(0, DEMO_DAYS - 1);
        char ds[11];
        rep_local_date(day * 86400 - REP_TZ_OFFSET + 43200, ds);
        int month = (ds[5] - '0') * 10 + (ds[6] - '0');
        int wday = (int)((day + 3) % 7); /* 1970-01-01 was a Thursday */
        int w = month_weight[(month - 1) % 12] * wday_weight[wday];
        if ((int)(rnd() % (125 * 125)) >= w)
            continue;
        int pick = (int)(rnd() % 86), hour = 0; /* 86: the sum of hour_weight */
        while (pick >= hour_weight[hour])
            pick -= hour_weight[hour++];
        int64_t t = day * 86400 - REP_TZ_OFFSET + hour * 3600 + rnd_in(0, 3599);
        if (t <= g->now - 600)
            return t;
    }
}

/* Hours from receipt to repaired: 96% within 4 days (most in one or two), 3.5% within
 * 14, 0.5% beyond — the seeds' published figures. */
static int64_t demo_span(void)
{
    uint64_t p = rnd() % 1000;
    if (p < 960) {
        uint64_t q = rnd() % 100;
        return q < 30 ? rnd_in(1800, 86400) : q < 70 ? rnd_in(86400, 2 * 86400)
               : q < 90 ? rnd_in(2 * 86400, 3 * 86400) : rnd_in(3 * 86400, 4 * 86400);
    }
    return p < 995 ? rnd_in(4 * 86400 + 60, 14 * 86400) : rnd_in(14 * 86400 + 60, 30 * 86400);
}

/* Times and state of one repair registered at reg (0: draw one). The whole timeline is
 * drawn first and the state is where it stands now, so old repairs are closed, open ones
 * are recent, and a repair open past 14 days is one of the slow 0.5%. */
static void demo_times(struct demo *g, struct demo_repair *x, int64_t reg)
{
    int64_t now = g->now;
    x->reg = reg ? reg : demo_reg_time(g);
    x->recv = x->rep = x->del = x->canc = 0;
    int64_t recv = x->reg + (rnd() % 10 < 7 ? rnd_in(60, 1800) : rnd_in(3600, 2 * 86400));
    int64_t span = demo_span();
    int64_t rep = recv + span, del = rep + rnd_in(1800, 3 * 86400);
    int cancel = rnd() % 100 < 5;
    int64_t canc = recv + rnd_in(600, span < 5 * 86400 ? span : 5 * 86400);
    if (recv > now) {
        x->status = RS_REGISTERED;
        return;
    }
    x->recv = recv;
    if (cancel && canc <= now) {
        x->status = RS_CANCELLED;
        x->canc = canc;
    } else if (rep > now) { /* at the bench: how far along */
        int64_t done = (now - recv) * 100 / span;
        x->status = done < 10 ? RS_RECEIVED : done < 25 ? RS_DIAGNOSING
                    : span > 4 * 86400 && done < 80 ? RS_WAITING_PARTS
                    : rnd() % 8 == 0 ? (rnd() % 2 ? RS_QUOTED : RS_APPROVED) : RS_REPAIRING;
    } else {
        x->rep = rep;
        x->status = del > now ? RS_REPAIRED : RS_DELIVERED;
        if (del <= now)
            x->del = del;
    }
}

/* The showcase: open repairs of the last 13 days spread over every open state, at the
 * first outlets, so the queues, the at-risk list and the parts desk have something to show
 * in a small demo (in a large one they are lost in the crowd). */
static void demo_showcase_times(struct demo *g, struct demo_repair *x)
{
    int64_t now = g->now;
    x->reg = now - rnd_in(600, 13 * 86400); /* some near the 14-day line */
    x->recv = x->rep = x->del = x->canc = 0;
    x->status = (int)(rnd() % (RS_REPAIRED + 1));
    if (x->status == RS_REGISTERED)
        return;
    int64_t age = now - x->reg;
    x->recv = x->reg + rnd_in(60, age / 4 > 60 ? age / 4 : 60);
    if (x->status == RS_REPAIRED)
        x->rep = x->recv + (now - x->recv) / 2;
}

static void bind_time(db_rows *r, int64_t t)
{
    if (t)
        db_rows_int(r, t);
    else
        db_rows_null(r);
}

/* One repair: generated into the batch and bound as a row; its code follows its day's
 * counter. Runs the statement when the batch is full (1), else 0; negative on error. */
static int demo_repair(struct demo *g)
{
    struct demo_repair *x = &g->batch[g->nbatch++];
    /* About 0.8% come back (1% of those with a serial): the unit of a recently delivered
     * repair, received again within 80 days (RR90 near the seeds' 1%). Otherwise each
     * repair takes the next unit of a walk that visits every unit once, so no unit comes
     * back by chance. */
    long ui = -1;
    int64_t reg = 0;
    if (g->nback && rnd() % 1000 < 8) {
        const struct demo_back *b = &g->back[rnd() % (uint64_t)g->nback];
        int64_t room = g->now - 600 - b->del;
        if (room > 86400) {
            ui = b->unit;
            reg = b->del + rnd_in(3600, room < 80 * 86400 ? room : 80 * 86400);
        }
    }
    int showcase = g->showcase > 0;
    if (showcase) {
        g->showcase--;
        demo_showcase_times(g, x);
    } else {
        demo_times(g, x, reg);
    }
    int use_unit = ui >= 0 || rnd() % 10 < 8;
    if (ui < 0) {
        ui = g->walk;
        g->walk = (long)(((uint64_t)g->walk + (uint64_t)g->stride) % (uint64_t)g->nunits);
    }
    const struct demo_unit *u = &g->units[ui];
    if (use_unit && x->status == RS_DELIVERED) {
        struct demo_back *b = &g->back[g->nback < DEMO_BACK ? (uint64_t)g->nback++ : rnd() % DEMO_BACK];
        b->unit = ui;
        b->del = x->del;
    }
    int mi = use_unit ? u->model : (int)(rnd() % (uint64_t)g->nmodels);
    int64_t owner = g->cust[rnd() % (uint64_t)g->ncust];
    if (use_unit)
        owner = u->owner;
    else
        u = NULL;
    int64_t day = (g->now + REP_TZ_OFFSET) / 86400 - (x->reg + REP_TZ_OFFSET) / 86400;
    if (day < 0 || day > DEMO_DAYS)
        day = DEMO_DAYS;
    char dstr[11], recv_day[11] = "";
    rep_local_date(x->reg, dstr);
    snprintf(x->code, sizeof x->code, "R%.2s%.2s%.2s%04lld", dstr + 2, dstr + 5, dstr + 8,
             (long long)++g->seq[day]);
    const char *kind = rnd() % 10 < 7 ? "carry_in" : rnd() % 2 ? "on_site" : "mail_in";
    const char *channel = rep_channels[rnd() % 6];
    /* Most at the first demo outlets (where the demo staff work), the rest anywhere. */
    int64_t outlet = showcase || rnd() % 10 < 6
                         ? g->outlets[rnd() % (uint64_t)(g->noutlets < 2 ? g->noutlets : 2)]
                         : g->outlets[rnd() % (uint64_t)g->noutlets];
    if (x->recv)
        rep_local_date(x->recv, recv_day);
    /* in warranty when received before the unit's warranty ends; unknown before receipt */
    int inw = x->recv && u && *u->until && strcmp(u->until, recv_day) >= 0;
    /* A paid repair is quoted and approved before parts or the repair itself (M4); in
     * warranty a quote is the odd extra (a paid accessory). */
    int quoted = x->status == RS_QUOTED || x->status == RS_APPROVED ||
                 (x->recv && !inw && x->status > RS_APPROVED && x->status != RS_CANCELLED);
    x->quote = (quoted || (x->status > RS_APPROVED && rnd() % 3 == 0)) ? rnd_in(50, 2000) * 100 : 0;
    db_rows *r = &g->repair_rows;
    db_rows_text(r, x->code);
    db_rows_int(r, owner);
    bind_time(r, u ? u->id : 0);
    db_rows_text(r, u ? u->serial : NULL);
    db_rows_int(r, g->models[mi].id);
    db_rows_int(r, g->models[mi].line);
    db_rows_int(r, outlet);
    db_rows_text(r, kind);
    db_rows_text(r, channel);
    db_rows_text(r, repair_status_name((enum repair_status)x->status));
    db_rows_text(r, faults[rnd() % (sizeof faults / sizeof *faults)]);
    if (!x->recv)
        db_rows_null(r);
    else
        db_rows_int(r, inw);
    bind_time(r, x->quote);
    db_rows_text(r, x->canc ? "客户取消" : NULL);
    db_rows_int(r, x->reg);
    bind_time(r, x->recv);
    bind_time(r, x->rep);
    bind_time(r, x->del);
    bind_time(r, x->canc);
    db_rows_int(r, g->now);
    db_rows_int(r, g->now);
    return db_rows_end(r);
}

/* RETURNING id, code of a repairs statement: the id into the batch. */
static int repair_returned(void *arg, db_stmt *st, int k)
{
    struct demo *g = arg;
    const char *code = db_text(st, 1);
    int i = k;
    if (i >= g->nbatch || strcmp(g->batch[i].code, code) != 0)
        for (i = 0; i < g->nbatch; i++)
            if (strcmp(g->batch[i].code, code) == 0)
                break;
    if (i >= g->nbatch)
        return DB_ERROR;
    g->batch[i].id = db_int(st, 0);
    return 0;
}

static int event(db_rows *r, int64_t id, const char *status, int64_t at, const char *actor)
{
    db_rows_int(r, id);
    db_rows_text(r, status);
    db_rows_int(r, at);
    db_rows_text(r, actor);
    return db_rows_end(r) < 0 ? -1 : 0;
}

/* The timelines of the batch (its ids known now): every state passed through, with
 * plausible times. */
static int demo_timelines(struct demo *g)
{
    db_rows *r = &g->event_rows;
    for (int b = 0; b < g->nbatch; b++) {
        const struct demo_repair *x = &g->batch[b];
        int s = x->status, open = s != RS_CANCELLED;
        int ok = event(r, x->id, "registered", x->reg, "demo") == 0;
        if (ok && x->recv)
            ok = event(r, x->id, "received", x->recv, "tech") == 0;
        if (ok && x->recv && s >= RS_DIAGNOSING && open)
            ok = event(r, x->id, "diagnosing", x->recv + 1800, "tech") == 0;
        if (ok && x->quote)
            ok = event(r, x->id, "quoted", x->recv + 3600, "tech") == 0;
        if (ok && x->quote && s >= RS_APPROVED && open)
            ok = event(r, x->id, "approved", x->recv + 7200, "agent") == 0;
        if (ok && s >= RS_REPAIRING && open && s != RS_WAITING_PARTS)
            ok = event(r, x->id, "repairing", x->recv + 9000, "tech") == 0;
        if (ok && s == RS_WAITING_PARTS)
            ok = event(r, x->id, "waiting_parts", x->recv + 9000, "tech") == 0;
        if (ok && x->rep)
            ok = event(r, x->id, "repaired", x->rep, "tech") == 0;
        if (ok && x->del)
            ok = event(r, x->id, "delivered", x->del, "tech") == 0;
        if (ok && x->canc)
            ok = event(r, x->id, "cancelled", x->canc, "manager") == 0;
        if (!ok)
            return -1;
    }
    g->nbatch = 0;
    return 0;
}

/* Insert the repairs of the batch and their timelines. */
static int demo_flush(struct demo *g)
{
    if (db_rows_flush(&g->repair_rows) < 0 || demo_timelines(g) < 0 ||
        db_rows_flush(&g->event_rows) < 0)
        return -1;
    return 0;
}

/* Counters continue after the demo codes. */
static int demo_counters(struct demo *g)
{
    for (int dd = 0; dd <= DEMO_DAYS; dd++) {
        if (!g->seq[dd])
            continue;
        char ds[11], name[24];
        rep_local_date(g->now - (int64_t)dd * 86400, ds);
        snprintf(name, sizeof name, "repair:%.2s%.2s%.2s", ds + 2, ds + 5, ds + 8);
        if (db_exec(g->c,
                    "INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name)"
                    " DO UPDATE SET value = CASE WHEN excluded.value > counters.value"
                    " THEN excluded.value ELSE counters.value END",
                    "ti", name, g->seq[dd]) < 0)
            return -1;
    }
    return 0;
}

/* Repairs over the last six months in every state, with their timelines. */
static int demo_repairs(struct demo *g, long want, int *in_tx)
{
    if (db_rows_init(&g->repair_rows, g->c,
                     "INSERT INTO repairs (code, customer_id, unit_id, serial, model_id,"
                     " product_line_id, outlet_id, kind, channel, status, fault, in_warranty,"
                     " quote_fen, cancel_reason, registered_at, received_at, repaired_at,"
                     " delivered_at, cancelled_at, created_at, updated_at)",
                     21, REPAIRS_PER, " RETURNING id, code") < 0 ||
        db_rows_init(&g->event_rows, g->c,
                     "INSERT INTO repair_events (repair_id, status, at, actor)", 4, EVENTS_PER,
                     NULL) < 0)
        return -1;
    g->repair_rows.each = repair_returned;
    g->repair_rows.arg = g;
    for (long i = 0; i < want; i++) {
        if (i % g->tx_rows == 0 && (demo_flush(g) < 0 || demo_tx(g, i, in_tx) < 0))
            return -1;
        int rc = demo_repair(g);
        if (rc < 0 || (rc == 1 && demo_timelines(g) < 0))
            return -1;
        if (want >= 100000 && (i + 1) % 500000 == 0)
            fprintf(stderr, "demo: %ld repairs\n", i + 1);
    }
    return demo_flush(g) < 0 || demo_counters(g) < 0 ? -1 : 0;
}

/* Indexes and triggers back, then the KPI aggregates the triggers did not keep. */
static int demo_finish(struct demo *g, db_deferred *saved)
{
    fprintf(stderr, "demo: building the indexes of units and repairs...\n");
    if (db_restore(g->c, saved) < 0)
        return -1;
    fprintf(stderr, "demo: KPI aggregates...\n");
    if (db_begin(g->c) < 0)
        return -1;
    if (kpi_recompute(g->c) < 0 || db_commit(g->c) < 0) {
        db_rollback(g->c);
        return -1;
    }
    return 0;
}

int repairs_demo(db *d, const struct demo_opts *o)
{
    /* The events' index stays: repair ids only grow, so its inserts are appends. */
    static const char *const tables[] = {"units", "repairs", NULL};
    static struct demo g; /* large (the batch): not on the stack */
    memset(&g, 0, sizeof g);
    long want = o->repairs > 0 ? o->repairs : 300;
    /* Two units a repair: 80% of repairs name a unit, each a different one but for the
     * deliberate comebacks, so the walk never wraps into chance repeats (--units below
     * 0.8 x repairs makes it wrap, and RR90 rises). */
    g.nunits = o->units > 0 ? o->units : o->repairs > 0 ? want * 2 : 600;
    g.showcase = want / 5 < 60 ? want / 5 : 60;
    if (g.nunits < 1)
        g.nunits = 1;
    g.stride = g.nunits * 5 / 8 | 1;
    while (gcd64(g.stride, g.nunits) != 1)
        g.stride++;
    rnd_state = 0x9E3779B97F4A7C15ull ^ (uint64_t)o->seed;
    g.c = db_acquire(d);
    g.now = now_unix();
    g.tx_rows = db_loading(g.c) ? 1000000 : 10000;
    db_deferred *saved = NULL;
    int rc = -1, in_tx = 0;
    int refs = demo_refs(&g);
    if (refs > 0)
        goto cleanup;
    if (refs < 0)
        goto fail;
    static const char *const events[] = {"repair_events", NULL};
    int empty = db_tables_empty(g.c, tables) == 1 ? db_tables_empty(g.c, events) : 0;
    if (empty < 0 || (empty && db_defer(g.c, tables, &saved) < 0))
        goto fail;
    if (demo_units(&g, &in_tx) < 0 || demo_repairs(&g, want, &in_tx) < 0)
        goto fail;
    if (in_tx && db_commit(g.c) < 0)
        goto fail;
    in_tx = 0;
    fprintf(stderr, "demo: %ld units, %lld repairs, %lld timeline events\n", g.nunits,
            (long long)g.repair_rows.rows, (long long)g.event_rows.rows);
    db_deferred *s = saved;
    saved = NULL;
    if (s && demo_finish(&g, s) < 0)
        goto fail;
    rc = 0;
    goto cleanup;
fail:
    fprintf(stderr, "demo repairs: %s\n", db_errmsg(g.c));
    if (in_tx)
        db_rollback(g.c);
    db_restore(g.c, saved); /* leave the schema whole */
cleanup:
    free(g.cust);
    free(g.models);
    free(g.outlets);
    free(g.units);
    db_release(g.c);
    return rc;
}
