/* SPDX-License-Identifier: GPL-3.0-or-later */
/* walk.c — the distinct points of a stream over a finite space, then the
 * points it never showed (see walk.h). */
#include "searchers/walk.h"

#include <stdlib.h>
#include <string.h>
#include "src/seed.h"

void tune_walk_init(struct tune_walk *w, size_t size)
{
    memset(w, 0, sizeof *w);
    w->size = size;
}

void tune_walk_release(struct tune_walk *w)
{
    free(w->order);
    free(w->slots);
    free(w->rest);
    memset(w, 0, sizeof *w);
}

/* The slot of index idx: where it is, or the empty one where it would go. */
static size_t slot_of(const struct tune_walk *w, size_t idx)
{
    size_t mask = w->n_slots - 1, i = (size_t)tune_mix64(idx) & mask;
    while (w->slots[i] && w->slots[i] != idx + 1)
        i = (i + 1) & mask;
    return i;
}

static int contains(const struct tune_walk *w, size_t idx)
{
    return w->n_slots && w->slots[slot_of(w, idx)] != 0;
}

/* Append idx to the order and the set (it is not in them yet). */
static int add(struct tune_walk *w, size_t idx)
{
    if (w->n_order == w->cap_order) {
        size_t cap = w->cap_order ? 2 * w->cap_order : 64;
        size_t *o = realloc(w->order, cap * sizeof *o);
        if (!o)
            return TUNE_ENOMEM;
        w->order = o;
        w->cap_order = cap;
    }
    if (2 * (w->n_order + 1) > w->n_slots) {
        size_t n = w->n_slots ? 2 * w->n_slots : 128;
        size_t *old = w->slots, n_old = w->n_slots;
        if (!(w->slots = calloc(n, sizeof *w->slots))) {
            w->slots = old;
            return TUNE_ENOMEM;
        }
        w->n_slots = n;
        for (size_t i = 0; i < n_old; i++)
            if (old[i])
                w->slots[slot_of(w, old[i] - 1)] = old[i];
        free(old);
    }
    w->order[w->n_order++] = idx;
    w->slots[slot_of(w, idx)] = idx + 1;
    return TUNE_OK;
}

struct keyed {
    uint64_t key;
    size_t idx;
};

static int by_key(const void *a, const void *b)
{
    const struct keyed *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

/* The points the stream never showed, shuffled by key. */
static int hand_over(struct tune_walk *w, uint64_t key)
{
    size_t n = w->size - w->n_order, k = 0;
    struct keyed *r = malloc((n ? n : 1) * sizeof *r);
    if (!r)
        return TUNE_ENOMEM;
    for (size_t idx = 0; idx < w->size && k < n; idx++)
        if (!contains(w, idx))
            r[k++] = (struct keyed){tune_mix64(key ^ tune_mix64(idx)), idx};
    qsort(r, k, sizeof *r, by_key);
    if (!(w->rest = malloc((k ? k : 1) * sizeof *w->rest))) {
        free(r);
        return TUNE_ENOMEM;
    }
    for (size_t i = 0; i < k; i++)
        w->rest[i] = r[i].idx;
    w->n_rest = k;
    w->handed_over = 1;
    free(r);
    return TUNE_OK;
}

int tune_walk_point(struct tune_walk *w, const struct tune_space *space, size_t seq,
                    tune_walk_next next, void *arg, uint64_t key, double *point,
                    struct tune_error *err)
{
    if (seq >= w->size)
        return tune_error_set(err, TUNE_EEXHAUSTED,
                              "every one of the %zu points of the space was tried", w->size);
    size_t limit = TUNE_WALK_DRAWS(w->size);
    while (w->n_order <= seq && w->draws < limit && w->n_order < w->size) {
        int rc = next(arg, space, point, err);
        if (rc)
            return rc;
        w->draws++;
        size_t idx = tune_space_point_index(space, point);
        if (idx < w->size && !contains(w, idx) && add(w, idx))
            return tune_error_set(err, TUNE_ENOMEM, "out of memory for the walk of the space");
    }
    if (seq < w->n_order) {
        tune_space_point_at(space, w->order[seq], point);
        return TUNE_OK;
    }
    if (!w->handed_over && hand_over(w, key))
        return tune_error_set(err, TUNE_ENOMEM, "out of memory for the walk of the space");
    tune_space_point_at(space, w->rest[seq - w->n_order], point);
    return TUNE_OK;
}
