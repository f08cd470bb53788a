/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_cli.c — the command-line tool, black-box: help and version, usage
 * errors (exit 2, one line on stderr), `run` end to end with its stored
 * trials, grid coverage, seeded reproducibility, resume, a changed study,
 * `evaluate`, `trials`, `best`, and bad input files.
 *
 * Every test runs tu_bin() (the asan build substitutes its own) against its
 * own tu_tmpdir() database, so tests run in parallel.  Budgets are tiny
 * (3..8 trials on breast_cancer) to keep the file at a few seconds.  Study
 * files are in tests/data/studies/ (data paths are relative to that folder);
 * files that must be broken in a particular way are written per test. */
#include "testutil.h"

#include <cJSON.h>
#include <limits.h>
#include <stdarg.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include "tunefold/store.h"

#define STUDIES "tests/data/studies/"

struct result {
    int rc;
    char *out, *err;
};

/* Run `tunefold ARGS...` (ARGS formatted; shell quoting is the caller's). */
#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static struct result cli(const char *fmt, ...)
{
    char args[4096], cmd[4608];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "%s %s", tu_bin(), args);
    struct result r;
    r.rc = tu_run(cmd, &r.out, &r.err);
    return r;
}

static void result_free(struct result *r)
{
    free(r->out);
    free(r->err);
}

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* A usage error: exit 2, nothing on stdout, exactly one line on stderr that
 * contains every given needle (NULL-terminated). */
static void assert_usage_error(const struct result *r, ...)
{
    cr_assert_eq(r->rc, 2, "exit %d, stderr: %s", r->rc, r->err);
    cr_assert_str_empty(r->out, "stdout: %s", r->out);
    cr_assert_eq(count_lines(r->err), 1, "stderr is not one line:\n%s", r->err);
    cr_assert_eq(r->err[strlen(r->err) - 1], '\n');
    va_list ap;
    va_start(ap, r);
    for (const char *needle; (needle = va_arg(ap, const char *));)
        cr_assert_not_null(strstr(r->err, needle), "stderr \"%s\" lacks \"%s\"", r->err,
                           needle);
    va_end(ap);
}

struct scratch {
    char *dir;
    char db[600];
};

static struct scratch scratch_new(void)
{
    struct scratch s;
    s.dir = tu_tmpdir();
    snprintf(s.db, sizeof s.db, "%s/t.db", s.dir);
    return s;
}

/* Remove the scratch folder and everything in it (flat). */
static void scratch_free(struct scratch *s)
{
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->dir);
    cr_assert_eq(system(cmd), 0);
    free(s->dir);
}

static cJSON *parse_json(const char *text)
{
    cJSON *j = cJSON_Parse(text);
    cr_assert_not_null(j, "not JSON:\n%s", text);
    return j;
}

static cJSON *item(const cJSON *obj, const char *key)
{
    cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    cr_assert_not_null(v, "no \"%s\" in %s", key, cJSON_PrintUnformatted(obj));
    return v;
}

/* `trials --format json` of the only study in db, as a parsed array. */
static cJSON *trials_json(const char *db)
{
    struct result r = cli("trials --db '%s' --format json", db);
    cr_assert_eq(r.rc, 0, "trials: %s", r.err);
    cJSON *j = parse_json(r.out);
    cr_assert(cJSON_IsArray(j));
    result_free(&r);
    return j;
}

/* Run a study quietly; it must succeed. */
static void run_ok(const char *study, const char *db, int trials)
{
    struct result r = cli("run " STUDIES "%s --db '%s' --trials %d --quiet", study, db, trials);
    cr_assert_eq(r.rc, 0, "run %s exited %d: %s", study, r.rc, r.err);
    result_free(&r);
}

/* The trials without their timing fields and the process that ran them,
 * printed: what must reproduce. */
static char *without_timings(const cJSON *trials)
{
    cJSON *copy = cJSON_Duplicate(trials, 1);
    cJSON *t;
    cJSON_ArrayForEach(t, copy) {
        cJSON_DeleteItemFromObjectCaseSensitive(t, "fit_seconds");
        cJSON_DeleteItemFromObjectCaseSensitive(t, "predict_seconds");
        cJSON_DeleteItemFromObjectCaseSensitive(t, "worker");
    }
    char *s = cJSON_PrintUnformatted(copy);
    cJSON_Delete(copy);
    return s;
}

/* data/NAME as an absolute path (tests run from the project root). */
static char *abs_data(const char *name)
{
    char cwd[PATH_MAX], *abs = malloc(PATH_MAX + 64);
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    snprintf(abs, PATH_MAX + 64, "%s/data/%s", cwd, name);
    cr_assert_eq(access(abs, R_OK), 0, "no %s", abs);
    return abs;
}

/* ------------------------------------------------------ help, version */

Test(cli, version_prints_the_version_on_stdout)
{
    struct result r = cli("--version");
    cr_assert_eq(r.rc, 0);
    cr_assert(strncmp(r.out, "tunefold 0.", 11) == 0, "%s", r.out);
    /* and the libraries it runs with */
    cr_assert_eq(count_lines(r.out), 2, "%s", r.out);
    cr_assert(strstr(r.out, "\nGSL 2.") && strstr(r.out, ", NLopt 2.") &&
                  strstr(r.out, ", SQLite 3.") && strstr(r.out, ", cJSON 1."),
              "%s", r.out);
    cr_assert_str_empty(r.err);
    result_free(&r);
}

Test(cli, help_prints_the_usage_and_every_command_on_stdout)
{
    struct result r = cli("--help");
    cr_assert_eq(r.rc, 0);
    cr_assert_not_null(strstr(r.out, "Usage: tunefold COMMAND"), "%s", r.out);
    const char *cmds[] = {"run", "evaluate", "trials", "best"};
    for (size_t i = 0; i < 4; i++)
        cr_assert_not_null(strstr(r.out, cmds[i]), "no %s in help", cmds[i]);
    cr_assert_str_empty(r.err);
    result_free(&r);
}

static void assert_command_help(const char *cmd)
{
    struct result r = cli("%s --help", cmd);
    char want[64];
    snprintf(want, sizeof want, "Usage: tunefold %s", cmd);
    cr_assert_eq(r.rc, 0, "%s --help exited %d", cmd, r.rc);
    cr_assert_not_null(strstr(r.out, want), "%s --help:\n%s", cmd, r.out);
    cr_assert_not_null(strstr(r.out, "--db"), "%s --help has no --db", cmd);
    cr_assert_str_empty(r.err);
    result_free(&r);
}

Test(cli, run_help_prints_its_usage_on_stdout)
{
    assert_command_help("run");
}

Test(cli, evaluate_help_prints_its_usage_on_stdout)
{
    assert_command_help("evaluate");
}

Test(cli, trials_help_prints_its_usage_on_stdout)
{
    assert_command_help("trials");
}

Test(cli, best_help_prints_its_usage_on_stdout)
{
    assert_command_help("best");
}

/* -------------------------------------------------------- usage errors */

Test(cli, an_unknown_command_is_a_usage_error_naming_it)
{
    struct result r = cli("frobnicate");
    assert_usage_error(&r, "unknown command", "frobnicate", NULL);
    result_free(&r);
}

Test(cli, an_unknown_option_is_a_usage_error_naming_it)
{
    struct result r = cli("run " STUDIES "cli_random.json --frob 3");
    assert_usage_error(&r, "unknown option", "--frob", NULL);
    result_free(&r);
    r = cli("trials --colour");
    assert_usage_error(&r, "unknown option", "--colour", NULL);
    result_free(&r);
}

Test(cli, run_without_a_study_file_is_a_usage_error)
{
    struct result r = cli("run");
    assert_usage_error(&r, "expected one study file", NULL);
    result_free(&r);
}

Test(cli, a_zero_trial_budget_is_a_usage_error)
{
    struct scratch s = scratch_new();
    struct result r = cli("run " STUDIES "cli_random.json --db '%s' --trials 0", s.db);
    assert_usage_error(&r, "--trials", "'0'", NULL);
    result_free(&r);
    scratch_free(&s);
}

Test(cli, an_unknown_format_is_a_usage_error)
{
    struct result r = cli("trials --format xml");
    assert_usage_error(&r, "--format", "xml", NULL);
    result_free(&r);
    r = cli("best --format csv");
    assert_usage_error(&r, "--format", "csv", NULL);
    result_free(&r);
}

/* ------------------------------------------------------- run end to end */

Test(cli, run_stores_the_budget_and_trials_lists_every_field)
{
    struct scratch s = scratch_new();
    struct result r = cli("run " STUDIES "cli_random.json --db '%s' --trials 4", s.db);
    cr_assert_eq(r.rc, 0, "run: %s", r.err);
    cr_assert_not_null(strstr(r.out, "study 'cli-random': 4 trials run now"), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "best trial #"), "%s", r.out);
    /* Not a terminal: one progress line per trial on stderr. */
    cr_assert_eq(count_lines(r.err), 4, "stderr:\n%s", r.err);
    result_free(&r);

    cJSON *trials = trials_json(s.db);
    cr_assert_eq(cJSON_GetArraySize(trials), 4);
    static const char *const keys[] = {"number", "state", "value", "value_std",
                                       "params", "fit_seconds", "predict_seconds"};
    int i = 0;
    const cJSON *t;
    cJSON_ArrayForEach(t, trials) {
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
            item(t, keys[k]);
        cr_assert_eq(item(t, "number")->valueint, i);
        cr_assert_str_eq(item(t, "state")->valuestring, "COMPLETE");
        double v = item(t, "value")->valuedouble;
        cr_assert(v > 0.9 && v <= 1.0, "roc_auc %g", v);
        cr_assert(item(t, "value_std")->valuedouble >= 0);
        cr_assert(item(t, "fit_seconds")->valuedouble >= 0);
        cr_assert(item(t, "predict_seconds")->valuedouble >= 0);
        const cJSON *p = item(t, "params");
        cr_assert(cJSON_IsObject(p));
        double C = item(p, "C")->valuedouble;
        cr_assert(C >= 0.01 && C <= 10, "C = %g outside the space", C);
        const char *pen = item(p, "penalty")->valuestring;
        cr_assert(strcmp(pen, "l1") == 0 || strcmp(pen, "l2") == 0, "penalty %s", pen);
        i++;
    }
    cJSON_Delete(trials);
    scratch_free(&s);
}

Test(cli, best_reports_the_top_trial_with_every_metric)
{
    struct scratch s = scratch_new();
    run_ok("cli_random.json", s.db, 3);
    cJSON *trials = trials_json(s.db);
    double top = -1;
    int top_no = -1;
    const cJSON *t;
    cJSON_ArrayForEach(t, trials) {
        if (item(t, "value")->valuedouble > top) {
            top = item(t, "value")->valuedouble;
            top_no = item(t, "number")->valueint;
        }
    }

    struct result r = cli("best --db '%s' --format json", s.db);
    cr_assert_eq(r.rc, 0, "best: %s", r.err);
    cJSON *b = parse_json(r.out);
    cr_assert_str_eq(item(b, "study")->valuestring, "cli-random");
    cr_assert_eq(item(b, "trial")->valueint, top_no);
    cr_assert_eq(item(b, "value")->valuedouble, top);
    cr_assert(cJSON_IsObject(item(b, "params")));
    const cJSON *m = item(b, "metrics");
    const cJSON *auc = item(m, "roc_auc");
    cr_assert_eq(item(auc, "mean")->valuedouble, top);
    cr_assert(item(auc, "std")->valuedouble >= 0);
    const char *names[] = {"accuracy", "log_loss", "f1"};
    for (size_t k = 0; k < 3; k++) {
        const cJSON *e = item(m, names[k]);
        item(e, "mean");
        item(e, "std");
    }
    cJSON_Delete(b);
    result_free(&r);

    r = cli("best --db '%s'", s.db);
    cr_assert_eq(r.rc, 0);
    cr_assert_not_null(strstr(r.out, "study 'cli-random': best trial #"), "%s", r.out);
    result_free(&r);
    cJSON_Delete(trials);
    scratch_free(&s);
}

Test(cli, trials_csv_has_a_header_and_one_row_per_trial)
{
    struct scratch s = scratch_new();
    run_ok("cli_random.json", s.db, 3);
    struct result r = cli("trials --db '%s' --format csv", s.db);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert_eq(count_lines(r.out), 4, "%s", r.out);
    cr_assert(strncmp(r.out, "number,state,value,value_std,params,fit_seconds,predict_seconds",
                      62) == 0,
              "%s", r.out);
    const char *row = strchr(r.out, '\n') + 1;
    for (int i = 0; i < 3; i++) {
        char want[32];
        snprintf(want, sizeof want, "%d,COMPLETE,", i);
        cr_assert(strncmp(row, want, strlen(want)) == 0, "row %d: %.80s", i, row);
        /* params JSON is quoted with doubled quotes */
        cr_assert_not_null(strstr(row, "\"{\"\"C\"\": "), "row %d: %.120s", i, row);
        row = strchr(row, '\n') + 1;
    }
    result_free(&r);
    scratch_free(&s);
}

Test(cli, trials_table_names_the_study_and_its_metric)
{
    struct scratch s = scratch_new();
    run_ok("cli_random.json", s.db, 3);
    struct result r = cli("trials --db '%s'", s.db);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert_not_null(strstr(r.out, "study 'cli-random' (roc_auc, maximize)"), "%s", r.out);
    cr_assert_eq(count_lines(r.out), 5, "%s", r.out); /* title, header, 3 trials */
    result_free(&r);
    scratch_free(&s);
}

/* --------------------------------------------------------------- grid */

Test(cli, grid_visits_every_point_once_and_a_second_run_adds_nothing)
{
    /* C on 4 log-spaced points in [0.01, 10] times penalty l1/l2. */
    static const double want_C[4] = {0.01, 0.1, 1, 10};
    struct scratch s = scratch_new();
    struct result r = cli("run " STUDIES "cli_grid.json --db '%s' --quiet", s.db);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert_not_null(strstr(r.out, "8 trials run now (8 complete, 0 failed)"), "%s", r.out);
    result_free(&r);

    cJSON *trials = trials_json(s.db);
    cr_assert_eq(cJSON_GetArraySize(trials), 8);
    int seen[4][2] = {{0}};
    const cJSON *t;
    cJSON_ArrayForEach(t, trials) {
        const cJSON *p = item(t, "params");
        double C = item(p, "C")->valuedouble;
        const char *pen = item(p, "penalty")->valuestring;
        int ci = -1;
        for (int k = 0; k < 4; k++)
            if (fabs(C - want_C[k]) <= 1e-12 * want_C[k])
                ci = k;
        cr_assert_geq(ci, 0, "C = %.17g is not a grid value", C);
        int pi = strcmp(pen, "l1") == 0 ? 0 : strcmp(pen, "l2") == 0 ? 1 : -1;
        cr_assert_geq(pi, 0, "penalty %s", pen);
        seen[ci][pi]++;
    }
    for (int c = 0; c < 4; c++)
        for (int p = 0; p < 2; p++)
            cr_assert_eq(seen[c][p], 1, "C=%g penalty %d visited %d times", want_C[c], p,
                         seen[c][p]);
    char *before = without_timings(trials);
    cJSON_Delete(trials);

    r = cli("run " STUDIES "cli_grid.json --db '%s' --quiet", s.db);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert_not_null(strstr(r.out, "nothing to do"), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "0 trials run now"), "%s", r.out);
    result_free(&r);
    /* Even a larger budget cannot go past the grid. */
    r = cli("run " STUDIES "cli_grid.json --db '%s' --quiet --trials 12", s.db);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    result_free(&r);
    trials = trials_json(s.db);
    cr_assert_eq(cJSON_GetArraySize(trials), 8);
    char *after = without_timings(trials);
    cr_assert_str_eq(after, before);
    cJSON_Delete(trials);
    free(before);
    free(after);
    scratch_free(&s);
}

/* A logistic study on breast_cancer whose space has 2 x 2 x 2 = 8 points,
 * searched by `strategy` with `workers` workers and a budget of 12. */
static char *small_space_study(const char *dir, const char *strategy, int workers)
{
    char *data = abs_data("breast_cancer.csv"), text[2048];
    snprintf(text, sizeof text,
             "{\"name\": \"small-%s\", \"data\": {\"path\": \"%s\"}, \"task\": \"binary\","
             " \"trainer\": {\"name\": \"logistic\"},"
             " \"space\": {\"penalty\": {\"type\": \"categorical\", \"values\": [\"l1\", \"l2\"]},"
             " \"class_weight\": {\"type\": \"categorical\", \"values\": [\"none\", \"balanced\"]},"
             " \"fit_intercept\": {\"type\": \"bool\"}},"
             " \"preprocess\": {\"scale\": \"standard\"}, \"cv\": {\"folds\": 3},"
             " \"search\": {\"strategy\": \"%s\", \"trials\": 12, \"seed\": 7,"
             " \"workers\": %d}}",
             strategy, data, strategy, workers);
    free(data);
    return tu_write(dir, "small.json", text);
}

/* The stored trials of db: 8, each configuration once. */
static void assert_each_configuration_once(const char *db)
{
    cJSON *trials = trials_json(db);
    cr_assert_eq(cJSON_GetArraySize(trials), 8);
    int seen[8] = {0};
    const cJSON *t;
    cJSON_ArrayForEach(t, trials) {
        const cJSON *p = item(t, "params");
        int k = (strcmp(item(p, "penalty")->valuestring, "l2") == 0) * 4 +
                (strcmp(item(p, "class_weight")->valuestring, "balanced") == 0) * 2 +
                cJSON_IsTrue(item(p, "fit_intercept"));
        cr_assert_eq(seen[k]++, 0, "configuration %d twice: %s", k, cJSON_PrintUnformatted(p));
    }
    cJSON_Delete(trials);
}

Test(cli, random_and_sobol_try_each_configuration_of_a_small_space_once_then_stop)
{
    static const char *const strategies[] = {"random", "sobol"};
    for (int i = 0; i < 2; i++) {
        struct scratch s = scratch_new();
        char *study = small_space_study(s.dir, strategies[i], 1);
        struct result r = cli("run '%s' --db '%s' --quiet", study, s.db);
        cr_assert_eq(r.rc, 0, "%s: %s", strategies[i], r.err);
        /* the budget of 12 is capped at the 8 configurations */
        cr_assert_not_null(strstr(r.out, "8 trials run now (8 complete, 0 failed)"), "%s: %s",
                           strategies[i], r.out);
        cr_assert_not_null(strstr(r.out, "8/8 stored"), "%s: %s", strategies[i], r.out);
        result_free(&r);
        assert_each_configuration_once(s.db);
        free(study);
        scratch_free(&s);
    }
}

Test(cli, two_random_workers_share_a_small_space_without_repeating_a_configuration)
{
    struct scratch s = scratch_new();
    char *study = small_space_study(s.dir, "random", 2);
    struct result r = cli("run '%s' --db '%s' --quiet", study, s.db);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    result_free(&r);
    assert_each_configuration_once(s.db);
    free(study);
    scratch_free(&s);
}

/* ------------------------------------------- reproducibility, resume */

Test(cli, the_same_seed_in_two_databases_stores_identical_trials)
{
    struct scratch a = scratch_new(), b = scratch_new();
    run_ok("cli_random.json", a.db, 4);
    run_ok("cli_random.json", b.db, 4);
    cJSON *ta = trials_json(a.db), *tb = trials_json(b.db);
    char *sa = without_timings(ta), *sb = without_timings(tb);
    cr_assert_str_eq(sa, sb);
    /* ... and the four points are not all the same point. */
    cr_assert_neq(item(item(cJSON_GetArrayItem(ta, 0), "params"), "C")->valuedouble,
                  item(item(cJSON_GetArrayItem(ta, 1), "params"), "C")->valuedouble);
    free(sa);
    free(sb);
    cJSON_Delete(ta);
    cJSON_Delete(tb);
    scratch_free(&a);
    scratch_free(&b);
}

Test(cli, another_seed_draws_other_points)
{
    struct scratch a = scratch_new();
    run_ok("cli_random.json", a.db, 3);
    struct result r =
        cli("run " STUDIES "cli_random.json --db '%s/other.db' --trials 3 --quiet --seed 12",
            a.dir);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    result_free(&r);
    char other[700];
    snprintf(other, sizeof other, "%s/other.db", a.dir);
    cJSON *ta = trials_json(a.db), *tb = trials_json(other);
    cr_assert_neq(item(item(cJSON_GetArrayItem(ta, 0), "params"), "C")->valuedouble,
                  item(item(cJSON_GetArrayItem(tb, 0), "params"), "C")->valuedouble);
    cJSON_Delete(ta);
    cJSON_Delete(tb);
    scratch_free(&a);
}

Test(cli, a_raised_budget_resumes_without_redoing_stored_trials)
{
    struct scratch s = scratch_new();
    run_ok("cli_random.json", s.db, 3);
    cJSON *first = trials_json(s.db);
    cr_assert_eq(cJSON_GetArraySize(first), 3);

    struct result r = cli("run " STUDIES "cli_random.json --db '%s' --trials 6", s.db);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert_not_null(strstr(r.err, "3 of 6 trials already stored"), "%s", r.err);
    cr_assert_not_null(strstr(r.out, "3 trials run now"), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "6/6 stored"), "%s", r.out);
    result_free(&r);

    cJSON *all = trials_json(s.db);
    cr_assert_eq(cJSON_GetArraySize(all), 6);
    /* Byte-identical, timings included: a redone trial would have new
     * timings even if its value came out the same. */
    for (int i = 0; i < 3; i++) {
        char *a = cJSON_PrintUnformatted(cJSON_GetArrayItem(first, i));
        char *b = cJSON_PrintUnformatted(cJSON_GetArrayItem(all, i));
        cr_assert_str_eq(b, a, "trial %d changed", i);
        free(a);
        free(b);
    }
    /* The resumed study is the same as one run straight to 6. */
    struct scratch straight = scratch_new();
    run_ok("cli_random.json", straight.db, 6);
    cJSON *ref = trials_json(straight.db);
    char *x = without_timings(all), *y = without_timings(ref);
    cr_assert_str_eq(x, y);
    free(x);
    free(y);
    cJSON_Delete(ref);
    cJSON_Delete(first);
    cJSON_Delete(all);
    scratch_free(&straight);
    scratch_free(&s);
}

Test(cli, a_changed_study_under_the_same_name_is_refused)
{
    struct scratch s = scratch_new();
    run_ok("cli_random.json", s.db, 3);
    struct result r = cli("run " STUDIES "cli_random_wider.json --db '%s' --trials 3", s.db);
    cr_assert_eq(r.rc, 2, "exit %d: %s", r.rc, r.err);
    cr_assert_str_empty(r.out);
    cr_assert_not_null(strstr(r.err, "'cli-random'"), "%s", r.err);
    cr_assert_not_null(strstr(r.err, "\"name\""), "%s", r.err);
    result_free(&r);
    /* Nothing was added to the stored study. */
    cJSON *t = trials_json(s.db);
    cr_assert_eq(cJSON_GetArraySize(t), 3);
    cJSON_Delete(t);
    scratch_free(&s);
}

/* ------------------------------------------------------------ evaluate */

Test(cli, evaluate_prints_every_metric)
{
    struct scratch s = scratch_new();
    struct result r =
        cli("evaluate " STUDIES "cli_random.json --db '%s' --params '{\"C\": 0.5}'", s.db);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    const char *names[] = {"accuracy", "roc_auc", "log_loss", "f1"};
    for (size_t k = 0; k < 4; k++)
        cr_assert_not_null(strstr(r.out, names[k]), "no %s in:\n%s", names[k], r.out);
    cr_assert_not_null(strstr(r.out, "5 folds"), "%s", r.out);
    result_free(&r);
    scratch_free(&s);
}

Test(cli, evaluate_json_has_every_metric_over_the_folds)
{
    struct scratch s = scratch_new();
    struct result r = cli("evaluate " STUDIES "cli_random.json --db '%s' --format json "
                          "--params '{\"C\": 0.5, \"penalty\": \"l1\"}'",
                          s.db);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cJSON *j = parse_json(r.out);
    cr_assert_str_eq(item(j, "study")->valuestring, "cli-random");
    cr_assert_eq(item(j, "folds")->valueint, 5);
    const cJSON *p = item(j, "params");
    cr_assert_eq(item(p, "C")->valuedouble, 0.5);
    cr_assert_str_eq(item(p, "penalty")->valuestring, "l1");
    const cJSON *m = item(j, "metrics");
    const char *names[] = {"accuracy", "roc_auc", "log_loss", "f1"};
    for (size_t k = 0; k < 4; k++) {
        const cJSON *e = item(m, names[k]);
        const cJSON *folds = item(e, "folds");
        cr_assert_eq(cJSON_GetArraySize(folds), 5, "%s", names[k]);
        double sum = 0;
        const cJSON *f;
        cJSON_ArrayForEach(f, folds) sum += f->valuedouble;
        assert_close(item(e, "mean")->valuedouble, sum / 5, 1e-12);
        cr_assert(item(e, "std")->valuedouble >= 0);
    }
    item(j, "fit_seconds");
    item(j, "predict_seconds");
    cJSON_Delete(j);
    result_free(&r);
    scratch_free(&s);
}

Test(cli, evaluate_names_an_unknown_parameter)
{
    struct scratch s = scratch_new();
    struct result r =
        cli("evaluate " STUDIES "cli_random.json --db '%s' --params '{\"nope\": 1}'", s.db);
    assert_usage_error(&r, "nope", NULL);
    result_free(&r);
    scratch_free(&s);
}

Test(cli, evaluate_names_a_value_out_of_range)
{
    struct scratch s = scratch_new();
    struct result r =
        cli("evaluate " STUDIES "cli_random.json --db '%s' --params '{\"C\": -2}'", s.db);
    assert_usage_error(&r, "--params.C", NULL);
    result_free(&r);
    scratch_free(&s);
}

/* scikit-learn's cross_validate of make_pipeline(StandardScaler(),
 * LogisticRegression(C=1.0)) on breast_cancer with StratifiedKFold(5,
 * shuffle=True, random_state=0) gives roc_auc 0.9954558 and accuracy
 * 0.9789163 (numbers from the brief, rechecked with /usr/bin/python3 and
 * scikit-learn 1.2; the script is bench/reference/cli_sklearn_c1.py).  Our
 * folds are drawn by our own seeded shuffle, not numpy's, so the fold means
 * differ a little: over sklearn's random_state 0..2 and 42 they move by up
 * to 0.0003 (roc_auc) and 0.005 (accuracy).  Hence the loose tolerances. */
Test(cli, c1_l2_matches_scikit_learn_within_fold_noise)
{
    struct scratch s = scratch_new();
    struct result r = cli("evaluate " STUDIES "cli_c1_l2.json --db '%s' --format json "
                          "--params '{\"C\": 1, \"penalty\": \"l2\"}'",
                          s.db);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cJSON *j = parse_json(r.out);
    const cJSON *m = item(j, "metrics");
    double auc = item(item(m, "roc_auc"), "mean")->valuedouble;
    double acc = item(item(m, "accuracy"), "mean")->valuedouble;
    cr_assert(fabs(auc - 0.99546) <= 0.002, "roc_auc %.6f, sklearn 0.99546", auc);
    cr_assert(fabs(acc - 0.97892) <= 0.01, "accuracy %.6f, sklearn 0.97892", acc);
    cJSON_Delete(j);
    result_free(&r);
    scratch_free(&s);
}

/* ---------------------------------------------------- bad input files */

Test(cli, a_missing_study_file_is_bad_input)
{
    struct scratch s = scratch_new();
    struct result r = cli("run " STUDIES "no_such_study.json --db '%s'", s.db);
    assert_usage_error(&r, "no_such_study.json", NULL);
    result_free(&r);
    scratch_free(&s);
}

Test(cli, invalid_json_names_the_file_line_and_column)
{
    struct scratch s = scratch_new();
    struct result r = cli("run " STUDIES "cli_invalid.json --db '%s'", s.db);
    assert_usage_error(&r, STUDIES "cli_invalid.json:3:11: invalid JSON", NULL);
    result_free(&r);
    scratch_free(&s);
}

Test(cli, an_unknown_key_is_named)
{
    struct scratch s = scratch_new();
    struct result r = cli("run " STUDIES "cli_unknown_key.json --db '%s'", s.db);
    assert_usage_error(&r, "cli_unknown_key.json", "search.trails: unknown key", NULL);
    result_free(&r);
    r = cli("evaluate " STUDIES "cli_unknown_key.json --db '%s'", s.db);
    assert_usage_error(&r, "search.trails", NULL);
    result_free(&r);
    scratch_free(&s);
}

Test(cli, a_missing_target_column_is_named)
{
    struct scratch s = scratch_new();
    struct result r = cli("run " STUDIES "cli_missing_target.json --db '%s'", s.db);
    assert_usage_error(&r, "breast_cancer.csv", "'xyz'", "not found", NULL);
    result_free(&r);
    scratch_free(&s);
}

Test(cli, a_ragged_csv_row_is_named_by_file_and_line)
{
    struct scratch s = scratch_new();
    char *csv = tu_write(s.dir, "ragged.csv",
                         "a,b,target\n0.25,1.5,0\n0.75,2.5,1\n1.25,3.5\n1.75,4.5,1\n");
    char *json = tu_write(s.dir, "ragged.json",
                          "{\"name\": \"ragged\", \"data\": {\"path\": \"ragged.csv\"},\n"
                          " \"task\": \"binary\", \"trainer\": {\"name\": \"logistic\"}}\n");
    struct result r = cli("run '%s' --db '%s'", json, s.db);
    char want[700];
    snprintf(want, sizeof want, "%s:4:", csv);
    assert_usage_error(&r, want, NULL);
    result_free(&r);
    free(csv);
    free(json);
    scratch_free(&s);
}

Test(cli, a_study_file_may_name_its_data_by_an_absolute_path)
{
    struct scratch s = scratch_new();
    char *data = abs_data("iris.csv");
    char text[PATH_MAX + 400];
    snprintf(text, sizeof text,
             "{\"name\": \"iris-abs\", \"data\": {\"path\": \"%s\"}, \"task\": \"multiclass\", "
             "\"trainer\": {\"name\": \"logistic\"}, \"space\": {\"C\": {\"type\": \"float\", "
             "\"low\": 0.1, \"high\": 10, \"scale\": \"log\"}}}\n",
             data);
    char *json = tu_write(s.dir, "iris.json", text);
    struct result r = cli("run '%s' --db '%s' --trials 3 --quiet", json, s.db);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert_not_null(strstr(r.out, "best trial #"), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "accuracy = "), "%s", r.out);
    result_free(&r);
    free(json);
    free(data);
    scratch_free(&s);
}

/* A data file that is missing, or a folder, is bad input (exit 2) for every
 * command that reads one, like a missing study file: the library reports
 * TUNE_EINVAL for a file that cannot be opened, TUNE_EIO only for a read
 * that fails half-way. */

/* A study in s.dir whose data is s.dir/DATA (which the test may leave out). */
static char *study_with_data(const struct scratch *s, const char *data)
{
    char text[1400];
    snprintf(text, sizeof text,
             "{\"name\": \"nodata\", \"data\": {\"path\": \"%s\"}, \"task\": \"binary\",\n"
             " \"trainer\": {\"name\": \"logistic\"}, \"storage\": \"%s\"}\n",
             data, s->db);
    return tu_write(s->dir, "nodata.json", text);
}

Test(cli, run_with_a_missing_data_file_is_bad_input)
{
    struct scratch s = scratch_new();
    char *json = study_with_data(&s, "nope.csv");
    struct result r = cli("run '%s' --quiet", json);
    assert_usage_error(&r, "nope.csv: cannot open: No such file or directory", NULL);
    result_free(&r);
    free(json);
    scratch_free(&s);
}

Test(cli, evaluate_with_a_missing_data_file_is_bad_input)
{
    struct scratch s = scratch_new();
    char *json = study_with_data(&s, "nope.csv");
    struct result r = cli("evaluate '%s'", json);
    assert_usage_error(&r, "nope.csv: cannot open: No such file or directory", NULL);
    result_free(&r);
    free(json);
    scratch_free(&s);
}

Test(cli, learning_curve_with_a_missing_data_file_is_bad_input)
{
    struct scratch s = scratch_new();
    char *json = study_with_data(&s, "nope.csv");
    struct result r = cli("learning-curve '%s' --out '%s/lc'", json, s.dir);
    assert_usage_error(&r, "nope.csv: cannot open: No such file or directory", NULL);
    result_free(&r);
    free(json);
    scratch_free(&s);
}

Test(cli, elbow_with_a_missing_data_file_is_bad_input)
{
    struct scratch s = scratch_new();
    struct result r = cli("elbow --data '%s/nope.csv' --out '%s/elbow'", s.dir, s.dir);
    assert_usage_error(&r, "nope.csv: cannot open: No such file or directory", NULL);
    result_free(&r);
    scratch_free(&s);
}

Test(cli, score_with_a_missing_truth_or_predictions_file_is_bad_input)
{
    struct scratch s = scratch_new();
    char *truth = tu_write(s.dir, "y.csv", "y\n0\n1\n");
    char *pred = tu_write(s.dir, "p.csv", "label\n0\n1\n");
    struct result r = cli("score --truth '%s/nope.csv' --pred '%s'", s.dir, pred);
    assert_usage_error(&r, "nope.csv: cannot open: No such file or directory", NULL);
    result_free(&r);
    r = cli("score --truth '%s' --pred '%s/nope.csv'", truth, s.dir);
    assert_usage_error(&r, "nope.csv: cannot open: No such file or directory", NULL);
    result_free(&r);
    free(truth);
    free(pred);
    scratch_free(&s);
}

Test(cli, a_folder_as_data_or_study_file_is_bad_input)
{
    struct scratch s = scratch_new();
    char sub[700];
    snprintf(sub, sizeof sub, "%s/folder.csv", s.dir);
    cr_assert_eq(mkdir(sub, 0700), 0);
    char *json = study_with_data(&s, "folder.csv");
    struct result r = cli("run '%s' --quiet", json);
    assert_usage_error(&r, "folder.csv: cannot open: Is a directory", NULL);
    result_free(&r);
    r = cli("elbow --data '%s' --out '%s/elbow'", sub, s.dir);
    assert_usage_error(&r, "folder.csv: cannot open: Is a directory", NULL);
    result_free(&r);
    r = cli("run '%s' --quiet", sub);
    assert_usage_error(&r, "folder.csv", "Is a directory", NULL);
    result_free(&r);
    free(json);
    scratch_free(&s);
}

/* ------------------------------------------------- how data is read */

/* data/wine.csv, magnesium (5th field) of line 14 replaced by `cell`, and a
 * knn study on it whose "data" object ends with `data_extra`. */
static char *wine_study(const struct scratch *s, const char *cell, const char *data_extra)
{
    FILE *in = fopen("data/wine.csv", "rb");
    cr_assert_not_null(in);
    char path[700], line[4096];
    snprintf(path, sizeof path, "%s/wine.csv", s->dir);
    FILE *out = fopen(path, "wb");
    cr_assert_not_null(out);
    for (int n = 1; fgets(line, sizeof line, in); n++) {
        if (n != 14) {
            fputs(line, out);
            continue;
        }
        char *f = line;
        for (int comma = 0; comma < 4; comma++)
            f = strchr(f, ',') + 1;
        fprintf(out, "%.*s%s%s", (int)(f - line), line, cell, strchr(f, ','));
    }
    fclose(in);
    fclose(out);
    char text[1400];
    snprintf(text, sizeof text,
             "{\"name\": \"wine-typo\", \"data\": {\"path\": \"wine.csv\"%s},\n"
             " \"task\": \"multiclass\", \"trainer\": {\"name\": \"knn\"},\n"
             " \"preprocess\": {\"impute\": \"median\", \"scale\": \"standard\"},\n"
             " \"cv\": {\"folds\": 3}, \"storage\": \"%s\"}\n",
             data_extra, s->db);
    return tu_write(s->dir, "wine.json", text);
}

Test(cli, run_refuses_a_typo_in_a_numeric_column_naming_the_line)
{
    struct scratch s = scratch_new();
    char *json = wine_study(&s, "1O0", "");
    struct result r = cli("run '%s' --trials 1 --quiet", json);
    assert_usage_error(&r, "wine.csv: column 'magnesium' is numeric except 1 cell: line 14 '1O0'",
                       "\"bad_numbers\": \"missing\"", NULL);
    result_free(&r);
    free(json);
    scratch_free(&s);
}

Test(cli, learning_curve_reads_bad_numbers_as_the_study_says)
{
    struct scratch s = scratch_new();
    char *json = wine_study(&s, "1O0", "");
    struct result r = cli("learning-curve '%s' --sizes 0.5,1 --out '%s/lc'", json, s.dir);
    assert_usage_error(&r, "column 'magnesium' is numeric except 1 cell: line 14 '1O0'", NULL);
    result_free(&r);
    free(json);
    json = wine_study(&s, "1O0", ", \"bad_numbers\": \"missing\"");
    r = cli("learning-curve '%s' --sizes 0.5,1 --out '%s/lc'", json, s.dir);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert_not_null(strstr(r.out, "\ndiagnosis: "), "%s", r.out);
    result_free(&r);
    free(json);
    scratch_free(&s);
}

/* data/iris.csv with ';' for ',' in s.dir/iris_semi.csv; its path. */
static char *semicolon_iris(const struct scratch *s)
{
    size_t len;
    char *text = tu_read("data", "iris.csv");
    cr_assert_not_null(text);
    len = strlen(text);
    for (size_t i = 0; i < len; i++)
        if (text[i] == ',')
            text[i] = ';';
    char *path = tu_write(s->dir, "iris_semi.csv", text);
    free(text);
    return path;
}

Test(cli, a_semicolon_file_says_so_and_the_delimiter_key_reads_it)
{
    struct scratch s = scratch_new();
    char *csv = semicolon_iris(&s), text[1400];
    snprintf(text, sizeof text,
             "{\"name\": \"semi\", \"data\": {\"path\": \"iris_semi.csv\"%s}, "
             "\"task\": \"multiclass\", \"trainer\": {\"name\": \"knn\"}, \"cv\": {\"folds\": 3}, "
             "\"storage\": \"%s\"}\n",
             "", s.db);
    char *json = tu_write(s.dir, "semi.json", text);
    struct result r = cli("run '%s' --quiet", json);
    assert_usage_error(&r, "iris_semi.csv: target column 'target' not found",
                       "the file looks ';'-separated (set \"data\": {\"delimiter\": \";\"})",
                       NULL);
    result_free(&r);
    free(json);
    snprintf(text, sizeof text,
             "{\"name\": \"semi\", \"data\": {\"path\": \"iris_semi.csv\"%s}, "
             "\"task\": \"multiclass\", \"trainer\": {\"name\": \"knn\"}, \"cv\": {\"folds\": 3}, "
             "\"storage\": \"%s\"}\n",
             ", \"delimiter\": \";\"", s.db);
    json = tu_write(s.dir, "semi.json", text);
    r = cli("learning-curve '%s' --sizes 0.5,1 --out '%s/lc'", json, s.dir);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert_not_null(strstr(r.out, "\ndiagnosis: "), "%s", r.out);
    result_free(&r);
    /* and run reads it too (the study loads its data with the study's options) */
    r = cli("run '%s' --trials 1 --quiet --name semi-run", json);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert_not_null(strstr(r.out, "accuracy = 0.9"), "%s", r.out);
    result_free(&r);
    free(json);
    free(csv);
    scratch_free(&s);
}

Test(cli, elbow_says_a_file_looks_semicolon_separated_and_reads_it_with_delimiter)
{
    struct scratch s = scratch_new();
    char *csv = semicolon_iris(&s);
    struct result r = cli("elbow --data '%s' --k-max 3 --out '%s/elbow'", csv, s.dir);
    assert_usage_error(&r, "iris_semi.csv: no numeric column left to cluster",
                       "the file looks ';'-separated (use --delimiter ';')", NULL);
    result_free(&r);
    r = cli("elbow --data '%s' --delimiter ';' --drop target --k-max 3 --out '%s/elbow'", csv,
            s.dir);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert_not_null(strstr(r.out, "150 rows"), "%s", r.out);
    cr_assert_not_null(strstr(r.out, "4 numeric columns"), "%s", r.out);
    result_free(&r);
    r = cli("elbow --data '%s' --delimiter ';;' --out '%s/elbow'", csv, s.dir);
    assert_usage_error(&r, "--delimiter", NULL);
    result_free(&r);
    free(csv);
    scratch_free(&s);
}

/* ------------------------------------------------- reading a database */

Test(cli, trials_on_a_missing_database_is_bad_input)
{
    struct scratch s = scratch_new();
    struct result r = cli("trials --db '%s/none.db'", s.dir);
    assert_usage_error(&r, "none.db", NULL);
    result_free(&r);
    /* ... and does not create one. */
    char path[700];
    snprintf(path, sizeof path, "%s/none.db", s.dir);
    cr_assert_neq(access(path, F_OK), 0, "trials created %s", path);
    scratch_free(&s);
}

Test(cli, best_of_an_unknown_study_is_bad_input)
{
    struct scratch s = scratch_new();
    run_ok("cli_random.json", s.db, 3);
    struct result r = cli("best --db '%s' --study nonesuch", s.db);
    assert_usage_error(&r, "nonesuch", NULL);
    result_free(&r);
    scratch_free(&s);
}

Test(cli, two_studies_without_study_is_bad_input_listing_both)
{
    struct scratch s = scratch_new();
    run_ok("cli_random.json", s.db, 3);
    run_ok("cli_grid.json", s.db, 2);
    struct result r = cli("trials --db '%s'", s.db);
    assert_usage_error(&r, "--study", "cli-random", "cli-grid", NULL);
    result_free(&r);
    r = cli("best --db '%s'", s.db);
    assert_usage_error(&r, "--study", "cli-random", "cli-grid", NULL);
    result_free(&r);

    /* --study picks one. */
    r = cli("trials --db '%s' --study cli-grid --format json", s.db);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cJSON *t = parse_json(r.out);
    cr_assert_eq(cJSON_GetArraySize(t), 2);
    cJSON_Delete(t);
    result_free(&r);
    scratch_free(&s);
}

Test(cli, a_study_whose_trials_all_score_the_same_is_flagged_in_run_best_and_report)
{
    struct scratch s = scratch_new();
    /* a program that never reads its parameters */
    struct result r = cli("run " STUDIES "cli_flat.json --db '%s' --quiet", s.db);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert(strstr(r.err, "warning: all 6 complete trials of study 'flat-program' have the "
                            "same objective, 0.75: the parameters may not reach the program"),
              "%s", r.err);
    result_free(&r);
    r = cli("best --db '%s'", s.db);
    cr_assert_eq(r.rc, 0);
    cr_assert(strstr(r.err, "may not reach the program"), "%s", r.err);
    /* a score-mode trial: one run, no spread, no predict time */
    cr_assert(strstr(r.out, "run ") && !strstr(r.out, "nan") && !strstr(r.out, "predict"),
              "%s", r.out);
    result_free(&r);
    r = cli("best --db '%s' --format json", s.db);
    cJSON *j = parse_json(r.out);
    cr_assert(strstr(item(j, "warning")->valuestring, "may not reach the program"));
    cJSON_Delete(j);
    result_free(&r);
    r = cli("report --db '%s' --out '%s/rep'", s.db, s.dir);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    char *page = tu_read(s.dir, "rep/index.html");
    cr_assert(page && strstr(page, "Warning: all 6 complete trials have the same"), "%s", page);
    free(page);
    result_free(&r);
    scratch_free(&s);
}

Test(cli, trials_that_differ_are_not_flagged)
{
    struct scratch s = scratch_new();
    struct result r = cli("run " STUDIES "cli_random.json --db '%s' --trials 6 --quiet", s.db);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert_null(strstr(r.err, "warning"), "%s", r.err);
    result_free(&r);
    scratch_free(&s);
}

Test(cli, another_seed_under_the_same_name_suggests_name_and_name_starts_a_new_study)
{
    struct scratch s = scratch_new();
    run_ok("cli_random.json", s.db, 2);
    struct result r = cli("run " STUDIES "cli_random.json --db '%s' --seed 3 --quiet", s.db);
    assert_usage_error(&r, "already exists", "--name NEW", NULL);
    result_free(&r);
    r = cli("run " STUDIES "cli_random.json --db '%s' --seed 3 --name other --trials 2 --quiet",
            s.db);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cr_assert(strstr(r.out, "study 'other'"), "%s", r.out);
    result_free(&r);
    r = cli("trials --db '%s' --study other --format csv", s.db);
    cr_assert_eq(count_lines(r.out), 3, "%s", r.out);
    result_free(&r);
    scratch_free(&s);
}

Test(cli, evaluate_with_an_unknown_parameter_lists_the_valid_names)
{
    struct scratch s = scratch_new();
    struct result r = cli("evaluate " STUDIES "cli_random.json --db '%s' --params '{\"lr\": 0.1}'",
                          s.db);
    assert_usage_error(&r, "--params.lr", "no such parameter", "(it has: C, penalty", NULL);
    result_free(&r);
    scratch_free(&s);
}

Test(cli, a_db_that_is_not_a_database_is_bad_input)
{
    struct scratch s = scratch_new();
    char *notes = tu_write(s.dir, "notes.db",
                           "This is a plain text file with more than a hundred bytes in it, so "
                           "SQLite reads a header and finds it is not a database at all.\n");
    struct result r = cli("run " STUDIES "cli_random.json --db '%s' --quiet", notes);
    assert_usage_error(&r, notes, "not a tunefold database", NULL);
    result_free(&r);
    r = cli("trials --db '%s'", notes);
    assert_usage_error(&r, "not a tunefold database", NULL);
    result_free(&r);
    free(notes);
    scratch_free(&s);
}

/* A study of n trials written straight into a new database (one
 * transaction): what a long study leaves behind, made in a moment. */
static void make_big_study(const char *db, int n)
{
    struct tune_store *st;
    struct tune_error err = {0};
    struct tune_study_info info;
    int created;
    cr_assert_eq(tune_store_open(db, &st, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(tune_store_study_create_or_load(st, "big", "{}", "accuracy", 1, &info, &created,
                                                 &err),
                 TUNE_OK, "%s", err.msg);
    tune_store_close(st);
    sqlite3 *h;
    cr_assert_eq(sqlite3_open(db, &h), SQLITE_OK);
    char sql[600];
    snprintf(sql, sizeof sql,
             "WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < %d) "
             "INSERT INTO trials(study_id, number, seq, origin, state, params_json, value,"
             " value_std, t_start, t_end, heartbeat, changed)"
             " SELECT %lld, i, i, 'SEARCH', 'COMPLETE', '{\"x\": ' || i || '}',"
             " (i %% 997) / 1000.0, 0, 0, 1, 1, i + 1 FROM k;"
             "UPDATE studies SET n_search = %d, changes = %d",
             n - 1, (long long)info.id, n, n);
    cr_assert_eq(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(h));
    sqlite3_close(h);
    tune_study_info_release(&info);
}

Test(cli, trials_of_a_long_study_stream_every_trial_in_order_across_pages)
{
    struct scratch s = scratch_new();
    make_big_study(s.db, 4500);
    cJSON *j = trials_json(s.db);
    cr_assert_eq(cJSON_GetArraySize(j), 4500);
    int i = 0;
    cJSON *t;
    cJSON_ArrayForEach(t, j) {
        cr_assert_eq(item(t, "number")->valueint, i, "trial %d out of order", i);
        cr_assert_eq(item(item(t, "params"), "x")->valueint, i);
        i++;
    }
    cJSON_Delete(j);
    struct result r = cli("trials --db '%s' --format csv", s.db);
    cr_assert_eq(count_lines(r.out), 4501);
    result_free(&r);
    r = cli("best --db '%s' --format json", s.db);
    j = parse_json(r.out);
    /* 0.996 first reached by trial 996 */
    cr_assert_eq(item(j, "trial")->valueint, 996, "%s", r.out);
    cJSON_Delete(j);
    result_free(&r);
    scratch_free(&s);
}

Test(cli, the_report_of_a_long_study_thins_its_points_but_keeps_every_new_best)
{
    struct scratch s = scratch_new();
    make_big_study(s.db, 12000);
    struct result r = cli("report --db '%s' --out '%s/rep'", s.db, s.dir);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    result_free(&r);
    char *hist = tu_read(s.dir, "rep/history.dat");
    cr_assert_not_null(hist);
    cr_assert(strstr(hist, "# 12000 finished trials: 1 in 3 and every new best are listed"),
              "%.300s", hist);
    size_t rows = 0;
    int saw_best = 0, last = -1, in_order = 1;
    for (const char *line = hist; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        if (*line == '#' || *line == '\n')
            continue;
        int number = atoi(line);
        rows++;
        saw_best |= number == 996; /* values (i % 997) / 1000: the first 0.996 */
        in_order &= number > last;
        last = number;
    }
    /* 4,000 on the stride, plus the 996 improvements of trials 1..996 off it */
    cr_assert_eq(rows, 4000 + 664, "%zu rows", rows);
    cr_assert(saw_best && in_order);
    free(hist);
    char *gp = tu_read(s.dir, "rep/history.gp");
    cr_assert(strstr(gp, "(1 trial in 3 drawn, and every new best)"));
    free(gp);
    scratch_free(&s);
}

/* breast_cancer.csv, or its first `rows` rows, copied into the scratch. */
static char *copy_rows(struct scratch *s, const char *name, int rows)
{
    char cmd[1400], *path = malloc(700);
    snprintf(path, 700, "%s/%s", s->dir, name);
    snprintf(cmd, sizeof cmd, "head -n %d data/breast_cancer.csv > '%s'", rows + 1, path);
    cr_assert_eq(system(cmd), 0);
    return path;
}

Test(cli, a_study_whose_data_file_changed_is_refused_saying_what_changed)
{
    struct scratch s = scratch_new();
    char *csv = copy_rows(&s, "bc.csv", 569), text[1400];
    snprintf(text, sizeof text,
             "{\"name\": \"bc\", \"data\": {\"path\": \"bc.csv\"}, \"task\": \"binary\","
             " \"trainer\": {\"name\": \"naive_bayes\"}, \"cv\": {\"folds\": 3},"
             " \"search\": {\"trials\": 3}, \"storage\": \"%s\"}\n",
             s.db);
    char *json = tu_write(s.dir, "bc.json", text);
    struct result r = cli("run '%s' --quiet", json);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    result_free(&r);
    free(copy_rows(&s, "bc.csv", 299)); /* the same file, fewer rows */
    const char *cmds[] = {"run '%s' --trials 6 --quiet", "evaluate '%s'",
                          "learning-curve '%s' --sizes 0.5,1 --out /dev/null/x"};
    for (int i = 0; i < 3; i++) {
        r = cli(cmds[i], json);
        assert_usage_error(&r, "bc.csv has changed since study 'bc' was created on it",
                           "then 569 rows x 31 columns", "now 299 rows x 31 columns",
                           "give the study a new name", NULL);
        result_free(&r);
    }
    /* nothing was stored on the other data */
    r = cli("trials --db '%s' --format csv", s.db);
    cr_assert_eq(count_lines(r.out), 4, "%s", r.out);
    result_free(&r);
    /* under a new name it is a new study */
    r = cli("run '%s' --name bc-299 --quiet", json);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    result_free(&r);
    free(json);
    free(csv);
    scratch_free(&s);
}

Test(cli, a_study_of_several_trainers_shows_the_trainer_of_each_trial_and_of_the_best)
{
    struct scratch s = scratch_new();
    struct result r = cli("run " STUDIES "cli_trainers.json --db '%s' --quiet", s.db);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    result_free(&r);
    cJSON *t = trials_json(s.db);
    cr_assert_eq(cJSON_GetArraySize(t), 4);
    static const char *const want[4] = {
        "{\"trainer\":\"logistic\",\"penalty\":\"l1\"}", "{\"trainer\":\"logistic\",\"penalty\":\"l2\"}",
        "{\"trainer\":\"knn\",\"n_neighbors\":3}", "{\"trainer\":\"knn\",\"n_neighbors\":4}"};
    double best = -1;
    const char *best_trainer = NULL;
    for (int i = 0; i < 4; i++) {
        cJSON *tr = cJSON_GetArrayItem(t, i);
        char *p = cJSON_PrintUnformatted(item(tr, "params"));
        cr_assert_str_eq(p, want[i]);
        free(p);
        if (item(tr, "value")->valuedouble > best) {
            best = item(tr, "value")->valuedouble;
            best_trainer = i < 2 ? "logistic" : "knn";
        }
    }
    r = cli("best --db '%s' --format json", s.db);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    cJSON *b = parse_json(r.out);
    cr_assert_str_eq(item(b, "trainer")->valuestring, best_trainer);
    cr_assert_eq(item(b, "value")->valuedouble, best);
    cJSON_Delete(b);
    result_free(&r);
    r = cli("best --db '%s'", s.db);
    char line[64];
    snprintf(line, sizeof line, "\ntrainer %s\n", best_trainer);
    cr_assert(strstr(r.out, line), "%s", r.out);
    result_free(&r);
    cJSON_Delete(t);
    scratch_free(&s);
}

/* A study of two objectives ends with its Pareto set's size and the
 * command that lists it, on the database the run used. */
Test(cli, a_run_of_two_objectives_names_the_command_that_lists_its_pareto_set)
{
    struct scratch s = scratch_new();
    struct result r = cli("run examples/breast_cancer_tradeoff.json --db '%s' --trials 6 --quiet",
                          s.db);
    cr_assert_eq(r.rc, 0, "%s", r.err);
    char want[800];
    snprintf(want, sizeof want,
             "on 2 objectives (the best above is on the first alone; tunefold best --db %s "
             "--study 'breast-cancer-tradeoff' lists the set)\n",
             s.db);
    cr_assert_not_null(strstr(r.out, "Pareto set: "), "%s", r.out);
    cr_assert_not_null(strstr(r.out, want), "%s", r.out);
    result_free(&r);
    scratch_free(&s);
}
