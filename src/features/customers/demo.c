/* customers: demo data (customers_demo) from a deterministic fake-person generator. */
#include "base/db_bulk.h"
#include "features/customers/internal.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint64_t rng_state;

static uint32_t rnd(void)
{
    /* xorshift64*: deterministic for a seed, good enough for fake people */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 2685821657736338717ULL) >> 32);
}

static uint32_t rnd_n(uint32_t n)
{
    return rnd() % n;
}

static const struct {
    const char *hanzi, *pinyin;
    int weight;
} surnames[] = {
    {"王", "wang", 72},    {"李", "li", 72},    {"张", "zhang", 68},  {"刘", "liu", 55},
    {"陈", "chen", 46},    {"杨", "yang", 32},  {"黄", "huang", 24},  {"赵", "zhao", 23},
    {"吴", "wu", 21},      {"周", "zhou", 21},  {"徐", "xu", 16},     {"孙", "sun", 16},
    {"马", "ma", 15},      {"朱", "zhu", 14},   {"胡", "hu", 13},     {"郭", "guo", 12},
    {"何", "he", 12},      {"林", "lin", 11},   {"高", "gao", 11},    {"罗", "luo", 10},
    {"郑", "zheng", 10},   {"梁", "liang", 9},  {"谢", "xie", 8},     {"宋", "song", 7},
    {"唐", "tang", 7},     {"许", "xu", 7},     {"韩", "han", 7},     {"冯", "feng", 7},
    {"邓", "deng", 7},     {"曹", "cao", 6},    {"彭", "peng", 6},    {"曾", "zeng", 6},
    {"肖", "xiao", 6},     {"田", "tian", 5},   {"董", "dong", 5},    {"潘", "pan", 5},
    {"袁", "yuan", 5},     {"蔡", "cai", 5},    {"蒋", "jiang", 5},   {"余", "yu", 4},
    {"于", "yu", 4},       {"杜", "du", 4},     {"叶", "ye", 4},      {"程", "cheng", 4},
    {"魏", "wei", 4},      {"苏", "su", 4},     {"吕", "lv", 4},      {"丁", "ding", 4},
    {"任", "ren", 3},      {"卢", "lu", 3},     {"姚", "yao", 3},     {"沈", "shen", 3},
    {"钟", "zhong", 3},    {"姜", "jiang", 3},  {"崔", "cui", 3},     {"谭", "tan", 3},
    {"陆", "lu", 3},       {"范", "fan", 3},    {"汪", "wang", 3},    {"廖", "liao", 3},
    {"石", "shi", 3},      {"金", "jin", 3},    {"韦", "wei", 3},     {"贾", "jia", 3},
    {"夏", "xia", 2},      {"付", "fu", 2},     {"方", "fang", 2},    {"邹", "zou", 2},
    {"熊", "xiong", 2},    {"白", "bai", 2},    {"孟", "meng", 2},    {"秦", "qin", 2},
    {"邱", "qiu", 2},      {"侯", "hou", 2},    {"江", "jiang", 2},   {"尹", "yin", 2},
    {"欧阳", "ouyang", 1}, {"司马", "sima", 1}, {"诸葛", "zhuge", 1}, {"上官", "shangguan", 1},
};

static const char *const given[] = {
    "伟",   "芳", "娜", "敏", "静",   "丽", "强",   "磊",   "军",   "洋",   "勇",   "艳",   "杰",
    "娟",   "涛", "明", "超", "秀英", "霞", "平",   "刚",   "桂英", "华",   "玉兰", "萍",   "红",
    "建华", "文", "辉", "力", "鹏",   "宇", "浩",   "然",   "子涵", "欣怡", "梓轩", "雨桐", "晨",
    "思",   "博", "嘉", "俊", "雪",   "婷", "佳琪", "志国", "海燕", "飞",   "鑫",   "斌",   "波",
    "宁",   "丹", "亮", "琳", "倩",   "颖", "凯",   "健",   "帆",   "瑶",   "慧",   "晶",   "昊",
    "旭",   "彤", "悦", "诗", "涵",   "睿", "泽",   "一",   "可",   "心",   "安",   "宏",   "春",
    "秋",   "冬", "梅", "兰", "竹",   "菊", "淑",   "珍",   "云",
};

/* A few names written with a middle dot (Uyghur, Tibetan, foreign). */
static const char *const dotted[] = {"阿卜杜·热合曼", "买买提·艾力", "古丽·阿不都",
                                     "扎西·次仁",     "约翰·史密斯", "迪丽热巴·迪力木拉提"};

/* Traditional forms of a few characters, for near-duplicates typed in traditional. */
static const char *const trad_pairs[][2] = {
    {"张", "張"}, {"刘", "劉"}, {"陈", "陳"}, {"杨", "楊"}, {"黄", "黃"}, {"赵", "趙"},
    {"吴", "吳"}, {"孙", "孫"}, {"马", "馬"}, {"郑", "鄭"}, {"谢", "謝"}, {"伟", "偉"},
    {"丽", "麗"}, {"强", "強"}, {"军", "軍"}, {"艳", "艷"}, {"杰", "傑"}, {"娟", "娟"},
    {"涛", "濤"}, {"华", "華"}, {"兰", "蘭"}, {"红", "紅"}, {"辉", "輝"}, {"鹏", "鵬"},
};

static const struct {
    const char *code, *area, *place;
    int weight;
} regions[] = {
    {"110105", "010", "北京市朝阳区", 8},    {"110108", "010", "北京市海淀区", 7},
    {"310104", "021", "上海市徐汇区", 6},    {"310115", "021", "上海市浦东新区", 9},
    {"440106", "020", "广州市天河区", 6},    {"440305", "0755", "深圳市南山区", 6},
    {"440306", "0755", "深圳市宝安区", 5},   {"330106", "0571", "杭州市西湖区", 4},
    {"320106", "025", "南京市鼓楼区", 4},    {"510107", "028", "成都市武侯区", 5},
    {"420106", "027", "武汉市武昌区", 4},    {"610113", "029", "西安市雁塔区", 4},
    {"500103", "023", "重庆市渝中区", 4},    {"120101", "022", "天津市和平区", 3},
    {"370202", "0532", "青岛市市南区", 3},   {"350203", "0592", "厦门市思明区", 2},
    {"430104", "0731", "长沙市岳麓区", 3},   {"210102", "024", "沈阳市和平区", 3},
    {"230103", "0451", "哈尔滨市南岗区", 2}, {"530102", "0871", "昆明市五华区", 2},
    {"450103", "0771", "南宁市青秀区", 2},   {"650102", "0991", "乌鲁木齐市天山区", 1},
    {"460105", "0898", "海口市秀英区", 1},   {"340104", "0551", "合肥市蜀山区", 2},
    {"410105", "0371", "郑州市金水区", 3},   {"320583", "0512", "昆山市", 2},
    {"130102", "0311", "石家庄市长安区", 2}, {"140105", "0351", "太原市小店区", 1},
};

static const char *const streets[] = {"人民路", "解放路", "中山路", "建设路",   "和平路",
                                      "新华路", "长江路", "黄河路", "文化路",   "胜利路",
                                      "青年路", "东风路", "学府路", "科技园路", "滨江大道"};

static const char *const mobile_prefixes[] = {
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151",
    "152", "153", "155", "156", "157", "158", "159", "166", "173", "176", "177", "178",
    "180", "181", "182", "183", "185", "186", "187", "188", "189", "191", "198", "199"};

static const char *const mail_domains[] = {"qq.com",    "163.com",     "126.com", "sina.com",
                                           "gmail.com", "outlook.com", "139.com", "foxmail.com"};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static int pick_weighted_surname(void)
{
    static int total;
    if (!total)
        for (size_t i = 0; i < NELEM(surnames); i++)
            total += surnames[i].weight;
    int x = (int)rnd_n((uint32_t)total);
    for (size_t i = 0; i < NELEM(surnames); i++)
        if ((x -= surnames[i].weight) < 0)
            return (int)i;
    return 0;
}

static int pick_region(void)
{
    static int total;
    if (!total)
        for (size_t i = 0; i < NELEM(regions); i++)
            total += regions[i].weight;
    int x = (int)rnd_n((uint32_t)total);
    for (size_t i = 0; i < NELEM(regions); i++)
        if ((x -= regions[i].weight) < 0)
            return (int)i;
    return 0;
}

/* One fake person (raw strings, as typed) */
struct fake {
    char name[64], phone[64], email[96], region[8], address[200];
};

static void fake_mobile(char *out, size_t n)
{
    snprintf(out, n, "%s%08u", mobile_prefixes[rnd_n(NELEM(mobile_prefixes))], rnd_n(100000000));
}

static void fake_person(struct fake *p)
{
    int s = pick_weighted_surname();
    int r = pick_region();
    if (rnd_n(200) == 0) {
        snprintf(p->name, sizeof p->name, "%s", dotted[rnd_n(NELEM(dotted))]);
    } else {
        const char *g1 = given[rnd_n(NELEM(given))];
        if (rnd_n(10) < 4 || strlen(g1) > 3)
            snprintf(p->name, sizeof p->name, "%s%s", surnames[s].hanzi, g1);
        else
            snprintf(p->name, sizeof p->name, "%s%s%s", surnames[s].hanzi, g1,
                     given[rnd_n(NELEM(given))]);
    }
    snprintf(p->region, sizeof p->region, "%s", regions[r].code);
    uint32_t kind = rnd_n(100);
    char mob[16], land[20];
    fake_mobile(mob, sizeof mob);
    const char *area = regions[r].area;
    if (strlen(area) == 3)
        snprintf(land, sizeof land, "%s%u", area, 20000000 + rnd_n(79999999));
    else
        snprintf(land, sizeof land, "%s%u", area, 2000000 + rnd_n(7999999));
    if (kind < 70)
        snprintf(p->phone, sizeof p->phone, "%s", mob);
    else if (kind < 88)
        snprintf(p->phone, sizeof p->phone, "%s;%s", mob, land); /* a mobile and a landline */
    else if (kind < 95)
        snprintf(p->phone, sizeof p->phone, "%s", land);
    else
        p->phone[0] = '\0'; /* email only */
    if (kind >= 95 || rnd_n(100) < 35) {
        const char *dom = mail_domains[rnd_n(NELEM(mail_domains))];
        if (strcmp(dom, "qq.com") == 0)
            snprintf(p->email, sizeof p->email, "%u@qq.com", 10000000 + rnd_n(2000000000));
        else
            snprintf(p->email, sizeof p->email, "%s%u@%s", surnames[s].pinyin, rnd_n(100000), dom);
    } else {
        p->email[0] = '\0';
    }
    snprintf(p->address, sizeof p->address, "%s%s%u号%u栋%u室", regions[r].place,
             streets[rnd_n(NELEM(streets))], 1 + rnd_n(999), 1 + rnd_n(30), 101 + rnd_n(2800));
}

static void to_traditional(char *name, size_t cap)
{
    char out[64];
    size_t n = 0;
    const char *p = name;
    while (*p) {
        const char *piece = p;
        size_t adv = 1, len;
        while ((p[adv] & 0xC0) == 0x80)
            adv++;
        len = adv;
        for (size_t i = 0; i < NELEM(trad_pairs); i++) {
            size_t l = strlen(trad_pairs[i][0]);
            if (strncmp(p, trad_pairs[i][0], l) == 0) {
                piece = trad_pairs[i][1];
                adv = l;
                len = strlen(piece);
                break;
            }
        }
        if (n + len >= sizeof out)
            break;
        memcpy(out + n, piece, len);
        n += len;
        p += adv;
    }
    out[n] = '\0';
    snprintf(name, cap, "%s", out);
}

/* Re-type a mobile the way people say it: "+86 138-0013-8000". */
static void retype_phone(const char *digits, char *out, size_t n)
{
    if (strlen(digits) == 11 && digits[0] == '1')
        snprintf(out, n, "+86 %.3s-%.4s-%.4s", digits, digits + 3, digits + 7);
    else
        snprintf(out, n, "%s", digits);
}

int customers_demo(db *d, const struct demo_opts *o)
{
    long total = o->customers > 0 ? o->customers : 200;
    rng_state = 0x9E3779B97F4A7C15ULL ^ ((uint64_t)o->seed * 0x100000001B3ULL);
    if (!rng_state)
        rng_state = 1;
    db_conn *c = db_acquire(d);
    int rc = -1, began = 0;
    struct bulk b = {0};
    db_deferred *trig = NULL;
    struct fake prev[64];
    int nprev = 0, dups = 0;
    cust_bulk_cache(c, 1);
    if (db_begin(c) < 0)
        goto fail;
    began = 1;
    /* In load mode the segment facts of every customer are rebuilt at the end of the demo
     * (its last step): the trigger giving each new customer its row waits until then. */
    static const char *const trig_tables[] = {"customers", NULL};
    if (db_loading(c) && db_defer_triggers(c, trig_tables, &trig) < 0)
        goto fail;
    if (cust_bulk_begin(&b, c) < 0)
        goto fail;
    int small = total <= 20000;
    for (long i = 0; i < total; i++) {
        struct fake p;
        /* about 4% are near-duplicates of someone created shortly before */
        if (nprev > 8 && rnd_n(100) < 4) {
            p = prev[rnd_n((uint32_t)nprev)];
            char first[20];
            snprintf(first, sizeof first, "%.*s", (int)strcspn(p.phone, ";"), p.phone);
            switch (rnd_n(3)) {
            case 0: /* same phone re-typed, name in traditional: a strong duplicate */
                to_traditional(p.name, sizeof p.name);
                if (*first)
                    retype_phone(first, p.phone, sizeof p.phone);
                p.email[0] = '\0';
                if (!p.phone[0])
                    goto fresh;
                break;
            case 1: /* same email in capitals: strong */
                if (!p.email[0])
                    goto fresh;
                for (char *q = p.email; *q; q++)
                    *q = (char)toupper((unsigned char)*q);
                p.phone[0] = '\0';
                break;
            default: { /* same name, same region, another mobile: weak */
                fake_mobile(p.phone, sizeof p.phone);
                p.email[0] = '\0';
                break;
            }
            }
            dups++;
        } else {
        fresh:
            fake_person(&p);
            if (nprev < 64)
                prev[nprev++] = p;
            else
                prev[rnd_n(64)] = p;
        }
        struct cust_in *ci = cust_bulk_slot(&b);
        char code[16] = "", msg[200];
        const char *val[NCOLS] = {NULL, p.name, p.phone, p.email, p.region, p.address};
        if (cust_row(ci, val, code, msg, sizeof msg)) {
            fprintf(stderr, "demo customers: generated an invalid row (%s): %s\n", p.name, msg);
            goto fail;
        }
        int64_t id;
        char newcode[16];
        if (cust_bulk_add(&b, ci, NULL, small ? &id : NULL, newcode) < 0)
            goto fail;
        if (small && rnd_n(100) < 30) {
            /* some consent history for the demo set */
            for (int k = 0; cust_consent_channels[k]; k++) {
                if (rnd_n(100) < 50)
                    continue;
                if (db_exec(c,
                            "INSERT INTO customer_consents (customer_id, channel, granted, source,"
                            " updated_at, updated_by) VALUES (?, ?, ?, 'demo', ?, 'demo')",
                            "itii", id, cust_consent_channels[k], (int64_t)(rnd_n(100) < 70),
                            b.now) < 0)
                    goto fail;
            }
        }
    }
    json_t *detail = json_pack("{s:s, s:I, s:i}", "file", "demo", "rows", (json_int_t)b.rows,
                               "near_duplicates", dups);
    int e = cust_bulk_end(&b, "demo", detail);
    json_decref(detail);
    db_deferred *t = trig;
    trig = NULL;
    if (e < 0 || db_restore(c, t) < 0 || db_commit(c) < 0)
        goto fail;
    began = 0;
    fprintf(stderr, "demo: %ld customers (%d near-duplicates)\n", b.rows, dups);
    rc = 0;
    goto cleanup;
fail:
    fprintf(stderr, "demo customers: %s\n", db_errmsg(c));
cleanup:
    if (trig)
        db_restore(c, trig); /* leave the schema whole */
    if (began)
        db_rollback(c);
    cust_bulk_cache(c, 0);
    db_release(c);
    cust_bulk_free(&b);
    return rc;
}
