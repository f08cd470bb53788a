/* SPDX-License-Identifier: GPL-3.0-or-later */
/* trainer_predict.c — a predict-mode trainer for the external-trainer tests:
 * nearest centroid on standardised features (classification; probabilities
 * proportional to exp(-d^2 / 2) over the class centroids) or the training
 * mean (regression).  Deterministic, no parameters needed.
 *
 * Reads TUNEFOLD_TRAIN (header; numeric features; the target last, as a
 * number or an unquoted label), TUNEFOLD_VALID (the features), TUNEFOLD_TASK
 * and TUNEFOLD_CLASSES (comma-separated labels in tunefold's order; if
 * absent, the distinct training labels sorted: as numbers when they all
 * are, else byte order); writes
 * TUNEFOLD_PREDICTIONS: "score,label" (binary, score = P(last class)),
 * "proba_<class>...,label" (multiclass) or "prediction" (regression).
 * Prints three intermediate lines {"step": S, "value": V} first.
 *
 * --fault=NAME (or TUNEFOLD_P_FAULT): those of faults.h, and
 *   short          one row too few
 *   long           one row too many
 *   nan            the first prediction is nan
 *   text           the first prediction is "abc"
 *   missing        writes no predictions file
 *   header         a header with a wrong column name
 *   badsum         multiclass probabilities that do not sum to 1
 *   unknown_label  a label that is not a class
 *   params         prints TUNEFOLD_PARAMS' content and the TUNEFOLD_*
 *                  variables on stderr, then behaves */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS in faults.h, strdup, strtok_r */
#include "faults.h"

#include <math.h>

#define MAX_COLS 512
#define MAX_CLASSES 64

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "trainer_predict: %s%s\n", what, detail ? detail : "");
    exit(1);
}

struct table {
    size_t n, d;
    double *x;      /* row-major */
    char **label;   /* training file: the last cell of each row */
};

static void read_table(const char *path, int with_target, struct table *t)
{
    FILE *f = fopen(path, "r");
    if (!f)
        die("cannot open ", path);
    static char line[1 << 16];
    if (!fgets(line, sizeof line, f))
        die("empty file ", path);
    size_t cols = 1;
    for (char *p = line; *p; p++)
        cols += *p == ',';
    t->d = cols - (with_target ? 1 : 0);
    t->n = 0;
    size_t cap = 64;
    t->x = malloc(cap * (t->d ? t->d : 1) * sizeof *t->x);
    t->label = malloc(cap * sizeof *t->label);
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0])
            continue;
        if (t->n == cap) {
            cap *= 2;
            t->x = realloc(t->x, cap * (t->d ? t->d : 1) * sizeof *t->x);
            t->label = realloc(t->label, cap * sizeof *t->label);
        }
        char *save = NULL, *cell = strtok_r(line, ",", &save);
        for (size_t j = 0; j < t->d; j++) {
            if (!cell)
                die("short row in ", path);
            t->x[t->n * t->d + j] = strtod(cell, NULL);
            cell = strtok_r(NULL, ",", &save);
        }
        t->label[t->n] = NULL;
        if (with_target) {
            if (!cell)
                die("no target cell in ", path);
            t->label[t->n] = strdup(cell);
        }
        t->n++;
    }
    fclose(f);
}

static int is_number(const char *s)
{
    char *end;
    strtod(s, &end);
    return end != s && *end == '\0';
}

/* Labels compare as numbers when both are numbers, else as bytes. */
static int label_cmp(const char *a, const char *b)
{
    if (is_number(a) && is_number(b)) {
        double u = strtod(a, NULL), v = strtod(b, NULL);
        return (u > v) - (u < v);
    }
    return strcmp(a, b);
}

static int cmp_label(const void *a, const void *b)
{
    return label_cmp(*(char *const *)a, *(char *const *)b);
}

static const char *env_or_die(const char *name)
{
    const char *v = getenv(name);
    if (!v || !*v)
        die("not set: ", name);
    return v;
}

int main(int argc, char **argv)
{
    const char *fault = tu_param(argc, argv, "fault", "TUNEFOLD_P_FAULT");
    tu_apply_fault(fault, tu_param(argc, argv, "pidfile", "TUNEFOLD_P_PIDFILE"));
    if (!fault)
        fault = "none";
    if (strcmp(fault, "params") == 0) {
        const char *path = getenv("TUNEFOLD_PARAMS");
        FILE *f = path ? fopen(path, "r") : NULL;
        int c;
        fprintf(stderr, "params file: ");
        while (f && (c = getc(f)) != EOF)
            fputc(c, stderr);
        if (f)
            fclose(f);
        fprintf(stderr, "\n");
        const char *names[] = {"TUNEFOLD_TRIAL", "TUNEFOLD_SEED", "TUNEFOLD_TASK",
                               "TUNEFOLD_FOLD", "TUNEFOLD_WORKDIR", "TUNEFOLD_CLASSES", NULL};
        for (int i = 0; names[i]; i++)
            fprintf(stderr, "%s=%s\n", names[i], getenv(names[i]) ? getenv(names[i]) : "(unset)");
    }
    const char *task = env_or_die("TUNEFOLD_TASK");
    struct table tr, va;
    read_table(env_or_die("TUNEFOLD_TRAIN"), 1, &tr);
    read_table(env_or_die("TUNEFOLD_VALID"), 0, &va);
    if (tr.n == 0 || tr.d != va.d)
        die("training and validation files do not match", NULL);
    for (int s = 1; s <= 3; s++)
        printf("{\"step\": %d, \"value\": %.17g}\n", s, 1.0 / s + (double)tr.n * 1e-3);
    fflush(stdout);

    const char *pred_path = env_or_die("TUNEFOLD_PREDICTIONS");
    if (strcmp(fault, "missing") == 0)
        return 0;
    FILE *out = fopen(pred_path, "w");
    if (!out)
        die("cannot write ", pred_path);
    size_t n_rows = va.n;
    if (strcmp(fault, "short") == 0 && n_rows > 0)
        n_rows--;
    if (strcmp(fault, "long") == 0)
        n_rows++; /* the extra row repeats the last one */

    if (strcmp(task, "regression") == 0) {
        double mean = 0;
        for (size_t i = 0; i < tr.n; i++)
            mean += strtod(tr.label[i], NULL) / (double)tr.n;
        fprintf(out, "%s\n", strcmp(fault, "header") == 0 ? "wrong" : "prediction");
        for (size_t i = 0; i < n_rows; i++) {
            if (i == 0 && strcmp(fault, "nan") == 0)
                fprintf(out, "nan\n");
            else if (i == 0 && strcmp(fault, "text") == 0)
                fprintf(out, "abc\n");
            else
                fprintf(out, "%.17g\n", mean);
        }
        fclose(out);
        return 0;
    }

    /* classes */
    char *classes[MAX_CLASSES];
    size_t k = 0;
    const char *given = getenv("TUNEFOLD_CLASSES");
    if (given && *given) {
        char *copy = strdup(given), *save = NULL;
        for (char *c = strtok_r(copy, ",", &save); c && k < MAX_CLASSES;
             c = strtok_r(NULL, ",", &save))
            classes[k++] = c;
    } else {
        char **sorted = malloc(tr.n * sizeof *sorted);
        memcpy(sorted, tr.label, tr.n * sizeof *sorted);
        qsort(sorted, tr.n, sizeof *sorted, cmp_label);
        for (size_t i = 0; i < tr.n && k < MAX_CLASSES; i++)
            if (k == 0 || label_cmp(classes[k - 1], sorted[i]) != 0)
                classes[k++] = sorted[i];
    }
    /* standardise, then class centroids */
    for (size_t j = 0; j < tr.d; j++) {
        double m = 0, v = 0;
        for (size_t i = 0; i < tr.n; i++)
            m += tr.x[i * tr.d + j] / (double)tr.n;
        for (size_t i = 0; i < tr.n; i++)
            v += pow(tr.x[i * tr.d + j] - m, 2) / (double)tr.n;
        double sd = v > 0 ? sqrt(v) : 1;
        for (size_t i = 0; i < tr.n; i++)
            tr.x[i * tr.d + j] = (tr.x[i * tr.d + j] - m) / sd;
        for (size_t i = 0; i < va.n; i++)
            va.x[i * va.d + j] = (va.x[i * va.d + j] - m) / sd;
    }
    double *cent = calloc(k * (tr.d ? tr.d : 1), sizeof *cent);
    double *count = calloc(k, sizeof *count);
    for (size_t i = 0; i < tr.n; i++) {
        size_t c = 0;
        while (c < k && label_cmp(classes[c], tr.label[i]) != 0)
            c++;
        if (c == k)
            die("training label is not a class: ", tr.label[i]);
        count[c]++;
        for (size_t j = 0; j < tr.d; j++)
            cent[c * tr.d + j] += tr.x[i * tr.d + j];
    }
    for (size_t c = 0; c < k; c++)
        for (size_t j = 0; j < tr.d; j++)
            cent[c * tr.d + j] /= count[c] > 0 ? count[c] : 1;

    int binary = strcmp(task, "binary") == 0;
    if (binary) {
        fprintf(out, "%s,label\n", strcmp(fault, "header") == 0 ? "wrong" : "score");
    } else {
        for (size_t c = 0; c < k; c++)
            fprintf(out, "%s%s_%s", c ? "," : "",
                    strcmp(fault, "header") == 0 && c == 0 ? "wrong" : "proba", classes[c]);
        fprintf(out, ",label\n");
    }
    double p[MAX_CLASSES];
    for (size_t r = 0; r < n_rows; r++) {
        size_t i = r < va.n ? r : va.n - 1;
        double total = 0, dmin = INFINITY;
        double d2[MAX_CLASSES];
        for (size_t c = 0; c < k; c++) {
            d2[c] = 0;
            for (size_t j = 0; j < tr.d; j++)
                d2[c] += pow(va.x[i * va.d + j] - cent[c * tr.d + j], 2);
            if (d2[c] < dmin)
                dmin = d2[c];
        }
        size_t best = 0;
        for (size_t c = 0; c < k; c++) {
            p[c] = exp(-(d2[c] - dmin) / 2);
            total += p[c];
        }
        for (size_t c = 0; c < k; c++) {
            p[c] /= total;
            if (p[c] > p[best])
                best = c;
        }
        if (strcmp(fault, "badsum") == 0)
            p[0] += 0.25;
        const char *label = strcmp(fault, "unknown_label") == 0 && r == 0 ? "no-such-class"
                                                                          : classes[best];
        if (r == 0 && strcmp(fault, "nan") == 0) {
            fprintf(out, binary ? "nan," : "nan,");
            for (size_t c = 1; !binary && c < k; c++)
                fprintf(out, "%.17g,", p[c]);
        } else if (r == 0 && strcmp(fault, "text") == 0) {
            fprintf(out, "abc,");
            for (size_t c = 1; !binary && c < k; c++)
                fprintf(out, "%.17g,", p[c]);
        } else if (binary) {
            fprintf(out, "%.17g,", p[k - 1]);
        } else {
            for (size_t c = 0; c < k; c++)
                fprintf(out, "%.17g,", p[c]);
        }
        fprintf(out, "%s\n", label);
    }
    fclose(out);
    return 0;
}
