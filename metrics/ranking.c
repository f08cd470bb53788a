/* ranking.c — ROC AUC: binary, and one-vs-rest macro over k classes.
 *
 * How it works (scikit-learn's roc_curve + auc, in O(n log n)): sort rows by
 * score, highest first; walk the groups of equal scores (each distinct score
 * is one threshold), adding the group's positives and negatives to running
 * counts tp and fp; each group moves the ROC curve from (fp0, tp0) to
 * (fp1, tp1) and adds the trapezoid (fp1 - fp0)(tp1 + tp0) / 2.  A group that
 * mixes both classes is therefore a diagonal step, which credits each tied
 * positive-negative pair one half — the Mann-Whitney U statistic with
 * mid-ranks.  The trapezoids are summed in counts (integers held exactly in
 * doubles up to 2^53) and divided by P * N once at the end, so the only
 * rounding is that final division.
 *
 * Invariants: pure functions; NAN when the curve is undefined (a class with
 * no rows, no rows at all, a NAN score, a truth code outside the classes)
 * where scikit-learn would raise; the sort workspace is one malloc per call,
 * and its failure also yields NAN. */
#include "tunefold/metrics.h"

#include <math.h>
#include <stdlib.h>

struct scored_row {
    double score;
    int positive;
};

static int by_score_descending(const void *a, const void *b)
{
    double x = ((const struct scored_row *)a)->score;
    double y = ((const struct scored_row *)b)->score;
    return (x < y) - (x > y);
}

/* Area under the ROC curve of `rows` (reordered in place).  The caller has
 * ruled out NAN scores, which would break the sort's ordering. */
static double auc_of_rows(struct scored_row *rows, size_t n)
{
    qsort(rows, n, sizeof *rows, by_score_descending);
    double tp = 0.0, fp = 0.0, twice_area = 0.0;
    size_t i = 0;
    while (i < n) {
        double tp0 = tp, fp0 = fp, score = rows[i].score;
        for (; i < n && rows[i].score == score; i++) {
            if (rows[i].positive)
                tp += 1.0;
            else
                fp += 1.0;
        }
        twice_area += (fp - fp0) * (tp + tp0);
    }
    if (tp == 0.0 || fp == 0.0)
        return NAN;
    return twice_area / (2.0 * tp * fp);
}

double tune_metric_roc_auc(const int *truth, const double *score, size_t n)
{
    if (n == 0)
        return NAN;
    struct scored_row *rows = malloc(n * sizeof *rows);
    if (!rows)
        return NAN;
    double result = NAN;
    for (size_t i = 0; i < n; i++) {
        if ((truth[i] != 0 && truth[i] != 1) || isnan(score[i]))
            goto done;
        rows[i].score = score[i];
        rows[i].positive = truth[i] == 1;
    }
    result = auc_of_rows(rows, n);
done:
    free(rows);
    return result;
}

/* Each class in turn is the positive class, scored by its own probability
 * column; the result is the unweighted mean of the k binary AUCs
 * (roc_auc_score(multi_class="ovr", average="macro", labels=range(k))). */
double tune_metric_roc_auc_ovr(const int *truth, const double *proba, size_t n, size_t k)
{
    if (n == 0 || k < 2)
        return NAN;
    for (size_t i = 0; i < n; i++)
        if (truth[i] < 0 || (size_t)truth[i] >= k)
            return NAN;
    for (size_t i = 0; i < n * k; i++)
        if (isnan(proba[i]))
            return NAN;
    struct scored_row *rows = malloc(n * sizeof *rows);
    if (!rows)
        return NAN;
    double sum = 0.0;
    for (size_t c = 0; c < k; c++) {
        for (size_t i = 0; i < n; i++) {
            rows[i].score = proba[i * k + c];
            rows[i].positive = (size_t)truth[i] == c;
        }
        /* An absent class makes its AUC, and so the mean, NAN. */
        sum += auc_of_rows(rows, n);
    }
    free(rows);
    return sum / (double)k;
}
