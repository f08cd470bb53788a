/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_store_copy.c — tune_store_copy_study and `tunefold copy`: a study
 * with every kind of stored value (NaN, infinities, odd bytes, intermediate
 * values, artifacts, attributes, blobs, lost and running trials, workers and
 * times) goes SQLite -> PostgreSQL -> SQLite and comes back bit for bit; a
 * repeated copy writes nothing; an interrupted copy is completed; a
 * different study of the same name is refused before anything is written.
 * The SQLite -> SQLite half runs everywhere; PostgreSQL's when
 * TUNEFOLD_TEST_PG_URL names a server. */
#include "testutil.h"

#include <libpq-fe.h>

#include "tunefold/store.h"

static const char *pg_url(void)
{
    const char *u = getenv("TUNEFOLD_TEST_PG_URL");
    return u && *u ? u : NULL;
}

static void pg_exec(const char *sql)
{
    PGconn *c = PQconnectdb(pg_url());
    cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
    PQclear(PQexec(c, "SET client_min_messages = 'warning'"));
    PGresult *r = PQexec(c, sql);
    cr_assert(PQresultStatus(r) == PGRES_COMMAND_OK, "%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
}

/* A PostgreSQL URL into a new schema of its own; *schema to drop it. */
static char *pg_schema_url(char *schema, size_t size)
{
    static int counter;
    snprintf(schema, size, "tf_copy_%ld_%d", (long)getpid(), counter++);
    char sql[200];
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", schema,
             schema);
    pg_exec(sql);
    size_t len = strlen(pg_url()) + strlen(schema) + 64;
    char *url = malloc(len);
    snprintf(url, len, "%s%soptions=-csearch_path%%3D%s", pg_url(),
             strchr(pg_url(), '?') ? "&" : "?", schema);
    return url;
}

static void pg_drop(const char *schema)
{
    char sql[200];
    snprintf(sql, sizeof sql, "DROP SCHEMA %s CASCADE", schema);
    pg_exec(sql);
}

static struct tune_store *open_store(const char *url)
{
    struct tune_store *s = NULL;
    struct tune_error err = {0};
    cr_assert_eq(tune_store_open(url, &s, &err), TUNE_OK, "%s: %s", url, err.msg);
    return s;
}

static int same_double(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0 || (isnan(a) && isnan(b));
}

/* Fill a store with study "full": every kind of value a study holds. */
static void make_study(struct tune_store *s)
{
    struct tune_error err = {0};
    struct tune_study_info info;
    int created, number, seq;
    cr_assert_eq(tune_store_study_create_or_load(s, "full", "{\"name\":\"full\",\"seed\":7}",
                                                 "roc_auc", 1, &info, &created, &err),
                 TUNE_OK, "%s", err.msg);
    int64_t id = info.id;
    tune_study_info_release(&info);
    cr_assert_eq(tune_store_study_set_attr(s, id, "source", "/data/é/study.json", &err), TUNE_OK);
    cr_assert_eq(tune_store_study_set_attr(s, id, "budget", "6", &err), TUNE_OK);
    unsigned char blob[3000];
    for (size_t i = 0; i < sizeof blob; i++)
        blob[i] = (unsigned char)(i * 7 + 3);
    cr_assert_eq(tune_store_study_blob_save(s, id, "data.csv.gz", blob, sizeof blob, &err),
                 TUNE_OK, "%s", err.msg);
    double folds[4] = {0.98765432101234567, NAN, INFINITY, -0.0};
    struct tune_metric_summary m[2] = {
        {.name = "roc_auc", .mean = 0.98765432101234567, .std = NAN, .n_folds = 4,
         .folds = folds},
        {.name = "accuracy", .mean = 1e-300, .std = 5e-324, .n_folds = 0, .folds = NULL}};
    const struct tune_intermediate iv[] = {{0, 1, 0.5}, {0, 2, NAN}, {1, 1, -1.5e-7}};
    const unsigned char art[] = {'r', 0, 0xff, '\n', 0x80};
    const struct tune_artifact arts[] = {{"oof.csv", art, sizeof art}, {"empty", NULL, 0}};
    for (int i = 0; i < 5; i++) {
        cr_assert_eq(tune_store_trial_claim(s, id, i == 3 ? TUNE_ORIGIN_MANUAL
                                                          : TUNE_ORIGIN_SEARCH,
                                            6, &number, &seq, &err),
                     TUNE_OK, "%s", err.msg);
        char params[80];
        snprintf(params, sizeof params, "{\"C\":0.0031622776601683794,\"i\":%d,\"s\":\"a\\\"b\"}",
                 i);
        cr_assert_eq(tune_store_trial_set_params(s, id, number, params, &err), TUNE_OK);
    }
    struct tune_trial_result ok = {.state = TUNE_TRIAL_COMPLETE, .value = 0.98765432101234567,
                                   .value_std = NAN, .fit_seconds = 0.0123456789012345678,
                                   .predict_seconds = 1.2345678901234567e-05, .n_metrics = 2,
                                   .metrics = m, .n_intermediate = 3, .intermediate = iv,
                                   .n_artifacts = 2, .artifacts = arts};
    cr_assert_eq(tune_store_trial_finish(s, id, 0, &ok, &err), TUNE_OK, "%s", err.msg);
    struct tune_trial_result failed = {.state = TUNE_TRIAL_FAILED, .value = NAN,
                                       .value_std = NAN, .fit_seconds = NAN,
                                       .predict_seconds = NAN, .error = "fold 2: diverged"};
    cr_assert_eq(tune_store_trial_finish(s, id, 1, &failed, &err), TUNE_OK);
    cr_assert_eq(tune_store_trial_release(s, id, 2, "interrupted", &err), TUNE_OK);
    ok.value = -INFINITY;
    ok.n_artifacts = 0;
    cr_assert_eq(tune_store_trial_finish(s, id, 3, &ok, &err), TUNE_OK, "%s", err.msg);
    /* trial 4 stays RUNNING */
}

/* Every trial, metric, intermediate value, artifact, attribute and blob of
 * "full" in a and b are the same, bit for bit. */
static void assert_same_study(struct tune_store *a, struct tune_store *b)
{
    struct tune_error err = {0};
    struct tune_study_info ia, ib;
    cr_assert_eq(tune_store_study_find(a, "full", &ia, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(tune_store_study_find(b, "full", &ib, &err), TUNE_OK, "%s", err.msg);
    cr_assert_str_eq(ia.config_json, ib.config_json);
    cr_assert_str_eq(ia.metric, ib.metric);
    cr_assert_eq(ia.maximize, ib.maximize);
    cr_assert(same_double(ia.created, ib.created), "created %.17g vs %.17g", ia.created,
              ib.created);
    struct tune_trial *ta, *tb;
    size_t na, nb;
    cr_assert_eq(tune_store_trial_list(a, ia.id, &ta, &na, &err), TUNE_OK);
    cr_assert_eq(tune_store_trial_list(b, ib.id, &tb, &nb, &err), TUNE_OK);
    cr_assert_eq(na, 5);
    cr_assert_eq(nb, na);
    for (size_t i = 0; i < na; i++) {
        const struct tune_trial *x = &ta[i], *y = &tb[i];
        cr_assert_eq(x->number, y->number);
        cr_assert_eq(x->seq, y->seq);
        cr_assert_eq(x->origin, y->origin);
        cr_assert_eq(x->state, y->state, "trial %d", x->number);
        cr_assert_eq(x->lost, y->lost);
        cr_assert_str_eq(x->params_json, y->params_json);
        cr_assert_str_eq(x->worker, y->worker);
        cr_assert((x->error == NULL) == (y->error == NULL));
        if (x->error)
            cr_assert_str_eq(x->error, y->error);
        cr_assert(same_double(x->value, y->value), "trial %d value", x->number);
        cr_assert(same_double(x->value_std, y->value_std));
        cr_assert(same_double(x->t_start, y->t_start), "t_start %.17g %.17g", x->t_start,
                  y->t_start);
        cr_assert(same_double(x->t_end, y->t_end));
        cr_assert(same_double(x->fit_seconds, y->fit_seconds));
        cr_assert(same_double(x->predict_seconds, y->predict_seconds));
        cr_assert_eq(x->n_metrics, y->n_metrics);
        for (size_t k = 0; k < x->n_metrics; k++) {
            cr_assert_str_eq(x->metrics[k].name, y->metrics[k].name);
            cr_assert(same_double(x->metrics[k].mean, y->metrics[k].mean));
            cr_assert(same_double(x->metrics[k].std, y->metrics[k].std));
            cr_assert_eq(x->metrics[k].n_folds, y->metrics[k].n_folds);
            for (size_t f = 0; f < x->metrics[k].n_folds; f++)
                cr_assert(same_double(x->metrics[k].folds[f], y->metrics[k].folds[f]),
                          "trial %d %s fold %zu: %.17g vs %.17g", x->number, x->metrics[k].name,
                          f, x->metrics[k].folds[f], y->metrics[k].folds[f]);
        }
        struct tune_intermediate *va, *vb;
        size_t nva, nvb;
        cr_assert_eq(tune_store_trial_list_intermediate(a, ia.id, x->number, &va, &nva, &err), 0);
        cr_assert_eq(tune_store_trial_list_intermediate(b, ib.id, x->number, &vb, &nvb, &err), 0);
        cr_assert_eq(nva, nvb);
        for (size_t k = 0; k < nva; k++)
            cr_assert(va[k].fold == vb[k].fold && va[k].step == vb[k].step &&
                      same_double(va[k].value, vb[k].value));
        free(va);
        free(vb);
        char **aa, **ab;
        size_t naa, nab;
        cr_assert_eq(tune_store_artifact_list(a, ia.id, x->number, &aa, &naa, &err), 0);
        cr_assert_eq(tune_store_artifact_list(b, ib.id, x->number, &ab, &nab, &err), 0);
        cr_assert_eq(naa, nab);
        for (size_t k = 0; k < naa; k++) {
            cr_assert_str_eq(aa[k], ab[k]);
            void *da, *db;
            size_t la, lb;
            cr_assert_eq(tune_store_artifact_load(a, ia.id, x->number, aa[k], &da, &la, &err), 0);
            cr_assert_eq(tune_store_artifact_load(b, ib.id, x->number, ab[k], &db, &lb, &err), 0);
            cr_assert(la == lb && memcmp(da, db, la) == 0);
            free(da);
            free(db);
        }
        tune_names_free(aa, naa);
        tune_names_free(ab, nab);
    }
    cr_assert_eq(ta[0].n_metrics, 2, "the study is the full one");
    cr_assert(isinf(ta[3].value) && ta[3].value < 0);
    tune_trials_free(ta, na);
    tune_trials_free(tb, nb);
    char **ka, **va, **kb, **vb;
    size_t nka, nkb;
    cr_assert_eq(tune_store_study_attr_list(a, ia.id, &ka, &va, &nka, &err), 0);
    cr_assert_eq(tune_store_study_attr_list(b, ib.id, &kb, &vb, &nkb, &err), 0);
    cr_assert_eq(nka, 2);
    cr_assert_eq(nka, nkb);
    for (size_t k = 0; k < nka; k++) {
        cr_assert_str_eq(ka[k], kb[k]);
        cr_assert_str_eq(va[k], vb[k]);
    }
    tune_names_free(ka, nka);
    tune_names_free(va, nka);
    tune_names_free(kb, nkb);
    tune_names_free(vb, nkb);
    void *ba, *bb;
    size_t la, lb;
    cr_assert_eq(tune_store_study_blob_load(a, ia.id, "data.csv.gz", &ba, &la, &err), 0);
    cr_assert_eq(tune_store_study_blob_load(b, ib.id, "data.csv.gz", &bb, &lb, &err), 0, "%s",
                 err.msg);
    cr_assert(la == 3000 && la == lb && memcmp(ba, bb, la) == 0);
    free(ba);
    free(bb);
    tune_study_info_release(&ia);
    tune_study_info_release(&ib);
}

static void copy_ok(struct tune_store *src, struct tune_store *dst, size_t want_trials)
{
    struct tune_copy_stats st;
    struct tune_error err = {0};
    cr_assert_eq(tune_store_copy_study(src, dst, "full", &st, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(st.trials, want_trials);
}

/* src -> mid -> back, each a fresh store, then the checks shared by both
 * backends: identical, a second copy writes nothing, a changed source is
 * refused, an interrupted copy is completed. */
static void round_trip(const char *src_url, const char *mid_url, const char *back_url)
{
    struct tune_store *src = open_store(src_url), *mid = open_store(mid_url),
                      *back = open_store(back_url);
    struct tune_error err = {0};
    make_study(src);
    copy_ok(src, mid, 5);
    copy_ok(mid, back, 5);
    assert_same_study(src, mid);
    assert_same_study(src, back);
    /* again: identical, nothing written */
    struct tune_copy_stats st;
    cr_assert_eq(tune_store_copy_study(src, mid, "full", &st, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(st.trials + st.artifacts + st.attrs + st.blobs, 0);
    cr_assert_eq(st.trials_present, 5);
    /* the source moves on: the copy is refused and changes nothing */
    struct tune_trial_result res = {.state = TUNE_TRIAL_COMPLETE, .value = 0.5,
                                    .value_std = NAN, .fit_seconds = NAN,
                                    .predict_seconds = NAN};
    struct tune_study_info info;
    cr_assert_eq(tune_store_study_find(src, "full", &info, &err), TUNE_OK);
    cr_assert_eq(tune_store_trial_finish(src, info.id, 4, &res, &err), TUNE_OK);
    cr_assert_eq(tune_store_study_blob_save(src, info.id, "extra", "x", 1, &err), TUNE_OK);
    cr_assert_eq(tune_store_copy_study(src, mid, "full", &st, &err), TUNE_ECONFLICT);
    cr_assert(strstr(err.msg, "refusing") && strstr(err.msg, "trial 4"), "%s", err.msg);
    /* and so is a destination that holds more than the source */
    struct tune_study_info bi;
    cr_assert_eq(tune_store_study_find(back, "full", &bi, &err), TUNE_OK);
    cr_assert_eq(tune_store_study_set_attr(back, bi.id, "note", "mine", &err), TUNE_OK);
    cr_assert_eq(tune_store_copy_study(mid, back, "full", &st, &err), TUNE_ECONFLICT);
    cr_assert(strstr(err.msg, "attribute 'note'"), "%s", err.msg);
    tune_study_info_release(&bi);
    struct tune_study_info mi;
    char **names;
    size_t n;
    cr_assert_eq(tune_store_study_find(mid, "full", &mi, &err), TUNE_OK);
    cr_assert_eq(tune_store_study_blob_list(mid, mi.id, &names, &n, &err), TUNE_OK);
    cr_assert_eq(n, 1, "nothing written before the refusal");
    tune_names_free(names, n);
    tune_study_info_release(&mi);
    tune_study_info_release(&info);
    tune_store_close(src);
    tune_store_close(mid);
    tune_store_close(back);
}

Test(store_copy, sqlite_to_sqlite_and_back_is_lossless_and_refuses_a_different_study)
{
    char *dir = tu_tmpdir(), a[600], b[600], c[600];
    snprintf(a, sizeof a, "%s/a.db", dir);
    snprintf(b, sizeof b, "sqlite:%s/b.db", dir);
    snprintf(c, sizeof c, "%s/c.db", dir);
    round_trip(a, b, c);
    snprintf(a, sizeof a, "rm -rf '%s'", dir);
    cr_assert_eq(system(a), 0);
    free(dir);
}

Test(store_copy_pg, sqlite_to_postgres_and_back_is_lossless_bit_for_bit)
{
    if (!pg_url())
        cr_skip_test("PostgreSQL tests skipped: TUNEFOLD_TEST_PG_URL is not set (`make test-pg` "
                     "starts a throwaway server; scripts/pg-test-server start prints a URL)");
    char *dir = tu_tmpdir(), a[600], c[600], schema[64];
    snprintf(a, sizeof a, "%s/a.db", dir);
    snprintf(c, sizeof c, "%s/c.db", dir);
    char *mid = pg_schema_url(schema, sizeof schema);
    round_trip(a, mid, c);
    pg_drop(schema);
    free(mid);
    /* and PostgreSQL -> PostgreSQL */
    char s1[64], s2[64];
    char *p1 = pg_schema_url(s1, sizeof s1), *p2 = pg_schema_url(s2, sizeof s2);
    struct tune_store *x = open_store(p1), *y = open_store(p2);
    make_study(x);
    copy_ok(x, y, 5);
    assert_same_study(x, y);
    tune_store_close(x);
    tune_store_close(y);
    pg_drop(s1);
    pg_drop(s2);
    free(p1);
    free(p2);
    snprintf(a, sizeof a, "rm -rf '%s'", dir);
    cr_assert_eq(system(a), 0);
    free(dir);
}

/* A copy cut off half-way (the destination fails from its Nth call on) is
 * completed by running it again, and the result is the whole study. */
Test(store_copy, an_interrupted_copy_is_completed_by_running_it_again)
{
    char *dir = tu_tmpdir(), a[600], b[600];
    snprintf(a, sizeof a, "%s/a.db", dir);
    struct tune_store *src = open_store(a);
    make_study(src);
    for (unsigned long cut = 3; cut < 40; cut += 6) {
        snprintf(b, sizeof b, "%s/b%lu.db", dir, cut);
        struct tune_store *dst = open_store(b);
        struct tune_copy_stats st;
        struct tune_error err = {0};
        tune_store_fail_at(dst, cut);
        int rc = tune_store_copy_study(src, dst, "full", &st, &err);
        cr_assert(rc == TUNE_ESTORE || rc == TUNE_OK, "cut %lu: %s", cut, err.msg);
        tune_store_fail_at(dst, 0);
        cr_assert_eq(tune_store_copy_study(src, dst, "full", &st, &err), TUNE_OK, "cut %lu: %s",
                     cut, err.msg);
        assert_same_study(src, dst);
        tune_store_close(dst);
    }
    tune_store_close(src);
    snprintf(a, sizeof a, "rm -rf '%s'", dir);
    cr_assert_eq(system(a), 0);
    free(dir);
}

Test(store_copy, the_copy_command_copies_every_study_and_refuses_a_different_one_with_exit_2)
{
    char *dir = tu_tmpdir(), a[600], b[600], cmd[2000];
    snprintf(a, sizeof a, "%s/a.db", dir);
    snprintf(b, sizeof b, "%s/b.db", dir);
    struct tune_store *src = open_store(a);
    make_study(src);
    struct tune_study_info info;
    struct tune_error err = {0};
    int created;
    cr_assert_eq(tune_store_study_create_or_load(src, "second", "{}", "rmse", 0, &info, &created,
                                                 &err),
                 TUNE_OK);
    tune_study_info_release(&info);
    tune_store_close(src);
    char *out = NULL, *errout = NULL;
    snprintf(cmd, sizeof cmd, "%s copy --from %s --to %s", tu_bin(), a, b);
    cr_assert_eq(tu_run(cmd, &out, &errout), 0, "%s", errout);
    cr_assert(strstr(out, "study 'full': copied 5 trials, 2 artifacts, 2 attributes, 1 blobs"),
              "%s", out);
    cr_assert(strstr(out, "study 'second': copied 0 trials"), "%s", out);
    free(out);
    free(errout);
    cr_assert_eq(tu_run(cmd, &out, &errout), 0, "%s", errout);
    cr_assert(strstr(out, "study 'full': already in") && strstr(out, "identical (5 trials)"),
              "%s", out);
    free(out);
    free(errout);
    /* a study of the same name that differs: exit 2, saying which */
    snprintf(cmd, sizeof cmd, "%s/c.db", dir);
    struct tune_store *other = open_store(cmd);
    cr_assert_eq(tune_store_study_create_or_load(other, "full", "{\"other\":1}", "roc_auc", 1,
                                                 &info, &created, &err),
                 TUNE_OK);
    tune_study_info_release(&info);
    tune_store_close(other);
    snprintf(cmd, sizeof cmd, "%s copy --from %s --to %s/c.db --study full", tu_bin(), a, dir);
    cr_assert_eq(tu_run(cmd, &out, &errout), 2, "%s", errout);
    cr_assert(strstr(errout, "study 'full' already exists in the destination and differs"), "%s",
              errout);
    free(out);
    free(errout);
    /* usage: a missing source is not created; both options needed */
    snprintf(cmd, sizeof cmd, "%s copy --from %s/none.db --to %s", tu_bin(), dir, b);
    cr_assert_eq(tu_run(cmd, &out, &errout), 2);
    cr_assert(strstr(errout, "none.db"), "%s", errout);
    free(out);
    free(errout);
    snprintf(cmd, sizeof cmd, "%s/none.db", dir);
    cr_assert_eq(access(cmd, F_OK), -1, "the source was not created");
    snprintf(cmd, sizeof cmd, "%s copy --from %s", tu_bin(), a);
    cr_assert_eq(tu_run(cmd, &out, &errout), 2);
    free(out);
    free(errout);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    free(dir);
}
