/* metrics.h — evaluation metrics: pure functions over arrays, plus a
 * registry that names them, says which tasks they fit and which direction
 * is better, and computes them from a `tune_predictions`.
 *
 * Semantics follow scikit-learn's metric functions (the reference users check
 * against): the same averaging rules, tie handling and clipping.  Class labels
 * are codes 0..k-1; for binary tasks class 1 is the positive class. */
#ifndef TUNEFOLD_METRICS_H
#define TUNEFOLD_METRICS_H

#include <stddef.h>
#include "tunefold/dataset.h"
#include "tunefold/trainer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Fraction of rows with pred == truth. */
double tune_metric_accuracy(const int *truth, const int *pred, size_t n);

/* Binary ROC AUC of positive-class scores (ties count one half, as the
 * trapezoid under the ROC curve does).  NAN when only one class is present. */
double tune_metric_roc_auc(const int *truth, const double *score, size_t n);

/* One-vs-rest macro ROC AUC for k classes, proba row-major n x k.  NAN when
 * any class is absent from truth. */
double tune_metric_roc_auc_ovr(const int *truth, const double *proba, size_t n, size_t k);

/* Mean cross-entropy; probabilities clipped to [eps, 1-eps] with eps the
 * double machine epsilon, each row renormalised, as scikit-learn does. */
double tune_metric_log_loss(const int *truth, const double *proba, size_t n, size_t k);

/* F1 of class 1 (binary).  0 when precision + recall is 0 (zero_division=0). */
double tune_metric_f1_binary(const int *truth, const int *pred, size_t n);

/* Macro-averaged F1 over k classes. */
double tune_metric_f1_macro(const int *truth, const int *pred, size_t n, size_t k);

double tune_metric_mse(const double *truth, const double *pred, size_t n);
double tune_metric_rmse(const double *truth, const double *pred, size_t n);
double tune_metric_mae(const double *truth, const double *pred, size_t n);
/* Coefficient of determination; 1 if perfect, 0 when truth is constant and
 * predictions are not perfect (scikit-learn's convention). */
double tune_metric_r2(const double *truth, const double *pred, size_t n);

/* A named metric usable as an objective or stored per fold. */
struct tune_metric_def {
    const char *name;
    unsigned tasks;           /* bitmask of enum tune_task */
    int maximize;             /* 1: larger is better */
    int needs_proba;          /* needs class probabilities */
    /* Compute from truth (class codes or values as doubles) and predictions.
     * Returns NAN when undefined for this input (e.g. one class present). */
    double (*compute)(const double *truth, const struct tune_predictions *pred);
};

/* NULL if unknown. */
const struct tune_metric_def *tune_metric_find(const char *name);
/* The i-th registered metric, NULL past the end. */
const struct tune_metric_def *tune_metric_at(size_t i);
/* The metrics that apply to `task` (and have what they need, given whether
 * the predictions carry probabilities), written into `out` (capacity cap);
 * returns the count. */
size_t tune_metrics_for_task(enum tune_task task, int have_proba,
                             const struct tune_metric_def **out, size_t cap);
/* The default objective metric of a task ("roc_auc", "accuracy", "r2"). */
const char *tune_metric_default(enum tune_task task);

#ifdef __cplusplus
}
#endif
#endif
