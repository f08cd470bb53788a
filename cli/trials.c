/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli/trials.c — `tunefold trials` and `tunefold best`: read a stored study. */
#include "cli.h"
#include "tunefold/pareto.h"
#include "tunefold/text.h"
#include "tunefold/study.h"

#include <cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char trials_help[] =
    "Usage: tunefold trials [OPTIONS]\n"
    "\n"
    "List every trial of a stored study: number, state, objective value and its\n"
    "std over folds, params, mean fit and predict seconds per fold. A PRUNED\n"
    "trial also shows where it was stopped (pruned_at: its last step, or the\n"
    "folds it ran) and why; its value is the objective over the folds it ran in\n"
    "full, if any.\n"
    "\n"
    "Options:\n"
    "  --db PATH      SQLite file or postgresql:// URL (default ./tunefold.db)\n"
    "  --study NAME   the study (default: the only study in the database)\n"
    "  --format F     table (default), csv or json\n"
    "  -h, --help     show this help\n";

static const char best_help[] =
    "Usage: tunefold best [OPTIONS]\n"
    "\n"
    "Print the best complete trial of a stored study: its value, params and\n"
    "every metric as mean and std over the folds. A study with constraints:\n"
    "the best of the trials that kept them. A study of several objectives:\n"
    "its Pareto set, the trials no other trial beats on every objective.\n"
    "\n"
    "Options:\n"
    "  --db PATH      SQLite file or postgresql:// URL (default ./tunefold.db)\n"
    "  --study NAME   the study (default: the only study in the database)\n"
    "  --format F     table (default) or json\n"
    "  -h, --help     show this help\n";

/* JSON number or null. */
static void put_num(FILE *f, double v)
{
    char buf[40];
    if (!isfinite(v)) {
        fputs("null", f);
        return;
    }
    cli_fmt_double(buf, sizeof buf, v);
    fputs(buf, f);
}

/* A CSV field, quoted when it must be. */
static void put_csv(FILE *f, const char *s)
{
    tune_csv_quote_write(f, s, ',');
}

static int parse_common(const char *cmd, int argc, char **argv, const char *help,
                        const char **db, const char **study, const char **format,
                        const char *const *formats)
{
    const char *pos[1];
    size_t n_pos;
    const struct cli_opt opts[] = {
        {"db", db, NULL}, {"study", study, NULL}, {"format", format, NULL}, {NULL, NULL, NULL}};
    int rc = cli_parse(cmd, argc, argv, opts, pos, 0, &n_pos, help);
    if (rc)
        return rc;
    for (size_t i = 0; formats[i]; i++)
        if (strcmp(*format, formats[i]) == 0)
            return CLI_OK;
    return cli_usage_error(cmd, "--format: unknown format '%s'", *format);
}

/* One trial in the chosen format; `first` for JSON's separators. */
static void put_trial(const char *format, const struct tune_trial *t, int first)
{
    if (strcmp(format, "json") == 0) {
        printf("%s\n  {\"number\": %d, \"state\": \"%s\", \"value\": ", first ? "" : ",",
               t->number, tune_trial_state_name(t->state));
        put_num(stdout, t->value);
        printf(", \"value_std\": ");
        put_num(stdout, t->value_std);
        printf(", \"params\": %s, \"fit_seconds\": ", t->params_json ? t->params_json : "null");
        put_num(stdout, t->fit_seconds);
        printf(", \"predict_seconds\": ");
        put_num(stdout, t->predict_seconds);
        printf(", \"origin\": \"%s\", \"worker\": ",
               t->origin == TUNE_ORIGIN_MANUAL ? "evaluate" : "search");
        if (t->worker)
            cli_print_json_string(stdout, t->worker);
        else
            printf("null");
        printf(", \"error\": ");
        if (t->error)
            cli_print_json_string(stdout, t->error);
        else
            printf("null");
        if (t->violation > 0) {
            printf(", \"violation\": ");
            put_num(stdout, t->violation);
        }
        if (t->state == TUNE_TRIAL_PRUNED && t->pruned_at >= 0)
            printf(", \"pruned_at\": %lld", (long long)t->pruned_at);
        else
            printf(", \"pruned_at\": null");
        printf("}");
    } else if (strcmp(format, "csv") == 0) {
        char v[40], s[40], fs[40], ps[40];
        cli_fmt_double(v, sizeof v, t->value);
        cli_fmt_double(s, sizeof s, t->value_std);
        cli_fmt_double(fs, sizeof fs, t->fit_seconds);
        cli_fmt_double(ps, sizeof ps, t->predict_seconds);
        printf("%d,%s,%s,%s,", t->number, tune_trial_state_name(t->state),
               isnan(t->value) ? "" : v, isnan(t->value_std) ? "" : s);
        put_csv(stdout, t->params_json ? t->params_json : "");
        printf(",%s,%s,%s,", isnan(t->fit_seconds) ? "" : fs,
               isnan(t->predict_seconds) ? "" : ps,
               t->origin == TUNE_ORIGIN_MANUAL ? "evaluate" : "search");
        put_csv(stdout, t->worker ? t->worker : "");
        printf(",");
        put_csv(stdout, t->error ? t->error : "");
        if (t->state == TUNE_TRIAL_PRUNED && t->pruned_at >= 0)
            printf(",%lld", (long long)t->pruned_at);
        else
            printf(",");
        printf("\n");
    } else {
        char at[48] = "  error: ";
        if (t->state == TUNE_TRIAL_PRUNED)
            snprintf(at, sizeof at, t->pruned_at >= 0 ? "  pruned at %lld: " : "  pruned: ",
                     (long long)t->pruned_at);
        char broke[64] = "";
        if (t->violation > 0)
            snprintf(broke, sizeof broke, "  broke the constraints (violation %.3g)",
                     t->violation);
        printf("%6d  %-8s  %-10.6g  %-10.4g  %-9.4g  %s%s%s%s\n", t->number,
               tune_trial_state_name(t->state), t->value, t->value_std, t->fit_seconds,
               t->params_json ? t->params_json : "", t->error ? at : "", t->error ? t->error : "",
               broke);
    }
}

/* A warm-started study: which studies' trials bayes takes as prior
 * observations (they are not trials of this study, so not listed). */
static void warm_start_note(const struct tune_study_info *info)
{
    cJSON *cfg = info->config_json ? cJSON_Parse(info->config_json) : NULL;
    const cJSON *ws = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(cfg, "search"), "warm_start");
    if (cJSON_IsArray(ws) && cJSON_GetArraySize(ws) > 0) {
        printf("warm start: bayes also takes the complete trials of ");
        const cJSON *e;
        int k = 0, n = cJSON_GetArraySize(ws);
        cJSON_ArrayForEach(e, ws) {
            printf("%s'%s'", k == 0 ? "" : k + 1 == n ? " and " : ", ",
                   cJSON_IsString(e) ? e->valuestring : "?");
            k++;
        }
        printf(" as prior observations\n");
    }
    cJSON_Delete(cfg);
}

/* Trials are read and printed a page at a time: a study of 100,000 trials
 * streams out in constant memory, starting at once. */
#define TRIALS_PAGE 2000

int cli_trials(int argc, char **argv)
{
    const char *cmd = "trials", *db = NULL, *name = NULL, *format = "table";
    static const char *const formats[] = {"table", "csv", "json", NULL};
    int rc = parse_common(cmd, argc, argv, trials_help, &db, &name, &format, formats);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    struct tune_store *store = NULL;
    struct tune_study_info info = {0};
    if ((rc = cli_open_study(cmd, db, name, &store, &info)))
        return rc;
    struct tune_error err = {0};
    int json = strcmp(format, "json") == 0;
    if (json)
        printf("[");
    else if (strcmp(format, "csv") == 0)
        printf("number,state,value,value_std,params,fit_seconds,predict_seconds,origin,worker,"
               "error,pruned_at\n");
    else {
        printf("study '%s' (%s, %s)\n", info.name, info.metric,
               info.maximize ? "maximize" : "minimize");
        warm_start_note(&info);
        printf("%6s  %-8s  %-10s  %-10s  %-9s  %s\n", "trial", "state", "value", "std",
               "fit s", "params / error");
    }
    size_t shown = 0;
    for (int first = 0;;) {
        struct tune_trial *t = NULL;
        size_t n = 0;
        if (tune_store_trial_page(store, info.id, first, TRIALS_PAGE, 0, &t, &n, &err)) {
            rc = cli_fail(cmd, &err);
            goto done;
        }
        for (size_t i = 0; i < n; i++)
            put_trial(format, &t[i], shown++ == 0);
        if (n)
            first = t[n - 1].number + 1;
        tune_trials_free(t, n);
        if (n < TRIALS_PAGE)
            break;
    }
    if (json)
        printf("%s]\n", shown ? "\n" : "");
    rc = CLI_OK;
done:
    tune_study_info_release(&info);
    tune_store_close(store);
    return rc;
}

/* A study of several objectives: its Pareto set, best first by the first
 * objective.  Exit 1 when it is empty. */
static int print_pareto(struct tune_store *store, const struct tune_study_info *info, int json)
{
    struct tune_pareto p;
    struct tune_error err = {0};
    if (tune_study_pareto(store, info, &p, &err))
        return cli_fail("best", &err);
    if (json) {
        printf("{\"study\": ");
        cli_print_json_string(stdout, info->name);
        printf(", \"pareto\": [");
        for (size_t i = 0; i < p.n; i++) {
            printf("%s{\"trial\": %d, \"values\": {", i ? ", " : "", p.points[i].number);
            for (size_t j = 0; j < p.n_objectives; j++) {
                printf("%s", j ? ", " : "");
                cli_print_json_string(stdout, p.objectives[j].metric);
                printf(": ");
                put_num(stdout, p.points[i].values[j]);
            }
            printf("}, \"params\": %s}",
                   p.points[i].params_json ? p.points[i].params_json : "{}");
        }
        printf("]}\n");
    } else {
        printf("study '%s': Pareto set of %zu trial%s (of %zu complete, %zu keeping the "
               "constraints) on ",
               info->name, p.n, p.n == 1 ? "" : "s", p.n_complete, p.n_feasible);
        for (size_t j = 0; j < p.n_objectives; j++)
            printf("%s%s (%s)", j ? ", " : "", p.objectives[j].metric,
                   p.objectives[j].maximize ? "maximize" : "minimize");
        printf("\n%6s", "trial");
        for (size_t j = 0; j < p.n_objectives; j++)
            printf("  %-14.14s", p.objectives[j].metric);
        printf("  params\n");
        for (size_t i = 0; i < p.n; i++) {
            printf("%6d", p.points[i].number);
            for (size_t j = 0; j < p.n_objectives; j++)
                printf("  %-14.6g", p.points[i].values[j]);
            printf("  %s\n", p.points[i].params_json ? p.points[i].params_json : "{}");
        }
    }
    int rc = p.n ? CLI_OK : CLI_FAILED;
    if (!p.n)
        fprintf(stderr, "tunefold best: study '%s' has no complete trial%s\n", info->name,
                p.n_complete ? " that kept the constraints" : "");
    tune_pareto_release(&p);
    return rc;
}

int cli_best(int argc, char **argv)
{
    const char *cmd = "best", *db = NULL, *name = NULL, *format = "table";
    static const char *const formats[] = {"table", "json", NULL};
    int rc = parse_common(cmd, argc, argv, best_help, &db, &name, &format, formats);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    struct tune_store *store = NULL;
    struct tune_study_info info = {0};
    if ((rc = cli_open_study(cmd, db, name, &store, &info)))
        return rc;
    struct tune_trial b = {0};
    struct tune_error err = {0};
    struct tune_objective *objs = NULL;
    size_t n_objs = 0;
    if (tune_study_objectives(&info, &objs, &n_objs, &err)) {
        rc = cli_fail(cmd, &err);
        goto done;
    }
    tune_objectives_free(objs, n_objs);
    if (n_objs > 1) {
        rc = print_pareto(store, &info, strcmp(format, "json") == 0);
        goto done;
    }
    if (tune_store_trial_best(store, info.id, &b, &err)) {
        struct tune_progress p;
        struct tune_error perr = {0};
        if (err.code == TUNE_ENOTFOUND &&
            tune_store_study_progress(store, info.id, &p, &perr) == TUNE_OK && p.complete > 0)
            fprintf(stderr, "tunefold best: study '%s': none of its %zu complete trials kept the "
                            "constraints (see 'tunefold trials')\n",
                    info.name, p.complete);
        else
            fprintf(stderr, "tunefold best: %s\n", err.msg);
        rc = CLI_FAILED;
        goto done;
    }
    struct tune_progress prog;
    char warning[512] = "";
    if (tune_store_study_progress(store, info.id, &prog, &err) == TUNE_OK &&
        cli_flat_warning(&info, &prog, warning, sizeof warning))
        fprintf(stderr, "tunefold best: warning: %s\n", warning);
    int score_mode = cli_study_score_mode(&info);
    /* a study of several trainers: the best trial's */
    cJSON *bp = b.params_json ? cJSON_Parse(b.params_json) : NULL;
    const cJSON *btr = cJSON_GetObjectItemCaseSensitive(bp, "trainer");
    const char *trainer = cJSON_IsString(btr) ? btr->valuestring : NULL;
    if (strcmp(format, "json") == 0) {
        printf("{\"study\": ");
        cli_print_json_string(stdout, info.name);
        printf(", \"trial\": %d, ", b.number);
        if (trainer) {
            printf("\"trainer\": ");
            cli_print_json_string(stdout, trainer);
            printf(", ");
        }
        printf("\"metric\": \"%s\", \"value\": ", info.metric);
        put_num(stdout, b.value);
        printf(", \"value_std\": ");
        put_num(stdout, b.value_std);
        printf(", \"params\": %s, \"metrics\": {", b.params_json ? b.params_json : "{}");
        for (size_t m = 0; m < b.n_metrics; m++) {
            printf("%s\"%s\": {\"mean\": ", m ? ", " : "", b.metrics[m].name);
            put_num(stdout, b.metrics[m].mean);
            printf(", \"std\": ");
            put_num(stdout, b.metrics[m].std);
            printf("}");
        }
        printf("}, \"fit_seconds\": ");
        put_num(stdout, b.fit_seconds);
        printf(", \"predict_seconds\": ");
        put_num(stdout, b.predict_seconds);
        if (warning[0]) {
            printf(", \"warning\": ");
            cli_print_json_string(stdout, warning);
        }
        printf("}\n");
    } else if (score_mode) {
        /* one run of the program: no folds, so no spread and no predict time */
        printf("study '%s': best trial #%d of %s (%s)\n", info.name, b.number, info.metric,
               info.maximize ? "maximize" : "minimize");
        printf("params  %s\n", b.params_json ? b.params_json : "{}");
        printf("%-22s %s\n", "metric", "value");
        for (size_t m = 0; m < b.n_metrics; m++)
            printf("%-22s %.6g\n", b.metrics[m].name, b.metrics[m].mean);
        if (isfinite(b.fit_seconds))
            printf("run %.4g s\n", b.fit_seconds);
    } else {
        printf("study '%s': best trial #%d of %s (%s)\n", info.name, b.number, info.metric,
               info.maximize ? "maximize" : "minimize");
        if (trainer)
            printf("trainer %s\n", trainer);
        printf("params  %s\n", b.params_json ? b.params_json : "{}");
        printf("%-22s %-12s %s\n", "metric", "mean", "std");
        for (size_t m = 0; m < b.n_metrics; m++)
            printf("%-22s %-12.6g %.4g\n", b.metrics[m].name, b.metrics[m].mean,
                   b.metrics[m].std);
        printf("fit %.4g s, predict %.4g s (mean per fold)\n", b.fit_seconds,
               b.predict_seconds);
    }
    cJSON_Delete(bp);
    rc = CLI_OK;
done:
    tune_trial_release(&b);
    tune_study_info_release(&info);
    tune_store_close(store);
    return rc;
}
