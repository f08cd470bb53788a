/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_bayes_search.c — bayes on what issue 20 added: conditional spaces
 * (the imputed model and the per-choice sub-models), several objectives
 * (ParEGO and EHVI, and the exact 2-D EHVI against Monte Carlo),
 * constraints (the probability of feasibility) and prior observations.
 * Every run is seeded; the thresholds hold with a margin on these seeds. */
#include "testutil.h"
#include "searchers/bayes.h"
#include "tunefold/pareto.h"
#include "tunefold/searcher.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <stdint.h>

static void setup(void)
{
    gsl_set_error_handler_off();
}

TestSuite(bayes_search, .init = setup);

static uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* A study in memory: points, objectives (k), slacks (c), priors first. */
#define MAXN 120
struct run {
    size_t d, k, c, n;
    int maximize[2];
    double points[MAXN * 8];
    double obj[MAXN * 2], slack[MAXN * 2];
    struct tune_history_entry e[MAXN];
};

/* f fills the objectives (k) and slacks (c) of a point. */
typedef void (*problem)(const double *x, double *obj, double *slack);

static void add(struct run *r, const double *pt, const double *obj, const double *slack,
                int prior)
{
    size_t i = r->n++;
    memcpy(&r->points[i * r->d], pt, r->d * sizeof *pt);
    memcpy(&r->obj[i * 2], obj, r->k * sizeof *obj);
    if (r->c)
        memcpy(&r->slack[i * 2], slack, r->c * sizeof *slack);
    double violation = 0;
    for (size_t j = 0; j < r->c; j++)
        violation += slack[j] > 0 ? slack[j] : 0;
    r->e[i] = (struct tune_history_entry){.number = prior ? -1 : (int)i,
                                          .state = TUNE_TRIAL_COMPLETE,
                                          .value = obj[0],
                                          .objectives = r->k > 1 ? &r->obj[i * 2] : NULL,
                                          .slack = r->c ? &r->slack[i * 2] : NULL,
                                          .violation = violation,
                                          .prior = prior};
}

static int suggest(void *state, const struct tune_space *sp, struct run *r, uint64_t seed,
                   size_t seq, double *pt)
{
    for (size_t i = 0; i < r->n; i++)
        r->e[i].point = &r->points[i * r->d];
    struct tune_history h = {.n = r->n, .entries = r->e, .maximize = r->maximize[0],
                             .number = -1, .n_objectives = r->k,
                             .objective_maximize = r->maximize, .n_constraints = r->c};
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, (unsigned long)mix64(seed ^ mix64((uint64_t)seq + 0x5eed)));
    struct tune_error err = {0};
    int rc = tune_searcher_bayes.suggest(state, sp, &h, seq, rng, pt, &err);
    cr_assert_eq(rc, TUNE_OK, "seq %zu: %s", seq, err.msg);
    gsl_rng_free(rng);
    return rc;
}

/* Run `budget` suggestions of problem f (after r's priors). */
static void optimize(const struct tune_space *sp, const char *options,
                     const struct tune_bayes_model *model, problem f, size_t budget,
                     uint64_t seed, struct run *r)
{
    /* the state by hand, as the benchmark drives it, to set the model */
    void *s = calloc(1, tune_searcher_bayes.state_size);
    struct tune_error err = {0};
    struct tune_search_options o = {options, seed};
    cr_assert_eq(tune_searcher_bayes.init(s, sp, &o, &err), TUNE_OK, "%s", err.msg);
    if (model)
        tune_bayes_set_model(s, model);
    r->d = sp->n;
    double pt[8], obj[2], slack[2]; /* the widest space has 7 parameters */
    for (size_t seq = 0; seq < budget; seq++) {
        suggest(s, sp, r, seed, seq, pt);
        /* every suggestion is canonical and new */
        for (size_t i = 0; i < sp->n; i++)
            cr_assert_eq(isnan(pt[i]), !tune_space_active(sp, pt, i), "seq %zu param %zu", seq,
                         i);
        for (size_t j = 0; j < r->n; j++) {
            int same = 1;
            for (size_t i = 0; i < sp->n; i++)
                same &= pt[i] == r->points[j * r->d + i] ||
                        (isnan(pt[i]) && isnan(r->points[j * r->d + i]));
            cr_assert_not(same, "seq %zu repeats point %zu", seq, j);
        }
        f(pt, obj, slack);
        add(r, pt, obj, slack, 0);
    }
    tune_searcher_bayes.release(s);
    free(s);
}

static struct tune_param fparam(const char *name, double low, double high)
{
    struct tune_param p = {0};
    p.name = (char *)name;
    p.type = TUNE_PARAM_FLOAT;
    p.low = low;
    p.high = high;
    return p;
}

/* ---- conditional spaces -------------------------------------------------------- */

/* A choice of three "models", each with its own parameters:
 *   a: x in [0, 1]        f = 1 + (x - 0.3)^2
 *   b: y, w in [0, 1]     f = 2 (y - 0.7)^2 + (w - 0.2)^2     (the best: 0)
 *   c: none               f = 0.8 */
static char *models[] = {"a", "b", "c"};
static double when_a[] = {0}, when_b[] = {1};

static struct tune_space choice_space(struct tune_param *ps)
{
    memset(ps, 0, 4 * sizeof *ps);
    ps[0].name = "model";
    ps[0].type = TUNE_PARAM_CATEGORICAL;
    ps[0].n_values = 3;
    ps[0].values = models;
    ps[1] = fparam("x", 0, 1);
    ps[1].n_when = 1;
    ps[1].when_values = when_a;
    ps[2] = fparam("y", 0, 1);
    ps[2].n_when = 1;
    ps[2].when_values = when_b;
    ps[3] = fparam("w", 0, 1);
    ps[3].n_when = 1;
    ps[3].when_values = when_b;
    return (struct tune_space){4, ps};
}

static void choice_problem(const double *x, double *obj, double *slack)
{
    (void)slack;
    obj[0] = x[0] == 0   ? 1 + (x[1] - 0.3) * (x[1] - 0.3)
             : x[0] == 1 ? 2 * (x[2] - 0.7) * (x[2] - 0.7) + (x[3] - 0.2) * (x[3] - 0.2)
                         : 0.8;
}

static double best_of(const struct run *r, size_t from)
{
    double b = HUGE_VAL;
    for (size_t i = from; i < r->n; i++)
        if (!(r->e[i].violation > 0))
            b = r->obj[i * 2] < b ? r->obj[i * 2] : b;
    return b;
}

Test(bayes_search, both_models_of_a_conditional_space_find_the_best_choice_and_its_optimum)
{
    struct tune_param ps[4];
    struct tune_space sp = choice_space(ps);
    for (int split = 0; split <= 1; split++) {
        struct tune_bayes_model m;
        tune_bayes_model_default(&m);
        m.split = split;
        for (uint64_t seed = 1; seed <= 3; seed++) {
            struct run r = {.k = 1};
            optimize(&sp, NULL, &m, choice_problem, 30, seed, &r);
            double b = best_of(&r, 0);
            cr_assert(b < 0.01, "split %d seed %llu: best %g", split, (unsigned long long)seed,
                      b);
            /* the model settles on choice b: most of the last 10 trials */
            size_t on_b = 0;
            for (size_t i = 20; i < 30; i++)
                on_b += r.points[i * 4] == 1;
            cr_assert(on_b >= 6, "split %d seed %llu: %zu of the last 10 on b", split,
                      (unsigned long long)seed, on_b);
        }
    }
}

/* Three choices of two parameters each: seven parameters, three active. */
static double when_c[] = {2};

static struct tune_space wide_space(struct tune_param *ps)
{
    memset(ps, 0, 7 * sizeof *ps);
    ps[0].name = "model";
    ps[0].type = TUNE_PARAM_CATEGORICAL;
    ps[0].n_values = 3;
    ps[0].values = models;
    static const char *names[6] = {"a1", "a2", "b1", "b2", "c1", "c2"};
    double *when[3] = {when_a, when_b, when_c};
    for (int i = 0; i < 6; i++) {
        ps[1 + i] = fparam(names[i], 0, 1);
        ps[1 + i].n_when = 1;
        ps[1 + i].when_values = when[i / 2];
    }
    return (struct tune_space){7, ps};
}

static void wide_problem(const double *x, double *obj, double *slack)
{
    (void)slack;
    size_t k = (size_t)x[0];
    obj[0] = (double)k + (x[1 + 2 * k] - 0.5) * (x[1 + 2 * k] - 0.5);
}

static int same_points(const struct run *a, const struct run *b, size_t n)
{
    for (size_t i = 0; i < n * a->d; i++)
        if (!(a->points[i] == b->points[i] || (isnan(a->points[i]) && isnan(b->points[i]))))
            return 0;
    return 1;
}

Test(bayes_search, the_initial_design_covers_the_most_parameters_active_at_once)
{
    struct tune_param ps[7];
    struct tune_space sp = wide_space(ps);
    cr_assert_eq(tune_space_active_dim(&sp), 3);
    /* max(5, 3 + 1) = 5 design points, not max(5, 7 + 1) = 8 (the
     * acquisition over the whole space, "trainer_choice": "model") */
    struct run def = {.k = 1}, five = {.k = 1}, eight = {.k = 1};
    optimize(&sp, "{\"trainer_choice\": \"model\"}", NULL, wide_problem, 8, 4, &def);
    optimize(&sp, "{\"trainer_choice\": \"model\", \"initial_points\": 5}", NULL,
             wide_problem, 8, 4, &five);
    optimize(&sp, "{\"trainer_choice\": \"model\", \"initial_points\": 8}", NULL,
             wide_problem, 8, 4, &eight);
    cr_assert(same_points(&def, &five, 8));
    cr_assert_not(same_points(&def, &eight, 8));
    /* every parameter hangs on "model": by default each of its 3 choices
     * gets max(3, ceil(5 / 3)) = 3 design points, 9 in all */
    struct run arms = {.k = 1}, nine = {.k = 1}, ten = {.k = 1};
    optimize(&sp, NULL, NULL, wide_problem, 10, 4, &arms);
    optimize(&sp, "{\"initial_points\": 9}", NULL, wide_problem, 10, 4, &nine);
    optimize(&sp, "{\"initial_points\": 10}", NULL, wide_problem, 10, 4, &ten);
    cr_assert(same_points(&arms, &nine, 10));
    cr_assert_not(same_points(&arms, &ten, 10));
}

/* ---- constraints -------------------------------------------------------------- */

/* Minimize (x - 1)^2 + (y - 1)^2 on [0, 1]^2 subject to x + y <= 1: the
 * optimum is (0.5, 0.5), 0.5; the unconstrained one (1, 1) breaks it. */
static void constrained_problem(const double *x, double *obj, double *slack)
{
    obj[0] = (x[0] - 1) * (x[0] - 1) + (x[1] - 1) * (x[1] - 1);
    slack[0] = x[0] + x[1] - 1;
}

Test(bayes_search, with_a_constraint_it_finds_the_best_feasible_point_and_stays_by_the_boundary)
{
    struct tune_param ps[2] = {fparam("x", 0, 1), fparam("y", 0, 1)};
    struct tune_space sp = {2, ps};
    for (uint64_t seed = 1; seed <= 8; seed++) {
        struct run r = {.k = 1, .c = 1};
        optimize(&sp, NULL, NULL, constrained_problem, 30, seed, &r);
        double b = best_of(&r, 0);
        cr_assert(b < 0.5 + 0.01, "seed %llu: best feasible %g", (unsigned long long)seed, b);
        /* it works along the boundary, on its feasible side, never back at
         * the infeasible optimum (1, 1) of slack 1 */
        size_t feasible = 0;
        double worst = 0;
        for (size_t i = 15; i < 30; i++) {
            feasible += r.slack[i * 2] <= 0;
            worst = r.slack[i * 2] > worst ? r.slack[i * 2] : worst;
        }
        cr_assert(feasible >= 12 && worst < 0.25,
                  "seed %llu: %zu of the last 15 feasible, the worst broke it by %g",
                  (unsigned long long)seed, feasible, worst);
    }
}

/* ---- several objectives ----------------------------------------------------------- */

/* ZDT1 in 3 variables: f1 = x1, g = 1 + 9 mean(x2, x3), f2 = g (1 - sqrt(f1 / g)). */
static void zdt1(const double *x, double *obj, double *slack)
{
    (void)slack;
    double g = 1 + 9 * (x[1] + x[2]) / 2;
    obj[0] = x[0];
    obj[1] = g * (1 - sqrt(x[0] / g));
}

static double hypervolume(const struct run *r)
{
    double *loss = malloc(r->n * 2 * sizeof *loss), ref[2] = {1.1, 1.1};
    for (size_t i = 0; i < r->n; i++) {
        loss[2 * i] = r->obj[2 * i];
        loss[2 * i + 1] = r->obj[2 * i + 1];
    }
    double hv = tune_hypervolume_2d(loss, r->n, ref);
    free(loss);
    return hv;
}

Test(bayes_search, parego_and_ehvi_spread_along_the_front_beyond_random_search)
{
    struct tune_param ps[3] = {fparam("a", 0, 1), fparam("b", 0, 1), fparam("c", 0, 1)};
    struct tune_space sp = {3, ps};
    /* random search's hypervolume after 30 points, for reference */
    double rnd = 0;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        struct run r = {.k = 2};
        r.d = 3;
        gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
        gsl_rng_set(g, seed);
        for (size_t i = 0; i < 30; i++) {
            double pt[3], obj[2];
            tune_space_sample(&sp, g, pt);
            zdt1(pt, obj, NULL);
            add(&r, pt, obj, NULL, 0);
        }
        gsl_rng_free(g);
        rnd += hypervolume(&r) / 3;
    }
    for (int ehvi = 0; ehvi <= 1; ehvi++) {
        double hv = 0;
        for (uint64_t seed = 1; seed <= 3; seed++) {
            struct run r = {.k = 2};
            optimize(&sp, ehvi ? "{\"multi_objective\": \"ehvi\"}" : NULL, NULL, zdt1, 30, seed,
                     &r);
            hv += hypervolume(&r) / 3;
        }
        /* the true front's hypervolume under (1.1, 1.1) is 1.1^2 - 1/3 = 0.877 */
        cr_assert(hv > rnd + 0.1 && hv > 0.75, "ehvi %d: mean hypervolume %g (random %g)", ehvi,
                  hv, rnd);
    }
}

Test(bayes_search, the_exact_2d_ehvi_agrees_with_monte_carlo)
{
    double front[6] = {0.2, 0.9, 0.5, 0.4, 0.8, 0.1}, ref[2] = {1.0, 1.0};
    double cases[3][4] = {{0.4, 0.3, 0.3, 0.2}, {0.9, 0.05, 0.9, 0.05}, {0.1, 0.5, 0.2, 0.25}};
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 11);
    for (int c = 0; c < 3; c++) {
        double mu1 = cases[c][0], s1 = cases[c][1], mu2 = cases[c][2], s2 = cases[c][3];
        double exact = tune_bayes_ehvi_2d(front, 3, ref, mu1, s1, mu2, s2), mc = 0;
        size_t n = 400000;
        for (size_t i = 0; i < n; i++) {
            double p[8] = {front[0], front[1], front[2], front[3], front[4], front[5],
                           mu1 + s1 * gsl_ran_gaussian(g, 1), mu2 + s2 * gsl_ran_gaussian(g, 1)};
            mc += (tune_hypervolume_2d(p, 4, ref) - tune_hypervolume_2d(p, 3, ref)) / (double)n;
        }
        cr_assert(fabs(exact - mc) < 3e-4 + 0.01 * mc, "case %d: exact %g, Monte Carlo %g", c,
                  exact, mc);
    }
    /* a certain point: its own improvement; the empty front: the box's */
    double none[1];
    assert_close(tune_bayes_ehvi_2d(front, 3, ref, 0.3, 1e-9, 0.3, 1e-9),
                 0.2 * 0.6 + 0.3 * 0.1, 1e-7);
    assert_close(tune_bayes_ehvi_2d(none, 0, ref, 0.5, 1e-9, 0.75, 1e-9), 0.5 * 0.25, 1e-7);
    gsl_rng_free(g);
}

/* ---- prior observations --------------------------------------------------------- */

static void quadratic2(const double *x, double *obj, double *slack)
{
    (void)slack;
    obj[0] = (x[0] - 0.37) * (x[0] - 0.37) + (x[1] - 0.61) * (x[1] - 0.61);
}

Test(bayes_search, prior_observations_replace_the_initial_design)
{
    struct tune_param ps[2] = {fparam("x", 0, 1), fparam("y", 0, 1)};
    struct tune_space sp = {2, ps};
    /* a finished study's 12 trials, as priors: the first suggestion is the
     * model's, near the optimum, not a design point */
    struct run r = {.k = 1};
    r.d = 2;
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 3);
    for (int i = 0; i < 12; i++) {
        double pt[2], obj[1];
        tune_space_sample(&sp, g, pt);
        quadratic2(pt, obj, NULL);
        add(&r, pt, obj, NULL, 1);
    }
    gsl_rng_free(g);
    double prior_best = best_of(&r, 0);
    optimize(&sp, NULL, NULL, quadratic2, 3, 5, &r);
    double own = best_of(&r, 12);
    cr_assert(own < prior_best && own < 0.005, "3 trials after 12 priors: %g (priors %g)", own,
              prior_best);
    /* without them the same three trials are design points, far from it */
    struct run cold = {.k = 1};
    optimize(&sp, NULL, NULL, quadratic2, 3, 5, &cold);
    cr_assert(best_of(&cold, 0) > own, "%g", best_of(&cold, 0));
}

/* ---- long histories ---------------------------------------------------------------- */

static void choice_constrained(const double *x, double *obj, double *slack)
{
    choice_problem(x, obj, slack);
    slack[0] = x[0] == 1 ? x[2] - 0.8 : -0.5; /* b: y <= 0.8 */
}

static void zdt1_constrained(const double *x, double *obj, double *slack)
{
    zdt1(x, obj, slack);
    slack[0] = x[0] - 0.8;
}

/* The most rows any of the models of a suggestion for r holds, and the
 * model rows' count (tune_bayes_model_rows). */
static size_t largest_model(const struct tune_space *sp, const struct tune_bayes_model *model,
                            struct run *r, size_t *n)
{
    void *s = calloc(1, tune_searcher_bayes.state_size);
    struct tune_error err = {0};
    struct tune_search_options o = {NULL, 1};
    cr_assert_eq(tune_searcher_bayes.init(s, sp, &o, &err), TUNE_OK, "%s", err.msg);
    tune_bayes_set_model(s, model);
    for (size_t i = 0; i < r->n; i++)
        r->e[i].point = &r->points[i * r->d];
    struct tune_history h = {.n = r->n, .entries = r->e, .number = -1, .n_objectives = r->k,
                             .objective_maximize = r->maximize, .n_constraints = r->c};
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    int numbers[MAXN];
    double y[MAXN];
    size_t largest;
    cr_assert_eq(tune_bayes_model_rows(s, sp, &h, rng, n, numbers, y, &largest, &err), TUNE_OK,
                 "%s", err.msg);
    gsl_rng_free(rng);
    tune_searcher_bayes.release(s);
    free(s);
    return largest;
}

Test(bayes_search, past_max_rows_every_model_holds_at_most_max_rows)
{
    /* 40 trials with at most 12 rows a model: each choice's model and the
     * imputed one (split), the imputed model alone, the constraint's, and
     * EHVI's two; the suggestions stay valid and new (optimize) */
    struct tune_param ps[4];
    struct tune_space sp = choice_space(ps);
    for (int split = 0; split < 2; split++) {
        struct tune_bayes_model model;
        tune_bayes_model_default(&model);
        model.split = split;
        model.max_rows = 12;
        struct run r = {.k = 1, .c = 1};
        optimize(&sp, NULL, &model, choice_constrained, 40, 3, &r);
        size_t n, largest = largest_model(&sp, &model, &r, &n);
        cr_assert_eq(n, 12u, "split %d", split);
        cr_assert_eq(largest, 12u, "split %d: a model of %zu rows", split, largest);
        /* without the bound, every observation */
        model.max_rows = SIZE_MAX;
        largest = largest_model(&sp, &model, &r, &n);
        cr_assert_eq(n, 40u);
        cr_assert_eq(largest, 40u, "split %d", split);
    }
    struct tune_param pz[3] = {fparam("a", 0, 1), fparam("b", 0, 1), fparam("c", 0, 1)};
    struct tune_space sz = {3, pz};
    struct tune_bayes_model model;
    tune_bayes_model_default(&model);
    model.ehvi = 1;
    model.max_rows = 12;
    struct run r = {.k = 2, .c = 1};
    optimize(&sz, NULL, &model, zdt1_constrained, 40, 3, &r);
    size_t n, largest = largest_model(&sz, &model, &r, &n);
    cr_assert_eq(n, 12u);
    cr_assert_eq(largest, 12u, "ehvi: a model of %zu rows", largest);
}

/* The model rows of a suggestion for r under the study file's options. */
static size_t rows_under(const struct tune_space *sp, const char *json, struct run *r)
{
    void *s = calloc(1, tune_searcher_bayes.state_size);
    struct tune_error err = {0};
    struct tune_search_options o = {json, 1};
    cr_assert_eq(tune_searcher_bayes.init(s, sp, &o, &err), TUNE_OK, "%s", err.msg);
    for (size_t i = 0; i < r->n; i++)
        r->e[i].point = &r->points[i * r->d];
    struct tune_history h = {.n = r->n, .entries = r->e, .number = -1, .n_objectives = r->k,
                             .objective_maximize = r->maximize, .n_constraints = r->c};
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    int numbers[MAXN];
    double y[MAXN];
    size_t n, largest;
    cr_assert_eq(tune_bayes_model_rows(s, sp, &h, rng, &n, numbers, y, &largest, &err), TUNE_OK,
                 "%s", err.msg);
    gsl_rng_free(rng);
    tune_searcher_bayes.release(s);
    free(s);
    return largest;
}

/* "model_rows" in the study file sets the bound: a number of rows, or 0
 * for every observation; fewer than 10 is refused by name. */
Test(bayes_search, the_model_rows_option_sets_the_bound_and_zero_lifts_it)
{
    struct tune_param ps[4];
    struct tune_space sp = choice_space(ps);
    struct run r = {.k = 1, .c = 1};
    optimize(&sp, NULL, NULL, choice_constrained, 40, 3, &r);
    cr_assert_eq(rows_under(&sp, "{\"model_rows\": 12}", &r), 12u);
    cr_assert_eq(rows_under(&sp, "{\"model_rows\": 0}", &r), 40u);
    cr_assert_eq(rows_under(&sp, NULL, &r), 40u); /* 40 is under the default 300 */
    void *s = calloc(1, tune_searcher_bayes.state_size);
    struct tune_error err = {0};
    struct tune_search_options o = {"{\"model_rows\": 5}", 1};
    cr_assert_eq(tune_searcher_bayes.init(s, &sp, &o, &err), TUNE_EINVAL);
    cr_assert_str_eq(err.msg, "search.model_rows: must be 0 (every trial) or at least 10, got 5");
    free(s);
}

/* ---- several trainers: how the budget is spent (12. in bayes.c) ------------------- */

/* Four "trainers": t0 (a), t1 (b1, b2), t2 (c1, c2), t3 (d); every
 * parameter hangs on the choice, as in a study of several trainers. */
static char *trainer_names[] = {"t0", "t1", "t2", "t3"};
static double when_t[4][1] = {{0}, {1}, {2}, {3}};

static struct tune_space trainers_space(struct tune_param *ps)
{
    memset(ps, 0, 7 * sizeof *ps);
    ps[0].name = "trainer";
    ps[0].type = TUNE_PARAM_CATEGORICAL;
    ps[0].n_values = 4;
    ps[0].values = trainer_names;
    static const char *names[6] = {"a", "b1", "b2", "c1", "c2", "d"};
    static const int arm[6] = {0, 1, 1, 2, 2, 3};
    for (int i = 0; i < 6; i++) {
        ps[1 + i] = fparam(names[i], 0, 1);
        ps[1 + i].n_when = 1;
        ps[1 + i].when_values = when_t[arm[i]];
    }
    return (struct tune_space){7, ps};
}

/* t0: 0.35 + a bowl; t1: its optimum 0 in a narrow bowl, poor elsewhere;
 * t2, t3: 3 + a bowl (clearly worse). */
static void trainers_problem(const double *x, double *obj, double *slack)
{
    (void)slack;
    switch ((int)x[0]) {
    case 0:
        obj[0] = 0.35 + 0.2 * (x[1] - 0.4) * (x[1] - 0.4);
        break;
    case 1:
        obj[0] = 3 * ((x[2] - 0.8) * (x[2] - 0.8) + (x[3] - 0.15) * (x[3] - 0.15));
        break;
    case 2:
        obj[0] = 3 + (x[4] - 0.5) * (x[4] - 0.5) + (x[5] - 0.5) * (x[5] - 0.5);
        break;
    default:
        obj[0] = 3.2 + (x[6] - 0.5) * (x[6] - 0.5);
    }
}

static void count_trainers(const struct run *r, size_t from, size_t to, size_t *n)
{
    memset(n, 0, 4 * sizeof *n);
    for (size_t i = from; i < to; i++)
        n[(size_t)r->points[i * r->d]]++;
}

/* A hand-made history: three trials of each trainer, at fixed points. */
static void trainers_history(struct run *r)
{
    static const double at[3] = {0.1, 0.5, 0.9};
    double pt[7], obj[1];
    r->d = 7;
    for (int k = 0; k < 4; k++)
        for (int j = 0; j < 3; j++) {
            for (int i = 0; i < 7; i++)
                pt[i] = NAN;
            pt[0] = k;
            int first = k == 0 ? 1 : k == 1 ? 2 : k == 2 ? 4 : 6, n = k == 0 || k == 3 ? 1 : 2;
            for (int i = 0; i < n; i++)
                pt[first + i] = at[(j + i) % 3];
            trainers_problem(pt, obj, NULL);
            add(r, pt, obj, NULL, 0);
        }
}

Test(bayes_search, with_several_trainers_the_design_gives_each_trainer_three_points)
{
    struct tune_param ps[7];
    struct tune_space sp = trainers_space(ps);
    for (uint64_t seed = 1; seed <= 4; seed++) {
        /* the default design: max(5, 2 + 1) = 5 points would leave a
         * trainer out; each gets max(3, ceil(5 / 4)) = 3 */
        struct run r = {.k = 1};
        optimize(&sp, NULL, NULL, trainers_problem, 12, seed, &r);
        size_t n[4];
        count_trainers(&r, 0, 12, n);
        for (int k = 0; k < 4; k++)
            cr_assert_eq(n[k], 3u, "seed %llu: trainer %d has %zu of the first 12",
                         (unsigned long long)seed, k, n[k]);
        /* initial_points as given, shared out: 2, 2, 1, 1 in some order */
        struct run six = {.k = 1};
        optimize(&sp, "{\"initial_points\": 6}", NULL, trainers_problem, 6, seed, &six);
        count_trainers(&six, 0, 6, n);
        size_t ones = 0, twos = 0;
        for (int k = 0; k < 4; k++) {
            ones += n[k] == 1;
            twos += n[k] == 2;
        }
        cr_assert(ones == 2 && twos == 2, "seed %llu: %zu %zu %zu %zu", (unsigned long long)seed,
                  n[0], n[1], n[2], n[3]);
    }
}

Test(bayes_search, with_several_trainers_a_clearly_worse_trainer_gets_fewer_later_trials)
{
    /* after the hand-made design, t1 (its optimum 0) gets most of the
     * trials, t0 (0.35 at best) a few, t2 and t3 (3 and more) none or one */
    struct tune_param ps[7];
    struct tune_space sp = trainers_space(ps);
    for (uint64_t seed = 1; seed <= 4; seed++) {
        struct run r = {.k = 1};
        trainers_history(&r);
        void *s = calloc(1, tune_searcher_bayes.state_size);
        struct tune_error err = {0};
        struct tune_search_options o = {NULL, seed};
        cr_assert_eq(tune_searcher_bayes.init(s, &sp, &o, &err), TUNE_OK, "%s", err.msg);
        for (size_t seq = 12; seq < 28; seq++) {
            double pt[7], obj[1];
            suggest(s, &sp, &r, seed, seq, pt);
            trainers_problem(pt, obj, NULL);
            add(&r, pt, obj, NULL, 0);
        }
        tune_searcher_bayes.release(s);
        free(s);
        size_t n[4];
        count_trainers(&r, 12, 28, n);
        cr_assert(n[1] >= 12 && n[2] <= 1 && n[3] <= 1 && n[1] > n[0],
                  "seed %llu: later trials %zu %zu %zu %zu", (unsigned long long)seed, n[0], n[1],
                  n[2], n[3]);
        cr_assert(best_of(&r, 12) < 1e-3, "seed %llu: best %g", (unsigned long long)seed,
                  best_of(&r, 12));
    }
}

Test(bayes_search, with_several_trainers_the_points_depend_on_the_seed_and_history_alone)
{
    struct tune_param ps[7];
    struct tune_space sp = trainers_space(ps);
    struct run a = {.k = 1}, b = {.k = 1}, c = {.k = 1};
    optimize(&sp, NULL, NULL, trainers_problem, 20, 7, &a);
    optimize(&sp, NULL, NULL, trainers_problem, 20, 7, &b);
    optimize(&sp, NULL, NULL, trainers_problem, 20, 8, &c);
    cr_assert(same_points(&a, &b, 20));
    cr_assert_not(same_points(&a, &c, 20));
}

Test(bayes_search, a_trainer_without_parameters_takes_one_design_point)
{
    /* choice c of choice_space has one configuration: the design of
     * 3 x max(3, ceil(5 / 3)) = 9 points gives it one, a and b four each */
    struct tune_param ps[4];
    struct tune_space sp = choice_space(ps);
    for (uint64_t seed = 1; seed <= 3; seed++) {
        struct run r = {.k = 1};
        optimize(&sp, NULL, NULL, choice_problem, 9, seed, &r);
        size_t n[3] = {0};
        for (size_t i = 0; i < 9; i++)
            n[(size_t)r.points[i * 4]]++;
        cr_assert(n[0] == 4 && n[1] == 4 && n[2] == 1, "seed %llu: %zu %zu %zu",
                  (unsigned long long)seed, n[0], n[1], n[2]);
    }
}

/* A choice that conditions only some parameters is no choice of trainer:
 * the default and "trainer_choice": "model" give the same points. */
Test(bayes_search, without_a_choice_of_trainer_the_option_changes_nothing)
{
    struct tune_param ps[5];
    struct tune_space cs = choice_space(ps);
    ps[4] = fparam("z", 0, 1); /* always active */
    struct tune_space sp = {5, ps};
    struct run a = {.k = 1}, b = {.k = 1};
    optimize(&sp, NULL, NULL, choice_problem, 20, 2, &a);
    optimize(&sp, "{\"trainer_choice\": \"model\"}", NULL, choice_problem, 20, 2, &b);
    cr_assert(same_points(&a, &b, 20));
    /* with one, it does */
    struct run c = {.k = 1}, d = {.k = 1};
    optimize(&cs, NULL, NULL, choice_problem, 20, 2, &c);
    optimize(&cs, "{\"trainer_choice\": \"model\"}", NULL, choice_problem, 20, 2, &d);
    cr_assert_not(same_points(&c, &d, 20));
    void *s = calloc(1, tune_searcher_bayes.state_size);
    struct tune_error err = {0};
    struct tune_search_options o = {"{\"trainer_choice\": \"ucb\"}", 1};
    cr_assert_eq(tune_searcher_bayes.init(s, &cs, &o, &err), TUNE_EINVAL);
    cr_assert_str_eq(err.msg, "search.trainer_choice: must be one of: ei, model (got \"ucb\")");
    free(s);
}
