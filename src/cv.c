/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cv.c — cross-validation splits: k-fold, stratified k-fold, repeated, holdout.
 *
 * Invariants of every split this file returns:
 *   - train and valid are disjoint, their union is 0..n_rows-1, and both are
 *     ascending;
 *   - within one repeat of k-fold, every row is in exactly one valid fold;
 *   - the result depends only on (cfg, n_rows, labels, n_classes, seed).
 *
 * Randomness.  Repeat r draws from its own GSL gsl_rng_mt19937, seeded with
 *     s_r = splitmix64(seed ^ (r * 0x9E3779B97F4A7C15))
 * folded to 32 bits (s_r ^ (s_r >> 32)), because GSL's MT19937 keeps only the
 * low 32 bits of its seed.  Multiplying r by the golden-ratio constant before
 * the xor keeps (seed 0, repeat 1) and (seed 1, repeat 0) apart, which a plain
 * seed ^ r would not; splitmix64 then scatters neighbouring seeds.  A repeat's
 * permutation therefore does not depend on how many repeats there are, so
 * raising `repeats` keeps the earlier repeats' folds.  Shuffles use
 * gsl_ran_shuffle (Fisher-Yates).  With shuffle = 0 rows keep file order and
 * every repeat is the same split.
 *
 * Plain k-fold: after the shuffle, fold f takes the next n/k rows, and the
 * first n % k folds take one more (scikit-learn's KFold sizes).
 *
 * Stratified k-fold: each class's rows are shuffled on their own, the lists
 * are concatenated in class order, and position j of that concatenation goes
 * to fold j mod k.  Class c occupies a run of n_c consecutive positions, and
 * any run of n_c consecutive integers holds floor(n_c/k) or ceil(n_c/k) of
 * each residue mod k, so |count(c, f) - n_c/k| < 1.  The whole concatenation
 * is 0..n-1 dealt mod k, so fold sizes are those of plain k-fold (the first
 * n % k folds one larger).  Unlike scikit-learn we refuse, rather than warn
 * about, a class with fewer rows than folds: such a fold cannot contain the
 * class and its per-class metrics are undefined.  A class code with no rows at
 * all is simply absent and not an error.
 *
 * Holdout: one split per repeat with round(n * holdout) validation rows (the
 * first ones of the shuffled order).  Stratified holdout gives class c
 * q_c = floor(n_c * v / n) validation rows plus one more for the classes with
 * the largest remainders (ties to the lower class code) until the quotas sum
 * to v, so |q_c - n_c * v / n| < 1 and the total is exact. */
#include "tunefold/cv.h"
#include "src/seed.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

static unsigned long repeat_seed(uint64_t seed, size_t repeat)
{
    uint64_t s = tune_mix64(seed ^ ((uint64_t)repeat * 0x9E3779B97F4A7C15ULL));
    return (unsigned long)((s ^ (s >> 32)) & 0xFFFFFFFFULL);
}

void tune_splits_free(struct tune_splits *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        free(s->splits[i].train);
        free(s->splits[i].valid);
    }
    free(s->splits);
    free(s);
}

/* Fill `sp` from the fold assignment: rows with fold_of[i] == f are valid.
 * Walking i upwards makes both lists ascending without a sort. */
static int split_from_folds(const size_t *fold_of, size_t n_rows, size_t f, size_t n_valid,
                            struct tune_split *sp, struct tune_error *err)
{
    sp->n_valid = n_valid;
    sp->n_train = n_rows - n_valid;
    sp->valid = malloc((n_valid ? n_valid : 1) * sizeof *sp->valid);
    sp->train = malloc((sp->n_train ? sp->n_train : 1) * sizeof *sp->train);
    if (!sp->valid || !sp->train)
        return tune_error_set(err, TUNE_ENOMEM, "cv: out of memory for %zu rows", n_rows);
    size_t nv = 0, nt = 0;
    for (size_t i = 0; i < n_rows; i++) {
        if (fold_of[i] == f)
            sp->valid[nv++] = i;
        else
            sp->train[nt++] = i;
    }
    return TUNE_OK;
}

/* Validate the config and labels before the work buffers are sized,
 * returning the first problem with the cv key at fault; counts each class's
 * rows into class_n on the way. */
static int check_config(const struct tune_cv_config *cfg, size_t n_rows, const double *labels,
                        size_t n_classes, size_t *class_n, struct tune_error *err)
{
    if (cfg->repeats < 1)
        return tune_error_set(err, TUNE_EINVAL, "cv.repeats: must be >= 1");
    if (isnan(cfg->holdout) || cfg->holdout < 0 || cfg->holdout >= 1)
        return tune_error_set(err, TUNE_EINVAL, "cv.holdout: must be in (0, 1), got %g",
                              cfg->holdout);
    int holdout = cfg->holdout > 0;
    if (!holdout) {
        if (cfg->folds < 2)
            return tune_error_set(err, TUNE_EINVAL, "cv.folds: must be >= 2, got %zu",
                                  cfg->folds);
        if (cfg->folds > n_rows)
            return tune_error_set(err, TUNE_EINVAL, "cv.folds: %zu folds for %zu rows",
                                  cfg->folds, n_rows);
    } else {
        double v = floor((double)n_rows * cfg->holdout + 0.5);
        if (v < 1)
            return tune_error_set(err, TUNE_EINVAL,
                                  "cv.holdout: %g of %zu rows leaves no validation rows",
                                  cfg->holdout, n_rows);
        if (v >= (double)n_rows)
            return tune_error_set(err, TUNE_EINVAL,
                                  "cv.holdout: %g of %zu rows leaves no training rows",
                                  cfg->holdout, n_rows);
    }
    if (!cfg->stratified)
        return TUNE_OK;
    if (!labels || n_classes == 0)
        return tune_error_set(err, TUNE_EINVAL,
                              "cv.stratified: needs class labels (a classification task)");
    for (size_t i = 0; i < n_rows; i++) {
        double y = labels[i];
        if (!(y >= 0 && y < (double)n_classes) || y != floor(y))
            return tune_error_set(err, TUNE_EINVAL,
                                  "cv.stratified: label %g of row %zu is not a class code "
                                  "in 0..%zu",
                                  y, i, n_classes - 1);
        class_n[(size_t)y]++;
    }
    if (!holdout) {
        for (size_t c = 0; c < n_classes; c++)
            if (class_n[c] > 0 && class_n[c] < cfg->folds)
                return tune_error_set(err, TUNE_EINVAL,
                                      "cv.folds: class '%zu' has %zu rows, fewer than the "
                                      "%zu folds",
                                      c, class_n[c], cfg->folds);
    }
    return TUNE_OK;
}

/* The rows in the order they are dealt: one permutation for plain splits;
 * for stratified ones, each class's rows (shuffled on their own) one class
 * after another.  `start` (n_classes + 1 entries) receives where each class's
 * run begins. */
static void order_rows(const struct tune_cv_config *cfg, size_t n_rows, const double *labels,
                       size_t n_classes, const size_t *class_n, gsl_rng *rng, size_t *order,
                       size_t *start, size_t *fill)
{
    if (!cfg->stratified) {
        for (size_t i = 0; i < n_rows; i++)
            order[i] = i;
        if (cfg->shuffle)
            gsl_ran_shuffle(rng, order, n_rows, sizeof *order);
        return;
    }
    start[0] = 0;
    for (size_t c = 0; c < n_classes; c++) {
        start[c + 1] = start[c] + class_n[c];
        fill[c] = start[c];
    }
    for (size_t i = 0; i < n_rows; i++)
        order[fill[(size_t)labels[i]]++] = i;
    if (cfg->shuffle)
        for (size_t c = 0; c < n_classes; c++)
            if (class_n[c] > 1)
                gsl_ran_shuffle(rng, order + start[c], class_n[c], sizeof *order);
}

/* Stratified holdout: give each class its largest-remainder quota of
 * validation rows (the first ones of its shuffled run) as fold 0; every other
 * row is fold 1.  Remainders are kept in integers (n_c * v mod n) so ties are
 * exact and go to the lower class code. */
static void holdout_stratified(size_t n_rows, size_t n_valid, size_t n_classes,
                               const size_t *class_n, const size_t *order, const size_t *start,
                               size_t *quota, size_t *rem, size_t *fold_of)
{
    size_t given = 0;
    for (size_t c = 0; c < n_classes; c++) {
        quota[c] = class_n[c] * n_valid / n_rows;
        rem[c] = class_n[c] * n_valid % n_rows;
        given += quota[c];
    }
    /* The remainders sum to (n_valid - given) * n_rows and each is below
     * n_rows, so at least n_valid - given classes have one: every pick below
     * finds a class, and a class with a remainder has quota + 1 <= n_c. */
    for (; given < n_valid; given++) {
        size_t best = 0;
        for (size_t c = 1; c < n_classes; c++)
            if (rem[c] > rem[best])
                best = c;
        quota[best]++;
        rem[best] = 0;
    }
    for (size_t i = 0; i < n_rows; i++)
        fold_of[i] = 1;
    for (size_t c = 0; c < n_classes; c++)
        for (size_t j = 0; j < quota[c]; j++)
            fold_of[order[start[c] + j]] = 0;
}

int tune_cv_split(const struct tune_cv_config *cfg, size_t n_rows, const double *labels,
                  size_t n_classes, uint64_t seed, struct tune_splits **out,
                  struct tune_error *err)
{
    *out = NULL;
    int holdout = 0, rc;
    size_t *class_n = NULL, *order = NULL, *fold_of = NULL, *start = NULL, *fill = NULL;
    size_t *rem = NULL;
    struct tune_splits *s = NULL;
    gsl_rng *rng = NULL;
    size_t nc = cfg->stratified ? n_classes : 0;

    class_n = calloc(nc + 1, sizeof *class_n);
    if (!class_n)
        return tune_error_set(err, TUNE_ENOMEM, "cv: out of memory");
    rc = check_config(cfg, n_rows, labels, n_classes, class_n, err);
    if (rc)
        goto fail;
    holdout = cfg->holdout > 0;
    size_t k = holdout ? 1 : cfg->folds;
    size_t n_valid_holdout = holdout ? (size_t)floor((double)n_rows * cfg->holdout + 0.5) : 0;

    order = malloc(n_rows * sizeof *order);
    fold_of = malloc(n_rows * sizeof *fold_of);
    start = malloc((nc + 1) * sizeof *start);
    fill = malloc((nc + 1) * sizeof *fill);
    rem = malloc((nc + 1) * sizeof *rem);
    s = calloc(1, sizeof *s);
    rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (s)
        s->splits = calloc(k * cfg->repeats, sizeof *s->splits);
    if (!order || !fold_of || !start || !fill || !rem || !s || !s->splits || !rng) {
        rc = tune_error_set(err, TUNE_ENOMEM, "cv: out of memory for %zu rows", n_rows);
        goto fail;
    }

    for (size_t r = 0; r < cfg->repeats; r++) {
        gsl_rng_set(rng, repeat_seed(seed, r));
        order_rows(cfg, n_rows, labels, nc, class_n, rng, order, start, fill);
        if (holdout) {
            if (cfg->stratified) {
                /* `fill` is free again after order_rows: reuse it for quotas. */
                holdout_stratified(n_rows, n_valid_holdout, nc, class_n, order, start, fill,
                                   rem, fold_of);
            } else {
                for (size_t j = 0; j < n_rows; j++)
                    fold_of[order[j]] = j < n_valid_holdout ? 0 : 1;
            }
            rc = split_from_folds(fold_of, n_rows, 0, n_valid_holdout, &s->splits[s->n++],
                                  err);
            if (rc)
                goto fail;
            continue;
        }
        size_t base = n_rows / k, extra = n_rows % k;
        if (cfg->stratified) {
            for (size_t j = 0; j < n_rows; j++)
                fold_of[order[j]] = j % k;
        } else {
            size_t j = 0;
            for (size_t f = 0; f < k; f++)
                for (size_t end = j + base + (f < extra); j < end; j++)
                    fold_of[order[j]] = f;
        }
        for (size_t f = 0; f < k; f++) {
            rc = split_from_folds(fold_of, n_rows, f, base + (f < extra), &s->splits[s->n++],
                                  err);
            if (rc)
                goto fail;
        }
    }
    *out = s;
    s = NULL;
    rc = TUNE_OK;
fail:
    if (rng)
        gsl_rng_free(rng);
    tune_splits_free(s);
    free(rem);
    free(fill);
    free(start);
    free(fold_of);
    free(order);
    free(class_n);
    return rc;
}
