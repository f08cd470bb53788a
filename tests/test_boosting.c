/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_boosting.c — the `boosting` trainer: Newton leaf values and gains
 * computed by hand, the training loss falling round after round, missing
 * values routed by the learned default, the same model for any thread count,
 * early stop, leaf and bin limits, importances, softmax, errors. */
#include "tree_testutil.h"

#include "tunefold/dataset.h"
#include "trainers/tree_common.h"

#include <gsl/gsl_randist.h>

static const struct tune_trainer_type *const B = &tune_trainer_boosting;

struct log {
    size_t n, stop_at;
    size_t step[256];
    double value[256];
};

static int record(void *arg, size_t step, double value)
{
    struct log *l = arg;
    if (l->n < 256) {
        l->step[l->n] = step;
        l->value[l->n] = value;
    }
    l->n++;
    return l->stop_at && step >= l->stop_at;
}

/* A fit context that reports every intermediate value to l, scored on
 * the validation rows (xv, yv). */
static struct tune_fit_ctx logged_ctx(enum tune_task task, size_t k, uint64_t seed,
                                      struct log *l, const struct tune_matrix *xv,
                                      const double *yv)
{
    struct tune_fit_ctx ctx = tt_ctx(task, k, seed);
    ctx.report = record;
    ctx.report_arg = l;
    ctx.x_valid = xv;
    ctx.y_valid = yv;
    return ctx;
}

/* One round, one split, learning rate 1: the hand-computed stump. */
static void stump(struct tt_hp *h)
{
    tt_hp_init(h, B);
    tt_set(h, "n_estimators", 1);
    tt_set(h, "max_depth", 1);
    tt_set(h, "learning_rate", 1);
    tt_set(h, "min_child_weight", 0);
}

static const double sx[6] = {1, 2, 3, 4, 5, 6};
static const double sy[6] = {1.5, 2.25, 1.75, 9.5, 10.25, 9.75};

static void predict_stump(struct tt_hp *h, double *out2)
{
    struct tune_matrix m = tt_matrix(sx, 6, 1);
    struct tune_fit_ctx ctx = tt_ctx(TUNE_TASK_REGRESSION, 0, 1);
    void *model = tt_fit(h, &m, sy, &ctx);
    static const double probe[2] = {3.5, 3.5000001};
    struct tune_matrix pm = tt_matrix(probe, 2, 1);
    struct tune_predictions p;
    tt_predict(h, model, &pm, TUNE_TASK_REGRESSION, 0, &p);
    out2[0] = p.value[0];
    out2[1] = p.value[1];
    tune_predictions_release(&p);
    B->free_model(model);
}

Test(boosting, declares_its_hyperparameters_with_xgboost_defaults)
{
    static const char *const names[] = {
        "n_estimators", "learning_rate", "max_depth", "max_leaves", "min_child_weight",
        "reg_lambda", "reg_alpha", "gamma", "subsample", "colsample_bytree", "max_bins",
        "n_threads"};
    static const double defs[] = {100, 0.3, 6, 0, 1, 1, 0, 0, 1, 1, 256, 0};
    cr_assert_eq(B->n_hparams, 12);
    cr_assert_str_eq(B->name, "boosting");
    for (size_t i = 0; i < 12; i++) {
        cr_assert_str_eq(B->hparams[i].name, names[i]);
        cr_assert_eq(B->hparams[i].def, defs[i], "%s", names[i]);
        cr_assert(tune_hparam_accepts(&B->hparams[i], defs[i]), "%s", names[i]);
    }
}

Test(boosting, a_squared_error_stump_has_the_newton_leaf_values)
{
    /* Mean 35/6; left rows (x <= 3.5): G = 3 * 35/6 - 5.5 = 12, H = 3, so
     * w = -12 / (3 + lambda 1) = -3; right: G = -12, w = +3. */
    struct tt_hp h;
    stump(&h);
    double p[2];
    predict_stump(&h, p);
    assert_close(p[0], 35.0 / 6 - 3, 1e-6);
    assert_close(p[1], 35.0 / 6 + 3, 1e-6);

    /* reg_alpha 2 shrinks |G| by 2 first: w = -(12 - 2) / 4 = -2.5. */
    tt_set(&h, "reg_alpha", 2);
    predict_stump(&h, p);
    assert_close(p[0], 35.0 / 6 - 2.5, 1e-6);
    assert_close(p[1], 35.0 / 6 + 2.5, 1e-6);

    /* reg_lambda 0 and learning rate 0.5: w = -0.5 * 12 / 3 = -2. */
    stump(&h);
    tt_set(&h, "reg_lambda", 0);
    tt_set(&h, "learning_rate", 0.5);
    predict_stump(&h, p);
    assert_close(p[0], 35.0 / 6 - 2, 1e-6);
    assert_close(p[1], 35.0 / 6 + 2, 1e-6);
}

Test(boosting, gamma_keeps_a_split_only_when_its_gain_is_larger)
{
    /* Gain of the stump: 12^2/4 + 12^2/4 - 0^2/7 = 72. */
    struct tt_hp h;
    stump(&h);
    double p[2];
    tt_set(&h, "gamma", 71.99);
    predict_stump(&h, p);
    assert_close(p[0], 35.0 / 6 - 3, 1e-6);
    tt_set(&h, "gamma", 72.01);
    predict_stump(&h, p);
    assert_close(p[0], 35.0 / 6, 1e-6);
    assert_close(p[1], 35.0 / 6, 1e-6);
    /* min_child_weight above a side's hessian (3) forbids the split too. */
    stump(&h);
    tt_set(&h, "min_child_weight", 3.5);
    predict_stump(&h, p);
    assert_close(p[0], 35.0 / 6, 1e-6);
}

Test(boosting, a_logistic_stump_starts_from_the_prior_log_odds)
{
    /* Half the rows positive: prior 0, p = 0.5, g = p - y, h = 1/4.  Left
     * (y = 0): G = 1, H = 0.5, w = -0.3 * 1 / 1.5 = -0.2. */
    static const double x[4] = {1, 2, 3, 4};
    static const double y[4] = {0, 0, 1, 1};
    struct tt_hp h;
    tt_hp_init(&h, B);
    tt_set(&h, "n_estimators", 1);
    tt_set(&h, "min_child_weight", 0);
    struct tune_matrix m = tt_matrix(x, 4, 1);
    struct tune_fit_ctx ctx = tt_ctx(TUNE_TASK_BINARY, 2, 1);
    void *model = tt_fit(&h, &m, y, &ctx);
    struct tune_predictions p;
    tt_predict(&h, model, &m, TUNE_TASK_BINARY, 2, &p);
    double lo = 1 / (1 + exp(0.2)), hi = 1 / (1 + exp(-0.2));
    for (size_t i = 0; i < 4; i++) {
        assert_close(p.proba[2 * i + 1], i < 2 ? lo : hi, 1e-7);
        assert_close(p.proba[2 * i] + p.proba[2 * i + 1], 1.0, 1e-15);
        cr_assert_eq(p.label[i], i < 2 ? 0 : 1);
    }
    tune_predictions_release(&p);
    B->free_model(model);

    /* Unbalanced: 3 of 4 positive, the first tree starts at log(3). */
    static const double y3[4] = {1, 1, 0, 1};
    tt_set(&h, "gamma", 1e9);   /* no split: the prior alone */
    model = tt_fit(&h, &m, y3, &ctx);
    tt_predict(&h, model, &m, TUNE_TASK_BINARY, 2, &p);
    assert_close(p.proba[1], 0.75, 1e-15);
    tune_predictions_release(&p);
    B->free_model(model);
}

enum { N = 400, D = 4 };

static void make_data(double *x, double *y, size_t n, uint64_t seed, int regression)
{
    uint64_t s = seed;
    for (size_t i = 0; i < n * D; i++)
        x[i] = 4 * tt_uniform(&s) - 2;
    for (size_t i = 0; i < n; i++) {
        double v = x[i] * x[i] - x[n + i] + 0.3 * (tt_uniform(&s) - 0.5);
        y[i] = regression ? v : v > 0.5;
    }
}

Test(boosting, the_training_loss_falls_every_round)
{
    double x[N * D], y[N];
    make_data(x, y, N, 1, 0);
    struct tune_matrix m = tt_matrix(x, N, D);
    struct tt_hp h;
    tt_hp_init(&h, B);
    tt_set(&h, "n_estimators", 40);
    tt_set(&h, "max_depth", 3);
    tt_set(&h, "learning_rate", 0.2);
    struct log l = {0};
    /* validated on the training rows: the values are the training loss */
    struct tune_fit_ctx ctx = logged_ctx(TUNE_TASK_BINARY, 2, 1, &l, &m, y);
    void *model = tt_fit(&h, &m, y, &ctx);
    cr_assert_eq(l.n, 40);
    for (size_t i = 0; i < 40; i++)
        cr_assert_eq(l.step[i], i + 1);
    cr_assert_lt(l.value[0], log(2.0), "the first round beats the prior");
    for (size_t i = 1; i < 40; i++)
        cr_assert_lt(l.value[i], l.value[i - 1], "round %zu: %g after %g", i + 1, l.value[i],
                     l.value[i - 1]);
    B->free_model(model);

    /* Regression: mean squared error, falling too; every 2nd round for 150. */
    make_data(x, y, N, 2, 1);
    tt_set(&h, "n_estimators", 150);
    struct log r = {0};
    ctx = logged_ctx(TUNE_TASK_REGRESSION, 0, 1, &r, &m, y);
    model = tt_fit(&h, &m, y, &ctx);
    cr_assert_eq(r.n, 75);
    cr_assert_eq(r.step[0], 2);
    cr_assert_eq(r.step[74], 150);
    for (size_t i = 1; i < 75; i++)
        cr_assert_lt(r.value[i], r.value[i - 1]);
    B->free_model(model);
}

Test(boosting, missing_values_go_the_learned_default_way)
{
    /* y is high exactly where column 0 is missing; the NaN rows must learn
     * to go with the high values (right) although they are not large. */
    double x[2 * N], y[N];
    uint64_t s = 3;
    for (size_t i = 0; i < N; i++) {
        x[i] = tt_uniform(&s);
        x[N + i] = tt_uniform(&s);
        y[i] = x[i] > 0.5 ? 10 : 0;
        if (i % 5 == 0) {
            x[i] = NAN;
            y[i] = 10;
        }
    }
    struct tune_matrix m = tt_matrix(x, N, 2);
    struct tt_hp h;
    tt_hp_init(&h, B);
    tt_set(&h, "n_estimators", 30);
    tt_set(&h, "max_depth", 1);
    struct tune_fit_ctx ctx = tt_ctx(TUNE_TASK_REGRESSION, 0, 1);
    void *model = tt_fit(&h, &m, y, &ctx);
    static const double probe[6] = {NAN, 0.1, 0.9, 0.5, 0.5, 0.5};
    struct tune_matrix pm = tt_matrix(probe, 3, 2);
    struct tune_predictions p;
    tt_predict(&h, model, &pm, TUNE_TASK_REGRESSION, 0, &p);
    cr_assert_gt(p.value[0], 9.5, "NaN went left: %g", p.value[0]);
    cr_assert_lt(p.value[1], 0.5);
    cr_assert_gt(p.value[2], 9.5);
    tune_predictions_release(&p);
    B->free_model(model);

    /* Column 0 without NaN in training, NaN at prediction: the child with
     * more rows (here the high side, 3/4 of the rows). */
    for (size_t i = 0; i < N; i++) {
        x[i] = (double)i / N;
        y[i] = x[i] > 0.25 ? 10 : 0;
    }
    model = tt_fit(&h, &m, y, &ctx);
    tt_predict(&h, model, &pm, TUNE_TASK_REGRESSION, 0, &p);
    cr_assert_gt(p.value[0], 9.5, "%g", p.value[0]);
    tune_predictions_release(&p);
    B->free_model(model);
}

Test(boosting, the_model_is_the_same_for_any_thread_count)
{
    /* Enough rows that nodes are split across threads. */
    enum { M = 9000 };
    double *x = malloc(M * D * sizeof *x), *y = malloc(M * sizeof *y);
    make_data(x, y, M, 4, 0);
    for (size_t i = 0; i < M; i += 11)
        x[M + i] = NAN;
    struct tune_matrix m = tt_matrix(x, M, D);
    struct tt_hp h;
    tt_hp_init(&h, B);
    tt_set(&h, "n_estimators", 6);
    tt_set(&h, "subsample", 0.7);
    tt_set(&h, "colsample_bytree", 0.75);
    struct tune_predictions p[3];
    for (int r = 0; r < 3; r++) {
        tt_set(&h, "n_threads", r == 0 ? 1 : 3);
        struct tune_fit_ctx ctx = tt_ctx(TUNE_TASK_BINARY, 2, r < 2 ? 8 : 9);
        void *model = tt_fit(&h, &m, y, &ctx);
        tt_predict(&h, model, &m, TUNE_TASK_BINARY, 2, &p[r]);
        B->free_model(model);
    }
    cr_assert_arr_eq(p[0].proba, p[1].proba, 2 * M * sizeof(double));
    cr_assert(memcmp(p[0].proba, p[2].proba, 2 * M * sizeof(double)) != 0,
              "another seed samples other rows and columns");
    for (int r = 0; r < 3; r++)
        tune_predictions_release(&p[r]);
    free(x);
    free(y);
}

Test(boosting, stopping_early_keeps_the_rounds_reported)
{
    double x[N * D], y[N];
    make_data(x, y, N, 5, 0);
    struct tune_matrix m = tt_matrix(x, N, D);
    struct tt_hp h;
    tt_hp_init(&h, B);
    tt_set(&h, "n_estimators", 50);
    tt_set(&h, "subsample", 0.8);
    struct log l = {.stop_at = 7};
    struct tune_fit_ctx ctx = logged_ctx(TUNE_TASK_BINARY, 2, 1, &l, &m, y);
    void *stopped = tt_fit(&h, &m, y, &ctx);
    cr_assert_eq(l.n, 7);
    tt_set(&h, "n_estimators", 7);
    struct tune_fit_ctx plain = tt_ctx(TUNE_TASK_BINARY, 2, 1);
    void *seven = tt_fit(&h, &m, y, &plain);
    struct tune_predictions a, b;
    tt_predict(&h, stopped, &m, TUNE_TASK_BINARY, 2, &a);
    tt_predict(&h, seven, &m, TUNE_TASK_BINARY, 2, &b);
    cr_assert_arr_eq(a.proba, b.proba, 2 * N * sizeof(double));
    tune_predictions_release(&a);
    tune_predictions_release(&b);
    B->free_model(stopped);
    B->free_model(seven);
}

/* A fold cache of a few keys, as src/crossval.c's, counting its calls. */
struct toy_cache {
    size_t n, finds, hits, puts;
    char key[4][96];
    void *value[4];
    void (*free_fn[4])(void *);
};

static const void *toy_find(void *arg, const char *key)
{
    struct toy_cache *c = arg;
    c->finds++;
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->key[i], key) == 0) {
            c->hits++;
            return c->value[i];
        }
    return NULL;
}

static int toy_put(void *arg, const char *key, void *value, size_t bytes,
                   void (*free_fn)(void *))
{
    struct toy_cache *c = arg;
    c->puts++;
    cr_assert_gt(bytes, 0);
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->key[i], key) == 0) {
            free_fn(value);
            return -1;
        }
    cr_assert_lt(c->n, 4);
    snprintf(c->key[c->n], sizeof c->key[c->n], "%s", key);
    c->value[c->n] = value;
    c->free_fn[c->n++] = free_fn;
    return 0;
}

static void toy_release(struct toy_cache *c)
{
    for (size_t i = 0; i < c->n; i++)
        c->free_fn[i](c->value[i]);
}

Test(boosting, the_fold_cache_keeps_the_bins_per_max_bins_and_changes_no_model)
{
    double x[N * D], y[N];
    make_data(x, y, N, 6, 0);
    struct tune_matrix m = tt_matrix(x, N, D);
    struct tt_hp h;
    tt_hp_init(&h, B);
    tt_set(&h, "n_estimators", 8);
    struct toy_cache c = {0};
    struct tune_fit_ctx ctx = tt_ctx(TUNE_TASK_BINARY, 2, 0x5eed);
    ctx.cache_find = toy_find;
    ctx.cache_put = toy_put;
    ctx.cache_arg = &c;
    B->free_model(tt_fit(&h, &m, y, &ctx));
    cr_assert_eq(c.puts, 1, "the first fit hands its bins over");
    cr_assert_eq(c.hits, 0);
    cr_assert_str_eq(c.key[0], "boosting/bins/256/0000000000005eed");

    /* another learning rate: the same bins, found, not rebuilt nor handed
     * over again; the model is the one a fit without a cache makes */
    tt_set(&h, "learning_rate", 0.1);
    void *cached = tt_fit(&h, &m, y, &ctx);
    cr_assert_eq(c.hits, 1);
    cr_assert_eq(c.puts, 1);
    struct tune_fit_ctx plain = tt_ctx(TUNE_TASK_BINARY, 2, 0x5eed);
    void *fresh = tt_fit(&h, &m, y, &plain);
    struct tune_predictions a, b;
    tt_predict(&h, cached, &m, TUNE_TASK_BINARY, 2, &a);
    tt_predict(&h, fresh, &m, TUNE_TASK_BINARY, 2, &b);
    cr_assert_arr_eq(a.proba, b.proba, 2 * N * sizeof(double));
    tune_predictions_release(&a);
    tune_predictions_release(&b);
    B->free_model(cached);
    B->free_model(fresh);

    /* other max_bins: other bins, under their own key */
    tt_set(&h, "max_bins", 16);
    B->free_model(tt_fit(&h, &m, y, &ctx));
    cr_assert_eq(c.puts, 2);
    cr_assert_str_eq(c.key[1], "boosting/bins/16/0000000000005eed");

    /* the same key over other rows (another shape) is not used */
    struct tune_matrix half = tt_matrix(x, N / 2, D);
    double xh[N / 2 * D];
    for (size_t j = 0; j < D; j++)
        memcpy(xh + j * (N / 2), x + j * N, N / 2 * sizeof *xh);
    half.data = xh;
    B->free_model(tt_fit(&h, &half, y, &ctx));
    cr_assert_eq(c.puts, 3, "bins of %d rows are not the bins of %d: built anew (and refused "
                 "by the taken key)", N, N / 2);
    cr_assert_eq(c.n, 2);
    toy_release(&c);
}

struct spoil {
    double *x;
    size_t len, calls;
};

/* x_done: overwrite the matrix, as if its memory were reused. */
static void spoil_x(void *arg)
{
    struct spoil *sp = arg;
    sp->calls++;
    for (size_t i = 0; i < sp->len; i++)
        sp->x[i] = i % 2 ? NAN : 1e300;
}

Test(boosting, after_saying_x_is_done_a_fit_never_reads_it_again)
{
    double x[N * D], xs[N * D], y[N];
    make_data(x, y, N, 7, 0);
    struct tune_matrix m = tt_matrix(x, N, D);
    struct tt_hp h;
    tt_hp_init(&h, B);
    tt_set(&h, "n_estimators", 12);
    tt_set(&h, "subsample", 0.8);
    struct tune_fit_ctx plain = tt_ctx(TUNE_TASK_BINARY, 2, 3);
    void *ref = tt_fit(&h, &m, y, &plain);
    struct toy_cache c = {0};
    for (int r = 0; r < 2; r++) {
        /* r = 0 bins x; r = 1 finds the bins in the cache */
        memcpy(xs, x, sizeof x);
        struct tune_matrix ms = tt_matrix(xs, N, D);
        struct spoil sp = {xs, N * D, 0};
        struct tune_fit_ctx ctx = tt_ctx(TUNE_TASK_BINARY, 2, 3);
        ctx.x_done = spoil_x;
        ctx.x_done_arg = &sp;
        ctx.cache_find = toy_find;
        ctx.cache_put = toy_put;
        ctx.cache_arg = &c;
        void *model = tt_fit(&h, &ms, y, &ctx);
        cr_assert_eq(sp.calls, 1, "x_done once per fit");
        struct tune_predictions a, b;
        tt_predict(&h, ref, &m, TUNE_TASK_BINARY, 2, &a);
        tt_predict(&h, model, &m, TUNE_TASK_BINARY, 2, &b);
        cr_assert_arr_eq(a.proba, b.proba, 2 * N * sizeof(double), "fit %d read x after", r);
        tune_predictions_release(&a);
        tune_predictions_release(&b);
        B->free_model(model);
    }
    cr_assert_eq(c.hits, 1);
    toy_release(&c);
    B->free_model(ref);
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

Test(boosting, past_200000_rows_the_edges_come_from_gsl_ran_choose_s_sample)
{
    enum { M = 250000, S = 200000 };
    double *x = malloc(M * sizeof *x), *sv = malloc(S * sizeof *sv);
    size_t *all = malloc(M * sizeof *all), *pick = malloc(S * sizeof *pick);
    uint64_t s = 5;
    for (size_t i = 0; i < M; i++) {
        x[i] = 3 * tt_uniform(&s) - 1;
        all[i] = i;
    }
    struct tune_bins b;
    cr_assert_eq(tune_bins_build(NULL, x, M, 1, 4, 77, &b), TUNE_OK);
    /* the documented sample and quantile edges, computed here */
    gsl_rng *r = tune_tree_rng(77, 0x62696e73);
    gsl_ran_choose(r, pick, S, all, M, sizeof *all);
    gsl_rng_free(r);
    for (size_t i = 0; i < S; i++)
        sv[i] = x[pick[i]];
    qsort(sv, S, sizeof *sv, cmp_d);
    cr_assert_eq(b.n_bins[0], 4);
    for (size_t q = 1; q < 4; q++) {
        double h = (double)(S - 1) * (double)q / 4;
        double e = sv[(size_t)floor(h)] / 2.0 + sv[(size_t)ceil(h)] / 2.0;
        cr_assert_eq(b.edges[q - 1], e, "edge %zu: %.17g, want %.17g", q, b.edges[q - 1], e);
    }
    for (size_t i = 0; i < M; i += 997) {
        size_t below = (x[i] > b.edges[0]) + (x[i] > b.edges[1]) + (x[i] > b.edges[2]);
        cr_assert_eq(b.codes[i], below);
    }
    tune_bins_release(&b);
    free(x);
    free(sv);
    free(all);
    free(pick);
}

/* Distinct values among n predictions. */
static size_t distinct(const double *v, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (j < i && v[j] != v[i])
            j++;
        count += j == i;
    }
    return count;
}

Test(boosting, leaf_and_bin_limits_are_respected)
{
    double x[N * D], y[N];
    make_data(x, y, N, 6, 1);
    struct tune_matrix m = tt_matrix(x, N, D);
    struct tt_hp h;
    tt_hp_init(&h, B);
    tt_set(&h, "n_estimators", 1);
    tt_set(&h, "max_depth", 0);
    tt_set(&h, "max_leaves", 5);
    tt_set(&h, "min_child_weight", 0);
    struct tune_fit_ctx ctx = tt_ctx(TUNE_TASK_REGRESSION, 0, 1);
    void *model = tt_fit(&h, &m, y, &ctx);
    struct tune_predictions p;
    tt_predict(&h, model, &m, TUNE_TASK_REGRESSION, 0, &p);
    cr_assert_eq(distinct(p.value, N), 5);
    tune_predictions_release(&p);
    B->free_model(model);

    /* Two bins per column: one threshold per column, so a depth-3 tree on
     * one column has at most 2 leaves. */
    struct tune_matrix one = tt_matrix(x, N, 1);
    tt_set(&h, "max_leaves", 0);
    tt_set(&h, "max_depth", 3);
    tt_set(&h, "max_bins", 2);
    model = tt_fit(&h, &one, y, &ctx);
    tt_predict(&h, model, &one, TUNE_TASK_REGRESSION, 0, &p);
    cr_assert_eq(distinct(p.value, N), 2);
    tune_predictions_release(&p);
    B->free_model(model);

    /* max_depth 2 without a leaf limit: 4 leaves. */
    tt_set(&h, "max_depth", 2);
    tt_set(&h, "max_bins", 256);
    model = tt_fit(&h, &m, y, &ctx);
    tt_predict(&h, model, &m, TUNE_TASK_REGRESSION, 0, &p);
    cr_assert_eq(distinct(p.value, N), 4);
    tune_predictions_release(&p);
    B->free_model(model);
}

Test(boosting, importances_sum_to_one_and_favour_the_informative_columns)
{
    double x[N * D], y[N];
    make_data(x, y, N, 7, 0);
    struct tune_matrix m = tt_matrix(x, N, D);
    struct tt_hp h;
    tt_hp_init(&h, B);
    tt_set(&h, "n_estimators", 20);
    struct tune_fit_ctx ctx = tt_ctx(TUNE_TASK_BINARY, 2, 1);
    void *model = tt_fit(&h, &m, y, &ctx);
    double imp[D];
    assert_close(tt_importances(&h, model, imp, D), 1.0, 1e-12);
    cr_assert_gt(imp[0], imp[2]);
    cr_assert_gt(imp[0], imp[3]);
    cr_assert_gt(imp[1], imp[3]);
    B->free_model(model);
}

Test(boosting, softmax_fits_iris)
{
    struct tune_dataset *ds;
    struct tune_error err = {0};
    cr_assert_eq(tune_dataset_load("data/iris.csv", "target", TUNE_TASK_MULTICLASS, &ds, &err),
                 TUNE_OK, "%s", err.msg);
    struct tune_matrix m = tt_matrix(ds->x, ds->n_rows, ds->n_features);
    struct tt_hp h;
    tt_hp_init(&h, B);
    tt_set(&h, "n_estimators", 20);
    struct log l = {0};
    struct tune_fit_ctx ctx = logged_ctx(TUNE_TASK_MULTICLASS, 3, 1, &l, &m, ds->y);
    void *model = tt_fit(&h, &m, ds->y, &ctx);
    struct tune_predictions p;
    tt_predict(&h, model, &m, TUNE_TASK_MULTICLASS, 3, &p);
    size_t right = 0;
    for (size_t i = 0; i < ds->n_rows; i++) {
        assert_close(p.proba[3 * i] + p.proba[3 * i + 1] + p.proba[3 * i + 2], 1.0, 1e-12);
        right += p.label[i] == (int)ds->y[i];
    }
    cr_assert_geq(right, 147, "%zu of 150 right", right);
    cr_assert_lt(l.value[0], log(3.0));
    cr_assert_lt(l.value[19], 0.1);
    tune_predictions_release(&p);
    B->free_model(model);
    tune_dataset_free(ds);
}

/* The validation rows' scores kept from the fit are the ones predict would
 * compute: the same bits for the fit's own validation matrix as for a copy
 * of it (scored tree by tree), and a matrix changed since is scored anew. */
Test(boosting, the_kept_validation_scores_are_what_predict_computes)
{
    struct tune_dataset *ds;
    struct tune_error err = {0};
    cr_assert_eq(tune_dataset_load("data/iris.csv", "target", TUNE_TASK_MULTICLASS, &ds, &err),
                 TUNE_OK, "%s", err.msg);
    size_t n = ds->n_rows, d = ds->n_features;
    /* the multiclass rows, and a binary target on the same rows */
    double *yb = malloc(n * sizeof *yb), *copy = malloc(n * d * sizeof *copy);
    for (size_t i = 0; i < n; i++)
        yb[i] = ds->y[i] == 2;
    for (int task = 0; task < 2; task++) {
        enum tune_task t = task ? TUNE_TASK_BINARY : TUNE_TASK_MULTICLASS;
        size_t k = task ? 2 : 3;
        const double *y = task ? yb : ds->y;
        double *xv = malloc(n * d * sizeof *xv);
        memcpy(xv, ds->x, n * d * sizeof *xv);
        struct tune_matrix m = tt_matrix(ds->x, n, d), v = tt_matrix(xv, n, d);
        struct tt_hp h;
        tt_hp_init(&h, B);
        tt_set(&h, "n_estimators", 12);
        tt_set(&h, "subsample", 0.8);
        struct log l = {0};
        struct tune_fit_ctx ctx = logged_ctx(t, k, 3, &l, &v, y);
        void *model = tt_fit(&h, &m, y, &ctx);
        cr_assert_eq(l.n, 12);
        memcpy(copy, xv, n * d * sizeof *copy);
        struct tune_matrix c = tt_matrix(copy, n, d);
        struct tune_predictions kept, fresh;
        tt_predict(&h, model, &v, t, k, &kept);
        tt_predict(&h, model, &c, t, k, &fresh);
        cr_assert_arr_eq(kept.proba, fresh.proba, n * k * sizeof(double));
        cr_assert_arr_eq(kept.label, fresh.label, n * sizeof(int));
        tune_predictions_release(&kept);
        tune_predictions_release(&fresh);
        /* the same matrix, other numbers: scored anew, as its copy is */
        for (size_t i = 0; i < n * d; i++)
            xv[i] = copy[i] = -copy[i];
        tt_predict(&h, model, &v, t, k, &kept);
        tt_predict(&h, model, &c, t, k, &fresh);
        cr_assert_arr_eq(kept.proba, fresh.proba, n * k * sizeof(double));
        /* and not what the fit's numbers gave */
        struct tune_predictions before;
        struct tune_matrix orig = tt_matrix(ds->x, n, d);
        tt_predict(&h, model, &orig, t, k, &before);
        cr_assert(memcmp(kept.proba, before.proba, n * k * sizeof(double)) != 0);
        tune_predictions_release(&before);
        tune_predictions_release(&kept);
        tune_predictions_release(&fresh);
        B->free_model(model);
        free(xv);
    }
    free(yb);
    free(copy);
    tune_dataset_free(ds);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Validation rows that probe the bins' edges: training values, the
 * quantile edges of column 0 exactly (as histogram.c computes them), the
 * midpoints of column 2's ten values (its edges), values beyond the range,
 * infinities, -0.0, and missing values in column 1 (which has a missing
 * bin), column 2 (ten bins and no missing bin) and, when nan0, column 0
 * (256 bins: no code is left for a missing value). */
static void probe_rows(const double *x, size_t m, double *v, size_t nv, int nan0)
{
    double *sv = malloc(m * sizeof *sv);
    memcpy(sv, x, m * sizeof *sv);
    qsort(sv, m, sizeof *sv, cmp_double);
    static const double odd[] = {INFINITY, -INFINITY, 1e300, -1e300, -0.0, 0.0, 2.5, -2.5};
    uint64_t s = 77;
    for (size_t i = 0; i < nv; i++) {
        size_t q = 1 + i % 255;
        double h = (double)(m - 1) * (double)q / 256.0;
        size_t lo = (size_t)floor(h), hi = (size_t)ceil(h);
        double edge = sv[lo] / 2.0 + sv[hi] / 2.0;
        double pick = x[(i * 7919) % m];
        switch (i % 4) {
        case 0: v[i] = edge; break;
        case 1: v[i] = pick; break;
        case 2: v[i] = odd[i / 4 % 8]; break;
        default: v[i] = nextafter(edge, i % 8 == 3 ? INFINITY : -INFINITY); break;
        }
        v[nv + i] = i % 5 == 0 ? NAN : i % 5 == 1 ? odd[i % 8] : x[m + (i * 31) % m];
        v[2 * nv + i] = i % 6 == 0 ? NAN : i % 6 == 1 ? (double)(i % 11) - 0.5 : (double)(i % 10);
        v[3 * nv + i] = i % 3 == 0 ? odd[i % 8] : 4 * tt_uniform(&s) - 2;
    }
    if (nan0)
        v[nv / 2] = NAN;
    free(sv);
}

Test(boosting, validation_rows_walked_by_their_codes_land_where_the_thresholds_send_them)
{
    enum { M = 1200, V = 600, DD = 4 };
    double *x = malloc(M * DD * sizeof *x), y[M];
    uint64_t s = 11;
    for (size_t i = 0; i < M; i++) {
        x[i] = 4 * tt_uniform(&s) - 2;
        x[M + i] = i % 7 == 3 ? NAN : 4 * tt_uniform(&s) - 2;
        x[2 * M + i] = (double)(i % 10);
        x[3 * M + i] = 4 * tt_uniform(&s) - 2;
    }
    for (size_t i = 0; i < M; i++) {
        double b = isnan(x[M + i]) ? 0.7 : x[M + i];
        y[i] = x[i] * x[i] - b + 0.2 * x[2 * M + i] + 0.3 * (tt_uniform(&s) - 0.5) > 0.9;
    }
    struct tune_matrix m = tt_matrix(x, M, DD);
    struct tt_hp h;
    tt_hp_init(&h, B);
    tt_set(&h, "n_estimators", 20);
    tt_set(&h, "max_leaves", 24);
    tt_set(&h, "max_depth", 0);
    tt_set(&h, "learning_rate", 0.3);
    double *v = malloc(V * DD * sizeof *v), *copy = malloc(V * DD * sizeof *copy), yv[V];
    for (size_t i = 0; i < V; i++)
        yv[i] = i % 3 == 0;
    for (int nan0 = 0; nan0 < 2; nan0++) {
        probe_rows(x, M, v, V, nan0);
        memcpy(copy, v, V * DD * sizeof *copy);
        struct tune_matrix vm = tt_matrix(v, V, DD), cm = tt_matrix(copy, V, DD);
        struct toy_cache c = {0};
        struct log l = {0};
        struct tune_fit_ctx ctx = logged_ctx(TUNE_TASK_BINARY, 2, 4, &l, &vm, yv);
        ctx.cache_find = toy_find;
        ctx.cache_put = toy_put;
        ctx.cache_arg = &c;
        void *model = tt_fit(&h, &m, y, &ctx);
        cr_assert_eq(l.n, 20);
        /* column 2 (ten bins, no missing bin) has splits, so its missing
         * validation values take code 10 and the nodes' flags */
        double imp[DD];
        struct tune_error ie = {0};
        cr_assert_eq(B->importances(model, imp, DD, &ie), TUNE_OK, "%s", ie.msg);
        cr_assert_gt(imp[2], 0);
        /* the kept scores (walked by codes, or by the doubles when column 0
         * has a missing value) against the trees walked on a copy */
        struct tune_predictions kept, fresh;
        tt_predict(&h, model, &vm, TUNE_TASK_BINARY, 2, &kept);
        tt_predict(&h, model, &cm, TUNE_TASK_BINARY, 2, &fresh);
        cr_assert_arr_eq(kept.proba, fresh.proba, 2 * V * sizeof(double), "nan0 %d", nan0);
        cr_assert_eq(c.puts, nan0 ? 1 : 2, "the codes are kept only when every row has them");
        if (!nan0)
            cr_assert_str_eq(c.key[1], "boosting/vcodes/256/0000000000000004");
        /* again with the cache: the codes found, the same intermediate
         * values and scores */
        struct log l2 = {0};
        struct tune_fit_ctx ctx2 = logged_ctx(TUNE_TASK_BINARY, 2, 4, &l2, &vm, yv);
        ctx2.cache_find = toy_find;
        ctx2.cache_put = toy_put;
        ctx2.cache_arg = &c;
        size_t hits = c.hits;
        void *again = tt_fit(&h, &m, y, &ctx2);
        cr_assert_eq(c.hits, hits + (nan0 ? 1 : 2));
        cr_assert_arr_eq(l2.value, l.value, 20 * sizeof(double));
        struct tune_predictions k2;
        tt_predict(&h, again, &vm, TUNE_TASK_BINARY, 2, &k2);
        cr_assert_arr_eq(k2.proba, fresh.proba, 2 * V * sizeof(double));
        /* other validation rows of the same shape: not the kept codes */
        if (!nan0) {
            for (size_t i = 0; i < V; i++)
                v[3 * V + i] = -v[3 * V + i];
            memcpy(copy, v, V * DD * sizeof *copy);
            struct log l3 = {0};
            struct tune_fit_ctx ctx3 = logged_ctx(TUNE_TASK_BINARY, 2, 4, &l3, &vm, yv);
            ctx3.cache_find = toy_find;
            ctx3.cache_put = toy_put;
            ctx3.cache_arg = &c;
            void *other = tt_fit(&h, &m, y, &ctx3);
            struct tune_predictions k3, f3;
            tt_predict(&h, other, &vm, TUNE_TASK_BINARY, 2, &k3);
            tt_predict(&h, other, &cm, TUNE_TASK_BINARY, 2, &f3);
            cr_assert_arr_eq(k3.proba, f3.proba, 2 * V * sizeof(double));
            cr_assert(memcmp(k3.proba, fresh.proba, 2 * V * sizeof(double)) != 0);
            tune_predictions_release(&k3);
            tune_predictions_release(&f3);
            B->free_model(other);
        }
        tune_predictions_release(&k2);
        tune_predictions_release(&kept);
        tune_predictions_release(&fresh);
        B->free_model(model);
        B->free_model(again);
        toy_release(&c);
    }
    free(v);
    free(copy);
    free(x);
}

Test(boosting, errors_name_what_is_wrong)
{
    double x[N * D], y[N];
    make_data(x, y, N, 8, 0);
    struct tune_matrix m = tt_matrix(x, N, D);
    struct tt_hp h;
    struct tune_error err = {0};
    struct tune_fit_ctx ctx = tt_ctx(TUNE_TASK_BINARY, 2, 1);
    tt_hp_init(&h, B);
    tt_set(&h, "learning_rate", 0);
    cr_assert_eq(tt_fit_fails(&h, &m, y, &ctx, &err), TUNE_EINVAL);
    cr_assert(strstr(err.msg, "boosting: learning_rate"), "%s", err.msg);
    tt_hp_init(&h, B);
    tt_set(&h, "max_bins", 257);
    tt_fit_fails(&h, &m, y, &ctx, &err);
    cr_assert(strstr(err.msg, "max_bins"), "%s", err.msg);
    tt_hp_init(&h, B);
    y[3] = 2;
    tt_fit_fails(&h, &m, y, &ctx, &err);
    cr_assert(strstr(err.msg, "row 3"), "%s", err.msg);
    y[3] = 1;
    tt_set(&h, "n_estimators", 2);
    void *model = tt_fit(&h, &m, y, &ctx);
    struct tune_matrix wide = tt_matrix(x, N / 2, D + 1);
    struct tune_predictions p;
    cr_assert_eq(tune_predictions_init(&p, TUNE_TASK_BINARY, N / 2, 2, 1, &err), TUNE_OK);
    cr_assert_eq(B->predict(model, &wide, &p, &err), TUNE_EINVAL);
    cr_assert(strstr(err.msg, "5 columns") && strstr(err.msg, "has 4"), "%s", err.msg);
    tune_predictions_release(&p);
    B->free_model(model);
    B->free_model(NULL);
}

Test(boosting, a_cancel_request_stops_the_fit_with_an_error)
{
    double x[N * D], y[N];
    make_data(x, y, N, 9, 0);
    struct tune_matrix m = tt_matrix(x, N, D);
    struct tt_hp h;
    tt_hp_init(&h, B);
    static volatile sig_atomic_t stop = 1;
    struct tune_fit_ctx ctx = tt_ctx(TUNE_TASK_BINARY, 2, 3);
    ctx.cancel = &stop;
    struct tune_error err = {0};
    cr_assert_eq(tt_fit_fails(&h, &m, y, &ctx, &err), TUNE_ETRAINER);
    cr_assert(strstr(err.msg, "boosting: interrupted after 0 rounds"), "%s", err.msg);
}
