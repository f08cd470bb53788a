/* SPDX-License-Identifier: GPL-3.0-or-later */
/* random.c — uniform draws (log-uniform on log scales).
 *
 * A space with a continuum (a float without a step): independent draws
 * from the generator the study seeds from (seed, seq), so trial seq's point
 * is the same however many workers run and in whatever order they finish.
 *
 * A finite space (only categoricals, bools, ints and stepped floats): the
 * same law without replacement (walk.h): point seq is the seq-th distinct
 * point of one stream of draws seeded by the study seed alone, so no
 * configuration is tried twice, and the study ends, as a grid does, once
 * every one was (max_points is the size of the space).  Independent draws
 * would repeat configurations early: 3 trials of a 4-point space repeat one
 * with probability 5/8.  An empty space is one configuration that a study
 * may run several times (a trainer may be random): it has no limit. */
#include "tunefold/searcher.h"
#include "src/seed.h"
#include "searchers/walk.h"

#include <stdlib.h>

struct random_state {
    uint64_t seed;
    size_t size;        /* points of a finite space, 0 when not finite */
    gsl_rng *stream;    /* the walk's draws, NULL until the first */
    struct tune_walk walk;
};

/* The finite spaces this strategy walks: 0 for none (a continuum, no
 * parameter, or too many points to count). */
static size_t finite_size(const struct tune_space *space)
{
    size_t n = space->n ? tune_space_size(space) : 0;
    return n == SIZE_MAX ? 0 : n;
}

static size_t random_max_points(const struct tune_space *space)
{
    return finite_size(space);
}

static int random_init(void *state, const struct tune_space *space,
                       const struct tune_search_options *opts, struct tune_error *err)
{
    struct random_state *st = state;
    (void)err; /* no options: tune_searcher_new refused any */
    st->seed = opts->seed;
    st->size = finite_size(space);
    tune_walk_init(&st->walk, st->size ? st->size : 1);
    return TUNE_OK;
}

static void random_release(void *state)
{
    struct random_state *st = state;
    gsl_rng_free(st->stream);
    st->stream = NULL;
    tune_walk_release(&st->walk);
}

static int next_draw(void *arg, const struct tune_space *space, double *point,
                     struct tune_error *err)
{
    (void)err;
    tune_space_sample(space, arg, point);
    return TUNE_OK;
}

static int random_suggest(void *state, const struct tune_space *space,
                          const struct tune_history *history, size_t seq, gsl_rng *rng,
                          double *point, struct tune_error *err)
{
    struct random_state *st = state;
    (void)history;
    if (!st->size) {
        tune_space_sample(space, rng, point);
        return TUNE_OK;
    }
    if (!st->stream) {
        if (!(st->stream = gsl_rng_alloc(gsl_rng_mt19937)))
            return tune_error_set(err, TUNE_ENOMEM, "out of memory for the random searcher");
        gsl_rng_set(st->stream, (unsigned long)tune_mix64(st->seed ^ 0x7a1c5eedull));
    }
    int rc = tune_walk_point(&st->walk, space, seq, next_draw, st->stream, st->seed, point, err);
    return rc == TUNE_EEXHAUSTED ? tune_error_prefix(err, "random") : rc;
}

const struct tune_searcher_type tune_searcher_random = {
    .version = TUNE_SEARCHER_VERSION,
    .name = "random",
    .summary = "uniform draws seeded by the study seed; each point of a finite space once",
    .max_points = random_max_points,
    .state_size = sizeof(struct random_state),
    .init = random_init,
    .suggest = random_suggest,
    .release = random_release,
    .ignores_history = 1,
};
