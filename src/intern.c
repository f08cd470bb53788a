/* SPDX-License-Identifier: GPL-3.0-or-later */
/* intern.c — string interning for the CSV reader: a span of the input is
 * looked up among the strings seen so far without copying it first, so a
 * text column of a million cells and twenty levels costs twenty copies.
 *
 * Open addressing with linear probing over a power-of-two table kept at
 * most half full; each slot stores the full 64-bit FNV-1a hash beside the
 * index, so a probe compares bytes only when the hashes agree.  Invariants:
 * nslot is 0 or a power of two; count <= nslot / 2; a slot's index refers
 * to a string the caller stored before the next call; the set never owns
 * the strings. */
#include "src/intern.h"

#include <stdlib.h>
#include <string.h>

static uint64_t fnv1a(const char *p, size_t len)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)p[i];
        h *= UINT64_C(1099511628211);
    }
    return h;
}

void tune_intern_release(struct tune_intern *set)
{
    free(set->slot);
    free(set->hash);
    memset(set, 0, sizeof *set);
}

static int grow(struct tune_intern *set)
{
    size_t nslot = set->nslot ? set->nslot * 2 : 16;
    size_t *slot = calloc(nslot, sizeof *slot);
    uint64_t *hash = calloc(nslot, sizeof *hash);
    if (!slot || !hash) {
        free(slot);
        free(hash);
        return -1;
    }
    for (size_t i = 0; i < set->nslot; i++) {
        if (!set->slot[i])
            continue;
        size_t j = (size_t)set->hash[i] & (nslot - 1);
        while (slot[j])
            j = (j + 1) & (nslot - 1);
        slot[j] = set->slot[i];
        hash[j] = set->hash[i];
    }
    free(set->slot);
    free(set->hash);
    set->slot = slot;
    set->hash = hash;
    set->nslot = nslot;
    return 0;
}

long tune_intern(struct tune_intern *set, char *const *strs, const char *p, size_t len,
                 size_t next)
{
    if (2 * (set->count + 1) > set->nslot && grow(set))
        return -1;
    uint64_t h = fnv1a(p, len);
    size_t mask = set->nslot - 1, j = (size_t)h & mask;
    for (; set->slot[j]; j = (j + 1) & mask) {
        if (set->hash[j] != h)
            continue;
        const char *s = strs[set->slot[j] - 1];
        if (strncmp(s, p, len) == 0 && s[len] == '\0')
            return (long)(set->slot[j] - 1);
    }
    set->slot[j] = next + 1;
    set->hash[j] = h;
    set->count++;
    return (long)next;
}
