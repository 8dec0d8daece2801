/* kbtext: the search text of the information base (M2): normalisation and tokens that
 * SQLite FTS5 and PostgreSQL to_tsvector('simple') both read the same way. */
#ifndef RULES_KBTEXT_H
#define RULES_KBTEXT_H
#include <stddef.h>

enum {
    KBTEXT_WORD_MAX = 64,        /* a longer word is cut to this many bytes */
    KBTEXT_TOKENS_MAX = 16000,   /* tokens indexed per text (PostgreSQL positions end at 16383) */
    KBTEXT_QUERY_GROUPS = 8,     /* phrases in one query; more are refused */
};

/* The tokens of text, space-separated, in a malloc'd string (NULL: invalid UTF-8 or no
 * memory). The text is NFKC-normalised (full-width -> half-width), case-folded and
 * mapped traditional -> simplified (OpenCC t2s). Every CJK character (Han, kana,
 * hangul) is a token of its own, written "u" + its code point in hex (中 -> u4e2d);
 * a run of letters and digits is a word, inner hyphens dropped (KD-55X85K ->
 * kd55x85k), other letters inside a word written the same "u" + hex way; everything
 * else separates tokens. So every token is [a-z0-9]+ and both backends see it whole.
 * At most max_tokens tokens (0: KBTEXT_TOKENS_MAX). */
char *kbtext_tokens(const char *text, int max_tokens);

/* A query as phrases: the tokens of each whitespace- or punctuation-separated part of
 * q, one phrase per line ("u7535 u89c6\nkd55x85k"), in a malloc'd string. *groups gets
 * the number of phrases (0 when q has no tokens). NULL: invalid UTF-8 or no memory. */
char *kbtext_query(const char *q, int *groups);

/* The bigram stream of a token string (kbtext_tokens' output, or one query phrase): each
 * run of two or more CJK tokens becomes its overlapping pairs ("u7535 u89c6 u673a" ->
 * "u7535x89c6 u89c6x673a"); every other token stays as it is, so runs never touch. A
 * phrase of two or more CJK characters is matched on this stream: its lists are short
 * where single characters' are long. Malloc'd; NULL when out of memory. */
char *kbtext_bigrams(const char *tokens);

/* 1 when the phrase (space-separated tokens) is two or more CJK tokens and nothing else:
 * the phrases matched on the bigram stream. */
int kbtext_cjk_run(const char *phrase);

#endif
