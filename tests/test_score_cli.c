/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_score_cli.c — `tunefold score` end to end: inference of the task and
 * the classes, every metric in the JSON (checked against the library on the
 * same rows), the table, curve files, and every bad-input message with its
 * exit code.  Runs bin/tunefold (TUNEFOLD_BIN overrides). */
#include "testutil.h"

#include <cJSON.h>
#include <stdarg.h>

#include "tunefold/metrics.h"

struct result {
    int rc;
    char *out, *err;
};

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static struct result score(const char *fmt, ...)
{
    char args[4096], cmd[4600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "%s score %s", tu_bin(), args);
    struct result r;
    r.rc = tu_run(cmd, &r.out, &r.err);
    return r;
}

static void result_free(struct result *r)
{
    free(r->out);
    free(r->err);
}

/* A scratch folder with files written into it. */
struct scratch {
    char *dir;
    char *paths[8];
    size_t n;
};

static const char *put(struct scratch *s, const char *name, const char *text)
{
    cr_assert_lt(s->n, 8);
    s->paths[s->n] = tu_write(s->dir, name, text);
    return s->paths[s->n++];
}

static void scratch_free(struct scratch *s)
{
    for (size_t i = 0; i < s->n; i++) {
        unlink(s->paths[i]);
        free(s->paths[i]);
    }
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->dir);
    cr_assert_eq(system(cmd), 0);
    free(s->dir);
}

static struct scratch scratch_new(void)
{
    struct scratch s = {tu_tmpdir(), {0}, 0};
    return s;
}

/* The error is one line, names `what`, and the exit code is 2. */
static void expect_bad_input(const struct result *r, const char *what)
{
    cr_assert_eq(r->rc, 2, "exit %d, stderr: %s", r->rc, r->err);
    cr_assert_not_null(strstr(r->err, what), "no '%s' in: %s", what, r->err);
    const char *nl = strchr(r->err, '\n');
    cr_assert(nl && nl[1] == '\0', "one line: %s", r->err);
    cr_assert_str_eq(r->out, "");
}

static const cJSON *item(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    cr_assert_not_null(v, "no key %s", key);
    return v;
}

/* Twelve rows: labels "no"/"yes", scores with ties. */
static const char truth_yn[] = "y\nyes\nno\nyes\nno\nyes\nno\nno\nyes\nyes\nno\nno\nyes\n";
static const char pred_yn[] = "score\n0.9\n0.4\n0.6\n0.6\n0.35\n0.1\n0.7\n0.8\n0.55\n0.2\n"
                              "0.55\n0.45\n";
static const int yn_truth[] = {1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 1};
static const double yn_score[] = {0.9, 0.4, 0.6, 0.6, 0.35, 0.1, 0.7, 0.8, 0.55, 0.2, 0.55, 0.45};

/* The library's value of `name` on the binary rows above. */
static double library_binary(const char *name, double threshold)
{
    struct tune_predictions p;
    struct tune_error err;
    cr_assert_eq(tune_predictions_init(&p, TUNE_TASK_BINARY, 12, 2, 1, &err), TUNE_OK);
    double truth[12];
    for (int i = 0; i < 12; i++) {
        truth[i] = yn_truth[i];
        p.proba[2 * i + 1] = yn_score[i];
        p.proba[2 * i] = 1.0 - yn_score[i];
        p.label[i] = yn_score[i] >= threshold;
    }
    double v = tune_metric_find(name)->compute(truth, &p);
    tune_predictions_release(&p);
    return v;
}

Test(score_cli, help_teaches_the_formats_and_exits_zero)
{
    struct result r = score("--help");
    cr_assert_eq(r.rc, 0);
    const char *must[] = {"--truth FILE", "--pred FILE", "--positive LABEL", "--threshold X",
                          "default 0.5", "proba_<class>", "prediction", "confusion_matrix",
                          "roc.csv", "Example"};
    for (size_t i = 0; i < sizeof must / sizeof must[0]; i++)
        cr_assert_not_null(strstr(r.out, must[i]), "help lacks '%s'", must[i]);
    result_free(&r);
    r = score("%s", "");
    cr_assert_eq(r.rc, 2);
    cr_assert_not_null(strstr(r.err, "needs --truth FILE and --pred FILE"), "%s", r.err);
    result_free(&r);
}

Test(score_cli, binary_json_has_exactly_the_metrics_n_and_the_confusion_matrix)
{
    struct scratch s = scratch_new();
    const char *t = put(&s, "truth.csv", truth_yn), *p = put(&s, "pred.csv", pred_yn);
    struct result r = score("--truth '%s' --pred '%s' --format json", t, p);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cJSON *j = cJSON_Parse(r.out);
    cr_assert_not_null(j, "not JSON: %s", r.out);
    const struct tune_metric_def *defs[128];
    size_t n = tune_metrics_for_task(TUNE_TASK_BINARY, 1, defs, 128);
    cr_assert_eq((size_t)cJSON_GetArraySize(j), n + 2, "keys: metrics, n, confusion_matrix");
    cr_assert_eq(item(j, "n")->valuedouble, 12);
    for (size_t m = 0; m < n; m++) {
        double want = library_binary(defs[m]->name, 0.5);
        cr_assert_eq(item(j, defs[m]->name)->valuedouble, want, "%s", defs[m]->name);
    }
    /* Positive "yes" (the greater label); labels score >= 0.5:
     * truth no:  0.4 0.6 0.1 0.7 0.2 0.55 -> 3 predicted yes;
     * truth yes: 0.9 0.6 0.35 0.8 0.55 0.45 -> 4 predicted yes. */
    const cJSON *cm = item(j, "confusion_matrix");
    int want_cm[2][2] = {{3, 3}, {2, 4}};
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 2; b++)
            cr_assert_eq(cJSON_GetArrayItem(cJSON_GetArrayItem(cm, a), b)->valueint,
                         want_cm[a][b]);
    cJSON_Delete(j);
    result_free(&r);
    scratch_free(&s);
}

Test(score_cli, the_threshold_moves_labels_but_not_the_ranking)
{
    struct scratch s = scratch_new();
    const char *t = put(&s, "truth.csv", truth_yn), *p = put(&s, "pred.csv", pred_yn);
    struct result r = score("--truth '%s' --pred '%s' --format json --threshold 0.58", t, p);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cJSON *j = cJSON_Parse(r.out);
    cr_assert_eq(item(j, "accuracy")->valuedouble, library_binary("accuracy", 0.58));
    cr_assert_eq(item(j, "roc_auc")->valuedouble, library_binary("roc_auc", 0.5));
    cJSON_Delete(j);
    result_free(&r);
    r = score("--truth '%s' --pred '%s' --threshold high", t, p);
    cr_assert_eq(r.rc, 2);
    cr_assert_not_null(strstr(r.err, "--threshold: expected a number"), "%s", r.err);
    result_free(&r);
    scratch_free(&s);
}

Test(score_cli, positive_names_the_positive_class)
{
    /* With "no" positive, the scores are the scores of "no": the AUC is
     * that of the flipped truth. */
    struct scratch s = scratch_new();
    const char *t = put(&s, "truth.csv", truth_yn), *p = put(&s, "pred.csv", pred_yn);
    struct result r = score("--truth '%s' --pred '%s' --format json --positive no", t, p);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cJSON *j = cJSON_Parse(r.out);
    int flipped[12];
    for (int i = 0; i < 12; i++)
        flipped[i] = !yn_truth[i];
    cr_assert_eq(item(j, "roc_auc")->valuedouble, tune_metric_roc_auc(flipped, yn_score, 12));
    cJSON_Delete(j);
    result_free(&r);
    r = score("--truth '%s' --pred '%s' --positive maybe", t, p);
    expect_bad_input(&r, "--positive 'maybe' is not a class (classes: no, yes)");
    result_free(&r);
    r = score("--truth '%s' --pred '%s'", t, p);
    cr_assert_eq(r.rc, 0);
    cr_assert_not_null(strstr(r.out, "binary (positive class 'yes')"), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "confusion matrix (rows = truth, columns = predicted)"));
    cr_assert_not_null(strstr(r.out, "roc_auc"));
    result_free(&r);
    scratch_free(&s);
}

Test(score_cli, numeric_labels_order_numerically_so_ten_is_positive_over_nine)
{
    struct scratch s = scratch_new();
    const char *t = put(&s, "truth.csv", "y\n9\n10\n10\n9\n");
    const char *p = put(&s, "pred.csv", "score,label\n0.2,9\n0.9,10\n0.4,9\n0.3,9\n");
    struct result r = score("--truth '%s' --pred '%s'", t, p);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert_not_null(strstr(r.out, "positive class '10'"), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "roc_auc                1\n"), "%s", r.out);
    result_free(&r);
    scratch_free(&s);
}

Test(score_cli, margins_are_scored_but_log_loss_and_brier_are_null)
{
    struct scratch s = scratch_new();
    const char *t = put(&s, "truth.csv", "y\n1\n0\n1\n0\n");
    const char *p = put(&s, "pred.csv", "score\n2.5\n-1.5\n0.25\n0.5\n");
    struct result r = score("--truth '%s' --pred '%s' --format json --threshold 0", t, p);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cJSON *j = cJSON_Parse(r.out);
    cr_assert_eq(item(j, "roc_auc")->valuedouble, 0.75);
    cr_assert(cJSON_IsNull(item(j, "log_loss")));
    cr_assert(cJSON_IsNull(item(j, "brier")));
    cr_assert_eq(item(j, "accuracy")->valuedouble, 0.75);
    cJSON_Delete(j);
    result_free(&r);
    scratch_free(&s);
}

Test(score_cli, a_single_class_truth_makes_roc_auc_null_not_a_crash)
{
    struct scratch s = scratch_new();
    const char *t = put(&s, "truth.csv", "y\n1\n1\n1\n");
    const char *p = put(&s, "pred.csv", "score\n0.9\n0.2\n0.6\n");
    struct result r = score("--truth '%s' --pred '%s' --format json --positive 1", t, p);
    expect_bad_input(&r, "a score column needs two classes, but the labels show only '1'; "
                         "name the other with --positive");
    result_free(&r);
    r = score("--truth '%s' --pred '%s' --format json --positive 0", t, p);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cJSON *j = cJSON_Parse(r.out);
    cr_assert(cJSON_IsNull(item(j, "roc_auc")), "%s", r.out);
    cr_assert_eq(item(j, "average_precision")->valuedouble, 0.0, "no positive row");
    cJSON_Delete(j);
    result_free(&r);
    scratch_free(&s);
}

Test(score_cli, multiclass_is_inferred_from_probability_columns)
{
    struct scratch s = scratch_new();
    const char *t = put(&s, "truth.csv", "species\ncat\ndog\nemu\ndog\ncat\n");
    const char *p = put(&s, "pred.csv",
                        "proba_dog,proba_cat,proba_emu\n0.2,0.7,0.1\n0.5,0.25,0.25\n"
                        "0.3,0.3,0.4\n0.4,0.5,0.1\n0.125,0.75,0.125\n");
    struct result r = score("--truth '%s' --pred '%s' --format json", t, p);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cJSON *j = cJSON_Parse(r.out);
    const struct tune_metric_def *defs[128];
    size_t n = tune_metrics_for_task(TUNE_TASK_MULTICLASS, 1, defs, 128);
    cr_assert_eq((size_t)cJSON_GetArraySize(j), n + 2);
    /* argmax labels: cat, dog, emu, cat, cat -> 4 of 5 right. */
    cr_assert_eq(item(j, "accuracy")->valuedouble, 0.8);
    cr_assert_eq(item(j, "roc_auc_ovr")->valuedouble, item(j, "roc_auc")->valuedouble);
    const cJSON *cm = item(j, "confusion_matrix");
    /* classes sorted: cat, dog, emu; the dog row: one dog, one cat. */
    cr_assert_eq(cJSON_GetArrayItem(cJSON_GetArrayItem(cm, 1), 0)->valueint, 1);
    cr_assert_eq(cJSON_GetArrayItem(cJSON_GetArrayItem(cm, 1), 1)->valueint, 1);
    cJSON_Delete(j);
    result_free(&r);
    r = score("--truth '%s' --pred '%s'", t, p);
    cr_assert_eq(r.rc, 0);
    cr_assert_not_null(strstr(r.out, "multiclass (3 classes)"), "%s", r.out);
    result_free(&r);
    r = score("--truth '%s' --pred '%s' --task binary", t, p);
    expect_bad_input(&r, "--task binary, but");
    result_free(&r);
    scratch_free(&s);
}

Test(score_cli, regression_json_has_the_regression_metrics_and_no_matrix)
{
    struct scratch s = scratch_new();
    const char *t = put(&s, "truth.csv", "y\n3\n-0.5\n2\n7\n");
    const char *p = put(&s, "pred.csv", "prediction\n2.5\n0.0\n2\n8\n");
    struct result r = score("--truth '%s' --pred '%s' --format json", t, p);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cJSON *j = cJSON_Parse(r.out);
    const struct tune_metric_def *defs[128];
    size_t n = tune_metrics_for_task(TUNE_TASK_REGRESSION, 0, defs, 128);
    cr_assert_eq((size_t)cJSON_GetArraySize(j), n + 1, "metrics and n");
    cr_assert_eq(item(j, "mse")->valuedouble, 0.375);
    cr_assert_eq(item(j, "max_error")->valuedouble, 1.0);
    cr_assert_eq(item(j, "median_absolute_error")->valuedouble, 0.5);
    cr_assert_null(cJSON_GetObjectItem(j, "confusion_matrix"));
    cJSON_Delete(j);
    result_free(&r);
    r = score("--truth '%s' --pred '%s' --curves '%s/c'", t, p, s.dir);
    expect_bad_input(&r, "--curves: ROC and precision-recall curves need classes");
    result_free(&r);
    r = score("--truth '%s' --pred '%s' --positive 1", t, p);
    expect_bad_input(&r, "--positive applies to a binary task");
    result_free(&r);
    scratch_free(&s);
}

Test(score_cli, curves_are_written_as_csv)
{
    struct scratch s = scratch_new();
    const char *t = put(&s, "truth.csv", truth_yn), *p = put(&s, "pred.csv", pred_yn);
    struct result r = score("--truth '%s' --pred '%s' --curves '%s/curves'", t, p, s.dir);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    result_free(&r);
    char path[600], buf[4096];
    snprintf(path, sizeof path, "%s/curves/roc.csv", s.dir);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f);
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    buf[len] = '\0';
    fclose(f);
    cr_assert(strncmp(buf, "fpr,tpr,threshold\n0,0,inf\n", 26) == 0, "%s", buf);
    cr_assert_not_null(strstr(buf, "\n1,1,0.1\n"), "ends at the lowest score: %s", buf);
    snprintf(path, sizeof path, "%s/curves/pr.csv", s.dir);
    f = fopen(path, "rb");
    cr_assert_not_null(f);
    len = fread(buf, 1, sizeof buf - 1, f);
    buf[len] = '\0';
    fclose(f);
    cr_assert(strncmp(buf, "precision,recall,threshold\n0.5,1,0.1\n", 37) == 0, "%s", buf);
    cr_assert_not_null(strstr(buf, "\n1,0,\n"), "the last point has no threshold: %s", buf);
    scratch_free(&s);
}

Test(score_cli, multiclass_curves_have_one_block_per_class)
{
    struct scratch s = scratch_new();
    const char *t = put(&s, "truth.csv", "y\na\nb\nc\n");
    const char *p = put(&s, "pred.csv", "proba_a,proba_b,proba_c\n0.5,0.25,0.25\n0.25,0.5,0.25\n"
                                        "0.25,0.25,0.5\n");
    struct result r = score("--truth '%s' --pred '%s' --curves '%s'", t, p, s.dir);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    result_free(&r);
    char path[600], buf[4096];
    snprintf(path, sizeof path, "%s/roc.csv", s.dir);
    FILE *f = fopen(path, "rb");
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    buf[len] = '\0';
    fclose(f);
    cr_assert(strncmp(buf, "class,fpr,tpr,threshold\na,0,0,inf\n", 34) == 0, "%s", buf);
    cr_assert_not_null(strstr(buf, "\nc,0,0,inf\n"), "%s", buf);
    scratch_free(&s);
}

/* ---- bad input: exit 2, one line naming file, line and column ------------ */

Test(score_cli, a_row_count_mismatch_names_the_prediction_file_and_line)
{
    struct scratch s = scratch_new();
    const char *t = put(&s, "truth.csv", "y\n1\n0\n1\n");
    const char *p = put(&s, "pred.csv", "score\n0.5\n0.2\n");
    struct result r = score("--truth '%s' --pred '%s'", t, p);
    char want[600];
    snprintf(want, sizeof want, "%s:3: 2 prediction rows, but the truth has 3", p);
    expect_bad_input(&r, want);
    result_free(&r);
    scratch_free(&s);
}

Test(score_cli, a_truth_label_without_a_probability_column_names_the_truth_line)
{
    struct scratch s = scratch_new();
    const char *t = put(&s, "truth.csv", "y\na\nb\nd\n");
    const char *p = put(&s, "pred.csv", "proba_a,proba_b,proba_c\n0.5,0.25,0.25\n0.25,0.5,0.25\n"
                                        "0.25,0.25,0.5\n");
    struct result r = score("--truth '%s' --pred '%s'", t, p);
    char want[600];
    snprintf(want, sizeof want, "%s:4:1: label 'd' is not a class (classes: a, b, c)", t);
    expect_bad_input(&r, want);
    result_free(&r);
    scratch_free(&s);
}

Test(score_cli, nan_scores_and_bad_probability_sums_name_line_and_column)
{
    struct scratch s = scratch_new();
    const char *t = put(&s, "truth.csv", "y\n1\n0\n1\n");
    const char *p = put(&s, "pred.csv", "label,score\n1,0.5\n0,nan\n1,0.7\n");
    struct result r = score("--truth '%s' --pred '%s'", t, p);
    char want[600];
    snprintf(want, sizeof want, "%s:3:2: score is missing or NaN", p);
    expect_bad_input(&r, want);
    result_free(&r);
    const char *t3 = put(&s, "truth3.csv", "y\na\nb\nc\n");
    const char *q = put(&s, "pred3.csv", "proba_a,proba_b,proba_c\n0.5,0.25,0.25\n"
                                         "0.25,0.5,0.2\n0.25,0.25,0.5\n");
    r = score("--truth '%s' --pred '%s'", t3, q);
    snprintf(want, sizeof want, "%s:3:1: probabilities sum to 0.94999999999999996, not 1", q);
    expect_bad_input(&r, want);
    result_free(&r);
    scratch_free(&s);
}

Test(score_cli, files_that_are_not_the_format_are_named)
{
    struct scratch s = scratch_new();
    const char *t = put(&s, "truth.csv", "a,b\n1,2\n");
    const char *p = put(&s, "pred.csv", "score\n0.5\n");
    const char *other = put(&s, "other.csv", "probability\n0.5\n");
    const char *t1 = put(&s, "t1.csv", "y\n1\n");
    struct result r = score("--truth '%s' --pred '%s'", t, p);
    expect_bad_input(&r, "expected one column of true labels or values, found 2");
    result_free(&r);
    r = score("--truth '%s' --pred '%s'", t1, other);
    expect_bad_input(&r, "no score, proba_<class> or prediction column");
    result_free(&r);
    r = score("--truth '%s/missing.csv' --pred '%s'", s.dir, p);
    cr_assert_neq(r.rc, 0);
    cr_assert_not_null(strstr(r.err, "missing.csv"), "%s", r.err);
    result_free(&r);
    r = score("--truth '%s' --pred '%s' --task ranking", t1, p);
    expect_bad_input(&r, "--task: expected binary, multiclass or regression, got 'ranking'");
    result_free(&r);
    r = score("--truth '%s' --pred '%s' --format xml", t1, p);
    expect_bad_input(&r, "--format: expected table or json, got 'xml'");
    result_free(&r);
    scratch_free(&s);
}
