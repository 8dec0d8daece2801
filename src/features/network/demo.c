/* demo: the network's demo data (outlets, technicians) for `aftersales demo`. */
#include "features/network/internal.h"

#include "base/arena.h"

#include <stdlib.h>
#include <string.h>

struct demo_county {
    char code[7], group[7];
    char *name;
};

static unsigned demo_rand(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return (*s >> 16) & 0x7fff;
}

static int demo_outlet(db_conn *c, arena *a, int seq, const char *type, const char *grade,
                       const char *county, const char *name, const char **covers, size_t ncovers,
                       const char *lines, int capacity)
{
    struct outlet_in o;
    net_outlet_defaults(&o);
    o.code = arena_printf(a, "O%04d", seq);
    o.name = name;
    o.type = type;
    o.grade = grade;
    o.region = county;
    o.phone = arena_printf(a, "0%.2s-8%07d", county + 1, seq * 7919 % 10000000);
    o.capacity = capacity;
    o.covers = covers;
    o.ncovers = ncovers;
    o.lines = net_split_list(a, lines, &o.nlines);
    if (strcmp(type, "agent") == 0) {
        o.contract_start = "2025-01-01";
        o.contract_end = "2027-12-31";
    }
    return net_outlet_store(c, 0, &o) < 0 ? -1 : 0;
}

/* The demo staff's two outlets (created with the staff): their covers, lines and hours.
 * 0, or -1 on a database error. */
static int demo_own_outlets(db_conn *c, arena *a)
{
    /* the two outlets of the demo staff: cover their cities, all product lines */
    static const struct {
        const char *code, *covers, *lines;
    } own[] = {{"O0001", "310000", "AV TV PC VC GAME"}, {"O0002", "110100", "AV TV PC GAME"}};
    for (size_t i = 0; i < 2; i++) {
        int64_t oid = 0;
        db_stmt *st = db_prepare(c, "SELECT id FROM outlets WHERE code = ?");
        if (!st)
            return -1;
        db_bind_text(st, 1, own[i].code);
        if (db_step(st) == DB_ROW)
            oid = db_int(st, 0);
        db_done(st);
        if (!oid)
            continue;
        struct outlet_in o;
        if (net_outlet_load(c, a, oid, &o) < 0)
            return -1;
        o.covers = net_split_list(a, own[i].covers, &o.ncovers);
        o.lines = net_split_list(a, own[i].lines, &o.nlines);
        /* created with the staff, before the network: the same 365-day hours as the rest,
         * or their technicians could never be booked on site */
        for (int wd = 1; wd <= 7; wd++)
            o.hours[wd - 1] = (struct hours_row){wd, "08:30", "20:30"};
        o.nhours = 7;
        o.hours_given = 1;
        if (net_outlet_store(c, oid, &o) < 0)
            return -1;
    }
    return 0;
}

/* Designated stations over the counties cs[0..n) (sorted by code), numbered from *seq.
 * 0, or -1 on a database error. */
static int demo_designated(db_conn *c, arena *a, const struct demo_county *cs, size_t n,
                           int *seq, unsigned *seed)
{
    /* designated stations: by city group; about one group in twelve has none, and some
     * cover only the counties they sit in */
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && strcmp(cs[j].group, cs[i].group) == 0)
            j++;
        unsigned roll = demo_rand(seed) % 100;
        if (roll >= 8) {
            int k = demo_rand(seed) % 10 < 3 && j - i > 1 ? 2 : 1;
            int partial = roll < 20;
            for (int m = 0; m < k; m++) {
                size_t at = i + (size_t)m * (j - i) / (size_t)k;
                const char **cov;
                size_t ncov = 0;
                if (partial) {
                    size_t from = at, to = i + (size_t)(m + 1) * (j - i) / (size_t)k;
                    cov = arena_alloc(a, (to - from + 1) * sizeof *cov);
                    for (size_t q = from; q < to; q++)
                        if (q == from || demo_rand(seed) % 3)
                            cov[ncov++] = cs[q].code;
                } else {
                    cov = arena_alloc(a, 2 * sizeof *cov);
                    cov[ncov++] = cs[i].group;
                }
                const char *name = arena_printf(a, "%s特约维修站%s", cs[at].name, m ? "二部" : "");
                if (demo_outlet(c, a, (*seq)++, "designated",
                                (const char *[]){"B", "C", "C", "D"}[demo_rand(seed) % 4],
                                cs[at].code, name, cov, ncov,
                                demo_rand(seed) % 2 ? "AV TV PC" : "AV TV",
                                15 + (int)(demo_rand(seed) % 30)) < 0)
                    return -1;
            }
        }
        i = j;
    }
    return 0;
}

/* Technicians, with skills and records, at the demo staff's outlets. 0, or -1 on a
 * database error. */
static int demo_technicians(db_conn *c, arena *a)
{
    /* technicians at the demo staff's outlets */
    static const struct {
        const char *outlet, *name, *skills;
    } techs[] = {{"O0001", "张伟", "TV AV"}, {"O0001", "王芳", "PC GAME"},
                 {"O0001", "李强", "VC TV"},  {"O0002", "刘洋", "TV PC"},
                 {"O0002", "陈静", "AV GAME"}};
    for (size_t m = 0; m < sizeof techs / sizeof *techs; m++) {
        char code[24];
        if (net_next_code(c, "technician", "T", code, sizeof code) < 0)
            return -1;
        int64_t now = now_unix();
        if (db_exec(c,
                    "INSERT INTO technicians (code, outlet_id, name, active, created_at,"
                    " updated_at) SELECT ?, id, ?, 1, ?, ? FROM outlets WHERE code = ?",
                    "ttiit", code, techs[m].name, now, now, techs[m].outlet) < 0)
            return -1;
        size_t nl;
        const char **l = net_split_list(a, techs[m].skills, &nl);
        for (size_t q = 0; q < nl; q++)
            if (db_exec(c,
                        "INSERT INTO technician_skills (technician_id, line_code, level)"
                        " SELECT id, ?, ? FROM technicians WHERE code = ?",
                        "tit", l[q], (int64_t)(q == 0 ? 3 : 2), code) < 0)
                return -1;
        if (db_exec(c,
                    "INSERT INTO technician_records (technician_id, kind, name, issued_on,"
                    " expires_on) SELECT id, 'certification', ?, '2025-03-01', '2027-02-28'"
                    " FROM technicians WHERE code = ?",
                    "tt", arena_printf(a, "%s 维修认证", l[0]), code) < 0 ||
            db_exec(c,
                    "INSERT INTO technician_records (technician_id, kind, name, issued_on,"
                    " expires_on) SELECT id, 'training', '安全操作培训', '2024-06-10',"
                    " '2025-06-09' FROM technicians WHERE code = ?",
                    "t", code) < 0)
            return -1;
    }
    return 0;
}

int network_demo(db *d, const struct demo_opts *opt)
{
    db_conn *c = db_acquire(d);
    arena *a = arena_new();
    struct demo_county *cs = NULL;
    size_t n = 0, cap = 0;
    int rc = -1, s;
    unsigned seed = opt->seed ? opt->seed : 42;
    if (network_regions_ensure(c, NULL) < 0)
        goto cleanup;
    db_stmt *st = db_prepare(c, "SELECT code, city_code, name FROM regions WHERE level = 3"
                                " ORDER BY code");
    if (!st)
        goto dberr;
    while ((s = db_step(st)) == DB_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 4096;
            cs = realloc(cs, cap * sizeof *cs);
        }
        snprintf(cs[n].code, 7, "%s", db_text(st, 0));
        snprintf(cs[n].group, 7, "%s", db_text(st, 1));
        cs[n].name = arena_strdup(a, db_text(st, 2));
        n++;
    }
    db_done(st);
    if (s < 0)
        goto dberr;
    if (db_begin(c) < 0)
        goto dberr;
    if (demo_own_outlets(c, a) < 0)
        goto dbfail;
    int seq = 3;
    /* technical service centers: Beijing, Guangzhou, Chengdu (Shanghai is O0001) */
    static const struct {
        const char *county, *city, *name;
    } centers[] = {{"110108", "110100", "北京海淀技术服务中心"},
                   {"440106", "440100", "广州天河技术服务中心"},
                   {"510107", "510100", "成都武侯技术服务中心"}};
    for (size_t i = 0; i < 3; i++) {
        const char *cov[] = {centers[i].city};
        if (demo_outlet(c, a, seq++, "service_center", "A", centers[i].county, centers[i].name,
                        cov, 1, "AV TV PC VC GAME", 150) < 0)
            goto dbfail;
    }
    /* authorised stations: the first county of each province's first real city */
    char last_prov[3] = "";
    for (size_t i = 0; i < n; i++) {
        if (strncmp(cs[i].code, last_prov, 2) == 0 || strcmp(cs[i].group + 4, "00") != 0)
            continue;
        memcpy(last_prov, cs[i].code, 2);
        const char *cov[] = {cs[i].group};
        const char *name = arena_printf(a, "%s授权维修站", cs[i].name);
        if (demo_outlet(c, a, seq++, "authorised", demo_rand(&seed) % 3 ? "A" : "B", cs[i].code,
                        name, cov, 1, "AV TV PC GAME", 60 + (int)(demo_rand(&seed) % 40)) < 0)
            goto dbfail;
    }
    if (demo_designated(c, a, cs, n, &seq, &seed) < 0)
        goto dbfail;
    /* certified shops and contracted agents in big cities */
    static const char *const shops[] = {"310101", "110101", "440104", "330106", "320102",
                                        "420106", "610113", "500103", "120101", "210102"};
    for (size_t m = 0; m < sizeof shops / sizeof *shops; m++) {
        const char *cov[] = {shops[m]};
        if (demo_outlet(c, a, seq++, "certified", "C", shops[m],
                        arena_printf(a, "认证专修店 %s", shops[m]), cov, 1, "PC GAME", 20) < 0)
            goto dbfail;
    }
    static const char *const agents[] = {"540102", "630102", "640104", "650102", "150102",
                                         "460105"};
    for (size_t m = 0; m < sizeof agents / sizeof *agents; m++) {
        const char *cov[] = {agents[m]};
        if (demo_outlet(c, a, seq++, "agent", "D", agents[m],
                        arena_printf(a, "签约服务代理 %s", agents[m]), cov, 1, "TV AV", 10) < 0)
            goto dbfail;
    }
    if (demo_technicians(c, a) < 0)
        goto dbfail;
    if (db_commit(c) < 0)
        goto dbfail;
    fprintf(stderr, "demo: %d outlets\n", seq - 1);
    rc = 0;
    goto cleanup;
dbfail:
    db_rollback(c);
dberr:
    fprintf(stderr, "demo network: %s\n", db_errmsg(c));
cleanup:
    free(cs);
    arena_free(a);
    db_release(c);
    return rc;
}
