/* study.c — cross-validation of one configuration, and the study loop that
 * asks the searcher, evaluates, and tells the store.
 *
 * Seeds: the folds come from the study seed alone; a trainer's seed for fold
 * f is derived from (study seed, f) and not from the trial, so every
 * configuration is fitted with the same random numbers on the same folds
 * (common random numbers: comparisons between trials measure the
 * hyperparameters, not the dice), and `tunefold evaluate` of a trial's params
 * reproduces its scores.  The searcher's generator is seeded from (study
 * seed, seq), so point seq is the same whatever the number of workers. */
#include "tunefold/study.h"
#include "tunefold/cv.h"
#include "tunefold/seed.h"
#include "tunefold/preprocess.h"
#include "tunefold/external.h"
#include "heartbeat.h"

#include <cJSON.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Most metrics one task can have (metrics/registry.c lists them). */
#define MAX_METRICS 128

static double now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

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

/* One fold, preprocessed: the preprocessing depends only on the split and
 * the study's settings, never on the hyperparameters, so a study prepares
 * each fold once and every trial reuses it (GridSearchCV refits its scaler
 * for every candidate).  Trainers receive the matrices read-only. */
struct prepared_fold {
    struct tune_matrix xtr, xva;
    double *ytr, *yva;
    char **names;     /* xtr.n_cols column names after preprocessing */
};

static void fold_release(struct prepared_fold *pf)
{
    for (size_t j = 0; pf->names && j < pf->xtr.n_cols; j++)
        free(pf->names[j]);
    free(pf->names);
    free(pf->xtr.data);
    free(pf->xva.data);
    free(pf->ytr);
    free(pf->yva);
    memset(pf, 0, sizeof *pf);
}

static int fold_prepare(const struct tune_dataset *ds, const struct tune_split *sp,
                        const struct tune_prep_config *prep, struct prepared_fold *pf,
                        struct tune_error *err)
{
    struct tune_prep *pp = NULL;
    int rc;
    memset(pf, 0, sizeof *pf);
    pf->ytr = malloc((sp->n_train ? sp->n_train : 1) * sizeof *pf->ytr);
    pf->yva = malloc((sp->n_valid ? sp->n_valid : 1) * sizeof *pf->yva);
    if (!pf->ytr || !pf->yva) {
        fold_release(pf);
        return tune_error_set(err, TUNE_ENOMEM, "out of memory for a fold");
    }
    /* clustering without a target column has no y: zeros, never read */
    for (size_t i = 0; i < sp->n_train; i++)
        pf->ytr[i] = ds->y ? ds->y[sp->train[i]] : 0;
    for (size_t i = 0; i < sp->n_valid; i++)
        pf->yva[i] = ds->y ? ds->y[sp->valid[i]] : 0;
    if ((rc = tune_prep_fit(prep, ds, sp->train, sp->n_train, &pp, err)) ||
        (rc = tune_prep_transform(pp, ds, sp->train, sp->n_train, &pf->xtr, err)) ||
        (rc = tune_prep_transform(pp, ds, sp->valid, sp->n_valid, &pf->xva, err))) {
        fold_release(pf);
        tune_prep_free(pp);
        return rc;
    }
    pf->names = calloc(pf->xtr.n_cols + 1, sizeof *pf->names);
    for (size_t j = 0; pf->names && j < pf->xtr.n_cols; j++) {
        char name[512];
        tune_prep_out_name(pp, ds, j, name, sizeof name);
        if (!(pf->names[j] = strdup(name))) {
            fold_release(pf);
            pf->names = NULL;
            break;
        }
    }
    tune_prep_free(pp);
    if (!pf->names) {
        fold_release(pf);
        return tune_error_set(err, TUNE_ENOMEM, "out of memory for a fold");
    }
    return TUNE_OK;
}

/* Intermediate values of one trial, gathered in memory while its folds run
 * and written in one transaction at the end (thousands of boosting rounds
 * would otherwise be thousands of commits). */
struct trial_log {
    struct tune_intermediate *v;
    size_t n, cap;
    int fold;
    int oom;
};

static int log_report(void *arg, size_t step, double value)
{
    struct trial_log *log = arg;
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

/* Feature importances averaged over folds, by column name (one-hot columns
 * can differ between folds: a level absent from a training fold has no
 * column there, and counts 0 in the mean). */
struct importance_acc {
    size_t n, cap, folds;
    char **names;
    double *sum;
};

static void importance_release(struct importance_acc *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->names[i]);
    free(a->names);
    free(a->sum);
    memset(a, 0, sizeof *a);
}

static int importance_add(struct importance_acc *a, const char *const *names, const double *v,
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

/* What one cross-validation run needs besides data and trainer. */
struct cv_run {
    uint64_t seed;
    size_t n_threads;
    int trial;
    struct trial_log *log;                 /* may be NULL */
    struct importance_acc *importances;    /* may be NULL */
    const volatile sig_atomic_t *cancel;   /* may be NULL */
    int (*attach)(void *, const char *, const void *, size_t);  /* may be NULL */
    void *attach_arg;
};

/* Fit and score one prepared fold; metric values go to vals[m]. */
static int fold_score(const struct tune_dataset *ds, const struct prepared_fold *pf, int fold,
                      const struct tune_trainer_type *tr, const struct tune_params *params,
                      const struct cv_run *run, const struct tune_metric_def *const *defs,
                      size_t n_defs, double *vals, double *fit_s, double *pred_s,
                      struct tune_predictions *pred, struct tune_error *err)
{
    void *model = NULL;
    struct tune_fit_ctx ctx = {.task = ds->task,
                               .n_classes = ds->n_classes,
                               .seed = tune_fold_seed(run->seed, (size_t)fold),
                               .report = run->log ? log_report : NULL,
                               .report_arg = run->log,
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
                               .target_name = ds->target_name};
    double t0 = now_mono();
    int rc = tr->fit(&pf->xtr, pf->ytr, &ctx, params, &model, err);
    double t1 = now_mono();
    if (!rc)
        rc = tune_predictions_init(pred, ds->task, pf->xva.n_rows, ds->n_classes,
                                   is_classification(ds->task), err);
    double t2 = now_mono();
    if (!rc)
        rc = tr->predict(model, &pf->xva, pred, err);
    double t3 = now_mono();
    if (!rc && tr->importances && run->importances && pf->names) {
        double *imp = calloc(pf->xtr.n_cols + 1, sizeof *imp);
        rc = imp ? tr->importances(model, imp, pf->xtr.n_cols, err) : TUNE_ENOMEM;
        if (!rc && importance_add(run->importances, (const char *const *)pf->names, imp,
                                  pf->xtr.n_cols))
            rc = TUNE_ENOMEM;
        if (rc == TUNE_ENOMEM)
            tune_error_set(err, TUNE_ENOMEM, "out of memory for feature importances");
        free(imp);
    }
    if (model)
        tr->free_model(model);
    if (rc)
        return rc == TUNE_ENOMEM ? rc : (err ? (err->code = TUNE_ETRAINER) : TUNE_ETRAINER);
    *fit_s = t1 - t0;
    *pred_s = t3 - t2;
    for (size_t m = 0; m < n_defs; m++)
        vals[m] = defs[m]->compute_x ? defs[m]->compute_x(&pf->xva, pf->yva, pred)
                                     : defs[m]->compute(pf->yva, pred);
    return TUNE_OK;
}

/* Cross-validate over prepared folds (folds != NULL) or preparing each fold
 * as it comes (folds == NULL: nothing kept between calls). */
static int cross_validate(const struct tune_dataset *ds, const struct tune_splits *splits,
                          const struct prepared_fold *folds, const struct tune_prep_config *prep,
                          const struct tune_trainer_type *trainer,
                          const struct tune_params *params, const struct cv_run *run,
                          struct tune_cv_result *out, struct tune_error *err)
{
    const struct tune_metric_def *defs[MAX_METRICS];
    size_t n_defs = tune_metrics_for_task(ds->task, is_classification(ds->task), defs,
                                         MAX_METRICS);
    size_t k = splits->n;
    int rc;
    memset(out, 0, sizeof *out);
    double *vals = calloc(n_defs * k + 1, sizeof *vals);
    out->metrics = calloc(n_defs + 1, sizeof *out->metrics);
    out->oof_fold = malloc(ds->n_rows * sizeof *out->oof_fold);
    if (!vals || !out->metrics || !out->oof_fold) {
        rc = tune_error_set(err, TUNE_ENOMEM, "out of memory for cross-validation");
        goto fail;
    }
    if ((rc = tune_predictions_init(&out->oof, ds->task, ds->n_rows, ds->n_classes,
                                    is_classification(ds->task), err)))
        goto fail;
    for (size_t r = 0; r < ds->n_rows; r++)
        out->oof_fold[r] = -1;
    double fit_total = 0, pred_total = 0;
    for (size_t f = 0; f < k; f++) {
        struct tune_predictions pred = {0};
        struct prepared_fold own;
        double fit_s = 0, pred_s = 0, fold_vals[MAX_METRICS];
        if (run->cancel && *run->cancel) {
            rc = tune_error_set(err, TUNE_ETRAINER, "interrupted");
            goto fail;
        }
        rc = folds ? TUNE_OK : fold_prepare(ds, &splits->splits[f], prep, &own, err);
        if (run->log)
            run->log->fold = (int)f;
        if (!rc)
            rc = fold_score(ds, folds ? &folds[f] : &own, (int)f, trainer, params, run, defs,
                            n_defs, fold_vals, &fit_s, &pred_s, &pred, err);
        if (!folds)
            fold_release(&own);
        if (rc) {
            tune_predictions_release(&pred);
            tune_error_prefix(err, "fold %zu", f + 1);
            goto fail;
        }
        for (size_t m = 0; m < n_defs; m++)
            vals[m * k + f] = fold_vals[m];
        fit_total += fit_s;
        pred_total += pred_s;
        /* With repeats, each repeat covers every row once: the last wins. */
        scatter_oof(&out->oof, out->oof_fold, &splits->splits[f], &pred, (int)f);
        tune_predictions_release(&pred);
    }
    out->n_folds = k;
    out->fit_seconds = fit_total / (double)k;
    out->predict_seconds = pred_total / (double)k;
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
        /* An undefined fold makes the mean undefined, not silently better. */
        for (size_t f = 0; f < k; f++)
            if (isnan(s->folds[f]))
                s->mean = s->std = NAN;
    }
    free(vals);
    return TUNE_OK;
fail:
    free(vals);
    tune_cv_result_release(out);
    return rc;
}

int tune_cross_validate(const struct tune_dataset *ds, const struct tune_splits *splits,
                        const struct tune_prep_config *prep,
                        const struct tune_trainer_type *trainer,
                        const struct tune_params *params, uint64_t seed,
                        struct tune_cv_result *out, struct tune_error *err)
{
    struct cv_run run = {.seed = seed, .n_threads = 1, .trial = -1};
    return cross_validate(ds, splits, NULL, prep, trainer, params, &run, out, err);
}

/* The importances as the "importances.csv" artifact of a trial. */
static int importance_save(struct tune_store *store, int64_t study_id, int number,
                           const struct importance_acc *a, struct tune_error *err)
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
    int rc = store->type->artifact_save(store, study_id, number, "importances.csv", text, len,
                                        err);
    free(text);
    return rc;
}

/* ---- the study ------------------------------------------------------------ */

struct tune_study {
    const struct tune_study_config *cfg;
    struct tune_store *store;
    struct tune_study_info info;
    struct tune_dataset *ds;
    struct tune_splits *splits;
    struct prepared_fold *folds;  /* splits->n, or NULL when too large to keep */
    struct tune_searcher *searcher;
    size_t n_threads;             /* trainer threads: this worker's share of the cores */
    gsl_rng *rng;
    double *point;        /* space.n */
    double *values;       /* trainer->n_hparams */
    char *params_json;    /* last step's */
    struct tune_heartbeat *heartbeat;  /* NULL unless started */
    const volatile sig_atomic_t *cancel; /* the caller's stop flag, or NULL */
    char errbuf[TUNE_ERROR_MSG_MAX];
};

void tune_study_set_cancel(struct tune_study *s, const volatile sig_atomic_t *flag)
{
    s->cancel = flag;
}

int tune_study_start_heartbeat(struct tune_study *s, const char *store_url,
                               struct tune_error *err)
{
    if (s->heartbeat)
        return TUNE_OK;
    return tune_heartbeat_start(store_url, s->info.id, TUNE_HEARTBEAT_SECONDS, &s->heartbeat,
                                err);
}

/* Keep the preprocessed folds when they fit in FOLD_CACHE_MAX bytes; a
 * data problem (missing values with impute "none") surfaces here, before
 * any trial is claimed. */
#define FOLD_CACHE_MAX ((size_t)2 << 30)

static int prepare_folds(struct tune_study *s, struct tune_error *err)
{
    const struct tune_splits *sp = s->splits;
    s->folds = calloc(sp->n, sizeof *s->folds);
    if (!s->folds)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    for (size_t f = 0; f < sp->n; f++) {
        struct prepared_fold *pf = &s->folds[f];
        int rc = fold_prepare(s->ds, &sp->splits[f], &s->cfg->prep, pf, err);
        if (rc) {
            while (f-- > 0)
                fold_release(&s->folds[f]);
            free(s->folds);
            s->folds = NULL;
            return tune_error_prefix(err, "%s", s->cfg->data_path);
        }
        /* one-hot may widen the data: judge the size on the first fold */
        size_t bytes = (pf->xtr.n_rows + pf->xva.n_rows) * (pf->xtr.n_cols + 1) * sizeof(double);
        if (f == 0 && bytes > FOLD_CACHE_MAX / sp->n) {
            fold_release(pf);
            free(s->folds);
            s->folds = NULL;
            return TUNE_OK;
        }
    }
    return TUNE_OK;
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
    int rc, created;
    s->rng = gsl_rng_alloc(gsl_rng_mt19937);
    s->point = calloc(cfg->space.n + 1, sizeof *s->point);
    s->values = calloc(cfg->trainer->n_hparams + 1, sizeof *s->values);
    if (!s->rng || !s->point || !s->values) {
        rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
        goto fail;
    }
    if ((rc = tune_searcher_new(cfg->searcher, &cfg->space, &cfg->search_opts, &s->searcher,
                                err))) {
        tune_error_prefix(err, "%s", cfg->file);
        goto fail;
    }
    if (cfg->score_mode)
        goto store; /* the program evaluates itself: no data, no folds */
    if ((rc = tune_dataset_load(cfg->data_path, cfg->target, cfg->task, &s->ds, err)))
        goto fail;
    if ((rc = tune_cv_split(&cfg->cv, s->ds->n_rows, s->ds->y, s->ds->n_classes, cfg->seed,
                            &s->splits, err))) {
        tune_error_prefix(err, "%s", cfg->file);
        goto fail;
    }
    if ((rc = prepare_folds(s, err)))
        goto fail;
store:
    if ((rc = store->type->study_create_or_load(store, cfg->name, cfg->canonical, cfg->metric,
                                                cfg->maximize, &s->info, &created, err)))
        goto fail;
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
    tune_study_info_release(&s->info);
    for (size_t f = 0; s->folds && s->splits && f < s->splits->n; f++)
        fold_release(&s->folds[f]);
    free(s->folds);
    tune_dataset_free(s->ds);
    tune_splits_free(s->splits);
    gsl_rng_free(s->rng);
    tune_searcher_free(s->searcher);
    free(s->point);
    free(s->values);
    free(s->params_json);
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

/* A space point as a JSON object text (malloc'ed). */
static char *point_json(const struct tune_space *sp, const double *point)
{
    size_t cap = 64, len;
    for (size_t i = 0; i < sp->n; i++)
        cap += strlen(sp->params[i].name) * 2 + 96 +
               (sp->params[i].type == TUNE_PARAM_CATEGORICAL
                    ? 6 * strlen(sp->params[i].values[(size_t)point[i]])
                    : 0);
    char *out = malloc(cap);
    if (!out)
        return NULL;
    strcpy(out, "{");
    len = 1;
    for (size_t i = 0; i < sp->n; i++) {
        const struct tune_param *p = &sp->params[i];
        char val[1024];
        tune_param_format(p, point[i], val, sizeof val);
        len += (size_t)snprintf(out + len, cap - len, "%s\"%s\": %s", i ? ", " : "", p->name, val);
    }
    snprintf(out + len, cap - len, "}");
    return out;
}

/* Read a stored params object back into a point; 0 if it does not fit. */
static int json_point(const struct tune_space *sp, const char *json, double *point)
{
    cJSON *obj = json ? cJSON_Parse(json) : NULL;
    int ok = obj != NULL;
    for (size_t i = 0; ok && i < sp->n; i++) {
        const struct tune_param *p = &sp->params[i];
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, p->name);
        if (!v) {
            ok = 0;
        } else if (p->type == TUNE_PARAM_BOOL) {
            ok = cJSON_IsBool(v);
            point[i] = cJSON_IsTrue(v);
        } else if (p->type == TUNE_PARAM_CATEGORICAL) {
            char num[64];
            const char *text = cJSON_IsString(v) ? v->valuestring : NULL;
            if (cJSON_IsNumber(v)) {
                snprintf(num, sizeof num, "%.17g", v->valuedouble);
                text = num;
            }
            ok = 0;
            for (size_t k = 0; text && k < p->n_values; k++)
                if (strcmp(p->values[k], text) == 0) {
                    point[i] = (double)k;
                    ok = 1;
                }
        } else {
            ok = cJSON_IsNumber(v);
            point[i] = v->valuedouble;
        }
    }
    cJSON_Delete(obj);
    return ok;
}

/* The trainer's values for a space point: fixed values, then the point. */
static void resolve_point(const struct tune_study_config *cfg, const double *point,
                          double *values)
{
    memcpy(values, cfg->fixed, cfg->trainer->n_hparams * sizeof *values);
    for (size_t i = 0; i < cfg->space.n; i++) {
        const struct tune_param *p = &cfg->space.params[i];
        long idx = tune_trainer_hparam_index(cfg->trainer, p->name);
        const struct tune_hparam *h = &cfg->trainer->hparams[idx];
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
}

/* A clustering trial's validated rows as k-means saw them
 * ("oof_features.csv"): the report's silhouette and projection need the
 * rows, and reports never refit a fold's preprocessing. */
static int features_save(struct tune_study *s, int number, const struct tune_cv_result *cv,
                         struct tune_error *err)
{
    struct tune_oof_features *a = NULL;
    int rc = tune_oof_features_new(s->ds->n_rows, cv->oof_fold, &a, err);
    for (size_t f = 0; !rc && f < s->splits->n; f++) {
        struct prepared_fold own, *pf = s->folds ? &s->folds[f] : &own;
        if (!s->folds && (rc = fold_prepare(s->ds, &s->splits->splits[f], &s->cfg->prep, &own,
                                            err)))
            break;
        rc = tune_oof_features_add(a, (int)f, &s->splits->splits[f], &pf->xva,
                                   (const char *const *)pf->names, err);
        if (!s->folds)
            fold_release(&own);
    }
    if (!rc)
        rc = tune_oof_features_save(a, s->store, s->info.id, number, err);
    tune_oof_features_free(a);
    return rc;
}

/* Run one configuration and finish its (already claimed) trial. */
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
    return t->store->type->artifact_save(t->store, t->study_id, t->number, name, data, len,
                                         &err);
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
                     const struct cv_run *run, struct tune_cv_result *cv,
                     struct tune_error *err)
{
    struct tune_fit_ctx ctx = {.seed = tune_mix64(run->seed ^
                                                  tune_mix64((uint64_t)run->trial + 77)),
                               .report = log_report,
                               .report_arg = run->log,
                               .n_threads = run->n_threads,
                               .type = s->cfg->trainer,
                               .trial = run->trial,
                               .fold = -1,
                               .cancel = run->cancel,
                               .attach = run->attach,
                               .attach_arg = run->attach_arg};
    struct tune_external_score sc;
    memset(cv, 0, sizeof *cv);
    run->log->fold = -1;
    double t0 = now_mono();
    int rc = tune_external_score(s->cfg->trainer, &ctx, params, &sc, err);
    if (rc)
        return rc;
    sc.seconds = now_mono() - t0;
    cv->metrics = calloc(sc.n_metrics + 2, sizeof *cv->metrics);
    rc = cv->metrics ? add_summary(cv, "objective", sc.objective) : TUNE_ENOMEM;
    for (size_t i = 0; rc == TUNE_OK && i < sc.n_metrics; i++)
        if (strcmp(sc.metric_names[i], "objective") != 0)
            rc = add_summary(cv, sc.metric_names[i], sc.metric_values[i]);
    cv->n_folds = 1;
    cv->fit_seconds = sc.seconds;
    cv->predict_seconds = 0;
    tune_external_score_release(&sc);
    if (rc) {
        tune_cv_result_release(cv);
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    }
    return TUNE_OK;
}

static int evaluate_trial(struct tune_study *s, int number, struct tune_step *step,
                          struct tune_cv_result *keep, struct tune_error *err)
{
    const struct tune_study_config *cfg = s->cfg;
    const struct tune_trainer_type *tr = cfg->trainer;
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
    struct trial_log log = {0};
    struct importance_acc imp = {0};
    struct attach_target at = {s->store, s->info.id, number};
    struct cv_run run = {.seed = cfg->seed,
                         .n_threads = s->n_threads,
                         .trial = number,
                         .log = &log,
                         .importances = &imp,
                         .cancel = s->cancel,
                         .attach = attach_artifact,
                         .attach_arg = &at};
    tune_heartbeat_set(s->heartbeat, number);
    double t0 = now_mono();
    int rc = tr->check ? tr->check(&params, &terr) : TUNE_OK;
    if (rc)
        terr.code = rc = TUNE_ETRAINER;
    else if (cfg->score_mode)
        rc = score_run(s, &params, &run, &cv, &terr);
    else
        rc = cross_validate(s->ds, s->splits, s->folds, &cfg->prep, tr, &params, &run, &cv,
                            &terr);
    step->number = number;
    step->params_json = s->params_json;
    step->seconds = now_mono() - t0;
    step->error = NULL;
    step->is_best = 0;
    if (rc == TUNE_OK) {
        const struct tune_metric_summary *obj = NULL;
        for (size_t m = 0; m < cv.n_metrics; m++)
            if (strcmp(cv.metrics[m].name, cfg->metric) == 0)
                obj = &cv.metrics[m];
        res.state = TUNE_TRIAL_COMPLETE;
        res.value = obj ? obj->mean : NAN;
        res.value_std = obj ? obj->std : NAN;
        res.fit_seconds = cv.fit_seconds;
        res.predict_seconds = cv.predict_seconds;
        res.n_metrics = cv.n_metrics;
        res.metrics = cv.metrics;
        if (isnan(res.value)) {
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
        snprintf(s->errbuf, sizeof s->errbuf, "%s", terr.msg);
        res.error = s->errbuf;
    }
    /* Compare with the best before this trial is stored. */
    struct tune_progress before;
    int prc = tune_study_progress(s, &before, err);
    double best = before.best_value;
    int best_number = before.best_number;
    if (prc) {
        tune_cv_result_release(&cv);
        importance_release(&imp);
        free(log.v);
        return prc;
    }
    int frc = log.n ? s->store->type->trial_add_intermediate(s->store, s->info.id, number,
                                                             log.v, log.n, err)
                    : TUNE_OK;
    free(log.v);
    if (frc) {
        tune_cv_result_release(&cv);
        importance_release(&imp);
        return frc;
    }
    frc = s->store->type->trial_finish(s->store, s->info.id, number, &res, err);
    tune_heartbeat_set(s->heartbeat, -1);
    step->state = res.state;
    step->value = res.value;
    step->value_std = res.value_std;
    step->error = res.error;
    if (frc == TUNE_OK && res.state == TUNE_TRIAL_COMPLETE &&
        (best_number < 0 || (cfg->maximize ? res.value > best : res.value < best))) {
        step->is_best = 1;
        /* The best trial's out-of-fold predictions feed the reports. */
        if (s->ds)
            frc = tune_oof_save(s->store, s->info.id, number, s->ds, &cv, err);
        if (frc == TUNE_OK && s->ds && s->ds->task == TUNE_TASK_CLUSTERING)
            frc = features_save(s, number, &cv, err);
        if (frc == TUNE_OK && imp.folds > 0)
            frc = importance_save(s->store, s->info.id, number, &imp, err);
    }
    importance_release(&imp);
    if (keep && frc == TUNE_OK)
        *keep = cv;
    else
        tune_cv_result_release(&cv);
    if (frc)
        return frc;
    /* A data problem (not a trainer's) fails every trial alike: stop. */
    if (rc && rc != TUNE_ETRAINER && rc != TUNE_ENUMERIC) {
        *err = terr;
        return rc;
    }
    return TUNE_OK;
}

int tune_study_step(struct tune_study *s, size_t budget, struct tune_step *step,
                    struct tune_error *err)
{
    const struct tune_study_config *cfg = s->cfg;
    struct tune_store *st = s->store;
    int number, seq, rc;
    memset(step, 0, sizeof *step);
    rc = st->type->trial_claim(st, s->info.id, TUNE_ORIGIN_SEARCH, budget, &number, &seq, err);
    if (rc)
        return rc;
    tune_heartbeat_set(s->heartbeat, number);

    /* History from the store: the searcher's only memory. */
    struct tune_trial *trials = NULL;
    size_t n_trials = 0;
    if ((rc = st->type->trial_list(st, s->info.id, &trials, &n_trials, err)))
        goto abandon;
    struct tune_history_entry *entries = calloc(n_trials + 1, sizeof *entries);
    double *points = calloc((n_trials + 1) * (cfg->space.n + 1), sizeof *points);
    if (!entries || !points) {
        free(entries);
        free(points);
        tune_trials_free(trials, n_trials);
        rc = tune_error_set(err, TUNE_ENOMEM, "out of memory for the history");
        goto abandon;
    }
    size_t n_hist = 0;
    for (size_t i = 0; i < n_trials; i++) {
        struct tune_history_entry *e = &entries[n_hist];
        double *pt = &points[n_hist * (cfg->space.n + 1)];
        if (trials[i].number == number)
            continue;
        e->number = trials[i].number;
        e->state = trials[i].state;
        e->value = trials[i].value;
        e->value_std = trials[i].value_std;
        e->point = json_point(&cfg->space, trials[i].params_json, pt) ? pt : NULL;
        n_hist++;
    }
    struct tune_history hist = {n_hist, entries, cfg->maximize, number};
    gsl_rng_set(s->rng,
                (unsigned long)tune_mix64(cfg->seed ^ tune_mix64((uint64_t)seq + 0x5eed)));
    rc = tune_searcher_suggest(s->searcher, &cfg->space, &hist, (size_t)seq, s->rng, s->point,
                               err);
    free(entries);
    free(points);
    tune_trials_free(trials, n_trials);
    if (rc)
        goto abandon;

    free(s->params_json);
    s->params_json = point_json(&cfg->space, s->point);
    if (!s->params_json) {
        rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
        goto abandon;
    }
    if ((rc = st->type->trial_set_params(st, s->info.id, number, s->params_json, err)))
        goto abandon;
    resolve_point(cfg, s->point, s->values);
    return evaluate_trial(s, number, step, NULL, err);

abandon:;
    /* The claimed trial never ran: give its slot back. */
    struct tune_error aerr;
    tune_heartbeat_set(s->heartbeat, -1);
    st->type->trial_abandon(st, s->info.id, number, &aerr);
    return rc;
}

int tune_study_evaluate(struct tune_study *s, const char *params_json, struct tune_step *step,
                        struct tune_cv_result *cv, struct tune_error *err)
{
    struct tune_store *st = s->store;
    int number, seq, rc;
    memset(step, 0, sizeof *step);
    memset(cv, 0, sizeof *cv);
    if ((rc = tune_config_resolve_params(s->cfg, params_json, "--params", s->values, err)))
        return rc;
    /* Store the given params in a normal form, each value printed from the
     * resolved double so it reads back exactly (cJSON's printer rounds). */
    cJSON *obj = params_json ? cJSON_Parse(params_json) : NULL;
    struct tune_space given = {0, NULL};
    double *pt = calloc((size_t)cJSON_GetArraySize(obj) + 1, sizeof *pt);
    struct tune_param *gp = calloc((size_t)cJSON_GetArraySize(obj) + 1, sizeof *gp);
    if (!pt || !gp) {
        cJSON_Delete(obj);
        free(pt);
        free(gp);
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    }
    for (const cJSON *v = obj ? obj->child : NULL; v; v = v->next) {
        long idx = tune_trainer_hparam_index(s->cfg->trainer, v->string);
        const struct tune_hparam *h = &s->cfg->trainer->hparams[idx];
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
    s->params_json = point_json(&given, pt);
    cJSON_Delete(obj);
    free(pt);
    free(gp);
    if (!s->params_json)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    if ((rc = st->type->trial_claim(st, s->info.id, TUNE_ORIGIN_MANUAL, 0, &number, &seq, err)))
        return rc;
    if ((rc = st->type->trial_set_params(st, s->info.id, number, s->params_json, err))) {
        struct tune_error aerr;
        st->type->trial_abandon(st, s->info.id, number, &aerr);
        return rc;
    }
    return evaluate_trial(s, number, step, cv, err);
}

int tune_store_progress(struct tune_store *store, const struct tune_study_info *info,
                        struct tune_progress *p, struct tune_error *err)
{
    struct tune_trial *trials = NULL;
    size_t n = 0;
    int rc = store->type->trial_list(store, info->id, &trials, &n, err);
    if (rc)
        return rc;
    memset(p, 0, sizeof *p);
    p->best_value = NAN;
    p->best_number = -1;
    for (size_t i = 0; i < n; i++) {
        const struct tune_trial *t = &trials[i];
        if (t->origin == TUNE_ORIGIN_SEARCH && !t->lost) {
            p->running += t->state == TUNE_TRIAL_RUNNING;
            p->finished += t->state != TUNE_TRIAL_RUNNING;
            p->complete += t->state == TUNE_TRIAL_COMPLETE;
            p->failed += t->state == TUNE_TRIAL_FAILED;
        }
        if (t->state == TUNE_TRIAL_COMPLETE && isfinite(t->value) &&
            (p->best_number < 0 ||
             (info->maximize ? t->value > p->best_value : t->value < p->best_value))) {
            p->best_value = t->value;
            p->best_number = t->number;
        }
    }
    tune_trials_free(trials, n);
    return TUNE_OK;
}

int tune_study_progress(struct tune_study *s, struct tune_progress *p, struct tune_error *err)
{
    return tune_store_progress(s->store, &s->info, p, err);
}

int tune_store_best_trial(struct tune_store *store, const struct tune_study_info *info,
                          struct tune_trial *out, struct tune_error *err)
{
    struct tune_trial *trials = NULL;
    size_t n = 0;
    int rc = store->type->trial_list(store, info->id, &trials, &n, err);
    if (rc)
        return rc;
    long best = -1;
    for (size_t i = 0; i < n; i++) {
        const struct tune_trial *t = &trials[i];
        if (t->state != TUNE_TRIAL_COMPLETE || !isfinite(t->value))
            continue;
        if (best < 0 || (info->maximize ? t->value > trials[best].value
                                        : t->value < trials[best].value))
            best = (long)i;
    }
    if (best < 0) {
        tune_trials_free(trials, n);
        return tune_error_set(err, TUNE_ENOTFOUND, "study '%s' has no complete trial yet",
                              info->name);
    }
    *out = trials[best];
    memset(&trials[best], 0, sizeof trials[best]);
    tune_trials_free(trials, n);
    return TUNE_OK;
}
