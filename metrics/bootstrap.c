/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bootstrap.c — seeded percentile bootstrap confidence intervals, for any
 * statistic of a set of rows and for any registered metric of a prediction
 * set.
 *
 * Method (Efron & Tibshirani, An Introduction to the Bootstrap, 1993,
 * ch. 13): draw n row indices with replacement, evaluate the statistic on
 * them, repeat; the interval is the (1 - c)/2 and (1 + c)/2 percentiles of
 * the resampled values, linearly interpolated between order statistics
 * (numpy's default percentile, Hyndman & Fan's type 7, which is also GSL's
 * gsl_stats_quantile_from_sorted_data).
 *
 * Invariants: deterministic for a seed (one GSL mt19937, draws in a fixed
 * order); no global state; workspace is sized once per call (indices,
 * values, and for metrics one resampled copy of truth and predictions),
 * never inside the resampling loop. */
#include "tunefold/stats.h"

#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int by_value(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

int tune_bootstrap_ci(size_t n, tune_resample_stat stat, void *arg, size_t n_resamples,
                      double confidence, uint64_t seed, struct tune_bootstrap_ci *out,
                      struct tune_error *err)
{
    memset(out, 0, sizeof *out);
    out->estimate = out->low = out->high = NAN;
    if (!stat)
        return tune_error_set(err, TUNE_EINVAL, "bootstrap: no statistic given");
    if (n == 0)
        return tune_error_set(err, TUNE_EINVAL, "bootstrap: no rows");
    if (n_resamples == 0)
        return tune_error_set(err, TUNE_EINVAL, "bootstrap: needs at least one resample");
    if (!(confidence > 0.0 && confidence < 1.0))
        return tune_error_set(err, TUNE_EINVAL,
                              "bootstrap: confidence must be in (0, 1), got %g", confidence);
    size_t *idx = malloc(n * sizeof *idx);
    double *values = malloc(n_resamples * sizeof *values);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!idx || !values || !rng) {
        free(idx);
        free(values);
        if (rng)
            gsl_rng_free(rng);
        return tune_error_set(err, TUNE_ENOMEM, "bootstrap: out of memory");
    }
    gsl_rng_set(rng, (unsigned long)(seed ^ (seed >> 32)));
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    out->confidence = confidence;
    out->n_resamples = n_resamples;
    out->estimate = stat(idx, n, arg);
    size_t valid = 0;
    for (size_t r = 0; r < n_resamples; r++) {
        for (size_t i = 0; i < n; i++)
            idx[i] = (size_t)gsl_rng_uniform_int(rng, (unsigned long)n);
        double v = stat(idx, n, arg);
        if (!isnan(v))
            values[valid++] = v;
    }
    out->n_valid = valid;
    if (valid > 0) {
        qsort(values, valid, sizeof *values, by_value);
        double alpha = 1.0 - confidence;
        out->low = gsl_stats_quantile_from_sorted_data(values, 1, valid, alpha / 2.0);
        out->high = gsl_stats_quantile_from_sorted_data(values, 1, valid, 1.0 - alpha / 2.0);
    }
    gsl_rng_free(rng);
    free(idx);
    free(values);
    return TUNE_OK;
}

/* The resampled copy a metric is computed on. */
struct metric_resample {
    const struct tune_metric_def *metric;
    const double *truth;
    const struct tune_predictions *pred;
    double *truth_r;
    struct tune_predictions pred_r;
};

static double metric_on_rows(const size_t *idx, size_t n, void *arg)
{
    struct metric_resample *m = arg;
    const struct tune_predictions *p = m->pred;
    struct tune_predictions *q = &m->pred_r;
    size_t k = p->n_classes;
    for (size_t i = 0; i < n; i++) {
        size_t r = idx[i];
        m->truth_r[i] = m->truth[r];
        if (p->label)
            q->label[i] = p->label[r];
        if (p->value)
            q->value[i] = p->value[r];
        if (p->proba)
            memcpy(q->proba + i * k, p->proba + r * k, k * sizeof *q->proba);
    }
    return m->metric->compute(m->truth_r, q);
}

int tune_bootstrap_metric_ci(const struct tune_metric_def *metric, const double *truth,
                             const struct tune_predictions *pred, size_t n_resamples,
                             double confidence, uint64_t seed, struct tune_bootstrap_ci *out,
                             struct tune_error *err)
{
    memset(out, 0, sizeof *out);
    out->estimate = out->low = out->high = NAN;
    if (!metric || !metric->compute)
        return tune_error_set(err, TUNE_EINVAL, "bootstrap: no metric given");
    if (!truth || !pred || pred->n == 0)
        return tune_error_set(err, TUNE_EINVAL, "bootstrap %s: no predictions", metric->name);
    size_t n = pred->n, k = pred->n_classes;
    struct metric_resample m = {.metric = metric, .truth = truth, .pred = pred};
    m.pred_r.n = n;
    m.pred_r.n_classes = k;
    m.truth_r = malloc(n * sizeof *m.truth_r);
    int oom = !m.truth_r;
    if (pred->label)
        oom |= !(m.pred_r.label = malloc(n * sizeof *m.pred_r.label));
    if (pred->value)
        oom |= !(m.pred_r.value = malloc(n * sizeof *m.pred_r.value));
    if (pred->proba)
        oom |= !(m.pred_r.proba = malloc(n * (k ? k : 1) * sizeof *m.pred_r.proba));
    int rc = oom ? tune_error_set(err, TUNE_ENOMEM, "bootstrap %s: out of memory", metric->name)
                 : tune_bootstrap_ci(n, metric_on_rows, &m, n_resamples, confidence, seed, out,
                                     err);
    free(m.truth_r);
    tune_predictions_release(&m.pred_r);
    if (rc && !oom)
        tune_error_prefix(err, "%s", metric->name);
    return rc;
}
