/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_kmeans.c — k-means (tunefold/kmeans.h) and the `kmeans` trainer.
 *
 * Known answers between the markers below were printed by
 * bench/reference/kmeans_ref.py (run: /usr/bin/python3
 * bench/reference/kmeans_ref.py) with scikit-learn 1.2's KMeans: runs from
 * given centres follow the same deterministic iterations here, so their
 * iteration counts, centres and inertia must agree to rounding. */
#include "testutil.h"
#include "trainer_testutil.h"
#include "tunefold/kmeans.h"

/* ---- reference values: output of bench/reference/kmeans_ref.py ---- */
/* three blobs of 10 rows (rows 0-9, 10-19, 20-29), column-major */
static const double blobs_x[60] = {
    -2.775449, -3.749141, -4.271590, -5.211992, -4.519128, -3.864528,
    -4.168772, -4.633090, -3.710833, -3.425345, 3.514556, 3.827063,
    3.390297, 4.661053, 3.353865, 2.968124, 4.029523, 3.554910,
    1.803103, 2.924213, 2.165867, 1.733140, 2.015675, 2.843359,
    2.116289, 1.876686, 2.350435, 1.871103, 2.137492, 2.414075,
    -0.533399, 0.659338, 0.870642, 0.860841, 2.993800, 0.788422,
    0.599172, 0.765519, 0.856868, 0.880119, 4.927493, 3.696863,
    4.324315, 3.838228, 4.601388, 3.824968, 4.348210, 4.402063,
    4.612784, 2.998828, -4.579673, -5.645844, -5.031648, -4.551555,
    -4.333020, -5.555540, -4.650477, -5.469685, -6.496337, -4.705179,
};
/* KMeans(3, n_init=10): centres sorted by first column, inertia */
static const double blobs_centers[6] = {
    -4.0329868000000006, 0.87413220000000003, 2.1524121000000003, -5.1018958000000003,
    3.4026706999999998, 4.1575140000000008,
};
static const double blobs_inertia = 23.951105870847798;
/* iris, KMeans(3, n_init=10): centres sorted by first column */
static const double iris_centers[12] = {
    5.0060000000000002, 3.4279999999999999, 1.4620000000000002, 0.24600000000000055,
    5.9016129032258062, 2.7483870967741937, 4.3935483870967742, 1.4338709677419355,
    6.8499999999999996, 3.0736842105263156, 5.7421052631578942, 2.0710526315789473,
};
static const double iris_inertia = 78.851441426145996;
/* iris from rows 0, 1, 2 as centres, lloyd, tol 1e-4: n_iter 12 */
static const size_t iris_from_rows_lloyd_iter = 12;
static const double iris_from_rows_lloyd_centers[12] = {
    6.8538461538461544, 3.0769230769230771, 5.7153846153846155, 2.0538461538461537,
    5.8836065573770489, 2.7409836065573772, 4.388524590163934, 1.4344262295081966,
    5.0060000000000002, 3.4279999999999999, 1.4620000000000002, 0.24600000000000055,
};
static const double iris_from_rows_lloyd_inertia = 78.855665825977312;
/* iris from rows 0, 1, 2 as centres, elkan, tol 1e-4: n_iter 12 */
static const size_t iris_from_rows_elkan_iter = 12;
static const double iris_from_rows_elkan_centers[12] = {
    6.8538461538461544, 3.0769230769230771, 5.7153846153846155, 2.0538461538461537,
    5.8836065573770489, 2.7409836065573772, 4.388524590163934, 1.4344262295081966,
    5.0060000000000002, 3.4279999999999999, 1.4620000000000002, 0.24600000000000055,
};
static const double iris_from_rows_elkan_inertia = 78.855665825977312;
/* 24 rows in two groups, centres (0,0), (6,0), (50,50): the third is empty at the first update; KMeans(init, tol=0): n_iter 4 */
static const double empty_x[48] = {
    -1.638857, -0.964100, -2.034167, 0.709580, -2.158005, 0.328020,
    1.590640, 0.354532, 1.405963, -0.372251, 1.681826, 0.753564,
    6.349227, 5.199759, 7.370072, 5.403630, 6.224619, 4.750903,
    5.995586, 6.757058, 5.682844, 5.756665, 5.205553, 5.889220,
    0.061354, 0.757221, -0.914495, 1.156401, -0.498040, -0.609216,
    -1.191227, -1.048406, -0.021651, -1.718185, 0.752779, 1.137881,
    -0.639247, -0.800200, -1.460381, -0.321244, 0.575349, -1.730013,
    1.213564, 0.215651, 0.293234, 0.817207, 0.134240, 0.543359,
};
static const double empty_centers[6] = {
    0.80648425000000001, -0.19270299999999996, 5.8820946666666654, -0.09654008333333336,
    -1.6987822500000003, -0.14848999999999998,
};
static const double empty_inertia = 29.657560256075829;
/* ---- end of reference values ---- */

/* ---- helpers ---- */

static struct tune_matrix iris(void)
{
    struct tune_matrix m = tt_read_csv("data/iris.csv");
    free(tt_split_target(&m));
    return m;
}

static struct tune_matrix digits(void)
{
    struct tune_matrix m = tt_read_csv("data/digits.csv");
    free(tt_split_target(&m));
    return m;
}

static struct tune_kmeans *fit_ok(const struct tune_matrix *x,
                                  const struct tune_kmeans_options *o)
{
    struct tune_kmeans *km = NULL;
    struct tune_error err = {0};
    int rc = tune_kmeans_fit(x, o, &km, &err);
    cr_assert_eq(rc, TUNE_OK, "kmeans fit failed: %s", err.msg);
    return km;
}

static int row_cmp_d;   /* columns, for qsort's comparator */

static int row_cmp(const void *a, const void *b)
{
    const double *x = a, *y = b;
    for (int j = 0; j < row_cmp_d; j++)
        if (x[j] != y[j])
            return x[j] < y[j] ? -1 : 1;
    return 0;
}

/* The centres sorted as the reference sorts them (lexicographically). */
static double *sorted_centers(const struct tune_kmeans *km)
{
    double *c = malloc(km->k * km->d * sizeof *c);
    memcpy(c, km->centers, km->k * km->d * sizeof *c);
    row_cmp_d = (int)km->d;
    qsort(c, km->k, km->d * sizeof *c, row_cmp);
    return c;
}

static void check_centers(const double *got, const double *want, size_t n, double tol)
{
    for (size_t i = 0; i < n; i++)
        assert_close(got[i], want[i], tol);
}

/* A deterministic 20000 x 5 set of 6 loose groups (a linear congruential
 * generator, so no library RNG is involved). */
static struct tune_matrix synthetic(void)
{
    size_t n = 20000, d = 5;
    struct tune_matrix m = {n, d, malloc(n * d * sizeof(double))};
    uint64_t s = 12345;
    for (size_t i = 0; i < n; i++) {
        size_t g = i % 6;
        for (size_t j = 0; j < d; j++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            double u = (double)(s >> 11) / 9007199254740992.0;
            m.data[j * n + i] = (double)((g * 7 + j * 3) % 11) + 3.0 * (u - 0.5);
        }
    }
    return m;
}

/* ---- known answers ---- */

Test(kmeans, separated_blobs_are_found_with_their_means_as_centres)
{
    struct tune_matrix x = {30, 2, (double *)blobs_x};
    struct tune_kmeans_options o;
    tune_kmeans_options_init(&o, 3);
    o.seed = 4;
    struct tune_kmeans *km = fit_ok(&x, &o);
    double *c = sorted_centers(km);
    check_centers(c, blobs_centers, 6, 1e-12);
    assert_close(km->inertia, blobs_inertia, 1e-12);
    int labels[30];
    cr_assert_eq(tune_kmeans_assign(km, &x, labels, NULL, 1, NULL), TUNE_OK);
    for (size_t b = 0; b < 3; b++)
        for (size_t i = 1; i < 10; i++)
            cr_assert_eq(labels[b * 10 + i], labels[b * 10], "blob %zu row %zu", b, i);
    cr_assert(labels[0] != labels[10] && labels[10] != labels[20] && labels[0] != labels[20]);
    free(c);
    tune_kmeans_free(km);
}

Test(kmeans, iris_with_ten_restarts_reaches_sklearns_optimum)
{
    struct tune_matrix x = iris();
    struct tune_kmeans_options o;
    tune_kmeans_options_init(&o, 3);
    o.n_init = 10;
    struct tune_kmeans *km = fit_ok(&x, &o);
    assert_close(km->inertia, iris_inertia, 1e-10);
    double *c = sorted_centers(km);
    check_centers(c, iris_centers, 12, 1e-10);
    free(c);
    tune_kmeans_free(km);
    free(x.data);
}

Test(kmeans, lloyd_and_elkan_from_given_centres_repeat_sklearns_iterations)
{
    struct tune_matrix x = iris();
    double init[12];
    for (size_t c = 0; c < 3; c++)
        for (size_t j = 0; j < 4; j++)
            init[c * 4 + j] = x.data[j * 150 + c];   /* rows 0, 1, 2 */
    struct tune_kmeans_options o;
    tune_kmeans_options_init(&o, 3);
    o.initial_centers = init;
    struct tune_kmeans *km = fit_ok(&x, &o);
    cr_assert_eq(km->n_iter, iris_from_rows_lloyd_iter);
    check_centers(km->centers, iris_from_rows_lloyd_centers, 12, 1e-12);
    assert_close(km->inertia, iris_from_rows_lloyd_inertia, 1e-12);
    tune_kmeans_free(km);
    o.algorithm = TUNE_KMEANS_ELKAN;
    km = fit_ok(&x, &o);
    cr_assert_eq(km->n_iter, iris_from_rows_elkan_iter);
    check_centers(km->centers, iris_from_rows_elkan_centers, 12, 1e-12);
    assert_close(km->inertia, iris_from_rows_elkan_inertia, 1e-12);
    tune_kmeans_free(km);
    free(x.data);
}

Test(kmeans, an_empty_cluster_takes_the_farthest_row_as_sklearn_does)
{
    struct tune_matrix x = {24, 2, (double *)empty_x};
    double init[6] = {0, 0, 6, 0, 50, 50};
    struct tune_kmeans_options o;
    tune_kmeans_options_init(&o, 3);
    o.initial_centers = init;
    o.tol = 0;
    for (int a = 0; a < 2; a++) {
        o.algorithm = a ? TUNE_KMEANS_ELKAN : TUNE_KMEANS_LLOYD;
        struct tune_kmeans *km = fit_ok(&x, &o);
        check_centers(km->centers, empty_centers, 6, 1e-12);
        assert_close(km->inertia, empty_inertia, 1e-12);
        tune_kmeans_free(km);
    }
}

/* ---- properties ---- */

Test(kmeans, inertia_never_increases_across_iterations)
{
    struct tune_matrix x = digits();
    struct tune_kmeans_options o;
    tune_kmeans_options_init(&o, 10);
    o.keep_trace = 1;
    o.tol = 0;
    o.init = TUNE_KMEANS_RANDOM;
    size_t long_runs = 0;
    for (int a = 0; a < 2; a++)
        for (uint64_t seed = 1; seed <= 3; seed++) {
            o.algorithm = a ? TUNE_KMEANS_ELKAN : TUNE_KMEANS_LLOYD;
            o.seed = seed;
            struct tune_kmeans *km = fit_ok(&x, &o);
            cr_assert_not_null(km->trace);
            long_runs += km->n_iter >= 10;
            for (size_t t = 1; t < km->n_iter; t++)
                cr_assert(km->trace[t] <= km->trace[t - 1],
                          "seed %d: inertia rose from %.17g to %.17g at iteration %zu",
                          (int)seed, km->trace[t - 1], km->trace[t], t);
            cr_assert(km->inertia <= km->trace[km->n_iter - 1]);
            cr_assert(km->trace[km->n_iter - 1] < km->trace[0]);
            tune_kmeans_free(km);
        }
    cr_assert_geq(long_runs, 4, "the runs should be long enough to say something");
    free(x.data);
}

Test(kmeans, kmeanspp_is_reproducible_for_a_seed_and_changes_with_it)
{
    struct tune_matrix x = digits();
    struct tune_kmeans_options o;
    tune_kmeans_options_init(&o, 10);
    o.max_iter = 1;   /* the centres after one step show the initialisation */
    struct tune_kmeans *a, *b, *c;
    o.seed = 99;
    a = fit_ok(&x, &o);
    b = fit_ok(&x, &o);
    o.seed = 100;
    c = fit_ok(&x, &o);
    cr_assert_arr_eq(a->centers, b->centers, 10 * 64 * sizeof(double));
    cr_assert_eq(a->inertia, b->inertia);
    cr_assert(memcmp(a->centers, c->centers, 10 * 64 * sizeof(double)) != 0);
    tune_kmeans_free(a);
    tune_kmeans_free(b);
    tune_kmeans_free(c);
    free(x.data);
}

Test(kmeans, kmeanspp_spreads_its_centres_better_than_random_rows)
{
    /* Averaged over seeds, the k-means++ start (one step) has a clearly
     * lower inertia than k random rows on the six-group data. */
    struct tune_matrix x = synthetic();
    struct tune_kmeans_options o;
    tune_kmeans_options_init(&o, 6);
    o.max_iter = 1;
    double pp = 0, rnd = 0;
    for (uint64_t seed = 1; seed <= 5; seed++) {
        o.seed = seed;
        o.init = TUNE_KMEANS_PLUSPLUS;
        struct tune_kmeans *km = fit_ok(&x, &o);
        pp += km->inertia;
        tune_kmeans_free(km);
        o.init = TUNE_KMEANS_RANDOM;
        km = fit_ok(&x, &o);
        rnd += km->inertia;
        tune_kmeans_free(km);
    }
    cr_assert_lt(pp, 0.9 * rnd, "k-means++ %g, random %g", pp, rnd);
    free(x.data);
}

Test(kmeans, results_do_not_depend_on_the_thread_count)
{
    struct tune_matrix x = synthetic();
    struct tune_kmeans_options o;
    tune_kmeans_options_init(&o, 7);
    o.seed = 5;
    o.n_init = 2;
    o.keep_trace = 1;
    struct tune_kmeans *one = fit_ok(&x, &o);
    o.n_threads = 3;
    struct tune_kmeans *three = fit_ok(&x, &o);
    cr_assert_eq(one->n_iter, three->n_iter);
    cr_assert_arr_eq(one->centers, three->centers, 7 * 5 * sizeof(double));
    cr_assert_arr_eq(one->trace, three->trace, one->n_iter * sizeof(double));
    cr_assert_eq(one->inertia, three->inertia);
    int *l1 = malloc(20000 * sizeof *l1), *l3 = malloc(20000 * sizeof *l3);
    double *d1 = malloc(20000 * sizeof *d1), *d3 = malloc(20000 * sizeof *d3);
    cr_assert_eq(tune_kmeans_assign(one, &x, l1, d1, 1, NULL), TUNE_OK);
    cr_assert_eq(tune_kmeans_assign(one, &x, l3, d3, 4, NULL), TUNE_OK);
    cr_assert_arr_eq(l1, l3, 20000 * sizeof *l1);
    cr_assert_arr_eq(d1, d3, 20000 * sizeof *d1);
    double sum = 0;
    for (size_t i = 0; i < 20000; i++)
        sum += d1[i];
    cr_assert_eq(sum, one->inertia, "inertia is the row-order sum of the squared distances");
    free(l1);
    free(l3);
    free(d1);
    free(d3);
    tune_kmeans_free(one);
    tune_kmeans_free(three);
    free(x.data);
}

Test(kmeans, lloyd_and_elkan_agree_on_a_clustering)
{
    struct tune_matrix x = synthetic();
    struct tune_kmeans_options o;
    tune_kmeans_options_init(&o, 6);
    o.seed = 8;
    struct tune_kmeans *l = fit_ok(&x, &o);
    o.algorithm = TUNE_KMEANS_ELKAN;
    struct tune_kmeans *e = fit_ok(&x, &o);
    cr_assert_eq(l->n_iter, e->n_iter);
    check_centers(e->centers, l->centers, 30, 1e-12);
    assert_close(e->inertia, l->inertia, 1e-12);
    tune_kmeans_free(l);
    tune_kmeans_free(e);
    free(x.data);
}

Test(kmeans, the_elbow_gives_the_total_sum_of_squares_at_k_1_and_falls)
{
    struct tune_matrix x = iris();
    struct tune_kmeans_options o;
    tune_kmeans_options_init(&o, 1);
    o.n_init = 10;
    double inertia[6];
    int *labels = malloc(6 * 150 * sizeof *labels);
    struct tune_error err = {0};
    cr_assert_eq(tune_kmeans_elbow(&x, &o, 6, inertia, labels, &err), TUNE_OK, "%s", err.msg);
    double tss = 0;
    for (size_t j = 0; j < 4; j++) {
        double mean = 0;
        for (size_t i = 0; i < 150; i++)
            mean += x.data[j * 150 + i] / 150;
        for (size_t i = 0; i < 150; i++)
            tss += (x.data[j * 150 + i] - mean) * (x.data[j * 150 + i] - mean);
    }
    assert_close(inertia[0], tss, 1e-12);
    assert_close(inertia[2], iris_inertia, 1e-10);
    for (size_t k = 1; k < 6; k++)
        cr_assert_lt(inertia[k], inertia[k - 1], "k = %zu", k + 1);
    for (size_t i = 0; i < 150; i++) {
        cr_assert_eq(labels[i], 0);
        cr_assert(labels[5 * 150 + i] >= 0 && labels[5 * 150 + i] < 6);
    }
    cr_assert_eq(tune_kmeans_elbow(&x, &o, 151, inertia, NULL, &err), TUNE_EINVAL);
    cr_assert_not_null(strstr(err.msg, "k_max = 151"), "%s", err.msg);
    free(labels);
    free(x.data);
}

/* ---- the trainer ---- */

Test(kmeans, the_trainer_declares_sklearns_hyperparameters_for_clustering)
{
    const struct tune_trainer_type *t = &tune_trainer_kmeans;
    cr_assert_str_eq(t->name, "kmeans");
    cr_assert_eq(t->tasks, (unsigned)TUNE_TASK_CLUSTERING);
    cr_assert_eq(tune_trainer_find("kmeans"), t);
    cr_assert_eq(tt_hparam(t, "n_clusters")->def, 8);
    const struct tune_hparam *init = tt_hparam(t, "init");
    cr_assert_str_eq(init->choices[(size_t)init->def], "k-means++");
    cr_assert_str_eq(init->choices[1], "random");
    cr_assert_eq(tt_hparam(t, "n_init")->def, 1);
    cr_assert_eq(tt_hparam(t, "max_iter")->def, 300);
    cr_assert_eq(tt_hparam(t, "tol")->def, 1e-4);
    const struct tune_hparam *alg = tt_hparam(t, "algorithm");
    cr_assert_str_eq(alg->choices[(size_t)alg->def], "lloyd");
    cr_assert_str_eq(alg->choices[1], "elkan");
}

Test(kmeans, the_trainer_predicts_cluster_ids_and_squared_distances)
{
    struct tune_matrix x = {30, 2, (double *)blobs_x};
    struct tt_hp h;
    tt_hp_init(&h, &tune_trainer_kmeans);
    tt_hp_set(&h, "n_clusters", 3);
    tt_hp_set(&h, "n_init", 4);
    void *m = tt_fit(&h, &x, NULL, TUNE_TASK_CLUSTERING, 0, 21);
    struct tune_predictions p;
    struct tune_error err = {0};
    cr_assert_eq(tune_predictions_init(&p, TUNE_TASK_CLUSTERING, 30, 3, 1, &err), TUNE_OK);
    cr_assert_not_null(p.value, "clustering predictions carry the distances");
    cr_assert_eq(tune_trainer_kmeans.predict(m, &x, &p, &err), TUNE_OK, "%s", err.msg);
    double inertia = 0;
    for (size_t i = 0; i < 30; i++) {
        inertia += p.value[i];
        cr_assert_eq(p.label[i], p.label[(i / 10) * 10]);
        cr_assert_eq(p.proba[i * 3 + (size_t)p.label[i]], 1.0);
    }
    assert_close(inertia, blobs_inertia, 1e-12);
    tune_predictions_release(&p);
    tune_trainer_kmeans.free_model(m);
}

Test(kmeans, the_trainer_refuses_other_tasks_and_too_many_clusters)
{
    struct tune_matrix x = {30, 2, (double *)blobs_x};
    struct tt_hp h;
    tt_hp_init(&h, &tune_trainer_kmeans);
    struct tune_error err = {0};
    double y[30] = {0};
    cr_assert_eq(tt_fit_fails(&h, &x, y, TUNE_TASK_MULTICLASS, 3, &err), TUNE_EINVAL);
    cr_assert_not_null(strstr(err.msg, "not clustering"), "%s", err.msg);
    tt_hp_set(&h, "n_clusters", 31);
    cr_assert_eq(tt_fit_fails(&h, &x, NULL, TUNE_TASK_CLUSTERING, 0, &err), TUNE_EINVAL);
    cr_assert_not_null(strstr(err.msg, "n_clusters = 31"), "%s", err.msg);
}

Test(kmeans, a_missing_value_is_named_by_row_and_column)
{
    double xs[60];
    memcpy(xs, blobs_x, sizeof xs);
    xs[30 + 12] = NAN;
    struct tune_matrix x = {30, 2, xs};
    struct tune_kmeans_options o;
    tune_kmeans_options_init(&o, 3);
    struct tune_kmeans *km = NULL;
    struct tune_error err = {0};
    cr_assert_eq(tune_kmeans_fit(&x, &o, &km, &err), TUNE_EINVAL);
    cr_assert_null(km);
    cr_assert_not_null(strstr(err.msg, "row 12, column 1"), "%s", err.msg);
}

Test(kmeans, the_cancel_flag_stops_the_fit_with_an_error)
{
    struct tune_matrix x = {30, 2, (double *)blobs_x};
    struct tt_hp h;
    tt_hp_init(&h, &tune_trainer_kmeans);
    tt_hp_set(&h, "n_clusters", 3);
    volatile sig_atomic_t stop = 1;
    struct tune_fit_ctx ctx = {.task = TUNE_TASK_CLUSTERING, .seed = 1, .n_threads = 1,
                               .cancel = &stop};
    void *model = NULL;
    struct tune_error err = {0};
    cr_assert_eq(tune_trainer_kmeans.fit(&x, NULL, &ctx, &h.params, &model, &err),
                 TUNE_ETRAINER);
    cr_assert_null(model);
    cr_assert_not_null(strstr(err.msg, "interrupted"), "%s", err.msg);
}
