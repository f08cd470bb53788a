/* SPDX-License-Identifier: GPL-3.0-or-later */
/* model_csv.c — predict a CSV file of any size with a model
 * (tune_model_predict_csv in tunefold/model.h), streamed in blocks.
 *
 * Pipeline.  The calling thread reads blocks of whole records
 * (src/csv_rows.c) into a ring of 2 x threads slots; worker threads take
 * the slots in order and do everything else for their block: tokenize,
 * turn each cell into the model's input (a number, NaN for missing, a
 * categorical's level code), preprocess with the model's fitted
 * preprocessing, predict, and format the output lines; the calling thread
 * writes finished blocks in input order.  Memory is bounded by the ring:
 * about 2 x threads blocks in flight (input, their parsed and preprocessed
 * values, their output), whatever the size of the file.  With one thread
 * the calling thread does it all, block after block.
 *
 * Errors stop the stream at the first bad block in input order (the rows
 * before it are written) and name the file, line and column.  A worker only
 * knows its line within its block; the calling thread knows how many lines
 * came before and adds them when it reports. */
#include "src/model_impl.h"
#include "src/csv_rows.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_BLOCK ((size_t)4 << 20)
#define EXTERNAL_BLOCK ((size_t)64 << 20)
#define MAX_THREADS 64

/* What the header told us: where each of the model's inputs and each kept
 * column is. */
struct plan {
    const struct tune_model *m;
    const char *in_name;
    size_t n_fields;           /* columns in the file */
    size_t *input_field;       /* n_inputs: the file column of each model input */
    size_t n_keep;
    size_t *keep_field;        /* n_keep */
    long *role;                /* n_fields: the model input a file column is, or -1 */
    int unseen_zero, one_hot, impute_none;
};

enum slot_state { SLOT_FREE, SLOT_READY, SLOT_BUSY, SLOT_DONE };

struct block {
    enum slot_state state;
    char *data;
    size_t len;
    /* results */
    char *out;
    size_t out_len, out_cap;
    size_t rows, lines;        /* rows predicted; newlines the block spans */
    int rc;
    char msg[TUNE_ERROR_MSG_MAX];
    size_t err_line;           /* 0-based within the block */
    size_t err_col;            /* 1-based column, 0 for none */
    int err_has_line;
    size_t unseen;
    char unseen_what[160];
    size_t unseen_line;
};

struct pool {
    const struct plan *plan;
    struct block *slots;
    size_t n_slots;
    size_t next_take;          /* the next slot index (mod n_slots) a worker takes */
    size_t taken;              /* blocks handed to workers so far */
    size_t queued;             /* blocks queued so far */
    int quit;
    pthread_mutex_t mu;
    pthread_cond_t work, done;
};

/* ---- output text -------------------------------------------------------------- */

static int out_reserve(struct block *b, size_t more)
{
    if (b->out_cap - b->out_len >= more)
        return 1;
    size_t cap = b->out_cap ? b->out_cap : 65536;
    while (cap - b->out_len < more)
        cap *= 2;
    char *p = realloc(b->out, cap);
    if (!p)
        return 0;
    b->out = p;
    b->out_cap = cap;
    return 1;
}

static void out_raw(struct block *b, const char *s, size_t n)
{
    memcpy(b->out + b->out_len, s, n);
    b->out_len += n;
}

/* A CSV field, quoted when it must be (room reserved by the caller: 2 n + 2). */
static void out_field(struct block *b, const char *s, size_t n)
{
    int quote = n && (s[0] == ' ' || s[n - 1] == ' ' || s[0] == '\t' || s[n - 1] == '\t');
    for (size_t i = 0; !quote && i < n; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (!quote) {
        out_raw(b, s, n);
        return;
    }
    b->out[b->out_len++] = '"';
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            b->out[b->out_len++] = '"';
        b->out[b->out_len++] = s[i];
    }
    b->out[b->out_len++] = '"';
}

static void out_double(struct block *b, double v)
{
    b->out_len += (size_t)snprintf(b->out + b->out_len, 32, "%.17g", v);
}

/* ---- one block -------------------------------------------------------------------- */

static int block_fail(struct block *b, int rc, size_t line, size_t col, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

static int block_fail(struct block *b, int rc, size_t line, size_t col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->msg, sizeof b->msg, fmt, ap);
    va_end(ap);
    b->rc = rc;
    b->err_line = line;
    b->err_col = col;
    b->err_has_line = rc == TUNE_EINVAL;
    return rc;
}

/* Text fit for a one-line message (control bytes as '?', cut at 60). */
static void shown(const char *p, size_t n, char *buf, size_t size)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 4 < size && i < 60; i++)
        buf[k++] = (unsigned char)p[i] < 0x20 ? '?' : p[i];
    if (n > 60 && k + 4 < size) {
        memcpy(buf + k, "...", 3);
        k += 3;
    }
    buf[k] = '\0';
}

/* An upper bound on the records of a block: its line ends, plus one. */
static size_t max_records(const char *p, size_t len)
{
    size_t n = 1;
    for (int k = 0; k < 2; k++) {
        const char *c = p, *end = p + len;
        while ((c = memchr(c, k ? '\r' : '\n', (size_t)(end - c))) != NULL) {
            n++;
            c++;
        }
    }
    return n;
}

static int blank(char ch)
{
    return ch == ' ' || ch == '\t';
}

/* The common record, read in one pass: unquoted cells, every model input a
 * number (or a known level), nothing missing, no kept column.  1 when the
 * record was read into row `row` of raw (and the cursor moved past it), 0
 * when anything else turns up: the general path (tune_csv_record) then
 * reads the record from its start and says what is wrong, if anything. */
static int fast_record(const struct plan *pl, struct tune_csv_cursor *c, double *raw,
                       size_t cap, size_t row)
{
    const struct tune_model *m = pl->m;
    char *p = c->p, *end = c->end;
    for (size_t col = 0; col < pl->n_fields; col++) {
        long j = pl->role[col];
        while (p < end && blank(*p))
            p++;
        if (j >= 0 && m->inputs[j].kind == TUNE_COL_NUMERIC) {
            double v;
            const char *q = tune_csv_number_prefix(p, end, &v);
            if (!q)
                return 0;
            raw[(size_t)j * cap + row] = v;
            p = (char *)q;
            while (p < end && blank(*p))
                p++;
        } else {
            char *start = p;
            while (p < end && *p != ',' && *p != '\n' && *p != '\r') {
                if (*p == '"' || *p == '\0')
                    return 0;
                p++;
            }
            if (j >= 0) {
                char *stop = p;
                while (stop > start && blank(stop[-1]))
                    stop--;
                size_t len = (size_t)(stop - start);
                long code = tune_csv_missing(start, len)
                                ? -1 : tune_model_level_lookup(m, (size_t)j, start, len);
                if (code < 0)
                    return 0;
                raw[(size_t)j * cap + row] = (double)code;
            }
        }
        if (col + 1 < pl->n_fields) {
            if (p >= end || *p != ',')
                return 0;
            p++;
        } else if (p < end && *p != '\n' && *p != '\r') {
            return 0;
        }
    }
    if (p < end)
        p += *p == '\r' && p + 1 < end && p[1] == '\n' ? 2 : 1;
    c->p = p;
    c->line++;
    return 1;
}

/* Parse the block's records into raw (column-major, each column packed to
 * the rows found) and the kept columns' text into keep (with offsets per
 * row). */
static int parse_block(const struct plan *pl, struct block *b, double **raw_out, size_t *n_rows,
                       char **keep_out, size_t **keep_off_out, size_t *first_missing_line,
                       size_t *first_missing_col)
{
    const struct tune_model *m = pl->m;
    size_t d = m->n_inputs, n = 0, keep_len = 0, keep_cap = 0;
    size_t cap = max_records(b->data, b->len);
    double *raw = malloc(cap * (d ? d : 1) * sizeof *raw);
    char *keep = NULL;
    size_t *keep_off = pl->n_keep ? malloc((cap + 1) * sizeof *keep_off) : NULL;
    struct tune_csv_field *f = malloc((pl->n_fields + 1) * sizeof *f);
    struct tune_csv_cursor c = {b->data, b->data + b->len, 0};
    int rc = TUNE_OK;
    *first_missing_line = SIZE_MAX;
    if (!f || !raw || (pl->n_keep && !keep_off)) {
        free(f);
        free(raw);
        free(keep_off);
        return block_fail(b, TUNE_ENOMEM, 0, 0, "out of memory for a block of %zu rows", cap);
    }
    int fast = pl->n_keep == 0;
    for (;;) {
        size_t nf, line, bad;
        char msg[200];
        if (fast && c.p < c.end && n < cap && fast_record(pl, &c, raw, cap, n)) {
            n++;
            continue;
        }
        int got = tune_csv_record(&c, f, pl->n_fields, &nf, &line, &bad, msg, sizeof msg);
        if (got == 0)
            break;
        if (got < 0) {
            rc = block_fail(b, TUNE_EINVAL, line, bad, "%s", msg);
            break;
        }
        if (nf != pl->n_fields) {
            rc = block_fail(b, TUNE_EINVAL, line, 0, "%zu fields, the header has %zu", nf,
                            pl->n_fields);
            break;
        }
        if (n == cap) { /* cannot happen: a record ends at a line end or the block's end */
            rc = block_fail(b, TUNE_EINVAL, line, 0, "more records than lines");
            break;
        }
        for (size_t j = 0; j < d && !rc; j++) {
            size_t col = pl->input_field[j];
            const struct tune_csv_field *fd = &f[col];
            const struct tune_column *ic = &m->inputs[j];
            double *cell = &raw[j * cap + n];
            if (tune_csv_missing(fd->p, fd->len)) {
                *cell = NAN;
                if (*first_missing_line == SIZE_MAX) {
                    *first_missing_line = line;
                    *first_missing_col = col + 1;
                }
                continue;
            }
            char text[80];
            if (ic->kind == TUNE_COL_NUMERIC) {
                if (tune_csv_number(fd->p, fd->len, cell))
                    continue;
                shown(fd->p, fd->len, text, sizeof text);
                rc = block_fail(b, TUNE_EINVAL, line, col + 1,
                                "column '%s' holds the text '%s', but the model was trained "
                                "on numbers there", ic->name, text);
                break;
            }
            long code = tune_model_level_lookup(m, j, fd->p, fd->len);
            if (code >= 0) {
                *cell = (double)code;
                continue;
            }
            shown(fd->p, fd->len, text, sizeof text);
            if (!pl->unseen_zero || !pl->one_hot) {
                rc = block_fail(b, TUNE_EINVAL, line, col + 1,
                                "column '%s': category '%s' was never seen in training%s",
                                ic->name, text,
                                pl->one_hot ? " (--unseen zero encodes it as all zeros)"
                                            : " (and the model has no one-hot encoding to "
                                              "leave it out of)");
                break;
            }
            if (b->unseen++ == 0) {
                snprintf(b->unseen_what, sizeof b->unseen_what, "column '%.60s': '%s'",
                         ic->name, text);
                b->unseen_line = line;
            }
            *cell = (double)ic->n_levels; /* outside the levels: all zeros */
        }
        if (rc)
            break;
        if (pl->n_keep) {
            keep_off[n] = keep_len;
            for (size_t k = 0; k < pl->n_keep; k++) {
                const struct tune_csv_field *fd = &f[pl->keep_field[k]];
                size_t need = 2 * fd->len + 3;
                if (keep_cap - keep_len < need) {
                    size_t nc = keep_cap ? keep_cap : 65536;
                    while (nc - keep_len < need)
                        nc *= 2;
                    char *nk = realloc(keep, nc);
                    if (!nk) {
                        rc = block_fail(b, TUNE_ENOMEM, 0, 0, "out of memory");
                        break;
                    }
                    keep = nk;
                    keep_cap = nc;
                }
                /* the field as text again, quoted when it must be */
                struct block tmp = {.out = keep, .out_len = keep_len, .out_cap = keep_cap};
                out_field(&tmp, fd->p, fd->len);
                tmp.out[tmp.out_len++] = ',';
                keep_len = tmp.out_len;
            }
            if (rc)
                break;
        }
        n++;
    }
    if (pl->n_keep && keep_off && !rc)
        keep_off[n] = keep_len;
    /* pack the columns: column j at j * n */
    for (size_t j = 1; j < d && n < cap; j++)
        memmove(raw + j * n, raw + j * cap, n * sizeof *raw);
    free(f);
    b->lines = c.line;
    *raw_out = raw;
    *n_rows = n;
    *keep_out = keep;
    *keep_off_out = keep_off;
    return rc;
}

static int format_block(const struct plan *pl, struct block *b, size_t n,
                        const struct tune_predictions *p, const char *keep,
                        const size_t *keep_off)
{
    const struct tune_model *m = pl->m;
    size_t k = m->n_classes, longest = 0;
    for (size_t c = 0; c < k; c++) {
        size_t len = strlen(m->class_names[c]);
        longest = len > longest ? len : longest;
    }
    for (size_t i = 0; i < n; i++) {
        size_t kept = pl->n_keep ? keep_off[i + 1] - keep_off[i] : 0;
        if (!out_reserve(b, kept + 2 * longest + 3 + 26 * (k + 2)))
            return block_fail(b, TUNE_ENOMEM, 0, 0, "out of memory");
        if (kept)
            out_raw(b, keep + keep_off[i], kept);
        switch (m->task) {
        case TUNE_TASK_BINARY:
        case TUNE_TASK_MULTICLASS: {
            const char *label = m->class_names[p->label[i]];
            out_field(b, label, strlen(label));
            if (m->task == TUNE_TASK_BINARY) {
                b->out[b->out_len++] = ',';
                out_double(b, p->proba[2 * i + 1]);
            } else {
                for (size_t c = 0; c < k; c++) {
                    b->out[b->out_len++] = ',';
                    out_double(b, p->proba[i * k + c]);
                }
            }
            break;
        }
        case TUNE_TASK_REGRESSION:
            out_double(b, p->value[i]);
            break;
        case TUNE_TASK_CLUSTERING:
            b->out_len += (size_t)snprintf(b->out + b->out_len, 24, "%d", p->label[i]);
            break;
        }
        b->out[b->out_len++] = '\n';
    }
    return TUNE_OK;
}

static void process_block(const struct plan *pl, struct block *b)
{
    const struct tune_model *m = pl->m;
    double *raw = NULL, *cols = NULL;
    char *keep = NULL;
    size_t *keep_off = NULL, n = 0, miss_line = SIZE_MAX, miss_col = 0;
    struct tune_matrix x = {0};
    struct tune_predictions p = {0};
    struct tune_error err = {0};
    b->rc = TUNE_OK;
    if (parse_block(pl, b, &raw, &n, &keep, &keep_off, &miss_line, &miss_col))
        goto done;
    b->rows = n;
    if (n == 0)
        goto done;
    cols = raw;
    raw = NULL;
    if (tune_model_transform(m, cols, n, &x, &err)) {
        if (err.code == TUNE_EINVAL && miss_line != SIZE_MAX && pl->impute_none)
            block_fail(b, TUNE_EINVAL, miss_line, miss_col,
                       "a missing value, and the model imputes none (its study had "
                       "\"impute\": \"none\")");
        else
            block_fail(b, err.code, 0, 0, "%s", err.msg);
        goto done;
    }
    if (tune_model_predictions_init(m, n, &p, &err) ||
        tune_model_predict_features(m, &x, &p, &err)) {
        block_fail(b, err.code, 0, 0, "%s", err.msg);
        goto done;
    }
    format_block(pl, b, n, &p, keep, keep_off);
done:
    tune_predictions_release(&p);
    free(x.data);
    free(cols);
    free(raw);
    free(keep);
    free(keep_off);
    free(b->data);
    b->data = NULL;
}

/* ---- the workers ---------------------------------------------------------------- */

static void *worker(void *arg)
{
    struct pool *pool = arg;
    pthread_mutex_lock(&pool->mu);
    for (;;) {
        while (!pool->quit && pool->taken == pool->queued)
            pthread_cond_wait(&pool->work, &pool->mu);
        if (pool->quit && pool->taken == pool->queued)
            break;
        struct block *b = &pool->slots[pool->taken++ % pool->n_slots];
        b->state = SLOT_BUSY;
        pthread_mutex_unlock(&pool->mu);
        process_block(pool->plan, b);
        pthread_mutex_lock(&pool->mu);
        b->state = SLOT_DONE;
        pthread_cond_broadcast(&pool->done);
    }
    pthread_mutex_unlock(&pool->mu);
    return NULL;
}

/* ---- the header ----------------------------------------------------------------- */

static int plan_columns(struct plan *pl, char *const *names, size_t n_fields,
                        const struct tune_model_csv_options *o, size_t header_line,
                        struct tune_error *err)
{
    const struct tune_model *m = pl->m;
    pl->n_fields = n_fields;
    for (size_t a = 0; a < n_fields; a++)
        for (size_t c = 0; c < a; c++)
            if (strcmp(names[a], names[c]) == 0)
                return tune_error_set(err, TUNE_EINVAL, "%s:%zu:%zu: column '%.100s' appears "
                                      "twice in the header (also column %zu)", pl->in_name,
                                      header_line, a + 1, names[a], c + 1);
    pl->input_field = malloc((m->n_inputs + 1) * sizeof *pl->input_field);
    pl->role = malloc((n_fields + 1) * sizeof *pl->role);
    if (!pl->input_field || !pl->role)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    for (size_t a = 0; a < n_fields; a++)
        pl->role[a] = -1;
    for (size_t j = 0; j < m->n_inputs; j++) {
        size_t a = 0;
        while (a < n_fields && strcmp(names[a], m->inputs[j].name) != 0)
            a++;
        if (a == n_fields) {
            char list[300] = "";
            for (size_t k = 0; k < m->n_inputs && strlen(list) < 250; k++) {
                strncat(list, k ? ", " : "", sizeof list - strlen(list) - 1);
                strncat(list, m->inputs[k].name, sizeof list - strlen(list) - 1);
            }
            return tune_error_set(err, TUNE_EINVAL, "%s:%zu: no column '%.100s', which the "
                                  "model needs (its input columns: %s%s)", pl->in_name,
                                  header_line, m->inputs[j].name, list,
                                  strlen(list) >= 250 ? ", ..." : "");
        }
        pl->input_field[j] = a;
        pl->role[a] = (long)j;
    }
    size_t n_keep = 0;
    while (o && o->keep && o->keep[n_keep])
        n_keep++;
    pl->keep_field = malloc((n_keep + 1) * sizeof *pl->keep_field);
    if (!pl->keep_field)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    for (size_t k = 0; k < n_keep; k++) {
        size_t a = 0;
        while (a < n_fields && strcmp(names[a], o->keep[k]) != 0)
            a++;
        if (a == n_fields)
            return tune_error_set(err, TUNE_EINVAL, "%s:%zu: no column '%.100s' to keep",
                                  pl->in_name, header_line, o->keep[k]);
        pl->keep_field[k] = a;
    }
    pl->n_keep = n_keep;
    return TUNE_OK;
}

static int write_header(const struct plan *pl, char *const *names, FILE *out,
                        struct tune_error *err)
{
    const struct tune_model *m = pl->m;
    struct block h = {0};
    size_t need = 64;
    for (size_t k = 0; k < pl->n_keep; k++)
        need += 2 * strlen(names[pl->keep_field[k]]) + 3;
    for (size_t c = 0; c < m->n_classes; c++)
        need += 2 * strlen(m->class_names[c]) + 10;
    if (!out_reserve(&h, need))
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    for (size_t k = 0; k < pl->n_keep; k++) {
        const char *s = names[pl->keep_field[k]];
        out_field(&h, s, strlen(s));
        h.out[h.out_len++] = ',';
    }
    if (m->task == TUNE_TASK_BINARY) {
        out_raw(&h, "label,score", 11);
    } else if (m->task == TUNE_TASK_MULTICLASS) {
        out_raw(&h, "label", 5);
        for (size_t c = 0; c < m->n_classes; c++) {
            char col[2 * 65536 + 8];
            int len = snprintf(col, sizeof col, "proba_%s", m->class_names[c]);
            h.out[h.out_len++] = ',';
            out_field(&h, col, (size_t)len);
        }
    } else if (m->task == TUNE_TASK_REGRESSION) {
        out_raw(&h, "prediction", 10);
    } else {
        out_raw(&h, "cluster", 7);
    }
    h.out[h.out_len++] = '\n';
    int ok = fwrite(h.out, 1, h.out_len, out) == h.out_len;
    free(h.out);
    return ok ? TUNE_OK : tune_error_set(err, TUNE_EIO, "cannot write the predictions");
}

/* ---- the stream ------------------------------------------------------------------- */

/* Report a finished block: its error (with the global line) or its output. */
static int finish_block(const struct plan *pl, struct block *b, size_t lines_before, FILE *out,
                        struct tune_model_csv_stats *st, struct tune_error *err)
{
    if (b->rc) {
        if (b->err_has_line && b->err_col)
            return tune_error_set(err, b->rc, "%s:%zu:%zu: %s", pl->in_name,
                                  lines_before + b->err_line + 1, b->err_col, b->msg);
        if (b->err_has_line)
            return tune_error_set(err, b->rc, "%s:%zu: %s", pl->in_name,
                                  lines_before + b->err_line + 1, b->msg);
        return tune_error_set(err, b->rc, "%s: %s", pl->in_name, b->msg);
    }
    if (b->out_len && fwrite(b->out, 1, b->out_len, out) != b->out_len)
        return tune_error_set(err, TUNE_EIO, "cannot write the predictions");
    st->rows += b->rows;
    if (b->unseen && st->unseen == 0)
        snprintf(st->unseen_example, sizeof st->unseen_example, "line %zu, %s",
                 lines_before + b->unseen_line + 1, b->unseen_what);
    st->unseen += b->unseen;
    return TUNE_OK;
}

static void block_reset(struct block *b)
{
    free(b->data);
    free(b->out);
    memset(b, 0, sizeof *b);
}

int tune_model_predict_csv(const struct tune_model *m, FILE *in, const char *in_name, FILE *out,
                           const struct tune_model_csv_options *opts,
                           struct tune_model_csv_stats *stats, struct tune_error *err)
{
    struct tune_model_csv_stats own;
    struct tune_model_csv_stats *st = stats ? stats : &own;
    memset(st, 0, sizeof *st);
    const struct tune_prep_config *pc = tune_prep_config_of(m->prep);
    struct plan pl = {.m = m, .in_name = in_name, .unseen_zero = opts && opts->unseen_zero,
                      .one_hot = pc->one_hot, .impute_none = pc->impute == TUNE_IMPUTE_NONE};
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    size_t threads = opts && opts->n_threads ? opts->n_threads : cores > 0 ? (size_t)cores : 1;
    if (threads > MAX_THREADS)
        threads = MAX_THREADS;
    size_t block_bytes = opts && opts->block_bytes ? opts->block_bytes
                         : m->owned_type             ? EXTERNAL_BLOCK
                                                     : DEFAULT_BLOCK;
    if (m->owned_type && !m->allow_exec)
        return tune_model_predict_features(m, NULL, NULL, err); /* the refusal, by name */

    struct tune_csv_blocks *rd = NULL;
    int rc = tune_csv_blocks_open(in, in_name, block_bytes, &rd, err);
    if (rc)
        return rc;
    char *const *names;
    size_t n_fields = tune_csv_blocks_header(rd, &names);
    size_t lines_before = tune_csv_blocks_header_lines(rd);
    if ((rc = plan_columns(&pl, names, n_fields, opts, lines_before, err)) ||
        (rc = write_header(&pl, names, out, err)))
        goto done;

    struct pool pool = {.plan = &pl, .n_slots = 2 * threads};
    struct block slots[2 * MAX_THREADS];
    memset(slots, 0, sizeof slots);
    pool.slots = slots;
    pthread_t tid[MAX_THREADS];
    size_t started = 0;
    if (threads > 1) {
        pthread_mutex_init(&pool.mu, NULL);
        pthread_cond_init(&pool.work, NULL);
        pthread_cond_init(&pool.done, NULL);
        for (; started < threads; started++)
            if (pthread_create(&tid[started], NULL, worker, &pool) != 0)
                break;
    }
    size_t written = 0;
    int eof = 0;
    while (!rc) {
        /* queue blocks while there is room */
        while (!eof && pool.queued - written < pool.n_slots) {
            char *data;
            size_t len;
            if ((rc = tune_csv_blocks_next(rd, &data, &len, err)))
                break;
            if (len == 0) {
                eof = 1;
                break;
            }
            if (len > st->peak_block_bytes)
                st->peak_block_bytes = len;
            struct block *b = &slots[pool.queued % pool.n_slots];
            block_reset(b);
            b->data = data;
            b->len = len;
            if (started == 0) {
                process_block(&pl, b);
                b->state = SLOT_DONE;
                pool.queued++;
                pool.taken++;
                break; /* finish it before reading on */
            }
            pthread_mutex_lock(&pool.mu);
            b->state = SLOT_READY;
            pool.queued++;
            pthread_cond_signal(&pool.work);
            pthread_mutex_unlock(&pool.mu);
        }
        if (rc || written == pool.queued)
            break;
        struct block *b = &slots[written % pool.n_slots];
        if (started) {
            pthread_mutex_lock(&pool.mu);
            while (b->state != SLOT_DONE)
                pthread_cond_wait(&pool.done, &pool.mu);
            pthread_mutex_unlock(&pool.mu);
        }
        rc = finish_block(&pl, b, lines_before, out, st, err);
        lines_before += b->lines;
        free(b->out);
        b->out = NULL;
        b->out_len = b->out_cap = 0;
        b->state = SLOT_FREE;
        written++;
    }
    if (started) {
        /* let the workers finish what they hold, then stop them */
        pthread_mutex_lock(&pool.mu);
        pool.quit = 1;
        pthread_cond_broadcast(&pool.work);
        pthread_mutex_unlock(&pool.mu);
        for (size_t t = 0; t < started; t++)
            pthread_join(tid[t], NULL);
        pthread_mutex_destroy(&pool.mu);
        pthread_cond_destroy(&pool.work);
        pthread_cond_destroy(&pool.done);
    }
    for (size_t s = 0; s < pool.n_slots; s++)
        block_reset(&slots[s]);
    if (!rc && fflush(out) != 0)
        rc = tune_error_set(err, TUNE_EIO, "cannot write the predictions");
done:
    free(pl.input_field);
    free(pl.keep_field);
    free(pl.role);
    tune_csv_blocks_close(rd);
    return rc;
}
