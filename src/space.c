/* SPDX-License-Identifier: GPL-3.0-or-later */
/* space.c — search-space parameters, the unit-cube mapping, grids, sampling.
 *
 * The unit cube is the one coordinate system every searcher works in.  The
 * mapping gives each allowed value an equal share of [0,1] where values are
 * discrete: an int range [low, high] maps from [low-0.5, high+0.5] (in log
 * space for a log scale, as Optuna does), so rounding after a uniform draw
 * makes every integer equally likely (log-uniformly likely on a log scale);
 * a categorical with k values owns k equal cells.
 *
 * Values a person reads (grid values, stepped floats) are the numbers a
 * person would write: arithmetic in binary turns 0.1 + 2 x 0.1 into
 * 0.30000000000000004 and exp(log 2^-5 + ...) into 1.9999999999999993, so
 * such a value is rounded to 15 significant digits (every decimal of 15
 * digits survives a round trip through a double, so the rounding only drops
 * the noise of the last bits), and a log grid whose ends are both powers of
 * 10 (or of 2) takes the exact powers where its exponents are integers.
 *
 * Conditional parameters.  The conditions form a forest: a parameter has at
 * most one parent, a categorical or a bool, and is active when its parent
 * is and takes one of its `when` values.  A point keeps NAN in an inactive
 * parameter, so the configurations of a finite space are counted and
 * enumerated over that forest: a parameter without children counts its
 * values; a choice counts, for each of its values, the product of the
 * counts of the children that value activates (1 when none); a list of
 * sibling subtrees is a mixed-radix number, the last sibling fastest.
 * Without conditions every parameter is a root without children, and the
 * order is the plain product order (last parameter fastest). */
#include "tunefold/space.h"
#include "tunefold/text.h"

#include <cJSON.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *tune_param_type_name(enum tune_param_type t)
{
    switch (t) {
    case TUNE_PARAM_FLOAT: return "float";
    case TUNE_PARAM_INT: return "int";
    case TUNE_PARAM_CATEGORICAL: return "categorical";
    case TUNE_PARAM_BOOL: return "bool";
    }
    return "unknown";
}

void tune_space_release(struct tune_space *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        struct tune_param *p = &s->params[i];
        free(p->name);
        for (size_t k = 0; k < p->n_values; k++)
            free(p->values[k]);
        free(p->values);
        free(p->when_values);
        free(p->key);
    }
    free(s->params);
    s->params = NULL;
    s->n = 0;
}

long tune_space_find(const struct tune_space *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->params[i].name, name) == 0)
            return (long)i;
    return -1;
}

const char *tune_param_key(const struct tune_param *p)
{
    return p->key ? p->key : p->name;
}

static double param_step(const struct tune_param *p)
{
    if (p->type == TUNE_PARAM_INT)
        return p->step > 1 ? p->step : 1;
    return p->step;
}

static size_t n_choices(const struct tune_param *p)
{
    return p->type == TUNE_PARAM_BOOL ? 2 : p->n_values;
}

static int is_choice(const struct tune_param *p)
{
    return p->type == TUNE_PARAM_CATEGORICAL || p->type == TUNE_PARAM_BOOL;
}

/* ---- conditions ----------------------------------------------------------- */

/* Does value v of parameter `parent` activate c (c's own condition only)? */
static int activates(const struct tune_param *c, size_t parent, double v)
{
    if (!c->n_when || c->when_param != parent)
        return 0;
    for (size_t k = 0; k < c->n_when; k++)
        if (c->when_values[k] == v)
            return 1;
    return 0;
}

int tune_space_is_conditional(const struct tune_space *s)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->params[i].n_when)
            return 1;
    return 0;
}

int tune_space_active(const struct tune_space *s, const double *point, size_t i)
{
    /* at most n steps up: tune_space_check refuses cycles, and this bound
     * keeps an unchecked space from looping */
    for (size_t steps = 0; steps <= s->n && i < s->n; steps++) {
        const struct tune_param *p = &s->params[i];
        if (!p->n_when)
            return 1;
        size_t up = p->when_param;
        if (up >= s->n || isnan(point[up]) || !activates(p, up, point[up]))
            return 0;
        i = up;
    }
    return 0;
}

void tune_space_apply_conditions(const struct tune_space *s, double *point)
{
    /* An inactive parameter's descendants are inactive too, so setting it
     * to NAN on the way changes no later answer. */
    for (size_t i = 0; i < s->n; i++)
        if (s->params[i].n_when && !tune_space_active(s, point, i))
            point[i] = NAN;
}

/* The most parameters active at once in the subtree of parameter i. */
static size_t node_dim(const struct tune_space *s, size_t i, size_t depth)
{
    const struct tune_param *p = &s->params[i];
    size_t best = 0;
    if (is_choice(p) && depth <= s->n)
        for (size_t v = 0; v < n_choices(p); v++) {
            size_t sum = 0;
            for (size_t j = 0; j < s->n; j++)
                if (activates(&s->params[j], i, (double)v))
                    sum += node_dim(s, j, depth + 1);
            best = sum > best ? sum : best;
        }
    return 1 + best;
}

size_t tune_space_active_dim(const struct tune_space *s)
{
    size_t d = 0;
    for (size_t i = 0; i < s->n; i++)
        if (!s->params[i].n_when)
            d += node_dim(s, i, 0);
    return d;
}

int tune_space_check(const struct tune_space *s, struct tune_error *err)
{
    for (size_t i = 0; i < s->n; i++) {
        const struct tune_param *p = &s->params[i];
        if (!p->n_when)
            continue;
        if (p->when_param >= s->n || p->when_param == i)
            return tune_error_set(err, TUNE_EINVAL, "space.%s.when: no such parameter",
                                  p->name);
        const struct tune_param *up = &s->params[p->when_param];
        if (!is_choice(up))
            return tune_error_set(err, TUNE_EINVAL,
                                  "space.%s.when: '%s' is a %s parameter; a condition names a "
                                  "categorical or bool parameter",
                                  p->name, up->name, tune_param_type_name(up->type));
        for (size_t k = 0; k < p->n_when; k++) {
            double v = p->when_values[k];
            if (!(v >= 0 && v < (double)n_choices(up) && v == floor(v)))
                return tune_error_set(err, TUNE_EINVAL,
                                      "space.%s.when: value %g is not a choice of '%s'",
                                      p->name, v, up->name);
        }
        size_t j = i, steps = 0;
        while (s->params[j].n_when && steps++ <= s->n)
            j = s->params[j].when_param;
        if (steps > s->n)
            return tune_error_set(err, TUNE_EINVAL,
                                  "space.%s.when: the conditions go round in a circle back "
                                  "to '%s'",
                                  p->name, p->name);
    }
    return TUNE_OK;
}

/* ---- counting and enumerating canonical points ---------------------------
 *
 * Counts saturate at SIZE_MAX ("too many").  `grid` chooses what a numeric
 * parameter counts: its grid values, or its allowed values. */

static size_t sat_mul(size_t a, size_t b)
{
    if (a == SIZE_MAX || b == SIZE_MAX || (a && b > SIZE_MAX / a))
        return SIZE_MAX;
    return a * b;
}

static size_t sat_add(size_t a, size_t b)
{
    return a == SIZE_MAX || b == SIZE_MAX || a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

static size_t node_count(const struct tune_space *s, size_t i, int grid);

/* Configurations of the children value v of choice i activates. */
static size_t branch_count(const struct tune_space *s, size_t i, double v, int grid)
{
    size_t total = 1;
    for (size_t j = 0; j < s->n; j++)
        if (activates(&s->params[j], i, v))
            total = sat_mul(total, node_count(s, j, grid));
    return total;
}

static size_t node_count(const struct tune_space *s, size_t i, int grid)
{
    const struct tune_param *p = &s->params[i];
    if (is_choice(p)) {
        size_t total = 0;
        for (size_t v = 0; v < n_choices(p); v++)
            total = sat_add(total, branch_count(s, i, (double)v, grid));
        return total;
    }
    size_t c = grid ? tune_param_grid_count(p) : tune_param_n_values(p);
    return c ? c : SIZE_MAX; /* a continuum (allowed values) is refused before */
}

static double own_value(const struct tune_param *p, size_t k, int grid)
{
    return grid ? tune_param_grid_value(p, k) : tune_param_value_at(p, k);
}

static void assign_node(const struct tune_space *s, size_t i, size_t sub, int grid,
                        double *point);

/* Write the children value v of choice i activates, from index sub of
 * their block (the last child fastest). */
static void assign_branch(const struct tune_space *s, size_t i, double v, size_t sub, int grid,
                          double *point)
{
    for (size_t j = s->n; j-- > 0;)
        if (activates(&s->params[j], i, v)) {
            size_t c = node_count(s, j, grid);
            assign_node(s, j, sub % c, grid, point);
            sub /= c;
        }
}

static void assign_node(const struct tune_space *s, size_t i, size_t sub, int grid,
                        double *point)
{
    const struct tune_param *p = &s->params[i];
    if (!is_choice(p)) {
        point[i] = own_value(p, sub, grid);
        return;
    }
    for (size_t v = 0; v < n_choices(p); v++) {
        size_t b = branch_count(s, i, (double)v, grid);
        if (sub < b || v + 1 == n_choices(p)) {
            point[i] = (double)v;
            assign_branch(s, i, (double)v, sub, grid, point);
            return;
        }
        sub -= b;
    }
}

/* Point idx of the forest (roots: the unconditional parameters). */
static void forest_point(const struct tune_space *s, size_t idx, int grid, double *point)
{
    for (size_t i = 0; i < s->n; i++)
        point[i] = NAN;
    for (size_t i = s->n; i-- > 0;)
        if (!s->params[i].n_when) {
            size_t c = node_count(s, i, grid);
            assign_node(s, i, idx % c, grid, point);
            idx /= c;
        }
}

static size_t forest_count(const struct tune_space *s, int grid)
{
    size_t total = 1;
    for (size_t i = 0; i < s->n; i++)
        if (!s->params[i].n_when)
            total = sat_mul(total, node_count(s, i, grid));
    return total;
}

/* v rounded to 15 significant digits: what a person would have written. */
static double decimal(double v)
{
    char buf[40];
    if (!isfinite(v) || v == 0)
        return v;
    snprintf(buf, sizeof buf, "%.15g", v);
    return strtod(buf, NULL);
}

double tune_param_snap(const struct tune_param *p, double v)
{
    if (p->type == TUNE_PARAM_CATEGORICAL || p->type == TUNE_PARAM_BOOL) {
        double k = (double)n_choices(p);
        v = floor(v + 0.5);
        return v < 0 ? 0 : v > k - 1 ? k - 1 : v;
    }
    double step = param_step(p);
    if (step > 0) {
        double m = floor((v - p->low) / step + 0.5);
        double top = floor((p->high - p->low) / step + 1e-9);
        m = m < 0 ? 0 : m > top ? top : m;
        v = p->low + m * step;
        v = p->type == TUNE_PARAM_INT ? floor(v + 0.5) : decimal(v);
    }
    return v < p->low ? p->low : v > p->high ? p->high : v;
}

/* The interval the unit coordinate spans, in (log) value space. */
static void numeric_span(const struct tune_param *p, double *a, double *b)
{
    double half = param_step(p) / 2;
    double lo = p->low - half, hi = p->high + half;
    if (p->log) {
        /* a log-scale int or stepped float keeps a positive lower end */
        lo = lo > 0 ? lo : p->low;
        *a = log(lo);
        *b = log(hi);
    } else {
        *a = lo;
        *b = hi;
    }
}

void tune_space_to_unit(const struct tune_space *s, const double *point, double *u)
{
    for (size_t i = 0; i < s->n; i++) {
        const struct tune_param *p = &s->params[i];
        if (isnan(point[i])) { /* inactive: any coordinate will do */
            u[i] = 0.5;
            continue;
        }
        if (p->type == TUNE_PARAM_CATEGORICAL || p->type == TUNE_PARAM_BOOL) {
            u[i] = (point[i] + 0.5) / (double)n_choices(p);
            continue;
        }
        double a, b, v = p->log ? log(point[i]) : point[i];
        numeric_span(p, &a, &b);
        u[i] = b > a ? (v - a) / (b - a) : 0.5;
        u[i] = u[i] < 0 ? 0 : u[i] > 1 ? 1 : u[i];
    }
}

/* One coordinate to a value of p, conditions aside. */
static double unit_value(const struct tune_param *p, double u)
{
    double ui = u < 0 ? 0 : u > 1 ? 1 : isnan(u) ? 0.5 : u;
    if (p->type == TUNE_PARAM_CATEGORICAL || p->type == TUNE_PARAM_BOOL) {
        double k = (double)n_choices(p);
        double idx = floor(ui * k);
        return idx > k - 1 ? k - 1 : idx;
    }
    /* the ends are the bounds as written: exp(log(0.5)) is 0.49999999999999994 */
    if (ui == 0 || ui == 1)
        return tune_param_snap(p, ui == 0 ? p->low : p->high);
    double a, b;
    numeric_span(p, &a, &b);
    double v = a + ui * (b - a);
    return tune_param_snap(p, p->log ? exp(v) : v);
}

void tune_space_from_unit(const struct tune_space *s, const double *u, double *point)
{
    for (size_t i = 0; i < s->n; i++)
        point[i] = unit_value(&s->params[i], u[i]);
    tune_space_apply_conditions(s, point);
}

/* The exponent k when v is exactly the double nearest base^k (base 2 or
 * 10); 0 when it is not a power. */
static int power_of(double v, int base, int *k)
{
    if (!(v > 0) || !isfinite(v))
        return 0;
    if (base == 2) {
        int e;
        if (frexp(v, &e) != 0.5)
            return 0;
        *k = e - 1;
        return 1;
    }
    double lg = floor(log10(v) + 0.5);
    char buf[16];
    snprintf(buf, sizeof buf, "1e%d", (int)lg);
    if (strtod(buf, NULL) != v)
        return 0;
    *k = (int)lg;
    return 1;
}

/* base^k as the nearest double (a decimal power through strtod, which
 * rounds correctly; pow need not). */
static double power(int base, int k)
{
    if (base == 2)
        return ldexp(1, k);
    char buf[16];
    snprintf(buf, sizeof buf, "1e%d", k);
    return strtod(buf, NULL);
}

/* The value at fraction t of a numeric parameter's grid, unsnapped. */
static double grid_at(const struct tune_param *p, double t)
{
    if (!p->log)
        return decimal(p->low + t * (p->high - p->low));
    static const int bases[2] = {10, 2};
    for (int b = 0; b < 2; b++) {
        int ka, kb;
        if (!power_of(p->low, bases[b], &ka) || !power_of(p->high, bases[b], &kb))
            continue;
        double e = ka + t * (kb - ka), r = floor(e + 0.5);
        if (fabs(e - r) < 1e-9)
            return power(bases[b], (int)r);
        break;
    }
    return decimal(exp(log(p->low) + t * (log(p->high) - log(p->low))));
}

/* Fill vals (capacity cap) with the distinct grid values of p; returns count. */
static size_t grid_values(const struct tune_param *p, double *vals, size_t cap)
{
    if (p->type == TUNE_PARAM_CATEGORICAL || p->type == TUNE_PARAM_BOOL) {
        size_t k = n_choices(p);
        for (size_t i = 0; i < k && i < cap; i++)
            vals[i] = (double)i;
        return k < cap ? k : cap;
    }
    size_t g = p->grid_points ? p->grid_points : TUNE_GRID_POINTS_DEFAULT;
    size_t n = 0;
    for (size_t i = 0; i < g; i++) {
        double t = g == 1 ? 0.5 : (double)i / (double)(g - 1);
        double v = grid_at(p, t);
        /* exact ends: exp(log(x)) need not be x */
        if (g > 1 && i == 0)
            v = p->low;
        if (g > 1 && i == g - 1)
            v = p->high;
        v = tune_param_snap(p, v);
        if (n > 0 && v == vals[n - 1])
            continue;
        if (n < cap)
            vals[n] = v;
        n++;
    }
    return n < cap ? n : cap;
}

size_t tune_param_grid_count(const struct tune_param *p)
{
    size_t g = p->grid_points ? p->grid_points : TUNE_GRID_POINTS_DEFAULT;
    if (p->type == TUNE_PARAM_CATEGORICAL || p->type == TUNE_PARAM_BOOL)
        g = n_choices(p);
    double *vals = malloc(g * sizeof *vals);
    if (!vals)
        return 0;
    size_t n = grid_values(p, vals, g);
    free(vals);
    return n;
}

double tune_param_grid_value(const struct tune_param *p, size_t k)
{
    size_t g = p->grid_points ? p->grid_points : TUNE_GRID_POINTS_DEFAULT;
    if (p->type == TUNE_PARAM_CATEGORICAL || p->type == TUNE_PARAM_BOOL)
        return (double)k;
    double *vals = malloc(g * sizeof *vals);
    if (!vals)
        return NAN;
    size_t n = grid_values(p, vals, g);
    double v = k < n ? vals[k] : NAN;
    free(vals);
    return v;
}

size_t tune_space_grid_size(const struct tune_space *s)
{
    return forest_count(s, 1);
}

void tune_space_grid_point(const struct tune_space *s, size_t idx, double *point)
{
    forest_point(s, idx, 1, point);
}

size_t tune_param_n_values(const struct tune_param *p)
{
    if (p->type == TUNE_PARAM_CATEGORICAL || p->type == TUNE_PARAM_BOOL)
        return n_choices(p);
    double step = param_step(p);
    if (!(step > 0))
        return 0;
    /* as tune_param_snap counts them */
    double c = floor((p->high - p->low) / step + 1e-9) + 1;
    return c < 1e15 ? (size_t)c : SIZE_MAX;
}

double tune_param_value_at(const struct tune_param *p, size_t k)
{
    if (p->type == TUNE_PARAM_CATEGORICAL || p->type == TUNE_PARAM_BOOL)
        return (double)k;
    return tune_param_snap(p, p->low + (double)k * param_step(p));
}

/* The index of an allowed value (the inverse of tune_param_value_at). */
static size_t value_index(const struct tune_param *p, double v)
{
    if (p->type == TUNE_PARAM_CATEGORICAL || p->type == TUNE_PARAM_BOOL)
        return (size_t)v;
    double m = floor((v - p->low) / param_step(p) + 0.5);
    return m > 0 ? (size_t)m : 0;
}

size_t tune_space_size(const struct tune_space *s)
{
    /* every parameter is active somewhere, so one continuum makes the
     * space infinite */
    for (size_t i = 0; i < s->n; i++)
        if (tune_param_n_values(&s->params[i]) == 0)
            return 0;
    return forest_count(s, 0);
}

void tune_space_point_at(const struct tune_space *s, size_t idx, double *point)
{
    forest_point(s, idx, 0, point);
}

static size_t node_index(const struct tune_space *s, size_t i, const double *point);

static size_t branch_index(const struct tune_space *s, size_t i, double v, const double *point)
{
    size_t idx = 0;
    for (size_t j = 0; j < s->n; j++)
        if (activates(&s->params[j], i, v))
            idx = idx * node_count(s, j, 0) + node_index(s, j, point);
    return idx;
}

static size_t node_index(const struct tune_space *s, size_t i, const double *point)
{
    const struct tune_param *p = &s->params[i];
    if (!is_choice(p))
        return value_index(p, point[i]);
    size_t base = 0, v = (size_t)point[i];
    for (size_t w = 0; w < v; w++)
        base += branch_count(s, i, (double)w, 0);
    return base + branch_index(s, i, (double)v, point);
}

size_t tune_space_point_index(const struct tune_space *s, const double *point)
{
    size_t idx = 0;
    for (size_t i = 0; i < s->n; i++)
        if (!s->params[i].n_when)
            idx = idx * node_count(s, i, 0) + node_index(s, i, point);
    return idx;
}

void tune_space_sample(const struct tune_space *s, gsl_rng *rng, double *point)
{
    /* one draw per parameter, in order: the stream stays the same whatever
     * the other parameters' types are */
    for (size_t i = 0; i < s->n; i++)
        point[i] = unit_value(&s->params[i], gsl_rng_uniform(rng));
    tune_space_apply_conditions(s, point);
}

/* Shortest text that reads back as the same double; JSON's null for the
 * non-finite. */
static void format_double(double v, char *buf, size_t len)
{
    if (!isfinite(v))
        snprintf(buf, len, "null");
    else
        tune_format_double(v, buf, len);
}

void tune_param_format(const struct tune_param *p, double v, char *buf, size_t len)
{
    if (len == 0)
        return;
    switch (p->type) {
    case TUNE_PARAM_FLOAT:
        format_double(v, buf, len);
        return;
    case TUNE_PARAM_INT:
        snprintf(buf, len, "%.0f", v);
        return;
    case TUNE_PARAM_BOOL:
        snprintf(buf, len, "%s", v != 0 ? "true" : "false");
        return;
    case TUNE_PARAM_CATEGORICAL: {
        size_t idx = v >= 0 && v < (double)p->n_values ? (size_t)v : 0;
        const char *s = p->n_values ? p->values[idx] : "";
        size_t o = 0;
        buf[o++] = '"';
        for (; *s && o + 8 < len; s++) {
            unsigned char c = (unsigned char)*s;
            if (c == '"' || c == '\\') {
                buf[o++] = '\\';
                buf[o++] = (char)c;
            } else if (c < 0x20) {
                o += (size_t)snprintf(buf + o, len - o, "\\u%04x", c);
            } else {
                buf[o++] = (char)c;
            }
        }
        if (o + 1 < len)
            buf[o++] = '"';
        buf[o] = '\0';
        return;
    }
    }
    buf[0] = '\0';
}

/* Appends to a growing string; 0 when out of memory. */
static int append(char **buf, size_t *len, size_t *cap, const char *text)
{
    size_t n = strlen(text);
    if (*len + n + 1 > *cap) {
        size_t c = *cap ? *cap : 128;
        while (*len + n + 1 > c)
            c *= 2;
        char *b = realloc(*buf, c);
        if (!b)
            return 0;
        *buf = b;
        *cap = c;
    }
    memcpy(*buf + *len, text, n + 1);
    *len += n;
    return 1;
}

/* A string as JSON text, escaped by cJSON; malloc'ed copy or NULL. */
static char *json_quote(const char *s)
{
    cJSON *item = cJSON_CreateString(s);
    char *text = item ? cJSON_PrintUnformatted(item) : NULL;
    char *out = text ? strdup(text) : NULL;
    cJSON_free(text);
    cJSON_Delete(item);
    return out;
}

/* The layout is {"a": 1, "b": "x"}, as every stored study has it; keys and
 * strings are escaped by cJSON, numbers written by tune_param_format. */
char *tune_space_point_json(const struct tune_space *s, const double *point)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int ok = append(&buf, &len, &cap, "{");
    for (size_t i = 0, shown = 0; ok && i < s->n; i++) {
        const struct tune_param *p = &s->params[i];
        if (isnan(point[i]))
            continue; /* inactive */
        char *key = json_quote(tune_param_key(p)), *str = NULL, num[400];
        const char *value = num;
        if (p->type == TUNE_PARAM_CATEGORICAL) {
            size_t k = point[i] >= 0 && point[i] < (double)p->n_values ? (size_t)point[i] : 0;
            value = str = json_quote(p->n_values ? p->values[k] : "");
        } else {
            tune_param_format(p, point[i], num, sizeof num);
        }
        ok = key && value && append(&buf, &len, &cap, shown++ ? ", " : "") &&
             append(&buf, &len, &cap, key) && append(&buf, &len, &cap, ": ") &&
             append(&buf, &len, &cap, value);
        free(key);
        free(str);
    }
    if (ok && append(&buf, &len, &cap, "}"))
        return buf;
    free(buf);
    return NULL;
}

/* The choice text of a condition's values, for messages ("l1 or l2"). */
static void when_text(const struct tune_space *s, const struct tune_param *p, char *buf,
                      size_t len)
{
    const struct tune_param *up = &s->params[p->when_param];
    buf[0] = '\0';
    for (size_t k = 0; k < p->n_when; k++) {
        char one[200];
        size_t v = (size_t)p->when_values[k];
        if (up->type == TUNE_PARAM_BOOL)
            snprintf(one, sizeof one, "%s", v ? "true" : "false");
        else
            snprintf(one, sizeof one, "%s", v < up->n_values ? up->values[v] : "?");
        strncat(buf, k == 0 ? "" : k + 1 == p->n_when ? " or " : ", ", len - strlen(buf) - 1);
        strncat(buf, one, len - strlen(buf) - 1);
    }
}

/* Is value v allowed for p (a person's value, read strictly)? */
static int allowed(const struct tune_param *p, double v)
{
    if (!isfinite(v) || v < p->low || v > p->high)
        return 0;
    if (p->type == TUNE_PARAM_INT && v != floor(v))
        return 0;
    return param_step(p) > 0 ? tune_param_snap(p, v) == v : 1;
}

/* Nonzero when both texts are whole numbers in C syntax with equal values. */
static int same_number(const char *a, const char *b)
{
    char *end_a, *end_b;
    double x = strtod(a, &end_a), y = strtod(b, &end_b);
    return end_a != a && !*end_a && end_b != b && !*end_b && x == y;
}

/* Read one value of p from v (cJSON); 0 when it has the wrong type (or,
 * strictly, is not allowed). */
static int read_value(const struct tune_param *p, const cJSON *v, int strict, double *out)
{
    if (p->type == TUNE_PARAM_BOOL) {
        *out = cJSON_IsTrue(v);
        return cJSON_IsBool(v);
    }
    if (p->type == TUNE_PARAM_CATEGORICAL) {
        char num[64];
        const char *text = cJSON_IsString(v) ? v->valuestring : NULL;
        if (cJSON_IsNumber(v)) {
            tune_format_double(v->valuedouble, num, sizeof num);
            text = num;
        }
        for (size_t k = 0; text && k < p->n_values; k++)
            if (strcmp(p->values[k], text) == 0) {
                *out = (double)k;
                return 1;
            }
        /* A numeric choice stored by a tunefold that wrote 17 digits
         * ("0.10000000000000001" for 0.1) is the same choice. */
        for (size_t k = 0; text && k < p->n_values; k++)
            if (same_number(p->values[k], text)) {
                *out = (double)k;
                return 1;
            }
        return 0;
    }
    if (!cJSON_IsNumber(v))
        return 0;
    *out = v->valuedouble;
    return !strict || allowed(p, *out);
}

/* Both readers: parents are read before their children (a pass reads every
 * parameter whose parent is known), so activity is decided on the values
 * read.  err == NULL: the lenient reader of stored params. */
static int parse_point(const struct tune_space *s, const char *json, double *point,
                       struct tune_error *err)
{
    int strict = err != NULL;
    cJSON *obj = json ? cJSON_Parse(json) : NULL;
    unsigned char *known = calloc(s->n + 1, 1);
    int ok = cJSON_IsObject(obj) && known;
    if (strict && !known) {
        cJSON_Delete(obj);
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    }
    if (strict && !ok) {
        cJSON_Delete(obj);
        free(known);
        return tune_error_set(err, TUNE_EINVAL, "must be a JSON object of parameters");
    }
    for (size_t done = 0, progress = 1; ok && done < s->n && progress;) {
        progress = 0;
        for (size_t i = 0; ok && i < s->n; i++) {
            const struct tune_param *p = &s->params[i];
            if (known[i] || (p->n_when && p->when_param < s->n && !known[p->when_param]))
                continue;
            known[i] = 1;
            done++;
            progress = 1;
            point[i] = NAN;
            if (p->n_when && !tune_space_active(s, point, i))
                continue;
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, tune_param_key(p));
            if (!v) {
                ok = 0;
                if (strict)
                    tune_error_set(err, TUNE_EINVAL, "%s: missing", tune_param_key(p));
            } else if (!read_value(p, v, strict, &point[i])) {
                ok = 0;
                if (strict && p->type == TUNE_PARAM_CATEGORICAL) {
                    char list[256] = "";
                    for (size_t k = 0; k < p->n_values; k++) {
                        strncat(list, k ? ", " : "", sizeof list - strlen(list) - 1);
                        strncat(list, p->values[k], sizeof list - strlen(list) - 1);
                    }
                    tune_error_set(err, TUNE_EINVAL, "%s: must be one of: %s",
                                   tune_param_key(p), list);
                } else if (strict && p->type == TUNE_PARAM_BOOL) {
                    tune_error_set(err, TUNE_EINVAL, "%s: must be true or false",
                                   tune_param_key(p));
                } else if (strict) {
                    tune_error_set(err, TUNE_EINVAL,
                                   "%s: must be %s in [%g, %g]%s", tune_param_key(p),
                                   p->type == TUNE_PARAM_INT ? "an integer" : "a number",
                                   p->low, p->high,
                                   param_step(p) > 0 && p->type == TUNE_PARAM_FLOAT
                                       ? " on its step"
                                       : "");
                }
            }
        }
    }
    /* strictly, every key is an active parameter's */
    for (const cJSON *it = ok && strict ? obj->child : NULL; it && ok; it = it->next) {
        int used = 0;
        long inactive = -1;
        for (size_t i = 0; i < s->n && !used; i++)
            if (strcmp(tune_param_key(&s->params[i]), it->string) == 0) {
                if (isnan(point[i]))
                    inactive = inactive < 0 ? (long)i : inactive;
                else
                    used = 1;
            }
        if (used)
            continue;
        ok = 0;
        if (inactive < 0) {
            tune_error_set(err, TUNE_EINVAL, "%s: not a parameter of the space", it->string);
        } else {
            const struct tune_param *p = &s->params[inactive];
            const struct tune_param *up = &s->params[p->when_param];
            char list[256];
            when_text(s, p, list, sizeof list);
            if (isnan(point[p->when_param]))
                tune_error_set(err, TUNE_EINVAL, "%s: only with %s %s, which is itself "
                                                 "inactive here",
                               it->string, tune_param_key(up), list);
            else {
                char cur[200];
                if (up->type == TUNE_PARAM_BOOL)
                    snprintf(cur, sizeof cur, "%s", point[p->when_param] ? "true" : "false");
                else
                    snprintf(cur, sizeof cur, "%s", up->values[(size_t)point[p->when_param]]);
                tune_error_set(err, TUNE_EINVAL, "%s: only with %s %s, not %s", it->string,
                               tune_param_key(up), list, cur);
            }
        }
    }
    cJSON_Delete(obj);
    free(known);
    return strict ? (ok ? TUNE_OK : TUNE_EINVAL) : ok;
}

int tune_space_point_from_json(const struct tune_space *s, const char *json, double *point)
{
    return parse_point(s, json, point, NULL);
}

int tune_space_point_parse(const struct tune_space *s, const char *json, double *point,
                           struct tune_error *err)
{
    struct tune_error local;
    return parse_point(s, json, point, err ? err : &local);
}
