/* SPDX-License-Identifier: GPL-3.0-or-later */
/* crossval.c — cross-validation of one configuration: folds preprocessed
 * once per study, each fold fitted, predicted and scored by every metric
 * that fits the task, out-of-fold predictions gathered, intermediate values
 * and feature importances collected for the study to store.
 *
 * Seeds: a trainer's seed for fold f is derived from (study seed, f) and not
 * from the trial, so every configuration is fitted with the same random
 * numbers on the same folds (common random numbers: comparisons between
 * trials measure the hyperparameters, not the dice), and `tunefold evaluate`
 * of a trial's params reproduces its scores. */
#include "src/crossval.h"
#include "tunefold/text.h"
#include "src/prune.h"
#include "src/seed.h"
#include "tunefold/preprocess.h"

#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Most metrics one task can have (metrics/registry.c lists them). */
#define MAX_METRICS 128

static int is_classification(enum tune_task t)
{
    return t == TUNE_TASK_BINARY || t == TUNE_TASK_MULTICLASS;
}

void tune_cv_result_release(struct tune_cv_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_metrics; i++)
        tune_metric_summary_release(&r->metrics[i]);
    free(r->metrics);
    tune_predictions_release(&r->oof);
    free(r->oof_fold);
    memset(r, 0, sizeof *r);
}

/* Copy validation predictions into the out-of-fold arrays at their rows. */
static void scatter_oof(struct tune_predictions *oof, int *oof_fold, const struct tune_split *sp,
                        const struct tune_predictions *p, int fold)
{
    for (size_t i = 0; i < sp->n_valid; i++) {
        size_t r = sp->valid[i];
        oof_fold[r] = fold;
        if (p->value)
            oof->value[r] = p->value[i];
        if (p->label)
            oof->label[r] = p->label[i];
        if (p->proba && oof->proba)
            memcpy(&oof->proba[r * p->n_classes], &p->proba[i * p->n_classes],
                   p->n_classes * sizeof *p->proba);
    }
}


/* ---- the fold cache ------------------------------------------------------ */

static void fold_cache_free(struct tune_fold_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->entries[i].key);
        if (c->entries[i].free_fn)
            c->entries[i].free_fn(c->entries[i].value);
    }
    free(c->entries);
    free(c);
}

static const void *fold_cache_find(void *arg, const char *key)
{
    const struct tune_fold_cache *c = arg;
    for (size_t i = 0; c && key && i < c->n; i++)
        if (strcmp(c->entries[i].key, key) == 0)
            return c->entries[i].value;
    return NULL;
}

/* Kept when the key is new and the bound allows; else freed at once (first
 * come, first kept: evicting would make a study that alternates two keys
 * rebuild both every time). */
static int fold_cache_put(void *arg, const char *key, void *value, size_t bytes,
                          void (*free_fn)(void *))
{
    struct tune_fold_cache *c = arg;
    if (c && key && value && !fold_cache_find(c, key) && bytes <= c->max_bytes - c->bytes) {
        if (c->n == c->cap) {
            size_t cap = c->cap ? 2 * c->cap : 4;
            struct tune_fold_cache_entry *e = realloc(c->entries, cap * sizeof *e);
            if (e) {
                c->entries = e;
                c->cap = cap;
            }
        }
        char *k = c->n < c->cap ? strdup(key) : NULL;
        if (k) {
            c->entries[c->n++] = (struct tune_fold_cache_entry){k, value, bytes, free_fn};
            c->bytes += bytes;
            return 0;
        }
    }
    if (free_fn)
        free_fn(value);
    return -1;
}

/* Undo fold_in_place: column by column from the last, each row from the
 * last, so that no value is overwritten before it is read (a row's place
 * in the data set is never before its place in the compacted block). */
static void restore_in_place(struct tune_fold *pf)
{
    const struct tune_split *sp = pf->in_place_split;
    size_t n = pf->in_place_rows, nt = sp->n_train, nv = sp->n_valid;
    double *x = pf->in_place;
    for (size_t j = pf->xtr.n_cols; j-- > 0;) {
        for (size_t i = nt; i-- > 0;)
            x[j * n + sp->train[i]] = x[j * nt + i];
        for (size_t i = 0; i < nv; i++)
            x[j * n + sp->valid[i]] = pf->xva.data[j * nv + i];
    }
}

void tune_fold_release(struct tune_fold *pf)
{
    if (pf->in_place) {
        restore_in_place(pf);
        pf->xtr.data = NULL; /* the data set's, not ours */
    }
    fold_cache_free(pf->cache);
    for (size_t j = 0; pf->names && j < pf->xtr.n_cols; j++)
        free(pf->names[j]);
    free(pf->names);
    free(pf->xtr.data);
    free(pf->xva.data);
    free(pf->ytr);
    free(pf->yva);
    memset(pf, 0, sizeof *pf);
}

/* tune_fold_prepare, with the training matrix (with_train) or without it
 * (its shape only: n_rows and n_cols set, data NULL). */
static int fold_prepare(const struct tune_dataset *ds, const struct tune_split *sp,
                        const struct tune_prep_config *prep, int with_train,
                        struct tune_fold *pf, struct tune_error *err)
{
    struct tune_prep *pp = NULL;
    int rc;
    memset(pf, 0, sizeof *pf);
    pf->ytr = malloc((sp->n_train ? sp->n_train : 1) * sizeof *pf->ytr);
    pf->yva = malloc((sp->n_valid ? sp->n_valid : 1) * sizeof *pf->yva);
    if (!pf->ytr || !pf->yva) {
        tune_fold_release(pf);
        return tune_error_set(err, TUNE_ENOMEM, "out of memory for a fold");
    }
    /* clustering without a target column has no y: zeros, never read */
    for (size_t i = 0; i < sp->n_train; i++)
        pf->ytr[i] = ds->y ? ds->y[sp->train[i]] : 0;
    for (size_t i = 0; i < sp->n_valid; i++)
        pf->yva[i] = ds->y ? ds->y[sp->valid[i]] : 0;
    if ((rc = tune_prep_fit(prep, ds, sp->train, sp->n_train, &pp, err)) ||
        (with_train &&
         (rc = tune_prep_transform(pp, ds, sp->train, sp->n_train, &pf->xtr, err))) ||
        (rc = tune_prep_transform(pp, ds, sp->valid, sp->n_valid, &pf->xva, err))) {
        tune_fold_release(pf);
        tune_prep_free(pp);
        return rc;
    }
    if (!with_train) {
        pf->xtr.n_rows = sp->n_train;
        pf->xtr.n_cols = tune_prep_n_out(pp);
    }
    pf->names = calloc(pf->xtr.n_cols + 1, sizeof *pf->names);
    for (size_t j = 0; pf->names && j < pf->xtr.n_cols; j++) {
        char name[512];
        tune_prep_out_name(pp, ds, j, name, sizeof name);
        if (!(pf->names[j] = strdup(name))) {
            tune_fold_release(pf);
            pf->names = NULL;
            break;
        }
    }
    tune_prep_free(pp);
    if (!pf->names) {
        tune_fold_release(pf);
        return tune_error_set(err, TUNE_ENOMEM, "out of memory for a fold");
    }
    return TUNE_OK;
}

int tune_fold_prepare(const struct tune_dataset *ds, const struct tune_split *sp,
                        const struct tune_prep_config *prep, struct tune_fold *pf,
                        struct tune_error *err)
{
    return fold_prepare(ds, sp, prep, 1, pf, err);
}

static int fold_prepare_valid(const struct tune_dataset *ds, const struct tune_split *sp,
                                   const struct tune_prep_config *prep, struct tune_fold *pf,
                                   struct tune_error *err)
{
    return fold_prepare(ds, sp, prep, 0, pf, err);
}

/* Whether the training and validation rows, each ascending, are together
 * every row 0..n-1 once (a k-fold split; not a learning curve's, whose
 * validation rows include its training rows).  Compacting in place needs
 * it: a row moves only towards the front, and every row is put back. */
static int splits_every_row_once(const struct tune_split *sp, size_t n)
{
    size_t a = 0, b = 0;
    for (size_t r = 0; r < n; r++) {
        if (a < sp->n_train && sp->train[a] == r)
            a++;
        else if (b < sp->n_valid && sp->valid[b] == r)
            b++;
        else
            return 0;
    }
    return a == sp->n_train && b == sp->n_valid;
}

/* One fold for one trial on data too large to keep its folds, without a
 * copy of its training rows: when the preprocessing leaves every value as
 * it is (no scaling, nothing missing to impute), the
 * training matrix is a gather of the data set's rows (numeric columns only:
 * categorical ones would come after them), and the gather can
 * be made in place, the training rows of each column moved to the front of
 * the data set's own matrix (rows ascending, so a row only ever moves
 * towards the front, over values already moved).  The validation rows are
 * copied out first (they are the validation matrix), and tune_fold_release
 * puts every row back bit for bit.  The fit then holds the data once plus
 * the validation rows, instead of once plus a whole fold.  *done = 0 (and
 * nothing changed) when the preprocessing would change a value, or the
 * split is not every row once (splits_every_row_once): the caller makes a
 * copy as usual.  The
 * data set is read by nobody else while one trial runs its folds. */
static int fold_in_place(const struct tune_dataset *ds, const struct tune_split *sp,
                         const struct tune_prep_config *prep, struct tune_fold *pf, int *done,
                         struct tune_error *err)
{
    size_t n = ds->n_rows, d = ds->n_features;
    *done = 0;
    if (prep->scale != TUNE_SCALE_NONE || sp->n_train + sp->n_valid != n || sp->n_train == 0 ||
        !ds->x || !splits_every_row_once(sp, n))
        return TUNE_OK;
    for (size_t j = 0; j < d; j++) /* categoricals come after the numbers */
        if (ds->features[j].kind != TUNE_COL_NUMERIC)
            return TUNE_OK;
    for (size_t k = 0; k < n * d; k++)
        if (isnan(ds->x[k]))
            return TUNE_OK;
    /* the names, y and the validation copy as tune_fold_prepare makes them */
    int rc = fold_prepare_valid(ds, sp, prep, pf, err);
    if (rc || pf->xtr.n_cols != d) {
        if (!rc) /* the preprocessing made other columns after all */
            tune_fold_release(pf);
        return rc;
    }
    double *x = ds->x; /* lent for the fit, given back by tune_fold_release */
    size_t nt = sp->n_train;
    for (size_t j = 0; j < d; j++)
        for (size_t i = 0; i < nt; i++)
            x[j * nt + i] = x[j * n + sp->train[i]];
    pf->xtr.data = x;
    pf->xtr.n_rows = nt;
    pf->in_place = x;
    pf->in_place_split = sp;
    pf->in_place_rows = n;
    *done = 1;
    return TUNE_OK;
}

int tune_trial_log_report(void *arg, size_t step, double value)
{
    struct tune_trial_log *log = arg;
    if (log->n == log->cap) {
        size_t cap = log->cap ? 2 * log->cap : 256;
        struct tune_intermediate *v = realloc(log->v, cap * sizeof *v);
        if (!v) {
            log->oom = 1; /* keep training; the values are a bonus */
            return 0;
        }
        log->v = v;
        log->cap = cap;
    }
    log->v[log->n++] = (struct tune_intermediate){log->fold, step, value};
    return 0;
}


void tune_importances_release(struct tune_importances *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->names[i]);
    free(a->names);
    free(a->sum);
    memset(a, 0, sizeof *a);
}

static int importances_add(struct tune_importances *a, const char *const *names, const double *v,
                          size_t n)
{
    for (size_t j = 0; j < n; j++) {
        size_t i = j < a->n && strcmp(a->names[j], names[j]) == 0 ? j : a->n;
        for (size_t k = 0; i == a->n && k < a->n; k++)
            if (strcmp(a->names[k], names[j]) == 0)
                i = k;
        if (i == a->n) {
            if (a->n == a->cap) {
                size_t cap = a->cap ? 2 * a->cap : 64;
                char **nn = realloc(a->names, cap * sizeof *nn);
                if (nn)
                    a->names = nn;
                double *ns = nn ? realloc(a->sum, cap * sizeof *ns) : NULL;
                if (!ns)
                    return TUNE_ENOMEM;
                a->sum = ns;
                a->cap = cap;
            }
            if (!(a->names[a->n] = strdup(names[j])))
                return TUNE_ENOMEM;
            a->sum[a->n++] = 0;
        }
        a->sum[i] += isfinite(v[j]) ? v[j] : 0;
    }
    a->folds++;
    return TUNE_OK;
}


/* x_done of a fold made for this trial alone: its training copy goes as
 * soon as the trainer is done with it. */
static void own_xtr_done(void *arg)
{
    struct tune_fold *pf = arg;
    free(pf->xtr.data);
    pf->xtr.data = NULL;
}

/* Fit and score one prepared fold (own: the same fold when it was made for
 * this trial alone, else NULL); metric values go to vals[m].  The fold's
 * importances are added to run->importances, or with imp_out handed back
 * as they are (pf->xtr.n_cols of them, *imp_out NULL when there are none). */
static int fold_score(const struct tune_dataset *ds, const struct tune_fold *pf,
                      struct tune_fold *own, int fold,
                      const struct tune_trainer_type *tr, const struct tune_params *params,
                      const struct tune_cv_run *run, const struct tune_metric_def *const *defs,
                      size_t n_defs, double *vals, double *fit_s, double *pred_s,
                      struct tune_predictions *pred, double **imp_out, struct tune_error *err)
{
    void *model = NULL;
    struct tune_fit_ctx ctx = {.task = ds->task,
                               .n_classes = ds->n_classes,
                               .seed = tune_fold_seed(run->seed, (size_t)fold),
                               .report = run->prune ? tune_prune_report
                                         : run->log ? tune_trial_log_report
                                                    : NULL,
                               .report_arg = run->prune ? (void *)run->prune : (void *)run->log,
                               .x_valid = &pf->xva,
                               .y_valid = pf->yva,
                               .n_threads = run->n_threads ? run->n_threads : 1,
                               .type = tr,
                               .trial = run->trial,
                               .fold = fold,
                               .feature_names = (const char *const *)pf->names,
                               .class_names = (const char *const *)ds->class_names,
                               .cancel = run->cancel,
                               .attach = run->attach,
                               .attach_arg = run->attach_arg,
                               .target_name = ds->target_name,
                               .cache_find = pf->cache ? fold_cache_find : NULL,
                               .cache_put = pf->cache ? fold_cache_put : NULL,
                               .cache_arg = pf->cache,
                               .x_done = own ? own_xtr_done : NULL,
                               .x_done_arg = own};
    double t0 = tune_clock_seconds();
    int rc = tr->fit(&pf->xtr, pf->ytr, &ctx, params, &model, err);
    double t1 = tune_clock_seconds();
    *fit_s = t1 - t0;
    if (run->prune && run->prune->pruned) { /* cut short: nothing to score */
        if (model)
            tr->free_model(model);
        return rc;
    }
    if (!rc)
        rc = tune_predictions_init(pred, ds->task, pf->xva.n_rows, ds->n_classes,
                                   is_classification(ds->task), err);
    double t2 = tune_clock_seconds();
    if (!rc)
        rc = tr->predict(model, &pf->xva, pred, err);
    double t3 = tune_clock_seconds();
    if (!rc && tr->importances && run->importances && pf->names) {
        double *imp = calloc(pf->xtr.n_cols + 1, sizeof *imp);
        rc = imp ? tr->importances(model, imp, pf->xtr.n_cols, err) : TUNE_ENOMEM;
        if (!rc && imp_out) { /* the caller adds them, in fold order */
            *imp_out = imp;
            imp = NULL;
        } else if (!rc && importances_add(run->importances, (const char *const *)pf->names, imp,
                                         pf->xtr.n_cols)) {
            rc = TUNE_ENOMEM;
        }
        if (rc == TUNE_ENOMEM)
            tune_error_set(err, TUNE_ENOMEM, "out of memory for feature importances");
        free(imp);
    }
    if (model)
        tr->free_model(model);
    if (rc == TUNE_ENOMEM || rc == TUNE_ENOPROGRAM)
        return rc;
    if (rc)
        return err ? (err->code = TUNE_ETRAINER) : TUNE_ETRAINER;
    *fit_s = t1 - t0;
    *pred_s = t3 - t2;
    for (size_t m = 0; m < n_defs; m++)
        vals[m] = defs[m]->compute_x ? defs[m]->compute_x(&pf->xva, pf->yva, pred)
                                     : defs[m]->compute(pf->yva, pred);
    return TUNE_OK;
}

/* ---- folds side by side (run->fold_jobs) -------------------------------- */

/* One fold fitted on a thread of its own, with its own intermediate values
 * and importances; the trial takes them in fold order (fold_job_take), so
 * what it stores is what the folds one after another would have given. */
struct fold_job {
    const struct tune_dataset *ds;
    const struct tune_fold *pf;
    size_t fold;
    const struct tune_trainer_type *tr;
    const struct tune_params *params;
    const struct tune_metric_def *const *defs;
    size_t n_defs;
    struct tune_cv_run run; /* the trial's, with this fold's log and threads */
    struct tune_trial_log log;
    double *imp;            /* the fold's importances, pf->xtr.n_cols, or NULL */
    int rc;
    struct tune_error err;
    double vals[MAX_METRICS], fit_s, pred_s;
    struct tune_predictions pred;
    pthread_t tid;
    int started;
};

static void *fold_job_main(void *arg)
{
    struct fold_job *j = arg;
    j->rc = fold_score(j->ds, j->pf, NULL, (int)j->fold, j->tr, j->params, &j->run, j->defs,
                       j->n_defs, j->vals, &j->fit_s, &j->pred_s, &j->pred, &j->imp, &j->err);
    return NULL;
}

static void fold_job_release(struct fold_job *j)
{
    tune_predictions_release(&j->pred);
    free(j->log.v);
    j->log = (struct tune_trial_log){0};
    free(j->imp);
    j->imp = NULL;
}

/* How many folds run side by side: 1 unless the run asks for more and
 * everything the folds share allows it (see struct tune_cv_run).  A trainer
 * given its own thread count (an "n_threads" of 1 or more in its params)
 * would run that many in every fold at once: its folds go in turn. */
static size_t fold_jobs(const struct tune_cv_run *run, const struct tune_fold *folds,
                        const struct tune_trainer_type *tr, const struct tune_params *params,
                        size_t k)
{
    if (run->fold_jobs < 2 || !folds || run->prune || k < 2 || tr->version < 2 ||
        !(tr->flags & TUNE_TRAINER_FIT_PARALLEL))
        return 1;
    for (size_t i = 0; i < params->n; i++)
        if (params->names[i] && strcmp(params->names[i], "n_threads") == 0 &&
            params->values[i] >= 1)
            return 1;
    return run->fold_jobs < k ? run->fold_jobs : k;
}

/* Folds go side by side in rounds of n_jobs (one per thread), and the
 * last round takes every fold left, up to 2 n_jobs - 1 of them, each on
 * one thread, sharing the cores: three folds on two cores run at once and
 * end together at about one and a half folds' time, where two folds and
 * then one on both threads took two folds' time less what a second thread
 * gives one fit (a quarter to a half, for boosting's; 20 bayes trials of boosting on
 * 100,000 x 20: 23.1-24.3 s against 25.9-28.9 s).  The size of the last
 * round, the most folds at once. */
static size_t last_round(size_t k, size_t n_jobs)
{
    size_t rest = k % n_jobs;
    return k < 2 * n_jobs ? k : n_jobs + rest;
}

/* The signals the helper threads leave to the caller's thread: every one
 * but those a fault raises in the thread that faults (a crash in a fold
 * must still reach its handler: ASan's report, a test runner's). */
static void async_signals(sigset_t *set)
{
    static const int faults[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS};
    sigfillset(set);
    for (size_t i = 0; i < sizeof faults / sizeof *faults; i++)
        sigdelset(set, faults[i]);
}

/* Fit folds order[pos .. pos + n) at once, sharing run->n_threads among
 * them (the first ones get the remainder); the calling thread fits the
 * first.  The helpers block the asynchronous signals (async_signals), so a
 * Ctrl-C reaches the caller's thread as before (the fits see it through
 * run->cancel). */
static void fold_jobs_run(struct fold_job *jb, size_t n, const struct tune_dataset *ds,
                          const struct tune_fold *folds, const size_t *order,
                          const struct tune_trainer_type *tr, const struct tune_params *params,
                          const struct tune_cv_run *run, const struct tune_metric_def *const *defs,
                          size_t n_defs)
{
    size_t threads = run->n_threads ? run->n_threads : 1;
    for (size_t i = 0; i < n; i++) {
        struct fold_job *j = &jb[i];
        *j = (struct fold_job){.ds = ds, .pf = &folds[order[i]], .fold = order[i], .tr = tr,
                               .params = params, .defs = defs, .n_defs = n_defs, .run = *run};
        j->log.fold = (int)order[i];
        j->run.log = run->log ? &j->log : NULL;
        j->run.fold_jobs = 1;
        j->run.n_threads = threads / n + (i < threads % n);
        if (!j->run.n_threads)
            j->run.n_threads = 1;
    }
    sigset_t all, old;
    async_signals(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    for (size_t i = 1; i < n; i++)
        jb[i].started = pthread_create(&jb[i].tid, NULL, fold_job_main, &jb[i]) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    fold_job_main(&jb[0]);
    for (size_t i = 1; i < n; i++) {
        if (jb[i].started) {
            pthread_join(jb[i].tid, NULL);
        } else { /* no thread to be had: in turn, with every thread */
            jb[i].run.n_threads = threads;
            fold_job_main(&jb[i]);
        }
    }
}

/* Hand a finished fold's intermediate values and importances to the trial's
 * (in fold order, as the folds one after another would have added them). */
static int fold_job_take(struct fold_job *j, const struct tune_cv_run *run)
{
    struct tune_trial_log *log = run->log;
    if (log) {
        int fold = log->fold;
        log->fold = (int)j->fold;
        for (size_t i = 0; i < j->log.n; i++)
            tune_trial_log_report(log, j->log.v[i].step, j->log.v[i].value);
        log->fold = fold;
        log->oom |= j->log.oom;
    }
    int rc = TUNE_OK;
    if (j->imp && importances_add(run->importances, (const char *const *)j->pf->names, j->imp,
                                  j->pf->xtr.n_cols))
        rc = TUNE_ENOMEM;
    fold_job_release(j);
    return rc;
}

/* Cross-validate over prepared folds (folds != NULL) or preparing each fold
 * as it comes (folds == NULL: nothing kept between calls).
 *
 * With early stopping (run->prune) the folds run in the pruner's order, and
 * the loop ends at the first of: a trainer stopped by a report (that fold's
 * model is not scored: it was cut short), an external program stopped the
 * same way (its failure is the stop, not an error), or a pruner's "stop"
 * after a fold.  The folds not run stay NAN. */
/* Scatter the kept predictions preds[*kept..n) of the folds run in the
 * order order[*kept..n) into the out-of-fold arrays (allocated on the first
 * call), releasing them. */
static int oof_gather(const struct tune_dataset *ds, const struct tune_splits *splits,
                      const size_t *order, struct tune_predictions *preds, size_t *kept,
                      size_t n, struct tune_cv_result *out, struct tune_error *err)
{
    if (!out->oof_fold) {
        out->oof_fold = malloc((ds->n_rows + 1) * sizeof *out->oof_fold);
        if (!out->oof_fold)
            return tune_error_set(err, TUNE_ENOMEM, "out of memory for cross-validation");
        for (size_t r = 0; r < ds->n_rows; r++)
            out->oof_fold[r] = -1;
        int rc = tune_predictions_init(&out->oof, ds->task, ds->n_rows, ds->n_classes,
                                       is_classification(ds->task), err);
        if (rc)
            return rc;
    }
    for (; *kept < n; (*kept)++) {
        size_t f = order[*kept];
        scatter_oof(&out->oof, out->oof_fold, &splits->splits[f], &preds[*kept], (int)f);
        tune_predictions_release(&preds[*kept]);
    }
    return TUNE_OK;
}

int tune_cross_validate_run(const struct tune_dataset *ds, const struct tune_splits *splits,
                          const struct tune_fold *folds, const struct tune_prep_config *prep,
                          const struct tune_trainer_type *trainer,
                          const struct tune_params *params, const struct tune_cv_run *run,
                          struct tune_cv_result *out, struct tune_error *err)
{
    const struct tune_metric_def *defs[MAX_METRICS];
    size_t n_defs = tune_metrics_for_task(ds->task, is_classification(ds->task), defs,
                                         MAX_METRICS);
    size_t k = splits->n;
    int rc;
    memset(out, 0, sizeof *out);
    double *vals = malloc((n_defs * k + 1) * sizeof *vals);
    size_t *order = malloc((k + 1) * sizeof *order);
    unsigned char *ran = calloc(k + 1, 1);
    out->metrics = calloc(n_defs + 1, sizeof *out->metrics);
    /* The folds' predictions are kept as they come (in run order) and
     * gathered into the out-of-fold arrays once they cover as many rows as
     * the data (at the end of k-fold), or the folds stop: the arrays, as
     * large as the data's rows, then never sit in memory beside a fit of
     * large data. */
    struct tune_predictions *preds = calloc(k + 1, sizeof *preds);
    struct fold_job *jb = NULL;
    size_t n_jobs = 1;
    size_t kept = 0, n_preds = 0, kept_rows = 0;
    if (!vals || !order || !ran || !out->metrics || !preds) {
        rc = tune_error_set(err, TUNE_ENOMEM, "out of memory for cross-validation");
        goto fail;
    }
    for (size_t i = 0; i < n_defs * k; i++)
        vals[i] = NAN;
    for (size_t f = 0; f < k; f++)
        order[f] = f;
    if (run->prune && (rc = tune_prune_fold_order(run->prune, order, err)))
        goto fail;
    size_t objective = n_defs; /* the metric the pruner sees */
    for (size_t m = 0; run->objective && m < n_defs; m++)
        if (strcmp(defs[m]->name, run->objective) == 0)
            objective = m;
    double fit_total = 0, pred_total = 0;
    size_t fitted = 0, n_run = 0;
    size_t round = 0, round_n = 0;
    n_jobs = fold_jobs(run, folds, trainer, params, k);
    if (n_jobs > 1 && !(jb = calloc(last_round(k, n_jobs), sizeof *jb))) {
        rc = tune_error_set(err, TUNE_ENOMEM, "out of memory for cross-validation");
        goto fail;
    }
    for (size_t pos = 0; pos < k; pos++) {
        size_t f = order[pos];
        struct tune_predictions pred = {0};
        struct tune_fold own;
        double fit_s = 0, pred_s = 0, fold_vals[MAX_METRICS];
        if (run->cancel && *run->cancel) {
            rc = tune_error_set(err, TUNE_ETRAINER, "interrupted");
            goto fail;
        }
        if (jb) { /* folds side by side: a round of them, then each in turn */
            if (pos == round + round_n) {
                round = pos;
                round_n = k - pos < 2 * n_jobs ? k - pos : n_jobs;
                fold_jobs_run(jb, round_n, ds, folds, order + pos, trainer, params, run, defs,
                              n_defs);
            }
            struct fold_job *j = &jb[pos - round];
            rc = j->rc;
            if (rc && err)
                *err = j->err;
            memcpy(fold_vals, j->vals, sizeof fold_vals);
            fit_s = j->fit_s;
            pred_s = j->pred_s;
            pred = j->pred;
            j->pred = (struct tune_predictions){0};
            if (fold_job_take(j, run) && !rc)
                rc = tune_error_set(err, TUNE_ENOMEM, "out of memory for feature importances");
        } else {
            int in_place = 0;
            rc = folds ? TUNE_OK
                       : fold_in_place(ds, &splits->splits[f], prep, &own, &in_place, err);
            if (!rc && !folds && !in_place)
                rc = tune_fold_prepare(ds, &splits->splits[f], prep, &own, err);
            if (run->log)
                run->log->fold = (int)f;
            if (!rc)
                rc = fold_score(ds, folds ? &folds[f] : &own, folds || in_place ? NULL : &own,
                                (int)f, trainer, params, run, defs, n_defs, fold_vals, &fit_s,
                                &pred_s, &pred, NULL, err);
            if (!folds)
                tune_fold_release(&own);
        }
        if (run->prune && run->prune->pruned && !(run->cancel && *run->cancel)) {
            /* stopped inside the fold: its model was cut short */
            tune_predictions_release(&pred);
            tune_error_clear(err);
            fitted++;
            fit_total += fit_s;
            break;
        }
        if (rc) {
            tune_predictions_release(&pred);
            tune_error_prefix(err, "fold %zu", f + 1);
            goto fail;
        }
        for (size_t m = 0; m < n_defs; m++)
            vals[m * k + f] = fold_vals[m];
        ran[f] = 1;
        n_run++;
        fitted++;
        fit_total += fit_s;
        pred_total += pred_s;
        preds[n_preds++] = pred;
        kept_rows += pred.n;
        int stop = 0;
        if (run->prune && objective < n_defs) {
            const struct tune_split *sp = &splits->splits[f];
            double ratio = sp->n_train ? (double)sp->n_valid / (double)sp->n_train : 0;
            stop = tune_prune_fold_done(run->prune, f, fold_vals[objective], ratio);
        }
        if (kept_rows >= ds->n_rows) {
            /* With repeats, each repeat covers every row once: the last wins. */
            if ((rc = oof_gather(ds, splits, order, preds, &kept, n_preds, out, err)))
                goto fail;
            kept_rows = 0;
        }
        if (stop)
            break;
    }
    /* what is left: a holdout's, or the folds' before a pruner stopped them */
    if ((rc = oof_gather(ds, splits, order, preds, &kept, n_preds, out, err)))
        goto fail;
    out->n_folds = k;
    out->n_folds_run = n_run;
    out->fit_seconds = fitted ? fit_total / (double)fitted : NAN;
    out->predict_seconds = n_run ? pred_total / (double)n_run : NAN;
    for (size_t m = 0; m < n_defs; m++) {
        struct tune_metric_summary *s = &out->metrics[m];
        size_t len = strlen(defs[m]->name) + 1;
        s->name = malloc(len);
        s->folds = malloc(k * sizeof *s->folds);
        out->n_metrics = m + 1;
        if (!s->name || !s->folds) {
            rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
            goto fail;
        }
        memcpy(s->name, defs[m]->name, len);
        memcpy(s->folds, &vals[m * k], k * sizeof *s->folds);
        s->n_folds = k;
        tune_mean_std(s->folds, k, &s->mean, &s->std);
        /* An undefined fold makes the mean undefined, not silently better
         * (a fold that never ran is not undefined: it is absent). */
        for (size_t f = 0; f < k; f++)
            if (ran[f] && isnan(s->folds[f]))
                s->mean = s->std = NAN;
    }
    free(vals);
    free(order);
    free(ran);
    free(preds);
    free(jb);
    return TUNE_OK;
fail:
    for (size_t i = 0; jb && i < last_round(k, n_jobs); i++)
        fold_job_release(&jb[i]);
    free(jb);
    free(vals);
    free(order);
    free(ran);
    for (size_t i = 0; preds && i < k; i++)
        tune_predictions_release(&preds[i]);
    free(preds);
    tune_cv_result_release(out);
    return rc;
}

int tune_cross_validate(const struct tune_dataset *ds, const struct tune_splits *splits,
                        const struct tune_prep_config *prep,
                        const struct tune_trainer_type *trainer,
                        const struct tune_params *params, uint64_t seed,
                        struct tune_cv_result *out, struct tune_error *err)
{
    struct tune_cv_run run = {.seed = seed, .n_threads = 1, .trial = -1};
    return tune_cross_validate_run(ds, splits, NULL, prep, trainer, params, &run, out, err);
}

/* Fields are quoted as RFC 4180 asks when they hold a comma, quote or line end. */
int tune_importances_csv(const struct tune_importances *a, char **text_out, size_t *len_out,
                         struct tune_error *err)
{
    size_t cap = 64;
    for (size_t i = 0; i < a->n; i++)
        cap += 2 * strlen(a->names[i]) + 40;
    char *text = malloc(cap);
    if (!text)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory for feature importances");
    size_t len = (size_t)snprintf(text, cap, "feature,importance\n");
    for (size_t i = 0; i < a->n; i++) {
        const char *nm = a->names[i];
        if (strpbrk(nm, ",\"\r\n")) {
            text[len++] = '"';
            for (; *nm; nm++) {
                if (*nm == '"')
                    text[len++] = '"';
                text[len++] = *nm;
            }
            text[len++] = '"';
        } else {
            len += (size_t)snprintf(text + len, cap - len, "%s", nm);
        }
        len += (size_t)snprintf(text + len, cap - len, ",%.17g\n", a->sum[i] / (double)a->folds);
    }
    *text_out = text;
    *len_out = len;
    return TUNE_OK;
}

/* A prepared fold's matrices and targets (xtr.data may be NULL: its
 * shape is what counts). */
static size_t fold_bytes(const struct tune_fold *pf)
{
    return (pf->xtr.n_rows + pf->xva.n_rows) * (pf->xtr.n_cols + 1) * sizeof(double);
}

void tune_folds_free(struct tune_fold *folds, size_t n)
{
    for (size_t f = 0; folds && f < n; f++)
        tune_fold_release(&folds[f]);
    free(folds);
}

int tune_folds_prepare(const struct tune_dataset *ds, const struct tune_splits *sp,
                       const struct tune_prep_config *prep, size_t max_bytes,
                       struct tune_fold **out, struct tune_error *err)
{
    *out = NULL;
    struct tune_fold *folds = calloc(sp->n, sizeof *folds);
    if (!folds)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    if (max_bytes > TUNE_FOLDS_KEEP_MAX)
        max_bytes = TUNE_FOLDS_KEEP_MAX;
    for (size_t f = 0; f < sp->n; f++) {
        struct tune_fold *pf = &folds[f];
        int rc;
        if (f == 0) {
            /* One-hot may widen the data: judge the size on the first
             * fold's shape, known without its training copy (on data too
             * large to keep, that copy beside the data would be the peak of
             * the whole run). */
            if ((rc = fold_prepare_valid(ds, &sp->splits[0], prep, pf, err))) {
                free(folds);
                return rc;
            }
            size_t bytes = fold_bytes(pf);
            tune_fold_release(pf);
            if (bytes > max_bytes / sp->n) {
                free(folds);
                return TUNE_OK;
            }
        }
        if ((rc = tune_fold_prepare(ds, &sp->splits[f], prep, pf, err))) {
            tune_folds_free(folds, f);
            return rc;
        }
        size_t bytes = fold_bytes(pf);
        /* without a cache the fold still works; nothing is kept */
        if ((pf->cache = calloc(1, sizeof *pf->cache)))
            pf->cache->max_bytes = bytes > TUNE_FOLD_CACHE_MIN ? bytes : TUNE_FOLD_CACHE_MIN;
    }
    *out = folds;
    return TUNE_OK;
}
