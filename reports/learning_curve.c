/* SPDX-License-Identifier: GPL-3.0-or-later */
/* learning_curve.c — training and validation scores against the size of
 * the training set, on the study's own folds, and a one-line diagnosis.
 *
 * Method.  For fold f, the training rows are put in a seeded order whose
 * every prefix is a subsample (so the rows at a smaller size are among those
 * at a larger one: the curve measures more data, not other data).  For
 * classification the order is stratified: each class's rows are shuffled,
 * row r of a class of n_c rows gets the key (r + 1/2) / n_c (its first row
 * 0, so any prefix of at least k rows holds every class), and rows are
 * sorted by key, so a prefix of m rows holds about m n_c / n rows of class
 * c.  At each size the prefix is the training set of ONE fit, made through
 * tune_cross_validate on a split whose validation rows are the subsample and
 * the fold's validation rows together: preprocessing is fitted on the
 * subsample only, predictions are row by row, so the predictions on the
 * subsample give the training score and those on the fold's validation rows
 * the validation score (scikit-learn's learning_curve fits once and scores
 * both sets the same way).  The trainer's seed is the study's fold seed, so
 * at fraction 1 the validation scores are the study's fold scores of the
 * same configuration.
 *
 * Clustering.  A clustering measure (silhouette, inertia, Davies-Bouldin,
 * Calinski-Harabasz) needs the rows themselves, as the model saw them
 * (preprocessed on the subsample), which out-of-fold predictions do not
 * carry.  So each size is scored by two cross-validations of one split
 * with the same seed and training rows, hence the same fitted model: one
 * whose validation rows are the subsample (the training score: how well
 * the clusters found describe the rows they were found on) and one whose
 * validation rows are the fold's (the validation score, computed exactly as
 * the study computes its fold scores).  The subsample keeps at least
 * n_clusters + 1 rows, so that every measure is defined.
 *
 * A curve whose every validation score is undefined is an error, not a
 * picture of NaN.
 *
 * Diagnosis (metric g oriented so that larger is better; at the largest
 * size unless said): gap = g(train) - g(valid); noise = the larger of the
 * two fold std devs; scale S = 1 for the maximized metrics (all reach 1 at
 * best), else the size of the scores.
 *   wide gap:  gap > max(0.03 S, 2 noise)
 *     narrowing (gap at the smallest size exceeds it by max(noise, 0.01 S)):
 *       "high variance ... the gap narrows with more rows: more data helps";
 *     else "high variance ... the gap does not narrow: regularize".
 *   close, and the training score of a maximized metric below 0.9:
 *       "high bias: both scores low and close".
 *   close and high: "good fit".  Close on an error metric (no absolute
 *   level to judge by): "no clear diagnosis: scores close, no sign of high
 *   variance".
 * A clustering has no bias to speak of (a silhouette of 0.5 is good):
 *   wide gap: "clusters fit the training rows better than unseen rows";
 *   else the validation score from the smallest to the largest size:
 *   within max(noise, 0.01 S) "stable", better "still improving", worse
 *   "unsettled". */
#include "plot.h"
#include "tunefold/cv.h"
#include "src/seed.h"
#include "tunefold/study.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tune_learning_curve_release(struct tune_learning_curve *lc)
{
    if (!lc)
        return;
    free(lc->metric);
    free(lc->fractions);
    free(lc->n_train);
    free(lc->train);
    free(lc->valid);
    free(lc->train_mean);
    free(lc->train_std);
    free(lc->valid_mean);
    free(lc->valid_std);
    memset(lc, 0, sizeof *lc);
}

struct keyed {
    double key;
    size_t row;
};

static int by_key(const void *a, const void *b)
{
    const struct keyed *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row);
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/* The nested order of a training fold (see the top comment) into order[]. */
static int nested_order(const struct tune_dataset *ds, const struct tune_split *sp,
                        gsl_rng *rng, size_t *order)
{
    size_t n = sp->n_train;
    memcpy(order, sp->train, n * sizeof *order);
    if (ds->n_classes == 0) {
        gsl_ran_shuffle(rng, order, n, sizeof *order);
        return TUNE_OK;
    }
    size_t k = ds->n_classes;
    size_t *count = calloc(k, sizeof *count), *seen = calloc(k, sizeof *seen);
    size_t *byclass = malloc((n + 1) * sizeof *byclass), *start = calloc(k + 1, sizeof *start);
    struct keyed *kv = malloc((n + 1) * sizeof *kv);
    if (!count || !seen || !byclass || !start || !kv) {
        free(count);
        free(seen);
        free(byclass);
        free(start);
        free(kv);
        return TUNE_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        count[(size_t)ds->y[order[i]]]++;
    for (size_t c = 0; c < k; c++)
        start[c + 1] = start[c] + count[c];
    for (size_t i = 0; i < n; i++) {
        size_t c = (size_t)ds->y[order[i]];
        byclass[start[c] + seen[c]++] = order[i];
    }
    size_t m = 0;
    for (size_t c = 0; c < k; c++) {
        gsl_ran_shuffle(rng, byclass + start[c], count[c], sizeof *byclass);
        for (size_t r = 0; r < count[c]; r++)
            kv[m++] = (struct keyed){r == 0 ? 0.0 : ((double)r + 0.5) / (double)count[c],
                                     byclass[start[c] + r]};
    }
    qsort(kv, m, sizeof *kv, by_key);
    for (size_t i = 0; i < m; i++)
        order[i] = kv[i].row;
    free(count);
    free(seen);
    free(byclass);
    free(start);
    free(kv);
    return TUNE_OK;
}

/* The value of `metric` on the one fold of a cross-validation result. */
static double cv_metric(const struct tune_cv_result *cv, const char *metric)
{
    for (size_t m = 0; m < cv->n_metrics; m++)
        if (strcmp(cv->metrics[m].name, metric) == 0 && cv->metrics[m].n_folds > 0)
            return cv->metrics[m].folds[0];
    return NAN;
}

/* One fit on `sub`, scored by the clustering measure on the rows `valid`
 * (see the top comment); *score receives it. */
static int clustering_score(const struct tune_study_config *cfg,
                            const struct tune_trainer_type *tr, const struct tune_dataset *ds,
                            const struct tune_params *params, uint64_t seed, size_t *sub,
                            size_t m, size_t *valid, size_t n_valid, double *score,
                            struct tune_error *err)
{
    struct tune_split one = {m, n_valid, sub, valid};
    struct tune_splits single = {1, &one};
    struct tune_cv_result cv;
    int rc = tune_cross_validate(ds, &single, &cfg->prep, tr, params, seed, &cv, err);
    if (rc)
        return rc;
    *score = cv_metric(&cv, cfg->metric);
    tune_cv_result_release(&cv);
    return TUNE_OK;
}

/* The metric on rows idx[0..m) of the out-of-fold predictions. */
static double score_rows(const struct tune_metric_def *def, const struct tune_dataset *ds,
                         const struct tune_predictions *oof, const size_t *idx, size_t m,
                         double *truth, struct tune_predictions *sub)
{
    size_t k = oof->n_classes;
    sub->n = m;
    sub->n_classes = k;
    for (size_t i = 0; i < m; i++) {
        size_t r = idx[i];
        truth[i] = ds->y[r];
        if (oof->value)
            sub->value[i] = oof->value[r];
        if (oof->label)
            sub->label[i] = oof->label[r];
        if (oof->proba)
            memcpy(&sub->proba[i * k], &oof->proba[r * k], k * sizeof *sub->proba);
    }
    /* a clustering measure needs the rows, which a learning curve does not
     * keep: undefined */
    return def->compute ? def->compute(truth, sub) : NAN;
}

int tune_learning_curve_compute(const struct tune_study_config *cfg,
                                const struct tune_dataset *ds, const char *params_json,
                                const double *fractions, size_t n_fractions,
                                struct tune_learning_curve *out, struct tune_error *err)
{
    memset(out, 0, sizeof *out);
    if (cfg->score_mode || !ds)
        return tune_error_set(err, TUNE_EINVAL,
                              "%s: a score-mode study (an external program that scores itself) "
                              "has no data to subsample: a learning curve needs \"data\" and a "
                              "trainer in predict mode",
                              cfg->file);
    const struct tune_metric_def *def = tune_metric_find(cfg->metric);
    if (!def)
        return tune_error_set(err, TUNE_EINVAL, "%s: metric '%s' is not a built-in metric; a "
                                                "learning curve needs one",
                              cfg->file, cfg->metric);
    if (n_fractions == 0)
        return tune_error_set(err, TUNE_EINVAL, "--sizes: no size given");
    for (size_t s = 0; s < n_fractions; s++)
        if (!(fractions[s] > 0 && fractions[s] <= 1))
            return tune_error_set(err, TUNE_EINVAL,
                                  "--sizes: %g is not a fraction in (0, 1] of the training fold",
                                  fractions[s]);
    /* the configuration's trainer: one of several, named by its "trainer" */
    size_t choice = 0;
    size_t most = cfg->trainer && cfg->trainer->n_hparams > cfg->max_hparams
                      ? cfg->trainer->n_hparams
                      : cfg->max_hparams;
    double *values = calloc(most + 1, sizeof *values);
    if (!values)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    int rc = tune_config_resolve_choice(cfg, params_json, "--params", &choice, values, err);
    if (rc) {
        free(values);
        return rc;
    }
    const struct tune_trainer_type *tr = cfg->choose_trainer ? cfg->choices[choice].trainer
                                                             : cfg->trainer;
    size_t nh = tr->n_hparams;
    const char **names = calloc(nh + 1, sizeof *names), **strings = calloc(nh + 1, sizeof *strings);
    struct tune_splits *splits = NULL;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    size_t *order = NULL, *sub = NULL, *both = NULL;
    double *truth = NULL;
    struct tune_predictions part = {0};
    if (!values || !names || !strings || !rng) {
        rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < nh; i++) {
        const struct tune_hparam *h = &tr->hparams[i];
        names[i] = h->name;
        strings[i] = h->type == TUNE_PARAM_CATEGORICAL ? h->choices[(size_t)values[i]] : NULL;
    }
    struct tune_params params = {nh, names, values, strings};
    if (tr->check && (rc = tr->check(&params, err)))
        goto fail;
    if ((rc = tune_cv_split(&cfg->cv, ds->n_rows, ds->y, ds->n_classes, cfg->seed, &splits,
                            err))) {
        tune_error_prefix(err, "%s", cfg->file);
        goto fail;
    }
    size_t nf = splits->n, ns = n_fractions;
    out->metric = strdup(cfg->metric);
    out->maximize = def->maximize;
    out->n_sizes = ns;
    out->n_folds = nf;
    out->fractions = malloc(ns * sizeof *out->fractions);
    out->n_train = calloc(ns, sizeof *out->n_train);
    out->train = malloc(ns * nf * sizeof *out->train);
    out->valid = malloc(ns * nf * sizeof *out->valid);
    out->train_mean = malloc(ns * sizeof *out->train_mean);
    out->train_std = malloc(ns * sizeof *out->train_std);
    out->valid_mean = malloc(ns * sizeof *out->valid_mean);
    out->valid_std = malloc(ns * sizeof *out->valid_std);
    order = malloc((ds->n_rows + 1) * sizeof *order);
    sub = malloc((ds->n_rows + 1) * sizeof *sub);
    both = malloc((ds->n_rows + 1) * sizeof *both);
    truth = malloc((ds->n_rows + 1) * sizeof *truth);
    int cls = ds->n_classes > 0, clustering = ds->task == TUNE_TASK_CLUSTERING;
    out->clustering = clustering;
    /* a clustering subsample keeps more rows than clusters */
    size_t least = cls ? ds->n_classes : 2;
    long kidx = clustering ? tune_trainer_hparam_index(tr, "n_clusters") : -1;
    if (kidx >= 0 && values[kidx] + 1 > (double)least)
        least = (size_t)values[kidx] + 1;
    if (!out->metric || !out->fractions || !out->n_train || !out->train || !out->valid ||
        !out->train_mean || !out->train_std || !out->valid_mean || !out->valid_std || !order ||
        !sub || !both || !truth ||
        tune_predictions_init(&part, ds->task, ds->n_rows, ds->n_classes, cls, err)) {
        rc = tune_error_set(err, TUNE_ENOMEM, "out of memory for the learning curve");
        goto fail;
    }
    memcpy(out->fractions, fractions, ns * sizeof *fractions);
    for (size_t f = 0; f < nf; f++) {
        const struct tune_split *sp = &splits->splits[f];
        gsl_rng_set(rng,
                    (unsigned long)tune_mix64(cfg->seed ^ tune_mix64(0x1ea7c0deull + f)));
        if (nested_order(ds, sp, rng, order)) {
            rc = tune_error_set(err, TUNE_ENOMEM, "out of memory for the learning curve");
            goto fail;
        }
        for (size_t s = 0; s < ns; s++) {
            size_t m = (size_t)llround(fractions[s] * (double)sp->n_train);
            m = m < least ? least : m;
            m = m > sp->n_train ? sp->n_train : m;
            memcpy(sub, order, m * sizeof *sub);
            qsort(sub, m, sizeof *sub, cmp_size);
            /* The single split's fold seed, tune_fold_seed(seed', 0) =
             * mix64(seed' ^ mix64(1)), is then the study's for fold f. */
            uint64_t seed = cfg->seed ^ tune_mix64(f + 1) ^ tune_mix64(1);
            if (clustering) {
                if ((rc = clustering_score(cfg, tr, ds, &params, seed, sub, m, sub, m,
                                           &out->train[s * nf + f], err)) ||
                    (rc = clustering_score(cfg, tr, ds, &params, seed, sub, m, sp->valid,
                                           sp->n_valid, &out->valid[s * nf + f], err))) {
                    tune_error_prefix(err, "learning curve at %g of fold %zu (%zu rows)",
                                      fractions[s], f + 1, m);
                    goto fail;
                }
                out->n_train[s] += (double)m / (double)nf;
                continue;
            }
            /* validation rows of the fit: the subsample and the fold's own
             * validation rows (disjoint, both ascending): merged */
            size_t a = 0, b = 0, nb = 0;
            while (a < m || b < sp->n_valid)
                both[nb++] = b >= sp->n_valid || (a < m && sub[a] < sp->valid[b])
                                 ? sub[a++]
                                 : sp->valid[b++];
            struct tune_split one = {m, nb, sub, both};
            struct tune_splits single = {1, &one};
            struct tune_cv_result cv;
            if ((rc = tune_cross_validate(ds, &single, &cfg->prep, tr, &params, seed, &cv,
                                          err))) {
                tune_error_prefix(err, "learning curve at %g of fold %zu (%zu rows)",
                                  fractions[s], f + 1, m);
                goto fail;
            }
            out->train[s * nf + f] = score_rows(def, ds, &cv.oof, sub, m, truth, &part);
            out->valid[s * nf + f] =
                score_rows(def, ds, &cv.oof, sp->valid, sp->n_valid, truth, &part);
            out->n_train[s] += (double)m / (double)nf;
            tune_cv_result_release(&cv);
        }
    }
    size_t defined = 0;
    for (size_t i = 0; i < ns * nf; i++)
        defined += !isnan(out->valid[i]);
    if (defined == 0) {
        rc = tune_error_set(err, TUNE_ENUMERIC,
                            "%s: %s is undefined on every validation fold at every size, so "
                            "there is no learning curve to draw (%s)",
                            cfg->file, cfg->metric,
                            clustering ? "a clustering measure needs at least 2 clusters"
                                       : "e.g. a fold with a single class");
        goto fail;
    }
    for (size_t s = 0; s < ns; s++) {
        tune_mean_std(&out->train[s * nf], nf, &out->train_mean[s], &out->train_std[s]);
        tune_mean_std(&out->valid[s * nf], nf, &out->valid_mean[s], &out->valid_std[s]);
    }
    tune_predictions_release(&part);
    free(values);
    free(names);
    free(strings);
    free(order);
    free(sub);
    free(both);
    free(truth);
    gsl_rng_free(rng);
    tune_splits_free(splits);
    return TUNE_OK;
fail:
    tune_predictions_release(&part);
    free(values);
    free(names);
    free(strings);
    free(order);
    free(sub);
    free(both);
    free(truth);
    if (rng)
        gsl_rng_free(rng);
    tune_splits_free(splits);
    tune_learning_curve_release(out);
    return rc;
}

void tune_learning_curve_diagnose(const struct tune_learning_curve *lc, char *buf, size_t size)
{
    if (lc->n_sizes == 0) {
        snprintf(buf, size, "no diagnosis: no size");
        return;
    }
    size_t last = lc->n_sizes - 1;
    double sign = lc->maximize ? 1 : -1;
    double tl = lc->train_mean[last], vl = lc->valid_mean[last];
    if (isnan(tl) || isnan(vl)) {
        snprintf(buf, size, "no diagnosis: the scores at the largest size are undefined");
        return;
    }
    double gap = sign * (tl - vl), gap0 = sign * (lc->train_mean[0] - lc->valid_mean[0]);
    double noise = fmax(lc->train_std[last], lc->valid_std[last]);
    double S = lc->maximize ? 1 : fmax(fmax(fabs(tl), fabs(vl)), 1e-12);
    int wide = gap > fmax(0.03 * S, 2 * noise);
    int narrows = lc->n_sizes > 1 && !isnan(gap0) && gap0 - gap > fmax(noise, 0.01 * S);
    const char *m = lc->metric;
    if (lc->clustering) {
        double v0 = lc->valid_mean[0], rise = sign * (vl - v0);
        int settled = lc->n_sizes < 2 || isnan(v0) || fabs(vl - v0) <= fmax(noise, 0.01 * S);
        if (wide)
            snprintf(buf, size, "clusters fit the training rows better than unseen rows: %s %.3g "
                                "against %.3g (gap %.3g); they follow noise in the rows they "
                                "were found on: fewer clusters or more rows should help",
                     m, tl, vl, gap);
        else if (settled)
            snprintf(buf, size, "stable: %s %.3g on unseen rows and %.3g on the training rows, "
                                "and it hardly changes from %.0f to %.0f training rows: more "
                                "rows would not change the clusters",
                     m, vl, tl, lc->n_train[0], lc->n_train[last]);
        else if (rise > 0)
            snprintf(buf, size, "still improving: %s on unseen rows goes from %.3g to %.3g with "
                                "more training rows (%.3g on the training rows): more rows "
                                "should help",
                     m, v0, vl, tl);
        else
            snprintf(buf, size, "unsettled: %s on unseen rows goes from %.3g to %.3g with more "
                                "training rows: the clusters found depend on the rows drawn; "
                                "try more n_init runs or fewer clusters",
                     m, v0, vl);
        return;
    }
    if (wide && narrows)
        snprintf(buf, size, "high variance: training %s %.3g against validation %.3g (gap %.3g, "
                            "%.3g at the smallest size); the gap narrows with more rows, so more "
                            "data should help",
                 m, tl, vl, gap, gap0);
    else if (wide)
        snprintf(buf, size, "high variance: training %s %.3g against validation %.3g (gap %.3g) "
                            "and the gap does not narrow with more rows: regularize or simplify "
                            "the model",
                 m, tl, vl, gap);
    else if (lc->maximize && tl < 0.9)
        snprintf(buf, size, "high bias: training and validation %s are both low (%.3g, %.3g) and "
                            "close: a more flexible model or better features should help",
                 m, tl, vl);
    else if (lc->maximize)
        snprintf(buf, size, "good fit: training and validation %s are high (%.3g, %.3g) and "
                            "close (gap %.3g)",
                 m, tl, vl, gap);
    else
        snprintf(buf, size, "no clear diagnosis: training and validation %s are close (%.3g, "
                            "%.3g): no sign of high variance; compare with a baseline to judge "
                            "bias",
                 m, tl, vl);
}

static double band(const struct tune_learning_curve *lc, double v)
{
    return lc->maximize ? fmin(v, 1.0) : fmax(v, 0.0);
}

int tune_learning_curve_plot(const struct tune_learning_curve *lc, const char *title,
                             const struct tune_plot_opts *o, struct tune_plot_log *log,
                             struct tune_error *err)
{
    struct tune_text data = {0}, folds = {0}, gp = {0};
    char diag[512];
    tune_learning_curve_diagnose(lc, diag, sizeof diag);
    tune_text_printf(&data, "# learning curve: fraction n_train train_mean train_std "
                            "valid_mean valid_std train_low train_high valid_low valid_high\n");
    double lo = INFINITY, hi = -INFINITY;
    for (size_t s = 0; s < lc->n_sizes; s++) {
        /* bands clipped to the metric's range: every maximized metric is at
         * most 1, every minimized one (an error) at least 0 */
        double v[10] = {lc->fractions[s],
                        lc->n_train[s],
                        lc->train_mean[s],
                        lc->train_std[s],
                        lc->valid_mean[s],
                        lc->valid_std[s],
                        band(lc, lc->train_mean[s] - lc->train_std[s]),
                        band(lc, lc->train_mean[s] + lc->train_std[s]),
                        band(lc, lc->valid_mean[s] - lc->valid_std[s]),
                        band(lc, lc->valid_mean[s] + lc->valid_std[s])};
        for (size_t i = 0; i < 10; i++) {
            tune_text_num(&data, v[i]);
            tune_text_printf(&data, i == 9 ? "\n" : " ");
        }
        for (size_t i = 6; i < 10; i++)
            if (isfinite(v[i])) {
                lo = fmin(lo, v[i]);
                hi = fmax(hi, v[i]);
            }
    }
    tune_text_printf(&folds, "# every fold: fraction fold train valid\n");
    for (size_t s = 0; s < lc->n_sizes; s++)
        for (size_t f = 0; f < lc->n_folds; f++) {
            tune_text_num(&folds, lc->fractions[s]);
            tune_text_printf(&folds, " %zu ", f + 1);
            tune_text_num(&folds, lc->train[s * lc->n_folds + f]);
            tune_text_printf(&folds, " ");
            tune_text_num(&folds, lc->valid[s * lc->n_folds + f]);
            tune_text_printf(&folds, "\n");
        }
    if (!(hi > lo)) {
        lo = isfinite(lo) ? lo - 0.5 : 0;
        hi = isfinite(hi) ? hi + 0.5 : 1;
    }
    double pad = 0.08 * (hi - lo);
    tune_plot_preamble(&gp, o, "learning_curve", 0, 0);
    tune_text_printf(&gp, "set title 'Learning curve' . \"\\n\" . ");
    tune_plot_quote(&gp, title, 90);
    tune_text_printf(&gp, "\nset xlabel 'training rows (mean over folds)'\nset ylabel ");
    tune_plot_quote(&gp, lc->metric, 40);
    tune_text_printf(&gp, " . ' (%s)'\n", lc->maximize ? "higher is better" : "lower is better");
    tune_text_printf(&gp, "set yrange [%.17g:%.17g]\nset key %s right\nset bmargin 7\n",
                     lo - pad, hi + pad, lc->maximize ? "bottom" : "top");
    tune_text_printf(&gp, "set label 1 ");
    tune_plot_quote_wrapped(&gp, diag, 100);
    tune_text_printf(&gp, " at screen 0.5, screen 0.06 center font ',10'\n");
    /* a clustering's training score is of the rows its clusters were found on */
    const char *tr_name = lc->clustering ? "training rows" : "training score",
               *va_name = lc->clustering ? "validation rows" : "validation score";
    tune_text_printf(&gp, "plot 'learning_curve.dat' using 2:7:8 with filledcurves "
                          "fc rgb '#fdae6b' fs transparent solid 0.35 noborder "
                          "title 'training ± 1 std', \\\n"
                          "     'learning_curve.dat' using 2:9:10 with filledcurves "
                          "fc rgb '#9ecae1' fs transparent solid 0.45 noborder "
                          "title 'validation ± 1 std', \\\n"
                          "     'learning_curve.dat' using 2:3 with linespoints pt 7 lw 2 "
                          "lc rgb '#e6550d' title '%s', \\\n"
                          "     'learning_curve.dat' using 2:5 with linespoints pt 7 lw 2 "
                          "lc rgb '#08519c' title '%s'\n",
                     tr_name, va_name);
    int rc = tune_report_mkdir(o->out_dir, err);
    if (!rc)
        rc = tune_text_save(&data, o->out_dir, "learning_curve.dat", err);
    if (!rc)
        rc = tune_text_save(&folds, o->out_dir, "learning_curve_folds.dat", err);
    if (!rc)
        rc = tune_plot_finish(&gp, o, log, "learning_curve",
                              "Training and validation score against training rows", err);
    tune_text_release(&data);
    tune_text_release(&folds);
    tune_text_release(&gp);
    return rc;
}
