/* SPDX-License-Identifier: GPL-3.0-or-later */
/* table.h — internals of the CSV table reader (src/table.c) shared with the
 * dataset split and the tests. */
#ifndef TUNEFOLD_SRC_TABLE_H
#define TUNEFOLD_SRC_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "tunefold/dataset.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Free cols[0..n) with their names and levels; NULL is fine. */
void tune_columns_free(struct tune_column *cols, size_t n);

/* tune_table_parse_csv_opts and tune_table_read_csv_opts reading `block`
 * bytes at a time (memory: 0 reads the text in place; a file: 0 is the
 * default 1 MB), so tests can put block boundaries anywhere.  The table
 * does not depend on `block`. */
int tune_table_parse_csv_block(const char *name, const char *text, size_t len,
                               const struct tune_csv_options *opts, size_t block,
                               struct tune_table **out, struct tune_error *err);
int tune_table_read_csv_block(const char *path, const struct tune_csv_options *opts,
                              size_t block, struct tune_table **out, struct tune_error *err);

/* Read CSV from an open stream (borrowed; `name` in messages) of `total`
 * bytes (0: unknown), as tune_table_read_csv_opts reads a file.  A stream
 * that cannot seek back is read once (see table.c on mixed columns). */
int tune_table_read_csv_stream(const char *name, FILE *f, uint64_t total,
                               const struct tune_csv_options *opts, struct tune_table **out,
                               struct tune_error *err);
/* tune_dataset_load_opts from such a stream. */
int tune_dataset_load_stream(const char *name, FILE *f, uint64_t total, const char *target,
                             enum tune_task task, const struct tune_csv_options *opts,
                             struct tune_dataset **out, struct tune_error *err);

#ifdef __cplusplus
}
#endif
#endif
