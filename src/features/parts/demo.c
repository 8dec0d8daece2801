/* parts: the demo parts network of `aftersales demo`: the Shanghai parts center, the
 * Beijing and Guangzhou branches, a third-party warehouse, two overseas centers and one
 * stock room per outlet; about 2,000 parts over the demo models (some superseded by a
 * newer revision, some out of stock everywhere); stock received into them; and part
 * requests of the demo repairs (reserved, ordered, backordered, received and issued,
 * some late); a few open purchase orders (two overdue). All of it in one transaction. */
#include <stdlib.h>
#include <string.h>

#include "features/common/common.h"
#include "features/parts/internal.h"
#include "features/repairs/repairs.h"
#include "rules/repair_state.h"

#define DEMO_PARTS 2000
#define ACTOR "demo"

static uint64_t rs;
static uint64_t rnd(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return rs;
}
static int64_t rnd_in(int64_t lo, int64_t hi) /* [lo, hi] */
{
    return hi <= lo ? lo : lo + (int64_t)(rnd() % (uint64_t)(hi - lo + 1));
}
static int chance(int percent)
{
    return (int)(rnd() % 100) < percent;
}

/* What a product line's units are made of: zh, en, price range in yuan, imported share
 * (percent), serial-tracked. */
struct component {
    const char *zh, *en;
    int lo, hi, imported, serial;
};
static const struct component tv[] = {
    {"主板", "Main board", 600, 1800, 40, 1},         {"电源板", "Power supply board", 250, 700, 20, 1},
    {"T-CON板", "T-CON board", 200, 500, 40, 1},       {"背光灯条", "LED backlight strip", 80, 300, 10, 0},
    {"液晶屏组件", "LCD panel assembly", 2500, 9000, 90, 1}, {"遥控器", "Remote commander", 60, 180, 0, 0},
    {"扬声器", "Speaker unit", 60, 200, 10, 0},        {"红外接收板", "IR receiver board", 40, 120, 0, 0},
    {"WiFi模块", "Wi-Fi module", 90, 260, 60, 0},      {"底座", "Stand", 120, 400, 0, 0},
    {"按键板", "Key board", 40, 120, 0, 0},            {"线材组件", "Cable harness", 20, 90, 0, 0},
};
static const struct component av[] = {
    {"主板", "Main board", 300, 1200, 40, 1},          {"功放板", "Amplifier board", 250, 800, 40, 1},
    {"电源板", "Power supply board", 150, 500, 20, 1},  {"扬声器单元", "Speaker driver", 80, 400, 30, 0},
    {"电池", "Battery", 90, 300, 50, 1},               {"耳罩", "Ear pads", 60, 180, 0, 0},
    {"充电盒", "Charging case", 200, 600, 60, 1},       {"蓝牙模块", "Bluetooth module", 100, 300, 60, 0},
    {"按键板", "Key board", 40, 120, 0, 0},            {"遥控器", "Remote commander", 60, 160, 0, 0},
    {"光驱", "Optical drive", 300, 900, 80, 1},        {"显示屏", "Display", 150, 500, 40, 0},
};
static const struct component pc[] = {
    {"主板", "Motherboard", 1500, 4500, 70, 1},        {"液晶屏", "LCD panel", 800, 2600, 80, 1},
    {"键盘", "Keyboard", 200, 600, 30, 0},             {"电池", "Battery pack", 300, 900, 50, 1},
    {"电源适配器", "AC adapter", 150, 400, 10, 0},      {"散热风扇", "Cooling fan", 80, 250, 20, 0},
    {"固态硬盘", "SSD", 400, 1500, 50, 1},             {"内存", "Memory module", 200, 800, 50, 1},
    {"触控板", "Touchpad", 150, 450, 30, 0},           {"铰链", "Hinge", 60, 200, 0, 0},
    {"摄像头模块", "Camera module", 120, 350, 40, 0},   {"顶盖", "Top cover", 200, 700, 30, 0},
};
static const struct component vc[] = {
    {"主板", "Main board", 1500, 5000, 70, 1},         {"镜头模组", "Lens module", 1200, 6000, 90, 1},
    {"电源板", "Power supply board", 300, 900, 30, 1},  {"云台电机", "Pan-tilt motor", 400, 1200, 60, 0},
    {"遥控器", "Remote commander", 80, 200, 0, 0},     {"麦克风阵列", "Microphone array", 300, 900, 50, 0},
    {"网络板", "Network board", 300, 900, 50, 1},       {"图像传感器板", "Image sensor board", 900, 3000, 90, 1},
};
static const struct component game[] = {
    {"主板", "Main board", 1200, 3000, 80, 1},         {"光驱", "Optical drive", 300, 800, 80, 1},
    {"电源", "Power supply", 250, 600, 40, 1},          {"手柄", "Controller", 300, 500, 30, 1},
    {"散热风扇", "Cooling fan", 80, 200, 20, 0},        {"固态硬盘", "SSD", 500, 1500, 60, 1},
    {"HDMI接口板", "HDMI port board", 150, 400, 40, 0}, {"外壳", "Case", 150, 400, 20, 0},
};

static const struct component *components_of(const char *line, size_t *n)
{
#define PICK(a) (*n = sizeof a / sizeof *a, a)
    if (strcmp(line, "TV") == 0)
        return PICK(tv);
    if (strcmp(line, "PC") == 0)
        return PICK(pc);
    if (strcmp(line, "VC") == 0)
        return PICK(vc);
    if (strcmp(line, "GAME") == 0)
        return PICK(game);
    return PICK(av);
#undef PICK
}

struct model {
    int64_t id;
    char line[16], code[48];
};

struct dpart {
    int64_t id;
    int imported, stockless, old; /* old: superseded by a newer revision */
};

/* ---------------------------------------------------------------- warehouses */

static int demo_warehouses(db_conn *c, int64_t now)
{
    static const struct pt_wh_in fixed[] = {
        {"SH-PC", "上海零件中心", "central", "310115", NULL},
        {"BJ-BR", "北京分库", "branch", "110105", NULL},
        {"GZ-BR", "广州分库", "branch", "440106", NULL},
        {"SZ-3PL", "深圳第三方物流仓 (顺丰供应链代管)", "third_party", "440305", NULL},
        {"JP-GPC", "东京全球零件中心 Tokyo Global Parts Center", "overseas", NULL, NULL},
        {"SG-GPC", "新加坡亚太零件中心 Singapore Regional Parts Center", "overseas", NULL, NULL},
    };
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++) {
        const char *field, *why;
        int rc = pt_wh_store(c, &fixed[i], ACTOR, now, 1, &field, &why);
        if (rc != 0) {
            fprintf(stderr, "demo parts: warehouse %s: %s\n", fixed[i].code,
                    rc > 0 ? why : db_errmsg(c));
            return -1;
        }
    }
    /* every outlet's stock room */
    int64_t e = db_exec(c,
                        "INSERT INTO warehouses (code, name, kind, region, province, outlet_id,"
                        " created_at, updated_at) SELECT 'W-' || o.code, o.name || ' 库房', 'outlet',"
                        " o.region, CASE WHEN length(o.region) = 6 THEN substr(o.region, 1, 2) || '0000'"
                        " END, o.id, ?, ? FROM outlets o"
                        " WHERE NOT EXISTS (SELECT 1 FROM warehouses w WHERE w.outlet_id = o.id)",
                        "ii", now, now);
    return e < 0 ? -1 : 0;
}

/* ---------------------------------------------------------------- parts */

static int load_models(db_conn *c, struct model **out, int *n)
{
    db_stmt *st = db_prepare(c, "SELECT m.id, p.code, m.code FROM models m JOIN product_lines p"
                                " ON p.id = m.product_line_id ORDER BY m.code");
    if (!st)
        return -1;
    int cap = 64, k = 0, rc;
    struct model *v = malloc((size_t)cap * sizeof *v);
    while (v && (rc = db_step(st)) == DB_ROW) {
        if (k == cap) {
            cap *= 2;
            struct model *nv = realloc(v, (size_t)cap * sizeof *v);
            if (!nv)
                break;
            v = nv;
        }
        v[k].id = db_int(st, 0);
        snprintf(v[k].line, sizeof v[k].line, "%s", db_text(st, 1));
        snprintf(v[k].code, sizeof v[k].code, "%s", db_text(st, 2));
        k++;
    }
    db_done(st);
    if (!v || rc < 0) {
        free(v);
        return -1;
    }
    *out = v;
    *n = k;
    return 0;
}

/* DEMO_PARTS parts: model after model, component after component, revision after
 * revision; a part fits its model and often its neighbour of the same line. */
static int demo_parts(db_conn *c, const struct model *m, int nm, struct dpart *parts, int64_t now)
{
    db_stmt *ins = NULL;
    int made = 0;
    for (int round = 0; made < DEMO_PARTS; round++) {
        for (int i = 0; i < nm && made < DEMO_PARTS; i++) {
            size_t nc;
            const struct component *comp = components_of(m[i].line, &nc);
            const struct component *k = &comp[(size_t)round % nc];
            int rev = round / (int)nc;
            char number[32], desc[200], desc_en[200];
            snprintf(number, sizeof number, "%d-%03d-%03d-%02d", 1 + made % 9, 100 + made / 9,
                     (int)rnd_in(100, 999), (int)rnd_in(11, 99));
            snprintf(desc, sizeof desc, "%s %s%s", m[i].code, k->zh, rev ? " (改进型)" : "");
            char revs[24] = "";
            if (rev)
                snprintf(revs, sizeof revs, " (rev. %d)", rev + 1);
            snprintf(desc_en, sizeof desc_en, "%s for %s%s", k->en, m[i].code, revs);
            int imported = chance(k->imported);
            ins = db_prepare(c, "INSERT INTO parts (number, description, description_en, price_fen,"
                                " source, serial_tracked, created_at, updated_at)"
                                " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
            if (!ins)
                return -1;
            db_bind_text(ins, 1, number);
            db_bind_text(ins, 2, desc);
            db_bind_text(ins, 3, desc_en);
            db_bind_int(ins, 4, rnd_in(k->lo, k->hi) * 100);
            db_bind_text(ins, 5, imported ? "imported" : "domestic");
            db_bind_int(ins, 6, k->serial);
            db_bind_int(ins, 7, now);
            db_bind_int(ins, 8, now);
            int rc = db_step(ins);
            int64_t id = rc == DB_ROW ? db_int(ins, 0) : 0;
            db_done(ins);
            if (rc != DB_ROW)
                return -1;
            parts[made] = (struct dpart){id, imported, chance(3), 0};
            if (db_exec(c, "INSERT INTO part_models (part_id, model_id) VALUES (?, ?)", "ii", id,
                        m[i].id) < 0)
                return -1;
            if (i + 1 < nm && strcmp(m[i + 1].line, m[i].line) == 0 && chance(30) &&
                db_exec(c, "INSERT INTO part_models (part_id, model_id) VALUES (?, ?)", "ii", id,
                        m[i + 1].id) < 0)
                return -1;
            /* a newer revision of the same component of the same model replaces the last */
            if (rev > 0 && chance(25)) {
                int prev = made - (int)nc * nm; /* the same model and component, one revision ago */
                if (prev >= 0) {
                    if (db_exec(c, "UPDATE parts SET superseded_by = ? WHERE id = ?", "ii", id,
                                parts[prev].id) < 0)
                        return -1;
                    parts[prev].old = 1;
                }
            }
            made++;
        }
    }
    return made;
}

/* ---------------------------------------------------------------- stock */

struct dwh {
    int64_t id;
    const char *code;
};

/* qty units of part into wh: the balance and its receipt move. */
static int put(db_conn *c, int64_t part, int64_t wh, int64_t qty, int64_t at)
{
    if (pl_apply(c, part, wh, PD_RECEIVE, qty, at) != 0)
        return -1;
    struct pl_move m = {.kind = "receipt", .part = part, .qty = qty, .to = wh,
                        .reason = "opening stock", .actor = ACTOR, .at = at};
    return pl_move_add(c, &m, NULL) == 0 ? 0 : -1;
}

static int wh_id(db_conn *c, const char *code, int64_t *id)
{
    struct pt_wh w;
    if (pt_wh_find(c, code, &w) != 0)
        return -1;
    *id = w.id;
    return 0;
}

static int demo_stock(db_conn *c, const struct dpart *parts, int np, int64_t now)
{
    int64_t sh, bj, gz, sz, jp, sg;
    if (wh_id(c, "SH-PC", &sh) || wh_id(c, "BJ-BR", &bj) || wh_id(c, "GZ-BR", &gz) ||
        wh_id(c, "SZ-3PL", &sz) || wh_id(c, "JP-GPC", &jp) || wh_id(c, "SG-GPC", &sg))
        return -1;
    int64_t at = now - 30 * 86400;
    for (int i = 0; i < np; i++) {
        const struct dpart *p = &parts[i];
        if (p->stockless)
            continue; /* out of stock everywhere: requests for it are backordered */
        int keep = p->old ? 40 : 100; /* a superseded revision is being run down */
        if (chance(p->imported ? 55 * keep / 100 : 85 * keep / 100) &&
            put(c, p->id, sh, rnd_in(2, 40), at) < 0)
            return -1;
        if (chance(35 * keep / 100) && put(c, p->id, bj, rnd_in(1, 8), at) < 0)
            return -1;
        if (chance(35 * keep / 100) && put(c, p->id, gz, rnd_in(1, 8), at) < 0)
            return -1;
        if (chance(20 * keep / 100) && put(c, p->id, sz, rnd_in(1, 10), at) < 0)
            return -1;
        if (chance(p->imported ? 95 : 10) && put(c, p->id, jp, rnd_in(10, 200), at) < 0)
            return -1;
        if (p->imported && chance(40) && put(c, p->id, sg, rnd_in(5, 60), at) < 0)
            return -1;
    }
    /* reorder points on part of the network, so replenishment has something to suggest */
    if (db_exec(c, "UPDATE stock SET reorder_point = 3, reorder_qty = 5"
                   " WHERE warehouse_id IN (?, ?) AND part_id % 7 = 0",
                "ii", bj, gz) < 0 ||
        db_exec(c, "UPDATE stock SET reorder_point = 8, reorder_qty = 20"
                   " WHERE warehouse_id = ? AND part_id % 5 = 0",
                "i", sh) < 0)
        return -1;
    /* each outlet keeps a few fast movers (remotes, batteries, boards it sees often) */
    db_stmt *st = db_prepare(c, "SELECT id FROM warehouses WHERE kind = 'outlet' ORDER BY id");
    if (!st)
        return -1;
    int64_t *ow = NULL;
    int no = 0, cap = 0, rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if (no == cap) {
            cap = cap ? cap * 2 : 64;
            int64_t *nv = realloc(ow, (size_t)cap * sizeof *nv);
            if (!nv)
                break;
            ow = nv;
        }
        ow[no++] = db_int(st, 0);
    }
    db_done(st);
    for (int i = 0; rc == DB_DONE && i < no; i++) {
        int n = i < 10 ? 40 : 12; /* the big service centers first */
        for (int k = 0; k < n; k++) {
            const struct dpart *p = &parts[rnd_in(0, np - 1)];
            if (p->stockless || p->old)
                continue;
            /* the same part twice adds up; the CHECKs hold */
            if (put(c, p->id, ow[i], rnd_in(1, 4), at) < 0) {
                free(ow);
                return -1;
            }
        }
    }
    free(ow);
    return rc == DB_DONE ? 0 : -1;
}

/* ---------------------------------------------------------------- requests */

/* Requests for the demo repairs: those waiting for parts now (some promises already
 * passed: late parts), and finished ones whose parts came, were fitted and (on
 * warranty) are expected back. */
static int demo_requests(db_conn *c, const struct dpart *parts, int np, int64_t now)
{
    db_stmt *st = db_prepare(
        c, "SELECT r.id, r.code, r.status, COALESCE(r.received_at, r.registered_at),"
           " r.repaired_at, r.outlet_id FROM repairs r WHERE r.outlet_id IS NOT NULL"
           " AND (r.status = 'waiting_parts'"
           " OR (r.status IN ('diagnosing', 'approved', 'repairing') AND r.id % 2 = 0"
           "     AND NOT (r.status = 'diagnosing' AND r.in_warranty = 0))" /* paid: quote first */
           " OR (r.status IN ('repaired', 'delivered') AND r.id % 4 = 0)) ORDER BY r.id LIMIT 400");
    if (!st)
        return -1;
    struct rq {
        struct repair_ref ref;
        int64_t at, repaired;
    } *v = calloc(400, sizeof *v);
    int n = 0, rc;
    while (v && (rc = db_step(st)) == DB_ROW && n < 400) {
        struct rq *q = &v[n++];
        q->ref.id = db_int(st, 0);
        q->ref.status = repair_status_parse(db_text(st, 2));
        q->at = db_int(st, 3) + 9000;
        q->repaired = db_isnull(st, 4) ? 0 : db_int(st, 4);
        q->ref.outlet_id = db_int(st, 5);
    }
    db_done(st);
    if (!v)
        return -1;
    arena *a = arena_new();
    int bad = 0;
    for (int i = 0; i < n && !bad; i++) {
        struct rq *q = &v[i];
        int lines = (int)rnd_in(1, 2);
        int64_t ids[2], qty[2] = {1, rnd_in(1, 2)}, line_ids[2];
        int open = q->ref.status != RS_REPAIRED && q->ref.status != RS_DELIVERED;
        for (int k = 0; k < lines; k++) {
            const struct dpart *p = &parts[rnd_in(0, np - 1)];
            for (int t = 0; !open && (p->stockless || p->old) && t < 20; t++)
                p = &parts[rnd_in(0, np - 1)]; /* finished repairs got their parts */
            if (open && chance(25)) /* a part nobody has: backordered */
                for (int t = 0, from = (int)rnd_in(0, np - 1); t < np; t++)
                    if (parts[(t + from) % np].stockless) {
                        p = &parts[(t + from) % np];
                        break;
                    }
            ids[k] = p->id;
        }
        char code[24];
        if (pr_fill_request(c, a, &q->ref, ACTOR, q->at, lines, ids, NULL, qty, code, line_ids) != 0) {
            bad = 1;
            break;
        }
        if (open) { /* still waiting: reserved, ordered or backordered */
            if (repairs_wait_for_parts(c, &q->ref, ACTOR, q->at) < 0) {
                bad = 1;
                break;
            }
            continue;
        }
        /* finished: the parts came before the repair was done, and were fitted */
        for (int k = 0; k < lines && !bad; k++) {
            db_stmt *ls = db_prepare(c, "SELECT status FROM part_request_lines WHERE id = ?");
            if (!ls) {
                bad = 1;
                break;
            }
            db_bind_int(ls, 1, line_ids[k]);
            int filled = db_step(ls) == DB_ROW && strcmp(db_text(ls, 0), "backordered") != 0;
            db_done(ls);
            if (!filled) { /* the repair went on without it */
                if (db_exec(c, "UPDATE part_request_lines SET status = 'cancelled',"
                               " cancelled_at = ? WHERE id = ?",
                            "ii", q->repaired ? q->repaired : q->at, line_ids[k]) < 0)
                    bad = 1;
                continue;
            }
            int64_t done = q->repaired ? q->repaired : q->at + 86400;
            int64_t got = q->at + rnd_in(1, 3) * 3600 + rnd_in(0, 120) * 3600;
            if (got > done)
                got = done;
            const char *why = NULL;
            if (pr_line_receive(c, line_ids[k], ACTOR, got) != 0 ||
                pr_line_issue(c, line_ids[k], ACTOR, got + 1800, NULL, NULL, &why) != 0) {
                bad = 1;
                break;
            }
        }
    }
    arena_free(a);
    free(v);
    return bad || rc < 0 ? -1 : 0;
}

/* ---------------------------------------------------------------- purchase orders */

/* Open purchase orders at the central parts center for the first parts out of stock
 * everywhere (two placed ten days ago: overdue). No random draws: what comes before is
 * unchanged. */
static int demo_purchase_orders(db_conn *c, const struct dpart *parts, int np, int64_t now)
{
    int64_t sh;
    if (wh_id(c, "SH-PC", &sh))
        return -1;
    for (int i = 0, made = 0; i < np && made < 6; i++) {
        const struct dpart *p = &parts[i];
        if (!p->stockless)
            continue;
        int64_t qty = p->imported ? 10 : 20;
        struct pt_po_in in = {.wh = sh, .actor = ACTOR, .n = 1, .part = &p->id, .qty = &qty,
                              .imported = &p->imported,
                              .supplier = p->imported ? "Sony Global Parts Center (Tokyo)"
                                                      : "华东电子配件有限公司"};
        int64_t id;
        char code[24];
        if (pt_po_store(c, &in, now - (made < 2 ? 10 : 1) * 86400, &id, code) != 0)
            return -1;
        made++;
    }
    return 0;
}

int parts_demo(db *d, const struct demo_opts *o)
{
    db_conn *c = db_acquire(d);
    struct model *models = NULL;
    struct dpart *parts = NULL;
    int nm = 0, rc = -1;
    rs = 0x2545F4914F6CDD1Dull ^ (uint64_t)(o->seed ? o->seed : 7);
    int64_t now = now_unix();
    db_stmt *st = db_prepare(c, "SELECT COUNT(*) FROM parts");
    int64_t have = st && db_step(st) == DB_ROW ? db_int(st, 0) : -1;
    if (st)
        db_done(st);
    if (have != 0) {
        db_release(c);
        return have > 0 ? 0 : -1; /* demo parts are there already */
    }
    if (db_begin(c) < 0)
        goto fail;
    if (demo_warehouses(c, now) < 0 || load_models(c, &models, &nm) < 0)
        goto rollback;
    if (nm == 0) {
        rc = db_commit(c) == 0 ? 0 : -1;
        goto done;
    }
    parts = calloc(DEMO_PARTS, sizeof *parts);
    int np = parts ? demo_parts(c, models, nm, parts, now) : -1;
    if (np < 0 || demo_stock(c, parts, np, now) < 0 || demo_requests(c, parts, np, now) < 0 ||
        demo_purchase_orders(c, parts, np, now) < 0)
        goto rollback;
    if (db_commit(c) < 0)
        goto fail;
    rc = 0;
    goto done;
rollback:
    db_rollback(c);
fail:
    fprintf(stderr, "demo parts: %s\n", db_errmsg(c));
done:
    free(models);
    free(parts);
    db_release(c);
    return rc;
}
