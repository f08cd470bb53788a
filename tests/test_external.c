/* test_external.c — external trainers end to end through the CLI: a good
 * program in each mode, and misbehaving ones (exit 3, segfault, sleeping past
 * the timeout, ignoring SIGTERM, 100 MB of output, a lingering child, a bad
 * predictions file, no objective).  Each misbehaviour is a FAILED trial with
 * the right reason, and the study around it completes.  The programs are
 * built from tests/programs/ at test start; no Python needed. */
#include "testutil.h"

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

static char *compile(const char *src, const char *dir, const char *name)
{
    char *path = malloc(strlen(dir) + strlen(name) + 2), cmd[2048], *errout = NULL;
    sprintf(path, "%s/%s", dir, name);
    snprintf(cmd, sizeof cmd, "cc -std=c11 -O1 -Itests/programs -o '%s' %s -lm", path, src);
    int rc = tu_run(cmd, NULL, &errout);
    cr_assert_eq(rc, 0, "cannot compile %s: %s", src, errout);
    free(errout);
    return path;
}

static struct env setup(void)
{
    struct env e;
    e.dir = tu_tmpdir();
    e.db = malloc(strlen(e.dir) + 8);
    sprintf(e.db, "%s/t.db", e.dir);
    e.predict = compile("tests/programs/trainer_predict.c", e.dir, "trainer_predict");
    e.score = compile("tests/programs/trainer_score.c", e.dir, "trainer_score");
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
    char *family = compile("tests/programs/family.c", e.dir, "family");
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
    cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGINT,
              "the second Ctrl-C stops tunefold at once");
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
