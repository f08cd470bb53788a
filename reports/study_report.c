/* SPDX-License-Identifier: GPL-3.0-or-later */
/* study_report.c — `tunefold report`: every picture of one stored study and
 * the page that shows them with the tables.
 *
 * Reads only the store: the trials (the best one with per-fold metrics), the complete
 * trials' intermediate values, the best trial's out-of-fold predictions
 * ("oof.csv") and feature importances ("importances.csv", when its trainer
 * gives them).  Nothing is retrained.
 * Writes, into the output folder: the pictures (each with its .dat and .gp),
 * trials.csv (every trial), best_folds.csv (every metric of the best trial on
 * every fold) and index.html, which links the pictures by relative file name
 * and carries no script or remote resource, so the folder reads offline. */
#include "plot.h"
#include "reports/search.h"
#include "tunefold/study.h"

#include <cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A CSV field, quoted when it must be. */
static void csv_field(struct tune_text *t, const char *s)
{
    if (!s)
        return;
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
    if (!isnan(v))
        tune_text_printf(t, "%.17g", v);
}

static const char *origin_name(const struct tune_trial *t)
{
    return t->origin == TUNE_ORIGIN_MANUAL ? "evaluate" : "search";
}

static int write_trials_csv(const struct tune_trial *tr, size_t n, const char *dir,
                            struct tune_error *err)
{
    struct tune_text t = {0};
    tune_text_printf(&t, "number,state,origin,value,value_std,fit_seconds,predict_seconds,"
                         "seconds,params,error\n");
    for (size_t i = 0; i < n; i++) {
        tune_text_printf(&t, "%d,%s,%s,", tr[i].number, tune_trial_state_name(tr[i].state),
                         origin_name(&tr[i]));
        csv_num(&t, tr[i].value);
        tune_text_put(&t, ",", 1);
        csv_num(&t, tr[i].value_std);
        tune_text_put(&t, ",", 1);
        csv_num(&t, tr[i].fit_seconds);
        tune_text_put(&t, ",", 1);
        csv_num(&t, tr[i].predict_seconds);
        tune_text_put(&t, ",", 1);
        csv_num(&t, tr[i].t_end - tr[i].t_start);
        tune_text_put(&t, ",", 1);
        csv_field(&t, tr[i].params_json ? tr[i].params_json : "");
        tune_text_put(&t, ",", 1);
        csv_field(&t, tr[i].error ? tr[i].error : "");
        tune_text_put(&t, "\n", 1);
    }
    int rc = tune_text_save(&t, dir, "trials.csv", err);
    tune_text_release(&t);
    return rc;
}

static size_t max_folds(const struct tune_trial *b)
{
    size_t k = 0;
    for (size_t m = 0; m < b->n_metrics; m++)
        k = b->metrics[m].n_folds > k ? b->metrics[m].n_folds : k;
    return k;
}

static int write_folds_csv(const struct tune_trial *b, const char *dir, struct tune_error *err)
{
    struct tune_text t = {0};
    size_t k = max_folds(b);
    tune_text_printf(&t, "metric");
    for (size_t f = 0; f < k; f++)
        tune_text_printf(&t, ",fold_%zu", f + 1);
    tune_text_printf(&t, ",mean,std\n");
    for (size_t m = 0; m < b->n_metrics; m++) {
        const struct tune_metric_summary *s = &b->metrics[m];
        csv_field(&t, s->name);
        for (size_t f = 0; f < k; f++) {
            tune_text_put(&t, ",", 1);
            if (f < s->n_folds)
                csv_num(&t, s->folds[f]);
        }
        tune_text_put(&t, ",", 1);
        csv_num(&t, s->mean);
        tune_text_put(&t, ",", 1);
        csv_num(&t, s->std);
        tune_text_put(&t, "\n", 1);
    }
    int rc = tune_text_save(&t, dir, "best_folds.csv", err);
    tune_text_release(&t);
    return rc;
}

/* A string member of the stored config ("task", "trainer.name"...), or NULL. */
static const char *cfg_str(const cJSON *cfg, const char *a, const char *b)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(cfg, a);
    if (b)
        x = cJSON_GetObjectItemCaseSensitive(x, b);
    return cJSON_IsString(x) ? x->valuestring : NULL;
}

/* A score-mode study: an external program that scores itself (no data, no
 * folds, no predictions). */
static int score_mode(const cJSON *cfg)
{
    const char *mode = cfg_str(cfg, "trainer", "mode");
    return mode && strcmp(mode, "score") == 0;
}

/* An integer member of the stored config ("cv.repeats"), or 0. */
static int cfg_int(const cJSON *cfg, const char *a, const char *b)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(cfg, a), b);
    return cJSON_IsNumber(x) && x->valuedouble >= 0 && x->valuedouble < 1e6 ? (int)x->valuedouble
                                                                             : 0;
}

/* A complete trial's rank key: larger is better whatever the direction. */
struct ranked {
    double key;
    int number;
    size_t index;
};

static int by_key(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? 1 : -1;
    return (x->number > y->number) - (x->number < y->number);
}

/* The section a picture of the search belongs in: 0 the search, 1 which
 * hyperparameters matter, 2 the workers. */
static int figure_section(const char *image)
{
    if (strncmp(image, "param_importance.", 17) == 0 || strncmp(image, "contour_", 8) == 0)
        return 1;
    return strncmp(image, "timeline.", 9) == 0 ? 2 : 0;
}

/* The pictures of the search in their sections, an SVG twin (hover text)
 * in place of its PNG where there is one. */
static void search_figures(struct tune_text *h, const struct tune_plot_log *log, size_t first,
                           const struct tune_plot_opts *o)
{
    static const char *const titles[] = {"The search", "Which hyperparameters matter",
                                         "What the workers did"};
    for (int sec = 0; sec < 3; sec++) {
        size_t shown = 0;
        for (size_t i = first; i < log->n_images; i++) {
            if (figure_section(log->images[i]) != sec)
                continue;
            if (shown++ == 0)
                tune_text_printf(h, "<h2>%s</h2>\n<div class=\"figs\">\n", titles[sec]);
            char svg[600];
            if (tune_report_has_svg_twin(o, log->images[i], svg, sizeof svg))
                tune_html_figure_svg(h, svg,
                                     o->format == TUNE_IMAGE_SVG ? NULL : log->images[i],
                                     log->captions[i]);
            else
                tune_html_figure(h, log->images[i], log->captions[i]);
        }
        if (shown)
            tune_text_printf(h, "</div>\n");
    }
}

/* The page. */
static void html_page(struct tune_text *h, const struct tune_study_info *info, const cJSON *cfg,
                      const struct tune_trial *tr, size_t n, const struct tune_trial *best,
                      const struct tune_plot_log *log, size_t first_search_image,
                      const char *oof_note, const char *stop_reason,
                      const struct tune_pruning_savings *saved,
                      const struct tune_step_ranking *ranking,
                      const struct tune_plot_opts *o, const struct tune_search_report *sr)
{
    size_t counts[4] = {0};
    double t0 = INFINITY, t1 = -INFINITY, busy = 0;
    for (size_t i = 0; i < n; i++) {
        counts[tr[i].state]++;
        if (isfinite(tr[i].t_start))
            t0 = fmin(t0, tr[i].t_start);
        if (isfinite(tr[i].t_end)) {
            t1 = fmax(t1, tr[i].t_end);
            busy += tr[i].t_end - tr[i].t_start;
        }
    }
    char title[300];
    snprintf(title, sizeof title, "tunefold report: %s", info->name);
    tune_html_begin(h, title);
    tune_text_printf(h, "<h1>Study ");
    tune_html_text(h, info->name);
    tune_text_printf(h, "</h1>\n<p>");
    const char *task = cfg_str(cfg, "task", NULL), *trainer = cfg_str(cfg, "trainer", "name");
    const char *data = cfg_str(cfg, "data", "path");
    int score = score_mode(cfg);
    if (score) {
        /* no task, data or folds: the program is the whole evaluation */
        tune_text_printf(h, "Score mode: the program <code>");
        const cJSON *arg;
        size_t i = 0;
        cJSON_ArrayForEach(arg, cJSON_GetObjectItemCaseSensitive(
                                    cJSON_GetObjectItemCaseSensitive(cfg, "trainer"), "exec")) {
            tune_text_printf(h, "%s", i++ ? " " : "");
            tune_html_text(h, cJSON_IsString(arg) ? arg->valuestring : "?");
        }
        tune_text_printf(h, "</code> scores itself, once per trial. Objective <b>");
    } else {
        tune_text_printf(h, "Task <b>");
        tune_html_text(h, task ? task : "?");
        tune_text_printf(h, "</b>, trainer <b>");
        tune_html_text(h, trainer ? trainer : "external program");
        tune_text_printf(h, "</b>, data <code>");
        tune_html_text(h, data ? data : "?");
        tune_text_printf(h, "</code>. Objective <b>");
    }
    tune_html_text(h, info->metric);
    tune_text_printf(h, "</b> (%s).<br>\nTrials: %zu (%zu complete, %zu failed, %zu pruned, %zu "
                        "running).",
                     info->maximize ? "maximize" : "minimize", n, counts[TUNE_TRIAL_COMPLETE],
                     counts[TUNE_TRIAL_FAILED], counts[TUNE_TRIAL_PRUNED],
                     counts[TUNE_TRIAL_RUNNING]);
    if (t1 > t0)
        tune_text_printf(h, " Tuning took %.1f s from the first trial's start to the last one's "
                            "end (%.1f s of trial time).",
                         t1 - t0, busy);
    tune_text_printf(h, "</p>\n");
    /* early stopping: the compute it saved */
    if (saved->strategy[0] && saved->trials > 0 && saved->full > 0) {
        const char *unit = saved->folds_unit ? "fold fits" : "steps";
        tune_text_printf(h, "<p>Early stopping (<b>");
        tune_html_text(h, saved->strategy);
        tune_text_printf(h, "</b>): %zu of %zu finished trials pruned; they ran %.0f of the "
                            "%.0f %s that full runs would take",
                         saved->pruned, saved->trials, saved->run, saved->full, unit);
        if (saved->folds_unit)
            tune_text_printf(h, " (%zu folds each)", saved->folds);
        else
            tune_text_printf(h, " (%zu folds of %zu steps each)", saved->folds, saved->steps);
        tune_text_printf(h, ": %.0f%% saved.</p>\n",
                         100.0 * (saved->full - saved->run) / saved->full);
    }
    /* where a pruner's rungs would rank by noise */
    if (ranking->n) {
        tune_text_printf(h, "<p>How well a step ranks the end (Spearman's rho between the "
                            "complete trials' values at a step and their objectives; 1: the "
                            "same order, near 0: none):");
        for (size_t i = 0; i < ranking->n; i++)
            tune_text_printf(h, "%s step %zu: %.2f", i ? "," : "", ranking->step[i],
                             ranking->rho[i]);
        tune_text_printf(h, " (%zu trials at step %zu). A pruner's rung where rho is low "
                            "stops trials by noise.</p>\n",
                         ranking->trials[0], ranking->step[0]);
    }
    if (log->gnuplot_missing)
        tune_text_printf(h, "<p class=\"note\">The pictures are not drawn yet: gnuplot was not "
                            "found. Install it and run <code>for f in *.gp; do gnuplot "
                            "\"$f\"; done</code> in this folder.</p>\n");
    tune_text_printf(h, "<!--toc-->\n"); /* the table of contents (tune_html_toc) */
    tune_report_settings_html(h, info->config_json, stop_reason);

    if (best) {
        tune_text_printf(h, "<h2>Best trial: #%d</h2>\n<table>\n<tr><th class=\"l\">", best->number);
        tune_html_text(h, info->metric);
        tune_text_printf(h, "</th><td>");
        tune_html_num(h, best->value);
        tune_text_printf(h, " &plusmn; ");
        tune_html_num(h, best->value_std);
        tune_text_printf(h, "</td></tr>\n");
        cJSON *params = best->params_json ? cJSON_Parse(best->params_json) : NULL;
        const cJSON *p;
        cJSON_ArrayForEach(p, params) {
            tune_text_printf(h, "<tr><th class=\"l\">");
            tune_html_text(h, p->string);
            tune_text_printf(h, "</th><td class=\"l\">");
            if (cJSON_IsNumber(p)) {
                tune_html_num(h, p->valuedouble);
            } else {
                char *v = cJSON_PrintUnformatted(p);
                tune_html_text(h, v ? v : "?");
                free(v);
            }
            tune_text_printf(h, "</td></tr>\n");
        }
        cJSON_Delete(params);
        tune_text_printf(h, "<tr><th class=\"l\">%s</th><td>",
                         score ? "seconds of the run" : "fit seconds per fold");
        tune_html_num(h, best->fit_seconds);
        if (!score) {
            tune_text_printf(h, "</td></tr>\n<tr><th class=\"l\">predict seconds per fold</th>"
                                "<td>");
            tune_html_num(h, best->predict_seconds);
        }
        tune_text_printf(h, "</td></tr>\n</table>\n");
    } else {
        tune_text_printf(h, "<h2>No trial completed</h2>\n<p>See the failures below and "
                            "<code>trials.csv</code>.</p>\n");
    }
    if (oof_note)
        tune_text_printf(h, "<p class=\"note\">%s</p>\n", oof_note);
    /* Five or more complete trials that all score the same: the parameters
     * probably never reached the program (or change nothing). */
    size_t n_complete = 0, n_same = 0;
    for (size_t i = 0; i < n && best; i++)
        if (tr[i].state == TUNE_TRIAL_COMPLETE && !isnan(tr[i].value)) {
            n_complete++;
            n_same += tr[i].value == best->value;
        }
    if (n_complete >= 5 && n_same == n_complete) {
        tune_text_printf(h, "<p class=\"note\">Warning: all %zu complete trials have the same ",
                         n_complete);
        tune_html_text(h, info->metric);
        tune_text_printf(h, " (");
        tune_html_num(h, best->value);
        tune_text_printf(h, "): the parameters may not reach the program (for an external "
                            "trainer, check how <code>exec</code> passes them) or may not "
                            "matter.</p>\n");
    }

    /* pictures: those of the best trial, then those of the search */
    if (first_search_image > 0) {
        tune_text_printf(h, "<h2>%s</h2>\n<div class=\"figs\">\n",
                         task && strcmp(task, "clustering") == 0
                             ? "Clusters of the best trial (its validation folds)"
                             : "Out-of-fold predictions of the best trial");
        for (size_t i = 0; i < first_search_image; i++)
            tune_html_figure(h, log->images[i], log->captions[i]);
        tune_text_printf(h, "</div>\n");
    }
    search_figures(h, log, first_search_image, o);

    if (best && best->n_metrics && score) {
        /* one run: one value per metric */
        tune_text_printf(h, "<h2>Every metric the best trial reported</h2>\n<table>\n"
                            "<tr><th class=\"l\">metric</th><th>value</th></tr>\n");
        for (size_t m = 0; m < best->n_metrics; m++) {
            tune_text_printf(h, "<tr><td class=\"l\">");
            tune_html_text(h, best->metrics[m].name);
            tune_text_printf(h, "</td><td>");
            tune_html_num(h, best->metrics[m].mean);
            tune_text_printf(h, "</td></tr>\n");
        }
        tune_text_printf(h, "</table>\n");
    } else if (best && best->n_metrics) {
        size_t k = max_folds(best);
        tune_text_printf(h, "<h2>Every metric of the best trial on every fold</h2>\n<table>\n"
                            "<tr><th class=\"l\">metric</th>");
        for (size_t f = 0; f < k; f++)
            tune_text_printf(h, "<th>fold %zu</th>", f + 1);
        tune_text_printf(h, "<th>mean</th><th>std</th></tr>\n");
        for (size_t m = 0; m < best->n_metrics; m++) {
            const struct tune_metric_summary *s = &best->metrics[m];
            tune_text_printf(h, "<tr><td class=\"l\">");
            tune_html_text(h, s->name);
            tune_text_printf(h, "</td>");
            for (size_t f = 0; f < k; f++) {
                tune_text_printf(h, "<td>");
                tune_html_num(h, f < s->n_folds ? s->folds[f] : NAN);
                tune_text_printf(h, "</td>");
            }
            tune_text_printf(h, "<td>");
            tune_html_num(h, s->mean);
            tune_text_printf(h, "</td><td>");
            tune_html_num(h, s->std);
            tune_text_printf(h, "</td></tr>\n");
        }
        tune_text_printf(h, "</table>\n");
    }

    /* several trainers, several objectives, constraints (reports/search.c) */
    tune_report_search_html(h, info, sr);

    struct ranked *idx = malloc((n + 1) * sizeof *idx);
    size_t m = 0;
    for (size_t i = 0; idx && i < n; i++)
        if (tr[i].state == TUNE_TRIAL_COMPLETE && !isnan(tr[i].value))
            idx[m++] = (struct ranked){info->maximize ? tr[i].value : -tr[i].value,
                                       tr[i].number, i};
    if (idx && m) {
        qsort(idx, m, sizeof *idx, by_key);
        size_t top = m < 10 ? m : 10;
        tune_text_printf(h, "<h2>Top %zu trials</h2>\n<table>\n<tr><th>rank</th><th>trial</th>"
                            "<th>",
                         top);
        tune_html_text(h, info->metric);
        if (score)
            tune_text_printf(h, "</th><th>run s</th><th class=\"l\">params</th></tr>\n");
        else
            tune_text_printf(h, "</th><th>std</th><th>fit s / fold</th><th>predict s / fold</th>"
                                "<th>trial s</th><th class=\"l\">params</th></tr>\n");
        for (size_t r = 0; r < top; r++) {
            const struct tune_trial *t = &tr[idx[r].index];
            tune_text_printf(h, "<tr><td>%zu</td><td>%d%s</td><td>", r + 1, t->number,
                             t->origin == TUNE_ORIGIN_MANUAL ? " (evaluate)" : "");
            tune_html_num(h, t->value);
            tune_text_printf(h, "</td><td>");
            if (!score) {
                tune_html_num(h, t->value_std);
                tune_text_printf(h, "</td><td>");
                tune_html_num(h, t->fit_seconds);
                tune_text_printf(h, "</td><td>");
                tune_html_num(h, t->predict_seconds);
                tune_text_printf(h, "</td><td>");
            }
            tune_html_num(h, t->t_end - t->t_start);
            tune_text_printf(h, "</td><td class=\"l\"><code>");
            tune_html_text(h, t->params_json ? t->params_json : "{}");
            tune_text_printf(h, "</code></td></tr>\n");
        }
        tune_text_printf(h, "</table>\n");
    }
    free(idx);

    if (counts[TUNE_TRIAL_FAILED]) {
        tune_text_printf(h, "<h2>Failed trials</h2>\n<table>\n<tr><th>trial</th>"
                            "<th class=\"l\">params</th><th class=\"l\">error</th></tr>\n");
        size_t shown = 0;
        for (size_t i = 0; i < n && shown < 30; i++) {
            if (tr[i].state != TUNE_TRIAL_FAILED)
                continue;
            shown++;
            tune_text_printf(h, "<tr><td>%d</td><td class=\"l\"><code>", tr[i].number);
            tune_html_text(h, tr[i].params_json ? tr[i].params_json : "");
            tune_text_printf(h, "</code></td><td class=\"l\">");
            tune_html_text(h, tr[i].error ? tr[i].error : "");
            tune_text_printf(h, "</td></tr>\n");
        }
        tune_text_printf(h, "</table>\n");
        if (counts[TUNE_TRIAL_FAILED] > shown)
            tune_text_printf(h, "<p class=\"note\">%zu more in trials.csv.</p>\n",
                             counts[TUNE_TRIAL_FAILED] - shown);
    }
    tune_text_printf(h, "<h2>Files</h2>\n<p class=\"note\">Beside every picture are its data "
                        "(<code>NAME.dat</code>, numbers only, columns named on top) and its "
                        "gnuplot script (<code>NAME.gp</code>): edit the script and run "
                        "<code>gnuplot NAME.gp</code> in this folder to restyle it. "
                        "<code>trials.csv</code> lists every trial; <code>best_folds.csv</code> "
                        "every metric of the best trial%s. Pictures are %s.</p>\n",
                     score ? "" : " on every fold", o->format == TUNE_IMAGE_SVG ? "SVG" : "PNG");
    tune_html_end(h);
}

int tune_report_study(struct tune_store *store, const struct tune_study_info *info,
                      const struct tune_plot_opts *o, struct tune_plot_log *log,
                      struct tune_error *err)
{
    struct tune_trial *trials = NULL, best = {0};
    size_t n = 0;
    struct tune_oof oof = {0};
    void *blob = NULL;
    size_t blob_len = 0;
    struct tune_text page = {0};
    struct tune_param_importance importance = {0};
    struct tune_error ignored = {0};
    char *stop_reason = NULL;
    struct tune_search_report search = {0};
    const char *oof_note = NULL;
    int have_best = 0, rc;
    cJSON *cfg = info->config_json ? cJSON_Parse(info->config_json) : NULL;
    if ((rc = tune_report_mkdir(o->out_dir, err)))
        goto done;
    /* every trial without its metrics (the page shows the best trial's,
     * read with it): a long study is read in one pass of light rows */
    if ((rc = tune_store_trial_page(store, info->id, 0, SIZE_MAX, 0, &trials, &n, err)))
        goto done;
    rc = tune_store_trial_best(store, info->id, &best, err);
    if (rc && rc != TUNE_ENOTFOUND)
        goto done;
    have_best = rc == TUNE_OK;
    rc = TUNE_OK;
    if (have_best) {
        char title[300], oof_title[300];
        snprintf(title, sizeof title, "study %s, best trial %d", info->name, best.number);
        /* With repeats every row is validated once per repeat and oof.csv
         * keeps the last repeat: the pictures drawn from it say so (the
         * name is cut so that the note survives the title's 90 characters). */
        int repeats = cfg_int(cfg, "cv", "repeats");
        if (repeats > 1)
            snprintf(oof_title, sizeof oof_title, "study %.45s, best trial %d, last of %d repeats",
                     info->name, best.number, repeats);
        else
            snprintf(oof_title, sizeof oof_title, "%s", title);
        const char *task_name = cfg_str(cfg, "task", NULL);
        enum tune_task task = task_name ? tune_task_parse(task_name) : 0;
        /* a score-mode program scores itself: no predictions to expect */
        int lrc = score_mode(cfg) ? TUNE_ENOTFOUND
                                  : tune_store_artifact_load(store, info->id, best.number,
                                                               "oof.csv", &blob, &blob_len, err);
        if (lrc == TUNE_ENOTFOUND) {
            if (!score_mode(cfg))
                oof_note = task == TUNE_TASK_CLUSTERING
                               ? "The best trial has no stored out-of-fold cluster ids (oof.csv), "
                                 "so there are no cluster pictures."
                           : task == TUNE_TASK_REGRESSION
                               ? "The best trial has no stored out-of-fold predictions (oof.csv), "
                                 "so there is no predicted-against-true picture."
                               : "The best trial has no stored out-of-fold predictions (oof.csv), "
                                 "so there are no ROC, precision-recall or confusion pictures.";
        } else if (lrc) {
            rc = lrc;
            goto done;
        } else if ((rc = tune_oof_parse(blob, blob_len, task, &oof, err))) {
            tune_error_prefix(err, "study '%s', trial %d", info->name, best.number);
            goto done;
        } else if (task == TUNE_TASK_BINARY || task == TUNE_TASK_MULTICLASS) {
            if (oof.proba) {
                if ((rc = tune_report_roc(&oof, oof_title, o, log, err)) ||
                    (rc = tune_report_pr(&oof, oof_title, o, log, err)))
                    goto done;
            } else {
                oof_note = "The best trial's predictions carry no probabilities: no ROC or "
                           "precision-recall curves.";
            }
            if ((rc = tune_report_confusion(&oof, oof_title, o, log, err)))
                goto done;
        } else if (task == TUNE_TASK_REGRESSION) {
            if ((rc = tune_report_predictions(&oof, oof_title, o, log, err)))
                goto done;
        } else if (task == TUNE_TASK_CLUSTERING) {
            /* the clusters need the rows themselves, stored beside oof.csv */
            free(blob);
            blob = NULL;
            lrc = tune_store_artifact_load(store, info->id, best.number, "oof_features.csv",
                                             &blob, &blob_len, err);
            if (lrc == TUNE_ENOTFOUND) {
                oof_note = "The best trial stored no validated rows (oof_features.csv: studies "
                           "run before tunefold kept them), so there are no pictures of its "
                           "clusters; run the study again under a new name to draw them.";
            } else if (lrc) {
                rc = lrc;
                goto done;
            } else if ((rc = tune_report_clusters(&oof, blob, blob_len, oof_title, o, log,
                                                  err))) {
                tune_error_prefix(err, "study '%s', trial %d", info->name, best.number);
                goto done;
            }
        }
        free(blob);
        blob = NULL;
        lrc = tune_store_artifact_load(store, info->id, best.number, "importances.csv", &blob,
                                         &blob_len, err);
        if (lrc == TUNE_OK) {
            if ((rc = tune_report_importances(blob, blob_len, title, o, log, err)))
                goto done;
        } else if (lrc != TUNE_ENOTFOUND) {
            rc = lrc;
            goto done;
        }
    }
    size_t first_search_image = log->n_images;
    if ((rc = tune_report_history(info, trials, n, o, log, err)) ||
        (rc = tune_report_clusters_k(info, trials, n, o, log, err)) ||
        (rc = tune_report_intermediate(store, info, trials, n, have_best ? best.number : -1, o,
                                       log, err)) ||
        (rc = tune_report_params(info, trials, n, o, log, NULL, err)) ||
        (rc = tune_report_param_importance(info, trials, n, o, log, &importance, err)) ||
        (rc = tune_report_parallel(info, trials, n, &importance, o, log, err)) ||
        (rc = tune_report_timeline(info, trials, n, o, log, err)) ||
        (rc = tune_report_search(store, info, trials, n, o, log, &search, err)))
        goto done;
    if ((rc = write_trials_csv(trials, n, o->out_dir, err)))
        goto done;
    if (have_best && (rc = write_folds_csv(&best, o->out_dir, err)))
        goto done;
    struct tune_pruning_savings saved;
    struct tune_step_ranking ranking;
    if ((rc = tune_report_pruning_savings(store, info, trials, n, &saved, err)) ||
        (rc = tune_report_step_ranking(store, info, trials, n, &ranking, err)))
        goto done;
    /* why the run stopped, when it said (the study attribute "stop_reason") */
    if (tune_store_study_get_attr(store, info->id, "stop_reason", &stop_reason, &ignored) !=
        TUNE_OK)
        stop_reason = NULL;
    html_page(&page, info, cfg, trials, n, have_best ? &best : NULL, log, first_search_image,
              oof_note, stop_reason, &saved, &ranking, o, &search);
    tune_html_toc(&page);
    if ((rc = tune_text_save(&page, o->out_dir, "index.html", err)))
        goto done;
    if (!have_best)
        rc = tune_error_set(err, TUNE_ENOTFOUND, "study '%s' has no complete trial", info->name);
done:
    free(stop_reason);
    tune_param_importance_release(&importance);
    tune_text_release(&page);
    tune_report_search_release(&search);
    free(blob);
    tune_oof_release(&oof);
    tune_trial_release(&best);
    tune_trials_free(trials, n);
    cJSON_Delete(cfg);
    return rc;
}
