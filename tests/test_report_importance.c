/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_report_importance.c — which hyperparameters matter and what the
 * workers did (reports/fanova.c, surrogate.c, param_importance.c,
 * contour.c, parallel.c, timeline.c, edf.c) and the page's table of
 * contents and settings.
 *
 * fANOVA is checked exactly on hand-built trees (variances worked out by
 * hand in the comments), then end to end on test functions whose answer is
 * known: a parameter that dominates and one that does nothing, an
 * interacting pair, a categorical and a log-scale parameter.  The pictures'
 * data files and scripts are checked without gnuplot; the whole study
 * report is rendered when gnuplot is on the machine. */
#include "testutil.h"
#include "tunefold/config.h"
#include "tunefold/report.h"
#include "tunefold/study.h"
#include "reports/fanova.h"
#include "reports/plot.h"

#include <sys/stat.h>

TestSuite(importance, .init = tu_watchdog);

#define NO_GNUPLOT "/nonexistent/tunefold-test/gnuplot"

static int have_gnuplot(void)
{
    return system("gnuplot --version >/dev/null 2>&1") == 0;
}

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

static size_t image_index(const struct tune_plot_log *log, const char *name)
{
    size_t i = 0;
    while (i < log->n_images && strcmp(log->images[i], name) != 0)
        i++;
    return i;
}

/* ---- fANOVA on hand-built trees ------------------------------------------- */

/* Over the box x0 in [0, 2], x1 in [-1, 3], x2 in [0, 1]:
 *   x2 <= 5 ? (x0 <= 0.5 ? 1.5 : (x1 <= 0 ? 3.25 : 7.125)) : 100
 * The split on x2 lies outside the box: the leaf 100 has no volume.
 * Leaf shares: A (x0 <= 0.5) 1/4; B 3/4 x 1/4 = 3/16; C 3/4 x 3/4 = 9/16.
 * Mean m = 1.5/4 + 3.25 x 3/16 + 7.125 x 9/16 = 4.9921875;
 * V = sum w (v - m)^2 = 6.17669677734375.
 * a_0: 1.5 for x0 <= 0.5, (3.25 + 3 x 7.125) / 4 = 6.15625 beyond;
 * a_1: (1.5 + 3 x 3.25) / 4 = 2.8125 for x1 <= 0, (1.5 + 3 x 7.125) / 4 =
 * 5.71875 beyond.  V_0 / V = 0.658138914416150, V_1 / V = 0.256395814187887,
 * the interaction (V - V_0 - V_1) / V = 0.0854652713959624 (x0 and x1 are
 * all the tree sees, so V_01 = V), x2 nothing. */
static void hand_tree(struct tune_tree *t)
{
    memset(t, 0, sizeof *t);
    t->n_out = 1;
    uint32_t q0 = tune_tree_split(t, TUNE_NODE_ROOT, 2, 5.0, 0);
    cr_assert_neq(q0, UINT32_MAX);
    *tune_tree_leaf_at(t, 2 * q0 + 1, NULL) = 100;
    uint32_t q1 = tune_tree_split(t, 2 * q0, 0, 0.5, 0);
    *tune_tree_leaf_at(t, 2 * q1, NULL) = 1.5;
    uint32_t q2 = tune_tree_split(t, 2 * q1 + 1, 1, 0.0, 0);
    *tune_tree_leaf_at(t, 2 * q2, NULL) = 3.25;
    *tune_tree_leaf_at(t, 2 * q2 + 1, NULL) = 7.125;
}

static const double box_lo[3] = {0, -1, 0}, box_hi[3] = {2, 3, 1};

Test(importance, fanova_of_a_hand_built_tree_gives_the_hand_computed_shares)
{
    struct tune_tree t, flat = {0};
    hand_tree(&t);
    /* a constant tree: no variance, so it is left out of the averages */
    flat.n_out = 1;
    *tune_tree_leaf_at(&flat, TUNE_NODE_ROOT, NULL) = -2.5;
    const struct tune_tree *trees[2] = {&t, &flat};
    size_t pairs[6] = {0, 1, 0, 2, 1, 2};
    struct tune_fanova f;
    struct tune_error err = {0};
    cr_assert_eq(tune_fanova_compute(trees, 2, box_lo, box_hi, 3, pairs, 3, &f, &err), TUNE_OK,
                 "%s", err.msg);
    cr_assert_eq(f.n_trees, 1);
    assert_close(f.main[0], 0.658138914416150, 1e-12);
    assert_close(f.main[1], 0.256395814187887, 1e-12);
    cr_assert_eq(f.main[2], 0.0);
    assert_close(f.joint[0], 1.0, 1e-12);
    assert_close(f.interaction[0], 0.0854652713959624, 1e-12);
    /* a pair with a column the tree never uses: its joint share is the other's */
    assert_close(f.joint[1], 0.658138914416150, 1e-12);
    assert_close(f.interaction[1], 0.0, 1e-12);
    assert_close(f.joint[2], 0.256395814187887, 1e-12);
    tune_fanova_release(&f);
    tune_tree_release(&t);
    tune_tree_release(&flat);
}

Test(importance, pair_marginal_averages_every_tree_including_constant_ones)
{
    struct tune_tree t, flat = {0};
    hand_tree(&t);
    flat.n_out = 1;
    *tune_tree_leaf_at(&flat, TUNE_NODE_ROOT, NULL) = -2.5;
    const struct tune_tree *trees[2] = {&t, &flat};
    double xs[3] = {0.2, 1.0, 9.0}, ys[2] = {-0.5, 2.0}, z[6];
    struct tune_error err = {0};
    /* over (x0, x1) the marginal is the tree itself (x2 changes nothing) */
    cr_assert_eq(tune_fanova_pair_marginal(trees, 2, box_lo, box_hi, 3, 0, 1, xs, 3, ys, 2, z,
                                           &err),
                 TUNE_OK, "%s", err.msg);
    const double expect[6] = {1.5, 1.5, 3.25, 7.125, 3.25, 7.125}; /* 9.0: the edge cell */
    for (size_t k = 0; k < 6; k++)
        assert_close(z[k], (expect[k] - 2.5) / 2, 1e-12);
    /* over (x1, x2): x0 averaged out, 1.5 with weight 1/4 */
    double x1s[2] = {-0.5, 2.0}, x2s[1] = {0.5}, z2[2];
    cr_assert_eq(tune_fanova_pair_marginal(trees, 1, box_lo, box_hi, 3, 1, 2, x1s, 2, x2s, 1, z2,
                                           &err),
                 TUNE_OK);
    assert_close(z2[0], 2.8125, 1e-12);
    assert_close(z2[1], 5.71875, 1e-12);
    tune_tree_release(&t);
    tune_tree_release(&flat);
}

Test(importance, fanova_refuses_a_classification_tree)
{
    struct tune_tree t = {0};
    t.n_out = 2;
    double *v = tune_tree_leaf_at(&t, TUNE_NODE_ROOT, NULL);
    v[0] = 0.25;
    v[1] = 0.75;
    const struct tune_tree *trees[1] = {&t};
    struct tune_fanova f;
    struct tune_error err = {0};
    cr_assert_eq(tune_fanova_compute(trees, 1, box_lo, box_hi, 3, NULL, 0, &f, &err),
                 TUNE_EINVAL);
    assert_contains(err.msg, "regression tree");
    tune_tree_release(&t);
}

/* ---- test functions with known answers --------------------------------------- */

/* The i-th point of the Halton sequence in base b (deterministic,
 * evenly spread). */
static double halton(size_t i, unsigned b)
{
    double f = 1, r = 0;
    for (size_t k = i + 1; k > 0; k /= b) {
        f /= b;
        r += f * (double)(k % b);
    }
    return r;
}

struct trials {
    size_t n;
    struct tune_trial *t;
};

static void trials_free(struct trials *tr)
{
    for (size_t i = 0; i < tr->n; i++)
        free(tr->t[i].params_json);
    free(tr->t);
}

/* n complete trials; the caller fills params_json and value. */
static struct trials trials_new(size_t n)
{
    struct trials tr = {n, calloc(n, sizeof(struct tune_trial))};
    for (size_t i = 0; i < n; i++) {
        tr.t[i].number = (int)i;
        tr.t[i].state = TUNE_TRIAL_COMPLETE;
        tr.t[i].t_start = 1000 + (double)i;
        tr.t[i].t_end = 1000.5 + (double)i;
        tr.t[i].fit_seconds = tr.t[i].predict_seconds = tr.t[i].value_std = NAN;
    }
    return tr;
}

static void set_params(struct tune_trial *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void set_params(struct tune_trial *t, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    t->params_json = strdup(buf);
}

static const char xyz_space[] =
    "{\"search\": {\"seed\": 11}, \"space\": {"
    "\"x\": {\"type\": \"float\", \"low\": 0, \"high\": 1},"
    "\"y\": {\"type\": \"float\", \"low\": 0, \"high\": 1},"
    "\"z\": {\"type\": \"float\", \"low\": 0, \"high\": 1}}}";

static struct tune_study_info info_of(const char *config, int maximize)
{
    return (struct tune_study_info){.id = 1,
                                    .name = "known answers",
                                    .config_json = (char *)config,
                                    .metric = "loss",
                                    .maximize = maximize};
}

static double importance_of(const struct tune_param_importance *p, const char *name)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->names[i], name) == 0)
            return p->importance[i];
    cr_assert_fail("no parameter %s", name);
    return NAN;
}

Test(importance, a_dominant_parameter_ranks_first_and_an_inert_one_last)
{
    /* f = 8.3 x + 0.6 y; z does nothing.  True shares: x 8.3^2 / (8.3^2 +
     * 0.6^2) = 0.9948, y 0.0052, z 0. */
    struct trials tr = trials_new(120);
    for (size_t i = 0; i < tr.n; i++) {
        double x = halton(i, 2), y = halton(i, 3), z = halton(i, 5);
        set_params(&tr.t[i], "{\"x\": %.17g, \"y\": %.17g, \"z\": %.17g}", x, y, z);
        tr.t[i].value = 8.3 * x + 0.6 * y;
    }
    struct tune_study_info info = info_of(xyz_space, 0);
    struct tune_param_importance p;
    struct tune_error err = {0};
    cr_assert_eq(tune_param_importance_compute(&info, tr.t, tr.n, &p, &err), TUNE_OK, "%s",
                 err.msg);
    cr_assert_eq(p.n, 3);
    cr_assert_eq(p.n_trials, 120);
    cr_assert_eq(p.n_trees, 64);
    cr_assert_str_eq(p.names[0], "x");
    cr_assert_str_eq(p.names[1], "y");
    cr_assert_str_eq(p.names[2], "z");
    cr_assert_gt(p.importance[0], 0.98, "x: %g", p.importance[0]);
    cr_assert_lt(p.importance[2], 0.002, "z: %g", p.importance[2]);
    assert_close(p.importance[0] + p.importance[1] + p.importance[2], 1.0, 1e-12);
    /* an additive function: no pair interacts */
    cr_assert_eq(p.n_pairs, 3);
    cr_assert_lt(p.pair_interaction[0], 0.01, "%g", p.pair_interaction[0]);
    tune_param_importance_release(&p);
    trials_free(&tr);
}

Test(importance, an_interacting_pair_is_the_top_pair_and_explains_most)
{
    /* f = 6 (x - 0.5)(y - 0.5) + 0.4 z: x and y have no main effect at all
     * (each averages to 0 over the other), their interaction is 6^2/144 =
     * 0.25 of variance against z's 0.4^2/12 = 0.0133: shares 0.95 and 0.05. */
    struct trials tr = trials_new(200);
    for (size_t i = 0; i < tr.n; i++) {
        double x = halton(i, 2), y = halton(i, 3), z = halton(i, 5);
        set_params(&tr.t[i], "{\"x\": %.17g, \"y\": %.17g, \"z\": %.17g}", x, y, z);
        tr.t[i].value = 6 * (x - 0.5) * (y - 0.5) + 0.4 * z;
    }
    struct tune_study_info info = info_of(xyz_space, 1);
    struct tune_param_importance p;
    struct tune_error err = {0};
    cr_assert_eq(tune_param_importance_compute(&info, tr.t, tr.n, &p, &err), TUNE_OK, "%s",
                 err.msg);
    cr_assert_eq(p.n_pairs, 3);
    cr_assert_str_eq(p.pair_a[0], "x");
    cr_assert_str_eq(p.pair_b[0], "y");
    /* a forest of axis-aligned splits over 200 points renders a saddle
     * with spurious main effects (Optuna's evaluator on these very trials:
     * interaction 0.468, main effects 0.070, 0.066, 0.094): the pair still
     * stands out against every other term */
    cr_assert_gt(p.pair_interaction[0], 0.4, "%g", p.pair_interaction[0]);
    cr_assert_lt(p.pair_interaction[1], 0.1, "%g", p.pair_interaction[1]);
    for (size_t i = 0; i < p.n; i++)
        cr_assert_lt(p.variance_share[i], 0.15, "%s: %g", p.names[i], p.variance_share[i]);
    tune_param_importance_release(&p);
    trials_free(&tr);
}

static const char mixed_space[] =
    "{\"search\": {\"seed\": 3}, \"space\": {"
    "\"C\": {\"type\": \"float\", \"low\": 0.001, \"high\": 1000, \"scale\": \"log\"},"
    "\"kernel\": {\"type\": \"categorical\", \"values\": [\"linear\", \"rbf\", \"poly\"]},"
    "\"depth\": {\"type\": \"int\", \"low\": 1, \"high\": 4},"
    "\"fixed\": {\"type\": \"int\", \"low\": 5, \"high\": 5},"
    "\"shrink\": {\"type\": \"bool\"}}}";

Test(importance, categorical_log_scale_and_int_parameters_rank_by_their_effect)
{
    /* f = 2.385 [kernel = rbf] + 0.35 log10(C) + 0.05 depth; shrink does
     * nothing; "fixed" has one value and is not a parameter.  Shares over
     * the space (uniform in log10 C over [-3, 3], each choice 1/3):
     * kernel 2.385^2 x 2/9 = 1.264, C 0.35^2 x 3 = 0.3675, depth
     * 0.05^2 x 15/12 = 0.003: kernel, C, depth, shrink.  In C's own units
     * (not its logarithm) nearly all of the range is above 1: C would look
     * almost flat — the reason log-scale parameters are taken in their
     * logarithm. */
    static const char *const kernels[] = {"linear", "rbf", "poly"};
    struct trials tr = trials_new(150);
    for (size_t i = 0; i < tr.n; i++) {
        double lc = -3 + 6 * halton(i, 2);
        size_t k = (size_t)(3 * halton(i, 3));
        int depth = 1 + (int)(4 * halton(i, 5)), shrink = (int)(2 * halton(i, 7));
        set_params(&tr.t[i],
                   "{\"C\": %.17g, \"kernel\": \"%s\", \"depth\": %d, \"fixed\": 5, "
                   "\"shrink\": %s}",
                   pow(10, lc), kernels[k], depth, shrink ? "true" : "false");
        tr.t[i].value = 2.385 * (k == 1) + 0.35 * lc + 0.05 * depth;
    }
    struct tune_study_info info = info_of(mixed_space, 1);
    struct tune_param_importance p;
    struct tune_error err = {0};
    cr_assert_eq(tune_param_importance_compute(&info, tr.t, tr.n, &p, &err), TUNE_OK, "%s",
                 err.msg);
    cr_assert_eq(p.n, 4, "the single-valued parameter is no parameter");
    cr_assert_str_eq(p.names[0], "kernel");
    cr_assert_str_eq(p.names[1], "C");
    cr_assert_str_eq(p.names[2], "depth");
    cr_assert_str_eq(p.names[3], "shrink");
    /* 1.264 / (1.264 + 0.3675 + 0.003) = 0.773, 0.3675 / 1.635 = 0.225 */
    assert_close(importance_of(&p, "kernel"), 0.773, 0.05);
    assert_close(importance_of(&p, "C"), 0.225, 0.05);
    cr_assert_lt(importance_of(&p, "shrink"), 0.005);
    tune_param_importance_release(&p);
    trials_free(&tr);
}

Test(importance, only_complete_trials_with_every_parameter_are_fitted)
{
    struct trials tr = trials_new(6);
    for (size_t i = 0; i < tr.n; i++) {
        set_params(&tr.t[i], "{\"x\": %g, \"y\": %g, \"z\": 0.5}", 0.1 * (double)i,
                   0.3 + 0.1 * (double)i);
        tr.t[i].value = (double)i;
    }
    tr.t[0].state = TUNE_TRIAL_FAILED;
    tr.t[1].state = TUNE_TRIAL_PRUNED;
    tr.t[2].value = NAN;
    free(tr.t[3].params_json);
    tr.t[3].params_json = strdup("{\"x\": 0.3, \"y\": 0.6}"); /* no z */
    struct tune_study_info info = info_of(xyz_space, 0);
    struct tune_param_importance p;
    struct tune_error err = {0};
    cr_assert_eq(tune_param_importance_compute(&info, tr.t, tr.n, &p, &err), TUNE_OK);
    cr_assert_eq(p.n_trials, 2, "trials 4 and 5 only");
    cr_assert_eq(p.n_trees, 0, "too few to fit");
    cr_assert_eq(p.importance[0], 0.0);
    tune_param_importance_release(&p);
    /* no space: nothing */
    info.config_json = "{\"task\": \"binary\"}";
    cr_assert_eq(tune_param_importance_compute(&info, tr.t, tr.n, &p, &err), TUNE_OK);
    cr_assert_eq(p.n, 0);
    tune_param_importance_release(&p);
    trials_free(&tr);
}

/* ---- the pictures ------------------------------------------------------------ */

static struct tune_plot_opts opts_in(const char *dir, int render)
{
    return (struct tune_plot_opts){.out_dir = dir, .gnuplot = render ? NULL : NO_GNUPLOT};
}

Test(importance, the_report_writes_sorted_csvs_the_bars_and_the_top_contours)
{
    static const char *const kernels[] = {"linear", "rbf", "poly"};
    struct trials tr = trials_new(60);
    for (size_t i = 0; i < tr.n; i++) {
        double lc = -3 + 6 * halton(i, 2);
        size_t k = (size_t)(3 * halton(i, 3));
        int depth = 1 + (int)(4 * halton(i, 5));
        set_params(&tr.t[i],
                   "{\"C\": %.17g, \"kernel\": \"%s\", \"depth\": %d, \"fixed\": 5, "
                   "\"shrink\": false}",
                   pow(10, lc), kernels[k], depth);
        tr.t[i].value = 2.385 * (k == 1) + 0.35 * lc + 0.05 * depth;
    }
    char *dir = tu_tmpdir();
    struct tune_plot_opts po = opts_in(dir, 0);
    struct tune_plot_log log = {0};
    struct tune_study_info info = info_of(mixed_space, 1);
    struct tune_param_importance p;
    struct tune_error err = {0};
    cr_assert_eq(tune_report_param_importance(&info, tr.t, tr.n, &po, &log, &p, &err), TUNE_OK,
                 "%s", err.msg);
    cr_assert(log.gnuplot_missing);
    /* the CSV: header, the parameters largest first, summing to 1 */
    char *csv = tu_read(dir, "param_importance.csv");
    cr_assert(strncmp(csv, "param,importance\n", 17) == 0, "%s", csv);
    double sum = 0, prev = INFINITY;
    size_t rows = 0;
    for (char *line = strchr(csv, '\n') + 1; *line; line = strchr(line, '\n') + 1) {
        char *comma = strchr(line, ',');
        cr_assert_not_null(comma);
        cr_assert_str_eq(strndup(line, (size_t)(comma - line)), p.names[rows]);
        double v = strtod(comma + 1, NULL);
        cr_assert_leq(v, prev);
        prev = v;
        sum += v;
        rows++;
    }
    cr_assert_eq(rows, 4);
    assert_close(sum, 1.0, 1e-12);
    char *pairs = tu_read(dir, "param_pairs.csv");
    assert_contains(pairs, "param_a,param_b,interaction,joint\n");
    /* pictures: the bars, then the contours of the pairs whose parameters
     * both matter (or interact): C and kernel only — depth explains 0.2%
     * and shrink nothing */
    cr_assert_eq(log.n_images, 2);
    cr_assert_str_eq(log.images[0], "param_importance.png");
    cr_assert_str_eq(log.images[1], "contour_C_kernel.png");
    cr_assert(exists(dir, "contour_C_kernel.dat") && exists(dir, "contour_C_kernel.gp") &&
              exists(dir, "contour_C_kernel_trials.dat"));
    char *gp = tu_read(dir, "contour_C_kernel.gp");
    assert_contains(gp, "set logscale x");
    assert_contains(gp, "set ytics ('linear' 0, 'rbf' 1, 'poly' 2)");
    assert_contains(gp, "set output 'contour_C_kernel.svg'"); /* the twin */
    assert_contains(gp, "with labels hypertext");
    /* the grid spans the box: C from 10^-3 to 10^3, kernel from -0.5 to 2.5 */
    char *dat = tu_read(dir, "contour_C_kernel.dat");
    double x, y, z;
    const char *first = strchr(dat, '\n') + 1;
    cr_assert_eq(sscanf(first, "%lf %lf %lf", &x, &y, &z), 3);
    assert_close(x, 0.001, 1e-12);
    assert_close(y, -0.5, 1e-12);
    char *bars = tu_read(dir, "param_importance.gp");
    assert_contains(bars, "'kernel' 4, 'C' 3");
    /* the title's counts and shares on lines of their own, short enough to
     * stay inside the picture above a plot area pushed right by the names */
    assert_contains(bars, "set tmargin 6\n");
    assert_contains(bars, " . \"\\n\" . '60 complete trials' . \"\\n\" . "
                          "'main effects explain ");
    free(csv);
    free(pairs);
    free(gp);
    free(dat);
    free(bars);
    tune_param_importance_release(&p);
    tune_plot_log_release(&log);
    trials_free(&tr);
    rm_dir(dir);
}

Test(importance, hostile_parameter_names_stay_quoted_text)
{
    static const char space[] =
        "{\"space\": {\"a'; system('touch pwned'); '\": {\"type\": \"float\", \"low\": 0, "
        "\"high\": 1}, \"b\": {\"type\": \"float\", \"low\": 0, \"high\": 1}}}";
    struct trials tr = trials_new(40);
    for (size_t i = 0; i < tr.n; i++) {
        double a = halton(i, 2), b = halton(i, 3);
        set_params(&tr.t[i], "{\"a'; system('touch pwned'); '\": %.17g, \"b\": %.17g}", a, b);
        tr.t[i].value = a * b + a;
    }
    char *dir = tu_tmpdir();
    int render = have_gnuplot();
    struct tune_plot_opts po = opts_in(dir, render);
    struct tune_plot_log log = {0};
    struct tune_study_info info = info_of(space, 1);
    struct tune_error err = {0};
    cr_assert_eq(tune_report_param_importance(&info, tr.t, tr.n, &po, &log, NULL, &err), TUNE_OK,
                 "%s", err.msg);
    cr_assert_eq(tune_report_parallel(&info, tr.t, tr.n, NULL, &po, &log, &err), TUNE_OK, "%s",
                 err.msg);
    size_t k = image_index(&log, "contour_a___system__touch_pwned______b.png");
    cr_assert_lt(k, log.n_images, "the file name is sanitized");
    char *gp = tu_read(dir, "contour_a___system__touch_pwned______b.gp");
    assert_contains(gp, "'a''; system(''touch pwned''); '''");
    cr_assert(!exists(dir, "pwned"));
    if (render)
        cr_assert_eq(log.n_rendered, log.n_images, "%s", log.first_warning);
    free(gp);
    tune_plot_log_release(&log);
    trials_free(&tr);
    rm_dir(dir);
}

/* The data lines (comments and blank lines skipped) of a file. */
static size_t data_lines(const char *text)
{
    size_t n = 0;
    for (const char *p = text; p && *p;) {
        const char *end = strchr(p, '\n');
        if (*p != '#' && *p != '\n')
            n++;
        p = end ? end + 1 : NULL;
    }
    return n;
}

Test(importance, parallel_lines_go_worst_first_with_axes_by_importance)
{
    struct trials tr = trials_new(5);
    static const double vals[5] = {0.5, 0.9, 0.2, 0.7, 0.95};
    static const char *const kernels[] = {"linear", "rbf", "poly"};
    for (size_t i = 0; i < tr.n; i++) {
        set_params(&tr.t[i],
                   "{\"C\": %g, \"kernel\": \"%s\", \"depth\": %zu, \"fixed\": 5, \"shrink\": "
                   "true}",
                   pow(10, (double)i - 2), kernels[i % 3], 1 + i % 4);
        tr.t[i].value = vals[i];
    }
    tr.t[2].state = TUNE_TRIAL_FAILED; /* not drawn */
    char *dir = tu_tmpdir();
    struct tune_plot_opts po = opts_in(dir, 0);
    struct tune_plot_log log = {0};
    struct tune_study_info info = info_of(mixed_space, 1);
    char *names[4] = {"depth", "kernel", "shrink", "C"};
    double imp[4] = {0.4, 0.3, 0.2, 0.1};
    struct tune_param_importance order = {.n = 4, .names = names, .importance = imp};
    struct tune_error err = {0};
    cr_assert_eq(tune_report_parallel(&info, tr.t, tr.n, &order, &po, &log, &err), TUNE_OK, "%s",
                 err.msg);
    cr_assert_str_eq(log.images[0], "parallel.png");
    char *dat = tu_read(dir, "parallel.dat");
    cr_assert_eq(data_lines(dat), 4 * 5, "4 trials x (4 axes + the objective)");
    /* blocks worst first: trials 0 (0.5), 3, 1, 4 (0.95, the best, last) */
    int order_seen[4], k = 0;
    for (const char *p = dat; *p && k < 4;) {
        size_t axis;
        double pos, v;
        int number;
        if (*p != '#' && *p != '\n' && sscanf(p, "%zu %lf %lf %d", &axis, &pos, &v, &number) == 4 &&
            axis == 0)
            order_seen[k++] = number;
        p = strchr(p, '\n') + 1;
    }
    cr_assert_eq(k, 4);
    cr_assert(order_seen[0] == 0 && order_seen[1] == 3 && order_seen[2] == 1 &&
              order_seen[3] == 4);
    /* axis 0 is depth (in [0.5, 4.5]): trial 0 has depth 1, at 0.5 / 4 */
    double pos;
    cr_assert_eq(sscanf(strstr(dat, "\n0 "), "\n0 %lf", &pos), 1);
    assert_close(pos, 0.125, 1e-12);
    char *gp = tu_read(dir, "parallel.gp");
    assert_contains(gp, "set xtics ('depth' 0, 'kernel' 1, 'shrink' 2, 'C' . ' (log)' 3, "
                        "'loss' 4)");
    assert_contains(gp, "set label 'rbf' at 1.06,");
    assert_contains(gp, "title 'best trial 4'");
    free(dat);
    free(gp);
    tune_plot_log_release(&log);
    trials_free(&tr);
    rm_dir(dir);
}

Test(importance, timeline_has_a_row_per_worker_and_bars_coloured_by_state)
{
    struct trials tr = trials_new(5);
    static const char *const workers[5] = {"b:2", "a:1", "b:2", NULL, "a:1"};
    static const double start[5] = {10, 11, 14, 12, 13}, end[5] = {13, 12.5, NAN, 15, 16};
    for (size_t i = 0; i < tr.n; i++) {
        tr.t[i].worker = workers[i] ? strdup(workers[i]) : NULL;
        tr.t[i].t_start = start[i];
        tr.t[i].t_end = end[i];
        tr.t[i].value = 0.5;
    }
    tr.t[1].state = TUNE_TRIAL_PRUNED;
    tr.t[2].state = TUNE_TRIAL_RUNNING;
    tr.t[3].state = TUNE_TRIAL_FAILED;
    tr.t[3].lost = 1;
    tr.t[4].state = TUNE_TRIAL_FAILED;
    char *dir = tu_tmpdir();
    struct tune_plot_opts po = opts_in(dir, 0);
    struct tune_plot_log log = {0};
    struct tune_study_info info = info_of(xyz_space, 0);
    struct tune_error err = {0};
    cr_assert_eq(tune_report_timeline(&info, tr.t, tr.n, &po, &log, &err), TUNE_OK, "%s",
                 err.msg);
    char *dat = tu_read(dir, "timeline.dat");
    /* rows by first start: b:2 (10), a:1 (11), the unknown worker (12);
     * x from the first start; the running trial reaches the last end (16) */
    assert_contains(dat, "\n0 0 3 1 0 0.5\n");
    assert_contains(dat, "\n1 1 2.5 3 1 0.5\n");
    assert_contains(dat, "\n0 4 6 0 2 0.5\n");
    assert_contains(dat, "\n2 2 5 4 3 0.5\n");
    assert_contains(dat, "\n1 3 6 2 4 0.5\n");
    char *gp = tu_read(dir, "timeline.gp");
    assert_contains(gp, "set ytics ('b:2' 0, 'a:1' 1, '(unknown worker)' 2)");
    assert_contains(gp, "title 'lost (worker died) (1)'");
    assert_contains(gp, "title 'running (1)'");
    assert_contains(gp, "4 trials on 3 workers");
    for (size_t i = 0; i < tr.n; i++)
        free(tr.t[i].worker);
    free(dat);
    free(gp);
    tune_plot_log_release(&log);
    trials_free(&tr);
    rm_dir(dir);
}

Test(importance, edf_steps_through_each_studys_sorted_values)
{
    double q1[3] = {0.9, 0.7, 0.8}, q2[2] = {0.75, 0.95}, c[3] = {1, 1, 1};
    struct tune_compare_entry e[2] = {
        {.study = "first", .n_points = 3, .quality = q1, .cost = c},
        {.study = "second", .n_points = 2, .quality = q2, .cost = c},
    };
    struct tune_compare cmp = {.metric = "accuracy", .maximize = 1, .n = 2, .entries = e};
    char *dir = tu_tmpdir();
    struct tune_plot_opts po = opts_in(dir, 0);
    struct tune_plot_log log = {0};
    struct tune_error err = {0};
    cr_assert_eq(tune_compare_edf(&cmp, &po, &log, &err), TUNE_OK, "%s", err.msg);
    cr_assert_str_eq(log.images[0], "edf.png");
    char *dat = tu_read(dir, "edf.dat");
    assert_contains(dat, "# study 1\n0.69999999999999996 0 0.69999999999999996\n"
                         "0.69999999999999996 0.33333333333333331 0.69999999999999996\n"
                         "0.80000000000000004 0.66666666666666663 0.80000000000000004\n"
                         "0.90000000000000002 1 0.90000000000000002\n");
    assert_contains(dat, "# study 2\n0.75 0 0.75\n0.75 0.5 0.75\n0.94999999999999996 1 "
                         "0.94999999999999996\n");
    char *gp = tu_read(dir, "edf.gp");
    assert_contains(gp, "title 'first (3 trials)'");
    assert_contains(gp, "the curve further right");
    free(dat);
    free(gp);
    tune_plot_log_release(&log);
    rm_dir(dir);
}

/* ---- the page ---------------------------------------------------------------- */

Test(importance, toc_numbers_the_headings_and_links_them)
{
    struct tune_text t = {0};
    tune_text_printf(&t, "<h1>x</h1>\n<!--toc-->\n<h2>One &amp; two</h2>\n<p>a</p>\n"
                         "<h2>Best trial: #3</h2>\n");
    tune_html_toc(&t);
    cr_assert_str_eq(t.p, "<h1>x</h1>\n<nav class=\"toc\"><b>Contents</b>\n<ol>\n"
                          "<li><a href=\"#s1\">One &amp; two</a></li>\n"
                          "<li><a href=\"#s2\">Best trial: #3</a></li>\n</ol></nav>\n\n"
                          "<h2 id=\"s1\">One &amp; two</h2>\n<p>a</p>\n"
                          "<h2 id=\"s2\">Best trial: #3</h2>\n");
    tune_text_release(&t);
    /* no marker: unchanged */
    tune_text_printf(&t, "<h2>a</h2>");
    tune_html_toc(&t);
    cr_assert_str_eq(t.p, "<h2>a</h2>");
    tune_text_release(&t);
}

Test(importance, settings_show_the_search_the_space_and_the_stop_reason)
{
    struct tune_text t = {0};
    tune_report_settings_html(&t, mixed_space, "budget of <30> trials reached");
    assert_contains(t.p, "<h2>Settings</h2>");
    assert_contains(t.p, "<tr><th class=\"l\">stopped because</th><td class=\"l\">budget of "
                         "&lt;30&gt; trials reached</td></tr>");
    assert_contains(t.p, "<code>seed=3</code>");
    assert_contains(t.p, "<code>C</code>: float in [0.001, 1000], log scale");
    assert_contains(t.p, "<code>kernel</code>: categorical, one of linear, rbf, poly");
    tune_text_release(&t);
    tune_report_settings_html(&t, mixed_space, NULL);
    cr_assert_null(strstr(t.p, "stopped because"));
    tune_text_release(&t);
}

/* A study written through the store: `n` complete trials of the xyz space
 * (f = 8.3 x + 0.6 y). */
static struct tune_store *xyz_study(const char *dir, size_t n, struct tune_study_info *info)
{
    char db[700];
    snprintf(db, sizeof db, "%s/t.db", dir);
    struct tune_store *store = NULL;
    struct tune_error err = {0};
    int created = 0;
    cr_assert_eq(tune_store_open(db, &store, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(tune_store_study_create_or_load(store, "xyz", xyz_space, "loss", 0, info,
                                                 &created, &err),
                 TUNE_OK, "%s", err.msg);
    for (size_t i = 0; i < n; i++) {
        int number = -1, seq = -1;
        double x = halton(i, 2), y = halton(i, 3), z = halton(i, 5);
        char params[200];
        snprintf(params, sizeof params, "{\"x\": %.17g, \"y\": %.17g, \"z\": %.17g}", x, y, z);
        struct tune_trial_result res = {.state = TUNE_TRIAL_COMPLETE,
                                        .value = 8.3 * x + 0.6 * y,
                                        .value_std = NAN,
                                        .fit_seconds = 0.5,
                                        .predict_seconds = 0.25};
        cr_assert_eq(tune_store_trial_claim(store, info->id, TUNE_ORIGIN_SEARCH, n, &number, &seq,
                                            &err),
                     TUNE_OK, "%s", err.msg);
        cr_assert_eq(tune_store_trial_set_params(store, info->id, number, params, &err), TUNE_OK);
        cr_assert_eq(tune_store_trial_finish(store, info->id, number, &res, &err), TUNE_OK);
    }
    return store;
}

Test(importance, the_study_page_has_contents_settings_the_stop_reason_and_new_sections)
{
    char *dir = tu_tmpdir(), out[700];
    struct tune_study_info info = {0};
    struct tune_store *store = xyz_study(dir, 30, &info);
    snprintf(out, sizeof out, "%s/report", dir);
    struct tune_plot_opts po = opts_in(out, 0);
    struct tune_plot_log log = {0};
    struct tune_error err = {0};
    cr_assert_eq(tune_report_study(store, &info, &po, &log, &err), TUNE_OK, "%s", err.msg);
    char *html = tu_read(out, "index.html");
    assert_contains(html, "<nav class=\"toc\"><b>Contents</b>");
    assert_contains(html, "<li><a href=\"#s1\">Settings</a></li>");
    assert_contains(html, "<h2 id=\"s1\">Settings</h2>");
    cr_assert_null(strstr(html, "stopped because"), "no stop reason stored: nothing said");
    assert_contains(html, "<h2 id=\"s4\">Which hyperparameters matter</h2>");
    assert_contains(html, "<h2 id=\"s5\">What the workers did</h2>");
    /* no SVG twin drawn (gnuplot missing): the PNG in a plain figure */
    assert_contains(html, "<figure><a href=\"parallel.png\"><img src=\"parallel.png\"");
    assert_contains(html, "<figure><a href=\"timeline.png\">");
    cr_assert(exists(out, "param_importance.csv"));
    free(html);
    tune_plot_log_release(&log);
    /* the run said why it stopped; an SVG twin beside a picture is shown */
    cr_assert_eq(tune_store_study_set_attr(store, info.id, "stop_reason",
                                           "the trial budget (30) is met", &err),
                 TUNE_OK);
    free(tu_write(out, "timeline.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>"));
    cr_assert_eq(tune_report_study(store, &info, &po, &log, &err), TUNE_OK, "%s", err.msg);
    html = tu_read(out, "index.html");
    assert_contains(html, "<tr><th class=\"l\">stopped because</th><td class=\"l\">the trial "
                          "budget (30) is met</td></tr>");
    assert_contains(html, "<figure><object type=\"image/svg+xml\" data=\"timeline.svg\"><img "
                          "src=\"timeline.png\"");
    free(html);
    tune_plot_log_release(&log);
    tune_study_info_release(&info);
    tune_store_close(store);
    rm_dir(dir);
}
