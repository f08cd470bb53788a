/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_report.c — the reports library (reports/): gnuplot quoting and file
 * names, the PNG reader, the data files of every picture against the metrics
 * they show (ROC and PR curves from hand-made out-of-fold predictions with
 * scikit-learn's known answers, the confusion matrix, the history, the
 * parameter views, importances, the intermediate values of studies written
 * through the store API), the Pareto front, Kneedle, the learning
 * curve against tune_cross_validate, the diagnosis rules, the elbow on
 * separated blobs, compare's paired tests, whole study reports rendered by
 * gnuplot (valid PNGs of the expected size, no gnuplot warning), the
 * escaping case (class names that would run commands if they reached
 * gnuplot unquoted), and gnuplot missing (scripts and data still written).
 *
 * Rendering is checked only when gnuplot is on the machine; every data file
 * and script is checked without it (gnuplot pointed at a missing path). */
#include "testutil.h"
#include "tunefold/config.h"
#include "tunefold/report.h"
#include "tunefold/stats.h"
#include "tunefold/study.h"

#include <limits.h>
#include <sys/stat.h>

/* A hung test fails instead of hanging the suite (Criterion's own .timeout
 * leaks under LeakSanitizer). */
TestSuite(report, .init = tu_watchdog);

#define NO_GNUPLOT "/nonexistent/tunefold-test/gnuplot"

static int have_gnuplot(void)
{
    return system("gnuplot --version >/dev/null 2>&1") == 0;
}

/* Remove a test's temporary folder (made by mkdtemp: no quote in it). */
static void rm_dir(char *dir)
{
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    free(dir);
}

static int exists(const char *dir, const char *name)
{
    char path[1024];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0;
}

static void assert_contains(const char *hay, const char *needle)
{
    cr_assert_not_null(hay);
    cr_assert_not_null(strstr(hay, needle), "missing \"%s\" in:\n%s", needle, hay);
}

/* The numbers of data line `line` (0-based, comments and blank lines
 * skipped) of a data file; returns how many. */
static size_t data_row(const char *text, size_t line, double *v, size_t cap)
{
    size_t seen = 0;
    for (const char *p = text; p && *p;) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > 0 && p[0] != '#') {
            if (seen++ == line) {
                size_t n = 0;
                char *q = (char *)p, *stop;
                while (n < cap && q < p + len) {
                    double x = strtod(q, &stop);
                    if (stop == q)
                        break;
                    v[n++] = x;
                    q = stop;
                }
                return n;
            }
        }
        p = end ? end + 1 : NULL;
    }
    return 0;
}

/* The data row whose first number is `key`. */
static size_t row_with(const char *text, double key, double *v, size_t cap)
{
    for (size_t line = 0;; line++) {
        size_t n = data_row(text, line, v, cap);
        if (n == 0)
            return 0;
        if (v[0] == key)
            return n;
    }
}

static struct tune_plot_opts opts_in(const char *dir, int render)
{
    return (struct tune_plot_opts){.out_dir = dir, .gnuplot = render ? NULL : NO_GNUPLOT};
}

static size_t image_index(const struct tune_plot_log *log, const char *name)
{
    size_t i = 0;
    while (i < log->n_images && strcmp(log->images[i], name) != 0)
        i++;
    return i;
}

/* ---- quoting, names, PNG --------------------------------------------------- */

Test(report, gnuplot_quote_doubles_quotes_and_blanks_control_characters)
{
    char *q = tune_gp_quote("it's \"x\"\n`touch y` @m \\n");
    cr_assert_str_eq(q, "'it''s \"x\" `touch y` @m \\n'");
    free(q);
    q = tune_gp_quote("caf\xc3\xa9 \xc2\xb1 bad\xff\xfe tab\there");
    cr_assert_str_eq(q, "'caf\xc3\xa9 \xc2\xb1 bad?? tab here'");
    free(q);
    q = tune_gp_quote("");
    cr_assert_str_eq(q, "''");
    free(q);
}

Test(report, file_parts_keep_only_safe_bytes)
{
    char buf[16];
    tune_report_file_part("../a b/\xc3\xa9", buf, 15);
    cr_assert_str_eq(buf, "___a_b___");
    tune_report_file_part("max_depth-2", buf, 5);
    cr_assert_str_eq(buf, "max_d");
    tune_report_file_part("", buf, 5);
    cr_assert_str_eq(buf, "x");
}

Test(report, png_size_reads_the_ihdr_chunk_and_refuses_other_files)
{
    char *dir = tu_tmpdir();
    static const unsigned char png[24] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13,
                                          'I', 'H', 'D', 'R', 0, 0, 0x03, 0x21, 0, 0, 0x01, 0x2c};
    char path[600];
    snprintf(path, sizeof path, "%s/a.png", dir);
    FILE *f = fopen(path, "wb");
    fwrite(png, 1, sizeof png, f);
    fclose(f);
    unsigned w = 0, h = 0;
    cr_assert_eq(tune_png_size(path, &w, &h, NULL), TUNE_OK);
    cr_assert_eq(w, 801);
    cr_assert_eq(h, 300);
    char *txt = tu_write(dir, "b.png", "<svg></svg> and more text here");
    struct tune_error err = {0};
    cr_assert_eq(tune_png_size(txt, &w, &h, &err), TUNE_EINVAL);
    assert_contains(err.msg, "not a PNG");
    free(txt);
    rm_dir(dir);
}

/* ---- out-of-fold predictions, ROC, PR, confusion --------------------------- */

/* Two folds of a binary task: fold 0 is scikit-learn's classic example
 * (truth 0 0 1 1, scores .1 .4 .35 .8: AUC .75, AP .8333); fold 1 ranks
 * perfectly.  Class names need CSV quoting. */
static const char binary_oof[] =
    "row,fold,y_true,y_pred,\"p_no, not\",p_yes\n"
    "0,0,0,0,0.9,0.1\n"
    "1,0,0,0,0.6,0.4\n"
    "2,0,1,0,0.65,0.35\n"
    "3,0,1,1,0.2,0.8\n"
    "4,1,0,0,0.9,0.1\n"
    "5,1,1,1,0.1,0.9\n"
    "6,1,0,0,0.8,0.2\n"
    "7,1,1,1,0.2,0.8\n";

Test(report, oof_files_parse_with_quoted_class_names)
{
    struct tune_oof o;
    struct tune_error err = {0};
    cr_assert_eq(tune_oof_parse(binary_oof, strlen(binary_oof), TUNE_TASK_BINARY, &o, &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(o.n, 8);
    cr_assert_eq(o.n_classes, 2);
    cr_assert_str_eq(o.class_names[0], "no, not");
    cr_assert_str_eq(o.class_names[1], "yes");
    cr_assert_eq(o.n_folds, 2);
    cr_assert_eq(o.folds[1], 1);
    assert_close(o.proba[2 * 2 + 1], 0.35, 0);
    tune_oof_release(&o);
    static const char bad[] = "row,fold,truth,y_pred\n0,0,1,1\n";
    cr_assert_eq(tune_oof_parse(bad, strlen(bad), TUNE_TASK_BINARY, &o, &err), TUNE_EINVAL);
    assert_contains(err.msg, "y_true");
}

Test(report, oof_files_of_a_clustering_hold_cluster_ids_and_distances)
{
    static const char text[] = "row,fold,cluster,distance\n"
                               "0,0,1,0.25\n"
                               "1,1,0,1.5\n"
                               "2,0,2,nan\n";
    struct tune_oof o;
    struct tune_error err = {0};
    cr_assert_eq(tune_oof_parse(text, strlen(text), TUNE_TASK_CLUSTERING, &o, &err), TUNE_OK,
                 "%s", err.msg);
    cr_assert_eq(o.n, 3);
    cr_assert_eq(o.n_classes, 0);
    cr_assert_eq(o.n_clusters, 3);
    cr_assert(o.y_pred[0] == 1 && o.y_pred[1] == 0 && o.y_pred[2] == 2);
    cr_assert_not_null(o.distance);
    cr_assert(o.distance[1] == 1.5 && isnan(o.distance[2]));
    cr_assert_eq(o.n_folds, 2);
    tune_oof_release(&o);
    static const char bad[] = "row,fold,cluster,distance\n0,0,1.5,0\n";
    cr_assert_eq(tune_oof_parse(bad, strlen(bad), TUNE_TASK_CLUSTERING, &o, &err), TUNE_EINVAL);
    assert_contains(err.msg, "cluster");
}

/* ---- principal components ------------------------------------------------- */

Test(report, pca_of_a_rotated_rectangle_recovers_its_axes)
{
    /* the corners of a 4 x 2 rectangle rotated so that its long side runs
     * along u = (0.6, 0.8) and its short one along v = (-0.8, 0.6), shifted
     * to (3, -1), plus a constant third column: PC1 = u (largest loading
     * 0.8, positive), PC2 = -v (largest loading 0.8 made positive), the
     * variances 4 and 1: 80% and 20% */
    static const double a[4] = {2, 2, -2, -2}, b[4] = {1, -1, 1, -1};
    double x[3 * 4], coords[2 * 4], ratio[2];
    for (size_t i = 0; i < 4; i++) {
        x[i] = 3 + a[i] * 0.6 + b[i] * -0.8;
        x[4 + i] = -1 + a[i] * 0.8 + b[i] * 0.6;
        x[8 + i] = 5;
    }
    struct tune_matrix m = {4, 3, x};
    struct tune_error err = {0};
    cr_assert_eq(tune_report_pca2(&m, coords, ratio, &err), TUNE_OK, "%s", err.msg);
    assert_close(ratio[0], 0.8, 1e-12);
    assert_close(ratio[1], 0.2, 1e-12);
    for (size_t i = 0; i < 4; i++) {
        assert_close(coords[2 * i], a[i], 1e-12);
        assert_close(coords[2 * i + 1], -b[i], 1e-12);
    }
    /* more columns than rows: the same answer through the rows' Gram matrix */
    double wide[6 * 2], wc[2 * 2], wr[2];
    for (size_t j = 0; j < 6; j++) {
        wide[j * 2] = (double)j * 0.5;
        wide[j * 2 + 1] = -(double)j * 0.5;
    }
    struct tune_matrix w = {2, 6, wide};
    cr_assert_eq(tune_report_pca2(&w, wc, wr, &err), TUNE_OK, "%s", err.msg);
    assert_close(wr[0], 1, 1e-12);
    assert_close(wr[1], 0, 1e-12);
    /* the two rows are sqrt(sum of (j)^2) = sqrt(55) apart, on PC1 */
    assert_close(fabs(wc[0] - wc[2]), sqrt(55.0), 1e-12);
    cr_assert_eq(tune_report_pca2(&(struct tune_matrix){1, 3, x}, coords, ratio, &err),
                 TUNE_EINVAL);
}

Test(report, pca_of_standardized_iris_explains_73_and_23_percent)
{
    /* the classic figures: 72.96% and 22.85% of the variance */
    struct tune_table *t = NULL;
    cr_assert_eq(tune_table_read_csv("data/iris.csv", &t, NULL), TUNE_OK);
    size_t n = t->n_rows;
    double *x = malloc(4 * n * sizeof *x), *coords = malloc(2 * n * sizeof *coords), ratio[2];
    for (size_t j = 0; j < 4; j++) {
        double mean, sd;
        tune_mean_std(&t->data[j * n], n, &mean, &sd);
        for (size_t i = 0; i < n; i++)
            x[j * n + i] = (t->data[j * n + i] - mean) / sd;
    }
    struct tune_matrix m = {n, 4, x};
    cr_assert_eq(tune_report_pca2(&m, coords, ratio, NULL), TUNE_OK);
    assert_close(ratio[0], 0.7296, 1e-4);
    assert_close(ratio[1], 0.2285, 1e-4);
    /* the first flower, on the first component */
    assert_close(fabs(coords[0]), 2.2647, 1e-4);
    free(x);
    free(coords);
    tune_table_free(t);
}

Test(report, roc_data_are_the_metric_curves_and_the_mean_averages_the_folds)
{
    char *dir = tu_tmpdir();
    struct tune_oof o;
    cr_assert_eq(tune_oof_parse(binary_oof, strlen(binary_oof), TUNE_TASK_BINARY, &o, NULL), 0);
    struct tune_plot_opts po = opts_in(dir, 0);
    struct tune_plot_log log = {0};
    struct tune_error err = {0};
    cr_assert_eq(tune_report_roc(&o, "t", &po, &log, &err), TUNE_OK, "%s", err.msg);
    cr_assert(log.gnuplot_missing);
    cr_assert_eq(log.n_images, 1);
    cr_assert_str_eq(log.images[0], "roc.png");
    cr_assert(!exists(dir, "roc.png"));
    /* fold 1 is scikit-learn's roc_curve: fpr 0 0 .5 .5 1, tpr 0 .5 .5 1 1 */
    char *dat = tu_read(dir, "roc.dat");
    static const double fpr[] = {0, 0, 0.5, 0.5, 1}, tpr[] = {0, 0.5, 0.5, 1, 1};
    double v[8];
    for (size_t i = 0; i < 5; i++) {
        cr_assert_eq(data_row(dat, i, v, 8), 3);
        cr_assert_eq(v[0], fpr[i]);
        cr_assert_eq(v[1], tpr[i]);
    }
    /* fold 2 follows, a perfect ranking; scikit-learn keeps (0, .5), the
     * first threshold, and drops (.5, 1): (0,0) (0,.5) (0,1) (1,1) */
    cr_assert_eq(data_row(dat, 7, v, 8), 3);
    cr_assert_eq(v[0], 0);
    cr_assert_eq(v[1], 1);
    cr_assert_eq(data_row(dat, 8, v, 8), 3);
    cr_assert_eq(v[0], 1);
    assert_contains(dat, "# fold 1: AUC 0.75\n");
    assert_contains(dat, "# fold 2: AUC 1\n");
    /* mean curve: at fpr .25 fold 1's envelope is .5, fold 2's is 1 */
    char *mean = tu_read(dir, "roc_mean.dat");
    cr_assert_eq(data_row(mean, 0, v, 8), 5);
    cr_assert(v[0] == 0 && v[1] == 0, "the mean curve starts at the origin");
    cr_assert_eq(row_with(mean, 0.25, v, 8), 5);
    assert_close(v[1], 0.75, 1e-15);
    assert_close(v[2], 0.25, 1e-15);
    assert_close(v[3], 0.5, 1e-15);
    assert_close(v[4], 1.0, 1e-15);
    char *gp = tu_read(dir, "roc.gp");
    assert_contains(gp, "'fold 1 (AUC 0.750)'");
    assert_contains(gp, "'mean (AUC 0.875 \xc2\xb1 0.125)'");
    assert_contains(gp, "x with lines dt 2");
    assert_contains(gp, "set output 'roc.png'");
    free(dat);
    free(mean);
    free(gp);
    tune_plot_log_release(&log);
    tune_oof_release(&o);
    rm_dir(dir);
}

Test(report, pr_mean_curve_averages_interpolated_precision)
{
    char *dir = tu_tmpdir();
    struct tune_oof o;
    cr_assert_eq(tune_oof_parse(binary_oof, strlen(binary_oof), TUNE_TASK_BINARY, &o, NULL), 0);
    struct tune_plot_opts po = opts_in(dir, 0);
    struct tune_plot_log log = {0};
    cr_assert_eq(tune_report_pr(&o, "t", &po, &log, NULL), TUNE_OK);
    /* fold 1: precision at recall >= .75 is at most 2/3; fold 2: 1 */
    char *mean = tu_read(dir, "pr_mean.dat");
    double v[8];
    cr_assert_eq(row_with(mean, 0.75, v, 8), 5);
    assert_close(v[1], (2.0 / 3 + 1) / 2, 1e-15);
    assert_close(v[2], (1 - 2.0 / 3) / 2, 1e-15);
    /* at recall .5 fold 1 reaches precision 1 */
    cr_assert_eq(row_with(mean, 0.5, v, 8), 5);
    assert_close(v[1], 1.0, 1e-15);
    char *gp = tu_read(dir, "pr.gp");
    /* average precision: .8333 (scikit-learn) and 1 */
    assert_contains(gp, "'mean (AP 0.917 \xc2\xb1 0.083)'");
    assert_contains(gp, "'chance (positives 0.500)'");
    assert_contains(gp, "with fsteps");
    free(mean);
    free(gp);
    tune_plot_log_release(&log);
    tune_oof_release(&o);
    rm_dir(dir);
}

static const char multi_oof[] =
    "row,fold,y_true,y_pred,p_a,p_b,p_c\n"
    "0,0,0,0,0.7,0.2,0.1\n"
    "1,0,0,1,0.3,0.6,0.1\n"
    "2,1,1,1,0.1,0.8,0.1\n"
    "3,1,1,1,0.2,0.7,0.1\n"
    "4,1,2,0,0.5,0.1,0.4\n";

Test(report, confusion_data_hold_counts_and_row_rates)
{
    char *dir = tu_tmpdir();
    struct tune_oof o;
    cr_assert_eq(tune_oof_parse(multi_oof, strlen(multi_oof), TUNE_TASK_MULTICLASS, &o, NULL),
                 0);
    struct tune_plot_opts po = opts_in(dir, 0);
    struct tune_plot_log log = {0};
    cr_assert_eq(tune_report_confusion(&o, "t", &po, &log, NULL), TUNE_OK);
    char *dat = tu_read(dir, "confusion.dat");
    const char *body = strchr(dat, '\n') + 1;
    cr_assert_str_eq(body, "0 0 1 0.5\n1 0 1 0.5\n2 0 0 0\n\n"
                           "0 1 0 0\n1 1 2 1\n2 1 0 0\n\n"
                           "0 2 1 1\n1 2 0 0\n2 2 0 0\n\n");
    char *gp = tu_read(dir, "confusion.gp");
    assert_contains(gp, "set xtics ('a' 0, 'b' 1, 'c' 2)");
    assert_contains(gp, "set ytics ('a' 0, 'b' 1, 'c' 2)");
    assert_contains(gp, "with image");
    assert_contains(gp, "with labels");
    free(dat);
    free(gp);
    tune_plot_log_release(&log);
    tune_oof_release(&o);
    rm_dir(dir);
}

Test(report, multiclass_curves_are_one_vs_rest_per_class)
{
    char *dir = tu_tmpdir();
    struct tune_oof o;
    cr_assert_eq(tune_oof_parse(multi_oof, strlen(multi_oof), TUNE_TASK_MULTICLASS, &o, NULL),
                 0);
    struct tune_plot_opts po = opts_in(dir, 0);
    struct tune_plot_log log = {0};
    cr_assert_eq(tune_report_roc(&o, "t", &po, &log, NULL), TUNE_OK);
    cr_assert_eq(log.n_images, 3);
    cr_assert_str_eq(log.images[2], "roc_2.png");
    char *gp = tu_read(dir, "roc_1.gp");
    assert_contains(gp, "'ROC curve, one-vs-rest: class ' . 'b'");
    /* class c (code 2) is in fold 2 only: fold 1 draws no curve */
    char *dat = tu_read(dir, "roc_2.dat");
    cr_assert_null(strstr(dat, "# fold 1"));
    assert_contains(dat, "# fold 2: AUC");
    free(gp);
    free(dat);
    tune_plot_log_release(&log);
    tune_oof_release(&o);
    rm_dir(dir);
}

/* ---- history, parameters, importances -------------------------------------- */

static struct tune_trial trial(int number, enum tune_trial_state state, double value,
                               const char *params)
{
    struct tune_trial t = {0};
    t.number = number;
    t.state = state;
    t.value = value;
    t.params_json = (char *)params;
    t.t_start = 1000 + number;
    t.t_end = 1000.5 + number;
    t.fit_seconds = t.predict_seconds = NAN;
    return t;
}

Test(report, history_marks_failures_and_keeps_the_best_so_far)
{
    char *dir = tu_tmpdir();
    struct tune_trial t[5] = {trial(0, TUNE_TRIAL_COMPLETE, 0.9, NULL),
                              trial(1, TUNE_TRIAL_FAILED, NAN, NULL),
                              trial(2, TUNE_TRIAL_COMPLETE, 0.8, NULL),
                              trial(3, TUNE_TRIAL_COMPLETE, 0.95, NULL),
                              trial(4, TUNE_TRIAL_PRUNED, NAN, NULL)};
    struct tune_study_info info = {.name = "s'1", .metric = "accuracy", .maximize = 1};
    struct tune_plot_opts po = opts_in(dir, 0);
    struct tune_plot_log log = {0};
    cr_assert_eq(tune_report_history(&info, t, 5, &po, &log, NULL), TUNE_OK);
    char *dat = tu_read(dir, "history.dat");
    double v[8], fail_row;
    static const double best[] = {0.9, 0.9, 0.9, 0.95, 0.95};
    for (size_t i = 0; i < 5; i++) {
        cr_assert_eq(data_row(dat, i, v, 8), 6);
        cr_assert_eq(v[0], (double)i);
        cr_assert_eq(v[1], (double)t[i].state);
        cr_assert_eq(v[4], best[i]);
    }
    data_row(dat, 1, v, 8);
    cr_assert(isnan(v[2]));
    fail_row = v[3];
    cr_assert_lt(fail_row, 0.8, "failed trials sit below the data");
    data_row(dat, 4, v, 8);
    cr_assert_eq(v[3], fail_row, "a pruned trial without a value sits on the same row");
    char *gp = tu_read(dir, "history.gp");
    assert_contains(gp, "'study ' . 's''1'");
    assert_contains(gp, "'failed (1)'");
    assert_contains(gp, "'pruned (1)'");
    assert_contains(gp, "'best: trial 3 (0.95)'");
    free(dat);
    free(gp);
    tune_plot_log_release(&log);
    rm_dir(dir);
}

Test(report, history_draws_far_worse_values_at_the_clip_limit)
{
    char *dir = tu_tmpdir();
    struct tune_trial t[4] = {
        trial(0, TUNE_TRIAL_COMPLETE, 0.9, NULL), trial(1, TUNE_TRIAL_COMPLETE, 0.8, NULL),
        trial(2, TUNE_TRIAL_COMPLETE, 0.85, NULL), trial(3, TUNE_TRIAL_COMPLETE, 0.1, NULL)};
    struct tune_study_info info = {.name = "s", .metric = "roc_auc", .maximize = 1};
    struct tune_plot_opts po = opts_in(dir, 0);
    struct tune_plot_log log = {0};
    cr_assert_eq(tune_report_history(&info, t, 4, &po, &log, NULL), TUNE_OK);
    char *dat = tu_read(dir, "history.dat");
    double v[8];
    /* best .9, median .825: limit .9 - 4 * .075 = .6 */
    data_row(dat, 3, v, 8);
    assert_close(v[2], 0.1, 0);
    assert_close(v[3], 0.6, 1e-12);
    data_row(dat, 1, v, 8);
    cr_assert_eq(v[3], 0.8, "values within the limit are drawn as they are");
    char *gp = tu_read(dir, "history.gp");
    assert_contains(gp, "'worse than shown (1)'");
    free(dat);
    free(gp);
    tune_plot_log_release(&log);
    rm_dir(dir);
}

Test(report, parameter_views_use_log_axes_and_named_categories)
{
    char *dir = tu_tmpdir();
    struct tune_trial t[3] = {
        trial(0, TUNE_TRIAL_COMPLETE, 0.7, "{\"C\": 0.01, \"penalty\": \"l2\", \"fit\": true}"),
        trial(1, TUNE_TRIAL_COMPLETE, 0.9, "{\"C\": 3, \"penalty\": \"l1\", \"fit\": false}"),
        trial(2, TUNE_TRIAL_FAILED, NAN, "{\"C\": 50, \"penalty\": \"l1\", \"fit\": true}")};
    struct tune_study_info info = {
        .name = "s",
        .metric = "accuracy",
        .maximize = 1,
        .config_json = "{\"space\":{\"C\":{\"type\":\"float\",\"low\":0.001,\"high\":100,"
                       "\"scale\":\"log\"},\"penalty\":{\"type\":\"categorical\",\"values\":"
                       "[\"l1\",\"l2\"]},\"fit\":{\"type\":\"bool\"}}}"};
    struct tune_plot_opts po = opts_in(dir, 0);
    struct tune_plot_log log = {0};
    size_t n = 0;
    cr_assert_eq(tune_report_params(&info, t, 3, &po, &log, &n, NULL), TUNE_OK);
    cr_assert_eq(n, 3);
    cr_assert_str_eq(log.images[0], "param_1_C.png");
    cr_assert_str_eq(log.images[1], "param_2_penalty.png");
    char *gp = tu_read(dir, "param_1_C.gp");
    assert_contains(gp, "set logscale x");
    assert_contains(gp, "'failed (1)'");
    assert_contains(gp, "'best trial 1'");
    char *gp2 = tu_read(dir, "param_2_penalty.gp");
    assert_contains(gp2, "set xtics ('l1' 0, 'l2' 1)");
    cr_assert_null(strstr(gp2, "logscale"));
    char *gp3 = tu_read(dir, "param_3_fit.gp");
    assert_contains(gp3, "set xtics ('false' 0, 'true' 1)");
    /* categories are jittered by at most 0.15 around their position */
    char *dat = tu_read(dir, "param_2_penalty.dat");
    double v[8];
    data_row(dat, 0, v, 8);
    cr_assert(fabs(v[2] - 1) <= 0.15 + 1e-12, "x = %g", v[2]);
    data_row(dat, 1, v, 8);
    cr_assert(fabs(v[2] - 0) <= 0.15 + 1e-12, "x = %g", v[2]);
    free(gp);
    free(gp2);
    free(gp3);
    free(dat);
    tune_plot_log_release(&log);
    rm_dir(dir);
}

/* The values of the "set xtics (...)" line of a script (labels skipped,
 * minor tics — level 1 — left out); returns how many. */
static size_t major_xtics(const char *gp, double *v, size_t cap)
{
    const char *p = strstr(gp, "set xtics (");
    cr_assert_not_null(p, "%s", gp);
    p += strlen("set xtics (");
    size_t n = 0;
    while (*p && *p != ')') {
        if (*p == '"' || *p == '\'') { /* a label */
            char q = *p++;
            while (*p && *p != q)
                p++;
            p++;
        }
        char *end;
        double x = strtod(p, &end);
        cr_assert_neq(end, p, "no number at: %.40s", p);
        p = end;
        while (*p == ' ')
            p++;
        int minor = 0;
        if (*p >= '0' && *p <= '9') { /* a level after the position */
            minor = strtol(p, &end, 10) == 1;
            p = end;
        }
        if (!minor && n < cap)
            v[n++] = x;
        while (*p == ',' || *p == ' ')
            p++;
    }
    return n;
}

/* Is x a power of ten (to rounding)? */
static int power_of_ten(double x)
{
    double e = log10(x);
    return fabs(e - round(e)) < 1e-9;
}

Test(report, log_axes_over_five_decades_tick_powers_of_ten_only)
{
    /* 1e-4..100 used to get 17 ticks (1, 2, 5 per decade) whose labels ran
     * into each other */
    static const struct {
        const char *low, *high;
        double values[3];
        size_t max_tics;
    } cases[] = {{"0.0001", "100", {1.5e-4, 0.47, 84}, 8},
                 {"1e-9", "1e6", {2e-9, 3e-2, 8e5}, 9}};
    for (size_t c = 0; c < 2; c++) {
        char *dir = tu_tmpdir(), p0[64], p1[64], p2[64], cfg[512];
        snprintf(p0, sizeof p0, "{\"C\": %.17g}", cases[c].values[0]);
        snprintf(p1, sizeof p1, "{\"C\": %.17g}", cases[c].values[1]);
        snprintf(p2, sizeof p2, "{\"C\": %.17g}", cases[c].values[2]);
        struct tune_trial t[3] = {trial(0, TUNE_TRIAL_COMPLETE, 0.7, p0),
                                  trial(1, TUNE_TRIAL_COMPLETE, 0.9, p1),
                                  trial(2, TUNE_TRIAL_COMPLETE, 0.8, p2)};
        snprintf(cfg, sizeof cfg,
                 "{\"space\":{\"C\":{\"type\":\"float\",\"low\":%s,\"high\":%s,"
                 "\"scale\":\"log\"}}}",
                 cases[c].low, cases[c].high);
        struct tune_study_info info = {
            .name = "s", .metric = "accuracy", .maximize = 1, .config_json = cfg};
        struct tune_plot_opts po = opts_in(dir, have_gnuplot());
        struct tune_plot_log log = {0};
        struct tune_error err = {0};
        cr_assert_eq(tune_report_params(&info, t, 3, &po, &log, NULL, &err), TUNE_OK, "%s",
                     err.msg);
        char *gp = tu_read(dir, "param_1_C.gp");
        double v[64];
        size_t n = major_xtics(gp, v, 64);
        cr_assert(n >= 4 && n <= cases[c].max_tics, "%zu ticks:\n%s", n, gp);
        for (size_t i = 0; i < n; i++)
            cr_assert(power_of_ten(v[i]), "tick %g is not a power of ten:\n%s", v[i], gp);
        /* evenly spaced: every decade, or every other one */
        for (size_t i = 2; i < n; i++)
            assert_close(log10(v[i]) - log10(v[i - 1]), log10(v[1]) - log10(v[0]), 1e-9);
        if (log.n_rendered)
            cr_assert_eq(log.n_warnings, 0, "%s", log.first_warning);
        free(gp);
        tune_plot_log_release(&log);
        rm_dir(dir);
    }
}

Test(report, integer_parameters_and_few_trials_get_whole_number_ticks)
{
    /* p in 1..2 was ticked 1, 1.2, 1.4...; the colour bar of 3 trials 0,
     * 0.5, 1... */
    char *dir = tu_tmpdir();
    struct tune_trial t[3] = {trial(0, TUNE_TRIAL_COMPLETE, 0.7, "{\"p\": 1, \"k\": 40}"),
                              trial(1, TUNE_TRIAL_COMPLETE, 0.9, "{\"p\": 2, \"k\": 3}"),
                              trial(2, TUNE_TRIAL_COMPLETE, 0.8, "{\"p\": 1, \"k\": 17}")};
    struct tune_study_info info = {
        .name = "s",
        .metric = "accuracy",
        .maximize = 1,
        .config_json = "{\"space\":{\"p\":{\"type\":\"int\",\"low\":1,\"high\":2},"
                       "\"k\":{\"type\":\"int\",\"low\":1,\"high\":40}}}"};
    struct tune_plot_opts po = opts_in(dir, have_gnuplot());
    struct tune_plot_log log = {0};
    struct tune_error err = {0};
    cr_assert_eq(tune_report_params(&info, t, 3, &po, &log, NULL, &err), TUNE_OK, "%s", err.msg);
    char *gp = tu_read(dir, "param_1_p.gp"), *gk = tu_read(dir, "param_2_k.gp");
    assert_contains(gp, "set xtics 1\n");
    assert_contains(gp, "set cbtics 1\n");
    /* a wide integer range keeps gnuplot's ticks, but whole numbers */
    cr_assert_null(strstr(gk, "set xtics 1\n"), "%s", gk);
    assert_contains(gk, "set format x '%.0f'");
    if (log.n_rendered)
        cr_assert_eq(log.n_warnings, 0, "%s", log.first_warning);
    free(gp);
    free(gk);
    tune_plot_log_release(&log);
    rm_dir(dir);
}

Test(report, importances_are_sorted_by_size_with_quoted_names)
{
    char *dir = tu_tmpdir();
    static const char csv[] = "feature,importance\nb,0.2\n\"a,1\",0.5\nc,-0.3\nd,nan\n";
    struct tune_plot_opts po = opts_in(dir, 0);
    struct tune_plot_log log = {0};
    struct tune_error err = {0};
    cr_assert_eq(tune_report_importances(csv, strlen(csv), "t", &po, &log, &err), TUNE_OK,
                 "%s", err.msg);
    char *dat = tu_read(dir, "importances.dat");
    double v[4];
    data_row(dat, 0, v, 4);
    cr_assert(v[0] == 0 && v[1] == 0.5);
    data_row(dat, 1, v, 4);
    cr_assert(v[0] == 1 && v[1] == -0.3);
    data_row(dat, 2, v, 4);
    cr_assert(v[0] == 2 && v[1] == 0.2);
    cr_assert_eq(data_row(dat, 3, v, 4), 0, "the NaN importance is left out");
    char *gp = tu_read(dir, "importances.gp");
    assert_contains(gp, "set ytics ('a,1' 0, 'c' 1, 'b' 2)");
    free(dat);
    free(gp);
    tune_plot_log_release(&log);
    rm_dir(dir);
}

/* ---- Pareto front, Kneedle ------------------------------------------------- */

Test(report, pareto_front_keeps_cheaper_or_better_points_in_cost_order)
{
    double cost[] = {1, 2, 3, 4, 2, NAN, 0.5};
    double q[] = {0.5, 0.7, 0.6, 0.9, 0.7, 1.0, 0.5};
    size_t idx[7];
    size_t k = tune_pareto_front(cost, q, 7, 1, idx);
    /* 6 (cost .5, .5) dominates 0 (same quality, dearer); 4 duplicates 1 */
    cr_assert_eq(k, 3);
    cr_assert_eq(idx[0], 6);
    cr_assert_eq(idx[1], 1);
    cr_assert_eq(idx[2], 3);
    /* minimizing: the cheapest of the lowest values */
    k = tune_pareto_front(cost, q, 7, 0, idx);
    cr_assert_eq(k, 1);
    cr_assert_eq(idx[0], 6);
}

/* Reference: bench/reference/kneedle_reference.py (numpy). */
Test(report, kneedle_finds_the_reference_knees)
{
    double x[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    double blobs[] = {1000, 500, 200, 50, 45, 40, 36, 33, 30, 28};
    double iris[] = {600,     222.362, 139.82,  114.092, 90.8073,
                     80.805,  71.0478, 62.2875, 55.1034, 47.3177};
    double line[] = {10, 8, 6, 4, 2};
    double shallow[] = {100, 60, 55, 20, 18, 17, 16, 15};
    double deep[] = {100, 40, 38, 36, 10, 9, 8.5, 8};
    cr_assert_eq(tune_kneedle_convex_decreasing(x, blobs, 10, 1), 3);
    cr_assert_eq(tune_kneedle_convex_decreasing(x, iris, 10, 1), 2);
    cr_assert_eq(tune_kneedle_convex_decreasing(x, line, 5, 1), -1);
    cr_assert_eq(tune_kneedle_convex_decreasing(x, shallow, 8, 1), 3);
    cr_assert_eq(tune_kneedle_convex_decreasing(x, deep, 8, 1), 1);
    cr_assert_eq(tune_kneedle_convex_decreasing(x, blobs, 2, 1), -1);
}

/* ---- learning curve ---------------------------------------------------------- */

static struct tune_learning_curve fake_curve(int maximize, const char *metric,
                                             const double *train, const double *valid,
                                             double sd)
{
    static double fr[2] = {0.5, 1}, n[2] = {50, 100}, tm[2], vm[2], ts[2], vs[2];
    memcpy(tm, train, sizeof tm);
    memcpy(vm, valid, sizeof vm);
    ts[0] = ts[1] = vs[0] = vs[1] = sd;
    return (struct tune_learning_curve){.metric = (char *)metric,
                                        .maximize = maximize,
                                        .n_sizes = 2,
                                        .n_folds = 5,
                                        .fractions = fr,
                                        .n_train = n,
                                        .train_mean = tm,
                                        .train_std = ts,
                                        .valid_mean = vm,
                                        .valid_std = vs};
}

Test(report, diagnosis_tells_variance_bias_and_a_good_fit_apart)
{
    char buf[512];
    struct tune_learning_curve lc;
    lc = fake_curve(1, "accuracy", (double[]){1.0, 1.0}, (double[]){0.80, 0.90}, 0.01);
    tune_learning_curve_diagnose(&lc, buf, sizeof buf);
    cr_assert(strncmp(buf, "high variance", 13) == 0, "%s", buf);
    assert_contains(buf, "narrows");
    lc = fake_curve(1, "accuracy", (double[]){1.0, 1.0}, (double[]){0.90, 0.90}, 0.01);
    tune_learning_curve_diagnose(&lc, buf, sizeof buf);
    assert_contains(buf, "high variance");
    assert_contains(buf, "does not narrow");
    lc = fake_curve(1, "accuracy", (double[]){0.75, 0.72}, (double[]){0.70, 0.71}, 0.01);
    tune_learning_curve_diagnose(&lc, buf, sizeof buf);
    cr_assert(strncmp(buf, "high bias", 9) == 0, "%s", buf);
    lc = fake_curve(1, "roc_auc", (double[]){0.99, 0.98}, (double[]){0.96, 0.975}, 0.004);
    tune_learning_curve_diagnose(&lc, buf, sizeof buf);
    cr_assert(strncmp(buf, "good fit", 8) == 0, "%s", buf);
    lc = fake_curve(0, "rmse", (double[]){10, 11}, (double[]){11.5, 11.2}, 0.1);
    tune_learning_curve_diagnose(&lc, buf, sizeof buf);
    cr_assert(strncmp(buf, "no clear diagnosis", 18) == 0, "%s", buf);
    /* the same gap on an error metric, lower is better: variance */
    lc = fake_curve(0, "rmse", (double[]){5, 6}, (double[]){12, 8}, 0.1);
    tune_learning_curve_diagnose(&lc, buf, sizeof buf);
    assert_contains(buf, "high variance");
}

static const char iris_study[] =
    "{\"name\": \"iris-lc\", \"data\": {\"path\": \"%s/data/iris.csv\"}, \"task\": \"multiclass\","
    " \"trainer\": {\"name\": \"logistic\", \"params\": {\"C\": 0.3}},"
    " \"preprocess\": {\"scale\": \"standard\"}, \"search\": {\"seed\": 7}, \"cv\": {\"folds\": 5}}";

Test(report, learning_curve_at_full_size_reproduces_cross_validation)
{
    char cwd[512], text[1024];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    snprintf(text, sizeof text, iris_study, cwd);
    struct tune_study_config *cfg = NULL;
    struct tune_dataset *ds = NULL;
    struct tune_error err = {0};
    cr_assert_eq(tune_config_parse("iris.json", text, &cfg, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(tune_dataset_load(cfg->data_path, cfg->target, cfg->task, &ds, &err), TUNE_OK);
    double fr[2] = {0.5, 1.0};
    struct tune_learning_curve lc;
    cr_assert_eq(tune_learning_curve_compute(cfg, ds, "{\"C\": 0.8}", fr, 2, &lc, &err), TUNE_OK,
                 "%s", err.msg);
    cr_assert_eq(lc.n_folds, 5);
    cr_assert_eq(lc.n_train[0], 60);
    cr_assert_eq(lc.n_train[1], 120);
    /* the study's own cross-validation of the same params */
    struct tune_splits *sp = NULL;
    cr_assert_eq(tune_cv_split(&cfg->cv, ds->n_rows, ds->y, ds->n_classes, cfg->seed, &sp, NULL),
                 0);
    const struct tune_trainer_type *tr = cfg->trainer;
    double values[64];
    const char *names[64], *strings[64];
    cr_assert_eq(tune_config_resolve_params(cfg, "{\"C\": 0.8}", "p", values, NULL), 0);
    for (size_t i = 0; i < tr->n_hparams; i++) {
        names[i] = tr->hparams[i].name;
        strings[i] = tr->hparams[i].type == TUNE_PARAM_CATEGORICAL
                         ? tr->hparams[i].choices[(size_t)values[i]]
                         : NULL;
    }
    struct tune_params params = {tr->n_hparams, names, values, strings};
    struct tune_cv_result cv;
    cr_assert_eq(tune_cross_validate(ds, sp, &cfg->prep, tr, &params, cfg->seed, &cv, &err), 0,
                 "%s", err.msg);
    const struct tune_metric_summary *acc = NULL;
    for (size_t m = 0; m < cv.n_metrics; m++)
        if (strcmp(cv.metrics[m].name, "accuracy") == 0)
            acc = &cv.metrics[m];
    cr_assert_not_null(acc);
    for (size_t f = 0; f < 5; f++)
        cr_assert_eq(lc.valid[1 * 5 + f], acc->folds[f], "fold %zu: %.17g vs %.17g", f,
                     lc.valid[5 + f], acc->folds[f]);
    cr_assert_eq(lc.valid_mean[1], acc->mean);
    /* training scores are scores: in [0, 1], and C = 0.8 fits iris well */
    for (size_t i = 0; i < 10; i++)
        cr_assert(lc.train[i] > 0.8 && lc.train[i] <= 1, "%g", lc.train[i]);
    tune_cv_result_release(&cv);
    tune_splits_free(sp);
    tune_learning_curve_release(&lc);
    /* a fraction outside (0, 1] is refused, naming --sizes */
    double bad[1] = {1.5};
    cr_assert_eq(tune_learning_curve_compute(cfg, ds, NULL, bad, 1, &lc, &err), TUNE_EINVAL);
    assert_contains(err.msg, "--sizes");
    tune_dataset_free(ds);
    tune_config_free(cfg);
}

static const char kmeans_study[] =
    "{\"name\": \"iris-km\", \"data\": {\"path\": \"%s/data/iris.csv\", \"target\": \"target\"},"
    " \"task\": \"clustering\", \"trainer\": {\"name\": \"kmeans\", \"params\": {\"n_init\": 2}},"
    " \"preprocess\": {\"scale\": \"standard\"}, \"search\": {\"seed\": 1}, \"cv\": {\"folds\": 3}}";

Test(report, clustering_learning_curve_scores_the_silhouette_of_training_and_validation_rows)
{
    /* a clustering measure needs the rows: it used to be NaN everywhere */
    char cwd[512], text[1024];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    snprintf(text, sizeof text, kmeans_study, cwd);
    struct tune_study_config *cfg = NULL;
    struct tune_dataset *ds = NULL;
    struct tune_error err = {0};
    cr_assert_eq(tune_config_parse("km.json", text, &cfg, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(tune_dataset_load(cfg->data_path, cfg->target, cfg->task, &ds, &err), TUNE_OK);
    double fr[2] = {0.4, 1.0};
    const char *params = "{\"n_clusters\": 3}";
    struct tune_learning_curve lc;
    cr_assert_eq(tune_learning_curve_compute(cfg, ds, params, fr, 2, &lc, &err), TUNE_OK, "%s",
                 err.msg);
    cr_assert_str_eq(lc.metric, "silhouette");
    cr_assert(lc.maximize);
    for (size_t i = 0; i < 2 * 3; i++) {
        cr_assert(lc.train[i] > 0.2 && lc.train[i] < 1, "train %zu: %g", i, lc.train[i]);
        cr_assert(lc.valid[i] > 0.2 && lc.valid[i] < 1, "valid %zu: %g", i, lc.valid[i]);
    }
    /* at full size the validation scores are the study's fold scores */
    struct tune_splits *sp = NULL;
    cr_assert_eq(tune_cv_split(&cfg->cv, ds->n_rows, ds->y, ds->n_classes, cfg->seed, &sp, NULL),
                 0);
    const struct tune_trainer_type *tr = cfg->trainer;
    double values[64];
    const char *names[64], *strings[64];
    cr_assert_eq(tune_config_resolve_params(cfg, params, "p", values, NULL), 0);
    for (size_t i = 0; i < tr->n_hparams; i++) {
        names[i] = tr->hparams[i].name;
        strings[i] = tr->hparams[i].type == TUNE_PARAM_CATEGORICAL
                         ? tr->hparams[i].choices[(size_t)values[i]]
                         : NULL;
    }
    struct tune_params tp = {tr->n_hparams, names, values, strings};
    struct tune_cv_result cv;
    cr_assert_eq(tune_cross_validate(ds, sp, &cfg->prep, tr, &tp, cfg->seed, &cv, &err), 0, "%s",
                 err.msg);
    const struct tune_metric_summary *sil = NULL;
    for (size_t m = 0; m < cv.n_metrics; m++)
        if (strcmp(cv.metrics[m].name, "silhouette") == 0)
            sil = &cv.metrics[m];
    cr_assert_not_null(sil);
    for (size_t f = 0; f < 3; f++)
        cr_assert_eq(lc.valid[3 + f], sil->folds[f], "fold %zu: %.17g vs %.17g", f,
                     lc.valid[3 + f], sil->folds[f]);
    char buf[512];
    tune_learning_curve_diagnose(&lc, buf, sizeof buf);
    cr_assert_null(strstr(buf, "bias"), "%s", buf);
    cr_assert_null(strstr(buf, "nan"), "%s", buf);
    tune_cv_result_release(&cv);
    tune_splits_free(sp);
    tune_learning_curve_release(&lc);
    /* one cluster has no silhouette anywhere: an error, not a curve of NaN */
    cr_assert_eq(tune_learning_curve_compute(cfg, ds, "{\"n_clusters\": 1}", fr, 2, &lc, &err),
                 TUNE_ENUMERIC);
    assert_contains(err.msg, "silhouette");
    assert_contains(err.msg, "undefined");
    tune_dataset_free(ds);
    tune_config_free(cfg);
}

/* ---- elbow ------------------------------------------------------------------- */

Test(report, elbow_of_four_separated_blobs_is_four)
{
    /* 4 blobs of 12 points on a small deterministic pattern, 20 apart */
    double data[2 * 48];
    static const double cx[4] = {0, 20, 0, 20}, cy[4] = {0, 0, 20, 20};
    for (size_t b = 0; b < 4; b++)
        for (size_t i = 0; i < 12; i++) {
            data[b * 12 + i] = cx[b] + (double)(i % 4) * 0.7 - 1.05;
            data[48 + b * 12 + i] = cy[b] + (double)(i / 4) * 0.9 - 0.9;
        }
    struct tune_matrix x = {48, 2, data};
    struct tune_elbow e;
    struct tune_error err = {0};
    cr_assert_eq(tune_elbow_compute(&x, 8, 4, 3, &e, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(e.elbow_k, 4);
    cr_assert_eq(e.best_silhouette_k, 4);
    cr_assert(isnan(e.silhouette[0]));
    for (size_t k = 1; k < 8; k++)
        cr_assert_leq(e.inertia[k], e.inertia[k - 1] * (1 + 1e-12));
    char *dir = tu_tmpdir();
    int render = have_gnuplot();
    struct tune_plot_opts po = opts_in(dir, render);
    struct tune_plot_log log = {0};
    cr_assert_eq(tune_elbow_plot(&e, "blobs", &po, &log, &err), TUNE_OK, "%s", err.msg);
    char *dat = tu_read(dir, "elbow.dat");
    double v[4];
    cr_assert_eq(data_row(dat, 3, v, 4), 3);
    cr_assert_eq(v[0], 4);
    cr_assert_eq(v[1], e.inertia[3]);
    char *gp = tu_read(dir, "elbow.gp");
    assert_contains(gp, "'Inertia; elbow at k = 4 (Kneedle)'");
    if (render) {
        unsigned w, h;
        char path[700];
        snprintf(path, sizeof path, "%s/elbow.png", dir);
        cr_assert_eq(tune_png_size(path, &w, &h, NULL), TUNE_OK);
        cr_assert_eq(w, 1200);
        cr_assert_eq(h, 450);
        cr_assert_eq(log.n_warnings, 0, "%s", log.first_warning);
    }
    tune_elbow_release(&e);
    cr_assert_eq(tune_elbow_compute(&x, 49, 1, 3, &e, &err), TUNE_EINVAL);
    cr_assert_eq(tune_elbow_compute(&x, 1, 1, 3, &e, &err), TUNE_EINVAL);
    assert_contains(err.msg, "[2, 48]");
    free(dat);
    free(gp);
    tune_plot_log_release(&log);
    rm_dir(dir);
}

/* ---- whole studies ----------------------------------------------------------- */

/* Run `trials` search trials of the study text (data paths absolute or
 * relative to dir) into dir/t.db; *info receives the stored study. */
static struct tune_store *run_study(const char *dir, const char *text, size_t trials,
                                    struct tune_study_info *info)
{
    char path[700], db[700];
    snprintf(path, sizeof path, "%s/study.json", dir);
    snprintf(db, sizeof db, "%s/t.db", dir);
    struct tune_study_config *cfg = NULL;
    struct tune_store *store = NULL;
    struct tune_study *study = NULL;
    struct tune_error err = {0};
    cr_assert_eq(tune_config_parse(path, text, &cfg, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(tune_store_open(db, &store, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(tune_study_open(cfg, store, &study, &err), TUNE_OK, "%s", err.msg);
    struct tune_step step;
    for (size_t i = 0; i < trials; i++)
        cr_assert_eq(tune_study_step(study, trials, &step, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(tune_store_study_find(store, cfg->name, info, &err), TUNE_OK);
    tune_study_close(study);
    tune_config_free(cfg);
    return store;
}

static const char bc_study[] =
    "{\"name\": \"%s\", \"data\": {\"path\": \"%s/data/breast_cancer.csv\"}, \"task\": \"binary\","
    " \"trainer\": {\"name\": \"logistic\", \"params\": {\"penalty\": \"%s\"}},"
    " \"space\": {\"C\": {\"type\": \"float\", \"low\": 0.01, \"high\": 10, \"scale\": \"log\"}},"
    " \"preprocess\": {\"scale\": \"standard\"}, \"search\": {\"seed\": %d}, \"cv\": {\"folds\": 5}}";

static void assert_png(const char *dir, const char *name, unsigned w, unsigned h)
{
    char path[1024];
    unsigned pw = 0, ph = 0;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct tune_error err = {0};
    cr_assert_eq(tune_png_size(path, &pw, &ph, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(pw, w, "%s: width %u", name, pw);
    cr_assert_eq(ph, h, "%s: height %u", name, ph);
}

Test(report, study_report_renders_every_picture_and_matches_the_stored_metrics)
{
    char *dir = tu_tmpdir(), cwd[512], text[2048], out[700];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    snprintf(text, sizeof text, bc_study, "bc", cwd, "l2", 3);
    struct tune_study_info info = {0};
    struct tune_store *store = run_study(dir, text, 4, &info);
    snprintf(out, sizeof out, "%s/report", dir);
    int render = have_gnuplot();
    struct tune_plot_opts po = opts_in(out, render);
    struct tune_plot_log log = {0};
    struct tune_error err = {0};
    cr_assert_eq(tune_report_study(store, &info, &po, &log, &err), TUNE_OK, "%s", err.msg);
    static const char *const expect[] = {"roc.png", "pr.png", "confusion.png", "history.png",
                                         "param_1_C.png"};
    for (size_t i = 0; i < 5; i++) {
        size_t j = 0;
        while (j < log.n_images && strcmp(log.images[j], expect[i]) != 0)
            j++;
        cr_assert_lt(j, log.n_images, "no %s", expect[i]);
    }
    char *html = tu_read(out, "index.html");
    for (size_t i = 0; i < log.n_images; i++) {
        char tag[300];
        snprintf(tag, sizeof tag, "<img src=\"%s\"", log.images[i]);
        assert_contains(html, tag);
    }
    assert_contains(html, "Every metric of the best trial on every fold");
    cr_assert_null(strstr(html, "http"), "the page needs no network");
    if (render) {
        cr_assert_eq(log.n_rendered, log.n_images);
        cr_assert_eq(log.n_warnings, 0, "%s", log.first_warning);
        for (size_t i = 0; i < log.n_images; i++)
            if (strcmp(log.images[i], "importances.png") != 0)
                assert_png(out, log.images[i], 800, 600);
    }
    /* the ROC data against the stored per-fold AUC of the best trial */
    struct tune_trial best;
    cr_assert_eq(tune_store_trial_best(store, info.id, &best, NULL), TUNE_OK);
    const struct tune_metric_summary *auc = NULL;
    for (size_t m = 0; m < best.n_metrics; m++)
        if (strcmp(best.metrics[m].name, "roc_auc") == 0)
            auc = &best.metrics[m];
    cr_assert_not_null(auc);
    char *roc = tu_read(out, "roc.dat");
    size_t line = 0;
    for (size_t f = 0; f < auc->n_folds; f++) {
        /* trapezoids over this fold's points */
        double v[4], prev[2] = {0, 0}, area = 0;
        size_t n = 0;
        for (;; line++, n++) {
            if (data_row(roc, line, v, 4) != 3 || (n > 0 && v[0] == 0 && v[1] == 0))
                break;
            area += (v[0] - prev[0]) * (v[1] + prev[1]) / 2;
            prev[0] = v[0];
            prev[1] = v[1];
        }
        assert_close(area, auc->folds[f], 1e-12);
    }
    char *gp = tu_read(out, "roc.gp");
    char legend[96];
    snprintf(legend, sizeof legend, "'mean (AUC %.3f \xc2\xb1 %.3f)'", auc->mean, auc->std);
    assert_contains(gp, legend);
    /* the confusion counts cover every row once */
    char *cm = tu_read(out, "confusion.dat");
    double v[4], total = 0;
    for (size_t i = 0; data_row(cm, i, v, 4) == 4; i++)
        total += v[2];
    cr_assert_eq(total, 569);
    char *trials = tu_read(out, "trials.csv");
    assert_contains(trials, "number,state,origin,value");
    cr_assert(exists(out, "best_folds.csv"));
    free(trials);
    free(cm);
    free(gp);
    free(roc);
    free(html);
    tune_trial_release(&best);
    tune_plot_log_release(&log);
    tune_study_info_release(&info);
    tune_store_close(store);
    rm_dir(dir);
}

Test(report, out_of_fold_pictures_of_repeated_cv_say_they_show_the_last_repeat)
{
    /* with cv.repeats 2 each row is predicted twice; oof.csv keeps the last
     * repeat, and the pictures must say so */
    static const char *const studies[2] = {
        "{\"name\": \"reg\", \"data\": {\"path\": \"%s/data/diabetes.csv\"}, \"task\": "
        "\"regression\", \"trainer\": {\"name\": \"linear\"}, \"search\": {\"seed\": 2},"
        " \"cv\": {\"folds\": 3, \"repeats\": 2}}",
        "{\"name\": \"bin\", \"data\": {\"path\": \"%s/data/breast_cancer.csv\"}, \"task\": "
        "\"binary\", \"trainer\": {\"name\": \"logistic\"}, \"preprocess\": {\"scale\": "
        "\"standard\"}, \"search\": {\"seed\": 2}, \"cv\": {\"folds\": 3, \"repeats\": 2}}"};
    static const char *const scripts[2][3] = {{"predictions.gp", NULL, NULL},
                                              {"roc.gp", "pr.gp", "confusion.gp"}};
    for (size_t s = 0; s < 2; s++) {
        char *dir = tu_tmpdir(), cwd[512], text[2048], out[700];
        cr_assert_not_null(getcwd(cwd, sizeof cwd));
        snprintf(text, sizeof text, studies[s], cwd);
        struct tune_study_info info = {0};
        struct tune_store *store = run_study(dir, text, 1, &info);
        snprintf(out, sizeof out, "%s/report", dir);
        struct tune_plot_opts po = opts_in(out, 0);
        struct tune_plot_log log = {0};
        struct tune_error err = {0};
        cr_assert_eq(tune_report_study(store, &info, &po, &log, &err), TUNE_OK, "%s", err.msg);
        for (size_t i = 0; i < 3 && scripts[s][i]; i++) {
            char *gp = tu_read(out, scripts[s][i]);
            assert_contains(gp, "last of 2 repeats");
            free(gp);
        }
        /* the history is of every fold: no such note */
        char *gp = tu_read(out, "history.gp");
        cr_assert_null(strstr(gp, "repeats"), "%s", gp);
        free(gp);
        tune_plot_log_release(&log);
        tune_study_info_release(&info);
        tune_store_close(store);
        rm_dir(dir);
    }
}

static const char kmeans_grid_study[] =
    "{\"name\": \"iris-k\", \"data\": {\"path\": \"%s/data/iris.csv\", \"target\": \"target\"},"
    " \"task\": \"clustering\", \"trainer\": {\"name\": \"kmeans\", \"params\": {\"n_init\": 2}},"
    " \"space\": {\"n_clusters\": {\"type\": \"int\", \"low\": 2, \"high\": 4, \"grid_points\": 3}},"
    " \"preprocess\": {\"scale\": \"standard\"}, \"search\": {\"strategy\": \"grid\", \"seed\": 5},"
    " \"cv\": {\"folds\": 3}, \"objective\": \"%s\"}";

Test(report, clustering_report_draws_sizes_silhouettes_and_the_projection)
{
    /* k = 2..4 on iris by inertia: the best is k = 4, so four clusters */
    char *dir = tu_tmpdir(), cwd[512], text[2048], out[700];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    snprintf(text, sizeof text, kmeans_grid_study, cwd, "inertia");
    struct tune_study_info info = {0};
    struct tune_store *store = run_study(dir, text, 3, &info);
    snprintf(out, sizeof out, "%s/report", dir);
    int render = have_gnuplot();
    struct tune_plot_opts po = opts_in(out, render);
    struct tune_plot_log log = {0};
    struct tune_error err = {0};
    cr_assert_eq(tune_report_study(store, &info, &po, &log, &err), TUNE_OK, "%s", err.msg);
    static const char *const expect[] = {"cluster_sizes.png", "silhouette.png",
                                         "clusters_pca.png",  "clusters_k.png",
                                         "history.png",       "param_1_n_clusters.png"};
    char *html = tu_read(out, "index.html");
    for (size_t i = 0; i < 6; i++) {
        cr_assert_lt(image_index(&log, expect[i]), log.n_images, "no %s", expect[i]);
        char tag[300];
        snprintf(tag, sizeof tag, "<img src=\"%s\"", expect[i]);
        assert_contains(html, tag);
    }
    cr_assert_null(strstr(html, "ROC"), "no word of ROC curves for a clustering");
    if (render) {
        cr_assert_eq(log.n_rendered, log.n_images);
        cr_assert_eq(log.n_warnings, 0, "%s", log.first_warning);
    }
    struct tune_trial best;
    cr_assert_eq(tune_store_trial_best(store, info.id, &best, NULL), TUNE_OK);
    const struct tune_metric_summary *sil = NULL;
    for (size_t m = 0; m < best.n_metrics; m++)
        if (strcmp(best.metrics[m].name, "silhouette") == 0)
            sil = &best.metrics[m];
    cr_assert_not_null(sil);
    /* the silhouette of every row, within its fold: each fold's mean is the
     * stored fold score; every row once */
    char *dat = tu_read(out, "silhouette.dat");
    double v[8], sum[3] = {0}, count[3] = {0};
    for (size_t line = 0; data_row(dat, line, v, 8) == 5; line++) {
        cr_assert(v[1] >= -1 && v[1] <= 1, "%g", v[1]);
        cr_assert(v[2] >= 1 && v[2] <= 4, "cluster %g", v[2]);
        sum[(int)v[3]] += v[1];
        count[(int)v[3]]++;
    }
    cr_assert_eq(count[0] + count[1] + count[2], 150);
    for (size_t f = 0; f < 3; f++)
        assert_close(sum[f] / count[f], sil->folds[f], 1e-12);
    /* sizes: four clusters, largest first, 150 rows in all */
    char *sizes = tu_read(out, "cluster_sizes.dat");
    double total = 0, prev = INFINITY;
    size_t k = 0;
    for (; data_row(sizes, k, v, 8) >= 3; k++) {
        cr_assert_eq(v[0], (double)(k + 1));
        cr_assert_leq(v[1], prev);
        prev = v[1];
        total += v[1];
    }
    cr_assert_eq(k, 4);
    cr_assert_eq(total, 150);
    /* the projection: every row once, a centre per cluster */
    char *pca = tu_read(out, "clusters_pca.dat");
    size_t rows = 0;
    while (data_row(pca, rows, v, 8) >= 4)
        rows++;
    cr_assert_eq(rows, 150);
    char *centres = tu_read(out, "clusters_pca_centres.dat");
    size_t nc = 0;
    while (data_row(centres, nc, v, 8) >= 3)
        nc++;
    cr_assert_eq(nc, 4);
    char *gp = tu_read(out, "clusters_pca.gp");
    assert_contains(gp, "% of the variance)'");
    /* the objective per k: one point per k, the best circled */
    char *kdat = tu_read(out, "clusters_k.dat");
    cr_assert_eq(data_row(kdat, 2, v, 8), 4);
    cr_assert_eq(v[1], 4);
    free(kdat);
    free(gp);
    free(centres);
    free(pca);
    free(sizes);
    free(dat);
    free(html);
    tune_trial_release(&best);
    tune_plot_log_release(&log);
    tune_study_info_release(&info);
    tune_store_close(store);
    rm_dir(dir);
}

Test(report, clustering_report_without_stored_rows_says_so)
{
    /* a study run before oof_features.csv existed */
    char *dir = tu_tmpdir(), cwd[512], text[2048], out[700], cmd[900];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    snprintf(text, sizeof text, kmeans_grid_study, cwd, "silhouette");
    struct tune_study_info info = {0};
    struct tune_store *store = run_study(dir, text, 2, &info);
    snprintf(cmd, sizeof cmd,
             "sqlite3 '%s/t.db' \"DELETE FROM artifacts WHERE name = 'oof_features.csv'\"", dir);
    cr_assert_eq(system(cmd), 0);
    snprintf(out, sizeof out, "%s/report", dir);
    struct tune_plot_opts po = opts_in(out, 0);
    struct tune_plot_log log = {0};
    struct tune_error err = {0};
    cr_assert_eq(tune_report_study(store, &info, &po, &log, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(image_index(&log, "silhouette.png"), log.n_images);
    cr_assert_lt(image_index(&log, "clusters_k.png"), log.n_images);
    char *html = tu_read(out, "index.html");
    assert_contains(html, "oof_features.csv");
    free(html);
    tune_plot_log_release(&log);
    tune_study_info_release(&info);
    tune_store_close(store);
    rm_dir(dir);
}

Test(report, without_gnuplot_the_scripts_and_data_are_still_written)
{
    char *dir = tu_tmpdir(), cwd[512], text[2048], out[700];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    snprintf(text, sizeof text, bc_study, "bc", cwd, "l2", 3);
    struct tune_study_info info = {0};
    struct tune_store *store = run_study(dir, text, 2, &info);
    snprintf(out, sizeof out, "%s/deep/er/report", dir);
    struct tune_plot_opts po = opts_in(out, 0);
    struct tune_plot_log log = {0};
    struct tune_error err = {0};
    cr_assert_eq(tune_report_study(store, &info, &po, &log, &err), TUNE_OK, "%s", err.msg);
    cr_assert(log.gnuplot_missing);
    assert_contains(log.missing_reason, NO_GNUPLOT);
    cr_assert_eq(log.n_rendered, 0);
    for (size_t i = 0; i < log.n_images; i++) {
        char gp[300];
        snprintf(gp, sizeof gp, "%.*s.gp", (int)(strlen(log.images[i]) - 4), log.images[i]);
        cr_assert(exists(out, gp), "no %s", gp);
        cr_assert(!exists(out, log.images[i]));
    }
    cr_assert(exists(out, "roc.dat") && exists(out, "history.dat") && exists(out, "index.html"));
    char *html = tu_read(out, "index.html");
    assert_contains(html, "gnuplot was not found");
    free(html);
    tune_plot_log_release(&log);
    tune_study_info_release(&info);
    tune_store_close(store);
    rm_dir(dir);
}

Test(report, class_and_study_names_never_run_as_gnuplot_code)
{
    char *dir = tu_tmpdir(), cwd[512];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    /* iris with its classes renamed to gnuplot commands */
    char *names[3], path[700], text[2048], out[700];
    char n1[600], n2[600];
    snprintf(n1, sizeof n1, "\"\"; system(\"\"touch %s/pwned1\"\") #", dir); /* CSV-quoted */
    snprintf(n2, sizeof n2, "`touch %s/pwned2` it's @m _x^2", dir);
    names[0] = "setosa";
    names[1] = n1;
    names[2] = n2;
    snprintf(path, sizeof path, "%s/data/iris.csv", cwd);
    FILE *in = fopen(path, "r");
    char csv_path[700], line[256];
    snprintf(csv_path, sizeof csv_path, "%s/evil.csv", dir);
    FILE *o = fopen(csv_path, "w");
    cr_assert(in && o);
    fgets(line, sizeof line, in);
    fputs(line, o);
    while (fgets(line, sizeof line, in)) {
        char *comma = strrchr(line, ',');
        int cls = atoi(comma + 1);
        *comma = '\0';
        fprintf(o, cls == 1 ? "%s,\"%s\"\n" : "%s,%s\n", line, names[cls]);
    }
    fclose(in);
    fclose(o);
    snprintf(text, sizeof text,
             "{\"name\": \"evil 'study' `touch %s/pwned3`\", \"data\": {\"path\": \"evil.csv\"},"
             " \"task\": \"multiclass\", \"trainer\": {\"name\": \"logistic\"},"
             " \"space\": {\"C\": {\"type\": \"float\", \"low\": 0.1, \"high\": 10}},"
             " \"preprocess\": {\"scale\": \"standard\"}, \"cv\": {\"folds\": 3}}",
             dir);
    struct tune_study_info info = {0};
    struct tune_store *store = run_study(dir, text, 2, &info);
    snprintf(out, sizeof out, "%s/report", dir);
    int render = have_gnuplot();
    struct tune_plot_opts po = opts_in(out, render);
    struct tune_plot_log log = {0};
    struct tune_error err = {0};
    cr_assert_eq(tune_report_study(store, &info, &po, &log, &err), TUNE_OK, "%s", err.msg);
    if (render) {
        cr_assert_eq(log.n_rendered, log.n_images, "every script ran");
        cr_assert_eq(log.n_warnings, 0, "%s", log.first_warning);
    }
    for (int i = 1; i <= 3; i++) {
        char p[40];
        snprintf(p, sizeof p, "pwned%d", i);
        cr_assert(!exists(dir, p), "a name ran as a command: %s exists", p);
    }
    /* the names are in the scripts, as single-quoted literals */
    char *gp = tu_read(out, "confusion.gp");
    assert_contains(gp, "'\"; system(\"touch ");
    assert_contains(gp, "'`touch ");
    char *hist = tu_read(out, "history.gp");
    assert_contains(hist, "'evil ''study'' `touch ");
    char *html = tu_read(out, "index.html");
    assert_contains(html, "evil &#39;study&#39; `touch");
    free(gp);
    free(hist);
    free(html);
    tune_plot_log_release(&log);
    tune_study_info_release(&info);
    tune_store_close(store);
    rm_dir(dir);
}

Test(report, svg_on_request)
{
    char *dir = tu_tmpdir();
    struct tune_oof o;
    cr_assert_eq(tune_oof_parse(multi_oof, strlen(multi_oof), TUNE_TASK_MULTICLASS, &o, NULL),
                 0);
    int render = have_gnuplot();
    struct tune_plot_opts po = opts_in(dir, render);
    po.format = TUNE_IMAGE_SVG;
    struct tune_plot_log log = {0};
    struct tune_error err = {0};
    cr_assert_eq(tune_report_confusion(&o, "t", &po, &log, &err), TUNE_OK, "%s", err.msg);
    cr_assert_str_eq(log.images[0], "confusion.svg");
    char *gp = tu_read(dir, "confusion.gp");
    assert_contains(gp, "set terminal svg size 800,600");
    if (render) {
        char *svg = tu_read(dir, "confusion.svg");
        assert_contains(svg, "<svg");
        free(svg);
    }
    free(gp);
    tune_plot_log_release(&log);
    tune_oof_release(&o);
    rm_dir(dir);
}

/* ---- intermediate values ------------------------------------------------------ */

/* A trial written through the store API: claimed, given its intermediate
 * values (fold, step, value), then finished in `state` with `value`. */
struct stored_trial {
    enum tune_trial_state state;
    double value;
    size_t n_values;
    const struct tune_intermediate *values;
};

/* Store `n` trials, numbered 0.. in order, in a new study `name` (objective
 * `metric`; a binary task with no search space) of the open store. */
static void store_trials_cfg(struct tune_store *store, const char *name, const char *config,
                             const char *metric, int maximize, const struct stored_trial *t,
                             size_t n, struct tune_study_info *info)
{
    struct tune_error err = {0};
    int created = 0;
    cr_assert_eq(tune_store_study_create_or_load(store, name, config, metric, maximize, info,
                                                 &created, &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(created, 1);
    for (size_t i = 0; i < n; i++) {
        int number = -1, seq = -1;
        cr_assert_eq(tune_store_trial_claim(store, info->id, TUNE_ORIGIN_SEARCH, n, &number,
                                              &seq, &err),
                     TUNE_OK, "%s", err.msg);
        cr_assert_eq(number, (int)i);
        cr_assert_eq(tune_store_trial_set_params(store, info->id, number, "{}", &err), TUNE_OK,
                     "%s", err.msg);
        if (t[i].n_values)
            cr_assert_eq(tune_store_trial_add_intermediate(store, info->id, number, t[i].values,
                                                             t[i].n_values, &err),
                         TUNE_OK, "%s", err.msg);
        struct tune_trial_result res = {
            .state = t[i].state,
            .value = t[i].value,
            .value_std = NAN,
            .fit_seconds = 0.5,
            .predict_seconds = 0.25,
            .error = t[i].state == TUNE_TRIAL_FAILED ? "trainer crashed"
                     : t[i].state == TUNE_TRIAL_PRUNED ? "worse than the median"
                                                       : NULL,
            .pruned_at = -1};
        cr_assert_eq(tune_store_trial_finish(store, info->id, number, &res, &err), TUNE_OK,
                     "%s", err.msg);
    }
}

static void store_trials(struct tune_store *store, const char *name, const char *metric,
                         int maximize, const struct stored_trial *t, size_t n,
                         struct tune_study_info *info)
{
    store_trials_cfg(store, name, "{\"task\": \"binary\"}", metric, maximize, t, n, info);
}

static struct tune_store *open_store(const char *dir)
{
    char db[700];
    snprintf(db, sizeof db, "%s/iv.db", dir);
    struct tune_store *store = NULL;
    struct tune_error err = {0};
    cr_assert_eq(tune_store_open(db, &store, &err), TUNE_OK, "%s", err.msg);
    return store;
}

Test(report, intermediate_lines_are_fold_means_per_step_with_the_best_on_top)
{
    /* log-loss, minimized; two folds; every trial misses a step in a fold */
    static const struct tune_intermediate v0[] = {
        {0, 1, 0.693}, {0, 2, 0.5125}, {0, 3, 0.4375}, {1, 1, 0.6875}, {1, 2, 0.53}};
    /* the best: fold 1's step 2 is NaN and its step 4 infinite, both left out */
    static const struct tune_intermediate v1[] = {
        {0, 1, 0.61},  {0, 2, 0.3875}, {0, 3, 0.25},
        {1, 1, 0.59},  {1, 2, NAN},    {1, 3, 0.2275}, {1, 4, INFINITY}};
    static const struct tune_intermediate v2[] = {{0, 1, 0.7}, {1, 1, 0.71}};
    static const struct tune_intermediate v3[] = {{0, 1, 0.9}};
    static const struct tune_intermediate v5[] = {
        {0, 2, 0.4625}, {0, 4, 0.3375}, {1, 2, 0.4375}, {1, 4, 0.3625}, {1, 6, 0.3}};
    const struct stored_trial t[6] = {{TUNE_TRIAL_COMPLETE, 0.4123, 5, v0},
                                      {TUNE_TRIAL_COMPLETE, 0.2385, 7, v1},
                                      {TUNE_TRIAL_PRUNED, 0.35, 2, v2},
                                      {TUNE_TRIAL_FAILED, NAN, 1, v3},
                                      {TUNE_TRIAL_COMPLETE, 0.5, 0, NULL},
                                      {TUNE_TRIAL_COMPLETE, 0.31, 5, v5}};
    char *dir = tu_tmpdir(), out[700];
    struct tune_store *store = open_store(dir);
    struct tune_study_info info = {0};
    store_trials(store, "boost", "log_loss", 0, t, 6, &info);
    snprintf(out, sizeof out, "%s/report", dir);
    int render = have_gnuplot();
    struct tune_plot_opts po = opts_in(out, render);
    struct tune_plot_log log = {0};
    struct tune_error err = {0};
    cr_assert_eq(tune_report_study(store, &info, &po, &log, &err), TUNE_OK, "%s", err.msg);

    /* the other complete trials best-ranked first (5: 0.31, then 0: 0.4123),
     * then the pruned trial 2 and where it stopped (no pruned_at: its last
     * point, step 1), then the best
     * (1); failed 3 and value-less 4 are absent */
    static const double want[][4] = {
        {5, 2, (0.4625 + 0.4375) / 2, 2}, {5, 4, (0.3375 + 0.3625) / 2, 2}, {5, 6, 0.3, 1},
        {0, 1, (0.693 + 0.6875) / 2, 2},  {0, 2, (0.5125 + 0.53) / 2, 2},   {0, 3, 0.4375, 1},
        {2, 1, (0.7 + 0.71) / 2, 2},      {2, 1, (0.7 + 0.71) / 2, -1},
        {1, 1, (0.61 + 0.59) / 2, 2},     {1, 2, 0.3875, 1},                {1, 3, (0.25 + 0.2275) / 2, 2}};
    char *dat = tu_read(out, "intermediate.dat");
    cr_assert_not_null(dat, "no intermediate.dat");
    assert_contains(dat, "# intermediate values of the complete and pruned trials; columns: "
                         "trial number, step, mean value, folds reporting\n");
    double v[8];
    for (size_t i = 0; i < 11; i++) {
        size_t cols = want[i][3] < 0 ? 3 : 4; /* a stop point: trial, step, value */
        cr_assert_eq(data_row(dat, i, v, 8), cols, "row %zu", i);
        for (size_t k = 0; k < cols; k++)
            cr_assert_eq(v[k], want[i][k], "row %zu column %zu: %.17g, expected %.17g", i, k + 1,
                         v[k], want[i][k]);
    }
    cr_assert_eq(data_row(dat, 11, v, 8), 0, "nothing else is drawn");
    /* one gnuplot index per trial: two blank lines end each */
    assert_contains(dat, "5 6 0.29999999999999999 1\n\n\n0 1 ");
    assert_contains(dat, "0 3 0.4375 1\n\n\n2 1 ");
    assert_contains(dat, "2 1 0.70499999999999996 2\n\n\n2 1 0.70499999999999996\n\n\n1 1 ");

    char *gp = tu_read(out, "intermediate.gp");
    assert_contains(gp, "set output 'intermediate.png'");
    assert_contains(gp, "set ylabel 'intermediate value (lower is better)'\n");
    assert_contains(gp, "set xlabel 'step'");
    assert_contains(gp, "'Intermediate values (3 of 3 complete trials with values, 1 pruned)' "
                        ". \"\\n\" . 'study ' . 'boost'");
    assert_contains(gp, "plot 'intermediate.dat' index 0:1 using 2:3 with linespoints pt 7 "
                        "ps 0.5 lw 1 lc rgb '#b0b0b0' title 'other trials (2)'");
    assert_contains(gp, "'intermediate.dat' index 2:2 using 2:3 with linespoints pt 7 ps 0.5 "
                        "lw 1 lc rgb '#cbc0e3' title 'pruned trials (1)'");
    assert_contains(gp, "'intermediate.dat' index 3 using 2:3 with points pt 2 ps 1.2 lw 2 "
                        "lc rgb '#756bb1' title 'stopped by the pruner'");
    /* the best trial's index is the last one, 4: thick and orange */
    assert_contains(gp, "'intermediate.dat' index 4 using 2:3 with linespoints pt 7 ps 0.8 lw 3 "
                        "lc rgb '#e6550d' title 'best: trial 1 (log_loss 0.2385)'\n");

    /* on the page, after the history */
    size_t k = image_index(&log, "intermediate.png");
    cr_assert_lt(k, log.n_images, "intermediate.png is not in the log");
    cr_assert_eq(k, image_index(&log, "history.png") + 1);
    assert_contains(log.captions[k], "the best trial (1) thick and orange");
    assert_contains(log.captions[k], "3 of 3 complete trials with values drawn. Pruned trials "
                                     "(1 drawn of 1) in pale purple, a cross where the pruner "
                                     "stopped each one.");
    char *html = tu_read(out, "index.html");
    assert_contains(html, "<img src=\"intermediate.png\"");
    if (render) {
        assert_png(out, "intermediate.png", 800, 600);
        cr_assert_eq(log.n_warnings, 0, "%s", log.first_warning);
    }
    free(html);
    free(gp);
    free(dat);
    tune_plot_log_release(&log);
    tune_study_info_release(&info);
    tune_store_close(store);
    rm_dir(dir);
}

Test(report, intermediate_draws_the_best_and_at_most_fifty_best_ranked_others)
{
    /* 56 trials, accuracy maximized: trial i ranks r(i) = (i + 3) * 17 mod 56
     * (0 the best: trial 53), so 51..55 are the five left out */
    enum { N = 56 };
    struct tune_intermediate vals[N][2];
    struct stored_trial t[N];
    for (int i = 0; i < N; i++) {
        int r = (i + 3) * 17 % N;
        vals[i][0] = (struct tune_intermediate){0, 10, 0.125 * i};
        vals[i][1] = (struct tune_intermediate){1, 10, 0.375 * i};
        t[i] = (struct stored_trial){TUNE_TRIAL_COMPLETE, 0.9 - 0.001 * r, 2, vals[i]};
    }
    char *dir = tu_tmpdir();
    struct tune_store *store = open_store(dir);
    struct tune_study_info info = {0};
    store_trials(store, "many", "accuracy", 1, t, N, &info);
    struct tune_trial *trials = NULL, best;
    size_t n = 0;
    struct tune_error err = {0};
    cr_assert_eq(tune_store_trial_list(store, info.id, &trials, &n, &err), TUNE_OK);
    cr_assert_eq(tune_store_trial_best(store, info.id, &best, &err), TUNE_OK);
    cr_assert_eq(best.number, 53);
    struct tune_plot_opts po = opts_in(dir, 0);
    struct tune_plot_log log = {0};
    cr_assert_eq(tune_report_intermediate(store, &info, trials, n, best.number, &po, &log, &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(log.n_images, 1);
    assert_contains(log.captions[0], "51 of 56 complete trials with values drawn (the "
                                     "best-ranked).");
    char *dat = tu_read(dir, "intermediate.dat");
    double v[8];
    /* rows in rank order: ranks 1..50, then the best */
    for (int r = 1; r <= 51; r++) {
        int want = r == 51 ? 53 : -1;
        for (int i = 0; i < N && want < 0; i++)
            if ((i + 3) * 17 % N == r)
                want = i;
        cr_assert_eq(data_row(dat, (size_t)r - 1, v, 8), 4);
        cr_assert_eq(v[0], want, "row %d: trial %g, expected %d", r, v[0], want);
        cr_assert_eq(v[1], 10);
        cr_assert_eq(v[2], (0.125 * want + 0.375 * want) / 2);
        cr_assert_eq(v[3], 2);
    }
    cr_assert_eq(data_row(dat, 51, v, 8), 0);
    char *gp = tu_read(dir, "intermediate.gp");
    assert_contains(gp, "index 0:49 using 2:3");
    assert_contains(gp, "'other trials (50)'");
    assert_contains(gp, "index 50 using 2:3");
    assert_contains(gp, "'best: trial 53 (accuracy 0.9)'");
    assert_contains(gp, "'Intermediate values (51 of 56 complete trials with values)'");
    free(gp);
    free(dat);
    tune_plot_log_release(&log);
    tune_trial_release(&best);
    tune_trials_free(trials, n);
    tune_study_info_release(&info);
    tune_store_close(store);
    rm_dir(dir);
}

Test(report, no_intermediate_picture_without_finite_values_of_complete_or_pruned_trials)
{
    /* "plain": no trial reported anything.  "pruned-only": the values are a
     * pruned trial's non-finite ones and non-finite ones of a complete trial. */
    static const struct tune_intermediate pruned[] = {{0, 1, NAN}, {1, 1, INFINITY}};
    static const struct tune_intermediate broken[] = {{0, 1, NAN}, {1, 1, -INFINITY}};
    const struct stored_trial plain[2] = {{TUNE_TRIAL_COMPLETE, 0.8, 0, NULL},
                                          {TUNE_TRIAL_FAILED, NAN, 0, NULL}};
    const struct stored_trial other[3] = {{TUNE_TRIAL_COMPLETE, 0.8, 0, NULL},
                                          {TUNE_TRIAL_PRUNED, 0.7, 2, pruned},
                                          {TUNE_TRIAL_COMPLETE, 0.75, 2, broken}};
    char *dir = tu_tmpdir();
    struct tune_store *store = open_store(dir);
    struct tune_study_info info[2] = {{0}};
    store_trials(store, "plain", "accuracy", 1, plain, 2, &info[0]);
    store_trials(store, "pruned-only", "accuracy", 1, other, 3, &info[1]);
    for (size_t s = 0; s < 2; s++) {
        char out[700];
        snprintf(out, sizeof out, "%s/report-%zu", dir, s);
        struct tune_plot_opts po = opts_in(out, 0);
        struct tune_plot_log log = {0};
        struct tune_error err = {0};
        cr_assert_eq(tune_report_study(store, &info[s], &po, &log, &err), TUNE_OK, "%s: %s",
                     info[s].name, err.msg);
        cr_assert_eq(image_index(&log, "intermediate.png"), log.n_images, "%s", info[s].name);
        cr_assert(exists(out, "history.gp") && exists(out, "index.html"));
        cr_assert(!exists(out, "intermediate.dat") && !exists(out, "intermediate.gp"),
                  "%s", info[s].name);
        char *html = tu_read(out, "index.html");
        cr_assert_null(strstr(html, "intermediate"), "%s", info[s].name);
        free(html);
        tune_plot_log_release(&log);
        tune_study_info_release(&info[s]);
    }
    tune_store_close(store);
    rm_dir(dir);
}

/* Store one trial (claimed as the next number) with its values and result. */
static void store_one(struct tune_store *store, const struct tune_study_info *info,
                      enum tune_trial_state state, double value, int64_t pruned_at,
                      const struct tune_intermediate *v, size_t nv)
{
    struct tune_error err = {0};
    int number, seq;
    cr_assert_eq(tune_store_trial_claim(store, info->id, TUNE_ORIGIN_SEARCH, 10000, &number, &seq,
                                        &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(tune_store_trial_set_params(store, info->id, number, "{}", &err), TUNE_OK);
    struct tune_trial_result res = {.state = state,
                                    .value = value,
                                    .value_std = NAN,
                                    .error = state == TUNE_TRIAL_PRUNED ? "rung 2" : NULL,
                                    .n_intermediate = nv,
                                    .intermediate = v,
                                    .pruned_at = pruned_at};
    cr_assert_eq(tune_store_trial_finish(store, info->id, number, &res, &err), TUNE_OK, "%s",
                 err.msg);
}

Test(report, pruned_trials_are_marked_where_they_stopped_and_the_page_counts_steps_saved)
{
    /* asha on 2 folds of 4 steps: trial 0 runs in full; trial 1 is pruned at
     * step 2 of fold 1; trial 2 runs fold 1 in full and is pruned at step 2
     * of fold 2, so its line goes on to step 4 but its cross is at step 2 */
    static const struct tune_intermediate v0[] = {{0, 1, 0.625}, {0, 2, 0.5},  {0, 3, 0.375},
                                                  {0, 4, 0.25},  {1, 1, 0.75}, {1, 2, 0.5},
                                                  {1, 3, 0.375}, {1, 4, 0.3125}};
    static const struct tune_intermediate v1[] = {{0, 1, 0.875}, {0, 2, 0.8125}};
    static const struct tune_intermediate v2[] = {{0, 1, 0.75}, {0, 2, 0.625}, {0, 3, 0.5},
                                                  {0, 4, 0.4375}, {1, 1, 0.875}, {1, 2, 0.75}};
    char *dir = tu_tmpdir(), out[700];
    struct tune_store *store = open_store(dir);
    struct tune_study_info info = {0};
    struct tune_error err = {0};
    int created;
    cr_assert_eq(tune_store_study_create_or_load(
                     store, "asha",
                     "{\"task\": \"binary\", \"cv\": {\"folds\": 2, \"repeats\": 1, "
                     "\"holdout\": 0}, \"pruning\": {\"strategy\": \"asha\"}}",
                     "log_loss", 0, &info, &created, &err),
                 TUNE_OK, "%s", err.msg);
    store_one(store, &info, TUNE_TRIAL_COMPLETE, 0.28125, -1, v0, 8);
    store_one(store, &info, TUNE_TRIAL_PRUNED, NAN, 2, v1, 2);
    store_one(store, &info, TUNE_TRIAL_PRUNED, 0.4375, 2, v2, 6);
    snprintf(out, sizeof out, "%s/report", dir);
    struct tune_plot_opts po = opts_in(out, 0);
    struct tune_plot_log log = {0};
    cr_assert_eq(tune_report_study(store, &info, &po, &log, &err), TUNE_OK, "%s", err.msg);
    char *dat = tu_read(out, "intermediate.dat");
    cr_assert_not_null(dat);
    /* the pruned lines, then the crosses: trial 1 at its last point, trial 2
     * at step 2 (the mean of its two folds there), not at its last step 4 */
    assert_contains(dat, "then the best trial, 0\n1 1 0.875 1\n1 2 0.8125 1\n\n\n2 1 0.8125 2\n2 2 0.6875 2\n"
                         "2 3 0.5 1\n2 4 0.4375 1\n\n\n1 2 0.8125\n2 2 0.6875\n\n\n0 1 ");
    char *gp = tu_read(out, "intermediate.gp");
    assert_contains(gp, "'Intermediate values (1 of 1 complete trials with values, 2 pruned)'");
    assert_contains(gp, "index 0:1 using 2:3 with linespoints pt 7 ps 0.5 lw 1 lc rgb '#cbc0e3' "
                        "title 'pruned trials (2)'");
    assert_contains(gp, "index 2 using 2:3 with points pt 2 ps 1.2 lw 2 lc rgb '#756bb1' title "
                        "'stopped by the pruner'");
    assert_contains(gp, "index 3 using 2:3 with linespoints pt 7 ps 0.8 lw 3");
    /* 8 + 2 + 6 steps run of 3 trials x 2 folds x 4 steps */
    char *html = tu_read(out, "index.html");
    assert_contains(html, "<p>Early stopping (<b>asha</b>): 2 of 3 finished trials pruned; they "
                          "ran 16 of the 24 steps that full runs would take (2 folds of 4 steps "
                          "each): 33% saved.</p>");
    struct tune_trial *t;
    size_t n;
    struct tune_pruning_savings sv;
    cr_assert_eq(tune_store_trial_list(store, info.id, &t, &n, &err), TUNE_OK);
    cr_assert_eq(tune_report_pruning_savings(store, &info, t, n, &sv, &err), TUNE_OK);
    cr_assert_str_eq(sv.strategy, "asha");
    cr_assert_eq(sv.trials, 3);
    cr_assert_eq(sv.pruned, 2);
    cr_assert_eq(sv.run, 16);
    cr_assert_eq(sv.full, 24);
    tune_trials_free(t, n);
    free(dat);
    free(gp);
    free(html);
    tune_plot_log_release(&log);
    tune_study_info_release(&info);
    tune_store_close(store);
    rm_dir(dir);
}

Test(report, fold_pruning_savings_count_fold_fits_and_a_study_without_pruning_has_none)
{
    char *dir = tu_tmpdir();
    struct tune_store *store = open_store(dir);
    struct tune_study_info info = {0}, plain = {0};
    struct tune_error err = {0};
    int created;
    cr_assert_eq(tune_store_study_create_or_load(
                     store, "folds",
                     "{\"task\": \"binary\", \"cv\": {\"folds\": 5, \"repeats\": 2, "
                     "\"holdout\": 0}, \"pruning\": {\"strategy\": \"folds\"}}",
                     "roc_auc", 1, &info, &created, &err),
                 TUNE_OK, "%s", err.msg);
    store_one(store, &info, TUNE_TRIAL_COMPLETE, 0.9, -1, NULL, 0);
    store_one(store, &info, TUNE_TRIAL_PRUNED, 0.8, 3, NULL, 0);
    store_one(store, &info, TUNE_TRIAL_FAILED, NAN, -1, NULL, 0);
    store_one(store, &info, TUNE_TRIAL_PRUNED, 0.85, 4, NULL, 0);
    struct tune_trial *t;
    size_t n;
    struct tune_pruning_savings sv;
    cr_assert_eq(tune_store_trial_list(store, info.id, &t, &n, &err), TUNE_OK);
    cr_assert_eq(tune_report_pruning_savings(store, &info, t, n, &sv, &err), TUNE_OK);
    cr_assert_eq(sv.folds_unit, 1);
    cr_assert_eq(sv.folds, 10, "5 folds repeated twice");
    cr_assert_eq(sv.trials, 3, "the failed trial does not count");
    cr_assert_eq(sv.run, 10 + 3 + 4);
    cr_assert_eq(sv.full, 30);
    tune_trials_free(t, n);
    cr_assert_eq(tune_store_study_create_or_load(store, "plain", "{\"task\": \"binary\"}",
                                                 "roc_auc", 1, &plain, &created, &err),
                 TUNE_OK);
    cr_assert_eq(tune_report_pruning_savings(store, &plain, NULL, 0, &sv, &err), TUNE_OK);
    cr_assert_str_eq(sv.strategy, "");
    cr_assert_eq(sv.full, 0);
    tune_study_info_release(&info);
    tune_study_info_release(&plain);
    tune_store_close(store);
    rm_dir(dir);
}

Test(report, intermediate_script_quotes_hostile_study_and_metric_names)
{
    static const struct tune_intermediate iv[] = {{0, 1, 0.5}, {0, 2, 0.25}, {1, 1, 0.75}};
    const struct stored_trial t[1] = {{TUNE_TRIAL_COMPLETE, 0.125, 3, iv}};
    char *dir = tu_tmpdir(), name[700], metric[700], out[700];
    snprintf(name, sizeof name, "evil 'study' `touch %s/pwned1` @m\nset output '%s/pwned2'",
             dir, dir);
    snprintf(metric, sizeof metric, "m') . system('touch %s/pwned3') . ('", dir);
    struct tune_store *store = open_store(dir);
    struct tune_study_info info = {0};
    store_trials(store, name, metric, 0, t, 1, &info);
    snprintf(out, sizeof out, "%s/report", dir);
    int render = have_gnuplot();
    struct tune_plot_opts po = opts_in(out, render);
    struct tune_plot_log log = {0};
    struct tune_error err = {0};
    cr_assert_eq(tune_report_study(store, &info, &po, &log, &err), TUNE_OK, "%s", err.msg);
    cr_assert_lt(image_index(&log, "intermediate.png"), log.n_images);
    if (render) {
        cr_assert_eq(log.n_rendered, log.n_images, "every script ran");
        cr_assert_eq(log.n_warnings, 0, "%s", log.first_warning);
    }
    for (int i = 1; i <= 3; i++) {
        char p[40];
        snprintf(p, sizeof p, "pwned%d", i);
        cr_assert(!exists(dir, p), "a name ran as gnuplot code: %s exists", p);
    }
    char *gp = tu_read(out, "intermediate.gp");
    /* single-quoted literals: quotes doubled, the line break a space */
    assert_contains(gp, "'study ' . 'evil ''study'' `touch ");
    assert_contains(gp, "@m set output ''");
    assert_contains(gp, "title 'best: trial 0 (m'') . system(''touch ");
    /* the data are numbers only */
    char *dat = tu_read(out, "intermediate.dat");
    double v[8];
    cr_assert_eq(data_row(dat, 0, v, 8), 4);
    cr_assert(v[0] == 0 && v[1] == 1 && v[2] == 0.625 && v[3] == 2);
    cr_assert_eq(data_row(dat, 1, v, 8), 4);
    cr_assert(v[0] == 0 && v[1] == 2 && v[2] == 0.25 && v[3] == 1);
    cr_assert_null(strstr(dat, "evil"));
    char *html = tu_read(out, "index.html");
    assert_contains(html, "<img src=\"intermediate.png\"");
    cr_assert_null(strstr(html, "'study'"), "the page escapes the name");
    free(html);
    free(dat);
    free(gp);
    tune_plot_log_release(&log);
    tune_study_info_release(&info);
    tune_store_close(store);
    rm_dir(dir);
}

Test(report, intermediate_values_over_two_decades_get_a_log_axis)
{
    /* a squared error falling from 2385 to 12.5: ratio 190.8 */
    static const struct tune_intermediate iv[] = {
        {0, 1, 2385}, {0, 2, 310}, {0, 3, 12.5}, {1, 1, 2385}, {1, 2, 290}, {1, 3, 12.5}};
    static const struct tune_intermediate flat[] = {{0, 1, 250}, {0, 2, 30}};
    const struct stored_trial t[2] = {{TUNE_TRIAL_COMPLETE, 3.5, 6, iv},
                                      {TUNE_TRIAL_COMPLETE, 5.5, 2, flat}};
    char *dir = tu_tmpdir();
    struct tune_store *store = open_store(dir);
    struct tune_study_info info = {0};
    store_trials(store, "mse", "rmse", 0, t, 2, &info);
    struct tune_trial *trials = NULL;
    size_t n = 0;
    struct tune_error err = {0};
    cr_assert_eq(tune_store_trial_list(store, info.id, &trials, &n, &err), TUNE_OK);
    int render = have_gnuplot();
    struct tune_plot_opts po = opts_in(dir, render);
    struct tune_plot_log log = {0};
    cr_assert_eq(tune_report_intermediate(store, &info, trials, n, 0, &po, &log, &err), TUNE_OK,
                 "%s", err.msg);
    char *gp = tu_read(dir, "intermediate.gp");
    assert_contains(gp, "set ylabel 'intermediate value (lower is better), log scale'\n");
    assert_contains(gp, "set logscale y\nset yrange [10:2981.25]\n");
    assert_contains(gp, "set xtics 1\n");
    assert_contains(gp, "'best: trial 0 (rmse 3.5)'");
    char *dat = tu_read(dir, "intermediate.dat");
    double v[8];
    cr_assert_eq(data_row(dat, 0, v, 8), 4);
    cr_assert(v[0] == 1 && v[1] == 1 && v[2] == 250 && v[3] == 1, "the other trial first");
    cr_assert_eq(data_row(dat, 3, v, 8), 4);
    cr_assert(v[0] == 0 && v[1] == 2 && v[2] == 300 && v[3] == 2);
    if (render) {
        assert_png(dir, "intermediate.png", 800, 600);
        cr_assert_eq(log.n_warnings, 0, "%s", log.first_warning);
    }
    free(dat);
    free(gp);
    tune_plot_log_release(&log);
    tune_trials_free(trials, n);
    tune_study_info_release(&info);
    tune_store_close(store);
    rm_dir(dir);
}

/* Fault injection: a store whose listing of intermediate values fails. */
static int list_intermediate_fails(struct tune_store *s, int64_t study_id, int number,
                                   struct tune_intermediate **out, size_t *n,
                                   struct tune_error *err)
{
    (void)s;
    (void)study_id;
    *out = NULL;
    *n = 0;
    return tune_error_set(err, TUNE_EIO, "disk I/O error (injected) at %d", number);
}

Test(report, intermediate_axes_name_the_quantity_each_trainer_reports)
{
    /* the y axis says what the values are, from the stored study config */
    static const struct {
        const char *config, *ylabel, *xlabel;
    } cases[] = {
        {"{\"task\": \"binary\", \"trainer\": {\"name\": \"boosting\"}}",
         "validation log-loss", "boosting round"},
        {"{\"task\": \"regression\", \"trainer\": {\"name\": \"boosting\"}}",
         "validation mean squared error", "boosting round"},
        {"{\"task\": \"multiclass\", \"trainer\": {\"name\": \"forest\", \"params\": "
         "{\"oob_score\": true}}}",
         "out-of-bag error (1 - accuracy)", "trees"},
        {"{\"task\": \"regression\", \"trainer\": {\"name\": \"forest\", \"params\": "
         "{\"oob_score\": true}}}",
         "out-of-bag mean squared error", "trees"},
        {"{\"task\": \"binary\", \"trainer\": {\"name\": \"forest\", \"params\": {}}}",
         "validation log-loss", "trees"},
        {"{\"task\": \"binary\", \"trainer\": {\"name\": \"forest\"}, \"space\": {\"oob_score\":"
         " {\"type\": \"bool\"}}}",
         "out-of-bag error or validation log-loss", "trees"},
        {"{\"task\": \"multiclass\", \"trainer\": {\"name\": \"mlp\"}}", "validation log-loss",
         "epoch"},
        {"{\"task\": \"regression\", \"trainer\": {\"name\": \"mlp\"}}",
         "validation mean squared error", "epoch"},
        {"{\"task\": \"binary\", \"trainer\": {\"exec\": [\"./train.py\"]}}", "reported value",
         "step"},
    };
    static const struct tune_intermediate v[] = {{0, 1, 0.61}, {0, 2, 0.45}, {0, 3, 0.38}};
    struct stored_trial t[1] = {{TUNE_TRIAL_COMPLETE, 0.8, 3, v}};
    char *dir = tu_tmpdir();
    struct tune_store *store = open_store(dir);
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        char name[32], out[700], want[200];
        snprintf(name, sizeof name, "s%zu", c);
        snprintf(out, sizeof out, "%s/%s", dir, name);
        struct tune_study_info info = {0};
        store_trials_cfg(store, name, cases[c].config, "accuracy", 1, t, 1, &info);
        struct tune_trial *trials = NULL;
        size_t n = 0;
        struct tune_error err = {0};
        cr_assert_eq(tune_store_trial_list(store, info.id, &trials, &n, &err), TUNE_OK);
        struct tune_plot_opts po = opts_in(out, 0);
        struct tune_plot_log log = {0};
        cr_assert_eq(mkdir(out, 0777), 0);
        cr_assert_eq(tune_report_intermediate(store, &info, trials, n, 0, &po, &log, &err),
                     TUNE_OK, "%s", err.msg);
        char *gp = tu_read(out, "intermediate.gp");
        snprintf(want, sizeof want, "set ylabel '%s (lower is better)", cases[c].ylabel);
        assert_contains(gp, want);
        snprintf(want, sizeof want, "set xlabel '%s'", cases[c].xlabel);
        assert_contains(gp, want);
        cr_assert_null(strstr(gp, "intermediate value ("), "%s", gp);
        free(gp);
        tune_plot_log_release(&log);
        tune_trials_free(trials, n);
        tune_study_info_release(&info);
    }
    tune_store_close(store);
    rm_dir(dir);
}

Test(report, a_score_mode_page_speaks_of_runs_not_folds_or_predictions)
{
    /* an external program that scores itself: no task, no data, no folds,
     * no predictions; the page used to say "Task ?", "data ?", "per fold"
     * and that ROC curves were missing */
    static const struct tune_intermediate v[] = {{-1, 1, 3.5}, {-1, 2, 1.25}};
    struct stored_trial t[2] = {{TUNE_TRIAL_COMPLETE, 2.5, 2, v}, {TUNE_TRIAL_COMPLETE, 1.4, 0, NULL}};
    char *dir = tu_tmpdir(), out[700];
    struct tune_store *store = open_store(dir);
    struct tune_study_info info = {0};
    store_trials_cfg(store, "branin",
                     "{\"trainer\": {\"exec\": [\"./branin.sh\"], \"mode\": \"score\"},"
                     " \"objective\": {\"metric\": \"objective\", \"direction\": \"minimize\"}}",
                     "objective", 0, t, 2, &info);
    snprintf(out, sizeof out, "%s/report", dir);
    struct tune_plot_opts po = opts_in(out, 0);
    struct tune_plot_log log = {0};
    struct tune_error err = {0};
    cr_assert_eq(tune_report_study(store, &info, &po, &log, &err), TUNE_OK, "%s", err.msg);
    char *html = tu_read(out, "index.html");
    assert_contains(html, "Score mode");
    assert_contains(html, "./branin.sh");
    cr_assert_null(strstr(html, "<b>?</b>"), "%s", html);
    cr_assert_null(strstr(html, "ROC"), "%s", html);
    cr_assert_null(strstr(html, "oof.csv"), "%s", html);
    cr_assert_null(strstr(html, "per fold"), "%s", html);
    cr_assert_null(strstr(html, "s / fold"), "%s", html);
    cr_assert_null(strstr(html, "on every fold"), "%s", html);
    free(html);
    tune_plot_log_release(&log);
    tune_study_info_release(&info);
    tune_store_close(store);
    rm_dir(dir);
}

Test(report, a_failing_store_fails_the_intermediate_picture_naming_the_trial)
{
    static const struct tune_intermediate iv[] = {{0, 1, 0.5}};
    const struct stored_trial t[2] = {{TUNE_TRIAL_FAILED, NAN, 0, NULL},
                                      {TUNE_TRIAL_COMPLETE, 0.125, 1, iv}};
    char *dir = tu_tmpdir();
    struct tune_store *store = open_store(dir);
    struct tune_study_info info = {0};
    store_trials(store, "flaky", "log_loss", 0, t, 2, &info);
    struct tune_trial *trials = NULL;
    size_t n = 0;
    struct tune_error err = {0};
    cr_assert_eq(tune_store_trial_list(store, info.id, &trials, &n, &err), TUNE_OK);
    const struct tune_store_type *sqlite_type = store->type;
    struct tune_store_type broken = *sqlite_type;
    broken.trial_list_intermediate = list_intermediate_fails;
    store->type = &broken;
    struct tune_plot_opts po = opts_in(dir, 0);
    struct tune_plot_log log = {0};
    int rc = tune_report_intermediate(store, &info, trials, n, 1, &po, &log, &err);
    store->type = sqlite_type;
    cr_assert_eq(rc, TUNE_EIO);
    cr_assert_str_eq(err.msg, "study 'flaky', trial 1: disk I/O error (injected) at 1");
    cr_assert_eq(log.n_images, 0);
    cr_assert(!exists(dir, "intermediate.dat") && !exists(dir, "intermediate.gp"));
    tune_plot_log_release(&log);
    tune_trials_free(trials, n);
    tune_study_info_release(&info);
    tune_store_close(store);
    rm_dir(dir);
}

/* ---- compare ----------------------------------------------------------------- */

Test(report, compare_tests_pairs_on_the_same_folds_only)
{
    char *dir = tu_tmpdir(), cwd[512], text[2048];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    struct tune_study_info info[3] = {{0}};
    struct tune_store *st;
    snprintf(text, sizeof text, bc_study, "l2", cwd, "l2", 5);
    st = run_study(dir, text, 3, &info[0]);
    tune_store_close(st);
    snprintf(text, sizeof text, bc_study, "l1", cwd, "l1", 5);
    st = run_study(dir, text, 3, &info[1]);
    tune_store_close(st);
    snprintf(text, sizeof text, bc_study, "l2-seed6", cwd, "l2", 6);
    st = run_study(dir, text, 2, &info[2]);
    struct tune_compare c;
    struct tune_error err = {0};
    cr_assert_eq(tune_compare_load(st, info, 3, NULL, &c, &err), TUNE_OK, "%s", err.msg);
    cr_assert_str_eq(c.metric, "roc_auc");
    cr_assert_eq(c.n_pairs, 3);
    const struct tune_compare_pair *p = &c.pairs[0];
    cr_assert(p->a == 0 && p->b == 1 && p->same_folds);
    struct tune_test_result r;
    cr_assert_eq(tune_stat_corrected_ttest(c.entries[0].folds, c.entries[1].folds, 5, 0.25, &r,
                                           NULL),
                 0);
    cr_assert_eq(p->p_ttest, r.p_value);
    cr_assert_eq(p->mean_difference, r.mean_difference);
    cr_assert(!isnan(p->p_wilcoxon));
    cr_assert(!c.pairs[1].same_folds && isnan(c.pairs[1].p_ttest), "another seed, other folds");
    cr_assert_eq(c.entries[0].n_trials, 3);
    cr_assert_eq(c.entries[2].n_trials, 2);
    cr_assert(c.entries[0].tuning_seconds >= 0);
    cr_assert_lt(c.entries[0].best_point, c.entries[0].n_points);
    char out[700];
    snprintf(out, sizeof out, "%s/cmp", dir);
    int render = have_gnuplot();
    struct tune_plot_opts po = opts_in(out, render);
    struct tune_plot_log log = {0};
    cr_assert_eq(tune_compare_write(&c, &po, &log, &err), TUNE_OK, "%s", err.msg);
    char *csv = tu_read(out, "compare.csv");
    assert_contains(csv, "study,best_trial,roc_auc,std,");
    assert_contains(csv, "\nl1,");
    char *tests = tu_read(out, "compare_tests.csv");
    assert_contains(tests, "l2,l1,1,");
    assert_contains(tests, "l2,l2-seed6,0,,,\n");
    char *html = tu_read(out, "compare.html");
    assert_contains(html, "different folds: no paired test");
    assert_contains(html, "<img src=\"compare.png\"");
    char *front = tu_read(out, "compare_front.dat");
    double v[4];
    cr_assert_geq(data_row(front, 0, v, 4), 3);
    if (render) {
        assert_png(out, "compare.png", 800, 600);
        cr_assert_eq(log.n_warnings, 0, "%s", log.first_warning);
    }
    free(csv);
    free(tests);
    free(html);
    free(front);
    tune_plot_log_release(&log);
    tune_compare_release(&c);
    /* a metric the best trials do not carry */
    cr_assert_eq(tune_compare_load(st, info, 2, "r2", &c, &err), TUNE_EINVAL);
    assert_contains(err.msg, "no metric 'r2'");
    for (int i = 0; i < 3; i++)
        tune_study_info_release(&info[i]);
    tune_store_close(st);
    rm_dir(dir);
}

Test(report, step_ranking_says_how_well_each_step_orders_the_complete_trials)
{
    /* 5 complete trials on 2 folds of 4 steps (log_loss, minimized; the
     * built-in trainers' values are losses).  Objectives in the order
     * 0 < 1 < 2 < 3 < 4.  At step 1 the folds' means rank them backwards
     * (rho -1); at step 2 in order (+1); at step 3 with trials 3 and 4
     * swapped (1 - 6 * 2 / 120 = 0.9), where trial 4's fold 1 stopped at step
     * 2 so its fold 0 alone counts, and a NAN is skipped.  The steps below
     * the longest (4) among 1, 2, 3, 6, ...: 1, 2, 3. */
    static const struct tune_intermediate t0[] = {{0, 1, 9}, {0, 2, 1}, {0, 3, 1}, {0, 4, 1},
                                                  {1, 1, 9}, {1, 2, 1}, {1, 3, 1}, {1, 4, 1}};
    static const struct tune_intermediate t1[] = {{0, 1, 8}, {0, 2, 2}, {0, 3, 2}, {0, 4, 2},
                                                  {1, 1, 8}, {1, 2, 2}, {1, 3, 2}, {1, 4, 2}};
    static const struct tune_intermediate t2[] = {{0, 1, 7}, {0, 2, 3}, {0, 3, 3}, {0, 4, 3},
                                                  {1, 1, 7}, {1, 2, 3}, {1, 3, 3}, {1, 4, 3}};
    static const struct tune_intermediate t3[] = {{0, 1, 6}, {0, 2, 4}, {0, 3, 6}, {0, 4, 4},
                                                  {1, 1, 6}, {1, 2, 4}, {1, 3, NAN}, {1, 4, 6}};
    static const struct tune_intermediate t4[] = {{0, 1, 5}, {0, 2, 5}, {0, 3, 5}, {0, 4, 5},
                                                  {1, 1, 5}, {1, 2, 5}};
    static const struct tune_intermediate *vals[] = {t0, t1, t2, t3, t4};
    static const size_t nv[] = {8, 8, 8, 8, 6};
    char *dir = tu_tmpdir(), out[700];
    struct tune_store *store = open_store(dir);
    struct tune_study_info loss = {0}, auc = {0}, prog = {0}, few = {0};
    struct tune_error err = {0};
    int created;
    const char *cfg = "{\"task\": \"binary\", \"cv\": {\"folds\": 2, \"repeats\": 1, "
                      "\"holdout\": 0}}";
    cr_assert_eq(tune_store_study_create_or_load(store, "loss", cfg, "log_loss", 0, &loss,
                                                 &created, &err),
                 TUNE_OK, "%s", err.msg);
    /* maximized, with objectives in the same order of merit: the values
     * are still losses, so the same rhos */
    cr_assert_eq(tune_store_study_create_or_load(store, "auc", cfg, "roc_auc", 1, &auc,
                                                 &created, &err),
                 TUNE_OK);
    /* a program's values go the objective's way, here larger is better:
     * the same values now rank the trials the other way round */
    cr_assert_eq(tune_store_study_create_or_load(
                     store, "prog", "{\"trainer\": {\"exec\": [\"./p\"], \"mode\": \"score\"}}",
                     "score", 1, &prog, &created, &err),
                 TUNE_OK);
    cr_assert_eq(tune_store_study_create_or_load(store, "few", cfg, "log_loss", 0, &few,
                                                 &created, &err),
                 TUNE_OK);
    for (int i = 0; i < 5; i++) {
        store_one(store, &loss, TUNE_TRIAL_COMPLETE, 0.1 * (i + 1), -1, vals[i], nv[i]);
        store_one(store, &auc, TUNE_TRIAL_COMPLETE, 1 - 0.1 * (i + 1), -1, vals[i], nv[i]);
        store_one(store, &prog, TUNE_TRIAL_COMPLETE, 1 - 0.1 * (i + 1), -1, vals[i], nv[i]);
        if (i < 4)
            store_one(store, &few, TUNE_TRIAL_COMPLETE, 0.1 * (i + 1), -1, vals[i], nv[i]);
    }
    /* neither a pruned nor a failed trial counts */
    store_one(store, &loss, TUNE_TRIAL_PRUNED, 0.05, 1, t0, 2);
    store_one(store, &loss, TUNE_TRIAL_FAILED, NAN, -1, t4, 6);
    static const double want[] = {-1, 1, 0.9};
    const struct tune_study_info *studies[] = {&loss, &auc, &prog};
    static const double sign[] = {1, 1, -1};
    for (int s = 0; s < 3; s++) {
        struct tune_trial *t;
        size_t n;
        struct tune_step_ranking r;
        cr_assert_eq(tune_store_trial_list(store, studies[s]->id, &t, &n, &err), TUNE_OK);
        cr_assert_eq(tune_report_step_ranking(store, studies[s], t, n, &r, &err), TUNE_OK, "%s",
                     err.msg);
        cr_assert_eq(r.n, 3, "study %d", s);
        for (size_t k = 0; k < 3; k++) {
            cr_assert_eq(r.step[k], k + 1);
            cr_assert_eq(r.trials[k], 5);
            cr_assert_float_eq(r.rho[k], sign[s] * want[k], 1e-15, "study %d, step %zu", s,
                               k + 1);
        }
        tune_trials_free(t, n);
    }
    /* fewer than 5 complete trials: nothing to say */
    struct tune_trial *t;
    size_t n;
    struct tune_step_ranking r;
    cr_assert_eq(tune_store_trial_list(store, few.id, &t, &n, &err), TUNE_OK);
    cr_assert_eq(tune_report_step_ranking(store, &few, t, n, &r, &err), TUNE_OK);
    cr_assert_eq(r.n, 0);
    tune_trials_free(t, n);
    /* the page says it */
    snprintf(out, sizeof out, "%s/report", dir);
    struct tune_plot_opts po = opts_in(out, 0);
    struct tune_plot_log log = {0};
    cr_assert_eq(tune_report_study(store, &loss, &po, &log, &err), TUNE_OK, "%s", err.msg);
    char *html = tu_read(out, "index.html");
    assert_contains(html, "<p>How well a step ranks the end (Spearman's rho between the complete "
                          "trials' values at a step and their objectives; 1: the same order, "
                          "near 0: none): step 1: -1.00, step 2: 1.00, step 3: 0.90 (5 trials "
                          "at step 1). A pruner's rung where rho is low stops trials by "
                          "noise.</p>");
    free(html);
    tune_plot_log_release(&log);
    tune_study_info_release(&loss);
    tune_study_info_release(&auc);
    tune_study_info_release(&prog);
    tune_study_info_release(&few);
    tune_store_close(store);
    rm_dir(dir);
}

Test(report, step_ranking_of_a_long_study_reads_every_stride_th_complete_trial, .timeout = 60)
{
    /* 2,005 complete trials: more than 2,000, so every 2nd is read (by
     * number, from the first): 1,003 of them.  The even trials' step-1
     * values rank their objectives exactly, the odd ones' backwards and far
     * apart, so rho is 1 exactly when only the even trials are read. */
    char *dir = tu_tmpdir();
    struct tune_store *store = open_store(dir);
    struct tune_study_info info = {0};
    struct tune_error err = {0};
    int created;
    cr_assert_eq(tune_store_study_create_or_load(store, "long", "{\"task\": \"binary\"}",
                                                 "log_loss", 0, &info, &created, &err),
                 TUNE_OK, "%s", err.msg);
    for (int i = 0; i < 2005; i++) {
        struct tune_intermediate v[2] = {{0, 1, i % 2 ? -1e6 * i : (double)i}, {0, 2, 0}};
        store_one(store, &info, TUNE_TRIAL_COMPLETE, (double)i, -1, v, 2);
    }
    struct tune_trial *t;
    size_t n;
    struct tune_step_ranking r;
    cr_assert_eq(tune_store_trial_list(store, info.id, &t, &n, &err), TUNE_OK);
    cr_assert_eq(n, 2005);
    cr_assert_eq(tune_report_step_ranking(store, &info, t, n, &r, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(r.n, 1, "step 1 only: the longest step is 2");
    cr_assert_eq(r.step[0], 1);
    cr_assert_eq(r.trials[0], 1003);
    cr_assert_eq(r.rho[0], 1.0);
    tune_trials_free(t, n);
    tune_study_info_release(&info);
    tune_store_close(store);
    rm_dir(dir);
}
