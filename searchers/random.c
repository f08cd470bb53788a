/* random.c — independent uniform draws (log-uniform on log scales).  The
 * generator is seeded by the study from (seed, seq), so trial seq's point is
 * the same however many workers run and in whatever order they finish. */
#include "tunefold/searcher.h"

static size_t random_max_points(const struct tune_space *space)
{
    (void)space;
    return 0;
}

static int random_suggest(void *state, const struct tune_space *space,
                          const struct tune_history *history, size_t seq, gsl_rng *rng,
                          double *point, struct tune_error *err)
{
    (void)state;
    (void)history;
    (void)seq;
    (void)err;
    tune_space_sample(space, rng, point);
    return TUNE_OK;
}

const struct tune_searcher_type tune_searcher_random = {
    .version = TUNE_SEARCHER_VERSION,
    .name = "random",
    .summary = "independent uniform draws, seeded by the study seed and trial",
    .max_points = random_max_points,
    .suggest = random_suggest,
};
