/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_crossval.c — prepared folds and their cache (src/crossval.c): a
 * trainer finds in a later trial what it kept in an earlier one, the cache
 * keeps to its memory bound and frees what it refuses, folds made for one
 * trial keep nothing. */
#include "testutil.h"
#include "src/crossval.h"
#include "tunefold/dataset.h"
#include "tunefold/preprocess.h"

/* ---- a trainer that drives the fold cache by a script ---- */

struct marker {
    int fold, trial;
};

static int freed;            /* markers freed by the cache */
static int found[8];         /* per fold: the trial whose marker was found, -1 none */
static int have_cache[8];    /* per fold: cache functions given */
static int have_x_done[8];   /* per fold: x_done given */
static int put_rc[8][3];     /* per fold: the cache_put results of a fit */
static int script;           /* 0: keep one marker; 1: probe the bound */

static void marker_free(void *p)
{
    freed++;
    free(p);
}

static int cacher_fit(const struct tune_matrix *x, const double *y,
                      const struct tune_fit_ctx *ctx, const struct tune_params *p, void **model,
                      struct tune_error *err)
{
    (void)x, (void)y, (void)p, (void)err;
    int f = ctx->fold;
    have_cache[f] = ctx->cache_find != NULL && ctx->cache_put != NULL;
    have_x_done[f] = ctx->x_done != NULL;
    size_t rows = x->n_rows, cols = x->n_cols;
    if (ctx->x_done)
        ctx->x_done(ctx->x_done_arg); /* freed: ASan would catch a later read or double free */
    cr_assert(x->n_rows == rows && x->n_cols == cols, "the shape stays");
    const struct marker *m = ctx->cache_find ? ctx->cache_find(ctx->cache_arg, "cacher/m") : NULL;
    found[f] = m ? m->trial : -1;
    cr_assert(!m || m->fold == f, "fold %d found fold %d's value", f, m ? m->fold : -1);
    if (ctx->cache_put) {
        struct marker *a = malloc(sizeof *a), *b = malloc(sizeof *b), *c = malloc(sizeof *c);
        *a = (struct marker){f, ctx->trial};
        *b = *a;
        *c = *a;
        if (script == 0) {
            put_rc[f][0] = ctx->cache_put(ctx->cache_arg, "cacher/m", a, sizeof *a, marker_free);
            free(b);
            free(c);
        } else {
            const struct tune_fold_cache *fc = ctx->cache_arg;
            size_t room = fc->max_bytes - fc->bytes;
            /* one byte too many, then exactly the room, then the same key */
            put_rc[f][0] = ctx->cache_put(ctx->cache_arg, "cacher/big", a, room + 1, marker_free);
            put_rc[f][1] = ctx->cache_put(ctx->cache_arg, "cacher/fit", b, room, marker_free);
            put_rc[f][2] = ctx->cache_put(ctx->cache_arg, "cacher/fit", c, 1, marker_free);
        }
    }
    *model = calloc(1, 1);
    return TUNE_OK;
}

static int cacher_predict(const void *model, const struct tune_matrix *x,
                          struct tune_predictions *out, struct tune_error *err)
{
    (void)model, (void)err;
    for (size_t i = 0; i < x->n_rows; i++) {
        out->label[i] = 0;
        out->proba[3 * i] = 0.5;
        out->proba[3 * i + 1] = 0.25;
        out->proba[3 * i + 2] = 0.25;
    }
    return TUNE_OK;
}

static const struct tune_trainer_type cacher = {
    .version = 1,
    .name = "cacher",
    .tasks = TUNE_TASK_MULTICLASS,
    .fit = cacher_fit,
    .predict = cacher_predict,
    .free_model = free,
};

struct setup {
    struct tune_dataset *ds;
    struct tune_splits *sp;
    struct tune_prep_config prep;
};

static void setup_iris(struct setup *s)
{
    struct tune_error err = {0};
    cr_assert_eq(tune_dataset_load("data/iris.csv", "target", TUNE_TASK_MULTICLASS, &s->ds, &err),
                 TUNE_OK, "%s", err.msg);
    struct tune_cv_config cvc = {3, 1, 1, 0, 1};
    cr_assert_eq(tune_cv_split(&cvc, s->ds->n_rows, s->ds->y, s->ds->n_classes, 5, &s->sp, &err),
                 TUNE_OK);
    s->prep = (struct tune_prep_config){TUNE_IMPUTE_MEAN, TUNE_SCALE_STANDARD, 1};
}

static void run_trial(struct setup *s, const struct tune_fold *folds, int trial)
{
    struct tune_error err = {0};
    struct tune_params params = {0};
    struct tune_cv_run run = {.seed = 5, .n_threads = 1, .trial = trial};
    struct tune_cv_result r;
    cr_assert_eq(tune_cross_validate_run(s->ds, s->sp, folds, &s->prep, &cacher, &params, &run,
                                         &r, &err),
                 TUNE_OK, "%s", err.msg);
    tune_cv_result_release(&r);
}

Test(crossval, a_value_kept_by_one_trial_is_found_by_the_next_on_the_same_fold)
{
    struct setup s;
    setup_iris(&s);
    struct tune_error err = {0};
    struct tune_fold *folds;
    cr_assert_eq(tune_folds_prepare(s.ds, s.sp, &s.prep, (size_t)1 << 30, &folds, &err), TUNE_OK);
    cr_assert_not_null(folds);
    for (int f = 0; f < 3; f++) {
        /* the bound: the fold's own matrices (4 columns + y, 8 bytes), or
         * TUNE_FOLD_CACHE_MIN when they are smaller, as here */
        size_t rows = folds[f].xtr.n_rows + folds[f].xva.n_rows;
        cr_assert_eq(rows, 150);
        cr_assert_lt(150 * 5 * sizeof(double), TUNE_FOLD_CACHE_MIN);
        cr_assert_eq(folds[f].cache->max_bytes, (size_t)16 << 20);
    }
    script = 0;
    freed = 0;
    run_trial(&s, folds, 0);
    for (int f = 0; f < 3; f++) {
        cr_assert(have_cache[f]);
        cr_assert_not(have_x_done[f], "a kept fold's matrix stays for the next trials");
        cr_assert_eq(found[f], -1, "nothing kept before the first trial");
        cr_assert_eq(put_rc[f][0], 0, "fold %d: kept", f);
    }
    run_trial(&s, folds, 1);
    for (int f = 0; f < 3; f++) {
        cr_assert_eq(found[f], 0, "fold %d finds trial 0's value", f);
        cr_assert_eq(put_rc[f][0], -1, "the key is taken: trial 1's copy is refused");
    }
    cr_assert_eq(freed, 3, "the three refused copies were freed at once");
    tune_folds_free(folds, 3);
    cr_assert_eq(freed, 6, "closing the folds frees what they kept");
    tune_splits_free(s.sp);
    tune_dataset_free(s.ds);
}

Test(crossval, the_cache_keeps_to_its_bound_and_frees_what_it_refuses)
{
    struct setup s;
    setup_iris(&s);
    struct tune_error err = {0};
    struct tune_fold *folds;
    cr_assert_eq(tune_folds_prepare(s.ds, s.sp, &s.prep, (size_t)1 << 30, &folds, &err), TUNE_OK);
    script = 1;
    freed = 0;
    run_trial(&s, folds, 0);
    for (int f = 0; f < 3; f++) {
        cr_assert_eq(put_rc[f][0], -1, "one byte over the bound is refused");
        cr_assert_eq(put_rc[f][1], 0, "exactly the room left is kept");
        cr_assert_eq(put_rc[f][2], -1, "a taken key is refused");
        cr_assert_eq(folds[f].cache->bytes, folds[f].cache->max_bytes);
        cr_assert_eq(folds[f].cache->n, 1);
    }
    cr_assert_eq(freed, 6);
    tune_folds_free(folds, 3);
    cr_assert_eq(freed, 9);
    tune_splits_free(s.sp);
    tune_dataset_free(s.ds);
}

Test(crossval, folds_made_for_one_trial_have_no_cache_and_may_drop_their_training_copy)
{
    struct setup s;
    setup_iris(&s);
    struct tune_error err = {0};
    struct tune_fold *folds = (struct tune_fold *)&s;
    /* 150 rows x 5 doubles x 3 folds do not fit in 10,000 bytes */
    cr_assert_eq(tune_folds_prepare(s.ds, s.sp, &s.prep, 10000, &folds, &err), TUNE_OK);
    cr_assert_null(folds, "made per trial instead");
    script = 0;
    freed = 0;
    run_trial(&s, NULL, 0);
    for (int f = 0; f < 3; f++) {
        cr_assert_not(have_cache[f], "fold %d: no cache for a fold made for one trial", f);
        cr_assert(have_x_done[f], "fold %d: its training copy may go during the fit", f);
        cr_assert_eq(found[f], -1);
    }
    cr_assert_eq(freed, 0);
    tune_splits_free(s.sp);
    tune_dataset_free(s.ds);
}

Test(crossval, folds_are_kept_exactly_when_the_first_folds_shape_fits_the_bound)
{
    struct setup s;
    setup_iris(&s);
    struct tune_error err = {0};
    struct tune_fold *folds = NULL;
    /* 150 rows x (4 columns + y) x 8 bytes a fold, 3 folds: 18,000 bytes */
    cr_assert_eq(tune_folds_prepare(s.ds, s.sp, &s.prep, 17999, &folds, &err), TUNE_OK);
    cr_assert_null(folds, "one byte short of three folds: made per trial");
    cr_assert_eq(tune_folds_prepare(s.ds, s.sp, &s.prep, 18000, &folds, &err), TUNE_OK);
    cr_assert_not_null(folds, "exactly three folds: kept");
    for (int f = 0; f < 3; f++) {
        cr_assert_not_null(folds[f].xtr.data, "fold %d: its training matrix", f);
        cr_assert_eq(folds[f].xtr.n_rows + folds[f].xva.n_rows, 150);
        /* its cache: 6,000 bytes of its own, so TUNE_FOLD_CACHE_MIN */
        cr_assert_eq(folds[f].cache->max_bytes, TUNE_FOLD_CACHE_MIN);
    }
    tune_folds_free(folds, 3);
    tune_splits_free(s.sp);
    tune_dataset_free(s.ds);
}

/* ---- folds made in place ---- */

static const double *peek_base;   /* the data set's matrix */
static const double *peek_copy;   /* a copy of it, as loaded */
static size_t peek_rows;
static const struct tune_splits *peek_splits;
static int peek_in_place[8];
static int peek_check = 1;        /* the values are the raw rows (no scaling) */

/* A trainer that checks it sees the training rows, whether borrowed or
 * copied, and predicts from them (so the scores depend on every value). */
static int peek_fit(const struct tune_matrix *x, const double *y, const struct tune_fit_ctx *ctx,
                    const struct tune_params *p, void **model, struct tune_error *err)
{
    (void)y, (void)p, (void)err;
    int f = ctx->fold;
    peek_in_place[f] = x->data == peek_base;
    const struct tune_split *sp = &peek_splits->splits[f];
    cr_assert_eq(x->n_rows, sp->n_train);
    double *m = calloc(x->n_cols, sizeof *m);
    for (size_t j = 0; j < x->n_cols; j++)
        for (size_t i = 0; i < x->n_rows; i++) {
            double want = peek_copy[j * peek_rows + sp->train[i]];
            cr_assert(!peek_check || isnan(want) ||
                          memcmp(&x->data[j * x->n_rows + i], &want, sizeof want) == 0,
                      "fold %d, row %zu, column %zu", f, i, j);
            m[j] += x->data[j * x->n_rows + i] / (double)x->n_rows;
        }
    *model = m;
    return TUNE_OK;
}

static int peek_predict(const void *model, const struct tune_matrix *x,
                        struct tune_predictions *out, struct tune_error *err)
{
    (void)err;
    const double *m = model;
    for (size_t i = 0; i < x->n_rows; i++) {
        double p1 = 1 / (1 + exp(-(x->data[i] - m[0]) / (1 + fabs(m[1]))));
        out->label[i] = p1 > 0.5;
        out->proba[2 * i] = 1 - p1;
        out->proba[2 * i + 1] = p1;
    }
    return TUNE_OK;
}

static const struct tune_trainer_type peeker = {
    .version = 1,
    .name = "peeker",
    .tasks = TUNE_TASK_BINARY,
    .fit = peek_fit,
    .predict = peek_predict,
    .free_model = free,
};

static void peek_run(struct tune_dataset *ds, const struct tune_splits *sp,
                     const struct tune_fold *folds, const struct tune_prep_config *prep,
                     struct tune_cv_result *r)
{
    struct tune_error err = {0};
    struct tune_params params = {0};
    struct tune_cv_run run = {.seed = 5, .n_threads = 1, .trial = 0};
    peek_base = ds->x;
    peek_splits = sp;
    cr_assert_eq(tune_cross_validate_run(ds, sp, folds, prep, &peeker, &params, &run, r, &err),
                 TUNE_OK, "%s", err.msg);
}

Test(crossval, a_fold_for_one_trial_borrows_the_data_in_place_and_gives_it_back_bit_for_bit)
{
    struct tune_error err = {0};
    struct tune_dataset *ds;
    cr_assert_eq(tune_dataset_load("data/breast_cancer.csv", "target", TUNE_TASK_BINARY, &ds,
                                   &err),
                 TUNE_OK, "%s", err.msg);
    size_t cells = ds->n_rows * ds->n_features;
    double *copy = malloc(cells * sizeof *copy);
    memcpy(copy, ds->x, cells * sizeof *copy);
    peek_copy = copy;
    peek_rows = ds->n_rows;
    struct tune_cv_config cvc = {3, 1, 1, 0, 1};
    struct tune_splits *sp;
    cr_assert_eq(tune_cv_split(&cvc, ds->n_rows, ds->y, ds->n_classes, 9, &sp, &err), TUNE_OK);
    struct tune_prep_config prep = {TUNE_IMPUTE_MEAN, TUNE_SCALE_NONE, 1};

    /* made per trial: in place; kept: copies; the same scores */
    struct tune_cv_result a, b;
    peek_run(ds, sp, NULL, &prep, &a);
    for (int f = 0; f < 3; f++)
        cr_assert(peek_in_place[f], "fold %d borrowed the data set's matrix", f);
    cr_assert(memcmp(ds->x, copy, cells * sizeof *copy) == 0, "the data set is as loaded");
    struct tune_fold *folds;
    cr_assert_eq(tune_folds_prepare(ds, sp, &prep, (size_t)1 << 30, &folds, &err), TUNE_OK);
    peek_run(ds, sp, folds, &prep, &b);
    for (int f = 0; f < 3; f++)
        cr_assert_not(peek_in_place[f]);
    cr_assert_eq(a.n_metrics, b.n_metrics);
    for (size_t m = 0; m < a.n_metrics; m++)
        cr_assert(memcmp(a.metrics[m].folds, b.metrics[m].folds, 3 * sizeof(double)) == 0,
                  "%s differs", a.metrics[m].name);
    cr_assert(memcmp(a.oof.proba, b.oof.proba, 2 * ds->n_rows * sizeof(double)) == 0);
    tune_cv_result_release(&a);
    tune_cv_result_release(&b);
    tune_folds_free(folds, 3);

    /* scaling, or a missing value to impute, changes values: copies */
    struct tune_prep_config scaled = {TUNE_IMPUTE_MEAN, TUNE_SCALE_STANDARD, 1};
    peek_check = 0;
    peek_run(ds, sp, NULL, &scaled, &a);
    for (int f = 0; f < 3; f++)
        cr_assert_not(peek_in_place[f], "fold %d: scaled values go to a copy", f);
    tune_cv_result_release(&a);
    cr_assert(memcmp(ds->x, copy, cells * sizeof *copy) == 0);
    peek_check = 1;
    ds->x[7] = NAN;
    copy[7] = NAN;
    peek_run(ds, sp, NULL, &prep, &a);
    for (int f = 0; f < 3; f++)
        cr_assert_not(peek_in_place[f], "fold %d: a missing value is imputed in a copy", f);
    tune_cv_result_release(&a);
    cr_assert(memcmp(ds->x + 8, copy + 8, (cells - 8) * sizeof *copy) == 0);
    free(copy);
    tune_splits_free(sp);
    tune_dataset_free(ds);
}

Test(crossval, a_split_whose_rows_overlap_is_copied_and_leaves_the_data_as_it_was)
{
    /* A learning curve's split: its validation rows include its training
     * rows, and some rows are in neither, though the counts add up to the
     * data's rows.  Compacting in place would lose the rows in neither. */
    struct tune_error err = {0};
    struct tune_dataset *ds;
    cr_assert_eq(tune_dataset_load("data/breast_cancer.csv", "target", TUNE_TASK_BINARY, &ds,
                                   &err),
                 TUNE_OK, "%s", err.msg);
    size_t n = ds->n_rows, h = n / 2, cells = n * ds->n_features;
    double *copy = malloc(cells * sizeof *copy);
    memcpy(copy, ds->x, cells * sizeof *copy);
    peek_copy = copy;
    peek_rows = n;
    size_t *train = malloc(h * sizeof *train), *valid = malloc((n - h) * sizeof *valid);
    for (size_t i = 0; i < h; i++)
        train[i] = i;
    for (size_t i = 0; i < n - h; i++)
        valid[i] = i;
    struct tune_split one = {h, n - h, train, valid};
    struct tune_splits single = {1, &one};
    struct tune_prep_config prep = {TUNE_IMPUTE_MEAN, TUNE_SCALE_NONE, 1};
    struct tune_cv_result r;
    peek_run(ds, &single, NULL, &prep, &r);
    cr_assert_not(peek_in_place[0], "an overlapping split goes to a copy");
    cr_assert(memcmp(ds->x, copy, cells * sizeof *copy) == 0, "the data set is as loaded");
    tune_cv_result_release(&r);
    free(train);
    free(valid);
    free(copy);
    tune_dataset_free(ds);
}
