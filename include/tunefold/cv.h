/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cv.h — cross-validation splits: k-fold, stratified k-fold, repeated, holdout.
 *
 * Splits depend only on (seed, n_rows, labels), never on the trainer or the
 * search, so two studies with the same seed and data are evaluated on the
 * same folds and their fold scores can be paired.  A split is a list of row
 * indices (ascending within train and within valid), not a copy of the data. */
#ifndef TUNEFOLD_CV_H
#define TUNEFOLD_CV_H

#include <stddef.h>
#include <stdint.h>
#include "tunefold/error.h"

#ifdef __cplusplus
extern "C" {
#endif

struct tune_cv_config {
    size_t folds;        /* k >= 2; ignored when holdout > 0 */
    int stratified;      /* keep class proportions (classification only) */
    size_t repeats;      /* >= 1: repeat with a fresh shuffle each time */
    double holdout;      /* 0, or the validation fraction in (0, 1) of one split */
    int shuffle;         /* 1 (default): shuffle with the seed before splitting */
};

struct tune_split {
    size_t n_train, n_valid;
    size_t *train;       /* ascending row indices */
    size_t *valid;       /* ascending row indices */
};

struct tune_splits {
    size_t n;            /* folds * repeats (or repeats for holdout) */
    struct tune_split *splits;
};

/* Make the splits of n_rows rows.  `labels` (class codes, may be NULL) is
 * required when cfg->stratified.  Stratified k-fold: rows of each class are
 * shuffled and dealt to folds so every fold's count of each class differs
 * from the ideal n_c/k by less than one.  Errors name the cv key at fault
 * (more folds than rows, a class with fewer members than folds).
 * Free *out with tune_splits_free(). */
int tune_cv_split(const struct tune_cv_config *cfg, size_t n_rows, const double *labels,
                  size_t n_classes, uint64_t seed, struct tune_splits **out,
                  struct tune_error *err);

void tune_splits_free(struct tune_splits *s);

#ifdef __cplusplus
}
#endif
#endif
