/* SPDX-License-Identifier: GPL-3.0-or-later */
/* report.h — pictures and tables of stored studies, drawn by gnuplot.
 *
 * Every picture is three kinds of file in one folder: the data behind it
 * (`NAME.dat`, numbers only, columns named in a leading comment), the gnuplot
 * script that draws it (`NAME.gp`, runnable again by hand from that folder:
 * `gnuplot NAME.gp`), and the image (`NAME.png`, or `NAME.svg` on request).
 * A person can restyle a plot by editing its script.
 *
 * Safety: gnuplot runs with fork/execvp on an argument vector (process.h),
 * never through a shell, in the output folder.  No text from a study (study
 * name, class labels, parameter and feature names, categorical values)
 * reaches a script except as a gnuplot single-quoted string built by
 * tune_gp_quote(): inside single quotes gnuplot performs no backslash,
 * backquote (command) or macro substitution, the only special character is
 * the quote itself (doubled), and line breaks (which would end the command)
 * are replaced.  Data files hold numbers only; file names are made from
 * sanitized text.  Terminals are set `noenhanced`, so a label's `_` or `^`
 * is printed, not interpreted.
 *
 * Without gnuplot the scripts and data are still written: the log says so
 * (gnuplot_missing) and the caller tells the user how to render them.
 *
 * Reports never retrain what the store holds: they read the trials, the
 * per-fold metrics and the best trial's out-of-fold predictions ("oof.csv")
 * and feature importances ("importances.csv").  Only the learning curve and
 * the elbow fit models, because nothing stored answers their question.
 *
 * Library code: nothing here prints or exits. */
#ifndef TUNEFOLD_REPORT_H
#define TUNEFOLD_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include "tunefold/error.h"
#include "tunefold/dataset.h"
#include "tunefold/store.h"
#include "tunefold/config.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- plotting options and what a report wrote ------------------------------ */

enum tune_image_format { TUNE_IMAGE_PNG = 0, TUNE_IMAGE_SVG = 1 };

/* "png" / "svg". */
const char *tune_image_ext(enum tune_image_format f);

#define TUNE_PLOT_WIDTH_DEFAULT 800
#define TUNE_PLOT_HEIGHT_DEFAULT 600
#define TUNE_PLOT_TIMEOUT_DEFAULT 120.0

/* Where and how pictures are made.  Borrowed for the duration of a call. */
struct tune_plot_opts {
    const char *out_dir;           /* created (with its parents) when missing */
    enum tune_image_format format; /* PNG by default */
    /* The gnuplot executable: looked up in PATH without a '/', else a path
     * (a relative one is taken from the current folder).  NULL: "gnuplot". */
    const char *gnuplot;
    unsigned width, height;        /* pixels of a one-panel picture; 0: 800 x 600 */
    double timeout;                /* seconds per script; 0: 120 */
};

/* What was written.  Zero-initialise; release with tune_plot_log_release. */
struct tune_plot_log {
    size_t n_images;
    char **images;            /* image file names in out_dir, in drawing order
                                 (listed even when not rendered) */
    char **captions;          /* n_images: what each picture shows, plain text */
    size_t n_rendered;        /* images gnuplot drew */
    int gnuplot_missing;      /* 1: gnuplot could not be started; every script
                                 and data file was still written */
    char missing_reason[TUNE_ERROR_MSG_MAX]; /* e.g. "exec 'gnuplot': No such file..." */
    size_t n_warnings;        /* scripts after which gnuplot said something on stderr */
    char first_warning[TUNE_ERROR_MSG_MAX];
};

void tune_plot_log_release(struct tune_plot_log *log);

/* `s` as a gnuplot single-quoted string literal, quotes included: ' doubled,
 * control characters (line breaks, tabs, DEL) and invalid UTF-8 bytes
 * replaced by a space or '?'.  Caller frees the result; NULL when out of
 * memory. */
char *tune_gp_quote(const char *s);

/* `s` as a file-name fragment: ASCII letters, digits, '-' and '_' kept,
 * every other byte '_', at most `max` bytes (>= 1), never empty ("x").
 * Writes into buf (size max + 1). */
void tune_report_file_part(const char *s, char *buf, size_t max);

/* Width and height of a PNG file from its signature and IHDR chunk.
 * TUNE_EIO when unreadable, TUNE_EINVAL when not a PNG. */
int tune_png_size(const char *path, unsigned *width, unsigned *height, struct tune_error *err);

/* ---- out-of-fold predictions ----------------------------------------------- */

/* The "oof.csv" artifact, parsed (header row,fold,y_true,y_pred[,p_<class>...];
 * a clustering's row,fold,cluster,distance: the cluster ids in y_pred,
 * y_true NAN). */
struct tune_oof {
    size_t n;               /* rows */
    size_t n_classes;       /* 0 for regression */
    char **class_names;     /* n_classes names (from the p_ columns; the codes when
                               the file has no probabilities) */
    long *row;              /* dataset row of each line */
    int *fold;              /* fold of each line */
    double *y_true, *y_pred;/* class codes (classification) or values */
    double *proba;          /* n x n_classes row-major, or NULL */
    size_t n_folds;
    int *folds;             /* the distinct fold numbers, ascending */
    size_t n_clusters;      /* clustering: largest cluster id + 1; else 0 */
    double *distance;       /* clustering: each row's squared distance to its
                               centre (NAN when not stored); else NULL */
};

/* Parse `text` for `task`.  Errors (TUNE_EINVAL) name the column or line. */
int tune_oof_parse(const char *text, size_t len, enum tune_task task, struct tune_oof *out,
                   struct tune_error *err);
void tune_oof_release(struct tune_oof *o);

/* ---- the pictures of one study (each writes NAME.dat, NAME.gp, the image) -- */

/* ROC curves of classification out-of-fold predictions: one line per fold,
 * the mean curve (TPR averaged at 201 evenly spaced FPR, each fold's curve
 * interpolated linearly on its upper envelope) with a ± 1 std band, the
 * chance diagonal, and the AUC as mean ± population std over folds in the
 * legend.  Binary: "roc" (class 1 positive); multiclass: one-vs-rest,
 * "roc_<c>" for each class code c.  `title` is any text (escaped). */
int tune_report_roc(const struct tune_oof *oof, const char *title,
                    const struct tune_plot_opts *o, struct tune_plot_log *log,
                    struct tune_error *err);
/* Precision-recall curves likewise ("pr", "pr_<c>"): the mean curve averages
 * the interpolated precision p(r) = max{precision at recall >= r} at 201
 * recalls; the legend gives average precision mean ± std; the chance line is
 * the share of positives. */
int tune_report_pr(const struct tune_oof *oof, const char *title,
                   const struct tune_plot_opts *o, struct tune_plot_log *log,
                   struct tune_error *err);
/* Confusion matrix of every out-of-fold row ("confusion"): a heat map of
 * row-normalized rates with the count and the rate written in each cell,
 * class names on both axes (true down, predicted across). */
int tune_report_confusion(const struct tune_oof *oof, const char *title,
                          const struct tune_plot_opts *o, struct tune_plot_log *log,
                          struct tune_error *err);
/* Regression: predicted against true values, one colour per fold, and the
 * line y = x ("predictions"). */
int tune_report_predictions(const struct tune_oof *oof, const char *title,
                            const struct tune_plot_opts *o, struct tune_plot_log *log,
                            struct tune_error *err);

/* ---- clustering ----------------------------------------------------------- */

/* The first two principal components of the rows of x (column-major,
 * n_rows >= 2): coords receives each row's two coordinates (n_rows x 2,
 * row-major), ratio the share of the total variance each component
 * explains.  Each component's largest loading is made positive.  A second
 * component that carries no variance (one column, or collinear rows) is 0.
 * TUNE_EINVAL for fewer than 2 rows or a value that is not finite. */
int tune_report_pca2(const struct tune_matrix *x, double *coords, double ratio[2],
                     struct tune_error *err);

/* The clusters of a clustering's best trial, from its out-of-fold cluster
 * ids and its "oof_features.csv" artifact (`features`, the validated rows
 * as k-means saw them): each fold's clusters are matched to the largest
 * fold's by their centres (k-means numbers its clusters at random in every
 * fold), then numbered 1..k from the largest.  Three pictures:
 * "cluster_sizes" (rows per cluster, bars), "silhouette" (every row's
 * silhouette within its fold, sorted within each cluster, the mean as a
 * dashed line: scikit-learn's silhouette plot) and "clusters_pca" (the rows
 * on the first two principal components, coloured by cluster, each
 * cluster's centre — the mean of its rows — marked).  `title` is any text. */
int tune_report_clusters(const struct tune_oof *oof, const char *features, size_t len,
                         const char *title, const struct tune_plot_opts *o,
                         struct tune_plot_log *log, struct tune_error *err);

/* The objective against the number of clusters ("clusters_k"): every
 * complete trial's mean ± std over folds at its n_clusters, the best of each
 * k joined, the best trial circled.  Nothing drawn (TUNE_OK) unless the
 * study's space searches n_clusters and complete trials cover 2 or more k. */
int tune_report_clusters_k(const struct tune_study_info *info, const struct tune_trial *trials,
                           size_t n, const struct tune_plot_opts *o, struct tune_plot_log *log,
                           struct tune_error *err);

/* Optimization history ("history"): each finished trial's objective against
 * its number, the best-so-far line, failed trials marked below the axis'
 * data and pruned ones apart; values far worse than the rest (beyond 4x the
 * median's distance from the best) are drawn at the edge and counted. */
int tune_report_history(const struct tune_study_info *info, const struct tune_trial *trials,
                        size_t n, const struct tune_plot_opts *o, struct tune_plot_log *log,
                        struct tune_error *err);
/* Intermediate values ("intermediate"), as Optuna's plot_intermediate_values:
 * the value an iterative trainer reported (its own loss, lower is better)
 * against the step, one line per COMPLETE trial, at each step the mean over
 * the folds that reported that step (values that are not finite left out).
 * The trial numbered `best_number` (the study's best; -1: none) is drawn on
 * top, thick and coloured, and named in the key; the others thin and grey,
 * at most 50 of them, the best-ranked by the study's objective.  Values are
 * read from the store (trial_list_intermediate) for every complete trial in
 * `trials`.  No complete trial with a value: nothing written, TUNE_OK. */
int tune_report_intermediate(struct tune_store *store, const struct tune_study_info *info,
                             const struct tune_trial *trials, size_t n, int best_number,
                             const struct tune_plot_opts *o, struct tune_plot_log *log,
                             struct tune_error *err);

/* What early stopping saved a study: the steps (boosting rounds, epochs, a
 * program's steps; for the folds strategy, fold fits) its finished trials
 * ran, against what they would have run in full.  A trial ran, in each fold,
 * its last reported step; a full run is the longest any trial ran in one
 * fold (`steps`), in each of the `folds` folds. */
struct tune_pruning_savings {
    char strategy[32];      /* the study's pruning strategy; "" when it has none */
    int folds_unit;         /* 1: counted in fold fits (the folds strategy) */
    size_t trials, pruned;  /* finished (complete or pruned) trials, and the pruned */
    size_t folds, steps;    /* folds per trial, steps of a full run in one fold */
    double run, full;       /* steps (or fold fits) run, and a full run's for every trial */
};
/* Count them for study `info` (its stored config names the strategy) from
 * `trials` and their intermediate values in the store.  A study without
 * early stopping gets strategy "" and zeros. */
int tune_report_pruning_savings(struct tune_store *store, const struct tune_study_info *info,
                                const struct tune_trial *trials, size_t n,
                                struct tune_pruning_savings *out, struct tune_error *err);
/* How well a step ranks the end: for steps 1, 2, 3, 6, 9, 18, ... below the
 * longest step the complete trials reported, Spearman's rho between
 * the complete trials' values at the step (each fold's first value at or
 * past it, averaged over the folds that have one) and their objectives,
 * signed so that 1 means the order at the step is the final order (the
 * values' direction as the pruners read it: pruner.h).  A step with fewer
 * than 5 such trials, or a constant side, is left out.  Of more than 2,000
 * complete trials, every ceil(n / 2000)-th is read (by number, from the
 * first).  Where rho is low, a rung prunes by noise. */
#define TUNE_STEP_RANKING_MAX 48
struct tune_step_ranking {
    size_t n;
    size_t step[TUNE_STEP_RANKING_MAX];
    double rho[TUNE_STEP_RANKING_MAX];
    size_t trials[TUNE_STEP_RANKING_MAX]; /* complete trials with a value at the step */
};
int tune_report_step_ranking(struct tune_store *store, const struct tune_study_info *info,
                             const struct tune_trial *trials, size_t n,
                             struct tune_step_ranking *out, struct tune_error *err);
/* Objective against each searched parameter ("param_<i>_<name>"), log x axis
 * for a log-scaled one, categories and booleans as named positions; colour
 * is the trial number, the best trial is circled.  The space comes from
 * info->config_json (none there: nothing drawn).  *n_params receives the
 * count drawn (may be NULL). */
int tune_report_params(const struct tune_study_info *info, const struct tune_trial *trials,
                       size_t n, const struct tune_plot_opts *o, struct tune_plot_log *log,
                       size_t *n_params, struct tune_error *err);
/* Feature importances from an "importances.csv" artifact (feature,importance),
 * largest first, at most 30 bars ("importances"). */
int tune_report_importances(const char *csv, size_t len, const char *title,
                            const struct tune_plot_opts *o, struct tune_plot_log *log,
                            struct tune_error *err);

/* `tunefold report`: every picture above for the study and those below
 * (importances and contours, parallel coordinates, timeline), trials.csv,
 * best_folds.csv, param_importance.csv and index.html (one page with a
 * table of contents, the settings and the stored "stop_reason" attribute
 * when there is one, every picture and the tables: best trial, top trials,
 * per-fold metrics, timings, failures), readable offline.  TUNE_ENOTFOUND (after writing the history and the page) when no
 * trial completed. */
int tune_report_study(struct tune_store *store, const struct tune_study_info *info,
                      const struct tune_plot_opts *o, struct tune_plot_log *log,
                      struct tune_error *err);

/* ---- which hyperparameters matter, and what the workers did ---------------- */

/* fANOVA (Hutter, Hoos & Leyton-Brown 2014) over a random-forest surrogate
 * of the objective: tunefold's `forest` trainer fitted on the COMPLETE
 * trials that hold every searched parameter (64 trees grown to purity,
 * Optuna's settings), each tree decomposed exactly over the search space
 * taken as uniform (log-scale parameters uniform in their logarithm,
 * every categorical choice and integer an equal share), the shares
 * averaged over the trees. */
struct tune_param_importance {
    size_t n;                   /* searched parameters (a single allowed value is none) */
    char **names;               /* largest importance first (ties: space order) */
    double *importance;         /* normalised: sums to 1 (all 0 when the surrogate is flat) */
    double *variance_share;     /* each main effect's share of the predicted variance */
    size_t n_pairs;             /* pairs among the (at most 8) most important parameters */
    char **pair_a, **pair_b;    /* largest interaction first */
    double *pair_interaction;   /* share of the variance from the pair's interaction alone */
    double *pair_joint;         /* share from both main effects and their interaction */
    size_t n_trials;            /* complete trials the surrogate was fitted on (past
                                   4,000: every k-th, evenly spaced) */
    size_t n_trees;             /* trees whose prediction varies (the averages' count) */
};

/* Compute the importances of a study's trials (its space from
 * info->config_json, the surrogate seeded by the study's search.seed).
 * out->n = 0 when there is no space, and out->n_trials < 3 when too few
 * trials hold every parameter: no surrogate, every importance 0.  Release
 * with tune_param_importance_release. */
int tune_param_importance_compute(const struct tune_study_info *info,
                                  const struct tune_trial *trials, size_t n,
                                  struct tune_param_importance *out, struct tune_error *err);
void tune_param_importance_release(struct tune_param_importance *p);

/* The importances drawn ("param_importance": every parameter's main effect
 * and the largest pairwise interactions as shares of the predicted
 * variance), written to param_importance.csv (param,importance: the
 * normalised main effects, largest first) and param_pairs.csv
 * (param_a,param_b,interaction,joint), and the contours of the (at most 3)
 * pairs with the largest joint share whose two parameters each explain 1%
 * of the variance, or interact by that much ("contour_<a>_<b>": the surrogate's
 * prediction averaged over the other parameters as a filled map, log axes
 * for log-scale parameters, the trials on top, the best marked; hover text
 * in an SVG twin).  Nothing drawn (TUNE_OK) without a surrogate or when its
 * prediction is constant.  `out` (may be NULL) receives the importances. */
int tune_report_param_importance(const struct tune_study_info *info,
                                 const struct tune_trial *trials, size_t n,
                                 const struct tune_plot_opts *o, struct tune_plot_log *log,
                                 struct tune_param_importance *out, struct tune_error *err);

/* Parallel coordinates ("parallel"): every COMPLETE trial as a line across
 * its parameters (one axis each, log-scale ones in their logarithm,
 * categorical axes labelled by choice) and the objective, coloured by the
 * objective, the best trials drawn last (on top) and the best one thick.
 * Axes in the order of `order` (importances, may be NULL: the space's
 * order).  Hover text in an SVG twin.  Nothing drawn without a space or a
 * complete trial. */
int tune_report_parallel(const struct tune_study_info *info, const struct tune_trial *trials,
                         size_t n, const struct tune_param_importance *order,
                         const struct tune_plot_opts *o, struct tune_plot_log *log,
                         struct tune_error *err);

/* Timeline ("timeline"): one row per worker (the trials' "host:pid"), one
 * bar per trial from its start to its end, coloured by state (complete,
 * pruned, failed, lost; running trials to the last end seen), seconds
 * from the study's first start.  Hover text in an SVG twin.  Nothing drawn
 * without a finished trial. */
int tune_report_timeline(const struct tune_study_info *info, const struct tune_trial *trials,
                         size_t n, const struct tune_plot_opts *o, struct tune_plot_log *log,
                         struct tune_error *err);

/* ---- comparing studies ----------------------------------------------------- */

struct tune_compare_entry {
    char *study;
    int best_number;            /* -1 when no trial completed */
    double value, value_std;    /* the compared metric of the best trial */
    double fit_seconds, predict_seconds; /* of the best trial, mean per fold */
    double tuning_seconds;      /* first start to last end over the study's trials */
    size_t n_trials, n_complete, n_failed, n_pruned;
    size_t n_folds;
    double *folds;              /* the metric on each fold of the best trial */
    double test_train_ratio;    /* n_valid / n_train of one fold (from the cv config) */
    char *fold_key;             /* canonical data + task + seed + cv: equal keys, same folds */
    size_t n_points;            /* complete trials with a cost and a value */
    double *cost, *quality;     /* per complete trial: fit + predict seconds per fold, metric */
    size_t best_point;          /* index of the best trial in cost/quality; n_points if none */
    char *trainer;              /* the best trial's trainer ("trainer" of its params in a
                                   study of several), else the study's; NULL if unknown */
};

struct tune_compare_pair {
    size_t a, b;                /* entry indices, a < b */
    int same_folds;             /* 0: no test (different data, seed or cv) */
    double mean_difference;     /* mean over folds of a - b */
    double p_ttest;             /* corrected resampled t-test (Nadeau & Bengio) */
    double p_wilcoxon;          /* Wilcoxon signed-rank */
};

struct tune_compare {
    char *metric;
    int maximize;
    size_t n;
    struct tune_compare_entry *entries;
    size_t n_pairs;
    struct tune_compare_pair *pairs;
};

/* Load n studies' summaries on `metric` (NULL: the first study's objective;
 * every best trial must carry it, else TUNE_EINVAL naming the study).  The
 * best trial of each study is its best by its own objective.  Release with
 * tune_compare_release. */
int tune_compare_load(struct tune_store *store, const struct tune_study_info *infos, size_t n,
                      const char *metric, struct tune_compare *out, struct tune_error *err);
void tune_compare_release(struct tune_compare *c);

/* The Pareto front of points (cost[i], quality[i]): lower cost and better
 * quality (higher when maximize) dominate.  Writes the indices of the
 * non-dominated points to idx (capacity n) in increasing cost and returns
 * their count; NAN points are ignored; of exact duplicates the first counts. */
size_t tune_pareto_front(const double *cost, const double *quality, size_t n, int maximize,
                         size_t *idx);

/* The empirical distribution of the compared metric over each study's
 * complete trials ("edf", one curve per study: the share of its trials at
 * or below each value, as Optuna's plot_edf).  Nothing drawn when no study
 * has a complete trial. */
int tune_compare_edf(const struct tune_compare *c, const struct tune_plot_opts *o,
                     struct tune_plot_log *log, struct tune_error *err);

/* compare.csv, the cost-quality scatter with the front ("compare" picture),
 * the EDF ("edf") and compare.html. */
int tune_compare_write(const struct tune_compare *c, const struct tune_plot_opts *o,
                       struct tune_plot_log *log, struct tune_error *err);

/* ---- learning curve -------------------------------------------------------- */

struct tune_learning_curve {
    char *metric;
    int maximize;
    size_t n_sizes, n_folds;
    double *fractions;          /* n_sizes, of each training fold */
    double *n_train;            /* n_sizes: mean training rows */
    double *train, *valid;      /* n_sizes x n_folds (row = size): scores */
    double *train_mean, *train_std, *valid_mean, *valid_std; /* n_sizes each (population std) */
    int clustering;             /* 1: a clustering measure (training score: on the rows the
                                   clusters were found on) */
};

/* Cross-validate the configuration `params_json` (the study's fixed params,
 * this object on top; may be NULL) on the study's folds with each training
 * fold cut to each fraction (0 < f <= 1): a seeded, nested subsample (the
 * rows for a smaller fraction are among those of a larger one), stratified
 * by class for classification with at least one row per class.  Each fold
 * at each size is ONE fit, whose predictions on its training rows give the
 * training score and on the fold's validation rows the validation score.
 * The trainer's seed for fold f is the study's, so at fraction 1 the
 * validation scores are the study's fold scores of that configuration.
 * A score-mode study (cfg->score_mode; ds may then be NULL) has no data:
 * TUNE_EINVAL saying so.  Release with tune_learning_curve_release. */
int tune_learning_curve_compute(const struct tune_study_config *cfg,
                                const struct tune_dataset *ds, const char *params_json,
                                const double *fractions, size_t n_fractions,
                                struct tune_learning_curve *out, struct tune_error *err);
void tune_learning_curve_release(struct tune_learning_curve *lc);

/* One line for people (rules in learning_curve.c): "high bias: ...",
 * "high variance: ...", "good fit: ..." or "no clear diagnosis: ...". */
void tune_learning_curve_diagnose(const struct tune_learning_curve *lc, char *buf,
                                  size_t size);

/* "learning_curve" picture: training and validation score against training
 * rows, mean ± std bands, the diagnosis printed under the title. */
int tune_learning_curve_plot(const struct tune_learning_curve *lc, const char *title,
                             const struct tune_plot_opts *o, struct tune_plot_log *log,
                             struct tune_error *err);

/* ---- elbow ----------------------------------------------------------------- */

/* The knee of a convex decreasing curve by the Kneedle method (Satopää,
 * Albrecht, Irwin & Raghavan 2011) without smoothing, sensitivity S: x and y
 * normalized to [0, 1], difference curve d = 1 - x_n - y_n; the knee is the
 * first local maximum of d after which d falls below d_max - S * mean(dx_n)
 * before the next local maximum.  Returns its index, or -1 when there is
 * none (e.g. a straight line, fewer than 3 points). */
long tune_kneedle_convex_decreasing(const double *x, const double *y, size_t n, double S);

struct tune_elbow {
    size_t k_max;
    double *inertia;            /* k = 1..k_max at [k - 1] */
    double *silhouette;         /* NAN at k = 1 */
    size_t elbow_k;             /* 0: no elbow found */
    size_t best_silhouette_k;   /* 0: none */
    size_t n_rows, n_cols;
};

/* Fit k-means (k-means++, n_init runs, seeded) for k = 1..k_max on x and
 * measure inertia and the mean silhouette (exact up to 3000 rows, else on
 * 3000 rows drawn with the seed).  Release with tune_elbow_release. */
int tune_elbow_compute(const struct tune_matrix *x, size_t k_max, size_t n_init, uint64_t seed,
                       struct tune_elbow *out, struct tune_error *err);
void tune_elbow_release(struct tune_elbow *e);

/* "elbow" picture: inertia against k with the elbow marked, silhouette
 * against k beside it. */
int tune_elbow_plot(const struct tune_elbow *e, const char *title,
                    const struct tune_plot_opts *o, struct tune_plot_log *log,
                    struct tune_error *err);

#ifdef __cplusplus
}
#endif
#endif
