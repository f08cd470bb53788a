/* SPDX-License-Identifier: GPL-3.0-or-later */
/* decimal.h — numbers in CSV cells: recognise them and convert them
 * correctly rounded, and write a double as the shortest text that reads
 * back as it.  Internal to the library (src/decimal.c has the details);
 * the per-cell scanner and fast tiers are inline here. */
#ifndef TUNEFOLD_SRC_DECIMAL_H
#define TUNEFOLD_SRC_DECIMAL_H

#include <float.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A decimal literal as scanned: value = (-1)^neg * m * 10^e10, exact unless
 * it has more than 19 significant digits (then m has wrapped, and only
 * strtod on the text gives the value). */
struct tune_decimal {
    uint64_t m;
    long e10;
    int neg, too_long;
};

/* x87 extended precision, with its significand in the first 8 bytes. */
#if FLT_EVAL_METHOD == 0 && LDBL_MANT_DIG == 64 && (defined(__x86_64__) || defined(__i386__))
#define TUNE_X87_EXTENDED 1
#else
#define TUNE_X87_EXTENDED 0
#endif

/* 10^0..10^22 (exact doubles) and, on x87, 10^0..10^27 (exact there). */
extern const double tune_decimal_pow10[23];
#if TUNE_X87_EXTENDED
extern const long double tune_decimal_pow10l[28];
#endif

/* Tier 3 of tune_decimal_value: strtod on a copy of p[0..len). */
int tune_decimal_strtod(const char *p, size_t len, char dp, double *out);

static inline int tune_decimal_is_digit(char ch)
{
    return (unsigned char)(ch - '0') < 10;
}

/* Scan [+-] digits [. digits] [e [+-] digits] from p (never reading at or
 * past `end`); the end of the literal, or NULL when p does not start with
 * one. */
static inline const char *tune_decimal_scan(const char *p, const char *end,
                                            struct tune_decimal *d)
{
    *d = (struct tune_decimal){0};
    if (p < end && (*p == '+' || *p == '-'))
        d->neg = *p++ == '-';
    const char *digits = p;
    while (p < end && *p == '0')
        p++;
    const char *sig = p;
    uint64_t m = 0;
    for (; p < end && tune_decimal_is_digit(*p); p++)
        m = m * 10 + (unsigned)(*p - '0');
    size_t nsig = (size_t)(p - sig), ndig = (size_t)(p - digits);
    long e10 = 0;
    if (p < end && *p == '.') {
        const char *frac = ++p;
        if (m == 0) /* zeros before the first significant digit */
            while (p < end && *p == '0')
                p++;
        const char *fsig = p;
        for (; p < end && tune_decimal_is_digit(*p); p++)
            m = m * 10 + (unsigned)(*p - '0');
        nsig += (size_t)(p - fsig);
        ndig += (size_t)(p - frac);
        e10 = -(long)(p - frac);
    }
    if (ndig == 0)
        return NULL;
    if (p < end && (*p == 'e' || *p == 'E')) {
        const char *q = p + 1;
        int eneg = 0;
        if (q < end && (*q == '+' || *q == '-'))
            eneg = *q++ == '-';
        if (q >= end || !tune_decimal_is_digit(*q))
            return NULL;
        long ex = 0;
        for (; q < end && tune_decimal_is_digit(*q); q++)
            if (ex < 100000) /* past any double's range; keeps e10 from overflowing */
                ex = ex * 10 + (*q - '0');
        e10 += eneg ? -ex : ex;
        p = q;
    }
    d->m = m;
    d->e10 = e10;
    d->too_long = nsig > 19;
    return p;
}

/* The value of a scanned literal whose text is p[0..len): 1 and *out set,
 * 0 when strtod disagrees that it is a number, -1 when out of memory.  `dp`
 * is tune_decimal_point(), looked up once per file.  Tiers 1 and 2 of
 * src/decimal.c's comment here, tier 3 out of line. */
static inline int tune_decimal_value(const struct tune_decimal *d, const char *p, size_t len,
                                     char dp, double *out)
{
    if (!d->too_long && d->m == 0) {
        *out = d->neg ? -0.0 : 0.0;
        return 1;
    }
#if FLT_EVAL_METHOD == 0
    if (!d->too_long && d->m <= (UINT64_C(1) << 53) && d->e10 >= -22 && d->e10 <= 22) {
        double v = (double)d->m;
        v = d->e10 < 0 ? v / tune_decimal_pow10[-d->e10] : v * tune_decimal_pow10[d->e10];
        *out = d->neg ? -v : v;
        return 1;
    }
#endif
#if TUNE_X87_EXTENDED
    /* Up to 19 digits (what %.17g and pandas write) in x87 extended
     * precision: m and 10^k (k <= 27, as 5^27 < 2^64) are exact there, so
     * x = m * 10^k is rounded once, to 64 bits, then again to 53.  The
     * second rounding can only go wrong when the first landed exactly on
     * a midpoint between two doubles (low 11 bits 10000000000): any other
     * 64-bit value lies on the same side of every midpoint as the exact
     * product, because midpoints are themselves 64-bit numbers.  Those
     * rare values, with a guard bit either side, go to strtod. */
    if (!d->too_long && d->e10 >= -27 && d->e10 <= 27) {
        long double x = (long double)d->m;
        x = d->e10 < 0 ? x / tune_decimal_pow10l[-d->e10] : x * tune_decimal_pow10l[d->e10];
        uint64_t bits; /* the x87 format keeps its 64-bit significand first */
        memcpy(&bits, &x, sizeof bits);
        unsigned low = (unsigned)(bits & 0x7ff);
        if (low < 0x3ff || low > 0x401) {
            double v = (double)x;
            *out = d->neg ? -v : v;
            return 1;
        }
    }
#endif
    return tune_decimal_strtod(p, len, dp, out);
}

/* 1 when p[0..len) is a whole number (a decimal literal, or [+-]inf /
 * [+-]infinity in any case) and *out is set, 0 when it is not a number, -1
 * when out of memory. */
int tune_decimal_parse(const char *p, size_t len, char dp, double *out);

/* The locale's decimal point when it is one byte other than '.', else 0. */
char tune_decimal_point(void);

/* Shortest text that reads back as v ("0", "10", "2.5", "1e+300"), with '.'
 * as the decimal point whatever the locale; whole numbers below 1e15 print
 * without an exponent.  `size` of 40 always suffices. */
void tune_decimal_format(double v, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
