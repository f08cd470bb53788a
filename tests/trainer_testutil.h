/* SPDX-License-Identifier: GPL-3.0-or-later */
/* trainer_testutil.h — helpers shared by the trainer tests: hyperparameter
 * values by name (starting from the declared defaults), fit and predict that
 * assert success, reading a numeric CSV as a column-major matrix.
 * Include after testutil.h. */
#ifndef TUNEFOLD_TRAINER_TESTUTIL_H
#define TUNEFOLD_TRAINER_TESTUTIL_H

#include "testutil.h"
#include "tunefold/trainer.h"

#define TT_MAX_HP 32

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
        h->strings[i] = t->hparams[i].type == TUNE_PARAM_CATEGORICAL
                            ? t->hparams[i].choices[(size_t)t->hparams[i].def]
                            : NULL;
    }
    h->params = (struct tune_params){t->n_hparams, h->names, h->values, h->strings};
}

static inline void tt_hp_set(struct tt_hp *h, const char *name, double v)
{
    long i = tune_trainer_hparam_index(h->t, name);
    cr_assert_geq(i, 0, "no hyperparameter %s", name);
    h->values[i] = v;
}

/* Set a categorical by its choice name. */
static inline void tt_hp_choose(struct tt_hp *h, const char *name, const char *choice)
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

/* The declared hyperparameter `name` (asserts it exists). */
static inline const struct tune_hparam *tt_hparam(const struct tune_trainer_type *t,
                                                  const char *name)
{
    long i = tune_trainer_hparam_index(t, name);
    cr_assert_geq(i, 0, "no hyperparameter %s", name);
    return &t->hparams[i];
}

/* Fit with a context; asserts success. */
static inline void *tt_fit_ctx(const struct tt_hp *h, const struct tune_matrix *x,
                               const double *y, const struct tune_fit_ctx *ctx)
{
    struct tune_error err = {0};
    void *model = NULL;
    int rc = h->t->fit(x, y, ctx, &h->params, &model, &err);
    cr_assert_eq(rc, TUNE_OK, "%s fit failed: %s", h->t->name, err.msg);
    cr_assert_not_null(model);
    return model;
}

static inline void *tt_fit(const struct tt_hp *h, const struct tune_matrix *x, const double *y,
                           enum tune_task task, size_t n_classes, uint64_t seed)
{
    struct tune_fit_ctx ctx = {.task = task, .n_classes = n_classes, .seed = seed,
                               .n_threads = 1};
    return tt_fit_ctx(h, x, y, &ctx);
}

/* Fit expected to fail: returns the status, the message in *err. */
static inline int tt_fit_fails(const struct tt_hp *h, const struct tune_matrix *x,
                               const double *y, enum tune_task task, size_t n_classes,
                               struct tune_error *err)
{
    struct tune_fit_ctx ctx = {.task = task, .n_classes = n_classes, .seed = 1, .n_threads = 1};
    void *model = NULL;
    int rc = h->t->fit(x, y, &ctx, &h->params, &model, err);
    cr_assert_neq(rc, TUNE_OK, "%s fit should have failed", h->t->name);
    cr_assert_null(model);
    return rc;
}

/* Predictions for x (initialised for `task`, with probabilities for
 * classification); asserts success.  Release with tune_predictions_release. */
static inline void tt_predict(const struct tt_hp *h, const void *model,
                              const struct tune_matrix *x, enum tune_task task, size_t n_classes,
                              struct tune_predictions *out)
{
    struct tune_error err = {0};
    int with_proba = task == TUNE_TASK_BINARY || task == TUNE_TASK_MULTICLASS;
    cr_assert_eq(tune_predictions_init(out, task, x->n_rows, n_classes, with_proba, &err),
                 TUNE_OK);
    int rc = h->t->predict(model, x, out, &err);
    cr_assert_eq(rc, TUNE_OK, "%s predict failed: %s", h->t->name, err.msg);
}

/* A numeric CSV with a header row, as a column-major matrix (all columns). */
static inline struct tune_matrix tt_read_csv(const char *path)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "cannot open %s", path);
    size_t line_cap = 1 << 16;
    char *line = malloc(line_cap);
    cr_assert_not_null(fgets(line, (int)line_cap, f));
    size_t cols = 1;
    for (const char *s = line; *s; s++)
        cols += *s == ',';
    size_t cap = 1024, rows = 0;
    double *rm = malloc(cap * cols * sizeof *rm);
    while (fgets(line, (int)line_cap, f)) {
        if (rows == cap)
            rm = realloc(rm, (cap *= 2) * cols * sizeof *rm);
        char *s = line;
        for (size_t j = 0; j < cols; j++) {
            char *end;
            rm[rows * cols + j] = strtod(s, &end);
            cr_assert_neq(end, s, "%s: row %zu: bad number", path, rows + 1);
            s = end + (*end == ',');
        }
        rows++;
    }
    fclose(f);
    free(line);
    struct tune_matrix m = {rows, cols, malloc(rows * cols * sizeof(double))};
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++)
            m.data[j * rows + i] = rm[i * cols + j];
    free(rm);
    return m;
}

/* Split the last column off as y (malloc'ed); m keeps the features. */
static inline double *tt_split_target(struct tune_matrix *m)
{
    size_t n = m->n_rows;
    m->n_cols--;
    double *y = malloc(n * sizeof *y);
    memcpy(y, m->data + m->n_cols * n, n * sizeof *y);
    return y;
}

/* Standardise every column with its own mean and population std (a
 * constant column becomes zeros). */
static inline void tt_standardise(struct tune_matrix *m)
{
    size_t n = m->n_rows;
    for (size_t j = 0; j < m->n_cols; j++) {
        double *c = m->data + j * n, mean = 0, var = 0;
        for (size_t i = 0; i < n; i++)
            mean += c[i];
        mean /= (double)n;
        for (size_t i = 0; i < n; i++)
            var += (c[i] - mean) * (c[i] - mean);
        double sd = sqrt(var / (double)n);
        for (size_t i = 0; i < n; i++)
            c[i] = sd > 0 ? (c[i] - mean) / sd : 0.0;
    }
}

#endif
