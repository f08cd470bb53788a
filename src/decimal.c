/* SPDX-License-Identifier: GPL-3.0-or-later */
/* decimal.c — the correctly-rounded decimal parser of the CSV reader, and
 * its inverse for labels.
 *
 * Numbers.  A cell is a number when it is a whole decimal literal —
 * [+-] digits [. digits] [e [+-] digits], at least one digit — or
 * [+-]inf / [+-]infinity in any case.  That is what strtod accepts in the C
 * locale minus hexadecimal (so identifiers like 0x1F stay text) and minus
 * nan(...) (NaN is a missing-value marker).  A comma decimal ("2,5") is not
 * a number, whatever the process locale.  Conversion is correctly rounded,
 * bit for bit what strtod gives, in three tiers:
 *   1. Clinger's fast path: significand below 2^53 and power of ten in
 *      [1e-22, 1e22]; both operands are exact doubles, so one IEEE multiply
 *      or divide rounds correctly (W. D. Clinger, "How to read floating
 *      point numbers accurately", PLDI 1990).  Short decimals land here.
 *   2. On x86, up to 19 digits and powers to 1e27 in x87 extended precision
 *      with a check for the one case where rounding twice can differ from
 *      rounding once (see tune_decimal_value in decimal.h).  Full-precision
 *      %.17g output lands here, about 5x faster than glibc's strtod.
 *   3. strtod on a NUL-terminated copy whose '.' is swapped for the
 *      locale's decimal point, so a host program that called setlocale()
 *      still reads "2.5" as 2.5.
 *
 * The scanner and tiers 1 and 2 run once per number cell, so they are
 * inline functions in decimal.h (a call per cell cost about a tenth of a
 * numeric file's parse); tier 3, the locale, the inverse are here.
 *
 * Invariants: no function here allocates except tier 3 on a literal longer
 * than its stack buffer; none reads at or past the end it is given (cells
 * are spans of a larger buffer, not NUL-terminated strings); a NaN is never
 * produced (NaN is a missing cell, decided by the caller). */
#include "src/decimal.h"
#include "tunefold/text.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const double tune_decimal_pow10[23] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

#if TUNE_X87_EXTENDED
const long double tune_decimal_pow10l[28] = {
    1e0L,  1e1L,  1e2L,  1e3L,  1e4L,  1e5L,  1e6L,  1e7L,  1e8L,  1e9L,
    1e10L, 1e11L, 1e12L, 1e13L, 1e14L, 1e15L, 1e16L, 1e17L, 1e18L, 1e19L,
    1e20L, 1e21L, 1e22L, 1e23L, 1e24L, 1e25L, 1e26L, 1e27L,
};
#endif

static int ascii_caseeq(const char *p, size_t len, const char *lower)
{
    size_t i = 0;
    for (; i < len && lower[i]; i++)
        if ((p[i] | 0x20) != lower[i])
            return 0;
    return i == len && lower[i] == '\0';
}

int tune_decimal_strtod(const char *p, size_t len, char dp, double *out)
{
    /* a NUL-terminated copy in the locale's own decimal point */
    char small[128], *copy = len < sizeof small ? small : malloc(len + 1);
    if (!copy)
        return -1;
    for (size_t i = 0; i < len; i++)
        copy[i] = (p[i] == '.' && dp) ? dp : p[i];
    copy[len] = '\0';
    char *stop;
    double v = strtod(copy, &stop);
    int whole = stop == copy + len;
    if (copy != small)
        free(copy);
    if (!whole)
        return 0;
    *out = v;
    return 1;
}

int tune_decimal_parse(const char *p, size_t len, char dp, double *out)
{
    struct tune_decimal d;
    const char *end = tune_decimal_scan(p, p + len, &d);
    if (end == p + len)
        return tune_decimal_value(&d, p, len, dp, out);
    size_t i = (len && (p[0] == '+' || p[0] == '-')) ? 1 : 0;
    if (ascii_caseeq(p + i, len - i, "inf") || ascii_caseeq(p + i, len - i, "infinity")) {
        *out = p[0] == '-' ? -INFINITY : INFINITY;
        return 1;
    }
    return 0;
}

/* (A point of several bytes is not handled: numbers that reach tier 3 then
 * fail strtod and their column reads as text.) */
char tune_decimal_point(void)
{
    const struct lconv *lc = localeconv();
    const char *dp = lc ? lc->decimal_point : NULL;
    if (dp && dp[0] && !dp[1] && dp[0] != '.')
        return dp[0];
    return 0;
}

void tune_decimal_format(double v, char *buf, size_t size)
{
    tune_format_double(v, buf, size);
}
