/* SPDX-License-Identifier: GPL-3.0-or-later */
/* store.c — the store front door: open by URL, close, and the helpers that
 * free what store methods hand out (see tunefold/store.h).
 *
 * Invariants: every destructor accepts NULL and leaves a released struct
 * zeroed, so a double release is harmless; a URL without a scheme is a path
 * for the SQLite store, and an unknown scheme is refused rather than being
 * taken as a file name (which would silently create a file called
 * "postgres://...").  "postgresql://" and "postgres://" URLs go to the
 * PostgreSQL store whole (libpq reads them). */
#include "tunefold/store.h"
#include "tunefold/text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *tune_trial_state_name(enum tune_trial_state s)
{
    switch (s) {
    case TUNE_TRIAL_RUNNING: return "RUNNING";
    case TUNE_TRIAL_COMPLETE: return "COMPLETE";
    case TUNE_TRIAL_FAILED: return "FAILED";
    case TUNE_TRIAL_PRUNED: return "PRUNED";
    }
    return "UNKNOWN";
}

int tune_trial_state_parse(const char *s)
{
    static const enum tune_trial_state all[] = {TUNE_TRIAL_RUNNING, TUNE_TRIAL_COMPLETE,
                                                TUNE_TRIAL_FAILED, TUNE_TRIAL_PRUNED};
    if (!s)
        return -1;
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (strcmp(s, tune_trial_state_name(all[i])) == 0)
            return (int)all[i];
    return -1;
}

/* A scheme is letters/digits/+/-/. followed by ':'; "C:" style drive letters
 * do not occur on the platforms we build for, so any such prefix is one. */
static size_t scheme_len(const char *url)
{
    size_t i = 0;
    while (url[i] && (('a' <= url[i] && url[i] <= 'z') || ('A' <= url[i] && url[i] <= 'Z') ||
                      (i > 0 && (('0' <= url[i] && url[i] <= '9') || url[i] == '+' ||
                                 url[i] == '-' || url[i] == '.'))))
        i++;
    return (i > 0 && url[i] == ':' && url[i + 1] == '/' && url[i + 2] == '/') ? i : 0;
}

int tune_store_open(const char *url, struct tune_store **out, struct tune_error *err)
{
    *out = NULL;
    if (!url || !*url)
        return tune_error_set(err, TUNE_EINVAL, "store URL is empty");
    const char *location = url;
    if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0)
        return tune_store_postgres.open(url, out, err);
    if (strncmp(url, "sqlite:", 7) == 0) {
        location = url + 7;
        /* "sqlite:///abs/path" and "sqlite://rel" are the same as "sqlite:PATH". */
        if (strncmp(location, "//", 2) == 0)
            location += 2;
    } else if (scheme_len(url) > 0) {
        return tune_error_set(err, TUNE_EINVAL,
                              "store URL '%s': unsupported scheme (use \"sqlite:PATH\", a path, "
                              "or \"postgresql://USER@HOST:PORT/DB\")",
                              url);
    }
    if (!*location)
        return tune_error_set(err, TUNE_EINVAL, "store URL '%s' names no database file", url);
    return tune_store_sqlite.open(location, out, err);
}

void tune_store_close(struct tune_store *s)
{
    if (s)
        s->type->close(s);
}

void tune_study_info_release(struct tune_study_info *info)
{
    if (!info)
        return;
    free(info->name);
    free(info->config_json);
    free(info->metric);
    memset(info, 0, sizeof *info);
}

void tune_study_infos_free(struct tune_study_info *infos, size_t n)
{
    if (!infos)
        return;
    for (size_t i = 0; i < n; i++)
        tune_study_info_release(&infos[i]);
    free(infos);
}

void tune_metric_summary_release(struct tune_metric_summary *m)
{
    if (!m)
        return;
    free(m->name);
    free(m->folds);
    memset(m, 0, sizeof *m);
}

void tune_trial_release(struct tune_trial *t)
{
    if (!t)
        return;
    free(t->params_json);
    free(t->error);
    free(t->worker);
    for (size_t i = 0; i < t->n_metrics; i++)
        tune_metric_summary_release(&t->metrics[i]);
    free(t->metrics);
    memset(t, 0, sizeof *t);
}

void tune_trial_briefs_free(struct tune_trial_brief *v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++) {
        free(v[i].params_json);
        free(v[i].error);
    }
    free(v);
}

void tune_trials_free(struct tune_trial *trials, size_t n)
{
    if (!trials)
        return;
    for (size_t i = 0; i < n; i++)
        tune_trial_release(&trials[i]);
    free(trials);
}

/* Two passes (mean, then squared deviations) rather than the one-pass
 * sum-of-squares formula, which cancels catastrophically when the spread is
 * small next to the mean — exactly the case of fold scores like 0.97 ± 0.002. */
void tune_mean_std(const double *v, size_t n, double *mean, double *std)
{
    double sum = 0.0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isnan(v[i])) {
            sum += v[i];
            k++;
        }
    }
    if (k == 0) {
        *mean = NAN;
        *std = NAN;
        return;
    }
    double m = sum / (double)k, ss = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (!isnan(v[i]))
            ss += (v[i] - m) * (v[i] - m);
    }
    *mean = m;
    *std = sqrt(ss / (double)k);
}

/* ---- the wrappers ------------------------------------------------------------
 *
 * STORE_CALL(method, min_version, args...) is the body of every wrapper: the
 * version check (a method appended in vtable version N is only called on
 * implementations that declare version >= N), the fault-injection counter,
 * the call, and the trace hook. */

static double mono_seconds(void)
{
    return tune_clock_seconds();
}

static int store_enter(struct tune_store *s, const char *method, int min_version, int present,
                       struct tune_error *err)
{
    if (s->type->version < min_version || !present)
        return tune_error_set(err, TUNE_EUNSUPPORTED,
                              "the %s store (vtable version %d) has no method %s",
                              s->type->name, s->type->version, method);
    s->calls++;
    if (s->fail_at && s->calls >= s->fail_at)
        return tune_error_set(err, TUNE_ESTORE, "%s: injected store fault (call %lu)", method,
                              s->calls);
    return TUNE_OK;
}

static int store_leave(struct tune_store *s, const char *method, int rc, double t0)
{
    if (s->trace)
        s->trace(s->trace_arg, method, rc, mono_seconds() - t0);
    return rc;
}

#define STORE_CALL(method, min_version, ...)                                              \
    do {                                                                                  \
        double t0_ = s->trace ? mono_seconds() : 0;                                       \
        int rc_ = store_enter(s, #method, min_version, s->type->method != NULL, err);     \
        if (rc_ == TUNE_OK)                                                               \
            rc_ = s->type->method(s, __VA_ARGS__, err);                                   \
        return store_leave(s, #method, rc_, t0_);                                         \
    } while (0)

int tune_store_study_create_or_load(struct tune_store *s, const char *name, const char *config_json, const char *metric, int maximize, struct tune_study_info *out, int *created, struct tune_error *err)
{
    STORE_CALL(study_create_or_load, 1, name, config_json, metric, maximize, out, created);
}

int tune_store_study_find(struct tune_store *s, const char *name, struct tune_study_info *out, struct tune_error *err)
{
    STORE_CALL(study_find, 1, name, out);
}

int tune_store_study_list(struct tune_store *s, struct tune_study_info **out, size_t *n, struct tune_error *err)
{
    STORE_CALL(study_list, 1, out, n);
}

int tune_store_trial_claim(struct tune_store *s, int64_t study_id, enum tune_trial_origin origin, size_t budget, int *number, int *seq, struct tune_error *err)
{
    STORE_CALL(trial_claim, 1, study_id, origin, budget, number, seq);
}

int tune_store_trial_set_params(struct tune_store *s, int64_t study_id, int number, const char *params_json, struct tune_error *err)
{
    STORE_CALL(trial_set_params, 1, study_id, number, params_json);
}

int tune_store_trial_claim_point(struct tune_store *s, int64_t study_id,
                                 enum tune_trial_origin origin, size_t budget,
                                 tune_point_fn point, void *arg, int *number, int *seq,
                                 struct tune_error *err)
{
    if (s->type->version >= 7 && s->type->trial_claim_point)
        STORE_CALL(trial_claim_point, 7, study_id, origin, budget, point, arg, number, seq);
    int rc = tune_store_trial_claim(s, study_id, origin, budget, number, seq, err);
    if (rc)
        return rc;
    const char *params_json = NULL;
    if ((rc = point(arg, *number, *seq, &params_json, err)) ||
        (rc = tune_store_trial_set_params(s, study_id, *number, params_json, err))) {
        struct tune_error aerr;
        tune_store_trial_abandon(s, study_id, *number, &aerr);
    }
    return rc;
}

int tune_store_trial_abandon(struct tune_store *s, int64_t study_id, int number, struct tune_error *err)
{
    STORE_CALL(trial_abandon, 1, study_id, number);
}

int tune_store_trial_finish(struct tune_store *s, int64_t study_id, int number, const struct tune_trial_result *res, struct tune_error *err)
{
    STORE_CALL(trial_finish, res->violation > 0 ? 5 : 1, study_id, number, res);
}

int tune_store_trial_list(struct tune_store *s, int64_t study_id, struct tune_trial **out, size_t *n, struct tune_error *err)
{
    STORE_CALL(trial_list, 1, study_id, out, n);
}

int tune_store_trial_recover_stale(struct tune_store *s, int64_t study_id, double max_age, size_t *n_marked, struct tune_error *err)
{
    STORE_CALL(trial_recover_stale, 1, study_id, max_age, n_marked);
}

int tune_store_artifact_save(struct tune_store *s, int64_t study_id, int number, const char *name, const void *data, size_t len, struct tune_error *err)
{
    STORE_CALL(artifact_save, 1, study_id, number, name, data, len);
}

int tune_store_artifact_load(struct tune_store *s, int64_t study_id, int number, const char *name, void **data, size_t *len, struct tune_error *err)
{
    STORE_CALL(artifact_load, 1, study_id, number, name, data, len);
}

int tune_store_trial_add_intermediate(struct tune_store *s, int64_t study_id, int number, const struct tune_intermediate *values, size_t n, struct tune_error *err)
{
    STORE_CALL(trial_add_intermediate, 1, study_id, number, values, n);
}

int tune_store_trial_list_intermediate(struct tune_store *s, int64_t study_id, int number, struct tune_intermediate **out, size_t *n, struct tune_error *err)
{
    STORE_CALL(trial_list_intermediate, 1, study_id, number, out, n);
}

int tune_store_trial_heartbeat(struct tune_store *s, int64_t study_id, int number, struct tune_error *err)
{
    STORE_CALL(trial_heartbeat, 1, study_id, number);
}

int tune_store_study_set_attr(struct tune_store *s, int64_t study_id, const char *key, const char *value, struct tune_error *err)
{
    STORE_CALL(study_set_attr, 1, study_id, key, value);
}

int tune_store_study_get_attr(struct tune_store *s, int64_t study_id, const char *key, char **value, struct tune_error *err)
{
    STORE_CALL(study_get_attr, 1, study_id, key, value);
}

int tune_store_trial_changes(struct tune_store *s, int64_t study_id, int64_t since,
                             struct tune_trial_brief **out, size_t *n, int64_t *stamp,
                             struct tune_error *err)
{
    *out = NULL;
    *n = 0;
    STORE_CALL(trial_changes, 2, study_id, since, out, n, stamp);
}

int tune_store_trial_release(struct tune_store *s, int64_t study_id, int number,
                             const char *reason, struct tune_error *err)
{
    STORE_CALL(trial_release, 2, study_id, number, reason);
}

int tune_store_trial_get(struct tune_store *s, int64_t study_id, int number,
                         struct tune_trial *out, struct tune_error *err)
{
    memset(out, 0, sizeof *out);
    STORE_CALL(trial_get, 2, study_id, number, out);
}

int tune_store_trial_best(struct tune_store *s, int64_t study_id, struct tune_trial *out,
                          struct tune_error *err)
{
    memset(out, 0, sizeof *out);
    STORE_CALL(trial_best, 2, study_id, out);
}

int tune_store_trial_page(struct tune_store *s, int64_t study_id, int first, size_t max,
                          int with_metrics, struct tune_trial **out, size_t *n,
                          struct tune_error *err)
{
    *out = NULL;
    *n = 0;
    STORE_CALL(trial_page, 2, study_id, first, max, with_metrics, out, n);
}

int tune_store_study_progress(struct tune_store *s, int64_t study_id, struct tune_progress *out,
                              struct tune_error *err)
{
    memset(out, 0, sizeof *out);
    out->best_value = out->worst_value = NAN;
    out->best_number = -1;
    STORE_CALL(study_progress, 2, study_id, out);
}

int tune_store_study_blob_save(struct tune_store *s, int64_t study_id, const char *name,
                               const void *data, size_t len, struct tune_error *err)
{
    STORE_CALL(study_blob_save, 3, study_id, name, data, len);
}

/* An older store: the source's bytes gathered, then saved whole. */
static int blob_save_gathered(struct tune_store *s, int64_t study_id, const char *name,
                              const struct tune_blob_source *src, struct tune_error *err)
{
    size_t len = 0, cap = (size_t)1 << 20, got = 0;
    char *buf = malloc(cap);
    int rc = buf ? src->rewind(src->arg, err) : TUNE_ENOMEM;
    while (rc == TUNE_OK) {
        if (cap - len < ((size_t)1 << 16)) {
            char *b = realloc(buf, cap * 2);
            if (!b) {
                rc = TUNE_ENOMEM;
                break;
            }
            buf = b;
            cap *= 2;
        }
        if ((rc = src->read(src->arg, buf + len, cap - len, &got, err)) || got == 0)
            break;
        len += got;
    }
    if (rc == TUNE_ENOMEM)
        tune_error_set(err, TUNE_ENOMEM, "out of memory for study blob '%s'", name);
    if (rc == TUNE_OK)
        rc = tune_store_study_blob_save(s, study_id, name, buf, len, err);
    free(buf);
    return rc;
}

int tune_store_study_blob_save_from(struct tune_store *s, int64_t study_id, const char *name,
                                    const struct tune_blob_source *src,
                                    struct tune_error *err)
{
    if (s->type->version < 6 || !s->type->study_blob_save_from)
        return blob_save_gathered(s, study_id, name, src, err);
    STORE_CALL(study_blob_save_from, 6, study_id, name, src);
}

int tune_store_study_blob_load(struct tune_store *s, int64_t study_id, const char *name,
                               void **data, size_t *len, struct tune_error *err)
{
    *data = NULL;
    *len = 0;
    STORE_CALL(study_blob_load, 3, study_id, name, data, len);
}

int tune_store_study_blob_list(struct tune_store *s, int64_t study_id, char ***names, size_t *n,
                               struct tune_error *err)
{
    *names = NULL;
    *n = 0;
    STORE_CALL(study_blob_list, 3, study_id, names, n);
}

int tune_store_study_attr_list(struct tune_store *s, int64_t study_id, char ***keys,
                               char ***values, size_t *n, struct tune_error *err)
{
    *keys = *values = NULL;
    *n = 0;
    STORE_CALL(study_attr_list, 3, study_id, keys, values, n);
}

int tune_store_artifact_list(struct tune_store *s, int64_t study_id, int number, char ***names,
                             size_t *n, struct tune_error *err)
{
    *names = NULL;
    *n = 0;
    STORE_CALL(artifact_list, 3, study_id, number, names, n);
}

int tune_store_study_import(struct tune_store *s, const struct tune_study_info *info,
                            int64_t *id, struct tune_error *err)
{
    STORE_CALL(study_import, 3, info, id);
}

int tune_store_trial_import(struct tune_store *s, int64_t study_id, const struct tune_trial *t,
                            const struct tune_intermediate *intermediate, size_t n_intermediate,
                            struct tune_error *err)
{
    STORE_CALL(trial_import, 3, study_id, t, intermediate, n_intermediate);
}

void tune_names_free(char **names, size_t n)
{
    if (!names)
        return;
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

int tune_store_trial_values_at(struct tune_store *s, int64_t study_id, int fold, size_t step,
                               struct tune_step_value **out, size_t *n, struct tune_error *err)
{
    *out = NULL;
    *n = 0;
    STORE_CALL(trial_values_at, 4, study_id, fold, step, out, n);
}

void tune_store_fail_at(struct tune_store *s, unsigned long call)
{
    s->fail_at = call ? s->calls + call : 0;
}

void tune_store_set_trace(struct tune_store *s,
                          void (*fn)(void *arg, const char *method, int status, double seconds),
                          void *arg)
{
    s->trace = fn;
    s->trace_arg = arg;
}
