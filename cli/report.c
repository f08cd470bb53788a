/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cli/report.c — the picture commands: `tunefold report`, `tunefold compare`,
 * `tunefold learning-curve` and `tunefold elbow`.
 *
 * The library writes the data, scripts, images and pages (reports/); this
 * file parses options, prints the tables and the closing lines, and picks
 * exit codes.  Without gnuplot the data and scripts are still written, one
 * line on stderr says how to draw them, and the exit status is 0.  The
 * executable is `gnuplot` from PATH, or $TUNEFOLD_GNUPLOT. */
#include "cli.h"
#include "tunefold/config.h"
#include "tunefold/report.h"
#include "tunefold/study.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char report_help[] =
    "Usage: tunefold report [OPTIONS]\n"
    "\n"
    "Draw a stored study: ROC and precision-recall curves of the best trial (one\n"
    "line per fold, the mean, the chance line, AUC mean ± std), its confusion\n"
    "matrix, predicted-against-true values (regression), its clusters' sizes,\n"
    "silhouettes and principal-component projection (clustering), feature\n"
    "importances (when the trainer gives them), the optimization history, the\n"
    "objective per number of clusters, the intermediate values of iterative\n"
    "trainers, the objective against each searched parameter, which\n"
    "hyperparameters matter (fANOVA over a random-forest surrogate:\n"
    "param_importance.csv) with the contours of the pairs that matter most,\n"
    "every trial in parallel coordinates, and a timeline of the workers; and\n"
    "index.html, one page with every picture and the tables, readable offline.\n"
    "Nothing is retrained: the pictures come from the stored trials and what the\n"
    "best trial stored (its out-of-fold predictions, a clustering's rows).\n"
    "\n"
    "Options:\n"
    "  --db PATH      SQLite file or postgresql:// URL (default ./tunefold.db)\n"
    "  --study NAME   the study (default: the only study in the database)\n"
    "  --out DIR      output folder (default report-NAME)\n"
    "  --image F      png (default) or svg\n"
    "  -h, --help     show this help\n"
    "\n"
    "Beside each picture are its data (NAME.dat) and gnuplot script (NAME.gp):\n"
    "`gnuplot NAME.gp` in the folder redraws it. gnuplot is taken from PATH, or\n"
    "from $TUNEFOLD_GNUPLOT; without it the data and scripts are still written.\n";

static const char compare_help[] =
    "Usage: tunefold compare STUDY_NAME... [OPTIONS]\n"
    "\n"
    "Compare stored studies on the same data: the best score ± std of each, the\n"
    "mean fit and predict seconds per fold of that trial, the total tuning time,\n"
    "trials run and failed; a cost-against-quality scatter of every complete\n"
    "trial with the Pareto front; the distribution of the metric over each\n"
    "study's trials (edf.png); and, for studies evaluated on the same folds\n"
    "(same data, seed and cv), the p-values of paired tests between the best\n"
    "trials of each pair: the corrected resampled t-test (Nadeau & Bengio) and\n"
    "the Wilcoxon signed-rank test on the per-fold scores.\n"
    "\n"
    "Options:\n"
    "  --db PATH      SQLite file or postgresql:// URL (default ./tunefold.db)\n"
    "  --metric NAME  the metric compared (default: the first study's objective)\n"
    "  --out DIR      output folder for compare.png, compare.html, compare.csv\n"
    "                 (default compare)\n"
    "  --image F      png (default) or svg\n"
    "  -h, --help     show this help\n";

static const char lc_help[] =
    "Usage: tunefold learning-curve STUDY.json [OPTIONS]\n"
    "\n"
    "Cross-validated training and validation scores against the training-set\n"
    "size, on the study's folds, with mean ± std bands, and a one-line\n"
    "diagnosis (high bias, high variance, good fit). Each training fold is cut\n"
    "to each size by a seeded, nested, class-stratified subsample; each point\n"
    "is one fit per fold, scored on its own training rows and on the fold's\n"
    "validation rows.\n"
    "\n"
    "Options:\n"
    "  --params JSON  hyperparameters (default: the best trial's, when the study\n"
    "                 is stored in the database; else the study's fixed params)\n"
    "  --sizes LIST   fractions of each training fold (default 0.1,0.3,0.5,0.7,1.0)\n"
    "  --db PATH      SQLite file or postgresql:// URL with the best trial (default:\n"
    "                 the study's \"storage\"); never created\n"
    "  --out DIR      output folder (default learning-curve-NAME)\n"
    "  --image F      png (default) or svg\n"
    "  -h, --help     show this help\n";

static const char elbow_help[] =
    "Usage: tunefold elbow --data CSV [OPTIONS]\n"
    "\n"
    "k-means inertia against k = 1..N with the elbow found by the Kneedle method\n"
    "(Satopää et al. 2011) marked, and the mean silhouette against k beside it.\n"
    "Uses the CSV's numeric columns; rows with a missing value are left out.\n"
    "\n"
    "Options:\n"
    "  --data CSV     the data (required)\n"
    "  --delimiter C  the CSV's field separator: one character, or tab (default ,)\n"
    "  --k-max N      largest k, 2..1000 (default 10)\n"
    "  --drop LIST    columns to leave out, comma-separated (e.g. target)\n"
    "  --scale S      standard (default: each column to mean 0, std 1) or none\n"
    "  --n-init N     k-means++ runs per k, the best kept (default 10)\n"
    "  --seed N       seed (default 0)\n"
    "  --out DIR      output folder (default elbow)\n"
    "  --image F      png (default) or svg\n"
    "  -h, --help     show this help\n";

/* --image png|svg. */
static int parse_image(const char *cmd, const char *text, enum tune_image_format *f)
{
    if (!text || strcmp(text, "png") == 0) {
        *f = TUNE_IMAGE_PNG;
        return CLI_OK;
    }
    if (strcmp(text, "svg") == 0) {
        *f = TUNE_IMAGE_SVG;
        return CLI_OK;
    }
    return cli_usage_error(cmd, "--image: expected png or svg, got '%s'", text);
}

static const char *gnuplot_exe(void)
{
    const char *g = getenv("TUNEFOLD_GNUPLOT");
    return g && *g ? g : "gnuplot";
}

/* The closing lines: where the files are, and how to draw them without
 * gnuplot.  Returns the exit code for a finished report. */
static int finish(const char *cmd, const struct tune_plot_opts *o,
                  const struct tune_plot_log *log, const char *main_file)
{
    if (log->gnuplot_missing) {
        fprintf(stderr,
                "tunefold %s: gnuplot could not be started (%s); the data and scripts are in "
                "%s: install gnuplot and run there: for f in *.gp; do gnuplot \"$f\"; done\n",
                cmd, log->missing_reason, o->out_dir);
    } else if (log->n_warnings) {
        fprintf(stderr, "tunefold %s: gnuplot warned: %s\n", cmd, log->first_warning);
    }
    printf("wrote %s/%s", o->out_dir, main_file);
    if (log->n_images)
        printf(" and %zu picture%s (%zu drawn)", log->n_images, log->n_images == 1 ? "" : "s",
               log->n_rendered);
    printf("\n");
    return CLI_OK;
}

int cli_report(int argc, char **argv)
{
    const char *cmd = "report", *db = NULL, *name = NULL, *out = NULL, *image = NULL, *pos[1];
    size_t n_pos;
    const struct cli_opt opts[] = {{"db", &db, NULL},
                                   {"study", &name, NULL},
                                   {"out", &out, NULL},
                                   {"image", &image, NULL},
                                   {NULL, NULL, NULL}};
    int rc = cli_parse(cmd, argc, argv, opts, pos, 0, &n_pos, report_help);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    struct tune_plot_opts po = {.gnuplot = gnuplot_exe()};
    if ((rc = parse_image(cmd, image, &po.format)))
        return rc;
    struct tune_store *store = NULL;
    struct tune_study_info info = {0};
    if ((rc = cli_open_study(cmd, db, name, &store, &info)))
        return rc;
    char dflt[300];
    if (!out) {
        char part[201];
        tune_report_file_part(info.name, part, 200);
        snprintf(dflt, sizeof dflt, "report-%s", part);
        out = dflt;
    }
    po.out_dir = out;
    struct tune_plot_log log = {0};
    struct tune_error err = {0};
    rc = tune_report_study(store, &info, &po, &log, &err);
    if (rc == TUNE_ENOTFOUND) {
        finish(cmd, &po, &log, "index.html");
        fprintf(stderr, "tunefold report: %s; the page shows the failures\n", err.msg);
        rc = CLI_FAILED;
    } else if (rc) {
        rc = cli_fail(cmd, &err);
        if (rc == CLI_USAGE)
            rc = CLI_FAILED; /* the study exists: a bad stored artifact is not a usage error */
    } else {
        rc = finish(cmd, &po, &log, "index.html");
    }
    tune_plot_log_release(&log);
    tune_study_info_release(&info);
    tune_store_close(store);
    return rc;
}

/* Print s left-aligned in `width` columns (UTF-8: continuation bytes take
 * no column), cut to the width. */
static void put_text(const char *s, int width)
{
    int cols = 0;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if ((*c & 0xc0) == 0x80) {
            putchar(*c);
            continue;
        }
        if (cols == width)
            break;
        putchar(*c);
        cols++;
    }
    for (; cols < width; cols++)
        putchar(' ');
}

/* A table cell number: 6 significant digits, "-" for NAN. */
static void put_cell(double v, int width)
{
    char buf[64];
    if (isnan(v))
        snprintf(buf, sizeof buf, "-");
    else
        snprintf(buf, sizeof buf, "%.6g", v);
    put_text(buf, width);
}

int cli_compare(int argc, char **argv)
{
    const char *cmd = "compare", *db = NULL, *out = "compare", *image = NULL, *metric = NULL,
               *pos[256];
    size_t n_pos;
    const struct cli_opt opts[] = {{"db", &db, NULL},
                                   {"out", &out, NULL},
                                   {"image", &image, NULL},
                                   {"metric", &metric, NULL},
                                   {NULL, NULL, NULL}};
    int rc = cli_parse(cmd, argc, argv, opts, pos, 256, &n_pos, compare_help);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    if (n_pos < 1)
        return cli_usage_error(cmd, "expected one or more study names");
    struct tune_plot_opts po = {.gnuplot = gnuplot_exe(), .out_dir = out};
    if ((rc = parse_image(cmd, image, &po.format)))
        return rc;
    struct tune_store *store = NULL;
    struct tune_study_info *infos = calloc(n_pos, sizeof *infos);
    struct tune_error err = {0};
    struct tune_compare c = {0};
    struct tune_plot_log log = {0};
    if (!infos)
        return CLI_FAILED;
    if ((rc = cli_open_study(cmd, db, pos[0], &store, &infos[0])))
        goto done;
    for (size_t i = 1; i < n_pos; i++) {
        int frc = tune_store_study_find(store, pos[i], &infos[i], &err);
        if (frc == TUNE_ENOTFOUND)
            tune_error_set(&err, TUNE_ENOTFOUND, "no study '%s' in %s", pos[i],
                           db ? db : "tunefold.db");
        if (frc) {
            rc = cli_fail(cmd, &err);
            goto done;
        }
    }
    if (tune_compare_load(store, infos, n_pos, metric, &c, &err)) {
        rc = cli_fail(cmd, &err);
        goto done;
    }
    if (tune_compare_write(&c, &po, &log, &err)) {
        rc = cli_fail(cmd, &err);
        if (rc == CLI_USAGE)
            rc = CLI_FAILED;
        goto done;
    }
    int w = 5;
    for (size_t i = 0; i < c.n; i++) {
        int len = (int)strlen(c.entries[i].study);
        w = len > w ? len : w;
    }
    w = w > 40 ? 40 : w;
    printf("%s (%s), best trial of each study\n", c.metric,
           c.maximize ? "higher is better" : "lower is better");
    put_text("study", w);
    printf("  %5s  ", "trial");
    put_text("mean ± std", 22);
    printf("  %-11s  %-11s  %-10s  %6s  %6s  %s\n", "fit s/fold", "pred s/fold", "tuning s",
           "trials", "failed", "trainer");
    size_t no_complete = 0;
    for (size_t i = 0; i < c.n; i++) {
        const struct tune_compare_entry *e = &c.entries[i];
        char score[64] = "-", trial[16] = "-";
        if (e->best_number >= 0) {
            snprintf(score, sizeof score, "%.6g ± %.3g", e->value, e->value_std);
            snprintf(trial, sizeof trial, "%d", e->best_number);
        } else {
            no_complete++;
        }
        put_text(e->study, w);
        printf("  %5s  ", trial);
        put_text(score, 22);
        printf("  ");
        put_cell(e->fit_seconds, 11);
        printf("  ");
        put_cell(e->predict_seconds, 11);
        printf("  ");
        put_cell(e->tuning_seconds, 10);
        printf("  %6zu  %6zu  %s\n", e->n_trials, e->n_failed, e->trainer ? e->trainer : "-");
    }
    for (size_t i = 0; i < c.n_pairs; i++) {
        const struct tune_compare_pair *p = &c.pairs[i];
        const char *a = c.entries[p->a].study, *b = c.entries[p->b].study;
        if (!p->same_folds)
            printf("%s vs %s: not evaluated on the same folds (data, seed or cv differ): no "
                   "paired test\n",
                   a, b);
        else
            printf("%s vs %s: mean difference %.4g, p = %.3g (corrected t-test), p = %.3g "
                   "(Wilcoxon)\n",
                   a, b, p->mean_difference, p->p_ttest, p->p_wilcoxon);
    }
    rc = finish(cmd, &po, &log, "compare.html");
    if (no_complete == c.n) {
        fprintf(stderr, "tunefold compare: no study has a complete trial\n");
        rc = CLI_FAILED;
    }
done:
    tune_compare_release(&c);
    tune_plot_log_release(&log);
    for (size_t i = 0; i < n_pos; i++)
        tune_study_info_release(&infos[i]);
    free(infos);
    tune_store_close(store);
    return rc;
}

/* "0.1,0.3,1" into a malloc'ed array. */
static int parse_sizes(const char *cmd, const char *text, double **out, size_t *n)
{
    size_t cap = 1;
    for (const char *c = text; *c; c++)
        cap += *c == ',';
    double *v = malloc(cap * sizeof *v);
    if (!v)
        return CLI_FAILED;
    *n = 0;
    const char *p = text;
    for (;;) {
        char *end;
        double x = strtod(p, &end);
        if (end == p || (*end && *end != ',') || !(x > 0 && x <= 1)) {
            free(v);
            return cli_usage_error(cmd, "--sizes: expected fractions in (0, 1] separated by "
                                        "commas, got '%s'",
                                   text);
        }
        v[(*n)++] = x;
        if (!*end)
            break;
        p = end + 1;
    }
    *out = v;
    return CLI_OK;
}

/* The params of the stored best trial of the study into *params, or NULL
 * (no database, no such study, no complete trial).  A stored study whose
 * data was another file than `ds` is refused: its best params were tuned
 * on other data. */
static int stored_best_params(const char *db, const struct tune_study_config *cfg,
                              const struct tune_dataset *ds, char **params, int *number,
                              struct tune_error *err)
{
    *params = NULL;
    FILE *f = cli_is_server_url(db) ? NULL : fopen(db, "rb"); /* never create a file here */
    if (!f && !cli_is_server_url(db))
        return TUNE_OK;
    if (f)
        fclose(f);
    struct tune_store *store = NULL;
    struct tune_study_info info = {0};
    struct tune_trial best = {0};
    struct tune_error ignored = {0};
    int rc = TUNE_OK;
    if (tune_store_open(db, &store, &ignored) == TUNE_OK &&
        tune_store_study_find(store, cfg->name, &info, &ignored) == TUNE_OK) {
        if (ds)
            rc = tune_study_check_data(store, &info, ds, cfg->data_path, err);
        if (!rc && tune_store_trial_best(store, info.id, &best, &ignored) == TUNE_OK &&
            best.params_json) {
            *params = strdup(best.params_json);
            *number = best.number;
        }
    }
    tune_trial_release(&best);
    tune_study_info_release(&info);
    tune_store_close(store);
    return rc;
}

int cli_learning_curve(int argc, char **argv)
{
    const char *cmd = "learning-curve", *db = NULL, *params = NULL, *sizes_text = NULL,
               *out = NULL, *image = NULL, *pos[1];
    size_t n_pos;
    const struct cli_opt opts[] = {{"db", &db, NULL},         {"params", &params, NULL},
                                   {"sizes", &sizes_text, NULL}, {"out", &out, NULL},
                                   {"image", &image, NULL},   {NULL, NULL, NULL}};
    int rc = cli_parse(cmd, argc, argv, opts, pos, 1, &n_pos, lc_help);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    if (n_pos != 1)
        return cli_usage_error(cmd, "expected one study file");
    struct tune_plot_opts po = {.gnuplot = gnuplot_exe()};
    if ((rc = parse_image(cmd, image, &po.format)))
        return rc;
    double *sizes = NULL;
    size_t n_sizes = 0;
    if ((rc = parse_sizes(cmd, sizes_text ? sizes_text : "0.1,0.3,0.5,0.7,1.0", &sizes,
                          &n_sizes)))
        return rc;
    struct tune_study_config *cfg = NULL;
    struct tune_dataset *ds = NULL;
    struct tune_learning_curve lc = {0};
    struct tune_plot_log log = {0};
    struct tune_error err = {0};
    char *best_params = NULL, dflt[300];
    /* a score-mode study has no data: the library says so in words */
    if (tune_config_load(pos[0], &cfg, &err) ||
        (!cfg->score_mode &&
         tune_dataset_load_opts(cfg->data_path, cfg->target, cfg->task, &cfg->csv, &ds,
                                &err)) ||
        (cfg->score_mode &&
         tune_learning_curve_compute(cfg, NULL, NULL, NULL, 0, &lc, &err))) {
        rc = cli_fail(cmd, &err);
        goto done;
    }
    int number = -1;
    if (stored_best_params(db ? db : cfg->storage, cfg, ds, &best_params, &number, &err)) {
        rc = cli_fail(cmd, &err);
        goto done;
    }
    if (!params) {
        if (best_params) {
            fprintf(stderr, "tunefold learning-curve: the params of best trial #%d of study "
                            "'%s': %s\n",
                    number, cfg->name, best_params);
            params = best_params;
        }
    }
    if (!out) {
        char part[201];
        tune_report_file_part(cfg->name, part, 200);
        snprintf(dflt, sizeof dflt, "learning-curve-%s", part);
        out = dflt;
    }
    po.out_dir = out;
    if (tune_learning_curve_compute(cfg, ds, params, sizes, n_sizes, &lc, &err)) {
        rc = cli_fail(cmd, &err);
        goto done;
    }
    printf("learning curve of study '%s': %s (%s), %zu folds, params %s\n", cfg->name,
           lc.metric, lc.maximize ? "higher is better" : "lower is better", lc.n_folds,
           params ? params : "{} (fixed params and trainer defaults)");
    printf("%-9s %-8s ", "fraction", "rows");
    put_text("training mean ± std", 26);
    printf("  validation mean ± std\n");
    for (size_t s = 0; s < lc.n_sizes; s++) {
        char a[64], b[64];
        snprintf(a, sizeof a, "%.6g ± %.3g", lc.train_mean[s], lc.train_std[s]);
        snprintf(b, sizeof b, "%.6g ± %.3g", lc.valid_mean[s], lc.valid_std[s]);
        printf("%-9g %-8.1f ", lc.fractions[s], lc.n_train[s]);
        put_text(a, 26);
        printf("  %s\n", b);
    }
    char diag[512], title[300];
    tune_learning_curve_diagnose(&lc, diag, sizeof diag);
    printf("diagnosis: %s\n", diag);
    snprintf(title, sizeof title, "study %s, %zu folds", cfg->name, lc.n_folds);
    if (tune_learning_curve_plot(&lc, title, &po, &log, &err)) {
        rc = cli_fail(cmd, &err);
        if (rc == CLI_USAGE)
            rc = CLI_FAILED;
        goto done;
    }
    rc = finish(cmd, &po, &log, "learning_curve.dat");
done:
    free(sizes);
    free(best_params);
    tune_learning_curve_release(&lc);
    tune_plot_log_release(&log);
    tune_dataset_free(ds);
    tune_config_free(cfg);
    return rc;
}

/* Is `name` in the comma-separated list? */
static int in_list(const char *list, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = list; p && *p;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == len && strncmp(p, name, n) == 0)
            return 1;
        p = end ? end + 1 : NULL;
    }
    return 0;
}

int cli_elbow(int argc, char **argv)
{
    const char *cmd = "elbow", *data = NULL, *kmax_text = NULL, *drop = NULL, *scale = "standard",
               *ninit_text = NULL, *seed_text = NULL, *out = "elbow", *image = NULL, *pos[1],
               *delim_text = ",";
    size_t n_pos;
    const struct cli_opt opts[] = {{"data", &data, NULL},       {"k-max", &kmax_text, NULL},
                                   {"drop", &drop, NULL},       {"scale", &scale, NULL},
                                   {"n-init", &ninit_text, NULL}, {"seed", &seed_text, NULL},
                                   {"out", &out, NULL},         {"image", &image, NULL},
                                   {"delimiter", &delim_text, NULL}, {NULL, NULL, NULL}};
    int rc = cli_parse(cmd, argc, argv, opts, pos, 0, &n_pos, elbow_help);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    if (!data)
        return cli_usage_error(cmd, "--data CSV is required");
    /* a tab is hard to type: "tab" and "\t" say it too */
    struct tune_csv_options csv = {.delimiter = delim_text[0]};
    if (strcmp(delim_text, "tab") == 0 || strcmp(delim_text, "\\t") == 0)
        csv.delimiter = '\t';
    else if (!delim_text[0] || delim_text[1])
        return cli_usage_error(cmd, "--delimiter: expected one character or tab, got '%s'",
                               delim_text);
    int standard = strcmp(scale, "standard") == 0;
    if (!standard && strcmp(scale, "none") != 0)
        return cli_usage_error(cmd, "--scale: expected standard or none, got '%s'", scale);
    double k_max = 10, n_init = 10, seed = 0;
    if ((kmax_text && (rc = cli_parse_count(cmd, "k-max", kmax_text, 2, 1000, &k_max))) ||
        (ninit_text && (rc = cli_parse_count(cmd, "n-init", ninit_text, 1, 1000, &n_init))) ||
        (seed_text &&
         (rc = cli_parse_count(cmd, "seed", seed_text, 0, 9007199254740992.0, &seed))))
        return rc;
    struct tune_plot_opts po = {.gnuplot = gnuplot_exe(), .out_dir = out};
    if ((rc = parse_image(cmd, image, &po.format)))
        return rc;
    struct tune_table *t = NULL;
    struct tune_error err = {0};
    struct tune_elbow e = {0};
    struct tune_plot_log log = {0};
    size_t *cols = NULL, *rows = NULL;
    double *x = NULL;
    if (tune_table_read_csv_opts(data, &csv, &t, &err)) {
        rc = cli_fail(cmd, &err);
        goto done;
    }
    for (const char *p = drop; p && *p;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        int found = 0;
        for (size_t j = 0; j < t->n_cols; j++)
            found |= strlen(t->cols[j].name) == n && strncmp(t->cols[j].name, p, n) == 0;
        if (!found) {
            rc = cli_usage_error(cmd, "--drop: %s has no column '%.*s'", data, (int)n, p);
            goto done;
        }
        p = end ? end + 1 : NULL;
    }
    cols = malloc((t->n_cols + 1) * sizeof *cols);
    rows = malloc((t->n_rows + 1) * sizeof *rows);
    if (!cols || !rows) {
        rc = CLI_FAILED;
        goto done;
    }
    size_t nc = 0, nr = 0, skipped_text = 0;
    for (size_t j = 0; j < t->n_cols; j++) {
        if (in_list(drop, t->cols[j].name))
            continue;
        if (t->cols[j].kind != TUNE_COL_NUMERIC) {
            skipped_text++;
            continue;
        }
        cols[nc++] = j;
    }
    if (nc == 0) {
        /* "a;b;c" read with commas is one text column: say what it looks like */
        char d = 0;
        for (const char *p = ";\t|"; *p && !d && t->n_cols == 1; p++)
            if (*p != csv.delimiter && strchr(t->cols[0].name, *p))
                d = *p;
        if (d == '\t')
            rc = cli_usage_error(cmd, "%s: no numeric column left to cluster; the file looks "
                                      "tab-separated (use --delimiter tab)",
                                 data);
        else if (d)
            rc = cli_usage_error(cmd, "%s: no numeric column left to cluster; the file looks "
                                      "'%c'-separated (use --delimiter '%c')",
                                 data, d, d);
        else
            rc = cli_usage_error(cmd, "%s: no numeric column left to cluster", data);
        goto done;
    }
    for (size_t i = 0; i < t->n_rows; i++) {
        int ok = 1;
        for (size_t c = 0; c < nc && ok; c++)
            ok = isfinite(t->data[cols[c] * t->n_rows + i]);
        if (ok)
            rows[nr++] = i;
    }
    if (nr < 2) {
        rc = cli_usage_error(cmd, "%s: fewer than 2 rows without a missing value", data);
        goto done;
    }
    if ((size_t)k_max > nr)
        k_max = (double)nr;
    x = malloc(nr * nc * sizeof *x);
    if (!x) {
        rc = CLI_FAILED;
        goto done;
    }
    for (size_t c = 0; c < nc; c++) {
        double *col = &x[c * nr], mean = 0, sd = 0;
        for (size_t i = 0; i < nr; i++)
            col[i] = t->data[cols[c] * t->n_rows + rows[i]];
        if (standard) {
            tune_mean_std(col, nr, &mean, &sd);
            for (size_t i = 0; i < nr; i++)
                col[i] = sd > 0 ? (col[i] - mean) / sd : 0;
        }
    }
    struct tune_matrix m = {nr, nc, x};
    if (tune_elbow_compute(&m, (size_t)k_max, (size_t)n_init, (uint64_t)seed, &e, &err)) {
        rc = cli_fail(cmd, &err);
        goto done;
    }
    printf("k-means on %s: %zu rows (%zu with a missing value left out), %zu numeric columns "
           "(%s)%s\n",
           data, nr, t->n_rows - nr, nc, standard ? "standardized" : "as they are",
           skipped_text ? ", text columns left out" : "");
    printf("%4s  %-14s  %s\n", "k", "inertia", "silhouette");
    for (size_t k = 1; k <= e.k_max; k++) {
        printf("%4zu  %-14.6g  ", k, e.inertia[k - 1]);
        if (isnan(e.silhouette[k - 1]))
            printf("-\n");
        else
            printf("%.4f\n", e.silhouette[k - 1]);
    }
    if (e.elbow_k)
        printf("elbow: k = %zu (Kneedle)\n", e.elbow_k);
    else
        printf("elbow: none found (Kneedle: the curve has no clear bend)\n");
    if (e.best_silhouette_k)
        printf("highest silhouette: k = %zu\n", e.best_silhouette_k);
    char title[600];
    snprintf(title, sizeof title, "%s%s", data, standard ? " (standardized)" : "");
    if (tune_elbow_plot(&e, title, &po, &log, &err)) {
        rc = cli_fail(cmd, &err);
        if (rc == CLI_USAGE)
            rc = CLI_FAILED;
        goto done;
    }
    rc = finish(cmd, &po, &log, "elbow.dat");
done:
    free(cols);
    free(rows);
    free(x);
    tune_elbow_release(&e);
    tune_plot_log_release(&log);
    tune_table_free(t);
    return rc;
}
