/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_asktell.c — `tunefold ask` / `tunefold tell`: a study evaluated by
 * someone else.  Trials asked and told through the command line, the
 * budget, pending trials seen by bayes, trials never told given up and
 * asked again, and every misuse as exit 2 with one line. */
#include "testutil.h"

#include <cJSON.h>

#define STUDIES "tests/data/studies/"

struct out {
    int rc;
    char *out, *err;
};

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static struct out tf(const char *fmt, ...)
{
    char args[2048], cmd[2600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "%s %s", tu_bin(), args);
    struct out o;
    o.rc = tu_run(cmd, &o.out, &o.err);
    return o;
}

static void out_free(struct out *o)
{
    free(o->out);
    free(o->err);
}

/* ask: the parsed {"study", "trial", "params"} (caller deletes). */
static cJSON *ask(const char *study, const char *db, const char *extra)
{
    struct out o = tf("ask " STUDIES "%s --db '%s' %s", study, db, extra ? extra : "");
    cr_assert_eq(o.rc, 0, "ask: %s", o.err);
    cJSON *j = cJSON_Parse(o.out);
    cr_assert_not_null(j, "not JSON: %s", o.out);
    out_free(&o);
    return j;
}

static int trial_of(const cJSON *j)
{
    return cJSON_GetObjectItemCaseSensitive(j, "trial")->valueint;
}

static double param(const cJSON *j, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "params"), name)
        ->valuedouble;
}

static void tell_ok(const char *study, const char *db, int trial, const char *what)
{
    struct out o = tf("tell " STUDIES "%s --db '%s' --trial %d %s", study, db, trial, what);
    cr_assert_eq(o.rc, 0, "tell: %s", o.err);
    cr_assert(strstr(o.out, "trial "), "%s", o.out);
    out_free(&o);
}

static void one_line_exit_2(const struct out *o, const char *needle)
{
    cr_assert_eq(o->rc, 2, "exit %d: %s", o->rc, o->err);
    cr_assert_str_empty(o->out);
    cr_assert(strstr(o->err, needle), "'%s' lacks '%s'", o->err, needle);
    cr_assert_eq(strchr(o->err, '\n'), o->err + strlen(o->err) - 1, "one line: %s", o->err);
}

Test(asktell, trials_asked_and_told_are_stored_and_the_budget_ends_the_asking)
{
    char *d = tu_tmpdir(), db[600];
    snprintf(db, sizeof db, "%s/a.db", d);
    for (int i = 0; i < 4; i++) {
        cJSON *j = ask("asktell_random.json", db, NULL);
        cr_assert_eq(trial_of(j), i);
        cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(j, "study")->valuestring,
                         "asktell-random");
        char what[200];
        /* the objective by name, among other metrics */
        snprintf(what, sizeof what, "--metrics '{\"loss\": %.17g, \"epochs\": 3}' --seconds 1.5",
                 param(j, "x") * param(j, "x"));
        tell_ok("asktell_random.json", db, i, what);
        cJSON_Delete(j);
    }
    struct out o = tf("ask " STUDIES "asktell_random.json --db '%s'", db);
    cr_assert_eq(o.rc, 1, "no trial left: exit 1 (%s)", o.err);
    cr_assert(strstr(o.err, "every trial of its budget has been asked for"), "%s", o.err);
    out_free(&o);
    o = tf("trials --db '%s' --format json", db);
    cJSON *t = cJSON_Parse(o.out);
    cr_assert_eq(cJSON_GetArraySize(t), 4);
    for (int i = 0; i < 4; i++) {
        cJSON *tr = cJSON_GetArrayItem(t, i);
        cr_assert_str_eq(cJSON_GetObjectItemCaseSensitive(tr, "state")->valuestring, "COMPLETE");
        double x = param(tr, "x");
        cr_assert_eq(cJSON_GetObjectItemCaseSensitive(tr, "value")->valuedouble, x * x);
    }
    cJSON_Delete(t);
    out_free(&o);
    /* --format args: the trial, then --name=value, a categorical unquoted */
    o = tf("ask " STUDIES "asktell_random.json --db '%s' --trials 5 --format args", db);
    cr_assert_eq(o.rc, 0, "%s", o.err);
    cr_assert(strncmp(o.out, "--trial=4 --x=", 14) == 0, "%s", o.out);
    cr_assert(strstr(o.out, " --kind=a\n") || strstr(o.out, " --kind=b c\n"), "%s", o.out);
    out_free(&o);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
    cr_assert_eq(system(cmd), 0);
    free(d);
}

Test(asktell, bayes_gives_a_second_asker_another_point_while_the_first_is_pending)
{
    char *d = tu_tmpdir(), db[600];
    snprintf(db, sizeof db, "%s/b.db", d);
    for (int i = 0; i < 6; i++) {
        cJSON *j = ask("asktell_bayes.json", db, NULL);
        char what[80];
        double x = param(j, "x"), y = param(j, "y");
        snprintf(what, sizeof what, "--value %.17g", (x - 2) * (x - 2) + (y - 3) * (y - 3));
        tell_ok("asktell_bayes.json", db, trial_of(j), what);
        cJSON_Delete(j);
    }
    cJSON *a = ask("asktell_bayes.json", db, NULL), *b = ask("asktell_bayes.json", db, NULL);
    cr_assert_neq(trial_of(a), trial_of(b));
    double dist = hypot(param(a, "x") - param(b, "x"), param(a, "y") - param(b, "y"));
    cr_assert(dist > 0.05, "the pending trial was not taken into account (%g apart)", dist);
    cJSON_Delete(a);
    cJSON_Delete(b);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
    cr_assert_eq(system(cmd), 0);
    free(d);
}

Test(asktell, a_trial_never_told_is_given_up_after_the_timeout_and_its_point_asked_again)
{
    char *d = tu_tmpdir(), db[600];
    snprintf(db, sizeof db, "%s/c.db", d);
    cJSON *first = ask("asktell_random.json", db, NULL);
    sleep(2);
    cJSON *again = ask("asktell_random.json", db, "--timeout 1");
    cr_assert_eq(trial_of(again), 1);
    cr_assert_eq(param(again, "x"), param(first, "x"), "the same point, asked again");
    struct out o = tf("tell " STUDIES "asktell_random.json --db '%s' --trial 0 --value 1", db);
    one_line_exit_2(&o, "given up as lost");
    out_free(&o);
    tell_ok("asktell_random.json", db, 1, "--failed 'out of memory'");
    o = tf("trials --db '%s' --format csv", db);
    cr_assert(strstr(o.out, "1,FAILED,") && strstr(o.out, "out of memory"), "%s", o.out);
    out_free(&o);
    cJSON_Delete(first);
    cJSON_Delete(again);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
    cr_assert_eq(system(cmd), 0);
    free(d);
}

Test(asktell, misuse_is_one_line_and_exit_2)
{
    char *d = tu_tmpdir(), db[600];
    snprintf(db, sizeof db, "%s/e.db", d);
    cJSON *j = ask("asktell_random.json", db, NULL);
    cJSON_Delete(j);
    struct out o = tf("tell " STUDIES "asktell_random.json --db '%s' --trial 7 --value 1", db);
    one_line_exit_2(&o, "has no trial 7");
    out_free(&o);
    tell_ok("asktell_random.json", db, 0, "--value 2.5");
    o = tf("tell " STUDIES "asktell_random.json --db '%s' --trial 0 --value 1", db);
    one_line_exit_2(&o, "already told");
    out_free(&o);
    o = tf("tell " STUDIES "asktell_random.json --db '%s' --trial 0", db);
    one_line_exit_2(&o, "--value");
    out_free(&o);
    o = tf("tell " STUDIES "asktell_random.json --db '%s' --trial 0 --value nan", db);
    one_line_exit_2(&o, "--value: expected a finite number");
    out_free(&o);
    o = tf("ask " STUDIES "cli_random.json --db '%s'", db);
    one_line_exit_2(&o, "has a trainer");
    out_free(&o);
    o = tf("run " STUDIES "asktell_random.json --db '%s' --quiet", db);
    cr_assert_eq(o.rc, 2, "%s", o.err);
    cr_assert(strstr(o.err, "has no trainer"), "%s", o.err);
    out_free(&o);
    char *bad = tu_write(d, "bad.json",
                         "{\"name\": \"x\", \"data\": {\"path\": \"d.csv\"},"
                         " \"space\": {\"x\": {\"type\": \"float\", \"low\": 0, \"high\": 1}},"
                         " \"objective\": {\"direction\": \"minimize\"}}");
    o = tf("ask '%s' --db '%s'", bad, db);
    one_line_exit_2(&o, "trainer: missing; without one, a study is evaluated through tunefold "
                        "ask/tell and \"data\" is not used by it");
    out_free(&o);
    free(bad);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
    cr_assert_eq(system(cmd), 0);
    free(d);
}

Test(asktell, best_of_several_objectives_prints_the_pareto_set_of_the_trials_that_kept_the_constraints)
{
    char *d = tu_tmpdir(), db[600];
    snprintf(db, sizeof db, "%s/a.db", d);
    /* loss, latency, memory (at most 64): 0 and 1 are the set; 2 broke the
     * constraint; 3 is beaten by 0 */
    static const char *const told[4] = {
        "--metrics '{\"loss\": 0.5, \"latency\": 0.25, \"memory\": 32}'",
        "--metrics '{\"loss\": 0.25, \"latency\": 0.75, \"memory\": 16}'",
        "--metrics '{\"loss\": 0.125, \"latency\": 0.125, \"memory\": 128}'",
        "--metrics '{\"loss\": 0.75, \"latency\": 0.5, \"memory\": 8}'"};
    char *params[4];
    for (int i = 0; i < 4; i++) {
        cJSON *j = ask("asktell_pareto.json", db, NULL);
        params[i] = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(j, "params"));
        tell_ok("asktell_pareto.json", db, trial_of(j), told[i]);
        cJSON_Delete(j);
    }
    struct out o = tf("best --db '%s' --format json", db);
    cr_assert_eq(o.rc, 0, "%s", o.err);
    cJSON *got = cJSON_Parse(o.out);
    cr_assert_not_null(got, "%s", o.out);
    char want[1024];
    snprintf(want, sizeof want,
             "{\"study\":\"told-pareto\",\"pareto\":[{\"trial\":1,\"values\":{\"loss\":0.25,"
             "\"latency\":0.75},\"params\":%s},{\"trial\":0,\"values\":{\"loss\":0.5,"
             "\"latency\":0.25},\"params\":%s}]}",
             params[1], params[0]);
    char *text = cJSON_PrintUnformatted(got);
    cr_assert_str_eq(text, want);
    free(text);
    cJSON_Delete(got);
    out_free(&o);
    o = tf("best --db '%s'", db);
    cr_assert_eq(o.rc, 0, "%s", o.err);
    cr_assert(strstr(o.out, "study 'told-pareto': Pareto set of 2 trials (of 4 complete, 3 "
                            "keeping the constraints) on loss (minimize), latency (minimize)\n"),
              "%s", o.out);
    out_free(&o);
    /* the violation is listed with the trial that broke the constraint */
    o = tf("trials --db '%s' --format json", db);
    cJSON *t = cJSON_Parse(o.out);
    cr_assert_eq(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(t, 2), "violation")
                     ->valuedouble,
                 1.0);
    cr_assert_null(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(t, 0), "violation"));
    cJSON_Delete(t);
    out_free(&o);
    o = tf("trials --db '%s'", db);
    cr_assert(strstr(o.out, "broke the constraints (violation 1)"), "%s", o.out);
    out_free(&o);
    for (int i = 0; i < 4; i++)
        free(params[i]);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
    cr_assert_eq(system(cmd), 0);
    free(d);
}
