/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tree_testutil.h — helpers shared by test_tree.c, test_forest.c and
 * test_boosting.c: hyperparameters by name, fit and predict that assert
 * success, small matrices. */
#ifndef TUNEFOLD_TREE_TESTUTIL_H
#define TUNEFOLD_TREE_TESTUTIL_H

#include "testutil.h"
#include "tunefold/trainer.h"

#define TT_MAX_HP 32

/* Hyperparameter values by name, starting from the declared defaults. */
struct tt_hp {
    const struct tune_trainer_type *t;
    double values[TT_MAX_HP];
    const char *names[TT_MAX_HP];
    const char *strings[TT_MAX_HP];
    struct tune_params params;
};

static inline void tt_hp_init(struct tt_hp *h, const struct tune_trainer_type *t)
{
    cr_assert_leq(t->n_hparams, TT_MAX_HP);
    h->t = t;
    for (size_t i = 0; i < t->n_hparams; i++) {
        h->names[i] = t->hparams[i].name;
        h->values[i] = t->hparams[i].def;
        h->strings[i] = t->hparams[i].choices ? t->hparams[i].choices[(size_t)t->hparams[i].def]
                                               : NULL;
    }
    h->params = (struct tune_params){t->n_hparams, h->names, h->values, h->strings};
}

static inline void tt_set(struct tt_hp *h, const char *name, double v)
{
    long i = tune_trainer_hparam_index(h->t, name);
    cr_assert_geq(i, 0, "no hyperparameter %s", name);
    h->values[i] = v;
}

static inline void tt_choose(struct tt_hp *h, const char *name, const char *choice)
{
    long i = tune_trainer_hparam_index(h->t, name);
    cr_assert_geq(i, 0, "no hyperparameter %s", name);
    const char *const *c = h->t->hparams[i].choices;
    for (size_t k = 0; c && c[k]; k++)
        if (strcmp(c[k], choice) == 0) {
            h->values[i] = (double)k;
            h->strings[i] = c[k];
            return;
        }
    cr_assert_fail("%s has no choice %s", name, choice);
}

static inline struct tune_fit_ctx tt_ctx(enum tune_task task, size_t k, uint64_t seed)
{
    struct tune_fit_ctx ctx = {.task = task, .n_classes = k, .seed = seed, .n_threads = 1};
    return ctx;
}

static inline void *tt_fit(const struct tt_hp *h, const struct tune_matrix *x, const double *y,
                           const struct tune_fit_ctx *ctx)
{
    struct tune_error err = {0};
    void *model = NULL;
    int rc = h->t->fit(x, y, ctx, &h->params, &model, &err);
    cr_assert_eq(rc, TUNE_OK, "%s fit failed: %s", h->t->name, err.msg);
    cr_assert_not_null(model);
    return model;
}

/* Fit and expect failure; returns the message (static storage of err). */
static inline int tt_fit_fails(const struct tt_hp *h, const struct tune_matrix *x,
                               const double *y, const struct tune_fit_ctx *ctx,
                               struct tune_error *err)
{
    void *model = NULL;
    int rc = h->t->fit(x, y, ctx, &h->params, &model, err);
    cr_assert_neq(rc, TUNE_OK, "%s fit should fail", h->t->name);
    cr_assert_null(model);
    return rc;
}

static inline void tt_predict(const struct tt_hp *h, const void *model,
                              const struct tune_matrix *x, enum tune_task task, size_t k,
                              struct tune_predictions *out)
{
    struct tune_error err = {0};
    cr_assert_eq(tune_predictions_init(out, task, x->n_rows, k, task != TUNE_TASK_REGRESSION,
                                       &err), TUNE_OK);
    int rc = h->t->predict(model, x, out, &err);
    cr_assert_eq(rc, TUNE_OK, "%s predict failed: %s", h->t->name, err.msg);
}

/* A column-major matrix over borrowed data. */
static inline struct tune_matrix tt_matrix(const double *data, size_t n, size_t d)
{
    struct tune_matrix m = {n, d, (double *)(uintptr_t)data};
    return m;
}

/* Importances of a model; asserts they are finite, >= 0, and sum to 1 or 0. */
static inline double tt_importances(const struct tt_hp *h, const void *model, double *out,
                                    size_t d)
{
    struct tune_error err = {0};
    cr_assert_not_null(h->t->importances, "%s has no importances", h->t->name);
    cr_assert_eq(h->t->importances(model, out, d, &err), TUNE_OK, "%s", err.msg);
    double s = 0;
    for (size_t j = 0; j < d; j++) {
        cr_assert(isfinite(out[j]) && out[j] >= 0, "importance %zu = %g", j, out[j]);
        s += out[j];
    }
    return s;
}

/* A seeded uniform in [0, 1) (xorshift64*), for test data. */
static inline double tt_uniform(uint64_t *state)
{
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return (double)((*state * 0x2545F4914F6CDD1Dull) >> 11) * 0x1.0p-53;
}

#endif
