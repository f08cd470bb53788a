/* SPDX-License-Identifier: GPL-3.0-or-later */
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
 *     suggestion on every observation up to MODEL_MAX_POINTS (300), and
 *     past that on 300 of them: the 150 best, and 150 spread over the rest
 *     by max-min distance (select_rows), so a suggestion costs about the
 *     same at 1,000 or 5,000 trials (O(300^3) per factor, O(n) for the
 *     bookkeeping) instead of growing as n^3.  Every model takes its rows
 *     from that one subset: each choice's and the imputed one (8.), each
 *     constraint's (10., fitted on every observation like the objective's,
 *     its posterior on the subset's), EHVI's two (9., ranked by the sum of
 *     their transformed losses); the incumbent, the censoring level, the
 *     ParEGO normalization and the front still read every observation.
 *     Chosen over the alternatives because it bounds every part of the
 *     cost and keeps the model global: incremental Cholesky updates between
 *     refits would still grow as n^2 per candidate and per refinement step
 *     (and a change of hyperparameters or a fantasy refactors), and a trust
 *     region around the incumbent (TuRBO) forgets the far-away trials EI
 *     needs to stop re-exploring them.  The best half keeps the model exact
 *     where the acquisition looks; the spread half keeps the variance low
 *     where the search has been.  The rows are a pure function of the
 *     history, like everything else here (bench/RESULTS_bayes.md, "At
 *     scale", measures the regret with and without them).
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
 *     candidate farthest from the history does; or, once three trials share
 *     the best value, a point crowding a trial (see flat_top_point): then
 *     the best candidate that does not.
 *
 * Search power (issue 20).
 *  8. Conditional spaces (a parameter active only with some values of a
 *     choice; several trainers, whose choice is params[0]).  An inactive
 *     parameter is NAN in a point and encoded as -1 (a unit coordinate, a
 *     category index and a 0/1 column are all >= 0), so two points that
 *     both lack it agree there and one that has it differs by at least one
 *     unit, whatever its value: the imputation approach (Lévesque et al.,
 *     "Bayesian optimization for conditional hyperparameter spaces", IJCNN
 *     2017).  With model.split, the choice that conditions the most
 *     parameters (the trainer) splits the data instead: one GP per value,
 *     over the columns that value can use, all in the same transformed
 *     output units and with the same incumbent, so their acquisitions
 *     compare (per-choice sub-kernels with no correlation across choices,
 *     as SMAC's and auto-sklearn's random forests split on them).  A value
 *     without observations has the prior: mean 0 (the outputs' mean),
 *     variance 1.  SPLIT_DEFAULT records what the benchmark chose
 *     (bench/RESULTS_search.md).  The initial design has max(5, a + 1)
 *     points, a the most parameters active at once (a choice of trainers
 *     gets more: 12.).
 *  9. Several objectives: ParEGO (Knowles 2006): each suggestion draws
 *     weights on the simplex from its generator, normalizes each
 *     objective's losses to [0, 1] over the observations, and models the
 *     augmented Chebyshev scalarization max_j w_j f_j + 0.05 sum_j w_j f_j,
 *     then proceeds as for one objective; or, for two objectives with
 *     model.ehvi ("multi_objective": "ehvi"), one GP per objective and the
 *     exact expected hypervolume improvement of two independent normals
 *     over the feasible front (see ehvi_2d), maximized over the candidates.
 * 10. Constraints: one GP per constraint on its slack (how far outside its
 *     bounds a trial's metric was; <= 0 kept), standardized; the
 *     acquisition adds log P(slack <= 0) of each (expected improvement
 *     times the probability of feasibility: Gardner et al., "Bayesian
 *     optimization with inequality constraints", ICML 2014), whose
 *     incumbent is the best trial that kept them; before any did, the
 *     probability of feasibility alone.  A violating trial stays in the
 *     objective's model: its values are real.
 * 11. Prior observations (a warm start's other studies) are observations
 *     like the study's own; the initial design shrinks by their number.
 * 12. Several trainers: how the budget is spent.  A space that is a choice
 *     among sub-spaces — a root categorical on which every other parameter
 *     hangs (arm_param: the "trainer" of a study of several trainers, or
 *     any such hand-written space) — is searched one sub-space at a time:
 *       - the design gives every choice its share and at least ARM_DESIGN
 *         (3) points: K max(3, ceil(n / K)) for K choices and n the design
 *         above (with "initial_points" given, that many, shared out); each
 *         point goes to the choice with the fewest points so far (ties in
 *         an order drawn from the generator), a choice without a point
 *         left (one with no parameters, tried once) passes its turn;
 *       - then every choice's acquisition is maximized within its own
 *         sub-space with the same effort (the candidates, the perturbed
 *         observations — that choice's best — and the refinement), and the
 *         choice of the largest maximum wins (the acquisitions share the
 *         incumbent and the output units, so they compare; with
 *         "conditional": "split" each is the choice's own sub-model's).
 *     Over the whole space (the "trainer_choice": "model" option, the rule
 *     before) the design of max(5, a + 1) points left a trainer with one
 *     point or none, and the candidates perturbed around the five best
 *     trials and the refinement of the five best candidates all went to the
 *     early leader, whose acquisition therefore always looked largest: on
 *     wine, seed 0, forest took 48 of 60 trials (0.9833) while logistic,
 *     given 6, reaches 0.9889 alone.  bench/RESULTS_search_cash.md
 *     (bench/bench_search.py --cash-only, five seeds of five data sets)
 *     has the table: the 60-trial study matched or beat the best of eight
 *     20-trial studies (each trainer alone, bayes and random) in 19 of 25
 *     runs, against 15 over the whole space (wine 5 of 5 against 1,
 *     breast_cancer 3 against 1, iris 3 and 3, digits 5 and 5, the
 *     synthetic set 3 against 5), and on seeds 5-9 (--first-seed 5) in 21
 *     against 19; against the best of the four bayes studies alone, in 42
 *     of 50, with each data set's median over its ten seeds equal or
 *     higher.  The price is on a problem whose best choice looks worst at
 *     random:
 *     bench/RESULTS_search_cond.md's "cond" (its optimum in the branch of
 *     the most parameters) stays on the second-best branch in 6 of 10
 *     runs (median regret 0.1 after 40 trials, against 1.2e-4 over the
 *     whole space); 3 design points per branch of 40 trials leave fewer
 *     to the model, and the design alone did as badly (2 per branch: 3 of
 *     10).  While choosing, the same studies on
 *     breast_cancer, wine and iris with seeds 0-9 (30 runs, a harness
 *     outside the tree, with variants since removed) gave: over the whole
 *     space 13 of 30; the per-trainer design alone 22; the design and each
 *     trainer's own acquisition 21; the design and a UCB bandit over each
 *     trainer's best so far (-best + c sqrt(ln N / n) in transformed units,
 *     c 0.5, 1 or 2) 22.  The three were within a run of each other; the
 *     bandit put 45 to 51 of 60 trials on the leader after the design
 *     whatever the gaps and needs a constant in units of the transformed
 *     objective, and the design alone leaves the whole-space candidates
 *     crowding around the leader; each trainer's own acquisition keeps the
 *     model's measure of what another trial there is worth, so it was
 *     chosen.  Each suggestion then costs K acquisition maximizations. */
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
#define MODEL_MAX_POINTS 300 /* observations in a posterior at most (see select_rows) */
#define SPREAD_POOL 4        /* spread rows come from at most this many times as many */
#define ENUM_MAX 4096        /* discrete spaces up to this size are enumerated */
#define PLATEAU_SHARE 0.1    /* a plateau: this share of the space ... */
#define PLATEAU_NOISE 2.0    /* ... within this many noise sds of the best mean */
#define FLAT_TOP_TIES 3      /* a flat top: this many trials share the best value */
#define FLAT_TOP_GAP 1e-3    /* ... and no trial this close (of a unit range) to another */
#define INACTIVE (-1.0)      /* an inactive parameter's encoded value */
#define PAREGO_RHO 0.05      /* ParEGO's augmentation */
#define SPLIT_DEFAULT 0      /* the imputed model (the benchmark's choice, see 8.) */
#define EHVI_DEFAULT 0       /* ParEGO for several objectives (the benchmark's choice) */
#define PAREGO_RANK_DEFAULT 0 /* ParEGO normalizes by range (the benchmark's choice) */
#define ARMS_DEFAULT ARMS_EI  /* how a study of several trainers picks one (see 12.) */
#define ARM_DESIGN 3          /* design points per trainer at least (see 12.) */

enum acq { ACQ_EI, ACQ_UCB, ACQ_PI };

/* One GP with its hyperparameter cache: the objective's (one per group),
 * a constraint's, or an objective's for EHVI. */
struct slot {
    struct tune_gp *gp;
    size_t dim;
    uint64_t fit_key;
    int fit_valid;
    double *fit_theta;
    size_t n;             /* rows of data it holds now (0: no model, the prior) */
    double mean;          /* a slot of no column (a choice without parameters: one
                             configuration): its observations' mean */
};

/* How a study of several trainers (a choice among sub-spaces, see 12.)
 * designs and picks each trial's trainer: "model" as any other parameter,
 * "ei" per trainer (the "trainer_choice" option). */
enum arms { ARMS_EI, ARMS_MODEL };

struct bayes_state {
    enum acq acq;
    double xi, kappa;
    enum tune_gp_kernel kernel;
    size_t n_init;
    int init_given;       /* search.initial_points was given */
    enum arms arms;
    struct tune_bayes_model model;
    /* caches: slots by role (see slot_of_*), grown on demand */
    struct slot *slots;
    size_t n_slots;
};

void tune_bayes_model_default(struct tune_bayes_model *m)
{
    m->yeo_johnson = 1;
    m->warping = 0;
    m->hamming = 1;
    m->per_trial_noise = 0;
    m->fantasize = 1;
    m->additive = 1;
    m->split = SPLIT_DEFAULT;
    m->ehvi = EHVI_DEFAULT;
    m->parego_rank = PAREGO_RANK_DEFAULT;
    m->pruned = TUNE_BAYES_PRUNED_ESTIMATE;
    m->max_rows = MODEL_MAX_POINTS;
}

static void slot_release(struct slot *s)
{
    tune_gp_free(s->gp);
    free(s->fit_theta);
    memset(s, 0, sizeof *s);
}

static void drop_caches(struct bayes_state *st)
{
    for (size_t i = 0; i < st->n_slots; i++)
        slot_release(&st->slots[i]);
    free(st->slots);
    st->slots = NULL;
    st->n_slots = 0;
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

/* Encode a point (space coordinates) into z (encoded_dim values); an
 * inactive parameter (NAN) is INACTIVE in each of its columns (all zeros
 * for a one-hot block). */
static void encode(const struct tune_bayes_model *m, const struct tune_space *s,
                   const double *point, double *z)
{
    size_t c = 0;
    for (size_t i = 0; i < s->n; i++) {
        const struct tune_param *p = &s->params[i];
        size_t k = param_cols(m, p);
        if (isnan(point[i])) {
            for (size_t j = 0; j < k; j++)
                z[c + j] = k == 1 ? INACTIVE : 0;
        } else if (is_categorical(p)) {
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

/* Equal points: every value equal, an inactive parameter equal to an
 * inactive one. */
static int same_point(const double *a, const double *b, size_t d)
{
    for (size_t i = 0; i < d; i++)
        if (a[i] != b[i] && !(isnan(a[i]) && isnan(b[i])))
            return 0;
    return 1;
}

/* --- per-choice groups ------------------------------------------------------
 *
 * With model.split, the root choice whose values condition the most
 * parameters splits the observations: group v models the points whose
 * choice is v, over the columns of the parameters that can be active then
 * (every parameter but the choice and those that hang on its other
 * values).  Without a split there is one group of every column. */
struct groups {
    long split;            /* the choice, or -1 */
    size_t n;              /* groups (1 without a split) */
    size_t *cols;          /* n x D column indices */
    size_t *n_cols;        /* per group */
    enum tune_gp_column *kinds; /* D: every column's kind */
};

/* The child of r on the way up from i, or -1 when i does not hang on r. */
static long below(const struct tune_space *s, size_t i, size_t r)
{
    for (size_t steps = 0; steps <= s->n && s->params[i].n_when; steps++) {
        size_t up = s->params[i].when_param;
        if (up == r)
            return (long)i;
        i = up;
    }
    return -1;
}

static int activates(const struct tune_param *c, double v)
{
    for (size_t k = 0; k < c->n_when; k++)
        if (c->when_values[k] == v)
            return 1;
    return 0;
}

static long split_param(const struct tune_space *s)
{
    long best = -1;
    size_t most = 0;
    for (size_t r = 0; r < s->n; r++) {
        if (s->params[r].n_when || !is_categorical(&s->params[r]))
            continue;
        size_t hang = 0;
        for (size_t i = 0; i < s->n; i++)
            hang += i != r && below(s, i, r) >= 0;
        if (hang > most) {
            most = hang;
            best = (long)r;
        }
    }
    return best;
}

/* The choice among sub-spaces (12.): a root categorical of two values or
 * more on which every other parameter hangs, and at least one does (the
 * "trainer" of a study of several trainers), or -1. */
static long arm_param(const struct tune_space *s)
{
    for (size_t r = 0; s->n > 1 && r < s->n; r++) {
        const struct tune_param *p = &s->params[r];
        if (p->n_when || !is_categorical(p) || n_choices(p) < 2)
            continue;
        size_t i = 0;
        while (i < s->n && (i == r || below(s, i, r) >= 0))
            i++;
        if (i == s->n)
            return (long)r;
    }
    return -1;
}

static void groups_release(struct groups *g)
{
    free(g->cols);
    free(g->n_cols);
    free(g->kinds);
    memset(g, 0, sizeof *g);
}

static int groups_make(const struct tune_bayes_model *m, const struct tune_space *s, size_t D,
                       struct groups *g)
{
    memset(g, 0, sizeof *g);
    g->split = m->split ? split_param(s) : -1;
    g->n = g->split >= 0 ? n_choices(&s->params[g->split]) : 1;
    g->cols = malloc(g->n * D * sizeof *g->cols);
    g->n_cols = calloc(g->n, sizeof *g->n_cols);
    g->kinds = malloc(D * sizeof *g->kinds);
    if (!g->cols || !g->n_cols || !g->kinds) {
        groups_release(g);
        return TUNE_ENOMEM;
    }
    column_kinds(m, s, g->kinds);
    for (size_t v = 0; v < g->n; v++)
        for (size_t i = 0, c = 0; i < s->n; i++) {
            size_t k = param_cols(m, &s->params[i]);
            int in = 1;
            if (g->split >= 0) {
                long ch = below(s, i, (size_t)g->split);
                in = (long)i != g->split &&
                     (ch < 0 || activates(&s->params[ch], (double)v));
            }
            for (size_t j = 0; in && j < k; j++)
                g->cols[v * D + g->n_cols[v]++] = c + j;
            c += k;
        }
    return TUNE_OK;
}

/* --- searcher interface --------------------------------------------------- */

static size_t bayes_max_points(const struct tune_space *space)
{
    /* A space of discrete parameters only has finitely many points. */
    size_t total = space->n ? tune_space_size(space) : 0;
    return total == SIZE_MAX ? 0 : total;
}

static const char *const bayes_options[] = {"acquisition", "initial_points", "xi",
                                            "kappa",       "kernel",         "multi_objective",
                                            "conditional", "model_rows",     "trainer_choice",
                                            NULL};

static int bayes_init(void *state, const struct tune_space *space,
                      const struct tune_search_options *opts, struct tune_error *err)
{
    static const char *const acquisitions[] = {"ei", "ucb", "pi", NULL};
    static const enum acq acq_of[] = {ACQ_EI, ACQ_UCB, ACQ_PI};
    static const char *const kernels[] = {"matern52", "rbf", NULL};
    static const enum tune_gp_kernel kernel_of[] = {TUNE_GP_MATERN52, TUNE_GP_RBF};
    static const char *const mo[] = {"parego", "ehvi", NULL};
    static const char *const conditional[] = {"impute", "split", NULL}; /* model.split 0, 1 */
    static const char *const arm_rules[] = {"ei", "model", NULL}; /* enum arms */
    struct bayes_state *st = state;
    cJSON *o;
    int rc = tune_search_options_parse(&tune_searcher_bayes, opts->json, &o, err);
    if (rc)
        return rc;
    size_t acq = 0, kernel = 0, mo_method = EHVI_DEFAULT, split = SPLIT_DEFAULT;
    size_t arms = ARMS_DEFAULT;
    double init = 0, xi = 0, kappa = 2.0, rows = 0;
    int rows_given = 0;
    if ((rc = tune_search_option_choice(o, "acquisition", acquisitions, &acq, err)) ||
        (rc = tune_search_option_choice(o, "kernel", kernels, &kernel, err)) ||
        (rc = tune_search_option_choice(o, "multi_objective", mo, &mo_method, err)) ||
        (rc = tune_search_option_choice(o, "conditional", conditional, &split, err)) ||
        (rc = tune_search_option_choice(o, "trainer_choice", arm_rules, &arms, err)) ||
        (rc = tune_search_option_number(o, "initial_points", 1, 1e6, 1, &init, NULL, err)) ||
        (rc = tune_search_option_number(o, "xi", 0, HUGE_VAL, 0, &xi, NULL, err)) ||
        (rc = tune_search_option_number(o, "kappa", 0, HUGE_VAL, 0, &kappa, NULL, err)) ||
        (rc = tune_search_option_number(o, "model_rows", 0, 1e6, 1, &rows, &rows_given, err))) {
        cJSON_Delete(o);
        return rc;
    }
    cJSON_Delete(o);
    if (rows_given && rows > 0 && rows < 10)
        return tune_error_set(err, TUNE_EINVAL,
                              "search.model_rows: must be 0 (every trial) or at least 10, got %g",
                              rows);
    st->acq = acq_of[acq];
    st->kernel = kernel_of[kernel];
    st->xi = xi;
    st->kappa = kappa;
    /* the design covers the most parameters active at once (every one
     * without conditions) */
    size_t d = tune_space_active_dim(space);
    st->n_init = init > 0 ? (size_t)init : (d + 1 > 5 ? d + 1 : 5);
    st->init_given = init > 0;
    st->arms = (enum arms)arms;
    long ap = arm_param(space);
    if (ap >= 0 && st->arms != ARMS_MODEL && !st->init_given) {
        /* every trainer its share of the design, and at least ARM_DESIGN */
        size_t k = n_choices(&space->params[ap]), share = (st->n_init + k - 1) / k;
        st->n_init = k * (share > ARM_DESIGN ? share : ARM_DESIGN);
    }
    tune_bayes_model_default(&st->model);
    st->model.ehvi = (int)mo_method;
    st->model.split = (int)split;
    if (rows_given)
        st->model.max_rows = rows == 0 ? SIZE_MAX : (size_t)rows;
    return TUNE_OK;
}

static void bayes_release(void *state)
{
    drop_caches(state);
}

/* --- one suggestion's working set ------------------------------------------ */

/* The gradient scratch w->gz, in blocks of D: the objective's dmu and
 * dvar, the acquisition's gradient, a group's projected point and its
 * dmu and dvar (two blocks), a constraint's dmu and dvar, the constraints'
 * gradient, and the point a refinement encodes. */
enum { G_DMU, G_DVAR, G_ACQ, G_PROJ, G_PM, G_PM2, G_CMU, G_CVAR, G_CG, G_Z, G_SIZE };

struct obs {
    const struct tune_history_entry *e;
    double loss;   /* NAN for a failed or censored trial until imputed */
    int feasible;  /* kept the constraints: may be the incumbent */
    int pruned;    /* a PRUNED trial without an estimate (or whose estimate is ignored) */
    int estimated; /* a PRUNED trial observed at its estimate */
};

struct work {
    const struct tune_space *space;
    struct bayes_state *st;
    size_t d, D;
    struct groups g;
    /* history */
    size_t n_obs, n_pend, n_seen;
    size_t n_blind;   /* RUNNING trials claimed before this one, without a point yet */
    size_t n_model;   /* rows in the model: observations, pending, hallucinated */
    size_t n_prior;   /* complete prior observations among the observations */
    size_t n_rows;    /* observation rows in the models (n_obs, or fewer: select_rows) */
    size_t *row_obs;  /* n_rows: the observation of each model row */
    double *rank;     /* n_obs: each observation's ranking key (obs_rank) */
    double *seen;     /* n_seen x d points of every trial with one */
    double *z;        /* (n_obs + n_pend + n_blind) x D encoded inputs: the model rows
                         (select_rows), then the pending, then the blind */
    double *y;        /* targets (transformed), same rows */
    double *noise;    /* extra noise variances, same rows, or NULL */
    size_t *grp;      /* each row's group */
    double *zg;       /* scratch: rows x D, one group's columns of its rows */
    double *yg;       /* scratch: rows */
    double best;      /* lowest transformed loss of a feasible completed trial (HUGE_VAL: none) */
    size_t n_best_ties; /* the feasible completed trials whose loss is exactly best */
    int any_feasible;
    /* constraints: one slot each after the objective's groups */
    size_t *g_obs;    /* per group: its observations (not fantasies) */
    size_t n_con;
    int *con_model;   /* 1: the constraint has a model (else P(feasible) is taken as 1) */
    double *con_thresh; /* the slack 0 in the model's units */
    /* EHVI: two objectives, one slot each after the constraints */
    int ehvi;
    double *ehvi_y;   /* n_model x 2 transformed losses */
    double *front;    /* the feasible front, sorted by the first objective, x 2 */
    size_t n_front;
    double ref[2];
    /* acquisition optimizer */
    double *ubuf, *pbuf, *zbuf, *gz; /* d, d, D, G_SIZE x D scratch (see G_*) */
    size_t n_cont;
    size_t *cont;     /* the continuous parameters' indices active in the candidate refined */
    size_t *cont_col; /* and their columns */
    const double *u_fixed; /* refinement: the point whose discrete parts are held */
    size_t u_group;   /* refinement: the candidate's group */
    /* a choice among sub-spaces (12.) */
    long ap;          /* its parameter, or -1 */
    size_t n_arms;
    long arm;         /* the sub-space suggestions are confined to, or -1 */
    size_t *arm_n;    /* n_arms: points of each in the history (any state) */
    double acq_out;   /* maximize_acquisition: the acquisition of its point */
    struct tune_error *err;
    int failed;
};

static void work_release(struct work *w)
{
    free(w->seen);
    free(w->row_obs);
    free(w->rank);
    free(w->z);
    free(w->y);
    free(w->noise);
    free(w->grp);
    free(w->g_obs);
    free(w->zg);
    free(w->yg);
    free(w->con_model);
    free(w->con_thresh);
    free(w->ehvi_y);
    free(w->front);
    free(w->ubuf);
    free(w->cont);
    free(w->cont_col);
    free(w->arm_n);
    groups_release(&w->g);
}

static int is_seen(const struct work *w, const double *point)
{
    for (size_t i = 0; i < w->n_seen; i++)
        if (same_point(&w->seen[i * w->d], point, w->d))
            return 1;
    return 0;
}

static size_t group_of(const struct work *w, const double *point)
{
    if (w->g.split < 0)
        return 0;
    double v = point[w->g.split];
    return isnan(v) ? 0 : (size_t)v;
}

/* Slots: the objective's groups, then the constraints, then EHVI's two. */
static size_t slot_con(const struct work *w, size_t j)
{
    return w->g.n + j;
}

static size_t slot_ehvi(const struct work *w, size_t j)
{
    return w->g.n + w->n_con + j;
}

/* With a split: the imputed model over every column, which predicts for a
 * choice with too few observations of its own (see sparse_group). */
static size_t slot_whole(const struct work *w)
{
    return w->g.n + w->n_con + 2;
}

/* Confine unit coordinates u to the sub-space w->arm (when one is set). */
static void force_arm(const struct work *w, double *u)
{
    if (w->arm >= 0)
        u[w->ap] = ((double)w->arm + 0.5) / (double)w->n_arms;
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
            force_arm(w, u);
            tune_space_from_unit(w->space, u, point);
            if (!is_seen(w, point)) {
                gsl_qrng_free(q);
                return TUNE_OK;
            }
        }
        gsl_qrng_free(q);
    }
    for (size_t t = 0; w->arm >= 0 && t < 10000; t++) {
        for (size_t k = 0; k < d; k++)
            u[k] = gsl_rng_uniform(rng);
        force_arm(w, u);
        tune_space_from_unit(w->space, u, point);
        if (!is_seen(w, point))
            return TUNE_OK;
    }
    for (size_t t = 0; w->arm < 0 && t < 100000; t++) {
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

static int by_number(const void *a, const void *b)
{
    const struct obs *x = a, *y = b;
    return (x->e->number > y->e->number) - (x->e->number < y->e->number);
}

/* --- slots: one GP and its fit -------------------------------------------- */

/* Slot `i` with a GP over `dim` columns of the given kinds. */
static int ensure_slot(struct work *w, size_t i, size_t dim, const enum tune_gp_column *kinds)
{
    struct bayes_state *st = w->st;
    if (i >= st->n_slots) {
        struct slot *s = realloc(st->slots, (i + 1) * sizeof *s);
        if (!s)
            return tune_error_set(w->err, TUNE_ENOMEM, "out of memory for the bayes model");
        memset(s + st->n_slots, 0, (i + 1 - st->n_slots) * sizeof *s);
        st->slots = s;
        st->n_slots = i + 1;
    }
    struct slot *sl = &st->slots[i];
    if ((sl->gp || dim == 0) && sl->dim == dim)
        return TUNE_OK;
    slot_release(sl);
    if (dim == 0)
        return TUNE_OK; /* no GP: see slot_predict */
    int rc = tune_gp_new(dim, kinds, st->kernel, st->model.additive ? TUNE_GP_ADDITIVE : 0,
                         &sl->gp, w->err);
    if (rc)
        return rc;
    sl->dim = dim;
    if (!(sl->fit_theta = malloc(tune_gp_n_hyper(sl->gp) * sizeof *sl->fit_theta))) {
        slot_release(sl);
        return tune_error_set(w->err, TUNE_ENOMEM, "out of memory for the bayes model");
    }
    return TUNE_OK;
}

/* Fit (or fetch from the cache) slot i's hyperparameters on the first
 * m = fit_count(n) of n rows (x: n x dim, in trial order; `numbers` name
 * them), whose raw targets are `raw` (transformed here, as the posterior's
 * targets are: Yeo-Johnson too when `yj` and the model has it); `std` (or
 * NULL) their CV spread, for per-trial noise.  At
 * most FIT_MAX_POINTS rows, at an even stride.  The fit is deterministic,
 * so a cache hit equals a refit. */
static int fit_slot(struct work *w, size_t i, const double *x, const double *raw,
                    const double *std, const int *numbers, size_t n, int yj)
{
    struct bayes_state *st = w->st;
    struct tune_bayes_model tm = st->model;
    tm.yeo_johnson = tm.yeo_johnson && yj;
    struct slot *sl = &st->slots[i];
    if (sl->dim == 0)
        return TUNE_OK;
    size_t dim = sl->dim, m = fit_count(n);
    size_t take = m < FIT_MAX_POINTS ? m : FIT_MAX_POINTS;
    uint64_t key = 0xcbf29ce484222325ull;
    key = fnv(key, &i, sizeof i);
    key = fnv(key, &yj, sizeof yj);
    key = fnv(key, &m, sizeof m);
    key = fnv(key, &st->model, sizeof st->model);
    key = fnv(key, &st->kernel, sizeof st->kernel);
    for (size_t r = 0; r < m; r++) {
        key = fnv(key, &numbers[r], sizeof numbers[r]);
        key = fnv(key, &raw[r], sizeof raw[r]);
        key = fnv(key, &x[r * dim], dim * sizeof *x);
        if (st->model.per_trial_noise && std)
            key = fnv(key, &std[r], sizeof std[r]);
    }
    if (sl->fit_valid && sl->fit_key == key) {
        tune_gp_set_hyper(sl->gp, sl->fit_theta);
        return TUNE_OK;
    }
    double *buf = malloc(take * (dim + 3) * sizeof *buf);
    if (!buf)
        return tune_error_set(w->err, TUNE_ENOMEM, "out of memory for the bayes fit");
    double *y = buf + take * dim, *dydx = y + take, *noise = dydx + take;
    for (size_t k = 0; k < take; k++) {
        /* an even stride through the first m, always including the first */
        size_t r = take == m ? k : (size_t)((double)k * (double)m / (double)take);
        memcpy(&buf[k * dim], &x[r * dim], dim * sizeof *buf);
        y[k] = raw[r];
    }
    transform_outputs(&tm, y, take, dydx);
    int with_noise = st->model.per_trial_noise && std;
    if (with_noise)
        for (size_t k = 0; k < take; k++) {
            size_t r = take == m ? k : (size_t)((double)k * (double)m / (double)take);
            double s = std[r] * dydx[k];
            noise[k] = isfinite(s) ? s * s : 0;
        }
    int rc = tune_gp_set_data(sl->gp, take, buf, y, with_noise ? noise : NULL, w->err);
    if (!rc)
        rc = tune_gp_fit(sl->gp, 0, w->err);
    free(buf);
    if (rc)
        return rc;
    tune_gp_get_hyper(sl->gp, sl->fit_theta);
    sl->fit_key = key;
    sl->fit_valid = 1;
    return TUNE_OK;
}

/* Give slot i the posterior data: rows (n x dim), targets, noise (or
 * NULL), and factor it; n == 0 leaves the slot without a model. */
static int slot_data(struct work *w, size_t i, const double *x, const double *y,
                     const double *noise, size_t n)
{
    struct slot *sl = &w->st->slots[i];
    sl->n = n;
    if (n == 0)
        return TUNE_OK;
    if (sl->dim == 0) {
        sl->mean = 0;
        for (size_t r = 0; r < n; r++)
            sl->mean += y[r] / (double)n;
        return TUNE_OK;
    }
    int rc = tune_gp_set_data(sl->gp, n, x, y, noise, w->err);
    return rc ? rc : tune_gp_factor(sl->gp, w->err);
}

/* Posterior of slot i at x (its dim columns); the prior (0, 1) without
 * data.  dmu / dvar (or NULL) get the gradients in its columns. */
static int slot_predict(struct work *w, size_t i, const double *x, double *mu, double *var,
                        double *dmu, double *dvar)
{
    struct slot *sl = &w->st->slots[i];
    if (sl->n == 0 || sl->dim == 0) {
        /* the prior; or the one configuration of a choice without
         * parameters, known once observed */
        *mu = sl->n ? sl->mean : 0;
        *var = sl->n ? 1e-10 : 1;
        if (dmu)
            memset(dmu, 0, sl->dim * sizeof *dmu);
        if (dvar)
            memset(dvar, 0, sl->dim * sizeof *dvar);
        return TUNE_OK;
    }
    return tune_gp_predict(sl->gp, x, mu, var, dmu, dvar, w->err);
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

/* A complete observation's loss for objective j (negated when maximized),
 * NAN when unknown. */
static double objective_loss(const struct tune_history *h, const struct tune_history_entry *e,
                             size_t j)
{
    double v = j == 0 ? e->value : e->objectives ? e->objectives[j] : NAN;
    int max = h->objective_maximize ? h->objective_maximize[j] : h->maximize;
    return max ? -v : v;
}

/* ParEGO: the augmented Chebyshev scalarization of the observations'
 * objectives, each normalized to [0, 1] over them, with weights drawn on
 * the simplex (normalized exponential draws: a flat Dirichlet). */
static int parego(struct work *w, const struct tune_history *h, struct obs *obs, size_t no,
                  gsl_rng *rng)
{
    size_t k = h->n_objectives;
    double *lam = malloc(3 * k * sizeof *lam);
    if (!lam)
        return tune_error_set(w->err, TUNE_ENOMEM, "out of memory for the history");
    double *lo = lam + k, *hi = lo + k, sum = 0;
    for (size_t j = 0; j < k; j++) {
        lam[j] = -log(1 - gsl_rng_uniform(rng));
        sum += lam[j];
        lo[j] = HUGE_VAL;
        hi[j] = -HUGE_VAL;
    }
    for (size_t j = 0; j < k; j++)
        lam[j] /= sum;
    for (size_t i = 0; i < no; i++)
        for (size_t j = 0; j < k && !isnan(obs[i].loss); j++) {
            double f = objective_loss(h, obs[i].e, j);
            lo[j] = f < lo[j] ? f : lo[j];
            hi[j] = f > hi[j] ? f : hi[j];
        }
    /* by rank: the share of the other observations that beat it (ties
     * count half), so that a heavy tail (timings) does not crowd the
     * rest into a corner of [0, 1] */
    size_t m = 0;
    for (size_t i = 0; i < no; i++)
        m += !isnan(obs[i].loss);
    double *norm = malloc((no * k + 1) * sizeof *norm);
    if (!norm) {
        free(lam);
        return tune_error_set(w->err, TUNE_ENOMEM, "out of memory for the history");
    }
    for (size_t i = 0; i < no; i++)
        for (size_t j = 0; j < k && !isnan(obs[i].loss); j++) {
            double f = objective_loss(h, obs[i].e, j);
            if (!w->st->model.parego_rank) {
                norm[i * k + j] = hi[j] > lo[j] ? (f - lo[j]) / (hi[j] - lo[j]) : 0;
                continue;
            }
            double below = 0;
            for (size_t r = 0; r < no; r++)
                if (r != i && !isnan(obs[r].loss)) {
                    double g = objective_loss(h, obs[r].e, j);
                    below += g < f ? 1 : g == f ? 0.5 : 0;
                }
            norm[i * k + j] = m > 1 ? below / (double)(m - 1) : 0;
        }
    for (size_t i = 0; i < no; i++) {
        if (isnan(obs[i].loss))
            continue;
        double mx = -HUGE_VAL, lin = 0;
        for (size_t j = 0; j < k; j++) {
            double f = norm[i * k + j];
            mx = lam[j] * f > mx ? lam[j] * f : mx;
            lin += lam[j] * f;
        }
        obs[i].loss = mx + PAREGO_RHO * lin;
    }
    free(norm);
    free(lam);
    return TUNE_OK;
}

/* Read the history.  Returns TUNE_OK with w->n_obs set; the caller falls
 * back to the initial design when there are too few.  Several objectives
 * (ParEGO) are scalarized here, with weights from the generator. */
static int gather(struct work *w, const struct tune_history *h, gsl_rng *rng,
                  struct obs **obs_out, size_t *n_complete)
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
    size_t k = h->n_objectives > 1 ? h->n_objectives : 1;
    for (size_t i = 0; i < n; i++) {
        const struct tune_history_entry *e = &h->entries[i];
        if (!e->point) {
            w->n_blind += !e->prior && e->state == TUNE_TRIAL_RUNNING && e->number < mine;
            continue;
        }
        memcpy(&w->seen[w->n_seen++ * d], e->point, d * sizeof *e->point);
        if (e->state == TUNE_TRIAL_RUNNING) {
            pend[np++].e = e;
            continue;
        }
        /* A PRUNED trial's estimate stands for its objective when it is the
         * only objective; with several, the others are unknown: censored. */
        int est = k == 1 && e->state == TUNE_TRIAL_PRUNED && isfinite(e->value) &&
                  w->st->model.pruned == TUNE_BAYES_PRUNED_ESTIMATE;
        int ok = (e->state == TUNE_TRIAL_COMPLETE && isfinite(e->value)) || est;
        for (size_t j = 1; ok && j < k; j++)
            ok = e->objectives && isfinite(e->objectives[j]);
        obs[no].e = e;
        obs[no].loss = ok ? (h->maximize ? -e->value : e->value) : NAN;
        obs[no].feasible = !(e->violation > 0);
        obs[no].pruned = e->state == TUNE_TRIAL_PRUNED && !est;
        obs[no].estimated = est;
        nc += ok && !est;
        w->n_prior += ok && !est && e->prior;
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
    w->ehvi = k == 2 && w->st->model.ehvi;
    if (k > 1 && !w->ehvi)
        return parego(w, h, obs, no, rng);
    return TUNE_OK;
}

/* --- the objective's model: one GP per group ------------------------------- */

/* Group g's columns of row z (D values) into out. */
static void project(const struct work *w, size_t g, const double *z, double *out)
{
    const size_t *cols = &w->g.cols[g * w->D];
    for (size_t c = 0; c < w->g.n_cols[g]; c++)
        out[c] = z[cols[c]];
}

/* Whether group g's columns are every column, in order (no projection). */
static int whole(const struct work *w, size_t g)
{
    return w->g.n_cols[g] == w->D;
}

/* A choice observed fewer times than it has columns (plus one) is
 * predicted by the imputed model of every observation: a GP fitted on a
 * handful of points of one choice tends to call the rest of that choice
 * flat and poor, and never returns there (the benchmark's conditional
 * problem: its best choice found in 1 of 10 runs, against 10 of 10 with
 * the imputed model).  With enough points its own model takes over. */
static int sparse_group(const struct work *w, size_t g)
{
    return w->g.split >= 0 && w->g_obs[g] < w->g.n_cols[g] + 1;
}

/* Give group g's slot the posterior data of the model's rows in group g
 * (and, with a split, the imputed model every row). */
static int refresh_group(struct work *w, size_t g)
{
    size_t n = 0, dg = w->g.n_cols[g];
    if (whole(w, g) && w->g.n == 1)
        return slot_data(w, g, w->z, w->y, w->noise, w->n_model);
    if (w->g.split >= 0) {
        int rc = slot_data(w, slot_whole(w), w->z, w->y, w->noise, w->n_model);
        if (rc)
            return rc;
    }
    double *noise = w->noise ? w->yg + w->n_model : NULL; /* yg has room for both */
    for (size_t r = 0; r < w->n_model; r++)
        if (w->grp[r] == g) {
            project(w, g, &w->z[r * w->D], &w->zg[n * dg]);
            w->yg[n] = w->y[r];
            if (noise)
                noise[n] = w->noise[r];
            n++;
        }
    return slot_data(w, g, w->zg, w->yg, noise, n);
}

/* Posterior of the objective at encoded point z (D values) of group g;
 * dmu / dvar (or NULL) receive D gradient values. */
static int obj_predict(struct work *w, const double *z, size_t g, double *mu, double *var,
                       double *dmu, double *dvar)
{
    if (whole(w, g))
        return slot_predict(w, g, z, mu, var, dmu, dvar);
    if (sparse_group(w, g))
        return slot_predict(w, slot_whole(w), z, mu, var, dmu, dvar);
    size_t dg = w->g.n_cols[g], D = w->D;
    double *x = w->gz + G_PROJ * D, *gm = w->gz + G_PM * D;
    project(w, g, z, x);
    double *pm = dmu ? gm : NULL, *pv = dvar ? gm + dg : NULL;
    int rc = slot_predict(w, g, x, mu, var, pm, pv);
    if (rc)
        return rc;
    if (dmu)
        memset(dmu, 0, D * sizeof *dmu);
    if (dvar)
        memset(dvar, 0, D * sizeof *dvar);
    const size_t *cols = &w->g.cols[g * D];
    for (size_t c = 0; c < dg; c++) {
        if (dmu)
            dmu[cols[c]] = pm[c];
        if (dvar)
            dvar[cols[c]] = pv[c];
    }
    return TUNE_OK;
}

/* Posterior at m encoded candidates (m x D) of groups grp (NULL: all 0). */
static int obj_predict_many(struct work *w, size_t m, const double *zc, const size_t *grp,
                            double *mu, double *var)
{
    if (w->g.n == 1 && whole(w, 0)) {
        if (w->st->slots[0].n == 0) {
            for (size_t i = 0; i < m; i++) {
                mu[i] = 0;
                var[i] = 1;
            }
            return TUNE_OK;
        }
        return tune_gp_predict_many(w->st->slots[0].gp, m, zc, mu, var, w->err);
    }
    size_t D = w->D;
    double *x = malloc((m + 1) * D * sizeof *x), *mm = malloc((2 * m + 1) * sizeof *mm);
    size_t *idx = malloc((m + 1) * sizeof *idx);
    int rc = TUNE_OK;
    if (!x || !mm || !idx) {
        rc = tune_error_set(w->err, TUNE_ENOMEM, "out of memory for the acquisition");
        goto done;
    }
    for (size_t g = 0; g < w->g.n && !rc; g++) {
        size_t k = 0, dg = w->g.n_cols[g];
        for (size_t i = 0; i < m; i++)
            if ((grp ? grp[i] : 0) == g) {
                project(w, g, &zc[i * D], &x[k * dg]);
                idx[k++] = i;
            }
        if (k == 0)
            continue;
        if (sparse_group(w, g)) { /* the imputed model, on every column */
            for (size_t i = 0; i < k; i++)
                memcpy(&x[i * D], &zc[idx[i] * D], D * sizeof *x);
            rc = tune_gp_predict_many(w->st->slots[slot_whole(w)].gp, k, x, mm, mm + m,
                                      w->err);
            for (size_t i = 0; !rc && i < k; i++) {
                mu[idx[i]] = mm[i];
                var[idx[i]] = mm[m + i];
            }
            continue;
        }
        struct slot *sl = &w->st->slots[g];
        if (sl->n == 0 || sl->dim == 0) {
            for (size_t i = 0; i < k; i++) {
                mu[idx[i]] = sl->n ? sl->mean : 0;
                var[idx[i]] = sl->n ? 1e-10 : 1;
            }
            continue;
        }
        rc = tune_gp_predict_many(sl->gp, k, x, mm, mm + m, w->err);
        for (size_t i = 0; !rc && i < k; i++) {
            mu[idx[i]] = mm[i];
            var[idx[i]] = mm[m + i];
        }
    }
done:
    free(x);
    free(mm);
    free(idx);
    return rc;
}

/* Fit every group's hyperparameters on its observations (raw targets) and
 * give it its rows. */
static int fit_groups(struct work *w, const struct obs *obs, const double *raw)
{
    size_t no = w->n_obs, D = w->D;
    int *numbers = malloc((no + 1) * sizeof *numbers);
    double *x = malloc((no + 1) * D * sizeof *x), *r = malloc((2 * no + 1) * sizeof *r);
    int rc = TUNE_OK;
    if (!numbers || !x || !r) {
        rc = tune_error_set(w->err, TUNE_ENOMEM, "out of memory for the bayes model");
        goto done;
    }
    double *std = r + no;
    if (w->g.split >= 0) {
        /* the imputed model of every observation, for the sparse choices */
        for (size_t i = 0; i < no; i++) {
            std[i] = obs[i].e->value_std;
            numbers[i] = obs[i].e->number;
        }
        size_t sw = slot_whole(w);
        if ((rc = ensure_slot(w, sw, D, w->g.kinds)) ||
            (rc = fit_slot(w, sw, w->z, raw, std, numbers, no, 1)))
            goto done;
    }
    for (size_t g = 0; g < w->g.n && !rc; g++) {
        size_t n = 0, dg = w->g.n_cols[g];
        for (size_t i = 0; i < no; i++)
            if (w->grp[i] == g) {
                project(w, g, &w->z[i * D], &x[n * dg]);
                r[n] = raw[i];
                std[n] = obs[i].e->value_std;
                numbers[n++] = obs[i].e->number;
            }
        w->g_obs[g] = n;
        if (n > 0 && !sparse_group(w, g))
            rc = fit_slot(w, g, x, r, std, numbers, n, 1);
    }
done:
    free(numbers);
    free(x);
    free(r);
    return rc;
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

/* --- long histories: the rows a posterior is built on ---------------------- */

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

/* The observations every posterior is built on (issue 17).  Up to
 * model.max_rows (MODEL_MAX_POINTS) observations, all of them; past that,
 * max_rows of them (tune_bayes_subset): the max_rows / 2 best by
 * w->rank, which decide where the acquisition looks, and the rest spread
 * over the others, which keep the variance low where the search has
 * already been (else it would return there): chosen greedily, each the
 * farthest from every row chosen so far (max-min distance, Gonzalez 1985),
 * from a pool of at most SPREAD_POOL times as many taken at an even stride
 * in trial order.  The kept observations become the model rows 0..n_rows
 * in trial order (z, grp and, when given, y, noise and ehvi_y are
 * compacted; row_obs[r] names row r's observation), the pending rows
 * right after them.  Every model — each group's, the imputed one, each
 * constraint's, EHVI's two — takes its rows from these, so a suggestion
 * costs O(max_rows^3) per factor whatever the history. */
static int select_rows(struct work *w, double *y, double *ehvi_y)
{
    size_t no = w->n_obs, np = w->n_pend, D = w->D, max = w->st->model.max_rows;
    max = max < 2 ? 2 : max;
    w->row_obs = malloc((no + 1) * sizeof *w->row_obs);
    unsigned char *keep = malloc(no + 1);
    if (!w->row_obs || !keep) {
        free(keep);
        return tune_error_set(w->err, TUNE_ENOMEM, "out of memory for the bayes model");
    }
    if (no <= max)
        memset(keep, 1, no);
    else if (tune_bayes_subset(no, D, w->z, w->g.kinds, w->rank, max, max / 2, SPREAD_POOL,
                               keep)) {
        free(keep);
        return tune_error_set(w->err, TUNE_ENOMEM, "out of memory for the bayes model");
    }
    size_t nr = 0;
    for (size_t i = 0; i < no; i++) {
        if (!keep[i])
            continue;
        if (nr != i) {
            memcpy(&w->z[nr * D], &w->z[i * D], D * sizeof *w->z);
            if (w->grp)
                w->grp[nr] = w->grp[i];
            if (y)
                y[nr] = y[i];
            if (w->noise)
                w->noise[nr] = w->noise[i];
            if (ehvi_y) {
                ehvi_y[2 * nr] = ehvi_y[2 * i];
                ehvi_y[2 * nr + 1] = ehvi_y[2 * i + 1];
            }
        }
        w->row_obs[nr++] = i;
    }
    free(keep);
    if (nr < no) { /* the pending rows after the kept ones */
        memmove(&w->z[nr * D], &w->z[no * D], np * D * sizeof *w->z);
        if (w->grp)
            memmove(&w->grp[nr], &w->grp[no], np * sizeof *w->grp);
        if (w->noise)
            memset(&w->noise[nr], 0, (no - nr + np) * sizeof *w->noise);
    }
    w->n_rows = nr;
    return TUNE_OK;
}

/* Censored pruned trials (see the top): their transformed targets, set at
 * the censoring level, become max(level, mu(x)), mu from the model of the
 * other rows (each row's group model, as the acquisition predicts) — the
 * pruned rows are in the data with a noise variance so large that they
 * weigh nothing.  The hyperparameters stay as fitted.  The model's rows
 * 0..n_rows are the observations row_obs[] (select_rows). */
#define CENSOR_NOISE 1e8
static int impute_censored(struct work *w, const struct obs *obs)
{
    size_t nr = w->n_rows, D = w->D;
    double *noise = calloc(nr + 1, sizeof *noise), *keep = w->noise;
    if (!noise)
        return tune_error_set(w->err, TUNE_ENOMEM, "out of memory for the bayes model");
    for (size_t r = 0; r < nr; r++)
        noise[r] = (keep ? keep[r] : 0) + (obs[w->row_obs[r]].pruned ? CENSOR_NOISE : 0);
    w->noise = noise;
    int rc = TUNE_OK;
    for (size_t g = 0; g < w->g.n && !rc; g++)
        rc = refresh_group(w, g);
    for (size_t r = 0; !rc && r < nr; r++) {
        if (!obs[w->row_obs[r]].pruned)
            continue;
        double mu, var;
        rc = obj_predict(w, &w->z[r * D], w->grp[r], &mu, &var, NULL, NULL);
        if (!rc && mu > w->y[r])
            w->y[r] = mu;
    }
    w->noise = keep;
    free(noise);
    return rc;
}

static int build_model(struct work *w, struct obs *obs)
{
    struct bayes_state *st = w->st;
    size_t no = w->n_obs, np = w->n_pend, nb = w->n_blind, D = w->D, rows = no + np + nb;
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
    w->z = malloc((rows + 1) * D * sizeof *w->z);
    w->y = malloc((rows + 1) * sizeof *w->y);
    w->grp = calloc(rows + 1, sizeof *w->grp);
    w->g_obs = calloc(w->g.n, sizeof *w->g_obs);
    w->zg = malloc((rows + 1) * D * sizeof *w->zg);
    w->yg = malloc((2 * rows + 2) * sizeof *w->yg);
    double *raw = malloc((2 * no + 1) * sizeof *raw);
    if (!w->z || !w->y || !w->grp || !w->g_obs || !w->zg || !w->yg || !raw) {
        free(raw);
        return tune_error_set(w->err, TUNE_ENOMEM, "out of memory for the bayes model");
    }
    double *dydx = raw + no;
    for (size_t i = 0; i < no + np; i++) {
        encode(&st->model, w->space, obs[i].e->point, &w->z[i * D]);
        w->grp[i] = group_of(w, obs[i].e->point);
    }
    for (size_t i = 0; i < no; i++)
        raw[i] = !isnan(obs[i].loss)       ? obs[i].loss
                 : obs[i].pruned && censor ? level
                                           : worst;
    /* the slots' column kinds: each group's columns */
    for (size_t g = 0; g < w->g.n; g++) {
        enum tune_gp_column kinds[512];
        size_t dg = w->g.n_cols[g];
        if (dg > 512) {
            free(raw);
            return tune_error_set(w->err, TUNE_EINVAL, "bayes: too many encoded columns");
        }
        for (size_t c = 0; c < dg; c++)
            kinds[c] = w->g.kinds[w->g.cols[g * D + c]];
        if ((rc = ensure_slot(w, g, dg, kinds))) {
            free(raw);
            return rc;
        }
    }
    if ((rc = fit_groups(w, obs, raw))) {
        free(raw);
        return rc;
    }
    memcpy(w->y, raw, no * sizeof *raw);
    transform_outputs(&st->model, w->y, no, dydx);
    if (st->model.per_trial_noise) {
        if (!(w->noise = calloc(rows + 1, sizeof *w->noise))) {
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
        if (!isnan(obs[i].loss) && obs[i].feasible && !obs[i].estimated && w->y[i] < w->best)
            w->best = w->y[i];
    w->any_feasible = w->best < HUGE_VAL;
    w->n_best_ties = 0;
    for (size_t i = 0; i < no; i++)
        w->n_best_ties += !isnan(obs[i].loss) && obs[i].feasible && !obs[i].estimated &&
                          w->y[i] == w->best;
    free(raw);
    /* a long history: the posterior on a bounded subset of it */
    if (!(w->rank = malloc((no + 1) * sizeof *w->rank)))
        return tune_error_set(w->err, TUNE_ENOMEM, "out of memory for the bayes model");
    memcpy(w->rank, w->y, no * sizeof *w->y);
    if ((rc = select_rows(w, w->y, NULL)))
        return rc;
    size_t nr = w->n_rows;
    if (nr < no) { /* a choice's observations are those its model holds */
        memset(w->g_obs, 0, w->g.n * sizeof *w->g_obs);
        for (size_t r = 0; r < nr; r++)
            w->g_obs[w->grp[r]]++;
    }
    w->n_model = nr;
    if (n_pruned && (rc = impute_censored(w, obs)))
        return rc;
    for (size_t g = 0; g < w->g.n; g++)
        if ((rc = refresh_group(w, g)))
            return rc;
    if (np > 0 && st->model.fantasize) {
        /* kriging believer: the posterior mean stands in for each result */
        for (size_t i = nr; i < nr + np; i++) {
            double var;
            if ((rc = obj_predict(w, &w->z[i * D], w->grp[i], &w->y[i], &var, NULL, NULL)))
                return rc;
            /* believed, so it also counts for the best value: else a
             * predicted improvement would stay certain next to it */
            if (w->y[i] < w->best)
                w->best = w->y[i];
        }
        w->n_model = nr + np;
        for (size_t g = 0; g < w->g.n; g++)
            if ((rc = refresh_group(w, g)))
                return rc;
    }
    return TUNE_OK;
}

/* --- constraints: P(slack <= 0) ------------------------------------------- */

static int noise_sd(const struct work *w, size_t g, double *sd);

/* One GP per constraint on the complete observations' slacks (their metric
 * missing: as the largest slack seen), standardized; the threshold 0 moves
 * with them.  Fewer than two finite slacks: no model, and the constraint
 * does not weigh on the acquisition. */
static int build_constraints(struct work *w, const struct tune_history *h, const struct obs *obs)
{
    size_t nc = h->n_constraints, no = w->n_obs, D = w->D;
    w->n_con = nc;
    if (!nc)
        return TUNE_OK;
    w->con_model = calloc(nc, sizeof *w->con_model);
    w->con_thresh = calloc(nc, sizeof *w->con_thresh);
    double *x = malloc(2 * (no + 1) * D * sizeof *x), *y = malloc(2 * (no + 1) * sizeof *y);
    int *numbers = malloc((no + 1) * sizeof *numbers);
    size_t *pos = malloc((no + 1) * sizeof *pos);
    int rc = TUNE_OK;
    if (!w->con_model || !w->con_thresh || !x || !y || !numbers || !pos) {
        rc = tune_error_set(w->err, TUNE_ENOMEM, "out of memory for the constraints' models");
        goto done;
    }
    double *xs = x + (no + 1) * D, *ys = y + no + 1; /* the model rows' */
    for (size_t j = 0; j < nc && !rc; j++) {
        size_t n = 0, finite = 0;
        double top = -HUGE_VAL;
        for (size_t i = 0; i < no; i++) {
            const struct tune_history_entry *e = obs[i].e;
            pos[i] = SIZE_MAX;
            if (e->state != TUNE_TRIAL_COMPLETE || !e->slack || isnan(e->slack[j]))
                continue;
            encode(&w->st->model, w->space, e->point, &x[n * D]);
            pos[i] = n;
            y[n] = e->slack[j];
            numbers[n++] = e->number;
            if (isfinite(e->slack[j])) {
                finite++;
                top = e->slack[j] > top ? e->slack[j] : top;
            }
        }
        if (finite < 2)
            continue;
        for (size_t i = 0; i < n; i++)
            y[i] = isfinite(y[i]) ? y[i] : top;
        double mean = 0, m2 = 0;
        for (size_t i = 0; i < n; i++)
            mean += y[i] / (double)n;
        for (size_t i = 0; i < n; i++)
            m2 += (y[i] - mean) * (y[i] - mean) / (double)n;
        double sd = sqrt(m2) > 1e-12 ? sqrt(m2) : fabs(mean) > 0 ? fabs(mean) : 1;
        for (size_t i = 0; i < n; i++)
            y[i] = (y[i] - mean) / sd;
        /* fitted on every observation (at most FIT_MAX_POINTS of them),
         * the posterior on those of the model rows (select_rows) */
        size_t ns = 0;
        for (size_t r = 0; r < w->n_rows; r++) {
            size_t k = pos[w->row_obs[r]];
            if (k == SIZE_MAX)
                continue;
            memcpy(&xs[ns * D], &x[k * D], D * sizeof *x);
            ys[ns++] = y[k];
        }
        size_t sl = slot_con(w, j);
        if ((rc = ensure_slot(w, sl, D, w->g.kinds)) ||
            (rc = fit_slot(w, sl, x, y, NULL, numbers, n, 0)) ||
            (rc = slot_data(w, sl, xs, ys, NULL, ns)))
            break;
        /* The model cannot place the boundary closer than its noise: within
         * it P(feasible) is about 1/2 on both sides, and the objective's
         * improvement, growing outward, would pull every suggestion just
         * across (on a linear constraint, trial after trial broke it by
         * 5e-5).  So feasible means a slack below -2 noise sds. */
        double noise;
        if ((rc = noise_sd(w, sl, &noise)))
            break;
        w->con_thresh[j] = -mean / sd - 2 * noise;
        w->con_model[j] = 1;
    }
done:
    free(x);
    free(y);
    free(numbers);
    free(pos);
    return rc;
}

/* Sum over the constraints of log P(slack <= 0) at encoded point z; grad
 * (NULL or D values) receives its gradient. */
static int log_pof(struct work *w, const double *z, double *lp, double *grad)
{
    size_t D = w->D;
    double *cmu = w->gz + G_CMU * D, *cvar = w->gz + G_CVAR * D;
    *lp = 0;
    if (grad)
        memset(grad, 0, D * sizeof *grad);
    for (size_t j = 0; j < w->n_con; j++) {
        if (!w->con_model[j])
            continue;
        double mu, var, dl;
        int rc = slot_predict(w, slot_con(w, j), z, &mu, &var, grad ? cmu : NULL,
                              grad ? cvar : NULL);
        if (rc)
            return rc;
        double s = sqrt(var > 1e-20 ? var : 1e-20), zz = (w->con_thresh[j] - mu) / s;
        *lp += tune_gp_log_cdf(zz, &dl);
        for (size_t k = 0; grad && k < D; k++) {
            double ds = var > 1e-20 ? cvar[k] / (2 * s) : 0;
            grad[k] += dl * (-cmu[k] - zz * ds) / s;
        }
    }
    return TUNE_OK;
}

/* The same at m candidates (m x D), added to lp[0..m). */
static int log_pof_many(struct work *w, size_t m, const double *zc, double *lp)
{
    double *mu = malloc((2 * m + 1) * sizeof *mu);
    if (!mu)
        return tune_error_set(w->err, TUNE_ENOMEM, "out of memory for the acquisition");
    double *var = mu + m;
    int rc = TUNE_OK;
    for (size_t j = 0; j < w->n_con && !rc; j++) {
        if (!w->con_model[j])
            continue;
        rc = tune_gp_predict_many(w->st->slots[slot_con(w, j)].gp, m, zc, mu, var, w->err);
        for (size_t i = 0; !rc && i < m; i++) {
            double s = sqrt(var[i] > 1e-20 ? var[i] : 1e-20);
            lp[i] += tune_gp_log_cdf((w->con_thresh[j] - mu[i]) / s, NULL);
        }
    }
    free(mu);
    return rc;
}

/* --- two objectives: expected hypervolume improvement ----------------------- */

/* E[max(0, c - a)] for a ~ N(mu, s^2); 0 for c = -inf. */
static double psi(double c, double mu, double s)
{
    if (c == -HUGE_VAL)
        return 0;
    double z = (c - mu) / s;
    return (c - mu) * 0.5 * erfc(-z / 1.4142135623730950488) +
           s * exp(-0.5 * z * z) * 0.39894228040143267794;
}

/* The exact expected hypervolume improvement of a point with independent
 * normal losses (mu1, s1), (mu2, s2) over a front of n points (sorted by
 * the first loss ascending, so the second descends), within the box below
 * ref.  The region the front leaves is cut into vertical strips at its
 * points: strip i spans x in [x_i, x_{i+1}) (x_0 = -inf, x_{n+1} = ref_1)
 * and y below y_i (y_0 = ref_2).  A new point (a, b) adds to strip i the
 * rectangle [max(a, x_i), x_{i+1}) x [b, y_i) when it is not empty, whose
 * width (x_{i+1} - a)^+ - (x_i - a)^+ and height (y_i - b)^+ are
 * independent, so
 *     EHVI = sum_i (psi1(x_{i+1}) - psi1(x_i)) psi2(y_i),
 * psi(c) = E[(c - a)^+] = (c - mu) Phi((c - mu)/s) + s phi((c - mu)/s)
 * (the strip decomposition of Emmerich et al., "Hypervolume-based expected
 * improvement: monotonicity properties and exact computation", CEC 2011).
 * tests/test_bayes.c checks it against a Monte Carlo estimate. */
double tune_bayes_ehvi_2d(const double *front, size_t n, const double ref[2], double mu1,
                          double s1, double mu2, double s2)
{
    double total = 0;
    for (size_t i = 0; i <= n; i++) {
        double xi = i == 0 ? -HUGE_VAL : front[2 * (i - 1)];
        double xn = i == n ? ref[0] : front[2 * i];
        double yi = i == 0 ? ref[1] : front[2 * (i - 1) + 1];
        total += (psi(xn, mu1, s1) - psi(xi, mu1, s1)) * psi(yi, mu2, s2);
    }
    return total;
}

static int by_first(const void *a, const void *b)
{
    const double *x = a, *y = b;
    if (x[0] != y[0])
        return x[0] < y[0] ? -1 : 1;
    return (x[1] > y[1]) - (x[1] < y[1]);
}

/* The front of rows[0..n) (n x 2), non-dominated, sorted, into w->front. */
static void make_front(struct work *w, const double *pts, size_t n)
{
    double *f = w->front;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        int dominated = 0;
        for (size_t j = 0; j < n && !dominated; j++)
            dominated = j != i && pts[2 * j] <= pts[2 * i] && pts[2 * j + 1] <= pts[2 * i + 1] &&
                        (pts[2 * j] < pts[2 * i] || pts[2 * j + 1] < pts[2 * i + 1] || j < i);
        if (!dominated) {
            f[2 * m] = pts[2 * i];
            f[2 * m + 1] = pts[2 * i + 1];
            m++;
        }
    }
    qsort(f, m, 2 * sizeof *f, by_first);
    w->n_front = m;
}

/* One GP per objective (transformed apart), the feasible front of the
 * observations and of the pending trials as believed, and the reference
 * point: 10% of the range beyond the worst feasible value of each. */
static int build_ehvi(struct work *w, const struct tune_history *h, struct obs *obs)
{
    struct bayes_state *st = w->st;
    size_t no = w->n_obs, np = w->n_pend, nb = w->n_blind, D = w->D, rows = no + np + nb;
    int rc = TUNE_OK;
    w->z = malloc((rows + 1) * D * sizeof *w->z);
    w->ehvi_y = malloc((rows + 1) * 2 * sizeof *w->ehvi_y);
    w->front = malloc((rows + 1) * 2 * sizeof *w->front);
    double *raw = malloc((no + 1) * sizeof *raw), *y = malloc((rows + 1) * sizeof *y);
    int *numbers = malloc((no + 1) * sizeof *numbers);
    if (!w->z || !w->ehvi_y || !w->front || !raw || !y || !numbers) {
        rc = tune_error_set(w->err, TUNE_ENOMEM, "out of memory for the bayes model");
        goto done;
    }
    for (size_t i = 0; i < no + np; i++)
        encode(&st->model, w->space, obs[i].e->point, &w->z[i * D]);
    for (size_t i = 0; i < no; i++)
        numbers[i] = obs[i].e->number;
    double lo[2] = {HUGE_VAL, HUGE_VAL}, hi[2] = {-HUGE_VAL, -HUGE_VAL};
    for (size_t j = 0; j < 2 && !rc; j++) {
        double worst = -HUGE_VAL;
        for (size_t i = 0; i < no; i++)
            if (!isnan(obs[i].loss)) {
                raw[i] = objective_loss(h, obs[i].e, j);
                worst = raw[i] > worst ? raw[i] : worst;
            }
        for (size_t i = 0; i < no; i++)
            if (isnan(obs[i].loss))
                raw[i] = worst;
        size_t sl = slot_ehvi(w, j);
        if ((rc = ensure_slot(w, sl, D, w->g.kinds)) ||
            (rc = fit_slot(w, sl, w->z, raw, NULL, numbers, no, 1)))
            break;
        memcpy(y, raw, no * sizeof *y);
        transform_outputs(&st->model, y, no, NULL);
        for (size_t i = 0; i < no; i++) {
            w->ehvi_y[2 * i + j] = y[i];
            if (!isnan(obs[i].loss) && obs[i].feasible) {
                lo[j] = y[i] < lo[j] ? y[i] : lo[j];
                hi[j] = y[i] > hi[j] ? y[i] : hi[j];
            }
        }
    }
    if (rc)
        goto done;
    w->any_feasible = lo[0] < HUGE_VAL;
    for (size_t j = 0; j < 2; j++)
        w->ref[j] = w->any_feasible ? hi[j] + 0.1 * (hi[j] > lo[j] ? hi[j] - lo[j] : 1) : 1;
    /* the front: feasible complete observations, then believed pending */
    double *pts = malloc((rows + 1) * 2 * sizeof *pts);
    if (!pts) {
        rc = tune_error_set(w->err, TUNE_ENOMEM, "out of memory for the bayes model");
        goto done;
    }
    size_t nf = 0;
    for (size_t i = 0; i < no; i++)
        if (!isnan(obs[i].loss) && obs[i].feasible) {
            pts[2 * nf] = w->ehvi_y[2 * i];
            pts[2 * nf++ + 1] = w->ehvi_y[2 * i + 1];
        }
    /* the posteriors on the model rows (select_rows), ranked by the sum */
    if (!(w->rank = malloc((no + 1) * sizeof *w->rank))) {
        free(pts);
        rc = tune_error_set(w->err, TUNE_ENOMEM, "out of memory for the bayes model");
        goto done;
    }
    for (size_t i = 0; i < no; i++)
        w->rank[i] = w->ehvi_y[2 * i] + w->ehvi_y[2 * i + 1];
    if ((rc = select_rows(w, NULL, w->ehvi_y))) {
        free(pts);
        goto done;
    }
    size_t nr = w->n_rows;
    for (size_t j = 0; j < 2 && !rc; j++) {
        for (size_t i = 0; i < nr; i++)
            y[i] = w->ehvi_y[2 * i + j];
        rc = slot_data(w, slot_ehvi(w, j), w->z, y, NULL, nr);
    }
    w->n_model = nr;
    if (!rc && np > 0 && st->model.fantasize) {
        for (size_t i = nr; i < nr + np && !rc; i++)
            for (size_t j = 0; j < 2 && !rc; j++) {
                double var;
                rc = slot_predict(w, slot_ehvi(w, j), &w->z[i * D], &w->ehvi_y[2 * i + j], &var,
                                  NULL, NULL);
            }
        for (size_t i = nr; i < nr + np && w->any_feasible; i++) {
            pts[2 * nf] = w->ehvi_y[2 * i];
            pts[2 * nf++ + 1] = w->ehvi_y[2 * i + 1];
        }
        w->n_model = nr + np;
        for (size_t j = 0; j < 2 && !rc; j++) {
            for (size_t i = 0; i < nr + np; i++)
                y[i] = w->ehvi_y[2 * i + j];
            rc = slot_data(w, slot_ehvi(w, j), w->z, y, NULL, nr + np);
        }
    }
    make_front(w, pts, nf);
    free(pts);
done:
    free(raw);
    free(y);
    free(numbers);
    return rc;
}

/* --- fantasies and the acquisition --------------------------------------------- */

/* Add `point` to the model as a kriging-believer fantasy and to the seen
 * points (room was made for w->n_blind of them). */
static int add_fantasy(struct work *w, const double *point)
{
    struct bayes_state *st = w->st;
    size_t r = w->n_model, D = w->D;
    double var;
    int rc;
    encode(&st->model, w->space, point, &w->z[r * D]);
    memcpy(&w->seen[w->n_seen++ * w->d], point, w->d * sizeof *point);
    w->n_model = r + 1;
    if (w->ehvi) {
        double *y = malloc((r + 2) * sizeof *y);
        if (!y)
            return tune_error_set(w->err, TUNE_ENOMEM, "out of memory for the bayes model");
        rc = TUNE_OK;
        for (size_t j = 0; j < 2 && !rc; j++)
            rc = slot_predict(w, slot_ehvi(w, j), &w->z[r * D], &w->ehvi_y[2 * r + j], &var,
                              NULL, NULL);
        for (size_t j = 0; j < 2 && !rc; j++) {
            for (size_t i = 0; i <= r; i++)
                y[i] = w->ehvi_y[2 * i + j];
            rc = slot_data(w, slot_ehvi(w, j), w->z, y, NULL, r + 1);
        }
        free(y);
        if (!rc && w->any_feasible) { /* it joins the front as believed */
            double *pts = malloc((w->n_front + 1) * 2 * sizeof *pts);
            if (!pts)
                return tune_error_set(w->err, TUNE_ENOMEM, "out of memory for the bayes model");
            memcpy(pts, w->front, w->n_front * 2 * sizeof *pts);
            pts[2 * w->n_front] = w->ehvi_y[2 * r];
            pts[2 * w->n_front + 1] = w->ehvi_y[2 * r + 1];
            make_front(w, pts, w->n_front + 1);
            free(pts);
        }
        return rc;
    }
    w->grp[r] = group_of(w, point);
    if ((rc = obj_predict(w, &w->z[r * D], w->grp[r], &w->y[r], &var, NULL, NULL)))
        return rc;
    if (w->y[r] < w->best)
        w->best = w->y[r];
    if (w->noise)
        w->noise[r] = 0;
    return refresh_group(w, w->grp[r]);
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

/* The whole acquisition at encoded point z of group g: the objective's,
 * plus log P(feasible) with constraints (alone while no observation kept
 * them).  grad (NULL or D values) receives its gradient. */
static int acquire_at(struct work *w, const double *z, size_t g, double *a, double *mu_out,
                      double *var_out, double *grad)
{
    size_t D = w->D;
    double mu, var, lp = 0;
    double *dmu = w->gz + G_DMU * D, *dvar = w->gz + G_DVAR * D;
    double *gc = grad ? w->gz + G_CG * D : NULL; /* the constraints' gradient */
    int rc = obj_predict(w, z, g, &mu, &var, grad ? dmu : NULL, grad ? dvar : NULL);
    if (!rc && w->n_con)
        rc = log_pof(w, z, &lp, gc);
    if (rc)
        return rc;
    int objective = !w->n_con || w->any_feasible;
    *a = (objective ? acquire(w, mu, var, dmu, dvar, grad, grad ? D : 0) : 0) + lp;
    if (grad && !objective)
        memset(grad, 0, D * sizeof *grad);
    for (size_t k = 0; grad && w->n_con && k < D; k++)
        grad[k] += gc[k];
    if (mu_out)
        *mu_out = mu;
    if (var_out)
        *var_out = var;
    return TUNE_OK;
}

/* NLopt objective over the active continuous parameters of one candidate. */
static double refine_objective(unsigned nv, const double *x, double *grad, void *data)
{
    struct work *w = data;
    memcpy(w->ubuf, w->u_fixed, w->d * sizeof *w->ubuf);
    for (unsigned k = 0; k < nv; k++)
        w->ubuf[w->cont[k]] = x[k];
    tune_space_from_unit(w->space, w->ubuf, w->pbuf);
    double *z = w->gz + G_Z * w->D;
    encode(&w->st->model, w->space, w->pbuf, z);
    /* continuous columns take the coordinate itself (from_unit/to_unit is
     * the identity there up to rounding), so the gradient is exact */
    for (unsigned k = 0; k < nv; k++)
        z[w->cont_col[k]] = x[k];
    double *gcol = w->gz + G_ACQ * w->D, a;
    if (acquire_at(w, z, w->u_group, &a, NULL, NULL, grad ? gcol : NULL)) {
        w->failed = 1;
        if (grad)
            memset(grad, 0, nv * sizeof *grad);
        return -HUGE_VAL;
    }
    for (unsigned k = 0; grad && k < nv; k++)
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

/* The transformed loss an observation is ranked by for perturbation: the
 * objective's, or with EHVI the sum of the two. */
static double obs_rank(const struct work *w, size_t i)
{
    return w->rank[i];
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
        force_arm(w, ui);
    }
    gsl_qrng_free(q);
    /* Around the best completed observations: two scales of Gaussian steps
     * in the cube; a categorical changes value with probability 1/4. */
    struct cand *best = malloc((w->n_obs + 1) * sizeof *best);
    size_t nb = 0;
    if (best) {
        for (size_t i = 0; i < w->n_obs; i++)
            if (!isnan(obs[i].loss) && obs[i].feasible &&
                (w->arm < 0 || obs[i].e->point[w->ap] == (double)w->arm))
                best[nb++] = (struct cand){-obs_rank(w, i), i};
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
                if (gsl_rng_uniform(rng) < 0.25 && !(w->arm >= 0 && (long)k == w->ap))
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
    size_t m = 0;
    for (size_t idx = 0; idx < total; idx++) {
        tune_space_point_at(w->space, idx, w->pbuf);
        if (w->arm >= 0 && w->pbuf[w->ap] != (double)w->arm)
            continue; /* another sub-space's */
        tune_space_to_unit(w->space, w->pbuf, &u[m++ * w->d]);
    }
    return m;
}

/* The noise standard deviation slot g's model learned (transformed units). */
static int noise_sd(const struct work *w, size_t g, double *sd)
{
    const struct slot *sl = &w->st->slots[g];
    if (sl->n == 0 || sl->dim == 0) {
        *sd = 0;
        return TUNE_OK;
    }
    double *theta = malloc(tune_gp_n_hyper(sl->gp) * sizeof *theta);
    if (!theta)
        return tune_error_set(w->err, TUNE_ENOMEM, "out of memory for the acquisition");
    tune_gp_get_hyper(sl->gp, theta);
    *sd = sqrt(exp(theta[sl->dim + 1])); /* gp.h: theta[dim + 1] is the log noise variance */
    free(theta);
    return TUNE_OK;
}

/* The history's points in unit coordinates (n_seen x d; caller frees), or
 * NULL with the error set. */
static double *seen_units(const struct work *w)
{
    size_t d = w->d;
    double *us = malloc((w->n_seen + 1) * d * sizeof *us);
    if (!us) {
        tune_error_set(w->err, TUNE_ENOMEM, "out of memory for the acquisition");
        return NULL;
    }
    for (size_t j = 0; j < w->n_seen; j++)
        tune_space_to_unit(w->space, &w->seen[j * d], &us[j * d]);
    return us;
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
 * their final regrets no worse).  Not with constraints, whose feasible
 * region the plateau would ignore. */
static int plateau_point(struct work *w, const double *pts, const double *mu, size_t m,
                         size_t spread, double mu_best, double var_best, double *point,
                         int *moved)
{
    size_t d = w->d, pick = m, near = 0;
    double sd = 0;
    size_t g = group_of(w, point);
    int rc = noise_sd(w, sparse_group(w, g) ? slot_whole(w) : g, &sd);
    if (rc || !(var_best < sd * sd))
        return rc;
    double cap = mu_best + PLATEAU_NOISE * sd;
    for (size_t i = 0; i < spread; i++)
        near += mu[i] <= cap;
    if ((double)near < PLATEAU_SHARE * (double)spread)
        return TUNE_OK;
    /* distances between the points as stored (a discrete value at the
     * centre of its cell), the history's and the candidates' alike */
    double *us = seen_units(w), far = -1, *ui = w->ubuf;
    if (!us)
        return TUNE_ENOMEM;
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
    if (pick < m) {
        memcpy(point, &pts[pick * d], d * sizeof *point);
        *moved = 1;
    }
    return TUNE_OK;
}

/* Whether a point lies within FLAT_TOP_GAP of a parameter's unit range of
 * one of the history's points (us: their unit coordinates) in every
 * parameter, with the same parameters active. */
static int crowds_a_trial(const struct work *w, const double *us, const double *point,
                          double *u)
{
    size_t d = w->d;
    tune_space_to_unit(w->space, point, u);
    for (size_t j = 0; j < w->n_seen; j++) {
        const double *s = &w->seen[j * d];
        size_t i = 0;
        while (i < d && isnan(point[i]) == isnan(s[i]) &&
               (isnan(point[i]) || fabs(u[i] - us[j * d + i]) <= FLAT_TOP_GAP))
            i++;
        if (i == d)
            return 1;
    }
    return 0;
}

/* A flat top: no creeping along a tied best value.
 *
 * A deterministic metric counted in rows or pairs (an accuracy, a ROC AUC)
 * changes in steps: logistic's AUC on breast_cancer is the same 0.995279
 * for every C in [0.319, 0.336].  Beside tied trials the model's variance
 * is below the noise's, and the acquisition's best is the next point just
 * beyond the last one (the variance grows fastest there): the example study
 * spent its last 17 of 60 trials 1e-4 of C apart (2e-5 of the unit range),
 * every one at the same value.  The plateau rule above does not see it,
 * since the flat region is a small share of the space.
 *
 * So once FLAT_TOP_TIES trials share the best value exactly (a smooth
 * objective never ties, and is left as it was), a suggestion within
 * FLAT_TOP_GAP of the unit range of a trial in every parameter gives way to
 * the candidate of the largest acquisition that is not, and that
 * acquisition is the one a study of several trainers compares (12.).  Why
 * a distance and not the model's variance: the steps are real, and probing
 * beside a tie finds the next one (breast_cancer, seed 5: six trials at
 * 0.9959268, C from 0.185 to 0.210, then 0.9959663 at C 0.2165, 3%
 * beyond the last); barring every point whose
 * variance is below the noise's lost such steps: in 4 of 43 runs of the
 * model-selection benchmark the study fell below the best of its eight
 * 20-trial studies, and rose above it in none, while this rule left the
 * count as it was, 40 of 50 (bench/RESULTS_search_cash.md, its notes). */
static int flat_top_point(struct work *w, const double *pts, const struct cand *c, size_t nc,
                          double *point)
{
    if (w->n_best_ties < FLAT_TOP_TIES)
        return TUNE_OK;
    size_t d = w->d;
    double *us = seen_units(w);
    if (!us)
        return TUNE_ENOMEM;
    /* the candidates in order of acquisition: the first that keeps away */
    if (crowds_a_trial(w, us, point, w->ubuf))
        for (size_t r = 0; r < nc; r++) {
            const double *pt = &pts[c[r].idx * d];
            if (!is_seen(w, pt) && !crowds_a_trial(w, us, pt, w->ubuf)) {
                memcpy(point, pt, d * sizeof *point);
                w->acq_out = c[r].acq;
                break;
            }
        }
    free(us);
    return TUNE_OK;
}

/* The acquisition of m candidates (encoded zc, groups grp): the objective's
 * (EI and its kin, or EHVI) plus log P(feasible); mu / var the objective's
 * posterior (zeros with EHVI). */
static int score_candidates(struct work *w, size_t m, const double *zc, const size_t *grp,
                            double *mu, double *var, double *a)
{
    int rc = TUNE_OK;
    for (size_t i = 0; i < m; i++)
        a[i] = 0;
    if (w->n_con && (rc = log_pof_many(w, m, zc, a)))
        return rc;
    int objective = !w->n_con || w->any_feasible;
    if (w->ehvi) {
        double *m2 = malloc((2 * m + 1) * sizeof *m2);
        if (!m2)
            return tune_error_set(w->err, TUNE_ENOMEM, "out of memory for the acquisition");
        double *v2 = m2 + m;
        if ((rc = tune_gp_predict_many(w->st->slots[slot_ehvi(w, 0)].gp, m, zc, mu, var,
                                       w->err)) ||
            (rc = tune_gp_predict_many(w->st->slots[slot_ehvi(w, 1)].gp, m, zc, m2, v2,
                                       w->err))) {
            free(m2);
            return rc;
        }
        for (size_t i = 0; objective && i < m; i++) {
            double e = tune_bayes_ehvi_2d(w->front, w->n_front, w->ref, mu[i],
                                          sqrt(var[i] > 1e-20 ? var[i] : 1e-20), m2[i],
                                          sqrt(v2[i] > 1e-20 ? v2[i] : 1e-20));
            a[i] += log(e > 1e-300 ? e : 1e-300);
        }
        free(m2);
        return TUNE_OK;
    }
    if ((rc = obj_predict_many(w, m, zc, grp, mu, var)))
        return rc;
    for (size_t i = 0; objective && i < m; i++)
        a[i] += acquire(w, mu[i], var[i], NULL, NULL, NULL, 0);
    return TUNE_OK;
}

static int maximize_acquisition(struct work *w, const struct obs *obs, gsl_rng *rng,
                                double *point)
{
    size_t d = w->d, D = w->D, n = w->n_model;
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
    double *av = malloc(cap * sizeof *av);
    size_t *grp = malloc(cap * sizeof *grp);
    struct cand *c = malloc(cap * sizeof *c);
    double *ubest = malloc(2 * d * sizeof *ubest);
    double *x = malloc((d + 1) * 3 * sizeof *x);
    int rc = TUNE_OK;
    if (!u || !zc || !pts || !mu || !var || !av || !grp || !c || !ubest || !x) {
        rc = tune_error_set(w->err, TUNE_ENOMEM, "out of memory for the acquisition");
        goto done;
    }
    size_t m = enumerate ? enumerate_space(w, u, total)
                         : make_candidates(w, obs, rng, u, n_sobol, n_local);
    for (size_t i = 0; i < m; i++) {
        tune_space_from_unit(w->space, &u[i * d], &pts[i * d]);
        encode(&w->st->model, w->space, &pts[i * d], &zc[i * D]);
        grp[i] = group_of(w, &pts[i * d]);
    }
    if ((rc = score_candidates(w, m, zc, grp, mu, var, av)))
        goto done;
    size_t nc = 0;
    for (size_t i = 0; i < m; i++)
        if (!isnan(av[i]))
            c[nc++] = (struct cand){av[i], i};
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
    /* gradient refinement of the active continuous parameters from the top
     * few (not for EHVI, which has no gradient here) */
    for (size_t r = 0; !enumerate && !w->ehvi && r < N_BEST && r < nc; r++) {
        const double *ur = &u[c[r].idx * d], *pr = &pts[c[r].idx * d];
        size_t nv = 0;
        for (size_t i = 0, col = 0; i < d; i++) {
            if (is_continuous(&w->space->params[i]) && !isnan(pr[i])) {
                w->cont[nv] = i;
                w->cont_col[nv++] = col;
            }
            col += param_cols(&w->st->model, &w->space->params[i]);
        }
        if (nv == 0)
            continue;
        nlopt_opt opt = nlopt_create(NLOPT_LD_LBFGS, (unsigned)nv);
        if (!opt) {
            rc = tune_error_set(w->err, TUNE_ENOMEM, "out of memory for the acquisition");
            goto done;
        }
        double *lo = x, *hi = x + d + 1, *xv = x + 2 * (d + 1);
        for (size_t k = 0; k < nv; k++) {
            lo[k] = 0;
            hi[k] = 1;
        }
        nlopt_set_lower_bounds(opt, lo);
        nlopt_set_upper_bounds(opt, hi);
        nlopt_set_max_objective(opt, refine_objective, w);
        nlopt_set_maxeval(opt, (int)refine_evals);
        nlopt_set_xtol_rel(opt, 1e-6);
        double *cand_u = ubest + d;
        memcpy(cand_u, ur, d * sizeof *cand_u);
        w->u_fixed = cand_u;
        w->u_group = grp[c[r].idx];
        for (size_t k = 0; k < nv; k++)
            xv[k] = ur[w->cont[k]];
        double f;
        w->failed = 0;
        nlopt_result res = nlopt_optimize(opt, xv, &f);
        nlopt_destroy(opt);
        if (w->failed || res < 0 || !isfinite(f))
            continue;
        /* re-score the point as it will be stored */
        double *ut = w->ubuf;
        memcpy(ut, cand_u, d * sizeof *ut);
        for (size_t k = 0; k < nv; k++)
            ut[w->cont[k]] = xv[k];
        double *pt = w->pbuf;
        tune_space_from_unit(w->space, ut, pt);
        double mu1, var1, a;
        encode(&w->st->model, w->space, pt, w->zbuf);
        if (acquire_at(w, w->zbuf, group_of(w, pt), &a, &mu1, &var1, NULL))
            continue;
        if (a > best_a && !is_seen(w, pt)) {
            best_a = a;
            mu_best = mu1;
            var_best = var1;
            memcpy(point, pt, d * sizeof *point);
            have = 1;
        }
    }
    w->acq_out = best_a;
    int moved = 0;
    if (have && !w->ehvi && !w->n_con &&
        (rc = plateau_point(w, pts, mu, m, enumerate ? m : n_sobol, mu_best, var_best, point,
                            &moved)))
        goto done;
    if (have && !w->ehvi && !moved &&
        (rc = flat_top_point(w, pts, c, nc, point)))
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
    free(av);
    free(grp);
    free(c);
    free(ubest);
    free(x);
    return rc;
}

/* The sub-spaces' points in the history (12.). */
static int count_arms(struct work *w)
{
    w->arm = -1;
    w->ap = w->st->arms == ARMS_MODEL ? -1 : arm_param(w->space);
    if (w->ap < 0)
        return TUNE_OK;
    w->n_arms = n_choices(&w->space->params[w->ap]);
    if (!(w->arm_n = calloc(w->n_arms, sizeof *w->arm_n)))
        return tune_error_set(w->err, TUNE_ENOMEM, "out of memory for the bayes searcher");
    for (size_t i = 0; i < w->n_seen; i++) {
        double v = w->seen[i * w->d + (size_t)w->ap];
        if (v >= 0 && v < (double)w->n_arms)
            w->arm_n[(size_t)v]++;
    }
    return TUNE_OK;
}

/* A design point of a choice among sub-spaces: in the sub-space with the
 * fewest points so far (ties in an order drawn from the generator), the
 * next if that one has no point left. */
static int arm_design_point(struct work *w, size_t seq, gsl_rng *rng, double *point)
{
    size_t k = w->n_arms;
    size_t *order = malloc(k * sizeof *order);
    if (!order)
        return tune_error_set(w->err, TUNE_ENOMEM, "out of memory for the bayes searcher");
    for (size_t i = 0; i < k; i++)
        order[i] = i;
    gsl_ran_shuffle(rng, order, k, sizeof *order);
    /* a stable insertion sort by count keeps the drawn order among ties */
    for (size_t i = 1; i < k; i++)
        for (size_t j = i; j > 0 && w->arm_n[order[j]] < w->arm_n[order[j - 1]]; j--) {
            size_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    int rc = TUNE_EEXHAUSTED;
    for (size_t i = 0; i < k && rc == TUNE_EEXHAUSTED; i++) {
        w->arm = (long)order[i];
        rc = sobol_point(w, seq, rng, point);
    }
    w->arm = -1;
    free(order);
    return rc;
}

/* The next point: the acquisition's maximum over the space, or for a
 * choice among sub-spaces (12.) within the sub-space chosen. */
static int choose_point(struct work *w, const struct obs *obs, gsl_rng *rng, double *point)
{
    if (w->ap < 0)
        return maximize_acquisition(w, obs, rng, point);
    int rc = TUNE_OK;
    double *cand = malloc(w->d * sizeof *cand), best = -HUGE_VAL;
    if (!cand)
        return tune_error_set(w->err, TUNE_ENOMEM, "out of memory for the acquisition");
    int have = 0;
    for (size_t a = 0; a < w->n_arms; a++) {
        w->arm = (long)a;
        rc = maximize_acquisition(w, obs, rng, cand);
        if (rc == TUNE_EEXHAUSTED) {
            rc = TUNE_OK;
            continue;
        }
        if (rc)
            break;
        if (!have || w->acq_out > best) {
            best = w->acq_out;
            memcpy(point, cand, w->d * sizeof *point);
            have = 1;
        }
    }
    w->arm = -1;
    free(cand);
    if (!rc && !have)
        rc = tune_error_set(w->err, TUNE_EEXHAUSTED, "bayes: every point of the space was tried");
    return rc;
}

static int bayes_suggest(void *state, const struct tune_space *space,
                         const struct tune_history *history, size_t seq, gsl_rng *rng,
                         double *point, struct tune_error *err)
{
    struct bayes_state *st = state;
    if (space->n == 0)
        return TUNE_OK;
    struct work w = {.space = space, .st = st, .d = space->n, .err = err, .ap = -1, .arm = -1};
    w.D = encoded_dim(&st->model, space);
    size_t d = w.d, D = w.D;
    w.ubuf = malloc((2 * d + D + G_SIZE * D) * sizeof *w.ubuf);
    w.cont = malloc((d + 1) * sizeof *w.cont);
    w.cont_col = malloc((d + 1) * sizeof *w.cont_col);
    if (!w.ubuf || !w.cont || !w.cont_col || groups_make(&st->model, space, D, &w.g)) {
        work_release(&w);
        return tune_error_set(err, TUNE_ENOMEM, "out of memory for the bayes searcher");
    }
    w.pbuf = w.ubuf + d;
    w.zbuf = w.pbuf + d;
    w.gz = w.zbuf + D;
    struct obs *obs = NULL;
    size_t n_complete = 0;
    w.n_con = history->n_constraints; /* the slots' layout depends on it */
    int rc = gather(&w, history, rng, &obs, &n_complete);
    if (rc == TUNE_OK) {
        /* prior observations stand in for design points */
        size_t init = st->n_init > w.n_prior ? st->n_init - w.n_prior : 0;
        if ((rc = count_arms(&w)) != TUNE_OK) {
        } else if (seq < init || n_complete < 2) {
            rc = w.ap >= 0 ? arm_design_point(&w, seq, rng, point)
                           : sobol_point(&w, seq, rng, point);
        } else if ((rc = w.ehvi ? build_ehvi(&w, history, obs) : build_model(&w, obs)) ==
                       TUNE_OK &&
                   (rc = build_constraints(&w, history, obs)) == TUNE_OK) {
            /* Trials claimed before this one whose workers are still
             * choosing their points: assume each takes the point this model
             * would give it, believe it, and choose after them.  (Two workers
             * that read the history at once would otherwise both see the
             * other without a point and choose the same one.) */
            size_t nb = st->model.fantasize ? w.n_blind : 0;
            for (size_t b = 0; b < nb && rc == TUNE_OK; b++)
                if ((rc = choose_point(&w, obs, rng, point)) == TUNE_OK)
                    rc = add_fantasy(&w, point);
            if (rc == TUNE_OK)
                rc = choose_point(&w, obs, rng, point);
        }
    }
    free(obs);
    work_release(&w);
    return rc;
}

int tune_bayes_model_rows(void *state, const struct tune_space *space,
                          const struct tune_history *history, gsl_rng *rng, size_t *n,
                          int *numbers, double *y, size_t *largest, struct tune_error *err)
{
    struct bayes_state *st = state;
    *n = 0;
    *largest = 0;
    if (space->n == 0)
        return TUNE_OK;
    struct work w = {.space = space, .st = st, .d = space->n, .err = err, .ap = -1, .arm = -1};
    w.D = encoded_dim(&st->model, space);
    w.ubuf = malloc((2 * w.d + w.D + G_SIZE * w.D) * sizeof *w.ubuf);
    if (!w.ubuf || groups_make(&st->model, space, w.D, &w.g)) {
        work_release(&w);
        return tune_error_set(err, TUNE_ENOMEM, "out of memory for the bayes searcher");
    }
    w.pbuf = w.ubuf + w.d;
    w.zbuf = w.pbuf + w.d;
    w.gz = w.zbuf + w.D;
    struct obs *obs = NULL;
    size_t n_complete = 0;
    w.n_con = history->n_constraints;
    int rc = gather(&w, history, rng, &obs, &n_complete);
    if (rc == TUNE_OK && n_complete >= 2 &&
        (rc = w.ehvi ? build_ehvi(&w, history, obs) : build_model(&w, obs)) == TUNE_OK &&
        (rc = build_constraints(&w, history, obs)) == TUNE_OK) {
        for (size_t r = 0; r < w.n_rows; r++) {
            numbers[r] = obs[w.row_obs[r]].e->number;
            y[r] = w.ehvi ? w.ehvi_y[2 * r] : w.y[r];
        }
        *n = w.n_rows;
        for (size_t i = 0; i < st->n_slots; i++)
            *largest = st->slots[i].n > *largest ? st->slots[i].n : *largest;
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
