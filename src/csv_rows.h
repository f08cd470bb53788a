/* SPDX-License-Identifier: GPL-3.0-or-later */
/* csv_rows.h — CSV read as a stream of blocks of whole records, for
 * predicting files of any size in bounded memory (src/model_csv.c);
 * internal to the library.
 *
 * src/dataset.c reads a whole file into a table (what training needs: every
 * row, column types decided over the whole column).  Prediction needs the
 * opposite: a few megabytes at a time, and each cell's text, because a
 * column's kind is the model's, not the file's (a categorical level "3"
 * must match the level "3", not become the number 3).  The dialect is
 * dataset.c's, so a file that trains also predicts: comma separator; CRLF,
 * LF or a lone CR ends a record; a UTF-8 BOM at the start is skipped; blank
 * lines (only spaces and tabs) are skipped; unquoted fields are trimmed of
 * spaces and tabs, quoted fields keep their content, "" inside quotes is a
 * quote; spaces may pad a quoted field; anything else after a closing quote
 * is an error; NUL bytes are an error.  Numbers and missing values are
 * recognised as dataset.c recognises them (tune_csv_number,
 * tune_csv_missing), with the same values bit for bit. */
#ifndef TUNEFOLD_SRC_CSV_ROWS_H
#define TUNEFOLD_SRC_CSV_ROWS_H

#include <stddef.h>
#include <stdio.h>
#include "tunefold/error.h"

/* ---- the stream of blocks ---- */

struct tune_csv_blocks;

/* Start reading `f` (named `name` in messages) in blocks of about
 * block_bytes, and read its header.  Close with tune_csv_blocks_close. */
int tune_csv_blocks_open(FILE *f, const char *name, size_t block_bytes,
                         struct tune_csv_blocks **out, struct tune_error *err);
void tune_csv_blocks_close(struct tune_csv_blocks *b);

/* The header's fields (borrowed until close) and the physical lines it
 * took (blank lines before it included). */
size_t tune_csv_blocks_header(const struct tune_csv_blocks *b, char *const **names);
size_t tune_csv_blocks_header_lines(const struct tune_csv_blocks *b);

/* The next block: whole records in (*data)[0..*len), malloc'ed (the caller
 * frees; it may be modified).  *len == 0 at the end of the file. */
int tune_csv_blocks_next(struct tune_csv_blocks *b, char **data, size_t *len,
                         struct tune_error *err);

/* ---- records inside a block ---- */

struct tune_csv_field {
    char *p;        /* the text (quotes removed, "" collapsed, in place) */
    size_t len;
    int quoted;
};

struct tune_csv_cursor {
    char *p, *end;
    size_t line;    /* newlines passed since the block's start */
};

/* The next record's fields into f[0..max) (*n: how many it has, which may
 * exceed max: the rest are skipped).  Returns 1 for a record (*rec_line: its
 * first line, 0-based from the block's start), 0 at the end of the block,
 * -1 for bad CSV (msg holds why, *rec_line where, *bad_field the 1-based
 * field). */
int tune_csv_record(struct tune_csv_cursor *c, struct tune_csv_field *f, size_t max, size_t *n,
                    size_t *rec_line, size_t *bad_field, char *msg, size_t msg_len);

/* ---- cells ---- */

/* Empty, NA, ? or NaN (any case). */
int tune_csv_missing(const char *p, size_t len);
/* 1 and *v when p[0..len) is a whole number (dataset.c's grammar: [+-]
 * digits [. digits] [e [+-] digits], or [+-]inf / infinity), else 0. */
int tune_csv_number(const char *p, size_t len, double *v);
/* The decimal literal (no inf) at the start of p[0..end): its value into *v
 * and where it ends, or NULL when p does not start with one. */
const char *tune_csv_number_prefix(const char *p, const char *end, double *v);

#endif
