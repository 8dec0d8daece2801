/* warranty: warranty dates, serial numbers and purchase-date checks (SPEC M3). Pure
 * functions, no I/O. Dates are 'YYYY-MM-DD' text (proleptic Gregorian, years 1970-9999,
 * as in base/datetime). */
#ifndef RULES_WARRANTY_H
#define RULES_WARRANTY_H

#define WARRANTY_SERIAL_MIN 4
#define WARRANTY_SERIAL_MAX 32

/* Parse a strict 'YYYY-MM-DD' (exactly 10 characters, a real calendar day): dt_parse_date.
 * 0 with *y, *m, *d set, or -1. */
int warranty_parse_date(const char *s, int *y, int *m, int *d);

/* Days in month m (1-12) of year y. */
int warranty_month_days(int y, int m);

/* The last day covered: purchase date plus `months` months (the day clamped to the last
 * day of a shorter month) minus one day. 2026-02-15 + 12 -> 2027-02-14; 2026-01-31 + 1 ->
 * 2026-02-27. months must be 1..600. 0 with out ("YYYY-MM-DD") set, or -1 for a bad date
 * or month count. */
int warranty_until(const char *purchase_date, int months, char out[11]);

/* Normalise a serial: 4-32 ASCII letters, digits or dashes, after trimming surrounding
 * spaces; upper-cased into out (the stored and compared form). 0 or -1 (malformed). */
int warranty_serial_normalize(const char *in, char out[WARRANTY_SERIAL_MAX + 1]);

/* Purchase-date verdicts. */
enum {
    WARRANTY_DATE_OK = 0,
    WARRANTY_DATE_MALFORMED = 1,     /* not a real YYYY-MM-DD day */
    WARRANTY_DATE_FUTURE = 2,        /* after today */
    WARRANTY_DATE_BEFORE_LAUNCH = 3, /* before the model's launch date */
};
/* Check a purchase date against today (YYYY-MM-DD, local) and the model's launch date
 * (NULL or "" when unknown). */
int warranty_check_purchase(const char *purchase_date, const char *today, const char *launched_on);
/* Human reason (English) for a verdict. Static string. */
const char *warranty_purchase_reason(int verdict);

/* 1 when date (YYYY-MM-DD) is within the warranty ending on until (inclusive), 0 when
 * after it or when until is NULL/empty/malformed. */
int warranty_covers(const char *until, const char *date);

#endif
