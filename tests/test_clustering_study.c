/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_clustering_study.c — k-means as a study trainer: "task": "clustering",
 * cluster ids as predictions, scored on each validation fold by the
 * clustering measures (silhouette, inertia, Davies-Bouldin,
 * Calinski-Harabasz), which need the rows themselves; the best trial keeps
 * those rows as it saw them (oof_features.csv) for the report. */
#include "testutil.h"
#include "tunefold/metrics.h"
#include "tunefold/study.h"

#include <cJSON.h>

/* A hung test fails instead of hanging the suite (Criterion's own .timeout
 * leaks under LeakSanitizer). */
TestSuite(clustering_study, .init = tu_watchdog);

static cJSON *run_json(const char *args)
{
    char cmd[2048], *out = NULL, *err = NULL;
    snprintf(cmd, sizeof cmd, "%s %s", tu_bin(), args);
    int rc = tu_run(cmd, &out, &err);
    cr_assert_eq(rc, 0, "%s: %s", cmd, err);
    cJSON *j = cJSON_Parse(out);
    cr_assert_not_null(j, "%s", out);
    free(out);
    free(err);
    return j;
}

Test(clustering_study, a_grid_over_k_scores_every_k_by_silhouette_and_inertia)
{
    char *d = tu_tmpdir(), args[1024], *out = NULL;
    snprintf(args, sizeof args, "%s run examples/iris_kmeans.json --db %s/k.db --quiet",
             tu_bin(), d);
    cr_assert_eq(tu_run(args, &out, NULL), 0, "%s", out);
    free(out);
    snprintf(args, sizeof args, "trials --db %s/k.db --format json", d);
    cJSON *t = run_json(args);
    cr_assert_eq(cJSON_GetArraySize(t), 7, "k = 2..8");
    const cJSON *tr;
    cJSON_ArrayForEach(tr, t) {
        cr_assert_str_eq(cJSON_GetObjectItem(tr, "state")->valuestring, "COMPLETE");
        double sil = cJSON_GetObjectItem(tr, "value")->valuedouble;
        cr_assert(sil > 0 && sil < 1, "silhouette %g", sil);
    }
    cJSON_Delete(t);
    /* standardized iris: two clusters separate best (scikit-learn's silhouette
     * of KMeans(2) on all rows is 0.58); inertia falls as k grows */
    snprintf(args, sizeof args, "best --db %s/k.db --format json", d);
    cJSON *b = run_json(args);
    cr_assert_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(b, "params"), "n_clusters")->valueint,
                 2);
    const cJSON *m = cJSON_GetObjectItem(b, "metrics");
    cr_assert_not_null(cJSON_GetObjectItem(m, "inertia"));
    cr_assert_not_null(cJSON_GetObjectItem(m, "davies_bouldin"));
    cr_assert_not_null(cJSON_GetObjectItem(m, "calinski_harabasz"));
    cr_assert_null(cJSON_GetObjectItem(m, "accuracy"), "no label metrics for clustering");
    cJSON_Delete(b);
    /* the out-of-fold artifact holds cluster ids */
    snprintf(args, sizeof args,
             "sqlite3 %s/k.db \"SELECT substr(data, 1, 26) FROM artifacts WHERE name = "
             "'oof.csv'\"",
             d);
    cr_assert_eq(tu_run(args, &out, NULL), 0);
    cr_assert(strncmp(out, "row,fold,cluster,distance\n", 26) == 0, "%s", out);
    free(out);
    free(d);
}

Test(clustering_study, inertia_as_the_objective_is_minimized_and_falls_with_k)
{
    char *d = tu_tmpdir(), *study, args[1024], json[1024];
    snprintf(json, sizeof json,
             "{\"name\": \"k-inertia\", \"data\": {\"path\": \"%s/data/wine.csv\","
             " \"target\": \"target\"}, \"task\": \"clustering\","
             " \"trainer\": {\"name\": \"kmeans\", \"params\": {\"n_init\": 3}},"
             " \"space\": {\"n_clusters\": {\"type\": \"int\", \"low\": 2, \"high\": 6,"
             " \"grid_points\": 5}}, \"preprocess\": {\"scale\": \"standard\"},"
             " \"search\": {\"strategy\": \"grid\"}, \"cv\": {\"folds\": 2},"
             " \"objective\": {\"metric\": \"inertia\"}}",
             getenv("PWD"));
    study = tu_write(d, "s.json", json);
    snprintf(args, sizeof args, "%s run %s --db %s/k.db --quiet", tu_bin(), study, d);
    cr_assert_eq(tu_run(args, NULL, NULL), 0);
    snprintf(args, sizeof args, "trials --db %s/k.db --format json", d);
    cJSON *t = run_json(args);
    cr_assert_eq(cJSON_GetArraySize(t), 5);
    for (int i = 1; i < 5; i++)
        cr_assert_lt(cJSON_GetObjectItem(cJSON_GetArrayItem(t, i), "value")->valuedouble,
                     cJSON_GetObjectItem(cJSON_GetArrayItem(t, i - 1), "value")->valuedouble,
                     "inertia falls as k grows");
    cJSON_Delete(t);
    snprintf(args, sizeof args, "best --db %s/k.db --format json", d);
    cJSON *b = run_json(args);
    cr_assert_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(b, "params"), "n_clusters")->valueint,
                 6, "minimizing inertia picks the largest k");
    cJSON_Delete(b);
    free(study);
    free(d);
}

Test(clustering_study, a_label_metric_is_refused_for_clustering)
{
    char *d = tu_tmpdir(), *err = NULL, args[1024];
    char *study = tu_write(d, "s.json",
                           "{\"name\": \"k\", \"data\": {\"path\": \"x.csv\"},"
                           " \"task\": \"clustering\", \"trainer\": {\"name\": \"kmeans\"},"
                           " \"objective\": {\"metric\": \"accuracy\"}}");
    snprintf(args, sizeof args, "%s run %s --db %s/k.db", tu_bin(), study, d);
    cr_assert_eq(tu_run(args, NULL, &err), 2);
    cr_assert(strstr(err, "objective.metric: \"accuracy\" does not fit this task") != NULL, "%s",
              err);
    cr_assert(strstr(err, "silhouette") != NULL, "%s", err);
    free(err);
    free(study);
    free(d);
}

Test(clustering_study, the_best_trial_stores_its_validation_rows_as_kmeans_saw_them)
{
    /* "oof_features.csv": every validated row as the trainer saw it (its
     * fold's preprocessing applied), so that reports draw silhouettes and
     * projections without refitting anything: the silhouette of each fold's
     * rows, labelled by oof.csv, is the stored fold score */
    char *d = tu_tmpdir(), args[1024], db[600];
    snprintf(args, sizeof args, "%s run examples/iris_kmeans.json --db %s/k.db --quiet",
             tu_bin(), d);
    cr_assert_eq(tu_run(args, NULL, NULL), 0);
    snprintf(db, sizeof db, "%s/k.db", d);
    struct tune_store *store = NULL;
    struct tune_study_info info = {0};
    struct tune_trial best = {0};
    struct tune_error err = {0};
    cr_assert_eq(tune_store_open(db, &store, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(tune_store_study_find(store, "iris-kmeans", &info, &err), TUNE_OK);
    cr_assert_eq(tune_store_trial_best(store, info.id, &best, &err), TUNE_OK);
    void *xb = NULL, *lb = NULL;
    size_t xlen = 0, llen = 0;
    cr_assert_eq(tune_store_artifact_load(store, info.id, best.number, "oof_features.csv", &xb,
                                            &xlen, &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(tune_store_artifact_load(store, info.id, best.number, "oof.csv", &lb, &llen,
                                            &err),
                 TUNE_OK, "%s", err.msg);
    struct tune_table *xt = NULL, *lt = NULL;
    cr_assert_eq(tune_table_parse_csv("oof_features.csv", xb, xlen, &xt, &err), TUNE_OK, "%s",
                 err.msg);
    cr_assert_eq(tune_table_parse_csv("oof.csv", lb, llen, &lt, &err), TUNE_OK, "%s", err.msg);
    cr_assert(strncmp(xb, "row,fold,sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm\n", 67) == 0,
              "%.80s", (const char *)xb);
    cr_assert_eq(xt->n_rows, 150);
    cr_assert_eq(lt->n_rows, 150);
    const struct tune_metric_summary *sil = NULL;
    for (size_t m = 0; m < best.n_metrics; m++)
        if (strcmp(best.metrics[m].name, "silhouette") == 0)
            sil = &best.metrics[m];
    cr_assert_not_null(sil);
    cr_assert_eq(sil->n_folds, 3);
    size_t n = xt->n_rows;
    for (int f = 0; f < 3; f++) {
        double x[4 * 150];
        int labels[150];
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            if (xt->data[n + i] != f)
                continue;
            /* the row's label from oof.csv */
            size_t r = (size_t)xt->data[i], j = 0;
            while (j < lt->n_rows && lt->data[j] != (double)r)
                j++;
            cr_assert_lt(j, lt->n_rows, "row %zu not in oof.csv", r);
            cr_assert_eq(lt->data[lt->n_rows + j], f);
            labels[m] = (int)lt->data[2 * lt->n_rows + j];
            for (size_t c = 0; c < 4; c++)
                x[c * 150 + m] = xt->data[(2 + c) * n + i];
            m++;
        }
        cr_assert_eq(m, 50);
        /* column-major with stride m */
        double packed[4 * 50];
        for (size_t c = 0; c < 4; c++)
            memcpy(&packed[c * m], &x[c * 150], m * sizeof *packed);
        struct tune_matrix mx = {m, 4, packed};
        cr_assert_eq(tune_metric_silhouette(&mx, labels, 2, 0, 0), sil->folds[f], "fold %d", f);
    }
    tune_table_free(xt);
    tune_table_free(lt);
    free(xb);
    free(lb);
    tune_trial_release(&best);
    tune_study_info_release(&info);
    tune_store_close(store);
    free(d);
}
