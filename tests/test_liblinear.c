/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_liblinear.c — the `liblinear` trainer (LIBLINEAR): scikit-learn's
 * LogisticRegression(solver="liblinear") / LinearSVC / LinearSVR scores on
 * the same folds (tests/data/libtrainers_ref.txt, from
 * bench/reference/libtrainers_ref.py), probabilities from the logistic
 * solvers and oriented decision values from the others, no intercept with a
 * negative bias, a solver of the wrong kind of task, classes missing from a
 * training fold, the dual solvers' row order drawn from the seed, LIBLINEAR
 * kept quiet, hostile parameters. */
#include "libtrainer_testutil.h"

#include <float.h>
#include <sys/stat.h>

static const struct tune_trainer_type *const L = &tune_trainer_liblinear;

TestSuite(liblinear, .init = tu_watchdog);

static struct tune_predictions fit_predict(struct tt_hp *h, const struct tune_matrix *x,
                                           const double *y, enum tune_task task, size_t k,
                                           uint64_t seed, const struct tune_matrix *xp)
{
    struct tune_fit_ctx ctx = {.task = task, .n_classes = k, .seed = seed, .n_threads = 1};
    void *model = tt_fit_ctx(h, x, y, &ctx);
    struct tune_predictions p;
    tt_predict(h, model, xp, task, k, &p);
    L->free_model(model);
    return p;
}

Test(liblinear, declares_its_hyperparameters)
{
    static const char *const names[] = {"solver", "C", "eps", "bias", "epsilon", "class_weight"};
    static const double defs[] = {0, 1.0, 0.0, 1.0, 0.1, 0};
    cr_assert_eq(L->n_hparams, 6);
    for (size_t i = 0; i < 6; i++) {
        cr_expect_str_eq(L->hparams[i].name, names[i]);
        cr_expect_eq(L->hparams[i].def, defs[i]);
    }
    const char *const *s = tt_hparam(L, "solver")->choices;
    static const char *const solvers[] = {
        "auto", "l2r_lr", "l2r_l2loss_svc_dual", "l2r_l2loss_svc", "l2r_l1loss_svc_dual",
        "mcsvm_cs", "l1r_l2loss_svc", "l1r_lr", "l2r_lr_dual", "l2r_l2loss_svr",
        "l2r_l2loss_svr_dual", "l2r_l1loss_svr_dual"};
    for (size_t i = 0; i < 12; i++)
        cr_expect_str_eq(s[i], solvers[i]);
    cr_expect_null(s[12]);
    cr_expect_eq(tune_trainer_find("liblinear"), L);
}

Test(liblinear, cross_validated_scores_equal_scikit_learn_on_the_same_folds)
{
    /* 16 configurations: every solver but l2r_l1loss_svc's twin, class
     * weights, bias 2.5 and none; binary, multiclass, regression. */
    cr_assert_eq(lt_check_reference(L, 7, 1, 1e-6), 32);
}

Test(liblinear, logistic_solvers_give_probabilities_and_the_others_class_one_scores)
{
    struct lt_data d;
    lt_load("breast_cancer", &d);
    static const char *const logistic[] = {"l2r_lr", "l1r_lr", "l2r_lr_dual"};
    for (size_t s = 0; s < 3; s++) {
        struct tt_hp h;
        tt_hp_init(&h, L);
        tt_hp_choose(&h, "solver", logistic[s]);
        struct tune_predictions p = fit_predict(&h, &d.x, d.y, TUNE_TASK_BINARY, 2, 1, &d.x);
        for (size_t i = 0; i < d.x.n_rows; i++) {
            cr_expect(p.proba[2 * i + 1] >= 0 && p.proba[2 * i + 1] <= 1, "%s", logistic[s]);
            cr_expect(fabs(p.proba[2 * i] + p.proba[2 * i + 1] - 1) < 1e-15);
            cr_expect_eq(p.label[i], p.proba[2 * i + 1] > 0.5, "%s row %zu", logistic[s], i);
        }
        tune_predictions_release(&p);
    }
    static const char *const svc[] = {"l2r_l2loss_svc_dual", "l2r_l2loss_svc",
                                      "l2r_l1loss_svc_dual", "l1r_l2loss_svc", "mcsvm_cs"};
    for (size_t s = 0; s < 5; s++) {
        struct tt_hp h;
        tt_hp_init(&h, L);
        tt_hp_choose(&h, "solver", svc[s]);
        struct tune_predictions p = fit_predict(&h, &d.x, d.y, TUNE_TASK_BINARY, 2, 1, &d.x);
        size_t outside = 0;
        for (size_t i = 0; i < d.x.n_rows; i++) {
            /* Positive means class 1, whichever class LIBLINEAR put first. */
            cr_expect_eq(p.label[i], p.proba[2 * i + 1] > 0, "%s row %zu: label %d score %g",
                         svc[s], i, p.label[i], p.proba[2 * i + 1]);
            cr_expect_eq(p.proba[2 * i], 1 - p.proba[2 * i + 1]);
            outside += fabs(p.proba[2 * i + 1]) > 1;
        }
        cr_expect_gt(outside, 0, "%s: scores are margins, not probabilities", svc[s]);
        cr_expect_gt(tune_metric_find("roc_auc")->compute(d.y, &p), 0.99, "%s", svc[s]);
        tune_predictions_release(&p);
    }
    lt_free(&d);
}

Test(liblinear, a_negative_bias_fits_no_intercept)
{
    /* y = 1 when x > 3: without an intercept the boundary must pass through
     * 0, so the origin scores 0 (probability 1/2 exactly). */
    static const double x[8] = {1, 2, 3, 4, 5, 6, 2.5, 3.5};
    static const double y[8] = {0, 0, 0, 1, 1, 1, 0, 1};
    static const double origin[1] = {0};
    struct tune_matrix m = {8, 1, (double *)x}, o = {1, 1, (double *)origin};
    struct tt_hp h;
    tt_hp_init(&h, L);
    tt_hp_set(&h, "bias", -1);
    struct tune_predictions p = fit_predict(&h, &m, y, TUNE_TASK_BINARY, 2, 1, &o);
    cr_expect_eq(p.proba[1], 0.5);
    tune_predictions_release(&p);
    tt_hp_choose(&h, "solver", "l2r_l2loss_svc_dual");
    p = fit_predict(&h, &m, y, TUNE_TASK_BINARY, 2, 1, &o);
    cr_expect_eq(p.proba[1], 0.0);
    tune_predictions_release(&p);
    /* With the intercept (bias 1, the default) the origin is class 0. */
    tt_hp_init(&h, L);
    tt_hp_set(&h, "C", 100);
    p = fit_predict(&h, &m, y, TUNE_TASK_BINARY, 2, 1, &o);
    cr_expect_lt(p.proba[1], 0.1);
    tune_predictions_release(&p);
}

Test(liblinear, a_class_missing_from_the_training_fold_gets_nothing)
{
    struct lt_data d;
    lt_load("wine", &d);
    size_t n = 0;
    for (size_t i = 0; i < d.x.n_rows; i++)
        n += d.y[i] != 0;
    struct tune_matrix x = {n, d.x.n_cols, malloc(n * d.x.n_cols * sizeof(double))};
    double *y = malloc(n * sizeof *y);
    for (size_t j = 0; j < d.x.n_cols; j++)
        for (size_t i = 0, r = 0; i < d.x.n_rows; i++)
            if (d.y[i] != 0)
                x.data[j * n + r++] = d.x.data[j * d.x.n_rows + i];
    for (size_t i = 0, r = 0; i < d.x.n_rows; i++)
        if (d.y[i] != 0)
            y[r++] = d.y[i];
    /* Logistic: probability 0; an SVC: the lowest score there is. */
    static const char *const solvers[] = {"l2r_lr", "l2r_l2loss_svc_dual", "mcsvm_cs"};
    for (size_t s = 0; s < 3; s++) {
        struct tt_hp h;
        tt_hp_init(&h, L);
        tt_hp_choose(&h, "solver", solvers[s]);
        struct tune_predictions p = fit_predict(&h, &x, y, TUNE_TASK_MULTICLASS, 3, 1, &d.x);
        size_t right = 0;
        for (size_t i = 0; i < d.x.n_rows; i++) {
            cr_expect_neq(p.label[i], 0);
            cr_expect_eq(p.proba[3 * i], s == 0 ? 0.0 : -DBL_MAX, "%s", solvers[s]);
            right += d.y[i] != 0 && p.label[i] == (int)d.y[i];
        }
        cr_expect_geq(right, n - 2, "%s: %zu of %zu", solvers[s], right, n);
        tune_predictions_release(&p);
    }
    free(x.data);
    free(y);
    lt_free(&d);
}

Test(liblinear, the_dual_solvers_draw_their_row_order_from_the_seed)
{
    /* A loose tolerance stops the dual coordinate descent where the drawn
     * order leaves it: the same seed gives the same model, another seed
     * (most likely) another. */
    struct lt_data d;
    lt_load("breast_cancer", &d);
    struct tt_hp h;
    tt_hp_init(&h, L);
    tt_hp_choose(&h, "solver", "l2r_l1loss_svc_dual");
    tt_hp_set(&h, "C", 10);
    struct tune_predictions a = fit_predict(&h, &d.x, d.y, TUNE_TASK_BINARY, 2, 5, &d.x);
    struct tune_predictions b = fit_predict(&h, &d.x, d.y, TUNE_TASK_BINARY, 2, 5, &d.x);
    struct tune_predictions c = fit_predict(&h, &d.x, d.y, TUNE_TASK_BINARY, 2, 6, &d.x);
    size_t same = 0, differ = 0;
    for (size_t i = 0; i < d.x.n_rows; i++) {
        same += a.proba[2 * i + 1] == b.proba[2 * i + 1];
        differ += a.proba[2 * i + 1] != c.proba[2 * i + 1];
    }
    cr_expect_eq(same, d.x.n_rows);
    cr_expect_gt(differ, 0);
    tune_predictions_release(&a);
    tune_predictions_release(&b);
    tune_predictions_release(&c);
    lt_free(&d);
}

Test(liblinear, liblinear_prints_nothing)
{
    /* LIBLINEAR's solvers print their iterations ("iter 1 act ...",
     * "optimization finished") to stdout by default. */
    struct lt_data d;
    lt_load("breast_cancer", &d);
    static const char *const solvers[] = {"l2r_lr", "l2r_l2loss_svc_dual", "l1r_lr", "mcsvm_cs"};
    char path[] = "/tmp/tunefold-liblinear-out-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    fflush(stdout);
    fflush(stderr);
    int out = dup(1), errfd = dup(2);
    dup2(fd, 1);
    dup2(fd, 2);
    for (size_t s = 0; s < 4; s++) {
        struct tt_hp h;
        tt_hp_init(&h, L);
        tt_hp_choose(&h, "solver", solvers[s]);
        struct tune_fit_ctx ctx = {.task = TUNE_TASK_BINARY, .n_classes = 2, .seed = 1,
                                   .n_threads = 1};
        struct tune_error err = {0};
        void *model = NULL;
        int rc = L->fit(&d.x, d.y, &ctx, &h.params, &model, &err);
        if (rc == TUNE_OK)
            L->free_model(model);
    }
    fflush(stdout);
    fflush(stderr);
    dup2(out, 1);
    dup2(errfd, 2);
    close(out);
    close(errfd);
    struct stat st;
    fstat(fd, &st);
    close(fd);
    unlink(path);
    cr_expect_eq(st.st_size, 0, "%lld bytes printed", (long long)st.st_size);
    lt_free(&d);
}

static void expect_refusal(struct tt_hp *h, const struct tune_matrix *x, const double *y,
                           enum tune_task task, size_t k, const char *what)
{
    struct tune_error err = {0};
    int rc = tt_fit_fails(h, x, y, task, k, &err);
    cr_expect_eq(rc, TUNE_EINVAL, "%s: code %d (%s)", what, rc, err.msg);
    cr_expect(strstr(err.msg, what) != NULL, "message \"%s\" does not name %s", err.msg, what);
}

Test(liblinear, hostile_parameters_are_errors_naming_them)
{
    struct lt_data d;
    lt_load("breast_cancer", &d);
    struct { const char *name; double value; } bad[] = {
        {"C", 0},     {"C", -2},     {"C", NAN},       {"eps", -1},       {"eps", INFINITY},
        {"bias", -2}, {"bias", NAN}, {"epsilon", -1},  {"solver", 12},    {"solver", 1.5},
        {"class_weight", 3},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct tt_hp h;
        tt_hp_init(&h, L);
        tt_hp_set(&h, bad[i].name, bad[i].value);
        char what[64];
        snprintf(what, sizeof what, "liblinear: %s:", bad[i].name);
        expect_refusal(&h, &d.x, d.y, TUNE_TASK_BINARY, 2, what);
    }
    struct tt_hp h;
    tt_hp_init(&h, L);
    tt_hp_choose(&h, "solver", "l2r_l2loss_svr");
    expect_refusal(&h, &d.x, d.y, TUNE_TASK_BINARY, 2, "solver: l2r_l2loss_svr is a regression");
    tt_hp_init(&h, L);
    tt_hp_choose(&h, "solver", "l1r_lr");
    expect_refusal(&h, &d.x, d.y, TUNE_TASK_REGRESSION, 0, "solver: l1r_lr is a classifier");
    tt_hp_init(&h, L);
    h.params.n = 2;
    expect_refusal(&h, &d.x, d.y, TUNE_TASK_BINARY, 2, "expected 6");
    tt_hp_init(&h, L);
    d.x.data[3 * d.x.n_rows + 7] = INFINITY;
    expect_refusal(&h, &d.x, d.y, TUNE_TASK_BINARY, 2, "row 7, column 3");
    lt_free(&d);
}
