/* sobol.c — quasi-random search: point seq is the (seq+1)-th point of GSL's
 * Sobol sequence in the unit cube.  GSL's sequence already leaves out the
 * all-zeros corner (which would put every parameter at its lower bound) and
 * starts at the centre (1/2, ..., 1/2).  Sobol points
 * fill the cube more evenly than random draws, which matters at small
 * budgets.  GSL's Sobol generator supports up to 40 dimensions.
 *
 * The sequence is regenerated up to seq on each call (GSL has no skip-ahead);
 * that is O(seq * d) work, negligible next to one cross-validation. */
#include "tunefold/searcher.h"

#include <gsl/gsl_qrng.h>
#include <stdlib.h>

#define SOBOL_MAX_DIM 40

static size_t sobol_max_points(const struct tune_space *space)
{
    (void)space;
    return 0;
}

static int sobol_suggest(void *state, const struct tune_space *space,
                         const struct tune_history *history, size_t seq, gsl_rng *rng,
                         double *point, struct tune_error *err)
{
    (void)state;
    (void)history;
    (void)rng;
    if (space->n == 0)
        return TUNE_OK;
    if (space->n > SOBOL_MAX_DIM)
        return tune_error_set(err, TUNE_EINVAL,
                              "search.strategy: sobol supports at most %d parameters, the space "
                              "has %zu",
                              SOBOL_MAX_DIM, space->n);
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
    .summary = "quasi-random Sobol points: even coverage of the space (up to 40 parameters)",
    .max_points = sobol_max_points,
    .suggest = sobol_suggest,
};
