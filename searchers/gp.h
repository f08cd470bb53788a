/* SPDX-License-Identifier: GPL-3.0-or-later */
/* gp.h — Gaussian-process regression for the bayes searcher, and the
 * acquisition-function arithmetic that goes with it.
 *
 * The model: y = f(x) + noise, f ~ GP(0, k), on inputs already encoded in
 * [0,1]^dim (searchers/bayes.c maps a space's points to that encoding) and
 * outputs already standardized.  The kernel is Matérn 5/2 or the squared
 * exponential over the ARD distance
 *
 *     r^2 = sum_c d_c(x, x')^2 / l_c^2,
 *
 * where d_c is w_c(x_c) - w_c(x'_c) for an ordinary column (w_c the identity,
 * or a Kumaraswamy CDF when the column is warped) and the indicator
 * [x_c != x'_c] for a Hamming column (a categorical stored as its index).
 * With TUNE_GP_ADDITIVE the kernel is a mixture of that kernel and the mean
 * of the same kernel along each column alone (sharing the length scales):
 *
 *     k = s2 ((1 - rho) K(r^2) + rho / dim sum_c K(d_c^2 / l_c^2)),
 *
 * whose additive part lets the model carry what it learns along one input
 * to values of the others it has not seen together (Duvenaud et al.,
 * "Additive Gaussian processes", NeurIPS 2011, first order).
 *
 * Hyperparameters live in one vector theta, all on a log scale:
 *     theta[c]            log l_c              c = 0 .. dim-1
 *     theta[dim]          log signal variance
 *     theta[dim + 1]      log noise variance
 *     then, for each warped column in column order, log a, log b;
 *     then, when additive, logit rho.
 * They are fitted by maximizing the log marginal likelihood plus weak log
 * priors (MAP); see searchers/gp.c for the method and the priors.
 *
 * Ownership: a tune_gp owns copies of everything it is given. */
#ifndef TUNEFOLD_GP_H
#define TUNEFOLD_GP_H

#include <stddef.h>
#include "tunefold/error.h"

#ifdef __cplusplus
extern "C" {
#endif

enum tune_gp_kernel { TUNE_GP_MATERN52 = 0, TUNE_GP_RBF = 1 };

/* Column kinds. */
enum tune_gp_column {
    TUNE_GP_COL_PLAIN = 0,   /* a coordinate in [0,1] */
    TUNE_GP_COL_WARPED = 1,  /* a coordinate in [0,1] through a learned Kumaraswamy CDF */
    TUNE_GP_COL_HAMMING = 2  /* a category index compared by equality */
};

/* Flags for tune_gp_new. */
#define TUNE_GP_ADDITIVE 1u   /* add a first-order additive part to the kernel */

struct tune_gp;

/* A model over `dim` input columns of the given kinds (NULL: all plain).
 * Free with tune_gp_free(). */
int tune_gp_new(size_t dim, const enum tune_gp_column *columns, enum tune_gp_kernel kernel,
                unsigned flags, struct tune_gp **out, struct tune_error *err);
void tune_gp_free(struct tune_gp *gp);

/* Length of theta. */
size_t tune_gp_n_hyper(const struct tune_gp *gp);
/* The default starting hyperparameters (theta of tune_gp_n_hyper values). */
void tune_gp_default_hyper(const struct tune_gp *gp, double *theta);
/* Current hyperparameters (copied out / in).  set_hyper drops any factor. */
void tune_gp_get_hyper(const struct tune_gp *gp, double *theta);
void tune_gp_set_hyper(struct tune_gp *gp, const double *theta);

/* Replace the data: n rows of `dim` inputs (row-major), targets y and, if
 * not NULL, a known extra noise variance per row (added to the learned
 * one).  Copies; drops any factor. */
int tune_gp_set_data(struct tune_gp *gp, size_t n, const double *x, const double *y,
                     const double *noise, struct tune_error *err);
size_t tune_gp_n(const struct tune_gp *gp);

/* Log marginal likelihood of the data under theta; with `with_prior` the log
 * prior density of theta is added (the MAP objective).  grad (NULL or
 * tune_gp_n_hyper values) receives the gradient with respect to theta.
 * Leaves the model factored at theta.  With grad it keeps every pair's
 * kernel derivatives: n^2 (dim + 2) / 2 doubles of workspace.  TUNE_ENUMERIC
 * if the kernel matrix cannot be factored even with jitter. */
int tune_gp_log_likelihood(struct tune_gp *gp, const double *theta, int with_prior,
                           double *value, double *grad, struct tune_error *err);

/* Fit theta by MAP: L-BFGS (NLopt) from a fixed set of starts, within
 * fixed bounds; deterministic.  `max_eval` bounds the evaluations per start
 * (0 = default).  Leaves the model factored at the best theta. */
int tune_gp_fit(struct tune_gp *gp, size_t max_eval, struct tune_error *err);

/* Factor the kernel matrix at the current theta (done lazily by predict). */
int tune_gp_factor(struct tune_gp *gp, struct tune_error *err);

/* Posterior mean and variance of the latent f at one input x (dim values);
 * dmean / dvar (NULL or dim values) receive their gradients with respect
 * to x (zero along Hamming columns). */
int tune_gp_predict(struct tune_gp *gp, const double *x, double *mean, double *var,
                    double *dmean, double *dvar, struct tune_error *err);
/* The same for m inputs at once (row-major m x dim), through level-3 BLAS. */
int tune_gp_predict_many(struct tune_gp *gp, size_t m, const double *x, double *mean,
                         double *var, struct tune_error *err);

/* --- acquisition arithmetic ---------------------------------------------- */

/* log h(z) with h(z) = z Phi(z) + phi(z), the expected improvement of a unit
 * normal over the threshold -z: EI = s h((best - mu) / s), so
 * log EI = log s + log h(z).  Accurate far in the left tail (z = -1e6)
 * where h underflows.  dlogh (may be NULL) receives d log h / dz. */
double tune_gp_log_h(double z, double *dlogh);
/* log Phi(z), accurate in the left tail; dlog (may be NULL): d/dz. */
double tune_gp_log_cdf(double z, double *dlog);

/* Yeo-Johnson power transform of y with parameter lambda, and its
 * derivative in y. */
double tune_gp_yeo_johnson(double y, double lambda);
double tune_gp_yeo_johnson_deriv(double y, double lambda);
/* The lambda in [-3, 3] maximizing the Yeo-Johnson normal log-likelihood of
 * the n values (as scipy.stats.yeojohnson_normmax, over a bounded range). */
double tune_gp_yeo_johnson_fit(const double *y, size_t n);

#ifdef __cplusplus
}
#endif
#endif
