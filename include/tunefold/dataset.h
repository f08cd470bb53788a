/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dataset.h — tabular data read from CSV, stored column-major.
 *
 * A `tune_table` is the raw file: every column, numeric or categorical, as
 * doubles in one column-major block (`data[col * n_rows + row]`).  Missing
 * cells (empty, NA, NaN, ?) are NAN.  A categorical column stores level codes
 * 0..n_levels-1 (levels in order of first appearance) as doubles.
 *
 * A `tune_dataset` is a table split into features and target for one task:
 * the target column is removed from the features; class targets become codes
 * 0..n_classes-1 in sorted order of the original labels (numeric order for a
 * numeric column, byte order for text), so the class names are stable across
 * files and studies. */
#ifndef TUNEFOLD_DATASET_H
#define TUNEFOLD_DATASET_H

#include <stddef.h>
#include <stdint.h>
#include "tunefold/error.h"

#ifdef __cplusplus
extern "C" {
#endif

enum tune_task {
    TUNE_TASK_BINARY = 1,
    TUNE_TASK_MULTICLASS = 2,
    TUNE_TASK_REGRESSION = 4,
    TUNE_TASK_CLUSTERING = 8
};

/* Static name ("binary", ...) or "unknown". */
const char *tune_task_name(enum tune_task task);
/* Parse a task name; returns 0 if unknown. */
enum tune_task tune_task_parse(const char *name);

enum tune_col_kind { TUNE_COL_NUMERIC = 0, TUNE_COL_CATEGORICAL = 1 };

struct tune_column {
    char *name;
    enum tune_col_kind kind;
    size_t n_levels;  /* categorical only */
    char **levels;    /* categorical only: n_levels strings */
};

struct tune_table {
    char *path;                  /* as given, for messages */
    size_t n_rows, n_cols;
    struct tune_column *cols;    /* n_cols */
    double *data;                /* n_rows * n_cols, column-major */
    size_t *row_line;            /* n_rows: physical 1-based line where each row
                                    starts (for messages); NULL if unknown */
    uint64_t checksum;           /* XXH64 (seed 0) of the raw bytes read, BOM
                                    included: what `xxh64sum FILE` prints */
};

/* A column that is numeric but for a few cells — at least 10 numbers, and
 * the other non-missing cells at most 1 in 10 of them, or all one same text
 * fewer than the numbers (a "1O0" typo, an unknown missing-value marker like
 * "unknown") — is read according to this: */
enum tune_bad_numbers {
    TUNE_BAD_NUMBERS_DEFAULT = 0, /* the entry point's own: TEXT for the table
                                     readers, ERROR for the dataset loader */
    TUNE_BAD_NUMBERS_TEXT = 1,    /* as text, a categorical column like any
                                     other that mixes numbers and text */
    TUNE_BAD_NUMBERS_ERROR = 2,   /* refused: TUNE_EINVAL naming the column and
                                     the line and text of its first such cells */
    TUNE_BAD_NUMBERS_MISSING = 3  /* those cells read as missing (NAN); the
                                     column stays numeric */
};

/* How to read a CSV file; zero-initialised (or a NULL pointer) means the
 * defaults. */
struct tune_csv_options {
    char delimiter;                    /* 0 or ',': commas; else '\t' or one
                                          ASCII punctuation character other than
                                          '"', '.', '+', '-' */
    enum tune_bad_numbers bad_numbers;
};

/* Read a CSV file with a header row (RFC 4180 quoting, CRLF or LF, optional
 * UTF-8 BOM).  A column is numeric when every non-missing cell parses fully
 * as a number in the C locale; otherwise categorical, its levels the cells'
 * text as written (but see enum tune_bad_numbers).  The file is read in
 * blocks of 1 MB: memory holds the parsed table and one block.  Errors name
 * `path:line:column`.  A file that cannot be opened (missing, a folder, no
 * permission) is TUNE_EINVAL — bad input —, a read failing half-way
 * TUNE_EIO.  On success *out is owned by the caller: free with
 * tune_table_free().  `opts` may be NULL; a bad delimiter is TUNE_EINVAL.
 * The plain entry points read
 * with the defaults, which suit files whose reader checks every cell itself
 * (predictions, truth labels: "score 'abc' is not a number" at its line). */
int tune_table_read_csv(const char *path, struct tune_table **out, struct tune_error *err);
int tune_table_read_csv_opts(const char *path, const struct tune_csv_options *opts,
                             struct tune_table **out, struct tune_error *err);

/* Parse CSV text already in memory; `name` is used in messages.  The table
 * is the one tune_table_read_csv gives for a file of these bytes. */
int tune_table_parse_csv(const char *name, const char *text, size_t len,
                         struct tune_table **out, struct tune_error *err);
int tune_table_parse_csv_opts(const char *name, const char *text, size_t len,
                              const struct tune_csv_options *opts, struct tune_table **out,
                              struct tune_error *err);

/* Index of the column called `name`, or -1. */
long tune_table_find(const struct tune_table *t, const char *name);

void tune_table_free(struct tune_table *t);

struct tune_dataset {
    char *path;
    size_t n_rows, n_features;
    struct tune_column *features; /* n_features; owned */
    double *x;                    /* n_rows * n_features, column-major */
    char *target_name;
    enum tune_task task;
    double *y;                    /* n_rows: class code (as double) or value */
    size_t n_classes;             /* classification only */
    char **class_names;           /* classification only: n_classes labels */
    uint64_t checksum;            /* the table's: XXH64 of the file's bytes, so a
                                     study can tell that its data changed */
    size_t n_cols_file;           /* columns in the file (features + target) */
};

/* Split `table` into features and target column `target` for `task`.
 * Errors: target absent, missing target values (names the line), a text
 * target for regression, fewer than two classes, a binary task with more
 * than two classes.  Consumes nothing: `table` is still the caller's.
 * Free *out with tune_dataset_free(). */
int tune_dataset_from_table(const struct tune_table *table, const char *target,
                            enum tune_task task, struct tune_dataset **out,
                            struct tune_error *err);

/* Read + split in one call, for a study: the file is read with `opts` (may
 * be NULL), and the table's block becomes the dataset's (the target column
 * closed over), so the peak is one copy of the data.  Here the default for
 * bad numbers is TUNE_BAD_NUMBERS_ERROR: a column that is numeric but for
 * a few cells is refused, not silently turned into text that one-hot
 * encoding would spread over dozens of columns.  tune_dataset_load passes
 * NULL. */
int tune_dataset_load(const char *path, const char *target, enum tune_task task,
                      struct tune_dataset **out, struct tune_error *err);
int tune_dataset_load_opts(const char *path, const char *target, enum tune_task task,
                           const struct tune_csv_options *opts, struct tune_dataset **out,
                           struct tune_error *err);

void tune_dataset_free(struct tune_dataset *ds);

#ifdef __cplusplus
}
#endif
#endif
