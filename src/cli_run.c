/* cli_run.c — `tunefold run` (the search loop with progress) and
 * `tunefold evaluate` (the command-line cross_validate). */
#include "cli.h"
#include "tunefold/config.h"
#include "tunefold/study.h"

#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char run_help[] =
    "Usage: tunefold run STUDY.json [OPTIONS]\n"
    "\n"
    "Search the study's space: each trial is a configuration cross-validated on\n"
    "the study's folds and stored with every metric. Running a study that is\n"
    "already stored resumes it until its trial budget is met; trials already\n"
    "stored are not redone.\n"
    "\n"
    "Options:\n"
    "  --db PATH      SQLite database (default: the study's \"storage\", else\n"
    "                 ./tunefold.db)\n"
    "  --trials N     trial budget, overriding search.trials (default 20; grid:\n"
    "                 the grid size). Raise it to extend a finished study.\n"
    "  --workers N    worker processes (default 1; only 1 is supported so far)\n"
    "  --seed N       study seed, overriding search.seed (default 0); another\n"
    "                 seed is another study, so give it another name\n"
    "  --quiet        no progress display\n"
    "  -h, --help     show this help\n"
    "\n"
    "Progress goes to stderr: one updating line on a terminal, one line per\n"
    "trial otherwise. Ctrl-C stops after the running trial is stored.\n"
    "\n"
    "Example:\n"
    "  tunefold run examples/breast_cancer_logistic.json --trials 30\n";

static const char evaluate_help[] =
    "Usage: tunefold evaluate STUDY.json [OPTIONS]\n"
    "\n"
    "Cross-validate one configuration (the study's fixed trainer params, plus\n"
    "--params on top, trainer defaults for the rest) on the study's folds,\n"
    "store it as a trial of the study, and print every metric as mean ± std\n"
    "with the mean fit and predict seconds per fold.\n"
    "\n"
    "Options:\n"
    "  --params JSON  hyperparameters, e.g. '{\"C\": 0.5, \"penalty\": \"l1\"}'\n"
    "  --db PATH      SQLite database (default: the study's \"storage\")\n"
    "  --format F     table (default) or json\n"
    "  -h, --help     show this help\n";

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
    (void)sig;
    interrupted = 1;
    /* A second Ctrl-C kills at once: the store keeps every finished trial. */
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
}

static double now_wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Load the study file and open its store and study. */
static int open_all(const char *cmd, const char *file, const char *db, const char *seed_text,
                    struct tune_study_config **cfg, struct tune_store **store,
                    struct tune_study **study)
{
    struct tune_error err = {0};
    int rc;
    if ((rc = tune_config_load(file, cfg, &err)))
        return cli_fail(cmd, &err);
    if (seed_text) {
        double seed;
        if ((rc = cli_parse_count(cmd, "seed", seed_text, 0, 9007199254740992.0, &seed)))
            return rc;
        if (tune_config_set_seed(*cfg, (uint64_t)seed, &err))
            return cli_fail(cmd, &err);
    }
    if (tune_store_open(db ? db : (*cfg)->storage, store, &err))
        return cli_fail(cmd, &err);
    if ((rc = tune_study_open(*cfg, *store, study, &err))) {
        /* the store's conflict message already says how to start anew */
        cli_fail(cmd, &err);
        return rc == TUNE_EINVAL || rc == TUNE_ECONFLICT ? CLI_USAGE : CLI_FAILED;
    }
    return CLI_OK;
}

/* For people: 6 significant digits (the store and --format json keep all). */
static void print_value(FILE *f, const char *metric, double v, double sd)
{
    fprintf(f, "%s = %.6g ± %.3g", metric, v, sd);
}

int cli_run(int argc, char **argv)
{
    const char *cmd = "run", *db = NULL, *trials_text = NULL, *workers_text = NULL,
               *seed_text = NULL, *pos[1];
    int quiet = 0;
    size_t n_pos;
    const struct cli_opt opts[] = {{"db", &db, NULL},
                                   {"trials", &trials_text, NULL},
                                   {"workers", &workers_text, NULL},
                                   {"seed", &seed_text, NULL},
                                   {"quiet", NULL, &quiet},
                                   {NULL, NULL, NULL}};
    int rc = cli_parse(cmd, argc, argv, opts, pos, 1, &n_pos, run_help);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    if (n_pos != 1)
        return cli_usage_error(cmd, "expected one study file");
    double trials = 0, workers = 1;
    if (trials_text && (rc = cli_parse_count(cmd, "trials", trials_text, 1, 1e9, &trials)))
        return rc;
    if (workers_text && (rc = cli_parse_count(cmd, "workers", workers_text, 1, 1024, &workers)))
        return rc;

    struct tune_study_config *cfg = NULL;
    struct tune_store *store = NULL;
    struct tune_study *study = NULL;
    struct tune_error err = {0};
    if ((rc = open_all(cmd, pos[0], db, seed_text, &cfg, &store, &study)))
        goto done;
    if (!workers_text)
        workers = (double)cfg->workers;
    if (workers > 1) {
        rc = cli_usage_error(cmd, "%.0f workers asked for; this version runs one worker per "
                                  "study (set search.workers to 1)",
                             workers);
        goto done;
    }
    const struct tune_study_info *info = tune_study_get_info(study);
    size_t recovered = 0;
    if (store->type->trial_recover_stale(store, info->id, 0, &recovered, &err)) {
        rc = cli_fail(cmd, &err);
        goto done;
    }
    if (recovered && !quiet)
        fprintf(stderr, "%zu trial(s) left running by an interrupted run marked FAILED "
                        "(worker lost); their slots are run again\n",
                recovered);

    size_t budget = tune_study_budget(study, (size_t)trials), done = 0;
    double best = NAN;
    int best_no = -1;
    if (tune_study_progress(study, &done, &best, &best_no, &err)) {
        rc = cli_fail(cmd, &err);
        goto done;
    }
    size_t done_before = done, complete = 0, failed = 0;
    int tty = isatty(STDERR_FILENO);
    if (!quiet && done_before > 0 && done_before < budget)
        fprintf(stderr, "resuming study '%s': %zu of %zu trials already stored\n", info->name,
                done_before, budget);
    signal(SIGINT, on_interrupt);
    signal(SIGTERM, on_interrupt);
    double t0 = now_wall();
    int stop = TUNE_OK;
    while (!interrupted) {
        struct tune_step step;
        stop = tune_study_step(study, budget, &step, &err);
        if (stop)
            break;
        done++;
        if (step.state == TUNE_TRIAL_COMPLETE)
            complete++;
        else
            failed++;
        if (step.is_best) {
            best = step.value;
            best_no = step.number;
        }
        if (quiet)
            continue;
        double el = now_wall() - t0, ran = (double)(done - done_before);
        char e1[32], e2[32];
        cli_fmt_duration(e1, sizeof e1, el);
        cli_fmt_duration(e2, sizeof e2, budget > done ? el / ran * (double)(budget - done) : 0);
        if (tty) {
            fprintf(stderr, "\r\033[Ktrial %zu/%zu  best %s %.6g (#%d)  elapsed %s  eta %s",
                    done, budget, info->metric, best, best_no, e1, e2);
        } else {
            fprintf(stderr, "trial %d %s %s=%.6g %s%s%s  best=%.6g (#%d) [%zu/%zu]\n",
                    step.number, tune_trial_state_name(step.state), info->metric, step.value,
                    step.params_json, step.error ? " error: " : "", step.error ? step.error : "",
                    best, best_no, done, budget);
        }
        fflush(stderr);
    }
    if (tty && !quiet && done > done_before)
        fputc('\n', stderr);
    if (stop && stop != TUNE_EBUDGET && stop != TUNE_EEXHAUSTED) {
        rc = cli_fail(cmd, &err);
        goto done;
    }
    char el[32];
    cli_fmt_duration(el, sizeof el, now_wall() - t0);
    if (interrupted)
        printf("interrupted: %zu of %zu trials stored; run the same command to resume\n", done,
               budget);
    else if (done == done_before)
        printf("study '%s' already has its %zu trials; nothing to do (raise --trials to run "
               "more)\n",
               info->name, budget);
    printf("study '%s': %zu trials run now (%zu complete, %zu failed) in %s; %zu/%zu stored\n",
           info->name, done - done_before, complete, failed, el, done, budget);
    struct tune_trial bt;
    if (tune_store_best_trial(store, info, &bt, &err)) {
        fprintf(stderr, "tunefold run: no trial completed; see 'tunefold trials --db %s' for "
                        "the errors\n",
                db ? db : cfg->storage);
        rc = CLI_FAILED;
        goto done;
    }
    printf("best trial #%d: ", bt.number);
    print_value(stdout, info->metric, bt.value, bt.value_std);
    printf("  params %s\n", bt.params_json ? bt.params_json : "{}");
    tune_trial_release(&bt);
    rc = interrupted ? CLI_FAILED : CLI_OK;
done:
    tune_study_close(study);
    tune_store_close(store);
    tune_config_free(cfg);
    return rc;
}

int cli_evaluate(int argc, char **argv)
{
    const char *cmd = "evaluate", *db = NULL, *params = NULL, *format = "table", *pos[1];
    size_t n_pos;
    const struct cli_opt opts[] = {{"db", &db, NULL},
                                   {"params", &params, NULL},
                                   {"format", &format, NULL},
                                   {NULL, NULL, NULL}};
    int rc = cli_parse(cmd, argc, argv, opts, pos, 1, &n_pos, evaluate_help);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    if (n_pos != 1)
        return cli_usage_error(cmd, "expected one study file");
    int json = strcmp(format, "json") == 0;
    if (!json && strcmp(format, "table") != 0)
        return cli_usage_error(cmd, "--format: expected table or json, got '%s'", format);
    struct tune_study_config *cfg = NULL;
    struct tune_store *store = NULL;
    struct tune_study *study = NULL;
    struct tune_error err = {0};
    struct tune_cv_result cv = {0};
    if ((rc = open_all(cmd, pos[0], db, NULL, &cfg, &store, &study)))
        goto done;
    struct tune_step step;
    if (tune_study_evaluate(study, params, &step, &cv, &err)) {
        rc = cli_fail(cmd, &err);
        goto done;
    }
    const struct tune_study_info *info = tune_study_get_info(study);
    if (step.state != TUNE_TRIAL_COMPLETE) {
        fprintf(stderr, "tunefold evaluate: trial #%d failed: %s\n", step.number,
                step.error ? step.error : "unknown error");
        rc = CLI_FAILED;
        goto done;
    }
    char a[40], b[40];
    if (json) {
        printf("{\"study\": ");
        cli_print_json_string(stdout, info->name);
        printf(", \"trial\": %d, \"params\": %s, \"folds\": %zu, \"metrics\": {", step.number,
               step.params_json, cv.n_folds);
        for (size_t m = 0; m < cv.n_metrics; m++) {
            const struct tune_metric_summary *s = &cv.metrics[m];
            printf("%s\"%s\": {\"mean\": ", m ? ", " : "", s->name);
            cli_fmt_double(a, sizeof a, s->mean);
            cli_fmt_double(b, sizeof b, s->std);
            printf("%s, \"std\": %s, \"folds\": [", isnan(s->mean) ? "null" : a,
                   isnan(s->std) ? "null" : b);
            for (size_t f = 0; f < s->n_folds; f++) {
                cli_fmt_double(a, sizeof a, s->folds[f]);
                printf("%s%s", f ? ", " : "", isnan(s->folds[f]) ? "null" : a);
            }
            printf("]}");
        }
        cli_fmt_double(a, sizeof a, cv.fit_seconds);
        cli_fmt_double(b, sizeof b, cv.predict_seconds);
        printf("}, \"fit_seconds\": %s, \"predict_seconds\": %s}\n", a, b);
    } else {
        printf("study '%s', trial #%d, %zu folds, params %s\n", info->name, step.number,
               cv.n_folds, step.params_json);
        printf("%-12s %-22s %s\n", "metric", "mean", "std");
        for (size_t m = 0; m < cv.n_metrics; m++) {
            const struct tune_metric_summary *s = &cv.metrics[m];
            cli_fmt_double(a, sizeof a, s->mean);
            cli_fmt_double(b, sizeof b, s->std);
            printf("%-12s %-22s %s\n", s->name, a, b);
        }
        printf("fit %.6f s, predict %.6f s (mean per fold)\n", cv.fit_seconds,
               cv.predict_seconds);
    }
    rc = CLI_OK;
done:
    tune_cv_result_release(&cv);
    tune_study_close(study);
    tune_store_close(store);
    tune_config_free(cfg);
    return rc;
}
