/* t2s: the one OpenCC traditional -> simplified converter of each thread, for every
 * caller (identity name keys, information-base search text, network name keys). OpenCC
 * reads past the end of invalid UTF-8: check it first (base/utf8.h). */
#ifndef RULES_T2S_H
#define RULES_T2S_H
#include <opencc.h>
#include <stddef.h>

/* This thread's converter, opened on first use and closed when the thread exits;
 * (opencc_t)-1 when t2s.json cannot be opened. Give it valid UTF-8 only. */
opencc_t rules_t2s(void);
/* Close this thread's converter now (reopened on next use): for tests, and for the main
 * thread, whose thread-exit destructor does not run. */
void rules_t2s_close(void);
/* s[0..n) converted (malloc'd, NUL-terminated), or NULL when s is not valid UTF-8, there
 * is no converter, or no memory. */
char *rules_t2s_convert(const char *s, size_t n);

#endif
