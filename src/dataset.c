/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dataset.c — a table split into features and target for one task.
 *
 * The target column leaves the features (their order is kept); class
 * targets become codes 0..n_classes-1 in sorted order of the original
 * labels — numeric order for a numeric column, named by the shortest text
 * that reads back as the number, byte order for text — so class names are
 * stable across files and studies.  Every refusal (no such target, a
 * missing target value, text for a regression, too few or too many classes)
 * is TUNE_EINVAL naming the file, and the line and column where there is
 * one.
 *
 * Memory: tune_dataset_load owns its table, so the dataset takes over the
 * table's block — the target column closed over, the block shrunk in place
 * — rather than copying it; loading a study's data peaks at one copy of it.
 *
 * Invariants: tune_dataset_from_table never modifies the table; on failure
 * *out is NULL and nothing leaks; x is column-major like the table,
 * n_rows * n_features. */
#include "tunefold/dataset.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/csv.h"
#include "src/decimal.h"
#include "src/table.h"

static char *dup_span(const char *p, size_t len)
{
    char *s = malloc(len + 1);
    if (s) {
        memcpy(s, p, len);
        s[len] = '\0';
    }
    return s;
}

void tune_dataset_free(struct tune_dataset *ds)
{
    if (!ds)
        return;
    free(ds->path);
    tune_columns_free(ds->features, ds->n_features);
    free(ds->x);
    free(ds->target_name);
    free(ds->y);
    if (ds->class_names)
        for (size_t k = 0; k < ds->n_classes; k++)
            free(ds->class_names[k]);
    free(ds->class_names);
    free(ds);
}

static int column_copy(struct tune_column *dst, const struct tune_column *src)
{
    memset(dst, 0, sizeof *dst);
    dst->kind = src->kind;
    if (!(dst->name = dup_span(src->name, strlen(src->name))))
        return -1;
    if (src->n_levels) {
        dst->levels = calloc(src->n_levels, sizeof *dst->levels);
        if (!dst->levels)
            return -1;
        for (; dst->n_levels < src->n_levels; dst->n_levels++) {
            const char *l = src->levels[dst->n_levels];
            if (!(dst->levels[dst->n_levels] = dup_span(l, strlen(l))))
                return -1;
        }
    }
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

struct level_ref {
    const char *text;
    size_t code;
};

static int cmp_level(const void *a, const void *b)
{
    return strcmp(((const struct level_ref *)a)->text, ((const struct level_ref *)b)->text);
}

static size_t row_line_of(const struct tune_table *t, size_t r)
{
    return t->row_line ? t->row_line[r] : r + 2;
}

static const char *column_name_at(const void *cols, size_t i)
{
    return ((const struct tune_column *)cols)[i].name;
}

static const char *string_at(const void *strs, size_t i)
{
    return ((char *const *)strs)[i];
}

/* "a, b, c, ..." — as many names as fit in `size`. */
static void join_names(char *buf, size_t size, const char *(*at)(const void *, size_t),
                       const void *items, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        char one[96];
        const char *s = tune_csv_shown(at(items, i), one, sizeof one);
        if (used + strlen(s) + 8 >= size) {
            snprintf(buf + used, size - used, "%s...", i ? ", " : "");
            return;
        }
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "", s);
    }
}

/* Class codes in sorted label order into ds->y, names into ds->class_names. */
static int encode_classes(const struct tune_table *t, size_t tcol, struct tune_dataset *ds,
                          struct tune_error *err)
{
    const char *path = ds->path;
    const struct tune_column *col = &t->cols[tcol];
    const double *v = t->data + tcol * t->n_rows;
    size_t n = t->n_rows;
    if (col->kind == TUNE_COL_CATEGORICAL) {
        struct level_ref *refs = malloc(col->n_levels * sizeof *refs + 1);
        size_t *rank = malloc(col->n_levels * sizeof *rank + 1);
        ds->class_names = calloc(col->n_levels + 1, sizeof *ds->class_names);
        int rc = TUNE_OK;
        if (!refs || !rank || !ds->class_names) {
            rc = tune_error_set(err, TUNE_ENOMEM, "%s: out of memory", path);
            goto done;
        }
        for (size_t k = 0; k < col->n_levels; k++)
            refs[k] = (struct level_ref){col->levels[k], k};
        qsort(refs, col->n_levels, sizeof *refs, cmp_level);
        for (size_t k = 0; k < col->n_levels; k++) {
            rank[refs[k].code] = k;
            ds->class_names[k] = dup_span(refs[k].text, strlen(refs[k].text));
            if (!ds->class_names[k]) {
                rc = tune_error_set(err, TUNE_ENOMEM, "%s: out of memory", path);
                goto done;
            }
            ds->n_classes++;
        }
        for (size_t r = 0; r < n; r++)
            ds->y[r] = (double)rank[(size_t)v[r]];
    done:
        free(refs);
        free(rank);
        return rc;
    }

    double *u = malloc(n * sizeof *u + 1);
    if (!u)
        return tune_error_set(err, TUNE_ENOMEM, "%s: out of memory", path);
    memcpy(u, v, n * sizeof *u);
    qsort(u, n, sizeof *u, cmp_double);
    size_t k = 0;
    for (size_t r = 0; r < n; r++)
        if (r == 0 || u[r] != u[k - 1])
            u[k++] = u[r];
    ds->class_names = calloc(k + 1, sizeof *ds->class_names);
    if (!ds->class_names) {
        free(u);
        return tune_error_set(err, TUNE_ENOMEM, "%s: out of memory", path);
    }
    for (size_t c = 0; c < k; c++) {
        char buf[40];
        tune_decimal_format(u[c] == 0 ? 0.0 : u[c], buf, sizeof buf);
        if (!(ds->class_names[c] = dup_span(buf, strlen(buf)))) {
            free(u);
            return tune_error_set(err, TUNE_ENOMEM, "%s: out of memory", path);
        }
        ds->n_classes++;
    }
    for (size_t r = 0; r < n; r++) {
        const double *hit = bsearch(&v[r], u, k, sizeof *u, cmp_double);
        ds->y[r] = (double)(hit - u);
    }
    free(u);
    return TUNE_OK;
}

/* For a text target in a regression: the first cell that is not a number. */
static int text_target_error(const struct tune_table *t, size_t tcol, struct tune_error *err)
{
    const struct tune_column *col = &t->cols[tcol];
    char dp = tune_decimal_point();
    size_t level = 0;
    for (; level < col->n_levels; level++) {
        double dummy;
        if (tune_decimal_parse(col->levels[level], strlen(col->levels[level]), dp, &dummy) == 0)
            break;
    }
    if (level == col->n_levels)
        level = 0;
    const double *v = t->data + tcol * t->n_rows;
    size_t r = 0;
    while (r + 1 < t->n_rows && v[r] != (double)level)
        r++;
    char name[96], text[96];
    return tune_error_set(err, TUNE_EINVAL,
                          "%s:%zu:%zu: target column '%s' holds text ('%s'); regression needs "
                          "numbers",
                          t->path, row_line_of(t, r), tcol + 1,
                          tune_csv_shown(col->name, name, sizeof name),
                          tune_csv_shown(col->n_levels ? col->levels[level] : "", text,
                                         sizeof text));
}

/* The separator a one-column header seems to hide, or 0: "a;b;target" was
 * read with commas. */
static char hidden_delimiter(const struct tune_table *t)
{
    if (t->n_cols != 1)
        return 0;
    for (const char *d = ";\t|"; *d; d++)
        if (strchr(t->cols[0].name, *d))
            return *d;
    return 0;
}

/* tune_dataset_from_table; with `owner` (the table itself, which the
 * caller gives up) the dataset takes the table's block instead of copying
 * it: the target column is closed over and the block shrunk in place. */
static int split(const struct tune_table *table, struct tune_table *owner, const char *target,
                 enum tune_task task, struct tune_dataset **out, struct tune_error *err)
{
    if (out)
        *out = NULL;
    if (!table || !out)
        return tune_error_set(err, TUNE_EINVAL, "tune_dataset_from_table: no table or no result");
    const char *path = table->path ? table->path : "<table>";
    if (strcmp(tune_task_name(task), "unknown") == 0)
        return tune_error_set(err, TUNE_EINVAL, "%s: unknown task %d", path, (int)task);
    int has_target = target && target[0];
    char tname[96]; /* the target as messages show it */
    tune_csv_shown(has_target ? target : "", tname, sizeof tname);
    if (!has_target && task != TUNE_TASK_CLUSTERING)
        return tune_error_set(err, TUNE_EINVAL, "%s: task '%s' needs a target column", path,
                              tune_task_name(task));

    size_t n = table->n_rows, tcol = table->n_cols; /* n_cols: no target */
    if (has_target) {
        long j = tune_table_find(table, target);
        if (j < 0) {
            char list[320], d = hidden_delimiter(table);
            join_names(list, sizeof list, column_name_at, table->cols, table->n_cols);
            if (d) {
                const char *looks = d == '\t' ? "tab" : d == ';' ? "';'" : "'|'",
                           *json = d == '\t' ? "\\t" : d == ';' ? ";" : "|";
                return tune_error_set(err, TUNE_EINVAL,
                                      "%s: target column '%s' not found (columns: %s); the "
                                      "header is one column: the file looks %s-separated (set "
                                      "\"data\": {\"delimiter\": \"%s\"})",
                                      path, tname, list, looks, json);
            }
            return tune_error_set(err, TUNE_EINVAL,
                                  "%s: target column '%s' not found (columns: %s)", path, tname,
                                  list);
        }
        tcol = (size_t)j;
        const double *v = table->data + tcol * n;
        for (size_t r = 0; r < n; r++)
            if (isnan(v[r]))
                return tune_error_set(err, TUNE_EINVAL,
                                      "%s:%zu:%zu: missing value in target column '%s'", path,
                                      row_line_of(table, r), tcol + 1, tname);
        if (task == TUNE_TASK_REGRESSION && table->cols[tcol].kind == TUNE_COL_CATEGORICAL)
            return text_target_error(table, tcol, err);
    }
    size_t n_features = table->n_cols - (has_target ? 1 : 0);
    if (n_features == 0)
        return tune_error_set(err, TUNE_EINVAL, "%s: no feature columns besides target '%s'",
                              path, tname);

    struct tune_dataset *ds = calloc(1, sizeof *ds);
    int rc = TUNE_ENOMEM;
    if (!ds)
        goto nomem;
    ds->task = task;
    ds->n_rows = n;
    ds->checksum = table->checksum;
    ds->n_cols_file = table->n_cols;
    if (!(ds->path = dup_span(path, strlen(path))))
        goto nomem;
    /* The target first: it reads the block the features may take over. */
    if (has_target) {
        if (!(ds->target_name = dup_span(target, strlen(target))))
            goto nomem;
        if (!(ds->y = malloc(n * sizeof *ds->y + 1)))
            goto nomem;
        if (task == TUNE_TASK_REGRESSION) {
            memcpy(ds->y, table->data + tcol * n, n * sizeof *ds->y);
        } else {
            rc = encode_classes(table, tcol, ds, err);
            if (rc)
                goto fail;
            char list[200];
            join_names(list, sizeof list, string_at, ds->class_names, ds->n_classes);
            if (task != TUNE_TASK_CLUSTERING && ds->n_classes < 2) {
                rc = tune_error_set(err, TUNE_EINVAL,
                                    "%s: target column '%s' has %zu class (%s); %s needs at "
                                    "least 2",
                                    path, tname, ds->n_classes, list, tune_task_name(task));
                goto fail;
            }
            if (task == TUNE_TASK_BINARY && ds->n_classes > 2) {
                rc = tune_error_set(err, TUNE_EINVAL,
                                    "%s: target column '%s' has %zu classes (%s); binary needs "
                                    "exactly 2 (use multiclass)",
                                    path, tname, ds->n_classes, list);
                goto fail;
            }
        }
    }
    if (!(ds->features = calloc(n_features, sizeof *ds->features)))
        goto nomem;
    for (size_t j = 0; j < table->n_cols; j++) {
        if (j == tcol)
            continue;
        size_t f = ds->n_features++; /* counted first, so a partial copy is freed */
        if (column_copy(&ds->features[f], &table->cols[j]))
            goto nomem;
    }
    if (owner) {
        double *x = owner->data;
        for (size_t j = tcol + 1; j < table->n_cols; j++)
            memmove(x + (j - 1) * n, x + j * n, n * sizeof *x);
        owner->data = NULL;
        double *fit = realloc(x, n * n_features * sizeof *x);
        ds->x = fit ? fit : x;
    } else {
        if (!(ds->x = malloc(n * n_features * sizeof *ds->x + 1)))
            goto nomem;
        for (size_t j = 0, f = 0; j < table->n_cols; j++)
            if (j != tcol)
                memcpy(ds->x + f++ * n, table->data + j * n, n * sizeof *ds->x);
    }
    *out = ds;
    return TUNE_OK;

nomem:
    rc = tune_error_set(err, TUNE_ENOMEM, "%s: out of memory building the dataset", path);
fail:
    tune_dataset_free(ds);
    return rc;
}

int tune_dataset_from_table(const struct tune_table *table, const char *target,
                            enum tune_task task, struct tune_dataset **out,
                            struct tune_error *err)
{
    return split(table, NULL, target, task, out, err);
}

int tune_dataset_load_opts(const char *path, const char *target, enum tune_task task,
                           const struct tune_csv_options *opts, struct tune_dataset **out,
                           struct tune_error *err)
{
    struct tune_table *t;
    if (out)
        *out = NULL;
    struct tune_csv_options o = opts ? *opts : (struct tune_csv_options){0};
    if (o.bad_numbers == TUNE_BAD_NUMBERS_DEFAULT)
        o.bad_numbers = TUNE_BAD_NUMBERS_ERROR;
    int rc = tune_table_read_csv_opts(path, &o, &t, err);
    if (rc)
        return rc;
    rc = split(t, t, target, task, out, err);
    tune_table_free(t);
    return rc;
}

int tune_dataset_load_stream(const char *name, FILE *f, uint64_t total, const char *target,
                             enum tune_task task, const struct tune_csv_options *opts,
                             struct tune_dataset **out, struct tune_error *err)
{
    struct tune_table *t;
    if (out)
        *out = NULL;
    struct tune_csv_options o = opts ? *opts : (struct tune_csv_options){0};
    if (o.bad_numbers == TUNE_BAD_NUMBERS_DEFAULT)
        o.bad_numbers = TUNE_BAD_NUMBERS_ERROR;
    int rc = tune_table_read_csv_stream(name, f, total, &o, &t, err);
    if (rc)
        return rc;
    rc = split(t, t, target, task, out, err);
    tune_table_free(t);
    return rc;
}

int tune_dataset_load(const char *path, const char *target, enum tune_task task,
                      struct tune_dataset **out, struct tune_error *err)
{
    return tune_dataset_load_opts(path, target, task, NULL, out, err);
}
