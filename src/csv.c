/* csv.c — the CSV tokenizer: fields, and number cells, from text held in
 * memory.
 *
 * A field is a span of the text, never a copy, unless it is quoted with
 * doubled quotes inside (then it is unescaped into one reusable scratch
 * buffer).  The common cell, an unquoted number, is scanned once as a
 * number and a field together (tune_csv_number_cell).
 *
 * Dialect (RFC 4180 plus what real files do): comma separator; CRLF, LF or
 * a lone CR ends a record; lines that are empty or hold only spaces/tabs
 * are skipped wherever they are; unquoted fields are trimmed of spaces and
 * tabs, quoted fields keep their content exactly; a field may be padded with
 * spaces around its quotes, but any other character after a closing quote
 * is an error; NUL bytes are an error (they would silently cut names and
 * levels short).
 *
 * Missing values: an empty cell, NA, ? and NaN (any case), quoted or not.
 *
 * Invariants: no read at or past s + n; c->line is the physical line of
 * s[pos], counting newlines inside quoted fields (a CRLF counts once);
 * every error is TUNE_EINVAL naming name:line:column. */
#include "src/csv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/decimal.h"

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

static int is_blank(char ch)
{
    return ch == ' ' || ch == '\t';
}

/* Length of the line terminator at s[i] (CRLF, LF or lone CR), or 0. */
static size_t eol_len(const struct tune_csv *c, size_t i)
{
    if (i >= c->n)
        return 0;
    if (c->s[i] == '\n')
        return 1;
    if (c->s[i] == '\r')
        return (i + 1 < c->n && c->s[i + 1] == '\n') ? 2 : 1;
    return 0;
}

/* Leading blanks of a real record are left for the field scanner. */
int tune_csv_skip_blank_lines(struct tune_csv *c)
{
    for (;;) {
        size_t i = c->pos;
        while (i < c->n && is_blank(c->s[i]))
            i++;
        if (i >= c->n) {
            c->pos = c->n;
            return 1;
        }
        size_t e = eol_len(c, i);
        if (e == 0)
            return 0;
        c->pos = i + e;
        c->line++;
    }
}

int tune_csv_field(struct tune_csv *c, size_t col, struct tune_csv_field *f, int *last)
{
    const char *s = c->s;
    size_t n = c->n, i = c->pos;
    while (i < n && is_blank(s[i]))
        i++;
    f->line = c->line;
    f->escaped = 0;
    if (i < n && s[i] == '"') {
        size_t start = ++i;
        for (;;) {
            if (i >= n)
                return tune_csv_error(c, f->line, col, "unterminated quote opened here");
            char ch = s[i];
            if (ch == '"') {
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
        while (i < n && is_blank(s[i]))
            i++;
        if (i < n && s[i] != ',' && s[i] != '\n' && s[i] != '\r') {
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
            if (ch == ',' || ch == '\n' || ch == '\r')
                break;
            if (ch == '\0')
                return tune_csv_error(c, c->line, col, "NUL byte in field");
            i++;
        }
        size_t end = i;
        while (end > start && is_blank(s[end - 1]))
            end--;
        f->p = s + start;
        f->len = end - start;
    }
    if (i >= n) {
        *last = 1;
        c->pos = n;
    } else if (s[i] == ',') {
        *last = 0;
        c->pos = i + 1;
    } else {
        *last = 1;
        c->pos = i + eol_len(c, i);
        c->line++;
    }
    return TUNE_OK;
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
    while (t < end && is_blank(*t))
        t++;
    if (t < end && *t != ',' && *t != '\n' && *t != '\r')
        return 0;
    int k = tune_decimal_value(&d, p, (size_t)(q - p), c->dp, out);
    if (k <= 0)
        return k;
    size_t i = (size_t)(t - c->s);
    if (i >= c->n) {
        *last = 1;
        c->pos = c->n;
    } else if (c->s[i] == ',') {
        *last = 0;
        c->pos = i + 1;
    } else {
        *last = 1;
        c->pos = i + eol_len(c, i);
        c->line++;
    }
    return 1;
}
