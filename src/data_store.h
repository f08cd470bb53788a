/* SPDX-License-Identifier: GPL-3.0-or-later */
/* data_store.h — a study's data set kept in its store (src/data_store.c):
 * what lets a worker join with the store's URL alone, and what tells that
 * a study's data file has changed.  Internal to the library. */
#ifndef TUNEFOLD_SRC_DATA_STORE_H
#define TUNEFOLD_SRC_DATA_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "tunefold/dataset.h"
#include "tunefold/store.h"

/* What the store says about the study's data (its "data" attribute). */
struct tune_data_info {
    char file[256];      /* the file's name, for messages */
    uint64_t bytes;      /* its size */
    size_t rows, columns;
    uint64_t checksum;   /* XXH64 of its bytes */
};

/* Keep the data file at `path` (deflated) and its description (from `ds`,
 * the dataset read from it) with the study. */
int tune_data_store_save(struct tune_store *store, int64_t study_id, const char *path,
                         const struct tune_dataset *ds, struct tune_error *err);

/* The description; TUNE_ENOTFOUND when the study keeps no data (created by
 * an older tunefold, or a study without data). */
int tune_data_store_info(struct tune_store *store, int64_t study_id,
                         struct tune_data_info *info, struct tune_error *err);

/* Load the kept data as tune_dataset_load_opts loads a file, inflating as
 * it parses; a checksum that differs from the description's is
 * TUNE_ESTORE (damaged).  Free *out with tune_dataset_free(). */
int tune_data_store_load(struct tune_store *store, int64_t study_id, const char *target,
                         enum tune_task task, const struct tune_csv_options *opts,
                         struct tune_dataset **out, struct tune_error *err);

#endif
