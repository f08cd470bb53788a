/* SPDX-License-Identifier: GPL-3.0-or-later */
/* text.h — the few text and time helpers every part of tunefold shares:
 * numbers written so they read back exactly, CSV fields quoted as RFC 4180
 * asks, which of two objective values is better, and a monotonic clock. */
#ifndef TUNEFOLD_TEXT_H
#define TUNEFOLD_TEXT_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The shortest decimal text that reads back as `v` bit for bit: integral
 * values below 1e15 without a fraction or exponent ("42"), others with the
 * fewest of 15, 16 or 17 significant digits that round-trip ("0.1",
 * "0.30000000000000004").  Always '.' for the decimal point, whatever the
 * process locale; "nan", "inf", "-inf" for the non-finite; -0 stays "-0".
 * Truncated to `len` like snprintf; 32 bytes always suffice. */
void tune_format_double(double v, char *buf, size_t len);

/* `s` as one CSV field: as it is, or in double quotes with inner quotes
 * doubled when it holds `delim`, a quote, CR or LF.  Like snprintf: writes
 * at most `len` bytes (NUL included) and returns the length the field
 * needs. */
size_t tune_csv_quote(char *buf, size_t len, const char *s, char delim);
/* The same, written to a stream. */
void tune_csv_quote_write(FILE *f, const char *s, char delim);

/* 1 when objective value `a` is strictly better than `b` in the direction
 * (maximize or not); a NaN is never better, and anything else is better
 * than a NaN. */
int tune_value_better(double a, double b, int maximize);

/* Seconds on a monotonic clock (for durations; not the time of day). */
double tune_clock_seconds(void);

#ifdef __cplusplus
}
#endif
#endif
