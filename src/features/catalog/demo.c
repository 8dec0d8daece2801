/* catalog: the demo product lines and models of `aftersales demo`. */
#include "features/catalog/catalog.h"

/* ---------------------------------------------------------------- demo */

int catalog_demo(db *d, const struct demo_opts *o)
{
    static const struct {
        const char *code, *name, *en;
    } lines[] = {
        {"AV", "家庭音视频", "Home audio/video"},
        {"PC", "笔记本电脑", "Laptops"},
        {"TV", "电视/投影/家庭影院", "TV, projection and home theater"},
        {"VC", "视频会议", "Video conferencing"},
        {"GAME", "游戏机", "Game consoles"},
    };
    static const struct {
        const char *code, *name, *line;
        int months;
        const char *launched;
    } models[] = {
        {"HT-A9", "HT-A9 家庭影院系统", "AV", 12, "2021-09-01"},
        {"HT-S2000", "HT-S2000 回音壁", "AV", 12, "2023-05-10"},
        {"WH-1000XM5", "WH-1000XM5 降噪耳机", "AV", 12, "2022-05-20"},
        {"WF-1000XM5", "WF-1000XM5 真无线耳机", "AV", 12, "2023-08-01"},
        {"SRS-XB43", "SRS-XB43 蓝牙音箱", "AV", 12, "2020-06-01"},
        {"NW-A306", "NW-A306 随身听", "AV", 12, "2022-10-01"},
        {"STR-AN1000", "STR-AN1000 AV功放", "AV", 24, "2023-03-01"},
        {"BDP-S6700", "BDP-S6700 蓝光播放机", "AV", 12, "2019-04-01"},
        {"SC-HTB600", "SC-HTB600 回音壁", "AV", 12, "2021-04-01"},
        {"VPCEB", "VAIO EB 笔记本电脑", "PC", 12, "2019-01-01"},
        {"VJS144", "VAIO S14 笔记本电脑", "PC", 24, "2022-11-01"},
        {"VJF164", "VAIO F16 笔记本电脑", "PC", 24, "2023-09-01"},
        {"CF-SV1", "Let's note SV1 笔记本电脑", "PC", 36, "2021-06-01"},
        {"CF-FV3", "Let's note FV3 笔记本电脑", "PC", 36, "2023-06-01"},
        {"FZ-55", "TOUGHBOOK 55 三防笔记本", "PC", 36, "2020-03-01"},
        {"CF-QR4", "Let's note QR4 笔记本电脑", "PC", 36, "2024-03-01"},
        {"XR-65A95L", "XR-65A95L OLED 电视", "TV", 24, "2023-06-01"},
        {"XR-75X90L", "XR-75X90L 液晶电视", "TV", 24, "2023-05-01"},
        {"KD-55X85K", "KD-55X85K 液晶电视", "TV", 12, "2022-04-01"},
        {"KD-65X80L", "KD-65X80L 液晶电视", "TV", 12, "2023-04-01"},
        {"K-85XR90", "K-85XR90 Mini LED 电视", "TV", 24, "2024-06-01"},
        {"TH-65LZ2000C", "TH-65LZ2000C OLED 电视", "TV", 24, "2023-07-01"},
        {"TH-55JX700C", "TH-55JX700C 液晶电视", "TV", 12, "2021-05-01"},
        {"VPL-XW5000", "VPL-XW5000 4K 投影机", "TV", 24, "2022-12-01"},
        {"VPL-VW290", "VPL-VW290 投影机", "TV", 24, "2021-03-01"},
        {"PT-VMZ51", "PT-VMZ51 激光投影机", "TV", 36, "2022-02-01"},
        {"SA-HTB700", "SA-HTB700 家庭影院", "TV", 12, "2020-09-01"},
        {"HT-A7000", "HT-A7000 家庭影院", "TV", 12, "2021-08-01"},
        {"SRG-X400", "SRG-X400 会议摄像机", "VC", 24, "2020-08-01"},
        {"SRG-A40", "SRG-A40 AI 跟踪摄像机", "VC", 24, "2023-10-01"},
        {"KX-VC2000", "KX-VC2000 高清视频会议终端", "VC", 24, "2019-06-01"},
        {"KX-VC1600", "KX-VC1600 视频会议终端", "VC", 24, "2018-05-01"},
        {"AW-UE80", "AW-UE80 4K 一体化摄像机", "VC", 24, "2021-11-01"},
        {"FW-65BZ40L", "FW-65BZ40L 会议显示屏", "VC", 36, "2023-02-01"},
        {"CFI-2000", "PlayStation 5 (CFI-2000)", "GAME", 12, "2023-11-10"},
        {"CFI-1200", "PlayStation 5 (CFI-1200)", "GAME", 12, "2022-09-01"},
        {"CFI-7000", "PlayStation 5 Pro (CFI-7000)", "GAME", 12, "2024-11-07"},
        {"CUH-2200", "PlayStation 4 (CUH-2200)", "GAME", 12, "2018-09-01"},
        {"CFI-ZVR1", "PlayStation VR2", "GAME", 12, "2023-02-22"},
        {"CFI-ZCT1", "DualSense 无线控制器", "GAME", 6, "2020-11-12"},
        {"PCH-2000", "PS Vita (PCH-2000)", "GAME", 12, "2015-03-01"},
    };
    (void)o;
    db_conn *c = db_acquire(d);
    int rc = -1;
    int64_t now = now_unix();
    if (db_begin(c) < 0)
        goto cleanup;
    for (size_t i = 0; i < sizeof lines / sizeof *lines; i++)
        if (db_exec(c,
                    "INSERT INTO product_lines (code, name, name_en, created_at) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (code) DO NOTHING",
                    "ttti", lines[i].code, lines[i].name, lines[i].en, now) < 0)
            goto fail;
    for (size_t i = 0; i < sizeof models / sizeof *models; i++)
        if (db_exec(c,
                    "INSERT INTO models (code, name, product_line_id, warranty_months, launched_on,"
                    " created_at, updated_at) SELECT ?, ?, id, ?, ?, ?, ? FROM product_lines"
                    " WHERE code = ? ON CONFLICT (code) DO NOTHING",
                    "ttitiit", models[i].code, models[i].name, (int64_t)models[i].months,
                    models[i].launched, now, now, models[i].line) < 0)
            goto fail;
    if (db_commit(c) < 0)
        goto fail;
    rc = 0;
    goto cleanup;
fail:
    fprintf(stderr, "demo catalog: %s\n", db_errmsg(c));
    db_rollback(c);
cleanup:
    db_release(c);
    return rc;
}
