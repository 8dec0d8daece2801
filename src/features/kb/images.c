/* kb: images of articles, stored in the database (base64 text, the same on both
 * backends) and served with their type; only PNG, JPEG, GIF and WebP whose bytes say so. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "base/audit.h"
#include "base/jsonv.h"
#include "features/kb/internal.h"

enum { IMAGE_MAX = 2 * 1024 * 1024 };

/* 1 when the bytes begin as an image of this type does. */
static int magic_ok(const char *mime, const unsigned char *d, size_t n)
{
    if (strcmp(mime, "image/png") == 0)
        return n > 8 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0;
    if (strcmp(mime, "image/jpeg") == 0)
        return n > 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF;
    if (strcmp(mime, "image/gif") == 0)
        return n > 6 && (memcmp(d, "GIF87a", 6) == 0 || memcmp(d, "GIF89a", 6) == 0);
    return n > 12 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0;
}

struct image {
    const char *mime, *data, *actor;
    size_t size;
    char code[16];
};

static int image_tx(db_conn *c, void *arg)
{
    struct image *im = arg;
    if (code_next(c, "kb_image", "I", 6, im->code, sizeof im->code) < 0)
        return DB_ERROR;
    int64_t e = db_exec(c, "INSERT INTO kb_images (code, mime, size, data, created_by, created_at)"
                           " VALUES (?, ?, ?, ?, ?, ?)",
                        "ttitti", im->code, im->mime, (int64_t)im->size, im->data, im->actor,
                        now_unix());
    if (e < 0)
        return (int)e;
    json_t *d = json_pack("{s:s, s:I}", "mime", im->mime, "size", (json_int_t)im->size);
    int rc = audit_write(c, im->actor, "create", "kb_image", im->code, d);
    json_decref(d);
    return rc < 0 ? DB_ERROR : 0;
}

static int create_with(req *r, json_t *body)
{
    static const char *const allowed[] = {"mime", "data", NULL};
    static const char *const mimes[] = {"image/png", "image/jpeg", "image/gif", "image/webp", NULL};
    jsonv v;
    jsonv_init(&v, body);
    jsonv_only(&v, allowed);
    struct image im = {.actor = audit_actor(r)};
    im.mime = jsonv_enum(&v, "mime", 1, mimes);
    const char *b64 = jsonv_str(&v, "data", 1, IMAGE_MAX / 3 * 4 + 8);
    unsigned char *bin = NULL;
    if (jsonv_ok(&v)) {
        size_t cap = strlen(b64) / 4 * 3 + 3;
        bin = malloc(cap);
        if (!bin) {
            jsonv_free(&v);
            return -1;
        }
        if (sodium_base642bin(bin, cap, b64, strlen(b64), " \r\n", &im.size, NULL,
                              sodium_base64_VARIANT_ORIGINAL) != 0 || im.size == 0)
            jsonv_fail(&v, "data", "not base64");
        else if (!magic_ok(im.mime, bin, im.size))
            jsonv_fail(&v, "data", "not an image of this type");
    }
    if (!jsonv_ok(&v)) {
        free(bin);
        return reply_error(r, 422, "validation_failed", "the image is not valid", jsonv_take(&v));
    }
    jsonv_free(&v);
    size_t en = sodium_base64_encoded_len(im.size, sodium_base64_VARIANT_ORIGINAL);
    char *enc = malloc(en);
    if (!enc) {
        free(bin);
        return -1;
    }
    sodium_bin2base64(enc, en, bin, im.size, sodium_base64_VARIANT_ORIGINAL);
    free(bin);
    im.data = enc;
    int rc = in_tx(req_db(r), image_tx, &im);
    free(enc);
    if (rc != 0)
        return reply_db_failure(r, rc, "image");
    return reply_json(r, 201, json_pack("{s:s, s:s, s:I, s:s}", "code", im.code, "mime", im.mime,
                                        "size", (json_int_t)im.size, "url",
                                        arena_printf(r->a, "/api/v1/public/kb/images/%s", im.code)));
}

/* GET /api/v1/public/kb/images/:code (public: articles on the portal show them) */
int kb_images_get(req *r)
{
    db_stmt *st = db_prepare(req_db(r), "SELECT mime, size, data FROM kb_images WHERE code = ?");
    if (!st)
        return -1;
    db_bind_text(st, 1, req_param(r, "code"));
    int rc = db_step(st);
    if (rc != DB_ROW) {
        db_done(st);
        return rc < 0 ? reply_db_failure(r, rc, "image") : reply_not_found(r, "image");
    }
    const char *mime = arena_strdup(r->a, db_text(st, 0));
    size_t cap = (size_t)db_int(st, 1) + 4, n = 0;
    unsigned char *bin = arena_alloc(r->a, cap);
    const char *data = db_text(st, 2);
    int bad = sodium_base642bin(bin, cap, data, strlen(data), NULL, &n, NULL,
                                sodium_base64_VARIANT_ORIGINAL);
    db_done(st);
    if (bad)
        return -1;
    reply_header(r, "Cache-Control", "public, max-age=86400");
    reply_header(r, "X-Content-Type-Options", "nosniff");
    return reply_bytes(r, 200, mime, bin, n);
}

/* POST /api/v1/kb/images {"mime": "image/png", "data": BASE64} */
int kb_images_create(req *r) { return kb_with_body(r, create_with); }
