/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli/score.c — `tunefold score`: every metric of a predictions file
 * against a truth file, as a table or one JSON object, with the ROC and
 * precision-recall curves on request.
 *
 * The files are read with the library's CSV reader and predictions format
 * (tunefold/predictions.h); this file decides the task and the classes when
 * the user did not, then prints.  Bad input is exit 2 with one line naming
 * the file, line and column; a curve file that cannot be written is exit 1. */
#include "cli.h"
#include "tunefold/text.h"
#include "tunefold/metrics.h"
#include "tunefold/predictions.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char score_help[] =
    "Usage: tunefold score --truth TRUTH.csv --pred PRED.csv [OPTIONS]\n"
    "\n"
    "Score any model's predictions: every metric of the task, computed as\n"
    "scikit-learn computes it, plus the confusion matrix.\n"
    "\n"
    "Options:\n"
    "  --truth FILE      true labels (or values): a header and one column\n"
    "  --pred FILE       predictions, one row per truth row, same order (below)\n"
    "  --task T          binary, multiclass or regression (default: inferred: a\n"
    "                    prediction column is regression; else two classes are\n"
    "                    binary, more multiclass)\n"
    "  --positive LABEL  the positive class of a binary task (default: the\n"
    "                    greater label, numerically if both are numbers)\n"
    "  --threshold X     binary without a label column: predict the positive\n"
    "                    class when score >= X (default 0.5)\n"
    "  --format F        table (default) or json\n"
    "  --curves DIR      also write DIR/roc.csv and DIR/pr.csv (classification;\n"
    "                    multiclass: one-vs-rest, one block per class)\n"
    "  -h, --help        show this help\n"
    "\n"
    "PRED.csv columns, by task (order free, nothing else allowed):\n"
    "  binary      score[,label]    score: probability or any real score of the\n"
    "                               positive class; label: the predicted class\n"
    "              proba_<class>... one probability column per class\n"
    "  multiclass  proba_<class>...[,label]\n"
    "                               one column per class, each row summing to 1\n"
    "                               (within 1e-6); label: else the most probable\n"
    "  regression  prediction\n"
    "Class names in proba_<class> and label match the truth's labels (as text,\n"
    "or as numbers: 1 is 1.0). This is also the file an external trainer writes.\n"
    "\n"
    "Metrics: binary and multiclass get accuracy, balanced_accuracy, precision,\n"
    "recall, f1, f2, f0.5 (class 'positive' for binary, macro mean for\n"
    "multiclass), their _macro/_micro/_weighted averages, mcc (also\n"
    "matthews_corrcoef), cohen_kappa, roc_auc, average_precision, log_loss and\n"
    "brier (null when binary scores are not probabilities); multiclass adds\n"
    "roc_auc_ovr, roc_auc_ovr_weighted and top_k_accuracy (k = 2). Regression:\n"
    "mse, rmse, mae, r2, explained_variance, median_absolute_error, mape (a\n"
    "fraction) and max_error. Undefined values (roc_auc with one class in\n"
    "truth) are null in JSON and nan in the table.\n"
    "\n"
    "JSON output: one object whose keys are n, every metric name, and\n"
    "confusion_matrix (rows = truth, columns = predicted, classes sorted).\n"
    "roc.csv: [class,]fpr,tpr,threshold (the first threshold is inf);\n"
    "pr.csv: [class,]precision,recall,threshold (the last point has none).\n"
    "\n"
    "Examples:\n"
    "  tunefold score --truth y.csv --pred p.csv\n"
    "  tunefold score --truth y.csv --pred p.csv --positive yes --format json\n";

static const char *cmd = "score";

/* A usage error about a file's content: one line, exit 2. */
static int bad_input(const struct tune_error *err)
{
    fprintf(stderr, "tunefold score: %s\n", err->msg);
    return err->code == TUNE_EINVAL ? CLI_USAGE : CLI_FAILED;
}

/* The distinct texts of column col (missing cells skipped), appended to
 * *names (malloc'ed strings). */
static int add_column_labels(const struct tune_table *t, size_t col, char ***names, size_t *n,
                             size_t *cap)
{
    char buf[256];
    for (size_t r = 0; r < t->n_rows; r++) {
        tune_table_cell_text(t, r, col, buf, sizeof buf);
        if (!buf[0])
            continue;
        int seen = 0;
        for (size_t i = 0; i < *n && !seen; i++)
            seen = strcmp((*names)[i], buf) == 0;
        if (seen)
            continue;
        if (*n == *cap) {
            size_t nc = *cap ? 2 * *cap : 8;
            char **g = realloc(*names, nc * sizeof *g);
            if (!g)
                return -1;
            *names = g;
            *cap = nc;
        }
        if (!((*names)[*n] = strdup(buf)))
            return -1;
        (*n)++;
    }
    return 0;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static void json_number(double v)
{
    char buf[40];
    if (!isfinite(v)) {
        fputs("null", stdout);
        return;
    }
    cli_fmt_double(buf, sizeof buf, v);
    fputs(buf, stdout);
}

/* A double for a CSV cell: shortest round-trip text, "inf", "nan". */
static void csv_number(FILE *f, double v)
{
    char buf[40];
    tune_format_double(v, buf, sizeof buf);
    fputs(buf, f);
}

static void csv_text(FILE *f, const char *s)
{
    tune_csv_quote_write(f, s, ',');
}

/* Write roc.csv and pr.csv: binary, or one-vs-rest blocks for k > 2. */
static int write_curves(const char *dir, const double *truth, const struct tune_predictions *p,
                        const char *const *names, struct tune_error *err)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return tune_error_set(err, TUNE_EIO, "--curves: cannot create %s: %s", dir,
                              strerror(errno));
    size_t n = p->n, k = p->n_classes, len = strlen(dir) + 16;
    char *roc_path = malloc(len), *pr_path = malloc(len);
    int *codes = malloc(n * sizeof *codes);
    double *score = malloc(n * sizeof *score);
    FILE *roc = NULL, *pr = NULL;
    int rc = TUNE_OK;
    if (!roc_path || !pr_path || !codes || !score) {
        rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
        goto done;
    }
    snprintf(roc_path, len, "%s/roc.csv", dir);
    snprintf(pr_path, len, "%s/pr.csv", dir);
    roc = fopen(roc_path, "wb");
    pr = fopen(pr_path, "wb");
    if (!roc || !pr) {
        rc = tune_error_set(err, TUNE_EIO, "--curves: cannot write %s", roc ? pr_path : roc_path);
        goto done;
    }
    int multi = k > 2;
    fputs(multi ? "class,fpr,tpr,threshold\n" : "fpr,tpr,threshold\n", roc);
    fputs(multi ? "class,precision,recall,threshold\n" : "precision,recall,threshold\n", pr);
    for (size_t c = multi ? 0 : 1; c < k; c++) {
        for (size_t i = 0; i < n; i++) {
            codes[i] = (size_t)truth[i] == c;
            score[i] = p->proba[i * k + c];
        }
        struct tune_roc_curve rc_curve;
        struct tune_pr_curve pr_curve;
        if ((rc = tune_metric_roc_curve(codes, score, n, 1, &rc_curve, err)))
            goto done;
        for (size_t i = 0; i < rc_curve.n; i++) {
            if (multi) {
                csv_text(roc, names[c]);
                fputc(',', roc);
            }
            csv_number(roc, rc_curve.fpr[i]);
            fputc(',', roc);
            csv_number(roc, rc_curve.tpr[i]);
            fputc(',', roc);
            csv_number(roc, rc_curve.thresholds[i]);
            fputc('\n', roc);
        }
        tune_roc_curve_release(&rc_curve);
        if ((rc = tune_metric_pr_curve(codes, score, n, &pr_curve, err)))
            goto done;
        for (size_t i = 0; i < pr_curve.n; i++) {
            if (multi) {
                csv_text(pr, names[c]);
                fputc(',', pr);
            }
            csv_number(pr, pr_curve.precision[i]);
            fputc(',', pr);
            csv_number(pr, pr_curve.recall[i]);
            fputc(',', pr);
            if (i + 1 < pr_curve.n)
                csv_number(pr, pr_curve.thresholds[i]);
            fputc('\n', pr);
        }
        tune_pr_curve_release(&pr_curve);
    }
done:
    if (roc && (ferror(roc) | fclose(roc)) && !rc)
        rc = tune_error_set(err, TUNE_EIO, "--curves: write failed: %s", roc_path);
    if (pr && (ferror(pr) | fclose(pr)) && !rc)
        rc = tune_error_set(err, TUNE_EIO, "--curves: write failed: %s", pr_path);
    free(roc_path);
    free(pr_path);
    free(codes);
    free(score);
    return rc;
}

/* Decide the task and the class names (in code order; binary: the positive
 * class last) from the options and both files' headers. */
static int plan_task(const struct tune_table *truth, const struct tune_table *pred,
                     const char *task_text, const char *positive, enum tune_task *task,
                     char ***names_out, size_t *k_out)
{
    long pred_col = tune_table_find(pred, "prediction"), score_col = tune_table_find(pred, "score");
    long label_col = tune_table_find(pred, "label");
    size_t n_proba = 0;
    for (size_t j = 0; j < pred->n_cols; j++)
        n_proba += strncmp(pred->cols[j].name, "proba_", 6) == 0;
    enum tune_task want = task_text ? tune_task_parse(task_text) : 0;
    if (task_text && want != TUNE_TASK_BINARY && want != TUNE_TASK_MULTICLASS &&
        want != TUNE_TASK_REGRESSION)
        return cli_usage_error(cmd, "--task: expected binary, multiclass or regression, got '%s'",
                               task_text);
    if (want == TUNE_TASK_REGRESSION || (!want && pred_col >= 0 && score_col < 0 && !n_proba)) {
        *task = TUNE_TASK_REGRESSION;
        if (positive)
            return cli_usage_error(cmd, "--positive applies to a binary task");
        return CLI_OK;
    }
    if (score_col < 0 && n_proba == 0) {
        fprintf(stderr,
                "tunefold score: %s:1: no score, proba_<class> or prediction column (see "
                "'tunefold score --help' for the format)\n",
                pred->path);
        return CLI_USAGE;
    }
    char **names = NULL;
    size_t k = 0, cap = 0;
    int oom = 0;
    if (n_proba) {
        for (size_t j = 0; j < pred->n_cols && !oom; j++) {
            if (strncmp(pred->cols[j].name, "proba_", 6) != 0)
                continue;
            if (k == cap) {
                cap = cap ? 2 * cap : 8;
                char **g = realloc(names, cap * sizeof *g);
                oom = !g;
                if (g)
                    names = g;
            }
            if (!oom && !(names[k++] = strdup(pred->cols[j].name + 6)))
                oom = 1;
        }
    } else {
        oom = add_column_labels(truth, 0, &names, &k, &cap) != 0 ||
              (label_col >= 0 && add_column_labels(pred, (size_t)label_col, &names, &k, &cap));
        /* --positive names the missing class of a one-class truth; with two
         * classes already it must be one of them (checked below). */
        if (!oom && positive && k < 2 &&
            tune_class_index((const char *const *)names, k, positive) < 0) {
            if (k == cap) {
                char **g = realloc(names, (cap = cap + 1) * sizeof *g);
                oom = !g;
                if (g)
                    names = g;
            }
            if (!oom && !(names[k++] = strdup(positive)))
                oom = 1;
        }
    }
    if (oom) {
        free_names(names, k);
        fputs("tunefold score: out of memory\n", stderr);
        return CLI_FAILED;
    }
    tune_class_names_sort_unique(names, &k);
    int rc = CLI_OK;
    if (score_col >= 0 && k != 2) {
        char list[200] = "";
        for (size_t i = 0; i < k && strlen(list) + strlen(names[i]) + 8 < sizeof list; i++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s'%s'", i ? ", " : "",
                     names[i]);
        if (k < 2)
            fprintf(stderr,
                    "tunefold score: %s: a score column needs two classes, but the labels "
                    "show only %s; name the other with --positive\n",
                    pred->path, k ? list : "none");
        else
            fprintf(stderr,
                    "tunefold score: %s: a score column is for two classes, but the labels "
                    "show %zu (%s); give proba_<class> columns for a multiclass task\n",
                    pred->path, k, list);
        rc = CLI_USAGE;
    } else if (k < 2) {
        fprintf(stderr, "tunefold score: %s:1: one proba_<class> column; a task needs two "
                        "classes or more\n",
                pred->path);
        rc = CLI_USAGE;
    } else if (want == TUNE_TASK_BINARY && k != 2) {
        rc = cli_usage_error(cmd, "--task binary, but %s has %zu proba_<class> columns",
                             pred->path, k);
    } else if (want == TUNE_TASK_MULTICLASS && score_col >= 0) {
        rc = cli_usage_error(cmd, "--task multiclass, but %s has a binary score column; give "
                                  "proba_<class> columns",
                             pred->path);
    }
    if (rc) {
        free_names(names, k);
        return rc;
    }
    *task = want ? want : k == 2 ? TUNE_TASK_BINARY : TUNE_TASK_MULTICLASS;
    if (positive && *task != TUNE_TASK_BINARY) {
        free_names(names, k);
        return cli_usage_error(cmd, "--positive applies to a binary task");
    }
    if (positive) {
        long p = tune_class_index((const char *const *)names, k, positive);
        if (p < 0) {
            fprintf(stderr, "tunefold score: --positive '%s' is not a class (classes: %s, %s)\n",
                    positive, names[0], names[1]);
            free_names(names, k);
            return CLI_USAGE;
        }
        if (p == 0) {
            char *t = names[0];
            names[0] = names[1];
            names[1] = t;
        }
    }
    *names_out = names;
    *k_out = k;
    return CLI_OK;
}

int cli_score(int argc, char **argv)
{
    const char *truth_path = NULL, *pred_path = NULL, *task_text = NULL, *positive = NULL;
    const char *threshold_text = NULL, *format = "table", *curves = NULL;
    const struct cli_opt opts[] = {{"truth", &truth_path, NULL},
                                   {"pred", &pred_path, NULL},
                                   {"task", &task_text, NULL},
                                   {"positive", &positive, NULL},
                                   {"threshold", &threshold_text, NULL},
                                   {"format", &format, NULL},
                                   {"curves", &curves, NULL},
                                   {NULL, NULL, NULL}};
    const char *pos[1];
    size_t n_pos;
    int rc = cli_parse(cmd, argc, argv, opts, pos, 0, &n_pos, score_help);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    if (!truth_path || !pred_path)
        return cli_usage_error(cmd, "needs --truth FILE and --pred FILE");
    int json = strcmp(format, "json") == 0;
    if (!json && strcmp(format, "table") != 0)
        return cli_usage_error(cmd, "--format: expected table or json, got '%s'", format);
    struct tune_predictions_csv_opts ropts = {0};
    if (threshold_text) {
        char *end;
        ropts.threshold = strtod(threshold_text, &end);
        if (end == threshold_text || *end || !isfinite(ropts.threshold))
            return cli_usage_error(cmd, "--threshold: expected a number, got '%s'",
                                   threshold_text);
        ropts.has_threshold = 1;
    }

    struct tune_error err = {0};
    struct tune_table *truth_t = NULL, *pred_t = NULL;
    char **names = NULL;
    size_t k = 0;
    double *truth = NULL, *values = NULL;
    struct tune_predictions pred = {0};
    if (tune_table_read_csv(truth_path, &truth_t, &err)) {
        rc = bad_input(&err);
        goto done;
    }
    if (truth_t->n_cols != 1) {
        fprintf(stderr,
                "tunefold score: %s:1:2: expected one column of true labels or values, found "
                "%zu\n",
                truth_path, truth_t->n_cols);
        rc = CLI_USAGE;
        goto done;
    }
    if (tune_table_read_csv(pred_path, &pred_t, &err)) {
        rc = bad_input(&err);
        goto done;
    }
    enum tune_task task = TUNE_TASK_BINARY;
    if ((rc = plan_task(truth_t, pred_t, task_text, positive, &task, &names, &k)))
        goto done;
    if (curves && task == TUNE_TASK_REGRESSION) {
        rc = cli_usage_error(cmd, "--curves: ROC and precision-recall curves need classes");
        goto done;
    }
    const char *const *cn = (const char *const *)names;
    size_t n = truth_t->n_rows;
    truth = malloc(n * sizeof *truth);
    if (!truth) {
        rc = CLI_FAILED;
        goto done;
    }
    struct tune_predictions_csv_info info = {0};
    if (tune_truth_from_table(truth_t, 0, task, k, cn, truth, &err) ||
        tune_predictions_from_table(pred_t, task, k, cn, n, &ropts, &info, &pred, &err)) {
        rc = bad_input(&err);
        goto done;
    }

    const struct tune_metric_def *defs[128];
    size_t n_defs = tune_metrics_for_task(task, 1, defs, 128);
    values = malloc((n_defs + 1) * sizeof *values);
    size_t *cm = task == TUNE_TASK_REGRESSION ? NULL : calloc(k * k, sizeof *cm);
    if (!values || (task != TUNE_TASK_REGRESSION && !cm)) {
        free(cm);
        rc = CLI_FAILED;
        goto done;
    }
    for (size_t m = 0; m < n_defs; m++) {
        values[m] = defs[m]->compute(truth, &pred);
        /* A margin is not a probability: its log loss would be a number
         * about nothing (the Brier score refuses such scores itself). */
        if (task == TUNE_TASK_BINARY && !info.scores_are_probabilities &&
            strcmp(defs[m]->name, "log_loss") == 0)
            values[m] = NAN;
    }
    if (cm) {
        int *codes = malloc(n * sizeof *codes);
        if (!codes) {
            free(cm);
            rc = CLI_FAILED;
            goto done;
        }
        for (size_t i = 0; i < n; i++)
            codes[i] = (int)truth[i];
        tune_metric_confusion_matrix(codes, pred.label, n, k, cm);
        free(codes);
    }

    if (json) {
        printf("{\"n\": %zu", n);
        for (size_t m = 0; m < n_defs; m++) {
            printf(", \"%s\": ", defs[m]->name);
            json_number(values[m]);
        }
        if (cm) {
            printf(", \"confusion_matrix\": [");
            for (size_t a = 0; a < k; a++) {
                printf("%s[", a ? ", " : "");
                for (size_t b = 0; b < k; b++)
                    printf("%s%zu", b ? ", " : "", cm[a * k + b]);
                printf("]");
            }
            printf("]");
        }
        printf("}\n");
    } else {
        printf("%s vs %s: %zu rows, %s", pred_path, truth_path, n, tune_task_name(task));
        if (task == TUNE_TASK_BINARY)
            printf(" (positive class '%s')", names[1]);
        else if (task == TUNE_TASK_MULTICLASS)
            printf(" (%zu classes)", k);
        printf("\n\n%-22s %s\n", "metric", "value");
        for (size_t m = 0; m < n_defs; m++) {
            char buf[40];
            cli_fmt_double(buf, sizeof buf, values[m]);
            printf("%-22s %s\n", defs[m]->name, buf);
        }
        if (cm) {
            size_t width = 5;
            for (size_t c = 0; c < k; c++)
                if (strlen(names[c]) > width)
                    width = strlen(names[c]);
            for (size_t c = 0; c < k * k; c++) {
                char buf[32];
                size_t w = (size_t)snprintf(buf, sizeof buf, "%zu", cm[c]);
                if (w > width)
                    width = w;
            }
            printf("\nconfusion matrix (rows = truth, columns = predicted):\n%*s", (int)width,
                   "");
            for (size_t c = 0; c < k; c++)
                printf("  %*s", (int)width, names[c]);
            printf("\n");
            for (size_t a = 0; a < k; a++) {
                printf("%-*s", (int)width, names[a]);
                for (size_t b = 0; b < k; b++)
                    printf("  %*zu", (int)width, cm[a * k + b]);
                printf("\n");
            }
        }
    }
    free(cm);
    rc = CLI_OK;
    if (curves && write_curves(curves, truth, &pred, cn, &err))
        rc = cli_fail(cmd, &err);
done:
    free(values);
    free(truth);
    tune_predictions_release(&pred);
    free_names(names, k);
    tune_table_free(truth_t);
    tune_table_free(pred_t);
    return rc;
}
