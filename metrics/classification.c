/* classification.c — accuracy, F1 (binary and macro) and log loss over class
 * codes 0..k-1, with scikit-learn 1.2's conventions.
 *
 * Invariants: every function is pure (no state, no printing); an input that
 * scikit-learn would reject (no rows, a code outside the declared classes,
 * fewer than two classes for log loss) yields NAN rather than a number.
 *
 * F1 follows precision_recall_fscore_support: precision and recall are each
 * 0 when their denominator is 0 (zero_division=0), and F1 = 2PR / (P + R),
 * 0 when P + R = 0 — computed in that order, not as 2tp / (2tp + fp + fn),
 * so results agree with scikit-learn to the last bit or two.
 *
 * Macro F1 averages over all k declared labels, including a label that
 * appears in neither truth nor prediction (it scores 0).  This is
 * scikit-learn's f1_score(..., labels=range(k), average="macro"); without
 * `labels` scikit-learn would average only over the labels it sees, which
 * makes a fold's score depend on which classes happened to land in it. */
#include "tunefold/metrics.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

double tune_metric_accuracy(const int *truth, const int *pred, size_t n)
{
    if (n == 0)
        return NAN;
    size_t hits = 0;
    for (size_t i = 0; i < n; i++)
        hits += truth[i] == pred[i];
    return (double)hits / (double)n;
}

static double f1_from_counts(size_t tp, size_t fp, size_t fn)
{
    double precision = tp + fp ? (double)tp / (double)(tp + fp) : 0.0;
    double recall = tp + fn ? (double)tp / (double)(tp + fn) : 0.0;
    double denom = precision + recall;
    return denom > 0.0 ? 2.0 * precision * recall / denom : 0.0;
}

double tune_metric_f1_binary(const int *truth, const int *pred, size_t n)
{
    if (n == 0)
        return NAN;
    size_t tp = 0, fp = 0, fn = 0;
    for (size_t i = 0; i < n; i++) {
        if ((truth[i] != 0 && truth[i] != 1) || (pred[i] != 0 && pred[i] != 1))
            return NAN;
        tp += truth[i] == 1 && pred[i] == 1;
        fp += truth[i] == 0 && pred[i] == 1;
        fn += truth[i] == 1 && pred[i] == 0;
    }
    return f1_from_counts(tp, fp, fn);
}

double tune_metric_f1_macro(const int *truth, const int *pred, size_t n, size_t k)
{
    if (n == 0 || k == 0)
        return NAN;
    /* counts[3c], [3c+1], [3c+2]: true positives, false positives, false
     * negatives of class c. */
    size_t *counts = calloc(3 * k, sizeof *counts);
    if (!counts)
        return NAN;
    double result = NAN;
    for (size_t i = 0; i < n; i++) {
        if (truth[i] < 0 || (size_t)truth[i] >= k || pred[i] < 0 || (size_t)pred[i] >= k)
            goto done;
        size_t t = (size_t)truth[i], p = (size_t)pred[i];
        if (t == p) {
            counts[3 * t]++;
        } else {
            counts[3 * p + 1]++;
            counts[3 * t + 2]++;
        }
    }
    double sum = 0.0;
    for (size_t c = 0; c < k; c++)
        sum += f1_from_counts(counts[3 * c], counts[3 * c + 1], counts[3 * c + 2]);
    result = sum / (double)k;
done:
    free(counts);
    return result;
}

/* scikit-learn 1.2 (log_loss, eps="auto"): clip every probability to
 * [eps, 1 - eps] with eps = DBL_EPSILON, divide each row by its clipped sum,
 * then average -log of the true class's entry.  Clipping before the
 * renormalisation matters: a row [0, 0, 1] becomes [eps, eps, 1 - eps], whose
 * sum is 1 + eps, not 1.  The row sum runs left to right as numpy's does for
 * short rows.  NAN probabilities stay NAN (the comparisons below are false
 * for NAN, where fmin/fmax would silently replace it). */
static double clip_probability(double p)
{
    const double lo = DBL_EPSILON, hi = 1.0 - DBL_EPSILON;
    return p < lo ? lo : p > hi ? hi : p;
}

double tune_metric_log_loss(const int *truth, const double *proba, size_t n, size_t k)
{
    if (n == 0 || k < 2)
        return NAN;
    double total = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (truth[i] < 0 || (size_t)truth[i] >= k)
            return NAN;
        const double *row = proba + i * k;
        double row_sum = 0.0;
        for (size_t c = 0; c < k; c++)
            row_sum += clip_probability(row[c]);
        total -= log(clip_probability(row[truth[i]]) / row_sum);
    }
    return total / (double)n;
}
