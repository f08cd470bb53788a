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

/* Output helpers (cli/output.c). */
void cli_print_json_string(FILE *f, const char *s);
/* Shortest round-trip text of a double; "nan" as null in JSON contexts. */
void cli_fmt_double(char *buf, size_t len, double v);
/* Seconds as "1:02:03" / "2:03" / "4.2s". */
void cli_fmt_duration(char *buf, size_t len, double seconds);

/* ---- workers and progress (cli/work.c) ---- */
#include <signal.h>
struct tune_study;
struct tune_study_config;

extern volatile sig_atomic_t cli_interrupted;
/* SIGINT/SIGTERM set cli_interrupted (a second one kills). */
void cli_catch_signals(void);
double cli_now(void);

/* Watches a study through the store and prints progress on stderr: one
 * updating line on a terminal, one line per finished trial otherwise. */
struct cli_monitor {
    struct tune_store *store;
    const struct tune_study_info *info;
    size_t budget;
    int quiet, tty, first, line_open;
    double t0, best;
    int best_no;
    size_t finished, finished_before, running, complete, failed;
    unsigned char *seen;
    size_t seen_cap;
};
void cli_monitor_init(struct cli_monitor *m, struct tune_store *store,
                      const struct tune_study_info *info, size_t budget, int quiet);
int cli_monitor_poll(struct cli_monitor *m, struct tune_error *err);
void cli_monitor_end_line(struct cli_monitor *m);
void cli_monitor_release(struct cli_monitor *m);

/* Step until the budget is met (waiting for others' running trials), the
 * space is exhausted, or cli_interrupted; TUNE_ETRAINER after max_failures
 * failed trials in a row (0: no limit).  `mon` may be NULL. */
int cli_work(struct tune_study *study, struct tune_store *store, size_t budget,
             size_t max_failures, struct cli_monitor *mon, struct tune_error *err);

struct cli_monitor_summary {
    size_t complete, failed, finished, finished_before, killed;
};
/* Fork n_workers processes that each work on the study; watch and wait.
 * Returns the worst worker exit code. */
int cli_run_workers(const char *cmd, const struct tune_study_config *cfg, const char *db,
                    const struct tune_study_info *info, size_t budget, size_t n_workers,
                    int quiet, struct cli_monitor_summary *sum);

int cli_run(int argc, char **argv);
int cli_worker(int argc, char **argv);
int cli_evaluate(int argc, char **argv);
int cli_trials(int argc, char **argv);
int cli_best(int argc, char **argv);
int cli_score(int argc, char **argv);
int cli_report(int argc, char **argv);
int cli_compare(int argc, char **argv);
int cli_learning_curve(int argc, char **argv);
int cli_elbow(int argc, char **argv);

#endif
