/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fanova.h — internal to reports/: functional ANOVA over the trees of a
 * random forest (Hutter, Hoos & Leyton-Brown, "An Efficient Approach for
 * Assessing Hyperparameter Importance", ICML 2014), the engine behind
 * param_importance.c.
 *
 * The input space is a box: column j takes values in [lo[j], hi[j]], and
 * "uniform over the box" is the measure every marginal and variance is taken
 * under.  A tree (tree_common.h: regression, one value per leaf) is a
 * piecewise-constant function on the box; the forest is the mean of its
 * trees.  For a set U of columns the marginal a_U(x_U) is the tree's mean
 * over the other columns, V_U = Var(a_U) over U, and V = the tree's
 * variance over the box.  Main effect of column i: V_i / V; the pure
 * interaction of i and j: (V_ij - V_i - V_j) / V; the joint share of i and
 * j: V_ij / V.  Each is computed per tree, exactly, then averaged over the
 * trees whose variance is not zero (as the fanova package and Optuna do). */
#ifndef TUNEFOLD_REPORTS_FANOVA_H
#define TUNEFOLD_REPORTS_FANOVA_H

#include <stddef.h>
#include "tunefold/error.h"
#include "trainers/tree_common.h"

struct tune_fanova {
    size_t d;
    double *main;          /* d: mean over trees of V_i / V */
    size_t n_pairs;
    double *joint;         /* n_pairs: mean of V_ij / V */
    double *interaction;   /* n_pairs: mean of max(0, V_ij - V_i - V_j) / V */
    size_t n_trees;        /* trees with variance > 0 (the averages' count) */
};

/* Decompose trees[0..n_trees) over the box lo[0..d), hi[0..d) (lo < hi).
 * pairs: n_pairs pairs of column indices (pairs[2k], pairs[2k + 1], i != j).
 * A split whose threshold lies outside the box leaves one side empty; NaN
 * never reaches a box.  TUNE_ENOMEM, or TUNE_EINVAL for a tree whose leaves
 * hold more than one value.  Release with tune_fanova_release. */
int tune_fanova_compute(const struct tune_tree *const *trees, size_t n_trees, const double *lo,
                        const double *hi, size_t d, const size_t *pairs, size_t n_pairs,
                        struct tune_fanova *out, struct tune_error *err);
void tune_fanova_release(struct tune_fanova *f);

/* The forest's marginal over columns i and j (its mean over every other
 * column, averaged over all n_trees trees) at the points (xs[a], ys[b]):
 * out[a * ny + b].  A point outside the box takes the nearest edge cell. */
int tune_fanova_pair_marginal(const struct tune_tree *const *trees, size_t n_trees,
                              const double *lo, const double *hi, size_t d, size_t i, size_t j,
                              const double *xs, size_t nx, const double *ys, size_t ny,
                              double *out, struct tune_error *err);

#endif
