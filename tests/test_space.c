/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_space.c — search space mapping, grids, sampling, and the grid /
 * random / sobol searchers. */
#include "testutil.h"
#include "tunefold/config.h"
#include "tunefold/searcher.h"
#include "tunefold/space.h"

static char *cat_values[] = {"l1", "l2", "elastic \"net\""};

static struct tune_param p_float_log(void)
{
    struct tune_param p = {0};
    p.name = "C";
    p.type = TUNE_PARAM_FLOAT;
    p.low = 1e-4;
    p.high = 100;
    p.log = 1;
    p.grid_points = 20;
    return p;
}

static struct tune_param p_int(double low, double high)
{
    struct tune_param p = {0};
    p.name = "n";
    p.type = TUNE_PARAM_INT;
    p.low = low;
    p.high = high;
    return p;
}

static struct tune_param p_cat(void)
{
    struct tune_param p = {0};
    p.name = "penalty";
    p.type = TUNE_PARAM_CATEGORICAL;
    p.n_values = 3;
    p.values = cat_values;
    return p;
}

Test(space, log_float_maps_to_unit_cube_and_back)
{
    struct tune_param p = p_float_log();
    struct tune_space s = {1, &p};
    double pt = 0.0123456789, u, back;
    tune_space_to_unit(&s, &pt, &u);
    assert_close(u, (log(pt) - log(1e-4)) / (log(100) - log(1e-4)), 1e-15);
    tune_space_from_unit(&s, &u, &back);
    assert_close(back, pt, 1e-13);
    u = 0;
    tune_space_from_unit(&s, &u, &back);
    assert_close(back, 1e-4, 1e-14);
    u = 1;
    tune_space_from_unit(&s, &u, &back);
    assert_close(back, 100, 1e-14);
}

Test(space, int_values_get_equal_shares_of_the_unit_interval)
{
    struct tune_param p = p_int(2, 5);
    struct tune_space s = {1, &p};
    /* 4 integers, each owning a quarter of [0, 1] */
    double cases[][2] = {{0.0, 2}, {0.2499, 2}, {0.2501, 3}, {0.6, 4}, {0.7501, 5}, {1.0, 5}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double v;
        tune_space_from_unit(&s, &cases[i][0], &v);
        cr_assert_eq(v, cases[i][1], "u=%g gave %g, expected %g", cases[i][0], v, cases[i][1]);
    }
    double v = 4, u;
    tune_space_to_unit(&s, &v, &u);
    assert_close(u, 0.625, 1e-15);
}

Test(space, categorical_cells_and_bool)
{
    struct tune_param ps[2] = {p_cat(), {0}};
    ps[1].name = "fit_intercept";
    ps[1].type = TUNE_PARAM_BOOL;
    struct tune_space s = {2, ps};
    double u[2] = {0.34, 0.51}, pt[2];
    tune_space_from_unit(&s, u, pt);
    cr_assert_eq(pt[0], 1);
    cr_assert_eq(pt[1], 1);
    tune_space_to_unit(&s, pt, u);
    assert_close(u[0], 0.5, 1e-15);
    assert_close(u[1], 0.75, 1e-15);
}

Test(space, step_snaps_to_the_nearest_allowed_value)
{
    struct tune_param p = {0};
    p.type = TUNE_PARAM_FLOAT;
    p.low = 0.1;
    p.high = 0.9;
    p.step = 0.2;
    assert_close(tune_param_snap(&p, 0.52), 0.5, 1e-15);
    assert_close(tune_param_snap(&p, 0.95), 0.9, 1e-15);
    assert_close(tune_param_snap(&p, -3), 0.1, 1e-15);
    struct tune_param q = p_int(0, 10);
    q.step = 3;
    cr_assert_eq(tune_param_snap(&q, 7.4), 6);
    cr_assert_eq(tune_param_snap(&q, 10), 9);
}

Test(space, log_grid_is_geometric_with_exact_ends)
{
    struct tune_param p = p_float_log();
    cr_assert_eq(tune_param_grid_count(&p), 20);
    cr_assert_eq(tune_param_grid_value(&p, 0), 1e-4);
    cr_assert_eq(tune_param_grid_value(&p, 19), 100);
    double ratio = pow(1e6, 1.0 / 19);
    for (size_t k = 1; k < 20; k++)
        assert_close(tune_param_grid_value(&p, k) / tune_param_grid_value(&p, k - 1), ratio,
                     1e-12);
}

/* The text a grid value is stored and shown as (tune_param_format). */
static const char *grid_text(const struct tune_param *p, size_t k)
{
    static char buf[64];
    tune_param_format(p, tune_param_grid_value(p, k), buf, sizeof buf);
    return buf;
}

Test(space, a_log_grid_between_powers_of_two_gives_exact_powers_of_two)
{
    /* 2^-5 .. 2^15 (LIBSVM's C range): 21 points on the integer exponents;
     * exp(log(a) + t log(b/a)) gave 1.9999999999999993 for 2 */
    struct tune_param p = p_float_log();
    p.low = 0.03125;
    p.high = 32768;
    p.grid_points = 21;
    cr_assert_eq(tune_param_grid_count(&p), 21);
    for (size_t k = 0; k < 21; k++)
        cr_assert_eq(tune_param_grid_value(&p, k), ldexp(1, (int)k - 5), "k %zu: %.17g", k,
                     tune_param_grid_value(&p, k));
    cr_assert_str_eq(grid_text(&p, 6), "2");
    /* gamma: 2^-15 .. 2^3 on every other exponent; 2^-13 needs 17 digits */
    p.low = ldexp(1, -15);
    p.high = 8;
    p.grid_points = 10;
    for (size_t k = 0; k < 10; k++)
        cr_assert_eq(tune_param_grid_value(&p, k), ldexp(1, 2 * (int)k - 15), "k %zu: %.17g",
                     k, tune_param_grid_value(&p, k));
    cr_assert_str_eq(grid_text(&p, 6), "0.125");
}

Test(space, a_log_grid_between_powers_of_ten_gives_the_decimal_powers)
{
    struct tune_param p = p_float_log();
    p.low = 1e-6;
    p.high = 1e3;
    p.grid_points = 10;
    static const char *const want[10] = {"1e-06", "1e-05", "0.0001", "0.001", "0.01",
                                         "0.1",   "1",     "10",     "100",   "1000"};
    for (size_t k = 0; k < 10; k++)
        cr_assert_str_eq(grid_text(&p, k), want[k], "k %zu", k);
    /* between the powers (3 points a decade): 15 significant digits */
    p.grid_points = 28;
    cr_assert_str_eq(grid_text(&p, 1), "2.15443469003188e-06");
    cr_assert_str_eq(grid_text(&p, 3), "1e-05");
}

Test(space, linear_grid_values_are_the_decimals_a_person_would_write)
{
    struct tune_param p = {0};
    p.type = TUNE_PARAM_FLOAT;
    p.low = 0.1;
    p.high = 0.5;
    static const char *const want[5] = {"0.1", "0.2", "0.3", "0.4", "0.5"};
    for (size_t k = 0; k < 5; k++)
        cr_assert_str_eq(grid_text(&p, k), want[k], "k %zu", k);
    cr_assert_eq(tune_param_grid_value(&p, 2), 0.3);
    /* a third: 15 significant digits, not 0.43333333333333335 */
    p.high = 1.1;
    p.grid_points = 4;
    cr_assert_str_eq(grid_text(&p, 1), "0.433333333333333");
}

Test(space, a_stepped_float_snaps_to_the_decimal_multiple)
{
    /* 0.1 + 2 * 0.1 is 0.30000000000000004 in binary floating point */
    struct tune_param p = {0};
    p.type = TUNE_PARAM_FLOAT;
    p.low = 0.1;
    p.high = 0.9;
    p.step = 0.1;
    cr_assert_eq(tune_param_snap(&p, 0.31), 0.3);
    cr_assert_eq(tune_param_snap(&p, 0.69), 0.7);
    p.grid_points = 9;
    cr_assert_str_eq(grid_text(&p, 2), "0.3");
    cr_assert_str_eq(grid_text(&p, 5), "0.6");
}

Test(space, int_grid_drops_duplicates_after_rounding)
{
    struct tune_param p = p_int(1, 3);
    p.grid_points = 10;
    cr_assert_eq(tune_param_grid_count(&p), 3);
    cr_assert_eq(tune_param_grid_value(&p, 0), 1);
    cr_assert_eq(tune_param_grid_value(&p, 1), 2);
    cr_assert_eq(tune_param_grid_value(&p, 2), 3);
}

Test(space, grid_order_varies_the_last_parameter_fastest)
{
    struct tune_param ps[2] = {p_int(10, 30), p_cat()};
    ps[0].grid_points = 3;
    struct tune_space s = {2, ps};
    cr_assert_eq(tune_space_grid_size(&s), 9);
    double pt[2];
    tune_space_grid_point(&s, 0, pt);
    cr_assert(pt[0] == 10 && pt[1] == 0);
    tune_space_grid_point(&s, 2, pt);
    cr_assert(pt[0] == 10 && pt[1] == 2);
    tune_space_grid_point(&s, 4, pt);
    cr_assert(pt[0] == 20 && pt[1] == 1);
    tune_space_grid_point(&s, 8, pt);
    cr_assert(pt[0] == 30 && pt[1] == 2);
}

Test(space, empty_space_has_one_grid_point)
{
    struct tune_space s = {0, NULL};
    cr_assert_eq(tune_space_grid_size(&s), 1);
}

Test(space, sampled_integers_are_equally_likely)
{
    struct tune_param p = p_int(1, 3);
    struct tune_space s = {1, &p};
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 2385);
    size_t counts[3] = {0}, n = 30000;
    for (size_t i = 0; i < n; i++) {
        double v;
        tune_space_sample(&s, rng, &v);
        cr_assert(v == 1 || v == 2 || v == 3);
        counts[(int)v - 1]++;
    }
    gsl_rng_free(rng);
    /* binomial sd is ~82 draws; 500 is over 6 sd */
    for (int k = 0; k < 3; k++)
        cr_assert(labs((long)counts[k] - 10000) < 500, "value %d drawn %zu times", k + 1,
                  counts[k]);
}

Test(space, log_float_samples_are_log_uniform)
{
    struct tune_param p = p_float_log();
    struct tune_space s = {1, &p};
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 7);
    size_t below_1 = 0, n = 20000;
    for (size_t i = 0; i < n; i++) {
        double v;
        tune_space_sample(&s, rng, &v);
        cr_assert(v >= 1e-4 && v <= 100);
        below_1 += v < 1;
    }
    gsl_rng_free(rng);
    /* log10 range is [-4, 2]: two thirds of the mass lies below 1 */
    cr_assert(fabs((double)below_1 / (double)n - 2.0 / 3.0) < 0.02);
}

Test(space, values_format_as_json)
{
    char buf[128];
    struct tune_param f = p_float_log(), i = p_int(1, 9), c = p_cat(), b = {0};
    b.type = TUNE_PARAM_BOOL;
    tune_param_format(&f, 0.1, buf, sizeof buf);
    cr_assert_str_eq(buf, "0.1");
    tune_param_format(&f, 1.0 / 3.0, buf, sizeof buf);
    cr_assert_eq(strtod(buf, NULL), 1.0 / 3.0);
    tune_param_format(&i, 7, buf, sizeof buf);
    cr_assert_str_eq(buf, "7");
    tune_param_format(&c, 2, buf, sizeof buf);
    cr_assert_str_eq(buf, "\"elastic \\\"net\\\"\"");
    tune_param_format(&b, 1, buf, sizeof buf);
    cr_assert_str_eq(buf, "true");
}

Test(searcher, registry_knows_each_strategy)
{
    cr_assert_eq(tune_searcher_find("grid"), &tune_searcher_grid);
    cr_assert_eq(tune_searcher_find("random"), &tune_searcher_random);
    cr_assert_eq(tune_searcher_find("sobol"), &tune_searcher_sobol);
    cr_assert_eq(tune_searcher_find("bayes"), &tune_searcher_bayes);
    cr_assert_null(tune_searcher_find("bayes?"));
    size_t n = 0;
    while (tune_searcher_at(n))
        n++;
    cr_assert_eq(n, 4);
}

Test(searcher, grid_visits_every_point_once_then_is_exhausted)
{
    struct tune_param ps[2] = {p_int(10, 30), p_cat()};
    ps[0].grid_points = 3;
    struct tune_space s = {2, ps};
    struct tune_history h = {.maximize = 1, .number = -1};
    int seen[9] = {0};
    struct tune_error err = {0};
    cr_assert_eq(tune_searcher_grid.max_points(&s), 9);
    for (size_t seq = 0; seq < 9; seq++) {
        double pt[2];
        cr_assert_eq(tune_searcher_grid.suggest(NULL, &s, &h, seq, NULL, pt, &err), TUNE_OK);
        int idx = (int)((pt[0] - 10) / 10) * 3 + (int)pt[1];
        seen[idx]++;
    }
    for (int i = 0; i < 9; i++)
        cr_assert_eq(seen[i], 1, "grid point %d visited %d times", i, seen[i]);
    double pt[2];
    cr_assert_eq(tune_searcher_grid.suggest(NULL, &s, &h, 9, NULL, pt, &err), TUNE_EEXHAUSTED);
}

Test(searcher, random_points_depend_only_on_the_generator_seed)
{
    struct tune_param ps[3] = {p_float_log(), p_int(1, 500), p_cat()};
    struct tune_space s = {3, ps};
    struct tune_history h = {.maximize = 1, .number = -1};
    struct tune_searcher *sr;
    cr_assert_eq(tune_searcher_new(&tune_searcher_random, &s, NULL, &sr, NULL), TUNE_OK);
    gsl_rng *a = gsl_rng_alloc(gsl_rng_mt19937), *b = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(a, 99);
    gsl_rng_set(b, 99);
    double pa[3], pb[3];
    cr_assert_eq(tune_searcher_suggest(sr, &s, &h, 0, a, pa, NULL), TUNE_OK);
    cr_assert_eq(tune_searcher_suggest(sr, &s, &h, 5, b, pb, NULL), TUNE_OK);
    cr_assert_arr_eq(pa, pb, sizeof pa);
    gsl_rng_set(b, 100);
    cr_assert_eq(tune_searcher_suggest(sr, &s, &h, 0, b, pb, NULL), TUNE_OK);
    cr_assert(pa[0] != pb[0]);
    gsl_rng_free(a);
    gsl_rng_free(b);
    tune_searcher_free(sr);
}

Test(searcher, sobol_gives_the_known_sequence_without_the_origin)
{
    struct tune_param ps[2] = {{0}, {0}};
    for (int i = 0; i < 2; i++) {
        ps[i].type = TUNE_PARAM_FLOAT;
        ps[i].low = 0;
        ps[i].high = 8;
    }
    struct tune_space s = {2, ps};
    struct tune_history h = {.maximize = 1, .number = -1};
    /* Sobol points 1..3 in 2-D: (1/2,1/2), (3/4,1/4), (1/4,3/4); scaled by 8 */
    double want[3][2] = {{4, 4}, {6, 2}, {2, 6}};
    struct tune_searcher *sr;
    cr_assert_eq(tune_searcher_new(&tune_searcher_sobol, &s, NULL, &sr, NULL), TUNE_OK);
    for (size_t seq = 0; seq < 3; seq++) {
        double pt[2];
        cr_assert_eq(tune_searcher_suggest(sr, &s, &h, seq, NULL, pt, NULL), TUNE_OK);
        cr_assert(pt[0] == want[seq][0] && pt[1] == want[seq][1], "seq %zu: (%g, %g)", seq,
                  pt[0], pt[1]);
    }
    tune_searcher_free(sr);
}

Test(searcher, sobol_refuses_more_than_forty_dimensions)
{
    struct tune_param ps[41];
    for (int i = 0; i < 41; i++) {
        memset(&ps[i], 0, sizeof ps[i]);
        ps[i].type = TUNE_PARAM_FLOAT;
        ps[i].high = 1;
    }
    struct tune_space s = {41, ps};
    struct tune_error err = {0};
    struct tune_searcher *sr = NULL;
    /* at init, so a study file is refused before any work */
    cr_assert_eq(tune_searcher_new(&tune_searcher_sobol, &s, NULL, &sr, &err), TUNE_EINVAL);
    cr_assert(strstr(err.msg, "at most 40") != NULL, "%s", err.msg);
    cr_assert_null(sr);
}

Test(searcher, a_strategy_refuses_options_it_does_not_declare_naming_their_owner)
{
    struct tune_param ps[1] = {p_float_log()};
    struct tune_space s = {1, ps};
    struct tune_searcher *sr = NULL;
    struct tune_error err = {0};
    struct tune_search_options o = {"{\"kappa\": 2}", 7};
    cr_assert_eq(tune_searcher_new(&tune_searcher_random, &s, &o, &sr, &err), TUNE_EINVAL);
    cr_assert_str_eq(err.msg, "search.kappa: only for the bayes strategy (strategy is random)");
    o.json = "{\"steps\": 2}";
    cr_assert_eq(tune_searcher_new(&tune_searcher_grid, &s, &o, &sr, &err), TUNE_EINVAL);
    cr_assert_str_eq(err.msg,
                     "search.steps: unknown key (expected one of: strategy, trials, seed, "
                     "workers, max_seconds, target, patience, enqueue, warm_start, batch)");
    cr_assert_null(sr);
    o.json = "{}";
    cr_assert_eq(tune_searcher_new(&tune_searcher_sobol, &s, &o, &sr, &err), TUNE_OK, "%s",
                 err.msg);
    tune_searcher_free(sr);
}

Test(searcher, a_version_1_plug_in_is_refused_by_name)
{
    struct tune_searcher_type old = tune_searcher_grid;
    old.version = 1;
    old.name = "legacy";
    struct tune_space s = {0, NULL};
    struct tune_searcher *sr = NULL;
    struct tune_error err = {0};
    cr_assert_eq(tune_searcher_new(&old, &s, NULL, &sr, &err), TUNE_EINVAL);
    cr_assert_not_null(strstr(err.msg, "legacy searcher is a version 1 plug-in"), "%s", err.msg);
    cr_assert_null(sr);
}

/* ------------------------------------------------- finite spaces */

/* A space of 3 x 2 x 2 = 12 points: a categorical, a bool, an int 1..2. */
static struct tune_space small_space(struct tune_param *ps)
{
    ps[0] = p_cat();
    memset(&ps[1], 0, sizeof ps[1]);
    ps[1].name = "fit_intercept";
    ps[1].type = TUNE_PARAM_BOOL;
    ps[2] = p_int(1, 2);
    return (struct tune_space){3, ps};
}

/* Point seq as the study asks for it: the generator seeded from the study
 * seed and seq (src/study.c), a searcher made with the study seed (cold:
 * a fresh searcher for this one point, as on another worker or after a
 * resume).  Returns the status. */
static int study_point(const struct tune_searcher_type *type, struct tune_searcher **s,
                       const struct tune_space *sp, uint64_t seed, size_t seq, double *pt)
{
    struct tune_error err = {0};
    struct tune_search_options o = {NULL, seed};
    if (!*s)
        cr_assert_eq(tune_searcher_new(type, sp, &o, s, &err), TUNE_OK, "%s", err.msg);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, (unsigned long)(seed * 1000003u + seq));
    struct tune_history h = {.maximize = 1, .number = -1};
    int rc = tune_searcher_suggest(*s, sp, &h, seq, rng, pt, &err);
    gsl_rng_free(rng);
    return rc;
}

/* Every point of small_space once in seq 0..11, then exhausted; the same
 * points with a fresh searcher for each seq; another order for another
 * seed (random) or the same (sobol, which has no seed). */
static void covers_small_space_once(const struct tune_searcher_type *type, int seeded)
{
    struct tune_param ps[3];
    struct tune_space sp = small_space(ps);
    cr_assert_eq(type->max_points(&sp), 12);
    struct tune_searcher *warm = NULL;
    double pts[12][3], pt[3];
    int seen[12] = {0};
    for (size_t seq = 0; seq < 12; seq++) {
        cr_assert_eq(study_point(type, &warm, &sp, 42, seq, pts[seq]), TUNE_OK);
        int idx = (int)pts[seq][0] * 4 + (int)pts[seq][1] * 2 + (int)pts[seq][2] - 1;
        cr_assert(idx >= 0 && idx < 12, "seq %zu: (%g, %g, %g)", seq, pts[seq][0], pts[seq][1],
                  pts[seq][2]);
        cr_assert_eq(seen[idx]++, 0, "%s: seq %zu repeats point %d", type->name, seq, idx);
    }
    cr_assert_eq(study_point(type, &warm, &sp, 42, 12, pt), TUNE_EEXHAUSTED);
    tune_searcher_free(warm);
    int differs = 0;
    for (size_t seq = 12; seq-- > 0;) { /* backwards, each on a cold searcher */
        struct tune_searcher *cold = NULL;
        cr_assert_eq(study_point(type, &cold, &sp, 42, seq, pt), TUNE_OK);
        cr_assert_arr_eq(pt, pts[seq], sizeof pt, "%s: seq %zu differs when cold", type->name,
                         seq);
        tune_searcher_free(cold);
        cold = NULL;
        cr_assert_eq(study_point(type, &cold, &sp, 43, seq, pt), TUNE_OK);
        differs |= memcmp(pt, pts[seq], sizeof pt) != 0;
        tune_searcher_free(cold);
    }
    cr_assert_eq(differs, seeded, "%s: another seed, %s order", type->name,
                 differs ? "another" : "the same");
}

Test(searcher, random_tries_every_point_of_a_finite_space_once_then_is_exhausted)
{
    covers_small_space_once(&tune_searcher_random, 1);
}

Test(searcher, sobol_tries_every_point_of_a_finite_space_once_then_is_exhausted)
{
    covers_small_space_once(&tune_searcher_sobol, 0);
}

Test(searcher, a_finite_space_counts_ints_steps_and_choices_and_a_continuum_has_no_limit)
{
    struct tune_param ps[3] = {p_int(10, 30), p_cat(), {0}};
    ps[2].type = TUNE_PARAM_FLOAT;
    ps[2].low = 0.5;
    ps[2].high = 2;
    ps[2].step = 0.25; /* 0.5, 0.75, ..., 2: 7 values */
    struct tune_space sp = {3, ps};
    cr_assert_eq(tune_space_size(&sp), 21 * 3 * 7);
    cr_assert_eq(tune_searcher_random.max_points(&sp), 21 * 3 * 7);
    cr_assert_eq(tune_searcher_sobol.max_points(&sp), 21 * 3 * 7);
    double pt[3];
    tune_space_point_at(&sp, 21 * 3 * 7 - 1, pt);
    cr_assert(pt[0] == 30 && pt[1] == 2 && pt[2] == 2, "(%g, %g, %g)", pt[0], pt[1], pt[2]);
    tune_space_point_at(&sp, 7 * 3 + 7 + 2, pt);
    cr_assert(pt[0] == 11 && pt[1] == 1 && pt[2] == 1, "(%g, %g, %g)", pt[0], pt[1], pt[2]);
    cr_assert_eq(tune_space_point_index(&sp, pt), 7 * 3 + 7 + 2);
    ps[2].step = 0; /* a continuum */
    cr_assert_eq(tune_space_size(&sp), 0);
    cr_assert_eq(tune_searcher_random.max_points(&sp), 0);
    cr_assert_eq(tune_searcher_sobol.max_points(&sp), 0);
    /* no parameter: one configuration, which a study may run many times */
    struct tune_space none = {0, NULL};
    cr_assert_eq(tune_searcher_random.max_points(&none), 0);
}

Test(searcher, random_on_a_finite_log_scale_keeps_its_log_uniform_law)
{
    /* ints 1..1000 on a log scale: a draw falls below 32 with probability
     * log(63) / log(2001) = 0.545 (it would be 0.031 if every integer were
     * equally likely); the first points of 400 studies */
    struct tune_param p = p_int(1, 1000);
    p.log = 1;
    struct tune_space sp = {1, &p};
    cr_assert_eq(tune_searcher_random.max_points(&sp), 1000);
    size_t below = 0, n = 400;
    for (uint64_t seed = 0; seed < n; seed++) {
        struct tune_searcher *s = NULL;
        double v;
        cr_assert_eq(study_point(&tune_searcher_random, &s, &sp, seed, 0, &v), TUNE_OK);
        below += v < 32;
        tune_searcher_free(s);
    }
    /* binomial sd is 10 draws */
    cr_assert(below > 178 && below < 258, "%zu of %zu below 32", below, n);
}

/* A numeric choice is kept as its shortest text ("0.1", not
 * "0.10000000000000001"), and a point read back matches it whether the
 * stored value is that text, the number, or the 17-digit text an older
 * tunefold wrote. */
Test(space, numeric_choices_keep_their_shortest_text_and_match_any_spelling)
{
    struct tune_study_config *c = NULL;
    struct tune_error err = {0};
    const char *json =
        "{\"name\": \"n\", \"task\": \"binary\", \"data\": {\"path\": \"d.csv\", \"target\": \"y\"},"
        " \"trainer\": {\"name\": \"logistic\"},"
        " \"space\": {\"C\": {\"type\": \"categorical\", \"values\": [0.1, 1, 1e-7]}},"
        " \"objective\": {\"metric\": \"accuracy\"}}";
    cr_assert_eq(tune_config_parse("n.json", json, &c, &err), TUNE_OK, "%s", err.msg);
    const struct tune_param *p = &c->space.params[0];
    cr_assert_eq(p->n_values, 3);
    cr_assert_str_eq(p->values[0], "0.1");
    cr_assert_str_eq(p->values[1], "1");
    cr_assert_str_eq(p->values[2], "1e-07");
    const char *spellings[] = {"{\"C\": \"0.1\"}", "{\"C\": 0.1}",
                               "{\"C\": \"0.10000000000000001\"}"};
    for (size_t i = 0; i < 3; i++) {
        double pt = -1;
        cr_assert(tune_space_point_from_json(&c->space, spellings[i], &pt), "%s", spellings[i]);
        cr_assert_eq(pt, 0.0, "%s", spellings[i]);
    }
    double pt = -1;
    cr_assert(!tune_space_point_from_json(&c->space, "{\"C\": \"0.2\"}", &pt));
    tune_config_free(c);
}

/* ---- conditional parameters ------------------------------------------------
 *
 * The space of cond_space():
 *   0 penalty   categorical l1, l2, elasticnet
 *   1 C         int 1..4
 *   2 l1_ratio  float 0..1 step 0.25 (5 values)   when penalty = elasticnet
 *   3 solver    categorical a, b                  when penalty in (l1, elasticnet)
 *   4 tol       int 1..3                          when solver = b
 *   5 alpha     int 1..2                          when penalty = l2
 * Configurations: penalty l1 opens solver (a: 1; b: tol's 3) = 4, l2 opens
 * alpha = 2, elasticnet opens l1_ratio x solver = 5 x 4 = 20; so penalty
 * counts 26 and the space 26 x 4 (C) = 104. */
static char *pen_values[] = {"l1", "l2", "elasticnet"};
static char *solver_values[] = {"a", "b"};
static double when_en[] = {2}, when_l1_en[] = {0, 2}, when_b[] = {1}, when_l2[] = {1};

static struct tune_space cond_space(struct tune_param *ps)
{
    memset(ps, 0, 6 * sizeof *ps);
    ps[0].name = "penalty";
    ps[0].type = TUNE_PARAM_CATEGORICAL;
    ps[0].n_values = 3;
    ps[0].values = pen_values;
    ps[1] = p_int(1, 4);
    ps[1].name = "C";
    ps[1].grid_points = 4;
    ps[2].name = "l1_ratio";
    ps[2].type = TUNE_PARAM_FLOAT;
    ps[2].high = 1;
    ps[2].step = 0.25;
    ps[2].when_param = 0;
    ps[2].n_when = 1;
    ps[2].when_values = when_en;
    ps[3].name = "solver";
    ps[3].type = TUNE_PARAM_CATEGORICAL;
    ps[3].n_values = 2;
    ps[3].values = solver_values;
    ps[3].when_param = 0;
    ps[3].n_when = 2;
    ps[3].when_values = when_l1_en;
    ps[4] = p_int(1, 3);
    ps[4].name = "tol";
    ps[4].when_param = 3;
    ps[4].n_when = 1;
    ps[4].when_values = when_b;
    ps[5] = p_int(1, 2);
    ps[5].name = "alpha";
    ps[5].when_param = 0;
    ps[5].n_when = 1;
    ps[5].when_values = when_l2;
    return (struct tune_space){6, ps};
}

Test(space, a_parameter_is_active_only_when_its_parents_condition_holds_all_the_way_up)
{
    struct tune_param ps[6];
    struct tune_space s = cond_space(ps);
    cr_assert_eq(tune_space_check(&s, NULL), TUNE_OK);
    cr_assert(tune_space_is_conditional(&s));
    /* penalty l2, solver b: l1_ratio, solver and tol off (tol's parent is off) */
    double pt[6] = {1, 3, 0.5, 1, 2, 1};
    int want[6] = {1, 1, 0, 0, 0, 1};
    for (size_t i = 0; i < 6; i++)
        cr_assert_eq(tune_space_active(&s, pt, i), want[i], "param %zu", i);
    tune_space_apply_conditions(&s, pt);
    cr_assert(pt[0] == 1 && pt[1] == 3 && isnan(pt[2]) && isnan(pt[3]) && isnan(pt[4]) &&
                  pt[5] == 1,
              "(%g %g %g %g %g %g)", pt[0], pt[1], pt[2], pt[3], pt[4], pt[5]);
    /* penalty l1, solver a: tol off; l1_ratio and alpha off */
    double q[6] = {0, 2, 0.25, 0, 3, 2};
    tune_space_apply_conditions(&s, q);
    cr_assert(q[0] == 0 && q[1] == 2 && isnan(q[2]) && q[3] == 0 && isnan(q[4]) && isnan(q[5]));
    /* five of the six can be active together (elasticnet, solver b) */
    cr_assert_eq(tune_space_active_dim(&s), 5);
    struct tune_space plain = {2, ps};
    cr_assert_eq(tune_space_active_dim(&plain), 2);
    cr_assert_not(tune_space_is_conditional(&plain));
}

Test(space, a_conditional_space_counts_and_enumerates_each_configuration_once)
{
    struct tune_param ps[6];
    struct tune_space s = cond_space(ps);
    cr_assert_eq(tune_space_size(&s), 104);
    cr_assert_eq(tune_space_grid_size(&s), 104);
    /* C fastest; penalty's block 6 + 11 is elasticnet's 11th: solver b,
     * tol 3, l1_ratio 0.5 */
    double pt[6];
    tune_space_point_at(&s, 4 * (6 + 11) + 1, pt);
    cr_assert(pt[0] == 2 && pt[1] == 2 && pt[2] == 0.5 && pt[3] == 1 && pt[4] == 3 &&
                  isnan(pt[5]),
              "(%g %g %g %g %g %g)", pt[0], pt[1], pt[2], pt[3], pt[4], pt[5]);
    tune_space_point_at(&s, 4 * 5 + 3, pt); /* l2, alpha 2, C 4 */
    cr_assert(pt[0] == 1 && pt[1] == 4 && isnan(pt[2]) && isnan(pt[3]) && isnan(pt[4]) &&
              pt[5] == 2);
    /* every index round-trips, every point differs, grid points are the same */
    double all[104][6];
    for (size_t i = 0; i < 104; i++) {
        double g[6];
        tune_space_point_at(&s, i, all[i]);
        cr_assert_eq(tune_space_point_index(&s, all[i]), i);
        tune_space_grid_point(&s, i, g);
        for (size_t k = 0; k < 6; k++)
            cr_assert(g[k] == all[i][k] || (isnan(g[k]) && isnan(all[i][k])),
                      "grid point %zu differs at %zu", i, k);
        for (size_t j = 0; j < i; j++) {
            int same = 1;
            for (size_t k = 0; k < 6; k++)
                same &= all[j][k] == all[i][k] || (isnan(all[j][k]) && isnan(all[i][k]));
            cr_assert_not(same, "points %zu and %zu are the same configuration", j, i);
        }
    }
    ps[2].step = 0; /* a continuum in one branch: the space is infinite */
    cr_assert_eq(tune_space_size(&s), 0);
}

Test(space, points_made_from_the_cube_or_drawn_are_canonical)
{
    struct tune_param ps[6];
    struct tune_space s = cond_space(ps);
    double u[6] = {0.2, 0.9, 0.6, 0.9, 0.9, 0.9}, pt[6], back[6];
    tune_space_from_unit(&s, u, pt); /* penalty l1: solver b, tol 3 */
    cr_assert(pt[0] == 0 && pt[1] == 4 && isnan(pt[2]) && pt[3] == 1 && pt[4] == 3 &&
              isnan(pt[5]));
    tune_space_to_unit(&s, pt, back);
    cr_assert_eq(back[2], 0.5); /* inactive: the centre */
    cr_assert_eq(back[5], 0.5);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 5);
    size_t with_ratio = 0;
    for (int k = 0; k < 300; k++) {
        tune_space_sample(&s, r, pt);
        for (size_t i = 0; i < 6; i++)
            cr_assert_eq(isnan(pt[i]), !tune_space_active(&s, pt, i));
        with_ratio += !isnan(pt[2]);
    }
    cr_assert(with_ratio > 70 && with_ratio < 130, "l1_ratio in %zu of 300 draws", with_ratio);
    gsl_rng_free(r);
}

Test(space, params_json_leaves_inactive_parameters_out_and_reads_them_back_as_nan)
{
    struct tune_param ps[6];
    struct tune_space s = cond_space(ps);
    double pt[6] = {2, 2, 0.5, 1, 3, NAN}, back[6];
    char *json = tune_space_point_json(&s, pt);
    cr_assert_str_eq(json, "{\"penalty\": \"elasticnet\", \"C\": 2, \"l1_ratio\": 0.5, "
                           "\"solver\": \"b\", \"tol\": 3}");
    cr_assert_eq(tune_space_point_from_json(&s, json, back), 1);
    cr_assert(back[0] == 2 && back[1] == 2 && back[2] == 0.5 && back[3] == 1 && back[4] == 3 &&
              isnan(back[5]));
    free(json);
    /* an active parameter missing: not a point of the space */
    cr_assert_eq(tune_space_point_from_json(&s, "{\"penalty\": \"l2\", \"C\": 1}", back), 0);
    /* stored params may hold an inactive one (an evaluate): ignored */
    cr_assert_eq(tune_space_point_from_json(
                     &s, "{\"penalty\": \"l2\", \"C\": 1, \"alpha\": 2, \"l1_ratio\": 1}", back),
                 1);
    cr_assert(isnan(back[2]) && back[5] == 2);
    /* keys apart from names: two parameters sharing a key, never together */
    ps[2].key = "shared";
    ps[5].key = "shared";
    double l2[6] = {1, 3, NAN, NAN, NAN, 2};
    json = tune_space_point_json(&s, l2);
    cr_assert_str_eq(json, "{\"penalty\": \"l2\", \"C\": 3, \"shared\": 2}");
    cr_assert_eq(tune_space_point_from_json(&s, json, back), 1);
    cr_assert(isnan(back[2]) && back[5] == 2);
    free(json);
}

static void parse_fails(const struct tune_space *s, const char *json, const char *message)
{
    double pt[6];
    struct tune_error err = {0};
    cr_assert_eq(tune_space_point_parse(s, json, pt, &err), TUNE_EINVAL, "%s", json);
    cr_assert_str_eq(err.msg, message);
}

Test(space, a_point_a_person_wrote_is_read_strictly)
{
    struct tune_param ps[6];
    struct tune_space s = cond_space(ps);
    double pt[6];
    struct tune_error err = {0};
    cr_assert_eq(tune_space_point_parse(&s, "{\"C\": 3, \"penalty\": \"l1\", \"solver\": \"a\"}",
                                        pt, &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert(pt[0] == 0 && pt[1] == 3 && pt[3] == 0 && isnan(pt[4]));
    parse_fails(&s, "{\"penalty\": \"l2\", \"C\": 2, \"alpha\": 1, \"l1_ratio\": 0.5}",
                "l1_ratio: only with penalty elasticnet, not l2");
    parse_fails(&s, "{\"penalty\": \"l2\", \"C\": 1, \"alpha\": 2, \"tol\": 1}",
                "tol: only with solver b, which is itself inactive here");
    parse_fails(&s, "{\"penalty\": \"l1\", \"C\": 2, \"solver\": \"a\", \"tool\": 1}",
                "tool: not a parameter of the space");
    parse_fails(&s, "{\"penalty\": \"l2\", \"C\": 2}", "alpha: missing");
    parse_fails(&s, "{\"penalty\": \"l1\", \"C\": 2.5, \"solver\": \"a\"}",
                "C: must be an integer in [1, 4]");
    parse_fails(&s, "{\"penalty\": \"l1\", \"C\": 5, \"solver\": \"a\"}",
                "C: must be an integer in [1, 4]");
    parse_fails(&s, "{\"penalty\": \"elasticnet\", \"C\": 2, \"l1_ratio\": 0.3, "
                    "\"solver\": \"a\"}",
                "l1_ratio: must be a number in [0, 1] on its step");
    parse_fails(&s, "{\"penalty\": \"l3\", \"C\": 2}", "penalty: must be one of: l1, l2, elasticnet");
    parse_fails(&s, "[1, 2]", "must be a JSON object of parameters");
}

Test(space, conditions_must_name_another_choice_parameter_without_a_circle)
{
    struct tune_param ps[6];
    struct tune_space s = cond_space(ps);
    struct tune_error err = {0};
    ps[2].when_param = 1; /* C is an int */
    cr_assert_eq(tune_space_check(&s, &err), TUNE_EINVAL);
    cr_assert_str_eq(err.msg, "space.l1_ratio.when: 'C' is a int parameter; a condition names "
                              "a categorical or bool parameter");
    s = cond_space(ps);
    double three[] = {3};
    ps[2].when_values = three; /* penalty has choices 0..2 */
    cr_assert_eq(tune_space_check(&s, &err), TUNE_EINVAL);
    cr_assert_str_eq(err.msg, "space.l1_ratio.when: value 3 is not a choice of 'penalty'");
    s = cond_space(ps);
    double zero[] = {0};
    ps[0].when_param = 3; /* penalty when solver, solver when penalty */
    ps[0].n_when = 1;
    ps[0].when_values = zero;
    cr_assert_eq(tune_space_check(&s, &err), TUNE_EINVAL);
    cr_assert_str_eq(err.msg, "space.penalty.when: the conditions go round in a circle back to "
                              "'penalty'");
}

static void covers_cond_space_once(const struct tune_searcher_type *type)
{
    struct tune_param ps[6];
    struct tune_space sp = cond_space(ps);
    cr_assert_eq(type->max_points(&sp), 104);
    struct tune_searcher *warm = NULL;
    int seen[104] = {0};
    double pt[6];
    for (size_t seq = 0; seq < 104; seq++) {
        cr_assert_eq(study_point(type, &warm, &sp, 7, seq, pt), TUNE_OK);
        for (size_t i = 0; i < 6; i++)
            cr_assert_eq(isnan(pt[i]), !tune_space_active(&sp, pt, i), "%s seq %zu", type->name,
                         seq);
        size_t idx = tune_space_point_index(&sp, pt);
        cr_assert_eq(seen[idx]++, 0, "%s: seq %zu repeats configuration %zu", type->name, seq,
                     idx);
    }
    cr_assert_eq(study_point(type, &warm, &sp, 7, 104, pt), TUNE_EEXHAUSTED);
    tune_searcher_free(warm);
}

Test(searcher, random_sobol_and_grid_try_each_configuration_of_a_conditional_space_once)
{
    covers_cond_space_once(&tune_searcher_random);
    covers_cond_space_once(&tune_searcher_sobol);
    covers_cond_space_once(&tune_searcher_grid);
}

/* The ends of the unit interval are the bounds as written, on a log scale
 * too (exp(log(0.5)) is 0.49999999999999994). */
Test(space, the_ends_of_the_unit_interval_are_the_bounds_exactly)
{
    struct tune_param p = {0};
    p.name = "learning_rate";
    p.type = TUNE_PARAM_FLOAT;
    p.log = 1;
    const double lows[] = {0.01, 1e-4, 0.03, 3.0517578125e-05};
    const double highs[] = {0.5, 100, 0.3, 8};
    for (size_t i = 0; i < 4; i++) {
        p.low = lows[i];
        p.high = highs[i];
        struct tune_space s = {1, &p};
        double u = 1, v;
        tune_space_from_unit(&s, &u, &v);
        cr_assert_eq(v, highs[i], "%.17g, not %.17g", v, highs[i]);
        u = 0;
        tune_space_from_unit(&s, &u, &v);
        cr_assert_eq(v, lows[i], "%.17g, not %.17g", v, lows[i]);
    }
}
