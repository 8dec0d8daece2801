/* identity: how a person is recognised (M1). Normalisation of phones, emails and names
 * into the keys the customer master stores and looks up, and the strength of a match
 * between what someone typed and a stored customer. Pure logic, no I/O (OpenCC reads
 * its dictionary once per thread). */
#ifndef RULES_IDENTITY_H
#define RULES_IDENTITY_H
#include <stddef.h>

enum {
    IDENTITY_PHONE_MAX = 16,     /* normalised phone incl. NUL: at most 12 digits */
    IDENTITY_EMAIL_MAX = 255,    /* normalised email incl. NUL: at most 254 bytes */
    IDENTITY_NAME_CHARS = 100,   /* a display name has at most this many code points */
    IDENTITY_NAME_KEY_MAX = 512, /* name key incl. NUL */
    IDENTITY_REGION_MAX = 7,
};

enum identity_phone_kind { IDENTITY_MOBILE = 1, IDENTITY_LANDLINE = 2 };

/* Normalise a Chinese phone number as typed: full-width digits become ASCII; spaces,
 * dashes, dots, slashes and brackets are dropped; a leading +86, 0086 or 86 country
 * prefix is dropped; the international landline form gets its 0 back
 * (+86 21 6234 5678 -> 02162345678; "+86 (0)21 ..." also works).
 * Valid results: mobiles of 11 digits 1[3-9]xxxxxxxxx; landlines 0 + area code
 * (010, 02x, or 0[3-9]xx) + a 7- or 8-digit subscriber number not starting with 0 or 1
 * (11 or 12 digits in all). Anything else (letters, other country codes, too short or
 * long, an extension) is invalid.
 * Returns 0 and writes out (digits only, NUL-terminated) and *kind (may be NULL), or
 * -1 when invalid (out is then ""). */
int identity_phone(const char *in, char out[IDENTITY_PHONE_MAX], int *kind);

/* The digits of a phone-tail query ("8000", "８０００", "0013-8000"): 4 to 12 digits after
 * dropping separators. Returns the number of digits written to out, or -1. */
int identity_phone_digits(const char *in, char out[IDENTITY_PHONE_MAX]);

/* Normalise an email: NFKC (full-width @ and letters become ASCII), trimmed, lower-cased.
 * Valid: one @, a local part of 1-64 of the characters RFC 5322 allows unquoted (no
 * leading, trailing or double dots), a domain of dot-separated labels of letters, digits
 * and inner hyphens, with a top-level label of 2+ letters; 254 bytes at most.
 * Returns 0 or -1 (out is then ""). */
int identity_email(const char *in, char out[IDENTITY_EMAIL_MAX]);

/* The name key: Unicode NFKC, case-folded, whitespace and middle dots (· ・ ‧ • ∙ ⋅)
 * removed, traditional Chinese mapped to simplified (OpenCC t2s): 張 偉 -> 张伟,
 * "Anna  MÜLLER" -> "annamüller", "阿卜杜·热合曼" -> "阿卜杜热合曼".
 * Returns 0; -1 when the input is not valid UTF-8, contains control characters, or the
 * key would be empty or longer than IDENTITY_NAME_KEY_MAX - 1 bytes. */
int identity_name_key(const char *in, char out[IDENTITY_NAME_KEY_MAX]);

/* A display name as entered, checked: trimmed of surrounding whitespace into out (at most
 * outsz bytes incl. NUL), valid UTF-8, no control characters, 1 to IDENTITY_NAME_CHARS code
 * points, and a non-empty key. Returns 0, or -1 ("invalid"), -2 ("too_long"), -3
 * ("required": empty after trimming). */
int identity_name(const char *in, char *out, size_t outsz);

/* A region: a six-digit GB/T 2260 administrative division code (province 11-82).
 * Returns 0 and copies it to out, or -1. */
int identity_region(const char *in, char out[IDENTITY_REGION_MAX]);

/* 1 when regions a and b (valid codes) are the same place or one contains the other
 * (310000 contains 310104; 310100 contains 310104; 310104 and 310105 differ). */
int identity_region_related(const char *a, const char *b);

/* Reversed digits of a normalised phone, for indexed "ends with" search (tail prefix). */
void identity_phone_reverse(const char *phone, char out[IDENTITY_PHONE_MAX]);

/* ---- match strength ---- */

enum identity_strength { IDENTITY_NONE = 0, IDENTITY_WEAK = 1, IDENTITY_STRONG = 2 };

/* Why a candidate matched (bit set); identity_reason_name gives the API word. */
enum {
    IDENTITY_R_PHONE = 1u << 0,      /* an equal normalised phone */
    IDENTITY_R_EMAIL = 1u << 1,      /* an equal normalised email */
    IDENTITY_R_NAME = 1u << 2,       /* an equal name key */
    IDENTITY_R_REGION = 1u << 3,     /* related regions (with the name) */
    IDENTITY_R_PHONE_TAIL = 1u << 4, /* a different phone with the same last 4 digits */
};
const char *identity_reason_name(unsigned bit); /* "phone", "email", "name", ... */

/* What was typed, normalised (NULL or "" for absent fields). */
struct identity_probe {
    const char *phone;    /* identity_phone form */
    const char *email;    /* identity_email form */
    const char *name_key; /* identity_name_key form */
    const char *region;   /* six digits */
};

/* A stored customer. */
struct identity_cand {
    const char *const *phones;
    int nphones;
    const char *const *emails;
    int nemails;
    const char *name_key;
    const char *region;
};

/* Strength of the match of probe against cand; *reasons (may be NULL) gets the bits.
 *   strong: an equal phone or email (the name does not matter: people mistype names);
 *   weak:   an equal name key plus a weaker clue (related region, same phone tail);
 *           or an equal name key when the probe holds nothing else to compare with
 *           (a name alone lists the same-name customers);
 *   none:   otherwise (a same-name customer whose phone and region both differ from the
 *           ones given is taken for another person). */
enum identity_strength identity_match(const struct identity_probe *p, const struct identity_cand *c,
                                      unsigned *reasons);

#endif
