/* SPDX-License-Identifier: GPL-3.0-or-later */
/* store.h — where studies and trials live: the store plug-in interface.
 *
 * A store holds studies (name, the canonical study config, objective) and
 * their trials (state, params, objective value, per-fold metrics, timings,
 * artifacts).  Every state change is one transaction, so a crash loses at
 * most the trials in flight.  Searchers keep no state of their own: they read
 * the history from the store before every suggestion, which is what makes
 * resume and several workers the same code.
 *
 * `tune_store_open` picks the implementation from the URL: "sqlite:PATH" or a
 * plain path is the embedded SQLite store.  Implementations embed
 * `struct tune_store` as their first member. */
#ifndef TUNEFOLD_STORE_H
#define TUNEFOLD_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "tunefold/error.h"

#ifdef __cplusplus
extern "C" {
#endif

enum tune_trial_state {
    TUNE_TRIAL_RUNNING = 0,
    TUNE_TRIAL_COMPLETE = 1,
    TUNE_TRIAL_FAILED = 2,
    TUNE_TRIAL_PRUNED = 3
};
/* "RUNNING", "COMPLETE", "FAILED", "PRUNED". */
const char *tune_trial_state_name(enum tune_trial_state s);
/* -1 if unknown. */
int tune_trial_state_parse(const char *s);

/* Who asked for a trial: the searcher (counts toward the budget) or a user
 * (`tunefold evaluate`). */
enum tune_trial_origin { TUNE_ORIGIN_SEARCH = 0, TUNE_ORIGIN_MANUAL = 1 };

struct tune_metric_summary {
    char *name;
    double mean, std;      /* std: population std over folds (ddof 0) */
    size_t n_folds;
    double *folds;         /* n_folds values; NAN where undefined */
};

struct tune_trial {
    int64_t id;            /* store-wide row id */
    int number;            /* 0, 1, 2 ... within the study */
    int seq;               /* searcher sequence number (search trials), else -1 */
    enum tune_trial_origin origin;
    enum tune_trial_state state;
    char *params_json;     /* JSON object of the trial's parameters; NULL until set */
    double value, value_std;     /* objective mean and std over folds; NAN if none */
    double t_start, t_end;       /* Unix seconds; t_end NAN while running */
    double fit_seconds, predict_seconds; /* mean per fold */
    char *error;           /* FAILED: why; else NULL */
    size_t n_metrics;
    struct tune_metric_summary *metrics;
    int lost;              /* FAILED because its worker died: not counted in
                              the budget, its slot is run again */
    char *worker;          /* "host:pid" of the process that claimed it */
    /* PRUNED (vtable version 4): where the pruner stopped it, the last step
     * reported, or for fold pruning the number of folds run; -1 otherwise
     * (and from a store older than version 4).  The reason is in `error`. */
    int64_t pruned_at;
    double violation;      /* vtable version 5: > 0 when the trial broke the study's
                              constraints (by this much); NAN when it did not */
};

struct tune_study_info {
    int64_t id;
    char *name;
    char *config_json;     /* canonical study config (see config.h) */
    char *metric;          /* objective metric name */
    int maximize;
    double created;        /* Unix seconds */
};

/* One intermediate value: fold -1 when the trial has no folds. */
struct tune_intermediate {
    int fold;
    size_t step;
    double value;
};

/* A named blob kept with a trial (e.g. "oof.csv"). */
struct tune_artifact {
    const char *name;
    const void *data;
    size_t len;
};

/* Bytes handed to a store as they are made (vtable version 6,
 * study_blob_save_from): `read` puts the next at most `cap` bytes in buf and
 * their count in *got (0: the end); `rewind` starts over from the first
 * byte (a store that runs its transaction again reads them again).  Each
 * returns TUNE_OK or an error (err set), which ends the save with nothing
 * written. */
struct tune_blob_source {
    int (*read)(void *arg, void *buf, size_t cap, size_t *got, struct tune_error *err);
    int (*rewind)(void *arg, struct tune_error *err);
    void *arg;
};

/* What a finished trial reports.  Borrowed by the store for the call. */
struct tune_trial_result {
    enum tune_trial_state state;
    double value, value_std;
    double fit_seconds, predict_seconds;
    const char *error;                   /* NULL unless FAILED */
    size_t n_metrics;
    const struct tune_metric_summary *metrics;
    /* Written in the same transaction as the outcome (vtable version 2;
     * zero / NULL for none): a trial's result lands whole or not at all. */
    size_t n_intermediate;
    const struct tune_intermediate *intermediate;
    size_t n_artifacts;
    const struct tune_artifact *artifacts;
    /* PRUNED: the last step or the number of folds run (struct tune_trial's
     * pruned_at); `error` holds why.  Ignored for other states and by stores
     * older than vtable version 4. */
    int64_t pruned_at;
    /* Vtable version 5: > 0 when a COMPLETE trial broke the study's
     * constraints (by this much; stored with its values, never the best);
     * 0 or NAN when it did not. */
    double violation;
};

/* One trial's intermediate value at a step, as pruners read them
 * (trial_values_at). */
struct tune_step_value {
    int number;
    int seq;
    enum tune_trial_state state;
    int lost;
    size_t step;           /* the step the value was reported at */
    double value;          /* NAN when the trial reported a non-finite value */
};

/* A trial without its metrics: what searchers, progress lines and monitors
 * read, incrementally (trial_changes). */
struct tune_trial_brief {
    int number;
    int seq;
    enum tune_trial_origin origin;
    enum tune_trial_state state;
    int lost;
    int gone;              /* the claim was withdrawn (trial_abandon): forget the
                              number; every other field is zero */
    double value, value_std;
    double t_start, t_end;
    char *params_json;     /* NULL until set */
    char *error;           /* FAILED: why; else NULL */
    double violation;      /* as struct tune_trial's */
};

/* Where a study stands.  Counts are of search trials (not `evaluate`'s), lost
 * trials apart; the best is over every complete trial that kept the study's
 * constraints (NAN / -1 if none). */
struct tune_progress {
    size_t finished, running, complete, failed, pruned, lost;
    double best_value;
    int best_number;
    /* The other extreme of the complete trials' values (NAN if none): equal
     * to best_value over many trials, it says the parameters changed nothing
     * (or never reached an external program). */
    double worst_value;
};

struct tune_store;

/* The point of a trial being claimed (trial_claim_point): its params as a
 * JSON object, for trial `number` whose seq is `seq` (-1 for a manual
 * trial); borrowed until the claim returns.  It runs inside the store's
 * write transaction, so it must be quick and must not call the store; a
 * store that runs the transaction again (PostgreSQL after a conflict or a
 * lost connection) asks again, for the number and seq it then takes. */
typedef int (*tune_point_fn)(void *arg, int number, int seq, const char **params_json,
                             struct tune_error *err);

struct tune_store_type {
    int version;           /* 1 .. 7: the methods and meanings below, by version */
    const char *name;      /* "sqlite" */
    int (*open)(const char *location, struct tune_store **out, struct tune_error *err);
    void (*close)(struct tune_store *s);
    /* Create the study, or load it when it exists.  An existing study whose
     * config_json differs is TUNE_ECONFLICT.  *created is 1 when new. */
    int (*study_create_or_load)(struct tune_store *s, const char *name, const char *config_json,
                                const char *metric, int maximize, struct tune_study_info *out,
                                int *created, struct tune_error *err);
    /* TUNE_ENOTFOUND when absent. */
    int (*study_find)(struct tune_store *s, const char *name, struct tune_study_info *out,
                      struct tune_error *err);
    /* All studies, oldest first. Free with tune_study_infos_free(). */
    int (*study_list)(struct tune_store *s, struct tune_study_info **out, size_t *n,
                      struct tune_error *err);
    /* Atomically add a RUNNING trial.  For TUNE_ORIGIN_SEARCH: when the count
     * of search trials (RUNNING or finished) is already >= budget, add nothing
     * and return TUNE_EBUDGET.  *seq is the smallest seq whose trials were all
     * lost (the point a dead worker never finished is retried), else one
     * past the largest seq so far.  *number is the next trial number. */
    int (*trial_claim)(struct tune_store *s, int64_t study_id, enum tune_trial_origin origin,
                       size_t budget, int *number, int *seq, struct tune_error *err);
    int (*trial_set_params)(struct tune_store *s, int64_t study_id, int number,
                            const char *params_json, struct tune_error *err);
    /* Remove a claimed trial that was never run (searcher exhausted). */
    int (*trial_abandon)(struct tune_store *s, int64_t study_id, int number,
                         struct tune_error *err);
    /* Record the outcome: state, value, timings and every metric, in one
     * transaction.  Only a RUNNING trial can be finished. */
    int (*trial_finish)(struct tune_store *s, int64_t study_id, int number,
                        const struct tune_trial_result *res, struct tune_error *err);
    /* Every trial of the study by number, with metrics.  Free with
     * tune_trials_free(). */
    int (*trial_list)(struct tune_store *s, int64_t study_id, struct tune_trial **out,
                      size_t *n, struct tune_error *err);
    /* Mark RUNNING trials whose heartbeat is older than max_age seconds as
     * FAILED ("worker lost"); *n_marked says how many. */
    int (*trial_recover_stale)(struct tune_store *s, int64_t study_id, double max_age,
                               size_t *n_marked, struct tune_error *err);
    /* Store / replace a named blob for a trial (e.g. "oof.csv"). */
    int (*artifact_save)(struct tune_store *s, int64_t study_id, int number, const char *name,
                         const void *data, size_t len, struct tune_error *err);
    /* Load it; *data is malloc'ed (caller frees), NUL-terminated beyond len. */
    int (*artifact_load)(struct tune_store *s, int64_t study_id, int number, const char *name,
                         void **data, size_t *len, struct tune_error *err);
    /* Add intermediate values (iterative trainers: one per step and fold)
     * to a RUNNING trial, in one transaction; a repeated (fold, step)
     * replaces the old value.  Also stamps the heartbeat. */
    int (*trial_add_intermediate)(struct tune_store *s, int64_t study_id, int number,
                                  const struct tune_intermediate *values, size_t n,
                                  struct tune_error *err);
    /* The trial's intermediate values ordered by fold, then step.  Free
     * *out with free(). */
    int (*trial_list_intermediate)(struct tune_store *s, int64_t study_id, int number,
                                   struct tune_intermediate **out, size_t *n,
                                   struct tune_error *err);
    /* Stamp "still alive" on a RUNNING trial. */
    int (*trial_heartbeat)(struct tune_store *s, int64_t study_id, int number,
                           struct tune_error *err);
    /* Named text attributes of a study (e.g. "source": the study file,
     * "budget": the trial budget a run was given), so that a worker can join
     * a study knowing only its name. */
    int (*study_set_attr)(struct tune_store *s, int64_t study_id, const char *key,
                          const char *value, struct tune_error *err);
    /* TUNE_ENOTFOUND when unset; *value is malloc'ed (caller frees). */
    int (*study_get_attr)(struct tune_store *s, int64_t study_id, const char *key, char **value,
                          struct tune_error *err);

    /* ---- version 2: reads proportional to what changed ----
     * Every change to a study's trials (claim, params, finish, release,
     * recovery, abandon; not heartbeats or intermediate values) takes the
     * next value of the study's change stamp, in commit order.  trial_finish
     * also writes res->intermediate and res->artifacts. */

    /* Every trial created or changed after stamp `since` (-1: all of them),
     * by number, each as it is now; withdrawn claims come as `gone` rows.
     * *stamp receives the stamp to pass next time.  Free *out with
     * tune_trial_briefs_free(). */
    int (*trial_changes)(struct tune_store *s, int64_t study_id, int64_t since,
                         struct tune_trial_brief **out, size_t *n, int64_t *stamp,
                         struct tune_error *err);
    /* Mark a RUNNING trial FAILED and lost with `reason` (its worker gave it
     * up, e.g. interrupted): like a stale trial, it no longer counts toward
     * the budget and its seq is retried. */
    int (*trial_release)(struct tune_store *s, int64_t study_id, int number, const char *reason,
                         struct tune_error *err);
    /* One trial with its metrics; TUNE_ENOTFOUND when absent.  Release *out
     * with tune_trial_release(). */
    int (*trial_get)(struct tune_store *s, int64_t study_id, int number, struct tune_trial *out,
                     struct tune_error *err);
    /* The best COMPLETE trial by the study's direction (ties: the lowest
     * number) among those that kept the constraints (version 5: no
     * violation), with its metrics, by an indexed query; TUNE_ENOTFOUND
     * when there is none. */
    int (*trial_best)(struct tune_store *s, int64_t study_id, struct tune_trial *out,
                      struct tune_error *err);
    /* Up to `max` trials with number >= first, by number, with metrics when
     * with_metrics: a long listing in pages.  Free with tune_trials_free(). */
    int (*trial_page)(struct tune_store *s, int64_t study_id, int first, size_t max,
                      int with_metrics, struct tune_trial **out, size_t *n,
                      struct tune_error *err);
    /* Counts of the study's search trials by state (lost ones apart) and the
     * best complete trial's number and value, in one aggregate read. */
    int (*study_progress)(struct tune_store *s, int64_t study_id, struct tune_progress *out,
                          struct tune_error *err);

    /* ---- version 3: named study blobs, and what a copy between stores needs ----
     * A study blob is a named binary value of any size (the data set a
     * study runs on, so that a worker needs only the store's URL).  It is
     * written in chunks of 1 MiB, in one transaction, from the caller's
     * buffer, and read back into one buffer of its size: a large blob is
     * never held twice in memory (version 6 saves one from a source,
     * never whole).  Its checksum is kept and verified on load
     * (a damaged blob is TUNE_ESTORE, never handed out). */

    /* Store / replace blob `name` of the study. */
    int (*study_blob_save)(struct tune_store *s, int64_t study_id, const char *name,
                           const void *data, size_t len, struct tune_error *err);
    /* Load it; *data is malloc'ed (caller frees), NUL-terminated beyond len.
     * TUNE_ENOTFOUND when absent. */
    int (*study_blob_load)(struct tune_store *s, int64_t study_id, const char *name, void **data,
                           size_t *len, struct tune_error *err);
    /* The names of the study's blobs, sorted.  Free with tune_names_free(). */
    int (*study_blob_list)(struct tune_store *s, int64_t study_id, char ***names, size_t *n,
                           struct tune_error *err);
    /* Every attribute of the study, sorted by key.  Free both with
     * tune_names_free(). */
    int (*study_attr_list)(struct tune_store *s, int64_t study_id, char ***keys, char ***values,
                           size_t *n, struct tune_error *err);
    /* The names of a trial's artifacts, sorted.  Free with tune_names_free(). */
    int (*artifact_list)(struct tune_store *s, int64_t study_id, int number, char ***names,
                         size_t *n, struct tune_error *err);
    /* Create a study exactly as `info` describes it (name, config, metric,
     * direction, creation time); its new id in *id.  TUNE_ECONFLICT when the
     * name is taken. */
    int (*study_import)(struct tune_store *s, const struct tune_study_info *info, int64_t *id,
                        struct tune_error *err);
    /* Add trial t (its number, seq, origin, state, params, values, times,
     * error, lost flag, worker and metrics, as they are) with its
     * intermediate values, in one transaction, as a change of the study.
     * TUNE_ECONFLICT when the number is taken. */
    int (*trial_import)(struct tune_store *s, int64_t study_id, const struct tune_trial *t,
                        const struct tune_intermediate *intermediate, size_t n_intermediate,
                        struct tune_error *err);

    /* ---- version 4: what pruners read (include/tunefold/pruner.h) ----
     * trial_finish also records res->pruned_at for a PRUNED trial, and
     * trial_list, trial_get, trial_best and trial_page return it. */

    /* For every trial of the study that has an intermediate value in `fold`
     * at a step >= `step`: its value at the smallest such step (a trial that
     * reports every third round answers for step 1 with round 3), with the
     * trial's number, seq, state and lost flag, by trial number; a trial
     * that stopped before `step` is absent.  Values come from
     * trial_add_intermediate and trial_finish, whatever the trial's state.
     * One indexed read: in SQL, a join of the trials with their smallest
     * (fold, step >= step) intermediate row.  Free *out with free(). */
    int (*trial_values_at)(struct tune_store *s, int64_t study_id, int fold, size_t step,
                           struct tune_step_value **out, size_t *n, struct tune_error *err);

    /* ---- version 5: constraints ----
     * No new method: trial_finish keeps res->violation with the trial,
     * trial_get, trial_list, trial_page, trial_changes and trial_import
     * carry it (struct tune_trial, struct tune_trial_brief), and trial_best
     * and study_progress's best leave violating trials out.  The wrappers
     * refuse a violating result for an older store, which would make it
     * the best. */

    /* ---- version 6: blobs saved as they are made ----
     * Store / replace blob `name` of the study with the bytes `src` gives,
     * read a chunk at a time and written as they come, in one transaction:
     * the blob is never whole in memory (a study's deflated data file is
     * some 200 MB for a 400 MB CSV, and it is saved beside the loaded data).
     * The blob is the same as study_blob_save of those bytes would make.
     * An error from `src` is returned, nothing written. */
    int (*study_blob_save_from)(struct tune_store *s, int64_t study_id, const char *name,
                                const struct tune_blob_source *src, struct tune_error *err);

    /* ---- version 7: a claim and its point in one transaction ----
     * trial_claim, then `point` for the number and seq it took, then
     * trial_set_params of what `point` gave, as one transaction: when any
     * of them fails nothing is stored (point's own error is returned).
     * Others never see the trial RUNNING without params, and a searcher
     * whose point follows from seq alone pays one write a claim, not two
     * (with 4 workers on SQLite each write is also a wait for the lock). */
    int (*trial_claim_point)(struct tune_store *s, int64_t study_id,
                             enum tune_trial_origin origin, size_t budget, tune_point_fn point,
                             void *arg, int *number, int *seq, struct tune_error *err);
};

/* The common head of every store.  `type` is set by the implementation's
 * open; the rest belongs to the tune_store_* wrappers (zeroed by open). */
struct tune_store {
    const struct tune_store_type *type;
    /* Fault injection (tests): the wrapper call numbered fail_at (1-based,
     * counted over every method) and every later one fail with TUNE_ESTORE
     * without reaching the store.  0: off. */
    unsigned long calls, fail_at;
    /* Tracing: called after every method with its name, status and wall
     * seconds.  NULL: off. */
    void (*trace)(void *arg, const char *method, int status, double seconds);
    void *trace_arg;
};

extern const struct tune_store_type tune_store_sqlite;

/* A worker stamps its running trial every TUNE_HEARTBEAT_SECONDS; a RUNNING
 * trial not stamped for TUNE_STALE_SECONDS belongs to a dead worker. */
#define TUNE_HEARTBEAT_SECONDS 1.0
#define TUNE_STALE_SECONDS 10.0

/* Open by URL ("sqlite:PATH" or PATH).  Close with tune_store_close(). */
int tune_store_open(const char *url, struct tune_store **out, struct tune_error *err);
void tune_store_close(struct tune_store *s);

/* ---- calling a store -------------------------------------------------------
 *
 * Everything above the store calls it through these wrappers, never through
 * s->type directly: they check that the implementation's vtable is new enough
 * for the method (TUNE_EUNSUPPORTED otherwise), count calls for fault
 * injection and report them to the trace hook.  Arguments and ownership are
 * those of the method of the same name in struct tune_store_type. */
int tune_store_study_create_or_load(struct tune_store *s, const char *name,
                                    const char *config_json, const char *metric, int maximize,
                                    struct tune_study_info *out, int *created,
                                    struct tune_error *err);
int tune_store_study_find(struct tune_store *s, const char *name, struct tune_study_info *out,
                          struct tune_error *err);
int tune_store_study_list(struct tune_store *s, struct tune_study_info **out, size_t *n,
                          struct tune_error *err);
int tune_store_trial_claim(struct tune_store *s, int64_t study_id, enum tune_trial_origin origin,
                           size_t budget, int *number, int *seq, struct tune_error *err);
int tune_store_trial_set_params(struct tune_store *s, int64_t study_id, int number,
                                const char *params_json, struct tune_error *err);
/* For a store older than version 7, the same in three calls: trial_claim,
 * `point`, trial_set_params, and trial_abandon when point or set_params
 * fails (others may then see the trial RUNNING without params a moment). */
int tune_store_trial_claim_point(struct tune_store *s, int64_t study_id,
                                 enum tune_trial_origin origin, size_t budget,
                                 tune_point_fn point, void *arg, int *number, int *seq,
                                 struct tune_error *err);
int tune_store_trial_abandon(struct tune_store *s, int64_t study_id, int number,
                             struct tune_error *err);
int tune_store_trial_finish(struct tune_store *s, int64_t study_id, int number,
                            const struct tune_trial_result *res, struct tune_error *err);
int tune_store_trial_list(struct tune_store *s, int64_t study_id, struct tune_trial **out,
                          size_t *n, struct tune_error *err);
int tune_store_trial_recover_stale(struct tune_store *s, int64_t study_id, double max_age,
                                   size_t *n_marked, struct tune_error *err);
int tune_store_artifact_save(struct tune_store *s, int64_t study_id, int number,
                             const char *name, const void *data, size_t len,
                             struct tune_error *err);
int tune_store_artifact_load(struct tune_store *s, int64_t study_id, int number,
                             const char *name, void **data, size_t *len, struct tune_error *err);
int tune_store_trial_add_intermediate(struct tune_store *s, int64_t study_id, int number,
                                      const struct tune_intermediate *values, size_t n,
                                      struct tune_error *err);
int tune_store_trial_list_intermediate(struct tune_store *s, int64_t study_id, int number,
                                       struct tune_intermediate **out, size_t *n,
                                       struct tune_error *err);
int tune_store_trial_heartbeat(struct tune_store *s, int64_t study_id, int number,
                               struct tune_error *err);
int tune_store_study_set_attr(struct tune_store *s, int64_t study_id, const char *key,
                              const char *value, struct tune_error *err);
int tune_store_study_get_attr(struct tune_store *s, int64_t study_id, const char *key,
                              char **value, struct tune_error *err);
int tune_store_trial_changes(struct tune_store *s, int64_t study_id, int64_t since,
                             struct tune_trial_brief **out, size_t *n, int64_t *stamp,
                             struct tune_error *err);
int tune_store_trial_release(struct tune_store *s, int64_t study_id, int number,
                             const char *reason, struct tune_error *err);
int tune_store_trial_get(struct tune_store *s, int64_t study_id, int number,
                         struct tune_trial *out, struct tune_error *err);
int tune_store_trial_best(struct tune_store *s, int64_t study_id, struct tune_trial *out,
                          struct tune_error *err);
int tune_store_trial_page(struct tune_store *s, int64_t study_id, int first, size_t max,
                          int with_metrics, struct tune_trial **out, size_t *n,
                          struct tune_error *err);
int tune_store_study_progress(struct tune_store *s, int64_t study_id, struct tune_progress *out,
                              struct tune_error *err);
int tune_store_trial_values_at(struct tune_store *s, int64_t study_id, int fold, size_t step,
                               struct tune_step_value **out, size_t *n, struct tune_error *err);

/* Fail the store call numbered `call` from now (1 = the next one) and every
 * later one, with TUNE_ESTORE; 0 turns it off.  For fault-injection tests. */
void tune_store_fail_at(struct tune_store *s, unsigned long call);
/* Report every store call to `fn` (NULL: stop). */
void tune_store_set_trace(struct tune_store *s,
                          void (*fn)(void *arg, const char *method, int status, double seconds),
                          void *arg);

void tune_study_info_release(struct tune_study_info *info);
void tune_study_infos_free(struct tune_study_info *infos, size_t n);
void tune_trial_release(struct tune_trial *t);
void tune_trials_free(struct tune_trial *trials, size_t n);
void tune_trial_briefs_free(struct tune_trial_brief *v, size_t n);
void tune_metric_summary_release(struct tune_metric_summary *m);

/* Mean and population std of n values, ignoring NANs (NAN if none). */
void tune_mean_std(const double *v, size_t n, double *mean, double *std);

/* The PostgreSQL store (stores/postgres.c): tune_store_open takes
 * "postgresql://USER@HOST:PORT/DB" and "postgres://..." URLs, with any libpq
 * URL parameter.  The password comes from ~/.pgpass or PGPASSWORD; a URL
 * holding one is refused (TUNE_EINVAL).  Time is the server's clock.  A lost
 * connection is re-made with backoff for up to TUNEFOLD_PG_RETRY_SECONDS
 * (default 60) and the interrupted call run again, safely: a trial finished
 * twice with the identical result after a reconnect is written once. */
extern const struct tune_store_type tune_store_postgres;

/* Version 3 wrappers (see struct tune_store_type). */
int tune_store_study_blob_save(struct tune_store *s, int64_t study_id, const char *name,
                               const void *data, size_t len, struct tune_error *err);
int tune_store_study_blob_load(struct tune_store *s, int64_t study_id, const char *name,
                               void **data, size_t *len, struct tune_error *err);
int tune_store_study_blob_list(struct tune_store *s, int64_t study_id, char ***names, size_t *n,
                               struct tune_error *err);
int tune_store_study_attr_list(struct tune_store *s, int64_t study_id, char ***keys,
                               char ***values, size_t *n, struct tune_error *err);
int tune_store_artifact_list(struct tune_store *s, int64_t study_id, int number, char ***names,
                             size_t *n, struct tune_error *err);
int tune_store_study_import(struct tune_store *s, const struct tune_study_info *info,
                            int64_t *id, struct tune_error *err);
int tune_store_trial_import(struct tune_store *s, int64_t study_id, const struct tune_trial *t,
                            const struct tune_intermediate *intermediate, size_t n_intermediate,
                            struct tune_error *err);
/* Version 6 wrapper.  On an older store the bytes are gathered into one
 * buffer and saved with study_blob_save (the same blob, in memory whole). */
int tune_store_study_blob_save_from(struct tune_store *s, int64_t study_id, const char *name,
                                    const struct tune_blob_source *src,
                                    struct tune_error *err);
/* Free an array of n strings from a *_list method (NULL is fine). */
void tune_names_free(char **names, size_t n);

/* ---- copying studies between stores ------------------------------------------
 *
 * Copy study `name` from `src` to `dst` (any two stores, e.g. SQLite to
 * PostgreSQL and back) with every trial, metric, fold value, intermediate
 * value, artifact, attribute and blob, bit for bit (doubles, NaN, times,
 * workers).  A study of that name already in dst must be identical to the
 * source, or a part of it that an interrupted copy left (every trial,
 * attribute, artifact and blob it holds identical to the source's): the
 * missing pieces are added.  Anything else is TUNE_ECONFLICT, and dst is not
 * touched.  Change stamps and withdrawn claims are each store's own and are
 * not copied. */
struct tune_copy_stats {
    size_t trials, artifacts, attrs, blobs; /* copied now */
    size_t trials_present;                  /* already in dst, identical */
    int created;                            /* the study was new in dst */
};
int tune_store_copy_study(struct tune_store *src, struct tune_store *dst, const char *name,
                          struct tune_copy_stats *stats, struct tune_error *err);

#ifdef __cplusplus
}
#endif
#endif
