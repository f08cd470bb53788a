/* SPDX-License-Identifier: GPL-3.0-or-later */
/* elbow.c — `tunefold elbow`: k-means inertia against k with the elbow
 * found by the Kneedle method, and the mean silhouette against k beside it.
 *
 * Kneedle (Satopää, Albrecht, Irwin & Raghavan, "Finding a 'Kneedle' in a
 * Haystack", ICDCS workshops 2011), offline, without smoothing: for a convex
 * decreasing curve, normalize x and y to [0, 1] and take the difference
 * curve d_i = 1 - x_n,i - y_n,i (the distance below the chord from (0, 1)
 * to (1, 0)).  A knee candidate is a local maximum of d; it is declared a
 * knee when, before the next local maximum, d falls below the threshold
 * T = d_max - S * mean(x_n,i+1 - x_n,i) (S = 1, the paper's default).  The
 * first such candidate is the elbow.  A straight line has no local maximum
 * and so no elbow.
 *
 * k-means: tune_kmeans_elbow (k-means++, n_init runs per k, seeded).  The
 * silhouette is tune_metric_silhouette: exact up to SIL_ROWS rows, else on
 * SIL_ROWS rows drawn with the seed. */
#include "plot.h"
#include "tunefold/kmeans.h"
#include "tunefold/metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIL_ROWS 3000

long tune_kneedle_convex_decreasing(const double *x, const double *y, size_t n, double S)
{
    if (n < 3)
        return -1;
    double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i]))
            return -1;
        xmin = fmin(xmin, x[i]);
        xmax = fmax(xmax, x[i]);
        ymin = fmin(ymin, y[i]);
        ymax = fmax(ymax, y[i]);
    }
    if (!(xmax > xmin) || !(ymax > ymin))
        return -1;
    double *d = malloc(n * sizeof *d);
    if (!d)
        return -1;
    for (size_t i = 0; i < n; i++)
        d[i] = 1 - (x[i] - xmin) / (xmax - xmin) - (y[i] - ymin) / (ymax - ymin);
    double step = 1.0 / (double)(n - 1); /* mean spacing of the normalized x */
    long knee = -1;
    for (size_t i = 1; i + 1 < n && knee < 0; i++) {
        if (!(d[i] > d[i - 1] && d[i] > d[i + 1]))
            continue; /* not a local maximum */
        double T = d[i] - S * step;
        for (size_t j = i + 1; j < n; j++) {
            if (j + 1 < n && d[j] > d[j - 1] && d[j] > d[j + 1])
                break; /* the next local maximum came first */
            if (d[j] < T) {
                knee = (long)i;
                break;
            }
        }
    }
    free(d);
    return knee;
}

void tune_elbow_release(struct tune_elbow *e)
{
    if (!e)
        return;
    free(e->inertia);
    free(e->silhouette);
    memset(e, 0, sizeof *e);
}

int tune_elbow_compute(const struct tune_matrix *x, size_t k_max, size_t n_init, uint64_t seed,
                       struct tune_elbow *out, struct tune_error *err)
{
    memset(out, 0, sizeof *out);
    /* k = 1 alone has no elbow to find and no silhouette */
    if (k_max < 2 || k_max > x->n_rows)
        return tune_error_set(err, TUNE_EINVAL, "--k-max: %zu is not in [2, %zu] (the rows)",
                              k_max, x->n_rows);
    struct tune_kmeans_options o;
    tune_kmeans_options_init(&o, 1);
    o.n_init = n_init ? n_init : 1;
    o.seed = seed;
    out->k_max = k_max;
    out->n_rows = x->n_rows;
    out->n_cols = x->n_cols;
    out->inertia = malloc(k_max * sizeof *out->inertia);
    out->silhouette = malloc(k_max * sizeof *out->silhouette);
    int *labels = malloc(k_max * x->n_rows * sizeof *labels);
    double *ks = malloc(k_max * sizeof *ks);
    int rc;
    if (!out->inertia || !out->silhouette || !labels || !ks) {
        rc = tune_error_set(err, TUNE_ENOMEM, "out of memory for the elbow");
        goto fail;
    }
    if ((rc = tune_kmeans_elbow(x, &o, k_max, out->inertia, labels, err)))
        goto fail;
    double best_sil = -INFINITY;
    for (size_t k = 1; k <= k_max; k++) {
        ks[k - 1] = (double)k;
        out->silhouette[k - 1] =
            k >= 2 && k < x->n_rows
                ? tune_metric_silhouette(x, &labels[(k - 1) * x->n_rows], k,
                                         x->n_rows > SIL_ROWS ? SIL_ROWS : 0, seed)
                : NAN;
        if (out->silhouette[k - 1] > best_sil) {
            best_sil = out->silhouette[k - 1];
            out->best_silhouette_k = k;
        }
    }
    long knee = tune_kneedle_convex_decreasing(ks, out->inertia, k_max, 1.0);
    out->elbow_k = knee >= 0 ? (size_t)knee + 1 : 0;
    free(labels);
    free(ks);
    return TUNE_OK;
fail:
    free(labels);
    free(ks);
    tune_elbow_release(out);
    return rc;
}

/* "set yrange [lo:hi]" over the finite values, padded; a single value (or
 * equal ones) gets a range of its own, so gnuplot never warns about an
 * empty range. */
static void y_range(struct tune_text *gp, const double *v, size_t n, double min_span)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i])) {
            lo = fmin(lo, v[i]);
            hi = fmax(hi, v[i]);
        }
    if (!(hi >= lo))
        return;
    double pad = hi - lo > min_span ? 0.08 * (hi - lo) : fmax(min_span, 0.1 * fabs(hi));
    tune_text_printf(gp, "set yrange [%.17g:%.17g]\n", lo - pad, hi + pad);
}

int tune_elbow_plot(const struct tune_elbow *e, const char *title,
                    const struct tune_plot_opts *o, struct tune_plot_log *log,
                    struct tune_error *err)
{
    struct tune_plot_opts r = tune_plot_opts_resolved(o);
    struct tune_text data = {0}, gp = {0};
    tune_text_printf(&data, "# k-means for k = 1..%zu: k inertia silhouette\n", e->k_max);
    for (size_t k = 1; k <= e->k_max; k++) {
        tune_text_printf(&data, "%zu ", k);
        tune_text_num(&data, e->inertia[k - 1]);
        tune_text_printf(&data, " ");
        tune_text_num(&data, e->silhouette[k - 1]);
        tune_text_printf(&data, "\n");
    }
    unsigned w = r.width * 3 / 2, h = r.height * 3 / 4;
    tune_plot_preamble(&gp, o, "elbow", w, h);
    char head[200];
    snprintf(head, sizeof head, "k-means on %zu rows x %zu columns: ", e->n_rows, e->n_cols);
    tune_text_printf(&gp, "set multiplot layout 1,2 title ");
    tune_plot_quote(&gp, head, 0);
    tune_text_printf(&gp, " . ");
    tune_plot_quote(&gp, title, 80);
    tune_text_printf(&gp, "\nset xrange [0.5:%zu.5]\nset xtics 1\nset xlabel 'k (clusters)'\n"
                          "set key top right\n",
                     e->k_max);
    /* left: inertia and the elbow */
    char t[128];
    if (e->elbow_k)
        snprintf(t, sizeof t, "Inertia; elbow at k = %zu (Kneedle)", e->elbow_k);
    else
        snprintf(t, sizeof t, "Inertia; no elbow found (Kneedle)");
    tune_text_printf(&gp, "set title ");
    tune_plot_quote(&gp, t, 0);
    tune_text_printf(&gp, "\nset ylabel 'inertia (sum of squared distances)'\n");
    y_range(&gp, e->inertia, e->k_max, 1e-12);
    if (e->elbow_k)
        tune_text_printf(&gp, "set arrow 1 from %zu, graph 0 to %zu, graph 1 nohead dt 2 lw 1.5 "
                              "lc rgb '#d62728'\n",
                         e->elbow_k, e->elbow_k);
    tune_text_printf(&gp, "plot 'elbow.dat' using 1:2 with linespoints pt 7 lw 2 lc rgb "
                          "'#08519c' title 'inertia'");
    if (e->elbow_k)
        tune_text_printf(&gp, ", \\\n     'elbow.dat' using 1:($1 == %zu ? $2 : NaN) with points "
                              "pt 6 ps 3 lw 2 lc rgb '#d62728' title 'elbow'",
                         e->elbow_k);
    tune_text_printf(&gp, "\nunset arrow 1\n");
    /* right: silhouette */
    if (e->best_silhouette_k)
        snprintf(t, sizeof t, "Mean silhouette; highest at k = %zu", e->best_silhouette_k);
    else
        snprintf(t, sizeof t, "Mean silhouette (needs 2 <= k < rows)");
    tune_text_printf(&gp, "set title ");
    tune_plot_quote(&gp, t, 0);
    tune_text_printf(&gp, "\nset ylabel 'mean silhouette (higher is better)'\n");
    y_range(&gp, e->silhouette, e->k_max, 0.05);
    if (e->best_silhouette_k)
        tune_text_printf(&gp, "plot 'elbow.dat' using 1:3 with linespoints pt 7 lw 2 lc rgb "
                              "'#31a354' title 'silhouette', \\\n     'elbow.dat' using "
                              "1:($1 == %zu ? $3 : NaN) with points pt 6 ps 3 lw 2 "
                              "lc rgb '#d62728' title 'highest'\n",
                         e->best_silhouette_k);
    else
        tune_text_printf(&gp, "set yrange [-1:1]\nplot NaN notitle\n");
    tune_text_printf(&gp, "unset multiplot\n");
    int rc = tune_report_mkdir(o->out_dir, err);
    if (!rc)
        rc = tune_text_save(&data, o->out_dir, "elbow.dat", err);
    if (!rc)
        rc = tune_plot_finish(&gp, o, log, "elbow",
                              "k-means inertia against k with the elbow, and the silhouette",
                              err);
    tune_text_release(&data);
    tune_text_release(&gp);
    return rc;
}
