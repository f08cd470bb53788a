/* SPDX-License-Identifier: GPL-3.0-or-later */
/* score_sort.c — order-preserving keys for double scores and a radix sort.
 *
 * Why not qsort: every fold of every trial sorts its scores (once per class
 * for one-vs-rest), and `roc_auc` on ten million scores must beat
 * scikit-learn's numpy mergesort.  A comparison sort through a function
 * pointer costs ~25 ns per element at that size; a least-significant-digit
 * radix sort of 64-bit keys is a few linear passes.
 *
 * The key (Knuth, TAOCP vol. 3, 5.2.5; the usual IEEE-754 trick): for a
 * non-negative double, set the sign bit of its bit pattern; for a negative
 * one, flip every bit.  Unsigned order of keys is then numeric order of the
 * doubles, infinities included.  -0.0 is first made +0.0, since the two are
 * equal scores and must fall into one threshold.
 *
 * The sort uses 8-bit digits (a 256-entry histogram per digit, all eight
 * built in one pass), and skips every digit on which all keys agree — for
 * scores of one sign and magnitude the top bytes often are constant.  Below
 * 64 keys an insertion sort is cheaper than the histograms.
 *
 * Invariants: no allocation (the caller gives the scratch buffer); NAN is
 * never passed in (callers reject it first: it has no place in an order). */
#include "score_sort.h"

#include <string.h>

uint64_t tune_score_key(double score)
{
    if (score == 0.0)
        score = 0.0;
    uint64_t bits;
    memcpy(&bits, &score, sizeof bits);
    return bits >> 63 ? ~bits : bits | (UINT64_C(1) << 63);
}

double tune_score_of_key(uint64_t key)
{
    uint64_t bits = key >> 63 ? key & ~(UINT64_C(1) << 63) : ~key;
    double score;
    memcpy(&score, &bits, sizeof score);
    return score;
}

static void insertion_sort(uint64_t *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint64_t v = a[i];
        size_t j = i;
        for (; j > 0 && a[j - 1] > v; j--)
            a[j] = a[j - 1];
        a[j] = v;
    }
}

void tune_sort_keys(uint64_t *keys, uint64_t *tmp, size_t n)
{
    if (n < 64) {
        insertion_sort(keys, n);
        return;
    }
    size_t count[8][256];
    memset(count, 0, sizeof count);
    for (size_t i = 0; i < n; i++) {
        uint64_t k = keys[i];
        for (int d = 0; d < 8; d++)
            count[d][(k >> (8 * d)) & 0xff]++;
    }
    uint64_t *src = keys, *dst = tmp;
    for (int d = 0; d < 8; d++) {
        size_t *c = count[d];
        if (c[(src[0] >> (8 * d)) & 0xff] == n)
            continue; /* every key has this digit: the pass would copy */
        size_t sum = 0;
        for (int b = 0; b < 256; b++) {
            size_t t = c[b];
            c[b] = sum;
            sum += t;
        }
        for (size_t i = 0; i < n; i++) {
            uint64_t k = src[i];
            dst[c[(k >> (8 * d)) & 0xff]++] = k;
        }
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != keys)
        memcpy(keys, src, n * sizeof *keys);
}

int tune_ranking_next(const struct tune_ranking *r, size_t *i, size_t *j, uint64_t *key,
                      size_t *d_pos, size_t *d_neg)
{
    size_t pi = r->n_pos - *i, ni = r->n_neg - *j; /* unconsumed counts */
    if (pi == 0 && ni == 0)
        return 0;
    uint64_t k;
    if (pi == 0)
        k = r->neg[ni - 1];
    else if (ni == 0)
        k = r->pos[pi - 1];
    else
        k = r->pos[pi - 1] > r->neg[ni - 1] ? r->pos[pi - 1] : r->neg[ni - 1];
    size_t a = 0, b = 0;
    while (pi > a && r->pos[pi - 1 - a] == k)
        a++;
    while (ni > b && r->neg[ni - 1 - b] == k)
        b++;
    *i += a;
    *j += b;
    *key = k;
    *d_pos = a;
    *d_neg = b;
    return 1;
}
