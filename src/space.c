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
 * 10 (or of 2) takes the exact powers where its exponents are integers. */
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

void tune_space_from_unit(const struct tune_space *s, const double *u, double *point)
{
    for (size_t i = 0; i < s->n; i++) {
        const struct tune_param *p = &s->params[i];
        double ui = u[i] < 0 ? 0 : u[i] > 1 ? 1 : u[i];
        if (p->type == TUNE_PARAM_CATEGORICAL || p->type == TUNE_PARAM_BOOL) {
            double k = (double)n_choices(p);
            double idx = floor(ui * k);
            point[i] = idx > k - 1 ? k - 1 : idx;
            continue;
        }
        double a, b;
        numeric_span(p, &a, &b);
        double v = a + ui * (b - a);
        point[i] = tune_param_snap(p, p->log ? exp(v) : v);
    }
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
    size_t total = 1;
    for (size_t i = 0; i < s->n; i++) {
        size_t c = tune_param_grid_count(&s->params[i]);
        if (c == 0 || total > SIZE_MAX / c)
            return SIZE_MAX;
        total *= c;
    }
    return total;
}

void tune_space_grid_point(const struct tune_space *s, size_t idx, double *point)
{
    for (size_t i = s->n; i-- > 0;) {
        const struct tune_param *p = &s->params[i];
        size_t c = tune_param_grid_count(p);
        point[i] = tune_param_grid_value(p, idx % c);
        idx /= c;
    }
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
    size_t total = 1;
    for (size_t i = 0; i < s->n; i++) {
        size_t c = tune_param_n_values(&s->params[i]);
        if (c == 0)
            return 0;
        if (c == SIZE_MAX || total > SIZE_MAX / c)
            return SIZE_MAX;
        total *= c;
    }
    return total;
}

void tune_space_point_at(const struct tune_space *s, size_t idx, double *point)
{
    for (size_t i = s->n; i-- > 0;) {
        const struct tune_param *p = &s->params[i];
        size_t c = tune_param_n_values(p);
        point[i] = tune_param_value_at(p, idx % c);
        idx /= c;
    }
}

size_t tune_space_point_index(const struct tune_space *s, const double *point)
{
    size_t idx = 0;
    for (size_t i = 0; i < s->n; i++) {
        const struct tune_param *p = &s->params[i];
        idx = idx * tune_param_n_values(p) + value_index(p, point[i]);
    }
    return idx;
}

void tune_space_sample(const struct tune_space *s, gsl_rng *rng, double *point)
{
    /* one draw per parameter, in order: the stream stays the same whatever
     * the other parameters' types are */
    for (size_t i = 0; i < s->n; i++) {
        struct tune_space one = {1, &s->params[i]};
        double u = gsl_rng_uniform(rng);
        tune_space_from_unit(&one, &u, &point[i]);
    }
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
    for (size_t i = 0; ok && i < s->n; i++) {
        const struct tune_param *p = &s->params[i];
        char *key = json_quote(p->name), *str = NULL, num[400];
        const char *value = num;
        if (p->type == TUNE_PARAM_CATEGORICAL) {
            size_t k = point[i] >= 0 && point[i] < (double)p->n_values ? (size_t)point[i] : 0;
            value = str = json_quote(p->n_values ? p->values[k] : "");
        } else {
            tune_param_format(p, point[i], num, sizeof num);
        }
        ok = key && value && append(&buf, &len, &cap, i ? ", " : "") &&
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

int tune_space_point_from_json(const struct tune_space *s, const char *json, double *point)
{
    cJSON *obj = json ? cJSON_Parse(json) : NULL;
    int ok = cJSON_IsObject(obj);
    for (size_t i = 0; ok && i < s->n; i++) {
        const struct tune_param *p = &s->params[i];
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, p->name);
        if (!v) {
            ok = 0;
        } else if (p->type == TUNE_PARAM_BOOL) {
            ok = cJSON_IsBool(v);
            point[i] = cJSON_IsTrue(v);
        } else if (p->type == TUNE_PARAM_CATEGORICAL) {
            char num[64];
            const char *text = cJSON_IsString(v) ? v->valuestring : NULL;
            if (cJSON_IsNumber(v)) {
                snprintf(num, sizeof num, "%.17g", v->valuedouble);
                text = num;
            }
            ok = 0;
            for (size_t k = 0; text && k < p->n_values; k++)
                if (strcmp(p->values[k], text) == 0) {
                    point[i] = (double)k;
                    ok = 1;
                }
        } else {
            ok = cJSON_IsNumber(v);
            point[i] = v->valuedouble;
        }
    }
    cJSON_Delete(obj);
    return ok;
}
