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
};

struct tune_space {
    size_t n;
    struct tune_param *params;
};

/* Default grid points for a numeric parameter without "grid_points". */
#define TUNE_GRID_POINTS_DEFAULT 5

/* Free the space's parameters (not the struct itself when it is embedded). */
void tune_space_release(struct tune_space *s);

/* Index of the parameter called `name`, or -1. */
long tune_space_find(const struct tune_space *s, const char *name);

/* Snap a value to the parameter's allowed set (round ints and steps, clamp).
 * A stepped float lands on low + k step rounded to 15 significant digits,
 * so 0.1 + 2 x 0.1 is 0.3, not 0.30000000000000004. */
double tune_param_snap(const struct tune_param *p, double v);

/* Map a point to the unit cube and back.  from_unit snaps. */
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
 * space); 0 when a parameter is a continuum; SIZE_MAX when too many to
 * count. */
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

/* A point as the JSON object of a trial's params, keys in the space's order,
 * built with cJSON (names and values escaped), numbers as
 * tune_param_format writes them (they read back bit for bit).  NULL when
 * out of memory; the caller frees with free(). */
char *tune_space_point_json(const struct tune_space *s, const double *point);

/* Read a trial's params object back into a point of the space: 1 when every
 * parameter is present with a value of its type (a categorical by its text),
 * else 0 (point then partly written).  `json` may be NULL (0). */
int tune_space_point_from_json(const struct tune_space *s, const char *json, double *point);

#ifdef __cplusplus
}
#endif
#endif
