/* SPDX-License-Identifier: GPL-3.0-or-later */
/* process.c — the safe process runner (see src/process.h for what it
 * guarantees and where its reach ends).
 *
 * One run, step by step:
 *  1. Before fork, in the parent: check the spec, build the child's
 *     environment (an array of pointers into environ and env_add, no
 *     copies), open /dev/null and four close-on-exec pipes — stdout,
 *     stderr, a "start report" pipe and the watchdog's — all above fd 2,
 *     and allocate every buffer.  Nothing is allocated after fork, so once
 *     the program runs the runner cannot fail for memory and always
 *     collects it.
 *  2. fork with every signal blocked, so no handler of the caller ever runs
 *     in the child.  The child resets caught signals (and SIGPIPE, SIGTERM,
 *     SIGCHLD) to their defaults, unblocks everything, makes its own process
 *     group, asks for SIGTERM when its parent dies (Linux), takes /dev/null
 *     and the pipes as fds 0-2, closes every other descriptor, changes to
 *     the working directory, and calls execvp.  Any failing step writes
 *     {step, errno} to the report pipe and _exits(127); a successful exec
 *     closes that pipe (close-on-exec).  So "could not start" is told apart
 *     from "ran and exited 127" without guessing.
 *  2b. Then a second fork, the watchdog (watch_run): it joins the program's
 *     group, keeps every signal blocked, and waits on a pipe only the
 *     parent writes to (plus a look at getppid every 250 ms); if the parent
 *     dies first it stops the group as a time limit would.  It execs
 *     nothing and touches little memory, so it costs a fork.
 *  3. The parent polls the non-blocking read ends.  The runner installs no
 *     SIGCHLD handler (handlers are the caller's business), so nothing wakes
 *     poll when the program exits while a grandchild still holds the pipes:
 *     the poll timeout is the next deadline (time limit, or SIGKILL at the
 *     end of the grace period) capped by a back-off (1 ms doubling to 50 ms,
 *     reset by any output), and each wake-up asks waitid(WNOHANG | WNOWAIT)
 *     whether the program has exited.  WNOWAIT leaves the zombie in place.
 *  4. Once it has exited: the zombie still pins its pid, which is the group
 *     id, so no new process can have taken it; SIGKILL goes to the group
 *     (the children that linger, and the watchdog), and only then is the
 *     zombie reaped with wait4 (status and resource usage), then the
 *     watchdog.  What is left in the pipes is read without waiting for
 *     end-of-file (an escaped grandchild may hold them open forever), capped
 *     at DRAIN_MAX bytes per stream, and a last line without newline is
 *     delivered.
 *
 * Signals to "the group" go to -pid and to pid both: a program that moved
 * itself to another group (setpgid/setsid) is still our child and still
 * killable by pid, even though its own children then are not. */

/* pipe2, wait4, syscall(close_range), NSIG: Linux/glibc interfaces with a
 * portable fallback where one exists.  Must come before any header. */
#define _GNU_SOURCE
#include "src/process.h"
#include "tunefold/text.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

extern char **environ;

#define CHUNK (64 * 1024)             /* bytes per read() */
#define DRAIN_MAX (4 * 1024 * 1024)   /* bytes read per stream after exit */
#define BACKOFF_MAX_MS 50             /* longest sleep between exit checks */
#define CLOSE_LOOP_MAX 65536          /* fd bound of the close() fallback */
#define WATCH_POLL_MS 250             /* the watchdog's look at its parent */

#ifndef NSIG
#define NSIG 65
#endif

enum start_step { STEP_FDS = 1, STEP_CHDIR = 2, STEP_EXEC = 3 };

struct start_report {
    int step;
    int err;
};

/* Everything the child needs, computed before fork. */
struct child_plan {
    const char *const *argv;
    char **envp;
    const char *workdir;
    int null_fd, out_w, err_w, rep_w;
    pid_t parent;
    int fd_limit;
};

/* Everything the watchdog needs, computed before its fork. */
struct watch_plan {
    pid_t parent;    /* the caller's process */
    pid_t pgid;      /* the program's group (its pid) */
    int rd;          /* read end of a pipe whose only writer is the caller */
    double grace;
    int fd_limit;
};

/* The last `cap` bytes of a stream: a ring, linearised into `text` at the end. */
struct tail {
    char *ring;
    char *text;      /* cap + 1 bytes */
    size_t cap, len, head;
};

struct run {
    const struct tune_proc_spec *spec;
    struct tune_proc_result *out;
    char *chunk;
    char *line;             /* line_max + 1 bytes */
    size_t line_len, line_max;
    int line_overlong;      /* the current line passed line_max: skipping to '\n' */
    struct tail so, se;
    struct start_report report;
    int reported;
};

/* strerror_r, whichever of its two signatures the C library declares. */
static const char *errno_text(int e, char *buf, size_t size)
{
#if defined(__GLIBC__) && defined(_GNU_SOURCE)
    return strerror_r(e, buf, size);
#else
    if (strerror_r(e, buf, size) != 0)
        snprintf(buf, size, "error %d", e);
    return buf;
#endif
}

/* ---- output bookkeeping -------------------------------------------------- */

static int tail_init(struct tail *t, size_t cap)
{
    t->cap = cap;
    t->len = t->head = 0;
    t->ring = malloc(cap);
    t->text = malloc(cap + 1);
    return t->ring && t->text ? 0 : -1;
}

static void tail_add(struct tail *t, const char *p, size_t n)
{
    if (n >= t->cap) {
        memcpy(t->ring, p + (n - t->cap), t->cap);
        t->head = 0;
        t->len = t->cap;
        return;
    }
    size_t first = t->cap - t->head;
    if (first > n)
        first = n;
    memcpy(t->ring + t->head, p, first);
    memcpy(t->ring, p + first, n - first);
    t->head = (t->head + n) % t->cap;
    t->len = t->len + n > t->cap ? t->cap : t->len + n;
}

/* Hand the linearised text over to the caller; the ring is freed. */
static char *tail_take(struct tail *t, size_t *len)
{
    if (t->len < t->cap) {
        memcpy(t->text, t->ring, t->len);
    } else {
        memcpy(t->text, t->ring + t->head, t->cap - t->head);
        memcpy(t->text + (t->cap - t->head), t->ring, t->head);
    }
    t->text[t->len] = '\0';
    *len = t->len;
    char *text = t->text;
    free(t->ring);
    t->ring = t->text = NULL;
    return text;
}

static void tail_release(struct tail *t)
{
    free(t->ring);
    free(t->text);
    t->ring = t->text = NULL;
}

static void finish_line(struct run *r)
{
    size_t len = r->line_len;
    if (len > 0 && r->line[len - 1] == '\r')
        len--;
    r->line[len] = '\0';
    r->out->stdout_lines++;
    if (r->spec->on_line && !r->out->stopped) {
        int rc = r->spec->on_line(r->spec->arg, r->line, len);
        if (rc)
            r->out->stopped = rc;
    }
    r->line_len = 0;
}

static void feed_stdout(struct run *r, const char *p, size_t n)
{
    r->out->stdout_bytes += n;
    tail_add(&r->so, p, n);
    while (n > 0) {
        const char *nl = memchr(p, '\n', n);
        size_t seg = nl ? (size_t)(nl - p) : n;
        if (!r->line_overlong) {
            if (seg > r->line_max - r->line_len) {
                r->line_overlong = 1;
                r->line_len = 0;
            } else {
                memcpy(r->line + r->line_len, p, seg);
                r->line_len += seg;
            }
        }
        if (!nl)
            break;
        if (r->line_overlong) {
            r->out->stdout_long_lines++;
            r->line_overlong = 0;
        } else {
            finish_line(r);
        }
        p = nl + 1;
        n -= seg + 1;
    }
}

/* At exit: a last line without newline still counts. */
static void flush_stdout(struct run *r)
{
    if (r->line_overlong) {
        r->out->stdout_long_lines++;
        r->line_overlong = 0;
    } else if (r->line_len > 0) {
        finish_line(r);
    }
}

/* Read once from *fd into the stream it carries; -1 on end-of-file (or an
 * error, which ends the stream the same way), 1 on data, 0 on nothing. */
static int read_stream(struct run *r, int *fd, int which)
{
    ssize_t n;
    do
        n = read(*fd, r->chunk, CHUNK);
    while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return 0;
    if (n <= 0) {
        close(*fd);
        *fd = -1;
        return -1;
    }
    if (which == 1) {
        feed_stdout(r, r->chunk, (size_t)n);
    } else {
        r->out->stderr_bytes += (size_t)n;
        tail_add(&r->se, r->chunk, (size_t)n);
    }
    return 1;
}

/* The child writes one whole report (8 bytes < PIPE_BUF: atomic) or none. */
static int read_report(struct run *r, int *fd)
{
    struct start_report rep;
    ssize_t n;
    do
        n = read(*fd, &rep, sizeof rep);
    while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return 0;
    if (n == (ssize_t)sizeof rep) {
        r->report = rep;
        r->reported = 1;
    }
    close(*fd);
    *fd = -1;
    return -1;
}

/* ---- the child, between fork and exec (async-signal-safe calls only) ---- */

_Noreturn static void child_fail(int fd, int step)
{
    struct start_report rep = {step, errno};
    ssize_t n;
    do
        n = write(fd, &rep, sizeof rep);
    while (n < 0 && errno == EINTR);
    _exit(127);
}

static void close_from(int lowfd, int limit)
{
#if defined(__linux__) && defined(SYS_close_range)
    if (syscall(SYS_close_range, (unsigned)lowfd, ~0U, 0U) == 0)
        return;
#endif
    for (int fd = lowfd; fd < limit; fd++)
        close(fd);
}

_Noreturn static void child_run(const struct child_plan *c)
{
    /* Caught signals back to default before anything can be unblocked; and
     * the three the protocol relies on even if the caller ignores them. */
    for (int sig = 1; sig < NSIG; sig++) {
        struct sigaction sa;
        if (sig == SIGKILL || sig == SIGSTOP || sigaction(sig, NULL, &sa) != 0)
            continue;
        int reset = sa.sa_handler != SIG_DFL &&
                    (sa.sa_handler != SIG_IGN || sig == SIGPIPE || sig == SIGTERM ||
                     sig == SIGCHLD);
        if (reset) {
            memset(&sa, 0, sizeof sa);
            sa.sa_handler = SIG_DFL;
            sigemptyset(&sa.sa_mask);
            sigaction(sig, &sa, NULL);
        }
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    setpgid(0, 0);
#ifdef __linux__
    /* SIGTERM, not SIGKILL: the watchdog gives the whole group the same
     * SIGTERM and its SIGKILL `grace` seconds later; this covers only a
     * program that has left its group, where the watchdog cannot follow. */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != c->parent) /* the parent died before prctl took effect */
        _exit(127);
#endif

    /* Every source fd is above 2 (see lift_fd), so these never collide. */
    if (dup2(c->null_fd, 0) < 0 || dup2(c->out_w, 1) < 0 || dup2(c->err_w, 2) < 0)
        child_fail(c->rep_w, STEP_FDS);
    int rep = c->rep_w;
    if (rep != 3) {
        if (dup2(rep, 3) < 0)
            child_fail(rep, STEP_FDS);
        rep = 3;
    }
    if (fcntl(rep, F_SETFD, FD_CLOEXEC) < 0)
        child_fail(rep, STEP_FDS);
    close_from(4, c->fd_limit);

    if (c->workdir && chdir(c->workdir) != 0)
        child_fail(rep, STEP_CHDIR);
    environ = c->envp;
    /* execvp's argv is `char *const[]` for historical reasons only: it does
     * not modify the strings (POSIX, rationale of exec). */
    execvp(c->argv[0], (char *const *)c->argv);
    child_fail(rep, STEP_EXEC);
}

/* The watchdog (forked, never exec'd; async-signal-safe calls only).  It
 * joins the program's group and waits for the caller to die: end-of-file on
 * a pipe only the caller writes to, or a new parent.  Then it does what the
 * runner does at a time limit: SIGTERM (and SIGCONT) to the group, SIGKILL
 * `grace` seconds later or as soon as the program itself has exited
 * (whichever comes first), which ends the watchdog too.  While the caller
 * lives, the caller ends it (the group's SIGKILL once the program exits).
 *
 * Every signal stays blocked (the mask of the fork): neither a Ctrl-C at
 * the terminal nor the SIGTERM it sends to its own group stops it; only
 * SIGKILL does.  Being a member, it keeps the group id from being reused
 * while it signals the group, even after init has reaped the program.  It
 * sees the program's exit through a pidfd (Linux 5.3); without one it
 * waits the whole grace period. */
_Noreturn static void watch_run(const struct watch_plan *w)
{
    if (setpgid(0, w->pgid) != 0 && getpgrp() != w->pgid)
        _exit(0); /* the program left its group: nothing to guard */
    if (dup2(w->rd, 0) < 0)
        _exit(0);
    close_from(1, w->fd_limit);
    int pidfd = -1;
#if defined(__linux__) && defined(SYS_pidfd_open)
    pidfd = (int)syscall(SYS_pidfd_open, w->pgid, 0);
#endif
    for (;;) {
        struct pollfd p = {.fd = 0, .events = POLLIN};
        int n = poll(&p, 1, WATCH_POLL_MS);
        if (getppid() != w->parent)
            break;
        if (n > 0) {
            char c;
            ssize_t got = read(0, &c, 1);
            if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN))
                break; /* every write end is closed: the caller is gone */
        }
    }
    kill(-w->pgid, SIGTERM);
    kill(-w->pgid, SIGCONT);
    double end = tune_clock_seconds() + w->grace;
    for (double t = tune_clock_seconds(); t < end; t = tune_clock_seconds()) {
        if (pidfd < 0) {
            struct timespec ts = {(time_t)(end - t),
                                  (long)((end - t - (double)(time_t)(end - t)) * 1e9)};
            nanosleep(&ts, NULL);
            continue;
        }
        struct pollfd p = {.fd = pidfd, .events = POLLIN};
        if (poll(&p, 1, (int)((end - t) * 1e3) + 1) > 0)
            break; /* the program has exited: what is left gets SIGKILL now */
    }
    kill(-w->pgid, SIGKILL); /* this process too */
    _exit(0);
}

/* ---- the parent ---------------------------------------------------------- */

/* Length of the name part of "NAME=value" (or of "NAME"). */
static size_t env_name_len(const char *e)
{
    return strcspn(e, "=");
}

static int env_same_name(const char *a, const char *b)
{
    size_t la = env_name_len(a), lb = env_name_len(b);
    return la == lb && memcmp(a, b, la) == 0;
}

/* environ minus every name env_add mentions, plus env_add's assignments
 * (the last one of a name wins).  Pointers only; *envp is malloc'ed. */
static int build_env(const char *const *add, char ***envp, struct tune_error *err)
{
    size_t n_env = 0, n_add = 0;
    while (environ && environ[n_env])
        n_env++;
    while (add && add[n_add]) {
        if (add[n_add][0] == '\0' || add[n_add][0] == '=')
            return tune_error_set(err, TUNE_EINVAL,
                                  "environment entry %zu ('%s') has no variable name", n_add,
                                  add[n_add]);
        n_add++;
    }
    char **e = malloc((n_env + n_add + 1) * sizeof *e);
    if (!e)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory for the environment");
    size_t k = 0;
    for (size_t i = 0; i < n_env; i++) {
        int replaced = 0;
        for (size_t j = 0; j < n_add && !replaced; j++)
            replaced = env_same_name(environ[i], add[j]);
        if (!replaced)
            e[k++] = environ[i];
    }
    for (size_t j = 0; j < n_add; j++) {
        int later = 0;
        for (size_t l = j + 1; l < n_add && !later; l++)
            later = env_same_name(add[j], add[l]);
        if (!later && strchr(add[j], '='))
            e[k++] = (char *)add[j];
    }
    e[k] = NULL;
    *envp = e;
    return TUNE_OK;
}

/* Move *fd above 2 (if the caller has closed a standard fd, a new one
 * lands there and would be clobbered by the child's dup2 to 0-2). */
static int lift_fd(int *fd)
{
    if (*fd > 2)
        return 0;
    int n = fcntl(*fd, F_DUPFD_CLOEXEC, 3);
    if (n < 0)
        return -1;
    close(*fd);
    *fd = n;
    return 0;
}

static int make_pipe(int p[2])
{
#ifdef __linux__
    if (pipe2(p, O_CLOEXEC) != 0)
        return -1;
#else
    if (pipe(p) != 0)
        return -1;
    fcntl(p[0], F_SETFD, FD_CLOEXEC);
    fcntl(p[1], F_SETFD, FD_CLOEXEC);
#endif
    if (lift_fd(&p[0]) != 0 || lift_fd(&p[1]) != 0)
        return -1;
    return 0;
}

static void close_fd(int *fd)
{
    if (*fd >= 0) {
        close(*fd);
        *fd = -1;
    }
}

/* The signal to the program's group and to the program itself. */
static void signal_group(pid_t pid, int sig)
{
    kill(-pid, sig);
    kill(pid, sig);
}

/* 1 while `pid` is a child of ours not yet collected (alive or a zombie),
 * so its pid cannot have been reused. */
static int still_ours(pid_t pid)
{
    siginfo_t si;
    int rc;
    do
        rc = waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT);
    while (rc != 0 && errno == EINTR);
    return rc == 0;
}

/* End the watchdog (already dead if the group got SIGKILL) and collect it. */
static void watch_end(pid_t wpid)
{
    if (wpid <= 0 || !still_ours(wpid))
        return;
    kill(wpid, SIGKILL);
    while (waitpid(wpid, NULL, 0) < 0 && errno == EINTR)
        ;
}

static int check_spec(const struct tune_proc_spec *s, struct tune_error *err)
{
    if (!s || !s->argv || !s->argv[0] || !s->argv[0][0])
        return tune_error_set(err, TUNE_EINVAL, "no program to run (empty argument vector)");
    if (isnan(s->timeout) || s->timeout < 0)
        return tune_error_set(err, TUNE_EINVAL, "timeout %g: must be >= 0 seconds (0: none)",
                              s->timeout);
    if (isnan(s->grace) || s->grace < 0)
        return tune_error_set(err, TUNE_EINVAL, "grace %g: must be >= 0 seconds (0: %g)",
                              s->grace, TUNE_PROC_GRACE_DEFAULT);
    if (s->line_max >= SIZE_MAX / 2 || s->stdout_tail >= SIZE_MAX / 2 ||
        s->stderr_tail >= SIZE_MAX / 2)
        return tune_error_set(err, TUNE_EINVAL, "line_max or tail size too large");
    struct sigaction sa;
    if (sigaction(SIGCHLD, NULL, &sa) == 0 &&
        (sa.sa_handler == SIG_IGN || (sa.sa_flags & SA_NOCLDWAIT)))
        return tune_error_set(err, TUNE_EINVAL,
                              "SIGCHLD is ignored in this process, so a program's exit status "
                              "cannot be collected; restore its default to run '%s'",
                              s->argv[0]);
    return TUNE_OK;
}

int tune_proc_run(const struct tune_proc_spec *spec, struct tune_proc_result *out,
                  struct tune_error *err)
{
    if (!out)
        return tune_error_set(err, TUNE_EINVAL, "no result to fill");
    memset(out, 0, sizeof *out);
    int rc = check_spec(spec, err);
    if (rc)
        return rc;

    struct run r = {.spec = spec, .out = out};
    out->timeout = spec->timeout;
    out->grace = spec->grace > 0 ? spec->grace : TUNE_PROC_GRACE_DEFAULT;
    r.line_max = spec->line_max ? spec->line_max : TUNE_PROC_LINE_MAX_DEFAULT;
    char **envp = NULL;
    int null_fd = -1, po[2] = {-1, -1}, pe[2] = {-1, -1}, pr[2] = {-1, -1}, pw[2] = {-1, -1};
    pid_t wpid = -1;
    int watch_in_group = 0;
    char why[128];
    const char *argv0 = spec->argv[0];

    r.chunk = malloc(CHUNK);
    r.line = malloc(r.line_max + 1);
    if (!r.chunk || !r.line ||
        tail_init(&r.so, spec->stdout_tail ? spec->stdout_tail : TUNE_PROC_TAIL_DEFAULT) ||
        tail_init(&r.se, spec->stderr_tail ? spec->stderr_tail : TUNE_PROC_TAIL_DEFAULT)) {
        rc = tune_error_set(err, TUNE_ENOMEM, "out of memory for the output of '%s'", argv0);
        goto done;
    }
    if ((rc = build_env(spec->env_add, &envp, err)))
        goto done;

    null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null_fd < 0 || lift_fd(&null_fd) != 0 || make_pipe(po) || make_pipe(pe) ||
        make_pipe(pr) || make_pipe(pw)) {
        int e = errno;
        rc = tune_error_set(err, TUNE_EIO, "cannot set up the pipes for '%s': %s", argv0,
                            errno_text(e, why, sizeof why));
        out->start_errno = e;
        goto done;
    }
    long open_max = sysconf(_SC_OPEN_MAX);
    struct child_plan plan = {
        .argv = spec->argv,
        .envp = envp,
        .workdir = spec->workdir,
        .null_fd = null_fd,
        .out_w = po[1],
        .err_w = pe[1],
        .rep_w = pr[1],
        .parent = getpid(),
        .fd_limit = open_max > 0 && open_max < CLOSE_LOOP_MAX ? (int)open_max : CLOSE_LOOP_MAX,
    };

    /* Block every signal across fork: the child must not run the caller's
     * handlers; it resets them before unblocking. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    double t0 = tune_clock_seconds();
    pid_t pid = fork();
    if (pid == 0)
        child_run(&plan); /* never returns */
    int fork_errno = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (pid < 0) {
        rc = tune_error_set(err, TUNE_EIO, "fork for '%s': %s", argv0,
                            errno_text(fork_errno, why, sizeof why));
        out->start_errno = fork_errno;
        goto done;
    }
    out->pid = (long)pid;
    /* Also here, so the group exists before any signal we might send it
     * (EACCES once the child has exec'd is harmless: it did it itself). */
    setpgid(pid, pid);
    close_fd(&po[1]);
    close_fd(&pe[1]);
    close_fd(&pr[1]);
    close_fd(&null_fd);

    /* The watchdog, so that the group is stopped even if this process dies
     * (a second Ctrl-C, kill -9, a crash) before the program has exited. */
    struct watch_plan watch = {.parent = plan.parent, .pgid = pid, .rd = pw[0],
                               .grace = out->grace, .fd_limit = plan.fd_limit};
    pthread_sigmask(SIG_SETMASK, &all, &old);
    wpid = fork();
    if (wpid == 0)
        watch_run(&watch); /* never returns */
    fork_errno = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (wpid < 0) {
        signal_group(pid, SIGKILL);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
        rc = tune_error_set(err, TUNE_EIO, "fork for the watchdog of '%s': %s", argv0,
                            errno_text(fork_errno, why, sizeof why));
        out->start_errno = fork_errno;
        goto done;
    }
    /* Also here, as for the program; it fails only when the program has
     * already left its group (the watchdog then exits by itself). */
    watch_in_group = setpgid(wpid, pid) == 0;
    close_fd(&pw[0]);
    fcntl(po[0], F_SETFL, fcntl(po[0], F_GETFL) | O_NONBLOCK);
    fcntl(pe[0], F_SETFL, fcntl(pe[0], F_GETFL) | O_NONBLOCK);
    fcntl(pr[0], F_SETFL, fcntl(pr[0], F_GETFL) | O_NONBLOCK);

    double deadline = spec->timeout > 0 ? t0 + spec->timeout : INFINITY;
    double kill_at = INFINITY, t_exit = t0;
    int stopping = 0, kill_sent = 0, backoff_ms = 1, lost = 0, io_errno = 0;
    for (;;) {
        siginfo_t si;
        memset(&si, 0, sizeof si);
        if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) != 0) {
            if (errno == EINTR)
                continue;
            lost = errno; /* reaped by someone else: SIGCHLD ignored since */
            break;
        }
        double t = tune_clock_seconds();
        if (si.si_pid == pid) {
            t_exit = t;
            break;
        }
        if (!stopping) {
            if (!out->stopped && spec->cancel && *spec->cancel)
                out->cancelled = 1;
            else if (!out->stopped && t >= deadline)
                out->timed_out = 1;
            if (out->stopped || out->cancelled || out->timed_out) {
                signal_group(pid, SIGTERM);
                signal_group(pid, SIGCONT);
                stopping = 1;
                kill_at = t + out->grace;
            }
        }
        if (stopping && !kill_sent && t >= kill_at) {
            signal_group(pid, SIGKILL);
            kill_sent = 1;
        }

        double wait = backoff_ms * 1e-3;
        if (!stopping && deadline - t < wait)
            wait = deadline - t;
        if (stopping && !kill_sent && kill_at - t < wait)
            wait = kill_at - t;
        int ms = wait > 0 ? (int)ceil(wait * 1e3) : 0;

        struct pollfd fds[3];
        int *which_fd[3], which[3];
        nfds_t nfds = 0;
        int *cand[3] = {&po[0], &pe[0], &pr[0]};
        for (int i = 0; i < 3; i++) {
            if (*cand[i] < 0)
                continue;
            fds[nfds] = (struct pollfd){.fd = *cand[i], .events = POLLIN};
            which_fd[nfds] = cand[i];
            which[nfds] = i + 1;
            nfds++;
        }
        int n = poll(fds, nfds, ms);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            io_errno = errno;
            signal_group(pid, SIGKILL);
            kill_sent = 1;
            /* fall through to the exit check: the program is dying */
            continue;
        }
        if (n == 0) {
            backoff_ms = backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff_ms * 2;
            continue;
        }
        for (nfds_t i = 0; i < nfds; i++) {
            if (!fds[i].revents)
                continue;
            if (which[i] == 3)
                read_report(&r, which_fd[i]);
            else
                read_stream(&r, which_fd[i], which[i]);
        }
        backoff_ms = 1;
    }

    int status = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    if (!lost) {
        /* The zombie pins the group id: kill what lingers (the watchdog
         * too), then reap. */
        signal_group(pid, SIGKILL);
        pid_t w;
        do
            w = wait4(pid, &status, 0, &ru);
        while (w < 0 && errno == EINTR);
        if (w < 0)
            lost = errno;
    } else if (watch_in_group && still_ours(wpid)) {
        /* The program was collected by someone else, so its pid is free;
         * but the watchdog, a member, still pins the group id. */
        kill(-pid, SIGKILL);
    }
    watch_end(wpid);
    wpid = -1;
    out->seconds = t_exit - t0;

    /* What the program wrote before exiting is in the pipes now; a process
     * that escaped the group may keep writing, hence the cap. */
    int *streams[2] = {&po[0], &pe[0]};
    for (int i = 0; i < 2; i++) {
        size_t drained = 0;
        while (*streams[i] >= 0 && drained < DRAIN_MAX && read_stream(&r, streams[i], i + 1) > 0)
            drained += CHUNK;
    }
    if (pr[0] >= 0)
        read_report(&r, &pr[0]);

    if (r.reported) {
        int e = r.report.err;
        out->start_errno = e ? e : EIO;
        const char *what = errno_text(out->start_errno, why, sizeof why);
        if (r.report.step == STEP_EXEC)
            rc = tune_error_set(err, TUNE_EIO, "exec '%s': %s", argv0, what);
        else if (r.report.step == STEP_CHDIR)
            rc = tune_error_set(err, TUNE_EIO, "chdir '%s' to run '%s': %s", spec->workdir,
                                argv0, what);
        else
            rc = tune_error_set(err, TUNE_EIO, "setting up the descriptors of '%s': %s", argv0,
                                what);
    } else {
        flush_stdout(&r);
        if (lost) {
            rc = tune_error_set(err, TUNE_EIO,
                                "lost track of '%s' (pid %ld): %s; is SIGCHLD ignored or "
                                "another waitpid collecting children?",
                                argv0, (long)pid, errno_text(lost, why, sizeof why));
        } else if (io_errno) {
            rc = tune_error_set(err, TUNE_EIO, "reading the output of '%s': %s", argv0,
                                errno_text(io_errno, why, sizeof why));
        }
    }
    if (!lost && !r.reported) {
        if (WIFEXITED(status)) {
            out->exited = 1;
            out->exit_code = WEXITSTATUS(status);
        } else if (WIFSIGNALED(status)) {
            out->signaled = 1;
            out->term_signal = WTERMSIG(status);
            out->killed = kill_sent && out->term_signal == SIGKILL;
        }
        out->user_seconds = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6;
        out->system_seconds = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
        out->max_rss_kib = ru.ru_maxrss;
    }

done:
    watch_end(wpid); /* before its pipe closes, which would set it off */
    if (r.so.ring && r.so.text)
        out->stdout_tail = tail_take(&r.so, &out->stdout_tail_len);
    if (r.se.ring && r.se.text)
        out->stderr_tail = tail_take(&r.se, &out->stderr_tail_len);
    tail_release(&r.so);
    tail_release(&r.se);
    close_fd(&null_fd);
    for (int i = 0; i < 2; i++) {
        close_fd(&po[i]);
        close_fd(&pe[i]);
        close_fd(&pr[i]);
        close_fd(&pw[i]);
    }
    free(envp);
    free(r.chunk);
    free(r.line);
    return rc;
}

void tune_proc_result_release(struct tune_proc_result *r)
{
    if (!r)
        return;
    free(r->stdout_tail);
    free(r->stderr_tail);
    memset(r, 0, sizeof *r);
}

int tune_proc_succeeded(const struct tune_proc_result *r)
{
    return r && !r->start_errno && r->exited && r->exit_code == 0 && !r->timed_out &&
           !r->stopped && !r->cancelled;
}

const char *tune_proc_signal_text(int sig)
{
    switch (sig) {
    case SIGHUP: return "Hangup";
    case SIGINT: return "Interrupt";
    case SIGQUIT: return "Quit";
    case SIGILL: return "Illegal instruction";
    case SIGTRAP: return "Trace/breakpoint trap";
    case SIGABRT: return "Aborted";
    case SIGBUS: return "Bus error";
    case SIGFPE: return "Floating point exception";
    case SIGKILL: return "Killed";
    case SIGUSR1: return "User defined signal 1";
    case SIGSEGV: return "Segmentation fault";
    case SIGUSR2: return "User defined signal 2";
    case SIGPIPE: return "Broken pipe";
    case SIGALRM: return "Alarm clock";
    case SIGTERM: return "Terminated";
    case SIGXCPU: return "CPU time limit exceeded";
    case SIGXFSZ: return "File size limit exceeded";
    case SIGSYS: return "Bad system call";
    default: return "Unknown signal";
    }
}

const char *tune_proc_reason(const struct tune_proc_result *r, char *buf, size_t size)
{
    if (!buf || size == 0)
        return buf;
    buf[0] = '\0';
    if (!r)
        return buf;
    char why[128];
    int n;
    if (r->start_errno)
        n = snprintf(buf, size, "could not start: %s",
                     errno_text(r->start_errno, why, sizeof why));
    else if (r->timed_out)
        n = snprintf(buf, size, "timed out after %g s", r->timeout);
    else if (r->cancelled)
        n = snprintf(buf, size, "cancelled");
    else if (r->stopped)
        n = snprintf(buf, size, "stopped by the caller");
    else if (r->signaled)
        n = snprintf(buf, size, "killed by signal %d (%s)", r->term_signal,
                     tune_proc_signal_text(r->term_signal));
    else if (r->exited)
        n = snprintf(buf, size, "exited with status %d", r->exit_code);
    else
        n = snprintf(buf, size, "did not run");
    if (r->killed && n >= 0 && (size_t)n < size)
        snprintf(buf + n, size - (size_t)n, "; killed after ignoring SIGTERM for %g s",
                 r->grace);
    return buf;
}
