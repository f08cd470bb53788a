/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_study_search.c — what a study does with the search keys: several
 * trainers (each trial resolved to its trainer and its active
 * parameters), enqueued points, constraints judged and stored, objectives
 * read for the history, and warm-start studies' trials handed to the
 * searcher as prior observations.  Real trainers on breast_cancer, 3 folds. */
#include "testutil.h"

#include "tunefold/config.h"
#include "tunefold/pareto.h"
#include "tunefold/study.h"

TestSuite(study_search, .init = tu_watchdog);

/* The study file `body` (single quotes for double) with the data path
 * filled in, parsed; the store is a fresh SQLite file beside it. */
struct setup {
    char *dir;
    struct tune_store *store;
};

static struct tune_study_config *config(const char *body)
{
    char cwd[512], text[8192];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    snprintf(text, sizeof text,
             "{'data': {'path': '%s/data/breast_cancer.csv', 'target': 'target'}, "
             "'task': 'binary', 'preprocess': {'scale': 'standard'}, 'cv': {'folds': 3}, %s}",
             cwd, body);
    for (char *p = text; *p; p++)
        if (*p == '\'')
            *p = '"';
    struct tune_study_config *c = NULL;
    struct tune_error err = {0};
    cr_assert_eq(tune_config_parse("study.json", text, &c, &err), TUNE_OK, "%s\n%s", err.msg,
                 text);
    return c;
}

static struct setup setup_new(void)
{
    struct setup su = {tu_tmpdir(), NULL};
    char path[600];
    struct tune_error err = {0};
    snprintf(path, sizeof path, "%s/s.db", su.dir);
    cr_assert_eq(tune_store_open(path, &su.store, &err), TUNE_OK, "%s", err.msg);
    return su;
}

static void setup_free(struct setup *su)
{
    tune_store_close(su->store);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", su->dir);
    cr_assert_eq(system(cmd), 0);
    free(su->dir);
}

static struct tune_study *open_study(const struct tune_study_config *c, struct tune_store *st)
{
    struct tune_study *s = NULL;
    struct tune_error err = {0};
    cr_assert_eq(tune_study_open(c, st, &s, &err), TUNE_OK, "%s", err.msg);
    return s;
}

/* Run the study to its end (budget or exhaustion). */
static void run_all(struct tune_study *s)
{
    struct tune_run_options o;
    struct tune_run_result r;
    struct tune_error err = {0};
    tune_run_options_init(&o, s);
    cr_assert_eq(tune_study_run(s, &o, &r, &err), TUNE_OK, "%s", err.msg);
}

static void trials_of(struct tune_store *st, const struct tune_study *s, struct tune_trial **t,
                      size_t *n)
{
    struct tune_error err = {0};
    cr_assert_eq(tune_store_trial_page(st, tune_study_get_info(s)->id, 0, 1000, 1, t, n, &err),
                 TUNE_OK, "%s", err.msg);
}

/* ---- several trainers ---------------------------------------------------------- */

#define CASH_GRID                                                                        \
    "'name': 'cash-grid', 'search': {'strategy': 'grid'}, 'trainers': {"                 \
    "'logistic': {'params': {'max_iter': 200}, 'space': {"                               \
    "  'penalty': {'type': 'categorical', 'values': ['l1', 'l2']}}}, "                   \
    "'knn': {'space': {"                                                                 \
    "  'weights': {'type': 'categorical', 'values': ['uniform', 'distance']}, "          \
    "  'n_neighbors': {'type': 'int', 'low': 3, 'high': 4, 'when': {'weights': 'distance'}}}}}"

Test(study_search, a_grid_over_several_trainers_runs_each_configuration_with_its_trainer)
{
    struct setup su = setup_new();
    struct tune_study_config *c = config(CASH_GRID);
    struct tune_study *s = open_study(c, su.store);
    cr_assert_eq(tune_study_budget(s, 0), 5);
    run_all(s);
    struct tune_trial *t;
    size_t n;
    trials_of(su.store, s, &t, &n);
    const char *want[5] = {
        "{\"trainer\": \"logistic\", \"penalty\": \"l1\"}",
        "{\"trainer\": \"logistic\", \"penalty\": \"l2\"}",
        "{\"trainer\": \"knn\", \"weights\": \"uniform\"}",
        "{\"trainer\": \"knn\", \"weights\": \"distance\", \"n_neighbors\": 3}",
        "{\"trainer\": \"knn\", \"weights\": \"distance\", \"n_neighbors\": 4}",
    };
    cr_assert_eq(n, 5);
    for (size_t i = 0; i < 5; i++) {
        cr_assert_eq(t[i].state, TUNE_TRIAL_COMPLETE, "trial %zu: %s", i, t[i].error);
        cr_assert_str_eq(t[i].params_json, want[i]);
    }
    /* trial 2 ran knn with its default n_neighbors: an evaluate of the same
     * configuration in a study of knn alone scores it the same, bit for bit */
    struct tune_study_config *k = config(
        "'name': 'knn-alone', 'trainer': {'name': 'knn'}, 'space': {}");
    struct tune_study *ks = open_study(k, su.store);
    struct tune_step step;
    struct tune_cv_result cv;
    struct tune_error err = {0};
    cr_assert_eq(tune_study_evaluate(ks, "{\"weights\": \"uniform\"}", &step, &cv, &err), TUNE_OK,
                 "%s", err.msg);
    cr_assert_eq(step.value, t[2].value);
    tune_cv_result_release(&cv);
    /* and an evaluate in the study of several names its trainer */
    cr_assert_eq(tune_study_evaluate(s, "{\"trainer\": \"logistic\", \"penalty\": \"l1\"}", &step,
                                     &cv, &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_str_eq(step.params_json, want[0]);
    cr_assert_eq(step.value, t[0].value);
    tune_cv_result_release(&cv);
    cr_assert_eq(tune_study_evaluate(s, "{\"penalty\": \"l1\"}", &step, &cv, &err), TUNE_EINVAL);
    cr_assert(strstr(err.msg, "--params.trainer: missing"), "%s", err.msg);
    tune_trials_free(t, n);
    tune_study_close(ks);
    tune_config_free(k);
    tune_study_close(s);
    tune_config_free(c);
    setup_free(&su);
}

/* ---- enqueued points ---------------------------------------------------------- */

#define LOG_SPACE                                                                       \
    "'trainer': {'name': 'logistic'}, 'space': {"                                      \
    "'C': {'type': 'float', 'low': 0.001, 'high': 100, 'scale': 'log'}, "              \
    "'penalty': {'type': 'categorical', 'values': ['l1', 'l2']}}"

Test(study_search, enqueued_points_run_first_then_the_strategy_from_its_first_point)
{
    struct setup su = setup_new();
    struct tune_study_config *plain = config(
        "'name': 'plain', " LOG_SPACE ", 'search': {'strategy': 'random', 'trials': 2, 'seed': 5}");
    struct tune_study_config *queued = config(
        "'name': 'queued', " LOG_SPACE ", 'search': {'strategy': 'random', 'trials': 4, "
        "'seed': 5, 'enqueue': [{'C': 2.5, 'penalty': 'l2'}, {'C': 0.0625, 'penalty': 'l1'}]}");
    struct tune_study *p = open_study(plain, su.store), *q = open_study(queued, su.store);
    run_all(p);
    run_all(q);
    struct tune_trial *tp, *tq;
    size_t np, nq;
    trials_of(su.store, p, &tp, &np);
    trials_of(su.store, q, &tq, &nq);
    cr_assert_eq(np, 2);
    cr_assert_eq(nq, 4);
    cr_assert_str_eq(tq[0].params_json, "{\"C\": 2.5, \"penalty\": \"l2\"}");
    cr_assert_str_eq(tq[1].params_json, "{\"C\": 0.0625, \"penalty\": \"l1\"}");
    cr_assert_str_eq(tq[2].params_json, tp[0].params_json);
    cr_assert_str_eq(tq[3].params_json, tp[1].params_json);
    tune_trials_free(tp, np);
    tune_trials_free(tq, nq);
    tune_study_close(p);
    tune_study_close(q);
    tune_config_free(plain);
    tune_config_free(queued);
    setup_free(&su);
}

/* ---- constraints ------------------------------------------------------------- */

/* A grid of C; precision of the positive (benign) class at least 0.96.  A
 * tiny C predicts nearly every row benign (precision about 0.63). */
#define CONSTRAINED                                                                      \
    "'name': 'constrained', 'trainer': {'name': 'logistic'}, 'space': {"                 \
    "'C': {'type': 'float', 'low': 0.0001, 'high': 100, 'scale': 'log', "                \
    "'grid_points': 7}}, 'search': {'strategy': 'grid'}, "                               \
    "'constraints': [{'metric': 'precision', 'min': 0.96}]"

Test(study_search, a_trial_that_breaks_a_constraint_is_stored_with_its_values_and_is_never_best)
{
    struct setup su = setup_new();
    struct tune_study_config *c = config(CONSTRAINED);
    struct tune_study *s = open_study(c, su.store);
    run_all(s);
    struct tune_trial *t;
    size_t n;
    trials_of(su.store, s, &t, &n);
    cr_assert_eq(n, 7);
    size_t broke = 0, kept = 0;
    int best = -1;
    for (size_t i = 0; i < n; i++) {
        double prec = tune_trial_metric(&t[i], "precision");
        cr_assert_eq(t[i].state, TUNE_TRIAL_COMPLETE);
        cr_assert(!isnan(t[i].value));
        if (prec < 0.96) {
            /* relative to the bound */
            assert_close(t[i].violation, (0.96 - prec) / 0.96, 1e-15);
            broke++;
        } else {
            cr_assert(isnan(t[i].violation), "trial %zu: %g", i, t[i].violation);
            kept++;
            if (best < 0 || t[i].value > t[best].value)
                best = (int)i;
        }
    }
    cr_assert(broke >= 1 && kept >= 1, "%zu broke, %zu kept", broke, kept);
    /* the tiny C of trial 0 ranks rows well (AUC) but breaks the constraint */
    cr_assert(t[0].violation > 0);
    struct tune_trial b;
    struct tune_error err = {0};
    cr_assert_eq(tune_store_trial_best(su.store, tune_study_get_info(s)->id, &b, &err), TUNE_OK);
    cr_assert_eq(b.number, best);
    tune_trial_release(&b);
    struct tune_progress pr;
    cr_assert_eq(tune_study_progress(s, &pr, &err), TUNE_OK);
    cr_assert_eq(pr.best_number, best);
    /* the out-of-fold predictions were kept for the best, not for a
     * violating trial that scored higher */
    void *blob = NULL;
    size_t len = 0;
    cr_assert_eq(tune_store_artifact_load(su.store, tune_study_get_info(s)->id, best, "oof.csv",
                                          &blob, &len, &err),
                 TUNE_OK);
    free(blob);
    blob = NULL;
    cr_assert_eq(tune_store_artifact_load(su.store, tune_study_get_info(s)->id, 0, "oof.csv",
                                          &blob, &len, &err),
                 TUNE_ENOTFOUND, "trial 0 broke the constraint: never a new best");
    tune_trials_free(t, n);
    tune_study_close(s);
    tune_config_free(c);
    setup_free(&su);
}

Test(study_search, a_told_trial_is_judged_on_its_told_metrics)
{
    struct setup su = setup_new();
    char text[] = "{\"name\": \"told\", \"space\": {\"x\": {\"type\": \"float\", \"low\": 0, "
                  "\"high\": 1}}, \"objectives\": [{\"metric\": \"loss\", \"direction\": "
                  "\"minimize\"}, {\"metric\": \"latency\", \"direction\": \"minimize\"}], "
                  "\"constraints\": [{\"metric\": \"memory\", \"max\": 64}]}";
    struct tune_study_config *c = NULL;
    struct tune_error err = {0};
    cr_assert_eq(tune_config_parse("told.json", text, &c, &err), TUNE_OK, "%s", err.msg);
    struct tune_study *s = open_study(c, su.store);
    const char *names[2] = {"latency", "memory"};
    double over[2] = {0.25, 80}, under[2] = {0.5, 32};
    int number;
    const char *params;
    for (int k = 0; k < 2; k++) {
        cr_assert_eq(tune_study_ask(s, 0, 0, &number, &params, &err), TUNE_OK, "%s", err.msg);
        struct tune_tell tell = {.state = TUNE_TRIAL_COMPLETE, .value = k ? 0.125 : 0.0625,
                                 .n_metrics = 2, .metric_names = names,
                                 .metric_values = k ? under : over, .seconds = NAN};
        cr_assert_eq(tune_study_tell(s, number, &tell, &err), TUNE_OK, "%s", err.msg);
    }
    struct tune_trial *t;
    size_t n;
    trials_of(su.store, s, &t, &n);
    cr_assert_eq(t[0].violation, (80.0 - 64.0) / 64.0);
    cr_assert(isnan(t[1].violation));
    tune_trials_free(t, n);
    /* the lower loss broke the constraint: the Pareto set is the other */
    struct tune_pareto p;
    cr_assert_eq(tune_study_pareto(su.store, tune_study_get_info(s), &p, &err), TUNE_OK);
    cr_assert_eq(p.n, 1);
    cr_assert_eq(p.points[0].number, 1);
    cr_assert_eq(p.points[0].values[1], 0.5);
    tune_pareto_release(&p);
    tune_study_close(s);
    tune_config_free(c);
    setup_free(&su);
}

/* ---- what the searcher is given ------------------------------------------------ */

/* A searcher that keeps the history it is handed and proposes C = 1, l2. */
static size_t seen_n, seen_priors;
static double seen_prior_value[16], seen_prior_C[16];
static int seen_prior_numbers;
static size_t seen_objectives, seen_constraints;
static double seen_objective1[16], seen_slack[16];
static size_t seen_tracked;

static int recording_suggest(void *state, const struct tune_space *space,
                             const struct tune_history *h, size_t seq, gsl_rng *rng,
                             double *point, struct tune_error *err)
{
    (void)state, (void)seq, (void)rng, (void)err;
    seen_n = h->n;
    seen_priors = 0;
    seen_prior_numbers = 0;
    seen_tracked = 0;
    seen_objectives = h->n_objectives;
    seen_constraints = h->n_constraints;
    for (size_t i = 0; i < h->n; i++) {
        const struct tune_history_entry *e = &h->entries[i];
        if (e->prior && seen_priors < 16) {
            seen_prior_value[seen_priors] = e->value;
            seen_prior_C[seen_priors++] = e->point[0];
            seen_prior_numbers |= e->number != -1;
        }
        if (!e->prior && e->objectives && seen_tracked < 16) {
            seen_objective1[seen_tracked] = e->objectives[1];
            seen_slack[seen_tracked++] = e->slack ? e->slack[0] : NAN;
        }
    }
    point[0] = 1;
    point[1] = space->n > 1 ? 1 : point[1];
    return TUNE_OK;
}

static const struct tune_searcher_type recording = {
    .version = TUNE_SEARCHER_VERSION,
    .name = "recording",
    .suggest = recording_suggest,
};

Test(study_search, warm_start_hands_the_other_studys_complete_trials_to_the_searcher)
{
    struct setup su = setup_new();
    struct tune_study_config *a = config(
        "'name': 'v1', " LOG_SPACE ", 'search': {'strategy': 'random', 'trials': 3, 'seed': 9}");
    struct tune_study *sa = open_study(a, su.store);
    run_all(sa);
    struct tune_trial *ta;
    size_t na;
    trials_of(su.store, sa, &ta, &na);
    /* another seed and budget: the same trainer, space and objective */
    struct tune_study_config *b = config(
        "'name': 'v2', " LOG_SPACE ", 'search': {'strategy': 'bayes', 'trials': 2, 'seed': 1, "
        "'warm_start': ['v1']}");
    b->searcher = &recording;
    struct tune_study *sb = open_study(b, su.store);
    struct tune_step step;
    struct tune_error err = {0};
    cr_assert_eq(tune_study_step(sb, 2, &step, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(seen_n, 3);
    cr_assert_eq(seen_priors, 3);
    cr_assert_eq(seen_prior_numbers, 0, "a prior's number is -1");
    double c0;
    cr_assert(sscanf(ta[0].params_json, "{\"C\": %lf", &c0) == 1);
    cr_assert_eq(seen_prior_C[0], c0);
    for (size_t i = 0; i < 3; i++)
        cr_assert_eq(seen_prior_value[i], ta[i].value);
    /* the second suggestion sees the first trial, then the priors */
    cr_assert_eq(tune_study_step(sb, 2, &step, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(seen_n, 4);
    cr_assert_eq(seen_priors, 3);
    tune_trials_free(ta, na);
    tune_study_close(sb);
    tune_config_free(b);

    /* another space, or no such study: refused when the study opens */
    struct tune_study_config *d = config(
        "'name': 'v3', 'trainer': {'name': 'logistic'}, 'space': {'C': {'type': 'float', "
        "'low': 0.01, 'high': 1}}, 'search': {'strategy': 'bayes', 'warm_start': ['v1']}");
    struct tune_study *sd = NULL;
    cr_assert_eq(tune_study_open(d, su.store, &sd, &err), TUNE_EINVAL);
    cr_assert_str_eq(err.msg, "study.json: search.warm_start[0]: study 'v1' has another trainer "
                              "or space, so its trials cannot be prior observations of this "
                              "one");
    tune_config_free(d);
    d = config("'name': 'v4', " LOG_SPACE ", 'search': {'strategy': 'bayes', "
               "'warm_start': ['v0']}");
    cr_assert_eq(tune_study_open(d, su.store, &sd, &err), TUNE_EINVAL);
    cr_assert_str_eq(err.msg, "study.json: search.warm_start[0]: no study 'v0' in this store");
    tune_config_free(d);
    d = config("'name': 'v5', " LOG_SPACE ", 'objective': 'log_loss', 'search': {'strategy': "
               "'bayes', 'warm_start': ['v1']}");
    cr_assert_eq(tune_study_open(d, su.store, &sd, &err), TUNE_EINVAL);
    cr_assert(strstr(err.msg, "study 'v1' has another objective"), "%s", err.msg);
    tune_config_free(d);
    tune_study_close(sa);
    tune_config_free(a);
    setup_free(&su);
}

Test(study_search, the_searcher_reads_each_trials_objectives_and_slacks)
{
    struct setup su = setup_new();
    struct tune_study_config *c = config(
        "'name': 'mo', " LOG_SPACE ", 'search': {'strategy': 'random', 'trials': 3, 'seed': 2}, "
        "'objectives': [{'metric': 'roc_auc'}, {'metric': 'accuracy'}], "
        "'constraints': [{'metric': 'recall', 'min': 0.99}]");
    struct tune_study *s = open_study(c, su.store);
    run_all(s);
    c->searcher = &recording; /* the study keeps its own searcher; ask ours directly */
    tune_study_close(s);
    s = open_study(c, su.store);
    struct tune_step step;
    struct tune_error err = {0};
    cr_assert_eq(tune_study_step(s, 4, &step, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(seen_objectives, 2);
    cr_assert_eq(seen_constraints, 1);
    cr_assert_eq(seen_tracked, 3);
    struct tune_trial *t;
    size_t n;
    trials_of(su.store, s, &t, &n);
    /* the history comes in no set order: match by value */
    for (size_t i = 0; i < 3; i++) {
        int found = 0;
        for (size_t j = 0; j < 3; j++)
            found |= seen_objective1[j] == tune_trial_metric(&t[i], "accuracy") &&
                     seen_slack[j] == 0.99 - tune_trial_metric(&t[i], "recall");
        cr_assert(found, "trial %zu's accuracy and recall slack not seen", i);
    }
    tune_trials_free(t, n);
    tune_study_close(s);
    tune_config_free(c);
    setup_free(&su);
}
