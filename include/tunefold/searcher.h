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
    int number;   /* the trial the point is for (never among the entries), or -1 when
                     the caller does not know: a searcher that needs it then infers it */
};

/* Strategy options from the study file's "search" section.  Zero / NULL
 * means "the strategy's default". */
struct tune_search_options {
    const char *acquisition;   /* bayes: "ei" (default), "ucb", "pi" */
    size_t initial_points;     /* bayes: initial Sobol design; 0 = max(5, d+1) */
    double xi;                 /* bayes: EI/PI exploration margin (default 0) */
    double kappa;              /* bayes: UCB width; < 0 = default (2.0) */
    const char *kernel;        /* bayes: "matern52" (default), "rbf" */
};

struct tune_searcher_type {
    int version;           /* 1 */
    const char *name;
    const char *summary;   /* one line for --help */
    /* The most points this strategy can propose (grid: the grid size),
     * 0 for no limit. */
    size_t (*max_points)(const struct tune_space *space);
    /* Bytes of per-study state (caches and workspaces only: anything in it
     * must be derivable from the history), 0 for none. */
    size_t state_size;
    /* Optional: check the options and set up `state` (state_size zeroed
     * bytes).  Errors name the "search.KEY" at fault. */
    int (*init)(void *state, const struct tune_space *space,
                const struct tune_search_options *opts, struct tune_error *err);
    /* Write the point for sequence number `seq` into `point`.  Returns
     * TUNE_EEXHAUSTED when there is none left. */
    int (*suggest)(void *state, const struct tune_space *space,
                   const struct tune_history *history, size_t seq, gsl_rng *rng, double *point,
                   struct tune_error *err);
    /* Optional: free what init allocated (not the state block itself). */
    void (*release)(void *state);
};

/* A searcher with its state, for callers: new/suggest/free. */
struct tune_searcher;
/* Allocate and init; free with tune_searcher_free(). */
int tune_searcher_new(const struct tune_searcher_type *type, const struct tune_space *space,
                      const struct tune_search_options *opts, struct tune_searcher **out,
                      struct tune_error *err);
int tune_searcher_suggest(struct tune_searcher *s, const struct tune_space *space,
                          const struct tune_history *history, size_t seq, gsl_rng *rng,
                          double *point, struct tune_error *err);
void tune_searcher_free(struct tune_searcher *s);

/* NULL if unknown. */
const struct tune_searcher_type *tune_searcher_find(const char *name);
/* The i-th registered searcher, NULL past the end. */
const struct tune_searcher_type *tune_searcher_at(size_t i);

extern const struct tune_searcher_type tune_searcher_grid;
extern const struct tune_searcher_type tune_searcher_random;
extern const struct tune_searcher_type tune_searcher_sobol;
extern const struct tune_searcher_type tune_searcher_bayes;

#ifdef __cplusplus
}
#endif
#endif
