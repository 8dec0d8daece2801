/* kb: the demo articles of `aftersales demo`: FAQs, news, promotions, product
 * information and an internal technical Q&A, in zh-CN with their en twins. */
#include <stdio.h>
#include <string.h>

#include "features/kb/internal.h"
#include "features/kb/store.h"

struct demo_article {
    const char *kind, *audience, *title, *body, *title_en, *body_en, *model;
    int valid_days; /* 0: open-ended */
};

static const struct demo_article articles[] = {
    {"faq", "public", "电视开机后没有声音怎么办？",
     "<p>请先检查<b>静音</b>是否开启，再在“设置 → 声音 → 音频输出”中选择<b>电视扬声器</b>。"
     "若连接了回音壁，请确认 HDMI ARC 线缆插在 eARC/ARC 接口。</p>",
     "No sound after the TV turns on?",
     "<p>Check that <b>mute</b> is off, then choose <b>TV speakers</b> under Settings → Sound → "
     "Audio output. With a soundbar, make sure the HDMI cable is in the eARC/ARC port.</p>",
     "KD-55X85K", 0},
    {"faq", "public", "遥控器失灵如何处理",
     "<p>更换两节 AAA 电池；按住遥控器电源键 5 秒重新配对。仍无反应请到附近服务网点检测。</p>",
     "The remote control does not respond",
     "<p>Replace both AAA batteries; hold the power key for 5 seconds to pair again. If it still "
     "does not respond, bring it to a nearby service outlet.</p>",
     NULL, 0},
    {"faq", "public", "保修期如何计算？",
     "<p>保修期自购机发票日期起计算，电视一般为 12 个月，部分型号 24 个月。请保留购机发票。</p>",
     "How is the warranty period counted?",
     "<p>The warranty runs from the date on the purchase invoice: usually 12 months for TVs, 24 "
     "months for some models. Keep your invoice.</p>",
     NULL, 0},
    {"faq", "public", "PlayStation 5 无法读取光盘",
     "<p>请确认光盘无划痕，主机水平或竖直放置稳定；在“设置 → 系统 → 系统软件”中更新到最新版本。</p>",
     "PlayStation 5 does not read discs",
     "<p>Make sure the disc is not scratched and the console stands firmly; update the system "
     "software under Settings → System → System software.</p>",
     "CFI-2000", 0},
    {"news", "public", "上海徐汇技术服务中心焕新开业",
     "<p>位于徐汇区的技术服务中心完成升级，新增自助查询终端与电池检测服务，周末照常营业。</p>",
     "Shanghai Xuhui service centre reopens",
     "<p>The Xuhui service centre has been renovated, with self-service kiosks and battery "
     "checks; it is open at weekends.</p>",
     NULL, 0},
    {"news", "public", "售后服务热线延长服务时间",
     "<p>即日起服务热线每日 8:00 至 22:00 提供服务，节假日不休。</p>",
     "Service hotline hours extended",
     "<p>From today the hotline answers every day from 8:00 to 22:00, holidays included.</p>",
     NULL, 0},
    {"promotion", "public", "电视清洁保养季：免费除尘检测",
     "<p>活动期间携带电视遥控器及购机凭证到店，可享免费除尘检测一次。</p>",
     "TV care season: free dust cleaning check",
     "<p>Bring your remote and proof of purchase during the campaign for one free dust "
     "cleaning check.</p>",
     NULL, 10},
    {"promotion", "public", "原装电池以旧换新 8 折",
     "<p>凭旧电池到网点购买原装电池可享 8 折优惠，数量有限。</p>",
     "Genuine battery trade-in: 20% off",
     "<p>Trade in an old battery at an outlet for 20% off a genuine one, while stocks last.</p>",
     NULL, 60},
    {"product_info", "public", "KD-55X85K 液晶电视主要参数",
     "<p>55 英寸 4K HDR 液晶电视，120Hz 刷新率，支持 HDMI 2.1 与 Google TV。</p>",
     "KD-55X85K LCD TV key specifications",
     "<p>55-inch 4K HDR LCD TV, 120 Hz, HDMI 2.1 and Google TV.</p>",
     "KD-55X85K", 0},
    {"tech_qa", "internal", "X85K 背光闪烁的检修步骤",
     "<p>先升级固件至最新版本；仍闪烁时检查 LED 灯条连接器，必要时更换背光灯条（料号见配件目录）。</p>",
     "X85K backlight flicker: repair steps",
     "<p>Update the firmware first; if it still flickers, check the LED strip connector and "
     "replace the strips if needed (part numbers in the parts catalogue).</p>",
     "KD-55X85K", 0},
};

static int insert(db_conn *c, const char *lang, const char *kind, const char *audience,
                  const char *title, const char *body, int64_t now, int valid_days,
                  const char *model, int64_t *id)
{
    struct kb_write w = {.title = title, .raw_body = body};
    int rc = kb_prepare(&w);
    char code[16];
    if (rc == 0 && code_next(c, "kb_article", "K", 6, code, sizeof code) < 0)
        rc = DB_ERROR;
    db_stmt *st = rc ? NULL
                     : db_prepare(c, "INSERT INTO kb_articles (code, lang, kind, audience, status,"
                                     " title, body, body_text, tokens_title, tokens_all, bi_title, bi_all,"
                                     " valid_from, valid_to, created_by, updated_by, published_by,"
                                     " published_at, created_at, updated_at) VALUES (?, ?, ?, ?,"
                                     " 'published', ?, ?, ?, ?, ?, ?, ?, ?, ?, 'editor', 'editor',"
                                     " 'supervisor', ?, ?, ?)"
                                     " RETURNING id");
    if (st) {
        db_bind_text(st, 1, code);
        db_bind_text(st, 2, lang);
        db_bind_text(st, 3, kind);
        db_bind_text(st, 4, audience);
        db_bind_text(st, 5, title);
        db_bind_text(st, 6, w.body);
        db_bind_text(st, 7, w.text);
        db_bind_text(st, 8, w.tokens_title);
        db_bind_text(st, 9, w.tokens_all);
        db_bind_text(st, 10, w.bi_title);
        db_bind_text(st, 11, w.bi_all);
        db_bind_int(st, 12, now - 86400);
        if (valid_days)
            db_bind_int(st, 13, now + (int64_t)valid_days * 86400);
        else
            db_bind_null(st, 13);
        db_bind_int(st, 14, now);
        db_bind_int(st, 15, now);
        db_bind_int(st, 16, now);
        rc = db_step(st);
        if (rc == DB_ROW)
            *id = db_int(st, 0);
        db_done(st);
        rc = rc == DB_ROW ? 0 : DB_ERROR;
    } else if (rc == 0) {
        rc = DB_ERROR;
    }
    kb_write_free(&w);
    if (rc == 0 && model &&
        db_exec(c, "INSERT INTO kb_article_models (article_id, model_id) SELECT ?, id FROM models"
                   " WHERE code = ?", "it", *id, model) < 0)
        rc = DB_ERROR;
    return rc == 0 ? kb_snapshot(c, *id, "editor", now) : rc;
}

int kb_demo(db *d, const struct demo_opts *o)
{
    (void)o;
    db_conn *c = db_acquire(d);
    int64_t now = now_unix();
    int rc = db_begin(c);
    for (size_t i = 0; rc == 0 && i < sizeof articles / sizeof *articles; i++) {
        const struct demo_article *a = &articles[i];
        int64_t zh = 0, en = 0;
        rc = insert(c, "zh-CN", a->kind, a->audience, a->title, a->body, now, a->valid_days,
                    a->model, &zh);
        if (rc == 0)
            rc = insert(c, "en", a->kind, a->audience, a->title_en, a->body_en, now,
                        a->valid_days, a->model, &en);
        if (rc == 0 && (db_exec(c, "UPDATE kb_articles SET twin_id = ? WHERE id = ?", "ii", en, zh) < 0 ||
                        db_exec(c, "UPDATE kb_articles SET twin_id = ? WHERE id = ?", "ii", zh, en) < 0))
            rc = DB_ERROR;
    }
    if (rc == 0 && db_commit(c) == 0) {
        db_release(c);
        return 0;
    }
    fprintf(stderr, "demo kb: %s\n", db_errmsg(c));
    db_rollback(c);
    db_release(c);
    return -1;
}
