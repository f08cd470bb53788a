/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli/fit.c — `tunefold fit`: refit a stored study's best trial (or any
 * complete trial) on every row and write the model file.
 *
 * The study file gives the data, the preprocessing and the trainer; the
 * store gives the trial's parameters and cross-validated scores.  The two
 * must describe the same study: a study file edited since the study ran
 * would refit something that was never evaluated, so it is refused. */
#include "cli.h"
#include "tunefold/config.h"
#include "tunefold/model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char fit_help[] =
    "Usage: tunefold fit STUDY.json --out MODEL [OPTIONS]\n"
    "\n"
    "Refit the best trial of a stored study (or trial N) on every row of its\n"
    "data and write the model to a file: the study's preprocessing fitted on\n"
    "all rows, the trainer with the trial's parameters and a seed derived from\n"
    "the study's (so fitting again gives the same model). The model keeps the\n"
    "trial's cross-validated scores: they are the estimate of how it will do\n"
    "on new rows. Use it with 'tunefold predict' or from C (tunefold/model.h);\n"
    "'tunefold model' shows what a model file holds.\n"
    "\n"
    "Options:\n"
    "  --out FILE     the model file to write (required; replaced if it exists)\n"
    "  --trial N      refit trial N (default: the best complete trial)\n"
    "  --db URL       the store (default: the study's \"storage\", else\n"
    "                 ./tunefold.db)\n"
    "  --name NAME    the study's name in the store, when 'tunefold run --name'\n"
    "                 gave it one (default: the file's \"name\")\n"
    "  --threads N    threads the trainer may use (default: every core)\n"
    "  -h, --help     show this help\n"
    "\n"
    "Prints the trial, the training time and the cross-validated scores the\n"
    "model comes with. An external program takes part when it saves its model\n"
    "in TUNEFOLD_MODEL_DIR (README: External trainers, saving a model); if it\n"
    "does not, fit says so (exit 2). A score-mode study has no model to fit.\n"
    "\n"
    "Example:\n"
    "  tunefold run examples/breast_cancer_logistic.json\n"
    "  tunefold fit examples/breast_cancer_logistic.json --out bc.tfm\n"
    "  tunefold predict bc.tfm --data data/breast_cancer.csv --out pred.csv\n";

static const char *cmd = "fit";

/* A plain path (no "scheme:") that does not exist: refuse rather than let
 * the store create an empty database. */
static int store_missing(const char *url)
{
    const char *colon = strchr(url, ':');
    const char *path = url;
    if (colon && strncmp(url, "sqlite:", 7) == 0)
        path = url + 7;
    else if (colon && colon > url && !strchr(url, '/'))
        return 0; /* another scheme: the store decides */
    struct stat st;
    return stat(path, &st) != 0;
}

/* Does the stored study have the file's configuration?  A run with --seed
 * stored another seed: try the stored one before calling them different. */
static int same_study(struct tune_store *store, const struct tune_study_info *info,
                      struct tune_study_config *cfg)
{
    if (strcmp(info->config_json, cfg->canonical) == 0)
        return 1;
    char *seed = NULL;
    struct tune_error err = {0};
    if (tune_store_study_get_attr(store, info->id, "seed", &seed, &err) != TUNE_OK)
        return 0;
    char *end;
    unsigned long long s = strtoull(seed, &end, 10);
    int ok = *seed && !*end && tune_config_set_seed(cfg, (uint64_t)s, &err) == TUNE_OK &&
             strcmp(info->config_json, cfg->canonical) == 0;
    free(seed);
    return ok;
}

static void print_metric(const struct tune_model_metric *mt, int objective, int maximize)
{
    printf("  %-22s %-12.6g", mt->name, mt->mean);
    if (isfinite(mt->std))
        printf(" ± %-10.3g", mt->std);
    else
        printf("   %-10s", "");
    if (objective)
        printf(" (objective, %s)", maximize ? "maximize" : "minimize");
    printf("\n");
}

int cli_fit(int argc, char **argv)
{
    const char *pos[1], *out = NULL, *trial_text = NULL, *db = NULL, *name = NULL,
               *threads_text = NULL;
    size_t n_pos;
    const struct cli_opt opts[] = {{"out", &out, NULL},         {"trial", &trial_text, NULL},
                                   {"db", &db, NULL},           {"name", &name, NULL},
                                   {"threads", &threads_text, NULL}, {NULL, NULL, NULL}};
    int rc = cli_parse(cmd, argc, argv, opts, pos, 1, &n_pos, fit_help);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    if (n_pos != 1)
        return cli_usage_error(cmd, "needs the study file: tunefold fit STUDY.json --out MODEL");
    if (!out || !*out)
        return cli_usage_error(cmd, "needs --out FILE, the model file to write");
    double trial_number = -1, threads = 0;
    if (trial_text && (rc = cli_parse_count(cmd, "trial", trial_text, 0, 2147483647.0,
                                            &trial_number)))
        return rc;
    if (threads_text && (rc = cli_parse_count(cmd, "threads", threads_text, 1, 4096, &threads)))
        return rc;

    struct tune_error err = {0};
    struct tune_study_config *cfg = NULL;
    struct tune_store *store = NULL;
    struct tune_study_info info = {0};
    struct tune_trial trial = {0};
    struct tune_model *model = NULL;
    if (tune_config_load(pos[0], &cfg, &err))
        return cli_fail(cmd, &err);
    if (name) {
        char *copy = *name ? strdup(name) : NULL;
        if (!copy) {
            rc = cli_usage_error(cmd, "--name: give a non-empty study name");
            goto done;
        }
        free(cfg->name);
        cfg->name = copy;
    }
    const char *url = db ? db : cfg->storage;
    if (store_missing(url)) {
        rc = cli_usage_error(cmd, "no database '%s' (run the study first: tunefold run %s)",
                             url, pos[0]);
        goto done;
    }
    if (tune_store_open(url, &store, &err)) {
        rc = cli_fail(cmd, &err);
        goto done;
    }
    rc = tune_store_study_find(store, cfg->name, &info, &err);
    if (rc == TUNE_ENOTFOUND) {
        fprintf(stderr, "tunefold fit: no study '%s' in %s (run it first: tunefold run %s)\n",
                cfg->name, url, pos[0]);
        rc = CLI_USAGE;
        goto done;
    }
    if (rc) {
        rc = cli_fail(cmd, &err);
        goto done;
    }
    if (!same_study(store, &info, cfg)) {
        fprintf(stderr,
                "tunefold fit: study '%s' in %s ran with another configuration than %s (the "
                "file changed since?); refitting needs the study as it ran\n",
                cfg->name, url, pos[0]);
        rc = CLI_USAGE;
        goto done;
    }
    if (trial_number >= 0) {
        rc = tune_store_trial_get(store, info.id, (int)trial_number, &trial, &err);
        if (rc == TUNE_ENOTFOUND)
            tune_error_set(&err, TUNE_ENOTFOUND, "study '%s' has no trial %.0f", info.name,
                           trial_number);
    } else {
        rc = tune_store_trial_best(store, info.id, &trial, &err);
        if (rc == TUNE_ENOTFOUND)
            tune_error_set(&err, TUNE_ENOTFOUND, "study '%s' has no complete trial to fit yet",
                           info.name);
    }
    if (rc) {
        rc = cli_fail(cmd, &err);
        goto done;
    }
    cli_catch_signals();
    struct tune_model_fit_options fo = {.n_threads = (size_t)threads, .cancel = &cli_cancelled};
    rc = tune_model_fit(cfg, &info, &trial, &fo, &model, &err);
    if (rc == TUNE_EUNSUPPORTED) {
        fprintf(stderr, "tunefold fit: %s\n", err.msg);
        rc = CLI_USAGE;
        goto done;
    }
    if (rc) {
        rc = cli_fail(cmd, &err);
        goto done;
    }
    if (tune_model_save(model, out, &err)) {
        rc = cli_fail(cmd, &err);
        goto done;
    }
    struct tune_model_info mi;
    tune_model_get_info(model, &mi);
    struct stat st;
    double kib = stat(out, &st) == 0 ? (double)st.st_size / 1024.0 : NAN;
    printf("fitted trial %d of study '%s' (%s, %s) on %zu rows, %zu columns in %.3g s\n",
           mi.trial, mi.study, mi.trainer, tune_task_name(mi.task), mi.n_rows, mi.n_inputs,
           mi.fit_seconds);
    printf("params  %s\n", mi.params_json && *mi.params_json ? mi.params_json : "{}");
    size_t folds = 0;
    for (size_t i = 0; i < mi.n_metrics; i++)
        folds = mi.metrics[i].n_folds > folds ? mi.metrics[i].n_folds : folds;
    printf("cross-validated scores the model comes with (%zu folds, mean ± std):\n", folds);
    for (size_t i = 0; i < mi.n_metrics; i++)
        if (strcmp(mi.metrics[i].name, mi.metric) == 0)
            print_metric(&mi.metrics[i], 1, mi.maximize);
    for (size_t i = 0; i < mi.n_metrics; i++)
        if (strcmp(mi.metrics[i].name, mi.metric) != 0)
            print_metric(&mi.metrics[i], 0, 0);
    printf("wrote %s (%.1f KiB)\n", out, kib);
    rc = CLI_OK;
done:
    tune_model_free(model);
    tune_trial_release(&trial);
    tune_study_info_release(&info);
    tune_store_close(store);
    tune_config_free(cfg);
    return rc;
}
