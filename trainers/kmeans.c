/* SPDX-License-Identifier: GPL-3.0-or-later */
/* kmeans.c — k-means clustering (include/tunefold/kmeans.h) and the built-in
 * `kmeans` trainer, whose predictions are cluster ids.
 *
 * One run (scikit-learn 1.2's _kmeans_single_lloyd / _elkan):
 *   centres  <- k-means++ or k random distinct rows
 *   repeat max_iter times:
 *     assign every row to its nearest centre (its squared distance kept);
 *     stop if no label changed ("strict convergence");
 *     centres <- means of their rows (an empty cluster takes the row
 *                farthest from its centre, as _relocate_empty_clusters);
 *     stop if the summed squared shift of the centres <= tol * mean var(x)
 *   then, unless strictly converged, assign once more to the final centres.
 * Lloyd's assignment computes every row-centre distance; Elkan's (Elkan,
 * "Using the triangle inequality to accelerate k-means", ICML 2003) keeps an
 * upper bound on each row's distance to its centre and k lower bounds, and
 * skips every distance the triangle inequality rules out — same labels
 * (up to exact ties), fewer distances.  The final assignment and the
 * inertia always come from exact squared distances, summed in row order.
 *
 * k-means++ is scikit-learn's greedy variant (Arthur & Vassilvitskii,
 * SODA 2007, with 2 + floor(ln k) candidates per centre, keeping the one
 * that lowers the potential most): the first centre uniform, each
 * candidate drawn with probability proportional to the squared distance to
 * the nearest centre chosen so far (inverse of the cumulative sum).
 *
 * Determinism.  Draws come from one GSL mt19937 seeded with the seed and
 * used in a fixed order.  Threads split an assignment by fixed blocks of
 * SUM_BLOCK rows; each row's nearest centre is computed the same way
 * wherever it lands, each block sums its rows per centre in row order, and
 * the block sums are added in block order, as are the inertia and the
 * k-means++ potentials (serially, in row order), so the result does not
 * depend on the thread count.  The assignment kernel uses no BLAS
 * (Debian's serial OpenBLAS is not safe to call from several threads).
 *
 * Distances: the vector kernel computes sum_j (x_j - c_j)^2 for 8 rows and
 * 4 centres at once, in column order, operation for operation the scalar
 * sum, so the vector and scalar paths agree to the bit. */
#include "tunefold/kmeans.h"
#include "tunefold/trainer.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#define MAX_THREADS 64

void tune_kmeans_options_init(struct tune_kmeans_options *o, size_t n_clusters)
{
    *o = (struct tune_kmeans_options){
        .n_clusters = n_clusters,
        .init = TUNE_KMEANS_PLUSPLUS,
        .n_init = 1,
        .max_iter = 300,
        .tol = 1e-4,
        .algorithm = TUNE_KMEANS_LLOYD,
        .seed = 0,
        .n_threads = 1,
        .keep_trace = 0,
        .initial_centers = NULL,
        .cancel = NULL,
    };
}

void tune_kmeans_free(struct tune_kmeans *km)
{
    if (!km)
        return;
    free(km->centers);
    free(km->trace);
    free(km);
}

/* ---- nearest centres -------------------------------------------------------- */

#if defined(__GNUC__) && defined(__x86_64__)
typedef double v4d __attribute__((vector_size(32)));
typedef long long v4l __attribute__((vector_size(32)));

/* Keep, lane by lane, the smaller of (best, dist), and its centre id. */
#define KEEP_NEAREST(best, lab, dist, id)                                   \
    do {                                                                     \
        v4l m_ = (dist) < (best);                                            \
        (best) = (v4d)(((v4l)(dist) & m_) | ((v4l)(best) & ~m_));            \
        (lab) = (v4d)(((v4l)(id) & m_) | ((v4l)(lab) & ~m_));                \
    } while (0)

/* The nearest of the kp padded centres (kp x d row-major, kp a multiple of
 * 4) for rows i..i+7 of the column-major x (n rows): squared distance into
 * best[8], centre id into lab[8].  Distances of 4 centres at a time stay in
 * 8 registers; centres are visited in order and replace the best only when
 * strictly nearer, so ties go to the lower centre. */
__attribute__((target_clones("avx2", "default")))
static void block_nearest(const double *x, size_t n, size_t d, size_t i, const double *padded,
                          size_t kp, double *best, double *lab)
{
    v4d b0 = {INFINITY, INFINITY, INFINITY, INFINITY}, b1 = b0;
    v4d l0 = {0, 0, 0, 0}, l1 = l0;
    for (size_t c0 = 0; c0 < kp; c0 += 4) {
        const double *c4 = padded + c0 * d;
        v4d a00 = {0, 0, 0, 0}, a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00,
            a30 = a00, a31 = a00;
        for (size_t j = 0; j < d; j++) {
            v4d x0, x1, e;
            memcpy(&x0, x + j * n + i, sizeof x0);
            memcpy(&x1, x + j * n + i + 4, sizeof x1);
            double s0 = c4[j], s1 = c4[d + j], s2 = c4[2 * d + j], s3 = c4[3 * d + j];
            v4d q0 = {s0, s0, s0, s0}, q1 = {s1, s1, s1, s1}, q2 = {s2, s2, s2, s2},
                q3 = {s3, s3, s3, s3};
            e = x0 - q0;
            a00 += e * e;
            e = x1 - q0;
            a01 += e * e;
            e = x0 - q1;
            a10 += e * e;
            e = x1 - q1;
            a11 += e * e;
            e = x0 - q2;
            a20 += e * e;
            e = x1 - q2;
            a21 += e * e;
            e = x0 - q3;
            a30 += e * e;
            e = x1 - q3;
            a31 += e * e;
        }
        double f0 = (double)c0, f1 = f0 + 1, f2 = f0 + 2, f3 = f0 + 3;
        v4d id0 = {f0, f0, f0, f0}, id1 = {f1, f1, f1, f1}, id2 = {f2, f2, f2, f2},
            id3 = {f3, f3, f3, f3};
        KEEP_NEAREST(b0, l0, a00, id0);
        KEEP_NEAREST(b1, l1, a01, id0);
        KEEP_NEAREST(b0, l0, a10, id1);
        KEEP_NEAREST(b1, l1, a11, id1);
        KEEP_NEAREST(b0, l0, a20, id2);
        KEEP_NEAREST(b1, l1, a21, id2);
        KEEP_NEAREST(b0, l0, a30, id3);
        KEEP_NEAREST(b1, l1, a31, id3);
    }
    memcpy(best, &b0, sizeof b0);
    memcpy(best + 4, &b1, sizeof b1);
    memcpy(lab, &l0, sizeof l0);
    memcpy(lab + 4, &l1, sizeof l1);
}
#else
static void block_nearest(const double *x, size_t n, size_t d, size_t i, const double *padded,
                          size_t kp, double *best, double *lab)
{
    for (size_t t = 0; t < 8; t++) {
        best[t] = INFINITY;
        lab[t] = 0;
        for (size_t c = 0; c < kp; c++) {
            double s = 0;
            for (size_t j = 0; j < d; j++) {
                double e = x[j * n + i + t] - padded[c * d + j];
                s += e * e;
            }
            if (s < best[t]) {
                best[t] = s;
                lab[t] = (double)c;
            }
        }
    }
}
#endif

/* Squared distance of row i (column-major x) to centre c (d values). */
static double row_sqdist(const double *x, size_t n, size_t d, size_t i, const double *c)
{
    double s = 0;
    for (size_t j = 0; j < d; j++) {
        double e = x[j * n + i] - c[j];
        s += e * e;
    }
    return s;
}

/* Centres padded to a multiple of 4 rows (the last repeated: a repeat never
 * wins, ties go to the lower centre). */
static double *pad_centers(const double *centers, size_t k, size_t d, size_t *kp)
{
    *kp = (k + 3) / 4 * 4;
    double *p = malloc((*kp * d + 1) * sizeof *p);
    if (!p)
        return NULL;
    memcpy(p, centers, k * d * sizeof *p);
    for (size_t c = k; c < *kp; c++)
        memcpy(p + c * d, centers + (k - 1) * d, d * sizeof *p);
    return p;
}

/* Rows per block of the fused centre sums (see assign_all). */
#define SUM_BLOCK 4096

struct assign_job {
    const double *x;
    size_t n, d, k, kp;
    const double *padded;
    size_t b0, b1;       /* blocks [b0, b1) of SUM_BLOCK rows */
    int *labels;
    double *dist;
    double *psums;       /* per block k x d partial sums, or NULL */
    size_t *pcount;      /* per block k counts */
};

/* Add row i (column-major x) to the block's partial sums. */
static void add_row(const struct assign_job *a, size_t i, size_t lab, double *ps, size_t *pc)
{
    for (size_t j = 0; j < a->d; j++)
        ps[lab * a->d + j] += a->x[j * a->n + i];
    pc[lab]++;
}

static void *assign_range(void *arg)
{
    const struct assign_job *a = arg;
    for (size_t blk = a->b0; blk < a->b1; blk++) {
        size_t i = blk * SUM_BLOCK, end = i + SUM_BLOCK < a->n ? i + SUM_BLOCK : a->n;
        double *ps = a->psums ? a->psums + blk * a->k * a->d : NULL;
        size_t *pc = a->psums ? a->pcount + blk * a->k : NULL;
        if (ps) {
            memset(ps, 0, a->k * a->d * sizeof *ps);
            memset(pc, 0, a->k * sizeof *pc);
        }
        for (; i + 8 <= end; i += 8) {
            double best[8], lab[8];
            block_nearest(a->x, a->n, a->d, i, a->padded, a->kp, best, lab);
            for (size_t t = 0; t < 8; t++) {
                a->labels[i + t] = (int)lab[t];
                a->dist[i + t] = best[t];
                if (ps)
                    add_row(a, i + t, (size_t)lab[t], ps, pc);
            }
        }
        for (; i < end; i++) {
            double best = INFINITY;
            int lab = 0;
            for (size_t c = 0; c < a->k; c++) {
                double sq = row_sqdist(a->x, a->n, a->d, i, a->padded + c * a->d);
                if (sq < best) {
                    best = sq;
                    lab = (int)c;
                }
            }
            a->labels[i] = lab;
            a->dist[i] = best;
            if (ps)
                add_row(a, i, (size_t)lab, ps, pc);
        }
    }
    return NULL;
}

/* Nearest centre of every row, blocks of rows shared among threads; with
 * psums/pcount (n_blocks(n) x k x d and x k), each block's sums and counts
 * of its rows per centre as well, so the centre update needs no second pass
 * over x: added up block by block in order, they do not depend on which
 * thread did which block.  0 when out of memory. */
static size_t n_blocks(size_t n)
{
    return (n + SUM_BLOCK - 1) / SUM_BLOCK;
}

static int assign_all(const double *x, size_t n, size_t d, const double *centers, size_t k,
                      size_t n_threads, int *labels, double *dist, double *psums,
                      size_t *pcount)
{
    size_t kp, nb = n_blocks(n);
    double *padded = pad_centers(centers, k, d, &kp);
    if (!padded)
        return 0;
    size_t nt = n_threads < 1 ? 1 : n_threads > MAX_THREADS ? MAX_THREADS : n_threads;
    if (nt > nb)
        nt = nb;   /* a block each at least: small data stays on one thread */
    struct assign_job jobs[MAX_THREADS];
    pthread_t tid[MAX_THREADS];
    int started[MAX_THREADS] = {0};
    for (size_t t = 0; t < nt; t++)
        jobs[t] = (struct assign_job){x, n, d, k, kp, padded, nb * t / nt, nb * (t + 1) / nt,
                                      labels, dist, psums, pcount};
    for (size_t t = 1; t < nt; t++)
        started[t] = pthread_create(&tid[t], NULL, assign_range, &jobs[t]) == 0;
    assign_range(&jobs[0]);
    for (size_t t = 1; t < nt; t++) {
        if (started[t])
            pthread_join(tid[t], NULL);
        else
            assign_range(&jobs[t]);
    }
    free(padded);
    return 1;
}

/* ---- one run ---------------------------------------------------------------- */

struct run {
    const double *x;        /* n x d column-major, borrowed */
    double *xr;             /* n x d row-major (elkan), or NULL */
    size_t n, d, k;
    size_t n_threads;
    double *centers, *next; /* k x d */
    double *sums;           /* 4 x k x d partial sums */
    double *psums;          /* lloyd: per block k x d sums */
    size_t *pcount;         /* lloyd: per block k counts */
    size_t *count;          /* k */
    int *labels, *prev;     /* n */
    double *dist;           /* n: squared distance to the assigned centre */
    int dist_valid;         /* dist matches the labels and centres */
    double *upper, *lower;  /* elkan: n, n x k (distances, not squared) */
    double *half, *s;       /* elkan: k x k half centre distances, k */
    double *shift;          /* k: centre shifts (distances) */
    double *trace;          /* max_iter, or NULL */
};

/* dist[i] = squared distance of every row to the point c (d values), column
 * by column so that x streams once; each sum runs in column order. */
static void sqdist_to(const double *x, size_t n, size_t d, const double *c, double *dist)
{
    for (size_t i = 0; i < n; i++)
        dist[i] = 0;
    for (size_t j = 0; j < d; j++) {
        const double *col = x + j * n;
        double cj = c[j];
        for (size_t i = 0; i < n; i++) {
            double e = col[i] - cj;
            dist[i] += e * e;
        }
    }
}

/* k-means++ (greedy): centres into r->centers; r->dist is scratch. */
static int init_plusplus(struct run *r, gsl_rng *rng)
{
    size_t n = r->n, d = r->d, k = r->k;
    const double *x = r->x;
    size_t trials = 2 + (size_t)floor(log((double)k));
    double *closest = r->dist;
    double *cand = malloc(trials * n * sizeof *cand), *cum = malloc(n * sizeof *cum);
    double *cv = malloc(d * sizeof *cv);
    size_t *ids = malloc(trials * sizeof *ids);
    int ok = cand && cum && cv && ids;
    if (!ok)
        goto done;
    size_t first = (size_t)gsl_rng_uniform_int(rng, (unsigned long)n);
    for (size_t j = 0; j < d; j++)
        r->centers[j] = x[j * n + first];
    sqdist_to(x, n, d, r->centers, closest);
    double pot = 0;
    for (size_t i = 0; i < n; i++)
        pot += closest[i];
    for (size_t c = 1; c < k; c++) {
        double acc = 0;
        for (size_t i = 0; i < n; i++)
            cum[i] = acc += closest[i];
        for (size_t t = 0; t < trials; t++) {
            /* the first row whose cumulative sum reaches the draw
             * (numpy's searchsorted, side left) */
            double v = gsl_rng_uniform(rng) * pot;
            size_t lo = 0, hi = n;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (cum[mid] < v)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            ids[t] = lo < n ? lo : n - 1;
        }
        size_t best = 0;
        double best_pot = INFINITY;
        for (size_t t = 0; t < trials; t++) {
            double *dt = cand + t * n, p = 0;
            for (size_t j = 0; j < d; j++)
                cv[j] = x[j * n + ids[t]];
            sqdist_to(x, n, d, cv, dt);
            for (size_t i = 0; i < n; i++) {
                dt[i] = dt[i] < closest[i] ? dt[i] : closest[i];
                p += dt[i];
            }
            if (p < best_pot) {
                best_pot = p;
                best = t;
            }
        }
        memcpy(closest, cand + best * n, n * sizeof *closest);
        pot = best_pot;
        for (size_t j = 0; j < d; j++)
            r->centers[c * d + j] = x[j * n + ids[best]];
    }
done:
    free(cand);
    free(cum);
    free(cv);
    free(ids);
    return ok;
}

static void init_random(struct run *r, gsl_rng *rng)
{
    size_t n = r->n, d = r->d, k = r->k;
    /* k distinct rows by a partial Fisher-Yates shuffle of the row indices
     * (r->labels as scratch: every label is rewritten by the first pass). */
    int *perm = r->labels;
    for (size_t i = 0; i < n; i++)
        perm[i] = (int)i;
    for (size_t c = 0; c < k; c++) {
        size_t pick = c + (size_t)gsl_rng_uniform_int(rng, (unsigned long)(n - c));
        int t = perm[c];
        perm[c] = perm[pick];
        perm[pick] = t;
        for (size_t j = 0; j < d; j++)
            r->centers[c * d + j] = r->x[j * n + (size_t)perm[c]];
    }
}

/* Exact squared distances to the assigned centres, in r->dist (from the
 * row-major copy when there is one: the same sums, read contiguously). */
static void exact_dist(struct run *r)
{
    size_t d = r->d;
    for (size_t i = 0; i < r->n; i++) {
        const double *c = r->centers + (size_t)r->labels[i] * d;
        if (!r->xr) {
            r->dist[i] = row_sqdist(r->x, r->n, d, i, c);
            continue;
        }
        const double *xi = r->xr + i * d;
        double s = 0;
        for (size_t j = 0; j < d; j++) {
            double e = xi[j] - c[j];
            s += e * e;
        }
        r->dist[i] = s;
    }
    r->dist_valid = 1;
}

/* Centres from the labels into r->next: the sums and counts come from the
 * per-block partials of the assignment (Lloyd) or from a pass over x in row
 * order, four partial sums interleaved so that runs of one label do not
 * chain every add through one memory cell (Elkan); either order is fixed.
 * An empty cluster takes the row farthest from its centre (r->dist),
 * largest first, ties to the lower row.  Returns the summed squared
 * shift. */
static double update_centers(struct run *r, int have_blocks)
{
    size_t n = r->n, d = r->d, k = r->k;
    if (have_blocks) {
        size_t nb = n_blocks(n);
        memset(r->sums, 0, k * d * sizeof *r->sums);
        memset(r->count, 0, k * sizeof *r->count);
        for (size_t b = 0; b < nb; b++) {
            for (size_t c = 0; c < k * d; c++)
                r->sums[c] += r->psums[b * k * d + c];
            for (size_t c = 0; c < k; c++)
                r->count[c] += r->pcount[b * k + c];
        }
    } else {
        memset(r->count, 0, k * sizeof *r->count);
        for (size_t i = 0; i < n; i++)
            r->count[r->labels[i]]++;
        memset(r->sums, 0, 4 * k * d * sizeof *r->sums);
        for (size_t j = 0; j < d; j++) {
            const double *col = r->x + j * n;
            double *s0 = r->sums, *s1 = s0 + k * d, *s2 = s1 + k * d, *s3 = s2 + k * d;
            size_t i = 0;
            for (; i + 4 <= n; i += 4) {
                s0[(size_t)r->labels[i] * d + j] += col[i];
                s1[(size_t)r->labels[i + 1] * d + j] += col[i + 1];
                s2[(size_t)r->labels[i + 2] * d + j] += col[i + 2];
                s3[(size_t)r->labels[i + 3] * d + j] += col[i + 3];
            }
            for (; i < n; i++)
                s0[(size_t)r->labels[i] * d + j] += col[i];
        }
        for (size_t c = 0; c < k * d; c++)
            r->sums[c] = (r->sums[c] + r->sums[k * d + c]) +
                         (r->sums[2 * k * d + c] + r->sums[3 * k * d + c]);
    }
    int empty = 0;
    for (size_t c = 0; c < k; c++)
        empty |= r->count[c] == 0;
    if (empty && !r->dist_valid)
        exact_dist(r);
    for (size_t c = 0; c < k; c++) {
        if (r->count[c] > 0)
            continue;
        size_t far = n;
        for (size_t i = 0; i < n; i++)
            if (r->dist[i] >= 0 && (far == n || r->dist[i] > r->dist[far]))
                far = i;
        if (far == n)
            break;   /* fewer rows than clusters to move: leave the rest */
        size_t old = (size_t)r->labels[far];
        for (size_t j = 0; j < d; j++) {
            double v = r->x[j * n + far];
            r->sums[old * d + j] -= v;
            r->sums[c * d + j] = v;
        }
        r->count[old]--;
        r->count[c] = 1;
        r->dist[far] = -1;   /* taken */
        r->dist_valid = 0;
    }
    double shift = 0;
    for (size_t c = 0; c < k; c++) {
        double sc = 0;
        for (size_t j = 0; j < d; j++) {
            double v = r->count[c] > 0 ? r->sums[c * d + j] / (double)r->count[c]
                                       : r->centers[c * d + j];
            double e = v - r->centers[c * d + j];
            sc += e * e;
            r->next[c * d + j] = v;
        }
        if (r->shift)
            r->shift[c] = sqrt(sc);
        shift += sc;
    }
    return shift;
}

/* ---- Elkan's assignment ------------------------------------------------------ */

static double row_dist(const struct run *r, size_t i, const double *c)
{
    const double *xi = r->xr + i * r->d;
    double s = 0;
    for (size_t j = 0; j < r->d; j++) {
        double e = xi[j] - c[j];
        s += e * e;
    }
    return sqrt(s);
}

/* Half distances between centres, and s[c] = half the distance to the
 * nearest other centre. */
static void elkan_centers(struct run *r)
{
    size_t k = r->k, d = r->d;
    for (size_t a = 0; a < k; a++) {
        r->half[a * k + a] = 0;
        for (size_t b = 0; b < a; b++) {
            double s = 0;
            for (size_t j = 0; j < d; j++) {
                double e = r->centers[a * d + j] - r->centers[b * d + j];
                s += e * e;
            }
            r->half[a * k + b] = r->half[b * k + a] = 0.5 * sqrt(s);
        }
    }
    for (size_t a = 0; a < k; a++) {
        double m = INFINITY;
        for (size_t b = 0; b < k; b++)
            if (b != a && r->half[a * k + b] < m)
                m = r->half[a * k + b];
        r->s[a] = m;
    }
}

/* First labels and bounds (sklearn's init_bounds). */
static void elkan_init(struct run *r)
{
    size_t n = r->n, k = r->k;
    elkan_centers(r);
    memset(r->lower, 0, n * k * sizeof *r->lower);
    for (size_t i = 0; i < n; i++) {
        size_t best = 0;
        double m = row_dist(r, i, r->centers);
        r->lower[i * k] = m;
        for (size_t c = 1; c < k; c++) {
            if (m > r->half[best * k + c]) {
                double dist = row_dist(r, i, r->centers + c * r->d);
                r->lower[i * k + c] = dist;
                if (dist < m) {
                    m = dist;
                    best = c;
                }
            }
        }
        r->labels[i] = (int)best;
        r->upper[i] = m;
    }
}

/* One pass of Elkan's filtered assignment against r->centers. */
static void elkan_assign(struct run *r)
{
    size_t n = r->n, k = r->k, d = r->d;
    elkan_centers(r);
    for (size_t i = 0; i < n; i++) {
        size_t lab = (size_t)r->labels[i];
        double u = r->upper[i];
        int tight = 0;
        if (u <= r->s[lab])
            continue;
        for (size_t c = 0; c < k; c++) {
            if (c == lab || u <= r->lower[i * k + c] || u <= r->half[lab * k + c])
                continue;
            if (!tight) {
                u = row_dist(r, i, r->centers + lab * d);
                r->lower[i * k + lab] = u;
                tight = 1;
                if (u <= r->lower[i * k + c] || u <= r->half[lab * k + c])
                    continue;
            }
            double dist = row_dist(r, i, r->centers + c * d);
            r->lower[i * k + c] = dist;
            if (dist < u) {
                u = dist;
                lab = c;
            }
        }
        r->labels[i] = (int)lab;
        r->upper[i] = u;
    }
}

/* Move the bounds by the centre shifts (r->shift). */
static void elkan_shift_bounds(struct run *r)
{
    size_t n = r->n, k = r->k;
    for (size_t i = 0; i < n; i++) {
        r->upper[i] += r->shift[r->labels[i]];
        double *lo = r->lower + i * k;
        for (size_t c = 0; c < k; c++)
            lo[c] = lo[c] > r->shift[c] ? lo[c] - r->shift[c] : 0.0;
    }
}

/* One run from initial centres in r->centers; returns its inertia, NAN
 * when out of memory, -1 when cancelled.  *n_iter gets the iterations
 * done. */
static double single_run(struct run *r, const struct tune_kmeans_options *o, double tol_abs,
                         size_t *n_iter)
{
    size_t n = r->n, k = r->k, d = r->d;
    int elkan = o->algorithm == TUNE_KMEANS_ELKAN;
    int strict = 0;
    size_t it = 0;
    if (elkan)
        elkan_init(r);
    while (it < o->max_iter) {
        if (o->cancel && *o->cancel)
            return -1;   /* cancelled */
        memcpy(r->prev, r->labels, n * sizeof *r->prev);
        if (elkan) {
            if (it > 0)
                elkan_assign(r);
            r->dist_valid = 0;
            if (r->trace)
                exact_dist(r);
        } else if (!assign_all(r->x, n, d, r->centers, k, r->n_threads, r->labels, r->dist,
                               r->psums, r->pcount)) {
            return NAN;
        } else {
            r->dist_valid = 1;
        }
        if (r->trace) {
            double in = 0;
            for (size_t i = 0; i < n; i++)
                in += r->dist[i];
            r->trace[it] = in;
        }
        it++;
        if (it > 1 && memcmp(r->prev, r->labels, n * sizeof *r->labels) == 0) {
            strict = 1;
            if (!r->dist_valid)
                exact_dist(r);
            break;
        }
        double shift = update_centers(r, !elkan);
        memcpy(r->centers, r->next, k * d * sizeof *r->centers);
        if (elkan)
            elkan_shift_bounds(r);
        if (shift <= tol_abs)
            break;
    }
    *n_iter = it;
    if (!strict && !assign_all(r->x, n, d, r->centers, k, r->n_threads, r->labels, r->dist,
                               NULL, NULL))
        return NAN;
    double inertia = 0;
    for (size_t i = 0; i < n; i++)
        inertia += r->dist[i];
    return inertia;
}

static void run_release(struct run *r)
{
    free(r->xr);
    free(r->centers);
    free(r->next);
    free(r->sums);
    free(r->psums);
    free(r->pcount);
    free(r->count);
    free(r->labels);
    free(r->prev);
    free(r->dist);
    free(r->upper);
    free(r->lower);
    free(r->half);
    free(r->s);
    free(r->shift);
    free(r->trace);
}

static int check_options(const struct tune_matrix *x, const struct tune_kmeans_options *o,
                         struct tune_error *err)
{
    size_t n = x->n_rows, d = x->n_cols;
    if (o->n_clusters < 1 || o->n_clusters > n)
        return tune_error_set(err, TUNE_EINVAL,
                              "kmeans: n_clusters = %zu must be between 1 and the %zu rows",
                              o->n_clusters, n);
    if (o->n_init < 1 || o->max_iter < 1)
        return tune_error_set(err, TUNE_EINVAL, "kmeans: n_init and max_iter must be at least 1");
    if (!(o->tol >= 0) || !isfinite(o->tol))
        return tune_error_set(err, TUNE_EINVAL, "kmeans: tol = %g must be finite and >= 0",
                              o->tol);
    if (o->init != TUNE_KMEANS_PLUSPLUS && o->init != TUNE_KMEANS_RANDOM)
        return tune_error_set(err, TUNE_EINVAL, "kmeans: unknown init %d", (int)o->init);
    if (o->algorithm != TUNE_KMEANS_LLOYD && o->algorithm != TUNE_KMEANS_ELKAN)
        return tune_error_set(err, TUNE_EINVAL, "kmeans: unknown algorithm %d",
                              (int)o->algorithm);
    if (d == 0)
        return tune_error_set(err, TUNE_EINVAL, "kmeans: no feature columns");
    for (size_t c = 0; o->initial_centers && c < o->n_clusters * d; c++)
        if (!isfinite(o->initial_centers[c]))
            return tune_error_set(err, TUNE_EINVAL,
                                  "kmeans: initial centre %zu, column %zu is not finite", c / d,
                                  c % d);
    for (size_t j = 0; j < d; j++)
        for (size_t i = 0; i < n; i++)
            if (!isfinite(x->data[j * n + i]))
                return tune_error_set(err, TUNE_EINVAL,
                                      "kmeans: row %zu, column %zu: value is not finite "
                                      "(impute missing values first)", i, j);
    return TUNE_OK;
}

int tune_kmeans_fit(const struct tune_matrix *x, const struct tune_kmeans_options *o,
                    struct tune_kmeans **out, struct tune_error *err)
{
    *out = NULL;
    int rc = check_options(x, o, err);
    if (rc)
        return rc;
    size_t n = x->n_rows, d = x->n_cols, k = o->n_clusters;
    int elkan = o->algorithm == TUNE_KMEANS_ELKAN;
    struct run r = {.x = x->data, .n = n, .d = d, .k = k,
                    .n_threads = o->n_threads ? o->n_threads : 1};
    struct tune_kmeans *km = calloc(1, sizeof *km);
    double *best_trace = NULL;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    r.centers = malloc(k * d * sizeof *r.centers);
    r.next = malloc(k * d * sizeof *r.next);
    r.sums = malloc(4 * k * d * sizeof *r.sums);
    r.count = malloc(k * sizeof *r.count);
    r.labels = malloc(n * sizeof *r.labels);
    r.prev = malloc(n * sizeof *r.prev);
    r.dist = malloc(n * sizeof *r.dist);
    if (!km || !rng || !r.centers || !r.next || !r.sums || !r.count || !r.labels || !r.prev ||
        !r.dist)
        goto nomem;
    if (!(km->centers = malloc(k * d * sizeof *km->centers)))
        goto nomem;
    if (o->keep_trace && (!(r.trace = malloc(o->max_iter * sizeof *r.trace)) ||
                          !(best_trace = malloc(o->max_iter * sizeof *best_trace))))
        goto nomem;
    if (!elkan) {
        r.psums = malloc(n_blocks(n) * k * d * sizeof *r.psums);
        r.pcount = malloc(n_blocks(n) * k * sizeof *r.pcount);
        if (!r.psums || !r.pcount)
            goto nomem;
    } else {
        r.xr = malloc(n * d * sizeof *r.xr);
        r.upper = malloc(n * sizeof *r.upper);
        r.lower = malloc(n * k * sizeof *r.lower);
        r.half = malloc(k * k * sizeof *r.half);
        r.s = malloc(k * sizeof *r.s);
        r.shift = malloc(k * sizeof *r.shift);
        if (!r.xr || !r.upper || !r.lower || !r.half || !r.s || !r.shift)
            goto nomem;
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < d; j++)
                r.xr[i * d + j] = x->data[j * n + i];
    }
    /* tol relative to the data: mean over columns of the population variance */
    double var_sum = 0;
    for (size_t j = 0; j < d; j++) {
        const double *col = x->data + j * n;
        double mean = 0, v = 0;
        for (size_t i = 0; i < n; i++)
            mean += col[i];
        mean /= (double)n;
        for (size_t i = 0; i < n; i++)
            v += (col[i] - mean) * (col[i] - mean);
        var_sum += v / (double)n;
    }
    double tol_abs = o->tol * var_sum / (double)d;

    gsl_rng_set(rng, (unsigned long)o->seed);
    km->k = k;
    km->d = d;
    km->inertia = INFINITY;
    for (size_t run = 0; run < o->n_init; run++) {
        if (o->initial_centers) {
            memcpy(r.centers, o->initial_centers, k * d * sizeof *r.centers);
        } else if (o->init == TUNE_KMEANS_PLUSPLUS) {
            if (!init_plusplus(&r, rng))
                goto nomem;
        } else {
            init_random(&r, rng);
        }
        size_t n_iter = 0;
        double inertia = single_run(&r, o, tol_abs, &n_iter);
        if (isnan(inertia))
            goto nomem;
        if (inertia < 0) {
            run_release(&r);
            gsl_rng_free(rng);
            free(best_trace);
            tune_kmeans_free(km);
            return tune_error_set(err, TUNE_ETRAINER, "kmeans: interrupted in run %zu", run + 1);
        }
        if (inertia < km->inertia) {
            km->inertia = inertia;
            km->n_iter = n_iter;
            memcpy(km->centers, r.centers, k * d * sizeof *km->centers);
            if (best_trace)
                memcpy(best_trace, r.trace, n_iter * sizeof *best_trace);
        }
    }
    km->trace = best_trace;
    run_release(&r);
    gsl_rng_free(rng);
    *out = km;
    return TUNE_OK;
nomem:
    run_release(&r);
    gsl_rng_free(rng);
    free(best_trace);
    tune_kmeans_free(km);
    return tune_error_set(err, TUNE_ENOMEM, "kmeans: out of memory (%zu rows, %zu clusters)", n,
                          k);
}

int tune_kmeans_assign(const struct tune_kmeans *km, const struct tune_matrix *x, int *labels,
                       double *sqdist, size_t n_threads, struct tune_error *err)
{
    size_t n = x->n_rows, d = x->n_cols;
    if (d != km->d)
        return tune_error_set(err, TUNE_EINVAL, "kmeans: %zu columns to assign, model has %zu",
                              d, km->d);
    for (size_t j = 0; j < d; j++)
        for (size_t i = 0; i < n; i++)
            if (!isfinite(x->data[j * n + i]))
                return tune_error_set(err, TUNE_EINVAL,
                                      "kmeans: row %zu, column %zu to assign is not finite", i, j);
    if (n == 0)
        return TUNE_OK;
    int *lab = labels ? labels : malloc(n * sizeof *lab);
    double *dist = sqdist ? sqdist : malloc(n * sizeof *dist);
    int ok = lab && dist &&
             assign_all(x->data, n, d, km->centers, km->k, n_threads, lab, dist, NULL, NULL);
    if (!labels)
        free(lab);
    if (!sqdist)
        free(dist);
    return ok ? TUNE_OK
              : tune_error_set(err, TUNE_ENOMEM, "kmeans: out of memory assigning %zu rows", n);
}

int tune_kmeans_elbow(const struct tune_matrix *x, const struct tune_kmeans_options *o,
                      size_t k_max, double *inertia, int *labels, struct tune_error *err)
{
    size_t n = x->n_rows;
    if (k_max < 1 || k_max > n)
        return tune_error_set(err, TUNE_EINVAL, "kmeans: k_max = %zu must be between 1 and the "
                                                "%zu rows", k_max, n);
    struct tune_kmeans_options ok = *o;
    ok.keep_trace = 0;
    for (size_t k = 1; k <= k_max; k++) {
        struct tune_kmeans *km = NULL;
        ok.n_clusters = k;
        int rc = tune_kmeans_fit(x, &ok, &km, err);
        if (!rc && labels)
            rc = tune_kmeans_assign(km, x, labels + (k - 1) * n, NULL, ok.n_threads, err);
        if (rc) {
            tune_kmeans_free(km);
            return tune_error_prefix(err, "k = %zu", k);
        }
        inertia[k - 1] = km->inertia;
        tune_kmeans_free(km);
    }
    return TUNE_OK;
}

/* ---- the trainer ------------------------------------------------------------ */

enum { HP_N_CLUSTERS, HP_INIT, HP_N_INIT, HP_MAX_ITER, HP_TOL, HP_ALGORITHM, HP_COUNT };

static const char *const init_choices[] = {"k-means++", "random", NULL};
static const char *const algorithm_choices[] = {"lloyd", "elkan", NULL};

static const struct tune_hparam hparams[HP_COUNT] = {
    [HP_N_CLUSTERS] = {"n_clusters", TUNE_PARAM_INT, 8, 1, 1e6, NULL,
                       "clusters k (at most the training rows)"},
    [HP_INIT] = {"init", TUNE_PARAM_CATEGORICAL, TUNE_KMEANS_PLUSPLUS, 0, 1, init_choices,
                 "k-means++ (greedy, seeded) or random distinct rows"},
    [HP_N_INIT] = {"n_init", TUNE_PARAM_INT, 1, 1, 1000, NULL,
                   "runs from different initial centres; the lowest inertia wins"},
    [HP_MAX_ITER] = {"max_iter", TUNE_PARAM_INT, 300, 1, 1e6, NULL, "iterations per run at most"},
    [HP_TOL] = {"tol", TUNE_PARAM_FLOAT, 1e-4, 0, INFINITY, NULL,
                "stop when the squared centre shift is at most tol * mean column variance"},
    [HP_ALGORITHM] = {"algorithm", TUNE_PARAM_CATEGORICAL, TUNE_KMEANS_LLOYD, 0, 1,
                      algorithm_choices, "lloyd, or elkan (triangle-inequality bounds)"},
};

struct kmeans_model {
    struct tune_kmeans *km;
    size_t n_threads;
};

static void free_model(void *model)
{
    struct kmeans_model *m = model;
    if (!m)
        return;
    tune_kmeans_free(m->km);
    free(m);
}

static int fit(const struct tune_matrix *x, const double *y, const struct tune_fit_ctx *ctx,
               const struct tune_params *params, void **model, struct tune_error *err)
{
    (void)y;   /* clustering: a target, if the data has one, is not used */
    *model = NULL;
    if (!params || params->n < HP_COUNT)
        return tune_error_set(err, TUNE_EINVAL, "kmeans: expected %d hyperparameters, got %zu",
                              HP_COUNT, params ? params->n : (size_t)0);
    for (size_t i = 0; i < HP_COUNT; i++)
        if (!tune_hparam_accepts(&hparams[i], params->values[i]))
            return tune_error_set(err, TUNE_EINVAL, "kmeans: %s: value %.17g is out of range",
                                  hparams[i].name, params->values[i]);
    if (ctx->task != TUNE_TASK_CLUSTERING)
        return tune_error_set(err, TUNE_EINVAL, "kmeans: task %s is not clustering",
                              tune_task_name(ctx->task));
    struct tune_kmeans_options o;
    tune_kmeans_options_init(&o, (size_t)params->values[HP_N_CLUSTERS]);
    o.init = (enum tune_kmeans_init)(int)params->values[HP_INIT];
    o.n_init = (size_t)params->values[HP_N_INIT];
    o.max_iter = (size_t)params->values[HP_MAX_ITER];
    o.tol = params->values[HP_TOL];
    o.algorithm = (enum tune_kmeans_algorithm)(int)params->values[HP_ALGORITHM];
    o.seed = ctx->seed;
    o.n_threads = ctx->n_threads ? ctx->n_threads : 1;
    o.cancel = ctx->cancel;
    struct kmeans_model *m = calloc(1, sizeof *m);
    if (!m)
        return tune_error_set(err, TUNE_ENOMEM, "kmeans: out of memory");
    int rc = tune_kmeans_fit(x, &o, &m->km, err);
    if (rc) {
        free(m);
        return rc;
    }
    m->n_threads = o.n_threads;
    *model = m;
    return TUNE_OK;
}

/* label[i] = the nearest centre; value[i], when allocated, its squared
 * distance (so the inertia of the rows is the sum of value); proba, when
 * allocated for k classes, one-hot. */
static int predict(const void *model, const struct tune_matrix *x, struct tune_predictions *out,
                   struct tune_error *err)
{
    const struct kmeans_model *m = model;
    size_t n = x->n_rows, k = m->km->k;
    if (out->n != n || !out->label)
        return tune_error_set(err, TUNE_EINVAL,
                              "kmeans: predictions are not sized for %zu rows with labels", n);
    int rc = tune_kmeans_assign(m->km, x, out->label, out->value, m->n_threads, err);
    if (rc)
        return rc;
    if (out->proba && out->n_classes == k)
        for (size_t i = 0; i < n; i++)
            for (size_t c = 0; c < k; c++)
                out->proba[i * k + c] = (size_t)out->label[i] == c;
    return TUNE_OK;
}

/* ---- saving and loading (trainer.h) ---- */

#define KMEANS_MODEL_VERSION 1

static int save(const void *model, struct tune_model_writer *w, struct tune_error *err)
{
    (void)err;
    const struct tune_kmeans *km = ((const struct kmeans_model *)model)->km;
    int rc;
    if ((rc = tune_model_put_u32(w, KMEANS_MODEL_VERSION)) || (rc = tune_model_put_u64(w, km->k)) ||
        (rc = tune_model_put_u64(w, km->d)) || (rc = tune_model_put_f64(w, km->inertia)) ||
        (rc = tune_model_put_u64(w, km->n_iter)))
        return rc;
    return tune_model_put_f64s(w, km->centers, km->k * km->d);
}

static int load(struct tune_model_reader *r, void **model, struct tune_error *err)
{
    uint32_t version;
    int rc;
    *model = NULL;
    if ((rc = tune_model_get_u32(r, &version)))
        return rc;
    if (version != KMEANS_MODEL_VERSION)
        return tune_model_reader_fail(r, "kmeans model version %u is not %d (written by a newer "
                                      "tunefold?)", version, KMEANS_MODEL_VERSION);
    struct kmeans_model *m = calloc(1, sizeof *m);
    struct tune_kmeans *km = calloc(1, sizeof *km);
    if (!m || !km) {
        free(m);
        free(km);
        return tune_error_set(err, TUNE_ENOMEM, "kmeans: out of memory");
    }
    m->km = km;
    m->n_threads = tune_model_reader_threads(r);
    if ((rc = tune_model_get_size(r, "clusters", 1000000, 8, &km->k)) ||
        (rc = tune_model_get_size(r, "columns", UINT32_MAX, 0, &km->d)) ||
        (rc = tune_model_get_f64(r, &km->inertia)) ||
        (rc = tune_model_get_size(r, "iterations", SIZE_MAX, 0, &km->n_iter)))
        goto fail;
    if (km->k == 0 || (km->d > 0 && km->k > tune_model_reader_left(r) / 8 / km->d)) {
        rc = tune_model_reader_fail(r, "%zu centres of %zu columns, %zu bytes left", km->k,
                                    km->d, tune_model_reader_left(r));
        goto fail;
    }
    if ((rc = tune_model_get_f64_array(r, km->k * km->d, &km->centers)))
        goto fail;
    for (size_t i = 0; i < km->k * km->d; i++)
        if (!isfinite(km->centers[i])) {
            rc = tune_model_reader_fail(r, "a centre is not finite");
            goto fail;
        }
    *model = m;
    return TUNE_OK;
fail:
    free_model(m);
    return rc;
}

const struct tune_trainer_type tune_trainer_kmeans = {
    .version = 2,
    .name = "kmeans",
    .tasks = TUNE_TASK_CLUSTERING,
    .hparams = hparams,
    .n_hparams = HP_COUNT,
    .check = NULL,
    .fit = fit,
    .predict = predict,
    .free_model = free_model,
    .save = save,
    .load = load,
    .flags = TUNE_TRAINER_PREDICT_PARALLEL | TUNE_TRAINER_FIT_PARALLEL,
};
