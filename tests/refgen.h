/* SPDX-License-Identifier: GPL-3.0-or-later */
/* refgen.h — the C twin of bench/reference/refgen.py: SplitMix64 and the
 * randomized test inputs built from it, so that a reference script can store
 * only case parameters and expected answers.  Every value is computed as the
 * script computes it (integers, then one IEEE division), so both sides hold
 * the same doubles bit for bit.  Keep the two files in step. */
#ifndef TUNEFOLD_TESTS_REFGEN_H
#define TUNEFOLD_TESTS_REFGEN_H

#include <stddef.h>
#include <stdint.h>

struct splitmix {
    uint64_t state;
};

static inline uint64_t splitmix_next(struct splitmix *s)
{
    uint64_t z = (s->state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static inline uint64_t splitmix_below(struct splitmix *s, uint64_t m)
{
    return splitmix_next(s) % m;
}

#endif
