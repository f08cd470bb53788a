/* SPDX-License-Identifier: GPL-3.0-or-later */
/* predictions.h — the predictions CSV format: what `tunefold score` reads
 * and what an external trainer writes for each validation fold.
 *
 * A header row, then one row per predicted row, in the order of the truth:
 *
 *   binary       score[,label]       score: any real score of the positive
 *                                    class (a probability, a margin, ...);
 *                                    label: the predicted class, else
 *                                    score >= threshold gives the positive.
 *                or proba_<c>,...[,label]
 *                                    one probability column per class, as
 *                                    for multiclass (score = proba of the
 *                                    positive class).
 *   multiclass   proba_<c>,...[,label]
 *                                    one column per class c, rows summing to
 *                                    1 within 1e-6; label: else the most
 *                                    probable class (the first on ties).
 *   regression   prediction
 *
 * Column order is free; any other column is an error (it is most often a
 * misspelt one).  Class names are matched as text, and as numbers when both
 * sides read as numbers ("1" is "1.0").  Every error names the file, the
 * line and, where there is one, the column: "pred.csv:14:2: score is NaN".
 */
#ifndef TUNEFOLD_PREDICTIONS_H
#define TUNEFOLD_PREDICTIONS_H

#include <stddef.h>
#include "tunefold/dataset.h"
#include "tunefold/error.h"
#include "tunefold/trainer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Options of the reader; zero-initialised means the defaults below. */
struct tune_predictions_csv_opts {
    int has_threshold;  /* 0: 0.5 */
    double threshold;   /* binary without a label column: positive when score >= threshold */
};

/* What the reader found, for a caller that cares. */
struct tune_predictions_csv_info {
    int has_label;               /* labels were read, not derived */
    int has_proba_columns;       /* proba_<class> columns (else score / prediction) */
    int scores_are_probabilities;/* binary: every score in [0, 1] (log loss and
                                    Brier are meaningful) */
};

/* Read predictions for `expected_rows` rows (0: any number) of `task` with
 * classes class_names[0..n_classes) (codes in that order; binary: code 1 is
 * the positive class; regression: n_classes 0, class_names NULL).  On
 * success *out is the caller's: release with tune_predictions_release().
 * For binary, out->proba[2i + 1] is the score and out->proba[2i] = 1 - score.
 * Errors (TUNE_EINVAL, out zeroed) name path:line:column. */
int tune_predictions_read_csv(const char *path, enum tune_task task, size_t n_classes,
                              const char *const *class_names, size_t expected_rows,
                              struct tune_predictions *out, struct tune_error *err);

/* The same from a table already read (tune_table_read_csv); `opts` and
 * `info` may be NULL.  The table stays the caller's. */
int tune_predictions_from_table(const struct tune_table *t, enum tune_task task,
                                size_t n_classes, const char *const *class_names,
                                size_t expected_rows,
                                const struct tune_predictions_csv_opts *opts,
                                struct tune_predictions_csv_info *info,
                                struct tune_predictions *out, struct tune_error *err);

/* Write `p` in the format above (label and score / proba_<c> columns, or
 * prediction), doubles as %.17g, so that reading the file gives back the
 * same predictions.  Binary writes label,score. */
int tune_predictions_write_csv(const char *path, enum tune_task task,
                               const struct tune_predictions *p,
                               const char *const *class_names, struct tune_error *err);

/* Truth from column `col` of t into out[0..t->n_rows): class codes (index
 * into class_names) for classification, values for regression.  A missing
 * cell, a label that is not a class, or text in a regression column is
 * TUNE_EINVAL naming path:line:column. */
int tune_truth_from_table(const struct tune_table *t, size_t col, enum tune_task task,
                          size_t n_classes, const char *const *class_names, double *out,
                          struct tune_error *err);

/* The text of cell (row, col): the categorical level, or the shortest text
 * that reads back as the number ("1", "2.5"); "" for a missing cell. */
void tune_table_cell_text(const struct tune_table *t, size_t row, size_t col, char *buf,
                          size_t len);

/* Index of `name` among class_names[0..n) (text match, else numeric match
 * when both read as numbers), or -1. */
long tune_class_index(const char *const *class_names, size_t n, const char *name);

/* Class names, in place: sorted (numeric order when every name reads as a
 * number, else byte order) and made unique (a name equal to an earlier one
 * is freed); *n is updated.  names are malloc'ed strings. */
void tune_class_names_sort_unique(char **names, size_t *n);

#ifdef __cplusplus
}
#endif
#endif
