/* SPDX-License-Identifier: GPL-3.0-or-later */
/* stats.h — statistics for comparing models: paired tests of two
 * configurations evaluated on the same folds (or the same rows), and
 * bootstrap confidence intervals of a metric.
 *
 * Pure functions: no state, no I/O; random draws come from a GSL generator
 * seeded by the caller.  p-values are two-sided and come from GSL's
 * distribution functions (Student t, normal, binomial, chi-squared).  Inputs
 * are validated first; a bad input is TUNE_EINVAL with a one-line message
 * naming the argument, and *out is left zeroed. */
#ifndef TUNEFOLD_STATS_H
#define TUNEFOLD_STATS_H

#include <stddef.h>
#include <stdint.h>
#include "tunefold/error.h"
#include "tunefold/metrics.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The result of a paired test of a against b. */
struct tune_test_result {
    double statistic;  /* t; Wilcoxon's T = min(R+, R-); McNemar's chi2 or min(n01, n10) */
    double p_value;    /* two-sided */
    double df;         /* degrees of freedom (t-test, McNemar chi2); NAN otherwise */
    double mean_difference; /* mean of a - b (t-test, Wilcoxon); NAN for McNemar */
    size_t n;          /* pairs that carry information: all (t-test), the
                          non-zero differences (Wilcoxon), the discordant pairs
                          (McNemar) */
    size_t n_a_better; /* pairs where a beats b (a > b; McNemar: a right, b wrong) */
    size_t n_b_better; /* pairs where b beats a */
    int exact;         /* 1 when the p-value is from the exact distribution */
};

/* Corrected resampled t-test (Nadeau & Bengio 2003) on paired scores a[i],
 * b[i] of n >= 2 resamples (folds of a k-fold, possibly repeated):
 *     t = mean(d) / sqrt((1/n + test_train_ratio) * var(d)),  d = a - b,
 * var with n - 1 in the denominator, df = n - 1.  test_train_ratio is
 * n_test / n_train of one resample: 1/(k-1) for k-fold; 0 gives the plain
 * paired t-test, which overstates confidence for overlapping training sets.
 * Constant differences: t = 0, p = 1 when they are all 0; t = +-inf, p = 0
 * otherwise. */
int tune_stat_corrected_ttest(const double *a, const double *b, size_t n,
                              double test_train_ratio, struct tune_test_result *out,
                              struct tune_error *err);

enum tune_wilcoxon_method {
    TUNE_WILCOXON_AUTO = 0,   /* exact when <= 50 pairs, no zero and no tied |d| */
    TUNE_WILCOXON_EXACT = 1,  /* exact distribution; refused with zeros or ties */
    TUNE_WILCOXON_APPROX = 2  /* normal approximation with the tie correction */
};

/* Wilcoxon signed-rank test of the differences a - b: zero differences are
 * dropped (Wilcoxon's method), |d| ranked with mid-ranks for ties, T =
 * min(R+, R-).  No continuity correction (scipy's default).  With every
 * difference zero: T = 0, p = 1. */
int tune_stat_wilcoxon(const double *a, const double *b, size_t n,
                       enum tune_wilcoxon_method method, struct tune_test_result *out,
                       struct tune_error *err);

/* Spearman's rank correlation of n >= 2 pairs (x[i], y[i]): Pearson's
 * correlation of their ranks, mid-ranks for ties (scipy.stats.spearmanr).
 * *rho is in [-1, 1], NAN when x or y is constant. */
int tune_stat_spearman(const double *x, const double *y, size_t n, double *rho,
                       struct tune_error *err);

/* McNemar's test on paired predictions of the same rows: n01 = rows a gets
 * right and b wrong, n10 the reverse.  exact = 1: the binomial test of
 * min(n01, n10) among n01 + n10 at 1/2 (p = min(1, 2 P(X <= min)));
 * exact = 0: chi2 = (|n01 - n10| - 1)^2 / (n01 + n10) with 1 df (Edwards'
 * continuity correction, as R and statsmodels).  No discordant pair: p = 1. */
int tune_stat_mcnemar(const int *truth, const int *pred_a, const int *pred_b, size_t n,
                      int exact, struct tune_test_result *out, struct tune_error *err);

/* A percentile bootstrap interval. */
struct tune_bootstrap_ci {
    double estimate;     /* the statistic on the original rows */
    double low, high;    /* percentiles (1 - confidence)/2 and (1 + confidence)/2 */
    double confidence;
    size_t n_resamples;  /* drawn */
    size_t n_valid;      /* resamples whose statistic was defined (not NAN) */
};

/* A statistic of the rows idx[0..n) (indices into the caller's data, with
 * repeats); NAN when undefined for those rows. */
typedef double (*tune_resample_stat)(const size_t *idx, size_t n, void *arg);

/* Percentile bootstrap (Efron & Tibshirani 1993, ch. 13): n_resamples draws
 * of n rows with replacement from a GSL mt19937 seeded with `seed`; the
 * interval is the linearly interpolated percentiles of the defined
 * resampled statistics (numpy's default percentile).  Resamples whose
 * statistic is NAN (e.g. one class drawn for roc_auc) are left out and
 * counted; with none defined, low = high = NAN.  n >= 1, n_resamples >= 1,
 * 0 < confidence < 1. */
int tune_bootstrap_ci(size_t n, tune_resample_stat stat, void *arg, size_t n_resamples,
                      double confidence, uint64_t seed, struct tune_bootstrap_ci *out,
                      struct tune_error *err);

/* The same for a registered metric of a prediction set: truth and every
 * array of `pred` are resampled together, row by row. */
int tune_bootstrap_metric_ci(const struct tune_metric_def *metric, const double *truth,
                             const struct tune_predictions *pred, size_t n_resamples,
                             double confidence, uint64_t seed, struct tune_bootstrap_ci *out,
                             struct tune_error *err);

#ifdef __cplusplus
}
#endif
#endif
