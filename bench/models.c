/* SPDX-License-Identifier: GPL-3.0-or-later */
/* models.c — the C side of bench/bench_models.py: fits one built-in trainer
 * through the public trainer interface and prints JSON on one line.
 *
 *   models time TRAINER TASK TRAIN.csv [TEST.csv] [options] [name=value ...]
 *       fit on every row of TRAIN.csv (last column the target; ignored for
 *       clustering) `--repeats` times, and predict TEST.csv after each fit;
 *       prints the fastest fit and predict seconds (and, for kmeans, the
 *       iterations of that fit).
 *   models cv TRAINER TASK DATA.csv FOLDS.txt [options] [name=value ...]
 *       cross-validate on the folds given (FOLDS.txt: one fold number per
 *       row of DATA.csv, the same folds the scikit-learn side uses), each
 *       training fold standard-scaled by tunefold's preprocessing; prints
 *       the mean validation score per seed: accuracy (classification), R^2
 *       (regression), or for clustering the inertia of the training fold
 *       (the sum of squared distances of its rows to their centres).
 *
 * Options: --threads N (ctx.n_threads, default 1), --seeds S1,S2,...
 * (default 0), --repeats N (time, default 3).  Hyperparameters are given as
 * name=value, a categorical by its choice name.  Exit 2 on bad usage. */
#include "tunefold/dataset.h"
#include "tunefold/kmeans.h"
#include "tunefold/metrics.h"
#include "tunefold/preprocess.h"
#include "tunefold/trainer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *msg, const char *arg)
{
    fprintf(stderr, "models: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
    exit(2);
}

struct setup {
    const struct tune_trainer_type *t;
    enum tune_task task;
    double values[64];
    const char *names[64], *strings[64];
    struct tune_params params;
    size_t threads;
    uint64_t seeds[64];
    size_t n_seeds;
    int repeats;
};

static void parse_options(struct setup *s, int argc, char **argv, int first)
{
    const struct tune_trainer_type *t = s->t;
    for (size_t i = 0; i < t->n_hparams; i++) {
        s->names[i] = t->hparams[i].name;
        s->values[i] = t->hparams[i].def;
        s->strings[i] = t->hparams[i].type == TUNE_PARAM_CATEGORICAL
                            ? t->hparams[i].choices[(size_t)t->hparams[i].def]
                            : NULL;
    }
    s->params = (struct tune_params){t->n_hparams, s->names, s->values, s->strings};
    s->threads = 1;
    s->n_seeds = 1;
    s->seeds[0] = 0;
    s->repeats = 3;
    for (int a = first; a < argc; a++) {
        const char *arg = argv[a];
        if (strcmp(arg, "--threads") == 0 && a + 1 < argc) {
            s->threads = (size_t)atoi(argv[++a]);
        } else if (strcmp(arg, "--repeats") == 0 && a + 1 < argc) {
            s->repeats = atoi(argv[++a]);
        } else if (strcmp(arg, "--seeds") == 0 && a + 1 < argc) {
            char *p = argv[++a];
            s->n_seeds = 0;
            while (*p && s->n_seeds < 64) {
                s->seeds[s->n_seeds++] = strtoull(p, &p, 10);
                p += *p == ',';
            }
        } else {
            const char *eq = strchr(arg, '=');
            if (!eq)
                die("expected name=value", arg);
            char name[128];
            snprintf(name, sizeof name, "%.*s", (int)(eq - arg), arg);
            long i = tune_trainer_hparam_index(t, name);
            if (i < 0)
                die("no such hyperparameter", name);
            const struct tune_hparam *h = &t->hparams[i];
            if (h->type == TUNE_PARAM_CATEGORICAL) {
                size_t k = 0;
                while (h->choices[k] && strcmp(h->choices[k], eq + 1) != 0)
                    k++;
                if (!h->choices[k])
                    die("no such choice", arg);
                s->values[i] = (double)k;
                s->strings[i] = h->choices[k];
            } else {
                s->values[i] = strtod(eq + 1, NULL);
            }
        }
    }
}

/* The value of hyperparameter `name` (it must exist). */
static double param(const struct setup *s, const char *name)
{
    long i = tune_trainer_hparam_index(s->t, name);
    if (i < 0)
        die("no such hyperparameter", name);
    return s->values[i];
}

static struct tune_dataset *load(const char *path, enum tune_task task)
{
    struct tune_dataset *ds = NULL;
    struct tune_error err = {0};
    /* clustering: the target column is read as a regression target and
     * ignored */
    if (tune_dataset_load(path, "target", task == TUNE_TASK_CLUSTERING ? TUNE_TASK_REGRESSION
                                                                       : task,
                          &ds, &err))
        die(err.msg, NULL);
    return ds;
}

static int predict_rows(const struct setup *s, const void *model, const struct tune_matrix *x,
                        size_t n_classes, struct tune_predictions *p, struct tune_error *err)
{
    int classif = s->task == TUNE_TASK_BINARY || s->task == TUNE_TASK_MULTICLASS;
    int rc = tune_predictions_init(p, s->task, x->n_rows, n_classes, classif, err);
    if (!rc && s->task == TUNE_TASK_CLUSTERING) {
        p->value = calloc(x->n_rows + 1, sizeof *p->value);   /* squared distances */
        if (!p->value)
            rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
    }
    return rc ? rc : s->t->predict(model, x, p, err);
}

static int cmd_time(struct setup *s, const char *train_path, const char *test_path)
{
    struct tune_dataset *tr = load(train_path, s->task), *te = test_path ? load(test_path, s->task)
                                                                         : NULL;
    struct tune_matrix x = {tr->n_rows, tr->n_features, tr->x};
    struct tune_fit_ctx ctx = {.task = s->task, .n_classes = tr->n_classes, .seed = s->seeds[0],
                               .n_threads = s->threads};
    double best_fit = INFINITY, best_pred = INFINITY;
    for (int r = 0; r < s->repeats; r++) {
        struct tune_error err = {0};
        void *model = NULL;
        double t0 = now();
        if (s->t->fit(&x, tr->y, &ctx, &s->params, &model, &err))
            die(err.msg, NULL);
        double t1 = now();
        best_fit = fmin(best_fit, t1 - t0);
        if (te) {
            struct tune_matrix xt = {te->n_rows, te->n_features, te->x};
            struct tune_predictions p = {0};
            double t2 = now();
            if (predict_rows(s, model, &xt, tr->n_classes, &p, &err))
                die(err.msg, NULL);
            best_pred = fmin(best_pred, now() - t2);
            tune_predictions_release(&p);
        }
        s->t->free_model(model);
    }
    /* k-means: the iterations of the same fit, through the direct API */
    size_t n_iter = 0;
    if (strcmp(s->t->name, "kmeans") == 0) {
        struct tune_kmeans_options o;
        struct tune_kmeans *km = NULL;
        struct tune_error err = {0};
        tune_kmeans_options_init(&o, (size_t)param(s, "n_clusters"));
        o.init = (enum tune_kmeans_init)(int)param(s, "init");
        o.n_init = (size_t)param(s, "n_init");
        o.max_iter = (size_t)param(s, "max_iter");
        o.tol = param(s, "tol");
        o.algorithm = (enum tune_kmeans_algorithm)(int)param(s, "algorithm");
        o.seed = s->seeds[0];
        o.n_threads = s->threads;
        if (tune_kmeans_fit(&x, &o, &km, &err))
            die(err.msg, NULL);
        n_iter = km->n_iter;
        tune_kmeans_free(km);
    }
    printf("{\"fit\": %.6f, \"predict\": %.6f, \"rows\": %zu, \"cols\": %zu, "
           "\"n_iter\": %zu}\n", best_fit, te ? best_pred : 0.0, tr->n_rows, tr->n_features,
           n_iter);
    tune_dataset_free(tr);
    tune_dataset_free(te);
    return 0;
}

static int cmd_cv(struct setup *s, const char *data_path, const char *folds_path)
{
    struct tune_dataset *ds = load(data_path, s->task);
    size_t n = ds->n_rows;
    int *fold = malloc(n * sizeof *fold), k = 0;
    FILE *f = fopen(folds_path, "r");
    if (!f || !fold)
        die("cannot read", folds_path);
    for (size_t i = 0; i < n; i++) {
        if (fscanf(f, "%d", &fold[i]) != 1)
            die("short folds file", folds_path);
        k = fold[i] + 1 > k ? fold[i] + 1 : k;
    }
    fclose(f);
    struct tune_prep_config prep = {TUNE_IMPUTE_NONE, TUNE_SCALE_STANDARD, 0};
    size_t *train = malloc(n * sizeof *train), *valid = malloc(n * sizeof *valid);
    double *ytr = malloc(n * sizeof *ytr), *yva = malloc(n * sizeof *yva);
    printf("{\"scores\": [");
    double fit_total = 0;
    size_t fits = 0;
    for (size_t si = 0; si < s->n_seeds; si++) {
        double score_sum = 0;
        for (int fo = 0; fo < k; fo++) {
            size_t ntr = 0, nva = 0;
            for (size_t i = 0; i < n; i++) {
                if (fold[i] == fo) {
                    yva[nva] = ds->y[i];
                    valid[nva++] = i;
                } else {
                    ytr[ntr] = ds->y[i];
                    train[ntr++] = i;
                }
            }
            struct tune_error err = {0};
            struct tune_prep *pp = NULL;
            struct tune_matrix xtr = {0}, xva = {0};
            if (tune_prep_fit(&prep, ds, train, ntr, &pp, &err) ||
                tune_prep_transform(pp, ds, train, ntr, &xtr, &err) ||
                tune_prep_transform(pp, ds, valid, nva, &xva, &err))
                die(err.msg, NULL);
            struct tune_fit_ctx ctx = {.task = s->task, .n_classes = ds->n_classes,
                                       .seed = s->seeds[si], .n_threads = s->threads};
            void *model = NULL;
            double t0 = now();
            if (s->t->fit(&xtr, ytr, &ctx, &s->params, &model, &err))
                die(err.msg, NULL);
            fit_total += now() - t0;
            fits++;
            /* clustering is scored on the training rows: the inertia k-means
             * minimises (on held-out rows a few outliers of the scaled data
             * dominate it) */
            struct tune_predictions p = {0};
            if (predict_rows(s, model, s->task == TUNE_TASK_CLUSTERING ? &xtr : &xva,
                             ds->n_classes, &p, &err))
                die(err.msg, NULL);
            double score;
            if (s->task == TUNE_TASK_REGRESSION) {
                score = tune_metric_r2(yva, p.value, nva);
            } else if (s->task == TUNE_TASK_CLUSTERING) {
                score = 0;
                for (size_t i = 0; i < ntr; i++)
                    score += p.value[i];
            } else {
                size_t right = 0;
                for (size_t i = 0; i < nva; i++)
                    right += p.label[i] == (int)yva[i];
                score = (double)right / (double)nva;
            }
            score_sum += score;
            tune_predictions_release(&p);
            s->t->free_model(model);
            tune_prep_free(pp);
            free(xtr.data);
            free(xva.data);
        }
        printf("%s%.10g", si ? ", " : "", score_sum / k);
    }
    printf("], \"fit_seconds\": %.6f}\n", fit_total / (double)fits);
    free(fold);
    free(train);
    free(valid);
    free(ytr);
    free(yva);
    tune_dataset_free(ds);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 5)
        die("usage: models time|cv TRAINER TASK DATA.csv [...]", NULL);
    struct setup s = {0};
    s.t = tune_trainer_find(argv[2]);
    if (!s.t)
        die("no such trainer", argv[2]);
    s.task = tune_task_parse(argv[3]);
    if (!s.task)
        die("no such task", argv[3]);
    if (strcmp(argv[1], "time") == 0) {
        int has_test = argc > 5 && strchr(argv[5], '=') == NULL && strncmp(argv[5], "--", 2);
        parse_options(&s, argc, argv, has_test ? 6 : 5);
        return cmd_time(&s, argv[4], has_test ? argv[5] : NULL);
    }
    if (strcmp(argv[1], "cv") == 0 && argc >= 6) {
        parse_options(&s, argc, argv, 6);
        return cmd_cv(&s, argv[4], argv[5]);
    }
    die("unknown command", argv[1]);
    return 2;
}
