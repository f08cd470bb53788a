/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli/work.c — signals, the progress display, and several worker processes,
 * shared by `tunefold run` and `tunefold worker`.
 *
 * The study's policy (stale trials, failures in a row, waiting for other
 * workers) is the library's tune_study_run; this file only decides what a
 * person sees and how processes are started, replaced and stopped.
 *
 * Signals.  The first SIGINT or SIGTERM raises cli_interrupted: every
 * worker finishes its running trial, stores it and stops.  A second one of
 * the same kind raises cli_cancelled: trainers and external programs give
 * up their fit at once (a program's whole process group is stopped), the
 * trial cut short is released as lost, and the run ends; a resumed study
 * runs that point again.  A third kills at once.  A worker child takes a
 * SIGTERM from its parent as a first stop only: that is how the parent
 * passes a stop on.
 *
 * Several workers are processes, not threads: a trainer may be any C code or
 * an external program, and a crash takes down one worker, not the study.
 * A worker that dies (killed by a signal, as the OOM killer does) is
 * replaced by a new one, so the budget still completes; its trial becomes
 * stale and is run again.  SQLite connections never cross fork(): the
 * parent closes its own before forking, each child opens its own, and the
 * parent reopens one to watch. */
#include "cli.h"
#include "tunefold/text.h"
#include "tunefold/study.h"
#include "tunefold/watch.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <time.h>
#include <unistd.h>

volatile sig_atomic_t cli_interrupted, cli_cancelled;
double cli_run_started;
static volatile sig_atomic_t got_sigint, got_sigterm, is_worker_child;

static void on_signal(int sig)
{
    volatile sig_atomic_t *got = sig == SIGINT ? &got_sigint : &got_sigterm;
    int stop_only = sig == SIGTERM && is_worker_child;
    if (*got >= 2 && !stop_only) {
        signal(sig, SIG_DFL);
        raise(sig);
    }
    if (*got == 1 && !stop_only)
        cli_cancelled = 1;
    cli_interrupted = 1;
    if (*got < 2)
        (*got)++;
}

void cli_catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

double cli_now(void)
{
    return tune_clock_seconds();
}

/* The parent's wait between looks at its workers: up to `seconds`, cut
 * short by a worker's exit.  SIGCHLD is blocked outside this wait (see
 * cli_run_workers), so an exit between waitpid and here is not missed:
 * pselect unblocks it atomically and returns at once. */
static void on_sigchld(int sig)
{
    (void)sig;
}

static void wait_for_child(double seconds, const sigset_t *unblocked)
{
    struct timespec ts = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
    pselect(0, NULL, NULL, NULL, &ts, unblocked);
}

/* ---- the progress display ------------------------------------------------------ */

void cli_progress_init(struct cli_progress *p, const struct tune_study_info *info, size_t budget,
                       int quiet)
{
    memset(p, 0, sizeof *p);
    p->info = info;
    p->budget = budget;
    p->quiet = quiet;
    p->tty = isatty(STDERR_FILENO);
    p->t0 = cli_now();
}

void cli_progress_trial(struct cli_progress *p, int number, enum tune_trial_state state,
                        double value, const char *params_json, const char *error,
                        double violation, const struct tune_progress *now)
{
    if (state == TUNE_TRIAL_COMPLETE)
        p->complete++;
    else if (state == TUNE_TRIAL_PRUNED)
        p->pruned++;
    else
        p->failed++;
    if (p->quiet || p->tty)
        return;
    char v[40];
    cli_fmt_double(v, sizeof v, value);
    char broke[80] = "";
    if (violation > 0) /* kept, but never the best: say why */
        snprintf(broke, sizeof broke, " broke the constraints (violation %.3g)", violation);
    fprintf(stderr, "trial %d %s %s=%s %s%s%s%s  best=%.6g (#%d) [%zu/%zu]\n", number,
            tune_trial_state_name(state), p->info->metric, v, params_json ? params_json : "{}",
            error ? (state == TUNE_TRIAL_PRUNED ? " pruned: " : " error: ") : "",
            error ? error : "", broke, now->best_value, now->best_number, now->finished,
            p->budget);
    fflush(stderr);
}

void cli_progress_line(struct cli_progress *p, const struct tune_progress *now)
{
    if (!p->started) {
        p->started = 1;
        p->finished_before = now->finished;
    }
    p->finished = now->finished;
    if (p->quiet || !p->tty || now->finished == p->shown)
        return;
    p->shown = now->finished;
    double el = cli_now() - p->t0, ran = (double)(now->finished - p->finished_before);
    char e1[32], e2[32];
    cli_fmt_duration(e1, sizeof e1, el);
    cli_fmt_duration(e2, sizeof e2,
                     ran > 0 && p->budget > now->finished
                         ? el / ran * (double)(p->budget - now->finished)
                         : 0);
    fprintf(stderr, "\r\033[Ktrial %zu/%zu  best %s %.6g (#%d)  elapsed %s  eta %s",
            now->finished, p->budget, p->info->metric, now->best_value, now->best_number, e1,
            e2);
    fflush(stderr);
    p->line_open = 1;
}

void cli_progress_end_line(struct cli_progress *p)
{
    if (p->line_open)
        fputc('\n', stderr);
    p->line_open = 0;
}

/* tune_study_run's progress callback. */
static void on_step(void *arg, const struct tune_step *step, const struct tune_progress *now)
{
    struct cli_progress *p = arg;
    if (step)
        cli_progress_trial(p, step->number, step->state, step->value, step->params_json,
                           step->error, step->violation, now);
    cli_progress_line(p, now);
}

int cli_work(struct tune_study *study, size_t budget, struct cli_progress *progress,
             struct tune_run_result *result, struct tune_error *err)
{
    struct tune_run_options o;
    tune_run_options_init(&o, study);
    o.budget = budget;
    o.started = cli_run_started;
    o.stale_seconds = cli_stale_seconds();
    o.stop = &cli_interrupted;
    o.progress = progress ? on_step : NULL;
    o.progress_arg = progress;
    tune_study_set_cancel(study, &cli_cancelled);
    struct tune_progress now;
    int rc = tune_study_progress(study, &now, err);
    if (rc == TUNE_OK && progress)
        cli_progress_line(progress, &now);
    if (rc == TUNE_OK)
        rc = tune_study_run(study, &o, result, err);
    if (rc == TUNE_OK && progress && tune_study_progress(study, &now, err) == TUNE_OK)
        cli_progress_line(progress, &now);
    if (progress)
        cli_progress_end_line(progress);
    return rc;
}

/* How long a RUNNING trial may go without a heartbeat before it counts as
 * lost: TUNE_STALE_SECONDS, or TUNEFOLD_STALE_SECONDS from the environment
 * (tests, and databases on slow network filesystems).  Heartbeats come every
 * TUNE_HEARTBEAT_SECONDS, so values below 2 s are raised to 2 s. */
double cli_stale_seconds(void)
{
    const char *e = getenv("TUNEFOLD_STALE_SECONDS");
    double v = e ? strtod(e, NULL) : TUNE_STALE_SECONDS;
    return v >= 2 * TUNE_HEARTBEAT_SECONDS ? v : 2 * TUNE_HEARTBEAT_SECONDS;
}

/* ---- several workers ----------------------------------------------------------- */

/* The parent's view: one line per trial finished by any worker. */
static void on_change(void *arg, const struct tune_trial_brief *before,
                      const struct tune_trial_brief *now)
{
    struct cli_progress *p = arg;
    if (!p->started || now->gone || now->state == TUNE_TRIAL_RUNNING || now->lost ||
        now->origin != TUNE_ORIGIN_SEARCH || (before && before->state != TUNE_TRIAL_RUNNING))
        return;
    p->pending_trials = 1;
    if (p->n_queued < sizeof p->queued / sizeof p->queued[0])
        p->queued[p->n_queued++] = now->number;
}

/* Poll the watch and print what finished since the last poll. */
static int watch_and_show(struct tune_watch *w, struct cli_progress *p, struct tune_error *err)
{
    p->n_queued = 0;
    int rc = tune_watch_poll(w, on_change, p, err);
    if (rc)
        return rc;
    const struct tune_progress *now = tune_watch_progress(w);
    for (size_t i = 0; i < p->n_queued; i++) {
        const struct tune_trial_brief *t = tune_watch_trial(w, p->queued[i]);
        if (t)
            cli_progress_trial(p, t->number, t->state, t->value, t->params_json, t->error,
                               t->violation, now);
    }
    cli_progress_line(p, now);
    return TUNE_OK;
}

/* Start one worker process; its pid, or -1 (errno set). */
static pid_t spawn_worker(const char *cmd, const struct tune_study_config *cfg, const char *db,
                          struct tune_study *opened, size_t budget, size_t w)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    is_worker_child = 1;
    /* the parent's SIGCHLD wake-up is not the worker's: its trainers' own
     * programs are waited for with the default disposition, unblocked */
    signal(SIGCHLD, SIG_DFL);
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_UNBLOCK, &chld, NULL);
#ifdef __linux__
    /* a worker outliving its run would keep claiming trials unseen:
     * it finishes its trial and stops when the parent dies */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() == 1)
        cli_interrupted = 1;
#endif
    /* the child: its own connection, its own study, a heartbeat */
    struct tune_error err = {0};
    struct tune_store *store = NULL;
    struct tune_study *study = NULL;
    struct tune_run_result res = {0};
    int rc = tune_store_open(db, &store, &err);
    if (!rc && opened) {
        /* the parent's study, its data and folds inherited */
        study = opened;
        tune_study_set_store(study, store);
    } else if (!rc) {
        rc = tune_study_open(cfg, store, &study, &err);
    }
    if (!rc)
        rc = tune_study_start_heartbeat(study, db, &err);
    if (!rc)
        rc = cli_work(study, budget, NULL, &res, &err);
    int code = rc == TUNE_OK ? CLI_OK : rc == TUNE_EINVAL ? CLI_USAGE : CLI_FAILED;
    if (rc)
        fprintf(stderr, "tunefold %s: worker %zu: %s\n", cmd, w + 1, err.msg);
    else if (res.stop == TUNE_STOP_FAILURES) {
        fprintf(stderr,
                "tunefold %s: worker %zu: %zu trials failed in a row (trainer.max_failures); "
                "the last: %s\n",
                cmd, w + 1, cfg->max_failures, res.last_error);
        code = CLI_FAILED;
    }
    tune_study_close(study);
    tune_store_close(store);
    _exit(code);
}

int cli_run_workers(const char *cmd, const struct tune_study_config *cfg, const char *db,
                    const struct tune_study_info *info, struct tune_study *study,
                    size_t budget, size_t n_workers, int quiet, struct cli_run_summary *sum)
{
    pid_t *pids = calloc(n_workers, sizeof *pids);
    if (!pids) {
        fprintf(stderr, "tunefold %s: out of memory\n", cmd);
        return CLI_FAILED;
    }
    /* SIGCHLD blocked but caught: a worker's exit wakes wait_for_child */
    sigset_t chld, old_mask, unblocked;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, &old_mask);
    unblocked = old_mask;
    sigdelset(&unblocked, SIGCHLD);
    struct sigaction sa, old_sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigchld;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGCHLD, &sa, &old_sa);
    size_t alive = 0;
    for (size_t w = 0; w < n_workers; w++) {
        pids[w] = spawn_worker(cmd, cfg, db, study, budget, w);
        if (pids[w] < 0) {
            fprintf(stderr, "tunefold %s: cannot start worker %zu: %s\n", cmd, w + 1,
                    strerror(errno));
            pids[w] = 0;
            continue;
        }
        alive++;
    }

    struct tune_error err = {0};
    struct tune_store *store = NULL;
    struct tune_watch *watch = NULL;
    struct cli_progress p;
    cli_progress_init(&p, info, budget, quiet);
    int rc = tune_store_open(db, &store, &err);
    if (!rc)
        rc = tune_watch_new(store, info->id, info->maximize, NULL, &watch, &err);
    if (rc)
        fprintf(stderr, "tunefold %s: %s\n", cmd, err.msg);
    else
        watch_and_show(watch, &p, &err);
    /* A worker killed by a signal is replaced, up to this many times in all:
     * a study whose every worker dies at once (no memory for any) must end. */
    size_t replacements = 0, max_replacements = 2 * n_workers + 2;
    int worst = CLI_OK, forwarded = 0;
    while (alive > 0) {
        if (got_sigterm && !forwarded) {
            /* Ctrl-C reaches the workers from the terminal; a SIGTERM sent to
             * the run alone is passed on */
            for (size_t w = 0; w < n_workers; w++)
                if (pids[w] > 0)
                    kill(pids[w], SIGTERM);
            forwarded = 1;
        }
        int status;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid > 0) {
            size_t w = 0;
            while (w < n_workers && pids[w] != pid)
                w++;
            if (w == n_workers)
                continue; /* not a worker of ours */
            pids[w] = 0;
            alive--;
            if (WIFSIGNALED(status)) {
                sum->killed++;
                cli_progress_end_line(&p);
                if (!cli_interrupted && replacements < max_replacements) {
                    pid_t np = spawn_worker(cmd, cfg, db, study, budget, w);
                    if (np > 0) {
                        pids[w] = np;
                        alive++;
                        replacements++;
                        sum->replaced++;
                    }
                    if (!quiet)
                        fprintf(stderr,
                                "tunefold %s: worker %zu was killed by signal %d; %s; its "
                                "trial is run again when its heartbeat goes stale\n",
                                cmd, w + 1, WTERMSIG(status),
                                np > 0 ? "a new worker takes its place"
                                       : "no worker could take its place");
                } else if (!cli_interrupted && !quiet) {
                    fprintf(stderr,
                            "tunefold %s: worker %zu was killed by signal %d; workers died %zu "
                            "times, no more are started\n",
                            cmd, w + 1, WTERMSIG(status), replacements + 1);
                }
            } else if (WIFEXITED(status) && WEXITSTATUS(status) > worst) {
                worst = WEXITSTATUS(status);
            }
            continue;
        }
        if (pid < 0 && errno != EINTR)
            break;
        if (watch)
            watch_and_show(watch, &p, &err); /* a busy moment: the next poll catches up */
        wait_for_child(0.2, &unblocked);
    }
    sigaction(SIGCHLD, &old_sa, NULL);
    sigprocmask(SIG_SETMASK, &old_mask, NULL);
    struct tune_progress now = {0};
    if (watch && watch_and_show(watch, &p, &err) == TUNE_OK)
        now = *tune_watch_progress(watch);
    cli_progress_end_line(&p);
    sum->complete = p.complete;
    sum->failed = p.failed;
    sum->pruned = p.pruned;
    sum->finished = now.finished;
    sum->finished_before = p.finished_before;
    tune_watch_free(watch);
    tune_store_close(store);
    free(pids);
    return worst;
}
