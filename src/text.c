/* SPDX-License-Identifier: GPL-3.0-or-later */
/* text.c — the shared text and time helpers (tunefold/text.h). */
#include "tunefold/text.h"

#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The process locale's decimal point when it is not '.' (a host program
 * may have called setlocale; the library never does), else 0. */
static char locale_point(void)
{
    const struct lconv *lc = localeconv();
    const char *dp = lc ? lc->decimal_point : NULL;
    return dp && dp[0] && !dp[1] && dp[0] != '.' ? dp[0] : 0;
}

void tune_format_double(double v, char *buf, size_t len)
{
    if (len == 0)
        return;
    if (isnan(v)) {
        snprintf(buf, len, "nan");
        return;
    }
    if (isinf(v)) {
        snprintf(buf, len, v > 0 ? "inf" : "-inf");
        return;
    }
    if (v == floor(v) && fabs(v) < 1e15) {
        if (v == 0 && signbit(v))
            snprintf(buf, len, "-0");
        else
            snprintf(buf, len, "%.0f", v);
        return;
    }
    /* Round-tripping is judged on the C text: swap the locale's point for
     * '.' before strtod would misread it, so compare in the locale's form
     * and write '.' afterwards. */
    char dp = locale_point(), tmp[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    if (dp)
        for (char *p = tmp; *p; p++)
            if (*p == dp)
                *p = '.';
    snprintf(buf, len, "%s", tmp);
}

size_t tune_csv_quote(char *buf, size_t len, const char *s, char delim)
{
    int quote = strchr(s, delim) || strpbrk(s, "\"\r\n");
    size_t n = 0;
#define PUT(c)                                                                            \
    do {                                                                                  \
        if (n + 1 < len)                                                                  \
            buf[n] = (c);                                                                 \
        n++;                                                                              \
    } while (0)
    if (quote)
        PUT('"');
    for (; *s; s++) {
        if (quote && *s == '"')
            PUT('"');
        PUT(*s);
    }
    if (quote)
        PUT('"');
#undef PUT
    if (len)
        buf[n < len ? n : len - 1] = '\0';
    return n;
}

void tune_csv_quote_write(FILE *f, const char *s, char delim)
{
    int quote = strchr(s, delim) || strpbrk(s, "\"\r\n");
    if (!quote) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

int tune_value_better(double a, double b, int maximize)
{
    if (isnan(a))
        return 0;
    if (isnan(b))
        return 1;
    return maximize ? a > b : a < b;
}

double tune_clock_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
