/* http: the request/response API handlers see; the only file that includes
 * libmicrohttpd is http.c. */
#ifndef BASE_HTTP_H
#define BASE_HTTP_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/db.h"
#include "base/netaddr.h"

/* Staff roles (bit flags; a route lists the roles it allows). */
enum {
    ROLE_ADMIN = 1u << 0,
    ROLE_SUPERVISOR = 1u << 1,
    ROLE_AGENT = 1u << 2,
    ROLE_OUTLET_MANAGER = 1u << 3,
    ROLE_TECHNICIAN = 1u << 4,
    ROLE_WAREHOUSE = 1u << 5,
    ROLE_EDITOR = 1u << 6,
    ROLE_MARKETER = 1u << 7,
    ROLE_OUTLET_STAFF = ROLE_OUTLET_MANAGER | ROLE_TECHNICIAN,
    ROLE_ANY = 0xffu,
};

/* Route flags. */
enum {
    ROUTE_PUBLIC = 1u << 0,     /* no login needed */
    ROUTE_NO_CSRF = 1u << 1,    /* a write that needs no CSRF token (login itself) */
    ROUTE_RAW_BODY = 1u << 2,   /* body is not JSON (CSV upload, mail) */
    ROUTE_LIMITED = 1u << 3,    /* rate-limited per client address (public forms, lookups) */
    ROUTE_SECRET_PATH = 1u << 4, /* the path holds a secret: logs show the route's pattern */
    ROUTE_PASSWORD_PENDING = 1u << 5, /* open while a first password awaits its change (/me,
                                         logout, the change itself); every other route
                                         answers 403 password_change_required then */
};

typedef struct req req;
/* A handler answers through one of the reply_* calls; returns 0, or -1 on an
 * internal error it did not answer (the caller answers 500). */
typedef int (*handler_fn)(req *r);

struct route {
    const char *method;
    const char *pattern; /* "/api/v1/customers/:code"; a :name segment captures */
    handler_fn fn;
    unsigned roles;      /* ROLE_* allowed; ignored for ROUTE_PUBLIC */
    unsigned flags;
};

/* Who is calling (filled by auth before the handler runs). */
struct who {
    int64_t user_id;     /* 0 for a bearer token */
    int64_t token_id;
    int64_t session_id;
    const char *login;   /* "token:<name>" for tokens */
    const char *name;
    unsigned role;       /* one ROLE_* bit */
    const char *role_name;
    int64_t outlet_id;   /* 0 when none */
    const char *outlet_code;
    const char *csrf;
    int must_change_password; /* a first password (new account, reset) not yet changed */
};

#define REQ_MAX_PARAMS 8

struct req {
    arena *a;
    db *db;
    const char *method;
    const char *path;
    const char *client_;  /* private: see req_client() */
    const struct route *route;
    int route_index;
    int nparams;
    const char *pname[REQ_MAX_PARAMS];
    const char *pval[REQ_MAX_PARAMS];
    const char *body;    /* NUL-terminated request body (may be empty) */
    size_t body_len;
    struct who who;
    int authed;
    /* private to http.c */
    void *conn;
    void *resp;
    int status;
    db_conn *dbc;
};

/* Path parameter by name, query parameter, request header; NULL when absent. */
const char *req_param(req *r, const char *name);
const char *req_query(req *r, const char *name);
const char *req_header(req *r, const char *name);
const char *req_cookie(req *r, const char *name);
/* The client's address as text (computed on first use): the peer, or when the peer
 * is a trusted proxy (--trusted-proxy) the right-most untrusted X-Forwarded-For entry. */
const char *req_client(req *r);
/* 1 when a trusted proxy says the original request was HTTPS (X-Forwarded-Proto). */
int req_https(req *r);
/* The request's database connection (acquired on first use, released after the reply). */
db_conn *req_db(req *r);
/* Parse the body as a JSON object. On failure answers 400 bad_json and returns -1. */
int req_json(req *r, json_t **out);

/* Answer with JSON (steals j). */
int reply_json(req *r, int status, json_t *j);
/* Answer {"error":{"code","message"[,"fields"]}} (steals fields, may be NULL). */
int reply_error(req *r, int status, const char *code, const char *message, json_t *fields);
int reply_empty(req *r, int status);
/* Answer a body of the given type; the body is copied. */
int reply_bytes(req *r, int status, const char *content_type, const void *data, size_t len);
/* Answer with a text/event-stream that stays open, subscribed to the sse channel `key`
 * (base/sse.h: sse_publish sends to it). */
int reply_sse(req *r, const char *key);
/* Add a header to the reply made by the next reply_* call or to the one already made. */
void reply_header(req *r, const char *name, const char *value);

/* Server configuration. */
struct server_config {
    const char *listen_host;
    int port;
    int threads;
    size_t body_limit;
    const char *web_dir;
    const char *vendor_dir;
    int access_log;
    int public_rate;     /* requests per minute per client on ROUTE_LIMITED routes */
    const struct cidr_list *trusted_proxies; /* NULL: X-Forwarded-* is never believed */
};

/* Run until SIGTERM/SIGINT. Prints "listening on http://HOST:PORT" on stdout once
 * bound. Returns 0 after a clean shutdown. */
int http_serve(const struct server_config *cfg, db *d);

/* In-process dispatch, for tests/fuzz/harness.c: one request through the same routing,
 * rate limit, authentication, role, CSRF and Content-Type checks and handler as a served
 * one, with no socket and no libmicrohttpd. url is the path (percent-encoded) with an
 * optional ?query; headers are "Name: value" lines separated by \n (a Cookie line gives
 * the cookies); the peer is 127.0.0.1. Uses http_serve's configuration if it ran, else
 * defaults (body limit 1 MiB, no rate limit to speak of, no static files). An event
 * stream answers 200 and closes. Fills *out; free it with http_local_reply_free. 0, or -1
 * when nothing answered. */
struct http_local_reply {
    int status;
    char *body;      /* NUL-terminated */
    size_t body_len;
    char *headers;   /* "Name: value\n" lines, Content-Type first when there is a body */
};
int http_dispatch_local(db *d, const char *method, const char *url, const char *headers,
                        const void *body, size_t body_len, struct http_local_reply *out);
void http_local_reply_free(struct http_local_reply *out);
/* The ROUTE_LIMITED rate (requests per minute per client) of http_dispatch_local; the
 * fuzz harness lifts it, since every input comes from the same client. */
void http_local_set_public_rate(int per_minute);

/* Role names <-> bits. 0 / NULL for unknown. */
unsigned role_from_name(const char *name);
const char *role_name(unsigned role);

/* Monotonic clock in seconds, and wall clock unix seconds. */
double now_mono(void);
int64_t now_unix(void);

#endif
