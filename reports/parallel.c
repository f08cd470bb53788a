/* SPDX-License-Identifier: GPL-3.0-or-later */
/* parallel.c — parallel coordinates: every complete trial as a line
 * across its parameters and the objective.
 *
 * Each axis is a column of the box (surrogate.h: a log-scale parameter in
 * its logarithm, a categorical choice at its index) scaled to [0, 1]; the
 * objective's axis is the history's (values far worse than the rest drawn
 * at its edge).  The lines are drawn worst first, so the best trials lie
 * on top, coloured by the objective (light: better), the best trial again
 * thick in red.  Axes are drawn as arrows with their own tic labels (a few
 * values, or every choice), since gnuplot's tics belong to one y axis.
 * Past TUNE_PLOT_MAX_POINTS trials the worse ones are thinned (every k-th),
 * the best 10% always kept. */
#include "surrogate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct line {
    double key;    /* larger is better */
    size_t row;
};

static int worst_first(const void *a, const void *b)
{
    const struct line *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row);
}

/* A label at position pos (0..1) of axis k. */
static void label_at(struct tune_text *gp, size_t k, double pos, double v)
{
    char text[40];
    snprintf(text, sizeof text, "%g", v);
    tune_text_printf(gp, "set label '%s' at %zu.06,%.17g left front font ',9'\n", text, k, pos);
}

/* A round step for about `want` intervals over `span`: 1, 2 or 5 times a
 * power of ten. */
static double nice_step(double span, double want)
{
    double raw = span / want, p = pow(10, floor(log10(raw))), f = raw / p;
    return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
}

/* Labels of axis k (x = k) of column p over [lo, hi] (column units):
 * every choice of a categorical; round values of a number (powers of ten,
 * or 1-2-5 times them, on a log scale), the ends when none fall inside. */
static void axis_labels(struct tune_text *gp, size_t k, const struct tune_hp_dim *p, double lo,
                        double hi)
{
    if (p->type == TUNE_PARAM_CATEGORICAL || p->type == TUNE_PARAM_BOOL) {
        size_t nv = p->type == TUNE_PARAM_BOOL ? 2 : p->n_values;
        for (size_t c = 0; c < nv && nv <= 20; c++) {
            tune_text_printf(gp, "set label ");
            tune_plot_quote(gp, p->type == TUNE_PARAM_BOOL ? (c ? "true" : "false") : p->values[c],
                            16);
            tune_text_printf(gp, " at %zu.06,%.17g left front font ',9'\n", k,
                             ((double)c - lo) / (hi - lo));
        }
        return;
    }
    size_t n = 0;
    if (p->log) {
        /* decades; 1, 2, 5 per decade when fewer than three decades */
        static const double mult[] = {1, 2, 5};
        int d0 = (int)floor(lo), d1 = (int)ceil(hi), every = d1 - d0 >= 3;
        int stride = (d1 - d0) / 6 + 1;
        for (int d = d0; d <= d1; d++)
            for (size_t m = 0; m < (every ? 1 : 3); m++) {
                double c = d + log10(mult[m]);
                if (c < lo - 1e-9 || c > hi + 1e-9 || (every && (d - d0) % stride != 0))
                    continue;
                label_at(gp, k, (c - lo) / (hi - lo), pow(10, c));
                n++;
            }
    } else {
        double step = nice_step(hi - lo, 4);
        if (p->type == TUNE_PARAM_INT && step < 1)
            step = 1;
        for (double v = ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step) {
            label_at(gp, k, (v - lo) / (hi - lo), fabs(v) < 1e-12 * step ? 0 : v);
            n++;
        }
    }
    if (n < 2) {
        label_at(gp, k, 0, tune_hp_decode(p, lo));
        label_at(gp, k, 1, tune_hp_decode(p, hi));
    }
}

int tune_report_parallel(const struct tune_study_info *info, const struct tune_trial *trials,
                         size_t n, const struct tune_param_importance *order,
                         const struct tune_plot_opts *o, struct tune_plot_log *log,
                         struct tune_error *err)
{
    struct tune_surrogate s;
    int rc = tune_surrogate_rows(info, trials, n, &s, err);
    if (rc)
        return rc;
    size_t d = s.space.d, m = s.m;
    size_t *axis_of = calloc(d + 1, sizeof *axis_of);
    struct line *lines = calloc(m + 1, sizeof *lines);
    double *vals = calloc(m + 1, sizeof *vals);
    struct tune_text data = {0}, gp = {0}, plot = {0};
    if (!axis_of || !lines || !vals) {
        rc = tune_error_set(err, TUNE_ENOMEM, "out of memory for the parallel coordinates");
        goto done;
    }
    if (d == 0 || m == 0)
        goto done;
    /* axis order: by importance when given, else the space's */
    size_t na = 0;
    for (size_t k = 0; order && k < order->n; k++)
        for (size_t i = 0; i < d; i++)
            if (strcmp(order->names[k], s.space.dims[i].name) == 0)
                axis_of[na++] = i;
    if (na != d)
        for (na = 0; na < d; na++)
            axis_of[na] = na;
    size_t best_row = 0;
    for (size_t r = 0; r < m; r++) {
        lines[r] = (struct line){info->maximize ? s.y[r] : -s.y[r], r};
        vals[r] = s.y[r];
        if (lines[r].key > lines[best_row].key)
            best_row = r;
    }
    qsort(lines, m, sizeof *lines, worst_first);
    struct tune_obj_axis ax;
    tune_obj_axis_make(vals, m, info->maximize, 0, &ax);
    double olo = ax.lo, ohi = ax.hi;
    size_t stride = tune_plot_stride(m), keep_top = m / 10;
    tune_text_printf(&data, "# parallel coordinates: one block per trial, worst first; rows: axis "
                            "position objective number (position: the axis' column scaled to "
                            "[0, 1]; the last axis is the objective)\n");
    if (stride > 1)
        tune_text_printf(&data, "# %zu trials: 1 in %zu of the worse 90%% listed, the best 10%% "
                                "all\n",
                         m, stride);
    for (size_t q = 0; q < m; q++) {
        size_t r = lines[q].row;
        if (q < m - keep_top && q % stride != 0 && r != best_row)
            continue;
        for (size_t k = 0; k < d; k++) {
            size_t i = axis_of[k];
            double pos = (s.x[i * m + r] - s.lo[i]) / (s.hi[i] - s.lo[i]);
            tune_text_printf(&data, "%zu ", k);
            tune_text_num(&data, pos);
            tune_text_printf(&data, " ");
            tune_text_num(&data, s.y[r]);
            tune_text_printf(&data, " %d\n", s.number[r]);
        }
        double drawn = tune_obj_axis_draw(&ax, s.y[r]);
        tune_text_printf(&data, "%zu ", d);
        tune_text_num(&data, (drawn - olo) / (ohi - olo));
        tune_text_printf(&data, " ");
        tune_text_num(&data, s.y[r]);
        tune_text_printf(&data, " %d\n\n", s.number[r]);
    }
    unsigned width = d >= 5 ? (unsigned)(130 * (d + 1)) : 0;
    tune_plot_preamble(&gp, o, "parallel", width, 0);
    tune_plot_hover_terminal(&gp, o, width, 0);
    tune_text_printf(&gp, "set title 'Parallel coordinates: every complete trial (%zu), the best "
                          "on top' . \"\\n\" . 'study ' . ",
                     m);
    tune_plot_quote(&gp, info->name, 80);
    if (ax.n_clipped)
        tune_text_printf(&gp, " . ' (%zu far worse trials at the bottom edge)'", ax.n_clipped);
    tune_text_printf(&gp, "\nunset border\nunset ytics\nunset grid\nset xrange [-0.1:%zu.45]\n"
                          "set yrange [-0.04:1.04]\nset lmargin 12\nset xtics (",
                     d);
    for (size_t k = 0; k <= d; k++) {
        tune_text_printf(&gp, "%s", k ? ", " : "");
        if (k < d) {
            const struct tune_hp_dim *p = &s.space.dims[axis_of[k]];
            tune_plot_quote(&gp, p->name, 24);
            if (p->log)
                tune_text_printf(&gp, " . ' (log)'");
        } else {
            tune_plot_quote(&gp, info->metric, 24);
        }
        tune_text_printf(&gp, " %zu", k);
    }
    tune_text_printf(&gp, ") scale 0\n");
    if (d > 5)
        tune_text_printf(&gp, "set xtics rotate by 20 right\nset lmargin 18\n");
    for (size_t k = 0; k <= d; k++)
        tune_text_printf(&gp, "set arrow from %zu,0 to %zu,1 nohead front lc rgb '#303030' "
                              "lw 1.5\n",
                         k, k);
    for (size_t k = 0; k < d; k++)
        axis_labels(&gp, k, &s.space.dims[axis_of[k]], s.lo[axis_of[k]], s.hi[axis_of[k]]);
    for (int t = 0; t <= 4; t++)
        tune_text_printf(&gp, "set label '%.4g' at %zu.06,%.17g left front font ',9'\n",
                         olo + (ohi - olo) * t / 4.0, d, t / 4.0);
    tune_text_printf(&gp, "set cbrange [%.17g:%.17g]\nset cblabel ", olo, ohi);
    tune_plot_quote(&gp, info->metric, 40);
    tune_text_printf(&gp, " . ' (%s)'\n", info->maximize ? "higher is better" : "lower is better");
    if (info->maximize)
        tune_text_printf(&gp, "set palette defined (0 '#440154', 0.35 '#31688e', 0.7 '#35b779', "
                              "1 '#fde725')\n");
    else
        tune_text_printf(&gp, "set palette defined (0 '#fde725', 0.3 '#35b779', 0.65 '#31688e', "
                              "1 '#440154')\n");
    tune_text_printf(&gp, "set key below horizontal\nset bmargin 6\n");
    tune_text_printf(&plot, "plot 'parallel.dat' using 1:2:3 with lines lw 1.2 lc palette "
                            "notitle, \\\n     'parallel.dat' using 1:($4==%d ? $2 : NaN) with "
                            "linespoints lw 3 pt 7 ps 0.8 lc rgb '#d62728' title 'best trial %d'",
                     s.number[best_row], s.number[best_row]);
    char hv[300];
    snprintf(hv, sizeof hv,
             ", \\\n     'parallel.dat' using 1:($1==%zu ? $2 : NaN):(sprintf('trial %%d: %%.6g', "
             "$4, $3)) with labels hypertext point pt 7 ps 0.5 lc rgb '#303030' notitle",
             d);
    tune_text_printf(&gp, "%s%s\n", plot.p ? plot.p : "", o->format == TUNE_IMAGE_SVG ? hv : "");
    tune_text_printf(&plot, "%s", hv);
    tune_plot_svg_twin(&gp, o, "parallel", width, 0, plot.p ? plot.p : "");
    if ((rc = tune_text_save(&data, o->out_dir, "parallel.dat", err)))
        goto done;
    rc = tune_plot_finish(&gp, o, log, "parallel",
                          "Parallel coordinates: every complete trial across its parameters and "
                          "the objective, the best on top",
                          err);
done:
    free(axis_of);
    free(lines);
    free(vals);
    tune_text_release(&data);
    tune_text_release(&gp);
    tune_text_release(&plot);
    tune_surrogate_release(&s);
    return rc;
}
