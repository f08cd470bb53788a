/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli/asktell.c — `tunefold ask` and `tunefold tell`: a study whose trials
 * are evaluated by another program, a script or a cluster's jobs.  `ask`
 * claims the next trial and prints its params; `tell` records its outcome.
 * Everything in between is the caller's: the store is the only memory, so
 * any number of askers on any machines sharing the store work together. */
#include "cli.h"
#include "tunefold/config.h"
#include "tunefold/study.h"

#include <cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char ask_help[] =
    "Usage: tunefold ask STUDY.json [OPTIONS]\n"
    "\n"
    "Claim the next trial of a study and print its parameters; evaluate them\n"
    "however you like, then report with `tunefold tell`. The study is created on\n"
    "first use. Its file has no \"trainer\": a \"space\", a \"search\" section and\n"
    "an \"objective\" with a \"direction\" (see README: Ask and tell).\n"
    "\n"
    "Options:\n"
    "  --db URL        the store (default: the study's \"storage\", else ./tunefold.db)\n"
    "  --trials N      trial budget, overriding search.trials (default 20)\n"
    "  --timeout S     seconds after which a trial asked for and never told is\n"
    "                  given up and its point asked again (default 86400)\n"
    "  --format F      json (default): {\"study\": NAME, \"trial\": N, \"params\": {...}}\n"
    "                  args: one line of --name=value arguments, the trial number\n"
    "                  first as --trial=N\n"
    "  -h, --help      show this help\n"
    "\n"
    "Exit status: 0 a trial was asked for; 1 none is left (the budget is met or\n"
    "every point of a finite space was asked), said on stderr; 2 bad usage or input.\n"
    "\n"
    "Example:\n"
    "  while p=$(tunefold ask study.json); do\n"
    "    n=$(echo \"$p\" | jq .trial); x=$(echo \"$p\" | jq .params.x)\n"
    "    tunefold tell study.json --trial \"$n\" --value \"$(./objective \"$x\")\"\n"
    "  done\n";

static const char tell_help[] =
    "Usage: tunefold tell STUDY.json --trial N (--value X | --failed REASON) [OPTIONS]\n"
    "\n"
    "Record the outcome of a trial that `tunefold ask` gave out.\n"
    "\n"
    "Options:\n"
    "  --trial N        the trial number ask printed (required)\n"
    "  --value X        its objective value\n"
    "  --failed REASON  it could not be evaluated, and why\n"
    "  --metrics JSON   other numbers to keep with it, e.g. '{\"seconds\": 12.5}';\n"
    "                   a key named like the study's objective metric may stand\n"
    "                   for --value\n"
    "  --seconds S      how long it took (shown by trials and reports)\n"
    "  --db URL         the store (default: the study's \"storage\")\n"
    "  -h, --help       show this help\n"
    "\n"
    "An unknown trial, one already told, or one given up as lost (told after\n"
    "ask's --timeout) is exit 2.\n";

/* Load the study file (it must have no trainer) and open its study. */
static int open_ask_tell(const char *cmd, const char *file, const char *db,
                         struct tune_study_config **cfg, struct tune_store **store,
                         struct tune_study **study)
{
    struct tune_error err = {0};
    if (tune_config_load(file, cfg, &err))
        return cli_fail(cmd, &err);
    if (!(*cfg)->ask_tell)
        return cli_usage_error(cmd, "%s has a trainer: run it with `tunefold run`; ask and tell "
                                    "are for a study without one",
                               file);
    if (tune_store_open(db ? db : (*cfg)->storage, store, &err))
        return cli_fail(cmd, &err);
    int rc = tune_study_open(*cfg, *store, study, &err);
    if (rc == TUNE_ECONFLICT) {
        fprintf(stderr,
                "tunefold %s: study '%s' already exists in %s with a different configuration; "
                "give this one a new \"name\" in %s, or use another --db\n",
                cmd, (*cfg)->name, db ? db : (*cfg)->storage, file);
        return CLI_USAGE;
    }
    return rc ? cli_fail(cmd, &err) : CLI_OK;
}

int cli_ask(int argc, char **argv)
{
    const char *cmd = "ask", *db = NULL, *trials_text = NULL, *timeout_text = NULL,
               *format = "json", *pos[1];
    size_t n_pos;
    const struct cli_opt opts[] = {{"db", &db, NULL},
                                   {"trials", &trials_text, NULL},
                                   {"timeout", &timeout_text, NULL},
                                   {"format", &format, NULL},
                                   {NULL, NULL, NULL}};
    int rc = cli_parse(cmd, argc, argv, opts, pos, 1, &n_pos, ask_help);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    if (n_pos != 1)
        return cli_usage_error(cmd, "expected one study file");
    int args = strcmp(format, "args") == 0;
    if (!args && strcmp(format, "json") != 0)
        return cli_usage_error(cmd, "--format: expected json or args, got '%s'", format);
    double trials = 0, timeout = 86400;
    if (trials_text && (rc = cli_parse_count(cmd, "trials", trials_text, 1, 1e9, &trials)))
        return rc;
    if (timeout_text && (rc = cli_parse_count(cmd, "timeout", timeout_text, 1, 1e9, &timeout)))
        return rc;
    struct tune_study_config *cfg = NULL;
    struct tune_store *store = NULL;
    struct tune_study *study = NULL;
    struct tune_error err = {0};
    if ((rc = open_ask_tell(cmd, pos[0], db, &cfg, &store, &study)))
        goto done;
    int number;
    const char *params;
    size_t budget = tune_study_budget(study, (size_t)trials);
    rc = tune_study_ask(study, budget, timeout, &number, &params, &err);
    if (rc == TUNE_EBUDGET || rc == TUNE_EEXHAUSTED) {
        fprintf(stderr, "tunefold ask: study '%s': %s; nothing to ask for%s\n", cfg->name,
                rc == TUNE_EBUDGET ? "every trial of its budget has been asked for"
                                   : "every point of its search space has been asked for",
                rc == TUNE_EBUDGET ? " (raise --trials for more)" : "");
        rc = CLI_FAILED;
        goto done;
    }
    if (rc) {
        rc = cli_fail(cmd, &err);
        goto done;
    }
    if (args) {
        /* --trial=N --name=value ...: the layout of an external trainer's
         * arguments; categoricals as their text, unquoted */
        cJSON *obj = cJSON_Parse(params);
        printf("--trial=%d", number);
        for (const cJSON *v = obj ? obj->child : NULL; v; v = v->next) {
            char num[64];
            if (cJSON_IsString(v))
                printf(" --%s=%s", v->string, v->valuestring);
            else if (cJSON_IsBool(v))
                printf(" --%s=%s", v->string, cJSON_IsTrue(v) ? "true" : "false");
            else {
                cli_fmt_double(num, sizeof num, v->valuedouble);
                printf(" --%s=%s", v->string, num);
            }
        }
        printf("\n");
        cJSON_Delete(obj);
    } else {
        printf("{\"study\": ");
        cli_print_json_string(stdout, cfg->name);
        printf(", \"trial\": %d, \"params\": %s}\n", number, params);
    }
    rc = CLI_OK;
done:
    tune_study_close(study);
    tune_store_close(store);
    tune_config_free(cfg);
    return rc;
}

/* A finite number, whole text. */
static int parse_real(const char *cmd, const char *opt, const char *text, double *out)
{
    char *end;
    double v = strtod(text, &end);
    if (end == text || *end || !isfinite(v))
        return cli_usage_error(cmd, "--%s: expected a finite number, got '%s'", opt, text);
    *out = v;
    return CLI_OK;
}

int cli_tell(int argc, char **argv)
{
    const char *cmd = "tell", *db = NULL, *trial_text = NULL, *value_text = NULL,
               *failed = NULL, *metrics_text = NULL, *seconds_text = NULL, *pos[1];
    size_t n_pos;
    const struct cli_opt opts[] = {{"db", &db, NULL},
                                   {"trial", &trial_text, NULL},
                                   {"value", &value_text, NULL},
                                   {"failed", &failed, NULL},
                                   {"metrics", &metrics_text, NULL},
                                   {"seconds", &seconds_text, NULL},
                                   {NULL, NULL, NULL}};
    int rc = cli_parse(cmd, argc, argv, opts, pos, 1, &n_pos, tell_help);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    if (n_pos != 1)
        return cli_usage_error(cmd, "expected one study file");
    if (!trial_text)
        return cli_usage_error(cmd, "--trial N is required");
    if (failed && (value_text || metrics_text))
        return cli_usage_error(cmd, "--failed takes no --value or --metrics");
    if (!failed && !value_text && !metrics_text)
        return cli_usage_error(cmd, "give --value X (or --metrics with the objective), or "
                                    "--failed REASON");
    double trial, value = NAN, seconds = NAN;
    if ((rc = cli_parse_count(cmd, "trial", trial_text, 0, 2147483647.0, &trial)) ||
        (value_text && (rc = parse_real(cmd, "value", value_text, &value))) ||
        (seconds_text && (rc = parse_real(cmd, "seconds", seconds_text, &seconds))))
        return rc;
    cJSON *metrics = NULL;
    size_t n_metrics = 0;
    if (metrics_text) {
        metrics = cJSON_Parse(metrics_text);
        if (!cJSON_IsObject(metrics)) {
            cJSON_Delete(metrics);
            return cli_usage_error(cmd, "--metrics: expected a JSON object of numbers, e.g. "
                                        "'{\"seconds\": 12.5}'");
        }
        for (const cJSON *m = metrics->child; m; m = m->next, n_metrics++)
            if (!cJSON_IsNumber(m) || !isfinite(m->valuedouble) || !*m->string) {
                rc = cli_usage_error(cmd, "--metrics.%s: expected a finite number", m->string);
                cJSON_Delete(metrics);
                return rc;
            }
    }
    const char **names = calloc(n_metrics + 1, sizeof *names);
    double *values = calloc(n_metrics + 1, sizeof *values);
    struct tune_study_config *cfg = NULL;
    struct tune_store *store = NULL;
    struct tune_study *study = NULL;
    struct tune_error err = {0};
    if (!names || !values) {
        rc = tune_error_set(&err, TUNE_ENOMEM, "out of memory"), cli_fail(cmd, &err);
        goto done;
    }
    size_t k = 0;
    for (const cJSON *m = metrics ? metrics->child : NULL; m; m = m->next, k++) {
        names[k] = m->string;
        values[k] = m->valuedouble;
    }
    if ((rc = open_ask_tell(cmd, pos[0], db, &cfg, &store, &study)))
        goto done;
    struct tune_tell t = {.state = failed ? TUNE_TRIAL_FAILED : TUNE_TRIAL_COMPLETE,
                          .value = value,
                          .error = failed,
                          .n_metrics = n_metrics,
                          .metric_names = names,
                          .metric_values = values,
                          .seconds = seconds};
    if (tune_study_tell(study, (int)trial, &t, &err)) {
        rc = cli_fail(cmd, &err);
        goto done;
    }
    printf("trial %d of study '%s': %s\n", (int)trial, cfg->name,
           failed ? "FAILED" : "COMPLETE");
    rc = CLI_OK;
done:
    free(names);
    free(values);
    cJSON_Delete(metrics);
    tune_study_close(study);
    tune_store_close(store);
    tune_config_free(cfg);
    return rc;
}
