/* SPDX-License-Identifier: GPL-3.0-or-later */
/* watch.c — a study followed incrementally (see tunefold/watch.h).
 *
 * Layout: the trials live in slots (rows[], and points[] with space->n
 * doubles a slot), in no particular order; slot_of[number] finds a trial's
 * slot (-1: none).  A withdrawn claim frees its slot by moving the last slot
 * into it, so slots stay dense and the history a searcher reads is the slot
 * array itself.  entries[] is the searcher's view of the same slots; its
 * point pointers are refreshed whenever points[] moves.
 *
 * Invariants after every poll: progress counts equal a full count over
 * rows[] (search trials; lost ones counted apart), and the best is the
 * complete trial with the extreme finite value among those that kept the
 * constraints (violation not > 0), ties going to the lowest number, as the
 * store's trial_best picks it.  A trial never leaves COMPLETE, so the best
 * only improves and needs no rescan.
 *
 * With objectives tracked (tune_watch_set_objectives), each slot also holds
 * the trial's objectives and constraint slacks (track[], k doubles a slot),
 * read once, by trial_get, the first time a poll sees the trial complete:
 * what a poll reads stays proportional to what changed.
 *
 * tune_watch_history(w, exclude) hides one trial by swapping its slot with
 * the last one and handing out n - 1 entries; the next call on the watch
 * swaps it back first. */
#include "tunefold/watch.h"
#include "tunefold/pareto.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct tune_watch {
    struct tune_store *store;
    int64_t study_id;
    int maximize;
    const struct tune_space *space;
    int64_t stamp;                    /* -1 before the first poll */
    struct tune_trial_brief *rows;
    struct tune_history_entry *entries;
    double *points;                   /* cap * d, d = space ? space->n : 0 */
    unsigned char *has_point;
    size_t n, cap;
    long *slot_of;                    /* by number, -1 when absent */
    size_t slot_of_cap;
    struct tune_progress progress;
    long hidden_a, hidden_b;          /* slots swapped by tune_watch_history, or -1 */
    /* tracked objectives and constraints (tune_watch_set_objectives) */
    size_t n_obj, n_con;
    const struct tune_objective *obj;
    const struct tune_constraint *con;
    int *obj_maximize;
    double *track;                    /* cap * (n_obj + n_con) */
    unsigned char *has_track;
};

static size_t tracked(const struct tune_watch *w)
{
    return w->obj || w->con ? w->n_obj + w->n_con : 0;
}

static size_t dims(const struct tune_watch *w)
{
    return w->space ? w->space->n : 0;
}

int tune_watch_new(struct tune_store *store, int64_t study_id, int maximize,
                   const struct tune_space *space, struct tune_watch **out,
                   struct tune_error *err)
{
    *out = NULL;
    struct tune_watch *w = calloc(1, sizeof *w);
    if (!w)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory for a study watch");
    w->store = store;
    w->study_id = study_id;
    w->maximize = maximize != 0;
    w->space = space;
    w->stamp = -1;
    w->progress.best_value = w->progress.worst_value = NAN;
    w->progress.best_number = -1;
    w->hidden_a = w->hidden_b = -1;
    *out = w;
    return TUNE_OK;
}

void tune_watch_set_store(struct tune_watch *w, struct tune_store *store)
{
    w->store = store;
}

void tune_watch_free(struct tune_watch *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->n; i++) {
        free(w->rows[i].params_json);
        free(w->rows[i].error);
    }
    free(w->rows);
    free(w->entries);
    free(w->points);
    free(w->has_point);
    free(w->slot_of);
    free(w->obj_maximize);
    free(w->track);
    free(w->has_track);
    free(w);
}

int tune_watch_set_objectives(struct tune_watch *w, size_t n_objectives,
                              const struct tune_objective *objectives, size_t n_constraints,
                              const struct tune_constraint *constraints, struct tune_error *err)
{
    if (w->n || w->stamp >= 0 || n_objectives == 0)
        return tune_error_set(err, TUNE_EINVAL, "watch: objectives are set before the first poll");
    if (!(w->obj_maximize = calloc(n_objectives, sizeof *w->obj_maximize)))
        return tune_error_set(err, TUNE_ENOMEM, "out of memory for a study watch");
    for (size_t j = 0; j < n_objectives; j++)
        w->obj_maximize[j] = objectives[j].maximize;
    w->n_obj = n_objectives;
    w->obj = objectives;
    w->n_con = n_constraints;
    w->con = constraints;
    return TUNE_OK;
}

const struct tune_progress *tune_watch_progress(const struct tune_watch *w)
{
    return &w->progress;
}

static long slot_of(const struct tune_watch *w, int number)
{
    return number >= 0 && (size_t)number < w->slot_of_cap ? w->slot_of[number] : -1;
}

const struct tune_trial_brief *tune_watch_trial(const struct tune_watch *w, int number)
{
    long s = slot_of(w, number);
    return s >= 0 ? &w->rows[s] : NULL;
}

static void swap_slots(struct tune_watch *w, size_t a, size_t b)
{
    if (a == b)
        return;
    size_t d = dims(w);
    struct tune_trial_brief r = w->rows[a];
    w->rows[a] = w->rows[b];
    w->rows[b] = r;
    unsigned char hp = w->has_point[a];
    w->has_point[a] = w->has_point[b];
    w->has_point[b] = hp;
    for (size_t j = 0; j < d; j++) {
        double t = w->points[a * d + j];
        w->points[a * d + j] = w->points[b * d + j];
        w->points[b * d + j] = t;
    }
    size_t k = tracked(w);
    if (k) {
        unsigned char ht = w->has_track[a];
        w->has_track[a] = w->has_track[b];
        w->has_track[b] = ht;
        for (size_t j = 0; j < k; j++) {
            double t = w->track[a * k + j];
            w->track[a * k + j] = w->track[b * k + j];
            w->track[b * k + j] = t;
        }
    }
    w->slot_of[w->rows[a].number] = (long)a;
    w->slot_of[w->rows[b].number] = (long)b;
}

static void unhide(struct tune_watch *w)
{
    if (w->hidden_a >= 0)
        swap_slots(w, (size_t)w->hidden_a, (size_t)w->hidden_b);
    w->hidden_a = w->hidden_b = -1;
}

/* Progress: add (sign +1) or take away (-1) what one row counts for. */
static void count(struct tune_progress *p, const struct tune_trial_brief *r, int sign)
{
    if (r->origin != TUNE_ORIGIN_SEARCH)
        return;
    size_t *c = NULL;
    if (r->lost) {
        c = &p->lost;
    } else {
        switch (r->state) {
        case TUNE_TRIAL_RUNNING: c = &p->running; break;
        case TUNE_TRIAL_COMPLETE: c = &p->complete; break;
        case TUNE_TRIAL_FAILED: c = &p->failed; break;
        case TUNE_TRIAL_PRUNED: c = &p->pruned; break;
        }
        if (r->state != TUNE_TRIAL_RUNNING)
            p->finished = sign > 0 ? p->finished + 1 : p->finished - 1;
    }
    if (c)
        *c = sign > 0 ? *c + 1 : *c - 1;
}

static void consider_best(struct tune_watch *w, const struct tune_trial_brief *r)
{
    struct tune_progress *p = &w->progress;
    if (r->state != TUNE_TRIAL_COMPLETE || isnan(r->value))
        return;
    if (isnan(p->worst_value) ||
        (w->maximize ? r->value < p->worst_value : r->value > p->worst_value))
        p->worst_value = r->value;
    if (r->violation > 0)
        return; /* it broke the constraints: never the best */
    int better = p->best_number < 0 || (w->maximize ? r->value > p->best_value
                                                    : r->value < p->best_value) ||
                 (r->value == p->best_value && r->number < p->best_number);
    if (better) {
        p->best_value = r->value;
        p->best_number = r->number;
    }
}

static int grow(struct tune_watch *w, int number)
{
    if ((size_t)number >= w->slot_of_cap) {
        size_t cap = w->slot_of_cap ? w->slot_of_cap : 64;
        while (cap <= (size_t)number)
            cap *= 2;
        long *v = realloc(w->slot_of, cap * sizeof *v);
        if (!v)
            return -1;
        for (size_t i = w->slot_of_cap; i < cap; i++)
            v[i] = -1;
        w->slot_of = v;
        w->slot_of_cap = cap;
    }
    if (w->n == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 64, d = dims(w);
        struct tune_trial_brief *rows = realloc(w->rows, cap * sizeof *rows);
        if (rows)
            w->rows = rows;
        struct tune_history_entry *e = rows ? realloc(w->entries, cap * sizeof *e) : NULL;
        if (e)
            w->entries = e;
        unsigned char *hp = e ? realloc(w->has_point, cap) : NULL;
        if (hp)
            w->has_point = hp;
        double *pts = hp ? realloc(w->points, (cap * d + 1) * sizeof *pts) : NULL;
        if (!pts)
            return -1;
        w->points = pts;
        size_t k = tracked(w);
        if (k) {
            double *tr = realloc(w->track, cap * k * sizeof *tr);
            if (tr)
                w->track = tr;
            unsigned char *ht = tr ? realloc(w->has_track, cap) : NULL;
            if (!ht)
                return -1;
            w->has_track = ht;
        }
        w->cap = cap;
    }
    return 0;
}

/* Apply one changed row (ownership of its strings moves into the watch). */
static int apply(struct tune_watch *w, struct tune_trial_brief *now, tune_watch_fn fn, void *arg)
{
    long s = slot_of(w, now->number);
    if (now->gone) {
        if (s < 0)
            return 0;
        if (fn)
            fn(arg, &w->rows[s], now);
        count(&w->progress, &w->rows[s], -1);
        free(w->rows[s].params_json);
        free(w->rows[s].error);
        size_t last = w->n - 1;
        w->slot_of[now->number] = -1;
        if ((size_t)s != last) {
            size_t k = tracked(w);
            w->rows[s] = w->rows[last];
            w->has_point[s] = w->has_point[last];
            memcpy(&w->points[(size_t)s * dims(w)], &w->points[last * dims(w)],
                   dims(w) * sizeof *w->points);
            if (k) {
                w->has_track[s] = w->has_track[last];
                memcpy(&w->track[(size_t)s * k], &w->track[last * k], k * sizeof *w->track);
            }
            w->slot_of[w->rows[s].number] = s;
        }
        w->n--;
        return 0;
    }
    if (s < 0) {
        if (grow(w, now->number))
            return -1;
        s = (long)w->n++;
        w->slot_of[now->number] = s;
        if (tracked(w))
            w->has_track[s] = 0;
        if (fn)
            fn(arg, NULL, now);
    } else {
        if (fn)
            fn(arg, &w->rows[s], now);
        count(&w->progress, &w->rows[s], -1);
        free(w->rows[s].params_json);
        free(w->rows[s].error);
    }
    w->rows[s] = *now;
    now->params_json = now->error = NULL;
    count(&w->progress, &w->rows[s], +1);
    consider_best(w, &w->rows[s]);
    if (w->space)
        w->has_point[s] = (unsigned char)tune_space_point_from_json(
            w->space, w->rows[s].params_json, &w->points[(size_t)s * dims(w)]);
    return 0;
}

int tune_watch_poll(struct tune_watch *w, tune_watch_fn fn, void *arg, struct tune_error *err)
{
    struct tune_trial_brief *v = NULL;
    size_t n = 0;
    int64_t stamp = w->stamp;
    unhide(w);
    int rc = tune_store_trial_changes(w->store, w->study_id, w->stamp, &v, &n, &stamp, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if (apply(w, &v[i], fn, arg)) {
            tune_trial_briefs_free(v, n);
            /* the rows applied so far are right; read the rest again */
            return tune_error_set(err, TUNE_ENOMEM, "out of memory following the study");
        }
    }
    /* the objectives and slacks of the trials newly complete */
    size_t k = tracked(w);
    for (size_t i = 0; k && i < n; i++) {
        long sl = slot_of(w, v[i].number);
        if (sl < 0 || w->has_track[sl] || w->rows[sl].state != TUNE_TRIAL_COMPLETE)
            continue;
        struct tune_trial t;
        if ((rc = tune_store_trial_get(w->store, w->study_id, v[i].number, &t, err))) {
            tune_trial_briefs_free(v, n);
            return rc; /* the stamp stays: this poll is read again */
        }
        double *row = &w->track[(size_t)sl * k];
        for (size_t j = 0; j < w->n_obj; j++)
            row[j] = j == 0 ? t.value : tune_trial_metric(&t, w->obj[j].metric);
        for (size_t j = 0; j < w->n_con; j++)
            row[w->n_obj + j] = tune_constraint_slack(&w->con[j],
                                                      tune_trial_metric(&t, w->con[j].metric));
        w->has_track[sl] = 1;
        tune_trial_release(&t);
    }
    tune_trial_briefs_free(v, n);
    w->stamp = stamp;
    return TUNE_OK;
}

void tune_watch_history(struct tune_watch *w, int exclude, struct tune_history *out)
{
    unhide(w);
    size_t n = w->n, d = dims(w);
    long s = slot_of(w, exclude);
    if (s >= 0) {
        w->hidden_a = s;
        w->hidden_b = (long)(n - 1);
        swap_slots(w, (size_t)s, n - 1);
        n--;
    }
    size_t k = tracked(w);
    for (size_t i = 0; i < n; i++) {
        const struct tune_trial_brief *r = &w->rows[i];
        int has = k && w->has_track[i];
        w->entries[i] = (struct tune_history_entry){
            .number = r->number,
            .state = r->lost ? TUNE_TRIAL_FAILED : r->state,
            .point = w->space && w->has_point[i] ? &w->points[i * d] : NULL,
            /* a pruned trial's value is an estimate (study.h): searchers
             * read it as one */
            .value = r->state == TUNE_TRIAL_COMPLETE || r->state == TUNE_TRIAL_PRUNED ? r->value
                                                                                    : NAN,
            .value_std = r->state == TUNE_TRIAL_COMPLETE ? r->value_std : NAN,
            .objectives = has && w->n_obj ? &w->track[i * k] : NULL,
            .slack = has && w->n_con ? &w->track[i * k + w->n_obj] : NULL,
            .violation = r->violation,
        };
    }
    out->n = n;
    out->entries = w->entries;
    out->maximize = w->maximize;
    out->number = exclude;
    out->n_objectives = w->n_obj ? w->n_obj : 1;
    out->objective_maximize = w->obj_maximize;
    out->n_constraints = w->n_con;
}
