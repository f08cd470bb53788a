/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_pruner.c — every pruning strategy's decisions on hand-made histories
 * in a real store, with exact expectations: what stops, what goes on, the
 * reason given, what is published; and the options each strategy refuses.
 * Reference values (the folds strategy's chances, Wilcoxon's p, numpy's
 * percentiles) come from bench/reference/prune_ref.py. */
#include "testutil.h"
#include "tunefold/pruner.h"
#include "tunefold/store.h"
#include "src/seed.h"

TestSuite(pruner, .init = tu_watchdog);

struct hist {
    char *dir;
    struct tune_store *store;
    struct tune_study_info info;
    struct tune_prune_env env;
};

static struct hist hist_new(const char *metric, int maximize)
{
    struct hist h = {0};
    struct tune_error err = {0};
    char path[600];
    int created;
    h.dir = tu_tmpdir();
    snprintf(path, sizeof path, "%s/p.db", h.dir);
    cr_assert_eq(tune_store_open(path, &h.store, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(tune_store_study_create_or_load(h.store, "s", "{}", metric, maximize, &h.info,
                                                 &created, &err),
                 TUNE_OK, "%s", err.msg);
    h.env = (struct tune_prune_env){.store = h.store,
                                    .study_id = h.info.id,
                                    .metric = h.info.metric,
                                    .maximize = maximize,
                                    .values_maximize = 0};
    return h;
}

static void hist_free(struct hist *h)
{
    char cmd[700];
    tune_study_info_release(&h->info);
    tune_store_close(h->store);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", h->dir);
    cr_assert_eq(system(cmd), 0);
    free(h->dir);
}

/* Claim the next trial; returns its number (its seq too, unless a lost
 * trial's seq is being retried; hyperband's test has none). */
static int claim(struct hist *h)
{
    struct tune_error err = {0};
    int number, seq;
    cr_assert_eq(tune_store_trial_claim(h->store, h->info.id, TUNE_ORIGIN_SEARCH, 1000, &number,
                                        &seq, &err),
                 TUNE_OK, "%s", err.msg);
    return number;
}

/* A finished trial with values `v` (fold, step, value triples). */
static int finished(struct hist *h, enum tune_trial_state state, const struct tune_intermediate *v,
                    size_t n)
{
    struct tune_error err = {0};
    int number = claim(h);
    struct tune_trial_result r = {.state = state,
                                  .value = NAN,
                                  .n_intermediate = n,
                                  .intermediate = v,
                                  .error = state == TUNE_TRIAL_COMPLETE ? NULL : "why"};
    cr_assert_eq(tune_store_trial_finish(h->store, h->info.id, number, &r, &err), TUNE_OK, "%s",
                 err.msg);
    return number;
}

/* A complete trial whose only value is `value` at (fold 0, step). */
static int complete_at(struct hist *h, size_t step, double value)
{
    struct tune_intermediate v = {0, step, value};
    return finished(h, TUNE_TRIAL_COMPLETE, &v, 1);
}

static struct tune_pruner *pruner(const struct tune_pruner_type *type, const char *json,
                                  size_t n_folds)
{
    struct tune_prune_options o = {json, n_folds};
    struct tune_pruner *p = NULL;
    struct tune_error err = {0};
    cr_assert_eq(tune_pruner_new(type, &o, &p, &err), TUNE_OK, "%s", err.msg);
    return p;
}

/* Ask at_step about trial `number` with its values so far in `fold`. */
static struct tune_prune_decision at_step(struct tune_pruner *p, struct hist *h, int number,
                                          int fold, const struct tune_intermediate *v, size_t n)
{
    struct tune_prune_trial t = {.number = number, .seq = number, .fold = fold, .values = v,
                                 .n_values = n};
    struct tune_prune_decision d;
    struct tune_error err = {0};
    cr_assert_eq(tune_pruner_at_step(p, &h->env, &t, &d, &err), TUNE_OK, "%s", err.msg);
    return d;
}

static void refused(const struct tune_pruner_type *type, const char *json, size_t n_folds,
                    const char *msg)
{
    struct tune_prune_options o = {json, n_folds};
    struct tune_pruner *p = (void *)&o;
    struct tune_error err = {0};
    cr_assert_eq(tune_pruner_new(type, &o, &p, &err), TUNE_EINVAL, "%s: %s", json, err.msg);
    cr_assert_null(p);
    cr_assert_str_eq(err.msg, msg);
}

/* ---- the registry and the options ------------------------------------------ */

Test(pruner, the_registry_names_every_strategy_and_none_asks_nothing)
{
    static const char *const names[] = {"none", "median", "percentile", "asha", "hyperband",
                                         "folds"};
    for (size_t i = 0; i < 6; i++) {
        cr_assert_not_null(tune_pruner_find(names[i]), "%s", names[i]);
        cr_assert_str_eq(tune_pruner_at(i)->name, names[i]);
    }
    cr_assert_null(tune_pruner_at(6));
    cr_assert_null(tune_pruner_find("wilcoxon"));
    struct tune_pruner *p = pruner(&tune_pruner_none, NULL, 5);
    cr_assert_eq(tune_pruner_active(p), 0);
    cr_assert_eq(tune_pruner_type_of(p), &tune_pruner_none);
    size_t order[3];
    struct tune_error err = {0};
    cr_assert_eq(tune_pruner_fold_order(p, NULL, 3, order, &err), TUNE_OK);
    cr_assert(order[0] == 0 && order[1] == 1 && order[2] == 2);
    tune_pruner_free(p);
    tune_pruner_free(NULL);
    p = pruner(&tune_pruner_median, NULL, 5);
    cr_assert_eq(tune_pruner_active(p), 1);
    tune_pruner_free(p);
}

Test(pruner, each_strategy_checks_its_options_naming_the_key)
{
    refused(&tune_pruner_median, "{\"reduction\": 3}", 5,
            "pruning.reduction: only for the asha and hyperband strategies (strategy is median)");
    refused(&tune_pruner_median, "{\"percentile\": 30}", 5,
            "pruning.percentile: only for the percentile strategy (strategy is median)");
    refused(&tune_pruner_asha, "{\"patience\": 3}", 5,
            "pruning.patience: unknown key (expected one of: strategy, min_steps, reduction, "
            "max_steps, direction)");
    refused(&tune_pruner_none, "{\"min_steps\": 3}", 5,
            "pruning.min_steps: only for the asha and hyperband strategies (strategy is none)");
    refused(&tune_pruner_percentile, "{\"percentile\": 100}", 5,
            "pruning.percentile: must be between 0 and 100 (exclusive), got 100");
    refused(&tune_pruner_median, "{\"startup_trials\": 2.5}", 5,
            "pruning.startup_trials: must be an integer in [0, 1000000000], got 2.5");
    refused(&tune_pruner_median, "{\"direction\": \"up\"}", 5,
            "pruning.direction: must be one of: minimize, maximize (got \"up\")");
    refused(&tune_pruner_asha, "{\"reduction\": 1}", 5,
            "pruning.reduction: must be in [2, 1e+06], got 1");
    refused(&tune_pruner_asha, "{\"min_steps\": 9, \"max_steps\": 9}", 5,
            "pruning.max_steps: must be larger than min_steps (9), got 9");
    refused(&tune_pruner_hyperband, "{\"min_steps\": 1}", 5,
            "pruning.max_steps: required by hyperband (the steps of a full run, e.g. the "
            "boosting rounds)");
    refused(&tune_pruner_folds, "{}", 2,
            "pruning.strategy: folds compares trials fold by fold and needs cross-validation "
            "with at least 3 folds (trials here run 2)");
    refused(&tune_pruner_folds, "{\"min_folds\": 5}", 5,
            "pruning.min_folds: must be less than the 5 folds a trial runs, got 5");
    refused(&tune_pruner_folds, "{\"test\": \"z\"}", 5,
            "pruning.test: must be one of: ttest, wilcoxon (got \"z\")");
    refused(&tune_pruner_folds, "{\"p_threshold\": 1.5}", 5,
            "pruning.p_threshold: must be in [0, 1], got 1.5");
    refused(&tune_pruner_folds, "[1]", 5, "pruning: the folds options must be a JSON object");
}

/* ---- median and percentile ---------------------------------------------------- */

/* Five complete trials at step 3 of fold 0: 0.25, 0.5, 0.375, 0.625, 0.75
 * (median 0.5, 25th percentile 0.375, 75th 0.625); a pruned, a running and
 * a lost trial with values there too, which must not count. */
static void five_complete(struct hist *h)
{
    static const double v[] = {0.25, 0.5, 0.375, 0.625, 0.75};
    for (size_t i = 0; i < 5; i++)
        complete_at(h, 3, v[i]);
    struct tune_intermediate low = {0, 3, 0.0625};
    finished(h, TUNE_TRIAL_PRUNED, &low, 1);
    struct tune_error err = {0};
    int running = claim(h), lost = claim(h);
    cr_assert_eq(tune_store_trial_add_intermediate(h->store, h->info.id, running, &low, 1, &err),
                 TUNE_OK);
    cr_assert_eq(tune_store_trial_add_intermediate(h->store, h->info.id, lost, &low, 1, &err),
                 TUNE_OK);
    cr_assert_eq(tune_store_trial_release(h->store, h->info.id, lost, "interrupted", &err),
                 TUNE_OK);
}

Test(pruner, median_stops_a_trial_whose_best_so_far_is_worse_than_the_median_at_its_step)
{
    struct hist h = hist_new("log_loss", 0);
    five_complete(&h);
    int me = claim(&h);
    struct tune_pruner *p = pruner(&tune_pruner_median, NULL, 3);
    /* best so far 0.5625 (its step-1 value is worse) > median 0.5: stop */
    struct tune_intermediate v[] = {{0, 1, 0.8125}, {0, 3, 0.5625}};
    struct tune_prune_decision d = at_step(p, &h, me, 0, v, 2);
    cr_assert_eq(d.stop, 1);
    cr_assert_eq(d.publish, 0);
    cr_assert_str_eq(d.reason, "step 3 of fold 1: the best value so far, 0.5625, is worse than "
                               "the median 0.5 of the 5 complete trials there");
    /* 0.4375 is better than the median; and exactly the median goes on */
    v[1].value = 0.4375;
    cr_assert_eq(at_step(p, &h, me, 0, v, 2).stop, 0);
    v[1].value = 0.5;
    cr_assert_eq(at_step(p, &h, me, 0, v, 2).stop, 0);
    /* another fold, or a step past every complete trial: nobody to compare with */
    v[1].value = 5;
    cr_assert_eq(at_step(p, &h, me, 1, v, 2).stop, 0);
    struct tune_intermediate late[] = {{0, 9, 5}};
    cr_assert_eq(at_step(p, &h, me, 0, late, 1).stop, 0);
    /* an earlier step is compared with the complete trials' first value past it */
    struct tune_intermediate early[] = {{0, 2, 0.6875}};
    cr_assert_eq(at_step(p, &h, me, 0, early, 1).stop, 1);
    /* values that are all non-finite stop at once */
    struct tune_intermediate bad[] = {{0, 1, NAN}};
    d = at_step(p, &h, me, 0, bad, 1);
    cr_assert_eq(d.stop, 1);
    cr_assert_str_eq(d.reason, "step 1 of fold 1: no finite value so far");
    tune_pruner_free(p);
    hist_free(&h);
}

Test(pruner, median_waits_for_startup_trials_and_warmup_and_judges_once_per_interval)
{
    struct hist h = hist_new("log_loss", 0);
    five_complete(&h);
    int me = claim(&h);
    struct tune_intermediate v[] = {{0, 2, 0.8125}, {0, 3, 0.5625}};
    struct tune_pruner *p = pruner(&tune_pruner_median, "{\"startup_trials\": 6}", 3);
    cr_assert_eq(at_step(p, &h, me, 0, v, 2).stop, 0, "5 complete trials < 6");
    tune_pruner_free(p);
    p = pruner(&tune_pruner_median, "{\"startup_trials\": 5, \"warmup_steps\": 4}", 3);
    cr_assert_eq(at_step(p, &h, me, 0, v, 2).stop, 0, "step 3 is in the warm-up");
    tune_pruner_free(p);
    /* interval 2 from warm-up 0: windows [0, 2), [2, 4) ...; step 3 shares
     * its window with the step-2 report already judged */
    p = pruner(&tune_pruner_median, "{\"interval_steps\": 2}", 3);
    cr_assert_eq(at_step(p, &h, me, 0, v, 2).stop, 0);
    cr_assert_eq(at_step(p, &h, me, 0, v + 1, 1).stop, 1, "step 3 first in its window");
    tune_pruner_free(p);
    hist_free(&h);
}

Test(pruner, percentile_keeps_only_the_best_share_in_either_direction)
{
    struct hist h = hist_new("log_loss", 0);
    five_complete(&h);
    int me = claim(&h);
    struct tune_pruner *p = pruner(&tune_pruner_percentile, NULL, 3);
    /* 25th percentile 0.375: 0.4375 is worse (median would keep it) */
    struct tune_intermediate v[] = {{0, 3, 0.4375}};
    struct tune_prune_decision d = at_step(p, &h, me, 0, v, 1);
    cr_assert_eq(d.stop, 1);
    cr_assert_str_eq(d.reason, "step 3 of fold 1: the best value so far, 0.4375, is worse than "
                               "0.375, the cut of the best 25% of the 5 complete trials there");
    v[0].value = 0.375;
    cr_assert_eq(at_step(p, &h, me, 0, v, 1).stop, 0);
    tune_pruner_free(p);
    /* larger is better ("direction"): the best 25% from the top, above 0.625 */
    p = pruner(&tune_pruner_percentile, "{\"direction\": \"maximize\"}", 3);
    v[0].value = 0.6;
    d = at_step(p, &h, me, 0, v, 1);
    cr_assert_eq(d.stop, 1);
    cr_assert_str_eq(d.reason, "step 3 of fold 1: the best value so far, 0.6, is worse than "
                               "0.625, the cut of the best 25% of the 5 complete trials there");
    v[0].value = 0.625;
    cr_assert_eq(at_step(p, &h, me, 0, v, 1).stop, 0);
    tune_pruner_free(p);
    /* the environment's direction is the default: a program maximizing */
    h.env.values_maximize = 1;
    p = pruner(&tune_pruner_median, NULL, 3);
    v[0].value = 0.4375;
    cr_assert_eq(at_step(p, &h, me, 0, v, 1).stop, 1, "0.4375 < median 0.5 when maximizing");
    tune_pruner_free(p);
    hist_free(&h);
}

/* ---- asha ---------------------------------------------------------------------- */

Test(pruner, asha_promotes_the_top_third_of_a_rung_and_publishes_it)
{
    struct hist h = hist_new("log_loss", 0);
    struct tune_pruner *p = pruner(&tune_pruner_asha, NULL, 0);
    /* the first trial at a rung is promoted: it is the best of one */
    int first = claim(&h);
    struct tune_intermediate v[] = {{-1, 1, 0.5}};
    struct tune_prune_decision d = at_step(p, &h, first, -1, v, 1);
    cr_assert_eq(d.stop, 0);
    cr_assert_eq(d.publish, 1, "a promoted trial's rung value is for the others");
    struct tune_intermediate two[] = {{-1, 1, 0.5}, {-1, 2, 0.4}};
    cr_assert_eq(at_step(p, &h, first, -1, two, 2).publish, 0, "step 2 is no rung");
    /* rung 1 holds 0.2, 0.4, 0.6, 0.8, 1 (complete, pruned, failed and running
     * trials alike; a lost one does not count) */
    struct tune_error err = {0};
    static const double at1[] = {0.2, 0.4, 0.6, 0.8};
    static const enum tune_trial_state st[] = {TUNE_TRIAL_COMPLETE, TUNE_TRIAL_PRUNED,
                                               TUNE_TRIAL_FAILED, TUNE_TRIAL_COMPLETE};
    for (size_t i = 0; i < 4; i++) {
        struct tune_intermediate x = {-1, 1, at1[i]};
        finished(&h, st[i], &x, 1);
    }
    int running = claim(&h), lost = claim(&h);
    struct tune_intermediate one = {-1, 1, 1.0}, tiny = {-1, 1, 0.001};
    cr_assert_eq(tune_store_trial_add_intermediate(h.store, h.info.id, running, &one, 1, &err),
                 TUNE_OK);
    cr_assert_eq(tune_store_trial_add_intermediate(h.store, h.info.id, lost, &tiny, 1, &err),
                 TUNE_OK);
    cr_assert_eq(tune_store_trial_release(h.store, h.info.id, lost, "gone", &err), TUNE_OK);
    cr_assert_eq(tune_store_trial_abandon(h.store, h.info.id, first, &err), TUNE_OK);
    /* 0.5 among 0.2 0.4 0.6 0.8 1: 6 compete, the best 2 go on, the cut is 0.4 */
    int me = claim(&h);
    d = at_step(p, &h, me, -1, v, 1);
    cr_assert_eq(d.stop, 1);
    cr_assert_str_eq(d.reason, "rung 1 (step 1): 0.5 is not among the best 2 of the 6 trials "
                               "there (1/3 of them; the cut: 0.4)");
    v[0].value = 0.4;
    d = at_step(p, &h, me, -1, v, 1);
    cr_assert_eq(d.stop, 0);
    cr_assert_eq(d.publish, 1);
    /* a report past rungs 3 and 9 at once is judged at both with its value;
     * rung 3 holds 0.3 (and rung 9 nothing else) */
    complete_at(&h, 3, 0.3);
    struct tune_intermediate jump[] = {{-1, 1, 0.25}, {-1, 9, 0.35}};
    /* fold -1 vs the fold-0 values of complete_at: nobody at rung 3 in fold -1 */
    cr_assert_eq(at_step(p, &h, me, -1, jump, 2).stop, 0);
    struct tune_intermediate jump0[] = {{0, 1, 0.25}, {0, 9, 0.35}};
    d = at_step(p, &h, me, 0, jump0, 2);
    cr_assert_eq(d.stop, 1, "0.35 loses to 0.3 at rung 3 of fold 0");
    cr_assert_str_eq(d.reason, "rung 3 (step 9 of fold 1): 0.35 is not among the best 1 of the "
                               "2 trials there (1/3 of them; the cut: 0.3)");
    tune_pruner_free(p);
    /* max_steps 9: rung 9 is a full run, never judged; rung 3 still is */
    p = pruner(&tune_pruner_asha, "{\"min_steps\": 3, \"max_steps\": 9}", 0);
    struct tune_intermediate full[] = {{0, 9, 0.35}};
    d = at_step(p, &h, me, 0, full, 1);
    cr_assert_str_eq(d.reason, "rung 3 (step 9 of fold 1): 0.35 is not among the best 1 of the "
                               "2 trials there (1/3 of them; the cut: 0.3)");
    struct tune_intermediate prev3[] = {{0, 3, 0.25}, {0, 9, 0.35}};
    cr_assert_eq(at_step(p, &h, me, 0, prev3, 2).stop, 0, "rung 3 was judged at step 3");
    tune_pruner_free(p);
    hist_free(&h);
}

Test(pruner, asha_with_a_fractional_reduction_rounds_its_rungs_up)
{
    struct hist h = hist_new("log_loss", 0);
    struct tune_pruner *p = pruner(&tune_pruner_asha, "{\"min_steps\": 2, \"reduction\": 3.5}", 0);
    /* rungs 2, 7 (2 x 3.5), 25 (24.5 up), 86 (85.75 up) */
    static const double at7[] = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6};
    for (size_t i = 0; i < 6; i++)
        complete_at(&h, 7, at7[i]);
    int me = claim(&h);
    /* 7 compete at rung 7: the best floor(7 / 3.5) = 2 go on, the cut is 0.2 */
    struct tune_intermediate x[] = {{0, 2, 0.05}, {0, 7, 0.25}};
    struct tune_prune_decision d = at_step(p, &h, me, 0, x, 2);
    cr_assert_eq(d.stop, 1);
    cr_assert_str_eq(d.reason, "rung 7 (step 7 of fold 1): 0.25 is not among the best 2 of the "
                               "7 trials there (1/3.5 of them; the cut: 0.2)");
    x[1].value = 0.2;
    d = at_step(p, &h, me, 0, x, 2);
    cr_assert_eq(d.stop, 0);
    cr_assert_eq(d.publish, 1);
    /* steps 8 to 24 hold no rung; 25 does */
    complete_at(&h, 25, 0.1);
    struct tune_intermediate late[] = {{0, 7, 0.2}, {0, 24, 0.9}};
    d = at_step(p, &h, me, 0, late, 2);
    cr_assert_eq(d.stop, 0);
    cr_assert_eq(d.publish, 0, "step 24 is no rung");
    struct tune_intermediate at25[] = {{0, 24, 0.9}, {0, 25, 0.9}};
    d = at_step(p, &h, me, 0, at25, 2);
    cr_assert_eq(d.stop, 1);
    cr_assert_str_eq(d.reason, "rung 25 (step 25 of fold 1): 0.9 is not among the best 1 of the "
                               "2 trials there (1/3.5 of them; the cut: 0.1)");
    tune_pruner_free(p);
    hist_free(&h);
}

/* ---- hyperband ------------------------------------------------------------------- */

/* pruners/hyperband.c's bracket of seq for min 1, max 81, eta 3: 5 brackets
 * of 81, 34, 15, 8 and 5 trials in every 143. */
static size_t bracket(int seq)
{
    static const size_t budget[5] = {81, 34, 15, 8, 5};
    uint64_t x = tune_mix64((uint64_t)(int64_t)seq ^ 0x4879706572ull) % 143;
    size_t b = 0;
    while (x >= budget[b])
        x -= budget[b++];
    return b;
}

Test(pruner, hyperband_judges_each_trial_in_its_own_bracket_from_its_seq)
{
    struct hist h = hist_new("log_loss", 0);
    struct tune_pruner *p = pruner(&tune_pruner_hyperband, "{\"max_steps\": 81}", 0);
    /* 60 trials: each reported 0.5 at step 1 and 0.25 at step 9 */
    static const struct tune_intermediate v[] = {{-1, 1, 0.5}, {-1, 9, 0.25}};
    size_t count[5] = {0};
    for (int i = 0; i < 60; i++) {
        finished(&h, TUNE_TRIAL_COMPLETE, v, 2);
        count[bracket(i)]++;
    }
    cr_assert(count[0] > 20 && count[4] > 0, "the brackets are shared out by size");
    int b0 = -1, b1 = -1, b4 = -1;
    for (int seq = 60; seq < 400 && (b0 < 0 || b1 < 0 || b4 < 0); seq++) {
        int me = claim(&h);
        size_t b = bracket(me);
        if (b == 0 && b0 < 0)
            b0 = me;
        if (b == 1 && b1 < 0)
            b1 = me;
        if (b == 4 && b4 < 0)
            b4 = me;
    }
    cr_assert(b0 >= 0 && b1 >= 0 && b4 >= 0);
    /* bracket 0 halves from step 1: 0.75 is worse than everyone there */
    struct tune_intermediate mine[] = {{-1, 1, 0.75}};
    struct tune_prune_decision d = at_step(p, &h, b0, -1, mine, 1);
    cr_assert_eq(d.stop, 1);
    char want[256];
    snprintf(want, sizeof want,
             "rung 1 (step 1), bracket 0 of 5: 0.75 is not among the best %zu of the %zu "
             "trials there (1/3 of them; the cut: 0.5)",
             (count[0] + 1) / 3, count[0] + 1);
    cr_assert_str_eq(d.reason, want);
    /* bracket 1's first rung is step 3: nothing judged at step 1 */
    cr_assert_eq(at_step(p, &h, b1, -1, mine, 1).stop, 0);
    struct tune_intermediate at9[] = {{-1, 1, 0.75}, {-1, 9, 0.3}};
    d = at_step(p, &h, b1, -1, at9, 2);
    cr_assert_eq(d.stop, 1);
    snprintf(want, sizeof want,
             "rung 3 (step 9), bracket 1 of 5: 0.3 is not among the best %zu of the %zu "
             "trials there (1/3 of them; the cut: 0.25)",
             (count[1] + 1) / 3 ? (count[1] + 1) / 3 : 1, count[1] + 1);
    cr_assert_str_eq(d.reason, want);
    /* bracket 4 runs in full: its only rung, 81, is the full run */
    struct tune_intermediate awful[] = {{-1, 1, 9}, {-1, 9, 9}, {-1, 80, 9}};
    cr_assert_eq(at_step(p, &h, b4, -1, awful, 3).stop, 0);
    tune_pruner_free(p);
    hist_free(&h);
}

/* ---- folds ------------------------------------------------------------------------ */

/* A complete trial with roc_auc `scores` on 5 folds. */
static int complete_scores(struct hist *h, const double *scores, double mean)
{
    struct tune_error err = {0};
    int number = claim(h);
    struct tune_metric_summary m = {.name = "roc_auc", .mean = mean, .std = 0, .n_folds = 5,
                                    .folds = (double *)scores};
    struct tune_trial_result r = {.state = TUNE_TRIAL_COMPLETE, .value = mean,
                                  .n_metrics = 1, .metrics = &m};
    cr_assert_eq(tune_store_trial_finish(h->store, h->info.id, number, &r, &err), TUNE_OK, "%s",
                 err.msg);
    return number;
}

static struct tune_prune_decision at_fold(struct tune_pruner *p, struct hist *h, int number,
                                          const size_t *folds, const double *scores, size_t n)
{
    struct tune_prune_trial t = {.number = number, .seq = number, .fold = (int)folds[n - 1],
                                 .n_folds = 5, .n_run = n, .folds = folds, .scores = scores,
                                 .test_train_ratio = 0.25};
    struct tune_prune_decision d;
    struct tune_error err = {0};
    cr_assert_eq(tune_pruner_at_fold(p, &h->env, &t, &d, &err), TUNE_OK, "%s", err.msg);
    return d;
}

Test(pruner, folds_runs_the_best_trials_hardest_folds_first)
{
    struct hist h = hist_new("roc_auc", 1);
    struct tune_pruner *p = pruner(&tune_pruner_folds, NULL, 5);
    size_t order[5];
    struct tune_error err = {0};
    /* no complete trial: the natural order */
    cr_assert_eq(tune_pruner_fold_order(p, &h.env, 5, order, &err), TUNE_OK);
    for (size_t f = 0; f < 5; f++)
        cr_assert_eq(order[f], f);
    static const double worse[] = {0.5, 0.5, 0.5, 0.5, 0.5};
    static const double best[] = {0.9, 0.95, 0.85, 0.9, 0.92};
    complete_scores(&h, worse, 0.5);
    complete_scores(&h, best, 0.904);
    cr_assert_eq(tune_pruner_fold_order(p, &h.env, 5, order, &err), TUNE_OK);
    static const size_t want[] = {2, 0, 3, 4, 1}; /* ascending, ties by fold */
    for (size_t f = 0; f < 5; f++)
        cr_assert_eq(order[f], want[f], "position %zu: %zu", f, order[f]);
    tune_pruner_free(p);
    /* "order": "natural" keeps 0, 1, 2 ... */
    p = pruner(&tune_pruner_folds, "{\"order\": \"natural\"}", 5);
    cr_assert_eq(tune_pruner_fold_order(p, &h.env, 5, order, &err), TUNE_OK);
    cr_assert_eq(order[0], 0);
    tune_pruner_free(p);
    hist_free(&h);
    /* a loss (minimized): the largest first */
    h = hist_new("log_loss", 0);
    p = pruner(&tune_pruner_folds, NULL, 5);
    static const double loss[] = {0.3, 0.1, 0.4, 0.2, 0.3};
    struct tune_metric_summary m = {.name = "log_loss", .n_folds = 5, .folds = (double *)loss};
    struct tune_trial_result r = {.state = TUNE_TRIAL_COMPLETE, .value = 0.26, .n_metrics = 1,
                                  .metrics = &m};
    int n = claim(&h);
    cr_assert_eq(tune_store_trial_finish(h.store, h.info.id, n, &r, &err), TUNE_OK);
    cr_assert_eq(tune_pruner_fold_order(p, &h.env, 5, order, &err), TUNE_OK);
    static const size_t want_loss[] = {2, 0, 4, 3, 1};
    for (size_t f = 0; f < 5; f++)
        cr_assert_eq(order[f], want_loss[f]);
    tune_pruner_free(p);
    hist_free(&h);
}

Test(pruner, folds_ttest_stops_a_trial_that_cannot_catch_the_best_on_the_same_folds)
{
    struct hist h = hist_new("roc_auc", 1);
    static const double best[] = {0.9, 0.95, 0.85, 0.9, 0.92};
    int b = complete_scores(&h, best, 0.904);
    int me = claim(&h);
    static const size_t folds[] = {2, 0, 3};
    static const double trial[] = {0.8125, 0.875, 0.8625};
    /* prune_ref.py: chance of ending ahead 0.0557 after 2 folds, 0.00401 after 3 */
    struct tune_pruner *p = pruner(&tune_pruner_folds, "{\"p_threshold\": 0.05}", 5);
    cr_assert_eq(at_fold(p, &h, me, folds, trial, 1).stop, 0, "one fold: the guard");
    cr_assert_eq(at_fold(p, &h, me, folds, trial, 2).stop, 0, "0.0557 >= 0.05");
    struct tune_prune_decision d = at_fold(p, &h, me, folds, trial, 3);
    cr_assert_eq(d.stop, 1);
    char want[256];
    snprintf(want, sizeof want,
             "after 3 of 5 folds: the chance that it ends ahead of trial %d (roc_auc 0.904) is "
             "0.00401, below 0.05 (corrected t-test)",
             b);
    cr_assert_str_eq(d.reason, want);
    tune_pruner_free(p);
    p = pruner(&tune_pruner_folds, "{\"p_threshold\": 0.06}", 5);
    cr_assert_eq(at_fold(p, &h, me, folds, trial, 2).stop, 1, "0.0557 < 0.06");
    tune_pruner_free(p);
    /* the guard: min_folds 3 */
    p = pruner(&tune_pruner_folds, "{\"p_threshold\": 0.06, \"min_folds\": 3}", 5);
    cr_assert_eq(at_fold(p, &h, me, folds, trial, 2).stop, 0);
    tune_pruner_free(p);
    /* a close trial (chance 0.230) goes on; with margin 0.01 it must beat the
     * best by 0.01, a chance of 0.0563 */
    static const double close[] = {0.84, 0.91, 0.885};
    p = pruner(&tune_pruner_folds, NULL, 5);
    cr_assert_eq(at_fold(p, &h, me, folds, close, 3).stop, 0);
    tune_pruner_free(p);
    p = pruner(&tune_pruner_folds, "{\"margin\": 0.01}", 5);
    d = at_fold(p, &h, me, folds, close, 3);
    cr_assert_eq(d.stop, 1);
    cr_assert(strstr(d.reason, "is 0.0563, below 0.1"), "%s", d.reason);
    cr_assert(strstr(d.reason, "by the margin"), "%s", d.reason);
    /* the last fold is never judged: the trial is complete */
    static const size_t all[] = {2, 0, 3, 4, 1};
    static const double low[] = {0.1, 0.1, 0.1, 0.1, 0.1};
    cr_assert_eq(at_fold(p, &h, me, all, low, 5).stop, 0);
    tune_pruner_free(p);
    hist_free(&h);
}

Test(pruner, folds_wilcoxon_needs_four_worse_folds_at_p_one_tenth)
{
    struct hist h = hist_new("roc_auc", 1);
    static const double best[] = {0.9, 0.95, 0.85, 0.9, 0.92};
    complete_scores(&h, best, 0.904);
    int me = claim(&h);
    struct tune_pruner *p = pruner(&tune_pruner_folds, "{\"test\": \"wilcoxon\"}", 5);
    static const size_t folds[] = {0, 1, 2, 3};
    /* differences -0.01, -0.03, -0.02, -0.04: one-sided p 0.125 after 3
     * folds, 0.0625 after 4 (prune_ref.py) */
    static const double trial[] = {0.89, 0.92, 0.83, 0.86};
    cr_assert_eq(at_fold(p, &h, me, folds, trial, 3).stop, 0);
    struct tune_prune_decision d = at_fold(p, &h, me, folds, trial, 4);
    cr_assert_eq(d.stop, 1);
    cr_assert(strstr(d.reason, "Wilcoxon p = 0.0625 below 0.1"), "%s", d.reason);
    /* better on every fold: never */
    static const double better[] = {0.95, 0.99, 0.9, 0.95};
    cr_assert_eq(at_fold(p, &h, me, folds, better, 4).stop, 0);
    tune_pruner_free(p);
    hist_free(&h);
}

Test(pruner, folds_without_a_complete_trial_to_compare_with_goes_on)
{
    struct hist h = hist_new("roc_auc", 1);
    struct tune_pruner *p = pruner(&tune_pruner_folds, NULL, 5);
    int me = claim(&h);
    static const size_t folds[] = {0, 1, 2};
    static const double zero[] = {0, 0, 0};
    cr_assert_eq(at_fold(p, &h, me, folds, zero, 3).stop, 0);
    /* and a step question is no business of the folds strategy */
    struct tune_intermediate v[] = {{0, 1, 9}};
    cr_assert_eq(at_step(p, &h, me, 0, v, 1).stop, 0);
    tune_pruner_free(p);
    hist_free(&h);
}
