/* SPDX-License-Identifier: GPL-3.0-or-later */
/* search.c — the report's pictures and tables for studies of several
 * trainers and of several objectives (see reports/search.h).
 *
 * A trial's trainer is the "trainer" key of its params (a study of several
 * trainers writes it first).  Values are drawn as the history draws them:
 * the objective on y, higher or lower better as the study says.  The
 * Pareto picture takes the study's first two objectives, each on its own
 * axis in its own direction, a log axis for a timing spanning more than
 * two decades; the front is joined point to point in the first objective's
 * order. */
#include "reports/search.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The trainer named in a params object, or NULL (caller frees). */
static char *trainer_of(const char *params_json)
{
    cJSON *p = params_json ? cJSON_Parse(params_json) : NULL;
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(p, "trainer");
    char *name = cJSON_IsString(t) ? strdup(t->valuestring) : NULL;
    cJSON_Delete(p);
    return name;
}

static int chooses_trainer(const struct tune_study_info *info)
{
    cJSON *cfg = info->config_json ? cJSON_Parse(info->config_json) : NULL;
    int yes = cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(cfg, "trainers"));
    cJSON_Delete(cfg);
    return yes;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The study's trainers, in the order of its config, with their numbers. */
static int summarize(const struct tune_study_info *info, const struct tune_trial *trials,
                     size_t n, struct tune_search_report *r, int *which, struct tune_error *err)
{
    cJSON *cfg = cJSON_Parse(info->config_json);
    const cJSON *trs = cJSON_GetObjectItemCaseSensitive(cfg, "trainers");
    size_t k = (size_t)cJSON_GetArraySize(trs);
    double *vals = malloc((n + 1) * sizeof *vals);
    r->trainers = calloc(k + 1, sizeof *r->trainers);
    if (!vals || !r->trainers) {
        cJSON_Delete(cfg);
        free(vals);
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    }
    for (const cJSON *e = trs ? trs->child : NULL; e; e = e->next) {
        struct tune_trainer_summary *s = &r->trainers[r->n_trainers++];
        s->name = strdup(e->string);
        s->best_number = -1;
        s->best = s->median = s->fit_seconds = NAN;
        s->seconds = 0;
    }
    cJSON_Delete(cfg);
    for (size_t i = 0; i < n; i++) {
        which[i] = -1;
        char *name = trainer_of(trials[i].params_json);
        for (size_t j = 0; name && j < r->n_trainers; j++)
            if (r->trainers[j].name && strcmp(r->trainers[j].name, name) == 0)
                which[i] = (int)j;
        free(name);
    }
    for (size_t j = 0; j < r->n_trainers; j++) {
        struct tune_trainer_summary *s = &r->trainers[j];
        size_t m = 0;
        double fit = 0;
        for (size_t i = 0; i < n; i++) {
            const struct tune_trial *t = &trials[i];
            if (which[i] != (int)j || t->state == TUNE_TRIAL_RUNNING)
                continue;
            s->trials++;
            s->failed += t->state == TUNE_TRIAL_FAILED;
            if (isfinite(t->t_end - t->t_start))
                s->seconds += t->t_end - t->t_start;
            if (t->state != TUNE_TRIAL_COMPLETE || isnan(t->value))
                continue;
            s->complete++;
            vals[m++] = t->value;
            fit += isfinite(t->fit_seconds) ? t->fit_seconds : 0;
            if (!(t->violation > 0) &&
                (s->best_number < 0 || (info->maximize ? t->value > s->best : t->value < s->best))) {
                s->best = t->value;
                s->best_number = t->number;
            }
        }
        if (m) {
            qsort(vals, m, sizeof *vals, by_value);
            s->median = m % 2 ? vals[m / 2] : (vals[m / 2 - 1] + vals[m / 2]) / 2;
            s->fit_seconds = fit / (double)m;
        }
    }
    free(vals);
    return TUNE_OK;
}

static int drawn_here(const struct tune_trial *t, int which)
{
    return t->state == TUNE_TRIAL_COMPLETE && isfinite(t->value) && which >= 0;
}

/* Objective against trial number, and against fit seconds, by trainer.  The
 * objective's axis is the history's (history.c): a trainer far worse than
 * the rest, or one disastrous trial (logistic at C = 0.001 with an L1
 * penalty: an AUC of 0.5), is drawn at the edge and counted, instead of
 * squeezing every other trial into a line. */
static int draw_trainers(const struct tune_study_info *info, const struct tune_trial *trials,
                         size_t n, const int *which, const struct tune_search_report *r,
                         const struct tune_plot_opts *o, struct tune_plot_log *log,
                         struct tune_error *err)
{
    double *vals = calloc(n + 1, sizeof *vals);
    if (!vals)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    size_t drawn = 0;
    for (size_t i = 0; i < n; i++)
        if (drawn_here(&trials[i], which[i]))
            vals[drawn++] = trials[i].value;
    struct tune_obj_axis ax;
    tune_obj_axis_make(vals, drawn, info->maximize, 0, &ax);
    free(vals);
    if (!drawn)
        return TUNE_OK;
    struct tune_text data = {0};
    tune_text_printf(&data, "# trials of a study of several trainers: number trainer value "
                            "fit_seconds broke drawn\n# trainer: its index in the study's "
                            "\"trainers\"; broke 1: the trial broke the constraints; drawn: "
                            "the value as plotted (clipped to the axis)\n");
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        const struct tune_trial *t = &trials[i];
        if (!drawn_here(t, which[i]))
            continue;
        tune_text_printf(&data, "%d %d ", t->number, which[i]);
        tune_text_num(&data, t->value);
        tune_text_printf(&data, " ");
        tune_text_num(&data, t->fit_seconds);
        tune_text_printf(&data, " %d ", t->violation > 0);
        tune_text_num(&data, tune_obj_axis_draw(&ax, t->value));
        tune_text_printf(&data, "\n");
        if (t->fit_seconds > 0) {
            lo = fmin(lo, t->fit_seconds);
            hi = fmax(hi, t->fit_seconds);
        }
    }
    int rc = tune_text_save(&data, o->out_dir, "trainers.dat", err);
    tune_text_release(&data);
    for (int pic = 0; !rc && pic < 2; pic++) {
        const char *base = pic ? "trainers_cost" : "trainers_history";
        struct tune_text gp = {0};
        tune_plot_preamble(&gp, o, base, 0, 0);
        tune_text_printf(&gp, "set title '%s' . \"\\n\" . 'study ' . ",
                         pic ? "Quality against cost, by trainer"
                             : "Optimization history, by trainer");
        tune_plot_quote(&gp, info->name, 80);
        tune_text_printf(&gp, "\nset ylabel ");
        tune_plot_quote(&gp, info->metric, 40);
        tune_text_printf(&gp, " . ' (%s)'\n",
                         info->maximize ? "higher is better" : "lower is better");
        if (pic) {
            tune_text_printf(&gp, "set xlabel 'fit seconds per fold'\n");
            if (hi > 0 && lo > 0 && hi / lo > 100) {
                tune_text_printf(&gp, "set logscale x\nset xrange [%.17g:%.17g]\n", lo / 1.6,
                                 hi * 1.6);
                tune_plot_log_tics(&gp, "x", lo / 1.6, hi * 1.6);
            }
        } else {
            tune_text_printf(&gp, "set xlabel 'trial number'\n");
        }
        tune_text_printf(&gp, "set key below horizontal\nset bmargin 7\nset yrange [");
        tune_text_num(&gp, ax.lo);
        tune_text_printf(&gp, ":");
        tune_text_num(&gp, ax.hi);
        tune_text_printf(&gp, "]\n");
        const char *sep = "plot ";
        for (size_t j = 0; j < r->n_trainers; j++) {
            if (!r->trainers[j].complete)
                continue;
            tune_text_printf(&gp, "%s'trainers.dat' using %s:($2==%zu && $5==0 && $6==$3 ? $3 : "
                                  "NaN) with "
                                  "points pt 7 ps 0.9 lc rgb '%s' title ",
                             sep, pic ? "4" : "1", j, tune_report_fold_color(j));
            char label[300];
            snprintf(label, sizeof label, "%s (%zu)", r->trainers[j].name, r->trainers[j].complete);
            tune_plot_quote(&gp, label, 40);
            sep = ", \\\n     ";
        }
        if (ax.n_clipped) {
            /* the clipped, each in its trainer's colour (the violating
             * among them keep their own mark), under one grey key */
            tune_text_printf(&gp, "%s'trainers.dat' using %s:(NaN) with points pt 11 ps 1.2 "
                                  "lc rgb '#666666' title 'worse than shown (%zu)'",
                             sep, pic ? "4" : "1", ax.n_clipped);
            for (size_t j = 0; j < r->n_trainers; j++)
                tune_text_printf(&gp, "%s'trainers.dat' using %s:($2==%zu && $5==0 && $6!=$3 ? $6 "
                                      ": NaN) with points pt 11 ps 1.2 lc rgb '%s' notitle",
                                 sep, pic ? "4" : "1", j, tune_report_fold_color(j));
        }
        if (r->n_violating)
            tune_text_printf(&gp, "%s'trainers.dat' using %s:($5==1 ? $6 : NaN) with points pt 2 "
                                  "ps 1 lc rgb '#999999' title 'broke the constraints (%zu)'",
                             sep, pic ? "4" : "1", r->n_violating);
        tune_text_printf(&gp, "\n");
        rc = tune_plot_finish(&gp, o, log, base,
                              pic ? "The objective against the fit seconds per fold, one colour "
                                    "per trainer"
                                  : "Every trial's objective, one colour per trainer",
                              err);
        tune_text_release(&gp);
    }
    return rc;
}

static int is_timing(const char *m)
{
    return strcmp(m, "fit_seconds") == 0 || strcmp(m, "predict_seconds") == 0;
}

/* One objective's axis in the Pareto picture.  A timing over more than two
 * decades gets a log axis, which needs no clipping.  Otherwise the
 * history's (history.c), so one far-worse trial does not squeeze the front
 * into a corner: values worse than the best by more than 4 times the
 * median's distance are drawn at that limit; but the front is what the
 * picture is for, so when it reaches beyond the limit, the limit moves the
 * same distance beyond the front's worst point.  A log axis pads by a
 * factor, a linear one by 6% of the span. */
struct front_axis {
    struct tune_obj_axis ax; /* the range to set, and the clip limit */
    int log;
};

static struct front_axis front_axis(const double *v, size_t m, int maximize,
                                    const struct tune_pareto *p, int j, int timing)
{
    struct front_axis fa = {{.lo = INFINITY, .hi = -INFINITY, .limit = NAN,
                             .maximize = maximize},
                            0};
    struct tune_obj_axis *ax = &fa.ax;
    double best = maximize ? -INFINITY : INFINITY;
    for (size_t i = 0; i < m; i++) {
        ax->lo = fmin(ax->lo, v[i]);
        ax->hi = fmax(ax->hi, v[i]);
        best = maximize ? fmax(best, v[i]) : fmin(best, v[i]);
    }
    fa.log = timing && ax->lo > 0 && ax->hi / ax->lo > 100;
    if (fa.log) {
        ax->lo /= 1.6;
        ax->hi *= 1.6;
        return fa;
    }
    struct tune_obj_axis hist;
    tune_obj_axis_make(v, m, maximize, 0, &hist);
    ax->limit = hist.limit;
    double worst = best; /* the front's worst value */
    for (size_t k = 0; k < p->n; k++)
        worst = maximize ? fmin(worst, p->points[k].values[j])
                         : fmax(worst, p->points[k].values[j]);
    if (maximize ? worst < ax->limit : worst > ax->limit)
        ax->limit = worst - (best - ax->limit);
    if (!isnan(ax->limit)) {
        ax->lo = maximize ? fmax(ax->lo, ax->limit) : ax->lo;
        ax->hi = maximize ? ax->hi : fmin(ax->hi, ax->limit);
    }
    double span = ax->hi - ax->lo;
    span = span > 0 ? span : fabs(ax->hi) > 0 ? 0.1 * fabs(ax->hi) : 1e-3;
    ax->lo -= 0.06 * span;
    ax->hi += 0.06 * span;
    return fa;
}

/* Two objectives: every complete trial, the front, the violating apart. */
static int draw_pareto(struct tune_store *store, const struct tune_study_info *info,
                       const struct tune_pareto *p, const struct tune_plot_opts *o,
                       struct tune_plot_log *log, struct tune_error *err)
{
    struct tune_trial *t = NULL;
    size_t n = 0;
    int rc = tune_store_trial_page(store, info->id, 0, SIZE_MAX, 1, &t, &n, err);
    if (rc)
        return rc;
    const char *m2 = p->objectives[1].metric;
    double *v = malloc((2 * n + 1) * sizeof *v);
    if (!v) {
        tune_trials_free(t, n);
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    }
    /* the drawn trials' values: objective j of the i-th at v[j * n + i] */
    size_t drawn = 0;
    for (size_t i = 0; i < n; i++) {
        double a = t[i].value, b = tune_trial_metric(&t[i], m2);
        if (t[i].state != TUNE_TRIAL_COMPLETE || !isfinite(a) || !isfinite(b))
            continue;
        v[drawn] = a;
        v[n + drawn++] = b;
    }
    if (!drawn) {
        free(v);
        tune_trials_free(t, n);
        return TUNE_OK;
    }
    struct front_axis fa[2];
    for (int j = 0; j < 2; j++)
        fa[j] = front_axis(&v[j * n], drawn, p->objectives[j].maximize, p, j,
                           is_timing(p->objectives[j].metric));
    free(v);
    struct tune_text data = {0}, gp = {0};
    tune_text_printf(&data, "# Pareto front: number objective1 objective2 kind drawn1 drawn2\n"
                            "# kind 0 on the front, 1 a trial it beats, 2 broke the "
                            "constraints; drawn: the values as plotted (a far-worse value "
                            "clipped to the axis)\n");
    size_t n_clipped = 0;
    for (size_t i = 0; i < n; i++) {
        double x[2] = {t[i].value, tune_trial_metric(&t[i], m2)};
        if (t[i].state != TUNE_TRIAL_COMPLETE || !isfinite(x[0]) || !isfinite(x[1]))
            continue;
        int kind = t[i].violation > 0 ? 2 : 1;
        for (size_t k = 0; kind == 1 && k < p->n; k++)
            kind = p->points[k].number == t[i].number ? 0 : 1;
        double d[2] = {tune_obj_axis_draw(&fa[0].ax, x[0]), tune_obj_axis_draw(&fa[1].ax, x[1])};
        n_clipped += d[0] != x[0] || d[1] != x[1];
        tune_text_printf(&data, "%d ", t[i].number);
        tune_text_num(&data, x[0]);
        tune_text_printf(&data, " ");
        tune_text_num(&data, x[1]);
        tune_text_printf(&data, " %d ", kind);
        tune_text_num(&data, d[0]);
        tune_text_printf(&data, " ");
        tune_text_num(&data, d[1]);
        tune_text_printf(&data, "\n");
    }
    /* the front, again, in the first objective's order, for the line */
    tune_text_printf(&data, "\n\n# the front, in the order of the first objective\n");
    for (size_t k = 0; k < p->n; k++) {
        tune_text_printf(&data, "%d ", p->points[k].number);
        tune_text_num(&data, p->points[k].values[0]);
        tune_text_printf(&data, " ");
        tune_text_num(&data, p->points[k].values[1]);
        tune_text_printf(&data, " 0 ");
        tune_text_num(&data, p->points[k].values[0]);
        tune_text_printf(&data, " ");
        tune_text_num(&data, p->points[k].values[1]);
        tune_text_printf(&data, "\n");
    }
    tune_trials_free(t, n);
    tune_plot_preamble(&gp, o, "pareto", 0, 0);
    char head[200];
    snprintf(head, sizeof head, "Pareto front: %zu of %zu complete trials", p->n, p->n_complete);
    tune_text_printf(&gp, "set title ");
    tune_plot_quote(&gp, head, 0);
    tune_text_printf(&gp, " . \"\\n\" . 'study ' . ");
    tune_plot_quote(&gp, info->name, 80);
    const char *axis[2] = {"x", "y"};
    tune_text_printf(&gp, "\n");
    for (int j = 0; j < 2; j++) {
        tune_text_printf(&gp, "set %slabel ", axis[j]);
        tune_plot_quote(&gp, p->objectives[j].metric, 40);
        tune_text_printf(&gp, " . ' (%s)'",
                         p->objectives[j].maximize ? "higher is better" : "lower is better");
        tune_text_printf(&gp, "\n");
        if (fa[j].log)
            tune_text_printf(&gp, "set logscale %s\n", axis[j]);
        tune_text_printf(&gp, "set %srange [", axis[j]);
        tune_text_num(&gp, fa[j].ax.lo);
        tune_text_printf(&gp, ":");
        tune_text_num(&gp, fa[j].ax.hi);
        tune_text_printf(&gp, "]\n");
        if (fa[j].log)
            tune_plot_log_tics(&gp, axis[j], fa[j].ax.lo, fa[j].ax.hi);
    }
    tune_text_printf(&gp, "set key below horizontal\nset bmargin 7\n");
    /* the drawn values: the true ones, or clipped to the axis */
    tune_text_printf(&gp, "plot 'pareto.dat' index 0 using 5:($4==1 && $5==$2 && $6==$3 ? $6 : "
                          "NaN) with points pt 7 ps 0.8 lc rgb '#9ecae1' title 'beaten trials'");
    if (n_clipped)
        tune_text_printf(&gp, ", \\\n     'pareto.dat' index 0 using 5:($4!=0 && ($5!=$2 || $6!=$3) "
                              "? $6 : NaN) with points pt 11 ps 1.2 lc rgb '#9ecae1' title "
                              "'worse than shown (%zu)'",
                         n_clipped);
    if (p->n_complete > p->n_feasible)
        tune_text_printf(&gp, ", \\\n     'pareto.dat' index 0 using 5:($4==2 && $5==$2 && $6==$3 ? "
                              "$6 : NaN) with points pt 2 ps 1 lc rgb '#999999' title 'broke the "
                              "constraints'");
    if (p->n)
        tune_text_printf(&gp, ", \\\n     'pareto.dat' index 1 using 2:3 with linespoints pt 7 "
                              "ps 1.3 lw 2 lc rgb '#e6550d' title 'Pareto set (%zu)'",
                         p->n);
    tune_text_printf(&gp, "\n");
    rc = tune_text_save(&data, o->out_dir, "pareto.dat", err);
    if (!rc)
        rc = tune_plot_finish(&gp, o, log, "pareto",
                              "The two objectives of every complete trial and the Pareto front",
                              err);
    tune_text_release(&data);
    tune_text_release(&gp);
    return rc;
}

int tune_report_search(struct tune_store *store, const struct tune_study_info *info,
                       const struct tune_trial *trials, size_t n, const struct tune_plot_opts *o,
                       struct tune_plot_log *log, struct tune_search_report *out,
                       struct tune_error *err)
{
    memset(out, 0, sizeof *out);
    int rc = TUNE_OK;
    for (size_t i = 0; i < n; i++)
        out->n_violating += trials[i].state == TUNE_TRIAL_COMPLETE && trials[i].violation > 0;
    if (chooses_trainer(info)) {
        int *which = malloc((n + 1) * sizeof *which);
        if (!which)
            return tune_error_set(err, TUNE_ENOMEM, "out of memory");
        rc = summarize(info, trials, n, out, which, err);
        if (!rc)
            rc = draw_trainers(info, trials, n, which, out, o, log, err);
        free(which);
        if (rc)
            return rc;
    }
    struct tune_objective *objs = NULL;
    size_t k = 0;
    if ((rc = tune_study_objectives(info, &objs, &k, err)))
        return rc;
    tune_objectives_free(objs, k);
    if (k > 1) {
        if ((rc = tune_study_pareto(store, info, &out->pareto, err)))
            return rc;
        out->have_pareto = 1;
        if (k == 2)
            rc = draw_pareto(store, info, &out->pareto, o, log, err);
    }
    return rc;
}

void tune_report_search_html(struct tune_text *h, const struct tune_study_info *info,
                             const struct tune_search_report *r)
{
    if (r->have_pareto) {
        const struct tune_pareto *p = &r->pareto;
        tune_text_printf(h, "<h2>Pareto set: %zu trial%s</h2>\n<p class=\"note\">No other trial "
                            "is at least as good on every objective and better on one; of %zu "
                            "complete trials, %zu kept the constraints and have every "
                            "objective.  Best first by ",
                         p->n, p->n == 1 ? "" : "s", p->n_complete, p->n_feasible);
        tune_html_text(h, p->objectives[0].metric);
        tune_text_printf(h, ".</p>\n<table>\n<tr><th>trial</th>");
        for (size_t j = 0; j < p->n_objectives; j++) {
            tune_text_printf(h, "<th>");
            tune_html_text(h, p->objectives[j].metric);
            tune_text_printf(h, " (%s)</th>", p->objectives[j].maximize ? "max" : "min");
        }
        tune_text_printf(h, "<th class=\"l\">params</th></tr>\n");
        for (size_t i = 0; i < p->n; i++) {
            tune_text_printf(h, "<tr><td>%d</td>", p->points[i].number);
            for (size_t j = 0; j < p->n_objectives; j++) {
                tune_text_printf(h, "<td>");
                tune_html_num(h, p->points[i].values[j]);
                tune_text_printf(h, "</td>");
            }
            tune_text_printf(h, "<td class=\"l\"><code>");
            tune_html_text(h, p->points[i].params_json ? p->points[i].params_json : "{}");
            tune_text_printf(h, "</code></td></tr>\n");
        }
        tune_text_printf(h, "</table>\n");
    }
    if (r->n_violating)
        tune_text_printf(h, "<p class=\"note\">%zu complete trial%s broke the constraints: kept "
                            "with their values, never the best.</p>\n",
                         r->n_violating, r->n_violating == 1 ? "" : "s");
    if (r->n_trainers) {
        tune_text_printf(h, "<h2>Trainers</h2>\n<table>\n<tr><th class=\"l\">trainer</th>"
                            "<th>trials</th><th>complete</th><th>failed</th><th>best ");
        tune_html_text(h, info->metric);
        tune_text_printf(h, "</th><th>best trial</th><th>median</th><th>fit s / fold "
                            "(mean)</th><th>trial s (all)</th></tr>\n");
        for (size_t j = 0; j < r->n_trainers; j++) {
            const struct tune_trainer_summary *s = &r->trainers[j];
            tune_text_printf(h, "<tr><td class=\"l\">");
            tune_html_text(h, s->name ? s->name : "?");
            tune_text_printf(h, "</td><td>%zu</td><td>%zu</td><td>%zu</td><td>", s->trials,
                             s->complete, s->failed);
            tune_html_num(h, s->best);
            tune_text_printf(h, "</td><td>");
            if (s->best_number >= 0)
                tune_text_printf(h, "%d", s->best_number);
            tune_text_printf(h, "</td><td>");
            tune_html_num(h, s->median);
            tune_text_printf(h, "</td><td>");
            tune_html_num(h, s->fit_seconds);
            tune_text_printf(h, "</td><td>");
            tune_html_num(h, s->seconds);
            tune_text_printf(h, "</td></tr>\n");
        }
        tune_text_printf(h, "</table>\n");
    }
}

void tune_report_search_release(struct tune_search_report *r)
{
    for (size_t j = 0; j < r->n_trainers; j++)
        free(r->trainers[j].name);
    free(r->trainers);
    tune_pareto_release(&r->pareto);
    memset(r, 0, sizeof *r);
}
