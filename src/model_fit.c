/* SPDX-License-Identifier: GPL-3.0-or-later */
/* model_fit.c — `tunefold fit`'s library half (tune_model_fit in
 * tunefold/model.h): refit a stored trial on every row and make the model
 * that ships.
 *
 * What a refit uses, and why:
 *   - the trial's parameters resolved as the study resolved them: a search
 *     trial's stored point through the study's space (so a categorical over
 *     a numeric hyperparameter reads back as the number it stood for), a
 *     manual trial's (`tunefold evaluate --params`) through
 *     tune_config_resolve_params, both on top of the study's fixed params;
 *   - the study's preprocessing fitted on every row — the same procedure
 *     each fold used on its training rows, now on all of them;
 *   - a seed derived from the study seed alone, on a stream no fold uses
 *     ("final"), so refitting the same trial gives the same model bit for
 *     bit, and the final fit is not a copy of any fold's randomness.
 * The model returned is read back from the bytes it serializes to: what
 * the caller holds is exactly what a model file holds, and the file is
 * proved loadable before anyone writes it. */
#include "src/model_impl.h"
#include "tunefold/text.h"
#include "src/seed.h"
#include "src/model_io.h"
#include "tunefold/external.h"
#include "tunefold/space.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef TUNE_VERSION
#define TUNE_VERSION "unknown"
#endif

/* The stream of the final fit's seed: "final" in ASCII. */
#define FINAL_STREAM UINT64_C(0x66696e616c)

/* The trainer's values for a search point: fixed values, then the point
 * (what the study does for a search trial). */
static int resolve_point(const struct tune_study_config *cfg, const char *json, double *values)
{
    double *point = calloc(cfg->space.n + 1, sizeof *point);
    if (!point || !tune_space_point_from_json(&cfg->space, json, point)) {
        free(point);
        return 0;
    }
    const struct tune_trainer_type *tr = cfg->trainer;
    memcpy(values, cfg->fixed, tr->n_hparams * sizeof *values);
    int ok = 1;
    for (size_t i = 0; ok && i < cfg->space.n; i++) {
        const struct tune_param *p = &cfg->space.params[i];
        long idx = tune_trainer_hparam_index(tr, p->name);
        ok = idx >= 0;
        if (!ok)
            break;
        const struct tune_hparam *h = &tr->hparams[idx];
        double v = point[i];
        if (p->type == TUNE_PARAM_CATEGORICAL) {
            const char *text = p->values[(size_t)v];
            if (h->type == TUNE_PARAM_CATEGORICAL) {
                ok = 0;
                for (size_t k = 0; h->choices && h->choices[k]; k++)
                    if (strcmp(h->choices[k], text) == 0) {
                        v = (double)k;
                        ok = 1;
                    }
            } else {
                v = strtod(text, NULL);
            }
        }
        values[idx] = v;
    }
    free(point);
    return ok;
}

/* A value as text, the shortest that reads back as the same number. */
static void value_text(const struct tune_hparam *h, double v, char *buf, size_t len)
{
    switch (h->type) {
    case TUNE_PARAM_INT:
        snprintf(buf, len, "%.0f", v);
        return;
    case TUNE_PARAM_BOOL:
        snprintf(buf, len, "%s", v != 0 ? "true" : "false");
        return;
    case TUNE_PARAM_CATEGORICAL:
        snprintf(buf, len, "%s", h->choices ? h->choices[(size_t)v] : "");
        return;
    case TUNE_PARAM_FLOAT:
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(buf, len, "%.*g", prec, v);
            if (strtod(buf, NULL) == v)
                return;
        }
        return;
    }
}

static char *join_argv(const struct tune_trainer_type *tr)
{
    const struct tune_external *e = tune_external_of(tr);
    size_t len = 1;
    for (size_t i = 0; e && e->argv[i]; i++)
        len += strlen(e->argv[i]) + 1;
    char *s = malloc(len);
    if (!s)
        return NULL;
    s[0] = '\0';
    for (size_t i = 0; e && e->argv[i]; i++) {
        if (i)
            strcat(s, " ");
        strcat(s, e->argv[i]);
    }
    return s;
}

static char *dup0(const char *s)
{
    return strdup(s ? s : "");
}

/* Copy the dataset's input columns (names, kinds, levels) into m. */
static int copy_inputs(struct tune_model *m, const struct tune_dataset *ds)
{
    m->inputs = calloc(ds->n_features + 1, sizeof *m->inputs);
    if (!m->inputs)
        return TUNE_ENOMEM;
    for (size_t j = 0; j < ds->n_features; j++) {
        const struct tune_column *s = &ds->features[j];
        struct tune_column *c = &m->inputs[j];
        m->n_inputs = j + 1;
        c->kind = s->kind;
        c->name = strdup(s->name);
        size_t nl = s->kind == TUNE_COL_CATEGORICAL ? s->n_levels : 0;
        c->levels = calloc(nl + 1, sizeof *c->levels);
        if (!c->name || !c->levels)
            return TUNE_ENOMEM;
        c->n_levels = nl;
        for (size_t l = 0; l < nl; l++)
            if (!(c->levels[l] = strdup(s->levels[l])))
                return TUNE_ENOMEM;
    }
    return TUNE_OK;
}

/* Everything but the trained model: where it came from and its columns. */
static int describe(struct tune_model *m, const struct tune_study_config *cfg,
                    const struct tune_trainer_type *tr, const struct tune_study_info *study,
                    const struct tune_trial *trial, const struct tune_dataset *ds,
                    const double *values)
{
    int external = tune_external_of(tr) != NULL;
    m->format = TUNE_MODEL_FORMAT;
    m->name = strdup("model");
    m->tunefold_version = strdup(TUNE_VERSION);
    m->created = (double)time(NULL);
    m->task = cfg->task;
    m->trainer_name = strdup(tr->name);
    m->trainer_detail = external ? join_argv(tr) : strdup("");
    m->study = dup0(study->name);
    m->trial = trial->number;
    m->params_json = dup0(trial->params_json);
    m->metric = dup0(study->metric);
    m->maximize = study->maximize;
    m->value = trial->value;
    m->value_std = trial->value_std;
    m->data_path = dup0(cfg->data_path_given ? cfg->data_path_given : cfg->data_path);
    m->n_rows = ds->n_rows;
    m->target = dup0(ds->target_name);
    if (!m->name || !m->tunefold_version || !m->trainer_name || !m->trainer_detail ||
        !m->study || !m->params_json || !m->metric || !m->data_path || !m->target)
        return TUNE_ENOMEM;
    m->param_names = calloc(tr->n_hparams + 1, sizeof *m->param_names);
    m->param_texts = calloc(tr->n_hparams + 1, sizeof *m->param_texts);
    if (!m->param_names || !m->param_texts)
        return TUNE_ENOMEM;
    for (size_t i = 0; i < tr->n_hparams; i++) {
        char buf[1024];
        value_text(&tr->hparams[i], values[i], buf, sizeof buf);
        m->n_params = i + 1;
        if (!(m->param_names[i] = strdup(tr->hparams[i].name)) ||
            !(m->param_texts[i] = strdup(buf)))
            return TUNE_ENOMEM;
    }
    if (copy_inputs(m, ds))
        return TUNE_ENOMEM;
    int classes = cfg->task == TUNE_TASK_BINARY || cfg->task == TUNE_TASK_MULTICLASS;
    if (classes) {
        m->class_names = calloc(ds->n_classes + 1, sizeof *m->class_names);
        if (!m->class_names)
            return TUNE_ENOMEM;
        for (size_t k = 0; k < ds->n_classes; k++) {
            m->n_classes = k + 1;
            if (!(m->class_names[k] = strdup(ds->class_names[k])))
                return TUNE_ENOMEM;
        }
    }
    m->metrics = calloc(trial->n_metrics + 1, sizeof *m->metrics);
    if (!m->metrics)
        return TUNE_ENOMEM;
    for (size_t i = 0; i < trial->n_metrics; i++) {
        const struct tune_metric_summary *s = &trial->metrics[i];
        char *name = strdup(s->name);
        if (!name)
            return TUNE_ENOMEM;
        m->metrics[i] = (struct tune_model_metric){name, s->mean, s->std, s->n_folds};
        m->n_metrics = i + 1;
    }
    return TUNE_OK;
}

int tune_model_fit(const struct tune_study_config *cfg, const struct tune_study_info *study,
                   const struct tune_trial *trial, const struct tune_model_fit_options *opts,
                   struct tune_model **out, struct tune_error *err)
{
    const struct tune_trainer_type *tr = cfg->trainer;
    size_t choice = 0;
    *out = NULL;
    if (cfg->score_mode)
        return tune_error_set(err, TUNE_EINVAL, "study '%s' runs its program in score mode: "
                              "the program scores itself and leaves no model to fit (use "
                              "\"mode\": \"predict\")", study->name);
    if (trial->state != TUNE_TRIAL_COMPLETE)
        return tune_error_set(err, TUNE_EINVAL, "trial %d of study '%s' is %s: only a "
                              "complete trial can be fitted", trial->number, study->name,
                              tune_trial_state_name(trial->state));
    char where[64];
    snprintf(where, sizeof where, "trial %d params", trial->number);
    double *chosen = NULL;
    if (cfg->choose_trainer) {
        /* a study of several trainers: the trial's "trainer" names its own */
        if (!(chosen = calloc(cfg->max_hparams + 1, sizeof *chosen)))
            return tune_error_set(err, TUNE_ENOMEM, "out of memory");
        int crc = tune_config_resolve_choice(cfg, trial->params_json, where, &choice, chosen, err);
        if (crc) {
            free(chosen);
            return crc;
        }
        tr = cfg->choices[choice].trainer;
    }
    if (!tune_trainer_can_save(tr)) {
        free(chosen);
        return tune_error_set(err, TUNE_EUNSUPPORTED, "trainer '%s' cannot save its models",
                              tr->name);
    }

    double *values = calloc(tr->n_hparams + 1, sizeof *values);
    const char **names = calloc(tr->n_hparams + 1, sizeof *names);
    const char **strings = calloc(tr->n_hparams + 1, sizeof *strings);
    struct tune_dataset *ds = NULL;
    struct tune_prep *prep = NULL;
    struct tune_matrix x = {0};
    size_t *rows = NULL;
    char **fnames = NULL;
    struct tune_model *m = NULL;
    void *model = NULL, *bytes = NULL;
    size_t n_bytes = 0;
    int rc;
    if (!values || !names || !strings) {
        rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
        goto done;
    }
    if (chosen)
        memcpy(values, chosen, tr->n_hparams * sizeof *values);
    else if (!(trial->origin == TUNE_ORIGIN_SEARCH && trial->params_json &&
               resolve_point(cfg, trial->params_json, values)) &&
             (rc = tune_config_resolve_params(cfg, trial->params_json, where, values, err)))
        goto done;
    for (size_t i = 0; i < tr->n_hparams; i++) {
        const struct tune_hparam *h = &tr->hparams[i];
        names[i] = h->name;
        strings[i] = h->type == TUNE_PARAM_CATEGORICAL && h->choices
                         ? h->choices[(size_t)values[i]] : NULL;
    }
    struct tune_params params = {tr->n_hparams, names, values, strings};
    if (tr->check && (rc = tr->check(&params, err)))
        goto done;

    if ((rc = tune_dataset_load(cfg->data_path, cfg->target, cfg->task, &ds, err)))
        goto done;
    m = calloc(1, sizeof *m);
    if (!m || describe(m, cfg, tr, study, trial, ds, values)) {
        rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = tune_sha256_file(cfg->data_path, m->data_sha256, err)))
        goto done;

    double t0 = tune_clock_seconds();
    rows = malloc((ds->n_rows + 1) * sizeof *rows);
    if (!rows) {
        rc = tune_error_set(err, TUNE_ENOMEM, "out of memory for %zu rows", ds->n_rows);
        goto done;
    }
    for (size_t i = 0; i < ds->n_rows; i++)
        rows[i] = i;
    if ((rc = tune_prep_fit(&cfg->prep, ds, rows, ds->n_rows, &prep, err)) ||
        (rc = tune_prep_transform(prep, ds, rows, ds->n_rows, &x, err))) {
        tune_error_prefix(err, "%s", cfg->data_path);
        goto done;
    }
    fnames = calloc(x.n_cols + 1, sizeof *fnames);
    for (size_t j = 0; fnames && j < x.n_cols; j++) {
        char buf[1024];
        tune_prep_out_name(prep, ds, j, buf, sizeof buf);
        if (!(fnames[j] = strdup(buf))) {
            rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
            goto done;
        }
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int classes = cfg->task == TUNE_TASK_BINARY || cfg->task == TUNE_TASK_MULTICLASS;
    struct tune_fit_ctx ctx = {
        .task = cfg->task,
        .n_classes = classes ? ds->n_classes : 0,
        .seed = tune_mix64(cfg->seed ^ tune_mix64(FINAL_STREAM)),
        .n_threads = opts && opts->n_threads ? opts->n_threads : cores > 0 ? (size_t)cores : 1,
        .type = tr,
        .trial = trial->number,
        .fold = -1,
        .feature_names = (const char *const *)fnames,
        .class_names = classes ? (const char *const *)ds->class_names : NULL,
        .cancel = opts ? opts->cancel : NULL,
        .target_name = ds->target_name,
    };
    /* clustering without a target column has no y: zeros, never read */
    double *y = ds->y;
    if (!y && !(y = calloc(ds->n_rows + 1, sizeof *y))) {
        rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
        goto done;
    }
    rc = tr->fit(&x, y, &ctx, &params, &model, err);
    if (y != ds->y)
        free(y);
    if (rc)
        goto done;
    m->fit_seconds = tune_clock_seconds() - t0;
    m->prep = prep;
    prep = NULL;
    m->type = tr;
    m->model = model;
    model = NULL;
    m->allow_exec = 1;
    if ((rc = tune_model_finish(m, err)) || (rc = tune_model_to_bytes(m, &bytes, &n_bytes, err)))
        goto done;
    /* what the caller gets is what the file will hold */
    struct tune_model_load_options lo = {.n_threads = ctx.n_threads, .allow_exec = 1};
    if ((rc = tune_model_load_bytes("model", bytes, n_bytes, &lo, out, err)))
        tune_error_prefix(err, "the fitted model does not read back");
done:
    if (model)
        tr->free_model(model);
    tune_model_free(m);
    free(bytes);
    for (size_t j = 0; fnames && j < x.n_cols; j++)
        free(fnames[j]);
    free(fnames);
    free(x.data);
    free(rows);
    tune_prep_free(prep);
    tune_dataset_free(ds);
    free(values);
    free(chosen);
    free(names);
    free(strings);
    return rc;
}
