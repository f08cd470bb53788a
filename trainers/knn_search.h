/* SPDX-License-Identifier: GPL-3.0-or-later */
/* knn_search.h — exact k-nearest-neighbour search for the `knn` trainer
 * (internal to trainers/): blocked brute force and a k-d tree, both giving
 * the same neighbours in the same order.
 *
 * Order.  Neighbours are ordered by (distance, training row index): among
 * equal distances the lower row comes first, so the k nearest are unique
 * even with ties, and the two searches agree exactly.  Distances are
 * compared in "rank" form — the sum over columns, in column order, of
 * (q_j - x_j)^2 (euclidean), |q_j - x_j| (manhattan) or |q_j - x_j|^p
 * (minkowski) — and tune_knn_rank_to_dist turns a rank value into the distance
 * (square root, identity or 1/p-th power). */
#ifndef TUNEFOLD_KNN_SEARCH_H
#define TUNEFOLD_KNN_SEARCH_H

#include <stddef.h>

enum knn_metric { KNN_EUCLIDEAN = 0, KNN_MANHATTAN = 1, KNN_MINKOWSKI = 2 };

struct knn_metric_def {
    enum knn_metric kind;
    double p;   /* minkowski exponent (>= 1); 2 and 1 are mapped to the others */
};

double tune_knn_rank_to_dist(const struct knn_metric_def *m, double rank);

/* A bounded max-heap of the k best (rank, index) pairs seen so far. */
struct knn_heap {
    size_t k, size;
    double *rank;
    size_t *index;
};

/* Sort the heap's contents ascending by (rank, index), in place. */
void tune_knn_heap_sort(struct knn_heap *h);

/* The training rows packed for tune_knn_brute (n x d column-major in); NULL when
 * out of memory.  Free with free(). */
double *tune_knn_panels_build(const double *train, size_t n, size_t d);

/* The k nearest (k <= n) of the n packed training rows to each of the
 * queries q0..q1 of the column-major q (nq x d), by brute force: out_rank /
 * out_index hold k entries per query row i at (i - q0) * k, sorted.
 * Returns 0 when out of memory. */
int tune_knn_brute(const double *panels, size_t n, size_t d, const double *q, size_t nq,
                   size_t q0, size_t q1, size_t k, const struct knn_metric_def *m,
                   double *out_rank, size_t *out_index);

struct knn_kdtree;

/* Build a k-d tree over the column-major train matrix (copied).  NULL when
 * out of memory.  Free with tune_knn_kdtree_free. */
struct knn_kdtree *tune_knn_kdtree_build(const double *train, size_t n, size_t d,
                                         size_t leaf_size);
void tune_knn_kdtree_free(struct knn_kdtree *t);

/* The k nearest neighbours of queries q0..q1 of the column-major q (nq x d),
 * as tune_knn_brute (0 when out of memory). */
int tune_knn_kdtree_query(const struct knn_kdtree *t, const double *q, size_t nq, size_t q0,
                          size_t q1, size_t k, const struct knn_metric_def *m, double *out_rank,
                          size_t *out_index);

/* The training rows back, for saving a model: x (n x d column-major) from
 * the packed panels, or from a k-d tree (whose leaf size is returned). */
void tune_knn_panels_rows(const double *panels, size_t n, size_t d, double *x);
size_t tune_knn_kdtree_rows(const struct knn_kdtree *t, double *x);

#endif
