/* decimal.h — numbers in CSV cells: recognise them and convert them
 * correctly rounded, and write a double as the shortest text that reads
 * back as it.  Internal to the library (src/decimal.c has the details). */
#ifndef TUNEFOLD_SRC_DECIMAL_H
#define TUNEFOLD_SRC_DECIMAL_H

#include <stddef.h>
#include <stdint.h>

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

/* Scan [+-] digits [. digits] [e [+-] digits] from p (never reading at or
 * past `end`); the end of the literal, or NULL when p does not start with
 * one. */
const char *tune_decimal_scan(const char *p, const char *end, struct tune_decimal *d);

/* The value of a scanned literal whose text is p[0..len): 1 and *out set,
 * 0 when strtod disagrees that it is a number, -1 when out of memory.  `dp`
 * is tune_decimal_point(), looked up once per file. */
int tune_decimal_value(const struct tune_decimal *d, const char *p, size_t len, char dp,
                       double *out);

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
