/* SPDX-License-Identifier: GPL-3.0-or-later */
/* pareto.h — several objectives and constraints: what a trial scores on
 * them, and the Pareto set of a stored study.
 *
 * A study's first objective is the value every trial stores; the others,
 * and the metrics its constraints bound, are read from the trial's metrics
 * ("fit_seconds" and "predict_seconds" from its timings).  A trial that
 * broke a constraint is stored with its values and a violation > 0
 * (store.h); it is never the best and never on the Pareto set. */
#ifndef TUNEFOLD_PARETO_H
#define TUNEFOLD_PARETO_H

#include <stddef.h>
#include "tunefold/error.h"
#include "tunefold/config.h"
#include "tunefold/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Trial t's value of `metric`: fit_seconds or predict_seconds (the mean per
 * fold), else the mean of the metric of that name; NAN when it has none. */
double tune_trial_metric(const struct tune_trial *t, const char *metric);

/* How far v lies outside constraint c's bounds, max(c->min - v, v - c->max):
 * <= 0 inside (minus the margin to the nearer bound), > 0 outside; +INFINITY
 * when v is NAN (a value the trial lacks breaks the constraint). */
double tune_constraint_slack(const struct tune_constraint *c, double v);

/* A trial's violation from its values of the constraints' metrics
 * (values[i] for constraints[i]): the sum of the positive slacks, each
 * relative to the bound's size (|bound|, or 1 when it is 0), so that
 * constraints in different units add up; 0 when every constraint holds. */
double tune_constraints_violation(const struct tune_constraint *c, size_t n,
                                  const double *values);

/* The non-dominated rows of `loss` (n rows of k columns, row-major; every
 * column is minimized; a row with a NAN is left out): their indices go to
 * idx (capacity n) in row order, and their count is returned.  Of rows
 * equal in every column only the first counts. */
size_t tune_pareto_indices(const double *loss, size_t n, size_t k, size_t *idx);

/* The hypervolume that n points of two minimized columns (row-major)
 * dominate within the box up to `ref` (points not below ref in both are
 * left out): the measure benchmarks compare fronts by. */
double tune_hypervolume_2d(const double *loss, size_t n, const double ref[2]);

/* The Pareto set of a stored study. */
struct tune_pareto_point {
    int number;
    double *values;            /* n_objectives values, as the objectives read them */
    char *params_json;         /* the trial's params */
};

struct tune_pareto {
    size_t n_objectives;
    struct tune_objective *objectives; /* from the study's config */
    size_t n_constraints;
    size_t n_complete;         /* complete trials */
    size_t n_feasible;         /* of them, those that kept the constraints and have
                                  every objective's value */
    size_t n;                  /* points of the set, ordered by the first objective,
                                  best first (ties: by number) */
    struct tune_pareto_point *points;
};

/* Read the study's objectives from its config text ("objectives", else its
 * "objective" / metric), every complete trial, and its non-dominated trials
 * among those that kept the constraints.  Release with
 * tune_pareto_release. */
int tune_study_pareto(struct tune_store *store, const struct tune_study_info *info,
                      struct tune_pareto *out, struct tune_error *err);
void tune_pareto_release(struct tune_pareto *p);

/* The objectives of a stored study from its config text: the "objectives"
 * array, else the study's one metric and direction.  *out (n entries) is
 * calloc'ed; free with tune_objectives_free. */
int tune_study_objectives(const struct tune_study_info *info, struct tune_objective **out,
                          size_t *n, struct tune_error *err);
void tune_objectives_free(struct tune_objective *o, size_t n);

#ifdef __cplusplus
}
#endif
#endif
