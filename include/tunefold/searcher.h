/* SPDX-License-Identifier: GPL-3.0-or-later */
/* searcher.h — the search-strategy plug-in interface.
 *
 * A searcher proposes the next point of the space.  It keeps no state that
 * the store does not also hold: before every suggestion it is given the
 * study's history (every trial: running, complete, failed) and the trial's
 * searcher sequence number `seq` (0, 1, 2 ... over search trials), plus a
 * random generator seeded from the study seed and `seq`; at init it is
 * given its own options from the study file and the study seed.  So a study
 * re-run with the same seed reproduces its points, however many workers
 * share it. */
#ifndef TUNEFOLD_SEARCHER_H
#define TUNEFOLD_SEARCHER_H

#include <stddef.h>
#include <stdint.h>
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
    const double *point;   /* space.n values (NAN where a parameter is inactive), NULL
                              when the trial has none yet */
    double value;          /* objective (NAN unless COMPLETE); for a PRUNED trial the
                              study's estimate of it, NAN when it has none (study.h) */
    double value_std;
    /* Appended.  A study of several objectives or with constraints: a
     * COMPLETE trial's value of each objective (history->n_objectives,
     * objectives[0] == value) and of each constraint's slack (how far its
     * metric lies outside the bounds, <= 0 inside; history->n_constraints),
     * NAN where missing; NULL otherwise. */
    const double *objectives;
    const double *slack;
    double violation;      /* > 0: the trial broke the constraints (never the best) */
    int prior;             /* an observation of another study (search.warm_start), not a
                              trial of this one: number is -1 */
};

struct tune_history {
    size_t n;
    const struct tune_history_entry *entries;
    int maximize;
    int number;   /* the trial the point is for (never among the entries), or -1 when
                     the caller does not know: a searcher that needs it then infers it */
    /* Appended: the objectives (1 unless several) and their directions
     * (NULL: `maximize` for the one), and the number of constraints. */
    size_t n_objectives;
    const int *objective_maximize;
    size_t n_constraints;
};

/* The keys of a study file's "search" section that every strategy shares
 * (config.c reads them: the strategy, the budget, the seed, the workers and
 * the study's stop rules); every other key is one of the strategy's own
 * options, which only the searcher reads. */
#define TUNE_SEARCH_COMMON_KEYS                                                          \
    "strategy", "trials", "seed", "workers", "max_seconds", "target", "patience", "enqueue", \
        "warm_start", "batch"

/* What a searcher's init is given. */
struct tune_search_options {
    /* The study file's "search" object without the common keys, as JSON
     * text (borrowed, valid during init); NULL means no options ({}). */
    const char *json;
    /* The study seed.  The generator given to suggest is seeded from it and
     * seq; a searcher that needs one stream over the whole study (random
     * and sobol walking a finite space) derives it from this seed. */
    uint64_t seed;
};

/* Version 1's init took a struct of the bayes strategy's fields; version 2
 * takes the options as JSON text (above) and the seed, and appends
 * `options` and `exhaustive`.  tune_searcher_new refuses older versions. */
#define TUNE_SEARCHER_VERSION 2

struct tune_searcher_type {
    int version;           /* TUNE_SEARCHER_VERSION */
    const char *name;
    const char *summary;   /* one line for --help */
    /* The most points this strategy can propose (grid: the grid size; a
     * strategy that never repeats a point: the number of points of a finite
     * space), 0 for no limit.  The budget is capped at it. */
    size_t (*max_points)(const struct tune_space *space);
    /* Bytes of per-study state (caches and workspaces only: anything in it
     * must be derivable from the options, the seed and the history), 0 for
     * none. */
    size_t state_size;
    /* Optional: check the options and set up `state` (state_size zeroed
     * bytes).  Each option error names the "search.KEY" at fault, and a key
     * that is not in `options` is refused (tune_searcher_new refuses every
     * key itself for a type without `options`).  When init fails, release
     * (if any) is still called. */
    int (*init)(void *state, const struct tune_space *space,
                const struct tune_search_options *opts, struct tune_error *err);
    /* Write the point for sequence number `seq` into `point`.  Returns
     * TUNE_EEXHAUSTED when there is none left. */
    int (*suggest)(void *state, const struct tune_space *space,
                   const struct tune_history *history, size_t seq, gsl_rng *rng, double *point,
                   struct tune_error *err);
    /* Optional: free what init allocated (not the state block itself). */
    void (*release)(void *state);
    /* Version 2.  The strategy's own keys of the "search" section,
     * NULL-terminated (NULL: none), in the order the study's canonical text
     * lists them. */
    const char *const *options;
    /* 1 when a study without search.trials runs every point (grid): the
     * budget then defaults to max_points rather than 20. */
    int exhaustive;
    /* 1 when suggest never reads the history (its point depends on the
     * seed and seq alone): the study then hands it an empty history and
     * saves building one per trial. */
    int ignores_history;
};

/* A searcher with its state, for callers: new/suggest/free. */
struct tune_searcher;
/* Allocate and init (opts NULL: no options, seed 0); free with
 * tune_searcher_free().  Refuses a type older than TUNE_SEARCHER_VERSION,
 * and any option for a type that declares none. */
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
