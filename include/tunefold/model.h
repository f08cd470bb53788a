/* SPDX-License-Identifier: GPL-3.0-or-later */
/* model.h — a tuned model you can use: the model file that `tunefold fit`
 * writes, and prediction from it, in C or through `tunefold predict`.
 *
 * A model file holds everything prediction needs and where the model came
 * from: tunefold's version and the file format's, the task, the trainer and
 * its parameters, the fitted preprocessing (imputation values, scaling,
 * one-hot levels) with the input columns' order and names, the class names,
 * the trainer's fitted model, the study and trial it came from, the training
 * data's SHA-256 and the trial's cross-validated metrics.  The layout is in
 * README.md ("The model file"); in short: a fixed 40-byte header (magic,
 * format version, writer's version, payload length), tagged sections, and a
 * CRC-32 of everything before it.  Loading checks the checksum and then
 * trusts nothing anyway: every length and count is bounded by the bytes
 * there are, every index by its array; a damaged, truncated or hostile file
 * is TUNE_EINVAL with a message naming the file and what is wrong, and a
 * file from a newer tunefold is refused by name.
 *
 * Serving a model from C:
 *
 *     struct tune_model *m;
 *     struct tune_error err;
 *     tune_init();
 *     if (tune_model_load("model.tfm", NULL, &m, &err)) { puts(err.msg); ... }
 *     double row[N];        the model's inputs, in tune_model_input_name order:
 *                           numbers, NAN for missing, a categorical's level code
 *     struct tune_predictions p;
 *     tune_model_predictions_init(m, 1, &p, &err);
 *     tune_model_predict_row(m, row, &p, &err);  p.label[0], p.proba[k], p.value[0]
 *     tune_predictions_release(&p);
 *     tune_model_free(m);
 *
 * A loaded model is read-only: several threads may predict with it at once
 * (trainers whose predict is not safe to run in parallel are serialized
 * inside). */
#ifndef TUNEFOLD_MODEL_H
#define TUNEFOLD_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <signal.h>
#include "tunefold/error.h"
#include "tunefold/dataset.h"
#include "tunefold/trainer.h"
#include "tunefold/preprocess.h"
#include "tunefold/config.h"
#include "tunefold/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The model file format this tunefold writes and reads. */
#define TUNE_MODEL_FORMAT 1

struct tune_model;

/* ---- loading and saving ---------------------------------------------------- */

struct tune_model_load_options {
    size_t n_threads;   /* threads a trainer's predict may use (forest, boosting, knn,
                           kmeans); 0: 1 */
    int allow_exec;     /* an external trainer's model predicts by running its program:
                           allowed only when set (a model file from elsewhere must not
                           run programs unasked); loading is allowed either way */
};

/* Load the model file at `path` (opts may be NULL: the defaults).  Free
 * *out with tune_model_free().  TUNE_EINVAL for a damaged, truncated or
 * foreign file or one from a newer tunefold, TUNE_EIO when it cannot be
 * read. */
int tune_model_load(const char *path, const struct tune_model_load_options *opts,
                    struct tune_model **out, struct tune_error *err);
/* The same from bytes in memory; `name` is used in messages. */
int tune_model_load_bytes(const char *name, const void *data, size_t len,
                          const struct tune_model_load_options *opts, struct tune_model **out,
                          struct tune_error *err);
/* Write the model to `path` (through a temporary file renamed into place,
 * so a reader never sees half a model). */
int tune_model_save(const struct tune_model *m, const char *path, struct tune_error *err);
/* The model file's bytes; *data is malloc'ed (the caller frees). */
int tune_model_to_bytes(const struct tune_model *m, void **data, size_t *len,
                        struct tune_error *err);
void tune_model_free(struct tune_model *m);

/* ---- what it is and where it came from -------------------------------------- */

struct tune_model_metric {
    const char *name;
    double mean, std;   /* over the folds (std NAN when there was one run) */
    size_t n_folds;
};

/* Borrowed views, valid until tune_model_free. */
struct tune_model_info {
    unsigned format;              /* TUNE_MODEL_FORMAT of the file */
    const char *tunefold_version; /* the tunefold that wrote it */
    double created;               /* Unix seconds */
    enum tune_task task;
    const char *trainer;          /* "boosting", or "external" */
    const char *trainer_detail;   /* external: the program's command line; else "" */
    const char *study;            /* the study and trial it came from */
    int trial;
    const char *params_json;      /* the trial's parameters as stored */
    const char *metric;           /* the study's objective and its direction */
    int maximize;
    double value, value_std;      /* the trial's objective, cross-validated */
    size_t n_metrics;
    const struct tune_model_metric *metrics;
    const char *data_path;        /* the training data, as the study named it */
    const char *data_sha256;      /* its SHA-256, 64 hex digits */
    size_t n_rows;                /* rows it was fitted on */
    const char *target;           /* the target column ("" for clustering without one) */
    double fit_seconds;           /* preprocessing and training */
    struct tune_prep_config prep;
    size_t n_inputs;              /* input columns, before preprocessing */
    size_t n_features;            /* columns the trainer sees, after it */
    size_t n_classes;             /* classification; 0 otherwise */
};
void tune_model_get_info(const struct tune_model *m, struct tune_model_info *out);

/* Input column j (0 <= j < n_inputs), in the order rows are given. */
const char *tune_model_input_name(const struct tune_model *m, size_t j);
int tune_model_input_is_categorical(const struct tune_model *m, size_t j);
size_t tune_model_input_n_levels(const struct tune_model *m, size_t j);
const char *tune_model_input_level(const struct tune_model *m, size_t j, size_t level);
/* Index of the input column called `name`, or -1. */
long tune_model_input_find(const struct tune_model *m, const char *name);
/* The code of `text` among categorical input j's levels, or -1 when training
 * never saw it. */
long tune_model_level_code(const struct tune_model *m, size_t j, const char *text);
/* Class k's name (0 <= k < n_classes). */
const char *tune_model_class_name(const struct tune_model *m, size_t k);
/* Name of output column f (0 <= f < n_features): an input's name, or
 * "name=level" for a one-hot indicator. */
const char *tune_model_feature_name(const struct tune_model *m, size_t f);
/* The trainer's i-th parameter (0 <= i < n): its name and value as text. */
size_t tune_model_n_params(const struct tune_model *m);
void tune_model_param(const struct tune_model *m, size_t i, const char **name,
                      const char **text);

/* ---- predicting ----------------------------------------------------------- */

/* Predictions for n rows laid out for this model's task (labels and
 * probabilities for classification, values for regression, cluster ids and
 * squared distances for clustering).  Release with tune_predictions_release. */
int tune_model_predictions_init(const struct tune_model *m, size_t n,
                                struct tune_predictions *out, struct tune_error *err);

/* Predict n rows given row-major in x (n x n_inputs), each row's values in
 * input-column order: a number, NAN for a missing value, or for a
 * categorical column its level code (tune_model_level_code), -1 for a level
 * training never saw (encoded as all zeros by one-hot; refused without
 * one-hot).  The model's preprocessing (imputation, scaling, one-hot) is
 * applied as in training.  `out` was made by tune_model_predictions_init for
 * at least n rows.  Errors name the row and column. */
int tune_model_predict_rows(const struct tune_model *m, const double *x, size_t n,
                            struct tune_predictions *out, struct tune_error *err);
/* One row: tune_model_predict_rows with n = 1. */
int tune_model_predict_row(const struct tune_model *m, const double *x,
                           struct tune_predictions *out, struct tune_error *err);

/* ---- predicting a CSV file, streamed ------------------------------------------ */

struct tune_model_csv_options {
    const char *const *keep;  /* input columns copied to the output before the
                                 predictions (an id), NULL-terminated; may be NULL */
    int unseen_zero;          /* an unseen category: 0 is an error, 1 encodes it as
                                 all-zero one-hot and counts it */
    size_t n_threads;         /* threads parsing, preprocessing, predicting and
                                 formatting blocks of rows; 0: the cores */
    size_t block_bytes;       /* input bytes per block of rows; 0: 4 MiB (64 MiB for
                                 an external program, run once per block) */
};

struct tune_model_csv_stats {
    size_t rows;                /* rows predicted */
    size_t unseen;              /* cells holding a category unseen in training */
    char unseen_example[200];   /* the first of them: "line 7, column 'colour': 'teal'" */
    size_t peak_block_bytes;    /* the largest block held in memory (input) */
};

/* Read CSV text from `in` (named in_name in messages), whose header names
 * every input column of the model (in any order; other columns, the target
 * among them, are ignored unless kept), and write to `out` one CSV line per
 * data row, in order: the kept columns, then the predictions in the format
 * `tunefold score` reads —
 *   binary      label,score            score: the probability of the positive
 *                                      (second) class
 *   multiclass  label,proba_<class>...
 *   regression  prediction
 *   clustering  cluster
 * — doubles as %.17g.  The input is read in blocks of rows: memory stays
 * bounded by a few blocks per thread whatever the file's size.  Errors, as
 * TUNE_EINVAL naming IN_NAME:LINE:COLUMN where there is one: a missing
 * input column, text in a numeric column, a category training never saw
 * (unless unseen_zero), a ragged row, bad CSV.  Lines already written stay
 * written.  `stats` may be NULL. */
int tune_model_predict_csv(const struct tune_model *m, FILE *in, const char *in_name, FILE *out,
                           const struct tune_model_csv_options *opts,
                           struct tune_model_csv_stats *stats, struct tune_error *err);

/* ---- making one: refit a study's trial ------------------------------------ */

struct tune_model_fit_options {
    size_t n_threads;                    /* trainer threads; 0: the cores */
    const volatile sig_atomic_t *cancel; /* may be NULL */
};

/* Refit `trial` (a COMPLETE trial of the stored study `study`, whose
 * configuration `cfg` is) on every row of the study's data: the
 * preprocessing fitted on all rows, the trainer with the trial's parameters
 * and a seed derived from the study seed, so refitting gives the same model.
 * The model carries the trial's cross-validated metrics.  Free *out with
 * tune_model_free().  An external trainer whose program saves no model is
 * TUNE_EUNSUPPORTED with one line saying so; a trial that did not complete,
 * or a score-mode study, is TUNE_EINVAL. */
int tune_model_fit(const struct tune_study_config *cfg, const struct tune_study_info *study,
                   const struct tune_trial *trial, const struct tune_model_fit_options *opts,
                   struct tune_model **out, struct tune_error *err);

#ifdef __cplusplus
}
#endif
#endif
