/* csv.h — the CSV tokenizer: fields, and number cells, from text.
 * Internal to the library; src/csv.c states the dialect. */
#ifndef TUNEFOLD_SRC_CSV_H
#define TUNEFOLD_SRC_CSV_H

#include <stddef.h>
#include "tunefold/dataset.h"
#include "tunefold/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Tokenizer state over text s[0..n) (not NUL-terminated). */
struct tune_csv {
    const char *name;   /* for messages */
    const char *s;      /* the text; not NUL-terminated */
    size_t n, pos;
    size_t line;        /* physical line of s[pos], 1-based */
    const struct tune_column *cols; /* header, once read: names in messages */
    size_t n_cols;
    char *scratch;      /* unescaped fields; owned, free() it when done */
    size_t scratch_cap;
    char dp;            /* tune_decimal_point() */
    struct tune_error *err;
};

struct tune_csv_field {
    const char *p;      /* content: inside the quotes when quoted, trimmed if not */
    size_t len;
    int escaped;        /* contains doubled quotes: use tune_csv_field_text() */
    size_t line;        /* line where the field starts */
};

/* TUNE_EINVAL with "name:line:col: what (column 'NAME')"; col is 1-based
 * and names a header column when the header has been read. */
int tune_csv_error(const struct tune_csv *c, size_t line, size_t col, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* TUNE_ENOMEM naming the input. */
int tune_csv_nomem(const struct tune_csv *c);

/* Skip blank lines before a record; returns 1 when the text is exhausted. */
int tune_csv_skip_blank_lines(struct tune_csv *c);

/* Scan field number `col` (1-based, for messages) at c->pos; *last is set
 * when it ends its record.  TUNE_OK or an error naming line and column. */
int tune_csv_field(struct tune_csv *c, size_t col, struct tune_csv_field *f, int *last);

/* The field's text with doubled quotes collapsed: borrowed, valid until the
 * next call.  NULL when out of memory. */
const char *tune_csv_field_text(struct tune_csv *c, const struct tune_csv_field *f,
                                size_t *len);

/* An unquoted number cell at c->pos, scanned once: 1 when consumed (with
 * its separator; *out and *last set), 0 when it needs tune_csv_field (quotes,
 * padding, text, missing markers), -1 when out of memory. */
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
