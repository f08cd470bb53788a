/* SPDX-License-Identifier: GPL-3.0-or-later */
/* trees_bench.c — the C side of bench/bench_trees.py and
 * bench/reference/trees_quality.py, built against lib/libtunefold.a.
 *
 *   trees_bench gen ROWS COLS SEED OUT.csv
 *       Write a make_classification-like binary data set (sklearn's defaults:
 *       2 informative columns, 2 redundant, the rest noise; 2 Gaussian
 *       clusters per class on the vertices of a hypercube of side 2 * 1.0
 *       (class_sep), each squeezed by a random linear map; 1% of labels
 *       flipped; rows shuffled).  Same seed, same bytes.
 *
 *   trees_bench fit CSV TASK TRAINER REPEATS SEED [NAME=VALUE ...]
 *       Fit TRAINER REPEATS times on the first TREES_TRAIN_ROWS rows
 *       (environment; default: every row); print one JSON line: the median
 *       fit seconds (wall) and the mean CPU seconds, the accuracy (or R^2)
 *       and ROC AUC on the other rows (on the training rows when there are
 *       none), the resident memory just before the fits and its peak during
 *       them (kB; freed heap pages are returned and the peak restarted first,
 *       so the difference is what the fits took, model included) and the
 *       training data's size as doubles.
 *
 *   trees_bench cv CSV TASK TRAINER FOLDS SEED [NAME=VALUE ...]
 *       Cross-validate on the folds in FOLDS (one fold number per row, the
 *       file bench/reference/trees_quality.py writes from sklearn's
 *       StratifiedKFold); print one JSON line with the per-fold accuracy and
 *       ROC AUC (binary: of the positive class; multiclass: one-vs-rest,
 *       macro) or R^2, and the fit seconds.
 *
 * The target is the last column, named "target".  Categorical hyperparameters
 * take their choice names (max_features=sqrt).  Environment: TREES_THREADS
 * sets the fit context's thread count (default 2). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#if defined(__GLIBC__) || defined(__linux__)
#include <malloc.h>
#endif
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "tunefold/dataset.h"
#include "tunefold/metrics.h"
#include "tunefold/trainer.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
           (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
}

/* A field of /proc/self/status in kB ("VmRSS", "VmHWM"), or -1. */
static long status_kb(const char *key)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    size_t len = strlen(key);
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, key, len) == 0 && line[len] == ':')
            v = atol(line + len + 1);
    if (f)
        fclose(f);
    return v;
}

/* Return freed heap pages to the system and restart the peak (VmHWM) at
 * the current size, so the peak after a fit is the fit's own.  Linux. */
static void reset_peak(void)
{
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (f) {
        fputs("5", f);
        fclose(f);
    }
}

static long peak_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* ---- gen ---- */

static int gen(size_t rows, size_t cols, unsigned long seed, const char *path)
{
    enum { INF = 2, RED = 2, CLUSTERS = 4 };
    if (cols < INF + RED) {
        fprintf(stderr, "trees_bench gen: need at least %d columns\n", INF + RED);
        return 2;
    }
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    double centroid[CLUSTERS][INF], a[CLUSTERS][INF][INF], b[INF][RED];
    /* Distinct vertices of the hypercube {-1, 1}^2, in random order. */
    int vert[CLUSTERS] = {0, 1, 2, 3};
    gsl_ran_shuffle(r, vert, CLUSTERS, sizeof vert[0]);
    for (int c = 0; c < CLUSTERS; c++) {
        for (int j = 0; j < INF; j++)
            centroid[c][j] = ((vert[c] >> j) & 1) ? 1.0 : -1.0;
        for (int j = 0; j < INF; j++)
            for (int l = 0; l < INF; l++)
                a[c][j][l] = 2 * gsl_rng_uniform(r) - 1;
    }
    for (int j = 0; j < INF; j++)
        for (int l = 0; l < RED; l++)
            b[j][l] = 2 * gsl_rng_uniform(r) - 1;
    size_t *perm = malloc(rows * sizeof *perm);
    double *x = malloc(rows * cols * sizeof *x);
    int *y = malloc(rows * sizeof *y);
    for (size_t i = 0; i < rows; i++)
        perm[i] = i;
    gsl_ran_shuffle(r, perm, rows, sizeof *perm);
    for (size_t i = 0; i < rows; i++) {
        int c = (int)(i % CLUSTERS);     /* clusters 0, 1 -> class 0; 2, 3 -> class 1 */
        double z[INF], v[INF];
        for (int j = 0; j < INF; j++)
            z[j] = gsl_ran_gaussian(r, 1.0);
        for (int j = 0; j < INF; j++) {
            v[j] = centroid[c][j];
            for (int l = 0; l < INF; l++)
                v[j] += z[l] * a[c][l][j];
        }
        double *row = x + perm[i] * cols;
        for (int j = 0; j < INF; j++)
            row[j] = v[j];
        for (int l = 0; l < RED; l++) {
            row[INF + l] = 0;
            for (int j = 0; j < INF; j++)
                row[INF + l] += v[j] * b[j][l];
        }
        for (size_t j = INF + RED; j < cols; j++)
            row[j] = gsl_ran_gaussian(r, 1.0);
        y[perm[i]] = c / 2;
        if (gsl_rng_uniform(r) < 0.01)
            y[perm[i]] = (int)gsl_rng_uniform_int(r, 2);
    }
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return 1;
    }
    for (size_t j = 0; j < cols; j++)
        fprintf(f, "x%zu,", j + 1);
    fprintf(f, "target\n");
    for (size_t i = 0; i < rows; i++) {
        for (size_t j = 0; j < cols; j++)
            fprintf(f, "%.9g,", x[i * cols + j]);
        fprintf(f, "%d\n", y[i]);
    }
    fclose(f);
    free(perm);
    free(x);
    free(y);
    gsl_rng_free(r);
    return 0;
}

/* ---- fit / cv ---- */

struct hp {
    double values[64];
    const char *names[64];
    const char *strings[64];
    struct tune_params params;
};

static int hp_parse(const struct tune_trainer_type *t, int argc, char **argv, struct hp *h)
{
    for (size_t i = 0; i < t->n_hparams; i++) {
        h->names[i] = t->hparams[i].name;
        h->values[i] = t->hparams[i].def;
        h->strings[i] = t->hparams[i].choices ? t->hparams[i].choices[(size_t)t->hparams[i].def]
                                               : NULL;
    }
    h->params = (struct tune_params){t->n_hparams, h->names, h->values, h->strings};
    for (int a = 0; a < argc; a++) {
        char *eq = strchr(argv[a], '=');
        if (!eq) {
            fprintf(stderr, "trees_bench: %s: expected NAME=VALUE\n", argv[a]);
            return 2;
        }
        *eq = '\0';
        long i = tune_trainer_hparam_index(t, argv[a]);
        if (i < 0) {
            fprintf(stderr, "trees_bench: %s has no hyperparameter %s\n", t->name, argv[a]);
            return 2;
        }
        const struct tune_hparam *hp = &t->hparams[i];
        if (hp->type == TUNE_PARAM_CATEGORICAL) {
            size_t c = 0;
            while (hp->choices[c] && strcmp(hp->choices[c], eq + 1) != 0)
                c++;
            if (!hp->choices[c]) {
                fprintf(stderr, "trees_bench: %s: no choice %s\n", argv[a], eq + 1);
                return 2;
            }
            h->values[i] = (double)c;
            h->strings[i] = hp->choices[c];
        } else {
            h->values[i] = strtod(eq + 1, NULL);
        }
    }
    return 0;
}

/* Rows `rows` of the data set as a column-major matrix (and their targets). */
static void gather(const struct tune_dataset *ds, const size_t *rows, size_t n,
                   struct tune_matrix *x, double *y)
{
    x->n_rows = n;
    x->n_cols = ds->n_features;
    x->data = malloc((n * ds->n_features + 1) * sizeof *x->data);
    for (size_t j = 0; j < ds->n_features; j++)
        for (size_t i = 0; i < n; i++)
            x->data[j * n + i] = ds->x[j * ds->n_rows + rows[i]];
    for (size_t i = 0; i < n; i++)
        y[i] = ds->y[rows[i]];
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Score predictions: accuracy and AUC, or R^2 (auc NAN). */
static void score(const struct tune_dataset *ds, const double *y, const struct tune_predictions *p,
                  double *acc, double *auc)
{
    size_t n = p->n;
    if (ds->task == TUNE_TASK_REGRESSION) {
        *acc = tune_metric_r2(y, p->value, n);
        *auc = NAN;
        return;
    }
    int *truth = malloc(n * sizeof *truth);
    for (size_t i = 0; i < n; i++)
        truth[i] = (int)y[i];
    *acc = tune_metric_accuracy(truth, p->label, n);
    if (ds->n_classes == 2) {
        double *s = malloc(n * sizeof *s);
        for (size_t i = 0; i < n; i++)
            s[i] = p->proba[i * 2 + 1];
        *auc = tune_metric_roc_auc(truth, s, n);
        free(s);
    } else {
        *auc = tune_metric_roc_auc_ovr(truth, p->proba, n, ds->n_classes);
    }
    free(truth);
}

static int run(int cv, int argc, char **argv)
{
    const char *csv = argv[0], *task_name = argv[1], *trainer = argv[2];
    enum tune_task task = tune_task_parse(task_name);
    const struct tune_trainer_type *t = tune_trainer_find(trainer);
    if (!task || !t) {
        fprintf(stderr, "trees_bench: unknown task %s or trainer %s\n", task_name, trainer);
        return 2;
    }
    struct hp h;
    if (hp_parse(t, argc - 5, argv + 5, &h))
        return 2;
    uint64_t seed = strtoull(argv[4], NULL, 10);
    const char *th = getenv("TREES_THREADS");
    size_t threads = th && *th ? (size_t)atol(th) : 2;

    long rss0 = peak_kb();
    struct tune_dataset *ds;
    struct tune_error err = {0};
    if (tune_dataset_load(csv, "target", task, &ds, &err)) {
        fprintf(stderr, "trees_bench: %s\n", err.msg);
        return 1;
    }
    size_t n = ds->n_rows;
    size_t *fold = calloc(n, sizeof *fold), n_folds = 1;
    if (cv) {
        FILE *f = fopen(argv[3], "r");
        if (!f) {
            perror(argv[3]);
            return 1;
        }
        for (size_t i = 0; i < n; i++) {
            if (fscanf(f, "%zu", &fold[i]) != 1) {
                fprintf(stderr, "trees_bench: %s: too few fold numbers\n", argv[3]);
                return 1;
            }
            if (fold[i] + 1 > n_folds)
                n_folds = fold[i] + 1;
        }
        fclose(f);
    }
    int repeats = cv ? 1 : atoi(argv[3]);
    if (repeats < 1)
        repeats = 1;
    double *secs = calloc((size_t)repeats * n_folds, sizeof *secs);
    double cpu = 0, predict_s = 0;
    double acc[64], auc[64];
    size_t *tr = malloc(n * sizeof *tr), *va = malloc(n * sizeof *va);
    double *ytr = malloc(n * sizeof *ytr), *yva = malloc(n * sizeof *yva);
    long rss_data = peak_kb();
    const char *tr_env = getenv("TREES_TRAIN_ROWS");
    size_t train_rows = tr_env && *tr_env ? (size_t)atol(tr_env) : 0;
    if (train_rows == 0 || train_rows >= n)
        train_rows = n;
    for (size_t k = 0; k < n_folds && k < 64; k++) {
        size_t ntr = 0, nva = 0;
        for (size_t i = 0; i < n; i++) {
            if (cv ? fold[i] != k : i < train_rows)
                tr[ntr++] = i;
            if (cv ? fold[i] == k : (i >= train_rows || train_rows == n))
                va[nva++] = i;
        }
        struct tune_matrix xtr, xva;
        gather(ds, tr, ntr, &xtr, ytr);
        gather(ds, va, nva, &xva, yva);
        reset_peak();
        rss_data = status_kb("VmRSS");
        struct tune_fit_ctx ctx = {.task = task, .n_classes = ds->n_classes, .seed = seed,
                                   .n_threads = threads};
        void *model = NULL;
        for (int r = 0; r < repeats; r++) {
            if (model)
                t->free_model(model);
            double t0 = now(), c0 = cpu_seconds();
            if (t->fit(&xtr, ytr, &ctx, &h.params, &model, &err)) {
                fprintf(stderr, "trees_bench: fit: %s\n", err.msg);
                return 1;
            }
            secs[k * (size_t)repeats + (size_t)r] = now() - t0;
            cpu += cpu_seconds() - c0;
        }
        struct tune_predictions p;
        tune_predictions_init(&p, task, nva, ds->n_classes, task != TUNE_TASK_REGRESSION, &err);
        double t0 = now();
        if (t->predict(model, &xva, &p, &err)) {
            fprintf(stderr, "trees_bench: predict: %s\n", err.msg);
            return 1;
        }
        predict_s += now() - t0;
        score(ds, yva, &p, &acc[k], &auc[k]);
        tune_predictions_release(&p);
        t->free_model(model);
        free(xtr.data);
        free(xva.data);
    }
    long rss1 = status_kb("VmHWM");
    if (rss1 < 0 || rss_data < 0) {   /* not Linux: the process's peak so far */
        rss1 = peak_kb();
        rss_data = 0;
    }
    if (cv) {
        printf("{\"acc\": [");
        for (size_t k = 0; k < n_folds; k++)
            printf("%s%.10g", k ? ", " : "", acc[k]);
        printf("], \"auc\": [");
        for (size_t k = 0; k < n_folds; k++)
            printf("%s%.10g", k ? ", " : "", isnan(auc[k]) ? -1.0 : auc[k]);
        double total = 0;
        for (size_t k = 0; k < n_folds; k++)
            total += secs[k];
        printf("], \"fit_seconds\": %.6f}\n", total);
    } else {
        qsort(secs, (size_t)repeats, sizeof *secs, cmp_double);
        printf("{\"fit_seconds\": %.6f, \"fit_cpu_seconds\": %.6f, \"score\": %.10g, "
               "\"auc\": %.10g, \"predict_seconds\": %.6f, \"train_rows\": %zu, "
               "\"peak_kb_before_fit\": %ld, "
               "\"peak_kb\": %ld, \"start_kb\": %ld, \"data_kb\": %.0f, \"threads\": %zu}\n",
               secs[repeats / 2], cpu / repeats, acc[0], isnan(auc[0]) ? -1.0 : auc[0],
               predict_s, train_rows, rss_data, rss1, rss0,
               (double)(train_rows * ds->n_features) * 8.0 / 1024.0, threads);
    }
    free(secs);
    free(fold);
    free(tr);
    free(va);
    free(ytr);
    free(yva);
    tune_dataset_free(ds);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 6 && strcmp(argv[1], "gen") == 0)
        return gen((size_t)atol(argv[2]), (size_t)atol(argv[3]), strtoul(argv[4], NULL, 10),
                   argv[5]);
    if (argc >= 7 && strcmp(argv[1], "fit") == 0)
        return run(0, argc - 2, argv + 2);
    if (argc >= 7 && strcmp(argv[1], "cv") == 0)
        return run(1, argc - 2, argv + 2);
    fprintf(stderr, "usage: trees_bench gen ROWS COLS SEED OUT.csv\n"
                    "       trees_bench fit CSV TASK TRAINER REPEATS SEED [NAME=VALUE ...]\n"
                    "       trees_bench cv CSV TASK TRAINER FOLDS SEED [NAME=VALUE ...]\n");
    return 2;
}
