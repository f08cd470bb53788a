/* SPDX-License-Identifier: GPL-3.0-or-later */
/* gp.c — Gaussian-process regression (see searchers/gp.h).
 *
 * Invariants: when gp->factored is set, gp->chol holds the lower Cholesky
 * factor L of K = Kf(X, X) + diag(noise + extra_i + jitter) at gp->theta for
 * the current data, and gp->alpha = K^-1 y (two triangular solves with L; no
 * inverse is formed for prediction).  Changing the data or theta clears it.
 *
 * Method (Rasmussen & Williams, "Gaussian Processes for Machine Learning",
 * 2006, algorithm 2.1 and eq. 5.9):
 *     log p(y | X, theta) = -y' alpha / 2 - sum_i log L_ii - n log(2 pi) / 2
 *     d/dtheta_p         = tr((alpha alpha' - K^-1) dK/dtheta_p) / 2.
 * The gradient's trace term needs every entry of K^-1, so for the gradient
 * (and only there) K^-1 is computed from L (gsl_linalg_cholesky_invert), as
 * GPML and scikit-learn do; one pass over the pairs (i, j) then accumulates
 * every hyperparameter's derivative: O(n^3) for the factor and inverse,
 * O(n^2 dim) for the pairs.
 *
 * Kernels, with r the ARD distance of gp.h and s2 the signal variance:
 *     Matérn 5/2:  k = s2 (1 + sqrt5 r + 5 r^2 / 3) exp(-sqrt5 r)
 *                  dk/d(r^2) = -(5/6) s2 (1 + sqrt5 r) exp(-sqrt5 r)
 *     squared exponential:  k = s2 exp(-r^2 / 2),  dk/d(r^2) = -k / 2
 * Both derivatives are finite at r = 0, so one formula serves all pairs.
 *
 * Input warping (Snoek et al., "Input Warping for Bayesian Optimization of
 * Non-Stationary Functions", ICML 2014, with the Kumaraswamy CDF as in
 * BoTorch): a warped column's u in [0,1] becomes w = 1 - (1 - u^a)^b, with
 * u clamped to [1e-6, 1 - 1e-6] so that w and its derivatives stay finite.
 *
 * Priors (weak; they only keep the fit away from degenerate corners when
 * data are few), on the log-scale hyperparameters:
 *     length scale l ~ Gamma(3, rate 6)   (mode 1/3, mean 1/2, as BoTorch)
 *     log signal variance ~ N(0, 1.5^2)   (outputs are standardized)
 *     log noise variance ~ N(log 1e-3, 3^2)
 *     log a, log b ~ N(0, 0.75)            (warping near the identity)
 *     logit rho ~ N(0, 2^2)                (additive share)
 * and box bounds: l in [0.005, 50], signal variance in [0.01, 100], noise
 * variance in [1e-6, 2], a and b in [0.2, 5], logit rho in [-6, 6].
 *
 * The MAP fit runs NLopt's L-BFGS from fixed starts (length scales 0.5,
 * 0.15 and 1.5; signal variance 1; noise 1e-3; no warp; rho 1/2), so it is a pure
 * function of the data: a cached fit and a fresh one agree bit for bit. */
#include "searchers/gp.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_sf_erf.h>
#include <math.h>
#include <nlopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SQRT5 2.2360679774997896964
#define LOG_2PI 1.8378770664093454836
#define SQRT2 1.4142135623730950488
#define SQRT_2PI 2.5066282746310005024
#define WARP_EPS 1e-6

struct tune_gp {
    size_t dim;
    enum tune_gp_column *cols;
    enum tune_gp_kernel kernel;
    size_t n_warp;      /* warped columns */
    size_t *warp_slot;  /* per column: index of its (a, b) pair, or SIZE_MAX */
    int additive;       /* the kernel has a first-order additive part */
    size_t n_hyper;
    double *theta;
    double rho;         /* additive share, from theta */
    /* data */
    size_t n, cap;
    double *x;      /* n x dim inputs as given */
    double *z;      /* n x dim inputs after warping */
    double *dza;    /* n x dim: dz/dlog a on warped columns (gradient only) */
    double *dzb;    /* n x dim: dz/dlog b */
    double *y;
    double *extra;  /* n known noise variances (zeros when none given) */
    /* factor */
    int factored;
    double jitter;
    double *chol;   /* n x n: lower triangle holds L */
    double *alpha;
    double *kinv;   /* n x n workspace for K^-1 */
    double *kvec, *vvec; /* n workspaces for predict */
    double *gmat;   /* n x dim workspace: each point's dk/da_c, for predict */
    double *kmany;  /* m x n workspace for predict_many */
    size_t kmany_cap;
    double *pairs;  /* likelihood gradient: per pair i > j, k, dk/dtheta_mix, dk/da_c */
    size_t pairs_cap;
    /* derived from theta */
    double *inv_l2; /* 1 / l_c^2 */
};

/* --- hyperparameter layout ------------------------------------------------ */

static size_t i_signal(const struct tune_gp *gp) { return gp->dim; }
static size_t i_noise(const struct tune_gp *gp) { return gp->dim + 1; }
static size_t i_warp(const struct tune_gp *gp, size_t slot) { return gp->dim + 2 + 2 * slot; }
static size_t i_mix(const struct tune_gp *gp) { return gp->dim + 2 + 2 * gp->n_warp; }

static void hyper_bounds(const struct tune_gp *gp, double *lo, double *hi)
{
    for (size_t c = 0; c < gp->dim; c++) {
        lo[c] = log(0.005);
        hi[c] = log(50.0);
    }
    lo[i_signal(gp)] = log(0.01);
    hi[i_signal(gp)] = log(100.0);
    lo[i_noise(gp)] = log(1e-6);
    hi[i_noise(gp)] = log(2.0);
    for (size_t s = 0; s < gp->n_warp; s++)
        for (size_t k = 0; k < 2; k++) {
            lo[i_warp(gp, s) + k] = log(0.2);
            hi[i_warp(gp, s) + k] = log(5.0);
        }
    if (gp->additive) {
        lo[i_mix(gp)] = -6;
        hi[i_mix(gp)] = 6;
    }
}

/* Log prior density of theta (up to a constant) and its gradient (added). */
static double log_prior(const struct tune_gp *gp, const double *t, double *grad)
{
    double lp = 0;
    for (size_t c = 0; c < gp->dim; c++) {
        lp += 3 * t[c] - 6 * exp(t[c]);
        if (grad)
            grad[c] += 3 - 6 * exp(t[c]);
    }
    double s = t[i_signal(gp)], sv = 1.5 * 1.5;
    lp += -s * s / (2 * sv);
    double nz = t[i_noise(gp)] - log(1e-3), nv = 9.0;
    lp += -nz * nz / (2 * nv);
    if (grad) {
        grad[i_signal(gp)] += -s / sv;
        grad[i_noise(gp)] += -nz / nv;
    }
    for (size_t k = 0; k < 2 * gp->n_warp; k++) {
        double w = t[i_warp(gp, 0) + k];
        lp += -w * w / (2 * 0.75);
        if (grad)
            grad[i_warp(gp, 0) + k] += -w / 0.75;
    }
    if (gp->additive) {
        double m = t[i_mix(gp)];
        lp += -m * m / (2 * 4.0);
        if (grad)
            grad[i_mix(gp)] += -m / 4.0;
    }
    return lp;
}

size_t tune_gp_n_hyper(const struct tune_gp *gp) { return gp->n_hyper; }

void tune_gp_default_hyper(const struct tune_gp *gp, double *theta)
{
    for (size_t c = 0; c < gp->dim; c++)
        theta[c] = log(0.5);
    theta[i_signal(gp)] = 0;
    theta[i_noise(gp)] = log(1e-3);
    for (size_t k = 0; k < 2 * gp->n_warp; k++)
        theta[i_warp(gp, 0) + k] = 0;
    if (gp->additive)
        theta[i_mix(gp)] = 0;
}

void tune_gp_get_hyper(const struct tune_gp *gp, double *theta)
{
    memcpy(theta, gp->theta, gp->n_hyper * sizeof *theta);
}

static void apply_theta(struct tune_gp *gp, const double *theta)
{
    if (theta != gp->theta)
        memcpy(gp->theta, theta, gp->n_hyper * sizeof *theta);
    for (size_t c = 0; c < gp->dim; c++)
        gp->inv_l2[c] = exp(-2 * theta[c]);
    gp->rho = gp->additive ? 1 / (1 + exp(-theta[i_mix(gp)])) : 0;
}

void tune_gp_set_hyper(struct tune_gp *gp, const double *theta)
{
    apply_theta(gp, theta);
    gp->factored = 0;
}

/* --- construction --------------------------------------------------------- */

void tune_gp_free(struct tune_gp *gp)
{
    if (!gp)
        return;
    free(gp->cols);
    free(gp->warp_slot);
    free(gp->theta);
    free(gp->inv_l2);
    free(gp->x);
    free(gp->z);
    free(gp->dza);
    free(gp->dzb);
    free(gp->y);
    free(gp->extra);
    free(gp->chol);
    free(gp->alpha);
    free(gp->kinv);
    free(gp->kvec);
    free(gp->vvec);
    free(gp->gmat);
    free(gp->kmany);
    free(gp->pairs);
    free(gp);
}

int tune_gp_new(size_t dim, const enum tune_gp_column *columns, enum tune_gp_kernel kernel,
                unsigned flags, struct tune_gp **out, struct tune_error *err)
{
    *out = NULL;
    if (dim == 0)
        return tune_error_set(err, TUNE_EINVAL, "gp: no input columns");
    struct tune_gp *gp = calloc(1, sizeof *gp);
    if (!gp)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory for the GP");
    gp->dim = dim;
    gp->kernel = kernel;
    gp->cols = calloc(dim, sizeof *gp->cols);
    gp->warp_slot = malloc(dim * sizeof *gp->warp_slot);
    gp->inv_l2 = malloc(dim * sizeof *gp->inv_l2);
    if (!gp->cols || !gp->warp_slot || !gp->inv_l2)
        goto nomem;
    for (size_t c = 0; c < dim; c++) {
        gp->cols[c] = columns ? columns[c] : TUNE_GP_COL_PLAIN;
        gp->warp_slot[c] = gp->cols[c] == TUNE_GP_COL_WARPED ? gp->n_warp++ : SIZE_MAX;
    }
    gp->additive = (flags & TUNE_GP_ADDITIVE) != 0;
    gp->n_hyper = dim + 2 + 2 * gp->n_warp + (gp->additive ? 1 : 0);
    if (!(gp->theta = malloc(gp->n_hyper * sizeof *gp->theta)))
        goto nomem;
    tune_gp_default_hyper(gp, gp->theta);
    apply_theta(gp, gp->theta);
    *out = gp;
    return TUNE_OK;
nomem:
    tune_gp_free(gp);
    return tune_error_set(err, TUNE_ENOMEM, "out of memory for the GP");
}

size_t tune_gp_n(const struct tune_gp *gp) { return gp->n; }

static int grow(double **p, size_t count)
{
    double *q = realloc(*p, (count ? count : 1) * sizeof *q);
    if (!q)
        return -1;
    *p = q;
    return 0;
}

int tune_gp_set_data(struct tune_gp *gp, size_t n, const double *x, const double *y,
                     const double *noise, struct tune_error *err)
{
    gp->factored = 0;
    if (n > gp->cap) {
        size_t nd = n * gp->dim;
        if (grow(&gp->x, nd) || grow(&gp->z, nd) || grow(&gp->dza, nd) || grow(&gp->dzb, nd) ||
            grow(&gp->y, n) || grow(&gp->extra, n) || grow(&gp->alpha, n) ||
            grow(&gp->kvec, n) || grow(&gp->vvec, n) || grow(&gp->gmat, n * gp->dim) ||
            grow(&gp->chol, n * n) ||
            grow(&gp->kinv, n * n)) {
            gp->n = 0;
            return tune_error_set(err, TUNE_ENOMEM, "out of memory for a GP of %zu points", n);
        }
        gp->cap = n;
    }
    gp->n = n;
    memcpy(gp->x, x, n * gp->dim * sizeof *x);
    memcpy(gp->y, y, n * sizeof *y);
    for (size_t i = 0; i < n; i++)
        gp->extra[i] = noise ? noise[i] : 0;
    return TUNE_OK;
}

/* --- kernel ----------------------------------------------------------------- */

/* Warp one coordinate of column c; derivatives in u, log a and log b. */
static double warp1(const struct tune_gp *gp, const double *theta, size_t c, double u,
                    double *du, double *dla, double *dlb)
{
    if (gp->cols[c] != TUNE_GP_COL_WARPED) {
        if (du)
            *du = 1;
        if (dla)
            *dla = *dlb = 0;
        return u;
    }
    double a = exp(theta[i_warp(gp, gp->warp_slot[c])]);
    double b = exp(theta[i_warp(gp, gp->warp_slot[c]) + 1]);
    u = u < WARP_EPS ? WARP_EPS : u > 1 - WARP_EPS ? 1 - WARP_EPS : u;
    double ua = pow(u, a), om = 1 - ua, omb1 = pow(om, b - 1), omb = omb1 * om;
    if (du)
        *du = a * b * ua / u * omb1;
    if (dla) {
        *dla = a * b * omb1 * ua * log(u);
        *dlb = -b * omb * log(om);
    }
    return 1 - omb;
}

static double sq_dist(const struct tune_gp *gp, const double *za, const double *zb)
{
    double r2 = 0;
    for (size_t c = 0; c < gp->dim; c++) {
        double d = za[c] - zb[c];
        if (gp->cols[c] == TUNE_GP_COL_HAMMING)
            d = d != 0;
        r2 += d * d * gp->inv_l2[c];
    }
    return r2;
}

/* k(r^2) and dk/d(r^2) for signal variance s2. */
static double kern(enum tune_gp_kernel kind, double r2, double s2, double *dk_dr2)
{
    if (kind == TUNE_GP_RBF) {
        double k = s2 * exp(-0.5 * r2);
        if (dk_dr2)
            *dk_dr2 = -0.5 * k;
        return k;
    }
    double r = sqrt(r2), e = exp(-SQRT5 * r);
    if (dk_dr2)
        *dk_dr2 = -(5.0 / 6.0) * s2 * (1 + SQRT5 * r) * e;
    return s2 * (1 + SQRT5 * r + (5.0 / 3.0) * r2) * e;
}

/* Column c's share of r^2 between za and zb. */
static double col_a(const struct tune_gp *gp, size_t c, const double *za, const double *zb)
{
    double d = za[c] - zb[c];
    if (gp->cols[c] == TUNE_GP_COL_HAMMING)
        d = d != 0;
    return d * d * gp->inv_l2[c];
}

/* k(za, zb) with signal variance s2.  G (NULL, or dim values) receives
 * dk/da_c, a_c = col_a(c), and dmix (with G) dk/dtheta_mix.  Without the
 * additive part every G_c is the same dk/d(r^2). */
static double pair(const struct tune_gp *gp, const double *za, const double *zb, double s2,
                   double *G, double *dmix)
{
    size_t dim = gp->dim;
    if (!gp->additive) {
        double dk, k = kern(gp->kernel, sq_dist(gp, za, zb), s2, G ? &dk : NULL);
        if (G)
            for (size_t c = 0; c < dim; c++)
                G[c] = dk;
        return k;
    }
    double r2 = 0, kadd = 0, ga, gf, w = gp->rho / (double)dim;
    for (size_t c = 0; c < dim; c++) {
        double a = col_a(gp, c, za, zb);
        r2 += a;
        kadd += kern(gp->kernel, a, 1, G ? &ga : NULL);
        if (G)
            G[c] = w * s2 * ga;
    }
    double kf = kern(gp->kernel, r2, 1, G ? &gf : NULL);
    if (G) {
        for (size_t c = 0; c < dim; c++)
            G[c] += (1 - gp->rho) * s2 * gf;
        *dmix = s2 * (kadd / (double)dim - kf) * gp->rho * (1 - gp->rho);
    }
    return s2 * ((1 - gp->rho) * kf + w * kadd);
}

static void warp_data(struct tune_gp *gp, const double *theta, int with_grad)
{
    for (size_t i = 0; i < gp->n; i++)
        for (size_t c = 0; c < gp->dim; c++) {
            size_t ic = i * gp->dim + c;
            if (gp->cols[c] == TUNE_GP_COL_WARPED)
                gp->z[ic] = warp1(gp, theta, c, gp->x[ic], NULL, with_grad ? &gp->dza[ic] : NULL,
                                  with_grad ? &gp->dzb[ic] : NULL);
            else
                gp->z[ic] = gp->x[ic];
        }
}

/* Build K at gp->theta into gp->chol and factor it, adding jitter if needed;
 * then alpha.  With with_grad, every pair's kernel value and derivatives
 * are kept in gp->pairs for the gradient (the kernel evaluations are most
 * of a likelihood evaluation's cost).  Returns TUNE_ENUMERIC when even
 * large jitter fails. */
static int build_and_factor(struct tune_gp *gp, int with_grad, struct tune_error *err)
{
    size_t n = gp->n, dim = gp->dim, stride = dim + 2;
    double s2 = exp(gp->theta[i_signal(gp)]), sn2 = exp(gp->theta[i_noise(gp)]);
    warp_data(gp, gp->theta, with_grad);
    if (with_grad && n > 1) {
        size_t need = n * (n - 1) / 2 * stride;
        if (need > gp->pairs_cap) {
            if (grow(&gp->pairs, need))
                return tune_error_set(err, TUNE_ENOMEM, "out of memory for a GP of %zu points", n);
            gp->pairs_cap = need;
        }
        for (size_t i = 1; i < n; i++)
            for (size_t j = 0; j < i; j++) {
                double *q = &gp->pairs[(i * (i - 1) / 2 + j) * stride];
                q[0] = pair(gp, &gp->z[i * dim], &gp->z[j * dim], s2, q + 2, &q[1]);
            }
    }
    gsl_matrix_view L = gsl_matrix_view_array(gp->chol, n, n);
    double jitter = 0;
    for (int attempt = 0; attempt < 8; attempt++) {
        for (size_t i = 0; i < n; i++) {
            const double *zi = &gp->z[i * dim];
            for (size_t j = 0; j < i; j++)
                gp->chol[i * n + j] = with_grad
                                          ? gp->pairs[(i * (i - 1) / 2 + j) * stride]
                                          : pair(gp, zi, &gp->z[j * dim], s2, NULL, NULL);
            gp->chol[i * n + i] = s2 + sn2 + gp->extra[i] + jitter;
        }
        if (gsl_linalg_cholesky_decomp1(&L.matrix) == GSL_SUCCESS) {
            gp->jitter = jitter;
            gsl_vector_view a = gsl_vector_view_array(gp->alpha, n);
            gsl_vector_const_view yv = gsl_vector_const_view_array(gp->y, n);
            gsl_vector_memcpy(&a.vector, &yv.vector);
            gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, &L.matrix, &a.vector);
            gsl_blas_dtrsv(CblasLower, CblasTrans, CblasNonUnit, &L.matrix, &a.vector);
            gp->factored = 1;
            return TUNE_OK;
        }
        jitter = jitter == 0 ? 1e-8 * s2 : jitter * 10;
    }
    gp->factored = 0;
    return tune_error_set(err, TUNE_ENUMERIC,
                          "gp: the kernel matrix of %zu points is not positive definite", n);
}

int tune_gp_factor(struct tune_gp *gp, struct tune_error *err)
{
    if (gp->factored)
        return TUNE_OK;
    if (gp->n == 0)
        return tune_error_set(err, TUNE_EINVAL, "gp: no data");
    return build_and_factor(gp, 0, err);
}

/* --- likelihood ------------------------------------------------------------- */

int tune_gp_log_likelihood(struct tune_gp *gp, const double *theta, int with_prior,
                           double *value, double *grad, struct tune_error *err)
{
    size_t n = gp->n, dim = gp->dim, nh = gp->n_hyper;
    if (n == 0)
        return tune_error_set(err, TUNE_EINVAL, "gp: no data");
    apply_theta(gp, theta);
    int rc = build_and_factor(gp, grad != NULL, err);
    if (rc)
        return rc;
    double fit = 0, logdet = 0;
    for (size_t i = 0; i < n; i++) {
        fit += gp->y[i] * gp->alpha[i];
        logdet += log(gp->chol[i * n + i]);
    }
    double lml = -0.5 * fit - logdet - 0.5 * (double)n * LOG_2PI;
    if (grad) {
        memset(grad, 0, nh * sizeof *grad);
        /* K^-1 from L: copy the lower triangle, invert in place. */
        memcpy(gp->kinv, gp->chol, n * n * sizeof *gp->kinv);
        gsl_matrix_view Ki = gsl_matrix_view_array(gp->kinv, n, n);
        if (gsl_linalg_cholesky_invert(&Ki.matrix) != GSL_SUCCESS)
            return tune_error_set(err, TUNE_ENUMERIC, "gp: cannot invert the kernel factor");
        double s2 = exp(theta[i_signal(gp)]), sn2 = exp(theta[i_noise(gp)]);
        double g_s2 = 0, g_noise = 0, g_mix = 0;
        double *g_l = grad;  /* length scales */
        for (size_t i = 0; i < n; i++) {
            const double *zi = &gp->z[i * dim];
            double wii = gp->alpha[i] * gp->alpha[i] - gp->kinv[i * n + i];
            g_s2 += 0.5 * wii * s2;
            g_noise += 0.5 * wii * sn2;
            for (size_t j = 0; j < i; j++) {
                const double *zj = &gp->z[j * dim];
                double w = gp->alpha[i] * gp->alpha[j] - gp->kinv[i * n + j];
                const double *q = &gp->pairs[(i * (i - 1) / 2 + j) * (dim + 2)];
                double k = q[0], dmix = q[1];
                const double *G = q + 2;
                /* pairs (i, j) and (j, i): the halves add to one */
                g_s2 += w * k;
                g_mix += w * dmix;
                for (size_t c = 0; c < dim; c++) {
                    double d = zi[c] - zj[c];
                    if (gp->cols[c] == TUNE_GP_COL_HAMMING)
                        d = d != 0;
                    double d2l = d * gp->inv_l2[c], wdk = w * G[c];
                    g_l[c] += wdk * (-2 * d * d2l);
                    if (gp->cols[c] == TUNE_GP_COL_WARPED) {
                        size_t ia = i_warp(gp, gp->warp_slot[c]);
                        grad[ia] += wdk * 2 * d2l * (gp->dza[i * dim + c] - gp->dza[j * dim + c]);
                        grad[ia + 1] +=
                            wdk * 2 * d2l * (gp->dzb[i * dim + c] - gp->dzb[j * dim + c]);
                    }
                }
            }
        }
        grad[i_signal(gp)] = g_s2;
        grad[i_noise(gp)] = g_noise;
        if (gp->additive)
            grad[i_mix(gp)] = g_mix;
    }
    if (with_prior)
        lml += log_prior(gp, theta, grad);
    *value = lml;
    return TUNE_OK;
}

/* --- MAP fit ---------------------------------------------------------------- */

struct fit_ctx {
    struct tune_gp *gp;
    double best;
    double *best_theta;
    size_t evals;
};

static double neg_log_post(unsigned n, const double *t, double *grad, void *data)
{
    struct fit_ctx *ctx = data;
    double v;
    struct tune_error e;
    ctx->evals++;
    if (tune_gp_log_likelihood(ctx->gp, t, 1, &v, grad, &e) != TUNE_OK || !isfinite(v)) {
        if (grad)
            memset(grad, 0, n * sizeof *grad);
        return 1e100;
    }
    if (grad)
        for (unsigned k = 0; k < n; k++)
            grad[k] = -grad[k];
    if (-v < ctx->best) {
        ctx->best = -v;
        memcpy(ctx->best_theta, t, n * sizeof *t);
    }
    return -v;
}

int tune_gp_fit(struct tune_gp *gp, size_t max_eval, struct tune_error *err)
{
    static const double starts[] = {0.5, 0.15, 1.5};
    size_t nh = gp->n_hyper;
    if (gp->n == 0)
        return tune_error_set(err, TUNE_EINVAL, "gp: no data");
    double *buf = malloc(4 * nh * sizeof *buf);
    nlopt_opt opt = nlopt_create(NLOPT_LD_LBFGS, (unsigned)nh);
    if (!buf || !opt) {
        free(buf);
        nlopt_destroy(opt);
        return tune_error_set(err, TUNE_ENOMEM, "out of memory for the GP fit");
    }
    double *lo = buf, *hi = buf + nh, *t = buf + 2 * nh, *best_theta = buf + 3 * nh;
    hyper_bounds(gp, lo, hi);
    struct fit_ctx ctx = {gp, HUGE_VAL, best_theta, 0};
    nlopt_set_lower_bounds(opt, lo);
    nlopt_set_upper_bounds(opt, hi);
    nlopt_set_min_objective(opt, neg_log_post, &ctx);
    nlopt_set_maxeval(opt, (int)(max_eval ? max_eval : 100));
    nlopt_set_ftol_rel(opt, 1e-7);
    nlopt_set_xtol_rel(opt, 1e-5);
    for (size_t s = 0; s < sizeof starts / sizeof starts[0]; s++) {
        tune_gp_default_hyper(gp, t);
        for (size_t c = 0; c < gp->dim; c++)
            t[c] = log(starts[s]);
        double f;
        /* A failed run (roundoff, bad line search) still leaves its best
         * point in ctx; only that matters. */
        (void)nlopt_optimize(opt, t, &f);
    }
    nlopt_destroy(opt);
    int rc = TUNE_OK;
    if (!isfinite(ctx.best) || ctx.best >= 1e100) {
        rc = tune_error_set(err, TUNE_ENUMERIC, "gp: no hyperparameters fit %zu points", gp->n);
    } else {
        tune_gp_set_hyper(gp, best_theta);
        rc = tune_gp_factor(gp, err);
    }
    free(buf);
    return rc;
}

/* --- prediction ------------------------------------------------------------- */

int tune_gp_predict(struct tune_gp *gp, const double *x, double *mean, double *var,
                    double *dmean, double *dvar, struct tune_error *err)
{
    int rc = tune_gp_factor(gp, err);
    if (rc)
        return rc;
    size_t n = gp->n, dim = gp->dim;
    double s2 = exp(gp->theta[i_signal(gp)]);
    double zx[64], dzdx[64];
    double *zbuf = dim <= 64 ? zx : malloc(2 * dim * sizeof *zbuf);
    if (!zbuf)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory in GP prediction");
    double *dz = dim <= 64 ? dzdx : zbuf + dim;
    for (size_t c = 0; c < dim; c++)
        zbuf[c] = warp1(gp, gp->theta, c, x[c], &dz[c], NULL, NULL);
    double m = 0, dmix;
    int want_grad = dmean || dvar;
    for (size_t i = 0; i < n; i++) {
        gp->kvec[i] = pair(gp, zbuf, &gp->z[i * dim], s2, want_grad ? &gp->gmat[i * dim] : NULL,
                           &dmix);
        m += gp->kvec[i] * gp->alpha[i];
    }
    gsl_matrix_const_view L = gsl_matrix_const_view_array(gp->chol, n, n);
    gsl_vector_view v = gsl_vector_view_array(gp->vvec, n);
    for (size_t i = 0; i < n; i++)
        gp->vvec[i] = gp->kvec[i];
    gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, &L.matrix, &v.vector);
    double vv;
    gsl_blas_ddot(&v.vector, &v.vector, &vv);
    *mean = m;
    *var = s2 - vv > 0 ? s2 - vv : 0;
    if (want_grad) {
        /* w = K^-1 k lands in vvec; d var/dx = -2 w' dk/dx. */
        gsl_blas_dtrsv(CblasLower, CblasTrans, CblasNonUnit, &L.matrix, &v.vector);
        for (size_t c = 0; c < dim; c++) {
            if (dmean)
                dmean[c] = 0;
            if (dvar)
                dvar[c] = 0;
        }
        for (size_t i = 0; i < n; i++) {
            const double *zi = &gp->z[i * dim], *G = &gp->gmat[i * dim];
            for (size_t c = 0; c < dim; c++) {
                if (gp->cols[c] == TUNE_GP_COL_HAMMING)
                    continue;
                double dkdx = G[c] * 2 * (zbuf[c] - zi[c]) * gp->inv_l2[c] * dz[c];
                if (dmean)
                    dmean[c] += gp->alpha[i] * dkdx;
                if (dvar)
                    dvar[c] -= 2 * gp->vvec[i] * dkdx;
            }
        }
    }
    if (zbuf != zx)
        free(zbuf);
    return TUNE_OK;
}

int tune_gp_predict_many(struct tune_gp *gp, size_t m, const double *x, double *mean,
                         double *var, struct tune_error *err)
{
    int rc = tune_gp_factor(gp, err);
    if (rc)
        return rc;
    if (m == 0)
        return TUNE_OK;
    size_t n = gp->n, dim = gp->dim;
    if (m * n > gp->kmany_cap) {
        if (grow(&gp->kmany, m * n))
            return tune_error_set(err, TUNE_ENOMEM, "out of memory for %zu GP predictions", m);
        gp->kmany_cap = m * n;
    }
    double s2 = exp(gp->theta[i_signal(gp)]);
    double zx[64];
    double *zbuf = dim <= 64 ? zx : malloc(dim * sizeof *zbuf);
    if (!zbuf)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory in GP prediction");
    for (size_t r = 0; r < m; r++) {
        for (size_t c = 0; c < dim; c++)
            zbuf[c] = warp1(gp, gp->theta, c, x[r * dim + c], NULL, NULL, NULL);
        double *kr = &gp->kmany[r * n];
        for (size_t i = 0; i < n; i++)
            kr[i] = pair(gp, zbuf, &gp->z[i * dim], s2, NULL, NULL);
    }
    if (zbuf != zx)
        free(zbuf);
    gsl_matrix_view Ks = gsl_matrix_view_array(gp->kmany, m, n);
    gsl_vector_const_view a = gsl_vector_const_view_array(gp->alpha, n);
    gsl_vector_view mu = gsl_vector_view_array(mean, m);
    gsl_blas_dgemv(CblasNoTrans, 1.0, &Ks.matrix, &a.vector, 0.0, &mu.vector);
    /* Ks <- Ks L^-T: row r becomes v_r = L^-1 k_r. */
    gsl_matrix_const_view L = gsl_matrix_const_view_array(gp->chol, n, n);
    gsl_blas_dtrsm(CblasRight, CblasLower, CblasTrans, CblasNonUnit, 1.0, &L.matrix, &Ks.matrix);
    for (size_t r = 0; r < m; r++) {
        const double *vr = &gp->kmany[r * n];
        double vv = 0;
        for (size_t i = 0; i < n; i++)
            vv += vr[i] * vr[i];
        var[r] = s2 - vv > 0 ? s2 - vv : 0;
    }
    return TUNE_OK;
}

/* --- acquisition arithmetic ------------------------------------------------- */

/* 1 - t R(t), R(t) = Phi(-t) / phi(t) the Mills ratio, for t >= 1.  Below 60
 * from GSL's hazard function (1 / R), whose cancellation costs a relative
 * error near eps t^2 < 1e-12; above, the asymptotic series, whose truncation
 * error there is below 1e-14 relative. */
static double one_minus_t_mills(double t, double *mills)
{
    if (t < 60) {
        double r = 1 / gsl_sf_hazard(t);
        *mills = r;
        return 1 - t * r;
    }
    double u = 1 / (t * t);
    *mills = (1 - u * (1 - u * (3 - u * (15 - u * (105 - u * 945))))) / t;
    return u * (1 - u * (3 - u * (15 - u * (105 - u * 945))));
}

double tune_gp_log_h(double z, double *dlogh)
{
    if (z > -1) {
        double cdf = 0.5 * erfc(-z / SQRT2), pdf = exp(-0.5 * z * z) / SQRT_2PI;
        double h = z * cdf + pdf;
        if (dlogh)
            *dlogh = cdf / h;
        return log(h);
    }
    /* h(z) = phi(z) (1 - t R(t)) with t = -z; d log h/dz = Phi(z)/h = R/(1 - tR). */
    double t = -z, r;
    double q = one_minus_t_mills(t, &r);
    if (dlogh)
        *dlogh = r / q;
    return -0.5 * z * z - 0.5 * LOG_2PI + log(q);
}

double tune_gp_log_cdf(double z, double *dlog)
{
    if (dlog)
        *dlog = z > 0 ? exp(-0.5 * z * z - 0.5 * LOG_2PI) / (0.5 * erfc(-z / SQRT2))
                      : gsl_sf_hazard(-z);
    if (z > 0)
        return log1p(-0.5 * erfc(z / SQRT2));
    return log(0.5) + gsl_sf_log_erfc(-z / SQRT2);
}

/* --- Yeo-Johnson ------------------------------------------------------------ */

double tune_gp_yeo_johnson(double y, double lambda)
{
    if (y >= 0)
        return fabs(lambda) < 1e-12 ? log1p(y) : (pow(1 + y, lambda) - 1) / lambda;
    return fabs(lambda - 2) < 1e-12 ? -log1p(-y) : -(pow(1 - y, 2 - lambda) - 1) / (2 - lambda);
}

double tune_gp_yeo_johnson_deriv(double y, double lambda)
{
    return y >= 0 ? pow(1 + y, lambda - 1) : pow(1 - y, 1 - lambda);
}

/* Profile log-likelihood of lambda (scipy.stats.yeojohnson_llf). */
static double yj_llf(const double *y, size_t n, double lambda, double sum_log)
{
    double mean = 0, m2 = 0;
    for (size_t i = 0; i < n; i++) {
        double t = tune_gp_yeo_johnson(y[i], lambda), d = t - mean;
        mean += d / (double)(i + 1);
        m2 += d * (t - mean);
    }
    double var = m2 / (double)n;
    if (!(var > 0) || !isfinite(var))
        return -HUGE_VAL;
    return -0.5 * (double)n * log(var) + (lambda - 1) * sum_log;
}

double tune_gp_yeo_johnson_fit(const double *y, size_t n)
{
    if (n < 2)
        return 1;
    double sum_log = 0;
    for (size_t i = 0; i < n; i++)
        sum_log += copysign(log1p(fabs(y[i])), y[i]);
    /* A grid of step 0.1 over [-3, 3], then golden-section search around the
     * best grid point: the profile likelihood is smooth and unimodal in
     * practice, and a grid cannot be fooled by a flat start. */
    double best = 1, fbest = -HUGE_VAL;
    for (int k = -30; k <= 30; k++) {
        double l = k / 10.0, f = yj_llf(y, n, l, sum_log);
        if (f > fbest) {
            fbest = f;
            best = l;
        }
    }
    if (!isfinite(fbest))
        return 1;
    double a = best - 0.1, b = best + 0.1, g = 0.5 * (sqrt(5.0) - 1);
    a = a < -3 ? -3 : a;
    b = b > 3 ? 3 : b;
    double c = b - g * (b - a), d = a + g * (b - a);
    double fc = yj_llf(y, n, c, sum_log), fd = yj_llf(y, n, d, sum_log);
    for (int it = 0; it < 60 && b - a > 1e-10; it++) {
        if (fc > fd) {
            b = d;
            d = c;
            fd = fc;
            c = b - g * (b - a);
            fc = yj_llf(y, n, c, sum_log);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + g * (b - a);
            fd = yj_llf(y, n, d, sum_log);
        }
    }
    double l = 0.5 * (a + b);
    return yj_llf(y, n, l, sum_log) >= fbest ? l : best;
}
