/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libtrainers_bench.c — the C side of bench/bench_libtrainers.py, built
 * against lib/libtunefold.a and the libraries it links.
 *
 *   libtrainers_bench cv CSV TASK TRAINER FOLDS SEED THREADS REPEATS REPORT [NAME=VALUE ...]
 *       Cross-validate TRAINER on CSV (numeric, target last, named
 *       "target"; features used as they are): fold f holds the rows i with
 *       i % FOLDS == f.  Each fold is fitted REPEATS times (the fold's
 *       matrices are made before the clock starts, as a study prepares its
 *       folds); REPORT 1 hands the validation rows and a report callback to
 *       the fit, as a study does.  Prints one JSON line: per fold the median
 *       wall seconds of fit and of predict, the mean CPU seconds of a fit,
 *       and the metrics (accuracy, roc_auc; or r2, mse).
 *
 *   libtrainers_bench dmatrix CSV THREADS REPEATS
 *       The ways to hand a column-major double matrix to XGBoost, each timed
 *       (median of REPEATS, wall seconds) to a built DMatrix, with the bytes
 *       tunefold would allocate for it: "strided" (an __array_interface__
 *       with strides over the doubles in place, what trainers/xgboost.c
 *       does), "f32_rowmajor" (a float32 row-major copy for
 *       XGDMatrixCreateFromMat_omp), "f64_rowmajor" (a double row-major copy
 *       for XGDMatrixCreateFromDense).  Checks that all three hold the same
 *       values (XGDMatrixGetDataAsCSR).  And "quantile_strided": the
 *       QuantileDMatrix (256 bins) built from the doubles in place, what the
 *       trainer builds for tree_method hist (and the Python package too).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <xgboost/c_api.h>

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

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void die(const char *msg)
{
    fprintf(stderr, "libtrainers_bench: %s\n", msg);
    exit(1);
}

static int count_report(void *arg, size_t step, double value)
{
    (void)step;
    (void)value;
    ++*(size_t *)arg;
    return 0;
}

/* Rows i with (i % k == f) == in, column-major; y alongside. */
static struct tune_matrix take_rows(const struct tune_dataset *ds, size_t k, size_t f, int in,
                                    double **y)
{
    size_t n = ds->n_rows, m = 0, d = ds->n_features;
    for (size_t i = 0; i < n; i++)
        m += (i % k == f) == in;
    struct tune_matrix out = {m, d, malloc((m * d + 1) * sizeof(double))};
    *y = malloc((m + 1) * sizeof **y);
    if (!out.data || !*y)
        die("out of memory");
    for (size_t j = 0; j < d; j++)
        for (size_t i = 0, r = 0; i < n; i++)
            if ((i % k == f) == in)
                out.data[j * m + r++] = ds->x[j * n + i];
    for (size_t i = 0, r = 0; i < n; i++)
        if ((i % k == f) == in)
            (*y)[r++] = ds->y[i];
    return out;
}

static int set_param(const struct tune_trainer_type *t, double *values, const char **strings,
                     const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (!eq)
        return -1;
    char name[128];
    snprintf(name, sizeof name, "%.*s", (int)(eq - arg), arg);
    long i = tune_trainer_hparam_index(t, name);
    if (i < 0)
        return -1;
    const struct tune_hparam *h = &t->hparams[i];
    if (h->type == TUNE_PARAM_CATEGORICAL) {
        for (size_t c = 0; h->choices[c]; c++)
            if (strcmp(h->choices[c], eq + 1) == 0) {
                values[i] = (double)c;
                strings[i] = h->choices[c];
                return 0;
            }
        return -1;
    }
    values[i] = strtod(eq + 1, NULL);
    return 0;
}

static int cmd_cv(int argc, char **argv)
{
    if (argc < 10)
        die("usage: cv CSV TASK TRAINER FOLDS SEED THREADS REPEATS REPORT [NAME=VALUE ...]");
    enum tune_task task = tune_task_parse(argv[3]);
    const struct tune_trainer_type *t = tune_trainer_find(argv[4]);
    size_t k = strtoul(argv[5], NULL, 10), threads = strtoul(argv[7], NULL, 10);
    size_t repeats = strtoul(argv[8], NULL, 10);
    uint64_t seed = strtoull(argv[6], NULL, 10);
    int report = atoi(argv[9]);
    if (!t || !task || k < 2 || repeats < 1)
        die("bad arguments");
    struct tune_error err = {0};
    struct tune_dataset *ds = NULL;
    if (tune_dataset_load(argv[2], "target", task, &ds, &err))
        die(err.msg);
    double values[64];
    const char *names[64], *strings[64];
    for (size_t i = 0; i < t->n_hparams; i++) {
        names[i] = t->hparams[i].name;
        values[i] = t->hparams[i].def;
        strings[i] = t->hparams[i].choices ? t->hparams[i].choices[(size_t)values[i]] : NULL;
    }
    for (int a = 10; a < argc; a++)
        if (set_param(t, values, strings, argv[a]))
            die(argv[a]);
    struct tune_params params = {t->n_hparams, names, values, strings};
    int cls = task != TUNE_TASK_REGRESSION;
    printf("{\"folds\": [");
    for (size_t f = 0; f < k; f++) {
        double *ytr, *yva;
        struct tune_matrix xtr = take_rows(ds, k, f, 0, &ytr), xva = take_rows(ds, k, f, 1, &yva);
        double *fit_s = malloc(repeats * sizeof *fit_s), *pred_s = malloc(repeats * sizeof *pred_s);
        double cpu = 0, m1 = NAN, m2 = NAN;
        size_t reports = 0;
        for (size_t r = 0; r < repeats; r++) {
            struct tune_fit_ctx ctx = {.task = task, .n_classes = ds->n_classes, .seed = seed,
                                       .n_threads = threads};
            if (report) {
                ctx.report = count_report;
                ctx.report_arg = &reports;
                ctx.x_valid = &xva;
                ctx.y_valid = yva;
            }
            void *model = NULL;
            double c0 = cpu_seconds(), t0 = now();
            if (t->fit(&xtr, ytr, &ctx, &params, &model, &err))
                die(err.msg);
            double t1 = now();
            cpu += cpu_seconds() - c0;
            struct tune_predictions p;
            if (tune_predictions_init(&p, task, xva.n_rows, ds->n_classes, cls, &err))
                die(err.msg);
            double t2 = now();
            if (t->predict(model, &xva, &p, &err))
                die(err.msg);
            double t3 = now();
            fit_s[r] = t1 - t0;
            pred_s[r] = t3 - t2;
            const char *a = cls ? "accuracy" : "r2", *b = cls ? "roc_auc" : "mse";
            m1 = tune_metric_find(a)->compute(yva, &p);
            m2 = tune_metric_find(b)->compute(yva, &p);
            tune_predictions_release(&p);
            t->free_model(model);
        }
        printf("%s{\"fit_s\": %.6g, \"predict_s\": %.6g, \"fit_cpu_s\": %.6g, \"reports\": %zu, "
               "\"%s\": %.17g, \"%s\": %.17g}",
               f ? ", " : "", median(fit_s, repeats), median(pred_s, repeats),
               cpu / (double)repeats, reports / repeats, cls ? "accuracy" : "r2", m1,
               cls ? "roc_auc" : "mse", m2);
        free(fit_s);
        free(pred_s);
        free(xtr.data);
        free(xva.data);
        free(ytr);
        free(yva);
    }
    printf("]}\n");
    tune_dataset_free(ds);
    return 0;
}

static DMatrixHandle dm_strided(const struct tune_dataset *ds, size_t threads)
{
    char ai[256], cfg[64];
    snprintf(ai, sizeof ai,
             "{\"data\": [%" PRIuPTR ", true], \"shape\": [%zu, %zu], \"strides\": [8, %zu], "
             "\"typestr\": \"<f8\", \"version\": 3}",
             (uintptr_t)ds->x, ds->n_rows, ds->n_features, 8 * ds->n_rows);
    snprintf(cfg, sizeof cfg, "{\"missing\": NaN, \"nthread\": %zu}", threads);
    DMatrixHandle h;
    if (XGDMatrixCreateFromDense(ai, cfg, &h))
        die(XGBGetLastError());
    return h;
}

static DMatrixHandle dm_f32(const struct tune_dataset *ds, size_t threads)
{
    size_t n = ds->n_rows, d = ds->n_features;
    float *rm = malloc(n * d * sizeof *rm);
    if (!rm)
        die("out of memory");
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            rm[i * d + j] = (float)ds->x[j * n + i];
    DMatrixHandle h;
    if (XGDMatrixCreateFromMat_omp(rm, n, d, NAN, &h, (int)threads))
        die(XGBGetLastError());
    free(rm);
    return h;
}

static DMatrixHandle dm_f64(const struct tune_dataset *ds, size_t threads)
{
    size_t n = ds->n_rows, d = ds->n_features;
    double *rm = malloc(n * d * sizeof *rm);
    if (!rm)
        die("out of memory");
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            rm[i * d + j] = ds->x[j * n + i];
    char ai[256], cfg[64];
    snprintf(ai, sizeof ai,
             "{\"data\": [%" PRIuPTR ", true], \"shape\": [%zu, %zu], \"typestr\": \"<f8\", "
             "\"version\": 3}",
             (uintptr_t)rm, n, d);
    snprintf(cfg, sizeof cfg, "{\"missing\": NaN, \"nthread\": %zu}", threads);
    DMatrixHandle h;
    if (XGDMatrixCreateFromDense(ai, cfg, &h))
        die(XGBGetLastError());
    free(rm);
    return h;
}

struct one_batch {
    DMatrixHandle proxy;
    const char *data;
    int done;
};

static int one_batch_next(DataIterHandle handle)
{
    struct one_batch *it = handle;
    if (it->done)
        return 0;
    it->done = 1;
    if (XGProxyDMatrixSetDataDense(it->proxy, it->data))
        die(XGBGetLastError());
    return 1;
}

static void one_batch_reset(DataIterHandle handle)
{
    ((struct one_batch *)handle)->done = 0;
}

/* What trainers/xgboost.c builds for hist: a QuantileDMatrix binned from
 * the doubles in place (256 bins). */
static DMatrixHandle dm_quantile(const struct tune_dataset *ds, size_t threads)
{
    char ai[256], cfg[96];
    snprintf(ai, sizeof ai,
             "{\"data\": [%" PRIuPTR ", true], \"shape\": [%zu, %zu], \"strides\": [8, %zu], "
             "\"typestr\": \"<f8\", \"version\": 3}",
             (uintptr_t)ds->x, ds->n_rows, ds->n_features, 8 * ds->n_rows);
    snprintf(cfg, sizeof cfg, "{\"missing\": NaN, \"nthread\": %zu, \"max_bin\": 256}",
             threads);
    struct one_batch it = {NULL, ai, 0};
    DMatrixHandle h;
    if (XGProxyDMatrixCreate(&it.proxy) ||
        XGQuantileDMatrixCreateFromCallback(&it, it.proxy, NULL, one_batch_reset, one_batch_next,
                                            cfg, &h))
        die(XGBGetLastError());
    XGDMatrixFree(it.proxy);
    return h;
}

/* The DMatrix's values as CSR data, for comparing the three ways. */
static float *dm_values(DMatrixHandle h, size_t n)
{
    bst_ulong nnz = 0;
    if (XGDMatrixNumNonMissing(h, &nnz))
        die(XGBGetLastError());
    bst_ulong *indptr = malloc((n + 1) * sizeof *indptr);
    unsigned *indices = malloc((nnz + 1) * sizeof *indices);
    float *data = malloc((nnz + 1) * sizeof *data);
    if (XGDMatrixGetDataAsCSR(h, "{}", indptr, indices, data))
        die(XGBGetLastError());
    free(indptr);
    free(indices);
    return data;
}

static int cmd_dmatrix(int argc, char **argv)
{
    if (argc < 5)
        die("usage: dmatrix CSV THREADS REPEATS");
    size_t threads = strtoul(argv[3], NULL, 10), repeats = strtoul(argv[4], NULL, 10);
    struct tune_error err = {0};
    struct tune_dataset *ds = NULL;
    if (tune_dataset_load(argv[2], "target", TUNE_TASK_BINARY, &ds, &err))
        die(err.msg);
    size_t n = ds->n_rows, d = ds->n_features;
    struct {
        const char *name;
        DMatrixHandle (*make)(const struct tune_dataset *, size_t);
        size_t bytes;
    } ways[3] = {{"strided", dm_strided, 0},
                 {"f32_rowmajor", dm_f32, n * d * sizeof(float)},
                 {"f64_rowmajor", dm_f64, n * d * sizeof(double)}};
    float *first = NULL;
    printf("{");
    {
        double *s = malloc(repeats * sizeof *s);
        for (size_t r = 0; r < repeats; r++) {
            double t0 = now();
            DMatrixHandle h = dm_quantile(ds, threads);
            s[r] = now() - t0;
            XGDMatrixFree(h);
        }
        printf("\"quantile_strided\": {\"seconds\": %.6g, \"copy_bytes\": 0}, ",
               median(s, repeats));
        free(s);
    }
    for (int w = 0; w < 3; w++) {
        double *s = malloc(repeats * sizeof *s);
        for (size_t r = 0; r < repeats; r++) {
            double t0 = now();
            DMatrixHandle h = ways[w].make(ds, threads);
            s[r] = now() - t0;
            if (r == 0) {
                float *v = dm_values(h, n);
                if (!first)
                    first = v;
                else {
                    if (memcmp(first, v, n * d * sizeof *v) != 0)
                        die("the DMatrix values differ");
                    free(v);
                }
            }
            XGDMatrixFree(h);
        }
        printf("%s\"%s\": {\"seconds\": %.6g, \"copy_bytes\": %zu}", w ? ", " : "",
               ways[w].name, median(s, repeats), ways[w].bytes);
        free(s);
    }
    printf("}\n");
    free(first);
    tune_dataset_free(ds);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "cv") == 0)
        return cmd_cv(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "dmatrix") == 0)
        return cmd_dmatrix(argc, argv);
    die("usage: libtrainers_bench cv|dmatrix ...");
    return 1;
}
