/* form: application/x-www-form-urlencoded bodies (e.g. the CTI webhook's events). */
#ifndef BASE_FORM_H
#define BASE_FORM_H
#include <stddef.h>

/* Call fn(arg, key, value) for each key=value pair of s[0..n) in order, both
 * percent-decoded ('+' is a space; a '%' not followed by two hex digits stays as it is),
 * NUL-terminated (a decoded %00 ends the text there); a pair without '=' has the value
 * "" and empty pairs ("a=1&&b=2") are skipped. Stops at fn's first non-zero result and
 * returns it; 0 after every pair, -1 when out of memory. */
int form_each(const char *s, size_t n, int (*fn)(void *arg, const char *key, const char *value),
              void *arg);

#endif
