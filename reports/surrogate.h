/* SPDX-License-Identifier: GPL-3.0-or-later */
/* surrogate.h — internal to reports/: a study's search space as the columns
 * of a box, its complete trials as rows, and the random-forest surrogate of
 * the objective fitted on them (param_importance.c, contour.c, parallel.c).
 *
 * Columns: a float or int parameter is its value, or log10 of it when it is
 * searched on a log scale; a categorical is its choice's index; a bool 0 or
 * 1.  The box gives every allowed value an equal share where the values are
 * discrete: an int spans [low - 0.5, high + 0.5] (log: the logarithms of
 * those ends), a categorical of k values [-0.5, k - 0.5], a bool
 * [-0.5, 1.5]; a float spans [low, high] (log: their logarithms).  The box
 * grows to hold a trial outside the space (an `evaluate` of another value).
 * A parameter with a single allowed value is not a column. */
#ifndef TUNEFOLD_REPORTS_SURROGATE_H
#define TUNEFOLD_REPORTS_SURROGATE_H

#include <stddef.h>
#include <stdint.h>
#include <cJSON.h>
#include "plot.h"
#include "trainers/tree_common.h"

struct tune_hp_dim {
    char *name;
    enum tune_param_type type;
    int log;
    double low, high;            /* the space's bounds, in the parameter's units */
    size_t n_values;
    char **values;               /* categorical: the choices */
    double lo, hi;               /* the column's range in the box */
};

struct tune_hp_space {
    size_t d;
    struct tune_hp_dim *dims;
};

/* The searched parameters of a stored study config (its "space"); none (d =
 * 0, TUNE_OK) when the config has no space.  Release with
 * tune_hp_space_release. */
int tune_hp_space_parse(const char *config_json, struct tune_hp_space *s, struct tune_error *err);
void tune_hp_space_release(struct tune_hp_space *s);

/* The column value of parameter `p` in a trial's parameters; NAN when the
 * trial lacks it or holds a value that is not a choice. */
double tune_hp_encode(const struct tune_hp_dim *p, const cJSON *params);
/* A column value in the parameter's units (10^c for a log scale). */
double tune_hp_decode(const struct tune_hp_dim *p, double c);

/* The complete trials with a finite objective and every column, and the
 * forest fitted on them. */
struct tune_surrogate {
    struct tune_hp_space space;
    size_t m;                    /* rows (trials) */
    double *x;                   /* m x d, column-major */
    double *y;                   /* m objective values */
    int *number;                 /* m trial numbers */
    double *lo, *hi;             /* d: the box */
    size_t m_fit;                /* rows the forest was fitted on (<= m) */
    void *model;                 /* tune_trainer_forest's model, or NULL (not fitted) */
    size_t n_trees;
    const struct tune_tree **trees; /* borrowed from the model */
};

#define TUNE_SURROGATE_TREES 64  /* as Optuna's FanovaImportanceEvaluator */
#define TUNE_SURROGATE_MIN_TRIALS 3
/* Past this many rows the forest is fitted on every k-th row (k the
 * smallest that brings them under it): a tree of n rows has about n
 * leaves, and a pair's fANOVA array grows with the square of the splits,
 * so this bounds the report of a study of any size (bench/RESULTS_report.md:
 * 2,000 trials take a second). */
#define TUNE_SURROGATE_MAX_TRIALS 4000

/* Collect the rows of `trials` under the study's space and, with at least
 * TUNE_SURROGATE_MIN_TRIALS rows, fit the forest (64 trees grown to purity
 * on bootstrap draws, every column tried at each split: Optuna's settings;
 * seeded by `seed`; at most TUNE_SURROGATE_MAX_TRIALS rows, evenly spaced).  s->model stays NULL with fewer rows or no column.
 * Release with tune_surrogate_release. */
int tune_surrogate_fit(const struct tune_study_info *info, const struct tune_trial *trials,
                       size_t n, uint64_t seed, struct tune_surrogate *s, struct tune_error *err);
void tune_surrogate_release(struct tune_surrogate *s);
/* The rows alone (s->model NULL): what tune_surrogate_fit fits on. */
int tune_surrogate_rows(const struct tune_study_info *info, const struct tune_trial *trials,
                        size_t n, struct tune_surrogate *s, struct tune_error *err);

/* The filled contour of the surrogate's marginal over columns i and j, the
 * trials on top and the best one marked: "contour_<a>_<b>" (contour.c). */
int tune_report_contour(const struct tune_study_info *info, const struct tune_surrogate *s,
                        size_t i, size_t j, int best_number, const struct tune_plot_opts *o,
                        struct tune_plot_log *log, struct tune_error *err);

/* The SVG twin of a PNG picture whose marks carry hover text: appended to
 * its script after the PNG's plot, it switches to gnuplot's svg terminal
 * (mouse standalone: the SVG holds gnuplot's own small script and works
 * offline) and plots `plot` (a whole plot command with its hypertext
 * clauses) into base.svg.  Nothing when the report is SVG already (the
 * caller then puts the hypertext in its one plot). */
void tune_plot_svg_twin(struct tune_text *gp, const struct tune_plot_opts *o, const char *base,
                        unsigned w, unsigned h, const char *plot);
/* For an SVG report: the svg terminal again with `mouse standalone`, after
 * the preamble, so that the hypertext of the one plot works.  Nothing for
 * PNG. */
void tune_plot_hover_terminal(struct tune_text *gp, const struct tune_plot_opts *o, unsigned w,
                              unsigned h);

#endif
