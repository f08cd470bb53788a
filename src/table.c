/* table.c — a CSV file or text as a `tune_table` (tunefold/dataset.h).
 *
 * Reading.  The whole file is read into memory once and tokenized in place
 * (src/csv.c).  Pass 1 walks every record, checks its shape, and converts
 * each cell of a column still believed numeric straight into the
 * column-major block; the first cell that is neither missing nor a number
 * marks its column categorical.  Only when some column is categorical does
 * pass 2 re-tokenize the rows (already known to be well formed) to turn
 * that column's text into level codes.  A numeric file therefore costs one
 * pass and no allocation per cell.
 *
 * Invariants of a table built here:
 *   - n_rows >= 1, n_cols >= 1, column names non-empty and distinct;
 *   - data[col * n_rows + row]; missing cells are NAN, and no other cell is;
 *   - a categorical column holds codes 0..n_levels-1, levels in order of
 *     first appearance, every level used at least once;
 *   - row_line[row] is the physical 1-based line where the row starts,
 *     counting newlines inside quoted fields.
 *
 * A UTF-8 BOM at the very start is skipped.  Numbers are read by
 * src/decimal.c, names and levels interned by src/intern.c. */
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

/* The header row: names non-empty and distinct (checked by hashing as they
 * come, so a wide header costs no quadratic scan). */
static int read_header(struct tune_csv *c, struct tune_table *t, size_t *header_line)
{
    if (tune_csv_skip_blank_lines(c))
        return tune_csv_error(c, c->line, 1, "empty file, expected a header row");
    *header_line = c->line;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct tune_intern seen = {0};
    int rc = TUNE_OK, last = 0;
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

/* Grow the column-major block (stride *cap) to hold at least `need` rows. */
static int grow_rows(struct tune_csv *c, struct tune_table *t, size_t *cap, size_t need)
{
    size_t ncap = *cap * 2 > need ? *cap * 2 : need;
    if (ncap > SIZE_MAX / sizeof(double) / t->n_cols)
        return tune_csv_nomem(c);
    double *data = malloc(ncap * t->n_cols * sizeof *data);
    size_t *row_line = realloc(t->row_line, ncap * sizeof *row_line);
    if (row_line)
        t->row_line = row_line;
    if (!data || !row_line) {
        free(data);
        return tune_csv_nomem(c);
    }
    for (size_t j = 0; j < t->n_cols && t->data; j++)
        memcpy(data + j * ncap, t->data + j * *cap, t->n_rows * sizeof *data);
    free(t->data);
    t->data = data;
    *cap = ncap;
    return TUNE_OK;
}

/* Pass 1: shape of every record, numbers of every still-numeric column. */
static int read_rows(struct tune_csv *c, struct tune_table *t, size_t *cap, unsigned char *is_cat)
{
    size_t n_cols = t->n_cols;
    while (!tune_csv_skip_blank_lines(c)) {
        size_t r = t->n_rows;
        if (r == *cap) { /* not reached: estimate_rows is an upper bound */
            int rc = grow_rows(c, t, cap, r + 1);
            if (rc)
                return rc;
        }
        double *data = t->data;
        size_t stride = *cap;
        t->row_line[r] = c->line;
        size_t j = 0, extra_line = 0, last_line = c->line;
        int last = 0;
        while (!last) {
            if (j < n_cols && !is_cat[j]) {
                last_line = c->line;
                int k = tune_csv_number_cell(c, &data[j * stride + r], &last);
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
                double v = NAN;
                if (!is_cat[j] && !tune_csv_is_missing(f.p, f.len)) {
                    int k = tune_decimal_parse(f.p, f.len, c->dp, &v);
                    if (k < 0)
                        return tune_csv_nomem(c);
                    if (k == 0) {
                        is_cat[j] = 1;
                        v = NAN;
                    }
                }
                data[j * stride + r] = v;
            } else if (j == n_cols) {
                extra_line = f.line;
            }
            j++;
        }
        if (j > n_cols)
            return tune_csv_error(c, extra_line, n_cols + 1, "expected %zu fields, got %zu", n_cols, j);
        if (j < n_cols)
            return tune_csv_error(c, last_line, j + 1, "expected %zu fields, got %zu", n_cols, j);
        t->n_rows++;
    }
    return TUNE_OK;
}

/* Pass 2: level codes for the categorical columns.  The rows were checked
 * by pass 1, so the tokenizer cannot fail here. */
static int encode_levels(struct tune_csv *c, struct tune_table *t, size_t stride,
                         const unsigned char *is_cat)
{
    size_t n_cols = t->n_cols;
    struct tune_intern *sets = calloc(n_cols, sizeof *sets);
    size_t *level_cap = calloc(n_cols, sizeof *level_cap);
    int rc = TUNE_OK;
    if (!sets || !level_cap) {
        rc = tune_csv_nomem(c);
        goto done;
    }
    for (size_t r = 0; r < t->n_rows && !rc; r++) {
        tune_csv_skip_blank_lines(c);
        for (size_t j = 0; j < n_cols && !rc; j++) {
            struct tune_csv_field f;
            int last;
            rc = tune_csv_field(c, j + 1, &f, &last);
            if (rc || !is_cat[j])
                continue;
            struct tune_column *col = &t->cols[j];
            size_t len;
            const char *text = tune_csv_field_text(c, &f, &len);
            if (!text) {
                rc = TUNE_ENOMEM;
                continue;
            }
            if (tune_csv_is_missing(text, len)) {
                t->data[j * stride + r] = NAN;
                continue;
            }
            if (col->n_levels == level_cap[j]) {
                size_t ncap = level_cap[j] ? level_cap[j] * 2 : 8;
                char **levels = realloc(col->levels, ncap * sizeof *levels);
                if (!levels) {
                    rc = tune_csv_nomem(c);
                    continue;
                }
                col->levels = levels;
                level_cap[j] = ncap;
            }
            long code = tune_intern(&sets[j], col->levels, text, len, col->n_levels);
            if (code < 0) {
                rc = tune_csv_nomem(c);
                continue;
            }
            if ((size_t)code == col->n_levels) {
                col->levels[code] = dup_span(text, len);
                if (!col->levels[code]) {
                    rc = tune_csv_nomem(c);
                    continue;
                }
                col->n_levels++;
            }
            t->data[j * stride + r] = (double)code;
        }
    }
done:
    if (sets)
        for (size_t j = 0; j < n_cols; j++)
            tune_intern_release(&sets[j]);
    free(sets);
    free(level_cap);
    return rc;
}

/* An upper bound on the data rows: at most one per line terminator (plus an
 * unterminated last line), and each but the last takes at least n_cols
 * bytes (n_cols-1 commas and its terminator).  The block is sized once from
 * it; the second bound keeps a file of many short lines under a wide header
 * from reserving rows x columns it cannot fill. */
static size_t estimate_rows(const struct tune_csv *c, size_t n_cols)
{
    const char *p = c->s + c->pos, *end = c->s + c->n;
    size_t lines = 1;
    for (const char *q; p < end && (q = memchr(p, '\n', (size_t)(end - p))); p = q + 1)
        lines++;
    if (memchr(c->s + c->pos, '\r', c->n - c->pos)) /* lone CRs end lines too */
        for (p = c->s + c->pos; p < end; p++)
            lines += *p == '\r' && (p + 1 == end || p[1] != '\n');
    size_t by_bytes = (c->n - c->pos) / n_cols + 1;
    return lines < by_bytes ? lines : by_bytes;
}

int tune_table_parse_csv(const char *name, const char *text, size_t len,
                         struct tune_table **out, struct tune_error *err)
{
    struct tune_csv c = {.name = name ? name : "<memory>", .s = text, .n = len, .line = 1,
                    .err = err};
    struct tune_table *t = NULL;
    unsigned char *is_cat = NULL;
    int rc;
    if (out)
        *out = NULL;
    if (!out || (!text && len))
        return tune_error_set(err, TUNE_EINVAL, "%s: no text or no result pointer", c.name);
    if (!text)
        c.s = "";
    c.dp = tune_decimal_point();
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        c.pos = 3;

    t = calloc(1, sizeof *t);
    if (!t || !(t->path = dup_span(c.name, strlen(c.name)))) {
        rc = tune_csv_nomem(&c);
        goto fail;
    }
    struct tune_checksum sum;
    tune_checksum_init(&sum);
    tune_checksum_update(&sum, text ? text : "", len);
    t->checksum = tune_checksum_final(&sum);
    size_t header_line = 1;
    rc = read_header(&c, t, &header_line);
    if (rc)
        goto fail;
    c.cols = t->cols;
    c.n_cols = t->n_cols;

    size_t data_pos = c.pos, data_line = c.line, cap = 0;
    is_cat = calloc(t->n_cols, 1);
    if (!is_cat) {
        rc = tune_csv_nomem(&c);
        goto fail;
    }
    rc = grow_rows(&c, t, &cap, estimate_rows(&c, t->n_cols));
    if (rc)
        goto fail;
    rc = read_rows(&c, t, &cap, is_cat);
    if (rc)
        goto fail;
    if (t->n_rows == 0) {
        rc = tune_error_set(err, TUNE_EINVAL, "%s:%zu:1: no data rows after the header on line %zu",
                            c.name, c.line, header_line);
        goto fail;
    }

    int any_cat = 0;
    for (size_t j = 0; j < t->n_cols; j++) {
        t->cols[j].kind = is_cat[j] ? TUNE_COL_CATEGORICAL : TUNE_COL_NUMERIC;
        any_cat |= is_cat[j];
    }
    if (any_cat) {
        c.pos = data_pos;
        c.line = data_line;
        rc = encode_levels(&c, t, cap, is_cat);
        if (rc)
            goto fail;
    }

    /* Close the gaps left by the row estimate: column j moves down from
     * stride cap to stride n_rows, never over a column not yet moved. */
    if (cap != t->n_rows) {
        for (size_t j = 1; j < t->n_cols; j++)
            memmove(t->data + j * t->n_rows, t->data + j * cap, t->n_rows * sizeof *t->data);
        double *data = realloc(t->data, t->n_rows * t->n_cols * sizeof *data);
        if (data)
            t->data = data;
        size_t *row_line = realloc(t->row_line, t->n_rows * sizeof *row_line);
        if (row_line)
            t->row_line = row_line;
    }
    free(is_cat);
    free(c.scratch);
    *out = t;
    return TUNE_OK;

fail:
    free(is_cat);
    free(c.scratch);
    tune_table_free(t);
    return rc;
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

/* The whole file in one malloc'ed buffer; the size from fstat is only a hint,
 * so pipes and files that grow while read still work. */
static int read_file(const char *path, char **buf_out, size_t *len_out, struct tune_error *err)
{
    char why[128];
    FILE *f = fopen(path, "rb");
    if (!f)
        return open_error(path, errno, err);
    struct stat st;
    size_t cap = 1 << 16, len = 0;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        return open_error(path, EISDIR, err);
    }
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
        cap = (size_t)st.st_size + 1;
    char *buf = malloc(cap);
    int rc = TUNE_OK;
    while (buf) {
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap)
            break;
        char *nbuf = cap > SIZE_MAX / 2 ? NULL : realloc(buf, cap * 2);
        if (!nbuf) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nbuf;
        cap *= 2;
    }
    if (!buf) {
        rc = tune_error_set(err, TUNE_ENOMEM, "%s: out of memory reading CSV", path);
    } else if (ferror(f)) {
        int e = errno;
        if (strerror_r(e, why, sizeof why))
            snprintf(why, sizeof why, "error %d", e);
        rc = tune_error_set(err, TUNE_EIO, "%s: cannot read: %s", path, why);
    }
    fclose(f);
    if (rc) {
        free(buf);
        return rc;
    }
    *buf_out = buf;
    *len_out = len;
    return TUNE_OK;
}

int tune_table_read_csv(const char *path, struct tune_table **out, struct tune_error *err)
{
    if (out)
        *out = NULL;
    if (!path || !out)
        return tune_error_set(err, TUNE_EINVAL, "tune_table_read_csv: no path or no result pointer");
    char *buf;
    size_t len;
    int rc = read_file(path, &buf, &len, err);
    if (rc)
        return rc;
    rc = tune_table_parse_csv(path, buf, len, out, err);
    free(buf);
    return rc;
}

