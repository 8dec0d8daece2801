/* orders: the demo of `aftersales demo`: genuine batteries and memory cards added to the
 * parts catalog as accessories with stock at the central warehouse and the outlets,
 * genuine battery serials, some orders over the demo customers and outlets in every
 * state, and a little feedback. All in one transaction. */
#include <string.h>

#include "base/xrand.h"
#include "features/orders/internal.h"
#include "features/parts/parts.h"

#define ACTOR "demo"

static const struct {
    const char *number, *zh, *en, *kind;
    int64_t price_fen;
} items[] = {
    {"ACC-NP-FW50", "NP-FW50 原装充电电池", "NP-FW50 rechargeable battery", "battery", 39900},
    {"ACC-NP-FZ100", "NP-FZ100 原装充电电池", "NP-FZ100 rechargeable battery", "battery", 59900},
    {"ACC-NP-BX1", "NP-BX1 原装充电电池", "NP-BX1 rechargeable battery", "battery", 29900},
    {"ACC-SF-G64", "SF-G64 TOUGH 64GB SD 存储卡", "SF-G64 TOUGH 64 GB SD card", "memory_card", 69900},
    {"ACC-SF-M128", "SF-M128 128GB SD 存储卡", "SF-M128 128 GB SD card", "memory_card", 45900},
    {"ACC-RMF-TX520", "RMF-TX520 语音遥控器", "RMF-TX520 voice remote control", "accessory", 19900},
    {"PRD-SRS-XB100", "SRS-XB100 便携式蓝牙音箱", "SRS-XB100 portable Bluetooth speaker", "product", 39900},
    {"PRD-WH-CH520", "WH-CH520 头戴式无线耳机", "WH-CH520 wireless headphones", "product", 29900},
};
#define NITEMS (int)(sizeof items / sizeof *items)

static const char *const feedback_texts[] = {
    "网点工作人员很耐心，维修很快，谢谢", "希望周末也能延长营业时间", "原装电池续航比以前好很多",
    "网站上的订单查询很方便", "等待时间有点长，希望改进",
};
static const char *const feedback_cats[] = {"praise", "suggestion", "product", "service", "service"};

/* The accessories (parts created when missing) with stock at every warehouse. */
static int demo_items(db_conn *c, int64_t now, int64_t ids[NITEMS])
{
    for (int i = 0; i < NITEMS; i++) {
        int64_t e = db_exec(c, "INSERT INTO parts (number, description, description_en, price_fen,"
                               " source, created_at, updated_at) VALUES (?, ?, ?, ?, 'imported', ?, ?)"
                               " ON CONFLICT (number) DO NOTHING",
                            "tttiii", items[i].number, items[i].zh, items[i].en, items[i].price_fen,
                            now, now);
        int64_t price;
        if (e < 0 || parts_lookup(c, items[i].number, &ids[i], &price) != 0)
            return -1;
        if (db_exec(c, "INSERT INTO accessories (part_id, kind, sort) VALUES (?, ?, ?)"
                       " ON CONFLICT (part_id) DO NOTHING", "iti", ids[i], items[i].kind,
                    (int64_t)i) < 0)
            return -1;
    }
    db_stmt *st = db_prepare(c, "SELECT id FROM warehouses WHERE kind IN ('central', 'outlet')"
                                " ORDER BY id");
    if (!st)
        return -1;
    int64_t wh[512];
    int n = 0, rc;
    while ((rc = db_step(st)) == DB_ROW && n < 512)
        wh[n++] = db_int(st, 0);
    db_done(st);
    for (int w = 0; rc >= 0 && w < n; w++)
        for (int i = 0; i < NITEMS && rc >= 0; i++)
            rc = parts_sale_move(c, ids[i], wh[w], PARTS_RESTOCK, w == 0 ? 60 : 10,
                                 "demo accessories", ACTOR, now);
    return rc < 0 ? -1 : 0;
}

static int demo_serials(db_conn *c, int64_t now)
{
    for (int i = 1; i <= 200; i++) {
        char s[24];
        snprintf(s, sizeof s, "SB%08d", 10000000 + i * 7919);
        if (db_exec(c, "INSERT INTO battery_serials (serial, imported_at) VALUES (?, ?)"
                       " ON CONFLICT (serial) DO NOTHING", "ti", s, now) < 0)
            return -1;
    }
    return 0;
}

/* Orders of customers with a phone: half online, half at the first outlets, moved along
 * the lifecycle to every state. */
static int demo_orders(db_conn *c, struct xrand *rs, const int64_t ids[NITEMS])
{
    (void)ids;
    db_stmt *st = db_prepare(c, "SELECT cu.code FROM customers cu WHERE cu.merged_into IS NULL"
                                " AND cu.erased_at IS NULL AND EXISTS (SELECT 1 FROM customer_phones p"
                                " WHERE p.customer_id = cu.id) ORDER BY cu.id LIMIT 40");
    if (!st)
        return -1;
    char codes[40][16];
    int nc = 0, rc;
    while ((rc = db_step(st)) == DB_ROW && nc < 40)
        snprintf(codes[nc++], 16, "%s", db_text(st, 0));
    db_done(st);
    int64_t outlets[8];
    int no = 0;
    st = db_prepare(c, "SELECT o.id FROM outlets o JOIN warehouses w ON w.outlet_id = o.id"
                       " ORDER BY o.id LIMIT 8");
    if (!st)
        return -1;
    while ((rc = db_step(st)) == DB_ROW && no < 8)
        outlets[no++] = db_int(st, 0);
    db_done(st);
    static const enum order_status path[] = {OS_CONFIRMED, OS_PICKED, OS_SHIPPED, OS_DELIVERED};
    for (int i = 0; i < nc; i++) {
        struct ord_line_in l[2] = {{items[xrand_next(rs) % 3].number, 1 + (int64_t)(xrand_next(rs) % 2)},
                                   {items[3 + xrand_next(rs) % 3].number, 1}};
        struct ord_new n = {.customer_code = codes[i], .outlet_id = (i % 2 && no) ? outlets[i % no] : 0,
                            .online = 0, .lines = l, .nlines = 1 + (int)(xrand_next(rs) % 2)};
        struct ord_answer a = {0};
        if (ord_create(c, ACTOR, &n, &a) < 0)
            return -1;
        const char *code = json_string_value(json_object_get(a.body, "code"));
        struct ord_row o;
        int ok = a.status == 201 && code && ord_load(c, code, &o) == 0;
        json_decref(a.body);
        if (!ok)
            continue;
        int steps = i % 6; /* 0..3: along the path, 4: cancelled, 5: delivered */
        int upto = steps == 4 ? 0 : steps == 5 ? 4 : steps;
        for (int k = 0; k < upto; k++) {
            struct ord_answer b = {0};
            if (ord_transition(c, ACTOR, &o, path[k], NULL, &b) < 0)
                return -1;
            json_decref(b.body);
        }
        if (steps == 4) {
            struct ord_answer b = {0};
            if (ord_transition(c, ACTOR, &o, OS_CANCELLED, "客户取消", &b) < 0)
                return -1;
            json_decref(b.body);
        }
        if (i % 3 == 0 && db_exec(c, "UPDATE orders SET paid = 1, pay_method = 'wechat',"
                                     " pay_reference = ?, paid_at = placed_at WHERE id = ?",
                                  "ti", "WX-DEMO", o.id) < 0)
            return -1;
    }
    for (int i = 0; no && i < 5; i++) {
        char code[16];
        if (code_next(c, "feedback", "F", 8, code, sizeof code) < 0 ||
            db_exec(c, "INSERT INTO feedback (code, channel, category, text, outlet_id, received_at)"
                       " VALUES (?, ?, ?, ?, ?, ?)", "ttttii", code,
                    i % 2 ? "kiosk" : "portal", feedback_cats[i], feedback_texts[i],
                    outlets[i % no], now_unix()) < 0)
            return -1;
    }
    return rc < 0 ? -1 : 0;
}

int orders_demo(db *d, const struct demo_opts *o)
{
    db_conn *c = db_acquire(d);
    struct xrand rs = xrand_seed(0x0D3E4C0FFEEull, o->seed);
    int64_t now = now_unix(), ids[NITEMS];
    db_stmt *st = db_prepare(c, "SELECT COUNT(*) FROM orders");
    int64_t have = st && db_step(st) == DB_ROW ? db_int(st, 0) : -1;
    if (st)
        db_done(st);
    int rc = -1;
    if (have != 0) {
        db_release(c);
        return have > 0 ? 0 : -1;
    }
    if (db_begin(c) < 0)
        goto done;
    /* the demo's orders are history: their notices went out long ago, so they are
     * stored as sent in the same transaction (no sender ever sees them queued) */
    if (demo_items(c, now, ids) < 0 || demo_serials(c, now) < 0 || demo_orders(c, &rs, ids) < 0 ||
        db_exec(c, "UPDATE outbox SET status = 'sent', sent_at = created_at"
                   " WHERE status = 'queued' AND template LIKE 'order%'", "") < 0) {
        db_rollback(c);
        goto done;
    }
    rc = db_commit(c) < 0 ? -1 : 0;
done:
    db_release(c);
    return rc;
}
