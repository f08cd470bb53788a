/* cli.h — shared pieces of the command-line tool (src/cli_*.c).  Only the
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

/* Output helpers (cli_output.c). */
void cli_print_json_string(FILE *f, const char *s);
/* Shortest round-trip text of a double; "nan" as null in JSON contexts. */
void cli_fmt_double(char *buf, size_t len, double v);
/* Seconds as "1:02:03" / "2:03" / "4.2s". */
void cli_fmt_duration(char *buf, size_t len, double seconds);

int cli_run(int argc, char **argv);
int cli_evaluate(int argc, char **argv);
int cli_trials(int argc, char **argv);
int cli_best(int argc, char **argv);
int cli_score(int argc, char **argv);

#endif
