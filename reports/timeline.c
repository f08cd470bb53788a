/* SPDX-License-Identifier: GPL-3.0-or-later */
/* timeline.c — what the workers did: one row per worker ("host:pid", the
 * process that claimed the trial), one bar per trial from its start to its
 * end, coloured by state, on a time axis in seconds from the study's first
 * start.  Gaps on a row are time the worker spent outside trials (asking
 * the searcher, waiting for the store); a red or orange bar is a failure
 * or a trial lost with its worker.
 *
 * Rows are ordered by each worker's first start.  A RUNNING trial's bar
 * reaches the last end seen (it has no end yet).  Bars keep a border in
 * their colour so that trials far shorter than a pixel still show. */
#include "surrogate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* state codes of the data file */
enum { ROW_RUNNING = 0, ROW_COMPLETE = 1, ROW_FAILED = 2, ROW_PRUNED = 3, ROW_LOST = 4 };

struct worker {
    const char *name;    /* borrowed from the trials */
    double first;
};

static int by_first(const void *a, const void *b)
{
    const struct worker *x = a, *y = b;
    if (x->first != y->first)
        return x->first < y->first ? -1 : 1;
    return strcmp(x->name, y->name);
}

static const char *worker_name(const struct tune_trial *t)
{
    return t->worker && *t->worker ? t->worker : "(unknown worker)";
}

int tune_report_timeline(const struct tune_study_info *info, const struct tune_trial *trials,
                         size_t n, const struct tune_plot_opts *o, struct tune_plot_log *log,
                         struct tune_error *err)
{
    struct worker *w = calloc(n + 1, sizeof *w);
    struct tune_text data = {0}, gp = {0}, plot = {0};
    int rc = TUNE_OK;
    if (!w)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory for the timeline");
    double t0 = INFINITY, t1 = -INFINITY;
    size_t nw = 0, counts[5] = {0}, n_finished = 0;
    for (size_t i = 0; i < n; i++) {
        const struct tune_trial *t = &trials[i];
        if (!isfinite(t->t_start))
            continue;
        t0 = fmin(t0, t->t_start);
        t1 = fmax(t1, isfinite(t->t_end) ? t->t_end : t->t_start);
        n_finished += t->state != TUNE_TRIAL_RUNNING;
        const char *name = worker_name(t);
        size_t k = 0;
        while (k < nw && strcmp(w[k].name, name) != 0)
            k++;
        if (k == nw)
            w[nw++] = (struct worker){name, t->t_start};
        else
            w[k].first = fmin(w[k].first, t->t_start);
    }
    if (n_finished == 0)
        goto done;
    qsort(w, nw, sizeof *w, by_first);
    tune_text_printf(&data, "# timeline: row x_start x_end state number value (row: the worker, "
                            "0 at the top; x in seconds from the first start; state 0 running, "
                            "1 complete, 2 failed, 3 pruned, 4 lost with its worker)\n");
    for (size_t i = 0; i < n; i++) {
        const struct tune_trial *t = &trials[i];
        if (!isfinite(t->t_start))
            continue;
        size_t k = 0;
        const char *name = worker_name(t);
        while (strcmp(w[k].name, name) != 0)
            k++;
        int state = t->state == TUNE_TRIAL_RUNNING    ? ROW_RUNNING
                    : t->state == TUNE_TRIAL_COMPLETE ? ROW_COMPLETE
                    : t->state == TUNE_TRIAL_PRUNED   ? ROW_PRUNED
                    : t->lost                         ? ROW_LOST
                                                      : ROW_FAILED;
        counts[state]++;
        double end = isfinite(t->t_end) ? t->t_end : t1;
        tune_text_printf(&data, "%zu ", k);
        tune_text_num(&data, t->t_start - t0);
        tune_text_printf(&data, " ");
        tune_text_num(&data, end - t0);
        tune_text_printf(&data, " %d %d ", state, t->number);
        tune_text_num(&data, t->value);
        tune_text_printf(&data, "\n");
    }
    unsigned height = nw > 10 ? (unsigned)(320 + 26 * nw) : 0;
    tune_plot_preamble(&gp, o, "timeline", 0, height);
    tune_plot_hover_terminal(&gp, o, 0, height);
    tune_text_printf(&gp, "set title 'Timeline: %zu trial%s on %zu worker%s, %.4g s' . \"\\n\" . "
                          "'study ' . ",
                     n_finished, n_finished == 1 ? "" : "s", nw, nw == 1 ? "" : "s", t1 - t0);
    tune_plot_quote(&gp, info->name, 80);
    tune_text_printf(&gp, "\nset xlabel 'seconds since the first trial started'\n"
                          "set xrange [0:%.17g]\nset yrange [%zu.6:-0.6]\nset ytics (",
                     t1 > t0 ? 1.02 * (t1 - t0) : 1, nw - 1);
    for (size_t k = 0; k < nw; k++) {
        tune_text_printf(&gp, "%s", k ? ", " : "");
        tune_plot_quote(&gp, w[k].name, 32);
        tune_text_printf(&gp, " %zu", k);
    }
    tune_text_printf(&gp, ") scale 0\nset grid xtics noytics\nset style fill solid 0.85 border\n"
                          "set key below horizontal\nset bmargin 6\n");
    static const struct {
        int state;
        const char *color, *name;
    } kinds[] = {{ROW_COMPLETE, "#3182bd", "complete"},
                 {ROW_PRUNED, "#756bb1", "pruned"},
                 {ROW_FAILED, "#d62728", "failed"},
                 {ROW_LOST, "#ff7f0e", "lost (worker died)"},
                 {ROW_RUNNING, "#bdbdbd", "running"}};
    const char *sep = "plot ";
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        if (!counts[kinds[k].state])
            continue;
        tune_text_printf(&plot, "%s'timeline.dat' using ($4==%d ? ($2+$3)/2 : NaN):1:2:3:"
                                "($1-0.36):($1+0.36) with boxxyerror lc rgb '%s' title '%s (%zu)'",
                         sep, kinds[k].state, kinds[k].color, kinds[k].name,
                         counts[kinds[k].state]);
        sep = ", \\\n     ";
    }
    const char *hv = ", \\\n     'timeline.dat' using (($2+$3)/2):1:(sprintf('trial %d, %s, "
                     "%.3g s, value %.6g', $5, ($4==1 ? 'complete' : $4==2 ? 'failed' : $4==3 ? "
                     "'pruned' : $4==4 ? 'lost' : 'running'), $3-$2, $6)) with labels hypertext "
                     "point pt 7 ps 0.3 lc rgb '#202020' notitle";
    tune_text_printf(&gp, "%s%s\n", plot.p ? plot.p : "", o->format == TUNE_IMAGE_SVG ? hv : "");
    tune_text_printf(&plot, "%s", hv);
    tune_plot_svg_twin(&gp, o, "timeline", 0, height, plot.p ? plot.p : "");
    if ((rc = tune_text_save(&data, o->out_dir, "timeline.dat", err)))
        goto done;
    rc = tune_plot_finish(&gp, o, log, "timeline",
                          "Timeline: one row per worker (host:pid), one bar per trial from its "
                          "start to its end, coloured by state",
                          err);
done:
    free(w);
    tune_text_release(&data);
    tune_text_release(&gp);
    tune_text_release(&plot);
    return rc;
}
