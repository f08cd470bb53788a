/* SPDX-License-Identifier: GPL-3.0-or-later */
/* store_copy.c — copy a study from one store to another (tunefold copy):
 * SQLite to PostgreSQL to scale a study out, and back to archive it.
 *
 * Everything goes through the tune_store_* wrappers (vtable version 3 on
 * both sides), so any two stores work.  Nothing is held whole: trials come
 * in pages, artifacts and blobs one at a time.
 *
 * A study already in the destination is first compared, read-only: it must
 * be the source study or a part of it (an interrupted copy) — same header,
 * and every trial, attribute, artifact and blob it holds identical to the
 * source's — or the copy is refused before anything is written.  Then only
 * what is missing is written, so running the same copy again finishes an
 * interrupted one and does nothing to a complete one.  "Identical" is bit
 * for bit: doubles (NaN equal to NaN), texts, times and worker names. */
#include "tunefold/store.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 256

static int same_double(double a, double b)
{
    return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof a) == 0;
}

static int same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int same_metrics(const struct tune_trial *a, const struct tune_trial *b)
{
    if (a->n_metrics != b->n_metrics)
        return 0;
    for (size_t i = 0; i < a->n_metrics; i++) {
        const struct tune_metric_summary *x = &a->metrics[i], *y = &b->metrics[i];
        if (!same_text(x->name, y->name) || !same_double(x->mean, y->mean) ||
            !same_double(x->std, y->std) || x->n_folds != y->n_folds)
            return 0;
        for (size_t f = 0; f < x->n_folds; f++)
            if (!same_double(x->folds[f], y->folds[f]))
                return 0;
    }
    return 1;
}

/* Every stored field of two trials but the store's row id. */
static int same_trial(const struct tune_trial *a, const struct tune_trial *b)
{
    return a->number == b->number && a->seq == b->seq && a->origin == b->origin &&
           a->state == b->state && same_text(a->params_json, b->params_json) &&
           same_double(a->value, b->value) && same_double(a->value_std, b->value_std) &&
           same_double(a->t_start, b->t_start) && same_double(a->t_end, b->t_end) &&
           same_double(a->fit_seconds, b->fit_seconds) &&
           same_double(a->predict_seconds, b->predict_seconds) && same_text(a->error, b->error) &&
           a->lost == b->lost && same_text(a->worker, b->worker) &&
           same_double(a->violation, b->violation) && same_metrics(a, b);
}

static int same_intermediate(struct tune_store *src, int64_t src_id, struct tune_store *dst,
                             int64_t dst_id, int number, int *same, struct tune_error *err)
{
    struct tune_intermediate *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    int rc = tune_store_trial_list_intermediate(src, src_id, number, &a, &na, err);
    if (!rc)
        rc = tune_store_trial_list_intermediate(dst, dst_id, number, &b, &nb, err);
    *same = !rc && na == nb;
    for (size_t i = 0; *same && i < na; i++)
        *same = a[i].fold == b[i].fold && a[i].step == b[i].step &&
                same_double(a[i].value, b[i].value);
    free(a);
    free(b);
    return rc;
}

/* Does the binary value `name` (an artifact when number >= 0, else a
 * blob) read the same from both stores?  *in_dst: present in dst. */
static int same_value(struct tune_store *src, int64_t src_id, struct tune_store *dst,
                      int64_t dst_id, int number, const char *name, int *in_dst, int *same,
                      struct tune_error *err)
{
    void *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    int rc = number >= 0 ? tune_store_artifact_load(dst, dst_id, number, name, &b, &nb, err)
                         : tune_store_study_blob_load(dst, dst_id, name, &b, &nb, err);
    *in_dst = rc == TUNE_OK;
    *same = 0;
    if (rc == TUNE_ENOTFOUND)
        return TUNE_OK;
    if (rc)
        return rc;
    rc = number >= 0 ? tune_store_artifact_load(src, src_id, number, name, &a, &na, err)
                     : tune_store_study_blob_load(src, src_id, name, &a, &na, err);
    *same = !rc && na == nb && (na == 0 || memcmp(a, b, na) == 0);
    free(a);
    free(b);
    return rc;
}

/* TUNE_ECONFLICT when dst has a name that src has not (both sorted lists). */
static int extra_name(char **src, size_t n_src, char **dst, size_t n_dst, const char *what,
                      const char *study, struct tune_error *err)
{
    for (size_t j = 0; j < n_dst; j++) {
        size_t i = 0;
        while (i < n_src && strcmp(src[i], dst[j]) != 0)
            i++;
        if (i == n_src)
            return tune_error_set(err, TUNE_ECONFLICT,
                                  "study '%s': the destination has %s '%s' that the source has "
                                  "not",
                                  study, what, dst[j]);
    }
    return TUNE_OK;
}

/* Copy (write = 1) or only check (write = 0) the artifacts of one trial. */
static int copy_artifacts(struct tune_store *src, int64_t src_id, struct tune_store *dst,
                          int64_t dst_id, int number, int write, struct tune_copy_stats *st,
                          const char *study, struct tune_error *err)
{
    char **names = NULL, **have = NULL;
    size_t n = 0, n_have = 0;
    int rc = tune_store_artifact_list(src, src_id, number, &names, &n, err);
    if (!rc && !(rc = tune_store_artifact_list(dst, dst_id, number, &have, &n_have, err)))
        rc = extra_name(names, n, have, n_have, "an artifact of a trial", study, err);
    tune_names_free(have, n_have);
    for (size_t i = 0; !rc && i < n; i++) {
        int in_dst = 0, same = 0;
        if ((rc = same_value(src, src_id, dst, dst_id, number, names[i], &in_dst, &same, err)))
            break;
        if (in_dst && !same) {
            rc = tune_error_set(err, TUNE_ECONFLICT,
                                "study '%s': artifact '%s' of trial %d differs in the "
                                "destination",
                                study, names[i], number);
            break;
        }
        if (in_dst || !write)
            continue;
        void *data = NULL;
        size_t len = 0;
        if (!(rc = tune_store_artifact_load(src, src_id, number, names[i], &data, &len, err)) &&
            !(rc = tune_store_artifact_save(dst, dst_id, number, names[i], data, len, err)))
            st->artifacts++;
        free(data);
    }
    tune_names_free(names, n);
    return rc;
}

/* One pass over everything: check (write = 0) that dst holds a part of the
 * source study, or copy what it lacks (write = 1). */
static int copy_pass(struct tune_store *src, const struct tune_study_info *si,
                     struct tune_store *dst, int64_t dst_id, int write,
                     struct tune_copy_stats *st, struct tune_error *err)
{
    char **keys = NULL, **values = NULL, **names = NULL;
    size_t n = 0;
    int rc;
    /* attributes */
    char **have = NULL, **have_values = NULL;
    size_t n_have = 0;
    if ((rc = tune_store_study_attr_list(src, si->id, &keys, &values, &n, err)))
        return rc;
    if (!(rc = tune_store_study_attr_list(dst, dst_id, &have, &have_values, &n_have, err)))
        rc = extra_name(keys, n, have, n_have, "an attribute", si->name, err);
    tune_names_free(have, n_have);
    tune_names_free(have_values, n_have);
    for (size_t i = 0; !rc && i < n; i++) {
        char *v = NULL;
        rc = tune_store_study_get_attr(dst, dst_id, keys[i], &v, err);
        if (rc == TUNE_OK && strcmp(v, values[i]) != 0)
            rc = tune_error_set(err, TUNE_ECONFLICT,
                                "study '%s': attribute '%s' differs in the destination", si->name,
                                keys[i]);
        else if (rc == TUNE_ENOTFOUND) {
            rc = write ? tune_store_study_set_attr(dst, dst_id, keys[i], values[i], err) : 0;
            st->attrs += write && !rc;
        }
        free(v);
    }
    tune_names_free(keys, n);
    tune_names_free(values, n);
    if (rc)
        return rc;
    /* blobs */
    if ((rc = tune_store_study_blob_list(src, si->id, &names, &n, err)))
        return rc;
    if (!(rc = tune_store_study_blob_list(dst, dst_id, &have, &n_have, err)))
        rc = extra_name(names, n, have, n_have, "a blob", si->name, err);
    tune_names_free(have, n_have);
    for (size_t i = 0; !rc && i < n; i++) {
        int in_dst = 0, same = 0;
        if ((rc = same_value(src, si->id, dst, dst_id, -1, names[i], &in_dst, &same, err)))
            break;
        if (in_dst && !same)
            rc = tune_error_set(err, TUNE_ECONFLICT,
                                "study '%s': blob '%s' differs in the destination", si->name,
                                names[i]);
        else if (!in_dst && write) {
            void *data = NULL;
            size_t len = 0;
            if (!(rc = tune_store_study_blob_load(src, si->id, names[i], &data, &len, err)) &&
                !(rc = tune_store_study_blob_save(dst, dst_id, names[i], data, len, err)))
                st->blobs++;
            free(data); /* one blob in memory at a time */
        }
    }
    tune_names_free(names, n);
    if (rc)
        return rc;
    /* trials, a page at a time from each side */
    int first = 0;
    for (;;) {
        struct tune_trial *v = NULL, *d = NULL;
        size_t nv = 0, nd = 0;
        if ((rc = tune_store_trial_page(src, si->id, first, PAGE, 1, &v, &nv, err)))
            return rc;
        if (nv == 0) {
            tune_trials_free(v, nv);
            break;
        }
        if (!(rc = tune_store_trial_page(dst, dst_id, first, PAGE, 1, &d, &nd, err))) {
            size_t j = 0;
            for (size_t i = 0; !rc && i < nv; i++) {
                while (j < nd && d[j].number < v[i].number)
                    j++; /* a number the source does not have: caught below */
                int in_dst = j < nd && d[j].number == v[i].number;
                if (in_dst) {
                    int same_iv = 0;
                    if (!same_trial(&v[i], &d[j]) ||
                        (!(rc = same_intermediate(src, si->id, dst, dst_id, v[i].number,
                                                  &same_iv, err)) &&
                         !same_iv))
                        rc = tune_error_set(err, TUNE_ECONFLICT,
                                            "study '%s': trial %d differs in the destination",
                                            si->name, v[i].number);
                    st->trials_present += !rc && write;
                } else if (write) {
                    struct tune_intermediate *iv = NULL;
                    size_t niv = 0;
                    if (!(rc = tune_store_trial_list_intermediate(src, si->id, v[i].number, &iv,
                                                                  &niv, err)) &&
                        !(rc = tune_store_trial_import(dst, dst_id, &v[i], iv, niv, err)))
                        st->trials++;
                    free(iv);
                }
                if (!rc && (in_dst || write))
                    rc = copy_artifacts(src, si->id, dst, dst_id, v[i].number, write, st,
                                        si->name, err);
            }
            /* the destination holds a number the source lacks */
            for (size_t k = 0; !rc && k < nd; k++) {
                size_t i = 0;
                while (i < nv && v[i].number != d[k].number)
                    i++;
                if (i == nv && d[k].number <= v[nv - 1].number)
                    rc = tune_error_set(err, TUNE_ECONFLICT,
                                        "study '%s': the destination has a trial %d that the "
                                        "source has not",
                                        si->name, d[k].number);
            }
        }
        first = v[nv - 1].number + 1;
        tune_trials_free(v, nv);
        tune_trials_free(d, nd);
        if (rc)
            return rc;
    }
    /* trials past the source's last number */
    struct tune_trial *d = NULL;
    size_t nd = 0;
    if ((rc = tune_store_trial_page(dst, dst_id, first, 1, 0, &d, &nd, err)))
        return rc;
    if (nd > 0)
        rc = tune_error_set(err, TUNE_ECONFLICT,
                            "study '%s': the destination has a trial %d that the source has not",
                            si->name, d[0].number);
    tune_trials_free(d, nd);
    return rc;
}

int tune_store_copy_study(struct tune_store *src, struct tune_store *dst, const char *name,
                          struct tune_copy_stats *stats, struct tune_error *err)
{
    struct tune_study_info si = {0}, di = {0};
    struct tune_copy_stats st = {0};
    int64_t dst_id = -1;
    if (stats)
        memset(stats, 0, sizeof *stats);
    int rc = tune_store_study_find(src, name, &si, err);
    if (rc)
        return rc;
    rc = tune_store_study_find(dst, name, &di, err);
    if (rc == TUNE_OK) {
        if (!same_text(si.config_json, di.config_json) || !same_text(si.metric, di.metric) ||
            si.maximize != di.maximize || !same_double(si.created, di.created)) {
            rc = tune_error_set(err, TUNE_ECONFLICT,
                                "study '%s' already exists in the destination and differs "
                                "(configuration, metric, direction or creation time); copy it "
                                "to another store",
                                name);
            goto done;
        }
        dst_id = di.id;
        /* read-only first: refuse before writing anything */
        struct tune_copy_stats scratch = {0};
        if ((rc = copy_pass(src, &si, dst, dst_id, 0, &scratch, err))) {
            if (rc == TUNE_ECONFLICT)
                tune_error_prefix(err, "refusing to copy");
            goto done;
        }
    } else if (rc == TUNE_ENOTFOUND) {
        if ((rc = tune_store_study_import(dst, &si, &dst_id, err)))
            goto done;
        st.created = 1;
    } else {
        goto done;
    }
    rc = copy_pass(src, &si, dst, dst_id, 1, &st, err);
done:
    if (stats)
        *stats = st;
    tune_study_info_release(&si);
    tune_study_info_release(&di);
    return rc;
}
