/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_report_search.c — the report's parts for several trainers and
 * several objectives (reports/search.c): the data behind the Pareto and
 * per-trainer pictures, the tables, and the history's best that skips a
 * trial that broke the constraints.  Trials are written straight into a
 * store; gnuplot is not run (the scripts and data are what is checked). */
#include "testutil.h"

#include "reports/search.h"
#include "tunefold/report.h"

TestSuite(report_search, .init = tu_watchdog);

struct fx {
    char *dir;
    struct tune_store *store;
    struct tune_study_info info;
};

static struct fx fx_new(const char *config, const char *metric, int maximize)
{
    struct fx f = {tu_tmpdir(), NULL, {0}};
    char path[600];
    struct tune_error err = {0};
    int created;
    snprintf(path, sizeof path, "%s/r.db", f.dir);
    cr_assert_eq(tune_store_open(path, &f.store, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(tune_store_study_create_or_load(f.store, "s", config, metric, maximize, &f.info,
                                                 &created, &err),
                 TUNE_OK, "%s", err.msg);
    return f;
}

static int exists_file(const char *dir, const char *name)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return access(path, F_OK) == 0;
}

static void fx_free(struct fx *f)
{
    tune_study_info_release(&f->info);
    tune_store_close(f->store);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    cr_assert_eq(system(cmd), 0);
    free(f->dir);
}

/* A complete trial (or FAILED when value is NAN) with metric `m2` = v2 and
 * the given fit seconds and violation. */
static void add(struct fx *f, const char *params, double value, const char *m2, double v2,
                double fit, double violation)
{
    struct tune_error err = {0};
    int number, seq;
    cr_assert_eq(tune_store_trial_claim(f->store, f->info.id, TUNE_ORIGIN_SEARCH, 100, &number,
                                        &seq, &err),
                 TUNE_OK);
    cr_assert_eq(tune_store_trial_set_params(f->store, f->info.id, number, params, &err),
                 TUNE_OK);
    struct tune_metric_summary m[2] = {{.name = (char *)f->info.metric, .mean = value,
                                        .std = NAN},
                                       {.name = (char *)m2, .mean = v2, .std = NAN}};
    struct tune_trial_result res = {.state = isnan(value) ? TUNE_TRIAL_FAILED
                                                          : TUNE_TRIAL_COMPLETE,
                                    .value = value, .value_std = NAN, .fit_seconds = fit,
                                    .predict_seconds = NAN, .n_metrics = m2 ? 2 : 1,
                                    .metrics = m, .violation = violation,
                                    .error = isnan(value) ? "boom" : NULL};
    cr_assert_eq(tune_store_trial_finish(f->store, f->info.id, number, &res, &err), TUNE_OK,
                 "%s", err.msg);
}

static void run(struct fx *f, struct tune_search_report *r, struct tune_text *html)
{
    struct tune_trial *t;
    size_t n;
    struct tune_error err = {0};
    cr_assert_eq(tune_store_trial_page(f->store, f->info.id, 0, 1000, 0, &t, &n, &err), TUNE_OK);
    struct tune_plot_opts o = {.out_dir = f->dir, .gnuplot = "/nonexistent/gnuplot"};
    struct tune_plot_log log = {0};
    cr_assert_eq(tune_report_search(f->store, &f->info, t, n, &o, &log, r, &err), TUNE_OK, "%s",
                 err.msg);
    tune_report_search_html(html, &f->info, r);
    cr_assert(!html->oom);
    tune_plot_log_release(&log);
    tune_trials_free(t, n);
}

#define MO_CONFIG                                                                        \
    "{\"objectives\":[{\"metric\":\"recall\",\"direction\":\"maximize\"},"               \
    "{\"metric\":\"precision\",\"direction\":\"maximize\"}],"                            \
    "\"constraints\":[{\"metric\":\"fit_seconds\",\"max\":1}]}"

Test(report_search, the_pareto_picture_marks_the_front_the_beaten_and_the_violating)
{
    struct fx f = fx_new(MO_CONFIG, "recall", 1);
    add(&f, "{\"k\": 0}", 0.9375, "precision", 0.5, 0.25, NAN);    /* front */
    add(&f, "{\"k\": 1}", 0.75, "precision", 0.875, 0.25, NAN);    /* front */
    add(&f, "{\"k\": 2}", 0.625, "precision", 0.625, 0.25, NAN);   /* beaten by 1 */
    add(&f, "{\"k\": 3}", 0.96875, "precision", 0.96875, 2.0, 1.0); /* broke it */
    add(&f, "{\"k\": 4}", NAN, NULL, NAN, NAN, NAN);                /* failed */
    struct tune_search_report r;
    struct tune_text html = {0};
    run(&f, &r, &html);
    cr_assert(r.have_pareto);
    cr_assert_eq(r.pareto.n, 2);
    cr_assert_eq(r.n_violating, 1);
    cr_assert_eq(r.n_trainers, 0);
    char *dat = tu_read(f.dir, "pareto.dat");
    cr_assert_not_null(dat);
    cr_assert(strstr(dat, "\n0 0.9375 0.5 0 0.9375 0.5\n1 0.75 0.875 0 0.75 0.875\n2 0.625 0.625 "
                          "1 0.625 0.625\n3 0.96875 0.96875 2 0.96875 0.96875\n\n\n# the front, "
                          "in the order of the first objective\n0 0.9375 0.5 0 0.9375 0.5\n1 0.75 "
                          "0.875 0 0.75 0.875\n"),
              "%s", dat);

    free(dat);
    char *gp = tu_read(f.dir, "pareto.gp");
    cr_assert(strstr(gp, "set xlabel 'recall' . ' (higher is better)'"), "%s", gp);
    cr_assert(strstr(gp, "title 'broke the constraints'"), "%s", gp);
    cr_assert(strstr(gp, "title 'Pareto set (2)'"), "%s", gp);
    cr_assert_null(strstr(gp, "worse than shown"), "%s", gp);
    free(gp);
    cr_assert(strstr(html.p, "<h2>Pareto set: 2 trials</h2>"), "%s", html.p);
    cr_assert(strstr(html.p, "<tr><td>0</td><td>0.9375</td><td>0.5</td><td class=\"l\"><code>"
                             "{&quot;k&quot;: 0}</code></td></tr>"),
              "%s", html.p);
    cr_assert(strstr(html.p, "1 complete trial broke the constraints"), "%s", html.p);
    tune_text_release(&html);
    tune_report_search_release(&r);
    fx_free(&f);
}

#define TRADEOFF_CONFIG                                                                  \
    "{\"objectives\":[{\"metric\":\"roc_auc\",\"direction\":\"maximize\"},"              \
    "{\"metric\":\"fit_seconds\",\"direction\":\"minimize\"}]}"

Test(report_search, the_pareto_picture_clips_far_worse_trials_but_never_the_front)
{
    /* roc_auc 0.5, 0.953125, 0.9609375, 0.96875, 0.9765625, 0.984375: the
     * median is 0.96484375 away from the best by 0.01953125, so the limit
     * is 0.984375 - 4 x 0.01953125 = 0.90625; fit seconds 0.125 .. 4
     * (32 times: a linear axis): the limit 0.125 + 4 x 0.3125 = 1.375 */
    struct fx f = fx_new(TRADEOFF_CONFIG, "roc_auc", 1);
    add(&f, "{\"k\": 0}", 0.984375, "fit_seconds", 0.5, 0.5, NAN);     /* front */
    add(&f, "{\"k\": 1}", 0.96875, "fit_seconds", 0.25, 0.25, NAN);    /* front */
    add(&f, "{\"k\": 2}", 0.953125, "fit_seconds", 0.125, 0.125, NAN); /* front */
    add(&f, "{\"k\": 3}", 0.9765625, "fit_seconds", 0.75, 0.75, NAN);
    add(&f, "{\"k\": 4}", 0.5, "fit_seconds", 0.375, 0.375, NAN);      /* far worse */
    add(&f, "{\"k\": 5}", 0.9609375, "fit_seconds", 4.0, 4.0, NAN);    /* far slower */
    struct tune_search_report r;
    struct tune_text html = {0};
    run(&f, &r, &html);
    cr_assert_eq(r.pareto.n, 3);
    char *dat = tu_read(f.dir, "pareto.dat");
    cr_assert(strstr(dat, "\n3 0.9765625 0.75 1 0.9765625 0.75\n4 0.5 0.375 1 0.90625 0.375\n5 "
                          "0.9609375 4 1 0.9609375 1.375\n"),
              "%s", dat);
    free(dat);
    char *gp = tu_read(f.dir, "pareto.gp");
    cr_assert(strstr(gp, "title 'worse than shown (2)'"), "%s", gp);
    cr_assert(strstr(gp, "set xrange [0.9015625"), "%s", gp);
    cr_assert(strstr(gp, "set yrange [0.05") && !strstr(gp, "logscale"), "%s", gp);
    free(gp);
    tune_text_release(&html);
    tune_report_search_release(&r);
    fx_free(&f);

    /* a cheap, poor model on the front (0.5625 in 0.0625 s) reaches beyond
     * the limit (0.984375 - 4 x 0.0234375 = 0.890625): the limit moves as
     * far beyond it, to 0.46875, and only the 0.25 is clipped */
    f = fx_new(TRADEOFF_CONFIG, "roc_auc", 1);
    add(&f, "{\"k\": 0}", 0.984375, "fit_seconds", 0.5, 0.5, NAN);  /* front */
    add(&f, "{\"k\": 1}", 0.5625, "fit_seconds", 0.0625, 0.0625, NAN); /* front */
    add(&f, "{\"k\": 2}", 0.96875, "fit_seconds", 0.75, 0.75, NAN);
    add(&f, "{\"k\": 3}", 0.9765625, "fit_seconds", 0.625, 0.625, NAN);
    add(&f, "{\"k\": 4}", 0.953125, "fit_seconds", 0.875, 0.875, NAN);
    add(&f, "{\"k\": 5}", 0.25, "fit_seconds", 1.0, 1.0, NAN);
    run(&f, &r, &html);
    cr_assert_eq(r.pareto.n, 2);
    dat = tu_read(f.dir, "pareto.dat");
    cr_assert(strstr(dat, "\n1 0.5625 0.0625 0 0.5625 0.0625\n") &&
                  strstr(dat, "\n5 0.25 1 1 0.46875 1\n"),
              "%s", dat);
    free(dat);
    gp = tu_read(f.dir, "pareto.gp");
    cr_assert(strstr(gp, "title 'worse than shown (1)'"), "%s", gp);
    free(gp);
    tune_text_release(&html);
    tune_report_search_release(&r);
    fx_free(&f);
}

#define CASH_CONFIG "{\"trainers\":{\"logistic\":{},\"knn\":{},\"forest\":{}}," \
                    "\"objective\":{\"metric\":\"roc_auc\",\"direction\":\"maximize\"}}"

Test(report_search, a_study_of_several_trainers_is_summed_up_by_trainer)
{
    struct fx f = fx_new(CASH_CONFIG, "roc_auc", 1);
    add(&f, "{\"trainer\": \"knn\", \"n_neighbors\": 3}", 0.875, NULL, NAN, 0.125, NAN);
    add(&f, "{\"trainer\": \"logistic\", \"C\": 1}", 0.9375, NULL, NAN, 0.5, NAN);
    add(&f, "{\"trainer\": \"knn\", \"n_neighbors\": 9}", 0.90625, NULL, NAN, 0.25, NAN);
    add(&f, "{\"trainer\": \"knn\", \"n_neighbors\": 1}", NAN, NULL, NAN, NAN, NAN);
    add(&f, "{\"trainer\": \"knn\", \"n_neighbors\": 5}", 0.96875, NULL, NAN, 0.375, 0.5);
    struct tune_search_report r;
    struct tune_text html = {0};
    run(&f, &r, &html);
    cr_assert_eq(r.n_trainers, 3);
    cr_assert_str_eq(r.trainers[1].name, "knn");
    const struct tune_trainer_summary *k = &r.trainers[1];
    cr_assert(k->trials == 4 && k->complete == 3 && k->failed == 1);
    cr_assert_eq(k->best_number, 2, "the violating 0.96875 is not its best");
    cr_assert_eq(k->best, 0.90625);
    cr_assert_eq(k->median, 0.90625);
    cr_assert_eq(k->fit_seconds, (0.125 + 0.25 + 0.375) / 3);
    cr_assert_eq(r.trainers[2].trials, 0);
    cr_assert_eq(r.trainers[2].best_number, -1);
    char *dat = tu_read(f.dir, "trainers.dat");
    cr_assert(strstr(dat, "\n0 1 0.875 0.125 0 0.875\n1 0 0.9375 0.5 0 0.9375\n2 1 0.90625 "
                          "0.25 0 0.90625\n4 1 0.96875 0.375 1 0.96875\n"),
              "%s", dat);
    free(dat);
    char *gp = tu_read(f.dir, "trainers_history.gp");
    cr_assert(strstr(gp, "title 'logistic (1)'") && strstr(gp, "title 'knn (3)'") &&
                  !strstr(gp, "forest"),
              "%s", gp);
    free(gp);
    cr_assert(exists_file(f.dir, "trainers_cost.gp"));
    cr_assert(strstr(html.p, "<tr><td class=\"l\">knn</td><td>4</td><td>3</td><td>1</td>"
                             "<td>0.90625</td><td>2</td><td>0.90625</td><td>0.25</td>"),
              "%s", html.p);
    cr_assert_null(strstr(html.p, "Pareto set"));
    tune_text_release(&html);
    tune_report_search_release(&r);
    fx_free(&f);
}

Test(report_search, a_far_worse_trial_is_drawn_at_the_edge_of_the_trainers_pictures)
{
    /* as the history: values: 0.5, 0.875, 0.90625, 0.9375, 0.96875; best
     * 0.96875, median 0.90625, so the limit is 0.96875 - 4 x 0.0625 =
     * 0.71875, and logistic's 0.5 (C = 0.001 with an L1 penalty) is drawn
     * there, in logistic's colour, and counted */
    struct fx f = fx_new(CASH_CONFIG, "roc_auc", 1);
    add(&f, "{\"trainer\": \"knn\", \"n_neighbors\": 3}", 0.875, NULL, NAN, 0.125, NAN);
    add(&f, "{\"trainer\": \"logistic\", \"C\": 1}", 0.9375, NULL, NAN, 0.5, NAN);
    add(&f, "{\"trainer\": \"knn\", \"n_neighbors\": 9}", 0.90625, NULL, NAN, 0.25, NAN);
    add(&f, "{\"trainer\": \"logistic\", \"C\": 0.001}", 0.5, NULL, NAN, 0.0001, NAN);
    add(&f, "{\"trainer\": \"knn\", \"n_neighbors\": 5}", 0.96875, NULL, NAN, 0.375, NAN);
    struct tune_search_report r;
    struct tune_text html = {0};
    run(&f, &r, &html);
    char *dat = tu_read(f.dir, "trainers.dat");
    cr_assert(strstr(dat, "\n3 0 0.5 0.0001 0 0.71875\n4 1 0.96875 0.375 0 0.96875\n"), "%s",
              dat);
    free(dat);
    for (int pic = 0; pic < 2; pic++) {
        char *gp = tu_read(f.dir, pic ? "trainers_cost.gp" : "trainers_history.gp");
        const char *x = pic ? "4" : "1";
        char want[200];
        snprintf(want, sizeof want, "'trainers.dat' using %s:(NaN) with points pt 11 ps 1.2 lc "
                                    "rgb '#666666' title 'worse than shown (1)'", x);
        cr_assert(strstr(gp, want), "%s", gp);
        snprintf(want, sizeof want, "'trainers.dat' using %s:($2==0 && $5==0 && $6!=$3 ? $6 : "
                                    "NaN) with points pt 11 ps 1.2 lc rgb '%s' notitle", x,
                 tune_report_fold_color(0));
        cr_assert(strstr(gp, want), "%s", gp);
        snprintf(want, sizeof want, "'trainers.dat' using %s:($2==0 && $5==0 && $6==$3 ? $3 : "
                                    "NaN) with points pt 7", x);
        cr_assert(strstr(gp, want), "%s", gp);
        /* the axis: 0.71875 to 0.96875, 6% of the span beyond */
        cr_assert(strstr(gp, "set yrange [0.70374999999999999:0.98375000000000001]"), "%s", gp);
        /* fit seconds 0.0001 to 0.5: a log axis around them */
        cr_assert(!pic || strstr(gp, "set logscale x\nset xrange [6.2500000000000001e-05:0."
                                     "80000000000000004]"),
                  "%s", gp);
        free(gp);
    }
    tune_text_release(&html);
    tune_report_search_release(&r);
    fx_free(&f);
}

Test(report_search, the_historys_best_so_far_skips_a_trial_that_broke_the_constraints)
{
    struct fx f = fx_new("{\"constraints\":[{\"metric\":\"fit_seconds\",\"max\":1}]}", "roc_auc",
                         1);
    add(&f, "{}", 0.75, NULL, NAN, 0.5, NAN);
    add(&f, "{}", 0.96875, NULL, NAN, 2.0, 1.0);
    add(&f, "{}", 0.875, NULL, NAN, 0.5, NAN);
    struct tune_trial *t;
    size_t n;
    struct tune_error err = {0};
    cr_assert_eq(tune_store_trial_page(f.store, f.info.id, 0, 1000, 0, &t, &n, &err), TUNE_OK);
    struct tune_plot_opts o = {.out_dir = f.dir, .gnuplot = "/nonexistent/gnuplot"};
    struct tune_plot_log log = {0};
    cr_assert_eq(tune_report_history(&f.info, t, n, &o, &log, &err), TUNE_OK);
    char *dat = tu_read(f.dir, "history.dat"), *gp = tu_read(f.dir, "history.gp");
    /* best so far: 0.75, still 0.75, then 0.875 */
    cr_assert(strstr(dat, "\n0 1 0.75 0.75 0.75 0.75\n1 1 0.96875 0.96875 0.75 0.75\n2 1 0.875 "
                          "0.875 0.875 0.875\n"),
              "%s", dat);
    cr_assert(strstr(gp, "best: trial 2 (0.875)"), "%s", gp);
    free(dat);
    free(gp);
    tune_plot_log_release(&log);
    tune_trials_free(t, n);
    fx_free(&f);
}
