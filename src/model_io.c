/* SPDX-License-Identifier: GPL-3.0-or-later */
/* model_io.c — the byte-level writer and reader of model files (see
 * src/model_io.h and the "Saving and loading models" contract in
 * tunefold/trainer.h), and CRC-32.
 *
 * The reader is where "loading never trusts the file" is enforced for every
 * trainer at once: each get checks the bytes left before it copies, a size
 * is refused above its stated maximum or above what the rest of the payload
 * could hold, and an array is sized against the bytes left before it is
 * allocated.  A hostile file can therefore make a load fail, never read out
 * of bounds nor allocate more than about the file's own size.
 *
 * CRC-32 is the table-driven reflected form of the IEEE 802.3 polynomial
 * 0xEDB88320 (Sarwate 1988), the checksum of zlib, PNG and gzip, so a file's
 * value can be checked with any of their tools. */
#include "src/model_io.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- writer ------------------------------------------------------------- */

void tune_model_writer_init(struct tune_model_writer *w, struct tune_error *err)
{
    memset(w, 0, sizeof *w);
    w->err = err;
}

void tune_model_writer_release(struct tune_model_writer *w)
{
    free(w->buf);
    w->buf = NULL;
    w->len = w->cap = 0;
}

static int reserve(struct tune_model_writer *w, size_t n)
{
    if (w->failed)
        return w->err ? w->err->code : TUNE_ENOMEM;
    if (n <= w->cap - w->len)
        return TUNE_OK;
    size_t cap = w->cap ? w->cap : 4096;
    while (cap - w->len < n) {
        if (cap > SIZE_MAX / 2) {
            cap = 0;
            break;
        }
        cap *= 2;
    }
    unsigned char *b = cap ? realloc(w->buf, cap) : NULL;
    if (!b) {
        w->failed = 1;
        return tune_error_set(w->err, TUNE_ENOMEM, "out of memory writing a model (%zu bytes)",
                              w->len);
    }
    w->buf = b;
    w->cap = cap;
    return TUNE_OK;
}

int tune_model_put_bytes(struct tune_model_writer *w, const void *p, size_t n)
{
    int rc = reserve(w, n);
    if (rc)
        return rc;
    if (n)
        memcpy(w->buf + w->len, p, n);
    w->len += n;
    return TUNE_OK;
}

static void le64(unsigned char *b, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le64(const unsigned char *b)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | b[i];
    return v;
}

int tune_model_put_u32(struct tune_model_writer *w, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    return tune_model_put_bytes(w, b, 4);
}

int tune_model_put_u64(struct tune_model_writer *w, uint64_t v)
{
    unsigned char b[8];
    le64(b, v);
    return tune_model_put_bytes(w, b, 8);
}

static uint64_t bits_of(double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    return u;
}

int tune_model_put_f64(struct tune_model_writer *w, double v)
{
    return tune_model_put_u64(w, bits_of(v));
}

int tune_model_put_f64s(struct tune_model_writer *w, const double *v, size_t n)
{
    if (n > SIZE_MAX / 8)
        return tune_error_set(w->err, TUNE_ENOMEM, "model array too large");
    int rc = reserve(w, 8 * n);
    if (rc)
        return rc;
    unsigned char *b = w->buf + w->len;
    for (size_t i = 0; i < n; i++)
        le64(b + 8 * i, bits_of(v[i]));
    w->len += 8 * n;
    return TUNE_OK;
}

int tune_model_put_u32s(struct tune_model_writer *w, const uint32_t *v, size_t n)
{
    if (n > SIZE_MAX / 4)
        return tune_error_set(w->err, TUNE_ENOMEM, "model array too large");
    int rc = reserve(w, 4 * n);
    if (rc)
        return rc;
    unsigned char *b = w->buf + w->len;
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < 4; k++)
            b[4 * i + (size_t)k] = (unsigned char)(v[i] >> (8 * k));
    w->len += 4 * n;
    return TUNE_OK;
}

int tune_model_put_str(struct tune_model_writer *w, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    int rc = tune_model_put_u64(w, n);
    return rc ? rc : tune_model_put_bytes(w, s, n);
}

void tune_model_writer_patch_u64(struct tune_model_writer *w, size_t at, uint64_t v)
{
    if (!w->failed && at + 8 <= w->len)
        le64(w->buf + at, v);
}

/* ---- reader ------------------------------------------------------------- */

void tune_model_reader_init(struct tune_model_reader *r, const void *p, size_t len, size_t base,
                            const char *name, const char *part, size_t n_threads,
                            struct tune_error *err)
{
    *r = (struct tune_model_reader){.p = p, .len = len, .base = base, .name = name,
                                    .part = part, .n_threads = n_threads ? n_threads : 1,
                                    .err = err};
}

int tune_model_reader_fail(struct tune_model_reader *r, const char *fmt, ...)
{
    char msg[TUNE_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return tune_error_set(r->err, TUNE_EINVAL, "%s: %s: %s", r->name ? r->name : "model",
                          r->part ? r->part : "model", msg);
}

size_t tune_model_reader_left(const struct tune_model_reader *r)
{
    return r->len - r->pos;
}

size_t tune_model_reader_threads(const struct tune_model_reader *r)
{
    return r->n_threads ? r->n_threads : 1;
}

static int need(struct tune_model_reader *r, size_t n)
{
    if (n <= r->len - r->pos)
        return TUNE_OK;
    return tune_model_reader_fail(r, "truncated: %zu bytes wanted at byte %zu, %zu left", n,
                                  r->base + r->pos, r->len - r->pos);
}

int tune_model_get_bytes(struct tune_model_reader *r, void *p, size_t n)
{
    int rc = need(r, n);
    if (rc)
        return rc;
    if (n)
        memcpy(p, r->p + r->pos, n);
    r->pos += n;
    return TUNE_OK;
}

int tune_model_get_u32(struct tune_model_reader *r, uint32_t *v)
{
    int rc = need(r, 4);
    if (rc)
        return rc;
    const unsigned char *b = r->p + r->pos;
    *v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    r->pos += 4;
    return TUNE_OK;
}

int tune_model_get_u64(struct tune_model_reader *r, uint64_t *v)
{
    int rc = need(r, 8);
    if (rc)
        return rc;
    *v = get_le64(r->p + r->pos);
    r->pos += 8;
    return TUNE_OK;
}

int tune_model_get_f64(struct tune_model_reader *r, double *v)
{
    uint64_t u;
    int rc = tune_model_get_u64(r, &u);
    if (!rc)
        memcpy(v, &u, sizeof *v);
    return rc;
}

int tune_model_get_f64s(struct tune_model_reader *r, double *v, size_t n)
{
    int rc = n > SIZE_MAX / 8 ? need(r, SIZE_MAX) : need(r, 8 * n);
    if (rc)
        return rc;
    const unsigned char *b = r->p + r->pos;
    for (size_t i = 0; i < n; i++) {
        uint64_t u = get_le64(b + 8 * i);
        memcpy(&v[i], &u, sizeof u);
    }
    r->pos += 8 * n;
    return TUNE_OK;
}

int tune_model_get_u32s(struct tune_model_reader *r, uint32_t *v, size_t n)
{
    int rc = n > SIZE_MAX / 4 ? need(r, SIZE_MAX) : need(r, 4 * n);
    if (rc)
        return rc;
    const unsigned char *b = r->p + r->pos;
    for (size_t i = 0; i < n; i++)
        v[i] = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 | (uint32_t)b[4 * i + 2] << 16 |
               (uint32_t)b[4 * i + 3] << 24;
    r->pos += 4 * n;
    return TUNE_OK;
}

int tune_model_get_size(struct tune_model_reader *r, const char *what, size_t max,
                        size_t item_bytes, size_t *v)
{
    uint64_t u;
    size_t at = r->base + r->pos;
    int rc = tune_model_get_u64(r, &u);
    if (rc)
        return rc;
    if (u > max)
        return tune_model_reader_fail(r, "%s is %llu at byte %zu, at most %zu allowed", what,
                                      (unsigned long long)u, at, max);
    if (item_bytes && u > (r->len - r->pos) / item_bytes)
        return tune_model_reader_fail(r, "%s is %llu at byte %zu, but only %zu bytes follow",
                                      what, (unsigned long long)u, at, r->len - r->pos);
    *v = (size_t)u;
    return TUNE_OK;
}

int tune_model_get_str(struct tune_model_reader *r, char **s)
{
    size_t n;
    *s = NULL;
    int rc = tune_model_get_size(r, "a string's length", SIZE_MAX - 1, 1, &n);
    if (rc)
        return rc;
    if (memchr(r->p + r->pos, '\0', n))
        return tune_model_reader_fail(r, "a string at byte %zu holds a NUL byte",
                                      r->base + r->pos);
    char *t = malloc(n + 1);
    if (!t)
        return tune_error_set(r->err, TUNE_ENOMEM, "out of memory reading a model");
    memcpy(t, r->p + r->pos, n);
    t[n] = '\0';
    r->pos += n;
    *s = t;
    return TUNE_OK;
}

int tune_model_get_f64_array(struct tune_model_reader *r, size_t n, double **out)
{
    *out = NULL;
    int rc = n > SIZE_MAX / 8 ? need(r, SIZE_MAX) : need(r, 8 * n);
    if (rc)
        return rc;
    double *a = malloc((n ? n : 1) * sizeof *a);
    if (!a)
        return tune_error_set(r->err, TUNE_ENOMEM, "out of memory reading a model (%zu values)",
                              n);
    tune_model_get_f64s(r, a, n);
    *out = a;
    return TUNE_OK;
}

int tune_model_reader_sub(struct tune_model_reader *r, size_t n, const char *part,
                          struct tune_model_reader *sub)
{
    int rc = need(r, n);
    if (rc)
        return rc;
    tune_model_reader_init(sub, r->p + r->pos, n, r->base + r->pos, r->name, part, r->n_threads,
                           r->err);
    r->pos += n;
    return TUNE_OK;
}

/* ---- the trainer wrappers ------------------------------------------------ */

int tune_trainer_can_save(const struct tune_trainer_type *t)
{
    return t && t->version >= 2 && t->save && t->load;
}

int tune_trainer_save(const struct tune_trainer_type *t, const void *model,
                      struct tune_model_writer *w, struct tune_error *err)
{
    if (!tune_trainer_can_save(t))
        return tune_error_set(err, TUNE_EUNSUPPORTED, "trainer '%s' cannot save its models",
                              t ? t->name : "?");
    return t->save(model, w, err);
}

int tune_trainer_load(const struct tune_trainer_type *t, struct tune_model_reader *r,
                      void **model, struct tune_error *err)
{
    *model = NULL;
    if (!tune_trainer_can_save(t))
        return tune_error_set(err, TUNE_EUNSUPPORTED, "trainer '%s' cannot load models",
                              t ? t->name : "?");
    return t->load(r, model, err);
}

/* ---- CRC-32 -------------------------------------------------------------- */

/* The table is computed by the compiler from the polynomial: no mutable
 * state, no initialisation order. */
#define CRC_P 0xEDB88320u
#define CRC_B(c) (((c) & 1u) ? CRC_P ^ ((c) >> 1) : (c) >> 1)
#define CRC_8(c) CRC_B(CRC_B(CRC_B(CRC_B(CRC_B(CRC_B(CRC_B(CRC_B(c))))))))
#define CRC_R4(n) CRC_8((uint32_t)(n)), CRC_8((uint32_t)(n) + 1), CRC_8((uint32_t)(n) + 2), \
                  CRC_8((uint32_t)(n) + 3)
#define CRC_R16(n) CRC_R4(n), CRC_R4((n) + 4), CRC_R4((n) + 8), CRC_R4((n) + 12)
#define CRC_R64(n) CRC_R16(n), CRC_R16((n) + 16), CRC_R16((n) + 32), CRC_R16((n) + 48)
static const uint32_t crc_table[256] = {CRC_R64(0), CRC_R64(64), CRC_R64(128), CRC_R64(192)};

uint32_t tune_crc32(uint32_t crc, const void *p, size_t n)
{
    const unsigned char *b = p;
    crc = ~crc;
    for (size_t i = 0; i < n; i++)
        crc = crc_table[(crc ^ b[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}
