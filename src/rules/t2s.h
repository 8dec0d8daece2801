/* t2s: the one OpenCC traditional -> simplified converter of each thread, for every
 * caller (identity name keys, information-base search text, network name keys). OpenCC
 * reads past the end of invalid UTF-8: check it first (base/utf8.h).
 *
 * libopencc (with libmarisa and libstdc++) is not linked: this file opens it on first use
 * (base/dynlib.h), so commands that never fold a name do not pay for loading it; this is
 * the only file that calls into the library. */
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
/* opencc_convert_utf8 and opencc_convert_utf8_free through the loaded library: s[0..n)
 * (valid UTF-8) converted with cc (from rules_t2s), NULL on failure; free it with
 * rules_t2s_free. */
char *rules_t2s_utf8(opencc_t cc, const char *s, size_t n);
void rules_t2s_free(char *converted);

#endif
