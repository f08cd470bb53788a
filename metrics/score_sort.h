/* SPDX-License-Identifier: GPL-3.0-or-later */
/* score_sort.h — private to metrics/: scores as order-preserving 64-bit keys
 * and an LSD radix sort of such keys, shared by ranking.c and curves.c.
 *
 * Not part of the public contract (include/tunefold/ holds that). */
#ifndef TUNEFOLD_METRICS_SCORE_SORT_H
#define TUNEFOLD_METRICS_SCORE_SORT_H

#include <stddef.h>
#include <stdint.h>

/* The key of a non-NAN score: keys compare as unsigned integers exactly as
 * the scores compare as doubles, and -0.0 gets the key of +0.0 (they are
 * equal scores, so one threshold). */
uint64_t tune_score_key(double score);
/* The score of a key (inverse of tune_score_key). */
double tune_score_of_key(uint64_t key);

/* Sort keys[0..n) ascending; tmp is scratch of n keys. */
void tune_sort_keys(uint64_t *keys, uint64_t *tmp, size_t n);

/* The ranking of one binary problem: the scores of its positive rows and of
 * its negative rows, each sorted ascending (pos[0..n_pos), neg[0..n_neg)).
 * A walk from the top of both visits the distinct thresholds in decreasing
 * order; each threshold groups every row whose score equals it. */
struct tune_ranking {
    uint64_t *pos, *neg;
    size_t n_pos, n_neg;
};

/* The next threshold group of a walk over `r` from the top: *i and *j count
 * the positives and negatives already consumed (start both at 0).  Returns 0
 * when every row has been consumed; else stores the threshold's key and the
 * group's positive and negative counts. */
int tune_ranking_next(const struct tune_ranking *r, size_t *i, size_t *j, uint64_t *key,
                      size_t *d_pos, size_t *d_neg);

#endif
