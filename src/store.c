/* store.c — the store front door: open by URL, close, and the helpers that
 * free what store methods hand out (see tunefold/store.h).
 *
 * Invariants: every destructor accepts NULL and leaves a released struct
 * zeroed, so a double release is harmless; a URL without a scheme is a path
 * for the SQLite store, and an unknown scheme is refused rather than being
 * taken as a file name (which would silently create a file called
 * "postgres://..."). */
#include "tunefold/store.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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
    if (strncmp(url, "sqlite:", 7) == 0) {
        location = url + 7;
        /* "sqlite:///abs/path" and "sqlite://rel" are the same as "sqlite:PATH". */
        if (strncmp(location, "//", 2) == 0)
            location += 2;
    } else if (scheme_len(url) > 0) {
        return tune_error_set(err, TUNE_EINVAL,
                              "store URL '%s': unsupported scheme (use \"sqlite:PATH\" or a path)",
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
