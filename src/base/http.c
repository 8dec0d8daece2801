/* http: libmicrohttpd glue. Collects the body, matches the route, authenticates,
 * checks roles and CSRF, runs the handler, serves static files, logs and counts. */
#include "base/http.h"
#include "base/audit.h"
#include "base/auth.h"
#include "base/buf.h"
#include "base/dynlib.h"
#include "base/form.h"
#include "base/log.h"
#include "base/metrics.h"
#include "base/ratelimit.h"
#include "base/router.h"
#include "base/sse.h"
#include "base/utf8.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* libmicrohttpd is opened on first use (base/dynlib.h says why); the calls below go through
 * this table, typed after its header. */
#define MHD_FUNCS(X) X(MHD_add_response_header) X(MHD_create_response_from_buffer) X(MHD_create_response_from_callback) X(MHD_create_response_from_fd) X(MHD_destroy_response) X(MHD_get_connection_info) X(MHD_get_daemon_info) X(MHD_lookup_connection_value) X(MHD_queue_response) X(MHD_quiesce_daemon) X(MHD_resume_connection) X(MHD_start_daemon) X(MHD_stop_daemon) X(MHD_suspend_connection)
DYNLIB_REQUIRED(mhd_api, MHD_FUNCS, "libmicrohttpd12", "libmicrohttpd.so.12")
#define MHD_add_response_header (*mhd_api()->MHD_add_response_header)
#define MHD_create_response_from_buffer (*mhd_api()->MHD_create_response_from_buffer)
#define MHD_create_response_from_callback (*mhd_api()->MHD_create_response_from_callback)
#define MHD_create_response_from_fd (*mhd_api()->MHD_create_response_from_fd)
#define MHD_destroy_response (*mhd_api()->MHD_destroy_response)
#define MHD_get_connection_info (*mhd_api()->MHD_get_connection_info)
#define MHD_get_daemon_info (*mhd_api()->MHD_get_daemon_info)
#define MHD_lookup_connection_value (*mhd_api()->MHD_lookup_connection_value)
#define MHD_queue_response (*mhd_api()->MHD_queue_response)
#define MHD_quiesce_daemon (*mhd_api()->MHD_quiesce_daemon)
#define MHD_resume_connection (*mhd_api()->MHD_resume_connection)
#define MHD_start_daemon (*mhd_api()->MHD_start_daemon)
#define MHD_stop_daemon (*mhd_api()->MHD_stop_daemon)
#define MHD_suspend_connection (*mhd_api()->MHD_suspend_connection)

struct pending_header {
    const char *name, *value;
    struct pending_header *next;
};

/* A request made by http_dispatch_local: what libmicrohttpd would have parsed, and the
 * answer caught instead of queued. */
struct local_pair {
    const char *k, *v;
    struct local_pair *next;
};
struct local {
    arena *a;
    struct local_pair *query, *headers, *cookies;
    struct http_local_reply *out;
    const char *ctype; /* of the answer */
};

/* Per-request state, hung on libmicrohttpd's req_cls. */
struct ctx {
    req r;
    buf body;
    double start;
    int too_large;
    int status;
    struct pending_header *headers;
    struct local *local; /* http_dispatch_local: no connection */
};

static const struct server_config *config;
static db *the_db;
static atomic_int in_flight;
static atomic_int shutting_down; /* after SIGTERM: answer, then close the connection */
static struct ratelimit *public_limit;

double now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int64_t now_unix(void) { return (int64_t)time(NULL); }

static const char *role_names[] = {"admin",      "supervisor", "agent",  "outlet_manager",
                                   "technician", "warehouse",  "editor", "marketer"};

unsigned role_from_name(const char *name)
{
    if (!name)
        return 0;
    for (unsigned i = 0; i < sizeof role_names / sizeof *role_names; i++)
        if (strcmp(role_names[i], name) == 0)
            return 1u << i;
    return 0;
}

const char *role_name(unsigned role)
{
    for (unsigned i = 0; i < sizeof role_names / sizeof *role_names; i++)
        if (role == 1u << i)
            return role_names[i];
    return NULL;
}

/* ---- request accessors ---- */

const char *req_param(req *r, const char *name)
{
    for (int i = 0; i < r->nparams; i++)
        if (strcmp(r->pname[i], name) == 0)
            return r->pval[i];
    return NULL;
}

static struct local *local_of(req *r);

static const char *local_lookup(const struct local_pair *p, const char *name, int caseless)
{
    for (; p; p = p->next)
        if (caseless ? strcasecmp(p->k, name) == 0 : strcmp(p->k, name) == 0)
            return p->v;
    return NULL;
}

const char *req_query(req *r, const char *name)
{
    if (local_of(r))
        return local_lookup(local_of(r)->query, name, 0);
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *req_header(req *r, const char *name)
{
    if (local_of(r))
        return local_lookup(local_of(r)->headers, name, 1);
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *req_cookie(req *r, const char *name)
{
    if (local_of(r))
        return local_lookup(local_of(r)->cookies, name, 0);
    return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

static const char *peer_addr(req *r, char *addr, size_t len)
{
    if (local_of(r)) {
        snprintf(addr, len, "127.0.0.1");
        return addr;
    }
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(addr, len, "unknown");
    if (ci && ci->client_addr) {
        if (ci->client_addr->sa_family == AF_INET)
            inet_ntop(AF_INET, &((struct sockaddr_in *)ci->client_addr)->sin_addr, addr,
                      (socklen_t)len);
        else if (ci->client_addr->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((struct sockaddr_in6 *)ci->client_addr)->sin6_addr, addr,
                      (socklen_t)len);
    }
    return addr;
}

const char *req_client(req *r)
{
    if (r->client_)
        return r->client_;
    char peer[INET6_ADDRSTRLEN], addr[INET6_ADDRSTRLEN];
    peer_addr(r, peer, sizeof peer);
    netaddr_client(config ? config->trusted_proxies : NULL, peer,
                   req_header(r, "X-Forwarded-For"), addr, sizeof addr);
    r->client_ = arena_strdup(r->a, addr);
    return r->client_;
}

int req_https(req *r)
{
    const char *proto = req_header(r, "X-Forwarded-Proto");
    if (!proto || !config || !config->trusted_proxies || strcasecmp(proto, "https") != 0)
        return 0;
    char peer[INET6_ADDRSTRLEN];
    return cidr_list_has(config->trusted_proxies, peer_addr(r, peer, sizeof peer));
}

db_conn *req_db(req *r)
{
    if (!r->dbc)
        r->dbc = db_acquire(r->db);
    return r->dbc;
}

int req_json(req *r, json_t **out)
{
    json_error_t err;
    json_t *j = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &err);
    if (!j) {
        char *msg = arena_printf(r->a, "malformed JSON at line %d column %d: %s", err.line,
                                 err.column, err.text);
        reply_error(r, 400, "bad_json", r->body_len ? msg : "a JSON body is required", NULL);
        return -1;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        reply_error(r, 400, "bad_json", "the body must be a JSON object", NULL);
        return -1;
    }
    *out = j;
    return 0;
}

/* ---- replies ---- */

static struct ctx *ctx_of(req *r) { return (struct ctx *)r; }

static struct local *local_of(req *r) { return ctx_of(r)->local; }

/* http_dispatch_local's answer: keep a copy of the body; r->resp only marks "answered". */
static int local_answer(req *r, int status, const char *content_type, const void *data,
                        size_t len)
{
    struct http_local_reply *out = local_of(r)->out;
    free(out->body);
    out->body = malloc(len + 1);
    if (!out->body)
        return -1;
    if (len)
        memcpy(out->body, data, len);
    out->body[len] = '\0';
    out->body_len = len;
    local_of(r)->ctype = content_type ? arena_strdup(r->a, content_type) : NULL;
    r->resp = local_of(r);
    r->status = status;
    return 0;
}

static void add_std_headers(struct MHD_Response *resp)
{
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
}

static int queue(req *r, int status, struct MHD_Response *resp)
{
    struct ctx *x = ctx_of(r);
    if (r->resp) /* a handler answered twice: keep the first answer */
        MHD_destroy_response(r->resp);
    add_std_headers(resp);
    if (atomic_load(&shutting_down))
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    for (struct pending_header *h = x->headers; h; h = h->next)
        MHD_add_response_header(resp, h->name, h->value);
    r->resp = resp;
    r->status = status;
    return 0;
}

void reply_header(req *r, const char *name, const char *value)
{
    if (r->resp && !local_of(r)) {
        MHD_add_response_header(r->resp, name, value);
        return;
    }
    struct ctx *x = ctx_of(r);
    struct pending_header *h = arena_alloc(r->a, sizeof *h);
    h->name = arena_strdup(r->a, name);
    h->value = arena_strdup(r->a, value);
    h->next = x->headers;
    x->headers = h;
}

int reply_bytes(req *r, int status, const char *content_type, const void *data, size_t len)
{
    if (local_of(r))
        return local_answer(r, status, content_type, data, len);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return -1;
    if (content_type)
        MHD_add_response_header(resp, "Content-Type", content_type);
    return queue(r, status, resp);
}

int reply_json(req *r, int status, json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (!s)
        return -1;
    if (local_of(r)) {
        int rc = local_answer(r, status, "application/json; charset=utf-8", s, strlen(s));
        free(s);
        return rc;
    }
    struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(s), s, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(s);
        return -1;
    }
    MHD_add_response_header(resp, "Content-Type", "application/json; charset=utf-8");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    return queue(r, status, resp);
}

/* s as JSON can hold it: bytes of invalid UTF-8 (echoed input, a parser's message
 * quoting it) become '?'. */
static const char *json_safe(req *r, const char *s)
{
    if (!s || utf8_valid(s, strlen(s)))
        return s;
    char *t = arena_strdup(r->a, s);
    for (char *p = t; *p; p++)
        if ((unsigned char)*p >= 0x80)
            *p = '?';
    return t;
}

int reply_error(req *r, int status, const char *code, const char *message, json_t *fields)
{
    code = json_safe(r, code);
    message = json_safe(r, message);
    json_t *e = json_pack("{s:s, s:s}", "code", code, "message", message ? message : code);
    if (fields)
        json_object_set_new(e, "fields", fields);
    return reply_json(r, status, json_pack("{s:o}", "error", e));
}

int reply_empty(req *r, int status)
{
    if (local_of(r))
        return local_answer(r, status, NULL, "", 0);
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return -1;
    return queue(r, status, resp);
}

/* ---- server-sent events ---- */

static ssize_t sse_reader(void *cls, uint64_t pos, char *out, size_t max)
{
    (void)pos;
    sse_stream *s = cls;
    int suspend = 0; /* sse_read suspends the connection itself, under its lock */
    long n = sse_read(s, out, max, &suspend);
    if (n < 0)
        return MHD_CONTENT_READER_END_OF_STREAM;
    return (ssize_t)n;
}

static void sse_freer(void *cls) { sse_free(cls); }

static void sse_wake(void *conn) { MHD_resume_connection(conn); }
static void sse_suspend(void *conn) { MHD_suspend_connection(conn); }

int reply_sse(req *r, const char *key)
{
    if (local_of(r)) /* no connection to keep open: an empty stream */
        return local_answer(r, 200, "text/event-stream; charset=utf-8", "", 0);
    sse_stream *s = sse_open(key, r->conn);
    if (!s)
        return -1;
    struct MHD_Response *resp =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 1024, sse_reader, s, sse_freer);
    if (!resp) {
        sse_free(s);
        return -1;
    }
    MHD_add_response_header(resp, "Content-Type", "text/event-stream; charset=utf-8");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Accel-Buffering", "no");
    return queue(r, 200, resp);
}

/* ---- static files ---- */

static const struct {
    const char *ext, *type;
} mime_types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
    {".map", "application/json"},
    {".txt", "text/plain; charset=utf-8"},
};

static const char *mime_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (dot)
        for (size_t i = 0; i < sizeof mime_types / sizeof *mime_types; i++)
            if (strcmp(dot, mime_types[i].ext) == 0)
                return mime_types[i].type;
    return "application/octet-stream";
}

/* npm packages the browser may load from node_modules under /vendor/. */
static const char *vendor_allowed[] = {"preact/", "htm/", "chart.js/", "@kurkle/color/"};

static int safe_path(const char *p)
{
    if (strstr(p, "..") || strchr(p, '\\') || strstr(p, "//"))
        return 0;
    for (const unsigned char *c = (const unsigned char *)p; *c; c++)
        if (*c < 32)
            return 0;
    return 1;
}

/* The Content-Security-Policy of a page: scripts only from here, plus the page's inline
 * import maps, allowed by their SHA-256 (browsers cannot load an import map from a file). */
static const char *page_csp(req *r, const char *html)
{
    buf csp = BUF_INIT;
    buf_adds(&csp, "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                   "frame-ancestors 'none'; script-src 'self'");
    static const char open_tag[] = "<script type=\"importmap\">";
    for (const char *p = strstr(html, open_tag); p; p = strstr(p, open_tag)) {
        p += sizeof open_tag - 1;
        const char *end = strstr(p, "</script>");
        if (!end)
            break;
        unsigned char digest[crypto_hash_sha256_BYTES];
        crypto_hash_sha256(digest, (const unsigned char *)p, (unsigned long long)(end - p));
        char b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES,
                                           sodium_base64_VARIANT_ORIGINAL)];
        sodium_bin2base64(b64, sizeof b64, digest, sizeof digest, sodium_base64_VARIANT_ORIGINAL);
        buf_addf(&csp, " 'sha256-%s'", b64);
        p = end;
    }
    const char *out = arena_strdup(r->a, csp.s);
    buf_release(&csp);
    return out;
}

/* Serve a file below web/ or an allowed vendor file. 1 when answered, 0 when not found. */
static int serve_static(req *r)
{
    const char *path = r->path;
    const char *root = config->web_dir;
    const char *rel = path + 1;
    int immutable = 0;
    if (!safe_path(path))
        return 0;
    if (strncmp(path, "/vendor/", 8) == 0) {
        rel = path + 8;
        int ok = 0;
        for (size_t i = 0; i < sizeof vendor_allowed / sizeof *vendor_allowed; i++)
            if (strncmp(rel, vendor_allowed[i], strlen(vendor_allowed[i])) == 0)
                ok = 1;
        if (!ok)
            return 0;
        root = config->vendor_dir;
        immutable = 1;
    } else if (strcmp(path, "/") == 0) {
        rel = "index.html";
    } else if (strcmp(path, "/portal") == 0 || strcmp(path, "/portal/") == 0 ||
               strcmp(path, "/kiosk") == 0 || strcmp(path, "/kiosk/") == 0) {
        rel = "portal/index.html"; /* the lobby kiosk is the portal in kiosk mode */
    }
    if (!root)
        return 0;
    char *file = arena_printf(r->a, "%s/%s", root, rel);
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    struct stat sb;
    if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return 0;
    }
    char *etag = arena_printf(r->a, "\"%llx-%llx\"", (unsigned long long)sb.st_mtime,
                              (unsigned long long)sb.st_size);
    const char *inm = req_header(r, "If-None-Match");
    reply_header(r, "ETag", etag);
    reply_header(r, "Cache-Control", immutable ? "public, max-age=86400" : "no-cache");
    if (inm && strcmp(inm, etag) == 0) {
        close(fd);
        reply_empty(r, 304);
        return 1;
    }
    struct MHD_Response *resp;
    if (strcmp(mime_of(file), "text/html; charset=utf-8") == 0 && sb.st_size < (1 << 20)) {
        /* Pages are small: read them to allow their inline import map by its hash. */
        char *html = arena_alloc(r->a, (size_t)sb.st_size + 1);
        ssize_t got = read(fd, html, (size_t)sb.st_size);
        close(fd);
        if (got != sb.st_size)
            return 0;
        resp = MHD_create_response_from_buffer((size_t)got, html, MHD_RESPMEM_MUST_COPY);
        if (!resp)
            return 0;
        MHD_add_response_header(resp, "Content-Security-Policy", page_csp(r, html));
    } else {
        resp = MHD_create_response_from_fd((size_t)sb.st_size, fd);
        if (!resp) {
            close(fd);
            return 0;
        }
    }
    MHD_add_response_header(resp, "Content-Type", mime_of(file));
    queue(r, 200, resp);
    return 1;
}

/* ---- dispatch ---- */

/* The path as logs show it: a route's pattern when its path holds a secret. */
static const char *logged_path(const req *r)
{
    return r->route && (r->route->flags & ROUTE_SECRET_PATH) ? r->route->pattern : r->path;
}

static int is_write(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
           strcmp(method, "OPTIONS") != 0;
}

static void dispatch(struct ctx *x)
{
    req *r = &x->r;
    if (config->access_log)
        req_client(r); /* while the headers are at hand: the access log names the client */
    if (x->too_large) {
        char *msg = arena_printf(r->a, "the request body is larger than %zu bytes",
                                 config->body_limit);
        reply_error(r, 413, "body_too_large", msg, NULL);
        return;
    }
    r->body = x->body.s;
    r->body_len = x->body.len;
    int m = router_match(r, r->method, r->path);
    if (m != ROUTER_FOUND) {
        r->route_index = METRICS_UNMATCHED;
        if ((strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0) &&
            strncmp(r->path, "/api/", 5) != 0 && serve_static(r)) {
            r->route_index = METRICS_STATIC;
            return;
        }
        if (m == ROUTER_NO_METHOD)
            reply_error(r, 405, "method_not_allowed", "this method is not allowed here", NULL);
        else
            reply_error(r, 404, "not_found", "no such resource", NULL);
        return;
    }
    const struct route *rt = r->route;
    if (rt->flags & ROUTE_LIMITED) {
        /* Shared by every server on PostgreSQL (rate_limits), in process on SQLite. */
        char *key = arena_printf(r->a, "public:%s", req_client(r));
        if (ratelimit_shared_add(public_limit, req_db(r), key, now_unix())) {
            reply_header(r, "Retry-After", "60");
            reply_error(r, 429, "rate_limited", "too many requests; try again in a minute", NULL);
            return;
        }
    }
    if (!(rt->flags & ROUTE_PUBLIC)) {
        int a = auth_identify(r);
        if (a == -2) {
            reply_error(r, 503, "unavailable", "the database is not available", NULL);
            return;
        }
        if (a < 0) {
            reply_error(r, 401, "unauthenticated", "log in first", NULL);
            return;
        }
        if (r->who.must_change_password && !(rt->flags & ROUTE_PASSWORD_PENDING)) {
            reply_error(r, 403, "password_change_required",
                        "change your first password first (POST /api/v1/me/password)", NULL);
            return;
        }
        if (!(rt->roles & r->who.role)) {
            reply_error(r, 403, "forbidden", "your role may not do this", NULL);
            return;
        }
        if (is_write(r->method) && !(rt->flags & ROUTE_NO_CSRF) && r->who.session_id) {
            const char *t = req_header(r, "X-CSRF-Token");
            if (!t || !r->who.csrf || strlen(t) != strlen(r->who.csrf) ||
                sodium_memcmp(t, r->who.csrf, strlen(t)) != 0) {
                reply_error(r, 403, "csrf", "missing or wrong X-CSRF-Token header", NULL);
                return;
            }
        }
    }
    if (r->body_len && !(rt->flags & ROUTE_RAW_BODY)) {
        const char *ct = req_header(r, "Content-Type");
        if (!ct || strncasecmp(ct, "application/json", 16) != 0) {
            reply_error(r, 415, "unsupported_media_type", "send the body as application/json",
                        NULL);
            return;
        }
    }
    audit_set_client(req_client(r));
    int answered = rt->fn(r);
    audit_set_client(NULL);
    if (answered < 0 || !r->resp) {
        if (r->dbc)
            log_error("%s %s: %s", r->method, logged_path(r), db_errmsg(r->dbc));
        reply_error(r, 500, "internal", "internal error; it has been logged", NULL);
    }
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **req_cls)
{
    struct ctx *x = *req_cls;
    if (!x) {
        /* First call: headers only. Queue the answer on a later call, or libmicrohttpd
         * closes the connection after it. */
        x = calloc(1, sizeof *x);
        if (!x)
            return MHD_NO;
        buf_init(&x->body);
        x->start = now_mono();
        x->r.a = arena_new();
        x->r.db = the_db;
        x->r.conn = conn;
        x->r.method = method;
        x->r.path = url;
        x->r.route_index = METRICS_UNMATCHED;
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        unsigned long long declared = cl ? strtoull(cl, NULL, 10) : 0;
        if (declared > config->body_limit)
            x->too_large = 1;
        atomic_fetch_add(&in_flight, 1);
        *req_cls = x;
        if (declared > 64ull * config->body_limit) {
            /* Far too large to read and discard: answer before the body and close the
             * connection (a client still sending may see the close first). Somewhat too
             * large bodies are drained instead, so the client reliably reads the 413. */
            dispatch(x);
            x->status = x->r.status;
            return MHD_queue_response(conn, (unsigned)x->r.status, x->r.resp);
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!x->too_large) {
            if (x->body.len + *upload_data_size > config->body_limit) {
                x->too_large = 1;
                buf_release(&x->body);
            } else {
                buf_add(&x->body, upload_data, *upload_data_size);
            }
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (x->r.resp) /* already answered (413 on the first call) */
        return MHD_YES;
    dispatch(x);
    if (x->r.dbc) {
        db_release(x->r.dbc);
        x->r.dbc = NULL;
    }
    x->status = x->r.status;
    enum MHD_Result rc = MHD_queue_response(conn, (unsigned)x->r.status, x->r.resp);
    return rc;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct ctx *x = *req_cls;
    if (!x)
        return;
    double secs = now_mono() - x->start;
    int status = x->status ? x->status : 0;
    if (config->access_log)
        log_access(x->r.method, logged_path(&x->r), status, secs * 1000.0, x->r.client_);
    metrics_observe(x->r.route_index, status, secs);
    if (x->r.dbc)
        db_release(x->r.dbc);
    if (x->r.resp)
        MHD_destroy_response(x->r.resp);
    buf_release(&x->body);
    arena_free(x->r.a);
    free(x);
    *req_cls = NULL;
    atomic_fetch_sub(&in_flight, 1);
}

/* ---- in-process dispatch (tests/fuzz/harness.c) ---- */

static struct server_config local_config = {.listen_host = "127.0.0.1",
                                            .threads = 1,
                                            .body_limit = 1 << 20,
                                            .public_rate = 1 << 30};

static int local_add(struct local_pair **list, arena *a, const char *k, const char *v)
{
    struct local_pair *p = arena_alloc(a, sizeof *p);
    p->k = arena_strdup(a, k);
    p->v = arena_strdup(a, v);
    p->next = *list;
    *list = p;
    return 0;
}

static int local_query_pair(void *arg, const char *k, const char *v)
{
    struct local *l = arg;
    return local_add(&l->query, l->a, k, v);
}

/* "Name: value" lines into headers; the Cookie header's "a=b; c=d" into cookies. */
static void local_headers(struct local *l, const char *text)
{
    while (text && *text) {
        const char *eol = strchr(text, '\n');
        size_t n = eol ? (size_t)(eol - text) : strlen(text);
        char *line = arena_alloc(l->a, n + 1);
        memcpy(line, text, n);
        line[n] = '\0';
        if (n && line[n - 1] == '\r')
            line[n - 1] = '\0';
        text = eol ? eol + 1 : text + n;
        char *colon = strchr(line, ':');
        if (!colon || colon == line)
            continue;
        *colon = '\0';
        char *v = colon + 1;
        while (*v == ' ' || *v == '\t')
            v++;
        local_add(&l->headers, l->a, line, v);
        if (strcasecmp(line, "Cookie") != 0)
            continue;
        for (char *save = NULL, *c = strtok_r(v, ";", &save); c; c = strtok_r(NULL, ";", &save)) {
            while (*c == ' ')
                c++;
            char *eq = strchr(c, '=');
            if (eq && eq != c) {
                *eq = '\0';
                local_add(&l->cookies, l->a, c, eq + 1);
            }
        }
    }
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* The path as libmicrohttpd gives it to a handler: percent-decoded. */
static char *local_path(arena *a, const char *url, size_t n)
{
    char *out = arena_alloc(a, n + 1), *o = out;
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (url[i] == '%' && i + 2 < n && (hi = hexval(url[i + 1])) >= 0 &&
            (lo = hexval(url[i + 2])) >= 0) {
            *o++ = (char)(hi * 16 + lo);
            i += 2;
        } else {
            *o++ = url[i];
        }
    }
    *o = '\0';
    return out;
}

int http_dispatch_local(db *d, const char *method, const char *url, const char *headers,
                        const void *body, size_t body_len, struct http_local_reply *out)
{
    memset(out, 0, sizeof *out);
    if (!config)
        config = &local_config;
    the_db = d;
    if (!public_limit)
        public_limit = ratelimit_new(config->public_rate > 0 ? config->public_rate : 120, 60);
    struct ctx x = {0};
    struct local l = {0};
    l.a = arena_new();
    l.out = out;
    x.local = &l;
    x.r.a = l.a;
    x.r.db = d;
    x.r.method = method;
    x.r.route_index = METRICS_UNMATCHED;
    const char *q = strchr(url, '?');
    size_t plen = q ? (size_t)(q - url) : strlen(url);
    x.r.path = local_path(l.a, url, plen);
    if (q && form_each(q + 1, strlen(q + 1), local_query_pair, &l) < 0) {
        arena_free(l.a);
        return -1;
    }
    local_headers(&l, headers);
    buf_init(&x.body);
    if (body_len > config->body_limit)
        x.too_large = 1;
    else if (body_len)
        buf_add(&x.body, body, body_len);
    dispatch(&x);
    if (x.r.dbc)
        db_release(x.r.dbc);
    buf_release(&x.body);
    out->status = x.r.status;
    buf hb = BUF_INIT;
    if (l.ctype)
        buf_addf(&hb, "Content-Type: %s\n", l.ctype);
    for (struct pending_header *h = x.headers; h; h = h->next)
        buf_addf(&hb, "%s: %s\n", h->name, h->value);
    out->headers = buf_detach(&hb);
    arena_free(l.a);
    return out->status ? 0 : -1;
}

void http_local_set_public_rate(int per_minute)
{
    local_config.public_rate = per_minute;
    if (public_limit && config == &local_config)
        ratelimit_set_limit(public_limit, per_minute);
}

void http_local_reply_free(struct http_local_reply *out)
{
    free(out->body);
    free(out->headers);
    memset(out, 0, sizeof *out);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && msg[n - 1] == '\n')
        msg[--n] = '\0';
    log_error("libmicrohttpd: %s", msg);
}

int http_serve(const struct server_config *cfg, db *d)
{
    config = cfg;
    the_db = d;
    public_limit = ratelimit_new(cfg->public_rate > 0 ? cfg->public_rate : 120, 60);

    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)cfg->port);
    if (inet_pton(AF_INET, cfg->listen_host, &sa.sin_addr) != 1) {
        log_error("cannot listen on '%s': an IPv4 address is needed", cfg->listen_host);
        return -1;
    }

    /* Signals are taken by sigwait below; every thread started from here inherits the mask. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TURBO |
                     MHD_USE_ITC | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
    sse_set_waker(sse_wake, sse_suspend);
    struct MHD_Daemon *daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, NULL, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)10000, MHD_OPTION_END);
    if (!daemon) {
        log_error("cannot listen on %s:%d: %s", cfg->listen_host, cfg->port, strerror(errno));
        ratelimit_free(public_limit);
        return -1;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    int port = di ? di->port : cfg->port;
    printf("listening on http://%s:%d\n", cfg->listen_host, port);
    fflush(stdout);
    log_info("listening on http://%s:%d with %d threads", cfg->listen_host, port, cfg->threads);

    /* Wait for a signal; meanwhile keep event streams alive through proxies. */
    int sig = 0;
    struct timespec ping = {15, 0};
    while ((sig = sigtimedwait(&set, NULL, &ping)) <= 0)
        sse_ping_all();
    log_info("%s: no new connections; finishing %d requests in flight",
             sig == SIGTERM ? "SIGTERM" : "SIGINT", atomic_load(&in_flight));
    atomic_store(&shutting_down, 1);
    sse_close_all();
    MHD_socket lfd = MHD_quiesce_daemon(daemon);
    if (lfd != MHD_INVALID_SOCKET)
        close(lfd);
    /* Let in-flight requests finish (at most 30 s; a second signal stops at once). Idle
     * keep-alive connections don't count, and busy ones close after their next answer. */
    struct timespec tick = {0, 10 * 1000 * 1000};
    for (int i = 0; i < 3000 && atomic_load(&in_flight) > 0; i++) {
        if (sigtimedwait(&set, NULL, &tick) > 0) {
            log_info("second signal: stopping now with %d requests in flight",
                     atomic_load(&in_flight));
            break;
        }
    }
    MHD_stop_daemon(daemon);
    ratelimit_free(public_limit);
    log_info("stopped");
    return 0;
}
