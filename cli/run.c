/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli/run.c — `tunefold run` (the search loop with progress) and
 * `tunefold evaluate` (the command-line cross_validate). */
#define _XOPEN_SOURCE 700 /* realpath */
#include "cli.h"
#include "tunefold/config.h"
#include "tunefold/pareto.h"
#include "tunefold/study.h"

#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <errno.h>
#include <limits.h>

static const char run_help[] =
    "Usage: tunefold run STUDY.json [OPTIONS]\n"
    "\n"
    "Search the study's space: each trial is a configuration cross-validated on\n"
    "the study's folds and stored with every metric. Running a study that is\n"
    "already stored resumes it until its trial budget is met; trials already\n"
    "stored are not redone.\n"
    "\n"
    "Options:\n"
    "  --db PATH      SQLite file or postgresql://USER@HOST:PORT/DB (default: the\n"
    "                 study's \"storage\", else ./tunefold.db)\n"
    "  --trials N     trial budget, overriding search.trials (default 20; grid:\n"
    "                 the grid size). Raise it to extend a finished study.\n"
    "  --workers N    worker processes sharing the study (default: search.workers,\n"
    "                 else 1); more join with `tunefold worker`. Each worker\n"
    "                 gets cores/N threads, shared among a trial's folds when\n"
    "                 its trainer can fit them side by side (boosting, forest,\n"
    "                 tree, knn, naive_bayes, kmeans); grid, random and sobol\n"
    "                 store the same trials for any N; bayes does too with\n"
    "                 search.batch set (else it depends on which trials\n"
    "                 overlap). README, Several workers, has the figures.\n"
    "  --seed N       study seed, overriding search.seed (default 0); another\n"
    "                 seed is another study, so give it another name\n"
    "  --name NAME    the study's name in the store, overriding the file's \"name\"\n"
    "  --quiet        no progress display\n"
    "  -h, --help     show this help\n"
    "\n"
    "Progress goes to stderr: one updating line on a terminal, one line per\n"
    "trial otherwise. Ctrl-C stops after the running trials are stored (a second\n"
    "Ctrl-C at once); a trial cut short is run again when the study resumes.\n"
    "The last lines say why the run stopped: the budget, search.max_seconds,\n"
    "search.target or search.patience; a \"pruning\" section stops hopeless\n"
    "trials early (stored PRUNED).\n"
    "\n"
    "Search power (README, Search power): \"trainers\" lets the study choose the\n"
    "trainer per trial (its params name it: {\"trainer\": \"knn\", ...}); a trial\n"
    "outside the study's \"constraints\" is stored but never the best, and its\n"
    "line says \"broke the constraints\"; with several \"objectives\" the result\n"
    "is the Pareto set (tunefold best).\n"
    "\n"
    "Examples:\n"
    "  tunefold run examples/breast_cancer_logistic.json --trials 30\n"
    "  tunefold run examples/breast_cancer_models.json   (four trainers)\n";

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
    "  --db PATH      SQLite file or postgresql:// URL (default: the study's\n"
    "                 \"storage\")\n"
    "  --format F     table (default) or json\n"
    "  --name NAME    the study's name in the store, overriding the file's \"name\"\n"
    "  -h, --help     show this help\n";

/* Load the study file and open its store and study; --name, --seed and
 * --workers (> 0; it sets the trainers' share of the cores) override the
 * file's. */
static int open_all(const char *cmd, const char *file, const char *db, const char *name,
                    const char *seed_text, size_t workers, struct tune_study_config **cfg,
                    struct tune_store **store, struct tune_study **study)
{
    struct tune_error err = {0};
    int rc;
    if ((rc = tune_config_load(file, cfg, &err)))
        return cli_fail(cmd, &err);
    if (name) {
        char *copy = *name ? strdup(name) : NULL;
        if (!copy)
            return cli_usage_error(cmd, "--name: give a non-empty study name");
        free((*cfg)->name);
        (*cfg)->name = copy;
    }
    if (seed_text) {
        double seed;
        if ((rc = cli_parse_count(cmd, "seed", seed_text, 0, 9007199254740992.0, &seed)))
            return rc;
        if (tune_config_set_seed(*cfg, (uint64_t)seed, &err))
            return cli_fail(cmd, &err);
    }
    if (workers > 0)
        (*cfg)->workers = workers;
    if (tune_store_open(db ? db : (*cfg)->storage, store, &err))
        return cli_fail(cmd, &err);
    if ((rc = tune_study_open(*cfg, *store, study, &err))) {
        if (rc == TUNE_ECONFLICT) {
            fprintf(stderr,
                    "tunefold %s: study '%s' already exists in %s with a different "
                    "configuration; give this one a new name with --name NEW (or \"name\" in "
                    "%s), or use another --db\n",
                    cmd, (*cfg)->name, db ? db : (*cfg)->storage, file);
            return CLI_USAGE;
        }
        cli_fail(cmd, &err);
        return rc == TUNE_EINVAL ? CLI_USAGE : CLI_FAILED;
    }
    return CLI_OK;
}

/* For people: 6 significant digits (the store and --format json keep all). */
static void print_value(FILE *f, const char *metric, double v, double sd)
{
    fprintf(f, "%s = %.6g", metric, v);
    if (!isnan(sd)) /* a score-mode trial has one value, no spread */
        fprintf(f, " ± %.3g", sd);
}

/* Remember where the study file is, and what a run was told, so that
 * `tunefold worker --study NAME` can join knowing only the name. */
static int record_attrs(struct tune_store *store, const struct tune_study_info *info,
                        const char *file, const struct tune_study_config *cfg, size_t budget,
                        struct tune_error *err)
{
    char *abs = realpath(file, NULL), num[64];
    if (!abs)
        return tune_error_set(err, TUNE_EIO, "%s: %s", file, strerror(errno));
    int rc = tune_store_study_set_attr(store, info->id, "source", abs, err);
    free(abs);
    /* the study file itself: a worker on another machine has no copy */
    char *text = NULL;
    FILE *f = rc ? NULL : fopen(file, "rb");
    if (f) {
        size_t cap = 1 << 14, len = 0, got;
        text = malloc(cap);
        while (text && (got = fread(text + len, 1, cap - len - 1, f)) > 0)
            if ((len += got) + 1 == cap) {
                char *bigger = realloc(text, cap *= 2);
                if (!bigger) {
                    free(text);
                    text = NULL;
                }
                text = bigger;
            }
        fclose(f);
        if (text) {
            text[len] = '\0';
            rc = tune_store_study_set_attr(store, info->id, "study_file", text, err);
        }
        free(text);
    }
    snprintf(num, sizeof num, "%llu", (unsigned long long)cfg->seed);
    if (!rc)
        rc = tune_store_study_set_attr(store, info->id, "seed", num, err);
    snprintf(num, sizeof num, "%zu", budget);
    if (!rc)
        rc = tune_store_study_set_attr(store, info->id, "budget", num, err);
    return rc;
}

/* Why the run stopped, in words: the stop this process saw, else (workers
 * in child processes) the "stop_reason" the study's workers stored; "" when
 * neither says.  *by_rule is 1 for a study stop rule (time, target,
 * patience), which ends a study before its budget on purpose. */
static void stop_words(struct tune_store *store, const struct tune_study_info *info,
                       enum tune_stop stop, char *buf, size_t len, int *by_rule)
{
    static const enum tune_stop rules[] = {TUNE_STOP_TIME, TUNE_STOP_TARGET,
                                           TUNE_STOP_PATIENCE};
    struct tune_error err = {0};
    char *stored = NULL;
    buf[0] = '\0';
    if (stop != TUNE_STOP_NONE)
        snprintf(buf, len, "%s", tune_stop_str(stop));
    else if (tune_store_study_get_attr(store, info->id, "stop_reason", &stored, &err) == TUNE_OK)
        snprintf(buf, len, "%s", stored);
    free(stored);
    *by_rule = 0;
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
        *by_rule |= strcmp(buf, tune_stop_str(rules[i])) == 0;
}

/* The closing lines of run and worker: what was done, why it stopped, and
 * the best trial.  Exit 1 when the run was interrupted, no trial completed,
 * or the budget was left unfinished (workers died and none could replace
 * them) without a stop rule ending the study. */
static int summarize(struct tune_store *store, const struct tune_study_info *info,
                     const char *db, size_t budget, const struct cli_run_summary *sum,
                     enum tune_stop stop, double seconds)
{
    struct tune_error err = {0};
    struct tune_progress now;
    char el[32], why[128];
    int by_rule;
    cli_fmt_duration(el, sizeof el, seconds);
    if (tune_store_study_progress(store, info->id, &now, &err))
        return cli_fail("run", &err);
    stop_words(store, info, stop, why, sizeof why, &by_rule);
    size_t ran = now.finished - sum->finished_before;
    if (cli_interrupted)
        printf("interrupted: %zu of %zu trials stored; run the same command to resume\n",
               now.finished, budget);
    else if (ran == 0 && now.finished >= budget)
        printf("study '%s' already has its %zu trials; nothing to do (raise --trials to run "
               "more)\n",
               info->name, budget);
    else if (stop == TUNE_STOP_EXHAUSTED && now.finished < budget)
        printf("study '%s': every point of the search space has been tried (%zu of a budget "
               "of %zu)\n",
               info->name, now.finished, budget);
    char pruned[48] = "";
    if (sum->pruned)
        snprintf(pruned, sizeof pruned, ", %zu pruned", sum->pruned);
    printf("study '%s': %zu trial%s run now (%zu complete, %zu failed%s) in %s; %zu/%zu stored\n",
           info->name, ran, ran == 1 ? "" : "s", sum->complete, sum->failed, pruned, el,
           now.finished, budget);
    if (why[0] && !cli_interrupted)
        printf("stopped: %s\n", why);
    int rc = cli_interrupted ? CLI_FAILED : CLI_OK;
    if (!cli_interrupted && stop != TUNE_STOP_EXHAUSTED && stop != TUNE_STOP_FAILURES &&
        !by_rule && now.finished < budget) {
        fprintf(stderr,
                "tunefold: study '%s' stopped with %zu of its %zu trials unfinished (%zu worker%s "
                "died); run the same command to finish it\n",
                info->name, budget - now.finished, budget, sum->killed,
                sum->killed == 1 ? "" : "s");
        rc = CLI_FAILED;
    }
    char warning[512];
    if (cli_flat_warning(info, &now, warning, sizeof warning))
        fprintf(stderr, "tunefold: warning: %s\n", warning);
    struct tune_trial bt;
    if (tune_store_trial_best(store, info->id, &bt, &err)) {
        if (now.complete > 0)
            fprintf(stderr, "tunefold: none of the %zu complete trials kept the study's "
                            "constraints; see 'tunefold trials --db %s'\n",
                    now.complete, db);
        else
            fprintf(stderr, "tunefold: no trial completed; see 'tunefold trials --db %s' for "
                            "the errors\n",
                    db);
        return CLI_FAILED;
    }
    printf("best trial #%d: ", bt.number);
    print_value(stdout, info->metric, bt.value, bt.value_std);
    printf("  params %s\n", bt.params_json ? bt.params_json : "{}");
    tune_trial_release(&bt);
    /* several objectives: the result is the Pareto set */
    struct tune_pareto pareto;
    if (tune_study_pareto(store, info, &pareto, &err) == TUNE_OK) {
        if (pareto.n_objectives > 1)
            printf("Pareto set: %zu trial%s on %zu objectives (the best above is on the "
                   "first alone; tunefold best --db %s --study '%s' lists the set)\n",
                   pareto.n, pareto.n == 1 ? "" : "s", pareto.n_objectives, db, info->name);
        tune_pareto_release(&pareto);
    }
    return rc;
}

/* Work the study in this process with the progress display; fills *sum and
 * *stop.  Returns an exit code. */
static int work_here(const char *cmd, struct tune_study *study, const char *db,
                     const struct tune_study_info *info, size_t budget, size_t max_failures,
                     int quiet, struct cli_run_summary *sum, enum tune_stop *stop)
{
    struct tune_error err = {0};
    struct tune_run_result res = {0};
    struct tune_progress before;
    struct cli_progress p;
    cli_progress_init(&p, info, budget, quiet);
    if (tune_study_progress(study, &before, &err))
        return cli_fail(cmd, &err);
    if (!quiet && before.finished > 0 && before.finished < budget)
        fprintf(stderr, "resuming study '%s': %zu of %zu trials already stored\n", info->name,
                before.finished, budget);
    int rc = tune_study_start_heartbeat(study, db, &err);
    if (!rc)
        rc = cli_work(study, budget, &p, &res, &err);
    sum->complete = p.complete;
    sum->failed = p.failed;
    sum->pruned = p.pruned;
    sum->finished_before = before.finished;
    *stop = res.stop;
    if (rc)
        return cli_fail(cmd, &err);
    if (res.stop == TUNE_STOP_FAILURES) {
        fprintf(stderr, "tunefold %s: %zu trials failed in a row (trainer.max_failures); the "
                        "last: %s\n",
                cmd, max_failures, res.last_error);
        return CLI_FAILED;
    }
    return CLI_OK;
}

int cli_run(int argc, char **argv)
{
    const char *cmd = "run", *db = NULL, *trials_text = NULL, *workers_text = NULL,
               *seed_text = NULL, *name = NULL, *pos[1];
    int quiet = 0;
    size_t n_pos;
    const struct cli_opt opts[] = {{"db", &db, NULL},
                                   {"trials", &trials_text, NULL},
                                   {"workers", &workers_text, NULL},
                                   {"seed", &seed_text, NULL},
                                   {"name", &name, NULL},
                                   {"quiet", NULL, &quiet},
                                   {NULL, NULL, NULL}};
    int rc = cli_parse(cmd, argc, argv, opts, pos, 1, &n_pos, run_help);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    if (n_pos != 1)
        return cli_usage_error(cmd, "expected one study file");
    double trials = 0, workers = 0;
    if (trials_text && (rc = cli_parse_count(cmd, "trials", trials_text, 1, 1e9, &trials)))
        return rc;
    if (workers_text && (rc = cli_parse_count(cmd, "workers", workers_text, 1, 1024, &workers)))
        return rc;

    struct tune_study_config *cfg = NULL;
    struct tune_store *store = NULL;
    struct tune_study *study = NULL;
    struct tune_study_info info = {0};
    struct tune_error err = {0};
    if ((rc = open_all(cmd, pos[0], db, name, seed_text, (size_t)workers, &cfg, &store,
                       &study)))
        goto done;
    if (!db)
        db = cfg->storage;
    /* a copy: the study (and its info) may be closed before the workers fork */
    const struct tune_study_info *si = tune_study_get_info(study);
    info = *si;
    info.name = strdup(si->name);
    info.metric = strdup(si->metric);
    info.config_json = strdup(si->config_json);
    size_t budget = tune_study_budget(study, (size_t)trials);
    if (!info.name || !info.metric || !info.config_json) {
        rc = CLI_FAILED;
        goto done;
    }
    if (record_attrs(store, &info, pos[0], cfg, budget, &err)) {
        rc = cli_fail(cmd, &err);
        goto done;
    }
    cli_catch_signals();
    struct cli_run_summary sum = {0};
    enum tune_stop stop = TUNE_STOP_NONE;
    double t0 = cli_now();
    /* every worker counts search.max_seconds from now; the stop reason of
     * an earlier run is not this one's */
    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    cli_run_started = (double)wall.tv_sec + (double)wall.tv_nsec * 1e-9;
    if (tune_store_study_set_attr(store, info.id, "stop_reason", "", &err)) {
        rc = cli_fail(cmd, &err);
        goto done;
    }
    if (cfg->workers > 1 && !cfg->batch && cfg->searcher && !cfg->searcher->ignores_history &&
        !quiet)
        fprintf(stderr,
                "tunefold run: note: %s on %zu workers suggests from whatever has finished, "
                "so this study depends on timing; \"batch\": %zu in \"search\" makes it "
                "reproducible (README, Several workers)\n",
                cfg->searcher->name, cfg->workers, cfg->workers);
    if (cfg->workers <= 1) {
        if ((rc = work_here(cmd, study, db, &info, budget, cfg->max_failures, quiet, &sum,
                            &stop)))
            goto done;
    } else {
        /* No SQLite connection may cross fork(): close ours first.  The
         * study stays open, detached: the workers inherit its data and
         * folds (shared pages) instead of reading the file again. */
        tune_study_set_store(study, NULL);
        tune_store_close(store);
        store = NULL;
        rc = cli_run_workers(cmd, cfg, db, &info, study, budget, cfg->workers, quiet, &sum);
        if (rc)
            goto done;
        if (tune_store_open(db, &store, &err)) {
            rc = cli_fail(cmd, &err);
            goto done;
        }
    }
    rc = summarize(store, &info, db, budget, &sum, stop, cli_now() - t0);
done:
    free(info.name);
    free(info.metric);
    free(info.config_json);
    tune_study_close(study);
    tune_store_close(store);
    tune_config_free(cfg);
    return rc;
}

static const char worker_help[] =
    "Usage: tunefold worker --study NAME [OPTIONS]\n"
    "\n"
    "Join a study that `tunefold run` created, from another terminal or another\n"
    "machine sharing the database: claim and run trials until the study's budget\n"
    "is met. The study file is found where the run that created the study read\n"
    "it, and must not have changed since.\n"
    "\n"
    "Options:\n"
    "  --study NAME   the study to join (required)\n"
    "  --db PATH      SQLite file or postgresql:// URL (default ./tunefold.db)\n"
    "  --quiet        no progress display\n"
    "  -h, --help     show this help\n";

int cli_worker(int argc, char **argv)
{
    const char *cmd = "worker", *db = NULL, *name = NULL, *pos[1];
    int quiet = 0;
    size_t n_pos;
    const struct cli_opt opts[] = {{"db", &db, NULL},
                                   {"study", &name, NULL},
                                   {"quiet", NULL, &quiet},
                                   {NULL, NULL, NULL}};
    int rc = cli_parse(cmd, argc, argv, opts, pos, 0, &n_pos, worker_help);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    if (!name)
        return cli_usage_error(cmd, "--study NAME is required");
    if (!db)
        db = "tunefold.db";
    struct tune_store *store = NULL;
    struct tune_study_info info = {0};
    struct tune_study_config *cfg = NULL;
    struct tune_study *study = NULL;
    struct tune_error err = {0};
    char *source = NULL, *seed = NULL, *budget_text = NULL, *text = NULL;
    if ((rc = cli_open_study(cmd, db, name, &store, &info)))
        return rc;
    if (tune_store_study_get_attr(store, info.id, "source", &source, &err) ||
        tune_store_study_get_attr(store, info.id, "seed", &seed, &err) ||
        tune_store_study_get_attr(store, info.id, "budget", &budget_text, &err)) {
        rc = cli_fail(cmd, &err);
        goto done;
    }
    /* The study file as the run that made the study read it, kept in the
     * store (a study made by an older tunefold: the file at its path).
     * Relative paths in it are still relative to its folder; a data file
     * missing on this machine is read from the store's copy. */
    int stored = tune_store_study_get_attr(store, info.id, "study_file", &text, &err) == TUNE_OK;
    if ((stored ? tune_config_parse(source, text, &cfg, &err)
                : tune_config_load(source, &cfg, &err)) ||
        tune_config_set_seed(cfg, strtoull(seed, NULL, 10), &err)) {
        rc = cli_fail(cmd, &err);
        goto done;
    }
    free(cfg->name); /* the study may run under another name than the file's */
    if (!(cfg->name = strdup(info.name))) {
        rc = CLI_FAILED;
        goto done;
    }
    if (strcmp(cfg->canonical, info.config_json) != 0) {
        rc = cli_usage_error(cmd, "%s has changed since study '%s' was created; a worker "
                                  "must run the same study",
                             source, name);
        goto done;
    }
    if (tune_study_open(cfg, store, &study, &err)) {
        rc = cli_fail(cmd, &err);
        goto done;
    }
    /* other workers may run what this machine cannot start */
    tune_study_set_shared(study, 1);
    size_t budget = strtoull(budget_text, NULL, 10);
    cli_catch_signals();
    double t0 = cli_now();
    struct cli_run_summary sum = {0};
    enum tune_stop stop = TUNE_STOP_NONE;
    rc = work_here(cmd, study, db, &info, budget, cfg->max_failures, quiet, &sum, &stop);
    if (!rc)
        rc = summarize(store, &info, db, budget, &sum, stop, cli_now() - t0);
done:
    free(source);
    free(seed);
    free(budget_text);
    free(text);
    tune_study_close(study);
    tune_study_info_release(&info);
    tune_store_close(store);
    tune_config_free(cfg);
    return rc;
}

int cli_evaluate(int argc, char **argv)
{
    const char *cmd = "evaluate", *db = NULL, *params = NULL, *format = "table", *name = NULL,
               *pos[1];
    size_t n_pos;
    const struct cli_opt opts[] = {{"db", &db, NULL},
                                   {"params", &params, NULL},
                                   {"format", &format, NULL},
                                   {"name", &name, NULL},
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
    if ((rc = open_all(cmd, pos[0], db, name, NULL, 0, &cfg, &store, &study)))
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
        printf("%-22s %-22s %s\n", "metric", "mean", "std");
        for (size_t m = 0; m < cv.n_metrics; m++) {
            const struct tune_metric_summary *s = &cv.metrics[m];
            cli_fmt_double(a, sizeof a, s->mean);
            cli_fmt_double(b, sizeof b, s->std);
            printf("%-22s %-22s %s\n", s->name, a, b);
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
