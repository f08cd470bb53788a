/* SPDX-License-Identifier: GPL-3.0-or-later */
/* study.c — the study loop: claim a trial, ask the searcher for its point,
 * cross-validate it (src/crossval.c), tell the store; and the whole-study
 * policy every worker follows (tune_study_run).
 *
 * Cost per trial.  The searcher's history and the study's progress come from
 * a watch (src/watch.c) that reads only the trials created or changed since
 * its last poll, so a step costs what changed plus the searcher's own work,
 * not the size of the study.  A trial's result — metrics, intermediate
 * values, and for a new best its out-of-fold predictions and importances —
 * is one store transaction.
 *
 * Seeds: the folds come from the study seed alone; the searcher's generator
 * is seeded from (study seed, seq), so point seq is the same whatever the
 * number of workers (see src/crossval.c for the trainers' seeds).
 *
 * Search power.  A study of several trainers resolves each trial's trainer
 * from its point (the "trainer" choice, space.params[0]) and gives that
 * trainer its fixed params and its active parameters; inactive ones keep
 * its defaults.  Seqs below the number of enqueued points take those
 * points; the searcher sees the seqs after them from 0.  A complete trial's
 * constraints are judged here, once, and the violation stored with it.
 * Warm-start studies' trials are read at open, as prior observations that
 * follow every suggestion's history. */
#include "tunefold/study.h"
#include "tunefold/text.h"
#include "tunefold/cv.h"
#include "tunefold/external.h"
#include "tunefold/pareto.h"
#include "src/crossval.h"
#include "src/data_store.h"
#include "src/heartbeat.h"
#include "src/prune.h"
#include "src/seed.h"

#include <cJSON.h>
#include <errno.h>
#include <gsl/gsl_rng.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Preprocessed folds are kept for the whole study when they fit in this. */
#define FOLD_CACHE_MAX ((size_t)2 << 30)

struct tune_study {
    const struct tune_study_config *cfg;
    struct tune_store *store;
    struct tune_study_info info;
    struct tune_dataset *ds;
    struct tune_splits *splits;
    struct tune_fold *folds;      /* splits->n, or NULL when too large to keep */
    struct tune_searcher *searcher;
    struct tune_pruner *pruner;   /* NULL: every trial runs in full */
    struct tune_watch *watch;     /* the history and progress, read incrementally */
    size_t n_threads;             /* trainer threads: this worker's share of the cores */
    size_t fold_jobs;             /* a trial's folds side by side at most (crossval.h) */
    double fold_seconds;          /* the last trial's fit + predict a fold, NAN before one */
    gsl_rng *rng;
    double *point;        /* space.n */
    double *values;       /* cfg->max_hparams */
    size_t choice;        /* the trainer of the trial in hand: cfg->choices[choice] */
    /* prior observations (search.warm_start), and the history they join */
    struct tune_history_entry *priors;
    size_t n_priors;
    double *prior_data;   /* their points, objectives and slacks */
    struct tune_history_entry *hist;
    size_t hist_cap;
    char *params_json;    /* last step's */
    struct tune_heartbeat *heartbeat;  /* NULL unless started */
    const volatile sig_atomic_t *cancel; /* the caller's stop-now flag, or NULL */
    /* while tune_study_run works the study (for a wait in the claim, batch_view): */
    const struct tune_run_options *run;  /* its options (stop flag, stop rules), or NULL */
    double run_started;
    double stale;                 /* seconds without a heartbeat before a trial is lost */
    double last_stale_check;      /* when recover_stale_due last looked */
    int wait_cut;                 /* batch_view gave up its wait: a stop was asked or a
                                     stop rule met (the claim was given back) */
    int shared;                   /* other machines work on the study too */
    char errbuf[TUNE_ERROR_MSG_MAX];
};

static int cancelled(const struct tune_study *s)
{
    return s->cancel && *s->cancel;
}

void tune_study_set_cancel(struct tune_study *s, const volatile sig_atomic_t *flag)
{
    s->cancel = flag;
}

void tune_study_set_store(struct tune_study *s, struct tune_store *store)
{
    s->store = store;
    tune_watch_set_store(s->watch, store);
}

void tune_study_set_shared(struct tune_study *s, int shared)
{
    s->shared = shared != 0;
}

int tune_study_start_heartbeat(struct tune_study *s, const char *store_url,
                               struct tune_error *err)
{
    if (s->heartbeat)
        return TUNE_OK;
    return tune_heartbeat_start(store_url, s->info.id, TUNE_HEARTBEAT_SECONDS, &s->heartbeat,
                                err);
}

/* The study's data against what the store keeps of it.  A study keeps its
 * data file (deflated) and the file's checksum and shape from its creation
 * on (src/data_store.c): loaded from the store when this machine lacks the
 * file, kept now when the study has none yet (new, or made by an older
 * tunefold), and otherwise compared: trials scored on other data than the
 * study's first ones would be ranked together silently. */
static int study_data(struct tune_study *s, int from_store, struct tune_error *err)
{
    const struct tune_study_config *cfg = s->cfg;
    struct tune_data_info kept;
    int rc = tune_data_store_info(s->store, s->info.id, &kept, err);
    (void)kept;
    if (from_store) {
        if (rc == TUNE_ENOTFOUND) /* say why the file itself could not be read */
            return tune_dataset_load_opts(cfg->data_path, cfg->target, cfg->task, &cfg->csv,
                                          &s->ds, err);
        return rc ? rc
                  : tune_data_store_load(s->store, s->info.id, cfg->target, cfg->task,
                                         &cfg->csv, &s->ds, err);
    }
    if (rc == TUNE_ENOTFOUND)
        return tune_data_store_save(s->store, s->info.id, cfg->data_path, s->ds, err);
    return rc ? rc : tune_study_check_data(s->store, &s->info, s->ds, cfg->data_path, err);
}

int tune_study_check_data(struct tune_store *store, const struct tune_study_info *info,
                          const struct tune_dataset *ds, const char *path,
                          struct tune_error *err)
{
    struct tune_data_info kept;
    int rc = tune_data_store_info(store, info->id, &kept, err);
    if (rc == TUNE_ENOTFOUND)
        return TUNE_OK;
    if (rc)
        return rc;
    if (kept.checksum != ds->checksum || kept.rows != ds->n_rows ||
        kept.columns != ds->n_cols_file)
        return tune_error_set(err, TUNE_EINVAL,
                              "%s has changed since study '%s' was created on it (then %zu rows "
                              "x %zu columns, xxh64 %016" PRIx64 "; now %zu rows x %zu columns, "
                              "xxh64 %016" PRIx64 "): its trials would not be comparable; give "
                              "the study a new name",
                              path, info->name, kept.rows, kept.columns, kept.checksum,
                              ds->n_rows, ds->n_cols_file, ds->checksum);
    return TUNE_OK;
}

/* The parts of a canonical study text that decide what a point means: the
 * trainer (or trainers) and the space. */
static int same_search_space(const char *a, const char *b)
{
    static const char *const keys[] = {"trainer", "trainers", "space", NULL};
    cJSON *x = cJSON_Parse(a), *y = cJSON_Parse(b);
    int same = x && y;
    for (size_t i = 0; same && keys[i]; i++) {
        const cJSON *u = cJSON_GetObjectItemCaseSensitive(x, keys[i]);
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(y, keys[i]);
        same = (!u && !v) || (u && v && cJSON_Compare(u, v, 1));
    }
    cJSON_Delete(x);
    cJSON_Delete(y);
    return same;
}

/* search.warm_start: every complete trial of the named studies, with the
 * same trainer, space and objective, as a prior observation (its
 * objectives and slacks judged by this study's objectives and
 * constraints).  Read once, when the study opens. */
static int load_priors(struct tune_study *s, struct tune_error *err)
{
    const struct tune_study_config *cfg = s->cfg;
    size_t d = cfg->space.n, k = cfg->n_objectives, c = cfg->n_constraints;
    size_t per = d + k + c, cap = 0;
    int rc = TUNE_OK, track = k > 1 || c > 0;
    double *vals = calloc(c + 1, sizeof *vals);
    if (!vals)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    for (size_t w = 0; w < cfg->n_warm_start && !rc; w++) {
        struct tune_study_info other;
        rc = tune_store_study_find(s->store, cfg->warm_start[w], &other, err);
        if (rc == TUNE_ENOTFOUND) {
            rc = tune_error_set(err, TUNE_EINVAL,
                                "%s: search.warm_start[%zu]: no study '%s' in this store",
                                cfg->file, w, cfg->warm_start[w]);
            break;
        }
        if (rc)
            break;
        if (!same_search_space(other.config_json, cfg->canonical) ||
            strcmp(other.metric, cfg->metric) != 0 || other.maximize != cfg->maximize) {
            rc = tune_error_set(err, TUNE_EINVAL,
                                "%s: search.warm_start[%zu]: study '%s' %s, so its trials "
                                "cannot be prior observations of this one",
                                cfg->file, w, cfg->warm_start[w],
                                strcmp(other.metric, cfg->metric) != 0 ||
                                        other.maximize != cfg->maximize
                                    ? "has another objective"
                                    : "has another trainer or space");
            tune_study_info_release(&other);
            break;
        }
        for (int first = 0; !rc;) {
            struct tune_trial *t = NULL;
            size_t got = 0;
            if ((rc = tune_store_trial_page(s->store, other.id, first, 1000, track, &t, &got,
                                            err)))
                break;
            for (size_t i = 0; i < got && !rc; i++) {
                if (t[i].state != TUNE_TRIAL_COMPLETE || isnan(t[i].value))
                    continue;
                if (s->n_priors == cap) {
                    size_t nc = cap ? 2 * cap : 64;
                    struct tune_history_entry *e = realloc(s->priors, nc * sizeof *e);
                    if (e)
                        s->priors = e;
                    double *dd = e ? realloc(s->prior_data, nc * per * sizeof *dd) : NULL;
                    if (!dd) {
                        rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
                        break;
                    }
                    s->prior_data = dd;
                    cap = nc;
                }
                double *row = &s->prior_data[s->n_priors * per];
                if (!tune_space_point_from_json(&cfg->space, t[i].params_json, row))
                    continue;
                for (size_t j = 0; j < k; j++)
                    row[d + j] = j == 0 ? t[i].value
                                        : tune_trial_metric(&t[i], cfg->objectives[j].metric);
                for (size_t j = 0; j < c; j++) {
                    vals[j] = tune_trial_metric(&t[i], cfg->constraints[j].metric);
                    row[d + k + j] = tune_constraint_slack(&cfg->constraints[j], vals[j]);
                }
                s->priors[s->n_priors++] = (struct tune_history_entry){
                    .number = -1,
                    .state = TUNE_TRIAL_COMPLETE,
                    .value = t[i].value,
                    .value_std = t[i].value_std,
                    .violation = tune_constraints_violation(cfg->constraints, c, vals),
                    .prior = 1};
            }
            if (got)
                first = t[got - 1].number + 1;
            tune_trials_free(t, got);
            if (got < 1000)
                break;
        }
        tune_study_info_release(&other);
    }
    free(vals);
    /* the pointers, now that the data no longer moves */
    for (size_t i = 0; !rc && i < s->n_priors; i++) {
        double *row = &s->prior_data[i * per];
        s->priors[i].point = row;
        s->priors[i].objectives = track && k ? row + d : NULL;
        s->priors[i].slack = c ? row + d + k : NULL;
    }
    return rc;
}

/* Whether the study optimizes or bounds a fit's or a prediction's time: its
 * folds then run one after another, each with all of the worker's threads,
 * so that the seconds measure the trainer and not its neighbour's use of
 * the memory bus. */
static int timed(const struct tune_study_config *cfg)
{
    for (size_t i = 0; i < cfg->n_objectives; i++)
        if (tune_metric_is_timing(cfg->objectives[i].metric))
            return 1;
    for (size_t i = 0; i < cfg->n_constraints; i++)
        if (tune_metric_is_timing(cfg->constraints[i].metric))
            return 1;
    return 0;
}

int tune_study_open(const struct tune_study_config *cfg, struct tune_store *store,
                    struct tune_study **out, struct tune_error *err)
{
    *out = NULL;
    struct tune_study *s = calloc(1, sizeof *s);
    if (!s)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    s->cfg = cfg;
    s->store = store;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    size_t workers = cfg->workers ? cfg->workers : 1;
    s->n_threads = cores > (long)workers ? (size_t)cores / workers : 1;
    s->fold_jobs = timed(cfg) ? 1 : s->n_threads;
    s->fold_seconds = NAN;
    int rc, created;
    s->stale = TUNE_STALE_SECONDS; /* tune_study_run's own, while it runs */
    s->last_stale_check = -HUGE_VAL;
    s->rng = gsl_rng_alloc(gsl_rng_mt19937);
    s->point = calloc(cfg->space.n + 1, sizeof *s->point);
    size_t nh = cfg->trainer && cfg->trainer->n_hparams > cfg->max_hparams
                    ? cfg->trainer->n_hparams
                    : cfg->max_hparams;
    s->values = calloc(nh + 1, sizeof *s->values);
    if (!s->rng || !s->point || !s->values) {
        rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
        goto fail;
    }
    if ((rc = tune_searcher_new(cfg->searcher, &cfg->space, &cfg->search_opts, &s->searcher,
                                err))) {
        tune_error_prefix(err, "%s", cfg->file);
        goto fail;
    }
    if (cfg->pruner && cfg->pruner != &tune_pruner_none) {
        struct tune_prune_options po = {cfg->pruning_options, cfg->n_folds};
        if ((rc = tune_pruner_new(cfg->pruner, &po, &s->pruner, err))) {
            tune_error_prefix(err, "%s", cfg->file);
            goto fail;
        }
    }
    /* The data: from its file, or — on a machine that does not have the file
     * — from the copy the store keeps of an existing study's data. */
    int from_store = 0;
    if (!cfg->score_mode) {
        if (access(cfg->data_path, F_OK) != 0) {
            struct tune_study_info found;
            if (tune_store_study_find(store, cfg->name, &found, NULL) == TUNE_OK) {
                tune_study_info_release(&found);
                from_store = 1;
            }
        }
        if (!from_store && (rc = tune_dataset_load_opts(cfg->data_path, cfg->target, cfg->task,
                                                        &cfg->csv, &s->ds, err)))
            goto fail;
    }
    if ((rc = tune_store_study_create_or_load(store, cfg->name, cfg->canonical, cfg->metric,
                                              cfg->maximize, &s->info, &created, err)) ||
        (rc = tune_watch_new(store, s->info.id, s->info.maximize, &cfg->space, &s->watch,
                             err)))
        goto fail;
    if ((cfg->n_objectives > 1 || cfg->n_constraints) &&
        (rc = tune_watch_set_objectives(s->watch, cfg->n_objectives, cfg->objectives,
                                        cfg->n_constraints, cfg->constraints, err)))
        goto fail;
    if (cfg->n_warm_start && (rc = load_priors(s, err)))
        goto fail;
    if (cfg->score_mode)
        goto done; /* the program evaluates itself: no data, no folds */
    if ((rc = study_data(s, from_store, err)))
        goto fail;
    if ((rc = tune_cv_split(&cfg->cv, s->ds->n_rows, s->ds->y, s->ds->n_classes, cfg->seed,
                            &s->splits, err))) {
        tune_error_prefix(err, "%s", cfg->file);
        goto fail;
    }
    if ((rc = tune_folds_prepare(s->ds, s->splits, &cfg->prep, FOLD_CACHE_MAX, &s->folds,
                                 err))) {
        tune_error_prefix(err, "%s", cfg->data_path);
        goto fail;
    }
done:
    *out = s;
    return TUNE_OK;
fail:
    tune_study_close(s);
    return rc;
}

void tune_study_close(struct tune_study *s)
{
    if (!s)
        return;
    tune_heartbeat_stop(s->heartbeat);
    tune_watch_free(s->watch);
    tune_study_info_release(&s->info);
    tune_folds_free(s->folds, s->splits ? s->splits->n : 0);
    tune_dataset_free(s->ds);
    tune_splits_free(s->splits);
    gsl_rng_free(s->rng);
    tune_searcher_free(s->searcher);
    tune_pruner_free(s->pruner);
    free(s->point);
    free(s->values);
    free(s->params_json);
    free(s->priors);
    free(s->prior_data);
    free(s->hist);
    free(s);
}

const struct tune_study_info *tune_study_get_info(const struct tune_study *s)
{
    return &s->info;
}

const struct tune_dataset *tune_study_dataset(const struct tune_study *s)
{
    return s->ds;
}

size_t tune_study_budget(const struct tune_study *s, size_t override)
{
    size_t budget = override ? override : s->cfg->trials;
    size_t max = s->cfg->searcher->max_points ? s->cfg->searcher->max_points(&s->cfg->space) : 0;
    return max && budget > max ? max : budget;
}

int tune_study_progress(struct tune_study *s, struct tune_progress *p, struct tune_error *err)
{
    int rc = tune_watch_poll(s->watch, NULL, NULL, err);
    if (rc)
        return rc;
    *p = *tune_watch_progress(s->watch);
    return TUNE_OK;
}

/* Choice k's trainer.  With one "trainer" it is the config's own (which a
 * program may have set by hand, choices[] or not). */
static const struct tune_trainer_type *trainer_of(const struct tune_study_config *cfg, size_t k)
{
    return cfg->choose_trainer ? cfg->choices[k].trainer : cfg->trainer;
}

/* The trainer of a space point (its choice) and its values: the choice's
 * fixed values, then its active parameters of the point. */
static size_t resolve_point(const struct tune_study_config *cfg, const double *point,
                            double *values)
{
    size_t which = cfg->choose_trainer ? (size_t)point[0] : 0;
    const struct tune_trainer_type *tr = trainer_of(cfg, which);
    size_t first = cfg->choose_trainer ? cfg->choices[which].first : 0;
    size_t n = cfg->choose_trainer ? cfg->choices[which].n : cfg->space.n;
    memcpy(values, cfg->choose_trainer ? cfg->choices[which].fixed : cfg->fixed,
           tr->n_hparams * sizeof *values);
    for (size_t i = first; i < first + n; i++) {
        const struct tune_param *p = &cfg->space.params[i];
        if (isnan(point[i]))
            continue; /* inactive: the trainer's own value */
        long idx = tune_trainer_hparam_index(tr, tune_param_key(p));
        const struct tune_hparam *h = &tr->hparams[idx];
        double v = point[i];
        if (p->type == TUNE_PARAM_CATEGORICAL) {
            const char *text = p->values[(size_t)v];
            if (h->type == TUNE_PARAM_CATEGORICAL) {
                for (size_t k = 0; h->choices[k]; k++)
                    if (strcmp(h->choices[k], text) == 0)
                        v = (double)k;
            } else {
                v = strtod(text, NULL);
            }
        }
        values[idx] = v;
    }
    return which;
}

/* A clustering trial's validated rows as k-means saw them
 * ("oof_features.csv" text): the report's silhouette and projection need the
 * rows, and reports never refit a fold's preprocessing. */
static int features_format(struct tune_study *s, const struct tune_cv_result *cv, char **text,
                           size_t *len, struct tune_error *err)
{
    struct tune_oof_features *a = NULL;
    int rc = tune_oof_features_new(s->ds->n_rows, cv->oof_fold, &a, err);
    for (size_t f = 0; !rc && f < s->splits->n; f++) {
        struct tune_fold own, *pf = s->folds ? &s->folds[f] : &own;
        if (!s->folds &&
            (rc = tune_fold_prepare(s->ds, &s->splits->splits[f], &s->cfg->prep, &own, err)))
            break;
        rc = tune_oof_features_add(a, (int)f, &s->splits->splits[f], &pf->xva,
                                   (const char *const *)pf->names, err);
        if (!s->folds)
            tune_fold_release(&own);
    }
    if (!rc)
        rc = tune_oof_features_format(a, text, len, err);
    tune_oof_features_free(a);
    return rc;
}

/* Trial artifacts a trainer hands over (an external program's stderr). */
struct attach_target {
    struct tune_store *store;
    int64_t study_id;
    int number;
};

static int attach_artifact(void *arg, const char *name, const void *data, size_t len)
{
    struct attach_target *t = arg;
    struct tune_error err;
    return tune_store_artifact_save(t->store, t->study_id, t->number, name, data, len, &err);
}

static int add_summary(struct tune_cv_result *cv, const char *name, double value)
{
    struct tune_metric_summary *m = &cv->metrics[cv->n_metrics];
    m->name = strdup(name);
    m->folds = malloc(sizeof *m->folds);
    if (!m->name || !m->folds) {
        free(m->name);
        free(m->folds);
        m->name = NULL;
        m->folds = NULL;
        return TUNE_ENOMEM;
    }
    m->folds[0] = m->mean = value;
    m->std = NAN;
    m->n_folds = 1;
    cv->n_metrics++;
    return TUNE_OK;
}

/* Score mode: the program runs once and reports its objective (stored as
 * the metric "objective") and any numeric "metrics" it printed. */
static int score_run(struct tune_study *s, const struct tune_params *params,
                     const struct tune_cv_run *run, struct tune_cv_result *cv,
                     struct tune_error *err)
{
    struct tune_fit_ctx ctx = {.seed = tune_mix64(run->seed ^
                                                  tune_mix64((uint64_t)run->trial + 77)),
                               .report = run->prune ? tune_prune_report : tune_trial_log_report,
                               .report_arg = run->prune ? (void *)run->prune : (void *)run->log,
                               .n_threads = run->n_threads,
                               .type = trainer_of(s->cfg, s->choice),
                               .trial = run->trial,
                               .fold = -1,
                               .cancel = run->cancel,
                               .attach = run->attach,
                               .attach_arg = run->attach_arg};
    struct tune_score_result sc;
    memset(cv, 0, sizeof *cv);
    run->log->fold = -1;
    double t0 = tune_clock_seconds();
    int rc = trainer_of(s->cfg, s->choice)->score(&ctx, params, &sc, err);
    if (rc && run->prune && run->prune->pruned) {
        /* stopped by the pruner: no objective, only the values so far */
        tune_error_clear(err);
        cv->fit_seconds = tune_clock_seconds() - t0;
        cv->predict_seconds = NAN;
        return TUNE_OK;
    }
    if (rc)
        return rc;
    sc.seconds = tune_clock_seconds() - t0;
    cv->metrics = calloc(sc.n_metrics + 2, sizeof *cv->metrics);
    rc = cv->metrics ? add_summary(cv, "objective", sc.objective) : TUNE_ENOMEM;
    for (size_t i = 0; rc == TUNE_OK && i < sc.n_metrics; i++)
        if (strcmp(sc.metric_names[i], "objective") != 0)
            rc = add_summary(cv, sc.metric_names[i], sc.metric_values[i]);
    cv->n_folds = 1;
    cv->fit_seconds = sc.seconds;
    cv->predict_seconds = 0;
    tune_score_result_release(&sc);
    if (rc) {
        tune_cv_result_release(cv);
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    }
    return TUNE_OK;
}

/* Would `value` be the study's new best, given what the watch knows now?
 * Never for a trial that broke the constraints. */
static int beats_best(const struct tune_study *s, double value, double violation, int number)
{
    const struct tune_progress *p = tune_watch_progress(s->watch);
    if (isnan(value) || violation > 0)
        return 0;
    if (p->best_number < 0)
        return 1;
    if (value == p->best_value)
        return number < p->best_number;
    return s->info.maximize ? value > p->best_value : value < p->best_value;
}

/* A cross-validation's value of `metric`: a metric's mean, or a timing. */
static double cv_metric(const struct tune_cv_result *cv, const char *metric)
{
    if (strcmp(metric, "fit_seconds") == 0)
        return cv->fit_seconds;
    if (strcmp(metric, "predict_seconds") == 0)
        return cv->predict_seconds;
    for (size_t m = 0; m < cv->n_metrics; m++)
        if (strcmp(cv->metrics[m].name, metric) == 0)
            return cv->metrics[m].mean;
    return NAN;
}

/* How far a result broke the study's constraints (0: it kept them). */
static double cv_violation(const struct tune_study_config *cfg, const struct tune_cv_result *cv)
{
    double vals[64];
    size_t n = cfg->n_constraints < 64 ? cfg->n_constraints : 64;
    for (size_t i = 0; i < n; i++)
        vals[i] = cv_metric(cv, cfg->constraints[i].metric);
    return tune_constraints_violation(cfg->constraints, n, vals);
}

static int ascending(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The objective a trial stopped at a step would likely have reached, from
 * its last value: the share q of the complete trials whose value at that
 * step (and fold) was better than its value there, mapped onto the same
 * share of their objectives (q = 0: the best of them, 1: the worst,
 * linearly between).  It assumes the trials keep their order from that
 * step to the end, which is what a pruner assumed in stopping it.  NAN
 * when no complete trial reported that step; a store error leaves NAN too
 * (the trial is then a censored observation, searchers/bayes.c). */
static double estimate_from_last_value(struct tune_study *s, const struct tune_prune_run *p)
{
    struct tune_step_value *v = NULL;
    size_t n = 0;
    struct tune_error e;
    if (tune_store_trial_values_at(s->store, s->info.id, p->stop_fold, (size_t)p->pruned_at, &v,
                                   &n, &e) ||
        tune_watch_poll(s->watch, NULL, NULL, &e)) {
        free(v);
        return NAN;
    }
    double *loss = malloc((n + 1) * sizeof *loss), est = NAN;
    size_t m = 0, better = 0;
    int larger = p->env.values_maximize;
    for (size_t i = 0; loss && i < n; i++) {
        const struct tune_trial_brief *b = tune_watch_trial(s->watch, v[i].number);
        if (v[i].state != TUNE_TRIAL_COMPLETE || v[i].lost || !b || !isfinite(b->value) ||
            !isfinite(v[i].value))
            continue;
        loss[m++] = s->info.maximize ? -b->value : b->value;
        better += larger ? v[i].value > p->stop_value : v[i].value < p->stop_value;
    }
    if (m > 0) {
        qsort(loss, m, sizeof *loss, ascending);
        double pos = (double)better / (double)m * (double)(m - 1);
        size_t lo = (size_t)pos;
        est = lo + 1 < m ? loss[lo] + (pos - (double)lo) * (loss[lo + 1] - loss[lo]) : loss[m - 1];
        est = s->info.maximize ? -est : est;
    }
    free(loss);
    free(v);
    return est;
}

/* Whether this trial's folds may go side by side (up to s->fold_jobs):
 * only when a fold is worth a thread.  A thread costs tens of microseconds
 * to start and join, more than a near-free fit (naive Bayes on a few dozen
 * rows) takes, so the rule is the last trial's time a fold, at least
 * FOLD_JOBS_MIN_SECONDS; before the first, the folds' size, at least
 * FOLD_JOBS_MIN_CELLS training values.  Either way the result is the same:
 * this decides the time only. */
#define FOLD_JOBS_MIN_SECONDS 0.002
#define FOLD_JOBS_MIN_CELLS 100000
static int side_by_side(const struct tune_study *s)
{
    if (s->fold_jobs < 2 || !s->folds)
        return 0;
    if (!isnan(s->fold_seconds))
        return s->fold_seconds >= FOLD_JOBS_MIN_SECONDS;
    return (double)s->folds[0].xtr.n_rows * (double)s->folds[0].xtr.n_cols >= FOLD_JOBS_MIN_CELLS;
}

/* Run one configuration and finish its (already claimed) trial.  A search
 * trial (seq >= 0) is watched by the study's pruner, if any. */
static int evaluate_trial(struct tune_study *s, int number, int seq, struct tune_step *step,
                          struct tune_cv_result *keep, struct tune_error *err)
{
    const struct tune_study_config *cfg = s->cfg;
    const struct tune_trainer_type *tr = trainer_of(cfg, s->choice);
    const char *names[128], *strings[128];
    size_t n = tr->n_hparams < 128 ? tr->n_hparams : 128;
    for (size_t i = 0; i < n; i++) {
        const struct tune_hparam *h = &tr->hparams[i];
        names[i] = h->name;
        strings[i] = h->type == TUNE_PARAM_CATEGORICAL ? h->choices[(size_t)s->values[i]] : NULL;
    }
    struct tune_params params = {n, names, s->values, strings};
    struct tune_cv_result cv = {0};
    struct tune_trial_result res = {0};
    struct tune_error terr = {0};
    struct tune_trial_log log = {0};
    struct tune_importances imp = {0};
    struct attach_target at = {s->store, s->info.id, number};
    struct tune_cv_run run = {.seed = cfg->seed,
                              .n_threads = s->n_threads,
                              .fold_jobs = side_by_side(s) ? s->fold_jobs : 1,
                              .trial = number,
                              .log = &log,
                              .importances = &imp,
                              .cancel = s->cancel,
                              .attach = attach_artifact,
                              .attach_arg = &at,
                              .objective = cfg->metric};
    /* Early stopping: intermediate values are losses for the built-in
     * trainers, and in the objective's direction for a program (pruner.h). */
    struct tune_prune_run prune = {0};
    if (seq >= 0 && tune_pruner_active(s->pruner)) {
        struct tune_prune_env env = {.store = s->store,
                                     .study_id = s->info.id,
                                     .metric = cfg->metric,
                                     .maximize = s->info.maximize,
                                     .values_maximize =
                                         tune_external_of(tr) ? s->info.maximize : 0};
        int prc = tune_prune_run_init(&prune, s->pruner, &env, number, seq, &log, cfg->n_folds,
                                      err);
        if (prc) {
            struct tune_error rerr;
            tune_store_trial_release(s->store, s->info.id, number, "out of memory", &rerr);
            return prc;
        }
        run.prune = &prune;
    }
    tune_heartbeat_set(s->heartbeat, number);
    double t0 = tune_clock_seconds();
    int rc = tr->check ? tr->check(&params, &terr) : TUNE_OK;
    if (rc)
        terr.code = rc = TUNE_ETRAINER;
    else if (tr->version >= 2 && tr->score) /* it evaluates itself */
        rc = score_run(s, &params, &run, &cv, &terr);
    else
        rc = tune_cross_validate_run(s->ds, s->splits, s->folds, &cfg->prep, tr, &params, &run,
                                     &cv, &terr);
    step->number = number;
    step->params_json = s->params_json;
    step->seconds = tune_clock_seconds() - t0;
    step->error = NULL;
    step->is_best = 0;

    /* A program this machine cannot start, in a study other machines share:
     * the trial is left to them (released as lost) and this worker stops. */
    if (rc == TUNE_ENOPROGRAM && s->shared) {
        tune_cv_result_release(&cv);
        tune_importances_release(&imp);
        free(log.v);
        tune_heartbeat_set(s->heartbeat, -1);
        char reason[TUNE_ERROR_MSG_MAX + 64];
        snprintf(reason, sizeof reason, "left to other workers: %s", terr.msg);
        int rrc = tune_store_trial_release(s->store, s->info.id, number, reason, err);
        if (rrc)
            return rrc;
        *err = terr;
        return tune_error_prefix(err, "this machine cannot run trial %d (left to other workers)",
                                 number);
    }
    /* Cut short by the caller: the trial never had its chance.  Give it up
     * as lost, so that a resumed study runs its point again. */
    if (rc != TUNE_OK && cancelled(s)) {
        tune_cv_result_release(&cv);
        tune_importances_release(&imp);
        tune_prune_run_release(&prune);
        free(log.v);
        tune_heartbeat_set(s->heartbeat, -1);
        step->state = TUNE_TRIAL_FAILED;
        step->value = step->value_std = NAN;
        step->error = "interrupted";
        return tune_store_trial_release(s->store, s->info.id, number, "interrupted", err);
    }

    if (rc == TUNE_OK) {
        const struct tune_metric_summary *obj = NULL;
        for (size_t m = 0; m < cv.n_metrics; m++)
            if (strcmp(cv.metrics[m].name, cfg->metric) == 0)
                obj = &cv.metrics[m];
        res.state = TUNE_TRIAL_COMPLETE;
        res.value = obj ? obj->mean : cv_metric(&cv, cfg->metric);
        res.value_std = obj ? obj->std : NAN;
        res.violation = cv_violation(cfg, &cv);
        res.fit_seconds = cv.fit_seconds;
        res.predict_seconds = cv.predict_seconds;
        if (isfinite(cv.fit_seconds) && isfinite(cv.predict_seconds))
            s->fold_seconds = cv.fit_seconds + cv.predict_seconds;
        res.n_metrics = cv.n_metrics;
        res.metrics = cv.metrics;
        if (prune.pruned) {
            /* stopped early: the objective over the folds that ran in full
             * (NAN when none did), where it stopped and why */
            res.state = TUNE_TRIAL_PRUNED;
            res.pruned_at = prune.pruned_at;
            res.violation = 0; /* its metrics are partial: the constraints judge complete trials */
            if (prune.by_step && isnan(res.value))
                res.value = estimate_from_last_value(s, &prune);
            snprintf(s->errbuf, sizeof s->errbuf, "%s", prune.reason);
            res.error = s->errbuf;
        } else if (isnan(res.value)) {
            res.state = TUNE_TRIAL_FAILED;
            snprintf(s->errbuf, sizeof s->errbuf,
                     "objective %s is undefined on at least one fold (e.g. a fold with one "
                     "class)",
                     cfg->metric);
            res.error = s->errbuf;
        }
    } else {
        res.state = TUNE_TRIAL_FAILED;
        res.value = res.value_std = NAN;
        res.fit_seconds = res.predict_seconds = NAN;
        snprintf(s->errbuf, sizeof s->errbuf, "%s",
                 terr.msg[0] ? terr.msg : tune_status_str(terr.code ? terr.code : rc));
        res.error = s->errbuf;
    }
    res.n_intermediate = log.n;
    res.intermediate = log.v;

    /* A new best keeps its out-of-fold predictions and importances for the
     * reports, in the same transaction as its result.  "New best" is judged
     * on what every worker has stored up to now. */
    struct tune_artifact arts[3];
    char *oof_text = NULL, *imp_text = NULL, *feat_text = NULL;
    int frc = tune_watch_poll(s->watch, NULL, NULL, err);
    if (frc == TUNE_OK && res.state == TUNE_TRIAL_COMPLETE &&
        beats_best(s, res.value, res.violation, number)) {
        size_t len;
        step->is_best = 1;
        if (s->ds && (frc = tune_oof_format(s->ds, &cv, &oof_text, &len, err)) == TUNE_OK)
            arts[res.n_artifacts++] = (struct tune_artifact){"oof.csv", oof_text, len};
        if (frc == TUNE_OK && s->ds && s->ds->task == TUNE_TASK_CLUSTERING &&
            (frc = features_format(s, &cv, &feat_text, &len, err)) == TUNE_OK)
            arts[res.n_artifacts++] = (struct tune_artifact){"oof_features.csv", feat_text, len};
        if (frc == TUNE_OK && imp.folds > 0 &&
            (frc = tune_importances_csv(&imp, &imp_text, &len, err)) == TUNE_OK)
            arts[res.n_artifacts++] = (struct tune_artifact){"importances.csv", imp_text, len};
        res.artifacts = arts;
    }
    if (frc == TUNE_OK)
        frc = tune_store_trial_finish(s->store, s->info.id, number, &res, err);
    tune_heartbeat_set(s->heartbeat, -1);
    free(oof_text);
    free(imp_text);
    free(feat_text);
    free(log.v);
    tune_importances_release(&imp);
    tune_prune_run_release(&prune);
    step->state = res.state;
    step->value = res.value;
    step->value_std = res.value_std;
    step->error = res.error;
    step->violation = res.violation > 0 ? res.violation : 0;
    if (keep && frc == TUNE_OK)
        *keep = cv;
    else
        tune_cv_result_release(&cv);
    if (frc)
        return frc;
    if (prune.failed) { /* the trial is stored; the store failed the pruner */
        *err = prune.err;
        return prune.err.code ? prune.err.code : TUNE_ESTORE;
    }
    /* A data problem (not a trainer's) fails every trial alike: stop. */
    if (rc && rc != TUNE_ETRAINER && rc != TUNE_ENUMERIC && rc != TUNE_ENOPROGRAM) {
        *err = terr;
        return rc;
    }
    return TUNE_OK;
}

/* Room for n entries in s->hist. */
static int hist_reserve(struct tune_study *s, size_t n, struct tune_error *err)
{
    if (n > s->hist_cap) {
        struct tune_history_entry *e = realloc(s->hist, n * sizeof *e);
        if (!e)
            return tune_error_set(err, TUNE_ENOMEM, "out of memory for the history");
        s->hist = e;
        s->hist_cap = n;
    }
    return TUNE_OK;
}

/* The history followed by the prior observations, in s->hist (h may
 * already be there: batch_view). */
static int with_priors(struct tune_study *s, struct tune_history *h, struct tune_error *err)
{
    size_t n = h->n + s->n_priors;
    if (h->entries != s->hist) {
        int rc = hist_reserve(s, n, err);
        if (rc)
            return rc;
        memcpy(s->hist, h->entries, h->n * sizeof *s->hist);
    }
    memcpy(s->hist + h->n, s->priors, s->n_priors * sizeof *s->hist);
    h->entries = s->hist;
    h->n = n;
    return TUNE_OK;
}

/* ---- search.batch: the same study for any number of workers -------------------
 *
 * With batch B, search trial `mine` is suggested from the results of the
 * trials numbered up to mine - B and from the points alone of the B - 1
 * before it, which the searcher sees as running (bayes believes them:
 * kriging believer), whether or not they have finished since; trials
 * claimed after it are left out.  Its point is then a function of those
 * trials only, and by induction the whole study is the one a single
 * worker makes with the same B, however many workers run and however
 * their trials overlap.  B = 1 is the sequential study.  Before it
 * suggests, a worker waits for those results and points; a trial lost
 * with its worker is found stale meanwhile and counts as finished (failed),
 * like any failed trial.  Trials claimed by hand (evaluate, tell) and
 * pruned trials' estimates depend on when they are stored, as ever. */

static int batch_waiting(const struct tune_history *h, int mine, size_t batch)
{
    for (size_t i = 0; i < h->n; i++) {
        const struct tune_history_entry *e = &h->entries[i];
        if (e->number < mine && e->state == TUNE_TRIAL_RUNNING &&
            (!e->point || (long)e->number <= (long)mine - (long)batch))
            return 1;
    }
    return 0;
}

static int by_entry_number(const void *a, const void *b)
{
    int x = ((const struct tune_history_entry *)a)->number;
    int y = ((const struct tune_history_entry *)b)->number;
    return (x > y) - (x < y);
}

static enum tune_stop stop_rule(struct tune_study *s, const struct tune_run_options *o,
                                double started);

/* Mark the trials gone stale as lost, once every eighth of s->stale: a
 * trial goes stale only after that long without a heartbeat, so this finds
 * it soon enough, and a study of fast trials does not pay a read of the
 * store per trial.  Shared by the run loop and a batch's wait. */
static int recover_stale_due(struct tune_study *s, struct tune_error *err)
{
    double t = tune_clock_seconds();
    if (t - s->last_stale_check < s->stale / 8)
        return TUNE_OK;
    size_t marked;
    int rc = tune_store_trial_recover_stale(s->store, s->info.id, s->stale, &marked, err);
    if (!rc)
        s->last_stale_check = t;
    return rc;
}

/* While a worker waits for a batch: a stop asked (now or soon), or one of
 * tune_study_run's stop rules met. */
static int stop_asked(struct tune_study *s)
{
    if (cancelled(s) || (s->run && s->run->stop && *s->run->stop))
        return 1;
    return s->run && stop_rule(s, s->run, s->run_started) != TUNE_STOP_NONE;
}

/* Wait until trial `mine` may be suggested, then its history in *h (in
 * s->hist, with room for the priors). */
static int batch_view(struct tune_study *s, int mine, struct tune_history *h,
                      struct tune_error *err)
{
    size_t batch = s->cfg->batch;
    double nap_s = 0.001;
    int rc;
    for (;;) {
        if ((rc = tune_watch_poll(s->watch, NULL, NULL, err)))
            return rc;
        /* (stop_asked reads the watch's history too: before ours) */
        int stop = stop_asked(s);
        tune_watch_history(s->watch, mine, h);
        if (!batch_waiting(h, mine, batch))
            break;
        if (stop) {
            s->wait_cut = 1;
            return tune_error_set(err, TUNE_ETRAINER, "interrupted");
        }
        struct timespec ts = {0, (long)(nap_s * 1e9)};
        nanosleep(&ts, NULL);
        nap_s = nap_s * 2 < 0.25 ? nap_s * 2 : 0.25;
        if ((rc = recover_stale_due(s, err)))
            return rc;
    }
    if ((rc = hist_reserve(s, h->n + s->n_priors, err)))
        return rc;
    size_t n = 0;
    for (size_t i = 0; i < h->n; i++) {
        const struct tune_history_entry *e = &h->entries[i];
        if (e->number >= mine)
            continue;
        struct tune_history_entry v = *e;
        if ((long)e->number > (long)mine - (long)batch && e->point) {
            /* in the batch: its point only (one without a point, a trial
             * lost before it had one, stays as it is: no point to believe) */
            v.state = TUNE_TRIAL_RUNNING;
            v.value = v.value_std = NAN;
            v.objectives = v.slack = NULL;
            v.violation = 0;
        }
        s->hist[n++] = v;
    }
    if (n > 1) /* (s->hist is NULL while nothing was ever kept) */
        qsort(s->hist, n, sizeof *s->hist, by_entry_number);
    h->entries = s->hist;
    h->n = n;
    return TUNE_OK;
}

/* The point of search trial `number` (s->point, s->params_json), given
 * the history in `hist` (none for a searcher that ignores it). */
static int make_point(struct tune_study *s, int seq, const struct tune_history *hist,
                      struct tune_error *err)
{
    const struct tune_study_config *cfg = s->cfg;
    size_t ne = cfg->n_enqueue;
    if ((size_t)seq < ne) {
        /* an enqueued point, as the study file gives it */
        memcpy(s->point, &cfg->enqueue[(size_t)seq * cfg->space.n],
               cfg->space.n * sizeof *s->point);
    } else {
        /* the strategy's point k is the one it gives a study without the
         * enqueued points: generator and seq both start after them */
        size_t own = (size_t)seq - ne;
        gsl_rng_set(s->rng,
                    (unsigned long)tune_mix64(cfg->seed ^ tune_mix64((uint64_t)own + 0x5eed)));
        int rc = tune_searcher_suggest(s->searcher, &cfg->space, hist, own, s->rng, s->point, err);
        if (rc)
            return rc;
        tune_space_apply_conditions(&cfg->space, s->point);
    }
    free(s->params_json);
    s->params_json = tune_space_point_json(&cfg->space, s->point);
    if (!s->params_json)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    return TUNE_OK;
}

/* tune_point_fn for a searcher whose point follows from seq alone: made
 * inside the claim's transaction. */
static int seq_point(void *arg, int number, int seq, const char **params_json,
                     struct tune_error *err)
{
    struct tune_study *s = arg;
    struct tune_history none = {.maximize = s->info.maximize, .number = number,
                                .n_objectives = 1};
    int rc = make_point(s, seq, &none, err);
    *params_json = s->params_json;
    return rc;
}

/* Claim a search trial and give it the searcher's point (s->point,
 * s->params_json, stored); the trial is left RUNNING.  On failure the claim
 * is withdrawn. */
static int claim_point(struct tune_study *s, size_t budget, int batched, int *number_out,
                       int *seq_out, struct tune_error *err)
{
    const struct tune_study_config *cfg = s->cfg;
    struct tune_store *st = s->store;
    int number, seq, rc;
    if (cfg->searcher->ignores_history) {
        /* claim and point in one write */
        rc = tune_store_trial_claim_point(st, s->info.id, TUNE_ORIGIN_SEARCH, budget, seq_point,
                                          s, &number, &seq, err);
        if (rc)
            return rc;
        tune_heartbeat_set(s->heartbeat, number);
        *number_out = number;
        *seq_out = seq;
        return TUNE_OK;
    }
    rc = tune_store_trial_claim(st, s->info.id, TUNE_ORIGIN_SEARCH, budget, &number, &seq, err);
    if (rc)
        return rc;
    tune_heartbeat_set(s->heartbeat, number);

    /* History from the store, read incrementally: the searcher's only
     * memory, and the prior observations after it. */
    struct tune_history hist = {.maximize = s->info.maximize, .number = number,
                                .n_objectives = 1};
    if ((size_t)seq >= cfg->n_enqueue) {
        if (cfg->batch && batched) {
            if ((rc = batch_view(s, number, &hist, err)))
                goto abandon;
        } else {
            if ((rc = tune_watch_poll(s->watch, NULL, NULL, err)))
                goto abandon;
            tune_watch_history(s->watch, number, &hist);
        }
        if (s->n_priors && (rc = with_priors(s, &hist, err)))
            goto abandon;
    }
    if ((rc = make_point(s, seq, &hist, err)) ||
        (rc = tune_store_trial_set_params(st, s->info.id, number, s->params_json, err)))
        goto abandon;
    *number_out = number;
    *seq_out = seq;
    return TUNE_OK;

abandon:;
    /* The claimed trial never ran: give its slot back. */
    struct tune_error aerr;
    tune_heartbeat_set(s->heartbeat, -1);
    tune_store_trial_abandon(st, s->info.id, number, &aerr);
    return rc;
}

int tune_study_step(struct tune_study *s, size_t budget, struct tune_step *step,
                    struct tune_error *err)
{
    int number, seq, rc;
    memset(step, 0, sizeof *step);
    if (s->cfg->ask_tell)
        return tune_error_set(err, TUNE_EINVAL,
                              "%s: study '%s' has no trainer: its trials are evaluated by "
                              "whoever asks for them (tunefold ask / tell)",
                              s->cfg->file, s->info.name);
    if ((rc = claim_point(s, budget, 1, &number, &seq, err)))
        return rc;
    s->choice = resolve_point(s->cfg, s->point, s->values);
    return evaluate_trial(s, number, seq, step, NULL, err);
}

/* ---- ask and tell ------------------------------------------------------------ */

int tune_study_ask(struct tune_study *s, size_t budget, double max_age, int *number,
                   const char **params_json, struct tune_error *err)
{
    size_t marked;
    int seq;
    int rc = tune_store_trial_recover_stale(s->store, s->info.id,
                                            max_age > 0 ? max_age : TUNE_STALE_SECONDS, &marked,
                                            err);
    if (!rc)
        rc = claim_point(s, tune_study_budget(s, budget), 0, number, &seq, err);
    if (rc)
        return rc;
    *params_json = s->params_json;
    return TUNE_OK;
}

int tune_study_tell(struct tune_study *s, int number, const struct tune_tell *t,
                    struct tune_error *err)
{
    const struct tune_study_config *cfg = s->cfg;
    if (t->state != TUNE_TRIAL_COMPLETE && t->state != TUNE_TRIAL_FAILED)
        return tune_error_set(err, TUNE_EINVAL, "a told trial is COMPLETE or FAILED");
    struct tune_trial cur;
    int rc = tune_store_trial_get(s->store, s->info.id, number, &cur, err);
    if (rc == TUNE_ENOTFOUND)
        return tune_error_set(err, TUNE_ENOTFOUND, "study '%s' has no trial %d", s->info.name,
                              number);
    if (rc)
        return rc;
    int manual = cur.origin != TUNE_ORIGIN_SEARCH, lost = cur.lost;
    enum tune_trial_state was = cur.state;
    tune_trial_release(&cur);
    if (manual)
        return tune_error_set(err, TUNE_EINVAL, "trial %d of study '%s' was not asked for",
                              number, s->info.name);
    if (was != TUNE_TRIAL_RUNNING)
        return tune_error_set(err, TUNE_ECONFLICT,
                              lost ? "trial %d of study '%s' was given up as lost (not told "
                                     "within the ask timeout) and its point asked again"
                                   : "trial %d of study '%s' is already told (%s)",
                              number, s->info.name, tune_trial_state_name(was));

    /* the objective: the value, else the metric of that name */
    double value = t->value;
    struct tune_metric_summary *m = calloc(t->n_metrics + 2, sizeof *m);
    double *vals = calloc(t->n_metrics + 2, sizeof *vals);
    size_t n = 0;
    if (!m || !vals) {
        free(m);
        free(vals);
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < t->n_metrics; i++) {
        if (strcmp(t->metric_names[i], cfg->metric) == 0 && isnan(value))
            value = t->metric_values[i];
        if (strcmp(t->metric_names[i], cfg->metric) == 0)
            continue;
        vals[n] = t->metric_values[i];
        m[n] = (struct tune_metric_summary){(char *)t->metric_names[i], vals[n], NAN, 1,
                                            &vals[n]};
        n++;
    }
    if (t->state == TUNE_TRIAL_COMPLETE && isnan(value)) {
        free(m);
        free(vals);
        return tune_error_set(err, TUNE_EINVAL,
                              "trial %d: no objective: give its value (or a metric named "
                              "'%s')",
                              number, cfg->metric);
    }
    if (t->state == TUNE_TRIAL_COMPLETE) {
        vals[n] = value;
        m[n] = (struct tune_metric_summary){(char *)cfg->metric, value, NAN, 1, &vals[n]};
        n++;
    }
    /* the constraints, on the told metrics (and --seconds as fit_seconds) */
    double violation = 0;
    if (t->state == TUNE_TRIAL_COMPLETE && cfg->n_constraints) {
        struct tune_cv_result told = {.n_metrics = n, .metrics = m,
                                      .fit_seconds = t->seconds, .predict_seconds = NAN};
        violation = cv_violation(cfg, &told);
    }
    struct tune_trial_result res = {.state = t->state,
                                    .value = t->state == TUNE_TRIAL_COMPLETE ? value : NAN,
                                    .value_std = NAN,
                                    .fit_seconds = t->seconds,
                                    .predict_seconds = NAN,
                                    .error = t->state == TUNE_TRIAL_FAILED
                                                 ? (t->error ? t->error : "failed")
                                                 : NULL,
                                    .n_metrics = n,
                                    .metrics = m,
                                    .violation = violation};
    rc = tune_store_trial_finish(s->store, s->info.id, number, &res, err);
    free(m);
    free(vals);
    return rc;
}

int tune_study_evaluate(struct tune_study *s, const char *params_json, struct tune_step *step,
                        struct tune_cv_result *cv, struct tune_error *err)
{
    struct tune_store *st = s->store;
    const struct tune_study_config *cfg = s->cfg;
    int number, seq, rc;
    memset(step, 0, sizeof *step);
    memset(cv, 0, sizeof *cv);
    if ((rc = tune_config_resolve_choice(cfg, params_json, "--params", &s->choice, s->values,
                                         err)))
        return rc;
    const struct tune_trainer_type *tr = trainer_of(cfg, s->choice);
    /* Store the given params in a normal form, each value printed from the
     * resolved double so it reads back exactly (cJSON's printer rounds);
     * with several trainers, "trainer" first. */
    cJSON *obj = params_json ? cJSON_Parse(params_json) : NULL;
    struct tune_space given = {0, NULL};
    double *pt = calloc((size_t)cJSON_GetArraySize(obj) + 2, sizeof *pt);
    struct tune_param *gp = calloc((size_t)cJSON_GetArraySize(obj) + 2, sizeof *gp);
    if (!pt || !gp) {
        cJSON_Delete(obj);
        free(pt);
        free(gp);
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    }
    if (cfg->choose_trainer) {
        gp[given.n] = cfg->space.params[0];
        gp[given.n].n_when = 0;
        pt[given.n++] = (double)s->choice;
    }
    for (const cJSON *v = obj ? obj->child : NULL; v; v = v->next) {
        if (cfg->choose_trainer && strcmp(v->string, "trainer") == 0)
            continue;
        long idx = tune_trainer_hparam_index(tr, v->string);
        const struct tune_hparam *h = &tr->hparams[idx];
        struct tune_param *p = &gp[given.n];
        p->name = v->string;
        p->type = h->type;
        /* a categorical prints its choice text: view the choices as values */
        p->values = (char **)h->choices;
        while (h->choices && h->choices[p->n_values])
            p->n_values++;
        pt[given.n++] = s->values[idx];
    }
    given.params = gp;
    free(s->params_json);
    s->params_json = tune_space_point_json(&given, pt);
    cJSON_Delete(obj);
    free(pt);
    free(gp);
    if (!s->params_json)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    if ((rc = tune_store_trial_claim(st, s->info.id, TUNE_ORIGIN_MANUAL, 0, &number, &seq, err)))
        return rc;
    if ((rc = tune_store_trial_set_params(st, s->info.id, number, s->params_json, err))) {
        struct tune_error aerr;
        tune_store_trial_abandon(st, s->info.id, number, &aerr);
        return rc;
    }
    return evaluate_trial(s, number, -1, step, cv, err);
}

/* ---- tune_study_run ---------------------------------------------------------- */

const char *tune_stop_str(enum tune_stop stop)
{
    switch (stop) {
    case TUNE_STOP_NONE: return "not stopped";
    case TUNE_STOP_BUDGET: return "budget met";
    case TUNE_STOP_EXHAUSTED: return "search space exhausted";
    case TUNE_STOP_FAILURES: return "too many failed trials in a row";
    case TUNE_STOP_CANCELLED: return "cancelled";
    case TUNE_STOP_TIME: return "time limit reached (search.max_seconds)";
    case TUNE_STOP_TARGET: return "target reached (search.target)";
    case TUNE_STOP_PATIENCE: return "no improvement in search.patience trials";
    }
    return "unknown stop reason";
}

void tune_run_options_init(struct tune_run_options *o, const struct tune_study *s)
{
    memset(o, 0, sizeof *o);
    o->max_failures = s->cfg->max_failures;
    o->max_seconds = s->cfg->max_seconds;
    o->has_target = s->cfg->target_given;
    o->target = s->cfg->target_value;
    o->patience = s->cfg->patience;
}

static double now_wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The study's stop rules, on what the watch knows now (every worker's
 * trials): TUNE_STOP_NONE to go on. */
static enum tune_stop stop_rule(struct tune_study *s, const struct tune_run_options *o,
                                double started)
{
    if (o->max_seconds > 0 && now_wall() - started >= o->max_seconds)
        return TUNE_STOP_TIME;
    const struct tune_progress *p = tune_watch_progress(s->watch);
    if (o->has_target && p->best_number >= 0 &&
        (s->info.maximize ? p->best_value >= o->target : p->best_value <= o->target))
        return TUNE_STOP_TARGET;
    if (o->patience) {
        /* trials that finished with something to say about the objective,
         * claimed after the best (all of them while there is none) */
        struct tune_history h;
        size_t since = 0;
        tune_watch_history(s->watch, -1, &h);
        for (size_t i = 0; i < h.n; i++) {
            const struct tune_history_entry *e = &h.entries[i];
            const struct tune_trial_brief *b = tune_watch_trial(s->watch, e->number);
            since += (e->state == TUNE_TRIAL_COMPLETE || e->state == TUNE_TRIAL_PRUNED) &&
                     e->number > p->best_number && b && b->origin == TUNE_ORIGIN_SEARCH;
        }
        if (since >= o->patience)
            return TUNE_STOP_PATIENCE;
    }
    return TUNE_STOP_NONE;
}

/* Why the run stopped, kept with the study for people and scripts. */
static int stopped(struct tune_study *s, struct tune_run_result *result, enum tune_stop why,
                   struct tune_error *err)
{
    result->stop = why;
    return tune_store_study_set_attr(s->store, s->info.id, "stop_reason", tune_stop_str(why),
                                     err);
}

static int raised(const volatile sig_atomic_t *flag)
{
    return flag && *flag;
}

/* Sleep up to `seconds`, in short naps, until a flag is raised. */
static void nap(const struct tune_study *s, const struct tune_run_options *o, double seconds)
{
    double end = tune_clock_seconds() + seconds;
    for (double left = seconds; left > 0 && !raised(o->stop) && !cancelled(s);
         left = end - tune_clock_seconds()) {
        double d = left < 0.05 ? left : 0.05;
        struct timespec ts = {(time_t)d, (long)((d - (double)(time_t)d) * 1e9)};
        nanosleep(&ts, NULL);
    }
}

static int run_study(struct tune_study *s, const struct tune_run_options *opts,
                     struct tune_run_result *result, struct tune_error *err)
{
    struct tune_run_options o = *opts;
    size_t budget = tune_study_budget(s, o.budget), failed_in_a_row = 0;
    double stale = o.stale_seconds > 0 ? o.stale_seconds : TUNE_STALE_SECONDS;
    double poll = o.poll_seconds > 0 ? o.poll_seconds : 0.25;
    /* The wait for others' trials starts short and doubles up to `poll`:
     * at the end of a study of fast trials the last ones finish within
     * milliseconds, and a fixed quarter second would be most of its time. */
    double wait = poll / 64;
    double started = o.started > 0 ? o.started : now_wall();
    int rules = o.max_seconds > 0 || o.has_target || o.patience;
    memset(result, 0, sizeof *result);
    s->stale = stale;
    s->last_stale_check = -HUGE_VAL; /* look at once */
    s->wait_cut = 0;
    s->run = &o;
    s->run_started = started;
    for (;;) {
        if (raised(o.stop) || cancelled(s))
            return stopped(s, result, TUNE_STOP_CANCELLED, err);
        int rc;
        if (rules) {
            if ((rc = tune_watch_poll(s->watch, NULL, NULL, err)))
                return rc;
            enum tune_stop why = stop_rule(s, &o, started);
            if (why != TUNE_STOP_NONE)
                return stopped(s, result, why, err);
        }
        if ((rc = recover_stale_due(s, err)))
            return rc;
        struct tune_step step;
        rc = tune_study_step(s, budget, &step, err);
        if (rc == TUNE_OK) {
            if (cancelled(s) && step.error && strcmp(step.error, "interrupted") == 0)
                return stopped(s, result, TUNE_STOP_CANCELLED, err);
            result->ran++;
            result->complete += step.state == TUNE_TRIAL_COMPLETE;
            result->failed += step.state == TUNE_TRIAL_FAILED;
            result->pruned += step.state == TUNE_TRIAL_PRUNED;
            /* the progress a person sees includes the trial just stored */
            if (o.progress && (rc = tune_watch_poll(s->watch, NULL, NULL, err)))
                return rc;
            if (o.progress)
                o.progress(o.progress_arg, &step, tune_watch_progress(s->watch));
            wait = poll / 64;
            failed_in_a_row = step.state == TUNE_TRIAL_FAILED ? failed_in_a_row + 1 : 0;
            if (step.state == TUNE_TRIAL_FAILED)
                snprintf(result->last_error, sizeof result->last_error, "%s",
                         step.error ? step.error : "unknown error");
            if (o.max_failures && failed_in_a_row >= o.max_failures)
                return stopped(s, result, TUNE_STOP_FAILURES, err);
            continue;
        }
        if (rc == TUNE_EEXHAUSTED)
            return stopped(s, result, TUNE_STOP_EXHAUSTED, err);
        if (s->wait_cut) {
            /* a batch's wait given up (the claim given back): the checks
             * at the top say why */
            s->wait_cut = 0;
            tune_error_clear(err);
            continue;
        }
        if (rc != TUNE_EBUDGET)
            return rc;
        /* Budget claimed, counting trials still running elsewhere: wait
         * until they finish, or go stale and free their slot. */
        if ((rc = tune_watch_poll(s->watch, NULL, NULL, err)))
            return rc;
        if (tune_watch_progress(s->watch)->running == 0)
            return stopped(s, result, TUNE_STOP_BUDGET, err);
        if (o.progress)
            o.progress(o.progress_arg, NULL, tune_watch_progress(s->watch));
        nap(s, &o, wait);
        wait = wait * 2 < poll ? wait * 2 : poll;
    }
}

int tune_study_run(struct tune_study *s, const struct tune_run_options *opts,
                   struct tune_run_result *result, struct tune_error *err)
{
    int rc = run_study(s, opts, result, err);
    s->run = NULL; /* its options were on run_study's stack */
    s->wait_cut = 0;
    return rc;
}
