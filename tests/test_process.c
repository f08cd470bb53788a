/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_process.c — the safe process runner against programs that behave and
 * programs that do not (the sources in tests/programs, built by the Makefile
 * and copied into a fresh temporary folder by the test that needs them).  Time limits here are fractions of a second; assertions
 * are on outcomes, never on how long something took, except lower bounds
 * that a correct runner cannot miss (a timed-out run lasted its limit). */
/* realpath */
#define _XOPEN_SOURCE 700
#include "testutil.h"
#include "src/process.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

/* ---- helpers ------------------------------------------------------------- */

struct prog {
    char *dir;
    char path[512];
};

/* A copy of tests/programs/NAME (built by make) in a fresh folder. */
static struct prog build(const char *name)
{
    struct prog p = {.dir = tu_tmpdir()};
    char *path = tu_program(name, p.dir);
    snprintf(p.path, sizeof p.path, "%s", path);
    free(path);
    return p;
}

static void drop(struct prog *p)
{
    unlink(p->path);
    rmdir(p->dir);
    free(p->dir);
}

/* Every stdout line, copied. */
struct lines {
    size_t n;
    char *s[64];
    size_t len[64];
};

static int collect(void *arg, const char *line, size_t len)
{
    struct lines *l = arg;
    cr_assert_eq(line[len], '\0', "a delivered line is NUL-terminated");
    if (l->n < 64) {
        l->s[l->n] = malloc(len + 1);
        memcpy(l->s[l->n], line, len + 1);
        l->len[l->n] = len;
    }
    l->n++;
    return 0;
}

static void lines_free(struct lines *l)
{
    for (size_t i = 0; i < l->n && i < 64; i++)
        free(l->s[i]);
}

/* Byte i of what tests/programs/flood.c writes. */
static char flood_byte(size_t i)
{
    return i % 100 == 99 ? '\n' : (char)('a' + (i / 100) % 26);
}

/* True once `pid` is no process, or only a zombie waiting for init. */
static int process_gone(long pid)
{
    for (int tries = 0; tries < 200; tries++) {
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
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return 0;
}

/* True once no live process (zombies aside) is in process group `pgid`,
 * waiting up to 10 s. */
static int group_gone(long pgid)
{
    for (int tries = 0; tries < 1000; tries++) {
        int found = 0;
        DIR *d = opendir("/proc");
        struct dirent *e;
        while (d && !found && (e = readdir(d))) {
            char path[300], stat[512] = "";
            if (e->d_name[0] < '1' || e->d_name[0] > '9')
                continue;
            snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
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
                found = 1;
        }
        if (d)
            closedir(d);
        if (!found)
            return 1;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return 0;
}

static const char *reason(const struct tune_proc_result *r)
{
    static char buf[256]; /* test-only convenience */
    return tune_proc_reason(r, buf, sizeof buf);
}

/* A runner that hung would hang the suite: SIGALRM ends the test instead
 * (Criterion's own .timeout leaks under LeakSanitizer). */
static void watchdog(void)
{
    alarm(120);
}

TestSuite(process, .init = watchdog);

/* ---- a program that behaves ---------------------------------------------- */

Test(process, arguments_and_environment_arrive_exactly_and_nothing_is_shell_text)
{
    struct prog p = build("echo");
    char *work = tu_tmpdir();
    char work_real[PATH_MAX];
    cr_assert_not_null(realpath(work, work_real));
    setenv("TU_GONE", "inherited", 1);
    setenv("TU_OVER", "old", 1);
    const char *argv[] = {p.path, "; rm -rf ~", "$(touch pwned)", "two words", "",
                          "*", "back\\slash 'quote\" `touch pwned2`", NULL};
    const char *env[] = {"TU_SHOW_ENV=TU_A:TU_B:TU_GONE:TU_OVER",
                         "TU_A=first",
                         "TU_B=a b;c|d $HOME",
                         "TU_GONE",
                         "TU_OVER=new",
                         "TU_A=2.385",
                         NULL};
    struct lines got = {0};
    struct tune_proc_spec spec = {.argv = argv, .env_add = env, .workdir = work,
                                  .timeout = 30, .on_line = collect, .arg = &got};
    struct tune_proc_result r;
    struct tune_error err = {0};
    cr_assert_eq(tune_proc_run(&spec, &r, &err), TUNE_OK, "%s", err.msg);

    char cwd_line[PATH_MAX + 8];
    snprintf(cwd_line, sizeof cwd_line, "cwd %s", work_real);
    const char *want[] = {"argc 7",
                          "arg 1 10 ; rm -rf ~",
                          "arg 2 14 $(touch pwned)",
                          "arg 3 9 two words",
                          "arg 4 0 ",
                          "arg 5 1 *",
                          "arg 6 33 back\\slash 'quote\" `touch pwned2`",
                          "env TU_A=2.385",
                          "env TU_B=a b;c|d $HOME",
                          "unset TU_GONE",
                          "env TU_OVER=new",
                          cwd_line,
                          "stdin eof",
                          "fds",
                          "crlf",
                          "last"};
    size_t n_want = sizeof want / sizeof *want;
    cr_assert_eq(got.n, n_want, "%zu lines delivered, expected %zu", got.n, n_want);
    for (size_t i = 0; i < n_want; i++)
        cr_assert_str_eq(got.s[i], want[i], "line %zu", i);
    cr_assert_eq(r.stdout_lines, n_want);
    cr_assert(r.exited && r.exit_code == 0 && !r.signaled && !r.timed_out);
    cr_assert(tune_proc_succeeded(&r));
    cr_assert_str_eq(reason(&r), "exited with status 0");
    cr_assert_str_eq(r.stderr_tail, "echo: done\n");
    cr_assert_eq(r.stderr_bytes, strlen("echo: done\n"));
    cr_assert_eq(r.stdout_tail_len, r.stdout_bytes, "a short output is kept whole");
    cr_assert(r.seconds >= 0 && r.user_seconds >= 0 && r.max_rss_kib > 0);

    /* no shell ran: the would-be commands created nothing, anywhere */
    struct stat st;
    cr_assert_neq(stat("pwned", &st), 0);
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/pwned", work);
    cr_assert_neq(stat(path, &st), 0);
    snprintf(path, sizeof path, "%s/pwned2", work);
    cr_assert_neq(stat(path, &st), 0);
    /* and the program was collected: no zombie is left to the caller */
    cr_assert_eq(waitpid((pid_t)r.pid, NULL, WNOHANG), -1);
    cr_assert_eq(errno, ECHILD);

    tune_proc_result_release(&r);
    cr_assert_null(r.stderr_tail);
    tune_proc_result_release(NULL);
    lines_free(&got);
    rmdir(work);
    free(work);
    drop(&p);
}

/* ---- programs that fail --------------------------------------------------- */

Test(process, a_nonzero_exit_is_an_outcome_with_its_status_and_stderr)
{
    struct prog p = build("exit_with");
    const char *argv[] = {p.path, "3", NULL};
    struct lines got = {0};
    struct tune_proc_spec spec = {.argv = argv, .timeout = 30, .on_line = collect, .arg = &got};
    struct tune_proc_result r;
    struct tune_error err = {0};
    cr_assert_eq(tune_proc_run(&spec, &r, &err), TUNE_OK, "%s", err.msg);
    cr_assert(r.exited);
    cr_assert_eq(r.exit_code, 3);
    cr_assert(!r.signaled && !r.timed_out && !r.killed);
    cr_assert(!tune_proc_succeeded(&r));
    cr_assert_str_eq(reason(&r), "exited with status 3");
    cr_assert_str_eq(r.stderr_tail, "exit_with: failing with status 3\n");
    cr_assert_eq(got.n, 1);
    cr_assert_str_eq(got.s[0], "about to fail");
    tune_proc_result_release(&r);
    lines_free(&got);
    drop(&p);
}

Test(process, a_segfault_is_reported_with_the_signal_and_its_name)
{
    struct prog p = build("segfault");
    const char *argv[] = {p.path, NULL};
    struct lines got = {0};
    struct tune_proc_spec spec = {.argv = argv, .timeout = 30, .on_line = collect, .arg = &got};
    struct tune_proc_result r;
    struct tune_error err = {0};
    cr_assert_eq(tune_proc_run(&spec, &r, &err), TUNE_OK, "%s", err.msg);
    cr_assert(r.signaled && !r.exited && !r.timed_out && !r.killed);
    cr_assert_eq(r.term_signal, SIGSEGV);
    cr_assert_str_eq(reason(&r), "killed by signal 11 (Segmentation fault)");
    cr_assert_eq(got.n, 1, "what it printed before crashing still arrives");
    cr_assert_str_eq(got.s[0], "about to crash");
    tune_proc_result_release(&r);
    lines_free(&got);
    drop(&p);
}

Test(process, a_program_past_its_time_limit_is_terminated)
{
    struct prog p = build("sleeper");
    const char *argv[] = {p.path, "30", NULL};
    struct lines got = {0};
    struct tune_proc_spec spec = {
        .argv = argv, .timeout = 0.3, .grace = 5, .on_line = collect, .arg = &got};
    struct tune_proc_result r;
    struct tune_error err = {0};
    cr_assert_eq(tune_proc_run(&spec, &r, &err), TUNE_OK, "%s", err.msg);
    cr_assert(r.timed_out);
    cr_assert(r.signaled, "it died of our SIGTERM, not of old age");
    cr_assert_eq(r.term_signal, SIGTERM);
    cr_assert(!r.killed, "SIGTERM sufficed");
    cr_assert_geq(r.seconds, 0.3);
    cr_assert_str_eq(reason(&r), "timed out after 0.3 s");
    cr_assert_eq(got.n, 1);
    cr_assert_str_eq(got.s[0], "sleeping");
    tune_proc_result_release(&r);
    lines_free(&got);
    drop(&p);
}

Test(process, a_program_that_closes_its_output_still_meets_its_time_limit)
{
    struct prog p = build("sleeper");
    const char *argv[] = {p.path, "30", "close", NULL};
    struct tune_proc_spec spec = {.argv = argv, .timeout = 0.3};
    struct tune_proc_result r;
    struct tune_error err = {0};
    cr_assert_eq(tune_proc_run(&spec, &r, &err), TUNE_OK, "%s", err.msg);
    cr_assert(r.timed_out && r.signaled);
    cr_assert_eq(r.term_signal, SIGTERM);
    cr_assert_eq(r.stdout_lines, 1);
    tune_proc_result_release(&r);
    drop(&p);
}

Test(process, a_program_that_ignores_sigterm_is_killed_after_the_grace_period)
{
    struct prog p = build("ignore_term");
    const char *argv[] = {p.path, NULL};
    struct lines got = {0};
    struct tune_proc_spec spec = {
        .argv = argv, .timeout = 0.2, .grace = 0.3, .on_line = collect, .arg = &got};
    struct tune_proc_result r;
    struct tune_error err = {0};
    cr_assert_eq(tune_proc_run(&spec, &r, &err), TUNE_OK, "%s", err.msg);
    cr_assert(r.timed_out && r.signaled && r.killed);
    cr_assert_eq(r.term_signal, SIGKILL);
    cr_assert_geq(r.seconds, 0.5, "SIGKILL came only after the grace period");
    cr_assert_str_eq(reason(&r), "timed out after 0.2 s; killed after ignoring SIGTERM for 0.3 s");
    cr_assert_eq(got.n, 1);
    cr_assert_str_eq(got.s[0], "ready");
    tune_proc_result_release(&r);
    lines_free(&got);
    drop(&p);
}

Test(process, the_callers_signal_mask_and_ignored_sigterm_do_not_reach_the_program)
{
    struct prog p = build("sleeper");
    sigset_t term;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    sigprocmask(SIG_BLOCK, &term, NULL);
    signal(SIGTERM, SIG_IGN);
    const char *argv[] = {p.path, "30", NULL};
    struct tune_proc_spec spec = {.argv = argv, .timeout = 0.2, .grace = 10};
    struct tune_proc_result r;
    struct tune_error err = {0};
    cr_assert_eq(tune_proc_run(&spec, &r, &err), TUNE_OK, "%s", err.msg);
    cr_assert(r.timed_out && r.signaled);
    cr_assert_eq(r.term_signal, SIGTERM, "SIGTERM ended it: neither blocked nor ignored there");
    cr_assert(!r.killed);
    tune_proc_result_release(&r);
    drop(&p);
}

/* ---- output that would exhaust memory -------------------------------------- */

struct flood_check {
    size_t lines, bad;
};

static int check_flood_line(void *arg, const char *line, size_t len)
{
    struct flood_check *c = arg;
    char want = (char)('a' + c->lines % 26);
    if (len != 99 || line[0] != want || line[98] != want)
        c->bad++;
    c->lines++;
    return 0;
}

Test(process, a_hundred_megabytes_of_stdout_stream_through_in_bounded_memory)
{
    struct prog p = build("flood");
    const size_t total = 100u * 1024 * 1024;
    char bytes[32];
    snprintf(bytes, sizeof bytes, "%zu", total);
    const char *argv[] = {p.path, "stdout", bytes, NULL};
    struct flood_check c = {0};
    struct tune_proc_spec spec = {
        .argv = argv, .timeout = 100, .on_line = check_flood_line, .arg = &c};
    struct rusage before, after;
    getrusage(RUSAGE_SELF, &before);
    struct tune_proc_result r;
    struct tune_error err = {0};
    cr_assert_eq(tune_proc_run(&spec, &r, &err), TUNE_OK, "%s", err.msg);
    getrusage(RUSAGE_SELF, &after);
    cr_assert(tune_proc_succeeded(&r), "%s", reason(&r));
    cr_assert_eq(r.stdout_bytes, total);
    cr_assert_eq(r.stdout_lines, total / 100);
    cr_assert_eq(c.lines, total / 100, "every line delivered");
    cr_assert_eq(c.bad, 0, "every line delivered whole and in order");
    cr_assert_eq(r.stdout_long_lines, 0);
    cr_assert_eq(r.stdout_tail_len, TUNE_PROC_TAIL_DEFAULT);
    for (size_t i = 0; i < r.stdout_tail_len; i++)
        cr_assert_eq(r.stdout_tail[i], flood_byte(total - TUNE_PROC_TAIL_DEFAULT + i),
                     "tail byte %zu", i);
    /* ru_maxrss is the peak in KiB: holding the output would add 100 MiB */
    cr_assert_lt(after.ru_maxrss - before.ru_maxrss, 16 * 1024,
                 "peak memory grew by %ld KiB", after.ru_maxrss - before.ru_maxrss);
    tune_proc_result_release(&r);
    drop(&p);
}

Test(process, a_huge_line_without_newline_is_counted_and_skipped)
{
    struct prog p = build("long_line");
    const char *argv[] = {p.path, "8388608", NULL};
    struct lines got = {0};
    struct tune_proc_spec spec = {.argv = argv, .timeout = 30, .on_line = collect, .arg = &got};
    struct tune_proc_result r;
    struct tune_error err = {0};
    cr_assert_eq(tune_proc_run(&spec, &r, &err), TUNE_OK, "%s", err.msg);
    cr_assert(tune_proc_succeeded(&r));
    cr_assert_eq(r.stdout_bytes, 8388608);
    cr_assert_eq(r.stdout_long_lines, 1);
    cr_assert_eq(r.stdout_lines, 0);
    cr_assert_eq(got.n, 0, "no fragment of it is delivered");
    tune_proc_result_release(&r);

    /* the line after a skipped one arrives intact */
    const char *argv2[] = {p.path, "8388608", "after", NULL};
    spec.argv = argv2;
    cr_assert_eq(tune_proc_run(&spec, &r, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(r.stdout_long_lines, 1);
    cr_assert_eq(got.n, 1);
    cr_assert_str_eq(got.s[0], "after");
    tune_proc_result_release(&r);
    lines_free(&got);
    drop(&p);
}

Test(process, line_max_is_the_longest_line_delivered)
{
    struct prog p = build("flood");
    const char *argv[] = {p.path, "stdout", "1000", NULL}; /* ten lines of 99 bytes */
    struct flood_check c = {0};
    struct tune_proc_spec spec = {
        .argv = argv, .timeout = 30, .line_max = 99, .on_line = check_flood_line, .arg = &c};
    struct tune_proc_result r;
    struct tune_error err = {0};
    cr_assert_eq(tune_proc_run(&spec, &r, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(c.lines, 10);
    cr_assert_eq(c.bad, 0);
    cr_assert_eq(r.stdout_long_lines, 0);
    tune_proc_result_release(&r);

    c = (struct flood_check){0};
    spec.line_max = 98;
    cr_assert_eq(tune_proc_run(&spec, &r, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(c.lines, 0);
    cr_assert_eq(r.stdout_long_lines, 10);
    tune_proc_result_release(&r);
    drop(&p);
}

Test(process, the_stderr_tail_is_exactly_the_last_bytes)
{
    struct prog p = build("flood");
    const char *argv[] = {p.path, "stderr", "10000", NULL};
    struct tune_proc_spec spec = {.argv = argv, .timeout = 30};
    struct tune_proc_result r;
    struct tune_error err = {0};
    cr_assert_eq(tune_proc_run(&spec, &r, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(r.stderr_bytes, 10000);
    cr_assert_eq(r.stderr_tail_len, 4096);
    cr_assert_eq(strlen(r.stderr_tail), 4096);
    for (size_t i = 0; i < 4096; i++)
        cr_assert_eq(r.stderr_tail[i], flood_byte(10000 - 4096 + i), "tail byte %zu", i);
    cr_assert_eq(r.stdout_bytes, 0);
    cr_assert_str_eq(r.stdout_tail, "");
    tune_proc_result_release(&r);

    spec.stderr_tail = 150;
    cr_assert_eq(tune_proc_run(&spec, &r, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(r.stderr_tail_len, 150);
    for (size_t i = 0; i < 150; i++)
        cr_assert_eq(r.stderr_tail[i], flood_byte(10000 - 150 + i), "tail byte %zu", i);
    tune_proc_result_release(&r);
    drop(&p);
}

/* ---- processes left behind ----------------------------------------------- */

static long child_pid(const struct lines *got)
{
    cr_assert_geq(got->n, 1);
    long pid = 0;
    cr_assert_eq(sscanf(got->s[0], "child %ld", &pid), 1, "line '%s'", got->s[0]);
    cr_assert_gt(pid, 1);
    return pid;
}

Test(process, a_child_that_outlives_the_program_is_killed_with_its_group)
{
    struct prog p = build("linger");
    const char *argv[] = {p.path, NULL};
    struct lines got = {0};
    struct tune_proc_spec spec = {.argv = argv, .timeout = 20, .on_line = collect, .arg = &got};
    struct tune_proc_result r;
    struct tune_error err = {0};
    cr_assert_eq(tune_proc_run(&spec, &r, &err), TUNE_OK, "%s", err.msg);
    /* the child held stdout open for 30 s: had the runner waited for
     * end-of-file, the 20 s limit would have struck */
    cr_assert(!r.timed_out, "the runner waited on a pipe the child held");
    cr_assert(tune_proc_succeeded(&r), "%s", reason(&r));
    long pid = child_pid(&got);
    cr_assert(process_gone(pid), "child %ld is still running", pid);
    tune_proc_result_release(&r);
    lines_free(&got);
    drop(&p);
}

Test(process, a_child_that_escapes_with_setsid_does_not_hold_up_the_run)
{
    struct prog p = build("linger");
    const char *argv[] = {p.path, "escape", NULL};
    struct lines got = {0};
    struct tune_proc_spec spec = {.argv = argv, .timeout = 20, .on_line = collect, .arg = &got};
    struct tune_proc_result r;
    struct tune_error err = {0};
    cr_assert_eq(tune_proc_run(&spec, &r, &err), TUNE_OK, "%s", err.msg);
    cr_assert(!r.timed_out, "the runner waited on a pipe the escaped child held");
    cr_assert(tune_proc_succeeded(&r), "%s", reason(&r));
    long pid = child_pid(&got);
    /* The documented limit: a new session is out of the group's reach. */
    int alive = kill((pid_t)pid, 0) == 0;
    kill((pid_t)pid, SIGKILL); /* the test cleans up after it */
    cr_assert(alive, "expected the escaped child %ld to survive (documented limit)", pid);
    tune_proc_result_release(&r);
    lines_free(&got);
    drop(&p);
}

/* ---- the caller dies ------------------------------------------------------ */

/* "PID PGID" from the file tests/programs/family.c's child writes, waiting
 * up to 20 s for it. */
static void read_family(const char *pidfile, long *pid, long *pgid)
{
    for (int tries = 0; tries < 2000; tries++) {
        FILE *f = fopen(pidfile, "r");
        if (f) {
            int n = fscanf(f, "%ld %ld", pid, pgid);
            fclose(f);
            if (n == 2)
                return;
        }
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    cr_assert_fail("%s never appeared", pidfile);
}

/* A process (the "caller", as tunefold would be) runs `family` through the
 * runner and is killed with SIGKILL while family's child sleeps.  The
 * caller's own death is what a second Ctrl-C or kill -9 does to tunefold. */
static void kill_the_caller(const struct prog *p, const char *pidfile, const char *mode,
                            double grace, long *grandchild, long *pgid)
{
    pid_t caller = fork();
    cr_assert_geq(caller, 0);
    if (caller == 0) {
        const char *argv[] = {p->path, pidfile, mode, NULL};
        struct tune_proc_spec spec = {.argv = argv, .timeout = 60, .grace = grace};
        struct tune_proc_result r;
        struct tune_error err = {0};
        tune_proc_run(&spec, &r, &err);
        _exit(0);
    }
    read_family(pidfile, grandchild, pgid);
    kill(caller, SIGKILL);
    int status;
    cr_assert_eq(waitpid(caller, &status, 0), caller);
    cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

Test(process, when_the_caller_dies_the_programs_children_get_sigterm)
{
    struct prog p = build("family");
    char pidfile[600], termfile[620];
    snprintf(pidfile, sizeof pidfile, "%s/pid", p.dir);
    snprintf(termfile, sizeof termfile, "%s.term", pidfile);
    long gc = 0, pgid = 0;
    kill_the_caller(&p, pidfile, "term", 30, &gc, &pgid);
    int gone = process_gone(gc);
    if (!gone)
        kill((pid_t)gc, SIGKILL); /* a failing test cleans up after itself */
    cr_assert(gone, "grandchild %ld outlived its caller", gc);
    cr_assert(group_gone(pgid), "a process of group %ld outlived the caller", pgid);
    /* SIGTERM first: the grandchild's handler wrote its note (a grace of
     * 30 s means a SIGKILL could not have come yet) */
    char *note = tu_read(p.dir, "pid.term");
    cr_assert_not_null(note, "the grandchild died without seeing SIGTERM");
    cr_assert_str_eq(note, "TERM\n");
    free(note);
    unlink(termfile);
    unlink(pidfile);
    drop(&p);
}

Test(process, when_the_caller_dies_a_child_ignoring_sigterm_is_killed_after_the_grace)
{
    struct prog p = build("family");
    char pidfile[600];
    snprintf(pidfile, sizeof pidfile, "%s/pid", p.dir);
    long gc = 0, pgid = 0;
    kill_the_caller(&p, pidfile, "ignore", 0.5, &gc, &pgid);
    /* not before the grace period (0.5 s) is over ... */
    struct timespec ts = {0, 100 * 1000 * 1000};
    nanosleep(&ts, NULL);
    int early = kill((pid_t)gc, 0) != 0;
    /* ... but then, and nothing of its group is left */
    int gone = process_gone(gc);
    if (!gone)
        kill((pid_t)gc, SIGKILL); /* a failing test cleans up after itself */
    cr_assert(!early, "grandchild %ld was killed before the grace period", gc);
    cr_assert(gone, "grandchild %ld ignored SIGTERM and survived", gc);
    cr_assert(group_gone(pgid), "a process of group %ld outlived the caller", pgid);
    unlink(pidfile);
    drop(&p);
}

/* ---- the caller stops it -------------------------------------------------- */

struct stopper {
    size_t calls, stop_after;
    volatile sig_atomic_t *flag;
};

static int stop_after(void *arg, const char *line, size_t len)
{
    (void)line;
    (void)len;
    struct stopper *s = arg;
    s->calls++;
    if (s->flag) {
        *s->flag = 1;
        return 0;
    }
    return s->calls == s->stop_after ? 7 : 0;
}

Test(process, a_nonzero_return_from_on_line_stops_the_program)
{
    struct prog p = build("flood");
    const char *argv[] = {p.path, "stdout", "100000000000", NULL};
    struct stopper s = {.stop_after = 10};
    struct tune_proc_spec spec = {
        .argv = argv, .timeout = 30, .grace = 5, .on_line = stop_after, .arg = &s};
    struct tune_proc_result r;
    struct tune_error err = {0};
    cr_assert_eq(tune_proc_run(&spec, &r, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(r.stopped, 7);
    cr_assert_eq(s.calls, 10, "no line is delivered after a stop");
    cr_assert(!r.timed_out && !tune_proc_succeeded(&r));
    cr_assert(r.signaled, "the endless program died of a signal");
    cr_assert_str_eq(reason(&r), "stopped by the caller");
    tune_proc_result_release(&r);
    drop(&p);
}

Test(process, a_cancel_flag_stops_the_program)
{
    struct prog p = build("sleeper");
    const char *argv[] = {p.path, "30", NULL};
    volatile sig_atomic_t flag = 0;
    struct stopper s = {.flag = &flag};
    struct tune_proc_spec spec = {.argv = argv, .timeout = 30, .on_line = stop_after,
                                  .arg = &s, .cancel = &flag};
    struct tune_proc_result r;
    struct tune_error err = {0};
    cr_assert_eq(tune_proc_run(&spec, &r, &err), TUNE_OK, "%s", err.msg);
    cr_assert(r.cancelled && !r.timed_out && !r.stopped);
    cr_assert_eq(r.term_signal, SIGTERM);
    cr_assert_str_eq(reason(&r), "cancelled");
    tune_proc_result_release(&r);
    drop(&p);
}

/* ---- programs that never start --------------------------------------------- */

Test(process, a_missing_program_is_a_one_line_error)
{
    const char *argv[] = {"tunefold-no-such-program", "--x=1", NULL};
    struct tune_proc_spec spec = {.argv = argv, .timeout = 5};
    struct tune_proc_result r;
    struct tune_error err = {0};
    cr_assert_eq(tune_proc_run(&spec, &r, &err), TUNE_EIO);
    cr_assert_str_eq(err.msg, "exec 'tunefold-no-such-program': No such file or directory");
    cr_assert_eq(r.start_errno, ENOENT);
    cr_assert(!r.exited && !tune_proc_succeeded(&r));
    cr_assert_str_eq(reason(&r), "could not start: No such file or directory");
    cr_assert_not_null(r.stderr_tail);
    tune_proc_result_release(&r);

    const char *argv2[] = {"/nonexistent/dir/train", NULL};
    spec.argv = argv2;
    cr_assert_eq(tune_proc_run(&spec, &r, &err), TUNE_EIO);
    cr_assert_str_eq(err.msg, "exec '/nonexistent/dir/train': No such file or directory");
    tune_proc_result_release(&r);
}

Test(process, a_file_that_is_not_executable_or_a_missing_workdir_is_an_error)
{
    char *dir = tu_tmpdir();
    char *script = tu_write(dir, "train.sh", "#!/bin/sh\necho hi\n");
    chmod(script, 0644);
    const char *argv[] = {script, NULL};
    struct tune_proc_spec spec = {.argv = argv, .timeout = 5};
    struct tune_proc_result r;
    struct tune_error err = {0};
    cr_assert_eq(tune_proc_run(&spec, &r, &err), TUNE_EIO);
    char want[PATH_MAX + 64];
    snprintf(want, sizeof want, "exec '%s': Permission denied", script);
    cr_assert_str_eq(err.msg, want);
    cr_assert_eq(r.start_errno, EACCES);
    tune_proc_result_release(&r);

    /* made executable, the same script runs; a missing workdir stops it */
    chmod(script, 0755);
    cr_assert_eq(tune_proc_run(&spec, &r, &err), TUNE_OK, "%s", err.msg);
    cr_assert(tune_proc_succeeded(&r));
    cr_assert_str_eq(r.stdout_tail, "hi\n");
    tune_proc_result_release(&r);
    spec.workdir = "/nonexistent-tunefold-dir";
    cr_assert_eq(tune_proc_run(&spec, &r, &err), TUNE_EIO);
    snprintf(want, sizeof want,
             "chdir '/nonexistent-tunefold-dir' to run '%s': No such file or directory", script);
    cr_assert_str_eq(err.msg, want);
    tune_proc_result_release(&r);
    unlink(script);
    free(script);
    rmdir(dir);
    free(dir);
}

Test(process, a_bad_spec_is_refused_before_anything_runs)
{
    struct tune_proc_result r;
    struct tune_error err = {0};
    const char *none[] = {NULL}, *empty[] = {"", NULL}, *ok[] = {"true", NULL};
    struct tune_proc_spec spec = {.argv = none};
    cr_assert_eq(tune_proc_run(&spec, &r, &err), TUNE_EINVAL);
    spec.argv = empty;
    cr_assert_eq(tune_proc_run(&spec, &r, &err), TUNE_EINVAL);
    spec.argv = NULL;
    cr_assert_eq(tune_proc_run(&spec, &r, &err), TUNE_EINVAL);
    cr_assert_eq(tune_proc_run(NULL, &r, &err), TUNE_EINVAL);
    spec.argv = ok;
    spec.timeout = -1;
    cr_assert_eq(tune_proc_run(&spec, &r, &err), TUNE_EINVAL);
    cr_assert_str_eq(err.msg, "timeout -1: must be >= 0 seconds (0: none)");
    spec.timeout = NAN;
    cr_assert_eq(tune_proc_run(&spec, &r, &err), TUNE_EINVAL);
    spec.timeout = 0;
    const char *bad_env[] = {"=x", NULL};
    spec.env_add = bad_env;
    cr_assert_eq(tune_proc_run(&spec, &r, &err), TUNE_EINVAL);
    cr_assert_str_eq(err.msg, "environment entry 0 ('=x') has no variable name");
    tune_proc_result_release(&r);
}

Test(process, an_ignored_sigchld_is_refused_since_the_status_would_be_lost)
{
    signal(SIGCHLD, SIG_IGN);
    const char *argv[] = {"true", NULL};
    struct tune_proc_spec spec = {.argv = argv};
    struct tune_proc_result r;
    struct tune_error err = {0};
    cr_assert_eq(tune_proc_run(&spec, &r, &err), TUNE_EINVAL);
    cr_assert_not_null(strstr(err.msg, "SIGCHLD is ignored"), "%s", err.msg);
    signal(SIGCHLD, SIG_DFL);
    cr_assert_eq(tune_proc_run(&spec, &r, &err), TUNE_OK, "%s", err.msg);
    cr_assert(tune_proc_succeeded(&r));
    tune_proc_result_release(&r);
}

Test(process, signal_names_are_fixed_text)
{
    cr_assert_str_eq(tune_proc_signal_text(SIGSEGV), "Segmentation fault");
    cr_assert_str_eq(tune_proc_signal_text(SIGKILL), "Killed");
    cr_assert_str_eq(tune_proc_signal_text(SIGABRT), "Aborted");
    cr_assert_str_eq(tune_proc_signal_text(0), "Unknown signal");
    char small[8];
    struct tune_proc_result r = {.exited = 1, .exit_code = 3};
    cr_assert_str_eq(tune_proc_reason(&r, small, sizeof small), "exited ");
}
