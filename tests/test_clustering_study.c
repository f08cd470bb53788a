/* test_clustering_study.c — k-means as a study trainer: "task": "clustering",
 * cluster ids as predictions, scored on each validation fold by the
 * clustering measures (silhouette, inertia, Davies-Bouldin,
 * Calinski-Harabasz), which need the rows themselves. */
#include "testutil.h"

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
