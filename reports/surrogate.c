/* SPDX-License-Identifier: GPL-3.0-or-later */
/* surrogate.c — a study's space as a box, its complete trials as rows, and
 * the random forest fitted on them (surrogate.h).
 *
 * The forest is tunefold's own `forest` trainer, called through its public
 * type (tune_trainer_forest) with Optuna's FanovaImportanceEvaluator
 * settings: 64 regression trees, max_depth 64, min_samples_split 2,
 * min_samples_leaf 1, every column tried at each split, bootstrap draws of
 * every row count; its trees are then read through trainers/forest.h.  Only
 * COMPLETE trials count (a pruned trial's value is of an unfinished fit, a
 * failed one has none). */
#include "surrogate.h"
#include "tunefold/trainer.h"
#include "trainers/forest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void dim_release(struct tune_hp_dim *p)
{
    free(p->name);
    for (size_t k = 0; k < p->n_values; k++)
        free(p->values[k]);
    free(p->values);
}

void tune_hp_space_release(struct tune_hp_space *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->d; i++)
        dim_release(&s->dims[i]);
    free(s->dims);
    memset(s, 0, sizeof *s);
}

static double num(const cJSON *o, const char *key, double def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : def;
}

/* One entry of "space" as a column; 0 when it is not one (a single allowed
 * value, or nothing to search). */
static int parse_dim(const cJSON *e, struct tune_hp_dim *p)
{
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(e, "type");
    const cJSON *scale = cJSON_GetObjectItemCaseSensitive(e, "scale");
    const char *ty = cJSON_IsString(type) ? type->valuestring : "float";
    memset(p, 0, sizeof *p);
    p->type = strcmp(ty, "categorical") == 0 ? TUNE_PARAM_CATEGORICAL
              : strcmp(ty, "bool") == 0      ? TUNE_PARAM_BOOL
              : strcmp(ty, "int") == 0       ? TUNE_PARAM_INT
                                             : TUNE_PARAM_FLOAT;
    p->log = cJSON_IsString(scale) && strcmp(scale->valuestring, "log") == 0;
    p->low = num(e, "low", NAN);
    p->high = num(e, "high", NAN);
    switch (p->type) {
    case TUNE_PARAM_CATEGORICAL: {
        const cJSON *values = cJSON_GetObjectItemCaseSensitive(e, "values"), *v;
        size_t nv = cJSON_IsArray(values) ? (size_t)cJSON_GetArraySize(values) : 0;
        if (nv < 2)
            return 0;
        p->values = calloc(nv, sizeof *p->values);
        if (!p->values)
            return -1;
        cJSON_ArrayForEach(v, values) {
            char buf[64];
            if (cJSON_IsNumber(v))
                snprintf(buf, sizeof buf, "%.17g", v->valuedouble);
            p->values[p->n_values] = strdup(cJSON_IsString(v)   ? v->valuestring
                                            : cJSON_IsNumber(v) ? buf
                                            : cJSON_IsTrue(v)   ? "true"
                                            : cJSON_IsFalse(v)  ? "false"
                                                                : "?");
            if (!p->values[p->n_values++])
                return -1;
        }
        p->lo = -0.5;
        p->hi = (double)nv - 0.5;
        break;
    }
    case TUNE_PARAM_BOOL:
        p->lo = -0.5;
        p->hi = 1.5;
        break;
    case TUNE_PARAM_INT:
        if (!(p->high > p->low))
            return 0;
        p->lo = p->log ? log10(p->low - 0.5) : p->low - 0.5;
        p->hi = p->log ? log10(p->high + 0.5) : p->high + 0.5;
        break;
    default:
        if (!(p->high > p->low) || (p->log && !(p->low > 0)))
            return 0;
        p->lo = p->log ? log10(p->low) : p->low;
        p->hi = p->log ? log10(p->high) : p->high;
    }
    if (p->log && p->type == TUNE_PARAM_INT && !(p->low > 0.5))
        return 0;
    return isfinite(p->lo) && isfinite(p->hi) && p->hi > p->lo;
}

int tune_hp_space_parse(const char *config_json, struct tune_hp_space *s, struct tune_error *err)
{
    memset(s, 0, sizeof *s);
    cJSON *cfg = config_json ? cJSON_Parse(config_json) : NULL;
    const cJSON *space = cJSON_GetObjectItemCaseSensitive(cfg, "space"), *e;
    if (!cJSON_IsObject(space)) {
        cJSON_Delete(cfg);
        return TUNE_OK;
    }
    s->dims = calloc((size_t)cJSON_GetArraySize(space) + 1, sizeof *s->dims);
    int rc = s->dims ? TUNE_OK : TUNE_ENOMEM;
    cJSON_ArrayForEach(e, space) {
        if (rc)
            break;
        struct tune_hp_dim *p = &s->dims[s->d];
        int ok = parse_dim(e, p);
        if (ok > 0 && !(p->name = strdup(e->string)))
            ok = -1;
        if (ok > 0)
            s->d++;
        else
            dim_release(p);
        if (ok < 0)
            rc = TUNE_ENOMEM;
    }
    cJSON_Delete(cfg);
    if (rc) {
        tune_hp_space_release(s);
        return tune_error_set(err, TUNE_ENOMEM, "out of memory reading the search space");
    }
    return TUNE_OK;
}

double tune_hp_encode(const struct tune_hp_dim *p, const cJSON *params)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(params, p->name);
    if (!v)
        return NAN;
    if (p->type == TUNE_PARAM_BOOL)
        return cJSON_IsBool(v) ? (double)cJSON_IsTrue(v) : cJSON_IsNumber(v) ? v->valuedouble : NAN;
    if (p->type == TUNE_PARAM_CATEGORICAL) {
        char buf[64];
        const char *text = cJSON_IsString(v) ? v->valuestring
                           : cJSON_IsTrue(v) ? "true"
                           : cJSON_IsFalse(v) ? "false"
                                              : NULL;
        if (cJSON_IsNumber(v)) {
            snprintf(buf, sizeof buf, "%.17g", v->valuedouble);
            text = buf;
        }
        for (size_t k = 0; text && k < p->n_values; k++)
            if (strcmp(p->values[k], text) == 0)
                return (double)k;
        return NAN;
    }
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
        return NAN;
    if (p->log)
        return v->valuedouble > 0 ? log10(v->valuedouble) : NAN;
    return v->valuedouble;
}

double tune_hp_decode(const struct tune_hp_dim *p, double c)
{
    return p->log ? pow(10, c) : c;
}

void tune_surrogate_release(struct tune_surrogate *s)
{
    if (!s)
        return;
    if (s->model)
        tune_trainer_forest.free_model(s->model);
    tune_hp_space_release(&s->space);
    free(s->x);
    free(s->y);
    free(s->number);
    free(s->lo);
    free(s->hi);
    free(s->trees);
    memset(s, 0, sizeof *s);
}

/* The forest's settings, by name, over its declared defaults. */
static int fit_forest(struct tune_surrogate *s, uint64_t seed, struct tune_error *err)
{
    const struct tune_trainer_type *ft = &tune_trainer_forest;
    static const struct {
        const char *name;
        double value;
    } set[] = {{"n_estimators", TUNE_SURROGATE_TREES},
               {"max_depth", 64},
               {"min_samples_split", 2},
               {"min_samples_leaf", 1},
               {"max_features", 3}, /* "all" */
               {"bootstrap", 1},
               {"max_samples", 1.0},
               {"oob_score", 0},
               {"n_threads", 1}};
    double values[64];
    const char *names[64], *strings[64];
    if (ft->n_hparams > 64)
        return tune_error_set(err, TUNE_EINVAL, "surrogate: the forest declares too many "
                                                "hyperparameters");
    for (size_t k = 0; k < ft->n_hparams; k++) {
        names[k] = ft->hparams[k].name;
        values[k] = ft->hparams[k].def;
    }
    for (size_t k = 0; k < sizeof set / sizeof set[0]; k++) {
        long idx = tune_trainer_hparam_index(ft, set[k].name);
        if (idx < 0)
            return tune_error_set(err, TUNE_EINVAL, "surrogate: the forest has no '%s'",
                                  set[k].name);
        values[idx] = set[k].value;
    }
    for (size_t k = 0; k < ft->n_hparams; k++) {
        const struct tune_hparam *h = &ft->hparams[k];
        strings[k] = h->type == TUNE_PARAM_CATEGORICAL ? h->choices[(size_t)values[k]] : NULL;
    }
    struct tune_params params = {ft->n_hparams, names, values, strings};
    struct tune_fit_ctx ctx = {.task = TUNE_TASK_REGRESSION,
                               .seed = seed,
                               .n_threads = 1,
                               .type = ft,
                               .trial = -1,
                               .fold = -1};
    /* every k-th row past the cap */
    size_t d = s->space.d, k = (s->m + TUNE_SURROGATE_MAX_TRIALS - 1) / TUNE_SURROGATE_MAX_TRIALS;
    double *xs = s->x, *ys = s->y;
    s->m_fit = k > 1 ? (s->m + k - 1) / k : s->m;
    if (k > 1) {
        xs = malloc(s->m_fit * d * sizeof *xs);
        ys = malloc(s->m_fit * sizeof *ys);
        if (!xs || !ys) {
            free(xs);
            free(ys);
            return tune_error_set(err, TUNE_ENOMEM, "out of memory for the surrogate");
        }
        for (size_t r = 0; r < s->m_fit; r++) {
            ys[r] = s->y[r * k];
            for (size_t j = 0; j < d; j++)
                xs[j * s->m_fit + r] = s->x[j * s->m + r * k];
        }
    }
    struct tune_matrix x = {s->m_fit, d, xs};
    int rc = ft->fit(&x, ys, &ctx, &params, &s->model, err);
    if (k > 1) {
        free(xs);
        free(ys);
    }
    if (rc) {
        tune_error_prefix(err, "the surrogate of the objective");
        return rc;
    }
    s->n_trees = tune_forest_tree_count(s->model);
    s->trees = calloc(s->n_trees + 1, sizeof *s->trees);
    if (!s->trees)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    for (size_t t = 0; t < s->n_trees; t++)
        s->trees[t] = tune_forest_tree_at(s->model, t);
    return TUNE_OK;
}

int tune_surrogate_rows(const struct tune_study_info *info, const struct tune_trial *trials,
                        size_t n, struct tune_surrogate *s, struct tune_error *err)
{
    memset(s, 0, sizeof *s);
    int rc = tune_hp_space_parse(info->config_json, &s->space, err);
    if (rc || s->space.d == 0)
        return rc;
    size_t d = s->space.d;
    s->x = malloc((n * d + 1) * sizeof *s->x);
    s->y = malloc((n + 1) * sizeof *s->y);
    s->number = malloc((n + 1) * sizeof *s->number);
    s->lo = malloc(d * sizeof *s->lo);
    s->hi = malloc(d * sizeof *s->hi);
    double *row = malloc(d * sizeof *row);
    if (!s->x || !s->y || !s->number || !s->lo || !s->hi || !row) {
        free(row);
        tune_surrogate_release(s);
        return tune_error_set(err, TUNE_ENOMEM, "out of memory for the surrogate (%zu trials)",
                              n);
    }
    for (size_t j = 0; j < d; j++) {
        s->lo[j] = s->space.dims[j].lo;
        s->hi[j] = s->space.dims[j].hi;
    }
    /* rows first in trial order, then moved to column-major */
    for (size_t i = 0; i < n; i++) {
        const struct tune_trial *t = &trials[i];
        if (t->state != TUNE_TRIAL_COMPLETE || !isfinite(t->value) || !t->params_json)
            continue;
        cJSON *params = cJSON_Parse(t->params_json);
        size_t j = 0;
        for (; params && j < d; j++)
            if (!isfinite(row[j] = tune_hp_encode(&s->space.dims[j], params)))
                break;
        cJSON_Delete(params);
        if (!params || j < d)
            continue;
        memcpy(s->x + s->m * d, row, d * sizeof *row);
        s->y[s->m] = t->value;
        s->number[s->m++] = t->number;
    }
    free(row);
    double *cm = malloc((s->m * d + 1) * sizeof *cm);
    if (!cm) {
        tune_surrogate_release(s);
        return tune_error_set(err, TUNE_ENOMEM, "out of memory for the surrogate");
    }
    for (size_t i = 0; i < s->m; i++)
        for (size_t j = 0; j < d; j++) {
            double v = s->x[i * d + j];
            cm[j * s->m + i] = v;
            s->lo[j] = fmin(s->lo[j], v);
            s->hi[j] = fmax(s->hi[j], v);
        }
    free(s->x);
    s->x = cm;
    return TUNE_OK;
}

int tune_surrogate_fit(const struct tune_study_info *info, const struct tune_trial *trials,
                       size_t n, uint64_t seed, struct tune_surrogate *s, struct tune_error *err)
{
    int rc = tune_surrogate_rows(info, trials, n, s, err);
    if (rc || s->m < TUNE_SURROGATE_MIN_TRIALS)
        return rc;
    if ((rc = fit_forest(s, seed, err)))
        tune_surrogate_release(s);
    return rc;
}
