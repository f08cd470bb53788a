/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bayes.h — the bayes searcher's modelling choices, for benchmarks and tests.
 *
 * A study uses `tune_searcher_bayes` (searcher.h) through the study file's
 * options only; the choices below are fixed there to the defaults the
 * benchmark (bench/RESULTS.md) picked.  A benchmark that compares the
 * alternatives allocates the searcher state itself (state_size zeroed
 * bytes), runs init, then tune_bayes_set_model, then suggest. */
#ifndef TUNEFOLD_BAYES_H
#define TUNEFOLD_BAYES_H

#include "tunefold/searcher.h"
#include "searchers/gp.h"

#ifdef __cplusplus
extern "C" {
#endif

struct tune_bayes_model {
    int yeo_johnson;      /* power-transform the outputs (default 1) */
    int warping;          /* Kumaraswamy input warping of numeric columns (default 0) */
    int hamming;          /* categoricals: 1 Hamming kernel (default), 0 one-hot with
                           * arg-max projection */
    int per_trial_noise;  /* add each trial's CV variance to the learned noise (default 0) */
    int fantasize;        /* kriging believer for RUNNING trials (default 1) */
    int additive;         /* add a first-order additive part to the kernel (default 1) */
    /* Conditional spaces: 1 fits one model per value of the choice that
     * conditions the most parameters (the trainer of a study of several:
     * per-choice sub-models, in shared output units); 0 one model over
     * every column, an inactive parameter imputed far from its active
     * values.  See bayes.c for what the benchmark chose. */
    int split;
    /* Several objectives: 0 ParEGO (a random Chebyshev scalarization per
     * suggestion, then EI), 1 expected hypervolume improvement (two
     * objectives; one model each).  The "multi_objective" option. */
    int ehvi;
    /* ParEGO: 1 normalizes each objective by rank (ties shared), 0 by its
     * range (min-max).  See bayes.c for what the benchmark chose. */
    int parego_rank;
    int pruned;           /* how a PRUNED trial is read (bayes.c): */
    /* Observations in a posterior at most (default 300; at least 2): past
     * that, every model is built on max_rows of them, the max_rows / 2
     * best and the rest spread out (bayes.c, select_rows).  SIZE_MAX: every
     * observation, whatever the cost. */
    size_t max_rows;
};

/* The choices of tune_bayes_model.pruned. */
enum {
    TUNE_BAYES_PRUNED_WORST = 0,     /* as a failed trial: the worst loss */
    TUNE_BAYES_PRUNED_CENSORED = 1,  /* censored at the median complete loss, its estimate
                                        ignored */
    TUNE_BAYES_PRUNED_ESTIMATE = 2   /* its estimate (study.h) as an observation; censored
                                        when it has none (the default) */
};

/* The defaults listed above. */
void tune_bayes_model_default(struct tune_bayes_model *m);

/* Replace the model choices of an initialized bayes state (drops its caches). */
void tune_bayes_set_model(void *state, const struct tune_bayes_model *m);

/* The rows a long history's posterior is built on (searchers/bayes.c,
 * select_rows): of the n encoded rows z (n x D, columns of the given
 * kinds) with ranking keys y (lower is better), the n_best lowest (ties:
 * the earlier row), then max_rows - n_best more, each the farthest
 * (squared distance, a Hamming column counting 1 when unequal) from every
 * row kept so far, among at most pool_factor (max_rows - n_best) others
 * taken at an even stride (ties: the earlier row).  keep[i] (n bytes) is
 * set for each kept row.  n_best <= max_rows <= n.  TUNE_ENOMEM only. */
int tune_bayes_subset(size_t n, size_t D, const double *z, const enum tune_gp_column *cols,
                      const double *y, size_t max_rows, size_t n_best, size_t pool_factor,
                      unsigned char *keep);

/* For tests: the rows the posteriors of a suggestion for `history` would
 * be built on (none before two complete trials): *n of them, each its
 * trial's number and its transformed target (the objective's, after the
 * censored pruned trials are imputed; with EHVI the first objective's);
 * numbers and y need room for history->n.  *largest: the most rows any
 * of its models (each choice's, the imputed one, each constraint's,
 * EHVI's) holds, the pending trials' included.  rng as for suggest. */
int tune_bayes_model_rows(void *state, const struct tune_space *space,
                          const struct tune_history *history, gsl_rng *rng, size_t *n,
                          int *numbers, double *y, size_t *largest, struct tune_error *err);

/* The expected hypervolume improvement (both minimized) of a point whose
 * two losses are independent normals (mu1, s1^2) and (mu2, s2^2), over the
 * n points of `front` (n x 2, non-dominated, sorted by the first loss
 * ascending) within the box below `ref`: exact (see bayes.c). */
double tune_bayes_ehvi_2d(const double *front, size_t n, const double ref[2], double mu1,
                          double s1, double mu2, double s2);

#ifdef __cplusplus
}
#endif
#endif
