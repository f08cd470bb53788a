/* SPDX-License-Identifier: GPL-3.0-or-later */
/* watch.h — follow a study in a store, reading only what changed.
 *
 * A watch keeps every trial of one study as a light row (no per-fold
 * metrics) and, when given the study's space, each trial's point.  Each
 * poll reads the trials created or changed since the last one (the store's
 * change stamp, vtable version 2) and updates the rows, the progress counts
 * and the best trial incrementally, so a poll costs what changed, not the
 * size of the study.  The study loop keeps one for its searcher's history
 * and its progress; the CLI keeps one to print progress while workers run.
 *
 * Not thread-safe: one watch per thread. */
#ifndef TUNEFOLD_WATCH_H
#define TUNEFOLD_WATCH_H

#include <stddef.h>
#include <stdint.h>
#include "tunefold/error.h"
#include "tunefold/space.h"
#include "tunefold/store.h"
#include "tunefold/searcher.h"
#include "tunefold/config.h"

#ifdef __cplusplus
extern "C" {
#endif

struct tune_watch;

/* Watch study `study_id` of `store` (borrowed; must outlive the watch),
 * whose objective is maximized when `maximize`.  With `space` (borrowed,
 * may be NULL) each trial's params are read into a point of that space.
 * Nothing is read until the first poll.  Free with tune_watch_free(). */
int tune_watch_new(struct tune_store *store, int64_t study_id, int maximize,
                   const struct tune_space *space, struct tune_watch **out,
                   struct tune_error *err);
void tune_watch_free(struct tune_watch *w);

/* Have each complete trial's objectives and constraints read (one
 * trial_get when the watch first sees it complete): history entries then
 * carry `objectives` (n_objectives values; the first is the trial's value)
 * and `slack` (one per constraint, tune_constraint_slack of its metric).
 * `objectives` and `constraints` are borrowed and must outlive the watch.
 * Call before the first poll. */
int tune_watch_set_objectives(struct tune_watch *w, size_t n_objectives,
                              const struct tune_objective *objectives, size_t n_constraints,
                              const struct tune_constraint *constraints, struct tune_error *err);

/* Called by a poll for each trial that changed: `before` is the row as the
 * watch knew it (NULL for a trial it had not seen), `now` the row as it is
 * (its `gone` set when the claim was withdrawn).  Both are borrowed for the
 * call. */
typedef void (*tune_watch_fn)(void *arg, const struct tune_trial_brief *before,
                              const struct tune_trial_brief *now);

/* Read from `store` from now on (the same database through another
 * connection: see tune_study_set_store); what was read stays. */
void tune_watch_set_store(struct tune_watch *w, struct tune_store *store);

/* Read what changed since the last poll; `fn` may be NULL. */
int tune_watch_poll(struct tune_watch *w, tune_watch_fn fn, void *arg, struct tune_error *err);

/* Counts and best as of the last poll (search trials; lost ones apart; the
 * best among the trials that kept the constraints). */
const struct tune_progress *tune_watch_progress(const struct tune_watch *w);

/* The trial `number` as of the last poll, or NULL. */
const struct tune_trial_brief *tune_watch_trial(const struct tune_watch *w, int number);

/* The history a searcher reads: every trial as of the last poll except
 * `exclude` (-1: none), in no particular order, each with its point when
 * the watch has a space (NULL when its params are unset or do not fit the
 * space).  `maximize` and `number` of *out are filled from the watch and
 * `exclude`.  Borrowed: valid until the next call on the watch. */
void tune_watch_history(struct tune_watch *w, int exclude, struct tune_history *out);

#ifdef __cplusplus
}
#endif
#endif
