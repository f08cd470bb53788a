/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cart.c — grows one CART decision tree (Breiman et al., "Classification and
 * Regression Trees", 1984) as scikit-learn's BestSplitter does, for the
 * `tree` and `forest` trainers.
 *
 * Method.  Every column is ranked once per fit (tune_cart_rank: dense ranks
 * of the distinct values, NaN one above the largest), and the ranks are
 * shared by every tree.  A tree keeps the rows it draws (a bootstrap
 * sample) in one array, a node being a segment of it, ascending by row.  A
 * node sorts only the columns it draws: it gathers their (rank, row)
 * entries and sorts them (insertion for small nodes, else a radix sort of
 * the ranks), so the best threshold of a column is one sequential scan that
 * compares ranks, never values (the values are read only to place a winning
 * threshold).  After a split the node's rows are partitioned stably.  A
 * thread growing a tree needs O(rows) memory; with few columns drawn per
 * node (a forest's sqrt) the work is O(rows x drawn columns) per level,
 * radix passes included, instead of keeping every column sorted.
 *
 * Split search (sklearn 1.2/1.3 semantics).  Columns are drawn at random
 * without replacement until max_features have been visited and at least one
 * was not constant in the node; constant columns count as visited.  For a
 * column the candidate thresholds are the midpoints between consecutive
 * distinct values (the lower value when the midpoint rounds to the upper),
 * each leaving at least min_samples_leaf rows on both sides.  The best one
 * maximises sklearn's proxy of the impurity decrease:
 *     gini:     sum_c L_c^2 / W_L + sum_c R_c^2 / W_R
 *     entropy:  sum_c L_c ln L_c - W_L ln W_L  (+ the same for R)
 *     mse:      S_L^2 / W_L + S_R^2 / W_R      (S = sum of w y)
 * with L_c, R_c the weighted class counts left and right.  Ties keep the
 * first candidate found, in draw order then threshold order.
 *
 * Missing values (sklearn 1.3).  NaN rows sit at the tail of each sorted
 * segment.  When a node has some, every threshold is tried with them on the
 * left and on the right, plus the split "every value left, missing right"
 * (threshold +inf); the node remembers the side.  A node that saw no missing
 * value sends them, at prediction, to the child that had more rows.
 *
 * A node is a leaf when max_depth is reached, it has fewer than
 * min_samples_split or 2 * min_samples_leaf rows, its impurity is <= DBL
 * epsilon, no valid split exists, or the best split's weighted impurity
 * decrease  W_t / W_root * (imp_t - W_L / W_t imp_L - W_R / W_t imp_R)  is
 * below min_impurity_decrease.  Leaves hold the weighted class distribution
 * (classification) or the weighted mean (regression). */
#include "tree_common.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ENTRY_ROW(e) ((uint32_t)(e))
#define ENTRY_RANK(e) ((uint32_t)((e) >> 32))
#define PREFETCH_AHEAD 16
/* Radix digits of 5..11 bits over ranks of up to 32 bits: at most 7 passes. */
#define COUNT_SLOTS (7u << 11)
#if defined(__GNUC__)
#define HOT_INLINE inline __attribute__((always_inline))
#else
#define HOT_INLINE inline
#endif

struct frame {
    uint32_t start, end, depth, slot;   /* slot: where the node goes (tune_tree_split) */
};

struct tune_cart_work {
    size_t n, d, k, ns;      /* ns: statistics per node (1 + k, or 3) */
    uint32_t *rows;          /* n: the tree's rows, ascending within each node's segment */
    uint64_t *tmp, *keys2;   /* n each: a sorted column, and the radix sort's other buffer */
    uint32_t *count;         /* the radix sort's digit counts, every pass */
    uint32_t *lab;           /* n: the tree's rows: classification, class | count << 16;
                                regression, count (times drawn; 0: not in the tree) */
    uint32_t *feat;          /* d: feature permutation for the draws */
    double *st;              /* 6 * ns statistics scratch */
    struct frame *stack;
    size_t stack_cap;
};

struct tune_cart_work *tune_cart_work_new(const struct tune_cart_data *data)
{
    struct tune_cart_work *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    size_t n = data->n, d = data->d;
    w->n = n;
    w->d = d;
    w->k = data->k;
    w->ns = data->k ? data->k + 1 : 3;
    w->rows = malloc((n + 1) * sizeof *w->rows);
    w->tmp = malloc((n + 1) * sizeof *w->tmp);
    w->keys2 = malloc((n + 1) * sizeof *w->keys2);
    w->count = malloc(COUNT_SLOTS * sizeof *w->count);
    w->lab = malloc((n + 1) * sizeof *w->lab);
    w->feat = malloc((d + 1) * sizeof *w->feat);
    w->st = malloc(6 * w->ns * sizeof *w->st);
    w->stack_cap = 64;
    w->stack = malloc(w->stack_cap * sizeof *w->stack);
    if (!w->rows || !w->tmp || !w->keys2 || !w->count || !w->lab || !w->feat || !w->st ||
        !w->stack) {
        tune_cart_work_free(w);
        return NULL;
    }
    for (size_t j = 0; j < d; j++)
        w->feat[j] = (uint32_t)j;
    return w;
}

void tune_cart_work_free(struct tune_cart_work *w)
{
    if (!w)
        return;
    free(w->rows);
    free(w->tmp);
    free(w->keys2);
    free(w->count);
    free(w->lab);
    free(w->feat);
    free(w->st);
    free(w->stack);
    free(w);
}

/* ---- node statistics: s[0] = W; classification s[1 + c] = weight of
 * class c; regression s[1] = sum w y, s[2] = sum w y^2.  A row weighs its
 * count times its class weight.  The class and the count share one 32-bit
 * word, so a scan reads one small array at random instead of two. ---- */

static inline void stat_add(const struct tune_cart_data *data, const uint32_t *lab, uint32_t r,
                            double *s)
{
    uint32_t lb = lab[r];
    if (data->k) {
        uint32_t c = lb & 0xffffu;
        double w = (double)(lb >> 16);
        if (data->class_weight)
            w *= data->class_weight[c];
        s[0] += w;
        s[1 + c] += w;
    } else {
        double w = (double)lb, y = data->y[r];
        s[0] += w;
        s[1] += w * y;
        s[2] += w * y * y;
    }
}

static double impurity(enum tune_cart_criterion c, const double *s, size_t k)
{
    double w = s[0];
    if (!(w > 0))
        return 0.0;
    if (c == TUNE_CART_MSE) {
        double mean = s[1] / w, v = s[2] / w - mean * mean;
        return v > 0 ? v : 0.0;
    }
    double acc = 0;
    for (size_t i = 1; i <= k; i++) {
        double p = s[i] / w;
        if (c == TUNE_CART_GINI)
            acc += p * p;
        else if (p > 0)
            acc -= p * log2(p);
    }
    return c == TUNE_CART_GINI ? 1.0 - acc : acc;
}

/* The proxy of a split, to maximise (see the file comment), as a fraction
 * *num / *den (den > 0): sum_L / W_L + sum_R / W_R is
 * (sum_L W_R + sum_R W_L) / (W_L W_R), so candidates compare by two
 * products instead of two divisions. */
static HOT_INLINE void split_proxy(enum tune_cart_criterion c, const double *L, const double *R,
                               size_t k, double *num, double *den)
{
    double wl = L[0], wr = R[0];
    *den = wl * wr;
    if (c == TUNE_CART_MSE) {
        *num = L[1] * L[1] * wr + R[1] * R[1] * wl;
        return;
    }
    double ql = 0, qr = 0;
    if (c == TUNE_CART_GINI) {
        for (size_t i = 1; i <= k; i++) {
            ql += L[i] * L[i];
            qr += R[i] * R[i];
        }
        *num = ql * wr + qr * wl;
        return;
    }
    for (size_t i = 1; i <= k; i++) {
        if (L[i] > 0)
            ql += L[i] * log(L[i]);
        if (R[i] > 0)
            qr += R[i] * log(R[i]);
    }
    *num = ql - wl * log(wl) + qr - wr * log(wr);
    *den = 1.0;
}

/* Is num / den larger than the best's?  By cross products, or by the
 * quotients when a product overflows. */
static inline int beats(double num, double den, double best_num, double best_den)
{
    double lhs = num * best_den, rhs = best_num * den;
    if (isfinite(lhs) && isfinite(rhs))
        return lhs > rhs;
    return num / den > best_num / best_den;
}

struct best {
    int found;
    double num, den;     /* the proxy, num / den */
    uint32_t feature;
    uint32_t pos;        /* last index (in the sorted entries) of the left values */
    uint32_t n_left;     /* rows left, missing included when they go left */
    int missing_left;
    uint32_t n_miss;
    double threshold;
    uint32_t r_lo, r_hi; /* rows whose values the threshold separates */
    double *left;        /* ns: statistics of the left child */
};

/* Keep candidate q if it beats the best so far (ties keep the first).  The
 * threshold will lie between the values of rows r_lo and r_hi (r_hi ==
 * UINT32_MAX: above every value); it is placed once the node's split is
 * chosen (set_threshold), since reading the values is a cache miss. */
static void record(struct best *b, double num, double den, const double *L, uint32_t j,
                   uint32_t pos, uint32_t n_left, int missing_left, uint32_t n_miss,
                   uint32_t r_lo, uint32_t r_hi, size_t ns)
{
    b->found = 1;
    b->num = num;
    b->den = den;
    b->feature = j;
    b->pos = pos;
    b->n_left = n_left;
    b->missing_left = missing_left;
    b->n_miss = n_miss;
    b->r_lo = r_lo;
    b->r_hi = r_hi;
    memcpy(b->left, L, ns * sizeof *L);
}

/* The test runs for every candidate, inline; a new best is rare. */
static HOT_INLINE void consider(struct best *b, enum tune_cart_criterion c, const double *L,
                            const double *R, size_t k, uint32_t j, uint32_t pos, uint32_t n_left,
                            int missing_left, uint32_t n_miss, uint32_t r_lo, uint32_t r_hi,
                            size_t ns)
{
    double num, den;
    split_proxy(c, L, R, k, &num, &den);
    if (b->found && !beats(num, den, b->num, b->den))
        return;
    record(b, num, den, L, j, pos, n_left, missing_left, n_miss, r_lo, r_hi, ns);
}

/* sklearn's threshold: the midpoint, or the lower value when the midpoint
 * rounds up to the upper one. */
static void set_threshold(const struct tune_cart_data *data, struct best *b)
{
    const double *vx = data->x + (size_t)b->feature * data->n;
    if (b->r_hi == UINT32_MAX) {
        b->threshold = INFINITY;
        return;
    }
    double lo = vx[b->r_lo], hi = vx[b->r_hi];
    b->threshold = lo / 2.0 + hi / 2.0;
    if (b->threshold == hi || isinf(b->threshold))
        b->threshold = lo;
}

/* Scan the n_node sorted entries o[0..n_node) of column j (NaN, of rank
 * nan_rank, last) and update *b.
 * Returns 1 if the column is constant in the node (no split possible), else 0. */
static int scan_column(const struct tune_cart_data *data, const struct tune_cart_params *p,
                       struct tune_cart_work *w, uint32_t j, const uint64_t *o, uint32_t n_node,
                       uint32_t nan_rank, const double *total, struct best *b)
{
    size_t ns = w->ns, k = data->k;
    double *L = w->st + 2 * ns, *R = w->st + 3 * ns, *M = w->st + 4 * ns, *T = w->st + 5 * ns;
    uint32_t e = n_node, e_nm = e;
    while (e_nm > 0 && ENTRY_RANK(o[e_nm - 1]) == nan_rank)
        e_nm--;
    uint32_t n_miss = e - e_nm;
    if (e_nm == 0)
        return 1;
    if (n_miss == 0 && ENTRY_RANK(o[0]) == ENTRY_RANK(o[e_nm - 1]))
        return 1;
    size_t msl = p->min_samples_leaf;
    enum tune_cart_criterion c = p->criterion;

    memset(M, 0, ns * sizeof *M);
    for (uint32_t i = e_nm; i < e; i++)
        stat_add(data, w->lab, ENTRY_ROW(o[i]), M);
    memset(L, 0, ns * sizeof *L);
    for (uint32_t i = 0; i + 1 < e_nm; i++) {
        uint64_t en = o[i];
#if defined(__GNUC__)
        /* The rows come in value order, so their labels are scattered:
         * ask for one a few rows ahead. */
        if (i + PREFETCH_AHEAD < e_nm)
            __builtin_prefetch(&w->lab[ENTRY_ROW(o[i + PREFETCH_AHEAD])]);
#endif
        stat_add(data, w->lab, ENTRY_ROW(en), L);
        if (ENTRY_RANK(o[i + 1]) == ENTRY_RANK(en))
            continue;
        uint32_t nl = i + 1;
        if (nl >= msl && n_node - nl >= msl) {
            for (size_t t = 0; t < ns; t++)
                R[t] = total[t] - L[t];
            if (R[0] > 0 && L[0] > 0)
                consider(b, c, L, R, k, j, i, nl, 0, n_miss, ENTRY_ROW(en),
                         ENTRY_ROW(o[i + 1]), ns);
        }
        if (n_miss > 0 && nl + n_miss >= msl && n_node - nl - n_miss >= msl) {
            for (size_t t = 0; t < ns; t++) {
                T[t] = L[t] + M[t];
                R[t] = total[t] - T[t];
            }
            if (R[0] > 0 && T[0] > 0)
                consider(b, c, T, R, k, j, i, nl + n_miss, 1, n_miss, ENTRY_ROW(en),
                         ENTRY_ROW(o[i + 1]), ns);
        }
    }
    if (n_miss > 0) {
        /* Every value left, the missing ones right. */
        uint32_t nl = e_nm;
        if (nl >= msl && n_miss >= msl) {
            for (size_t t = 0; t < ns; t++)
                T[t] = total[t] - M[t];
            if (T[0] > 0 && M[0] > 0)
                consider(b, c, T, M, k, j, e_nm - 1, nl, 0, n_miss, 0, UINT32_MAX, ns);
        }
    }
    return 0;
}

/* Column j's entries of the node's rows rows[0..n_node), sorted by rank
 * then row.  The rows come ascending; small nodes are sorted by insertion,
 * larger ones by a least-significant-digit radix sort of the ranks (stable,
 * so ties stay in row order), its digits narrow enough for the count tables
 * to stay about as small as the node.  The gather counts every pass's
 * digits at once, and a pass whose digit is the same for every entry is
 * skipped.  Returns the buffer holding the result (w->tmp or w->keys2). */
static const uint64_t *sort_column(const struct tune_cart_data *data, struct tune_cart_work *w,
                                   uint32_t j, const uint32_t *rows, uint32_t n_node)
{
    size_t n = data->n;
    const uint32_t *rk = data->rank + (size_t)j * n;
    uint64_t *a = w->tmp, *b = w->keys2;
    if (n_node <= 32) {
        for (uint32_t i = 0; i < n_node; i++) {
            uint32_t r = rows[i];
            uint64_t v = (uint64_t)rk[r] << 32 | r;
            uint32_t q = i;
            while (q > 0 && a[q - 1] > v) {
                a[q] = a[q - 1];
                q--;
            }
            a[q] = v;
        }
        return a;
    }
    unsigned width = 0;
    for (uint32_t top = data->rank[data->d * n + j]; top; top >>= 1)
        width++;
    unsigned digit = 5;
    while (digit < 11 && (1u << (digit + 1)) <= n_node)
        digit++;
    unsigned passes = (width + digit - 1) / digit;
    digit = passes ? (width + passes - 1) / passes : 1;
    uint32_t mask = (1u << digit) - 1, *count = w->count;
    memset(count, 0, ((size_t)passes << digit) * sizeof *count);
    for (uint32_t i = 0; i < n_node; i++) {
#if defined(__GNUC__)
        /* The node's rows are scattered over the column: fetch ahead. */
        if (i + PREFETCH_AHEAD < n_node)
            __builtin_prefetch(&rk[rows[i + PREFETCH_AHEAD]]);
#endif
        uint32_t r = rows[i], v = rk[r];
        a[i] = (uint64_t)v << 32 | r;
        for (unsigned pass = 0; pass < passes; pass++)
            count[(pass << digit) + (v >> (pass * digit) & mask)]++;
    }
    for (unsigned pass = 0; pass < passes; pass++) {
        uint32_t *c = count + ((size_t)pass << digit), shift = pass * digit;
        if (c[ENTRY_RANK(a[0]) >> shift & mask] == n_node)
            continue;   /* one digit for all: this pass would not move anything */
        uint32_t sum = 0;
        for (uint32_t q = 0; q <= mask; q++) {
            uint32_t t = c[q];
            c[q] = sum;
            sum += t;
        }
        for (uint32_t i = 0; i < n_node; i++)
            b[c[ENTRY_RANK(a[i]) >> shift & mask]++] = a[i];
        uint64_t *t = a;
        a = b;
        b = t;
    }
    return a;
}

/* Split the node's rows rows[s..e) by the best split *b: the rows going
 * left first, both halves still ascending. */
static void partition_rows(const struct tune_cart_data *data, struct tune_cart_work *w,
                           const struct best *b, uint32_t s, uint32_t e)
{
    size_t n = data->n;
    const uint32_t *rk = data->rank + (size_t)b->feature * n;
    uint32_t nan_rank = data->rank[data->d * n + b->feature];
    /* The split "every value left" has no upper row; else the left values
     * are those ranked up to the last left row's. */
    uint32_t last = b->r_hi == UINT32_MAX ? nan_rank - 1 : rk[b->r_lo];
    uint32_t *rows = w->rows, *right = (uint32_t *)w->keys2;
    uint32_t l = s, t = 0;
    for (uint32_t i = s; i < e; i++) {
        uint32_t r = rows[i], v = rk[r];
        int go_left = v == nan_rank ? b->missing_left : v <= last;
        rows[l] = r;
        right[t] = r;
        l += (uint32_t)go_left;
        t += (uint32_t)!go_left;
    }
    memcpy(rows + l, right, t * sizeof *right);
}

static int push(struct tune_cart_work *w, size_t *top, struct frame f)
{
    if (*top == w->stack_cap) {
        size_t cap = 2 * w->stack_cap;
        struct frame *st = realloc(w->stack, cap * sizeof *st);
        if (!st)
            return TUNE_ENOMEM;
        w->stack = st;
        w->stack_cap = cap;
    }
    w->stack[(*top)++] = f;
    return TUNE_OK;
}

int tune_cart_grow(const struct tune_cart_data *data, const struct tune_cart_params *p,
                   const uint32_t *count, gsl_rng *rng, struct tune_cart_work *w,
                   struct tune_tree *out, double *importance)
{
    size_t n = data->n, d = data->d, k = data->k, ns = w->ns;
    double *S = w->st, *lbuf = w->st + ns;

    /* Draws depend on the permutation they start from: the same for every tree. */
    for (size_t j = 0; j < d; j++)
        w->feat[j] = (uint32_t)j;
    /* The tree's rows: positive weight, in each column's order. */
    if (data->k) {
        for (size_t i = 0; i < n; i++) {
            uint32_t c = count ? count[i] : 1;
            if (c > 0xffffu)
                return TUNE_EINVAL;   /* a row drawn 65536 times: never in practice */
            w->lab[i] = data->cls[i] | c << 16;
        }
    } else {
        for (size_t i = 0; i < n; i++)
            w->lab[i] = count ? count[i] : 1;
    }
    uint32_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!count || count[i] > 0)
            w->rows[m++] = (uint32_t)i;

    out->n_out = k ? k : 1;
    size_t top = 0;
    double w_root = 0;
    w->stack[top++] = (struct frame){0, m, 0, TUNE_NODE_ROOT};

    while (top > 0) {
        struct frame f = w->stack[--top];
        uint32_t s = f.start, e = f.end, n_node = e - s;
        memset(S, 0, ns * sizeof *S);
        for (uint32_t i = 0; i < n_node; i++)
            stat_add(data, w->lab, w->rows[s + i], S);
        if (f.slot == TUNE_NODE_ROOT)
            w_root = S[0];
        double imp = impurity(p->criterion, S, k);

        struct best b = {.left = lbuf};
        int leaf = (p->max_depth && f.depth >= p->max_depth) || n_node < p->min_samples_split ||
                   n_node < 2 * p->min_samples_leaf || imp <= DBL_EPSILON || d == 0;
        if (!leaf) {
            size_t remaining = d, visited = 0;
            int nonconstant = 0;
            while (remaining > 0 && (visited < p->max_features || !nonconstant)) {
                size_t r = gsl_rng_uniform_int(rng, (unsigned long)remaining);
                uint32_t j = w->feat[r];
                w->feat[r] = w->feat[remaining - 1];
                w->feat[remaining - 1] = j;
                remaining--;
                visited++;
                const uint64_t *o = sort_column(data, w, j, w->rows + s, n_node);
                if (!scan_column(data, p, w, j, o, n_node, data->rank[d * n + j], S, &b))
                    nonconstant = 1;
            }
            leaf = !b.found;
        }
        double imp_l = 0, imp_r = 0;
        double *R = w->st + 2 * ns;
        if (!leaf) {
            for (size_t t = 0; t < ns; t++)
                R[t] = S[t] - b.left[t];
            imp_l = impurity(p->criterion, b.left, k);
            imp_r = impurity(p->criterion, R, k);
            double dec = S[0] * imp - b.left[0] * imp_l - R[0] * imp_r;
            if (dec / w_root + DBL_EPSILON < p->min_impurity_decrease)
                leaf = 1;
        }
        if (leaf) {
            double *v = tune_tree_leaf_at(out, f.slot, NULL);
            if (!v)
                return TUNE_ENOMEM;
            if (k) {
                for (size_t c = 0; c < k; c++)
                    v[c] = S[0] > 0 ? S[1 + c] / S[0] : 1.0 / (double)k;
            } else {
                v[0] = S[0] > 0 ? S[1] / S[0] : 0.0;
            }
            continue;
        }

        set_threshold(data, &b);
        if (importance)
            importance[b.feature] += S[0] * imp - b.left[0] * imp_l - R[0] * imp_r;
        /* Missing values unseen here go to the child with more rows. */
        int miss_left = b.n_miss > 0 ? b.missing_left : b.n_left >= n_node - b.n_left;
        uint32_t q = tune_tree_split(out, f.slot, b.feature, b.threshold, miss_left);
        if (q == UINT32_MAX)
            return TUNE_ENOMEM;

        partition_rows(data, w, &b, s, e);

        uint32_t mid = s + b.n_left;
        if (push(w, &top, (struct frame){mid, e, f.depth + 1, 2 * q + 1}) ||
            push(w, &top, (struct frame){s, mid, f.depth + 1, 2 * q}))
            return TUNE_ENOMEM;
    }
    tune_tree_share_values(out);
    tune_tree_trim(out);
    return TUNE_OK;
}

/* Ranking the columns, one task per column. */
struct rank_job {
    const double *x;
    size_t n, d;
    uint32_t *rank;      /* d x n ranks + d NaN ranks */
    uint64_t *scratch;   /* per thread: 3 n words + n / 2 + 1 for the order */
};

static void rank_task(void *arg, size_t j, size_t thread)
{
    struct rank_job *job = arg;
    size_t n = job->n;
    uint64_t *scratch = job->scratch + thread * (3 * n + n / 2 + 1);
    uint32_t *order = (uint32_t *)(scratch + 3 * n);
    const double *v = job->x + j * n;
    uint32_t *rank = job->rank + j * n;
    tune_argsort(v, n, order, scratch);
    uint32_t r = 0;
    size_t p = 0;
    for (; p < n && !isnan(v[order[p]]); p++) {
        if (p > 0 && v[order[p]] != v[order[p - 1]])
            r++;
        rank[order[p]] = r;
    }
    /* NaN sorts last: one rank above the largest value. */
    uint32_t nan_rank = p > 0 ? r + 1 : 0;
    job->rank[job->d * n + j] = nan_rank;
    for (; p < n; p++)
        rank[order[p]] = nan_rank;
}

uint32_t *tune_cart_rank(struct tune_pool *pool, const double *x, size_t n, size_t d)
{
    size_t threads = tune_pool_threads(pool);
    uint32_t *rank = malloc((d * n + d + 1) * sizeof *rank);
    uint64_t *scratch = malloc(((3 * n + n / 2 + 1) * threads + 1) * sizeof *scratch);
    if (!rank || !scratch) {
        free(rank);
        free(scratch);
        return NULL;
    }
    struct rank_job job = {x, n, d, rank, scratch};
    tune_pool_run(pool, d, rank_task, &job);
    free(scratch);
    return rank;
}
