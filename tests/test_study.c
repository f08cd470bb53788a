/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_study.c — cross-validation of one configuration and the study loop,
 * with a fault-injecting trainer: failures are recorded, never lost. */
#include "testutil.h"
#include "tunefold/config.h"
#include "tunefold/study.h"

#include <cJSON.h>
#include <zlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- a trainer that predicts the training mean / majority, and fails on
 * demand: on the fold whose training size is `fail_n`, or every time. ---- */

static const char *const fake_modes[] = {"ok", "fail_fold2", "fail_always", NULL};
static const struct tune_hparam fake_hparams[] = {
    {"mode", TUNE_PARAM_CATEGORICAL, 0, 0, 0, fake_modes, "failure injection"},
    {"shift", TUNE_PARAM_FLOAT, 0, -10, 10, NULL, "added to every prediction"},
};

struct fake_model {
    double mean;
    size_t k;
    double shift;
};

static int fake_fit(const struct tune_matrix *x, const double *y, const struct tune_fit_ctx *ctx,
                    const struct tune_params *p, void **model, struct tune_error *err)
{
    static int calls; /* test-only: counts folds within one trial */
    (void)ctx;
    int mode = (int)p->values[0];
    calls++;
    if (mode == 2 || (mode == 1 && calls % 5 == 2))
        return tune_error_set(err, TUNE_ETRAINER, "injected failure");
    struct fake_model *m = calloc(1, sizeof *m);
    for (size_t i = 0; i < x->n_rows; i++)
        m->mean += y[i] / (double)x->n_rows;
    m->k = ctx->n_classes;
    m->shift = p->values[1];
    /* three "rounds", each reporting the validation fold's size times 0.25 */
    for (size_t step = 0; ctx->report && step < 3; step++)
        ctx->report(ctx->report_arg, step * 10, (double)ctx->x_valid->n_rows * 0.25 + (double)step);
    *model = m;
    return TUNE_OK;
}

static int fake_predict(const void *model, const struct tune_matrix *x,
                        struct tune_predictions *out, struct tune_error *err)
{
    (void)err;
    const struct fake_model *m = model;
    for (size_t i = 0; i < x->n_rows; i++) {
        if (out->value) {
            out->value[i] = m->mean + m->shift;
            continue;
        }
        /* score rises with the first feature, so AUC is defined and not 0.5 */
        double p1 = 1 / (1 + exp(-(x->data[i] + m->shift)));
        out->label[i] = p1 > 0.5;
        out->proba[2 * i] = 1 - p1;
        out->proba[2 * i + 1] = p1;
    }
    return TUNE_OK;
}

static void fake_free(void *m)
{
    free(m);
}

static const struct tune_trainer_type fake_trainer = {
    .version = 1,
    .name = "fake",
    .tasks = TUNE_TASK_BINARY | TUNE_TASK_REGRESSION,
    .hparams = fake_hparams,
    .n_hparams = 2,
    .fit = fake_fit,
    .predict = fake_predict,
    .free_model = fake_free,
};

/* A study config on breast_cancer with the fake trainer, built by hand. */
static struct tune_study_config *fake_config(const char *strategy, size_t trials)
{
    struct tune_study_config *c = calloc(1, sizeof *c);
    c->name = strdup("fake-study");
    c->file = strdup("test");
    c->data_path = strdup("data/breast_cancer.csv");
    c->data_path_given = strdup(c->data_path);
    c->target = strdup("target");
    c->task = TUNE_TASK_BINARY;
    c->trainer = &fake_trainer;
    c->fixed = calloc(2, sizeof *c->fixed);
    c->is_fixed = calloc(2, 1);
    c->space.n = 1;
    c->space.params = calloc(1, sizeof *c->space.params);
    struct tune_param *p = &c->space.params[0];
    p->name = strdup("mode");
    p->type = TUNE_PARAM_CATEGORICAL;
    p->n_values = 3;
    p->values = calloc(3, sizeof *p->values);
    for (int i = 0; i < 3; i++)
        p->values[i] = strdup(fake_modes[i]);
    c->searcher = tune_searcher_find(strategy);
    c->trials = trials;
    c->cv = (struct tune_cv_config){5, 1, 1, 0, 1};
    c->prep = (struct tune_prep_config){TUNE_IMPUTE_MEAN, TUNE_SCALE_STANDARD, 1};
    c->metric = strdup("roc_auc");
    c->maximize = 1;
    c->storage = strdup("unused");
    c->canonical = strdup("{\"fake\": 1}");
    return c;
}

Test(study, cross_validation_scores_every_fold_and_covers_every_row)
{
    struct tune_error err = {0};
    struct tune_dataset *ds;
    cr_assert_eq(tune_dataset_load("data/iris.csv", "target", TUNE_TASK_MULTICLASS, &ds, &err),
                 TUNE_OK, "%s", err.msg);
    struct tune_cv_config cvc = {5, 1, 1, 0, 1};
    struct tune_splits *sp;
    cr_assert_eq(tune_cv_split(&cvc, ds->n_rows, ds->y, ds->n_classes, 11, &sp, &err), TUNE_OK);
    const struct tune_trainer_type *tr = tune_trainer_find("logistic");
    const char *names[32], *strings[32];
    double values[32];
    for (size_t i = 0; i < tr->n_hparams; i++) {
        names[i] = tr->hparams[i].name;
        values[i] = tr->hparams[i].def;
        strings[i] = tr->hparams[i].type == TUNE_PARAM_CATEGORICAL
                         ? tr->hparams[i].choices[(size_t)values[i]]
                         : NULL;
    }
    struct tune_params params = {tr->n_hparams, names, values, strings};
    struct tune_prep_config prep = {TUNE_IMPUTE_MEAN, TUNE_SCALE_STANDARD, 1};
    struct tune_cv_result r;
    cr_assert_eq(tune_cross_validate(ds, sp, &prep, tr, &params, 11, &r, &err), TUNE_OK, "%s",
                 err.msg);
    cr_assert_eq(r.n_folds, 5);
    int have_acc = 0;
    for (size_t m = 0; m < r.n_metrics; m++) {
        cr_assert_eq(r.metrics[m].n_folds, 5);
        if (strcmp(r.metrics[m].name, "accuracy") == 0) {
            have_acc = 1;
            /* the mean is the mean of the stored folds */
            double s = 0;
            for (int f = 0; f < 5; f++)
                s += r.metrics[m].folds[f];
            assert_close(r.metrics[m].mean, s / 5, 1e-15);
            cr_assert(r.metrics[m].mean > 0.9, "iris accuracy %g", r.metrics[m].mean);
        }
    }
    cr_assert(have_acc);
    size_t correct = 0;
    for (size_t i = 0; i < ds->n_rows; i++) {
        cr_assert(r.oof_fold[i] >= 0 && r.oof_fold[i] < 5);
        correct += r.oof.label[i] == (int)ds->y[i];
        double s = 0;
        for (size_t k = 0; k < 3; k++)
            s += r.oof.proba[i * 3 + k];
        assert_close(s, 1.0, 1e-12);
    }
    /* out-of-fold accuracy equals the fold-size-weighted mean: folds are 30 rows */
    for (size_t m = 0; m < r.n_metrics; m++)
        if (strcmp(r.metrics[m].name, "accuracy") == 0)
            assert_close((double)correct / 150.0, r.metrics[m].mean, 1e-12);
    char *csv;
    size_t len;
    cr_assert_eq(tune_oof_format(ds, &r, &csv, &len, &err), TUNE_OK);
    cr_assert(strncmp(csv, "row,fold,y_true,y_pred,p_0,p_1,p_2\n", 35) == 0, "%.60s", csv);
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += csv[i] == '\n';
    cr_assert_eq(lines, 151);
    free(csv);
    tune_cv_result_release(&r);
    tune_splits_free(sp);
    tune_dataset_free(ds);
}

static struct tune_store *tmp_store(void)
{
    char *d = tu_tmpdir(), path[512];
    snprintf(path, sizeof path, "%s/s.db", d);
    free(d);
    struct tune_store *st;
    struct tune_error err = {0};
    cr_assert_eq(tune_store_open(path, &st, &err), TUNE_OK, "%s", err.msg);
    return st;
}

Test(study, a_failing_trainer_makes_a_failed_trial_and_the_study_goes_on)
{
    struct tune_study_config *c = fake_config("grid", 3);
    struct tune_store *st = tmp_store();
    struct tune_study *s;
    struct tune_error err = {0};
    cr_assert_eq(tune_study_open(c, st, &s, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(tune_study_budget(s, 0), 3);
    struct tune_step step;
    enum tune_trial_state want[3] = {TUNE_TRIAL_COMPLETE, TUNE_TRIAL_FAILED, TUNE_TRIAL_FAILED};
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(tune_study_step(s, 3, &step, &err), TUNE_OK, "%s", err.msg);
        cr_assert_eq(step.number, i);
        cr_assert_eq(step.state, want[i], "trial %d state %d", i, step.state);
    }
    cr_assert(strstr(step.error, "injected failure") != NULL, "%s", step.error);
    cr_assert(strstr(step.error, "fold 1") != NULL, "%s", step.error);
    cr_assert_eq(tune_study_step(s, 3, &step, &err), TUNE_EBUDGET);

    struct tune_trial *t;
    size_t n;
    cr_assert_eq(tune_store_trial_list(st, tune_study_get_info(s)->id, &t, &n, &err), TUNE_OK);
    cr_assert_eq(n, 3);
    cr_assert_str_eq(t[0].params_json, "{\"mode\": \"ok\"}");
    cr_assert_str_eq(t[1].params_json, "{\"mode\": \"fail_fold2\"}");
    cr_assert(strstr(t[1].error, "fold 2: injected failure") != NULL, "%s", t[1].error);
    cr_assert(isnan(t[2].value));
    tune_trials_free(t, n);

    /* the best trial carries its out-of-fold predictions */
    void *blob;
    size_t len;
    cr_assert_eq(tune_store_artifact_load(st, tune_study_get_info(s)->id, 0, "oof.csv", &blob,
                                         &len, &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert(strncmp(blob, "row,fold,y_true,y_pred,p_0,p_1\n", 31) == 0);
    free(blob);

    /* intermediate values: 5 folds x 3 steps, in fold then step order */
    struct tune_intermediate *iv;
    cr_assert_eq(tune_store_trial_list_intermediate(st, tune_study_get_info(s)->id, 0, &iv, &n,
                                                   &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(n, 15);
    for (size_t i = 0; i < 15; i++) {
        cr_assert_eq(iv[i].fold, (int)(i / 3));
        cr_assert_eq(iv[i].step, i % 3 * 10);
    }
    /* 569 rows in 5 stratified folds: the first fold validates 114 rows */
    cr_assert_eq(iv[0].value, 114 * 0.25);
    cr_assert_eq(iv[14].value, 113 * 0.25 + 2);
    free(iv);
    tune_study_close(s);
    tune_store_close(st);
    tune_config_free(c);
}

Test(study, a_stored_study_with_another_config_is_a_conflict)
{
    struct tune_study_config *c = fake_config("random", 2);
    struct tune_store *st = tmp_store();
    struct tune_study *s;
    struct tune_error err = {0};
    cr_assert_eq(tune_study_open(c, st, &s, &err), TUNE_OK, "%s", err.msg);
    tune_study_close(s);
    free(c->canonical);
    c->canonical = strdup("{\"fake\": 2}");
    cr_assert_eq(tune_study_open(c, st, &s, &err), TUNE_ECONFLICT);
    cr_assert(strstr(err.msg, "fake-study") != NULL, "%s", err.msg);
    tune_store_close(st);
    tune_config_free(c);
}

Test(study, random_search_reproduces_its_points_in_a_new_store)
{
    char *runs[2];
    for (int r = 0; r < 2; r++) {
        struct tune_study_config *c = fake_config("random", 4);
        c->seed = 2385;
        struct tune_store *st = tmp_store();
        struct tune_study *s;
        struct tune_error err = {0};
        cr_assert_eq(tune_study_open(c, st, &s, &err), TUNE_OK, "%s", err.msg);
        struct tune_step step;
        size_t len = 0;
        runs[r] = calloc(1, 4096);
        while (tune_study_step(s, 4, &step, &err) == TUNE_OK)
            len += (size_t)snprintf(runs[r] + len, 4096 - len, "%d %s %.17g\n", step.number,
                                    step.params_json, step.value);
        tune_study_close(s);
        tune_store_close(st);
        tune_config_free(c);
    }
    cr_assert_str_eq(runs[0], runs[1]);
    cr_assert(strlen(runs[0]) > 40);
    free(runs[0]);
    free(runs[1]);
}

/* fake_config("random", 3) on the data file `csv`. */
static struct tune_study_config *config_on(const char *csv)
{
    struct tune_study_config *c = fake_config("random", 3);
    free(c->data_path);
    c->data_path = strdup(csv);
    return c;
}

/* The same on a copy of breast_cancer.csv made in `dir` (its path in csv). */
static struct tune_study_config *config_on_copy(const char *dir, char *csv, size_t size)
{
    char cmd[1400];
    snprintf(csv, size, "%s/bc.csv", dir);
    snprintf(cmd, sizeof cmd, "cp data/breast_cancer.csv '%s'", csv);
    cr_assert_eq(system(cmd), 0);
    return config_on(csv);
}

/* A study detached from its store before fork() and attached to the
 * child's own connection carries on in the child with the data and folds it
 * had: the data file is gone by then, and nothing is read again. */
Test(study, a_study_handed_to_a_forked_child_goes_on_through_its_own_connection)
{
    char *d = tu_tmpdir(), path[512], data[600];
    snprintf(path, sizeof path, "%s/s.db", d);
    struct tune_study_config *c = config_on_copy(d, data, sizeof data);
    struct tune_store *st;
    struct tune_study *s;
    struct tune_error err = {0};
    struct tune_step step;
    cr_assert_eq(tune_store_open(path, &st, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(tune_study_open(c, st, &s, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(tune_study_step(s, 3, &step, &err), TUNE_OK, "%s", err.msg);
    tune_study_set_store(s, NULL);
    tune_store_close(st);
    cr_assert_eq(unlink(data), 0);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        int ok = tune_store_open(path, &st, &err) == TUNE_OK;
        if (ok)
            tune_study_set_store(s, st);
        for (int k = 0; ok && k < 2; k++) {
            int rc = tune_study_step(s, 3, &step, &err);
            ok = rc == TUNE_OK && step.number == k + 1;
            if (!ok)
                fprintf(stderr, "step %d: rc %d, trial %d: %s\n", k, rc, step.number, err.msg);
        }
        _exit(ok ? 0 : 1);
    }
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
    /* the parent's copy, attached again, sees the child's trials */
    cr_assert_eq(tune_store_open(path, &st, &err), TUNE_OK, "%s", err.msg);
    tune_study_set_store(s, st);
    struct tune_progress p;
    cr_assert_eq(tune_study_progress(s, &p, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(p.complete + p.failed, 3);
    cr_assert_eq(tune_study_step(s, 3, &step, &err), TUNE_EBUDGET);
    tune_study_close(s);
    tune_store_close(st);
    tune_config_free(c);
    free(d);
}

Test(study, evaluate_stores_a_manual_trial_outside_the_budget)
{
    struct tune_study_config *c = fake_config("grid", 3);
    struct tune_store *st = tmp_store();
    struct tune_study *s;
    struct tune_error err = {0};
    cr_assert_eq(tune_study_open(c, st, &s, &err), TUNE_OK, "%s", err.msg);
    struct tune_step step;
    struct tune_cv_result cv;
    cr_assert_eq(tune_study_evaluate(s, "{\"shift\": 0.25}", &step, &cv, &err), TUNE_OK, "%s",
                 err.msg);
    cr_assert_eq(step.state, TUNE_TRIAL_COMPLETE);
    cr_assert_eq(step.number, 0);
    cr_assert_eq(cv.n_folds, 5);
    tune_cv_result_release(&cv);
    cr_assert_eq(tune_study_evaluate(s, "{\"shift\": 99}", &step, &cv, &err), TUNE_EINVAL);
    cr_assert(strstr(err.msg, "--params.shift") != NULL, "%s", err.msg);
    /* the search still has its whole budget */
    size_t k = 0;
    while (tune_study_step(s, 3, &step, &err) == TUNE_OK)
        k++;
    cr_assert_eq(k, 3);
    tune_study_close(s);
    tune_store_close(st);
    tune_config_free(c);
}

/* ---- tune_study_run ----------------------------------------------------------- */

struct run_log {
    int trials, waits;
    volatile sig_atomic_t *raise_after_first;
};

static void log_progress(void *arg, const struct tune_step *step, const struct tune_progress *p)
{
    struct run_log *log = arg;
    cr_assert_not_null(p);
    if (!step) {
        log->waits++;
        return;
    }
    log->trials++;
    cr_assert_eq(p->finished, (size_t)log->trials, "progress counts this trial");
    if (log->raise_after_first)
        *log->raise_after_first = 1;
}

Test(study_run, stops_when_the_budget_is_met_and_reports_each_trial)
{
    /* 4 of 3 points: the finite space caps the budget */
    struct tune_study_config *c = fake_config("random", 4);
    struct tune_store *st = tmp_store();
    struct tune_study *s;
    struct tune_error err = {0};
    cr_assert_eq(tune_study_open(c, st, &s, &err), TUNE_OK, "%s", err.msg);
    struct tune_run_options o;
    struct tune_run_result r;
    struct run_log log = {0};
    tune_run_options_init(&o, s);
    o.progress = log_progress;
    o.progress_arg = &log;
    cr_assert_eq(tune_study_run(s, &o, &r, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(r.stop, TUNE_STOP_BUDGET);
    cr_assert_str_eq(tune_stop_str(r.stop), "budget met");
    cr_assert_eq(r.ran, 3);
    cr_assert_eq(r.complete + r.failed, 3);
    cr_assert_eq(log.trials, 3);
    /* run again: nothing to do */
    cr_assert_eq(tune_study_run(s, &o, &r, &err), TUNE_OK);
    cr_assert_eq(r.stop, TUNE_STOP_BUDGET);
    cr_assert_eq(r.ran, 0);
    tune_study_close(s);
    tune_store_close(st);
    tune_config_free(c);
}

Test(study_run, stops_after_max_failures_in_a_row_with_the_last_reason)
{
    struct tune_study_config *c = fake_config("random", 20);
    c->fixed[0] = 2; /* mode fail_always ... */
    tune_space_release(&c->space); /* ... and nothing searched */
    c->max_failures = 3;
    struct tune_store *st = tmp_store();
    struct tune_study *s;
    struct tune_error err = {0};
    cr_assert_eq(tune_study_open(c, st, &s, &err), TUNE_OK, "%s", err.msg);
    struct tune_run_options o;
    struct tune_run_result r;
    tune_run_options_init(&o, s);
    cr_assert_eq(o.max_failures, 3);
    cr_assert_eq(tune_study_run(s, &o, &r, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(r.stop, TUNE_STOP_FAILURES);
    cr_assert_eq(r.ran, 3);
    cr_assert_eq(r.failed, 3);
    cr_assert(strstr(r.last_error, "fold 1: injected failure"), "%s", r.last_error);
    tune_study_close(s);
    tune_store_close(st);
    tune_config_free(c);
}

/* A searcher with two points, then none. */
static int two_suggest(void *state, const struct tune_space *space,
                       const struct tune_history *h, size_t seq, gsl_rng *rng, double *point,
                       struct tune_error *err)
{
    (void)state, (void)space, (void)h, (void)rng;
    if (seq >= 2)
        return tune_error_set(err, TUNE_EEXHAUSTED, "no point left");
    point[0] = (double)seq * 0; /* mode "ok" */
    return TUNE_OK;
}

static const struct tune_searcher_type two_points = {
    .version = TUNE_SEARCHER_VERSION, .name = "two", .summary = "two points",
    .suggest = two_suggest};

Test(study_run, ends_when_the_searcher_has_no_point_left)
{
    struct tune_study_config *c = fake_config("random", 10);
    c->searcher = &two_points;
    struct tune_store *st = tmp_store();
    struct tune_study *s;
    struct tune_error err = {0};
    cr_assert_eq(tune_study_open(c, st, &s, &err), TUNE_OK, "%s", err.msg);
    struct tune_run_options o;
    struct tune_run_result r;
    tune_run_options_init(&o, s);
    cr_assert_eq(tune_study_run(s, &o, &r, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(r.stop, TUNE_STOP_EXHAUSTED);
    cr_assert_eq(r.ran, 2);
    struct tune_progress p;
    cr_assert_eq(tune_study_progress(s, &p, &err), TUNE_OK);
    cr_assert_eq(p.finished, 2);
    cr_assert_eq(p.running, 0, "the claim that found no point was withdrawn");
    tune_study_close(s);
    tune_store_close(st);
    tune_config_free(c);
}

Test(study_run, a_raised_stop_flag_lets_the_trial_in_flight_finish_then_stops)
{
    struct tune_study_config *c = fake_config("random", 10);
    struct tune_store *st = tmp_store();
    struct tune_study *s;
    struct tune_error err = {0};
    static volatile sig_atomic_t stop;
    stop = 0;
    cr_assert_eq(tune_study_open(c, st, &s, &err), TUNE_OK, "%s", err.msg);
    struct tune_run_options o;
    struct tune_run_result r;
    struct run_log log = {.raise_after_first = &stop};
    tune_run_options_init(&o, s);
    o.stop = &stop;
    o.progress = log_progress;
    o.progress_arg = &log;
    cr_assert_eq(tune_study_run(s, &o, &r, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(r.stop, TUNE_STOP_CANCELLED);
    cr_assert_eq(r.ran, 1);
    struct tune_progress p;
    cr_assert_eq(tune_study_progress(s, &p, &err), TUNE_OK);
    cr_assert_eq(p.finished, 1);
    cr_assert_eq(p.running, 0);
    tune_study_close(s);
    tune_store_close(st);
    tune_config_free(c);
}

/* A trainer whose fit is cut short: it raises the caller's cancel flag, as
 * a second Ctrl-C would, and gives up as trainers do when they see it. */
static volatile sig_atomic_t cancel_flag;

static int cancelled_fit(const struct tune_matrix *x, const double *y,
                         const struct tune_fit_ctx *ctx, const struct tune_params *p,
                         void **model, struct tune_error *err)
{
    (void)x, (void)y, (void)p, (void)model;
    cancel_flag = 1;
    cr_assert(ctx->cancel && *ctx->cancel, "the trainer sees the cancel flag");
    return tune_error_set(err, TUNE_ETRAINER, "cancelled");
}

Test(study_run, the_cancel_flag_releases_the_trial_cut_short_and_a_resume_reruns_its_point)
{
    struct tune_study_config *c = fake_config("random", 3);
    c->seed = 77;
    struct tune_trainer_type cancelling = fake_trainer;
    cancelling.fit = cancelled_fit;
    c->trainer = &cancelling;
    struct tune_store *st = tmp_store();
    struct tune_study *s;
    struct tune_error err = {0};
    cancel_flag = 0;
    cr_assert_eq(tune_study_open(c, st, &s, &err), TUNE_OK, "%s", err.msg);
    tune_study_set_cancel(s, &cancel_flag);
    struct tune_run_options o;
    struct tune_run_result r;
    tune_run_options_init(&o, s);
    cr_assert_eq(tune_study_run(s, &o, &r, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(r.stop, TUNE_STOP_CANCELLED);
    cr_assert_eq(r.ran, 0, "a released trial is not a trial run");
    int64_t id = tune_study_get_info(s)->id;
    struct tune_trial t;
    cr_assert_eq(tune_store_trial_get(st, id, 0, &t, &err), TUNE_OK);
    cr_assert_eq(t.state, TUNE_TRIAL_FAILED);
    cr_assert(t.lost, "released as lost");
    cr_assert_str_eq(t.error, "interrupted");
    char *first_params = strdup(t.params_json);
    tune_trial_release(&t);
    tune_study_close(s);

    /* resume with a trainer that works: seq 0 runs again, with its point */
    c->trainer = &fake_trainer;
    cancel_flag = 0;
    cr_assert_eq(tune_study_open(c, st, &s, &err), TUNE_OK, "%s", err.msg);
    tune_run_options_init(&o, s);
    cr_assert_eq(tune_study_run(s, &o, &r, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(r.stop, TUNE_STOP_BUDGET);
    cr_assert_eq(r.ran, 3);
    cr_assert_eq(tune_store_trial_get(st, id, 1, &t, &err), TUNE_OK);
    cr_assert_str_eq(t.params_json, first_params);
    cr_assert_eq(t.seq, 0);
    tune_trial_release(&t);
    free(first_params);
    tune_study_close(s);
    tune_store_close(st);
    tune_config_free(c);
}

Test(study_run, waits_for_another_workers_trial_and_reruns_it_when_its_worker_is_lost)
{
    struct tune_study_config *c = fake_config("random", 2);
    struct tune_store *st = tmp_store();
    struct tune_study *s;
    struct tune_error err = {0};
    cr_assert_eq(tune_study_open(c, st, &s, &err), TUNE_OK, "%s", err.msg);
    int64_t id = tune_study_get_info(s)->id;
    /* another worker claims seq 0 and dies: no heartbeat ever */
    int number, seq;
    cr_assert_eq(tune_store_trial_claim(st, id, TUNE_ORIGIN_SEARCH, 2, &number, &seq, &err),
                 TUNE_OK);
    struct tune_run_options o;
    struct tune_run_result r;
    struct run_log log = {0};
    tune_run_options_init(&o, s);
    o.stale_seconds = 1;
    o.poll_seconds = 0.05;
    o.progress = log_progress;
    o.progress_arg = &log;
    cr_assert_eq(tune_study_run(s, &o, &r, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(r.stop, TUNE_STOP_BUDGET);
    cr_assert_eq(r.ran, 2, "its own trial, then the lost one's seq");
    cr_assert(log.waits >= 5, "waited %d times", log.waits);
    struct tune_progress p;
    cr_assert_eq(tune_study_progress(s, &p, &err), TUNE_OK);
    cr_assert_eq(p.finished, 2);
    cr_assert_eq(p.lost, 1);
    tune_study_close(s);
    tune_store_close(st);
    tune_config_free(c);
}

/* ---- a trial's params as JSON ---------------------------------------------- */

/* ---- the study's stop rules ---------------------------------------------------- */

/* The fake study searching "shift" in [-1, 1] (mode ok): every trial ties,
 * so trial 0 stays the best. */
static struct tune_study_config *shift_config(size_t trials)
{
    struct tune_study_config *c = fake_config("random", trials);
    free(c->space.params[0].name);
    for (size_t i = 0; i < 3; i++)
        free(c->space.params[0].values[i]);
    free(c->space.params[0].values);
    c->space.params[0] = (struct tune_param){.name = strdup("shift"), .type = TUNE_PARAM_FLOAT,
                                             .low = -1, .high = 1};
    return c;
}

static char *attr(struct tune_store *st, const struct tune_study *s, const char *key)
{
    char *v = NULL;
    struct tune_error err = {0};
    cr_assert_eq(tune_store_study_get_attr(st, tune_study_get_info(s)->id, key, &v, &err),
                 TUNE_OK, "%s", err.msg);
    return v;
}

Test(study_run, target_stops_once_the_best_reaches_it_and_the_reason_is_stored)
{
    struct tune_study_config *c = shift_config(10);
    c->target_given = 1;
    c->target_value = 0; /* any roc_auc reaches it */
    struct tune_store *st = tmp_store();
    struct tune_study *s;
    struct tune_error err = {0};
    cr_assert_eq(tune_study_open(c, st, &s, &err), TUNE_OK, "%s", err.msg);
    struct tune_run_options o;
    struct tune_run_result r;
    tune_run_options_init(&o, s);
    cr_assert(o.has_target && o.target == 0);
    cr_assert_eq(tune_study_run(s, &o, &r, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(r.stop, TUNE_STOP_TARGET);
    cr_assert_eq(r.ran, 1, "the first complete trial reached it");
    cr_assert_str_eq(tune_stop_str(r.stop), "target reached (search.target)");
    char *why = attr(st, s, "stop_reason");
    cr_assert_str_eq(why, "target reached (search.target)");
    free(why);
    /* a target above every value: the budget ends the study */
    o.target = 1.5;
    cr_assert_eq(tune_study_run(s, &o, &r, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(r.stop, TUNE_STOP_BUDGET);
    cr_assert_eq(r.ran, 9);
    why = attr(st, s, "stop_reason");
    cr_assert_str_eq(why, "budget met");
    free(why);
    tune_study_close(s);
    tune_store_close(st);
    tune_config_free(c);
}

Test(study_run, target_of_a_minimized_objective_is_reached_from_above)
{
    struct tune_study_config *c = shift_config(10);
    free(c->metric);
    c->metric = strdup("log_loss");
    c->maximize = 0;
    struct tune_store *st = tmp_store();
    struct tune_study *s;
    struct tune_error err = {0};
    cr_assert_eq(tune_study_open(c, st, &s, &err), TUNE_OK, "%s", err.msg);
    struct tune_run_options o;
    struct tune_run_result r;
    tune_run_options_init(&o, s);
    cr_assert_eq(o.has_target, 0, "no target unless the study file gives one");
    o.has_target = 1;
    o.target = 0.0001; /* no log-loss is that low */
    o.budget = 3;
    cr_assert_eq(tune_study_run(s, &o, &r, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(r.stop, TUNE_STOP_BUDGET);
    o.target = 100;
    o.budget = 10;
    cr_assert_eq(tune_study_run(s, &o, &r, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(r.stop, TUNE_STOP_TARGET);
    cr_assert_eq(r.ran, 0, "reached before any claim");
    tune_study_close(s);
    tune_store_close(st);
    tune_config_free(c);
}

Test(study_run, patience_stops_after_that_many_trials_without_a_new_best)
{
    struct tune_study_config *c = shift_config(20);
    c->patience = 4;
    struct tune_store *st = tmp_store();
    struct tune_study *s;
    struct tune_error err = {0};
    cr_assert_eq(tune_study_open(c, st, &s, &err), TUNE_OK, "%s", err.msg);
    struct tune_run_options o;
    struct tune_run_result r;
    tune_run_options_init(&o, s);
    cr_assert_eq(o.patience, 4);
    cr_assert_eq(tune_study_run(s, &o, &r, &err), TUNE_OK, "%s", err.msg);
    /* trial 0 is the best (the others tie it and come later): 4 after it */
    cr_assert_eq(r.stop, TUNE_STOP_PATIENCE);
    cr_assert_eq(r.ran, 5);
    cr_assert_str_eq(tune_stop_str(r.stop), "no improvement in search.patience trials");
    /* a manual trial does not count; a resumed run stops at once */
    struct tune_step step;
    struct tune_cv_result cv;
    cr_assert_eq(tune_study_evaluate(s, NULL, &step, &cv, &err), TUNE_OK, "%s", err.msg);
    tune_cv_result_release(&cv);
    o.patience = 6;
    cr_assert_eq(tune_study_run(s, &o, &r, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(r.stop, TUNE_STOP_PATIENCE);
    cr_assert_eq(r.ran, 2, "4 + 2 search trials since the best");
    tune_study_close(s);
    tune_store_close(st);
    tune_config_free(c);
}

Test(study_run, max_seconds_stops_claiming_once_the_time_is_up)
{
    struct tune_study_config *c = shift_config(1000000);
    c->max_seconds = 0.4;
    struct tune_store *st = tmp_store();
    struct tune_study *s;
    struct tune_error err = {0};
    cr_assert_eq(tune_study_open(c, st, &s, &err), TUNE_OK, "%s", err.msg);
    struct tune_run_options o;
    struct tune_run_result r;
    tune_run_options_init(&o, s);
    cr_assert_eq(o.max_seconds, 0.4);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    cr_assert_eq(tune_study_run(s, &o, &r, &err), TUNE_OK, "%s", err.msg);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    cr_assert_eq(r.stop, TUNE_STOP_TIME);
    cr_assert_geq(r.ran, 1);
    cr_assert(secs >= 0.4 && secs < 5, "%g s", secs);
    char *why = attr(st, s, "stop_reason");
    cr_assert_str_eq(why, "time limit reached (search.max_seconds)");
    free(why);
    /* counted from `started`: a run whose start is long past stops at once */
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    o.started = (double)now.tv_sec - 100;
    cr_assert_eq(tune_study_run(s, &o, &r, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(r.stop, TUNE_STOP_TIME);
    cr_assert_eq(r.ran, 0);
    tune_study_close(s);
    tune_store_close(st);
    tune_config_free(c);
}

Test(params_json, names_and_values_are_escaped_and_numbers_read_back_exactly)
{
    char *vals[] = {"a\"b", "tab\there"};
    struct tune_param ps[4] = {
        {.name = "we\"ird\\name", .type = TUNE_PARAM_FLOAT, .low = 0, .high = 1},
        {.name = "n", .type = TUNE_PARAM_INT, .low = -9007199254740992.0,
         .high = 9007199254740992.0},
        {.name = "c", .type = TUNE_PARAM_CATEGORICAL, .n_values = 2, .values = vals},
        {.name = "b", .type = TUNE_PARAM_BOOL},
    };
    struct tune_space sp = {4, ps};
    double point[4] = {0.1 + 0.2, 9007199254740992.0, 0, 1}, back[4];
    char *text = tune_space_point_json(&sp, point);
    cr_assert_not_null(text);
    cr_assert_str_eq(text, "{\"we\\\"ird\\\\name\": 0.30000000000000004, \"n\": "
                           "9007199254740992, \"c\": \"a\\\"b\", \"b\": true}");
    cJSON *obj = cJSON_Parse(text);
    cr_assert_not_null(obj, "valid JSON");
    cJSON_Delete(obj);
    cr_assert(tune_space_point_from_json(&sp, text, back));
    cr_assert(memcmp(point, back, sizeof point) == 0, "every value reads back bit for bit");
    free(text);
    point[2] = 1;
    text = tune_space_point_json(&sp, point);
    cr_assert(strstr(text, "\"c\": \"tab\\there\""), "%s", text);
    free(text);
}

/* ---- the data kept in the store ------------------------------------------------ */

Test(study_data, a_study_opened_where_its_data_file_is_missing_reads_the_stored_copy)
{
    char *dir = tu_tmpdir(), csv[600], db[600], cmd[1400];
    snprintf(db, sizeof db, "%s/s.db", dir);
    struct tune_study_config *c = config_on_copy(dir, csv, sizeof csv);
    struct tune_store *st;
    struct tune_study *s;
    struct tune_error err = {0};
    cr_assert_eq(tune_store_open(db, &st, &err), TUNE_OK);
    cr_assert_eq(tune_study_open(c, st, &s, &err), TUNE_OK, "%s", err.msg);
    const struct tune_dataset *a = tune_study_dataset(s);
    size_t rows = a->n_rows, features = a->n_features;
    double *x = malloc(rows * features * sizeof *x), *y = malloc(rows * sizeof *y);
    memcpy(x, a->x, rows * features * sizeof *x);
    memcpy(y, a->y, rows * sizeof *y);
    uint64_t sum = a->checksum;
    tune_study_close(s);
    /* another machine: the file is not there */
    cr_assert_eq(unlink(csv), 0);
    cr_assert_eq(tune_study_open(c, st, &s, &err), TUNE_OK, "%s", err.msg);
    const struct tune_dataset *b = tune_study_dataset(s);
    cr_assert_eq(b->n_rows, rows);
    cr_assert_eq(b->n_features, features);
    cr_assert_eq(b->checksum, sum);
    cr_assert(memcmp(b->x, x, rows * features * sizeof *x) == 0, "the same data, bit for bit");
    cr_assert(memcmp(b->y, y, rows * sizeof *y) == 0);
    struct tune_step step;
    cr_assert_eq(tune_study_step(s, 3, &step, &err), TUNE_OK, "%s", err.msg);
    tune_study_close(s);
    /* a new study cannot be made without its file: the file's own error */
    free(c->name);
    c->name = strdup("another");
    cr_assert_eq(tune_study_open(c, st, &s, &err), TUNE_EINVAL);
    cr_assert(strstr(err.msg, "bc.csv") && strstr(err.msg, "No such file"), "%s", err.msg);
    free(x);
    free(y);
    tune_store_close(st);
    tune_config_free(c);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    free(dir);
}

/* A data file whose deflated form takes several 1 MiB chunks (the store
 * reads it from the deflater a chunk at a time): the blob inflates to the
 * file's bytes exactly, and a study opened without the file loads the same
 * data. */
Test(study_data, a_data_file_deflated_over_several_chunks_is_kept_byte_for_byte)
{
    char *dir = tu_tmpdir(), csv[600], db[600], cmd[1400];
    snprintf(csv, sizeof csv, "%s/big.csv", dir);
    snprintf(db, sizeof db, "%s/s.db", dir);
    FILE *f = fopen(csv, "w");
    cr_assert_not_null(f);
    fprintf(f, "a,b,c,d,e,target\n");
    uint64_t r = 88172645463325252ULL;
    for (int i = 0; i < 60000; i++) { /* 17-digit numbers deflate only about 2x */
        for (int j = 0; j < 5; j++) {
            r ^= r << 13, r ^= r >> 7, r ^= r << 17;
            fprintf(f, "%.17g,", (double)(r >> 11) / 9007199254740992.0 - 0.5);
        }
        fprintf(f, "%d\n", (int)(r & 1));
    }
    cr_assert_eq(fclose(f), 0);
    char *file = tu_read(dir, "big.csv");
    size_t file_len = strlen(file);
    cr_assert(file_len > (size_t)5 << 20, "%zu bytes", file_len);
    struct tune_study_config *c = config_on(csv);
    struct tune_store *st;
    struct tune_study *s;
    struct tune_error err = {0};
    cr_assert_eq(tune_store_open(db, &st, &err), TUNE_OK);
    cr_assert_eq(tune_study_open(c, st, &s, &err), TUNE_OK, "%s", err.msg);
    int64_t id = tune_study_get_info(s)->id;
    const struct tune_dataset *a = tune_study_dataset(s);
    size_t cells = a->n_rows * a->n_features;
    double *x = malloc(cells * sizeof *x);
    memcpy(x, a->x, cells * sizeof *x);
    tune_study_close(s);
    void *z = NULL;
    size_t zlen = 0;
    cr_assert_eq(tune_store_study_blob_load(st, id, "data.csv.z", &z, &zlen, &err), TUNE_OK,
                 "%s", err.msg);
    cr_assert(zlen > (size_t)2 << 20, "deflated to %zu bytes: more than two chunks", zlen);
    uLongf out_len = file_len + 1;
    unsigned char *out = malloc(out_len);
    cr_assert_eq(uncompress(out, &out_len, z, zlen), Z_OK);
    cr_assert_eq(out_len, file_len);
    cr_assert(memcmp(out, file, file_len) == 0, "the blob inflates to the file's bytes");
    char *attr = NULL;
    cr_assert_eq(tune_store_study_get_attr(st, id, "data", &attr, &err), TUNE_OK);
    char want[64];
    snprintf(want, sizeof want, "\"bytes\":%zu,", file_len);
    cr_assert(strstr(attr, want), "%s", attr);
    /* another machine */
    cr_assert_eq(unlink(csv), 0);
    cr_assert_eq(tune_study_open(c, st, &s, &err), TUNE_OK, "%s", err.msg);
    const struct tune_dataset *b = tune_study_dataset(s);
    cr_assert_eq(b->n_rows * b->n_features, cells);
    cr_assert(memcmp(b->x, x, cells * sizeof *x) == 0, "the same data, bit for bit");
    tune_study_close(s);
    free(attr);
    free(out);
    free(z);
    free(x);
    free(file);
    tune_store_close(st);
    tune_config_free(c);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    free(dir);
}

Test(study_data, a_damaged_stored_copy_is_refused_not_used)
{
    char *dir = tu_tmpdir(), csv[600], db[600], cmd[1400];
    snprintf(db, sizeof db, "%s/s.db", dir);
    struct tune_study_config *c = config_on_copy(dir, csv, sizeof csv);
    struct tune_store *st;
    struct tune_study *s;
    struct tune_error err = {0};
    cr_assert_eq(tune_store_open(db, &st, &err), TUNE_OK);
    cr_assert_eq(tune_study_open(c, st, &s, &err), TUNE_OK, "%s", err.msg);
    int64_t id = tune_study_get_info(s)->id;
    tune_study_close(s);
    /* the description claims another checksum */
    char *attr = NULL;
    cr_assert_eq(tune_store_study_get_attr(st, id, "data", &attr, &err), TUNE_OK);
    char *x = strstr(attr, "xxh64:");
    cr_assert_not_null(x);
    x[6] = x[6] == '0' ? '1' : '0';
    cr_assert_eq(tune_store_study_set_attr(st, id, "data", attr, &err), TUNE_OK);
    free(attr);
    cr_assert_eq(unlink(csv), 0);
    cr_assert_eq(tune_study_open(c, st, &s, &err), TUNE_ESTORE);
    cr_assert(strstr(err.msg, "kept in the store is damaged"), "%s", err.msg);
    tune_store_close(st);
    tune_config_free(c);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    free(dir);
}
