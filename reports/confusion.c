/* SPDX-License-Identifier: GPL-3.0-or-later */
/* confusion.c — the confusion matrix of the best trial's out-of-fold
 * predictions as a heat map: cells coloured by the row-normalized rate (the
 * share of the true class predicted as each class, so a row reads as that
 * class's recall and its confusions), each cell showing its count and rate,
 * class names on both axes (true class down, predicted across; class 0 at
 * the top left, as scikit-learn's ConfusionMatrixDisplay).
 *
 * Every out-of-fold row counts once (all folds pooled); counts come from
 * tune_metric_confusion_matrix. */
#include "plot.h"
#include "tunefold/metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Class names as a tics list: ('a' 0, 'b' 1, ...), each name quoted. */
static void tics(struct tune_text *gp, const char *axis, char *const *names, size_t k)
{
    tune_text_printf(gp, "set %stics (", axis);
    for (size_t c = 0; c < k; c++) {
        if (c)
            tune_text_printf(gp, ", ");
        tune_plot_quote(gp, names[c], 24);
        tune_text_printf(gp, " %zu", c);
    }
    tune_text_printf(gp, ")\n");
}

int tune_report_confusion(const struct tune_oof *oof, const char *title,
                          const struct tune_plot_opts *o, struct tune_plot_log *log,
                          struct tune_error *err)
{
    size_t k = oof->n_classes;
    if (k < 2)
        return tune_error_set(err, TUNE_EINVAL, "a confusion matrix needs a classification study");
    int *truth = malloc((oof->n + 1) * sizeof *truth);
    int *pred = malloc((oof->n + 1) * sizeof *pred);
    size_t *cm = calloc(k * k, sizeof *cm);
    struct tune_text data = {0}, gp = {0};
    int rc = TUNE_OK;
    if (!truth || !pred || !cm) {
        rc = tune_error_set(err, TUNE_ENOMEM, "out of memory for the confusion matrix");
        goto done;
    }
    for (size_t i = 0; i < oof->n; i++) {
        truth[i] = (int)oof->y_true[i];
        pred[i] = (int)oof->y_pred[i];
    }
    if (tune_metric_confusion_matrix(truth, pred, oof->n, k, cm)) {
        rc = tune_error_set(err, TUNE_EINVAL, "oof.csv: a class code is outside 0..%zu", k - 1);
        goto done;
    }
    tune_text_printf(&data, "# confusion matrix, one block per true class: predicted true "
                            "count rate (rate = count / rows of the true class)\n");
    size_t longest = 0;
    for (size_t t = 0; t < k; t++) {
        size_t row = 0;
        for (size_t p = 0; p < k; p++)
            row += cm[t * k + p];
        for (size_t p = 0; p < k; p++) {
            tune_text_printf(&data, "%zu %zu %zu ", p, t, cm[t * k + p]);
            tune_text_num(&data, row ? (double)cm[t * k + p] / (double)row : 0.0);
            tune_text_printf(&data, "\n");
        }
        tune_text_printf(&data, "\n");
        size_t len = strlen(oof->class_names[t]);
        longest = len > longest ? len : longest;
    }

    tune_plot_preamble(&gp, o, "confusion", 0, 0);
    char head[128];
    snprintf(head, sizeof head, "Confusion matrix (out-of-fold, %zu rows)", oof->n);
    tune_text_printf(&gp, "set title ");
    tune_plot_quote(&gp, head, 0);
    tune_text_printf(&gp, " . \"\\n\" . ");
    tune_plot_quote(&gp, title, 90);
    tune_text_printf(&gp, "\nunset key\nunset grid\nset size ratio -1\nset tics out scale 0.5\n");
    tune_text_printf(&gp, "set xrange [-0.5:%zu.5]\nset yrange [%zu.5:-0.5]\n", k - 1, k - 1);
    tics(&gp, "x", oof->class_names, k);
    tics(&gp, "y", oof->class_names, k);
    if (k > 8 || longest > 8)
        tune_text_printf(&gp, "set xtics rotate by 40 right\n");
    tune_text_printf(&gp, "set xlabel 'predicted class'\nset ylabel 'true class'\n"
                          "set cbrange [0:1]\nset cblabel 'share of the true class'\n"
                          "set palette defined (0 '#f7fbff', 0.4 '#9ecae1', 0.7 '#3182bd', "
                          "1 '#08306b')\n");
    tune_text_printf(&gp, "plot 'confusion.dat' using 1:2:4 with image notitle");
    if (k <= 25) {
        int size = k <= 4 ? 13 : k <= 8 ? 11 : k <= 14 ? 9 : 7;
        /* count on one line, rate below; white text on dark cells */
        tune_text_printf(&gp, ", \\\n     '' using 1:2:(sprintf(\"%%d\\n%%.1f%%%%\", $3, 100*$4))"
                              ":($4 > 0.55 ? 0xffffff : 0x202020) with labels tc rgb variable "
                              "font ',%d' notitle",
                         size);
    }
    tune_text_printf(&gp, "\n");
    if ((rc = tune_text_save(&data, o->out_dir, "confusion.dat", err)))
        goto done;
    rc = tune_plot_finish(&gp, o, log, "confusion",
                          "Confusion matrix of the out-of-fold predictions: counts and "
                          "row-normalized rates",
                          err);
done:
    free(truth);
    free(pred);
    free(cm);
    tune_text_release(&data);
    tune_text_release(&gp);
    return rc;
}
