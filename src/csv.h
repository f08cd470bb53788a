/* SPDX-License-Identifier: GPL-3.0-or-later */
/* csv.h — the CSV tokenizer: fields, and number cells, from a window onto
 * the input that is refilled block by block.  Internal to the library;
 * src/csv.c states the dialect and the refill protocol. */
#ifndef TUNEFOLD_SRC_CSV_H
#define TUNEFOLD_SRC_CSV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "tunefold/dataset.h"
#include "tunefold/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Returned by the scanners when the record being scanned runs past the
 * window and more input exists: set pos back to the record's start, call
 * tune_csv_refill(), and scan the record again.  Never returned once eof. */
#define TUNE_CSV_MORE (-1)

/* Bytes read from a file per refill (more when one record is longer). */
#define TUNE_CSV_BLOCK ((size_t)1 << 20)

struct tune_checksum;

/* Tokenizer state: the window s[0..n) holds the input from offset
 * `offset`; s[pos] is the next byte to scan. */
struct tune_csv {
    const char *name;   /* for messages */
    const char *s;      /* the window; not NUL-terminated */
    size_t n, pos;
    int eof;            /* the window reaches the end of the input */
    uint64_t offset;    /* input offset of s[0] */
    size_t line;        /* physical line of s[pos], 1-based */
    const struct tune_column *cols; /* header, once read: names in messages */
    size_t n_cols;
    char *scratch;      /* unescaped fields */
    size_t scratch_cap;
    char dp;            /* tune_decimal_point() */
    char delim;         /* the field separator */
    struct tune_error *err;
    /* The source: a FILE (borrowed), or text in memory (borrowed). */
    FILE *f;
    const char *text;
    size_t text_len, text_off;
    size_t block;       /* bytes per refill; 0: the text is the window */
    char *buf;          /* the window's storage when block > 0 */
    size_t cap;
    struct tune_checksum *sum; /* fed every byte read, once; NULL: none */
};

struct tune_csv_field {
    const char *p;      /* content: inside the quotes when quoted, trimmed if not */
    size_t len;
    int escaped;        /* contains doubled quotes: use tune_csv_field_text() */
    size_t line;        /* line where the field starts */
};

/* Whether `ch` may separate fields: a tab, or ASCII punctuation other than
 * the quote and what numbers are made of (. + -). */
int tune_csv_delimiter_ok(int ch);

/* Start on text[0..len) (borrowed until tune_csv_release), read `block`
 * bytes at a time (0: in place, the whole text one window), or on the open
 * file f (borrowed) with `block` > 0.  Every byte read goes once into `sum`
 * (may be NULL).  Fails only when out of memory. */
int tune_csv_open_memory(struct tune_csv *c, const char *name, const char *text, size_t len,
                         size_t block, char delim, struct tune_checksum *sum,
                         struct tune_error *err);
int tune_csv_open_file(struct tune_csv *c, const char *name, FILE *f, size_t block, char delim,
                       struct tune_checksum *sum, struct tune_error *err);

/* Free what the tokenizer allocated (not the file or text). */
void tune_csv_release(struct tune_csv *c);

/* Keep s[pos..n), which moves to the window's start (pos becomes 0), and
 * read more after it: at least the block, and at least as much as is kept,
 * so a long record is rescanned a bounded number of times.  Sets eof at the
 * input's end.  TUNE_OK, or TUNE_EIO (a read failed) or TUNE_ENOMEM. */
int tune_csv_refill(struct tune_csv *c);

/* Go back to input offset `offset`, which is on line `line`, for a second
 * look; no more bytes are hashed.  TUNE_EUNSUPPORTED when the input cannot
 * seek (a pipe); TUNE_EIO, TUNE_ENOMEM as refill. */
int tune_csv_rewind(struct tune_csv *c, uint64_t offset, size_t line);

/* TUNE_EINVAL with "name:line:col: what (column 'NAME')"; col is 1-based
 * and names a header column when the header has been read. */
int tune_csv_error(const struct tune_csv *c, size_t line, size_t col, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* TUNE_ENOMEM naming the input. */
int tune_csv_nomem(const struct tune_csv *c);

/* Skip blank lines before a record: 0 when a record starts at pos, 1 when
 * the input is exhausted, or TUNE_CSV_MORE. */
int tune_csv_skip_blank_lines(struct tune_csv *c);

/* Scan field number `col` (1-based, for messages) at c->pos; *last is set
 * when it ends its record.  TUNE_OK, TUNE_CSV_MORE, or an error naming
 * line and column. */
int tune_csv_field(struct tune_csv *c, size_t col, struct tune_csv_field *f, int *last);

/* The field's text with doubled quotes collapsed: borrowed, valid until the
 * next call or refill.  NULL when out of memory. */
const char *tune_csv_field_text(struct tune_csv *c, const struct tune_csv_field *f,
                                size_t *len);

/* An unquoted number cell at c->pos, scanned once: 1 when consumed (with
 * its separator; *out and *last set), 0 when it needs tune_csv_field
 * (quotes, padding, text, missing markers, the window's end), -1 when out
 * of memory. */
int tune_csv_number_cell(struct tune_csv *c, double *out, int *last);

/* Whether p[0..len) is a missing-value marker: empty, NA, ?, NaN (any case). */
int tune_csv_is_missing(const char *p, size_t len);

/* `s` made fit for a one-line message in buf[0..size): control bytes
 * escaped (\n, \x01), cut with "..."; returns buf. */
const char *tune_csv_shown(const char *s, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
