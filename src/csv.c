/* SPDX-License-Identifier: GPL-3.0-or-later */
/* csv.c — the CSV tokenizer: fields, and number cells, from the input read
 * block by block.
 *
 * A field is a span of the window, never a copy, unless it is quoted with
 * doubled quotes inside (then it is unescaped into one reusable scratch
 * buffer).  The common cell, an unquoted number, is scanned once as a
 * number and a field together (tune_csv_number_cell).
 *
 * Blocks.  The input is seen through a window s[0..n): the whole text when
 * it is already in memory (block 0), else a buffer refilled from the file
 * (or, for tests, from the text) `block` bytes at a time.  A record may
 * straddle the window's end — a quoted field with newlines, a number cut in
 * two, a CRLF whose LF is in the next block.  The scanners never guess: the
 * moment one needs a byte past the window and the input has more, it
 * returns TUNE_CSV_MORE; the caller moves pos back to the record's start,
 * refills (the partial record moves to the buffer's front and more is read
 * after it) and scans the record again.  Only bytes before the window's
 * end decide anything, so a record scans to the same fields and the same
 * errors wherever the block boundaries fall — the property the tests and
 * the fuzz target check.  A refill reads at least as many bytes as it keeps,
 * so a record of any length is rescanned O(1) times per byte.
 *
 * Dialect (RFC 4180 plus what real files do): comma separator unless told
 * otherwise (a tab or ASCII punctuation); CRLF, LF or a lone CR ends a
 * record; lines that are empty or hold only spaces/tabs are skipped wherever
 * they are (a tab is a separator, not a blank, when it is the separator);
 * unquoted fields are trimmed of spaces and tabs, quoted fields keep their
 * content exactly; a field may be padded with spaces around its quotes, but
 * any other character after a closing quote is an error; NUL bytes are an
 * error (they would silently cut names and levels short).
 *
 * Missing values: an empty cell, NA, ? and NaN (any case), quoted or not.
 *
 * Invariants: no read at or past s + n; c->line is the physical line of
 * s[pos], counting newlines inside quoted fields (a CRLF counts once);
 * every byte of the input goes into the checksum once, in order; every
 * error is TUNE_EINVAL naming name:line:column, except a failed read
 * (TUNE_EIO) and memory (TUNE_ENOMEM). */
#include "src/csv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "src/checksum.h"
#include "src/decimal.h"

int tune_csv_delimiter_ok(int ch)
{
    /* not the quote, nor what numbers are made of */
    return ch == '\t' || (ch > 0x20 && ch < 0x7f && !strchr("\".+-", ch) &&
                          !(ch >= '0' && ch <= '9') && !((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z'));
}

static void start(struct tune_csv *c, const char *name, size_t block, char delim,
                  struct tune_checksum *sum, struct tune_error *err)
{
    memset(c, 0, sizeof *c);
    c->name = name;
    c->line = 1;
    c->block = block;
    c->delim = delim;
    c->sum = sum;
    c->err = err;
    c->dp = tune_decimal_point();
    c->s = "";
}

int tune_csv_open_memory(struct tune_csv *c, const char *name, const char *text, size_t len,
                         size_t block, char delim, struct tune_checksum *sum,
                         struct tune_error *err)
{
    start(c, name, block, delim, sum, err);
    c->text = text ? text : "";
    c->text_len = len;
    if (block == 0) { /* in place: the whole text is the window */
        c->s = c->text;
        c->n = len;
        c->eof = 1;
        if (sum)
            tune_checksum_update(sum, c->text, len);
        return TUNE_OK;
    }
    return tune_csv_refill(c);
}

int tune_csv_open_file(struct tune_csv *c, const char *name, FILE *f, size_t block, char delim,
                       struct tune_checksum *sum, struct tune_error *err)
{
    start(c, name, block ? block : TUNE_CSV_BLOCK, delim, sum, err);
    c->f = f;
    return tune_csv_refill(c);
}

void tune_csv_release(struct tune_csv *c)
{
    free(c->buf);
    free(c->scratch);
    c->buf = c->scratch = NULL;
    c->cap = c->scratch_cap = 0;
}

int tune_csv_refill(struct tune_csv *c)
{
    if (c->eof)
        return TUNE_OK;
    size_t keep = c->n - c->pos, want = keep > c->block ? keep : c->block;
    if (keep + want > c->cap) {
        if (want > SIZE_MAX / 2 - keep)
            return tune_csv_nomem(c);
        size_t cap = keep + want;
        char *buf = malloc(cap);
        if (!buf)
            return tune_csv_nomem(c);
        memcpy(buf, c->s + c->pos, keep);
        free(c->buf);
        c->buf = buf;
        c->cap = cap;
    } else if (keep) {
        memmove(c->buf, c->s + c->pos, keep);
    }
    c->offset += c->pos;
    c->s = c->buf;
    c->pos = 0;
    size_t got;
    if (c->f) {
        got = fread(c->buf + keep, 1, want, c->f);
        if (got < want && ferror(c->f)) {
            int e = errno;
            char why[128];
            if (strerror_r(e, why, sizeof why))
                snprintf(why, sizeof why, "error %d", e);
            return tune_error_set(c->err, TUNE_EIO, "%s: cannot read: %s", c->name, why);
        }
    } else {
        size_t left = c->text_len - c->text_off;
        got = left < want ? left : want;
        memcpy(c->buf + keep, c->text + c->text_off, got);
        c->text_off += got;
    }
    if (got < want)
        c->eof = 1;
    if (c->sum)
        tune_checksum_update(c->sum, c->buf + keep, got);
    c->n = keep + got;
    return TUNE_OK;
}

int tune_csv_rewind(struct tune_csv *c, uint64_t offset, size_t line)
{
    c->sum = NULL;
    c->line = line;
    if (c->block == 0) {
        c->pos = (size_t)offset;
        return TUNE_OK;
    }
    if (c->f) {
        if (offset > (uint64_t)INT64_MAX || fseeko(c->f, (off_t)offset, SEEK_SET) != 0)
            return TUNE_EUNSUPPORTED;
        clearerr(c->f);
    } else {
        c->text_off = (size_t)offset;
    }
    c->offset = offset;
    c->n = c->pos = 0;
    c->eof = 0;
    return tune_csv_refill(c);
}

const char *tune_csv_shown(const char *s, char *buf, size_t size)
{
    size_t k = 0;
    for (; *s && k + 8 < size; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '\n')
            k += (size_t)snprintf(buf + k, size - k, "\\n");
        else if (ch == '\r')
            k += (size_t)snprintf(buf + k, size - k, "\\r");
        else if (ch < 0x20 || ch == 0x7f)
            k += (size_t)snprintf(buf + k, size - k, "\\x%02x", ch);
        else
            buf[k++] = (char)ch;
    }
    if (*s)
        k += (size_t)snprintf(buf + k, size - k, "...");
    buf[k] = '\0';
    return buf;
}

int tune_csv_error(const struct tune_csv *c, size_t line, size_t col, const char *fmt, ...)
{
    char what[TUNE_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (col >= 1 && col <= c->n_cols) {
        char name[96];
        return tune_error_set(c->err, TUNE_EINVAL, "%s:%zu:%zu: %s (column '%s')", c->name, line,
                              col, what, tune_csv_shown(c->cols[col - 1].name, name, sizeof name));
    }
    return tune_error_set(c->err, TUNE_EINVAL, "%s:%zu:%zu: %s", c->name, line, col, what);
}

int tune_csv_nomem(const struct tune_csv *c)
{
    return tune_error_set(c->err, TUNE_ENOMEM, "%s: out of memory reading CSV", c->name);
}

static inline int is_blank(const struct tune_csv *c, char ch)
{
    return ch == ' ' || (ch == '\t' && c->delim != '\t');
}

/* After a field: consume the separator or line end at s[i] (or the end of
 * the input there).  TUNE_CSV_MORE when s[i] is a CR the window ends on, or
 * the window ends at i and the input does not. */
static inline int end_field(struct tune_csv *c, size_t i, int *last)
{
    if (i >= c->n) {
        if (!c->eof)
            return TUNE_CSV_MORE;
        *last = 1;
        c->pos = c->n;
        return TUNE_OK;
    }
    char ch = c->s[i];
    if (ch == c->delim) {
        *last = 0;
        c->pos = i + 1;
        return TUNE_OK;
    }
    if (ch == '\r') {
        if (i + 1 >= c->n && !c->eof)
            return TUNE_CSV_MORE;
        c->pos = i + (i + 1 < c->n && c->s[i + 1] == '\n' ? 2 : 1);
    } else {
        c->pos = i + 1;
    }
    *last = 1;
    c->line++;
    return TUNE_OK;
}

/* Leading blanks of a real record are left for the field scanner. */
int tune_csv_skip_blank_lines(struct tune_csv *c)
{
    for (;;) {
        size_t i = c->pos;
        while (i < c->n && is_blank(c, c->s[i]))
            i++;
        if (i >= c->n) {
            if (!c->eof)
                return TUNE_CSV_MORE;
            c->pos = c->n;
            return 1;
        }
        if (c->s[i] == '\r') {
            if (i + 1 >= c->n && !c->eof)
                return TUNE_CSV_MORE;
            c->pos = i + (i + 1 < c->n && c->s[i + 1] == '\n' ? 2 : 1);
        } else if (c->s[i] == '\n') {
            c->pos = i + 1;
        } else {
            return 0;
        }
        c->line++;
    }
}

int tune_csv_field(struct tune_csv *c, size_t col, struct tune_csv_field *f, int *last)
{
    const char *s = c->s;
    size_t n = c->n, i = c->pos;
    char delim = c->delim;
    while (i < n && is_blank(c, s[i]))
        i++;
    f->line = c->line;
    f->escaped = 0;
    if (i < n && s[i] == '"') {
        size_t start = ++i;
        for (;;) {
            if (i >= n) {
                if (!c->eof)
                    return TUNE_CSV_MORE;
                return tune_csv_error(c, f->line, col, "unterminated quote opened here");
            }
            char ch = s[i];
            if (ch == '"') {
                if (i + 1 >= n && !c->eof)
                    return TUNE_CSV_MORE;
                if (i + 1 < n && s[i + 1] == '"') {
                    f->escaped = 1;
                    i += 2;
                    continue;
                }
                break;
            }
            if (ch == '\0')
                return tune_csv_error(c, c->line, col, "NUL byte inside a quoted field");
            if (ch == '\n' || (ch == '\r' && !(i + 1 < n && s[i + 1] == '\n')))
                c->line++;
            i++;
        }
        f->p = s + start;
        f->len = i - start;
        i++; /* the closing quote */
        while (i < n && is_blank(c, s[i]))
            i++;
        if (i < n && s[i] != delim && s[i] != '\n' && s[i] != '\r') {
            unsigned char bad = (unsigned char)s[i];
            if (bad >= 0x20 && bad < 0x7f)
                return tune_csv_error(c, c->line, col, "unexpected '%c' after closing quote",
                                      bad);
            return tune_csv_error(c, c->line, col, "unexpected byte 0x%02x after closing quote",
                                  bad);
        }
    } else {
        size_t start = i;
        while (i < n) {
            char ch = s[i];
            if (ch == delim || ch == '\n' || ch == '\r')
                break;
            if (ch == '\0')
                return tune_csv_error(c, c->line, col, "NUL byte in field");
            i++;
        }
        size_t end = i;
        while (end > start && is_blank(c, s[end - 1]))
            end--;
        f->p = s + start;
        f->len = end - start;
    }
    return end_field(c, i, last);
}

static int scratch_reserve(struct tune_csv *c, size_t need)
{
    if (need <= c->scratch_cap)
        return TUNE_OK;
    size_t cap = c->scratch_cap ? c->scratch_cap : 64;
    while (cap < need)
        cap *= 2;
    char *p = realloc(c->scratch, cap);
    if (!p)
        return tune_csv_nomem(c);
    c->scratch = p;
    c->scratch_cap = cap;
    return TUNE_OK;
}

const char *tune_csv_field_text(struct tune_csv *c, const struct tune_csv_field *f, size_t *len)
{
    if (!f->escaped) {
        *len = f->len;
        return f->p;
    }
    if (scratch_reserve(c, f->len + 1))
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < f->len; i++) {
        c->scratch[k++] = f->p[i];
        if (f->p[i] == '"')
            i++; /* the second of a doubled pair */
    }
    c->scratch[k] = '\0';
    *len = k;
    return c->scratch;
}

int tune_csv_is_missing(const char *p, size_t len)
{
    switch (len) {
    case 0: return 1;
    case 1: return p[0] == '?';
    case 2: return p[0] == 'N' && p[1] == 'A';
    case 3:
        return (p[0] | 0x20) == 'n' && (p[1] | 0x20) == 'a' && (p[2] | 0x20) == 'n';
    default: return 0;
    }
}

int tune_csv_number_cell(struct tune_csv *c, double *out, int *last)
{
    const char *p = c->s + c->pos, *end = c->s + c->n;
    struct tune_decimal d;
    const char *q = tune_decimal_scan(p, end, &d);
    if (!q)
        return 0;
    const char *t = q;
    while (t < end && is_blank(c, *t))
        t++;
    if (t >= end ? !c->eof : (*t != c->delim && *t != '\n' && *t != '\r'))
        return 0; /* text after the digits, or maybe more digits past the window */
    int k = tune_decimal_value(&d, p, (size_t)(q - p), c->dp, out);
    if (k <= 0)
        return k;
    return end_field(c, (size_t)(t - c->s), last) == TUNE_OK;
}
