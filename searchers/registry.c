/* registry.c — the search strategies by name.  Adding a strategy is one file
 * in searchers/ and one line here. */
#include "tunefold/searcher.h"

#include <string.h>

static const struct tune_searcher_type *const registry[] = {
    &tune_searcher_grid,
    &tune_searcher_random,
    &tune_searcher_sobol,
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
