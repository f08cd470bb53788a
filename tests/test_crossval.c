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
        /* the bound: the fold's own matrices (4 columns + y, 8 bytes) */
        size_t rows = folds[f].xtr.n_rows + folds[f].xva.n_rows;
        cr_assert_eq(rows, 150);
        cr_assert_eq(folds[f].cache->max_bytes, 150 * 5 * sizeof(double));
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
