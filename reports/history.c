/* SPDX-License-Identifier: GPL-3.0-or-later */
/* history.c — the optimization history of a study: every finished trial's
 * objective against its number, the best-so-far line, failed and pruned
 * trials marked; and the objective axis shared with the parameter views.
 *
 * The axis: a few disastrous trials (an r2 of -1e6 next to values near 0.9)
 * would flatten everything else into a line, so values worse than the best
 * by more than 4 times the median's distance from the best are drawn at that
 * limit with their own marker and counted in the legend; the data file keeps
 * the true values.  Failed trials have no value: they sit on a row below
 * the data. */
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

void tune_obj_axis_make(const double *values, size_t n, int maximize, int have_failed,
                        struct tune_obj_axis *ax)
{
    memset(ax, 0, sizeof *ax);
    ax->maximize = maximize;
    ax->limit = NAN;
    double *v = malloc((n + 1) * sizeof *v);
    size_t m = 0;
    for (size_t i = 0; v && i < n; i++)
        if (isfinite(values[i]))
            v[m++] = values[i];
    double lo = 0, hi = 1;
    if (m > 0) {
        qsort(v, m, sizeof *v, cmp_double);
        double best = maximize ? v[m - 1] : v[0];
        double median = m % 2 ? v[m / 2] : 0.5 * (v[m / 2 - 1] + v[m / 2]);
        double d = fabs(best - median);
        lo = v[0];
        hi = v[m - 1];
        if (d > 0) {
            double limit = maximize ? best - 4 * d : best + 4 * d;
            for (size_t i = 0; i < m; i++)
                if (maximize ? v[i] < limit : v[i] > limit)
                    ax->n_clipped++;
            if (ax->n_clipped) {
                ax->limit = limit;
                if (maximize)
                    lo = limit;
                else
                    hi = limit;
            }
        }
    }
    free(v);
    double span = hi - lo;
    if (!(span > 0))
        span = fabs(hi) > 0 ? 0.1 * fabs(hi) : 1e-3;
    ax->lo = lo - 0.06 * span;
    ax->hi = hi + 0.06 * span;
    ax->fail_y = ax->lo - 0.06 * span;
    if (have_failed)
        ax->lo = ax->fail_y - 0.05 * span;
}

size_t tune_plot_stride(size_t n_finished)
{
    return n_finished <= TUNE_PLOT_MAX_POINTS
               ? 1
               : (n_finished + TUNE_PLOT_MAX_POINTS - 1) / TUNE_PLOT_MAX_POINTS;
}

double tune_obj_axis_draw(const struct tune_obj_axis *ax, double v)
{
    if (isnan(ax->limit) || isnan(v))
        return v;
    if (ax->maximize)
        return v < ax->limit ? ax->limit : v;
    return v > ax->limit ? ax->limit : v;
}

int tune_report_history(const struct tune_study_info *info, const struct tune_trial *trials,
                        size_t n, const struct tune_plot_opts *o, struct tune_plot_log *log,
                        struct tune_error *err)
{
    double *vals = calloc(n + 1, sizeof *vals);
    if (!vals)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory for the history");
    size_t n_complete = 0, n_failed = 0, n_pruned = 0, n_vals = 0;
    int best_no = -1, max_no = 0;
    double best = NAN;
    for (size_t i = 0; i < n; i++) {
        const struct tune_trial *t = &trials[i];
        if (t->state == TUNE_TRIAL_RUNNING)
            continue;
        max_no = t->number > max_no ? t->number : max_no;
        if (t->state == TUNE_TRIAL_FAILED) {
            n_failed++;
            continue;
        }
        if (t->state == TUNE_TRIAL_PRUNED)
            n_pruned++;
        if (!isfinite(t->value))
            continue;
        vals[n_vals++] = t->value;
        if (t->state == TUNE_TRIAL_COMPLETE) {
            n_complete++;
            if (t->violation > 0)
                continue; /* broke the constraints: never the best */
            if (isnan(best) || (info->maximize ? t->value > best : t->value < best)) {
                best = t->value;
                best_no = t->number;
            }
        }
    }
    int pruned_on_fail_row = 0;
    for (size_t i = 0; i < n; i++)
        if (trials[i].state == TUNE_TRIAL_PRUNED && !isfinite(trials[i].value))
            pruned_on_fail_row = 1;
    struct tune_obj_axis ax;
    tune_obj_axis_make(vals, n_vals, info->maximize, n_failed > 0 || pruned_on_fail_row, &ax);
    free(vals);

    struct tune_text data = {0}, gp = {0};
    size_t n_finished = n_complete + n_failed + n_pruned, stride = tune_plot_stride(n_finished);
    tune_text_printf(&data, "# optimization history: number state value drawn best_so_far "
                            "best_drawn\n"
                            "# state 1 complete, 2 failed, 3 pruned; drawn = the value as "
                            "plotted (clipped, or the failed row)\n");
    if (stride > 1)
        tune_text_printf(&data, "# %zu finished trials: 1 in %zu and every new best are "
                                "listed\n",
                         n_finished, stride);
    double so_far = NAN;
    size_t n_clipped_drawn = 0, k = 0;
    for (size_t i = 0; i < n; i++) {
        const struct tune_trial *t = &trials[i];
        if (t->state == TUNE_TRIAL_RUNNING)
            continue;
        double v = t->state == TUNE_TRIAL_FAILED ? NAN : t->value;
        double drawn = isfinite(v) ? tune_obj_axis_draw(&ax, v) : ax.fail_y;
        int improves = t->state == TUNE_TRIAL_COMPLETE && isfinite(v) && !(t->violation > 0) &&
                       (isnan(so_far) || (info->maximize ? v > so_far : v < so_far));
        if (improves)
            so_far = v;
        if (k++ % stride != 0 && !improves && t->number != best_no)
            continue; /* thinned out */
        if (t->state == TUNE_TRIAL_COMPLETE && isfinite(v) && drawn != v)
            n_clipped_drawn++;
        tune_text_printf(&data, "%d %d ", t->number, (int)t->state);
        tune_text_num(&data, v);
        tune_text_printf(&data, " ");
        tune_text_num(&data, drawn);
        tune_text_printf(&data, " ");
        tune_text_num(&data, so_far);
        tune_text_printf(&data, " ");
        tune_text_num(&data, tune_obj_axis_draw(&ax, so_far));
        tune_text_printf(&data, "\n");
    }

    tune_plot_preamble(&gp, o, "history", 0, 0);
    char head[160];
    snprintf(head, sizeof head, "Optimization history (%zu complete, %zu failed, %zu pruned)",
             n_complete, n_failed, n_pruned);
    tune_text_printf(&gp, "set title ");
    tune_plot_quote(&gp, head, 0);
    tune_text_printf(&gp, " . \"\\n\" . 'study ' . ");
    tune_plot_quote(&gp, info->name, 80);
    if (stride > 1)
        tune_text_printf(&gp, " . ' (1 trial in %zu drawn, and every new best)'", stride);
    tune_text_printf(&gp, "\nset xlabel 'trial number'\nset ylabel ");
    tune_plot_quote(&gp, info->metric, 40);
    tune_text_printf(&gp, " . ' (%s)'\n", info->maximize ? "higher is better" : "lower is better");
    tune_text_printf(&gp, "set xrange [-0.5:%d.5]\nset yrange [%.17g:%.17g]\n", max_no, ax.lo,
                     ax.hi);
    if (max_no < 12)
        tune_text_printf(&gp, "set xtics 1\n"); /* trial numbers are integers */
    tune_text_printf(&gp, "set key below horizontal\nset bmargin 7\n");
    /* one clause per series present (an empty series makes gnuplot warn) */
    const char *sep = "plot ";
    if (n_complete) {
        tune_text_printf(&gp, "%s'history.dat' using 1:($2==1 && $3==$4 ? $4 : NaN) with points "
                              "pt 7 ps 0.9 lc rgb '#3182bd' title 'complete trial'",
                         sep);
        sep = ", \\\n     ";
        tune_text_printf(&gp, "%s'history.dat' using 1:6 with steps lw 2 lc rgb '#e6550d' "
                              "title 'best so far'",
                         sep);
    }
    if (n_clipped_drawn) {
        tune_text_printf(&gp, "%s'history.dat' using 1:($2==1 && $3!=$4 ? $4 : NaN) with points "
                              "pt 11 ps 1.2 lc rgb '#3182bd' title 'worse than shown (%zu)'",
                         sep, n_clipped_drawn);
        sep = ", \\\n     ";
    }
    if (n_pruned) {
        tune_text_printf(&gp, "%s'history.dat' using 1:($2==3 ? $4 : NaN) with points pt 4 "
                              "ps 1.1 lc rgb '#756bb1' title 'pruned (%zu)'",
                         sep, n_pruned);
        sep = ", \\\n     ";
    }
    if (n_failed) {
        tune_text_printf(&gp, "%s'history.dat' using 1:($2==2 ? $4 : NaN) with points pt 2 "
                              "ps 1.2 lw 2 lc rgb '#d62728' title 'failed (%zu)'",
                         sep, n_failed);
        sep = ", \\\n     ";
    }
    if (best_no >= 0) {
        char t[96];
        snprintf(t, sizeof t, "best: trial %d (%.6g)", best_no, best);
        tune_text_printf(&gp, "%s'history.dat' using 1:($1==%d ? $4 : NaN) with points pt 3 "
                              "ps 2.6 lw 2 lc rgb '#e6550d' title ",
                         sep, best_no);
        tune_plot_quote(&gp, t, 0);
    }
    if (n_complete + n_pruned + n_failed == 0) {
        /* nothing finished yet: no picture */
        tune_text_release(&data);
        tune_text_release(&gp);
        return TUNE_OK;
    }
    tune_text_printf(&gp, "\n");
    int rc = tune_text_save(&data, o->out_dir, "history.dat", err);
    if (!rc)
        rc = tune_plot_finish(&gp, o, log, "history",
                              "Optimization history: every trial and the best so far", err);
    tune_text_release(&data);
    tune_text_release(&gp);
    return rc;
}
