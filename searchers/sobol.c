/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sobol.c — quasi-random search: point seq is the (seq+1)-th point of GSL's
 * Sobol sequence in the unit cube.  GSL's sequence already leaves out the
 * all-zeros corner (which would put every parameter at its lower bound) and
 * starts at the centre (1/2, ..., 1/2).  Sobol points fill the cube more
 * evenly than random draws, which matters at small budgets.  GSL's Sobol
 * generator supports up to 40 dimensions.
 *
 * On a finite space (only categoricals, bools, ints and stepped floats)
 * many Sobol points fall in the same configuration (a categorical of 3
 * values sees 1, 2, 0, 1, 2, 1, 0 ...), so point seq is the seq-th distinct
 * configuration of the sequence (walk.h): each once, then the study ends,
 * as a grid does.  The sequence has no seed, and neither has this order.
 *
 * Without a finite space the sequence is regenerated up to seq on each call
 * (GSL has no skip-ahead); that is O(seq * d) work, negligible next to one
 * cross-validation.  A walk keeps its generator between calls. */
#include "tunefold/searcher.h"
#include "searchers/walk.h"

#include <gsl/gsl_qrng.h>
#include <stdlib.h>

#define SOBOL_MAX_DIM 40

struct sobol_state {
    size_t size;      /* points of a finite space, 0 when not finite */
    gsl_qrng *stream; /* the walk's sequence, NULL until the first point */
    double *u;        /* d coordinates */
    struct tune_walk walk;
};

static size_t finite_size(const struct tune_space *space)
{
    size_t n = space->n ? tune_space_size(space) : 0;
    return n == SIZE_MAX ? 0 : n;
}

static size_t sobol_max_points(const struct tune_space *space)
{
    return space->n <= SOBOL_MAX_DIM ? finite_size(space) : 0;
}

static int sobol_init(void *state, const struct tune_space *space,
                      const struct tune_search_options *opts, struct tune_error *err)
{
    struct sobol_state *st = state;
    (void)opts; /* no options (tune_searcher_new refused any), no seed */
    if (space->n > SOBOL_MAX_DIM)
        return tune_error_set(err, TUNE_EINVAL,
                              "search.strategy: sobol supports at most %d parameters, the space "
                              "has %zu",
                              SOBOL_MAX_DIM, space->n);
    st->size = finite_size(space);
    tune_walk_init(&st->walk, st->size ? st->size : 1);
    return TUNE_OK;
}

static void sobol_release(void *state)
{
    struct sobol_state *st = state;
    gsl_qrng_free(st->stream);
    st->stream = NULL;
    free(st->u);
    st->u = NULL;
    tune_walk_release(&st->walk);
}

static int next_point(void *arg, const struct tune_space *space, double *point,
                      struct tune_error *err)
{
    struct sobol_state *st = arg;
    (void)err;
    gsl_qrng_get(st->stream, st->u);
    tune_space_from_unit(space, st->u, point);
    return TUNE_OK;
}

static int sobol_suggest(void *state, const struct tune_space *space,
                         const struct tune_history *history, size_t seq, gsl_rng *rng,
                         double *point, struct tune_error *err)
{
    struct sobol_state *st = state;
    (void)history;
    (void)rng;
    if (space->n == 0)
        return TUNE_OK;
    if (space->n > SOBOL_MAX_DIM)
        return tune_error_set(err, TUNE_EINVAL,
                              "search.strategy: sobol supports at most %d parameters, the space "
                              "has %zu",
                              SOBOL_MAX_DIM, space->n);
    if (st->size) {
        if (!st->stream) {
            st->stream = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)space->n);
            st->u = malloc(space->n * sizeof *st->u);
            if (!st->stream || !st->u) {
                sobol_release(st);
                tune_walk_init(&st->walk, st->size);
                return tune_error_set(err, TUNE_ENOMEM, "out of memory for the Sobol sequence");
            }
        }
        int rc = tune_walk_point(&st->walk, space, seq, next_point, st, 0, point, err);
        return rc == TUNE_EEXHAUSTED ? tune_error_prefix(err, "sobol") : rc;
    }
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)space->n);
    double *u = malloc(space->n * sizeof *u);
    if (!q || !u) {
        gsl_qrng_free(q);
        free(u);
        return tune_error_set(err, TUNE_ENOMEM, "out of memory for the Sobol sequence");
    }
    for (size_t i = 0; i <= seq; i++)
        gsl_qrng_get(q, u);
    tune_space_from_unit(space, u, point);
    gsl_qrng_free(q);
    free(u);
    return TUNE_OK;
}

const struct tune_searcher_type tune_searcher_sobol = {
    .version = TUNE_SEARCHER_VERSION,
    .name = "sobol",
    .summary = "quasi-random Sobol points: even coverage of the space (up to 40 parameters); "
               "each point of a finite space once",
    .max_points = sobol_max_points,
    .state_size = sizeof(struct sobol_state),
    .init = sobol_init,
    .suggest = sobol_suggest,
    .release = sobol_release,
    .ignores_history = 1,
};
