/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fanova.c — functional ANOVA over the trees of a random forest (fanova.h).
 *
 * How one tree is decomposed, exactly (Hutter, Hoos & Leyton-Brown 2014,
 * section 3.2, computed with difference arrays instead of their recursion):
 *
 * 1. Walk the tree from the root with the box [lo, hi]: each split cuts the
 *    box of its node at the threshold (left: x <= t, right: x > t), so every
 *    leaf owns a box B_l and a value v_l.  Its weight w_l is its volume as a
 *    share of the whole box; a leaf whose box is empty (a threshold outside
 *    the box) weighs nothing and is dropped.  Mean m = sum w_l v_l, variance
 *    V = sum w_l (v_l - m)^2.
 * 2. The marginal over column i, a_i(x) = the tree's mean over the other
 *    columns, is constant between consecutive edges of the leaves' boxes on
 *    column i.  A leaf adds v_l * w_l / f_li (f_li: the share of column i's
 *    range its box spans) to every cell its box covers on column i: a
 *    difference array (add at the first cell, subtract past the last)
 *    summed once gives a_i on every cell in O(leaves + cells).
 *    V_i = sum over cells of (cell length share) (a_i - m)^2.
 * 3. The same in two dimensions for a pair (i, j): a leaf adds
 *    v_l w_l / (f_li f_lj) to the rectangle of cells it covers (four corners
 *    of a 2-D difference array, then prefix sums along both axes).
 *
 * A pair's cost is its cells, at most (leaves + 1)^2 when every split of
 * the tree is on i or j, usually far fewer: a 2,000-trial study's trees
 * have about 1,300 leaves, and two columns that share them get about
 * 650 x 650 cells.  Limits: each tree must hold one value per leaf
 * (regression); columns are independent and uniform over the box, which is
 * how fANOVA defines importance (a log-scale parameter is uniform in its
 * logarithm when its column holds the logarithm). */
#include "fanova.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The leaves of one tree as boxes. */
struct leaves {
    size_t d, n, cap;
    double *lo, *hi;       /* n x d, a leaf's bounds together */
    double *value, *weight;
};

static void leaves_release(struct leaves *L)
{
    free(L->lo);
    free(L->hi);
    free(L->value);
    free(L->weight);
    memset(L, 0, sizeof *L);
}

static int leaves_push(struct leaves *L, const double *blo, const double *bhi, double v,
                       double w)
{
    if (L->n == L->cap) {
        size_t cap = L->cap ? 2 * L->cap : 64;
        double *lo = realloc(L->lo, cap * L->d * sizeof *lo);
        if (lo)
            L->lo = lo;
        double *hi = lo ? realloc(L->hi, cap * L->d * sizeof *hi) : NULL;
        if (hi)
            L->hi = hi;
        double *val = hi ? realloc(L->value, cap * sizeof *val) : NULL;
        if (val)
            L->value = val;
        double *wt = val ? realloc(L->weight, cap * sizeof *wt) : NULL;
        if (!wt)
            return TUNE_ENOMEM;
        L->weight = wt;
        L->cap = cap;
    }
    memcpy(L->lo + L->n * L->d, blo, L->d * sizeof *blo);
    memcpy(L->hi + L->n * L->d, bhi, L->d * sizeof *bhi);
    L->value[L->n] = v;
    L->weight[L->n] = w;
    L->n++;
    return TUNE_OK;
}

/* Step 1: the leaves under node reference k within the box [blo, bhi]. */
static int walk(const struct tune_tree *t, uint32_t k, double *blo, double *bhi,
                const double *lo, const double *hi, struct leaves *L)
{
    if (k & TUNE_NODE_LEAF) {
        double w = 1;
        for (size_t j = 0; j < L->d; j++)
            w *= (bhi[j] - blo[j]) / (hi[j] - lo[j]);
        if (!(w > 0))
            return TUNE_OK;
        return leaves_push(L, blo, bhi, t->value[(size_t)(k & ~TUNE_NODE_LEAF) * t->n_out], w);
    }
    const struct tune_node *nd = &t->nodes[k];
    size_t f = TUNE_NODE_FEATURE(nd->feature);
    double thr = tune_node_threshold(nd);
    if (f >= L->d)
        return TUNE_EINVAL;
    int rc = TUNE_OK;
    double keep = bhi[f];
    bhi[f] = fmin(keep, thr);
    if (bhi[f] > blo[f])
        rc = walk(t, nd->child[0], blo, bhi, lo, hi, L);
    bhi[f] = keep;
    if (rc)
        return rc;
    keep = blo[f];
    blo[f] = fmax(keep, thr);
    if (bhi[f] > blo[f])
        rc = walk(t, nd->child[1], blo, bhi, lo, hi, L);
    blo[f] = keep;
    return rc;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The distinct edges of the leaves' boxes on column i, the box's ends
 * included, ascending, into e (capacity 2 n + 2); returns their count. */
static size_t edges_of(const struct leaves *L, size_t i, double lo, double hi, double *e)
{
    size_t m = 0;
    e[m++] = lo;
    e[m++] = hi;
    for (size_t l = 0; l < L->n; l++) {
        e[m++] = L->lo[l * L->d + i];
        e[m++] = L->hi[l * L->d + i];
    }
    qsort(e, m, sizeof *e, cmp_double);
    size_t u = 0;
    for (size_t k = 0; k < m; k++)
        if (u == 0 || e[k] != e[u - 1])
            e[u++] = e[k];
    return u;
}

/* The index of the last edge <= v (0 below the first; ne - 2 at or past
 * the last, so that it names a cell). */
static size_t cell_of(const double *e, size_t ne, double v)
{
    size_t a = 0, b = ne - 1; /* e[a] <= v < e[b] once inside */
    if (!(v > e[0]))
        return 0;
    if (v >= e[ne - 1])
        return ne - 2;
    while (b - a > 1) {
        size_t mid = a + (b - a) / 2;
        if (e[mid] <= v)
            a = mid;
        else
            b = mid;
    }
    return a;
}

/* The index of edge v, which is one of e's values. */
static size_t edge_index(const double *e, size_t ne, double v)
{
    size_t a = 0, b = ne;
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        if (e[mid] < v)
            a = mid + 1;
        else
            b = mid;
    }
    return a;
}

/* Step 2: V_i of one tree. */
static double main_variance(const struct leaves *L, size_t i, const double *e, size_t ne,
                            double span, double mean, double *diff)
{
    memset(diff, 0, ne * sizeof *diff);
    for (size_t l = 0; l < L->n; l++) {
        double a = L->lo[l * L->d + i], b = L->hi[l * L->d + i];
        double c = L->value[l] * L->weight[l] / ((b - a) / span);
        diff[edge_index(e, ne, a)] += c;
        diff[edge_index(e, ne, b)] -= c;
    }
    double acc = 0, var = 0;
    for (size_t c = 0; c + 1 < ne; c++) {
        acc += diff[c];
        var += (e[c + 1] - e[c]) / span * (acc - mean) * (acc - mean);
    }
    return var;
}

/* Step 3: the marginal over (i, j) on the cells of edges ei x ej, into g
 * (ni x nj; cell (p, q) at g[p * nj + q] for p < ni - 1, q < nj - 1). */
static void pair_cells(const struct leaves *L, size_t i, size_t j, const double *ei, size_t ni,
                       const double *ej, size_t nj, double spi, double spj, double *g)
{
    memset(g, 0, ni * nj * sizeof *g);
    for (size_t l = 0; l < L->n; l++) {
        const double *lo = L->lo + l * L->d, *hi = L->hi + l * L->d;
        double c = L->value[l] * L->weight[l] / ((hi[i] - lo[i]) / spi * ((hi[j] - lo[j]) / spj));
        size_t p0 = edge_index(ei, ni, lo[i]), p1 = edge_index(ei, ni, hi[i]);
        size_t q0 = edge_index(ej, nj, lo[j]), q1 = edge_index(ej, nj, hi[j]);
        g[p0 * nj + q0] += c;
        g[p0 * nj + q1] -= c;
        g[p1 * nj + q0] -= c;
        g[p1 * nj + q1] += c;
    }
    for (size_t p = 0; p < ni; p++)
        for (size_t q = 1; q < nj; q++)
            g[p * nj + q] += g[p * nj + q - 1];
    for (size_t p = 1; p < ni; p++)
        for (size_t q = 0; q < nj; q++)
            g[p * nj + q] += g[(p - 1) * nj + q];
}

static double pair_variance(const double *g, const double *ei, size_t ni, const double *ej,
                            size_t nj, double spi, double spj, double mean)
{
    double var = 0;
    for (size_t p = 0; p + 1 < ni; p++) {
        double wi = (ei[p + 1] - ei[p]) / spi, row = 0;
        for (size_t q = 0; q + 1 < nj; q++) {
            double dv = g[p * nj + q] - mean;
            row += (ej[q + 1] - ej[q]) / spj * dv * dv;
        }
        var += wi * row;
    }
    return var;
}

/* Scratch shared by the trees of one call. */
struct work {
    struct leaves L;
    double *blo, *bhi;     /* d: the walk's box */
    double *ea, *eb;       /* edges of two columns: 2 n + 2 each */
    size_t ea_cap, eb_cap;
    double *grid;          /* pair cells, or the main effect's difference array */
    size_t grid_cap;
};

static void work_release(struct work *w)
{
    leaves_release(&w->L);
    free(w->blo);
    free(w->bhi);
    free(w->ea);
    free(w->eb);
    free(w->grid);
}

static int reserve(double **p, size_t *cap, size_t need)
{
    if (need <= *cap)
        return TUNE_OK;
    double *q = realloc(*p, need * sizeof *q);
    if (!q)
        return TUNE_ENOMEM;
    *p = q;
    *cap = need;
    return TUNE_OK;
}

/* Step 1 for tree t into w->L, with the mean and variance. */
static int tree_leaves(const struct tune_tree *t, const double *lo, const double *hi, size_t d,
                       struct work *w, double *mean, double *var)
{
    if (t->n_out != 1)
        return TUNE_EINVAL;
    w->L.d = d;
    w->L.n = 0;
    memcpy(w->blo, lo, d * sizeof *lo);
    memcpy(w->bhi, hi, d * sizeof *hi);
    int rc = walk(t, t->root, w->blo, w->bhi, lo, hi, &w->L);
    if (rc)
        return rc;
    size_t need = 2 * w->L.n + 2;
    if (reserve(&w->ea, &w->ea_cap, need) || reserve(&w->eb, &w->eb_cap, need))
        return TUNE_ENOMEM;
    double m = 0, s = 0, total = 0;
    for (size_t l = 0; l < w->L.n; l++) {
        m += w->L.weight[l] * w->L.value[l];
        total += w->L.weight[l];
    }
    m /= total; /* 1 up to rounding */
    for (size_t l = 0; l < w->L.n; l++)
        s += w->L.weight[l] * (w->L.value[l] - m) * (w->L.value[l] - m);
    *mean = m;
    *var = s / total;
    return TUNE_OK;
}

static int work_init(struct work *w, size_t d)
{
    memset(w, 0, sizeof *w);
    w->blo = malloc((d + 1) * sizeof *w->blo);
    w->bhi = malloc((d + 1) * sizeof *w->bhi);
    return w->blo && w->bhi ? TUNE_OK : TUNE_ENOMEM;
}

static int fail(int rc, struct tune_error *err)
{
    return rc == TUNE_EINVAL
               ? tune_error_set(err, TUNE_EINVAL, "fANOVA: a tree is not a regression tree "
                                                  "over the box's columns")
               : tune_error_set(err, TUNE_ENOMEM, "fANOVA: out of memory");
}

void tune_fanova_release(struct tune_fanova *f)
{
    if (!f)
        return;
    free(f->main);
    free(f->joint);
    free(f->interaction);
    memset(f, 0, sizeof *f);
}

int tune_fanova_compute(const struct tune_tree *const *trees, size_t n_trees, const double *lo,
                        const double *hi, size_t d, const size_t *pairs, size_t n_pairs,
                        struct tune_fanova *out, struct tune_error *err)
{
    memset(out, 0, sizeof *out);
    out->d = d;
    out->n_pairs = n_pairs;
    out->main = calloc(d + 1, sizeof *out->main);
    out->joint = calloc(n_pairs + 1, sizeof *out->joint);
    out->interaction = calloc(n_pairs + 1, sizeof *out->interaction);
    double *vi = calloc(d + 1, sizeof *vi);
    struct work w;
    int rc = work_init(&w, d);
    if (!out->main || !out->joint || !out->interaction || !vi)
        rc = TUNE_ENOMEM;
    for (size_t t = 0; rc == TUNE_OK && t < n_trees; t++) {
        double mean, var;
        if ((rc = tree_leaves(trees[t], lo, hi, d, &w, &mean, &var)))
            break;
        if (!(var > 0))
            continue; /* a constant tree says nothing about importance */
        out->n_trees++;
        for (size_t i = 0; i < d; i++) {
            size_t ne = edges_of(&w.L, i, lo[i], hi[i], w.ea);
            if ((rc = reserve(&w.grid, &w.grid_cap, ne)))
                break;
            vi[i] = main_variance(&w.L, i, w.ea, ne, hi[i] - lo[i], mean, w.grid);
            out->main[i] += vi[i] / var;
        }
        for (size_t k = 0; rc == TUNE_OK && k < n_pairs; k++) {
            size_t i = pairs[2 * k], j = pairs[2 * k + 1];
            if (i >= d || j >= d || i == j) {
                rc = TUNE_EINVAL;
                break;
            }
            size_t ni = edges_of(&w.L, i, lo[i], hi[i], w.ea);
            size_t nj = edges_of(&w.L, j, lo[j], hi[j], w.eb);
            if ((rc = reserve(&w.grid, &w.grid_cap, ni * nj)))
                break;
            pair_cells(&w.L, i, j, w.ea, ni, w.eb, nj, hi[i] - lo[i], hi[j] - lo[j], w.grid);
            double vij = pair_variance(w.grid, w.ea, ni, w.eb, nj, hi[i] - lo[i], hi[j] - lo[j],
                                       mean);
            out->joint[k] += vij / var;
            out->interaction[k] += fmax(0, vij - vi[i] - vi[j]) / var;
        }
    }
    free(vi);
    work_release(&w);
    if (rc) {
        tune_fanova_release(out);
        return fail(rc, err);
    }
    for (size_t i = 0; out->n_trees && i < d; i++)
        out->main[i] /= (double)out->n_trees;
    for (size_t k = 0; out->n_trees && k < n_pairs; k++) {
        out->joint[k] /= (double)out->n_trees;
        out->interaction[k] /= (double)out->n_trees;
    }
    return TUNE_OK;
}

int tune_fanova_pair_marginal(const struct tune_tree *const *trees, size_t n_trees,
                              const double *lo, const double *hi, size_t d, size_t i, size_t j,
                              const double *xs, size_t nx, const double *ys, size_t ny,
                              double *out, struct tune_error *err)
{
    struct work w;
    int rc = work_init(&w, d);
    size_t *cx = malloc((nx + 1) * sizeof *cx), *cy = malloc((ny + 1) * sizeof *cy);
    if (!cx || !cy)
        rc = TUNE_ENOMEM;
    if (i >= d || j >= d || i == j)
        rc = TUNE_EINVAL;
    memset(out, 0, nx * ny * sizeof *out);
    for (size_t t = 0; rc == TUNE_OK && t < n_trees; t++) {
        double mean, var;
        if ((rc = tree_leaves(trees[t], lo, hi, d, &w, &mean, &var)))
            break;
        size_t ni = edges_of(&w.L, i, lo[i], hi[i], w.ea);
        size_t nj = edges_of(&w.L, j, lo[j], hi[j], w.eb);
        if ((rc = reserve(&w.grid, &w.grid_cap, ni * nj)))
            break;
        pair_cells(&w.L, i, j, w.ea, ni, w.eb, nj, hi[i] - lo[i], hi[j] - lo[j], w.grid);
        for (size_t a = 0; a < nx; a++)
            cx[a] = cell_of(w.ea, ni, xs[a]);
        for (size_t b = 0; b < ny; b++)
            cy[b] = cell_of(w.eb, nj, ys[b]);
        for (size_t a = 0; a < nx; a++)
            for (size_t b = 0; b < ny; b++)
                out[a * ny + b] += w.grid[cx[a] * nj + cy[b]];
    }
    for (size_t k = 0; rc == TUNE_OK && n_trees && k < nx * ny; k++)
        out[k] /= (double)n_trees;
    free(cx);
    free(cy);
    work_release(&w);
    return rc ? fail(rc, err) : TUNE_OK;
}
