/* SPDX-License-Identifier: GPL-3.0-or-later */
/* svm.c — the `svm` trainer: support-vector machines from LIBSVM 3.24
 * (Chang & Lin, "LIBSVM: a library for support vector machines", ACM TIST
 * 2011; Debian's libsvm-dev), linked and called in process.
 *
 * Machines: C-SVC and nu-SVC (binary, multiclass: LIBSVM's one-vs-one),
 * epsilon-SVR and nu-SVR (regression); kernels linear, poly, rbf, sigmoid.
 * One-class SVM is not offered: it learns from unlabelled rows and answers
 * "inlier or outlier", which none of tunefold's tasks scores.
 *
 * gamma.  A LIBSVM gamma is a positive number; scikit-learn also takes the
 * keywords "scale" (1 / (d Var X), Var over every value of the training
 * matrix; 1 when that variance is 0) and "auto" (1 / d).  A hyperparameter
 * here is one type, so the number and the keyword are two: `gamma` (float,
 * default 0) and `gamma_mode` (scale | auto).  A gamma > 0 is used as given;
 * gamma 0 means "computed by gamma_mode" (0 is no use as a kernel width: it
 * makes the rbf kernel constant).  So a study that searches `gamma` gets the
 * numbers it searches, and one that leaves it gets scikit-learn's default.
 *
 * Data.  LIBSVM reads rows as arrays of (index, value) nodes ending with
 * index -1.  A fit converts its training matrix (column-major doubles) once:
 * one block of nodes, zeros left out (LIBSVM's kernels treat a missing index
 * as 0 and add the same terms in the same order, so the sums are bit for bit
 * those of the dense rows), and an array of row pointers.  The model keeps
 * the block, since LIBSVM's support vectors point into it.  Prediction
 * converts one row at a time into a workspace of d + 1 nodes.
 *
 * Class order.  LIBSVM numbers the classes in order of first appearance and
 * trains pair (i, j) with class i as +1; scikit-learn's copy of LIBSVM sorts
 * them.  The row pointers are handed over grouped by class in ascending code
 * (stable within a class), which is exactly the order both LIBSVM and
 * scikit-learn then train on, so the two solve the same problems in the same
 * order: their decision values agree to rounding (1e-13 on the shipped
 * data; scikit-learn's copy sums dense rows).
 *
 * Scores.  Labels come from the decision values (LIBSVM's vote, what
 * scikit-learn's SVC.predict returns, probability or not).  With
 * `probability` off, the scores in `proba` are scikit-learn's
 * SVC.decision_function: binary, the decision value oriented so that
 * positive means class 1 (proba[2i+1]; proba[2i] = 1 - it, the convention of
 * a score column in predictions.h) — roc_auc and average precision are
 * meaningful, log_loss and brier are not; multiclass, its "ovr" shape: votes
 * plus the summed pairwise confidences squashed by x / (3 (|x| + 1)), a class
 * absent from the training fold scoring -1 (below every vote).  With
 * `probability` on, LIBSVM's Platt scaling (an internal 5-fold CV per pair,
 * then pairwise coupling): true probabilities, an absent class 0.
 *
 * Randomness.  LIBSVM draws from the C library's rand() only for
 * `probability` (the internal folds); the fit then calls srand() with the
 * trial's seed first, so a trial is reproduced.  That seeds the process-wide
 * generator: two probability fits on threads of one process at once are not
 * reproducible (tunefold's workers are processes).
 *
 * Printing.  LIBSVM prints its progress to stdout by default; every fit sets
 * a print function that drops it (svm_set_print_string_function, a
 * process-wide setting that LIBSVM keeps in one pointer).
 *
 * Errors.  Each value is checked against its declared range first; what
 * svm_check_parameter still refuses (an infeasible nu for the class sizes)
 * is a TUNE_EINVAL naming the hyperparameter.  LIBSVM cannot be interrupted
 * during a fit; the cancel flag is looked at before it starts. */
#include "tunefold/trainer.h"
#include "trainers/svm.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libsvm/svm.h>

enum {
    HP_SVM_TYPE, HP_KERNEL, HP_C, HP_GAMMA, HP_GAMMA_MODE, HP_DEGREE, HP_COEF0, HP_NU,
    HP_EPSILON, HP_TOL, HP_SHRINKING, HP_CLASS_WEIGHT, HP_CACHE_SIZE, HP_PROBABILITY, HP_COUNT
};
enum { TYPE_AUTO, TYPE_C_SVC, TYPE_NU_SVC, TYPE_EPSILON_SVR, TYPE_NU_SVR };
enum { GAMMA_SCALE, GAMMA_AUTO };
enum { CW_NONE, CW_BALANCED };

static const char *const type_choices[] = {"auto", "c_svc", "nu_svc", "epsilon_svr", "nu_svr",
                                           NULL};
/* In LIBSVM's order: the index is LIBSVM's kernel_type. */
static const char *const kernel_choices[] = {"linear", "poly", "rbf", "sigmoid", NULL};
static const char *const gamma_mode_choices[] = {"scale", "auto", NULL};
static const char *const class_weight_choices[] = {"none", "balanced", NULL};

static const struct tune_hparam hparams[HP_COUNT] = {
    [HP_SVM_TYPE] = {"svm_type", TUNE_PARAM_CATEGORICAL, TYPE_AUTO, 0, 4, type_choices,
                     "machine: auto (c_svc for classification, epsilon_svr for regression), "
                     "c_svc, nu_svc, epsilon_svr, nu_svr"},
    [HP_KERNEL] = {"kernel", TUNE_PARAM_CATEGORICAL, RBF, 0, 3, kernel_choices,
                   "kernel: linear u'v, poly (gamma u'v + coef0)^degree, rbf "
                   "exp(-gamma |u-v|^2), sigmoid tanh(gamma u'v + coef0)"},
    [HP_C] = {"C", TUNE_PARAM_FLOAT, 1.0, 1e-12, 1e12, NULL,
              "cost of a margin violation (c_svc, epsilon_svr, nu_svr)"},
    [HP_GAMMA] = {"gamma", TUNE_PARAM_FLOAT, 0.0, 0.0, 1e12, NULL,
                  "kernel width of poly, rbf and sigmoid; 0: computed by gamma_mode"},
    [HP_GAMMA_MODE] = {"gamma_mode", TUNE_PARAM_CATEGORICAL, GAMMA_SCALE, 0, 1,
                       gamma_mode_choices,
                       "gamma when `gamma` is 0: scale 1/(columns x variance of the training "
                       "values), auto 1/columns (scikit-learn's keywords)"},
    [HP_DEGREE] = {"degree", TUNE_PARAM_INT, 3, 0, 100, NULL, "degree of the poly kernel"},
    [HP_COEF0] = {"coef0", TUNE_PARAM_FLOAT, 0.0, -1e12, 1e12, NULL,
                  "constant term of the poly and sigmoid kernels"},
    [HP_NU] = {"nu", TUNE_PARAM_FLOAT, 0.5, 1e-12, 1.0, NULL,
               "nu_svc, nu_svr: bound on the share of margin errors and of support vectors"},
    [HP_EPSILON] = {"epsilon", TUNE_PARAM_FLOAT, 0.1, 0.0, 1e12, NULL,
                    "epsilon_svr: half-width of the tube inside which errors cost nothing"},
    [HP_TOL] = {"tol", TUNE_PARAM_FLOAT, 1e-3, 1e-15, 1e3, NULL,
                "stopping tolerance of the solver (LIBSVM's -e)"},
    [HP_SHRINKING] = {"shrinking", TUNE_PARAM_BOOL, 1, 0, 1, NULL,
                      "use the shrinking heuristics"},
    [HP_CLASS_WEIGHT] = {"class_weight", TUNE_PARAM_CATEGORICAL, CW_NONE, 0, 1,
                         class_weight_choices,
                         "c_svc: none, or balanced: C of class c times n / (classes x n_c)"},
    [HP_CACHE_SIZE] = {"cache_size", TUNE_PARAM_FLOAT, 200.0, 0.1, 1e6, NULL,
                       "kernel cache in MB"},
    [HP_PROBABILITY] = {"probability", TUNE_PARAM_BOOL, 0, 0, 1, NULL,
                        "classification: fit Platt scaling (5 more fits) and give "
                        "probabilities instead of decision values"},
};

struct svm_fit {
    size_t d, k;                 /* columns; classes (0: regression) */
    int regression;
    int probability;             /* proba holds LIBSVM's probabilities */
    int constant;                /* one class in training: always that class */
    int constant_code;
    struct svm_model *model;     /* NULL when constant */
    struct svm_node *nodes;      /* the training rows; the support vectors point here */
    struct svm_node **rows;
    double *y;
    int *weight_label;           /* class weights, borrowed by model->param */
    double *weight;
    int *code_at;                /* model label index -> class code */
    int nr_class;
};

static void quiet(const char *s)
{
    (void)s;
}

static void free_model(void *model)
{
    struct svm_fit *m = model;
    if (!m)
        return;
    if (m->model) {
        /* The weights are ours; LIBSVM's destroy_param would free them. */
        m->model->param.weight_label = NULL;
        m->model->param.weight = NULL;
        m->model->param.nr_weight = 0;
        svm_free_and_destroy_model(&m->model);
    }
    free(m->nodes);
    free(m->rows);
    free(m->y);
    free(m->weight_label);
    free(m->weight);
    free(m->code_at);
    free(m);
}

static int check_params(const struct tune_params *params, struct tune_error *err)
{
    return tune_trainer_check_params("svm", hparams, HP_COUNT, params, err);
}

/* LIBSVM's svm_check_parameter messages, by the hyperparameter they are
 * about.  LIBSVM's own names (eps, p) are not tunefold's (tol, epsilon). */
static const char *param_of_message(const char *msg)
{
    static const struct {
        const char *prefix, *param;
    } map[] = {
        {"unknown svm type", "svm_type"}, {"unknown kernel type", "kernel"},
        {"gamma", "gamma"},               {"degree", "degree"},
        {"cache_size", "cache_size"},     {"eps", "tol"},
        {"C <= 0", "C"},                  {"nu", "nu"},
        {"specified nu", "nu"},           {"p < 0", "epsilon"},
        {"shrinking", "shrinking"},       {"probability", "probability"},
        {"one-class", "probability"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strncmp(msg, map[i].prefix, strlen(map[i].prefix)) == 0)
            return map[i].param;
    return "parameters";
}

/* Var of every value of the n x d column-major x (population variance),
 * summed with Neumaier's compensation so it is the correctly rounded value
 * whatever the size, as numpy's pairwise X.var() is to within an ulp. */
static double matrix_variance(const double *x, size_t count)
{
    double s = 0, c = 0;
    for (size_t i = 0; i < count; i++) {
        double t = s + x[i];
        c += fabs(s) >= fabs(x[i]) ? (s - t) + x[i] : (x[i] - t) + s;
        s = t;
    }
    double mean = (s + c) / (double)count;
    s = c = 0;
    for (size_t i = 0; i < count; i++) {
        double v = (x[i] - mean) * (x[i] - mean);
        double t = s + v;
        c += s >= v ? (s - t) + v : (v - t) + s;
        s = t;
    }
    return (s + c) / (double)count;
}

/* The training rows as LIBSVM nodes, in the order `order` (n row indices):
 * fills m->nodes, m->rows.  Zeros are left out. */
static int build_rows(struct svm_fit *m, const struct tune_matrix *x, const size_t *order)
{
    size_t n = x->n_rows, d = x->n_cols, nnz = 0;
    for (size_t t = 0; t < n * d; t++)
        nnz += x->data[t] != 0.0;
    m->nodes = malloc((nnz + n) * sizeof *m->nodes);
    m->rows = malloc((n + 1) * sizeof *m->rows);
    if (!m->nodes || !m->rows)
        return TUNE_ENOMEM;
    struct svm_node *p = m->nodes;
    for (size_t r = 0; r < n; r++) {
        size_t i = order ? order[r] : r;
        m->rows[r] = p;
        for (size_t j = 0; j < d; j++) {
            double v = x->data[j * n + i];
            if (v != 0.0)
                *p++ = (struct svm_node){(int)j + 1, v};
        }
        *p++ = (struct svm_node){-1, 0.0};
    }
    return TUNE_OK;
}

/* Whether LIBSVM's solution is finite: a kernel that overflows (poly with a
 * large degree and gamma, sigmoid's products) leaves NaN in it. */
static int model_finite(const struct svm_model *model)
{
    int nr = model->nr_class;
    for (int p = 0; p < nr * (nr - 1) / 2; p++)
        if (!isfinite(model->rho[p]))
            return 0;
    for (int c = 0; c < nr - 1; c++)
        for (int i = 0; i < model->l; i++)
            if (!isfinite(model->sv_coef[c][i]))
                return 0;
    return 1;
}

/* One row of x as nodes into buf (d + 1 nodes). */
static void row_nodes(const struct tune_matrix *x, size_t i, struct svm_node *buf)
{
    size_t n = x->n_rows, d = x->n_cols, q = 0;
    for (size_t j = 0; j < d; j++) {
        double v = x->data[j * n + i];
        if (v != 0.0)
            buf[q++] = (struct svm_node){(int)j + 1, v};
    }
    buf[q] = (struct svm_node){-1, 0.0};
}

/* ---- the kernel matrix, once per fold (a study's fold cache) ----
 *
 * LIBSVM computes every kernel value it needs from the rows: a sparse dot
 * product per pair, for every fit, again for every trial of a study although
 * a fold's rows never change.  What the linear, poly, rbf and sigmoid kernels
 * need of the rows is their dot products, so a fit that has the fold's cache
 * computes them once per fold (the first trial) and keeps them; each fit
 * then makes the kernel matrix from them and hands it to LIBSVM as a
 * precomputed kernel.  The values are LIBSVM's own to the bit: the same
 * products summed in the same order (a term with a zero factor adds nothing
 * to a sum that is never -0, which is why LIBSVM may leave zeros out), put
 * through the same expressions (Kernel::kernel_rbf's
 * exp(-gamma (|u|^2 + |v|^2 - 2 u'v)), kernel_poly's powi, tanh) and the same
 * libm; the solver then walks the same path.  After training the model's
 * support vectors are pointed back at the rows and its kernel set back, so
 * prediction, saving and loading are those of an ordinary fit.
 *
 * Not with `probability` (LIBSVM's internal folds predict with k_function,
 * whose rbf is summed another way), and only up to SVM_GRAM_MAX_ROWS
 * training rows: the matrix takes n (n + 2) nodes of 16 bytes during the fit
 * (61 MiB at 2000 rows) and the dot products n (n + 1) / 2 doubles in the
 * fold's cache (15 MiB). */
#define SVM_GRAM_MAX_ROWS 2000
#define SVM_DOTS_KEY "svm/dots"

struct svm_dots {
    size_t n, d;
    int grouped;                 /* rows in the order grouped by class */
    double *v;                   /* packed upper triangle, row by row */
};

static void dots_free(void *p)
{
    struct svm_dots *g = p;
    if (g)
        free(g->v);
    free(g);
}

static size_t dots_bytes(size_t n)
{
    return sizeof(struct svm_dots) + n * (n + 1) / 2 * sizeof(double);
}

/* u'v of every pair of training rows, each summed over the columns in
 * order, the rows taken in the problem's order (order[s] is the fold's row
 * of problem row s; NULL: the same).  That order depends only on the fold's
 * classes, so it is the same for every fit of the fold. */
static struct svm_dots *dots_make(const struct tune_matrix *x, const size_t *order)
{
    size_t n = x->n_rows, d = x->n_cols;
    struct svm_dots *g = malloc(sizeof *g);
    double *v = calloc(n * (n + 1) / 2 + 1, sizeof *v);
    double *col = malloc((n + 1) * sizeof *col);
    if (!g || !v || !col) {
        free(g);
        free(v);
        free(col);
        return NULL;
    }
    *g = (struct svm_dots){n, d, order != NULL, v};
    for (size_t c = 0; c < d; c++) {
        for (size_t s = 0; s < n; s++)
            col[s] = x->data[c * n + (order ? order[s] : s)];
        double *row = v;
        for (size_t s = 0; s < n; row += n - s, s++) {
            double a = col[s];
            if (a != 0.0)
                for (size_t t = s; t < n; t++)
                    row[t - s] += a * col[t];
        }
    }
    free(col);
    return g;
}

/* LIBSVM's powi (svm.cpp): the poly kernel's power by squaring. */
static double powi(double base, int times)
{
    double tmp = base, ret = 1.0;
    for (int t = times; t > 0; t /= 2) {
        if (t % 2 == 1)
            ret *= tmp;
        tmp = tmp * tmp;
    }
    return ret;
}

/* LIBSVM's linear, poly and sigmoid kernels of a dot product u'v (the same
 * expressions in Kernel::kernel_* and k_function). */
static double dot_kernel(const struct svm_parameter *p, double uv)
{
    switch (p->kernel_type) {
    case LINEAR:
        return uv;
    case POLY:
        return powi(p->gamma * uv + p->coef0, p->degree);
    default:
        return tanh(p->gamma * uv + p->coef0);
    }
}

/* The kernel matrix of the training rows in LIBSVM's precomputed form: row
 * s is node 0 holding its serial number s + 1, then K(s, t) at node t + 1,
 * then the end; each value LIBSVM's Kernel::kernel_* from the dot products.
 * Returns the n row pointers (the nodes follow them in the same block), or
 * NULL when out of memory. */
static struct svm_node **kernel_rows(const struct svm_dots *g, const struct svm_parameter *p)
{
    size_t n = g->n, w = n + 2;
    struct svm_node **rows = malloc(n * sizeof *rows + n * w * sizeof **rows);
    double *sq = malloc((n + 1) * sizeof *sq);
    if (!rows || !sq) {
        free(rows);
        free(sq);
        return NULL;
    }
    struct svm_node *nodes = (struct svm_node *)(rows + n);
    const double *v = g->v;
    for (size_t s = 0; s < n; v += n - s, s++)
        sq[s] = v[0];
    v = g->v;
    int rbf = p->kernel_type == RBF;
    for (size_t s = 0; s < n; v += n - s, s++) {
        struct svm_node *r = rows[s] = nodes + s * w;
        r[0] = (struct svm_node){0, (double)(s + 1)};
        for (size_t t = s; t < n; t++) {
            double ab = v[t - s];
            double k = rbf ? exp(-p->gamma * (sq[s] + sq[t] - 2 * ab)) : dot_kernel(p, ab);
            r[t + 1] = (struct svm_node){(int)t + 1, k};
        }
        /* the lower part from the rows above, which hold it */
        for (size_t t = 0; t < s; t++)
            r[t + 1] = (struct svm_node){(int)t + 1, nodes[t * w + s + 1].value};
        r[n + 1] = (struct svm_node){-1, 0.0};
    }
    free(sq);
    return rows;
}

/* Kernel values kept for one setting of the kernel's parameters (gamma,
 * coef0, degree: C and the rest do not enter them), laid out as the dot
 * products.  A grid search fits each gamma with every C, so the first fit
 * of a setting leaves a marker in the fold's cache, the second keeps the
 * values, and the later ones copy them instead of computing them again; a
 * continuous search, which seldom repeats a setting, keeps markers only
 * (counted as SVM_MARK_BYTES each against the fold's bound). */
#define SVM_MARK_BYTES 64

static void kernel_key(char *key, size_t size, const char *what, const struct svm_parameter *p)
{
    snprintf(key, size, "svm/%s/%d/%a/%a/%d", what, p->kernel_type, p->gamma, p->coef0,
             p->degree);
}

static int dots_fit(const struct svm_dots *g, const struct tune_matrix *x, const size_t *order)
{
    return g && g->n == x->n_rows && g->d == x->n_cols && g->grouped == (order != NULL);
}

/* The upper triangle of kernel rows, packed as the dot products are. */
static struct svm_dots *kernel_values(struct svm_node *const *rows, const struct tune_matrix *x,
                                      const size_t *order)
{
    size_t n = x->n_rows;
    struct svm_dots *k = malloc(sizeof *k);
    double *v = malloc((n * (n + 1) / 2 + 1) * sizeof *v);
    if (!k || !v) {
        free(k);
        free(v);
        return NULL;
    }
    *k = (struct svm_dots){n, x->n_cols, order != NULL, v};
    for (size_t s = 0; s < n; s++)
        for (size_t t = s; t < n; t++)
            *v++ = rows[s][t + 1].value;
    return k;
}

/* The kernel matrix of a fit with the fold's cache (see above), or NULL
 * when out of memory (LIBSVM then computes the kernel itself). */
static struct svm_node **fold_kernel(const struct tune_fit_ctx *ctx, const struct tune_matrix *x,
                                     const size_t *order, const struct svm_parameter *p)
{
    char key[128], mark[128];
    int linear = p->kernel_type == LINEAR;
    struct svm_parameter as_is = *p;     /* values that are kernel values already */
    as_is.kernel_type = LINEAR;
    kernel_key(key, sizeof key, "kernel", p);
    kernel_key(mark, sizeof mark, "seen", p);
    const struct svm_dots *kept = linear ? NULL : ctx->cache_find(ctx->cache_arg, key);
    if (dots_fit(kept, x, order))
        return kernel_rows(kept, &as_is);
    const struct svm_dots *dots = ctx->cache_find(ctx->cache_arg, SVM_DOTS_KEY);
    struct svm_dots *made = NULL;
    if (!dots_fit(dots, x, order))
        dots = made = dots_make(x, order);
    struct svm_node **rows = dots ? kernel_rows(dots, p) : NULL;
    if (made)
        ctx->cache_put(ctx->cache_arg, SVM_DOTS_KEY, made, dots_bytes(x->n_rows), dots_free);
    if (rows && !linear) {
        if (ctx->cache_find(ctx->cache_arg, mark)) {
            struct svm_dots *k = kernel_values(rows, x, order);
            if (k)
                ctx->cache_put(ctx->cache_arg, key, k, dots_bytes(x->n_rows), dots_free);
        } else {
            char *m = malloc(1);
            if (m)
                ctx->cache_put(ctx->cache_arg, mark, m, SVM_MARK_BYTES, free);
        }
    }
    return rows;
}

static int fit(const struct tune_matrix *x, const double *y, const struct tune_fit_ctx *ctx,
               const struct tune_params *params, void **model, struct tune_error *err)
{
    size_t n = x->n_rows, d = x->n_cols, k = ctx->n_classes;
    struct svm_fit *m = NULL;
    size_t *count = NULL, *order = NULL;
    int rc;

    *model = NULL;
    if ((rc = check_params(params, err)))
        return rc;
    if ((rc = tune_trainer_check_data("svm", tune_trainer_svm.tasks, x, y, ctx, err)))
        return rc;
    if (n > (size_t)INT_MAX || d >= (size_t)INT_MAX)
        return tune_error_set(err, TUNE_EINVAL, "svm: %zu rows x %zu columns is more than "
                              "LIBSVM's int indices hold", n, d);
    const double *v = params->values;
    int regression = ctx->task == TUNE_TASK_REGRESSION;
    int type = (int)v[HP_SVM_TYPE];
    if (type == TYPE_AUTO)
        type = regression ? TYPE_EPSILON_SVR : TYPE_C_SVC;
    int type_regresses = type == TYPE_EPSILON_SVR || type == TYPE_NU_SVR;
    if (type_regresses != regression)
        return tune_error_set(err, TUNE_EINVAL, "svm: svm_type: %s is %s, the task is %s",
                              type_choices[type],
                              type_regresses ? "a regression" : "a classifier",
                              tune_task_name(ctx->task));
    if (ctx->cancel && *ctx->cancel)
        return tune_error_set(err, TUNE_ETRAINER, "svm: cancelled");

    m = calloc(1, sizeof *m);
    if (!m)
        goto nomem;
    m->d = d;
    m->k = regression ? 0 : k;
    m->regression = regression;
    m->y = malloc((n + 1) * sizeof *m->y);
    if (!m->y)
        goto nomem;

    /* Classification: rows grouped by class, ascending (see the head). */
    size_t present = 0;
    if (!regression) {
        count = calloc(k + 1, sizeof *count);
        order = malloc((n + 1) * sizeof *order);
        if (!count || !order)
            goto nomem;
        for (size_t i = 0; i < n; i++)
            count[(size_t)y[i]]++;
        size_t *start = calloc(k + 1, sizeof *start);
        if (!start)
            goto nomem;
        for (size_t c = 0; c < k; c++) {
            present += count[c] > 0;
            start[c + 1] = start[c] + count[c];
            if (count[c])
                m->constant_code = (int)c;
        }
        for (size_t i = 0; i < n; i++) {
            size_t c = (size_t)y[i];
            m->y[start[c]] = y[i];
            order[start[c]++] = i;
        }
        free(start);
        if (present == 1) {
            m->constant = 1;
            goto done;
        }
    } else {
        memcpy(m->y, y, n * sizeof *m->y);
    }
    if (build_rows(m, x, order))
        goto nomem;

    struct svm_parameter param = {0};
    param.svm_type = type == TYPE_C_SVC ? C_SVC : type == TYPE_NU_SVC ? NU_SVC
                     : type == TYPE_EPSILON_SVR ? EPSILON_SVR : NU_SVR;
    param.kernel_type = (int)v[HP_KERNEL];
    param.degree = (int)v[HP_DEGREE];
    param.gamma = v[HP_GAMMA];
    if (param.gamma == 0) {
        double var = (int)v[HP_GAMMA_MODE] == GAMMA_SCALE && d > 0 && n > 0
                         ? matrix_variance(x->data, n * d) : 0.0;
        param.gamma = d == 0 ? 1.0
                      : (int)v[HP_GAMMA_MODE] == GAMMA_AUTO ? 1.0 / (double)d
                      : var != 0 ? 1.0 / ((double)d * var) : 1.0;
    }
    param.coef0 = v[HP_COEF0];
    param.cache_size = v[HP_CACHE_SIZE];
    param.eps = v[HP_TOL];
    param.C = v[HP_C];
    param.nu = v[HP_NU];
    param.p = v[HP_EPSILON];
    param.shrinking = v[HP_SHRINKING] != 0;
    param.probability = !regression && v[HP_PROBABILITY] != 0;
    if (param.svm_type == C_SVC && (int)v[HP_CLASS_WEIGHT] == CW_BALANCED) {
        /* scikit-learn's compute_class_weight("balanced") over the classes
         * present: n / (classes x n_c), multiplying C for that class. */
        m->weight_label = malloc(present * sizeof *m->weight_label);
        m->weight = malloc(present * sizeof *m->weight);
        if (!m->weight_label || !m->weight)
            goto nomem;
        for (size_t c = 0; c < k; c++)
            if (count[c]) {
                m->weight_label[param.nr_weight] = (int)c;
                m->weight[param.nr_weight++] = (double)n / ((double)present * (double)count[c]);
            }
        param.weight_label = m->weight_label;
        param.weight = m->weight;
    }
    struct svm_problem prob = {(int)n, m->y, m->rows};
    const char *bad = svm_check_parameter(&prob, &param);
    if (bad) {
        rc = tune_error_set(err, TUNE_EINVAL, "svm: %s: %s (LIBSVM)", param_of_message(bad), bad);
        goto fail;
    }
    svm_set_print_string_function(quiet);
    if (param.probability)
        srand((unsigned)(ctx->seed ^ (ctx->seed >> 32)));
    /* The kernel matrix from the fold's cache (see above). */
    struct svm_node **krows = NULL;
    if (!param.probability && ctx->cache_find && ctx->cache_put && n <= SVM_GRAM_MAX_ROWS)
        krows = fold_kernel(ctx, x, order, &param);
    if (krows) {
        struct svm_parameter pre = param;
        pre.kernel_type = PRECOMPUTED;
        struct svm_problem kprob = {(int)n, m->y, krows};
        m->model = svm_train(&kprob, &pre);
        /* an ordinary model again: its support vectors are the rows */
        if (m->model) {
            m->model->param.kernel_type = param.kernel_type;
            for (int i = 0; i < m->model->l; i++)
                m->model->SV[i] = m->rows[m->model->sv_indices[i] - 1];
        }
        free(krows);
    } else {
        m->model = svm_train(&prob, &param);
    }
    if (!m->model)
        goto nomem;
    if (!model_finite(m->model)) {
        rc = tune_error_set(err, TUNE_ENUMERIC, "svm: the solution is not finite: the %s "
                            "kernel overflows (gamma %g, degree %d, coef0 %g)",
                            kernel_choices[param.kernel_type], param.gamma, param.degree,
                            param.coef0);
        goto fail;
    }
    m->probability = param.probability && svm_check_probability_model(m->model);
    if (!regression) {
        m->nr_class = svm_get_nr_class(m->model);
        m->code_at = malloc((size_t)m->nr_class * sizeof *m->code_at);
        if (!m->code_at)
            goto nomem;
        svm_get_labels(m->model, m->code_at);
    }

done:
    free(count);
    free(order);
    *model = m;
    return TUNE_OK;
nomem:
    rc = tune_error_set(err, TUNE_ENOMEM, "svm: out of memory (%zu rows, %zu columns)", n, d);
fail:
    free(count);
    free(order);
    free_model(m);
    return rc;
}

/* scikit-learn's _ovr_decision_function for one row: dec holds the
 * nr(nr-1)/2 pairwise values (i, j), i < j in the model's class order,
 * positive for class i; out[code] gets votes + sum / (3 (|sum| + 1)). */
static void ovr_scores(const struct svm_fit *m, const double *dec, double *votes, double *conf,
                       double *out)
{
    int nr = m->nr_class;
    for (int c = 0; c < nr; c++)
        votes[c] = conf[c] = 0;
    int p = 0;
    for (int i = 0; i < nr; i++)
        for (int j = i + 1; j < nr; j++, p++) {
            conf[i] += dec[p];
            conf[j] -= dec[p];
            votes[dec[p] < 0 ? j : i] += 1;
        }
    for (size_t c = 0; c < m->k; c++)
        out[c] = -1;
    for (int c = 0; c < nr; c++)
        out[m->code_at[c]] = votes[c] + conf[c] / (3 * (fabs(conf[c]) + 1));
}

/* ---- prediction ----
 *
 * LIBSVM's svm_predict_values evaluates k_function between the row and each
 * support vector, merging two sparse node lists with a branch per index.
 * Without `probability`, the trainer does the same arithmetic on dense
 * numbers: for each column in order, the term of every support vector at
 * once (the sums stay in LIBSVM's order; the loop over support vectors is
 * what vectorizes), then the pairwise sums exactly as svm_predict_values
 * adds them.  The values are LIBSVM's to the bit: a missing index is a 0,
 * which makes k_function's rbf terms x^2 or y^2 and adds 0 elsewhere.  A row
 * with a value that is not finite (inf x 0 is NaN here, skipped there) and
 * a probability model go through LIBSVM itself (predict_libsvm). */

/* The support vectors as dense columns: sv[j * l + i] is column j of
 * support vector i. */
static double *dense_support_vectors(const struct svm_model *model, size_t d)
{
    size_t l = (size_t)model->l;
    double *sv = calloc(d * l + 1, sizeof *sv);
    if (!sv)
        return NULL;
    for (size_t i = 0; i < l; i++)
        for (const struct svm_node *p = model->SV[i]; p->index != -1; p++)
            sv[(size_t)(p->index - 1) * l + i] = p->value;
    return sv;
}

/* k_function(row u, support vector i) for every i into kv[0..l). */
static void dense_kernels(const struct svm_parameter *p, const double *u, const double *sv,
                          size_t d, size_t l, double *kv)
{
    for (size_t i = 0; i < l; i++)
        kv[i] = 0;
    if (p->kernel_type == RBF) {
        for (size_t j = 0; j < d; j++) {
            const double *c = sv + j * l;
            double a = u[j];
            for (size_t i = 0; i < l; i++) {
                double t = a - c[i];
                kv[i] += t * t;
            }
        }
        for (size_t i = 0; i < l; i++)
            kv[i] = exp(-p->gamma * kv[i]);
        return;
    }
    for (size_t j = 0; j < d; j++) {
        const double *c = sv + j * l;
        double a = u[j];
        if (a != 0.0)
            for (size_t i = 0; i < l; i++)
                kv[i] += a * c[i];
    }
    for (size_t i = 0; i < l && p->kernel_type != LINEAR; i++)
        kv[i] = dot_kernel(p, kv[i]);
}

/* svm_predict_values from the kernel values: fills dec, returns the label
 * (classification) or the value (regression). */
static double dense_decision(const struct svm_model *model, const double *kv, int *vote,
                             double *dec)
{
    int nr = model->nr_class;
    if (model->param.svm_type == EPSILON_SVR || model->param.svm_type == NU_SVR) {
        double sum = 0;
        for (int i = 0; i < model->l; i++)
            sum += model->sv_coef[0][i] * kv[i];
        sum -= model->rho[0];
        *dec = sum;
        return sum;
    }
    for (int i = 0; i < nr; i++)
        vote[i] = 0;
    int p = 0;
    for (int i = 0, si = 0; i < nr; si += model->nSV[i], i++)
        for (int j = i + 1, sj = si + model->nSV[i]; j < nr; sj += model->nSV[j], j++) {
            double sum = 0;
            const double *coef1 = model->sv_coef[j - 1], *coef2 = model->sv_coef[i];
            for (int k = 0; k < model->nSV[i]; k++)
                sum += coef1[si + k] * kv[si + k];
            for (int k = 0; k < model->nSV[j]; k++)
                sum += coef2[sj + k] * kv[sj + k];
            sum -= model->rho[p];
            dec[p] = sum;
            if (dec[p] > 0)
                ++vote[i];
            else
                ++vote[j];
            p++;
        }
    int best = 0;
    for (int i = 1; i < nr; i++)
        if (vote[i] > vote[best])
            best = i;
    return model->label[best];
}

static int predict_rows(const void *model, const struct tune_matrix *x,
                        struct tune_predictions *out, int libsvm_only, struct tune_error *err)
{
    const struct svm_fit *m = model;
    size_t n = x->n_rows, k = m->k;
    if (x->n_cols != m->d)
        return tune_error_set(err, TUNE_EINVAL, "svm: %zu columns to predict, model has %zu",
                              x->n_cols, m->d);
    if (out->n != n || (!m->regression && (out->n_classes != k || !out->label)) ||
        (m->regression && !out->value))
        return tune_error_set(err, TUNE_EINVAL, "svm: predictions sized for %zu rows of %zu "
                              "classes, need %zu rows of %zu", out->n, out->n_classes, n, k);
    if (m->constant) {
        for (size_t i = 0; i < n; i++) {
            out->label[i] = m->constant_code;
            for (size_t c = 0; out->proba && c < k; c++)
                out->proba[i * k + c] = (int)c == m->constant_code;
        }
        return TUNE_OK;
    }
    size_t n_dec = m->regression ? 1 : (size_t)m->nr_class * (size_t)(m->nr_class - 1) / 2;
    size_t l = (size_t)m->model->l, d = m->d;
    int dense = !libsvm_only && !m->probability;
    struct svm_node *buf = malloc((d + 1) * sizeof *buf);
    double *dec = malloc((n_dec + 1) * sizeof *dec);
    /* Probabilities, or votes and confidences: 2 per class. */
    double *prob = malloc((2 * (size_t)m->nr_class + 1) * sizeof *prob);
    double *u = dense ? malloc((d + l + 1) * sizeof *u) : NULL;
    int *vote = dense ? malloc(((size_t)m->nr_class + 1) * sizeof *vote) : NULL;
    double *sv = dense ? dense_support_vectors(m->model, d) : NULL;
    int rc = TUNE_OK;
    if (!buf || !dec || !prob || (dense && (!u || !vote || !sv))) {
        rc = tune_error_set(err, TUNE_ENOMEM, "svm: out of memory (%zu columns)", d);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        int finite = 1;
        for (size_t j = 0; dense && j < d; j++)
            finite &= isfinite(u[j] = x->data[j * n + i]);
        double r;
        if (dense && finite) {
            dense_kernels(&m->model->param, u, sv, d, l, u + d);
            r = dense_decision(m->model, u + d, vote, dec);
        } else {
            row_nodes(x, i, buf);
            r = svm_predict_values(m->model, buf, dec);
        }
        for (size_t p = 0; p < n_dec; p++)
            if (!isfinite(dec[p])) {
                rc = tune_error_set(err, TUNE_ENUMERIC, "svm: row %zu: the decision value "
                                    "is not finite (the kernel overflows)", i);
                goto out;
            }
        if (m->regression) {
            out->value[i] = r;
            continue;
        }
        out->label[i] = (int)r;
        if (!out->proba)
            continue;
        double *pr = out->proba + i * k;
        if (m->probability) {
            svm_predict_probability(m->model, buf, prob);
            for (size_t c = 0; c < k; c++)
                pr[c] = 0;
            for (int c = 0; c < m->nr_class; c++)
                pr[m->code_at[c]] = prob[c];
        } else if (k == 2) {
            double s = m->code_at[0] == 1 ? dec[0] : -dec[0];
            pr[1] = s;
            pr[0] = 1 - s;
        } else {
            ovr_scores(m, dec, prob, prob + m->nr_class, pr);
        }
    }
out:
    free(buf);
    free(dec);
    free(prob);
    free(u);
    free(vote);
    free(sv);
    return rc;
}

static int predict(const void *model, const struct tune_matrix *x, struct tune_predictions *out,
                   struct tune_error *err)
{
    return predict_rows(model, x, out, 0, err);
}

int tune_svm_predict_libsvm(const void *model, const struct tune_matrix *x,
                            struct tune_predictions *out, struct tune_error *err)
{
    return predict_rows(model, x, out, 1, err);
}


/* ---- saving and loading (trainer.h) ----
 *
 * The fitted numbers themselves, not LIBSVM's text format (svm_load_model
 * trusts its file: a support vector's index past the end, or counts that
 * disagree, read out of bounds): the kernel, the classes and their support
 * vector counts, the support vectors as (index, value) nodes, their
 * coefficients, rho and Platt's A and B.  load checks each against the
 * others and rebuilds a struct svm_model the way svm_load_model does, with
 * malloc, so LIBSVM's svm_free_and_destroy_model frees it; the node block is
 * the model's own (m->nodes, free_sv 0), as after a fit. */

#define SVM_MODEL_VERSION 1
#define SVM_MAX_CLASSES 65535

static int save(const void *model, struct tune_model_writer *w, struct tune_error *err)
{
    (void)err;
    const struct svm_fit *m = model;
    int rc;
    if ((rc = tune_model_put_u32(w, SVM_MODEL_VERSION)) || (rc = tune_model_put_u64(w, m->d)) ||
        (rc = tune_model_put_u64(w, m->k)) || (rc = tune_model_put_u32(w, (uint32_t)m->regression)) ||
        (rc = tune_model_put_u32(w, (uint32_t)m->constant)) ||
        (rc = tune_model_put_u32(w, (uint32_t)m->constant_code)))
        return rc;
    if (m->constant)
        return TUNE_OK;
    const struct svm_model *sm = m->model;
    int nr = sm->nr_class, l = sm->l;
    size_t pairs = (size_t)nr * (size_t)(nr - 1) / 2;
    size_t nnz = 0;
    for (int i = 0; i < l; i++)
        for (const struct svm_node *p = sm->SV[i]; p->index != -1; p++)
            nnz++;
    if ((rc = tune_model_put_u32(w, (uint32_t)sm->param.svm_type)) ||
        (rc = tune_model_put_u32(w, (uint32_t)sm->param.kernel_type)) ||
        (rc = tune_model_put_u32(w, (uint32_t)sm->param.degree)) ||
        (rc = tune_model_put_f64(w, sm->param.gamma)) ||
        (rc = tune_model_put_f64(w, sm->param.coef0)) ||
        (rc = tune_model_put_u64(w, (uint64_t)nr)) || (rc = tune_model_put_u64(w, (uint64_t)l)) ||
        (rc = tune_model_put_u64(w, nnz)) ||
        (rc = tune_model_put_u32(w, (uint32_t)m->probability)))
        return rc;
    if (!m->regression)
        for (int c = 0; c < nr; c++)
            if ((rc = tune_model_put_u32(w, (uint32_t)sm->label[c])) ||
                (rc = tune_model_put_u64(w, (uint64_t)sm->nSV[c])))
                return rc;
    for (int i = 0; i < l; i++) {
        size_t q = 0;
        while (sm->SV[i][q].index != -1)
            q++;
        if ((rc = tune_model_put_u64(w, q)))
            return rc;
        for (size_t t = 0; t < q; t++)
            if ((rc = tune_model_put_u32(w, (uint32_t)sm->SV[i][t].index)) ||
                (rc = tune_model_put_f64(w, sm->SV[i][t].value)))
                return rc;
    }
    for (int c = 0; c < nr - 1; c++)
        if ((rc = tune_model_put_f64s(w, sm->sv_coef[c], (size_t)l)))
            return rc;
    if ((rc = tune_model_put_f64s(w, sm->rho, pairs)))
        return rc;
    if (m->probability &&
        ((rc = tune_model_put_f64s(w, sm->probA, pairs)) ||
         (rc = tune_model_put_f64s(w, sm->probB, pairs))))
        return rc;
    return TUNE_OK;
}

/* n doubles into a new malloc'ed array, each finite. */
static int get_finite(struct tune_model_reader *r, size_t n, const char *what, double **out)
{
    int rc;
    if (n > tune_model_reader_left(r) / 8)
        return tune_model_reader_fail(r, "%zu %s, %zu bytes left", n, what,
                                      tune_model_reader_left(r));
    if ((rc = tune_model_get_f64_array(r, n, out)))
        return rc;
    for (size_t i = 0; i < n; i++)
        if (!isfinite((*out)[i]))
            return tune_model_reader_fail(r, "%s %zu is not finite", what, i);
    return TUNE_OK;
}

static int load_machine(struct tune_model_reader *r, struct svm_fit *m, struct tune_error *err)
{
    uint32_t type, kernel, degree, prob;
    double gamma, coef0;
    size_t nr, l, nnz;
    int rc;
    if ((rc = tune_model_get_u32(r, &type)) || (rc = tune_model_get_u32(r, &kernel)) ||
        (rc = tune_model_get_u32(r, &degree)) || (rc = tune_model_get_f64(r, &gamma)) ||
        (rc = tune_model_get_f64(r, &coef0)) ||
        (rc = tune_model_get_size(r, "classes", SVM_MAX_CLASSES, 0, &nr)) ||
        (rc = tune_model_get_size(r, "support vectors", INT_MAX, 12, &l)) ||
        (rc = tune_model_get_size(r, "support vector values", INT_MAX, 12, &nnz)) ||
        (rc = tune_model_get_u32(r, &prob)))
        return rc;
    int regresses = type == EPSILON_SVR || type == NU_SVR;
    if ((type != C_SVC && type != NU_SVC && !regresses) || regresses != m->regression)
        return tune_model_reader_fail(r, "machine %u is not one of this task's", type);
    if (kernel > SIGMOID)
        return tune_model_reader_fail(r, "kernel %u is unknown", kernel);
    if (degree > 100 || !isfinite(gamma) || gamma <= 0 || !isfinite(coef0))
        return tune_model_reader_fail(r, "kernel parameters out of range (degree %u, gamma "
                                      "%g, coef0 %g)", degree, gamma, coef0);
    if (m->regression ? nr != 2 : (nr < 2 || nr > m->k))
        return tune_model_reader_fail(r, "%zu classes in a model of %zu", nr, m->k);
    if (prob > 1 || (prob && m->regression))
        return tune_model_reader_fail(r, "probability flag %u", prob);
    m->probability = (int)prob;

    struct svm_model *sm = calloc(1, sizeof *sm);
    if (!sm)
        return tune_error_set(err, TUNE_ENOMEM, "svm: out of memory");
    m->model = sm;
    sm->param.svm_type = (int)type;
    sm->param.kernel_type = (int)kernel;
    sm->param.degree = (int)degree;
    sm->param.gamma = gamma;
    sm->param.coef0 = coef0;
    sm->param.probability = (int)prob;
    sm->nr_class = (int)nr;
    sm->l = (int)l;
    sm->free_sv = 0;
    if (!m->regression) {
        m->nr_class = (int)nr;
        sm->label = malloc(nr * sizeof *sm->label);
        sm->nSV = malloc(nr * sizeof *sm->nSV);
        m->code_at = malloc(nr * sizeof *m->code_at);
        if (!sm->label || !sm->nSV || !m->code_at)
            return tune_error_set(err, TUNE_ENOMEM, "svm: out of memory");
        size_t total = 0;
        for (size_t c = 0; c < nr; c++) {
            uint32_t label;
            size_t count;
            if ((rc = tune_model_get_u32(r, &label)) ||
                (rc = tune_model_get_size(r, "class support vectors", l, 0, &count)))
                return rc;
            if (label >= m->k)
                return tune_model_reader_fail(r, "class %u of %zu", label, m->k);
            for (size_t b = 0; b < c; b++)
                if (sm->label[b] == (int)label)
                    return tune_model_reader_fail(r, "class %u twice", label);
            sm->label[c] = m->code_at[c] = (int)label;
            sm->nSV[c] = (int)count;
            total += count;
        }
        if (total != l)
            return tune_model_reader_fail(r, "%zu support vectors counted by class, %zu in all",
                                          total, l);
    }

    /* The support vectors: strictly increasing indices 1..d, finite values. */
    if (nnz > tune_model_reader_left(r) / 12)
        return tune_model_reader_fail(r, "%zu support vector values, %zu bytes left", nnz,
                                      tune_model_reader_left(r));
    m->nodes = malloc((nnz + l + 1) * sizeof *m->nodes);
    sm->SV = malloc((l + 1) * sizeof *sm->SV);
    if (!m->nodes || !sm->SV)
        return tune_error_set(err, TUNE_ENOMEM, "svm: out of memory (%zu support vectors)", l);
    struct svm_node *p = m->nodes;
    size_t used = 0;
    for (size_t i = 0; i < l; i++) {
        size_t q;
        if ((rc = tune_model_get_size(r, "support vector values", m->d, 12, &q)))
            return rc;
        if (q > nnz - used)
            return tune_model_reader_fail(r, "support vector %zu: more values than counted", i);
        used += q;
        sm->SV[i] = p;
        for (size_t t = 0; t < q; t++) {
            uint32_t index;
            double value;
            if ((rc = tune_model_get_u32(r, &index)) || (rc = tune_model_get_f64(r, &value)))
                return rc;
            if (index < 1 || index > m->d || (t > 0 && (int)index <= p[-1].index) ||
                !isfinite(value))
                return tune_model_reader_fail(r, "support vector %zu: value %zu: index %u "
                                              "(of %zu) or value %g", i, t, index, m->d, value);
            *p++ = (struct svm_node){(int)index, value};
        }
        *p++ = (struct svm_node){-1, 0.0};
    }
    if (used != nnz)
        return tune_model_reader_fail(r, "%zu support vector values, %zu counted", used, nnz);

    size_t pairs = nr * (nr - 1) / 2;
    sm->sv_coef = calloc(nr - 1, sizeof *sm->sv_coef);
    if (!sm->sv_coef)
        return tune_error_set(err, TUNE_ENOMEM, "svm: out of memory");
    for (size_t c = 0; c < nr - 1; c++)
        if ((rc = get_finite(r, l, "coefficients", &sm->sv_coef[c])))
            return rc;
    if ((rc = get_finite(r, pairs, "rho", &sm->rho)))
        return rc;
    if (prob && ((rc = get_finite(r, pairs, "probA", &sm->probA)) ||
                 (rc = get_finite(r, pairs, "probB", &sm->probB))))
        return rc;
    return TUNE_OK;
}

static int load(struct tune_model_reader *r, void **model, struct tune_error *err)
{
    uint32_t version, regression, constant, code;
    int rc;
    *model = NULL;
    if ((rc = tune_model_get_u32(r, &version)))
        return rc;
    if (version != SVM_MODEL_VERSION)
        return tune_model_reader_fail(r, "svm model version %u is not %d (written by a newer "
                                      "tunefold?)", version, SVM_MODEL_VERSION);
    struct svm_fit *m = calloc(1, sizeof *m);
    if (!m)
        return tune_error_set(err, TUNE_ENOMEM, "svm: out of memory");
    if ((rc = tune_model_get_size(r, "columns", INT_MAX - 1, 0, &m->d)) ||
        (rc = tune_model_get_size(r, "classes", SVM_MAX_CLASSES, 0, &m->k)) ||
        (rc = tune_model_get_u32(r, &regression)) || (rc = tune_model_get_u32(r, &constant)) ||
        (rc = tune_model_get_u32(r, &code)))
        goto fail;
    if (regression > 1 || constant > 1 || (regression ? m->k != 0 || constant : m->k < 2) ||
        (constant && code >= m->k) || (!constant && code != 0 && code >= m->k)) {
        rc = tune_model_reader_fail(r, "task flags %u %u, %zu classes, class %u", regression,
                                    constant, m->k, code);
        goto fail;
    }
    m->regression = (int)regression;
    m->constant = (int)constant;
    m->constant_code = (int)code;
    if (!constant && (rc = load_machine(r, m, err)))
        goto fail;
    *model = m;
    return TUNE_OK;
fail:
    free_model(m);
    return rc;
}

const struct tune_trainer_type tune_trainer_svm = {
    .version = 2,
    .name = "svm",
    .tasks = TUNE_TASK_BINARY | TUNE_TASK_MULTICLASS | TUNE_TASK_REGRESSION,
    .hparams = hparams,
    .n_hparams = HP_COUNT,
    .check = check_params,
    .fit = fit,
    .predict = predict,
    .free_model = free_model,
    .save = save,
    .load = load,
};
