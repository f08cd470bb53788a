/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli/model.c — `tunefold model`: what a model file is, where it came from
 * and how well it is expected to do, for people (a table) or for scripts
 * (--format json).  Loading it checks the whole file, so this is also the
 * way to verify a model file. */
#include "cli.h"
#include "tunefold/model.h"

#include <math.h>
#include <string.h>
#include <time.h>

static const char model_help[] =
    "Usage: tunefold model MODEL [--format F]\n"
    "\n"
    "Show what a model file written by 'tunefold fit' holds: the task and\n"
    "classes, the trainer and its parameters, the study and trial it came from,\n"
    "the training data (path, rows, SHA-256: compare with 'sha256sum'), the\n"
    "input columns a CSV must have for 'tunefold predict', the preprocessing,\n"
    "and the cross-validated scores of its trial. The whole file is checked\n"
    "(checksum, every section): a damaged model is exit 2.\n"
    "\n"
    "Options:\n"
    "  --format F     table (default) or json\n"
    "  -h, --help     show this help\n"
    "\n"
    "Example:\n"
    "  tunefold model bc.tfm\n"
    "  tunefold model bc.tfm --format json\n";

static const char *cmd = "model";

static void put_num(double v)
{
    char buf[40];
    if (!isfinite(v)) {
        fputs("null", stdout);
        return;
    }
    cli_fmt_double(buf, sizeof buf, v);
    fputs(buf, stdout);
}

static void utc(double t, char *buf, size_t len)
{
    time_t s = (time_t)t;
    struct tm tm;
    if (!isfinite(t) || !gmtime_r(&s, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm))
        snprintf(buf, len, "?");
}

static void print_json(const struct tune_model *m, const struct tune_model_info *mi,
                       const char *path)
{
    char when[64];
    utc(mi->created, when, sizeof when);
    printf("{\"file\": ");
    cli_print_json_string(stdout, path);
    printf(", \"format\": %u, \"tunefold_version\": ", mi->format);
    cli_print_json_string(stdout, mi->tunefold_version);
    printf(", \"created\": ");
    cli_print_json_string(stdout, when);
    printf(", \"task\": \"%s\", \"classes\": [", tune_task_name(mi->task));
    for (size_t k = 0; k < mi->n_classes; k++) {
        printf(k ? ", " : "");
        cli_print_json_string(stdout, tune_model_class_name(m, k));
    }
    printf("], \"trainer\": ");
    cli_print_json_string(stdout, mi->trainer);
    if (mi->trainer_detail[0]) {
        printf(", \"program\": ");
        cli_print_json_string(stdout, mi->trainer_detail);
    }
    printf(", \"params\": {");
    for (size_t i = 0; i < tune_model_n_params(m); i++) {
        const char *name, *text;
        tune_model_param(m, i, &name, &text);
        printf(i ? ", " : "");
        cli_print_json_string(stdout, name);
        printf(": ");
        cli_print_json_string(stdout, text);
    }
    printf("}, \"study\": ");
    cli_print_json_string(stdout, mi->study);
    printf(", \"trial\": %d, \"trial_params\": %s, \"metric\": ", mi->trial,
           mi->params_json && *mi->params_json ? mi->params_json : "{}");
    cli_print_json_string(stdout, mi->metric);
    printf(", \"direction\": \"%s\", \"value\": ", mi->maximize ? "maximize" : "minimize");
    put_num(mi->value);
    printf(", \"value_std\": ");
    put_num(mi->value_std);
    printf(", \"metrics\": {");
    for (size_t i = 0; i < mi->n_metrics; i++) {
        const struct tune_model_metric *mt = &mi->metrics[i];
        printf(i ? ", " : "");
        cli_print_json_string(stdout, mt->name);
        printf(": {\"mean\": ");
        put_num(mt->mean);
        printf(", \"std\": ");
        put_num(mt->std);
        printf(", \"folds\": %zu}", mt->n_folds);
    }
    printf("}, \"data\": {\"path\": ");
    cli_print_json_string(stdout, mi->data_path);
    printf(", \"sha256\": \"%s\", \"rows\": %zu, \"target\": ", mi->data_sha256, mi->n_rows);
    cli_print_json_string(stdout, mi->target);
    printf("}, \"fit_seconds\": ");
    put_num(mi->fit_seconds);
    printf(", \"preprocess\": {\"impute\": \"%s\", \"scale\": \"%s\", \"one_hot\": %s}",
           tune_impute_name(mi->prep.impute), tune_scale_name(mi->prep.scale),
           mi->prep.one_hot ? "true" : "false");
    printf(", \"inputs\": [");
    for (size_t j = 0; j < mi->n_inputs; j++) {
        printf(j ? ", " : "");
        printf("{\"name\": ");
        cli_print_json_string(stdout, tune_model_input_name(m, j));
        if (tune_model_input_is_categorical(m, j)) {
            printf(", \"levels\": [");
            for (size_t l = 0; l < tune_model_input_n_levels(m, j); l++) {
                printf(l ? ", " : "");
                cli_print_json_string(stdout, tune_model_input_level(m, j, l));
            }
            printf("]");
        }
        printf("}");
    }
    printf("], \"features\": %zu}\n", mi->n_features);
}

static void print_table(const struct tune_model *m, const struct tune_model_info *mi,
                        const char *path)
{
    char when[64];
    utc(mi->created, when, sizeof when);
    printf("%s: a tunefold model (format %u, written by tunefold %s on %s)\n", path, mi->format,
           mi->tunefold_version, when);
    printf("  task        %s", tune_task_name(mi->task));
    for (size_t k = 0; k < mi->n_classes; k++)
        printf("%s%s", k ? ", " : " (classes: ", tune_model_class_name(m, k));
    printf("%s\n", mi->n_classes ? ")" : "");
    printf("  trainer     %s%s%s\n", mi->trainer, mi->trainer_detail[0] ? ": " : "",
           mi->trainer_detail);
    printf("  params     ");
    for (size_t i = 0; i < tune_model_n_params(m); i++) {
        const char *name, *text;
        tune_model_param(m, i, &name, &text);
        printf(" %s=%s", name, text);
    }
    printf("\n  from        study '%s', trial %d\n", mi->study, mi->trial);
    printf("  data        %s: %zu rows, target '%s'\n", mi->data_path, mi->n_rows, mi->target);
    printf("  sha256      %s\n", mi->data_sha256);
    printf("  inputs      %zu columns:", mi->n_inputs);
    for (size_t j = 0; j < mi->n_inputs; j++) {
        printf("%s%s", j ? ", " : " ", tune_model_input_name(m, j));
        if (tune_model_input_is_categorical(m, j))
            printf(" (%zu levels)", tune_model_input_n_levels(m, j));
    }
    printf("\n  preprocess  impute %s, scale %s, one-hot %s: %zu features\n",
           tune_impute_name(mi->prep.impute), tune_scale_name(mi->prep.scale),
           mi->prep.one_hot ? "yes" : "no", mi->n_features);
    printf("  fitted in   %.3g s\n", mi->fit_seconds);
    size_t folds = 0;
    for (size_t i = 0; i < mi->n_metrics; i++)
        folds = mi->metrics[i].n_folds > folds ? mi->metrics[i].n_folds : folds;
    printf("  cross-validated (%zu folds; objective %s, %s):\n", folds, mi->metric,
           mi->maximize ? "maximize" : "minimize");
    printf("    %-22s %-12s %s\n", "metric", "mean", "std");
    for (size_t i = 0; i < mi->n_metrics; i++)
        printf("    %-22s %-12.6g %.4g\n", mi->metrics[i].name, mi->metrics[i].mean,
               mi->metrics[i].std);
}

int cli_model(int argc, char **argv)
{
    const char *pos[1], *format = "table";
    size_t n_pos;
    const struct cli_opt opts[] = {{"format", &format, NULL}, {NULL, NULL, NULL}};
    int rc = cli_parse(cmd, argc, argv, opts, pos, 1, &n_pos, model_help);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    if (n_pos != 1)
        return cli_usage_error(cmd, "needs the model file: tunefold model MODEL");
    if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
        return cli_usage_error(cmd, "--format: expected table or json, got '%s'", format);
    struct tune_error err = {0};
    struct tune_model *m = NULL;
    if (tune_model_load(pos[0], NULL, &m, &err))
        return cli_fail(cmd, &err);
    struct tune_model_info mi;
    tune_model_get_info(m, &mi);
    if (strcmp(format, "json") == 0)
        print_json(m, &mi, pos[0]);
    else
        print_table(m, &mi, pos[0]);
    tune_model_free(m);
    return CLI_OK;
}
