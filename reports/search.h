/* SPDX-License-Identifier: GPL-3.0-or-later */
/* search.h — the report's parts for studies of several trainers and of
 * several objectives (internal to reports/; drawn by reports/search.c).
 *
 * Several trainers: "trainers_history" (every trial's objective against
 * its number, one colour per trainer) and "trainers_cost" (objective
 * against fit seconds per fold, one colour per trainer), and a table per
 * trainer.  Several objectives: "pareto" (two objectives: every complete
 * trial, the front joined, trials that broke the constraints apart) and
 * the trade-off table of the Pareto set. */
#ifndef TUNEFOLD_REPORTS_SEARCH_H
#define TUNEFOLD_REPORTS_SEARCH_H

#include "reports/plot.h"
#include "tunefold/pareto.h"

struct tune_trainer_summary {
    char *name;
    size_t trials, complete, failed;
    int best_number;          /* -1 when none completed */
    double best, median;      /* of the complete trials' values */
    double fit_seconds;       /* mean over its complete trials, per fold */
    double seconds;           /* wall time of all its trials */
};

struct tune_search_report {
    size_t n_trainers;        /* 0 unless the study chooses among trainers */
    struct tune_trainer_summary *trainers;
    int have_pareto;          /* several objectives */
    struct tune_pareto pareto;
    size_t n_violating;       /* complete trials that broke the constraints */
};

/* The pictures above for `info` (trials without metrics, as the report read
 * them; the Pareto set is read here) and the tables' numbers into *out
 * (release with tune_report_search_release). */
int tune_report_search(struct tune_store *store, const struct tune_study_info *info,
                       const struct tune_trial *trials, size_t n, const struct tune_plot_opts *o,
                       struct tune_plot_log *log, struct tune_search_report *out,
                       struct tune_error *err);

/* The tables: the trainers', and the Pareto set's trade-offs. */
void tune_report_search_html(struct tune_text *h, const struct tune_study_info *info,
                             const struct tune_search_report *r);

void tune_report_search_release(struct tune_search_report *r);

#endif
