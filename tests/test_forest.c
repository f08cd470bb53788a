/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_forest.c — the `forest` trainer: reproducible for a seed whatever
 * the thread count, a forest without randomness is its one tree, the
 * out-of-bag and validation values reported every 10 trees, early stop,
 * importances, missing values, errors. */
#include "tree_testutil.h"

static const struct tune_trainer_type *const F = &tune_trainer_forest;

enum { N = 240, D = 5 };

/* Two informative columns (a noisy XOR-free boundary), three of noise. */
static void make_data(double *x, double *y, size_t n, uint64_t seed)
{
    uint64_t s = seed;
    for (size_t i = 0; i < n * D; i++)
        x[i] = 4 * tt_uniform(&s) - 2;
    for (size_t i = 0; i < n; i++) {
        double v = x[i] + 0.7 * x[n + i] + 0.4 * (tt_uniform(&s) - 0.5);
        y[i] = v > 0.3 ? 1 : 0;
    }
}

static struct tune_predictions run(struct tt_hp *h, const struct tune_matrix *x, const double *y,
                                   const struct tune_matrix *probe, uint64_t seed,
                                   size_t threads)
{
    struct tune_fit_ctx ctx = tt_ctx(TUNE_TASK_BINARY, 2, seed);
    ctx.n_threads = threads;
    void *m = tt_fit(h, x, y, &ctx);
    struct tune_predictions p;
    tt_predict(h, m, probe, TUNE_TASK_BINARY, 2, &p);
    F->free_model(m);
    return p;
}

Test(forest, declares_its_hyperparameters_with_sklearn_defaults)
{
    static const char *const names[] = {
        "n_estimators", "criterion", "max_depth", "min_samples_split", "min_samples_leaf",
        "max_features", "max_features_fraction", "bootstrap", "max_samples", "oob_score",
        "n_threads"};
    static const double defs[] = {100, 0, 0, 2, 1, 0, 1.0, 1, 1.0, 0, 0};
    cr_assert_eq(F->n_hparams, 11);
    cr_assert_str_eq(F->name, "forest");
    for (size_t i = 0; i < 11; i++) {
        cr_assert_str_eq(F->hparams[i].name, names[i]);
        cr_assert_eq(F->hparams[i].def, defs[i], "%s", names[i]);
        cr_assert(tune_hparam_accepts(&F->hparams[i], defs[i]), "%s", names[i]);
    }
    cr_assert_str_eq(F->hparams[5].choices[0], "auto");
}

Test(forest, a_seed_gives_the_same_forest_whatever_the_thread_count)
{
    double x[N * D], y[N], probe[N * D], yp[N];
    make_data(x, y, N, 1);
    make_data(probe, yp, N, 2);
    struct tune_matrix m = tt_matrix(x, N, D), pm = tt_matrix(probe, N, D);
    struct tt_hp h;
    tt_hp_init(&h, F);
    tt_set(&h, "n_estimators", 23);
    struct tune_predictions p1 = run(&h, &m, y, &pm, 5, 1);
    struct tune_predictions p2 = run(&h, &m, y, &pm, 5, 2);
    tt_set(&h, "n_threads", 3);
    struct tune_predictions p3 = run(&h, &m, y, &pm, 5, 1);
    struct tune_predictions p4 = run(&h, &m, y, &pm, 6, 1);
    cr_assert_arr_eq(p1.proba, p2.proba, 2 * N * sizeof(double));
    cr_assert_arr_eq(p1.proba, p3.proba, 2 * N * sizeof(double));
    cr_assert(memcmp(p1.proba, p4.proba, 2 * N * sizeof(double)) != 0,
              "another seed grows another forest");
    tune_predictions_release(&p1);
    tune_predictions_release(&p2);
    tune_predictions_release(&p3);
    tune_predictions_release(&p4);
}

Test(forest, without_bootstrap_or_feature_draws_every_tree_is_the_single_tree)
{
    double x[N * D], y[N], probe[N * D], yp[N];
    make_data(x, y, N, 3);
    make_data(probe, yp, N, 4);
    struct tune_matrix m = tt_matrix(x, N, D), pm = tt_matrix(probe, N, D);
    struct tt_hp h;
    tt_hp_init(&h, F);
    tt_set(&h, "n_estimators", 7);
    tt_set(&h, "bootstrap", 0);
    tt_choose(&h, "max_features", "all");
    tt_set(&h, "max_depth", 4);
    struct tune_predictions pf = run(&h, &m, y, &pm, 9, 2);
    struct tt_hp ht;
    tt_hp_init(&ht, &tune_trainer_tree);
    tt_set(&ht, "max_depth", 4);
    struct tune_fit_ctx ctx = tt_ctx(TUNE_TASK_BINARY, 2, 1);
    void *tree = tt_fit(&ht, &m, y, &ctx);
    struct tune_predictions pt;
    tt_predict(&ht, tree, &pm, TUNE_TASK_BINARY, 2, &pt);
    for (size_t i = 0; i < 2 * N; i++)
        assert_close(pf.proba[i], pt.proba[i], 1e-15);
    tune_predictions_release(&pf);
    tune_predictions_release(&pt);
    tune_trainer_tree.free_model(tree);
}

struct log {
    size_t n, stop_at;
    size_t step[64];
    double value[64];
};

static int record(void *arg, size_t step, double value)
{
    struct log *l = arg;
    if (l->n < 64) {
        l->step[l->n] = step;
        l->value[l->n] = value;
    }
    l->n++;
    return l->stop_at && step >= l->stop_at;
}

Test(forest, reports_the_out_of_bag_error_every_ten_trees)
{
    double x[N * D], y[N];
    make_data(x, y, N, 5);
    struct tune_matrix m = tt_matrix(x, N, D);
    struct tt_hp h;
    tt_hp_init(&h, F);
    tt_set(&h, "n_estimators", 35);
    tt_set(&h, "oob_score", 1);
    struct log l = {0};
    struct tune_fit_ctx ctx = tt_ctx(TUNE_TASK_BINARY, 2, 3);
    ctx.report = record;
    ctx.report_arg = &l;
    void *model = tt_fit(&h, &m, y, &ctx);
    static const size_t steps[4] = {10, 20, 30, 35};
    cr_assert_eq(l.n, 4);
    for (size_t i = 0; i < 4; i++) {
        cr_assert_eq(l.step[i], steps[i]);
        cr_assert(l.value[i] >= 0 && l.value[i] < 0.2, "oob error %g", l.value[i]);
    }
    F->free_model(model);
}

Test(forest, reports_the_validation_log_loss_and_stops_when_asked)
{
    double x[N * D], y[N], xv[N * D], yv[N];
    make_data(x, y, N, 6);
    make_data(xv, yv, N, 7);
    struct tune_matrix m = tt_matrix(x, N, D), mv = tt_matrix(xv, N, D);
    struct tt_hp h;
    tt_hp_init(&h, F);
    tt_set(&h, "n_estimators", 50);
    struct log l = {.stop_at = 20};
    struct tune_fit_ctx ctx = tt_ctx(TUNE_TASK_BINARY, 2, 3);
    ctx.report = record;
    ctx.report_arg = &l;
    ctx.x_valid = &mv;
    ctx.y_valid = yv;
    void *stopped = tt_fit(&h, &m, y, &ctx);
    cr_assert_eq(l.n, 2, "reported %zu values", l.n);
    cr_assert_eq(l.step[1], 20);
    cr_assert(l.value[1] > 0 && l.value[1] < 1, "log-loss %g", l.value[1]);

    /* The stopped forest is the 20-tree forest of the same seed. */
    tt_set(&h, "n_estimators", 20);
    struct tune_fit_ctx plain = tt_ctx(TUNE_TASK_BINARY, 2, 3);
    void *twenty = tt_fit(&h, &m, y, &plain);
    struct tune_predictions a, b;
    tt_predict(&h, stopped, &mv, TUNE_TASK_BINARY, 2, &a);
    tt_predict(&h, twenty, &mv, TUNE_TASK_BINARY, 2, &b);
    cr_assert_arr_eq(a.proba, b.proba, 2 * N * sizeof(double));
    /* Its validation log-loss is the one reported at step 20. */
    double ll = 0;
    for (size_t i = 0; i < N; i++) {
        double p = a.proba[2 * i + (size_t)yv[i]];
        ll -= log(p < 1e-15 ? 1e-15 : p);
    }
    assert_close(ll / N, l.value[1], 1e-12);
    tune_predictions_release(&a);
    tune_predictions_release(&b);
    F->free_model(stopped);
    F->free_model(twenty);
}

Test(forest, importances_sum_to_one_and_favour_the_informative_columns)
{
    double x[N * D], y[N];
    make_data(x, y, N, 8);
    struct tune_matrix m = tt_matrix(x, N, D);
    struct tt_hp h;
    tt_hp_init(&h, F);
    tt_set(&h, "n_estimators", 30);
    struct tune_fit_ctx ctx = tt_ctx(TUNE_TASK_BINARY, 2, 3);
    void *model = tt_fit(&h, &m, y, &ctx);
    double imp[D];
    assert_close(tt_importances(&h, model, imp, D), 1.0, 1e-12);
    for (size_t j = 2; j < D; j++)
        cr_assert_gt(imp[0], imp[j], "column 0 beats noise column %zu", j);
    cr_assert_gt(imp[1], imp[4]);
    F->free_model(model);
}

Test(forest, regression_averages_the_trees)
{
    double x[N * D], y[N];
    make_data(x, y, N, 9);
    for (size_t i = 0; i < N; i++)
        y[i] = 3.25 * x[i] - x[N + i];
    struct tune_matrix m = tt_matrix(x, N, D);
    struct tt_hp h;
    tt_hp_init(&h, F);
    tt_set(&h, "n_estimators", 40);
    tt_set(&h, "max_samples", 0.5);
    tt_set(&h, "oob_score", 1);
    struct log l = {0};
    struct tune_fit_ctx ctx = tt_ctx(TUNE_TASK_REGRESSION, 0, 3);
    ctx.report = record;
    ctx.report_arg = &l;
    void *model = tt_fit(&h, &m, y, &ctx);
    struct tune_predictions p;
    tt_predict(&h, model, &m, TUNE_TASK_REGRESSION, 0, &p);
    double sse = 0, sst = 0;
    for (size_t i = 0; i < N; i++) {
        sse += (p.value[i] - y[i]) * (p.value[i] - y[i]);
        sst += y[i] * y[i];
    }
    cr_assert_lt(sse / sst, 0.05, "training R^2 above 0.95");
    cr_assert_eq(l.n, 4);
    cr_assert(l.value[3] > 0 && l.value[3] < 0.25 * sst / N, "oob mse %g", l.value[3]);
    tune_predictions_release(&p);
    F->free_model(model);
}

Test(forest, rows_with_missing_values_are_predicted)
{
    double x[N * D], y[N];
    make_data(x, y, N, 10);
    for (size_t i = 0; i < N; i += 7)
        x[i] = NAN;
    struct tune_matrix m = tt_matrix(x, N, D);
    struct tt_hp h;
    tt_hp_init(&h, F);
    tt_set(&h, "n_estimators", 10);
    struct tune_fit_ctx ctx = tt_ctx(TUNE_TASK_BINARY, 2, 3);
    void *model = tt_fit(&h, &m, y, &ctx);
    struct tune_predictions p;
    tt_predict(&h, model, &m, TUNE_TASK_BINARY, 2, &p);
    for (size_t i = 0; i < N; i++)
        assert_close(p.proba[2 * i] + p.proba[2 * i + 1], 1.0, 1e-12);
    tune_predictions_release(&p);
    F->free_model(model);
}

Test(forest, oob_score_without_bootstrap_is_refused)
{
    struct tt_hp h;
    tt_hp_init(&h, F);
    tt_set(&h, "oob_score", 1);
    tt_set(&h, "bootstrap", 0);
    struct tune_error err = {0};
    cr_assert_eq(F->check(&h.params, &err), TUNE_EINVAL);
    cr_assert(strstr(err.msg, "oob_score needs bootstrap"), "%s", err.msg);
    tt_hp_init(&h, F);
    tt_set(&h, "n_estimators", 0);
    cr_assert_eq(F->check(&h.params, &err), TUNE_EINVAL);
    cr_assert(strstr(err.msg, "forest: n_estimators"), "%s", err.msg);
}

Test(forest, a_cancel_request_stops_the_fit_with_an_error)
{
    double x[N * D], y[N];
    make_data(x, y, N, 11);
    struct tune_matrix m = tt_matrix(x, N, D);
    struct tt_hp h;
    tt_hp_init(&h, F);
    static volatile sig_atomic_t stop = 1;
    struct tune_fit_ctx ctx = tt_ctx(TUNE_TASK_BINARY, 2, 3);
    ctx.cancel = &stop;
    struct tune_error err = {0};
    cr_assert_eq(tt_fit_fails(&h, &m, y, &ctx, &err), TUNE_ETRAINER);
    cr_assert(strstr(err.msg, "forest: interrupted"), "%s", err.msg);
}
