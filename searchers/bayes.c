/* bayes.c — Bayesian optimization: a Gaussian process (searchers/gp.c) over
 * the trials so far, and the point that maximizes an acquisition function.
 *
 * Invariants.  Every suggestion is a pure function of (space, options,
 * history, seq, rng stream): the state holds only caches (the encoding
 * buffers, the last hyperparameter fit keyed by a hash of the data it was
 * fitted on) whose use never changes a result, so a resumed study gives the
 * points of an uninterrupted run, and any worker given the same history
 * gives the same point.  A suggestion is never equal to a point already in
 * the history (finished or running).
 *
 * One suggestion:
 *  1. seq < initial_points (default max(5, d + 1)), or fewer than two
 *     completed trials: the Sobol point seq, randomized within its cell
 *     (see sobol_point), the next unseen one.
 *  2. Observations: every finished trial with a point.  The objective is
 *     turned into a loss (negated when maximizing).  A FAILED trial counts
 *     as the worst completed loss: a configuration that makes a trainer fail
 *     (divergence, no convergence, out of memory) usually has neighbours that
 *     fail too, and leaving it out would let the acquisition send the search
 *     straight back there.  (A trial failed because its worker died is
 *     indistinguishable here and pays the same price.)
 *     A PRUNED trial is neither missing (the search would go back where it
 *     was stopped) nor a failure (with most trials pruned — asha prunes two
 *     in three at its first rung — the model would flatten to "everything
 *     is the worst but a few").  It is modelled from its last value: the
 *     study stores as its value an estimate of the objective it would have
 *     reached (study.h: where its last value ranked among the complete
 *     trials at the step it was stopped, mapped onto their objectives; or
 *     the mean over the folds it ran), and that estimate is an observation
 *     like any other, except that it never counts as the best value.
 *     Without an estimate (no complete trial had reached its step) it is a
 *     censored observation: its pruner stopped it because it looked worse
 *     than the trials it was compared with, so its loss is taken to be at
 *     least c, the median loss of the complete trials, and within that
 *     bound what the model believes: max(c, mu(x)), mu the posterior mean at
 *     its point of the model of the other observations (the pruned rows
 *     enter that fit with an overwhelming noise variance, which takes them
 *     out of it, then come back with their imputed values) — one step of
 *     the usual imputation for censored regression; the hyperparameters are
 *     fitted with those rows at c.  The alternatives (tune_bayes_model's
 *     pruned: always censored, or the worst loss) are measured in
 *     bench/RESULTS_pruning.md: the estimate did best where most trials
 *     are pruned early.
 *  3. Outputs: standardized, then Yeo-Johnson-transformed (lambda by maximum
 *     likelihood, per suggestion) and standardized again, so one terrible
 *     trial compresses instead of flattening every other difference.
 *  4. Inputs: each parameter's unit-cube coordinate (space.h: log scales in
 *     log space); ints and stepped floats are snapped before encoding; a
 *     categorical with k > 2 values is compared by a Hamming column (one
 *     length scale: same value or not), or, the alternative the benchmark
 *     measured (better on its mixed Branin, worse on its mixed Hartmann6,
 *     and k - 1 more hyperparameters), one-hot encoded (k columns, each with
 *     its own length scale) from its arg-max cell; a bool or 2-valued
 *     categorical is one 0/1 column (where the two coincide).  The model
 *     therefore only sees valid points (Garrido-Merchán & Hernández-Lobato,
 *     "Dealing with categorical and integer-valued variables in Bayesian
 *     optimization with Gaussian processes", Neurocomputing 2020).
 *  5. Kernel: Matérn 5/2 (or squared exponential) with ARD length scales
 *     plus a first-order additive part (gp.h), which the benchmark showed
 *     decisive on separable objectives (Styblinski-Tang: regret 30 -> 0.08).
 *     Hyperparameters (MAP, gp.c) are refitted at every suggestion while
 *     there are at most 60 observations; beyond that at every 20% growth of
 *     the history (the first m observations in trial order, m on a fixed
 *     geometric schedule), on at most 100 of them taken at an even stride.
 *     A fit costs O(m^3) per likelihood evaluation and the length scales move
 *     little once the data are many.  The fit is deterministic, so a cache
 *     hit equals a refit.
 *     Long histories (issue 17): the posterior is recomputed at every
 *     suggestion, on every observation up to MODEL_MAX_POINTS (300), and
 *     past that on 300 of them: the 150 best, and 150 spread over the rest
 *     by max-min distance (select_rows), so a suggestion costs about the
 *     same at 1,000 or 5,000 trials (O(300^3) for the factor, O(n) for the
 *     bookkeeping) instead of growing as n^3.  Chosen over the
 *     alternatives because it bounds every part of the cost and keeps the
 *     model global: incremental Cholesky updates between refits would still
 *     grow as n^2 per candidate and per refinement step (and any change of
 *     the hyperparameters or of a fantasy refactors), and a trust region
 *     around the incumbent (TuRBO) forgets the far-away trials EI needs to
 *     stop re-exploring them.  The best half keeps the model exact where
 *     the acquisition looks; the spread half keeps the variance low where
 *     the search has been.  The benchmark (bench/RESULTS_bayes.md, "At
 *     scale") measured the regret with and without it.  The rows are a pure
 *     function of the history, like everything else here.
 *  6. RUNNING trials are fantasized by the kriging believer (Ginsbourger et
 *     al. 2010): each enters the data with the posterior mean as its value
 *     (and counts for the best value), which collapses the variance and the
 *     improvement there, so parallel workers spread out.  RUNNING trials
 *     claimed before this one (the history names its number) but without
 *     a point yet (their workers are
 *     choosing) are assumed to take, in turn, the point this model would
 *     choose, and are believed likewise.
 *  7. Acquisition (a loss to minimize; z = (best - xi - mu) / sigma, xi in
 *     units of the transformed objective's standard deviation):
 *       ei:  log EI = log sigma + log h(z), h(z) = z Phi(z) + phi(z),
 *            computed in log space (gp.c), which keeps its gradient useful
 *            where EI itself underflows (Ament et al., "Unexpected
 *            improvements to expected improvement", NeurIPS 2023);
 *       pi:  log Phi(z);
 *       ucb: kappa sigma - mu (the lower confidence bound of the loss).
 *     Maximized over Sobol candidates (randomly shifted per suggestion) plus
 *     Gaussian perturbations of the five best observations, then L-BFGS
 *     (NLopt) over the continuous parameters from the five best candidates,
 *     with the discrete ones held.  A space of discrete parameters only,
 *     small enough (at most 4096 points), is enumerated instead.  The best
 *     candidate not already in the history wins, unless it is a
 *     near-replicate on a plateau (see plateau_point): then the plateau's
 *     candidate farthest from the history does. */
#include "searchers/bayes.h"
#include "searchers/gp.h"
#include "tunefold/searcher.h"
#include "searchers/options.h"

#include <gsl/gsl_qrng.h>
#include <gsl/gsl_randist.h>
#include <limits.h>
#include <math.h>
#include <nlopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SOBOL_MAX_DIM 40
#define FIT_EVERY_UNTIL 60   /* refit at every suggestion up to this many observations */
#define FIT_GROWTH 1.2       /* then whenever the history grows by 20% */
#define FIT_MAX_POINTS 100   /* hyperparameters fitted on at most this many */
#define N_SOBOL 512          /* quasi-random candidates */
#define N_LOCAL 128          /* perturbations of the best observations */
#define N_BEST 5             /* observations perturbed, and candidates refined */
#define REFINE_EVALS 40      /* L-BFGS evaluations per refinement */
#define LONG_HISTORY 100     /* beyond this many points, scale the work above by 100/n */
#define MODEL_MAX_POINTS 300 /* observations in the posterior at most (see select_rows) */
#define MODEL_BEST 150       /* ... the best of them always, the rest spread out */
#define SPREAD_POOL 4        /* spread rows come from at most this many times as many */
#define ENUM_MAX 4096        /* discrete spaces up to this size are enumerated */
#define PLATEAU_SHARE 0.1    /* a plateau: this share of the space ... */
#define PLATEAU_NOISE 2.0    /* ... within this many noise sds of the best mean */

enum acq { ACQ_EI, ACQ_UCB, ACQ_PI };

struct bayes_state {
    enum acq acq;
    double xi, kappa;
    enum tune_gp_kernel kernel;
    size_t n_init;
    struct tune_bayes_model model;
    /* hyperparameter cache */
    struct tune_gp *gp;
    size_t gp_dim;
    uint64_t fit_key;
    int fit_valid;
    double *fit_theta;
};

void tune_bayes_model_default(struct tune_bayes_model *m)
{
    m->yeo_johnson = 1;
    m->warping = 0;
    m->hamming = 1;
    m->per_trial_noise = 0;
    m->fantasize = 1;
    m->additive = 1;
    m->pruned = TUNE_BAYES_PRUNED_ESTIMATE;
}

static void drop_caches(struct bayes_state *st)
{
    tune_gp_free(st->gp);
    st->gp = NULL;
    st->gp_dim = 0;
    free(st->fit_theta);
    st->fit_theta = NULL;
    st->fit_valid = 0;
}

void tune_bayes_set_model(void *state, const struct tune_bayes_model *m)
{
    struct bayes_state *st = state;
    drop_caches(st);
    st->model = *m;
}

/* --- the space and its encoding ------------------------------------------ */

static size_t n_choices(const struct tune_param *p)
{
    return p->type == TUNE_PARAM_BOOL ? 2 : p->n_values;
}

static int is_categorical(const struct tune_param *p)
{
    return p->type == TUNE_PARAM_CATEGORICAL || p->type == TUNE_PARAM_BOOL;
}

/* A float without a step moves continuously; everything else is discrete. */
static int is_continuous(const struct tune_param *p)
{
    return p->type == TUNE_PARAM_FLOAT && p->step <= 0;
}

/* Columns a parameter takes in the encoding. */
static size_t param_cols(const struct tune_bayes_model *m, const struct tune_param *p)
{
    if (is_categorical(p) && n_choices(p) > 2 && !m->hamming)
        return n_choices(p);
    return 1;
}

static size_t encoded_dim(const struct tune_bayes_model *m, const struct tune_space *s)
{
    size_t D = 0;
    for (size_t i = 0; i < s->n; i++)
        D += param_cols(m, &s->params[i]);
    return D;
}

static void column_kinds(const struct tune_bayes_model *m, const struct tune_space *s,
                         enum tune_gp_column *cols)
{
    size_t c = 0;
    for (size_t i = 0; i < s->n; i++) {
        const struct tune_param *p = &s->params[i];
        size_t k = param_cols(m, p);
        for (size_t j = 0; j < k; j++)
            cols[c + j] = !is_categorical(p)           ? (m->warping ? TUNE_GP_COL_WARPED
                                                                     : TUNE_GP_COL_PLAIN)
                          : m->hamming && n_choices(p) > 2 ? TUNE_GP_COL_HAMMING
                                                           : TUNE_GP_COL_PLAIN;
        c += k;
    }
}

/* Encode a point (space coordinates) into z (encoded_dim values). */
static void encode(const struct tune_bayes_model *m, const struct tune_space *s,
                   const double *point, double *z)
{
    size_t c = 0;
    for (size_t i = 0; i < s->n; i++) {
        const struct tune_param *p = &s->params[i];
        size_t k = param_cols(m, p);
        if (is_categorical(p)) {
            if (k == 1)
                z[c] = point[i];
            else
                for (size_t j = 0; j < k; j++)
                    z[c + j] = (double)j == point[i];
        } else {
            struct tune_space one = {1, (struct tune_param *)p};
            tune_space_to_unit(&one, &point[i], &z[c]);
        }
        c += k;
    }
}

static int same_point(const double *a, const double *b, size_t d)
{
    for (size_t i = 0; i < d; i++)
        if (a[i] != b[i])
            return 0;
    return 1;
}

/* --- searcher interface --------------------------------------------------- */

static size_t bayes_max_points(const struct tune_space *space)
{
    /* A space of discrete parameters only has finitely many points. */
    size_t total = space->n ? tune_space_size(space) : 0;
    return total == SIZE_MAX ? 0 : total;
}

static const char *const bayes_options[] = {"acquisition", "initial_points", "xi", "kappa",
                                            "kernel", NULL};

static int bayes_init(void *state, const struct tune_space *space,
                      const struct tune_search_options *opts, struct tune_error *err)
{
    static const char *const acquisitions[] = {"ei", "ucb", "pi", NULL};
    static const enum acq acq_of[] = {ACQ_EI, ACQ_UCB, ACQ_PI};
    static const char *const kernels[] = {"matern52", "rbf", NULL};
    static const enum tune_gp_kernel kernel_of[] = {TUNE_GP_MATERN52, TUNE_GP_RBF};
    struct bayes_state *st = state;
    cJSON *o;
    int rc = tune_search_options_parse(&tune_searcher_bayes, opts->json, &o, err);
    if (rc)
        return rc;
    size_t acq = 0, kernel = 0;
    double init = 0, xi = 0, kappa = 2.0;
    if ((rc = tune_search_option_choice(o, "acquisition", acquisitions, &acq, err)) ||
        (rc = tune_search_option_choice(o, "kernel", kernels, &kernel, err)) ||
        (rc = tune_search_option_number(o, "initial_points", 1, 1e6, 1, &init, NULL, err)) ||
        (rc = tune_search_option_number(o, "xi", 0, HUGE_VAL, 0, &xi, NULL, err)) ||
        (rc = tune_search_option_number(o, "kappa", 0, HUGE_VAL, 0, &kappa, NULL, err))) {
        cJSON_Delete(o);
        return rc;
    }
    cJSON_Delete(o);
    st->acq = acq_of[acq];
    st->kernel = kernel_of[kernel];
    st->xi = xi;
    st->kappa = kappa;
    size_t d = space->n;
    st->n_init = init > 0 ? (size_t)init : (d + 1 > 5 ? d + 1 : 5);
    tune_bayes_model_default(&st->model);
    return TUNE_OK;
}

static void bayes_release(void *state)
{
    drop_caches(state);
}

/* --- one suggestion's working set ------------------------------------------ */

struct work {
    const struct tune_space *space;
    struct bayes_state *st;
    size_t d, D;
    /* history */
    size_t n_obs, n_pend, n_seen;
    size_t n_blind;   /* RUNNING trials claimed before this one, without a point yet */
    size_t n_model;   /* rows in the model: observations, pending, hallucinated */
    double *seen;     /* n_seen x d points of every trial with one */
    double *z;        /* (n_obs + n_pend + n_blind) x D encoded inputs, observations first */
    double *y;        /* targets (transformed), same rows */
    double *yobs;     /* n_obs: each observation's transformed target, in obs order */
    size_t n_rows;    /* observation rows in the model (n_obs, or fewer: select_rows) */
    double *noise;    /* extra noise variances, same rows, or NULL */
    double best;      /* lowest transformed loss of a completed trial */
    /* acquisition optimizer */
    double *ubuf, *pbuf, *zbuf, *gz; /* d, d, D, D scratch */
    size_t n_cont;
    size_t *cont;     /* the continuous parameters' indices */
    size_t *cont_col; /* and their columns */
    const double *u_fixed; /* refinement: the point whose discrete parts are held */
    struct tune_error *err;
    int failed;
};

static void work_release(struct work *w)
{
    free(w->seen);
    free(w->z);
    free(w->y);
    free(w->yobs);
    free(w->noise);
    free(w->ubuf);
    free(w->cont);
    free(w->cont_col);
}

static int is_seen(const struct work *w, const double *point)
{
    for (size_t i = 0; i < w->n_seen; i++)
        if (same_point(&w->seen[i * w->d], point, w->d))
            return 1;
    return 0;
}

/* The design point seq: the Sobol point seq, moved uniformly at random
 * within its cell of side 2^-m, where 2^m > max(initial_points, seq + 1).
 * The first 2^m - 1 Sobol points (GSL skips the origin) each own a
 * different cell in every coordinate, so the design keeps the Sobol
 * stratification while a study's seed changes it (the generator is seeded
 * from the study seed and seq): without that every seed would share one
 * design.  Points already in the history are skipped. */
static int sobol_point(struct work *w, size_t seq, gsl_rng *rng, double *point)
{
    size_t d = w->d, top = seq + 1 > w->st->n_init ? seq + 1 : w->st->n_init;
    double cells = 2;
    while (cells <= (double)top)
        cells *= 2;
    double *u = w->ubuf;
    if (d <= SOBOL_MAX_DIM) {
        gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)d);
        if (!q)
            return tune_error_set(w->err, TUNE_ENOMEM, "out of memory for the Sobol design");
        for (size_t i = 0; i < seq + 1000; i++) {
            gsl_qrng_get(q, u);
            if (i < seq)
                continue;
            for (size_t k = 0; k < d; k++)
                u[k] = (floor(u[k] * cells) + gsl_rng_uniform(rng)) / cells;
            tune_space_from_unit(w->space, u, point);
            if (!is_seen(w, point)) {
                gsl_qrng_free(q);
                return TUNE_OK;
            }
        }
        gsl_qrng_free(q);
    }
    for (size_t t = 0; t < 100000; t++) {
        tune_space_sample(w->space, rng, point);
        if (!is_seen(w, point))
            return TUNE_OK;
    }
    return tune_error_set(w->err, TUNE_EEXHAUSTED, "bayes: every point of the space was tried");
}

static uint64_t fnv(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

/* Standardize v[0..n) in place (zero mean, unit std; all zeros if constant);
 * returns the std used (1 when constant). */
static double standardize(double *v, size_t n)
{
    double mean = 0, m2 = 0;
    for (size_t i = 0; i < n; i++) {
        double d = v[i] - mean;
        mean += d / (double)(i + 1);
        m2 += d * (v[i] - mean);
    }
    double sd = n > 1 ? sqrt(m2 / (double)n) : 0;
    if (!(sd > 1e-300) || !isfinite(sd))
        sd = 0;
    for (size_t i = 0; i < n; i++)
        v[i] = sd > 0 ? (v[i] - mean) / sd : 0;
    return sd > 0 ? sd : 1;
}

/* Transform raw losses y[0..n) in place: standardize, Yeo-Johnson,
 * standardize.  dydx (NULL or n) receives each point's derivative of the
 * transform, for per-trial noise. */
static void transform_outputs(const struct tune_bayes_model *m, double *y, size_t n,
                              double *dydx)
{
    double s0 = standardize(y, n), lambda = 1, s1 = 1;
    if (m->yeo_johnson && n >= 4) {
        lambda = tune_gp_yeo_johnson_fit(y, n);
        if (dydx)
            for (size_t i = 0; i < n; i++)
                dydx[i] = tune_gp_yeo_johnson_deriv(y[i], lambda);
        for (size_t i = 0; i < n; i++)
            y[i] = tune_gp_yeo_johnson(y[i], lambda);
        s1 = standardize(y, n);
    } else if (dydx) {
        for (size_t i = 0; i < n; i++)
            dydx[i] = 1;
    }
    if (dydx)
        for (size_t i = 0; i < n; i++)
            dydx[i] /= s0 * s1;
}

/* The number of leading observations the hyperparameters are fitted on. */
static size_t fit_count(size_t n)
{
    if (n <= FIT_EVERY_UNTIL)
        return n;
    double m = FIT_EVERY_UNTIL;
    while (floor(m * FIT_GROWTH) <= (double)n)
        m = floor(m * FIT_GROWTH);
    return (size_t)m;
}

struct obs {
    const struct tune_history_entry *e;
    double loss;   /* NAN for a failed or censored trial until imputed */
    int pruned;    /* a PRUNED trial without an estimate (or whose estimate is ignored) */
    int estimated; /* a PRUNED trial observed at its estimate */
};

static int by_number(const void *a, const void *b)
{
    const struct obs *x = a, *y = b;
    return (x->e->number > y->e->number) - (x->e->number < y->e->number);
}

/* Make sure st->gp exists with D columns of the model's kinds. */
static int ensure_gp(struct work *w)
{
    struct bayes_state *st = w->st;
    if (st->gp && st->gp_dim == w->D)
        return TUNE_OK;
    drop_caches(st);
    enum tune_gp_column *cols = malloc(w->D * sizeof *cols);
    if (!cols)
        return tune_error_set(w->err, TUNE_ENOMEM, "out of memory for the bayes model");
    column_kinds(&st->model, w->space, cols);
    int rc = tune_gp_new(w->D, cols, st->kernel, st->model.additive ? TUNE_GP_ADDITIVE : 0,
                         &st->gp, w->err);
    free(cols);
    if (rc)
        return rc;
    st->gp_dim = w->D;
    st->fit_theta = malloc(tune_gp_n_hyper(st->gp) * sizeof *st->fit_theta);
    if (!st->fit_theta) {
        drop_caches(st);
        return tune_error_set(w->err, TUNE_ENOMEM, "out of memory for the bayes model");
    }
    return TUNE_OK;
}

/* Fit (or fetch from the cache) the hyperparameters for the first m of the
 * n_obs observations, whose raw losses are `raw` (in trial order). */
static int fit_hyper(struct work *w, const struct obs *obs, const double *raw)
{
    struct bayes_state *st = w->st;
    size_t m = fit_count(w->n_obs), D = w->D;
    size_t take = m < FIT_MAX_POINTS ? m : FIT_MAX_POINTS;
    uint64_t key = 0xcbf29ce484222325ull;
    key = fnv(key, &m, sizeof m);
    key = fnv(key, &st->model, sizeof st->model);
    key = fnv(key, &st->kernel, sizeof st->kernel);
    for (size_t i = 0; i < m; i++) {
        key = fnv(key, &obs[i].e->number, sizeof obs[i].e->number);
        key = fnv(key, &raw[i], sizeof raw[i]);
        key = fnv(key, obs[i].e->point, w->d * sizeof *obs[i].e->point);
        if (st->model.per_trial_noise)
            key = fnv(key, &obs[i].e->value_std, sizeof obs[i].e->value_std);
    }
    if (st->fit_valid && st->fit_key == key) {
        tune_gp_set_hyper(st->gp, st->fit_theta);
        return TUNE_OK;
    }
    double *x = malloc(take * (D + 3) * sizeof *x);
    if (!x)
        return tune_error_set(w->err, TUNE_ENOMEM, "out of memory for the bayes fit");
    double *y = x + take * D, *dydx = y + take, *noise = dydx + take;
    for (size_t k = 0; k < take; k++) {
        /* an even stride through the first m, always including the first */
        size_t i = take == m ? k : (size_t)((double)k * (double)m / (double)take);
        memcpy(&x[k * D], &w->z[i * D], D * sizeof *x);
        y[k] = raw[i];
    }
    transform_outputs(&st->model, y, take, dydx);
    if (st->model.per_trial_noise)
        for (size_t k = 0; k < take; k++) {
            size_t i = take == m ? k : (size_t)((double)k * (double)m / (double)take);
            double s = obs[i].e->value_std * dydx[k];
            noise[k] = isfinite(s) ? s * s : 0;
        }
    int rc = tune_gp_set_data(st->gp, take, x, y, st->model.per_trial_noise ? noise : NULL,
                              w->err);
    if (!rc)
        rc = tune_gp_fit(st->gp, 0, w->err);
    free(x);
    if (rc)
        return rc;
    tune_gp_get_hyper(st->gp, st->fit_theta);
    st->fit_key = key;
    st->fit_valid = 1;
    return TUNE_OK;
}

/* The number of the trial being suggested for, when the caller did not
 * say: numbers are given out as max + 1, so it is the largest number
 * missing from 0 .. max, or max + 1 when none is missing (a gap left by an
 * abandoned claim misleads this: fewer RUNNING trials then count as
 * claimed first).  INT_MIN when out of memory. */
static int infer_number(const struct tune_history *h)
{
    int top = -1, mine;
    for (size_t i = 0; i < h->n; i++)
        top = h->entries[i].number > top ? h->entries[i].number : top;
    unsigned char *present = calloc((size_t)top + 2, 1);
    if (!present)
        return INT_MIN;
    for (size_t i = 0; i < h->n; i++)
        if (h->entries[i].number >= 0)
            present[h->entries[i].number] = 1;
    for (mine = top; mine >= 0 && present[mine]; mine--)
        ;
    free(present);
    return mine < 0 ? top + 1 : mine;
}

/* Read the history, build the model.  Returns TUNE_OK with w->n_obs set;
 * the caller falls back to the initial design when there are too few. */
static int gather(struct work *w, const struct tune_history *h, struct obs **obs_out,
                  size_t *n_complete)
{
    size_t d = w->d, n = h->n;
    struct obs *obs = calloc(n + 1, sizeof *obs);
    struct obs *pend = calloc(n + 1, sizeof *pend);
    w->seen = malloc((n + 1) * d * sizeof *w->seen);
    if (!obs || !pend || !w->seen) {
        free(obs);
        free(pend);
        return tune_error_set(w->err, TUNE_ENOMEM, "out of memory for the history");
    }
    size_t no = 0, np = 0, nc = 0;
    /* This trial's own number: the RUNNING trials without a point below it
     * were claimed first (see n_blind). */
    int mine = h->number >= 0 ? h->number : infer_number(h);
    if (mine == INT_MIN) {
        free(obs);
        free(pend);
        return tune_error_set(w->err, TUNE_ENOMEM, "out of memory for the history");
    }
    for (size_t i = 0; i < n; i++) {
        const struct tune_history_entry *e = &h->entries[i];
        if (!e->point) {
            w->n_blind += e->state == TUNE_TRIAL_RUNNING && e->number < mine;
            continue;
        }
        memcpy(&w->seen[w->n_seen++ * d], e->point, d * sizeof *e->point);
        if (e->state == TUNE_TRIAL_RUNNING) {
            pend[np++].e = e;
            continue;
        }
        int est = e->state == TUNE_TRIAL_PRUNED && isfinite(e->value) &&
                  w->st->model.pruned == TUNE_BAYES_PRUNED_ESTIMATE;
        int ok = (e->state == TUNE_TRIAL_COMPLETE && isfinite(e->value)) || est;
        obs[no].e = e;
        obs[no].loss = ok ? (h->maximize ? -e->value : e->value) : NAN;
        obs[no].pruned = e->state == TUNE_TRIAL_PRUNED && !est;
        obs[no].estimated = est;
        nc += ok && !est;
        no++;
    }
    qsort(obs, no, sizeof *obs, by_number);
    qsort(pend, np, sizeof *pend, by_number);
    /* pending trials go after the observations, in the same array */
    for (size_t i = 0; i < np; i++)
        obs[no + i] = pend[i];
    free(pend);
    w->n_obs = no;
    w->n_pend = np;
    *obs_out = obs;
    *n_complete = nc;
    return TUNE_OK;
}

/* Squared distance of two encoded points (a Hamming column counts 1 when
 * the categories differ). */
static double enc_dist2(const enum tune_gp_column *cols, const double *a, const double *b,
                        size_t D)
{
    double s = 0;
    for (size_t c = 0; c < D; c++) {
        double d = a[c] - b[c];
        if (cols[c] == TUNE_GP_COL_HAMMING)
            d = d != 0;
        s += d * d;
    }
    return s;
}

struct ranked {
    double v;
    size_t idx;
};

static int by_value_then_index(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->v != y->v)
        return x->v < y->v ? -1 : 1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

int tune_bayes_subset(size_t n, size_t D, const double *z, const enum tune_gp_column *cols,
                      const double *y, size_t max_rows, size_t n_best, size_t pool_factor,
                      unsigned char *keep)
{
    size_t n_spread = max_rows - n_best;
    struct ranked *order = malloc((n + 1) * sizeof *order);
    size_t *pool = malloc((n + 1) * sizeof *pool);
    double *dist = malloc((n + 1) * sizeof *dist);
    if (!order || !pool || !dist) {
        free(order);
        free(pool);
        free(dist);
        return TUNE_ENOMEM;
    }
    memset(keep, 0, n);
    for (size_t i = 0; i < n; i++)
        order[i] = (struct ranked){y[i], i};
    qsort(order, n, sizeof *order, by_value_then_index);
    for (size_t k = 0; k < n_best; k++)
        keep[order[k].idx] = 1;
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        if (keep[i])
            order[kept++].idx = i;
    /* the pool: the others at an even stride */
    size_t rest = n - kept, cap = pool_factor * n_spread, np = 0;
    for (size_t i = 0, seen = 0; i < n && np < cap; i++) {
        if (keep[i])
            continue;
        if (rest <= cap || (size_t)((double)np * (double)rest / (double)cap) == seen)
            pool[np++] = i;
        seen++;
    }
    for (size_t q = 0; q < np; q++) {
        dist[q] = HUGE_VAL;
        for (size_t k = 0; k < kept; k++) {
            double d2 = enc_dist2(cols, &z[pool[q] * D], &z[order[k].idx * D], D);
            dist[q] = d2 < dist[q] ? d2 : dist[q];
        }
    }
    for (size_t k = 0; k < n_spread && k < np; k++) {
        size_t far = np;
        for (size_t q = 0; q < np; q++)
            if (!keep[pool[q]] && (far == np || dist[q] > dist[far]))
                far = q;
        size_t i = pool[far];
        keep[i] = 1;
        for (size_t q = 0; q < np; q++) {
            double d2 = enc_dist2(cols, &z[pool[q] * D], &z[i * D], D);
            dist[q] = d2 < dist[q] ? d2 : dist[q];
        }
    }
    free(order);
    free(pool);
    free(dist);
    return TUNE_OK;
}

/* The observations the posterior is built on when there are more than
 * MODEL_MAX_POINTS (tune_bayes_subset): the MODEL_BEST best (lowest
 * transformed loss), which decide where the acquisition looks, and
 * MODEL_MAX_POINTS - MODEL_BEST spread over the rest, which keep the
 * variance low where the search has already been (else it would return
 * there): chosen greedily, each the farthest from every row chosen so far
 * (max-min distance, Gonzalez 1985), from a pool of at most SPREAD_POOL
 * times as many taken at an even stride in trial order.  The cost is
 * bounded whatever the history: the pool's distances, O(MODEL_MAX_POINTS^2
 * D), then an O(MODEL_MAX_POINTS^3) factor per suggestion. */
static int select_rows(struct work *w, unsigned char *keep)
{
    enum tune_gp_column *cols = malloc(w->D * sizeof *cols);
    int rc = cols ? TUNE_OK : TUNE_ENOMEM;
    if (cols) {
        column_kinds(&w->st->model, w->space, cols);
        rc = tune_bayes_subset(w->n_obs, w->D, w->z, cols, w->yobs, MODEL_MAX_POINTS,
                               MODEL_BEST, SPREAD_POOL, keep);
        free(cols);
    }
    return rc ? tune_error_set(w->err, TUNE_ENOMEM, "out of memory for the bayes model") : rc;
}

static int ascending(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of v[0..n) (sorts v); NAN when n is 0. */
static double median(double *v, size_t n)
{
    if (n == 0)
        return NAN;
    qsort(v, n, sizeof *v, ascending);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Censored pruned trials (see the top): their transformed targets, set at
 * the censoring level, become max(level, mu(x)), mu from the model of the
 * other rows — the pruned rows are in the data with a noise variance so
 * large that they weigh nothing.  The hyperparameters stay as fitted.  The
 * model's first `no` rows are the observations rows[0..no) (all of them,
 * in order, when rows is NULL; a subset past MODEL_MAX_POINTS). */
#define CENSOR_NOISE 1e8
static int impute_censored(struct work *w, const struct obs *obs, const size_t *rows, size_t no)
{
    struct bayes_state *st = w->st;
    size_t D = w->D;
    double *noise = calloc(no + 1, sizeof *noise);
    if (!noise)
        return tune_error_set(w->err, TUNE_ENOMEM, "out of memory for the bayes model");
    for (size_t i = 0; i < no; i++)
        noise[i] = (w->noise ? w->noise[i] : 0) +
                   (obs[rows ? rows[i] : i].pruned ? CENSOR_NOISE : 0);
    int rc = tune_gp_set_data(st->gp, no, w->z, w->y, noise, w->err);
    if (!rc)
        rc = tune_gp_factor(st->gp, w->err);
    for (size_t i = 0; !rc && i < no; i++) {
        if (!obs[rows ? rows[i] : i].pruned)
            continue;
        double mu, var;
        rc = tune_gp_predict(st->gp, &w->z[i * D], &mu, &var, NULL, NULL, w->err);
        if (!rc && mu > w->y[i])
            w->y[i] = mu;
    }
    free(noise);
    return rc;
}

static int build_model(struct work *w, struct obs *obs)
{
    struct bayes_state *st = w->st;
    size_t no = w->n_obs, np = w->n_pend, nb = w->n_blind, D = w->D;
    int rc;
    double worst = -HUGE_VAL, level = NAN;
    size_t n_pruned = 0, n_done = 0;
    int censor = st->model.pruned != TUNE_BAYES_PRUNED_WORST;
    for (size_t i = 0; i < no; i++) {
        if (!isnan(obs[i].loss) && !obs[i].estimated && obs[i].loss > worst)
            worst = obs[i].loss;
        n_pruned += obs[i].pruned && censor;
    }
    if (n_pruned) { /* the censoring level: the median complete loss */
        double *done = malloc((no + 1) * sizeof *done);
        if (!done)
            return tune_error_set(w->err, TUNE_ENOMEM, "out of memory for the bayes model");
        for (size_t i = 0; i < no; i++)
            if (!isnan(obs[i].loss) && !obs[i].estimated)
                done[n_done++] = obs[i].loss;
        level = median(done, n_done);
        free(done);
    }
    w->z = malloc((no + np + nb) * D * sizeof *w->z);
    w->y = malloc((no + np + nb + 1) * sizeof *w->y);
    w->yobs = malloc((no + 1) * sizeof *w->yobs);
    double *raw = malloc((2 * no + 1) * sizeof *raw);
    if (!w->z || !w->y || !w->yobs || !raw) {
        free(raw);
        return tune_error_set(w->err, TUNE_ENOMEM, "out of memory for the bayes model");
    }
    double *dydx = raw + no;
    for (size_t i = 0; i < no + np; i++)
        encode(&st->model, w->space, obs[i].e->point, &w->z[i * D]);
    for (size_t i = 0; i < no; i++)
        raw[i] = !isnan(obs[i].loss)       ? obs[i].loss
                 : obs[i].pruned && censor ? level
                                           : worst;
    if ((rc = ensure_gp(w)) || (rc = fit_hyper(w, obs, raw))) {
        free(raw);
        return rc;
    }
    memcpy(w->y, raw, no * sizeof *raw);
    transform_outputs(&st->model, w->y, no, dydx);
    memcpy(w->yobs, w->y, no * sizeof *w->y);
    if (st->model.per_trial_noise) {
        if (!(w->noise = calloc(no + np + nb + 1, sizeof *w->noise))) {
            free(raw);
            return tune_error_set(w->err, TUNE_ENOMEM, "out of memory for the bayes model");
        }
        for (size_t i = 0; i < no; i++) {
            double s = obs[i].e->value_std * dydx[i];
            w->noise[i] = isfinite(s) && !isnan(obs[i].loss) ? s * s : 0;
        }
    }
    w->best = HUGE_VAL; /* an estimate is never the best */
    for (size_t i = 0; i < no; i++)
        if (!isnan(obs[i].loss) && !obs[i].estimated && w->y[i] < w->best)
            w->best = w->y[i];
    free(raw);
    /* A long history: the posterior on a bounded subset of the
     * observations, in trial order, the pending rows after them; rows[r]
     * is the observation of model row r. */
    size_t nr = no, *rows = NULL;
    if (no > MODEL_MAX_POINTS) {
        unsigned char *keep = malloc(no);
        rows = malloc(no * sizeof *rows);
        if (!keep || !rows) {
            free(keep);
            free(rows);
            return tune_error_set(w->err, TUNE_ENOMEM, "out of memory for the bayes model");
        }
        if ((rc = select_rows(w, keep))) {
            free(keep);
            free(rows);
            return rc;
        }
        nr = 0;
        for (size_t i = 0; i < no; i++)
            if (keep[i]) {
                memmove(&w->z[nr * D], &w->z[i * D], D * sizeof *w->z);
                w->y[nr] = w->y[i];
                if (w->noise)
                    w->noise[nr] = w->noise[i];
                rows[nr++] = i;
            }
        memmove(&w->z[nr * D], &w->z[no * D], np * D * sizeof *w->z);
        if (w->noise)
            memset(&w->noise[nr], 0, (no + np + nb - nr) * sizeof *w->noise);
        free(keep);
    }
    w->n_rows = nr;
    w->n_model = nr;
    rc = n_pruned ? impute_censored(w, obs, rows, nr) : TUNE_OK;
    free(rows);
    if (rc)
        return rc;
    if ((rc = tune_gp_set_data(st->gp, nr, w->z, w->y, w->noise, w->err)) ||
        (rc = tune_gp_factor(st->gp, w->err)))
        return rc;
    if (np > 0 && st->model.fantasize) {
        /* kriging believer: the posterior mean stands in for each result */
        for (size_t i = 0; i < np; i++) {
            double var;
            if ((rc = tune_gp_predict(st->gp, &w->z[(nr + i) * D], &w->y[nr + i], &var, NULL,
                                      NULL, w->err)))
                return rc;
            /* believed, so it also counts for the best value: else a
             * predicted improvement would stay certain next to it */
            if (w->y[nr + i] < w->best)
                w->best = w->y[nr + i];
        }
        w->n_model = nr + np;
        if ((rc = tune_gp_set_data(st->gp, nr + np, w->z, w->y, w->noise, w->err)) ||
            (rc = tune_gp_factor(st->gp, w->err)))
            return rc;
    }
    return TUNE_OK;
}

/* Add `point` to the model as a kriging-believer fantasy and to the seen
 * points (room was made for w->n_blind of them). */
static int add_fantasy(struct work *w, const double *point)
{
    struct bayes_state *st = w->st;
    size_t r = w->n_model, D = w->D;
    double var;
    int rc;
    encode(&st->model, w->space, point, &w->z[r * D]);
    if ((rc = tune_gp_predict(st->gp, &w->z[r * D], &w->y[r], &var, NULL, NULL, w->err)))
        return rc;
    if (w->y[r] < w->best)
        w->best = w->y[r];
    if (w->noise)
        w->noise[r] = 0;
    w->n_model = r + 1;
    memcpy(&w->seen[w->n_seen++ * w->d], point, w->d * sizeof *point);
    if ((rc = tune_gp_set_data(st->gp, w->n_model, w->z, w->y, w->noise, w->err)))
        return rc;
    return tune_gp_factor(st->gp, w->err);
}

/* Acquisition value (larger is better) from the posterior at one point,
 * and its gradient from the posterior's (NULL when not wanted). */
static double acquire(const struct work *w, double mu, double var, const double *dmu,
                      const double *dvar, double *grad, size_t n)
{
    const struct bayes_state *st = w->st;
    double s = sqrt(var > 1e-20 ? var : 1e-20);
    int flat = !(var > 1e-20);
    if (st->acq == ACQ_UCB) {
        if (grad)
            for (size_t k = 0; k < n; k++)
                grad[k] = (flat ? 0 : st->kappa * dvar[k] / (2 * s)) - dmu[k];
        return st->kappa * s - mu;
    }
    double z = (w->best - st->xi - mu) / s, dl, a;
    if (st->acq == ACQ_EI)
        a = log(s) + tune_gp_log_h(z, &dl);
    else
        a = tune_gp_log_cdf(z, &dl);
    if (grad)
        for (size_t k = 0; k < n; k++) {
            double ds = flat ? 0 : dvar[k] / (2 * s);
            double dz = (-dmu[k] - z * ds) / s;
            grad[k] = dl * dz + (st->acq == ACQ_EI ? ds / s : 0);
        }
    return a;
}

/* NLopt objective over the continuous parameters of one candidate. */
static double refine_objective(unsigned nv, const double *x, double *grad, void *data)
{
    struct work *w = data;
    double mu, var;
    memcpy(w->ubuf, w->u_fixed, w->d * sizeof *w->ubuf);
    for (unsigned k = 0; k < nv; k++)
        w->ubuf[w->cont[k]] = x[k];
    tune_space_from_unit(w->space, w->ubuf, w->pbuf);
    encode(&w->st->model, w->space, w->pbuf, w->zbuf);
    /* continuous columns take the coordinate itself (from_unit/to_unit is
     * the identity there up to rounding), so the gradient is exact */
    for (unsigned k = 0; k < nv; k++)
        w->zbuf[w->cont_col[k]] = x[k];
    double *dmu = w->gz, *dvar = w->gz + w->D;
    if (tune_gp_predict(w->st->gp, w->zbuf, &mu, &var, grad ? dmu : NULL, grad ? dvar : NULL,
                        w->err)) {
        w->failed = 1;
        if (grad)
            memset(grad, 0, nv * sizeof *grad);
        return -HUGE_VAL;
    }
    if (!grad)
        return acquire(w, mu, var, NULL, NULL, NULL, 0);
    double *gcol = w->gz + 2 * w->D;
    double a = acquire(w, mu, var, dmu, dvar, gcol, w->D);
    for (unsigned k = 0; k < nv; k++)
        grad[k] = gcol[w->cont_col[k]];
    return a;
}

struct cand {
    double acq;
    size_t idx;
};

static int by_acq_desc(const void *a, const void *b)
{
    const struct cand *x = a, *y = b;
    if (x->acq != y->acq)
        return x->acq < y->acq ? 1 : -1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

/* Fill u (m x d) with candidates; returns m. */
static size_t make_candidates(struct work *w, const struct obs *obs, gsl_rng *rng, double *u,
                              size_t n_sobol, size_t n_local)
{
    size_t d = w->d, m = 0;
    /* Sobol points under a random shift modulo 1 (Cranley-Patterson), so
     * successive suggestions see different candidates. */
    double *shift = w->ubuf;
    for (size_t k = 0; k < d; k++)
        shift[k] = gsl_rng_uniform(rng);
    gsl_qrng *q = d <= SOBOL_MAX_DIM ? gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)d) : NULL;
    for (size_t i = 0; i < n_sobol; i++, m++) {
        double *ui = &u[m * d];
        if (q)
            gsl_qrng_get(q, ui);
        else
            for (size_t k = 0; k < d; k++)
                ui[k] = gsl_rng_uniform(rng);
        for (size_t k = 0; k < d; k++) {
            ui[k] += shift[k];
            ui[k] -= floor(ui[k]);
        }
    }
    gsl_qrng_free(q);
    /* Around the best completed observations: two scales of Gaussian steps
     * in the cube; a categorical changes value with probability 1/4. */
    struct cand *best = malloc(w->n_obs * sizeof *best);
    size_t nb = 0;
    if (best) {
        for (size_t i = 0; i < w->n_obs; i++)
            if (!isnan(obs[i].loss))
                best[nb++] = (struct cand){-w->yobs[i], i};
        qsort(best, nb, sizeof *best, by_acq_desc);
        nb = nb < N_BEST ? nb : N_BEST;
    }
    for (size_t i = 0; i < n_local && nb > 0; i++, m++) {
        double *ui = &u[m * d];
        tune_space_to_unit(w->space, obs[best[i % nb].idx].e->point, ui);
        double sigma = (i / nb) % 2 ? 0.1 : 0.02;
        for (size_t k = 0; k < d; k++) {
            const struct tune_param *p = &w->space->params[k];
            if (is_categorical(p)) {
                if (gsl_rng_uniform(rng) < 0.25)
                    ui[k] = gsl_rng_uniform(rng);
            } else {
                ui[k] += gsl_ran_gaussian_ziggurat(rng, sigma);
                ui[k] = ui[k] < 0 ? 0 : ui[k] > 1 ? 1 : ui[k];
            }
        }
    }
    free(best);
    return m;
}

/* Every point of an all-discrete space (at most ENUM_MAX), as unit
 * coordinates at the centres of their cells. */
static size_t enumerate_space(const struct work *w, double *u, size_t total)
{
    for (size_t idx = 0; idx < total; idx++) {
        tune_space_point_at(w->space, idx, w->pbuf);
        tune_space_to_unit(w->space, w->pbuf, &u[idx * w->d]);
    }
    return total;
}

/* The noise standard deviation the model learned (in transformed units). */
static int noise_sd(const struct work *w, double *sd)
{
    double *theta = malloc(tune_gp_n_hyper(w->st->gp) * sizeof *theta);
    if (!theta)
        return tune_error_set(w->err, TUNE_ENOMEM, "out of memory for the acquisition");
    tune_gp_get_hyper(w->st->gp, theta);
    *sd = sqrt(exp(theta[w->D + 1])); /* gp.h: theta[dim + 1] is the log noise variance */
    free(theta);
    return TUNE_OK;
}

/* A flat objective: no near-replicates on a plateau.
 *
 * The acquisition's choice x* is a near-replicate when the model's standard
 * deviation of f there is below the noise's: one more trial at x* would cut
 * the posterior variance there by less than half, so it would mostly measure
 * noise.  That is right when the model sees a clear optimum at x* (refining
 * it, or averaging its noise).  It is waste on a plateau, where the posterior
 * mean over much of the space is within PLATEAU_NOISE noise standard
 * deviations of mu(x*) (closer than one trial can tell apart, at about 95%):
 * a rank metric, or an accuracy against C.  The acquisition then prefers x*
 * only for chance dips of the mean beside lucky trials, and for the
 * variance that grows towards the bounds, and the search piles trials
 * beside each other against a bound (issue 13: 11 of 30 LIBLINEAR trials
 * above C = 7000, five within 1% of the bound).
 *
 * So when x* is a near-replicate and at least PLATEAU_SHARE of the
 * space-filling candidates (the first `spread` of u, a share of the
 * space's volume) lie on that plateau, the suggestion is instead the unseen
 * candidate of the plateau farthest (in the unit cube) from every point of
 * the history: space-filling where the model cannot tell a point from the
 * best.  An objective whose slope the model sees meets both conditions
 * rarely, and then only late (5 of 90 runs of the regret benchmark changed,
 * their final regrets no worse). */
static int plateau_point(struct work *w, const double *pts, const double *mu, size_t m,
                         size_t spread, double mu_best, double var_best, double *point)
{
    size_t d = w->d, pick = m, near = 0;
    double sd = 0;
    int rc = noise_sd(w, &sd);
    if (rc || !(var_best < sd * sd))
        return rc;
    double cap = mu_best + PLATEAU_NOISE * sd;
    for (size_t i = 0; i < spread; i++)
        near += mu[i] <= cap;
    if ((double)near < PLATEAU_SHARE * (double)spread)
        return TUNE_OK;
    /* distances between the points as stored (a discrete value at the
     * centre of its cell), the history's and the candidates' alike */
    double *us = malloc((w->n_seen + 1) * d * sizeof *us), far = -1, *ui = w->ubuf;
    if (!us)
        return tune_error_set(w->err, TUNE_ENOMEM, "out of memory for the acquisition");
    for (size_t j = 0; j < w->n_seen; j++)
        tune_space_to_unit(w->space, &w->seen[j * d], &us[j * d]);
    for (size_t i = 0; i < m; i++) {
        if (mu[i] > cap || is_seen(w, &pts[i * d]))
            continue;
        tune_space_to_unit(w->space, &pts[i * d], ui);
        double closest = HUGE_VAL;
        for (size_t j = 0; j < w->n_seen; j++) {
            double d2 = 0;
            for (size_t k = 0; k < d; k++)
                d2 += (ui[k] - us[j * d + k]) * (ui[k] - us[j * d + k]);
            closest = d2 < closest ? d2 : closest;
        }
        if (closest > far) {
            far = closest;
            pick = i;
        }
    }
    free(us);
    if (pick < m)
        memcpy(point, &pts[pick * d], d * sizeof *point);
    return TUNE_OK;
}

static int maximize_acquisition(struct work *w, const struct obs *obs, gsl_rng *rng,
                                double *point)
{
    size_t d = w->d, D = w->D, n = tune_gp_n(w->st->gp);
    size_t total = bayes_max_points(w->space);
    int enumerate = total > 0 && total <= ENUM_MAX;
    /* Each candidate costs O(n) kernel evaluations and O(n^2) for its
     * variance, each refinement step O(n^2): past LONG_HISTORY points the
     * candidates and refinement steps shrink as 1/n (with floors), so the
     * work per suggestion grows like n^2 rather than n^3.  A long history
     * also means a well-informed model, which needs fewer of them. */
    double shrink = n > LONG_HISTORY ? (double)LONG_HISTORY / (double)n : 1;
    size_t n_sobol = (size_t)(N_SOBOL * shrink), n_local = (size_t)(N_LOCAL * shrink);
    size_t refine_evals = (size_t)(REFINE_EVALS * shrink);
    n_sobol = n_sobol < 128 ? 128 : n_sobol;
    n_local = n_local < 32 ? 32 : n_local;
    refine_evals = refine_evals < 15 ? 15 : refine_evals;
    size_t cap = enumerate ? total : n_sobol + n_local;
    double *u = malloc(cap * d * sizeof *u);
    double *zc = malloc(cap * D * sizeof *zc);
    double *pts = malloc(cap * d * sizeof *pts);
    double *mu = malloc(cap * sizeof *mu), *var = malloc(cap * sizeof *var);
    struct cand *c = malloc(cap * sizeof *c);
    double *ubest = malloc(2 * d * sizeof *ubest);
    double *x = malloc((d + 1) * 3 * sizeof *x);
    int rc = TUNE_OK;
    if (!u || !zc || !pts || !mu || !var || !c || !ubest || !x) {
        rc = tune_error_set(w->err, TUNE_ENOMEM, "out of memory for the acquisition");
        goto done;
    }
    size_t m = enumerate ? enumerate_space(w, u, total)
                         : make_candidates(w, obs, rng, u, n_sobol, n_local);
    for (size_t i = 0; i < m; i++) {
        tune_space_from_unit(w->space, &u[i * d], &pts[i * d]);
        encode(&w->st->model, w->space, &pts[i * d], &zc[i * D]);
    }
    if ((rc = tune_gp_predict_many(w->st->gp, m, zc, mu, var, w->err)))
        goto done;
    size_t nc = 0;
    for (size_t i = 0; i < m; i++) {
        double a = acquire(w, mu[i], var[i], NULL, NULL, NULL, 0);
        if (!isnan(a))
            c[nc++] = (struct cand){a, i};
    }
    qsort(c, nc, sizeof *c, by_acq_desc);
    /* the best unseen candidate */
    double best_a = -HUGE_VAL, mu_best = 0, var_best = 0;
    int have = 0;
    for (size_t i = 0; i < nc; i++)
        if (!is_seen(w, &pts[c[i].idx * d])) {
            best_a = c[i].acq;
            mu_best = mu[c[i].idx];
            var_best = var[c[i].idx];
            memcpy(point, &pts[c[i].idx * d], d * sizeof *point);
            memcpy(ubest, &u[c[i].idx * d], d * sizeof *ubest);
            have = 1;
            break;
        }
    /* gradient refinement of the continuous parameters from the top few */
    if (w->n_cont > 0 && !enumerate) {
        nlopt_opt opt = nlopt_create(NLOPT_LD_LBFGS, (unsigned)w->n_cont);
        if (!opt) {
            rc = tune_error_set(w->err, TUNE_ENOMEM, "out of memory for the acquisition");
            goto done;
        }
        double *lo = x, *hi = x + d + 1, *xv = x + 2 * (d + 1);
        for (size_t k = 0; k < w->n_cont; k++) {
            lo[k] = 0;
            hi[k] = 1;
        }
        nlopt_set_lower_bounds(opt, lo);
        nlopt_set_upper_bounds(opt, hi);
        nlopt_set_max_objective(opt, refine_objective, w);
        nlopt_set_maxeval(opt, (int)refine_evals);
        nlopt_set_xtol_rel(opt, 1e-6);
        double *cand_u = ubest + d;
        for (size_t r = 0; r < N_BEST && r < nc; r++) {
            const double *ur = &u[c[r].idx * d];
            memcpy(cand_u, ur, d * sizeof *cand_u);
            w->u_fixed = cand_u;
            for (size_t k = 0; k < w->n_cont; k++)
                xv[k] = ur[w->cont[k]];
            double f;
            w->failed = 0;
            nlopt_result res = nlopt_optimize(opt, xv, &f);
            if (w->failed || res < 0 || !isfinite(f))
                continue;
            /* re-score the point as it will be stored */
            double *ut = w->ubuf;
            memcpy(ut, cand_u, d * sizeof *ut);
            for (size_t k = 0; k < w->n_cont; k++)
                ut[w->cont[k]] = xv[k];
            double *pt = w->pbuf;
            tune_space_from_unit(w->space, ut, pt);
            double mu1, var1;
            encode(&w->st->model, w->space, pt, w->zbuf);
            if (tune_gp_predict(w->st->gp, w->zbuf, &mu1, &var1, NULL, NULL, w->err))
                continue;
            double a = acquire(w, mu1, var1, NULL, NULL, NULL, 0);
            if (a > best_a && !is_seen(w, pt)) {
                best_a = a;
                mu_best = mu1;
                var_best = var1;
                memcpy(point, pt, d * sizeof *point);
                have = 1;
            }
        }
        nlopt_destroy(opt);
    }
    if (have && (rc = plateau_point(w, pts, mu, m, enumerate ? m : n_sobol, mu_best, var_best,
                                    point)))
        goto done;
    if (!have)
        rc = enumerate ? tune_error_set(w->err, TUNE_EEXHAUSTED,
                                        "bayes: every point of the space was tried")
                       : sobol_point(w, 0, rng, point);
done:
    free(u);
    free(zc);
    free(pts);
    free(mu);
    free(var);
    free(c);
    free(ubest);
    free(x);
    return rc;
}

static int bayes_suggest(void *state, const struct tune_space *space,
                         const struct tune_history *history, size_t seq, gsl_rng *rng,
                         double *point, struct tune_error *err)
{
    struct bayes_state *st = state;
    if (space->n == 0)
        return TUNE_OK;
    struct work w = {.space = space, .st = st, .d = space->n, .err = err};
    w.D = encoded_dim(&st->model, space);
    size_t d = w.d, D = w.D;
    w.ubuf = malloc((2 * d + 4 * D) * sizeof *w.ubuf);
    w.cont = malloc(d * sizeof *w.cont);
    w.cont_col = malloc(d * sizeof *w.cont_col);
    if (!w.ubuf || !w.cont || !w.cont_col) {
        work_release(&w);
        return tune_error_set(err, TUNE_ENOMEM, "out of memory for the bayes searcher");
    }
    w.pbuf = w.ubuf + d;
    w.zbuf = w.pbuf + d;
    w.gz = w.zbuf + D;
    for (size_t i = 0, col = 0; i < d; i++) {
        if (is_continuous(&space->params[i])) {
            w.cont[w.n_cont] = i;
            w.cont_col[w.n_cont++] = col;
        }
        col += param_cols(&st->model, &space->params[i]);
    }
    struct obs *obs = NULL;
    size_t n_complete = 0;
    int rc = gather(&w, history, &obs, &n_complete);
    if (rc == TUNE_OK) {
        if (seq < st->n_init || n_complete < 2) {
            rc = sobol_point(&w, seq, rng, point);
        } else if ((rc = build_model(&w, obs)) == TUNE_OK) {
            /* Trials claimed before this one whose workers are still
             * choosing their points: assume each takes the point this model
             * would give it, believe it, and choose after them.  (Two workers
             * that read the history at once would otherwise both see the
             * other without a point and choose the same one.) */
            size_t nb = st->model.fantasize ? w.n_blind : 0;
            for (size_t b = 0; b < nb && rc == TUNE_OK; b++)
                if ((rc = maximize_acquisition(&w, obs, rng, point)) == TUNE_OK)
                    rc = add_fantasy(&w, point);
            if (rc == TUNE_OK)
                rc = maximize_acquisition(&w, obs, rng, point);
        }
    }
    free(obs);
    work_release(&w);
    return rc;
}

const struct tune_searcher_type tune_searcher_bayes = {
    .version = TUNE_SEARCHER_VERSION,
    .name = "bayes",
    .summary = "Bayesian optimization: a Gaussian process and expected improvement "
               "(or ucb, pi); the default for budgets of tens to hundreds of trials",
    .max_points = bayes_max_points,
    .state_size = sizeof(struct bayes_state),
    .init = bayes_init,
    .suggest = bayes_suggest,
    .release = bayes_release,
    .options = bayes_options,
};
