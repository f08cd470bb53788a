/* SPDX-License-Identifier: GPL-3.0-or-later */
/* stats.c — paired tests for comparing two models: the corrected resampled
 * t-test, the Wilcoxon signed-rank test and McNemar's test.
 *
 * Invariants: pure functions (no state, no I/O); every input is validated
 * before any work, a bad one is TUNE_EINVAL naming the argument with *out
 * zeroed; p-values are two-sided, from GSL's cdf functions, clipped to
 * [0, 1].  Scratch space is one or two arrays of n per call. */
#include "tunefold/stats.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void result_init(struct tune_test_result *out)
{
    memset(out, 0, sizeof *out);
    out->statistic = out->p_value = out->df = out->mean_difference = NAN;
}

static int check_pairs(const char *test, const double *a, const double *b, size_t n,
                       size_t min_n, struct tune_error *err)
{
    if (!a || !b)
        return tune_error_set(err, TUNE_EINVAL, "%s: no scores given", test);
    if (n < min_n)
        return tune_error_set(err, TUNE_EINVAL, "%s: needs at least %zu pairs, got %zu", test,
                              min_n, n);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(a[i]) || !isfinite(b[i]))
            return tune_error_set(err, TUNE_EINVAL,
                                  "%s: pair %zu is not finite (a = %g, b = %g)", test, i + 1,
                                  a[i], b[i]);
    return TUNE_OK;
}

static double clip01(double p)
{
    return p < 0.0 ? 0.0 : p > 1.0 ? 1.0 : p;
}

/* Nadeau & Bengio, "Inference for the Generalization Error", Machine
 * Learning 52 (2003), section 5.1: the k resample differences are
 * correlated through their overlapping training sets, and the naive variance
 * estimate var/n is replaced by (1/n + n_test/n_train) var.  The statistic
 * is referred to Student's t with n - 1 degrees of freedom, as in their
 * paper and in Bouckaert & Frank (2004). */
int tune_stat_corrected_ttest(const double *a, const double *b, size_t n,
                              double test_train_ratio, struct tune_test_result *out,
                              struct tune_error *err)
{
    result_init(out);
    int rc = check_pairs("corrected t-test", a, b, n, 2, err);
    if (rc)
        return rc;
    if (!(test_train_ratio >= 0.0) || isinf(test_train_ratio))
        return tune_error_set(err, TUNE_EINVAL,
                              "corrected t-test: test_train_ratio must be finite and >= 0, "
                              "got %g",
                              test_train_ratio);
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = a[i] - b[i];
        sum += d;
        out->n_a_better += d > 0.0;
        out->n_b_better += d < 0.0;
    }
    double mean = sum / (double)n, ss = 0.0;
    int constant = 1;
    for (size_t i = 0; i < n; i++) {
        double d = a[i] - b[i];
        ss += (d - mean) * (d - mean);
        constant = constant && d == a[0] - b[0];
    }
    double var = ss / (double)(n - 1);
    out->n = n;
    out->df = (double)(n - 1);
    out->mean_difference = mean;
    /* Equal differences: no variance, whatever the rounding of the mean. */
    if (constant || var == 0.0) {
        double d0 = a[0] - b[0];
        out->statistic = d0 == 0.0 ? 0.0 : d0 > 0.0 ? INFINITY : -INFINITY;
        out->p_value = d0 == 0.0 ? 1.0 : 0.0;
        return TUNE_OK;
    }
    out->statistic = mean / sqrt((1.0 / (double)n + test_train_ratio) * var);
    out->p_value = clip01(2.0 * gsl_cdf_tdist_Q(fabs(out->statistic), out->df));
    return TUNE_OK;
}

/* |d| with its row, for ranking. */
struct abs_diff {
    double mag;
    int positive;
};

static int by_magnitude(const void *x, const void *y)
{
    double a = ((const struct abs_diff *)x)->mag, b = ((const struct abs_diff *)y)->mag;
    return (a > b) - (a < b);
}

/* A value with its row, for ranking. */
struct ranked_value {
    double v;
    size_t row;
};

static int by_value(const void *x, const void *y)
{
    const struct ranked_value *a = x, *b = y;
    if (a->v != b->v)
        return a->v < b->v ? -1 : 1;
    return (a->row > b->row) - (a->row < b->row);
}

/* r[i] = the rank of v[i] among v[0..n) from 1, mid-ranks for ties; tmp
 * holds n entries. */
static void mid_ranks(const double *v, size_t n, struct ranked_value *tmp, double *r)
{
    for (size_t i = 0; i < n; i++)
        tmp[i] = (struct ranked_value){v[i], i};
    qsort(tmp, n, sizeof *tmp, by_value);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && tmp[j].v == tmp[i].v)
            j++;
        for (size_t q = i; q < j; q++)
            r[tmp[q].row] = (double)(i + 1 + j) / 2.0;
        i = j;
    }
}

int tune_stat_spearman(const double *x, const double *y, size_t n, double *rho,
                       struct tune_error *err)
{
    *rho = NAN;
    int rc = check_pairs("spearman", x, y, n, 2, err);
    if (rc)
        return rc;
    struct ranked_value *tmp = malloc(n * sizeof *tmp);
    double *rx = malloc(2 * n * sizeof *rx);
    if (!tmp || !rx) {
        free(tmp);
        free(rx);
        return tune_error_set(err, TUNE_ENOMEM, "spearman: out of memory for %zu pairs", n);
    }
    double *ry = rx + n;
    mid_ranks(x, n, tmp, rx);
    mid_ranks(y, n, tmp, ry);
    free(tmp);
    /* the ranks' mean is (n + 1) / 2 exactly, ties or not */
    double mean = (double)(n + 1) / 2.0, sxy = 0, sxx = 0, syy = 0;
    for (size_t i = 0; i < n; i++) {
        double dx = rx[i] - mean, dy = ry[i] - mean;
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    free(rx);
    if (sxx > 0 && syy > 0) {
        double r = sxy / sqrt(sxx * syy);
        *rho = r > 1 ? 1 : r < -1 ? -1 : r;
    }
    return TUNE_OK;
}

/* P(R+ = r) for r = 0..m(m+1)/2 under the null, for m untied non-zero
 * differences: each rank joins R+ with probability 1/2 independently, so
 * the distribution is the convolution built one rank at a time (the
 * recursion scipy's _get_wilcoxon_distr uses; every value is a count times
 * 2^-m, exact in a double).  Caller frees. */
static double *wilcoxon_pmf(size_t m)
{
    size_t top = m * (m + 1) / 2;
    double *c = calloc(top + 1, sizeof *c), *prev = calloc(top + 1, sizeof *prev);
    if (!c || !prev) {
        free(c);
        free(prev);
        return NULL;
    }
    c[0] = 1.0;
    size_t len = 1;
    for (size_t k = 1; k <= m; k++) {
        memcpy(prev, c, len * sizeof *c);
        size_t next = k * (k + 1) / 2 + 1;
        for (size_t r = 0; r < next; r++)
            c[r] = 0.0;
        for (size_t r = 0; r < len; r++) {
            c[r] += prev[r] * 0.5;
            c[r + k] += prev[r] * 0.5;
        }
        len = next;
    }
    free(prev);
    return c;
}

/* Wilcoxon (1945); the normal approximation with the tie correction of the
 * variance, n(n+1)(2n+1)/24 - sum(t^3 - t)/48 over groups of t tied |d|
 * (Lehmann, Nonparametrics, 1975, p. 130), as scipy.stats.wilcoxon. */
int tune_stat_wilcoxon(const double *a, const double *b, size_t n,
                       enum tune_wilcoxon_method method, struct tune_test_result *out,
                       struct tune_error *err)
{
    result_init(out);
    int rc = check_pairs("wilcoxon", a, b, n, 1, err);
    if (rc)
        return rc;
    if (method != TUNE_WILCOXON_AUTO && method != TUNE_WILCOXON_EXACT &&
        method != TUNE_WILCOXON_APPROX)
        return tune_error_set(err, TUNE_EINVAL, "wilcoxon: unknown method %d", (int)method);
    struct abs_diff *d = malloc(n * sizeof *d);
    if (!d)
        return tune_error_set(err, TUNE_ENOMEM, "wilcoxon: out of memory for %zu pairs", n);
    size_t m = 0;
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        double v = a[i] - b[i];
        sum += v;
        if (v != 0.0) {
            d[m].mag = fabs(v);
            d[m].positive = v > 0.0;
            out->n_a_better += v > 0.0;
            out->n_b_better += v < 0.0;
            m++;
        }
    }
    out->mean_difference = sum / (double)n;
    out->n = m;
    size_t zeros = n - m;
    if (m == 0) {
        free(d);
        out->statistic = 0.0;
        out->p_value = 1.0;
        out->exact = method != TUNE_WILCOXON_APPROX;
        return TUNE_OK;
    }
    qsort(d, m, sizeof *d, by_magnitude);
    double r_plus = 0.0, r_minus = 0.0, tie_term = 0.0;
    int ties = 0;
    for (size_t i = 0; i < m;) {
        size_t j = i;
        while (j < m && d[j].mag == d[i].mag)
            j++;
        double t = (double)(j - i), rank = (double)(i + 1 + j) / 2.0; /* mid-rank */
        for (size_t q = i; q < j; q++) {
            if (d[q].positive)
                r_plus += rank;
            else
                r_minus += rank;
        }
        if (j - i > 1) {
            ties = 1;
            tie_term += t * (t * t - 1.0);
        }
        i = j;
    }
    free(d);
    out->statistic = r_plus < r_minus ? r_plus : r_minus;
    int exact = method == TUNE_WILCOXON_EXACT ||
                (method == TUNE_WILCOXON_AUTO && m <= 50 && !zeros && !ties);
    if (exact && (zeros || ties))
        return tune_error_set(err, TUNE_EINVAL,
                              "wilcoxon: the exact distribution needs no zero and no tied "
                              "difference (%zu zeros, %s); use the normal approximation",
                              zeros, ties ? "ties" : "no ties");
    if (exact && m > 1000)
        return tune_error_set(err, TUNE_EINVAL,
                              "wilcoxon: exact distribution of %zu differences is too "
                              "large; use the normal approximation",
                              m);
    double mm = (double)m;
    if (exact) {
        double *pmf = wilcoxon_pmf(m);
        if (!pmf)
            return tune_error_set(err, TUNE_ENOMEM, "wilcoxon: out of memory");
        size_t top = m * (m + 1) / 2, r = (size_t)r_plus;
        if (2 * r == top) {
            out->p_value = 1.0; /* the centre of the distribution */
        } else {
            double lower = 0.0, upper = 0.0;
            for (size_t q = 0; q <= r; q++)
                lower += pmf[q];
            for (size_t q = r; q <= top; q++)
                upper += pmf[q];
            out->p_value = clip01(2.0 * (lower < upper ? lower : upper));
        }
        free(pmf);
        out->exact = 1;
        return TUNE_OK;
    }
    double mean = mm * (mm + 1.0) * 0.25;
    double var = mm * (mm + 1.0) * (2.0 * mm + 1.0) - 0.5 * tie_term;
    double se = sqrt(var / 24.0);
    if (se == 0.0) {
        out->p_value = 1.0;
        return TUNE_OK;
    }
    double z = (out->statistic - mean) / se;
    out->p_value = clip01(2.0 * gsl_cdf_ugaussian_Q(fabs(z)));
    return TUNE_OK;
}

/* McNemar (1947), "Note on the sampling error of the difference between
 * correlated proportions or percentages", Psychometrika 12.  Only the
 * discordant pairs carry information; under the null each is equally likely
 * to favour either model. */
int tune_stat_mcnemar(const int *truth, const int *pred_a, const int *pred_b, size_t n,
                      int exact, struct tune_test_result *out, struct tune_error *err)
{
    result_init(out);
    if (!truth || !pred_a || !pred_b)
        return tune_error_set(err, TUNE_EINVAL, "mcnemar: no predictions given");
    if (n == 0)
        return tune_error_set(err, TUNE_EINVAL, "mcnemar: no rows");
    size_t n01 = 0, n10 = 0;
    for (size_t i = 0; i < n; i++) {
        int ra = pred_a[i] == truth[i], rb = pred_b[i] == truth[i];
        n01 += ra && !rb;
        n10 += rb && !ra;
    }
    out->n = n01 + n10;
    out->n_a_better = n01;
    out->n_b_better = n10;
    out->exact = exact != 0;
    double lo = (double)(n01 < n10 ? n01 : n10), total = (double)(n01 + n10);
    if (exact) {
        out->statistic = lo;
        out->p_value = out->n == 0 ? 1.0
                                   : clip01(2.0 * gsl_cdf_binomial_P((unsigned)lo, 0.5,
                                                                     (unsigned)out->n));
        return TUNE_OK;
    }
    out->df = 1.0;
    if (out->n == 0) {
        out->statistic = 0.0;
        out->p_value = 1.0;
        return TUNE_OK;
    }
    double diff = fabs((double)n01 - (double)n10) - 1.0;
    out->statistic = diff * diff / total;
    out->p_value = clip01(gsl_cdf_chisq_Q(out->statistic, 1.0));
    return TUNE_OK;
}
