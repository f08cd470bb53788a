/* SPDX-License-Identifier: GPL-3.0-or-later */
/* forest.h — internal to the library: a read-only view of the trees of a
 * model fitted by the `forest` trainer (tune_trainer_forest), for code that
 * needs a forest's structure rather than its predictions: the fANOVA
 * decomposition of reports/fanova.c reads every tree's split columns,
 * thresholds and leaf values (layout in tree_common.h).
 *
 * The model must come from tune_trainer_forest.fit; the trees are borrowed,
 * valid until the model is freed with tune_trainer_forest.free_model. */
#ifndef TUNEFOLD_FOREST_H
#define TUNEFOLD_FOREST_H

#include <stddef.h>
#include "trainers/tree_common.h"

/* The number of trees of a fitted forest model. */
size_t tune_forest_tree_count(const void *model);
/* Tree t (0 <= t < tune_forest_tree_count) of a fitted forest model. */
const struct tune_tree *tune_forest_tree_at(const void *model, size_t t);

#endif
