/* SPDX-License-Identifier: GPL-3.0-or-later */
/* classification.c — metrics of predicted class codes 0..k-1 (accuracy,
 * balanced accuracy, precision, recall, F-beta, Matthews correlation,
 * Cohen's kappa, the confusion matrix) and of class probabilities (log loss,
 * Brier score, top-k accuracy), with scikit-learn 1.2's conventions.
 *
 * Invariants: every function is pure (no state, no printing); an input that
 * scikit-learn would reject (no rows, a code outside the declared classes,
 * fewer than two classes for log loss, a probability outside [0, 1] for the
 * Brier score) yields NAN rather than a number.  "Outside [0, 1]" allows
 * 1e-9 of rounding either side: a softmax may sum to 1 + 2^-52, and one
 * such row must not make a whole fold's Brier score undefined.  Scratch space is at most one
 * calloc of a few counters per class.
 *
 * Precision, recall and F-beta follow precision_recall_fscore_support: per
 * class, precision = tp / (tp + fp) and recall = tp / (tp + fn), each 0 when
 * its denominator is 0 (zero_division=0); F = (1 + b^2) P R / (b^2 P + R),
 * 0 when the denominator is 0 — computed in that order from P and R, not
 * from the counts, so results agree with scikit-learn to the last bit or two.
 * Averages: binary = class 1 alone; macro = the plain mean over all k
 * declared labels, including a label that appears in neither truth nor
 * prediction (it scores 0: scikit-learn with labels=range(k), so a fold's
 * score does not depend on which classes happened to land in it); weighted =
 * the mean weighted by each label's count in truth; micro = the ratios of the
 * summed counts (for single-label data, all three equal accuracy). */
#include "tunefold/metrics.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

static int codes_ok(const int *codes, size_t n, size_t k)
{
    for (size_t i = 0; i < n; i++)
        if (codes[i] < 0 || (size_t)codes[i] >= k)
            return 0;
    return 1;
}

double tune_metric_accuracy(const int *truth, const int *pred, size_t n)
{
    if (n == 0)
        return NAN;
    size_t hits = 0;
    for (size_t i = 0; i < n; i++)
        hits += truth[i] == pred[i];
    return (double)hits / (double)n;
}

int tune_metric_confusion_matrix(const int *truth, const int *pred, size_t n, size_t k,
                                 size_t *out)
{
    if (k == 0 || !codes_ok(truth, n, k) || !codes_ok(pred, n, k))
        return TUNE_EINVAL;
    for (size_t c = 0; c < k * k; c++)
        out[c] = 0;
    for (size_t i = 0; i < n; i++)
        out[(size_t)truth[i] * k + (size_t)pred[i]]++;
    return TUNE_OK;
}

/* Per-class counts: tp, fp (predicted c, truth not c), fn (truth c,
 * predicted not c), in counts[3c .. 3c+2].  Caller frees; NULL when a code is
 * out of range or on allocation failure. */
static size_t *class_counts(const int *truth, const int *pred, size_t n, size_t k)
{
    if (n == 0 || k == 0 || !codes_ok(truth, n, k) || !codes_ok(pred, n, k))
        return NULL;
    size_t *counts = calloc(3 * k, sizeof *counts);
    if (!counts)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        size_t t = (size_t)truth[i], p = (size_t)pred[i];
        if (t == p) {
            counts[3 * t]++;
        } else {
            counts[3 * p + 1]++;
            counts[3 * t + 2]++;
        }
    }
    return counts;
}

enum prf { PRECISION, RECALL, FSCORE };

static double ratio_or_zero(double num, double den)
{
    return den != 0.0 ? num / den : 0.0;
}

static double prf_from_counts(double tp, double fp, double fn, double beta2, enum prf what)
{
    double precision = ratio_or_zero(tp, tp + fp);
    double recall = ratio_or_zero(tp, tp + fn);
    if (what == PRECISION)
        return precision;
    if (what == RECALL)
        return recall;
    double denom = beta2 * precision + recall;
    return denom != 0.0 ? (1.0 + beta2) * precision * recall / denom : 0.0;
}

static double prf(const int *truth, const int *pred, size_t n, size_t k, double beta,
                  enum tune_average avg, enum prf what)
{
    if (avg == TUNE_AVERAGE_BINARY && k != 2)
        return NAN;
    if (!(beta > 0.0) || isinf(beta))
        return NAN;
    size_t *counts = class_counts(truth, pred, n, k);
    if (!counts)
        return NAN;
    double beta2 = beta * beta, result = 0.0;
    switch (avg) {
    case TUNE_AVERAGE_BINARY:
        result = prf_from_counts((double)counts[3], (double)counts[4], (double)counts[5], beta2,
                                 what);
        break;
    case TUNE_AVERAGE_MACRO:
        for (size_t c = 0; c < k; c++)
            result += prf_from_counts((double)counts[3 * c], (double)counts[3 * c + 1],
                                      (double)counts[3 * c + 2], beta2, what);
        result /= (double)k;
        break;
    case TUNE_AVERAGE_WEIGHTED: {
        double weights = 0.0;
        for (size_t c = 0; c < k; c++) {
            double w = (double)(counts[3 * c] + counts[3 * c + 2]);
            result += prf_from_counts((double)counts[3 * c], (double)counts[3 * c + 1],
                                      (double)counts[3 * c + 2], beta2, what) *
                      w;
            weights += w;
        }
        result /= weights;
        break;
    }
    case TUNE_AVERAGE_MICRO: {
        double tp = 0.0, fp = 0.0, fn = 0.0;
        for (size_t c = 0; c < k; c++) {
            tp += (double)counts[3 * c];
            fp += (double)counts[3 * c + 1];
            fn += (double)counts[3 * c + 2];
        }
        result = prf_from_counts(tp, fp, fn, beta2, what);
        break;
    }
    default:
        result = NAN;
    }
    free(counts);
    return result;
}

double tune_metric_precision(const int *truth, const int *pred, size_t n, size_t k,
                             enum tune_average avg)
{
    return prf(truth, pred, n, k, 1.0, avg, PRECISION);
}

double tune_metric_recall(const int *truth, const int *pred, size_t n, size_t k,
                          enum tune_average avg)
{
    return prf(truth, pred, n, k, 1.0, avg, RECALL);
}

double tune_metric_fbeta(const int *truth, const int *pred, size_t n, size_t k, double beta,
                         enum tune_average avg)
{
    return prf(truth, pred, n, k, beta, avg, FSCORE);
}

double tune_metric_f1_binary(const int *truth, const int *pred, size_t n)
{
    return prf(truth, pred, n, 2, 1.0, TUNE_AVERAGE_BINARY, FSCORE);
}

double tune_metric_f1_macro(const int *truth, const int *pred, size_t n, size_t k)
{
    return prf(truth, pred, n, k, 1.0, TUNE_AVERAGE_MACRO, FSCORE);
}

/* balanced_accuracy_score: the mean recall over the classes present in
 * truth (a class only predicted has no recall and is left out). */
double tune_metric_balanced_accuracy(const int *truth, const int *pred, size_t n, size_t k)
{
    size_t *counts = class_counts(truth, pred, n, k);
    if (!counts)
        return NAN;
    double sum = 0.0;
    size_t present = 0;
    for (size_t c = 0; c < k; c++) {
        size_t support = counts[3 * c] + counts[3 * c + 2];
        if (support) {
            sum += (double)counts[3 * c] / (double)support;
            present++;
        }
    }
    free(counts);
    return sum / (double)present;
}

/* matthews_corrcoef in its multiclass form (Gorodkin 2004), which for two
 * classes is the usual (tp tn - fp fn) / sqrt(...):
 *   cov(t, p) = c n - sum_k t_k p_k,  cov(t, t) = n^2 - sum t_k^2,
 *   cov(p, p) = n^2 - sum p_k^2,      mcc = cov(t, p) / sqrt(cov(t, t) cov(p, p))
 * with c the correct count and t_k, p_k the true and predicted counts of
 * class k; 0 when either variance is 0 (scikit-learn's answer). */
double tune_metric_mcc(const int *truth, const int *pred, size_t n, size_t k)
{
    size_t *counts = class_counts(truth, pred, n, k);
    if (!counts)
        return NAN;
    double correct = 0.0, tp = 0.0, pp = 0.0, tt = 0.0, nn = (double)n;
    for (size_t c = 0; c < k; c++) {
        double t = (double)(counts[3 * c] + counts[3 * c + 2]);
        double p = (double)(counts[3 * c] + counts[3 * c + 1]);
        correct += (double)counts[3 * c];
        tp += t * p;
        tt += t * t;
        pp += p * p;
    }
    free(counts);
    double cov_tp = correct * nn - tp, cov_pp = nn * nn - pp, cov_tt = nn * nn - tt;
    if (cov_pp * cov_tt == 0.0)
        return 0.0;
    return cov_tp / sqrt(cov_tt * cov_pp);
}

/* cohen_kappa_score without weights, in scikit-learn's form 1 - o / e: o is
 * the observed count of disagreements (off the diagonal), e the count
 * expected by chance from the margins, sum over i != j of p_i t_j / n =
 * (n^2 - sum_i p_i t_i) / n (integers until that one division).  NAN when
 * e = 0: one class only, in truth and prediction alike. */
double tune_metric_cohen_kappa(const int *truth, const int *pred, size_t n, size_t k)
{
    size_t *counts = class_counts(truth, pred, n, k);
    if (!counts)
        return NAN;
    double agree = 0.0, chance = 0.0, nn = (double)n;
    for (size_t c = 0; c < k; c++) {
        double t = (double)(counts[3 * c] + counts[3 * c + 2]);
        double p = (double)(counts[3 * c] + counts[3 * c + 1]);
        agree += (double)counts[3 * c];
        chance += t * p;
    }
    free(counts);
    double observed = nn - agree, expected = (nn * nn - chance) / nn;
    if (expected == 0.0)
        return NAN;
    return 1.0 - observed / expected;
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

/* A probability, up to rounding (see the head of the file). */
static int is_probability(double p)
{
    return p >= -1e-9 && p <= 1.0 + 1e-9;
}

/* brier_score_loss: the mean of (y - p)^2 with y = 1 for class 1. */
double tune_metric_brier(const int *truth, const double *score, size_t n)
{
    if (n == 0)
        return NAN;
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        double p = score[i];
        if ((truth[i] != 0 && truth[i] != 1) || !is_probability(p))
            return NAN;
        double d = (double)truth[i] - p;
        sum += d * d;
    }
    return sum / (double)n;
}

/* Brier's original multiclass score: the mean over rows of
 * sum_c (p_ic - [y_i = c])^2.  For two classes it is twice the binary score
 * above, which scores the positive column only. */
double tune_metric_brier_multiclass(const int *truth, const double *proba, size_t n, size_t k)
{
    if (n == 0 || k < 2 || !codes_ok(truth, n, k))
        return NAN;
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        const double *row = proba + i * k;
        double s = 0.0;
        for (size_t c = 0; c < k; c++) {
            if (!is_probability(row[c]))
                return NAN;
            double d = row[c] - ((size_t)truth[i] == c ? 1.0 : 0.0);
            s += d * d;
        }
        sum += s;
    }
    return sum / (double)n;
}

/* top_k_accuracy_score: a row is a hit when its true class is among the
 * top_k highest probabilities.  Ties are broken as scikit-learn's
 * descending stable argsort breaks them: among equal probabilities the
 * higher class code ranks first.  So the true class c is ranked behind every
 * class with a greater probability and every later class with an equal one. */
double tune_metric_top_k_accuracy(const int *truth, const double *proba, size_t n, size_t k,
                                  size_t top_k)
{
    if (n == 0 || k < 2 || top_k == 0 || !codes_ok(truth, n, k))
        return NAN;
    size_t hits = 0;
    for (size_t i = 0; i < n; i++) {
        const double *row = proba + i * k;
        size_t t = (size_t)truth[i], ahead = 0;
        double p = row[t];
        if (isnan(p))
            return NAN;
        for (size_t c = 0; c < k; c++) {
            if (isnan(row[c]))
                return NAN;
            ahead += row[c] > p || (row[c] == p && c > t);
        }
        hits += ahead < top_k;
    }
    return (double)hits / (double)n;
}
