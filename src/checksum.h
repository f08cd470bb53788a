/* SPDX-License-Identifier: GPL-3.0-or-later */
/* checksum.h — XXH64 of a byte stream, fed in pieces of any size.
 * Internal to the library (src/checksum.c). */
#ifndef TUNEFOLD_SRC_CHECKSUM_H
#define TUNEFOLD_SRC_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Zero-initialise with tune_checksum_init(); no resources to release. */
struct tune_checksum {
    uint64_t v[4];        /* the four lanes */
    uint64_t total;       /* bytes fed so far */
    unsigned char buf[32];/* a stripe not yet complete */
    size_t nbuf;
};

void tune_checksum_init(struct tune_checksum *c);
void tune_checksum_update(struct tune_checksum *c, const void *p, size_t n);
/* The hash of every byte fed so far; the state may still be fed. */
uint64_t tune_checksum_final(const struct tune_checksum *c);

#ifdef __cplusplus
}
#endif
#endif
