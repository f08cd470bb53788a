/* SPDX-License-Identifier: GPL-3.0-or-later */
/* predictions_csv.c — read and write the predictions CSV format of
 * tunefold/predictions.h, and read truth labels from a table.
 *
 * The reader works on a `tune_table` (src/table.c parses the CSV: quoting,
 * line numbers, numeric versus text columns), so its job is the format's
 * rules: which columns a task allows, classes matched by name, every value
 * checked (no NaN score, probabilities in [0, 1] summing to 1 within 1e-6,
 * labels among the classes) and every problem reported as path:line:column.
 *
 * Invariants: library code (no printing); on failure *out is zeroed and
 * nothing leaks; doubles are written with %.17g so a file read back gives
 * the same predictions bit for bit. */
#include "tunefold/predictions.h"
#include "tunefold/text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUM_TOLERANCE 1e-6
/* A probability may miss [0, 1] by rounding (a softmax written as 1 + 2^-52). */
#define RANGE_TOLERANCE 1e-9

/* A number spelt in full ("1", "2.5", "-3e2"), in the C locale. */
static int read_number(const char *s, double *v)
{
    if (!s || !*s)
        return 0;
    char *end;
    *v = strtod(s, &end);
    return *end == '\0' && !isnan(*v);
}

void tune_table_cell_text(const struct tune_table *t, size_t row, size_t col, char *buf,
                          size_t len)
{
    double v = t->data[col * t->n_rows + row];
    const struct tune_column *c = &t->cols[col];
    if (len == 0)
        return;
    buf[0] = '\0';
    if (isnan(v))
        return;
    if (c->kind == TUNE_COL_CATEGORICAL) {
        snprintf(buf, len, "%s", c->levels[(size_t)v]);
        return;
    }
    if (v == 0.0)
        v = 0.0; /* "-0" is "0" */
    tune_format_double(v, buf, len);
}

long tune_class_index(const char *const *class_names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(class_names[i], name) == 0)
            return (long)i;
    double v, w;
    if (!read_number(name, &v))
        return -1;
    for (size_t i = 0; i < n; i++)
        if (read_number(class_names[i], &w) && w == v)
            return (long)i;
    return -1;
}

/* qsort comparators: numeric when every name reads as a number. */
static int by_number(const void *a, const void *b)
{
    double x = strtod(*(char *const *)a, NULL), y = strtod(*(char *const *)b, NULL);
    return (x > y) - (x < y);
}

static int by_bytes(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void tune_class_names_sort_unique(char **names, size_t *n)
{
    double v;
    int numeric = 1;
    for (size_t i = 0; i < *n; i++)
        numeric = numeric && read_number(names[i], &v);
    qsort(names, *n, sizeof *names, numeric ? by_number : by_bytes);
    size_t kept = 0;
    for (size_t i = 0; i < *n; i++) {
        const char *const *prev = (const char *const *)names;
        if (kept > 0 && tune_class_index(prev + kept - 1, 1, names[i]) == 0) {
            free(names[i]);
            continue;
        }
        names[kept++] = names[i];
    }
    *n = kept;
}

/* Physical line of data row r (1-based), for messages. */
static size_t line_of(const struct tune_table *t, size_t r)
{
    return t->row_line ? t->row_line[r] : r + 2;
}

/* "a, b, c" (truncated with "...") for messages. */
static void join_classes(char *buf, size_t len, const char *const *names, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used + 1 < len; i++) {
        int w = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", names[i]);
        if (w < 0 || (size_t)w >= len - used) {
            if (len > 4)
                memcpy(buf + len - 4, "...", 4);
            return;
        }
        used += (size_t)w;
    }
}

/* The numbers of column col, or an error naming the first cell that is text
 * or missing (`what` names the value in the message). */
static int numeric_cell(const struct tune_table *t, size_t col, size_t r, const char *what,
                        double *v, struct tune_error *err)
{
    double x = t->data[col * t->n_rows + r];
    const struct tune_column *c = &t->cols[col];
    if (c->kind == TUNE_COL_CATEGORICAL && !isnan(x)) {
        const char *text = c->levels[(size_t)x];
        if (!read_number(text, v))
            return tune_error_set(err, TUNE_EINVAL, "%s:%zu:%zu: %s '%s' is not a number",
                                  t->path, line_of(t, r), col + 1, what, text);
        x = *v;
    }
    if (isnan(x))
        return tune_error_set(err, TUNE_EINVAL, "%s:%zu:%zu: %s is missing or NaN", t->path,
                              line_of(t, r), col + 1, what);
    *v = x;
    return TUNE_OK;
}

/* The class code of cell (r, col), or an error naming it. */
static int class_cell(const struct tune_table *t, size_t col, size_t r, const char *what,
                      size_t n_classes, const char *const *class_names, int *code,
                      struct tune_error *err)
{
    char text[256];
    tune_table_cell_text(t, r, col, text, sizeof text);
    if (!text[0])
        return tune_error_set(err, TUNE_EINVAL, "%s:%zu:%zu: %s is missing", t->path,
                              line_of(t, r), col + 1, what);
    long k = tune_class_index(class_names, n_classes, text);
    if (k < 0) {
        char list[200];
        join_classes(list, sizeof list, class_names, n_classes);
        return tune_error_set(err, TUNE_EINVAL, "%s:%zu:%zu: %s '%s' is not a class (classes: %s)",
                              t->path, line_of(t, r), col + 1, what, text, list);
    }
    *code = (int)k;
    return TUNE_OK;
}

int tune_truth_from_table(const struct tune_table *t, size_t col, enum tune_task task,
                          size_t n_classes, const char *const *class_names, double *out,
                          struct tune_error *err)
{
    if (col >= t->n_cols)
        return tune_error_set(err, TUNE_EINVAL, "%s: no column %zu", t->path, col + 1);
    for (size_t r = 0; r < t->n_rows; r++) {
        int rc;
        if (task == TUNE_TASK_REGRESSION) {
            rc = numeric_cell(t, col, r, "value", &out[r], err);
        } else {
            int code = 0;
            rc = class_cell(t, col, r, "label", n_classes, class_names, &code, err);
            out[r] = code;
        }
        if (rc)
            return rc;
    }
    return TUNE_OK;
}

/* Where each column of a predictions file goes. */
struct layout {
    long score, label, prediction;
    long *proba;      /* n_classes: column of proba_<class>, or -1 */
    size_t n_proba;   /* proba_ columns seen */
    long first_proba; /* leftmost proba_ column */
};

static int plan_columns(const struct tune_table *t, enum tune_task task, size_t n_classes,
                        const char *const *class_names, struct layout *lay,
                        struct tune_error *err)
{
    const char *path = t->path;
    char list[200];
    join_classes(list, sizeof list, class_names, n_classes);
    for (size_t j = 0; j < t->n_cols; j++) {
        const char *name = t->cols[j].name;
        long col = (long)j;
        if (task != TUNE_TASK_REGRESSION && strcmp(name, "label") == 0) {
            lay->label = col;
        } else if (task == TUNE_TASK_BINARY && strcmp(name, "score") == 0) {
            lay->score = col;
        } else if (task == TUNE_TASK_REGRESSION && strcmp(name, "prediction") == 0) {
            lay->prediction = col;
        } else if (task != TUNE_TASK_REGRESSION && strncmp(name, "proba_", 6) == 0) {
            long k = tune_class_index(class_names, n_classes, name + 6);
            if (k < 0)
                return tune_error_set(err, TUNE_EINVAL,
                                      "%s:1:%zu: column '%s' names no class (classes: %s)",
                                      path, j + 1, name, list);
            if (lay->proba[k] >= 0)
                return tune_error_set(err, TUNE_EINVAL,
                                      "%s:1:%zu: column '%s' repeats class '%s' (column %ld)",
                                      path, j + 1, name, class_names[k], lay->proba[k] + 1);
            lay->proba[k] = col;
            if (lay->first_proba < 0)
                lay->first_proba = col;
            lay->n_proba++;
        } else {
            const char *expected = task == TUNE_TASK_REGRESSION ? "prediction"
                                   : task == TUNE_TASK_BINARY
                                       ? "score or proba_<class>, and optionally label"
                                       : "proba_<class>, and optionally label";
            return tune_error_set(err, TUNE_EINVAL,
                                  "%s:1:%zu: unknown column '%s' (a %s predictions file has "
                                  "%s)",
                                  path, j + 1, name, tune_task_name(task), expected);
        }
    }
    if (task == TUNE_TASK_REGRESSION) {
        if (lay->prediction < 0)
            return tune_error_set(err, TUNE_EINVAL, "%s:1: no 'prediction' column", path);
        return TUNE_OK;
    }
    if (task == TUNE_TASK_BINARY && lay->score >= 0 && lay->n_proba > 0)
        return tune_error_set(err, TUNE_EINVAL,
                              "%s:1: give either a 'score' column or proba_<class> columns, "
                              "not both",
                              path);
    if (task == TUNE_TASK_BINARY && lay->score >= 0)
        return TUNE_OK;
    if (lay->n_proba == 0)
        return tune_error_set(err, TUNE_EINVAL, "%s:1: no %s column (classes: %s)", path,
                              task == TUNE_TASK_BINARY ? "'score' or proba_<class>"
                                                       : "proba_<class>",
                              list);
    for (size_t k = 0; k < n_classes; k++)
        if (lay->proba[k] < 0)
            return tune_error_set(err, TUNE_EINVAL, "%s:1: no column proba_%s for class '%s'",
                                  path, class_names[k], class_names[k]);
    return TUNE_OK;
}

int tune_predictions_from_table(const struct tune_table *t, enum tune_task task,
                                size_t n_classes, const char *const *class_names,
                                size_t expected_rows,
                                const struct tune_predictions_csv_opts *opts,
                                struct tune_predictions_csv_info *info,
                                struct tune_predictions *out, struct tune_error *err)
{
    memset(out, 0, sizeof *out);
    struct tune_predictions_csv_info found = {0};
    if (task != TUNE_TASK_BINARY && task != TUNE_TASK_MULTICLASS &&
        task != TUNE_TASK_REGRESSION)
        return tune_error_set(err, TUNE_EINVAL, "%s: predictions of a %s task have no file format",
                              t->path, tune_task_name(task));
    int classes = task != TUNE_TASK_REGRESSION;
    if (classes && (n_classes < 2 || !class_names || (task == TUNE_TASK_BINARY && n_classes != 2)))
        return tune_error_set(err, TUNE_EINVAL, "%s: a %s task needs %s classes, got %zu",
                              t->path, tune_task_name(task),
                              task == TUNE_TASK_BINARY ? "2" : "at least 2", n_classes);
    if (expected_rows && t->n_rows != expected_rows)
        return tune_error_set(err, TUNE_EINVAL,
                              "%s:%zu: %zu prediction rows, but the truth has %zu",
                              t->path, t->n_rows ? line_of(t, t->n_rows - 1) : 1, t->n_rows,
                              expected_rows);
    double threshold = opts && opts->has_threshold ? opts->threshold : 0.5;
    struct layout lay = {-1, -1, -1, NULL, 0, -1};
    lay.proba = malloc((classes ? n_classes : 1) * sizeof *lay.proba);
    if (!lay.proba)
        return tune_error_set(err, TUNE_ENOMEM, "%s: out of memory", t->path);
    for (size_t k = 0; classes && k < n_classes; k++)
        lay.proba[k] = -1;
    int rc = plan_columns(t, task, n_classes, class_names, &lay, err);
    if (!rc)
        rc = tune_predictions_init(out, task, t->n_rows, n_classes, classes, err);
    if (rc)
        goto fail;
    found.has_label = lay.label >= 0;
    found.has_proba_columns = lay.n_proba > 0;
    found.scores_are_probabilities = 1;
    size_t n = t->n_rows, k = n_classes;
    for (size_t r = 0; r < n; r++) {
        if (task == TUNE_TASK_REGRESSION) {
            if ((rc = numeric_cell(t, (size_t)lay.prediction, r, "prediction", &out->value[r],
                                   err)))
                goto fail;
            continue;
        }
        double *row = out->proba + r * k;
        if (lay.score >= 0) {
            double s;
            if ((rc = numeric_cell(t, (size_t)lay.score, r, "score", &s, err)))
                goto fail;
            row[1] = s;
            row[0] = 1.0 - s;
            found.scores_are_probabilities &= s >= -RANGE_TOLERANCE && s <= 1.0 + RANGE_TOLERANCE;
        } else {
            double sum = 0.0;
            for (size_t c = 0; c < k; c++) {
                size_t col = (size_t)lay.proba[c];
                if ((rc = numeric_cell(t, col, r, "probability", &row[c], err)))
                    goto fail;
                if (!(row[c] >= -RANGE_TOLERANCE && row[c] <= 1.0 + RANGE_TOLERANCE)) {
                    rc = tune_error_set(err, TUNE_EINVAL,
                                        "%s:%zu:%zu: probability %.17g is outside [0, 1]",
                                        t->path, line_of(t, r), col + 1, row[c]);
                    goto fail;
                }
                sum += row[c];
            }
            if (!(fabs(sum - 1.0) <= SUM_TOLERANCE)) {
                rc = tune_error_set(err, TUNE_EINVAL,
                                    "%s:%zu:%ld: probabilities sum to %.17g, not 1 (within %g)",
                                    t->path, line_of(t, r), lay.first_proba + 1, sum,
                                    SUM_TOLERANCE);
                goto fail;
            }
        }
        if (lay.label >= 0) {
            if ((rc = class_cell(t, (size_t)lay.label, r, "label", k, class_names,
                                 &out->label[r], err)))
                goto fail;
        } else if (lay.score >= 0) {
            out->label[r] = row[1] >= threshold;
        } else {
            size_t best = 0; /* the first most probable class, as numpy's argmax */
            for (size_t c = 1; c < k; c++)
                if (row[c] > row[best])
                    best = c;
            out->label[r] = (int)best;
        }
    }
    free(lay.proba);
    if (info)
        *info = found;
    return TUNE_OK;
fail:
    free(lay.proba);
    tune_predictions_release(out);
    return rc;
}

int tune_predictions_read_csv(const char *path, enum tune_task task, size_t n_classes,
                              const char *const *class_names, size_t expected_rows,
                              struct tune_predictions *out, struct tune_error *err)
{
    memset(out, 0, sizeof *out);
    struct tune_table *t = NULL;
    int rc = tune_table_read_csv(path, &t, err);
    if (rc)
        return rc;
    rc = tune_predictions_from_table(t, task, n_classes, class_names, expected_rows, NULL, NULL,
                                     out, err);
    tune_table_free(t);
    return rc;
}

/* A CSV field, quoted when it must be (RFC 4180). */
static void put_field(FILE *f, const char *prefix, const char *s)
{
    size_t len = strlen(s);
    int quote = strpbrk(s, ",\"\r\n") != NULL || (len && (s[0] == ' ' || s[len - 1] == ' '));
    if (!quote) {
        fprintf(f, "%s%s", prefix, s);
        return;
    }
    fputc('"', f);
    fputs(prefix, f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

int tune_predictions_write_csv(const char *path, enum tune_task task,
                               const struct tune_predictions *p,
                               const char *const *class_names, struct tune_error *err)
{
    int classes = task == TUNE_TASK_BINARY || task == TUNE_TASK_MULTICLASS;
    if (!classes && task != TUNE_TASK_REGRESSION)
        return tune_error_set(err, TUNE_EINVAL, "%s: predictions of a %s task have no file format",
                              path, tune_task_name(task));
    if (classes && (!p->label || !class_names || p->n_classes < 2))
        return tune_error_set(err, TUNE_EINVAL, "%s: class predictions need labels and class names",
                              path);
    if (!classes && !p->value)
        return tune_error_set(err, TUNE_EINVAL, "%s: regression predictions need values", path);
    FILE *f = fopen(path, "wb");
    if (!f)
        return tune_error_set(err, TUNE_EIO, "%s: cannot write", path);
    size_t k = p->n_classes;
    if (!classes) {
        fputs("prediction\n", f);
        for (size_t i = 0; i < p->n; i++)
            fprintf(f, "%.17g\n", p->value[i]);
    } else {
        fputs("label", f);
        if (p->proba && task == TUNE_TASK_BINARY) {
            fputs(",score", f);
        } else if (p->proba) {
            for (size_t c = 0; c < k; c++) {
                fputc(',', f);
                put_field(f, "proba_", class_names[c]);
            }
        }
        fputc('\n', f);
        for (size_t i = 0; i < p->n; i++) {
            int code = p->label[i];
            if (code < 0 || (size_t)code >= k) {
                fclose(f);
                return tune_error_set(err, TUNE_EINVAL, "%s: row %zu has class code %d of %zu",
                                      path, i + 1, code, k);
            }
            put_field(f, "", class_names[code]);
            if (p->proba && task == TUNE_TASK_BINARY)
                fprintf(f, ",%.17g", p->proba[2 * i + 1]);
            else if (p->proba)
                for (size_t c = 0; c < k; c++)
                    fprintf(f, ",%.17g", p->proba[i * k + c]);
            fputc('\n', f);
        }
    }
    if (ferror(f) | fclose(f))
        return tune_error_set(err, TUNE_EIO, "%s: write failed", path);
    return TUNE_OK;
}
