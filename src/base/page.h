/* page: keyset paging of list answers: the `limit` with its bounds, an opaque `cursor`
 * that carries the sort keys of the last row shown, and the `next_cursor` to hand out.
 *
 * A handler reads the page with page_read, asks the database for limit + 1 rows after
 * the cursor's keys (ORDER BY the same keys), shows `limit` of them and, when the extra
 * row came, answers page_cursor() of the last row shown as next_cursor. */
#ifndef BASE_PAGE_H
#define BASE_PAGE_H
#include <jansson.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/http.h"

#define PAGE_MAX_KEYS 4

struct page {
    long limit;                     /* 1..max */
    int nkeys;                      /* keys carried by the cursor; 0 on the first page */
    const char *key[PAGE_MAX_KEYS]; /* arena strings */
};

/* Read ?limit= (default def, 1..max) and ?cursor= (a cursor of nkeys keys made by
 * page_cursor) of r. On a bad value answers 422 validation_failed with the field and
 * returns -1; 0 otherwise. */
int page_read(req *r, long def, long max, int nkeys, struct page *p);
/* Parse a limit text: def when s is NULL or "", else an integer 1..max. 0 or -1. */
int page_limit(const char *s, long def, long max, long *out);
/* Decode a cursor of exactly nkeys keys into p->key (arena strings). 0 or -1. */
int page_decode(arena *a, const char *cursor, int nkeys, struct page *p);
/* Key i of the cursor as an integer (0 when absent or not a number). */
int64_t page_key_int(const struct page *p, int i);
/* Key i as a positive integer id into *out: 0, or -1 when it is absent, empty, not a
 * number or not positive. */
int page_key_pos(const struct page *p, int i, int64_t *out);
/* The id after which a page ordered by id starts: 0 on the first page, else key 0 of
 * the cursor; a key that is not a positive id means the cursor was not handed out by
 * this list: answers 422 validation_failed and returns -1. */
int64_t page_after_id(req *r, const struct page *p);
/* The opaque cursor (URL-safe text in the arena) for the row with these sort keys. */
const char *page_cursor(arena *a, int nkeys, const char *const *keys);
/* The same for one integer key (the usual `id`). */
const char *page_cursor_int(arena *a, int64_t id);
/* {"items": items, "next_cursor": next or null} (steals items). */
json_t *page_answer(json_t *items, const char *next);

#endif
