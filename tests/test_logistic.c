/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_logistic.c — the `logistic` trainer against scikit-learn 1.2.
 *
 * Every reference number below was printed by bench/reference/logistic_ref.py
 * (run: /usr/bin/python3 bench/reference/logistic_ref.py), which also wrote
 * tests/data/logistic_iris_proba.csv and
 * tests/data/logistic_breast_cancer_proba.csv.  The references are fits run to
 * the optimum (the script prints each one's optimality residual).
 *
 * The model is opaque, so coefficients are read back through predict: at
 * x = 0 the centred log-probabilities are the intercepts and at x = e_j their
 * change is column j of the weights (binary: the log-odds). */
#include "testutil.h"
#include "tunefold/trainer.h"

#include <time.h>

/* ---- reference values: output of bench/reference/logistic_ref.py ---- */
/* binary set: 40 rows, 27 of class 1 */
static const double small_x[120] = {
    0.125454, -1.926866, -0.543865, 0.194063,
    0.975174, -1.511048, 1.514451, -0.727681,
    0.711518, 0.663211, 1.382729, -2.150670,
    -0.729241, -1.152955, -2.074783, 0.228494,
    -0.267387, 0.476835, -0.863013, -1.377096,
    -1.577331, 0.353775, 0.832681, -1.041911,
    -0.387725, 1.215304, -1.243036, -0.251928,
    -0.603526, -0.897084, -1.056104, -0.784113,
    2.607969, 2.755751, -1.486189, 1.827001,
    0.611528, 0.465088, 0.650285, -0.509635,
    -1.514187, -0.872438, -1.021170, -1.685028,
    -1.842290, -1.730151, -0.916960, -0.943384,
    -1.262075, -0.004940, -0.919871, -0.400593,
    -1.114690, -1.504433, -1.798905, -1.629847,
    -0.161201, -1.491676, -0.398718, -1.538776,
    -1.503352, -0.399547, -0.369254, 0.648210,
    -0.619881, -2.061119, -0.799414, -0.977541,
    -0.784075, -0.175866, -0.947812, -0.236626,
    -0.788132, -0.937608, -0.870836, -0.982268,
    -0.109335, 0.020092, -0.319794, -2.099929,
    0.564151, -0.425561, -3.848095, 1.110360,
    -1.709653, 0.920770, 0.323078, -1.462948,
    2.047638, -0.607250, 3.812767, -1.899668,
    -2.922175, -0.427216, -0.056418, 0.241414,
    -1.449184, 2.044581, -2.260134, 0.443466,
    0.241662, 1.896974, 2.223425, 0.147253,
    -0.776012, 1.773253, -0.197773, -0.958148,
    4.305534, 2.521271, 1.350482, 2.093611,
    2.236664, -0.800468, -2.411155, 1.953220,
    -0.708345, -2.392453, -1.983420, 2.729587,
};   /* column-major */
static const double small_y[40] = {
    1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 0,
    1, 0, 0, 0, 0, 1, 0, 1, 1, 1, 1, 0, 1, 1, 0, 1, 1, 0, 0, 0,
};
/* l2: {'penalty': 'l2', 'C': 0.7}; newton-cg, kkt 4.3e-09, lbfgs dev 6.8e-07 */
static const double small_l2_coef[3] = {
    0.60022692047997128, -0.95404112686669529, -0.030995917303062129,
};
static const double small_l2_intercept = 0.072909107986701291;
static const size_t small_l2_correct = 30;  /* rows predicted right */
/* l2_no_intercept: {'penalty': 'l2', 'C': 0.7, 'fit_intercept': False}; newton-cg, kkt 1.6e-12, lbfgs dev 1.6e-07 */
static const double small_l2_no_intercept_coef[3] = {
    0.59469098744996518, -1.0007372418898715, -0.032327815885189529,
};
static const double small_l2_no_intercept_intercept = 0;
/* none: {'penalty': None}; newton-cg, kkt 2.7e-15, lbfgs dev 1.6e-06 */
static const double small_none_coef[3] = {
    0.82622949545989621, -1.6190787576438275, -0.08497622948960766,
};
static const double small_none_intercept = -0.36746955454969255;
/* balanced: {'penalty': 'l2', 'C': 0.7, 'class_weight': 'balanced'}; newton-cg, kkt 3.7e-13, lbfgs dev 5.9e-06 */
static const double small_balanced_coef[3] = {
    0.63361849591865149, -0.9929274205934433, -0.057396084496459603,
};
static const double small_balanced_intercept = -0.64244329727187321;
/* l1: {'penalty': 'l1', 'C': 0.25}; saga, n_iter 163, kkt 3.3e-12 */
static const double small_l1_coef[3] = {
    0.23013928640156461, -0.066274479327324359, 0,
};
static const double small_l1_intercept = 0.71547924105935312;
/* iris multinomial l2, C=2.5; newton-cg, kkt 6.6e-09, lbfgs dev 2.1e-04 */
static const double iris_coef[12] = {
    -1.2975144807966161, 1.4349645691600801, -2.5287912359104681, -2.3797435140870902,
    0.83309074364478375, -0.34485982804833987, -0.72476312885167504, -1.0718203577081957,
    0.46442373715183732, -1.0901047411117424, 3.2535543647621403, 3.4515638717952863,
};
static const double iris_intercept[3] = {
    -0.11438919758064409, 2.7807986694989748, -2.6664094719183313,
};
/* iris multinomial l1, C=0.08; saga, n_iter 50, kkt 5.6e-12 */
static const double iris_l1_coef[12] = {
    0, 0, -1.8315431398100257, 0,
    0, -0.21730341608985343, 0, 0,
    0, 0, 0, 1.4645027524773246,
};
static const double iris_l1_intercept[3] = {
    -0.30534057727006519, 0.50752297001857116, -0.20218239274852662,
};
/* wine multinomial l2 balanced, C=0.35, classes [59, 71, 48]; newton-cg, kkt 2.7e-09, lbfgs dev 7.3e-06 */
static const double wine_coef[39] = {
    0.6181994896412627, 0.11217013875515744, 0.3467352769898962, -0.62361453223904995,
    0.046580551578414425, 0.23863762936355334, 0.49505776984927047, -0.18092894068836393,
    0.10352214082178821, 0.10860152064632449, 0.13133163274219015, 0.54258850814875093,
    0.81395765961311428, -0.79454503938125176, -0.34673348874044746, -0.59029754883763641,
    0.40114268871874065, -0.11615192987198637, 0.02943104438563126, 0.23552854610551546,
    0.12535079715003053, 0.21563263273836103, -0.74706094152864411, 0.49518824867386635,
    0.079969277205157993, -0.81793824699293216, 0.17634554973998826, 0.23456334998529055,
    0.24356227184774001, 0.22247184352030983, 0.069571378293571365, -0.26806867374918447,
    -0.73058631595478629, 0.055578143538334575, -0.31915477356014893, 0.63845942088231955,
    -0.62651988141605697, -0.62255778535390993, 0.0039805873798175028,
};
static const double wine_intercept[3] = {
    0.25465935424641528, 0.52790019426691404, -0.78255954851332177,
};
/* breast cancer l2, C=1; newton-cg, kkt 2.8e-09, lbfgs dev 1.1e-04 */
static const double bc_intercept = 0.21450271800137857;
static const double bc_auc = 0.99744992336557259;
/* ---- end of reference values ---- */

/* ---- helpers ---- */

#define MAX_HP 16

/* Hyperparameter values by name, starting from the declared defaults. */
struct hp {
    double values[MAX_HP];
    const char *names[MAX_HP];
    const char *strings[MAX_HP];
    struct tune_params params;
};

static void hp_init(struct hp *h)
{
    const struct tune_trainer_type *t = &tune_trainer_logistic;
    cr_assert_leq(t->n_hparams, MAX_HP);
    for (size_t i = 0; i < t->n_hparams; i++) {
        h->names[i] = t->hparams[i].name;
        h->values[i] = t->hparams[i].def;
        h->strings[i] = NULL;
    }
    h->params = (struct tune_params){t->n_hparams, h->names, h->values, h->strings};
}

static void hp_set(struct hp *h, const char *name, double v)
{
    long i = tune_trainer_hparam_index(&tune_trainer_logistic, name);
    cr_assert_geq(i, 0, "no hyperparameter %s", name);
    h->values[i] = v;
}

/* Set a categorical by its choice name. */
static void hp_choose(struct hp *h, const char *name, const char *choice)
{
    long i = tune_trainer_hparam_index(&tune_trainer_logistic, name);
    cr_assert_geq(i, 0, "no hyperparameter %s", name);
    const char *const *c = tune_trainer_logistic.hparams[i].choices;
    for (size_t k = 0; c && c[k]; k++)
        if (strcmp(c[k], choice) == 0) {
            h->values[i] = (double)k;
            h->strings[i] = c[k];
            return;
        }
    cr_assert_fail("%s has no choice %s", name, choice);
}

static void *fit_ok(const struct tune_matrix *x, const double *y, enum tune_task task,
                    size_t k, const struct hp *h)
{
    struct tune_fit_ctx ctx = {.task = task, .n_classes = k, .seed = 7};
    struct tune_error err = {0};
    void *model = NULL;
    int rc = tune_trainer_logistic.fit(x, y, &ctx, &h->params, &model, &err);
    cr_assert_eq(rc, TUNE_OK, "fit failed: %s", err.msg);
    cr_assert_not_null(model);
    return model;
}

static void predict_ok(const void *model, const struct tune_matrix *x, size_t k,
                       struct tune_predictions *out)
{
    struct tune_error err = {0};
    cr_assert_eq(tune_predictions_init(out, TUNE_TASK_MULTICLASS, x->n_rows, k, 1, &err),
                 TUNE_OK);
    int rc = tune_trainer_logistic.predict(model, x, out, &err);
    cr_assert_eq(rc, TUNE_OK, "predict failed: %s", err.msg);
}

/* Read the weights back: w (k x d, row-major) and b (k) are the centred
 * log-probability slopes and offsets; for a binary model (k = 2) one row, the
 * log-odds of class 1. */
static void coefficients(const void *model, size_t d, size_t k, double *w, double *b)
{
    size_t rows = d + 1;
    struct tune_matrix probe = {rows, d, calloc(rows * d + 1, sizeof(double))};
    for (size_t j = 0; j < d; j++)
        probe.data[j * rows + (j + 1)] = 1.0;   /* row j+1 is e_j; row 0 is zero */
    struct tune_predictions p;
    predict_ok(model, &probe, k, &p);
    double *score = calloc(rows * k, sizeof(double));
    for (size_t i = 0; i < rows; i++) {
        const double *pr = p.proba + i * k;
        if (k == 2) {
            score[i] = log(pr[1]) - log(pr[0]);
        } else {
            double mean = 0;
            for (size_t c = 0; c < k; c++)
                mean += log(pr[c]) / (double)k;
            for (size_t c = 0; c < k; c++)
                score[i * k + c] = log(pr[c]) - mean;
        }
    }
    size_t m = k == 2 ? 1 : k;
    for (size_t c = 0; c < m; c++) {
        size_t kk = k == 2 ? 1 : k;
        b[c] = score[c];
        for (size_t j = 0; j < d; j++)
            w[c * d + j] = score[(j + 1) * kk + c] - score[c];
    }
    tune_predictions_release(&p);
    free(score);
    free(probe.data);
}

static void assert_rel(double got, double want, double rel, const char *what, size_t i)
{
    cr_assert(fabs(got - want) <= rel * fabs(want), "%s[%zu] = %.17g, expected %.17g (rel %g)",
              what, i, got, want, rel);
}

static struct tune_matrix small_matrix(void)
{
    return (struct tune_matrix){40, 3, (double *)small_x};
}

/* A numeric CSV with a header row, as a column-major matrix (all columns). */
static struct tune_matrix read_csv(const char *path)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot open %s", path);
    char line[8192];
    cr_assert_not_null(fgets(line, sizeof line, f));
    size_t cols = 1;
    for (const char *s = line; *s; s++)
        cols += *s == ',';
    size_t cap = 1024, rows = 0;
    double *rm = malloc(cap * cols * sizeof *rm);
    while (fgets(line, sizeof line, f)) {
        if (rows == cap)
            rm = realloc(rm, (cap *= 2) * cols * sizeof *rm);
        char *s = line;
        for (size_t j = 0; j < cols; j++) {
            char *end;
            rm[rows * cols + j] = strtod(s, &end);
            cr_assert_neq(end, s, "%s: row %zu: bad number", path, rows + 1);
            s = end + (*end == ',');
        }
        rows++;
    }
    fclose(f);
    struct tune_matrix m = {rows, cols, malloc(rows * cols * sizeof(double))};
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++)
            m.data[j * rows + i] = rm[i * cols + j];
    free(rm);
    return m;
}

/* Split the last column off as y; standardise every feature column with its
 * own mean and population standard deviation. */
static double *split_standardise(struct tune_matrix *m)
{
    size_t n = m->n_rows;
    m->n_cols--;
    double *y = malloc(n * sizeof *y);
    memcpy(y, m->data + m->n_cols * n, n * sizeof *y);
    for (size_t j = 0; j < m->n_cols; j++) {
        double *c = m->data + j * n, mean = 0, var = 0;
        for (size_t i = 0; i < n; i++)
            mean += c[i];
        mean /= (double)n;
        for (size_t i = 0; i < n; i++)
            var += (c[i] - mean) * (c[i] - mean);
        double sd = sqrt(var / (double)n);
        for (size_t i = 0; i < n; i++)
            c[i] = (c[i] - mean) / sd;
    }
    return y;
}

/* ROC AUC by pair counting (ties one half). */
static double auc(const double *y, const double *proba, size_t n)
{
    double pos = 0, neg = 0, win = 0;
    for (size_t i = 0; i < n; i++) {
        if (y[i] != 1)
            continue;
        pos++;
        for (size_t j = 0; j < n; j++)
            if (y[j] == 0)
                win += proba[i * 2 + 1] > proba[j * 2 + 1]    ? 1.0
                       : proba[i * 2 + 1] == proba[j * 2 + 1] ? 0.5
                                                              : 0.0;
    }
    for (size_t i = 0; i < n; i++)
        neg += y[i] == 0;
    return win / (pos * neg);
}

static void check_binary(const struct hp *h, const double *coef, double intercept, double rel)
{
    struct tune_matrix x = small_matrix();
    void *model = fit_ok(&x, small_y, TUNE_TASK_BINARY, 2, h);
    double w[3], b;
    coefficients(model, 3, 2, w, &b);
    for (size_t j = 0; j < 3; j++)
        assert_rel(w[j], coef[j], rel, "coef", j);
    if (intercept == 0)
        cr_assert(fabs(b) <= 1e-15, "intercept %.17g, expected 0", b);
    else
        assert_rel(b, intercept, rel, "intercept", 0);
    tune_trainer_logistic.free_model(model);
}

/* ---- declared interface ---- */

Test(logistic, declares_the_six_hyperparameters_with_sklearn_defaults)
{
    const struct tune_trainer_type *t = &tune_trainer_logistic;
    cr_assert_str_eq(t->name, "logistic");
    cr_assert_eq(t->tasks, (unsigned)(TUNE_TASK_BINARY | TUNE_TASK_MULTICLASS));
    cr_assert_eq(t->n_hparams, 6);
    const struct tune_hparam *c = &t->hparams[tune_trainer_hparam_index(t, "C")];
    cr_assert_eq(c->type, TUNE_PARAM_FLOAT);
    cr_assert_eq(c->def, 1.0);
    cr_assert(c->low > 0 && c->low <= 1e-12 && isinf(c->high));
    const struct tune_hparam *pen = &t->hparams[tune_trainer_hparam_index(t, "penalty")];
    cr_assert_eq(pen->type, TUNE_PARAM_CATEGORICAL);
    cr_assert_str_eq(pen->choices[(size_t)pen->def], "l2");
    cr_assert_str_eq(pen->choices[1], "l1");
    cr_assert_str_eq(pen->choices[2], "none");
    cr_assert_null(pen->choices[3]);
    const struct tune_hparam *mi = &t->hparams[tune_trainer_hparam_index(t, "max_iter")];
    cr_assert(mi->type == TUNE_PARAM_INT && mi->def == 100 && mi->low == 1 && mi->high == 1e6);
    const struct tune_hparam *tol = &t->hparams[tune_trainer_hparam_index(t, "tol")];
    cr_assert(tol->type == TUNE_PARAM_FLOAT && tol->def == 1e-4);
    const struct tune_hparam *cw = &t->hparams[tune_trainer_hparam_index(t, "class_weight")];
    cr_assert_str_eq(cw->choices[(size_t)cw->def], "none");
    cr_assert_str_eq(cw->choices[1], "balanced");
    const struct tune_hparam *fi = &t->hparams[tune_trainer_hparam_index(t, "fit_intercept")];
    cr_assert(fi->type == TUNE_PARAM_BOOL && fi->def == 1);
    for (size_t i = 0; i < t->n_hparams; i++)
        cr_assert(tune_hparam_accepts(&t->hparams[i], t->hparams[i].def), "%s default",
                  t->hparams[i].name);
    cr_assert_eq(tune_trainer_find("logistic"), t);
}

/* ---- known answers ---- */

Test(logistic, binary_l2_matches_sklearn_to_1e8_relative)
{
    struct hp h;
    hp_init(&h);
    hp_set(&h, "C", 0.7);
    hp_set(&h, "tol", 1e-10);
    hp_set(&h, "max_iter", 10000);
    check_binary(&h, small_l2_coef, small_l2_intercept, 1e-8);
}

Test(logistic, binary_l2_with_default_tol_is_within_1e5_of_the_optimum)
{
    struct hp h;
    hp_init(&h);
    hp_set(&h, "C", 0.7);
    check_binary(&h, small_l2_coef, small_l2_intercept, 1e-5);
}

Test(logistic, binary_l2_without_intercept_matches_sklearn)
{
    struct hp h;
    hp_init(&h);
    hp_set(&h, "C", 0.7);
    hp_set(&h, "tol", 1e-10);
    hp_set(&h, "fit_intercept", 0);
    check_binary(&h, small_l2_no_intercept_coef, small_l2_no_intercept_intercept, 1e-8);
}

Test(logistic, unpenalised_fit_matches_sklearn_maximum_likelihood)
{
    struct hp h;
    hp_init(&h);
    hp_choose(&h, "penalty", "none");
    hp_set(&h, "C", 1e-3);   /* ignored without a penalty */
    hp_set(&h, "tol", 1e-10);
    check_binary(&h, small_none_coef, small_none_intercept, 1e-8);
}

Test(logistic, balanced_class_weights_match_sklearn)
{
    struct hp h;
    hp_init(&h);
    hp_set(&h, "C", 0.7);
    hp_set(&h, "tol", 1e-10);
    hp_choose(&h, "class_weight", "balanced");
    check_binary(&h, small_balanced_coef, small_balanced_intercept, 1e-8);
}

Test(logistic, l1_zeroes_the_same_coefficients_as_sklearn_saga)
{
    struct hp h;
    hp_init(&h);
    hp_choose(&h, "penalty", "l1");
    hp_set(&h, "C", 0.25);
    hp_set(&h, "tol", 1e-10);
    struct tune_matrix x = small_matrix();
    void *model = fit_ok(&x, small_y, TUNE_TASK_BINARY, 2, &h);
    double w[3], b;
    coefficients(model, 3, 2, w, &b);
    for (size_t j = 0; j < 3; j++) {
        if (small_l1_coef[j] == 0)
            cr_assert(w[j] == 0.0, "coef[%zu] = %.17g, expected exactly 0", j, w[j]);
        else
            assert_rel(w[j], small_l1_coef[j], 1e-6, "coef", j);
    }
    assert_rel(b, small_l1_intercept, 1e-6, "intercept", 0);
    tune_trainer_logistic.free_model(model);
}

Test(logistic, multinomial_l2_on_iris_matches_sklearn_coefficients_and_probabilities)
{
    struct tune_matrix x = read_csv("data/iris.csv");
    double *y = split_standardise(&x);
    struct hp h;
    hp_init(&h);
    hp_set(&h, "C", 2.5);
    hp_set(&h, "tol", 1e-10);
    void *model = fit_ok(&x, y, TUNE_TASK_MULTICLASS, 3, &h);
    double w[12], b[3];
    coefficients(model, 4, 3, w, b);
    for (size_t j = 0; j < 12; j++)
        assert_close(w[j], iris_coef[j], 1e-7);
    for (size_t k = 0; k < 3; k++)
        assert_close(b[k], iris_intercept[k], 1e-7);

    struct tune_matrix want = read_csv("tests/data/logistic_iris_proba.csv");
    struct tune_predictions p;
    predict_ok(model, &x, 3, &p);
    cr_assert_eq(want.n_rows, 150);
    for (size_t i = 0; i < 150; i++) {
        size_t best = 0;
        for (size_t k = 0; k < 3; k++) {
            cr_assert(fabs(p.proba[i * 3 + k] - want.data[k * 150 + i]) <= 1e-8,
                      "row %zu class %zu: %.17g, expected %.17g", i, k, p.proba[i * 3 + k],
                      want.data[k * 150 + i]);
            if (p.proba[i * 3 + k] > p.proba[i * 3 + best])
                best = k;
        }
        cr_assert_eq(p.label[i], (int)best, "row %zu: label is not the argmax", i);
    }
    tune_predictions_release(&p);
    tune_trainer_logistic.free_model(model);
    free(want.data);
    free(x.data);
    free(y);
}

Test(logistic, multinomial_l1_on_iris_matches_sklearn_saga_zero_pattern)
{
    struct tune_matrix x = read_csv("data/iris.csv");
    double *y = split_standardise(&x);
    struct hp h;
    hp_init(&h);
    hp_choose(&h, "penalty", "l1");
    hp_set(&h, "C", 0.08);
    hp_set(&h, "tol", 1e-10);
    hp_set(&h, "max_iter", 100000);
    void *model = fit_ok(&x, y, TUNE_TASK_MULTICLASS, 3, &h);
    double w[12], b[3];
    coefficients(model, 4, 3, w, b);
    /* Read back through centred log-probabilities, a column of W is only
     * known up to its mean over the classes; sklearn's l1 optimum has zeros,
     * so compare each column after centring both. */
    for (size_t j = 0; j < 4; j++) {
        double mean = 0;
        for (size_t k = 0; k < 3; k++)
            mean += iris_l1_coef[k * 4 + j] / 3;
        for (size_t k = 0; k < 3; k++)
            assert_close(w[k * 4 + j], iris_l1_coef[k * 4 + j] - mean, 1e-6);
    }
    double bmean = (iris_l1_intercept[0] + iris_l1_intercept[1] + iris_l1_intercept[2]) / 3;
    for (size_t k = 0; k < 3; k++)
        assert_close(b[k], iris_l1_intercept[k] - bmean, 1e-6);
    tune_trainer_logistic.free_model(model);
    free(x.data);
    free(y);
}

Test(logistic, multinomial_balanced_on_wine_matches_sklearn)
{
    struct tune_matrix x = read_csv("data/wine.csv");
    double *y = split_standardise(&x);
    cr_assert_eq(x.n_cols, 13);
    struct hp h;
    hp_init(&h);
    hp_set(&h, "C", 0.35);
    hp_set(&h, "tol", 1e-10);
    hp_choose(&h, "class_weight", "balanced");
    void *model = fit_ok(&x, y, TUNE_TASK_MULTICLASS, 3, &h);
    double w[39], b[3];
    coefficients(model, 13, 3, w, b);
    for (size_t j = 0; j < 39; j++)
        assert_close(w[j], wine_coef[j], 1e-7);
    for (size_t k = 0; k < 3; k++)
        assert_close(b[k], wine_intercept[k], 1e-7);
    tune_trainer_logistic.free_model(model);
    free(x.data);
    free(y);
}

Test(logistic, breast_cancer_probabilities_and_auc_match_sklearn)
{
    struct tune_matrix x = read_csv("data/breast_cancer.csv");
    double *y = split_standardise(&x);
    cr_assert_eq(x.n_rows, 569);
    cr_assert_eq(x.n_cols, 30);
    struct hp h;
    hp_init(&h);
    hp_set(&h, "tol", 1e-10);
    hp_set(&h, "max_iter", 10000);
    void *model = fit_ok(&x, y, TUNE_TASK_BINARY, 2, &h);
    struct tune_matrix want = read_csv("tests/data/logistic_breast_cancer_proba.csv");
    struct tune_predictions p;
    predict_ok(model, &x, 2, &p);
    for (size_t i = 0; i < 569; i++) {
        cr_assert(fabs(p.proba[i * 2 + 1] - want.data[569 + i]) <= 1e-8,
                  "row %zu: P(1) = %.17g, expected %.17g", i, p.proba[i * 2 + 1],
                  want.data[569 + i]);
        cr_assert(fabs(p.proba[i * 2] + p.proba[i * 2 + 1] - 1) <= 1e-15);
        cr_assert_eq(p.label[i], p.proba[i * 2 + 1] > p.proba[i * 2] ? 1 : 0);
    }
    assert_close(auc(y, p.proba, 569), bc_auc, 1e-12);
    double w[30], b;
    coefficients(model, 30, 2, w, &b);
    assert_rel(b, bc_intercept, 1e-7, "intercept", 0);
    tune_predictions_release(&p);
    tune_trainer_logistic.free_model(model);

    /* The defaults (tol 1e-4, max_iter 100) stop early but close. */
    hp_init(&h);
    model = fit_ok(&x, y, TUNE_TASK_BINARY, 2, &h);
    predict_ok(model, &x, 2, &p);
    for (size_t i = 0; i < 569; i++)
        cr_assert(fabs(p.proba[i * 2 + 1] - want.data[569 + i]) <= 1e-5,
                  "default tol, row %zu: P(1) = %.17g, expected %.17g", i, p.proba[i * 2 + 1],
                  want.data[569 + i]);
    assert_close(auc(y, p.proba, 569), bc_auc, 1e-4);
    tune_predictions_release(&p);
    tune_trainer_logistic.free_model(model);
    free(want.data);
    free(x.data);
    free(y);
}

/* ---- awkward inputs ---- */

Test(logistic, a_constant_zero_column_gets_weight_zero_and_changes_nothing)
{
    const char *pens[] = {"l2", "l1", "none"};
    for (size_t t = 0; t < 3; t++) {
        double *data = calloc(160, sizeof(double));
        memcpy(data, small_x, 120 * sizeof(double));   /* column 3 stays zero */
        struct tune_matrix x4 = {40, 4, data}, x3 = small_matrix();
        struct hp h;
        hp_init(&h);
        hp_choose(&h, "penalty", pens[t]);
        hp_set(&h, "C", 0.7);
        hp_set(&h, "tol", 1e-10);
        void *m4 = fit_ok(&x4, small_y, TUNE_TASK_BINARY, 2, &h);
        void *m3 = fit_ok(&x3, small_y, TUNE_TASK_BINARY, 2, &h);
        double w4[4], b4, w3[3], b3;
        coefficients(m4, 4, 2, w4, &b4);
        coefficients(m3, 3, 2, w3, &b3);
        cr_assert(w4[3] == 0.0, "%s: zero column has weight %.17g", pens[t], w4[3]);
        for (size_t j = 0; j < 3; j++)
            assert_close(w4[j], w3[j], 1e-12);
        assert_close(b4, b3, 1e-12);
        tune_trainer_logistic.free_model(m4);
        tune_trainer_logistic.free_model(m3);
        free(data);
    }
}

Test(logistic, without_features_the_intercept_gives_the_class_frequency)
{
    /* The intercept is never penalised, so with no columns the fit is the
     * maximum-likelihood constant: P(class 1) = 27/40 on the binary set. */
    struct tune_matrix none = {40, 0, NULL};
    struct hp h;
    hp_init(&h);
    hp_set(&h, "C", 0.01);
    hp_set(&h, "tol", 1e-12);
    void *model = fit_ok(&none, small_y, TUNE_TASK_BINARY, 2, &h);
    struct tune_predictions p;
    predict_ok(model, &none, 2, &p);
    for (size_t i = 0; i < 40; i++) {
        assert_close(p.proba[i * 2 + 1], 27.0 / 40.0, 1e-12);
        cr_assert_eq(p.label[i], 1);
    }
    tune_predictions_release(&p);
    tune_trainer_logistic.free_model(model);
}

Test(logistic, a_class_absent_from_training_gets_probability_zero)
{
    struct tune_matrix x = read_csv("data/iris.csv");
    double *y = split_standardise(&x);
    struct hp h;
    hp_init(&h);
    hp_set(&h, "C", 2.5);
    hp_set(&h, "tol", 1e-10);
    /* Codes 0..2 present, code 3 declared by the task but never seen. */
    void *m4 = fit_ok(&x, y, TUNE_TASK_MULTICLASS, 4, &h);
    void *m3 = fit_ok(&x, y, TUNE_TASK_MULTICLASS, 3, &h);
    struct tune_predictions p4, p3;
    predict_ok(m4, &x, 4, &p4);
    predict_ok(m3, &x, 3, &p3);
    for (size_t i = 0; i < 150; i++) {
        cr_assert(p4.proba[i * 4 + 3] == 0.0);
        for (size_t k = 0; k < 3; k++)
            cr_assert(p4.proba[i * 4 + k] == p3.proba[i * 3 + k]);
        cr_assert_eq(p4.label[i], p3.label[i]);
    }
    tune_predictions_release(&p4);
    tune_predictions_release(&p3);
    tune_trainer_logistic.free_model(m4);
    tune_trainer_logistic.free_model(m3);
    free(x.data);
    free(y);
}

Test(logistic, two_present_classes_of_a_multiclass_task_fit_a_sigmoid_like_sklearn)
{
    /* Rows of iris classes 1 and 2 only, codes kept: sklearn fits those two
     * as a binary problem, so the model must equal the binary fit on 0/1. */
    struct tune_matrix x = read_csv("data/iris.csv");
    double *y = split_standardise(&x);
    struct tune_matrix sub = {100, 4, malloc(400 * sizeof(double))};
    double ysub[100], ybin[100];
    for (size_t j = 0; j < 4; j++)
        memcpy(sub.data + j * 100, x.data + j * 150 + 50, 100 * sizeof(double));
    for (size_t i = 0; i < 100; i++) {
        ysub[i] = y[50 + i];
        ybin[i] = y[50 + i] - 1;
    }
    struct hp h;
    hp_init(&h);
    hp_set(&h, "C", 1.3);
    void *mm = fit_ok(&sub, ysub, TUNE_TASK_MULTICLASS, 3, &h);
    void *mb = fit_ok(&sub, ybin, TUNE_TASK_BINARY, 2, &h);
    struct tune_predictions pm, pb;
    predict_ok(mm, &sub, 3, &pm);
    predict_ok(mb, &sub, 2, &pb);
    for (size_t i = 0; i < 100; i++) {
        cr_assert(pm.proba[i * 3] == 0.0);
        cr_assert(pm.proba[i * 3 + 1] == pb.proba[i * 2]);
        cr_assert(pm.proba[i * 3 + 2] == pb.proba[i * 2 + 1]);
        cr_assert_eq(pm.label[i], pb.label[i] + 1);
    }
    tune_predictions_release(&pm);
    tune_predictions_release(&pb);
    tune_trainer_logistic.free_model(mm);
    tune_trainer_logistic.free_model(mb);
    free(sub.data);
    free(x.data);
    free(y);
}

Test(logistic, a_single_training_class_predicts_it_with_certainty)
{
    struct tune_matrix x = small_matrix();
    double y[40];
    for (size_t i = 0; i < 40; i++)
        y[i] = 1;
    struct hp h;
    hp_init(&h);
    void *model = fit_ok(&x, y, TUNE_TASK_BINARY, 2, &h);
    struct tune_predictions p;
    predict_ok(model, &x, 2, &p);
    for (size_t i = 0; i < 40; i++) {
        cr_assert_eq(p.label[i], 1);
        cr_assert(p.proba[i * 2] == 0.0 && p.proba[i * 2 + 1] == 1.0);
    }
    tune_predictions_release(&p);
    tune_trainer_logistic.free_model(model);
}

Test(logistic, predictions_without_probabilities_still_get_labels)
{
    struct tune_matrix x = small_matrix();
    struct hp h;
    hp_init(&h);
    hp_set(&h, "C", 0.7);
    void *model = fit_ok(&x, small_y, TUNE_TASK_BINARY, 2, &h);
    struct tune_predictions with, without;
    struct tune_error err = {0};
    predict_ok(model, &x, 2, &with);
    cr_assert_eq(tune_predictions_init(&without, TUNE_TASK_BINARY, 40, 2, 0, &err), TUNE_OK);
    cr_assert_eq(tune_trainer_logistic.predict(model, &x, &without, &err), TUNE_OK, "%s",
                 err.msg);
    size_t agree = 0;
    for (size_t i = 0; i < 40; i++) {
        cr_assert_eq(without.label[i], with.label[i]);
        agree += with.label[i] == (int)small_y[i];
    }
    cr_assert_eq(agree, small_l2_correct);
    tune_predictions_release(&with);
    tune_predictions_release(&without);
    tune_trainer_logistic.free_model(model);
}

Test(logistic, rejects_non_finite_features_naming_the_cell)
{
    double data[120];
    memcpy(data, small_x, sizeof data);
    data[2 * 40 + 17] = NAN;
    struct tune_matrix x = {40, 3, data};
    struct hp h;
    hp_init(&h);
    struct tune_fit_ctx ctx = {.task = TUNE_TASK_BINARY, .n_classes = 2, .seed = 0};
    struct tune_error err = {0};
    void *model = (void *)&h;
    cr_assert_eq(tune_trainer_logistic.fit(&x, small_y, &ctx, &h.params, &model, &err),
                 TUNE_EINVAL);
    cr_assert_null(model);
    cr_assert_not_null(strstr(err.msg, "row 17, column 2"), "%s", err.msg);
}

Test(logistic, rejects_class_codes_outside_the_task)
{
    struct tune_matrix x = small_matrix();
    double y[40];
    memcpy(y, small_y, sizeof y);
    y[23] = 2;
    struct hp h;
    hp_init(&h);
    struct tune_fit_ctx ctx = {.task = TUNE_TASK_BINARY, .n_classes = 2, .seed = 0};
    struct tune_error err = {0};
    void *model = NULL;
    cr_assert_eq(tune_trainer_logistic.fit(&x, y, &ctx, &h.params, &model, &err), TUNE_EINVAL);
    cr_assert_not_null(strstr(err.msg, "row 23"), "%s", err.msg);
    ctx.task = TUNE_TASK_REGRESSION;
    cr_assert_eq(tune_trainer_logistic.fit(&x, small_y, &ctx, &h.params, &model, &err),
                 TUNE_EINVAL);
}

Test(logistic, rejects_out_of_range_hyperparameters_naming_them)
{
    struct tune_matrix x = small_matrix();
    struct hp h;
    hp_init(&h);
    hp_set(&h, "C", 0);
    struct tune_fit_ctx ctx = {.task = TUNE_TASK_BINARY, .n_classes = 2, .seed = 0};
    struct tune_error err = {0};
    void *model = NULL;
    cr_assert_eq(tune_trainer_logistic.fit(&x, small_y, &ctx, &h.params, &model, &err),
                 TUNE_EINVAL);
    cr_assert_not_null(strstr(err.msg, "C"), "%s", err.msg);
}

Test(logistic, predict_rejects_a_matrix_of_another_width)
{
    struct tune_matrix x = small_matrix();
    struct hp h;
    hp_init(&h);
    void *model = fit_ok(&x, small_y, TUNE_TASK_BINARY, 2, &h);
    struct tune_matrix narrow = {40, 2, (double *)small_x};
    struct tune_predictions p;
    struct tune_error err = {0};
    cr_assert_eq(tune_predictions_init(&p, TUNE_TASK_BINARY, 40, 2, 1, &err), TUNE_OK);
    cr_assert_eq(tune_trainer_logistic.predict(model, &narrow, &p, &err), TUNE_EINVAL);
    cr_assert_not_null(strstr(err.msg, "2 columns"), "%s", err.msg);
    tune_predictions_release(&p);
    tune_trainer_logistic.free_model(model);
    tune_trainer_logistic.free_model(NULL);
}
