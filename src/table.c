/* SPDX-License-Identifier: GPL-3.0-or-later */
/* table.c — a CSV file or text as a `tune_table` (tunefold/dataset.h), read
 * in one streaming pass.
 *
 * Reading.  The tokenizer (src/csv.c) hands over one record at a time from
 * a window refilled in blocks (1 MB from a file; a text already in memory
 * is its own window), so memory holds the parsed table and one block, never
 * the file.  Each cell goes straight into the column-major block:
 *   - a number (src/decimal.c, correctly rounded) as its double — the fast
 *     path scans an unquoted number cell once, as field and number at once;
 *   - a missing marker (empty, NA, ?, NaN) as NAN;
 *   - any other text is interned among its column's levels (src/intern.c,
 *     one copy per distinct text) and stored as its level code *boxed in a
 *     NaN*: a quiet NaN whose payload carries a tag bit and the code
 *     (box_level).  No parsed number is a NaN and a missing cell is the
 *     plain NAN, so a cell tells by itself what it holds, at no extra
 *     memory.
 * There is no second pass for a text column: its levels are complete, in
 * order of first appearance, when its last row is read.
 *
 * Kinds, once every row is in (settle_columns).  A column without text is
 * numeric.  A column with only text (and missing cells) is categorical:
 * its codes are unboxed in place.  A column mixing numbers and text is
 * either
 *   - numeric but for a few cells (at least 10 numbers, and the texts at
 *     most 1 in 10 of its non-missing cells, or all one same text fewer than
 *     the numbers): what enum tune_bad_numbers says — an error naming the
 *     first cells, those cells missing, or text;
 *   - or text.  A text column's levels are its cells as written ("01" and
 *     "1.50" stay apart from "1" and "1.5"), and the numbers seen before the
 *     first text kept no text.  So the input is read a second time from the
 *     first data record, for those columns only, and their levels rebuilt
 *     from the cells' text (reread_mixed).  This is the only second pass;
 *     the common files (numbers, labels) never take it.  An input that
 *     cannot seek (a pipe) names those numbers by their shortest round-trip
 *     text instead ("1.50" becomes "1.5").
 * Rows go into a block sized from an estimate: the rows per byte so far
 * times the bytes left (the file's size is known) plus 5%, or, when the
 * window holds the rest of the input, the exact upper bound of one row per
 * line.  A low estimate grows the block with realloc (which on Linux moves
 * pages, not bytes) and spreads the columns to the wider stride; at the end
 * the columns close up to stride n_rows and the block shrinks.
 *
 * Invariants of a table built here:
 *   - n_rows >= 1, n_cols >= 1, column names non-empty and distinct;
 *   - data[col * n_rows + row]; missing cells are NAN, and no other cell is;
 *   - a categorical column holds codes 0..n_levels-1, levels in order of
 *     first appearance, every level used at least once;
 *   - row_line[row] is the physical 1-based line where the row starts,
 *     counting newlines inside quoted fields;
 *   - checksum is XXH64 of every byte of the input (src/checksum.c);
 *   - the same bytes give the same table whether they come from a file, from
 *     memory, or in blocks of any size (a pipe aside: see above).
 *
 * A UTF-8 BOM at the very start is skipped. */
#include "tunefold/dataset.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "src/checksum.h"
#include "src/csv.h"
#include "src/decimal.h"
#include "src/intern.h"
#include "src/table.h"

/* A text cell during the pass: a quiet NaN with this tag and the level code
 * in the low 50 bits.  NAN (a missing cell) has no tag bit. */
#define TEXT_TAG UINT64_C(0x7FFC000000000000)
#define TEXT_MASK UINT64_C(0xFFFC000000000000)

static double box_level(size_t code)
{
    uint64_t bits = TEXT_TAG | (uint64_t)code;
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

static int unbox_level(double v, size_t *code)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    if ((bits & TEXT_MASK) != TEXT_TAG)
        return 0;
    *code = (size_t)(bits & ~TEXT_MASK);
    return 1;
}

struct reader {
    struct tune_csv c;
    struct tune_table *t;
    enum tune_bad_numbers bad;
    size_t cap;                /* rows the block holds: its stride */
    uint64_t total;            /* bytes of input when known, else 0 */
    uint64_t data_start;       /* input offset just after the header */
    size_t data_line;          /* and its line */
    struct tune_intern *sets;  /* n_cols: the levels seen, per column */
    size_t *level_cap;         /* n_cols: room in cols[j].levels */
    struct tune_checksum sum;
};

static char *dup_span(const char *p, size_t len)
{
    char *s = malloc(len + 1);
    if (s) {
        memcpy(s, p, len);
        s[len] = '\0';
    }
    return s;
}

void tune_columns_free(struct tune_column *cols, size_t n)
{
    if (!cols)
        return;
    for (size_t i = 0; i < n; i++) {
        free(cols[i].name);
        for (size_t k = 0; k < cols[i].n_levels; k++)
            free(cols[i].levels[k]);
        free(cols[i].levels);
    }
    free(cols);
}

void tune_table_free(struct tune_table *t)
{
    if (!t)
        return;
    free(t->path);
    tune_columns_free(t->cols, t->n_cols);
    free(t->data);
    free(t->row_line);
    free(t);
}

long tune_table_find(const struct tune_table *t, const char *name)
{
    if (!t || !name)
        return -1;
    for (size_t j = 0; j < t->n_cols; j++)
        if (strcmp(t->cols[j].name, name) == 0)
            return (long)j;
    return -1;
}

/* ---------------------------------------------------------------- header */

/* The header row: names non-empty and distinct (checked by hashing as they
 * come, so a wide header costs no quadratic scan).  TUNE_CSV_MORE when it
 * runs past the window. */
static int read_header(struct tune_csv *c, struct tune_table *t, size_t *header_line)
{
    int rc = tune_csv_skip_blank_lines(c);
    if (rc == 1)
        return tune_csv_error(c, c->line, 1, "empty file, expected a header row");
    if (rc)
        return rc;
    *header_line = c->line;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct tune_intern seen = {0};
    int last = 0;
    while (!last && !rc) {
        struct tune_csv_field f;
        rc = tune_csv_field(c, n + 1, &f, &last);
        if (rc)
            break;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            char **grown = realloc(names, ncap * sizeof *grown);
            if (!grown) {
                rc = tune_csv_nomem(c);
                break;
            }
            names = grown;
            cap = ncap;
        }
        size_t len;
        const char *text = tune_csv_field_text(c, &f, &len);
        if (!text || !(names[n] = dup_span(text, len))) {
            rc = tune_csv_nomem(c);
            break;
        }
        n++;
        if (len == 0) {
            rc = tune_csv_error(c, f.line, n, "empty column name");
            break;
        }
        long k = tune_intern(&seen, names, names[n - 1], len, n - 1);
        if (k < 0)
            rc = tune_csv_nomem(c);
        else if ((size_t)k != n - 1) {
            char name[96];
            rc = tune_csv_error(c, f.line, n, "duplicate column name '%s' (also column %ld)",
                                tune_csv_shown(names[n - 1], name, sizeof name), k + 1);
        }
    }
    tune_intern_release(&seen);
    if (!rc && !(t->cols = calloc(n, sizeof *t->cols)))
        rc = tune_csv_nomem(c);
    if (rc) {
        for (size_t j = 0; j < n; j++)
            free(names[j]);
        free(names);
        return rc;
    }
    for (size_t j = 0; j < n; j++)
        t->cols[j].name = names[j];
    t->n_cols = n;
    free(names);
    return TUNE_OK;
}

/* ------------------------------------------------------------------ rows */

/* Line terminators in s[0..n): LFs and CRs not followed by an LF. */
static size_t count_lines(const char *s, size_t n)
{
    const char *p = s, *end = s + n;
    size_t lines = 0;
    for (const char *q; p < end && (q = memchr(p, '\n', (size_t)(end - p))); p = q + 1)
        lines++;
    if (memchr(s, '\r', n))
        for (p = s; p < end; p++)
            lines += *p == '\r' && (p + 1 == end || p[1] != '\n');
    return lines;
}

/* Rows to make room for, counting those read.  When the window holds the
 * rest of the input: at most one row per line terminator (plus an
 * unterminated last line), each but the last taking at least n_cols bytes
 * (n_cols-1 separators and its terminator) — the second bound keeps a file
 * of many short lines under a wide header from reserving rows x columns it
 * cannot fill.  Else the rows per byte so far (or in the window, before any
 * row) times the bytes left, plus 5%; doubling when the size is unknown. */
static size_t estimate_rows(const struct reader *r)
{
    const struct tune_csv *c = &r->c;
    size_t rows = r->t->n_rows, n_cols = r->t->n_cols, ahead = c->n - c->pos;
    if (c->eof) {
        size_t lines = count_lines(c->s + c->pos, ahead) + 1, by_bytes = ahead / n_cols + 1;
        return rows + (lines < by_bytes ? lines : by_bytes);
    }
    uint64_t here = c->offset + c->pos;
    if (r->total <= here)
        return rows ? 2 * rows : count_lines(c->s + c->pos, ahead) + 16;
    double left = (double)(r->total - here), per_byte;
    if (rows)
        per_byte = (double)rows / (double)(here - r->data_start);
    else
        per_byte = (double)(count_lines(c->s + c->pos, ahead) + 1) / (double)(ahead + 1);
    double est = (double)rows + left * per_byte * 1.05 + 16,
           bound = (double)rows + left / (double)n_cols + 2;
    if (est > bound)
        est = bound;
    size_t more = rows / 8 + 16; /* a low estimate still grows geometrically */
    return est > (double)(rows + more) ? (size_t)est : rows + more;
}

/* Make room for at least one more row: realloc the block to the new stride
 * and spread the columns, last first (each moves up, past every column not
 * yet moved). */
static int grow_rows(struct reader *r)
{
    struct tune_table *t = r->t;
    size_t n_cols = t->n_cols, ncap = estimate_rows(r);
    if (ncap <= t->n_rows)
        ncap = t->n_rows + 1;
    if (ncap > SIZE_MAX / sizeof(double) / n_cols)
        return tune_csv_nomem(&r->c);
    double *data = realloc(t->data, ncap * n_cols * sizeof *data);
    if (!data)
        return tune_csv_nomem(&r->c);
    t->data = data;
    for (size_t j = n_cols; j-- > 1;)
        memmove(data + j * ncap, data + j * r->cap, t->n_rows * sizeof *data);
    r->cap = ncap;
    size_t *row_line = realloc(t->row_line, ncap * sizeof *row_line);
    if (!row_line)
        return tune_csv_nomem(&r->c);
    t->row_line = row_line;
    return TUNE_OK;
}

/* The level code of text[0..len) in column j, added if new; -1 when out of
 * memory. */
static long add_level(struct reader *r, size_t j, const char *text, size_t len)
{
    struct tune_column *col = &r->t->cols[j];
    if (col->n_levels == r->level_cap[j]) {
        size_t ncap = r->level_cap[j] ? r->level_cap[j] * 2 : 8;
        char **levels = realloc(col->levels, ncap * sizeof *levels);
        if (!levels)
            return -1;
        col->levels = levels;
        r->level_cap[j] = ncap;
    }
    long code = tune_intern(&r->sets[j], col->levels, text, len, col->n_levels);
    if (code >= 0 && (size_t)code == col->n_levels) {
        if (!(col->levels[code] = dup_span(text, len)))
            return -1;
        col->n_levels++;
    }
    return code;
}

/* A cell the fast path left: missing, a quoted or padded number, or text. */
static int store_cell(struct reader *r, size_t j, double *cell, const struct tune_csv_field *f)
{
    size_t len;
    const char *text = tune_csv_field_text(&r->c, f, &len);
    if (!text)
        return TUNE_ENOMEM;
    if (tune_csv_is_missing(text, len)) {
        *cell = NAN;
        return TUNE_OK;
    }
    int k = tune_decimal_parse(text, len, r->c.dp, cell);
    if (k < 0)
        return tune_csv_nomem(&r->c);
    if (k > 0)
        return TUNE_OK;
    long code = add_level(r, j, text, len);
    if (code < 0)
        return tune_csv_nomem(&r->c);
    *cell = box_level((size_t)code);
    return TUNE_OK;
}

/* One record into row `row`; TUNE_CSV_MORE when it runs past the window
 * (the row is then written again in full). */
static int read_record(struct reader *r, size_t row)
{
    struct tune_csv *c = &r->c;
    struct tune_table *t = r->t;
    size_t n_cols = t->n_cols, stride = r->cap;
    double *data = t->data;
    t->row_line[row] = c->line;
    size_t j = 0, extra_line = 0, last_line = c->line;
    int last = 0;
    while (!last) {
        if (j < n_cols) {
            last_line = c->line;
            int k = tune_csv_number_cell(c, &data[j * stride + row], &last);
            if (k < 0)
                return tune_csv_nomem(c);
            if (k > 0) {
                j++;
                continue;
            }
        }
        struct tune_csv_field f;
        int rc = tune_csv_field(c, j + 1, &f, &last);
        if (rc)
            return rc;
        last_line = f.line;
        if (j < n_cols) {
            if ((rc = store_cell(r, j, &data[j * stride + row], &f)))
                return rc;
        } else if (j == n_cols) {
            extra_line = f.line;
        }
        j++;
    }
    if (j > n_cols)
        return tune_csv_error(c, extra_line, n_cols + 1, "expected %zu fields, got %zu", n_cols, j);
    if (j < n_cols)
        return tune_csv_error(c, last_line, j + 1, "expected %zu fields, got %zu", n_cols, j);
    return TUNE_OK;
}

static int read_rows(struct reader *r)
{
    struct tune_csv *c = &r->c;
    for (;;) {
        int rc = tune_csv_skip_blank_lines(c);
        if (rc == 1)
            return TUNE_OK;
        if (rc == TUNE_CSV_MORE) {
            if ((rc = tune_csv_refill(c)))
                return rc;
            continue;
        }
        size_t row = r->t->n_rows;
        if (row == r->cap && (rc = grow_rows(r)))
            return rc;
        size_t pos = c->pos, line = c->line;
        rc = read_record(r, row);
        if (rc == TUNE_CSV_MORE) {
            c->pos = pos;
            c->line = line;
            if ((rc = tune_csv_refill(c)))
                return rc;
            continue;
        }
        if (rc)
            return rc;
        r->t->n_rows++;
    }
}

/* ----------------------------------------------------------------- kinds */

static void drop_levels(struct reader *r, size_t j)
{
    struct tune_column *col = &r->t->cols[j];
    for (size_t k = 0; k < col->n_levels; k++)
        free(col->levels[k]);
    free(col->levels);
    col->levels = NULL;
    col->n_levels = 0;
    r->level_cap[j] = 0;
    tune_intern_release(&r->sets[j]);
}

/* "FILE: column 'C' is numeric except N cells: line L 'T', ..." */
static int bad_numbers_error(const struct reader *r, size_t j, size_t n_text)
{
    const struct tune_table *t = r->t;
    const struct tune_column *col = &t->cols[j];
    const double *v = t->data + j * r->cap;
    char cells[400] = "", name[96];
    size_t used = 0, listed = 0;
    for (size_t i = 0; i < t->n_rows && listed < 3; i++) {
        size_t code;
        if (!unbox_level(v[i], &code))
            continue;
        char text[48];
        used += (size_t)snprintf(cells + used, sizeof cells - used, "%sline %zu '%s'",
                                 listed ? ", " : "", t->row_line[i],
                                 tune_csv_shown(col->levels[code], text, sizeof text));
        listed++;
    }
    if (n_text > listed)
        snprintf(cells + used, sizeof cells - used, " and %zu more", n_text - listed);
    return tune_error_set(r->c.err, TUNE_EINVAL,
                          "%s: column '%s' is numeric except %zu cell%s: %s (set \"data\": "
                          "{\"bad_numbers\": \"missing\"} to read such cells as missing, or "
                          "\"text\" to read the column as text)",
                          t->path, tune_csv_shown(col->name, name, sizeof name), n_text,
                          n_text == 1 ? "" : "s", cells);
}

/* The mixed columns, when the input cannot be read again: each cell's level
 * is its text, or its number's shortest round-trip text. */
static int relevel_from_values(struct reader *r, const unsigned char *mixed)
{
    struct tune_table *t = r->t;
    for (size_t j = 0; j < t->n_cols; j++) {
        if (!mixed[j])
            continue;
        struct tune_column *col = &t->cols[j];
        char **old = col->levels;
        size_t n_old = col->n_levels;
        col->levels = NULL;
        col->n_levels = 0;
        r->level_cap[j] = 0;
        tune_intern_release(&r->sets[j]);
        double *v = t->data + j * r->cap;
        int rc = TUNE_OK;
        for (size_t i = 0; i < t->n_rows && !rc; i++) {
            size_t code;
            char num[40];
            const char *text = num;
            if (unbox_level(v[i], &code))
                text = old[code];
            else if (isnan(v[i]))
                continue;
            else
                tune_decimal_format(v[i] == 0 ? 0.0 : v[i], num, sizeof num);
            long k = add_level(r, j, text, strlen(text));
            if (k < 0)
                rc = tune_csv_nomem(&r->c);
            else
                v[i] = (double)k;
        }
        for (size_t k = 0; k < n_old; k++)
            free(old[k]);
        free(old);
        tune_intern_release(&r->sets[j]);
        if (rc)
            return rc;
    }
    return TUNE_OK;
}

static int changed_error(const struct reader *r)
{
    return tune_error_set(r->c.err, TUNE_EINVAL, "%s: the file changed while it was read",
                          r->t->path);
}

/* One record of the second look: the text of the mixed columns' cells. */
static int reread_record(struct reader *r, size_t row, const unsigned char *mixed)
{
    struct tune_csv *c = &r->c;
    struct tune_table *t = r->t;
    int last = 0;
    for (size_t j = 0; j < t->n_cols; j++) {
        struct tune_csv_field f;
        int rc = last ? TUNE_EINVAL : tune_csv_field(c, j + 1, &f, &last);
        if (rc == TUNE_CSV_MORE)
            return rc;
        if (rc)
            return changed_error(r);
        if (!mixed[j])
            continue;
        size_t len;
        const char *text = tune_csv_field_text(c, &f, &len);
        if (!text)
            return TUNE_ENOMEM;
        double *cell = &t->data[j * r->cap + row];
        if (tune_csv_is_missing(text, len)) {
            *cell = NAN;
            continue;
        }
        long code = add_level(r, j, text, len);
        if (code < 0)
            return tune_csv_nomem(c);
        *cell = (double)code;
    }
    return last ? TUNE_OK : changed_error(r);
}

/* The mixed columns' levels from their cells' text: read the rows again,
 * from the first data record. */
static int reread_mixed(struct reader *r, const unsigned char *mixed)
{
    struct tune_csv *c = &r->c;
    struct tune_table *t = r->t;
    int rc = tune_csv_rewind(c, r->data_start, r->data_line);
    if (rc == TUNE_EUNSUPPORTED)
        return relevel_from_values(r, mixed);
    if (rc)
        return rc;
    for (size_t j = 0; j < t->n_cols; j++)
        if (mixed[j])
            drop_levels(r, j);
    for (size_t row = 0; row < t->n_rows;) {
        rc = tune_csv_skip_blank_lines(c);
        if (rc == 1)
            return changed_error(r);
        if (rc == TUNE_CSV_MORE) {
            if ((rc = tune_csv_refill(c)))
                return rc;
            continue;
        }
        size_t pos = c->pos, line = c->line;
        rc = reread_record(r, row, mixed);
        if (rc == TUNE_CSV_MORE) {
            c->pos = pos;
            c->line = line;
            if ((rc = tune_csv_refill(c)))
                return rc;
            continue;
        }
        if (rc)
            return rc;
        row++;
    }
    for (size_t j = 0; j < t->n_cols; j++)
        tune_intern_release(&r->sets[j]);
    return TUNE_OK;
}

/* Each column's kind from what its cells hold (see the file comment). */
static int settle_columns(struct reader *r)
{
    struct tune_table *t = r->t;
    unsigned char *mixed = NULL;
    for (size_t j = 0; j < t->n_cols; j++) {
        struct tune_column *col = &t->cols[j];
        col->kind = col->n_levels ? TUNE_COL_CATEGORICAL : TUNE_COL_NUMERIC;
        if (!col->n_levels)
            continue;
        double *v = t->data + j * r->cap;
        size_t n_num = 0, n_text = 0, code;
        for (size_t i = 0; i < t->n_rows; i++) {
            if (unbox_level(v[i], &code))
                n_text++;
            else
                n_num += !isnan(v[i]);
        }
        if (n_num == 0) {
            for (size_t i = 0; i < t->n_rows; i++)
                if (unbox_level(v[i], &code))
                    v[i] = (double)code;
            tune_intern_release(&r->sets[j]);
            continue;
        }
        int few = n_num >= 10 && (n_text * 10 <= n_num + n_text ||
                                  (col->n_levels == 1 && n_text < n_num));
        if (few && r->bad == TUNE_BAD_NUMBERS_ERROR) {
            free(mixed);
            return bad_numbers_error(r, j, n_text);
        }
        if (few && r->bad == TUNE_BAD_NUMBERS_MISSING) {
            for (size_t i = 0; i < t->n_rows; i++)
                if (unbox_level(v[i], &code))
                    v[i] = NAN;
            drop_levels(r, j);
            col->kind = TUNE_COL_NUMERIC;
            continue;
        }
        if (!mixed && !(mixed = calloc(t->n_cols, 1)))
            return tune_csv_nomem(&r->c);
        mixed[j] = 1;
    }
    int rc = mixed ? reread_mixed(r, mixed) : TUNE_OK;
    free(mixed);
    return rc;
}

/* Close the gaps left by the row estimate: column j moves down from stride
 * cap to stride n_rows, never over a column not yet moved. */
static void close_up(struct reader *r)
{
    struct tune_table *t = r->t;
    if (r->cap == t->n_rows)
        return;
    for (size_t j = 1; j < t->n_cols; j++)
        memmove(t->data + j * t->n_rows, t->data + j * r->cap, t->n_rows * sizeof *t->data);
    double *data = realloc(t->data, t->n_rows * t->n_cols * sizeof *data);
    if (data)
        t->data = data;
    size_t *row_line = realloc(t->row_line, t->n_rows * sizeof *row_line);
    if (row_line)
        t->row_line = row_line;
    r->cap = t->n_rows;
}

/* ---------------------------------------------------------------- driver */

/* The table of the input r->c was opened on. */
static int read_table(struct reader *r, struct tune_table **out)
{
    struct tune_csv *c = &r->c;
    struct tune_table *t = calloc(1, sizeof *t);
    int rc = TUNE_OK;
    if (!t || !(t->path = dup_span(c->name, strlen(c->name)))) {
        free(t);
        int rc0 = tune_csv_nomem(c);
        tune_csv_release(c); /* the reader owns the input's buffers from its start */
        return rc0;
    }
    r->t = t;
    while (c->n - c->pos < 3 && !c->eof && !(rc = tune_csv_refill(c)))
        ;
    if (!rc && c->n - c->pos >= 3 && memcmp(c->s + c->pos, "\xEF\xBB\xBF", 3) == 0)
        c->pos += 3;
    size_t header_line = 1;
    while (!rc) {
        size_t pos = c->pos, line = c->line;
        rc = read_header(c, t, &header_line);
        if (rc != TUNE_CSV_MORE)
            break;
        c->pos = pos;
        c->line = line;
        rc = tune_csv_refill(c);
    }
    if (rc)
        goto fail;
    c->cols = t->cols;
    c->n_cols = t->n_cols;
    r->data_start = c->offset + c->pos;
    r->data_line = c->line;
    r->sets = calloc(t->n_cols, sizeof *r->sets);
    r->level_cap = calloc(t->n_cols, sizeof *r->level_cap);
    if (!r->sets || !r->level_cap) {
        rc = tune_csv_nomem(c);
        goto fail;
    }
    if ((rc = read_rows(r)))
        goto fail;
    if (t->n_rows == 0) {
        rc = tune_error_set(c->err, TUNE_EINVAL,
                            "%s:%zu:1: no data rows after the header on line %zu", c->name,
                            c->line, header_line);
        goto fail;
    }
    t->checksum = tune_checksum_final(&r->sum);
    if ((rc = settle_columns(r)))
        goto fail;
    close_up(r);
fail:
    if (r->sets)
        for (size_t j = 0; j < t->n_cols; j++)
            tune_intern_release(&r->sets[j]);
    free(r->sets);
    free(r->level_cap);
    tune_csv_release(c);
    if (rc) {
        tune_table_free(t);
        return rc;
    }
    *out = t;
    return TUNE_OK;
}

/* Check the options; the reader starts with them resolved. */
static int start_reader(struct reader *r, const char *name, const struct tune_csv_options *opts,
                        struct tune_error *err)
{
    memset(r, 0, sizeof *r);
    tune_checksum_init(&r->sum);
    struct tune_csv_options o = opts ? *opts : (struct tune_csv_options){0};
    if (!o.delimiter)
        o.delimiter = ',';
    if (!tune_csv_delimiter_ok((unsigned char)o.delimiter))
        return tune_error_set(err, TUNE_EINVAL,
                              "%s: delimiter 0x%02x: expected a tab or one ASCII punctuation "
                              "character other than '\"', '.', '+', '-'",
                              name, (unsigned char)o.delimiter);
    switch (o.bad_numbers) {
    case TUNE_BAD_NUMBERS_DEFAULT: r->bad = TUNE_BAD_NUMBERS_TEXT; break;
    case TUNE_BAD_NUMBERS_TEXT:
    case TUNE_BAD_NUMBERS_ERROR:
    case TUNE_BAD_NUMBERS_MISSING: r->bad = o.bad_numbers; break;
    default:
        return tune_error_set(err, TUNE_EINVAL, "%s: unknown bad_numbers option %d", name,
                              (int)o.bad_numbers);
    }
    r->c.delim = o.delimiter;
    return TUNE_OK;
}

int tune_table_parse_csv_block(const char *name, const char *text, size_t len,
                               const struct tune_csv_options *opts, size_t block,
                               struct tune_table **out, struct tune_error *err)
{
    if (out)
        *out = NULL;
    name = name ? name : "<memory>";
    if (!out || (!text && len))
        return tune_error_set(err, TUNE_EINVAL, "%s: no text or no result pointer", name);
    struct reader r;
    int rc = start_reader(&r, name, opts, err);
    if (rc)
        return rc;
    r.total = len;
    if ((rc = tune_csv_open_memory(&r.c, name, text, len, block, r.c.delim, &r.sum, err))) {
        tune_csv_release(&r.c);
        return rc;
    }
    return read_table(&r, out);
}

/* Whether a failed open means the user named the wrong file (bad input,
 * TUNE_EINVAL) rather than that the system failed (TUNE_EIO). */
static int bad_path_errno(int e)
{
    return e == ENOENT || e == ENOTDIR || e == EACCES || e == EPERM || e == ELOOP ||
           e == ENAMETOOLONG || e == EISDIR;
}

static int open_error(const char *path, int e, struct tune_error *err)
{
    char why[128];
    if (strerror_r(e, why, sizeof why))
        snprintf(why, sizeof why, "error %d", e);
    return tune_error_set(err, bad_path_errno(e) ? TUNE_EINVAL : TUNE_EIO, "%s: cannot open: %s",
                          path, why);
}

int tune_table_read_csv_block(const char *path, const struct tune_csv_options *opts,
                              size_t block, struct tune_table **out, struct tune_error *err)
{
    if (out)
        *out = NULL;
    if (!path || !out)
        return tune_error_set(err, TUNE_EINVAL,
                              "tune_table_read_csv: no path or no result pointer");
    struct reader r;
    int rc = start_reader(&r, path, opts, err);
    if (rc)
        return rc;
    FILE *f = fopen(path, "rb");
    if (!f)
        return open_error(path, errno, err);
    struct stat st;
    if (fstat(fileno(f), &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            fclose(f);
            return open_error(path, EISDIR, err);
        }
        if (S_ISREG(st.st_mode) && st.st_size > 0)
            r.total = (uint64_t)st.st_size;
    }
    rc = tune_csv_open_file(&r.c, path, f, block, r.c.delim, &r.sum, err);
    if (rc)
        tune_csv_release(&r.c);
    else
        rc = read_table(&r, out);
    fclose(f);
    return rc;
}

int tune_table_read_csv_stream(const char *name, FILE *f, uint64_t total,
                               const struct tune_csv_options *opts, struct tune_table **out,
                               struct tune_error *err)
{
    if (out)
        *out = NULL;
    if (!name || !f || !out)
        return tune_error_set(err, TUNE_EINVAL, "no stream or no result pointer");
    struct reader r;
    int rc = start_reader(&r, name, opts, err);
    if (rc)
        return rc;
    r.total = total;
    rc = tune_csv_open_file(&r.c, name, f, TUNE_CSV_BLOCK, r.c.delim, &r.sum, err);
    if (rc) {
        tune_csv_release(&r.c);
        return rc;
    }
    return read_table(&r, out);
}

int tune_table_read_csv_opts(const char *path, const struct tune_csv_options *opts,
                             struct tune_table **out, struct tune_error *err)
{
    return tune_table_read_csv_block(path, opts, TUNE_CSV_BLOCK, out, err);
}

int tune_table_read_csv(const char *path, struct tune_table **out, struct tune_error *err)
{
    return tune_table_read_csv_block(path, NULL, TUNE_CSV_BLOCK, out, err);
}

int tune_table_parse_csv_opts(const char *name, const char *text, size_t len,
                              const struct tune_csv_options *opts, struct tune_table **out,
                              struct tune_error *err)
{
    return tune_table_parse_csv_block(name, text, len, opts, 0, out, err);
}

int tune_table_parse_csv(const char *name, const char *text, size_t len,
                         struct tune_table **out, struct tune_error *err)
{
    return tune_table_parse_csv_block(name, text, len, NULL, 0, out, err);
}
