/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tree_common.h — internal to trainers/: what the `tree`, `forest` and
 * `boosting` trainers share.  Not part of the public contract.
 *
 *   - a thread pool (tree_pool.c) whose parallel loops give the same results
 *     for any number of threads: a task's output never depends on the thread
 *     that ran it, only per-thread scratch does;
 *   - a stable radix argsort of doubles, NaN last (tree_common.c);
 *   - the compact decision tree both CART and boosting grow, its traversal,
 *     and seeding helpers (tree_common.c);
 *   - the CART grower of the tree and the forest (cart.c).
 *
 * Split rule everywhere: x <= threshold goes left; NaN goes to the side the
 * node's MISSING_LEFT flag names. */
#ifndef TUNEFOLD_TREE_COMMON_H
#define TUNEFOLD_TREE_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <gsl/gsl_rng.h>
#include "tunefold/trainer.h"

/* ---- thread pool (tree_pool.c) ---- */

struct tune_pool;

/* A pool of n_threads - 1 workers plus the calling thread.  Fewer threads
 * than asked (even none) when the system refuses some: results never depend
 * on the count.  Returns NULL only when out of memory.  Free with
 * tune_pool_free (accepts NULL). */
struct tune_pool *tune_pool_new(size_t n_threads);
void tune_pool_free(struct tune_pool *pool);
/* Threads the pool runs on (>= 1). */
size_t tune_pool_threads(const struct tune_pool *pool);
/* Run fn(arg, task, thread) for task in 0..n_tasks-1 on the pool's threads
 * (thread in 0..tune_pool_threads-1 names the scratch a task may use) and
 * return when every task is done.  A NULL pool runs them in order. */
void tune_pool_run(struct tune_pool *pool, size_t n_tasks,
                   void (*fn)(void *arg, size_t task, size_t thread), void *arg);

/* ---- sorting and seeding (tree_common.c) ---- */

/* out[0..n) = the indices 0..n-1 ordered by v ascending, NaN last, ties in
 * index order (stable).  scratch: 3 * n uint64_t. */
void tune_argsort(const double *v, size_t n, uint32_t *out, uint64_t *scratch);

/* Sort v[0..n) ascending in place, NaN last (-0 becomes +0).  scratch: 2 n
 * uint64_t. */
void tune_sort_doubles(double *v, size_t n, uint64_t *scratch);

/* splitmix64: a seed for stream `stream` of seed `seed`. */
uint64_t tune_tree_seed(uint64_t seed, uint64_t stream);
/* A MT19937 generator seeded from tune_tree_seed(seed, stream); NULL when out of memory. */
gsl_rng *tune_tree_rng(uint64_t seed, uint64_t stream);

/* The threads a trainer uses: its n_threads hyperparameter, or (0) the
 * study's share from the fit context. */
size_t tune_tree_threads(double hparam, const struct tune_fit_ctx *ctx);

/* Validate a fit's task, rows and targets.  Classification: *k = n_classes
 * (2..65535) and *cls (caller frees) the n class codes; regression: *k = 0,
 * *cls = NULL, every target finite.  Messages name the trainer and the row. */
int tune_tree_targets(const char *trainer, const struct tune_matrix *x, const double *y,
                      const struct tune_fit_ctx *ctx, size_t *k, uint16_t **cls,
                      struct tune_error *err);

/* Check the matrix and predictions a predict call gets. */
int tune_tree_check_predict(const char *trainer, size_t d, size_t k,
                            const struct tune_matrix *x, const struct tune_predictions *out,
                            struct tune_error *err);

/* Label = the most probable class (the lowest code on ties, as argmax). */
int tune_tree_argmax(const double *proba, size_t k);

/* out[j] = v[j] / sum(v), or all 0 when the sum is 0. */
void tune_tree_normalise(const double *v, double *out, size_t d);

/* ---- the tree ---- */

/* A tree is its inner nodes and its leaves' value blocks.  A reference to
 * a child is an inner node's index, or TUNE_NODE_LEAF | the index of the
 * leaf's block of n_out values (leaves are not nodes: a fully grown tree
 * has about as many leaves as inner nodes, and they cost nothing but their
 * values, which leaves may share).  The root is t->root.  An inner node's
 * feature word carries TUNE_NODE_MISSING_LEFT when NaN goes left. */
#define TUNE_NODE_LEAF 0x80000000u
#define TUNE_NODE_MISSING_LEFT 0x80000000u
#define TUNE_NODE_FEATURE(f) ((f) & ~TUNE_NODE_MISSING_LEFT)
#define TUNE_NODE_ROOT UINT32_MAX   /* the "slot" of the root, see tune_tree_split */

/* 20 bytes, 4-aligned: the threshold (a double) is kept as bytes, read
 * with tune_node_threshold. */
struct tune_node {
    uint32_t feature;      /* column | TUNE_NODE_MISSING_LEFT */
    uint32_t child[2];     /* left (x <= threshold), right */
    uint32_t threshold[2];
};

static inline double tune_node_threshold(const struct tune_node *nd)
{
    double t;
    memcpy(&t, nd->threshold, sizeof t);
    return t;
}

struct tune_tree {
    size_t n_nodes, cap_nodes;     /* inner nodes */
    struct tune_node *nodes;
    uint32_t root;                 /* 0 (an inner node), or a leaf reference */
    size_t n_out;                  /* values per leaf: classes, or 1 */
    size_t n_leaves, cap_leaves;   /* blocks of n_out values (leaves may share one) */
    double *value;                 /* n_leaves * n_out */
};

/* Growing a tree: every child is created into a slot, the place its
 * reference goes: TUNE_NODE_ROOT for the root, 2 q + side for child `side`
 * (0 left, 1 right) of inner node q.  Set t->n_out first. */
void tune_tree_release(struct tune_tree *t);
/* Make the node of `slot` an inner node splitting on column `feature` at
 * `threshold`; returns its index q (its children's slots are 2 q and
 * 2 q + 1), or UINT32_MAX when out of memory. */
uint32_t tune_tree_split(struct tune_tree *t, uint32_t slot, size_t feature, double threshold,
                         int missing_left);
/* Make the node of `slot` a leaf with a fresh block of n_out values;
 * returns them (to fill) or NULL when out of memory.  *block, if not NULL,
 * receives the block's index. */
double *tune_tree_leaf_at(struct tune_tree *t, uint32_t slot, uint32_t *block);
/* Let leaves with identical values share one block (a fully grown
 * classification tree's leaves are mostly pure: a handful of distinct
 * blocks); n_leaves becomes the number of distinct blocks.  Predictions do
 * not change.  Leaves as they are when out of memory. */
void tune_tree_share_values(struct tune_tree *t);
/* Shrink the arrays to their size. */
void tune_tree_trim(struct tune_tree *t);

/* The leaf values row i of column-major x (n_rows rows) lands in. */
static inline const double *tune_tree_leaf(const struct tune_tree *t, const double *x,
                                           size_t n_rows, size_t i)
{
    uint32_t k = t->root;
    while (!(k & TUNE_NODE_LEAF)) {
        const struct tune_node *nd = &t->nodes[k];
        uint32_t f = nd->feature;
        double v = x[(size_t)TUNE_NODE_FEATURE(f) * n_rows + i], thr = tune_node_threshold(nd);
        int right = v <= thr ? 0 : v > thr ? 1 : !(f & TUNE_NODE_MISSING_LEFT);
        k = nd->child[right];
    }
    return t->value + (size_t)(k & ~TUNE_NODE_LEAF) * t->n_out;
}

/* The leaves of rows i0 .. i0 + len - 1 (len <= TUNE_TREE_BLOCK): leaf[r] =
 * the index of row i0 + r's leaf values in t->value (times n_out).  The rows
 * descend together, one level per pass, the child chosen by arithmetic: the
 * loads of different rows overlap and no branch guesses a row's way. */
#define TUNE_TREE_BLOCK 64
void tune_tree_leaves(const struct tune_tree *t, const double *x, size_t n_rows, size_t i0,
                      size_t len, uint32_t *leaf);

/* Save a tree into a model file (see "Saving and loading models" in
 * trainer.h), and load one into the zeroed `t`, checked: values per leaf
 * must be n_out, features below d, every child reference inside its array,
 * an inner child after its parent (so every descent ends).  Release a
 * loaded tree with tune_tree_release (also after a failed load). */
int tune_tree_save(const struct tune_tree *t, struct tune_model_writer *w);
int tune_tree_load(struct tune_model_reader *r, size_t d, size_t n_out, struct tune_tree *t,
                   struct tune_error *err);

/* ---- CART (cart.c) ---- */

enum tune_cart_criterion { TUNE_CART_GINI, TUNE_CART_ENTROPY, TUNE_CART_MSE };

/* The criterion hyperparameter shared by tree and forest: "auto" (gini for
 * classification, squared_error for regression), "gini", "entropy",
 * "squared_error".  The choice index is resolved against the task; a
 * criterion of the other kind of task is an error. */
extern const char *const tune_cart_criterion_choices[];
int tune_cart_criterion_for(const char *trainer, double choice, enum tune_task task,
                            enum tune_cart_criterion *out, struct tune_error *err);

/* What every tree of one fit reads, shared and read-only. */
struct tune_cart_data {
    size_t n, d, k;           /* rows, features, classes (0: regression) */
    const double *x;          /* n x d column-major, borrowed */
    const double *y;          /* regression: n targets */
    const uint16_t *cls;      /* classification: n class codes */
    const double *class_weight; /* classification: k weights, or NULL for 1 */
    const uint32_t *rank;     /* d x n + d: tune_cart_rank of the columns */
};

struct tune_cart_params {
    enum tune_cart_criterion criterion;
    size_t max_depth;             /* 0: unlimited */
    size_t min_samples_split;     /* >= 2 */
    size_t min_samples_leaf;      /* >= 1 */
    size_t max_features;          /* features drawn per node, 1..d */
    double min_impurity_decrease;
};

struct tune_cart_work;

/* Scratch for growing trees on `data`, one per thread: O(n). */
struct tune_cart_work *tune_cart_work_new(const struct tune_cart_data *data);
void tune_cart_work_free(struct tune_cart_work *w);

/* Grow one tree on the rows with count[i] > 0, row i weighing count[i]
 * times its class weight (count NULL: every row once).  Feature draws come
 * from rng.
 * importance[0..d) receives the tree's weighted impurity decrease per
 * feature, sum_nodes W_t * imp_t - W_l * imp_l - W_r * imp_r (not normalised).
 * Returns TUNE_OK, TUNE_ENOMEM, or TUNE_EINVAL for a count above 65535 with
 * classes; `out` must be zeroed; release it with tune_tree_release. */
int tune_cart_grow(const struct tune_cart_data *data, const struct tune_cart_params *p,
                   const uint32_t *count, gsl_rng *rng, struct tune_cart_work *w,
                   struct tune_tree *out, double *importance);

/* The dense rank of every value of x (n x d): rank[j * n + i] = the rank
 * of x[j * n + i] among column j's distinct values (0: the smallest), NaN
 * ranked one above the largest; rank[d * n + j] = that NaN rank.  Columns
 * are ranked in parallel on `pool` (may be NULL).  Returns NULL when out of
 * memory; the caller frees the result. */
uint32_t *tune_cart_rank(struct tune_pool *pool, const double *x, size_t n, size_t d);

/* Features drawn per node for a max_features choice: "all", "sqrt", "log2",
 * "fraction" (floor(fraction * d)), never below 1. */
size_t tune_cart_max_features(const char *choice, double fraction, size_t d);

/* ---- histogram binning for boosting (histogram.c) ---- */

/* Each column's values mapped to small bin codes: code b (0..n_bins-1) holds
 * the values in (edge[b-1], edge[b]], so  x <= edge[b]  <=>  code <= b;
 * a column with NaN among its rows gets one more code, n_bins, for them. */
struct tune_bins {
    size_t n, d;
    uint8_t *codes;          /* d x n, column-major */
    uint8_t *row_codes;      /* n x d, row-major: the same codes, a row's together */
    uint16_t *n_bins;        /* d: value bins, 1..256 (255 with a missing bin) */
    uint8_t *has_missing;    /* d */
    size_t *offset;          /* d + 1: first histogram slot of each column; offset[d] = all */
    size_t *edge_off;        /* d: first edge of each column in edges */
    double *edges;           /* n_bins[j] - 1 upper edges per column */
};

/* Bin the n x d column-major x with at most max_bins (2..256) value bins per
 * column: every distinct value its own bin when they fit (edges at the
 * midpoints), else edges at the quantiles k / max_bins of the values
 * (midpoint interpolation, duplicates merged), as scikit-learn's
 * HistGradientBoosting bins.  Edges come from at most 200,000 rows (a draw
 * seeded by `seed` beyond that).  Columns are binned in parallel on pool.
 * Returns TUNE_OK or TUNE_ENOMEM; release with tune_bins_release. */
int tune_bins_build(struct tune_pool *pool, const double *x, size_t n, size_t d,
                    size_t max_bins, uint64_t seed, struct tune_bins *out);
void tune_bins_release(struct tune_bins *b);

/* The codes of n rows that were not binned (a fold's validation rows), x
 * column-major n x b->d, by b's edges: row-major into *out (n x b->d,
 * malloc'd), each value the code a binned row would give it, so code <= bin
 * exactly when x <= the edge of bin, as for the binned rows.  A missing
 * value gets n_bins[j]: the missing bin, or one past the last bin of a
 * column that had no missing values (the tree's missing flag decides
 * there, as it does for x).  Returns TUNE_OK; 1 when a missing value falls
 * in a column of 256 value bins, for which no code is left; TUNE_ENOMEM.
 * *out is NULL unless TUNE_OK. */
int tune_bins_code_rows(struct tune_pool *pool, const struct tune_bins *b, const double *x,
                        size_t n, uint8_t **out);

/* Bins in a fit's fold cache (struct tune_fit_ctx): the bins of a fold's
 * training columns depend only on them, max_bins and the fit seed (the
 * sample the edges come from), never on the other hyperparameters, so the
 * first trial bins and the next ones find them.  tune_bins_cached returns
 * the bins kept for (trainer, x, max_bins, seed), or NULL; borrowed, valid
 * until the fit returns.  tune_bins_keep hands *b (built on x by the fit)
 * to the cache and zeroes it (tune_bins_release of it is then a no-op),
 * whether or not the cache kept them. */
const struct tune_bins *tune_bins_cached(const struct tune_fit_ctx *ctx, const char *trainer,
                                         size_t n, size_t d, size_t max_bins, uint64_t seed);
void tune_bins_keep(const struct tune_fit_ctx *ctx, const char *trainer, size_t max_bins,
                    uint64_t seed, struct tune_bins *b);

#endif
