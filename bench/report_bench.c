/* SPDX-License-Identifier: GPL-3.0-or-later */
/* report_bench.c — the driver of bench/bench_report.py: a synthetic study of
 * N trials written through the store API, then timed: the importances alone
 * (surrogate fit + fANOVA of every parameter and pair), and the whole
 * `tunefold report` (every picture rendered by gnuplot, the page).
 *
 * Usage: report_bench DB N OUT_DIR [SEED]
 * The study "synthetic-N" has five parameters over a known function with a
 * dominant log-scale parameter, an interacting pair, a categorical and an
 * inert bool:
 *   f = 1.5 * (log10 C - 1)^2 / 9 + 0.8 * [kernel = rbf] * (log10 gamma + 2)^2 / 9
 *       + 0.05 * depth + noise N(0, 0.02)
 * (minimised; shrink does nothing).  Prints one JSON line with the timings. */
#define _POSIX_C_SOURCE 200809L
#include "tunefold/tunefold.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char config[] =
    "{\"task\": \"regression\", \"search\": {\"strategy\": \"random\", \"seed\": 1}, "
    "\"space\": {"
    "\"C\": {\"type\": \"float\", \"low\": 0.001, \"high\": 1000, \"scale\": \"log\"},"
    "\"gamma\": {\"type\": \"float\", \"low\": 0.0001, \"high\": 10, \"scale\": \"log\"},"
    "\"depth\": {\"type\": \"int\", \"low\": 1, \"high\": 10},"
    "\"kernel\": {\"type\": \"categorical\", \"values\": [\"linear\", \"rbf\", \"poly\"]},"
    "\"shrink\": {\"type\": \"bool\"}},"
    "\"objective\": {\"metric\": \"mse\", \"direction\": \"minimize\"}}";

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* splitmix64 to a uniform in [0, 1) */
static double uniform(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return (double)(z >> 11) / 9007199254740992.0;
}

static void die(const char *what, const struct tune_error *err)
{
    fprintf(stderr, "report_bench: %s: %s\n", what, err->msg);
    exit(1);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: report_bench DB N OUT_DIR [SEED]\n");
        return 2;
    }
    tune_init();
    const char *db = argv[1], *out = argv[3];
    size_t n = (size_t)strtoul(argv[2], NULL, 10);
    uint64_t seed = argc > 4 ? strtoull(argv[4], NULL, 10) : 7;
    struct tune_store *store = NULL;
    struct tune_error err = {0};
    struct tune_study_info info = {0};
    char name[64];
    snprintf(name, sizeof name, "synthetic-%zu", n);
    if (tune_store_open(db, &store, &err))
        die("open", &err);
    int created = 0;
    if (tune_store_study_create_or_load(store, name, config, "mse", 0, &info, &created, &err))
        die("study", &err);
    static const char *const kernels[] = {"linear", "rbf", "poly"};
    double t0 = now();
    for (size_t i = 0; created && i < n; i++) {
        int number = -1, seq = -1;
        double lc = -3 + 6 * uniform(&seed), lg = -4 + 5 * uniform(&seed);
        int depth = 1 + (int)(10 * uniform(&seed)), k = (int)(3 * uniform(&seed));
        int shrink = uniform(&seed) < 0.5;
        /* Box-Muller noise */
        double u1 = uniform(&seed) + 1e-300, u2 = uniform(&seed);
        double noise = 0.02 * sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
        double f = 1.5 * (lc - 1) * (lc - 1) / 9 + 0.8 * (k == 1) * (lg + 2) * (lg + 2) / 9 +
                   0.05 * depth + noise;
        char params[256];
        snprintf(params, sizeof params,
                 "{\"C\": %.17g, \"gamma\": %.17g, \"depth\": %d, \"kernel\": \"%s\", "
                 "\"shrink\": %s}",
                 pow(10, lc), pow(10, lg), depth, kernels[k], shrink ? "true" : "false");
        struct tune_trial_result res = {.state = TUNE_TRIAL_COMPLETE,
                                        .value = f,
                                        .value_std = NAN,
                                        .fit_seconds = 0.01,
                                        .predict_seconds = 0.001};
        if (tune_store_trial_claim(store, info.id, TUNE_ORIGIN_SEARCH, n, &number, &seq, &err) ||
            tune_store_trial_set_params(store, info.id, number, params, &err) ||
            tune_store_trial_finish(store, info.id, number, &res, &err))
            die("trial", &err);
    }
    double t_write = now() - t0;

    struct tune_trial *trials = NULL;
    size_t nt = 0;
    if (tune_store_trial_page(store, info.id, 0, SIZE_MAX, 0, &trials, &nt, &err))
        die("read", &err);
    struct tune_param_importance imp;
    t0 = now();
    if (tune_param_importance_compute(&info, trials, nt, &imp, &err))
        die("importance", &err);
    double t_imp = now() - t0;

    struct tune_plot_opts po = {.out_dir = out};
    struct tune_plot_log log = {0};
    t0 = now();
    if (tune_report_study(store, &info, &po, &log, &err) && err.code != TUNE_ENOTFOUND)
        die("report", &err);
    double t_report = now() - t0;

    printf("{\"study\": \"%s\", \"trials\": %zu, \"write_seconds\": %.4f, "
           "\"importance_seconds\": %.4f, \"report_seconds\": %.4f, \"pictures\": %zu, "
           "\"rendered\": %zu, \"importance\": {",
           name, nt, t_write, t_imp, t_report, log.n_images, log.n_rendered);
    for (size_t i = 0; i < imp.n; i++)
        printf("%s\"%s\": %.6f", i ? ", " : "", imp.names[i], imp.importance[i]);
    printf("}}\n");
    tune_param_importance_release(&imp);
    tune_plot_log_release(&log);
    tune_trials_free(trials, nt);
    tune_study_info_release(&info);
    tune_store_close(store);
    return 0;
}
