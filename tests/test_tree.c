/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_tree.c — the `tree` trainer: known answers from scikit-learn 1.2 and
 * by hand, limits, missing values, importances, determinism, errors.
 *
 * The arrays between the "reference" markers were printed by
 * bench/reference/trees_ref.py (run: /usr/bin/python3
 * bench/reference/trees_ref.py), which checks that 10 random_states grow the
 * same tree, so the answers do not hang on a tie. */
#include "tree_testutil.h"

#include <float.h>

/* ---- reference values: output of bench/reference/trees_ref.py ---- */
/* data: column-major x (40 x 3), class y, regression yr; probes column-major */
static const double tx[120] = {
    0.52810000000000001, -2.7370999999999999, 1.3633999999999999, -0.31019999999999998,
    0.61470000000000002, 0.63980000000000004, 1.0209999999999999, -2.4266999999999999,
    -1.3069999999999999, 0.26419999999999999, -1.2849999999999999, -0.37369999999999998,
    1.7070000000000001, -1.6454, 0.5786, -1.7968,
    -1.4644999999999999, 0.315, -1.5243, 2.2442000000000002,
    -0.91920000000000002, 2.2814000000000001, 0.3553, -1.1314,
    -1.2388999999999999, 1.0903, 2.0931000000000002, -0.72199999999999998,
    0.51819999999999999, -1.2633000000000001, -0.65759999999999996, -1.0834999999999999,
    2.2363, -1.9605999999999999, 2.0465, -1.8178000000000001,
    0.69979999999999998, 1.6657999999999999, 2.6309, -1.1293,
    1.1947000000000001, -1.7699, 1.0764, -2.8854000000000002,
    2.7707000000000002, -0.30509999999999998, 1.4146000000000001, 2.7654999999999998,
    1.6094999999999999, -0.70379999999999998, 1.4416, 2.3012000000000001,
    1.5537000000000001, -0.47939999999999999, 2.0238999999999998, 0.0144,
    2.2033999999999998, 0.16739999999999999, -2.6158999999999999, -2.0179999999999998,
    -1.1227, 1.0593999999999999, 1.1671, 0.031399999999999997,
    1.0627, -1.6726000000000001, 1.4194, 1.7251000000000001,
    -0.41270000000000001, 1.4049, 0.81369999999999998, -2.0447000000000002,
    0.55889999999999995, 0.19040000000000001, 2.8323, 0.66379999999999995,
    -2.1604000000000001, 2.6383999999999999, 1.7843, -1.2591000000000001,
    -1.8711, -2.3635999999999999, -0.15690000000000001, 1.5156000000000001,
    0.98619999999999997, -1.6478999999999999, -1.452, -1.4894000000000001,
    1.7875000000000001, -0.71009999999999995, -1.5661, -1.2643,
    -0.49330000000000002, -2.6137999999999999, 2.3549000000000002, 2.3723000000000001,
    -2.9011, 2.5400999999999998, 2.4125999999999999, 2.9984000000000002,
    2.0825999999999998, -2.6779000000000002, 1.9452, 2.0939999999999999,
    -0.47460000000000002, 0.29399999999999998, -0.0023, -1.9867999999999999,
    -2.6284999999999998, -1.2681, 1.9869000000000001, 1.27,
    1.1682999999999999, 2.2258, 1.6935, -0.12690000000000001,
    -0.53259999999999996, -2.3725000000000001, -1.0152000000000001, -1.9567000000000001,
};
static const double ty[40] = {
    1, 0, 1, 1,
    1, 1, 1, 0,
    1, 0, 0, 2,
    1, 1, 2, 1,
    1, 2, 1, 2,
    1, 1, 0, 1,
    0, 0, 1, 2,
    1, 0, 1, 1,
    1, 1, 2, 1,
    0, 1, 1, 0,
};
static const double tyr[40] = {
    -0.51519999999999999, -11.642099999999999, 2.3047, -13.1256,
    -9.3620000000000001, 1.5158, -0.61080000000000001, -17.466999999999999,
    -7.0529999999999999, -0.057500000000000002, -6.9500000000000002, -8.8156999999999996,
    0.63329999999999997, -4.3996000000000004, -4.3301999999999996, -4.9279000000000002,
    -10.9778, 1.1180000000000001, -14.3063, -0.57750000000000001,
    -4.3273999999999999, 3.6168, -1.0599000000000001, -3.1147,
    -4.8753000000000002, -1.1187, 1.8445, -6.1722000000000001,
    1.1357999999999999, -5.3772000000000002, -2.9558, -9.2636000000000003,
    5.0312000000000001, -4.8802000000000003, -6.9588999999999999, -5.3040000000000003,
    -4.8320999999999996, -6.3872, 1.1171, -5.5035999999999996,
};
static const double tprobe[75] = {
    1.1688000000000001, -1.1998, 1.6853, 1.6102000000000001,
    -0.1515, -1.1889000000000001, -1.5125999999999999, -2.2410000000000001,
    0.49690000000000001, 0.56489999999999996, 0.59430000000000005, 1.8789,
    1.2014, 1.3212999999999999, 1.7858000000000001, 2.0922999999999998,
    -0.13320000000000001, -1.0978000000000001, 2.9967999999999999, 0.47849999999999998,
    -0.050599999999999999, -2.4154, 2.9323000000000001, -1.8212999999999999,
    -0.16689999999999999, 2.9314, 2.9062000000000001, -0.49020000000000002,
    0.2225, 0.32900000000000001, 0.22320000000000001, -1.4555,
    0.1116, 2.4777, -1.3331999999999999, -1.6161000000000001,
    -1.0429999999999999, -1.1023000000000001, 0.66080000000000005, 1.6986000000000001,
    -0.19889999999999999, -2.6318999999999999, 2.3681999999999999, -0.50739999999999996,
    -2.3624000000000001, -1.1253, 2.0937000000000001, 0.73919999999999997,
    1.8954, -2.8462000000000001, 1.1162000000000001, -1.6789000000000001,
    -1.9093, 2.3831000000000002, -0.38879999999999998, -2.6280000000000001,
    -1.6177999999999999, 1.7022999999999999, -0.43669999999999998, 2.5173000000000001,
    -0.2213, 2.5329000000000002, -0.40010000000000001, -0.86250000000000004,
    0.56520000000000004, -0.86450000000000005, 1.8251999999999999, -1.2927,
    -1.5891, 2.9180999999999999, 0.29859999999999998, -1.9446000000000001,
    1.5036, -1.23, -2.0127000000000002,
};
/* gini_d2: 5 nodes, 3 leaves, depth 2; splits (feature, threshold): (2, 2.47635), (1, 1.6673) */
static const double gini_d2_out[75] = {
    0.1111111111111111, 0.44444444444444442, 0.44444444444444442, 0.1111111111111111,
    0.44444444444444442, 0.44444444444444442, 0.31034482758620691, 0.68965517241379315,
    0, 0.31034482758620691, 0.68965517241379315, 0,
    0.31034482758620691, 0.68965517241379315, 0, 0.31034482758620691,
    0.68965517241379315, 0, 0.31034482758620691, 0.68965517241379315,
    0, 0.31034482758620691, 0.68965517241379315, 0,
    0.1111111111111111, 0.44444444444444442, 0.44444444444444442, 0,
    0, 1, 0.31034482758620691, 0.68965517241379315,
    0, 0, 0, 1,
    0.31034482758620691, 0.68965517241379315, 0, 0.31034482758620691,
    0.68965517241379315, 0, 0.1111111111111111, 0.44444444444444442,
    0.44444444444444442, 0.31034482758620691, 0.68965517241379315, 0,
    0.31034482758620691, 0.68965517241379315, 0, 0.1111111111111111,
    0.44444444444444442, 0.44444444444444442, 0.31034482758620691, 0.68965517241379315,
    0, 0, 0, 1,
    0.31034482758620691, 0.68965517241379315, 0, 0.1111111111111111,
    0.44444444444444442, 0.44444444444444442, 0.31034482758620691, 0.68965517241379315,
    0, 0.1111111111111111, 0.44444444444444442, 0.44444444444444442,
    0.31034482758620691, 0.68965517241379315, 0,
};
static const double gini_d2_importance[3] = {
    0, 0.4586582615547653, 0.5413417384452347,
};
/* entropy_d3: 9 nodes, 5 leaves, depth 3; splits (feature, threshold): (2, 2.47635), (1, 1.6673), (2, 1.96605), (0, -1.9456) */
static const double entropy_d3_out[75] = {
    0, 0.5, 0.5, 0,
    0.5, 0.5, 0.39130434782608697, 0.60869565217391308,
    0, 0, 1, 0,
    0.39130434782608697, 0.60869565217391308, 0, 0.39130434782608697,
    0.60869565217391308, 0, 0.39130434782608697, 0.60869565217391308,
    0, 0.39130434782608697, 0.60869565217391308, 0,
    0, 0.5, 0.5, 0,
    0, 1, 0.39130434782608697, 0.60869565217391308,
    0, 0, 0, 1,
    0.39130434782608697, 0.60869565217391308, 0, 0.39130434782608697,
    0.60869565217391308, 0, 0, 0.5,
    0.5, 0.39130434782608697, 0.60869565217391308, 0,
    0.39130434782608697, 0.60869565217391308, 0, 0,
    0.5, 0.5, 0.39130434782608697, 0.60869565217391308,
    0, 0, 0, 1,
    0.39130434782608697, 0.60869565217391308, 0, 1,
    0, 0, 0.39130434782608697, 0.60869565217391308,
    0, 0, 0.5, 0.5,
    0.39130434782608697, 0.60869565217391308, 0,
};
static const double entropy_d3_importance[3] = {
    0.18951676604860618, 0.40670490910956542, 0.40377832484182841,
};
/* balanced_d2: 7 nodes, 4 leaves, depth 2; splits (feature, threshold): (2, 2.29035), (1, 1.6673), (0, -0.60465) */
static const double balanced_d2_out[75] = {
    0.13043478260869565, 0.21739130434782611, 0.65217391304347838, 0.13043478260869565,
    0.21739130434782611, 0.65217391304347838, 0.54545454545454541, 0.45454545454545447,
    0, 0, 0, 1,
    0.54545454545454541, 0.45454545454545447, 0, 0.54545454545454541,
    0.45454545454545447, 0, 0.54545454545454541, 0.45454545454545447,
    0, 0.54545454545454541, 0.45454545454545447, 0,
    0.13043478260869565, 0.21739130434782611, 0.65217391304347838, 0,
    0, 1, 0.54545454545454541, 0.45454545454545447,
    0, 0, 0, 1,
    0.54545454545454541, 0.45454545454545447, 0, 0.54545454545454541,
    0.45454545454545447, 0, 0.13043478260869565, 0.21739130434782611,
    0.65217391304347838, 0.54545454545454541, 0.45454545454545447, 0,
    0.54545454545454541, 0.45454545454545447, 0, 0.13043478260869565,
    0.21739130434782611, 0.65217391304347838, 0.54545454545454541, 0.45454545454545447,
    0, 0, 0, 1,
    0.54545454545454541, 0.45454545454545447, 0, 0.13043478260869565,
    0.21739130434782611, 0.65217391304347838, 0.54545454545454541, 0.45454545454545447,
    0, 0.13043478260869565, 0.21739130434782611, 0.65217391304347838,
    0.54545454545454541, 0.45454545454545447, 0,
};
static const double balanced_d2_importance[3] = {
    0.18071428571428597, 0.43293103448275894, 0.38635467980295513,
};
/* reg_d2: 7 nodes, 4 leaves, depth 2; splits (feature, threshold): (0, -0.023), (0, -2.19365), (1, 1.9041) */
static const double reg_d2_out[25] = {
    -6.7595749999999999, -6.796105555555557, 0.59659375000000003, 0.59659375000000003,
    -6.796105555555557, -6.796105555555557, -6.796105555555557, -14.554549999999999,
    -6.7595749999999999, 0.59659375000000003, 0.59659375000000003, 0.59659375000000003,
    0.59659375000000003, 0.59659375000000003, 0.59659375000000003, 0.59659375000000003,
    -6.796105555555557, -6.796105555555557, 0.59659375000000003, 0.59659375000000003,
    -6.796105555555557, -14.554549999999999, 0.59659375000000003, -6.796105555555557,
    -6.796105555555557,
};
static const double reg_d2_importance[3] = {
    0.76280766187449722, 0.23719233812550281, 0,
};
/* reg_leaf3: 19 nodes, 10 leaves, depth 5; splits (feature, threshold): (0, -0.023), (1, -1.5145), (1, 1.96425), (1, 1.42325), (2, 0.93), (1, 1.9041), (1, -1.1882), (0, 1.90005), (1, 1.12175) */
static const double reg_leaf3_out[25] = {
    -6.7595749999999999, -12.420166666666667, 1.20336, 1.20336,
    -5.0919399999999992, -5.0919399999999992, -5.0919399999999992, -4.0411999999999999,
    -6.7595749999999999, -2.1760999999999999, -2.1760999999999999, 1.20336,
    1.20336, 1.20336, -0.38815, 2.9024000000000001,
    -12.084399999999999, -12.420166666666667, 2.9024000000000001, -2.1760999999999999,
    -5.0919399999999992, -12.420166666666667, 2.9024000000000001, -6.7250666666666667,
    -12.084399999999999,
};
static const double reg_leaf3_importance[3] = {
    0.50554934880118829, 0.49144707947382843, 0.0030035717249833581,
};
/* ---- end of reference values ---- */

#define TN 40
#define TP 25

static const struct tune_trainer_type *const T = &tune_trainer_tree;

/* Predict the probes and compare with sklearn's predict_proba / predict. */
static void check_probes(struct tt_hp *h, enum tune_task task, const double *y,
                         const double *want, double tol)
{
    size_t k = task == TUNE_TASK_REGRESSION ? 0 : 3;
    struct tune_matrix x = tt_matrix(tx, TN, 3), p = tt_matrix(tprobe, TP, 3);
    struct tune_fit_ctx ctx = tt_ctx(task, k, 11);
    void *m = tt_fit(h, &x, y, &ctx);
    struct tune_predictions out;
    tt_predict(h, m, &p, task, k, &out);
    for (size_t i = 0; i < TP; i++) {
        if (k == 0) {
            assert_close(out.value[i], want[i], tol);
            continue;
        }
        for (size_t c = 0; c < k; c++)
            assert_close(out.proba[i * k + c], want[i * k + c], tol);
    }
    tune_predictions_release(&out);
    T->free_model(m);
}

static void check_importances(struct tt_hp *h, enum tune_task task, const double *y,
                              const double *want)
{
    size_t k = task == TUNE_TASK_REGRESSION ? 0 : 3;
    struct tune_matrix x = tt_matrix(tx, TN, 3);
    struct tune_fit_ctx ctx = tt_ctx(task, k, 3);
    void *m = tt_fit(h, &x, y, &ctx);
    double imp[3];
    assert_close(tt_importances(h, m, imp, 3), 1.0, 1e-12);
    for (size_t j = 0; j < 3; j++)
        assert_close(imp[j], want[j], 1e-12);
    T->free_model(m);
}

Test(tree, declares_its_hyperparameters_with_sklearn_defaults)
{
    static const char *const names[] = {"criterion", "max_depth", "min_samples_split",
                                        "min_samples_leaf", "max_features",
                                        "max_features_fraction", "min_impurity_decrease",
                                        "class_weight"};
    static const double defs[] = {0, 0, 2, 1, 0, 1.0, 0, 0};
    cr_assert_eq(T->n_hparams, 8);
    cr_assert_str_eq(T->name, "tree");
    for (size_t i = 0; i < 8; i++) {
        cr_assert_str_eq(T->hparams[i].name, names[i]);
        cr_assert_eq(T->hparams[i].def, defs[i], "%s", names[i]);
        cr_assert(tune_hparam_accepts(&T->hparams[i], defs[i]), "%s", names[i]);
    }
    cr_assert_str_eq(T->hparams[0].choices[0], "auto");
    cr_assert_str_eq(T->hparams[4].choices[0], "all");
    cr_assert_eq(T->tasks, TUNE_TASK_BINARY | TUNE_TASK_MULTICLASS | TUNE_TASK_REGRESSION);
}

Test(tree, a_stump_splits_halfway_between_the_two_classes)
{
    /* Classes separate between 3.1 and 4.8: threshold 3.95 exactly. */
    static const double x[6] = {4.8, 1.5, 6.9, 3.1, 2.7, 5.2};
    static const double y[6] = {1, 0, 1, 0, 0, 1};
    struct tt_hp h;
    tt_hp_init(&h, T);
    struct tune_matrix m = tt_matrix(x, 6, 1);
    struct tune_fit_ctx ctx = tt_ctx(TUNE_TASK_BINARY, 2, 1);
    void *model = tt_fit(&h, &m, y, &ctx);
    double probe[4] = {3.95, nextafter(3.95, INFINITY), -100, 100};
    struct tune_matrix p = tt_matrix(probe, 4, 1);
    struct tune_predictions out;
    tt_predict(&h, model, &p, TUNE_TASK_BINARY, 2, &out);
    static const int want[4] = {0, 1, 0, 1};
    for (size_t i = 0; i < 4; i++) {
        cr_assert_eq(out.label[i], want[i], "probe %zu", i);
        cr_assert_eq(out.proba[2 * i + (size_t)want[i]], 1.0);
    }
    double imp;
    assert_close(tt_importances(&h, model, &imp, 1), 1.0, 0);
    tune_predictions_release(&out);
    T->free_model(model);
}

Test(tree, gini_depth_2_matches_sklearn)
{
    struct tt_hp h;
    tt_hp_init(&h, T);
    tt_set(&h, "max_depth", 2);
    check_probes(&h, TUNE_TASK_MULTICLASS, ty, gini_d2_out, 0);
    check_importances(&h, TUNE_TASK_MULTICLASS, ty, gini_d2_importance);
}

Test(tree, entropy_depth_3_matches_sklearn)
{
    struct tt_hp h;
    tt_hp_init(&h, T);
    tt_set(&h, "max_depth", 3);
    tt_choose(&h, "criterion", "entropy");
    check_probes(&h, TUNE_TASK_MULTICLASS, ty, entropy_d3_out, 0);
    check_importances(&h, TUNE_TASK_MULTICLASS, ty, entropy_d3_importance);
}

Test(tree, balanced_class_weights_match_sklearn)
{
    struct tt_hp h;
    tt_hp_init(&h, T);
    tt_set(&h, "max_depth", 2);
    tt_choose(&h, "class_weight", "balanced");
    check_probes(&h, TUNE_TASK_MULTICLASS, ty, balanced_d2_out, 1e-12);
    check_importances(&h, TUNE_TASK_MULTICLASS, ty, balanced_d2_importance);
}

Test(tree, regression_depth_2_matches_sklearn)
{
    struct tt_hp h;
    tt_hp_init(&h, T);
    tt_set(&h, "max_depth", 2);
    check_probes(&h, TUNE_TASK_REGRESSION, tyr, reg_d2_out, 1e-12);
    check_importances(&h, TUNE_TASK_REGRESSION, tyr, reg_d2_importance);
}

Test(tree, regression_with_three_rows_a_leaf_matches_sklearn)
{
    struct tt_hp h;
    tt_hp_init(&h, T);
    tt_set(&h, "min_samples_leaf", 3);
    tt_choose(&h, "criterion", "squared_error");
    check_probes(&h, TUNE_TASK_REGRESSION, tyr, reg_leaf3_out, 1e-12);
    check_importances(&h, TUNE_TASK_REGRESSION, tyr, reg_leaf3_importance);
}

/* Group the training rows by predicted leaf value (rows in one leaf share it). */
static size_t leaf_groups(const struct tune_predictions *p, size_t n, size_t *min_size)
{
    size_t groups = 0;
    *min_size = SIZE_MAX;
    int *seen = calloc(n, sizeof *seen);
    for (size_t i = 0; i < n; i++) {
        if (seen[i])
            continue;
        size_t size = 0;
        for (size_t r = i; r < n; r++)
            if (p->value[r] == p->value[i]) {
                seen[r] = 1;
                size++;
            }
        groups++;
        if (size < *min_size)
            *min_size = size;
    }
    free(seen);
    return groups;
}

Test(tree, depth_and_leaf_limits_are_respected)
{
    /* 200 rows of a smooth target with distinct values: every leaf has its
     * own mean, so distinct predictions count the leaves. */
    enum { N = 200 };
    double x[2 * N], y[N];
    uint64_t s = 99;
    for (size_t i = 0; i < N; i++) {
        x[i] = tt_uniform(&s);
        x[N + i] = tt_uniform(&s);
        y[i] = sin(6 * x[i]) + x[N + i] * x[N + i] + 1e-3 * tt_uniform(&s);
    }
    struct tune_matrix m = tt_matrix(x, N, 2);
    struct tune_fit_ctx ctx = tt_ctx(TUNE_TASK_REGRESSION, 0, 5);
    static const struct { int depth, leaf, split; size_t max_leaves; } cases[] = {
        {1, 1, 2, 2}, {3, 1, 2, 8}, {5, 1, 2, 32}, {0, 17, 2, N / 17}, {0, 1, 60, N}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct tt_hp h;
        tt_hp_init(&h, T);
        tt_set(&h, "max_depth", cases[c].depth);
        tt_set(&h, "min_samples_leaf", cases[c].leaf);
        tt_set(&h, "min_samples_split", cases[c].split);
        void *model = tt_fit(&h, &m, y, &ctx);
        struct tune_predictions p;
        tt_predict(&h, model, &m, TUNE_TASK_REGRESSION, 0, &p);
        size_t min_size, leaves = leaf_groups(&p, N, &min_size);
        cr_assert_leq(leaves, cases[c].max_leaves, "case %zu: %zu leaves", c, leaves);
        cr_assert_geq(min_size, (size_t)cases[c].leaf, "case %zu: a leaf of %zu rows", c,
                      min_size);
        if (cases[c].depth)
            cr_assert_eq(leaves, cases[c].max_leaves, "case %zu: a full tree", c);
        if (cases[c].split == 60)
            cr_assert_lt(leaves, N / 4, "min_samples_split stops the growth");
        tune_predictions_release(&p);
        T->free_model(model);
    }
}

Test(tree, an_unlimited_tree_fits_distinct_rows_exactly)
{
    struct tt_hp h;
    tt_hp_init(&h, T);
    struct tune_matrix x = tt_matrix(tx, TN, 3);
    struct tune_fit_ctx ctx = tt_ctx(TUNE_TASK_MULTICLASS, 3, 2);
    void *m = tt_fit(&h, &x, ty, &ctx);
    struct tune_predictions p;
    tt_predict(&h, m, &x, TUNE_TASK_MULTICLASS, 3, &p);
    for (size_t i = 0; i < TN; i++) {
        cr_assert_eq(p.label[i], (int)ty[i], "row %zu", i);
        cr_assert_eq(p.proba[i * 3 + (size_t)ty[i]], 1.0);
    }
    tune_predictions_release(&p);
    T->free_model(m);
}

Test(tree, a_large_min_impurity_decrease_keeps_the_root_a_leaf)
{
    struct tt_hp h;
    tt_hp_init(&h, T);
    tt_set(&h, "min_impurity_decrease", 0.5);
    struct tune_matrix x = tt_matrix(tx, TN, 3);
    struct tune_fit_ctx ctx = tt_ctx(TUNE_TASK_MULTICLASS, 3, 2);
    void *m = tt_fit(&h, &x, ty, &ctx);
    struct tune_predictions p;
    tt_predict(&h, m, &x, TUNE_TASK_MULTICLASS, 3, &p);
    /* ty has 10, 24 and 6 rows of classes 0, 1, 2. */
    for (size_t i = 0; i < TN; i++) {
        assert_close(p.proba[i * 3 + 0], 10.0 / 40, 1e-15);
        assert_close(p.proba[i * 3 + 1], 24.0 / 40, 1e-15);
        assert_close(p.proba[i * 3 + 2], 6.0 / 40, 1e-15);
        cr_assert_eq(p.label[i], 1);
    }
    double imp[3];
    cr_assert_eq(tt_importances(&h, m, imp, 3), 0.0, "no split, no importance");
    tune_predictions_release(&p);
    T->free_model(m);
}

Test(tree, missing_values_follow_the_side_learned_in_training)
{
    /* NaN rows are class 1 with the high values: the best split, 6.5, sends
     * them right.  Column 2 has no NaN; at prediction its NaN goes to the
     * child that had more rows. */
    static const double x[16] = {1, 2, 3, NAN, NAN, 10, 11, 12,
                                 0, 0, 0, 0, 0, 0, 0, 0};
    static const double y[8] = {0, 0, 0, 1, 1, 1, 1, 1};
    struct tt_hp h;
    tt_hp_init(&h, T);
    struct tune_matrix m = tt_matrix(x, 8, 2);
    struct tune_fit_ctx ctx = tt_ctx(TUNE_TASK_BINARY, 2, 1);
    void *model = tt_fit(&h, &m, y, &ctx);
    static const double probe[8] = {NAN, 2.5, 6.5, 6.6, 0, 0, 0, 0};
    struct tune_matrix p = tt_matrix(probe, 4, 2);
    struct tune_predictions out;
    tt_predict(&h, model, &p, TUNE_TASK_BINARY, 2, &out);
    static const int want[4] = {1, 0, 0, 1};
    for (size_t i = 0; i < 4; i++)
        cr_assert_eq(out.label[i], want[i], "probe %zu", i);
    tune_predictions_release(&out);
    T->free_model(model);

    /* Predicting NaN where training had none: the larger child wins. */
    static const double x2[6] = {1, 2, 3, 4, 5, 6};
    static const double y2[6] = {0, 0, 1, 1, 1, 1};
    struct tune_matrix m2 = tt_matrix(x2, 6, 1);
    model = tt_fit(&h, &m2, y2, &ctx);
    static const double nan1[1] = {NAN};
    struct tune_matrix p2 = tt_matrix(nan1, 1, 1);
    tt_predict(&h, model, &p2, TUNE_TASK_BINARY, 2, &out);
    cr_assert_eq(out.label[0], 1);
    tune_predictions_release(&out);
    T->free_model(model);
}

Test(tree, missing_values_can_be_the_split_itself)
{
    /* Only missingness separates the classes: every value left, NaN right. */
    static const double x[6] = {1, 2, 3, NAN, NAN, NAN};
    static const double y[6] = {0, 0, 0, 1, 1, 1};
    struct tt_hp h;
    tt_hp_init(&h, T);
    struct tune_matrix m = tt_matrix(x, 6, 1);
    struct tune_fit_ctx ctx = tt_ctx(TUNE_TASK_BINARY, 2, 1);
    void *model = tt_fit(&h, &m, y, &ctx);
    static const double probe[3] = {NAN, 1e300, -7};
    struct tune_matrix p = tt_matrix(probe, 3, 1);
    struct tune_predictions out;
    tt_predict(&h, model, &p, TUNE_TASK_BINARY, 2, &out);
    cr_assert_eq(out.label[0], 1);
    cr_assert_eq(out.label[1], 0);
    cr_assert_eq(out.label[2], 0);
    tune_predictions_release(&out);
    T->free_model(model);
}

Test(tree, random_feature_draws_are_reproducible_for_a_seed)
{
    enum { N = 300, D = 6 };
    double x[N * D], y[N];
    uint64_t s = 7;
    for (size_t i = 0; i < N * D; i++)
        x[i] = tt_uniform(&s);
    for (size_t i = 0; i < N; i++)
        y[i] = x[i] + x[N + i] > 1.0 ? 1 : 0;
    struct tt_hp h;
    tt_hp_init(&h, T);
    tt_choose(&h, "max_features", "sqrt");
    struct tune_matrix m = tt_matrix(x, N, D);
    /* Fresh points: on its training rows every full tree is exact. */
    double probe[N * D];
    for (size_t i = 0; i < N * D; i++)
        probe[i] = tt_uniform(&s);
    struct tune_matrix pm = tt_matrix(probe, N, D);
    struct tune_predictions p[3];
    for (int r = 0; r < 3; r++) {
        struct tune_fit_ctx ctx = tt_ctx(TUNE_TASK_BINARY, 2, r < 2 ? 42 : 43);
        ctx.n_threads = (size_t)r + 1;
        void *model = tt_fit(&h, &m, y, &ctx);
        tt_predict(&h, model, &pm, TUNE_TASK_BINARY, 2, &p[r]);
        T->free_model(model);
    }
    cr_assert_arr_eq(p[0].proba, p[1].proba, 2 * N * sizeof(double));
    cr_assert(memcmp(p[0].proba, p[2].proba, 2 * N * sizeof(double)) != 0,
              "another seed draws other features");
    for (int r = 0; r < 3; r++)
        tune_predictions_release(&p[r]);
}

Test(tree, a_fraction_of_the_features_is_at_least_one)
{
    struct tt_hp h;
    tt_hp_init(&h, T);
    tt_choose(&h, "max_features", "fraction");
    tt_set(&h, "max_features_fraction", 0.01);
    tt_set(&h, "max_depth", 2);
    struct tune_matrix x = tt_matrix(tx, TN, 3);
    struct tune_fit_ctx ctx = tt_ctx(TUNE_TASK_MULTICLASS, 3, 2);
    void *m = tt_fit(&h, &x, ty, &ctx);
    struct tune_predictions p;
    tt_predict(&h, m, &x, TUNE_TASK_MULTICLASS, 3, &p);
    tune_predictions_release(&p);
    T->free_model(m);
}

Test(tree, a_single_class_or_constant_columns_give_one_leaf)
{
    static const double x[8] = {3, 3, 3, 3, 1, 1, 1, 1};
    static const double y[4] = {0, 1, 0, 1};
    struct tt_hp h;
    tt_hp_init(&h, T);
    struct tune_matrix m = tt_matrix(x, 4, 2);
    struct tune_fit_ctx ctx = tt_ctx(TUNE_TASK_BINARY, 2, 1);
    void *model = tt_fit(&h, &m, y, &ctx);
    struct tune_predictions out;
    tt_predict(&h, model, &m, TUNE_TASK_BINARY, 2, &out);
    for (size_t i = 0; i < 4; i++)
        cr_assert_eq(out.proba[2 * i], 0.5);
    tune_predictions_release(&out);
    T->free_model(model);

    static const double y1[4] = {2, 2, 2, 2};   /* class 2 of 3 only */
    struct tune_fit_ctx ctx3 = tt_ctx(TUNE_TASK_MULTICLASS, 3, 1);
    model = tt_fit(&h, &m, y1, &ctx3);
    tt_predict(&h, model, &m, TUNE_TASK_MULTICLASS, 3, &out);
    cr_assert_eq(out.label[0], 2);
    cr_assert_eq(out.proba[2], 1.0);
    cr_assert_eq(out.proba[0], 0.0);
    tune_predictions_release(&out);
    T->free_model(model);
}

Test(tree, errors_name_what_is_wrong)
{
    struct tt_hp h;
    struct tune_error err = {0};
    struct tune_matrix x = tt_matrix(tx, TN, 3);
    struct tune_fit_ctx reg = tt_ctx(TUNE_TASK_REGRESSION, 0, 1);
    struct tune_fit_ctx cls = tt_ctx(TUNE_TASK_MULTICLASS, 3, 1);

    tt_hp_init(&h, T);
    tt_choose(&h, "criterion", "gini");
    cr_assert_eq(tt_fit_fails(&h, &x, tyr, &reg, &err), TUNE_EINVAL);
    cr_assert(strstr(err.msg, "criterion gini") && strstr(err.msg, "regression"), "%s",
              err.msg);

    tt_hp_init(&h, T);
    tt_choose(&h, "criterion", "squared_error");
    tt_fit_fails(&h, &x, ty, &cls, &err);
    cr_assert(strstr(err.msg, "criterion squared_error"), "%s", err.msg);

    tt_hp_init(&h, T);
    tt_set(&h, "min_samples_leaf", 0);
    tt_fit_fails(&h, &x, ty, &cls, &err);
    cr_assert(strstr(err.msg, "tree: min_samples_leaf"), "%s", err.msg);

    tt_hp_init(&h, T);
    double bad[TN];
    memcpy(bad, ty, sizeof bad);
    bad[7] = 3;
    tt_fit_fails(&h, &x, bad, &cls, &err);
    cr_assert(strstr(err.msg, "row 7") && strstr(err.msg, "class code 3"), "%s", err.msg);

    bad[7] = NAN;
    tt_fit_fails(&h, &x, bad, &reg, &err);
    cr_assert(strstr(err.msg, "row 7") && strstr(err.msg, "not finite"), "%s", err.msg);

    void *m = tt_fit(&h, &x, ty, &cls);
    struct tune_matrix narrow = tt_matrix(tx, TN, 2);
    struct tune_predictions p;
    cr_assert_eq(tune_predictions_init(&p, TUNE_TASK_MULTICLASS, TN, 3, 1, &err), TUNE_OK);
    cr_assert_eq(T->predict(m, &narrow, &p, &err), TUNE_EINVAL);
    cr_assert(strstr(err.msg, "2 columns") && strstr(err.msg, "has 3"), "%s", err.msg);
    double imp[2];
    cr_assert_eq(T->importances(m, imp, 2, &err), TUNE_EINVAL);
    tune_predictions_release(&p);
    T->free_model(m);
    T->free_model(NULL);
}
