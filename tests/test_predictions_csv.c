/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_predictions_csv.c — the predictions CSV format: reading every task's
 * layout, deriving labels, every refusal with its path:line:column, truth
 * labels, class-name order, and write-then-read round trips. */
#include "testutil.h"

#include "tunefold/predictions.h"

static struct tune_table *table(const char *name, const char *text)
{
    struct tune_table *t = NULL;
    struct tune_error err = {0};
    cr_assert_eq(tune_table_parse_csv(name, text, strlen(text), &t, &err), TUNE_OK, "%s",
                 err.msg);
    return t;
}

static const char *const yes_no[] = {"no", "yes"};
static const char *const abc[] = {"a", "b", "c"};

/* Read `text` as predictions; expect failure with exactly `msg`. */
static void expect_error(const char *text, enum tune_task task, size_t k,
                         const char *const *names, size_t rows, const char *msg)
{
    struct tune_table *t = table("pred.csv", text);
    struct tune_predictions p;
    struct tune_error err = {0};
    cr_assert_eq(tune_predictions_from_table(t, task, k, names, rows, NULL, NULL, &p, &err),
                 TUNE_EINVAL, "accepted:\n%s", text);
    cr_assert_str_eq(err.msg, msg);
    cr_assert_null(p.label);
    cr_assert_null(p.proba);
    tune_table_free(t);
}

Test(predictions_csv, binary_scores_and_labels_are_read_in_row_order)
{
    struct tune_table *t = table("pred.csv", "score,label\n0.9,yes\n0.2,no\n0.55,no\n");
    struct tune_predictions p;
    struct tune_predictions_csv_info info;
    struct tune_error err;
    cr_assert_eq(tune_predictions_from_table(t, TUNE_TASK_BINARY, 2, yes_no, 3, NULL, &info,
                                             &p, &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(p.n, 3);
    cr_assert_eq(p.proba[1], 0.9);
    cr_assert_eq(p.proba[0], 1.0 - 0.9);
    cr_assert_eq(p.proba[5], 0.55);
    cr_assert_eq(p.label[0], 1);
    cr_assert_eq(p.label[2], 0, "the label column wins over the threshold");
    cr_assert(info.has_label && !info.has_proba_columns && info.scores_are_probabilities);
    tune_predictions_release(&p);
    tune_table_free(t);
}

Test(predictions_csv, binary_labels_come_from_the_threshold_without_a_label_column)
{
    struct tune_table *t = table("pred.csv", "score\n2.5\n-1\n0.5\n0.49\n");
    struct tune_predictions p;
    struct tune_predictions_csv_info info;
    struct tune_error err;
    cr_assert_eq(tune_predictions_from_table(t, TUNE_TASK_BINARY, 2, yes_no, 0, NULL, &info,
                                             &p, &err),
                 TUNE_OK);
    cr_assert_eq(p.label[0], 1);
    cr_assert_eq(p.label[1], 0);
    cr_assert_eq(p.label[2], 1, "score >= 0.5 is positive");
    cr_assert_eq(p.label[3], 0);
    cr_assert(!info.has_label);
    cr_assert(!info.scores_are_probabilities, "2.5 and -1 are margins, not probabilities");
    tune_predictions_release(&p);
    struct tune_predictions_csv_opts opts = {.has_threshold = 1, .threshold = 0.0};
    cr_assert_eq(tune_predictions_from_table(t, TUNE_TASK_BINARY, 2, yes_no, 0, &opts, NULL,
                                             &p, &err),
                 TUNE_OK);
    cr_assert_eq(p.label[2], 1);
    cr_assert_eq(p.label[3], 1);
    cr_assert_eq(p.label[1], 0);
    tune_predictions_release(&p);
    tune_table_free(t);
}

Test(predictions_csv, binary_probability_columns_give_the_positive_score)
{
    struct tune_table *t = table("pred.csv", "proba_yes,proba_no\n0.75,0.25\n0.125,0.875\n");
    struct tune_predictions p;
    struct tune_predictions_csv_info info;
    struct tune_error err;
    cr_assert_eq(tune_predictions_from_table(t, TUNE_TASK_BINARY, 2, yes_no, 2, NULL, &info,
                                             &p, &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(p.proba[0], 0.25);
    cr_assert_eq(p.proba[1], 0.75);
    cr_assert_eq(p.label[0], 1);
    cr_assert_eq(p.label[1], 0);
    cr_assert(info.has_proba_columns);
    tune_predictions_release(&p);
    tune_table_free(t);
}

Test(predictions_csv, multiclass_labels_default_to_the_first_most_probable_class)
{
    struct tune_table *t =
        table("pred.csv", "proba_c,proba_a,proba_b\n0.2,0.5,0.3\n0.4,0.2,0.4\n0.5,0.25,0.25\n");
    struct tune_predictions p;
    struct tune_error err;
    cr_assert_eq(tune_predictions_from_table(t, TUNE_TASK_MULTICLASS, 3, abc, 3, NULL, NULL, &p,
                                             &err),
                 TUNE_OK, "%s", err.msg);
    /* Columns are matched by name, whatever their order. */
    cr_assert_eq(p.proba[0], 0.5);
    cr_assert_eq(p.proba[1], 0.3);
    cr_assert_eq(p.proba[2], 0.2);
    cr_assert_eq(p.label[0], 0);
    cr_assert_eq(p.label[1], 1, "b and c tie: the first in class order");
    cr_assert_eq(p.label[2], 2);
    tune_predictions_release(&p);
    tune_table_free(t);
}

Test(predictions_csv, numeric_class_names_match_numerically)
{
    static const char *const digits[] = {"0", "1", "2"};
    struct tune_table *t = table("pred.csv", "label,proba_0.0,proba_1,proba_2e0\n"
                                             "2.0,0.1,0.2,0.7\n1,0.3,0.6,0.1\n");
    struct tune_predictions p;
    struct tune_error err;
    cr_assert_eq(tune_predictions_from_table(t, TUNE_TASK_MULTICLASS, 3, digits, 2, NULL, NULL,
                                             &p, &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(p.label[0], 2);
    cr_assert_eq(p.label[1], 1);
    cr_assert_eq(p.proba[2], 0.7);
    tune_predictions_release(&p);
    tune_table_free(t);
}

Test(predictions_csv, regression_reads_the_prediction_column)
{
    struct tune_table *t = table("pred.csv", "prediction\n2.385\n-1e3\n");
    struct tune_predictions p;
    struct tune_error err;
    cr_assert_eq(tune_predictions_from_table(t, TUNE_TASK_REGRESSION, 0, NULL, 2, NULL, NULL, &p,
                                             &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(p.value[0], 2.385);
    cr_assert_eq(p.value[1], -1000.0);
    cr_assert_null(p.label);
    tune_predictions_release(&p);
    tune_table_free(t);
}

/* ---- refusals ------------------------------------------------------------ */

Test(predictions_csv, a_row_count_that_differs_from_the_truth_names_the_last_line)
{
    expect_error("score\n0.5\n0.25\n", TUNE_TASK_BINARY, 2, yes_no, 3,
                 "pred.csv:3: 2 prediction rows, but the truth has 3");
}

Test(predictions_csv, a_nan_or_missing_score_names_line_and_column)
{
    expect_error("label,score\nyes,0.5\nno,NaN\n", TUNE_TASK_BINARY, 2, yes_no, 2,
                 "pred.csv:3:2: score is missing or NaN");
    expect_error("label,score\nyes,0.5\nno,\n", TUNE_TASK_BINARY, 2, yes_no, 2,
                 "pred.csv:3:2: score is missing or NaN");
    expect_error("score\n0.5\nhigh\n", TUNE_TASK_BINARY, 2, yes_no, 2,
                 "pred.csv:3:1: score 'high' is not a number");
}

Test(predictions_csv, a_label_that_is_not_a_class_names_line_and_column)
{
    expect_error("score,label\n0.5,yes\n0.1,maybe\n", TUNE_TASK_BINARY, 2, yes_no, 2,
                 "pred.csv:3:2: label 'maybe' is not a class (classes: no, yes)");
    expect_error("proba_a,proba_b,proba_c,label\n0.2,0.3,0.5,d\n", TUNE_TASK_MULTICLASS, 3, abc,
                 1, "pred.csv:2:4: label 'd' is not a class (classes: a, b, c)");
}

Test(predictions_csv, probabilities_must_sum_to_one_within_1e6)
{
    expect_error("proba_a,proba_b,proba_c\n0.2,0.3,0.5\n0.2,0.3,0.49\n", TUNE_TASK_MULTICLASS, 3,
                 abc, 2, "pred.csv:3:1: probabilities sum to 0.98999999999999999, not 1 "
                         "(within 1e-06)");
    /* Within the tolerance is fine. */
    struct tune_table *t = table("pred.csv", "proba_a,proba_b,proba_c\n0.3333333,0.3333333,"
                                             "0.3333333\n");
    struct tune_predictions p;
    struct tune_error err;
    cr_assert_eq(tune_predictions_from_table(t, TUNE_TASK_MULTICLASS, 3, abc, 1, NULL, NULL, &p,
                                             &err),
                 TUNE_OK, "%s", err.msg);
    tune_predictions_release(&p);
    tune_table_free(t);
}

Test(predictions_csv, a_probability_outside_zero_one_is_refused)
{
    expect_error("proba_b,proba_a,proba_c\n1.5,-0.25,-0.25\n", TUNE_TASK_MULTICLASS, 3, abc, 1,
                 "pred.csv:2:2: probability -0.25 is outside [0, 1]");
    /* Rounding past 1 by an ulp, as a softmax written with %.17g can, is fine. */
    struct tune_table *t = table("pred.csv", "proba_a,proba_b,proba_c\n"
                                             "1.0000000000000002,0,0\n");
    struct tune_predictions p;
    struct tune_error err;
    cr_assert_eq(tune_predictions_from_table(t, TUNE_TASK_MULTICLASS, 3, abc, 1, NULL, NULL, &p,
                                             &err),
                 TUNE_OK, "%s", err.msg);
    tune_predictions_release(&p);
    tune_table_free(t);
}

Test(predictions_csv, columns_are_checked_against_the_task_and_the_classes)
{
    expect_error("proba_a,proba_b\n0.5,0.5\n", TUNE_TASK_MULTICLASS, 3, abc, 1,
                 "pred.csv:1: no column proba_c for class 'c'");
    expect_error("proba_a,proba_b,proba_c,proba_d\n0.5,0.5,0,0\n", TUNE_TASK_MULTICLASS, 3, abc,
                 1, "pred.csv:1:4: column 'proba_d' names no class (classes: a, b, c)");
    expect_error("scor\n0.5\n", TUNE_TASK_BINARY, 2, yes_no, 1,
                 "pred.csv:1:1: unknown column 'scor' (a binary predictions file has score or "
                 "proba_<class>, and optionally label)");
    expect_error("score\n0.5\n", TUNE_TASK_MULTICLASS, 3, abc, 1,
                 "pred.csv:1:1: unknown column 'score' (a multiclass predictions file has "
                 "proba_<class>, and optionally label)");
    expect_error("label\nyes\n", TUNE_TASK_BINARY, 2, yes_no, 1,
                 "pred.csv:1: no 'score' or proba_<class> column (classes: no, yes)");
    expect_error("score,proba_yes,proba_no\n0.5,0.5,0.5\n", TUNE_TASK_BINARY, 2, yes_no, 1,
                 "pred.csv:1: give either a 'score' column or proba_<class> columns, not both");
    expect_error("label,prediction\n1,2\n", TUNE_TASK_REGRESSION, 0, NULL, 1,
                 "pred.csv:1:1: unknown column 'label' (a regression predictions file has "
                 "prediction)");
    expect_error("value\n1\n", TUNE_TASK_REGRESSION, 0, NULL, 1,
                 "pred.csv:1:1: unknown column 'value' (a regression predictions file has "
                 "prediction)");
    static const char *const digits[] = {"1", "2"};
    expect_error("proba_1,proba_1.0,proba_2\n0.5,0.5,0\n", TUNE_TASK_MULTICLASS, 2, digits, 1,
                 "pred.csv:1:2: column 'proba_1.0' repeats class '1' (column 1)");
}

Test(predictions_csv, a_missing_label_cell_is_refused)
{
    expect_error("score,label\n0.5,yes\n0.5,\n", TUNE_TASK_BINARY, 2, yes_no, 2,
                 "pred.csv:3:2: label is missing");
}

Test(predictions_csv, a_binary_task_needs_exactly_two_classes)
{
    expect_error("score\n0.5\n", TUNE_TASK_BINARY, 3, abc, 1,
                 "pred.csv: a binary task needs 2 classes, got 3");
}

/* ---- truth ----------------------------------------------------------------- */

Test(predictions_csv, truth_labels_become_class_codes_and_bad_ones_are_named)
{
    struct tune_table *t = table("truth.csv", "y\nb\na\nc\n");
    double codes[3];
    struct tune_error err;
    cr_assert_eq(tune_truth_from_table(t, 0, TUNE_TASK_MULTICLASS, 3, abc, codes, &err),
                 TUNE_OK);
    cr_assert_eq(codes[0], 1.0);
    cr_assert_eq(codes[1], 0.0);
    cr_assert_eq(codes[2], 2.0);
    cr_assert_eq(tune_truth_from_table(t, 0, TUNE_TASK_BINARY, 2, yes_no, codes, &err),
                 TUNE_EINVAL);
    cr_assert_str_eq(err.msg, "truth.csv:2:1: label 'b' is not a class (classes: no, yes)");
    tune_table_free(t);
    t = table("truth.csv", "y\n1.5\nNA\n");
    cr_assert_eq(tune_truth_from_table(t, 0, TUNE_TASK_REGRESSION, 0, NULL, codes, &err),
                 TUNE_EINVAL);
    cr_assert_str_eq(err.msg, "truth.csv:3:1: value is missing or NaN");
    tune_table_free(t);
}

/* ---- class names ------------------------------------------------------------ */

Test(predictions_csv, class_names_sort_numerically_when_all_are_numbers_and_dedupe)
{
    char *num[] = {strdup("10"), strdup("9"), strdup("1.0"), strdup("1"), strdup("-2")};
    size_t n = 5;
    tune_class_names_sort_unique(num, &n);
    cr_assert_eq(n, 4);
    cr_assert_str_eq(num[0], "-2");
    cr_assert(strcmp(num[1], "1") == 0 || strcmp(num[1], "1.0") == 0);
    cr_assert_str_eq(num[2], "9");
    cr_assert_str_eq(num[3], "10");
    for (size_t i = 0; i < n; i++)
        free(num[i]);
    char *text[] = {strdup("b"), strdup("B"), strdup("10"), strdup("b"), strdup("9")};
    n = 5;
    tune_class_names_sort_unique(text, &n);
    cr_assert_eq(n, 4);
    cr_assert_str_eq(text[0], "10");
    cr_assert_str_eq(text[1], "9");
    cr_assert_str_eq(text[2], "B");
    cr_assert_str_eq(text[3], "b");
    for (size_t i = 0; i < n; i++)
        free(text[i]);
}

Test(predictions_csv, cell_text_is_the_level_or_the_shortest_number)
{
    struct tune_table *t = table("x.csv", "a,b\n1,x\n2.5,\n-0,y\n");
    char buf[64];
    tune_table_cell_text(t, 0, 0, buf, sizeof buf);
    cr_assert_str_eq(buf, "1");
    tune_table_cell_text(t, 1, 0, buf, sizeof buf);
    cr_assert_str_eq(buf, "2.5");
    tune_table_cell_text(t, 2, 0, buf, sizeof buf);
    cr_assert_str_eq(buf, "0");
    tune_table_cell_text(t, 0, 1, buf, sizeof buf);
    cr_assert_str_eq(buf, "x");
    tune_table_cell_text(t, 1, 1, buf, sizeof buf);
    cr_assert_str_eq(buf, "");
    cr_assert_eq(tune_class_index(abc, 3, "c"), 2);
    cr_assert_eq(tune_class_index(abc, 3, "d"), -1);
    tune_table_free(t);
}

/* ---- write then read -------------------------------------------------------- */

Test(predictions_csv, written_predictions_read_back_bit_for_bit)
{
    char *dir = tu_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/p.csv", dir);
    static const char *const odd[] = {"plain", "with, comma", "say \"hi\""};
    struct tune_predictions p, q;
    struct tune_error err;
    /* Multiclass with awkward class names and full-precision probabilities. */
    cr_assert_eq(tune_predictions_init(&p, TUNE_TASK_MULTICLASS, 4, 3, 1, &err), TUNE_OK);
    for (size_t i = 0; i < 4; i++) {
        double a = 1.0 / (3.0 + (double)i), b = 0.1 * (double)i;
        p.proba[3 * i] = a;
        p.proba[3 * i + 1] = b;
        p.proba[3 * i + 2] = 1.0 - a - b;
        p.label[i] = (int)((i * 2) % 3);
    }
    cr_assert_eq(tune_predictions_write_csv(path, TUNE_TASK_MULTICLASS, &p, odd, &err), TUNE_OK,
                 "%s", err.msg);
    cr_assert_eq(tune_predictions_read_csv(path, TUNE_TASK_MULTICLASS, 3, odd, 4, &q, &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(memcmp(p.proba, q.proba, 12 * sizeof *p.proba), 0);
    cr_assert_eq(memcmp(p.label, q.label, 4 * sizeof *p.label), 0);
    tune_predictions_release(&p);
    tune_predictions_release(&q);
    /* Binary: label and score. */
    cr_assert_eq(tune_predictions_init(&p, TUNE_TASK_BINARY, 3, 2, 1, &err), TUNE_OK);
    const double s[] = {0.1, 2.0 / 3.0, 1e-300};
    for (size_t i = 0; i < 3; i++) {
        p.proba[2 * i + 1] = s[i];
        p.proba[2 * i] = 1.0 - s[i];
        p.label[i] = i == 1;
    }
    cr_assert_eq(tune_predictions_write_csv(path, TUNE_TASK_BINARY, &p, yes_no, &err), TUNE_OK);
    cr_assert_eq(tune_predictions_read_csv(path, TUNE_TASK_BINARY, 2, yes_no, 3, &q, &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(memcmp(p.proba, q.proba, 6 * sizeof *p.proba), 0);
    cr_assert_eq(memcmp(p.label, q.label, 3 * sizeof *p.label), 0);
    tune_predictions_release(&p);
    tune_predictions_release(&q);
    /* Regression. */
    cr_assert_eq(tune_predictions_init(&p, TUNE_TASK_REGRESSION, 2, 0, 0, &err), TUNE_OK);
    p.value[0] = 0.1 + 0.2;
    p.value[1] = -123456.789e-7;
    cr_assert_eq(tune_predictions_write_csv(path, TUNE_TASK_REGRESSION, &p, NULL, &err), TUNE_OK);
    cr_assert_eq(tune_predictions_read_csv(path, TUNE_TASK_REGRESSION, 0, NULL, 2, &q, &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(q.value[0], p.value[0]);
    cr_assert_eq(q.value[1], p.value[1]);
    tune_predictions_release(&p);
    tune_predictions_release(&q);
    unlink(path);
    rmdir(dir);
    free(dir);
}

Test(predictions_csv, reading_a_missing_file_names_it)
{
    struct tune_predictions p;
    struct tune_error err;
    cr_assert_neq(tune_predictions_read_csv("/nonexistent/pred.csv", TUNE_TASK_REGRESSION, 0,
                                            NULL, 0, &p, &err),
                  TUNE_OK);
    cr_assert_not_null(strstr(err.msg, "/nonexistent/pred.csv"), "%s", err.msg);
}
