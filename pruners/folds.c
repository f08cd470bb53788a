/* SPDX-License-Identifier: GPL-3.0-or-later */
/* folds.c — fold-aware pruning: after each fold, compare the trial's scores
 * with the best complete trial's scores on the same folds, and stop it when
 * a paired test says it is very unlikely to beat the best over all folds.
 * It needs no intermediate values, so it prunes every trainer, iterative or
 * not.
 *
 * Why pairs.  Every trial of a study is cross-validated on the same folds
 * with the same trainer seeds per fold (common random numbers), so a fold
 * that is hard for one configuration is hard for the others: the
 * differences d_i = score_i(trial) - score_i(best) on the folds run so far
 * vary far less than the scores themselves, and a few folds tell a hopeless
 * trial from a contender.  The scores are the study's objective, turned so
 * that larger is better, and d_i has `margin` taken off (0 by default): a
 * trial must beat the best by more than margin to be worth finishing.
 *
 * The tests.
 *  - "ttest" (default): the Nadeau & Bengio (2003) corrected resampled
 *    t-test (metrics/stats.c) read as a prediction of the end of the run.
 *    With k of K folds run, mean m and standard deviation s of the d_i, the
 *    trial's mean difference over all K folds is (k m + R) / K, and the
 *    folds still to run sum to R ~ (K - k) mu + noise, mu known to
 *    sd s sqrt(1/k + r) (r = n_test / n_train, their correction for
 *    overlapping training sets).  The chance that the trial ends ahead is
 *        P = T_{k-1}( K m / (s sqrt((K - k) + (K - k)^2 (1/k + r))) ),
 *    Student's t with k - 1 degrees of freedom; the trial stops when
 *    P < p_threshold.  This is the test's statistic scaled by how much of
 *    the run is left (at k = K it would be the plain corrected test); it
 *    asks the question that matters for a search — can this trial still
 *    become the best? — rather than whether it is worse at all, so a trial
 *    far behind after 3 of 10 folds stops although 3 folds alone would not
 *    prove it worse.  Differences all equal: P = 0 when they are negative,
 *    1 when positive, 1/2 when zero.
 *  - "wilcoxon": as Optuna's WilcoxonPruner, the one-sided Wilcoxon
 *    signed-rank test that the trial is worse (zero differences dropped,
 *    Wilcoxon's method; exact below 50 pairs without ties); stop when its
 *    p-value < p_threshold.  Distribution-free but slower to decide: 4
 *    folds all worse give p = 1/16.
 * The guard: nothing stops before min_folds folds (2), nor on the last fold
 * (the trial is then complete), nor while there is no complete trial.
 *
 * Order of the folds ("order": "hardest", the default).  A cross-validation's
 * result does not depend on the order its folds run in, but the test above
 * decides sooner on folds that tell configurations apart.  Those are the
 * folds where the best trial scored worst: a fold it scores perfectly on
 * (an AUC of 1) is one where most configurations tie, and a difference of 0
 * says nothing.  So a trial runs its folds in the order of the best trial's
 * scores, worst first (ties by index), read when the trial starts; the
 * first trial, with no best, runs them in order.  "order": "natural" keeps
 * 0, 1, 2 ...
 *
 * Options: test, p_threshold (0.1), min_folds (2, at least 2), margin (0,
 * in the objective's units), order. */
#include "tunefold/pruner.h"
#include "tunefold/stats.h"
#include "pruners/options.h"

#include <cJSON.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { TEST_TTEST, TEST_WILCOXON };

struct folds_state {
    int test;
    double p_threshold;
    size_t min_folds;
    double margin;
    int natural;        /* 1: folds in index order */
};

static const char *const folds_options[] = {"test", "p_threshold", "min_folds", "margin",
                                            "order", NULL};

static int folds_init(void *state, const struct tune_prune_options *opts,
                      struct tune_error *err)
{
    static const char *const tests[] = {"ttest", "wilcoxon", NULL};
    static const char *const orders[] = {"hardest", "natural", NULL};
    struct folds_state *st = state;
    cJSON *o;
    int rc = tune_prune_options_parse(&tune_pruner_folds, opts->json, &o, err);
    if (rc)
        return rc;
    size_t test = TEST_TTEST, order = 0;
    double p = 0.1, min_folds = 2, margin = 0;
    if ((rc = tune_prune_option_choice(o, "test", tests, &test, err)) ||
        (rc = tune_prune_option_number(o, "p_threshold", 0, 1, 0, &p, NULL, err)) ||
        (rc = tune_prune_option_number(o, "min_folds", 2, 1e9, 1, &min_folds, NULL, err)) ||
        (rc = tune_prune_option_number(o, "margin", 0, INFINITY, 0, &margin, NULL, err)) ||
        (rc = tune_prune_option_choice(o, "order", orders, &order, err))) {
        cJSON_Delete(o);
        return rc;
    }
    cJSON_Delete(o);
    if (opts->n_folds < 3)
        return tune_error_set(err, TUNE_EINVAL,
                              "pruning.strategy: folds compares trials fold by fold and needs "
                              "cross-validation with at least 3 folds (trials here run %zu)",
                              opts->n_folds);
    if ((size_t)min_folds >= opts->n_folds)
        return tune_error_set(err, TUNE_EINVAL,
                              "pruning.min_folds: must be less than the %zu folds a trial runs, "
                              "got %g",
                              opts->n_folds, min_folds);
    st->test = (int)test;
    st->p_threshold = p;
    st->min_folds = (size_t)min_folds;
    st->margin = margin;
    st->natural = order == 1;
    return TUNE_OK;
}

/* The best complete trial's scores on the objective by fold (n_folds of
 * them), larger is better; *number -1 when there is no best to compare with. */
static int best_scores(const struct tune_prune_env *env, size_t n_folds, double *scores,
                       int *number, double *value, struct tune_error *err)
{
    struct tune_trial b;
    *number = -1;
    int rc = tune_store_trial_best(env->store, env->study_id, &b, err);
    if (rc == TUNE_ENOTFOUND)
        return TUNE_OK;
    if (rc)
        return rc;
    for (size_t m = 0; m < b.n_metrics; m++) {
        const struct tune_metric_summary *s = &b.metrics[m];
        if (strcmp(s->name, env->metric) != 0 || s->n_folds != n_folds)
            continue;
        for (size_t f = 0; f < n_folds; f++)
            scores[f] = env->maximize ? s->folds[f] : -s->folds[f];
        *number = b.number;
        *value = b.value;
    }
    tune_trial_release(&b);
    return TUNE_OK;
}

struct keyed {
    double key;
    size_t fold;
};

static int by_key(const void *a, const void *b)
{
    const struct keyed *x = a, *y = b;
    /* undefined scores last, then ascending, then by fold */
    int xn = isnan(x->key), yn = isnan(y->key);
    if (xn != yn)
        return xn - yn;
    if (!xn && x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->fold > y->fold) - (x->fold < y->fold);
}

static int folds_order(void *state, const struct tune_prune_env *env, size_t n_folds,
                       size_t *order, struct tune_error *err)
{
    const struct folds_state *st = state;
    for (size_t f = 0; f < n_folds; f++)
        order[f] = f;
    if (st->natural)
        return TUNE_OK;
    double *scores = malloc((n_folds + 1) * sizeof *scores);
    struct keyed *k = malloc((n_folds + 1) * sizeof *k);
    int number, rc = TUNE_OK;
    double value;
    if (!scores || !k)
        rc = tune_error_set(err, TUNE_ENOMEM, "out of memory for the folds pruner");
    else
        rc = best_scores(env, n_folds, scores, &number, &value, err);
    if (rc == TUNE_OK && number >= 0) {
        for (size_t f = 0; f < n_folds; f++)
            k[f] = (struct keyed){scores[f], f};
        qsort(k, n_folds, sizeof *k, by_key);
        for (size_t f = 0; f < n_folds; f++)
            order[f] = k[f].fold;
    }
    free(scores);
    free(k);
    return rc;
}

static int folds_at_fold(void *state, const struct tune_prune_env *env,
                         const struct tune_prune_trial *t, struct tune_prune_decision *d,
                         struct tune_error *err)
{
    const struct folds_state *st = state;
    size_t K = t->n_folds;
    if (t->n_run < st->min_folds || t->n_run >= K)
        return TUNE_OK;
    double *best = malloc((2 * K + 1) * sizeof *best);
    if (!best)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory for the folds pruner");
    double *a = best + K, value;
    int number;
    int rc = best_scores(env, K, best, &number, &value, err);
    if (rc || number < 0) {
        free(best);
        return rc;
    }
    /* the pairs: this trial against the best, fold by fold, larger better */
    double *b = malloc((t->n_run + 1) * sizeof *b);
    size_t k = 0;
    for (size_t i = 0; b && i < t->n_run; i++) {
        double x = env->maximize ? t->scores[i] : -t->scores[i], y = best[t->folds[i]];
        if (isfinite(x) && isfinite(y)) {
            a[k] = x - st->margin;
            b[k++] = y;
        }
    }
    if (!b) {
        free(best);
        return tune_error_set(err, TUNE_ENOMEM, "out of memory for the folds pruner");
    }
    struct tune_test_result r;
    double p = NAN;
    if (k >= 2 && st->test == TEST_TTEST) {
        rc = tune_stat_corrected_ttest(a, b, k, t->test_train_ratio, &r, err);
        if (rc == TUNE_OK) {
            double rem = (double)(K - k), c = 1.0 / (double)k + t->test_train_ratio;
            if (isinf(r.statistic) || r.statistic == 0) {
                p = r.statistic == 0 ? 0.5 : r.statistic > 0 ? 1.0 : 0.0;
            } else {
                /* t = m / (s sqrt(c)): rescale to K m / (s sqrt(rem + rem^2 c)) */
                double z = r.statistic * sqrt(c) * (double)K / sqrt(rem + rem * rem * c);
                p = gsl_cdf_tdist_P(z, r.df);
            }
        }
    } else if (k >= 2) {
        rc = tune_stat_wilcoxon(a, b, k, TUNE_WILCOXON_AUTO, &r, err);
        if (rc == TUNE_OK) {
            /* one-sided: the trial is worse (differences below zero) */
            if (r.n == 0)
                p = 1;
            else
                p = r.mean_difference < 0 ? r.p_value / 2 : 1 - r.p_value / 2;
        }
    }
    free(b);
    free(best);
    if (rc)
        return rc;
    if (isfinite(p) && p < st->p_threshold) {
        d->stop = 1;
        if (st->test == TEST_TTEST)
            snprintf(d->reason, sizeof d->reason,
                     "after %zu of %zu folds: the chance that it ends ahead of trial %d "
                     "(%s %.6g)%s is %.3g, below %g (corrected t-test)",
                     t->n_run, K, number, env->metric, value,
                     st->margin > 0 ? " by the margin" : "", p, st->p_threshold);
        else
            snprintf(d->reason, sizeof d->reason,
                     "after %zu of %zu folds: worse than trial %d (%s %.6g) on the same "
                     "folds, Wilcoxon p = %.3g below %g",
                     t->n_run, K, number, env->metric, value, p, st->p_threshold);
    }
    return TUNE_OK;
}

const struct tune_pruner_type tune_pruner_folds = {
    .version = TUNE_PRUNER_VERSION,
    .name = "folds",
    .summary = "after each fold, a paired test against the best trial on the same folds; for "
               "every trainer",
    .options = folds_options,
    .state_size = sizeof(struct folds_state),
    .init = folds_init,
    .at_fold = folds_at_fold,
    .fold_order = folds_order,
};
