/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_preprocess.c — imputation, scaling and one-hot encoding: known answers,
 * fit on training rows only, error messages. */
#include "testutil.h"

#include "tunefold/preprocess.h"

/* The table (9 rows; rows 0..5 train, 6..8 validate), built by hand so this
 * test does not depend on the CSV reader.  Categorical cells hold level
 * codes.  The same table is in bench/reference/preprocess_reference.py. */
#define N_ROWS 9
#define N_FEAT 5
static const double col_age[N_ROWS] = {23.7, NAN, 41.25, 35.9, 23.7, 58.13, NAN, 17.4, 29.05};
static const double col_color[N_ROWS] = {2, 0, NAN, 2, 1, 0, 3, 2, 1};
static const double col_income[N_ROWS] = {1520.5, 2870.25, 990.75, NAN, NAN,
                                          1204.6, 2205.35, 4410.9, 3310.0};
static const double col_score[N_ROWS] = {4.75, 9.5, 9.5, 4.75, 7.25, NAN, 6.0, 9.5, 11.125};
static const double col_grade[N_ROWS] = {1, 1, 0, 2, NAN, 1, 0, 1, 2};

static const size_t train_rows[] = {0, 1, 2, 3, 4, 5};
static const size_t all_rows[] = {0, 1, 2, 3, 4, 5, 6, 7, 8};

/* Expected transforms of all nine rows (row-major: want[row][out column]),
 * fitted on rows 0..5, printed by
 * /usr/bin/python3 bench/reference/preprocess_reference.py (scikit-learn
 * 1.2.1: SimpleImputer + StandardScaler / MinMaxScaler, and
 * SimpleImputer(most_frequent) + OneHotEncoder(handle_unknown="ignore")).
 * Output columns: age, income, score, color=0, color=1, color=2, grade=0,
 * grade=1, grade=2 (color level 3 never occurs in training). */
static const double want_mean_standard[N_ROWS][9] = {
    {-1.0990273047616612, -0.2110838403873336, -1.2372942293435207, 0, 0, 1, 0, 1, 0},
    {6.0837166391430391e-16, 2.0496613574924827, 1.2115172662321978, 1, 0, 0, 0, 1, 0},
    {0.40361597963902146, -1.0983813166435534, 1.2115172662321978, 1, 0, 0, 1, 0, 0},
    {-0.054454765178280781, 3.8083641035937825e-16, -1.2372942293435207, 0, 0, 1, 0, 0, 1},
    {-1.0990273047616612, 3.8083641035937825e-16, 0.051553926222646984, 0, 1, 0, 0, 1, 0},
    {1.8488933950625843, -0.74019620046159496, 4.5789084721767198e-16, 1, 0, 0, 0, 1, 0},
    {6.0837166391430391e-16, 0.93599624760525169, -0.59287015156043688, 0, 0, 0, 1, 0, 0},
    {-1.6384377145465219, 4.6301518847112559, 1.2115172662321978, 0, 0, 1, 0, 1, 0},
    {-0.64095655994435907, 2.7862145716192837, 2.0492685673502069, 0, 1, 0, 0, 0, 1},
};
static const double want_median_minmax[N_ROWS][9] = {
    {0, 0.28185687682894389, 0, 0, 0, 1, 0, 1, 0},
    {0.35434214347952353, 1, 1, 1, 0, 0, 0, 1, 0},
    {0.50972988672669173, 0, 1, 1, 0, 0, 1, 0, 0},
    {0.35434214347952353, 0.1978185687682894, 0, 0, 0, 1, 0, 0, 1},
    {0, 0.1978185687682894, 0.52631578947368407, 0, 1, 0, 0, 1, 0},
    {0.99999999999999978, 0.11378026070763503, 0.52631578947368407, 1, 0, 0, 0, 1, 0},
    {0.35434214347952353, 0.64623570098430427, 0.26315789473684204, 0, 0, 0, 1, 0, 0},
    {-0.18297995933778677, 1.8197126895450915, 1, 0, 0, 1, 0, 1, 0},
    {0.1553877432471682, 1.2339718010109073, 1.3421052631578947, 0, 1, 0, 0, 0, 1},
};
static const double want_mostfreq_none[N_ROWS][9] = {
    {23.699999999999999, 1520.5, 4.75, 0, 0, 1, 0, 1, 0},
    {23.699999999999999, 2870.25, 9.5, 1, 0, 0, 0, 1, 0},
    {41.25, 990.75, 9.5, 1, 0, 0, 1, 0, 0},
    {35.899999999999999, 990.75, 4.75, 0, 0, 1, 0, 0, 1},
    {23.699999999999999, 990.75, 7.25, 0, 1, 0, 0, 1, 0},
    {58.130000000000003, 1204.5999999999999, 4.75, 1, 0, 0, 0, 1, 0},
    {23.699999999999999, 2205.3499999999999, 6, 0, 0, 0, 1, 0, 0},
    {17.399999999999999, 4410.8999999999996, 9.5, 0, 0, 1, 0, 1, 0},
    {29.050000000000001, 3310, 11.125, 0, 1, 0, 0, 0, 1},
};

struct fixture {
    struct tune_column cols[N_FEAT];
    double x[N_ROWS * N_FEAT];
    double y[N_ROWS];
    struct tune_dataset ds;
};

static void make_table(struct fixture *f)
{
    static const char *const names[N_FEAT] = {"age", "color", "income", "score", "grade"};
    static const size_t levels[N_FEAT] = {0, 4, 0, 0, 3};
    const double *src[N_FEAT] = {col_age, col_color, col_income, col_score, col_grade};
    memset(f, 0, sizeof *f);
    for (size_t j = 0; j < N_FEAT; j++) {
        f->cols[j].name = (char *)names[j];
        f->cols[j].kind = levels[j] ? TUNE_COL_CATEGORICAL : TUNE_COL_NUMERIC;
        f->cols[j].n_levels = levels[j];
        memcpy(f->x + j * N_ROWS, src[j], N_ROWS * sizeof(double));
    }
    for (size_t i = 0; i < N_ROWS; i++)
        f->y[i] = (double)(i % 2);
    f->ds.path = "hand-built";
    f->ds.n_rows = N_ROWS;
    f->ds.n_features = N_FEAT;
    f->ds.features = f->cols;
    f->ds.x = f->x;
    f->ds.target_name = "target";
    f->ds.task = TUNE_TASK_BINARY;
    f->ds.y = f->y;
    f->ds.n_classes = 2;
}

static struct tune_prep *fit_ok(const struct tune_prep_config *cfg,
                                const struct tune_dataset *ds, const size_t *rows, size_t n)
{
    struct tune_prep *p = NULL;
    struct tune_error err = {0};
    int rc = tune_prep_fit(cfg, ds, rows, n, &p, &err);
    cr_assert_eq(rc, TUNE_OK, "fit failed: %s", err.msg);
    cr_assert_not_null(p);
    return p;
}

static struct tune_matrix transform_ok(const struct tune_prep *p, const struct tune_dataset *ds,
                                       const size_t *rows, size_t n)
{
    struct tune_matrix m = {0};
    struct tune_error err = {0};
    int rc = tune_prep_transform(p, ds, rows, n, &m, &err);
    cr_assert_eq(rc, TUNE_OK, "transform failed: %s", err.msg);
    cr_assert_eq(m.n_rows, n);
    cr_assert_eq(m.n_cols, tune_prep_n_out(p));
    return m;
}

static double at(const struct tune_matrix *m, size_t i, size_t j)
{
    return m->data[j * m->n_rows + i];
}

/* Fit on rows 0..5, transform all nine rows, compare with want[row][col]. */
static void assert_transform(enum tune_impute impute, enum tune_scale scale,
                             const double want[N_ROWS][9])
{
    struct fixture f;
    make_table(&f);
    struct tune_prep_config cfg = {.impute = impute, .scale = scale, .one_hot = 1};
    struct tune_prep *p = fit_ok(&cfg, &f.ds, train_rows, 6);
    cr_assert_eq(tune_prep_n_out(p), 9);
    struct tune_matrix m = transform_ok(p, &f.ds, all_rows, N_ROWS);
    for (size_t i = 0; i < N_ROWS; i++)
        for (size_t j = 0; j < 9; j++)
            cr_assert(fabs(at(&m, i, j) - want[i][j]) <= 1e-12 * fmax(1, fabs(want[i][j])),
                      "%s/%s row %zu col %zu: %.17g, expected %.17g", tune_impute_name(impute),
                      tune_scale_name(scale), i, j, at(&m, i, j), want[i][j]);
    free(m.data);
    tune_prep_free(p);
}

Test(preprocess, mean_imputation_and_standard_scaling_match_scikit_learn)
{
    assert_transform(TUNE_IMPUTE_MEAN, TUNE_SCALE_STANDARD, want_mean_standard);
}

Test(preprocess, median_imputation_and_minmax_scaling_match_scikit_learn)
{
    assert_transform(TUNE_IMPUTE_MEDIAN, TUNE_SCALE_MINMAX, want_median_minmax);
}

Test(preprocess, most_frequent_imputation_without_scaling_matches_scikit_learn)
{
    assert_transform(TUNE_IMPUTE_MOST_FREQUENT, TUNE_SCALE_NONE, want_mostfreq_none);
}

/* The imputed cells by hand (training rows 0..5 only):
 *   age    23.7 41.25 35.9 23.7 58.13: mean 182.68/5 = 36.536, median 35.9,
 *          mode 23.7;
 *   income 1520.5 2870.25 990.75 1204.6: mean 6586.1/4 = 1646.525, median
 *          (1204.6 + 1520.5)/2 = 1362.55 (even count), mode: all tie, the
 *          smallest 990.75;
 *   score  4.75 9.5 9.5 4.75 7.25: mean 35.75/5 = 7.15, median 7.25, mode:
 *          4.75 and 9.5 tie, the smaller 4.75. */
Test(preprocess, imputed_values_are_the_training_mean_median_and_smallest_mode)
{
    struct fixture f;
    make_table(&f);
    const enum tune_impute how[3] = {TUNE_IMPUTE_MEAN, TUNE_IMPUTE_MEDIAN,
                                     TUNE_IMPUTE_MOST_FREQUENT};
    const double want_age[3] = {36.536, 35.9, 23.7};
    const double want_income[3] = {1646.525, 1362.55, 990.75};
    const double want_score[3] = {7.15, 7.25, 4.75};
    for (size_t t = 0; t < 3; t++) {
        struct tune_prep_config cfg = {.impute = how[t], .scale = TUNE_SCALE_NONE,
                                       .one_hot = 1};
        struct tune_prep *p = fit_ok(&cfg, &f.ds, train_rows, 6);
        struct tune_matrix m = transform_ok(p, &f.ds, all_rows, N_ROWS);
        assert_close(at(&m, 1, 0), want_age[t], 1e-15);  /* row 1 age is missing */
        assert_close(at(&m, 6, 0), want_age[t], 1e-15);  /* so is validation row 6 */
        assert_close(at(&m, 3, 1), want_income[t], 1e-15);
        assert_close(at(&m, 4, 1), want_income[t], 1e-15);
        assert_close(at(&m, 5, 2), want_score[t], 1e-15);
        assert_close(at(&m, 7, 0), 17.4, 0);              /* present values pass */
        free(m.data);
        tune_prep_free(p);
    }
}

/* Standard scaling by hand: z = (x - mean) / std with the population std
 * (ddof 0) of the imputed training column. */
Test(preprocess, standard_scaling_is_x_minus_mean_over_population_std)
{
    struct fixture f;
    make_table(&f);
    struct tune_prep_config cfg = {.impute = TUNE_IMPUTE_MEDIAN, .scale = TUNE_SCALE_STANDARD,
                                   .one_hot = 1};
    struct tune_prep *p = fit_ok(&cfg, &f.ds, train_rows, 6);
    struct tune_matrix m = transform_ok(p, &f.ds, all_rows, N_ROWS);
    /* income imputed with the median 1362.55 on rows 3 and 4. */
    double inc[6] = {1520.5, 2870.25, 990.75, 1362.55, 1362.55, 1204.6};
    double mean = 0, var = 0;
    for (size_t i = 0; i < 6; i++)
        mean += inc[i] / 6;
    for (size_t i = 0; i < 6; i++)
        var += (inc[i] - mean) * (inc[i] - mean) / 6;
    double sd = sqrt(var);
    for (size_t i = 0; i < 6; i++)
        assert_close(at(&m, i, 1), (inc[i] - mean) / sd, 1e-12);
    assert_close(at(&m, 7, 1), (4410.9 - mean) / sd, 1e-12);
    assert_close(at(&m, 8, 1), (3310.0 - mean) / sd, 1e-12);
    /* The training rows have mean 0 and population variance 1. */
    double s = 0, ss = 0;
    for (size_t i = 0; i < 6; i++) {
        s += at(&m, i, 1);
        ss += at(&m, i, 1) * at(&m, i, 1);
    }
    assert_close(s / 6, 0, 1e-14);
    assert_close(ss / 6, 1, 1e-14);
    free(m.data);
    tune_prep_free(p);
}

Test(preprocess, minmax_maps_the_training_range_to_zero_one)
{
    struct fixture f;
    make_table(&f);
    struct tune_prep_config cfg = {.impute = TUNE_IMPUTE_MEAN, .scale = TUNE_SCALE_MINMAX,
                                   .one_hot = 0};
    struct tune_prep *p = fit_ok(&cfg, &f.ds, train_rows, 6);
    struct tune_matrix m = transform_ok(p, &f.ds, all_rows, N_ROWS);
    /* score: training min 4.75, max 9.5; row 8 holds 11.125 > max. */
    assert_close(at(&m, 0, 2), 0, 0);
    assert_close(at(&m, 1, 2), 1, 0);
    assert_close(at(&m, 4, 2), (7.25 - 4.75) / (9.5 - 4.75), 1e-15);
    assert_close(at(&m, 5, 2), (7.15 - 4.75) / (9.5 - 4.75), 1e-14); /* imputed */
    assert_close(at(&m, 8, 2), (11.125 - 4.75) / (9.5 - 4.75), 1e-15);
    /* age: training min 23.7, max 58.13; row 7 holds 17.4 < min. */
    assert_close(at(&m, 7, 0), (17.4 - 23.7) / (58.13 - 23.7), 1e-14);
    free(m.data);
    tune_prep_free(p);
}

Test(preprocess, one_hot_columns_follow_the_numeric_ones_with_zeros_for_an_unseen_level)
{
    struct fixture f;
    make_table(&f);
    struct tune_prep_config cfg = {.impute = TUNE_IMPUTE_MEAN, .scale = TUNE_SCALE_NONE,
                                   .one_hot = 1};
    struct tune_prep *p = fit_ok(&cfg, &f.ds, train_rows, 6);
    /* 3 numeric + color levels {0,1,2} seen in training + grade {0,1,2}. */
    cr_assert_eq(tune_prep_n_out(p), 9);
    const size_t rows[] = {6, 2, 4, 7};
    struct tune_matrix m = transform_ok(p, &f.ds, rows, 4);
    /* Output row r is input row rows[r]; numeric first in file order. */
    assert_close(at(&m, 0, 1), 2205.35, 0);
    assert_close(at(&m, 0, 2), 6.0, 0);
    /* Row 6: color 3 never seen in training -> no indicator; grade 0. */
    const double want[4][6] = {
        {0, 0, 0, 1, 0, 0},
        {1, 0, 0, 1, 0, 0}, /* color missing: colors 0 and 2 tie, mode is 0 */
        {0, 1, 0, 0, 1, 0}, /* grade missing: mode 1 */
        {0, 0, 1, 0, 1, 0},
    };
    for (size_t r = 0; r < 4; r++)
        for (size_t j = 0; j < 6; j++)
            cr_assert_eq(at(&m, r, 3 + j), want[r][j], "row %zu one-hot col %zu", rows[r], j);
    free(m.data);
    tune_prep_free(p);
}

Test(preprocess, a_level_absent_from_training_gets_no_column)
{
    struct fixture f;
    make_table(&f);
    struct tune_prep_config cfg = {.impute = TUNE_IMPUTE_MEAN, .scale = TUNE_SCALE_NONE,
                                   .one_hot = 1};
    /* Rows 1 and 5 hold colors 0, 0 and grades 1, 1: one column each. */
    const size_t rows[] = {1, 5};
    struct tune_prep *p = fit_ok(&cfg, &f.ds, rows, 2);
    cr_assert_eq(tune_prep_n_out(p), 5);
    struct tune_matrix m = transform_ok(p, &f.ds, all_rows, N_ROWS);
    const double color0[N_ROWS] = {0, 1, 1, 0, 0, 1, 0, 0, 0}; /* row 2 missing -> 0 */
    const double grade1[N_ROWS] = {1, 1, 0, 0, 1, 1, 0, 1, 0}; /* row 4 missing -> 1 */
    for (size_t i = 0; i < N_ROWS; i++) {
        cr_assert_eq(at(&m, i, 3), color0[i], "row %zu", i);
        cr_assert_eq(at(&m, i, 4), grade1[i], "row %zu", i);
    }
    free(m.data);
    tune_prep_free(p);
}

Test(preprocess, without_one_hot_a_categorical_column_passes_its_imputed_code)
{
    struct fixture f;
    make_table(&f);
    struct tune_prep_config cfg = {.impute = TUNE_IMPUTE_MEDIAN, .scale = TUNE_SCALE_STANDARD,
                                   .one_hot = 0};
    struct tune_prep *p = fit_ok(&cfg, &f.ds, train_rows, 6);
    cr_assert_eq(tune_prep_n_out(p), 5);
    struct tune_matrix m = transform_ok(p, &f.ds, all_rows, N_ROWS);
    const double color[N_ROWS] = {2, 0, 0, 2, 1, 0, 3, 2, 1};
    const double grade[N_ROWS] = {1, 1, 0, 2, 1, 1, 0, 1, 2};
    for (size_t i = 0; i < N_ROWS; i++) {
        cr_assert_eq(at(&m, i, 3), color[i], "row %zu color", i);
        cr_assert_eq(at(&m, i, 4), grade[i], "row %zu grade", i);
    }
    free(m.data);
    tune_prep_free(p);
}

Test(preprocess, validation_rows_do_not_influence_the_fit)
{
    struct fixture a, b;
    make_table(&a);
    make_table(&b);
    /* b differs from a only in the validation rows 6..8. */
    for (size_t j = 0; j < N_FEAT; j++)
        for (size_t i = 6; i < N_ROWS; i++)
            b.x[j * N_ROWS + i] =
                a.cols[j].kind == TUNE_COL_CATEGORICAL ? 3 : 98765.4321 * (double)i;
    for (int scale = TUNE_SCALE_NONE; scale <= TUNE_SCALE_MINMAX; scale++) {
        struct tune_prep_config cfg = {.impute = TUNE_IMPUTE_MEAN,
                                       .scale = (enum tune_scale)scale, .one_hot = 1};
        struct tune_prep *pa = fit_ok(&cfg, &a.ds, train_rows, 6);
        struct tune_prep *pb = fit_ok(&cfg, &b.ds, train_rows, 6);
        cr_assert_eq(tune_prep_n_out(pa), tune_prep_n_out(pb));
        struct tune_matrix ma = transform_ok(pa, &a.ds, train_rows, 6);
        struct tune_matrix mb = transform_ok(pb, &a.ds, train_rows, 6);
        cr_assert(memcmp(ma.data, mb.data, 6 * ma.n_cols * sizeof(double)) == 0,
                  "scale %s: validation rows changed the fit", tune_scale_name(cfg.scale));
        free(ma.data);
        free(mb.data);
        tune_prep_free(pa);
        tune_prep_free(pb);
    }
}

Test(preprocess, a_constant_training_column_gets_scale_one_and_maps_to_zero)
{
    struct fixture f;
    make_table(&f);
    for (size_t i = 0; i < 6; i++)
        f.x[3 * N_ROWS + i] = 0.1; /* score constant 0.1 on the training rows */
    for (int scale = TUNE_SCALE_STANDARD; scale <= TUNE_SCALE_MINMAX; scale++) {
        struct tune_prep_config cfg = {.impute = TUNE_IMPUTE_MEAN,
                                       .scale = (enum tune_scale)scale, .one_hot = 1};
        struct tune_prep *p = fit_ok(&cfg, &f.ds, train_rows, 6);
        struct tune_matrix m = transform_ok(p, &f.ds, all_rows, N_ROWS);
        for (size_t i = 0; i < 6; i++)
            cr_assert_eq(at(&m, i, 2), 0.0, "row %zu: %.17g", i, at(&m, i, 2));
        assert_close(at(&m, 8, 2), 11.125 - 0.1, 1e-15);
        free(m.data);
        tune_prep_free(p);
    }
}

Test(preprocess, a_column_missing_in_every_training_row_is_imputed_with_zero)
{
    struct fixture f;
    make_table(&f);
    for (size_t i = 0; i < 6; i++)
        f.x[0 * N_ROWS + i] = NAN; /* age */
    struct tune_prep_config cfg = {.impute = TUNE_IMPUTE_MEDIAN, .scale = TUNE_SCALE_STANDARD,
                                   .one_hot = 1};
    struct tune_prep *p = fit_ok(&cfg, &f.ds, train_rows, 6);
    struct tune_matrix m = transform_ok(p, &f.ds, all_rows, N_ROWS);
    for (size_t i = 0; i < 7; i++)
        cr_assert_eq(at(&m, i, 0), 0.0, "row %zu", i);
    assert_close(at(&m, 7, 0), 17.4, 0);
    free(m.data);
    tune_prep_free(p);
}

static void assert_fit_error(const struct tune_prep_config *cfg, const struct tune_dataset *ds,
                             const size_t *rows, size_t n, const char *msg)
{
    struct tune_prep *p = (struct tune_prep *)&p; /* must be reset to NULL */
    struct tune_error err = {0};
    cr_assert_eq(tune_prep_fit(cfg, ds, rows, n, &p, &err), TUNE_EINVAL);
    cr_assert_null(p);
    cr_assert_str_eq(err.msg, msg);
}

Test(preprocess, a_missing_training_value_without_imputation_names_the_column)
{
    struct fixture f;
    make_table(&f);
    struct tune_prep_config cfg = {.impute = TUNE_IMPUTE_NONE, .scale = TUNE_SCALE_STANDARD,
                                   .one_hot = 1};
    assert_fit_error(&cfg, &f.ds, train_rows, 6,
                     "column 'age' has missing values; set preprocess.impute");
    /* Rows 0 and 7 have no missing age; color is missing in row 2. */
    const size_t rows[] = {0, 2, 7};
    assert_fit_error(&cfg, &f.ds, rows, 3,
                     "column 'color' has missing values; set preprocess.impute");
}

Test(preprocess, a_missing_validation_value_without_imputation_names_the_column)
{
    struct fixture f;
    make_table(&f);
    struct tune_prep_config cfg = {.impute = TUNE_IMPUTE_NONE, .scale = TUNE_SCALE_MINMAX,
                                   .one_hot = 1};
    const size_t train[] = {0, 7, 8}, valid[] = {8, 6};
    struct tune_prep *p = fit_ok(&cfg, &f.ds, train, 3);
    struct tune_matrix m = {0};
    struct tune_error err = {0};
    cr_assert_eq(tune_prep_transform(p, &f.ds, valid, 2, &m, &err), TUNE_EINVAL);
    cr_assert_null(m.data);
    cr_assert_str_eq(err.msg, "column 'age' has missing values; set preprocess.impute");
    /* Without missing cells the same fit transforms. */
    m = transform_ok(p, &f.ds, train, 3);
    free(m.data);
    tune_prep_free(p);
}

Test(preprocess, bad_rows_and_a_different_dataset_are_refused)
{
    struct fixture f;
    make_table(&f);
    struct tune_prep_config cfg = {.impute = TUNE_IMPUTE_MEAN, .scale = TUNE_SCALE_NONE,
                                   .one_hot = 1};
    assert_fit_error(&cfg, &f.ds, train_rows, 0, "preprocess: cannot fit on 0 training rows");
    const size_t bad[] = {0, 9};
    assert_fit_error(&cfg, &f.ds, bad, 2, "preprocess: row index 9 out of range (9 rows)");
    struct tune_prep *p = fit_ok(&cfg, &f.ds, train_rows, 6);
    struct tune_dataset fewer = f.ds;
    fewer.n_features = 4;
    struct tune_matrix m = {0};
    struct tune_error err = {0};
    cr_assert_eq(tune_prep_transform(p, &fewer, all_rows, N_ROWS, &m, &err), TUNE_EINVAL);
    cr_assert_str_eq(err.msg, "preprocess: dataset has 4 features, fitted on 5");
    cr_assert_eq(tune_prep_transform(p, &f.ds, bad, 2, &m, &err), TUNE_EINVAL);
    cr_assert_str_eq(err.msg, "preprocess: row index 9 out of range (9 rows)");
    tune_prep_free(p);
}

Test(preprocess, strategy_names_round_trip_and_unknown_names_are_refused)
{
    const char *imp[] = {"none", "mean", "median", "most_frequent"};
    const char *sc[] = {"none", "standard", "minmax"};
    for (int i = 0; i < 4; i++) {
        cr_assert_str_eq(tune_impute_name((enum tune_impute)i), imp[i]);
        cr_assert_eq(tune_impute_parse(imp[i]), i);
    }
    for (int i = 0; i < 3; i++) {
        cr_assert_str_eq(tune_scale_name((enum tune_scale)i), sc[i]);
        cr_assert_eq(tune_scale_parse(sc[i]), i);
    }
    cr_assert_eq(tune_impute_parse("Mean"), -1);
    cr_assert_eq(tune_impute_parse("mode"), -1);
    cr_assert_eq(tune_impute_parse(NULL), -1);
    cr_assert_eq(tune_scale_parse("robust"), -1);
    cr_assert_eq(tune_scale_parse(""), -1);
    cr_assert_str_eq(tune_impute_name((enum tune_impute)9), "unknown");
    cr_assert_str_eq(tune_scale_name((enum tune_scale)9), "unknown");
}

Test(preprocess, freeing_null_is_harmless)
{
    tune_prep_free(NULL);
}
