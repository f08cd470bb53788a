/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rules.c — the decision rules of the step strategies (see rules.h).
 *
 * The percentile rule (median, percentile; Optuna's PercentilePruner and
 * MedianPruner).  At a step s of fold f, the trial's best value so far in
 * that fold is compared with the p-th percentile of the values the COMPLETE
 * trials had at s in f (the lower p% of them for a loss, the upper p% when
 * larger is better); worse than that percentile, the trial stops.  Nothing
 * stops before `warmup_steps`, nor while fewer than `startup_trials`
 * complete trials have a value at s; with `interval_steps` n, the rule is
 * applied at the first report of each window of n steps past the warm-up.
 * A trial whose values so far are all non-finite stops at once.  The
 * percentile interpolates linearly between order statistics, as numpy's
 * does, so a median of 0.2, 0.3, 0.5, 0.9 is 0.4.
 *
 * Successive halving (asha, hyperband), as ASHA (Li et al., "A System for
 * Massively Parallel Hyperparameter Tuning", MLSys 2020) and Optuna's
 * SuccessiveHalvingPruner decide it.  Rungs stand at steps
 * min_steps * eta^(rate + k), k = 0, 1, ..., below max_steps (a trial that
 * reaches max_steps has run in full).  The first time a trial reports at or
 * past a rung (in a fold), its value there competes with the values the
 * other trials had at that rung — complete, pruned, failed or still running
 * elsewhere (a running trial writes its values at each rung it passes, see
 * `publish`), lost ones apart — and it goes on only when it is among the
 * best floor(n / eta) of the n competitors, itself included (the best one
 * while fewer than eta compete).  No trial waits for a rung to fill: the
 * decision uses whatever the rung holds now, so early trials are promoted
 * generously and later ones face a fuller rung, which is ASHA's bargain for
 * keeping every worker busy.  A report that jumps past several rungs is
 * judged at each in turn with its one value.
 *
 * Both read the store once per question (trial_values_at, one indexed
 * read); the values of the trial itself come from the question. */
#include "pruners/rules.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RUNG_MAX 1e15      /* no step is this far: rungs beyond are never reached */

int tune_prune_larger_is_better(const struct tune_prune_env *env, int direction)
{
    return direction >= 0 ? direction : env->values_maximize != 0;
}

void tune_prune_where(char *buf, size_t len, size_t step, int fold)
{
    if (fold < 0)
        snprintf(buf, len, "step %zu", step);
    else
        snprintf(buf, len, "step %zu of fold %d", step, fold + 1);
}

int tune_prune_others_at(const struct tune_prune_env *env, int self, int fold, size_t step,
                         tune_prune_keep_fn keep, void *arg, double **values, size_t *n,
                         struct tune_error *err)
{
    struct tune_step_value *rows = NULL;
    size_t nr = 0;
    *values = NULL;
    *n = 0;
    int rc = tune_store_trial_values_at(env->store, env->study_id, fold, step, &rows, &nr, err);
    if (rc)
        return rc;
    double *v = malloc((nr + 1) * sizeof *v);
    if (!v) {
        free(rows);
        return tune_error_set(err, TUNE_ENOMEM, "out of memory for the pruner");
    }
    size_t m = 0;
    for (size_t i = 0; i < nr; i++)
        if (rows[i].number != self && !rows[i].lost && isfinite(rows[i].value) &&
            (!keep || keep(&rows[i], arg)))
            v[m++] = rows[i].value;
    free(rows);
    *values = v;
    *n = m;
    return TUNE_OK;
}

static int ascending(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double tune_prune_percentile(double *v, size_t n, double q)
{
    qsort(v, n, sizeof *v, ascending);
    double pos = q / 100.0 * (double)(n - 1);
    size_t lo = (size_t)floor(pos);
    if (lo + 1 >= n)
        return v[n - 1];
    double w = pos - (double)lo;
    return v[lo] + w * (v[lo + 1] - v[lo]);
}

static int complete_only(const struct tune_step_value *v, void *arg)
{
    (void)arg;
    return v->state == TUNE_TRIAL_COMPLETE;
}

int tune_prune_percentile_rule(const struct tune_percentile_rule *r,
                               const struct tune_prune_env *env,
                               const struct tune_prune_trial *t, struct tune_prune_decision *d,
                               struct tune_error *err)
{
    if (t->n_values == 0)
        return TUNE_OK;
    size_t step = t->values[t->n_values - 1].step;
    if (step < r->warmup_steps)
        return TUNE_OK;
    /* the first report of its interval window past the warm-up */
    size_t window = (step - r->warmup_steps) / r->interval_steps * r->interval_steps +
                    r->warmup_steps;
    if (t->n_values >= 2 && t->values[t->n_values - 2].step >= window)
        return TUNE_OK;
    int larger = tune_prune_larger_is_better(env, r->direction);
    double best = NAN;
    for (size_t i = 0; i < t->n_values; i++) {
        double v = t->values[i].value;
        if (isfinite(v) && (isnan(best) || (larger ? v > best : v < best)))
            best = v;
    }
    char where[64];
    tune_prune_where(where, sizeof where, step, t->fold);
    if (isnan(best)) {
        d->stop = 1;
        snprintf(d->reason, sizeof d->reason, "%s: no finite value so far", where);
        return TUNE_OK;
    }
    double *v;
    size_t n;
    int rc = tune_prune_others_at(env, t->number, t->fold, step, complete_only, NULL, &v, &n, err);
    if (rc)
        return rc;
    if (n > 0 && n >= r->startup_trials) {
        double q = tune_prune_percentile(v, n, larger ? 100.0 - r->percentile : r->percentile);
        if (larger ? best < q : best > q) {
            d->stop = 1;
            if (r->percentile == 50)
                snprintf(d->reason, sizeof d->reason,
                         "%s: the best value so far, %.6g, is worse than the median %.6g of the "
                         "%zu complete trials there",
                         where, best, q, n);
            else
                snprintf(d->reason, sizeof d->reason,
                         "%s: the best value so far, %.6g, is worse than %.6g, the cut of the "
                         "best %g%% of the %zu complete trials there",
                         where, best, q, r->percentile, n);
        }
    }
    free(v);
    return TUNE_OK;
}

int tune_prune_halving_rule(const struct tune_halving_rule *r, const struct tune_prune_env *env,
                            const struct tune_prune_trial *t, struct tune_prune_decision *d,
                            struct tune_error *err)
{
    if (t->n_values == 0)
        return TUNE_OK;
    const struct tune_intermediate *cur = &t->values[t->n_values - 1];
    int has_prev = t->n_values >= 2;
    size_t prev = has_prev ? t->values[t->n_values - 2].step : 0;
    int larger = tune_prune_larger_is_better(env, r->direction);
    /* Rung k at min_steps * eta^k, rounded up to a step (exact for an
     * integer eta; 2 and 3.5 give 2, 7, 25, 86 ...). */
    double at = (double)r->min_steps;
    for (size_t k = 0; k < r->rate; k++)
        at *= r->reduction;
    for (; at < RUNG_MAX; at *= r->reduction) {
        size_t rung = (size_t)ceil(at);
        if (rung > cur->step || (r->max_steps && rung >= r->max_steps))
            break;
        if (!has_prev || rung > prev) {
            char where[64];
            tune_prune_where(where, sizeof where, cur->step, t->fold);
            if (!isfinite(cur->value)) {
                d->stop = 1;
                snprintf(d->reason, sizeof d->reason, "rung %zu (%s): the value is not finite",
                         rung, where);
                return TUNE_OK;
            }
            double *v;
            size_t n;
            int rc = tune_prune_others_at(env, t->number, t->fold, rung, r->keep, r->keep_arg,
                                          &v, &n, err);
            if (rc)
                return rc;
            v[n++] = cur->value; /* the trial competes too */
            size_t idx = (size_t)floor((double)n / r->reduction);
            idx = idx ? idx - 1 : 0;
            /* the idx-th best: ascending for a loss, else from the top */
            qsort(v, n, sizeof *v, ascending);
            double cut = larger ? v[n - 1 - idx] : v[idx];
            free(v);
            if (larger ? cur->value < cut : cur->value > cut) {
                d->stop = 1;
                snprintf(d->reason, sizeof d->reason,
                         "rung %zu (%s)%s%s: %.6g is not among the best %zu of the %zu trials "
                         "there (1/%g of them; the cut: %.6g)",
                         rung, where, r->group ? ", " : "", r->group ? r->group : "",
                         cur->value, idx + 1, n, r->reduction, cut);
                return TUNE_OK;
            }
            d->publish = 1; /* promoted: the rung's value is there for the others */
        }
    }
    return TUNE_OK;
}
