/* SPDX-License-Identifier: GPL-3.0-or-later */
/* intern.h — a hash set of strings kept elsewhere (column names, the levels
 * of a text column), for looking a span up by its bytes.  Internal to the
 * library. */
#ifndef TUNEFOLD_SRC_INTERN_H
#define TUNEFOLD_SRC_INTERN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Zero-initialise; release with tune_intern_release(). */
struct tune_intern {
    size_t *slot;    /* index+1 of the string, or 0 when empty */
    uint64_t *hash;  /* the hash of the string in the same slot */
    size_t nslot, count;
};

/* Index of p[0..len) among strs[] (each NUL-terminated, no NUL inside), or
 * else `next` is recorded as its index and returned: the caller then stores
 * the string at strs[next] before the next call.  -1 when out of memory
 * (the set is unchanged). */
long tune_intern(struct tune_intern *set, char *const *strs, const char *p, size_t len,
                 size_t next);

/* Free the slots (not the strings, which are the caller's); the set is then
 * empty and may be used again. */
void tune_intern_release(struct tune_intern *set);

#ifdef __cplusplus
}
#endif
#endif
