/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bayes_bench.c — the searcher benchmark program (driven by bench_bayes.py).
 *
 *   bayes_bench functions
 *       one line per test function: name, dimension, optimum.
 *   bayes_bench eval FUNC x1 x2 ...
 *       f(x) at one point (%.17g), for cross-checking the Python copies.
 *   bayes_bench run FUNC STRATEGY SEED0 SEEDS BUDGET [MODEL]
 *       STRATEGY: random, sobol, bayes-ei, bayes-ucb, bayes-pi, bayes-ei-rbf.
 *       MODEL (bayes only): comma-separated yj=0|1, warp=0|1, hamming=0|1,
 *       noise=0|1 (per-trial noise), additive=0|1, fantasize=0|1, init=N,
 *       xi=X, kappa=K, pruned=0|1|2 (a PRUNED trial as failed, censored, or
 *       observed at its estimate: tune_bayes_model.pruned), max_rows=N (rows in a
 *       posterior at most; 0 every observation: tune_bayes_model.max_rows),
 *       overriding the defaults, and workers=W: W asynchronous workers, so
 *       each suggestion sees the W-1 latest trials still RUNNING; and
 *       prune=median|drop: after 5 complete trials, a trial whose early look
 *       (its value plus noise of 0.25 times the spread of the complete
 *       values) is worse than the median of the complete ones is PRUNED,
 *       with the study's estimate (src/study.c) as its value: the complete
 *       values at the rank its early look has among theirs (early looks
 *       alike); with "drop" it is left out of the history altogether (a
 *       pruned trial treated as missing).  Pruned trials cannot be the
 *       best.
 *       For each seed, one line "seed S ms M best b1 b2 ... bBUDGET": the
 *       mean milliseconds per suggestion and the best true value after
 *       each evaluation (for a noisy function: the true value of the trial
 *       with the best observed value).
 *   bayes_bench time DIM N REPEATS
 *       Milliseconds per bayes (ei) suggestion with N completed random
 *       trials of Ackley in DIM dimensions: "cold" is a fresh searcher
 *       (includes the hyperparameter fit), "warm" the next suggestion of the
 *       same searcher after one more trial, between refits.  Median of
 *       REPEATS, each on its own history.
 *
 * The searcher is driven exactly as src/study.c drives it: the history of
 * every earlier trial, seq, and a generator seeded from (seed, seq). */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <nlopt.h>

#include "searchers/bayes.h"
#include "tunefold/searcher.h"

#define PI 3.14159265358979323846
#define MAXD 10

/* CPU seconds of this process: the searcher is single-threaded (serial
 * OpenBLAS), so on an idle machine this is the wall time, and on a shared
 * one it leaves out the other processes' load. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* --- test functions ------------------------------------------------------- */

static double branin(const double *x)
{
    double a = x[1] - 5.1 / (4 * PI * PI) * x[0] * x[0] + 5 / PI * x[0] - 6;
    return a * a + 10 * (1 - 1 / (8 * PI)) * cos(x[0]) + 10;
}

static double hartmann6(const double *x)
{
    static const double al[4] = {1.0, 1.2, 3.0, 3.2};
    static const double A[4][6] = {{10, 3, 17, 3.5, 1.7, 8},
                                   {0.05, 10, 17, 0.1, 8, 14},
                                   {3, 3.5, 1.7, 10, 17, 8},
                                   {17, 8, 0.05, 10, 0.1, 14}};
    static const double P[4][6] = {{0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886},
                                   {0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991},
                                   {0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650},
                                   {0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381}};
    double s = 0;
    for (int i = 0; i < 4; i++) {
        double e = 0;
        for (int j = 0; j < 6; j++)
            e += A[i][j] * (x[j] - P[i][j]) * (x[j] - P[i][j]);
        s += al[i] * exp(-e);
    }
    return -s;
}

static double rosenbrock4(const double *x)
{
    double s = 0;
    for (int i = 0; i < 3; i++)
        s += 100 * pow(x[i + 1] - x[i] * x[i], 2) + pow(x[i] - 1, 2);
    return s;
}

static double ackley_d(const double *x, int d)
{
    double s1 = 0, s2 = 0;
    for (int i = 0; i < d; i++) {
        s1 += x[i] * x[i];
        s2 += cos(2 * PI * x[i]);
    }
    return -20 * exp(-0.2 * sqrt(s1 / d)) - exp(s2 / d) + 20 + exp(1.0);
}

static double ackley5(const double *x) { return ackley_d(x, 5); }

static double levy6(const double *x)
{
    double w[6];
    for (int i = 0; i < 6; i++)
        w[i] = 1 + (x[i] - 1) / 4;
    double s = pow(sin(PI * w[0]), 2);
    for (int i = 0; i < 5; i++)
        s += pow(w[i] - 1, 2) * (1 + 10 * pow(sin(PI * w[i] + 1), 2));
    s += pow(w[5] - 1, 2) * (1 + pow(sin(2 * PI * w[5]), 2));
    return s;
}

static double styblinski4(const double *x)
{
    double s = 0;
    for (int i = 0; i < 4; i++)
        s += pow(x[i], 4) - 16 * x[i] * x[i] + 5 * x[i];
    return s / 2;
}

/* Mixed Branin: a categorical c of 5 values flips the domain differently
 * and adds an offset, so the good x depend on c.  Minimum 0.397887 (c = 1). */
static double branin_mixed(const double *x)
{
    static const double offset[5] = {1.0, 0.0, 2.5, 0.5, 1.5};
    int c = (int)x[2];
    double y[2] = {x[0], x[1]};
    if (c == 1 || c == 3)
        y[0] = 5 - x[0];
    if (c == 2 || c == 3)
        y[1] = 15 - x[1];
    return branin(y) + offset[c];
}

/* Mixed Hartmann6: x1..x4 continuous, x5 an int 0..10 (read as x5 / 10),
 * x6 a categorical of 6 values standing for 0, 0.2, ..., 1 in shuffled
 * order.  Minimum computed by hartmann_mixed_optimum(). */
static const double h6_levels[6] = {0.6, 0.0, 1.0, 0.2, 0.8, 0.4};
static double hartmann_mixed(const double *x)
{
    double y[6] = {x[0], x[1], x[2], x[3], x[4] / 10, h6_levels[(int)x[5]]};
    return hartmann6(y);
}

/* Noisy Hartmann6: the observation has noise of std 0.05 + 0.3 x1 (heavier
 * at one edge), which the trial reports in its value_std. */
static double noise_std_h6(const double *x) { return 0.05 + 0.3 * x[0]; }

enum kind { FLOAT_P, INT_P, CAT_P };

struct func {
    const char *name;
    int d;
    double (*f)(const double *);
    double lo, hi;       /* the same box for every float coordinate */
    double fmin;         /* NAN: computed */
    int mixed;           /* 1: branin_mixed layout, 2: hartmann_mixed layout */
    double (*noise)(const double *);
    double report;       /* the value_std a trial reports, as a multiple of its noise */
};

static double hartmann_mixed_optimum(void);

static struct func funcs[] = {
    {"branin", 2, branin, 0, 0, 0.397887357729738, 0, NULL, 0},
    {"hartmann6", 6, hartmann6, 0, 1, -3.32236801141551, 0, NULL, 0},
    {"rosenbrock4", 4, rosenbrock4, -5, 10, 0, 0, NULL, 0},
    {"ackley5", 5, ackley5, -32.768, 32.768, 0, 0, NULL, 0},
    {"levy6", 6, levy6, -10, 10, 0, 0, NULL, 0},
    {"styblinski_tang4", 4, styblinski4, -5, 5, -156.66466281508195, 0, NULL, 0},
    {"branin_mixed", 3, branin_mixed, 0, 0, 0.397887357729738, 1, NULL, 0},
    {"hartmann6_mixed", 6, hartmann_mixed, 0, 1, NAN, 2, NULL, 0},
    /* value_std is the noise's std; in _cv it is sqrt(5) times that, as the
     * spread over 5 folds is sqrt(5) times the standard error of their mean */
    {"hartmann6_noisy", 6, hartmann6, 0, 1, -3.32236801141551, 0, noise_std_h6, 1},
    {"hartmann6_noisy_cv", 6, hartmann6, 0, 1, -3.32236801141551, 0, noise_std_h6,
     2.2360679774997897},
};
#define N_FUNCS (sizeof funcs / sizeof funcs[0])

static char *cat_names[6] = {"a", "b", "c", "d", "e", "f"};

/* The function's space; params must hold d entries. */
static void make_space(const struct func *fn, struct tune_param *ps, struct tune_space *sp)
{
    static char names[MAXD][16];
    memset(ps, 0, (size_t)fn->d * sizeof *ps);
    for (int i = 0; i < fn->d; i++) {
        snprintf(names[i], sizeof names[i], "x%d", i + 1);
        ps[i].name = names[i];
        ps[i].type = TUNE_PARAM_FLOAT;
        ps[i].low = fn->lo;
        ps[i].high = fn->hi;
    }
    if (strcmp(fn->name, "branin") == 0 || fn->mixed == 1) {
        ps[0].low = -5;
        ps[0].high = 10;
        ps[1].low = 0;
        ps[1].high = 15;
    }
    if (fn->mixed == 1) {
        ps[2].type = TUNE_PARAM_CATEGORICAL;
        ps[2].n_values = 5;
        ps[2].values = cat_names;
    }
    if (fn->mixed == 2) {
        ps[4].type = TUNE_PARAM_INT;
        ps[4].low = 0;
        ps[4].high = 10;
        ps[5].type = TUNE_PARAM_CATEGORICAL;
        ps[5].n_values = 6;
        ps[5].values = cat_names;
    }
    sp->n = (size_t)fn->d;
    sp->params = ps;
}

static const struct func *find_func(const char *name)
{
    for (size_t i = 0; i < N_FUNCS; i++)
        if (strcmp(funcs[i].name, name) == 0) {
            if (isnan(funcs[i].fmin))
                funcs[i].fmin = hartmann_mixed_optimum();
            return &funcs[i];
        }
    return NULL;
}

/* --- the mixed Hartmann optimum: every discrete combination, BOBYQA from
 * 12 starts over the four continuous coordinates. */
struct hm_ctx {
    double x5, x6;
};

static double hm_obj(unsigned n, const double *x, double *grad, void *data)
{
    (void)n;
    (void)grad;
    const struct hm_ctx *c = data;
    double y[6] = {x[0], x[1], x[2], x[3], c->x5, c->x6};
    return hartmann6(y);
}

static double hartmann_mixed_optimum(void)
{
    double best = HUGE_VAL, lo[4] = {0, 0, 0, 0}, hi[4] = {1, 1, 1, 1};
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 12345);
    nlopt_opt opt = nlopt_create(NLOPT_LN_BOBYQA, 4);
    nlopt_set_lower_bounds(opt, lo);
    nlopt_set_upper_bounds(opt, hi);
    nlopt_set_xtol_rel(opt, 1e-10);
    nlopt_set_maxeval(opt, 4000);
    for (int i5 = 0; i5 <= 10; i5++)
        for (int i6 = 0; i6 < 6; i6++) {
            struct hm_ctx c = {i5 / 10.0, h6_levels[i6]};
            nlopt_set_min_objective(opt, hm_obj, &c);
            for (int s = 0; s < 12; s++) {
                double x[4], f;
                for (int k = 0; k < 4; k++)
                    x[k] = gsl_rng_uniform(rng);
                nlopt_optimize(opt, x, &f);
                if (f < best)
                    best = f;
            }
        }
    nlopt_destroy(opt);
    gsl_rng_free(rng);
    return best;
}

/* --- strategies ----------------------------------------------------------- */

struct strategy {
    const struct tune_searcher_type *type;
    char opts[256];   /* the "search" options as JSON text */
    struct tune_bayes_model model;
    size_t workers;   /* asynchronous workers: the last workers-1 trials still run */
    int prune;        /* 0 none, 1 median (PRUNED in the history), 2 median, dropped */
};

/* Append one "key": value member to s->opts. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void option(struct strategy *s, const char *fmt, ...)
{
    size_t len = strlen(s->opts);
    if (len > 1)
        len += (size_t)snprintf(s->opts + len, sizeof s->opts - len, ", ");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->opts + len, sizeof s->opts - len, fmt, ap);
    va_end(ap);
}

static int parse_strategy(const char *name, const char *model, struct strategy *s)
{
    memset(s, 0, sizeof *s);
    s->workers = 1;
    strcpy(s->opts, "{");
    tune_bayes_model_default(&s->model);
    if (strcmp(name, "random") == 0)
        s->type = &tune_searcher_random;
    else if (strcmp(name, "sobol") == 0)
        s->type = &tune_searcher_sobol;
    else if (strncmp(name, "bayes-", 6) == 0) {
        s->type = &tune_searcher_bayes;
        const char *a = name + 6;
        option(s, "\"acquisition\": \"%s\"",
               strncmp(a, "ucb", 3) == 0  ? "ucb"
               : strncmp(a, "pi", 2) == 0 ? "pi"
                                          : "ei");
        if (strstr(a, "-rbf"))
            option(s, "\"kernel\": \"rbf\"");
    } else
        return -1;
    if (model && *model) {
        char buf[256];
        snprintf(buf, sizeof buf, "%s", model);
        for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
            int v = atoi(strchr(tok, '=') ? strchr(tok, '=') + 1 : "1");
            if (strncmp(tok, "yj=", 3) == 0)
                s->model.yeo_johnson = v;
            else if (strncmp(tok, "warp=", 5) == 0)
                s->model.warping = v;
            else if (strncmp(tok, "hamming=", 8) == 0)
                s->model.hamming = v;
            else if (strncmp(tok, "noise=", 6) == 0)
                s->model.per_trial_noise = v;
            else if (strncmp(tok, "additive=", 9) == 0)
                s->model.additive = v;
            else if (strncmp(tok, "fantasize=", 10) == 0)
                s->model.fantasize = v;
            else if (strncmp(tok, "pruned=", 7) == 0)
                s->model.pruned = v;
            else if (strncmp(tok, "max_rows=", 9) == 0) /* 0: every observation */
                s->model.max_rows = v > 0 ? (size_t)v : SIZE_MAX;
            else if (strcmp(tok, "prune=median") == 0)
                s->prune = 1;
            else if (strcmp(tok, "prune=drop") == 0)
                s->prune = 2;
            else if (strncmp(tok, "workers=", 8) == 0)
                s->workers = v > 0 ? (size_t)v : 1;
            else if (strncmp(tok, "init=", 5) == 0)
                option(s, "\"initial_points\": %d", v);
            else if (strncmp(tok, "xi=", 3) == 0)
                option(s, "\"xi\": %s", tok + 3);
            else if (strncmp(tok, "kappa=", 6) == 0)
                option(s, "\"kappa\": %s", tok + 6);
            else
                return -1;
        }
    }
    strcat(s->opts, "}");
    return 0;
}

static void *strategy_new(const struct strategy *s, const struct tune_space *sp, uint64_t seed)
{
    void *state = s->type->state_size ? calloc(1, s->type->state_size) : NULL;
    struct tune_error err;
    struct tune_search_options opts = {s->opts, seed};
    if (s->type->init && s->type->init(state, sp, &opts, &err) != TUNE_OK) {
        fprintf(stderr, "init: %s\n", err.msg);
        exit(1);
    }
    if (s->type == &tune_searcher_bayes)
        tune_bayes_set_model(state, &s->model);
    return state;
}

static void strategy_free(const struct strategy *s, void *state)
{
    if (s->type->release)
        s->type->release(state);
    free(state);
}

struct history {
    size_t n, d;
    double *points, *values;
    unsigned char *pruned;
    double *estimate;   /* a pruned trial's value as the searcher sees it */
    struct tune_history_entry *e;
};

static void history_init(struct history *h, size_t cap, size_t d)
{
    h->n = 0;
    h->d = d;
    h->points = malloc(cap * d * sizeof *h->points);
    h->values = malloc(cap * sizeof *h->values);
    h->pruned = calloc(cap, 1);
    h->estimate = calloc(cap, sizeof *h->estimate);
    h->e = malloc(cap * sizeof *h->e);
}

static void history_add(struct history *h, const double *pt, double value, double std)
{
    memcpy(&h->points[h->n * h->d], pt, h->d * sizeof *pt);
    h->values[h->n] = value;
    h->e[h->n] = (struct tune_history_entry){.number = (int)h->n,
                                             .state = TUNE_TRIAL_COMPLETE,
                                             .point = &h->points[h->n * h->d],
                                             .value = value,
                                             .value_std = std};
    h->n++;
}

static int suggest(const struct strategy *s, void *state, const struct tune_space *sp,
                   struct history *h, uint64_t seed, size_t seq, gsl_rng *rng, double *pt)
{
    /* with W workers, the W-1 latest trials have not finished yet */
    for (size_t i = 0; i < h->n; i++) {
        int running = i + s->workers > h->n;
        h->e[i].state = running       ? TUNE_TRIAL_RUNNING
                        : h->pruned[i] ? TUNE_TRIAL_PRUNED
                                       : TUNE_TRIAL_COMPLETE;
        h->e[i].value = running ? NAN : h->pruned[i] ? h->estimate[i] : h->values[i];
    }
    struct tune_history hist = {.n = h->n, .entries = h->e, .number = -1};
    struct tune_error err;
    gsl_rng_set(rng, (unsigned long)mix64(seed ^ mix64((uint64_t)seq + 0x5eed)));
    int rc = s->type->suggest(state, sp, &hist, seq, rng, pt, &err);
    if (rc)
        fprintf(stderr, "suggest seq %zu: %s\n", seq, err.msg);
    return rc;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int cmd_run(int argc, char **argv)
{
    if (argc < 7)
        return 2;
    const struct func *fn = find_func(argv[2]);
    struct strategy s;
    if (!fn || parse_strategy(argv[3], argc > 7 ? argv[7] : NULL, &s)) {
        fprintf(stderr, "unknown function or strategy\n");
        return 2;
    }
    long seed0 = atol(argv[4]), seeds = atol(argv[5]);
    size_t budget = (size_t)atol(argv[6]);
    struct tune_param ps[MAXD];
    struct tune_space sp;
    make_space(fn, ps, &sp);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng *noise_rng = gsl_rng_alloc(gsl_rng_mt19937);
    for (long k = 0; k < seeds; k++) {
        uint64_t seed = (uint64_t)(seed0 + k);
        gsl_rng_set(noise_rng, (unsigned long)mix64(seed + 777));
        void *state = strategy_new(&s, &sp, seed);
        struct history h;
        history_init(&h, budget, sp.n);
        double pt[MAXD], best_obs = HUGE_VAL, best_true = HUGE_VAL, secs = 0;
        printf("seed %ld", (long)seed);
        double *trace = malloc(budget * sizeof *trace);
        for (size_t seq = 0; seq < budget; seq++) {
            double t0 = now();
            if (suggest(&s, state, &sp, &h, seed, seq, rng, pt))
                return 1;
            secs += now() - t0;
            double f = fn->f(pt), obs = f, sd = 0;
            if (fn->noise) {
                sd = fn->noise(pt);
                obs = f + gsl_ran_gaussian(noise_rng, sd);
                sd *= fn->report;
            }
            /* the median rule on an early look at the trial; a pruned one's
             * estimate is the complete value at the rank of its early look
             * among theirs (each complete trial's early look drawn alike) */
            int pruned = 0;
            double estimate = NAN;
            if (s.prune) {
                double *done = malloc((h.n + 1) * sizeof *done);
                double *look = malloc((h.n + 1) * sizeof *look);
                size_t nd = 0;
                for (size_t i = 0; i < h.n; i++)
                    if (!h.pruned[i])
                        done[nd++] = h.values[i];
                if (nd >= 5) {
                    qsort(done, nd, sizeof *done, cmp_double);
                    double spread = done[(3 * nd) / 4] - done[nd / 4];
                    double sd = 0.25 * (spread > 0 ? spread : 1);
                    double early = obs + gsl_ran_gaussian(noise_rng, sd);
                    double med = nd % 2 ? done[nd / 2] : 0.5 * (done[nd / 2 - 1] + done[nd / 2]);
                    pruned = early > med;
                    size_t better = 0;
                    for (size_t i = 0; i < nd; i++) {
                        look[i] = done[i] + gsl_ran_gaussian(noise_rng, sd);
                        better += look[i] < early;
                    }
                    double pos = (double)better / (double)nd * (double)(nd - 1);
                    size_t lo = (size_t)pos;
                    estimate = lo + 1 < nd ? done[lo] + (pos - (double)lo) * (done[lo + 1] -
                                                                               done[lo])
                                           : done[nd - 1];
                }
                free(done);
                free(look);
            }
            if (pruned && s.prune == 2) {
                trace[seq] = best_true;
                continue; /* dropped: the searcher never hears of it */
            }
            history_add(&h, pt, obs, sd);
            h.pruned[h.n - 1] = (unsigned char)pruned;
            h.estimate[h.n - 1] = estimate;
            if (!pruned && obs < best_obs) {
                best_obs = obs;
                best_true = f;
            }
            trace[seq] = best_true;
        }
        printf(" ms %.3f best", 1e3 * secs / (double)budget);
        for (size_t i = 0; i < budget; i++)
            printf(" %.10g", trace[i]);
        printf("\n");
        fflush(stdout);
        free(trace);
        free(h.points);
        free(h.values);
        free(h.pruned);
        free(h.estimate);
        free(h.e);
        strategy_free(&s, state);
    }
    gsl_rng_free(rng);
    gsl_rng_free(noise_rng);
    return 0;
}


static int cmd_time(int argc, char **argv)
{
    if (argc < 5)
        return 2;
    int d = atoi(argv[2]);
    size_t n = (size_t)atol(argv[3]);
    int repeats = atoi(argv[4]);
    if (d < 1 || d > MAXD || repeats < 1)
        return 2;
    struct func fn = {"ackley", d, NULL, -32.768, 32.768, 0, 0, NULL, 0};
    struct tune_param ps[MAXD];
    struct tune_space sp;
    make_space(&fn, ps, &sp);
    struct strategy s;
    parse_strategy("bayes-ei", NULL, &s);
    double *cold = malloc((size_t)repeats * sizeof *cold);
    double *warm = malloc((size_t)repeats * sizeof *warm);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    for (int r = 0; r < repeats; r++) {
        struct history h;
        history_init(&h, n + 2, sp.n);
        double pt[MAXD];
        gsl_rng_set(rng, (unsigned long)(1000 + r));
        for (size_t i = 0; i < n; i++) {
            tune_space_sample(&sp, rng, pt);
            history_add(&h, pt, ackley_d(pt, d), 0);
        }
        void *state = strategy_new(&s, &sp, 7);
        double t0 = now();
        if (suggest(&s, state, &sp, &h, 7, n, rng, pt))
            return 1;
        cold[r] = now() - t0;
        history_add(&h, pt, ackley_d(pt, d), 0);
        t0 = now();
        if (suggest(&s, state, &sp, &h, 7, n + 1, rng, pt))
            return 1;
        warm[r] = now() - t0;
        strategy_free(&s, state);
        free(h.points);
        free(h.values);
        free(h.e);
    }
    qsort(cold, (size_t)repeats, sizeof *cold, cmp_double);
    qsort(warm, (size_t)repeats, sizeof *warm, cmp_double);
    printf("dim %d n %zu cold_ms %.3f warm_ms %.3f\n", d, n, 1e3 * cold[repeats / 2],
           1e3 * warm[repeats / 2]);
    gsl_rng_free(rng);
    free(cold);
    free(warm);
    return 0;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    if (argc >= 2 && strcmp(argv[1], "functions") == 0) {
        for (size_t i = 0; i < N_FUNCS; i++) {
            const struct func *fn = find_func(funcs[i].name);
            printf("%s %d %.15g\n", fn->name, fn->d, fn->fmin);
        }
        return 0;
    }
    if (argc >= 3 && strcmp(argv[1], "eval") == 0) {
        const struct func *fn = find_func(argv[2]);
        if (!fn || argc != 3 + fn->d)
            return 2;
        double x[MAXD];
        for (int i = 0; i < fn->d; i++)
            x[i] = strtod(argv[3 + i], NULL);
        printf("%.17g\n", fn->f(x));
        return 0;
    }
    int rc = 2;
    if (argc >= 2 && strcmp(argv[1], "run") == 0)
        rc = cmd_run(argc, argv);
    else if (argc >= 2 && strcmp(argv[1], "time") == 0)
        rc = cmd_time(argc, argv);
    if (rc == 2)
        fprintf(stderr, "usage: bayes_bench functions | eval FUNC X... | run FUNC STRATEGY SEED0 "
                        "SEEDS BUDGET [MODEL] | time DIM N REPEATS\n");
    return rc;
}
