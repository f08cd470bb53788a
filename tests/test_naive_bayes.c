/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_naive_bayes.c — the `naive_bayes` trainer (Gaussian naive Bayes)
 * against scikit-learn 1.2's GaussianNB.
 *
 * Every reference number between the markers below was printed by
 * bench/reference/naive_bayes_ref.py (run: /usr/bin/python3
 * bench/reference/naive_bayes_ref.py). */
#include "testutil.h"
#include "trainer_testutil.h"

/* ---- reference values: output of bench/reference/naive_bayes_ref.py ---- */
static const size_t iris_rows[10] = {0, 50, 100, 70, 77, 83, 106, 119, 133, 138};
/* iris, GaussianNB() fitted on all 150 rows */
static const double iris_proba[30] = {
    1, 1.3578426545097534e-18, 7.1128351163031529e-26,
    3.2138093542663009e-109, 0.80403766553968226, 0.19596233446031797,
    3.2324518072371566e-254, 6.3538103115958538e-11, 0.99999999993646194,
    2.5915380282501682e-130, 0.15449408494388256, 0.84550591505611739,
    1.1698812222279229e-138, 0.075269131588514074, 0.92473086841148611,
    2.1406973140994879e-135, 0.61215984474275353, 0.3878401552572468,
    2.2346370197755735e-109, 0.97351434465329734, 0.026485655346702722,
    6.3108651499541354e-126, 0.95813536187126924, 0.041864638128730806,
    2.6838258262863244e-131, 0.71264514421552883, 0.28735485578447079,
    4.7522628750235365e-131, 0.19318385565263782, 0.80681614434736215,
};
/* iris, GaussianNB(var_smoothing=0.0371, priors=[1/3]*3) on all rows */
static const double iris_uniform_proba[30] = {
    0.99999999574680043, 4.2531966733483407e-09, 2.9103458875906752e-15,
    1.8421337008021769e-21, 0.58131571128049331, 0.41868428871950675,
    4.568505586223294e-41, 0.00023294398804241456, 0.9997670560119577,
    1.0295836004140569e-21, 0.5421258754467202, 0.45787412455327953,
    2.2464271600258071e-25, 0.24244880750103573, 0.75755119249896408,
    1.5511822772709149e-24, 0.57284400808263647, 0.42715599191736359,
    8.3743066811518744e-18, 0.95945263374632639, 0.040547366253674118,
    1.6069683198799957e-23, 0.81808477096228482, 0.18191522903771498,
    1.285804246787253e-24, 0.54243196612057221, 0.45756803387942768,
    4.0468710591650967e-22, 0.55882272821415369, 0.44117727178584626,
};
/* iris rows 0..119 (50, 50, 20 per class), GaussianNB(): rows 120..129 */
static const double iris_head_proba[30] = {
    2.7588287517735216e-221, 4.0943046697888993e-08, 0.99999995905695327,
    8.8204563114644537e-148, 0.034085961727867833, 0.96591403827213229,
    2.307511239248942e-274, 8.7705377983167637e-10, 0.99999999912294602,
    1.930586910669808e-137, 0.32716556788232143, 0.67283443211767846,
    1.7415445224492328e-204, 3.43785722395958e-06, 0.99999656214277621,
    1.1961980354472152e-206, 2.3815736890793107e-05, 0.99997618426310919,
    7.6786034716729194e-132, 0.46013527327164094, 0.53986472672835906,
    4.7502911654907589e-136, 0.31557048233841462, 0.68442951766158544,
    1.852252798800753e-197, 3.5928583484488101e-05, 0.99996407141651544,
    5.9483940003242269e-182, 0.0027092067400290984, 0.99729079325997061,
};
/* same, priors=[1/3]*3 */
static const double iris_head_uniform_proba[30] = {
    1.1035315278186128e-221, 1.6377219081475476e-08, 0.99999998362278097,
    3.6018459546007785e-148, 0.013919051239857138, 0.98608094876014274,
    9.2300449618522113e-275, 3.5082151211728359e-10, 0.99999999964917841,
    9.6084873809704954e-138, 0.16282956302623322, 0.83717043697376692,
    6.9661924590621625e-205, 1.3751457261166341e-06, 0.99999862485427382,
    4.7848605147764875e-207, 9.5264308837001221e-06, 0.99999047356911597,
    4.242797998575779e-132, 0.25424688535006623, 0.74575311464993388,
    2.3439195622984719e-136, 0.15571083983450179, 0.84428916016549815,
    7.4091709158123029e-198, 1.4371743207620651e-05, 0.99998562825679227,
    2.3832316003987051e-182, 0.0010854471163978547, 0.99891455288360209,
};
/* breast cancer rows 0..399, GaussianNB(): class-1 probability of rows 400..408, accuracy on 400..568 */
static const double bc_p1[9] = {
    8.307818072739327e-45, 1, 0.99999999999866063,
    0.9999999999989484, 1, 0.99999999999990763,
    0.99342333334337152, 0.99999999975964116, 3.4406025523464712e-26,
};
static const size_t bc_correct = 163;  /* of 169 */
/* digits rows 0..1499, GaussianNB() (3 constant columns): rows [1500, 1501, 1502, 1503, 1504, 1505] */
static const size_t digits_rows[6] = {1500, 1501, 1502, 1503, 1504, 1505};
static const double digits_proba[60] = {
    0, 0.99999999999688782, 1.1076940350015294e-27, 8.305154243746084e-16, 0,
    1.1963514848451879e-47, 0, 0, 1.7505350342464197e-12, 1.3627848749466618e-12,
    0, 1.4249065562287424e-27, 3.4585781391823941e-51, 1.2927088077748526e-57, 6.67747815866437e-49,
    9.6254363610980444e-42, 0, 1, 8.1983235965061036e-28, 1.6550296048900451e-43,
    0, 7.0968643294152763e-40, 0, 1.2911318573427829e-199, 1,
    4.6059686490577408e-56, 3.9972327853259363e-20, 6.2514635066223492e-36, 1.7418249104780129e-138, 7.5779559390099916e-146,
    0, 5.3730413312050069e-54, 9.2696892921259974e-155, 6.3844278689364083e-96, 0,
    5.5302630594959171e-42, 1, 0, 5.9475262664821853e-74, 2.786696910096897e-90,
    0, 6.0834427215478221e-69, 3.0405976437472869e-66, 1, 0,
    5.373157049639677e-16, 1.7557339939631608e-227, 0, 7.2259671108413411e-33, 4.7302697704965453e-18,
    0, 1, 4.1253009600335615e-53, 5.0273502402353826e-55, 0,
    8.6161242015418669e-62, 0, 0, 3.7233331946653171e-25, 3.7166062574784772e-19,
};
static const size_t digits_correct = 237;  /* of 297 */
/* ---- end of reference values ---- */

/* ---- helpers ---- */

static struct tune_matrix load(const char *path, double **y)
{
    struct tune_matrix m = tt_read_csv(path);
    *y = tt_split_target(&m);
    return m;
}

/* Rows [lo, hi) of a column-major matrix (and of y when ys != NULL). */
static struct tune_matrix slice(const struct tune_matrix *m, const double *y, size_t lo,
                                size_t hi, double **ys)
{
    size_t n = hi - lo;
    struct tune_matrix s = {n, m->n_cols, malloc((n * m->n_cols + 1) * sizeof(double))};
    for (size_t j = 0; j < m->n_cols; j++)
        memcpy(s.data + j * n, m->data + j * m->n_rows + lo, n * sizeof(double));
    if (ys) {
        *ys = malloc(n * sizeof **ys);
        memcpy(*ys, y + lo, n * sizeof **ys);
    }
    return s;
}

/* The given rows of m. */
static struct tune_matrix pick(const struct tune_matrix *m, const size_t *rows, size_t n)
{
    struct tune_matrix s = {n, m->n_cols, malloc((n * m->n_cols + 1) * sizeof(double))};
    for (size_t j = 0; j < m->n_cols; j++)
        for (size_t i = 0; i < n; i++)
            s.data[j * n + i] = m->data[j * m->n_rows + rows[i]];
    return s;
}

/* Probabilities equal to 1e-9 relative (tiny ones: 1e-300 absolute). */
static void check_proba(const double *got, const double *want, size_t n)
{
    for (size_t i = 0; i < n; i++)
        cr_assert(fabs(got[i] - want[i]) <= 1e-9 * want[i] + 1e-300,
                  "proba[%zu] = %.17g, expected %.17g", i, got[i], want[i]);
}

static void nb_init(struct tt_hp *h, const char *priors, double smoothing)
{
    tt_hp_init(h, &tune_trainer_naive_bayes);
    tt_hp_choose(h, "priors", priors);
    tt_hp_set(h, "var_smoothing", smoothing);
}

/* Fit on (train, y), predict `test`, compare the probabilities. */
static void check_case(const struct tt_hp *h, const struct tune_matrix *train, const double *y,
                       size_t k, const struct tune_matrix *test, const double *want)
{
    void *m = tt_fit(h, train, y, TUNE_TASK_MULTICLASS, k, 1);
    struct tune_predictions p;
    tt_predict(h, m, test, TUNE_TASK_MULTICLASS, k, &p);
    check_proba(p.proba, want, test->n_rows * k);
    for (size_t i = 0; i < test->n_rows; i++) {
        size_t best = 0;
        for (size_t c = 1; c < k; c++)
            if (want[i * k + c] > want[i * k + best])
                best = c;
        cr_assert_eq((size_t)p.label[i], best, "row %zu: label %d, sklearn %zu", i, p.label[i],
                     best);
    }
    tune_predictions_release(&p);
    h->t->free_model(m);
}

/* ---- declared interface ---- */

Test(naive_bayes, declares_var_smoothing_and_priors_with_sklearn_defaults)
{
    const struct tune_trainer_type *t = &tune_trainer_naive_bayes;
    cr_assert_str_eq(t->name, "naive_bayes");
    cr_assert_eq(t->tasks, (unsigned)(TUNE_TASK_BINARY | TUNE_TASK_MULTICLASS));
    cr_assert_eq(tune_trainer_find("naive_bayes"), t);
    cr_assert_eq(t->n_hparams, 2);
    const struct tune_hparam *vs = tt_hparam(t, "var_smoothing");
    cr_assert(vs->type == TUNE_PARAM_FLOAT && vs->def == 1e-9 && vs->low == 0 &&
              isinf(vs->high));
    const struct tune_hparam *pr = tt_hparam(t, "priors");
    cr_assert_str_eq(pr->choices[(size_t)pr->def], "empirical");
    cr_assert_str_eq(pr->choices[1], "uniform");
    cr_assert_null(pr->choices[2]);
}

/* ---- known answers ---- */

Test(naive_bayes, iris_probabilities_match_gaussian_nb)
{
    double *y;
    struct tune_matrix x = load("data/iris.csv", &y);
    struct tune_matrix test = pick(&x, iris_rows, 10);
    struct tt_hp h;
    nb_init(&h, "empirical", 1e-9);
    check_case(&h, &x, y, 3, &test, iris_proba);
    free(x.data);
    free(test.data);
    free(y);
}

Test(naive_bayes, var_smoothing_and_uniform_priors_match_gaussian_nb)
{
    double *y;
    struct tune_matrix x = load("data/iris.csv", &y);
    struct tune_matrix test = pick(&x, iris_rows, 10);
    struct tt_hp h;
    nb_init(&h, "uniform", 0.0371);
    check_case(&h, &x, y, 3, &test, iris_uniform_proba);
    free(x.data);
    free(test.data);
    free(y);
}

Test(naive_bayes, empirical_priors_weigh_the_classes_by_their_training_counts)
{
    double *y, *ytr;
    struct tune_matrix x = load("data/iris.csv", &y);
    struct tune_matrix train = slice(&x, y, 0, 120, &ytr);
    struct tune_matrix test = slice(&x, y, 120, 130, NULL);
    struct tt_hp h;
    nb_init(&h, "empirical", 1e-9);
    check_case(&h, &train, ytr, 3, &test, iris_head_proba);
    nb_init(&h, "uniform", 1e-9);
    check_case(&h, &train, ytr, 3, &test, iris_head_uniform_proba);
    free(x.data);
    free(train.data);
    free(test.data);
    free(y);
    free(ytr);
}

Test(naive_bayes, binary_breast_cancer_matches_gaussian_nb)
{
    double *y, *ytr, *yte;
    struct tune_matrix x = load("data/breast_cancer.csv", &y);
    struct tune_matrix train = slice(&x, y, 0, 400, &ytr);
    struct tune_matrix test = slice(&x, y, 400, 569, &yte);
    struct tt_hp h;
    nb_init(&h, "empirical", 1e-9);
    void *m = tt_fit(&h, &train, ytr, TUNE_TASK_BINARY, 2, 1);
    struct tune_predictions p;
    tt_predict(&h, m, &test, TUNE_TASK_BINARY, 2, &p);
    for (size_t i = 0; i < 9; i++)
        cr_assert(fabs(p.proba[i * 2 + 1] - bc_p1[i]) <= 1e-9 * fmax(bc_p1[i], 1e-300) + 1e-300,
                  "row %zu: p1 = %.17g, expected %.17g", i, p.proba[i * 2 + 1], bc_p1[i]);
    size_t correct = 0;
    for (size_t i = 0; i < 169; i++)
        correct += p.label[i] == (int)yte[i];
    cr_assert_eq(correct, bc_correct);
    tune_predictions_release(&p);
    tune_trainer_naive_bayes.free_model(m);
    free(x.data);
    free(train.data);
    free(test.data);
    free(y);
    free(ytr);
    free(yte);
}

Test(naive_bayes, digits_with_constant_columns_matches_gaussian_nb)
{
    double *y, *ytr, *yte;
    struct tune_matrix x = load("data/digits.csv", &y);
    struct tune_matrix train = slice(&x, y, 0, 1500, &ytr);
    struct tune_matrix test = slice(&x, y, 1500, 1797, &yte);
    struct tune_matrix some = pick(&x, digits_rows, 6);
    struct tt_hp h;
    nb_init(&h, "empirical", 1e-9);
    check_case(&h, &train, ytr, 10, &some, digits_proba);
    void *m = tt_fit(&h, &train, ytr, TUNE_TASK_MULTICLASS, 10, 1);
    struct tune_predictions p;
    tt_predict(&h, m, &test, TUNE_TASK_MULTICLASS, 10, &p);
    size_t correct = 0;
    for (size_t i = 0; i < 297; i++)
        correct += p.label[i] == (int)yte[i];
    cr_assert_eq(correct, digits_correct);
    tune_predictions_release(&p);
    tune_trainer_naive_bayes.free_model(m);
    free(x.data);
    free(train.data);
    free(test.data);
    free(some.data);
    free(y);
    free(ytr);
    free(yte);
}

/* ---- properties ---- */

Test(naive_bayes, a_class_absent_from_training_gets_probability_zero)
{
    double *y, *ytr;
    struct tune_matrix x = load("data/iris.csv", &y);
    struct tune_matrix train = slice(&x, y, 0, 100, &ytr);   /* classes 0 and 1 only */
    struct tt_hp h;
    nb_init(&h, "empirical", 1e-9);
    void *m = tt_fit(&h, &train, ytr, TUNE_TASK_MULTICLASS, 3, 1);
    struct tune_predictions p;
    tt_predict(&h, m, &x, TUNE_TASK_MULTICLASS, 3, &p);
    for (size_t i = 0; i < 150; i++) {
        cr_assert_eq(p.proba[i * 3 + 2], 0.0);
        cr_assert_neq(p.label[i], 2);
        assert_close(p.proba[i * 3] + p.proba[i * 3 + 1], 1.0, 1e-12);
    }
    tune_predictions_release(&p);
    tune_trainer_naive_bayes.free_model(m);
    free(x.data);
    free(train.data);
    free(y);
    free(ytr);
}

Test(naive_bayes, zero_smoothing_with_a_class_constant_feature_gives_finite_probabilities)
{
    /* Feature 1 is 5.0 in every row of class 0 and varies in class 1. */
    static const double xd[16] = {0.1, 0.4, 0.2, 0.3, 2.1, 2.5, 1.9, 2.2,
                                  5.0, 5.0, 5.0, 5.0, 1.0, 3.0, 2.0, 7.0};
    static const double yd[8] = {0, 0, 0, 0, 1, 1, 1, 1};
    struct tune_matrix x = {8, 2, (double *)xd};
    struct tt_hp h;
    nb_init(&h, "empirical", 0.0);
    void *m = tt_fit(&h, &x, yd, TUNE_TASK_BINARY, 2, 1);
    struct tune_matrix q = {2, 2, (double[]){0.2, 0.25, 5.0, 4.0}};
    struct tune_predictions p;
    tt_predict(&h, m, &q, TUNE_TASK_BINARY, 2, &p);
    cr_assert_eq(p.label[0], 0);   /* on the point mass */
    cr_assert_eq(p.label[1], 1);   /* off it: class 0 impossible */
    cr_assert_eq(p.proba[1 * 2 + 0], 0.0);
    for (size_t i = 0; i < 4; i++)
        cr_assert(isfinite(p.proba[i]));
    tune_predictions_release(&p);
    tune_trainer_naive_bayes.free_model(m);
}

/* ---- errors ---- */

Test(naive_bayes, refuses_regression_and_bad_class_codes)
{
    struct tune_matrix x = {4, 1, (double[]){1, 2, 3, 4}};
    struct tt_hp h;
    nb_init(&h, "empirical", 1e-9);
    struct tune_error err = {0};
    cr_assert_eq(tt_fit_fails(&h, &x, (double[]){0, 1, 0, 1}, TUNE_TASK_REGRESSION, 0, &err),
                 TUNE_EINVAL);
    cr_assert_not_null(strstr(err.msg, "not classification"), "%s", err.msg);
    cr_assert_eq(tt_fit_fails(&h, &x, (double[]){0, 1, 2.5, 1}, TUNE_TASK_MULTICLASS, 3, &err),
                 TUNE_EINVAL);
    cr_assert_not_null(strstr(err.msg, "row 2"), "%s", err.msg);
}

Test(naive_bayes, a_missing_value_is_named_by_row_and_column)
{
    struct tune_matrix x = {4, 2, (double[]){1, 2, 3, 4, 5, NAN, 7, 8}};
    struct tt_hp h;
    nb_init(&h, "empirical", 1e-9);
    struct tune_error err = {0};
    cr_assert_eq(tt_fit_fails(&h, &x, (double[]){0, 1, 0, 1}, TUNE_TASK_BINARY, 2, &err),
                 TUNE_EINVAL);
    cr_assert_not_null(strstr(err.msg, "row 1, column 1"), "%s", err.msg);
}

Test(naive_bayes, negative_smoothing_is_refused_by_name)
{
    struct tune_matrix x = {4, 1, (double[]){1, 2, 3, 4}};
    struct tt_hp h;
    nb_init(&h, "empirical", -1e-3);
    struct tune_error err = {0};
    cr_assert_eq(tt_fit_fails(&h, &x, (double[]){0, 1, 0, 1}, TUNE_TASK_BINARY, 2, &err),
                 TUNE_EINVAL);
    cr_assert_not_null(strstr(err.msg, "var_smoothing"), "%s", err.msg);
}
