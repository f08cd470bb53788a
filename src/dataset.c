/* dataset.c — CSV tables, and their split into features and target.
 *
 * Reading.  The whole file is read into memory once and tokenized in place:
 * a field is a span of the buffer, never a copy, unless it is quoted with
 * doubled quotes inside (then it is unescaped into one reusable scratch
 * buffer).  Pass 1 walks every record, checks its shape, and converts each
 * cell of a column still believed numeric straight into the column-major
 * block; the first cell that is neither missing nor a number marks its
 * column categorical.  Only when some column is categorical does pass 2
 * re-tokenize the rows (already known to be well formed) to turn that
 * column's text into level codes.  A numeric file therefore costs one pass
 * and no allocation per cell.
 *
 * Invariants of a table built here:
 *   - n_rows >= 1, n_cols >= 1, column names non-empty and distinct;
 *   - data[col * n_rows + row]; missing cells are NAN, and no other cell is;
 *   - a categorical column holds codes 0..n_levels-1, levels in order of
 *     first appearance, every level used at least once;
 *   - row_line[row] is the physical 1-based line where the row starts,
 *     counting newlines inside quoted fields.
 *
 * Dialect (RFC 4180 plus what real files do): comma separator; CRLF, LF or
 * a lone CR ends a record; a UTF-8 BOM at the very start is skipped; lines
 * that are empty or hold only spaces/tabs are skipped wherever they are;
 * unquoted fields are trimmed of spaces and tabs, quoted fields keep their
 * content exactly; a field may be padded with spaces around its quotes, but
 * any other character after a closing quote is an error; NUL bytes are an
 * error (they would silently cut names and levels short).
 *
 * Numbers.  A cell is a number when it is a whole decimal literal —
 * [+-] digits [. digits] [e [+-] digits], at least one digit — or
 * [+-]inf / [+-]infinity in any case.  That is what strtod accepts in the C
 * locale minus hexadecimal (so identifiers like 0x1F stay text) and minus
 * nan(...) (NaN is a missing-value marker).  A comma decimal ("2,5") is not
 * a number, whatever the process locale.  Conversion is correctly rounded,
 * bit for bit what strtod gives, in three tiers:
 *   1. Clinger's fast path: significand below 2^53 and power of ten in
 *      [1e-22, 1e22]; both operands are exact doubles, so one IEEE multiply
 *      or divide rounds correctly (W. D. Clinger, "How to read floating
 *      point numbers accurately", PLDI 1990).  Short decimals land here.
 *   2. On x86, up to 19 digits and powers to 1e27 in x87 extended precision
 *      with a check for the one case where rounding twice can differ from
 *      rounding once (see decimal_value).  Full-precision %.17g output
 *      lands here, about 5x faster than glibc's strtod.
 *   3. strtod on a NUL-terminated copy whose '.' is swapped for the
 *      locale's decimal point, so a host program that called setlocale()
 *      still reads "2.5" as 2.5.
 *
 * Missing values: an empty cell, NA, ? and NaN (any case), quoted or not.
 */
#include "tunefold/dataset.h"

#include <errno.h>
#include <float.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---------------------------------------------------------------- tasks */

static const struct {
    const char *name;
    enum tune_task task;
} task_names[] = {
    {"binary", TUNE_TASK_BINARY},
    {"multiclass", TUNE_TASK_MULTICLASS},
    {"regression", TUNE_TASK_REGRESSION},
    {"clustering", TUNE_TASK_CLUSTERING},
};

const char *tune_task_name(enum tune_task task)
{
    for (size_t i = 0; i < sizeof task_names / sizeof task_names[0]; i++)
        if (task_names[i].task == task)
            return task_names[i].name;
    return "unknown";
}

enum tune_task tune_task_parse(const char *name)
{
    if (name)
        for (size_t i = 0; i < sizeof task_names / sizeof task_names[0]; i++)
            if (strcmp(task_names[i].name, name) == 0)
                return task_names[i].task;
    return (enum tune_task)0;
}

/* ------------------------------------------------------------ tokenizer */

struct csv {
    const char *name;   /* for messages */
    const char *s;      /* the text; not NUL-terminated */
    size_t n, pos;
    size_t line;        /* physical line of s[pos], 1-based */
    const struct tune_column *cols; /* header, once read: names in messages */
    size_t n_cols;
    char *scratch;      /* unescaped fields, strtod copies */
    size_t scratch_cap;
    char dp;            /* the locale's decimal point, if not '.' and one byte */
    struct tune_error *err;
};

struct csv_field {
    const char *p;      /* content: inside the quotes when quoted, trimmed if not */
    size_t len;
    int escaped;        /* contains doubled quotes: use field_text() */
    size_t line;        /* line where the field starts */
};

/* `s` made fit for a one-line message: control bytes escaped (\n, \x01),
 * cut to `size` with "..." — names and levels may hold any byte but NUL. */
static const char *shown(const char *s, char *buf, size_t size)
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

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static int csv_error(const struct csv *c, size_t line, size_t col, const char *fmt, ...)
{
    char what[TUNE_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (col >= 1 && col <= c->n_cols) {
        char name[96];
        return tune_error_set(c->err, TUNE_EINVAL, "%s:%zu:%zu: %s (column '%s')", c->name, line,
                              col, what, shown(c->cols[col - 1].name, name, sizeof name));
    }
    return tune_error_set(c->err, TUNE_EINVAL, "%s:%zu:%zu: %s", c->name, line, col, what);
}

static int csv_nomem(const struct csv *c)
{
    return tune_error_set(c->err, TUNE_ENOMEM, "%s: out of memory reading CSV", c->name);
}

static int is_blank(char ch)
{
    return ch == ' ' || ch == '\t';
}

/* Length of the line terminator at s[i] (CRLF, LF or lone CR), or 0. */
static size_t eol_len(const struct csv *c, size_t i)
{
    if (i >= c->n)
        return 0;
    if (c->s[i] == '\n')
        return 1;
    if (c->s[i] == '\r')
        return (i + 1 < c->n && c->s[i + 1] == '\n') ? 2 : 1;
    return 0;
}

/* Skip blank lines before a record; returns 1 when the text is exhausted.
 * Leading blanks of a real record are left for the field scanner. */
static int csv_skip_blank_lines(struct csv *c)
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

/* Scan field number `col` (1-based, for messages) starting at c->pos; set
 * *last when it ends its record (line end or end of text). */
static int csv_field(struct csv *c, size_t col, struct csv_field *f, int *last)
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
                return csv_error(c, f->line, col, "unterminated quote opened here");
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
                return csv_error(c, c->line, col, "NUL byte inside a quoted field");
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
                return csv_error(c, c->line, col, "unexpected '%c' after closing quote", bad);
            return csv_error(c, c->line, col, "unexpected byte 0x%02x after closing quote", bad);
        }
    } else {
        size_t start = i;
        while (i < n) {
            char ch = s[i];
            if (ch == ',' || ch == '\n' || ch == '\r')
                break;
            if (ch == '\0')
                return csv_error(c, c->line, col, "NUL byte in field");
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

static int scratch_reserve(struct csv *c, size_t need)
{
    if (need <= c->scratch_cap)
        return TUNE_OK;
    size_t cap = c->scratch_cap ? c->scratch_cap : 64;
    while (cap < need)
        cap *= 2;
    char *p = realloc(c->scratch, cap);
    if (!p)
        return csv_nomem(c);
    c->scratch = p;
    c->scratch_cap = cap;
    return TUNE_OK;
}

/* The field's text with doubled quotes collapsed: borrowed, valid until the
 * next field_text() or number conversion.  NULL when out of memory. */
static const char *field_text(struct csv *c, const struct csv_field *f, size_t *len)
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

static char *dup_span(const char *p, size_t len)
{
    char *s = malloc(len + 1);
    if (s) {
        memcpy(s, p, len);
        s[len] = '\0';
    }
    return s;
}

static int is_missing(const char *p, size_t len)
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

/* ---------------------------------------------------------------- numbers */

static int ascii_caseeq(const char *p, size_t len, const char *lower)
{
    size_t i = 0;
    for (; i < len && lower[i]; i++)
        if ((p[i] | 0x20) != lower[i])
            return 0;
    return i == len && lower[i] == '\0';
}

static const double exact_pow10[23] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* x87 extended precision, with its significand in the first 8 bytes. */
#if FLT_EVAL_METHOD == 0 && LDBL_MANT_DIG == 64 && (defined(__x86_64__) || defined(__i386__))
#define X87_EXTENDED 1
#else
#define X87_EXTENDED 0
#endif

#if X87_EXTENDED
static const long double exact_pow10l[28] = {
    1e0L,  1e1L,  1e2L,  1e3L,  1e4L,  1e5L,  1e6L,  1e7L,  1e8L,  1e9L,
    1e10L, 1e11L, 1e12L, 1e13L, 1e14L, 1e15L, 1e16L, 1e17L, 1e18L, 1e19L,
    1e20L, 1e21L, 1e22L, 1e23L, 1e24L, 1e25L, 1e26L, 1e27L,
};
#endif

/* A decimal literal as scanned: value = (-1)^neg * m * 10^e10, exact unless
 * it has more than 19 significant digits (then m has wrapped, and only
 * strtod on the text gives the value). */
struct decimal {
    uint64_t m;
    long e10;
    int neg, too_long;
};

static int is_digit(char ch)
{
    return (unsigned char)(ch - '0') < 10;
}

/* Scan [+-] digits [. digits] [e [+-] digits] from p; the end of the
 * literal, or NULL when p does not start with one. */
static const char *scan_decimal(const char *p, const char *end, struct decimal *d)
{
    d->neg = 0;
    if (p < end && (*p == '+' || *p == '-'))
        d->neg = *p++ == '-';
    const char *digits = p;
    while (p < end && *p == '0')
        p++;
    const char *sig = p;
    uint64_t m = 0;
    for (; p < end && is_digit(*p); p++)
        m = m * 10 + (unsigned)(*p - '0');
    size_t nsig = (size_t)(p - sig), ndig = (size_t)(p - digits);
    long e10 = 0;
    if (p < end && *p == '.') {
        const char *frac = ++p;
        if (m == 0) /* zeros before the first significant digit */
            while (p < end && *p == '0')
                p++;
        const char *fsig = p;
        for (; p < end && is_digit(*p); p++)
            m = m * 10 + (unsigned)(*p - '0');
        nsig += (size_t)(p - fsig);
        ndig += (size_t)(p - frac);
        e10 = -(long)(p - frac);
    }
    if (ndig == 0)
        return NULL;
    if (p < end && (*p == 'e' || *p == 'E')) {
        const char *q = p + 1;
        int eneg = 0;
        if (q < end && (*q == '+' || *q == '-'))
            eneg = *q++ == '-';
        if (q >= end || !is_digit(*q))
            return NULL;
        long ex = 0;
        for (; q < end && is_digit(*q); q++)
            if (ex < 100000) /* past any double's range; keeps e10 from overflowing */
                ex = ex * 10 + (*q - '0');
        e10 += eneg ? -ex : ex;
        p = q;
    }
    d->m = m;
    d->e10 = e10;
    d->too_long = nsig > 19;
    return p;
}

/* The value of a scanned literal whose text is p[0..len): 1 and *out set,
 * 0 when strtod disagrees that it is a number, -1 when out of memory. */
static int decimal_value(struct csv *c, const struct decimal *d, const char *p, size_t len,
                         double *out)
{
    if (!d->too_long && d->m == 0) {
        *out = d->neg ? -0.0 : 0.0;
        return 1;
    }
#if FLT_EVAL_METHOD == 0
    if (!d->too_long && d->m <= (UINT64_C(1) << 53) && d->e10 >= -22 && d->e10 <= 22) {
        double v = (double)d->m;
        v = d->e10 < 0 ? v / exact_pow10[-d->e10] : v * exact_pow10[d->e10];
        *out = d->neg ? -v : v;
        return 1;
    }
#endif
#if X87_EXTENDED
    /* Up to 19 digits (what %.17g and pandas write) in x87 extended
     * precision: m and 10^k (k <= 27, as 5^27 < 2^64) are exact there, so
     * x = m * 10^k is rounded once, to 64 bits, then again to 53.  The
     * second rounding can only go wrong when the first landed exactly on
     * a midpoint between two doubles (low 11 bits 10000000000): any other
     * 64-bit value lies on the same side of every midpoint as the exact
     * product, because midpoints are themselves 64-bit numbers.  Those
     * rare values, with a guard bit either side, go to strtod. */
    if (!d->too_long && d->e10 >= -27 && d->e10 <= 27) {
        long double x = (long double)d->m;
        x = d->e10 < 0 ? x / exact_pow10l[-d->e10] : x * exact_pow10l[d->e10];
        uint64_t bits; /* the x87 format keeps its 64-bit significand first */
        memcpy(&bits, &x, sizeof bits);
        unsigned low = (unsigned)(bits & 0x7ff);
        if (low < 0x3ff || low > 0x401) {
            double v = (double)x;
            *out = d->neg ? -v : v;
            return 1;
        }
    }
#endif
    /* strtod on a NUL-terminated copy in the locale's own decimal point. */
    if (scratch_reserve(c, len + 1))
        return -1;
    for (size_t i = 0; i < len; i++)
        c->scratch[i] = (p[i] == '.' && c->dp) ? c->dp : p[i];
    c->scratch[len] = '\0';
    char *stop;
    double v = strtod(c->scratch, &stop);
    if (stop != c->scratch + len)
        return 0;
    *out = v;
    return 1;
}

/* 1 when p[0..len) is a whole number (see the file comment) and *out is set,
 * 0 when it is not a number, -1 when out of memory. */
static int parse_number(struct csv *c, const char *p, size_t len, double *out)
{
    struct decimal d;
    const char *end = scan_decimal(p, p + len, &d);
    if (end == p + len)
        return decimal_value(c, &d, p, len, out);
    size_t i = (len && (p[0] == '+' || p[0] == '-')) ? 1 : 0;
    if (ascii_caseeq(p + i, len - i, "inf") || ascii_caseeq(p + i, len - i, "infinity")) {
        *out = p[0] == '-' ? -INFINITY : INFINITY;
        return 1;
    }
    return 0;
}

/* The common case fused: an unquoted number cell at c->pos, scanned once
 * instead of once as a field and again as a number.  1 when the cell was
 * consumed (with its separator), 0 when it needs the general path (quotes,
 * padding, text, missing markers), -1 when out of memory. */
static int number_cell(struct csv *c, double *out, int *last)
{
    const char *p = c->s + c->pos, *end = c->s + c->n;
    struct decimal d;
    const char *q = scan_decimal(p, end, &d);
    if (!q)
        return 0;
    const char *t = q;
    while (t < end && is_blank(*t))
        t++;
    if (t < end && *t != ',' && *t != '\n' && *t != '\r')
        return 0;
    int k = decimal_value(c, &d, p, (size_t)(q - p), out);
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

/* The locale's decimal point when it is one byte other than '.', else 0.
 * (A point of several bytes is not handled: numbers that reach tier 3 then
 * fail strtod and their column reads as text.) */
static char locale_decimal_point(void)
{
    const struct lconv *lc = localeconv();
    const char *dp = lc ? lc->decimal_point : NULL;
    if (dp && dp[0] && !dp[1] && dp[0] != '.')
        return dp[0];
    return 0;
}

/* --------------------------------------------------------- string sets */

/* Open-addressing hash set of strings stored elsewhere (column names, levels):
 * a slot holds index+1 of the string, or 0 when empty. */
struct strset {
    size_t *slot;
    uint64_t *hash;
    size_t nslot, count;
};

static uint64_t fnv1a(const char *p, size_t len)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)p[i];
        h *= UINT64_C(1099511628211);
    }
    return h;
}

static void strset_release(struct strset *set)
{
    free(set->slot);
    free(set->hash);
    memset(set, 0, sizeof *set);
}

static int strset_grow(struct strset *set)
{
    size_t nslot = set->nslot ? set->nslot * 2 : 16;
    size_t *slot = calloc(nslot, sizeof *slot);
    uint64_t *hash = calloc(nslot, sizeof *hash);
    if (!slot || !hash) {
        free(slot);
        free(hash);
        return -1;
    }
    for (size_t i = 0; i < set->nslot; i++) {
        if (!set->slot[i])
            continue;
        size_t j = (size_t)set->hash[i] & (nslot - 1);
        while (slot[j])
            j = (j + 1) & (nslot - 1);
        slot[j] = set->slot[i];
        hash[j] = set->hash[i];
    }
    free(set->slot);
    free(set->hash);
    set->slot = slot;
    set->hash = hash;
    set->nslot = nslot;
    return 0;
}

/* Index of p[0..len) among strs[], or else `next` is recorded as its index
 * (the caller then stores the string at strs[next]).  -1 when out of memory. */
static long strset_intern(struct strset *set, char *const *strs, const char *p, size_t len,
                          size_t next)
{
    if (2 * (set->count + 1) > set->nslot && strset_grow(set))
        return -1;
    uint64_t h = fnv1a(p, len);
    size_t mask = set->nslot - 1, j = (size_t)h & mask;
    for (; set->slot[j]; j = (j + 1) & mask) {
        if (set->hash[j] != h)
            continue;
        const char *s = strs[set->slot[j] - 1];
        if (strncmp(s, p, len) == 0 && s[len] == '\0')
            return (long)(set->slot[j] - 1);
    }
    set->slot[j] = next + 1;
    set->hash[j] = h;
    set->count++;
    return (long)next;
}

/* ----------------------------------------------------------------- table */

static void columns_free(struct tune_column *cols, size_t n)
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
    columns_free(t->cols, t->n_cols);
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
static int read_header(struct csv *c, struct tune_table *t, size_t *header_line)
{
    if (csv_skip_blank_lines(c))
        return csv_error(c, c->line, 1, "empty file, expected a header row");
    *header_line = c->line;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct strset seen = {0};
    int rc = TUNE_OK, last = 0;
    while (!last && !rc) {
        struct csv_field f;
        rc = csv_field(c, n + 1, &f, &last);
        if (rc)
            break;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            char **grown = realloc(names, ncap * sizeof *grown);
            if (!grown) {
                rc = csv_nomem(c);
                break;
            }
            names = grown;
            cap = ncap;
        }
        size_t len;
        const char *text = field_text(c, &f, &len);
        if (!text || !(names[n] = dup_span(text, len))) {
            rc = csv_nomem(c);
            break;
        }
        n++;
        if (len == 0) {
            rc = csv_error(c, f.line, n, "empty column name");
            break;
        }
        long k = strset_intern(&seen, names, names[n - 1], len, n - 1);
        if (k < 0)
            rc = csv_nomem(c);
        else if ((size_t)k != n - 1) {
            char name[96];
            rc = csv_error(c, f.line, n, "duplicate column name '%s' (also column %ld)",
                           shown(names[n - 1], name, sizeof name), k + 1);
        }
    }
    strset_release(&seen);
    if (!rc && !(t->cols = calloc(n, sizeof *t->cols)))
        rc = csv_nomem(c);
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
static int grow_rows(struct csv *c, struct tune_table *t, size_t *cap, size_t need)
{
    size_t ncap = *cap * 2 > need ? *cap * 2 : need;
    if (ncap > SIZE_MAX / sizeof(double) / t->n_cols)
        return csv_nomem(c);
    double *data = malloc(ncap * t->n_cols * sizeof *data);
    size_t *row_line = realloc(t->row_line, ncap * sizeof *row_line);
    if (row_line)
        t->row_line = row_line;
    if (!data || !row_line) {
        free(data);
        return csv_nomem(c);
    }
    for (size_t j = 0; j < t->n_cols && t->data; j++)
        memcpy(data + j * ncap, t->data + j * *cap, t->n_rows * sizeof *data);
    free(t->data);
    t->data = data;
    *cap = ncap;
    return TUNE_OK;
}

/* Pass 1: shape of every record, numbers of every still-numeric column. */
static int read_rows(struct csv *c, struct tune_table *t, size_t *cap, unsigned char *is_cat)
{
    size_t n_cols = t->n_cols;
    while (!csv_skip_blank_lines(c)) {
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
                int k = number_cell(c, &data[j * stride + r], &last);
                if (k < 0)
                    return csv_nomem(c);
                if (k > 0) {
                    j++;
                    continue;
                }
            }
            struct csv_field f;
            int rc = csv_field(c, j + 1, &f, &last);
            if (rc)
                return rc;
            last_line = f.line;
            if (j < n_cols) {
                double v = NAN;
                if (!is_cat[j] && !is_missing(f.p, f.len)) {
                    int k = parse_number(c, f.p, f.len, &v);
                    if (k < 0)
                        return csv_nomem(c);
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
            return csv_error(c, extra_line, n_cols + 1, "expected %zu fields, got %zu", n_cols, j);
        if (j < n_cols)
            return csv_error(c, last_line, j + 1, "expected %zu fields, got %zu", n_cols, j);
        t->n_rows++;
    }
    return TUNE_OK;
}

/* Pass 2: level codes for the categorical columns.  The rows were checked
 * by pass 1, so the tokenizer cannot fail here. */
static int encode_levels(struct csv *c, struct tune_table *t, size_t stride,
                         const unsigned char *is_cat)
{
    size_t n_cols = t->n_cols;
    struct strset *sets = calloc(n_cols, sizeof *sets);
    size_t *level_cap = calloc(n_cols, sizeof *level_cap);
    int rc = TUNE_OK;
    if (!sets || !level_cap) {
        rc = csv_nomem(c);
        goto done;
    }
    for (size_t r = 0; r < t->n_rows && !rc; r++) {
        csv_skip_blank_lines(c);
        for (size_t j = 0; j < n_cols && !rc; j++) {
            struct csv_field f;
            int last;
            rc = csv_field(c, j + 1, &f, &last);
            if (rc || !is_cat[j])
                continue;
            struct tune_column *col = &t->cols[j];
            size_t len;
            const char *text = field_text(c, &f, &len);
            if (!text) {
                rc = TUNE_ENOMEM;
                continue;
            }
            if (is_missing(text, len)) {
                t->data[j * stride + r] = NAN;
                continue;
            }
            if (col->n_levels == level_cap[j]) {
                size_t ncap = level_cap[j] ? level_cap[j] * 2 : 8;
                char **levels = realloc(col->levels, ncap * sizeof *levels);
                if (!levels) {
                    rc = csv_nomem(c);
                    continue;
                }
                col->levels = levels;
                level_cap[j] = ncap;
            }
            long code = strset_intern(&sets[j], col->levels, text, len, col->n_levels);
            if (code < 0) {
                rc = csv_nomem(c);
                continue;
            }
            if ((size_t)code == col->n_levels) {
                col->levels[code] = dup_span(text, len);
                if (!col->levels[code]) {
                    rc = csv_nomem(c);
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
            strset_release(&sets[j]);
    free(sets);
    free(level_cap);
    return rc;
}

/* An upper bound on the data rows: at most one per line terminator (plus an
 * unterminated last line), and each but the last takes at least n_cols
 * bytes (n_cols-1 commas and its terminator).  The block is sized once from
 * it; the second bound keeps a file of many short lines under a wide header
 * from reserving rows x columns it cannot fill. */
static size_t estimate_rows(const struct csv *c, size_t n_cols)
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
    struct csv c = {.name = name ? name : "<memory>", .s = text, .n = len, .line = 1,
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
    c.dp = locale_decimal_point();
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        c.pos = 3;

    t = calloc(1, sizeof *t);
    if (!t || !(t->path = dup_span(c.name, strlen(c.name)))) {
        rc = csv_nomem(&c);
        goto fail;
    }
    size_t header_line = 1;
    rc = read_header(&c, t, &header_line);
    if (rc)
        goto fail;
    c.cols = t->cols;
    c.n_cols = t->n_cols;

    size_t data_pos = c.pos, data_line = c.line, cap = 0;
    is_cat = calloc(t->n_cols, 1);
    if (!is_cat) {
        rc = csv_nomem(&c);
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

/* The whole file in one malloc'ed buffer; the size from fstat is only a hint,
 * so pipes and files that grow while read still work. */
static int read_file(const char *path, char **buf_out, size_t *len_out, struct tune_error *err)
{
    char why[128];
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        if (strerror_r(e, why, sizeof why))
            snprintf(why, sizeof why, "error %d", e);
        return tune_error_set(err, TUNE_EIO, "%s: cannot open: %s", path, why);
    }
    struct stat st;
    size_t cap = 1 << 16, len = 0;
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

/* --------------------------------------------------------------- dataset */

void tune_dataset_free(struct tune_dataset *ds)
{
    if (!ds)
        return;
    free(ds->path);
    columns_free(ds->features, ds->n_features);
    free(ds->x);
    free(ds->target_name);
    free(ds->y);
    if (ds->class_names)
        for (size_t k = 0; k < ds->n_classes; k++)
            free(ds->class_names[k]);
    free(ds->class_names);
    free(ds);
}

static int column_copy(struct tune_column *dst, const struct tune_column *src)
{
    memset(dst, 0, sizeof *dst);
    dst->kind = src->kind;
    if (!(dst->name = dup_span(src->name, strlen(src->name))))
        return -1;
    if (src->n_levels) {
        dst->levels = calloc(src->n_levels, sizeof *dst->levels);
        if (!dst->levels)
            return -1;
        for (; dst->n_levels < src->n_levels; dst->n_levels++) {
            const char *l = src->levels[dst->n_levels];
            if (!(dst->levels[dst->n_levels] = dup_span(l, strlen(l))))
                return -1;
        }
    }
    return 0;
}

/* Shortest text that reads back as v ("0", "10", "2.5", "1e+300"), with '.'
 * as the decimal point whatever the locale.  Whole numbers print without an
 * exponent while exact in a double's significand, so labels read "10", not
 * "1e+01". */
static void format_shortest(double v, char *buf, size_t size)
{
    if (v == floor(v) && fabs(v) < 1e15) {
        snprintf(buf, size, "%.0f", v);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    char dp = locale_decimal_point();
    if (dp)
        for (char *p = buf; *p; p++)
            if (*p == dp)
                *p = '.';
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

struct level_ref {
    const char *text;
    size_t code;
};

static int cmp_level(const void *a, const void *b)
{
    return strcmp(((const struct level_ref *)a)->text, ((const struct level_ref *)b)->text);
}

static size_t row_line_of(const struct tune_table *t, size_t r)
{
    return t->row_line ? t->row_line[r] : r + 2;
}

static const char *column_name_at(const void *cols, size_t i)
{
    return ((const struct tune_column *)cols)[i].name;
}

static const char *string_at(const void *strs, size_t i)
{
    return ((char *const *)strs)[i];
}

/* "a, b, c, ..." — as many names as fit in `size`. */
static void join_names(char *buf, size_t size, const char *(*at)(const void *, size_t),
                       const void *items, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        char one[96];
        const char *s = shown(at(items, i), one, sizeof one);
        if (used + strlen(s) + 8 >= size) {
            snprintf(buf + used, size - used, "%s...", i ? ", " : "");
            return;
        }
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "", s);
    }
}

/* Class codes in sorted label order into ds->y, names into ds->class_names. */
static int encode_classes(const struct tune_table *t, size_t tcol, struct tune_dataset *ds,
                          struct tune_error *err)
{
    const char *path = ds->path;
    const struct tune_column *col = &t->cols[tcol];
    const double *v = t->data + tcol * t->n_rows;
    size_t n = t->n_rows;
    if (col->kind == TUNE_COL_CATEGORICAL) {
        struct level_ref *refs = malloc(col->n_levels * sizeof *refs + 1);
        size_t *rank = malloc(col->n_levels * sizeof *rank + 1);
        ds->class_names = calloc(col->n_levels + 1, sizeof *ds->class_names);
        int rc = TUNE_OK;
        if (!refs || !rank || !ds->class_names) {
            rc = tune_error_set(err, TUNE_ENOMEM, "%s: out of memory", path);
            goto done;
        }
        for (size_t k = 0; k < col->n_levels; k++)
            refs[k] = (struct level_ref){col->levels[k], k};
        qsort(refs, col->n_levels, sizeof *refs, cmp_level);
        for (size_t k = 0; k < col->n_levels; k++) {
            rank[refs[k].code] = k;
            ds->class_names[k] = dup_span(refs[k].text, strlen(refs[k].text));
            if (!ds->class_names[k]) {
                rc = tune_error_set(err, TUNE_ENOMEM, "%s: out of memory", path);
                goto done;
            }
            ds->n_classes++;
        }
        for (size_t r = 0; r < n; r++)
            ds->y[r] = (double)rank[(size_t)v[r]];
    done:
        free(refs);
        free(rank);
        return rc;
    }

    double *u = malloc(n * sizeof *u + 1);
    if (!u)
        return tune_error_set(err, TUNE_ENOMEM, "%s: out of memory", path);
    memcpy(u, v, n * sizeof *u);
    qsort(u, n, sizeof *u, cmp_double);
    size_t k = 0;
    for (size_t r = 0; r < n; r++)
        if (r == 0 || u[r] != u[k - 1])
            u[k++] = u[r];
    ds->class_names = calloc(k + 1, sizeof *ds->class_names);
    if (!ds->class_names) {
        free(u);
        return tune_error_set(err, TUNE_ENOMEM, "%s: out of memory", path);
    }
    for (size_t c = 0; c < k; c++) {
        char buf[40];
        format_shortest(u[c] == 0 ? 0.0 : u[c], buf, sizeof buf);
        if (!(ds->class_names[c] = dup_span(buf, strlen(buf)))) {
            free(u);
            return tune_error_set(err, TUNE_ENOMEM, "%s: out of memory", path);
        }
        ds->n_classes++;
    }
    for (size_t r = 0; r < n; r++) {
        const double *hit = bsearch(&v[r], u, k, sizeof *u, cmp_double);
        ds->y[r] = (double)(hit - u);
    }
    free(u);
    return TUNE_OK;
}

/* For a text target in a regression: the first cell that is not a number. */
static int text_target_error(const struct tune_table *t, size_t tcol, struct tune_error *err)
{
    const struct tune_column *col = &t->cols[tcol];
    struct csv c = {.name = t->path, .dp = locale_decimal_point(), .err = err};
    size_t level = 0;
    for (; level < col->n_levels; level++) {
        double dummy;
        if (parse_number(&c, col->levels[level], strlen(col->levels[level]), &dummy) == 0)
            break;
    }
    free(c.scratch);
    if (level == col->n_levels)
        level = 0;
    const double *v = t->data + tcol * t->n_rows;
    size_t r = 0;
    while (r + 1 < t->n_rows && v[r] != (double)level)
        r++;
    char name[96], text[96];
    return tune_error_set(err, TUNE_EINVAL,
                          "%s:%zu:%zu: target column '%s' holds text ('%s'); regression needs "
                          "numbers",
                          t->path, row_line_of(t, r), tcol + 1, shown(col->name, name, sizeof name),
                          shown(col->n_levels ? col->levels[level] : "", text, sizeof text));
}

int tune_dataset_from_table(const struct tune_table *table, const char *target,
                            enum tune_task task, struct tune_dataset **out,
                            struct tune_error *err)
{
    if (out)
        *out = NULL;
    if (!table || !out)
        return tune_error_set(err, TUNE_EINVAL, "tune_dataset_from_table: no table or no result");
    const char *path = table->path ? table->path : "<table>";
    if (strcmp(tune_task_name(task), "unknown") == 0)
        return tune_error_set(err, TUNE_EINVAL, "%s: unknown task %d", path, (int)task);
    int has_target = target && target[0];
    char tname[96]; /* the target as messages show it */
    shown(has_target ? target : "", tname, sizeof tname);
    if (!has_target && task != TUNE_TASK_CLUSTERING)
        return tune_error_set(err, TUNE_EINVAL, "%s: task '%s' needs a target column", path,
                              tune_task_name(task));

    size_t n = table->n_rows, tcol = table->n_cols; /* n_cols: no target */
    if (has_target) {
        long j = tune_table_find(table, target);
        if (j < 0) {
            char list[320];
            join_names(list, sizeof list, column_name_at, table->cols, table->n_cols);
            return tune_error_set(err, TUNE_EINVAL,
                                  "%s: target column '%s' not found (columns: %s)", path, tname,
                                  list);
        }
        tcol = (size_t)j;
        const double *v = table->data + tcol * n;
        for (size_t r = 0; r < n; r++)
            if (isnan(v[r]))
                return tune_error_set(err, TUNE_EINVAL,
                                      "%s:%zu:%zu: missing value in target column '%s'", path,
                                      row_line_of(table, r), tcol + 1, tname);
        if (task == TUNE_TASK_REGRESSION && table->cols[tcol].kind == TUNE_COL_CATEGORICAL)
            return text_target_error(table, tcol, err);
    }
    size_t n_features = table->n_cols - (has_target ? 1 : 0);
    if (n_features == 0)
        return tune_error_set(err, TUNE_EINVAL, "%s: no feature columns besides target '%s'",
                              path, tname);

    struct tune_dataset *ds = calloc(1, sizeof *ds);
    int rc = TUNE_ENOMEM;
    if (!ds)
        goto nomem;
    ds->task = task;
    ds->n_rows = n;
    if (!(ds->path = dup_span(path, strlen(path))))
        goto nomem;
    ds->features = calloc(n_features, sizeof *ds->features);
    ds->x = malloc(n * n_features * sizeof *ds->x + 1);
    if (!ds->features || !ds->x)
        goto nomem;
    for (size_t j = 0; j < table->n_cols; j++) {
        if (j == tcol)
            continue;
        size_t f = ds->n_features;
        if (column_copy(&ds->features[f], &table->cols[j])) {
            ds->n_features++; /* so the partial copy is freed */
            goto nomem;
        }
        ds->n_features++;
        memcpy(ds->x + f * n, table->data + j * n, n * sizeof *ds->x);
    }
    if (has_target) {
        if (!(ds->target_name = dup_span(target, strlen(target))))
            goto nomem;
        if (!(ds->y = malloc(n * sizeof *ds->y + 1)))
            goto nomem;
        if (task == TUNE_TASK_REGRESSION) {
            memcpy(ds->y, table->data + tcol * n, n * sizeof *ds->y);
        } else {
            rc = encode_classes(table, tcol, ds, err);
            if (rc)
                goto fail;
            char list[200];
            join_names(list, sizeof list, string_at, ds->class_names, ds->n_classes);
            if (task != TUNE_TASK_CLUSTERING && ds->n_classes < 2) {
                rc = tune_error_set(err, TUNE_EINVAL,
                                    "%s: target column '%s' has %zu class (%s); %s needs at "
                                    "least 2",
                                    path, tname, ds->n_classes, list, tune_task_name(task));
                goto fail;
            }
            if (task == TUNE_TASK_BINARY && ds->n_classes > 2) {
                rc = tune_error_set(err, TUNE_EINVAL,
                                    "%s: target column '%s' has %zu classes (%s); binary needs "
                                    "exactly 2 (use multiclass)",
                                    path, tname, ds->n_classes, list);
                goto fail;
            }
        }
    }
    *out = ds;
    return TUNE_OK;

nomem:
    rc = tune_error_set(err, TUNE_ENOMEM, "%s: out of memory building the dataset", path);
fail:
    tune_dataset_free(ds);
    return rc;
}

int tune_dataset_load(const char *path, const char *target, enum tune_task task,
                      struct tune_dataset **out, struct tune_error *err)
{
    struct tune_table *t;
    if (out)
        *out = NULL;
    int rc = tune_table_read_csv(path, &t, err);
    if (rc)
        return rc;
    rc = tune_dataset_from_table(t, target, task, out, err);
    tune_table_free(t);
    return rc;
}
