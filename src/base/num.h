/* num: small integer arithmetic shared across features. */
#ifndef BASE_NUM_H
#define BASE_NUM_H

#include <stdint.h>

/* Greatest common divisor of a and b (b may be 0; both >= 0). */
static inline int64_t gcd64(int64_t a, int64_t b)
{
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

#endif
