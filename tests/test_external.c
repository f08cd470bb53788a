/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_external.c — external trainers end to end through the CLI: a good
 * program in each mode, and misbehaving ones (exit 3, segfault, sleeping past
 * the timeout, ignoring SIGTERM, 100 MB of output, a lingering child, a bad
 * predictions file, no objective).  Each misbehaviour is a FAILED trial with
 * the right reason, and the study around it completes.  The programs are
 * built from tests/programs/ at test start; no Python needed. */
#include "testutil.h"
#include "tunefold/external.h"

#include <cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

/* A hung test fails instead of hanging the suite (Criterion's own .timeout
 * leaks under LeakSanitizer). */
TestSuite(external, .init = tu_watchdog);

struct env {
    char *dir, *db, *predict, *score;
};

static struct env setup(void)
{
    struct env e;
    e.dir = tu_tmpdir();
    e.db = malloc(strlen(e.dir) + 8);
    sprintf(e.db, "%s/t.db", e.dir);
    e.predict = tu_program("trainer_predict", e.dir);
    e.score = tu_program("trainer_score", e.dir);
    return e;
}

static void teardown(struct env *e)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", e->dir);
    tu_run(cmd, NULL, NULL);
    free(e->dir);
    free(e->db);
    free(e->predict);
    free(e->score);
}

/* Write a study file into the env's folder; returns its path. */
static char *study(const struct env *e, const char *name, const char *json)
{
    return tu_write(e->dir, name, json);
}

static int run_cli(const char *args, char **out, char **errout)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "%s %s", tu_bin(), args);
    return tu_run(cmd, out, errout);
}

static cJSON *trials(const struct env *e)
{
    char args[1024], *out = NULL;
    snprintf(args, sizeof args, "trials --db '%s' --format json", e->db);
    cr_assert_eq(run_cli(args, &out, NULL), 0);
    cJSON *j = cJSON_Parse(out);
    cr_assert_not_null(j, "%s", out);
    free(out);
    return j;
}

/* The trial whose params have "fault": name. */
static const cJSON *by_fault(const cJSON *all, const char *name)
{
    const cJSON *t;
    cJSON_ArrayForEach(t, all) {
        const cJSON *f =
            cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(t, "params"),
                                             "fault");
        if (cJSON_IsString(f) && strcmp(f->valuestring, name) == 0)
            return t;
    }
    cr_assert_fail("no trial with fault %s", name);
    return NULL;
}

static const char *field(const cJSON *t, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(t, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

Test(external, a_predict_mode_program_is_scored_like_a_built_in_model)
{
    struct env e = setup();
    char json[2048], args[2048], *out = NULL;
    snprintf(json, sizeof json,
             "{\"name\": \"ext-predict\", \"data\": {\"path\": \"%s/data/breast_cancer.csv\"},"
             " \"task\": \"binary\", \"trainer\": {\"exec\": [\"%s\"], \"timeout\": 20},"
             " \"space\": {\"shrink\": {\"type\": \"float\", \"low\": 0, \"high\": 1}},"
             " \"preprocess\": {\"scale\": \"standard\"}, \"search\": {\"trials\": 2}}",
             getenv("PWD"), e.predict);
    char *file = study(&e, "p.json", json);
    snprintf(args, sizeof args, "run '%s' --db '%s' --quiet", file, e.db);
    cr_assert_eq(run_cli(args, &out, NULL), 0, "%s", out);
    free(out);
    cJSON *t = trials(&e);
    cr_assert_eq(cJSON_GetArraySize(t), 2);
    const cJSON *first = cJSON_GetArrayItem(t, 0);
    cr_assert_str_eq(field(first, "state"), "COMPLETE", "%s", field(first, "error"));
    /* nearest centroid on standardised breast_cancer: a good model */
    cr_assert_gt(cJSON_GetObjectItemCaseSensitive(first, "value")->valuedouble, 0.95);
    cJSON_Delete(t);
    /* every metric is tunefold's own, from the program's predictions */
    snprintf(args, sizeof args, "best --db '%s' --format json", e.db);
    cr_assert_eq(run_cli(args, &out, NULL), 0);
    cJSON *b = cJSON_Parse(out);
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(b, "metrics");
    cr_assert_not_null(cJSON_GetObjectItemCaseSensitive(m, "accuracy"));
    cr_assert_not_null(cJSON_GetObjectItemCaseSensitive(m, "log_loss"));
    cJSON_Delete(b);
    free(out);
    free(file);
    teardown(&e);
}

Test(external, every_misbehaviour_is_a_failed_trial_with_its_reason)
{
    struct env e = setup();
    char json[4096], args[2048], *out = NULL, *errout = NULL;
    snprintf(json, sizeof json,
             "{\"name\": \"ext-faults\", \"data\": {\"path\": \"%s/data/iris.csv\"},"
             " \"task\": \"multiclass\", \"trainer\": {\"exec\": [\"%s\"], \"timeout\": 1.5,"
             "  \"grace\": 0.3, \"max_failures\": 100},"
             " \"space\": {\"fault\": {\"type\": \"categorical\", \"values\": [\"none\","
             "  \"exit3\", \"segv\", \"sleep\", \"ignore_term\", \"flood\", \"linger\","
             "  \"short\", \"long\", \"nan\", \"text\", \"missing\", \"header\", \"badsum\","
             "  \"unknown_label\"]}},"
             " \"cv\": {\"folds\": 2}, \"search\": {\"strategy\": \"grid\"}}",
             getenv("PWD"), e.predict);
    char *file = study(&e, "f.json", json);
    snprintf(args, sizeof args, "run '%s' --db '%s' --quiet", file, e.db);
    cr_assert_eq(run_cli(args, &out, &errout), 0, "%s%s", out, errout);
    free(out);
    free(errout);
    cJSON *t = trials(&e);
    cr_assert_eq(cJSON_GetArraySize(t), 15, "the study goes on past every failure");
    static const struct {
        const char *fault, *state, *reason;
    } want[] = {
        {"none", "COMPLETE", ""},
        {"exit3", "FAILED", "exited with status 3; stderr: trainer: failing on purpose"},
        {"segv", "FAILED", "killed by signal 11 (Segmentation fault)"},
        {"sleep", "FAILED", "timed out after 1.5 s"},
        {"ignore_term", "FAILED", "killed after ignoring SIGTERM"},
        {"flood", "COMPLETE", ""},
        {"linger", "COMPLETE", ""},
        {"short", "FAILED", "the predictions of"},
        {"long", "FAILED", "the predictions of"},
        {"nan", "FAILED", "the predictions of"},
        {"text", "FAILED", "the predictions of"},
        {"missing", "FAILED", "exited without writing its predictions"},
        {"header", "FAILED", "the predictions of"},
        {"badsum", "FAILED", "the predictions of"},
        {"unknown_label", "FAILED", "the predictions of"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const cJSON *tr = by_fault(t, want[i].fault);
        cr_assert_str_eq(field(tr, "state"), want[i].state, "fault %s: %s", want[i].fault,
                         field(tr, "error"));
        cr_assert(strstr(field(tr, "error"), want[i].reason) != NULL,
                  "fault %s: error '%s' lacks '%s'", want[i].fault, field(tr, "error"),
                  want[i].reason);
        cr_assert_null(strchr(field(tr, "error"), '\n'), "one line: %s", field(tr, "error"));
    }
    cJSON_Delete(t);
    free(file);
    teardown(&e);
}

Test(external, a_score_mode_program_reports_its_objective_and_metrics)
{
    struct env e = setup();
    char json[2048], args[2048], *out = NULL;
    snprintf(json, sizeof json,
             "{\"name\": \"ext-score\", \"trainer\": {\"exec\": [\"%s\"], \"mode\": \"score\","
             " \"timeout\": 5, \"grace\": 0.3, \"max_failures\": 100,"
             " \"params\": {\"x\": 0.25, \"y\": 2.5}},"
             " \"space\": {\"fault\": {\"type\": \"categorical\", \"values\": [\"none\","
             "  \"none_line\", \"nan\", \"exit3\"]}},"
             " \"search\": {\"strategy\": \"grid\"}, \"objective\": {\"direction\": \"minimize\"}}",
             e.score);
    char *file = study(&e, "s.json", json);
    snprintf(args, sizeof args, "run '%s' --db '%s' --quiet", file, e.db);
    cr_assert_eq(run_cli(args, &out, NULL), 0, "%s", out);
    free(out);
    cJSON *t = trials(&e);
    cr_assert_eq(cJSON_GetArraySize(t), 4);
    cr_assert_str_eq(field(by_fault(t, "none"), "state"), "COMPLETE");
    cr_assert(strstr(field(by_fault(t, "none_line"), "error"), "printed no objective line"));
    cr_assert(strstr(field(by_fault(t, "nan"), "error"), "not a finite number"),
              "%s", field(by_fault(t, "nan"), "error"));
    cr_assert(strstr(field(by_fault(t, "exit3"), "error"), "exited with status 3"));
    cJSON_Delete(t);
    free(file);
    teardown(&e);
}

Test(external, too_many_failures_in_a_row_stop_the_study_with_exit_1)
{
    struct env e = setup();
    char json[2048], args[2048], *out = NULL, *errout = NULL;
    snprintf(json, sizeof json,
             "{\"name\": \"ext-stop\", \"trainer\": {\"exec\": [\"%s\", \"--fault=exit3\"],"
             " \"mode\": \"score\", \"max_failures\": 3, \"params\": {\"y\": 1}},"
             " \"space\": {\"x\": {\"type\": \"float\", \"low\": 0, \"high\": 1}},"
             " \"search\": {\"trials\": 10}, \"objective\": {\"direction\": \"minimize\"}}",
             e.score);
    char *file = study(&e, "m.json", json);
    snprintf(args, sizeof args, "run '%s' --db '%s' --quiet", file, e.db);
    cr_assert_eq(run_cli(args, &out, &errout), 1);
    cr_assert(strstr(errout, "3 trials failed in a row") != NULL, "%s", errout);
    cJSON *t = trials(&e);
    cr_assert_eq(cJSON_GetArraySize(t), 3);
    cJSON_Delete(t);
    free(out);
    free(errout);
    free(file);
    teardown(&e);
}

Test(external, a_hostile_value_reaches_the_program_as_one_literal_argument)
{
    struct env e = setup();
    char json[2048], args[2048], *out = NULL;
    /* "params" prints its TUNEFOLD_PARAMS file on stderr; the stored stderr
     * tail shows the value arrived unexpanded (the runner's own tests check
     * the argument vector itself, tests/test_process.c) */
    snprintf(json, sizeof json,
             "{\"name\": \"ext-quote\", \"trainer\": {\"exec\": [\"%s\", \"--fault=params\"],"
             " \"mode\": \"score\", \"params\": {\"evil\": \"; rm -rf ~ $(id) `id`\","
             " \"x\": 1, \"y\": 2}},"
             " \"search\": {\"trials\": 1}, \"objective\": {\"direction\": \"minimize\"}}",
             e.score);
    char *file = study(&e, "q.json", json);
    snprintf(args, sizeof args, "run '%s' --db '%s' --quiet", file, e.db);
    cr_assert_eq(run_cli(args, &out, NULL), 0, "%s", out);
    free(out);
    char sql[1024];
    snprintf(sql, sizeof sql,
             "sqlite3 '%s' \"SELECT data FROM artifacts WHERE name = 'stderr-score.txt'\"", e.db);
    cr_assert_eq(tu_run(sql, &out, NULL), 0);
    cr_assert(strstr(out, "\"evil\":\"; rm -rf ~ $(id) `id`\"") != NULL, "%s", out);
    free(out);
    free(file);
    teardown(&e);
}

Test(external, study_file_errors_name_the_trainer_key)
{
    struct env e = setup();
    static const struct {
        const char *trainer, *extra, *msg;
    } cases[] = {
        {"{\"exec\": []}", "", "trainer.exec: must be a non-empty array"},
        {"{\"exec\": [\"x\"], \"mode\": \"fast\"}", "", "trainer.mode: must be"},
        {"{\"exec\": [\"x\"], \"params_as\": \"files\"}", "", "trainer.params_as: must be"},
        {"{\"exec\": [\"x\"], \"timeout\": -1}", "", "trainer.timeout: must be > 0"},
        {"{\"exec\": [\"x\"], \"name\": \"logistic\"}", "", "not both"},
        {"{\"exec\": [\"x\"], \"mode\": \"score\"}", "", "objective: a score-mode study needs"},
        {"{\"exec\": [\"x\"], \"mode\": \"score\"}", ", \"objective\": \"loss\"",
         "objective: a score-mode study needs"},
        {"{\"exec\": [\"x\"], \"mode\": \"score\", \"objective_regex\": \"(\"}",
         ", \"objective\": {\"direction\": \"minimize\"}", "trainer.objective_regex:"},
        {"{\"exec\": [\"x\"], \"mode\": \"score\"}",
         ", \"task\": \"binary\", \"objective\": {\"direction\": \"minimize\"}",
         "task: not used by a score-mode trainer"},
        {"{\"exec\": [\"x\", \"-g\", \"{gama}\"], \"mode\": \"score\"}",
         ", \"space\": {\"gamma\": {\"type\": \"float\", \"low\": 0, \"high\": 1}},"
         " \"objective\": {\"direction\": \"minimize\"}",
         "trainer.exec[2]: unknown parameter 'gama' in '{gama}' (parameters: gamma)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char json[2048], args[2048], *errout = NULL;
        snprintf(json, sizeof json, "{\"name\": \"bad\", \"trainer\": %s%s}", cases[i].trainer,
                 cases[i].extra);
        char *file = study(&e, "bad.json", json);
        snprintf(args, sizeof args, "run '%s' --db '%s'", file, e.db);
        cr_assert_eq(run_cli(args, NULL, &errout), 2, "case %zu: %s", i, errout);
        cr_assert(strstr(errout, cases[i].msg) != NULL, "case %zu: '%s' lacks '%s'", i, errout,
                  cases[i].msg);
        free(errout);
        free(file);
    }
    teardown(&e);
}

/* ---- programs that cannot start (issue 13, item 1) -------------------------- */

/* Run a study expected to stop on max_failures; the reason of every trial
 * and the last one named on stderr must be `want`. */
static void expect_start_failure(const struct env *e, const char *name, const char *trainer,
                                 const char *extra, const char *want)
{
    char json[4096], args[2048], *out = NULL, *errout = NULL;
    snprintf(json, sizeof json,
             "{\"name\": \"%s\", \"trainer\": %s,"
             " \"space\": {\"x\": {\"type\": \"float\", \"low\": 0, \"high\": 1}},"
             " \"search\": {\"trials\": 3}%s}",
             name, trainer, extra);
    char *file = study(e, "start.json", json);
    snprintf(args, sizeof args, "run '%s' --db '%s' --quiet", file, e->db);
    cr_assert_eq(run_cli(args, &out, &errout), 1, "%s: %s%s", name, out, errout);
    char last[1024];
    snprintf(last, sizeof last, "(trainer.max_failures); the last: %s", want);
    cr_assert(strstr(errout, last) != NULL, "%s: stderr '%s' lacks '%s'", name, errout, last);
    free(out);
    free(errout);

    snprintf(args, sizeof args, "trials --db '%s' --study '%s' --format json", e->db, name);
    cr_assert_eq(run_cli(args, &out, NULL), 0);
    cJSON *t = cJSON_Parse(out);
    cr_assert_eq(cJSON_GetArraySize(t), 2, "%s: %s", name, out);
    const cJSON *tr;
    cJSON_ArrayForEach(tr, t) {
        cr_assert_str_eq(field(tr, "state"), "FAILED");
        cr_assert(strstr(field(tr, "error"), want) != NULL, "%s: error '%s' lacks '%s'", name,
                  field(tr, "error"), want);
    }
    cJSON_Delete(t);
    free(out);
    /* and the table people read */
    snprintf(args, sizeof args, "trials --db '%s' --study '%s'", e->db, name);
    cr_assert_eq(run_cli(args, &out, NULL), 0);
    cr_assert(strstr(out, want) != NULL, "%s: table lacks '%s':\n%s", name, want, out);
    free(out);
    free(file);
}

Test(external, a_program_that_cannot_start_fails_with_its_name_and_the_system_reason)
{
    struct env e = setup();
    char *script = tu_write(e.dir, "noexec.sh", "#!/bin/sh\necho '{\"objective\": 1}'\n");
    chmod(script, 0644);
    const char *score = ", \"objective\": {\"direction\": \"minimize\"}";
    /* not on PATH, a missing relative path, a file without the execute bit */
    expect_start_failure(&e, "no-path",
                         "{\"exec\": [\"tunefold-no-such-trainer\", \"-q\"], \"mode\": \"score\","
                         " \"max_failures\": 2}",
                         score, "exec 'tunefold-no-such-trainer': No such file or directory");
    expect_start_failure(&e, "no-file",
                         "{\"exec\": [\"./missing/train\"], \"mode\": \"score\","
                         " \"max_failures\": 2}",
                         score, "exec './missing/train': No such file or directory");
    expect_start_failure(&e, "no-x",
                         "{\"exec\": [\"./noexec.sh\"], \"mode\": \"score\", \"max_failures\": 2}",
                         score, "exec './noexec.sh': Permission denied");
    /* predict mode: the same reason, after the fold */
    char extra[1024];
    snprintf(extra, sizeof extra,
             ", \"data\": {\"path\": \"%s/data/iris.csv\"}, \"task\": \"multiclass\","
             " \"cv\": {\"folds\": 2}",
             getenv("PWD"));
    expect_start_failure(&e, "no-path-predict",
                         "{\"exec\": [\"tunefold-no-such-trainer\"], \"max_failures\": 2}", extra,
                         "fold 1: exec 'tunefold-no-such-trainer': No such file or directory");
    free(script);
    teardown(&e);
}

/* ---- a second Ctrl-C (issue 13, item 8) -------------------------------------- */

/* tunefold run in a process group of its own, as a shell runs a foreground
 * job; output to files in dir. */
static pid_t spawn_run(const char *dir, const char *file, const char *db)
{
    char out[600], err[600];
    snprintf(out, sizeof out, "%s/run.out", dir);
    snprintf(err, sizeof err, "%s/run.err", dir);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        setpgid(0, 0);
        int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
            _exit(126);
        signal(SIGINT, SIG_DFL);
        execl(tu_bin(), "tunefold", "run", file, "--db", db, "--quiet", (char *)NULL);
        _exit(127);
    }
    setpgid(pid, pid);
    return pid;
}

static void nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* True once `pid` is no process, or only a zombie (init reaps it, or not),
 * waiting up to 10 s. */
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
        nap_ms(10);
    }
    return 0;
}

/* The pids of live processes (zombies aside) in group `pgid`: how many. */
static int group_members(long pgid)
{
    int found = 0;
    DIR *d = opendir("/proc");
    struct dirent *de;
    while (d && (de = readdir(d))) {
        char path[300], stat[512] = "";
        if (de->d_name[0] < '1' || de->d_name[0] > '9')
            continue;
        snprintf(path, sizeof path, "/proc/%s/stat", de->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        size_t n = fread(stat, 1, sizeof stat - 1, f);
        stat[n] = '\0';
        fclose(f);
        const char *paren = strrchr(stat, ')');
        char state = 0;
        long ppid = 0, pgrp = 0;
        if (paren && sscanf(paren + 1, " %c %ld %ld", &state, &ppid, &pgrp) == 3 &&
            pgrp == pgid && state != 'Z' && state != 'X')
            found++;
    }
    if (d)
        closedir(d);
    return found;
}

Test(external, a_second_ctrl_c_leaves_no_process_of_the_program_behind)
{
    struct env e = setup();
    char *family = tu_program("family", e.dir);
    char json[2048], pidfile[600];
    snprintf(pidfile, sizeof pidfile, "%s/gc.pid", e.dir);
    /* family waits for a child of its own, as sh -c 'svm-train ... & wait' */
    snprintf(json, sizeof json,
             "{\"name\": \"ext-ctrl-c\", \"trainer\": {\"exec\": [\"%s\", \"%s\", \"term\"],"
             " \"mode\": \"score\", \"grace\": 1},"
             " \"space\": {\"x\": {\"type\": \"float\", \"low\": 0, \"high\": 1}},"
             " \"search\": {\"trials\": 1}, \"objective\": {\"direction\": \"minimize\"}}",
             family, pidfile);
    char *file = study(&e, "c.json", json);
    pid_t run = spawn_run(e.dir, file, e.db);
    long gc = 0, pgid = 0;
    for (int tries = 0; tries < 2000 && gc == 0; tries++) {
        FILE *f = fopen(pidfile, "r");
        if (f) {
            if (fscanf(f, "%ld %ld", &gc, &pgid) != 2)
                gc = 0;
            fclose(f);
        }
        if (!gc)
            nap_ms(10);
    }
    cr_assert_gt(gc, 0, "the program's child never wrote %s", pidfile);
    /* Ctrl-C twice, to the foreground job as a terminal sends it */
    kill(-run, SIGINT);
    nap_ms(300);
    int status = 0;
    cr_assert_eq(waitpid(run, &status, WNOHANG), 0, "the first Ctrl-C finishes the trial");
    kill(-run, SIGINT);
    cr_assert_eq(waitpid(run, &status, 0), run);
    /* the second Ctrl-C cancels: the program's group is stopped like a
     * timeout, the trial is given up as lost, and tunefold exits 1 */
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1,
              "the second Ctrl-C stops tunefold and its program (status %d)", status);
    int gc_gone = gone(gc);
    int left = 0;
    for (int tries = 0; tries < 1000 && (left = group_members(pgid)) > 0; tries++)
        nap_ms(10);
    if (!gc_gone)
        kill((pid_t)gc, SIGKILL); /* a failing test cleans up after itself */
    cr_assert(gc_gone, "the program's child %ld survived a second Ctrl-C", gc);
    cr_assert_eq(left, 0, "%d process(es) of the program's group %ld survived", left, pgid);
    /* the first SIGTERM reached it: it had its chance to clean up */
    char *note = tu_read(e.dir, "gc.pid.term");
    cr_assert_not_null(note, "the program's child got no SIGTERM");
    cr_assert_str_eq(note, "TERM\n");
    free(note);
    free(file);
    free(family);
    teardown(&e);
}

/* ---- argument templates (issue 13, item 14) ----------------------------------- */

/* What the program wrote on stderr (its stderr tail, attached by the run). */
struct capture {
    char text[8192];
};

static int capture_attach(void *arg, const char *name, const void *data, size_t len)
{
    struct capture *c = arg;
    (void)name;
    if (len >= sizeof c->text)
        len = sizeof c->text - 1;
    memcpy(c->text, data, len);
    c->text[len] = '\0';
    return 0;
}

/* The hyperparameters of the template tests, and one trial's values:
 * C = 2.385, gamma = 0.1 + 0.2 (17 digits to round-trip), kernel = rbf,
 * shrink = true, degree = 3. */
static const char *const kernels[] = {"linear", "rbf", NULL};
static const struct tune_hparam tmpl_hp[] = {
    {.name = "C", .type = TUNE_PARAM_FLOAT, .low = 0.001, .high = 1000},
    {.name = "gamma", .type = TUNE_PARAM_FLOAT, .low = 0, .high = 1},
    {.name = "kernel", .type = TUNE_PARAM_CATEGORICAL, .choices = kernels},
    {.name = "shrink", .type = TUNE_PARAM_BOOL},
    {.name = "degree", .type = TUNE_PARAM_INT, .low = 1, .high = 5},
};

/* Run `argv` (a template; argv[0] is replaced by the show_args program) in
 * score mode; returns what the program printed on stderr. */
static void run_template(const char *const *argv, int as_env, struct capture *cap)
{
    char *dir = tu_tmpdir();
    char *prog = tu_program("show_args", dir);
    size_t n = 0;
    while (argv[n])
        n++;
    struct tune_external ext = {.mode = TUNE_EXTERNAL_SCORE, .params_as_env = as_env,
                                .timeout = 20};
    ext.argv = calloc(n + 1, sizeof *ext.argv);
    ext.argv[0] = strdup(prog);
    for (size_t i = 1; i < n; i++)
        ext.argv[i] = strdup(argv[i]);
    struct tune_trainer_type *t = NULL;
    struct tune_error err = {0};
    cr_assert_eq(tune_external_type_new(&ext, tmpl_hp, 5, 0, &t, &err), TUNE_OK, "%s",
                 err.msg);
    const char *names[] = {"C", "gamma", "kernel", "shrink", "degree"};
    const double values[] = {2.385, 0.1 + 0.2, 1, 1, 3};
    const char *strings[] = {NULL, NULL, "rbf", NULL, NULL};
    struct tune_params p = {5, names, values, strings};
    memset(cap, 0, sizeof *cap);
    struct tune_fit_ctx ctx = {.trial = 0, .fold = -1, .attach = capture_attach,
                               .attach_arg = cap, .type = t};
    struct tune_score_result sc;
    cr_assert_eq(t->score(&ctx, &p, &sc, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(sc.objective, 1.5);
    tune_score_result_release(&sc);
    tune_external_type_free(t);
    unlink(prog);
    rmdir(dir);
    free(prog);
    free(dir);
}

Test(external, placeholders_in_exec_put_each_value_where_the_program_wants_it)
{
    const char *argv[] = {"show_args", "-q", "-c", "{C}", "-g", "{gamma}",
                          "--k={kernel}/{degree}", "{{literal}}", "{shrink}", "x}}{{y",
                          "train.scale", NULL};
    struct capture cap;
    run_template(argv, 0, &cap);
    /* in place, as text, and nothing appended after the data file */
    cr_assert_str_eq(cap.text,
                     "argc 11\n"
                     "arg 1 -q\n"
                     "arg 2 -c\n"
                     "arg 3 2.385\n"
                     "arg 4 -g\n"
                     "arg 5 0.30000000000000004\n"
                     "arg 6 --k=rbf/3\n"
                     "arg 7 {literal}\n"
                     "arg 8 true\n"
                     "arg 9 x}{y\n"
                     "arg 10 train.scale\n");
}

Test(external, without_placeholders_the_values_are_still_appended_as_name_value)
{
    const char *argv[] = {"show_args", "{{not a placeholder}}", NULL};
    struct capture cap;
    run_template(argv, 0, &cap);
    cr_assert_str_eq(cap.text,
                     "argc 7\n"
                     "arg 1 {not a placeholder}\n"
                     "arg 2 --C=2.385\n"
                     "arg 3 --gamma=0.30000000000000004\n"
                     "arg 4 --kernel=rbf\n"
                     "arg 5 --shrink=true\n"
                     "arg 6 --degree=3\n");
}

Test(external, placeholders_work_with_params_as_env_which_also_sets_the_variables)
{
    const char *argv[] = {"show_args", "-c", "{C}", "{kernel}", NULL};
    struct capture cap;
    run_template(argv, 1, &cap);
    cr_assert(strncmp(cap.text, "argc 4\narg 1 -c\narg 2 2.385\narg 3 rbf\n", 37) == 0, "%s",
              cap.text);
    const char *vars[] = {"env TUNEFOLD_P_C=2.385\n", "env TUNEFOLD_P_GAMMA=0.30000000000000004\n",
                          "env TUNEFOLD_P_KERNEL=rbf\n", "env TUNEFOLD_P_SHRINK=true\n",
                          "env TUNEFOLD_P_DEGREE=3\n"};
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++)
        cr_assert_not_null(strstr(cap.text, vars[i]), "'%s' lacks '%s'", cap.text, vars[i]);
}

Test(external, a_template_value_is_never_shell_text)
{
    /* the same hostile value as a_hostile_value_reaches_the_program_as_one_literal_argument,
     * through a placeholder this time */
    struct env e = setup();
    char *prog = tu_program("show_args", e.dir);
    char json[2048], args[2048], *out = NULL;
    snprintf(json, sizeof json,
             "{\"name\": \"ext-tmpl-quote\", \"trainer\": {\"exec\": [\"%s\", \"-e\", "
             "\"<{evil}>\"], \"mode\": \"score\", \"params\": {\"evil\": \"; rm -rf ~ $(id) `id` "
             "{x}\"}}, \"space\": {\"x\": {\"type\": \"float\", \"low\": 0, \"high\": 1}},"
             " \"search\": {\"trials\": 1}, \"objective\": {\"direction\": \"minimize\"}}",
             prog);
    char *file = study(&e, "tq.json", json);
    snprintf(args, sizeof args, "run '%s' --db '%s' --quiet", file, e.db);
    cr_assert_eq(run_cli(args, &out, NULL), 0, "%s", out);
    free(out);
    char sql[1024];
    snprintf(sql, sizeof sql,
             "sqlite3 '%s' \"SELECT data FROM artifacts WHERE name = 'stderr-score.txt'\"", e.db);
    cr_assert_eq(tu_run(sql, &out, NULL), 0);
    /* the stored stderr, and the line end sqlite3 adds after a value */
    cr_assert_str_eq(out, "argc 3\narg 1 -e\narg 2 <; rm -rf ~ $(id) `id` {x}>\n\n");
    free(out);
    free(file);
    free(prog);
    teardown(&e);
}

/* ---- the svm-train example (examples/trainers/svm_train*.json) ------------------- */

/* The best value of `study` in db. */
static double best_value(const char *db, const char *name, char **params)
{
    char args[1024], *out = NULL;
    snprintf(args, sizeof args, "best --db '%s' --study '%s' --format json", db, name);
    cr_assert_eq(run_cli(args, &out, NULL), 0, "%s", out);
    cJSON *b = cJSON_Parse(out);
    cr_assert_not_null(b, "%s", out);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(b, "value");
    cr_assert(cJSON_IsNumber(v), "%s", out);
    double value = v->valuedouble;
    *params = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(b, "params"));
    cJSON_Delete(b);
    free(out);
    return value;
}

/* Run examples/trainers/NAME.json from a copy in dir (where the data is). */
static void run_example(const char *dir, const char *db, const char *name)
{
    char src[256], copy[256], args[2048], *out = NULL, *errout = NULL;
    snprintf(src, sizeof src, "%s.json", name);
    char *text = tu_read("examples/trainers", src);
    cr_assert_not_null(text, "examples/trainers/%s is missing", src);
    snprintf(copy, sizeof copy, "%s.json", name);
    char *file = tu_write(dir, copy, text);
    snprintf(args, sizeof args, "run '%s' --db '%s' --quiet", file, db);
    cr_assert_eq(run_cli(args, &out, &errout), 0, "%s: %s%s", name, out, errout);
    free(out);
    free(errout);
    free(file);
    free(text);
}

Test(external, the_svm_train_example_tunes_libsvm_with_argument_templates)
{
    if (tu_run("command -v svm-train >/dev/null && command -v svm-scale >/dev/null", NULL,
               NULL) != 0)
        cr_skip_test("svm-train not installed (apt-get install libsvm-tools)");
    char *dir = tu_tmpdir();
    char cmd[1024], db[600], *errout = NULL;
    snprintf(cmd, sizeof cmd,
             "examples/trainers/libsvm_data.sh data/breast_cancer.csv '%s/breast_cancer.scale'",
             dir);
    cr_assert_eq(tu_run(cmd, NULL, &errout), 0, "%s", errout);
    free(errout);
    snprintf(db, sizeof db, "%s/t.db", dir);

    /* the log2 grid of LIBSVM's grid.py: 11 values of C, 10 of gamma */
    run_example(dir, db, "svm_train_grid");
    char args[1024], *out = NULL;
    snprintf(args, sizeof args,
             "trials --db '%s' --study breast-cancer-svm-train-grid --format json", db);
    cr_assert_eq(run_cli(args, &out, NULL), 0);
    cJSON *t = cJSON_Parse(out);
    free(out);
    cr_assert_eq(cJSON_GetArraySize(t), 110);
    const cJSON *tr;
    cJSON_ArrayForEach(tr, t)
        cr_assert_str_eq(field(tr, "state"), "COMPLETE", "%s", field(tr, "error"));
    cJSON_Delete(t);
    char *params = NULL;
    double grid = best_value(db, "breast-cancer-svm-train-grid", &params);
    /* 5-fold accuracy in percent, as svm-train prints it; an RBF SVM on
     * scaled breast_cancer is near 98 % (LIBSVM 3.24: 98.2425 at C = 2,
     * gamma = 0.125, grid.py's answer too) */
    cr_assert(grid > 97 && grid <= 100, "grid best %g at %s", grid, params);
    free(params);

    /* bayes, 30 trials: as good as the 110 grid points */
    run_example(dir, db, "svm_train");
    double bayes = best_value(db, "breast-cancer-svm-train", &params);
    cr_assert(bayes > 97 && bayes <= 100, "bayes best %g at %s", bayes, params);
    free(params);

    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    tu_run(cmd, NULL, NULL);
    free(dir);
}
