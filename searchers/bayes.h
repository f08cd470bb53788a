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
    int pruned;           /* how a PRUNED trial is read (bayes.c): */
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
 * kinds) with transformed losses y, the n_best lowest (ties: the earlier
 * row), then max_rows - n_best more, each the farthest (squared distance,
 * a Hamming column counting 1 when unequal) from every row kept so far,
 * among at most pool_factor (max_rows - n_best) others taken at an even
 * stride (ties: the earlier row).  keep[i] (n bytes) is set for each kept
 * row.  n_best <= max_rows <= n.  TUNE_ENOMEM only. */
int tune_bayes_subset(size_t n, size_t D, const double *z, const enum tune_gp_column *cols,
                      const double *y, size_t max_rows, size_t n_best, size_t pool_factor,
                      unsigned char *keep);

#ifdef __cplusplus
}
#endif
#endif
