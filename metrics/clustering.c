/* SPDX-License-Identifier: GPL-3.0-or-later */
/* clustering.c — internal measures of a clustering of the rows of a feature
 * matrix: inertia, the silhouette coefficient (exact, or on a seeded sample),
 * the Davies-Bouldin index and the Calinski-Harabasz index, as scikit-learn
 * 1.2 defines them, with Euclidean distances.
 *
 * Labels are cluster codes 0..k-1 (k declared by the caller); a declared
 * cluster with no rows does not count, as scikit-learn, which re-encodes the
 * labels it sees, would not count it.  Silhouette, Davies-Bouldin and
 * Calinski-Harabasz need 2 <= clusters <= n - 1 (scikit-learn raises
 * otherwise); outside that, a label outside 0..k-1, a NAN feature or a failed
 * allocation, the result is NAN.
 *
 * Distances are computed directly, sqrt(sum_j (x_ij - y_j)^2), never through
 * |x|^2 - 2 x.y + |y|^2 (scikit-learn's fast form, which loses digits when
 * points are far from the origin compared with their spread).
 *
 * Silhouette (Rousseeuw 1987): for row i in cluster A, a(i) = mean distance
 * to the other rows of A, b(i) = the least mean distance to the rows of
 * another cluster, s(i) = (b - a) / max(a, b), and 0 for a row alone in its
 * cluster (and where a = b = 0).  The score is the mean of s(i), summed in
 * row order, so the mean of tune_metric_silhouette_samples' values is the
 * exact score bit for bit.  Exact cost
 * is n^2 / 2 distances and an n x k table of per-cluster distance sums; past
 * `sample_size` rows the score is computed exactly on a random subset of
 * that many rows drawn without replacement from a GSL generator seeded with
 * `seed` (scikit-learn's sample_size/random_state; the draw itself differs,
 * since numpy's generator is not GSL's). */
#include "tunefold/metrics.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>

/* Row counts per cluster and the number of non-empty clusters; -1 on a bad
 * label or NAN feature. */
static int cluster_sizes(const struct tune_matrix *x, const int *labels, size_t k,
                         size_t *size, size_t *used)
{
    size_t n = x->n_rows;
    for (size_t c = 0; c < k; c++)
        size[c] = 0;
    for (size_t i = 0; i < n; i++) {
        if (labels[i] < 0 || (size_t)labels[i] >= k)
            return -1;
        size[labels[i]]++;
    }
    for (size_t t = 0; t < n * x->n_cols; t++)
        if (isnan(x->data[t]))
            return -1;
    *used = 0;
    for (size_t c = 0; c < k; c++)
        *used += size[c] > 0;
    return 0;
}

/* Cluster means, k x d row-major (empty clusters left 0). */
static void cluster_means(const struct tune_matrix *x, const int *labels, size_t k,
                          const size_t *size, double *means)
{
    size_t n = x->n_rows, d = x->n_cols;
    for (size_t t = 0; t < k * d; t++)
        means[t] = 0.0;
    for (size_t j = 0; j < d; j++) {
        const double *col = x->data + j * n;
        for (size_t i = 0; i < n; i++)
            means[(size_t)labels[i] * d + j] += col[i];
    }
    for (size_t c = 0; c < k; c++)
        for (size_t j = 0; j < d && size[c]; j++)
            means[c * d + j] /= (double)size[c];
}

double tune_metric_inertia(const struct tune_matrix *x, const int *labels, size_t k,
                           const double *centers)
{
    size_t n = x->n_rows, d = x->n_cols, used;
    if (n == 0 || k == 0)
        return NAN;
    size_t *size = malloc(k * sizeof *size);
    double *means = centers ? NULL : malloc(k * (d ? d : 1) * sizeof *means);
    double result = NAN;
    if (!size || (!centers && !means))
        goto done;
    if (cluster_sizes(x, labels, k, size, &used))
        goto done;
    if (!centers) {
        cluster_means(x, labels, k, size, means);
        centers = means;
    }
    result = 0.0;
    for (size_t j = 0; j < d; j++) {
        const double *col = x->data + j * n;
        for (size_t i = 0; i < n; i++) {
            double e = col[i] - centers[(size_t)labels[i] * d + j];
            result += e * e;
        }
    }
done:
    free(size);
    free(means);
    return result;
}

static double distance(const double *a, const double *b, size_t d)
{
    double s = 0.0;
    for (size_t j = 0; j < d; j++) {
        double e = a[j] - b[j];
        s += e * e;
    }
    return sqrt(s);
}

/* Exact silhouette of the m rows rows[0..m) (indices into x); each row's
 * own value into each[r] when each is not NULL (left alone when the score
 * is undefined). */
static double silhouette_of_rows(const struct tune_matrix *x, const int *labels, size_t k,
                                 const size_t *rows, size_t m, double *each)
{
    size_t n = x->n_rows, d = x->n_cols;
    double *pts = malloc(m * (d ? d : 1) * sizeof *pts);
    double *sums = calloc(m * k, sizeof *sums);
    size_t *size = calloc(k, sizeof *size);
    double result = NAN;
    if (!pts || !sums || !size)
        goto done;
    size_t used = 0;
    for (size_t r = 0; r < m; r++) {
        used += size[labels[rows[r]]]++ == 0;
        for (size_t j = 0; j < d; j++)
            pts[r * d + j] = x->data[j * n + rows[r]];
    }
    if (used < 2 || used > m - 1)
        goto done;
    /* Row by row, so each row's sums accumulate in increasing order of the
     * other row, as scikit-learn's bincount over a distance row does. */
    for (size_t r = 0; r < m; r++) {
        size_t a = (size_t)labels[rows[r]];
        for (size_t s = r + 1; s < m; s++) {
            double dist = distance(pts + r * d, pts + s * d, d);
            sums[r * k + (size_t)labels[rows[s]]] += dist;
            sums[s * k + a] += dist;
        }
    }
    double total = 0.0;
    for (size_t r = 0; r < m; r++) {
        size_t a = (size_t)labels[rows[r]];
        double sr = 0.0; /* a row alone in its cluster, or a = b = 0 */
        if (size[a] > 1) {
            double intra = sums[r * k + a] / (double)(size[a] - 1), inter = INFINITY;
            for (size_t c = 0; c < k; c++)
                if (c != a && size[c]) {
                    double v = sums[r * k + c] / (double)size[c];
                    if (v < inter)
                        inter = v;
                }
            double top = intra > inter ? intra : inter;
            if (top > 0.0)
                sr = (inter - intra) / top;
        }
        total += sr;
        if (each)
            each[r] = sr;
    }
    result = total / (double)m;
done:
    free(pts);
    free(sums);
    free(size);
    return result;
}

double tune_metric_silhouette(const struct tune_matrix *x, const int *labels, size_t k,
                              size_t sample_size, uint64_t seed)
{
    size_t n = x->n_rows, used;
    if (n < 3 || k < 2)
        return NAN;
    size_t *size = malloc(k * sizeof *size);
    if (!size)
        return NAN;
    int bad = cluster_sizes(x, labels, k, size, &used);
    free(size);
    if (bad)
        return NAN;
    size_t m = sample_size && sample_size < n ? sample_size : n;
    size_t *rows = malloc(n * sizeof *rows);
    if (!rows)
        return NAN;
    for (size_t i = 0; i < n; i++)
        rows[i] = i;
    double result = NAN;
    if (m < n) {
        gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
        if (!rng)
            goto done;
        gsl_rng_set(rng, (unsigned long)(seed ^ (seed >> 32)));
        size_t *all = malloc(n * sizeof *all);
        if (!all) {
            gsl_rng_free(rng);
            goto done;
        }
        for (size_t i = 0; i < n; i++)
            all[i] = i;
        /* A uniform m-subset, kept in row order. */
        gsl_ran_choose(rng, rows, m, all, n, sizeof *all);
        free(all);
        gsl_rng_free(rng);
    }
    result = silhouette_of_rows(x, labels, k, rows, m, NULL);
done:
    free(rows);
    return result;
}

int tune_metric_silhouette_samples(const struct tune_matrix *x, const int *labels, size_t k,
                                   double *out)
{
    size_t n = x->n_rows, used;
    for (size_t i = 0; i < n; i++)
        out[i] = NAN;
    if (n < 3 || k < 2)
        return -1;
    size_t *size = malloc(k * sizeof *size), *rows = malloc(n * sizeof *rows);
    int bad = !size || !rows || cluster_sizes(x, labels, k, size, &used);
    for (size_t i = 0; !bad && i < n; i++)
        rows[i] = i;
    double mean = bad ? NAN : silhouette_of_rows(x, labels, k, rows, n, out);
    free(size);
    free(rows);
    return isnan(mean) ? -1 : 0;
}

/* Davies & Bouldin (1979): with s_c the mean distance of cluster c's rows to
 * its centroid and d_ce the distance between centroids, the mean over
 * clusters of max_(e != c) (s_c + s_e) / d_ce.  Coinciding centroids make
 * that ratio infinite in theory; scikit-learn skips such a pair (its
 * distance is set to inf), and answers 0 when every s_c or every centroid
 * distance is within 1e-8 of 0 (numpy's allclose default) — both kept. */
double tune_metric_davies_bouldin(const struct tune_matrix *x, const int *labels, size_t k)
{
    size_t n = x->n_rows, d = x->n_cols, used;
    if (n < 3 || k < 2)
        return NAN;
    size_t *size = malloc(k * sizeof *size);
    double *means = malloc(k * (d ? d : 1) * sizeof *means);
    double *spread = calloc(k, sizeof *spread);
    double *row = malloc((d ? d : 1) * sizeof *row);
    double result = NAN;
    if (!size || !means || !spread || !row)
        goto done;
    if (cluster_sizes(x, labels, k, size, &used) || used < 2 || used > n - 1)
        goto done;
    cluster_means(x, labels, k, size, means);
    for (size_t i = 0; i < n; i++) {
        size_t c = (size_t)labels[i];
        for (size_t j = 0; j < d; j++)
            row[j] = x->data[j * n + i];
        spread[c] += distance(row, means + c * d, d);
    }
    int all_tight = 1, all_close = 1;
    for (size_t c = 0; c < k; c++) {
        if (!size[c])
            continue;
        spread[c] /= (double)size[c];
        all_tight = all_tight && fabs(spread[c]) <= 1e-8;
        for (size_t e = 0; e < k; e++)
            if (size[e] && distance(means + c * d, means + e * d, d) > 1e-8)
                all_close = 0;
    }
    if (all_tight || all_close) {
        result = 0.0;
        goto done;
    }
    double total = 0.0;
    for (size_t c = 0; c < k; c++) {
        if (!size[c])
            continue;
        double worst = 0.0;
        for (size_t e = 0; e < k; e++) {
            if (e == c || !size[e])
                continue;
            double dist = distance(means + c * d, means + e * d, d);
            if (dist == 0.0)
                continue;
            double v = (spread[c] + spread[e]) / dist;
            if (v > worst)
                worst = v;
        }
        total += worst;
    }
    result = total / (double)used;
done:
    free(size);
    free(means);
    free(spread);
    free(row);
    return result;
}

/* Calinski & Harabasz (1974), the variance ratio criterion:
 * [B / (k - 1)] / [W / (n - k)], B = sum_c n_c |m_c - m|^2 the between-cluster
 * and W = sum_i |x_i - m_(c(i))|^2 the within-cluster dispersion; 1 when
 * W = 0 (scikit-learn's answer). */
double tune_metric_calinski_harabasz(const struct tune_matrix *x, const int *labels, size_t k)
{
    size_t n = x->n_rows, d = x->n_cols, used;
    if (n < 3 || k < 2)
        return NAN;
    size_t *size = malloc(k * sizeof *size);
    double *means = malloc(k * (d ? d : 1) * sizeof *means);
    double result = NAN;
    if (!size || !means)
        goto done;
    if (cluster_sizes(x, labels, k, size, &used) || used < 2 || used > n - 1)
        goto done;
    cluster_means(x, labels, k, size, means);
    double extra = 0.0, intra = 0.0;
    for (size_t j = 0; j < d; j++) {
        const double *col = x->data + j * n;
        double mean = 0.0;
        for (size_t i = 0; i < n; i++)
            mean += col[i];
        mean /= (double)n;
        for (size_t c = 0; c < k; c++) {
            double e = means[c * d + j] - mean;
            extra += (double)size[c] * e * e;
        }
        for (size_t i = 0; i < n; i++) {
            double e = col[i] - means[(size_t)labels[i] * d + j];
            intra += e * e;
        }
    }
    result = intra == 0.0 ? 1.0
                          : extra * (double)(n - used) / (intra * ((double)used - 1.0));
done:
    free(size);
    free(means);
    return result;
}
