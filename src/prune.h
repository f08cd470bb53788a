/* SPDX-License-Identifier: GPL-3.0-or-later */
/* prune.h — one trial's conversation with the study's pruner, internal to
 * the library (src/prune.c): the study sets it up when a search trial
 * starts, the trainer's report callback and the cross-validation loop
 * (src/crossval.c) ask through it, and the study reads the outcome when the
 * trial ends.  The pruner itself is include/tunefold/pruner.h. */
#ifndef TUNEFOLD_SRC_PRUNE_H
#define TUNEFOLD_SRC_PRUNE_H

#include <stddef.h>
#include <stdint.h>
#include "tunefold/pruner.h"
#include "src/crossval.h"

struct tune_prune_run {
    struct tune_pruner *pruner;       /* borrowed */
    struct tune_prune_env env;        /* borrowed pointers, for the trial */
    int number, seq;
    struct tune_trial_log *log;       /* the trial's values (borrowed): the report
                                         callback adds to it, then asks */
    size_t fold_start;                /* where the current fold's values start in log */
    int fold;                         /* the fold of log->v[fold_start], or INT_MIN */
    size_t published;                 /* log entries already written to the store */
    /* after each fold: the folds run, in order, with the objective on each */
    size_t n_folds, n_run;
    size_t *folds_run;
    double *scores;
    double test_train_ratio;
    /* the outcome */
    int pruned;
    int64_t pruned_at;                /* the step, or the folds run */
    int by_step;                      /* stopped at a step (not after a fold): */
    int stop_fold;                    /* in this fold, */
    double stop_value;                /* at this value */
    char reason[TUNE_PRUNE_REASON_MAX];
    /* A question that failed (the store): no more questions for this trial,
     * which runs on; the study returns the error once the trial is stored. */
    int failed;
    struct tune_error err;
};

/* Set up `r` for trial (number, seq) of a study whose trials run n_folds
 * folds (0: none).  `pruner` and `log` are borrowed, env is copied.
 * Release with tune_prune_run_release. */
int tune_prune_run_init(struct tune_prune_run *r, struct tune_pruner *pruner,
                        const struct tune_prune_env *env, int number, int seq,
                        struct tune_trial_log *log, size_t n_folds, struct tune_error *err);
void tune_prune_run_release(struct tune_prune_run *r);

/* The report callback of struct tune_fit_ctx (arg: the run): the value goes
 * to the log, then the pruner is asked; non-zero asks the trainer to stop
 * (and every call after that answers the same). */
int tune_prune_report(void *arg, size_t step, double value);

/* The order to run the folds in (order[0 .. n_folds)). */
int tune_prune_fold_order(struct tune_prune_run *r, size_t *order, struct tune_error *err);

/* A fold ran in full with objective `score` (its validation rows / training
 * rows ratio `ratio`): ask the pruner; returns 1 when the trial stops here. */
int tune_prune_fold_done(struct tune_prune_run *r, size_t fold, double score, double ratio);

#endif
