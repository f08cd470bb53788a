/* SPDX-License-Identifier: GPL-3.0-or-later */
/* predictions.c — regression studies: the best trial's out-of-fold
 * predictions against the true values, one colour per fold, with the line
 * of perfect prediction y = x. */
#include "plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int tune_report_predictions(const struct tune_oof *oof, const char *title,
                            const struct tune_plot_opts *o, struct tune_plot_log *log,
                            struct tune_error *err)
{
    if (oof->n_classes)
        return tune_error_set(err, TUNE_EINVAL, "predicted-against-true needs a regression study");
    struct tune_text data = {0}, gp = {0};
    double lo = INFINITY, hi = -INFINITY;
    tune_text_printf(&data, "# out-of-fold predictions, one gnuplot index per fold in order: "
                            "y_true y_pred row\n");
    for (size_t f = 0; f < oof->n_folds; f++) {
        tune_text_printf(&data, "%s# fold %d\n", f ? "\n\n" : "", oof->folds[f] + 1);
        for (size_t i = 0; i < oof->n; i++) {
            if (oof->fold[i] != oof->folds[f])
                continue;
            tune_text_num(&data, oof->y_true[i]);
            tune_text_printf(&data, " ");
            tune_text_num(&data, oof->y_pred[i]);
            tune_text_printf(&data, " %ld\n", oof->row[i]);
            if (isfinite(oof->y_true[i])) {
                lo = fmin(lo, oof->y_true[i]);
                hi = fmax(hi, oof->y_true[i]);
            }
            if (isfinite(oof->y_pred[i])) {
                lo = fmin(lo, oof->y_pred[i]);
                hi = fmax(hi, oof->y_pred[i]);
            }
        }
    }
    if (!(hi > lo)) {
        lo = isfinite(lo) ? lo - 1 : 0;
        hi = isfinite(hi) ? hi + 1 : 1;
    }
    double pad = 0.04 * (hi - lo);
    tune_plot_preamble(&gp, o, "predictions", 0, 0);
    tune_text_printf(&gp, "set title 'Predicted against true values (out-of-fold)' . \"\\n\" . ");
    tune_plot_quote(&gp, title, 90);
    tune_text_printf(&gp, "\nset size ratio -1\nset xrange [%.17g:%.17g]\nset yrange [%.17g:%.17g]\n",
                     lo - pad, hi + pad, lo - pad, hi + pad);
    tune_text_printf(&gp, "set xlabel 'true value'\nset ylabel 'predicted value'\n"
                          "set key top left\nplot ");
    for (size_t f = 0; f < oof->n_folds; f++) {
        char t[64];
        snprintf(t, sizeof t, "fold %d", oof->folds[f] + 1);
        tune_text_printf(&gp, "'predictions.dat' index %zu using 1:2 with points pt 7 ps 0.6 "
                              "lc rgb '%s' title ",
                         f, tune_report_fold_color(f));
        if (oof->n_folds <= 10)
            tune_plot_quote(&gp, t, 0);
        else
            tune_text_printf(&gp, "%s", f == 0 ? "'folds'" : "''");
        tune_text_printf(&gp, ", \\\n     ");
    }
    tune_text_printf(&gp, "x with lines dt 2 lw 1.5 lc rgb '#505050' title 'y = x'\n");
    int rc = tune_text_save(&data, o->out_dir, "predictions.dat", err);
    if (!rc)
        rc = tune_plot_finish(&gp, o, log, "predictions",
                              "Out-of-fold predictions against the true values", err);
    tune_text_release(&data);
    tune_text_release(&gp);
    return rc;
}
