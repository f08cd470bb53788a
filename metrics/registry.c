/* SPDX-License-Identifier: GPL-3.0-or-later */
/* registry.c — the named metrics: which tasks each fits, which direction is
 * better, whether it needs class probabilities, and how to compute it from a
 * `tune_predictions`.  Adding a metric is one compute function and one row.
 *
 * Names follow scikit-learn's scorer names where they exist (precision_macro,
 * f1_weighted, roc_auc_ovr_weighted, ...).  The unsuffixed precision,
 * recall, f1, f2 and f0.5 score class 1 of a binary task and are the macro
 * average of a multiclass one; roc_auc is the positive column's AUC for
 * binary and the one-vs-rest macro AUC for multiclass, as is
 * average_precision.  mcc and matthews_corrcoef are one metric under its two
 * usual names (both rows exist so that either can be the objective, whose
 * stored name must match).  top_k_accuracy uses k = 2 (scikit-learn's
 * default), multiclass only: with two classes it is always 1.
 *
 * Invariants: the table is constant (no global mutable state); the rows that
 * existed first keep their order (accuracy, roc_auc, log_loss, f1 lead the
 * classification list users see in messages); a compute function never fails
 * loudly — it returns NAN when the metric is undefined for its input: truth
 * that is not a class code 0..n_classes-1, the needed prediction array
 * missing, fewer than two classes, or a failed allocation of its small
 * scratch buffer.  Binary versus multiclass is read from pred->n_classes
 * (2 means binary), since a compute function sees no task.  Every compute is
 * O(n log n) at worst and allocates O(n). */
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

/* The metrics of predicted labels: a function of (truth, label, n, k). */
enum label_metric {
    L_ACCURACY,
    L_BALANCED_ACCURACY,
    L_MCC,
    L_KAPPA,
    L_PRECISION,
    L_RECALL,
    L_FBETA
};

static double label_metric(const double *truth, const struct tune_predictions *pred,
                           enum label_metric which, int avg, double beta)
{
    if (!classification_ready(truth, pred, 0))
        return NAN;
    size_t n = pred->n, k = pred->n_classes;
    int *codes = class_codes(truth, n, k);
    if (!codes)
        return NAN;
    /* avg < 0: binary for two classes, macro for more. */
    enum tune_average a = avg >= 0     ? (enum tune_average)avg
                          : k == 2     ? TUNE_AVERAGE_BINARY
                                       : TUNE_AVERAGE_MACRO;
    double r = NAN;
    switch (which) {
    case L_ACCURACY:
        r = tune_metric_accuracy(codes, pred->label, n);
        break;
    case L_BALANCED_ACCURACY:
        r = tune_metric_balanced_accuracy(codes, pred->label, n, k);
        break;
    case L_MCC:
        r = tune_metric_mcc(codes, pred->label, n, k);
        break;
    case L_KAPPA:
        r = tune_metric_cohen_kappa(codes, pred->label, n, k);
        break;
    case L_PRECISION:
        r = tune_metric_precision(codes, pred->label, n, k, a);
        break;
    case L_RECALL:
        r = tune_metric_recall(codes, pred->label, n, k, a);
        break;
    case L_FBETA:
        r = tune_metric_fbeta(codes, pred->label, n, k, beta, a);
        break;
    }
    free(codes);
    return r;
}

/* The metrics of probabilities or scores. */
enum proba_metric { P_ROC_AUC, P_ROC_AUC_WEIGHTED, P_AP, P_LOG_LOSS, P_BRIER, P_TOP_K };

static double proba_metric(const double *truth, const struct tune_predictions *pred,
                           enum proba_metric which)
{
    if (!classification_ready(truth, pred, 1))
        return NAN;
    size_t n = pred->n, k = pred->n_classes;
    int *codes = class_codes(truth, n, k);
    if (!codes)
        return NAN;
    /* Binary ranking metrics score the positive column alone, as
     * roc_auc_score(y, proba[:, 1]) — not the OvR mean, which a
     * floating-point 1 - p could make differ through ties. */
    double *score = NULL;
    if (k == 2 && (which == P_ROC_AUC || which == P_AP || which == P_BRIER)) {
        score = malloc(n * sizeof *score);
        if (!score) {
            free(codes);
            return NAN;
        }
        for (size_t i = 0; i < n; i++)
            score[i] = pred->proba[2 * i + 1];
    }
    double r = NAN;
    switch (which) {
    case P_ROC_AUC:
        r = score ? tune_metric_roc_auc(codes, score, n)
                  : tune_metric_roc_auc_ovr(codes, pred->proba, n, k);
        break;
    case P_ROC_AUC_WEIGHTED:
        r = tune_metric_roc_auc_ovr_weighted(codes, pred->proba, n, k);
        break;
    case P_AP:
        r = score ? tune_metric_average_precision(codes, score, n)
                  : tune_metric_average_precision_ovr(codes, pred->proba, n, k);
        break;
    case P_LOG_LOSS:
        r = tune_metric_log_loss(codes, pred->proba, n, k);
        break;
    case P_BRIER:
        r = score ? tune_metric_brier(codes, score, n)
                  : tune_metric_brier_multiclass(codes, pred->proba, n, k);
        break;
    case P_TOP_K:
        r = tune_metric_top_k_accuracy(codes, pred->proba, n, k, 2);
        break;
    }
    free(score);
    free(codes);
    return r;
}

#define LABEL_METRIC(fn, which, avg, beta)                                              \
    static double fn(const double *truth, const struct tune_predictions *pred)          \
    {                                                                                   \
        return label_metric(truth, pred, which, avg, beta);                             \
    }
#define PROBA_METRIC(fn, which)                                                         \
    static double fn(const double *truth, const struct tune_predictions *pred)          \
    {                                                                                   \
        return proba_metric(truth, pred, which);                                        \
    }

LABEL_METRIC(compute_accuracy, L_ACCURACY, -1, 1.0)
LABEL_METRIC(compute_balanced_accuracy, L_BALANCED_ACCURACY, -1, 1.0)
LABEL_METRIC(compute_mcc, L_MCC, -1, 1.0)
LABEL_METRIC(compute_kappa, L_KAPPA, -1, 1.0)
LABEL_METRIC(compute_precision, L_PRECISION, -1, 1.0)
LABEL_METRIC(compute_precision_macro, L_PRECISION, TUNE_AVERAGE_MACRO, 1.0)
LABEL_METRIC(compute_precision_micro, L_PRECISION, TUNE_AVERAGE_MICRO, 1.0)
LABEL_METRIC(compute_precision_weighted, L_PRECISION, TUNE_AVERAGE_WEIGHTED, 1.0)
LABEL_METRIC(compute_recall, L_RECALL, -1, 1.0)
LABEL_METRIC(compute_recall_macro, L_RECALL, TUNE_AVERAGE_MACRO, 1.0)
LABEL_METRIC(compute_recall_micro, L_RECALL, TUNE_AVERAGE_MICRO, 1.0)
LABEL_METRIC(compute_recall_weighted, L_RECALL, TUNE_AVERAGE_WEIGHTED, 1.0)
LABEL_METRIC(compute_f1, L_FBETA, -1, 1.0)
LABEL_METRIC(compute_f1_macro, L_FBETA, TUNE_AVERAGE_MACRO, 1.0)
LABEL_METRIC(compute_f1_micro, L_FBETA, TUNE_AVERAGE_MICRO, 1.0)
LABEL_METRIC(compute_f1_weighted, L_FBETA, TUNE_AVERAGE_WEIGHTED, 1.0)
LABEL_METRIC(compute_f2, L_FBETA, -1, 2.0)
LABEL_METRIC(compute_f05, L_FBETA, -1, 0.5)
PROBA_METRIC(compute_roc_auc, P_ROC_AUC)
PROBA_METRIC(compute_roc_auc_weighted, P_ROC_AUC_WEIGHTED)
PROBA_METRIC(compute_average_precision, P_AP)
PROBA_METRIC(compute_log_loss, P_LOG_LOSS)
PROBA_METRIC(compute_brier, P_BRIER)
PROBA_METRIC(compute_top_k, P_TOP_K)

static int regression_ready(const double *truth, const struct tune_predictions *pred)
{
    return truth && pred && pred->value;
}

#define REGRESSION_METRIC(fn, metric)                                                   \
    static double fn(const double *truth, const struct tune_predictions *pred)          \
    {                                                                                   \
        return regression_ready(truth, pred) ? metric(truth, pred->value, pred->n) : NAN; \
    }

REGRESSION_METRIC(compute_mse, tune_metric_mse)
REGRESSION_METRIC(compute_rmse, tune_metric_rmse)
REGRESSION_METRIC(compute_mae, tune_metric_mae)
REGRESSION_METRIC(compute_r2, tune_metric_r2)
REGRESSION_METRIC(compute_explained_variance, tune_metric_explained_variance)
REGRESSION_METRIC(compute_median_absolute_error, tune_metric_median_absolute_error)
REGRESSION_METRIC(compute_mape, tune_metric_mape)
REGRESSION_METRIC(compute_max_error, tune_metric_max_error)

#define CLASSIFICATION (TUNE_TASK_BINARY | TUNE_TASK_MULTICLASS)
#define MULTICLASS TUNE_TASK_MULTICLASS
#define REGRESSION TUNE_TASK_REGRESSION

/* Clustering: predictions are cluster ids 0..k-1 (k = 1 + the largest id);
 * the measures are scikit-learn's, computed on the rows of the fold. */
static size_t n_clusters(const struct tune_predictions *p)
{
    int k = -1;
    for (size_t i = 0; p->label && i < p->n; i++)
        if (p->label[i] > k)
            k = p->label[i];
    return (size_t)(k + 1);
}

static double compute_inertia(const struct tune_matrix *x, const double *truth,
                              const struct tune_predictions *p)
{
    (void)truth;
    return p->label ? tune_metric_inertia(x, p->label, n_clusters(p), NULL) : NAN;
}

/* Exact up to 5,000 rows, then on a seeded sample of 5,000 (O(n^2) work). */
static double compute_silhouette(const struct tune_matrix *x, const double *truth,
                                 const struct tune_predictions *p)
{
    (void)truth;
    return p->label ? tune_metric_silhouette(x, p->label, n_clusters(p), 5000, 0) : NAN;
}

static double compute_davies_bouldin(const struct tune_matrix *x, const double *truth,
                                     const struct tune_predictions *p)
{
    (void)truth;
    return p->label ? tune_metric_davies_bouldin(x, p->label, n_clusters(p)) : NAN;
}

static double compute_calinski_harabasz(const struct tune_matrix *x, const double *truth,
                                        const struct tune_predictions *p)
{
    (void)truth;
    return p->label ? tune_metric_calinski_harabasz(x, p->label, n_clusters(p)) : NAN;
}

static const struct tune_metric_def registry[] = {
    /* The first rows, in their original order. */
    {"accuracy", CLASSIFICATION, 1, 0, compute_accuracy, NULL},
    {"roc_auc", CLASSIFICATION, 1, 1, compute_roc_auc, NULL},
    {"log_loss", CLASSIFICATION, 0, 1, compute_log_loss, NULL},
    {"f1", CLASSIFICATION, 1, 0, compute_f1, NULL},
    {"rmse", REGRESSION, 0, 0, compute_rmse, NULL},
    {"mae", REGRESSION, 0, 0, compute_mae, NULL},
    {"r2", REGRESSION, 1, 0, compute_r2, NULL},
    {"mse", REGRESSION, 0, 0, compute_mse, NULL},
    /* Classification. */
    {"balanced_accuracy", CLASSIFICATION, 1, 0, compute_balanced_accuracy, NULL},
    {"precision", CLASSIFICATION, 1, 0, compute_precision, NULL},
    {"recall", CLASSIFICATION, 1, 0, compute_recall, NULL},
    {"f2", CLASSIFICATION, 1, 0, compute_f2, NULL},
    {"f0.5", CLASSIFICATION, 1, 0, compute_f05, NULL},
    {"mcc", CLASSIFICATION, 1, 0, compute_mcc, NULL},
    {"matthews_corrcoef", CLASSIFICATION, 1, 0, compute_mcc, NULL},
    {"cohen_kappa", CLASSIFICATION, 1, 0, compute_kappa, NULL},
    {"brier", CLASSIFICATION, 0, 1, compute_brier, NULL},
    {"average_precision", CLASSIFICATION, 1, 1, compute_average_precision, NULL},
    {"roc_auc_ovr", MULTICLASS, 1, 1, compute_roc_auc, NULL},
    {"roc_auc_ovr_weighted", MULTICLASS, 1, 1, compute_roc_auc_weighted, NULL},
    {"top_k_accuracy", MULTICLASS, 1, 1, compute_top_k, NULL},
    {"precision_macro", CLASSIFICATION, 1, 0, compute_precision_macro, NULL},
    {"precision_micro", CLASSIFICATION, 1, 0, compute_precision_micro, NULL},
    {"precision_weighted", CLASSIFICATION, 1, 0, compute_precision_weighted, NULL},
    {"recall_macro", CLASSIFICATION, 1, 0, compute_recall_macro, NULL},
    {"recall_micro", CLASSIFICATION, 1, 0, compute_recall_micro, NULL},
    {"recall_weighted", CLASSIFICATION, 1, 0, compute_recall_weighted, NULL},
    {"f1_macro", CLASSIFICATION, 1, 0, compute_f1_macro, NULL},
    {"f1_micro", CLASSIFICATION, 1, 0, compute_f1_micro, NULL},
    {"f1_weighted", CLASSIFICATION, 1, 0, compute_f1_weighted, NULL},
    /* Regression. */
    {"explained_variance", REGRESSION, 1, 0, compute_explained_variance, NULL},
    {"median_absolute_error", REGRESSION, 0, 0, compute_median_absolute_error, NULL},
    {"mape", REGRESSION, 0, 0, compute_mape, NULL},
    {"max_error", REGRESSION, 0, 0, compute_max_error, NULL},
    {"silhouette", TUNE_TASK_CLUSTERING, 1, 0, NULL, compute_silhouette},
    {"inertia", TUNE_TASK_CLUSTERING, 0, 0, NULL, compute_inertia},
    {"davies_bouldin", TUNE_TASK_CLUSTERING, 0, 0, NULL, compute_davies_bouldin},
    {"calinski_harabasz", TUNE_TASK_CLUSTERING, 1, 0, NULL, compute_calinski_harabasz},
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
        return "silhouette";
    }
    return NULL;
}
