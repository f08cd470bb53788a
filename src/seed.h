/* SPDX-License-Identifier: GPL-3.0-or-later */
/* seed.h — how tunefold derives independent seeds from one: splitmix64
 * (Steele, Lea & Flood, "Fast splittable pseudorandom number generators",
 * OOPSLA 2014), a bijective 64-bit mix under which neighbouring inputs give
 * unrelated outputs, and the seed a trainer gets for one fold. */
#ifndef TUNEFOLD_SEED_H
#define TUNEFOLD_SEED_H

#include <stddef.h>
#include <stdint.h>

static inline uint64_t tune_mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* The trainer's seed on fold `fold` (0-based) of a cross-validation seeded
 * with `seed`: it depends on the seed and the fold only, so every trial of
 * a study meets the same randomness on a fold (common random numbers). */
static inline uint64_t tune_fold_seed(uint64_t seed, size_t fold)
{
    return tune_mix64(seed ^ tune_mix64((uint64_t)fold + 1));
}

#endif
