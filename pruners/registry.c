/* SPDX-License-Identifier: GPL-3.0-or-later */
/* registry.c — the pruning strategies by name, and a pruner with its state
 * (new, ask, free).  Adding a strategy is one file in pruners/ and one line
 * here.  "none" is a strategy that asks nothing. */
#include "tunefold/pruner.h"
#include "pruners/options.h"

#include <stdlib.h>
#include <string.h>

const struct tune_pruner_type tune_pruner_none = {
    .version = TUNE_PRUNER_VERSION,
    .name = "none",
    .summary = "every trial runs in full (the default)",
};

static const struct tune_pruner_type *const registry[] = {
    &tune_pruner_none,      &tune_pruner_median,    &tune_pruner_percentile,
    &tune_pruner_asha,      &tune_pruner_hyperband, &tune_pruner_folds,
};
#define N_PRUNERS (sizeof registry / sizeof registry[0])

const struct tune_pruner_type *tune_pruner_find(const char *name)
{
    for (size_t i = 0; name && i < N_PRUNERS; i++)
        if (strcmp(registry[i]->name, name) == 0)
            return registry[i];
    return NULL;
}

const struct tune_pruner_type *tune_pruner_at(size_t i)
{
    return i < N_PRUNERS ? registry[i] : NULL;
}

struct tune_pruner {
    const struct tune_pruner_type *type;
    void *state;
};

int tune_pruner_new(const struct tune_pruner_type *type, const struct tune_prune_options *opts,
                    struct tune_pruner **out, struct tune_error *err)
{
    static const struct tune_prune_options none = {NULL, 0};
    *out = NULL;
    if (type->version < TUNE_PRUNER_VERSION)
        return tune_error_set(err, TUNE_EINVAL,
                              "pruning.strategy: the %s pruner is a version %d plug-in; this "
                              "library needs version %d",
                              type->name, type->version, TUNE_PRUNER_VERSION);
    opts = opts ? opts : &none;
    if (!type->init) { /* a strategy without options: refuse any, naming it */
        cJSON *o;
        int rc = tune_prune_options_parse(type, opts->json, &o, err);
        cJSON_Delete(o);
        if (rc)
            return rc;
    }
    struct tune_pruner *p = calloc(1, sizeof *p);
    if (!p || (type->state_size && !(p->state = calloc(1, type->state_size)))) {
        free(p);
        return tune_error_set(err, TUNE_ENOMEM, "out of memory for the %s pruner", type->name);
    }
    p->type = type;
    int rc = type->init ? type->init(p->state, opts, err) : TUNE_OK;
    if (rc) {
        if (type->release)
            type->release(p->state);
        free(p->state);
        free(p);
        return rc;
    }
    *out = p;
    return TUNE_OK;
}

void tune_pruner_free(struct tune_pruner *p)
{
    if (!p)
        return;
    if (p->type->release)
        p->type->release(p->state);
    free(p->state);
    free(p);
}

const struct tune_pruner_type *tune_pruner_type_of(const struct tune_pruner *p)
{
    return p ? p->type : NULL;
}

int tune_pruner_active(const struct tune_pruner *p)
{
    return p && (p->type->at_step || p->type->at_fold);
}

int tune_pruner_at_step(struct tune_pruner *p, const struct tune_prune_env *env,
                        const struct tune_prune_trial *t, struct tune_prune_decision *d,
                        struct tune_error *err)
{
    memset(d, 0, sizeof *d);
    return p->type->at_step ? p->type->at_step(p->state, env, t, d, err) : TUNE_OK;
}

int tune_pruner_at_fold(struct tune_pruner *p, const struct tune_prune_env *env,
                        const struct tune_prune_trial *t, struct tune_prune_decision *d,
                        struct tune_error *err)
{
    memset(d, 0, sizeof *d);
    return p->type->at_fold ? p->type->at_fold(p->state, env, t, d, err) : TUNE_OK;
}

int tune_pruner_fold_order(struct tune_pruner *p, const struct tune_prune_env *env,
                           size_t n_folds, size_t *order, struct tune_error *err)
{
    for (size_t f = 0; f < n_folds; f++)
        order[f] = f;
    return p && p->type->fold_order ? p->type->fold_order(p->state, env, n_folds, order, err)
                                    : TUNE_OK;
}
