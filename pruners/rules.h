/* SPDX-License-Identifier: GPL-3.0-or-later */
/* rules.h — the decision rules the step strategies share (internal to
 * pruners/): the percentile rule (median, percentile) and successive
 * halving (asha, hyperband), each reading the study through the store.
 * rules.c explains each rule and the paper it follows. */
#ifndef TUNEFOLD_PRUNE_RULES_H
#define TUNEFOLD_PRUNE_RULES_H

#include <stddef.h>
#include "tunefold/pruner.h"

/* Whether larger intermediate values are better: `direction` (-1: the
 * environment's default, 0 minimize, 1 maximize). */
int tune_prune_larger_is_better(const struct tune_prune_env *env, int direction);

/* A filter of other trials' rows; NULL keeps every one. */
typedef int (*tune_prune_keep_fn)(const struct tune_step_value *v, void *arg);

/* The finite values of the trials other than `self` at (fold, step), not
 * lost, that `keep` accepts (NULL: all), into *values (malloc'ed, caller
 * frees; n may be 0). */
int tune_prune_others_at(const struct tune_prune_env *env, int self, int fold, size_t step,
                         tune_prune_keep_fn keep, void *arg, double **values, size_t *n,
                         struct tune_error *err);

/* The q-th percentile (0..100) of v[0..n), n >= 1, by linear interpolation
 * between order statistics (numpy's default): v is sorted in place. */
double tune_prune_percentile(double *v, size_t n, double q);

/* The percentile rule: see rules.c. */
struct tune_percentile_rule {
    double percentile;        /* 50 for the median */
    size_t startup_trials;    /* complete trials with a value at the step before any stop */
    size_t warmup_steps;      /* no stop before this step */
    size_t interval_steps;    /* ask at most once per this many steps (>= 1) */
    int direction;            /* -1: the environment's */
};
/* Read the options of median (with_percentile 0: the median) or percentile
 * (percentile.c) into *r. */
int tune_prune_percentile_init(struct tune_percentile_rule *r, const struct tune_pruner_type *type,
                               const struct tune_prune_options *opts, int with_percentile,
                               struct tune_error *err);
int tune_prune_percentile_rule(const struct tune_percentile_rule *r,
                               const struct tune_prune_env *env,
                               const struct tune_prune_trial *t, struct tune_prune_decision *d,
                               struct tune_error *err);

/* Successive halving: see rules.c. */
struct tune_halving_rule {
    size_t min_steps;         /* the first rung's step (>= 1) */
    double reduction;         /* eta (>= 2, any real): the top 1/eta of a rung go on */
    size_t max_steps;         /* a full run's steps (no rung at or past it); 0: none */
    size_t rate;              /* rungs at min_steps * eta^(rate + k) (hyperband's brackets) */
    int direction;            /* -1: the environment's */
    tune_prune_keep_fn keep;  /* the trials that compete (hyperband: the same bracket) */
    void *keep_arg;
    const char *group;        /* words for the reason ("bracket 2"), or NULL */
};
int tune_prune_halving_rule(const struct tune_halving_rule *r, const struct tune_prune_env *env,
                            const struct tune_prune_trial *t, struct tune_prune_decision *d,
                            struct tune_error *err);

/* Where a value is, for reasons: "step 9" or "step 9 of fold 2". */
void tune_prune_where(char *buf, size_t len, size_t step, int fold);

#endif
