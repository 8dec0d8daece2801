/* repairs: the demo units and repairs of `aftersales demo`, in every state. */
#include "features/customers/customers.h"
#include "features/repairs/internal.h"
#include "rules/repair_state.h"
#include "rules/warranty.h"

#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- demo */

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

static int ids_of(db_conn *c, const char *sql, int64_t **out, int *n)
{
    db_stmt *st = db_prepare(c, sql);
    if (!st)
        return -1;
    int cap = 64, k = 0, rc;
    int64_t *v = malloc((size_t)cap * sizeof *v);
    while ((rc = db_step(st)) == DB_ROW) {
        if (k == cap) {
            cap *= 2;
            v = realloc(v, (size_t)cap * sizeof *v);
        }
        v[k++] = db_int(st, 0);
    }
    db_done(st);
    if (rc < 0 || !v) {
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
    static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
                                           "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "高", "罗"};
    static const char *const given[] = {"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋",
                                        "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "华", "平"};
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

int repairs_demo(db *d, const struct demo_opts *o)
{
    static const char *const faults[] = {
        "无法开机", "屏幕有横线", "无声音", "遥控器无响应", "HDMI 无信号", "风扇噪音大",
        "电池不充电", "键盘部分按键失灵", "蓝牙无法连接", "画面闪烁", "手柄漂移", "过热自动关机",
        "光驱不读盘", "网络连接不稳定", "摄像头无图像", "投影画面偏色",
    };
    long want = o->repairs > 0 ? o->repairs : 300;
    long units_want = o->repairs > 0 ? want / 2 : 300;
    rnd_state = 0x9E3779B97F4A7C15ull ^ (uint64_t)o->seed;
    db_conn *c = db_acquire(d);
    int64_t *cust = NULL, *models = NULL, *outlets = NULL, *lines = NULL, *units = NULL;
    int64_t *unit_model = NULL;
    int ncust = 0, nmodels = 0, noutlets = 0, nl = 0;
    int rc = -1, in_tx = 0;
    int64_t now = now_unix();
    /* Customers first (their own transaction). */
    if (ids_of(c, "SELECT id FROM customers WHERE merged_into IS NULL AND erased_at IS NULL"
                  " ORDER BY id LIMIT 2000000", &cust, &ncust) < 0)
        goto fail;
    if (ncust < 60) {
        if (db_begin(c) < 0)
            goto fail;
        if (demo_customers(c, 60 - ncust) < 0 || db_commit(c) < 0) {
            db_rollback(c);
            goto fail;
        }
        free(cust);
        if (ids_of(c, "SELECT id FROM customers WHERE merged_into IS NULL AND erased_at IS NULL"
                      " ORDER BY id", &cust, &ncust) < 0)
            goto fail;
    }
    if (ids_of(c, "SELECT id FROM models ORDER BY id", &models, &nmodels) < 0 ||
        ids_of(c, "SELECT product_line_id FROM models ORDER BY id", &lines, &nl) < 0 ||
        ids_of(c, "SELECT id FROM outlets WHERE active = 1 ORDER BY id", &outlets, &noutlets) < 0)
        goto fail;
    if (!nmodels || !noutlets || !ncust) {
        fprintf(stderr, "demo repairs: needs models, outlets and customers first\n");
        goto cleanup;
    }
    /* Units: bought in the last three years, most registered for warranty. */
    units = malloc((size_t)units_want * sizeof *units);
    unit_model = malloc((size_t)units_want * sizeof *unit_model);
    if (!units || !unit_model)
        goto fail;
    const long batch = 10000;
    for (long i = 0; i < units_want; i++) {
        if (!in_tx) {
            if (db_begin(c) < 0)
                goto fail;
            in_tx = 1;
        }
        int mi = (int)(rnd() % (uint64_t)nmodels);
        int64_t bought = now - rnd_in(10, 3 * 365) * 86400;
        char serial[48], pdate[11], until[11];
        snprintf(serial, sizeof serial, "S%02d%07ld%c", mi, i, (char)('A' + rnd() % 26));
        rep_local_date(bought, pdate);
        db_stmt *m = db_prepare(c, "SELECT warranty_months, launched_on FROM models WHERE id = ?");
        if (!m)
            goto fail;
        db_bind_int(m, 1, models[mi]);
        int64_t months = 12;
        char launched[11] = "";
        if (db_step(m) == DB_ROW) {
            months = db_int(m, 0);
            if (!db_isnull(m, 1))
                snprintf(launched, sizeof launched, "%s", db_text(m, 1));
        }
        db_done(m);
        if (*launched && strcmp(pdate, launched) < 0)
            snprintf(pdate, sizeof pdate, "%s", launched);
        int registered = rnd() % 10 < 8;
        if (warranty_until(pdate, (int)months, until) < 0)
            registered = 0;
        db_stmt *st = db_prepare(
            c, "INSERT INTO units (serial, model_id, customer_id, purchase_date, dealer, warranty_until,"
               " registered_at, registered_via, created_at, updated_at)"
               " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
        if (!st)
            goto fail;
        db_bind_text(st, 1, serial);
        db_bind_int(st, 2, models[mi]);
        db_bind_int(st, 3, cust[rnd() % (uint64_t)ncust]);
        db_bind_text(st, 4, registered ? pdate : NULL);
        db_bind_text(st, 5, registered ? "苏宁易购" : NULL);
        db_bind_text(st, 6, registered ? until : NULL);
        if (registered)
            db_bind_int(st, 7, bought + 86400);
        else
            db_bind_null(st, 7);
        db_bind_text(st, 8, registered ? (rnd() % 2 ? "portal" : "staff") : NULL);
        db_bind_int(st, 9, now);
        db_bind_int(st, 10, now);
        int k = db_step(st);
        units[i] = k == DB_ROW ? db_int(st, 0) : 0;
        unit_model[i] = mi;
        db_done(st);
        if (k != DB_ROW)
            goto fail;
        if ((i + 1) % batch == 0) {
            if (db_commit(c) < 0)
                goto fail;
            in_tx = 0;
        }
    }
    /* Repairs over the last six months in every state; codes follow each day's counter. */
    int days = 183;
    int64_t *seq = calloc((size_t)days + 1, sizeof *seq);
    if (!seq)
        goto fail;
    for (long i = 0; i < want; i++) {
        if (!in_tx) {
            if (db_begin(c) < 0) {
                free(seq);
                goto fail;
            }
            in_tx = 1;
        }
        int64_t reg = now - rnd_in(600, (int64_t)days * 86400);
        int64_t age = now - reg;
        /* Older repairs are mostly finished; recent ones spread over the open states. */
        int status;
        uint64_t dice = rnd() % 100;
        if (age > 20 * 86400)
            status = dice < 85 ? RS_DELIVERED : dice < 92 ? RS_CANCELLED : dice < 96 ? RS_REPAIRED
                                                                                      : RS_WAITING_PARTS;
        else
            status = (int)(dice % RS_COUNT);
        int64_t recv = status == RS_REGISTERED ? 0 : reg + rnd_in(300, 2 * 86400);
        if (recv > now)
            recv = now - 60;
        if (recv && recv < reg)
            recv = reg;
        int64_t rep = 0, del = 0, canc = 0;
        if (status == RS_REPAIRED || status == RS_DELIVERED) {
            /* Turnaround: mostly within 4 days, a tail beyond 14. */
            uint64_t tat = rnd() % 100;
            int64_t span = tat < 93 ? rnd_in(3600, 4 * 86400) : tat < 99 ? rnd_in(4 * 86400, 14 * 86400)
                                                                          : rnd_in(14 * 86400, 20 * 86400);
            rep = recv + span;
            if (rep > now)
                rep = now - 30;
            if (status == RS_DELIVERED) {
                del = rep + rnd_in(600, 3 * 86400);
                if (del > now)
                    del = now - 10;
            }
        }
        if (status == RS_CANCELLED)
            canc = (recv ? recv : reg) + rnd_in(600, 5 * 86400);
        if (canc > now)
            canc = now - 10;
        int use_unit = rnd() % 10 < 8;
        long ui = (long)(rnd() % (uint64_t)units_want);
        int64_t unit = use_unit ? units[ui] : 0;
        int mi = use_unit ? (int)unit_model[ui] : (int)(rnd() % (uint64_t)nmodels);
        int64_t owner = cust[rnd() % (uint64_t)ncust];
        if (use_unit) {
            db_stmt *q = db_prepare(c, "SELECT customer_id, serial, warranty_until FROM units WHERE id = ?");
            if (!q) {
                free(seq);
                goto fail;
            }
            db_bind_int(q, 1, unit);
            char serial[40] = "", until[11] = "";
            if (db_step(q) == DB_ROW) {
                owner = db_int(q, 0);
                snprintf(serial, sizeof serial, "%s", db_text(q, 1));
                if (!db_isnull(q, 2))
                    snprintf(until, sizeof until, "%s", db_text(q, 2));
            }
            db_done(q);
            (void)serial;
        }
        int day = (int)((now + REP_TZ_OFFSET) / 86400 - (reg + REP_TZ_OFFSET) / 86400);
        if (day < 0 || day > days)
            day = days;
        char dstr[11], code[32];
        rep_local_date(reg, dstr);
        snprintf(code, sizeof code, "R%.2s%.2s%.2s%04lld", dstr + 2, dstr + 5, dstr + 8,
                 (long long)++seq[day]);
        const char *kind = rnd() % 10 < 7 ? "carry_in" : rnd() % 2 ? "on_site" : "mail_in";
        const char *channel = rep_channels[rnd() % 6];
        /* Most at the first demo outlets (where the demo staff work), the rest anywhere. */
        int64_t outlet = rnd() % 10 < 6 ? outlets[rnd() % (uint64_t)(noutlets < 2 ? noutlets : 2)]
                                        : outlets[rnd() % (uint64_t)noutlets];
        int64_t quote = (status >= RS_QUOTED && rnd() % 3 == 0) ? rnd_in(50, 2000) * 100 : 0;
        db_stmt *st = db_prepare(
            c, "INSERT INTO repairs (code, customer_id, unit_id, serial, model_id, product_line_id,"
               " outlet_id, kind, channel, status, fault, in_warranty, quote_fen, cancel_reason,"
               " registered_at, received_at, repaired_at, delivered_at, cancelled_at, created_at,"
               " updated_at) SELECT ?, ?, u.id, u.serial, ?, ?, ?, ?, ?, ?, ?,"
               " CASE WHEN CAST(? AS BIGINT) = 0 THEN NULL WHEN u.warranty_until >= CAST(? AS TEXT)"
               " THEN 1 ELSE 0 END, ?, ?, ?, ?, ?, ?, ?, ?, ?"
               " FROM (SELECT CAST(? AS BIGINT) AS k) x LEFT JOIN units u ON u.id = x.k RETURNING id");
        if (!st) {
            free(seq);
            goto fail;
        }
        char recv_day[11] = "";
        if (recv)
            rep_local_date(recv, recv_day);
        int p = 1;
        db_bind_text(st, p++, code);
        db_bind_int(st, p++, owner);
        db_bind_int(st, p++, models[mi]);
        db_bind_int(st, p++, lines[mi]);
        db_bind_int(st, p++, outlet);
        db_bind_text(st, p++, kind);
        db_bind_text(st, p++, channel);
        db_bind_text(st, p++, repair_status_name((enum repair_status)status));
        db_bind_text(st, p++, faults[rnd() % (sizeof faults / sizeof *faults)]);
        db_bind_int(st, p++, recv);
        db_bind_text(st, p++, recv_day);
        if (quote)
            db_bind_int(st, p++, quote);
        else
            db_bind_null(st, p++);
        db_bind_text(st, p++, canc ? "客户取消" : NULL);
        db_bind_int(st, p++, reg);
        int64_t tv[4] = {recv, rep, del, canc};
        for (int t = 0; t < 4; t++) {
            if (tv[t])
                db_bind_int(st, p++, tv[t]);
            else
                db_bind_null(st, p++);
        }
        db_bind_int(st, p++, now);
        db_bind_int(st, p++, now);
        db_bind_int(st, p++, unit);
        int k = db_step(st);
        int64_t id = k == DB_ROW ? db_int(st, 0) : 0;
        db_done(st);
        if (k != DB_ROW) {
            free(seq);
            goto fail;
        }
        /* The timeline: every state passed through, with plausible times. */
        int ok = rep_event_add(c, id, "registered", reg, "demo") >= 0;
        if (ok && recv)
            ok = rep_event_add(c, id, "received", recv, "tech") >= 0;
        if (ok && recv && status >= RS_DIAGNOSING && status != RS_CANCELLED)
            ok = rep_event_add(c, id, "diagnosing", recv + 1800, "tech") >= 0;
        if (ok && quote)
            ok = rep_event_add(c, id, "quoted", recv + 3600, "tech") >= 0;
        if (ok && quote && status >= RS_APPROVED && status != RS_CANCELLED)
            ok = rep_event_add(c, id, "approved", recv + 7200, "agent") >= 0;
        if (ok && status >= RS_REPAIRING && status != RS_CANCELLED && status != RS_WAITING_PARTS)
            ok = rep_event_add(c, id, "repairing", recv + 9000, "tech") >= 0;
        if (ok && status == RS_WAITING_PARTS)
            ok = rep_event_add(c, id, "waiting_parts", recv + 9000, "tech") >= 0;
        if (ok && rep)
            ok = rep_event_add(c, id, "repaired", rep, "tech") >= 0;
        if (ok && del)
            ok = rep_event_add(c, id, "delivered", del, "tech") >= 0;
        if (ok && canc)
            ok = rep_event_add(c, id, "cancelled", canc, "manager") >= 0;
        if (!ok) {
            free(seq);
            goto fail;
        }
        if ((i + 1) % batch == 0 || i + 1 == want) {
            if (i + 1 == want) {
                /* Counters continue after the demo codes. */
                for (int dd = 0; dd <= days; dd++) {
                    if (!seq[dd])
                        continue;
                    char ds[11], name[24];
                    rep_local_date(now - (int64_t)dd * 86400, ds);
                    snprintf(name, sizeof name, "repair:%.2s%.2s%.2s", ds + 2, ds + 5, ds + 8);
                    if (db_exec(c,
                                "INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name)"
                                " DO UPDATE SET value = CASE WHEN excluded.value > counters.value"
                                " THEN excluded.value ELSE counters.value END",
                                "ti", name, seq[dd]) < 0) {
                        free(seq);
                        goto fail;
                    }
                }
            }
            if (db_commit(c) < 0) {
                free(seq);
                goto fail;
            }
            in_tx = 0;
            if (want >= 100000 && (i + 1) % 100000 == 0)
                fprintf(stderr, "demo: %ld repairs\n", i + 1);
        }
    }
    free(seq);
    rc = 0;
    goto cleanup;
fail:
    fprintf(stderr, "demo repairs: %s\n", db_errmsg(c));
    if (in_tx)
        db_rollback(c);
cleanup:
    free(cust);
    free(models);
    free(lines);
    free(outlets);
    free(units);
    free(unit_model);
    db_release(c);
    return rc;
}
