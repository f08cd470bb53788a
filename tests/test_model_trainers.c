/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_model_trainers.c — every built-in trainer's save and load (the
 * "Saving and loading models" contract of trainer.h): a loaded model
 * predicts bit for bit what the fitted one predicts, for each task the
 * trainer supports and for several settings, with NaN in the rows where the
 * trainer accepts missing values, for any thread count; a truncated or
 * damaged payload is refused with TUNE_EINVAL and never crashes. */
#include "testutil.h"
#include "trainer_testutil.h"
#include "src/model_io.h"

#include <stdint.h>

TestSuite(model_trainers, .init = tu_watchdog);

/* ---- data ---------------------------------------------------------------- */

/* A deterministic generator (splitmix64): every test sees the same rows. */
static uint64_t rng_state;

static double uniform(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return (double)(z >> 11) / 9007199254740992.0;
}

struct data {
    struct tune_matrix x, xt;   /* training rows, test rows */
    double *y;
    enum tune_task task;
    size_t k;
};

/* n training and 300 test rows of d columns; y from a few of the columns.
 * With `nan`, about 5% of the cells (training and test) are NaN. */
static struct data make_data(enum tune_task task, size_t n, size_t d, int nan, uint64_t seed)
{
    struct data D = {.task = task};
    rng_state = seed;
    D.k = task == TUNE_TASK_BINARY ? 2 : task == TUNE_TASK_MULTICLASS ? 4 : 0;
    size_t nt = 300;
    D.x = (struct tune_matrix){n, d, malloc(n * d * sizeof(double))};
    D.xt = (struct tune_matrix){nt, d, malloc(nt * d * sizeof(double))};
    D.y = malloc(n * sizeof *D.y);
    for (int side = 0; side < 2; side++) {
        struct tune_matrix *m = side ? &D.xt : &D.x;
        for (size_t i = 0; i < m->n_rows; i++) {
            double s = 0;
            for (size_t j = 0; j < d; j++) {
                double v = 4.0 * uniform() - 2.0 + (j % 3 == 0 ? 0.25 * (double)j : 0);
                s += v * (j % 2 ? 0.7 : -0.45);
                m->data[j * m->n_rows + i] = nan && uniform() < 0.05 ? NAN : v;
            }
            if (side)
                continue;
            double noise = 0.6 * (uniform() - 0.5);
            if (task == TUNE_TASK_REGRESSION || task == TUNE_TASK_CLUSTERING)
                D.y[i] = 2.385 * s + noise;
            else if (task == TUNE_TASK_BINARY)
                D.y[i] = s + noise > 0;
            else
                D.y[i] = (double)((size_t)floor(fabs(s + noise) * 1.7) % 4);
        }
    }
    return D;
}

static void free_data(struct data *D)
{
    free(D->x.data);
    free(D->xt.data);
    free(D->y);
}

/* ---- saving and loading one model ----------------------------------------- */

static void save_bytes(const struct tune_trainer_type *t, const void *model,
                       struct tune_model_writer *w)
{
    struct tune_error err = {0};
    tune_model_writer_init(w, &err);
    int rc = tune_trainer_save(t, model, w, &err);
    cr_assert_eq(rc, TUNE_OK, "%s save: %s", t->name, err.msg);
    cr_assert_gt(w->len, 0);
}

static int load_bytes(const struct tune_trainer_type *t, const void *p, size_t len,
                      size_t threads, void **model, struct tune_error *err)
{
    struct tune_model_reader r;
    tune_model_reader_init(&r, p, len, 0, "test.tfm", t->name, threads, err);
    int rc = tune_trainer_load(t, &r, model, err);
    if (rc == TUNE_OK && tune_model_reader_left(&r) != 0) {
        t->free_model(*model);
        *model = NULL;
        return tune_error_set(err, TUNE_EINVAL, "%zu bytes left over",
                              tune_model_reader_left(&r));
    }
    return rc;
}

static void assert_same(const char *what, const struct tune_predictions *a,
                        const struct tune_predictions *b)
{
    cr_assert_eq(a->n, b->n);
    cr_assert_eq(a->n_classes, b->n_classes);
    if (a->label)
        cr_assert(memcmp(a->label, b->label, a->n * sizeof *a->label) == 0,
                  "%s: labels differ after a round trip", what);
    if (a->proba)
        cr_assert(memcmp(a->proba, b->proba, a->n * a->n_classes * sizeof *a->proba) == 0,
                  "%s: probabilities differ after a round trip", what);
    if (a->value)
        cr_assert(memcmp(a->value, b->value, a->n * sizeof *a->value) == 0,
                  "%s: values differ after a round trip", what);
}

/* Fit, predict the test rows, save, load (1 and 3 threads), predict again:
 * the same bits.  Then every truncation of the payload (every length for a
 * small one, 400 spread lengths for a large one) fails with TUNE_EINVAL,
 * and damaged bytes either fail or load into a model that still predicts.
 * Returns the payload size. */
static size_t round_trip(struct tt_hp *h, const struct data *D, const char *what)
{
    const struct tune_trainer_type *t = h->t;
    void *model = tt_fit(h, &D->x, D->y, D->task, D->k, 42);
    struct tune_predictions p0, p1;
    tt_predict(h, model, &D->xt, D->task, D->k, &p0);

    struct tune_model_writer w;
    save_bytes(t, model, &w);
    for (size_t threads = 1; threads <= 3; threads += 2) {
        struct tune_error err = {0};
        void *loaded = NULL;
        int rc = load_bytes(t, w.buf, w.len, threads, &loaded, &err);
        cr_assert_eq(rc, TUNE_OK, "%s: load: %s", what, err.msg);
        tt_predict(h, loaded, &D->xt, D->task, D->k, &p1);
        assert_same(what, &p0, &p1);
        tune_predictions_release(&p1);
        /* saving the loaded model gives the same bytes */
        struct tune_model_writer w2;
        save_bytes(t, loaded, &w2);
        cr_assert_eq(w2.len, w.len, "%s: re-saved size differs", what);
        cr_assert(memcmp(w2.buf, w.buf, w.len) == 0, "%s: re-saved bytes differ", what);
        tune_model_writer_release(&w2);
        t->free_model(loaded);
    }

    size_t step = w.len <= 4000 ? 1 : w.len / 400;
    for (size_t len = 0; len < w.len; len += step) {
        struct tune_error err = {0};
        void *loaded = NULL;
        int rc = load_bytes(t, w.buf, len, 1, &loaded, &err);
        cr_assert_eq(rc, TUNE_EINVAL, "%s: a payload cut at %zu of %zu bytes loaded (rc %d)",
                     what, len, w.len, rc);
        cr_assert_null(loaded);
        cr_assert(strstr(err.msg, "test.tfm") != NULL, "message names the file: %s", err.msg);
    }
    /* damage: one byte at a time, 200 places */
    unsigned char *bad = malloc(w.len);
    for (size_t k = 0; k < 200; k++) {
        memcpy(bad, w.buf, w.len);
        size_t at = (size_t)(uniform() * (double)w.len);
        bad[at] ^= (unsigned char)(1u << (k % 8));
        struct tune_error err = {0};
        void *loaded = NULL;
        int rc = load_bytes(t, bad, w.len, 1, &loaded, &err);
        cr_assert(rc == TUNE_OK || rc == TUNE_EINVAL, "%s: damaged byte %zu: status %d (%s)",
                  what, at, rc, err.msg);
        if (rc == TUNE_OK) {
            /* a value changed but the structure holds: predict must not crash */
            struct tune_predictions p2;
            int with_proba = D->task == TUNE_TASK_BINARY || D->task == TUNE_TASK_MULTICLASS;
            tune_predictions_init(&p2, D->task, D->xt.n_rows, D->k, with_proba, &err);
            t->predict(loaded, &D->xt, &p2, &err);
            tune_predictions_release(&p2);
            t->free_model(loaded);
        }
    }
    free(bad);
    size_t len = w.len;
    tune_model_writer_release(&w);
    tune_predictions_release(&p0);
    t->free_model(model);
    return len;
}

static void each_task(struct tt_hp *h, unsigned tasks, size_t n, size_t d, int nan,
                      const char *label)
{
    static const enum tune_task all[] = {TUNE_TASK_BINARY, TUNE_TASK_MULTICLASS,
                                         TUNE_TASK_REGRESSION, TUNE_TASK_CLUSTERING};
    for (size_t i = 0; i < 4; i++) {
        if (!(tasks & all[i]))
            continue;
        struct data D = make_data(all[i], n, d, nan, 7 + i);
        char what[160];
        snprintf(what, sizeof what, "%s %s (%s)", h->t->name, tune_task_name(all[i]), label);
        round_trip(h, &D, what);
        free_data(&D);
    }
}

/* ---- one test per trainer ------------------------------------------------- */

Test(model_trainers, every_builtin_trainer_saves_and_loads)
{
    for (size_t i = 0; tune_trainer_at(i); i++) {
        const struct tune_trainer_type *t = tune_trainer_at(i);
        cr_assert(tune_trainer_can_save(t), "%s cannot save its models", t->name);
        cr_assert_eq(t->version, 2, "%s: version %d", t->name, t->version);
    }
}

Test(model_trainers, logistic_round_trip_is_exact)
{
    struct tt_hp h;
    tt_hp_init(&h, &tune_trainer_logistic);
    each_task(&h, h.t->tasks, 400, 6, 0, "l2");
    tt_hp_choose(&h, "penalty", "l1");
    tt_hp_set(&h, "C", 0.05);
    each_task(&h, h.t->tasks, 300, 5, 0, "l1");
    tt_hp_set(&h, "fit_intercept", 0);
    each_task(&h, TUNE_TASK_MULTICLASS, 200, 3, 0, "no intercept");
}

Test(model_trainers, linear_round_trip_is_exact)
{
    struct tt_hp h;
    tt_hp_init(&h, &tune_trainer_linear);
    each_task(&h, h.t->tasks, 400, 7, 0, "defaults");
    long i = tune_trainer_hparam_index(h.t, "solver");
    if (i >= 0) {
        tt_hp_choose(&h, "solver", "sgd");
        each_task(&h, h.t->tasks, 300, 4, 0, "sgd");
    }
}

Test(model_trainers, naive_bayes_round_trip_is_exact)
{
    struct tt_hp h;
    tt_hp_init(&h, &tune_trainer_naive_bayes);
    each_task(&h, h.t->tasks, 400, 6, 0, "empirical");
    tt_hp_choose(&h, "priors", "uniform");
    each_task(&h, h.t->tasks, 200, 3, 0, "uniform");
}

Test(model_trainers, knn_round_trip_is_exact_with_brute_force_and_kd_tree)
{
    struct tt_hp h;
    tt_hp_init(&h, &tune_trainer_knn);
    tt_hp_choose(&h, "algorithm", "brute");
    each_task(&h, h.t->tasks, 300, 5, 0, "brute");
    tt_hp_choose(&h, "algorithm", "kd_tree");
    tt_hp_choose(&h, "weights", "distance");
    tt_hp_set(&h, "leaf_size", 7);
    each_task(&h, h.t->tasks, 600, 4, 0, "kd_tree");
    tt_hp_choose(&h, "metric", "minkowski");
    tt_hp_set(&h, "p", 3.5);
    each_task(&h, TUNE_TASK_REGRESSION, 200, 3, 0, "minkowski");
}

Test(model_trainers, tree_round_trip_is_exact_with_missing_values)
{
    struct tt_hp h;
    tt_hp_init(&h, &tune_trainer_tree);
    each_task(&h, h.t->tasks, 400, 6, 1, "NaN");
    tt_hp_set(&h, "max_depth", 3);
    each_task(&h, h.t->tasks, 300, 4, 0, "depth 3");
}

Test(model_trainers, forest_round_trip_is_exact_with_missing_values)
{
    struct tt_hp h;
    tt_hp_init(&h, &tune_trainer_forest);
    tt_hp_set(&h, "n_estimators", 12);
    tt_hp_set(&h, "max_depth", 6);
    each_task(&h, h.t->tasks, 300, 5, 1, "NaN");
    tt_hp_set(&h, "n_estimators", 3);
    tt_hp_set(&h, "bootstrap", 0);
    each_task(&h, TUNE_TASK_BINARY, 200, 3, 0, "no bootstrap");
}

Test(model_trainers, boosting_round_trip_is_exact_with_missing_values)
{
    struct tt_hp h;
    tt_hp_init(&h, &tune_trainer_boosting);
    tt_hp_set(&h, "n_estimators", 15);
    tt_hp_set(&h, "max_depth", 4);
    each_task(&h, h.t->tasks, 400, 5, 1, "NaN");
    tt_hp_set(&h, "subsample", 0.7);
    tt_hp_set(&h, "max_leaves", 5);
    each_task(&h, h.t->tasks, 300, 4, 0, "subsample");
}

Test(model_trainers, mlp_round_trip_is_exact)
{
    struct tt_hp h;
    tt_hp_init(&h, &tune_trainer_mlp);
    tt_hp_choose(&h, "hidden_layers", "16");
    tt_hp_set(&h, "epochs", 15);
    each_task(&h, h.t->tasks, 300, 5, 0, "16");
    tt_hp_choose(&h, "hidden_layers", "32,16");
    tt_hp_choose(&h, "activation", "tanh");
    tt_hp_set(&h, "epochs", 5);
    each_task(&h, TUNE_TASK_MULTICLASS, 200, 4, 0, "32,16 tanh");
}

Test(model_trainers, kmeans_round_trip_is_exact)
{
    struct tt_hp h;
    tt_hp_init(&h, &tune_trainer_kmeans);
    tt_hp_set(&h, "n_clusters", 5);
    each_task(&h, h.t->tasks, 400, 4, 0, "k 5");
    tt_hp_set(&h, "n_clusters", 1);
    each_task(&h, h.t->tasks, 50, 2, 0, "k 1");
}

/* LIBSVM: decision values (rbf), Platt probabilities, the poly kernel and
 * nu machines, a regression; zeros in the rows (sparse support vectors). */
Test(model_trainers, svm_round_trip_is_exact_with_probabilities_and_kernels)
{
    struct tt_hp h;
    tt_hp_init(&h, &tune_trainer_svm);
    each_task(&h, h.t->tasks, 200, 5, 0, "rbf");
    tt_hp_set(&h, "probability", 1);
    each_task(&h, TUNE_TASK_BINARY | TUNE_TASK_MULTICLASS, 150, 4, 0, "probability");
    tt_hp_set(&h, "probability", 0);
    tt_hp_choose(&h, "kernel", "poly");
    tt_hp_set(&h, "degree", 2);
    tt_hp_set(&h, "coef0", 0.75);
    tt_hp_set(&h, "gamma", 0.125);
    each_task(&h, h.t->tasks, 120, 3, 0, "poly");
    tt_hp_choose(&h, "kernel", "linear");
    tt_hp_choose(&h, "svm_type", "nu_svr");
    each_task(&h, TUNE_TASK_REGRESSION, 100, 4, 0, "nu_svr");
    tt_hp_choose(&h, "svm_type", "nu_svc");
    tt_hp_set(&h, "nu", 0.3);
    each_task(&h, TUNE_TASK_BINARY, 100, 4, 0, "nu_svc");

    /* zeros: a support vector keeps only its nonzero values */
    tt_hp_init(&h, &tune_trainer_svm);
    struct data D = make_data(TUNE_TASK_MULTICLASS, 150, 6, 0, 11);
    for (size_t t = 0; t < D.x.n_rows * D.x.n_cols; t += 3)
        D.x.data[t] = 0;
    for (size_t t = 1; t < D.xt.n_rows * D.xt.n_cols; t += 4)
        D.xt.data[t] = 0;
    round_trip(&h, &D, "svm sparse");
    free_data(&D);
}

/* LIBLINEAR: probabilities (logistic), decision values of an SVC solver
 * and of Crammer-Singer (a weight vector per class even for two), no bias,
 * and the SVR solvers. */
Test(model_trainers, liblinear_round_trip_is_exact_for_every_solver_family)
{
    struct tt_hp h;
    tt_hp_init(&h, &tune_trainer_liblinear);
    each_task(&h, h.t->tasks, 300, 6, 0, "auto");
    static const char *const solvers[] = {"l2r_l2loss_svc_dual", "mcsvm_cs", "l1r_lr",
                                          "l2r_lr_dual"};
    for (size_t i = 0; i < 4; i++) {
        tt_hp_choose(&h, "solver", solvers[i]);
        each_task(&h, TUNE_TASK_BINARY | TUNE_TASK_MULTICLASS, 200, 5, 0, solvers[i]);
    }
    tt_hp_set(&h, "bias", -1);
    tt_hp_choose(&h, "solver", "l2r_lr");
    each_task(&h, TUNE_TASK_MULTICLASS, 150, 4, 0, "no bias");
    tt_hp_choose(&h, "solver", "l2r_l2loss_svr");
    each_task(&h, TUNE_TASK_REGRESSION, 150, 4, 0, "l2r_l2loss_svr, no bias");
}

/* XGBoost: hist, the exact method with subsampling and lossguide; the
 * loaded booster predicts with 1 and 3 threads (round_trip). */
Test(model_trainers, xgboost_round_trip_is_exact_for_each_tree_method)
{
    struct tt_hp h;
    tt_hp_init(&h, &tune_trainer_xgboost);
    tt_hp_set(&h, "n_estimators", 12);
    tt_hp_set(&h, "max_depth", 4);
    tt_hp_set(&h, "n_threads", 1);
    each_task(&h, h.t->tasks, 300, 5, 0, "hist");
    tt_hp_choose(&h, "tree_method", "exact");
    tt_hp_set(&h, "subsample", 0.8);
    each_task(&h, TUNE_TASK_MULTICLASS, 200, 4, 0, "exact");
    tt_hp_choose(&h, "tree_method", "hist");
    tt_hp_choose(&h, "grow_policy", "lossguide");
    tt_hp_set(&h, "max_leaves", 6);
    tt_hp_set(&h, "max_depth", 0);
    each_task(&h, TUNE_TASK_REGRESSION, 200, 4, 0, "lossguide");
}

/* One class in the training rows: the model is that class, saved as such. */
Test(model_trainers, svm_and_liblinear_save_a_single_class_model)
{
    const struct tune_trainer_type *types[] = {&tune_trainer_svm, &tune_trainer_liblinear};
    for (size_t i = 0; i < 2; i++) {
        struct tt_hp h;
        tt_hp_init(&h, types[i]);
        struct data D = make_data(TUNE_TASK_MULTICLASS, 40, 3, 0, 5);
        for (size_t r = 0; r < D.x.n_rows; r++)
            D.y[r] = 2;
        cr_assert_lt(round_trip(&h, &D, types[i]->name), 64);
        free_data(&D);
    }
}

/* A payload whose version is newer than the trainer reads is refused by
 * name, not misread. */
Test(model_trainers, a_newer_payload_version_is_refused_by_name)
{
    for (size_t i = 0; tune_trainer_at(i); i++) {
        const struct tune_trainer_type *t = tune_trainer_at(i);
        unsigned char bytes[64] = {99, 0, 0, 0};
        struct tune_error err = {0};
        void *model = NULL;
        int rc = load_bytes(t, bytes, sizeof bytes, 1, &model, &err);
        cr_assert_eq(rc, TUNE_EINVAL, "%s", t->name);
        cr_assert(strstr(err.msg, "version 99") != NULL, "%s: %s", t->name, err.msg);
        cr_assert(strstr(err.msg, t->name) != NULL, "%s: %s", t->name, err.msg);
    }
}

/* A hostile tree: a child pointing back at its parent would make every
 * descent loop forever; the loader refuses it. */
Test(model_trainers, a_tree_whose_child_points_back_is_refused)
{
    struct tt_hp h;
    tt_hp_init(&h, &tune_trainer_tree);
    struct data D = make_data(TUNE_TASK_REGRESSION, 200, 3, 0, 3);
    void *model = tt_fit(&h, &D.x, D.y, D.task, 0, 1);
    struct tune_model_writer w;
    save_bytes(h.t, model, &w);
    /* version 4, d 8, k 8, importances 8 d, then the tree: nodes 8, leaves 8,
     * n_out 8, root 4, node 0: feature 4, child[0] 4 */
    size_t node0 = 4 + 8 + 8 + 8 * 3 + 8 + 8 + 8 + 4;
    size_t child0 = node0 + 4;
    uint32_t self = 0;
    memcpy(w.buf + child0, &self, 4); /* little-endian host assumed by this test only */
    struct tune_error err = {0};
    void *loaded = NULL;
    cr_assert_eq(load_bytes(h.t, w.buf, w.len, 1, &loaded, &err), TUNE_EINVAL);
    cr_assert(strstr(err.msg, "tree node 0: child 0") != NULL, "%s", err.msg);
    tune_model_writer_release(&w);
    h.t->free_model(model);
    free_data(&D);
}
