/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tree_common.c — sorting, seeding and tree storage shared by the tree,
 * forest and boosting trainers (see tree_common.h).
 *
 * tune_argsort is a least-significant-digit radix sort (six passes of 11
 * bits) over the doubles' bit patterns mapped to unsigned integers that order
 * like the values (flip every bit of a negative, the sign bit of a positive;
 * NaN maps to the largest key, so it sorts last).  LSD radix sort is stable,
 * so ties keep index order and the result is fully determined by the input.
 * Passes whose digit is the same for every key are skipped.  tune_sort_doubles
 * is the same sort without the indices. */
#include "tree_common.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define RADIX_BITS 11
#define RADIX_SIZE (1u << RADIX_BITS)
#define RADIX_PASSES 6

static inline uint64_t sort_key(double v)
{
    if (isnan(v))
        return UINT64_MAX;
    if (v == 0)
        v = 0.0; /* -0 and +0 are one value */
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    return (u >> 63) ? ~u : (u | 0x8000000000000000ull);
}

/* Stable insertion sort: small inputs, or no memory for the radix counts. */
static void insertion_argsort(const double *v, size_t n, uint32_t *out, uint64_t *key)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t k = sort_key(v[i]);
        size_t j = i;
        while (j > 0 && key[j - 1] > k) {
            key[j] = key[j - 1];
            out[j] = out[j - 1];
            j--;
        }
        key[j] = k;
        out[j] = (uint32_t)i;
    }
}

void tune_argsort(const double *v, size_t n, uint32_t *out, uint64_t *scratch)
{
    uint64_t *key = scratch, *key2 = scratch + n;
    uint32_t *idx2 = (uint32_t *)(scratch + 2 * n);
    size_t(*count)[RADIX_SIZE] = n < 64 ? NULL : calloc(RADIX_PASSES, sizeof *count);
    if (!count) {
        insertion_argsort(v, n, out, key);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t k = sort_key(v[i]);
        key[i] = k;
        out[i] = (uint32_t)i;
        for (int p = 0; p < RADIX_PASSES; p++)
            count[p][(k >> (p * RADIX_BITS)) & (RADIX_SIZE - 1)]++;
    }
    uint64_t *src_k = key, *dst_k = key2;
    uint32_t *src_i = out, *dst_i = idx2;
    for (int p = 0; p < RADIX_PASSES; p++) {
        size_t *c = count[p];
        unsigned shift = (unsigned)(p * RADIX_BITS);
        if (c[(src_k[0] >> shift) & (RADIX_SIZE - 1)] == n)
            continue;
        size_t sum = 0;
        for (size_t b = 0; b < RADIX_SIZE; b++) {
            size_t t = c[b];
            c[b] = sum;
            sum += t;
        }
        for (size_t i = 0; i < n; i++) {
            size_t pos = c[(src_k[i] >> shift) & (RADIX_SIZE - 1)]++;
            dst_k[pos] = src_k[i];
            dst_i[pos] = src_i[i];
        }
        uint64_t *tk = src_k;
        src_k = dst_k;
        dst_k = tk;
        uint32_t *ti = src_i;
        src_i = dst_i;
        dst_i = ti;
    }
    if (src_i != out)
        memcpy(out, src_i, n * sizeof *out);
    free(count);
}

static inline double from_key(uint64_t k)
{
    if (k == UINT64_MAX)
        return NAN;
    uint64_t u = (k >> 63) ? (k & 0x7fffffffffffffffull) : ~k;
    double v;
    memcpy(&v, &u, sizeof v);
    return v;
}

void tune_sort_doubles(double *v, size_t n, uint64_t *scratch)
{
    uint64_t *key = scratch, *key2 = scratch + n;
    size_t(*count)[RADIX_SIZE] = n < 64 ? NULL : calloc(RADIX_PASSES, sizeof *count);
    for (size_t i = 0; i < n; i++)
        key[i] = sort_key(v[i]);
    if (!count) {
        for (size_t i = 1; i < n; i++) {
            uint64_t k = key[i];
            size_t j = i;
            while (j > 0 && key[j - 1] > k) {
                key[j] = key[j - 1];
                j--;
            }
            key[j] = k;
        }
    } else {
        for (size_t i = 0; i < n; i++)
            for (int p = 0; p < RADIX_PASSES; p++)
                count[p][(key[i] >> (p * RADIX_BITS)) & (RADIX_SIZE - 1)]++;
        for (int p = 0; p < RADIX_PASSES; p++) {
            size_t *c = count[p];
            unsigned shift = (unsigned)(p * RADIX_BITS);
            if (c[(key[0] >> shift) & (RADIX_SIZE - 1)] == n)
                continue;
            size_t sum = 0;
            for (size_t b = 0; b < RADIX_SIZE; b++) {
                size_t t = c[b];
                c[b] = sum;
                sum += t;
            }
            for (size_t i = 0; i < n; i++)
                key2[c[(key[i] >> shift) & (RADIX_SIZE - 1)]++] = key[i];
            uint64_t *t = key;
            key = key2;
            key2 = t;
        }
        free(count);
    }
    for (size_t i = 0; i < n; i++)
        v[i] = from_key(key[i]);
}

uint64_t tune_tree_seed(uint64_t seed, uint64_t stream)
{
    uint64_t z = seed + 0x9E3779B97F4A7C15ull * (stream + 1);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

gsl_rng *tune_tree_rng(uint64_t seed, uint64_t stream)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (r)
        gsl_rng_set(r, (unsigned long)(tune_tree_seed(seed, stream) & 0xffffffffu));
    return r;
}

size_t tune_tree_threads(double hparam, const struct tune_fit_ctx *ctx)
{
    if (hparam >= 1)
        return (size_t)hparam;
    return ctx && ctx->n_threads > 0 ? ctx->n_threads : 1;
}

void tune_tree_release(struct tune_tree *t)
{
    if (!t)
        return;
    free(t->nodes);
    free(t->value);
    t->nodes = NULL;
    t->value = NULL;
    t->n_nodes = t->cap_nodes = t->n_leaves = t->cap_leaves = 0;
    t->root = 0;
}

static void link_slot(struct tune_tree *t, uint32_t slot, uint32_t ref)
{
    if (slot == TUNE_NODE_ROOT)
        t->root = ref;
    else
        t->nodes[slot / 2].child[slot % 2] = ref;
}

uint32_t tune_tree_split(struct tune_tree *t, uint32_t slot, size_t feature, double threshold,
                         int missing_left)
{
    if (t->n_nodes == t->cap_nodes) {
        size_t cap = t->cap_nodes ? 2 * t->cap_nodes : 64;
        if (cap > TUNE_NODE_LEAF / 2)
            cap = TUNE_NODE_LEAF / 2;
        struct tune_node *nd = cap > t->n_nodes ? realloc(t->nodes, cap * sizeof *nd) : NULL;
        if (!nd)
            return UINT32_MAX;
        t->nodes = nd;
        t->cap_nodes = cap;
    }
    uint32_t q = (uint32_t)t->n_nodes++;
    struct tune_node *nd = &t->nodes[q];
    nd->feature = (uint32_t)feature | (missing_left ? TUNE_NODE_MISSING_LEFT : 0u);
    nd->child[0] = nd->child[1] = TUNE_NODE_LEAF;
    memcpy(nd->threshold, &threshold, sizeof threshold);
    link_slot(t, slot, q);
    return q;
}

double *tune_tree_leaf_at(struct tune_tree *t, uint32_t slot, uint32_t *block)
{
    if (t->n_leaves == t->cap_leaves) {
        size_t cap = t->cap_leaves ? 2 * t->cap_leaves : 32;
        double *v = realloc(t->value, cap * t->n_out * sizeof *v);
        if (!v)
            return NULL;
        t->value = v;
        t->cap_leaves = cap;
    }
    uint32_t b = (uint32_t)t->n_leaves++;
    link_slot(t, slot, TUNE_NODE_LEAF | b);
    if (block)
        *block = b;
    return t->value + t->n_out * b;
}

void tune_tree_share_values(struct tune_tree *t)
{
    size_t nl = t->n_leaves, no = t->n_out, cap = 16;
    while (cap < 2 * nl)
        cap *= 2;
    uint32_t *slot = malloc(cap * sizeof *slot);   /* open addressing: block + 1, 0 empty */
    uint32_t *to = malloc((nl + 1) * sizeof *to);  /* old block -> new block */
    if (!slot || !to) {
        free(slot);
        free(to);
        return;
    }
    memset(slot, 0, cap * sizeof *slot);
    size_t kept = 0;
    for (size_t b = 0; b < nl; b++) {
        const double *v = t->value + b * no;
        uint64_t h = 1469598103934665603u;   /* FNV-1a over the bytes */
        const unsigned char *p = (const unsigned char *)v;
        for (size_t q = 0; q < no * sizeof *v; q++)
            h = (h ^ p[q]) * 1099511628211u;
        size_t i = (size_t)(h ^ h >> 29) & (cap - 1);
        for (;; i = (i + 1) & (cap - 1)) {
            if (slot[i] == 0) {
                /* New values: move them down to the next kept block. */
                memmove(t->value + kept * no, v, no * sizeof *v);
                slot[i] = (uint32_t)kept + 1;
                to[b] = (uint32_t)kept++;
                break;
            }
            if (memcmp(t->value + (slot[i] - 1) * no, v, no * sizeof *v) == 0) {
                to[b] = slot[i] - 1;
                break;
            }
        }
    }
    if (t->root & TUNE_NODE_LEAF)
        t->root = TUNE_NODE_LEAF | to[t->root & ~TUNE_NODE_LEAF];
    for (size_t q = 0; q < t->n_nodes; q++)
        for (int side = 0; side < 2; side++) {
            uint32_t *c = &t->nodes[q].child[side];
            if (*c & TUNE_NODE_LEAF)
                *c = TUNE_NODE_LEAF | to[*c & ~TUNE_NODE_LEAF];
        }
    t->n_leaves = kept;
    free(slot);
    free(to);
}

void tune_tree_trim(struct tune_tree *t)
{
    if (t->n_nodes && t->n_nodes < t->cap_nodes) {
        struct tune_node *nd = realloc(t->nodes, t->n_nodes * sizeof *nd);
        if (nd) {
            t->nodes = nd;
            t->cap_nodes = t->n_nodes;
        }
    }
    if (t->n_leaves && t->n_leaves < t->cap_leaves) {
        double *v = realloc(t->value, t->n_leaves * t->n_out * sizeof *v);
        if (v) {
            t->value = v;
            t->cap_leaves = t->n_leaves;
        }
    }
}

size_t tune_cart_max_features(const char *choice, double fraction, size_t d)
{
    double m;
    if (!choice || strcmp(choice, "all") == 0)
        m = (double)d;
    else if (strcmp(choice, "sqrt") == 0)
        m = floor(sqrt((double)d));
    else if (strcmp(choice, "log2") == 0)
        m = floor(log2((double)d));
    else
        m = floor(fraction * (double)d);
    if (m < 1)
        m = 1;
    return m > (double)d ? d : (size_t)m;
}

int tune_tree_targets(const char *trainer, const struct tune_matrix *x, const double *y,
                      const struct tune_fit_ctx *ctx, size_t *k, uint16_t **cls,
                      struct tune_error *err)
{
    size_t n = x->n_rows;
    *k = 0;
    *cls = NULL;
    if (n == 0)
        return tune_error_set(err, TUNE_EINVAL, "%s: no training rows", trainer);
    if (n > UINT32_MAX / 2)
        return tune_error_set(err, TUNE_EINVAL, "%s: %zu rows is more than %u", trainer, n,
                              UINT32_MAX / 2);
    if (ctx->task == TUNE_TASK_REGRESSION) {
        for (size_t i = 0; i < n; i++)
            if (!isfinite(y[i]))
                return tune_error_set(err, TUNE_EINVAL, "%s: row %zu: target %g is not finite",
                                      trainer, i, y[i]);
        return TUNE_OK;
    }
    if (ctx->task != TUNE_TASK_BINARY && ctx->task != TUNE_TASK_MULTICLASS)
        return tune_error_set(err, TUNE_EINVAL,
                              "%s: task %s is neither classification nor regression", trainer,
                              tune_task_name(ctx->task));
    size_t kk = ctx->n_classes;
    if (kk < 2 || kk > UINT16_MAX || (ctx->task == TUNE_TASK_BINARY && kk != 2))
        return tune_error_set(err, TUNE_EINVAL, "%s: %zu classes for a %s task", trainer, kk,
                              tune_task_name(ctx->task));
    uint16_t *c = malloc(n * sizeof *c);
    if (!c)
        return tune_error_set(err, TUNE_ENOMEM, "%s: out of memory (%zu rows)", trainer, n);
    for (size_t i = 0; i < n; i++) {
        if (!(y[i] >= 0 && y[i] < (double)kk && y[i] == floor(y[i]))) {
            free(c);
            return tune_error_set(err, TUNE_EINVAL, "%s: row %zu: class code %g is not in 0..%zu",
                                  trainer, i, y[i], kk - 1);
        }
        c[i] = (uint16_t)y[i];
    }
    *k = kk;
    *cls = c;
    return TUNE_OK;
}

int tune_tree_check_predict(const char *trainer, size_t d, size_t k,
                            const struct tune_matrix *x, const struct tune_predictions *out,
                            struct tune_error *err)
{
    if (x->n_cols != d)
        return tune_error_set(err, TUNE_EINVAL, "%s: %zu columns to predict, model has %zu",
                              trainer, x->n_cols, d);
    if (out->n != x->n_rows || out->n_classes != k || (k ? !out->label : !out->value))
        return tune_error_set(err, TUNE_EINVAL,
                              "%s: predictions sized for %zu rows of %zu classes, need %zu rows "
                              "of %zu", trainer, out->n, out->n_classes, x->n_rows, k);
    return TUNE_OK;
}

int tune_tree_argmax(const double *proba, size_t k)
{
    size_t best = 0;
    for (size_t c = 1; c < k; c++)
        if (proba[c] > proba[best])
            best = c;
    return (int)best;
}

void tune_tree_normalise(const double *v, double *out, size_t d)
{
    double s = 0;
    for (size_t j = 0; j < d; j++)
        s += v[j];
    for (size_t j = 0; j < d; j++)
        out[j] = s > 0 ? v[j] / s : 0.0;
}

const char *const tune_cart_criterion_choices[] = {"auto", "gini", "entropy", "squared_error",
                                                   NULL};

int tune_cart_criterion_for(const char *trainer, double choice, enum tune_task task,
                            enum tune_cart_criterion *out, struct tune_error *err)
{
    int c = (int)choice, regression = task == TUNE_TASK_REGRESSION;
    if (c == 0) {
        *out = regression ? TUNE_CART_MSE : TUNE_CART_GINI;
        return TUNE_OK;
    }
    if (regression != (c == 3))
        return tune_error_set(err, TUNE_EINVAL, "%s: criterion %s does not fit a %s task",
                              trainer, tune_cart_criterion_choices[c], tune_task_name(task));
    *out = c == 1 ? TUNE_CART_GINI : c == 2 ? TUNE_CART_ENTROPY : TUNE_CART_MSE;
    return TUNE_OK;
}

void tune_tree_leaves(const struct tune_tree *t, const double *x, size_t n_rows, size_t i0,
                      size_t len, uint32_t *leaf)
{
    const struct tune_node *nd = t->nodes;
    uint32_t k[TUNE_TREE_BLOCK], live[TUNE_TREE_BLOCK];
    size_t n_live = 0;
    for (size_t r = 0; r < len; r++) {
        k[r] = t->root;
        live[n_live++] = (uint32_t)r;
    }
    while (n_live > 0) {
        size_t keep = 0;
        for (size_t q = 0; q < n_live; q++) {
            uint32_t r = live[q];
            if (k[r] & TUNE_NODE_LEAF) {
                leaf[r] = (k[r] & ~TUNE_NODE_LEAF) * (uint32_t)t->n_out;
                continue;
            }
            const struct tune_node *p = &nd[k[r]];
            uint32_t f = p->feature;
            double v = x[(size_t)TUNE_NODE_FEATURE(f) * n_rows + i0 + r];
            double thr = tune_node_threshold(p);
            /* NaN: neither comparison holds, the flag decides. */
            uint32_t right = (uint32_t)(v > thr) |
                             ((uint32_t)!(v <= thr) & (uint32_t)!(f & TUNE_NODE_MISSING_LEFT));
            k[r] = p->child[right];
            live[keep++] = r;
        }
        n_live = keep;
    }
}

/* ---- saving and loading ---- */

/* A tree on file: u64 nodes, u64 leaves, u64 n_out, u32 root, then per
 * node u32 feature word, u32 children, f64 threshold, then the leaves'
 * n_out values each. */
int tune_tree_save(const struct tune_tree *t, struct tune_model_writer *w)
{
    int rc;
    if ((rc = tune_model_put_u64(w, t->n_nodes)) || (rc = tune_model_put_u64(w, t->n_leaves)) ||
        (rc = tune_model_put_u64(w, t->n_out)) || (rc = tune_model_put_u32(w, t->root)))
        return rc;
    for (size_t q = 0; q < t->n_nodes; q++) {
        const struct tune_node *nd = &t->nodes[q];
        if ((rc = tune_model_put_u32(w, nd->feature)) ||
            (rc = tune_model_put_u32s(w, nd->child, 2)) ||
            (rc = tune_model_put_f64(w, tune_node_threshold(nd))))
            return rc;
    }
    return tune_model_put_f64s(w, t->value, t->n_leaves * t->n_out);
}

/* A child reference of node q (q = UINT32_MAX for the root) is good when it
 * names an existing leaf block, or an inner node after q. */
static int ref_ok(uint32_t ref, uint32_t q, size_t n_nodes, size_t n_leaves)
{
    if (ref & TUNE_NODE_LEAF)
        return (size_t)(ref & ~TUNE_NODE_LEAF) < n_leaves;
    return (q == UINT32_MAX ? ref == 0 : ref > q) && (size_t)ref < n_nodes;
}

int tune_tree_load(struct tune_model_reader *r, size_t d, size_t n_out, struct tune_tree *t,
                   struct tune_error *err)
{
    size_t nodes, leaves, no;
    int rc;
    memset(t, 0, sizeof *t);
    if ((rc = tune_model_get_size(r, "tree nodes", TUNE_NODE_LEAF / 2, 20, &nodes)) ||
        (rc = tune_model_get_size(r, "tree leaves", TUNE_NODE_LEAF - 1, 8, &leaves)) ||
        (rc = tune_model_get_size(r, "tree values per leaf", 65535, 0, &no)) ||
        (rc = tune_model_get_u32(r, &t->root)))
        return rc;
    if (no != n_out)
        return tune_model_reader_fail(r, "a tree has %zu values per leaf, the model %zu", no,
                                      n_out);
    /* leaf offsets are computed in 32 bits by tune_tree_leaves */
    if (leaves == 0 || leaves * n_out > UINT32_MAX)
        return tune_model_reader_fail(r, "a tree has %zu leaves of %zu values", leaves, n_out);
    if (!ref_ok(t->root, UINT32_MAX, nodes, leaves))
        return tune_model_reader_fail(r, "a tree's root %#x is not node 0 or a leaf", t->root);
    t->n_out = n_out;
    t->nodes = malloc((nodes ? nodes : 1) * sizeof *t->nodes);
    if (!t->nodes)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory loading a tree");
    t->n_nodes = t->cap_nodes = nodes;
    for (size_t q = 0; q < nodes; q++) {
        struct tune_node *nd = &t->nodes[q];
        double thr;
        if ((rc = tune_model_get_u32(r, &nd->feature)) ||
            (rc = tune_model_get_u32s(r, nd->child, 2)) || (rc = tune_model_get_f64(r, &thr)))
            return rc;
        memcpy(nd->threshold, &thr, sizeof thr);
        if (TUNE_NODE_FEATURE(nd->feature) >= d)
            return tune_model_reader_fail(r, "tree node %zu splits on column %u of %zu", q,
                                          TUNE_NODE_FEATURE(nd->feature), d);
        for (int s = 0; s < 2; s++)
            if (!ref_ok(nd->child[s], (uint32_t)q, nodes, leaves))
                return tune_model_reader_fail(r, "tree node %zu: child %#x is not a later node "
                                              "or a leaf (%zu nodes, %zu leaves)",
                                              q, nd->child[s], nodes, leaves);
    }
    if ((rc = tune_model_get_f64_array(r, leaves * n_out, &t->value)))
        return rc;
    t->n_leaves = t->cap_leaves = leaves;
    return TUNE_OK;
}
