/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_xgboost.c — the `xgboost` trainer (XGBoost's C API): the Python
 * XGBoost 1.7 package's fold scores, feature importances and per-round
 * validation metric on the same folds (tests/data/libtrainers_ref.txt, from
 * bench/reference/libtrainers_ref.py), early stop on request and the
 * reporting cadence, cancellation, seeds, threads (the study's share, the
 * same model on any number), XGBoost's own errors as tunefold errors, and
 * hostile parameters. */
#include "libtrainer_testutil.h"

static const struct tune_trainer_type *const X = &tune_trainer_xgboost;

TestSuite(xgboost, .init = tu_watchdog);

Test(xgboost, declares_its_hyperparameters_with_xgboost_defaults)
{
    static const char *const names[] = {
        "n_estimators", "learning_rate", "max_depth", "max_leaves", "grow_policy",
        "min_child_weight", "subsample", "colsample_bytree", "reg_lambda", "reg_alpha", "gamma",
        "max_bin", "tree_method", "n_threads"};
    static const double defs[] = {100, 0.3, 6, 0, 0, 1, 1, 1, 1, 0, 0, 256, 0, 0};
    cr_assert_eq(X->n_hparams, 14);
    for (size_t i = 0; i < 14; i++) {
        cr_expect_str_eq(X->hparams[i].name, names[i]);
        cr_expect_eq(X->hparams[i].def, defs[i], "%s", names[i]);
    }
    cr_expect_str_eq(tt_hparam(X, "tree_method")->choices[0], "hist");
    cr_expect_str_eq(tt_hparam(X, "tree_method")->choices[2], "exact");
    cr_expect_str_eq(tt_hparam(X, "grow_policy")->choices[1], "lossguide");
    cr_expect_not_null(X->importances);
    cr_expect_eq(tune_trainer_find("xgboost"), X);
}

Test(xgboost, scores_importances_and_round_metrics_equal_python_xgboost)
{
    /* 9 configurations (hist, approx, exact, lossguide, sampling with seed
     * 7; binary, softprob, squared error) x 2 metrics x 5 folds, plus each
     * one's gain importances and fold 0's validation metric per round. */
    cr_assert_eq(lt_check_reference(X, 7, 1, 1e-6), 36);
}

static void *fit_with(struct tt_hp *h, const struct tune_matrix *x, const double *y,
                      struct tune_fit_ctx *ctx)
{
    return tt_fit_ctx(h, x, y, ctx);
}

static double *probabilities(struct tt_hp *h, void *model, const struct tune_matrix *x)
{
    struct tune_predictions p;
    tt_predict(h, model, x, TUNE_TASK_BINARY, 2, &p);
    double *out = malloc(x->n_rows * sizeof *out);
    for (size_t i = 0; i < x->n_rows; i++)
        out[i] = p.proba[2 * i + 1];
    tune_predictions_release(&p);
    X->free_model(model);
    return out;
}

Test(xgboost, a_nonzero_report_stops_with_the_rounds_so_far)
{
    struct lt_data d;
    lt_load("breast_cancer", &d);
    double *ytr, *yva;
    struct tune_matrix xtr = lt_rows(&d.x, d.y, 1, 0, &ytr), xva = lt_rows(&d.x, d.y, 1, 1, &yva);
    struct tt_hp h;
    tt_hp_init(&h, X);
    tt_hp_set(&h, "n_estimators", 40);
    struct lt_log log = {.stop_at = 5};
    struct tune_fit_ctx ctx = {.task = TUNE_TASK_BINARY, .n_classes = 2, .seed = 3,
                               .n_threads = 1, .report = lt_record, .report_arg = &log,
                               .x_valid = &xva, .y_valid = yva};
    double *stopped = probabilities(&h, fit_with(&h, &xtr, ytr, &ctx), &xva);
    cr_expect_eq(log.n, 5);
    cr_expect_eq(log.step[4], 5);
    /* The same as five rounds from the start. */
    tt_hp_set(&h, "n_estimators", 5);
    struct tune_fit_ctx plain = {.task = TUNE_TASK_BINARY, .n_classes = 2, .seed = 3,
                                 .n_threads = 1};
    double *five = probabilities(&h, fit_with(&h, &xtr, ytr, &plain), &xva);
    tt_hp_set(&h, "n_estimators", 6);
    double *six = probabilities(&h, fit_with(&h, &xtr, ytr, &plain), &xva);
    size_t differ = 0;
    for (size_t i = 0; i < xva.n_rows; i++) {
        cr_expect_eq(stopped[i], five[i], "row %zu", i);
        differ += five[i] != six[i];
    }
    cr_expect_gt(differ, 0);
    /* The last value reported is the validation log-loss of that model. */
    struct tune_predictions p = {.n = xva.n_rows, .n_classes = 2,
                                 .label = calloc(xva.n_rows, sizeof(int)),
                                 .proba = malloc(2 * xva.n_rows * sizeof(double))};
    for (size_t i = 0; i < xva.n_rows; i++) {
        p.proba[2 * i] = 1 - five[i];
        p.proba[2 * i + 1] = five[i];
    }
    assert_close(log.value[4], tune_metric_find("log_loss")->compute(yva, &p), 1e-6);
    free(p.label);
    free(p.proba);
    free(stopped);
    free(five);
    free(six);
    free(xtr.data);
    free(xva.data);
    free(ytr);
    free(yva);
    lt_free(&d);
}

Test(xgboost, reports_every_round_up_to_100_then_every_hundredth_and_the_last)
{
    struct lt_data d;
    lt_load("diabetes", &d);
    double *ytr, *yva;
    struct tune_matrix xtr = lt_rows(&d.x, d.y, 2, 0, &ytr), xva = lt_rows(&d.x, d.y, 2, 1, &yva);
    struct tt_hp h;
    tt_hp_init(&h, X);
    tt_hp_set(&h, "n_estimators", 250);
    tt_hp_set(&h, "max_depth", 2);
    struct lt_log log = {0};
    struct tune_fit_ctx ctx = {.task = TUNE_TASK_REGRESSION, .seed = 3, .n_threads = 1,
                               .report = lt_record, .report_arg = &log, .x_valid = &xva,
                               .y_valid = yva};
    X->free_model(fit_with(&h, &xtr, ytr, &ctx));
    /* ceil(250 / 100) = 3: rounds 3, 6, ..., 249, then 250. */
    cr_assert_eq(log.n, 84);
    for (size_t i = 0; i < 83; i++)
        cr_expect_eq(log.step[i], 3 * (i + 1));
    cr_expect_eq(log.step[83], 250);
    /* rmse: from about the spread of y down to the model's error. */
    cr_expect_gt(log.value[0], log.value[83]);
    cr_expect_gt(log.value[83], 40);
    cr_expect_lt(log.value[83], 80);
    free(xtr.data);
    free(xva.data);
    free(ytr);
    free(yva);
    lt_free(&d);
}

Test(xgboost, the_cancel_flag_fails_the_fit)
{
    struct lt_data d;
    lt_load("breast_cancer", &d);
    struct tt_hp h;
    tt_hp_init(&h, X);
    volatile sig_atomic_t cancel = 1;
    struct tune_fit_ctx ctx = {.task = TUNE_TASK_BINARY, .n_classes = 2, .seed = 3,
                               .n_threads = 1, .cancel = &cancel};
    struct tune_error err = {0};
    void *model = NULL;
    cr_expect_eq(X->fit(&d.x, d.y, &ctx, &h.params, &model, &err), TUNE_ETRAINER);
    cr_expect_null(model);
    cr_expect(strstr(err.msg, "interrupted after 0 rounds"), "%s", err.msg);
    lt_free(&d);
}

Test(xgboost, sampling_draws_from_the_trial_seed)
{
    struct lt_data d;
    lt_load("breast_cancer", &d);
    struct tt_hp h;
    tt_hp_init(&h, X);
    tt_hp_set(&h, "n_estimators", 20);
    tt_hp_set(&h, "subsample", 0.5);
    tt_hp_set(&h, "colsample_bytree", 0.5);
    double *p[3];
    uint64_t seeds[3] = {12, 12, 13};
    for (int r = 0; r < 3; r++) {
        struct tune_fit_ctx ctx = {.task = TUNE_TASK_BINARY, .n_classes = 2, .seed = seeds[r],
                                   .n_threads = 1};
        p[r] = probabilities(&h, fit_with(&h, &d.x, d.y, &ctx), &d.x);
    }
    size_t differ = 0;
    for (size_t i = 0; i < d.x.n_rows; i++) {
        cr_expect_eq(p[0][i], p[1][i]);
        differ += p[0][i] != p[2][i];
    }
    cr_expect_gt(differ, 0);
    for (int r = 0; r < 3; r++)
        free(p[r]);
    lt_free(&d);
}

Test(xgboost, the_model_is_the_same_on_one_thread_or_three)
{
    struct lt_data d;
    lt_load("breast_cancer", &d);
    static const char *const specs[] = {
        "tree_method=hist,subsample=0.7,colsample_bytree=0.8",
        "tree_method=approx,max_bin=32",
        "tree_method=exact",
        "grow_policy=lossguide,max_leaves=12,max_depth=0",
    };
    for (size_t s = 0; s < 4; s++) {
        double *p[2];
        for (int r = 0; r < 2; r++) {
            struct tt_hp h;
            tt_hp_init(&h, X);
            lt_apply(&h, specs[s]);
            tt_hp_set(&h, "n_estimators", 20);
            struct tune_fit_ctx ctx = {.task = TUNE_TASK_BINARY, .n_classes = 2, .seed = 4,
                                       .n_threads = r ? 3 : 1};
            p[r] = probabilities(&h, fit_with(&h, &d.x, d.y, &ctx), &d.x);
        }
        for (size_t i = 0; i < d.x.n_rows; i++)
            cr_expect_eq(p[0][i], p[1][i], "%s: row %zu", specs[s], i);
        free(p[0]);
        free(p[1]);
    }
    lt_free(&d);
}

static int threads_now(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    cr_assert_not_null(f);
    char line[256];
    int n = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "Threads: %d", &n) == 1)
            break;
    fclose(f);
    return n;
}

Test(xgboost, uses_the_threads_it_is_given_and_no_more)
{
    /* XGBoost's OpenMP runtime keeps its threads once started, so the
     * process's thread count shows the most XGBoost ever used (each test
     * runs in a fresh process). */
    struct lt_data d;
    lt_load("breast_cancer", &d);
    struct tt_hp h;
    tt_hp_init(&h, X);
    tt_hp_set(&h, "n_estimators", 3);
    int before = threads_now();
    /* The study's share is 4 cores, but n_threads = 1 says one. */
    tt_hp_set(&h, "n_threads", 1);
    struct tune_fit_ctx ctx = {.task = TUNE_TASK_BINARY, .n_classes = 2, .seed = 1,
                               .n_threads = 4};
    free(probabilities(&h, fit_with(&h, &d.x, d.y, &ctx), &d.x));
    cr_expect_eq(threads_now(), before);
    /* n_threads = 0: the study's share, 3 here. */
    tt_hp_set(&h, "n_threads", 0);
    ctx.n_threads = 3;
    free(probabilities(&h, fit_with(&h, &d.x, d.y, &ctx), &d.x));
    cr_expect_eq(threads_now(), before + 2);
    lt_free(&d);
}

Test(xgboost, hostile_parameters_are_errors_naming_them)
{
    struct lt_data d;
    lt_load("breast_cancer", &d);
    struct { const char *name; double value; } bad[] = {
        {"n_estimators", 0},     {"n_estimators", 2.5},   {"learning_rate", -0.1},
        {"learning_rate", 1.5},  {"max_depth", -1},       {"max_depth", 65},
        {"max_leaves", -3},      {"grow_policy", 2},      {"min_child_weight", -1},
        {"subsample", 0},        {"subsample", 1.01},     {"colsample_bytree", 0},
        {"reg_lambda", -1},      {"reg_alpha", NAN},      {"gamma", INFINITY},
        {"max_bin", 1},          {"tree_method", 3},      {"n_threads", -1},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct tt_hp h;
        tt_hp_init(&h, X);
        tt_hp_set(&h, bad[i].name, bad[i].value);
        struct tune_error err = {0};
        cr_expect_eq(tt_fit_fails(&h, &d.x, d.y, TUNE_TASK_BINARY, 2, &err), TUNE_EINVAL);
        char what[64];
        snprintf(what, sizeof what, "xgboost: %s:", bad[i].name);
        cr_expect(strstr(err.msg, what), "\"%s\" does not name %s", err.msg, bad[i].name);
        cr_expect_eq(X->check(&h.params, &err), TUNE_EINVAL);
    }
    lt_free(&d);
}

Test(xgboost, what_xgboost_refuses_comes_back_in_its_words)
{
    /* No column at all: XGBoost refuses to build the matrix
     * (XGBGetLastError), and the fit fails instead of aborting. */
    static const double y[4] = {0, 1, 0, 1};
    static double none[1];
    struct tune_matrix x = {4, 0, none};
    struct tt_hp h;
    tt_hp_init(&h, X);
    struct tune_error err = {0};
    cr_expect_eq(tt_fit_fails(&h, &x, y, TUNE_TASK_BINARY, 2, &err), TUNE_ETRAINER);
    /* Without XGBoost's "[hh:mm:ss] file.cc:line: " prefix and stack trace. */
    cr_expect(strstr(err.msg, "xgboost: building the matrix: Check failed") == err.msg, "%s",
              err.msg);
    cr_expect(strstr(err.msg, "at least 1 column"), "%s", err.msg);
    cr_expect_null(strstr(err.msg, "Stack trace"), "%s", err.msg);
    cr_expect_null(strchr(err.msg, '\n'));
}

Test(xgboost, predict_refuses_the_wrong_number_of_columns)
{
    struct lt_data d;
    lt_load("breast_cancer", &d);
    struct tt_hp h;
    tt_hp_init(&h, X);
    tt_hp_set(&h, "n_estimators", 2);
    struct tune_fit_ctx ctx = {.task = TUNE_TASK_BINARY, .n_classes = 2, .seed = 1,
                               .n_threads = 1};
    void *model = fit_with(&h, &d.x, d.y, &ctx);
    struct tune_matrix fewer = {d.x.n_rows, 3, d.x.data};
    struct tune_predictions p;
    struct tune_error err = {0};
    cr_assert_eq(tune_predictions_init(&p, TUNE_TASK_BINARY, d.x.n_rows, 2, 1, &err), TUNE_OK);
    cr_expect_eq(X->predict(model, &fewer, &p, &err), TUNE_EINVAL);
    cr_expect(strstr(err.msg, "3 columns to predict, model has 30"), "%s", err.msg);
    double imp[3];
    cr_expect_eq(X->importances(model, imp, 3, &err), TUNE_EINVAL);
    tune_predictions_release(&p);
    X->free_model(model);
    X->free_model(NULL);
    lt_free(&d);
}

Test(xgboost, the_compare_example_pairs_boosting_and_xgboost_on_the_same_folds)
{
    /* examples/breast_cancer_{boosting,xgboost}.json: one space, one seed,
     * one cv: the same points on the same folds, compared fold by fold. */
    char *dir = tu_tmpdir(), cmd[2048], *out = NULL, *errout = NULL;
    snprintf(cmd, sizeof cmd,
             "(%s run examples/breast_cancer_boosting.json --db %s/c.db --trials 2 --quiet && "
             "%s run examples/breast_cancer_xgboost.json --db %s/c.db --trials 2 --quiet && "
             "%s compare breast-cancer-boosting breast-cancer-xgboost --db %s/c.db --out %s/cmp)",
             tu_bin(), dir, tu_bin(), dir, tu_bin(), dir, dir);
    cr_assert_eq(tu_run(cmd, &out, &errout), 0, "%s", errout);
    cr_expect(strstr(out, "breast-cancer-boosting vs breast-cancer-xgboost: mean difference"),
              "%s", out);
    cr_expect(strstr(out, "(corrected t-test)"), "%s", out);
    free(out);
    free(errout);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_expect_eq(system(cmd), 0);
    free(dir);
}
