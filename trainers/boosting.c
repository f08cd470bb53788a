/* SPDX-License-Identifier: GPL-3.0-or-later */
/* boosting.c — the built-in `boosting` trainer: gradient-boosted trees with
 * second-order (Newton) leaf values on histogram-binned columns, in the
 * manner of XGBoost (Chen & Guestrin, "XGBoost: A Scalable Tree Boosting
 * System", KDD 2016) and LightGBM (Ke et al., NIPS 2017).
 *
 * Losses, by task: logistic (binary: one tree per round on the log-odds),
 * softmax (multiclass: one tree per class per round; hessian p (1 - p)),
 * squared error (regression).  Rounds start from the prior: the log-odds of
 * the positive share, the log of each class's share, or the mean.
 *
 * One tree.  Row gradients g and hessians h (floats) of the current scores;
 * with subsample < 1 each row joins the round with that probability, with
 * colsample_bytree < 1 the tree sees floor(share * columns) columns (at
 * least 1), both drawn from a generator seeded by the fit seed and the tree.
 * Columns are binned once per fit (histogram.c); a node's histogram holds,
 * per column and bin, the sums of g and h and the row count.  The smaller
 * child's histogram is built from its rows, the larger one's is the parent's
 * minus it.  A split "code <= b" is scored as XGBoost does,
 *     gain = S(G_L, H_L) + S(G_R, H_R) - S(G, H),  S(G, H) = T(G)^2 / (H + lambda),
 * T the soft threshold at reg_alpha; it is valid when both children hold
 * rows and a hessian sum >= min_child_weight, and gain > gamma (gamma
 * compares with this gain, XGBoost's min_split_loss).  Rows with a missing
 * value are tried on both sides (and alone on the right); the better side is
 * the node's default direction; a node that saw none sends them to the child
 * with more rows (scikit-learn's rule).  Leaves are split best-first, the
 * largest gain next, until max_leaves (0: no limit) or until none is
 * splittable; max_depth (0: no limit) bounds the depth, so with max_leaves 0
 * the tree is XGBoost's depth-wise tree.  Leaf value:
 * -learning_rate * T(G) / (H + lambda).
 *
 * Threads.  Per node, one task per column builds that column's histogram,
 * derives the sibling's and scans both for their best split; gradients and
 * score updates are split by blocks of rows.  Every sum runs in a fixed
 * order inside one task, so the model is the same for any n_threads.
 *
 * Intermediate values: with a validation fold in the fit context, its loss
 * (log-loss, or mean squared error) after every round when n_estimators <=
 * 100, else every ceil(n_estimators / 100) rounds, and after the last.
 * A non-zero return from report stops the fit with the trees so far; the
 * fit context's cancel flag, checked every round, makes it fail.  The rows'
 * losses are computed on the pool and summed in row order.  The model keeps
 * those validation scores, and predict hands them back when asked for the
 * same matrix (cross-validation asks next): every tree already added, in
 * the order predict adds them, so the bits are the same; 7% of a 2-thread
 * fold's time on 100,000 x 20 was that second pass over the trees.
 *
 * Importances: the total gain of each column's splits, normalised to sum 1. */
#include "tree_common.h"
#include "src/checksum.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>

enum {
    HP_N_ESTIMATORS, HP_LEARNING_RATE, HP_MAX_DEPTH, HP_MAX_LEAVES, HP_MIN_CHILD_WEIGHT,
    HP_REG_LAMBDA, HP_REG_ALPHA, HP_GAMMA, HP_SUBSAMPLE, HP_COLSAMPLE_BYTREE, HP_MAX_BINS,
    HP_N_THREADS, HP_COUNT
};

static const struct tune_hparam hparams[HP_COUNT] = {
    [HP_N_ESTIMATORS] = {"n_estimators", TUNE_PARAM_INT, 100, 1, 100000, NULL,
                         "boosting rounds (trees per class for multiclass)"},
    [HP_LEARNING_RATE] = {"learning_rate", TUNE_PARAM_FLOAT, 0.3, 1e-9, 1.0, NULL,
                          "shrinkage of every leaf value (XGBoost's eta)"},
    [HP_MAX_DEPTH] = {"max_depth", TUNE_PARAM_INT, 6, 0, 64, NULL,
                      "maximum depth of a tree; 0: unlimited (bound it with max_leaves)"},
    [HP_MAX_LEAVES] = {"max_leaves", TUNE_PARAM_INT, 0, 0, 1 << 20, NULL,
                       "maximum leaves of a tree, grown best-first; 0: unlimited"},
    [HP_MIN_CHILD_WEIGHT] = {"min_child_weight", TUNE_PARAM_FLOAT, 1.0, 0.0, INFINITY, NULL,
                             "minimum hessian sum in each child of a split"},
    [HP_REG_LAMBDA] = {"reg_lambda", TUNE_PARAM_FLOAT, 1.0, 0.0, INFINITY, NULL,
                       "L2 penalty on leaf values"},
    [HP_REG_ALPHA] = {"reg_alpha", TUNE_PARAM_FLOAT, 0.0, 0.0, INFINITY, NULL,
                      "L1 penalty on leaf values"},
    [HP_GAMMA] = {"gamma", TUNE_PARAM_FLOAT, 0.0, 0.0, INFINITY, NULL,
                  "minimum gain of a split (XGBoost's min_split_loss)"},
    [HP_SUBSAMPLE] = {"subsample", TUNE_PARAM_FLOAT, 1.0, 1e-9, 1.0, NULL,
                      "probability that a row joins a round"},
    [HP_COLSAMPLE_BYTREE] = {"colsample_bytree", TUNE_PARAM_FLOAT, 1.0, 1e-9, 1.0, NULL,
                             "share of the columns each tree may split on"},
    [HP_MAX_BINS] = {"max_bins", TUNE_PARAM_INT, 256, 2, 256, NULL,
                     "histogram bins per column (255 when the column has missing values)"},
    [HP_N_THREADS] = {"n_threads", TUNE_PARAM_INT, 0, 0, 4096, NULL,
                      "threads for histograms and split search; 0: the study's share of "
                      "the cores"},
};

#define ROW_BLOCK 8192
/* Rows per task when scoring the validation rows and their loss each round:
 * smaller, so that both threads get an even share of a few thousand rows. */
#define SCORE_BLOCK 2048
/* The candidates' gains on 4-double vectors where the machine has them
 * (the same bits: no contraction into fused multiply-adds under -std=c11,
 * and division is correctly rounded on every width; not trapping lets the
 * compiler compute both sides of a selection, which changes no value). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define CANDIDATE_CLONES __attribute__((target_clones("avx2", "default"), \
                                        optimize("tree-vectorize", "no-trapping-math", \
                                                 "fp-contract=off")))
#else
#define CANDIDATE_CLONES
#endif
/* Below this many rows x columns a node is processed on the calling thread. */
#define PARALLEL_MIN 32768

enum loss { LOSS_LOGISTIC, LOSS_SOFTMAX, LOSS_SQUARED };

struct boost_model {
    size_t d, k;               /* columns; classes (0: regression) */
    size_t n_out;              /* scores per row: 1, or k for softmax */
    enum loss loss;
    double *base;              /* n_out */
    size_t n_trees;            /* rounds * n_out, tree r * n_out + c for class c */
    struct tune_tree *trees;
    double *importance;        /* d, normalised */
    size_t n_threads;
    /* The fit's scores of its validation rows (fit context's x_valid), kept
     * for the predict that cross-validation asks next: the same trees
     * summed in the same order, so the same bits, without scoring every
     * tree again.  Known by its data, its rows and a hash of the data. */
    double *valid_raw;         /* valid_n x n_out, or NULL */
    const double *valid_data;
    size_t valid_n;
    uint64_t valid_hash;
};

static uint64_t matrix_hash(const struct tune_matrix *x)
{
    struct tune_checksum c;
    tune_checksum_init(&c);
    tune_checksum_update(&c, x->data, x->n_rows * x->n_cols * sizeof *x->data);
    return tune_checksum_final(&c);
}

static void free_model(void *model)
{
    struct boost_model *m = model;
    if (!m)
        return;
    for (size_t t = 0; m->trees && t < m->n_trees; t++)
        tune_tree_release(&m->trees[t]);
    free(m->trees);
    free(m->base);
    free(m->importance);
    free(m->valid_raw);
    free(m);
}

static int check_params(const struct tune_params *params, struct tune_error *err)
{
    return tune_trainer_check_params("boosting", hparams, HP_COUNT, params, err);
}

/* ---- fit state ---- */

struct gh {
    float g, h;
};


struct hbin {
    double g, h;
};

struct split {
    double gain;               /* > 0 when valid */
    int32_t feature;           /* -1: none */
    uint32_t bin;              /* codes <= bin go left */
    int default_left;          /* where missing values go */
    int saw_missing;
    double gl, hl;             /* left sums (missing included when left) */
};

struct leaf {
    uint32_t start, end, depth;
    uint32_t ref;              /* its slot in the tree (tune_tree_split); once made a
                                  leaf, its value block */
    double g, h;
    struct hbin *hist;         /* NULL when it will not be split */
    struct split best;
};

struct booster {
    const struct tune_bins *bins;
    size_t n, d;
    double lambda, alpha, gamma, mcw;
    size_t max_depth, max_leaves;
    struct tune_pool *pool;
    const struct gh *gh;       /* n: the current class's gradients (borrowed) */
    uint32_t *rows, *tmp;      /* n */
    uint8_t *in_round;         /* n: scratch flags, the rows of a round */
    uint32_t *feat;            /* the n_feat columns this tree may split on, ascending */
    size_t n_feat;
    size_t *feat_off;          /* n_feat: histogram offset of each */
    struct hbin **base;        /* n_feat: scratch, each column's histogram in a build */
    size_t *group;             /* column groups of the node tasks: feat[group[t]..group[t+1]) */
    size_t n_groups;
    struct leaf *leaves;
    size_t n_leaves, cap_leaves;
    struct hbin **free_hist;   /* spare histograms */
    size_t n_free, cap_free, n_slots;
    uint32_t *node_bin;        /* per inner node of the tree: its bin threshold */
    size_t cap_node_bin;
    double *gain;              /* d: importance sums */
    /* one node job */
    uint32_t small_start, small_end;
    struct hbin *parent, *small, *large;
    struct leaf *small_leaf, *large_leaf;
    int small_split, large_split;
    struct split *res_small, *res_large;   /* d */
};

static inline double soft(double g, double alpha)
{
    return g > alpha ? g - alpha : g < -alpha ? g + alpha : 0.0;
}

static inline double score(const struct booster *b, double g, double h)
{
    double t = soft(g, b->alpha);
    return t * t / (h + b->lambda);
}

/* Best split of column j for a node with sums (G, H) and histogram hist.
 * Bins hold no row counts: every row's hessian is positive (>= 1e-16), so a
 * bin or a side without rows has a hessian sum of 0, or, in a histogram
 * obtained by subtraction, a rounding residue whose split gains nothing and
 * fails the relative gain test below.
 *
 * Three passes over the candidates (a threshold after each bin that holds
 * rows, and with missing values each one twice: missing right, then left;
 * last, every value left and missing right): their left sums, added bin
 * by bin in order; every candidate's gain, without a branch (the loop
 * runs on vectors); and the first largest gain.  Each gain is computed
 * as the one-pass loop that branched on every test did, and the first
 * largest is the split that loop kept, in a third of its time. */
/* Two per bin at most with missing values, whose columns have at most 255
 * value bins (histogram.c caps them so, for the missing bin): 2 x 254 + 1;
 * one per bin without, 255. */
#define MAX_CANDIDATES 512

CANDIDATE_CLONES
static size_t candidate_gains(const struct booster *b, const double *cg, const double *ch,
                              size_t n, double G, double H, double parent, double *gain)
{
    double lambda = b->lambda, alpha = b->alpha, mcw = b->mcw, gamma = b->gamma;
    for (size_t i = 0; i < n; i++) {
        double lg = cg[i], lh = ch[i], rg = G - lg, rh = H - lh;
        /* soft(g, alpha), as selections among values already computed */
        double lm = lg - alpha, lp = lg + alpha, rm = rg - alpha, rp = rg + alpha;
        double tl = lg > alpha ? lm : lg < -alpha ? lp : 0.0;
        double tr = rg > alpha ? rm : rg < -alpha ? rp : 0.0;
        double dl = lh + lambda, dr = rh + lambda;
        double num = tl * tl * dr + tr * tr * dl, den = dl * dr;
        double both = num / den, g = both - parent;
        int ok = (lh > 0) & (rh > 0) & (lh >= mcw) & (rh >= mcw) & (g > gamma) &
                 (g > 1e-10 * both);
        gain[i] = ok ? g : 0.0;
    }
    size_t best = n;
    double top = 0;
    for (size_t i = 0; i < n; i++)
        if (gain[i] > top) {
            top = gain[i];
            best = i;
        }
    return best;
}

static void column_split(const struct booster *b, size_t j, const struct hbin *hist, double G,
                         double H, struct split *out)
{
    const struct tune_bins *bn = b->bins;
    size_t nb = bn->n_bins[j];
    const struct hbin *h = hist + bn->offset[j];
    struct hbin miss = {0, 0};
    if (bn->has_missing[j])
        miss = h[nb];
    int has_miss = miss.h > 0;
    double cg[MAX_CANDIDATES], ch[MAX_CANDIDATES], gain[MAX_CANDIDATES];
    uint16_t at[MAX_CANDIDATES];   /* 2 bin + (missing left) */
    size_t n = 0;
    double gl = 0, hl = 0;
    if (!has_miss) {
        for (size_t bin = 0; bin + 1 < nb; bin++) {
            int rows = h[bin].h != 0;   /* else the same split as the bin before */
            gl = rows ? gl + h[bin].g : gl;
            hl = rows ? hl + h[bin].h : hl;
            cg[n] = gl;
            ch[n] = hl;
            at[n] = (uint16_t)(2 * bin);
            n += (size_t)rows;
        }
    } else {
        for (size_t bin = 0; bin + 1 < nb; bin++) {
            int rows = h[bin].h != 0;
            gl = rows ? gl + h[bin].g : gl;
            hl = rows ? hl + h[bin].h : hl;
            cg[n] = gl + 0.0;
            ch[n] = hl + 0.0;
            at[n] = (uint16_t)(2 * bin);
            cg[n + 1] = gl + miss.g;
            ch[n + 1] = hl + miss.h;
            at[n + 1] = (uint16_t)(2 * bin + 1);
            n += 2 * (size_t)rows;
        }
        cg[n] = G - miss.g;
        ch[n] = H - miss.h;
        at[n] = (uint16_t)(2 * (nb - 1));
        n++;
    }
    out->gain = 0;
    out->feature = -1;
    size_t i = candidate_gains(b, cg, ch, n, G, H, score(b, G, H), gain);
    if (i == n)
        return;
    out->gain = gain[i];
    out->feature = (int32_t)j;
    out->bin = at[i] / 2u;
    out->default_left = at[i] & 1;
    out->saw_missing = has_miss;
    out->gl = cg[i];
    out->hl = ch[i];
}

/* A node's rows are scattered over the data: while one row's bins are
 * added, its codes and gradients PREFETCH_ROWS rows on are asked for
 * (single-thread fit + predict per fold on 100,000 x 20: 0.675 -> 0.64 s,
 * medians of 10; 8 and 32 rows did the same). */
#define PREFETCH_ROWS 16

static inline void prefetch_row(const uint8_t *codes, size_t d, const struct gh *gh, uint32_t r)
{
    __builtin_prefetch(codes + (size_t)r * d);
    __builtin_prefetch(&gh[r]);
}

/* Histograms of the small child for the columns feat[f0..f1), row by row:
 * one pass over the rows serves every column of the group. */
static void build_group(const struct booster *b, size_t f0, size_t f1)
{
    const struct tune_bins *bn = b->bins;
    const uint32_t *feat = b->feat;
    struct hbin *hist = b->small;
    for (size_t f = f0; f < f1; f++) {
        size_t j = feat[f];
        memset(hist + bn->offset[j], 0, (bn->n_bins[j] + bn->has_missing[j]) * sizeof *hist);
    }
    size_t d = b->d;
    const uint32_t *rows = b->rows;
    const struct gh *gh = b->gh;
    const uint8_t *codes = bn->row_codes;
    struct hbin **base = b->base + f0;
    size_t nf = f1 - f0;
    for (size_t k = 0; k < nf; k++)
        base[k] = hist + b->feat_off[f0 + k];
    if (nf > 0 && feat[f1 - 1] - feat[f0] == nf - 1) {
        /* Consecutive columns (always, without colsample): a row's codes
         * for the group are nf consecutive bytes. */
        codes += feat[f0];
        for (uint32_t i = b->small_start; i < b->small_end; i++) {
            uint32_t r = rows[i];
            if (i + PREFETCH_ROWS < b->small_end)
                prefetch_row(codes, d, gh, rows[i + PREFETCH_ROWS]);
            const uint8_t *cr = codes + (size_t)r * d;
            double g = gh[r].g, h = gh[r].h;
            for (size_t k = 0; k < nf; k++) {
                struct hbin *t = base[k] + cr[k];
                t->g += g;
                t->h += h;
            }
        }
        return;
    }
    const uint32_t *fk = feat + f0;
    for (uint32_t i = b->small_start; i < b->small_end; i++) {
        uint32_t r = rows[i];
        if (i + PREFETCH_ROWS < b->small_end)
            prefetch_row(codes, d, gh, rows[i + PREFETCH_ROWS]);
        const uint8_t *cr = codes + (size_t)r * d;
        double g = gh[r].g, h = gh[r].h;
        for (size_t k = 0; k < nf; k++) {
            struct hbin *t = base[k] + cr[fk[k]];
            t->g += g;
            t->h += h;
        }
    }
}

/* Task t of a node job: the histograms of the small child for one group of
 * columns (and of the large child by subtraction), then each column's best
 * split in each child. */
static void node_task(void *arg, size_t task, size_t thread)
{
    (void)thread;
    struct booster *b = arg;
    size_t f0 = b->group[task], f1 = b->group[task + 1];
    build_group(b, f0, f1);
    const struct tune_bins *bn = b->bins;
    const struct leaf *sl = b->small_leaf, *ll = b->large_leaf;
    for (size_t f = f0; f < f1; f++) {
        size_t j = b->feat[f];
        if (b->large) {
            size_t o = bn->offset[j], slots = bn->n_bins[j] + bn->has_missing[j];
            for (size_t t = o; t < o + slots; t++) {
                b->large[t].g = b->parent[t].g - b->small[t].g;
                b->large[t].h = b->parent[t].h - b->small[t].h;
            }
        }
        if (b->small_split)
            column_split(b, j, b->small, sl->g, sl->h, &b->res_small[j]);
        if (b->large_split)
            column_split(b, j, b->large, ll->g, ll->h, &b->res_large[j]);
    }
}

static struct hbin *hist_get(struct booster *b)
{
    if (b->n_free)
        return b->free_hist[--b->n_free];
    return malloc((b->n_slots + 1) * sizeof(struct hbin));
}

static void hist_put(struct booster *b, struct hbin *h)
{
    if (!h)
        return;
    if (b->n_free == b->cap_free) {
        size_t cap = b->cap_free ? 2 * b->cap_free : 16;
        struct hbin **f = realloc(b->free_hist, cap * sizeof *f);
        if (!f) {
            free(h);
            return;
        }
        b->free_hist = f;
        b->cap_free = cap;
    }
    b->free_hist[b->n_free++] = h;
}

static int can_split(const struct booster *b, const struct leaf *l)
{
    return (b->max_depth == 0 || l->depth < b->max_depth) && l->end - l->start >= 2;
}

/* Reduce the per-column results in column order (first best wins). */
static struct split reduce(const struct booster *b, const struct split *res)
{
    struct split best = {0, -1, 0, 0, 0, 0, 0};
    for (size_t f = 0; f < b->n_feat; f++) {
        const struct split *r = &res[b->feat[f]];
        if (r->feature >= 0 && r->gain > best.gain)
            best = *r;
    }
    return best;
}

/* Histograms and best splits of one or two new leaves.  `small` is built
 * from its rows; `large` (may be NULL) is parent minus small. */
static int process(struct booster *b, struct leaf *small, struct leaf *large,
                   struct hbin *parent)
{
    int ss = can_split(b, small), ls = large && can_split(b, large);
    small->hist = NULL;
    if (large)
        large->hist = NULL;
    small->best.feature = -1;
    small->best.gain = 0;
    if (large) {
        large->best.feature = -1;
        large->best.gain = 0;
    }
    if (!ss && !ls) {
        hist_put(b, parent);
        return TUNE_OK;
    }
    struct hbin *hs = hist_get(b);
    if (!hs)
        return TUNE_ENOMEM;
    b->small_start = small->start;
    b->small_end = small->end;
    b->parent = parent;
    b->small = hs;
    b->large = large ? parent : NULL;   /* in place: large = parent - small */
    b->small_leaf = small;
    b->large_leaf = large;
    b->small_split = ss;
    b->large_split = ls;
    struct split none = {0, -1, 0, 0, 0, 0, 0};
    for (size_t f = 0; f < b->n_feat; f++)
        b->res_small[b->feat[f]] = b->res_large[b->feat[f]] = none;
    /* Work of the job: the small child's histogram updates, plus the split
     * scans (about two updates' worth per bin and child). */
    size_t slots = 0;
    for (size_t f = 0; f < b->n_feat; f++)
        slots += b->bins->n_bins[b->feat[f]] + b->bins->has_missing[b->feat[f]];
    size_t work = (size_t)(small->end - small->start) * b->n_feat +
                  2 * (size_t)(ss + ls) * slots;
    if (work >= PARALLEL_MIN && b->n_groups > 1) {
        tune_pool_run(b->pool, b->n_groups, node_task, b);
    } else {
        size_t g[2] = {0, b->n_feat}, *keep = b->group;
        b->group = g;
        node_task(b, 0, 0);
        b->group = keep;
    }
    if (ss) {
        small->best = reduce(b, b->res_small);
        small->hist = hs;
    } else {
        hist_put(b, hs);
    }
    if (ls) {
        large->best = reduce(b, b->res_large);
        large->hist = parent;
    } else if (large) {
        hist_put(b, parent);
    }
    return TUNE_OK;
}

static int add_leaf(struct booster *b, struct leaf l)
{
    if (b->n_leaves == b->cap_leaves) {
        size_t cap = b->cap_leaves ? 2 * b->cap_leaves : 64;
        struct leaf *nl = realloc(b->leaves, cap * sizeof *nl);
        if (!nl) {
            free(l.hist); /* the leaf's, and no one else's */
            return TUNE_ENOMEM;
        }
        b->leaves = nl;
        b->cap_leaves = cap;
    }
    b->leaves[b->n_leaves++] = l;
    return TUNE_OK;
}

static int set_node_bin(struct booster *b, size_t node, uint32_t bin)
{
    if (node >= b->cap_node_bin) {
        size_t cap = b->cap_node_bin ? 2 * b->cap_node_bin : 256;
        while (cap <= node)
            cap *= 2;
        uint32_t *nb = realloc(b->node_bin, cap * sizeof *nb);
        if (!nb)
            return TUNE_ENOMEM;
        b->node_bin = nb;
        b->cap_node_bin = cap;
    }
    b->node_bin[node] = bin;
    return TUNE_OK;
}

/* Grow one tree on rows[0..m) with gradients b->gh; leaf values into tree. */
static int grow(struct booster *b, uint32_t m, double lr, struct tune_tree *tree)
{
    const struct tune_bins *bn = b->bins;
    int rc;
    tree->n_out = 1;
    b->n_leaves = 0;
    struct leaf root = {0, m, 0, TUNE_NODE_ROOT, 0, 0, NULL, {0, -1, 0, 0, 0, 0, 0}};
    for (uint32_t i = 0; i < m; i++) {
        root.g += b->gh[b->rows[i]].g;
        root.h += b->gh[b->rows[i]].h;
    }
    if ((rc = process(b, &root, NULL, NULL)) || (rc = add_leaf(b, root)))
        return rc;
    size_t n_final = 1;
    while (b->max_leaves == 0 || n_final < b->max_leaves) {
        size_t pick = SIZE_MAX;
        for (size_t i = 0; i < b->n_leaves; i++)
            if (b->leaves[i].hist && b->leaves[i].best.feature >= 0 &&
                (pick == SIZE_MAX || b->leaves[i].best.gain > b->leaves[pick].best.gain))
                pick = i;
        if (pick == SIZE_MAX)
            break;
        struct leaf p = b->leaves[pick];
        struct split sp = p.best;
        size_t j = (size_t)sp.feature, nb = bn->n_bins[j];
        b->gain[j] += sp.gain;

        /* Partition the rows: code <= bin left, missing by the default. */
        const uint8_t *c = bn->codes + j * b->n;
        uint32_t miss_code = bn->has_missing[j] ? (uint32_t)nb : UINT32_MAX;
        uint32_t l = p.start, t = 0;
        for (uint32_t i = p.start; i < p.end; i++) {
            uint32_t r = b->rows[i], code = c[r];
            int left = code == miss_code ? sp.default_left : code <= sp.bin;
            b->rows[l] = r;
            b->tmp[t] = r;
            l += (uint32_t)left;
            t += (uint32_t)!left;
        }
        memcpy(b->rows + l, b->tmp, t * sizeof *b->tmp);
        /* A node without missing values sends them to its larger child. */
        int dl = sp.saw_missing ? sp.default_left : l - p.start >= p.end - l;

        double thr = sp.bin + 1 >= nb ? INFINITY : bn->edges[bn->edge_off[j] + sp.bin];
        uint32_t q = tune_tree_split(tree, p.ref, j, thr, dl);
        if (q == UINT32_MAX)
            return TUNE_ENOMEM;
        if ((rc = set_node_bin(b, q, sp.bin)))
            return rc;

        struct leaf left = {p.start, l, p.depth + 1, 2 * q, sp.gl, sp.hl, NULL,
                            {0, -1, 0, 0, 0, 0, 0}};
        struct leaf right = {l, p.end, p.depth + 1, 2 * q + 1, p.g - sp.gl, p.h - sp.hl, NULL,
                             {0, -1, 0, 0, 0, 0, 0}};
        int left_small = left.end - left.start <= right.end - right.start;
        rc = left_small ? process(b, &left, &right, p.hist) : process(b, &right, &left, p.hist);
        if (rc)
            return rc;
        b->leaves[pick] = left;
        if ((rc = add_leaf(b, right)))
            return rc;
        n_final++;
    }
    for (size_t i = 0; i < b->n_leaves; i++) {
        struct leaf *lf = &b->leaves[i];
        hist_put(b, lf->hist);
        lf->hist = NULL;
        double *v = tune_tree_leaf_at(tree, lf->ref, &lf->ref);
        if (!v)
            return TUNE_ENOMEM;
        v[0] = -lr * soft(lf->g, b->alpha) / (lf->h + b->lambda);
        if (!isfinite(v[0]))
            v[0] = 0.0;
    }
    tune_tree_trim(tree);
    return TUNE_OK;
}

/* The leaf of row r by its bin codes (the training rows left out of a round). */
static double leaf_by_codes(const struct booster *b, const struct tune_tree *t, size_t r)
{
    uint32_t k = t->root;
    while (!(k & TUNE_NODE_LEAF)) {
        const struct tune_node *nd = &t->nodes[k];
        size_t j = TUNE_NODE_FEATURE(nd->feature);
        uint32_t code = b->bins->codes[j * b->n + r];
        int left = b->bins->has_missing[j] && code == b->bins->n_bins[j]
                       ? (nd->feature & TUNE_NODE_MISSING_LEFT) != 0
                       : code <= b->node_bin[k];
        k = nd->child[left ? 0 : 1];
    }
    return t->value[k & ~TUNE_NODE_LEAF];
}

/* ---- the validation rows, walked by their codes ---- */

/* The validation rows' codes (tune_bins_code_rows), kept in the fold cache
 * beside the bins: they depend on the bins and on the fold's validation
 * rows, known by their number and hash.  Walking a new tree by a row's
 * codes (its d bytes together) instead of its doubles (d columns apart)
 * takes about half the time, and sends every row where the thresholds
 * would (tune_bins_code_rows). */
struct vcodes {
    size_t n, d;
    uint64_t hash;
    uint8_t *codes;            /* n x d, row-major */
};

static void vcodes_key(char *key, size_t len, size_t max_bins, uint64_t seed)
{
    snprintf(key, len, "boosting/vcodes/%zu/%016" PRIx64, max_bins, seed);
}

static void vcodes_free(void *p)
{
    struct vcodes *v = p;
    if (v)
        free(v->codes);
    free(v);
}

struct walk_job {
    const struct tune_tree *t;
    const uint32_t *node_bin;  /* the tree's inner nodes' bins */
    const uint16_t *n_bins;    /* a missing value's code, per column */
    const uint8_t *codes;      /* n x d */
    size_t n, d, n_out, c;
    double *raw;               /* n x n_out: column c is added to */
};

/* Rows of one block descend together, one level per pass, as in
 * tune_tree_leaves; code n_bins[j] is a missing value (the node's flag). */
static void walk_task(void *arg, size_t block, size_t thread)
{
    (void)thread;
    const struct walk_job *job = arg;
    const struct tune_tree *t = job->t;
    const struct tune_node *nd = t->nodes;
    size_t n = job->n, d = job->d, i0 = block * SCORE_BLOCK;
    size_t i1 = i0 + SCORE_BLOCK < n ? i0 + SCORE_BLOCK : n;
    uint32_t k[TUNE_TREE_BLOCK], live[TUNE_TREE_BLOCK];
    for (size_t b0 = i0; b0 < i1; b0 += TUNE_TREE_BLOCK) {
        size_t len = i1 - b0 < TUNE_TREE_BLOCK ? i1 - b0 : TUNE_TREE_BLOCK, n_live = 0;
        const uint8_t *codes = job->codes + b0 * d;
        for (size_t r = 0; r < len; r++) {
            k[r] = t->root;
            live[n_live++] = (uint32_t)r;
        }
        while (n_live > 0) {
            size_t keep = 0;
            for (size_t q = 0; q < n_live; q++) {
                uint32_t r = live[q];
                if (k[r] & TUNE_NODE_LEAF)
                    continue;
                const struct tune_node *p = &nd[k[r]];
                uint32_t f = p->feature, j = TUNE_NODE_FEATURE(f);
                uint32_t code = codes[r * d + j];
                uint32_t right = code == job->n_bins[j]
                                     ? (uint32_t)!(f & TUNE_NODE_MISSING_LEFT)
                                     : (uint32_t)(code > job->node_bin[k[r]]);
                k[r] = p->child[right];
                live[keep++] = r;
            }
            n_live = keep;
        }
        for (size_t r = 0; r < len; r++)
            job->raw[(b0 + r) * job->n_out + job->c] += t->value[k[r] & ~TUNE_NODE_LEAF];
    }
}

/* ---- gradients, by blocks of rows ---- */

struct grad_job {
    enum loss loss;
    size_t n, n_out;
    const double *raw;         /* n x n_out */
    const double *y;
    struct gh *gh;             /* n_out x n: class c's gradients at gh + c n */
};

/* Every class's gradients from the scores at the start of a round, as
 * XGBoost and scikit-learn take them: the trees of one round do not see
 * each other. */
static void grad_task(void *arg, size_t block, size_t thread)
{
    (void)thread;
    struct grad_job *job = arg;
    size_t n = job->n, i0 = block * ROW_BLOCK, i1 = i0 + ROW_BLOCK < n ? i0 + ROW_BLOCK : n;
    size_t K = job->n_out;
    for (size_t i = i0; i < i1; i++) {
        const double *z = job->raw + i * K;
        if (job->loss == LOSS_SQUARED) {
            job->gh[i].g = (float)(z[0] - job->y[i]);
            job->gh[i].h = 1.0f;
            continue;
        }
        if (job->loss == LOSS_LOGISTIC) {
            double e = exp(-fabs(z[0]));
            double p = z[0] >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e), h = p * (1.0 - p);
            job->gh[i].g = (float)(p - job->y[i]);
            job->gh[i].h = (float)(h > 1e-16 ? h : 1e-16);
            continue;
        }
        double zmax = z[0], sum = 0;
        for (size_t c = 1; c < K; c++)
            zmax = z[c] > zmax ? z[c] : zmax;
        for (size_t c = 0; c < K; c++)
            sum += exp(z[c] - zmax);
        for (size_t c = 0; c < K; c++) {
            double p = exp(z[c] - zmax) / sum, h = p * (1.0 - p);
            job->gh[c * n + i].g = (float)(p - ((size_t)job->y[i] == c ? 1.0 : 0.0));
            job->gh[c * n + i].h = (float)(h > 1e-16 ? h : 1e-16);
        }
    }
}

/* ---- predictions ---- */

struct score_job {
    const struct tune_tree *trees;
    size_t t0, t1, n_out;      /* trees [t0, t1), tree t scores class t % n_out */
    const struct tune_matrix *x;
    double *raw;               /* n x n_out, added to */
};

static void score_task(void *arg, size_t block, size_t thread)
{
    (void)thread;
    struct score_job *job = arg;
    size_t n = job->x->n_rows, i0 = block * SCORE_BLOCK;
    size_t i1 = i0 + SCORE_BLOCK < n ? i0 + SCORE_BLOCK : n;
    uint32_t leaf[TUNE_TREE_BLOCK];
    for (size_t t = job->t0; t < job->t1; t++) {
        size_t c = t % job->n_out;
        const struct tune_tree *tr = &job->trees[t];
        for (size_t b0 = i0; b0 < i1; b0 += TUNE_TREE_BLOCK) {
            size_t len = i1 - b0 < TUNE_TREE_BLOCK ? i1 - b0 : TUNE_TREE_BLOCK;
            tune_tree_leaves(tr, job->x->data, n, b0, len, leaf);
            for (size_t r = 0; r < len; r++)
                job->raw[(b0 + r) * job->n_out + c] += tr->value[leaf[r]];
        }
    }
}

static void add_scores(struct tune_pool *pool, const struct tune_tree *trees, size_t t0,
                       size_t t1, size_t n_out, const struct tune_matrix *x, double *raw)
{
    struct score_job job = {trees, t0, t1, n_out, x, raw};
    tune_pool_run(pool, (x->n_rows + SCORE_BLOCK - 1) / SCORE_BLOCK, score_task, &job);
}

/* The loss of row i's scores z (n_out of them) against its target. */
static inline double row_loss(enum loss loss, const double *z, double y, size_t n_out)
{
    if (loss == LOSS_SQUARED)
        return (z[0] - y) * (z[0] - y);
    if (loss == LOSS_LOGISTIC) {
        /* -log p(y) = log(1 + exp(-s z)), s = +1 for class 1, -1 for 0. */
        double m = y > 0.5 ? -z[0] : z[0];
        return (m > 0 ? m : 0) + log1p(exp(-fabs(m)));
    }
    double zmax = z[0], sum = 0;
    for (size_t c = 1; c < n_out; c++)
        zmax = z[c] > zmax ? z[c] : zmax;
    for (size_t c = 0; c < n_out; c++)
        sum += exp(z[c] - zmax);
    return zmax + log(sum) - z[(size_t)y];
}

struct loss_job {
    enum loss loss;
    const double *raw, *y;
    size_t n, n_out;
    double *rows;              /* n: each row's loss */
};

static void loss_task(void *arg, size_t block, size_t thread)
{
    (void)thread;
    struct loss_job *job = arg;
    size_t i0 = block * SCORE_BLOCK, i1 = i0 + SCORE_BLOCK < job->n ? i0 + SCORE_BLOCK : job->n;
    for (size_t i = i0; i < i1; i++)
        job->rows[i] = row_loss(job->loss, job->raw + i * job->n_out, job->y[i], job->n_out);
}

/* Mean loss of scores raw (n x n_out) against y: the rows' losses on the
 * pool, their sum in row order (the same sum for any number of threads).
 * scratch: n doubles. */
static double mean_loss(struct tune_pool *pool, enum loss loss, const double *raw,
                        const double *y, size_t n, size_t n_out, double *scratch)
{
    struct loss_job job = {loss, raw, y, n, n_out, scratch};
    tune_pool_run(pool, (n + SCORE_BLOCK - 1) / SCORE_BLOCK, loss_task, &job);
    double total = 0;
    for (size_t i = 0; i < n; i++)
        total += scratch[i];
    return n ? total / (double)n : NAN;
}

static void booster_release(struct booster *b)
{
    free(b->rows);
    free(b->tmp);
    free(b->in_round);
    free(b->feat);
    free(b->feat_off);
    free(b->base);
    free(b->group);
    for (size_t i = 0; i < b->n_leaves; i++)
        free(b->leaves[i].hist);
    free(b->leaves);
    for (size_t i = 0; i < b->n_free; i++)
        free(b->free_hist[i]);
    free(b->free_hist);
    free(b->node_bin);
    free(b->gain);
    free(b->res_small);
    free(b->res_large);
}

static int fit(const struct tune_matrix *x, const double *y, const struct tune_fit_ctx *ctx,
               const struct tune_params *params, void **model, struct tune_error *err)
{
    size_t n = x->n_rows, d = x->n_cols, k = 0;
    uint16_t *cls = NULL;
    struct tune_pool *pool = NULL;
    struct boost_model *m = NULL;
    struct tune_bins bins = {0};
    struct booster b = {0};
    struct gh *gh_all = NULL;  /* n_out x n: this round's gradients */
    double *raw = NULL, *raw_valid = NULL, *loss_rows = NULL;
    size_t *cols = NULL;
    struct vcodes *own_vc = NULL;  /* coded by this fit, for the cache */
    const uint8_t *vc = NULL;      /* the validation rows' codes, or NULL */
    uint64_t valid_hash = 0;
    int rc;

    *model = NULL;
    if ((rc = check_params(params, err)) != TUNE_OK)
        return rc;
    if ((rc = tune_tree_targets("boosting", x, y, ctx, &k, &cls, err)))
        return rc;
    const double *v = params->values;
    size_t rounds = (size_t)v[HP_N_ESTIMATORS];
    double lr = v[HP_LEARNING_RATE], subsample = v[HP_SUBSAMPLE];
    enum loss loss = k == 0 ? LOSS_SQUARED : k == 2 ? LOSS_LOGISTIC : LOSS_SOFTMAX;
    size_t n_out = loss == LOSS_SOFTMAX ? k : 1;
    const struct tune_matrix *xv = ctx->x_valid;
    int validate = ctx->report && xv && ctx->y_valid && xv->n_cols == d;
    size_t every = rounds <= 100 ? 1 : (rounds + 99) / 100;

    m = calloc(1, sizeof *m);
    if (!m)
        goto nomem;
    m->d = d;
    m->k = k;
    m->n_out = n_out;
    m->loss = loss;
    m->base = calloc(n_out, sizeof *m->base);
    m->trees = calloc(rounds * n_out, sizeof *m->trees);
    m->importance = calloc(d + 1, sizeof *m->importance);
    if (!m->base || !m->trees || !m->importance)
        goto nomem;
    m->n_threads = tune_tree_threads(v[HP_N_THREADS], ctx);
    pool = tune_pool_new(m->n_threads);
    if (!pool)
        goto nomem;
    /* The bins depend on the fold, max_bins and the seed only: the fold
     * cache's, or built now and handed to it at the end. */
    size_t max_bins = (size_t)v[HP_MAX_BINS];
    const struct tune_bins *bn = tune_bins_cached(ctx, "boosting", n, d, max_bins, ctx->seed);
    if (!bn && tune_bins_build(pool, x->data, n, d, max_bins, ctx->seed, &bins))
        goto nomem;
    if (!bn)
        bn = &bins;
    if (ctx->x_done)
        ctx->x_done(ctx->x_done_arg); /* the bins stand for x from here on */

    /* The prior. */
    if (loss == LOSS_SQUARED) {
        double s = 0;
        for (size_t i = 0; i < n; i++)
            s += y[i];
        m->base[0] = s / (double)n;
    } else {
        double *freq = calloc(k, sizeof *freq);
        if (!freq)
            goto nomem;
        for (size_t i = 0; i < n; i++)
            freq[cls[i]] += 1.0 / (double)n;
        for (size_t c = 0; c < k; c++)
            freq[c] = freq[c] < 1e-15 ? 1e-15 : freq[c] > 1 - 1e-15 ? 1 - 1e-15 : freq[c];
        if (loss == LOSS_LOGISTIC)
            m->base[0] = log(freq[1] / freq[0]);
        else
            for (size_t c = 0; c < k; c++)
                m->base[c] = log(freq[c]);
        free(freq);
    }

    b.bins = bn;
    b.n = n;
    b.d = d;
    b.lambda = v[HP_REG_LAMBDA];
    b.alpha = v[HP_REG_ALPHA];
    b.gamma = v[HP_GAMMA];
    b.mcw = v[HP_MIN_CHILD_WEIGHT];
    b.max_depth = (size_t)v[HP_MAX_DEPTH];
    b.max_leaves = (size_t)v[HP_MAX_LEAVES];
    b.pool = pool;
    b.n_slots = bn->offset[d];
    gh_all = malloc((n * n_out + 1) * sizeof *gh_all);
    b.rows = malloc((n + 1) * sizeof *b.rows);
    b.tmp = malloc((n + 1) * sizeof *b.tmp);
    b.in_round = malloc(n + 1);
    b.feat = malloc((d + 1) * sizeof *b.feat);
    b.feat_off = malloc((d + 1) * sizeof *b.feat_off);
    b.base = malloc((d + 1) * sizeof *b.base);
    size_t threads = tune_pool_threads(pool);
    size_t max_groups = 2 * threads;
    b.group = malloc((max_groups + 2) * sizeof *b.group);
    b.gain = calloc(d + 1, sizeof *b.gain);
    b.res_small = malloc((d + 1) * sizeof *b.res_small);
    b.res_large = malloc((d + 1) * sizeof *b.res_large);
    raw = malloc((n * n_out + 1) * sizeof *raw);
    cols = malloc((d + 1) * sizeof *cols);
    if (!gh_all || !b.rows || !b.tmp || !b.in_round || !b.feat || !b.feat_off || !b.base || !b.group ||
        !b.gain || !b.res_small ||
        !b.res_large || !raw || !cols)
        goto nomem;
    for (size_t i = 0; i < n; i++)
        memcpy(raw + i * n_out, m->base, n_out * sizeof *raw);
    if (validate) {
        raw_valid = malloc((xv->n_rows * n_out + 1) * sizeof *raw_valid);
        loss_rows = malloc((xv->n_rows + 1) * sizeof *loss_rows);
        if (!raw_valid || !loss_rows)
            goto nomem;
        for (size_t i = 0; i < xv->n_rows; i++)
            memcpy(raw_valid + i * n_out, m->base, n_out * sizeof *raw_valid);
        valid_hash = matrix_hash(xv);
        char key[96];
        vcodes_key(key, sizeof key, max_bins, ctx->seed);
        const struct vcodes *kept = ctx->cache_find ? ctx->cache_find(ctx->cache_arg, key) : NULL;
        if (kept && kept->n == xv->n_rows && kept->d == d && kept->hash == valid_hash) {
            vc = kept->codes;
        } else {
            /* Without codes (a missing value no code is left for, or no
             * memory for them) every tree is walked on the doubles. */
            uint8_t *codes;
            if (tune_bins_code_rows(pool, bn, xv->data, xv->n_rows, &codes) == TUNE_OK) {
                if ((own_vc = malloc(sizeof *own_vc))) {
                    *own_vc = (struct vcodes){xv->n_rows, d, valid_hash, codes};
                    vc = codes;
                } else {
                    free(codes);
                }
            }
        }
    }
    size_t n_cols = (size_t)floor(v[HP_COLSAMPLE_BYTREE] * (double)d);
    if (n_cols < 1)
        n_cols = 1;
    if (n_cols > d)
        n_cols = d;

    size_t done = 0;
    for (size_t r = 0; r < rounds; r++) {
        if (ctx->cancel && *ctx->cancel) {
            rc = tune_error_set(err, TUNE_ETRAINER, "boosting: interrupted after %zu rounds", r);
            goto done;
        }
        /* Rows of this round. */
        gsl_rng *rng = tune_tree_rng(ctx->seed, r + 1);
        if (!rng)
            goto nomem;
        uint32_t mrows = 0;
        if (subsample >= 1) {
            for (size_t i = 0; i < n; i++)
                b.rows[i] = (uint32_t)i;
            mrows = (uint32_t)n;
        } else {
            for (size_t i = 0; i < n; i++)
                if (gsl_rng_uniform(rng) < subsample)
                    b.rows[mrows++] = (uint32_t)i;
            if (mrows == 0)
                b.rows[mrows++] = (uint32_t)gsl_rng_uniform_int(rng, (unsigned long)n);
        }
        struct grad_job gj = {loss, n, n_out, raw, y, gh_all};
        tune_pool_run(pool, (n + ROW_BLOCK - 1) / ROW_BLOCK, grad_task, &gj);
        for (size_t c = 0; c < n_out; c++) {
            struct tune_tree *tree = &m->trees[r * n_out + c];
            /* Columns of this tree. */
            if (n_cols < d) {
                size_t *all = malloc(d * sizeof *all);
                if (!all) {
                    gsl_rng_free(rng);
                    goto nomem;
                }
                for (size_t j = 0; j < d; j++)
                    all[j] = j;
                gsl_ran_choose(rng, cols, n_cols, all, d, sizeof *all);
                free(all);
            } else {
                for (size_t j = 0; j < d; j++)
                    cols[j] = j;
            }
            /* gsl_ran_choose keeps the input order: cols is ascending. */
            b.n_feat = n_cols;
            for (size_t f = 0; f < n_cols; f++) {
                b.feat[f] = (uint32_t)cols[f];
                b.feat_off[f] = bn->offset[cols[f]];
            }
            size_t ng = max_groups < n_cols ? max_groups : n_cols;
            if (ng == 0)
                ng = 1;
            for (size_t g = 0; g <= ng; g++)
                b.group[g] = g * n_cols / ng;
            b.n_groups = ng;
            b.gh = gh_all + c * n;
            if ((rc = grow(&b, mrows, lr, tree))) {
                gsl_rng_free(rng);
                goto nomem;
            }
            /* Update the training scores. */
            for (size_t i = 0; i < b.n_leaves; i++) {
                const struct leaf *lf = &b.leaves[i];
                double val = tree->value[lf->ref];
                for (uint32_t q = lf->start; q < lf->end; q++)
                    raw[(size_t)b.rows[q] * n_out + c] += val;
            }
            if (mrows < n) {
                uint8_t *in = b.in_round;
                memset(in, 0, n);
                for (uint32_t q = 0; q < mrows; q++)
                    in[b.rows[q]] = 1;
                for (size_t i = 0; i < n; i++)
                    if (!in[i])
                        raw[i * n_out + c] += leaf_by_codes(&b, tree, i);
            }
            if (vc) {
                struct walk_job wj = {tree, b.node_bin, bn->n_bins, vc, xv->n_rows, d, n_out, c,
                                      raw_valid};
                tune_pool_run(pool, (xv->n_rows + SCORE_BLOCK - 1) / SCORE_BLOCK, walk_task, &wj);
            }
            b.n_leaves = 0;
            /* Back to ascending rows for the next class's tree. */
            if (c + 1 < n_out) {
                if (subsample >= 1) {
                    for (size_t i = 0; i < n; i++)
                        b.rows[i] = (uint32_t)i;
                } else {
                    uint8_t *in = b.in_round;
                    memset(in, 0, n);
                    for (uint32_t q = 0; q < mrows; q++)
                        in[b.rows[q]] = 1;
                    uint32_t t = 0;
                    for (size_t i = 0; i < n; i++)
                        if (in[i])
                            b.rows[t++] = (uint32_t)i;
                }
            }
        }
        gsl_rng_free(rng);
        done = r + 1;
        if (validate) {
            if (!vc)
                add_scores(pool, m->trees, r * n_out, (r + 1) * n_out, n_out, xv, raw_valid);
            if (done % every == 0 || done == rounds) {
                double lv = mean_loss(pool, loss, raw_valid, ctx->y_valid, xv->n_rows, n_out,
                                      loss_rows);
                if (ctx->report(ctx->report_arg, done, lv))
                    break;
            }
        }
    }
    for (size_t t = done * n_out; t < rounds * n_out; t++)
        tune_tree_release(&m->trees[t]);
    m->n_trees = done * n_out;
    tune_tree_normalise(b.gain, m->importance, d);
    tune_bins_keep(ctx, "boosting", max_bins, ctx->seed, &bins);
    if (validate) {
        m->valid_raw = raw_valid;
        raw_valid = NULL;
        m->valid_data = xv->data;
        m->valid_n = xv->n_rows;
        m->valid_hash = valid_hash;
    }
    /* Kept beside the bins, not in their stead: only when the cache took
     * the bins of this key (it keeps what comes first, up to its bound). */
    if (own_vc && ctx->cache_put &&
        tune_bins_cached(ctx, "boosting", n, d, max_bins, ctx->seed)) {
        char key[96];
        vcodes_key(key, sizeof key, max_bins, ctx->seed);
        ctx->cache_put(ctx->cache_arg, key, own_vc, sizeof *own_vc + own_vc->n * d, vcodes_free);
        own_vc = NULL;
    }
    *model = m;
    m = NULL;
    rc = TUNE_OK;
    goto done;
nomem:
    rc = tune_error_set(err, TUNE_ENOMEM, "boosting: out of memory (%zu rows, %zu columns)", n,
                        d);
done:
    if (m)
        m->n_trees = rounds * n_out;
    free_model(m);
    booster_release(&b);
    tune_bins_release(&bins);
    tune_pool_free(pool);
    free(raw);
    free(raw_valid);
    free(loss_rows);
    free(gh_all);
    free(cols);
    free(cls);
    vcodes_free(own_vc);
    return rc;
}

static int predict(const void *model, const struct tune_matrix *x,
                   struct tune_predictions *out, struct tune_error *err)
{
    const struct boost_model *m = model;
    int rc = tune_tree_check_predict("boosting", m->d, m->k, x, out, err);
    if (rc)
        return rc;
    size_t n = x->n_rows, K = m->n_out;
    double *own = NULL;
    const double *raw = m->valid_raw;
    if (!raw || x->data != m->valid_data || n != m->valid_n ||
        matrix_hash(x) != m->valid_hash) {
        own = malloc((n * K + 1) * sizeof *own);
        if (!own)
            return tune_error_set(err, TUNE_ENOMEM, "boosting: out of memory (%zu rows)", n);
        for (size_t i = 0; i < n; i++)
            memcpy(own + i * K, m->base, K * sizeof *own);
        struct tune_pool *pool = n > ROW_BLOCK ? tune_pool_new(m->n_threads) : NULL;
        add_scores(pool, m->trees, 0, m->n_trees, K, x, own);
        tune_pool_free(pool);
        raw = own;
    }
    for (size_t i = 0; i < n; i++) {
        const double *z = raw + i * K;
        if (m->loss == LOSS_SQUARED) {
            out->value[i] = z[0];
        } else if (m->loss == LOSS_LOGISTIC) {
            double e = exp(-fabs(z[0]));
            double p1 = z[0] >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
            out->label[i] = z[0] > 0;
            if (out->proba) {
                out->proba[2 * i] = 1.0 - p1;
                out->proba[2 * i + 1] = p1;
            }
        } else {
            double zmax = z[0], sum = 0;
            size_t best = 0;
            for (size_t c = 1; c < K; c++)
                if (z[c] > zmax) {
                    zmax = z[c];
                    best = c;
                }
            out->label[i] = (int)best;
            if (out->proba) {
                for (size_t c = 0; c < K; c++)
                    sum += exp(z[c] - zmax);
                for (size_t c = 0; c < K; c++)
                    out->proba[i * K + c] = exp(z[c] - zmax) / sum;
            }
        }
    }
    free(own);
    return TUNE_OK;
}

static int importances(const void *model, double *out, size_t n_features, struct tune_error *err)
{
    const struct boost_model *m = model;
    if (n_features != m->d)
        return tune_error_set(err, TUNE_EINVAL, "boosting: %zu importances asked, model has %zu "
                              "columns", n_features, m->d);
    memcpy(out, m->importance, m->d * sizeof *out);
    return TUNE_OK;
}

/* ---- saving and loading (trainer.h) ---- */

#define BOOST_MODEL_VERSION 1

static int save(const void *model, struct tune_model_writer *w, struct tune_error *err)
{
    (void)err;
    const struct boost_model *m = model;
    int rc;
    if ((rc = tune_model_put_u32(w, BOOST_MODEL_VERSION)) || (rc = tune_model_put_u64(w, m->d)) ||
        (rc = tune_model_put_u64(w, m->k)) || (rc = tune_model_put_u64(w, m->n_trees)) ||
        (rc = tune_model_put_f64s(w, m->base, m->n_out)) ||
        (rc = tune_model_put_f64s(w, m->importance, m->d)))
        return rc;
    for (size_t t = 0; t < m->n_trees; t++)
        if ((rc = tune_tree_save(&m->trees[t], w)))
            return rc;
    return TUNE_OK;
}

/* The loss and the scores per row follow from the classes, as in fit. */
static int load(struct tune_model_reader *r, void **model, struct tune_error *err)
{
    uint32_t version;
    size_t n_trees;
    int rc;
    *model = NULL;
    if ((rc = tune_model_get_u32(r, &version)))
        return rc;
    if (version != BOOST_MODEL_VERSION)
        return tune_model_reader_fail(r, "boosting model version %u is not %d (written by a "
                                      "newer tunefold?)", version, BOOST_MODEL_VERSION);
    struct boost_model *m = calloc(1, sizeof *m);
    if (!m)
        return tune_error_set(err, TUNE_ENOMEM, "boosting: out of memory");
    m->n_threads = tune_model_reader_threads(r);
    if ((rc = tune_model_get_size(r, "columns", UINT32_MAX, 8, &m->d)) ||
        (rc = tune_model_get_size(r, "classes", 65535, 0, &m->k)) ||
        (rc = tune_model_get_size(r, "trees", (size_t)100000 * 65535, 36, &n_trees)))
        goto fail;
    m->loss = m->k == 0 ? LOSS_SQUARED : m->k == 2 ? LOSS_LOGISTIC : LOSS_SOFTMAX;
    m->n_out = m->loss == LOSS_SOFTMAX ? m->k : 1;
    if (m->k == 1 || n_trees % m->n_out) {
        rc = tune_model_reader_fail(r, "%zu trees for %zu classes", n_trees, m->k);
        goto fail;
    }
    if ((rc = tune_model_get_f64_array(r, m->n_out, &m->base)) ||
        (rc = tune_model_get_f64_array(r, m->d, &m->importance)))
        goto fail;
    m->trees = calloc(n_trees + 1, sizeof *m->trees);
    if (!m->trees) {
        rc = tune_error_set(err, TUNE_ENOMEM, "boosting: out of memory for %zu trees", n_trees);
        goto fail;
    }
    m->n_trees = n_trees;
    for (size_t t = 0; t < n_trees; t++)
        if ((rc = tune_tree_load(r, m->d, 1, &m->trees[t], err)))
            goto fail;
    *model = m;
    return TUNE_OK;
fail:
    free_model(m);
    return rc;
}

const struct tune_trainer_type tune_trainer_boosting = {
    .version = 2,
    .name = "boosting",
    .tasks = TUNE_TASK_BINARY | TUNE_TASK_MULTICLASS | TUNE_TASK_REGRESSION,
    .hparams = hparams,
    .n_hparams = HP_COUNT,
    .check = check_params,
    .fit = fit,
    .predict = predict,
    .free_model = free_model,
    .importances = importances,
    .save = save,
    .load = load,
    .flags = TUNE_TRAINER_PREDICT_PARALLEL | TUNE_TRAINER_FIT_PARALLEL,
};
