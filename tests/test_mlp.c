/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_mlp.c — the `mlp` trainer and its backpropagation.
 *
 * The gradient of every loss (identity, logistic, softmax outputs; relu,
 * tanh, sigmoid hidden units; l2; dropout with a fixed mask) is checked
 * against central finite differences of the loss itself; training is
 * checked by learning XOR, by reproducibility for a seed, by the per-epoch
 * intermediate values and by early stopping.  Quality against
 * scikit-learn's MLPClassifier is measured in bench/bench_models.py. */
#include "testutil.h"
#include "trainer_testutil.h"
#include "../trainers/mlp_net.h"

#include <gsl/gsl_rng.h>

/* ---- gradients ---- */

/* A 3-input net with hidden layers 4 and 3 and k outputs, random weights. */
static void small_net(struct mlp_net *net, enum mlp_activation act, enum mlp_output out,
                      size_t k, gsl_rng *rng)
{
    memset(net, 0, sizeof *net);
    net->n_layers = 3;
    net->units[0] = 3;
    net->units[1] = 4;
    net->units[2] = 3;
    net->units[3] = k;
    net->activation = act;
    net->output = out;
    net->n_params = tune_mlp_weight_offset(net, 4);
    cr_assert_eq(net->n_params, 3 * 4 + 4 + 4 * 3 + 3 + 3 * k + k);
    net->params = malloc(net->n_params * sizeof(double));
    for (size_t i = 0; i < net->n_params; i++)
        net->params[i] = gsl_rng_uniform(rng) * 1.6 - 0.8;
}

static void check_gradient(enum mlp_activation act, enum mlp_output out, double dropout)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 17 + (unsigned long)act * 3 + (unsigned long)out);
    size_t k = out == MLP_OUT_SOFTMAX ? 3 : 1, b = 5;
    struct mlp_net net;
    small_net(&net, act, out, k, rng);
    double x[15], y[15];
    for (size_t i = 0; i < 15; i++)
        x[i] = gsl_rng_uniform(rng) * 4 - 2;
    for (size_t i = 0; i < b; i++) {
        if (out == MLP_OUT_IDENTITY)
            y[i] = gsl_rng_uniform(rng) * 3 - 1;
        else if (out == MLP_OUT_LOGISTIC)
            y[i] = (double)(i % 2);
        else
            for (size_t c = 0; c < k; c++)
                y[i * k + c] = c == (i * 7) % 3;
    }
    struct mlp_work w;
    cr_assert(tune_mlp_work_init(&w, &net, b));
    for (size_t l = 1; l < 3; l++)
        for (size_t i = 0; i < b * net.units[l]; i++)
            w.mask[l][i] = dropout > 0 ? gsl_rng_uniform(rng) >= dropout : 1;
    double *g = malloc(net.n_params * sizeof *g), *scratch = malloc(net.n_params * sizeof *g);
    double l2 = 0.37;
    tune_mlp_loss_grad(&net, x, y, b, l2, dropout, &w, g);
    for (size_t i = 0; i < net.n_params; i++) {
        double keep = net.params[i], h = 1e-6;
        net.params[i] = keep + h;
        double up = tune_mlp_loss_grad(&net, x, y, b, l2, dropout, &w, scratch);
        net.params[i] = keep - h;
        double down = tune_mlp_loss_grad(&net, x, y, b, l2, dropout, &w, scratch);
        net.params[i] = keep;
        double fd = (up - down) / (2 * h);
        cr_assert(fabs(fd - g[i]) <= 1e-7 * fmax(1.0, fabs(g[i])),
                  "activation %d, output %d, dropout %g: parameter %zu: analytic %.12g, finite "
                  "difference %.12g", (int)act, (int)out, dropout, i, g[i], fd);
    }
    free(g);
    free(scratch);
    free(net.params);
    tune_mlp_work_release(&w);
    gsl_rng_free(rng);
}

Test(mlp, analytic_gradients_match_finite_differences_for_every_activation_and_output)
{
    enum mlp_activation acts[3] = {MLP_RELU, MLP_TANH, MLP_SIGMOID};
    enum mlp_output outs[3] = {MLP_OUT_IDENTITY, MLP_OUT_LOGISTIC, MLP_OUT_SOFTMAX};
    for (size_t a = 0; a < 3; a++)
        for (size_t o = 0; o < 3; o++)
            check_gradient(acts[a], outs[o], 0.0);
}

Test(mlp, gradients_with_a_dropout_mask_match_finite_differences)
{
    check_gradient(MLP_TANH, MLP_OUT_SOFTMAX, 0.3);
    check_gradient(MLP_RELU, MLP_OUT_IDENTITY, 0.5);
    check_gradient(MLP_SIGMOID, MLP_OUT_LOGISTIC, 0.2);
}

Test(mlp, the_loss_is_sklearns_with_its_l2_term)
{
    /* one layer, one output: loss = (1/2B) sum (y - xw - b)^2 + (l2/2B) w^2 */
    struct mlp_net net = {.n_layers = 1, .units = {1, 1}, .output = MLP_OUT_IDENTITY,
                          .n_params = 2};
    double params[2] = {1.5, -0.25};
    net.params = params;
    double x[3] = {1, 2, -1}, y[3] = {1, 3, 0.5}, g[2];
    struct mlp_work w;
    cr_assert(tune_mlp_work_init(&w, &net, 3));
    double loss = tune_mlp_loss_grad(&net, x, y, 3, 0.8, 0, &w, g);
    /* predictions 1.25, 2.75, -1.75: p - y = 0.25, -0.25, -2.25 */
    double want = (0.0625 + 0.0625 + 5.0625) / 6 + 0.8 * 2.25 / 6;
    assert_close(loss, want, 1e-15);
    assert_close(g[0], (0.25 * 1 - 0.25 * 2 - 2.25 * -1) / 3 + 0.8 * 1.5 / 3, 1e-15);
    assert_close(g[1], (0.25 - 0.25 - 2.25) / 3, 1e-15);   /* the bias: no penalty */
    tune_mlp_work_release(&w);
}

/* ---- training ---- */

static const double xor_x[8] = {0, 0, 1, 1, 0, 1, 0, 1};
static const double xor_y[4] = {0, 1, 1, 0};

static void xor_params(struct tt_hp *h)
{
    tt_hp_init(h, &tune_trainer_mlp);
    tt_hp_choose(h, "hidden_layers", "16");
    tt_hp_choose(h, "activation", "tanh");
    tt_hp_set(h, "learning_rate", 0.05);
    tt_hp_set(h, "batch_size", 4);
    tt_hp_set(h, "epochs", 600);
    tt_hp_set(h, "tol", 0);
    tt_hp_set(h, "l2", 0);
}

static void check_xor(const struct tt_hp *h, uint64_t seed)
{
    struct tune_matrix x = {4, 2, (double *)xor_x};
    void *m = tt_fit(h, &x, xor_y, TUNE_TASK_BINARY, 2, seed);
    struct tune_predictions p;
    tt_predict(h, m, &x, TUNE_TASK_BINARY, 2, &p);
    for (size_t i = 0; i < 4; i++) {
        cr_assert_eq(p.label[i], (int)xor_y[i], "seed %d, row %zu: label %d", (int)seed, i,
                     p.label[i]);
        cr_assert_gt(p.proba[i * 2 + (size_t)xor_y[i]], 0.9, "row %zu: p = %g", i,
                     p.proba[i * 2 + (size_t)xor_y[i]]);
        assert_close(p.proba[i * 2] + p.proba[i * 2 + 1], 1.0, 1e-15);
    }
    tune_predictions_release(&p);
    tune_trainer_mlp.free_model(m);
}

Test(mlp, adam_learns_xor)
{
    struct tt_hp h;
    xor_params(&h);
    for (uint64_t seed = 1; seed <= 3; seed++)
        check_xor(&h, seed);
}

Test(mlp, sgd_with_nesterov_momentum_and_relu_with_he_weights_learn_xor)
{
    struct tt_hp h;
    xor_params(&h);
    tt_hp_choose(&h, "optimizer", "sgd");
    tt_hp_set(&h, "learning_rate", 0.1);
    check_xor(&h, 4);
    xor_params(&h);
    tt_hp_choose(&h, "activation", "relu");
    tt_hp_choose(&h, "init", "he");
    tt_hp_choose(&h, "hidden_layers", "32,16");
    tt_hp_set(&h, "learning_rate", 0.02);
    check_xor(&h, 5);
}

static struct tune_matrix iris_standardised(double **y)
{
    struct tune_matrix m = tt_read_csv("data/iris.csv");
    *y = tt_split_target(&m);
    tt_standardise(&m);
    return m;
}

/* Probabilities of the iris rows after a fit with `h` and `ctx`. */
static double *iris_proba(const struct tt_hp *h, const struct tune_fit_ctx *ctx)
{
    double *y;
    struct tune_matrix x = iris_standardised(&y);
    void *m = tt_fit_ctx(h, &x, y, ctx);
    struct tune_predictions p;
    tt_predict(h, m, &x, TUNE_TASK_MULTICLASS, 3, &p);
    double *out = malloc(450 * sizeof *out);
    memcpy(out, p.proba, 450 * sizeof *out);
    tune_predictions_release(&p);
    tune_trainer_mlp.free_model(m);
    free(x.data);
    free(y);
    return out;
}

Test(mlp, a_fit_is_reproducible_for_a_seed_and_changes_with_it)
{
    struct tt_hp h;
    tt_hp_init(&h, &tune_trainer_mlp);
    tt_hp_choose(&h, "hidden_layers", "32,16");
    tt_hp_set(&h, "epochs", 30);
    tt_hp_set(&h, "batch_size", 16);
    tt_hp_set(&h, "dropout", 0.2);
    struct tune_fit_ctx ctx = {.task = TUNE_TASK_MULTICLASS, .n_classes = 3, .seed = 42,
                               .n_threads = 1};
    double *a = iris_proba(&h, &ctx);
    ctx.n_threads = 4;   /* threads change nothing */
    double *b = iris_proba(&h, &ctx);
    ctx.seed = 43;
    double *c = iris_proba(&h, &ctx);
    cr_assert_arr_eq(a, b, 450 * sizeof *a);
    cr_assert(memcmp(a, c, 450 * sizeof *a) != 0, "another seed gave the same model");
    free(a);
    free(b);
    free(c);
}

struct reports {
    size_t n, stop_at;
    size_t steps[400];
    double values[400];
};

static int record(void *arg, size_t step, double value)
{
    struct reports *r = arg;
    if (r->n < 400) {
        r->steps[r->n] = step;
        r->values[r->n] = value;
    }
    r->n++;
    return r->stop_at && r->n >= r->stop_at;
}

Test(mlp, every_epoch_reports_the_validation_log_loss)
{
    double *y;
    struct tune_matrix all = iris_standardised(&y);
    /* even rows train, odd rows validate */
    struct tune_matrix tr = {75, 4, malloc(300 * sizeof(double))};
    struct tune_matrix va = {75, 4, malloc(300 * sizeof(double))};
    double ytr[75], yva[75];
    for (size_t i = 0; i < 150; i++) {
        struct tune_matrix *dst = i % 2 ? &va : &tr;
        for (size_t j = 0; j < 4; j++)
            dst->data[j * 75 + i / 2] = all.data[j * 150 + i];
        (i % 2 ? yva : ytr)[i / 2] = y[i];
    }
    struct tt_hp h;
    tt_hp_init(&h, &tune_trainer_mlp);
    tt_hp_set(&h, "epochs", 40);
    tt_hp_set(&h, "batch_size", 25);
    tt_hp_set(&h, "tol", 0);
    struct reports r = {0};
    struct tune_fit_ctx ctx = {.task = TUNE_TASK_MULTICLASS, .n_classes = 3, .seed = 9,
                               .n_threads = 1, .report = record, .report_arg = &r,
                               .x_valid = &va, .y_valid = yva};
    void *m = tt_fit_ctx(&h, &tr, ytr, &ctx);
    cr_assert_eq(r.n, 40);
    for (size_t i = 0; i < 40; i++)
        cr_assert_eq(r.steps[i], i + 1);
    cr_assert_lt(r.values[39], r.values[0], "the validation loss should fall while learning");
    /* the last value is the log-loss of the final model's probabilities */
    struct tune_predictions p;
    tt_predict(&h, m, &va, TUNE_TASK_MULTICLASS, 3, &p);
    double ll = 0;
    for (size_t i = 0; i < 75; i++)
        ll -= log(p.proba[i * 3 + (size_t)yva[i]]) / 75;
    assert_close(r.values[39], ll, 1e-12);
    tune_predictions_release(&p);
    tune_trainer_mlp.free_model(m);

    /* a non-zero return stops training after that epoch, still a model */
    struct reports s = {.stop_at = 7};
    ctx.report_arg = &s;
    m = tt_fit_ctx(&h, &tr, ytr, &ctx);
    cr_assert_eq(s.n, 7);
    tune_trainer_mlp.free_model(m);
    free(tr.data);
    free(va.data);
    free(all.data);
    free(y);
}

Test(mlp, early_stopping_ends_training_when_the_held_out_score_stalls)
{
    double *y;
    struct tune_matrix x = iris_standardised(&y);
    struct tt_hp h;
    tt_hp_init(&h, &tune_trainer_mlp);
    tt_hp_set(&h, "epochs", 2000);
    tt_hp_set(&h, "batch_size", 32);
    tt_hp_set(&h, "learning_rate", 0.01);
    tt_hp_set(&h, "early_stopping", 1);
    tt_hp_set(&h, "validation_fraction", 0.2);
    tt_hp_set(&h, "n_iter_no_change", 5);
    struct reports r = {0};
    struct tune_fit_ctx ctx = {.task = TUNE_TASK_MULTICLASS, .n_classes = 3, .seed = 2,
                               .n_threads = 1, .report = record, .report_arg = &r};
    void *m = tt_fit_ctx(&h, &x, y, &ctx);
    cr_assert(r.n > 6 && r.n < 2000, "ran %zu epochs", r.n);
    struct tune_predictions p;
    tt_predict(&h, m, &x, TUNE_TASK_MULTICLASS, 3, &p);
    size_t right = 0;
    for (size_t i = 0; i < 150; i++)
        right += p.label[i] == (int)y[i];
    cr_assert_gt(right, 135, "%zu of 150 right", right);
    tune_predictions_release(&p);
    tune_trainer_mlp.free_model(m);
    free(x.data);
    free(y);
}

Test(mlp, regression_fits_diabetes)
{
    struct tune_matrix x = tt_read_csv("data/diabetes.csv");
    double *y = tt_split_target(&x);
    tt_standardise(&x);
    double mean = 0, sd = 0;
    for (size_t i = 0; i < 442; i++)
        mean += y[i] / 442;
    for (size_t i = 0; i < 442; i++)
        sd += (y[i] - mean) * (y[i] - mean) / 442;
    sd = sqrt(sd);
    for (size_t i = 0; i < 442; i++)
        y[i] = (y[i] - mean) / sd;
    struct tt_hp h;
    tt_hp_init(&h, &tune_trainer_mlp);
    tt_hp_choose(&h, "hidden_layers", "32");
    tt_hp_set(&h, "epochs", 150);
    tt_hp_set(&h, "batch_size", 32);
    tt_hp_set(&h, "learning_rate", 0.01);
    void *m = tt_fit(&h, &x, y, TUNE_TASK_REGRESSION, 0, 3);
    struct tune_predictions p;
    tt_predict(&h, m, &x, TUNE_TASK_REGRESSION, 0, &p);
    double ss = 0;
    for (size_t i = 0; i < 442; i++)
        ss += (y[i] - p.value[i]) * (y[i] - p.value[i]);
    double r2 = 1 - ss / 442;   /* y standardised: total sum of squares 442 */
    cr_assert(r2 > 0.5 && r2 < 0.95, "training R^2 %g", r2);
    tune_predictions_release(&p);
    tune_trainer_mlp.free_model(m);
    free(x.data);
    free(y);
}

/* ---- interface and errors ---- */

Test(mlp, declares_its_hyperparameters_with_sklearn_defaults)
{
    const struct tune_trainer_type *t = &tune_trainer_mlp;
    cr_assert_str_eq(t->name, "mlp");
    cr_assert_eq(t->tasks,
                 (unsigned)(TUNE_TASK_BINARY | TUNE_TASK_MULTICLASS | TUNE_TASK_REGRESSION));
    cr_assert_eq(tune_trainer_find("mlp"), t);
    const struct tune_hparam *hl = tt_hparam(t, "hidden_layers");
    cr_assert_str_eq(hl->choices[(size_t)hl->def], "100");
    size_t n = 0;
    int has_64_32 = 0;
    while (hl->choices[n])
        has_64_32 |= strcmp(hl->choices[n++], "64,32") == 0;
    cr_assert(has_64_32);
    cr_assert_eq(hl->high, (double)(n - 1));
    const struct tune_hparam *act = tt_hparam(t, "activation");
    cr_assert_str_eq(act->choices[(size_t)act->def], "relu");
    cr_assert_str_eq(act->choices[1], "tanh");
    cr_assert_str_eq(act->choices[2], "sigmoid");
    const struct tune_hparam *opt = tt_hparam(t, "optimizer");
    cr_assert_str_eq(opt->choices[(size_t)opt->def], "adam");
    cr_assert_str_eq(opt->choices[1], "sgd");
    cr_assert_eq(tt_hparam(t, "learning_rate")->def, 1e-3);
    cr_assert_eq(tt_hparam(t, "batch_size")->def, 200);
    cr_assert_eq(tt_hparam(t, "epochs")->def, 200);
    cr_assert_eq(tt_hparam(t, "l2")->def, 1e-4);
    cr_assert_eq(tt_hparam(t, "dropout")->def, 0);
    const struct tune_hparam *init = tt_hparam(t, "init");
    cr_assert_str_eq(init->choices[(size_t)init->def], "xavier");
    cr_assert_str_eq(init->choices[1], "he");
    cr_assert_eq(tt_hparam(t, "early_stopping")->type, TUNE_PARAM_BOOL);
    cr_assert_eq(tt_hparam(t, "validation_fraction")->def, 0.1);
    cr_assert_eq(tt_hparam(t, "n_iter_no_change")->def, 10);
    cr_assert_eq(tt_hparam(t, "momentum")->def, 0.9);
    cr_assert_eq(tt_hparam(t, "nesterov")->def, 1);
    for (size_t i = 0; i < t->n_hparams; i++)
        cr_assert(tune_hparam_accepts(&t->hparams[i], t->hparams[i].def), "%s default",
                  t->hparams[i].name);
}

Test(mlp, refuses_clustering_missing_values_and_out_of_range_dropout)
{
    struct tune_matrix x = {4, 2, (double *)xor_x};
    struct tt_hp h;
    tt_hp_init(&h, &tune_trainer_mlp);
    struct tune_error err = {0};
    cr_assert_eq(tt_fit_fails(&h, &x, xor_y, TUNE_TASK_CLUSTERING, 0, &err), TUNE_EINVAL);
    cr_assert_not_null(strstr(err.msg, "clustering"), "%s", err.msg);
    double bad[8];
    memcpy(bad, xor_x, sizeof bad);
    bad[5] = NAN;
    struct tune_matrix xb = {4, 2, bad};
    cr_assert_eq(tt_fit_fails(&h, &xb, xor_y, TUNE_TASK_BINARY, 2, &err), TUNE_EINVAL);
    cr_assert_not_null(strstr(err.msg, "row 1, column 1"), "%s", err.msg);
    tt_hp_set(&h, "dropout", 0.95);
    cr_assert_eq(tt_fit_fails(&h, &x, xor_y, TUNE_TASK_BINARY, 2, &err), TUNE_EINVAL);
    cr_assert_not_null(strstr(err.msg, "dropout"), "%s", err.msg);
}

Test(mlp, a_huge_learning_rate_fails_with_a_numeric_error)
{
    struct tune_matrix x = tt_read_csv("data/diabetes.csv");
    double *y = tt_split_target(&x);
    struct tt_hp h;
    tt_hp_init(&h, &tune_trainer_mlp);
    tt_hp_choose(&h, "optimizer", "sgd");
    tt_hp_choose(&h, "activation", "tanh");
    tt_hp_set(&h, "learning_rate", 10);
    tt_hp_set(&h, "epochs", 50);
    tt_hp_set(&h, "n_iter_no_change", 1000);   /* a rising loss would stop it first */
    struct tune_error err = {0};
    cr_assert_eq(tt_fit_fails(&h, &x, y, TUNE_TASK_REGRESSION, 0, &err), TUNE_ENUMERIC);
    cr_assert_not_null(strstr(err.msg, "learning_rate"), "%s", err.msg);
    free(x.data);
    free(y);
}

Test(mlp, the_cancel_flag_stops_the_fit_with_an_error)
{
    struct tune_matrix x = {4, 2, (double *)xor_x};
    struct tt_hp h;
    xor_params(&h);
    volatile sig_atomic_t stop = 1;
    struct tune_fit_ctx ctx = {.task = TUNE_TASK_BINARY, .n_classes = 2, .seed = 1,
                               .n_threads = 1, .cancel = &stop};
    void *model = NULL;
    struct tune_error err = {0};
    cr_assert_eq(tune_trainer_mlp.fit(&x, xor_y, &ctx, &h.params, &model, &err), TUNE_ETRAINER);
    cr_assert_null(model);
    cr_assert_not_null(strstr(err.msg, "interrupted"), "%s", err.msg);
}
