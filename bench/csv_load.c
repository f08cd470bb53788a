/* SPDX-License-Identifier: GPL-3.0-or-later */
/* csv_load.c — time tune_table_read_csv on one file (built by
 * bench_csv_load.sh and bench_csv_memory.sh).
 *
 * Prints one line: rows, cols and the best wall-clock seconds of REPEATS
 * loads; the best, not the mean, because the question is what the reader
 * costs, not how busy the machine was.  With TARGET, loads the file as a
 * study does (tune_dataset_load, regression on TARGET) instead.  Exit 1 if
 * the file fails to load.  Each load is freed before the next, so the
 * process's peak memory is that of one load. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "tunefold/dataset.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: csv_load FILE [REPEATS] [TARGET]\n");
        return 2;
    }
    int repeats = argc > 2 ? atoi(argv[2]) : 5;
    const char *target = argc > 3 ? argv[3] : NULL;
    double best = -1;
    size_t rows = 0, cols = 0;
    for (int i = 0; i < (repeats > 0 ? repeats : 1); i++) {
        struct tune_error err;
        double t0 = now();
        if (target) {
            struct tune_dataset *ds;
            if (tune_dataset_load(argv[1], target, TUNE_TASK_REGRESSION, &ds, &err) != TUNE_OK) {
                fprintf(stderr, "csv_load: %s\n", err.msg);
                return 1;
            }
            rows = ds->n_rows;
            cols = ds->n_features + 1;
            tune_dataset_free(ds);
        } else {
            struct tune_table *t;
            if (tune_table_read_csv(argv[1], &t, &err) != TUNE_OK) {
                fprintf(stderr, "csv_load: %s\n", err.msg);
                return 1;
            }
            rows = t->n_rows;
            cols = t->n_cols;
            tune_table_free(t);
        }
        double dt = now() - t0;
        if (best < 0 || dt < best)
            best = dt;
    }
    printf("rows=%zu cols=%zu seconds=%.4f\n", rows, cols, best);
    return 0;
}
