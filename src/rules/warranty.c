/* warranty: warranty-end arithmetic, serial format and purchase-date checks (SPEC M3). */
#include "rules/warranty.h"

#include "base/datetime.h"

#include <stdio.h>
#include <string.h>

int warranty_month_days(int y, int m)
{
    return dt_month_days(y, m);
}

int warranty_parse_date(const char *s, int *y, int *m, int *d)
{
    return dt_parse_date(s, y, m, d);
}

int warranty_until(const char *purchase_date, int months, char out[11])
{
    int y, m, d;
    if (warranty_parse_date(purchase_date, &y, &m, &d) < 0 || months < 1 || months > 600)
        return -1;
    int total = (m - 1) + months;
    y += total / 12;
    m = total % 12 + 1;
    int last = warranty_month_days(y, m);
    if (d > last)
        d = last;
    /* minus one day */
    if (--d == 0) {
        if (--m == 0) {
            m = 12;
            y--;
        }
        d = warranty_month_days(y, m);
    }
    if (y > 9999)
        return -1;
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
             (unsigned)d % 100u);
    return 0;
}

int warranty_serial_normalize(const char *in, char out[WARRANTY_SERIAL_MAX + 1])
{
    if (!in)
        return -1;
    while (*in == ' ' || *in == '\t')
        in++;
    size_t n = strlen(in);
    while (n > 0 && (in[n - 1] == ' ' || in[n - 1] == '\t'))
        n--;
    if (n < WARRANTY_SERIAL_MIN || n > WARRANTY_SERIAL_MAX)
        return -1;
    char tmp[WARRANTY_SERIAL_MAX + 1];
    for (size_t i = 0; i < n; i++) {
        char c = in[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        else if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
            return -1;
        tmp[i] = c;
    }
    tmp[n] = 0;
    memcpy(out, tmp, n + 1);
    return 0;
}

int warranty_check_purchase(const char *purchase_date, const char *today, const char *launched_on)
{
    int y, m, d;
    if (warranty_parse_date(purchase_date, &y, &m, &d) < 0)
        return WARRANTY_DATE_MALFORMED;
    /* Valid YYYY-MM-DD strings compare in date order. */
    if (today && strcmp(purchase_date, today) > 0)
        return WARRANTY_DATE_FUTURE;
    if (launched_on && *launched_on && strcmp(purchase_date, launched_on) < 0)
        return WARRANTY_DATE_BEFORE_LAUNCH;
    return WARRANTY_DATE_OK;
}

const char *warranty_purchase_reason(int verdict)
{
    switch (verdict) {
    case WARRANTY_DATE_OK:
        return "ok";
    case WARRANTY_DATE_MALFORMED:
        return "purchase_date must be a date YYYY-MM-DD";
    case WARRANTY_DATE_FUTURE:
        return "purchase_date is in the future";
    case WARRANTY_DATE_BEFORE_LAUNCH:
        return "purchase_date is before the model was launched";
    }
    return "unknown";
}

int warranty_covers(const char *until, const char *date)
{
    int y, m, d;
    if (!until || warranty_parse_date(until, &y, &m, &d) < 0 ||
        warranty_parse_date(date, &y, &m, &d) < 0)
        return 0;
    return strcmp(date, until) <= 0;
}
