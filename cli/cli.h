/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli.h — shared pieces of the command-line tool (cli/).  Only the
 * CLI prints and chooses exit codes; it uses the library's public API. */
#ifndef TUNEFOLD_CLI_H
#define TUNEFOLD_CLI_H

#include <stddef.h>
#include <stdio.h>
#include "tunefold/error.h"
#include "tunefold/store.h"

/* Exit codes (DESIGN.md). */
enum { CLI_OK = 0, CLI_FAILED = 1, CLI_USAGE = 2 };

/* One option: "--name VALUE" / "--name=VALUE" when value != NULL, else a flag. */
struct cli_opt {
    const char *name;       /* without dashes */
    const char **value;     /* receives the argument */
    int *flag;              /* set to 1 when present */
};

/* Parse argv[1..argc) of command `cmd`.  Positional arguments go to
 * pos[0..*n_pos) (capacity max_pos).  Returns CLI_OK, CLI_USAGE (message
 * printed), or -1 when --help was asked (help printed, exit 0). */
int cli_parse(const char *cmd, int argc, char **argv, const struct cli_opt *opts,
              const char **pos, size_t max_pos, size_t *n_pos, const char *help);

/* Print "tunefold CMD: message" plus a hint; returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Print a library error as one line and map its code to an exit code. */
int cli_fail(const char *cmd, const struct tune_error *err);

/* Parse a non-negative integer option value; CLI_USAGE on error. */
int cli_parse_count(const char *cmd, const char *opt, const char *text, double min, double max,
                    double *out);

/* Open --db (default "tunefold.db") and find the study named `name`, or the
 * only study when name is NULL.  On failure prints and returns an exit code. */
int cli_open_study(const char *cmd, const char *db, const char *name, struct tune_store **store,
                   struct tune_study_info *info);

/* A store URL naming a database server (postgresql://, postgres://), not a
 * file. */
int cli_is_server_url(const char *db);

/* Output helpers (cli/output.c). */
void cli_print_json_string(FILE *f, const char *s);
/* Shortest round-trip text of a double; "nan" as null in JSON contexts. */
void cli_fmt_double(char *buf, size_t len, double v);
/* Seconds as "1:02:03" / "2:03" / "4.2s". */
void cli_fmt_duration(char *buf, size_t len, double seconds);
/* A study whose external program scores itself, or whose trials are told
 * (ask/tell): one value a trial, no folds. */
int cli_study_score_mode(const struct tune_study_info *info);
/* When five or more complete trials all have the same objective value, write
 * the warning that the parameters may not reach the program into buf and
 * return 1; else 0. */
struct tune_progress;
int cli_flat_warning(const struct tune_study_info *info, const struct tune_progress *p, char *buf,
                     size_t len);

/* ---- signals, progress and workers (cli/work.c) ---- */
#include <signal.h>
#include "tunefold/study.h"

/* Raised by the first SIGINT/SIGTERM (finish the running trial, then stop)
 * and by the second (stop at once: cli_cancelled); a third kills. */
extern volatile sig_atomic_t cli_interrupted, cli_cancelled;
void cli_catch_signals(void);
double cli_now(void);
/* TUNE_STALE_SECONDS, or TUNEFOLD_STALE_SECONDS (at least 2 s). */
double cli_stale_seconds(void);

/* The progress display on stderr: one updating line on a terminal, one line
 * per finished trial otherwise; nothing when quiet. */
struct cli_progress {
    const struct tune_study_info *info;
    size_t budget;
    int quiet, tty, started, line_open;
    double t0;
    size_t finished, finished_before, shown, complete, failed, pruned;
    int pending_trials;
    size_t n_queued;
    int queued[256];
};
void cli_progress_init(struct cli_progress *p, const struct tune_study_info *info, size_t budget,
                       int quiet);
/* A trial finished (counted; printed as a line when not on a terminal). */
void cli_progress_trial(struct cli_progress *p, int number, enum tune_trial_state state,
                        double value, const char *params_json, const char *error,
                        double violation, const struct tune_progress *now);
/* Refresh the terminal line (the first call also notes what was there). */
void cli_progress_line(struct cli_progress *p, const struct tune_progress *now);
void cli_progress_end_line(struct cli_progress *p);

/* When the run began (Unix seconds; 0: when each worker starts), so that
 * every worker of one `tunefold run` counts search.max_seconds from it. */
extern double cli_run_started;

/* tune_study_run with the CLI's signals and stale age; `progress` may be NULL. */
int cli_work(struct tune_study *study, size_t budget, struct cli_progress *progress,
             struct tune_run_result *result, struct tune_error *err);

struct cli_run_summary {
    size_t complete, failed, finished, finished_before, killed, replaced, pruned;
};
/* Fork n_workers processes that each work on the study; watch, replace the
 * ones that die, and wait.  `study` (detached from its store, or NULL) is
 * the study already open here: each child attaches a connection of its own
 * to it instead of reading the data and preparing the folds again.  Returns
 * the worst worker exit code. */
int cli_run_workers(const char *cmd, const struct tune_study_config *cfg, const char *db,
                    const struct tune_study_info *info, struct tune_study *study,
                    size_t budget, size_t n_workers, int quiet, struct cli_run_summary *sum);

int cli_run(int argc, char **argv);
int cli_worker(int argc, char **argv);
int cli_evaluate(int argc, char **argv);
int cli_trials(int argc, char **argv);
int cli_copy(int argc, char **argv);
int cli_best(int argc, char **argv);
int cli_score(int argc, char **argv);
int cli_report(int argc, char **argv);
int cli_compare(int argc, char **argv);
int cli_learning_curve(int argc, char **argv);
int cli_elbow(int argc, char **argv);
int cli_ask(int argc, char **argv);
int cli_tell(int argc, char **argv);
int cli_fit(int argc, char **argv);
int cli_model(int argc, char **argv);
int cli_predict(int argc, char **argv);

#endif
