/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_pareto.c — several objectives and constraints: a trial's metric
 * values, constraint slacks and violations, non-dominated sets, the 2-D
 * hypervolume, and the Pareto set of a stored study (trials written
 * straight into a SQLite store). */
#include "testutil.h"

#include "tunefold/pareto.h"

Test(pareto, a_trials_metric_is_its_mean_or_a_timing)
{
    struct tune_metric_summary m[2] = {{.name = "recall", .mean = 0.8125},
                                       {.name = "roc_auc", .mean = 0.9375}};
    struct tune_trial t = {.fit_seconds = 0.25, .predict_seconds = 0.0625, .n_metrics = 2,
                           .metrics = m};
    cr_assert_eq(tune_trial_metric(&t, "roc_auc"), 0.9375);
    cr_assert_eq(tune_trial_metric(&t, "fit_seconds"), 0.25);
    cr_assert_eq(tune_trial_metric(&t, "predict_seconds"), 0.0625);
    cr_assert(isnan(tune_trial_metric(&t, "f1")));
}

Test(pareto, a_slack_is_the_distance_outside_the_bounds_and_a_violation_adds_them_up)
{
    struct tune_constraint c[3] = {{"fit_seconds", -INFINITY, 0.05},
                                   {"recall", 0.9, INFINITY},
                                   {"precision", 0.5, 0.75}};
    cr_assert_eq(tune_constraint_slack(&c[0], 0.0625), 0.0625 - 0.05);
    cr_assert_eq(tune_constraint_slack(&c[0], 0.03125), 0.03125 - 0.05);
    cr_assert_eq(tune_constraint_slack(&c[1], 0.875), 0.9 - 0.875);
    cr_assert_eq(tune_constraint_slack(&c[2], 0.625), -0.125); /* 0.125 from either bound */
    cr_assert_eq(tune_constraint_slack(&c[2], 0.8125), 0.0625);
    cr_assert(isinf(tune_constraint_slack(&c[1], NAN)));
    double kept[3] = {0.03125, 0.9375, 0.625};
    cr_assert_eq(tune_constraints_violation(c, 3, kept), 0.0);
    /* each relative to its bound: 0.0125 / 0.05 + 0.025 / 0.9 + 0.0625 / 0.75 */
    double broke[3] = {0.0625, 0.875, 0.8125};
    assert_close(tune_constraints_violation(c, 3, broke),
                 (0.0625 - 0.05) / 0.05 + (0.9 - 0.875) / 0.9 + 0.0625 / 0.75, 1e-15);
    double missing[3] = {0.03125, NAN, 0.625};
    cr_assert(isinf(tune_constraints_violation(c, 3, missing)));
}

Test(pareto, the_non_dominated_rows_are_found_and_a_duplicate_counts_once)
{
    /* minimize both: (1,5) (2,3) (3,4)x (4,1) (2,3)dup (5,5)x (NAN,0)x (3,2) */
    double loss[] = {1, 5, 2, 3, 3, 4, 4, 1, 2, 3, 5, 5, NAN, 0, 3, 2};
    size_t idx[8];
    size_t m = tune_pareto_indices(loss, 8, 2, idx);
    cr_assert_eq(m, 4);
    size_t want[4] = {0, 1, 3, 7};
    cr_assert_arr_eq(idx, want, sizeof want);
    /* three columns: (1,1,9) and (9,9,1) are both on it, (2,2,9) is not */
    double three[] = {1, 1, 9, 9, 9, 1, 2, 2, 9};
    cr_assert_eq(tune_pareto_indices(three, 3, 3, idx), 2);
    cr_assert(idx[0] == 0 && idx[1] == 1);
}

Test(pareto, the_2d_hypervolume_adds_the_rectangles_of_the_front)
{
    double ref[2] = {4, 4};
    /* (1,3) (2,2) (3,1) under ref (4,4): 3x1 + 2x1 + 1x1 = 6; a dominated
     * point and one beyond ref change nothing */
    double loss[] = {2, 2, 1, 3, 3, 1, 3, 3, 5, 0};
    cr_assert_eq(tune_hypervolume_2d(loss, 5, ref), 6.0);
    cr_assert_eq(tune_hypervolume_2d(loss, 0, ref), 0.0);
    double one[] = {0.5, 1.5};
    cr_assert_eq(tune_hypervolume_2d(one, 1, ref), 3.5 * 2.5);
}

/* ---- a stored study ---------------------------------------------------------- */

#define MO_CONFIG                                                                       \
    "{\"task\":\"binary\",\"objectives\":[{\"metric\":\"roc_auc\",\"direction\":"       \
    "\"maximize\"},{\"metric\":\"fit_seconds\",\"direction\":\"minimize\"}],"           \
    "\"constraints\":[{\"metric\":\"recall\",\"min\":0.5}]}"

static void add_trial(struct tune_store *st, int64_t id, double auc, double fit, double violation,
                      enum tune_trial_state state)
{
    struct tune_error err = {0};
    int number, seq;
    cr_assert_eq(tune_store_trial_claim(st, id, TUNE_ORIGIN_SEARCH, 100, &number, &seq, &err),
                 TUNE_OK, "%s", err.msg);
    char params[64];
    snprintf(params, sizeof params, "{\"x\": %d}", number);
    cr_assert_eq(tune_store_trial_set_params(st, id, number, params, &err), TUNE_OK);
    struct tune_metric_summary m = {.name = "roc_auc", .mean = auc, .std = NAN};
    struct tune_trial_result res = {.state = state, .value = auc, .value_std = NAN,
                                    .fit_seconds = fit, .predict_seconds = NAN,
                                    .n_metrics = 1, .metrics = &m, .violation = violation,
                                    .error = state == TUNE_TRIAL_FAILED ? "boom" : NULL};
    cr_assert_eq(tune_store_trial_finish(st, id, number, &res, &err), TUNE_OK, "%s", err.msg);
}

Test(pareto, a_stored_studys_set_leaves_out_dominated_violating_and_unfinished_trials)
{
    char *dir = tu_tmpdir(), path[600];
    snprintf(path, sizeof path, "%s/p.db", dir);
    struct tune_store *st = NULL;
    struct tune_error err = {0};
    cr_assert_eq(tune_store_open(path, &st, &err), TUNE_OK, "%s", err.msg);
    struct tune_study_info info;
    int created;
    cr_assert_eq(tune_store_study_create_or_load(st, "mo", MO_CONFIG, "roc_auc", 1, &info,
                                                 &created, &err),
                 TUNE_OK);
    add_trial(st, info.id, 0.9375, 0.5, NAN, TUNE_TRIAL_COMPLETE);   /* 0: on it */
    add_trial(st, info.id, 0.875, 0.125, NAN, TUNE_TRIAL_COMPLETE);  /* 1: on it */
    add_trial(st, info.id, 0.8125, 0.25, NAN, TUNE_TRIAL_COMPLETE);  /* 2: beaten by 1 */
    add_trial(st, info.id, 0.96875, 0.03125, 0.5, TUNE_TRIAL_COMPLETE); /* 3: broke them */
    add_trial(st, info.id, NAN, NAN, NAN, TUNE_TRIAL_FAILED);        /* 4: failed */
    add_trial(st, info.id, 0.75, 0.0625, NAN, TUNE_TRIAL_COMPLETE);  /* 5: on it */
    add_trial(st, info.id, 0.875, 0.125, NAN, TUNE_TRIAL_COMPLETE);  /* 6: the same as 1 */
    struct tune_pareto p;
    cr_assert_eq(tune_study_pareto(st, &info, &p, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(p.n_objectives, 2);
    cr_assert_str_eq(p.objectives[1].metric, "fit_seconds");
    cr_assert_eq(p.objectives[0].maximize, 1);
    cr_assert_eq(p.objectives[1].maximize, 0);
    cr_assert_eq(p.n_constraints, 1);
    cr_assert_eq(p.n_complete, 6);
    cr_assert_eq(p.n_feasible, 5);
    cr_assert_eq(p.n, 3);
    /* best first by roc_auc */
    int want[3] = {0, 1, 5};
    for (size_t i = 0; i < 3; i++)
        cr_assert_eq(p.points[i].number, want[i], "point %zu is trial %d", i,
                     p.points[i].number);
    cr_assert_eq(p.points[1].values[0], 0.875);
    cr_assert_eq(p.points[1].values[1], 0.125);
    cr_assert_str_eq(p.points[2].params_json, "{\"x\": 5}");
    tune_pareto_release(&p);
    /* one objective: its metric and direction from the study */
    struct tune_objective *o;
    size_t n;
    struct tune_study_info one = info;
    one.config_json = "{\"objective\":{\"metric\":\"log_loss\"}}";
    one.metric = "log_loss";
    one.maximize = 0;
    cr_assert_eq(tune_study_objectives(&one, &o, &n, &err), TUNE_OK);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(o[0].metric, "log_loss");
    cr_assert_eq(o[0].maximize, 0);
    tune_objectives_free(o, n);
    tune_study_info_release(&info);
    tune_store_close(st);
    snprintf(path, sizeof path, "rm -rf '%s'", dir);
    cr_assert_eq(system(path), 0);
    free(dir);
}
