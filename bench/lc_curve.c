/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lc_curve.c — the learning-curve benchmark's "model": an external program in
 * score mode whose learning curves cross, the case early stopping gets
 * wrong most easily.  Fast starters (a large effective learning rate) drop
 * at once and plateau high; slower ones start worse and end lower, up to a
 * point: a rate too small has not converged by the last step.
 *
 *   lc_curve --lr=L --batch=B --width=W --dropout=D --h1=.. --h6=..
 *       (L in [1e-3, 1], the others in [0, 1]) prints
 *       {"step": t, "value": loss(t) + noise} for t = 1 .. 81, then
 *       {"objective": loss(81)} (the objective is noise-free);
 *   lc_curve --optimum
 *       prints the smallest objective over the space (to 1e-9) and the
 *       effective rate u that reaches it.
 *
 *   u = (log10 L + 3) / 3 + 0.3 (B - 0.5), clipped to [0, 1]: the effective
 *       rate (a larger batch takes a larger rate: a ridge in (L, B))
 *   tau(u) = 0.4 + 2.5 (1 - u)^2                    (steps to fall by e)
 *   plateau = 0.15 + 0.5 (u - 0.35)^2 + 0.06 (hartmann6(h) + 3.32237)
 *             + 0.25 (W - 0.6)^2 + 0.2 (D - 0.3)^2 (1 + u)
 *   loss(t) = plateau + exp(-t / tau)
 * Hartmann6 is the classic 6-D test function (minimum -3.32237 at one
 * point, several local minima), so 10 parameters in all.  The curves cross
 * within the first steps: a rate of 1 leads every trial at step 1 and 2 and
 * ends above 0.36; the best configurations lead from step 3 or 4.  The
 * noise, 0.02 standard deviations, is a hash of the parameters and t: the
 * same trial prints the same curve under tunefold and under Optuna.  The
 * optimum is 0.15 (u = 0.35, Hartmann6 at its minimum, W = 0.6, D = 0.3). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STEPS 81
#define NP 10

static const char *const names[NP] = {"lr", "batch", "width", "dropout", "h1",
                                      "h2", "h3",    "h4",    "h5",      "h6"};

static double arg(int argc, char **argv, const char *name, double def)
{
    size_t n = strlen(name);
    for (int i = 1; i < argc; i++)
        if (strncmp(argv[i], "--", 2) == 0 && strncmp(argv[i] + 2, name, n) == 0 &&
            argv[i][2 + n] == '=')
            return strtod(argv[i] + 3 + n, NULL);
    return def;
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
        s -= al[i] * exp(-e);
    }
    return s;
}

/* u: the effective rate; h: Hartmann6's excess over its minimum */
static double loss(double u, double h, double w, double d, double t)
{
    double tau = 0.4 + 2.5 * (1 - u) * (1 - u);
    double plateau = 0.15 + 0.5 * (u - 0.35) * (u - 0.35) + 0.06 * (h > 0 ? h : 0) +
                     0.25 * (w - 0.6) * (w - 0.6) + 0.2 * (d - 0.3) * (d - 0.3) * (1 + u);
    return plateau + exp(-t / tau);
}

static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* A standard normal draw from the hash of the trial and the step. */
static double noise(const double *v, int t)
{
    uint64_t h = 0;
    for (int i = 0; i < NP; i++) {
        uint64_t b;
        memcpy(&b, &v[i], sizeof b);
        h = mix(h ^ b);
    }
    h = mix(h ^ (uint64_t)t);
    double u1 = ((double)(h >> 11) + 0.5) / 9007199254740992.0;
    double u2 = ((double)(mix(h) >> 11) + 0.5) / 9007199254740992.0;
    return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--optimum") == 0) {
        /* Hartmann6 at its minimum, W = 0.6, D = 0.3 zero their terms; then
         * a fine search over u (every u is reachable) */
        double best = HUGE_VAL, bu = 0;
        for (int i = 0; i <= 1000000; i++) {
            double u = i / 1e6, v = loss(u, 0, 0.6, 0.3, STEPS);
            if (v < best) {
                best = v;
                bu = u;
            }
        }
        printf("%.12g %.12g\n", best, bu);
        return 0;
    }
    double v[NP];
    for (int i = 0; i < NP; i++)
        v[i] = arg(argc, argv, names[i], i == 0 ? 0.01 : 0.5);
    double u = (log10(v[0]) + 3) / 3 + 0.3 * (v[1] - 0.5);
    u = u < 0 ? 0 : u > 1 ? 1 : u;
    double h = hartmann6(v + 4) + 3.32236801141551;
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int t = 1; t <= STEPS; t++)
        printf("{\"step\": %d, \"value\": %.10g}\n", t,
               loss(u, h, v[2], v[3], t) + 0.02 * noise(v, t));
    printf("{\"objective\": %.12g}\n", loss(u, h, v[2], v[3], STEPS));
    return 0;
}
