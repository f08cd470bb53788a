/* study.h — the study loop: ask the searcher, cross-validate, tell the store.
 *
 * The caller drives it (initialize, iterate, test): tune_study_open once,
 * then tune_study_step until it returns a stop reason, printing whatever
 * progress it likes between steps.  The library prints nothing. */
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
/* Store it as the trial's "oof.csv" artifact. */
int tune_oof_save(struct tune_store *store, int64_t study_id, int number,
                  const struct tune_dataset *ds, const struct tune_cv_result *cv,
                  struct tune_error *err);

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
 * Built fold by fold: _new, _add for each fold, _save; free with _free. */
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
/* Store the text as the trial's "oof_features.csv" artifact. */
int tune_oof_features_save(const struct tune_oof_features *a, struct tune_store *store,
                           int64_t study_id, int number, struct tune_error *err);
void tune_oof_features_free(struct tune_oof_features *a);

/* ---- the study ------------------------------------------------------------ */

struct tune_study;

/* Load the data, make the folds, create or load the study in `store`
 * (a stored study with a different config is TUNE_ECONFLICT).  `store` is
 * borrowed and must outlive the study.  Free with tune_study_close(). */
int tune_study_open(const struct tune_study_config *cfg, struct tune_store *store,
                    struct tune_study **out, struct tune_error *err);
void tune_study_close(struct tune_study *s);

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
    const char *error;           /* FAILED: why */
    double seconds;              /* wall time of the trial */
    int is_best;                 /* the study's new best */
};

/* Keep this worker's running trial alive: a thread stamps its heartbeat every
 * TUNE_HEARTBEAT_SECONDS through its own connection to `store_url` (the URL
 * the study's store was opened with).  Stopped by tune_study_close. */
int tune_study_start_heartbeat(struct tune_study *s, const char *store_url,
                               struct tune_error *err);

/* A flag the caller sets to stop (from its SIGINT handler): trainers and
 * external programs see it and stop early; the trial is then FAILED. */
void tune_study_set_cancel(struct tune_study *s, const volatile sig_atomic_t *flag);

/* Budget the study will run to: cfg->trials (or the override when > 0),
 * capped by what the searcher can propose (grid size). */
size_t tune_study_budget(const struct tune_study *s, size_t override);

/* Claim, suggest, evaluate and record one search trial.
 * Returns TUNE_OK (one trial done; see step->state), TUNE_EBUDGET (budget
 * met), TUNE_EEXHAUSTED (no point left), or an error (store, data). */
int tune_study_step(struct tune_study *s, size_t budget, struct tune_step *step,
                    struct tune_error *err);

/* Evaluate one configuration as a manual trial: the study's fixed params,
 * overridden by `params_json` (an object of declared hyperparameters, may be
 * NULL).  *cv receives the full cross-validation result (release it). */
int tune_study_evaluate(struct tune_study *s, const char *params_json, struct tune_step *step,
                        struct tune_cv_result *cv, struct tune_error *err);

/* Where a study stands.  Counts are of search trials (not `evaluate`'s), lost
 * trials excluded; the best is over every complete trial (NAN / -1 if none). */
struct tune_progress {
    size_t finished, running, complete, failed;
    double best_value;
    int best_number;
};
int tune_store_progress(struct tune_store *store, const struct tune_study_info *info,
                        struct tune_progress *p, struct tune_error *err);
int tune_study_progress(struct tune_study *s, struct tune_progress *p, struct tune_error *err);

/* Best COMPLETE trial by the study's direction; TUNE_ENOTFOUND if none.
 * Release *out with tune_trial_release(). */
int tune_store_best_trial(struct tune_store *store, const struct tune_study_info *info,
                          struct tune_trial *out, struct tune_error *err);

#ifdef __cplusplus
}
#endif
#endif
