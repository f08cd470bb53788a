/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_pruning.c — early stopping through the study: a built-in trainer
 * stopped at once and stored PRUNED with its values, fold pruning's partial
 * cross-validation, an external program stopped and gone (children too,
 * and one that ignores SIGTERM), several workers, and a resumed study that
 * decides as an uninterrupted one.  The strategies' own decisions are
 * tests/test_pruner.c's. */
#include "testutil.h"
#include "tunefold/config.h"
#include "tunefold/study.h"

#include <cJSON.h>
#include <errno.h>
#include <signal.h>
#include <time.h>

TestSuite(pruning, .init = tu_watchdog);

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct lib {
    char *dir;
    struct tune_study_config *cfg;
    struct tune_store *store;
    struct tune_study *study;
};

static struct lib lib_open(const char *json)
{
    struct lib l = {0};
    struct tune_error err = {0};
    char db[600];
    l.dir = tu_tmpdir();
    snprintf(db, sizeof db, "%s/p.db", l.dir);
    cr_assert_eq(tune_config_parse("study.json", json, &l.cfg, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(tune_store_open(db, &l.store, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(tune_study_open(l.cfg, l.store, &l.study, &err), TUNE_OK, "%s", err.msg);
    return l;
}

static void lib_close(struct lib *l)
{
    char cmd[700];
    tune_study_close(l->study);
    tune_store_close(l->store);
    tune_config_free(l->cfg);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", l->dir);
    cr_assert_eq(system(cmd), 0);
    free(l->dir);
}

static struct tune_step step_ok(struct lib *l, size_t budget)
{
    struct tune_step st;
    struct tune_error err = {0};
    cr_assert_eq(tune_study_step(l->study, budget, &st, &err), TUNE_OK, "%s", err.msg);
    return st;
}

Test(pruning, a_boosting_trial_pruned_by_the_median_stops_at_once_with_its_values_stored)
{
    /* grid: learning rate 0.5, then 0.001, whose first round's loss is far
     * worse than the first trial's */
    struct lib l = lib_open(
        "{\"name\": \"b\", \"data\": {\"path\": \"data/breast_cancer.csv\"}, \"task\": \"binary\","
        " \"trainer\": {\"name\": \"boosting\", \"params\": {\"n_estimators\": 30,"
        " \"max_depth\": 3}},"
        " \"space\": {\"learning_rate\": {\"type\": \"categorical\", \"values\": [0.5, 0.001]}},"
        " \"search\": {\"strategy\": \"grid\"}, \"cv\": {\"folds\": 3},"
        " \"objective\": {\"metric\": \"log_loss\"},"
        " \"pruning\": {\"strategy\": \"median\", \"startup_trials\": 1}}");
    struct tune_step s0 = step_ok(&l, 2), s1 = step_ok(&l, 2);
    cr_assert_eq(s0.state, TUNE_TRIAL_COMPLETE);
    cr_assert_eq(s1.state, TUNE_TRIAL_PRUNED);
    cr_assert(strncmp(s1.error, "step 1 of fold 1: the best value so far, ", 41) == 0, "%s",
              s1.error);
    struct tune_error err = {0};
    const struct tune_study_info *info = tune_study_get_info(l.study);
    struct tune_trial t;
    cr_assert_eq(tune_store_trial_get(l.store, info->id, 1, &t, &err), TUNE_OK);
    cr_assert_eq(t.state, TUNE_TRIAL_PRUNED);
    cr_assert_eq(t.pruned_at, 1);
    cr_assert_str_eq(t.error, s1.error);
    /* no fold ran in full: its value is the estimate from its last value,
     * worse than the one complete trial's at step 1: that trial's objective */
    cr_assert_eq(t.value, s0.value);
    for (size_t m = 0; m < t.n_metrics; m++)
        for (size_t f = 0; f < t.metrics[m].n_folds; f++)
            cr_assert(isnan(t.metrics[m].folds[f]), "%s fold %zu", t.metrics[m].name, f);
    tune_trial_release(&t);
    /* the trainer stopped at the report that was pruned: one value, kept */
    struct tune_intermediate *v;
    size_t n;
    cr_assert_eq(tune_store_trial_list_intermediate(l.store, info->id, 1, &v, &n, &err), TUNE_OK);
    cr_assert_eq(n, 1);
    cr_assert_eq(v[0].fold, 0);
    cr_assert_eq(v[0].step, 1);
    free(v);
    cr_assert_eq(tune_store_trial_list_intermediate(l.store, info->id, 0, &v, &n, &err), TUNE_OK);
    cr_assert_eq(n, 90, "the complete trial's 30 rounds in 3 folds");
    free(v);
    lib_close(&l);
}

Test(pruning, evaluate_is_never_pruned)
{
    struct lib l = lib_open(
        "{\"name\": \"b\", \"data\": {\"path\": \"data/breast_cancer.csv\"}, \"task\": \"binary\","
        " \"trainer\": {\"name\": \"boosting\", \"params\": {\"n_estimators\": 10}},"
        " \"space\": {\"learning_rate\": {\"type\": \"categorical\", \"values\": [0.5, 0.001]}},"
        " \"search\": {\"strategy\": \"grid\"}, \"cv\": {\"folds\": 3},"
        " \"objective\": {\"metric\": \"log_loss\"},"
        " \"pruning\": {\"strategy\": \"median\", \"startup_trials\": 1}}");
    step_ok(&l, 2);
    struct tune_step st;
    struct tune_cv_result cv;
    struct tune_error err = {0};
    cr_assert_eq(tune_study_evaluate(l.study, "{\"learning_rate\": 0.001}", &st, &cv, &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(st.state, TUNE_TRIAL_COMPLETE);
    cr_assert_eq(cv.n_folds_run, 3);
    tune_cv_result_release(&cv);
    lib_close(&l);
}

Test(pruning, fold_pruning_keeps_the_folds_it_ran_hardest_first_and_their_mean)
{
    /* p_threshold 1: any trial that is not sure to end ahead stops at the
     * guard, 2 folds */
    struct lib l = lib_open(
        "{\"name\": \"f\", \"data\": {\"path\": \"data/breast_cancer.csv\"}, \"task\": \"binary\","
        " \"trainer\": {\"name\": \"logistic\"}, \"preprocess\": {\"scale\": \"standard\"},"
        " \"space\": {\"C\": {\"type\": \"categorical\", \"values\": [1, 0.0001]}},"
        " \"search\": {\"strategy\": \"grid\"}, \"cv\": {\"folds\": 5},"
        " \"objective\": {\"metric\": \"roc_auc\"},"
        " \"pruning\": {\"strategy\": \"folds\", \"p_threshold\": 1}}");
    struct tune_step s0 = step_ok(&l, 2), s1 = step_ok(&l, 2);
    cr_assert_eq(s0.state, TUNE_TRIAL_COMPLETE, "no best to compare with");
    cr_assert_eq(s1.state, TUNE_TRIAL_PRUNED);
    cr_assert(strstr(s1.error, "after 2 of 5 folds: the chance that it ends ahead of trial 0"),
              "%s", s1.error);
    struct tune_error err = {0};
    const struct tune_study_info *info = tune_study_get_info(l.study);
    struct tune_trial best, t;
    cr_assert_eq(tune_store_trial_get(l.store, info->id, 0, &best, &err), TUNE_OK);
    cr_assert_eq(tune_store_trial_get(l.store, info->id, 1, &t, &err), TUNE_OK);
    cr_assert_eq(t.pruned_at, 2);
    /* the two folds run are the best trial's two lowest roc_auc, in that order */
    const struct tune_metric_summary *b = NULL, *m = NULL;
    for (size_t i = 0; i < best.n_metrics; i++)
        if (strcmp(best.metrics[i].name, "roc_auc") == 0)
            b = &best.metrics[i];
    for (size_t i = 0; i < t.n_metrics; i++)
        if (strcmp(t.metrics[i].name, "roc_auc") == 0)
            m = &t.metrics[i];
    cr_assert(b && m && m->n_folds == 5);
    size_t lo1 = 0, lo2;
    for (size_t f = 1; f < 5; f++)
        if (b->folds[f] < b->folds[lo1])
            lo1 = f;
    lo2 = lo1 == 0 ? 1 : 0;
    for (size_t f = 0; f < 5; f++)
        if (f != lo1 && b->folds[f] < b->folds[lo2])
            lo2 = f;
    size_t ran = 0;
    for (size_t f = 0; f < 5; f++) {
        cr_assert_eq(!isnan(m->folds[f]), f == lo1 || f == lo2, "fold %zu", f);
        ran += !isnan(m->folds[f]);
    }
    cr_assert_eq(ran, 2);
    cr_assert_eq(t.value, (m->folds[lo1] + m->folds[lo2]) / 2, "the mean over the folds run");
    cr_assert_eq(m->mean, t.value);
    tune_trial_release(&best);
    tune_trial_release(&t);
    lib_close(&l);
}

/* ---- through the command line ------------------------------------------------ */

static char *compile(const char *src, const char *dir, const char *name)
{
    char *path = malloc(strlen(dir) + strlen(name) + 2), cmd[2048], *errout = NULL;
    sprintf(path, "%s/%s", dir, name);
    snprintf(cmd, sizeof cmd, "cc -std=c11 -O1 -Itests/programs -o '%s' %s -lm", path, src);
    cr_assert_eq(tu_run(cmd, NULL, &errout), 0, "cannot compile %s: %s", src, errout);
    free(errout);
    return path;
}

static int cli(const char *args, char **out, char **errout)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "%s %s", tu_bin(), args);
    return tu_run(cmd, out, errout);
}

/* `tunefold trials --format json` of db, parsed. */
static cJSON *trials_json(const char *db)
{
    char args[1024], *out = NULL;
    snprintf(args, sizeof args, "trials --db '%s' --format json", db);
    cr_assert_eq(cli(args, &out, NULL), 0);
    cJSON *j = cJSON_Parse(out);
    cr_assert_not_null(j, "%s", out);
    free(out);
    return j;
}

static void assert_contains_or(const char *hay, const char *needle)
{
    cr_assert(hay && strstr(hay, needle), "missing \"%s\" in:\n%s", needle, hay ? hay : "");
}

static const char *state_of(const cJSON *t)
{
    return cJSON_GetObjectItemCaseSensitive(t, "state")->valuestring;
}

/* True once `pid` is no process, or only a zombie (a lingering child's
 * parent is gone, and whether init reaps it is init's business), waiting
 * up to 10 s: a killed process takes a moment to die. */
static int gone(long pid)
{
    for (int tries = 0; tries < 1000; tries++) {
        if (kill((pid_t)pid, 0) != 0 && errno == ESRCH)
            return 1;
        char path[64], stat[256] = "";
        snprintf(path, sizeof path, "/proc/%ld/stat", pid);
        FILE *f = fopen(path, "r");
        if (f) {
            size_t n = fread(stat, 1, sizeof stat - 1, f);
            stat[n] = '\0';
            fclose(f);
            const char *paren = strrchr(stat, ')');
            if (paren && paren[1] == ' ' && (paren[2] == 'Z' || paren[2] == 'X'))
                return 1;
        }
        struct timespec ts = {0, 10000000L};
        nanosleep(&ts, NULL);
    }
    return 0;
}

/* The pids PATH lists are all gone. */
static void assert_gone(const char *pidfile, size_t want)
{
    FILE *f = fopen(pidfile, "r");
    cr_assert_not_null(f, "no %s", pidfile);
    long pid;
    size_t n = 0;
    while (fscanf(f, "%ld", &pid) == 1) {
        n++;
        cr_assert(gone(pid), "process %ld is still there", pid);
    }
    fclose(f);
    cr_assert_eq(n, want, "%s lists %zu pids", pidfile, n);
}

static void a_pruned_program(const char *fault, size_t pids_per_run)
{
    char *dir = tu_tmpdir();
    char *prog = compile("tests/programs/curve.c", dir, "curve");
    char json[2048], pidfile[600], db[600], args[1400], *out = NULL, *errout = NULL;
    snprintf(pidfile, sizeof pidfile, "%s/pids", dir);
    snprintf(db, sizeof db, "%s/c.db", dir);
    /* rate 0.25 first (it completes: 20 steps of 0.1 s), then 2 and 3, worse
     * at every step: the median of one complete trial stops them at step 1 */
    snprintf(json, sizeof json,
             "{\"name\": \"curve\", \"trainer\": {\"exec\": [\"%s\", \"--delay=0.1\","
             " \"--pidfile=%s\", \"--fault=%s\"], \"mode\": \"score\", \"grace\": 0.5},"
             " \"space\": {\"rate\": {\"type\": \"categorical\", \"values\": [0.25, 2, 3]}},"
             " \"search\": {\"strategy\": \"grid\"},"
             " \"objective\": {\"direction\": \"minimize\"},"
             " \"pruning\": {\"strategy\": \"median\", \"startup_trials\": 1}}",
             prog, pidfile, fault);
    char *study = tu_write(dir, "curve.json", json);
    snprintf(args, sizeof args, "run '%s' --db '%s' --quiet", study, db);
    double t0 = mono();
    cr_assert_eq(cli(args, &out, &errout), 0, "%s%s", out, errout);
    double seconds = mono() - t0;
    assert_contains_or(out, "3 trials run now (1 complete, 0 failed, 2 pruned)");
    /* the complete trial takes 2 s; each pruned one its first step, plus
     * the grace when it ignores SIGTERM — not its 2 s */
    cr_assert_lt(seconds, 2.0 + 2 * (0.1 + 0.5) + 1.5, "%g s", seconds);
    cJSON *j = trials_json(db);
    cr_assert_eq(cJSON_GetArraySize(j), 3);
    cr_assert_str_eq(state_of(cJSON_GetArrayItem(j, 0)), "COMPLETE");
    for (int i = 1; i < 3; i++) {
        const cJSON *t = cJSON_GetArrayItem(j, i);
        cr_assert_str_eq(state_of(t), "PRUNED");
        cr_assert_eq(cJSON_GetObjectItemCaseSensitive(t, "pruned_at")->valueint, 1);
        /* estimated from its last value: worse than the complete trial's */
        cr_assert_eq(cJSON_GetObjectItemCaseSensitive(t, "value")->valuedouble, 0.25 + 1.0 / 20);
        cr_assert(strstr(cJSON_GetObjectItemCaseSensitive(t, "error")->valuestring,
                         "step 1: the best value so far, "),
                  "%s", cJSON_GetObjectItemCaseSensitive(t, "error")->valuestring);
    }
    cJSON_Delete(j);
    assert_gone(pidfile, 3 * pids_per_run);
    free(out);
    free(errout);
    free(study);
    free(prog);
    snprintf(args, sizeof args, "rm -rf '%s'", dir);
    cr_assert_eq(system(args), 0);
    free(dir);
}

Test(pruning, a_pruned_program_is_stopped_and_leaves_no_process_behind)
{
    a_pruned_program("none", 1);
}

Test(pruning, a_pruned_program_and_its_lingering_child_are_both_gone)
{
    a_pruned_program("linger", 2);
}

Test(pruning, a_pruned_program_that_ignores_sigterm_is_killed_after_its_grace)
{
    a_pruned_program("ignore_term", 1);
}

/* A boosting study on breast_cancer with median pruning, random search. */
static char *boost_study(const char *dir, const char *name, size_t workers)
{
    char json[1024], file[64], cwd[512];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    snprintf(json, sizeof json,
             "{\"name\": \"%s\", \"data\": {\"path\": \"%s/data/breast_cancer.csv\"},"
             " \"task\": \"binary\","
             " \"trainer\": {\"name\": \"boosting\", \"params\": {\"n_estimators\": 20}},"
             " \"space\": {\"learning_rate\": {\"type\": \"float\", \"low\": 0.001, \"high\": 1,"
             " \"scale\": \"log\"}, \"max_depth\": {\"type\": \"int\", \"low\": 1, \"high\": 6}},"
             " \"search\": {\"strategy\": \"random\", \"seed\": 5, \"workers\": %zu},"
             " \"cv\": {\"folds\": 3}, \"objective\": {\"metric\": \"log_loss\"},"
             " \"pruning\": {\"strategy\": \"median\", \"startup_trials\": 2}}",
             name, cwd, workers);
    snprintf(file, sizeof file, "%s.json", name);
    return tu_write(dir, file, json);
}

/* Each trial's "STATE@pruned_at" (or STATE), comma-separated, by number. */
static void outcomes(const char *db, char *buf, size_t len)
{
    cJSON *j = trials_json(db);
    buf[0] = '\0';
    const cJSON *t;
    cJSON_ArrayForEach(t, j) {
        const cJSON *at = cJSON_GetObjectItemCaseSensitive(t, "pruned_at");
        size_t o = strlen(buf);
        if (cJSON_IsNumber(at))
            snprintf(buf + o, len - o, "%s%s@%d", o ? "," : "", state_of(t), at->valueint);
        else
            snprintf(buf + o, len - o, "%s%s", o ? "," : "", state_of(t));
    }
    cJSON_Delete(j);
}

Test(pruning, a_resumed_pruned_study_decides_as_an_uninterrupted_one)
{
    char *dir = tu_tmpdir();
    char *study = boost_study(dir, "resume", 1);
    char once[600], twice[600], args[1400], *out = NULL, a[4096], b[4096];
    snprintf(once, sizeof once, "%s/once.db", dir);
    snprintf(twice, sizeof twice, "%s/twice.db", dir);
    snprintf(args, sizeof args, "run '%s' --db '%s' --trials 16 --quiet", study, once);
    cr_assert_eq(cli(args, &out, NULL), 0, "%s", out);
    free(out);
    snprintf(args, sizeof args, "run '%s' --db '%s' --trials 7 --quiet", study, twice);
    cr_assert_eq(cli(args, &out, NULL), 0, "%s", out);
    free(out);
    snprintf(args, sizeof args, "run '%s' --db '%s' --trials 16 --quiet", study, twice);
    cr_assert_eq(cli(args, &out, NULL), 0, "%s", out);
    assert_contains_or(out, "9 trials run now");
    free(out);
    outcomes(once, a, sizeof a);
    outcomes(twice, b, sizeof b);
    cr_assert_str_eq(b, a, "resumed: %s\nuninterrupted: %s", b, a);
    cr_assert(strstr(a, "PRUNED@"), "something was pruned: %s", a);
    cr_assert(strncmp(a, "COMPLETE,COMPLETE,", 18) == 0, "2 startup trials run in full: %s", a);
    /* csv: pruned_at last; the table: "pruned at N: why" */
    snprintf(args, sizeof args, "trials --db '%s' --format csv", once);
    cr_assert_eq(cli(args, &out, NULL), 0);
    cr_assert(strncmp(out, "number,state,value,value_std,params,fit_seconds,predict_seconds,"
                           "origin,worker,error,pruned_at\n", 84) == 0, "%s", out);
    const char *row = strstr(out, ",PRUNED,");
    cr_assert_not_null(row, "%s", out);
    const char *eol = strchr(row, '\n');
    cr_assert(eol && eol[-1] >= '0' && eol[-1] <= '9', "a pruned row ends with pruned_at");
    cr_assert(strstr(row, "of the 2 complete trials there") ||
                  strstr(row, "complete trials there"), "%s", row);
    free(out);
    snprintf(args, sizeof args, "trials --db '%s'", once);
    cr_assert_eq(cli(args, &out, NULL), 0);
    cr_assert(strstr(out, "  pruned at "), "%s", out);
    free(out);
    free(study);
    snprintf(args, sizeof args, "rm -rf '%s'", dir);
    cr_assert_eq(system(args), 0);
    free(dir);
}

Test(pruning, two_workers_finish_the_budget_pruning_from_the_shared_history)
{
    char *dir = tu_tmpdir();
    char *study = boost_study(dir, "two", 2);
    char db[600], args[1400], *out = NULL, *errout = NULL, got[4096];
    snprintf(db, sizeof db, "%s/two.db", dir);
    snprintf(args, sizeof args, "run '%s' --db '%s' --trials 16 --quiet", study, db);
    cr_assert_eq(cli(args, &out, &errout), 0, "%s%s", out, errout);
    assert_contains_or(out, "16/16 stored");
    assert_contains_or(out, "stopped: budget met");
    outcomes(db, got, sizeof got);
    size_t complete = 0, pruned = 0;
    for (const char *p = got; (p = strstr(p, "COMPLETE")); p++)
        complete++;
    for (const char *p = got; (p = strstr(p, "PRUNED@")); p++)
        pruned++;
    cr_assert_eq(complete + pruned, 16, "%s", got);
    cr_assert_geq(complete, 2, "%s", got);
    cr_assert_gt(pruned, 0, "%s", got);
    /* each pruned trial's stored values end where it stopped, in some fold */
    cJSON *j = trials_json(db);
    const cJSON *t;
    cJSON_ArrayForEach(t, j) {
        if (strcmp(state_of(t), "PRUNED") != 0)
            continue;
        char q[1400], *v = NULL;
        int number = cJSON_GetObjectItemCaseSensitive(t, "number")->valueint;
        snprintf(q, sizeof q,
                 "sqlite3 '%s' \"SELECT MAX(i.step) FROM trial_intermediate i JOIN trials t ON "
                 "t.id = i.trial_id WHERE t.number = %d AND i.fold = (SELECT MAX(fold) FROM "
                 "trial_intermediate WHERE trial_id = t.id)\"",
                 db, number);
        cr_assert_eq(tu_run(q, &v, NULL), 0);
        cr_assert_eq(atoi(v), cJSON_GetObjectItemCaseSensitive(t, "pruned_at")->valueint,
                     "trial %d: last step %s", number, v);
        free(v);
    }
    cJSON_Delete(j);
    free(out);
    free(errout);
    free(study);
    snprintf(args, sizeof args, "rm -rf '%s'", dir);
    cr_assert_eq(system(args), 0);
    free(dir);
}

Test(pruning, run_prints_and_stores_why_a_stop_rule_ended_the_study)
{
    char *dir = tu_tmpdir();
    char db[600], args[1400], *out = NULL, *errout = NULL;
    snprintf(db, sizeof db, "%s/s.db", dir);
    /* one float parameter that changes nothing: the first trial stays the
     * best, and 3 more without improvement meet the patience */
    char cwd[512], json[1024], *study;
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    snprintf(json, sizeof json,
             "{\"name\": \"pat\", \"data\": {\"path\": \"%s/data/breast_cancer.csv\"},"
             " \"task\": \"binary\", \"trainer\": {\"name\": \"naive_bayes\"},"
             " \"space\": {\"var_smoothing\": {\"type\": \"float\", \"low\": 1e-12,"
             " \"high\": 1e-11, \"scale\": \"log\"}},"
             " \"search\": {\"strategy\": \"random\", \"trials\": 50, \"patience\": 3},"
             " \"cv\": {\"folds\": 3}, \"objective\": {\"metric\": \"accuracy\"}}",
             cwd);
    study = tu_write(dir, "p.json", json);
    snprintf(args, sizeof args, "run '%s' --db '%s' --quiet", study, db);
    cr_assert_eq(cli(args, &out, &errout), 0, "%s%s", out, errout);
    assert_contains_or(out, "4 trials run now (4 complete, 0 failed) in ");
    assert_contains_or(out, "; 4/50 stored\nstopped: no improvement in search.patience trials\n");
    cr_assert(!errout || !strstr(errout, "unfinished"), "%s", errout);
    free(out);
    free(errout);
    char q[800], *v = NULL;
    snprintf(q, sizeof q, "sqlite3 '%s' \"SELECT value FROM study_attrs WHERE key = "
                          "'stop_reason'\"", db);
    cr_assert_eq(tu_run(q, &v, NULL), 0);
    cr_assert_str_eq(v, "no improvement in search.patience trials\n");
    free(v);
    free(study);
    snprintf(args, sizeof args, "rm -rf '%s'", dir);
    cr_assert_eq(system(args), 0);
    free(dir);
}

Test(pruning, a_trial_stopped_at_a_step_is_valued_at_the_rank_of_its_last_value)
{
    char *dir = tu_tmpdir();
    char *prog = compile("tests/programs/curve.c", dir, "curve");
    char json[2048], db[600], args[1400], *out = NULL, *errout = NULL;
    snprintf(db, sizeof db, "%s/r.db", dir);
    /* four complete trials, step-1 values 1.25 1.5 1.75 2 (median 1.625),
     * objectives rate + 1/20: 0.3 0.55 0.8 1.05; then rate 0.8, step-1
     * value 1.8: pruned, 3 of 4 complete trials were better there, so its
     * value is the objectives' point 3/4 of the way from best to worst:
     * 0.8 + 0.25 (1.05 - 0.8) */
    snprintf(json, sizeof json,
             "{\"name\": \"rank\", \"trainer\": {\"exec\": [\"%s\", \"--delay=0.005\"],"
             " \"mode\": \"score\"},"
             " \"space\": {\"rate\": {\"type\": \"categorical\", \"values\": [0.25, 0.5, 0.75, 1,"
             " 0.8]}}, \"search\": {\"strategy\": \"grid\"},"
             " \"objective\": {\"direction\": \"minimize\"},"
             " \"pruning\": {\"strategy\": \"median\", \"startup_trials\": 4}}",
             prog);
    char *study = tu_write(dir, "rank.json", json);
    snprintf(args, sizeof args, "run '%s' --db '%s' --quiet", study, db);
    cr_assert_eq(cli(args, &out, &errout), 0, "%s%s", out, errout);
    cJSON *j = trials_json(db);
    const cJSON *t = cJSON_GetArrayItem(j, 4);
    cr_assert_str_eq(state_of(t), "PRUNED");
    double v = cJSON_GetObjectItemCaseSensitive(t, "value")->valuedouble;
    cr_assert(fabs(v - (0.8 + 0.25 * 0.25)) < 1e-12, "%.17g", v);
    cJSON_Delete(j);
    free(out);
    free(errout);
    free(study);
    free(prog);
    snprintf(args, sizeof args, "rm -rf '%s'", dir);
    cr_assert_eq(system(args), 0);
    free(dir);
}
