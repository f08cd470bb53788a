/* SPDX-License-Identifier: GPL-3.0-or-later */
/* space.h — a search space: named parameters and the points in it.
 *
 * A point is an array of doubles, one per parameter, in the space's order:
 * the value itself for float/int (an int is integral), the choice index for a
 * categorical, 0 or 1 for a bool.  Every point maps to and from the unit
 * cube [0,1]^d (log-scale parameters map through their logarithm; an int or a
 * stepped float rounds to the nearest allowed value; a categorical with k
 * values splits [0,1] into k equal cells), so searchers work in one cube. */
#ifndef TUNEFOLD_SPACE_H
#define TUNEFOLD_SPACE_H

#include <stddef.h>
#include <stdint.h>
#include <gsl/gsl_rng.h>
#include "tunefold/error.h"

#ifdef __cplusplus
extern "C" {
#endif

enum tune_param_type {
    TUNE_PARAM_FLOAT = 0,
    TUNE_PARAM_INT = 1,
    TUNE_PARAM_CATEGORICAL = 2,
    TUNE_PARAM_BOOL = 3
};

const char *tune_param_type_name(enum tune_param_type t);

struct tune_param {
    char *name;
    enum tune_param_type type;
    double low, high;      /* float/int: inclusive bounds */
    int log;               /* float/int: log scale (low > 0) */
    double step;           /* float/int: 0 = none (int: 1) */
    size_t grid_points;    /* float/int: points on the grid (0 = default) */
    size_t n_values;       /* categorical */
    char **values;         /* categorical: n_values strings */
    /* A conditional parameter is active only while parameter `when_param`
     * of the same space (a categorical or a bool) is active and takes one of
     * the n_when choice indexes when_values[]; n_when == 0: always active.
     * The conditions form a forest (each parameter has at most one parent,
     * no cycles: tune_space_check).  An inactive parameter's value in a point
     * is NAN, and it is absent from the trial's params object. */
    size_t when_param;
    size_t n_when;
    double *when_values;
    /* The parameter's key in a trial's params object when it differs from
     * `name` (several trainers in one study: name "forest.max_depth", key
     * "max_depth"); NULL: the name.  Two parameters may share a key only if
     * they are never active together. */
    char *key;
};

struct tune_space {
    size_t n;
    struct tune_param *params;
};

/* Default grid points for a numeric parameter without "grid_points". */
#define TUNE_GRID_POINTS_DEFAULT 5

/* Free the space's parameters (not the struct itself when it is embedded):
 * names, values, when_values and keys. */
void tune_space_release(struct tune_space *s);

/* Index of the parameter called `name`, or -1. */
long tune_space_find(const struct tune_space *s, const char *name);

/* The parameter's key in a params object: p->key, or its name. */
const char *tune_param_key(const struct tune_param *p);

/* ---- conditional parameters -------------------------------------------------
 *
 * Points made by this module (from_unit, sample, grid_point, point_at,
 * point_from_json) hold NAN for every inactive parameter: "canonical"
 * points, so two points that differ only in parameters that do not matter
 * are the same point.  The finite-space functions (size, point_at,
 * point_index, grid size and grid_point) count and enumerate canonical
 * points only: a categorical parent's values each open their own block of
 * configurations (their children's), and a parameter is counted only where
 * it is active. */

/* 1 when some parameter is conditional. */
int tune_space_is_conditional(const struct tune_space *s);
/* Whether parameter i is active at `point`: every condition on the way up
 * to a parameter without one holds (a parent that is NAN holds none). */
int tune_space_active(const struct tune_space *s, const double *point, size_t i);
/* Make a point canonical: NAN in every inactive parameter. */
void tune_space_apply_conditions(const struct tune_space *s, double *point);
/* The most parameters active at once (s->n for a space without conditions):
 * the dimension a model of the space works in. */
size_t tune_space_active_dim(const struct tune_space *s);
/* Check the conditions: each when_param names another parameter of the
 * space that is a categorical or a bool, each value is one of its choice
 * indexes, and following parents never comes back to a parameter.  Errors
 * (TUNE_EINVAL) name "space.NAME.when". */
int tune_space_check(const struct tune_space *s, struct tune_error *err);

/* Snap a value to the parameter's allowed set (round ints and steps, clamp).
 * A stepped float lands on low + k step rounded to 15 significant digits,
 * so 0.1 + 2 x 0.1 is 0.3, not 0.30000000000000004. */
double tune_param_snap(const struct tune_param *p, double v);

/* Map a point to the unit cube and back.  from_unit snaps and makes the
 * point canonical; to_unit maps an inactive (NAN) value to 0.5. */
void tune_space_to_unit(const struct tune_space *s, const double *point, double *u);
void tune_space_from_unit(const struct tune_space *s, const double *u, double *point);

/* Number of grid points (product over parameters); SIZE_MAX on overflow. */
size_t tune_space_grid_size(const struct tune_space *s);

/* The grid point with index `idx` (0 <= idx < grid size).  The order is
 * fixed: the last parameter varies fastest; numeric values ascend
 * (geometrically spaced on a log scale, duplicates after rounding removed).
 * Grid values are the numbers a person would write: exact powers where both
 * ends of a log scale are powers of 10 (or of 2) and the value falls on an
 * integer exponent, otherwise rounded to 15 significant digits. */
void tune_space_grid_point(const struct tune_space *s, size_t idx, double *point);

/* Number of distinct grid values of one parameter. */
size_t tune_param_grid_count(const struct tune_param *p);
/* The k-th grid value of one parameter. */
double tune_param_grid_value(const struct tune_param *p, size_t k);

/* Number of allowed values of one parameter: the choices of a categorical
 * or bool, the values low + k step of an int (step 1 unless larger) or a
 * stepped float; 0 for a float without a step (a continuum); SIZE_MAX when
 * too many to count. */
size_t tune_param_n_values(const struct tune_param *p);
/* The k-th allowed value, ascending (k < tune_param_n_values). */
double tune_param_value_at(const struct tune_param *p, size_t k);

/* Number of points of a finite space, one whose every parameter has
 * finitely many values: the product of tune_param_n_values (1 for the empty
 * space; with conditions, of the canonical points); 0 when a parameter is a
 * continuum; SIZE_MAX when too many to count. */
size_t tune_space_size(const struct tune_space *s);
/* Point `idx` (idx < tune_space_size) of a finite space: the last parameter
 * varies fastest, each over its allowed values ascending. */
void tune_space_point_at(const struct tune_space *s, size_t idx, double *point);
/* The index of a point of a finite space whose values are allowed values
 * (as tune_space_from_unit and tune_param_snap give them). */
size_t tune_space_point_index(const struct tune_space *s, const double *point);

/* A uniform (log-uniform on log scale) random point. */
void tune_space_sample(const struct tune_space *s, gsl_rng *rng, double *point);

/* Write the parameter's value as JSON text into buf: a number (%.17g, ints
 * without exponent), a quoted categorical value, or true/false. */
void tune_param_format(const struct tune_param *p, double v, char *buf, size_t len);

/* A point as the JSON object of a trial's params, keys (tune_param_key) in
 * the space's order, inactive parameters left out, built with cJSON (names and values escaped), numbers as
 * tune_param_format writes them (they read back bit for bit).  NULL when
 * out of memory; the caller frees with free(). */
char *tune_space_point_json(const struct tune_space *s, const double *point);

/* Read a trial's params object back into a point of the space: 1 when every
 * active parameter is present with a value of its type (a categorical by its
 * text), else 0 (point then partly written).  Inactive parameters are NAN;
 * other keys are ignored.  `json` may be NULL (0). */
int tune_space_point_from_json(const struct tune_space *s, const char *json, double *point);

/* The same, strictly, for points a person wrote (an enqueued point): every
 * active parameter present and allowed (within its range, an integer where
 * it must be, on its step, one of its choices), and no other key — neither
 * one the space lacks nor an inactive parameter's.  TUNE_EINVAL with a
 * message naming the parameter ("l1_ratio: only with penalty elasticnet, not
 * l2"). */
int tune_space_point_parse(const struct tune_space *s, const char *json, double *point,
                           struct tune_error *err);

#ifdef __cplusplus
}
#endif
#endif
