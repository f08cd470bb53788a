/* cli/work.c — the worker loop, several worker processes, and the progress
 * monitor shared by `tunefold run` and `tunefold worker`.
 *
 * Workers share a study only through the store: each claims its next trial
 * in one transaction (no number or grid point twice), stamps a heartbeat on
 * it from a thread while it runs, and recovers trials whose heartbeat went
 * stale (their worker died) before each claim; the store hands a lost
 * trial's seq to the next claim, so its point is run again.  A worker whose
 * budget is met but sees other workers' trials still running waits for them
 * (they may yet be lost), so a run resumed after kill -9 always ends with
 * its budget of finished trials.
 *
 * Several workers are processes, not threads: a trainer may be any C code or
 * an external program, and a crash takes down one worker, not the study.
 * SQLite connections never cross fork(): the parent closes its own before
 * forking, each child opens its own, and the parent reopens one to watch. */
#include "cli.h"
#include "tunefold/study.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <time.h>
#include <unistd.h>

volatile sig_atomic_t cli_interrupted;
static volatile sig_atomic_t got_sigint, got_sigterm, is_worker_child;

/* The first SIGINT or SIGTERM asks for a clean stop: running trials are
 * finished and stored.  A second one of the same kind stops at once (the
 * trial in flight is then recovered by the next run) — except a SIGTERM in
 * a worker child, which is how its parent passes a stop on. */
static void on_signal(int sig)
{
    cli_interrupted = 1;
    volatile sig_atomic_t *got = sig == SIGINT ? &got_sigint : &got_sigterm;
    if (*got && !(sig == SIGTERM && is_worker_child)) {
        signal(sig, SIG_DFL);
        raise(sig);
    }
    *got = 1;
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
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void nap(double seconds)
{
    struct timespec ts = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR && !cli_interrupted)
        ;
}

/* ---- the monitor ----------------------------------------------------------- */

void cli_monitor_init(struct cli_monitor *m, struct tune_store *store,
                      const struct tune_study_info *info, size_t budget, int quiet)
{
    memset(m, 0, sizeof *m);
    m->store = store;
    m->info = info;
    m->budget = budget;
    m->quiet = quiet;
    m->tty = isatty(STDERR_FILENO);
    m->t0 = cli_now();
    m->best = NAN;
    m->best_no = -1;
    m->first = 1;
}

void cli_monitor_release(struct cli_monitor *m)
{
    free(m->seen);
    m->seen = NULL;
}

static int seen(struct cli_monitor *m, int number)
{
    size_t i = (size_t)number;
    if (i >= m->seen_cap) {
        size_t cap = (i + 1) * 2;
        unsigned char *v = realloc(m->seen, cap);
        if (!v)
            return 1; /* cannot remember: do not print it twice */
        memset(v + m->seen_cap, 0, cap - m->seen_cap);
        m->seen = v;
        m->seen_cap = cap;
    }
    int was = m->seen[i];
    m->seen[i] = 1;
    return was;
}

int cli_monitor_poll(struct cli_monitor *m, struct tune_error *err)
{
    struct tune_trial *t = NULL;
    size_t n = 0;
    int rc = tune_store_trial_list(m->store, m->info->id, &t, &n, err);
    if (rc)
        return rc;
    size_t finished = 0, running = 0;
    for (size_t i = 0; i < n; i++) {
        const struct tune_trial *tr = &t[i];
        if (tr->state == TUNE_TRIAL_COMPLETE && isfinite(tr->value) &&
            (m->best_no < 0 || (m->info->maximize ? tr->value > m->best : tr->value < m->best))) {
            m->best = tr->value;
            m->best_no = tr->number;
        }
        if (tr->origin != TUNE_ORIGIN_SEARCH || tr->lost)
            continue;
        if (tr->state == TUNE_TRIAL_RUNNING) {
            running++;
            continue;
        }
        finished++;
        if (seen(m, tr->number) || m->first)
            continue;
        if (tr->state == TUNE_TRIAL_COMPLETE)
            m->complete++;
        else
            m->failed++;
        if (!m->quiet && !m->tty)
            fprintf(stderr, "trial %d %s %s=%.6g %s%s%s  best=%.6g (#%d) [%zu/%zu]\n",
                    tr->number, tune_trial_state_name(tr->state), m->info->metric, tr->value,
                    tr->params_json ? tr->params_json : "{}", tr->error ? " error: " : "",
                    tr->error ? tr->error : "", m->best, m->best_no, finished, m->budget);
    }
    tune_trials_free(t, n);
    if (m->first) {
        m->finished_before = finished;
        m->first = 0;
    }
    int changed = finished != m->finished;
    m->finished = finished;
    m->running = running;
    if (!m->quiet && m->tty && changed) {
        double el = cli_now() - m->t0, ran = (double)(finished - m->finished_before);
        char e1[32], e2[32];
        cli_fmt_duration(e1, sizeof e1, el);
        cli_fmt_duration(e2, sizeof e2,
                         ran > 0 && m->budget > finished
                             ? el / ran * (double)(m->budget - finished)
                             : 0);
        fprintf(stderr, "\r\033[Ktrial %zu/%zu  best %s %.6g (#%d)  elapsed %s  eta %s", finished,
                m->budget, m->info->metric, m->best, m->best_no, e1, e2);
        m->line_open = 1;
    }
    fflush(stderr);
    return TUNE_OK;
}

void cli_monitor_end_line(struct cli_monitor *m)
{
    if (m->line_open)
        fputc('\n', stderr);
    m->line_open = 0;
}

/* ---- one worker -------------------------------------------------------------- */

/* How long a RUNNING trial may go without a heartbeat before it counts as
 * lost: TUNE_STALE_SECONDS, or TUNEFOLD_STALE_SECONDS from the environment
 * (tests, and databases on slow network filesystems).  Heartbeats come every
 * TUNE_HEARTBEAT_SECONDS, so values below 2 s are raised to 2 s. */
static double stale_seconds(void)
{
    const char *e = getenv("TUNEFOLD_STALE_SECONDS");
    double v = e ? strtod(e, NULL) : TUNE_STALE_SECONDS;
    return v >= 2 * TUNE_HEARTBEAT_SECONDS ? v : 2 * TUNE_HEARTBEAT_SECONDS;
}

int cli_work(struct tune_study *study, struct tune_store *store, size_t budget,
             size_t max_failures, struct cli_monitor *mon, struct tune_error *err)
{
    const struct tune_study_info *info = tune_study_get_info(study);
    size_t failed_in_a_row = 0;
    while (!cli_interrupted) {
        size_t marked;
        int rc = tune_store_trial_recover_stale(store, info->id, stale_seconds(), &marked,
                                                  err);
        if (rc)
            return rc;
        struct tune_step step;
        rc = tune_study_step(study, budget, &step, err);
        if (rc == TUNE_OK) {
            if (mon && (rc = cli_monitor_poll(mon, err)))
                return rc;
            failed_in_a_row = step.state == TUNE_TRIAL_FAILED ? failed_in_a_row + 1 : 0;
            if (max_failures && failed_in_a_row >= max_failures)
                return tune_error_set(err, TUNE_ETRAINER,
                                      "%zu trials failed in a row (trainer.max_failures); the "
                                      "last: %s",
                                      failed_in_a_row, step.error ? step.error : "?");
            continue;
        }
        if (rc == TUNE_EEXHAUSTED)
            return TUNE_OK;
        if (rc != TUNE_EBUDGET)
            return rc;
        /* Budget met, counting trials still running elsewhere: wait until
         * they finish, or go stale and free their slot. */
        struct tune_progress p;
        if ((rc = tune_store_progress(store, info, &p, err)))
            return rc;
        if (p.running == 0)
            return TUNE_OK;
        if (mon && (rc = cli_monitor_poll(mon, err)))
            return rc;
        nap(0.25);
    }
    return TUNE_OK;
}

/* ---- several workers ----------------------------------------------------------- */

int cli_run_workers(const char *cmd, const struct tune_study_config *cfg, const char *db,
                    const struct tune_study_info *info, size_t budget, size_t n_workers,
                    int quiet, struct cli_monitor_summary *sum)
{
    pid_t *pids = calloc(n_workers, sizeof *pids);
    if (!pids) {
        fprintf(stderr, "tunefold %s: out of memory\n", cmd);
        return CLI_FAILED;
    }
    fflush(NULL);
    for (size_t w = 0; w < n_workers; w++) {
        pid_t pid = fork();
        if (pid < 0) {
            fprintf(stderr, "tunefold %s: cannot start worker %zu: %s\n", cmd, w + 1,
                    strerror(errno));
            n_workers = w;
            break;
        }
        if (pid == 0) {
            free(pids);
            is_worker_child = 1;
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
            int rc = tune_store_open(db, &store, &err);
            if (!rc)
                rc = tune_study_open(cfg, store, &study, &err);
            if (!rc)
                rc = tune_study_start_heartbeat(study, db, &err);
            if (!rc)
                rc = cli_work(study, store, budget, cfg->max_failures, NULL, &err);
            if (rc)
                fprintf(stderr, "tunefold %s: worker %zu: %s\n", cmd, w + 1, err.msg);
            tune_study_close(study);
            tune_store_close(store);
            _exit(rc == TUNE_OK ? 0 : rc == TUNE_EINVAL ? CLI_USAGE : CLI_FAILED);
        }
        pids[w] = pid;
    }

    struct tune_error err = {0};
    struct tune_store *store = NULL;
    struct cli_monitor mon;
    int rc = tune_store_open(db, &store, &err);
    if (rc)
        fprintf(stderr, "tunefold %s: %s\n", cmd, err.msg);
    cli_monitor_init(&mon, store, info, budget, quiet);
    size_t alive = n_workers, killed = 0;
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
            for (size_t w = 0; w < n_workers; w++)
                if (pids[w] == pid)
                    pids[w] = 0;
            alive--;
            if (WIFSIGNALED(status)) {
                killed++;
                if (!cli_interrupted && !quiet)
                    fprintf(stderr, "%stunefold %s: a worker was killed by signal %d; its "
                                    "trial is run again when its heartbeat goes stale\n",
                            mon.line_open ? "\n" : "", cmd, WTERMSIG(status));
                mon.line_open = 0;
            } else if (WIFEXITED(status) && WEXITSTATUS(status) > worst) {
                worst = WEXITSTATUS(status);
            }
            continue;
        }
        if (pid < 0 && errno != EINTR)
            break;
        if (store)
            cli_monitor_poll(&mon, &err); /* a busy moment: the next poll catches up */
        nap(0.2);
    }
    if (store)
        cli_monitor_poll(&mon, &err);
    cli_monitor_end_line(&mon);
    sum->complete = mon.complete;
    sum->failed = mon.failed;
    sum->finished = mon.finished;
    sum->finished_before = mon.finished_before;
    sum->killed = killed;
    cli_monitor_release(&mon);
    tune_store_close(store);
    free(pids);
    return worst;
}
