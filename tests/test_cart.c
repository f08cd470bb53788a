/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_cart.c — the CART grower (trainers/cart.c; internal API from
 * trainers/tree_common.h) checked against its definition by brute force.
 *
 * Every grown tree is walked with the training rows.  At each inner node,
 * every candidate split of every column is enumerated naively (sort the
 * node's values, try each boundary between distinct values, missing values
 * on either side, and "every value left, missing right"); the chosen split
 * must reach the largest weighted impurity decrease (when every column is
 * drawn), leave min_samples_leaf rows on each side, and put its threshold
 * halfway between the two values it separates.  Each leaf must hold its
 * rows' weighted class shares or mean, to the bit, and (unlimited trees)
 * be pure or impossible to split.  The importances must add up to the
 * decreases of the inner nodes.  Data: ties, missing values, a constant and
 * an all-missing column, bootstrap weights, class weights, every criterion.
 * Also: the rank table, and leaves sharing value blocks. */
#include "testutil.h"

#include <gsl/gsl_rng.h>

#include "../trainers/tree_common.h"

/* Columns: 0 continuous; 1 a few distinct values (ties); 2 continuous with
 * 15% missing; 3 constant; 4 all missing; 5 rounded to 0.01 (many ties). */
enum { D = 6, N = 2500 };

static double uniform(uint64_t *s)
{
    *s = *s * 6364136223846793005u + 1442695040888963407u;
    return (double)(*s >> 11) * 0x1.0p-53;
}

static void make_x(double *x, size_t n, uint64_t seed)
{
    uint64_t s = seed;
    for (size_t i = 0; i < n; i++) {
        x[i] = uniform(&s) * 4 - 2;
        x[n + i] = floor(uniform(&s) * 5);
        x[2 * n + i] = uniform(&s) < 0.15 ? NAN : uniform(&s) * 10;
        x[3 * n + i] = 7.0;
        x[4 * n + i] = NAN;
        x[5 * n + i] = round(uniform(&s) * 3000) / 100;
    }
}

/* Bootstrap counts: n draws with replacement. */
static void bootstrap(uint32_t *count, size_t n, uint64_t seed)
{
    uint64_t s = seed;
    memset(count, 0, n * sizeof *count);
    for (size_t i = 0; i < n; i++)
        count[(size_t)(uniform(&s) * (double)n)]++;
}

struct oracle {
    const struct tune_cart_data *data;
    const struct tune_cart_params *p;
    const uint32_t *count;
    const struct tune_tree *tree;
    int optimal;            /* every column drawn: the split must be the best */
    double decrease_sum;    /* over the inner nodes */
};

static double weight(const struct oracle *o, size_t i)
{
    const struct tune_cart_data *d = o->data;
    double w = o->count ? (double)o->count[i] : 1.0;
    return d->k && d->class_weight ? w * d->class_weight[d->cls[i]] : w;
}

/* Weighted statistics of rows[0..m), added in the order given:
 * s[0] = W; classification s[1 + c]; regression s[1] = sum w y, s[2] = sum w y^2. */
static void stats(const struct oracle *o, const uint32_t *rows, size_t m, double *s)
{
    const struct tune_cart_data *d = o->data;
    memset(s, 0, (d->k ? d->k + 1 : 3) * sizeof *s);
    for (size_t q = 0; q < m; q++) {
        size_t i = rows[q];
        double w = weight(o, i);
        s[0] += w;
        if (d->k) {
            s[1 + d->cls[i]] += w;
        } else {
            s[1] += w * d->y[i];
            s[2] += w * d->y[i] * d->y[i];
        }
    }
}

static double impurity(const struct oracle *o, const double *s)
{
    const struct tune_cart_data *d = o->data;
    if (!(s[0] > 0))
        return 0;
    if (!d->k) {
        double mean = s[1] / s[0], v = s[2] / s[0] - mean * mean;
        return v > 0 ? v : 0;
    }
    double acc = 0;
    for (size_t c = 0; c < d->k; c++) {
        double p = s[1 + c] / s[0];
        acc += o->p->criterion == TUNE_CART_GINI ? p * p : p > 0 ? -p * log2(p) : 0;
    }
    return o->p->criterion == TUNE_CART_GINI ? 1 - acc : acc;
}

/* Rows rows[0..m) with go[q] into *l (*nl of them), the others into *r
 * (the caller frees both). */
static void split_rows(const uint32_t *rows, size_t m, const uint8_t *go, uint32_t **l,
                       size_t *nl, uint32_t **r, size_t *nr)
{
    *l = malloc((m + 1) * sizeof **l);
    *r = malloc((m + 1) * sizeof **r);
    *nl = *nr = 0;
    for (size_t q = 0; q < m; q++) {
        if (go[q])
            (*l)[(*nl)++] = rows[q];
        else
            (*r)[(*nr)++] = rows[q];
    }
}

/* W imp - W_L imp_L - W_R imp_R of splitting rows into left flags go[]. */
static double decrease(const struct oracle *o, const uint32_t *rows, size_t m,
                       const uint8_t *go, size_t *n_left)
{
    uint32_t *l, *r;
    size_t nl, nr;
    split_rows(rows, m, go, &l, &nl, &r, &nr);
    double s[8], sl[8], sr[8];
    stats(o, rows, m, s);
    stats(o, l, nl, sl);
    stats(o, r, nr, sr);
    free(l);
    free(r);
    *n_left = nl;
    return s[0] * impurity(o, s) - sl[0] * impurity(o, sl) - sr[0] * impurity(o, sr);
}

/* qsort's comparison of two rows by their value in g_col, NaN last. */
static const double *g_col;
static int cmp_rows(const void *a, const void *b)
{
    double x = g_col[*(const uint32_t *)a], y = g_col[*(const uint32_t *)b];
    if (isnan(x) || isnan(y))
        return isnan(x) - isnan(y);
    return (x > y) - (x < y);
}

/* The best decrease over every valid split of rows[0..m) (-INFINITY: none). */
static double best_decrease(const struct oracle *o, const uint32_t *rows, size_t m)
{
    const struct tune_cart_data *d = o->data;
    size_t msl = o->p->min_samples_leaf;
    uint32_t *sr = malloc((m + 1) * sizeof *sr);
    uint8_t *go = malloc(m + 1);
    double best = -INFINITY;
    for (size_t j = 0; j < d->d; j++) {
        const double *v = d->x + j * d->n;
        memcpy(sr, rows, m * sizeof *sr);
        g_col = v;
        qsort(sr, m, sizeof *sr, cmp_rows);
        size_t nv = 0;
        while (nv < m && !isnan(v[sr[nv]]))
            nv++;
        /* Boundaries after position b (values), missing right then left;
         * b = nv - 1 with missing right: every value left. */
        for (size_t b = 0; b < nv; b++) {
            if (b + 1 < nv && v[sr[b]] == v[sr[b + 1]])
                continue;
            for (int miss_left = 0; miss_left < 2; miss_left++) {
                if (b + 1 == nv && (miss_left || nv == m))
                    continue;
                for (size_t q = 0; q < m; q++)
                    go[q] = q <= b || (q >= nv && miss_left);
                size_t nl;
                double dec = decrease(o, sr, m, go, &nl);
                if (nl >= msl && m - nl >= msl && nl > 0 && nl < m && dec > best)
                    best = dec;
                if (nv == m)
                    break;  /* no missing value: one side only */
            }
        }
    }
    free(sr);
    free(go);
    return best;
}

/* Check the subtree of reference `ref` (an inner node or a leaf) reached by
 * rows[0..m). */
static void walk(struct oracle *o, uint32_t ref, const uint32_t *rows, size_t m, size_t depth)
{
    const struct tune_cart_data *d = o->data;
    uint32_t node = ref & ~TUNE_NODE_LEAF;
    double s[8];
    stats(o, rows, m, s);
    cr_assert_gt(m, 0, "node %x has no rows", ref);
    if (ref & TUNE_NODE_LEAF) {
        const double *v = o->tree->value + (size_t)node * o->tree->n_out;
        if (d->k) {
            for (size_t c = 0; c < d->k; c++)
                cr_assert_eq(v[c], s[1 + c] / s[0], "leaf %u class %zu", node, c);
        } else {
            cr_assert_eq(v[0], s[1] / s[0], "leaf %u", node);
        }
        if (!o->p->max_depth && o->p->min_samples_split <= 2 && o->optimal)
            cr_assert(impurity(o, s) <= 1e-12 || best_decrease(o, rows, m) <= 1e-9 * s[0],
                      "leaf %u (%zu rows) could still be split", node, m);
        return;
    }
    const struct tune_node *nd = &o->tree->nodes[node];
    double threshold = tune_node_threshold(nd);
    if (o->p->max_depth)
        cr_assert_lt(depth, o->p->max_depth, "node %u below the depth limit", node);
    size_t j = TUNE_NODE_FEATURE(nd->feature);
    cr_assert_lt(j, d->d);
    const double *v = d->x + j * d->n;
    int miss_left = (nd->feature & TUNE_NODE_MISSING_LEFT) != 0;
    uint8_t *go = malloc(m + 1);
    double lo = -INFINITY, hi = INFINITY;
    for (size_t q = 0; q < m; q++) {
        double x = v[rows[q]];
        go[q] = isnan(x) ? (uint8_t)miss_left : x <= threshold;
        if (!isnan(x) && go[q] && x > lo)
            lo = x;
        if (!isnan(x) && !go[q] && x < hi)
            hi = x;
    }
    /* The threshold: halfway between the values it separates (the lower
     * one when the midpoint rounds up), or +inf for "values left". */
    if (isinf(hi)) {
        cr_assert(isinf(threshold) && threshold > 0, "node %u", node);
    } else {
        double mid = lo / 2 + hi / 2;
        cr_assert_eq(threshold, mid == hi ? lo : mid, "node %u: threshold %.17g, values "
                     "%.17g and %.17g", node, threshold, lo, hi);
    }
    size_t nl;
    double dec = decrease(o, rows, m, go, &nl);
    o->decrease_sum += dec;
    cr_assert(nl >= o->p->min_samples_leaf && m - nl >= o->p->min_samples_leaf,
              "node %u: %zu rows left, %zu right", node, nl, m - nl);
    cr_assert_geq(m, o->p->min_samples_split);
    if (o->optimal) {
        double best = best_decrease(o, rows, m);
        cr_assert(dec >= best - 1e-9 * fabs(best), "node %u: decrease %.17g, best %.17g", node,
                  dec, best);
    }
    uint32_t *l, *r;
    size_t a, b;
    split_rows(rows, m, go, &l, &a, &r, &b);
    free(go);
    walk(o, nd->child[0], l, a, depth + 1);
    walk(o, nd->child[1], r, b, depth + 1);
    free(l);
    free(r);
}

/* Grow a tree on data with the given parameters and check it. */
static void grow_and_check(const struct tune_cart_data *base, const struct tune_cart_params *p,
                           const uint32_t *count, uint64_t seed)
{
    size_t n = base->n, d = base->d;
    struct tune_cart_data data = *base;
    uint32_t *rank = tune_cart_rank(NULL, base->x, n, d);
    cr_assert_not_null(rank);
    data.rank = rank;
    struct tune_cart_work *w = tune_cart_work_new(&data);
    cr_assert_not_null(w);
    struct tune_tree t = {0};
    double imp[D] = {0};
    gsl_rng *rng = tune_tree_rng(seed, 1);
    cr_assert_eq(tune_cart_grow(&data, p, count, rng, w, &t, imp), TUNE_OK);
    cr_assert_gt(t.n_nodes, 3, "the case should grow a real tree");

    struct oracle o = {&data, p, count, &t, p->max_features == d, 0};
    uint32_t *rows = malloc(n * sizeof *rows);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!count || count[i] > 0)
            rows[m++] = (uint32_t)i;
    walk(&o, t.root, rows, m, 0);
    double sum = 0;
    for (size_t j = 0; j < d; j++)
        sum += imp[j];
    assert_close(sum, o.decrease_sum, 1e-9 * o.decrease_sum);
    cr_assert_eq(imp[3], 0.0, "a constant column never splits");
    cr_assert_eq(imp[4], 0.0, "an all-missing column never splits");

    /* The same seed grows the same tree. */
    struct tune_tree t2 = {0};
    gsl_rng_free(rng);
    rng = tune_tree_rng(seed, 1);
    cr_assert_eq(tune_cart_grow(&data, p, count, rng, w, &t2, NULL), TUNE_OK);
    cr_assert_eq(t2.n_nodes, t.n_nodes);
    cr_assert_arr_eq(t2.nodes, t.nodes, t.n_nodes * sizeof *t.nodes);

    free(rows);
    gsl_rng_free(rng);
    tune_tree_release(&t);
    tune_tree_release(&t2);
    tune_cart_work_free(w);
    free(rank);
}

Test(cart, classification_trees_follow_the_definition)
{
    static double x[N * D], y[N];
    static uint16_t cls[N];
    static uint32_t count[N];
    make_x(x, N, 1);
    uint64_t s = 7;
    for (size_t i = 0; i < N; i++) {
        double v = x[i] + 0.3 * x[N + i] + (isnan(x[2 * N + i]) ? 0.5 : 0.1 * x[2 * N + i]) +
                   0.02 * x[5 * N + i] + 0.8 * (uniform(&s) - 0.5);
        cls[i] = v < 0.2 ? 0 : v < 1.0 ? 1 : 2;
        y[i] = cls[i];
    }
    struct tune_cart_data data = {N, D, 3, x, y, cls, NULL, NULL};
    for (int crit = 0; crit < 2; crit++) {
        struct tune_cart_params p = {
            .criterion = crit ? TUNE_CART_ENTROPY : TUNE_CART_GINI,
            .min_samples_split = 2, .min_samples_leaf = 1, .max_features = D,
        };
        bootstrap(count, N, 100 + (uint64_t)crit);
        grow_and_check(&data, &p, count, 1);
        p.max_depth = 5;
        p.min_samples_leaf = 7;
        grow_and_check(&data, &p, NULL, 2);
        p.max_depth = 0;
        p.min_samples_leaf = 1;
        p.max_features = 2;
        grow_and_check(&data, &p, count, 3);
    }
    static const double weights[3] = {0.5, 2.0, 1.25};
    data.class_weight = weights;
    struct tune_cart_params p = {.criterion = TUNE_CART_GINI, .min_samples_split = 9,
                                 .min_samples_leaf = 2, .max_features = D};
    bootstrap(count, N, 5);
    grow_and_check(&data, &p, count, 4);
}

Test(cart, regression_trees_follow_the_definition)
{
    static double x[N * D], y[N];
    static uint32_t count[N];
    make_x(x, N, 2);
    uint64_t s = 11;
    for (size_t i = 0; i < N; i++)
        y[i] = 10 * sin(3 * x[i]) + x[N + i] + 4 * (uniform(&s) - 0.5);
    struct tune_cart_data data = {N, D, 0, x, y, NULL, NULL, NULL};
    struct tune_cart_params p = {.criterion = TUNE_CART_MSE, .min_samples_split = 2,
                                 .min_samples_leaf = 3, .max_features = D};
    bootstrap(count, N, 3);
    grow_and_check(&data, &p, count, 1);
    p.max_depth = 6;
    p.min_samples_leaf = 1;
    grow_and_check(&data, &p, NULL, 2);
    p.max_depth = 0;
    p.max_features = 3;
    grow_and_check(&data, &p, count, 3);
}

Test(cart, ranks_are_dense_with_missing_values_one_above)
{
    double x[5 * 2] = {1, NAN, 1, 3, -2, NAN, NAN, NAN, NAN, NAN};
    uint32_t *rank = tune_cart_rank(NULL, x, 5, 2);
    cr_assert_not_null(rank);
    static const uint32_t want[5 * 2 + 2] = {1, 3, 1, 2, 0, 0, 0, 0, 0, 0, 3, 0};
    cr_assert_arr_eq(rank, want, sizeof want);
    free(rank);
}

Test(cart, leaves_with_equal_values_share_one_block)
{
    struct tune_tree t = {0};
    t.n_out = 2;
    /* A root and two inner nodes on columns 0, 1, 1; four leaves with the
     * values a, b, a, a. */
    cr_assert_eq(tune_tree_split(&t, TUNE_NODE_ROOT, 0, 0.5, 0), 0);
    cr_assert_eq(tune_tree_split(&t, 0, 1, 0.5, 0), 1);
    cr_assert_eq(tune_tree_split(&t, 1, 1, 0.5, 1), 2);
    static const double vals[4][2] = {{1, 0}, {0.25, 0.75}, {1, 0}, {1, 0}};
    static const uint32_t slots[4] = {2, 3, 4, 5};
    for (size_t q = 0; q < 4; q++) {
        uint32_t block;
        double *v = tune_tree_leaf_at(&t, slots[q], &block);
        cr_assert_not_null(v);
        cr_assert_eq(block, q);
        memcpy(v, vals[q], sizeof vals[q]);
    }
    tune_tree_share_values(&t);
    tune_tree_trim(&t);
    cr_assert_eq(t.n_leaves, 2);
    cr_assert_eq(t.n_nodes, 3);
    for (size_t q = 0; q < 4; q++) {
        uint32_t ref = t.nodes[slots[q] / 2].child[slots[q] % 2];
        cr_assert(ref & TUNE_NODE_LEAF);
        const double *v = t.value + (ref & ~TUNE_NODE_LEAF) * 2;
        cr_assert_arr_eq(v, vals[q], sizeof vals[q], "leaf %zu", q);
    }
    /* Column 0 right, column 1 left: the third leaf; NaN in column 1 goes
     * left there (node 2 has MISSING_LEFT). */
    double probe[2] = {0.7, 0.2}, probe_nan[2] = {0.7, NAN};
    cr_assert_arr_eq(tune_tree_leaf(&t, probe, 1, 0), vals[2], sizeof vals[2]);
    cr_assert_arr_eq(tune_tree_leaf(&t, probe_nan, 1, 0), vals[2], sizeof vals[2]);
    uint32_t leaf[2];
    double both[4] = {0.7, 0.2, 0.2, NAN};   /* rows (0.7, 0.2) and (0.2, NaN) */
    tune_tree_leaves(&t, both, 2, 0, 2, leaf);
    cr_assert_arr_eq(t.value + leaf[0], vals[2], sizeof vals[2]);
    /* Row 2: column 0 left (node 1), NaN with no MISSING_LEFT: right. */
    cr_assert_arr_eq(t.value + leaf[1], vals[1], sizeof vals[1]);
    tune_tree_release(&t);
}

Test(cart, a_tree_that_is_one_leaf_predicts_it)
{
    struct tune_tree t = {0};
    t.n_out = 1;
    double *v = tune_tree_leaf_at(&t, TUNE_NODE_ROOT, NULL);
    cr_assert_not_null(v);
    *v = 4.5;
    tune_tree_share_values(&t);
    tune_tree_trim(&t);
    cr_assert(t.root & TUNE_NODE_LEAF);
    double x[3] = {1, NAN, -1};
    uint32_t leaf[3];
    tune_tree_leaves(&t, x, 3, 0, 3, leaf);
    for (size_t r = 0; r < 3; r++) {
        cr_assert_eq(tune_tree_leaf(&t, x, 3, r)[0], 4.5);
        cr_assert_eq(t.value[leaf[r]], 4.5);
    }
    tune_tree_release(&t);
}
