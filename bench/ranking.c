/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ranking.c — time tune_metric_roc_auc and tune_metric_average_precision on
 * N scores (built by bench_ranking.py against lib/libtunefold.a).
 *
 * The data are drawn here with SplitMix64 (seeded, so every run has the same
 * rows): truth positive with probability 3/10; score = a noisy function of
 * the truth, either at full precision (almost no ties) or rounded to three
 * decimals (every score tied with thousands of others).  With DUMP given,
 * the truth (int32) and the scores (float64) are also written to DUMP.y and
 * DUMP.s, native byte order, for the reference tool to read the same rows.
 *
 * Prints one line per metric: its value (%.17g) and the best wall-clock
 * seconds of REPEATS calls — the best, not the mean, because the question
 * is what the metric costs, not how busy the machine was. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tunefold/metrics.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static int dump(const char *prefix, const char *ext, const void *data, size_t size, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s.%s", prefix, ext);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, size, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "ranking: cannot write %s\n", path);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: ranking N REPEATS full|tied [DUMP]\n");
        return 2;
    }
    size_t n = (size_t)strtoull(argv[1], NULL, 10);
    int repeats = atoi(argv[2]);
    int tied = strcmp(argv[3], "tied") == 0;
    int *truth = malloc(n * sizeof *truth);
    double *score = malloc(n * sizeof *score);
    if (!truth || !score || n == 0) {
        fprintf(stderr, "ranking: out of memory for %zu rows\n", n);
        return 1;
    }
    uint64_t state = 20240611;
    for (size_t i = 0; i < n; i++) {
        truth[i] = splitmix(&state) % 10 < 3;
        /* Uniform in [0, 1) from 53 random bits, shifted up for positives. */
        double u = (double)(splitmix(&state) >> 11) * 0x1p-53;
        double s = 0.7 * u + 0.3 * (double)truth[i] * (double)(splitmix(&state) >> 11) * 0x1p-53;
        score[i] = tied ? (double)(long)(s * 1000.0 + 0.5) / 1000.0 : s;
    }
    if (argc > 4 && (dump(argv[4], "y", truth, sizeof *truth, n) ||
                     dump(argv[4], "s", score, sizeof *score, n)))
        return 1;
    const char *names[2] = {"roc_auc", "average_precision"};
    for (int m = 0; m < 2; m++) {
        double best = -1, value = 0;
        for (int r = 0; r < (repeats > 0 ? repeats : 1); r++) {
            double t0 = now();
            value = m == 0 ? tune_metric_roc_auc(truth, score, n)
                           : tune_metric_average_precision(truth, score, n);
            double dt = now() - t0;
            if (best < 0 || dt < best)
                best = dt;
        }
        printf("%s value=%.17g seconds=%.4f\n", names[m], value, best);
    }
    free(truth);
    free(score);
    return 0;
}
