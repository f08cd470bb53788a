/* SPDX-License-Identifier: GPL-3.0-or-later */
/* grid.c — exhaustive grid search: the point with index `seq` of the space's
 * fixed grid order (see tune_space_grid_point), each point once, then the
 * search is exhausted.  Because the point depends only on seq, and the store
 * hands out each seq once, several workers never run a grid point twice. */
#include "tunefold/searcher.h"

static size_t grid_max_points(const struct tune_space *space)
{
    return tune_space_grid_size(space);
}

static int grid_suggest(void *state, const struct tune_space *space,
                        const struct tune_history *history, size_t seq, gsl_rng *rng,
                        double *point, struct tune_error *err)
{
    (void)state;
    (void)history;
    (void)rng;
    size_t size = tune_space_grid_size(space);
    if (size == SIZE_MAX)
        return tune_error_set(err, TUNE_EINVAL, "space: the grid has too many points to count");
    if (seq >= size)
        return tune_error_set(err, TUNE_EEXHAUSTED, "grid exhausted after %zu points", size);
    tune_space_grid_point(space, seq, point);
    return TUNE_OK;
}

const struct tune_searcher_type tune_searcher_grid = {
    .version = TUNE_SEARCHER_VERSION,
    .name = "grid",
    .summary = "every grid point once, in a fixed order (grid_points per numeric parameter)",
    .max_points = grid_max_points,
    .suggest = grid_suggest,
    .exhaustive = 1,
    .ignores_history = 1,
};
