/* SPDX-License-Identifier: GPL-3.0-or-later */
/* param_importance.c — which hyperparameters matter: fANOVA over the
 * random-forest surrogate of the objective (surrogate.c, fanova.c), the
 * importances as numbers (param_importance.csv, param_pairs.csv) and as a
 * picture, and the contours of the pairs that explain the most.
 *
 * Main effects are normalised to sum to 1 for the CSV and the API, as
 * Optuna's FanovaImportanceEvaluator does; the picture shows them, and the
 * largest pairwise interactions, as shares of the variance of the
 * surrogate's prediction over the space (fANOVA's own unit), so that a
 * pair's interaction and a single parameter read on one scale and the
 * share nothing explains (higher interactions) is visible as the gap to 1.
 * Pairs are looked for among the 8 most important parameters (28 pairs at
 * most): the cost of a pair is a 2-D array per tree (fanova.c). */
#include "surrogate.h"
#include "fanova.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAIR_CANDIDATES 8
#define PICTURE_PARAMS 20
#define PICTURE_PAIRS 5
#define CONTOURS 3

void tune_param_importance_release(struct tune_param_importance *p)
{
    if (!p)
        return;
    for (size_t i = 0; p->names && i < p->n; i++)
        free(p->names[i]);
    for (size_t k = 0; k < p->n_pairs; k++) {
        free(p->pair_a ? p->pair_a[k] : NULL);
        free(p->pair_b ? p->pair_b[k] : NULL);
    }
    free(p->names);
    free(p->importance);
    free(p->variance_share);
    free(p->pair_a);
    free(p->pair_b);
    free(p->pair_interaction);
    free(p->pair_joint);
    memset(p, 0, sizeof *p);
}

static uint64_t study_seed(const struct tune_study_info *info)
{
    cJSON *cfg = info->config_json ? cJSON_Parse(info->config_json) : NULL;
    const cJSON *seed = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(cfg, "search"), "seed");
    uint64_t s = cJSON_IsNumber(seed) && seed->valuedouble >= 0 ? (uint64_t)seed->valuedouble : 0;
    cJSON_Delete(cfg);
    return s;
}

/* Sorting keys: larger first, then the earlier index. */
struct ranked {
    double key, key2;
    size_t index;
};

static int by_key(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? 1 : -1;
    if (x->key2 != y->key2)
        return x->key2 < y->key2 ? 1 : -1;
    return (x->index > y->index) - (x->index < y->index);
}

/* The importances from a fitted (or unfitted) surrogate; *by_joint
 * (caller frees, may be NULL) receives the pairs' column indices ranked by
 * joint share, 2 per pair, out->n_pairs pairs. */
static int compute(const struct tune_surrogate *s, struct tune_param_importance *out,
                   size_t **by_joint, struct tune_error *err)
{
    size_t d = s->space.d;
    struct tune_fanova f = {0}, f2 = {0};
    struct ranked *r = NULL, *rp = NULL;
    size_t *pairs = NULL, n_pairs = 0;
    int rc = TUNE_OK;
    memset(out, 0, sizeof *out);
    if (by_joint)
        *by_joint = NULL;
    out->n_trials = s->model ? s->m_fit : s->m;
    out->names = calloc(d + 1, sizeof *out->names);
    out->importance = calloc(d + 1, sizeof *out->importance);
    out->variance_share = calloc(d + 1, sizeof *out->variance_share);
    r = calloc(d + 1, sizeof *r);
    if (!out->names || !out->importance || !out->variance_share || !r)
        goto nomem;
    out->n = d;
    if (s->model) {
        /* the main effects, then the pairs among the strongest of them */
        size_t k = d < PAIR_CANDIDATES ? d : PAIR_CANDIDATES;
        if ((rc = tune_fanova_compute(s->trees, s->n_trees, s->lo, s->hi, d, NULL, 0, &f, err)))
            goto fail;
        for (size_t i = 0; i < d; i++)
            r[i] = (struct ranked){f.main[i], 0, i};
        qsort(r, d, sizeof *r, by_key);
        if (!(pairs = malloc((k * k + 1) * sizeof *pairs)))
            goto nomem;
        for (size_t a = 0; a < k; a++)
            for (size_t b = a + 1; b < k; b++) {
                size_t i = r[a].index < r[b].index ? r[a].index : r[b].index;
                size_t j = r[a].index < r[b].index ? r[b].index : r[a].index;
                pairs[2 * n_pairs] = i;
                pairs[2 * n_pairs++ + 1] = j;
            }
        if (n_pairs && (rc = tune_fanova_compute(s->trees, s->n_trees, s->lo, s->hi, d, pairs,
                                                 n_pairs, &f2, err)))
            goto fail;
        out->n_trees = f.n_trees;
    }
    double total = 0;
    for (size_t i = 0; i < d; i++)
        total += s->model ? f.main[i] : 0;
    for (size_t i = 0; i < d; i++) {
        double share = s->model ? f.main[i] : 0;
        r[i] = (struct ranked){share, 0, i};
    }
    qsort(r, d, sizeof *r, by_key);
    for (size_t k = 0; k < d; k++) {
        size_t i = r[k].index;
        if (!(out->names[k] = strdup(s->space.dims[i].name)))
            goto nomem;
        out->variance_share[k] = r[k].key;
        out->importance[k] = total > 0 ? r[k].key / total : 0;
    }
    if (n_pairs) {
        rp = calloc(n_pairs, sizeof *rp);
        out->pair_a = calloc(n_pairs, sizeof *out->pair_a);
        out->pair_b = calloc(n_pairs, sizeof *out->pair_b);
        out->pair_interaction = calloc(n_pairs, sizeof *out->pair_interaction);
        out->pair_joint = calloc(n_pairs, sizeof *out->pair_joint);
        if (!rp || !out->pair_a || !out->pair_b || !out->pair_interaction || !out->pair_joint)
            goto nomem;
        out->n_pairs = n_pairs;
        for (size_t k = 0; k < n_pairs; k++)
            rp[k] = (struct ranked){f2.interaction[k], f2.joint[k], k};
        qsort(rp, n_pairs, sizeof *rp, by_key);
        for (size_t k = 0; k < n_pairs; k++) {
            size_t p = rp[k].index;
            out->pair_a[k] = strdup(s->space.dims[pairs[2 * p]].name);
            out->pair_b[k] = strdup(s->space.dims[pairs[2 * p + 1]].name);
            if (!out->pair_a[k] || !out->pair_b[k])
                goto nomem;
            out->pair_interaction[k] = f2.interaction[p];
            out->pair_joint[k] = f2.joint[p];
        }
        if (by_joint) {
            for (size_t k = 0; k < n_pairs; k++)
                rp[k] = (struct ranked){f2.joint[k], f2.interaction[k], k};
            qsort(rp, n_pairs, sizeof *rp, by_key);
            if (!(*by_joint = malloc(2 * n_pairs * sizeof **by_joint)))
                goto nomem;
            for (size_t k = 0; k < n_pairs; k++) {
                (*by_joint)[2 * k] = pairs[2 * rp[k].index];
                (*by_joint)[2 * k + 1] = pairs[2 * rp[k].index + 1];
            }
        }
    }
    goto done;
nomem:
    rc = tune_error_set(err, TUNE_ENOMEM, "out of memory for the parameter importances");
fail:
    tune_param_importance_release(out);
    if (by_joint) {
        free(*by_joint);
        *by_joint = NULL;
    }
done:
    tune_fanova_release(&f);
    tune_fanova_release(&f2);
    free(r);
    free(rp);
    free(pairs);
    return rc;
}

int tune_param_importance_compute(const struct tune_study_info *info,
                                  const struct tune_trial *trials, size_t n,
                                  struct tune_param_importance *out, struct tune_error *err)
{
    struct tune_surrogate s;
    memset(out, 0, sizeof *out);
    int rc = tune_surrogate_fit(info, trials, n, study_seed(info), &s, err);
    if (rc)
        return rc;
    rc = compute(&s, out, NULL, err);
    tune_surrogate_release(&s);
    return rc;
}

/* ---- files and pictures ----------------------------------------------------- */

static void csv_name(struct tune_text *t, const char *s)
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

static int write_csvs(const struct tune_param_importance *p, const char *dir,
                      struct tune_error *err)
{
    struct tune_text a = {0}, b = {0};
    tune_text_printf(&a, "param,importance\n");
    for (size_t i = 0; i < p->n; i++) {
        csv_name(&a, p->names[i]);
        tune_text_printf(&a, ",%.17g\n", p->importance[i]);
    }
    tune_text_printf(&b, "param_a,param_b,interaction,joint\n");
    for (size_t k = 0; k < p->n_pairs; k++) {
        csv_name(&b, p->pair_a[k]);
        tune_text_put(&b, ",", 1);
        csv_name(&b, p->pair_b[k]);
        tune_text_printf(&b, ",%.17g,%.17g\n", p->pair_interaction[k], p->pair_joint[k]);
    }
    int rc = tune_text_save(&a, dir, "param_importance.csv", err);
    if (!rc)
        rc = tune_text_save(&b, dir, "param_pairs.csv", err);
    tune_text_release(&a);
    tune_text_release(&b);
    return rc;
}

static int draw_importance(const struct tune_study_info *info,
                           const struct tune_param_importance *p, size_t s_m,
                           const struct tune_plot_opts *o, struct tune_plot_log *log,
                           struct tune_error *err)
{
    size_t n_main = p->n < PICTURE_PARAMS ? p->n : PICTURE_PARAMS, n_pair = 0;
    double main_sum = 0, pair_sum = 0, top = 0;
    for (size_t i = 0; i < p->n; i++)
        main_sum += p->variance_share[i];
    while (n_pair < p->n_pairs && n_pair < PICTURE_PAIRS && p->pair_interaction[n_pair] >= 0.005)
        pair_sum += p->pair_interaction[n_pair++];
    size_t rows = n_main + n_pair;
    struct tune_text data = {0}, gp = {0};
    tune_text_printf(&data, "# hyperparameter importance (fANOVA), top to bottom: position share "
                            "kind normalised\n# share: of the variance of the surrogate's "
                            "prediction; kind 1 a parameter's main effect, 2 a pair's "
                            "interaction; normalised: main effects scaled to sum 1 "
                            "(param_importance.csv), NaN for pairs\n");
    for (size_t k = 0; k < rows; k++) {
        int pair = k >= n_main;
        double share = pair ? p->pair_interaction[k - n_main] : p->variance_share[k];
        top = fmax(top, share);
        tune_text_printf(&data, "%zu ", rows - 1 - k);
        tune_text_num(&data, share);
        tune_text_printf(&data, " %d ", pair ? 2 : 1);
        tune_text_num(&data, pair ? NAN : p->importance[k]);
        tune_text_printf(&data, "\n");
    }
    unsigned h = rows > 14 ? (unsigned)(300 + 22 * rows) : 0;
    tune_plot_preamble(&gp, o, "param_importance", 0, h);
    tune_text_printf(&gp, "set tmargin 6\n");
    /* four short title lines: a plot area pushed right by long parameter
     * names leaves a centred long line no room on the right */
    char trials_line[120], share_line[120];
    snprintf(trials_line, sizeof trials_line, "%zu complete trials", p->n_trials);
    if (s_m > p->n_trials) /* a long study: the surrogate saw every k-th trial */
        snprintf(trials_line, sizeof trials_line, "%zu of %zu complete trials (evenly spaced)",
                 p->n_trials, s_m);
    snprintf(share_line, sizeof share_line, "main effects explain %.0f%% of the variance",
             100 * main_sum);
    if (n_pair)
        snprintf(share_line + strlen(share_line), sizeof share_line - strlen(share_line),
                 ", the pairs shown %.0f%%", 100 * pair_sum);
    tune_text_printf(&gp, "set title 'Hyperparameter importance (fANOVA over a random-forest "
                          "surrogate)' . \"\\n\" . 'study ' . ");
    tune_plot_quote(&gp, info->name, 80);
    tune_text_printf(&gp, " . \"\\n\" . ");
    tune_plot_quote(&gp, trials_line, 0);
    tune_text_printf(&gp, " . \"\\n\" . ");
    tune_plot_quote(&gp, share_line, 0);
    tune_text_printf(&gp, "\nset xlabel 'share of the variance of the predicted ' . ");
    tune_plot_quote(&gp, info->metric, 40);
    tune_text_printf(&gp, " . ' (%%)'\nset xrange [0:%.17g]\nset yrange [-0.7:%zu.7]\n",
                     top > 0 ? 100 * fmin(1.0, top * 1.2) + 4 : 100, rows - 1);
    tune_text_printf(&gp, "set ytics (");
    for (size_t k = 0; k < rows; k++) {
        if (k)
            tune_text_printf(&gp, ", ");
        if (k < n_main) {
            tune_plot_quote(&gp, p->names[k], 40);
        } else {
            tune_plot_quote(&gp, p->pair_a[k - n_main], 24);
            tune_text_printf(&gp, " . ' \xc3\x97 ' . ");
            tune_plot_quote(&gp, p->pair_b[k - n_main], 24);
        }
        tune_text_printf(&gp, " %zu", rows - 1 - k);
    }
    tune_text_printf(&gp, ")\nset ytics scale 0\nset grid xtics noytics\n"
                          "set style fill solid 0.85 noborder\nset key below horizontal\n"
                          "set bmargin 6\n");
    tune_text_printf(&gp, "plot 'param_importance.dat' using ($3==1 ? 50*$2 : NaN):1:(50*$2):"
                          "(0.36) with boxxyerror lc rgb '#3182bd' "
                          "title 'main effect of a parameter'");
    if (n_pair)
        tune_text_printf(&gp, ", \\\n     'param_importance.dat' using ($3==2 ? 50*$2 : NaN):1:"
                              "(50*$2):(0.36) with boxxyerror lc rgb '#e6550d' "
                              "title 'interaction of a pair (beyond their main effects)'");
    tune_text_printf(&gp, ", \\\n     'param_importance.dat' using (100*$2):1:"
                          "(sprintf(' %%.1f%%%%', 100*$2)) with labels left font ',10' "
                          "notitle\n");
    int rc = tune_text_save(&data, o->out_dir, "param_importance.dat", err);
    if (!rc)
        rc = tune_plot_finish(&gp, o, log, "param_importance",
                              "Hyperparameter importance: fANOVA over a random-forest surrogate "
                              "of the objective (param_importance.csv: main effects scaled to "
                              "sum 1)",
                              err);
    tune_text_release(&data);
    tune_text_release(&gp);
    return rc;
}

static int best_number(const struct tune_study_info *info, const struct tune_trial *trials,
                       size_t n)
{
    int best = -1;
    double v = NAN;
    for (size_t i = 0; i < n; i++)
        if (trials[i].state == TUNE_TRIAL_COMPLETE && isfinite(trials[i].value) &&
            (isnan(v) || (info->maximize ? trials[i].value > v : trials[i].value < v))) {
            v = trials[i].value;
            best = trials[i].number;
        }
    return best;
}

/* A pair is drawn when both its parameters matter, or their interaction
 * does: a parameter that explains under MIN_SHARE of the variance, with
 * no interaction either, turns the contour into the other one's curve. */
#define MIN_SHARE 0.01

static double share_of(const struct tune_param_importance *p, const char *name)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->names[i], name) == 0)
            return p->variance_share[i];
    return 0;
}

static int worth_a_contour(const struct tune_param_importance *p, const char *a, const char *b)
{
    double inter = 0;
    for (size_t k = 0; k < p->n_pairs; k++)
        if ((strcmp(p->pair_a[k], a) == 0 && strcmp(p->pair_b[k], b) == 0) ||
            (strcmp(p->pair_a[k], b) == 0 && strcmp(p->pair_b[k], a) == 0))
            inter = p->pair_interaction[k];
    return fmin(share_of(p, a), share_of(p, b)) + inter >= MIN_SHARE;
}

int tune_report_param_importance(const struct tune_study_info *info,
                                 const struct tune_trial *trials, size_t n,
                                 const struct tune_plot_opts *o, struct tune_plot_log *log,
                                 struct tune_param_importance *out, struct tune_error *err)
{
    struct tune_surrogate s;
    struct tune_param_importance p = {0};
    size_t *by_joint = NULL;
    if (out)
        memset(out, 0, sizeof *out);
    int rc = tune_surrogate_fit(info, trials, n, study_seed(info), &s, err);
    if (rc)
        return rc;
    if ((rc = compute(&s, &p, &by_joint, err)))
        goto done;
    if (!s.model || p.n_trees == 0)
        goto done; /* too few trials, or a flat surrogate: nothing to draw */
    if ((rc = write_csvs(&p, o->out_dir, err)) ||
        (rc = draw_importance(info, &p, s.m, o, log, err)))
        goto done;
    int best = best_number(info, trials, n);
    for (size_t k = 0, drawn = 0; k < p.n_pairs && drawn < CONTOURS; k++) {
        size_t i = by_joint[2 * k], j = by_joint[2 * k + 1];
        if (!worth_a_contour(&p, s.space.dims[i].name, s.space.dims[j].name))
            continue;
        if ((rc = tune_report_contour(info, &s, i, j, best, o, log, err)))
            goto done;
        drawn++;
    }
done:
    free(by_joint);
    tune_surrogate_release(&s);
    if (!rc && out)
        *out = p;
    else
        tune_param_importance_release(&p);
    return rc;
}
