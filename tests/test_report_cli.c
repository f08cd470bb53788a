/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_report_cli.c — the picture commands, black-box: `tunefold report`,
 * `compare`, `learning-curve` and `elbow` — help, usage errors (exit 2, one
 * line), a report of a study made by `tunefold run`, gnuplot missing
 * ($TUNEFOLD_GNUPLOT pointing nowhere: exit 0, one line saying how to draw,
 * scripts and data written), the intermediate values of a boosting study,
 * compare's table and p-values, a learning curve and an elbow.
 *
 * Each test has its own tu_tmpdir(); budgets are a few trials on
 * breast_cancer so the file runs in a few seconds. */
#include "testutil.h"
#include "tunefold/report.h"

#include <stdarg.h>
#include <sys/stat.h>

/* A hung test fails instead of hanging the suite (Criterion's own .timeout
 * leaks under LeakSanitizer). */
TestSuite(report_cli, .init = tu_watchdog);

struct result {
    int rc;
    char *out, *err;
};

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static struct result cli(const char *fmt, ...)
{
    char args[4096], cmd[4608];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "%s %s", tu_bin(), args);
    struct result r;
    r.rc = tu_run(cmd, &r.out, &r.err);
    return r;
}

/* The same with an environment assignment in front (shell syntax). */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static struct result cli_env(const char *env, const char *fmt, ...)
{
    char args[4096], cmd[4608];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "%s %s %s", env, tu_bin(), args);
    struct result r;
    r.rc = tu_run(cmd, &r.out, &r.err);
    return r;
}

static void result_free(struct result *r)
{
    free(r->out);
    free(r->err);
}

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static void assert_usage_error(const struct result *r, const char *needle)
{
    cr_assert_eq(r->rc, 2, "exit %d, stderr: %s", r->rc, r->err);
    cr_assert_eq(count_lines(r->err), 1, "stderr is not one line:\n%s", r->err);
    cr_assert_not_null(strstr(r->err, needle), "stderr \"%s\" lacks \"%s\"", r->err, needle);
}

static int have_gnuplot(void)
{
    return system("gnuplot --version >/dev/null 2>&1") == 0;
}

static int exists(const char *dir, const char *name)
{
    char path[1024];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0;
}

static void rm_dir(char *dir)
{
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    free(dir);
}

/* A breast-cancer logistic study file in dir, `trials` trials run into
 * dir/t.db.  Same seed for every penalty: the studies share their folds. */
static void make_study(const char *dir, const char *name, const char *penalty, size_t trials)
{
    char cwd[512], file[700], text[2048];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    snprintf(text, sizeof text,
             "{\"name\": \"%s\", \"data\": {\"path\": \"%s/data/breast_cancer.csv\"},"
             " \"task\": \"binary\", \"trainer\": {\"name\": \"logistic\","
             " \"params\": {\"penalty\": \"%s\"}},"
             " \"space\": {\"C\": {\"type\": \"float\", \"low\": 0.01, \"high\": 10,"
             " \"scale\": \"log\"}},"
             " \"preprocess\": {\"scale\": \"standard\"},"
             " \"search\": {\"strategy\": \"random\", \"trials\": %zu, \"seed\": 4}}",
             name, cwd, penalty, trials);
    snprintf(file, sizeof file, "%s.json", name);
    char *path = tu_write(dir, file, text);
    struct result r = cli("run %s --db %s/t.db --quiet", path, dir);
    cr_assert_eq(r.rc, 0, "run: %s", r.err);
    result_free(&r);
    free(path);
}

Test(report_cli, help_of_each_command_exits_0)
{
    static const char *const cmds[] = {"report", "compare", "learning-curve", "elbow"};
    for (size_t i = 0; i < 4; i++) {
        struct result r = cli("%s --help", cmds[i]);
        cr_assert_eq(r.rc, 0);
        cr_assert_not_null(strstr(r.out, "Usage: tunefold "), "%s", r.out);
        cr_assert_not_null(strstr(r.out, "--image"), "%s", r.out);
        result_free(&r);
    }
    struct result r = cli("--help");
    cr_assert_not_null(strstr(r.out, "learning-curve"));
    result_free(&r);
}

Test(report_cli, usage_errors_are_one_line_and_exit_2)
{
    char *dir = tu_tmpdir();
    struct result r = cli("report --db %s/none.db", dir);
    assert_usage_error(&r, "no database");
    result_free(&r);
    r = cli("report --image gif");
    assert_usage_error(&r, "--image");
    result_free(&r);
    r = cli("compare");
    assert_usage_error(&r, "study name");
    result_free(&r);
    r = cli("elbow --k-max 3");
    assert_usage_error(&r, "--data");
    result_free(&r);
    r = cli("elbow --data data/iris.csv --drop nosuch");
    assert_usage_error(&r, "nosuch");
    result_free(&r);
    r = cli("learning-curve examples/breast_cancer_logistic.json --sizes 0,1");
    assert_usage_error(&r, "--sizes");
    result_free(&r);
    make_study(dir, "one", "l2", 2);
    r = cli("compare --db %s/t.db one two", dir);
    assert_usage_error(&r, "no study 'two'");
    result_free(&r);
    rm_dir(dir);
}

Test(report_cli, report_writes_the_page_and_pictures)
{
    char *dir = tu_tmpdir();
    make_study(dir, "bc", "l2", 3);
    struct result r = cli("report --db %s/t.db --out %s/rep", dir, dir);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert_not_null(strstr(r.out, "/rep/index.html"), "%s", r.out);
    char rep[600];
    snprintf(rep, sizeof rep, "%s/rep", dir);
    cr_assert(exists(rep, "index.html") && exists(rep, "roc.gp") && exists(rep, "roc.dat") &&
              exists(rep, "history.gp") && exists(rep, "trials.csv"));
    if (have_gnuplot()) {
        char png[700];
        unsigned w, h;
        cr_assert_str_empty(r.err, "%s", r.err);
        snprintf(png, sizeof png, "%s/roc.png", rep);
        cr_assert_eq(tune_png_size(png, &w, &h, NULL), TUNE_OK);
        cr_assert(w == 800 && h == 600);
    }
    result_free(&r);
    rm_dir(dir);
}

Test(report_cli, without_gnuplot_report_says_how_to_draw_and_exits_0)
{
    char *dir = tu_tmpdir();
    make_study(dir, "bc", "l1", 2);
    struct result r = cli_env("TUNEFOLD_GNUPLOT=/nonexistent/gnuplot",
                              "report --db %s/t.db --study bc --out %s/rep", dir, dir);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert_eq(count_lines(r.err), 1, "%s", r.err);
    cr_assert_not_null(strstr(r.err, "gnuplot could not be started"), "%s", r.err);
    cr_assert_not_null(strstr(r.err, "for f in *.gp; do gnuplot"), "%s", r.err);
    cr_assert_not_null(strstr(r.out, "(0 drawn)"), "%s", r.out);
    char rep[600];
    snprintf(rep, sizeof rep, "%s/rep", dir);
    cr_assert(exists(rep, "roc.gp") && exists(rep, "roc.dat") && !exists(rep, "roc.png"));
    result_free(&r);
    rm_dir(dir);
}

Test(report_cli, compare_prints_the_table_and_the_paired_tests)
{
    char *dir = tu_tmpdir();
    make_study(dir, "ridge", "l2", 3);
    make_study(dir, "lasso", "l1", 3);
    struct result r = cli("compare --db %s/t.db ridge lasso --out %s/cmp", dir, dir);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert_not_null(strstr(r.out, "roc_auc (higher is better)"), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "\nridge "), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "\nlasso "), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "ridge vs lasso: mean difference"), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "(corrected t-test)"), "%s", r.out);
    char cmp[600];
    snprintf(cmp, sizeof cmp, "%s/cmp", dir);
    cr_assert(exists(cmp, "compare.html") && exists(cmp, "compare.csv") &&
              exists(cmp, "compare.gp"));
    if (have_gnuplot())
        cr_assert(exists(cmp, "compare.png"));
    result_free(&r);
    rm_dir(dir);
}

Test(report_cli, learning_curve_uses_the_best_trial_and_prints_a_diagnosis)
{
    char *dir = tu_tmpdir();
    make_study(dir, "lc", "l2", 2);
    struct result r = cli("learning-curve %s/lc.json --db %s/t.db --sizes 0.3,1 --out %s/lc",
                          dir, dir, dir);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert_not_null(strstr(r.err, "the params of best trial #"), "%s", r.err);
    cr_assert_not_null(strstr(r.out, "\ndiagnosis: "), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "\n0.3 "), "%s", r.out);
    char lc[600];
    snprintf(lc, sizeof lc, "%s/lc", dir);
    cr_assert(exists(lc, "learning_curve.dat") && exists(lc, "learning_curve.gp"));
    result_free(&r);
    rm_dir(dir);
}

Test(report_cli, learning_curve_of_a_score_mode_study_says_there_is_no_data)
{
    /* a score-mode program scores itself: nothing to subsample; the message
     * is for the user, not an internal function name */
    char *dir = tu_tmpdir();
    struct result r =
        cli("learning-curve examples/trainers/branin.json --db %s/none.db --out %s/lc", dir, dir);
    assert_usage_error(&r, "examples/trainers/branin.json: a score-mode study (an external "
                           "program that scores itself) has no data to subsample");
    cr_assert_null(strstr(r.err, "tune_"), "%s", r.err);
    cr_assert(!exists(dir, "lc") && !exists(dir, "none.db"));
    result_free(&r);
    rm_dir(dir);
}

Test(report_cli, learning_curve_of_the_clustering_example_has_numbers_not_nan)
{
    char *dir = tu_tmpdir();
    struct result r = cli("run examples/iris_kmeans.json --db %s/t.db --quiet", dir);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    result_free(&r);
    r = cli("learning-curve examples/iris_kmeans.json --db %s/t.db --out %s/lc", dir, dir);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert_null(strstr(r.out, "nan"), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "silhouette (higher is better)"), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "\ndiagnosis: "), "%s", r.out);
    if (have_gnuplot())
        cr_assert_null(strstr(r.err, "gnuplot warned"), "%s", r.err);
    result_free(&r);
    /* k = 1: the silhouette is undefined at every size: exit 1, no picture */
    r = cli("learning-curve examples/iris_kmeans.json --db %s/t.db --params '{\"n_clusters\": 1}'"
            " --out %s/lc1",
            dir, dir);
    cr_assert_eq(r.rc, 1, "exit %d: %s%s", r.rc, r.out, r.err);
    cr_assert_not_null(strstr(r.err, "silhouette"), "%s", r.err);
    cr_assert_eq(count_lines(r.err), 1, "%s", r.err);
    cr_assert(!exists(dir, "lc1"));
    result_free(&r);
    rm_dir(dir);
}

Test(report_cli, report_of_the_clustering_example_draws_its_clusters)
{
    /* it failed with "oof.csv: column 3 is 'cluster', expected 'y_true'" */
    char *dir = tu_tmpdir(), rep[600];
    struct result r = cli("run examples/iris_kmeans.json --db %s/t.db --quiet", dir);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    result_free(&r);
    r = cli("report --db %s/t.db --out %s/rep", dir, dir);
    cr_assert_eq(r.rc, 0, "exit %d: %s", r.rc, r.err);
    cr_assert_not_null(strstr(r.out, "/rep/index.html"), "%s", r.out);
    if (have_gnuplot())
        cr_assert_str_empty(r.err, "%s", r.err);
    snprintf(rep, sizeof rep, "%s/rep", dir);
    static const char *const pictures[] = {"cluster_sizes", "silhouette", "clusters_pca",
                                           "clusters_k"};
    char *html = tu_read(rep, "index.html");
    for (size_t i = 0; i < 4; i++) {
        char name[64];
        snprintf(name, sizeof name, "%s.gp", pictures[i]);
        cr_assert(exists(rep, name), "no %s", name);
        snprintf(name, sizeof name, "<img src=\"%s.png\"", pictures[i]);
        cr_assert_not_null(strstr(html, name), "index.html lacks %s", name);
    }
    free(html);
    result_free(&r);
    rm_dir(dir);
}

Test(report_cli, elbow_of_iris_is_three)
{
    char *dir = tu_tmpdir();
    struct result r = cli("elbow --data data/iris.csv --drop target --out %s/e", dir);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert_not_null(strstr(r.out, "150 rows"), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "elbow: k = 3 (Kneedle)"), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "highest silhouette: k = 2"), "%s", r.out);
    char e[600];
    snprintf(e, sizeof e, "%s/e", dir);
    cr_assert(exists(e, "elbow.dat") && exists(e, "elbow.gp"));
    result_free(&r);
    rm_dir(dir);
}

Test(report_cli, elbow_needs_a_k_max_of_at_least_2_and_says_the_range)
{
    /* k = 1 alone has no elbow and no silhouette: it used to end in a
     * gnuplot warning over an empty panel */
    char *dir = tu_tmpdir();
    struct result r = cli("elbow --data data/iris.csv --drop target --k-max 1 --out %s/e", dir);
    assert_usage_error(&r, "--k-max: expected an integer in [2, 1000], got '1'");
    result_free(&r);
    r = cli("elbow --data data/iris.csv --drop target --k-max 2 --out %s/e", dir);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    if (have_gnuplot())
        cr_assert_str_empty(r.err, "%s", r.err);
    result_free(&r);
    rm_dir(dir);
}

Test(report_cli, report_draws_the_intermediate_values_of_a_boosting_study)
{
    /* boosting reports the validation loss after each of its 12 rounds, on
     * each of 3 folds: every line has 12 steps, each the mean of 3 folds */
    char *dir = tu_tmpdir(), cwd[512], text[2048], rep[600];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    snprintf(text, sizeof text,
             "{\"name\": \"boost\", \"data\": {\"path\": \"%s/data/breast_cancer.csv\"},"
             " \"task\": \"binary\", \"trainer\": {\"name\": \"boosting\","
             " \"params\": {\"n_estimators\": 12, \"max_depth\": 2, \"n_threads\": 1}},"
             " \"space\": {\"learning_rate\": {\"type\": \"float\", \"low\": 0.05,"
             " \"high\": 0.5, \"scale\": \"log\"}},"
             " \"search\": {\"strategy\": \"random\", \"trials\": 3, \"seed\": 4},"
             " \"cv\": {\"folds\": 3}}",
             cwd);
    char *path = tu_write(dir, "boost.json", text);
    struct result r = cli("run %s --db %s/t.db --quiet", path, dir);
    cr_assert_eq(r.rc, 0, "run: %s", r.err);
    result_free(&r);
    r = cli("report --db %s/t.db --out %s/rep", dir, dir);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    snprintf(rep, sizeof rep, "%s/rep", dir);
    cr_assert(exists(rep, "intermediate.dat") && exists(rep, "intermediate.gp"));
    if (have_gnuplot()) {
        char png[700];
        unsigned w, h;
        cr_assert_str_empty(r.err, "%s", r.err);
        snprintf(png, sizeof png, "%s/intermediate.png", rep);
        cr_assert_eq(tune_png_size(png, &w, &h, NULL), TUNE_OK);
        cr_assert(w == 800 && h == 600);
    }
    result_free(&r);
    /* the highlighted trial is the history's best */
    char *gp = tu_read(rep, "intermediate.gp"), *hist = tu_read(rep, "history.gp");
    const char *b = strstr(gp, "title 'best: trial ");
    cr_assert_not_null(b, "%s", gp);
    int best = atoi(b + strlen("title 'best: trial "));
    char want[64];
    snprintf(want, sizeof want, "'best: trial %d (", best);
    cr_assert_not_null(strstr(hist, want), "history names another best:\n%s", hist);
    char *dat = tu_read(rep, "intermediate.dat");
    size_t rows = 0;
    int trial_of_block[3] = {-1, -1, -1};
    for (char *line = strtok(dat, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#')
            continue;
        int number;
        size_t step, folds;
        double mean;
        cr_assert_eq(sscanf(line, "%d %zu %lf %zu", &number, &step, &mean, &folds), 4, "%s",
                     line);
        cr_assert_eq(step, rows % 12 + 1, "%s", line);
        cr_assert_eq(folds, 3, "%s", line);
        cr_assert(mean > 0 && mean < 0.7, "a log-loss below chance: %s", line);
        if (step == 1)
            trial_of_block[rows / 12] = number;
        cr_assert_eq(number, trial_of_block[rows / 12], "%s", line);
        rows++;
    }
    cr_assert_eq(rows, 36);
    cr_assert_eq(trial_of_block[2], best, "the best trial is drawn last, on top");
    char *html = tu_read(rep, "index.html");
    cr_assert_not_null(strstr(html, "<img src=\"intermediate.png\""));
    free(html);
    free(dat);
    free(hist);
    free(gp);
    free(path);
    rm_dir(dir);
}
