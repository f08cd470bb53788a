/* SPDX-License-Identifier: GPL-3.0-or-later */
/* registry.c — the built-in trainers by name.  Adding a model is one file in
 * trainers/ and one line here. */
#include "tunefold/trainer.h"

#include <math.h>
#include <string.h>

static const struct tune_trainer_type *const registry[] = {
    &tune_trainer_logistic,
    &tune_trainer_linear,
    &tune_trainer_naive_bayes,
    &tune_trainer_knn,
    &tune_trainer_kmeans,
    &tune_trainer_mlp,
    &tune_trainer_tree,
    &tune_trainer_forest,
    &tune_trainer_boosting,
    &tune_trainer_svm,
    &tune_trainer_liblinear,
    &tune_trainer_xgboost,
};
#define N_TRAINERS (sizeof registry / sizeof registry[0])

const struct tune_trainer_type *tune_trainer_find(const char *name)
{
    for (size_t i = 0; i < N_TRAINERS; i++)
        if (strcmp(registry[i]->name, name) == 0)
            return registry[i];
    return NULL;
}

const struct tune_trainer_type *tune_trainer_at(size_t i)
{
    return i < N_TRAINERS ? registry[i] : NULL;
}

long tune_trainer_hparam_index(const struct tune_trainer_type *t, const char *name)
{
    for (size_t i = 0; i < t->n_hparams; i++)
        if (strcmp(t->hparams[i].name, name) == 0)
            return (long)i;
    return -1;
}

int tune_hparam_accepts(const struct tune_hparam *h, double value)
{
    if (!isfinite(value))
        return 0;
    switch (h->type) {
    case TUNE_PARAM_FLOAT:
        return value >= h->low && value <= h->high;
    case TUNE_PARAM_INT:
        return value == floor(value) && value >= h->low && value <= h->high;
    case TUNE_PARAM_BOOL:
        return value == 0.0 || value == 1.0;
    case TUNE_PARAM_CATEGORICAL: {
        size_t n = 0;
        while (h->choices && h->choices[n])
            n++;
        return value == floor(value) && value >= 0 && value < (double)n;
    }
    }
    return 0;
}

int tune_trainer_check_params(const char *trainer, const struct tune_hparam *hp, size_t n_hp,
                              const struct tune_params *params, struct tune_error *err)
{
    if (!params || params->n < n_hp)
        return tune_error_set(err, TUNE_EINVAL, "%s: expected %zu hyperparameters, got %zu",
                              trainer, n_hp, params ? params->n : (size_t)0);
    for (size_t i = 0; i < n_hp; i++)
        if (!tune_hparam_accepts(&hp[i], params->values[i]))
            return tune_error_set(err, TUNE_EINVAL, "%s: %s: value %.17g is out of range",
                                  trainer, hp[i].name, params->values[i]);
    return TUNE_OK;
}

int tune_trainer_check_data(const char *trainer, unsigned tasks, const struct tune_matrix *x,
                            const double *y, const struct tune_fit_ctx *ctx,
                            struct tune_error *err)
{
    size_t n = x->n_rows, d = x->n_cols, k = ctx->n_classes;
    int classification = ctx->task == TUNE_TASK_BINARY || ctx->task == TUNE_TASK_MULTICLASS;
    if (!(tasks & ctx->task)) {
        int reg = (tasks & TUNE_TASK_REGRESSION) != 0;
        return tune_error_set(err, TUNE_EINVAL, "%s: task %s is not classification%s", trainer,
                              tune_task_name(ctx->task), reg ? " or regression" : "");
    }
    if (classification && (k < 2 || (ctx->task == TUNE_TASK_BINARY && k != 2)))
        return tune_error_set(err, TUNE_EINVAL, "%s: %zu classes for a %s task", trainer, k,
                              tune_task_name(ctx->task));
    if (n == 0)
        return tune_error_set(err, TUNE_EINVAL, "%s: no training rows", trainer);
    for (size_t i = 0; y && i < n; i++) {
        if (!isfinite(y[i]))
            return tune_error_set(err, TUNE_EINVAL, "%s: row %zu: target is not finite",
                                  trainer, i);
        if (classification && !(y[i] >= 0 && y[i] < (double)k && y[i] == floor(y[i])))
            return tune_error_set(err, TUNE_EINVAL, "%s: row %zu: class code %g is not in 0..%zu",
                                  trainer, i, y[i], k - 1);
    }
    for (size_t j = 0; j < d; j++)
        for (size_t i = 0; i < n; i++)
            if (!isfinite(x->data[j * n + i]))
                return tune_error_set(err, TUNE_EINVAL,
                                      "%s: row %zu, column %zu: value is not finite (impute "
                                      "missing values first)",
                                      trainer, i, j);
    return TUNE_OK;
}
