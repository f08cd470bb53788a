/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ranking.c — metrics of a ranking by scores: ROC AUC (binary, one-vs-rest
 * macro and weighted) and average precision (binary, one-vs-rest macro).
 *
 * How it works (scikit-learn's _binary_clf_curve, in O(n log n)): the scores
 * of the positive rows and of the negative rows are each radix-sorted
 * (score_sort.c); a walk down both sorted lists visits the distinct scores
 * from the highest, each one threshold grouping every row with that score,
 * and keeps running counts tp and fp.
 *
 * ROC AUC: each group moves the ROC curve from (fp0, tp0) to (fp1, tp1) and
 * adds the trapezoid (fp1 - fp0)(tp1 + tp0) / 2.  A group that mixes both
 * classes is a diagonal step, which credits each tied positive-negative pair
 * one half — the Mann-Whitney U statistic with mid-ranks.  The trapezoids are
 * summed in counts (integers, exact in doubles up to 2^53) and divided by
 * P * N once at the end, so the only rounding is that final division.
 *
 * Average precision: AP = sum over thresholds of (R_i - R_(i-1)) * P_i, with
 * recall R_i = tp_i / P and precision P_i = tp_i / (tp_i + fp_i) — the step
 * integral of the precision-recall curve with no interpolation, as
 * scikit-learn's average_precision_score computes it from the same float
 * quotients.  With no positive row scikit-learn sets recall to 1 everywhere,
 * so AP is 0; so is it here.
 *
 * Invariants: pure functions; NAN when the metric is undefined (no rows, a
 * NAN score, a truth code outside the classes, and for ROC AUC a class with
 * no rows) where scikit-learn would raise; the key workspace is one malloc
 * per call, and its failure also yields NAN. */
#include "tunefold/metrics.h"

#include <math.h>
#include <stdlib.h>

#include "score_sort.h"

/* Rank the n rows whose score is score[i * stride]; row i is positive when
 * truth[i] == cls.  `buf` holds 2n keys: the two sorted lists, then scratch.
 * Returns -1 on a NAN score. */
static int rank_rows(const int *truth, int cls, const double *score, size_t stride, size_t n,
                     uint64_t *buf, struct tune_ranking *r)
{
    size_t n_pos = 0;
    for (size_t i = 0; i < n; i++)
        n_pos += truth[i] == cls;
    r->pos = buf;
    r->neg = buf + n_pos;
    r->n_pos = r->n_neg = 0;
    for (size_t i = 0; i < n; i++) {
        double s = score[i * stride];
        if (isnan(s))
            return -1;
        if (truth[i] == cls)
            r->pos[r->n_pos++] = tune_score_key(s);
        else
            r->neg[r->n_neg++] = tune_score_key(s);
    }
    tune_sort_keys(r->pos, buf + n, r->n_pos);
    tune_sort_keys(r->neg, buf + n, r->n_neg);
    return 0;
}

static double auc_of_ranking(const struct tune_ranking *r)
{
    if (r->n_pos == 0 || r->n_neg == 0)
        return NAN;
    size_t i = 0, j = 0, dp, dn;
    uint64_t key;
    double tp = 0.0, twice_area = 0.0;
    while (tune_ranking_next(r, &i, &j, &key, &dp, &dn)) {
        double tp1 = tp + (double)dp;
        twice_area += (double)dn * (tp1 + tp);
        tp = tp1;
    }
    return twice_area / (2.0 * (double)r->n_pos * (double)r->n_neg);
}

static double ap_of_ranking(const struct tune_ranking *r)
{
    if (r->n_pos == 0)
        return 0.0;
    size_t i = 0, j = 0, dp, dn;
    uint64_t key;
    double tp = 0.0, fp = 0.0, recall0 = 0.0, ap = 0.0, total = (double)r->n_pos;
    while (tune_ranking_next(r, &i, &j, &key, &dp, &dn)) {
        tp += (double)dp;
        fp += (double)dn;
        if (dp) {
            double recall = tp / total;
            ap += (recall - recall0) * (tp / (tp + fp));
            recall0 = recall;
        }
    }
    return ap;
}

static int binary_codes_ok(const int *truth, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (truth[i] != 0 && truth[i] != 1)
            return 0;
    return 1;
}

static int class_codes_ok(const int *truth, size_t n, size_t k)
{
    for (size_t i = 0; i < n; i++)
        if (truth[i] < 0 || (size_t)truth[i] >= k)
            return 0;
    return 1;
}

enum binary_kind { ROC_AUC, AVERAGE_PRECISION };

static double binary_metric(const int *truth, const double *score, size_t n,
                            enum binary_kind kind)
{
    if (n == 0 || !binary_codes_ok(truth, n))
        return NAN;
    uint64_t *buf = malloc(2 * n * sizeof *buf);
    if (!buf)
        return NAN;
    struct tune_ranking r;
    double result = NAN;
    if (rank_rows(truth, 1, score, 1, n, buf, &r) == 0)
        result = kind == ROC_AUC ? auc_of_ranking(&r) : ap_of_ranking(&r);
    free(buf);
    return result;
}

double tune_metric_roc_auc(const int *truth, const double *score, size_t n)
{
    return binary_metric(truth, score, n, ROC_AUC);
}

double tune_metric_average_precision(const int *truth, const double *score, size_t n)
{
    return binary_metric(truth, score, n, AVERAGE_PRECISION);
}

/* One-vs-rest: class c in turn is the positive class, scored by its own
 * probability column.  weighted = 0: the unweighted mean over the k classes
 * (average="macro"); 1: weighted by each class's count in truth
 * (average="weighted"). */
static double ovr_metric(const int *truth, const double *proba, size_t n, size_t k,
                         enum binary_kind kind, int weighted)
{
    if (n == 0 || k < 2 || !class_codes_ok(truth, n, k))
        return NAN;
    uint64_t *buf = malloc(2 * n * sizeof *buf);
    if (!buf)
        return NAN;
    double sum = 0.0, weights = 0.0;
    for (size_t c = 0; c < k; c++) {
        struct tune_ranking r;
        if (rank_rows(truth, (int)c, proba + c, k, n, buf, &r) != 0) {
            sum = NAN;
            break;
        }
        /* An absent class makes its AUC, and so the mean, NAN. */
        double v = kind == ROC_AUC ? auc_of_ranking(&r) : ap_of_ranking(&r);
        double w = weighted ? (double)r.n_pos : 1.0;
        sum += v * w;
        weights += w;
    }
    free(buf);
    return sum / weights;
}

double tune_metric_roc_auc_ovr(const int *truth, const double *proba, size_t n, size_t k)
{
    return ovr_metric(truth, proba, n, k, ROC_AUC, 0);
}

double tune_metric_roc_auc_ovr_weighted(const int *truth, const double *proba, size_t n,
                                        size_t k)
{
    return ovr_metric(truth, proba, n, k, ROC_AUC, 1);
}

double tune_metric_average_precision_ovr(const int *truth, const double *proba, size_t n,
                                         size_t k)
{
    return ovr_metric(truth, proba, n, k, AVERAGE_PRECISION, 0);
}
