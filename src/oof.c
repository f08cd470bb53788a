/* SPDX-License-Identifier: GPL-3.0-or-later */
/* oof.c — out-of-fold predictions as CSV, the artifact reports read instead
 * of retraining (see DESIGN.md: "reports never retrain"), and the validated
 * rows themselves as the trainer saw them ("oof_features.csv"), for the
 * clustering pictures. */
#include "tunefold/study.h"
#include "tunefold/text.h"
#include "tunefold/cv.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Append to a growing buffer; 0 on out-of-memory. */
struct buf {
    char *p;
    size_t len, cap;
};

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int put(struct buf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0)
            return 0;
        if ((size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return 1;
        }
        size_t cap = b->cap * 2 + (size_t)n + 1;
        char *p = realloc(b->p, cap);
        if (!p)
            return 0;
        b->p = p;
        b->cap = cap;
    }
}

/* ",PREFIX NAME" as a CSV field, quoted when it must be. */
static int put_field(struct buf *b, const char *prefix, const char *name)
{
    size_t n = strlen(prefix) + strlen(name) + 1;
    char *joined = malloc(n), small[256], *q = small;
    if (!joined)
        return 0;
    snprintf(joined, n, "%s%s", prefix, name);
    size_t need = tune_csv_quote(small, sizeof small, joined, ',');
    if (need >= sizeof small && (q = malloc(need + 1)))
        tune_csv_quote(q, need + 1, joined, ',');
    int ok = q && put(b, ",%s", q);
    if (q != small)
        free(q);
    free(joined);
    return ok;
}

/* A class name as a CSV-safe header fragment (quotes doubled when needed). */
static int put_class(struct buf *b, const char *name)
{
    return put_field(b, "p_", name);
}

int tune_oof_format(const struct tune_dataset *ds, const struct tune_cv_result *cv, char **text,
                    size_t *len, struct tune_error *err)
{
    struct buf b = {malloc(4096), 0, 4096};
    const struct tune_predictions *p = &cv->oof;
    if (ds->task == TUNE_TASK_CLUSTERING) {
        /* cluster ids and each row's squared distance to its centre */
        int ok = b.p != NULL && put(&b, "row,fold,cluster,distance\n");
        for (size_t r = 0; ok && r < ds->n_rows; r++)
            if (cv->oof_fold[r] >= 0)
                ok = put(&b, "%zu,%d,%d,%.17g\n", r, cv->oof_fold[r], p->label[r],
                         p->value ? p->value[r] : NAN);
        if (!ok) {
            free(b.p);
            return tune_error_set(err, TUNE_ENOMEM, "out of memory for out-of-fold predictions");
        }
        *text = b.p;
        *len = b.len;
        return TUNE_OK;
    }
    int ok = b.p != NULL && put(&b, "row,fold,y_true,y_pred");
    for (size_t k = 0; ok && p->proba && k < ds->n_classes; k++)
        ok = put_class(&b, ds->class_names[k]);
    ok = ok && put(&b, "\n");
    for (size_t r = 0; ok && r < ds->n_rows; r++) {
        if (cv->oof_fold[r] < 0)
            continue; /* holdout: rows never validated */
        if (p->value) {
            ok = put(&b, "%zu,%d,%.17g,%.17g", r, cv->oof_fold[r], ds->y[r], p->value[r]);
        } else {
            ok = put(&b, "%zu,%d,%.0f,%d", r, cv->oof_fold[r], ds->y[r], p->label[r]);
            for (size_t k = 0; ok && p->proba && k < p->n_classes; k++)
                ok = put(&b, ",%.17g", p->proba[r * p->n_classes + k]);
        }
        ok = ok && put(&b, "\n");
    }
    if (!ok) {
        free(b.p);
        return tune_error_set(err, TUNE_ENOMEM, "out of memory for out-of-fold predictions");
    }
    *text = b.p;
    *len = b.len;
    return TUNE_OK;
}

/* ---- the validated rows as the trainer saw them -------------------------- */

/* One fold's kept rows: their values by the fold's own columns, and where
 * each column sits in the union of names. */
struct features_chunk {
    int fold;
    size_t m, d;
    size_t *rows;     /* m dataset rows, ascending */
    double *vals;     /* m x d, row-major */
    size_t *col;      /* d: index into the union of names */
};

struct tune_oof_features {
    size_t n_rows;
    const int *oof_fold;
    unsigned char *keep;  /* n_rows, decided on the first fold */
    int decided;
    size_t n_names, cap_names;
    char **names;
    size_t n_chunks;
    struct features_chunk *chunks;
};

void tune_oof_features_free(struct tune_oof_features *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n_names; i++)
        free(a->names[i]);
    free(a->names);
    for (size_t c = 0; c < a->n_chunks; c++) {
        free(a->chunks[c].rows);
        free(a->chunks[c].vals);
        free(a->chunks[c].col);
    }
    free(a->chunks);
    free(a->keep);
    free(a);
}

int tune_oof_features_new(size_t n_rows, const int *oof_fold, struct tune_oof_features **out,
                          struct tune_error *err)
{
    struct tune_oof_features *a = calloc(1, sizeof *a);
    if (a)
        a->keep = calloc(n_rows + 1, 1);
    if (!a || !a->keep) {
        tune_oof_features_free(a);
        return tune_error_set(err, TUNE_ENOMEM, "out of memory for the validated rows");
    }
    a->n_rows = n_rows;
    a->oof_fold = oof_fold;
    *out = a;
    return TUNE_OK;
}

/* Which rows to write: every validated row, or evenly spaced ones past the
 * caps (the j-th validated row kept when floor((j+1) cap / n) steps). */
static void features_decide(struct tune_oof_features *a, size_t d)
{
    size_t n = 0;
    for (size_t r = 0; r < a->n_rows; r++)
        n += a->oof_fold[r] >= 0;
    size_t cap = TUNE_OOF_FEATURES_MAX_VALUES / (d ? d : 1);
    cap = cap < TUNE_OOF_FEATURES_MAX_ROWS ? cap : TUNE_OOF_FEATURES_MAX_ROWS;
    cap = cap ? cap : 1;
    for (size_t r = 0, j = 0; r < a->n_rows; r++) {
        if (a->oof_fold[r] < 0)
            continue;
        a->keep[r] = n <= cap || (j + 1) * cap / n > j * cap / n;
        j++;
    }
    a->decided = 1;
}

static long name_index(struct tune_oof_features *a, const char *name)
{
    for (size_t i = 0; i < a->n_names; i++)
        if (strcmp(a->names[i], name) == 0)
            return (long)i;
    if (a->n_names == a->cap_names) {
        size_t cap = a->cap_names ? 2 * a->cap_names : 16;
        char **nn = realloc(a->names, cap * sizeof *nn);
        if (!nn)
            return -1;
        a->names = nn;
        a->cap_names = cap;
    }
    if (!(a->names[a->n_names] = strdup(name)))
        return -1;
    return (long)a->n_names++;
}

int tune_oof_features_add(struct tune_oof_features *a, int fold, const struct tune_split *sp,
                          const struct tune_matrix *x_valid, const char *const *names,
                          struct tune_error *err)
{
    size_t d = x_valid->n_cols, nv = x_valid->n_rows;
    if (!a->decided)
        features_decide(a, d);
    struct features_chunk *ch = realloc(a->chunks, (a->n_chunks + 1) * sizeof *ch);
    if (!ch)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory for the validated rows");
    a->chunks = ch;
    ch = &a->chunks[a->n_chunks++];
    memset(ch, 0, sizeof *ch);
    ch->fold = fold;
    ch->d = d;
    size_t m = 0;
    for (size_t i = 0; i < sp->n_valid; i++)
        m += a->oof_fold[sp->valid[i]] == fold && a->keep[sp->valid[i]];
    ch->rows = malloc((m + 1) * sizeof *ch->rows);
    ch->vals = malloc((m * d + 1) * sizeof *ch->vals);
    ch->col = malloc((d + 1) * sizeof *ch->col);
    if (!ch->rows || !ch->vals || !ch->col)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory for the validated rows");
    for (size_t j = 0; j < d; j++) {
        long u = name_index(a, names[j]);
        if (u < 0)
            return tune_error_set(err, TUNE_ENOMEM, "out of memory for the validated rows");
        ch->col[j] = (size_t)u;
    }
    for (size_t i = 0; i < sp->n_valid && i < nv; i++) {
        size_t r = sp->valid[i];
        if (a->oof_fold[r] != fold || !a->keep[r])
            continue; /* validated again in a later repeat, or not kept */
        ch->rows[ch->m] = r;
        for (size_t j = 0; j < d; j++)
            ch->vals[ch->m * d + j] = x_valid->data[j * nv + i];
        ch->m++;
    }
    return TUNE_OK;
}

int tune_oof_features_format(const struct tune_oof_features *a, char **text, size_t *len,
                             struct tune_error *err)
{
    struct buf b = {malloc(4096), 0, 4096};
    size_t nn = a->n_names;
    long *at = malloc((nn + 1) * sizeof *at);
    int ok = b.p != NULL && at != NULL && put(&b, "row,fold");
    for (size_t i = 0; ok && i < nn; i++) {
        ok = put_field(&b, "", a->names[i]);
    }
    ok = ok && put(&b, "\n");
    for (size_t c = 0; ok && c < a->n_chunks; c++) {
        const struct features_chunk *ch = &a->chunks[c];
        for (size_t u = 0; u < nn; u++)
            at[u] = -1;
        for (size_t j = 0; j < ch->d; j++)
            at[ch->col[j]] = (long)j;
        for (size_t i = 0; ok && i < ch->m; i++) {
            ok = put(&b, "%zu,%d", ch->rows[i], ch->fold);
            for (size_t u = 0; ok && u < nn; u++)
                ok = put(&b, ",%.17g", at[u] >= 0 ? ch->vals[i * ch->d + (size_t)at[u]] : 0.0);
            ok = ok && put(&b, "\n");
        }
    }
    free(at);
    if (!ok) {
        free(b.p);
        return tune_error_set(err, TUNE_ENOMEM, "out of memory for the validated rows");
    }
    *text = b.p;
    *len = b.len;
    return TUNE_OK;
}
