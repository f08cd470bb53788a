/* SPDX-License-Identifier: GPL-3.0-or-later */
/* knn_search.c — exact k-nearest-neighbour search: blocked brute force and a
 * k-d tree (see knn_search.h for the neighbour order both guarantee).
 *
 * Brute force.  The training rows are packed in panels of 8 rows (column
 * after column within a panel, as GEMM kernels pack their operands) and
 * queries go four at a time: a panel's 8 values of column j are loaded once
 * for four queries, 32 sums accumulating in registers.  The panels are
 * walked in blocks that fit the L2 cache, every query of the call passing
 * over a block before the next is read, so the training data stream from
 * memory once per call.  Manhattan and minkowski ranks are computed
 * directly; euclidean ones are screened with the expansion |q|^2 + |x|^2 -
 * 2 q.x (one multiply-add per term) against the current k-th rank plus a
 * bound on the expansion's rounding error, and only the rows that pass get
 * their exact rank — the same sum, in column order, that a naive double
 * loop computes — so near ties still come out in the right order and the
 * result is exact.  Each query keeps a max-heap of its k best; training
 * rows arrive in ascending index order, so a later row with an equal rank
 * never displaces an earlier one.
 *
 * k-d tree (Friedman, Bentley & Finkel, "An algorithm for finding best
 * matches in logarithmic expected time", ACM TOMS 1977).  Nodes split the
 * rows at the median of the column of largest spread until at most
 * `leaf_size` remain; every node keeps the tight bounding box of its rows.
 * A query descends to the nearer child first and skips a node only when
 * the box's lower bound on the rank is strictly above the current k-th
 * (rank, index): the bound sums, column by column, the rounded gap between
 * the query and the box, and rounding is monotone, so the bound never
 * exceeds the rank computed for any row inside (for minkowski, whose pow()
 * need not be monotone, the bound is lowered by a relative 1e-12).  Ties
 * are resolved by index exactly as in brute force. */
#include "knn_search.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

double tune_knn_rank_to_dist(const struct knn_metric_def *m, double rank)
{
    switch (m->kind) {
    case KNN_EUCLIDEAN:
        return sqrt(rank);
    case KNN_MANHATTAN:
        return rank;
    case KNN_MINKOWSKI:
        return pow(rank, 1.0 / m->p);
    }
    return rank;
}

/* ---- the bounded heap ------------------------------------------------------ */

static int worse(double ra, size_t ia, double rb, size_t ib)
{
    return ra > rb || (ra == rb && ia > ib);
}

static void sift_down(struct knn_heap *h, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, top = i;
        if (l < h->size && worse(h->rank[l], h->index[l], h->rank[top], h->index[top]))
            top = l;
        if (r < h->size && worse(h->rank[r], h->index[r], h->rank[top], h->index[top]))
            top = r;
        if (top == i)
            return;
        double tr = h->rank[i];
        size_t ti = h->index[i];
        h->rank[i] = h->rank[top];
        h->index[i] = h->index[top];
        h->rank[top] = tr;
        h->index[top] = ti;
        i = top;
    }
}

/* Offer (rank, index): kept when the heap has room or it beats the worst. */
static void heap_offer(struct knn_heap *h, double rank, size_t index)
{
    if (h->size < h->k) {
        size_t i = h->size++;
        h->rank[i] = rank;
        h->index[i] = index;
        while (i > 0) {
            size_t parent = (i - 1) / 2;
            if (!worse(h->rank[i], h->index[i], h->rank[parent], h->index[parent]))
                break;
            double tr = h->rank[i];
            size_t ti = h->index[i];
            h->rank[i] = h->rank[parent];
            h->index[i] = h->index[parent];
            h->rank[parent] = tr;
            h->index[parent] = ti;
            i = parent;
        }
        return;
    }
    if (!worse(h->rank[0], h->index[0], rank, index))
        return;
    h->rank[0] = rank;
    h->index[0] = index;
    sift_down(h, 0);
}

void tune_knn_heap_sort(struct knn_heap *h)
{
    /* Heapsort: repeatedly move the worst to the end. */
    size_t n = h->size;
    while (h->size > 1) {
        size_t last = h->size - 1;
        double tr = h->rank[0];
        size_t ti = h->index[0];
        h->rank[0] = h->rank[last];
        h->index[0] = h->index[last];
        h->rank[last] = tr;
        h->index[last] = ti;
        h->size--;
        sift_down(h, 0);
    }
    h->size = n;
}

/* ---- brute force ----------------------------------------------------------- */

/* The training rows in panels of PANEL rows: panel p holds, column after
 * column, the PANEL values of rows p*PANEL.. (zero-padded past n), so the
 * kernel reads memory straight through. */
#define PANEL 8
#define QB 4

double *tune_knn_panels_build(const double *train, size_t n, size_t d)
{
    size_t np = (n + PANEL - 1) / PANEL;
    size_t bytes = (np * (d + 1) * PANEL + PANEL) * sizeof(double);
    void *mem = NULL;
    if (posix_memalign(&mem, 64, bytes) != 0)
        return NULL;
    double *panels = mem, *norms = panels + np * d * PANEL;
    memset(panels, 0, bytes);
    for (size_t p = 0; p < np; p++)
        for (size_t j = 0; j < d; j++)
            for (size_t t = 0; t < PANEL && p * PANEL + t < n; t++) {
                double v = train[j * n + p * PANEL + t];
                panels[(p * d + j) * PANEL + t] = v;
                norms[p * PANEL + t] += v * v;
            }
    return panels;
}

#if defined(__GNUC__) && defined(__x86_64__)
/* GCC vector extensions: four doubles per operation; the avx2 clone uses
 * 256-bit registers, the default one two SSE2 halves.  Each lane performs
 * the scalar operations in the scalar order (no FMA contraction: C11 mode
 * keeps -ffp-contract=off), so every clone gives bit-identical ranks. */
typedef double v4d __attribute__((vector_size(32)));
typedef long long v4l __attribute__((vector_size(32)));
#define KERNEL_CLONES __attribute__((target_clones("avx2", "default")))

/* out[b * PANEL + t] = rank of query b (of QB) against row t of the panel:
 * 32 ranks in 8 named accumulators, which the compiler keeps in registers. */
#define ACCUMULATE(OP)                                                                     \
    do {                                                                                   \
        v4d a00 = {0, 0, 0, 0}, a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00,     \
            a30 = a00, a31 = a00;                                                          \
        const double *q0 = qv, *q1 = qv + d, *q2 = qv + 2 * d, *q3 = qv + 3 * d;           \
        for (size_t j = 0; j < d; j++) {                                                   \
            v4d x0, x1, e;                                                                 \
            memcpy(&x0, panel + j * PANEL, sizeof x0);                                     \
            memcpy(&x1, panel + j * PANEL + 4, sizeof x1);                                 \
            v4d b0 = {q0[j], q0[j], q0[j], q0[j]}, b1 = {q1[j], q1[j], q1[j], q1[j]};      \
            v4d b2 = {q2[j], q2[j], q2[j], q2[j]}, b3 = {q3[j], q3[j], q3[j], q3[j]};      \
            e = x0 - b0; a00 += OP(e);                                                     \
            e = x1 - b0; a01 += OP(e);                                                     \
            e = x0 - b1; a10 += OP(e);                                                     \
            e = x1 - b1; a11 += OP(e);                                                     \
            e = x0 - b2; a20 += OP(e);                                                     \
            e = x1 - b2; a21 += OP(e);                                                     \
            e = x0 - b3; a30 += OP(e);                                                     \
            e = x1 - b3; a31 += OP(e);                                                     \
        }                                                                                  \
        memcpy(out, &a00, sizeof a00);                                                     \
        memcpy(out + 4, &a01, sizeof a01);                                                 \
        memcpy(out + 8, &a10, sizeof a10);                                                 \
        memcpy(out + 12, &a11, sizeof a11);                                                \
        memcpy(out + 16, &a20, sizeof a20);                                                \
        memcpy(out + 20, &a21, sizeof a21);                                                \
        memcpy(out + 24, &a30, sizeof a30);                                                \
        memcpy(out + 28, &a31, sizeof a31);                                                \
    } while (0)

#define ABS(e) ((v4d)((v4l)(e) & sign_off))

/* The euclidean screen (see brute_euclidean) of a panel for four queries:
 * bit b * PANEL + t set when row t may enter query b's k nearest, i.e. when
 * its estimate |q|^2 + |x|^2 - 2 q.x, less the slack, is at most limit[b].
 * The dot products accumulate in 8 registers. */
KERNEL_CLONES
static unsigned panel_screen(const double *panel, size_t d, const double *qv, const double *xn,
                             const double *qn, const double *limit, double slack)
{
    v4d a00 = {0, 0, 0, 0}, a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00,
        a31 = a00;
    const double *q0 = qv, *q1 = qv + d, *q2 = qv + 2 * d, *q3 = qv + 3 * d;
    for (size_t j = 0; j < d; j++) {
        v4d x0, x1;
        memcpy(&x0, panel + j * PANEL, sizeof x0);
        memcpy(&x1, panel + j * PANEL + 4, sizeof x1);
        v4d b0 = {q0[j], q0[j], q0[j], q0[j]}, b1 = {q1[j], q1[j], q1[j], q1[j]};
        v4d b2 = {q2[j], q2[j], q2[j], q2[j]}, b3 = {q3[j], q3[j], q3[j], q3[j]};
        a00 += x0 * b0;
        a01 += x1 * b0;
        a10 += x0 * b1;
        a11 += x1 * b1;
        a20 += x0 * b2;
        a21 += x1 * b2;
        a30 += x0 * b3;
        a31 += x1 * b3;
    }
    v4d n0, n1, two = {2, 2, 2, 2}, sl = {slack, slack, slack, slack};
    memcpy(&n0, xn, sizeof n0);
    memcpy(&n1, xn + 4, sizeof n1);
    const v4d dots[QB][2] = {{a00, a01}, {a10, a11}, {a20, a21}, {a30, a31}};
    unsigned mask = 0;
    for (size_t b = 0; b < QB; b++) {
        double qb = qn[b], lb = limit[b];
        v4d qq = {qb, qb, qb, qb}, ll = {lb, lb, lb, lb};
        v4d e0 = qq + n0 - two * dots[b][0], e1 = qq + n1 - two * dots[b][1];
        v4l m0 = e0 - sl * (qq + n0 + ll) <= ll, m1 = e1 - sl * (qq + n1 + ll) <= ll;
        v4l any = m0 | m1;
        if (!(any[0] | any[1] | any[2] | any[3]))
            continue;
        for (size_t t = 0; t < 4; t++) {
            mask |= (unsigned)(m0[t] != 0) << (b * PANEL + t);
            mask |= (unsigned)(m1[t] != 0) << (b * PANEL + 4 + t);
        }
    }
    return mask;
}

/* Manhattan ranks of four queries against a panel. */
KERNEL_CLONES
static void panel_manhattan(const double *panel, size_t d, const double *qv, double *out)
{
    const v4l sign_off = {0x7fffffffffffffffLL, 0x7fffffffffffffffLL, 0x7fffffffffffffffLL,
                          0x7fffffffffffffffLL};
    ACCUMULATE(ABS);
}
#else
static unsigned panel_screen(const double *panel, size_t d, const double *qv, const double *xn,
                             const double *qn, const double *limit, double slack)
{
    unsigned mask = 0;
    for (size_t b = 0; b < QB; b++)
        for (size_t t = 0; t < PANEL; t++) {
            double dot = 0;
            for (size_t j = 0; j < d; j++)
                dot += panel[j * PANEL + t] * qv[b * d + j];
            double est = qn[b] + xn[t] - 2.0 * dot;
            if (est - slack * (qn[b] + xn[t] + limit[b]) <= limit[b])
                mask |= 1u << (b * PANEL + t);
        }
    return mask;
}

static void panel_manhattan(const double *panel, size_t d, const double *qv, double *out)
{
    for (size_t i = 0; i < QB * PANEL; i++)
        out[i] = 0;
    for (size_t j = 0; j < d; j++)
        for (size_t b = 0; b < QB; b++)
            for (size_t t = 0; t < PANEL; t++)
                out[b * PANEL + t] += fabs(panel[j * PANEL + t] - qv[b * d + j]);
}
#endif

/* Minkowski with a general p: pow per term, no vector path. */
static void panel_ranks_pow(const double *panel, size_t d, const double *qv, double p,
                            double *out)
{
    for (size_t i = 0; i < QB * PANEL; i++)
        out[i] = 0;
    for (size_t j = 0; j < d; j++)
        for (size_t b = 0; b < QB; b++)
            for (size_t t = 0; t < PANEL; t++)
                out[b * PANEL + t] += pow(fabs(panel[j * PANEL + t] - qv[b * d + j]), p);
}

/* The exact euclidean rank of query qb against row t of a panel. */
static double exact_sq(const double *panel, size_t d, const double *qb, size_t t)
{
    double r = 0;
    for (size_t j = 0; j < d; j++) {
        double e = panel[j * PANEL + t] - qb[j];
        r += e * e;
    }
    return r;
}

/* Euclidean: screen with the expansion |q|^2 + |x|^2 - 2 q.x from one
 * vector kernel of dot products (two operations per term instead of three),
 * and compute the exact rank — the same sum a direct loop gives — only for
 * rows the screen cannot rule out.  The expansion's rounding error is at
 * most about (d + 2) eps (|q|^2 + |x|^2 + 2 |q||x|) (Higham, "Accuracy and
 * Stability of Numerical Algorithms", section 3.1, with Cauchy-Schwarz), and
 * the exact rank's (d + 1) eps times itself; a row is ruled out only when
 * its estimate exceeds the k-th rank by SCREEN_SLACK times the sum of both,
 * so no row that could enter the k nearest is skipped. */
#define SCREEN_SLACK 8.0

/* Panels [p0, p1) against one group of queries (qv, QB x d): offer the
 * rows the screen keeps to the group's heaps; limit[b] is the k-th rank of
 * query b once its heap is full (else +inf; -inf for an unused slot). */
static void brute_euclidean(const double *panels, size_t n, size_t d, size_t p0, size_t p1,
                            const double *qv, const double *qn, double *limit, size_t nqb,
                            struct knn_heap *heaps)
{
    size_t np = (n + PANEL - 1) / PANEL;
    const double *norms = panels + np * d * PANEL;
    double slack = SCREEN_SLACK * (double)(d + 4) * DBL_EPSILON;
    for (size_t p = p0; p < p1; p++) {
        const double *panel = panels + p * d * PANEL;
        unsigned mask = panel_screen(panel, d, qv, norms + p * PANEL, qn, limit, slack);
        if (!mask)
            continue;
        size_t rows = n - p * PANEL < PANEL ? n - p * PANEL : PANEL;
        for (size_t b = 0; b < nqb; b++) {
            struct knn_heap *h = &heaps[b];
            unsigned bits = (mask >> (b * PANEL)) & ((1u << PANEL) - 1);
            for (size_t t = 0; bits && t < rows; t++, bits >>= 1) {
                if (!(bits & 1))
                    continue;
                double r = exact_sq(panel, d, qv + b * d, t);
                if (h->size < h->k || r < h->rank[0])
                    heap_offer(h, r, p * PANEL + t);
            }
            if (h->size == h->k)
                limit[b] = h->rank[0];
        }
    }
}

/* Manhattan or minkowski: every rank computed, then offered. */
static void brute_direct(const double *panels, size_t n, size_t d, size_t p0, size_t p1,
                         const double *qv, size_t nqb, const struct knn_metric_def *m,
                         struct knn_heap *heaps)
{
    double ranks[QB * PANEL];
    for (size_t p = p0; p < p1; p++) {
        const double *panel = panels + p * d * PANEL;
        if (m->kind == KNN_MINKOWSKI)
            panel_ranks_pow(panel, d, qv, m->p, ranks);
        else
            panel_manhattan(panel, d, qv, ranks);
        size_t rows = n - p * PANEL < PANEL ? n - p * PANEL : PANEL;
        for (size_t b = 0; b < nqb; b++) {
            struct knn_heap *h = &heaps[b];
            const double *r = ranks + b * PANEL;
            for (size_t t = 0; t < rows; t++)
                if (h->size < h->k || r[t] < h->rank[0])
                    heap_offer(h, r[t], p * PANEL + t);
        }
    }
}

/* Panels per block of training rows: 256 panels of 8 rows of up to ~30
 * columns stay in a 512 kB L2 cache while every query of the call passes
 * over them, so the training data stream from memory once per call, not
 * once per four queries. */
static size_t block_panels(size_t d)
{
    size_t bytes = 320 * 1024, per = d * PANEL * sizeof(double);
    size_t b = per ? bytes / per : 256;
    return b < 16 ? 16 : b;
}

int tune_knn_brute(const double *panels, size_t n, size_t d, const double *q, size_t nq,
                   size_t q0, size_t q1, size_t k, const struct knn_metric_def *m,
                   double *out_rank, size_t *out_index)
{
    size_t nb = q1 - q0, np = (n + PANEL - 1) / PANEL, groups = (nb + QB - 1) / QB;
    double *qv = malloc((groups * QB * (d + 2) + 1) * sizeof *qv);
    size_t *size = calloc(nb + 1, sizeof *size);
    if (!qv || !size) {
        free(qv);
        free(size);
        return 0;
    }
    /* per group: QB x d query values, then QB norms, then QB limits */
    for (size_t g = 0; g < groups; g++) {
        double *gv = qv + g * QB * (d + 2), *qn = gv + QB * d, *limit = qn + QB;
        size_t nqb = nb - g * QB < QB ? nb - g * QB : QB;
        for (size_t b = 0; b < QB; b++) {
            /* unused slots repeat the last query; never offered, no candidates */
            size_t src = q0 + g * QB + (b < nqb ? b : nqb - 1);
            qn[b] = 0;
            for (size_t j = 0; j < d; j++) {
                gv[b * d + j] = q[j * nq + src];
                qn[b] += gv[b * d + j] * gv[b * d + j];
            }
            limit[b] = b < nqb ? INFINITY : -INFINITY;
        }
    }
    size_t bp = block_panels(d);
    for (size_t p0 = 0; p0 < np; p0 += bp) {
        size_t p1 = p0 + bp < np ? p0 + bp : np;
        for (size_t g = 0; g < groups; g++) {
            double *gv = qv + g * QB * (d + 2), *qn = gv + QB * d, *limit = qn + QB;
            size_t nqb = nb - g * QB < QB ? nb - g * QB : QB;
            struct knn_heap heaps[QB];
            for (size_t b = 0; b < nqb; b++) {
                size_t i = g * QB + b;
                heaps[b] = (struct knn_heap){k, size[i], out_rank + i * k, out_index + i * k};
            }
            if (m->kind == KNN_EUCLIDEAN)
                brute_euclidean(panels, n, d, p0, p1, gv, qn, limit, nqb, heaps);
            else
                brute_direct(panels, n, d, p0, p1, gv, nqb, m, heaps);
            for (size_t b = 0; b < nqb; b++)
                size[g * QB + b] = heaps[b].size;
        }
    }
    for (size_t i = 0; i < nb; i++) {
        struct knn_heap h = {k, size[i], out_rank + i * k, out_index + i * k};
        tune_knn_heap_sort(&h);
    }
    free(qv);
    free(size);
    return 1;
}

/* ---- k-d tree -------------------------------------------------------------- */

struct kd_node {
    size_t start, end;   /* rows [start, end) in tree order */
    size_t left, right;  /* children, 0 for a leaf (node 0 is the root) */
};

struct knn_kdtree {
    size_t n, d, leaf_size;
    double *pts;         /* n x d row-major, tree order */
    size_t *idx;         /* tree order -> training row */
    struct kd_node *nodes;
    size_t n_nodes, cap;
    double *lo, *hi;     /* n_nodes x d bounding boxes */
};

void tune_knn_kdtree_free(struct knn_kdtree *t)
{
    if (!t)
        return;
    free(t->pts);
    free(t->idx);
    free(t->nodes);
    free(t->lo);
    free(t->hi);
    free(t);
}

static void swap_rows(struct knn_kdtree *t, size_t a, size_t b)
{
    if (a == b)
        return;
    size_t d = t->d;
    for (size_t j = 0; j < d; j++) {
        double v = t->pts[a * d + j];
        t->pts[a * d + j] = t->pts[b * d + j];
        t->pts[b * d + j] = v;
    }
    size_t i = t->idx[a];
    t->idx[a] = t->idx[b];
    t->idx[b] = i;
}

/* Quickselect rows [lo, hi) on column j so that row `nth` holds the value
 * it would have sorted, smaller-or-equal values before it: three-way
 * partitions (Dijkstra's Dutch flag), so runs of equal values, common in
 * real data, cost one pass; pivot the median of first, middle and last. */
static void select_nth(struct knn_kdtree *t, size_t lo, size_t hi, size_t nth, size_t j)
{
    size_t d = t->d;
    while (hi - lo > 1) {
        double a = t->pts[lo * d + j], b = t->pts[(lo + (hi - lo) / 2) * d + j],
               c = t->pts[(hi - 1) * d + j];
        double pivot = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
        size_t lt = lo, i = lo, gt = hi;   /* [lo,lt) < p, [lt,i) = p, [gt,hi) > p */
        while (i < gt) {
            double v = t->pts[i * d + j];
            if (v < pivot)
                swap_rows(t, lt++, i++);
            else if (v > pivot)
                swap_rows(t, i, --gt);
            else
                i++;
        }
        if (nth < lt)
            hi = lt;
        else if (nth >= gt)
            lo = gt;
        else
            return;
    }
}

static int add_node(struct knn_kdtree *t, size_t start, size_t end, size_t *out)
{
    if (t->n_nodes == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        struct kd_node *nodes = realloc(t->nodes, cap * sizeof *nodes);
        if (!nodes)
            return 0;
        t->nodes = nodes;
        double *lo = realloc(t->lo, cap * t->d * sizeof *lo);
        if (!lo)
            return 0;
        t->lo = lo;
        double *hi = realloc(t->hi, cap * t->d * sizeof *hi);
        if (!hi)
            return 0;
        t->hi = hi;
        t->cap = cap;
    }
    size_t id = t->n_nodes++, d = t->d;
    t->nodes[id] = (struct kd_node){start, end, 0, 0};
    double *lo = t->lo + id * d, *hi = t->hi + id * d;
    for (size_t j = 0; j < d; j++) {
        lo[j] = INFINITY;
        hi[j] = -INFINITY;
    }
    for (size_t i = start; i < end; i++)
        for (size_t j = 0; j < d; j++) {
            double v = t->pts[i * d + j];
            lo[j] = v < lo[j] ? v : lo[j];
            hi[j] = v > hi[j] ? v : hi[j];
        }
    *out = id;
    return 1;
}

static int build(struct knn_kdtree *t, size_t id)
{
    size_t start = t->nodes[id].start, end = t->nodes[id].end, d = t->d;
    if (end - start <= t->leaf_size)
        return 1;
    size_t split = 0;
    double spread = -1;
    for (size_t j = 0; j < d; j++) {
        double s = t->hi[id * d + j] - t->lo[id * d + j];
        if (s > spread) {
            spread = s;
            split = j;
        }
    }
    if (!(spread > 0))
        return 1;   /* every row identical: one leaf */
    size_t mid = start + (end - start) / 2;
    select_nth(t, start, end, mid, split);
    size_t left, right;
    if (!add_node(t, start, mid, &left) || !add_node(t, mid, end, &right))
        return 0;
    t->nodes[id].left = left;
    t->nodes[id].right = right;
    return build(t, left) && build(t, right);
}

struct knn_kdtree *tune_knn_kdtree_build(const double *train, size_t n, size_t d,
                                         size_t leaf_size)
{
    struct knn_kdtree *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->n = n;
    t->d = d;
    t->leaf_size = leaf_size ? leaf_size : 1;
    t->pts = malloc((n * d + 1) * sizeof *t->pts);
    t->idx = malloc((n + 1) * sizeof *t->idx);
    if (!t->pts || !t->idx)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        t->idx[i] = i;
        for (size_t j = 0; j < d; j++)
            t->pts[i * d + j] = train[j * n + i];
    }
    size_t root;
    if (!add_node(t, 0, n, &root) || !build(t, root))
        goto fail;
    return t;
fail:
    tune_knn_kdtree_free(t);
    return NULL;
}

struct kd_query {
    const struct knn_kdtree *t;
    const double *q;
    const struct knn_metric_def *m;
    struct knn_heap *h;
};

/* Lower bound of the rank of any row in the node's box. */
static double box_bound(const struct kd_query *s, size_t id)
{
    size_t d = s->t->d;
    const double *lo = s->t->lo + id * d, *hi = s->t->hi + id * d;
    double b = 0;
    for (size_t j = 0; j < d; j++) {
        double qj = s->q[j];
        double gap = qj < lo[j] ? lo[j] - qj : qj > hi[j] ? qj - hi[j] : 0.0;
        switch (s->m->kind) {
        case KNN_EUCLIDEAN:
            b += gap * gap;
            break;
        case KNN_MANHATTAN:
            b += gap;
            break;
        case KNN_MINKOWSKI:
            b += pow(gap, s->m->p);
            break;
        }
    }
    return s->m->kind == KNN_MINKOWSKI ? b * (1 - 1e-12) : b;
}

static double row_rank(const struct kd_query *s, const double *x)
{
    size_t d = s->t->d;
    double r = 0;
    for (size_t j = 0; j < d; j++) {
        double e = x[j] - s->q[j];
        switch (s->m->kind) {
        case KNN_EUCLIDEAN:
            r += e * e;
            break;
        case KNN_MANHATTAN:
            r += fabs(e);
            break;
        case KNN_MINKOWSKI:
            r += pow(fabs(e), s->m->p);
            break;
        }
    }
    return r;
}

/* A node may hold a better row unless its bound is above the k-th rank. */
static int worth_visiting(const struct kd_query *s, double bound)
{
    return s->h->size < s->h->k || !(bound > s->h->rank[0]);
}

static void search(const struct kd_query *s, size_t id)
{
    const struct kd_node *nd = &s->t->nodes[id];
    if (nd->left == 0) {
        size_t d = s->t->d;
        for (size_t i = nd->start; i < nd->end; i++)
            heap_offer(s->h, row_rank(s, s->t->pts + i * d), s->t->idx[i]);
        return;
    }
    double bl = box_bound(s, nd->left), br = box_bound(s, nd->right);
    size_t first = nd->left, second = nd->right;
    double bf = bl, bs = br;
    if (br < bl) {
        first = nd->right;
        second = nd->left;
        bf = br;
        bs = bl;
    }
    if (worth_visiting(s, bf))
        search(s, first);
    if (worth_visiting(s, bs))
        search(s, second);
}

int tune_knn_kdtree_query(const struct knn_kdtree *t, const double *q, size_t nq, size_t q0,
                          size_t q1, size_t k, const struct knn_metric_def *m, double *out_rank,
                          size_t *out_index)
{
    double *work = malloc((t->d + 1) * sizeof *work);
    if (!work)
        return 0;
    for (size_t i = q0; i < q1; i++) {
        for (size_t j = 0; j < t->d; j++)
            work[j] = q[j * nq + i];
        struct knn_heap h = {k, 0, out_rank + (i - q0) * k, out_index + (i - q0) * k};
        struct kd_query s = {t, work, m, &h};
        if (t->n > 0)
            search(&s, 0);
        tune_knn_heap_sort(&h);
    }
    free(work);
    return 1;
}

/* ---- the training rows back (saving a model) ---------------------------- */

void tune_knn_panels_rows(const double *panels, size_t n, size_t d, double *x)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            x[j * n + i] = panels[((i / PANEL) * d + j) * PANEL + i % PANEL];
}

size_t tune_knn_kdtree_rows(const struct knn_kdtree *t, double *x)
{
    for (size_t i = 0; i < t->n; i++)
        for (size_t j = 0; j < t->d; j++)
            x[j * t->n + t->idx[i]] = t->pts[i * t->d + j];
    return t->leaf_size;
}
