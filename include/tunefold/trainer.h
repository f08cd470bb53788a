/* SPDX-License-Identifier: GPL-3.0-or-later */
/* trainer.h — the trainer plug-in interface and the predictions it makes.
 *
 * A trainer type declares its tasks and its hyperparameters (name, type,
 * default, valid range or choices) and implements fit / predict / free.
 * The engine resolves every declared hyperparameter to a value before fit
 * (search point, else the study's fixed "params", else the default), so a
 * trainer reads `params->values[i]` for its i-th declared hyperparameter and
 * never sees an unknown name.  Append new members at the end only. */
#ifndef TUNEFOLD_TRAINER_H
#define TUNEFOLD_TRAINER_H

#include <stddef.h>
#include <signal.h>
#include <stdint.h>
#include "tunefold/error.h"
#include "tunefold/dataset.h"
#include "tunefold/space.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A dense column-major matrix: element (i, j) is data[j * n_rows + i]. */
struct tune_matrix {
    size_t n_rows, n_cols;
    double *data;
};

/* Predictions for n rows, one layout for every task.
 *   classification: label[i] in 0..n_classes-1; proba[i * n_classes + k]
 *                   (row-major) when the model gives probabilities, else NULL.
 *   regression:     value[i].
 *   clustering:     label[i] = cluster id, value[i] = squared distance to its
 *                   centre, proba as for classification when asked.
 * Free the arrays with tune_predictions_release(). */
struct tune_predictions {
    size_t n;
    size_t n_classes;  /* 0 for regression */
    int *label;
    double *proba;
    double *value;
};

/* Allocate arrays for n rows of `task` (proba only if with_proba). */
int tune_predictions_init(struct tune_predictions *p, enum tune_task task, size_t n,
                          size_t n_classes, int with_proba, struct tune_error *err);
void tune_predictions_release(struct tune_predictions *p);

/* One declared hyperparameter.  For a categorical, `def` is the index into
 * the NULL-terminated `choices`; for a bool, 0 or 1.  Bounds are inclusive. */
struct tune_hparam {
    const char *name;
    enum tune_param_type type;
    double def;
    double low, high;
    const char *const *choices;
    const char *help;
};

/* Resolved hyperparameter values, in the trainer's declared order.
 * `names[i]` and, for categoricals, `strings[i]` are borrowed views. */
struct tune_params {
    size_t n;
    const char *const *names;
    const double *values;
    const char *const *strings;   /* NULL entries for non-categorical */
};

/* What a fit knows besides the data. */
struct tune_fit_ctx {
    enum tune_task task;
    size_t n_classes;      /* classification */
    uint64_t seed;         /* derived from the study seed and the fold */
    /* Intermediate values (iterative trainers): call report(report_arg,
     * step, value) as training goes, e.g. the validation metric every few
     * boosting rounds or the validation loss per epoch.  May be NULL.  A
     * non-zero return asks the trainer to stop early (pruning): it then
     * returns TUNE_OK with the model as it is. */
    int (*report)(void *report_arg, size_t step, double value);
    void *report_arg;
    /* The validation fold, for intermediate values only: a trainer must not
     * fit on it.  NULL when there is none (e.g. the final fit). */
    const struct tune_matrix *x_valid;
    const double *y_valid;
    /* Threads the trainer may use (>= 1): the study's share of the cores. */
    size_t n_threads;
    /* The trainer type being fitted (a trainer made at run time, such as an
     * external program, finds its settings through it). */
    const struct tune_trainer_type *type;
    int trial;                     /* trial number, -1 outside a study */
    int fold;                      /* fold index, -1 when not cross-validating */
    /* Names of the x columns (n_cols entries) and of the classes
     * (n_classes entries); either may be NULL when unknown. */
    const char *const *feature_names;
    const char *const *class_names;
    /* Non-zero when the user asked to stop (Ctrl-C): a long fit may give up
     * early with an error.  May be NULL. */
    const volatile sig_atomic_t *cancel;
    /* Keep a named file with the trial (e.g. an external program's stderr):
     * the study stores it as an artifact.  May be NULL. */
    int (*attach)(void *attach_arg, const char *name, const void *data, size_t len);
    void *attach_arg;
    const char *target_name;       /* the target column's name, or NULL */
    /* The fold cache: work that depends only on this fold's data (its
     * training rows, or its validation rows x_valid) and on a few
     * hyperparameters (boosting's binned columns, keyed by max_bins) is
     * done by the first trial that needs it and found again by the next
     * ones, instead of being redone per trial.  A key names the
     * trainer and those hyperparameters ("boosting/bins/256").  Both
     * functions may be NULL (nothing is kept: outside a study, or when the
     * study makes its folds per trial); call them from the fit's own
     * thread only.
     *   cache_find: the value kept under key, or NULL.  Borrowed: valid
     *     until fit returns (a model must not point into it), read-only.
     *   cache_put: hand over value, `bytes` of memory, freed with free_fn.
     *     Takes ownership even on failure: the value is freed at once when
     *     the key is taken or the fold's cache would go over its memory
     *     bound.  Returns 0 when the value is kept.  Call it when the fit
     *     no longer needs the value (the value may be freed inside).
     * A study's kept values live as long as its prepared folds (until the
     * study is closed). */
    const void *(*cache_find)(void *cache_arg, const char *key);
    int (*cache_put)(void *cache_arg, const char *key, void *value, size_t bytes,
                     void (*free_fn)(void *));
    void *cache_arg;
    /* The trainer has read x->data for the last time in this fit (boosting,
     * once its columns are binned): the caller may free it at once, which
     * takes a large fold's training copy out of the fit's peak memory.  May
     * be NULL.  After the call x->data must not be read; x->n_rows and
     * x->n_cols stay valid. */
    void (*x_done)(void *x_done_arg);
    void *x_done_arg;
};

/* What a trainer that evaluates itself reports for one trial. */
struct tune_score_result {
    double objective;
    size_t n_metrics;
    char **metric_names;           /* other numbers it reported (owned) */
    double *metric_values;
    double seconds;                /* wall time of the run */
};
void tune_score_result_release(struct tune_score_result *s);

struct tune_model_writer;
struct tune_model_reader;

struct tune_trainer_type {
    int version;                   /* 2 (1: no score / save / load / flags members) */
    const char *name;
    unsigned tasks;                /* bitmask of enum tune_task */
    const struct tune_hparam *hparams;
    size_t n_hparams;
    /* Check a full set of values beyond their ranges (combinations). */
    int (*check)(const struct tune_params *params, struct tune_error *err);
    /* Fit on x (n x d) and y (class codes or values).  *model is owned by the
     * caller and freed with free_model. */
    int (*fit)(const struct tune_matrix *x, const double *y, const struct tune_fit_ctx *ctx,
               const struct tune_params *params, void **model, struct tune_error *err);
    /* Fill `out` (already initialised for x->n_rows rows) with predictions. */
    int (*predict)(const void *model, const struct tune_matrix *x,
                   struct tune_predictions *out, struct tune_error *err);
    void (*free_model)(void *model);
    /* Optional (NULL if none): impurity or weight-based importance of each of
     * the model's n_features input columns, written to out[0..n_features). */
    int (*importances)(const void *model, double *out, size_t n_features,
                       struct tune_error *err);
    /* Private settings of a trainer type made at run time (external). */
    const void *data;

    /* ---- version 2 ---- */
    /* Optional: a trainer that evaluates itself (an external program in
     * score mode).  The study then calls score once per trial instead of
     * fit/predict per fold, with no data and no folds: ctx has no task, no
     * validation fold, fold -1.  Fills *out (release with
     * tune_score_result_release); a failure is TUNE_ETRAINER with a
     * one-line reason. */
    int (*score)(const struct tune_fit_ctx *ctx, const struct tune_params *params,
                 struct tune_score_result *out, struct tune_error *err);
    /* Models that outlive the process: either may be NULL when its models
     * cannot be saved (then `tunefold fit` says so).  Call them through
     * tune_trainer_save / tune_trainer_load, which check the version.  The
     * contract is under "Saving and loading models" below. */
    int (*save)(const void *model, struct tune_model_writer *w, struct tune_error *err);
    int (*load)(struct tune_model_reader *r, void **model, struct tune_error *err);
    /* TUNE_TRAINER_* bits (0 for none). */
    unsigned flags;
};

/* predict may run on several threads at once, on one model or several (it
 * keeps no state outside its arguments and calls no BLAS: Debian's serial
 * OpenBLAS is not safe to call from two threads at once).  Without it,
 * tunefold's model API serializes the trainer's predict calls. */
#define TUNE_TRAINER_PREDICT_PARALLEL 1u
/* fit may run on several threads at once, each on its own data (it keeps no
 * state outside its arguments and calls no BLAS, as above): a study then
 * fits a trial's folds side by side when one fit's threads would leave
 * cores idle.  Without it the folds are fitted one after another. */
#define TUNE_TRAINER_FIT_PARALLEL 2u

/* Registry: the built-in trainers, by name.  NULL if unknown. */
const struct tune_trainer_type *tune_trainer_find(const char *name);
/* The i-th registered trainer, NULL past the end (for --help listings). */
const struct tune_trainer_type *tune_trainer_at(size_t i);

/* Index of the declared hyperparameter `name`, or -1. */
long tune_trainer_hparam_index(const struct tune_trainer_type *t, const char *name);

/* The checks every trainer makes of its training data, with messages that
 * name the trainer, row and column: the task is among `tasks` (with a
 * sensible class count), there is at least one row, every target is finite
 * (and a class code 0..n_classes-1 for classification), and every feature
 * value is finite (impute missing values first). */
int tune_trainer_check_data(const char *trainer, unsigned tasks, const struct tune_matrix *x,
                            const double *y, const struct tune_fit_ctx *ctx,
                            struct tune_error *err);

/* Nonzero when `value` is valid for `h`: inside [low, high], integral for an
 * int, a valid choice index for a categorical, 0 or 1 for a bool. */
int tune_hparam_accepts(const struct tune_hparam *h, double value);

/* The check every trainer makes of its values before fitting: `params` has
 * the n_hp declared hyperparameters `hp`, each accepted by
 * tune_hparam_accepts.  Messages name the trainer and the hyperparameter
 * ("svm: C: value -1 is out of range"). */
int tune_trainer_check_params(const char *trainer, const struct tune_hparam *hp, size_t n_hp,
                              const struct tune_params *params, struct tune_error *err);

/* ---- Saving and loading models -----------------------------------------
 *
 * A fitted model travels inside tunefold's model file (tunefold/model.h),
 * which carries the task, the preprocessing, the class names and the
 * parameters; the trainer's part is its own payload, written with the
 * tune_model_put_* calls and read back with tune_model_get_*.  Values are
 * little-endian fixed-size integers and IEEE doubles (bit patterns, never
 * text), strings and arrays are length-prefixed.  The contract every
 * trainer's save and load keep (a new trainer adds both at the end of its
 * file and sets version 2):
 *
 *   1. save writes everything predict reads, starting with the trainer's own
 *      payload version (tune_model_put_u32); load refuses a version it does
 *      not know, with tune_model_reader_fail ("forest model version 3 is
 *      newer than this tunefold reads (1)").
 *   2. Round trip is exact: a loaded model predicts bit for bit what the
 *      saved one predicts, on every row, for any thread count.  Store the
 *      fitted numbers themselves; rebuild derived structures (search trees,
 *      packed copies) at load with the same code that fit used.
 *   3. load trusts nothing.  Read counts with tune_model_get_size, which
 *      bounds them by a stated maximum and by the bytes left (so a hostile
 *      count cannot make a huge allocation), check every index against its
 *      array, every value that predict relies on (finite where it must be,
 *      a child after its parent in a tree, so traversals end), and report a
 *      bad file with tune_model_reader_fail (TUNE_EINVAL, the file and the
 *      position named).  The reader never reads past the payload: a
 *      truncated file fails cleanly at the first short read.  On failure
 *      load frees what it built and leaves *model NULL.
 *   4. load gets no fit context: the threads predict may use come from
 *      tune_model_reader_threads (the caller's choice at load time, >= 1).
 *   5. A trainer wrapping a library that has its own model format (LIBSVM,
 *      LIBLINEAR, XGBoost) may store that format's bytes — a size
 *      (tune_model_put_u64), then tune_model_put_bytes — but only if the
 *      library's reader is itself safe on hostile bytes; otherwise store
 *      the fitted numbers as fields and check them as in 3.  Either way, a
 *      test fits, saves, loads and compares predictions bit for bit on every
 *      task, with every truncation of the payload refused
 *      (tests/test_model_trainers.c shows how).
 *
 * Every put / get returns TUNE_OK or an error (recorded in the writer's or
 * reader's error, which is the `err` given to save / load), so a sequence
 * of calls can stop at the first failure:
 *     if ((rc = tune_model_put_u64(w, m->d)) || (rc = tune_model_put_f64s(w, m->w, m->d)))
 *         return rc;                                                          */

int tune_model_put_u32(struct tune_model_writer *w, uint32_t v);
int tune_model_put_u64(struct tune_model_writer *w, uint64_t v);
int tune_model_put_f64(struct tune_model_writer *w, double v);
/* n values, without a count (write the count first when the reader needs it). */
int tune_model_put_f64s(struct tune_model_writer *w, const double *v, size_t n);
int tune_model_put_u32s(struct tune_model_writer *w, const uint32_t *v, size_t n);
int tune_model_put_bytes(struct tune_model_writer *w, const void *p, size_t n);
/* A NUL-terminated string (NULL is written as ""): its length, then its bytes. */
int tune_model_put_str(struct tune_model_writer *w, const char *s);

int tune_model_get_u32(struct tune_model_reader *r, uint32_t *v);
int tune_model_get_u64(struct tune_model_reader *r, uint64_t *v);
int tune_model_get_f64(struct tune_model_reader *r, double *v);
int tune_model_get_f64s(struct tune_model_reader *r, double *v, size_t n);
int tune_model_get_u32s(struct tune_model_reader *r, uint32_t *v, size_t n);
int tune_model_get_bytes(struct tune_model_reader *r, void *p, size_t n);
/* A string written by tune_model_put_str, into *s (malloc'ed, the caller
 * frees); one holding a NUL byte is refused. */
int tune_model_get_str(struct tune_model_reader *r, char **s);
/* A count or size written with tune_model_put_u64, refused (naming `what`)
 * when above `max` or, when every counted item takes at least item_bytes of
 * the payload, above what is left / item_bytes. */
int tune_model_get_size(struct tune_model_reader *r, const char *what, size_t max,
                        size_t item_bytes, size_t *v);
/* n doubles into a new array *out (malloc'ed, at least one element; the
 * caller frees), refused before allocating when fewer than 8 n bytes are
 * left. */
int tune_model_get_f64_array(struct tune_model_reader *r, size_t n, double **out);
/* Bytes of the payload not read yet. */
size_t tune_model_reader_left(const struct tune_model_reader *r);
/* Threads a loaded model's predict may use (>= 1). */
size_t tune_model_reader_threads(const struct tune_model_reader *r);
/* Refuse the file: TUNE_EINVAL with "FILE: PART: message" (printf-style). */
int tune_model_reader_fail(struct tune_model_reader *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* t->save / t->load when the type has them (version >= 2 and not NULL),
 * else TUNE_EUNSUPPORTED naming the trainer. */
int tune_trainer_save(const struct tune_trainer_type *t, const void *model,
                      struct tune_model_writer *w, struct tune_error *err);
int tune_trainer_load(const struct tune_trainer_type *t, struct tune_model_reader *r,
                      void **model, struct tune_error *err);
/* Nonzero when models of `t` can be saved and loaded. */
int tune_trainer_can_save(const struct tune_trainer_type *t);

extern const struct tune_trainer_type tune_trainer_logistic;
extern const struct tune_trainer_type tune_trainer_linear;
extern const struct tune_trainer_type tune_trainer_naive_bayes;
extern const struct tune_trainer_type tune_trainer_knn;
extern const struct tune_trainer_type tune_trainer_kmeans;
extern const struct tune_trainer_type tune_trainer_mlp;
extern const struct tune_trainer_type tune_trainer_tree;
extern const struct tune_trainer_type tune_trainer_forest;
extern const struct tune_trainer_type tune_trainer_boosting;
extern const struct tune_trainer_type tune_trainer_svm;
extern const struct tune_trainer_type tune_trainer_liblinear;
extern const struct tune_trainer_type tune_trainer_xgboost;

#ifdef __cplusplus
}
#endif
#endif
