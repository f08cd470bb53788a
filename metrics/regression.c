/* SPDX-License-Identifier: GPL-3.0-or-later */
/* regression.c — mean squared error, its root, mean absolute error, the
 * coefficient of determination, explained variance, median absolute error,
 * mean absolute percentage error and max error, as scikit-learn 1.2 defines
 * them.
 *
 * Invariants: pure functions; NAN for no rows (and for r2, fewer than two,
 * which scikit-learn reports as not well-defined); a NAN input propagates.
 * Only the median allocates (one copy of the n errors, for selection).
 *
 * r2 = 1 - SS_res / SS_tot with SS_tot taken about the mean, which is
 * computed first (two passes: summing squares and subtracting n * mean^2
 * cancels catastrophically when the spread is small against the mean).
 * With scikit-learn's force_finite convention: SS_res = 0 gives 1, and a
 * constant truth (SS_tot = 0) gives 0 unless the predictions are perfect.
 * Constant truth is detected by comparing values, not by testing the
 * computed SS_tot: the rounded mean of identical values need not equal them
 * (three copies of 0.1 average to 0.10000000000000002), and scikit-learn then
 * reports an r2 near -1.7e31 for a case its own convention says is 0. */
#include "tunefold/metrics.h"

#include <math.h>
#include <stdlib.h>

double tune_metric_mse(const double *truth, const double *pred, size_t n)
{
    if (n == 0)
        return NAN;
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = truth[i] - pred[i];
        sum += d * d;
    }
    return sum / (double)n;
}

double tune_metric_rmse(const double *truth, const double *pred, size_t n)
{
    return sqrt(tune_metric_mse(truth, pred, n));
}

double tune_metric_mae(const double *truth, const double *pred, size_t n)
{
    if (n == 0)
        return NAN;
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += fabs(truth[i] - pred[i]);
    return sum / (double)n;
}

double tune_metric_r2(const double *truth, const double *pred, size_t n)
{
    if (n < 2)
        return NAN;
    double sum = 0.0;
    int constant = 1;
    for (size_t i = 0; i < n; i++) {
        sum += truth[i];
        constant = constant && truth[i] == truth[0];
    }
    double mean = sum / (double)n;
    double ss_res = 0.0, ss_tot = 0.0;
    for (size_t i = 0; i < n; i++) {
        double r = truth[i] - pred[i], t = truth[i] - mean;
        ss_res += r * r;
        ss_tot += t * t;
    }
    if (isnan(ss_res) || isnan(ss_tot))
        return NAN;
    if (ss_res == 0.0)
        return 1.0;
    if (constant || ss_tot == 0.0)
        return 0.0;
    return 1.0 - ss_res / ss_tot;
}

/* explained_variance_score: 1 - Var(y - p) / Var(y), each variance the
 * mean squared deviation from its own mean, with r2's conventions for the
 * degenerate cases (force_finite): a zero numerator gives 1, a constant
 * truth otherwise gives 0.  Unlike r2 the residuals' mean is removed, so a
 * prediction off by a constant still scores 1. */
double tune_metric_explained_variance(const double *truth, const double *pred, size_t n)
{
    if (n == 0)
        return NAN;
    double diff_sum = 0.0, truth_sum = 0.0, nn = (double)n;
    int constant = 1;
    for (size_t i = 0; i < n; i++) {
        diff_sum += truth[i] - pred[i];
        truth_sum += truth[i];
        constant = constant && truth[i] == truth[0];
    }
    double diff_mean = diff_sum / nn, truth_mean = truth_sum / nn;
    double num = 0.0, den = 0.0;
    for (size_t i = 0; i < n; i++) {
        double r = truth[i] - pred[i] - diff_mean, t = truth[i] - truth_mean;
        num += r * r;
        den += t * t;
    }
    num /= nn;
    den /= nn;
    if (isnan(num) || isnan(den))
        return NAN;
    if (num == 0.0)
        return 1.0;
    if (constant || den == 0.0)
        return 0.0;
    return 1.0 - num / den;
}

/* The element that would sit at index k of a[0..n) sorted (Hoare's
 * selection with a middle pivot, expected O(n)).  On return every element
 * before index k is <= a[k], every element after is >= a[k]. */
static double select_kth(double *a, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        double pivot = a[lo + (hi - lo) / 2];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i <= j) {
                double t = a[i];
                a[i] = a[j];
                a[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            break;
    }
    return a[k];
}

/* median_absolute_error: numpy's median of |y - p|, the mean of the two
 * middle values when n is even. */
double tune_metric_median_absolute_error(const double *truth, const double *pred, size_t n)
{
    if (n == 0)
        return NAN;
    double *e = malloc(n * sizeof *e);
    if (!e)
        return NAN;
    double result = NAN;
    for (size_t i = 0; i < n; i++) {
        e[i] = fabs(pred[i] - truth[i]);
        if (isnan(e[i]))
            goto done;
    }
    size_t h = n / 2;
    double upper = select_kth(e, n, h);
    if (n % 2) {
        result = upper;
    } else {
        double lower = e[0];
        for (size_t i = 1; i < h; i++)
            if (e[i] > lower)
                lower = e[i];
        result = (lower + upper) / 2.0;
    }
done:
    free(e);
    return result;
}

/* mean_absolute_percentage_error: the mean of |p - y| / max(|y|, eps) with
 * eps = DBL_EPSILON — a fraction, not a percentage, and a huge (finite)
 * number when a true value is 0 and its prediction is not. */
double tune_metric_mape(const double *truth, const double *pred, size_t n)
{
    if (n == 0)
        return NAN;
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        double scale = fabs(truth[i]);
        if (scale < 0x1p-52)
            scale = 0x1p-52;
        sum += fabs(pred[i] - truth[i]) / scale;
    }
    return sum / (double)n;
}

/* max_error: the largest |y - p|. */
double tune_metric_max_error(const double *truth, const double *pred, size_t n)
{
    if (n == 0)
        return NAN;
    double worst = 0.0;
    for (size_t i = 0; i < n; i++) {
        double e = fabs(truth[i] - pred[i]);
        if (isnan(e))
            return NAN;
        if (e > worst)
            worst = e;
    }
    return worst;
}
