/* SPDX-License-Identifier: GPL-3.0-or-later */
/* curves.c — the ROC curve and the precision-recall curve of binary scores,
 * point for point as scikit-learn's roc_curve and precision_recall_curve.
 *
 * Both walk the distinct scores from the highest (score_sort.c): each
 * distinct score is one threshold, and every row scoring at least the
 * threshold is predicted positive, so tied scores move the curve once.
 *
 * ROC: the points (fp_i / N, tp_i / P), preceded by (0, 0) at threshold +inf
 * (nothing predicted positive; scikit-learn 1.3 and later write inf there,
 * 1.2 wrote max + 1).  drop_intermediate removes a point when both the fp
 * and the tp counts have a zero second difference there (scikit-learn's
 * np.diff(_, 2) test): the point sits on the straight segment between its
 * neighbours, with equal steps on both sides, so the plotted curve and its
 * area are the same without it.  The first and last points always stay.
 * With no negative rows fpr is NAN everywhere, with no positive rows tpr is
 * (scikit-learn's answer, with its warning).
 *
 * Precision-recall: precision_i = tp_i / (tp_i + fp_i), recall_i = tp_i / P
 * (1 everywhere when P = 0, as scikit-learn sets it), in order of increasing
 * threshold, then the point (recall 0, precision 1), which has no threshold:
 * n points, n - 1 thresholds.
 *
 * Invariants: the output arrays are the caller's (release functions); an
 * input scikit-learn rejects (no rows, a NAN score, a truth code other than
 * 0/1) is TUNE_EINVAL naming the row. */
#include "tunefold/metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "score_sort.h"

/* Sorted positive and negative keys of the rows (caller frees *buf). */
static int rank_binary(const int *truth, const double *score, size_t n, uint64_t **buf,
                       struct tune_ranking *r, struct tune_error *err)
{
    *buf = NULL;
    if (n == 0)
        return tune_error_set(err, TUNE_EINVAL, "curve: no rows");
    size_t n_pos = 0;
    for (size_t i = 0; i < n; i++) {
        if (truth[i] != 0 && truth[i] != 1)
            return tune_error_set(err, TUNE_EINVAL,
                                  "curve: truth of row %zu is %d, not a class code 0 or 1",
                                  i + 1, truth[i]);
        if (isnan(score[i]))
            return tune_error_set(err, TUNE_EINVAL, "curve: score of row %zu is NaN", i + 1);
        n_pos += truth[i] == 1;
    }
    uint64_t *b = malloc(2 * n * sizeof *b);
    if (!b)
        return tune_error_set(err, TUNE_ENOMEM, "curve: out of memory for %zu rows", n);
    r->pos = b;
    r->neg = b + n_pos;
    r->n_pos = r->n_neg = 0;
    for (size_t i = 0; i < n; i++) {
        if (truth[i] == 1)
            r->pos[r->n_pos++] = tune_score_key(score[i]);
        else
            r->neg[r->n_neg++] = tune_score_key(score[i]);
    }
    tune_sort_keys(r->pos, b + n, r->n_pos);
    tune_sort_keys(r->neg, b + n, r->n_neg);
    *buf = b;
    return TUNE_OK;
}

static size_t count_thresholds(const struct tune_ranking *r)
{
    size_t i = 0, j = 0, dp, dn, m = 0;
    uint64_t key;
    while (tune_ranking_next(r, &i, &j, &key, &dp, &dn))
        m++;
    return m;
}

void tune_roc_curve_release(struct tune_roc_curve *c)
{
    if (!c)
        return;
    free(c->fpr);
    free(c->tpr);
    free(c->thresholds);
    memset(c, 0, sizeof *c);
}

void tune_pr_curve_release(struct tune_pr_curve *c)
{
    if (!c)
        return;
    free(c->precision);
    free(c->recall);
    free(c->thresholds);
    memset(c, 0, sizeof *c);
}

int tune_metric_roc_curve(const int *truth, const double *score, size_t n,
                          int drop_intermediate, struct tune_roc_curve *out,
                          struct tune_error *err)
{
    memset(out, 0, sizeof *out);
    uint64_t *buf;
    struct tune_ranking r;
    int rc = rank_binary(truth, score, n, &buf, &r, err);
    if (rc)
        return rc;
    size_t m = count_thresholds(&r);
    out->fpr = malloc((m + 1) * sizeof *out->fpr);
    out->tpr = malloc((m + 1) * sizeof *out->tpr);
    out->thresholds = malloc((m + 1) * sizeof *out->thresholds);
    if (!out->fpr || !out->tpr || !out->thresholds) {
        free(buf);
        tune_roc_curve_release(out);
        return tune_error_set(err, TUNE_ENOMEM, "roc curve: out of memory");
    }
    /* Counts go to fpr/tpr from index 1 (index 0 is the (0, 0) point), and
     * are divided once the totals are known. */
    size_t i = 0, j = 0, dp, dn, k = 0;
    uint64_t key;
    double tp = 0.0, fp = 0.0;
    while (tune_ranking_next(&r, &i, &j, &key, &dp, &dn)) {
        tp += (double)dp;
        fp += (double)dn;
        k++;
        out->fpr[k] = fp;
        out->tpr[k] = tp;
        out->thresholds[k] = tune_score_of_key(key);
    }
    free(buf);
    if (drop_intermediate && m > 2) {
        double *f = out->fpr + 1, *t = out->tpr + 1, *h = out->thresholds + 1;
        /* Keep point p when its second difference (against the original
         * neighbours p - 1 and p + 1) is non-zero in fp or tp; `prev_*` hold
         * the original value of the previous point, which compaction may
         * already have overwritten. */
        double prev_f = f[0], prev_t = t[0];
        size_t kept = 1;
        for (size_t p = 1; p + 1 < m; p++) {
            double cf = f[p], ct = t[p];
            int corner = f[p + 1] - 2.0 * cf + prev_f != 0.0 || t[p + 1] - 2.0 * ct + prev_t != 0.0;
            if (corner) {
                f[kept] = cf;
                t[kept] = ct;
                h[kept] = h[p];
                kept++;
            }
            prev_f = cf;
            prev_t = ct;
        }
        f[kept] = f[m - 1];
        t[kept] = t[m - 1];
        h[kept] = h[m - 1];
        m = kept + 1;
    }
    out->n = m + 1;
    out->fpr[0] = out->tpr[0] = 0.0;
    out->thresholds[0] = INFINITY;
    double total_f = out->fpr[m], total_t = out->tpr[m];
    for (size_t p = 0; p <= m; p++) {
        out->fpr[p] = total_f > 0.0 ? out->fpr[p] / total_f : NAN;
        out->tpr[p] = total_t > 0.0 ? out->tpr[p] / total_t : NAN;
    }
    return TUNE_OK;
}

int tune_metric_pr_curve(const int *truth, const double *score, size_t n,
                         struct tune_pr_curve *out, struct tune_error *err)
{
    memset(out, 0, sizeof *out);
    uint64_t *buf;
    struct tune_ranking r;
    int rc = rank_binary(truth, score, n, &buf, &r, err);
    if (rc)
        return rc;
    size_t m = count_thresholds(&r);
    out->precision = malloc((m + 1) * sizeof *out->precision);
    out->recall = malloc((m + 1) * sizeof *out->recall);
    out->thresholds = malloc((m ? m : 1) * sizeof *out->thresholds);
    if (!out->precision || !out->recall || !out->thresholds) {
        free(buf);
        tune_pr_curve_release(out);
        return tune_error_set(err, TUNE_ENOMEM, "precision-recall curve: out of memory");
    }
    /* The walk goes from the highest threshold down; the output runs from
     * the lowest up, so fill from the end of the threshold block. */
    size_t i = 0, j = 0, dp, dn, k = m;
    uint64_t key;
    double tp = 0.0, fp = 0.0, total = (double)r.n_pos;
    while (tune_ranking_next(&r, &i, &j, &key, &dp, &dn)) {
        tp += (double)dp;
        fp += (double)dn;
        k--;
        out->precision[k] = tp / (tp + fp);
        out->recall[k] = total > 0.0 ? tp / total : 1.0;
        out->thresholds[k] = tune_score_of_key(key);
    }
    free(buf);
    out->precision[m] = 1.0;
    out->recall[m] = 0.0;
    out->n = m + 1;
    return TUNE_OK;
}
