/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_watch.c — the incremental history: after any mix of claims, params,
 * finishes, withdrawals, releases and recoveries by several store handles
 * (as several workers make them), a watch polled now and then knows exactly
 * what a full read of the store says: the same trials with the same states,
 * values, params and points, progress counts equal to a full count, and the
 * best trial the store's indexed query picks.  The random mix runs on
 * SQLite, and on PostgreSQL when TUNEFOLD_TEST_PG_URL names a server. */
#include "testutil.h"

#include <gsl/gsl_rng.h>
#include <libpq-fe.h>

#include "tunefold/store.h"
#include "tunefold/watch.h"

#define WORKERS 3

static struct tune_space one_float_space(void)
{
    struct tune_space sp = {1, calloc(1, sizeof(struct tune_param))};
    sp.params[0].name = strdup("x");
    sp.params[0].type = TUNE_PARAM_FLOAT;
    sp.params[0].low = -10;
    sp.params[0].high = 10;
    return sp;
}

/* Compare the watch with a full read; `hist` checked as well. */
static void assert_watch_matches_store(struct tune_watch *w, struct tune_store *st,
                                       int64_t study_id, int maximize)
{
    struct tune_error err = {0};
    struct tune_trial *t = NULL;
    size_t n = 0;
    cr_assert_eq(tune_store_trial_list(st, study_id, &t, &n, &err), TUNE_OK, "%s", err.msg);
    struct tune_progress want = {.best_value = NAN, .best_number = -1, .worst_value = NAN};
    for (size_t i = 0; i < n; i++) {
        const struct tune_trial_brief *b = tune_watch_trial(w, t[i].number);
        cr_assert_not_null(b, "trial %d missing from the watch", t[i].number);
        cr_assert_eq(b->state, t[i].state, "trial %d", t[i].number);
        cr_assert_eq(b->lost, t[i].lost, "trial %d", t[i].number);
        cr_assert_eq(b->seq, t[i].seq);
        cr_assert_eq(b->origin, t[i].origin);
        cr_assert(memcmp(&b->value, &t[i].value, sizeof b->value) == 0 ||
                      (isnan(b->value) && isnan(t[i].value)),
                  "trial %d value", t[i].number);
        cr_assert((b->params_json == NULL) == (t[i].params_json == NULL));
        if (b->params_json)
            cr_assert_str_eq(b->params_json, t[i].params_json);
        if (t[i].state == TUNE_TRIAL_COMPLETE && !isnan(t[i].value) &&
            (isnan(want.worst_value) ||
             (maximize ? t[i].value < want.worst_value : t[i].value > want.worst_value)))
            want.worst_value = t[i].value;
        if (t[i].origin == TUNE_ORIGIN_SEARCH) {
            if (t[i].lost)
                want.lost++;
            else if (t[i].state == TUNE_TRIAL_RUNNING)
                want.running++;
            else {
                want.finished++;
                want.complete += t[i].state == TUNE_TRIAL_COMPLETE;
                want.failed += t[i].state == TUNE_TRIAL_FAILED;
                want.pruned += t[i].state == TUNE_TRIAL_PRUNED;
            }
        }
    }
    /* nothing in the watch that the store does not hold */
    struct tune_history h;
    tune_watch_history(w, -1, &h);
    cr_assert_eq(h.n, n, "the watch holds %zu trials, the store %zu", h.n, n);
    cr_assert_eq(h.maximize, maximize);
    for (size_t i = 0; i < h.n; i++) {
        const struct tune_history_entry *e = &h.entries[i];
        const struct tune_trial_brief *b = tune_watch_trial(w, e->number);
        cr_assert_not_null(b);
        if (b->params_json) {
            cr_assert_not_null(e->point, "trial %d has params but no point", e->number);
            double x = strtod(strchr(b->params_json, ':') + 1, NULL);
            cr_assert_eq(e->point[0], x);
        } else {
            cr_assert_null(e->point);
        }
    }
    const struct tune_progress *p = tune_watch_progress(w);
    cr_assert_eq(p->running, want.running);
    cr_assert_eq(p->finished, want.finished);
    cr_assert_eq(p->complete, want.complete);
    cr_assert_eq(p->failed, want.failed);
    cr_assert_eq(p->pruned, want.pruned);
    cr_assert_eq(p->lost, want.lost);
    cr_assert(p->worst_value == want.worst_value ||
                  (isnan(p->worst_value) && isnan(want.worst_value)),
              "worst %g, expected %g", p->worst_value, want.worst_value);
    struct tune_progress sp;
    cr_assert_eq(tune_store_study_progress(st, study_id, &sp, &err), TUNE_OK, "%s", err.msg);
    cr_assert(sp.worst_value == want.worst_value ||
                  (isnan(sp.worst_value) && isnan(want.worst_value)));
    cr_assert_eq(sp.finished, want.finished);
    cr_assert_eq(sp.lost, want.lost);
    struct tune_trial best;
    int rc = tune_store_trial_best(st, study_id, &best, &err);
    if (rc == TUNE_ENOTFOUND) {
        cr_assert_eq(p->best_number, -1);
    } else {
        cr_assert_eq(rc, TUNE_OK, "%s", err.msg);
        cr_assert_eq(p->best_number, best.number);
        cr_assert_eq(p->best_value, best.value);
        tune_trial_release(&best);
    }
    tune_trials_free(t, n);
}

/* One random operation by one of the handles. */
static void random_op(gsl_rng *r, struct tune_store *st, int64_t id, int *running, size_t *n_run)
{
    struct tune_error err = {0};
    unsigned op = (unsigned)gsl_rng_uniform_int(r, 10);
    if (*n_run == 0 || op < 3) {
        int number, seq;
        int rc = tune_store_trial_claim(st, id, op == 0 ? TUNE_ORIGIN_MANUAL : TUNE_ORIGIN_SEARCH,
                                        1000, &number, &seq, &err);
        cr_assert_eq(rc, TUNE_OK, "%s", err.msg);
        running[(*n_run)++] = number;
        return;
    }
    size_t k = gsl_rng_uniform_int(r, *n_run);
    int number = running[k];
    char params[64];
    switch (op) {
    case 3:
    case 4: /* params, maybe twice */
        snprintf(params, sizeof params, "{\"x\": %.17g}", gsl_rng_uniform(r) * 20 - 10);
        cr_assert_eq(tune_store_trial_set_params(st, id, number, params, &err), TUNE_OK, "%s",
                     err.msg);
        return;
    case 5:
    case 6:
    case 7: { /* finished: complete (ties likely), failed or pruned */
        struct tune_trial_result res = {.state = TUNE_TRIAL_COMPLETE,
                                        .value = (double)gsl_rng_uniform_int(r, 5) * 0.125,
                                        .value_std = 0};
        if (op == 6 && gsl_rng_uniform(r) < 0.5) {
            res.state = TUNE_TRIAL_FAILED;
            res.value = NAN;
            res.error = "no";
        } else if (op == 6) {
            res.state = TUNE_TRIAL_PRUNED;
            res.value = NAN;
        }
        cr_assert_eq(tune_store_trial_finish(st, id, number, &res, &err), TUNE_OK, "%s",
                     err.msg);
        break;
    }
    case 8: /* withdrawn, or released as lost */
        if (gsl_rng_uniform(r) < 0.5)
            cr_assert_eq(tune_store_trial_abandon(st, id, number, &err), TUNE_OK, "%s", err.msg);
        else
            cr_assert_eq(tune_store_trial_release(st, id, number, "gone", &err), TUNE_OK, "%s",
                         err.msg);
        break;
    default: { /* every running trial goes stale at once */
        size_t marked;
        cr_assert_eq(tune_store_trial_recover_stale(st, id, 0, &marked, &err), TUNE_OK);
        cr_assert(marked >= 1);
        *n_run = 0;
        return;
    }
    }
    running[k] = running[--(*n_run)];
}

static void run_mix_at(const char *path, int maximize, unsigned long seed)
{
    struct tune_store *st[WORKERS];
    struct tune_error err = {0};
    struct tune_study_info info;
    int created;
    for (int i = 0; i < WORKERS; i++)
        cr_assert_eq(tune_store_open(path, &st[i], &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(tune_store_study_create_or_load(st[0], "mix", "{}", "m", maximize, &info,
                                                 &created, &err),
                 TUNE_OK, "%s", err.msg);
    struct tune_space sp = one_float_space();
    struct tune_watch *w;
    cr_assert_eq(tune_watch_new(st[0], info.id, maximize, &sp, &w, &err), TUNE_OK);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    int running[WORKERS][1000];
    size_t n_run[WORKERS] = {0};
    for (int round = 0; round < 400; round++) {
        int h = (int)gsl_rng_uniform_int(r, WORKERS);
        random_op(r, st[h], info.id, running[h], &n_run[h]);
        /* a stale recovery by one handle takes the others' trials too */
        if (n_run[h] == 0)
            for (int k = 0; k < WORKERS; k++)
                n_run[k] = 0;
        if (gsl_rng_uniform(r) < 0.2) {
            cr_assert_eq(tune_watch_poll(w, NULL, NULL, &err), TUNE_OK, "%s", err.msg);
            assert_watch_matches_store(w, st[0], info.id, maximize);
        }
    }
    cr_assert_eq(tune_watch_poll(w, NULL, NULL, &err), TUNE_OK, "%s", err.msg);
    assert_watch_matches_store(w, st[0], info.id, maximize);
    /* and a new watch reading everything at once agrees */
    struct tune_watch *fresh;
    cr_assert_eq(tune_watch_new(st[1], info.id, maximize, &sp, &fresh, &err), TUNE_OK);
    cr_assert_eq(tune_watch_poll(fresh, NULL, NULL, &err), TUNE_OK);
    assert_watch_matches_store(fresh, st[1], info.id, maximize);
    tune_watch_free(fresh);
    tune_watch_free(w);
    gsl_rng_free(r);
    tune_space_release(&sp);
    tune_study_info_release(&info);
    for (int i = 0; i < WORKERS; i++)
        tune_store_close(st[i]);
}

static void run_mix(int maximize, unsigned long seed)
{
    char *dir = tu_tmpdir(), path[600];
    snprintf(path, sizeof path, "%s/w.db", dir);
    run_mix_at(path, maximize, seed);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    free(dir);
}

/* The same mix on PostgreSQL, in a schema of its own. */
static void pg_sql(const char *url, const char *sql)
{
    PGconn *c = PQconnectdb(url);
    cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
    PQclear(PQexec(c, "SET client_min_messages = 'warning'"));
    PGresult *r = PQexec(c, sql);
    cr_assert_eq(PQresultStatus(r), PGRES_COMMAND_OK, "%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
}

static void run_mix_pg(int maximize, unsigned long seed)
{
    const char *base = getenv("TUNEFOLD_TEST_PG_URL");
    if (!base || !*base)
        cr_skip_test("PostgreSQL tests skipped: TUNEFOLD_TEST_PG_URL is not set (`make test-pg` "
                     "starts a throwaway server; scripts/pg-test-server start prints a URL)");
    char schema[64], sql[200], url[1024];
    snprintf(schema, sizeof schema, "tf_watch_%ld_%lu", (long)getpid(), seed);
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", schema,
             schema);
    pg_sql(base, sql);
    snprintf(url, sizeof url, "%s%soptions=-csearch_path%%3D%s", base,
             strchr(base, '?') ? "&" : "?", schema);
    run_mix_at(url, maximize, seed);
    snprintf(sql, sizeof sql, "DROP SCHEMA %s CASCADE", schema);
    pg_sql(base, sql);
}

Test(watch_pg, incremental_reads_equal_a_full_read_after_any_mix_of_changes_maximizing)
{
    run_mix_pg(1, 11);
}

Test(watch_pg, incremental_reads_equal_a_full_read_after_any_mix_of_changes_minimizing)
{
    run_mix_pg(0, 21);
}

Test(watch, incremental_reads_equal_a_full_read_after_any_mix_of_changes_maximizing)
{
    run_mix(1, 11);
    run_mix(1, 12);
}

Test(watch, incremental_reads_equal_a_full_read_after_any_mix_of_changes_minimizing)
{
    run_mix(0, 21);
    run_mix(0, 22);
}

/* The callback sees each change once, with the row before and after. */
struct seen {
    int calls, new_rows, finished, gone;
};

static void count_changes(void *arg, const struct tune_trial_brief *before,
                          const struct tune_trial_brief *now)
{
    struct seen *s = arg;
    s->calls++;
    s->new_rows += before == NULL;
    s->gone += now->gone;
    s->finished += before && before->state == TUNE_TRIAL_RUNNING && !now->gone &&
                   now->state != TUNE_TRIAL_RUNNING;
}

Test(watch, a_poll_reports_each_change_with_the_row_before_and_after)
{
    char *dir = tu_tmpdir(), path[600];
    snprintf(path, sizeof path, "%s/w.db", dir);
    struct tune_store *st;
    struct tune_error err = {0};
    struct tune_study_info info;
    int created, a, b, c, seq;
    cr_assert_eq(tune_store_open(path, &st, &err), TUNE_OK);
    cr_assert_eq(tune_store_study_create_or_load(st, "s", "{}", "m", 1, &info, &created, &err),
                 TUNE_OK);
    struct tune_watch *w;
    cr_assert_eq(tune_watch_new(st, info.id, 1, NULL, &w, &err), TUNE_OK);
    tune_store_trial_claim(st, info.id, TUNE_ORIGIN_SEARCH, 9, &a, &seq, &err);
    tune_store_trial_claim(st, info.id, TUNE_ORIGIN_SEARCH, 9, &b, &seq, &err);
    struct seen s = {0};
    cr_assert_eq(tune_watch_poll(w, count_changes, &s, &err), TUNE_OK);
    cr_assert_eq(s.calls, 2);
    cr_assert_eq(s.new_rows, 2);
    struct tune_trial_result res = {.state = TUNE_TRIAL_COMPLETE, .value = 2.5};
    tune_store_trial_finish(st, info.id, a, &res, &err);
    tune_store_trial_abandon(st, info.id, b, &err);
    tune_store_trial_claim(st, info.id, TUNE_ORIGIN_SEARCH, 9, &c, &seq, &err);
    cr_assert_eq(c, b, "the withdrawn number is taken again");
    memset(&s, 0, sizeof s);
    cr_assert_eq(tune_watch_poll(w, count_changes, &s, &err), TUNE_OK);
    /* trial a finished; b is a new claim under the old number */
    cr_assert_eq(s.finished, 1);
    cr_assert_eq(s.calls, 2);
    memset(&s, 0, sizeof s);
    cr_assert_eq(tune_watch_poll(w, count_changes, &s, &err), TUNE_OK);
    cr_assert_eq(s.calls, 0, "nothing changed, nothing reported");
    cr_assert_eq(tune_watch_progress(w)->best_number, a);
    cr_assert_eq(tune_watch_progress(w)->best_value, 2.5);
    cr_assert_eq(tune_watch_progress(w)->running, 1);
    tune_watch_free(w);
    tune_study_info_release(&info);
    tune_store_close(st);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    free(dir);
}

Test(watch, history_hides_the_trial_being_suggested_and_restores_it)
{
    char *dir = tu_tmpdir(), path[600];
    snprintf(path, sizeof path, "%s/w.db", dir);
    struct tune_store *st;
    struct tune_error err = {0};
    struct tune_study_info info;
    int created, number, seq;
    cr_assert_eq(tune_store_open(path, &st, &err), TUNE_OK);
    cr_assert_eq(tune_store_study_create_or_load(st, "s", "{}", "m", 0, &info, &created, &err),
                 TUNE_OK);
    struct tune_space sp = one_float_space();
    struct tune_watch *w;
    cr_assert_eq(tune_watch_new(st, info.id, 0, &sp, &w, &err), TUNE_OK);
    for (int i = 0; i < 5; i++) {
        char params[40];
        tune_store_trial_claim(st, info.id, TUNE_ORIGIN_SEARCH, 9, &number, &seq, &err);
        snprintf(params, sizeof params, "{\"x\": %d.5}", i);
        tune_store_trial_set_params(st, info.id, number, params, &err);
    }
    cr_assert_eq(tune_watch_poll(w, NULL, NULL, &err), TUNE_OK);
    struct tune_history h;
    tune_watch_history(w, 1, &h);
    cr_assert_eq(h.n, 4);
    cr_assert_eq(h.number, 1);
    cr_assert_eq(h.maximize, 0);
    double sum = 0;
    for (size_t i = 0; i < h.n; i++) {
        cr_assert_neq(h.entries[i].number, 1);
        sum += h.entries[i].point[0];
    }
    cr_assert_eq(sum, 0.5 + 2.5 + 3.5 + 4.5);
    tune_watch_history(w, -1, &h);
    cr_assert_eq(h.n, 5);
    cr_assert_eq(tune_watch_trial(w, 1)->params_json[6], '1');
    tune_watch_free(w);
    tune_space_release(&sp);
    tune_study_info_release(&info);
    tune_store_close(st);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    free(dir);
}

Test(watch, a_tie_for_best_goes_to_the_lowest_number_whatever_finishes_first)
{
    char *dir = tu_tmpdir(), path[600];
    snprintf(path, sizeof path, "%s/w.db", dir);
    struct tune_store *st;
    struct tune_error err = {0};
    struct tune_study_info info;
    int created, a, b, seq;
    cr_assert_eq(tune_store_open(path, &st, &err), TUNE_OK);
    cr_assert_eq(tune_store_study_create_or_load(st, "s", "{}", "m", 0, &info, &created, &err),
                 TUNE_OK);
    struct tune_watch *w;
    cr_assert_eq(tune_watch_new(st, info.id, 0, NULL, &w, &err), TUNE_OK);
    tune_store_trial_claim(st, info.id, TUNE_ORIGIN_SEARCH, 9, &a, &seq, &err);
    tune_store_trial_claim(st, info.id, TUNE_ORIGIN_SEARCH, 9, &b, &seq, &err);
    struct tune_trial_result res = {.state = TUNE_TRIAL_COMPLETE, .value = -1.25};
    tune_store_trial_finish(st, info.id, b, &res, &err);
    cr_assert_eq(tune_watch_poll(w, NULL, NULL, &err), TUNE_OK);
    cr_assert_eq(tune_watch_progress(w)->best_number, b);
    tune_store_trial_finish(st, info.id, a, &res, &err);
    cr_assert_eq(tune_watch_poll(w, NULL, NULL, &err), TUNE_OK);
    cr_assert_eq(tune_watch_progress(w)->best_number, a);
    struct tune_trial best;
    cr_assert_eq(tune_store_trial_best(st, info.id, &best, &err), TUNE_OK);
    cr_assert_eq(best.number, a);
    tune_trial_release(&best);
    tune_watch_free(w);
    tune_study_info_release(&info);
    tune_store_close(st);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    free(dir);
}
