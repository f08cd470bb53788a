/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_knn.c — the `knn` trainer and its exact neighbour search.
 *
 * Known answers between the markers below were printed by
 * bench/reference/knn_ref.py (run: /usr/bin/python3 bench/reference/knn_ref.py):
 * scikit-learn 1.2's KNeighborsClassifier / KNeighborsRegressor on data
 * without distance ties.  Ties are tested against a naive reference written
 * here (every distance, sorted by distance then training row), which is the
 * order knn_search.h promises; brute force and the k-d tree must both give
 * it exactly. */
#include "testutil.h"
#include "trainer_testutil.h"
#include "../trainers/knn_search.h"

/* ---- reference values: output of bench/reference/knn_ref.py ---- */
/* 60 training rows, 3 columns, column-major; classes 0..2 */
static const double train_x[180] = {
    -1.738266, -0.351617, -0.957229, 1.392258, 0.859794, 0.610351,
    -0.836895, 0.258110, -0.118498, 0.218972, -0.861442, 1.457480,
    1.556942, -1.235183, -1.510677, -0.026108, -0.932249, 0.071891,
    2.123422, 2.538098, 0.054590, -0.330279, -0.353623, 0.186936,
    0.290238, 0.532613, -0.634505, 0.430314, 1.818482, -0.901817,
    -0.222769, 0.159879, 0.663294, -0.620124, -0.300451, -0.069570,
    0.177612, 0.097585, 0.711337, 0.853101, -0.309539, 0.277922,
    0.298578, -1.126565, -0.910366, 0.710586, 0.975082, 0.919751,
    -0.988289, -0.681420, 0.241518, -0.352602, -1.300863, 0.236256,
    -0.771823, -0.206196, 1.115098, 0.330361, -3.150078, -1.985530,
    -2.673286, -4.625163, 1.787200, 1.534940, 3.010962, -0.085348,
    -0.603093, -3.278896, -0.479496, -3.632791, -4.482736, -1.037202,
    -1.725464, 2.374864, -2.675389, 1.744090, -0.313517, -2.301216,
    0.064778, 1.571678, -1.488984, 3.525491, -0.838755, 2.742865,
    3.875923, 3.143764, -4.124700, 2.521058, 1.039079, 0.736369,
    -3.245022, -2.501612, -0.613520, 1.882285, -0.838810, -2.215012,
    -2.684077, 1.225940, -2.746584, 3.401994, 2.535798, 0.466491,
    -0.532789, 1.628153, -0.735293, -0.425341, -0.211518, 0.550896,
    0.286323, -3.425844, 0.352251, -0.578360, 1.458326, 4.231565,
    4.768432, 0.608744, 3.237650, -0.298595, -0.249541, 0.852335,
    -0.680553, -0.094449, 0.478424, -0.026515, -0.326797, 0.720008,
    0.181169, 0.180078, -0.077651, 0.776233, -0.040987, 0.775638,
    -1.232560, -0.408386, 0.000090, 0.494525, -0.566967, -0.600126,
    0.321589, -0.057071, 0.547169, -0.172379, 0.312847, -0.276675,
    -0.120191, 0.276723, 1.196582, -0.238157, 0.024899, -0.243265,
    -0.245277, 0.036948, -0.310392, -0.767253, 0.071999, 1.020045,
    -0.445717, -0.671078, -0.397194, -0.042354, -0.535989, 0.504661,
    0.307277, -0.336338, 0.023001, 0.367861, -0.490774, -1.057597,
    -0.685953, 0.201132, 0.723737, 1.009962, -0.657548, 0.135678,
    -0.271911, -0.671283, 0.379383, 0.443368, 0.128063, -0.063752,
};
static const double train_y[60] = {
    0, 0, 2, 1, 1, 2, 0, 0, 0, 1, 0, 2, 1, 1, 0, 2, 0, 0, 1, 1,
    2, 1, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 1, 0, 1, 0, 1,
    0, 2, 0, 1, 0, 0, 1, 1, 0, 0, 2, 1, 0, 1, 1, 0, 1, 2, 0, 0,
};
static const double train_yr[60] = {
    -2.109960, 2.951043, -1.541008, 0.705853, -0.927372, 2.189071,
    -0.474967, 3.056644, 0.416409, 4.350013, 1.672565, 4.084543,
    0.932866, -4.280080, -0.197842, -0.450090, -2.355330, 0.133167,
    3.703549, 2.557842, 2.715740, -3.474580, 0.797149, -2.502517,
    -2.714195, -1.004481, 4.519098, -1.414654, 1.721755, -2.189547,
    1.110072, 2.170335, 0.573281, -4.029415, 0.174238, 4.016371,
    1.236534, -1.871356, 2.000767, -1.272401, -2.940832, 0.699455,
    1.226388, -3.629942, -0.260925, 1.982892, 0.761965, -0.865218,
    -3.270219, 1.758939, 2.201774, 1.924230, -4.742323, -2.068331,
    -5.256408, -1.830582, 0.394999, 1.145995, -4.192702, -3.719448,
};
/* 12 query rows, column-major */
static const double query_x[36] = {
    -0.689330, -1.280021, -1.569480, -1.542498, -0.488988, -0.914283,
    -1.614802, -0.924354, 0.416023, -0.591260, -0.208273, -1.003815,
    2.157164, -1.046853, -1.332254, -0.839725, 0.497377, -2.063302,
    -2.452800, 6.467804, -3.104301, -0.243268, -2.500399, -0.305911,
    -0.898913, 0.383107, -0.372563, -0.592855, -0.476706, -0.446653,
    0.038596, -0.430007, -0.156284, 0.647270, 0.041735, 0.786527,
};
/* KNeighborsClassifier(5, weights=uniform, p=2) */
static const double uniform_euclidean_proba[36] = {
    0.40000000000000002, 0.59999999999999998, 0,
    0.80000000000000004, 0.20000000000000001, 0,
    1, 0, 0,
    1, 0, 0,
    0.59999999999999998, 0.40000000000000002, 0,
    1, 0, 0,
    1, 0, 0,
    0, 1, 0,
    1, 0, 0,
    0.80000000000000004, 0.20000000000000001, 0,
    1, 0, 0,
    0.80000000000000004, 0.20000000000000001, 0,
};
/* KNeighborsRegressor(7, weights=uniform, p=2) */
static const double uniform_euclidean_value[12] = {
    -3.4280664285714288, 0.031543428571428563, -0.6325195714285714, -0.71052071428571417,
    -1.4858814285714286, 0.29734014285714289, 0.98301171428571432, -2.613273285714286,
    2.008218857142857, 0.53173271428571434, 1.9605557142857144, 0.031543428571428542,
};
/* KNeighborsClassifier(5, weights=uniform, p=1) */
static const double uniform_manhattan_proba[36] = {
    0.40000000000000002, 0.59999999999999998, 0,
    0.80000000000000004, 0, 0.20000000000000001,
    1, 0, 0,
    1, 0, 0,
    0.59999999999999998, 0.40000000000000002, 0,
    1, 0, 0,
    1, 0, 0,
    0, 1, 0,
    1, 0, 0,
    0.40000000000000002, 0.20000000000000001, 0.40000000000000002,
    1, 0, 0,
    0.80000000000000004, 0.20000000000000001, 0,
};
/* KNeighborsRegressor(7, weights=uniform, p=1) */
static const double uniform_manhattan_value[12] = {
    -3.290708, 0.36001928571428576, -0.6325195714285714, -1.0714305714285712,
    -1.4858814285714286, -0.19771728571428568, 0.37196942857142856, -3.3195632857142856,
    2.0082188571428574, 0.81956600000000002, 1.6464687142857144, 0.42360328571428579,
};
/* KNeighborsClassifier(5, weights=uniform, p=3) */
static const double uniform_minkowski_proba[36] = {
    0.40000000000000002, 0.59999999999999998, 0,
    0.80000000000000004, 0.20000000000000001, 0,
    1, 0, 0,
    1, 0, 0,
    0.59999999999999998, 0.40000000000000002, 0,
    1, 0, 0,
    0.80000000000000004, 0.20000000000000001, 0,
    0, 1, 0,
    1, 0, 0,
    0.80000000000000004, 0.20000000000000001, 0,
    1, 0, 0,
    0.80000000000000004, 0.20000000000000001, 0,
};
/* KNeighborsRegressor(7, weights=uniform, p=3) */
static const double uniform_minkowski_value[12] = {
    -3.4280664285714288, 0.031543428571428563, -0.6325195714285714, -0.71052071428571417,
    -1.4858814285714286, 0.72257799999999983, 0.63568885714285717, -2.1993424285714287,
    2.0082188571428574, 0.54321742857142863, 1.6380654285714285, 0.68255828571428567,
};
/* KNeighborsClassifier(5, weights=distance, p=2) */
static const double distance_euclidean_proba[36] = {
    0.31468766602847686, 0.68531233397152302, 0,
    0.86276255379797495, 0.13723744620202508, 0,
    1, 0, 0,
    1, 0, 0,
    0.65527254778947408, 0.34472745221052592, 0,
    1, 0, 0,
    1, 0, 0,
    0, 1, 0,
    1, 0, 0,
    0.74248662204208082, 0.25751337795791918, 0,
    1, 0, 0,
    0.76882486232467373, 0.23117513767532635, 0,
};
/* KNeighborsRegressor(7, weights=distance, p=2) */
static const double distance_euclidean_value[12] = {
    -3.6181178245444654, -0.019398278392258675, -0.65508396551913595, -0.87216059544257429,
    -1.8032629557035971, 0.20815288335866458, 0.22611547062792708, -2.9439005660504325,
    2.0337162309170491, 0.58755099243177711, 1.8705441888367456, 0.16179633297633092,
};
/* KNeighborsClassifier(5, weights=distance, p=1) */
static const double distance_manhattan_proba[36] = {
    0.30183057084129267, 0.69816942915870739, 0,
    0.8675881297514253, 0, 0.13241187024857468,
    1, 0, 0,
    1, 0, 0,
    0.6632621865423054, 0.33673781345769471, 0,
    1, 0, 0,
    1, 0, 0,
    0, 1, 0,
    1, 0, 0,
    0.40651061880596756, 0.24255332938777246, 0.35093605180626003,
    1, 0, 0,
    0.77565399048697592, 0.22434600951302411, 0,
};
/* KNeighborsRegressor(7, weights=distance, p=1) */
static const double distance_manhattan_value[12] = {
    -3.5512719942507309, 0.26283924167535105, -0.69682195358163379, -1.1528478039736207,
    -1.7809659592890501, -0.21257838753840927, -0.015291456350373439, -3.5901690039788758,
    2.022358998454894, 0.84562701327368117, 1.731791405197366, 0.33949615286820067,
};
/* KNeighborsClassifier(5, weights=distance, p=3) */
static const double distance_minkowski_proba[36] = {
    0.32441877542867886, 0.67558122457132108, 0,
    0.85924328948854856, 0.14075671051145139, 0,
    1, 0, 0,
    1, 0, 0,
    0.65009319110985397, 0.34990680889014603, 0,
    1, 0, 0,
    0.92343154609163769, 0.076568453908362324, 0,
    0, 1, 0,
    1, 0, 0,
    0.73787802223264909, 0.2621219777673508, 0,
    1, 0, 0,
    0.77506712870223937, 0.22493287129776057, 0,
};
/* KNeighborsRegressor(7, weights=distance, p=3) */
static const double distance_minkowski_value[12] = {
    -3.6064671247314131, -0.036004404109322978, -0.63664832424816442, -0.86905509162163019,
    -1.8063663254778253, 0.54427669242118426, 0.087954377119787347, -2.5786877808816273,
    2.0356200835327383, 0.59202788113267824, 1.636608893638116, 0.60639813593697178,
};
/* the 6 nearest training rows of each query (euclidean), nearest first */
static const size_t query_neighbours[72] = {
    33, 40, 13, 43, 52, 23,
    44, 6, 22, 34, 51, 16,
    44, 6, 16, 0, 14, 34,
    16, 44, 6, 48, 34, 22,
    55, 29, 48, 16, 37, 8,
    14, 17, 0, 36, 31, 30,
    14, 0, 49, 30, 31, 17,
    54, 53, 24, 21, 39, 25,
    7, 38, 36, 30, 31, 17,
    51, 6, 22, 44, 34, 8,
    31, 36, 17, 30, 7, 35,
    6, 51, 44, 22, 34, 8,
};
/* ---- end of reference values ---- */

/* ---- helpers ---- */

static struct tune_matrix train_matrix(void)
{
    return (struct tune_matrix){60, 3, (double *)train_x};
}

static struct tune_matrix query_matrix(void)
{
    return (struct tune_matrix){12, 3, (double *)query_x};
}

static void knn_init(struct tt_hp *h, int k, const char *weights, const char *metric,
                     const char *algorithm)
{
    tt_hp_init(h, &tune_trainer_knn);
    tt_hp_set(h, "n_neighbors", k);
    tt_hp_choose(h, "weights", weights);
    if (strcmp(metric, "minkowski") == 0) {
        tt_hp_choose(h, "metric", "minkowski");
        tt_hp_set(h, "p", 3);
    } else {
        tt_hp_choose(h, "metric", metric);
    }
    tt_hp_choose(h, "algorithm", algorithm);
}

static const char *const algorithms[] = {"brute", "kd_tree", "auto"};

static void check_classifier(const char *weights, const char *metric, const double *want)
{
    struct tune_matrix x = train_matrix(), q = query_matrix();
    for (size_t a = 0; a < 3; a++) {
        struct tt_hp h;
        knn_init(&h, 5, weights, metric, algorithms[a]);
        tt_hp_set(&h, "leaf_size", 4);
        void *m = tt_fit(&h, &x, train_y, TUNE_TASK_MULTICLASS, 3, 1);
        struct tune_predictions p;
        tt_predict(&h, m, &q, TUNE_TASK_MULTICLASS, 3, &p);
        for (size_t i = 0; i < 12; i++) {
            size_t best = 0;
            for (size_t c = 0; c < 3; c++) {
                assert_close(p.proba[i * 3 + c], want[i * 3 + c], 1e-12);
                best = want[i * 3 + c] > want[i * 3 + best] ? c : best;
            }
            cr_assert_eq((size_t)p.label[i], best, "%s/%s/%s row %zu", weights, metric,
                         algorithms[a], i);
        }
        tune_predictions_release(&p);
        tune_trainer_knn.free_model(m);
    }
}

static void check_regressor(const char *weights, const char *metric, const double *want)
{
    struct tune_matrix x = train_matrix(), q = query_matrix();
    for (size_t a = 0; a < 3; a++) {
        struct tt_hp h;
        knn_init(&h, 7, weights, metric, algorithms[a]);
        tt_hp_set(&h, "leaf_size", 4);
        void *m = tt_fit(&h, &x, train_yr, TUNE_TASK_REGRESSION, 0, 1);
        struct tune_predictions p;
        tt_predict(&h, m, &q, TUNE_TASK_REGRESSION, 0, &p);
        for (size_t i = 0; i < 12; i++)
            assert_close(p.value[i], want[i], 1e-12);
        tune_predictions_release(&p);
        tune_trainer_knn.free_model(m);
    }
}

struct pair {
    double rank;
    size_t index;
};

static int pair_cmp(const void *a, const void *b)
{
    const struct pair *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* The naive reference: every rank, in column order, sorted by (rank, row). */
static void naive(const double *train, size_t n, size_t d, const double *q, size_t nq, size_t i,
                  const struct knn_metric_def *m, size_t k, double *rank, size_t *index)
{
    struct pair *all = malloc(n * sizeof *all);
    for (size_t r = 0; r < n; r++) {
        double s = 0;
        for (size_t j = 0; j < d; j++) {
            double e = train[j * n + r] - q[j * nq + i];
            s += m->kind == KNN_EUCLIDEAN   ? e * e
                 : m->kind == KNN_MANHATTAN ? fabs(e)
                                            : pow(fabs(e), m->p);
        }
        all[r] = (struct pair){s, r};
    }
    qsort(all, n, sizeof *all, pair_cmp);
    for (size_t t = 0; t < k; t++) {
        rank[t] = all[t].rank;
        index[t] = all[t].index;
    }
    free(all);
}

/* Brute force and k-d trees of several leaf sizes give the naive order,
 * bit for bit, for every query row. */
static void check_search(const double *train, size_t n, size_t d, const double *q, size_t nq,
                         size_t k, const struct knn_metric_def *m)
{
    double *panels = tune_knn_panels_build(train, n, d);
    double *rb = malloc(nq * k * sizeof *rb), *rt = malloc(nq * k * sizeof *rt);
    size_t *ib = malloc(nq * k * sizeof *ib), *it = malloc(nq * k * sizeof *it);
    double *rn = malloc(k * sizeof *rn);
    size_t *in = malloc(k * sizeof *in);
    size_t leaves[3] = {1, 5, 30};
    cr_assert(tune_knn_brute(panels, n, d, q, nq, 0, nq, k, m, rb, ib));
    for (size_t l = 0; l < 3; l++) {
        struct knn_kdtree *tree = tune_knn_kdtree_build(train, n, d, leaves[l]);
        cr_assert_not_null(tree);
        /* in two pieces, as two threads would */
        cr_assert(tune_knn_kdtree_query(tree, q, nq, 0, nq / 3, k, m, rt, it));
        cr_assert(tune_knn_kdtree_query(tree, q, nq, nq / 3, nq, k, m, rt + (nq / 3) * k,
                                        it + (nq / 3) * k));
        for (size_t i = 0; i < nq; i++) {
            naive(train, n, d, q, nq, i, m, k, rn, in);
            for (size_t t = 0; t < k; t++) {
                cr_assert(ib[i * k + t] == in[t] && rb[i * k + t] == rn[t],
                          "brute, query %zu, neighbour %zu: row %zu rank %.17g, naive row %zu "
                          "rank %.17g", i, t, ib[i * k + t], rb[i * k + t], in[t], rn[t]);
                cr_assert(it[i * k + t] == in[t] && rt[i * k + t] == rn[t],
                          "kd tree (leaf %zu), query %zu, neighbour %zu: row %zu, naive row %zu",
                          leaves[l], i, t, it[i * k + t], in[t]);
            }
        }
        tune_knn_kdtree_free(tree);
    }
    free(panels);
    free(rb);
    free(rt);
    free(ib);
    free(it);
    free(rn);
    free(in);
}

static struct tune_matrix load(const char *path, double **y)
{
    struct tune_matrix m = tt_read_csv(path);
    *y = tt_split_target(&m);
    return m;
}

/* ---- declared interface ---- */

Test(knn, declares_its_hyperparameters_with_sklearn_defaults)
{
    const struct tune_trainer_type *t = &tune_trainer_knn;
    cr_assert_str_eq(t->name, "knn");
    cr_assert_eq(t->tasks,
                 (unsigned)(TUNE_TASK_BINARY | TUNE_TASK_MULTICLASS | TUNE_TASK_REGRESSION));
    cr_assert_eq(tune_trainer_find("knn"), t);
    cr_assert_eq(tt_hparam(t, "n_neighbors")->def, 5);
    const struct tune_hparam *w = tt_hparam(t, "weights");
    cr_assert_str_eq(w->choices[(size_t)w->def], "uniform");
    cr_assert_str_eq(w->choices[1], "distance");
    const struct tune_hparam *m = tt_hparam(t, "metric");
    cr_assert_str_eq(m->choices[(size_t)m->def], "minkowski");
    cr_assert_str_eq(m->choices[1], "euclidean");
    cr_assert_str_eq(m->choices[2], "manhattan");
    const struct tune_hparam *p = tt_hparam(t, "p");
    cr_assert(p->def == 2 && p->low == 1);
    const struct tune_hparam *a = tt_hparam(t, "algorithm");
    cr_assert_str_eq(a->choices[(size_t)a->def], "auto");
    cr_assert_eq(tt_hparam(t, "leaf_size")->def, 30);
}

/* ---- scikit-learn known answers ---- */

Test(knn, uniform_votes_match_sklearn_for_three_metrics)
{
    check_classifier("uniform", "euclidean", uniform_euclidean_proba);
    check_classifier("uniform", "manhattan", uniform_manhattan_proba);
    check_classifier("uniform", "minkowski", uniform_minkowski_proba);
}

Test(knn, distance_weighted_votes_match_sklearn_for_three_metrics)
{
    check_classifier("distance", "euclidean", distance_euclidean_proba);
    check_classifier("distance", "manhattan", distance_manhattan_proba);
    check_classifier("distance", "minkowski", distance_minkowski_proba);
}

Test(knn, regression_means_match_sklearn_uniform_and_distance_weighted)
{
    check_regressor("uniform", "euclidean", uniform_euclidean_value);
    check_regressor("uniform", "manhattan", uniform_manhattan_value);
    check_regressor("uniform", "minkowski", uniform_minkowski_value);
    check_regressor("distance", "euclidean", distance_euclidean_value);
    check_regressor("distance", "manhattan", distance_manhattan_value);
    check_regressor("distance", "minkowski", distance_minkowski_value);
}

Test(knn, the_search_finds_sklearns_neighbours)
{
    struct knn_metric_def m = {KNN_EUCLIDEAN, 2};
    check_search(train_x, 60, 3, query_x, 12, 6, &m);
    double *panels = tune_knn_panels_build(train_x, 60, 3);
    double rank[72];
    size_t index[72];
    cr_assert(tune_knn_brute(panels, 60, 3, query_x, 12, 0, 12, 6, &m, rank, index));
    for (size_t i = 0; i < 72; i++)
        cr_assert_eq(index[i], query_neighbours[i], "entry %zu: row %zu, sklearn %zu", i,
                     index[i], query_neighbours[i]);
    free(panels);
}

/* ---- exactness with ties ---- */

Test(knn, ties_go_to_the_lower_training_row_and_votes_to_the_lower_class)
{
    /* one column; query 0: rows 1, 2 and 5 at distance 1, rows 3 and 4 at 2 */
    static const double xs[6] = {3, 1, -1, 2, -2, 1};
    static const double ys[6] = {0, 1, 0, 1, 0, 0};
    struct tune_matrix x = {6, 1, (double *)xs}, q = {1, 1, (double[]){0}};
    for (size_t a = 0; a < 2; a++) {
        struct tt_hp h;
        knn_init(&h, 4, "uniform", "euclidean", algorithms[a]);
        tt_hp_set(&h, "leaf_size", 1);
        void *m = tt_fit(&h, &x, ys, TUNE_TASK_BINARY, 2, 1);
        struct tune_predictions p;
        tt_predict(&h, m, &q, TUNE_TASK_BINARY, 2, &p);
        /* rows 1, 2, 5, 3: classes 1, 0, 0, 1 — a 2:2 tie, class 0 wins */
        cr_assert_eq(p.proba[0], 0.5);
        cr_assert_eq(p.proba[1], 0.5);
        cr_assert_eq(p.label[0], 0, "%s", algorithms[a]);
        tune_predictions_release(&p);
        tune_trainer_knn.free_model(m);
    }
    struct knn_metric_def me = {KNN_EUCLIDEAN, 2};
    double *panels = tune_knn_panels_build(xs, 6, 1);
    double rank[4];
    size_t index[4];
    cr_assert(tune_knn_brute(panels, 6, 1, (double[]){0}, 1, 0, 1, 4, &me, rank, index));
    size_t want[4] = {1, 2, 5, 3};
    for (size_t t = 0; t < 4; t++)
        cr_assert_eq(index[t], want[t]);
    free(panels);
}

Test(knn, iris_neighbours_with_many_ties_are_exact_for_every_metric)
{
    double *y;
    struct tune_matrix x = load("data/iris.csv", &y);
    struct knn_metric_def metrics[3] = {{KNN_EUCLIDEAN, 2}, {KNN_MANHATTAN, 1},
                                        {KNN_MINKOWSKI, 3}};
    for (size_t m = 0; m < 3; m++)
        check_search(x.data, 150, 4, x.data, 150, 10, &metrics[m]);
    free(x.data);
    free(y);
}

Test(knn, digits_neighbours_in_64_integer_columns_are_exact)
{
    double *y;
    struct tune_matrix x = load("data/digits.csv", &y);
    struct knn_metric_def me = {KNN_EUCLIDEAN, 2}, mm = {KNN_MANHATTAN, 1};
    /* queries: the first 40 rows, so each finds itself at rank 0 */
    struct tune_matrix q = {40, 64, malloc(40 * 64 * sizeof(double))};
    for (size_t j = 0; j < 64; j++)
        memcpy(q.data + j * 40, x.data + j * 1797, 40 * sizeof(double));
    check_search(x.data, 1797, 64, q.data, 40, 7, &me);
    check_search(x.data, 1797, 64, q.data, 40, 7, &mm);
    free(q.data);
    free(x.data);
    free(y);
}

Test(knn, far_from_the_origin_the_screened_brute_force_stays_exact)
{
    /* Values near 1e6 apart by about 1: the dot-product estimate loses most
     * of its digits, the screen must still keep the true neighbours. */
    size_t n = 300, d = 5;
    double *xs = malloc(n * d * sizeof *xs);
    for (size_t i = 0; i < n * d; i++)
        xs[i] = 1e6 + (double)((i * 7919) % 1000) / 997.0;
    struct knn_metric_def me = {KNN_EUCLIDEAN, 2};
    check_search(xs, n, d, xs, n, 5, &me);
    free(xs);
}

Test(knn, a_zero_distance_neighbour_takes_all_the_weight)
{
    static const double xs[5] = {0.0, 0.0, 0.3, -0.2, 0.1};
    static const double ys[5] = {1, 1, 0, 0, 0};
    static const double yr[5] = {2.5, 3.5, -7, 11, 40};
    struct tune_matrix x = {5, 1, (double *)xs}, q = {1, 1, (double[]){0}};
    struct tt_hp h;
    knn_init(&h, 5, "distance", "euclidean", "brute");
    void *m = tt_fit(&h, &x, ys, TUNE_TASK_BINARY, 2, 1);
    struct tune_predictions p;
    tt_predict(&h, m, &q, TUNE_TASK_BINARY, 2, &p);
    cr_assert_eq(p.proba[1], 1.0);
    cr_assert_eq(p.label[0], 1);
    tune_predictions_release(&p);
    tune_trainer_knn.free_model(m);
    m = tt_fit(&h, &x, yr, TUNE_TASK_REGRESSION, 0, 1);
    tt_predict(&h, m, &q, TUNE_TASK_REGRESSION, 0, &p);
    cr_assert_eq(p.value[0], 3.0);
    tune_predictions_release(&p);
    tune_trainer_knn.free_model(m);
}

/* ---- threads ---- */

Test(knn, predictions_do_not_depend_on_the_thread_count)
{
    double *y;
    struct tune_matrix x = load("data/digits.csv", &y);
    struct tune_matrix tr = {1500, 64, x.data}, q = {297, 64, malloc(297 * 64 * sizeof(double))};
    double *ytr = malloc(1500 * sizeof *ytr);
    for (size_t i = 0; i < 1500; i++)
        ytr[i] = y[i];
    /* the training rows are the first 1500 of each column */
    tr.data = malloc(1500 * 64 * sizeof(double));
    for (size_t j = 0; j < 64; j++) {
        memcpy(tr.data + j * 1500, x.data + j * 1797, 1500 * sizeof(double));
        memcpy(q.data + j * 297, x.data + j * 1797 + 1500, 297 * sizeof(double));
    }
    struct tt_hp h;
    knn_init(&h, 6, "distance", "euclidean", "auto");
    struct tune_predictions p[3];
    size_t threads[3] = {1, 2, 5};
    for (size_t r = 0; r < 3; r++) {
        struct tune_fit_ctx ctx = {.task = TUNE_TASK_MULTICLASS, .n_classes = 10, .seed = 3,
                                   .n_threads = threads[r]};
        void *m = tt_fit_ctx(&h, &tr, ytr, &ctx);
        tt_predict(&h, m, &q, TUNE_TASK_MULTICLASS, 10, &p[r]);
        tune_trainer_knn.free_model(m);
    }
    for (size_t r = 1; r < 3; r++) {
        cr_assert_arr_eq(p[r].label, p[0].label, 297 * sizeof(int));
        cr_assert_arr_eq(p[r].proba, p[0].proba, 297 * 10 * sizeof(double));
    }
    size_t right = 0;
    for (size_t i = 0; i < 297; i++)
        right += p[0].label[i] == (int)y[1500 + i];
    cr_assert_gt(right, 280, "%zu of 297 right", right);
    for (size_t r = 0; r < 3; r++)
        tune_predictions_release(&p[r]);
    free(tr.data);
    free(q.data);
    free(ytr);
    free(x.data);
    free(y);
}

/* ---- errors ---- */

Test(knn, more_neighbours_than_rows_is_refused_by_name)
{
    struct tune_matrix x = train_matrix();
    struct tt_hp h;
    knn_init(&h, 61, "uniform", "euclidean", "auto");
    struct tune_error err = {0};
    cr_assert_eq(tt_fit_fails(&h, &x, train_y, TUNE_TASK_MULTICLASS, 3, &err), TUNE_EINVAL);
    cr_assert_not_null(strstr(err.msg, "n_neighbors = 61"), "%s", err.msg);
    cr_assert_not_null(strstr(err.msg, "60 training rows"), "%s", err.msg);
}

Test(knn, clustering_and_bad_values_are_refused)
{
    struct tune_matrix x = train_matrix();
    struct tt_hp h;
    knn_init(&h, 3, "uniform", "euclidean", "auto");
    struct tune_error err = {0};
    cr_assert_eq(tt_fit_fails(&h, &x, train_y, TUNE_TASK_CLUSTERING, 0, &err), TUNE_EINVAL);
    cr_assert_not_null(strstr(err.msg, "clustering"), "%s", err.msg);
    double xs[180];
    memcpy(xs, train_x, sizeof xs);
    xs[2 * 60 + 44] = NAN;
    struct tune_matrix bad = {60, 3, xs};
    cr_assert_eq(tt_fit_fails(&h, &bad, train_y, TUNE_TASK_MULTICLASS, 3, &err), TUNE_EINVAL);
    cr_assert_not_null(strstr(err.msg, "row 44, column 2"), "%s", err.msg);
    void *m = tt_fit(&h, &x, train_y, TUNE_TASK_MULTICLASS, 3, 1);
    struct tune_predictions p;
    cr_assert_eq(tune_predictions_init(&p, TUNE_TASK_MULTICLASS, 60, 3, 1, &err), TUNE_OK);
    cr_assert_eq(tune_trainer_knn.predict(m, &bad, &p, &err), TUNE_EINVAL);
    cr_assert_not_null(strstr(err.msg, "row 44, column 2"), "%s", err.msg);
    struct tune_matrix narrow = {60, 2, xs};
    cr_assert_eq(tune_trainer_knn.predict(m, &narrow, &p, &err), TUNE_EINVAL);
    cr_assert_not_null(strstr(err.msg, "2 columns"), "%s", err.msg);
    tune_predictions_release(&p);
    tune_trainer_knn.free_model(m);
}
