/* SPDX-License-Identifier: GPL-3.0-or-later */
/* crossval.h — cross-validation of one configuration, internal to the
 * library (src/crossval.c): the study prepares its folds once and runs every
 * trial's cross-validation through these.  The public entry point is
 * tune_cross_validate in tunefold/study.h. */
#ifndef TUNEFOLD_SRC_CROSSVAL_H
#define TUNEFOLD_SRC_CROSSVAL_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "tunefold/study.h"
#include "tunefold/cv.h"

/* A prepared fold's cache (struct tune_fit_ctx's cache_find / cache_put):
 * values by key, owned by the fold, together at most max_bytes. */
struct tune_fold_cache {
    struct tune_fold_cache_entry {
        char *key;
        void *value;
        size_t bytes;
        void (*free_fn)(void *);
    } *entries;
    size_t n, cap, bytes, max_bytes;
};

/* One fold, preprocessed: the preprocessing depends only on the split and
 * the study's settings, never on the hyperparameters, so a study prepares
 * each fold once and every trial reuses it (GridSearchCV refits its scaler
 * for every candidate).  Trainers receive the matrices read-only, and may
 * keep what they derive from them alone in the fold's cache (NULL for a
 * fold made for one trial: nothing would find it again). */
struct tune_fold {
    struct tune_matrix xtr, xva;
    double *ytr, *yva;
    char **names;     /* xtr.n_cols column names after preprocessing */
    struct tune_fold_cache *cache;   /* owned; NULL: nothing is kept */
    /* A fold made in place (src/crossval.c, fold_in_place): xtr.data is the
     * data set's own matrix, its training rows compacted to the front, and
     * tune_fold_release puts every row back where it was.  NULL otherwise. */
    double *in_place;                /* the data set's matrix, borrowed */
    const struct tune_split *in_place_split;
    size_t in_place_rows;            /* the data set's rows */
};

/* Intermediate values of one trial, gathered in memory while its folds run
 * and written in one transaction at the end (thousands of boosting rounds
 * would otherwise be thousands of commits). */
struct tune_trial_log {
    struct tune_intermediate *v;
    size_t n, cap;
    int fold;
    int oom;
};

/* Feature importances averaged over folds, by column name (one-hot columns
 * can differ between folds: a level absent from a training fold has no
 * column there, and counts 0 in the mean). */
struct tune_importances {
    size_t n, cap, folds;
    char **names;
    double *sum;
};

struct tune_prune_run;

/* What one cross-validation run needs besides data and trainer. */
struct tune_cv_run {
    uint64_t seed;
    size_t n_threads;
    int trial;
    struct tune_trial_log *log;            /* may be NULL */
    /* Early stopping (src/prune.h), or NULL: intermediate values go to it
     * (and its log, the same as `log`), each fold's objective too; it may
     * reorder the folds.  A trial it stops ends the loop early with TUNE_OK:
     * the folds that ran in full are scored, the others are NAN. */
    struct tune_prune_run *prune;
    const char *objective;                 /* the metric the pruner sees per fold */
    struct tune_importances *importances;  /* may be NULL */
    const volatile sig_atomic_t *cancel;   /* may be NULL */
    int (*attach)(void *, const char *, const void *, size_t);  /* may be NULL */
    void *attach_arg;
    /* Folds fitted side by side (0 or 1: one after another): in rounds of
     * fold_jobs, the last round taking every fold left (up to 2 fold_jobs
     * - 1 at once; with n_threads = fold_jobs, as a study sets them, one
     * thread each).  Used only over prepared folds,
     * without a pruner (its decisions follow the folds in turn), for a
     * trainer whose fit may run on several threads at once
     * (TUNE_TRAINER_FIT_PARALLEL): the n_threads are shared out among the
     * folds running together.  The result is the same bit for bit; only
     * the fold fit and predict seconds change (each with its own threads). */
    size_t fold_jobs;
};

/* Prepare one fold: the preprocessing fitted on its training rows, applied
 * to both sides.  Release with tune_fold_release (accepts a zeroed fold). */
int tune_fold_prepare(const struct tune_dataset *ds, const struct tune_split *sp,
                      const struct tune_prep_config *prep, struct tune_fold *pf,
                      struct tune_error *err);
void tune_fold_release(struct tune_fold *pf);

/* Prepare every fold of `splits` when they fit in max_bytes together, and
 * in TUNE_FOLDS_KEEP_MAX (*folds = NULL when they would not: each trial then
 * prepares its folds as it goes, one at a time, so that large data is held
 * once plus one fold rather than once plus every fold; the size is judged
 * on the first fold's shape before any training copy is made).  Each kept
 * fold gets a cache bounded by its own size or TUNE_FOLD_CACHE_MIN,
 * whichever is larger (what trainers keep at most doubles the folds' memory
 * of a large data set; a small one may keep up to TUNE_FOLD_CACHE_MIN a
 * fold, e.g. the svm trainer's dot products of every pair of rows, n^2 / 2
 * doubles).  A data problem (missing values with impute "none") surfaces
 * here, before any trial runs.  Free with tune_folds_free(.., splits->n). */
#define TUNE_FOLDS_KEEP_MAX ((size_t)256 << 20)
#define TUNE_FOLD_CACHE_MIN ((size_t)16 << 20)
int tune_folds_prepare(const struct tune_dataset *ds, const struct tune_splits *splits,
                       const struct tune_prep_config *prep, size_t max_bytes,
                       struct tune_fold **folds, struct tune_error *err);
void tune_folds_free(struct tune_fold *folds, size_t n);

/* The report callback of struct tune_fit_ctx for a tune_trial_log. */
int tune_trial_log_report(void *arg, size_t step, double value);

void tune_importances_release(struct tune_importances *a);
/* The fold-averaged importances as "feature,importance" CSV text (names
 * quoted where needed, values %.17g); *text is malloc'ed. */
int tune_importances_csv(const struct tune_importances *a, char **text, size_t *len,
                         struct tune_error *err);

/* Cross-validate over prepared folds (folds != NULL) or preparing each fold
 * as it comes (folds == NULL).  Fills *out (release with
 * tune_cv_result_release); a trainer failure is TUNE_ETRAINER prefixed by
 * the fold.  A trial pruned part-way (run->prune) is TUNE_OK with the folds
 * not run in full left NAN, each metric's mean and std over the folds run
 * (NAN when none), and out->n_folds_run saying how many. */
int tune_cross_validate_run(const struct tune_dataset *ds, const struct tune_splits *splits,
                            const struct tune_fold *folds, const struct tune_prep_config *prep,
                            const struct tune_trainer_type *trainer,
                            const struct tune_params *params, const struct tune_cv_run *run,
                            struct tune_cv_result *out, struct tune_error *err);

#endif
