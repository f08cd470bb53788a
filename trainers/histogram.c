/* SPDX-License-Identifier: GPL-3.0-or-later */
/* histogram.c — bins the columns for gradient boosting (see tune_bins in
 * tree_common.h): the edges of each column, then every row's bin code.
 *
 * Edges follow scikit-learn's HistGradientBoosting (_find_binning_thresholds):
 * with at most max_bins distinct values, the midpoints between consecutive
 * ones; else the values at the percentiles 100 k / max_bins, k = 1 ..
 * max_bins - 1, each the midpoint of the two order statistics around
 * position (m - 1) k / max_bins (numpy's "midpoint" method), with repeated
 * edges merged (sklearn keeps them as empty bins).  A row's code is the
 * number of edges below its value (binary search), so code <= b exactly when
 * x <= edge[b]: the double thresholds the trees store give the same split
 * at prediction as the codes did in training. */
#include "tree_common.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BIN_SAMPLE 200000

struct bin_job {
    const double *x;
    size_t n, d, max_bins;
    const size_t *sample;      /* m rows the edges come from (NULL: all) */
    size_t m;
    struct tune_bins *b;
    double *edges;             /* d x 255 */
    uint64_t *scratch;         /* per thread: 3 m + 1 words */
    int *rc;
};

/* Edges below v: a branch-free lower bound (the comparison becomes a
 * conditional move, so unpredictable values cost no mispredictions). */
static size_t code_of(const double *edge, size_t n_edges, double v)
{
    const double *base = edge;
    size_t len = n_edges;
    while (len > 1) {
        size_t half = len / 2;
        base = base[half] < v ? base + half : base;
        len -= half;
    }
    return (size_t)(base - edge) + (len == 1 && base[0] < v);
}

static void bin_task(void *arg, size_t j, size_t thread)
{
    struct bin_job *job = arg;
    struct tune_bins *b = job->b;
    size_t n = job->n, m = job->m;
    const double *col = job->x + j * n;
    uint64_t *scratch = job->scratch + thread * (3 * m + 1);
    double *sv = (double *)(scratch + 2 * m);
    double *edge = job->edges + j * 255;

    /* The sample's values, sorted, NaN last: sv[0..nv) are the numbers. */
    for (size_t i = 0; i < m; i++)
        sv[i] = col[job->sample ? job->sample[i] : i];
    tune_sort_doubles(sv, m, scratch);
    size_t nv = m;
    while (nv > 0 && isnan(sv[nv - 1]))
        nv--;

    int missing = nv < m;
    for (size_t i = 0; i < n && !missing; i++)
        missing = isnan(col[i]);
    size_t max_bins = job->max_bins;
    if (missing && max_bins > 255)
        max_bins = 255;

    size_t n_distinct = 0;
    for (size_t i = 0; i < nv && n_distinct <= max_bins; i++)
        n_distinct += i == 0 || sv[i] != sv[i - 1];
    size_t n_edges = 0;
    if (n_distinct <= max_bins) {
        for (size_t i = 1; i < nv; i++) {
            if (sv[i] == sv[i - 1])
                continue;
            double e = sv[i - 1] / 2.0 + sv[i] / 2.0;
            edge[n_edges++] = e < sv[i] ? e : sv[i - 1];
        }
    } else {
        for (size_t q = 1; q < max_bins; q++) {
            double h = (double)(nv - 1) * (double)q / (double)max_bins;
            size_t lo = (size_t)floor(h), hi = (size_t)ceil(h);
            double e = sv[lo] / 2.0 + sv[hi] / 2.0;
            if (n_edges == 0 || e > edge[n_edges - 1])
                edge[n_edges++] = e;
        }
        /* An edge at the largest value leaves an empty last bin: drop it. */
        while (n_edges > 0 && edge[n_edges - 1] >= sv[nv - 1])
            n_edges--;
    }
    b->n_bins[j] = (uint16_t)(n_edges + 1);
    b->has_missing[j] = (uint8_t)missing;
    uint8_t *codes = b->codes + j * n;
    for (size_t i = 0; i < n; i++) {
        double v = col[i];
        codes[i] = (uint8_t)(isnan(v) ? n_edges + 1 : code_of(edge, n_edges, v));
    }
}

/* Row-major copy of the codes, by blocks of rows. */
struct transpose_job {
    struct tune_bins *b;
};

#define TRANSPOSE_BLOCK 4096

static void transpose_task(void *arg, size_t block, size_t thread)
{
    (void)thread;
    struct tune_bins *b = ((struct transpose_job *)arg)->b;
    size_t n = b->n, d = b->d, i0 = block * TRANSPOSE_BLOCK;
    size_t i1 = i0 + TRANSPOSE_BLOCK < n ? i0 + TRANSPOSE_BLOCK : n;
    for (size_t j = 0; j < d; j++) {
        const uint8_t *col = b->codes + j * n;
        for (size_t i = i0; i < i1; i++)
            b->row_codes[i * d + j] = col[i];
    }
}

int tune_bins_build(struct tune_pool *pool, const double *x, size_t n, size_t d,
                    size_t max_bins, uint64_t seed, struct tune_bins *out)
{
    memset(out, 0, sizeof *out);
    out->n = n;
    out->d = d;
    size_t m = n > BIN_SAMPLE ? BIN_SAMPLE : n, threads = tune_pool_threads(pool);
    size_t *sample = NULL;
    double *edges = malloc((d * 255 + 1) * sizeof *edges);
    uint64_t *scratch = malloc(((3 * m + 1) * threads + 1) * sizeof *scratch);
    int *rc = calloc(d + 1, sizeof *rc);
    out->codes = malloc(d * n + 1);
    out->row_codes = malloc(d * n + 1);
    out->n_bins = malloc((d + 1) * sizeof *out->n_bins);
    out->has_missing = malloc(d + 1);
    out->offset = malloc((d + 1) * sizeof *out->offset);
    out->edge_off = malloc((d + 1) * sizeof *out->edge_off);
    if (!edges || !scratch || !rc || !out->codes || !out->row_codes || !out->n_bins || !out->has_missing ||
        !out->offset || !out->edge_off)
        goto nomem;
    if (m < n) {
        sample = malloc(m * sizeof *sample);
        gsl_rng *r = tune_tree_rng(seed, 0x62696e73 /* "bins" */);
        if (!sample || !r) {
            if (r)
                gsl_rng_free(r);
            goto nomem;
        }
        /* gsl_ran_choose's selection sampling (Knuth's algorithm S), the
         * same draws, the same rows, without its array of every index */
        for (size_t i = 0, j = 0; i < n && j < m; i++)
            if ((double)(n - i) * gsl_rng_uniform(r) < (double)(m - j))
                sample[j++] = i;
        gsl_rng_free(r);
    }
    struct bin_job job = {x, n, d, max_bins, sample, m, out, edges, scratch, rc};
    tune_pool_run(pool, d, bin_task, &job);
    for (size_t j = 0; j < d; j++)
        if (rc[j])
            goto nomem;
    size_t total_edges = 0, slots = 0;
    for (size_t j = 0; j < d; j++) {
        out->edge_off[j] = total_edges;
        total_edges += out->n_bins[j] - 1u;
        out->offset[j] = slots;
        slots += out->n_bins[j] + out->has_missing[j];
    }
    out->offset[d] = slots;
    struct transpose_job tj = {out};
    tune_pool_run(pool, (n + TRANSPOSE_BLOCK - 1) / TRANSPOSE_BLOCK, transpose_task, &tj);
    out->edges = malloc((total_edges + 1) * sizeof *out->edges);
    if (!out->edges)
        goto nomem;
    for (size_t j = 0; j < d; j++)
        memcpy(out->edges + out->edge_off[j], edges + j * 255,
               (out->n_bins[j] - 1u) * sizeof *edges);
    free(edges);
    free(scratch);
    free(rc);
    free(sample);
    return TUNE_OK;
nomem:
    free(edges);
    free(scratch);
    free(rc);
    free(sample);
    tune_bins_release(out);
    return TUNE_ENOMEM;
}

/* Codes of rows that were not binned (a fold's validation rows), by
 * blocks of rows. */
struct code_job {
    const struct tune_bins *b;
    const double *x;
    size_t n;
    uint8_t *out;
};

static void code_task(void *arg, size_t block, size_t thread)
{
    (void)thread;
    const struct code_job *job = arg;
    const struct tune_bins *b = job->b;
    size_t n = job->n, d = b->d, i0 = block * TRANSPOSE_BLOCK;
    size_t i1 = i0 + TRANSPOSE_BLOCK < n ? i0 + TRANSPOSE_BLOCK : n;
    for (size_t j = 0; j < d; j++) {
        const double *col = job->x + j * n, *edge = b->edges + b->edge_off[j];
        size_t n_edges = b->n_bins[j] - 1u;
        for (size_t i = i0; i < i1; i++) {
            double v = col[i];
            job->out[i * d + j] = (uint8_t)(isnan(v) ? n_edges + 1 : code_of(edge, n_edges, v));
        }
    }
}

int tune_bins_code_rows(struct tune_pool *pool, const struct tune_bins *b, const double *x,
                        size_t n, uint8_t **out)
{
    *out = NULL;
    for (size_t j = 0; j < b->d; j++) {
        if (b->n_bins[j] < 256)
            continue;
        const double *col = x + j * n;
        for (size_t i = 0; i < n; i++)
            if (isnan(col[i]))
                return 1;
    }
    struct code_job job = {b, x, n, malloc(n * b->d + 1)};
    if (!job.out)
        return TUNE_ENOMEM;
    tune_pool_run(pool, (n + TRANSPOSE_BLOCK - 1) / TRANSPOSE_BLOCK, code_task, &job);
    *out = job.out;
    return TUNE_OK;
}

void tune_bins_release(struct tune_bins *b)
{
    if (!b)
        return;
    free(b->codes);
    free(b->row_codes);
    free(b->n_bins);
    free(b->has_missing);
    free(b->offset);
    free(b->edge_off);
    free(b->edges);
    memset(b, 0, sizeof *b);
}

/* ---- bins kept in the fold cache ---- */

static void bins_key(char *key, size_t len, const char *trainer, size_t max_bins, uint64_t seed)
{
    snprintf(key, len, "%s/bins/%zu/%016" PRIx64, trainer, max_bins, seed);
}

static void bins_free(void *p)
{
    tune_bins_release(p);
    free(p);
}

const struct tune_bins *tune_bins_cached(const struct tune_fit_ctx *ctx, const char *trainer,
                                         size_t n, size_t d, size_t max_bins, uint64_t seed)
{
    char key[96];
    if (!ctx->cache_find)
        return NULL;
    bins_key(key, sizeof key, trainer, max_bins, seed);
    const struct tune_bins *b = ctx->cache_find(ctx->cache_arg, key);
    /* a fold's data never changes shape; a mismatch is someone else's key */
    return b && b->n == n && b->d == d ? b : NULL;
}

void tune_bins_keep(const struct tune_fit_ctx *ctx, const char *trainer, size_t max_bins,
                    uint64_t seed, struct tune_bins *b)
{
    char key[96];
    struct tune_bins *kept = ctx->cache_put && b->codes ? malloc(sizeof *kept) : NULL;
    if (!kept)
        return;
    *kept = *b;
    memset(b, 0, sizeof *b);
    size_t d = kept->d, bytes = sizeof *kept + 2 * kept->n * d + d * (sizeof *kept->n_bins + 1 +
                                2 * sizeof *kept->offset) + kept->offset[d] * sizeof(double);
    bins_key(key, sizeof key, trainer, max_bins, seed);
    ctx->cache_put(ctx->cache_arg, key, kept, bytes, bins_free);
}
