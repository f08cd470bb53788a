/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_dataset.c — the CSV reader and the feature/target split.
 *
 * Most cases parse text in memory under the name "mem.csv", so each error
 * message can be compared whole; file cases go through tu_write.  Known
 * answers for the shipped data sets are facts of the files themselves
 * (class counts: awk -F, 'NR>1{c[$NF]++} END{for(k in c) print k, c[k]}'
 * data/breast_cancer.csv gives 0 212, 1 357 — scikit-learn's documented
 * 212 malignant / 357 benign). */
#include "testutil.h"

#include <dirent.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "tunefold/dataset.h"
#include "src/table.h"

static int parse(const char *text, struct tune_table **t, struct tune_error *e)
{
    tune_error_clear(e);
    return tune_table_parse_csv("mem.csv", text, strlen(text), t, e);
}

/* Parse text that must fail with TUNE_EINVAL and exactly `msg`. */
static void expect_error(const char *text, const char *msg)
{
    struct tune_table *t = (struct tune_table *)1;
    struct tune_error e;
    int rc = parse(text, &t, &e);
    cr_assert_eq(rc, TUNE_EINVAL, "rc %d for %s (msg: %s)", rc, text, e.msg);
    cr_assert_eq(e.code, TUNE_EINVAL);
    cr_assert_null(t, "*out must be NULL on failure");
    cr_assert_str_eq(e.msg, msg);
}

static struct tune_table *parse_ok(const char *text)
{
    struct tune_table *t = NULL;
    struct tune_error e;
    int rc = parse(text, &t, &e);
    cr_assert_eq(rc, TUNE_OK, "parse failed: %s", e.msg);
    cr_assert_not_null(t);
    return t;
}

static double cell(const struct tune_table *t, size_t row, size_t col)
{
    cr_assert_lt(row, t->n_rows);
    cr_assert_lt(col, t->n_cols);
    return t->data[col * t->n_rows + row];
}

/* Whole file as a malloc'ed buffer (NUL-terminated for convenience, not
 * counted in *len). */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    size_t cap = 1 << 16, n = 0, got;
    char *buf = malloc(cap);
    while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0)
        if ((n += got) + 1 == cap)
            buf = realloc(buf, cap *= 2);
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* ---------------------------------------------------------- shipped data */

Test(dataset, breast_cancer_loads_569_rows_30_features_and_two_classes)
{
    struct tune_dataset *ds = NULL;
    struct tune_error e;
    int rc = tune_dataset_load("data/breast_cancer.csv", "target", TUNE_TASK_BINARY, &ds, &e);
    cr_assert_eq(rc, TUNE_OK, "%s", e.msg);
    cr_assert_eq(ds->n_rows, 569);
    cr_assert_eq(ds->n_features, 30);
    cr_assert_eq(ds->n_classes, 2);
    cr_assert_str_eq(ds->class_names[0], "0");
    cr_assert_str_eq(ds->class_names[1], "1");
    cr_assert_str_eq(ds->target_name, "target");
    cr_assert_str_eq(ds->path, "data/breast_cancer.csv");
    cr_assert_str_eq(ds->features[0].name, "mean_radius");
    cr_assert_str_eq(ds->features[29].name, "worst_fractal_dimension");
    for (size_t j = 0; j < 30; j++)
        cr_assert_eq(ds->features[j].kind, TUNE_COL_NUMERIC);
    /* First row 17.99,10.38,...,0.1189,0 and last row 7.76,...,0.07039,1. */
    cr_assert_eq(ds->x[0 * 569 + 0], 17.99);
    cr_assert_eq(ds->x[3 * 569 + 0], 1001.0);
    cr_assert_eq(ds->x[14 * 569 + 0], 0.006399);
    cr_assert_eq(ds->x[29 * 569 + 0], 0.1189);
    cr_assert_eq(ds->x[0 * 569 + 568], 7.76);
    cr_assert_eq(ds->x[29 * 569 + 568], 0.07039);
    cr_assert_eq(ds->y[0], 0.0);
    cr_assert_eq(ds->y[568], 1.0);
    size_t ones = 0;
    for (size_t r = 0; r < 569; r++)
        ones += ds->y[r] == 1.0;
    cr_assert_eq(ones, 357);
    tune_dataset_free(ds);
}

Test(dataset, iris_loads_150_rows_three_classes_with_exact_first_row)
{
    struct tune_dataset *ds = NULL;
    struct tune_error e;
    int rc = tune_dataset_load("data/iris.csv", "target", TUNE_TASK_MULTICLASS, &ds, &e);
    cr_assert_eq(rc, TUNE_OK, "%s", e.msg);
    cr_assert_eq(ds->n_rows, 150);
    cr_assert_eq(ds->n_features, 4);
    cr_assert_eq(ds->n_classes, 3);
    cr_assert_str_eq(ds->class_names[2], "2");
    cr_assert_str_eq(ds->features[2].name, "petal_length_cm");
    cr_assert_eq(ds->x[0], 5.1);
    cr_assert_eq(ds->x[150], 3.5);
    cr_assert_eq(ds->x[300], 1.4);
    cr_assert_eq(ds->x[450], 0.2);
    cr_assert_eq(ds->y[0], 0.0);
    cr_assert_eq(ds->x[149], 5.9);
    cr_assert_eq(ds->x[450 + 149], 1.8);
    cr_assert_eq(ds->y[149], 2.0);
    size_t count[3] = {0};
    double petal_sum = 0;
    for (size_t r = 0; r < 150; r++) {
        count[(size_t)ds->y[r]]++;
        petal_sum += ds->x[300 + r];
    }
    cr_assert_eq(count[0], 50);
    cr_assert_eq(count[1], 50);
    cr_assert_eq(count[2], 50);
    assert_close(petal_sum, 563.7, 1e-12);
    tune_dataset_free(ds);
}

Test(dataset, binary_task_on_iris_names_the_three_classes)
{
    struct tune_dataset *ds = (struct tune_dataset *)1;
    struct tune_error e;
    int rc = tune_dataset_load("data/iris.csv", "target", TUNE_TASK_BINARY, &ds, &e);
    cr_assert_eq(rc, TUNE_EINVAL);
    cr_assert_null(ds);
    cr_assert_str_eq(e.msg, "data/iris.csv: target column 'target' has 3 classes (0, 1, 2); "
                            "binary needs exactly 2 (use multiclass)");
}

/* ------------------------------------------------------- column contents */

Test(dataset, text_columns_get_codes_in_order_of_first_appearance)
{
    struct tune_table *t = parse_ok("color,size\nred,1.5\nblue,2.25\nred,3\ngreen,NA\nblue,-7.125\n");
    cr_assert_eq(t->n_rows, 5);
    cr_assert_eq(t->n_cols, 2);
    cr_assert_eq(t->cols[0].kind, TUNE_COL_CATEGORICAL);
    cr_assert_eq(t->cols[1].kind, TUNE_COL_NUMERIC);
    cr_assert_eq(t->cols[0].n_levels, 3);
    cr_assert_str_eq(t->cols[0].levels[0], "red");
    cr_assert_str_eq(t->cols[0].levels[1], "blue");
    cr_assert_str_eq(t->cols[0].levels[2], "green");
    double codes[5] = {0, 1, 0, 2, 1};
    for (size_t r = 0; r < 5; r++)
        cr_assert_eq(cell(t, r, 0), codes[r], "row %zu", r);
    cr_assert_eq(cell(t, 1, 1), 2.25);
    cr_assert(isnan(cell(t, 3, 1)));
    cr_assert_eq(cell(t, 4, 1), -7.125);
    cr_assert_eq(t->cols[1].n_levels, 0);
    cr_assert_null(t->cols[1].levels);
    cr_assert_eq(tune_table_find(t, "size"), 1);
    cr_assert_eq(tune_table_find(t, "Size"), -1);
    tune_table_free(t);
}

Test(dataset, one_text_cell_turns_earlier_numbers_into_levels)
{
    struct tune_table *t = parse_ok("id,v\n17,0.5\n4,0.25\nx9,1\n17,2\n");
    cr_assert_eq(t->cols[0].kind, TUNE_COL_CATEGORICAL);
    cr_assert_eq(t->cols[0].n_levels, 3);
    cr_assert_str_eq(t->cols[0].levels[0], "17");
    cr_assert_str_eq(t->cols[0].levels[1], "4");
    cr_assert_str_eq(t->cols[0].levels[2], "x9");
    cr_assert_eq(cell(t, 3, 0), 0.0);
    cr_assert_eq(cell(t, 2, 0), 2.0);
    tune_table_free(t);
}

Test(dataset, missing_markers_read_as_nan_in_numeric_and_text_columns)
{
    struct tune_table *t =
        parse_ok("a,b\n1.25,x\n,NA\nNA,y\nNaN,?\n?,\n  NA  ,\"\"\n\"NA\",nan\n-3.5,x\n");
    cr_assert_eq(t->cols[0].kind, TUNE_COL_NUMERIC);
    cr_assert_eq(t->cols[1].kind, TUNE_COL_CATEGORICAL);
    cr_assert_eq(t->n_rows, 8);
    for (size_t r = 1; r <= 6; r++)
        cr_assert(isnan(cell(t, r, 0)), "row %zu", r);
    cr_assert_eq(cell(t, 0, 0), 1.25);
    cr_assert_eq(cell(t, 7, 0), -3.5);
    cr_assert_eq(t->cols[1].n_levels, 2);
    cr_assert_eq(cell(t, 0, 1), 0.0);
    cr_assert_eq(cell(t, 2, 1), 1.0);
    cr_assert_eq(cell(t, 7, 1), 0.0);
    for (size_t r = 1; r <= 6; r++)
        if (r != 2)
            cr_assert(isnan(cell(t, r, 1)), "row %zu", r);
    tune_table_free(t);
}

Test(dataset, unquoted_cells_are_trimmed_and_quoted_cells_kept_verbatim)
{
    struct tune_table *t = parse_ok(" a , b \n  2.5\t,\" 3\"\n4 , \"x \" \n");
    cr_assert_str_eq(t->cols[0].name, "a");
    cr_assert_str_eq(t->cols[1].name, "b");
    cr_assert_eq(t->cols[0].kind, TUNE_COL_NUMERIC);
    cr_assert_eq(cell(t, 0, 0), 2.5);
    cr_assert_eq(t->cols[1].kind, TUNE_COL_CATEGORICAL);
    cr_assert_str_eq(t->cols[1].levels[0], " 3");
    cr_assert_str_eq(t->cols[1].levels[1], "x ");
    tune_table_free(t);
}

Test(dataset, quoted_fields_hold_commas_doubled_quotes_and_newlines)
{
    struct tune_table *t = parse_ok("name,\"odd, name\"\n\"a, b\",1\n\"say \"\"hi\"\"\",2\n"
                                    "\"two\nlines\",3\n\"crlf\r\nkept\",4\n\"\"\"\",\"5\"\n");
    cr_assert_str_eq(t->cols[1].name, "odd, name");
    cr_assert_eq(t->n_rows, 5);
    cr_assert_eq(t->cols[0].n_levels, 5);
    cr_assert_str_eq(t->cols[0].levels[0], "a, b");
    cr_assert_str_eq(t->cols[0].levels[1], "say \"hi\"");
    cr_assert_str_eq(t->cols[0].levels[2], "two\nlines");
    cr_assert_str_eq(t->cols[0].levels[3], "crlf\r\nkept");
    cr_assert_str_eq(t->cols[0].levels[4], "\"");
    cr_assert_eq(t->cols[1].kind, TUNE_COL_NUMERIC, "a quoted number is still a number");
    cr_assert_eq(cell(t, 4, 1), 5.0);
    /* Rows start on lines 2, 3, 4, 6, 8: quoted newlines count. */
    size_t lines[5] = {2, 3, 4, 6, 8};
    for (size_t r = 0; r < 5; r++)
        cr_assert_eq(t->row_line[r], lines[r], "row %zu on line %zu", r, t->row_line[r]);
    tune_table_free(t);
}

Test(dataset, comma_decimals_hex_and_malformed_numbers_are_text)
{
    const char *not_numbers[] = {"\"2,5\"", "0x1F", "1e", "e5", "1.2.3", "--1", ".",
                                 "1e+",     "+",    "nan(1)", "infinit", "1_000", "1 2"};
    for (size_t i = 0; i < sizeof not_numbers / sizeof *not_numbers; i++) {
        char text[64];
        snprintf(text, sizeof text, "v\n1\n%s\n", not_numbers[i]);
        struct tune_table *t = parse_ok(text);
        cr_assert_eq(t->cols[0].kind, TUNE_COL_CATEGORICAL, "%s read as a number",
                     not_numbers[i]);
        tune_table_free(t);
    }
}

Test(dataset, numbers_convert_exactly_like_strtod)
{
    const char *cells[] = {"0.1",       "-0",         ".5",       "5.",        "+3",
                           "1e-30",     "2.2250738585072014e-308",   "4.9e-324",
                           "1.7976931348623157e308",  "123456789012345678901",
                           "9007199254740993",        "0.000000000000000000000000123",
                           "1E22",      "3.14159265358979323846", "1e400",
                           "-1e-400",   "inf",        "-Infinity", "00012.50"};
    size_t n = sizeof cells / sizeof *cells;
    char text[1024] = "v\n";
    for (size_t i = 0; i < n; i++) {
        strcat(text, cells[i]);
        strcat(text, "\n");
    }
    struct tune_table *t = parse_ok(text);
    cr_assert_eq(t->cols[0].kind, TUNE_COL_NUMERIC);
    cr_assert_eq(t->n_rows, n);
    for (size_t i = 0; i < n; i++) {
        double want = strtod(cells[i], NULL), got = cell(t, i, 0);
        cr_assert(memcmp(&want, &got, sizeof want) == 0, "%s: got %.17g, want %.17g", cells[i],
                  got, want);
    }
    tune_table_free(t);
}

/* 20000 random decimal literals, fast path and strtod path mixed, must read
 * bit for bit as strtod reads them (a fixed LCG keeps the test
 * deterministic). */
Test(dataset, random_decimal_literals_match_strtod_bit_for_bit)
{
    uint64_t s = UINT64_C(0x9E3779B97F4A7C15);
#define NEXT() (s = s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407), s >> 33)
    size_t n = 20000, cap = n * 64, len = 0;
    char *text = malloc(cap), **cells = malloc(n * sizeof *cells);
    len += (size_t)sprintf(text, "v\n");
    for (size_t i = 0; i < n; i++) {
        char buf[64];
        size_t k = 0;
        if (NEXT() % 3 == 0)
            buf[k++] = '-';
        size_t int_digits = NEXT() % 21, frac_digits = NEXT() % 21;
        if (int_digits + frac_digits == 0)
            int_digits = 1;
        for (size_t d = 0; d < int_digits; d++)
            buf[k++] = (char)('0' + NEXT() % 10);
        if (frac_digits) {
            buf[k++] = '.';
            for (size_t d = 0; d < frac_digits; d++)
                buf[k++] = (char)('0' + NEXT() % 10);
        }
        if (NEXT() % 2)
            k += (size_t)sprintf(buf + k, "e%d", (int)(NEXT() % 661) - 330);
        buf[k] = '\0';
        cells[i] = strdup(buf);
        len += (size_t)sprintf(text + len, "%s\n", buf);
    }
#undef NEXT
    struct tune_table *t = NULL;
    struct tune_error e;
    cr_assert_eq(tune_table_parse_csv("rand.csv", text, len, &t, &e), TUNE_OK, "%s", e.msg);
    cr_assert_eq(t->n_rows, n);
    for (size_t i = 0; i < n; i++) {
        double want = strtod(cells[i], NULL), got = t->data[i];
        cr_assert(memcmp(&want, &got, sizeof want) == 0, "%s: got %.17g, want %.17g", cells[i],
                  got, want);
        free(cells[i]);
    }
    tune_table_free(t);
    free(cells);
    free(text);
}

/* 15- to 19-digit literals (what %.17g and pandas write) with exponents
 * around the extended-precision tier's limits: bit for bit as strtod. */
Test(dataset, full_precision_literals_match_strtod_bit_for_bit)
{
    uint64_t s = UINT64_C(20240611);
#define NEXT() (s = s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407), s >> 33)
    size_t n = 50000, len = 0;
    char *text = malloc(n * 48 + 8);
    size_t *start = malloc(n * sizeof *start);
    len += (size_t)sprintf(text, "v\n");
    for (size_t i = 0; i < n; i++) {
        char buf[64];
        size_t k = 0;
        int nd = 15 + (int)(NEXT() % 5), point = (int)(NEXT() % (uint64_t)(nd + 1));
        if (NEXT() % 2)
            buf[k++] = '-';
        buf[k++] = (char)('1' + NEXT() % 9);
        for (int d = 1; d < nd; d++) {
            if (d == point)
                buf[k++] = '.';
            buf[k++] = (char)('0' + NEXT() % 10);
        }
        if (NEXT() % 2)
            k += (size_t)sprintf(buf + k, "e%d", (int)(NEXT() % 59) - 29 - (nd - point));
        buf[k] = '\0';
        start[i] = len;
        len += (size_t)sprintf(text + len, "%s\n", buf);
    }
#undef NEXT
    struct tune_table *t = NULL;
    struct tune_error e;
    cr_assert_eq(tune_table_parse_csv("full.csv", text, len, &t, &e), TUNE_OK, "%s", e.msg);
    cr_assert_eq(t->n_rows, n);
    for (size_t i = 0; i < n; i++) {
        double want = strtod(text + start[i], NULL), got = t->data[i];
        cr_assert(memcmp(&want, &got, sizeof want) == 0, "row %zu: got %.17g, want %.17g", i,
                  got, want);
    }
    tune_table_free(t);
    free(start);
    free(text);
}

/* --------------------------------------------------------- file framing */

Test(dataset, utf8_bom_is_skipped_before_the_first_name)
{
    struct tune_table *t = parse_ok("\xEF\xBB\xBFheight,w\n1.75,2\n");
    cr_assert_str_eq(t->cols[0].name, "height");
    cr_assert_eq(tune_table_find(t, "height"), 0);
    cr_assert_eq(cell(t, 0, 0), 1.75);
    tune_table_free(t);
}

Test(dataset, crlf_and_lone_cr_line_endings_read_like_lf)
{
    const char *texts[] = {"a,b\r\n1.5,x\r\n-2.75,y\r\n", "a,b\r1.5,x\r-2.75,y\r",
                           "a,b\n1.5,x\n-2.75,y"};
    for (size_t i = 0; i < 3; i++) {
        struct tune_table *t = parse_ok(texts[i]);
        cr_assert_eq(t->n_rows, 2, "text %zu", i);
        cr_assert_eq(cell(t, 1, 0), -2.75);
        cr_assert_str_eq(t->cols[1].levels[1], "y", "no CR left in the last level");
        cr_assert_str_eq(t->cols[1].name, "b");
        cr_assert_eq(t->row_line[1], 3);
        tune_table_free(t);
    }
}

Test(dataset, blank_lines_are_skipped_and_do_not_shift_line_numbers)
{
    struct tune_table *t = parse_ok("\na,b\n\n1,2\n   \n3,4\n\n\r\n \t \n");
    cr_assert_eq(t->n_rows, 2);
    cr_assert_eq(t->row_line[0], 4);
    cr_assert_eq(t->row_line[1], 6);
    cr_assert_eq(cell(t, 1, 1), 4.0);
    tune_table_free(t);
}

Test(dataset, trailing_comma_is_an_empty_last_field)
{
    struct tune_table *t = parse_ok("a,b,c\n1,2,\n3,4,5");
    cr_assert(isnan(cell(t, 0, 2)));
    cr_assert_eq(cell(t, 1, 2), 5.0);
    tune_table_free(t);
}

Test(dataset, text_that_is_not_nul_terminated_is_never_overread)
{
    const char src[] = "a,b\n1.5,2.5e3";
    size_t len = sizeof src - 1;
    char *exact = malloc(len); /* no terminator: ASan flags any read past it */
    memcpy(exact, src, len);
    struct tune_table *t = NULL;
    struct tune_error e;
    cr_assert_eq(tune_table_parse_csv("mem.csv", exact, len, &t, &e), TUNE_OK, "%s", e.msg);
    cr_assert_eq(cell(t, 0, 1), 2500.0);
    tune_table_free(t);
    free(exact);
}

Test(dataset, every_prefix_of_a_tricky_file_parses_or_fails_cleanly)
{
    const char *src = "\xEF\xBB\xBF\"a\",b , c\r\n\"x,\"\"y\"\"\n\", 1e3 ,NA\r\n?,\"2\",  \n"
                      "\n q ,-.5,inf\n\"open";
    size_t n = strlen(src);
    for (size_t len = 0; len <= n; len++) {
        char *copy = malloc(len + 1);
        memcpy(copy, src, len);
        struct tune_table *t = NULL;
        struct tune_error e;
        tune_error_clear(&e);
        int rc = tune_table_parse_csv("mem.csv", copy, len, &t, &e);
        if (rc == TUNE_OK) {
            cr_assert_eq(t->n_cols, 3, "prefix %zu", len);
            tune_table_free(t);
        } else {
            cr_assert_eq(rc, TUNE_EINVAL, "prefix %zu: %s", len, e.msg);
            cr_assert(strncmp(e.msg, "mem.csv:", 8) == 0, "prefix %zu: %s", len, e.msg);
            cr_assert_null(t);
        }
        free(copy);
    }
}

/* ----------------------------------------------------------- bad numbers */

/* data/wine.csv with the magnesium cell (5th field) of the given lines
 * replaced: line_no[i] gets text[i]; written to dir/wine.csv. */
static char *wine_with(const char *dir, const size_t *line_no, const char *const *text, size_t n)
{
    size_t len;
    char *src = slurp("data/wine.csv", &len), *out = malloc(len + 64 * n + 1), *o = out;
    size_t line = 1;
    for (char *p = src; *p; line++) {
        char *eol = strchr(p, '\n');
        size_t k = 0;
        for (; k < n && line_no[k] != line; k++)
            ;
        if (k < n) {
            char *f = p;
            for (int comma = 0; comma < 4; comma++)
                f = strchr(f, ',') + 1;
            char *fend = strchr(f, ',');
            o += sprintf(o, "%.*s%s", (int)(f - p), p, text[k]);
            p = fend;
        }
        size_t rest = (size_t)(eol ? eol + 1 - p : (long)strlen(p));
        memcpy(o, p, rest);
        o += rest;
        p += rest;
    }
    *o = '\0';
    char *path = tu_write(dir, "wine.csv", out);
    free(src);
    free(out);
    return path;
}

/* A typo in a numeric column ("1O0" among magnesium's numbers) used to
 * turn the column into 53 text levels, which one-hot encoding spread over
 * 56 columns "magnesium=127.0" — silently.  Loading a study's data refuses
 * it, naming the file, the column, and the line and text of the cell. */
Test(dataset, a_typo_in_a_numeric_column_is_refused_naming_its_line)
{
    char *dir = tu_tmpdir();
    size_t line = 14;
    const char *typo = "1O0";
    char *path = wine_with(dir, &line, &typo, 1);
    struct tune_dataset *ds = (struct tune_dataset *)1;
    struct tune_error e;
    cr_assert_eq(tune_dataset_load(path, "target", TUNE_TASK_MULTICLASS, &ds, &e), TUNE_EINVAL);
    cr_assert_null(ds);
    char want[800];
    snprintf(want, sizeof want,
             "%s: column 'magnesium' is numeric except 1 cell: line 14 '1O0' (set \"data\": "
             "{\"bad_numbers\": \"missing\"} to read such cells as missing, or \"text\" to read "
             "the column as text)",
             path);
    cr_assert_str_eq(e.msg, want);
    unlink(path);
    free(path);
    rmdir(dir);
    free(dir);
}

Test(dataset, bad_numbers_missing_reads_the_bad_cells_as_missing)
{
    char *dir = tu_tmpdir();
    size_t lines[] = {14, 100};
    const char *cells[] = {"1O0", "\"n/a\""};
    char *path = wine_with(dir, lines, cells, 2);
    struct tune_csv_options o = {.bad_numbers = TUNE_BAD_NUMBERS_MISSING};
    struct tune_dataset *ds = NULL;
    struct tune_error e;
    cr_assert_eq(tune_dataset_load_opts(path, "target", TUNE_TASK_MULTICLASS, &o, &ds, &e),
                 TUNE_OK, "%s", e.msg);
    cr_assert_eq(ds->n_features, 13);
    cr_assert_eq(ds->features[4].kind, TUNE_COL_NUMERIC);
    cr_assert_eq(ds->features[4].n_levels, 0);
    cr_assert(isnan(ds->x[4 * ds->n_rows + 12]), "line 14 is row 12");
    cr_assert(isnan(ds->x[4 * ds->n_rows + 98]), "line 100 is row 98");
    cr_assert_eq(ds->x[4 * ds->n_rows + 0], 127.0);
    cr_assert_eq(ds->x[4 * ds->n_rows + 13], 91.0, "line 15's magnesium");
    tune_dataset_free(ds);
    unlink(path);
    free(path);
    rmdir(dir);
    free(dir);
}

Test(dataset, bad_numbers_text_and_the_plain_table_reader_read_the_column_as_text)
{
    char *dir = tu_tmpdir();
    size_t line = 14;
    const char *typo = "1O0";
    char *path = wine_with(dir, &line, &typo, 1);
    struct tune_csv_options o = {.bad_numbers = TUNE_BAD_NUMBERS_TEXT};
    struct tune_dataset *ds = NULL;
    struct tune_error e;
    cr_assert_eq(tune_dataset_load_opts(path, "target", TUNE_TASK_MULTICLASS, &o, &ds, &e),
                 TUNE_OK, "%s", e.msg);
    cr_assert_eq(ds->features[4].kind, TUNE_COL_CATEGORICAL);
    cr_assert_eq(ds->features[4].n_levels, 54);
    cr_assert_str_eq(ds->features[4].levels[0], "127.0", "levels are the text as written");
    cr_assert_str_eq(ds->features[4].levels[(size_t)ds->x[4 * ds->n_rows + 12]], "1O0");
    tune_dataset_free(ds);
    /* Tables are raw reads: their readers (predictions, truth) check each
     * cell themselves, so the plain entry points keep the column as text. */
    struct tune_table *t = NULL;
    cr_assert_eq(tune_table_read_csv(path, &t, &e), TUNE_OK, "%s", e.msg);
    cr_assert_eq(t->cols[4].kind, TUNE_COL_CATEGORICAL);
    tune_table_free(t);
    unlink(path);
    free(path);
    rmdir(dir);
    free(dir);
}

/* Column "v" of `n_num` numbers 1..n_num (and `n_missing` empty cells)
 * followed by the given texts; parsed with bad numbers an error. */
static int parse_mixed(size_t n_num, size_t n_missing, const char *const *texts, size_t n_text,
                       struct tune_table **t, struct tune_error *e)
{
    char text[4096] = "v\n";
    for (size_t i = 0; i < n_num; i++)
        sprintf(text + strlen(text), "%zu.5\n", i + 1);
    for (size_t i = 0; i < n_missing; i++)
        strcat(text, "\n\"\"\n");
    for (size_t i = 0; i < n_text; i++)
        sprintf(text + strlen(text), "%s\n", texts[i]);
    struct tune_csv_options o = {.bad_numbers = TUNE_BAD_NUMBERS_ERROR};
    *t = NULL;
    return tune_table_parse_csv_opts("mem.csv", text, strlen(text), &o, t, e);
}

/* The rule: at least 10 numbers, and the texts at most 1 in 10 of the
 * non-missing cells, or all one same text and fewer than the numbers. */
Test(dataset, a_column_is_numeric_but_for_a_few_cells_by_a_documented_rule)
{
    const char *abc[] = {"a", "b", "c", "d", "e", "f"};
    const char *unk[] = {"unknown", "unknown", "unknown", "unknown", "unknown", "unknown",
                         "unknown", "unknown", "unknown", "unknown"};
    static const struct {
        size_t n_num, n_missing, n_text;
        int same, refused;
    } cases[] = {
        {9, 0, 1, 0, 0},   /* too few numbers to tell */
        {10, 0, 1, 0, 1},  /* 1 in 11 */
        {18, 0, 2, 0, 1},  /* 2 in 20: 1 in 10 */
        {17, 0, 3, 0, 0},  /* 3 in 20 distinct texts: a text column */
        {10, 30, 1, 0, 1}, /* missing cells do not count */
        {17, 0, 3, 1, 1},  /* one same text, fewer than the numbers */
        {10, 0, 9, 1, 1},
        {10, 0, 10, 1, 0}, /* as many as the numbers */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct tune_table *t;
        struct tune_error e;
        int rc = parse_mixed(cases[i].n_num, cases[i].n_missing, cases[i].same ? unk : abc,
                             cases[i].n_text, &t, &e);
        if (cases[i].refused) {
            cr_assert_eq(rc, TUNE_EINVAL, "case %zu", i);
            cr_assert(strstr(e.msg, "mem.csv: column 'v' is numeric except"), "%s", e.msg);
        } else {
            cr_assert_eq(rc, TUNE_OK, "case %zu: %s", i, e.msg);
            cr_assert_eq(t->cols[0].kind, TUNE_COL_CATEGORICAL, "case %zu", i);
        }
        tune_table_free(t);
    }
}

Test(dataset, the_message_names_three_cells_and_counts_the_rest)
{
    const char *texts[] = {"x", "y\"z", "w", "w", "q"};
    struct tune_table *t;
    struct tune_error e;
    cr_assert_eq(parse_mixed(50, 0, texts, 5, &t, &e), TUNE_EINVAL);
    cr_assert_str_eq(e.msg, "mem.csv: column 'v' is numeric except 5 cells: line 52 'x', line "
                            "53 'y\"z', line 54 'w' and 2 more (set \"data\": {\"bad_numbers\": "
                            "\"missing\"} to read such cells as missing, or \"text\" to read "
                            "the column as text)");
}

/* ------------------------------------------------------ reading in blocks */

/* Two reads of the same bytes: the same status and message, or tables equal
 * to the bit (levels, NaNs, line numbers and checksum included). */
static void assert_same_read(int rc_a, const struct tune_error *ea, const struct tune_table *a,
                             int rc_b, const struct tune_error *eb, const struct tune_table *b,
                             const char *what)
{
    cr_assert_eq(rc_a, rc_b, "%s: rc %d vs %d (%s | %s)", what, rc_a, rc_b, ea->msg, eb->msg);
    if (rc_a) {
        cr_assert_str_eq(ea->msg, eb->msg, "%s", what);
        cr_assert_null(b, "%s", what);
        return;
    }
    cr_assert_eq(a->n_rows, b->n_rows, "%s", what);
    cr_assert_eq(a->n_cols, b->n_cols, "%s", what);
    cr_assert_eq(a->checksum, b->checksum, "%s", what);
    for (size_t j = 0; j < a->n_cols; j++) {
        cr_assert_str_eq(a->cols[j].name, b->cols[j].name, "%s", what);
        cr_assert_eq(a->cols[j].kind, b->cols[j].kind, "%s col %zu", what, j);
        cr_assert_eq(a->cols[j].n_levels, b->cols[j].n_levels, "%s col %zu", what, j);
        for (size_t k = 0; k < a->cols[j].n_levels; k++)
            cr_assert_str_eq(a->cols[j].levels[k], b->cols[j].levels[k], "%s", what);
    }
    cr_assert(memcmp(a->data, b->data, a->n_rows * a->n_cols * sizeof *a->data) == 0, "%s",
              what);
    cr_assert(memcmp(a->row_line, b->row_line, a->n_rows * sizeof *a->row_line) == 0, "%s",
              what);
}

static const size_t blocks[] = {1, 2, 3, 5, 8, 13, 64, 1000, 4096};

/* Text `text` parsed in place (the reference), then in blocks of every
 * size; with `path` (a file of the same bytes) also read from disk, by
 * default and in blocks, under the same name. */
static void assert_blocks_agree(const char *name, const char *path, const char *text, size_t len,
                                const struct tune_csv_options *opts)
{
    struct tune_table *ref = NULL;
    struct tune_error eref = {0};
    int rc_ref = tune_table_parse_csv_opts(name, text, len, opts, &ref, &eref);
    for (size_t b = 0; b < sizeof blocks / sizeof *blocks; b++) {
        struct tune_table *t = NULL;
        struct tune_error e = {0};
        char what[600];
        snprintf(what, sizeof what, "%s, blocks of %zu", name, blocks[b]);
        int rc = tune_table_parse_csv_block(name, text, len, opts, blocks[b], &t, &e);
        assert_same_read(rc_ref, &eref, ref, rc, &e, t, what);
        tune_table_free(t);
        if (!path)
            continue;
        t = NULL;
        rc = tune_table_read_csv_block(path, opts, blocks[b], &t, &e);
        snprintf(what, sizeof what, "%s from disk, blocks of %zu", name, blocks[b]);
        assert_same_read(rc_ref, &eref, ref, rc, &e, t, what);
        tune_table_free(t);
    }
    if (path) {
        struct tune_table *t = NULL;
        struct tune_error e = {0};
        int rc = tune_table_read_csv_opts(path, opts, &t, &e);
        assert_same_read(rc_ref, &eref, ref, rc, &e, t, name);
        tune_table_free(t);
    }
    tune_table_free(ref);
}

/* Every file in `dir` (and its subfolders), whatever it holds. */
static size_t check_folder(const char *dir, const struct tune_csv_options *opts)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "%s", dir);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        cr_assert_eq(stat(path, &st), 0, "%s", path);
        if (S_ISDIR(st.st_mode)) {
            n += check_folder(path, opts);
            continue;
        }
        size_t len;
        char *text = slurp(path, &len);
        assert_blocks_agree(path, path, text, len, opts);
        free(text);
        n++;
    }
    closedir(d);
    return n;
}

Test(dataset, every_test_file_reads_the_same_from_disk_from_memory_and_in_any_blocks,
     .timeout = 120)
{
    const char *dirs[] = {"data", "tests/data", "tests/fuzz/corpus"};
    const struct tune_csv_options variants[] = {
        {.bad_numbers = TUNE_BAD_NUMBERS_DEFAULT},
        {.bad_numbers = TUNE_BAD_NUMBERS_ERROR},
        {.bad_numbers = TUNE_BAD_NUMBERS_MISSING},
        {.delimiter = ';'},
        {.delimiter = '\t', .bad_numbers = TUNE_BAD_NUMBERS_MISSING},
    };
    for (size_t v = 0; v < sizeof variants / sizeof *variants; v++)
        for (size_t i = 0; i < 3; i++)
            cr_assert_geq(check_folder(dirs[i], &variants[v]), 3, "%s", dirs[i]);
}

/* Texts whose records straddle block boundaries in every way: quoted
 * fields with newlines and doubled quotes, CRLF, a lone CR last, a BOM,
 * numbers, padding, blank lines, text that turns a numeric column, and
 * errors late in the file. */
Test(dataset, tricky_texts_read_the_same_in_any_blocks)
{
    const char *texts[] = {
        "\xEF\xBB\xBF\"a\",b , c\r\n\"x,\"\"y\"\"\n\", 1e3 ,NA\r\n?,\"2\",  \n"
        "\n q ,-.5,inf\n\"open",
        "\xEF\xBB\xBF\"a\",b , c\r\n\"x,\"\"y\"\"\n\", 1e3 ,NA\r\n?,\"2\",  \r\n\r\n q ,-.5,inf\r",
        "id,v\r\n01,0.5\r\n1.50,0.25\r\n1,1\r\nx9,2\r\n01,3\r\n\"1.50\",4\r\n",
        "a,b\n1,2\n3,4\n5,6,7\n",
        "a,b\n1,\"x\ny\"\n2,\"p\r\nq\r\nr\"\n3,4,5\n",
        "a\n\"x\"\x01\n",
        "a;b\n1;2\n",
        "a;\"b;c\";d\r\n1;\"x\r\ny;\";3\r\n\t4\t;\t5\t;\t\r\n",
        "a\tb\n\t\n1\t2\r\n\t \t\n",
        "h\n1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n1O0\n12345678901234567890123\n",
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        char name[32];
        snprintf(name, sizeof name, "text%zu.csv", i);
        struct tune_csv_options missing = {.bad_numbers = TUNE_BAD_NUMBERS_MISSING},
                                semicolon = {.delimiter = ';'}, tab = {.delimiter = '\t'};
        assert_blocks_agree(name, NULL, texts[i], strlen(texts[i]), NULL);
        assert_blocks_agree(name, NULL, texts[i], strlen(texts[i]), &missing);
        assert_blocks_agree(name, NULL, texts[i], strlen(texts[i]), &semicolon);
        assert_blocks_agree(name, NULL, texts[i], strlen(texts[i]), &tab);
    }
}

/* A column that turns out text after some numbers keeps those numbers'
 * text as written ("01" and "1.50" stay apart from "1" and "1.5"): the
 * reader looks at those cells again, from a file as from memory. */
Test(dataset, numbers_before_the_first_text_keep_their_text_as_written)
{
    const char *text = "id,v\n01,0.5\n1.50,0.25\n1,1\nx9,2\n01,3\n\"1.5\",4\n";
    const char *levels[] = {"01", "1.50", "1", "x9", "1.5"};
    double codes[] = {0, 1, 2, 3, 0, 4};
    char *dir = tu_tmpdir();
    char *path = tu_write(dir, "ids.csv", text);
    for (int from_disk = 0; from_disk < 2; from_disk++) {
        struct tune_table *t = from_disk ? NULL : parse_ok(text);
        struct tune_error e;
        if (from_disk)
            cr_assert_eq(tune_table_read_csv_block(path, NULL, 3, &t, &e), TUNE_OK, "%s", e.msg);
        cr_assert_eq(t->cols[0].kind, TUNE_COL_CATEGORICAL);
        cr_assert_eq(t->cols[0].n_levels, 5);
        for (size_t k = 0; k < 5; k++)
            cr_assert_str_eq(t->cols[0].levels[k], levels[k]);
        for (size_t r = 0; r < 6; r++)
            cr_assert_eq(cell(t, r, 0), codes[r], "row %zu", r);
        cr_assert_eq(t->cols[1].kind, TUNE_COL_NUMERIC);
        tune_table_free(t);
    }
    unlink(path);
    free(path);
    rmdir(dir);
    free(dir);
}

/* A pipe is read once: it cannot be looked at again, so the numbers seen
 * before a column's first text are named by their shortest round-trip
 * text ("01" is "1", "1.50" is "1.5"); its size is unknown, so the rows'
 * block grows by doubling.  Everything else is as from a file. */
Test(dataset, a_pipe_is_read_once_and_names_early_numbers_by_their_value)
{
    size_t n = 3000, len = 0;
    char *text = malloc(n * 32 + 64);
    len += (size_t)sprintf(text, "id,v\n01,0.5\n1.50,0.25\n-0,7\n");
    for (size_t r = 3; r < n; r++)
        len += (size_t)sprintf(text + len, "%s,%zu.25\n", r == 2000 ? "x9" : r % 2 ? "01" : "2",
                               r);
    char *dir = tu_tmpdir(), path[600];
    snprintf(path, sizeof path, "%s/pipe.csv", dir);
    cr_assert_eq(mkfifo(path, 0600), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        FILE *f = fopen(path, "wb");
        fwrite(text, 1, len, f);
        fclose(f);
        _exit(0);
    }
    struct tune_table *t = NULL, *ref = NULL;
    struct tune_error e;
    int rc = tune_table_read_csv(path, &t, &e);
    int status;
    waitpid(pid, &status, 0);
    cr_assert_eq(rc, TUNE_OK, "%s", e.msg);
    cr_assert_eq(t->n_rows, n);
    cr_assert_eq(t->cols[0].kind, TUNE_COL_CATEGORICAL);
    const char *levels[] = {"1", "1.5", "0", "2", "x9"};
    cr_assert_eq(t->cols[0].n_levels, 5);
    for (size_t k = 0; k < 5; k++)
        cr_assert_str_eq(t->cols[0].levels[k], levels[k]);
    cr_assert_eq(cell(t, 2000, 0), 4.0);
    cr_assert_eq(cell(t, 2001, 0), 0.0, "01 after the text is still level '1'");
    ref = parse_ok(text);
    cr_assert_eq(t->checksum, ref->checksum);
    cr_assert(memcmp(t->data + n, ref->data + n, n * sizeof *t->data) == 0, "column v");
    cr_assert(memcmp(t->row_line, ref->row_line, n * sizeof *t->row_line) == 0);
    cr_assert_str_eq(ref->cols[0].levels[0], "01", "from memory, the text as written");
    tune_table_free(ref);
    tune_table_free(t);
    unlink(path);
    rmdir(dir);
    free(dir);
    free(text);
}

/* A record longer than many blocks (a 1 MB quoted cell) is read whole, and
 * the window grows with it instead of rescanning it block after block. */
Test(dataset, a_record_longer_than_a_block_is_read_whole)
{
    size_t big = 1 << 20;
    char *text = malloc(big + 64);
    size_t len = (size_t)sprintf(text, "a,b\n1,\"");
    memset(text + len, 'x', big);
    len += big;
    len += (size_t)sprintf(text + len, "\"\n2,y\n");
    struct tune_table *t = NULL;
    struct tune_error e;
    cr_assert_eq(tune_table_parse_csv_block("long.csv", text, len, NULL, 7, &t, &e), TUNE_OK,
                 "%s", e.msg);
    cr_assert_eq(t->n_rows, 2);
    cr_assert_eq(strlen(t->cols[1].levels[0]), big);
    tune_table_free(t);
    free(text);
}

/* ---------------------------------------------------------------- errors */

Test(dataset, empty_file_is_an_error_at_line_one)
{
    expect_error("", "mem.csv:1:1: empty file, expected a header row");
    expect_error("\xEF\xBB\xBF", "mem.csv:1:1: empty file, expected a header row");
    expect_error("\n \n\r\n", "mem.csv:4:1: empty file, expected a header row");
}

Test(dataset, header_without_rows_is_an_error)
{
    expect_error("a,b\n", "mem.csv:2:1: no data rows after the header on line 1");
    expect_error("\na,b\n\n\n", "mem.csv:5:1: no data rows after the header on line 2");
    expect_error("a,b", "mem.csv:1:1: no data rows after the header on line 1");
}

Test(dataset, duplicate_and_empty_column_names_are_errors)
{
    expect_error("a,b,a\n1,2,3\n", "mem.csv:1:3: duplicate column name 'a' (also column 1)");
    expect_error("x,\"y\",\" y\",y\n1,2,3,4\n",
                 "mem.csv:1:4: duplicate column name 'y' (also column 2)");
    expect_error("a,,c\n1,2,3\n", "mem.csv:1:2: empty column name");
    expect_error("a,b,\n1,2,3\n", "mem.csv:1:3: empty column name");
    expect_error("a,\"\"\n1,2\n", "mem.csv:1:2: empty column name");
    /* Messages stay on one line whatever bytes a name holds. */
    expect_error("\"a\nb\",\"a\nb\"\n1,2\n",
                 "mem.csv:2:2: duplicate column name 'a\\nb' (also column 1)");
}

Test(dataset, short_row_names_line_and_first_missing_column)
{
    expect_error("a,b,c\n1,2,3\n4,5\n",
                 "mem.csv:3:3: expected 3 fields, got 2 (column 'c')");
    expect_error("a,b,c\n1,2,3\n4\n", "mem.csv:3:2: expected 3 fields, got 1 (column 'b')");
}

Test(dataset, long_row_names_line_and_first_extra_field)
{
    expect_error("a,b\n1,2\n3,4\n5,6,7,8\n", "mem.csv:4:3: expected 2 fields, got 4");
}

Test(dataset, quoted_newlines_shift_line_numbers_of_later_errors)
{
    expect_error("a,b\n1,\"x\ny\"\n2,\"p\r\nq\r\nr\"\n3,4,5\n",
                 "mem.csv:7:3: expected 2 fields, got 3");
    expect_error("a,b\n1,\"x\ny\"\n2\n", "mem.csv:4:2: expected 2 fields, got 1 (column 'b')");
}

Test(dataset, unterminated_quote_names_the_line_where_it_opened)
{
    expect_error("a,b\n1,2\n3,\"abc\n4,5\n6,7\n",
                 "mem.csv:3:2: unterminated quote opened here (column 'b')");
    expect_error("\"a", "mem.csv:1:1: unterminated quote opened here");
}

Test(dataset, text_after_a_closing_quote_is_an_error)
{
    expect_error("a,b\n1,\"x\"y\n", "mem.csv:2:2: unexpected 'y' after closing quote (column 'b')");
    expect_error("a\n\"x\"\x01\n", "mem.csv:2:1: unexpected byte 0x01 after closing quote "
                                   "(column 'a')");
}

Test(dataset, nul_bytes_are_errors)
{
    const char text[] = "a,b\n1,x\0y\n";
    struct tune_table *t = NULL;
    struct tune_error e;
    cr_assert_eq(tune_table_parse_csv("mem.csv", text, sizeof text - 1, &t, &e), TUNE_EINVAL);
    cr_assert_str_eq(e.msg, "mem.csv:2:2: NUL byte in field (column 'b')");
}

/* A file that cannot be opened — missing, a folder, not readable — is bad
 * input (TUNE_EINVAL, CLI exit 2), not an I/O failure: the user named the
 * wrong file. */
Test(dataset, a_missing_or_unopenable_file_is_bad_input_with_strerror)
{
    char *dir = tu_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/nope.csv", dir);
    struct tune_table *t = (struct tune_table *)1;
    struct tune_error e;
    cr_assert_eq(tune_table_read_csv(path, &t, &e), TUNE_EINVAL);
    cr_assert_null(t);
    char want[600];
    snprintf(want, sizeof want, "%s: cannot open: No such file or directory", path);
    cr_assert_str_eq(e.msg, want);
    /* A folder opens, on Linux, but is no CSV file. */
    cr_assert_eq(tune_table_read_csv(dir, &t, &e), TUNE_EINVAL);
    snprintf(want, sizeof want, "%s: cannot open: Is a directory", dir);
    cr_assert_str_eq(e.msg, want);
    /* So is a path through a file. */
    char *file = tu_write(dir, "f.csv", "a\n1\n");
    snprintf(path, sizeof path, "%s/f.csv/x.csv", dir);
    cr_assert_eq(tune_table_read_csv(path, &t, &e), TUNE_EINVAL);
    snprintf(want, sizeof want, "%s: cannot open: Not a directory", path);
    cr_assert_str_eq(e.msg, want);
    /* And a file without read permission (root reads it anyway). */
    if (geteuid() != 0) {
        cr_assert_eq(chmod(file, 0), 0);
        cr_assert_eq(tune_table_read_csv(file, &t, &e), TUNE_EINVAL);
        snprintf(want, sizeof want, "%s: cannot open: Permission denied", file);
        cr_assert_str_eq(e.msg, want);
    }
    struct tune_dataset *ds = (struct tune_dataset *)1;
    snprintf(path, sizeof path, "%s/nope.csv", dir);
    cr_assert_eq(tune_dataset_load(path, "a", TUNE_TASK_REGRESSION, &ds, &e), TUNE_EINVAL);
    cr_assert_null(ds);
    unlink(file);
    free(file);
    rmdir(dir);
    free(dir);
}

Test(dataset, files_on_disk_read_with_bom_and_crlf)
{
    char *dir = tu_tmpdir();
    char *path = tu_write(dir, "w.csv", "\xEF\xBB\xBFx,label\r\n0.125,\"b, c\"\r\n\r\n9,a\r\n");
    struct tune_dataset *ds = NULL;
    struct tune_error e;
    int rc = tune_dataset_load(path, "label", TUNE_TASK_BINARY, &ds, &e);
    cr_assert_eq(rc, TUNE_OK, "%s", e.msg);
    cr_assert_str_eq(ds->path, path);
    cr_assert_eq(ds->n_rows, 2);
    cr_assert_str_eq(ds->class_names[0], "a");
    cr_assert_str_eq(ds->class_names[1], "b, c");
    cr_assert_eq(ds->y[0], 1.0);
    cr_assert_eq(ds->y[1], 0.0);
    cr_assert_eq(ds->x[0], 0.125);
    tune_dataset_free(ds);
    unlink(path);
    free(path);
    rmdir(dir);
    free(dir);
}

/* -------------------------------------------------------------- checksum */

/* XXH64 with seed 0, written out in one shot from its specification
 * (Cyan4973/xxHash, doc/xxhash_spec.md), apart from the reader's streaming
 * code; the constants below were printed by xxh64sum (Debian's xxhash). */
static uint64_t rotl64(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

static uint64_t le64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static uint64_t ref_xxh64(const unsigned char *p, size_t n)
{
    const uint64_t P1 = 0x9E3779B185EBCA87u, P2 = 0xC2B2AE3D27D4EB4Fu,
                   P3 = 0x165667B19E3779F9u, P4 = 0x85EBCA77C2B2AE63u,
                   P5 = 0x27D4EB2F165667C5u;
    const unsigned char *end = p + n;
    uint64_t h;
    if (n >= 32) {
        uint64_t v[4] = {P1 + P2, P2, 0, -P1};
        for (; end - p >= 32; p += 32)
            for (int i = 0; i < 4; i++)
                v[i] = rotl64(v[i] + le64(p + 8 * i) * P2, 31) * P1;
        h = rotl64(v[0], 1) + rotl64(v[1], 7) + rotl64(v[2], 12) + rotl64(v[3], 18);
        for (int i = 0; i < 4; i++)
            h = (h ^ rotl64(v[i] * P2, 31) * P1) * P1 + P4;
    } else {
        h = P5;
    }
    h += n;
    for (; end - p >= 8; p += 8)
        h = rotl64(h ^ rotl64(le64(p) * P2, 31) * P1, 27) * P1 + P4;
    if (end - p >= 4) {
        uint64_t w = (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
                     (uint64_t)p[3] << 24;
        h = rotl64(h ^ w * P1, 23) * P2 + P3;
        p += 4;
    }
    for (; p < end; p++)
        h = rotl64(h ^ *p * P5, 11) * P1;
    h ^= h >> 33;
    h *= P2;
    h ^= h >> 29;
    h *= P3;
    return h ^ (h >> 32);
}

Test(dataset, the_checksum_is_xxh64_of_the_files_bytes)
{
    cr_assert_eq(ref_xxh64((const unsigned char *)"", 0), UINT64_C(0xef46db3751d8e999));
    cr_assert_eq(ref_xxh64((const unsigned char *)"abc", 3), UINT64_C(0x44bc2cf5ad770999));
    const char *text = "x,label\n0.125,\"b, c\"\n9,a\n";
    char *dir = tu_tmpdir();
    char *path = tu_write(dir, "small.csv", text);
    struct tune_table *t = NULL;
    struct tune_error e;
    cr_assert_eq(tune_table_read_csv(path, &t, &e), TUNE_OK, "%s", e.msg);
    cr_assert_eq(t->checksum, UINT64_C(0x05edc4dfc8f6d46a), "%016llx",
                 (unsigned long long)t->checksum);
    cr_assert_eq(t->checksum, ref_xxh64((const unsigned char *)text, strlen(text)));
    tune_table_free(t);
    t = parse_ok(text);
    cr_assert_eq(t->checksum, UINT64_C(0x05edc4dfc8f6d46a), "the same bytes in memory");
    tune_table_free(t);

    /* The dataset carries it, with the file's column count. */
    struct tune_dataset *ds = NULL;
    cr_assert_eq(tune_dataset_load(path, "label", TUNE_TASK_BINARY, &ds, &e), TUNE_OK, "%s",
                 e.msg);
    cr_assert_eq(ds->checksum, UINT64_C(0x05edc4dfc8f6d46a));
    cr_assert_eq(ds->n_cols_file, 2);
    cr_assert_eq(ds->n_features, 1);
    tune_dataset_free(ds);

    /* A file longer than one 32-byte stripe, with a tail of every length. */
    char *iris = tu_read("data", "iris.csv");
    cr_assert_not_null(iris);
    cr_assert_eq(tune_dataset_load("data/iris.csv", "target", TUNE_TASK_MULTICLASS, &ds, &e),
                 TUNE_OK, "%s", e.msg);
    cr_assert_eq(ds->checksum, UINT64_C(0x05790946a058035b));
    cr_assert_eq(ds->checksum, ref_xxh64((const unsigned char *)iris, strlen(iris)));
    cr_assert_eq(ds->n_cols_file, 5);
    tune_dataset_free(ds);
    for (size_t len = 0; len < 80; len++) {
        struct tune_table *p = NULL;
        if (tune_table_parse_csv("mem.csv", iris, 400 + len, &p, &e) == TUNE_OK) {
            cr_assert_eq(p->checksum, ref_xxh64((const unsigned char *)iris, 400 + len),
                         "length %zu", 400 + len);
            tune_table_free(p);
        }
    }
    free(iris);
    unlink(path);
    free(path);
    rmdir(dir);
    free(dir);
}

/* --------------------------------------------------------------- dataset */

static struct tune_dataset *split_ok(const char *text, const char *target, enum tune_task task)
{
    struct tune_table *t = parse_ok(text);
    struct tune_dataset *ds = NULL;
    struct tune_error e;
    int rc = tune_dataset_from_table(t, target, task, &ds, &e);
    cr_assert_eq(rc, TUNE_OK, "%s", e.msg);
    tune_table_free(t);
    return ds;
}

static void expect_split_error(const char *text, const char *target, enum tune_task task,
                               const char *msg)
{
    struct tune_table *t = parse_ok(text);
    struct tune_dataset *ds = (struct tune_dataset *)1;
    struct tune_error e;
    int rc = tune_dataset_from_table(t, target, task, &ds, &e);
    cr_assert_eq(rc, TUNE_EINVAL, "rc %d: %s", rc, e.msg);
    cr_assert_null(ds);
    cr_assert_str_eq(e.msg, msg);
    tune_table_free(t);
}

Test(dataset, target_in_the_middle_is_removed_and_feature_order_kept)
{
    struct tune_dataset *ds =
        split_ok("f1,y,f2,f3\n0.5,3.25,a,7\n1.5,-8.5,b,9\n", "y", TUNE_TASK_REGRESSION);
    cr_assert_eq(ds->n_features, 3);
    cr_assert_str_eq(ds->features[0].name, "f1");
    cr_assert_str_eq(ds->features[1].name, "f2");
    cr_assert_str_eq(ds->features[2].name, "f3");
    cr_assert_eq(ds->features[1].kind, TUNE_COL_CATEGORICAL);
    cr_assert_str_eq(ds->features[1].levels[1], "b");
    cr_assert_eq(ds->x[0 * 2 + 1], 1.5);
    cr_assert_eq(ds->x[1 * 2 + 1], 1.0);
    cr_assert_eq(ds->x[2 * 2 + 0], 7.0);
    cr_assert_eq(ds->y[0], 3.25);
    cr_assert_eq(ds->y[1], -8.5);
    cr_assert_eq(ds->n_classes, 0);
    cr_assert_null(ds->class_names);
    cr_assert_eq(ds->task, TUNE_TASK_REGRESSION);
    tune_dataset_free(ds);
}

Test(dataset, numeric_class_labels_are_coded_in_numeric_order)
{
    struct tune_dataset *ds =
        split_ok("x,y\n1,10\n2,2\n3,2.5\n4,10\n5,-0.75\n", "y", TUNE_TASK_MULTICLASS);
    cr_assert_eq(ds->n_classes, 4);
    const char *names[4] = {"-0.75", "2", "2.5", "10"};
    for (size_t k = 0; k < 4; k++)
        cr_assert_str_eq(ds->class_names[k], names[k]);
    double codes[5] = {3, 1, 2, 3, 0};
    for (size_t r = 0; r < 5; r++)
        cr_assert_eq(ds->y[r], codes[r], "row %zu", r);
    tune_dataset_free(ds);
}

Test(dataset, numeric_class_names_are_the_shortest_round_trip_text)
{
    struct tune_dataset *ds =
        split_ok("x,y\n1,1e20\n2,0.1\n3,-0\n4,0.30000000000000004\n5,0\n", "y",
                 TUNE_TASK_MULTICLASS);
    cr_assert_eq(ds->n_classes, 4, "0 and -0 are one class");
    const char *names[4] = {"0", "0.1", "0.30000000000000004", "1e+20"};
    for (size_t k = 0; k < 4; k++)
        cr_assert_str_eq(ds->class_names[k], names[k]);
    cr_assert_eq(ds->y[2], 0.0);
    cr_assert_eq(ds->y[4], 0.0);
    tune_dataset_free(ds);
}

Test(dataset, text_class_labels_are_coded_in_byte_order)
{
    struct tune_dataset *ds =
        split_ok("x,y\n1,dog\n2,cat\n3,emu\n4,cat\n5,Zebra\n", "y", TUNE_TASK_MULTICLASS);
    cr_assert_eq(ds->n_classes, 4);
    const char *names[4] = {"Zebra", "cat", "dog", "emu"};
    for (size_t k = 0; k < 4; k++)
        cr_assert_str_eq(ds->class_names[k], names[k]);
    double codes[5] = {2, 1, 3, 1, 0};
    for (size_t r = 0; r < 5; r++)
        cr_assert_eq(ds->y[r], codes[r], "row %zu", r);
    tune_dataset_free(ds);
}

Test(dataset, clustering_without_target_keeps_every_column)
{
    struct tune_dataset *ds = split_ok("a,b\n1,2\n3,4\n", NULL, TUNE_TASK_CLUSTERING);
    cr_assert_eq(ds->n_features, 2);
    cr_assert_null(ds->y);
    cr_assert_null(ds->target_name);
    cr_assert_eq(ds->x[3], 4.0);
    tune_dataset_free(ds);
    ds = split_ok("a,b\n1,2\n3,4\n", "", TUNE_TASK_CLUSTERING);
    cr_assert_eq(ds->n_features, 2);
    tune_dataset_free(ds);
}

Test(dataset, clustering_with_a_target_keeps_it_as_reference_labels)
{
    struct tune_dataset *ds = split_ok("a,b\n1,z\n3,z\n", "b", TUNE_TASK_CLUSTERING);
    cr_assert_eq(ds->n_features, 1);
    cr_assert_eq(ds->n_classes, 1);
    cr_assert_str_eq(ds->class_names[0], "z");
    cr_assert_eq(ds->y[1], 0.0);
    tune_dataset_free(ds);
}

Test(dataset, absent_target_lists_the_columns)
{
    expect_split_error("a,b,c\n1,2,3\n", "xyz", TUNE_TASK_BINARY,
                       "mem.csv: target column 'xyz' not found (columns: a, b, c)");
}

Test(dataset, absent_target_among_many_columns_is_cut_short)
{
    char text[4096] = "";
    for (int j = 0; j < 100; j++)
        sprintf(text + strlen(text), "%scolumn_number_%d", j ? "," : "", j);
    strcat(text, "\n");
    for (int j = 0; j < 100; j++)
        strcat(text, j ? ",1" : "1");
    struct tune_table *t = parse_ok(text);
    struct tune_dataset *ds = NULL;
    struct tune_error e;
    cr_assert_eq(tune_dataset_from_table(t, "y", TUNE_TASK_BINARY, &ds, &e), TUNE_EINVAL);
    cr_assert(strncmp(e.msg,
                      "mem.csv: target column 'y' not found (columns: column_number_0, "
                      "column_number_1, ",
                      80) == 0,
              "%s", e.msg);
    size_t len = strlen(e.msg);
    cr_assert(len < TUNE_ERROR_MSG_MAX - 1);
    cr_assert_str_eq(e.msg + len - 6, ", ...)");
    tune_table_free(t);
}

Test(dataset, missing_target_value_names_its_line)
{
    expect_split_error("a,y\n1,0\n2,\n", "y", TUNE_TASK_BINARY,
                       "mem.csv:3:2: missing value in target column 'y'");
    expect_split_error("a,y\n\"p\nq\",0\n\n2,1\n7,NA\n", "y", TUNE_TASK_BINARY,
                       "mem.csv:6:2: missing value in target column 'y'");
}

Test(dataset, text_target_for_regression_names_the_first_text_cell)
{
    expect_split_error("a,y\n1,2\n2,abc\n3,4\n", "y", TUNE_TASK_REGRESSION,
                       "mem.csv:3:2: target column 'y' holds text ('abc'); regression needs "
                       "numbers");
}

Test(dataset, a_single_class_is_not_enough)
{
    expect_split_error("a,y\n1,5\n2,5\n", "y", TUNE_TASK_BINARY,
                       "mem.csv: target column 'y' has 1 class (5); binary needs at least 2");
    expect_split_error("a,y\n1,q\n2,q\n", "y", TUNE_TASK_MULTICLASS,
                       "mem.csv: target column 'y' has 1 class (q); multiclass needs at least 2");
}

Test(dataset, supervised_tasks_need_a_target_and_features)
{
    expect_split_error("a,y\n1,0\n", NULL, TUNE_TASK_REGRESSION,
                       "mem.csv: task 'regression' needs a target column");
    expect_split_error("y\n1\n0\n", "y", TUNE_TASK_BINARY,
                       "mem.csv: no feature columns besides target 'y'");
    expect_split_error("a,y\n1,0\n", "y", (enum tune_task)3, "mem.csv: unknown task 3");
}

Test(dataset, task_names_round_trip)
{
    enum tune_task all[4] = {TUNE_TASK_BINARY, TUNE_TASK_MULTICLASS, TUNE_TASK_REGRESSION,
                             TUNE_TASK_CLUSTERING};
    const char *names[4] = {"binary", "multiclass", "regression", "clustering"};
    for (size_t i = 0; i < 4; i++) {
        cr_assert_str_eq(tune_task_name(all[i]), names[i]);
        cr_assert_eq(tune_task_parse(names[i]), all[i]);
    }
    cr_assert_eq(tune_task_parse("Binary"), 0);
    cr_assert_eq(tune_task_parse(NULL), 0);
    cr_assert_str_eq(tune_task_name((enum tune_task)0), "unknown");
}

Test(dataset, destructors_accept_null)
{
    tune_table_free(NULL);
    tune_dataset_free(NULL);
    cr_assert_eq(tune_table_find(NULL, "a"), -1);
}

Test(dataset, many_rows_survive_the_row_estimate_and_compaction)
{
    size_t n = 5000;
    char *text = malloc(n * 40 + 64);
    size_t len = (size_t)sprintf(text, "i,half,tag\r\n");
    for (size_t r = 0; r < n; r++)
        len += (size_t)sprintf(text + len, "%zu,%zu.5,%s\r\n%s", r, r / 2, r % 3 ? "odd" : "\"t\"",
                               r % 7 ? "" : "\r\n");
    struct tune_table *t = NULL;
    struct tune_error e;
    cr_assert_eq(tune_table_parse_csv("big.csv", text, len, &t, &e), TUNE_OK, "%s", e.msg);
    cr_assert_eq(t->n_rows, n);
    for (size_t r = 0; r < n; r += 997) {
        cr_assert_eq(cell(t, r, 0), (double)r);
        cr_assert_eq(cell(t, r, 1), (double)(r / 2) + 0.5);
        cr_assert_eq(cell(t, r, 2), r % 3 ? 1.0 : 0.0);
    }
    cr_assert_eq(t->row_line[n - 1], 2 + (n - 1) + (n - 1 + 6) / 7);
    tune_table_free(t);
    free(text);
}

/* ------------------------------------------------------------ delimiter */

/* A ;-separated file read with commas is one column named "a;b;target":
 * say so, and how to read it. */
Test(dataset, a_semicolon_file_read_with_commas_says_it_looks_semicolon_separated)
{
    expect_split_error("a;b;target\n1;2;0\n3;4;1\n", "target", TUNE_TASK_BINARY,
                       "mem.csv: target column 'target' not found (columns: a;b;target); the "
                       "header is one column: the file looks ';'-separated (set \"data\": "
                       "{\"delimiter\": \";\"})");
    expect_split_error("a\tb\ttarget\n1\t2\t0\n3\t4\t1\n", "target", TUNE_TASK_BINARY,
                       "mem.csv: target column 'target' not found (columns: a\\x09b\\x09target); "
                       "the header is one column: the file looks tab-separated (set \"data\": "
                       "{\"delimiter\": \"\\t\"})");
}

static struct tune_table *parse_with(const char *text, char delimiter)
{
    struct tune_csv_options o = {.delimiter = delimiter};
    struct tune_table *t = NULL;
    struct tune_error e;
    cr_assert_eq(tune_table_parse_csv_opts("mem.csv", text, strlen(text), &o, &t, &e), TUNE_OK,
                 "%s", e.msg);
    return t;
}

Test(dataset, the_delimiter_option_reads_semicolon_and_tab_separated_files)
{
    struct tune_table *t = parse_with("a; b ;\"c;d\"\n1,5; 2.5 ;\"x;\"\"y\"\n", ';');
    cr_assert_eq(t->n_cols, 3);
    cr_assert_str_eq(t->cols[1].name, "b");
    cr_assert_str_eq(t->cols[2].name, "c;d");
    cr_assert_eq(t->cols[0].kind, TUNE_COL_CATEGORICAL, "a comma decimal is text");
    cr_assert_str_eq(t->cols[0].levels[0], "1,5");
    cr_assert_eq(cell(t, 0, 1), 2.5);
    cr_assert_str_eq(t->cols[2].levels[0], "x;\"y");
    tune_table_free(t);
    /* A tab separates; it is no longer a blank to trim. */
    t = parse_with("a\tb\tc\n1\t\t 3 \n\t2\t\n", '\t');
    cr_assert_eq(t->n_rows, 2);
    cr_assert(isnan(cell(t, 0, 1)));
    cr_assert_eq(cell(t, 0, 2), 3.0);
    cr_assert(isnan(cell(t, 1, 0)));
    cr_assert_eq(cell(t, 1, 1), 2.0);
    cr_assert(isnan(cell(t, 1, 2)));
    tune_table_free(t);
    /* ',' and 0 are the default. */
    t = parse_with("a,b\n1,2\n", ',');
    cr_assert_eq(t->n_cols, 2);
    tune_table_free(t);
}

Test(dataset, a_delimiter_must_be_a_tab_or_punctuation_that_is_not_part_of_numbers)
{
    const char bad[] = {'a', '7', ' ', '"', '.', '-', '+', '\n', '\x01'};
    for (size_t i = 0; i < sizeof bad; i++) {
        struct tune_csv_options o = {.delimiter = bad[i]};
        struct tune_table *t = NULL;
        struct tune_error e;
        cr_assert_eq(tune_table_parse_csv_opts("mem.csv", "a\n1\n", 4, &o, &t, &e), TUNE_EINVAL,
                     "0x%02x", bad[i]);
        cr_assert(strstr(e.msg, "mem.csv: delimiter"), "%s", e.msg);
        cr_assert_null(t);
    }
    const char good[] = {';', '|', '\t', ':', '^'};
    for (size_t i = 0; i < sizeof good; i++) {
        char text[16];
        snprintf(text, sizeof text, "a%cb\n1%c2\n", good[i], good[i]);
        struct tune_table *t = parse_with(text, good[i]);
        cr_assert_eq(t->n_cols, 2, "'%c'", good[i]);
        tune_table_free(t);
    }
}
