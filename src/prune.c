/* SPDX-License-Identifier: GPL-3.0-or-later */
/* prune.c — one trial's questions to the pruner (see prune.h).
 *
 * Every intermediate value a trainer reports lands in the trial's log (all
 * written to the store with the trial's result), then the pruner is asked
 * about it with the values of the current fold so far.  When the pruner
 * promotes a trial past a rung it asks for the values to be published: the
 * log entries not yet written go to the store at once
 * (trial_add_intermediate), so trials running in other workers compare
 * with them.  A "stop" is remembered: the report callback answers non-zero
 * from then on, which makes a built-in trainer return its model as it is
 * and an external program be stopped (SIGTERM, then SIGKILL after its
 * grace); the cross-validation loop then stops (src/crossval.c) and the
 * study stores the trial PRUNED.
 *
 * A question that fails (a store error) is not a reason to stop a trial
 * that may be good: the trial runs on without further questions, and the
 * error is handed back once the trial is stored. */
#include "src/prune.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

int tune_prune_run_init(struct tune_prune_run *r, struct tune_pruner *pruner,
                        const struct tune_prune_env *env, int number, int seq,
                        struct tune_trial_log *log, size_t n_folds, struct tune_error *err)
{
    memset(r, 0, sizeof *r);
    r->pruner = pruner;
    r->env = *env;
    r->number = number;
    r->seq = seq;
    r->log = log;
    r->fold = INT_MIN;
    r->pruned_at = -1;
    r->n_folds = n_folds;
    if (n_folds) {
        r->folds_run = malloc(n_folds * sizeof *r->folds_run);
        r->scores = malloc(n_folds * sizeof *r->scores);
        if (!r->folds_run || !r->scores) {
            tune_prune_run_release(r);
            return tune_error_set(err, TUNE_ENOMEM, "out of memory for pruning");
        }
    }
    return TUNE_OK;
}

void tune_prune_run_release(struct tune_prune_run *r)
{
    if (!r)
        return;
    free(r->folds_run);
    free(r->scores);
    r->folds_run = NULL;
    r->scores = NULL;
}

static void question_failed(struct tune_prune_run *r, const struct tune_error *e)
{
    r->failed = 1;
    r->err = *e;
    tune_error_prefix(&r->err, "pruning trial %d", r->number);
}

int tune_prune_report(void *arg, size_t step, double value)
{
    struct tune_prune_run *r = arg;
    struct tune_trial_log *log = r->log;
    size_t before = log->n;
    tune_trial_log_report(log, step, value);
    if (r->pruned)
        return 1;
    if (log->n == before || r->failed) /* no room to keep it, or no more questions */
        return 0;
    if (log->fold != r->fold) {
        r->fold = log->fold;
        r->fold_start = log->n - 1;
    }
    struct tune_prune_trial t = {.number = r->number,
                                 .seq = r->seq,
                                 .fold = log->fold,
                                 .values = log->v + r->fold_start,
                                 .n_values = log->n - r->fold_start,
                                 .n_folds = r->n_folds};
    struct tune_prune_decision d;
    struct tune_error e = {0};
    if (tune_pruner_at_step(r->pruner, &r->env, &t, &d, &e)) {
        question_failed(r, &e);
        return 0;
    }
    if (d.stop) {
        r->pruned = 1;
        r->by_step = 1;
        r->stop_fold = log->fold;
        r->stop_value = value;
        r->pruned_at = (int64_t)step;
        memcpy(r->reason, d.reason, sizeof r->reason);
        return 1;
    }
    if (d.publish && log->n > r->published) {
        if (tune_store_trial_add_intermediate(r->env.store, r->env.study_id, r->number,
                                              log->v + r->published, log->n - r->published,
                                              &e)) {
            question_failed(r, &e);
            return 0;
        }
        r->published = log->n;
    }
    return 0;
}

int tune_prune_fold_order(struct tune_prune_run *r, size_t *order, struct tune_error *err)
{
    return tune_pruner_fold_order(r->pruner, &r->env, r->n_folds, order, err);
}

int tune_prune_fold_done(struct tune_prune_run *r, size_t fold, double score, double ratio)
{
    if (r->pruned)
        return 1;
    if (r->n_run >= r->n_folds)
        return 0;
    r->folds_run[r->n_run] = fold;
    r->scores[r->n_run] = score;
    r->n_run++;
    if (r->n_run == 1)
        r->test_train_ratio = ratio;
    if (r->failed)
        return 0;
    struct tune_prune_trial t = {.number = r->number,
                                 .seq = r->seq,
                                 .fold = (int)fold,
                                 .n_folds = r->n_folds,
                                 .n_run = r->n_run,
                                 .folds = r->folds_run,
                                 .scores = r->scores,
                                 .test_train_ratio = r->test_train_ratio};
    struct tune_prune_decision d;
    struct tune_error e = {0};
    if (tune_pruner_at_fold(r->pruner, &r->env, &t, &d, &e)) {
        question_failed(r, &e);
        return 0;
    }
    if (d.stop) {
        r->pruned = 1;
        r->pruned_at = (int64_t)r->n_run;
        memcpy(r->reason, d.reason, sizeof r->reason);
        return 1;
    }
    return 0;
}
