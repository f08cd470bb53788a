/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli/main.c — `tunefold COMMAND ...`: dispatch, top-level help, --version. */
#include "cli.h"

#include "tunefold/tunefold.h"
#include <string.h>

static const char usage[] =
    "tunefold — hyperparameter optimization and model evaluation\n"
    "\n"
    "Usage: tunefold COMMAND [OPTIONS] [ARGS]\n"
    "\n"
    "Commands:\n"
    "  run STUDY.json       search the study's space, cross-validating every trial\n"
    "  worker --study NAME  join a running study as one more worker\n"
    "  evaluate STUDY.json  cross-validate one configuration and print every metric\n"
    "  trials               list the trials of a stored study (table, csv, json)\n"
    "  best                 print the best trial of a stored study\n"
    "  score                score a predictions file against the truth (every metric)\n"
    "  report               a stored study on one page: curves, importance, contours\n"
    "  compare NAME...      studies side by side: scores, costs, Pareto front, p-values\n"
    "  learning-curve STUDY.json  training and validation score against training size\n"
    "  elbow --data CSV     k-means inertia and silhouette against k, the elbow marked\n"
    "  ask STUDY.json       claim a trial and print its params (you evaluate it)\n"
    "  tell STUDY.json      record the outcome of a trial given out by ask\n"
    "  copy --from SRC --to DST  copy studies between stores (SQLite, PostgreSQL)\n"
    "  fit STUDY.json       refit the best trial on every row and write a model file\n"
    "  predict MODEL        predict a CSV's rows with a model file (streamed)\n"
    "  model MODEL          show what a model file holds and where it came from\n"
    "\n"
    "Options:\n"
    "  -h, --help           show this help (tunefold COMMAND --help for a command's)\n"
    "  --version            print the version\n"
    "\n"
    "Studies and trials are stored in SQLite (default ./tunefold.db) or PostgreSQL\n"
    "(--db postgresql://USER@HOST:PORT/DB, for workers on many machines). A study file\n"
    "names the data, trainer, search space, strategy, cross-validation and\n"
    "objective; see README.md or examples/breast_cancer_logistic.json.\n"
    "\n"
    "Exit status: 0 success, 1 the work failed, 2 bad usage or bad input.\n";

static const struct {
    const char *name;
    int (*fn)(int, char **);
} commands[] = {
    {"run", cli_run},
    {"worker", cli_worker},
    {"evaluate", cli_evaluate},
    {"trials", cli_trials},
    {"best", cli_best},
    {"score", cli_score},
    {"report", cli_report},
    {"compare", cli_compare},
    {"learning-curve", cli_learning_curve},
    {"elbow", cli_elbow},
    {"ask", cli_ask},
    {"tell", cli_tell},
    {"copy", cli_copy},
    {"fit", cli_fit},
    {"predict", cli_predict},
    {"model", cli_model},
};

int main(int argc, char **argv)
{
    tune_init();
    if (argc < 2) {
        fputs(usage, stderr);
        return CLI_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("tunefold %s\n%s\n", tune_version(), tune_version_libraries());
        return CLI_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, cmd) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "tunefold: unknown command '%s' (see 'tunefold --help')\n", cmd);
    return CLI_USAGE;
}
