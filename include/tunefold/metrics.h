/* SPDX-License-Identifier: GPL-3.0-or-later */
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
#include <stdint.h>
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

/* ------------------------------------------------------------------------
 * The full evaluation set (appended; everything above is unchanged).
 *
 * Conventions of every function below: pure (no state, no I/O); NAN where
 * scikit-learn would raise (no rows, a class code outside 0..k-1, a NAN
 * score); a zero denominator in precision / recall / F gives 0, as
 * scikit-learn's zero_division=0.  Probabilities are row-major n x k.
 * ------------------------------------------------------------------------ */

/* How per-class precision / recall / F-beta are combined.
 *   BINARY:   class 1 alone (k must be 2).
 *   MACRO:    plain mean over all k declared classes (a class absent from
 *             truth and prediction counts, and scores 0).
 *   MICRO:    from the counts summed over classes (= accuracy here).
 *   WEIGHTED: mean weighted by each class's count in truth. */
enum tune_average {
    TUNE_AVERAGE_BINARY = 0,
    TUNE_AVERAGE_MACRO = 1,
    TUNE_AVERAGE_MICRO = 2,
    TUNE_AVERAGE_WEIGHTED = 3
};

/* Counts of (truth, pred) pairs into out[truth * k + pred] (k x k, rows =
 * truth, columns = predicted).  TUNE_EINVAL (out untouched) when a code is
 * outside 0..k-1. */
int tune_metric_confusion_matrix(const int *truth, const int *pred, size_t n, size_t k,
                                 size_t *out);

/* Mean recall over the classes present in truth. */
double tune_metric_balanced_accuracy(const int *truth, const int *pred, size_t n, size_t k);
double tune_metric_precision(const int *truth, const int *pred, size_t n, size_t k,
                             enum tune_average avg);
double tune_metric_recall(const int *truth, const int *pred, size_t n, size_t k,
                          enum tune_average avg);
/* (1 + beta^2) P R / (beta^2 P + R); beta > 0 (beta = 1 is F1). */
double tune_metric_fbeta(const int *truth, const int *pred, size_t n, size_t k, double beta,
                         enum tune_average avg);
/* Matthews correlation coefficient (multiclass form); 0 when truth or
 * prediction has a single class. */
double tune_metric_mcc(const int *truth, const int *pred, size_t n, size_t k);
/* Cohen's kappa (unweighted); NAN when chance agreement is total (one class
 * in truth and prediction alike). */
double tune_metric_cohen_kappa(const int *truth, const int *pred, size_t n, size_t k);

/* Binary Brier score: mean (y - score)^2, y = 1 for class 1.  NAN when a
 * score is outside [0, 1]. */
double tune_metric_brier(const int *truth, const double *score, size_t n);
/* Multiclass Brier score: mean over rows of sum_c (p_ic - [y_i = c])^2
 * (twice the binary score when k = 2).  NAN when a probability is outside
 * [0, 1]. */
double tune_metric_brier_multiclass(const int *truth, const double *proba, size_t n, size_t k);
/* Fraction of rows whose true class is among the top_k most probable
 * (ties: the higher class code ranks first, as scikit-learn's). */
double tune_metric_top_k_accuracy(const int *truth, const double *proba, size_t n, size_t k,
                                  size_t top_k);

/* One-vs-rest ROC AUC weighted by each class's count in truth.  NAN when any
 * class is absent from truth. */
double tune_metric_roc_auc_ovr_weighted(const int *truth, const double *proba, size_t n,
                                        size_t k);
/* Average precision of positive-class scores: sum_i (R_i - R_(i-1)) P_i over
 * the distinct thresholds (no interpolation).  0 when no row is positive. */
double tune_metric_average_precision(const int *truth, const double *score, size_t n);
/* One-vs-rest macro average precision (an absent class scores 0). */
double tune_metric_average_precision_ovr(const int *truth, const double *proba, size_t n,
                                         size_t k);

/* Curves of binary scores (class 1 positive); each distinct score is one
 * threshold.  Arrays are owned by the struct: release with the matching
 * *_release(), which accepts NULL and an already released struct. */
struct tune_roc_curve {
    size_t n;            /* points */
    double *fpr, *tpr;   /* n each, from (0, 0); NAN if a class is absent */
    double *thresholds;  /* n, decreasing; thresholds[0] = +INFINITY */
};
struct tune_pr_curve {
    size_t n;                  /* points */
    double *precision, *recall;/* n each; the last point is (P 1, R 0) */
    double *thresholds;        /* n - 1, increasing */
};
/* drop_intermediate: leave out points collinear with their neighbours, as
 * scikit-learn's roc_curve does by default.  TUNE_EINVAL (naming the row)
 * for no rows, a NAN score or a truth code other than 0/1; TUNE_ENOMEM. */
int tune_metric_roc_curve(const int *truth, const double *score, size_t n,
                          int drop_intermediate, struct tune_roc_curve *out,
                          struct tune_error *err);
int tune_metric_pr_curve(const int *truth, const double *score, size_t n,
                         struct tune_pr_curve *out, struct tune_error *err);
void tune_roc_curve_release(struct tune_roc_curve *c);
void tune_pr_curve_release(struct tune_pr_curve *c);

/* Regression, beyond mse/rmse/mae/r2. */
/* 1 - Var(y - p) / Var(y); 1 when the residual variance is 0, 0 when truth
 * is constant otherwise. */
double tune_metric_explained_variance(const double *truth, const double *pred, size_t n);
double tune_metric_median_absolute_error(const double *truth, const double *pred, size_t n);
/* Mean of |p - y| / max(|y|, DBL_EPSILON): a fraction, not a percentage. */
double tune_metric_mape(const double *truth, const double *pred, size_t n);
double tune_metric_max_error(const double *truth, const double *pred, size_t n);

/* Clustering of the rows of x (column-major) into codes 0..k-1; empty
 * clusters do not count.  Euclidean distances.  NAN for a label outside
 * 0..k-1, a NAN feature, or (all but inertia) fewer than 2 or more than
 * n - 1 non-empty clusters. */
/* Sum of squared distances of rows to their cluster's center: centers is
 * k x n_cols row-major, or NULL for the cluster means. */
double tune_metric_inertia(const struct tune_matrix *x, const int *labels, size_t k,
                           const double *centers);
/* Mean silhouette coefficient.  Exact when sample_size is 0 or >= the rows
 * (O(n^2 d) time, n x k doubles of memory); else exact on sample_size rows
 * drawn without replacement by a generator seeded with `seed`. */
double tune_metric_silhouette(const struct tune_matrix *x, const int *labels, size_t k,
                              size_t sample_size, uint64_t seed);
/* The silhouette of each row, s(i) = (b - a) / max(a, b) (0 for a row alone
 * in its cluster), into out[0..n_rows), exactly (scikit-learn's
 * silhouette_samples); their mean is tune_metric_silhouette(x, ..., 0, 0).
 * Returns 0, or -1 with every out[i] NAN when the silhouette is undefined
 * (as above) or memory ran out. */
int tune_metric_silhouette_samples(const struct tune_matrix *x, const int *labels, size_t k,
                                   double *out);
double tune_metric_davies_bouldin(const struct tune_matrix *x, const int *labels, size_t k);
double tune_metric_calinski_harabasz(const struct tune_matrix *x, const int *labels, size_t k);

/* A named metric usable as an objective or stored per fold. */
struct tune_metric_def {
    const char *name;
    unsigned tasks;           /* bitmask of enum tune_task */
    int maximize;             /* 1: larger is better */
    int needs_proba;          /* needs class probabilities */
    /* Compute from truth (class codes or values as doubles) and predictions.
     * Returns NAN when undefined for this input (e.g. one class present). */
    double (*compute)(const double *truth, const struct tune_predictions *pred);
    /* Clustering measures need the rows themselves: when set, it is called
     * instead of compute, with the (preprocessed) rows x. */
    double (*compute_x)(const struct tune_matrix *x, const double *truth,
                        const struct tune_predictions *pred);
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
