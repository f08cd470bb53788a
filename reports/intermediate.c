/* SPDX-License-Identifier: GPL-3.0-or-later */
/* intermediate.c — the intermediate values of a study's complete trials
 * (Optuna's plot_intermediate_values): one line per trial, the value an
 * iterative trainer reported (its own loss: a boosting round's validation
 * loss, a forest's out-of-bag error every 10 trees, an epoch's loss, an
 * external program's {"step", "value"} lines) against the step.
 *
 * A trial's line is, at each step, the mean over the folds that reported
 * that step: folds can stop at different steps (early stopping, a step
 * missing from one fold), so a step's mean is over fewer folds there, and
 * the data file says how many.  Values that are not finite are left out
 * before the mean; a trial left with none is not drawn.
 *
 * COMPLETE trials are drawn thin and grey, at most MAX_OTHERS of them, the
 * best-ranked by the study's objective, so a study of thousands of trials
 * stays a picture, not a smudge; the study's best trial last, thick and
 * coloured.  PRUNED trials (early stopping) are drawn too, thin and pale
 * purple, at most MAX_PRUNED of them (the last pruned, by number), each
 * with a cross where the pruner stopped it: at its pruned_at step when the
 * pruner judged steps, else at its last point (the folds strategy stops
 * between folds).  Failed and running trials are not drawn.
 *
 * tune_report_pruning_savings (below) counts what early stopping saved:
 * the steps (or, for the folds strategy, the fold fits) the finished
 * trials ran against what full runs would have taken, and
 * tune_report_step_ranking how well a step's values rank the ends.
 *
 * Invariant: nothing is drawn, and no file written, when no complete or
 * pruned trial has a finite intermediate value. */
#include "plot.h"
#include "tunefold/stats.h"

#include <cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_OTHERS 50
#define MAX_PRUNED 50

/* A complete trial's rank: larger key is better whatever the direction;
 * ties by number, so the first of equal trials ranks first (as
 * tune_store_trial_best picks it). */
struct ranked {
    double key;
    int number;
};

static int by_rank(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? 1 : -1;
    return (x->number > y->number) - (x->number < y->number);
}

static int by_step_then_fold(const void *a, const void *b)
{
    const struct tune_intermediate *x = a, *y = b;
    if (x->step != y->step)
        return x->step < y->step ? -1 : 1;
    return (x->fold > y->fold) - (x->fold < y->fold);
}

/* What the drawn lines span, for the axes. */
struct extent {
    size_t step_lo, step_hi;
    double y_lo, y_hi;       /* of the means */
    size_t max_points;       /* most steps on one line */
};

/* Drop the non-finite values of v (n of them), sort the rest by step and
 * append one data line per step to `out`: number, step, mean, folds.
 * Returns how many steps were written (0: none finite).  With `stop` (may
 * be NULL), the point drawn at step stop_at, else the last one, goes to
 * *stop_step / *stop_mean. */
static size_t write_trial(struct tune_text *out, int number, struct tune_intermediate *v,
                          size_t n, struct extent *ex, int64_t stop_at, size_t *stop_step,
                          double *stop_mean)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i].value))
            v[m++] = v[i];
    qsort(v, m, sizeof *v, by_step_then_fold);
    size_t points = 0;
    for (size_t i = 0; i < m;) {
        size_t j = i;
        double sum = 0;
        /* the store keeps one value per (fold, step): a group is the folds */
        for (; j < m && v[j].step == v[i].step; j++)
            sum += v[j].value;
        double mean = sum / (double)(j - i);
        if (stop_step && (points == 0 || stop_at < 0 || (int64_t)v[i].step <= stop_at)) {
            *stop_step = v[i].step;
            *stop_mean = mean;
        }
        tune_text_printf(out, "%d %zu ", number, v[i].step);
        tune_text_num(out, mean);
        tune_text_printf(out, " %zu\n", j - i);
        ex->step_lo = v[i].step < ex->step_lo ? v[i].step : ex->step_lo;
        ex->step_hi = v[i].step > ex->step_hi ? v[i].step : ex->step_hi;
        ex->y_lo = fmin(ex->y_lo, mean);
        ex->y_hi = fmax(ex->y_hi, mean);
        points++;
        i = j;
    }
    if (points) /* two blank lines: the next trial is the next gnuplot index */
        tune_text_printf(out, "\n\n");
    ex->max_points = points > ex->max_points ? points : ex->max_points;
    return points;
}

/* What the values are and what a step is, from the stored study config:
 * what each iterative trainer reports (trainers/boosting.c, forest.c,
 * mlp.c: the validation fold's loss, or the forest's out-of-bag error when
 * oob_score is on); an external program's values are whatever it printed.
 * Unknown: "intermediate value" per "step". */
struct quantity {
    const char *y, *x;
};

static struct quantity quantity_of(const char *config_json)
{
    struct quantity q = {"intermediate value", "step"};
    cJSON *cfg = config_json ? cJSON_Parse(config_json) : NULL;
    const cJSON *tr = cJSON_GetObjectItemCaseSensitive(cfg, "trainer");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(tr, "name");
    const cJSON *task = cJSON_GetObjectItemCaseSensitive(cfg, "task");
    int reg = cJSON_IsString(task) && strcmp(task->valuestring, "regression") == 0;
    const char *loss = reg ? "validation mean squared error" : "validation log-loss";
    if (cJSON_GetObjectItemCaseSensitive(tr, "exec")) {
        q.y = "reported value";
    } else if (!cJSON_IsString(name)) {
        /* no trainer known: keep the neutral words */
    } else if (strcmp(name->valuestring, "boosting") == 0) {
        q = (struct quantity){loss, "boosting round"};
    } else if (strcmp(name->valuestring, "mlp") == 0) {
        q = (struct quantity){loss, "epoch"};
    } else if (strcmp(name->valuestring, "forest") == 0) {
        const cJSON *oob = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(tr, "params"), "oob_score");
        int fixed = cJSON_IsTrue(oob) || (cJSON_IsNumber(oob) && oob->valuedouble != 0);
        int searched = cJSON_GetObjectItemCaseSensitive(
                           cJSON_GetObjectItemCaseSensitive(cfg, "space"), "oob_score") != NULL;
        q.x = "trees";
        if (searched)
            q.y = reg ? "out-of-bag or validation mean squared error" /* per trial */
                      : "out-of-bag error or validation log-loss";
        else if (fixed)
            q.y = reg ? "out-of-bag mean squared error" : "out-of-bag error (1 - accuracy)";
        else
            q.y = loss;
    }
    cJSON_Delete(cfg);
    return q;
}

/* The study's pruning strategy from its stored config, or NULL. */
static char *pruning_strategy(const char *config_json)
{
    cJSON *cfg = config_json ? cJSON_Parse(config_json) : NULL;
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(cfg, "pruning"), "strategy");
    char *name = cJSON_IsString(st) ? strdup(st->valuestring) : NULL;
    cJSON_Delete(cfg);
    return name;
}

int tune_report_intermediate(struct tune_store *store, const struct tune_study_info *info,
                             const struct tune_trial *trials, size_t n, int best_number,
                             const struct tune_plot_opts *o, struct tune_plot_log *log,
                             struct tune_error *err)
{
    struct ranked *rank = malloc((n + 1) * sizeof *rank);
    char *strategy = pruning_strategy(info->config_json);
    if (!rank) {
        free(strategy);
        return tune_error_set(err, TUNE_ENOMEM, "out of memory for the intermediate values");
    }
    /* the folds strategy stops between folds, not at a step */
    int by_step = !strategy || strcmp(strategy, "folds") != 0;
    size_t n_complete = 0, n_pruned_all = 0;
    double best_value = NAN;
    for (size_t i = 0; i < n; i++) {
        const struct tune_trial *t = &trials[i];
        n_pruned_all += t->state == TUNE_TRIAL_PRUNED;
        if (t->state != TUNE_TRIAL_COMPLETE)
            continue;
        /* a complete trial without a finite objective ranks last */
        double key = isfinite(t->value) ? (info->maximize ? t->value : -t->value) : -INFINITY;
        rank[n_complete++] = (struct ranked){key, t->number};
        if (t->number == best_number)
            best_value = t->value;
    }
    qsort(rank, n_complete, sizeof *rank, by_rank);

    /* Every complete trial is read, to count those with values; only the
     * drawn ones are kept, as text.  The best goes last, on top. */
    struct tune_text others = {0}, best = {0}, pruned = {0}, stops = {0}, data = {0}, gp = {0};
    struct extent ex = {.step_lo = (size_t)-1, .y_lo = INFINITY, .y_hi = -INFINITY};
    size_t n_with = 0, n_others = 0, best_points = 0, n_pruned = 0, n_pruned_with = 0;
    int rc = TUNE_OK;
    for (size_t r = 0; r < n_complete; r++) {
        struct tune_intermediate *v = NULL;
        size_t nv = 0;
        rc = tune_store_trial_list_intermediate(store, info->id, rank[r].number, &v, &nv,
                                                  err);
        if (rc) {
            tune_error_prefix(err, "study '%s', trial %d", info->name, rank[r].number);
            goto done;
        }
        size_t finite = 0;
        for (size_t i = 0; i < nv; i++)
            finite += isfinite(v[i].value) != 0;
        if (finite) {
            n_with++;
            if (rank[r].number == best_number)
                best_points = write_trial(&best, rank[r].number, v, nv, &ex, -1, NULL, NULL);
            else if (n_others < MAX_OTHERS &&
                     write_trial(&others, rank[r].number, v, nv, &ex, -1, NULL, NULL))
                n_others++;
        }
        free(v);
    }
    /* The pruned trials, the last MAX_PRUNED of them, each with its stop. */
    size_t skip = n_pruned_all > MAX_PRUNED ? n_pruned_all - MAX_PRUNED : 0;
    for (size_t i = 0; i < n; i++) {
        const struct tune_trial *t = &trials[i];
        if (t->state != TUNE_TRIAL_PRUNED)
            continue;
        if (skip) {
            skip--;
            continue;
        }
        struct tune_intermediate *v = NULL;
        size_t nv = 0, at = 0;
        double y = NAN;
        rc = tune_store_trial_list_intermediate(store, info->id, t->number, &v, &nv, err);
        if (rc) {
            tune_error_prefix(err, "study '%s', trial %d", info->name, t->number);
            goto done;
        }
        if (write_trial(&pruned, t->number, v, nv, &ex, by_step ? t->pruned_at : -1, &at,
                        &y)) {
            n_pruned_with++;
            n_pruned++;
            tune_text_printf(&stops, "%d %zu ", t->number, at);
            tune_text_num(&stops, y);
            tune_text_printf(&stops, "\n");
        }
        free(v);
    }
    if (n_with == 0 && n_pruned_with == 0) /* no iterative trainer, or nothing finite */
        goto done;

    size_t n_drawn = n_others + (best_points > 0);
    tune_text_printf(&data, "# intermediate values of the complete and pruned trials; columns: "
                            "trial number, step, mean value, folds reporting\n"
                            "# mean = the mean over the folds that reported the step (values "
                            "that are not finite left out); folds reporting = how many\n"
                            "# one gnuplot index per trial (two blank lines between): %zu other "
                            "complete trial(s), best-ranked first, then %zu pruned trial(s), "
                            "then one index of the points where each pruned trial was stopped "
                            "(trial, step, mean value)%s, then ",
                     n_others, n_pruned, n_pruned ? "" : " (absent: none)");
    if (best_points)
        tune_text_printf(&data, "the best trial, %d\n", best_number);
    else
        tune_text_printf(&data, "no best trial (it reported no value)\n");
    tune_text_put(&data, others.p ? others.p : "", others.len);
    tune_text_put(&data, pruned.p ? pruned.p : "", pruned.len);
    if (n_pruned) {
        tune_text_put(&data, stops.p ? stops.p : "", stops.len);
        tune_text_printf(&data, "\n\n");
    }
    tune_text_put(&data, best.p ? best.p : "", best.len);
    /* a cut line must not be saved as data */
    data.oom |= others.oom | best.oom | pruned.oom | stops.oom;

    tune_plot_preamble(&gp, o, "intermediate", 0, 0);
    char head[200];
    if (n_pruned)
        snprintf(head, sizeof head,
                 "Intermediate values (%zu of %zu complete trials with values, %zu pruned)",
                 n_drawn, n_with, n_pruned);
    else
        snprintf(head, sizeof head, "Intermediate values (%zu of %zu complete trials with values)",
                 n_drawn, n_with);
    tune_text_printf(&gp, "set title ");
    tune_plot_quote(&gp, head, 0);
    tune_text_printf(&gp, " . \"\\n\" . 'study ' . ");
    tune_plot_quote(&gp, info->name, 80);
    struct quantity q = quantity_of(info->config_json);
    tune_text_printf(&gp, "\nset xlabel ");
    tune_plot_quote(&gp, q.x, 0);
    tune_text_printf(&gp, "\n");
    /* Losses that fall over decades (a regression's squared error) would
     * leave every line but the first steps flat on the floor of a linear
     * axis: a positive range over two decades is drawn on a log axis. */
    int logy = ex.y_lo > 0 && ex.y_hi / ex.y_lo >= 100;
    char ylabel[200];
    snprintf(ylabel, sizeof ylabel, "%s (lower is better)%s", q.y, logy ? ", log scale" : "");
    tune_text_printf(&gp, "set ylabel ");
    tune_plot_quote(&gp, ylabel, 0);
    tune_text_printf(&gp, "\n");
    if (logy) {
        tune_text_printf(&gp, "set logscale y\nset yrange [%.17g:%.17g]\n", ex.y_lo / 1.25,
                         ex.y_hi * 1.25);
        tune_plot_log_tics(&gp, "y", ex.y_lo / 1.25, ex.y_hi * 1.25);
    } else {
        double span = ex.y_hi - ex.y_lo;
        if (!(span > 0))
            span = fabs(ex.y_hi) > 0 ? 0.1 * fabs(ex.y_hi) : 1e-3;
        tune_text_printf(&gp, "set yrange [%.17g:%.17g]\n", ex.y_lo - 0.06 * span,
                         ex.y_hi + 0.06 * span);
    }
    size_t steps = ex.step_hi - ex.step_lo;
    double pad = steps >= 12 ? 0.02 * (double)steps : steps ? 0.2 : 1;
    tune_text_printf(&gp, "set xrange [%.17g:%.17g]\n", (double)ex.step_lo - pad,
                     (double)ex.step_hi + pad);
    if (steps < 12)
        tune_text_printf(&gp, "set xtics 1\n"); /* steps are integers */
    tune_text_printf(&gp, "set key below horizontal\nset bmargin 7\n");
    /* with few steps a line is a few segments: mark the points too */
    const char *style = ex.max_points <= 20 ? "linespoints pt 7 ps 0.5" : "lines";
    const char *sep = "plot ";
    if (n_others) {
        char t[64];
        snprintf(t, sizeof t, "other trials (%zu)", n_others);
        tune_text_printf(&gp, "%s'intermediate.dat' index 0:%zu using 2:3 with %s lw 1 "
                              "lc rgb '#b0b0b0' title ",
                         sep, n_others - 1, style);
        tune_plot_quote(&gp, t, 0);
        sep = ", \\\n     ";
    }
    if (n_pruned) {
        char t[64];
        snprintf(t, sizeof t, "pruned trials (%zu)", n_pruned);
        tune_text_printf(&gp, "%s'intermediate.dat' index %zu:%zu using 2:3 with %s lw 1 "
                              "lc rgb '#cbc0e3' title ",
                         sep, n_others, n_others + n_pruned - 1, style);
        tune_plot_quote(&gp, t, 0);
        tune_text_printf(&gp, ", \\\n     'intermediate.dat' index %zu using 2:3 with points "
                              "pt 2 ps 1.2 lw 2 lc rgb '#756bb1' title ",
                         n_others + n_pruned);
        tune_plot_quote(&gp, by_step ? "stopped by the pruner" : "last value (stopped between "
                                                                 "folds)", 0);
        sep = ", \\\n     ";
    }
    if (best_points) {
        char t[160];
        snprintf(t, sizeof t, "best: trial %d (%.40s %.6g)", best_number,
                 info->metric ? info->metric : "objective", best_value);
        tune_text_printf(&gp, "%s'intermediate.dat' index %zu using 2:3 with %s lw 3 "
                              "lc rgb '#e6550d' title ",
                         sep, n_others + (n_pruned ? n_pruned + 1 : 0),
                         best_points <= 20 ? "linespoints pt 7 ps 0.8" : "lines");
        tune_plot_quote(&gp, t, 0);
    }
    tune_text_printf(&gp, "\n");

    char caption[600], pruned_words[200] = "";
    if (n_pruned)
        snprintf(pruned_words, sizeof pruned_words,
                 " Pruned trials (%zu drawn of %zu) in pale purple, a cross %s.", n_pruned,
                 n_pruned_all,
                 by_step ? "where the pruner stopped each one" : "at each one's last value");
    if (best_points)
        snprintf(caption, sizeof caption,
                 "Intermediate values (%s) against the %s: one line per complete trial, at "
                 "each step the mean over the folds that reported it; the best trial (%d) "
                 "thick and orange, the others grey. %zu of %zu complete trials with values "
                 "drawn%s.%s",
                 q.y, q.x, best_number, n_drawn, n_with,
                 n_drawn < n_with ? " (the best-ranked)" : "", pruned_words);
    else
        snprintf(caption, sizeof caption,
                 "Intermediate values (%s) against the %s: one line per complete trial, at "
                 "each step the mean over the folds that reported it (grey; the best trial "
                 "reported none). %zu of %zu complete trials with values drawn%s.%s",
                 q.y, q.x, n_drawn, n_with, n_drawn < n_with ? " (the best-ranked)" : "",
                 pruned_words);
    rc = tune_text_save(&data, o->out_dir, "intermediate.dat", err);
    if (!rc)
        rc = tune_plot_finish(&gp, o, log, "intermediate", caption, err);
done:
    tune_text_release(&others);
    tune_text_release(&best);
    tune_text_release(&pruned);
    tune_text_release(&stops);
    tune_text_release(&data);
    tune_text_release(&gp);
    free(rank);
    free(strategy);
    return rc;
}

/* ---- what early stopping saved ------------------------------------------------ */

/* The folds a trial of the study runs, from its stored config: cv folds x
 * repeats, repeats for a holdout, 1 without folds (score mode). */
static size_t config_folds(const cJSON *cfg)
{
    const cJSON *cv = cJSON_GetObjectItemCaseSensitive(cfg, "cv");
    if (!cv)
        return 1;
    const cJSON *folds = cJSON_GetObjectItemCaseSensitive(cv, "folds");
    const cJSON *repeats = cJSON_GetObjectItemCaseSensitive(cv, "repeats");
    const cJSON *holdout = cJSON_GetObjectItemCaseSensitive(cv, "holdout");
    double r = cJSON_IsNumber(repeats) && repeats->valuedouble >= 1 ? repeats->valuedouble : 1;
    if (cJSON_IsNumber(holdout) && holdout->valuedouble > 0)
        return (size_t)r;
    double k = cJSON_IsNumber(folds) && folds->valuedouble >= 1 ? folds->valuedouble : 1;
    return (size_t)(k * r);
}

int tune_report_pruning_savings(struct tune_store *store, const struct tune_study_info *info,
                                const struct tune_trial *trials, size_t n,
                                struct tune_pruning_savings *out, struct tune_error *err)
{
    memset(out, 0, sizeof *out);
    cJSON *cfg = info->config_json ? cJSON_Parse(info->config_json) : NULL;
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(cfg, "pruning"), "strategy");
    if (!cJSON_IsString(st)) {
        cJSON_Delete(cfg);
        return TUNE_OK;
    }
    snprintf(out->strategy, sizeof out->strategy, "%s", st->valuestring);
    out->folds_unit = strcmp(st->valuestring, "folds") == 0;
    size_t k = config_folds(cfg);
    cJSON_Delete(cfg);
    out->folds = k;
    int rc = TUNE_OK;
    /* per finished trial: the steps it ran in each fold (its last step
     * there), summed; a full run is the longest any fold ran, in every fold */
    size_t longest = 0;
    double run_steps = 0;
    for (size_t i = 0; i < n; i++) {
        const struct tune_trial *t = &trials[i];
        if (t->state != TUNE_TRIAL_COMPLETE && t->state != TUNE_TRIAL_PRUNED)
            continue;
        out->trials++;
        out->pruned += t->state == TUNE_TRIAL_PRUNED;
        if (out->folds_unit) {
            out->run += t->state == TUNE_TRIAL_PRUNED && t->pruned_at >= 0 ? (double)t->pruned_at
                                                                           : (double)k;
            continue;
        }
        struct tune_intermediate *v = NULL;
        size_t nv = 0;
        if ((rc = tune_store_trial_list_intermediate(store, info->id, t->number, &v, &nv, err))) {
            tune_error_prefix(err, "study '%s', trial %d", info->name, t->number);
            return rc;
        }
        /* ordered by fold, then step: each fold's last row is its last step */
        for (size_t j = 0; j < nv; j++)
            if (j + 1 == nv || v[j + 1].fold != v[j].fold) {
                run_steps += (double)v[j].step;
                longest = v[j].step > longest ? v[j].step : longest;
            }
        free(v);
    }
    if (out->folds_unit) {
        out->full = (double)out->trials * (double)k;
    } else {
        out->run = run_steps;
        out->full = (double)out->trials * (double)k * (double)longest;
        out->steps = longest;
    }
    return rc;
}

/* ---- how well a step ranks the end -------------------------------------------- */

#define RANKING_MIN_TRIALS 5
#define RANKING_MAX_TRIALS 2000 /* read at most this many, evenly spaced: rho's
                                   standard error is then about 0.02, and a
                                   report of 100,000 trials reads no more */

/* Larger intermediate values are better: the pruning section's "direction",
 * else the objective's for a program, else no (the built-in trainers report
 * losses): pruner.h. */
static int values_larger_better(const cJSON *cfg, int maximize)
{
    const cJSON *dir = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(cfg, "pruning"), "direction");
    if (cJSON_IsString(dir))
        return strcmp(dir->valuestring, "maximize") == 0;
    const cJSON *exec = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(cfg, "trainer"), "exec");
    return exec ? maximize : 0;
}

/* A trial's value at step s: each fold's first finite value at or past s,
 * averaged over the folds that have one; NAN when none has.  v is ordered
 * by fold, then step. */
static double value_at(const struct tune_intermediate *v, size_t nv, size_t s)
{
    double sum = 0;
    size_t folds = 0;
    for (size_t j = 0; j < nv;) {
        size_t k = j;
        int found = 0;
        for (; k < nv && v[k].fold == v[j].fold; k++)
            if (!found && v[k].step >= s && isfinite(v[k].value)) {
                sum += v[k].value;
                folds++;
                found = 1;
            }
        j = k;
    }
    return folds ? sum / (double)folds : NAN;
}

int tune_report_step_ranking(struct tune_store *store, const struct tune_study_info *info,
                             const struct tune_trial *trials, size_t n,
                             struct tune_step_ranking *out, struct tune_error *err)
{
    memset(out, 0, sizeof *out);
    size_t m = 0, longest = 0;
    for (size_t i = 0; i < n; i++)
        m += trials[i].state == TUNE_TRIAL_COMPLETE && isfinite(trials[i].value);
    if (m < RANKING_MIN_TRIALS)
        return TUNE_OK;
    /* every stride-th complete trial, from the first */
    size_t stride = (m + RANKING_MAX_TRIALS - 1) / RANKING_MAX_TRIALS, seen = 0;
    m = (m + stride - 1) / stride;
    /* the steps 1, 2, 3, 6, 9, 18, ...: a column of every complete trial's
     * value at each, made when a trial first reaches it; the trials'
     * values are read one trial at a time and not kept */
    size_t grid[TUNE_STEP_RANKING_MAX], ng = 0;
    for (size_t s = 1; ng + 2 <= TUNE_STEP_RANKING_MAX && s <= SIZE_MAX / 3; s *= 3) {
        grid[ng++] = s;
        grid[ng++] = 2 * s;
    }
    double *col[TUNE_STEP_RANKING_MAX] = {0};
    double *obj = malloc(m * sizeof *obj), *x = malloc(m * sizeof *x),
           *y = malloc(m * sizeof *y);
    int rc = obj && x && y
                 ? TUNE_OK
                 : tune_error_set(err, TUNE_ENOMEM, "out of memory for the step ranking");
    size_t k = 0, used = 0;
    for (size_t i = 0; i < n && rc == TUNE_OK; i++) {
        const struct tune_trial *t = &trials[i];
        if (t->state != TUNE_TRIAL_COMPLETE || !isfinite(t->value) || seen++ % stride)
            continue;
        struct tune_intermediate *v = NULL;
        size_t nv = 0, top = 0;
        if ((rc = tune_store_trial_list_intermediate(store, info->id, t->number, &v, &nv, err))) {
            tune_error_prefix(err, "study '%s', trial %d", info->name, t->number);
            break;
        }
        for (size_t j = 0; j < nv; j++)
            if (isfinite(v[j].value) && v[j].step > top)
                top = v[j].step;
        longest = top > longest ? top : longest;
        for (; used < ng && grid[used] <= longest && rc == TUNE_OK; used++) {
            if (!(col[used] = malloc(m * sizeof *col[used])))
                rc = tune_error_set(err, TUNE_ENOMEM, "out of memory for the step ranking");
            for (size_t q = 0; col[used] && q < m; q++)
                col[used][q] = NAN;
        }
        for (size_t g = 0; g < used && rc == TUNE_OK && grid[g] <= top; g++)
            col[g][k] = value_at(v, nv, grid[g]);
        free(v);
        obj[k++] = t->value;
    }
    if (rc == TUNE_OK && longest > 1) {
        cJSON *cfg = info->config_json ? cJSON_Parse(info->config_json) : NULL;
        /* +1: the order at the step is the final order */
        double sign = values_larger_better(cfg, info->maximize) == (info->maximize != 0) ? 1 : -1;
        cJSON_Delete(cfg);
        for (size_t g = 0; g < used && grid[g] < longest && rc == TUNE_OK; g++) {
            size_t c = 0;
            for (size_t i = 0; i < m; i++)
                if (isfinite(col[g][i])) {
                    x[c] = col[g][i];
                    y[c++] = obj[i];
                }
            double rho;
            if (c < RANKING_MIN_TRIALS || (rc = tune_stat_spearman(x, y, c, &rho, err)) ||
                !isfinite(rho))
                continue;
            out->step[out->n] = grid[g];
            out->rho[out->n] = sign * rho;
            out->trials[out->n++] = c;
        }
    }
    for (size_t g = 0; g < used; g++)
        free(col[g]);
    free(obj);
    free(x);
    free(y);
    return rc;
}
