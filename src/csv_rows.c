/* SPDX-License-Identifier: GPL-3.0-or-later */
/* csv_rows.c — CSV as a stream of blocks of whole records (see
 * src/csv_rows.h for the dialect and why this is not src/dataset.c).
 *
 * Cutting blocks.  The reader fills a buffer of about block_bytes and cuts
 * it after its last complete record.  Without a quote in the buffer (the
 * common case, found with one memchr) the last record ends at the last line
 * feed (or lone carriage return); with quotes, a small state machine walks
 * the buffer as the tokenizer would — a quote opens a quoted field only as
 * its first non-blank character, "" stays inside — so a line break inside
 * quotes never cuts a record.  A buffer holding no complete record grows
 * (doubling) up to MAX_RECORD, past which the file is refused: a record that
 * long is in practice an unterminated quote.  The block handed out is the
 * buffer itself; only the partial record at its end is copied, into the
 * next buffer.
 *
 * Numbers.  Same grammar and same values as src/dataset.c: Clinger's fast
 * path (significand below 2^53, power of ten within 1e22: one correctly
 * rounded IEEE operation), else strtod on a NUL-terminated copy with the
 * locale's decimal point, which is correctly rounded too — so both readers
 * give a cell the same double, bit for bit. */
#include "src/csv_rows.h"
#include "src/decimal.h"

#include <errno.h>
#include <float.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RECORD ((size_t)256 << 20)
#define MAX_FIELDS 1000000

struct tune_csv_blocks {
    FILE *f;
    char *name;
    size_t block_bytes;
    char *buf;
    size_t len, cap;
    int eof;
    char **header;
    size_t n_header, header_lines;
};

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* ---- records ---------------------------------------------------------------- */

/* Length of the line end at p (1 or 2), 0 if none. */
static size_t eol_len(const char *p, const char *end)
{
    if (*p == '\n')
        return 1;
    if (*p == '\r')
        return p + 1 < end && p[1] == '\n' ? 2 : 1;
    return 0;
}

int tune_csv_record(struct tune_csv_cursor *c, struct tune_csv_field *f, size_t max, size_t *n,
                    size_t *rec_line, size_t *bad_field, char *msg, size_t msg_len)
{
    char *p = c->p, *end = c->end;
    *n = 0;
    *bad_field = 0;
    /* blank lines */
    for (;;) {
        char *q = p;
        while (q < end && is_blank(*q))
            q++;
        if (q >= end) {
            c->p = end;
            return 0;
        }
        size_t e = eol_len(q, end);
        if (!e)
            break;
        p = q + e;
        c->line++;
    }
    *rec_line = c->line;
    for (size_t col = 1;; col++) {
        while (p < end && is_blank(*p))
            p++;
        char *start, *stop;
        int quoted = p < end && *p == '"';
        if (quoted) {
            char *w = ++p;
            start = w;
            for (;;) {
                if (p >= end) {
                    *bad_field = col;
                    snprintf(msg, msg_len, "unterminated quote opened here");
                    return -1;
                }
                if (*p == '"') {
                    if (p + 1 < end && p[1] == '"') {
                        *w++ = '"';
                        p += 2;
                        continue;
                    }
                    break;
                }
                if (*p == '\0') {
                    *bad_field = col;
                    snprintf(msg, msg_len, "NUL byte inside a quoted field");
                    return -1;
                }
                if (*p == '\n' || (*p == '\r' && !(p + 1 < end && p[1] == '\n')))
                    c->line++;
                *w++ = *p++;
            }
            stop = w;
            p++; /* the closing quote */
            while (p < end && is_blank(*p))
                p++;
            if (p < end && *p != ',' && *p != '\n' && *p != '\r') {
                *bad_field = col;
                unsigned char b = (unsigned char)*p;
                if (b >= 0x20 && b < 0x7f)
                    snprintf(msg, msg_len, "unexpected '%c' after closing quote", b);
                else
                    snprintf(msg, msg_len, "unexpected byte 0x%02x after closing quote", b);
                return -1;
            }
        } else {
            start = p;
            while (p < end && *p != ',' && *p != '\n' && *p != '\r') {
                if (*p == '\0') {
                    *bad_field = col;
                    snprintf(msg, msg_len, "NUL byte in field");
                    return -1;
                }
                p++;
            }
            stop = p;
            while (stop > start && is_blank(stop[-1]))
                stop--;
        }
        if (*n < max)
            f[*n] = (struct tune_csv_field){start, (size_t)(stop - start), quoted};
        (*n)++;
        if (p >= end) {
            c->p = end;
            return 1;
        }
        if (*p == ',') {
            p++;
            continue;
        }
        p += eol_len(p, end);
        c->line++;
        c->p = p;
        return 1;
    }
}

/* ---- cutting blocks ----------------------------------------------------------- */

/* The end of the last complete record in b[0..n) (0 if none).  `final`:
 * the file ends at n, so the last record is complete however it ends. */
static size_t last_record_end(const char *b, size_t n, int final)
{
    if (final)
        return n;
    if (!memchr(b, '"', n)) {
        for (size_t i = n; i-- > 0;) {
            if (b[i] == '\n')
                return i + 1;
            /* a CR at the very end may be the first half of CR LF */
            if (b[i] == '\r' && i + 1 < n)
                return i + 1;
        }
        return 0;
    }
    enum { START, UNQUOTED, QUOTED, AFTER } st = START;
    size_t cut = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = b[i];
        switch (st) {
        case START:
            if (is_blank(ch))
                break;
            if (ch == '"') {
                st = QUOTED;
                break;
            }
            st = UNQUOTED;
            /* fall through */
        case UNQUOTED:
        case AFTER:
            if (ch == ',') {
                st = START;
            } else if (ch == '\n' || ch == '\r') {
                if (ch == '\r' && i + 1 >= n)
                    return cut; /* CR LF may be cut in two */
                if (ch == '\r' && b[i + 1] == '\n')
                    i++;
                cut = i + 1;
                st = START;
            }
            break;
        case QUOTED:
            if (ch == '"') {
                if (i + 1 < n && b[i + 1] == '"')
                    i++;
                else if (i + 1 < n)
                    st = AFTER;
                else
                    return cut; /* "" may be cut in two */
            }
            break;
        }
    }
    return cut;
}

/* Read more into b->buf (growing it to at least `want` bytes of room). */
static int fill(struct tune_csv_blocks *b, size_t want, struct tune_error *err)
{
    if (b->cap < want) {
        char *nb = realloc(b->buf, want);
        if (!nb)
            return tune_error_set(err, TUNE_ENOMEM, "%s: out of memory for a block of %zu "
                                  "bytes", b->name, want);
        b->buf = nb;
        b->cap = want;
    }
    while (!b->eof && b->len < b->cap) {
        size_t got = fread(b->buf + b->len, 1, b->cap - b->len, b->f);
        b->len += got;
        if (got == 0) {
            if (ferror(b->f))
                return tune_error_set(err, TUNE_EIO, "%s: read error: %s", b->name,
                                      strerror(errno));
            b->eof = 1;
        }
    }
    return TUNE_OK;
}

int tune_csv_blocks_next(struct tune_csv_blocks *b, char **data, size_t *len,
                         struct tune_error *err)
{
    *data = NULL;
    *len = 0;
    size_t want = b->block_bytes;
    for (;;) {
        int rc = fill(b, want > b->cap ? want : b->cap, err);
        if (rc)
            return rc;
        if (b->len == 0)
            return TUNE_OK;
        size_t cut = last_record_end(b->buf, b->len, b->eof);
        if (cut > 0) {
            size_t rest = b->len - cut;
            size_t cap = b->block_bytes > rest ? b->block_bytes : rest + 1;
            char *nb = malloc(cap);
            if (!nb)
                return tune_error_set(err, TUNE_ENOMEM, "%s: out of memory", b->name);
            memcpy(nb, b->buf + cut, rest);
            *data = b->buf;
            *len = cut;
            b->buf = nb;
            b->cap = cap;
            b->len = rest;
            return TUNE_OK;
        }
        if (b->cap >= MAX_RECORD)
            return tune_error_set(err, TUNE_EINVAL, "%s: a record longer than %zu MiB (an "
                                  "unterminated quote?)", b->name, MAX_RECORD >> 20);
        want = 2 * b->cap;
    }
}

/* ---- opening: the header ------------------------------------------------------ */

int tune_csv_blocks_open(FILE *f, const char *name, size_t block_bytes,
                         struct tune_csv_blocks **out, struct tune_error *err)
{
    *out = NULL;
    struct tune_csv_blocks *b = calloc(1, sizeof *b);
    if (!b || !(b->name = strdup(name))) {
        free(b);
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    }
    b->f = f;
    b->block_bytes = block_bytes < 4096 ? 4096 : block_bytes;
    int rc = fill(b, b->block_bytes, err);
    if (!rc && b->len >= 3 && memcmp(b->buf, "\xef\xbb\xbf", 3) == 0) {
        memmove(b->buf, b->buf + 3, b->len - 3);
        b->len -= 3;
    }
    /* the header: the first record, which must lie in the first buffer
     * (grown until it does) */
    while (!rc) {
        size_t cut = last_record_end(b->buf, b->len, b->eof);
        struct tune_csv_cursor c = {b->buf, b->buf + cut, 0};
        size_t n = 0, line = 0, bad = 0, upper = 1;
        char msg[200];
        /* at most one field more than there are commas (the buffer is parsed
         * once: quotes are removed in place) */
        for (size_t i = 0; i < cut; i++)
            upper += b->buf[i] == ',';
        if (upper > MAX_FIELDS)
            upper = MAX_FIELDS;
        struct tune_csv_field *fields = malloc(upper * sizeof *fields);
        if (!fields) {
            rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
            break;
        }
        struct tune_csv_cursor c2 = c;
        int got = cut ? tune_csv_record(&c2, fields, upper, &n, &line, &bad, msg, sizeof msg) : 0;
        if (got == 0 && !b->eof) {
            free(fields);
            if (b->cap >= MAX_RECORD) {
                rc = tune_error_set(err, TUNE_EINVAL, "%s: no header within %zu MiB", name,
                                    MAX_RECORD >> 20);
                break;
            }
            rc = fill(b, 2 * b->cap, err);
            continue;
        }
        if (got == 0) {
            free(fields);
            rc = tune_error_set(err, TUNE_EINVAL, "%s: empty file (no header row)", name);
            break;
        }
        if (got < 0 || n > upper) {
            free(fields);
            rc = got < 0 ? tune_error_set(err, TUNE_EINVAL, "%s:%zu:%zu: %s", name, line + 1,
                                          bad, msg)
                         : tune_error_set(err, TUNE_EINVAL, "%s:%zu: more than %d columns",
                                          name, line + 1, MAX_FIELDS);
            break;
        }
        c = c2;
        b->header = calloc(n + 1, sizeof *b->header);
        if (!b->header) {
            free(fields);
            rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
            break;
        }
        for (size_t j = 0; j < n && !rc; j++) {
            if (!(b->header[j] = malloc(fields[j].len + 1))) {
                rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
                break;
            }
            memcpy(b->header[j], fields[j].p, fields[j].len);
            b->header[j][fields[j].len] = '\0';
            b->n_header = j + 1;
        }
        free(fields);
        b->header_lines = c.line;
        size_t used = (size_t)(c.p - b->buf);
        memmove(b->buf, b->buf + used, b->len - used);
        b->len -= used;
        break;
    }
    if (rc) {
        tune_csv_blocks_close(b);
        return rc;
    }
    *out = b;
    return TUNE_OK;
}

void tune_csv_blocks_close(struct tune_csv_blocks *b)
{
    if (!b)
        return;
    for (size_t j = 0; j < b->n_header; j++)
        free(b->header[j]);
    free(b->header);
    free(b->buf);
    free(b->name);
    free(b);
}

size_t tune_csv_blocks_header(const struct tune_csv_blocks *b, char *const **names)
{
    *names = b->header;
    return b->n_header;
}

size_t tune_csv_blocks_header_lines(const struct tune_csv_blocks *b)
{
    /* the header record's own line end counts; a header without one (the
     * whole file) still took a line */
    return b->header_lines ? b->header_lines : 1;
}

/* ---- cells -------------------------------------------------------------------- */

int tune_csv_missing(const char *p, size_t len)
{
    switch (len) {
    case 0: return 1;
    case 1: return p[0] == '?';
    case 2: return p[0] == 'N' && p[1] == 'A';
    case 3: return (p[0] | 0x20) == 'n' && (p[1] | 0x20) == 'a' && (p[2] | 0x20) == 'n';
    default: return 0;
    }
}

static int ascii_caseeq(const char *p, size_t len, const char *lower)
{
    size_t i = 0;
    for (; i < len && lower[i]; i++)
        if ((p[i] | 0x20) != lower[i])
            return 0;
    return i == len && lower[i] == '\0';
}

/* The decimal literal at the start of p[0..end): its value into *v and the
 * end of the literal, or NULL when p does not start with one.  The CSV
 * reader's scanner and tiers (src/decimal.h).  Only the last tier (strtod)
 * reads the locale's decimal point: it runs first with '.', and again with
 * the locale's point only when a process locale with another one (a host
 * program's setlocale) made strtod refuse the literal. */
const char *tune_csv_number_prefix(const char *p, const char *end, double *v)
{
    struct tune_decimal d;
    const char *q = tune_decimal_scan(p, end, &d);
    if (!q)
        return NULL;
    size_t len = (size_t)(q - p);
    int k = tune_decimal_value(&d, p, len, 0, v);
    if (k == 0) {
        char dp = tune_decimal_point();
        if (dp)
            k = tune_decimal_strtod(p, len, dp, v);
    }
    return k == 1 ? q : NULL;
}

int tune_csv_number(const char *p, size_t len, double *v)
{
    const char *end = p + len;
    if (tune_csv_number_prefix(p, end, v) == end)
        return 1;
    size_t i = (len && (p[0] == '+' || p[0] == '-')) ? 1 : 0;
    if (ascii_caseeq(p + i, len - i, "inf") || ascii_caseeq(p + i, len - i, "infinity")) {
        *v = p[0] == '-' ? -INFINITY : INFINITY;
        return 1;
    }
    return 0;
}
