/* SPDX-License-Identifier: GPL-3.0-or-later */
/* walk.h — a finite space without replacement, yet stateless (internal to
 * searchers/; used by random and sobol).
 *
 * A finite space (tune_space_size N > 0) is walked by a stream of points
 * that the study fixes: the random strategy's draws from a generator seeded
 * by the study seed, the sobol strategy's Sobol sequence.  Point seq is the
 * seq-th distinct point of the stream, in order of first appearance.  So
 *  - no point comes twice, and after N points the space is exhausted;
 *  - point seq depends on (space, seed, seq) only, not on the history:
 *    every worker and every resumed run gives seq the same point, and the
 *    store hands out each seq once, so workers never share a point;
 *  - the points follow the stream's law: the first is distributed as one
 *    draw, later ones as successive draws without replacement (a log-scale
 *    int stays log-uniform; it does not become uniform over its integers).
 * The last few points of a space whose cells are very unequal (a log scale
 * over many integers) can take very many draws to appear, so after
 * TUNE_WALK_DRAWS(N) draws the stream hands over: the points it never
 * showed follow, in an order shuffled by a key (the seed).
 *
 * The walk keeps what it has drawn (a cache: it only saves replaying the
 * stream): a suggestion costs the draws since the previous one, and a fresh
 * walk (another worker, a resumed run) replays the stream once. */
#ifndef TUNEFOLD_WALK_H
#define TUNEFOLD_WALK_H

#include <stddef.h>
#include <stdint.h>
#include "tunefold/error.h"
#include "tunefold/space.h"

#define TUNE_WALK_DRAWS(n) ((n) > (SIZE_MAX - 64) / 4 ? SIZE_MAX : 4 * (n) + 64)

/* The stream's next point (allowed values, as tune_space_from_unit gives). */
typedef int (*tune_walk_next)(void *arg, const struct tune_space *space, double *point,
                              struct tune_error *err);

struct tune_walk {
    size_t size;            /* N, points of the space */
    size_t draws;           /* stream draws so far */
    size_t *order;          /* distinct point indices, in order of first appearance */
    size_t n_order, cap_order;
    size_t *slots;          /* open-addressing set of the indices in order, as index + 1 */
    size_t n_slots;         /* a power of two, at least twice n_order (0: none yet) */
    size_t *rest;           /* after the stream's last draw: the points it never showed */
    size_t n_rest;
    int handed_over;
};

/* Start a walk over a space of `size` points (size > 0).  The walk holds
 * no memory until the first point; release with tune_walk_release. */
void tune_walk_init(struct tune_walk *w, size_t size);

/* Point `seq` of the walk into `point`: TUNE_EEXHAUSTED when seq >= size.
 * `next` must give the same stream on every call sequence (the caller
 * starts it afresh whenever it starts a walk afresh); `key` orders the
 * hand-over points. */
int tune_walk_point(struct tune_walk *w, const struct tune_space *space, size_t seq,
                    tune_walk_next next, void *arg, uint64_t key, double *point,
                    struct tune_error *err);

/* Free what the walk holds (it may then be started again with init). */
void tune_walk_release(struct tune_walk *w);

#endif
