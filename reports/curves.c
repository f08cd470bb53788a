/* SPDX-License-Identifier: GPL-3.0-or-later */
/* curves.c — ROC and precision-recall curves of the best trial's
 * out-of-fold predictions: one curve per fold, their mean with a ± 1 std
 * band, and the chance line.
 *
 * Mean curves.  ROC (as scikit-learn's "ROC with cross validation" example):
 * each fold's TPR is read at 201 evenly spaced FPR values by linear
 * interpolation on the curve's upper envelope (at an FPR where the curve
 * rises vertically, the highest TPR), then averaged; the mean curve starts
 * at (0, 0).  Precision-recall: each fold's interpolated precision
 * p(r) = max{precision_i : recall_i >= r} (the envelope used by the
 * PASCAL VOC average precision, Everingham et al. 2010) is read at 201
 * evenly spaced recalls and averaged.  The legend's AUC and AP are the
 * per-fold metrics (tune_metric_roc_auc, tune_metric_average_precision) as
 * mean ± population std, the numbers the store holds for the trial.
 *
 * Fold curves are drawn as the metrics see them: ROC as straight segments,
 * precision-recall as steps (average precision is the area under that step
 * function). */
#include "plot.h"
#include "tunefold/metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GRID 201

/* Light, distinct colours for the folds (ColorBrewer Set2 / Dark2). */
static const char *const fold_colors[] = {"#66c2a5", "#fc8d62", "#8da0cb", "#e78ac3",
                                          "#a6d854", "#e5c494", "#b3b3b3", "#1b9e77",
                                          "#d95f02", "#7570b3"};
#define N_FOLD_COLORS (sizeof fold_colors / sizeof fold_colors[0])

const char *tune_report_fold_color(size_t i)
{
    return fold_colors[i % N_FOLD_COLORS];
}

enum kind { ROC, PR };

/* TPR of a ROC curve at x on its upper envelope. */
static double roc_at(const struct tune_roc_curve *c, double x)
{
    size_t i = 0;
    while (i + 1 < c->n && c->fpr[i + 1] <= x)
        i++;
    if (i + 1 >= c->n || c->fpr[i] > x)
        return c->tpr[i];
    double w = (x - c->fpr[i]) / (c->fpr[i + 1] - c->fpr[i]);
    return c->tpr[i] + w * (c->tpr[i + 1] - c->tpr[i]);
}

/* Interpolated precision of a PR curve at recall r.  The curve's last point
 * (recall 0, precision 1) is a convention, not a threshold: it is left out,
 * so p(0) is the precision of the most confident threshold(s). */
static double pr_at(const struct tune_pr_curve *c, double r)
{
    double best = 0;
    for (size_t i = 0; i + 1 < c->n; i++)
        if (c->recall[i] >= r && c->precision[i] > best)
            best = c->precision[i];
    return best;
}

/* One picture: the curves of class `pos` (binary: 1) against the rest. */
static int draw_one(const struct tune_oof *oof, enum kind kind, size_t pos, const char *base,
                    const char *title, const struct tune_plot_opts *o,
                    struct tune_plot_log *log, struct tune_error *err)
{
    size_t k = oof->n_classes, nf = oof->n_folds;
    int *truth = malloc((oof->n + 1) * sizeof *truth);
    double *score = malloc((oof->n + 1) * sizeof *score);
    double *grid = calloc(nf * GRID + 1, sizeof *grid);
    double *metric = malloc((nf + 1) * sizeof *metric);
    unsigned char *drawn = calloc(nf + 1, 1);
    struct tune_text data = {0}, mean = {0}, gp = {0};
    int rc = TUNE_OK;
    if (!truth || !score || !grid || !metric || !drawn) {
        rc = tune_error_set(err, TUNE_ENOMEM, "out of memory for curves");
        goto done;
    }
    size_t n_pos_all = 0;
    for (size_t i = 0; i < oof->n; i++)
        n_pos_all += (size_t)oof->y_true[i] == pos;
    tune_text_printf(&data, kind == ROC
                                ? "# ROC curve of each fold, one gnuplot index per fold in "
                                  "order: fpr tpr threshold\n"
                                : "# precision-recall curve of each fold, one gnuplot index per "
                                  "fold in order: recall precision threshold\n");
    size_t n_drawn = 0;
    for (size_t f = 0; f < nf; f++) {
        size_t m = 0;
        for (size_t i = 0; i < oof->n; i++) {
            if (oof->fold[i] != oof->folds[f])
                continue;
            truth[m] = (size_t)oof->y_true[i] == pos;
            score[m++] = oof->proba[i * k + pos];
        }
        metric[f] = kind == ROC ? tune_metric_roc_auc(truth, score, m)
                                : tune_metric_average_precision(truth, score, m);
        size_t npos = 0;
        for (size_t i = 0; i < m; i++)
            npos += (size_t)truth[i];
        if (m == 0 || npos == 0 || (kind == ROC && npos == m) || isnan(metric[f])) {
            metric[f] = NAN; /* one class in this fold: no curve */
            continue;
        }
        tune_text_printf(&data, "%s# fold %d: %s ", n_drawn ? "\n\n" : "", oof->folds[f] + 1,
                         kind == ROC ? "AUC" : "AP");
        tune_text_num(&data, metric[f]);
        tune_text_printf(&data, "\n");
        if (kind == ROC) {
            struct tune_roc_curve c = {0};
            if ((rc = tune_metric_roc_curve(truth, score, m, 1, &c, err)))
                goto done;
            for (size_t i = 0; i < c.n; i++) {
                tune_text_num(&data, c.fpr[i]);
                tune_text_put(&data, " ", 1);
                tune_text_num(&data, c.tpr[i]);
                tune_text_put(&data, " ", 1);
                tune_text_num(&data, c.thresholds[i]);
                tune_text_put(&data, "\n", 1);
            }
            for (size_t g = 0; g < GRID; g++)
                grid[f * GRID + g] = roc_at(&c, (double)g / (GRID - 1));
            tune_roc_curve_release(&c);
        } else {
            struct tune_pr_curve c = {0};
            if ((rc = tune_metric_pr_curve(truth, score, m, &c, err)))
                goto done;
            /* ascending recall: the last point (R 0, P 1) first */
            for (size_t j = c.n; j-- > 0;) {
                tune_text_num(&data, c.recall[j]);
                tune_text_put(&data, " ", 1);
                tune_text_num(&data, c.precision[j]);
                tune_text_put(&data, " ", 1);
                tune_text_num(&data, j + 1 < c.n ? c.thresholds[j] : NAN);
                tune_text_put(&data, "\n", 1);
            }
            for (size_t g = 0; g < GRID; g++)
                grid[f * GRID + g] = pr_at(&c, (double)g / (GRID - 1));
            tune_pr_curve_release(&c);
        }
        drawn[f] = 1;
        n_drawn++;
    }
    /* the mean curve over the folds that have one */
    tune_text_printf(&mean, "# mean over %zu folds: %s mean std low high (low/high: mean -/+ "
                            "std, clipped to [0, 1])\n",
                     n_drawn, kind == ROC ? "fpr tpr" : "recall precision");
    if (kind == ROC && n_drawn)
        tune_text_printf(&mean, "0 0 0 0 0\n");
    double *col = malloc((nf + 1) * sizeof *col);
    if (!col) {
        rc = tune_error_set(err, TUNE_ENOMEM, "out of memory for curves");
        goto done;
    }
    for (size_t g = 0; n_drawn && g < GRID; g++) {
        size_t c = 0;
        for (size_t f = 0; f < nf; f++)
            if (drawn[f])
                col[c++] = grid[f * GRID + g];
        double mu, sd;
        tune_mean_std(col, c, &mu, &sd);
        tune_text_num(&mean, (double)g / (GRID - 1));
        tune_text_printf(&mean, " ");
        tune_text_num(&mean, mu);
        tune_text_printf(&mean, " ");
        tune_text_num(&mean, sd);
        tune_text_printf(&mean, " ");
        tune_text_num(&mean, fmax(0, mu - sd));
        tune_text_printf(&mean, " ");
        tune_text_num(&mean, fmin(1, mu + sd));
        tune_text_printf(&mean, "\n");
    }
    free(col);
    double mu, sd;
    tune_mean_std(metric, nf, &mu, &sd);

    /* the script */
    const char *name = kind == ROC ? "AUC" : "AP";
    tune_plot_preamble(&gp, o, base, 0, 0);
    char head[256];
    if (k > 2)
        snprintf(head, sizeof head, "%s, one-vs-rest: class ",
                 kind == ROC ? "ROC curve" : "Precision-recall curve");
    else
        snprintf(head, sizeof head, "%s", kind == ROC ? "ROC curve" : "Precision-recall curve");
    tune_text_printf(&gp, "set title ");
    if (k > 2) {
        /* 'head' . 'class' . '\n' . 'title': every piece a quoted literal */
        tune_plot_quote(&gp, head, 0);
        tune_text_printf(&gp, " . ");
        tune_plot_quote(&gp, oof->class_names[pos], 40);
        tune_text_printf(&gp, " . \"\\n\" . ");
    } else {
        tune_plot_quote(&gp, head, 0);
        tune_text_printf(&gp, " . \"\\n\" . ");
    }
    tune_plot_quote(&gp, title, 90);
    tune_text_printf(&gp, "\n");
    tune_text_printf(&gp, "set size square\nset xrange [0:1]\nset yrange [0:1.02]\n"
                          "set xtics 0.2\nset ytics 0.2\n");
    if (kind == ROC)
        tune_text_printf(&gp, "set xlabel 'false positive rate'\n"
                              "set ylabel 'true positive rate'\nset key bottom right\n");
    else
        tune_text_printf(&gp, "set xlabel 'recall'\nset ylabel 'precision'\n"
                              "set key bottom left\n");
    tune_text_printf(&gp, "plot ");
    if (n_drawn > 1)
        tune_text_printf(&gp, "'%s_mean.dat' using 1:4:5 with filledcurves fc rgb '#9ecae1' "
                              "fs transparent solid 0.4 noborder title 'mean ± 1 std', \\\n     ",
                         base);
    size_t idx = 0;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t f = 0; f < nf; f++)
        if (drawn[f]) {
            lo = fmin(lo, metric[f]);
            hi = fmax(hi, metric[f]);
        }
    for (size_t f = 0; f < nf; f++) {
        if (!drawn[f])
            continue;
        char t[128];
        if (n_drawn <= 10)
            snprintf(t, sizeof t, "fold %d (%s %.3f)", oof->folds[f] + 1, name, metric[f]);
        else
            snprintf(t, sizeof t, "each of %zu folds (%s %.3f to %.3f)", n_drawn, name, lo, hi);
        tune_text_printf(&gp, "'%s.dat' index %zu using 1:2 with %s lw 1.3 lc rgb '%s' ", base,
                         idx, kind == ROC ? "lines" : "fsteps",
                         n_drawn <= 10 ? tune_report_fold_color(idx) : "#a0a0a0");
        if (n_drawn <= 10 || idx == 0) {
            tune_text_printf(&gp, "title ");
            tune_plot_quote(&gp, t, 0);
        } else {
            tune_text_printf(&gp, "notitle");
        }
        tune_text_printf(&gp, ", \\\n     ");
        idx++;
    }
    if (n_drawn) {
        char t[128];
        snprintf(t, sizeof t, "mean (%s %.3f ± %.3f)", name, mu, sd);
        tune_text_printf(&gp, "'%s_mean.dat' using 1:2 with lines lw 3 lc rgb '#08519c' title ",
                         base);
        tune_plot_quote(&gp, t, 0);
        tune_text_printf(&gp, ", \\\n     ");
    }
    if (kind == ROC) {
        tune_text_printf(&gp, "x with lines dt 2 lw 1.5 lc rgb '#707070' title 'chance'\n");
    } else {
        char t[96];
        double share = oof->n ? (double)n_pos_all / (double)oof->n : NAN;
        snprintf(t, sizeof t, "chance (positives %.3f)", share);
        tune_text_printf(&gp, "%.17g with lines dt 2 lw 1.5 lc rgb '#707070' title ", share);
        tune_plot_quote(&gp, t, 0);
        tune_text_printf(&gp, "\n");
    }
    char name_dat[300], name_mean[300];
    snprintf(name_dat, sizeof name_dat, "%s.dat", base);
    snprintf(name_mean, sizeof name_mean, "%s_mean.dat", base);
    if ((rc = tune_text_save(&data, o->out_dir, name_dat, err)) ||
        (rc = tune_text_save(&mean, o->out_dir, name_mean, err)))
        goto done;
    char caption[200];
    if (k > 2)
        snprintf(caption, sizeof caption, "%s, one-vs-rest, class %.80s",
                 kind == ROC ? "ROC curves" : "Precision-recall curves", oof->class_names[pos]);
    else
        snprintf(caption, sizeof caption, "%s of each fold and their mean",
                 kind == ROC ? "ROC curves" : "Precision-recall curves");
    rc = tune_plot_finish(&gp, o, log, base, caption, err);
done:
    free(truth);
    free(score);
    free(grid);
    free(metric);
    free(drawn);
    tune_text_release(&data);
    tune_text_release(&mean);
    tune_text_release(&gp);
    return rc;
}

static int draw_all(const struct tune_oof *oof, enum kind kind, const char *title,
                    const struct tune_plot_opts *o, struct tune_plot_log *log,
                    struct tune_error *err)
{
    const char *what = kind == ROC ? "ROC" : "precision-recall";
    if (oof->n_classes < 2)
        return tune_error_set(err, TUNE_EINVAL, "%s curves need a classification study", what);
    if (!oof->proba)
        return tune_error_set(err, TUNE_EINVAL,
                               "%s curves need class probabilities; the predictions have none",
                               what);
    const char *stem = kind == ROC ? "roc" : "pr";
    if (oof->n_classes == 2)
        return draw_one(oof, kind, 1, stem, title, o, log, err);
    for (size_t c = 0; c < oof->n_classes; c++) {
        char base[64];
        snprintf(base, sizeof base, "%s_%zu", stem, c);
        int rc = draw_one(oof, kind, c, base, title, o, log, err);
        if (rc)
            return rc;
    }
    return TUNE_OK;
}

int tune_report_roc(const struct tune_oof *oof, const char *title,
                    const struct tune_plot_opts *o, struct tune_plot_log *log,
                    struct tune_error *err)
{
    return draw_all(oof, ROC, title, o, log, err);
}

int tune_report_pr(const struct tune_oof *oof, const char *title,
                   const struct tune_plot_opts *o, struct tune_plot_log *log,
                   struct tune_error *err)
{
    return draw_all(oof, PR, title, o, log, err);
}
