/* SPDX-License-Identifier: GPL-3.0-or-later */
/* process.h — run an external program safely and record how it ended.
 *
 * The external-trainer protocol runs programs a user wrote, so this runner
 * assumes the worst of them: it survives a program that crashes, hangs,
 * ignores SIGTERM, prints gigabytes, prints a line without end, or leaves
 * children behind.  What it guarantees:
 *
 * - No shell anywhere: fork + execvp on the argument vector; an argument such
 *   as "; rm -rf ~" reaches the program as one literal argument.  argv[0] is
 *   looked up in PATH as execvp does (the PATH of the program's environment,
 *   i.e. after env_add); with a '/' in it, it is a path, relative to
 *   `workdir` when one is given.
 * - The program runs in a new process group of its own, with stdin from
 *   /dev/null, stdout and stderr on pipes, every other inherited descriptor
 *   closed, an empty signal mask, SIGPIPE/SIGTERM/SIGCHLD at their defaults
 *   (other ignored signals, e.g. SIGHUP under nohup, stay ignored), and on
 *   Linux PR_SET_PDEATHSIG = SIGTERM.
 * - Bounded memory whatever the program prints: stdout is delivered line by
 *   line to a callback (lines longer than `line_max` are counted and
 *   skipped), and only the last `stdout_tail` / `stderr_tail` bytes of each
 *   stream are kept.
 * - A time limit: at `timeout` the whole group gets SIGTERM (and SIGCONT, so
 *   a stopped program can act on it), and SIGKILL `grace` seconds later if
 *   the program is still alive.  The same happens when the caller stops the
 *   run (on_line returns non-zero) or cancels it (*cancel becomes non-zero).
 * - Nothing left behind: when the program exits, every process still in its
 *   group (children that linger) is killed with SIGKILL before the exit is
 *   collected, and the runner never waits for end-of-file on a pipe that
 *   such a child holds open.
 * - Nothing left behind when the caller dies either (a second Ctrl-C, kill
 *   -9, a crash): a watchdog, a second child forked beside the program into
 *   its group with every signal blocked, sees the caller go and then does
 *   what a time limit does: SIGTERM (and SIGCONT) to the group, and SIGKILL
 *   `grace` seconds later, or as soon as the program itself has exited.  So
 *   grandchildren (`sh -c 'train & wait'`) are stopped too.  The runner ends
 *   the watchdog with the group's SIGKILL; one extra process per run.
 *
 * Limits, stated rather than hidden:
 * - A descendant that leaves the group (setsid, setpgid) is beyond reach: it
 *   is not killed.  The runner still returns as soon as the program itself
 *   has exited; what that descendant prints afterwards is lost.
 * - After the caller's death the group is stopped at most `grace` seconds
 *   later, so it may outlive the caller by that long.  A program that left
 *   its own group is not followed by the watchdog: it gets only SIGTERM
 *   (PDEATHSIG, Linux).  A watchdog killed on purpose (SIGKILL to the
 *   program's group, say) guards nothing.
 * - The runner collects only its own child (waitpid on its pid), so it works
 *   with SIGCHLD at its default and with other children around; it refuses
 *   to start when SIGCHLD is ignored (SIG_IGN or SA_NOCLDWAIT), since the
 *   exit status would then be lost.  Nothing else in the process may reap
 *   the child (a waitpid(-1, ...) loop elsewhere would steal it).
 * - A process stuck in an uninterruptible sleep (state D) cannot be killed
 *   by anyone; the runner then waits for it.
 *
 * No global state, no signal handlers installed: several threads may run
 * programs at once.  The calling thread's signal mask is changed for the
 * instant of each fork() only. */
#ifndef TUNEFOLD_PROCESS_H
#define TUNEFOLD_PROCESS_H

#include <signal.h>
#include <stddef.h>
#include "tunefold/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TUNE_PROC_GRACE_DEFAULT 5.0        /* seconds from SIGTERM to SIGKILL */
#define TUNE_PROC_LINE_MAX_DEFAULT 65536   /* longest stdout line delivered */
#define TUNE_PROC_TAIL_DEFAULT 4096        /* bytes of each stream kept */

/* What to run.  Every pointer is borrowed for the duration of the call.
 * Zero in a numeric field takes the documented default, so a designated
 * initializer naming only what matters is a complete spec:
 *     struct tune_proc_spec spec = {.argv = argv, .timeout = 600}; */
struct tune_proc_spec {
    const char *const *argv;     /* NULL-terminated, argv[0] non-empty */
    /* NULL-terminated list of changes to the inherited environment, applied
     * in order: "NAME=value" sets NAME (replacing an inherited NAME),
     * "NAME" alone removes it.  NULL: the environment as inherited. */
    const char *const *env_add;
    const char *workdir;         /* working directory; NULL: the caller's */
    double timeout;              /* seconds of wall time; 0: no limit */
    double grace;                /* seconds from SIGTERM to SIGKILL; 0: 5 */
    size_t line_max;             /* bytes; longer stdout lines are skipped; 0: 64 KiB */
    size_t stdout_tail;          /* bytes of stdout kept; 0: 4096 */
    size_t stderr_tail;          /* bytes of stderr kept; 0: 4096 */
    /* Called with each stdout line as it arrives, in order, without its
     * "\n" (nor a "\r" before it); line[len] is '\0' and `line` is valid
     * during the call only (it may contain other '\0' bytes: trust len).
     * A last line without a newline is delivered when the program exits.
     * Return 0 to go on; any other value stops the program (as a timeout
     * does: SIGTERM, then SIGKILL after the grace period) and is recorded
     * in result.stopped; no line is delivered after that.  NULL: stdout is
     * only counted and its tail kept. */
    int (*on_line)(void *arg, const char *line, size_t len);
    void *arg;
    /* Optional: checked at least every 100 ms; when *cancel is non-zero the
     * program is stopped like a timeout and result.cancelled is set.  Meant
     * for a flag set by the caller's own SIGINT handler: the program is in
     * its own process group, so a Ctrl-C at the terminal does not reach it. */
    const volatile sig_atomic_t *cancel;
};

/* How the run ended.  Filled by tune_proc_run; release with
 * tune_proc_result_release (owns the two tails). */
struct tune_proc_result {
    long pid;                /* of the program (already collected) */
    int exited;              /* 1: it exited, with exit_code */
    int exit_code;
    int signaled;            /* 1: it was killed by term_signal */
    int term_signal;
    int timed_out;           /* 1: the time limit was reached and the group stopped */
    int killed;              /* 1: SIGKILL was needed (it outlived SIGTERM by `grace`) */
    int stopped;             /* the non-zero value on_line returned, else 0 */
    int cancelled;           /* 1: *cancel stopped it */
    int start_errno;         /* the program never ran: errno of the failed step */
    double seconds;          /* wall time from start to exit */
    double timeout, grace;   /* the limits applied (defaults resolved) */
    double user_seconds, system_seconds;  /* CPU time of the program (and of the
                                              children it waited for) */
    long max_rss_kib;        /* peak resident memory of the program */
    size_t stdout_bytes;     /* every byte read from stdout */
    size_t stdout_lines;     /* lines delivered to on_line (or that would have been) */
    size_t stdout_long_lines; /* lines longer than line_max: skipped */
    size_t stderr_bytes;
    /* The last bytes of each stream, '\0'-terminated (they may hold other
     * '\0' bytes: trust the _len).  Never NULL after a call that returned
     * TUNE_OK. */
    char *stdout_tail;
    size_t stdout_tail_len;
    char *stderr_tail;
    size_t stderr_tail_len;
};

/* Run spec->argv to completion (or to its time limit) and fill *out.
 * Returns TUNE_OK when the program ran, however it ended: a non-zero exit,
 * a crash, a timeout are outcomes in *out, not errors.  Returns
 *   TUNE_EIO when it could not be started, with out->start_errno set and a
 *     one-line message naming the step and the program, e.g.
 *     "exec 'train.py': No such file or directory",
 *     "chdir '/tmp/x': Permission denied", "fork: Resource temporarily unavailable"
 *     (for the program or for its watchdog);
 *   TUNE_EINVAL for a bad spec (empty argv, a malformed env_add entry, a
 *     negative or NaN timeout) or when SIGCHLD is ignored;
 *   TUNE_ENOMEM when out of memory (nothing was started).
 * On every return the program and its group are gone and *out must be
 * released with tune_proc_result_release. */
int tune_proc_run(const struct tune_proc_spec *spec, struct tune_proc_result *out,
                  struct tune_error *err);

/* Free the tails and zero *r.  Accepts NULL. */
void tune_proc_result_release(struct tune_proc_result *r);

/* 1 when the program exited with status 0 and was neither timed out,
 * stopped nor cancelled. */
int tune_proc_succeeded(const struct tune_proc_result *r);

/* One line for people saying how the run ended, written to buf (always
 * '\0'-terminated, truncated to size) and returned:
 *   "exited with status 3", "killed by signal 11 (Segmentation fault)",
 *   "timed out after 2 s", "timed out after 2 s; killed after ignoring
 *   SIGTERM for 5 s", "stopped by the caller", "cancelled",
 *   "could not start: No such file or directory". */
const char *tune_proc_reason(const struct tune_proc_result *r, char *buf, size_t size);

/* Name of a signal for people ("Segmentation fault"), independent of the
 * locale; "Unknown signal" when it has none.  Static, never NULL. */
const char *tune_proc_signal_text(int sig);

#ifdef __cplusplus
}
#endif
#endif
