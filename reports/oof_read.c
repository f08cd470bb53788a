/* SPDX-License-Identifier: GPL-3.0-or-later */
/* oof_read.c — the stored out-of-fold predictions ("oof.csv", written by
 * src/oof.c) read back for the reports, with the CSV reader of src/table.c so
 * quoting (a class name with a comma or a quote) round-trips.
 *
 * Invariant: every column after y_pred is p_<class name>, in class order; a
 * classification file's codes are integers in 0..k-1. */
#include "tunefold/report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tune_oof_release(struct tune_oof *o)
{
    if (!o)
        return;
    for (size_t c = 0; o->class_names && c < o->n_classes; c++)
        free(o->class_names[c]);
    free(o->class_names);
    free(o->row);
    free(o->fold);
    free(o->y_true);
    free(o->y_pred);
    free(o->proba);
    free(o->folds);
    free(o->distance);
    memset(o, 0, sizeof *o);
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

int tune_oof_parse(const char *text, size_t len, enum tune_task task, struct tune_oof *out,
                   struct tune_error *err)
{
    static const char *const labelled[4] = {"row", "fold", "y_true", "y_pred"};
    static const char *const clusters[4] = {"row", "fold", "cluster", "distance"};
    struct tune_table *t = NULL;
    memset(out, 0, sizeof *out);
    int rc = tune_table_parse_csv("oof.csv", text, len, &t, err);
    if (rc)
        return rc;
    int cls = task == TUNE_TASK_BINARY || task == TUNE_TASK_MULTICLASS;
    int clu = task == TUNE_TASK_CLUSTERING;
    const char *const *head = clu ? clusters : labelled;
    size_t n = t->n_rows, k = t->n_cols > 4 ? t->n_cols - 4 : 0;
    if (t->n_cols < 4) {
        rc = tune_error_set(err, TUNE_EINVAL, "oof.csv: %zu columns, expected at least 4",
                            t->n_cols);
        goto fail;
    }
    for (size_t j = 0; j < t->n_cols; j++) {
        const char *name = t->cols[j].name;
        if (j < 4 ? strcmp(name, head[j]) != 0 : strncmp(name, "p_", 2) != 0) {
            rc = tune_error_set(err, TUNE_EINVAL, "oof.csv: column %zu is '%s', expected '%s'",
                                j + 1, name, j < 4 ? head[j] : "p_<class>");
            goto fail;
        }
        if (t->cols[j].kind != TUNE_COL_NUMERIC) {
            rc = tune_error_set(err, TUNE_EINVAL, "oof.csv: column '%s' is not numeric", name);
            goto fail;
        }
    }
    if (!cls && k) {
        rc = tune_error_set(err, TUNE_EINVAL, "oof.csv: probabilities in a %s file",
                            clu ? "clustering" : "regression");
        goto fail;
    }
    out->n = n;
    out->row = malloc((n + 1) * sizeof *out->row);
    out->fold = malloc((n + 1) * sizeof *out->fold);
    out->y_true = malloc((n + 1) * sizeof *out->y_true);
    out->y_pred = malloc((n + 1) * sizeof *out->y_pred);
    out->folds = malloc((n + 1) * sizeof *out->folds);
    if (k)
        out->proba = malloc((n * k + 1) * sizeof *out->proba);
    if (clu)
        out->distance = malloc((n + 1) * sizeof *out->distance);
    if (!out->row || !out->fold || !out->y_true || !out->y_pred || !out->folds ||
        (k && !out->proba) || (clu && !out->distance)) {
        rc = tune_error_set(err, TUNE_ENOMEM, "out of memory reading oof.csv");
        goto fail;
    }
    const double *d = t->data;
    double max_code = -1;
    for (size_t i = 0; i < n; i++) {
        double r = d[i], f = d[n + i], yt = d[2 * n + i], yp = d[3 * n + i];
        if (clu) {
            /* the cluster id, then the distance (NAN allowed) */
            if (!(yt >= 0 && yt <= 1e6 && yt == floor(yt))) {
                rc = tune_error_set(err, TUNE_EINVAL, "oof.csv: line %zu: cluster id %g is not "
                                    "an integer in [0, 1e6]", i + 2, yt);
                goto fail;
            }
            out->distance[i] = yp;
            yp = yt;
            yt = NAN;
            out->n_clusters = (size_t)fmax((double)out->n_clusters, yp + 1);
        }
        if (!isfinite(r) || !isfinite(f) || f != floor(f) || f < 0 || f > 1e9 ||
            (!clu && isnan(yt)) || isnan(yp)) {
            rc = tune_error_set(err, TUNE_EINVAL, "oof.csv: line %zu: bad row, fold or value",
                                i + 2);
            goto fail;
        }
        if (cls && (yt != floor(yt) || yp != floor(yp) || yt < 0 || yp < 0 ||
                    (k && (yt >= (double)k || yp >= (double)k)))) {
            rc = tune_error_set(err, TUNE_EINVAL, "oof.csv: line %zu: class code out of range",
                                i + 2);
            goto fail;
        }
        out->row[i] = (long)r;
        out->fold[i] = (int)f;
        out->y_true[i] = yt;
        out->y_pred[i] = yp;
        max_code = fmax(max_code, fmax(yt, yp));
        for (size_t c = 0; c < k; c++)
            out->proba[i * k + c] = d[(4 + c) * n + i];
    }
    if (cls) {
        out->n_classes = k ? k : (size_t)(max_code + 1);
        if (out->n_classes < 2)
            out->n_classes = 2;
        out->class_names = calloc(out->n_classes, sizeof *out->class_names);
        if (!out->class_names) {
            rc = tune_error_set(err, TUNE_ENOMEM, "out of memory reading oof.csv");
            goto fail;
        }
        for (size_t c = 0; c < out->n_classes; c++) {
            char code[32];
            snprintf(code, sizeof code, "%zu", c);
            out->class_names[c] = strdup(k ? t->cols[4 + c].name + 2 : code);
            if (!out->class_names[c]) {
                rc = tune_error_set(err, TUNE_ENOMEM, "out of memory reading oof.csv");
                goto fail;
            }
        }
    }
    memcpy(out->folds, out->fold, n * sizeof *out->folds);
    qsort(out->folds, n, sizeof *out->folds, cmp_int);
    for (size_t i = 0; i < n; i++)
        if (out->n_folds == 0 || out->folds[out->n_folds - 1] != out->folds[i])
            out->folds[out->n_folds++] = out->folds[i];
    tune_table_free(t);
    return TUNE_OK;
fail:
    tune_table_free(t);
    tune_oof_release(out);
    return rc;
}
