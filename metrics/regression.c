/* regression.c — mean squared error, its root, mean absolute error and the
 * coefficient of determination, as scikit-learn 1.2 defines them.
 *
 * Invariants: pure functions; NAN for no rows (and for r2, fewer than two,
 * which scikit-learn reports as not well-defined); a NAN input propagates.
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
