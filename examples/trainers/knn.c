/* SPDX-License-Identifier: GPL-3.0-or-later */
/* knn.c — k-nearest neighbours as an external tunefold trainer, in plain C:
 * predict mode, hyperparameters from the environment ("params_as": "env").
 *
 * Build:  cc -O2 -std=c11 -o knn knn.c -lm
 *
 * What it reads (the tunefold protocol; see the README):
 *   TUNEFOLD_TRAIN        CSV: header, the feature columns, the target last
 *   TUNEFOLD_VALID        CSV: header, the same feature columns
 *   TUNEFOLD_TASK         binary | multiclass | regression
 *   TUNEFOLD_CLASSES      classification: the class labels in tunefold's
 *                         order, comma-separated (if absent: the sorted
 *                         labels of the training fold)
 *   TUNEFOLD_P_K          neighbours (default 5)
 *   TUNEFOLD_P_WEIGHTS    uniform | distance (default uniform)
 *   TUNEFOLD_P_P          1 (Manhattan) or 2 (Euclidean, default)
 *   TUNEFOLD_MODEL_DIR    set by `tunefold fit` and `tunefold predict` (the
 *                         protocol's model extension): with TUNEFOLD_TRAIN,
 *                         save the model there (for k-nearest neighbours the
 *                         model is the training rows: a copy of train.csv);
 *                         without TUNEFOLD_TRAIN, predict from what was saved
 * What it writes, to TUNEFOLD_PREDICTIONS, one row per validation row:
 *   binary      score,label          score = P(last class)
 *   multiclass  proba_<class>...,label
 *   regression  prediction
 *
 * Features are standardised with the training fold's mean and standard
 * deviation (distances need comparable scales).  Errors go to stderr with
 * exit status 1: tunefold records the trial as failed with that message.
 * Numeric cells only for features; quoted CSV fields are understood. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die(const char *fmt, const char *what)
{
    fprintf(stderr, "knn: ");
    fprintf(stderr, fmt, what);
    fprintf(stderr, "\n");
    exit(1);
}

static const char *need_env(const char *name)
{
    const char *v = getenv(name);
    if (!v || !*v)
        die("%s is not set (run me from tunefold)", name);
    return v;
}

/* ---- a small CSV reader: fields of one record, quotes understood -------- */

struct record {
    size_t n;
    char **field;
};

static void record_free(struct record *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->field[i]);
    free(r->field);
    r->n = 0;
    r->field = NULL;
}

/* Read one record; 0 at end of file. */
static int read_record(FILE *f, struct record *r)
{
    record_free(r);
    int c = getc(f);
    if (c == EOF)
        return 0;
    size_t cap = 0, len = 0;
    char *buf = NULL;
    int quoted = 0, done = 0;
    while (!done) {
        if (len + 2 > cap) {
            cap = cap ? 2 * cap : 64;
            buf = realloc(buf, cap);
            if (!buf)
                die("%s", "out of memory");
        }
        if (quoted) {
            if (c == EOF)
                die("%s", "unterminated quoted field");
            if (c == '"') {
                c = getc(f);
                if (c != '"') {
                    quoted = 0;
                    continue;
                }
            }
            buf[len++] = (char)c;
            c = getc(f);
            continue;
        }
        if (c == '"' && len == 0) {
            quoted = 1;
            c = getc(f);
            continue;
        }
        if (c == ',' || c == '\n' || c == EOF) {
            if (len > 0 && buf[len - 1] == '\r')
                len--;
            buf[len] = '\0';
            r->field = realloc(r->field, (r->n + 1) * sizeof *r->field);
            if (!r->field)
                die("%s", "out of memory");
            r->field[r->n++] = strdup(buf);
            len = 0;
            if (c != ',')
                done = 1;
            else
                c = getc(f);
            continue;
        }
        buf[len++] = (char)c;
        c = getc(f);
    }
    free(buf);
    return 1;
}

static double parse_number(const char *s, const char *file)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end != '\0')
        die("non-numeric feature cell in %s (the study should one-hot encode text)", file);
    return v;
}

struct table {
    size_t n, d;
    double *x;      /* row-major n x d */
    char **label;   /* training only: the target cells */
};

static void read_table(const char *path, int with_target, struct table *t)
{
    FILE *f = fopen(path, "r");
    if (!f)
        die("cannot open %s", path);
    struct record r = {0};
    if (!read_record(f, &r))
        die("%s is empty", path);
    t->d = r.n - (with_target ? 1 : 0);
    t->n = 0;
    t->x = NULL;
    t->label = NULL;
    size_t cap = 0;
    while (read_record(f, &r)) {
        if (r.n == 1 && r.field[0][0] == '\0')
            continue; /* blank line */
        if (r.n != t->d + (with_target ? 1 : 0))
            die("a row of %s has the wrong number of cells", path);
        if (t->n == cap) {
            cap = cap ? 2 * cap : 256;
            t->x = realloc(t->x, cap * t->d * sizeof *t->x);
            t->label = realloc(t->label, cap * sizeof *t->label);
            if (!t->x || !t->label)
                die("%s", "out of memory");
        }
        for (size_t j = 0; j < t->d; j++)
            t->x[t->n * t->d + j] = parse_number(r.field[j], path);
        t->label[t->n] = with_target ? strdup(r.field[t->d]) : NULL;
        t->n++;
    }
    record_free(&r);
    fclose(f);
}

/* ---- class labels in tunefold's order -------------------------------------- */

static int all_numeric;

static int label_cmp(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    if (all_numeric) {
        double u = strtod(x, NULL), v = strtod(y, NULL);
        return (u > v) - (u < v);
    }
    return strcmp(x, y);
}

static int is_number(const char *s)
{
    char *end;
    strtod(s, &end);
    return end != s && *end == '\0';
}

/* From TUNEFOLD_CLASSES ("a,b,c"), else the sorted distinct training labels. */
static char **class_list(const struct table *tr, size_t *k)
{
    const char *env = getenv("TUNEFOLD_CLASSES");
    char **c = NULL;
    *k = 0;
    if (env && *env) {
        char *copy = strdup(env), *save = NULL;
        for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            c = realloc(c, (*k + 1) * sizeof *c);
            c[(*k)++] = strdup(tok);
        }
        free(copy);
        return c;
    }
    c = malloc(tr->n * sizeof *c);
    all_numeric = 1;
    for (size_t i = 0; i < tr->n; i++) {
        c[i] = tr->label[i];
        all_numeric = all_numeric && is_number(c[i]);
    }
    qsort(c, tr->n, sizeof *c, label_cmp);
    for (size_t i = 0; i < tr->n; i++)
        if (*k == 0 || label_cmp(&c[*k - 1], &c[i]) != 0)
            c[(*k)++] = c[i];
    for (size_t i = 0; i < *k; i++)
        c[i] = strdup(c[i]);
    return c;
}

/* ---- the model ---------------------------------------------------------------- */

struct neighbour {
    double dist;
    size_t row;
};

static int neighbour_cmp(const void *a, const void *b)
{
    const struct neighbour *x = a, *y = b;
    if (x->dist != y->dist)
        return (x->dist > y->dist) - (x->dist < y->dist);
    return (x->row > y->row) - (x->row < y->row); /* ties: earlier row first */
}

/* Print a CSV field, quoted when it needs to be. */
static void put_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* Copy a file (saving the model: here, the training rows). */
static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    if (!in || !out)
        die("cannot copy the training rows to %s", to);
    char buf[65536];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, got, out) != got)
            die("cannot write %s", to);
    fclose(in);
    if (fclose(out) != 0)
        die("cannot write %s", to);
}

int main(void)
{
    const char *task = need_env("TUNEFOLD_TASK");
    /* The model extension: TUNEFOLD_MODEL_DIR with TUNEFOLD_TRAIN means
     * "train and save your model there"; without TUNEFOLD_TRAIN it means
     * "predict with the model you saved there". */
    const char *model_dir = getenv("TUNEFOLD_MODEL_DIR");
    const char *train_env = getenv("TUNEFOLD_TRAIN");
    char saved[4096] = "";
    if (model_dir && *model_dir)
        snprintf(saved, sizeof saved, "%s/train.csv", model_dir);
    const char *train_path = train_env && *train_env ? train_env
                             : saved[0]               ? saved
                                                      : need_env("TUNEFOLD_TRAIN");
    if (train_env && *train_env && saved[0])
        copy_file(train_env, saved);
    const char *valid_path = need_env("TUNEFOLD_VALID");
    const char *pred_path = need_env("TUNEFOLD_PREDICTIONS");
    const char *k_text = getenv("TUNEFOLD_P_K");
    const char *w_text = getenv("TUNEFOLD_P_WEIGHTS");
    const char *p_text = getenv("TUNEFOLD_P_P");
    long k = k_text ? strtol(k_text, NULL, 10) : 5;
    int distance = w_text && strcmp(w_text, "distance") == 0;
    double p = p_text ? strtod(p_text, NULL) : 2;
    if (k < 1)
        die("TUNEFOLD_P_K must be >= 1, got '%s'", k_text);
    if (w_text && !distance && strcmp(w_text, "uniform") != 0)
        die("TUNEFOLD_P_WEIGHTS must be uniform or distance, got '%s'", w_text);
    if (p != 1 && p != 2)
        die("TUNEFOLD_P_P must be 1 or 2, got '%s'", p_text);
    int regression = strcmp(task, "regression") == 0;
    int binary = strcmp(task, "binary") == 0;
    if (!regression && !binary && strcmp(task, "multiclass") != 0)
        die("unsupported task '%s'", task);

    struct table tr, va;
    read_table(train_path, 1, &tr);
    read_table(valid_path, 0, &va);
    if (tr.n == 0)
        die("%s has no rows", train_path);
    if (va.d != tr.d)
        die("%s has another number of feature columns than the training file", valid_path);
    if ((size_t)k > tr.n)
        k = (long)tr.n;

    /* standardise both with the training statistics */
    for (size_t j = 0; j < tr.d; j++) {
        double mean = 0, var = 0;
        for (size_t i = 0; i < tr.n; i++)
            mean += tr.x[i * tr.d + j] / (double)tr.n;
        for (size_t i = 0; i < tr.n; i++)
            var += pow(tr.x[i * tr.d + j] - mean, 2) / (double)tr.n;
        double sd = var > 0 ? sqrt(var) : 1;
        for (size_t i = 0; i < tr.n; i++)
            tr.x[i * tr.d + j] = (tr.x[i * tr.d + j] - mean) / sd;
        for (size_t i = 0; i < va.n; i++)
            va.x[i * va.d + j] = (va.x[i * va.d + j] - mean) / sd;
    }

    size_t n_classes = 0;
    char **classes = regression ? NULL : class_list(&tr, &n_classes);
    if (binary && n_classes != 2)
        die("a binary task needs 2 classes, TUNEFOLD_CLASSES or the training fold gives %s",
            "another number");
    size_t *code = NULL;
    double *target = NULL;
    if (regression) {
        target = malloc(tr.n * sizeof *target);
        for (size_t i = 0; i < tr.n; i++) {
            if (!is_number(tr.label[i]))
                die("non-numeric regression target '%s'", tr.label[i]);
            target[i] = strtod(tr.label[i], NULL);
        }
    } else {
        code = malloc(tr.n * sizeof *code);
        for (size_t i = 0; i < tr.n; i++) {
            size_t c = 0;
            while (c < n_classes && strcmp(classes[c], tr.label[i]) != 0) {
                /* "1" and "1.0" name the same numeric class */
                if (is_number(classes[c]) && is_number(tr.label[i]) &&
                    strtod(classes[c], NULL) == strtod(tr.label[i], NULL))
                    break;
                c++;
            }
            if (c == n_classes)
                die("training label '%s' is not among TUNEFOLD_CLASSES", tr.label[i]);
            code[i] = c;
        }
    }

    FILE *out = fopen(pred_path, "w");
    if (!out)
        die("cannot write %s", pred_path);
    if (regression) {
        fprintf(out, "prediction\n");
    } else if (binary) {
        fprintf(out, "score,label\n");
    } else {
        for (size_t c = 0; c < n_classes; c++) {
            fprintf(out, "%s", c ? "," : "");
            char name[512];
            snprintf(name, sizeof name, "proba_%s", classes[c]);
            put_field(out, name);
        }
        fprintf(out, ",label\n");
    }

    struct neighbour *nb = malloc(tr.n * sizeof *nb);
    double *vote = calloc(n_classes ? n_classes : 1, sizeof *vote);
    for (size_t i = 0; i < va.n; i++) {
        const double *q = va.x + i * va.d;
        for (size_t r = 0; r < tr.n; r++) {
            double s = 0;
            for (size_t j = 0; j < tr.d; j++) {
                double diff = fabs(q[j] - tr.x[r * tr.d + j]);
                s += p == 1 ? diff : diff * diff;
            }
            nb[r] = (struct neighbour){p == 1 ? s : sqrt(s), r};
        }
        qsort(nb, tr.n, sizeof *nb, neighbour_cmp);
        /* distance weights 1/d; an exact match (d = 0) takes all the weight */
        int exact = distance && nb[0].dist == 0;
        double total = 0, sum = 0;
        memset(vote, 0, (n_classes ? n_classes : 1) * sizeof *vote);
        for (long m = 0; m < k; m++) {
            double w = !distance ? 1 : exact ? (nb[m].dist == 0) : 1 / nb[m].dist;
            total += w;
            if (regression)
                sum += w * target[nb[m].row];
            else
                vote[code[nb[m].row]] += w;
        }
        if (regression) {
            fprintf(out, "%.17g\n", sum / total);
            continue;
        }
        size_t best = 0;
        for (size_t c = 1; c < n_classes; c++)
            if (vote[c] > vote[best])
                best = c;
        if (binary) {
            fprintf(out, "%.17g,", vote[1] / total);
        } else {
            for (size_t c = 0; c < n_classes; c++)
                fprintf(out, "%.17g,", vote[c] / total);
        }
        put_field(out, classes[best]);
        fputc('\n', out);
    }
    if (fclose(out) != 0)
        die("cannot finish writing %s", pred_path);
    fprintf(stderr, "knn: k=%ld weights=%s p=%g: %zu predictions from %zu training rows\n", k,
            distance ? "distance" : "uniform", p, va.n, tr.n);
    return 0;
}
