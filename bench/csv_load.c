/* csv_load.c — time tune_table_read_csv on one file (built by csv_load.sh).
 *
 * Prints one line: rows, cols and the best wall-clock seconds of REPEATS
 * loads; the best, not the mean, because the question is what the reader
 * costs, not how busy the machine was.  Exit 1 if the file fails to load. */
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
        fprintf(stderr, "usage: csv_load FILE [REPEATS]\n");
        return 2;
    }
    int repeats = argc > 2 ? atoi(argv[2]) : 5;
    double best = -1;
    size_t rows = 0, cols = 0;
    for (int i = 0; i < (repeats > 0 ? repeats : 1); i++) {
        struct tune_table *t;
        struct tune_error err;
        double t0 = now();
        if (tune_table_read_csv(argv[1], &t, &err) != TUNE_OK) {
            fprintf(stderr, "csv_load: %s\n", err.msg);
            return 1;
        }
        double dt = now() - t0;
        rows = t->n_rows;
        cols = t->n_cols;
        tune_table_free(t);
        if (best < 0 || dt < best)
            best = dt;
    }
    printf("rows=%zu cols=%zu seconds=%.4f\n", rows, cols, best);
    return 0;
}
