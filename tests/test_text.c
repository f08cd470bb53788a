/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_text.c — the shared helpers of tunefold/text.h: numbers written to
 * read back bit for bit, CSV fields quoted as RFC 4180 asks, the better of
 * two objective values, the monotonic clock. */
#include "testutil.h"

#include <float.h>
#include <locale.h>

#include "tunefold/text.h"

static void expect_format(double v, const char *want)
{
    char buf[40];
    tune_format_double(v, buf, sizeof buf);
    cr_assert_str_eq(buf, want, "%.17g", v);
    if (isfinite(v)) {
        double back = strtod(buf, NULL);
        cr_assert(memcmp(&back, &v, sizeof v) == 0, "%s reads back as %.17g", buf, back);
    }
}

Test(text, doubles_are_written_in_the_fewest_digits_that_read_back_exactly)
{
    expect_format(0.1, "0.1");
    expect_format(0.1 + 0.2, "0.30000000000000004");
    expect_format(2.385, "2.385");
    expect_format(42, "42");
    expect_format(-7, "-7");
    expect_format(1e15, "1e+15");
    expect_format(999999999999999.0, "999999999999999");
    expect_format(1e-300, "1e-300");
    expect_format(DBL_MAX, "1.7976931348623157e+308");
    expect_format(5e-324, "4.94065645841247e-324"); /* 15 digits already read back */
    expect_format(-0.0, "-0");
    expect_format(NAN, "nan");
    expect_format(INFINITY, "inf");
    expect_format(-INFINITY, "-inf");
    /* every random double reads back */
    unsigned long long x = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        double v;
        memcpy(&v, &x, sizeof v);
        if (!isfinite(v))
            continue;
        char buf[40];
        tune_format_double(v, buf, sizeof buf);
        cr_assert(strtod(buf, NULL) == v, "%s for %.17g", buf, v);
        cr_assert(strlen(buf) <= 24);
    }
}

Test(text, a_comma_locale_still_gets_a_point)
{
    if (!setlocale(LC_NUMERIC, "de_DE.UTF-8") && !setlocale(LC_NUMERIC, "fr_FR.UTF-8") &&
        !setlocale(LC_NUMERIC, "de_DE") && !setlocale(LC_NUMERIC, "fr_FR"))
        cr_skip_test("no locale with a decimal comma is installed");
    char buf[40];
    tune_format_double(2.385, buf, sizeof buf);
    setlocale(LC_NUMERIC, "C");
    cr_assert_str_eq(buf, "2.385");
}

Test(text, csv_fields_are_quoted_only_when_they_must_be)
{
    char buf[64];
    cr_assert_eq(tune_csv_quote(buf, sizeof buf, "plain", ','), 5);
    cr_assert_str_eq(buf, "plain");
    cr_assert_eq(tune_csv_quote(buf, sizeof buf, "a,b", ','), 5);
    cr_assert_str_eq(buf, "\"a,b\"");
    tune_csv_quote(buf, sizeof buf, "say \"hi\"", ',');
    cr_assert_str_eq(buf, "\"say \"\"hi\"\"\"");
    tune_csv_quote(buf, sizeof buf, "two\nlines", ',');
    cr_assert_str_eq(buf, "\"two\nlines\"");
    tune_csv_quote(buf, sizeof buf, "a;b", ',');
    cr_assert_str_eq(buf, "a;b");
    tune_csv_quote(buf, sizeof buf, "a;b", ';');
    cr_assert_str_eq(buf, "\"a;b\"");
    /* like snprintf: the length it needs, cut to fit */
    char small[4];
    cr_assert_eq(tune_csv_quote(small, sizeof small, "a,bcdef", ','), 9);
    cr_assert_str_eq(small, "\"a,");
}

Test(text, the_better_value_follows_the_direction_and_nan_is_never_better)
{
    cr_assert(tune_value_better(0.9, 0.8, 1));
    cr_assert(!tune_value_better(0.9, 0.8, 0));
    cr_assert(!tune_value_better(0.8, 0.8, 1), "a tie is not better");
    cr_assert(!tune_value_better(NAN, 0.8, 1));
    cr_assert(tune_value_better(0.8, NAN, 0));
    cr_assert(!tune_value_better(NAN, NAN, 1));
    double a = tune_clock_seconds(), b = tune_clock_seconds();
    cr_assert(b >= a && a > 0);
}
