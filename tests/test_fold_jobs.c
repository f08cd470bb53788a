/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_fold_jobs.c — a trial's folds fitted side by side (struct
 * tune_cv_run's fold_jobs, src/crossval.c): the same result bit for bit as
 * one fold after another, for every trainer that allows it; the folds do
 * run at once, with the threads shared out; a trainer without
 * TUNE_TRAINER_FIT_PARALLEL, or folds made per trial, run in turn; a
 * failing fold is reported as in turn. */
#include "trainer_testutil.h"
#include "src/crossval.h"
#include "tunefold/dataset.h"
#include "tunefold/preprocess.h"

#include <stdatomic.h>
#include <time.h>

struct data {
    struct tune_dataset *ds;
    struct tune_splits *sp;
    struct tune_prep_config prep;
    struct tune_fold *folds;
};

static void data_load_repeats(struct data *d, const char *path, enum tune_task task, size_t k,
                              size_t repeats)
{
    struct tune_error err = {0};
    cr_assert_eq(tune_dataset_load(path, "target", task, &d->ds, &err), TUNE_OK, "%s", err.msg);
    struct tune_cv_config cvc = {k, 1, repeats, 0, 1};
    cr_assert_eq(tune_cv_split(&cvc, d->ds->n_rows, d->ds->y, d->ds->n_classes, 3, &d->sp, &err),
                 TUNE_OK);
    d->prep = (struct tune_prep_config){TUNE_IMPUTE_MEAN, TUNE_SCALE_STANDARD, 1};
    cr_assert_eq(tune_folds_prepare(d->ds, d->sp, &d->prep, (size_t)1 << 30, &d->folds, &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_not_null(d->folds);
}

static void data_load(struct data *d, const char *path, enum tune_task task, size_t k)
{
    data_load_repeats(d, path, task, k, 1);
}

static void data_free(struct data *d)
{
    tune_folds_free(d->folds, d->sp->n);
    tune_splits_free(d->sp);
    tune_dataset_free(d->ds);
}

/* One trial's cross-validation and everything it gives the study. */
struct outcome {
    struct tune_cv_result r;
    struct tune_trial_log log;
    struct tune_importances imp;
};

static void cv(const struct data *d, const struct tune_fold *folds, const struct tt_hp *h,
               size_t threads, size_t jobs, struct outcome *o)
{
    struct tune_error err = {0};
    memset(o, 0, sizeof *o);
    struct tune_cv_run run = {.seed = 11, .n_threads = threads, .trial = 0, .log = &o->log,
                              .importances = &o->imp, .fold_jobs = jobs};
    cr_assert_eq(tune_cross_validate_run(d->ds, d->sp, folds, &d->prep, h->t, &h->params, &run,
                                         &o->r, &err),
                 TUNE_OK, "%s: %s", h->t->name, err.msg);
}

static void outcome_free(struct outcome *o)
{
    tune_cv_result_release(&o->r);
    free(o->log.v);
    tune_importances_release(&o->imp);
}

static void same(const struct outcome *a, const struct outcome *b, const char *what, size_t n)
{
    cr_assert_eq(a->r.n_metrics, b->r.n_metrics, "%s", what);
    cr_assert_eq(a->r.n_folds_run, b->r.n_folds_run, "%s", what);
    for (size_t m = 0; m < a->r.n_metrics; m++)
        cr_assert(memcmp(a->r.metrics[m].folds, b->r.metrics[m].folds,
                         a->r.n_folds * sizeof(double)) == 0,
                  "%s: %s differs", what, a->r.metrics[m].name);
    cr_assert(memcmp(a->r.oof_fold, b->r.oof_fold, n * sizeof *a->r.oof_fold) == 0, "%s", what);
    size_t k = a->r.oof.n_classes;
    if (a->r.oof.proba)
        cr_assert(memcmp(a->r.oof.proba, b->r.oof.proba, n * k * sizeof(double)) == 0, "%s",
                  what);
    cr_assert(memcmp(a->r.oof.label, b->r.oof.label, n * sizeof(int)) == 0, "%s", what);
    cr_assert_eq(a->log.n, b->log.n, "%s: intermediate values", what);
    for (size_t i = 0; i < a->log.n; i++) {
        const struct tune_intermediate *x = &a->log.v[i], *y = &b->log.v[i];
        cr_assert(x->fold == y->fold && x->step == y->step &&
                      memcmp(&x->value, &y->value, sizeof x->value) == 0,
                  "%s: intermediate value %zu: fold %d step %zu %.17g against fold %d step "
                  "%zu %.17g",
                  what, i, x->fold, x->step, x->value, y->fold, y->step, y->value);
    }
    cr_assert_eq(a->imp.n, b->imp.n, "%s: importances", what);
    cr_assert_eq(a->imp.folds, b->imp.folds, "%s", what);
    for (size_t i = 0; i < a->imp.n; i++) {
        cr_assert_str_eq(a->imp.names[i], b->imp.names[i], "%s", what);
        cr_assert(memcmp(&a->imp.sum[i], &b->imp.sum[i], sizeof(double)) == 0,
                  "%s: importance of %s", what, a->imp.names[i]);
    }
}

/* Each trainer as a study would fit it: folds in turn on one thread, then
 * 2 of 3 at once on 2 threads (the last with both), 3 of 5 at once on 3
 * threads (then 2 with 2 and 1), and 4 of 5 on 4; and 3 folds repeated
 * twice (6 splits, each repeat's out-of-fold predictions gathered in turn). */
static void check_trainer(const char *name, const char *path, enum tune_task task,
                          const char *const *set)
{
    const struct tune_trainer_type *t = tune_trainer_find(name);
    cr_assert_not_null(t, "%s", name);
    cr_assert(t->flags & TUNE_TRAINER_FIT_PARALLEL, "%s", name);
    struct tt_hp h;
    tt_hp_init(&h, t);
    for (size_t i = 0; set && set[i]; i += 2)
        tt_hp_set(&h, set[i], strtod(set[i + 1], NULL));
    static const size_t ks[][2] = {{3, 1}, {5, 1}, {3, 2}}; /* folds, repeats */
    static const size_t runs[][2] = {{2, 2}, {3, 3}, {4, 4}, {2, 8}};
    for (size_t ki = 0; ki < 3; ki++) {
        struct data d;
        data_load_repeats(&d, path, task, ks[ki][0], ks[ki][1]);
        struct outcome base, other;
        cv(&d, d.folds, &h, 1, 1, &base);
        cr_assert_gt(base.log.n + base.imp.n, 0, "%s reports something to compare", name);
        for (size_t r = 0; r < sizeof runs / sizeof *runs; r++) {
            char what[96];
            snprintf(what, sizeof what, "%s, %zu folds x %zu, %zu threads, %zu at once", name,
                     ks[ki][0], ks[ki][1], runs[r][0], runs[r][1]);
            cv(&d, d.folds, &h, runs[r][0], runs[r][1], &other);
            same(&base, &other, what, d.ds->n_rows);
            outcome_free(&other);
        }
        outcome_free(&base);
        data_free(&d);
    }
}

Test(fold_jobs, boosting_gives_the_same_trial_bit_for_bit)
{
    const char *set[] = {"n_estimators", "15", "max_leaves", "8", NULL};
    check_trainer("boosting", "data/breast_cancer.csv", TUNE_TASK_BINARY, set);
}

Test(fold_jobs, forest_gives_the_same_trial_bit_for_bit)
{
    const char *set[] = {"n_estimators", "12", NULL};
    check_trainer("forest", "data/wine.csv", TUNE_TASK_MULTICLASS, set);
}

Test(fold_jobs, tree_naive_bayes_and_knn_give_the_same_trial_bit_for_bit)
{
    check_trainer("tree", "data/breast_cancer.csv", TUNE_TASK_BINARY, NULL);
    /* naive Bayes and kNN report neither intermediate values nor
     * importances: their scores and out-of-fold predictions are compared */
    const char *names[] = {"naive_bayes", "knn"};
    for (size_t n = 0; n < 2; n++) {
        const struct tune_trainer_type *t = tune_trainer_find(names[n]);
        cr_assert(t->flags & TUNE_TRAINER_FIT_PARALLEL, "%s", names[n]);
        struct tt_hp h;
        tt_hp_init(&h, t);
        struct data d;
        data_load(&d, "data/wine.csv", TUNE_TASK_MULTICLASS, 5);
        struct outcome a, b;
        cv(&d, d.folds, &h, 1, 1, &a);
        cv(&d, d.folds, &h, 2, 2, &b);
        same(&a, &b, names[n], d.ds->n_rows);
        outcome_free(&a);
        outcome_free(&b);
        data_free(&d);
    }
}

Test(fold_jobs, importances_of_columns_sharing_a_name_add_up_in_the_same_order)
{
    /* A number column named "a=x" and the one-hot column of level x of a
     * text column "a": one name twice in a fold, whose two importances the
     * trial adds to one sum in column order, as the folds in turn do. */
    char *dir = tu_tmpdir();
    size_t cap = 64 + 300 * 64, len = 0;
    char *text = malloc(cap);
    len += (size_t)snprintf(text + len, cap - len, "a=x,a,b,target\n");
    uint64_t r = 7;
    for (int i = 0; i < 300; i++) {
        double v[2];
        for (int j = 0; j < 2; j++) {
            r = r * 6364136223846793005ull + 1442695040888963407ull;
            v[j] = (double)(r >> 11) / 9007199254740992.0;
        }
        const char *level = i % 3 == 0 ? "x" : i % 3 == 1 ? "y" : "z";
        int y = v[0] + (i % 3 == 0 ? 0.4 : 0) + 0.3 * v[1] > 0.8;
        len += (size_t)snprintf(text + len, cap - len, "%.6f,%s,%.6f,%d\n", v[0], level, v[1], y);
    }
    char *path = tu_write(dir, "names.csv", text);
    struct data d;
    data_load(&d, path, TUNE_TASK_BINARY, 5);
    int twice = 0;
    for (size_t j = 0; j < d.folds[0].xtr.n_cols; j++)
        twice += strcmp(d.folds[0].names[j], "a=x") == 0;
    cr_assert_eq(twice, 2, "the name comes twice");
    struct tt_hp h;
    tt_hp_init(&h, tune_trainer_find("forest"));
    tt_hp_set(&h, "n_estimators", 25); /* 25 trees: a sum whose order shows */
    struct outcome a, b;
    cv(&d, d.folds, &h, 1, 1, &a);
    cv(&d, d.folds, &h, 2, 2, &b);
    same(&a, &b, "forest, a=x twice", d.ds->n_rows);
    outcome_free(&a);
    outcome_free(&b);
    data_free(&d);
    free(path);
    free(text);
    free(dir);
}

/* ---- a trainer that sees whether its folds meet ---- */

static atomic_int inside, most, arrived;
static size_t threads_of[8];
/* Fold f waits for want_arrived[f] fits in all to have come in (the folds
 * of its round and of the rounds before), or when 0 for another fold to be
 * inside at the same time. */
static int want_arrived[8];
static int meet_wait_ms;     /* how long a fold waits for another to come in */
static int fail_fold = -1;   /* this fold fails */

static int meet_fit(const struct tune_matrix *x, const double *y, const struct tune_fit_ctx *ctx,
                    const struct tune_params *p, void **model, struct tune_error *err)
{
    (void)x, (void)y, (void)p;
    int now = atomic_fetch_add(&inside, 1) + 1;
    atomic_fetch_add(&arrived, 1);
    for (int seen = atomic_load(&most); now > seen && !atomic_compare_exchange_weak(&most, &seen, now);)
        ;
    threads_of[ctx->fold] = ctx->n_threads;
    struct timespec ms = {0, 1000000};
    int want = want_arrived[ctx->fold];
    for (int i = 0; i < meet_wait_ms && (want ? atomic_load(&arrived) < want
                                               : atomic_load(&most) < 2); i++)
        nanosleep(&ms, NULL);
    atomic_fetch_sub(&inside, 1);
    if (ctx->report)
        ctx->report(ctx->report_arg, 1, ctx->fold);
    if (ctx->fold == fail_fold)
        return tune_error_set(err, TUNE_ETRAINER, "meet: fold %d says no", ctx->fold);
    *model = calloc(1, 1);
    return TUNE_OK;
}

static int meet_predict(const void *model, const struct tune_matrix *x,
                        struct tune_predictions *out, struct tune_error *err)
{
    (void)model, (void)err;
    for (size_t i = 0; i < x->n_rows; i++) {
        out->label[i] = 1;
        out->proba[2 * i] = 0.25;
        out->proba[2 * i + 1] = 0.75;
    }
    return TUNE_OK;
}

static const struct tune_trainer_type meet = {
    .version = 2,
    .name = "meet",
    .tasks = TUNE_TASK_BINARY,
    .fit = meet_fit,
    .predict = meet_predict,
    .free_model = free,
    .flags = TUNE_TRAINER_FIT_PARALLEL,
};

static struct tune_params meet_params; /* none, or a pinned n_threads */

static int meet_run(const struct data *d, const struct tune_trainer_type *t,
                    const struct tune_fold *folds, size_t threads, size_t jobs,
                    struct tune_error *err)
{
    struct tune_params params = meet_params;
    struct tune_trial_log log = {0};
    struct tune_cv_run run = {.seed = 1, .n_threads = threads, .trial = 0, .log = &log,
                              .fold_jobs = jobs};
    struct tune_cv_result r;
    atomic_store(&inside, 0);
    atomic_store(&most, 0);
    atomic_store(&arrived, 0);
    memset(threads_of, 0, sizeof threads_of);
    int rc = tune_cross_validate_run(d->ds, d->sp, folds, &d->prep, t, &params, &run, &r, err);
    if (!rc) {
        /* the values come in fold order, as the folds one after another give them */
        cr_assert_eq(log.n, d->sp->n);
        for (size_t f = 0; f < log.n; f++)
            cr_assert(log.v[f].fold == (int)f && log.v[f].value == (double)f);
        tune_cv_result_release(&r);
    }
    free(log.v);
    return rc;
}

Test(fold_jobs, folds_run_at_once_with_the_threads_shared_out)
{
    struct data d;
    data_load(&d, "data/breast_cancer.csv", TUNE_TASK_BINARY, 5);
    struct tune_error err = {0};
    meet_wait_ms = 10000; /* only a broken run waits it out, and then fails */
    /* 5 folds, 2 at a time on 2 threads: (0 1) with one each, then the
     * last round takes the 3 left, at once, one thread each */
    int rounds2[] = {2, 2, 5, 5, 5};
    memcpy(want_arrived, rounds2, sizeof rounds2);
    cr_assert_eq(meet_run(&d, &meet, d.folds, 2, 2, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(atomic_load(&most), 3, "three folds were fitted at once, never more");
    size_t want2[] = {1, 1, 1, 1, 1};
    for (int f = 0; f < 5; f++)
        cr_assert_eq(threads_of[f], want2[f], "fold %d", f);
    /* on 4 threads: (0 1) with two each, then (2 3 4) with 2 1 1 */
    cr_assert_eq(meet_run(&d, &meet, d.folds, 4, 2, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(atomic_load(&most), 3);
    size_t want4[] = {2, 2, 2, 1, 1};
    for (int f = 0; f < 5; f++)
        cr_assert_eq(threads_of[f], want4[f], "fold %d", f);
    /* 3 at a time on 7 threads: fewer than two rounds' worth, so all 5 at
     * once, 7 threads shared 2 2 1 1 1 */
    int rounds5[] = {5, 5, 5, 5, 5};
    memcpy(want_arrived, rounds5, sizeof rounds5);
    cr_assert_eq(meet_run(&d, &meet, d.folds, 7, 3, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(atomic_load(&most), 5);
    size_t want7[] = {2, 2, 1, 1, 1};
    for (int f = 0; f < 5; f++)
        cr_assert_eq(threads_of[f], want7[f], "fold %d", f);
    memset(want_arrived, 0, sizeof want_arrived);

    /* in turn: one at a time asked, a trainer that does not allow it, or
     * folds made per trial (a large data set's, held once plus one fold) */
    meet_wait_ms = 30;
    cr_assert_eq(meet_run(&d, &meet, d.folds, 2, 1, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(atomic_load(&most), 1);
    for (int f = 0; f < 5; f++)
        cr_assert_eq(threads_of[f], 2, "in turn, each fold has every thread");
    struct tune_trainer_type serial = meet;
    serial.flags = 0;
    cr_assert_eq(meet_run(&d, &serial, d.folds, 2, 2, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(atomic_load(&most), 1, "without TUNE_TRAINER_FIT_PARALLEL: in turn");
    struct tune_trainer_type v1 = meet;
    v1.version = 1;
    cr_assert_eq(meet_run(&d, &v1, d.folds, 2, 2, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(atomic_load(&most), 1, "a version 1 trainer has no flags: in turn");
    cr_assert_eq(meet_run(&d, &meet, NULL, 2, 2, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(atomic_load(&most), 1, "folds made per trial: in turn");
    /* a trainer told its own threads would run them in every fold at once */
    const char *names[] = {"n_threads"};
    double pinned = 2, automatic = 0;
    meet_params = (struct tune_params){1, names, &pinned, NULL};
    cr_assert_eq(meet_run(&d, &meet, d.folds, 2, 2, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(atomic_load(&most), 1, "n_threads 2 in the params: in turn");
    meet_wait_ms = 10000;
    meet_params = (struct tune_params){1, names, &automatic, NULL};
    cr_assert_eq(meet_run(&d, &meet, d.folds, 2, 2, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(atomic_load(&most), 2, "n_threads 0 (the study's share): side by side");
    meet_params = (struct tune_params){0};
    data_free(&d);
}

Test(fold_jobs, a_failing_fold_is_reported_as_in_turn)
{
    struct data d;
    data_load(&d, "data/breast_cancer.csv", TUNE_TASK_BINARY, 5);
    for (int f = 0; f < 5; f++) {
        struct tune_error a = {0}, b = {0};
        fail_fold = f;
        meet_wait_ms = 0;
        int rc1 = meet_run(&d, &meet, d.folds, 1, 1, &a);
        meet_wait_ms = 10000;
        int rc2 = meet_run(&d, &meet, d.folds, 2, 2, &b);
        cr_assert_eq(rc1, TUNE_ETRAINER);
        cr_assert_eq(rc2, rc1, "fold %d", f);
        cr_assert_str_eq(b.msg, a.msg);
        char want[64];
        snprintf(want, sizeof want, "fold %d: meet: fold %d says no", f + 1, f);
        cr_assert_str_eq(a.msg, want);
    }
    fail_fold = -1;
    data_free(&d);
}
