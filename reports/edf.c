/* SPDX-License-Identifier: GPL-3.0-or-later */
/* edf.c — the empirical distribution of the objective over each compared
 * study's complete trials ("edf"), as Optuna's plot_edf: for each study the
 * share of its trials whose value is at or below x, a step at each trial's
 * value.  Which search produces good trials more often reads off directly:
 * when higher is better, the curve further right; when lower is better, the
 * curve further left (higher).
 *
 * Values far worse than the rest (beyond 4x the median's distance from the
 * best, over all studies: the history's rule) are drawn at that limit, so
 * that a few disastrous trials do not squeeze the others into a line; the
 * data file keeps them as they are. */
#include "plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int tune_compare_edf(const struct tune_compare *c, const struct tune_plot_opts *o,
                     struct tune_plot_log *log, struct tune_error *err)
{
    size_t total = 0, drawn_studies = 0;
    for (size_t i = 0; i < c->n; i++)
        total += c->entries[i].n_points;
    double *all = malloc((total + 1) * sizeof *all);
    if (!all)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory for the EDF");
    size_t m = 0;
    for (size_t i = 0; i < c->n; i++)
        for (size_t j = 0; j < c->entries[i].n_points; j++)
            if (isfinite(c->entries[i].quality[j]))
                all[m++] = c->entries[i].quality[j];
    struct tune_obj_axis ax;
    tune_obj_axis_make(all, m, c->maximize, 0, &ax);
    struct tune_text data = {0}, gp = {0};
    tune_text_printf(&data, "# empirical distribution of the objective, one gnuplot index per "
                            "study in order: value share drawn (share: of the study's complete "
                            "trials at or below the value; drawn: the value as plotted, clipped "
                            "to the axis)\n");
    for (size_t i = 0; i < c->n; i++) {
        const struct tune_compare_entry *e = &c->entries[i];
        size_t k = 0;
        for (size_t j = 0; j < e->n_points; j++)
            if (isfinite(e->quality[j]))
                all[k++] = e->quality[j];
        qsort(all, k, sizeof *all, cmp_double);
        tune_text_printf(&data, "%s# study %zu\n", i ? "\n\n" : "", i + 1);
        if (k == 0)
            tune_text_printf(&data, "NaN NaN NaN\n"); /* keep the index numbering */
        else
            drawn_studies++;
        for (size_t j = 0; j < k; j++) {
            if (j == 0) { /* the curve rises from 0 at the first value */
                tune_text_num(&data, all[0]);
                tune_text_printf(&data, " 0 ");
                tune_text_num(&data, tune_obj_axis_draw(&ax, all[0]));
                tune_text_printf(&data, "\n");
            }
            tune_text_num(&data, all[j]);
            tune_text_printf(&data, " %.17g ", (double)(j + 1) / (double)k);
            tune_text_num(&data, tune_obj_axis_draw(&ax, all[j]));
            tune_text_printf(&data, "\n");
        }
    }
    free(all);
    int rc = TUNE_OK;
    if (drawn_studies == 0)
        goto done;
    tune_plot_preamble(&gp, o, "edf", 0, 0);
    tune_text_printf(&gp, "set title 'Empirical distribution of ' . ");
    tune_plot_quote(&gp, c->metric, 40);
    tune_text_printf(&gp, " . ' over each study''s complete trials' . \"\\n\" . '%s'\n",
                     c->maximize ? "higher is better: the curve further right finds good "
                                   "values more often"
                                 : "lower is better: the curve further left finds good values "
                                   "more often");
    tune_text_printf(&gp, "set xlabel ");
    tune_plot_quote(&gp, c->metric, 40);
    tune_text_printf(&gp, " . '%s'\nset ylabel 'share of trials at or below the value'\n",
                     ax.n_clipped ? " (far worse values at the edge)" : "");
    tune_text_printf(&gp, "set xrange [%.17g:%.17g]\nset yrange [0:1.02]\n"
                          "set key below horizontal maxcols 2\nset bmargin %.1f\n",
                     ax.lo, ax.hi,
                     4.5 + 1.4 * (double)((drawn_studies + 1) / 2));
    const char *sep = "plot ";
    for (size_t i = 0; i < c->n; i++) {
        if (c->entries[i].n_points == 0)
            continue;
        tune_text_printf(&gp, "%s'edf.dat' index %zu using 3:2 with steps lw 2 lc rgb '%s' "
                              "title ",
                         sep, i, tune_report_fold_color(i + 7));
        char t[160];
        snprintf(t, sizeof t, "%.100s (%zu trials)", c->entries[i].study,
                 c->entries[i].n_points);
        tune_plot_quote(&gp, t, 0);
        sep = ", \\\n     ";
    }
    tune_text_printf(&gp, "\n");
    if ((rc = tune_text_save(&data, o->out_dir, "edf.dat", err)))
        goto done;
    rc = tune_plot_finish(&gp, o, log, "edf",
                          "Empirical distribution of the objective over each study's complete "
                          "trials",
                          err);
done:
    tune_text_release(&data);
    tune_text_release(&gp);
    return rc;
}
