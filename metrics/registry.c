/* registry.c — the named metrics: which tasks each fits, which direction is
 * better, whether it needs class probabilities, and how to compute it from a
 * `tune_predictions`.  Adding a metric is one compute function and one row.
 *
 * Invariants: the table is constant (no global mutable state); a compute
 * function never fails loudly — it returns NAN when the metric is undefined
 * for its input: truth that is not a class code 0..n_classes-1, the needed
 * prediction array missing, fewer than two classes, or a failed allocation
 * of its small scratch buffer.  Binary versus multiclass is read from
 * pred->n_classes (2 means binary), since a compute function sees no task. */
#include "tunefold/metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Truth as int class codes, or NULL when a value is not a code below k (or
 * on allocation failure).  Caller frees. */
static int *class_codes(const double *truth, size_t n, size_t k)
{
    int *codes = malloc((n ? n : 1) * sizeof *codes);
    if (!codes)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        double t = truth[i];
        if (!(t >= 0.0 && t < (double)k && t == floor(t))) {
            free(codes);
            return NULL;
        }
        codes[i] = (int)t;
    }
    return codes;
}

static int classification_ready(const double *truth, const struct tune_predictions *pred,
                                int with_proba)
{
    return truth && pred && pred->n > 0 && pred->n_classes >= 2 &&
           (with_proba ? pred->proba != NULL : pred->label != NULL);
}

static double compute_accuracy(const double *truth, const struct tune_predictions *pred)
{
    if (!classification_ready(truth, pred, 0))
        return NAN;
    int *codes = class_codes(truth, pred->n, pred->n_classes);
    if (!codes)
        return NAN;
    double r = tune_metric_accuracy(codes, pred->label, pred->n);
    free(codes);
    return r;
}

static double compute_f1(const double *truth, const struct tune_predictions *pred)
{
    if (!classification_ready(truth, pred, 0))
        return NAN;
    int *codes = class_codes(truth, pred->n, pred->n_classes);
    if (!codes)
        return NAN;
    double r = pred->n_classes == 2
                   ? tune_metric_f1_binary(codes, pred->label, pred->n)
                   : tune_metric_f1_macro(codes, pred->label, pred->n, pred->n_classes);
    free(codes);
    return r;
}

/* Binary: the AUC of the positive class's column, as roc_auc_score(y,
 * proba[:, 1]) — not the OvR mean, which a floating-point 1 - p could make
 * differ through ties. */
static double compute_roc_auc(const double *truth, const struct tune_predictions *pred)
{
    if (!classification_ready(truth, pred, 1))
        return NAN;
    size_t n = pred->n;
    int *codes = class_codes(truth, n, pred->n_classes);
    if (!codes)
        return NAN;
    double r = NAN;
    if (pred->n_classes == 2) {
        double *score = malloc(n * sizeof *score);
        if (score) {
            for (size_t i = 0; i < n; i++)
                score[i] = pred->proba[2 * i + 1];
            r = tune_metric_roc_auc(codes, score, n);
            free(score);
        }
    } else {
        r = tune_metric_roc_auc_ovr(codes, pred->proba, n, pred->n_classes);
    }
    free(codes);
    return r;
}

static double compute_log_loss(const double *truth, const struct tune_predictions *pred)
{
    if (!classification_ready(truth, pred, 1))
        return NAN;
    int *codes = class_codes(truth, pred->n, pred->n_classes);
    if (!codes)
        return NAN;
    double r = tune_metric_log_loss(codes, pred->proba, pred->n, pred->n_classes);
    free(codes);
    return r;
}

static int regression_ready(const double *truth, const struct tune_predictions *pred)
{
    return truth && pred && pred->value;
}

static double compute_mse(const double *truth, const struct tune_predictions *pred)
{
    return regression_ready(truth, pred) ? tune_metric_mse(truth, pred->value, pred->n) : NAN;
}

static double compute_rmse(const double *truth, const struct tune_predictions *pred)
{
    return regression_ready(truth, pred) ? tune_metric_rmse(truth, pred->value, pred->n) : NAN;
}

static double compute_mae(const double *truth, const struct tune_predictions *pred)
{
    return regression_ready(truth, pred) ? tune_metric_mae(truth, pred->value, pred->n) : NAN;
}

static double compute_r2(const double *truth, const struct tune_predictions *pred)
{
    return regression_ready(truth, pred) ? tune_metric_r2(truth, pred->value, pred->n) : NAN;
}

#define CLASSIFICATION (TUNE_TASK_BINARY | TUNE_TASK_MULTICLASS)

static const struct tune_metric_def registry[] = {
    {"accuracy", CLASSIFICATION, 1, 0, compute_accuracy},
    {"roc_auc", CLASSIFICATION, 1, 1, compute_roc_auc},
    {"log_loss", CLASSIFICATION, 0, 1, compute_log_loss},
    {"f1", CLASSIFICATION, 1, 0, compute_f1},
    {"rmse", TUNE_TASK_REGRESSION, 0, 0, compute_rmse},
    {"mae", TUNE_TASK_REGRESSION, 0, 0, compute_mae},
    {"r2", TUNE_TASK_REGRESSION, 1, 0, compute_r2},
    {"mse", TUNE_TASK_REGRESSION, 0, 0, compute_mse},
};
#define N_METRICS (sizeof registry / sizeof registry[0])

const struct tune_metric_def *tune_metric_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < N_METRICS; i++)
        if (strcmp(registry[i].name, name) == 0)
            return &registry[i];
    return NULL;
}

const struct tune_metric_def *tune_metric_at(size_t i)
{
    return i < N_METRICS ? &registry[i] : NULL;
}

/* Returns the number written, at most cap, in registry order, so a caller
 * may loop over out[0..count) without checking against cap again. */
size_t tune_metrics_for_task(enum tune_task task, int have_proba,
                             const struct tune_metric_def **out, size_t cap)
{
    size_t count = 0;
    for (size_t i = 0; i < N_METRICS && count < cap; i++) {
        if (!(registry[i].tasks & (unsigned)task))
            continue;
        if (registry[i].needs_proba && !have_proba)
            continue;
        out[count++] = &registry[i];
    }
    return count;
}

const char *tune_metric_default(enum tune_task task)
{
    switch (task) {
    case TUNE_TASK_BINARY:
        return "roc_auc";
    case TUNE_TASK_MULTICLASS:
        return "accuracy";
    case TUNE_TASK_REGRESSION:
        return "r2";
    case TUNE_TASK_CLUSTERING:
        break;
    }
    return NULL;
}
