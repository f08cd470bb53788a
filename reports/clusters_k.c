/* SPDX-License-Identifier: GPL-3.0-or-later */
/* clusters_k.c — a clustering study's objective against the number of
 * clusters: every complete trial at its n_clusters as mean ± std over the
 * folds (the numbers the store holds), the best trial of each k joined by a
 * line, the study's best circled.  Drawn only when the study searches
 * n_clusters and complete trials cover at least two k; otherwise the
 * history tells the story. */
#include "plot.h"

#include <cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct at_k {
    double k, value, std;
    int number;
};

static int by_k_then_number(const void *a, const void *b)
{
    const struct at_k *x = a, *y = b;
    if (x->k != y->k)
        return x->k < y->k ? -1 : 1;
    return (x->number > y->number) - (x->number < y->number);
}

int tune_report_clusters_k(const struct tune_study_info *info, const struct tune_trial *trials,
                           size_t n, const struct tune_plot_opts *o, struct tune_plot_log *log,
                           struct tune_error *err)
{
    cJSON *cfg = info->config_json ? cJSON_Parse(info->config_json) : NULL;
    const cJSON *space = cJSON_GetObjectItemCaseSensitive(cfg, "space");
    int searched = cJSON_GetObjectItemCaseSensitive(space, "n_clusters") != NULL;
    cJSON_Delete(cfg);
    if (!searched)
        return TUNE_OK;
    struct at_k *pt = malloc((n + 1) * sizeof *pt);
    if (!pt)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory for the objective per k");
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const struct tune_trial *t = &trials[i];
        if (t->state != TUNE_TRIAL_COMPLETE || !isfinite(t->value) || !t->params_json)
            continue;
        cJSON *p = cJSON_Parse(t->params_json);
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(p, "n_clusters");
        if (cJSON_IsNumber(k))
            pt[m++] = (struct at_k){k->valuedouble, t->value,
                                    isfinite(t->value_std) ? t->value_std : 0, t->number};
        cJSON_Delete(p);
    }
    qsort(pt, m, sizeof *pt, by_k_then_number);
    size_t distinct = 0, best = m;
    for (size_t i = 0; i < m; i++) {
        distinct += i == 0 || pt[i].k != pt[i - 1].k;
        if (best == m || (info->maximize ? pt[i].value > pt[best].value
                                         : pt[i].value < pt[best].value))
            best = i;
    }
    struct tune_text data = {0}, line = {0}, gp = {0};
    int rc = TUNE_OK;
    if (distinct < 2)
        goto done;
    tune_text_printf(&data, "# every complete trial: number k value std (mean and std over "
                            "folds)\n");
    tune_text_printf(&line, "# the best trial of each k: k value number\n");
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < m; i++) {
        tune_text_printf(&data, "%d ", pt[i].number);
        tune_text_num(&data, pt[i].k);
        tune_text_printf(&data, " ");
        tune_text_num(&data, pt[i].value);
        tune_text_printf(&data, " ");
        tune_text_num(&data, pt[i].std);
        tune_text_printf(&data, "\n");
        lo = fmin(lo, pt[i].value - pt[i].std);
        hi = fmax(hi, pt[i].value + pt[i].std);
        /* the last of a run of equal k: write that k's best */
        if (i + 1 == m || pt[i + 1].k != pt[i].k) {
            size_t b = i;
            for (size_t j = i; j-- > 0 && pt[j].k == pt[i].k;)
                if (info->maximize ? pt[j].value >= pt[b].value : pt[j].value <= pt[b].value)
                    b = j;
            tune_text_num(&line, pt[b].k);
            tune_text_printf(&line, " ");
            tune_text_num(&line, pt[b].value);
            tune_text_printf(&line, " %d\n", pt[b].number);
        }
    }
    double span = hi > lo ? hi - lo : fmax(fabs(hi), 1e-3) * 0.1;
    double k0 = pt[0].k, k1 = pt[m - 1].k;
    tune_plot_preamble(&gp, o, "clusters_k", 0, 0);
    tune_text_printf(&gp, "set title 'Objective against the number of clusters' . \"\\n\" . "
                          "'study ' . ");
    tune_plot_quote(&gp, info->name, 80);
    tune_text_printf(&gp, "\nset xlabel 'k (n_clusters)'\nset ylabel ");
    tune_plot_quote(&gp, info->metric, 40);
    tune_text_printf(&gp, " . ' (%s)'\n", info->maximize ? "higher is better" : "lower is better");
    tune_text_printf(&gp, "set xrange [%.17g:%.17g]\nset yrange [%.17g:%.17g]\n", k0 - 0.5,
                     k1 + 0.5, lo - 0.08 * span, hi + 0.08 * span);
    if (k1 - k0 <= 30)
        tune_text_printf(&gp, "set xtics 1\nset mxtics 1\n");
    tune_text_printf(&gp, "set key below horizontal\nset bmargin 7\n"
                          "plot 'clusters_k_best.dat' using 1:2 with lines lw 2 "
                          "lc rgb '#9ecae1' title 'best of each k', \\\n"
                          "     'clusters_k.dat' using 2:3:4 with yerrorbars pt 7 ps 1 lw 1.5 "
                          "lc rgb '#08519c' title 'trial: mean ± std over folds', \\\n"
                          "     'clusters_k.dat' using 2:($1 == %d ? $3 : NaN) with points pt 6 "
                          "ps 2.6 lw 2 lc rgb '#e6550d' title ",
                     pt[best].number);
    char t[96];
    snprintf(t, sizeof t, "best: trial %d (k = %.0f)", pt[best].number, pt[best].k);
    tune_plot_quote(&gp, t, 0);
    tune_text_printf(&gp, "\n");
    rc = tune_report_mkdir(o->out_dir, err);
    if (!rc)
        rc = tune_text_save(&data, o->out_dir, "clusters_k.dat", err);
    if (!rc)
        rc = tune_text_save(&line, o->out_dir, "clusters_k_best.dat", err);
    if (!rc)
        rc = tune_plot_finish(&gp, o, log, "clusters_k",
                              "The objective against the number of clusters: each trial's mean "
                              "± std over the folds, the best of each k joined, the best trial "
                              "circled",
                              err);
done:
    tune_text_release(&data);
    tune_text_release(&line);
    tune_text_release(&gp);
    free(pt);
    return rc;
}
