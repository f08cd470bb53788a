/* SPDX-License-Identifier: GPL-3.0-or-later */
/* params.c — the objective against each searched hyperparameter: one
 * picture per parameter of the study's space (read from the canonical study
 * config), points coloured by trial number (early dark, late light), the
 * best trial circled, failed trials on a row below the data.
 *
 * x axis: the value; log scale for a parameter searched on a log scale;
 * categorical values and booleans at named positions 0, 1, ... with a small
 * deterministic horizontal jitter (from the trial number) so that repeated
 * choices do not hide each other. */
#include "plot.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct space_param {
    const char *name;            /* borrowed from the cJSON tree */
    int categorical, boolean, log, integer;
    size_t n_values;
    const char **values;         /* categorical: borrowed */
};

/* The trial's x for parameter p, NAN when absent. */
static double param_x(const struct space_param *p, const cJSON *params)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(params, p->name);
    if (!v)
        return NAN;
    if (p->boolean)
        return cJSON_IsBool(v) ? (double)cJSON_IsTrue(v) : cJSON_IsNumber(v) ? v->valuedouble : NAN;
    if (p->categorical) {
        char num[64];
        const char *text = cJSON_IsString(v) ? v->valuestring : NULL;
        if (cJSON_IsNumber(v)) {
            snprintf(num, sizeof num, "%.17g", v->valuedouble);
            text = num;
        }
        for (size_t k = 0; text && k < p->n_values; k++)
            if (strcmp(p->values[k], text) == 0)
                return (double)k;
        return NAN;
    }
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* Jitter in [-0.15, 0.15) from the trial number (Knuth's multiplicative hash). */
static double jitter(int number)
{
    unsigned h = (unsigned)number * 2654435761u;
    return ((double)(h >> 8) / (double)(1u << 24)) * 0.3 - 0.15;
}

static int draw_param(const struct tune_study_info *info, const struct space_param *p,
                      size_t index, const struct tune_trial *trials, const cJSON *const *tp,
                      size_t n, const struct tune_obj_axis *ax, int best_no,
                      const struct tune_plot_opts *o, struct tune_plot_log *log,
                      struct tune_error *err)
{
    char part[41], base[80], dat[96];
    tune_report_file_part(p->name, part, 40);
    snprintf(base, sizeof base, "param_%zu_%s", index + 1, part);
    snprintf(dat, sizeof dat, "%s.dat", base);
    struct tune_text data = {0}, gp = {0};
    tune_text_printf(&data, "# objective against a parameter: number state x value drawn\n"
                            "# state 1 complete, 2 failed, 3 pruned; x = the value (categories "
                            "and booleans: position, jittered); drawn = the value as plotted\n");
    size_t n_ok = 0, n_failed = 0, n_clipped = 0, n_finished = 0, seen = 0;
    int max_no = 0;
    double xlo = INFINITY, xhi = -INFINITY;
    for (size_t i = 0; i < n; i++)
        n_finished += trials[i].state != TUNE_TRIAL_RUNNING && tp[i];
    size_t stride = tune_plot_stride(n_finished);
    if (stride > 1)
        tune_text_printf(&data, "# %zu finished trials: 1 in %zu and the best are listed\n",
                         n_finished, stride);
    for (size_t i = 0; i < n; i++) {
        const struct tune_trial *t = &trials[i];
        if (t->state == TUNE_TRIAL_RUNNING || !tp[i])
            continue;
        if (seen++ % stride != 0 && t->number != best_no)
            continue; /* thinned out */
        double x = param_x(p, tp[i]);
        if (isnan(x))
            continue;
        if (p->categorical || p->boolean)
            x += jitter(t->number);
        double v = t->state == TUNE_TRIAL_FAILED ? NAN : t->value;
        double drawn = isfinite(v) ? tune_obj_axis_draw(ax, v) : ax->fail_y;
        if (t->state == TUNE_TRIAL_FAILED || !isfinite(v))
            n_failed++;
        else if (drawn != v)
            n_clipped++;
        else
            n_ok++;
        max_no = t->number > max_no ? t->number : max_no;
        xlo = fmin(xlo, x);
        xhi = fmax(xhi, x);
        tune_text_printf(&data, "%d %d ", t->number, (int)t->state);
        tune_text_num(&data, x);
        tune_text_printf(&data, " ");
        tune_text_num(&data, v);
        tune_text_printf(&data, " ");
        tune_text_num(&data, drawn);
        tune_text_printf(&data, "\n");
    }
    if (n_ok + n_clipped + n_failed == 0) {
        tune_text_release(&data);
        return TUNE_OK;
    }
    tune_plot_preamble(&gp, o, base, 0, 0);
    tune_text_printf(&gp, "set title 'Objective against ' . ");
    tune_plot_quote(&gp, p->name, 60);
    tune_text_printf(&gp, " . \"\\n\" . 'study ' . ");
    tune_plot_quote(&gp, info->name, 80);
    tune_text_printf(&gp, "\nset xlabel ");
    tune_plot_quote(&gp, p->name, 60);
    tune_text_printf(&gp, " . '%s'\nset ylabel ", p->log ? " (log scale)" : "");
    tune_plot_quote(&gp, info->metric, 40);
    tune_text_printf(&gp, " . ' (%s)'\n", info->maximize ? "higher is better" : "lower is better");
    tune_text_printf(&gp, "set yrange [%.17g:%.17g]\n", ax->lo, ax->hi);
    if (p->categorical || p->boolean) {
        size_t nv = p->boolean ? 2 : p->n_values;
        tune_text_printf(&gp, "set xrange [-0.5:%zu.5]\nset xtics (", nv - 1);
        for (size_t k = 0; k < nv; k++) {
            if (k)
                tune_text_printf(&gp, ", ");
            tune_plot_quote(&gp, p->boolean ? (k ? "true" : "false") : p->values[k], 24);
            tune_text_printf(&gp, " %zu", k);
        }
        tune_text_printf(&gp, ")\nset grid noxtics\n");
        if (nv > 6)
            tune_text_printf(&gp, "set xtics rotate by 40 right\n");
    } else if (p->log && xlo > 0) {
        tune_text_printf(&gp, "set logscale x\nset xrange [%.17g:%.17g]\n", xlo / 1.25,
                         xhi * 1.25);
        tune_plot_log_tics(&gp, "x", xlo / 1.25, xhi * 1.25);
    } else {
        double pad = xhi > xlo ? 0.04 * (xhi - xlo) : (fabs(xlo) > 0 ? 0.1 * fabs(xlo) : 1);
        tune_text_printf(&gp, "set xrange [%.17g:%.17g]\n", xlo - pad, xhi + pad);
        /* an integer takes whole values: no tick between them */
        if (p->integer && xhi - xlo <= 20)
            tune_text_printf(&gp, "set xtics 1\n");
        else if (p->integer)
            tune_text_printf(&gp, "set format x '%%.0f'\n");
    }
    tune_text_printf(&gp, "set cbrange [0:%d]\nset cblabel 'trial number'\n"
                          "set palette defined (0 '#440154', 0.35 '#31688e', 0.7 '#35b779', "
                          "1 '#e8d91e')\n"
                          "set key below horizontal\nset bmargin 7\n",
                     max_no > 0 ? max_no : 1);
    if (max_no <= 10) /* trial numbers are whole */
        tune_text_printf(&gp, "set cbtics 1\n");
    const char *sep = "plot ";
    if (n_ok) {
        tune_text_printf(&gp, "%s'%s' using 3:($2!=2 && $4==$5 ? $5 : NaN):1 with points pt 7 "
                              "ps 1.1 lc palette title 'trial (colour: number)'",
                         sep, dat);
        sep = ", \\\n     ";
    }
    if (n_clipped) {
        tune_text_printf(&gp, "%s'%s' using 3:($2!=2 && $4==$4 && $4!=$5 ? $5 : NaN):1 with "
                              "points pt 11 ps 1.2 lc palette title 'worse than shown (%zu)'",
                         sep, dat, n_clipped);
        sep = ", \\\n     ";
    }
    if (n_failed) {
        tune_text_printf(&gp, "%s'%s' using 3:($2==2 || $4!=$4 ? $5 : NaN) with points pt 2 "
                              "ps 1.2 lw 2 lc rgb '#d62728' title 'failed (%zu)'",
                         sep, dat, n_failed);
        sep = ", \\\n     ";
    }
    if (best_no >= 0 && n_ok + n_clipped) {
        char t[64];
        snprintf(t, sizeof t, "best trial %d", best_no);
        tune_text_printf(&gp, "%s'%s' using 3:($1==%d ? $5 : NaN) with points pt 6 ps 2.6 lw 2 "
                              "lc rgb '#e6550d' title ",
                         sep, dat, best_no);
        tune_plot_quote(&gp, t, 0);
    }
    tune_text_printf(&gp, "\n");
    int rc = tune_text_save(&data, o->out_dir, dat, err);
    char caption[160];
    snprintf(caption, sizeof caption, "Objective against %.100s%s", p->name,
             p->log ? " (log scale)" : "");
    if (!rc)
        rc = tune_plot_finish(&gp, o, log, base, caption, err);
    tune_text_release(&data);
    tune_text_release(&gp);
    return rc;
}

int tune_report_params(const struct tune_study_info *info, const struct tune_trial *trials,
                       size_t n, const struct tune_plot_opts *o, struct tune_plot_log *log,
                       size_t *n_params, struct tune_error *err)
{
    if (n_params)
        *n_params = 0;
    cJSON *cfg = info->config_json ? cJSON_Parse(info->config_json) : NULL;
    const cJSON *space = cJSON_GetObjectItemCaseSensitive(cfg, "space");
    if (!cfg || !cJSON_IsObject(space)) {
        cJSON_Delete(cfg); /* nothing searched: no parameter to draw */
        return TUNE_OK;
    }
    const cJSON **tp = calloc(n + 1, sizeof *tp);
    double *vals = calloc(n + 1, sizeof *vals);
    int rc = TUNE_OK;
    if (!tp || !vals) {
        rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
        goto done;
    }
    size_t n_vals = 0, n_failed = 0;
    int best_no = -1;
    double best = NAN;
    for (size_t i = 0; i < n; i++) {
        tp[i] = trials[i].params_json ? cJSON_Parse(trials[i].params_json) : NULL;
        if (trials[i].state == TUNE_TRIAL_FAILED) {
            n_failed++;
        } else if (trials[i].state != TUNE_TRIAL_RUNNING && isfinite(trials[i].value)) {
            vals[n_vals++] = trials[i].value;
            if (trials[i].state == TUNE_TRIAL_COMPLETE &&
                (isnan(best) || (info->maximize ? trials[i].value > best
                                                : trials[i].value < best))) {
                best = trials[i].value;
                best_no = trials[i].number;
            }
        } else if (trials[i].state == TUNE_TRIAL_PRUNED) {
            n_failed++;
        }
    }
    struct tune_obj_axis ax;
    tune_obj_axis_make(vals, n_vals, info->maximize, n_failed > 0, &ax);
    const cJSON *e;
    size_t index = 0;
    cJSON_ArrayForEach(e, space) {
        struct space_param p = {.name = e->string};
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(e, "type");
        const cJSON *scale = cJSON_GetObjectItemCaseSensitive(e, "scale");
        const cJSON *values = cJSON_GetObjectItemCaseSensitive(e, "values");
        const char *ty = cJSON_IsString(type) ? type->valuestring : "float";
        p.categorical = strcmp(ty, "categorical") == 0;
        p.boolean = strcmp(ty, "bool") == 0;
        p.log = cJSON_IsString(scale) && strcmp(scale->valuestring, "log") == 0;
        p.integer = strcmp(ty, "int") == 0;
        if (p.categorical) {
            size_t nv = cJSON_IsArray(values) ? (size_t)cJSON_GetArraySize(values) : 0;
            p.values = calloc(nv + 1, sizeof *p.values);
            if (!p.values) {
                rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
                goto done;
            }
            const cJSON *v;
            cJSON_ArrayForEach(v, values) {
                p.values[p.n_values++] = cJSON_IsString(v) ? v->valuestring : "?";
            }
            if (p.n_values == 0) {
                free(p.values);
                continue;
            }
        }
        rc = draw_param(info, &p, index, trials, tp, n, &ax, best_no, o, log, err);
        free(p.values);
        if (rc)
            goto done;
        index++;
    }
    if (n_params)
        *n_params = index;
done:
    for (size_t i = 0; tp && i < n; i++)
        cJSON_Delete((cJSON *)tp[i]);
    free(tp);
    free(vals);
    cJSON_Delete(cfg);
    return rc;
}
