/* SPDX-License-Identifier: GPL-3.0-or-later */
/* model_io.h — the byte-level writer and reader behind tunefold's model file,
 * internal to the library (src/model_io.c): the trainers see them only
 * through the tune_model_put_* / tune_model_get_* calls of trainer.h, and
 * src/model.c lays the file out with them.
 *
 * Every value is little-endian whatever the host (integers byte by byte,
 * doubles as their IEEE-754 bit pattern), so a file reads the same on any
 * machine. */
#ifndef TUNEFOLD_SRC_MODEL_IO_H
#define TUNEFOLD_SRC_MODEL_IO_H

#include <stddef.h>
#include <stdint.h>
#include "tunefold/trainer.h"

/* A growing byte buffer.  After a failed put every later one fails too and
 * `err` holds the first failure. */
struct tune_model_writer {
    unsigned char *buf;
    size_t len, cap;
    int failed;
    struct tune_error *err;
};

/* Reads p[0..len) of a file called `name`; `part` names what is read in
 * messages ("forest model"), `base` is p's offset in the file. */
struct tune_model_reader {
    const unsigned char *p;
    size_t len, pos;
    size_t base;
    const char *name;
    const char *part;
    size_t n_threads;
    struct tune_error *err;
};

void tune_model_writer_init(struct tune_model_writer *w, struct tune_error *err);
void tune_model_writer_release(struct tune_model_writer *w);
/* Overwrite 8 bytes at `at` (a length reserved earlier) with v. */
void tune_model_writer_patch_u64(struct tune_model_writer *w, size_t at, uint64_t v);

void tune_model_reader_init(struct tune_model_reader *r, const void *p, size_t len, size_t base,
                            const char *name, const char *part, size_t n_threads,
                            struct tune_error *err);
/* A reader over the next n bytes of r (consumed from r); fails like a get. */
int tune_model_reader_sub(struct tune_model_reader *r, size_t n, const char *part,
                          struct tune_model_reader *sub);

/* CRC-32 of p[0..n) (IEEE 802.3 polynomial, reflected, as zlib's crc32 and
 * PNG): crc = tune_crc32(0, p, n); chunks chain by passing the last value. */
uint32_t tune_crc32(uint32_t crc, const void *p, size_t n);

/* SHA-256 of a file as 64 lowercase hex digits (hex has room for 65): what
 * `sha256sum FILE` prints.  TUNE_EIO naming the file when it cannot be read. */
int tune_sha256_file(const char *path, char hex[65], struct tune_error *err);
/* SHA-256 of p[0..n) as hex (for tests). */
void tune_sha256_hex(const void *p, size_t n, char hex[65]);

#endif
