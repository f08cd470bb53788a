/* searcher.h — the search-strategy plug-in interface.
 *
 * A searcher proposes the next point of the space.  It keeps no state that
 * the store does not also hold: before every suggestion it is given the
 * study's history (every trial: running, complete, failed) and the trial's
 * searcher sequence number `seq` (0, 1, 2 ... over search trials), plus a
 * random generator seeded from the study seed and `seq`.  So a study re-run
 * with the same seed reproduces its points, however many workers share it. */
#ifndef TUNEFOLD_SEARCHER_H
#define TUNEFOLD_SEARCHER_H

#include <stddef.h>
#include <gsl/gsl_rng.h>
#include "tunefold/error.h"
#include "tunefold/space.h"
#include "tunefold/store.h"

#ifdef __cplusplus
extern "C" {
#endif

struct tune_history_entry {
    int number;
    enum tune_trial_state state;
    const double *point;   /* space.n values, NULL when the trial has none yet */
    double value;          /* objective (NAN unless COMPLETE) */
    double value_std;
};

struct tune_history {
    size_t n;
    const struct tune_history_entry *entries;
    int maximize;
};

struct tune_searcher_type {
    int version;           /* 1 */
    const char *name;
    const char *summary;   /* one line for --help */
    /* The most points this strategy can propose (grid: the grid size),
     * 0 for no limit. */
    size_t (*max_points)(const struct tune_space *space);
    /* Write the point for sequence number `seq` into `point`.  Returns
     * TUNE_EEXHAUSTED when there is none left. */
    int (*suggest)(const struct tune_space *space, const struct tune_history *history,
                   size_t seq, gsl_rng *rng, double *point, struct tune_error *err);
};

/* NULL if unknown. */
const struct tune_searcher_type *tune_searcher_find(const char *name);
/* The i-th registered searcher, NULL past the end. */
const struct tune_searcher_type *tune_searcher_at(size_t i);

extern const struct tune_searcher_type tune_searcher_grid;
extern const struct tune_searcher_type tune_searcher_random;
extern const struct tune_searcher_type tune_searcher_sobol;

#ifdef __cplusplus
}
#endif
#endif
