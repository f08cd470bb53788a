/* SPDX-License-Identifier: GPL-3.0-or-later */
/* kmeans.h — k-means clustering for direct use, e.g. an elbow plot (inertia
 * against k on a CSV, no study), and behind the `kmeans` trainer.
 *
 * The model is scikit-learn 1.2's KMeans: k-means++ ("greedy", 2 + ln k
 * candidates per centre) or random initialisation, n_init runs keeping the
 * lowest inertia, Lloyd or Elkan iterations, and the same stopping rule —
 * labels unchanged, or the summed squared centre shift at most
 * tol * (mean column variance of x).  Inertia is the sum over rows of the
 * squared euclidean distance to the row's centre.  Every random draw comes
 * from a GSL generator seeded with `seed`, and the result does not depend on
 * n_threads (threads share rows; every sum is taken in row order). */
#ifndef TUNEFOLD_KMEANS_H
#define TUNEFOLD_KMEANS_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "tunefold/error.h"
#include "tunefold/trainer.h"

#ifdef __cplusplus
extern "C" {
#endif

enum tune_kmeans_init { TUNE_KMEANS_PLUSPLUS = 0, TUNE_KMEANS_RANDOM = 1 };
enum tune_kmeans_algorithm { TUNE_KMEANS_LLOYD = 0, TUNE_KMEANS_ELKAN = 1 };

struct tune_kmeans_options {
    size_t n_clusters;                     /* k: 1 <= k <= rows */
    enum tune_kmeans_init init;            /* default k-means++ */
    size_t n_init;                         /* runs, >= 1 (default 1) */
    size_t max_iter;                       /* iterations per run, >= 1 (default 300) */
    double tol;                            /* >= 0 (default 1e-4) */
    enum tune_kmeans_algorithm algorithm;  /* default lloyd */
    uint64_t seed;                         /* default 0 */
    size_t n_threads;                      /* >= 1 (default 1) */
    int keep_trace;                        /* record the best run's inertia per iteration */
    const double *initial_centers;         /* k x d row-major, borrowed: start every run
                                              from these instead of `init` (default NULL) */
    const volatile sig_atomic_t *cancel;   /* non-zero: stop with TUNE_ETRAINER at the
                                              next iteration (default NULL) */
};

/* The defaults above, for k clusters. */
void tune_kmeans_options_init(struct tune_kmeans_options *o, size_t n_clusters);

/* A fitted clustering. */
struct tune_kmeans {
    size_t k, d;
    double *centers;   /* k x d, row-major */
    double inertia;    /* of the training rows */
    size_t n_iter;     /* iterations of the best run */
    double *trace;     /* keep_trace: inertia of the assignment made at each of the
                          n_iter iterations (before that iteration's centre
                          update); never increases.  Else NULL. */
};

/* Cluster the rows of x (column-major, finite).  Errors: k out of range,
 * non-finite values (naming row and column), bad options.  Free *out with
 * tune_kmeans_free(). */
int tune_kmeans_fit(const struct tune_matrix *x, const struct tune_kmeans_options *o,
                    struct tune_kmeans **out, struct tune_error *err);

/* The nearest centre of each row of x (ties: the lower centre) into labels
 * (may be NULL) and the squared distance to it into sqdist (may be NULL). */
int tune_kmeans_assign(const struct tune_kmeans *km, const struct tune_matrix *x, int *labels,
                       double *sqdist, size_t n_threads, struct tune_error *err);

void tune_kmeans_free(struct tune_kmeans *km);

/* Elbow data: for k = 1..k_max fit with `o` (its n_clusters ignored) and
 * write the inertia to inertia[k - 1] and, when labels is not NULL, the
 * training labels to labels[(k - 1) * n + i] (for silhouettes).  k_max is at
 * most the number of rows. */
int tune_kmeans_elbow(const struct tune_matrix *x, const struct tune_kmeans_options *o,
                      size_t k_max, double *inertia, int *labels, struct tune_error *err);

#ifdef __cplusplus
}
#endif
#endif
