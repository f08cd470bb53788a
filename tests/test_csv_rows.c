/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_csv_rows.c — the number reader of the streamed CSV paths (tunefold
 * predict, tunefold score): tune_csv_number_prefix and tune_csv_number give
 * bit for bit what strtod gives in the C locale, end where the literal ends,
 * refuse what is not a number, and do the same under a decimal-comma
 * locale. */
#include "testutil.h"

#include <locale.h>
#include <stdint.h>
#include <string.h>

#include "src/csv_rows.h"

static const char *const literals[] = {
    "0", "-0", "+0", "1", "-1", "2.5", "0.1", "0.30000000000000004", "1e300", "-1e-300",
    "4.9406564584124654e-324", "2.2250738585072014e-308", "1.7976931348623157e308",
    "123456789012345678", "1234567890123456789", "12345678901234567890123",
    "0.12345678901234567890123", "9007199254740993", "000123.4500", "1e22", "1e23",
    "8.4e-26", "3.141592653589793238462643383279", ".5", "5.", "1E5", "1e+05",
    "2.4703282292062328e-324", "1e-400", "7.0000000000000001e-10",
};

static void expect_same(const char *text)
{
    double want = strtod(text, NULL), got = -42;
    const char *end = text + strlen(text);
    cr_assert_eq(tune_csv_number_prefix(text, end, &got), end, "%s: not read whole", text);
    cr_assert(memcmp(&want, &got, sizeof want) == 0, "%s: %a, strtod %a", text, got, want);
    got = -42;
    cr_assert(tune_csv_number(text, strlen(text), &got), "%s", text);
    cr_assert(memcmp(&want, &got, sizeof want) == 0, "%s", text);
}

/* %.17g of doubles drawn from their whole bit range (a seeded xorshift). */
static void expect_random_round_trips(size_t n)
{
    uint64_t s = 0x9e3779b97f4a7c15u;
    for (size_t i = 0; i < n; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        double v;
        uint64_t bits = s & ~(UINT64_C(0x7ff) << 52);
        bits |= (uint64_t)(1 + s % 2045) << 52; /* finite, normal */
        memcpy(&v, &bits, sizeof v);
        char buf[40];
        snprintf(buf, sizeof buf, "%.17g", v);
        if (strchr(buf, ','))
            cr_assert_fail("snprintf wrote a comma: run under the C locale");
        expect_same(buf);
    }
}

Test(csv_rows, numbers_read_bit_for_bit_as_strtod_reads_them)
{
    for (size_t i = 0; i < sizeof literals / sizeof *literals; i++)
        expect_same(literals[i]);
    expect_random_round_trips(20000);
}

Test(csv_rows, a_literal_ends_where_its_digits_end_and_text_is_refused)
{
    const char *s = "2.5,7";
    double v = 0;
    cr_assert_eq(tune_csv_number_prefix(s, s + 5, &v), s + 3);
    cr_assert_eq(v, 2.5);
    /* the prefix never reads past the end it is given */
    cr_assert_eq(tune_csv_number_prefix(s, s + 1, &v), s + 1);
    cr_assert_eq(v, 2.0);
    const char *bad[] = {"", "-", "+", ".", "e5", "1e", "1e+", "abc", "nan", "inf"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        cr_assert_null(tune_csv_number_prefix(bad[i], bad[i] + strlen(bad[i]), &v), "%s",
                       bad[i]);
    cr_assert_not(tune_csv_number("0x1F", 4, &v));
    cr_assert_not(tune_csv_number("2,5", 3, &v));
    cr_assert(tune_csv_number("-Infinity", 9, &v));
    cr_assert(v < 0 && isinf(v));
}

/* A host program that called setlocale() with a decimal comma still reads
 * "2.5" as 2.5, on every tier (the long literals go to strtod). */
Test(csv_rows, a_comma_locale_reads_the_same_numbers)
{
    char *texts[sizeof literals / sizeof *literals];
    double want[sizeof literals / sizeof *literals];
    size_t n = sizeof literals / sizeof *literals;
    for (size_t i = 0; i < n; i++) {
        texts[i] = (char *)literals[i];
        want[i] = strtod(literals[i], NULL);
    }
    if (!setlocale(LC_NUMERIC, "de_DE.UTF-8") && !setlocale(LC_NUMERIC, "fr_FR.UTF-8") &&
        !setlocale(LC_NUMERIC, "de_DE") && !setlocale(LC_NUMERIC, "fr_FR"))
        cr_skip_test("no locale with a decimal comma is installed");
    int failed = -1;
    for (size_t i = 0; i < n && failed < 0; i++) {
        double got = -42;
        const char *end = texts[i] + strlen(texts[i]);
        if (tune_csv_number_prefix(texts[i], end, &got) != end ||
            memcmp(&got, &want[i], sizeof got) != 0)
            failed = (int)i;
    }
    setlocale(LC_NUMERIC, "C");
    cr_assert_eq(failed, -1, "%s", failed >= 0 ? literals[failed] : "");
}
