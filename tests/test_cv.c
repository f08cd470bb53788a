/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_cv.c — cross-validation splits: partition, sizes, stratification,
 * determinism, repeats, holdout and the error messages. */
#include "testutil.h"

#include "tunefold/cv.h"
#include "tunefold/dataset.h"

static struct tune_cv_config kfold(size_t k, int stratified, size_t repeats)
{
    struct tune_cv_config c = {.folds = k, .stratified = stratified, .repeats = repeats,
                               .holdout = 0, .shuffle = 1};
    return c;
}

static struct tune_splits *split_ok(const struct tune_cv_config *cfg, size_t n,
                                    const double *labels, size_t n_classes, uint64_t seed)
{
    struct tune_splits *s = NULL;
    struct tune_error err = {0};
    int rc = tune_cv_split(cfg, n, labels, n_classes, seed, &s, &err);
    cr_assert_eq(rc, TUNE_OK, "tune_cv_split failed: %s", err.msg);
    cr_assert_not_null(s);
    return s;
}

static void assert_rows(const size_t *got, size_t n_got, const size_t *want, size_t n_want)
{
    cr_assert_eq(n_got, n_want, "got %zu rows, expected %zu", n_got, n_want);
    for (size_t i = 0; i < n_want; i++)
        cr_assert_eq(got[i], want[i], "row %zu is %zu, expected %zu", i, got[i], want[i]);
}

/* Every split: train and valid ascending, disjoint, covering 0..n-1. */
static void assert_split_shape(const struct tune_split *sp, size_t n)
{
    cr_assert_eq(sp->n_train + sp->n_valid, n);
    unsigned char *seen = calloc(n, 1);
    for (size_t i = 0; i < sp->n_valid; i++) {
        cr_assert_lt(sp->valid[i], n);
        if (i)
            cr_assert_gt(sp->valid[i], sp->valid[i - 1], "valid not ascending");
        seen[sp->valid[i]]++;
    }
    for (size_t i = 0; i < sp->n_train; i++) {
        cr_assert_lt(sp->train[i], n);
        if (i)
            cr_assert_gt(sp->train[i], sp->train[i - 1], "train not ascending");
        seen[sp->train[i]]++;
    }
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(seen[i], 1, "row %zu is in train+valid %d times", i, seen[i]);
    free(seen);
}

/* k-fold: each repeat's valid folds partition the rows, and fold f has
 * n/k rows plus one for the first n%k folds. */
static void assert_kfold_shape(const struct tune_splits *s, size_t n, size_t k, size_t repeats)
{
    cr_assert_eq(s->n, k * repeats);
    for (size_t r = 0; r < repeats; r++) {
        unsigned *hits = calloc(n, sizeof *hits);
        for (size_t f = 0; f < k; f++) {
            const struct tune_split *sp = &s->splits[r * k + f];
            assert_split_shape(sp, n);
            cr_assert_eq(sp->n_valid, n / k + (f < n % k), "n=%zu k=%zu fold %zu has %zu rows",
                         n, k, f, sp->n_valid);
            for (size_t i = 0; i < sp->n_valid; i++)
                hits[sp->valid[i]]++;
        }
        for (size_t i = 0; i < n; i++)
            cr_assert_eq(hits[i], 1, "repeat %zu: row %zu in %u valid folds", r, i, hits[i]);
        free(hits);
    }
}

/* |count(c, f) - n_c / k| < 1 for every class and fold, in integers. */
static void assert_stratified(const struct tune_splits *s, const double *labels, size_t n,
                              size_t n_classes, size_t k)
{
    size_t *n_c = calloc(n_classes, sizeof *n_c), *in_f = calloc(n_classes, sizeof *in_f);
    for (size_t i = 0; i < n; i++)
        n_c[(size_t)labels[i]]++;
    for (size_t sidx = 0; sidx < s->n; sidx++) {
        const struct tune_split *sp = &s->splits[sidx];
        memset(in_f, 0, n_classes * sizeof *in_f);
        for (size_t i = 0; i < sp->n_valid; i++)
            in_f[(size_t)labels[sp->valid[i]]]++;
        for (size_t c = 0; c < n_classes; c++) {
            long diff = (long)(in_f[c] * k) - (long)n_c[c];
            cr_assert(labs(diff) < (long)k,
                      "split %zu: class %zu has %zu rows, ideal %zu/%zu", sidx, c, in_f[c],
                      n_c[c], k);
        }
    }
    free(n_c);
    free(in_f);
}

static int same_split(const struct tune_split *a, const struct tune_split *b)
{
    if (a->n_valid != b->n_valid)
        return 0;
    return memcmp(a->valid, b->valid, a->n_valid * sizeof *a->valid) == 0;
}

static int same_splits(const struct tune_splits *a, size_t a0, const struct tune_splits *b,
                       size_t b0, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (!same_split(&a->splits[a0 + i], &b->splits[b0 + i]))
            return 0;
    return 1;
}

/* A small deterministic generator for label layouts (test-only). */
static uint64_t lcg(uint64_t *state)
{
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    return *state >> 33;
}

/* Labels with sizes[c] rows of class c, in a scrambled row order so that
 * classes are not contiguous.  Caller frees. */
static double *make_labels(const size_t *sizes, size_t n_classes, uint64_t scramble, size_t *n)
{
    *n = 0;
    for (size_t c = 0; c < n_classes; c++)
        *n += sizes[c];
    double *y = malloc(*n * sizeof *y);
    size_t at = 0;
    for (size_t c = 0; c < n_classes; c++)
        for (size_t i = 0; i < sizes[c]; i++)
            y[at++] = (double)c;
    for (size_t i = *n - 1; i > 0; i--) {
        size_t j = lcg(&scramble) % (i + 1);
        double t = y[i];
        y[i] = y[j];
        y[j] = t;
    }
    return y;
}

Test(cv, unshuffled_kfold_takes_consecutive_blocks_with_the_extra_rows_first)
{
    struct tune_cv_config cfg = kfold(3, 0, 1);
    cfg.shuffle = 0;
    struct tune_splits *s = split_ok(&cfg, 7, NULL, 0, 99);
    cr_assert_eq(s->n, 3);
    assert_rows(s->splits[0].valid, s->splits[0].n_valid, (size_t[]){0, 1, 2}, 3);
    assert_rows(s->splits[1].valid, s->splits[1].n_valid, (size_t[]){3, 4}, 2);
    assert_rows(s->splits[2].valid, s->splits[2].n_valid, (size_t[]){5, 6}, 2);
    assert_rows(s->splits[0].train, s->splits[0].n_train, (size_t[]){3, 4, 5, 6}, 4);
    assert_rows(s->splits[1].train, s->splits[1].n_train, (size_t[]){0, 1, 2, 5, 6}, 5);
    assert_rows(s->splits[2].train, s->splits[2].n_train, (size_t[]){0, 1, 2, 3, 4}, 5);
    tune_splits_free(s);
}

/* Hand-derived: class 0 = rows {0,2,4,5,7}, class 1 = rows {1,3,6}; the
 * concatenation 0 2 4 5 7 1 3 6 is dealt to folds 0 1 2 0 1 2 0 1. */
Test(cv, unshuffled_stratified_kfold_deals_the_class_runs_round_robin)
{
    double y[] = {0, 1, 0, 1, 0, 0, 1, 0};
    struct tune_cv_config cfg = kfold(3, 1, 1);
    cfg.shuffle = 0;
    struct tune_splits *s = split_ok(&cfg, 8, y, 2, 7);
    cr_assert_eq(s->n, 3);
    assert_rows(s->splits[0].valid, s->splits[0].n_valid, (size_t[]){0, 3, 5}, 3);
    assert_rows(s->splits[1].valid, s->splits[1].n_valid, (size_t[]){2, 6, 7}, 3);
    assert_rows(s->splits[2].valid, s->splits[2].n_valid, (size_t[]){1, 4}, 2);
    assert_rows(s->splits[2].train, s->splits[2].n_train, (size_t[]){0, 2, 3, 5, 6, 7}, 6);
    tune_splits_free(s);
}

/* Pinned output of the seeded shuffle (GSL mt19937 + gsl_ran_shuffle):
 * stored studies rely on the same seed giving the same folds, so a change
 * here changes every stored study's folds and must be deliberate. */
Test(cv, seeded_kfold_gives_the_pinned_folds)
{
    struct tune_cv_config cfg = kfold(3, 0, 1);
    struct tune_splits *s = split_ok(&cfg, 10, NULL, 0, 20240917);
    assert_kfold_shape(s, 10, 3, 1);
    assert_rows(s->splits[0].valid, s->splits[0].n_valid, (size_t[]){0, 2, 3, 6}, 4);
    assert_rows(s->splits[1].valid, s->splits[1].n_valid, (size_t[]){4, 5, 8}, 3);
    assert_rows(s->splits[2].valid, s->splits[2].n_valid, (size_t[]){1, 7, 9}, 3);
    tune_splits_free(s);
}

Test(cv, seeded_stratified_kfold_gives_the_pinned_folds)
{
    double y[] = {2, 0, 1, 1, 0, 2, 0, 0, 1, 2, 0, 1};
    struct tune_cv_config cfg = kfold(3, 1, 1);
    struct tune_splits *s = split_ok(&cfg, 12, y, 3, 31337);
    assert_kfold_shape(s, 12, 3, 1);
    assert_stratified(s, y, 12, 3, 3);
    assert_rows(s->splits[0].valid, s->splits[0].n_valid, (size_t[]){1, 2, 5, 7}, 4);
    assert_rows(s->splits[1].valid, s->splits[1].n_valid, (size_t[]){0, 3, 4, 6}, 4);
    assert_rows(s->splits[2].valid, s->splits[2].n_valid, (size_t[]){8, 9, 10, 11}, 4);
    tune_splits_free(s);
}

Test(cv, kfold_partitions_the_rows_for_every_size_and_seed)
{
    const uint64_t seeds[] = {0, 1, 42, 0xDEADBEEFCAFEULL};
    for (size_t n = 2; n <= 41; n++)
        for (size_t k = 2; k <= n && k <= 10; k++)
            for (size_t si = 0; si < 4; si++) {
                struct tune_cv_config cfg = kfold(k, 0, 2);
                struct tune_splits *s = split_ok(&cfg, n, NULL, 0, seeds[si]);
                assert_kfold_shape(s, n, k, 2);
                tune_splits_free(s);
            }
}

Test(cv, stratified_folds_keep_class_proportions)
{
    /* Layouts: balanced 3-class, imbalanced 3-class (61/17/7), binary 2:1,
     * a 5-class layout with one class exactly at k rows; each shuffled into
     * a random row order so classes are not contiguous. */
    const size_t layouts[][5] = {{20, 20, 20, 0, 0}, {61, 17, 7, 0, 0}, {40, 20, 0, 0, 0},
                                 {13, 9, 7, 29, 7}};
    const size_t n_cls[] = {3, 3, 2, 5};
    const uint64_t seeds[] = {3, 1234567, 987654321987ULL};
    for (size_t li = 0; li < 4; li++) {
        size_t n;
        double *y = make_labels(layouts[li], n_cls[li], 77 + li, &n);
        for (size_t k = 2; k <= 7; k++)
            for (size_t si = 0; si < 3; si++) {
                struct tune_cv_config cfg = kfold(k, 1, 2);
                struct tune_splits *s = split_ok(&cfg, n, y, n_cls[li], seeds[si]);
                /* The shape check includes the balanced fold sizes. */
                assert_kfold_shape(s, n, k, 2);
                assert_stratified(s, y, n, n_cls[li], k);
                tune_splits_free(s);
            }
        free(y);
    }
}

Test(cv, a_class_code_without_rows_is_not_an_error)
{
    double y[] = {0, 2, 2, 0, 0, 2, 2, 0};
    struct tune_cv_config cfg = kfold(2, 1, 1);
    struct tune_splits *s = split_ok(&cfg, 8, y, 3, 5);
    assert_kfold_shape(s, 8, 2, 1);
    assert_stratified(s, y, 8, 3, 2);
    tune_splits_free(s);
}

Test(cv, same_seed_gives_the_same_folds_and_another_seed_different_ones)
{
    double y[60];
    for (size_t i = 0; i < 60; i++)
        y[i] = (double)((i * 7) % 3);
    for (int strat = 0; strat <= 1; strat++) {
        struct tune_cv_config cfg = kfold(5, strat, 1);
        struct tune_splits *a = split_ok(&cfg, 60, y, 3, 8675309);
        struct tune_splits *b = split_ok(&cfg, 60, y, 3, 8675309);
        struct tune_splits *c = split_ok(&cfg, 60, y, 3, 8675310);
        cr_assert(same_splits(a, 0, b, 0, 5), "same seed, different folds");
        cr_assert_not(same_splits(a, 0, c, 0, 5), "seeds 8675309 and 8675310 agree");
        tune_splits_free(a);
        tune_splits_free(b);
        tune_splits_free(c);
    }
}

Test(cv, each_repeat_shuffles_afresh_and_more_repeats_keep_the_earlier_ones)
{
    struct tune_cv_config cfg = kfold(4, 0, 3);
    struct tune_splits *s = split_ok(&cfg, 30, NULL, 0, 2718281828ULL);
    assert_kfold_shape(s, 30, 4, 3);
    cr_assert_not(same_splits(s, 0, s, 4, 4), "repeats 0 and 1 agree");
    cr_assert_not(same_splits(s, 4, s, 8, 4), "repeats 1 and 2 agree");
    cr_assert_not(same_splits(s, 0, s, 8, 4), "repeats 0 and 2 agree");
    /* Seeds 0 and 1 must not share a repeat shifted by one (seed ^ r would). */
    struct tune_splits *s1 = split_ok(&cfg, 30, NULL, 0, 2718281829ULL);
    cr_assert_not(same_splits(s, 4, s1, 0, 4));
    cr_assert_not(same_splits(s, 0, s1, 4, 4));
    struct tune_cv_config one = kfold(4, 0, 1);
    struct tune_splits *t = split_ok(&one, 30, NULL, 0, 2718281828ULL);
    cr_assert(same_splits(s, 0, t, 0, 4), "repeat 0 depends on the repeat count");
    tune_splits_free(s);
    tune_splits_free(s1);
    tune_splits_free(t);
}

Test(cv, unshuffled_repeats_are_the_same_split)
{
    struct tune_cv_config cfg = kfold(3, 0, 2);
    cfg.shuffle = 0;
    struct tune_splits *s = split_ok(&cfg, 11, NULL, 0, 1);
    cr_assert(same_splits(s, 0, s, 3, 3));
    tune_splits_free(s);
}

Test(cv, holdout_validates_round_n_times_fraction_rows_per_repeat)
{
    /* 10 * 0.25 = 2.5 rounds up to 3; 23 * 0.3 = 6.9 rounds to 7. */
    const size_t ns[] = {10, 23};
    const double hs[] = {0.25, 0.3};
    const size_t want[] = {3, 7};
    for (size_t t = 0; t < 2; t++) {
        struct tune_cv_config cfg = kfold(5, 0, 3);
        cfg.holdout = hs[t];
        struct tune_splits *s = split_ok(&cfg, ns[t], NULL, 0, 161803);
        cr_assert_eq(s->n, 3);
        for (size_t r = 0; r < 3; r++) {
            assert_split_shape(&s->splits[r], ns[t]);
            cr_assert_eq(s->splits[r].n_valid, want[t]);
        }
        cr_assert_not(same_split(&s->splits[0], &s->splits[1]));
        tune_splits_free(s);
    }
}

Test(cv, unshuffled_holdout_validates_the_first_rows)
{
    struct tune_cv_config cfg = kfold(5, 0, 1);
    cfg.holdout = 0.4;
    cfg.shuffle = 0;
    struct tune_splits *s = split_ok(&cfg, 8, NULL, 0, 0);
    cr_assert_eq(s->n, 1);
    assert_rows(s->splits[0].valid, s->splits[0].n_valid, (size_t[]){0, 1, 2}, 3);
    assert_rows(s->splits[0].train, s->splits[0].n_train, (size_t[]){3, 4, 5, 6, 7}, 5);
    tune_splits_free(s);
}

/* Class sizes 29/11/5 with v = round(45 * 0.2) = 9: ideal quotas 5.8/2.2/1.0,
 * so floors 5/2/1 and the one remaining row goes to class 0 (remainder .8). */
Test(cv, stratified_holdout_gives_each_class_its_largest_remainder_quota)
{
    size_t n;
    double *y = make_labels((size_t[]){29, 11, 5}, 3, 2024, &n);
    cr_assert_eq(n, 45);
    for (uint64_t seed = 0; seed < 5; seed++) {
        struct tune_cv_config cfg = kfold(5, 1, 1);
        cfg.holdout = 0.2;
        struct tune_splits *s = split_ok(&cfg, 45, y, 3, seed);
        assert_split_shape(&s->splits[0], 45);
        cr_assert_eq(s->splits[0].n_valid, 9);
        size_t q[3] = {0};
        for (size_t i = 0; i < s->splits[0].n_valid; i++)
            q[(size_t)y[s->splits[0].valid[i]]]++;
        cr_assert_eq(q[0], 6);
        cr_assert_eq(q[1], 2);
        cr_assert_eq(q[2], 1);
        tune_splits_free(s);
    }
    free(y);
}

static void assert_split_error(const struct tune_cv_config *cfg, size_t n, const double *y,
                               size_t n_classes, const char *msg)
{
    struct tune_splits *s = (struct tune_splits *)&s; /* must be reset to NULL */
    struct tune_error err = {0};
    int rc = tune_cv_split(cfg, n, y, n_classes, 1, &s, &err);
    cr_assert_eq(rc, TUNE_EINVAL);
    cr_assert_eq(err.code, TUNE_EINVAL);
    cr_assert_null(s);
    cr_assert_str_eq(err.msg, msg);
}

Test(cv, more_folds_than_rows_is_refused)
{
    struct tune_cv_config cfg = kfold(10, 0, 1);
    assert_split_error(&cfg, 7, NULL, 0, "cv.folds: 10 folds for 7 rows");
}

Test(cv, a_class_smaller_than_the_fold_count_is_refused)
{
    double y[] = {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 0, 1, 0, 1};
    struct tune_cv_config cfg = kfold(5, 1, 1);
    assert_split_error(&cfg, 15, y, 3, "cv.folds: class '2' has 3 rows, fewer than the 5 folds");
}

Test(cv, fewer_than_two_folds_is_refused)
{
    struct tune_cv_config cfg = kfold(1, 0, 1);
    assert_split_error(&cfg, 7, NULL, 0, "cv.folds: must be >= 2, got 1");
}

Test(cv, a_holdout_outside_zero_one_is_refused)
{
    struct tune_cv_config cfg = kfold(5, 0, 1);
    cfg.holdout = 1.5;
    assert_split_error(&cfg, 20, NULL, 0, "cv.holdout: must be in (0, 1), got 1.5");
    cfg.holdout = -0.25;
    assert_split_error(&cfg, 20, NULL, 0, "cv.holdout: must be in (0, 1), got -0.25");
    cfg.holdout = 1;
    assert_split_error(&cfg, 20, NULL, 0, "cv.holdout: must be in (0, 1), got 1");
    cfg.holdout = NAN;
    assert_split_error(&cfg, 20, NULL, 0, "cv.holdout: must be in (0, 1), got nan");
}

Test(cv, a_holdout_that_rounds_to_an_empty_side_is_refused)
{
    struct tune_cv_config cfg = kfold(5, 0, 1);
    cfg.holdout = 0.05;
    assert_split_error(&cfg, 7, NULL, 0, "cv.holdout: 0.05 of 7 rows leaves no validation rows");
    cfg.holdout = 0.95;
    assert_split_error(&cfg, 7, NULL, 0, "cv.holdout: 0.95 of 7 rows leaves no training rows");
}

Test(cv, zero_repeats_is_refused)
{
    struct tune_cv_config cfg = kfold(5, 0, 0);
    assert_split_error(&cfg, 20, NULL, 0, "cv.repeats: must be >= 1");
}

Test(cv, stratified_without_labels_or_with_a_bad_label_is_refused)
{
    struct tune_cv_config cfg = kfold(2, 1, 1);
    assert_split_error(&cfg, 6, NULL, 0,
                       "cv.stratified: needs class labels (a classification task)");
    double y[] = {0, 1, 0, 1.5, 1, 0};
    assert_split_error(&cfg, 6, y, 2,
                       "cv.stratified: label 1.5 of row 3 is not a class code in 0..1");
    double z[] = {0, 1, 0, 2, 1, 0};
    assert_split_error(&cfg, 6, z, 2,
                       "cv.stratified: label 2 of row 3 is not a class code in 0..1");
}

Test(cv, freeing_null_splits_is_harmless)
{
    tune_splits_free(NULL);
}

/* Iris has 50 rows of each of its 3 classes, so stratified 5-fold must put
 * exactly 10 of each class in every fold. */
Test(cv, stratified_five_folds_of_iris_hold_ten_rows_of_each_class)
{
    struct tune_dataset *ds = NULL;
    struct tune_error err = {0};
    int rc = tune_dataset_load("data/iris.csv", "target", TUNE_TASK_MULTICLASS, &ds, &err);
    cr_assert_eq(rc, TUNE_OK, "%s", err.msg);
    cr_assert_eq(ds->n_rows, 150);
    cr_assert_eq(ds->n_classes, 3);
    struct tune_cv_config cfg = kfold(5, 1, 2);
    struct tune_splits *s = split_ok(&cfg, ds->n_rows, ds->y, ds->n_classes, 42);
    assert_kfold_shape(s, 150, 5, 2);
    for (size_t f = 0; f < s->n; f++) {
        size_t count[3] = {0};
        for (size_t i = 0; i < s->splits[f].n_valid; i++)
            count[(size_t)ds->y[s->splits[f].valid[i]]]++;
        for (size_t c = 0; c < 3; c++)
            cr_assert_eq(count[c], 10, "split %zu class %zu: %zu rows", f, c, count[c]);
    }
    tune_splits_free(s);
    tune_dataset_free(ds);
}
