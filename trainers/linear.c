/* SPDX-License-Identifier: GPL-3.0-or-later */
/* linear.c — the built-in `linear` trainer: least-squares regression, plain
 * (penalty none), ridge (l2), lasso (l1) or elastic net, the models
 * scikit-learn 1.2 fits as LinearRegression, Ridge, Lasso and ElasticNet.
 *
 * Objectives.  Each penalty minimises the objective of its scikit-learn class
 * on the same scale, so the same alpha gives the same model (r = y - Xw - b):
 *   none        ||r||^2                                   (LinearRegression)
 *   l2          ||r||^2 + alpha ||w||^2                   (Ridge)
 *   l1          ||r||^2 / (2n) + alpha ||w||_1            (Lasso)
 *   elasticnet  ||r||^2 / (2n) + alpha l1_ratio ||w||_1
 *                              + alpha (1 - l1_ratio) ||w||^2 / 2  (ElasticNet)
 * Note the two scales: Ridge's alpha is n times larger than an elastic net's
 * l2 weight for the same model, as in scikit-learn.  The intercept b is never
 * penalised: with fit_intercept the columns of X and y are centred first and
 * b = mean(y) - mean(X) w afterwards (scikit-learn's _preprocess_data).
 *
 * Solvers (solver "auto").
 *   none: Householder QR of the centred [X y], computed block by block of
 *     rows as a tall-skinny QR (see tsqr_solve), then R w = Q^T y.  When R
 *     has a diagonal element below (n + d) * eps * max |R_jj| (a
 *     rank-deficient X), or there are fewer rows than columns + 1, the
 *     complete orthogonal decomposition (gsl_linalg_COD_decomp) gives the
 *     minimum-norm least-squares solution, the one LAPACK's gelsd gives
 *     scikit-learn.
 *   l2: Cholesky factor of X^T X + alpha I (the X^T X is one BLAS syrk), as
 *     scikit-learn's "cholesky" solver; if the factorisation fails (alpha = 0
 *     on a rank-deficient X, or d > n with tiny alpha) the QR / COD route on
 *     the augmented system [X; sqrt(alpha) I] solves the same problem.
 *   l1, elasticnet: cyclic coordinate descent, each coordinate soft-
 *     thresholded (Friedman, Hastie & Tibshirani, "Regularization paths for
 *     generalized linear models via coordinate descent", J. Stat. Softw.
 *     2010).  With n >= d (and d <= CD_GRAM_MAX) the "covariance updates" of
 *     that paper: X^T X and X^T y are formed once and a sweep costs O(d^2)
 *     instead of O(nd); otherwise the residual is updated column by column.
 *     Stopping is scikit-learn's (sklearn/linear_model/_cd_fast.pyx): after a
 *     sweep whose largest coefficient change is below tol times the largest
 *     coefficient, the duality gap of the scaled problem is computed and the
 *     loop stops when it is below tol * ||y - mean(y)||^2.  max_iter sweeps
 *     at most; reaching it is not an error (scikit-learn only warns).
 *
 * Solver "sgd": stochastic gradient descent on the same objective, scaled
 * as scikit-learn's SGDRegressor writes it, (1/n) sum r_i^2 / 2 + a R(w)
 * with R(w) = s ||w||_1 + (1 - s) ||w||^2 / 2: a = alpha / n, s = 0 for l2;
 * a = alpha, s = 1 for l1; a = alpha, s = l1_ratio for elasticnet; a = 0 for
 * none.  The update is scikit-learn's plain SGD (sklearn/linear_model/
 * _sgd_fast.pyx) for the squared loss: one row at a time in a seeded random
 * order per epoch, the l2 part as a multiplicative shrink of a scale factor,
 * the l1 part by the cumulative truncated gradient of Tsuruoka, Tsujii &
 * Ananiadou (ACL 2009); step eta0 (constant), eta0 / t^power_t (invscaling,
 * t counting rows seen from 1) or adaptive (eta0 divided by 5 each time the
 * epoch loss stalls).  It stops after `epochs` epochs, or when the mean loss
 * of an epoch has not improved on the best by more than tol for
 * SGD_NO_CHANGE epochs in a row (scikit-learn's n_iter_no_change).
 *
 * Threads: the work is a few BLAS calls (or one serial pass for sgd), so one
 * thread; ctx->n_threads is not used.  The context's cancel flag (Ctrl-C)
 * is checked every sgd epoch.  The model is a plain struct. */
#include "tunefold/trainer.h"

#include <float.h>
#include <signal.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_permutation.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_vector.h>

enum {
    HP_PENALTY, HP_ALPHA, HP_L1_RATIO, HP_FIT_INTERCEPT, HP_SOLVER, HP_MAX_ITER, HP_TOL,
    HP_LEARNING_RATE, HP_SCHEDULE, HP_POWER_T, HP_EPOCHS, HP_COUNT
};
enum { PEN_NONE = 0, PEN_L2 = 1, PEN_L1 = 2, PEN_ELASTICNET = 3 };
enum { SOLVER_AUTO = 0, SOLVER_SGD = 1 };
enum { SCHED_INVSCALING = 0, SCHED_CONSTANT = 1, SCHED_ADAPTIVE = 2 };

static const char *const penalty_choices[] = {"none", "l2", "l1", "elasticnet", NULL};
static const char *const solver_choices[] = {"auto", "sgd", NULL};
static const char *const schedule_choices[] = {"invscaling", "constant", "adaptive", NULL};

static const struct tune_hparam hparams[HP_COUNT] = {
    [HP_PENALTY] = {"penalty", TUNE_PARAM_CATEGORICAL, PEN_NONE, 0, 3, penalty_choices,
                    "none (least squares), l2 (ridge), l1 (lasso) or elasticnet, each on "
                    "scikit-learn's scale"},
    [HP_ALPHA] = {"alpha", TUNE_PARAM_FLOAT, 1.0, 0, INFINITY, NULL,
                  "penalty strength, as in Ridge / Lasso / ElasticNet (ignored for none)"},
    [HP_L1_RATIO] = {"l1_ratio", TUNE_PARAM_FLOAT, 0.5, 0, 1, NULL,
                     "elasticnet: share of the l1 term (1 is the lasso)"},
    [HP_FIT_INTERCEPT] = {"fit_intercept", TUNE_PARAM_BOOL, 1, 0, 1, NULL,
                          "fit an unpenalised intercept"},
    [HP_SOLVER] = {"solver", TUNE_PARAM_CATEGORICAL, SOLVER_AUTO, 0, 1, solver_choices,
                   "auto (QR, Cholesky or coordinate descent, by penalty) or sgd"},
    [HP_MAX_ITER] = {"max_iter", TUNE_PARAM_INT, 1000, 1, 1e7, NULL,
                     "coordinate descent: sweeps at most (l1, elasticnet)"},
    [HP_TOL] = {"tol", TUNE_PARAM_FLOAT, 1e-4, 0, INFINITY, NULL,
                "coordinate descent: duality gap below tol * ||y - mean y||^2; sgd: the "
                "least improvement of the mean epoch loss"},
    [HP_LEARNING_RATE] = {"learning_rate", TUNE_PARAM_FLOAT, 0.01, 1e-12, INFINITY, NULL,
                          "sgd: initial step eta0"},
    [HP_SCHEDULE] = {"schedule", TUNE_PARAM_CATEGORICAL, SCHED_INVSCALING, 0, 2,
                     schedule_choices,
                     "sgd: invscaling (eta0 / t^power_t), constant or adaptive"},
    [HP_POWER_T] = {"power_t", TUNE_PARAM_FLOAT, 0.25, 0, 10, NULL,
                    "sgd: exponent of the invscaling schedule"},
    [HP_EPOCHS] = {"epochs", TUNE_PARAM_INT, 1000, 1, 1e7, NULL,
                   "sgd: passes over the data at most"},
};

/* Gram matrices up to this many columns (d^2 doubles) for coordinate descent. */
#define CD_GRAM_MAX 4096
/* SGD: epochs without improvement before stopping (or dividing eta by 5). */
#define SGD_NO_CHANGE 5
/* SGD: bound on the loss derivative, and the weight scale below which the
 * weights are renormalised (scikit-learn's MAX_DLOSS and 1e-9). */
#define SGD_MAX_DLOSS 1e12
#define SGD_MIN_WSCALE 1e-9

struct linear_model {
    size_t d;
    double *w;      /* d coefficients */
    double b;       /* intercept (0 without fit_intercept) */
    size_t n_iter;  /* sweeps or epochs run (0 for the direct solvers) */
};

/* ---- direct least squares ------------------------------------------------- */

/* The centred data, never copied whole: column j of X minus mean[j], and y
 * minus its mean (yc).  Centring block by block as the solvers read the
 * data keeps a 100,000 x 20 fit from writing and re-reading a 16 MB copy. */
struct centred {
    const double *x;     /* n x d column-major, borrowed */
    const double *mean;  /* d column means (zeros without an intercept) */
    const double *yc;    /* n centred targets */
    size_t n, d;
};

/* A = [X - mean; sqrt(alpha) I; 0] row-major (a->size1 x d), transposed in
 * blocks of rows so both sides stay in cache. */
static void fill_design(gsl_matrix *a, const struct centred *c, double alpha)
{
    size_t n = c->n, d = c->d;
    gsl_matrix_set_zero(a);
    for (size_t i0 = 0; i0 < n; i0 += 64) {
        size_t i1 = i0 + 64 < n ? i0 + 64 : n;
        for (size_t j = 0; j < d; j++)
            for (size_t i = i0; i < i1; i++)
                a->data[i * d + j] = c->x[j * n + i] - c->mean[j];
    }
    for (size_t j = 0; alpha > 0 && j < d; j++)
        a->data[(n + j) * d + j] = sqrt(alpha);
}

/* Rows per block of the tall-skinny QR (a block and its reflectors stay in
 * cache; GSL's QR of the whole n x d matrix spends most of its time packing
 * panels for dgemm). */
#define TSQR_BLOCK 512

/* Rows [i0, i0 + a->size1) of the centred [X | y] into a (row-major,
 * d + 1 columns). */
static void fill_block(gsl_matrix *a, const struct centred *c, size_t i0)
{
    size_t m = a->size1, n = c->n, d = c->d;
    for (size_t j = 0; j < d; j++)
        for (size_t i = 0; i < m; i++)
            a->data[i * (d + 1) + j] = c->x[j * n + i0 + i] - c->mean[j];
    for (size_t i = 0; i < m; i++)
        a->data[i * (d + 1) + d] = c->yc[i0 + i];
}

/* Least squares by a tall-skinny QR of [X y] (Demmel et al., "Communication-
 * optimal parallel and sequential QR and LU factorizations", SISC 2012, in
 * its sequential form): the R factor of the first block is updated block by
 * block with the QR of [R; next block] (gsl_linalg_QR_UR_decomp), and the
 * ridge rows sqrt(alpha) I, when alpha > 0, are one more block.  With y as
 * the last column, the top of R's last column is Q^T y, so Q is never
 * formed: w solves R[0:d, 0:d] w = R[0:d, d].  GSL_CONTINUE when R is
 * numerically singular (w untouched); needs n >= d + 1. */
static int tsqr_solve(const struct centred *c, double alpha, double *w)
{
    size_t n = c->n, d = c->d, m = d + 1, first = n < TSQR_BLOCK ? n : TSQR_BLOCK;
    first = first < m ? m : first;
    gsl_matrix *r = gsl_matrix_calloc(m, m), *t = gsl_matrix_alloc(m, m);
    gsl_matrix *blk = gsl_matrix_alloc(first > m ? first : m, m);
    int status = GSL_ENOMEM;
    if (!r || !t || !blk)
        goto done;
    gsl_matrix_view b0 = gsl_matrix_submatrix(blk, 0, 0, first, m);
    fill_block(&b0.matrix, c, 0);
    gsl_linalg_QR_decomp_r(&b0.matrix, t);
    for (size_t i = 0; i < m; i++)
        for (size_t j = i; j < m; j++)
            gsl_matrix_set(r, i, j, gsl_matrix_get(&b0.matrix, i, j));
    for (size_t i0 = first; i0 < n; i0 += TSQR_BLOCK) {
        size_t rows = n - i0 < TSQR_BLOCK ? n - i0 : TSQR_BLOCK;
        gsl_matrix_view bv = gsl_matrix_submatrix(blk, 0, 0, rows, m);
        fill_block(&bv.matrix, c, i0);
        gsl_linalg_QR_UR_decomp(r, &bv.matrix, t);
    }
    if (alpha > 0) {
        gsl_matrix_view bv = gsl_matrix_submatrix(blk, 0, 0, d, m);
        gsl_matrix_set_zero(&bv.matrix);
        for (size_t j = 0; j < d; j++)
            gsl_matrix_set(&bv.matrix, j, j, sqrt(alpha));
        gsl_linalg_QR_UR_decomp(r, &bv.matrix, t);
    }
    double rmax = 0, rmin = INFINITY;
    for (size_t j = 0; j < d; j++) {
        double v = fabs(gsl_matrix_get(r, j, j));
        rmax = fmax(rmax, v);
        rmin = fmin(rmin, v);
    }
    status = GSL_CONTINUE;
    if (rmax > 0 && rmin > (double)(n + d) * DBL_EPSILON * rmax) {
        for (size_t i = d; i-- > 0;) {
            double sum = gsl_matrix_get(r, i, d);
            for (size_t k = i + 1; k < d; k++)
                sum -= gsl_matrix_get(r, i, k) * w[k];
            w[i] = sum / gsl_matrix_get(r, i, i);
        }
        status = GSL_SUCCESS;
    }
done:
    gsl_matrix_free(r);
    gsl_matrix_free(t);
    gsl_matrix_free(blk);
    return status;
}

/* Minimum-norm least squares of A w = rhs by the complete orthogonal
 * decomposition (rows >= columns, any rank; A destroyed). */
static int cod_solve(gsl_matrix *a, const gsl_vector *rhs, double *w)
{
    size_t m = a->size1, d = a->size2, mn = m < d ? m : d;
    gsl_vector *tau_q = gsl_vector_alloc(mn), *tau_z = gsl_vector_alloc(mn);
    gsl_vector *work = gsl_vector_alloc(d), *res = gsl_vector_alloc(m);
    gsl_permutation *perm = gsl_permutation_alloc(d);
    gsl_vector_view wv = gsl_vector_view_array(w, d);
    int status = GSL_ENOMEM;
    if (tau_q && tau_z && work && res && perm) {
        size_t rank = 0;
        gsl_linalg_COD_decomp(a, tau_q, tau_z, perm, &rank, work);
        if (rank == 0)
            gsl_vector_set_zero(&wv.vector);
        else
            gsl_linalg_COD_lssolve(a, tau_q, tau_z, perm, rank, rhs, &wv.vector, res);
        status = GSL_SUCCESS;
    }
    gsl_vector_free(tau_q);
    gsl_vector_free(tau_z);
    gsl_vector_free(work);
    gsl_vector_free(res);
    gsl_permutation_free(perm);
    return status;
}

/* Least squares on the centred data (n, d >= 1) with a ridge term
 * alpha ||w||^2 (alpha may be 0): the tall-skinny QR, or the complete
 * orthogonal decomposition of the augmented [X; sqrt(alpha) I] when R is
 * singular or there are fewer rows than columns + 1. */
static int solve_qr(const struct centred *c, double alpha, double *w)
{
    size_t n = c->n, d = c->d;
    int status = n >= d + 1 ? tsqr_solve(c, alpha, w) : GSL_CONTINUE;
    if (status != GSL_CONTINUE)
        return status;
    /* GSL's COD wants rows >= columns: a wide system gets zero rows, which
     * change neither the residual nor the minimum-norm solution. */
    size_t m = n + (alpha > 0 ? d : 0);
    m = m < d ? d : m;
    gsl_matrix *a = gsl_matrix_alloc(m, d);
    gsl_vector *rhs = gsl_vector_calloc(m);
    status = GSL_ENOMEM;
    if (a && rhs) {
        memcpy(rhs->data, c->yc, n * sizeof *c->yc);
        fill_design(a, c, alpha);
        status = cod_solve(a, rhs, w);
    }
    gsl_matrix_free(a);
    gsl_vector_free(rhs);
    return status;
}

/* In-place Cholesky factor (lower) of the d x d row-major g; 0 when it is
 * not numerically positive definite.  Written here rather than calling
 * gsl_linalg_cholesky_decomp1, whose failure goes through GSL's error
 * handler (abort by default) — a library must not depend on the caller
 * having switched it off. */
static int cholesky(double *g, size_t d)
{
    for (size_t j = 0; j < d; j++) {
        double s = g[j * d + j];
        for (size_t k = 0; k < j; k++)
            s -= g[j * d + k] * g[j * d + k];
        if (!(s > 0) || !isfinite(s))
            return 0;
        double l = sqrt(s);
        g[j * d + j] = l;
        for (size_t i = j + 1; i < d; i++) {
            double t = g[i * d + j];
            for (size_t k = 0; k < j; k++)
                t -= g[i * d + k] * g[j * d + k];
            g[i * d + j] = t / l;
        }
    }
    return 1;
}

/* Solve L L^T w = q in place (w holds q on entry). */
static void cholesky_solve(const double *l, size_t d, double *w)
{
    for (size_t i = 0; i < d; i++) {
        double s = w[i];
        for (size_t k = 0; k < i; k++)
            s -= l[i * d + k] * w[k];
        w[i] = s / l[i * d + i];
    }
    for (size_t i = d; i-- > 0;) {
        double s = w[i];
        for (size_t k = i + 1; k < d; k++)
            s -= l[k * d + i] * w[k];
        w[i] = s / l[i * d + i];
    }
}

/* Rows per block of the Gram accumulation. */
#define GRAM_BLOCK 1024

/* g = Xc^T Xc (d x d row-major, both triangles) and q = Xc^T yc, a syrk and
 * a gemv per block of centred rows; 0 when out of memory. */
static int gram(const struct centred *c, double *g, double *q)
{
    size_t n = c->n, d = c->d, bmax = n < GRAM_BLOCK ? n : GRAM_BLOCK;
    double *buf = malloc(d * bmax * sizeof *buf);
    if (!buf)
        return 0;
    gsl_matrix_view gv = gsl_matrix_view_array(g, d, d);
    gsl_vector_view qv = gsl_vector_view_array(q, d);
    gsl_matrix_set_zero(&gv.matrix);
    gsl_vector_set_zero(&qv.vector);
    for (size_t i0 = 0; i0 < n; i0 += GRAM_BLOCK) {
        size_t b = n - i0 < GRAM_BLOCK ? n - i0 : GRAM_BLOCK;
        for (size_t j = 0; j < d; j++)
            for (size_t i = 0; i < b; i++)
                buf[j * b + i] = c->x[j * n + i0 + i] - c->mean[j];
        gsl_matrix_const_view bt = gsl_matrix_const_view_array(buf, d, b);  /* block^T */
        gsl_vector_const_view yv = gsl_vector_const_view_array(c->yc + i0, b);
        gsl_blas_dsyrk(CblasUpper, CblasNoTrans, 1.0, &bt.matrix, 1.0, &gv.matrix);
        gsl_blas_dgemv(CblasNoTrans, 1.0, &bt.matrix, &yv.vector, 1.0, &qv.vector);
    }
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < i; j++)
            g[i * d + j] = g[j * d + i];
    free(buf);
    return 1;
}

/* ---- coordinate descent --------------------------------------------------- */

static double soft(double z, double t)
{
    return z > t ? z - t : z < -t ? z + t : 0.0;
}

/* The duality gap of 0.5 ||r||^2 + l1 ||w||_1 + 0.5 l2 ||w||^2 given
 * xta = X^T r - l2 w, r.r, r.y, as _cd_fast.pyx computes it. */
static double duality_gap(const double *w, const double *xta, size_t d, double r_norm2,
                          double r_dot_y, double l1, double l2)
{
    double dual_norm = 0, w_norm2 = 0, l1_norm = 0;
    for (size_t j = 0; j < d; j++) {
        dual_norm = fmax(dual_norm, fabs(xta[j]));
        w_norm2 += w[j] * w[j];
        l1_norm += fabs(w[j]);
    }
    double c = 1.0, gap;
    if (dual_norm > l1) {
        c = l1 / dual_norm;
        gap = 0.5 * (r_norm2 + r_norm2 * c * c);
    } else {
        gap = r_norm2;
    }
    return gap + l1 * l1_norm - c * r_dot_y + 0.5 * l2 * (1 + c * c) * w_norm2;
}

/* Covariance updates: g = X^T X (row-major d x d), q = X^T y, yy = y.y;
 * h (workspace) tracks g w.  Returns the sweeps run. */
static size_t cd_gram(const double *g, const double *q, double yy, size_t d, double l1,
                      double l2, long max_iter, double tol, double *w, double *h, double *xta)
{
    double gap_tol = tol * yy;
    for (size_t j = 0; j < d; j++) {
        h[j] = 0;
        for (size_t k = 0; k < d; k++)
            h[j] += g[j * d + k] * w[k];
    }
    for (long it = 0; it < max_iter; it++) {
        double w_max = 0, dw_max = 0;
        for (size_t j = 0; j < d; j++) {
            double gjj = g[j * d + j];
            if (gjj == 0)
                continue;
            const double *gj = g + j * d;
            double old = w[j];
            if (old != 0)
                for (size_t k = 0; k < d; k++)
                    h[k] -= old * gj[k];
            w[j] = soft(q[j] - h[j], l1) / (gjj + l2);
            if (w[j] != 0)
                for (size_t k = 0; k < d; k++)
                    h[k] += w[j] * gj[k];
            dw_max = fmax(dw_max, fabs(w[j] - old));
            w_max = fmax(w_max, fabs(w[j]));
        }
        if (w_max == 0 || dw_max / w_max < tol || it == max_iter - 1) {
            double q_dot_w = 0, w_h = 0;
            for (size_t j = 0; j < d; j++) {
                xta[j] = q[j] - h[j] - l2 * w[j];
                q_dot_w += q[j] * w[j];
                w_h += w[j] * h[j];
            }
            double r_norm2 = yy + w_h - 2.0 * q_dot_w;
            if (duality_gap(w, xta, d, r_norm2, yy - q_dot_w, l1, l2) < gap_tol)
                return (size_t)it + 1;
        }
    }
    return (size_t)max_iter;
}

/* Residual updates on the centred column-major xc; r (workspace, n) is
 * y - X w.  Returns the sweeps run. */
static size_t cd_naive(const double *xc, const double *yc, size_t n, size_t d, double l1,
                       double l2, long max_iter, double tol, double *w, double *r,
                       double *norms, double *xta)
{
    double yy = 0;
    for (size_t i = 0; i < n; i++) {
        r[i] = yc[i];
        yy += yc[i] * yc[i];
    }
    for (size_t j = 0; j < d; j++) {
        const double *col = xc + j * n;
        double s = 0;
        for (size_t i = 0; i < n; i++)
            s += col[i] * col[i];
        norms[j] = s;
        if (w[j] != 0)
            for (size_t i = 0; i < n; i++)
                r[i] -= w[j] * col[i];
    }
    double gap_tol = tol * yy;
    for (long it = 0; it < max_iter; it++) {
        double w_max = 0, dw_max = 0;
        for (size_t j = 0; j < d; j++) {
            if (norms[j] == 0)
                continue;
            const double *col = xc + j * n;
            double old = w[j], dotp = 0;
            if (old != 0)
                for (size_t i = 0; i < n; i++)
                    r[i] += old * col[i];
            for (size_t i = 0; i < n; i++)
                dotp += col[i] * r[i];
            w[j] = soft(dotp, l1) / (norms[j] + l2);
            if (w[j] != 0)
                for (size_t i = 0; i < n; i++)
                    r[i] -= w[j] * col[i];
            dw_max = fmax(dw_max, fabs(w[j] - old));
            w_max = fmax(w_max, fabs(w[j]));
        }
        if (w_max == 0 || dw_max / w_max < tol || it == max_iter - 1) {
            double r_norm2 = 0, r_dot_y = 0;
            for (size_t i = 0; i < n; i++) {
                r_norm2 += r[i] * r[i];
                r_dot_y += r[i] * yc[i];
            }
            for (size_t j = 0; j < d; j++) {
                const double *col = xc + j * n;
                double s = 0;
                for (size_t i = 0; i < n; i++)
                    s += col[i] * r[i];
                xta[j] = s - l2 * w[j];
            }
            if (duality_gap(w, xta, d, r_norm2, r_dot_y, l1, l2) < gap_tol)
                return (size_t)it + 1;
        }
    }
    return (size_t)max_iter;
}

/* ---- stochastic gradient descent ------------------------------------------ */

struct sgd_opts {
    double a, s;          /* penalty weight and its l1 share (see the top) */
    double eta0, power_t;
    int schedule;
    long epochs;
    double tol;
    int intercept;
    uint64_t seed;
    const volatile sig_atomic_t *cancel;   /* may be NULL */
};

/* Plain SGD on the row-major xr (n x d); w, *b start at zero.  Returns the
 * epochs run, 0 when out of memory, (size_t)-1 when cancelled. */
static size_t sgd(const double *xr, const double *y, size_t n, size_t d,
                  const struct sgd_opts *o, double *w, double *b)
{
    size_t *order = malloc(n * sizeof *order);
    double *qcum = calloc(d + 1, sizeof *qcum);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    size_t epochs_run = 0;
    if (!order || !qcum || !rng)
        goto done;
    gsl_rng_set(rng, (unsigned long)o->seed);
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    double wscale = 1.0, u = 0.0, t = 1.0, eta = o->eta0, best = INFINITY;
    int no_improve = 0;
    double l2_share = 1.0 - o->s;
    *b = 0;
    for (long ep = 0; ep < o->epochs; ep++) {
        if (o->cancel && *o->cancel) {
            epochs_run = (size_t)-1;
            break;
        }
        gsl_ran_shuffle(rng, order, n, sizeof *order);
        double sumloss = 0;
        for (size_t k = 0; k < n; k++) {
            size_t i = order[k];
            const double *xi = xr + i * d;
            double p = 0;
            for (size_t j = 0; j < d; j++)
                p += w[j] * xi[j];
            p = p * wscale + *b;
            if (o->schedule == SCHED_INVSCALING)
                eta = o->eta0 / pow(t, o->power_t);
            double diff = p - y[i];
            sumloss += 0.5 * diff * diff;
            double dloss = fmax(-SGD_MAX_DLOSS, fmin(SGD_MAX_DLOSS, diff));
            double update = -eta * dloss;
            if (o->a > 0 && l2_share > 0)
                wscale *= fmax(0.0, 1.0 - l2_share * eta * o->a);
            if (update != 0) {
                if (wscale > 0) {
                    double f = update / wscale;
                    for (size_t j = 0; j < d; j++)
                        w[j] += f * xi[j];
                }
                if (o->intercept)
                    *b += update;
            }
            if (o->a > 0 && o->s > 0) {
                u += o->s * eta * o->a;
                for (size_t j = 0; j < d && wscale > 0; j++) {
                    double z = w[j];
                    if (wscale * w[j] > 0)
                        w[j] = fmax(0.0, w[j] - (u + qcum[j]) / wscale);
                    else if (wscale * w[j] < 0)
                        w[j] = fmin(0.0, w[j] + (u - qcum[j]) / wscale);
                    qcum[j] += wscale * (w[j] - z);
                }
            }
            if (wscale < SGD_MIN_WSCALE) {
                for (size_t j = 0; j < d; j++) {
                    w[j] *= wscale;
                    qcum[j] = wscale > 0 ? qcum[j] : 0;
                }
                wscale = 1.0;
            }
            t += 1.0;
        }
        epochs_run = (size_t)ep + 1;
        if (!isfinite(sumloss))
            break;
        if (sumloss > best - o->tol * (double)n)
            no_improve++;
        else
            no_improve = 0;
        if (sumloss < best)
            best = sumloss;
        if (no_improve >= SGD_NO_CHANGE) {
            if (o->schedule == SCHED_ADAPTIVE && eta > 1e-6) {
                eta /= 5;
                no_improve = 0;
            } else {
                break;
            }
        }
    }
    for (size_t j = 0; j < d && epochs_run != (size_t)-1; j++)
        w[j] *= wscale;
done:
    free(order);
    free(qcum);
    gsl_rng_free(rng);
    return epochs_run;
}

/* ---- the trainer ----------------------------------------------------------- */

static void free_model(void *model)
{
    struct linear_model *lm = model;
    if (!lm)
        return;
    free(lm->w);
    free(lm);
}

static int check_params(const struct tune_params *params, struct tune_error *err)
{
    return tune_trainer_check_params("linear", hparams, HP_COUNT, params, err);
}

static int fit(const struct tune_matrix *x, const double *y, const struct tune_fit_ctx *ctx,
               const struct tune_params *params, void **model, struct tune_error *err)
{
    size_t n = x->n_rows, d = x->n_cols;
    struct linear_model *lm = NULL;
    double *xc = NULL, *yc = NULL, *mean = NULL, *g = NULL, *q = NULL, *ws = NULL;
    int rc;

    *model = NULL;
    if ((rc = check_params(params, err)) != TUNE_OK)
        return rc;
    if (ctx->task != TUNE_TASK_REGRESSION)
        return tune_error_set(err, TUNE_EINVAL, "linear: task %s is not regression",
                              tune_task_name(ctx->task));
    if (n == 0)
        return tune_error_set(err, TUNE_EINVAL, "linear: no training rows");
    for (size_t i = 0; i < n; i++)
        if (!isfinite(y[i]))
            return tune_error_set(err, TUNE_EINVAL, "linear: row %zu: target is not finite", i);
    /* one pass: every value finite, and the column sums for the means */
    mean = calloc(d + 1, sizeof *mean);
    if (!mean)
        return tune_error_set(err, TUNE_ENOMEM, "linear: out of memory (%zu columns)", d);
    for (size_t j = 0; j < d; j++) {
        const double *col = x->data + j * n;
        double sum = 0;
        for (size_t i = 0; i < n; i++)
            sum += col[i];
        if (!isfinite(sum)) {
            for (size_t i = 0; i < n; i++)
                if (!isfinite(col[i])) {
                    free(mean);
                    return tune_error_set(err, TUNE_EINVAL,
                                          "linear: row %zu, column %zu: value is not finite "
                                          "(impute missing values first)", i, j);
                }
            /* finite values whose sum overflows: average the shares */
            sum = 0;
            for (size_t i = 0; i < n; i++)
                sum += col[i] / (double)n;
            mean[j] = sum;
            continue;
        }
        mean[j] = sum / (double)n;
    }

    int penalty = (int)params->values[HP_PENALTY];
    double alpha = params->values[HP_ALPHA];
    double l1_ratio = params->values[HP_L1_RATIO];
    int intercept = params->values[HP_FIT_INTERCEPT] != 0;
    int solver = (int)params->values[HP_SOLVER];
    long max_iter = (long)params->values[HP_MAX_ITER];
    double tol = params->values[HP_TOL];

    lm = calloc(1, sizeof *lm);
    if (!lm || !(lm->w = calloc(d + 1, sizeof *lm->w)))
        goto nomem;
    lm->d = d;

    if (solver == SOLVER_SGD) {
        struct sgd_opts o = {
            .a = penalty == PEN_NONE ? 0.0 : penalty == PEN_L2 ? alpha / (double)n : alpha,
            .s = penalty == PEN_L1 ? 1.0 : penalty == PEN_ELASTICNET ? l1_ratio : 0.0,
            .eta0 = params->values[HP_LEARNING_RATE],
            .power_t = params->values[HP_POWER_T],
            .schedule = (int)params->values[HP_SCHEDULE],
            .epochs = (long)params->values[HP_EPOCHS],
            .tol = tol,
            .intercept = intercept,
            .seed = ctx->seed,
            .cancel = ctx->cancel,
        };
        xc = malloc((n * d + 1) * sizeof *xc);
        if (!xc)
            goto nomem;
        for (size_t i0 = 0; i0 < n; i0 += 64) {
            size_t i1 = i0 + 64 < n ? i0 + 64 : n;
            for (size_t j = 0; j < d; j++)
                for (size_t i = i0; i < i1; i++)
                    xc[i * d + j] = x->data[j * n + i];
        }
        lm->n_iter = sgd(xc, y, n, d, &o, lm->w, &lm->b);
        if (lm->n_iter == 0)
            goto nomem;
        if (lm->n_iter == (size_t)-1) {
            rc = tune_error_set(err, TUNE_ETRAINER, "linear: interrupted (sgd)");
            goto fail;
        }
        goto check;
    }

    /* Centre (scikit-learn's _preprocess_data): the means now, the
     * subtraction as each solver reads its block of rows. */
    yc = malloc(n * sizeof *yc);
    if (!yc)
        goto nomem;
    double ymean = 0;
    if (intercept) {
        for (size_t i = 0; i < n; i++)
            ymean += y[i];
        ymean /= (double)n;
    }
    for (size_t i = 0; i < n; i++)
        yc[i] = y[i] - ymean;
    if (!intercept)
        memset(mean, 0, d * sizeof *mean);
    struct centred cd = {x->data, mean, yc, n, d};

    if (d == 0) {
        /* nothing to solve: the intercept alone */
    } else if (penalty == PEN_NONE || (penalty == PEN_L2 && alpha == 0)) {
        if (solve_qr(&cd, 0.0, lm->w) == GSL_ENOMEM)
            goto nomem;
    } else if (penalty == PEN_L2) {
        g = malloc(d * d * sizeof *g);
        if (!g || !gram(&cd, g, lm->w))
            goto nomem;
        for (size_t j = 0; j < d; j++)
            g[j * d + j] += alpha;
        if (cholesky(g, d)) {
            cholesky_solve(g, d, lm->w);
        } else if (solve_qr(&cd, alpha, lm->w) == GSL_ENOMEM) {
            goto nomem;
        }
    } else {
        double rho = penalty == PEN_L1 ? 1.0 : l1_ratio;
        double l1 = alpha * rho * (double)n, l2 = alpha * (1.0 - rho) * (double)n;
        if (n >= d && d <= CD_GRAM_MAX) {
            g = malloc(d * d * sizeof *g);
            q = malloc(d * sizeof *q);
            ws = malloc(2 * d * sizeof *ws);
            if (!g || !q || !ws || !gram(&cd, g, q))
                goto nomem;
            double yy = 0;
            for (size_t i = 0; i < n; i++)
                yy += yc[i] * yc[i];
            lm->n_iter = cd_gram(g, q, yy, d, l1, l2, max_iter, tol, lm->w, ws, ws + d);
        } else {
            /* residual updates read whole columns many times: centre a copy */
            xc = malloc((n * d + 1) * sizeof *xc);
            ws = malloc((n + 2 * d) * sizeof *ws);
            if (!xc || !ws)
                goto nomem;
            for (size_t j = 0; j < d; j++)
                for (size_t i = 0; i < n; i++)
                    xc[j * n + i] = x->data[j * n + i] - mean[j];
            lm->n_iter = cd_naive(xc, yc, n, d, l1, l2, max_iter, tol, lm->w, ws, ws + n,
                                  ws + n + d);
        }
    }
    double b = ymean;
    for (size_t j = 0; j < d; j++)
        b -= mean[j] * lm->w[j];
    lm->b = intercept ? b : 0.0;

check:
    for (size_t j = 0; j < d; j++)
        if (!isfinite(lm->w[j])) {
            rc = tune_error_set(err, TUNE_ENUMERIC,
                                "linear: the %s solver diverged (penalty %s, alpha %g%s)",
                                solver == SOLVER_SGD ? "sgd" : "auto", penalty_choices[penalty],
                                alpha, solver == SOLVER_SGD ? "; try a smaller learning_rate" : "");
            goto fail;
        }
    if (!isfinite(lm->b)) {
        rc = tune_error_set(err, TUNE_ENUMERIC, "linear: the intercept is not finite (%s solver)",
                            solver == SOLVER_SGD ? "sgd" : "auto");
        goto fail;
    }
    free(xc);
    free(yc);
    free(mean);
    free(g);
    free(q);
    free(ws);
    *model = lm;
    return TUNE_OK;

nomem:
    rc = tune_error_set(err, TUNE_ENOMEM, "linear: out of memory (%zu rows, %zu columns)", n, d);
fail:
    free(xc);
    free(yc);
    free(mean);
    free(g);
    free(q);
    free(ws);
    free_model(lm);
    return rc;
}

static int predict(const void *model, const struct tune_matrix *x, struct tune_predictions *out,
                   struct tune_error *err)
{
    const struct linear_model *lm = model;
    size_t n = x->n_rows, d = lm->d;
    if (x->n_cols != d)
        return tune_error_set(err, TUNE_EINVAL, "linear: %zu columns to predict, model has %zu",
                              x->n_cols, d);
    if (out->n != n || !out->value)
        return tune_error_set(err, TUNE_EINVAL,
                              "linear: predictions sized for %zu regression rows, need %zu",
                              out->value ? out->n : (size_t)0, n);
    for (size_t i = 0; i < n; i++)
        out->value[i] = lm->b;
    if (n > 0 && d > 0) {
        gsl_matrix_const_view xt = gsl_matrix_const_view_array(x->data, d, n);
        gsl_vector_const_view wv = gsl_vector_const_view_array(lm->w, d);
        gsl_vector_view v = gsl_vector_view_array(out->value, n);
        gsl_blas_dgemv(CblasTrans, 1.0, &xt.matrix, &wv.vector, 1.0, &v.vector);
    }
    return TUNE_OK;
}

/* |coefficient| per column: comparable across columns when the features
 * share a scale (e.g. after standard scaling). */
static int importances(const void *model, double *out, size_t n_features,
                       struct tune_error *err)
{
    const struct linear_model *lm = model;
    if (n_features != lm->d)
        return tune_error_set(err, TUNE_EINVAL, "linear: %zu importances asked, model has %zu",
                              n_features, lm->d);
    for (size_t j = 0; j < lm->d; j++)
        out[j] = fabs(lm->w[j]);
    return TUNE_OK;
}

/* ---- saving and loading (trainer.h) ---- */

#define LINEAR_MODEL_VERSION 1

static int save(const void *model, struct tune_model_writer *w, struct tune_error *err)
{
    (void)err;
    const struct linear_model *lm = model;
    int rc;
    if ((rc = tune_model_put_u32(w, LINEAR_MODEL_VERSION)) ||
        (rc = tune_model_put_u64(w, lm->d)) || (rc = tune_model_put_u64(w, lm->n_iter)) ||
        (rc = tune_model_put_f64(w, lm->b)))
        return rc;
    return tune_model_put_f64s(w, lm->w, lm->d);
}

static int load(struct tune_model_reader *r, void **model, struct tune_error *err)
{
    uint32_t version;
    int rc;
    *model = NULL;
    if ((rc = tune_model_get_u32(r, &version)))
        return rc;
    if (version != LINEAR_MODEL_VERSION)
        return tune_model_reader_fail(r, "linear model version %u is not %d (written by a "
                                      "newer tunefold?)", version, LINEAR_MODEL_VERSION);
    struct linear_model *lm = calloc(1, sizeof *lm);
    if (!lm)
        return tune_error_set(err, TUNE_ENOMEM, "linear: out of memory");
    if ((rc = tune_model_get_size(r, "columns", UINT32_MAX, 0, &lm->d)) ||
        (rc = tune_model_get_size(r, "iterations", SIZE_MAX, 0, &lm->n_iter)) ||
        (rc = tune_model_get_f64(r, &lm->b)) ||
        (rc = tune_model_get_f64_array(r, lm->d, &lm->w)))
        goto fail;
    int finite = isfinite(lm->b);
    for (size_t j = 0; j < lm->d; j++)
        finite &= isfinite(lm->w[j]) != 0;
    if (!finite) {
        rc = tune_model_reader_fail(r, "a coefficient is not finite");
        goto fail;
    }
    *model = lm;
    return TUNE_OK;
fail:
    free_model(lm);
    return rc;
}

const struct tune_trainer_type tune_trainer_linear = {
    .version = 2,
    .name = "linear",
    .tasks = TUNE_TASK_REGRESSION,
    .hparams = hparams,
    .n_hparams = HP_COUNT,
    .check = NULL,
    .fit = fit,
    .predict = predict,
    .free_model = free_model,
    .importances = importances,
    .save = save,
    .load = load,
};
