/* SPDX-License-Identifier: GPL-3.0-or-later */
/* contour.c — the contour of a pair of parameters, as LIBSVM's grid.py
 * draws C against gamma, for any study: the surrogate's prediction of the
 * objective averaged over the other parameters (the fANOVA marginal of the
 * pair, fanova.c) as a filled map in bands, the trials on top, the best
 * one marked.
 *
 * The map is sampled on GRID x GRID points evenly spread over the box's
 * columns (so evenly in the logarithm of a log-scale parameter, whose axis
 * is then logarithmic; categorical and boolean axes name their choices),
 * which bounds the picture's cost whatever the number of trials: one pass
 * over each tree's leaves plus GRID^2 look-ups.  Better values are the
 * light end of the palette in either direction. */
#include "surrogate.h"
#include "fanova.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GRID 81

/* Axis settings for column p on gnuplot axis `ax` ("x" or "y"). */
static void axis(struct tune_text *gp, const char *ax, const struct tune_hp_dim *p, double lo,
                 double hi)
{
    tune_text_printf(gp, "set %slabel ", ax);
    tune_plot_quote(gp, p->name, 50);
    if (p->log)
        tune_text_printf(gp, " . ' (log scale)'");
    tune_text_printf(gp, "\n");
    if (p->type == TUNE_PARAM_CATEGORICAL || p->type == TUNE_PARAM_BOOL) {
        size_t nv = p->type == TUNE_PARAM_BOOL ? 2 : p->n_values;
        tune_text_printf(gp, "set %srange [%.17g:%.17g]\nset %stics (", ax, lo, hi, ax);
        for (size_t k = 0; k < nv; k++) {
            tune_text_printf(gp, "%s", k ? ", " : "");
            tune_plot_quote(gp, p->type == TUNE_PARAM_BOOL ? (k ? "true" : "false") : p->values[k],
                            20);
            tune_text_printf(gp, " %zu", k);
        }
        tune_text_printf(gp, ")\n");
        if (nv > 5 && ax[0] == 'x')
            tune_text_printf(gp, "set xtics rotate by 30 right\n");
    } else if (p->log) {
        double a = pow(10, lo), b = pow(10, hi);
        tune_text_printf(gp, "set logscale %s\nset %srange [%.17g:%.17g]\n", ax, ax, a, b);
        tune_plot_log_tics(gp, ax, a, b);
    } else {
        tune_text_printf(gp, "set %srange [%.17g:%.17g]\n", ax, lo, hi);
    }
}

int tune_report_contour(const struct tune_study_info *info, const struct tune_surrogate *s,
                        size_t i, size_t j, int best_number, const struct tune_plot_opts *o,
                        struct tune_plot_log *log, struct tune_error *err)
{
    const struct tune_hp_dim *pa = &s->space.dims[i], *pb = &s->space.dims[j];
    double xs[GRID], ys[GRID];
    double *z = malloc(GRID * GRID * sizeof *z);
    if (!z)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory for a contour");
    for (size_t k = 0; k < GRID; k++) {
        xs[k] = s->lo[i] + (s->hi[i] - s->lo[i]) * (double)k / (GRID - 1);
        ys[k] = s->lo[j] + (s->hi[j] - s->lo[j]) * (double)k / (GRID - 1);
    }
    int rc = tune_fanova_pair_marginal(s->trees, s->n_trees, s->lo, s->hi, s->space.d, i, j, xs,
                                       GRID, ys, GRID, z, err);
    if (rc) {
        free(z);
        return rc;
    }
    char fa[41], fb[41], base[100], dat[120], tdat[128];
    tune_report_file_part(pa->name, fa, 40);
    tune_report_file_part(pb->name, fb, 40);
    snprintf(base, sizeof base, "contour_%s_%s", fa, fb);
    snprintf(dat, sizeof dat, "%s.dat", base);
    snprintf(tdat, sizeof tdat, "%s_trials.dat", base);

    struct tune_text data = {0}, tr = {0}, gp = {0}, plot = {0};
    double zlo = INFINITY, zhi = -INFINITY;
    tune_text_printf(&data, "# the surrogate's objective averaged over the other parameters: x "
                            "y predicted (x, y in the parameters' units; choices as their "
                            "index), one block per x\n");
    for (size_t a = 0; a < GRID; a++) {
        for (size_t b = 0; b < GRID; b++) {
            double v = z[a * GRID + b];
            zlo = fmin(zlo, v);
            zhi = fmax(zhi, v);
            tune_text_num(&data, tune_hp_decode(pa, xs[a]));
            tune_text_printf(&data, " ");
            tune_text_num(&data, tune_hp_decode(pb, ys[b]));
            tune_text_printf(&data, " ");
            tune_text_num(&data, v);
            tune_text_printf(&data, "\n");
        }
        tune_text_printf(&data, "\n");
    }
    tune_text_printf(&tr, "# the trials the surrogate was fitted on: number x y value best "
                          "(1: the study's best trial)\n");
    size_t stride = tune_plot_stride(s->m);
    for (size_t r = 0; r < s->m; r++) {
        int best = s->number[r] == best_number;
        if (r % stride != 0 && !best)
            continue;
        tune_text_printf(&tr, "%d ", s->number[r]);
        tune_text_num(&tr, tune_hp_decode(pa, s->x[i * s->m + r]));
        tune_text_printf(&tr, " ");
        tune_text_num(&tr, tune_hp_decode(pb, s->x[j * s->m + r]));
        tune_text_printf(&tr, " ");
        tune_text_num(&tr, s->y[r]);
        tune_text_printf(&tr, " %d\n", best);
    }

    tune_plot_preamble(&gp, o, base, 0, 0);
    tune_plot_hover_terminal(&gp, o, 0, 0);
    tune_text_printf(&gp, "set title 'Predicted ' . ");
    tune_plot_quote(&gp, info->metric, 40);
    tune_text_printf(&gp, " . ' over ' . ");
    tune_plot_quote(&gp, pa->name, 40);
    tune_text_printf(&gp, " . ' and ' . ");
    tune_plot_quote(&gp, pb->name, 40);
    tune_text_printf(&gp, " . \"\\n\" . 'random-forest surrogate averaged over the other "
                          "parameters, study ' . ");
    tune_plot_quote(&gp, info->name, 40);
    tune_text_printf(&gp, "\n");
    axis(&gp, "x", pa, s->lo[i], s->hi[i]);
    axis(&gp, "y", pb, s->lo[j], s->hi[j]);
    /* far worse predictions (a region where the model collapses) take the
     * end colour, as the history clips its axis, so the good region keeps
     * its bands */
    struct tune_obj_axis ax;
    tune_obj_axis_make(z, GRID * GRID, info->maximize, 0, &ax);
    free(z);
    if (!isnan(ax.limit)) {
        if (info->maximize)
            zlo = ax.limit;
        else
            zhi = ax.limit;
    }
    if (!(zhi > zlo)) {
        double pad = fabs(zhi) > 0 ? 0.01 * fabs(zhi) : 1e-3;
        zlo -= pad;
        zhi += pad;
    }
    tune_text_printf(&gp, "set view map\nset pm3d map corners2color c1\nset grid front "
                          "lc rgb '#ffffff' lw 0.5\nset cbrange [%.17g:%.17g]\nset cblabel ",
                     zlo, zhi);
    tune_plot_quote(&gp, info->metric, 40);
    tune_text_printf(&gp, " . ' (%s)'\n", info->maximize ? "higher is better" : "lower is better");
    /* bands of a viridis-like palette, the light end for the better values */
    if (info->maximize)
        tune_text_printf(&gp, "set palette defined (0 '#440154', 0.35 '#31688e', 0.7 '#35b779', "
                              "1 '#fde725')\n");
    else
        tune_text_printf(&gp, "set palette defined (0 '#fde725', 0.3 '#35b779', 0.65 '#31688e', "
                              "1 '#440154')\n");
    /* map view: the plot's place fixed on the canvas (gnuplot's own margins
     * for a 3-D plot leave it small), the key under the x label */
    tune_text_printf(&gp, "set palette maxcolors 16\n"
                          "set lmargin at screen 0.13\nset rmargin at screen 0.80\n"
                          "set tmargin at screen 0.88\nset bmargin at screen 0.2\n"
                          "set colorbox user origin screen 0.83, screen 0.2 size screen 0.03, "
                          "screen 0.68\n"
                          "set key at screen 0.5, screen 0.06 center horizontal opaque\n");
    tune_text_printf(&plot, "splot '%s' using 1:2:3 with pm3d notitle, \\\n"
                            "      '%s' using 2:3:(%.17g) with points pt 7 ps 0.7 "
                            "lc rgb 'white' notitle, \\\n"
                            "      '%s' using 2:3:(%.17g) with points pt 6 ps 0.7 "
                            "lc rgb '#202020' title 'trial', \\\n"
                            "      '%s' using 2:3:($5==1 ? %.17g : NaN) with points pt 3 ps 3 lw 3 "
                            "lc rgb '#d62728' title 'best trial'",
                     dat, tdat, zhi, tdat, zhi, tdat, zhi);
    const char *hover = "";
    char hv[400];
    snprintf(hv, sizeof hv,
             ", \\\n      '%s' using 2:3:(%.17g):(sprintf('trial %%d: %%.6g', $1, $4)) with "
             "labels hypertext point pt 7 ps 0.7 lc rgb 'white' notitle",
             tdat, zhi);
    if (o->format == TUNE_IMAGE_SVG)
        hover = hv;
    tune_text_printf(&gp, "%s%s\n", plot.p ? plot.p : "", hover);
    tune_text_printf(&plot, "%s", hv);
    tune_plot_svg_twin(&gp, o, base, 0, 0, plot.p ? plot.p : "");
    rc = tune_text_save(&data, o->out_dir, dat, err);
    if (!rc)
        rc = tune_text_save(&tr, o->out_dir, tdat, err);
    char caption[200];
    snprintf(caption, sizeof caption, "Contour of %.60s and %.60s: the surrogate's prediction, "
                                      "the trials and the best one",
             pa->name, pb->name);
    if (!rc)
        rc = tune_plot_finish(&gp, o, log, base, caption, err);
    tune_text_release(&data);
    tune_text_release(&tr);
    tune_text_release(&gp);
    tune_text_release(&plot);
    return rc;
}
