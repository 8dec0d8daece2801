/* arena: bump allocator freed in one go; every request owns one. */
#ifndef BASE_ARENA_H
#define BASE_ARENA_H
#include <stddef.h>

typedef struct arena arena;

arena *arena_new(void);
/* Free every block and the arena itself. NULL is fine. */
void arena_free(arena *a);
/* Zeroed memory aligned for any type; lives until arena_free. Never NULL. */
void *arena_alloc(arena *a, size_t n);
char *arena_strdup(arena *a, const char *s);
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_printf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
