/* SPDX-License-Identifier: GPL-3.0-or-later */
/* preprocess.h — imputation, scaling and one-hot encoding, fitted on a
 * training fold only and then applied to that fold and its validation fold.
 *
 * Output is a dense column-major tune_matrix: numeric columns first in file
 * order (imputed, then scaled), then the one-hot indicator columns of each
 * categorical column (a level unseen in training gives all zeros; a missing
 * categorical value is imputed with the training mode). Without one-hot, a
 * categorical column passes through as its level code (imputed). */
#ifndef TUNEFOLD_PREPROCESS_H
#define TUNEFOLD_PREPROCESS_H

#include <stddef.h>
#include "tunefold/error.h"
#include "tunefold/dataset.h"
#include "tunefold/trainer.h"

#ifdef __cplusplus
extern "C" {
#endif

enum tune_impute { TUNE_IMPUTE_NONE = 0, TUNE_IMPUTE_MEAN, TUNE_IMPUTE_MEDIAN,
                   TUNE_IMPUTE_MOST_FREQUENT };
enum tune_scale { TUNE_SCALE_NONE = 0, TUNE_SCALE_STANDARD, TUNE_SCALE_MINMAX };

struct tune_prep_config {
    enum tune_impute impute;  /* default mean */
    enum tune_scale scale;    /* default none */
    int one_hot;              /* default 1 */
};

const char *tune_impute_name(enum tune_impute v);
const char *tune_scale_name(enum tune_scale v);
/* Parse names; return -1 if unknown. */
int tune_impute_parse(const char *s);
int tune_scale_parse(const char *s);

struct tune_prep;   /* opaque fitted state */

/* Fit on the rows `rows[0..n)` of ds.  A missing value with impute "none" is
 * an error naming the column.  Free with tune_prep_free(). */
int tune_prep_fit(const struct tune_prep_config *cfg, const struct tune_dataset *ds,
                  const size_t *rows, size_t n, struct tune_prep **out,
                  struct tune_error *err);

/* Number of output columns. */
size_t tune_prep_n_out(const struct tune_prep *p);

/* Transform rows of ds into a newly allocated matrix (caller frees
 * out->data with free()). */
int tune_prep_transform(const struct tune_prep *p, const struct tune_dataset *ds,
                        const size_t *rows, size_t n, struct tune_matrix *out,
                        struct tune_error *err);

/* The name of output column j (0 <= j < n_out) written to buf: the input
 * column's name, or "name=level" for a one-hot indicator.  `ds` must be the
 * dataset the preprocessing was fitted on. */
void tune_prep_out_name(const struct tune_prep *p, const struct tune_dataset *ds, size_t j,
                        char *buf, size_t len);

void tune_prep_free(struct tune_prep *p);

/* The settings the preprocessing was fitted with (borrowed). */
const struct tune_prep_config *tune_prep_config_of(const struct tune_prep *p);

/* ---- in a model file (tunefold/model.h) ----
 * The fitted state — the settings, then per input column its kind, the
 * imputation value, centre and scale, and the one-hot slot of every level —
 * written through the model writer of trainer.h; the input columns' names
 * and levels are the model file's own (they are the dataset's, not the
 * preprocessing's).  tune_prep_load checks the state against those columns
 * (kinds and level counts must match, every value usable: a finite centre,
 * a finite non-zero scale, an imputed level that exists, slots 0, 1, 2 ...
 * in level order) and rebuilds the output layout as fit does, so a loaded
 * preprocessing transforms bit for bit as the fitted one.  Free *out with
 * tune_prep_free. */
int tune_prep_save(const struct tune_prep *p, struct tune_model_writer *w);
int tune_prep_load(struct tune_model_reader *r, const struct tune_column *cols, size_t n_cols,
                   struct tune_prep **out, struct tune_error *err);

#ifdef __cplusplus
}
#endif
#endif
