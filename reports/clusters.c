/* SPDX-License-Identifier: GPL-3.0-or-later */
/* clusters.c — the clusters of a clustering study's best trial: their sizes,
 * every row's silhouette (scikit-learn's silhouette plot) and the rows on
 * the first two principal components, from what the trial stored: its
 * out-of-fold cluster ids (oof.csv) and its validated rows as k-means saw
 * them (oof_features.csv).  Nothing is refitted.
 *
 * Matching clusters across folds.  Each fold fits its own k-means, which
 * numbers its clusters in no particular order: cluster 0 of fold 1 may be
 * cluster 2 of fold 2.  Pooling folds by raw id would mix different
 * clusters, so each fold's clusters are matched to those of a reference
 * fold (the one with the most stored rows) by the assignment that
 * minimizes the total squared distance between matched centres (the mean of
 * each cluster's stored rows), found by the Hungarian method (Kuhn 1955;
 * the O(k^3) potentials form).  A cluster without stored rows in a fold
 * costs the same against every partner.  Matched clusters are then
 * numbered 1..k from the largest (rows over every fold).
 *
 * The silhouette of a row is computed within its own fold (against that
 * fold's rows, with that fold's clustering, in that fold's preprocessed
 * space), exactly as the study scores the fold: the mean over a fold's rows
 * is its stored silhouette.  The projection pools the stored rows of every
 * fold (each preprocessed by its own fold; their columns are joined by
 * name) and takes their first two principal components (pca.c); a
 * cluster's centre is the mean of its rows there. */
#include "plot.h"
#include "tunefold/metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Strong, distinct colours for clusters (Tableau 10, matplotlib's cycle). */
static const char *const cluster_colors[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                             "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                                             "#bcbd22", "#17becf"};
#define N_COLORS (sizeof cluster_colors / sizeof cluster_colors[0])
/* Clusters named one by one in keys and tics; past that, colours only. */
#define MAX_NAMED 12

static const char *color(size_t display)
{
    return cluster_colors[(display - 1) % N_COLORS];
}

/* ---- the assignment problem ------------------------------------------------ */

/* Minimum-cost perfect matching of a k x k cost matrix (row-major): row i
 * goes to column assign[i].  Hungarian method with potentials u, v (rows and
 * columns 1-based inside, column 0 a sentinel). */
static int hungarian(const double *cost, size_t k, size_t *assign)
{
    double *u = calloc(k + 1, sizeof *u), *v = calloc(k + 1, sizeof *v);
    double *minv = malloc((k + 1) * sizeof *minv);
    size_t *p = calloc(k + 1, sizeof *p), *way = calloc(k + 1, sizeof *way);
    unsigned char *used = malloc(k + 1);
    int rc = -1;
    if (!u || !v || !minv || !p || !way || !used)
        goto done;
    for (size_t i = 1; i <= k; i++) {
        p[0] = i;
        size_t j0 = 0;
        for (size_t j = 0; j <= k; j++) {
            minv[j] = INFINITY;
            used[j] = 0;
        }
        do {
            used[j0] = 1;
            size_t i0 = p[j0], j1 = 0;
            double delta = INFINITY;
            for (size_t j = 1; j <= k; j++) {
                if (used[j])
                    continue;
                double cur = cost[(i0 - 1) * k + (j - 1)] - u[i0] - v[j];
                if (cur < minv[j]) {
                    minv[j] = cur;
                    way[j] = j0;
                }
                if (minv[j] < delta) {
                    delta = minv[j];
                    j1 = j;
                }
            }
            for (size_t j = 0; j <= k; j++) {
                if (used[j]) {
                    u[p[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
        } while (p[j0] != 0);
        do {
            size_t j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
        } while (j0);
    }
    for (size_t j = 1; j <= k; j++)
        assign[p[j] - 1] = j - 1;
    rc = 0;
done:
    free(u);
    free(v);
    free(minv);
    free(p);
    free(way);
    free(used);
    return rc;
}

/* ---- the stored rows --------------------------------------------------------- */

struct features {
    size_t n, d;
    double *x;        /* n x d, column-major */
    long *row;
    int *fold;
};

static void features_release(struct features *f)
{
    free(f->x);
    free(f->row);
    free(f->fold);
    memset(f, 0, sizeof *f);
}

static int features_parse(const char *text, size_t len, struct features *f,
                          struct tune_error *err)
{
    struct tune_table *t = NULL;
    memset(f, 0, sizeof *f);
    int rc = tune_table_parse_csv("oof_features.csv", text, len, &t, err);
    if (rc)
        return rc;
    size_t n = t->n_rows;
    if (t->n_cols < 3 || strcmp(t->cols[0].name, "row") != 0 ||
        strcmp(t->cols[1].name, "fold") != 0) {
        rc = tune_error_set(err, TUNE_EINVAL,
                            "oof_features.csv: expected the columns row,fold and the features");
        goto done;
    }
    for (size_t j = 0; j < t->n_cols; j++)
        if (t->cols[j].kind != TUNE_COL_NUMERIC) {
            rc = tune_error_set(err, TUNE_EINVAL, "oof_features.csv: column '%s' is not numeric",
                                t->cols[j].name);
            goto done;
        }
    f->n = n;
    f->d = t->n_cols - 2;
    f->x = malloc((n * f->d + 1) * sizeof *f->x);
    f->row = malloc((n + 1) * sizeof *f->row);
    f->fold = malloc((n + 1) * sizeof *f->fold);
    if (!f->x || !f->row || !f->fold) {
        rc = tune_error_set(err, TUNE_ENOMEM, "out of memory reading oof_features.csv");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        double r = t->data[i], fo = t->data[n + i];
        if (!(r >= 0 && r <= 1e15 && r == floor(r)) || !(fo >= 0 && fo <= 1e9 && fo == floor(fo))) {
            rc = tune_error_set(err, TUNE_EINVAL, "oof_features.csv: line %zu: bad row or fold",
                                i + 2);
            goto done;
        }
        f->row[i] = (long)r;
        f->fold[i] = (int)fo;
    }
    memcpy(f->x, t->data + 2 * n, n * f->d * sizeof *f->x);
    for (size_t i = 0; i < n * f->d; i++)
        if (!isfinite(f->x[i])) {
            rc = tune_error_set(err, TUNE_EINVAL, "oof_features.csv: line %zu: a value that is "
                                                  "not a finite number",
                                i % n + 2);
            goto done;
        }
done:
    tune_table_free(t);
    if (rc)
        features_release(f);
    return rc;
}

/* (row, index into oof) sorted by row, for looking rows up. */
struct row_at {
    long row;
    size_t at;
};

static int by_row(const void *a, const void *b)
{
    const struct row_at *x = a, *y = b;
    return (x->row > y->row) - (x->row < y->row);
}

/* ---- drawing --------------------------------------------------------------- */

/* Everything the three pictures share. */
struct clusters {
    size_t k;              /* cluster ids 0..k-1 (oof->n_clusters) */
    size_t n_folds;
    size_t ref;            /* reference fold (index into oof->folds) */
    size_t *map;           /* n_folds x k: a fold's id -> the reference fold's id */
    size_t *display;       /* k: reference id -> 1..k by size, 0 when empty */
    size_t *size;          /* k + 1, by display number */
    size_t shown;          /* clusters with rows */
    long *label;           /* features row -> its fold's cluster id (-1: not in oof) */
    size_t *fold_index;    /* features row -> index into oof->folds */
};

static void clusters_release(struct clusters *c)
{
    free(c->map);
    free(c->display);
    free(c->size);
    free(c->label);
    free(c->fold_index);
}

static size_t fold_index_of(const struct tune_oof *oof, int fold)
{
    for (size_t i = 0; i < oof->n_folds; i++)
        if (oof->folds[i] == fold)
            return i;
    return oof->n_folds;
}

/* Labels of the stored rows, the matching and the numbering (top comment). */
static int clusters_make(const struct tune_oof *oof, const struct features *f,
                         struct clusters *c, struct tune_error *err)
{
    size_t k = oof->n_clusters, nf = oof->n_folds, d = f->d;
    memset(c, 0, sizeof *c);
    c->k = k;
    c->n_folds = nf;
    c->map = malloc((nf * k + 1) * sizeof *c->map);
    c->display = calloc(k + 1, sizeof *c->display);
    c->size = calloc(k + 1, sizeof *c->size);
    c->label = malloc((f->n + 1) * sizeof *c->label);
    c->fold_index = malloc((f->n + 1) * sizeof *c->fold_index);
    struct row_at *idx = malloc((oof->n + 1) * sizeof *idx);
    double *cent = calloc(nf * k * d + 1, sizeof *cent), *cost = malloc((k * k + 1) * sizeof *cost);
    size_t *count = calloc(nf * k + 1, sizeof *count), *per_fold = calloc(nf + 1, sizeof *per_fold);
    size_t *assign = malloc((k + 1) * sizeof *assign), *order = malloc((k + 1) * sizeof *order);
    size_t *ref_size = calloc(k + 1, sizeof *ref_size);
    int rc = TUNE_OK;
    if (!c->map || !c->display || !c->size || !c->label || !c->fold_index || !idx || !cent ||
        !cost || !count || !per_fold || !assign || !order || !ref_size) {
        rc = tune_error_set(err, TUNE_ENOMEM, "out of memory for the cluster pictures");
        goto done;
    }
    for (size_t i = 0; i < oof->n; i++)
        idx[i] = (struct row_at){oof->row[i], i};
    qsort(idx, oof->n, sizeof *idx, by_row);
    for (size_t i = 0; i < f->n; i++) {
        struct row_at key = {f->row[i], 0};
        const struct row_at *hit = bsearch(&key, idx, oof->n, sizeof *idx, by_row);
        size_t fi = fold_index_of(oof, f->fold[i]);
        c->fold_index[i] = fi;
        c->label[i] = hit && fi < nf && oof->fold[hit->at] == f->fold[i]
                          ? (long)oof->y_pred[hit->at]
                          : -1;
        if (c->label[i] < 0)
            continue;
        size_t a = fi * k + (size_t)c->label[i];
        count[a]++;
        per_fold[fi]++;
        for (size_t j = 0; j < d; j++)
            cent[a * d + j] += f->x[j * f->n + i];
    }
    for (size_t a = 0; a < nf * k; a++)
        for (size_t j = 0; j < d && count[a]; j++)
            cent[a * d + j] /= (double)count[a];
    for (size_t fi = 1; fi < nf; fi++)
        if (per_fold[fi] > per_fold[c->ref])
            c->ref = fi;
    for (size_t fi = 0; fi < nf; fi++) {
        if (fi == c->ref) {
            for (size_t a = 0; a < k; a++)
                c->map[fi * k + a] = a;
            continue;
        }
        double worst = 0;
        for (size_t a = 0; a < k; a++)
            for (size_t r = 0; r < k; r++) {
                const double *x = &cent[(fi * k + a) * d], *y = &cent[(c->ref * k + r) * d];
                double s = NAN;
                if (count[fi * k + a] && count[c->ref * k + r]) {
                    s = 0;
                    for (size_t j = 0; j < d; j++)
                        s += (x[j] - y[j]) * (x[j] - y[j]);
                    worst = fmax(worst, s);
                }
                cost[a * k + r] = s;
            }
        /* a cluster without rows matches anything at one same, high cost */
        for (size_t t = 0; t < k * k; t++)
            if (isnan(cost[t]))
                cost[t] = 2 * worst + 1;
        if (hungarian(cost, k, assign)) {
            rc = tune_error_set(err, TUNE_ENOMEM, "out of memory for the cluster pictures");
            goto done;
        }
        for (size_t a = 0; a < k; a++)
            c->map[fi * k + a] = assign[a];
    }
    /* sizes over every out-of-fold row, by reference id; then by size */
    for (size_t i = 0; i < oof->n; i++) {
        size_t fi = fold_index_of(oof, oof->fold[i]);
        ref_size[c->map[fi * k + (size_t)oof->y_pred[i]]]++;
    }
    for (size_t a = 0; a < k; a++)
        order[a] = a;
    for (size_t a = 1; a < k; a++) /* insertion sort: larger first, ties by id */
        for (size_t b = a; b > 0 && ref_size[order[b]] > ref_size[order[b - 1]]; b--) {
            size_t t = order[b];
            order[b] = order[b - 1];
            order[b - 1] = t;
        }
    for (size_t r = 0; r < k; r++)
        if (ref_size[order[r]]) {
            c->display[order[r]] = ++c->shown;
            c->size[c->shown] = ref_size[order[r]];
        }
done:
    free(idx);
    free(cent);
    free(cost);
    free(count);
    free(per_fold);
    free(assign);
    free(order);
    free(ref_size);
    if (rc)
        clusters_release(c);
    return rc;
}

/* The display number of stored row i (0: none). */
static size_t display_of(const struct clusters *c, size_t i)
{
    if (c->label[i] < 0 || c->fold_index[i] >= c->n_folds)
        return 0;
    return c->display[c->map[c->fold_index[i] * c->k + (size_t)c->label[i]]];
}

static void title_lines(struct tune_text *gp, const char *head, const char *title)
{
    tune_text_printf(gp, "set title ");
    tune_plot_quote(gp, head, 0);
    tune_text_printf(gp, " . \"\\n\" . ");
    tune_plot_quote(gp, title, 90);
    tune_text_printf(gp, "\n");
}

static int draw_sizes(const struct clusters *c, size_t n_rows, const char *title,
                      const struct tune_plot_opts *o, struct tune_plot_log *log,
                      struct tune_error *err)
{
    struct tune_text data = {0}, gp = {0};
    tune_text_printf(&data, "# rows per cluster, every out-of-fold row (clusters matched across "
                            "folds, numbered from the largest): cluster rows share colour "
                            "(0xRRGGBB)\n");
    size_t top = 0;
    for (size_t q = 1; q <= c->shown; q++) {
        tune_text_printf(&data, "%zu %zu ", q, c->size[q]);
        tune_text_num(&data, (double)c->size[q] / (double)n_rows);
        tune_text_printf(&data, " %ld\n", strtol(color(q) + 1, NULL, 16));
        top = c->size[q] > top ? c->size[q] : top;
    }
    tune_plot_preamble(&gp, o, "cluster_sizes", 0, 0);
    char head[160];
    snprintf(head, sizeof head, "Cluster sizes (%zu clusters, %zu out-of-fold rows)", c->shown,
             n_rows);
    title_lines(&gp, head, title);
    tune_text_printf(&gp, "set style fill solid 0.85 noborder\nset boxwidth 0.7\n"
                          "set xrange [0.3:%zu.7]\nset yrange [0:%.17g]\n"
                          "set xlabel 'cluster (largest first)'\nset ylabel 'rows'\n"
                          "set grid noxtics ytics\nset key off\n",
                     c->shown, (double)top * 1.15 + 1);
    if (c->shown <= 30)
        tune_text_printf(&gp, "set xtics 1\n");
    tune_text_printf(&gp, "plot 'cluster_sizes.dat' using 1:2:4 with boxes lc rgb variable, \\\n"
                          "     '' using 1:2:(sprintf('%%d (%%.0f%%%%)', $2, 100*$3)) with "
                          "labels offset 0,0.8 font ',10'\n");
    int rc = tune_text_save(&data, o->out_dir, "cluster_sizes.dat", err);
    if (!rc)
        rc = tune_plot_finish(&gp, o, log, "cluster_sizes",
                              "Rows per cluster over every validation fold (clusters matched "
                              "across folds by their centres, numbered from the largest)",
                              err);
    tune_text_release(&data);
    tune_text_release(&gp);
    return rc;
}

struct sil_row {
    size_t display;
    double s;
    int fold;
    long row;
};

static int by_cluster_then_value(const void *a, const void *b)
{
    const struct sil_row *x = a, *y = b;
    if (x->display != y->display)
        return x->display < y->display ? -1 : 1;
    if (x->s != y->s)
        return x->s < y->s ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row);
}

static int draw_silhouette(const struct tune_oof *oof, const struct features *f,
                           const struct clusters *c, const char *title,
                           const struct tune_plot_opts *o, struct tune_plot_log *log,
                           struct tune_error *err)
{
    size_t n = f->n, d = f->d;
    struct sil_row *sr = malloc((n + 1) * sizeof *sr);
    double *x = malloc((n * d + 1) * sizeof *x), *s = malloc((n + 1) * sizeof *s);
    size_t *rows = malloc((n + 1) * sizeof *rows);
    int *labels = malloc((n + 1) * sizeof *labels);
    struct tune_text data = {0}, gp = {0};
    int rc = TUNE_OK;
    size_t m = 0, undefined_folds = 0;
    if (!sr || !x || !s || !rows || !labels) {
        rc = tune_error_set(err, TUNE_ENOMEM, "out of memory for the silhouette picture");
        goto done;
    }
    /* each fold's rows on their own, as the study scored them */
    for (size_t fi = 0; fi < oof->n_folds; fi++) {
        size_t nr = 0;
        for (size_t i = 0; i < n; i++)
            if (c->fold_index[i] == fi && c->label[i] >= 0) {
                rows[nr] = i;
                labels[nr] = (int)c->label[i];
                nr++;
            }
        if (nr == 0)
            continue;
        for (size_t j = 0; j < d; j++)
            for (size_t r = 0; r < nr; r++)
                x[j * nr + r] = f->x[j * n + rows[r]];
        struct tune_matrix fm = {nr, d, x};
        if (tune_metric_silhouette_samples(&fm, labels, c->k, s)) {
            undefined_folds++; /* one cluster in this fold's rows, say */
            continue;
        }
        for (size_t r = 0; r < nr; r++)
            sr[m++] = (struct sil_row){display_of(c, rows[r]), s[r], oof->folds[fi],
                                       f->row[rows[r]]};
    }
    if (m == 0) { /* nothing to draw: no picture (the page says why) */
        rc = TUNE_OK;
        goto done;
    }
    qsort(sr, m, sizeof *sr, by_cluster_then_value);
    double mean = 0, lo = 0;
    for (size_t i = 0; i < m; i++) {
        mean += sr[i].s;
        lo = fmin(lo, sr[i].s);
    }
    mean /= (double)m;
    /* blocks of rows, one per cluster, a gap between (scikit-learn's 10 rows
     * for 150; more for many rows) */
    size_t gap = m / 15 > 2 ? m / 15 : 2, y = gap, first = 1;
    tune_text_printf(&data, "# the silhouette of every stored row within its validation fold, "
                            "one gnuplot index per cluster (sorted within it): y silhouette "
                            "cluster fold row\n");
    struct tune_text tics = {0}, plot = {0};
    tune_text_printf(&tics, "set ytics (");
    size_t block = 0;
    for (size_t i = 0; i < m;) {
        size_t q = sr[i].display, j = i;
        double sum = 0;
        while (j < m && sr[j].display == q)
            sum += sr[j++].s;
        tune_text_printf(&data, "%s# cluster %zu\n", first ? "" : "\n\n", q);
        for (size_t t = i; t < j; t++) {
            tune_text_printf(&data, "%zu ", y + (t - i));
            tune_text_num(&data, sr[t].s);
            tune_text_printf(&data, " %zu %d %ld\n", q, sr[t].fold, sr[t].row);
        }
        if (q <= MAX_NAMED || c->shown <= MAX_NAMED)
            tune_text_printf(&tics, "%s'%zu' %.1f", first ? "" : ", ", q,
                             (double)y + (double)(j - i) / 2);
        char key[96];
        snprintf(key, sizeof key, "cluster %zu: %zu rows, mean %.3f", q, j - i,
                 sum / (double)(j - i));
        tune_text_printf(&plot, "%s'silhouette.dat' index %zu using ($2/2):1:(abs($2)/2):(0.5) "
                                "with boxxyerror fs solid 0.85 noborder lc rgb '%s' ",
                         first ? "plot " : ", \\\n     ", block, q ? color(q) : "#b0b0b0");
        if (c->shown <= MAX_NAMED) {
            tune_text_printf(&plot, "title ");
            tune_plot_quote(&plot, key, 0);
        } else {
            tune_text_printf(&plot, "notitle");
        }
        y += j - i + gap;
        first = 0;
        block++;
        i = j;
    }
    tune_text_printf(&tics, ")\n");
    tune_plot_preamble(&gp, o, "silhouette", 0, 0);
    char head[200];
    snprintf(head, sizeof head, "Silhouette of every row within its validation fold (%zu rows)",
             m);
    title_lines(&gp, head, title);
    tune_text_printf(&gp, "set xlabel 'silhouette coefficient (higher is better)'\n"
                          "set ylabel 'cluster'\nset xrange [%.17g:1]\nset yrange [0:%zu]\n"
                          "set grid xtics noytics\nset key below horizontal\nset bmargin %d\n",
                     lo < -0.1 ? lo - 0.05 : -0.1, y, c->shown <= MAX_NAMED ? 8 : 4);
    tune_text_put(&gp, tics.p ? tics.p : "", tics.len);
    tune_text_printf(&gp, "set ytics scale 0\n"
                          "set arrow 1 from %.17g, graph 0 to %.17g, graph 1 nohead dt 2 lw 2 "
                          "lc rgb '#202020'\n"
                          "set arrow 2 from 0, graph 0 to 0, graph 1 nohead lw 1 lc rgb '#808080'\n",
                     mean, mean);
    tune_text_put(&gp, plot.p ? plot.p : "", plot.len);
    char mean_key[64];
    snprintf(mean_key, sizeof mean_key, "mean %.3f", mean);
    tune_text_printf(&gp, ", \\\n     NaN with lines dt 2 lw 2 lc rgb '#202020' title ");
    tune_plot_quote(&gp, mean_key, 0);
    tune_text_printf(&gp, "\n");
    gp.oom |= tics.oom | plot.oom;
    tune_text_release(&tics);
    tune_text_release(&plot);
    char caption[300];
    snprintf(caption, sizeof caption,
             "Silhouette of every row within its validation fold, sorted within each cluster; "
             "the dashed line is their mean (%.3f)%s",
             mean, undefined_folds ? "; folds with fewer than 2 clusters left out" : "");
    rc = tune_text_save(&data, o->out_dir, "silhouette.dat", err);
    if (!rc)
        rc = tune_plot_finish(&gp, o, log, "silhouette", caption, err);
done:
    tune_text_release(&data);
    tune_text_release(&gp);
    free(sr);
    free(x);
    free(s);
    free(rows);
    free(labels);
    return rc;
}

static int draw_projection(const struct features *f, const struct clusters *c,
                           const char *title, const struct tune_plot_opts *o,
                           struct tune_plot_log *log, struct tune_error *err)
{
    size_t n = f->n;
    double *coords = malloc((2 * n + 1) * sizeof *coords), ratio[2];
    double *sum = calloc(2 * (c->shown + 1), sizeof *sum);
    size_t *count = calloc(c->shown + 1, sizeof *count);
    struct tune_text data = {0}, centres = {0}, gp = {0};
    int rc = TUNE_OK;
    if (!coords || !sum || !count) {
        rc = tune_error_set(err, TUNE_ENOMEM, "out of memory for the projection");
        goto done;
    }
    struct tune_matrix x = {n, f->d, f->x};
    if ((rc = tune_report_pca2(&x, coords, ratio, err))) {
        tune_error_prefix(err, "oof_features.csv");
        goto done;
    }
    tune_text_printf(&data, "# the stored rows on the first two principal components, one "
                            "gnuplot index per cluster: pc1 pc2 cluster row fold\n");
    for (size_t q = 1; q <= c->shown; q++) {
        tune_text_printf(&data, "%s# cluster %zu\n", q > 1 ? "\n\n" : "", q);
        for (size_t i = 0; i < n; i++) {
            if (display_of(c, i) != q)
                continue;
            tune_text_num(&data, coords[2 * i]);
            tune_text_printf(&data, " ");
            tune_text_num(&data, coords[2 * i + 1]);
            tune_text_printf(&data, " %zu %ld %d\n", q, f->row[i], f->fold[i]);
            sum[2 * q] += coords[2 * i];
            sum[2 * q + 1] += coords[2 * i + 1];
            count[q]++;
        }
    }
    tune_text_printf(&centres, "# each cluster's centre, the mean of its rows: cluster pc1 pc2 "
                               "rows\n");
    for (size_t q = 1; q <= c->shown; q++) {
        if (!count[q])
            continue;
        tune_text_printf(&centres, "%zu ", q);
        tune_text_num(&centres, sum[2 * q] / (double)count[q]);
        tune_text_printf(&centres, " ");
        tune_text_num(&centres, sum[2 * q + 1] / (double)count[q]);
        tune_text_printf(&centres, " %zu\n", count[q]);
    }
    tune_plot_preamble(&gp, o, "clusters_pca", 0, 0);
    char head[160];
    snprintf(head, sizeof head, "Clusters on the first two principal components (%zu rows)", n);
    title_lines(&gp, head, title);
    tune_text_printf(&gp, "set xlabel 'PC1 (%.1f%% of the variance)'\n"
                          "set ylabel 'PC2 (%.1f%% of the variance)'\n"
                          "set size ratio -1\nset offsets graph 0.05, graph 0.05, graph 0.05, "
                          "graph 0.05\nset key below horizontal\nset bmargin %d\n",
                     100 * ratio[0], 100 * ratio[1], c->shown <= MAX_NAMED ? 7 : 4);
    const char *sep = "plot ";
    for (size_t q = 1; q <= c->shown; q++) {
        tune_text_printf(&gp, "%s'clusters_pca.dat' index %zu using 1:2 with points pt 7 ps 0.7 "
                              "lc rgb '%s' ",
                         sep, q - 1, color(q));
        if (c->shown <= MAX_NAMED)
            tune_text_printf(&gp, "title 'cluster %zu (%zu)'", q, count[q]);
        else
            tune_text_printf(&gp, "notitle");
        sep = ", \\\n     ";
    }
    tune_text_printf(&gp, "%s'clusters_pca_centres.dat' using 2:3 with points pt 7 ps 3.4 "
                          "lc rgb 'white' notitle, \\\n"
                          "     '' using 2:3 with points pt 6 ps 3.4 lw 2 lc rgb '#202020' "
                          "title 'centre (mean of its rows)', \\\n"
                          "     '' using 2:3:(sprintf('%%d', $1)) with labels font ',10' "
                          "tc rgb '#202020' notitle\n",
                     sep);
    rc = tune_text_save(&data, o->out_dir, "clusters_pca.dat", err);
    if (!rc)
        rc = tune_text_save(&centres, o->out_dir, "clusters_pca_centres.dat", err);
    char caption[300];
    snprintf(caption, sizeof caption,
             "The validated rows on their first two principal components (%.0f%% and %.0f%% of "
             "the variance), coloured by cluster; circles mark each cluster's centre",
             100 * ratio[0], 100 * ratio[1]);
    if (!rc)
        rc = tune_plot_finish(&gp, o, log, "clusters_pca", caption, err);
done:
    tune_text_release(&data);
    tune_text_release(&centres);
    tune_text_release(&gp);
    free(coords);
    free(sum);
    free(count);
    return rc;
}

int tune_report_clusters(const struct tune_oof *oof, const char *features, size_t len,
                         const char *title, const struct tune_plot_opts *o,
                         struct tune_plot_log *log, struct tune_error *err)
{
    if (oof->n_classes || !oof->distance)
        return tune_error_set(err, TUNE_EINVAL, "cluster pictures need a clustering study");
    if (oof->n == 0 || oof->n_clusters == 0)
        return TUNE_OK;
    struct features f;
    struct clusters c;
    int rc = features_parse(features, len, &f, err);
    if (rc)
        return rc;
    if ((rc = clusters_make(oof, &f, &c, err))) {
        features_release(&f);
        return rc;
    }
    if (!(rc = draw_sizes(&c, oof->n, title, o, log, err)) &&
        !(rc = draw_silhouette(oof, &f, &c, title, o, log, err)) && f.n >= 2)
        rc = draw_projection(&f, &c, title, o, log, err);
    clusters_release(&c);
    features_release(&f);
    return rc;
}
