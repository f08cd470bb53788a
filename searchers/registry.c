/* SPDX-License-Identifier: GPL-3.0-or-later */
/* registry.c — the search strategies by name.  Adding a strategy is one file
 * in searchers/ and one line here. */
#include "tunefold/searcher.h"
#include "searchers/options.h"

#include <stdlib.h>
#include <string.h>

static const struct tune_searcher_type *const registry[] = {
    &tune_searcher_grid,
    &tune_searcher_random,
    &tune_searcher_sobol,
    &tune_searcher_bayes,
};
#define N_SEARCHERS (sizeof registry / sizeof registry[0])

const struct tune_searcher_type *tune_searcher_find(const char *name)
{
    for (size_t i = 0; i < N_SEARCHERS; i++)
        if (strcmp(registry[i]->name, name) == 0)
            return registry[i];
    return NULL;
}

const struct tune_searcher_type *tune_searcher_at(size_t i)
{
    return i < N_SEARCHERS ? registry[i] : NULL;
}

struct tune_searcher {
    const struct tune_searcher_type *type;
    void *state;
};

int tune_searcher_new(const struct tune_searcher_type *type, const struct tune_space *space,
                      const struct tune_search_options *opts, struct tune_searcher **out,
                      struct tune_error *err)
{
    static const struct tune_search_options none = {NULL, 0};
    *out = NULL;
    if (type->version < TUNE_SEARCHER_VERSION)
        return tune_error_set(err, TUNE_EINVAL,
                              "search.strategy: the %s searcher is a version %d plug-in; this "
                              "library needs version %d",
                              type->name, type->version, TUNE_SEARCHER_VERSION);
    opts = opts ? opts : &none;
    if (!type->options) { /* a strategy without options: refuse any, naming it */
        cJSON *o;
        int rc = tune_search_options_parse(type, opts->json, &o, err);
        cJSON_Delete(o);
        if (rc)
            return rc;
    }
    struct tune_searcher *s = calloc(1, sizeof *s);
    if (!s || (type->state_size && !(s->state = calloc(1, type->state_size)))) {
        free(s);
        return tune_error_set(err, TUNE_ENOMEM, "out of memory for the %s searcher", type->name);
    }
    s->type = type;
    int rc = type->init ? type->init(s->state, space, opts, err) : TUNE_OK;
    if (rc) {
        if (type->release) /* whatever init set up before failing */
            type->release(s->state);
        free(s->state);
        free(s);
        return rc;
    }
    *out = s;
    return TUNE_OK;
}

int tune_searcher_suggest(struct tune_searcher *s, const struct tune_space *space,
                          const struct tune_history *history, size_t seq, gsl_rng *rng,
                          double *point, struct tune_error *err)
{
    return s->type->suggest(s->state, space, history, seq, rng, point, err);
}

void tune_searcher_free(struct tune_searcher *s)
{
    if (!s)
        return;
    if (s->type->release)
        s->type->release(s->state);
    free(s->state);
    free(s);
}
