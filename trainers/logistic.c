/* SPDX-License-Identifier: GPL-3.0-or-later */
/* logistic.c — the built-in `logistic` trainer: L2-, L1- or un-penalised
 * logistic regression, binary (one weight vector, sigmoid) or multinomial
 * (one weight vector per class, softmax), the model scikit-learn's
 * LogisticRegression fits with lbfgs (l2, none) and saga (l1).
 *
 * Objective.  With row weights s_i (1, or n / (k * n_c) for "balanced", k the
 * number of classes present) and S = sum s_i, the fit minimises
 *
 *     F(theta) = (1/S) sum_i s_i loss_i(theta) + (1/(C S)) R(W)
 *
 * where loss_i is the log-loss (-log of the probability of row i's class),
 * W the weights without the intercepts (never penalised) and
 * R(W) = 0.5 ||W||^2 (l2), ||W||_1 (l1) or 0 (none).  F is sklearn's
 * C sum s_i loss_i + R divided by C S: the same minimiser, on a scale that does
 * not grow with n.  Losses use log-sum-exp and log(1 + exp(-|z|)) forms, so
 * no exp ever overflows.
 *
 * Solver.  One limited-memory quasi-Newton loop (L-BFGS, 10 pairs, Armijo
 * backtracking from the unit step) serves all three penalties: for l1 it runs
 * as OWL-QN (Andrew & Gao, "Scalable training of L1-regularized log-linear
 * models", ICML 2007): the gradient is replaced by the pseudo-gradient of
 * F + l1 term, the direction is kept in the orthant of the current point,
 * and each trial point is projected onto that orthant, so coefficients that
 * the optimum puts at zero land on exactly 0.0.  The loop starts from zero,
 * which keeps the multinomial weights and intercepts summing to zero over the
 * classes (every gradient has that property), as sklearn's lbfgs does.
 *
 * Stopping (the `tol` semantics).  The loop stops after `max_iter` accepted
 * steps, or as soon as both hold:
 *   (a) max_j |g_j| * S <= tol, g the (pseudo-)gradient of F: the largest
 *       component of the gradient of sum_i s_i loss_i + R/C, i.e. exactly the
 *       `gtol` test of sklearn 1.2's lbfgs;
 *   (b) the last step moved no parameter by more than tol * max(1, |theta_j|):
 *       a quasi-Newton step approximates the distance to the optimum, so this
 *       asks for tol-relative accuracy of the coefficients themselves, which
 *       (a) alone does not give when C is large (it is also close to the test
 *       sklearn's saga applies for l1: the largest weight change per epoch).
 * With the defaults (tol 1e-4, max_iter 100) coefficients land within about
 * 2e-5 of the optimum on the shipped datasets, unless max_iter stops first;
 * tol 1e-10 reaches the optimum to about 1e-9.
 * When rounding makes further descent impossible (no step passes the line
 * search) the loop stops too: the point is as accurate as doubles allow.
 * Reaching max_iter is not an error (sklearn only warns).
 *
 * Classes.  Codes are 0..n_classes-1 from the fit context.  Only the classes
 * present in the training rows get weights: with two present the model is
 * binary (sigmoid, the higher code positive) as sklearn's is, with one present
 * it predicts that class with probability 1, and an absent class always gets
 * probability 0.  The model is a plain struct freed by free_model. */
#include "tunefold/trainer.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

enum { HP_C, HP_PENALTY, HP_MAX_ITER, HP_TOL, HP_CLASS_WEIGHT, HP_FIT_INTERCEPT, HP_COUNT };
enum { PEN_L2 = 0, PEN_L1 = 1, PEN_NONE = 2 };
enum { CW_NONE = 0, CW_BALANCED = 1 };

static const char *const penalty_choices[] = {"l2", "l1", "none", NULL};
static const char *const class_weight_choices[] = {"none", "balanced", NULL};

static const struct tune_hparam hparams[HP_COUNT] = {
    [HP_C] = {"C", TUNE_PARAM_FLOAT, 1.0, 1e-12, INFINITY, NULL,
              "inverse regularisation strength: larger C, weaker penalty"},
    [HP_PENALTY] = {"penalty", TUNE_PARAM_CATEGORICAL, PEN_L2, 0, 2, penalty_choices,
                    "penalty on the weights (never on the intercept): l2, l1 or none"},
    [HP_MAX_ITER] = {"max_iter", TUNE_PARAM_INT, 100, 1, 1e6, NULL,
                     "quasi-Newton iterations at most"},
    [HP_TOL] = {"tol", TUNE_PARAM_FLOAT, 1e-4, 0, INFINITY, NULL,
                "stop when the largest gradient component of sum(loss) + penalty/C and the "
                "largest relative step are both below tol"},
    [HP_CLASS_WEIGHT] = {"class_weight", TUNE_PARAM_CATEGORICAL, CW_NONE, 0, 1,
                         class_weight_choices,
                         "none, or balanced: weight rows by n / (classes * class count)"},
    [HP_FIT_INTERCEPT] = {"fit_intercept", TUNE_PARAM_BOOL, 1, 0, 1, NULL,
                          "fit an unpenalised intercept per weight vector"},
};

/* Quasi-Newton memory: scipy's L-BFGS-B default (maxcor = 10). */
#define LBFGS_MEM 10
/* Halvings of the step before the line search gives up (rounding floor). */
#define LS_MAX_HALVINGS 60
#define ARMIJO_C 1e-4

struct logistic_model {
    size_t d;           /* features */
    size_t n_classes;   /* class codes 0..n_classes-1 */
    size_t n_present;   /* classes seen in training: 1, 2 or more */
    size_t m;           /* weight vectors: 0 (one class), 1 (sigmoid) or n_present */
    size_t *code;       /* n_present class codes, ascending */
    double *w;          /* m x d, row-major */
    double *b;          /* m intercepts (zeros without fit_intercept) */
};

/* The data and scratch one objective evaluation needs. */
struct problem {
    size_t n, d, m;
    size_t n_w;            /* m * d weights, first in theta */
    size_t n_theta;        /* n_w, plus m intercepts when fitted */
    int intercept;
    const double *x;       /* n x d column-major, borrowed */
    const size_t *cls;     /* row -> present-class index 0..n_present-1 */
    const double *cw;      /* per present class: row weight divided by the sum */
    double l2;             /* 1/(C S) for l2, else 0 */
    double *zr;            /* m x n row-major: scores, then residuals */
};

static double sigmoid(double z)
{
    if (z >= 0)
        return 1.0 / (1.0 + exp(-z));
    double e = exp(z);
    return e / (1.0 + e);
}

/* Elements of x per block in the binary loops.  OpenBLAS runs a dgemv of
 * more than 2304 * 4 = 9216 elements on several threads, and at the size of
 * a CV fold (breast cancer: 455 x 30) starting them costs several times the
 * product; blocks below that size stay on the calling thread, and a block
 * of scores and residuals stays in L1 while its rows of x stream past. */
#define BLOCK_ELEMS 8192

static size_t block_rows(size_t d)
{
    return d == 0 ? BLOCK_ELEMS : d < BLOCK_ELEMS ? BLOCK_ELEMS / d : 1;
}

/* z[i0..i0+len) = x[i0..i0+len) w + b for one weight vector (d > 0). */
static void binary_block_scores(const gsl_matrix *xt, size_t i0, size_t len,
                                const gsl_vector *w, double b, double *z)
{
    gsl_matrix_const_view xb = gsl_matrix_const_submatrix(xt, 0, i0, xt->size1, len);
    gsl_vector_view zb = gsl_vector_view_array(z + i0, len);
    for (size_t i = 0; i < len; i++)
        z[i0 + i] = b;
    gsl_blas_dgemv(CblasTrans, 1.0, &xb.matrix, w, 1.0, &zb.vector);
}

/* scores[k * n + i] = w_k . x_i + b_k for an n x d column-major x (b may be
 * NULL).  The data are never copied: column-major n x d is row-major d x n,
 * the transpose that the BLAS calls read. */
static void scores(const double *x, size_t n, size_t d, size_t m, const double *w,
                   const double *b, double *z)
{
    if (d == 0) {
        for (size_t k = 0; k < m; k++)
            for (size_t i = 0; i < n; i++)
                z[k * n + i] = b ? b[k] : 0.0;
        return;
    }
    gsl_matrix_const_view xt = gsl_matrix_const_view_array(x, d, n);
    if (m == 1) {
        gsl_vector_const_view wv = gsl_vector_const_view_array(w, d);
        size_t rows = block_rows(d);
        for (size_t i0 = 0; i0 < n; i0 += rows)
            binary_block_scores(&xt.matrix, i0, i0 + rows < n ? rows : n - i0, &wv.vector,
                                b ? b[0] : 0.0, z);
        return;
    }
    gsl_matrix_const_view wm = gsl_matrix_const_view_array(w, m, d);
    gsl_matrix_view zm = gsl_matrix_view_array(z, m, n);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &wm.matrix, &xt.matrix, 0.0, &zm.matrix);
    if (b)
        for (size_t k = 0; k < m; k++)
            for (size_t i = 0; i < n; i++)
                z[k * n + i] += b[k];
}

/* Binary F without the l1 term, and its gradient, in one pass over x: per
 * block of rows the scores, then the loss and residual w_i (p_i - t_i), then
 * the block's share of every weight's gradient.  With e = exp(-|z|),
 * log(1 + exp(z)) = max(z, 0) + log1p(e) and the sigmoid is 1/(1+e) or
 * e/(1+e), so nothing overflows.
 *
 * The exp and the log dominate the cost of a fit, so the log1p terms of a
 * class are summed as the log of a product of up to 32 factors 1 + e in
 * (1, 2]: one log per 32 rows, each product exact to 32 ulps, about what
 * summing 32 log1p values loses.  A factor within 2^-26 of 1 would lose its
 * digits in 1 + e; its log1p(e) equals e to 2^-53 absolute and is added as
 * is, so a well-separated row still counts. */
#define PRODUCT_RUN 32

static double binary_objective(const struct problem *pb, const double *theta, double *grad)
{
    size_t n = pb->n, d = pb->d, rows = block_rows(d);
    double b = pb->intercept ? theta[d] : 0.0, gb = 0;
    double lin[2] = {0, 0}, logs[2] = {0, 0}, prod[2] = {1, 1};
    unsigned run[2] = {0, 0};
    double *z = pb->zr;

    for (size_t j = 0; j < d; j++)
        grad[j] = 0;
    for (size_t i0 = 0; i0 < n; i0 += rows) {
        size_t len = i0 + rows < n ? rows : n - i0;
        if (d > 0) {
            gsl_matrix_const_view xt = gsl_matrix_const_view_array(pb->x, d, n);
            gsl_vector_const_view wv = gsl_vector_const_view_array(theta, d);
            binary_block_scores(&xt.matrix, i0, len, &wv.vector, b, z);
        } else {
            for (size_t i = i0; i < i0 + len; i++)
                z[i] = b;
        }
        for (size_t i = i0; i < i0 + len; i++) {
            size_t c = pb->cls[i];
            double zi = z[i], t = (double)c;
            double e = exp(-fabs(zi));
            double p = zi >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
            lin[c] += (zi > 0 ? zi : 0.0) - t * zi;
            if (e < 0x1p-26) {
                logs[c] += e;
            } else {
                prod[c] *= 1.0 + e;
                if (++run[c] == PRODUCT_RUN) {
                    logs[c] += log(prod[c]);
                    prod[c] = 1;
                    run[c] = 0;
                }
            }
            z[i] = pb->cw[c] * (p - t);
            gb += z[i];
        }
        if (d > 0) {
            gsl_matrix_const_view xt = gsl_matrix_const_view_array(pb->x, d, n);
            gsl_matrix_const_view xb = gsl_matrix_const_submatrix(&xt.matrix, 0, i0, d, len);
            gsl_vector_const_view rb = gsl_vector_const_view_array(z + i0, len);
            gsl_vector_view gv = gsl_vector_view_array(grad, d);
            gsl_blas_dgemv(CblasNoTrans, 1.0, &xb.matrix, &rb.vector, 1.0, &gv.vector);
        }
    }
    if (pb->intercept)
        grad[d] = gb;
    return pb->cw[0] * (lin[0] + logs[0] + log(prod[0]))
           + pb->cw[1] * (lin[1] + logs[1] + log(prod[1]));
}

/* F(theta) without the l1 term; its gradient into grad. */
static double objective(const struct problem *pb, const double *theta, double *grad)
{
    size_t n = pb->n, d = pb->d, m = pb->m;
    double *z = pb->zr;
    double f = 0;

    if (m == 1) {
        f = binary_objective(pb, theta, grad);
    } else {
        scores(pb->x, n, d, m, theta, pb->intercept ? theta + pb->n_w : NULL, z);
        /* Per row: log-sum-exp shifted by the largest score, then the
         * residuals w_i (p_ik - [k = class]) in place of the scores. */
        for (size_t i = 0; i < n; i++) {
            size_t c = pb->cls[i];
            double zmax = z[i], zc = z[c * n + i];
            for (size_t k = 1; k < m; k++)
                zmax = z[k * n + i] > zmax ? z[k * n + i] : zmax;
            double sum = 0;
            for (size_t k = 0; k < m; k++) {
                double e = exp(z[k * n + i] - zmax);
                z[k * n + i] = e;
                sum += e;
            }
            double w = pb->cw[c], scale = w / sum;
            f += w * (zmax + log(sum) - zc);
            for (size_t k = 0; k < m; k++)
                z[k * n + i] *= scale;
            z[c * n + i] -= w;
        }
        /* Weight gradient: residuals (m x n) times x (n x d). */
        if (d > 0) {
            gsl_matrix_const_view xt = gsl_matrix_const_view_array(pb->x, d, n);
            gsl_matrix_const_view rm = gsl_matrix_const_view_array(z, m, n);
            gsl_matrix_view gm = gsl_matrix_view_array(grad, m, d);
            gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, &rm.matrix, &xt.matrix, 0.0,
                           &gm.matrix);
        }
        if (pb->intercept)
            for (size_t k = 0; k < m; k++) {
                double s = 0;
                for (size_t i = 0; i < n; i++)
                    s += z[k * n + i];
                grad[pb->n_w + k] = s;
            }
    }
    if (pb->l2 > 0) {
        double sq = 0;
        for (size_t j = 0; j < pb->n_w; j++) {
            sq += theta[j] * theta[j];
            grad[j] += pb->l2 * theta[j];
        }
        f += 0.5 * pb->l2 * sq;
    }
    return f;
}

/* The L-BFGS / OWL-QN state, sized once per fit. */
struct solver {
    size_t p;                    /* parameters */
    size_t n_l1;                 /* the first n_l1 parameters carry the l1 term */
    double l1;                   /* its weight, 1/(C S), or 0 */
    size_t used, next;           /* stored pairs, slot of the next one */
    double *s, *y;               /* LBFGS_MEM x p */
    double rho[LBFGS_MEM], alpha[LBFGS_MEM];
    double *x, *g, *pg, *dir, *xn, *gn, *pgn;
};

static double l1_term(const struct solver *sv, const double *x)
{
    double a = 0;
    for (size_t j = 0; j < sv->n_l1; j++)
        a += fabs(x[j]);
    return sv->l1 * a;
}

/* Pseudo-gradient of F + l1 term: the gradient where it is differentiable,
 * else the one-sided derivative of least magnitude, 0 when zero is optimal. */
static void pseudo_gradient(const struct solver *sv, const double *x, const double *g,
                            double *pg)
{
    for (size_t j = 0; j < sv->p; j++) {
        if (j >= sv->n_l1 || sv->l1 == 0)
            pg[j] = g[j];
        else if (x[j] > 0)
            pg[j] = g[j] + sv->l1;
        else if (x[j] < 0)
            pg[j] = g[j] - sv->l1;
        else if (g[j] + sv->l1 < 0)
            pg[j] = g[j] + sv->l1;
        else if (g[j] - sv->l1 > 0)
            pg[j] = g[j] - sv->l1;
        else
            pg[j] = 0;
    }
}

static double dot(const double *a, const double *b, size_t p)
{
    double s = 0;
    for (size_t j = 0; j < p; j++)
        s += a[j] * b[j];
    return s;
}

static double max_abs(const double *a, size_t p)
{
    double m = 0;
    for (size_t j = 0; j < p; j++)
        m = fmax(m, fabs(a[j]));
    return m;
}

/* dir = -H pg by the two-loop recursion over the stored pairs. */
static void two_loop(struct solver *sv)
{
    size_t p = sv->p;
    double *q = sv->dir;
    memcpy(q, sv->pg, p * sizeof *q);
    for (size_t t = 0; t < sv->used; t++) {
        size_t k = (sv->next + LBFGS_MEM - 1 - t) % LBFGS_MEM;
        sv->alpha[k] = sv->rho[k] * dot(sv->s + k * p, q, p);
        for (size_t j = 0; j < p; j++)
            q[j] -= sv->alpha[k] * sv->y[k * p + j];
    }
    if (sv->used > 0) {
        size_t k = (sv->next + LBFGS_MEM - 1) % LBFGS_MEM;
        const double *yk = sv->y + k * p;
        double gamma = 1.0 / (sv->rho[k] * dot(yk, yk, p));
        for (size_t j = 0; j < p; j++)
            q[j] *= gamma;
    }
    for (size_t t = sv->used; t-- > 0;) {
        size_t k = (sv->next + LBFGS_MEM - 1 - t) % LBFGS_MEM;
        double beta = sv->rho[k] * dot(sv->y + k * p, q, p);
        for (size_t j = 0; j < p; j++)
            q[j] += (sv->alpha[k] - beta) * sv->s[k * p + j];
    }
    for (size_t j = 0; j < p; j++)
        q[j] = -q[j];
}

/* Minimise F (+ l1 term) from sv->x = 0; the minimiser is left in sv->x.
 * Returns 0, or -1 when `cancel` was raised (checked every iteration). */
static int minimise(const struct problem *pb, struct solver *sv, long max_iter, double tol,
                    double sw_sum, const volatile sig_atomic_t *cancel)
{
    size_t p = sv->p;
    int l1 = sv->l1 > 0;

    memset(sv->x, 0, p * sizeof *sv->x);
    double f = objective(pb, sv->x, sv->g) + l1_term(sv, sv->x);
    pseudo_gradient(sv, sv->x, sv->g, sv->pg);
    sv->used = sv->next = 0;

    for (long iter = 0; iter < max_iter; iter++) {
        if (cancel && *cancel)
            return -1;
        double pg_max = max_abs(sv->pg, p);
        if (pg_max == 0)
            return 0;
        two_loop(sv);
        if (l1)
            for (size_t j = 0; j < sv->n_l1; j++)
                if (sv->dir[j] * sv->pg[j] >= 0)
                    sv->dir[j] = 0;
        double slope = dot(sv->dir, sv->pg, p);
        if (!(slope < 0)) {
            /* Curvature pairs that no longer give descent: start afresh. */
            sv->used = sv->next = 0;
            for (size_t j = 0; j < p; j++)
                sv->dir[j] = -sv->pg[j];
            slope = dot(sv->dir, sv->pg, p);
        }
        double step = 1.0;
        if (sv->used == 0)
            step = fmin(1.0, 1.0 / sqrt(-slope));

        /* Backtracking: Armijo on F (+ l1), measured along the projected step.
         * Near the optimum F changes by less than its rounding, so a point
         * whose value is equal within rounding and whose gradient is smaller
         * is accepted too. */
        int accepted = 0;
        double fn = f;
        for (int h = 0; h < LS_MAX_HALVINGS && !accepted; h++, step *= 0.5) {
            for (size_t j = 0; j < p; j++) {
                double v = sv->x[j] + step * sv->dir[j];
                if (l1 && j < sv->n_l1) {
                    double orth = sv->x[j] != 0 ? sv->x[j] : -sv->pg[j];
                    if (v * orth <= 0)
                        v = 0;
                }
                sv->xn[j] = v;
            }
            fn = objective(pb, sv->xn, sv->gn) + l1_term(sv, sv->xn);
            double decrease = 0;
            for (size_t j = 0; j < p; j++)
                decrease += sv->pg[j] * (sv->xn[j] - sv->x[j]);
            if (fn <= f + ARMIJO_C * decrease) {
                accepted = 1;
            } else if (fn <= f + 4 * DBL_EPSILON * fabs(f)) {
                pseudo_gradient(sv, sv->xn, sv->gn, sv->pgn);
                accepted = max_abs(sv->pgn, p) < pg_max;
            }
        }
        if (!accepted)
            return 0;

        /* Store the pair (s, y) when its curvature is usable. */
        double *sk = sv->s + sv->next * p, *yk = sv->y + sv->next * p;
        double step_max = 0;
        for (size_t j = 0; j < p; j++) {
            sk[j] = sv->xn[j] - sv->x[j];
            yk[j] = sv->gn[j] - sv->g[j];
            step_max = fmax(step_max, fabs(sk[j]) / fmax(1.0, fabs(sv->xn[j])));
        }
        double sy = dot(sk, yk, p);
        if (sy > 1e-10 * dot(yk, yk, p) && sy > 0) {
            sv->rho[sv->next] = 1.0 / sy;
            sv->next = (sv->next + 1) % LBFGS_MEM;
            if (sv->used < LBFGS_MEM)
                sv->used++;
        }
        memcpy(sv->x, sv->xn, p * sizeof *sv->x);
        memcpy(sv->g, sv->gn, p * sizeof *sv->g);
        f = fn;
        pseudo_gradient(sv, sv->x, sv->g, sv->pg);
        if (max_abs(sv->pg, p) * sw_sum <= tol && step_max <= tol)
            return 0;
    }
    return 0;
}

static void free_model(void *model)
{
    struct logistic_model *lm = model;
    if (!lm)
        return;
    free(lm->code);
    free(lm->w);
    free(lm->b);
    free(lm);
}

static int check_params(const struct tune_params *params, struct tune_error *err)
{
    return tune_trainer_check_params("logistic", hparams, HP_COUNT, params, err);
}

static int fit(const struct tune_matrix *x, const double *y, const struct tune_fit_ctx *ctx,
               const struct tune_params *params, void **model, struct tune_error *err)
{
    size_t n = x->n_rows, d = x->n_cols, k_all = ctx->n_classes;
    struct logistic_model *lm = NULL;
    size_t *count = NULL, *index = NULL, *cls = NULL;
    double *cw = NULL, *zr = NULL, *buf = NULL;
    struct solver sv = {0};
    int rc;

    *model = NULL;
    if ((rc = check_params(params, err)) != TUNE_OK)
        return rc;
    if ((rc = tune_trainer_check_data("logistic", tune_trainer_logistic.tasks, x, y, ctx, err)))
        return rc;

    double c_inv_reg = params->values[HP_C];
    int penalty = (int)params->values[HP_PENALTY];
    long max_iter = (long)params->values[HP_MAX_ITER];
    double tol = params->values[HP_TOL];
    int balanced = (int)params->values[HP_CLASS_WEIGHT] == CW_BALANCED;
    int intercept = params->values[HP_FIT_INTERCEPT] != 0;

    count = calloc(k_all, sizeof *count);
    index = malloc(k_all * sizeof *index);
    lm = calloc(1, sizeof *lm);
    if (!count || !index || !lm)
        goto nomem;
    for (size_t i = 0; i < n; i++)
        count[(size_t)y[i]]++;
    for (size_t k = 0; k < k_all; k++)
        if (count[k])
            index[k] = lm->n_present++;
    lm->d = d;
    lm->n_classes = k_all;
    lm->m = lm->n_present == 1 ? 0 : lm->n_present == 2 ? 1 : lm->n_present;
    lm->code = malloc(lm->n_present * sizeof *lm->code);
    lm->w = calloc(lm->m * d + 1, sizeof *lm->w);
    lm->b = calloc(lm->m + 1, sizeof *lm->b);
    if (!lm->code || !lm->w || !lm->b)
        goto nomem;
    for (size_t k = 0; k < k_all; k++)
        if (count[k])
            lm->code[index[k]] = k;
    if (lm->m == 0)
        goto done;

    size_t m = lm->m;
    cls = malloc(n * sizeof *cls);
    cw = malloc(lm->n_present * sizeof *cw);
    zr = malloc(m * n * sizeof *zr);
    if (!cls || !cw || !zr)
        goto nomem;
    for (size_t i = 0; i < n; i++)
        cls[i] = index[(size_t)y[i]];
    /* Row weights depend on the class only: 1, or sklearn's
     * compute_class_weight("balanced") over the classes present. */
    double sw_sum = 0;
    for (size_t c = 0; c < lm->n_present; c++) {
        size_t cnt = count[lm->code[c]];
        cw[c] = balanced ? (double)n / ((double)lm->n_present * (double)cnt) : 1.0;
        sw_sum += cw[c] * (double)cnt;
    }
    for (size_t c = 0; c < lm->n_present; c++)
        cw[c] /= sw_sum;

    struct problem pb = {
        .n = n, .d = d, .m = m, .n_w = m * d, .n_theta = m * d + (intercept ? m : 0),
        .intercept = intercept, .x = x->data, .cls = cls, .cw = cw,
        .l2 = penalty == PEN_L2 ? 1.0 / (c_inv_reg * sw_sum) : 0.0, .zr = zr,
    };
    size_t p = pb.n_theta;
    sv.p = p;
    sv.n_l1 = pb.n_w;
    sv.l1 = penalty == PEN_L1 ? 1.0 / (c_inv_reg * sw_sum) : 0.0;
    buf = malloc((2 * LBFGS_MEM + 7) * (p + 1) * sizeof *buf);
    if (!buf)
        goto nomem;
    sv.s = buf;
    sv.y = sv.s + LBFGS_MEM * (p + 1);
    sv.x = sv.y + LBFGS_MEM * (p + 1);
    sv.g = sv.x + (p + 1);
    sv.pg = sv.g + (p + 1);
    sv.dir = sv.pg + (p + 1);
    sv.xn = sv.dir + (p + 1);
    sv.gn = sv.xn + (p + 1);
    sv.pgn = sv.gn + (p + 1);
    if (minimise(&pb, &sv, max_iter, tol, sw_sum, ctx->cancel)) {
        rc = tune_error_set(err, TUNE_ETRAINER, "logistic: cancelled");
        goto fail;
    }
    for (size_t j = 0; j < p; j++)
        if (!isfinite(sv.x[j])) {
            rc = tune_error_set(err, TUNE_ENUMERIC,
                                "logistic: the solver diverged (C = %g, penalty = %s)", c_inv_reg,
                                penalty_choices[penalty]);
            goto fail;
        }
    memcpy(lm->w, sv.x, m * d * sizeof *lm->w);
    if (intercept)
        memcpy(lm->b, sv.x + m * d, m * sizeof *lm->b);

done:
    free(count);
    free(index);
    free(cls);
    free(cw);
    free(zr);
    free(buf);
    *model = lm;
    return TUNE_OK;

nomem:
    rc = tune_error_set(err, TUNE_ENOMEM, "logistic: out of memory (%zu rows, %zu columns)", n, d);
fail:
    free(count);
    free(index);
    free(cls);
    free(cw);
    free(zr);
    free(buf);
    free_model(lm);
    return rc;
}

static int predict(const void *model, const struct tune_matrix *x,
                   struct tune_predictions *out, struct tune_error *err)
{
    const struct logistic_model *lm = model;
    size_t n = x->n_rows, m = lm->m, kp = lm->n_present, k_all = lm->n_classes;

    if (x->n_cols != lm->d)
        return tune_error_set(err, TUNE_EINVAL, "logistic: %zu columns to predict, model has %zu",
                              x->n_cols, lm->d);
    if (out->n != n || out->n_classes != k_all || !out->label)
        return tune_error_set(err, TUNE_EINVAL,
                              "logistic: predictions sized for %zu rows of %zu classes, "
                              "need %zu rows of %zu", out->n, out->n_classes, n, k_all);
    double *z = NULL;
    if (m > 0 && n > 0) {
        z = malloc(m * n * sizeof *z);
        if (!z)
            return tune_error_set(err, TUNE_ENOMEM, "logistic: out of memory (%zu rows)", n);
        scores(x->data, n, lm->d, m, lm->w, lm->b, z);
    }
    for (size_t i = 0; i < n; i++) {
        double *pr = out->proba ? out->proba + i * k_all : NULL;
        if (pr)
            for (size_t k = 0; k < k_all; k++)
                pr[k] = 0;
        if (m == 0) {
            out->label[i] = (int)lm->code[0];
            if (pr)
                pr[lm->code[0]] = 1;
        } else if (m == 1) {
            /* Ties go to the lower class, as sklearn's decision > 0 does. */
            out->label[i] = (int)lm->code[z[i] > 0 ? 1 : 0];
            if (pr) {
                pr[lm->code[0]] = sigmoid(-z[i]);
                pr[lm->code[1]] = sigmoid(z[i]);
            }
        } else {
            size_t best = 0;
            double zmax = z[i];
            for (size_t k = 1; k < kp; k++)
                if (z[k * n + i] > zmax) {
                    zmax = z[k * n + i];
                    best = k;
                }
            out->label[i] = (int)lm->code[best];
            if (pr) {
                double sum = 0;
                for (size_t k = 0; k < kp; k++)
                    sum += exp(z[k * n + i] - zmax);
                double lse = zmax + log(sum);
                for (size_t k = 0; k < kp; k++)
                    pr[lm->code[k]] = exp(z[k * n + i] - lse);
            }
        }
    }
    free(z);
    return TUNE_OK;
}

/* ---- saving and loading (trainer.h) ---- */

#define LOGISTIC_MODEL_VERSION 1

static int save(const void *model, struct tune_model_writer *w, struct tune_error *err)
{
    (void)err;
    const struct logistic_model *lm = model;
    int rc;
    if ((rc = tune_model_put_u32(w, LOGISTIC_MODEL_VERSION)) ||
        (rc = tune_model_put_u64(w, lm->d)) || (rc = tune_model_put_u64(w, lm->n_classes)) ||
        (rc = tune_model_put_u64(w, lm->n_present)))
        return rc;
    for (size_t c = 0; c < lm->n_present; c++)
        if ((rc = tune_model_put_u64(w, lm->code[c])))
            return rc;
    if ((rc = tune_model_put_f64s(w, lm->w, lm->m * lm->d)))
        return rc;
    return tune_model_put_f64s(w, lm->b, lm->m);
}

static int finite_all(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return 0;
    return 1;
}

/* The weight vectors follow from the classes present, as in fit. */
static int load(struct tune_model_reader *r, void **model, struct tune_error *err)
{
    uint32_t version;
    int rc;
    *model = NULL;
    if ((rc = tune_model_get_u32(r, &version)))
        return rc;
    if (version != LOGISTIC_MODEL_VERSION)
        return tune_model_reader_fail(r, "logistic model version %u is not %d (written by a "
                                      "newer tunefold?)", version, LOGISTIC_MODEL_VERSION);
    struct logistic_model *lm = calloc(1, sizeof *lm);
    if (!lm)
        return tune_error_set(err, TUNE_ENOMEM, "logistic: out of memory");
    if ((rc = tune_model_get_size(r, "columns", UINT32_MAX, 0, &lm->d)) ||
        (rc = tune_model_get_size(r, "classes", 65535, 0, &lm->n_classes)) ||
        (rc = tune_model_get_size(r, "classes present", lm->n_classes, 8, &lm->n_present)))
        goto fail;
    if (lm->n_classes < 2 || lm->n_present < 1) {
        rc = tune_model_reader_fail(r, "%zu classes, %zu present", lm->n_classes,
                                    lm->n_present);
        goto fail;
    }
    lm->m = lm->n_present == 1 ? 0 : lm->n_present == 2 ? 1 : lm->n_present;
    lm->code = malloc(lm->n_present * sizeof *lm->code);
    if (!lm->code) {
        rc = tune_error_set(err, TUNE_ENOMEM, "logistic: out of memory");
        goto fail;
    }
    for (size_t c = 0; c < lm->n_present; c++) {
        uint64_t code;
        if ((rc = tune_model_get_u64(r, &code)))
            goto fail;
        if (code >= lm->n_classes || (c > 0 && code <= lm->code[c - 1])) {
            rc = tune_model_reader_fail(r, "class code %llu out of order or range",
                                        (unsigned long long)code);
            goto fail;
        }
        lm->code[c] = (size_t)code;
    }
    if (lm->m > 0 && lm->d > tune_model_reader_left(r) / 8 / lm->m) {
        rc = tune_model_reader_fail(r, "%zu x %zu weights, %zu bytes left", lm->m, lm->d,
                                    tune_model_reader_left(r));
        goto fail;
    }
    if ((rc = tune_model_get_f64_array(r, lm->m * lm->d, &lm->w)) ||
        (rc = tune_model_get_f64_array(r, lm->m, &lm->b)))
        goto fail;
    if (!finite_all(lm->w, lm->m * lm->d) || !finite_all(lm->b, lm->m)) {
        rc = tune_model_reader_fail(r, "a weight is not finite");
        goto fail;
    }
    *model = lm;
    return TUNE_OK;
fail:
    free_model(lm);
    return rc;
}

const struct tune_trainer_type tune_trainer_logistic = {
    .version = 2,
    .name = "logistic",
    .tasks = TUNE_TASK_BINARY | TUNE_TASK_MULTICLASS,
    .hparams = hparams,
    .n_hparams = HP_COUNT,
    .check = NULL,
    .fit = fit,
    .predict = predict,
    .free_model = free_model,
    .save = save,
    .load = load,
};
