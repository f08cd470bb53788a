/* SPDX-License-Identifier: GPL-3.0-or-later */
/* study.h — the study loop: ask the searcher, cross-validate, tell the store.
 *
 * tune_study_open once, then either tune_study_run, which works the study
 * until it stops (budget met, space exhausted, too many failures in a row,
 * cancelled) with the whole-study policy of every worker — recovering the
 * trials of dead workers, waiting for other workers' running trials before
 * calling the budget met — or tune_study_step for one trial at a time
 * (initialize, iterate, test: the caller then owns that policy).  The
 * library prints nothing: progress reaches the caller through a callback. */
#ifndef TUNEFOLD_STUDY_H
#define TUNEFOLD_STUDY_H

#include <stddef.h>
#include <signal.h>
#include <stdint.h>
#include "tunefold/error.h"
#include "tunefold/config.h"
#include "tunefold/store.h"
#include "tunefold/trainer.h"
#include "tunefold/metrics.h"
#include "tunefold/watch.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- one configuration, cross-validated ---------------------------------- */

struct tune_cv_result {
    size_t n_folds;
    size_t n_metrics;
    struct tune_metric_summary *metrics;  /* every metric that fits the task */
    double fit_seconds, predict_seconds;  /* mean per fold */
    struct tune_predictions oof;          /* out-of-fold predictions, one per row
                                             (the last repeat's when repeated) */
    int *oof_fold;                        /* fold of each row in oof */
    size_t n_folds_run;                   /* folds run in full: n_folds unless the
                                             trial was pruned part-way */
};

void tune_cv_result_release(struct tune_cv_result *r);

/* Cross-validate `trainer` with resolved `params` over `splits`, fitting the
 * preprocessing on each training fold only.  The fold seed is derived from
 * `seed` and the fold index.  Fills *out (release with
 * tune_cv_result_release).  A trainer failure is TUNE_ETRAINER with the
 * trainer's message, prefixed by the fold. */
int tune_cross_validate(const struct tune_dataset *ds, const struct tune_splits *splits,
                        const struct tune_prep_config *prep,
                        const struct tune_trainer_type *trainer,
                        const struct tune_params *params, uint64_t seed,
                        struct tune_cv_result *out, struct tune_error *err);

/* Out-of-fold predictions as CSV text: header
 *   row,fold,y_true,y_pred            (regression)
 *   row,fold,y_true,y_pred,p_<class>... (classification; class names from ds)
 * one line per row in row order, doubles as %.17g; *text is malloc'ed. */
int tune_oof_format(const struct tune_dataset *ds, const struct tune_cv_result *cv, char **text,
                    size_t *len, struct tune_error *err);

/* The validated rows as the trainer saw them — each row preprocessed by its
 * fold's preprocessing — for pictures that need the rows themselves (the
 * silhouette and projection of a clustering: reports never refit).  CSV
 * text, header row,fold,<column names>, one line per validated row (the
 * last repeat's, as in oof.csv), fold by fold, doubles as %.17g.  Folds
 * whose columns differ (a one-hot level missing from a training fold) are
 * joined on the union of the names, a column a fold lacks written as 0,
 * which changes no distance between that fold's rows.  At most
 * TUNE_OOF_FEATURES_MAX_ROWS rows and TUNE_OOF_FEATURES_MAX_VALUES values
 * (judged on the first fold's width): past that, evenly spaced rows.
 * Built fold by fold: _new, _add for each fold, _format; free with _free. */
#define TUNE_OOF_FEATURES_MAX_ROWS 5000
#define TUNE_OOF_FEATURES_MAX_VALUES 1000000
struct tune_oof_features;
struct tune_split;
/* oof_fold (n_rows: each row's fold, -1 for none) is borrowed until _free. */
int tune_oof_features_new(size_t n_rows, const int *oof_fold, struct tune_oof_features **out,
                          struct tune_error *err);
/* Fold `fold`'s split and its validation rows as the trainer saw them
 * (x_valid: sp->n_valid rows; names: x_valid->n_cols column names). */
int tune_oof_features_add(struct tune_oof_features *a, int fold, const struct tune_split *sp,
                          const struct tune_matrix *x_valid, const char *const *names,
                          struct tune_error *err);
/* The rows as "oof_features.csv" text (row,fold,<names>...; doubles %.17g);
 * *text is malloc'ed. */
int tune_oof_features_format(const struct tune_oof_features *a, char **text, size_t *len,
                             struct tune_error *err);
void tune_oof_features_free(struct tune_oof_features *a);

/* ---- the study ------------------------------------------------------------ */

/* Early stopping.  A study file's "pruning" section names a pruner
 * (tunefold/pruner.h) that the study asks, for every search trial, after
 * each intermediate value and each fold; a trial it stops is stored PRUNED
 * with its intermediate values, the step or folds it reached (pruned_at),
 * why (error), and as value an estimate of its objective: the mean over the
 * folds that ran in full when some did (the folds strategy; an estimate
 * from the hardest folds, which run first), else, for a trial stopped at a
 * step, the objective of the complete trials at the same rank: the share of
 * complete trials whose value at that step was better than its own, mapped
 * onto the same share of their objectives (NAN when no complete trial
 * reported that step).  Never a measurement: the best trial, the progress
 * and the stop rules count complete trials only.  Manual trials
 * (tune_study_evaluate) are never pruned.  Pruned trials count toward the
 * budget and are searched past: the searchers read them in their history
 * (searchers/bayes.c models one from its estimate, or as a censored
 * observation when it has none). */

struct tune_study;

/* Load the data, make the folds, create or load the study in `store`
 * (a stored study with a different config is TUNE_ECONFLICT).  `store` is
 * borrowed and must outlive the study.  Free with tune_study_close(). */
int tune_study_open(const struct tune_study_config *cfg, struct tune_store *store,
                    struct tune_study **out, struct tune_error *err);
void tune_study_close(struct tune_study *s);

/* Whether `ds`, read from `path`, is the data study `info` was created on
 * (the checksum and shape the store keeps with a study): TUNE_EINVAL, with
 * both sides in the message, when it is not; TUNE_OK when it is, or when
 * the study keeps none (made by an older tunefold).  tune_study_open makes
 * this check itself. */
int tune_study_check_data(struct tune_store *store, const struct tune_study_info *info,
                          const struct tune_dataset *ds, const char *path,
                          struct tune_error *err);

/* Borrowed views. */
const struct tune_study_info *tune_study_get_info(const struct tune_study *s);
const struct tune_dataset *tune_study_dataset(const struct tune_study *s);

/* What one step did. Strings are owned by the study, valid until the next
 * call on it. */
struct tune_step {
    int number;
    enum tune_trial_state state;
    double value, value_std;
    const char *params_json;
    const char *error;           /* FAILED or PRUNED: why */
    double seconds;              /* wall time of the trial */
    int is_best;                 /* the study's new best */
    double violation;            /* > 0: a COMPLETE trial that broke the study's constraints
                                    (never the best); 0 otherwise */
};

/* Keep this worker's running trial alive: a thread stamps its heartbeat every
 * TUNE_HEARTBEAT_SECONDS through its own connection to `store_url` (the URL
 * the study's store was opened with).  Stopped by tune_study_close. */
int tune_study_start_heartbeat(struct tune_study *s, const char *store_url,
                               struct tune_error *err);

/* A flag the caller raises to stop at once (a second Ctrl-C): trainers and
 * external programs see it and give up their fit, and the trial cut short is
 * released (FAILED, lost: not counted, its point run again on resume).
 * `flag` is borrowed; NULL for none. */
void tune_study_set_cancel(struct tune_study *s, const volatile sig_atomic_t *flag);

/* Give the study another store connection, or none (NULL).  For fork():
 * no connection may cross it, so a parent detaches the study (NULL) and
 * closes its store before forking, and each child opens its own and
 * attaches it here; the data set, folds and history already read stay,
 * shared with the parent page by page until either writes them.  Not while
 * a heartbeat runs (threads do not cross fork() either). */
void tune_study_set_store(struct tune_study *s, struct tune_store *store);

/* Say that other machines work on this study too (tunefold worker): a
 * trial whose program cannot be started on this machine (TUNE_ENOPROGRAM)
 * is then released for them, and the step fails with that error, instead
 * of the trial being stored as FAILED. */
void tune_study_set_shared(struct tune_study *s, int shared);

/* Budget the study will run to: cfg->trials (or the override when > 0),
 * capped by what the searcher can propose (grid size). */
size_t tune_study_budget(const struct tune_study *s, size_t override);

/* Claim, suggest, evaluate and record one search trial.
 * Returns TUNE_OK (one trial done; see step->state), TUNE_EBUDGET (budget
 * met), TUNE_EEXHAUSTED (no point left), or an error (store, data).  A trial
 * cut short by the cancel flag is released and step->state is FAILED with
 * step->error "interrupted". */
int tune_study_step(struct tune_study *s, size_t budget, struct tune_step *step,
                    struct tune_error *err);

/* ---- ask and tell: trials evaluated by someone else -------------------------- */

/* Claim the next search trial and choose its point, for whoever evaluates it
 * (another program, a cluster job): the trial stays RUNNING until told.
 * First, trials asked more than max_age seconds ago and never told are
 * given up as lost (<= 0: TUNE_STALE_SECONDS), so their points are asked
 * again.  *params_json is owned by the study, valid until the next call.
 * TUNE_EBUDGET / TUNE_EEXHAUSTED when there is no trial to ask for. */
int tune_study_ask(struct tune_study *s, size_t budget, double max_age, int *number,
                   const char **params_json, struct tune_error *err);

/* The outcome of an asked trial.  Borrowed for the call. */
struct tune_tell {
    enum tune_trial_state state;        /* COMPLETE or FAILED */
    double value;                       /* COMPLETE: the objective (NAN: take the
                                           metric named like the study's objective) */
    const char *error;                  /* FAILED: why */
    size_t n_metrics;                   /* other numbers to keep with the trial */
    const char *const *metric_names;
    const double *metric_values;
    double seconds;                     /* how long it took, or NAN */
};

/* Record an asked trial's outcome.  TUNE_ENOTFOUND for an unknown trial,
 * TUNE_ECONFLICT for one already told or given up as lost, TUNE_EINVAL for
 * a trial that was not asked for (evaluate's) or a COMPLETE without value. */
int tune_study_tell(struct tune_study *s, int number, const struct tune_tell *t,
                    struct tune_error *err);

/* Evaluate one configuration as a manual trial: the study's fixed params,
 * overridden by `params_json` (an object of declared hyperparameters, may be
 * NULL).  *cv receives the full cross-validation result (release it). */
int tune_study_evaluate(struct tune_study *s, const char *params_json, struct tune_step *step,
                        struct tune_cv_result *cv, struct tune_error *err);

/* Where the study stands now (struct tune_progress in store.h), read
 * incrementally: costs what changed since the last call. */
int tune_study_progress(struct tune_study *s, struct tune_progress *p, struct tune_error *err);

/* ---- working a study until it stops --------------------------------------- */

/* Why tune_study_run stopped.  Not errors (NLopt's positive result codes):
 * a store or data failure is an error status instead. */
enum tune_stop {
    TUNE_STOP_NONE = 0,       /* not stopped */
    TUNE_STOP_BUDGET = 1,     /* the budget's trials are stored (none running) */
    TUNE_STOP_EXHAUSTED = 2,  /* the searcher has no point left (a finite space) */
    TUNE_STOP_FAILURES = 3,   /* max_failures trials of this worker failed in a row */
    TUNE_STOP_CANCELLED = 4,  /* the stop or the cancel flag was raised */
    TUNE_STOP_TIME = 5,       /* max_seconds have passed since the run started */
    TUNE_STOP_TARGET = 6,     /* the best objective reached the target */
    TUNE_STOP_PATIENCE = 7    /* `patience` trials in a row finished without a new best */
};
/* "budget met", "space exhausted", ...  Never NULL. */
const char *tune_stop_str(enum tune_stop stop);

/* What a run reports as it goes: after each of its own trials (`step` set)
 * and at each check while it waits for other workers' trials (`step`
 * NULL; see poll_seconds).  `progress` is the study's, all workers included.  Borrowed for
 * the call. */
typedef void (*tune_progress_fn)(void *arg, const struct tune_step *step,
                                 const struct tune_progress *progress);

struct tune_run_options {
    size_t budget;            /* search trials in all; 0: tune_study_budget(s, 0) */
    size_t max_failures;      /* failed trials in a row that stop this worker; 0: no limit */
    double stale_seconds;     /* a RUNNING trial without a heartbeat this long is lost;
                                 <= 0: TUNE_STALE_SECONDS */
    double poll_seconds;      /* the longest wait between checks on others' trials (the
                                 first is a 64th of it, each next twice the last);
                                 <= 0: 0.25 */
    /* Raised by the caller (a first Ctrl-C): the trial in flight finishes
     * and is stored, then the run stops (TUNE_STOP_CANCELLED).  May be NULL. */
    const volatile sig_atomic_t *stop;
    tune_progress_fn progress;  /* may be NULL */
    void *progress_arg;
    /* The study's stop rules (tune_run_options_init copies the study file's
     * search.max_seconds, search.target and search.patience), checked
     * before each claim; trials in flight finish and are stored. */
    double max_seconds;       /* 0: no time limit */
    double started;           /* Unix seconds the limit counts from (a run that starts
                                 several workers gives each its own start); 0: the
                                 moment tune_study_run begins */
    int has_target;
    double target;            /* with has_target: stop once the best complete trial's
                                 objective is at least (maximize) or at most it */
    size_t patience;          /* stop once this many trials finished COMPLETE or PRUNED
                                 since the best one (by trial number) or, with no best
                                 yet, at all; 0: none */
};

/* Defaults for `s`: max_failures and the stop rules from the study file,
 * the rest 0 / NULL. */
void tune_run_options_init(struct tune_run_options *o, const struct tune_study *s);

struct tune_run_result {
    enum tune_stop stop;
    size_t ran, complete, failed;   /* the trials this run ran */
    /* TUNE_STOP_FAILURES: the last failure's reason */
    char last_error[TUNE_ERROR_MSG_MAX];
    size_t pruned;                  /* of the trials this run ran */
};

/* Work the study until it stops.  Before every claim, trials whose worker
 * died (no heartbeat for stale_seconds) are marked lost, so their points
 * are run again; once the budget is claimed, the run waits while other
 * workers' trials are still running (they may yet be lost and need running
 * again), so a study always ends with its budget of finished trials —
 * unless a stop rule (time, target, patience) ends it first.  The reason
 * is stored as the study attribute "stop_reason" (tune_stop_str's words).
 * Returns TUNE_OK with *result filled (result->stop says why), or an error
 * (store, data) — trials already stored stay stored either way. */
int tune_study_run(struct tune_study *s, const struct tune_run_options *opts,
                   struct tune_run_result *result, struct tune_error *err);

#ifdef __cplusplus
}
#endif
#endif
