/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_linear.c — the `linear` trainer: least squares, ridge, lasso, elastic
 * net and sgd, against closed forms and scikit-learn 1.2.
 *
 * Every reference number between the markers below was printed by
 * bench/reference/linear_ref.py (run: /usr/bin/python3
 * bench/reference/linear_ref.py); lasso and elastic-net references are fits
 * run to a relative duality gap below 1e-12 (printed with each).
 *
 * The model is opaque, so coefficients are read back through predict: the
 * prediction at x = 0 is the intercept and at x = e_j it moves by w_j. */
#include "testutil.h"
#include "trainer_testutil.h"

#include <gsl/gsl_linalg.h>

/* ---- reference values: output of bench/reference/linear_ref.py ---- */
/* small set: 30 rows, 5 columns, column-major */
static const double small_x[150] = {
    0.188811, 0.078304, -0.331285, -1.070037, 0.434799,
    0.197407, 1.155945, -0.623652, -0.105542, 0.268072,
    -0.409135, 1.276603, -1.121024, 1.184274, 2.585262,
    1.027157, 0.186775, 0.794906, -0.720080, 1.277910,
    0.602991, 1.497693, -0.056355, 1.375257, 0.210620,
    0.210534, 0.031785, -0.298836, -0.076753, 0.313736,
    -2.494334, -3.015126, -0.175762, -3.169223, -3.368618,
    0.940045, -0.637098, -3.371617, -2.006210, -2.855770,
    -1.052241, -4.188254, -2.460474, -0.367922, -1.322317,
    -4.203497, -2.453707, 3.628017, -0.724413, 3.046094,
    -2.450557, -0.832087, -1.074831, -3.858833, -1.987882,
    -2.202216, -2.482608, -3.260068, 1.217529, -0.711764,
    2.104717, 2.068976, 2.309709, 2.223590, 2.137039,
    2.141729, 3.187589, 1.987146, 0.667425, 1.997138,
    1.657283, 1.043102, 1.997221, 2.639403, 1.575840,
    2.507751, 2.107151, 1.301570, 2.366827, 2.272884,
    0.984360, 2.567740, 2.980080, 1.510197, 1.011219,
    2.554328, 1.814384, 2.026710, 1.286075, 2.709218,
    -2.326866, -2.536916, -1.206221, 1.114451, -1.060396,
    1.779473, -2.550670, -1.963727, -1.135721, -0.667387,
    1.110931, -0.713010, -0.046225, 1.221644, 0.780194,
    -1.643036, -0.747901, 1.501718, -1.184113, 1.229840,
    0.372391, 0.211528, -1.635804, -1.624884, -1.382925,
    -1.177631, 0.048544, 0.440630, 1.801512, 1.898218,
    5.881802, 4.508920, 2.107179, 5.709279, 5.742850,
    3.734535, 7.710201, 1.296799, 4.547668, 8.637846,
    1.988200, 5.285593, 7.714254, 1.561597, 3.485411,
    6.164771, 2.606977, 8.352829, 8.345575, 10.617561,
    1.071629, 8.838827, 5.596834, 8.660343, 7.872250,
    10.001470, 7.173622, 7.719492, 1.614577, 5.152616,
};
static const double small_y[30] = {
    0.985496, -1.722979, 0.311674, 4.937901, 3.430387,
    6.446657, -0.816143, -0.008973, 2.202774, 3.967777,
    4.754443, 5.905428, 2.697169, 8.994506, 10.034787,
    1.719335, 2.588274, 6.880999, 0.575403, 7.244622,
    5.009048, 7.764925, 0.369939, 2.768862, 0.973919,
    2.873285, 3.408931, 5.862744, 6.605738, 8.194403,
};
/* ols */
static const double ols_coef[5] = {
    1.5762740671417672, -0.33220282912674287, 0.05997867493591566, 2.1535456825350261,
    0.050266678696141966,
};
static const double ols_intercept = 3.092423338587114;
/* ols_no_intercept */
static const double ols_no_intercept_coef[5] = {
    1.6788607175195782, -0.54039931997247126, 1.0658229337730263, 2.3762622521972401,
    0.15985764515990919,
};
static const double ols_no_intercept_intercept = 0;
/* ridge: Ridge(alpha=2.385) */
static const double ridge_coef[5] = {
    1.399337476673153, -0.25821082251257099, -0.0057672483418649487, 2.0119998309828544,
    0.045390274404872234,
};
static const double ridge_intercept = 3.3809255959314068;
/* ridge_no_intercept: Ridge(alpha=0.7, fit_intercept=False) */
static const double ridge_no_intercept_coef[5] = {
    1.6233719330899421, -0.52446716129732895, 1.048007279114451, 2.3361034301819132,
    0.16904282638823626,
};
static const double ridge_no_intercept_intercept = 0;
/* lasso: Lasso(alpha=0.0713), n_iter 27, rel gap 3.8e-13 */
static const double lasso_coef[5] = {
    1.4606931416311411, -0.26709038783081018, 0, 2.062206613623093,
    0.038098956165350542,
};
static const double lasso_intercept = 3.3927719638382867;
/* lasso_big: Lasso(alpha=0.9), n_iter 8, rel gap 1.0e-16 */
static const double lasso_big_coef[5] = {
    0.19656046408104785, 0, -0, 1.4494110922469414,
    0,
};
static const double lasso_big_intercept = 4.2535590443076963;
/* enet: ElasticNet(alpha=0.0531, l1_ratio=0.37), n_iter 26, rel gap 7.0e-13 */
static const double enet_coef[5] = {
    1.4657843368305619, -0.28099982289391917, 0, 2.0655373258488776,
    0.045396653335120232,
};
static const double enet_intercept = 3.3286930064206333;
/* ols_rank_deficient: column 2 = 2 * column 0, minimum-norm solution */
static const double ols_rank_deficient_coef[5] = {
    0.31476090141961793, -0.32822845616286173, 0.62952180283923664, 2.1474090661786129,
    0.052451494513353042,
};
static const double ols_rank_deficient_intercept = 3.204609823456269;
/* wide set: 8 rows, 12 columns, column-major */
static const double wide_x[96] = {
    0.866086, 0.957805, 0.018770, 1.159973, -1.503616, -0.100400,
    0.099283, 0.875159, -0.424157, 0.490033, -1.345581, -1.485598,
    -0.859064, -0.321242, -0.035902, 0.144388, 0.055780, -0.541339,
    -0.388931, -0.315540, 0.159709, -1.288442, 0.116886, -0.090123,
    1.635002, 0.628267, 0.682202, 1.248971, 0.368882, -0.970611,
    -1.059699, -0.613738, -0.844870, 0.153865, -0.184303, 0.703018,
    -0.624254, -0.645344, -0.287042, -1.325872, 1.821685, 1.179181,
    0.120104, -0.062049, -0.701820, -0.781950, 1.792060, 0.426741,
    -1.686116, 0.389870, 1.145176, -0.887862, -0.027077, -1.897873,
    0.326368, 0.358125, -0.856448, -0.795929, 0.633481, 0.296123,
    0.124923, -0.323710, -0.163892, -0.659844, 0.900917, -0.125389,
    -1.598744, -0.068271, 1.964022, -0.098926, -0.450059, -0.558617,
    -0.662844, -1.552321, 0.366644, 0.821405, -0.383950, -0.306152,
    0.378370, -1.093405, -0.318335, 0.629265, -0.935861, 0.388248,
    0.537464, 0.814339, 0.005672, -0.989420, 0.789582, 0.447038,
    -2.224899, 0.729121, -1.712829, -0.171036, 0.216306, -0.347979,
};
static const double wide_y[8] = {
    0.014865, 0.799603, 0.120738, 1.381460,
    -1.290683, -0.245941, -1.064064, 1.026468,
};
/* wide_ols: minimum-norm solution */
static const double wide_ols_coef[12] = {
    0.82043896829669105, -0.08647618686656057, 0.070471292178812206, 0.20331505914370646,
    0.06224029823820347, -0.72888134422017758, 0.26749576322360918, -0.050806818374166146,
    -0.10751021086301965, -0.25575065594402008, -0.26439110724634518, 0.39320833364088176,
};
static const double wide_ols_intercept = 0.25185588257550651;
/* wide_ridge: Ridge(alpha=0.45) */
static const double wide_ridge_coef[12] = {
    0.70143752960605699, -0.068335348134969942, 0.0043246876536601614, 0.22070125679661837,
    0.07295743374253516, -0.5737806239528882, 0.19134487189827518, -0.049272017223645548,
    -0.15663801153278495, -0.23346497341067396, -0.20757827104897802, 0.31434053479142154,
};
static const double wide_ridge_intercept = 0.165111162912563;
/* wide_lasso: Lasso(alpha=0.05), n_iter 24, rel gap 9.5e-14 */
static const double wide_lasso_coef[12] = {
    1.0752742430469584, -0, 0, 0.093155526940342778,
    0, -0.4184226163825292, 0.10927754576230694, -0,
    -0, -0.033411206792756165, -0, -0,
};
static const double wide_lasso_intercept = -0.029092326532117699;
/* diabetes_lasso: Lasso(alpha=0.1) on data/diabetes.csv, n_iter 44, rel gap 7.3e-14 */
static const double diabetes_lasso_coef[10] = {
    -0, -155.34311062478324, 517.21624120281035, 275.08722292815156,
    -52.552035811884124, -0, -210.13950903531091, 0,
    483.9171745719903, 33.662192143248859,
};
static const double diabetes_lasso_intercept = 152.13348416289602;
/* diabetes_enet: ElasticNet(alpha=0.002, l1_ratio=0.6), n_iter 40, rel gap 1.2e-13 */
static const double diabetes_enet_coef[10] = {
    14.689833992438912, -152.59847099808911, 415.54986098053865, 262.0511365771867,
    -26.286366166153812, -69.000989435235311, -182.48344551390093, 121.20803358331017,
    357.90580915427785, 106.37083429905971,
};
static const double diabetes_enet_intercept = 152.13348416289602;
/* diabetes_ridge: Ridge(alpha=0.31) */
static const double diabetes_ridge_coef[10] = {
    13.235341613461035, -160.91557730511278, 426.5637122432467, 268.1806757877502,
    -31.563502704077706, -72.752455829514588, -184.78391924245787, 121.57901176941826,
    368.61584613758049, 104.62432962579132,
};
static const double diabetes_ridge_intercept = 152.13348416289602;
/* ---- end of reference values ---- */

/* ---- helpers ---- */

static struct tune_matrix small_matrix(void)
{
    return (struct tune_matrix){30, 5, (double *)small_x};
}

static struct tune_matrix wide_matrix(void)
{
    return (struct tune_matrix){8, 12, (double *)wide_x};
}

static void lin_init(struct tt_hp *h, const char *penalty, double alpha)
{
    tt_hp_init(h, &tune_trainer_linear);
    tt_hp_choose(h, "penalty", penalty);
    tt_hp_set(h, "alpha", alpha);
}

/* Fit, then read w (d) and b back through predict. */
static void coefficients(const struct tt_hp *h, const struct tune_matrix *x, const double *y,
                         double *w, double *b)
{
    size_t d = x->n_cols, rows = d + 1;
    void *model = tt_fit(h, x, y, TUNE_TASK_REGRESSION, 0, 11);
    struct tune_matrix probe = {rows, d, calloc(rows * d + 1, sizeof(double))};
    for (size_t j = 0; j < d; j++)
        probe.data[j * rows + (j + 1)] = 1.0;
    struct tune_predictions p;
    tt_predict(h, model, &probe, TUNE_TASK_REGRESSION, 0, &p);
    *b = p.value[0];
    for (size_t j = 0; j < d; j++)
        w[j] = p.value[j + 1] - p.value[0];
    tune_predictions_release(&p);
    free(probe.data);
    h->t->free_model(model);
}

/* |got - want| <= tol * max(1, |want|) for every coefficient and the
 * intercept. */
static void check_fit(const struct tt_hp *h, const struct tune_matrix *x, const double *y,
                      const double *coef, double intercept, double tol)
{
    double w[16], b;
    cr_assert_leq(x->n_cols, 16);
    coefficients(h, x, y, w, &b);
    for (size_t j = 0; j < x->n_cols; j++)
        cr_assert(fabs(w[j] - coef[j]) <= tol * fmax(1.0, fabs(coef[j])),
                  "coef[%zu] = %.17g, expected %.17g (tol %g)", j, w[j], coef[j], tol);
    cr_assert(fabs(b - intercept) <= tol * fmax(1.0, fabs(intercept)),
              "intercept = %.17g, expected %.17g (tol %g)", b, intercept, tol);
}

static struct tune_matrix diabetes(double **y)
{
    struct tune_matrix m = tt_read_csv("data/diabetes.csv");
    *y = tt_split_target(&m);
    return m;
}

/* The closed form (Xc^T Xc + alpha I)^{-1} Xc^T yc, solved by LU, with
 * b = mean(y) - mean(X) w: centred ridge (alpha = 0: least squares). */
static void closed_form(const struct tune_matrix *x, const double *y, double alpha, double *w,
                        double *b)
{
    size_t n = x->n_rows, d = x->n_cols;
    double mean[16], ym = 0;
    for (size_t i = 0; i < n; i++)
        ym += y[i] / (double)n;
    for (size_t j = 0; j < d; j++) {
        mean[j] = 0;
        for (size_t i = 0; i < n; i++)
            mean[j] += x->data[j * n + i] / (double)n;
    }
    gsl_matrix *a = gsl_matrix_alloc(d, d);
    gsl_vector *rhs = gsl_vector_alloc(d), *sol = gsl_vector_alloc(d);
    gsl_permutation *p = gsl_permutation_alloc(d);
    for (size_t j = 0; j < d; j++) {
        double r = 0;
        for (size_t i = 0; i < n; i++)
            r += (x->data[j * n + i] - mean[j]) * (y[i] - ym);
        gsl_vector_set(rhs, j, r);
        for (size_t k = 0; k < d; k++) {
            double s = 0;
            for (size_t i = 0; i < n; i++)
                s += (x->data[j * n + i] - mean[j]) * (x->data[k * n + i] - mean[k]);
            gsl_matrix_set(a, j, k, s + (j == k ? alpha : 0));
        }
    }
    int sign;
    gsl_linalg_LU_decomp(a, p, &sign);
    gsl_linalg_LU_solve(a, p, rhs, sol);
    *b = ym;
    for (size_t j = 0; j < d; j++) {
        w[j] = gsl_vector_get(sol, j);
        *b -= mean[j] * w[j];
    }
    gsl_matrix_free(a);
    gsl_vector_free(rhs);
    gsl_vector_free(sol);
    gsl_permutation_free(p);
}

/* ---- declared interface ---- */

Test(linear, declares_its_hyperparameters_with_sklearn_defaults)
{
    const struct tune_trainer_type *t = &tune_trainer_linear;
    cr_assert_str_eq(t->name, "linear");
    cr_assert_eq(t->tasks, (unsigned)TUNE_TASK_REGRESSION);
    cr_assert_eq(tune_trainer_find("linear"), t);
    const struct tune_hparam *pen = tt_hparam(t, "penalty");
    cr_assert_eq(pen->type, TUNE_PARAM_CATEGORICAL);
    const char *want[] = {"none", "l2", "l1", "elasticnet"};
    for (size_t k = 0; k < 4; k++)
        cr_assert_str_eq(pen->choices[k], want[k]);
    cr_assert_null(pen->choices[4]);
    cr_assert_str_eq(pen->choices[(size_t)pen->def], "none");
    const struct tune_hparam *alpha = tt_hparam(t, "alpha");
    cr_assert(alpha->type == TUNE_PARAM_FLOAT && alpha->def == 1.0 && alpha->low == 0 &&
              isinf(alpha->high));
    const struct tune_hparam *ratio = tt_hparam(t, "l1_ratio");
    cr_assert(ratio->def == 0.5 && ratio->low == 0 && ratio->high == 1);
    cr_assert_eq(tt_hparam(t, "fit_intercept")->type, TUNE_PARAM_BOOL);
    const struct tune_hparam *solver = tt_hparam(t, "solver");
    cr_assert_str_eq(solver->choices[(size_t)solver->def], "auto");
    cr_assert_str_eq(solver->choices[1], "sgd");
    cr_assert_eq(tt_hparam(t, "max_iter")->def, 1000);
    cr_assert_eq(tt_hparam(t, "tol")->def, 1e-4);
    cr_assert_eq(tt_hparam(t, "learning_rate")->def, 0.01);
    const struct tune_hparam *sched = tt_hparam(t, "schedule");
    cr_assert_str_eq(sched->choices[(size_t)sched->def], "invscaling");
    cr_assert_eq(tt_hparam(t, "power_t")->def, 0.25);
    cr_assert_eq(tt_hparam(t, "epochs")->type, TUNE_PARAM_INT);
    for (size_t i = 0; i < t->n_hparams; i++)
        cr_assert(tune_hparam_accepts(&t->hparams[i], t->hparams[i].def), "%s default",
                  t->hparams[i].name);
    cr_assert_not_null(t->importances);
}

/* ---- closed forms ---- */

Test(linear, least_squares_solves_the_normal_equations)
{
    struct tune_matrix x = small_matrix();
    struct tt_hp h;
    lin_init(&h, "none", 1.0);
    double w[5], b;
    closed_form(&x, small_y, 0.0, w, &b);
    check_fit(&h, &x, small_y, w, b, 1e-10);
}

Test(linear, ridge_solves_its_penalised_normal_equations)
{
    struct tune_matrix x = small_matrix();
    struct tt_hp h;
    lin_init(&h, "l2", 2.385);
    double w[5], b;
    closed_form(&x, small_y, 2.385, w, &b);
    check_fit(&h, &x, small_y, w, b, 1e-10);
}

Test(linear, lasso_on_an_orthogonal_design_soft_thresholds_and_zeroes_the_small_coefficients)
{
    /* Columns of a Hadamard matrix: centred, orthogonal, X^T X = 8 I, so the
     * lasso solution is w_j = soft(x_j . y / 8, alpha) exactly (Tibshirani
     * 1996, section 2.2): here x_j . y / 8 = (1.2375, -0.1375, 0.6125,
     * 0.0875) and alpha = 0.3 keeps columns 0 and 2 and zeroes 1 and 3. */
    static const double hx[32] = {
        1, -1, 1, -1, 1, -1, 1, -1,
        1, 1, -1, -1, 1, 1, -1, -1,
        1, -1, -1, 1, 1, -1, -1, 1,
        1, 1, 1, 1, -1, -1, -1, -1,
    };
    static const double hy[8] = {2.25, -1.45, 1.3, 0.05, 2.075, -1.625, 1.125, -0.125};
    struct tune_matrix x = {8, 4, (double *)hx};
    double z[4], ym = 0;
    for (size_t i = 0; i < 8; i++)
        ym += hy[i] / 8;
    for (size_t j = 0; j < 4; j++) {
        z[j] = 0;
        for (size_t i = 0; i < 8; i++)
            z[j] += hx[j * 8 + i] * hy[i] / 8;
    }
    struct tt_hp h;
    lin_init(&h, "l1", 0.3);
    tt_hp_set(&h, "tol", 1e-12);
    double w[4], b;
    coefficients(&h, &x, hy, w, &b);
    for (size_t j = 0; j < 4; j++) {
        double want = z[j] > 0.3 ? z[j] - 0.3 : z[j] < -0.3 ? z[j] + 0.3 : 0.0;
        if (want == 0)
            cr_assert(w[j] == 0.0, "w[%zu] = %.17g should be exactly 0", j, w[j]);
        else
            assert_close(w[j], want, 1e-12);
    }
    cr_assert(w[1] == 0.0 && w[3] == 0.0 && w[0] != 0.0 && w[2] != 0.0);
    assert_close(b, ym, 1e-12);
}

/* ---- scikit-learn known answers ---- */

Test(linear, least_squares_matches_sklearn_linear_regression)
{
    struct tune_matrix x = small_matrix();
    struct tt_hp h;
    lin_init(&h, "none", 1.0);
    check_fit(&h, &x, small_y, ols_coef, ols_intercept, 1e-10);
    tt_hp_set(&h, "fit_intercept", 0);
    check_fit(&h, &x, small_y, ols_no_intercept_coef, ols_no_intercept_intercept, 1e-10);
}

Test(linear, rank_deficient_least_squares_gives_sklearns_minimum_norm_solution)
{
    double xr[150];
    memcpy(xr, small_x, sizeof xr);
    for (size_t i = 0; i < 30; i++)
        xr[2 * 30 + i] = 2 * xr[i];
    struct tune_matrix x = {30, 5, xr};
    struct tt_hp h;
    lin_init(&h, "none", 1.0);
    check_fit(&h, &x, small_y, ols_rank_deficient_coef, ols_rank_deficient_intercept, 1e-8);
}

Test(linear, more_columns_than_rows_gives_the_minimum_norm_solution)
{
    struct tune_matrix x = wide_matrix();
    struct tt_hp h;
    lin_init(&h, "none", 1.0);
    check_fit(&h, &x, wide_y, wide_ols_coef, wide_ols_intercept, 1e-8);
}

Test(linear, ridge_matches_sklearn_ridge_with_and_without_intercept)
{
    struct tune_matrix x = small_matrix();
    struct tt_hp h;
    lin_init(&h, "l2", 2.385);
    check_fit(&h, &x, small_y, ridge_coef, ridge_intercept, 1e-10);
    lin_init(&h, "l2", 0.7);
    tt_hp_set(&h, "fit_intercept", 0);
    check_fit(&h, &x, small_y, ridge_no_intercept_coef, ridge_no_intercept_intercept, 1e-10);
}

Test(linear, ridge_with_more_columns_than_rows_matches_sklearn)
{
    struct tune_matrix x = wide_matrix();
    struct tt_hp h;
    lin_init(&h, "l2", 0.45);
    check_fit(&h, &x, wide_y, wide_ridge_coef, wide_ridge_intercept, 1e-10);
}

Test(linear, ridge_with_alpha_zero_is_least_squares)
{
    struct tune_matrix x = small_matrix();
    struct tt_hp h;
    lin_init(&h, "l2", 0.0);
    check_fit(&h, &x, small_y, ols_coef, ols_intercept, 1e-10);
}

Test(linear, lasso_matches_sklearn_to_1e6)
{
    struct tune_matrix x = small_matrix();
    struct tt_hp h;
    lin_init(&h, "l1", 0.0713);
    tt_hp_set(&h, "tol", 1e-12);
    check_fit(&h, &x, small_y, lasso_coef, lasso_intercept, 1e-6);
}

Test(linear, a_strong_lasso_zeroes_the_coefficients_sklearn_zeroes)
{
    struct tune_matrix x = small_matrix();
    struct tt_hp h;
    lin_init(&h, "l1", 0.9);
    tt_hp_set(&h, "tol", 1e-12);
    check_fit(&h, &x, small_y, lasso_big_coef, lasso_big_intercept, 1e-6);
    double w[5], b;
    coefficients(&h, &x, small_y, w, &b);
    for (size_t j = 0; j < 5; j++)
        cr_assert_eq(w[j] == 0.0, lasso_big_coef[j] == 0.0, "w[%zu] = %g, sklearn %g", j, w[j],
                     lasso_big_coef[j]);
}

Test(linear, elastic_net_matches_sklearn_to_1e6)
{
    struct tune_matrix x = small_matrix();
    struct tt_hp h;
    lin_init(&h, "elasticnet", 0.0531);
    tt_hp_set(&h, "l1_ratio", 0.37);
    tt_hp_set(&h, "tol", 1e-12);
    check_fit(&h, &x, small_y, enet_coef, enet_intercept, 1e-6);
}

Test(linear, lasso_with_more_columns_than_rows_matches_sklearn)
{
    /* n < d: the residual-update path rather than the Gram matrix. */
    struct tune_matrix x = wide_matrix();
    struct tt_hp h;
    lin_init(&h, "l1", 0.05);
    tt_hp_set(&h, "tol", 1e-12);
    check_fit(&h, &x, wide_y, wide_lasso_coef, wide_lasso_intercept, 1e-6);
}

Test(linear, diabetes_lasso_elastic_net_and_ridge_match_sklearn)
{
    double *y;
    struct tune_matrix x = diabetes(&y);
    struct tt_hp h;
    lin_init(&h, "l1", 0.1);
    tt_hp_set(&h, "tol", 1e-12);
    check_fit(&h, &x, y, diabetes_lasso_coef, diabetes_lasso_intercept, 1e-6);
    lin_init(&h, "elasticnet", 0.002);
    tt_hp_set(&h, "l1_ratio", 0.6);
    tt_hp_set(&h, "tol", 1e-12);
    check_fit(&h, &x, y, diabetes_enet_coef, diabetes_enet_intercept, 1e-6);
    lin_init(&h, "l2", 0.31);
    check_fit(&h, &x, y, diabetes_ridge_coef, diabetes_ridge_intercept, 1e-9);
    free(x.data);
    free(y);
}

Test(linear, lasso_at_the_default_tolerance_is_close_to_the_optimum)
{
    double *y;
    struct tune_matrix x = diabetes(&y);
    struct tt_hp h;
    lin_init(&h, "l1", 0.1);
    check_fit(&h, &x, y, diabetes_lasso_coef, diabetes_lasso_intercept, 1e-2);
    free(x.data);
    free(y);
}

Test(linear, a_single_coordinate_descent_sweep_is_not_the_optimum)
{
    /* max_iter really bounds the sweeps: one sweep from zero is far off. */
    double *y;
    struct tune_matrix x = diabetes(&y);
    struct tt_hp h;
    lin_init(&h, "l1", 0.1);
    tt_hp_set(&h, "max_iter", 1);
    double w[10], b;
    coefficients(&h, &x, y, w, &b);
    double worst = 0;
    for (size_t j = 0; j < 10; j++)
        worst = fmax(worst, fabs(w[j] - diabetes_lasso_coef[j]));
    cr_assert_gt(worst, 1.0, "one sweep landed within %g of the optimum", worst);
    free(x.data);
    free(y);
}

/* ---- sgd ---- */

/* The small set, standardised: well-conditioned, as SGD wants. */
static struct tune_matrix small_standardised(void)
{
    struct tune_matrix x = {30, 5, malloc(sizeof small_x)};
    memcpy(x.data, small_x, sizeof small_x);
    tt_standardise(&x);
    return x;
}

Test(linear, sgd_approaches_the_ridge_solution_of_the_same_alpha)
{
    struct tune_matrix x = small_standardised();
    struct tt_hp h;
    lin_init(&h, "l2", 3.7);
    tt_hp_choose(&h, "solver", "sgd");
    tt_hp_set(&h, "epochs", 2000);
    tt_hp_set(&h, "tol", 0);
    double w[5], b, w0[5], b0;
    coefficients(&h, &x, small_y, w, &b);
    closed_form(&x, small_y, 3.7, w0, &b0);
    for (size_t j = 0; j < 5; j++)
        cr_assert(fabs(w[j] - w0[j]) <= 0.05, "w[%zu] = %.6f, ridge %.6f", j, w[j], w0[j]);
    cr_assert(fabs(b - b0) <= 0.05, "b = %.6f, ridge %.6f", b, b0);
    free(x.data);
}

Test(linear, sgd_lasso_zeroes_the_coefficients_the_exact_lasso_zeroes)
{
    struct tune_matrix x = small_standardised();
    struct tt_hp h;
    lin_init(&h, "l1", 0.4);
    tt_hp_set(&h, "tol", 1e-12);
    double w0[5], b0, w[5], b;
    coefficients(&h, &x, small_y, w0, &b0);
    tt_hp_choose(&h, "solver", "sgd");
    tt_hp_set(&h, "epochs", 2000);
    tt_hp_set(&h, "tol", 0);
    coefficients(&h, &x, small_y, w, &b);
    size_t zeros = 0;
    for (size_t j = 0; j < 5; j++) {
        zeros += w0[j] == 0;
        if (w0[j] == 0)
            cr_assert_eq(w[j], 0.0, "w[%zu] = %g, exact lasso 0", j, w[j]);
        else
            cr_assert(fabs(w[j] - w0[j]) <= 0.05, "w[%zu] = %.6f, lasso %.6f", j, w[j], w0[j]);
    }
    cr_assert_geq(zeros, 2, "the case should zero several coefficients");
    free(x.data);
}

Test(linear, sgd_is_reproducible_for_a_seed_and_changes_with_it)
{
    struct tune_matrix x = small_matrix();
    struct tt_hp h;
    lin_init(&h, "elasticnet", 0.05);
    tt_hp_choose(&h, "solver", "sgd");
    tt_hp_set(&h, "epochs", 20);
    double out[3][6];
    uint64_t seeds[3] = {5, 5, 6};
    for (size_t r = 0; r < 3; r++) {
        void *m = tt_fit(&h, &x, small_y, TUNE_TASK_REGRESSION, 0, seeds[r]);
        struct tune_predictions p;
        struct tune_matrix one = {1, 5, (double[]){0.3, -1.1, 2.0, 0.5, 4.4}};
        tt_predict(&h, m, &one, TUNE_TASK_REGRESSION, 0, &p);
        cr_assert_eq(tune_trainer_linear.importances(m, out[r], 5, NULL), TUNE_OK);
        out[r][5] = p.value[0];
        tune_predictions_release(&p);
        tune_trainer_linear.free_model(m);
    }
    cr_assert_arr_eq(out[0], out[1], sizeof out[0]);
    cr_assert(memcmp(out[0], out[2], sizeof out[0]) != 0, "seed 6 gave seed 5's model");
}

Test(linear, sgd_with_a_huge_learning_rate_fails_with_a_numeric_error)
{
    struct tune_matrix x = small_matrix();
    struct tt_hp h;
    lin_init(&h, "none", 1.0);
    tt_hp_choose(&h, "solver", "sgd");
    tt_hp_choose(&h, "schedule", "constant");
    tt_hp_set(&h, "learning_rate", 1e300);
    tt_hp_set(&h, "epochs", 50);
    struct tune_error err = {0};
    cr_assert_eq(tt_fit_fails(&h, &x, small_y, TUNE_TASK_REGRESSION, 0, &err), TUNE_ENUMERIC);
    cr_assert_not_null(strstr(err.msg, "learning_rate"), "%s", err.msg);
}

/* ---- importances, shapes, errors ---- */

Test(linear, importances_are_the_absolute_coefficients)
{
    struct tune_matrix x = small_matrix();
    struct tt_hp h;
    lin_init(&h, "l1", 0.9);
    tt_hp_set(&h, "tol", 1e-12);
    void *m = tt_fit(&h, &x, small_y, TUNE_TASK_REGRESSION, 0, 1);
    double imp[5];
    struct tune_error err = {0};
    cr_assert_eq(tune_trainer_linear.importances(m, imp, 5, &err), TUNE_OK);
    for (size_t j = 0; j < 5; j++)
        assert_close(imp[j], fabs(lasso_big_coef[j]), 1e-6);
    cr_assert_eq(tune_trainer_linear.importances(m, imp, 4, &err), TUNE_EINVAL);
    tune_trainer_linear.free_model(m);
}

Test(linear, without_features_the_intercept_is_the_mean)
{
    struct tune_matrix x = {30, 0, NULL};
    struct tt_hp h;
    lin_init(&h, "l2", 1.0);
    void *m = tt_fit(&h, &x, small_y, TUNE_TASK_REGRESSION, 0, 1);
    struct tune_predictions p;
    tt_predict(&h, m, &x, TUNE_TASK_REGRESSION, 0, &p);
    double mean = 0;
    for (size_t i = 0; i < 30; i++)
        mean += small_y[i] / 30;
    assert_close(p.value[7], mean, 1e-12);
    tune_predictions_release(&p);
    tune_trainer_linear.free_model(m);
}

Test(linear, refuses_classification_tasks)
{
    struct tune_matrix x = small_matrix();
    struct tt_hp h;
    lin_init(&h, "none", 1.0);
    struct tune_error err = {0};
    cr_assert_eq(tt_fit_fails(&h, &x, small_y, TUNE_TASK_BINARY, 2, &err), TUNE_EINVAL);
    cr_assert_not_null(strstr(err.msg, "not regression"), "%s", err.msg);
}

Test(linear, a_missing_value_is_named_by_row_and_column)
{
    double xr[150];
    memcpy(xr, small_x, sizeof xr);
    xr[3 * 30 + 17] = NAN;
    struct tune_matrix x = {30, 5, xr};
    struct tt_hp h;
    lin_init(&h, "l1", 0.1);
    struct tune_error err = {0};
    cr_assert_eq(tt_fit_fails(&h, &x, small_y, TUNE_TASK_REGRESSION, 0, &err), TUNE_EINVAL);
    cr_assert_not_null(strstr(err.msg, "row 17, column 3"), "%s", err.msg);
}

Test(linear, an_out_of_range_hyperparameter_is_named)
{
    struct tune_matrix x = small_matrix();
    struct tt_hp h;
    lin_init(&h, "l2", -1.0);
    struct tune_error err = {0};
    cr_assert_eq(tt_fit_fails(&h, &x, small_y, TUNE_TASK_REGRESSION, 0, &err), TUNE_EINVAL);
    cr_assert_not_null(strstr(err.msg, "alpha"), "%s", err.msg);
}

Test(linear, predicting_with_the_wrong_number_of_columns_is_an_error)
{
    struct tune_matrix x = small_matrix();
    struct tt_hp h;
    lin_init(&h, "none", 1.0);
    void *m = tt_fit(&h, &x, small_y, TUNE_TASK_REGRESSION, 0, 1);
    struct tune_matrix bad = {30, 4, (double *)small_x};
    struct tune_predictions p;
    struct tune_error err = {0};
    cr_assert_eq(tune_predictions_init(&p, TUNE_TASK_REGRESSION, 30, 0, 0, &err), TUNE_OK);
    cr_assert_eq(tune_trainer_linear.predict(m, &bad, &p, &err), TUNE_EINVAL);
    cr_assert_not_null(strstr(err.msg, "4 columns"), "%s", err.msg);
    tune_predictions_release(&p);
    tune_trainer_linear.free_model(m);
}

Test(linear, the_cancel_flag_stops_an_sgd_fit_with_an_error)
{
    struct tune_matrix x = small_matrix();
    struct tt_hp h;
    lin_init(&h, "l2", 1.0);
    tt_hp_choose(&h, "solver", "sgd");
    volatile sig_atomic_t stop = 1;
    struct tune_fit_ctx ctx = {.task = TUNE_TASK_REGRESSION, .seed = 1, .n_threads = 1,
                               .cancel = &stop};
    void *model = NULL;
    struct tune_error err = {0};
    cr_assert_eq(tune_trainer_linear.fit(&x, small_y, &ctx, &h.params, &model, &err),
                 TUNE_ETRAINER);
    cr_assert_null(model);
    cr_assert_not_null(strstr(err.msg, "interrupted"), "%s", err.msg);
}
