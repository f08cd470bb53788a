/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libtrainer_testutil.h — helpers shared by test_svm.c, test_liblinear.c and
 * test_xgboost.c: the known answers of tests/data/libtrainers_ref.txt
 * (written by bench/reference/libtrainers_ref.py from scikit-learn and the
 * Python XGBoost package) replayed on the same folds, hyperparameters from
 * "name=value,..." text, the shipped datasets standardised.
 * Include after trainer_testutil.h. */
#ifndef TUNEFOLD_LIBTRAINER_TESTUTIL_H
#define TUNEFOLD_LIBTRAINER_TESTUTIL_H

#include "trainer_testutil.h"
#include "tunefold/metrics.h"

#define LT_REF_PATH "tests/data/libtrainers_ref.txt"
#define LT_FOLDS 5

/* A shipped dataset (data/NAME.csv, target last) with standardised
 * features, and its task. */
struct lt_data {
    struct tune_matrix x;
    double *y;
    enum tune_task task;
    size_t k;
};

static inline void lt_load(const char *name, struct lt_data *d)
{
    char path[256];
    snprintf(path, sizeof path, "data/%s.csv", name);
    d->x = tt_read_csv(path);
    d->y = tt_split_target(&d->x);
    tt_standardise(&d->x);
    d->task = strcmp(name, "diabetes") == 0 ? TUNE_TASK_REGRESSION
              : strcmp(name, "wine") == 0   ? TUNE_TASK_MULTICLASS
                                            : TUNE_TASK_BINARY;
    d->k = d->task == TUNE_TASK_REGRESSION ? 0 : d->task == TUNE_TASK_BINARY ? 2 : 3;
}

static inline void lt_free(struct lt_data *d)
{
    free(d->x.data);
    free(d->y);
}

/* Rows of x (column-major) whose index i has (i % LT_FOLDS == f) == in. */
static inline struct tune_matrix lt_rows(const struct tune_matrix *x, const double *y, size_t f,
                                         int in, double **y_out)
{
    size_t n = x->n_rows, m = 0;
    for (size_t i = 0; i < n; i++)
        m += (i % LT_FOLDS == f) == in;
    struct tune_matrix out = {m, x->n_cols, malloc((m * x->n_cols + 1) * sizeof(double))};
    *y_out = malloc((m + 1) * sizeof **y_out);
    for (size_t j = 0; j < x->n_cols; j++) {
        size_t r = 0;
        for (size_t i = 0; i < n; i++)
            if ((i % LT_FOLDS == f) == in)
                out.data[j * m + r++] = x->data[j * n + i];
    }
    size_t r = 0;
    for (size_t i = 0; i < n; i++)
        if ((i % LT_FOLDS == f) == in)
            (*y_out)[r++] = y[i];
    return out;
}

/* Apply "name=value,name=value" ("-": none) to h: a categorical by its
 * choice name, anything else as a number. */
static inline void lt_apply(struct tt_hp *h, const char *spec)
{
    if (strcmp(spec, "-") == 0)
        return;
    char buf[512];
    snprintf(buf, sizeof buf, "%s", spec);
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        cr_assert_not_null(eq, "bad parameter %s", tok);
        *eq = '\0';
        const struct tune_hparam *hp = tt_hparam(h->t, tok);
        if (hp->type == TUNE_PARAM_CATEGORICAL)
            tt_hp_choose(h, tok, eq + 1);
        else
            tt_hp_set(h, tok, strtod(eq + 1, NULL));
    }
}

/* The metric `metric` of each fold for trainer t with params `spec` on
 * `d`, fitted with the given seed and threads, into out[0..LT_FOLDS). */
static inline void lt_fold_scores(const struct tune_trainer_type *t, const struct lt_data *d,
                                  const char *spec, uint64_t seed, size_t threads,
                                  const char *metric, double *out)
{
    struct tt_hp h;
    tt_hp_init(&h, t);
    lt_apply(&h, spec);
    const struct tune_metric_def *def = tune_metric_find(metric);
    cr_assert_not_null(def, "no metric %s", metric);
    for (size_t f = 0; f < LT_FOLDS; f++) {
        double *ytr, *yva;
        struct tune_matrix xtr = lt_rows(&d->x, d->y, f, 0, &ytr);
        struct tune_matrix xva = lt_rows(&d->x, d->y, f, 1, &yva);
        struct tune_fit_ctx ctx = {.task = d->task, .n_classes = d->k, .seed = seed,
                                   .n_threads = threads};
        void *model = tt_fit_ctx(&h, &xtr, ytr, &ctx);
        struct tune_predictions p;
        tt_predict(&h, model, &xva, d->task, d->k, &p);
        out[f] = def->compute(yva, &p);
        tune_predictions_release(&p);
        t->free_model(model);
        free(xtr.data);
        free(xva.data);
        free(ytr);
        free(yva);
    }
}

struct lt_log {
    size_t n;
    size_t step[1024];
    double value[1024];
    size_t stop_at;        /* ask to stop at this step (0: never) */
};

/* The report callback of a fit context, into a struct lt_log. */
static inline int lt_record(void *arg, size_t step, double value)
{
    struct lt_log *l = arg;
    if (l->n < 1024) {
        l->step[l->n] = step;
        l->value[l->n] = value;
    }
    l->n++;
    return l->stop_at && step >= l->stop_at;
}

/* Feature importances of a model fitted on every row of d. */
static inline void lt_importances(const struct tune_trainer_type *t, const struct lt_data *d,
                                  const char *spec, uint64_t seed, size_t threads, double *out)
{
    struct tt_hp h;
    tt_hp_init(&h, t);
    lt_apply(&h, spec);
    struct tune_fit_ctx ctx = {.task = d->task, .n_classes = d->k, .seed = seed,
                               .n_threads = threads};
    void *model = tt_fit_ctx(&h, &d->x, d->y, &ctx);
    struct tune_error err = {0};
    cr_assert_not_null(t->importances, "%s has no importances", t->name);
    cr_assert_eq(t->importances(model, out, d->x.n_cols, &err), TUNE_OK, "%s", err.msg);
    t->free_model(model);
}

/* The intermediate values reported while fitting fold 0 with the
 * validation rows in the fit context. */
static inline void lt_intermediate(const struct tune_trainer_type *t, const struct lt_data *d,
                                   const char *spec, uint64_t seed, size_t threads,
                                   struct lt_log *log)
{
    struct tt_hp h;
    tt_hp_init(&h, t);
    lt_apply(&h, spec);
    double *ytr, *yva;
    struct tune_matrix xtr = lt_rows(&d->x, d->y, 0, 0, &ytr);
    struct tune_matrix xva = lt_rows(&d->x, d->y, 0, 1, &yva);
    struct tune_fit_ctx ctx = {.task = d->task, .n_classes = d->k, .seed = seed,
                               .n_threads = threads, .report = lt_record, .report_arg = log,
                               .x_valid = &xva, .y_valid = yva};
    void *model = tt_fit_ctx(&h, &xtr, ytr, &ctx);
    t->free_model(model);
    free(xtr.data);
    free(xva.data);
    free(ytr);
    free(yva);
}

static inline void lt_expect_close(const struct tune_trainer_type *t, const char *ds,
                                   const char *spec, const char *what, size_t i, double ours,
                                   double ref, double tol)
{
    double scale = fabs(ref) > 1 ? fabs(ref) : 1;
    cr_expect(fabs(ours - ref) <= tol * scale, "%s %s %s: %s [%zu] = %.17g, reference %.17g",
              t->name, ds, spec, what, i, ours, ref);
}

/* Replay every line of the reference file for trainer t: each fold's
 * metric (each importance, each intermediate value) within tol (relative
 * above 1) of the reference.  Returns the number of lines checked. */
static inline size_t lt_check_reference(const struct tune_trainer_type *t, uint64_t seed,
                                        size_t threads, double tol)
{
    FILE *fh = fopen(LT_REF_PATH, "r");
    cr_assert_not_null(fh, "cannot open %s", LT_REF_PATH);
    static char line[1 << 16];
    char cur_ds[64] = "";
    struct lt_data d = {0};
    size_t checked = 0;
    while (fgets(line, sizeof line, fh)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        char trainer[64], ds[64], spec[512], metric[64];
        int used = 0;
        int got = sscanf(line, "%63s %63s %511s %63s%n", trainer, ds, spec, metric, &used);
        cr_assert_eq(got, 4, "bad line in %s: %s", LT_REF_PATH, line);
        if (strcmp(trainer, t->name) != 0)
            continue;
        static double ref[1024];
        size_t n_ref = 0;
        for (char *p = line + used, *end; n_ref < 1024; p = end) {
            ref[n_ref] = strtod(p, &end);
            if (end == p)
                break;
            n_ref++;
        }
        if (strcmp(ds, cur_ds) != 0) {
            if (cur_ds[0])
                lt_free(&d);
            lt_load(ds, &d);
            snprintf(cur_ds, sizeof cur_ds, "%s", ds);
        }
        if (strcmp(metric, "importances") == 0) {
            cr_assert_eq(n_ref, d.x.n_cols, "%s: %zu importances for %zu columns", ds, n_ref,
                         d.x.n_cols);
            double ours[1024];
            lt_importances(t, &d, spec, seed, threads, ours);
            for (size_t j = 0; j < n_ref; j++)
                lt_expect_close(t, ds, spec, metric, j, ours[j], ref[j], tol);
        } else if (strcmp(metric, "intermediate") == 0) {
            static struct lt_log log;
            memset(&log, 0, sizeof log);
            lt_intermediate(t, &d, spec, seed, threads, &log);
            cr_expect_eq(log.n, n_ref, "%s %s: %zu intermediate values, reference %zu", ds, spec,
                         log.n, n_ref);
            for (size_t i = 0; i < n_ref && i < log.n; i++) {
                cr_expect_eq(log.step[i], i + 1);
                lt_expect_close(t, ds, spec, metric, i, log.value[i], ref[i], tol);
            }
        } else {
            cr_assert_eq(n_ref, LT_FOLDS, "bad line in %s: %s", LT_REF_PATH, line);
            double ours[LT_FOLDS];
            lt_fold_scores(t, &d, spec, seed, threads, metric, ours);
            for (size_t f = 0; f < LT_FOLDS; f++)
                lt_expect_close(t, ds, spec, metric, f, ours[f], ref[f], tol);
        }
        checked++;
    }
    fclose(fh);
    if (cur_ds[0])
        lt_free(&d);
    return checked;
}

#endif
