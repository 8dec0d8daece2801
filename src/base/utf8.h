/* utf8: is a byte string well-formed UTF-8 (what jansson and OpenCC insist on)? */
#ifndef BASE_UTF8_H
#define BASE_UTF8_H
#include <stddef.h>

/* 1 when s[0..n) is well-formed UTF-8 (no overlong forms, surrogates, or code points
 * past U+10FFFF; NUL bytes are allowed), else 0. */
int utf8_valid(const char *s, size_t n);

#endif
