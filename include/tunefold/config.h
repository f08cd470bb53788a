/* SPDX-License-Identifier: GPL-3.0-or-later */
/* config.h — the study file: parsed with cJSON and validated strictly.
 *
 * Every problem is reported with the key path at fault
 * ("space.C.low: must be > 0 for a log scale").  Validation happens here,
 * before any work starts: unknown keys, wrong types, empty ranges, a metric
 * that does not fit the task, a fixed trainer parameter that the trainer does
 * not declare or that is out of its range. */
#ifndef TUNEFOLD_CONFIG_H
#define TUNEFOLD_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include "tunefold/error.h"
#include "tunefold/dataset.h"
#include "tunefold/space.h"
#include "tunefold/trainer.h"
#include "tunefold/cv.h"
#include "tunefold/preprocess.h"
#include "tunefold/searcher.h"
#include "tunefold/pruner.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One trainer of a study: its only one, or one entry of "trainers". */
struct tune_trainer_choice {
    char *label;                 /* the key in "trainers" (the trainer's name for "trainer") */
    const struct tune_trainer_type *trainer;
    double *fixed;               /* trainer->n_hparams values: fixed or default */
    unsigned char *is_fixed;     /* 1 where its "params" set it */
    size_t first, n;             /* its parameters: space.params[first .. first + n) */
};

/* One objective of "objectives" (or the "objective"). */
struct tune_objective {
    char *metric;                /* a metric of the task, "fit_seconds", "predict_seconds",
                                    or (score mode, ask/tell) a key of the told metrics */
    int maximize;
};

/* One entry of "constraints": a trial is feasible when min <= value <= max
 * for every constraint (a value the trial lacks violates it). */
struct tune_constraint {
    char *metric;                /* as an objective's */
    double min, max;             /* -INFINITY / INFINITY when not given */
};

struct tune_study_config {
    char *name;
    char *file;                  /* the study file path, for messages */
    char *data_path;             /* resolved against the study file's folder */
    char *target;                /* default "target" */
    struct tune_csv_options csv; /* how the data file is read: data.delimiter
                                    (',' by default) and data.bad_numbers
                                    ("error", the default, "missing", "text") */
    enum tune_task task;
    const struct tune_trainer_type *trainer;
    double *fixed;               /* trainer->n_hparams values: fixed or default */
    unsigned char *is_fixed;     /* 1 where "params" set it */
    struct tune_space space;     /* each name is a declared hyperparameter */
    const struct tune_searcher_type *searcher;
    size_t trials;               /* budget; default 20 (grid: its size), capped at
                                    the searcher's max_points */
    int trials_given;
    uint64_t seed;               /* default 0 */
    size_t workers;              /* default 1 */
    struct tune_cv_config cv;    /* default 5 folds, stratified for classification */
    struct tune_prep_config prep;
    char *metric;                /* default per task */
    int maximize;                /* default: the metric's natural direction */
    char *storage;               /* default "tunefold.db" (relative to cwd) */
    /* Canonical JSON of everything that decides a trial's result (data,
     * task, trainer, space, strategy, seed, cv, preprocess, objective), not
     * the budget, workers or storage: a stored study with another canonical
     * text is a different study. */
    char *canonical;
    char *data_path_given;       /* data.path as written in the file */
    /* The strategy's own options: the "search" object without the keys
     * every strategy shares, as JSON text ("{}" when none); only the
     * searcher reads them.  search_opts.json points at it, and
     * search_opts.seed is the seed. */
    char *search_options;
    struct tune_search_options search_opts;
    int score_mode;              /* external program in score mode: no data, no folds */
    int ask_tell;                /* no trainer: trials are evaluated by whoever asks for
                                    them (tunefold ask / tell); score_mode is set too */
    size_t max_failures;         /* stop after this many failed trials in a row (10) */
    struct tune_trainer_type *owned_trainer; /* an external trainer made for this study */
    /* Several trainers ("trainers"): the study chooses one per trial.  Then
     * choose_trainer is 1, space.params[0] is the categorical "trainer"
     * whose values are the labels, choices[k]'s parameters are named
     * "LABEL.KEY" with key KEY, each active only when the trainer is k (and
     * its own "when" holds), and trainer, fixed and is_fixed are NULL.  With
     * one "trainer": n_choices is 1 and choices[0] holds trainer, fixed and
     * is_fixed (which point into it); 0 for an ask/tell study. */
    int choose_trainer;
    size_t n_choices;
    struct tune_trainer_choice *choices;
    size_t max_hparams;          /* the most hyperparameters of one choice's trainer */
    /* The objectives (>= 1): objectives[0] is metric / maximize, the value a
     * trial stores; with several the study's result is its Pareto set. */
    size_t n_objectives;
    struct tune_objective *objectives;
    size_t n_constraints;
    struct tune_constraint *constraints;
    /* search.enqueue: points run before the strategy's (n_enqueue x space.n,
     * canonical); search.warm_start: studies whose trials bayes takes as
     * prior observations. */
    size_t n_enqueue;
    double *enqueue;
    size_t n_warm_start;
    char **warm_start;
    /* Early stopping, the "pruning" section: the strategy (&tune_pruner_none
     * when absent) and its own options (the section without "strategy") as
     * JSON text, "{}" when none; only the pruner reads them.  Part of the
     * study's canonical text unless the strategy is none. */
    const struct tune_pruner_type *pruner;
    char *pruning_options;
    size_t n_folds;              /* folds a trial runs (cv folds x repeats; 1 for a
                                    holdout; 0 in score mode) */
    /* Stop rules, keys of "search" every strategy shares (not part of the
     * study's identity, like the budget): */
    double max_seconds;          /* wall-clock seconds a run may take; 0: no limit */
    int target_given;            /* "target" was given: */
    double target_value;         /* stop once the best objective reaches it */
    size_t patience;             /* stop after this many finished trials in a row
                                    without a new best; 0: none */
    /* search.batch B (strategies that read the history): trial k is
     * suggested from the results of trials 0 .. k-B and the points of
     * k-B+1 .. k-1, so the study is the same for any number of workers
     * (src/study.c); 0: each suggestion sees what is stored at the time.
     * Part of the study's identity when given. */
    size_t batch;
};

/* Parse and validate a study file.  Free *out with tune_config_free(). */
int tune_config_load(const char *path, struct tune_study_config **out, struct tune_error *err);
/* Same, from text; `path` is used for messages and to resolve data.path. */
int tune_config_parse(const char *path, const char *text, struct tune_study_config **out,
                      struct tune_error *err);
void tune_config_free(struct tune_study_config *cfg);

/* Override the seed (tunefold run --seed) and rebuild the canonical text:
 * another seed is another study. */
int tune_config_set_seed(struct tune_study_config *cfg, uint64_t seed, struct tune_error *err);

/* Resolve the trainer's values for one configuration: cfg->fixed, then the
 * JSON object `params_json` (declared hyperparameter names; may be NULL)
 * on top.  `values` has cfg->trainer->n_hparams slots.  Errors name
 * "WHERE.NAME" (e.g. where = "--params").  A study of several trainers
 * needs tune_config_resolve_choice (TUNE_EINVAL here). */
int tune_config_resolve_params(const struct tune_study_config *cfg, const char *params_json,
                               const char *where, double *values, struct tune_error *err);

/* The same for any study: the choice `params_json` names with "trainer"
 * (several trainers: required; else 0) into *choice, and that trainer's
 * values (cfg->max_hparams slots), its fixed params with the object's other
 * keys on top. */
int tune_config_resolve_choice(const struct tune_study_config *cfg, const char *params_json,
                               const char *where, size_t *choice, double *values,
                               struct tune_error *err);

/* The metric names a study reads from its trials beyond the first
 * objective's value: objectives 1.. then constraints, as a list with
 * duplicates removed ("fit_seconds" and "predict_seconds" included).
 * *names borrows the config's strings; free the array with free(). */
int tune_config_tracked_metrics(const struct tune_study_config *cfg, const char ***names,
                                size_t *n, struct tune_error *err);
/* Nonzero for "fit_seconds" and "predict_seconds", the timings a trial
 * stores beside its metrics. */
int tune_metric_is_timing(const char *metric);

#ifdef __cplusplus
}
#endif
#endif
