/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_gp.c — the Gaussian-process model of the bayes searcher: posterior
 * and likelihood against textbook values, gradients against finite
 * differences, log-EI and log Phi far in the tail, Yeo-Johnson, the fit.
 * Reference values: bench/reference/gp_ref.py (numpy dense solves, mpmath,
 * scipy), pasted below. */
#include "testutil.h"
#include "searchers/gp.h"

#include <gsl/gsl_errno.h>

static void setup(void)
{
    gsl_set_error_handler_off();
}

TestSuite(gp, .init = setup);

/* --- bench/reference/gp_ref.py output --------------------------------------- */
static const double matern_mean[] = {-0.14341481339303816, 0.54191408514938677};
static const double matern_var[] = {0.14714416960468069, 0.9695781919945039};
static const double matern_lml = -8.1318648307338517;
static const double rbf_mean[] = {-0.093938935348060498, 0.62627929879030453};
static const double rbf_var[] = {0.075719653241157037, 0.78409665625764757};
static const double rbf_lml = -7.9726869297310641;
static const double matern_extra_mean[] = {-0.16024628326197848, 0.54193214979975302};
static const double matern_extra_var[] = {0.16769767546442216, 0.96960121299719737};
static const double matern_extra_lml = -8.1238018687952547;
static const double matern_warp_mean[] = {-0.13558764855108504, 0.32590817194802707};
static const double matern_warp_var[] = {0.13754840683947922, 0.88387994159576844};
static const double matern_warp_lml = -7.9260465768516895;
static const double matern_additive_mean[] = {-0.13046040095509254, 0.43619141356143726};
static const double matern_additive_var[] = {0.11175091534532977, 0.76329430087143813};
static const double matern_additive_lml = -7.9918233126562583;
static const double logh_z[] = {2.5, 0, -0.69999999999999996, -1, -3.2999999999999998, -12, -45, -80, -1000, -1000000};
static const double logh_ref[] = {0.9170920655921645, -0.91893853320467278, -1.9457545234913285, -2.4851210257126413, -8.9692054862003019, -77.909100545007348, -1021.0337424419137, -3209.6834602964677, -500014.73445209116, -500000000028.54999};
static const double dlogh_ref[] = {0.39719771838373846, 1.2533141373155003, 1.6934819959622396, 1.9042712333296918, 3.798435753352615, 12.16335257158574, 45.044378827329332, 80.024988294047674, 1000.001999994, 1000000.000002};
static const double logcdf_z[] = {3, 0.40000000000000002, -2, -10, -40, -300};
static const double logcdf_ref[] = {-0.0013508099647481938, -0.42247637022777607, -3.7831843336820321, -53.23128515051247, -804.6084420137538, -45006.62273211866};
static const double yj_data[] = {0.29999999999999999, 1.7, -0.40000000000000002, 5.2000000000000002, 2.2000000000000002, 0.90000000000000002, 11.5, -1.3, 3.2999999999999998, 0.10000000000000001, 27, 1.1000000000000001};
static const double yj_lambda = 0.088090907351943581;
/* ---------------------------------------------------------------------------- */

static const double X[] = {0.12, 0.85, 0, 0.47, 0.33, 1, 0.91, 0.64, 2,
                           0.28, 0.07, 1, 0.66, 0.52, 0, 0.05, 0.41, 2};
static const double Y[] = {1.23, -0.48, 0.91, -1.37, 0.35, 0.62};
static const double EXTRA[] = {0, 0.02, 0, 0.05, 0, 0};
static const double XS[] = {0.5, 0.5, 1, 0.95, 0.1, 2};

/* The reference model: columns plain, plain, Hamming (or warped first),
 * optionally with the additive part. */
static struct tune_gp *ref_model(enum tune_gp_kernel kind, int warped, const double *extra,
                                 int additive)
{
    enum tune_gp_column cols[3] = {warped ? TUNE_GP_COL_WARPED : TUNE_GP_COL_PLAIN,
                                   TUNE_GP_COL_PLAIN, TUNE_GP_COL_HAMMING};
    struct tune_gp *gp;
    struct tune_error err;
    cr_assert_eq(tune_gp_new(3, cols, kind, additive ? TUNE_GP_ADDITIVE : 0, &gp, &err),
                 TUNE_OK);
    cr_assert_eq(tune_gp_set_data(gp, 6, X, Y, extra, &err), TUNE_OK);
    double theta[8] = {log(0.3), log(0.7), log(1.3), log(1.7), log(0.013)}, *t = theta + 5;
    if (warped) {
        *t++ = log(0.7);
        *t++ = log(1.8);
    }
    if (additive)
        *t++ = log(0.35 / 0.65); /* logit rho */
    cr_assert_eq(tune_gp_n_hyper(gp), (size_t)(t - theta));
    tune_gp_set_hyper(gp, theta);
    return gp;
}

static void check_case(enum tune_gp_kernel kind, int warped, const double *extra, int additive,
                       const double *mean, const double *var, double lml)
{
    struct tune_gp *gp = ref_model(kind, warped, extra, additive);
    struct tune_error err;
    for (size_t i = 0; i < 2; i++) {
        double m, v;
        cr_assert_eq(tune_gp_predict(gp, &XS[3 * i], &m, &v, NULL, NULL, &err), TUNE_OK);
        assert_close(m, mean[i], 1e-11);
        assert_close(v, var[i], 1e-11);
    }
    double theta[8], value;
    tune_gp_get_hyper(gp, theta);
    cr_assert_eq(tune_gp_log_likelihood(gp, theta, 0, &value, NULL, &err), TUNE_OK);
    assert_close(value, lml, 1e-12);
    tune_gp_free(gp);
}

Test(gp, matern_posterior_and_likelihood_match_the_textbook_formulas)
{
    check_case(TUNE_GP_MATERN52, 0, NULL, 0, matern_mean, matern_var, matern_lml);
}

Test(gp, squared_exponential_posterior_and_likelihood_match_the_textbook_formulas)
{
    check_case(TUNE_GP_RBF, 0, NULL, 0, rbf_mean, rbf_var, rbf_lml);
}

Test(gp, known_per_point_noise_adds_to_the_learned_noise)
{
    check_case(TUNE_GP_MATERN52, 0, EXTRA, 0, matern_extra_mean, matern_extra_var,
               matern_extra_lml);
}

Test(gp, a_warped_column_goes_through_the_kumaraswamy_cdf)
{
    check_case(TUNE_GP_MATERN52, 1, NULL, 0, matern_warp_mean, matern_warp_var,
               matern_warp_lml);
}

Test(gp, the_additive_part_mixes_in_the_one_column_kernels)
{
    check_case(TUNE_GP_MATERN52, 0, NULL, 1, matern_additive_mean, matern_additive_var,
               matern_additive_lml);
}

/* Central differences of the MAP objective against its analytic gradient. */
static void check_likelihood_gradient(enum tune_gp_kernel kind, int warped, int additive)
{
    struct tune_gp *gp = ref_model(kind, warped, EXTRA, additive);
    struct tune_error err;
    size_t nh = tune_gp_n_hyper(gp);
    double theta[8], grad[8], tp[8], value, vp, vm;
    tune_gp_get_hyper(gp, theta);
    theta[0] = log(0.23); /* off the defaults, so no term vanishes by symmetry */
    cr_assert_eq(tune_gp_log_likelihood(gp, theta, 1, &value, grad, &err), TUNE_OK);
    for (size_t k = 0; k < nh; k++) {
        double h = 1e-5;
        memcpy(tp, theta, sizeof tp);
        tp[k] = theta[k] + h;
        cr_assert_eq(tune_gp_log_likelihood(gp, tp, 1, &vp, NULL, &err), TUNE_OK);
        tp[k] = theta[k] - h;
        cr_assert_eq(tune_gp_log_likelihood(gp, tp, 1, &vm, NULL, &err), TUNE_OK);
        double fd = (vp - vm) / (2 * h);
        cr_assert(fabs(grad[k] - fd) <= 1e-6 * (1 + fabs(fd)),
                  "d/dtheta[%zu]: analytic %.12g, finite difference %.12g", k, grad[k], fd);
    }
    tune_gp_free(gp);
}

Test(gp, likelihood_gradient_matches_finite_differences_for_matern)
{
    check_likelihood_gradient(TUNE_GP_MATERN52, 0, 0);
}

Test(gp, likelihood_gradient_matches_finite_differences_with_warping)
{
    check_likelihood_gradient(TUNE_GP_MATERN52, 1, 0);
}

Test(gp, likelihood_gradient_matches_finite_differences_with_the_additive_part)
{
    check_likelihood_gradient(TUNE_GP_MATERN52, 1, 1);
}

Test(gp, likelihood_gradient_matches_finite_differences_for_the_squared_exponential)
{
    check_likelihood_gradient(TUNE_GP_RBF, 1, 1);
}

Test(gp, posterior_gradient_matches_finite_differences)
{
    for (int warped = 0; warped <= 1; warped++) {
        struct tune_gp *gp = ref_model(TUNE_GP_MATERN52, warped, NULL, warped);
        struct tune_error err;
        double x[3] = {0.37, 0.58, 1}, m, v, dm[3], dv[3];
        cr_assert_eq(tune_gp_predict(gp, x, &m, &v, dm, dv, &err), TUNE_OK);
        for (size_t c = 0; c < 2; c++) {
            double xp[3], mp, vp, mm, vm, h = 1e-6;
            memcpy(xp, x, sizeof xp);
            xp[c] = x[c] + h;
            tune_gp_predict(gp, xp, &mp, &vp, NULL, NULL, &err);
            xp[c] = x[c] - h;
            tune_gp_predict(gp, xp, &mm, &vm, NULL, NULL, &err);
            assert_close(dm[c], (mp - mm) / (2 * h), 1e-6);
            assert_close(dv[c], (vp - vm) / (2 * h), 1e-6);
        }
        cr_assert_eq(dm[2], 0.0, "a Hamming column has no gradient");
        tune_gp_free(gp);
    }
}

Test(gp, batch_prediction_agrees_with_one_at_a_time)
{
    struct tune_gp *gp = ref_model(TUNE_GP_MATERN52, 1, EXTRA, 1);
    struct tune_error err;
    double xs[4 * 3] = {0.5, 0.5, 1, 0.95, 0.1, 2, 0.12, 0.85, 0, 0.0, 1.0, 1};
    double mean[4], var[4];
    cr_assert_eq(tune_gp_predict_many(gp, 4, xs, mean, var, &err), TUNE_OK);
    for (size_t i = 0; i < 4; i++) {
        double m, v;
        tune_gp_predict(gp, &xs[3 * i], &m, &v, NULL, NULL, &err);
        assert_close(mean[i], m, 1e-12);
        assert_close(var[i], v, 1e-10);
    }
    tune_gp_free(gp);
}

Test(gp, log_expected_improvement_matches_the_closed_form_far_in_the_tail)
{
    for (size_t i = 0; i < sizeof logh_z / sizeof logh_z[0]; i++) {
        double d, v = tune_gp_log_h(logh_z[i], &d);
        cr_assert(fabs(v - logh_ref[i]) <= 1e-12 * fabs(logh_ref[i]) + 2e-12,
                  "log h(%g) = %.17g, expected %.17g", logh_z[i], v, logh_ref[i]);
        assert_close(d, dlogh_ref[i], 1e-10);
        cr_assert(isfinite(v));
    }
}

Test(gp, log_normal_cdf_matches_the_closed_form_far_in_the_tail)
{
    for (size_t i = 0; i < sizeof logcdf_z / sizeof logcdf_z[0]; i++) {
        double d, v = tune_gp_log_cdf(logcdf_z[i], &d);
        cr_assert(fabs(v - logcdf_ref[i]) <= 1e-12 * fabs(logcdf_ref[i]) + 1e-15,
                  "log Phi(%g) = %.17g, expected %.17g", logcdf_z[i], v, logcdf_ref[i]);
        /* d/dz log Phi = phi / Phi, checked by central differences */
        double h = 1e-6, fd = (tune_gp_log_cdf(logcdf_z[i] + h, NULL) -
                               tune_gp_log_cdf(logcdf_z[i] - h, NULL)) / (2 * h);
        assert_close(d, fd, 1e-6);
    }
}

Test(gp, yeo_johnson_lambda_matches_scipy)
{
    double l = tune_gp_yeo_johnson_fit(yj_data, 12);
    assert_close(l, yj_lambda, 1e-7);
    /* the transform and its derivative on both branches */
    assert_close(tune_gp_yeo_johnson(3.0, 0.5), 2 * (sqrt(4.0) - 1), 1e-15);
    assert_close(tune_gp_yeo_johnson(-3.0, 0.5), -(pow(4.0, 1.5) - 1) / 1.5, 1e-15);
    assert_close(tune_gp_yeo_johnson(2.0, 0.0), log(3.0), 1e-15);
    assert_close(tune_gp_yeo_johnson(-2.0, 2.0), -log(3.0), 1e-15);
    double h = 1e-6;
    for (double y = -2.5; y <= 2.5; y += 1.25) {
        double fd = (tune_gp_yeo_johnson(y + h, 0.37) - tune_gp_yeo_johnson(y - h, 0.37)) / (2 * h);
        assert_close(tune_gp_yeo_johnson_deriv(y, 0.37), fd, 1e-7);
    }
}

Test(gp, fit_finds_the_relevant_input_and_raises_the_posterior)
{
    /* 30 points in 2-D; y depends on column 0 only. */
    double x[60], y[30];
    for (size_t i = 0; i < 30; i++) {
        x[2 * i] = fmod(0.6180339887 * (double)i, 1.0);
        x[2 * i + 1] = fmod(0.7548776662 * (double)i + 0.3, 1.0);
        y[i] = sin(6 * x[2 * i]) + 0.5 * x[2 * i] * x[2 * i];
    }
    struct tune_gp *gp;
    struct tune_error err;
    cr_assert_eq(tune_gp_new(2, NULL, TUNE_GP_MATERN52, 0, &gp, &err), TUNE_OK);
    cr_assert_eq(tune_gp_set_data(gp, 30, x, y, NULL, &err), TUNE_OK);
    double t0[4], t1[4], g[4], v0, v1;
    tune_gp_default_hyper(gp, t0);
    cr_assert_eq(tune_gp_log_likelihood(gp, t0, 1, &v0, NULL, &err), TUNE_OK);
    cr_assert_eq(tune_gp_fit(gp, 0, &err), TUNE_OK, "%s", err.msg);
    tune_gp_get_hyper(gp, t1);
    cr_assert_eq(tune_gp_log_likelihood(gp, t1, 1, &v1, g, &err), TUNE_OK);
    cr_assert_gt(v1, v0 + 10);
    cr_assert_gt(exp(t1[1]), 5 * exp(t1[0]), "l0 = %g, l1 = %g", exp(t1[0]), exp(t1[1]));
    /* it interpolates: the posterior mean at a training point is the value */
    double m, var;
    tune_gp_predict(gp, &x[14], &m, &var, NULL, NULL, &err);
    assert_close(m, y[7], 1e-3);
    tune_gp_free(gp);
}

Test(gp, refuses_an_empty_model)
{
    struct tune_gp *gp = NULL;
    struct tune_error err;
    cr_assert_eq(tune_gp_new(0, NULL, TUNE_GP_MATERN52, 0, &gp, &err), TUNE_EINVAL);
    cr_assert_null(gp);
    cr_assert_eq(tune_gp_new(2, NULL, TUNE_GP_MATERN52, 0, &gp, &err), TUNE_OK);
    double m, v, x[2] = {0.5, 0.5};
    cr_assert_eq(tune_gp_predict(gp, x, &m, &v, NULL, NULL, &err), TUNE_EINVAL);
    cr_assert_eq(tune_gp_fit(gp, 0, &err), TUNE_EINVAL);
    tune_gp_free(gp);
    tune_gp_free(NULL);
}
