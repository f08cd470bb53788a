/* SPDX-License-Identifier: GPL-3.0-or-later */
/* search_bench.c — the searchers on the problems of issue 20, driven as
 * src/study.c drives them (driven by bench_search.py).
 *
 *   search_bench eval PROBLEM x1 x2 ...
 *       the problem's objectives and slacks at one point, for cross-checking
 *       the Python copies: "f1 [f2] | s1" (%.17g).
 *   search_bench run PROBLEM STRATEGY SEED0 SEEDS BUDGET [MODEL]
 *       STRATEGY: random, bayes.  MODEL (bayes only), comma-separated:
 *       split=0|1 (per-choice sub-models), ehvi=0|1, rank=0|1 (ParEGO's
 *       normalization by rank), init=N, choice=ei|model (the
 *       "trainer_choice" option).
 *       For each seed one line "seed S ms M" then every trial as
 *       " f1[,f2][;s1]", in trial order.
 *
 * Problems (minimized):
 *   zdt1      ZDT1 with 4 inputs in [0, 1]: f1 = x1, g = 1 + 9 mean(x2..x4),
 *             f2 = g (1 - sqrt(f1 / g)); two objectives.
 *   cbranin   Branin on [-5, 10] x [0, 15] subject to
 *             (x1 - 2.5)^2 + (x2 - 7.5)^2 <= 50 (slack: the left side - 50):
 *             two of Branin's three minima lie outside; the optimum
 *             0.397887 is at (pi, 2.275).
 *   gardner   Gardner et al. (ICML 2014), section 4.1: f = cos(2 x1) cos(x2)
 *             + sin(x1) on [0, 6]^2 subject to cos(x1) cos(x2) - sin(x1)
 *             sin(x2) <= 0.5.
 *   cond      a conditional space like a choice of four trainers: m in
 *             {a, b, c, d}, each with its own parameters (2, 3, 4, 1):
 *               a: Branin(x) / 50 + 0.2       (x scaled to Branin's box)
 *               b: sum (x_i - 0.3)^2 + 0.1    (3 in [0, 1])
 *               c: 2 sum (x_i - c_i)^2, c = (.2 .8 .5 .3)
 *               d: (x - 0.8)^2 + 0.3
 *             the optimum 0 is in c, the branch of the most parameters.
 *             SEARCH_BENCH_PERM="2013" puts branch c on the choice's
 *             first value, a on the second, and so on. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_errno.h>

#include "searchers/bayes.h"
#include "tunefold/searcher.h"

#define MAXD 12

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static double branin(double x1, double x2)
{
    const double pi = 3.14159265358979323846;
    double a = x2 - 5.1 / (4 * pi * pi) * x1 * x1 + 5 / pi * x1 - 6;
    return a * a + 10 * (1 - 1 / (8 * pi)) * cos(x1) + 10;
}

struct problem {
    const char *name;
    size_t k, c;   /* objectives, constraints */
    void (*f)(const double *x, double *obj, double *slack);
    void (*space)(struct tune_param *ps, struct tune_space *sp);
};

static struct tune_param fparam(const char *name, double low, double high)
{
    struct tune_param p = {0};
    p.name = (char *)name;
    p.type = TUNE_PARAM_FLOAT;
    p.low = low;
    p.high = high;
    return p;
}

static void zdt1(const double *x, double *obj, double *slack)
{
    (void)slack;
    double g = 1 + 9 * (x[1] + x[2] + x[3]) / 3;
    obj[0] = x[0];
    obj[1] = g * (1 - sqrt(x[0] / g));
}

static void zdt1_space(struct tune_param *ps, struct tune_space *sp)
{
    static const char *names[4] = {"x1", "x2", "x3", "x4"};
    for (int i = 0; i < 4; i++)
        ps[i] = fparam(names[i], 0, 1);
    *sp = (struct tune_space){4, ps};
}

static void cbranin(const double *x, double *obj, double *slack)
{
    obj[0] = branin(x[0], x[1]);
    slack[0] = (x[0] - 2.5) * (x[0] - 2.5) + (x[1] - 7.5) * (x[1] - 7.5) - 50;
}

static void cbranin_space(struct tune_param *ps, struct tune_space *sp)
{
    ps[0] = fparam("x1", -5, 10);
    ps[1] = fparam("x2", 0, 15);
    *sp = (struct tune_space){2, ps};
}

static void gardner(const double *x, double *obj, double *slack)
{
    obj[0] = cos(2 * x[0]) * cos(x[1]) + sin(x[0]);
    slack[0] = cos(x[0]) * cos(x[1]) - sin(x[0]) * sin(x[1]) - 0.5;
}

static void gardner_space(struct tune_param *ps, struct tune_space *sp)
{
    ps[0] = fparam("x1", 0, 6);
    ps[1] = fparam("x2", 0, 6);
    *sp = (struct tune_space){2, ps};
}

static char *cond_models[] = {"a", "b", "c", "d"};
static double cond_when[4] = {0, 1, 2, 3};

/* The branch of the choice's value k: k itself, or with SEARCH_BENCH_PERM
 * set to four digits (e.g. "2013"), digit k, so that the same problem can be
 * run with its branches in another order of the choice's values. */
static int cond_branch(int k)
{
    const char *p = getenv("SEARCH_BENCH_PERM");
    return p && strlen(p) == 4 && k >= 0 && k < 4 ? p[k] - '0' : k;
}

static void cond(const double *x, double *obj, double *slack)
{
    (void)slack;
    static const double cc[4] = {0.2, 0.8, 0.5, 0.3};
    switch (cond_branch((int)x[0])) {
    case 0:
        obj[0] = branin(-5 + 15 * x[1], 15 * x[2]) / 50 + 0.2;
        return;
    case 1:
        obj[0] = 0.1;
        for (int i = 0; i < 3; i++)
            obj[0] += (x[3 + i] - 0.3) * (x[3 + i] - 0.3);
        return;
    case 2: {
        double s = 0;
        for (int i = 0; i < 4; i++)
            s += (x[6 + i] - cc[i]) * (x[6 + i] - cc[i]);
        obj[0] = 2 * s;
        return;
    }
    default:
        obj[0] = (x[10] - 0.8) * (x[10] - 0.8) + 0.3;
    }
}

static void cond_space(struct tune_param *ps, struct tune_space *sp)
{
    memset(ps, 0, 11 * sizeof *ps);
    ps[0].name = "m";
    ps[0].type = TUNE_PARAM_CATEGORICAL;
    ps[0].n_values = 4;
    ps[0].values = cond_models;
    static const char *names[10] = {"a1", "a2", "b1", "b2", "b3", "c1", "c2", "c3", "c4", "d1"};
    static const int owner[10] = {0, 0, 1, 1, 1, 2, 2, 2, 2, 3};
    for (int i = 0; i < 10; i++) {
        ps[1 + i] = fparam(names[i], 0, 1);
        ps[1 + i].n_when = 1;
        int value = owner[i]; /* the choice's value whose branch owns it */
        for (int k = 0; k < 4; k++)
            if (cond_branch(k) == owner[i])
                value = k;
        ps[1 + i].when_values = &cond_when[value];
    }
    *sp = (struct tune_space){11, ps};
}

static const struct problem problems[] = {
    {"zdt1", 2, 0, zdt1, zdt1_space},
    {"cbranin", 1, 1, cbranin, cbranin_space},
    {"gardner", 1, 1, gardner, gardner_space},
    {"cond", 1, 0, cond, cond_space},
};

static const struct problem *find(const char *name)
{
    for (size_t i = 0; i < sizeof problems / sizeof problems[0]; i++)
        if (strcmp(problems[i].name, name) == 0)
            return &problems[i];
    return NULL;
}

struct strategy {
    const struct tune_searcher_type *type;
    char opts[256];
    struct tune_bayes_model model;
};

static int parse_strategy(const char *name, const char *model, struct strategy *s)
{
    memset(s, 0, sizeof *s);
    strcpy(s->opts, "{}");
    tune_bayes_model_default(&s->model);
    if (strcmp(name, "random") == 0)
        s->type = &tune_searcher_random;
    else if (strcmp(name, "bayes") == 0)
        s->type = &tune_searcher_bayes;
    else
        return -1;
    if (model && *model) {
        char buf[256];
        int init = 0;
        const char *choice = NULL;
        snprintf(buf, sizeof buf, "%s", model);
        for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
            int v = atoi(strchr(tok, '=') ? strchr(tok, '=') + 1 : "1");
            if (strncmp(tok, "split=", 6) == 0)
                s->model.split = v;
            else if (strncmp(tok, "ehvi=", 5) == 0)
                s->model.ehvi = v;
            else if (strncmp(tok, "rank=", 5) == 0)
                s->model.parego_rank = v;
            else if (strncmp(tok, "init=", 5) == 0)
                init = v;
            else if (strcmp(tok, "choice=model") == 0 || strcmp(tok, "choice=ei") == 0)
                choice = strcmp(tok, "choice=ei") == 0 ? "ei" : "model";
            else
                return -1;
        }
        /* the study file's options: initial_points, trainer_choice */
        int n = snprintf(s->opts, sizeof s->opts, "{");
        if (init)
            n += snprintf(s->opts + n, sizeof s->opts - (size_t)n, "\"initial_points\": %d%s",
                          init, choice ? ", " : "");
        if (choice)
            n += snprintf(s->opts + n, sizeof s->opts - (size_t)n, "\"trainer_choice\": \"%s\"",
                          choice);
        snprintf(s->opts + n, sizeof s->opts - (size_t)n, "}");
    }
    return 0;
}

static int cmd_eval(int argc, char **argv)
{
    const struct problem *p = argc > 2 ? find(argv[2]) : NULL;
    if (!p)
        return 2;
    double x[MAXD] = {0}, obj[2], slack[2];
    for (int i = 3; i < argc && i - 3 < MAXD; i++)
        x[i - 3] = strtod(argv[i], NULL);
    p->f(x, obj, slack);
    for (size_t j = 0; j < p->k; j++)
        printf("%s%.17g", j ? " " : "", obj[j]);
    for (size_t j = 0; j < p->c; j++)
        printf(" | %.17g", slack[j]);
    printf("\n");
    return 0;
}

static int cmd_run(int argc, char **argv)
{
    if (argc < 7)
        return 2;
    const struct problem *p = find(argv[2]);
    struct strategy s;
    if (!p || parse_strategy(argv[3], argc > 7 ? argv[7] : NULL, &s)) {
        fprintf(stderr, "unknown problem, strategy or model\n");
        return 2;
    }
    long seed0 = atol(argv[4]), seeds = atol(argv[5]);
    size_t budget = (size_t)atol(argv[6]);
    struct tune_param ps[MAXD];
    struct tune_space sp;
    p->space(ps, &sp);
    size_t d = sp.n;
    int maximize[2] = {0, 0};
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    double *points = malloc(budget * d * sizeof *points);
    double *obj = malloc(budget * 2 * sizeof *obj), *slack = malloc(budget * 2 * sizeof *slack);
    struct tune_history_entry *e = calloc(budget, sizeof *e);
    for (long k = 0; k < seeds; k++) {
        uint64_t seed = (uint64_t)(seed0 + k);
        void *state = s.type->state_size ? calloc(1, s.type->state_size) : NULL;
        struct tune_error err;
        struct tune_search_options o = {s.opts, seed};
        if (s.type->init && s.type->init(state, &sp, &o, &err)) {
            fprintf(stderr, "init: %s\n", err.msg);
            return 1;
        }
        if (s.type == &tune_searcher_bayes)
            tune_bayes_set_model(state, &s.model);
        double secs = 0;
        for (size_t seq = 0; seq < budget; seq++) {
            struct tune_history h = {.n = seq, .entries = e, .number = -1,
                                     .n_objectives = p->k, .objective_maximize = maximize,
                                     .n_constraints = p->c};
            double *pt = &points[seq * d];
            gsl_rng_set(rng, (unsigned long)mix64(seed ^ mix64((uint64_t)seq + 0x5eed)));
            double t0 = now();
            if (s.type->suggest(state, &sp, &h, seq, rng, pt, &err)) {
                fprintf(stderr, "suggest seq %zu: %s\n", seq, err.msg);
                return 1;
            }
            secs += now() - t0;
            p->f(pt, &obj[seq * 2], &slack[seq * 2]);
            double violation = 0;
            for (size_t j = 0; j < p->c; j++)
                violation += slack[seq * 2 + j] > 0 ? slack[seq * 2 + j] : 0;
            e[seq] = (struct tune_history_entry){.number = (int)seq,
                                                 .state = TUNE_TRIAL_COMPLETE,
                                                 .point = pt,
                                                 .value = obj[seq * 2],
                                                 .objectives = p->k > 1 ? &obj[seq * 2] : NULL,
                                                 .slack = p->c ? &slack[seq * 2] : NULL,
                                                 .violation = violation};
        }
        printf("seed %ld ms %.3f", (long)seed, 1e3 * secs / (double)budget);
        for (size_t i = 0; i < budget; i++) {
            printf(" %.10g", obj[i * 2]);
            if (p->k > 1)
                printf(",%.10g", obj[i * 2 + 1]);
            for (size_t j = 0; j < p->c; j++)
                printf(";%.10g", slack[i * 2 + j]);
        }
        printf("\n");
        fflush(stdout);
        if (s.type->release)
            s.type->release(state);
        free(state);
    }
    free(points);
    free(obj);
    free(slack);
    free(e);
    gsl_rng_free(rng);
    return 0;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    if (argc >= 2 && strcmp(argv[1], "eval") == 0)
        return cmd_eval(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "run") == 0)
        return cmd_run(argc, argv);
    fprintf(stderr, "usage: search_bench eval PROBLEM X... | run PROBLEM STRATEGY SEED0 SEEDS "
                    "BUDGET [MODEL]\n");
    return 2;
}
