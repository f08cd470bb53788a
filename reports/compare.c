/* SPDX-License-Identifier: GPL-3.0-or-later */
/* compare.c — `tunefold compare`: stored studies side by side.
 *
 * For each study: the best trial (by the study's own objective) scored on
 * one common metric, its mean fit and predict seconds per fold, the tuning
 * time (first trial start to last trial end), trials run, failed, pruned.
 * The picture plots every complete trial's cost (fit + predict seconds per
 * fold, log axis) against its quality, the best trial of each study
 * emphasised, and the Pareto front over all of them (no other trial is both
 * cheaper and at least as good).
 *
 * Paired tests: two studies were evaluated on the same folds when their
 * stored configs agree on data, task, seed and cv (cv.h: folds depend only
 * on those), so the best trials' per-fold scores pair up.  For such pairs
 * the corrected resampled t-test (Nadeau & Bengio 2003; test/train ratio
 * 1/(k-1) for k folds, h/(1-h) for a holdout fraction h) and the Wilcoxon
 * signed-rank test give two-sided p-values.  Other pairs get no test. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "plot.h"
#include "tunefold/stats.h"
#include "tunefold/study.h"

#include <cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tune_compare_release(struct tune_compare *c)
{
    if (!c)
        return;
    for (size_t i = 0; c->entries && i < c->n; i++) {
        struct tune_compare_entry *e = &c->entries[i];
        free(e->study);
        free(e->folds);
        free(e->fold_key);
        free(e->trainer);
        free(e->cost);
        free(e->quality);
    }
    free(c->entries);
    free(c->pairs);
    free(c->metric);
    memset(c, 0, sizeof *c);
}

static const struct tune_metric_summary *find_metric(const struct tune_trial *t,
                                                     const char *name)
{
    for (size_t m = 0; m < t->n_metrics; m++)
        if (strcmp(t->metrics[m].name, name) == 0)
            return &t->metrics[m];
    return NULL;
}

/* The data file of a study as an absolute path: data.path is stored as
 * written, relative to the study file, whose absolute path `tunefold run`
 * records as the study's "source" attribute.  NULL when it cannot be
 * resolved (the path as written then stands for it). */
static char *data_realpath(struct tune_store *store, const struct tune_study_info *info,
                           const char *path)
{
    char *source = NULL, *abs = NULL;
    struct tune_error ignored = {0};
    if (!path)
        return NULL;
    if (path[0] == '/')
        return realpath(path, NULL);
    if (tune_store_study_get_attr(store, info->id, "source", &source, &ignored))
        return NULL;
    char *slash = strrchr(source, '/');
    size_t dir = slash ? (size_t)(slash - source) + 1 : 0;
    size_t len = dir + strlen(path) + 1;
    char *joined = malloc(len);
    if (joined) {
        memcpy(joined, source, dir);
        memcpy(joined + dir, path, strlen(path) + 1);
        abs = realpath(joined, NULL);
        free(joined);
    }
    free(source);
    return abs;
}

/* The trainer of a stored study's best trial: "trainer" of its params (a
 * study of several), else the study's trainer's name or program. */
static char *trainer_name(const struct tune_study_info *info, const char *params_json)
{
    cJSON *p = params_json ? cJSON_Parse(params_json) : NULL;
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(p, "trainer");
    char *name = cJSON_IsString(t) ? strdup(t->valuestring) : NULL;
    cJSON_Delete(p);
    cJSON *cfg = !name && info->config_json ? cJSON_Parse(info->config_json) : NULL;
    const cJSON *tr = cJSON_GetObjectItemCaseSensitive(cfg, "trainer");
    const cJSON *nm = cJSON_GetObjectItemCaseSensitive(tr, "name");
    const cJSON *ex = cJSON_GetObjectItemCaseSensitive(tr, "exec");
    if (cJSON_IsString(nm))
        name = strdup(nm->valuestring);
    else if (cJSON_IsArray(ex) && cJSON_IsString(ex->child))
        name = strdup(ex->child->valuestring);
    cJSON_Delete(cfg);
    return name;
}

/* "data|task|seed|cv" of a stored study, and the test/train ratio of one of
 * its folds. */
static char *fold_key(struct tune_store *store, const struct tune_study_info *info,
                      double *ratio)
{
    cJSON *cfg = info->config_json ? cJSON_Parse(info->config_json) : NULL;
    *ratio = NAN;
    if (!cfg)
        return NULL;
    cJSON *data = cJSON_GetObjectItemCaseSensitive(cfg, "data");
    const cJSON *path = cJSON_GetObjectItemCaseSensitive(data, "path");
    char *abs = data_realpath(store, info, cJSON_IsString(path) ? path->valuestring : NULL);
    if (abs && data)
        cJSON_ReplaceItemInObjectCaseSensitive(data, "path", cJSON_CreateString(abs));
    free(abs);
    const cJSON *parts[4] = {
        data,
        cJSON_GetObjectItemCaseSensitive(cfg, "task"),
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(cfg, "search"),
                                         "seed"),
        cJSON_GetObjectItemCaseSensitive(cfg, "cv"),
    };
    struct tune_text t = {0};
    for (size_t i = 0; i < 4; i++) {
        char *s = parts[i] ? cJSON_PrintUnformatted(parts[i]) : NULL;
        tune_text_printf(&t, "%s%s", i ? "|" : "", s ? s : "null");
        free(s);
    }
    const cJSON *cv = parts[3];
    const cJSON *holdout = cJSON_GetObjectItemCaseSensitive(cv, "holdout");
    const cJSON *folds = cJSON_GetObjectItemCaseSensitive(cv, "folds");
    if (cJSON_IsNumber(holdout) && holdout->valuedouble > 0 && holdout->valuedouble < 1)
        *ratio = holdout->valuedouble / (1 - holdout->valuedouble);
    else if (cJSON_IsNumber(folds) && folds->valuedouble >= 2)
        *ratio = 1 / (folds->valuedouble - 1);
    cJSON_Delete(cfg);
    if (t.oom) {
        tune_text_release(&t);
        return NULL;
    }
    return t.p;
}

static int load_entry(struct tune_store *store, const struct tune_study_info *info,
                      const char *metric, struct tune_compare_entry *e, struct tune_error *err)
{
    struct tune_trial *tr = NULL, best = {0};
    size_t n = 0;
    int have_best = 0;
    e->best_number = -1;
    e->value = e->value_std = e->fit_seconds = e->predict_seconds = NAN;
    int rc = tune_store_trial_best(store, info->id, &best, err);
    if (rc && rc != TUNE_ENOTFOUND)
        return rc;
    have_best = rc == TUNE_OK; /* a study without a complete trial is listed, not compared */
    /* the per-trial metrics only when comparing on another metric than the
     * objective, whose mean every trial carries as its value */
    int objective = strcmp(metric, info->metric) == 0;
    if ((rc = tune_store_trial_page(store, info->id, 0, SIZE_MAX, !objective, &tr, &n, err)))
        goto done;
    double t0 = INFINITY, t1 = -INFINITY;
    e->cost = malloc((n + 1) * sizeof *e->cost);
    e->quality = malloc((n + 1) * sizeof *e->quality);
    e->study = strdup(info->name);
    e->fold_key = fold_key(store, info, &e->test_train_ratio);
    if (!e->cost || !e->quality || !e->study || !e->fold_key) {
        rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
        goto done;
    }
    e->best_point = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        const struct tune_trial *t = &tr[i];
        if (t->state == TUNE_TRIAL_RUNNING)
            continue;
        e->n_trials++;
        e->n_complete += t->state == TUNE_TRIAL_COMPLETE;
        e->n_failed += t->state == TUNE_TRIAL_FAILED;
        e->n_pruned += t->state == TUNE_TRIAL_PRUNED;
        if (isfinite(t->t_start))
            t0 = fmin(t0, t->t_start);
        if (isfinite(t->t_end))
            t1 = fmax(t1, t->t_end);
        const struct tune_metric_summary *s = objective ? NULL : find_metric(t, metric);
        double q = objective ? t->value : s ? s->mean : NAN;
        double cost = t->fit_seconds + t->predict_seconds;
        if (t->state == TUNE_TRIAL_COMPLETE && isfinite(q) && isfinite(cost)) {
            if (have_best && t->number == best.number)
                e->best_point = e->n_points;
            e->cost[e->n_points] = cost;
            e->quality[e->n_points++] = q;
        }
    }
    if (e->best_point == SIZE_MAX)
        e->best_point = e->n_points;
    e->tuning_seconds = t1 >= t0 ? t1 - t0 : NAN;
    if (!have_best)
        goto done;
    const struct tune_metric_summary *s = find_metric(&best, metric);
    if (!s) {
        rc = tune_error_set(err, TUNE_EINVAL, "study '%s': its best trial has no metric '%s'",
                            info->name, metric);
        goto done;
    }
    e->best_number = best.number;
    e->trainer = trainer_name(info, best.params_json);
    e->value = s->mean;
    e->value_std = s->std;
    e->fit_seconds = best.fit_seconds;
    e->predict_seconds = best.predict_seconds;
    e->n_folds = s->n_folds;
    e->folds = malloc((s->n_folds + 1) * sizeof *e->folds);
    if (!e->folds) {
        rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
        goto done;
    }
    memcpy(e->folds, s->folds, s->n_folds * sizeof *e->folds);
done:
    tune_trial_release(&best);
    tune_trials_free(tr, n);
    return rc;
}

static void pair_test(const struct tune_compare_entry *a, const struct tune_compare_entry *b,
                      struct tune_compare_pair *p)
{
    p->mean_difference = p->p_ttest = p->p_wilcoxon = NAN;
    p->same_folds = a->best_number >= 0 && b->best_number >= 0 &&
                    strcmp(a->fold_key, b->fold_key) == 0 && a->n_folds == b->n_folds &&
                    a->n_folds >= 2;
    if (!p->same_folds)
        return;
    for (size_t f = 0; f < a->n_folds; f++)
        if (!isfinite(a->folds[f]) || !isfinite(b->folds[f]))
            return;
    struct tune_test_result r;
    double ratio = isfinite(a->test_train_ratio) ? a->test_train_ratio : 0;
    if (tune_stat_corrected_ttest(a->folds, b->folds, a->n_folds, ratio, &r, NULL) == TUNE_OK) {
        p->p_ttest = r.p_value;
        p->mean_difference = r.mean_difference;
    }
    if (tune_stat_wilcoxon(a->folds, b->folds, a->n_folds, TUNE_WILCOXON_AUTO, &r, NULL) ==
        TUNE_OK)
        p->p_wilcoxon = r.p_value;
}

int tune_compare_load(struct tune_store *store, const struct tune_study_info *infos, size_t n,
                      const char *metric, struct tune_compare *out, struct tune_error *err)
{
    memset(out, 0, sizeof *out);
    if (n == 0)
        return tune_error_set(err, TUNE_EINVAL, "no study to compare");
    const char *m = metric ? metric : infos[0].metric;
    const struct tune_metric_def *def = tune_metric_find(m);
    out->metric = strdup(m);
    out->maximize = def ? def->maximize : infos[0].maximize;
    out->entries = calloc(n, sizeof *out->entries);
    out->pairs = calloc(n * (n - 1) / 2 + 1, sizeof *out->pairs);
    if (!out->metric || !out->entries || !out->pairs) {
        tune_compare_release(out);
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    }
    out->n = n;
    for (size_t i = 0; i < n; i++) {
        int rc = load_entry(store, &infos[i], m, &out->entries[i], err);
        if (rc) {
            tune_compare_release(out);
            return rc;
        }
    }
    for (size_t a = 0; a < n; a++)
        for (size_t b = a + 1; b < n; b++) {
            struct tune_compare_pair *p = &out->pairs[out->n_pairs++];
            p->a = a;
            p->b = b;
            pair_test(&out->entries[a], &out->entries[b], p);
        }
    return TUNE_OK;
}

/* ---- the Pareto front ----------------------------------------------------- */

struct pt {
    double cost, key; /* key: larger is better */
    size_t idx;
};

static int by_cost(const void *a, const void *b)
{
    const struct pt *x = a, *y = b;
    if (x->cost != y->cost)
        return x->cost < y->cost ? -1 : 1;
    if (x->key != y->key)
        return x->key > y->key ? -1 : 1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

size_t tune_pareto_front(const double *cost, const double *quality, size_t n, int maximize,
                         size_t *idx)
{
    struct pt *p = malloc((n + 1) * sizeof *p);
    if (!p)
        return 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(cost[i]) && !isnan(quality[i]))
            p[m++] = (struct pt){cost[i], maximize ? quality[i] : -quality[i], i};
    qsort(p, m, sizeof *p, by_cost);
    /* sweep by increasing cost: a point is on the front when it is strictly
     * better than every cheaper (or equally cheap, listed earlier) point */
    size_t k = 0;
    double best = -INFINITY;
    for (size_t i = 0; i < m; i++)
        if (p[i].key > best) {
            best = p[i].key;
            idx[k++] = p[i].idx;
        }
    free(p);
    return k;
}

/* ---- files ---------------------------------------------------------------- */

static void csv_text(struct tune_text *t, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        tune_text_printf(t, "%s", s);
        return;
    }
    tune_text_put(t, "\"", 1);
    for (; *s; s++) {
        if (*s == '"')
            tune_text_put(t, "\"", 1);
        tune_text_put(t, s, 1);
    }
    tune_text_put(t, "\"", 1);
}

static void csv_num(struct tune_text *t, double v)
{
    tune_text_put(t, ",", 1);
    if (!isnan(v))
        tune_text_printf(t, "%.17g", v);
}

static void write_csv(const struct tune_compare *c, struct tune_text *t)
{
    tune_text_printf(t, "study,best_trial,");
    csv_text(t, c->metric);
    tune_text_printf(t, ",std,fit_seconds,predict_seconds,tuning_seconds,trials,complete,"
                        "failed,pruned,trainer\n");
    for (size_t i = 0; i < c->n; i++) {
        const struct tune_compare_entry *e = &c->entries[i];
        csv_text(t, e->study);
        tune_text_put(t, ",", 1);
        if (e->best_number >= 0)
            tune_text_printf(t, "%d", e->best_number);
        csv_num(t, e->value);
        csv_num(t, e->value_std);
        csv_num(t, e->fit_seconds);
        csv_num(t, e->predict_seconds);
        csv_num(t, e->tuning_seconds);
        tune_text_printf(t, ",%zu,%zu,%zu,%zu,", e->n_trials, e->n_complete, e->n_failed,
                         e->n_pruned);
        csv_text(t, e->trainer ? e->trainer : "");
        tune_text_put(t, "\n", 1);
    }
}

static void write_tests_csv(const struct tune_compare *c, struct tune_text *t)
{
    tune_text_printf(t, "study_a,study_b,same_folds,mean_difference,p_corrected_ttest,"
                        "p_wilcoxon\n");
    for (size_t i = 0; i < c->n_pairs; i++) {
        const struct tune_compare_pair *p = &c->pairs[i];
        csv_text(t, c->entries[p->a].study);
        tune_text_put(t, ",", 1);
        csv_text(t, c->entries[p->b].study);
        tune_text_printf(t, ",%d", p->same_folds);
        csv_num(t, p->mean_difference);
        csv_num(t, p->p_ttest);
        csv_num(t, p->p_wilcoxon);
        tune_text_put(t, "\n", 1);
    }
}

static int write_plot(const struct tune_compare *c, const struct tune_plot_opts *o,
                      struct tune_plot_log *log, struct tune_error *err)
{
    struct tune_text data = {0}, front = {0}, gp = {0};
    size_t total = 0;
    for (size_t i = 0; i < c->n; i++)
        total += c->entries[i].n_points;
    double *cost = malloc((total + 1) * sizeof *cost);
    double *qual = malloc((total + 1) * sizeof *qual);
    size_t *owner = malloc((total + 1) * sizeof *owner);
    size_t *idx = malloc((total + 1) * sizeof *idx);
    int rc = TUNE_OK;
    if (!cost || !qual || !owner || !idx) {
        rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
        goto done;
    }
    size_t m = 0;
    double clo = INFINITY, chi = -INFINITY;
    for (size_t i = 0; i < c->n; i++)
        for (size_t j = 0; j < c->entries[i].n_points; j++)
            qual[m++] = c->entries[i].quality[j];
    /* far worse trials (e.g. a constant model) are drawn at the edge, as in
     * the history, so that the good ones are not squeezed together */
    struct tune_obj_axis ax;
    tune_obj_axis_make(qual, m, c->maximize, 0, &ax);
    m = 0;
    size_t n_clipped = 0;
    tune_text_printf(&data, "# every complete trial, one gnuplot index per study in order: "
                            "cost_seconds_per_fold quality is_best drawn (the quality as "
                            "plotted: clipped to the axis)\n");
    for (size_t i = 0; i < c->n; i++) {
        const struct tune_compare_entry *e = &c->entries[i];
        tune_text_printf(&data, "%s# study %zu\n", i ? "\n\n" : "", i + 1);
        for (size_t j = 0; j < e->n_points; j++) {
            int is_best = j == e->best_point;
            tune_text_num(&data, e->cost[j]);
            tune_text_printf(&data, " ");
            tune_text_num(&data, e->quality[j]);
            double drawn = tune_obj_axis_draw(&ax, e->quality[j]);
            n_clipped += drawn != e->quality[j];
            tune_text_printf(&data, " %d ", is_best);
            tune_text_num(&data, drawn);
            tune_text_printf(&data, "\n");
            cost[m] = e->cost[j];
            qual[m] = e->quality[j];
            owner[m++] = i;
            if (e->cost[j] > 0) {
                clo = fmin(clo, e->cost[j]);
                chi = fmax(chi, e->cost[j]);
            }
        }
        if (e->n_points == 0)
            tune_text_printf(&data, "NaN NaN 0 NaN\n"); /* keep the index numbering */
    }
    size_t k = tune_pareto_front(cost, qual, m, c->maximize, idx);
    tune_text_printf(&front, "# Pareto front (cheapest first): cost_seconds_per_fold quality "
                             "study drawn\n");
    for (size_t i = 0; i < k; i++) {
        tune_text_num(&front, cost[idx[i]]);
        tune_text_printf(&front, " ");
        tune_text_num(&front, qual[idx[i]]);
        tune_text_printf(&front, " %zu ", owner[idx[i]] + 1);
        tune_text_num(&front, tune_obj_axis_draw(&ax, qual[idx[i]]));
        tune_text_printf(&front, "\n");
    }
    tune_plot_preamble(&gp, o, "compare", 0, 0);
    tune_text_printf(&gp, "set title 'Cost against quality of every complete trial' . \"\\n\" . "
                          "'Pareto front: no other trial is both cheaper and at least as good'\n");
    tune_text_printf(&gp, "set xlabel 'fit + predict seconds per fold (log scale)'\nset ylabel ");
    tune_plot_quote(&gp, c->metric, 40);
    tune_text_printf(&gp, " . ' (%s)'\n", c->maximize ? "higher is better" : "lower is better");
    if (chi >= clo) {
        tune_text_printf(&gp, "set logscale x\nset xrange [%.17g:%.17g]\n", clo / 1.6,
                         chi * 1.6);
        tune_plot_log_tics(&gp, "x", clo / 1.6, chi * 1.6);
    }
    size_t entries = 2 + (n_clipped > 0) + c->n;
    tune_text_printf(&gp, "set yrange [%.17g:%.17g]\n", ax.lo, ax.hi);
    tune_text_printf(&gp, "set key below horizontal maxcols 2\nset bmargin %.1f\n",
                     4.5 + 1.4 * (double)((entries + 1) / 2));
    const char *sep = "plot ";
    if (k) {
        tune_text_printf(&gp, "%s'compare_front.dat' using 1:4 with steps lw 2 dt 2 "
                              "lc rgb '#404040' title 'Pareto front'",
                         sep);
        sep = ", \\\n     ";
    }
    for (size_t i = 0; i < c->n; i++) {
        const struct tune_compare_entry *e = &c->entries[i];
        if (e->n_points == 0)
            continue;
        const char *col = tune_report_fold_color(i + 7); /* the darker half first */
        tune_text_printf(&gp, "%s'compare.dat' index %zu using 1:($2 == $4 ? $2 : NaN) with "
                              "points pt 7 ps 0.8 lc rgb '%s' title ",
                         sep, i, col);
        tune_plot_quote(&gp, e->study, 40);
        sep = ", \\\n     ";
        tune_text_printf(&gp, "%s'compare.dat' index %zu using 1:($2 != $4 ? $4 : NaN) with "
                              "points pt 11 ps 1 lc rgb '%s' notitle",
                         sep, i, col);
        if (e->best_point < e->n_points) {
            tune_text_printf(&gp, "%s'compare.dat' index %zu using 1:($3 == 1 ? $4 : NaN) with "
                                  "points pt 5 ps 2 lc rgb '%s' notitle",
                             sep, i, col);
        }
    }
    tune_text_printf(&gp, "%sNaN with points pt 5 ps 2 lc rgb '#404040' "
                          "title 'best trial of a study'",
                     sep);
    if (n_clipped)
        tune_text_printf(&gp, "%sNaN with points pt 11 ps 1 lc rgb '#404040' "
                              "title 'worse than shown (%zu)'",
                         sep, n_clipped);
    tune_text_printf(&gp, "\n");
    if (m == 0) {
        /* no complete trial anywhere: nothing to draw */
        goto done;
    }
    if ((rc = tune_text_save(&data, o->out_dir, "compare.dat", err)) ||
        (rc = tune_text_save(&front, o->out_dir, "compare_front.dat", err)))
        goto done;
    rc = tune_plot_finish(&gp, o, log, "compare",
                          "Cost against quality of every complete trial, best of each study as "
                          "a square, and the Pareto front",
                          err);
done:
    free(cost);
    free(qual);
    free(owner);
    free(idx);
    tune_text_release(&data);
    tune_text_release(&front);
    tune_text_release(&gp);
    return rc;
}

static void write_html(const struct tune_compare *c, const struct tune_plot_log *log,
                       struct tune_text *h)
{
    tune_html_begin(h, "tunefold compare");
    tune_text_printf(h, "<h1>Studies compared on ");
    tune_html_text(h, c->metric);
    tune_text_printf(h, " (%s)</h1>\n<table>\n<tr><th class=\"l\">study</th><th>best trial</th>"
                        "<th>",
                     c->maximize ? "higher is better" : "lower is better");
    tune_html_text(h, c->metric);
    tune_text_printf(h, " mean &plusmn; std</th><th>fit s / fold</th><th>predict s / fold</th>"
                        "<th>tuning s</th><th>trials</th><th>complete</th><th>failed</th>"
                        "<th>pruned</th><th class=\"l\">trainer</th></tr>\n");
    for (size_t i = 0; i < c->n; i++) {
        const struct tune_compare_entry *e = &c->entries[i];
        tune_text_printf(h, "<tr><td class=\"l\">");
        tune_html_text(h, e->study);
        tune_text_printf(h, "</td><td>");
        if (e->best_number >= 0)
            tune_text_printf(h, "%d", e->best_number);
        tune_text_printf(h, "</td><td>");
        tune_html_num(h, e->value);
        tune_text_printf(h, " &plusmn; ");
        tune_html_num(h, e->value_std);
        tune_text_printf(h, "</td><td>");
        tune_html_num(h, e->fit_seconds);
        tune_text_printf(h, "</td><td>");
        tune_html_num(h, e->predict_seconds);
        tune_text_printf(h, "</td><td>");
        tune_html_num(h, e->tuning_seconds);
        tune_text_printf(h, "</td><td>%zu</td><td>%zu</td><td>%zu</td><td>%zu</td>"
                            "<td class=\"l\">",
                         e->n_trials, e->n_complete, e->n_failed, e->n_pruned);
        tune_html_text(h, e->trainer ? e->trainer : "");
        tune_text_printf(h, "</td></tr>\n");
    }
    tune_text_printf(h, "</table>\n");
    if (c->n_pairs) {
        tune_text_printf(h, "<h2>Paired tests between the best trials</h2>\n<p class=\"note\">"
                            "On the per-fold scores, when two studies share data, seed and cv "
                            "(hence folds): the corrected resampled t-test (Nadeau &amp; Bengio "
                            "2003) and the Wilcoxon signed-rank test, two-sided.</p>\n<table>\n"
                            "<tr><th class=\"l\">study A</th><th class=\"l\">study B</th>"
                            "<th>mean A &minus; B</th><th>p (corrected t)</th>"
                            "<th>p (Wilcoxon)</th></tr>\n");
        for (size_t i = 0; i < c->n_pairs; i++) {
            const struct tune_compare_pair *p = &c->pairs[i];
            tune_text_printf(h, "<tr><td class=\"l\">");
            tune_html_text(h, c->entries[p->a].study);
            tune_text_printf(h, "</td><td class=\"l\">");
            tune_html_text(h, c->entries[p->b].study);
            if (!p->same_folds) {
                tune_text_printf(h, "</td><td colspan=\"3\" class=\"l\">different folds: no "
                                    "paired test</td></tr>\n");
                continue;
            }
            tune_text_printf(h, "</td><td>");
            tune_html_num(h, p->mean_difference);
            tune_text_printf(h, "</td><td>");
            tune_html_num(h, p->p_ttest);
            tune_text_printf(h, "</td><td>");
            tune_html_num(h, p->p_wilcoxon);
            tune_text_printf(h, "</td></tr>\n");
        }
        tune_text_printf(h, "</table>\n");
    }
    if (log->n_images) {
        tune_text_printf(h, "<div class=\"figs\">\n");
        for (size_t i = 0; i < log->n_images; i++)
            tune_html_figure(h, log->images[i], log->captions[i]);
        tune_text_printf(h, "</div>\n");
    }
    if (log->gnuplot_missing)
        tune_text_printf(h, "<p class=\"note\">The pictures are not drawn yet: gnuplot was not "
                            "found. Run <code>for f in *.gp; do gnuplot \"$f\"; done</code> in "
                            "this folder once it is installed.</p>\n");
    tune_text_printf(h, "<p class=\"note\">compare.csv and compare_tests.csv hold these "
                        "tables; compare.dat, compare_front.dat and compare.gp the cost-quality "
                        "picture, edf.dat and edf.gp the distributions.</p>\n");
    tune_html_end(h);
}

int tune_compare_write(const struct tune_compare *c, const struct tune_plot_opts *o,
                       struct tune_plot_log *log, struct tune_error *err)
{
    struct tune_text csv = {0}, tests = {0}, html = {0};
    int rc = tune_report_mkdir(o->out_dir, err);
    if (!rc)
        rc = write_plot(c, o, log, err);
    if (!rc)
        rc = tune_compare_edf(c, o, log, err);
    if (!rc) {
        write_csv(c, &csv);
        write_tests_csv(c, &tests);
        write_html(c, log, &html);
        if (!(rc = tune_text_save(&csv, o->out_dir, "compare.csv", err)) &&
            !(rc = tune_text_save(&tests, o->out_dir, "compare_tests.csv", err)))
            rc = tune_text_save(&html, o->out_dir, "compare.html", err);
    }
    tune_text_release(&csv);
    tune_text_release(&tests);
    tune_text_release(&html);
    return rc;
}
