/* SPDX-License-Identifier: GPL-3.0-or-later */
/* svm.h — internal to the library and its tests: the `svm` trainer's
 * prediction through LIBSVM's own svm_predict_values, row by row (what its
 * dense prediction reproduces to the bit; tests compare the two). */
#ifndef TUNEFOLD_TRAINERS_SVM_H
#define TUNEFOLD_TRAINERS_SVM_H

#include "tunefold/trainer.h"

int tune_svm_predict_libsvm(const void *model, const struct tune_matrix *x,
                            struct tune_predictions *out, struct tune_error *err);

#endif
