/* SPDX-License-Identifier: GPL-3.0-or-later */
/* knn.c — the built-in `knn` trainer: k-nearest neighbours for
 * classification and regression, the models scikit-learn 1.2 fits as
 * KNeighborsClassifier and KNeighborsRegressor.
 *
 * Fit keeps the training rows (and, for algorithm kd_tree, a k-d tree over
 * them); predict finds each row's k nearest training rows exactly — see
 * knn_search.h for the order, which breaks distance ties by the lower
 * training row — and votes:
 *   uniform:  every neighbour weighs 1;
 *   distance: a neighbour weighs 1 / distance; when some neighbours are at
 *             distance 0, those weigh 1 and the others 0 (scikit-learn's
 *             rule in _get_weights).
 * Classification: proba[c] = (weight of neighbours of class c) / (total
 * weight), label = the first class of largest weight (lowest code on a tie,
 * as scikit-learn's mode).  Regression: the weighted mean of the
 * neighbours' targets.
 *
 * Metrics: euclidean, manhattan, or minkowski with exponent p (p = 2 and
 * p = 1 run as euclidean and manhattan, the same distances).
 *
 * Algorithm "auto" takes the k-d tree when there are at most
 * KDTREE_MAX_AUTO_D columns and at least KDTREE_MIN_ROWS rows (where a tree
 * prunes most of the data: scikit-learn's rule is 15 columns), else blocked
 * brute force; "brute" and "kd_tree" force one.  Both give identical
 * neighbours, so the choice changes only the time.
 *
 * Threads: predict splits its rows into ctx->n_threads contiguous ranges,
 * one pthread each; every row's neighbours are computed the same way
 * whatever range it lands in, so predictions do not depend on the thread
 * count.  The search calls no BLAS (Debian's serial OpenBLAS is not safe to
 * call from several threads at once). */
#include "tunefold/trainer.h"
#include "knn_search.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum { HP_N_NEIGHBORS, HP_WEIGHTS, HP_METRIC, HP_P, HP_ALGORITHM, HP_LEAF_SIZE, HP_COUNT };
enum { W_UNIFORM = 0, W_DISTANCE = 1 };
enum { M_MINKOWSKI = 0, M_EUCLIDEAN = 1, M_MANHATTAN = 2 };
enum { A_AUTO = 0, A_BRUTE = 1, A_KDTREE = 2 };

static const char *const weights_choices[] = {"uniform", "distance", NULL};
static const char *const metric_choices[] = {"minkowski", "euclidean", "manhattan", NULL};
static const char *const algorithm_choices[] = {"auto", "brute", "kd_tree", NULL};

static const struct tune_hparam hparams[HP_COUNT] = {
    [HP_N_NEIGHBORS] = {"n_neighbors", TUNE_PARAM_INT, 5, 1, 1e6, NULL,
                        "neighbours that vote (at most the training rows)"},
    [HP_WEIGHTS] = {"weights", TUNE_PARAM_CATEGORICAL, W_UNIFORM, 0, 1, weights_choices,
                    "uniform, or distance: each neighbour weighs 1 / distance"},
    [HP_METRIC] = {"metric", TUNE_PARAM_CATEGORICAL, M_MINKOWSKI, 0, 2, metric_choices,
                   "minkowski (with p), euclidean or manhattan"},
    [HP_P] = {"p", TUNE_PARAM_FLOAT, 2, 1, 100, NULL,
              "minkowski exponent: 2 is euclidean, 1 manhattan"},
    [HP_ALGORITHM] = {"algorithm", TUNE_PARAM_CATEGORICAL, A_AUTO, 0, 2, algorithm_choices,
                      "auto, brute or kd_tree (the same neighbours; only the time differs)"},
    [HP_LEAF_SIZE] = {"leaf_size", TUNE_PARAM_INT, 30, 1, 1e5, NULL,
                      "kd_tree: rows per leaf at most"},
};

#define KDTREE_MAX_AUTO_D 15
#define KDTREE_MIN_ROWS 512
/* Rows handled per batch by one thread: each batch streams the training
 * rows once (in cache-sized blocks), so larger is faster, and it bounds the
 * neighbour buffers. */
#define BATCH_ROWS 1024

struct knn_model {
    size_t n, d, k;
    enum tune_task task;
    size_t n_classes;
    double *panels;              /* packed rows (brute force), else NULL */
    double *y;                   /* n targets or class codes */
    struct knn_kdtree *tree;     /* kd_tree, else NULL */
    struct knn_metric_def metric;
    int distance_weights;
    size_t n_threads;
};

static void free_model(void *model)
{
    struct knn_model *m = model;
    if (!m)
        return;
    free(m->panels);
    free(m->y);
    tune_knn_kdtree_free(m->tree);
    free(m);
}

static int check_params(const struct tune_params *params, struct tune_error *err)
{
    return tune_trainer_check_params("knn", hparams, HP_COUNT, params, err);
}

static int is_classification(enum tune_task t)
{
    return t == TUNE_TASK_BINARY || t == TUNE_TASK_MULTICLASS;
}

static int fit(const struct tune_matrix *x, const double *y, const struct tune_fit_ctx *ctx,
               const struct tune_params *params, void **model, struct tune_error *err)
{
    size_t n = x->n_rows, d = x->n_cols;
    int rc;
    *model = NULL;
    if ((rc = check_params(params, err)) != TUNE_OK)
        return rc;
    if ((rc = tune_trainer_check_data("knn", tune_trainer_knn.tasks, x, y, ctx, err)))
        return rc;
    size_t k = (size_t)params->values[HP_N_NEIGHBORS];
    if (k > n)
        return tune_error_set(err, TUNE_EINVAL,
                              "knn: n_neighbors = %zu is more than the %zu training rows", k, n);

    struct knn_model *m = calloc(1, sizeof *m);
    if (!m)
        goto nomem;
    m->n = n;
    m->d = d;
    m->k = k;
    m->task = ctx->task;
    m->n_classes = is_classification(ctx->task) ? ctx->n_classes : 0;
    m->distance_weights = (int)params->values[HP_WEIGHTS] == W_DISTANCE;
    m->n_threads = ctx->n_threads ? ctx->n_threads : 1;
    int metric = (int)params->values[HP_METRIC];
    double p = params->values[HP_P];
    if (metric == M_EUCLIDEAN || (metric == M_MINKOWSKI && p == 2))
        m->metric = (struct knn_metric_def){KNN_EUCLIDEAN, 2};
    else if (metric == M_MANHATTAN || (metric == M_MINKOWSKI && p == 1))
        m->metric = (struct knn_metric_def){KNN_MANHATTAN, 1};
    else
        m->metric = (struct knn_metric_def){KNN_MINKOWSKI, p};
    int algorithm = (int)params->values[HP_ALGORITHM];
    if (algorithm == A_AUTO)
        algorithm = d <= KDTREE_MAX_AUTO_D && n >= KDTREE_MIN_ROWS ? A_KDTREE : A_BRUTE;

    m->y = malloc((n + 1) * sizeof *m->y);
    if (!m->y)
        goto nomem;
    memcpy(m->y, y, n * sizeof *y);
    if (algorithm == A_KDTREE) {
        m->tree = tune_knn_kdtree_build(x->data, n, d, (size_t)params->values[HP_LEAF_SIZE]);
        if (!m->tree)
            goto nomem;
    } else {
        m->panels = tune_knn_panels_build(x->data, n, d);
        if (!m->panels)
            goto nomem;
    }
    *model = m;
    return TUNE_OK;
nomem:
    free_model(m);
    return tune_error_set(err, TUNE_ENOMEM, "knn: out of memory (%zu rows, %zu columns)", n, d);
}

/* One thread's share of a predict call. */
struct job {
    const struct knn_model *m;
    const struct tune_matrix *x;
    struct tune_predictions *out;
    size_t r0, r1;
    int failed;
};

/* The vote of one row from its sorted neighbours; acc holds n_classes + k
 * doubles (class totals, then the neighbours' weights). */
static void vote(const struct knn_model *m, const double *rank, const size_t *index,
                 struct tune_predictions *out, size_t row, double *acc)
{
    size_t k = m->k;
    double *wv = acc + m->n_classes;
    int any_zero = 0;
    for (size_t t = 0; t < k; t++) {
        wv[t] = 1.0;
        if (m->distance_weights) {
            double dist = tune_knn_rank_to_dist(&m->metric, rank[t]);
            any_zero |= dist == 0;
            wv[t] = 1.0 / dist;
        }
    }
    if (any_zero)
        for (size_t t = 0; t < k; t++)
            wv[t] = rank[t] == 0 ? 1.0 : 0.0;
    double total = 0;
    for (size_t t = 0; t < k; t++)
        total += wv[t];
    if (!is_classification(m->task)) {
        double s = 0;
        for (size_t t = 0; t < k; t++)
            s += wv[t] * m->y[index[t]];
        out->value[row] = s / total;
        return;
    }
    size_t kc = m->n_classes;
    for (size_t c = 0; c < kc; c++)
        acc[c] = 0;
    for (size_t t = 0; t < k; t++)
        acc[(size_t)m->y[index[t]]] += wv[t];
    size_t best = 0;
    for (size_t c = 1; c < kc; c++)
        if (acc[c] > acc[best])
            best = c;
    out->label[row] = (int)best;
    if (out->proba)
        for (size_t c = 0; c < kc; c++)
            out->proba[row * kc + c] = acc[c] / total;
}

static void *run(void *arg)
{
    struct job *jb = arg;
    const struct knn_model *m = jb->m;
    size_t k = m->k, d = m->d, nq = jb->x->n_rows;
    double *rank = malloc(BATCH_ROWS * k * sizeof *rank);
    size_t *index = malloc(BATCH_ROWS * k * sizeof *index);
    double *acc = malloc((m->n_classes + k + 1) * sizeof *acc);
    if (!rank || !index || !acc) {
        jb->failed = 1;
    } else {
        for (size_t b0 = jb->r0; b0 < jb->r1 && !jb->failed; b0 += BATCH_ROWS) {
            size_t b1 = b0 + BATCH_ROWS < jb->r1 ? b0 + BATCH_ROWS : jb->r1;
            int ok = m->tree ? tune_knn_kdtree_query(m->tree, jb->x->data, nq, b0, b1, k,
                                                     &m->metric, rank, index)
                             : tune_knn_brute(m->panels, m->n, d, jb->x->data, nq, b0, b1, k,
                                              &m->metric, rank, index);
            if (!ok) {
                jb->failed = 1;
                break;
            }
            for (size_t i = b0; i < b1; i++)
                vote(m, rank + (i - b0) * k, index + (i - b0) * k, jb->out, i, acc);
        }
    }
    free(rank);
    free(index);
    free(acc);
    return NULL;
}

static int predict(const void *model, const struct tune_matrix *x, struct tune_predictions *out,
                   struct tune_error *err)
{
    const struct knn_model *m = model;
    size_t n = x->n_rows;
    if (x->n_cols != m->d)
        return tune_error_set(err, TUNE_EINVAL, "knn: %zu columns to predict, model has %zu",
                              x->n_cols, m->d);
    if (is_classification(m->task) ? (out->n != n || out->n_classes != m->n_classes || !out->label)
                                   : (out->n != n || !out->value))
        return tune_error_set(err, TUNE_EINVAL,
                              "knn: predictions are not sized for %zu rows of this task", n);
    for (size_t j = 0; j < m->d; j++)
        for (size_t i = 0; i < n; i++)
            if (!isfinite(x->data[j * n + i]))
                return tune_error_set(err, TUNE_EINVAL,
                                      "knn: row %zu, column %zu to predict is not finite", i, j);
    if (n == 0)
        return TUNE_OK;

    /* Contiguous ranges, one per thread, each at least one batch long. */
    size_t nt = m->n_threads;
    if (nt > (n + BATCH_ROWS - 1) / BATCH_ROWS)
        nt = (n + BATCH_ROWS - 1) / BATCH_ROWS;
    if (nt > 64)
        nt = 64;
    struct job jobs[64];
    pthread_t tid[64];
    int started[64] = {0};
    for (size_t t = 0; t < nt; t++)
        jobs[t] = (struct job){m, x, out, n * t / nt, n * (t + 1) / nt, 0};
    for (size_t t = 1; t < nt; t++)
        started[t] = pthread_create(&tid[t], NULL, run, &jobs[t]) == 0;
    run(&jobs[0]);
    for (size_t t = 1; t < nt; t++) {
        if (started[t])
            pthread_join(tid[t], NULL);
        else
            run(&jobs[t]);   /* no thread to be had: do its share here */
    }
    for (size_t t = 0; t < nt; t++)
        if (jobs[t].failed)
            return tune_error_set(err, TUNE_ENOMEM, "knn: out of memory predicting %zu rows", n);
    return TUNE_OK;
}

/* ---- saving and loading (trainer.h) ---- */

#define KNN_MODEL_VERSION 1

/* The model on file is its training rows and settings; load rebuilds the
 * search structure with the code fit used, so the neighbours, and thus the
 * predictions, are the same. */
static int save(const void *model, struct tune_model_writer *w, struct tune_error *err)
{
    const struct knn_model *m = model;
    size_t n = m->n, d = m->d, leaf_size = 0;
    double *x = malloc((n * d + 1) * sizeof *x);
    if (!x)
        return tune_error_set(err, TUNE_ENOMEM, "knn: out of memory saving %zu rows", n);
    if (m->tree)
        leaf_size = tune_knn_kdtree_rows(m->tree, x);
    else
        tune_knn_panels_rows(m->panels, n, d, x);
    int rc;
    if ((rc = tune_model_put_u32(w, KNN_MODEL_VERSION)) || (rc = tune_model_put_u64(w, n)) ||
        (rc = tune_model_put_u64(w, d)) || (rc = tune_model_put_u64(w, m->k)) ||
        (rc = tune_model_put_u32(w, (uint32_t)m->task)) ||
        (rc = tune_model_put_u64(w, m->n_classes)) ||
        (rc = tune_model_put_u32(w, (uint32_t)m->metric.kind)) ||
        (rc = tune_model_put_f64(w, m->metric.p)) ||
        (rc = tune_model_put_u32(w, (uint32_t)m->distance_weights)) ||
        (rc = tune_model_put_u64(w, leaf_size)) || (rc = tune_model_put_f64s(w, m->y, n)) ||
        (rc = tune_model_put_f64s(w, x, n * d))) {
        free(x);
        return rc;
    }
    free(x);
    return TUNE_OK;
}

static int load(struct tune_model_reader *r, void **model, struct tune_error *err)
{
    uint32_t version, task, kind, dw;
    size_t leaf_size;
    double *x = NULL;
    int rc;
    *model = NULL;
    if ((rc = tune_model_get_u32(r, &version)))
        return rc;
    if (version != KNN_MODEL_VERSION)
        return tune_model_reader_fail(r, "knn model version %u is not %d (written by a newer "
                                      "tunefold?)", version, KNN_MODEL_VERSION);
    struct knn_model *m = calloc(1, sizeof *m);
    if (!m)
        return tune_error_set(err, TUNE_ENOMEM, "knn: out of memory");
    m->n_threads = tune_model_reader_threads(r);
    if ((rc = tune_model_get_size(r, "training rows", UINT32_MAX, 8, &m->n)) ||
        (rc = tune_model_get_size(r, "columns", UINT32_MAX, 0, &m->d)) ||
        (rc = tune_model_get_size(r, "neighbours", m->n, 0, &m->k)) ||
        (rc = tune_model_get_u32(r, &task)) ||
        (rc = tune_model_get_size(r, "classes", 65535, 0, &m->n_classes)) ||
        (rc = tune_model_get_u32(r, &kind)) || (rc = tune_model_get_f64(r, &m->metric.p)) ||
        (rc = tune_model_get_u32(r, &dw)) ||
        (rc = tune_model_get_size(r, "leaf size", 100000, 0, &leaf_size)))
        goto fail;
    m->task = (enum tune_task)task;
    m->metric.kind = (enum knn_metric)kind;
    m->distance_weights = dw != 0;
    int classes = is_classification(m->task);
    if (m->n == 0 || m->k == 0 || (task != TUNE_TASK_BINARY && task != TUNE_TASK_MULTICLASS &&
                                          task != TUNE_TASK_REGRESSION) ||
        (classes ? m->n_classes < 2 : m->n_classes != 0) || kind > KNN_MINKOWSKI ||
        !(m->metric.p >= 1 && m->metric.p <= 100) || dw > 1) {
        rc = tune_model_reader_fail(r, "settings out of range (%zu rows, k %zu, task %u, %zu "
                                    "classes, metric %u, p %g)", m->n, m->k, task,
                                    m->n_classes, kind, m->metric.p);
        goto fail;
    }
    if (m->d > 0 && m->n > tune_model_reader_left(r) / 8 / (m->d + 1)) {
        rc = tune_model_reader_fail(r, "%zu rows of %zu columns, %zu bytes left", m->n, m->d,
                                    tune_model_reader_left(r));
        goto fail;
    }
    if ((rc = tune_model_get_f64_array(r, m->n, &m->y)) ||
        (rc = tune_model_get_f64_array(r, m->n * m->d, &x)))
        goto fail;
    for (size_t i = 0; i < m->n; i++)
        if (classes ? !(m->y[i] >= 0 && m->y[i] < (double)m->n_classes && m->y[i] == floor(m->y[i]))
                    : !isfinite(m->y[i])) {
            rc = tune_model_reader_fail(r, "training row %zu has target %g", i, m->y[i]);
            goto fail;
        }
    for (size_t i = 0; i < m->n * m->d; i++)
        if (!isfinite(x[i])) {
            rc = tune_model_reader_fail(r, "a training value is not finite");
            goto fail;
        }
    if (leaf_size > 0)
        m->tree = tune_knn_kdtree_build(x, m->n, m->d, leaf_size);
    else
        m->panels = tune_knn_panels_build(x, m->n, m->d);
    if (!m->tree && !m->panels) {
        rc = tune_error_set(err, TUNE_ENOMEM, "knn: out of memory loading %zu rows", m->n);
        goto fail;
    }
    free(x);
    *model = m;
    return TUNE_OK;
fail:
    free(x);
    free_model(m);
    return rc;
}

const struct tune_trainer_type tune_trainer_knn = {
    .version = 2,
    .name = "knn",
    .tasks = TUNE_TASK_BINARY | TUNE_TASK_MULTICLASS | TUNE_TASK_REGRESSION,
    .hparams = hparams,
    .n_hparams = HP_COUNT,
    .check = NULL,
    .fit = fit,
    .predict = predict,
    .free_model = free_model,
    .save = save,
    .load = load,
    .flags = TUNE_TRAINER_PREDICT_PARALLEL | TUNE_TRAINER_FIT_PARALLEL,
};
