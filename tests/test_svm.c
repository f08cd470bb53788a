/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_svm.c — the `svm` trainer (LIBSVM): scikit-learn's SVC / NuSVC / SVR /
 * NuSVR scores on the same folds (tests/data/libtrainers_ref.txt, from
 * bench/reference/libtrainers_ref.py), gamma's scale and auto computed as
 * scikit-learn does, the sign and shape of the scores, Platt probabilities,
 * classes missing from a training fold, LIBSVM kept quiet, and hostile
 * parameters that must fail with an error naming them, never crash. */
#include "libtrainer_testutil.h"
#include "trainers/svm.h"

#include <fcntl.h>
#include <sys/stat.h>

static const struct tune_trainer_type *const S = &tune_trainer_svm;

TestSuite(svm, .init = tu_watchdog);

static struct tune_fit_ctx ctx_for(enum tune_task task, size_t k)
{
    return (struct tune_fit_ctx){.task = task, .n_classes = k, .seed = 11, .n_threads = 1};
}

/* Fit, predict x, free the model; returns the predictions. */
static struct tune_predictions fit_predict(struct tt_hp *h, const struct tune_matrix *x,
                                           const double *y, enum tune_task task, size_t k,
                                           const struct tune_matrix *xp)
{
    struct tune_fit_ctx ctx = ctx_for(task, k);
    void *model = tt_fit_ctx(h, x, y, &ctx);
    struct tune_predictions p;
    tt_predict(h, model, xp, task, k, &p);
    S->free_model(model);
    return p;
}

Test(svm, declares_its_hyperparameters_with_scikit_learn_defaults)
{
    static const char *const names[] = {"svm_type", "kernel",  "C",         "gamma",
                                         "gamma_mode", "degree", "coef0",   "nu",
                                         "epsilon",  "tol",     "shrinking", "class_weight",
                                         "cache_size", "probability"};
    static const double defs[] = {0, 2, 1.0, 0.0, 0, 3, 0.0, 0.5, 0.1, 1e-3, 1, 0, 200, 0};
    cr_assert_eq(S->n_hparams, sizeof names / sizeof names[0]);
    for (size_t i = 0; i < S->n_hparams; i++) {
        cr_expect_str_eq(S->hparams[i].name, names[i]);
        cr_expect_eq(S->hparams[i].def, defs[i], "%s default %g", names[i], S->hparams[i].def);
    }
    cr_expect_str_eq(tt_hparam(S, "kernel")->choices[2], "rbf");
    cr_expect_str_eq(tt_hparam(S, "gamma_mode")->choices[0], "scale");
    cr_expect(S->tasks & TUNE_TASK_REGRESSION);
    cr_expect_eq(tune_trainer_find("svm"), S);
}

Test(svm, cross_validated_scores_equal_scikit_learn_on_the_same_folds)
{
    /* 12 configurations x (accuracy, roc_auc) or (r2, mse), 5 folds each:
     * every kernel, c_svc / nu_svc / epsilon_svr / nu_svr, class weights,
     * gamma given, scale and auto; binary, multiclass and regression. */
    cr_assert_eq(lt_check_reference(S, 7, 1, 1e-6), 24);
}

/* 12 rows x 2 columns whose every value is a multiple of 1/4, summing to 6:
 * the mean (1/4) and the sums of squares are exact in doubles, so the
 * variance is the same double however it is summed. */
static const double gx[24] = {0.25, -1.5, 2.0, 0.75, -0.5, 1.25, -2.0, 0.5, 1.75, -0.25, 0.0, 1.0,
                              1.5, 0.5, -1.0, 2.25, -0.75, 0.25, 1.0, -1.25, 0.75, 2.0, -0.5, -2.0};
static const double gy[12] = {1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 0, 1};

Test(svm, gamma_scale_is_one_over_columns_times_the_variance_and_auto_one_over_columns)
{
    struct tune_matrix x = {12, 2, (double *)gx};
    double sum = 0, ss = 0;
    for (size_t i = 0; i < 24; i++)
        sum += gx[i];
    cr_assert_eq(sum, 6.0);
    for (size_t i = 0; i < 24; i++)
        ss += (gx[i] - 0.25) * (gx[i] - 0.25);
    double var = ss / 24;
    struct { const char *mode; double gamma; } cases[] = {{"scale", 1.0 / (2 * var)},
                                                          {"auto", 0.5}};
    for (size_t c = 0; c < 2; c++) {
        struct tt_hp by_mode, by_value;
        tt_hp_init(&by_mode, S);
        tt_hp_choose(&by_mode, "gamma_mode", cases[c].mode);
        tt_hp_init(&by_value, S);
        tt_hp_set(&by_value, "gamma", cases[c].gamma);
        tt_hp_choose(&by_value, "gamma_mode", cases[c].mode == cases[0].mode ? "auto" : "scale");
        struct tune_predictions a = fit_predict(&by_mode, &x, gy, TUNE_TASK_BINARY, 2, &x);
        struct tune_predictions b = fit_predict(&by_value, &x, gy, TUNE_TASK_BINARY, 2, &x);
        for (size_t i = 0; i < 12; i++)
            cr_expect_eq(a.proba[2 * i + 1], b.proba[2 * i + 1], "%s: row %zu: %.17g vs %.17g",
                         cases[c].mode, i, a.proba[2 * i + 1], b.proba[2 * i + 1]);
        tune_predictions_release(&a);
        tune_predictions_release(&b);
    }
    /* A different gamma gives different scores: the comparison can fail. */
    struct tt_hp h1, h2;
    tt_hp_init(&h1, S);
    tt_hp_init(&h2, S);
    tt_hp_set(&h2, "gamma", 1.0 / (2 * var) * 1.001);
    struct tune_predictions a = fit_predict(&h1, &x, gy, TUNE_TASK_BINARY, 2, &x);
    struct tune_predictions b = fit_predict(&h2, &x, gy, TUNE_TASK_BINARY, 2, &x);
    cr_expect_neq(a.proba[1], b.proba[1]);
    tune_predictions_release(&a);
    tune_predictions_release(&b);
}

Test(svm, a_binary_score_is_positive_for_class_one_whatever_class_comes_first)
{
    /* One column, class 1 above 0.  LIBSVM takes its first row's class as
     * +1; the score must not care. */
    static const double x1[6] = {2.0, -1.0, 1.5, -2.5, 0.75, -0.5};
    static const double y1[6] = {1, 0, 1, 0, 1, 0};
    static const double x0[6] = {-1.0, 2.0, -2.5, 1.5, -0.5, 0.75};
    static const double y0[6] = {0, 1, 0, 1, 0, 1};
    static const double probe[2] = {3.0, -3.0};
    struct tune_matrix p = {2, 1, (double *)probe};
    const double *xs[2] = {x1, x0}, *ys[2] = {y1, y0};
    double first_score = 0;
    for (int t = 0; t < 2; t++) {
        struct tt_hp h;
        tt_hp_init(&h, S);
        tt_hp_choose(&h, "kernel", "linear");
        struct tune_matrix x = {6, 1, (double *)xs[t]};
        struct tune_predictions pr = fit_predict(&h, &x, ys[t], TUNE_TASK_BINARY, 2, &p);
        cr_expect_gt(pr.proba[1], 0, "first row class %g: score %g", ys[t][0], pr.proba[1]);
        cr_expect_lt(pr.proba[3], 0);
        cr_expect_eq(pr.label[0], 1);
        cr_expect_eq(pr.label[1], 0);
        cr_expect_eq(pr.proba[0], 1 - pr.proba[1]);
        if (t == 0)
            first_score = pr.proba[1];
        else
            cr_expect_eq(pr.proba[1], first_score);
        tune_predictions_release(&pr);
    }
}

Test(svm, multiclass_scores_are_votes_plus_squashed_confidences)
{
    struct lt_data d;
    lt_load("wine", &d);
    struct tt_hp h;
    tt_hp_init(&h, S);
    struct tune_predictions p = fit_predict(&h, &d.x, d.y, TUNE_TASK_MULTICLASS, 3, &d.x);
    for (size_t i = 0; i < d.x.n_rows; i++) {
        const double *s = p.proba + 3 * i;
        double votes = 0;
        size_t best = 0;
        for (size_t c = 0; c < 3; c++) {
            /* Each score is an integral vote count plus a value in (-1/3, 1/3). */
            double v = round(s[c]);
            cr_expect(fabs(s[c] - v) < 1.0 / 3, "row %zu class %zu: %g", i, c, s[c]);
            votes += v;
            if (s[c] > s[best])
                best = c;
        }
        cr_expect_eq(votes, 3, "row %zu: %g votes for 3 pairs", i, votes);
        cr_expect_eq((int)best, p.label[i], "row %zu", i);
    }
    tune_predictions_release(&p);
    lt_free(&d);
}

Test(svm, a_class_missing_from_the_training_fold_scores_below_every_vote)
{
    struct lt_data d;
    lt_load("wine", &d);
    /* Keep the rows of classes 0 and 2 only. */
    size_t n = 0;
    for (size_t i = 0; i < d.x.n_rows; i++)
        n += d.y[i] != 1;
    struct tune_matrix x = {n, d.x.n_cols, malloc(n * d.x.n_cols * sizeof(double))};
    double *y = malloc(n * sizeof *y);
    for (size_t j = 0; j < d.x.n_cols; j++)
        for (size_t i = 0, r = 0; i < d.x.n_rows; i++)
            if (d.y[i] != 1)
                x.data[j * n + r++] = d.x.data[j * d.x.n_rows + i];
    for (size_t i = 0, r = 0; i < d.x.n_rows; i++)
        if (d.y[i] != 1)
            y[r++] = d.y[i];
    for (int prob = 0; prob < 2; prob++) {
        struct tt_hp h;
        tt_hp_init(&h, S);
        tt_hp_set(&h, "probability", prob);
        struct tune_predictions p = fit_predict(&h, &x, y, TUNE_TASK_MULTICLASS, 3, &d.x);
        for (size_t i = 0; i < d.x.n_rows; i++) {
            cr_expect_neq(p.label[i], 1);
            cr_expect_eq(p.proba[3 * i + 1], prob ? 0.0 : -1.0, "row %zu: %g", i,
                         p.proba[3 * i + 1]);
        }
        tune_predictions_release(&p);
    }
    free(x.data);
    free(y);
    lt_free(&d);
}

Test(svm, one_class_in_training_predicts_that_class)
{
    static const double x[4] = {1, 2, 3, 4};
    static const double y[4] = {1, 1, 1, 1};
    struct tune_matrix m = {4, 1, (double *)x};
    struct tt_hp h;
    tt_hp_init(&h, S);
    struct tune_predictions p = fit_predict(&h, &m, y, TUNE_TASK_BINARY, 2, &m);
    for (size_t i = 0; i < 4; i++) {
        cr_expect_eq(p.label[i], 1);
        cr_expect_eq(p.proba[2 * i + 1], 1.0);
    }
    tune_predictions_release(&p);
}

Test(svm, probability_gives_platt_probabilities_from_the_seed_and_keeps_the_labels)
{
    struct lt_data d;
    lt_load("breast_cancer", &d);
    struct tt_hp plain, platt;
    tt_hp_init(&plain, S);
    tt_hp_init(&platt, S);
    tt_hp_set(&platt, "probability", 1);
    struct tune_predictions a = fit_predict(&plain, &d.x, d.y, TUNE_TASK_BINARY, 2, &d.x);
    struct tune_predictions b = fit_predict(&platt, &d.x, d.y, TUNE_TASK_BINARY, 2, &d.x);
    struct tune_predictions c = fit_predict(&platt, &d.x, d.y, TUNE_TASK_BINARY, 2, &d.x);
    size_t outside = 0;
    for (size_t i = 0; i < d.x.n_rows; i++) {
        cr_expect_eq(a.label[i], b.label[i], "row %zu: labels come from the decision value", i);
        cr_expect(b.proba[2 * i + 1] >= 0 && b.proba[2 * i + 1] <= 1);
        cr_expect(fabs(b.proba[2 * i] + b.proba[2 * i + 1] - 1) < 1e-12);
        cr_expect_eq(b.proba[2 * i + 1], c.proba[2 * i + 1], "row %zu: same seed", i);
        /* Platt's sigmoid is increasing in the decision value. */
        outside += a.proba[2 * i + 1] < -1 || a.proba[2 * i + 1] > 1;
    }
    cr_expect_gt(outside, 0, "decision values are not probabilities");
    cr_expect_gt(tune_metric_find("roc_auc")->compute(d.y, &b), 0.99);
    tune_predictions_release(&a);
    tune_predictions_release(&b);
    tune_predictions_release(&c);
    lt_free(&d);
}

Test(svm, regression_predicts_values)
{
    static const double x[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    static const double y[8] = {0.5, 2.5, 4.5, 6.5, 8.5, 10.5, 12.5, 14.5};
    struct tune_matrix m = {8, 1, (double *)x};
    struct tt_hp h;
    tt_hp_init(&h, S);
    tt_hp_choose(&h, "kernel", "linear");
    tt_hp_set(&h, "C", 100);
    tt_hp_set(&h, "epsilon", 0.01);
    struct tune_predictions p = fit_predict(&h, &m, y, TUNE_TASK_REGRESSION, 0, &m);
    for (size_t i = 0; i < 8; i++)
        cr_expect(fabs(p.value[i] - y[i]) < 0.02, "row %zu: %g vs %g", i, p.value[i], y[i]);
    tune_predictions_release(&p);
}

/* Bytes written to stdout and stderr while fitting. */
static off_t output_of_fit(struct tt_hp *h, const struct tune_matrix *x, const double *y,
                           enum tune_task task, size_t k)
{
    char path[] = "/tmp/tunefold-svm-out-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    fflush(stdout);
    fflush(stderr);
    int out = dup(1), errfd = dup(2);
    dup2(fd, 1);
    dup2(fd, 2);
    struct tune_fit_ctx ctx = ctx_for(task, k);
    struct tune_error err = {0};
    void *model = NULL;
    int rc = h->t->fit(x, y, &ctx, &h->params, &model, &err);
    fflush(stdout);
    fflush(stderr);
    dup2(out, 1);
    dup2(errfd, 2);
    close(out);
    close(errfd);
    cr_assert_eq(rc, TUNE_OK, "%s", err.msg);
    h->t->free_model(model);
    struct stat st;
    fstat(fd, &st);
    close(fd);
    unlink(path);
    return st.st_size;
}

Test(svm, libsvm_prints_nothing)
{
    /* LIBSVM's default print function writes "*" and "optimization
     * finished" to stdout on every fit (each test runs in a fresh process,
     * so nothing set it before). */
    struct lt_data d;
    lt_load("wine", &d);
    struct tt_hp h;
    tt_hp_init(&h, S);
    tt_hp_set(&h, "probability", 1);
    cr_expect_eq(output_of_fit(&h, &d.x, d.y, TUNE_TASK_MULTICLASS, 3), 0);
    lt_free(&d);
}

/* Fit that must fail with `code` and a message containing `what`. */
static void expect_refusal(struct tt_hp *h, const struct tune_matrix *x, const double *y,
                           enum tune_task task, size_t k, int code, const char *what)
{
    struct tune_error err = {0};
    int rc = tt_fit_fails(h, x, y, task, k, &err);
    cr_expect_eq(rc, code, "%s: code %d (%s)", what, rc, err.msg);
    cr_expect(strstr(err.msg, what) != NULL, "message \"%s\" does not name %s", err.msg, what);
}

Test(svm, hostile_parameters_are_errors_naming_them)
{
    struct lt_data d;
    lt_load("breast_cancer", &d);
    struct { const char *name; double value; } bad[] = {
        {"C", 0},          {"C", -1},        {"C", NAN},          {"C", INFINITY},
        {"gamma", -1},     {"degree", 2.5},  {"degree", -1},      {"kernel", 4},
        {"kernel", -1},    {"svm_type", 5},  {"nu", 0},           {"nu", 1.5},
        {"epsilon", -0.1}, {"tol", 0},       {"cache_size", 0},   {"shrinking", 2},
        {"probability", 0.5}, {"class_weight", 2}, {"gamma_mode", 2}, {"coef0", NAN},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct tt_hp h;
        tt_hp_init(&h, S);
        tt_hp_set(&h, bad[i].name, bad[i].value);
        char what[64];
        snprintf(what, sizeof what, "svm: %s:", bad[i].name);
        expect_refusal(&h, &d.x, d.y, TUNE_TASK_BINARY, 2, TUNE_EINVAL, what);
        struct tune_error err = {0};
        cr_expect_eq(S->check(&h.params, &err), TUNE_EINVAL, "check accepts %s = %g",
                     bad[i].name, bad[i].value);
    }
    /* What only LIBSVM's svm_check_parameter can tell: nu too large for the
     * class sizes (nu x rows / 2 > the smaller class). */
    struct tt_hp h;
    tt_hp_init(&h, S);
    tt_hp_choose(&h, "svm_type", "nu_svc");
    tt_hp_set(&h, "nu", 0.95);
    expect_refusal(&h, &d.x, d.y, TUNE_TASK_BINARY, 2, TUNE_EINVAL, "svm: nu: specified nu is "
                   "infeasible");
    /* A machine of the other kind of task. */
    tt_hp_init(&h, S);
    tt_hp_choose(&h, "svm_type", "epsilon_svr");
    expect_refusal(&h, &d.x, d.y, TUNE_TASK_BINARY, 2, TUNE_EINVAL, "svm_type: epsilon_svr");
    tt_hp_init(&h, S);
    tt_hp_choose(&h, "svm_type", "nu_svc");
    expect_refusal(&h, &d.x, d.y, TUNE_TASK_REGRESSION, 0, TUNE_EINVAL, "svm_type: nu_svc");
    /* A kernel that overflows: poly of degree 100, gamma 1000. */
    tt_hp_init(&h, S);
    tt_hp_choose(&h, "kernel", "poly");
    tt_hp_set(&h, "degree", 100);
    tt_hp_set(&h, "gamma", 1000);
    expect_refusal(&h, &d.x, d.y, TUNE_TASK_BINARY, 2, TUNE_ENUMERIC, "poly kernel overflows");
    /* Too few values, a missing value in the data. */
    tt_hp_init(&h, S);
    h.params.n = 3;
    expect_refusal(&h, &d.x, d.y, TUNE_TASK_BINARY, 2, TUNE_EINVAL, "expected 14");
    tt_hp_init(&h, S);
    double keep = d.x.data[5];
    d.x.data[5] = NAN;
    expect_refusal(&h, &d.x, d.y, TUNE_TASK_BINARY, 2, TUNE_EINVAL, "row 5, column 0");
    d.x.data[5] = keep;
    lt_free(&d);
}

Test(svm, predict_refuses_the_wrong_number_of_columns)
{
    struct tune_matrix x = {12, 2, (double *)gx};
    struct tune_matrix x1 = {12, 1, (double *)gx};
    struct tt_hp h;
    tt_hp_init(&h, S);
    struct tune_fit_ctx ctx = ctx_for(TUNE_TASK_BINARY, 2);
    void *model = tt_fit_ctx(&h, &x, gy, &ctx);
    struct tune_predictions p;
    struct tune_error err = {0};
    cr_assert_eq(tune_predictions_init(&p, TUNE_TASK_BINARY, 12, 2, 1, &err), TUNE_OK);
    cr_expect_eq(S->predict(model, &x1, &p, &err), TUNE_EINVAL);
    cr_expect(strstr(err.msg, "1 columns to predict, model has 2"), "%s", err.msg);
    tune_predictions_release(&p);
    S->free_model(model);
    S->free_model(NULL);
}

Test(svm, the_grid_example_walks_grid_pys_grid_in_powers_of_two)
{
    /* examples/breast_cancer_svm_grid.json: log2 C in -5..15 by 2 (11
     * values), log2 gamma in -15..3 by 2 (10), gamma fastest.  The first 11
     * points: C = 2^-5 with every gamma, then C = 2^-3, gamma = 2^-15. */
    char *dir = tu_tmpdir(), cmd[1024], *out = NULL, *errout = NULL;
    snprintf(cmd, sizeof cmd, "(%s run examples/breast_cancer_svm_grid.json --db %s/g.db "
             "--trials 11 --quiet && %s trials --db %s/g.db --study breast-cancer-svm-grid "
             "--format json)", tu_bin(), dir, tu_bin(), dir);
    cr_assert_eq(tu_run(cmd, &out, &errout), 0, "%s", errout);
    static const char *const expect[] = {
        "\"params\": {\"C\": 0.03125, \"gamma\": 3.0517578125e-05}",
        "\"params\": {\"C\": 0.03125, \"gamma\": 0.0001220703125}",
        "\"params\": {\"C\": 0.03125, \"gamma\": 8}",
        "\"params\": {\"C\": 0.125, \"gamma\": 3.0517578125e-05}",
    };
    for (size_t i = 0; i < 4; i++)
        cr_expect(strstr(out, expect[i]), "no %s in\n%s", expect[i], out);
    cr_expect_null(strstr(out, "FAILED"));
    free(out);
    free(errout);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_expect_eq(system(cmd), 0);
    free(dir);
}

/* ---- the kernel matrix from a fold's cache, and the dense prediction ---- */

/* A fold's cache as the study keeps one (src/crossval.c), counting its
 * traffic. */
struct fold_cache {
    char key[8][64];
    void *value[8];
    void (*free_fn[8])(void *);
    size_t n, bytes, max_bytes, finds, hits, puts;
};

static const void *cache_find(void *arg, const char *key)
{
    struct fold_cache *c = arg;
    c->finds++;
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->key[i], key) == 0) {
            c->hits++;
            return c->value[i];
        }
    return NULL;
}

static int cache_put(void *arg, const char *key, void *value, size_t bytes,
                     void (*free_fn)(void *))
{
    struct fold_cache *c = arg;
    c->puts++;
    if (c->n == 8 || bytes > c->max_bytes - c->bytes) {
        free_fn(value);
        return -1;
    }
    snprintf(c->key[c->n], sizeof c->key[c->n], "%s", key);
    c->value[c->n] = value;
    c->free_fn[c->n++] = free_fn;
    c->bytes += bytes;
    return 0;
}

static void cache_clear(struct fold_cache *c)
{
    for (size_t i = 0; i < c->n; i++)
        c->free_fn[i](c->value[i]);
    c->n = c->bytes = 0;
}

static void expect_same_predictions(const struct tune_predictions *a,
                                    const struct tune_predictions *b, const char *what)
{
    size_t n = a->n, k = a->n_classes;
    cr_assert_eq(n, b->n);
    for (size_t i = 0; i < n; i++) {
        if (a->value) {
            cr_expect_eq(memcmp(&a->value[i], &b->value[i], sizeof(double)), 0,
                         "%s: row %zu: %.17g, %.17g", what, i, a->value[i], b->value[i]);
            continue;
        }
        cr_expect_eq(a->label[i], b->label[i], "%s: row %zu", what, i);
        for (size_t c = 0; c < k; c++)
            cr_expect_eq(memcmp(&a->proba[i * k + c], &b->proba[i * k + c], sizeof(double)), 0,
                         "%s: row %zu class %zu: %.17g, %.17g", what, i, c,
                         a->proba[i * k + c], b->proba[i * k + c]);
    }
}

Test(svm, a_fit_from_the_fold_cache_and_the_dense_prediction_are_libsvm_to_the_bit)
{
    /* Every kernel and machine of the known answers, and probability (which
     * takes LIBSVM's own path), on all five folds: a fit without a cache
     * predicted by LIBSVM's svm_predict_values is the reference; three fits
     * with the fold's cache (the first computes the kernel from new dot
     * products, the second from kept ones, the third copies kept kernel
     * values) must give the same numbers to the bit, through both the dense
     * prediction and LIBSVM's. */
    static const struct {
        const char *data, *spec;
    } cases[] = {
        {"breast_cancer", "-"},
        {"breast_cancer", "kernel=linear,C=0.0625"},
        {"breast_cancer", "kernel=poly,degree=2,gamma_mode=auto,coef0=1.5,C=2.5"},
        {"breast_cancer", "kernel=poly,degree=5,gamma=0.05,coef0=0.5,C=0.7"},
        {"breast_cancer", "kernel=sigmoid,gamma=0.0078125,coef0=-0.25,C=4"},
        {"breast_cancer", "svm_type=nu_svc,nu=0.3"},
        {"breast_cancer", "class_weight=balanced,C=3.7,gamma=0.02,shrinking=0,tol=1e-05"},
        {"breast_cancer", "probability=1,C=2"},
        {"wine", "C=2.385"},
        {"wine", "svm_type=nu_svc,nu=0.2,kernel=poly,gamma_mode=auto"},
        {"wine", "kernel=linear,class_weight=balanced,C=0.3"},
        {"diabetes", "C=100,epsilon=10"},
        {"diabetes", "svm_type=nu_svr,nu=0.4,C=80,kernel=linear"},
        {"diabetes", "kernel=poly,degree=2,C=50,epsilon=5,coef0=1"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct lt_data d;
        lt_load(cases[c].data, &d);
        struct tt_hp h;
        tt_hp_init(&h, S);
        lt_apply(&h, cases[c].spec);
        int probability = strstr(cases[c].spec, "probability=1") != NULL;
        for (size_t f = 0; f < LT_FOLDS; f++) {
            double *ytr, *yva;
            struct tune_matrix xtr = lt_rows(&d.x, d.y, f, 0, &ytr);
            struct tune_matrix xva = lt_rows(&d.x, d.y, f, 1, &yva);
            struct fold_cache cache = {.max_bytes = (size_t)16 << 20};
            struct tune_fit_ctx plain = {.task = d.task, .n_classes = d.k, .seed = 5,
                                         .n_threads = 1};
            struct tune_fit_ctx cached = plain;
            cached.cache_find = cache_find;
            cached.cache_put = cache_put;
            cached.cache_arg = &cache;
            struct tune_predictions ref, p;
            struct tune_error err = {0};
            void *m0 = tt_fit_ctx(&h, &xtr, ytr, &plain);
            int with_proba = d.task != TUNE_TASK_REGRESSION;
            cr_assert_eq(tune_predictions_init(&ref, d.task, xva.n_rows, d.k, with_proba, &err),
                         0);
            cr_assert_eq(tune_svm_predict_libsvm(m0, &xva, &ref, &err), TUNE_OK, "%s", err.msg);
            char what[160];
            for (int round = 0; round < 3; round++) {
                void *m = tt_fit_ctx(&h, &xtr, ytr, &cached);
                snprintf(what, sizeof what, "%s %s fold %zu, fit %d from the cache, dense",
                         cases[c].data, cases[c].spec, f, round + 1);
                tt_predict(&h, m, &xva, d.task, d.k, &p);
                expect_same_predictions(&ref, &p, what);
                tune_predictions_release(&p);
                snprintf(what, sizeof what, "%s %s fold %zu, fit %d from the cache, LIBSVM",
                         cases[c].data, cases[c].spec, f, round + 1);
                cr_assert_eq(tune_predictions_init(&p, d.task, xva.n_rows, d.k, with_proba,
                                                   &err), 0);
                cr_assert_eq(tune_svm_predict_libsvm(m, &xva, &p, &err), TUNE_OK);
                expect_same_predictions(&ref, &p, what);
                tune_predictions_release(&p);
                S->free_model(m);
            }
            /* Fit 1 makes and keeps the dot products and marks the kernel's
             * setting; fit 2 finds both and keeps the kernel values; fit 3
             * finds those.  linear: its values are the dot products, kept by
             * fit 1 and found by the others.  Never with probability. */
            int linear = strstr(cases[c].spec, "linear") != NULL;
            size_t puts = probability ? 0 : linear ? 1 : 3;
            size_t hits = probability ? 0 : linear ? 2 : 3;
            cr_expect_eq(cache.puts, puts, "%s %s: %zu puts", cases[c].data, cases[c].spec,
                         cache.puts);
            cr_expect_eq(cache.hits, hits, "%s %s: %zu hits", cases[c].data, cases[c].spec,
                         cache.hits);
            cr_expect_eq(cache.n, puts);
            /* the plain model predicted densely is the same too */
            tt_predict(&h, m0, &xva, d.task, d.k, &p);
            snprintf(what, sizeof what, "%s %s fold %zu, no cache, dense", cases[c].data,
                     cases[c].spec, f);
            expect_same_predictions(&ref, &p, what);
            tune_predictions_release(&p);
            tune_predictions_release(&ref);
            S->free_model(m0);
            cache_clear(&cache);
            free(xtr.data);
            free(xva.data);
            free(ytr);
            free(yva);
        }
        lt_free(&d);
    }
}

Test(svm, a_row_that_is_not_finite_is_predicted_by_libsvm_itself)
{
    /* inf x 0 is NaN in a dense dot product; LIBSVM leaves the 0 out */
    struct lt_data d;
    lt_load("breast_cancer", &d);
    static const char *const specs[] = {"kernel=linear", "-", "kernel=sigmoid,gamma=0.01"};
    for (size_t s = 0; s < 3; s++) {
        struct tt_hp h;
        tt_hp_init(&h, S);
        lt_apply(&h, specs[s]);
        struct tune_fit_ctx ctx = {.task = d.task, .n_classes = 2, .seed = 5, .n_threads = 1};
        void *m = tt_fit_ctx(&h, &d.x, d.y, &ctx);
        struct tune_matrix row = {1, d.x.n_cols, calloc(d.x.n_cols, sizeof(double))};
        row.data[3] = INFINITY;
        row.data[7] = 0.5;
        struct tune_predictions a, b;
        struct tune_error err = {0};
        cr_assert_eq(tune_predictions_init(&a, d.task, 1, 2, 1, &err), 0);
        cr_assert_eq(tune_predictions_init(&b, d.task, 1, 2, 1, &err), 0);
        int ra = S->predict(m, &row, &a, &err);
        int rb = tune_svm_predict_libsvm(m, &row, &b, &err);
        cr_expect_eq(ra, rb, "%s: %d, %d", specs[s], ra, rb);
        if (ra == TUNE_OK)
            expect_same_predictions(&b, &a, specs[s]);
        tune_predictions_release(&a);
        tune_predictions_release(&b);
        free(row.data);
        S->free_model(m);
    }
    lt_free(&d);
}

Test(svm, past_2000_training_rows_the_fit_keeps_nothing_in_the_cache)
{
    /* 2001 rows: n (n + 2) nodes of the kernel matrix would pass 61 MiB */
    size_t n = 2001;
    struct tune_matrix x = {n, 1, malloc(n * sizeof(double))};
    double *y = malloc(n * sizeof *y);
    for (size_t i = 0; i < n; i++) {
        x.data[i] = (double)i / (double)n;
        y[i] = x.data[i] > 0.5;
    }
    struct tt_hp h;
    tt_hp_init(&h, S);
    tt_hp_choose(&h, "kernel", "linear");
    struct fold_cache cache = {.max_bytes = SIZE_MAX};
    struct tune_fit_ctx ctx = {.task = TUNE_TASK_BINARY, .n_classes = 2, .seed = 5,
                               .n_threads = 1, .cache_find = cache_find,
                               .cache_put = cache_put, .cache_arg = &cache};
    void *m = tt_fit_ctx(&h, &x, y, &ctx);
    cr_expect_eq(cache.finds + cache.puts, 0u);
    S->free_model(m);
    x.n_rows = 2000;
    m = tt_fit_ctx(&h, &x, y, &ctx);
    cr_expect_eq(cache.puts, 1u, "2000 rows: the dot products are kept");
    S->free_model(m);
    cache_clear(&cache);
    free(x.data);
    free(y);
}
