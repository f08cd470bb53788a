/* SPDX-License-Identifier: GPL-3.0-or-later */
/* pruner.h — the early-stopping plug-in interface: stop hopeless trials.
 *
 * While a trial runs, the study asks its pruner whether to stop it: after
 * every intermediate value the trainer reports (a boosting round's
 * validation loss, an epoch's, an external program's {"step": N, "value": V}
 * line) and after every completed fold.  Like a searcher, a pruner keeps no
 * state that the store does not also hold: it decides from the trial's own
 * values so far (given in the question) and the study's history, which it
 * reads from the store (tune_store_trial_values_at, tune_store_trial_best).
 * So pruning works unchanged with several workers, on resume and across
 * machines.  A trial it stops is stored PRUNED with its intermediate values,
 * where it stopped (pruned_at) and why.
 *
 * Directions.  Intermediate values are compared in the direction
 * env->values_maximize: lower is better for the built-in trainers (they
 * report losses), and for an external program the study's objective
 * direction; a strategy's "direction" option overrides it.  Fold scores
 * (the folds strategy) are the objective's, compared in its direction.
 *
 * Steps and folds.  A trial cross-validated on k folds reports its values
 * per fold; a question about a value is about (fold, step), and other
 * trials are compared with their values in the same fold at the same step
 * (the folds and the trainers' seeds are shared by every trial).  A trial
 * with no folds (an external program in score mode) reports in fold -1.
 * Other trials' value "at step s" is their value at the first step >= s
 * they reported (store.h: trial_values_at), so trials that report every
 * third round still meet at a rung of step 1, and a trial that stopped
 * before s is not there. */
#ifndef TUNEFOLD_PRUNER_H
#define TUNEFOLD_PRUNER_H

#include <stddef.h>
#include <stdint.h>
#include "tunefold/error.h"
#include "tunefold/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The keys of a study file's "pruning" section that config.c reads itself;
 * every other key is one of the strategy's own options. */
#define TUNE_PRUNING_COMMON_KEYS "strategy"

/* What a pruner's init is given. */
struct tune_prune_options {
    /* The study file's "pruning" object without "strategy", as JSON text
     * (borrowed, valid during init); NULL means no options ({}). */
    const char *json;
    /* The folds each trial runs (cv folds x repeats; 1 for a holdout), or 0
     * when trials have no folds (an external program in score mode). */
    size_t n_folds;
};

/* Where a pruner reads the study, and how values compare.  Borrowed. */
struct tune_prune_env {
    struct tune_store *store;
    int64_t study_id;
    const char *metric;       /* the objective metric (the folds strategy's scores) */
    int maximize;             /* the objective's direction */
    int values_maximize;      /* intermediate values: 1 when larger is better, unless the
                                 strategy's "direction" says otherwise */
};

/* The trial a question is about.  Borrowed for the call. */
struct tune_prune_trial {
    int number;
    int seq;                  /* its searcher sequence number (hyperband's bracket) */
    /* at_step: the values the trial reported in `fold` so far, in the order
     * reported; the last one is the value just reported. */
    int fold;                 /* -1: a trial without folds */
    const struct tune_intermediate *values;
    size_t n_values;
    /* at_fold: the folds run so far, in the order run, and the objective on
     * each (the study's metric; NAN where undefined). */
    size_t n_folds;           /* in all */
    size_t n_run;
    const size_t *folds;
    const double *scores;
    double test_train_ratio;  /* validated rows / training rows of a fold
                                 (Nadeau & Bengio's correction) */
};

#define TUNE_PRUNE_REASON_MAX 256

/* A pruner's answer. */
struct tune_prune_decision {
    int stop;                 /* stop the trial now */
    /* at_step: write the trial's values so far to the store now, so that
     * trials running elsewhere compare with them (a rung reached). */
    int publish;
    /* Why, in words, when stopping: stored with the trial ("step 9 (fold 1):
     * 0.41 is worse than the median 0.33 of 7 complete trials"). */
    char reason[TUNE_PRUNE_REASON_MAX];
};

#define TUNE_PRUNER_VERSION 1

struct tune_pruner_type {
    int version;              /* TUNE_PRUNER_VERSION */
    const char *name;
    const char *summary;      /* one line for --help and the README */
    /* The strategy's own keys of the "pruning" section, NULL-terminated (NULL:
     * none), in the order the study's canonical text lists them. */
    const char *const *options;
    /* Bytes of state: options and caches only (anything in it must follow
     * from the options and the store), 0 for none. */
    size_t state_size;
    /* Optional: check the options (each error names "pruning.KEY"; a key not
     * in `options` is refused) and set up `state` (state_size zeroed bytes).
     * When init fails, release (if any) is still called. */
    int (*init)(void *state, const struct tune_prune_options *opts, struct tune_error *err);
    /* Optional (NULL: never asked): after an intermediate value. */
    int (*at_step)(void *state, const struct tune_prune_env *env,
                   const struct tune_prune_trial *t, struct tune_prune_decision *d,
                   struct tune_error *err);
    /* Optional (NULL: never asked): after a completed fold. */
    int (*at_fold)(void *state, const struct tune_prune_env *env,
                   const struct tune_prune_trial *t, struct tune_prune_decision *d,
                   struct tune_error *err);
    /* Optional: the order to run a trial's n_folds folds in (a permutation
     * of 0 .. n_folds-1 into order[]).  A cross-validation's result does not
     * depend on the order; a fold strategy decides sooner on the folds that
     * tell trials apart. */
    int (*fold_order)(void *state, const struct tune_prune_env *env, size_t n_folds,
                      size_t *order, struct tune_error *err);
    /* Optional: free what init allocated (not the state block itself). */
    void (*release)(void *state);
};

/* A pruner with its state: new, ask, free. */
struct tune_pruner;

/* Allocate and init (opts NULL: no options, no folds); free with
 * tune_pruner_free().  Refuses a type older than TUNE_PRUNER_VERSION and
 * any option for a type that declares none. */
int tune_pruner_new(const struct tune_pruner_type *type, const struct tune_prune_options *opts,
                    struct tune_pruner **out, struct tune_error *err);
void tune_pruner_free(struct tune_pruner *p);
const struct tune_pruner_type *tune_pruner_type_of(const struct tune_pruner *p);

/* The questions; a type without the method answers "go on" (d->stop 0).
 * *d is cleared first. */
int tune_pruner_at_step(struct tune_pruner *p, const struct tune_prune_env *env,
                        const struct tune_prune_trial *t, struct tune_prune_decision *d,
                        struct tune_error *err);
int tune_pruner_at_fold(struct tune_pruner *p, const struct tune_prune_env *env,
                        const struct tune_prune_trial *t, struct tune_prune_decision *d,
                        struct tune_error *err);
/* The fold order (0, 1, ... when the type has no preference). */
int tune_pruner_fold_order(struct tune_pruner *p, const struct tune_prune_env *env,
                           size_t n_folds, size_t *order, struct tune_error *err);
/* 1 when the type asks anything at all ("none" does not). */
int tune_pruner_active(const struct tune_pruner *p);

/* NULL if unknown. */
const struct tune_pruner_type *tune_pruner_find(const char *name);
/* The i-th registered pruner, NULL past the end. */
const struct tune_pruner_type *tune_pruner_at(size_t i);

extern const struct tune_pruner_type tune_pruner_none;
extern const struct tune_pruner_type tune_pruner_median;
extern const struct tune_pruner_type tune_pruner_percentile;
extern const struct tune_pruner_type tune_pruner_asha;
extern const struct tune_pruner_type tune_pruner_hyperband;
extern const struct tune_pruner_type tune_pruner_folds;

#ifdef __cplusplus
}
#endif
#endif
