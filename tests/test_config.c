/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_config.c — the study-file parser, black-box: every field of a full
 * study, the defaults, the grid budget, the canonical text that identifies a
 * study, and one test per validation error (each must be TUNE_EINVAL with a
 * one-line message "FILE: key.path: ..." naming the key at fault).
 *
 * Study texts are written with single quotes for readability; study() turns
 * them into JSON (no test text needs a literal apostrophe). */
#include "testutil.h"

#include "tunefold/config.h"
#include "tunefold/external.h"

#define FILE_NAME "studies/t.json"

/* The three keys every study needs besides the trainer. */
#define HEAD "'name': 'cfg-test', 'task': 'binary', 'data': {'path': 'd.csv'}"
#define LOGISTIC "'trainer': {'name': 'logistic'}"
/* A binary logistic study with extra top-level members. */
#define STUDY(...) "{" HEAD ", " LOGISTIC __VA_ARGS__ "}"
/* A study whose "space" holds exactly the given entries. */
#define SPACE(...) STUDY(", 'space': {" __VA_ARGS__ "}")

static char *study(const char *text)
{
    char *s = strdup(text);
    for (char *p = s; *p; p++)
        if (*p == '\'')
            *p = '"';
    return s;
}

static struct tune_study_config *parse_ok_as(const char *file, const char *text)
{
    char *json = study(text);
    struct tune_study_config *c = NULL;
    struct tune_error err = {0};
    int rc = tune_config_parse(file, json, &c, &err);
    cr_assert_eq(rc, TUNE_OK, "parse failed: %s\n%s", err.msg, json);
    cr_assert_not_null(c);
    free(json);
    return c;
}

static struct tune_study_config *parse_ok(const char *text)
{
    return parse_ok_as(FILE_NAME, text);
}

/* The message must start with the file, contain `needle` and be one line. */
static void assert_message(const struct tune_error *err, const char *needle)
{
    cr_assert_eq(err->code, TUNE_EINVAL, "code %d, message: %s", err->code, err->msg);
    cr_assert(strncmp(err->msg, FILE_NAME, strlen(FILE_NAME)) == 0,
              "message does not start with the file: %s", err->msg);
    cr_assert_not_null(strstr(err->msg, needle), "message \"%s\"\n lacks \"%s\"", err->msg,
                       needle);
    cr_assert_null(strchr(err->msg, '\n'), "message has several lines: %s", err->msg);
}

static void expect_invalid(const char *text, const char *needle)
{
    char *json = study(text);
    struct tune_study_config *c = (struct tune_study_config *)&c;
    struct tune_error err = {0};
    int rc = tune_config_parse(FILE_NAME, json, &c, &err);
    cr_assert_eq(rc, TUNE_EINVAL, "rc %d for\n%s\n(message: %s)", rc, json, err.msg);
    cr_assert_null(c, "*out must be NULL on failure");
    assert_message(&err, needle);
    free(json);
}

static size_t hp(const struct tune_study_config *c, const char *name)
{
    long i = tune_trainer_hparam_index(c->trainer, name);
    cr_assert_geq(i, 0, "logistic has no '%s'", name);
    return (size_t)i;
}

static const struct tune_param *space_param(const struct tune_study_config *c,
                                            const char *name)
{
    long i = tune_space_find(&c->space, name);
    cr_assert_geq(i, 0, "space has no '%s'", name);
    return &c->space.params[i];
}

/* ---------------------------------------------------------------- valid */

Test(config, a_full_study_file_sets_every_field)
{
    struct tune_study_config *c = NULL;
    struct tune_error err = {0};
    const char *path = "tests/data/studies/config_full.json";
    cr_assert_eq(tune_config_load(path, &c, &err), TUNE_OK, "%s", err.msg);

    cr_assert_str_eq(c->name, "config-full");
    cr_assert_str_eq(c->file, path);
    cr_assert_str_eq(c->data_path, "tests/data/studies/../../../data/breast_cancer.csv");
    cr_assert_str_eq(c->data_path_given, "../../../data/breast_cancer.csv");
    cr_assert_str_eq(c->target, "target");
    cr_assert_eq(c->task, TUNE_TASK_BINARY);
    cr_assert_eq(c->trainer, &tune_trainer_logistic);

    /* Fixed where "params" set them, the trainer's defaults elsewhere. */
    cr_assert_eq(c->fixed[hp(c, "tol")], 2.5e-7);
    cr_assert_eq(c->fixed[hp(c, "class_weight")], 1.0); /* "balanced" is choice 1 */
    cr_assert_eq(c->fixed[hp(c, "fit_intercept")], 0.0);
    cr_assert_eq(c->fixed[hp(c, "C")], 1.0);
    cr_assert_eq(c->fixed[hp(c, "penalty")], 0.0); /* "l2" */
    cr_assert_eq(c->fixed[hp(c, "max_iter")], 100.0);
    cr_assert_eq(c->is_fixed[hp(c, "tol")], 1);
    cr_assert_eq(c->is_fixed[hp(c, "class_weight")], 1);
    cr_assert_eq(c->is_fixed[hp(c, "fit_intercept")], 1);
    cr_assert_eq(c->is_fixed[hp(c, "C")], 0);
    cr_assert_eq(c->is_fixed[hp(c, "penalty")], 0);
    cr_assert_eq(c->is_fixed[hp(c, "max_iter")], 0);

    cr_assert_eq(c->space.n, 3);
    const struct tune_param *C = &c->space.params[0];
    cr_assert_str_eq(C->name, "C");
    cr_assert_eq(C->type, TUNE_PARAM_FLOAT);
    cr_assert_eq(C->low, 0.00375);
    cr_assert_eq(C->high, 42.5);
    cr_assert_eq(C->log, 1);
    cr_assert_eq(C->step, 0.0);
    cr_assert_eq(C->grid_points, 7);
    const struct tune_param *pen = &c->space.params[1];
    cr_assert_str_eq(pen->name, "penalty");
    cr_assert_eq(pen->type, TUNE_PARAM_CATEGORICAL);
    cr_assert_eq(pen->n_values, 2);
    cr_assert_str_eq(pen->values[0], "l1");
    cr_assert_str_eq(pen->values[1], "l2");
    const struct tune_param *it = &c->space.params[2];
    cr_assert_str_eq(it->name, "max_iter");
    cr_assert_eq(it->type, TUNE_PARAM_INT);
    cr_assert_eq(it->low, 50.0);
    cr_assert_eq(it->high, 450.0);
    cr_assert_eq(it->log, 0);
    cr_assert_eq(it->step, 25.0);
    cr_assert_eq(it->grid_points, 0);

    cr_assert_eq(c->searcher, &tune_searcher_sobol);
    cr_assert_eq(c->trials, 37);
    cr_assert_eq(c->trials_given, 1);
    cr_assert_eq(c->seed, 9173);
    cr_assert_eq(c->workers, 3);
    cr_assert_eq(c->cv.folds, 7);
    cr_assert_eq(c->cv.stratified, 0);
    cr_assert_eq(c->cv.repeats, 2);
    cr_assert_eq(c->cv.holdout, 0.0);
    cr_assert_eq(c->cv.shuffle, 0);
    cr_assert_eq(c->prep.impute, TUNE_IMPUTE_MEDIAN);
    cr_assert_eq(c->prep.scale, TUNE_SCALE_MINMAX);
    cr_assert_eq(c->prep.one_hot, 0);
    cr_assert_str_eq(c->metric, "log_loss");
    cr_assert_eq(c->maximize, 0);
    cr_assert_str_eq(c->storage, "runs/config-full.db");
    cr_assert_not_null(c->canonical);
    tune_config_free(c);
}

Test(config, omitted_sections_take_the_documented_defaults)
{
    struct tune_study_config *c = parse_ok(STUDY(""));
    cr_assert_str_eq(c->name, "cfg-test");
    cr_assert_str_eq(c->target, "target");
    cr_assert_eq(c->space.n, 0);
    cr_assert_eq(c->searcher, &tune_searcher_random);
    cr_assert_eq(c->trials, 20);
    cr_assert_eq(c->trials_given, 0);
    cr_assert_eq(c->seed, 0);
    cr_assert_eq(c->workers, 1);
    cr_assert_eq(c->cv.folds, 5);
    cr_assert_eq(c->cv.stratified, 1);
    cr_assert_eq(c->cv.repeats, 1);
    cr_assert_eq(c->cv.holdout, 0.0);
    cr_assert_eq(c->cv.shuffle, 1);
    cr_assert_eq(c->prep.impute, TUNE_IMPUTE_MEAN);
    cr_assert_eq(c->prep.scale, TUNE_SCALE_NONE);
    cr_assert_eq(c->prep.one_hot, 1);
    cr_assert_str_eq(c->metric, "roc_auc");
    cr_assert_eq(c->maximize, 1);
    cr_assert_str_eq(c->storage, "tunefold.db");
    for (size_t i = 0; i < c->trainer->n_hparams; i++) {
        cr_assert_eq(c->is_fixed[i], 0, "%s marked fixed", c->trainer->hparams[i].name);
        cr_assert_eq(c->fixed[i], c->trainer->hparams[i].def, "%s is not its default",
                     c->trainer->hparams[i].name);
    }
    cr_assert_eq(c->fixed[hp(c, "C")], 1.0);
    cr_assert_eq(c->fixed[hp(c, "max_iter")], 100.0);
    cr_assert_eq(c->fixed[hp(c, "tol")], 1e-4);
    tune_config_free(c);
}

Test(config, a_multiclass_study_defaults_to_accuracy_and_stratified_folds)
{
    struct tune_study_config *c = parse_ok(
        "{'name': 'iris', 'task': 'multiclass', 'data': {'path': 'iris.csv'}, " LOGISTIC "}");
    cr_assert_eq(c->task, TUNE_TASK_MULTICLASS);
    cr_assert_str_eq(c->metric, "accuracy");
    cr_assert_eq(c->maximize, 1);
    cr_assert_eq(c->cv.stratified, 1);
    cr_assert_eq(c->cv.folds, 5);
    tune_config_free(c);
}

Test(config, a_metric_without_direction_takes_its_natural_direction)
{
    struct tune_study_config *c = parse_ok(STUDY(", 'objective': {'metric': 'log_loss'}"));
    cr_assert_str_eq(c->metric, "log_loss");
    cr_assert_eq(c->maximize, 0);
    tune_config_free(c);
    c = parse_ok(STUDY(", 'objective': {'metric': 'f1', 'direction': 'maximize'}"));
    cr_assert_str_eq(c->metric, "f1");
    cr_assert_eq(c->maximize, 1);
    tune_config_free(c);
}

Test(config, holdout_replaces_the_folds)
{
    struct tune_study_config *c = parse_ok(STUDY(", 'cv': {'holdout': 0.275}"));
    cr_assert_eq(c->cv.holdout, 0.275);
    tune_config_free(c);
}

Test(config, a_bool_space_parameter_is_accepted_for_a_bool_hyperparameter)
{
    struct tune_study_config *c = parse_ok(SPACE("'fit_intercept': {'type': 'bool'}"));
    const struct tune_param *p = space_param(c, "fit_intercept");
    cr_assert_eq(p->type, TUNE_PARAM_BOOL);
    tune_config_free(c);
}

Test(config, numeric_values_of_a_categorical_are_kept_as_text)
{
    struct tune_study_config *c =
        parse_ok(SPACE("'C': {'type': 'categorical', 'values': [0.125, 3.75, 60]}"));
    const struct tune_param *p = space_param(c, "C");
    cr_assert_eq(p->type, TUNE_PARAM_CATEGORICAL);
    cr_assert_eq(p->n_values, 3);
    cr_assert_str_eq(p->values[0], "0.125");
    cr_assert_str_eq(p->values[1], "3.75");
    cr_assert_str_eq(p->values[2], "60");
    tune_config_free(c);
}

Test(config, an_empty_space_is_allowed)
{
    struct tune_study_config *c = parse_ok(STUDY(", 'space': {}"));
    cr_assert_eq(c->space.n, 0);
    cr_assert_eq(c->trials, 20);
    tune_config_free(c);
}

#define GRID8                                                                              \
    "'space': {'C': {'type': 'float', 'low': 0.01, 'high': 10, 'scale': 'log', "          \
    "'grid_points': 4}, 'penalty': {'type': 'categorical', 'values': ['l1', 'l2']}}"

Test(config, a_grid_without_trials_runs_the_whole_grid)
{
    struct tune_study_config *c = parse_ok(STUDY(", " GRID8 ", 'search': {'strategy': 'grid'}"));
    cr_assert_eq(c->searcher, &tune_searcher_grid);
    cr_assert_eq(c->trials, 8);
    cr_assert_eq(c->trials_given, 0);
    tune_config_free(c);
}

Test(config, a_grid_budget_larger_than_the_grid_is_capped_at_the_grid_size)
{
    struct tune_study_config *c =
        parse_ok(STUDY(", " GRID8 ", 'search': {'strategy': 'grid', 'trials': 53}"));
    cr_assert_eq(c->trials, 8);
    tune_config_free(c);
}

Test(config, a_grid_budget_smaller_than_the_grid_is_kept)
{
    struct tune_study_config *c =
        parse_ok(STUDY(", " GRID8 ", 'search': {'strategy': 'grid', 'trials': 3}"));
    cr_assert_eq(c->trials, 3);
    cr_assert_eq(c->trials_given, 1);
    tune_config_free(c);
}

Test(config, the_grid_size_counts_distinct_rounded_int_values)
{
    /* 10 grid points over the ints 1..4 round to 4 distinct values; times 3
     * penalties. */
    struct tune_study_config *c =
        parse_ok(STUDY(", 'space': {'max_iter': {'type': 'int', 'low': 1, 'high': 4, "
                       "'grid_points': 10}, 'penalty': {'type': 'categorical', "
                       "'values': ['l1', 'l2', 'none']}}, 'search': {'strategy': 'grid'}"));
    cr_assert_eq(c->trials, 12);
    tune_config_free(c);
}

Test(config, a_random_budget_is_not_capped)
{
    struct tune_study_config *c = parse_ok(STUDY(", " GRID8 ", 'search': {'trials': 53}"));
    cr_assert_eq(c->trials, 53);
    tune_config_free(c);
}

Test(config, data_path_is_resolved_against_the_study_files_folder)
{
    struct tune_study_config *c =
        parse_ok_as("some/dir/s.json", "{'name': 'p', 'task': 'binary', "
                                       "'data': {'path': '../data/x.csv'}, " LOGISTIC "}");
    cr_assert_str_eq(c->data_path, "some/dir/../data/x.csv");
    cr_assert_str_eq(c->data_path_given, "../data/x.csv");
    tune_config_free(c);
}

Test(config, an_absolute_data_path_is_kept_as_written)
{
    struct tune_study_config *c =
        parse_ok_as("some/dir/s.json", "{'name': 'p', 'task': 'binary', "
                                       "'data': {'path': '/srv/x.csv'}, " LOGISTIC "}");
    cr_assert_str_eq(c->data_path, "/srv/x.csv");
    tune_config_free(c);
}

Test(config, a_study_file_in_the_current_folder_keeps_the_data_path)
{
    struct tune_study_config *c =
        parse_ok_as("s.json", "{'name': 'p', 'task': 'binary', "
                              "'data': {'path': 'x.csv'}, " LOGISTIC "}");
    cr_assert_str_eq(c->data_path, "x.csv");
    tune_config_free(c);
}

/* ----------------------------------------------------------- canonical */

#define CANON_A                                                                            \
    "{'name': 'canon', 'task': 'binary', 'data': {'path': 'd.csv', 'target': 'y'}, "      \
    "'trainer': {'name': 'logistic', 'params': {'tol': 1e-6, 'max_iter': 250}}, "          \
    "'space': {'C': {'type': 'float', 'low': 0.001, 'high': 50, 'scale': 'log'}, "         \
    "'penalty': {'type': 'categorical', 'values': ['l1', 'l2']}}, "                        \
    "'search': {'strategy': 'random', 'trials': 12, 'seed': 4242, 'workers': 1}, "         \
    "'cv': {'folds': 4}, 'storage': 'a.db'}"
/* Same study: other budget, workers and storage, keys in another order. */
#define CANON_B                                                                            \
    "{'storage': 'elsewhere/b.db', 'cv': {'folds': 4}, "                                   \
    "'search': {'workers': 6, 'seed': 4242, 'trials': 300, 'strategy': 'random'}, "        \
    "'space': {'C': {'scale': 'log', 'high': 50, 'low': 0.001, 'type': 'float'}, "         \
    "'penalty': {'values': ['l1', 'l2'], 'type': 'categorical'}}, "                        \
    "'trainer': {'params': {'max_iter': 250, 'tol': 1e-6}, 'name': 'logistic'}, "          \
    "'data': {'target': 'y', 'path': 'd.csv'}, 'task': 'binary', 'name': 'canon'}"

static int same_canonical(const char *a, const char *b)
{
    struct tune_study_config *ca = parse_ok(a), *cb = parse_ok(b);
    int same = strcmp(ca->canonical, cb->canonical) == 0;
    tune_config_free(ca);
    tune_config_free(cb);
    return same;
}

Test(config, budget_workers_storage_and_key_order_do_not_change_the_canonical_text)
{
    cr_assert(same_canonical(CANON_A, CANON_B));
}

Test(config, another_seed_changes_the_canonical_text)
{
    char *other = strdup(CANON_A);
    char *s = strstr(other, "4242");
    memcpy(s, "4243", 4);
    cr_assert_not(same_canonical(CANON_A, other));
    free(other);
}

Test(config, another_C_range_changes_the_canonical_text)
{
    char *other = strdup(CANON_A);
    char *s = strstr(other, "'high': 50");
    memcpy(s, "'high': 60", 10);
    cr_assert_not(same_canonical(CANON_A, other));
    free(other);
}

Test(config, another_fixed_parameter_changes_the_canonical_text)
{
    char *other = strdup(CANON_A);
    char *s = strstr(other, "250");
    memcpy(s, "251", 3);
    cr_assert_not(same_canonical(CANON_A, other));
    free(other);
}

Test(config, the_canonical_text_is_json_naming_what_decides_a_result)
{
    struct tune_study_config *c = parse_ok(CANON_A);
    cr_assert_not_null(strstr(c->canonical, "\"seed\":4242"), "%s", c->canonical);
    cr_assert_not_null(strstr(c->canonical, "\"path\":\"d.csv\""), "%s", c->canonical);
    cr_assert_not_null(strstr(c->canonical, "\"metric\":\"roc_auc\""), "%s", c->canonical);
    cr_assert_null(strstr(c->canonical, "a.db"), "%s", c->canonical);
    cr_assert_null(strstr(c->canonical, "trials"), "%s", c->canonical);
    cr_assert_null(strstr(c->canonical, "workers"), "%s", c->canonical);
    cr_assert_null(strstr(c->canonical, "canon\""), "the name is not part of it: %s",
                   c->canonical);
    tune_config_free(c);
}

Test(config, set_seed_changes_the_seed_and_the_canonical_text)
{
    struct tune_study_config *c = parse_ok(CANON_A);
    char *before = strdup(c->canonical);
    struct tune_error err = {0};
    cr_assert_eq(tune_config_set_seed(c, 90210, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(c->seed, 90210);
    cr_assert_str_neq(c->canonical, before);

    /* ... to exactly the text of a file that had that seed. */
    char other[sizeof CANON_A + 1];
    const char *at = strstr(CANON_A, "'seed': 4242");
    snprintf(other, sizeof other, "%.*s'seed': 90210%s", (int)(at - CANON_A), CANON_A,
             at + strlen("'seed': 4242"));
    struct tune_study_config *o = parse_ok(other);
    cr_assert_eq(o->seed, 90210);
    cr_assert_str_eq(c->canonical, o->canonical);

    /* Back to the file's seed gives back the file's text. */
    cr_assert_eq(tune_config_set_seed(c, 4242, &err), TUNE_OK, "%s", err.msg);
    cr_assert_str_eq(c->canonical, before);
    tune_config_free(o);
    free(before);
    tune_config_free(c);
}

/* ------------------------------------------------------ resolve_params */

Test(config, resolve_params_puts_overrides_on_top_of_fixed_values)
{
    struct tune_study_config *c =
        parse_ok("{" HEAD ", 'trainer': {'name': 'logistic', 'params': {'tol': 3.5e-5, "
                 "'max_iter': 733}}}");
    double v[16];
    struct tune_error err = {0};
    cr_assert_eq(tune_config_resolve_params(c, "{\"C\": 0.0625, \"penalty\": \"l1\", "
                                               "\"max_iter\": 41}",
                                            "--params", v, &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(v[hp(c, "C")], 0.0625);
    cr_assert_eq(v[hp(c, "penalty")], 1.0);  /* "l1" */
    cr_assert_eq(v[hp(c, "max_iter")], 41.0); /* override beats fixed */
    cr_assert_eq(v[hp(c, "tol")], 3.5e-5);    /* fixed */
    cr_assert_eq(v[hp(c, "class_weight")], 0.0);  /* default */
    cr_assert_eq(v[hp(c, "fit_intercept")], 1.0); /* default */
    tune_config_free(c);
}

Test(config, resolve_params_without_json_gives_the_fixed_values)
{
    struct tune_study_config *c =
        parse_ok("{" HEAD ", 'trainer': {'name': 'logistic', 'params': {'C': 7.25, "
                 "'fit_intercept': false}}}");
    double v[16];
    struct tune_error err = {0};
    cr_assert_eq(tune_config_resolve_params(c, NULL, "--params", v, &err), TUNE_OK);
    for (size_t i = 0; i < c->trainer->n_hparams; i++)
        cr_assert_eq(v[i], c->fixed[i]);
    cr_assert_eq(v[hp(c, "C")], 7.25);
    cr_assert_eq(v[hp(c, "fit_intercept")], 0.0);
    tune_config_free(c);
}

Test(config, resolve_params_names_an_unknown_parameter)
{
    struct tune_study_config *c = parse_ok(STUDY(""));
    double v[16];
    struct tune_error err = {0};
    cr_assert_eq(tune_config_resolve_params(c, "{\"C\": 2, \"nope\": 1}", "--params", v, &err),
                 TUNE_EINVAL);
    cr_assert(strncmp(err.msg, "--params.nope: trainer 'logistic' has no such parameter (it has: C, ",
                      68) == 0,
              "%s", err.msg);
    tune_config_free(c);
}

Test(config, resolve_params_rejects_a_value_out_of_range)
{
    struct tune_study_config *c = parse_ok(STUDY(""));
    double v[16];
    struct tune_error err = {0};
    cr_assert_eq(tune_config_resolve_params(c, "{\"C\": -1.5}", "--params", v, &err),
                 TUNE_EINVAL);
    cr_assert_str_eq(err.msg, "--params.C: -1.5 is out of range [1e-12, inf]");
    tune_config_free(c);
}

Test(config, resolve_params_rejects_a_bad_choice)
{
    struct tune_study_config *c = parse_ok(STUDY(""));
    double v[16];
    struct tune_error err = {0};
    cr_assert_eq(tune_config_resolve_params(c, "{\"penalty\": \"l9\"}", "--params", v, &err),
                 TUNE_EINVAL);
    cr_assert_str_eq(err.msg, "--params.penalty: must be one of: l2, l1, none");
    tune_config_free(c);
}

Test(config, resolve_params_rejects_text_that_is_not_an_object)
{
    struct tune_study_config *c = parse_ok(STUDY(""));
    double v[16];
    struct tune_error err = {0};
    cr_assert_eq(tune_config_resolve_params(c, "[0.5]", "--params", v, &err), TUNE_EINVAL);
    cr_assert_not_null(strstr(err.msg, "--params: must be a JSON object"), "%s", err.msg);
    cr_assert_eq(tune_config_resolve_params(c, "{\"C\": ", "--params", v, &err), TUNE_EINVAL);
    cr_assert_not_null(strstr(err.msg, "--params: must be a JSON object"), "%s", err.msg);
    tune_config_free(c);
}

/* ---------------------------------------------- file and syntax errors */

Test(config, invalid_json_names_the_file_line_and_column)
{
    struct tune_study_config *c = NULL;
    struct tune_error err = {0};
    int rc = tune_config_parse(FILE_NAME, "{\n  \"name\": \"x\",\n  \"task\": binary\n}\n", &c,
                               &err);
    cr_assert_eq(rc, TUNE_EINVAL);
    cr_assert_null(c);
    cr_assert_str_eq(err.msg, FILE_NAME ":3:11: invalid JSON");
}

Test(config, an_unterminated_object_is_reported_at_its_end)
{
    struct tune_study_config *c = NULL;
    struct tune_error err = {0};
    cr_assert_eq(tune_config_parse(FILE_NAME, "{\"name\": \"x\",\n \"task\": \"binary\"", &c,
                                   &err),
                 TUNE_EINVAL);
    cr_assert_not_null(strstr(err.msg, FILE_NAME ":2:"), "%s", err.msg);
    cr_assert_not_null(strstr(err.msg, "invalid JSON"), "%s", err.msg);
}

Test(config, an_empty_file_is_an_error)
{
    struct tune_study_config *c = NULL;
    struct tune_error err = {0};
    cr_assert_eq(tune_config_parse(FILE_NAME, "", &c, &err), TUNE_EINVAL);
    cr_assert_null(c);
    cr_assert_str_eq(err.msg, FILE_NAME ": empty file (expected a JSON object)");
    cr_assert_eq(tune_config_parse(FILE_NAME, " \n\t\n", &c, &err), TUNE_EINVAL);
    cr_assert_str_eq(err.msg, FILE_NAME ": empty file (expected a JSON object)");
}

Test(config, a_missing_file_is_bad_input_naming_the_file)
{
    char *dir = tu_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/absent.json", dir);
    struct tune_study_config *c = (struct tune_study_config *)&c;
    struct tune_error err = {0};
    cr_assert_eq(tune_config_load(path, &c, &err), TUNE_EINVAL);
    cr_assert_null(c);
    cr_assert_not_null(strstr(err.msg, path), "%s", err.msg);
    cr_assert_not_null(strstr(err.msg, "No such file"), "%s", err.msg);
    rmdir(dir);
    free(dir);
}

/* A folder, or a path through a file, is a file that cannot be opened:
 * bad input like a missing one, not an I/O failure. */
Test(config, a_folder_or_a_path_through_a_file_is_bad_input)
{
    char *dir = tu_tmpdir();
    struct tune_study_config *c = (struct tune_study_config *)&c;
    struct tune_error err = {0};
    cr_assert_eq(tune_config_load(dir, &c, &err), TUNE_EINVAL, "%s", err.msg);
    cr_assert_null(c);
    cr_assert_not_null(strstr(err.msg, "Is a directory"), "%s", err.msg);
    char *file = tu_write(dir, "f.json", "{}");
    char path[600];
    snprintf(path, sizeof path, "%s/x.json", file);
    cr_assert_eq(tune_config_load(path, &c, &err), TUNE_EINVAL, "%s", err.msg);
    cr_assert_not_null(strstr(err.msg, "Not a directory"), "%s", err.msg);
    unlink(file);
    free(file);
    rmdir(dir);
    free(dir);
}

Test(config, a_file_with_a_nul_byte_is_not_json)
{
    char *dir = tu_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/nul.json", dir);
    FILE *f = fopen(path, "wb");
    fwrite("{\"name\"\0: 1}", 1, 12, f);
    fclose(f);
    struct tune_study_config *c = NULL;
    struct tune_error err = {0};
    cr_assert_eq(tune_config_load(path, &c, &err), TUNE_EINVAL);
    cr_assert_not_null(strstr(err.msg, "NUL byte"), "%s", err.msg);
    unlink(path);
    rmdir(dir);
    free(dir);
}

Test(config, load_reads_the_file_it_is_given)
{
    char *dir = tu_tmpdir();
    char *json = study(STUDY(", 'search': {'trials': 29, 'seed': 613}"));
    char *path = tu_write(dir, "s.json", json);
    struct tune_study_config *c = NULL;
    struct tune_error err = {0};
    cr_assert_eq(tune_config_load(path, &c, &err), TUNE_OK, "%s", err.msg);
    cr_assert_eq(c->trials, 29);
    cr_assert_eq(c->seed, 613);
    char want[600];
    snprintf(want, sizeof want, "%s/d.csv", dir);
    cr_assert_str_eq(c->data_path, want);
    tune_config_free(c);
    unlink(path);
    rmdir(dir);
    free(path);
    free(json);
    free(dir);
}

/* --------------------------------------------------- how data is read */

#define DATA(...)                                                                          \
    "{'name': 'cfg-test', 'task': 'binary', 'data': {'path': 'd.csv', " __VA_ARGS__ "}, " \
    LOGISTIC "}"

Test(config, bad_numbers_is_an_error_unless_the_study_says_missing_or_text)
{
    struct tune_study_config *c = parse_ok(DATA("'target': 'y'"));
    cr_assert_eq(c->csv.bad_numbers, TUNE_BAD_NUMBERS_ERROR);
    tune_config_free(c);
    c = parse_ok(DATA("'bad_numbers': 'error'"));
    cr_assert_eq(c->csv.bad_numbers, TUNE_BAD_NUMBERS_ERROR);
    tune_config_free(c);
    c = parse_ok(DATA("'bad_numbers': 'missing'"));
    cr_assert_eq(c->csv.bad_numbers, TUNE_BAD_NUMBERS_MISSING);
    tune_config_free(c);
    c = parse_ok(DATA("'bad_numbers': 'text'"));
    cr_assert_eq(c->csv.bad_numbers, TUNE_BAD_NUMBERS_TEXT);
    tune_config_free(c);
}

Test(config, an_unknown_bad_numbers_value_is_named)
{
    expect_invalid(DATA("'bad_numbers': 'ignore'"),
                   "data.bad_numbers: must be one of: error, missing, text (got \"ignore\")");
    expect_invalid(DATA("'bad_numbers': 1"), "data.bad_numbers: must be a non-empty string");
}

/* Reading bad cells as missing gives other data, so another study; "error"
 * is the default, so saying it changes nothing (stored studies keep their
 * canonical text). */
Test(config, bad_numbers_is_part_of_the_canonical_text_unless_it_is_the_default)
{
    cr_assert(same_canonical(DATA("'target': 'y'"), DATA("'target': 'y', 'bad_numbers': 'error'")));
    cr_assert_not(
        same_canonical(DATA("'target': 'y'"), DATA("'target': 'y', 'bad_numbers': 'missing'")));
    cr_assert_not(same_canonical(DATA("'bad_numbers': 'text'"), DATA("'bad_numbers': 'missing'")));
    struct tune_study_config *c = parse_ok(DATA("'bad_numbers': 'missing'"));
    cr_assert_not_null(strstr(c->canonical, "\"bad_numbers\":\"missing\""), "%s", c->canonical);
    tune_config_free(c);
}

Test(config, the_delimiter_is_a_comma_unless_the_study_names_one_character)
{
    struct tune_study_config *c = parse_ok(DATA("'target': 'y'"));
    cr_assert_eq(c->csv.delimiter, ',');
    tune_config_free(c);
    c = parse_ok(DATA("'delimiter': ';'"));
    cr_assert_eq(c->csv.delimiter, ';');
    tune_config_free(c);
    c = parse_ok(DATA("'delimiter': '\\t'"));
    cr_assert_eq(c->csv.delimiter, '\t');
    tune_config_free(c);
    c = parse_ok(DATA("'delimiter': '|'"));
    cr_assert_eq(c->csv.delimiter, '|');
    tune_config_free(c);
}

Test(config, a_delimiter_that_is_not_one_tab_or_punctuation_is_refused)
{
    const char *bad[] = {"';;'", "'a'", "' '", "'.'", "'\\\\t'", "'\\u00e9'"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char text[200];
        snprintf(text, sizeof text, DATA("'delimiter': %s"), bad[i]);
        expect_invalid(text, "data.delimiter: must be one character, a tab or ASCII "
                             "punctuation other than '\"', '.', '+', '-' (got ");
    }
    expect_invalid(DATA("'delimiter': ''"), "data.delimiter: must be a non-empty string");
}

Test(config, the_delimiter_is_part_of_the_canonical_text_unless_it_is_a_comma)
{
    cr_assert(same_canonical(DATA("'target': 'y'"), DATA("'target': 'y', 'delimiter': ','")));
    cr_assert_not(same_canonical(DATA("'target': 'y'"), DATA("'target': 'y', 'delimiter': ';'")));
    struct tune_study_config *c = parse_ok(DATA("'delimiter': '\\t'"));
    cr_assert_not_null(strstr(c->canonical, "\"delimiter\":\"\\t\""), "%s", c->canonical);
    tune_config_free(c);
}

Test(config, the_root_must_be_an_object)
{
    expect_invalid("['name', 'x']", "the study file must be a JSON object");
}

/* ---------------------------------------------------------- unknown keys */

Test(config, an_unknown_top_level_key_is_named)
{
    expect_invalid(STUDY(", 'colour': 'blue'"),
                   FILE_NAME ": colour: unknown key (expected one of: name, data, task");
}

Test(config, an_unknown_key_in_data_is_named)
{
    expect_invalid("{'name': 'x', 'task': 'binary', 'data': {'path': 'd.csv', 'sep': ';'}, "
                   LOGISTIC "}",
                   ": data.sep: unknown key (expected one of: path, target, bad_numbers, "
                   "delimiter)");
}

Test(config, an_unknown_key_in_trainer_is_named)
{
    expect_invalid("{" HEAD ", 'trainer': {'name': 'logistic', 'seed': 3}}",
                   ": trainer.seed: unknown key (expected one of: name, params, max_failures)");
}

Test(config, an_unknown_key_in_a_space_entry_is_named)
{
    expect_invalid(SPACE("'C': {'type': 'float', 'low': 0.1, 'high': 2, 'prior': 'flat'}"),
                   ": space.C.prior: unknown key");
}

Test(config, an_unknown_key_in_search_is_named)
{
    /* the default strategy (random) has no options of its own */
    expect_invalid(STUDY(", 'search': {'budget': 3}"),
                   ": search.budget: unknown key (expected one of: strategy, trials, seed, "
                   "workers, max_seconds, target, patience, enqueue, warm_start, batch)");
    expect_invalid(STUDY(", 'search': {'strategy': 'bayes', 'budget': 3}"),
                   ": search.budget: unknown key (expected one of: strategy, trials, seed, "
                   "workers, max_seconds, target, patience, enqueue, warm_start, batch, acquisition, "
                   "initial_points, xi, kappa, kernel, multi_objective, conditional, "
                   "model_rows, trainer_choice)");
}

Test(config, an_unknown_key_in_cv_is_named)
{
    expect_invalid(STUDY(", 'cv': {'fold': 3}"), ": cv.fold: unknown key");
}

Test(config, an_unknown_key_in_preprocess_is_named)
{
    expect_invalid(STUDY(", 'preprocess': {'encode': 'one_hot'}"),
                   ": preprocess.encode: unknown key (expected one of: impute, scale, one_hot)");
}

Test(config, an_unknown_key_in_objective_is_named)
{
    expect_invalid(STUDY(", 'objective': {'goal': 'max'}"),
                   ": objective.goal: unknown key (expected one of: metric, direction)");
}

/* ------------------------------------------------------- missing keys */

Test(config, a_missing_name_is_named)
{
    expect_invalid("{'task': 'binary', 'data': {'path': 'd.csv'}, " LOGISTIC "}",
                   ": name: missing (required string)");
}

Test(config, a_missing_task_is_named)
{
    expect_invalid("{'name': 'x', 'data': {'path': 'd.csv'}, " LOGISTIC "}",
                   ": task: missing (required string)");
}

Test(config, a_missing_data_is_named)
{
    expect_invalid("{'name': 'x', 'task': 'binary', " LOGISTIC "}",
                   ": data: missing (required object)");
}

Test(config, a_missing_data_path_is_named)
{
    expect_invalid("{'name': 'x', 'task': 'binary', 'data': {'target': 'y'}, " LOGISTIC "}",
                   ": data.path: missing (required string)");
}

Test(config, a_missing_trainer_is_named)
{
    expect_invalid("{" HEAD "}", ": trainer: missing; without one, a study is evaluated "
                                 "through tunefold ask/tell and \"task\" is not used by it");
}

Test(config, a_missing_trainer_name_is_named)
{
    expect_invalid("{" HEAD ", 'trainer': {'params': {'C': 2}}}",
                   ": trainer.name: missing (required string)");
}

Test(config, a_space_entry_without_type_is_named)
{
    expect_invalid(SPACE("'C': {'low': 0.1, 'high': 2}"), ": space.C.type: missing");
}

Test(config, a_numeric_space_entry_without_low_is_named)
{
    expect_invalid(SPACE("'C': {'type': 'float', 'high': 2}"),
                   ": space.C.low: missing (required number)");
}

Test(config, a_numeric_space_entry_without_high_is_named)
{
    expect_invalid(SPACE("'C': {'type': 'float', 'low': 0.1}"),
                   ": space.C.high: missing (required number)");
}

/* --------------------------------------------------------- wrong types */

Test(config, a_name_that_is_not_a_string_is_refused)
{
    expect_invalid("{'name': 17, 'task': 'binary', 'data': {'path': 'd.csv'}, " LOGISTIC "}",
                   ": name: must be a non-empty string");
}

Test(config, an_empty_name_is_refused)
{
    expect_invalid("{'name': '', 'task': 'binary', 'data': {'path': 'd.csv'}, " LOGISTIC "}",
                   ": name: must be a non-empty string");
}

Test(config, a_name_with_a_control_character_is_refused)
{
    expect_invalid("{'name': 'a\\tb', 'task': 'binary', 'data': {'path': 'd.csv'}, " LOGISTIC
                   "}",
                   ": name: must not contain control characters");
}

Test(config, a_task_that_is_not_a_string_is_refused)
{
    expect_invalid("{'name': 'x', 'task': 2, 'data': {'path': 'd.csv'}, " LOGISTIC "}",
                   ": task: must be a non-empty string");
}

Test(config, data_that_is_not_an_object_is_refused)
{
    expect_invalid("{'name': 'x', 'task': 'binary', 'data': 'd.csv', " LOGISTIC "}",
                   ": data: must be an object");
}

Test(config, an_empty_target_is_refused)
{
    expect_invalid("{'name': 'x', 'task': 'binary', 'data': {'path': 'd.csv', 'target': ''}, "
                   LOGISTIC "}",
                   ": data.target: must be a non-empty string");
}

Test(config, a_trainer_that_is_not_an_object_is_refused)
{
    expect_invalid("{" HEAD ", 'trainer': 'logistic'}", ": trainer: must be an object");
}

Test(config, trainer_params_that_are_not_an_object_are_refused)
{
    expect_invalid("{" HEAD ", 'trainer': {'name': 'logistic', 'params': [1, 2]}}",
                   ": trainer.params: must be an object");
}

Test(config, a_space_that_is_not_an_object_is_refused)
{
    expect_invalid(STUDY(", 'space': ['C']"), ": space: must be an object");
}

Test(config, a_space_entry_that_is_not_an_object_is_refused)
{
    expect_invalid(SPACE("'C': [0.1, 10]"), ": space.C: must be an object");
}

Test(config, a_space_bound_that_is_not_a_number_is_refused)
{
    expect_invalid(SPACE("'C': {'type': 'float', 'low': '0.1', 'high': 10}"),
                   ": space.C.low: must be a number");
}

Test(config, an_unknown_space_type_is_refused)
{
    expect_invalid(SPACE("'C': {'type': 'double', 'low': 0.1, 'high': 10}"),
                   ": space.C.type: must be one of: float, int, categorical, bool (got "
                   "\"double\")");
}

Test(config, a_strategy_that_is_not_a_string_is_refused)
{
    expect_invalid(STUDY(", 'search': {'strategy': 3}"),
                   ": search.strategy: must be a non-empty string");
}

Test(config, trials_given_as_text_are_refused)
{
    expect_invalid(STUDY(", 'search': {'trials': '30'}"), ": search.trials: must be a number");
}

Test(config, folds_given_as_text_are_refused)
{
    expect_invalid(STUDY(", 'cv': {'folds': '5'}"), ": cv.folds: must be a number");
}

Test(config, stratified_that_is_not_a_bool_is_refused)
{
    expect_invalid(STUDY(", 'cv': {'stratified': 'yes'}"),
                   ": cv.stratified: must be true or false");
}

Test(config, one_hot_that_is_not_a_bool_is_refused)
{
    expect_invalid(STUDY(", 'preprocess': {'one_hot': 1}"),
                   ": preprocess.one_hot: must be true or false");
}

Test(config, an_impute_that_is_not_a_string_is_refused)
{
    expect_invalid(STUDY(", 'preprocess': {'impute': 0}"),
                   ": preprocess.impute: must be a non-empty string");
}

Test(config, a_metric_that_is_not_a_string_is_refused)
{
    expect_invalid(STUDY(", 'objective': {'metric': ['roc_auc']}"),
                   ": objective.metric: must be a non-empty string");
}

Test(config, a_storage_that_is_not_a_string_is_refused)
{
    expect_invalid(STUDY(", 'storage': 5"), ": storage: must be a non-empty string");
}

Test(config, an_objective_may_be_a_metric_name)
{
    struct tune_study_config *c = parse_ok(STUDY(", 'objective': 'log_loss'"));
    cr_assert_str_eq(c->metric, "log_loss");
    cr_assert_eq(c->maximize, 0);
    tune_config_free(c);
    cr_assert(same_canonical(STUDY(", 'objective': 'f1'"),
                             STUDY(", 'objective': {'metric': 'f1', 'direction': 'maximize'}")),
              "the name alone is the same study as the object");
    expect_invalid(STUDY(", 'objective': 'auc'"),
                   ": objective.metric: \"auc\" is not a known metric (metrics for binary: ");
    expect_invalid(STUDY(", 'objective': 5"),
                   ": objective: must be a metric name or an object like {\"metric\": "
                   "\"roc_auc\", \"direction\": \"maximize\"}");
}

Test(config, a_cv_that_is_not_an_object_is_refused)
{
    expect_invalid(STUDY(", 'cv': 5"), ": cv: must be an object");
}

Test(config, a_preprocess_that_is_not_an_object_is_refused)
{
    expect_invalid(STUDY(", 'preprocess': 'standard'"), ": preprocess: must be an object");
}

/* ------------------------------------------------------ task, trainer */

Test(config, an_unknown_task_is_refused_with_the_choices)
{
    expect_invalid("{'name': 'x', 'task': 'ranking', 'data': {'path': 'd.csv'}, " LOGISTIC "}",
                   ": task: must be one of: binary, multiclass, regression, clustering (got "
                   "\"ranking\")");
}

Test(config, clustering_needs_a_clustering_trainer_and_has_no_target_by_default)
{
    expect_invalid("{'name': 'x', 'task': 'clustering', 'data': {'path': 'd.csv'}, " LOGISTIC
                   "}",
                   ": trainer.name: trainer 'logistic' does not support the clustering task");
    struct tune_study_config *c =
        parse_ok("{'name': 'x', 'task': 'clustering', 'data': {'path': 'd.csv'}, "
                 "'trainer': {'name': 'kmeans'}}");
    cr_assert_str_eq(c->target, "");
    cr_assert_str_eq(c->metric, "silhouette");
    cr_assert_eq(c->maximize, 1);
    cr_assert_eq(c->cv.stratified, 0);
    tune_config_free(c);
}

Test(config, an_unknown_trainer_lists_the_available_ones)
{
    expect_invalid("{" HEAD ", 'trainer': {'name': 'lightgbm'}}",
                   ": trainer.name: unknown trainer \"lightgbm\" (available: logistic");
}

Test(config, a_trainer_without_the_task_is_refused)
{
    expect_invalid("{'name': 'x', 'task': 'regression', 'data': {'path': 'd.csv'}, " LOGISTIC
                   "}",
                   ": trainer.name: trainer 'logistic' does not support the regression task");
}

Test(config, an_unknown_fixed_parameter_is_named_with_the_declared_ones)
{
    expect_invalid("{" HEAD ", 'trainer': {'name': 'logistic', 'params': {'gamma': 0.5}}}",
                   ": trainer.params.gamma: trainer 'logistic' has no such parameter (it has: "
                   "C, penalty, max_iter, tol, class_weight, fit_intercept)");
}

Test(config, a_fixed_parameter_out_of_range_is_refused)
{
    expect_invalid("{" HEAD ", 'trainer': {'name': 'logistic', 'params': {'C': 0}}}",
                   ": trainer.params.C: 0 is out of range [1e-12, inf]");
}

Test(config, a_fractional_integer_parameter_is_refused)
{
    expect_invalid("{" HEAD ", 'trainer': {'name': 'logistic', 'params': {'max_iter': 2.5}}}",
                   ": trainer.params.max_iter: 2.5 is out of range [1, 1e+06] (an integer)");
}

Test(config, a_fixed_parameter_of_the_wrong_type_is_refused)
{
    expect_invalid("{" HEAD ", 'trainer': {'name': 'logistic', 'params': {'C': 'big'}}}",
                   ": trainer.params.C: must be a number");
}

Test(config, a_fixed_bool_parameter_must_be_true_or_false)
{
    expect_invalid(
        "{" HEAD ", 'trainer': {'name': 'logistic', 'params': {'fit_intercept': 1}}}",
        ": trainer.params.fit_intercept: must be true or false");
}

Test(config, a_fixed_categorical_must_be_one_of_its_choices)
{
    expect_invalid("{" HEAD ", 'trainer': {'name': 'logistic', 'params': {'penalty': 'l3'}}}",
                   ": trainer.params.penalty: must be one of: l2, l1, none");
}

/* --------------------------------------------------------------- space */

Test(config, a_space_parameter_the_trainer_does_not_declare_is_refused)
{
    expect_invalid(SPACE("'gamma': {'type': 'float', 'low': 0.1, 'high': 2}"),
                   ": space.gamma: trainer 'logistic' has no parameter 'gamma' (it has: C, "
                   "penalty");
}

Test(config, a_categorical_hyperparameter_cannot_be_searched_as_a_float)
{
    expect_invalid(SPACE("'penalty': {'type': 'float', 'low': 0, 'high': 1}"),
                   ": space.penalty.type: 'penalty' is a categorical parameter of trainer "
                   "'logistic'; use \"type\": \"categorical\"");
}

Test(config, an_integer_hyperparameter_cannot_be_searched_as_a_float)
{
    expect_invalid(SPACE("'max_iter': {'type': 'float', 'low': 50, 'high': 500}"),
                   ": space.max_iter.type: 'max_iter' is an integer parameter; use \"type\": "
                   "\"int\"");
}

Test(config, a_float_hyperparameter_cannot_be_searched_as_a_bool)
{
    expect_invalid(SPACE("'C': {'type': 'bool'}"),
                   ": space.C.type: 'C' is a float parameter of trainer 'logistic', not bool");
}

Test(config, a_float_hyperparameter_takes_numbers_not_text_as_categorical_values)
{
    expect_invalid(SPACE("'C': {'type': 'categorical', 'values': [0.5, 'big']}"),
                   ": space.C.values[1]: 'C' takes numbers, not text");
}

Test(config, equal_bounds_are_an_empty_range)
{
    expect_invalid(SPACE("'C': {'type': 'float', 'low': 2.5, 'high': 2.5}"),
                   ": space.C: empty range: low (2.5) must be < high (2.5)");
}

Test(config, reversed_bounds_are_an_empty_range)
{
    expect_invalid(SPACE("'max_iter': {'type': 'int', 'low': 400, 'high': 60}"),
                   ": space.max_iter: empty range: low (400) must be < high (60)");
}

Test(config, a_log_scale_needs_a_positive_low)
{
    expect_invalid(SPACE("'C': {'type': 'float', 'low': 0, 'high': 10, 'scale': 'log'}"),
                   FILE_NAME ": space.C.low: must be > 0 for a log scale");
}

Test(config, a_log_scale_refuses_a_negative_low)
{
    expect_invalid(SPACE("'tol': {'type': 'float', 'low': -0.5, 'high': 1, 'scale': 'log'}"),
                   ": space.tol.low: must be > 0 for a log scale");
}

Test(config, an_unknown_scale_is_refused)
{
    expect_invalid(SPACE("'C': {'type': 'float', 'low': 0.1, 'high': 10, 'scale': 'exp'}"),
                   ": space.C.scale: must be \"linear\" or \"log\" (got \"exp\")");
}

Test(config, a_range_outside_the_declared_range_is_refused)
{
    expect_invalid(SPACE("'C': {'type': 'float', 'low': 0, 'high': 10}"),
                   ": space.C: range [0, 10] is outside 'C''s valid range [1e-12, inf]");
}

Test(config, an_int_range_outside_the_declared_range_is_refused)
{
    expect_invalid(SPACE("'max_iter': {'type': 'int', 'low': 0, 'high': 300}"),
                   ": space.max_iter: range [0, 300] is outside 'max_iter''s valid range");
}

Test(config, int_bounds_must_be_integers)
{
    expect_invalid(SPACE("'max_iter': {'type': 'int', 'low': 10.5, 'high': 300}"),
                   ": space.max_iter: low and high of an int parameter must be integers");
}

Test(config, a_categorical_without_values_is_refused)
{
    expect_invalid(SPACE("'penalty': {'type': 'categorical'}"),
                   ": space.penalty.values: a categorical parameter needs a non-empty array");
}

Test(config, a_categorical_with_empty_values_is_refused)
{
    expect_invalid(SPACE("'penalty': {'type': 'categorical', 'values': []}"),
                   ": space.penalty.values: a categorical parameter needs a non-empty array");
}

Test(config, a_categorical_value_that_is_not_a_choice_is_named)
{
    expect_invalid(SPACE("'penalty': {'type': 'categorical', 'values': ['l1', 'l3']}"),
                   ": space.penalty.values[1]: \"l3\" is not a choice of 'penalty' (choices: "
                   "l2, l1, none)");
}

Test(config, a_duplicate_categorical_value_is_named)
{
    expect_invalid(SPACE("'penalty': {'type': 'categorical', 'values': ['l1', 'l2', 'l1']}"),
                   ": space.penalty.values[2]: duplicate value \"l1\"");
}

Test(config, equal_numeric_categorical_values_are_duplicates)
{
    expect_invalid(SPACE("'C': {'type': 'categorical', 'values': [0.5, 2, 2.0]}"),
                   ": space.C.values[2]: duplicate value \"2\"");
}

Test(config, a_categorical_choice_given_as_a_number_is_refused)
{
    expect_invalid(SPACE("'penalty': {'type': 'categorical', 'values': [1]}"),
                   ": space.penalty.values[0]: must be a string");
}

Test(config, a_numeric_categorical_value_out_of_range_is_named)
{
    expect_invalid(SPACE("'C': {'type': 'categorical', 'values': [0.5, -3]}"),
                   ": space.C.values[1]: -3 is out of range [1e-12, inf] of 'C'");
}

Test(config, bounds_are_not_allowed_on_a_categorical)
{
    expect_invalid(SPACE("'penalty': {'type': 'categorical', 'values': ['l1'], 'low': 0}"),
                   ": space.penalty.low: not allowed for a categorical parameter");
}

Test(config, values_are_not_allowed_on_a_bool)
{
    expect_invalid(SPACE("'fit_intercept': {'type': 'bool', 'values': [true]}"),
                   ": space.fit_intercept.values: not allowed for a bool parameter");
}

Test(config, values_are_not_allowed_on_a_float)
{
    expect_invalid(SPACE("'C': {'type': 'float', 'low': 0.1, 'high': 2, 'values': [1]}"),
                   ": space.C.values: only for categorical parameters");
}

Test(config, a_zero_step_is_refused)
{
    expect_invalid(SPACE("'C': {'type': 'float', 'low': 0.5, 'high': 2, 'step': 0}"),
                   ": space.C.step: must be > 0 and at most high - low");
}

Test(config, a_step_wider_than_the_range_is_refused)
{
    expect_invalid(SPACE("'C': {'type': 'float', 'low': 0.5, 'high': 2, 'step': 1.75}"),
                   ": space.C.step: must be > 0 and at most high - low");
}

Test(config, a_fractional_step_on_an_int_is_refused)
{
    expect_invalid(SPACE("'max_iter': {'type': 'int', 'low': 10, 'high': 300, 'step': 2.5}"),
                   ": space.max_iter.step: must be an integer for an int parameter");
}

Test(config, a_step_on_a_log_scale_is_refused)
{
    expect_invalid(
        SPACE("'C': {'type': 'float', 'low': 0.5, 'high': 20, 'scale': 'log', 'step': 0.5}"),
        ": space.C.step: not allowed with a log scale");
}

Test(config, zero_grid_points_are_refused)
{
    expect_invalid(SPACE("'C': {'type': 'float', 'low': 0.5, 'high': 20, 'grid_points': 0}"),
                   ": space.C.grid_points: must be an integer in [1, 100000], got 0");
}

Test(config, fractional_grid_points_are_refused)
{
    expect_invalid(SPACE("'C': {'type': 'float', 'low': 0.5, 'high': 20, 'grid_points': 4.5}"),
                   ": space.C.grid_points: must be an integer in [1, 100000], got 4.5");
}

Test(config, a_parameter_both_fixed_and_searched_is_refused)
{
    expect_invalid("{" HEAD ", 'trainer': {'name': 'logistic', 'params': {'C': 2}}, "
                   "'space': {'C': {'type': 'float', 'low': 0.5, 'high': 20}}}",
                   ": space.C: also set in trainer.params; a parameter is either fixed or "
                   "searched");
}

/* -------------------------------------------------------------- search */

Test(config, an_unknown_strategy_lists_the_available_ones)
{
    expect_invalid(STUDY(", 'search': {'strategy': 'annealing'}"),
                   ": search.strategy: unknown strategy \"annealing\" (available: grid, random");
}

Test(config, zero_trials_are_refused)
{
    expect_invalid(STUDY(", 'search': {'trials': 0}"),
                   ": search.trials: must be an integer in [1, 1000000000], got 0");
}

Test(config, negative_trials_are_refused)
{
    expect_invalid(STUDY(", 'search': {'trials': -3}"),
                   ": search.trials: must be an integer in [1, 1000000000], got -3");
}

Test(config, fractional_trials_are_refused)
{
    expect_invalid(STUDY(", 'search': {'trials': 7.5}"),
                   ": search.trials: must be an integer in [1, 1000000000], got 7.5");
}

Test(config, a_negative_seed_is_refused)
{
    expect_invalid(STUDY(", 'search': {'seed': -1}"), ": search.seed: must be an integer in");
}

Test(config, zero_workers_are_refused)
{
    expect_invalid(STUDY(", 'search': {'workers': 0}"),
                   ": search.workers: must be an integer in [1, 1024], got 0");
}

/* ------------------------------------------------------------------ cv */

Test(config, one_fold_is_refused)
{
    expect_invalid(STUDY(", 'cv': {'folds': 1}"),
                   ": cv.folds: must be an integer in [2, 1000000], got 1");
}

Test(config, zero_repeats_are_refused)
{
    expect_invalid(STUDY(", 'cv': {'repeats': 0}"),
                   ": cv.repeats: must be an integer in [1, 10000], got 0");
}

Test(config, a_holdout_above_one_is_refused)
{
    expect_invalid(STUDY(", 'cv': {'holdout': 1.5}"),
                   ": cv.holdout: must be a fraction in (0, 1), got 1.5");
}

Test(config, a_zero_holdout_is_refused)
{
    expect_invalid(STUDY(", 'cv': {'holdout': 0}"),
                   ": cv.holdout: must be a fraction in (0, 1), got 0");
}

Test(config, holdout_together_with_folds_is_refused)
{
    expect_invalid(STUDY(", 'cv': {'folds': 4, 'holdout': 0.25}"),
                   ": cv.holdout: give either folds or holdout, not both");
}

/* ----------------------------------------------------------- objective */

Test(config, an_unknown_metric_lists_the_metrics_of_the_task)
{
    expect_invalid(STUDY(", 'objective': {'metric': 'auc'}"),
                   ": objective.metric: \"auc\" is not a known metric (metrics for binary: "
                   "accuracy, roc_auc, log_loss, f1");
}

Test(config, a_regression_metric_does_not_fit_a_binary_task)
{
    expect_invalid(STUDY(", 'objective': {'metric': 'rmse'}"),
                   ": objective.metric: \"rmse\" does not fit this task (metrics for binary:");
}

Test(config, minimizing_a_maximized_metric_is_refused)
{
    expect_invalid(STUDY(", 'objective': {'metric': 'roc_auc', 'direction': 'minimize'}"),
                   ": objective.direction: roc_auc is always maximized");
}

Test(config, maximizing_a_minimized_metric_is_refused)
{
    expect_invalid(STUDY(", 'objective': {'metric': 'log_loss', 'direction': 'maximize'}"),
                   ": objective.direction: log_loss is always minimized");
}

Test(config, a_direction_must_be_maximize_or_minimize)
{
    expect_invalid(STUDY(", 'objective': {'direction': 'up'}"),
                   ": objective.direction: must be \"maximize\" or \"minimize\" (got \"up\")");
}

/* ---------------------------------------------------------- preprocess */

Test(config, an_unknown_impute_is_refused)
{
    expect_invalid(STUDY(", 'preprocess': {'impute': 'mode'}"),
                   ": preprocess.impute: must be one of: none, mean, median, most_frequent "
                   "(got \"mode\")");
}

Test(config, an_unknown_scale_name_is_refused)
{
    expect_invalid(STUDY(", 'preprocess': {'scale': 'robust'}"),
                   ": preprocess.scale: must be one of: none, standard, minmax (got "
                   "\"robust\")");
}
Test(config, a_search_that_is_not_an_object_is_refused)
{
    expect_invalid(STUDY(", 'search': 5"), ": search: must be an object");
}

Test(config, text_after_the_json_object_is_invalid_json)
{
    struct tune_study_config *c = NULL;
    struct tune_error err = {0};
    char *json = study(STUDY("") "\n} trailing");
    cr_assert_eq(tune_config_parse(FILE_NAME, json, &c, &err), TUNE_EINVAL);
    cr_assert_null(c);
    cr_assert_not_null(strstr(err.msg, FILE_NAME ":2:1: invalid JSON"), "%s", err.msg);
    free(json);
}

Test(config, a_duplicate_top_level_key_is_refused)
{
    expect_invalid(STUDY(", 'name': 'other'"), ": name: duplicate key");
}

Test(config, a_duplicate_space_parameter_is_refused)
{
    expect_invalid(SPACE("'C': {'type': 'float', 'low': 0.5, 'high': 2}, "
                         "'C': {'type': 'float', 'low': 3, 'high': 4}"),
                   ": space.C: duplicate key");
}


Test(config, bayes_options_are_refused_for_other_strategies)
{
    expect_invalid(STUDY(", 'search': {'strategy': 'random', 'acquisition': 'ei'}"),
                   ": search.acquisition: only for the bayes strategy (strategy is random)");
    expect_invalid(STUDY(", " GRID8 ", 'search': {'strategy': 'grid', 'kappa': 1}"),
                   ": search.kappa: only for the bayes strategy (strategy is grid)");
}

Test(config, each_bad_bayes_option_is_named_by_its_key)
{
    static const char *const cases[][2] = {
        {"'acquisition': 'lcb'", ": search.acquisition: must be one of: ei, ucb, pi (got \"lcb\")"},
        {"'acquisition': 3", ": search.acquisition: must be one of: ei, ucb, pi"},
        {"'kernel': 'linear'", ": search.kernel: must be one of: matern52, rbf (got \"linear\")"},
        {"'initial_points': 0",
         ": search.initial_points: must be an integer in [1, 1000000], got 0"},
        {"'initial_points': 2.5",
         ": search.initial_points: must be an integer in [1, 1000000], got 2.5"},
        {"'xi': -0.25", ": search.xi: must be >= 0"},
        {"'xi': 'small'", ": search.xi: must be a number"},
        {"'kappa': -1.5", ": search.kappa: must be >= 0"},
        {"'kernel': 'rbf', 'kernel': 'rbf'", ": search.kernel: duplicate key"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[1024];
        snprintf(text, sizeof text, STUDY(", 'search': {'strategy': 'bayes', %s}"), cases[i][0]);
        expect_invalid(text, cases[i][1]);
    }
}

Test(config, the_canonical_text_holds_the_strategy_options_in_a_fixed_order)
{
    /* written in any order, listed in the searcher's: the text of studies
     * stored before the searchers checked their own options */
    struct tune_study_config *c =
        parse_ok(STUDY(", 'search': {'kernel': 'rbf', 'kappa': 1.5, 'strategy': 'bayes', "
                       "'trials': 9, 'acquisition': 'ucb', 'seed': 3}"));
    cr_assert_not_null(strstr(c->canonical, "\"search\":{\"strategy\":\"bayes\",\"seed\":3,"
                                             "\"acquisition\":\"ucb\",\"kappa\":1.5,"
                                             "\"kernel\":\"rbf\"}"),
                       "%s", c->canonical);
    cr_assert_str_eq(c->search_opts.json,
                     "{\"kernel\":\"rbf\",\"kappa\":1.5,\"acquisition\":\"ucb\"}");
    cr_assert_eq(c->search_opts.seed, 3);
    tune_config_free(c);
    cr_assert_not(same_canonical(STUDY(", 'search': {'strategy': 'bayes', 'kappa': 1.5}"),
                                 STUDY(", 'search': {'strategy': 'bayes', 'kappa': 2.5}")));
    cr_assert_not(same_canonical(STUDY(", 'search': {'strategy': 'bayes'}"),
                                 STUDY(", 'search': {'strategy': 'bayes', 'xi': 0.01}")));
}

Test(config, a_new_seed_reaches_the_searcher_options)
{
    struct tune_study_config *c = parse_ok(STUDY(", 'search': {'seed': 3}"));
    struct tune_error err;
    cr_assert_eq(tune_config_set_seed(c, 2385, &err), TUNE_OK);
    cr_assert_eq(c->search_opts.seed, 2385);
    cr_assert_str_eq(c->search_opts.json, "{}");
    tune_config_free(c);
}

Test(config, a_bayes_budget_on_a_discrete_space_defaults_to_20_not_the_space_size)
{
    /* 400 x 3 configurations: only grid runs them all by default */
    struct tune_study_config *c =
        parse_ok(STUDY(", 'space': {'max_iter': {'type': 'int', 'low': 1, 'high': 400}, "
                       "'penalty': {'type': 'categorical', 'values': ['l1', 'l2', 'none']}}, "
                       "'search': {'strategy': 'bayes'}"));
    cr_assert_eq(c->trials, 20);
    tune_config_free(c);
}

Test(config, an_int_range_past_2_to_the_53_is_refused_naming_the_parameter)
{
    /* an external trainer's int parameter: no declared range to stop it */
    expect_invalid("{'name': 'x', 'trainer': {'exec': ['true'], 'mode': 'score'},"
                   " 'objective': {'direction': 'minimize'},"
                   " 'space': {'n': {'type': 'int', 'low': 1, 'high': 1e300}}}",
                   "space.n: an int parameter's low and high must lie within +-2^53");
    expect_invalid("{'name': 'x', 'trainer': {'exec': ['true'], 'mode': 'score'},"
                   " 'objective': {'direction': 'minimize'},"
                   " 'space': {'n': {'type': 'int', 'low': -9007199254740994, 'high': 0}}}",
                   "use \"type\": \"float\" for a wider range");
    struct tune_study_config *c =
        parse_ok("{'name': 'x', 'trainer': {'exec': ['true'], 'mode': 'score'},"
                 " 'objective': {'direction': 'minimize'},"
                 " 'space': {'n': {'type': 'int', 'low': -9007199254740992,"
                 " 'high': 9007199254740992}}}");
    tune_config_free(c);
}

/* ---- argument templates in trainer.exec ---------------------------------------- */

/* A score-mode study of a LIBSVM-style program with the given exec elements
 * (after the program) and fixed params. */
#define SVM_STUDY(EXEC, PARAMS)                                                          \
    "{'name': 'tmpl', 'trainer': {'exec': ['svm-train'" EXEC "], 'mode': 'score'"       \
    PARAMS "}, 'space': {'C': {'type': 'float', 'low': 0.03125, 'high': 32768,"           \
    " 'scale': 'log'}, 'gamma': {'type': 'float', 'low': 3e-05, 'high': 8,"              \
    " 'scale': 'log'}}, 'objective': {'direction': 'maximize'}}"

Test(config, exec_placeholders_may_name_space_and_fixed_parameters)
{
    struct tune_study_config *c =
        parse_ok(SVM_STUDY(", '-q', '-v', '{folds}', '-c', '{C}', '-g', '{gamma}',"
                           " '--c={C}/{{x}}', 'train.scale'",
                           ", 'params': {'folds': 5}"));
    const struct tune_external *e = tune_external_of(c->trainer);
    cr_assert_not_null(e);
    cr_assert_str_eq(e->argv[3], "{folds}", "the template is kept as written");
    cr_assert_str_eq(e->argv[8], "--c={C}/{{x}}");
    tune_config_free(c);
}

Test(config, an_unknown_exec_placeholder_names_the_element_and_the_parameters)
{
    expect_invalid(SVM_STUDY(", '-q', '-v', '5', '-c', '{C}', '-g', '{gama}', 'train.scale'",
                             ""),
                   ": trainer.exec[7]: unknown parameter 'gama' in '{gama}' "
                   "(parameters: C, gamma)");
    expect_invalid(SVM_STUDY(", '--x={C}{nope}'", ", 'params': {'folds': 5}"),
                   ": trainer.exec[1]: unknown parameter 'nope' in '--x={C}{nope}' "
                   "(parameters: C, gamma, folds)");
}

Test(config, a_lone_brace_in_exec_is_refused_with_the_escape_to_use)
{
    expect_invalid(SVM_STUDY(", '-c', '{C'", ""),
                   ": trainer.exec[2]: '{' without a closing '}' in '{C' "
                   "(write {{ for a literal {)");
    expect_invalid(SVM_STUDY(", 'C}'", ""),
                   ": trainer.exec[1]: '}' without an opening '{' in 'C}' "
                   "(write }} for a literal })");
    expect_invalid(SVM_STUDY(", '-c', '{}'", ""),
                   ": trainer.exec[2]: empty placeholder '{}' in '{}' "
                   "(write {{}} for a literal {})");
    expect_invalid(SVM_STUDY(", '{C{gamma}}'", ""),
                   ": trainer.exec[1]: unknown parameter 'C{gamma' in '{C{gamma}}'");
}

/* ------------------------------------------------- conditional parameters */

/* linear (regression) has penalty none/l2/l1/elasticnet and l1_ratio. */
#define LINEAR_HEAD "'name': 'cfg-test', 'task': 'regression', 'data': {'path': 'd.csv'}, " \
                    "'trainer': {'name': 'linear'}"
#define LINEAR_SPACE(...) "{" LINEAR_HEAD ", 'space': {" __VA_ARGS__ "}}"
#define PENALTY "'penalty': {'type': 'categorical', 'values': ['l2', 'l1', 'elasticnet']}"

Test(config, when_makes_a_parameter_conditional_on_one_value_or_a_list)
{
    struct tune_study_config *c = parse_ok(LINEAR_SPACE(
        PENALTY ", 'l1_ratio': {'type': 'float', 'low': 0, 'high': 1, "
                "'when': {'penalty': 'elasticnet'}}, "
                "'alpha': {'type': 'float', 'low': 0.001, 'high': 10, 'scale': 'log', "
                "'when': {'penalty': ['l1', 'elasticnet']}}"));
    const struct tune_param *r = space_param(c, "l1_ratio"), *a = space_param(c, "alpha");
    cr_assert_eq(r->n_when, 1);
    cr_assert_eq(r->when_param, 0);
    cr_assert_eq(r->when_values[0], 2.0);
    cr_assert_eq(a->n_when, 2);
    cr_assert(a->when_values[0] == 1 && a->when_values[1] == 2);
    cr_assert_eq(space_param(c, "penalty")->n_when, 0);
    /* l2: l1_ratio and alpha off; grid and finite size count the real configurations */
    cr_assert_not_null(strstr(c->canonical, "\"when\":{\"penalty\":[\"elasticnet\"]}"), "%s",
                       c->canonical);
    cr_assert_not_null(strstr(c->canonical, "\"when\":{\"penalty\":[\"l1\",\"elasticnet\"]}"),
                       "%s", c->canonical);
    tune_config_free(c);
    /* a space without conditions keeps its canonical text */
    c = parse_ok(SPACE("'C': {'type': 'float', 'low': 0.1, 'high': 10}"));
    cr_assert_null(strstr(c->canonical, "when"), "%s", c->canonical);
    tune_config_free(c);
}

Test(config, a_when_naming_an_unknown_parameter_is_refused_with_the_parameters)
{
    expect_invalid(LINEAR_SPACE(PENALTY ", 'l1_ratio': {'type': 'float', 'low': 0, 'high': 1, "
                                        "'when': {'penatly': 'elasticnet'}}"),
                   ": space.l1_ratio.when: unknown parameter 'penatly' (parameters of this "
                   "space: penalty)");
}

Test(config, a_when_value_that_is_not_a_choice_is_refused_with_the_choices)
{
    expect_invalid(LINEAR_SPACE(PENALTY ", 'l1_ratio': {'type': 'float', 'low': 0, 'high': 1, "
                                        "'when': {'penalty': 'elastic'}}"),
                   ": space.l1_ratio.when.penalty: \"elastic\" is not a value of 'penalty' (its "
                   "values: l2, l1, elasticnet)");
    expect_invalid(LINEAR_SPACE(PENALTY ", 'l1_ratio': {'type': 'float', 'low': 0, 'high': 1, "
                                        "'when': {'penalty': []}}"),
                   ": space.l1_ratio.when.penalty: an empty list: give one value or more");
}

Test(config, a_when_must_name_a_categorical_or_bool_and_not_go_in_circles)
{
    expect_invalid(LINEAR_SPACE("'alpha': {'type': 'float', 'low': 0.1, 'high': 1}, "
                                "'l1_ratio': {'type': 'float', 'low': 0, 'high': 1, "
                                "'when': {'alpha': 0.5}}"),
                   ": space.l1_ratio.when.alpha: 'alpha' is a float parameter; a condition "
                   "names a categorical or bool parameter");
    expect_invalid(LINEAR_SPACE("'penalty': {'type': 'categorical', 'values': ['l1', 'l2'], "
                                "'when': {'fit_intercept': true}}, "
                                "'fit_intercept': {'type': 'bool', 'when': {'penalty': 'l1'}}"),
                   ": space.penalty.when: the conditions go round in a circle back to "
                   "'penalty'");
    expect_invalid(LINEAR_SPACE(PENALTY ", 'alpha': {'type': 'float', 'low': 0.1, 'high': 1, "
                                        "'when': 'penalty'}"),
                   ": space.alpha.when: must name one parameter and its value or values");
}

Test(config, an_external_program_cannot_have_conditional_parameters)
{
    expect_invalid("{'name': 'x', 'task': 'binary', 'data': {'path': 'd.csv'}, "
                   "'trainer': {'exec': ['./t']}, 'space': {"
                   "'k': {'type': 'categorical', 'values': ['a', 'b']}, "
                   "'x': {'type': 'float', 'low': 0, 'high': 1, 'when': {'k': 'a'}}}}",
                   ": space.x.when: conditions are for built-in trainers and ask/tell studies");
}

/* --------------------------------------------------- several trainers */

#define CASH_HEAD "'name': 'cash', 'task': 'binary', 'data': {'path': 'd.csv'}"
#define CASH(...) "{" CASH_HEAD ", 'trainers': {" __VA_ARGS__ "}}"
#define CASH_TWO                                                                       \
    "'logistic': {'params': {'max_iter': 300}, 'space': {"                            \
    "'C': {'type': 'float', 'low': 0.01, 'high': 100, 'scale': 'log'}, "              \
    "'penalty': {'type': 'categorical', 'values': ['l1', 'l2']}}}, "                   \
    "'knn': {'space': {'n_neighbors': {'type': 'int', 'low': 1, 'high': 30}, "         \
    "'p': {'type': 'float', 'low': 1, 'high': 2, 'when': {'weights': 'distance'}}, "  \
    "'weights': {'type': 'categorical', 'values': ['uniform', 'distance']}}}"

Test(config, trainers_make_one_space_whose_first_parameter_chooses_the_trainer)
{
    struct tune_study_config *c = parse_ok(CASH(CASH_TWO));
    cr_assert(c->choose_trainer);
    cr_assert_null(c->trainer);
    cr_assert_eq(c->n_choices, 2);
    cr_assert_str_eq(c->choices[0].label, "logistic");
    cr_assert_eq(c->choices[0].trainer, &tune_trainer_logistic);
    cr_assert_eq(c->choices[1].trainer, &tune_trainer_knn);
    cr_assert_eq(c->max_hparams, tune_trainer_logistic.n_hparams > tune_trainer_knn.n_hparams
                                     ? tune_trainer_logistic.n_hparams
                                     : tune_trainer_knn.n_hparams);
    long mi = tune_trainer_hparam_index(&tune_trainer_logistic, "max_iter");
    cr_assert_eq(c->choices[0].fixed[mi], 300.0);
    cr_assert_eq(c->choices[0].is_fixed[mi], 1);
    cr_assert_eq(c->space.n, 6);
    const struct tune_param *t = &c->space.params[0];
    cr_assert_str_eq(t->name, "trainer");
    cr_assert_eq(t->n_values, 2);
    cr_assert_str_eq(t->values[1], "knn");
    cr_assert(c->choices[0].first == 1 && c->choices[0].n == 2);
    cr_assert(c->choices[1].first == 3 && c->choices[1].n == 3);
    const struct tune_param *C = space_param(c, "logistic.C"), *p = space_param(c, "knn.p");
    cr_assert_str_eq(tune_param_key(C), "C");
    cr_assert(C->n_when == 1 && C->when_param == 0 && C->when_values[0] == 0);
    /* p hangs on knn's weights, which hangs on the choice */
    long w = tune_space_find(&c->space, "knn.weights");
    cr_assert(p->n_when == 1 && p->when_param == (size_t)w && p->when_values[0] == 1);
    cr_assert(c->space.params[w].when_param == 0 && c->space.params[w].when_values[0] == 1);
    cr_assert_eq(tune_space_active_dim(&c->space), 4);
    cr_assert_str_eq(strstr(c->canonical, "\"trainers\""),
                     "\"trainers\":{\"logistic\":{\"name\":\"logistic\",\"params\":{\"max_iter\":300},"
                     "\"space\":{\"C\":{\"type\":\"float\",\"low\":0.01,\"high\":100,\"scale\":\"log\","
                     "\"step\":0,\"grid_points\":5},\"penalty\":{\"type\":\"categorical\",\"values\":"
                     "[\"l1\",\"l2\"]}}},\"knn\":{\"name\":\"knn\",\"params\":{},\"space\":{"
                     "\"n_neighbors\":{\"type\":\"int\",\"low\":1,\"high\":30,\"scale\":\"linear\","
                     "\"step\":0,\"grid_points\":5},\"p\":{\"type\":\"float\",\"low\":1,\"high\":2,"
                     "\"scale\":\"linear\",\"step\":0,\"grid_points\":5,\"when\":{\"weights\":"
                     "[\"distance\"]}},\"weights\":{\"type\":\"categorical\",\"values\":"
                     "[\"uniform\",\"distance\"]}}}},\"search\":{\"strategy\":\"random\",\"seed\":0},"
                     "\"cv\":{\"folds\":5,\"stratified\":true,\"repeats\":1,\"holdout\":0,"
                     "\"shuffle\":true},\"preprocess\":{\"impute\":\"mean\",\"scale\":\"none\","
                     "\"one_hot\":true},\"objective\":{\"metric\":\"roc_auc\","
                     "\"direction\":\"maximize\"}}");
    tune_config_free(c);
}

Test(config, a_configuration_of_a_study_of_several_trainers_names_its_trainer)
{
    struct tune_study_config *c = parse_ok(CASH(CASH_TWO));
    double v[64];
    size_t k = 9;
    struct tune_error err = {0};
    cr_assert_eq(tune_config_resolve_choice(c, "{\"trainer\": \"knn\", \"n_neighbors\": 7}",
                                            "--params", &k, v, &err),
                 TUNE_OK, "%s", err.msg);
    cr_assert_eq(k, 1);
    cr_assert_eq(v[tune_trainer_hparam_index(&tune_trainer_knn, "n_neighbors")], 7.0);
    cr_assert_eq(tune_config_resolve_choice(c, "{\"n_neighbors\": 7}", "--params", &k, v, &err),
                 TUNE_EINVAL);
    cr_assert_str_eq(err.msg, "--params.trainer: missing: study 'cash' chooses among trainers "
                              "(logistic, knn); name one");
    cr_assert_eq(tune_config_resolve_choice(c, "{\"trainer\": \"svm\"}", "--params", &k, v, &err),
                 TUNE_EINVAL);
    cr_assert_str_eq(err.msg, "--params.trainer: must be one of the study's trainers: logistic, "
                              "knn");
    cr_assert_eq(tune_config_resolve_choice(c, "{\"trainer\": \"logistic\", \"n_neighbors\": 7}",
                                            "--params", &k, v, &err),
                 TUNE_EINVAL);
    cr_assert(strstr(err.msg, "--params.n_neighbors: trainer 'logistic' has no such parameter"),
              "%s", err.msg);
    cr_assert_eq(tune_config_resolve_params(c, NULL, "--params", v, &err), TUNE_EINVAL);
    tune_config_free(c);
}

Test(config, trainers_errors_name_the_trainer_and_key)
{
    expect_invalid(CASH("'knnn': {}"), ": trainers.knnn: unknown trainer \"knnn\" (available: ");
    expect_invalid(CASH("'gini': {'name': 'forrest'}"),
                   ": trainers.gini.name: unknown trainer \"forrest\"");
    expect_invalid(CASH("'linear': {}"),
                   ": trainers.linear: trainer 'linear' does not support the binary task");
    expect_invalid(CASH("'knn': {'spaces': {}}"), ": trainers.knn.spaces: unknown key");
    expect_invalid(CASH("'knn': {'params': {'n_neighbors': 3}, 'space': "
                        "{'n_neighbors': {'type': 'int', 'low': 1, 'high': 9}}}"),
                   ": trainers.knn.space.n_neighbors: also set in trainers.knn.params");
    expect_invalid(CASH("'knn': {'space': {'k': {'type': 'int', 'low': 1, 'high': 9}}}"),
                   ": trainers.knn.space.k: trainer 'knn' has no parameter 'k'");
    expect_invalid(CASH("'knn': {'params': {'n_neighbours': 3}}"),
                   ": trainers.knn.params.n_neighbours: trainer 'knn' has no such parameter");
    /* a condition stays within its trainer */
    expect_invalid(CASH(CASH_TWO ", 'forest': {'space': {'max_depth': {'type': 'int', 'low': 1, "
                                 "'high': 9, 'when': {'penalty': 'l1'}}}}"),
                   ": trainers.forest.space.max_depth.when: unknown parameter 'penalty' "
                   "(parameters of this space: none)");
    expect_invalid("{" CASH_HEAD ", 'trainers': {'knn': {}}, 'trainer': {'name': 'knn'}}",
                   ": trainer: not with \"trainers\"");
    expect_invalid("{" CASH_HEAD ", 'trainers': {'knn': {}}, 'space': {}}",
                   ": space: not with \"trainers\", where each trainer has its own \"space\"");
    expect_invalid("{" CASH_HEAD ", 'trainers': {}}", ": trainers: must name at least one trainer");
}

Test(config, one_trainer_is_choice_zero_of_its_study)
{
    struct tune_study_config *c = parse_ok(SPACE("'C': {'type': 'float', 'low': 0.1, 'high': 10}"));
    cr_assert_not(c->choose_trainer);
    cr_assert_eq(c->n_choices, 1);
    cr_assert_eq(c->choices[0].trainer, c->trainer);
    cr_assert_eq(c->choices[0].fixed, c->fixed);
    cr_assert(c->choices[0].first == 0 && c->choices[0].n == 1);
    size_t k = 9;
    double v[64];
    struct tune_error err = {0};
    cr_assert_eq(tune_config_resolve_choice(c, "{\"C\": 2}", "--params", &k, v, &err), TUNE_OK);
    cr_assert_eq(k, 0);
    cr_assert_eq(tune_config_resolve_choice(c, "{\"trainer\": \"knn\"}", "--params", &k, v, &err),
                 TUNE_EINVAL);
    cr_assert_str_eq(err.msg, "--params.trainer: study 'cfg-test' has one trainer ('logistic'); "
                              "leave \"trainer\" out");
    tune_config_free(c);
}

/* -------------------------------------------------------- objectives */

Test(config, objectives_list_several_metrics_and_the_first_is_the_value)
{
    struct tune_study_config *c = parse_ok(
        STUDY(", 'objectives': [{'metric': 'recall'}, 'fit_seconds', "
              "{'metric': 'log_loss', 'direction': 'minimize'}]"));
    cr_assert_eq(c->n_objectives, 3);
    cr_assert_str_eq(c->metric, "recall");
    cr_assert_eq(c->maximize, 1);
    cr_assert_str_eq(c->objectives[1].metric, "fit_seconds");
    cr_assert_eq(c->objectives[1].maximize, 0);
    cr_assert_eq(c->objectives[2].maximize, 0);
    cr_assert_not_null(strstr(c->canonical, "\"objectives\":[{\"metric\":\"recall\",\"direction\":"
                                            "\"maximize\"},{\"metric\":\"fit_seconds\","
                                            "\"direction\":\"minimize\"},{\"metric\":\"log_loss\","
                                            "\"direction\":\"minimize\"}]"),
                       "%s", c->canonical);
    cr_assert_null(strstr(c->canonical, "\"objective\":"), "%s", c->canonical);
    tune_config_free(c);
    c = parse_ok(STUDY(""));
    cr_assert_eq(c->n_objectives, 1);
    cr_assert_str_eq(c->objectives[0].metric, "roc_auc");
    tune_config_free(c);
}

Test(config, objectives_errors_name_the_entry)
{
    expect_invalid(STUDY(", 'objectives': [{'metric': 'roc_auc'}, {'metric': 'auc'}]"),
                   ": objectives[1].metric: \"auc\" is not a known metric (metrics for binary: ");
    expect_invalid(STUDY(", 'objectives': [{'metric': 'roc_auc'}, "
                         "{'metric': 'fit_seconds', 'direction': 'maximize'}]"),
                   ": objectives[1].direction: fit_seconds is always minimized");
    expect_invalid(STUDY(", 'objectives': [{'metric': 'roc_auc'}, 'roc_auc']"),
                   ": objectives[1].metric: \"roc_auc\" is already objectives[0]");
    expect_invalid(STUDY(", 'objectives': [{'direction': 'maximize'}]"),
                   ": objectives[0].metric: missing (required string)");
    expect_invalid(STUDY(", 'objectives': []"), ": objectives: must be a non-empty array");
    expect_invalid(STUDY(", 'objective': 'f1', 'objectives': ['recall']"),
                   ": objectives: give either \"objective\" or \"objectives\", not both");
}

Test(config, a_score_mode_program_names_each_of_several_objectives)
{
    struct tune_study_config *c = parse_ok(
        "{'name': 's', 'space': {'x': {'type': 'float', 'low': 0, 'high': 1}}, "
        "'objectives': [{'metric': 'loss', 'direction': 'minimize'}, "
        "{'metric': 'latency', 'direction': 'minimize'}], "
        "'constraints': [{'metric': 'memory', 'max': 100}]}");
    cr_assert(c->ask_tell);
    cr_assert_str_eq(c->metric, "loss");
    cr_assert_str_eq(c->objectives[1].metric, "latency");
    cr_assert_str_eq(c->constraints[0].metric, "memory");
    tune_config_free(c);
    expect_invalid("{'name': 's', 'objectives': [{'metric': 'loss', 'direction': 'minimize'}, "
                   "{'metric': 'latency'}]}",
                   ": objectives[1].direction: missing (required string)");
}

/* -------------------------------------------------------- constraints */

Test(config, constraints_bound_any_metric_or_a_timing)
{
    struct tune_study_config *c = parse_ok(
        STUDY(", 'constraints': [{'metric': 'fit_seconds', 'max': 0.05}, "
              "{'metric': 'recall', 'min': 0.9}, {'metric': 'precision', 'min': 0.5, 'max': 0.95}]"));
    cr_assert_eq(c->n_constraints, 3);
    cr_assert_str_eq(c->constraints[0].metric, "fit_seconds");
    cr_assert(isinf(c->constraints[0].min) && c->constraints[0].min < 0);
    cr_assert_eq(c->constraints[0].max, 0.05);
    cr_assert_eq(c->constraints[1].min, 0.9);
    cr_assert(isinf(c->constraints[1].max));
    cr_assert_not_null(strstr(c->canonical, "\"constraints\":[{\"metric\":\"fit_seconds\","
                                            "\"max\":0.05},{\"metric\":\"recall\",\"min\":0.9},"
                                            "{\"metric\":\"precision\",\"min\":0.5,\"max\":0.95}]"),
                       "%s", c->canonical);
    const char **names;
    size_t n;
    cr_assert_eq(tune_config_tracked_metrics(c, &names, &n, NULL), TUNE_OK);
    cr_assert_eq(n, 3);
    cr_assert_str_eq(names[0], "fit_seconds");
    cr_assert_str_eq(names[2], "precision");
    free(names);
    tune_config_free(c);
}

Test(config, a_constraint_on_an_unknown_metric_is_refused)
{
    expect_invalid(STUDY(", 'constraints': [{'metric': 'recal', 'min': 0.9}]"),
                   ": constraints[0].metric: \"recal\" is not a known metric (metrics for binary: "
                   "accuracy, roc_auc");
    expect_invalid(STUDY(", 'constraints': [{'metric': 'recall'}]"),
                   ": constraints[0]: give \"min\", \"max\" or both");
    expect_invalid(STUDY(", 'constraints': [{'metric': 'recall', 'min': 0.9, 'max': 0.5}]"),
                   ": constraints[0]: min (0.9) must be <= max (0.5)");
    expect_invalid(STUDY(", 'constraints': [{'metric': 'recall', 'low': 0.9}]"),
                   ": constraints[0].low: unknown key");
    expect_invalid(STUDY(", 'constraints': {'metric': 'recall'}"),
                   ": constraints: must be an array");
}

/* ----------------------------------------------- enqueue and warm start */

#define LOG_SPACE "'space': {'C': {'type': 'float', 'low': 0.001, 'high': 100, 'scale': 'log'}, " \
                  "'penalty': {'type': 'categorical', 'values': ['l1', 'l2']}}"

Test(config, enqueued_points_are_checked_against_the_space_and_kept_in_order)
{
    struct tune_study_config *c = parse_ok(
        STUDY(", " LOG_SPACE ", 'search': {'enqueue': [{'C': 1, 'penalty': 'l2'}, "
              "{'penalty': 'l1', 'C': 0.25}]}"));
    cr_assert_eq(c->n_enqueue, 2);
    cr_assert(c->enqueue[0] == 1 && c->enqueue[1] == 1 && c->enqueue[2] == 0.25 &&
              c->enqueue[3] == 0);
    cr_assert_not_null(strstr(c->canonical, "\"enqueue\":[{\"C\":1,\"penalty\":\"l2\"},"
                                            "{\"C\":0.25,\"penalty\":\"l1\"}]"),
                       "%s", c->canonical);
    tune_config_free(c);
}

Test(config, an_enqueued_point_outside_the_space_is_refused)
{
    expect_invalid(STUDY(", " LOG_SPACE ", 'search': {'enqueue': [{'C': 1, 'penalty': 'l2'}, "
                         "{'C': 1000, 'penalty': 'l2'}]}"),
                   ": search.enqueue[1]: C: must be a number in [0.001, 100]");
    expect_invalid(STUDY(", " LOG_SPACE ", 'search': {'enqueue': [{'C': 1, 'penalty': 'none'}]}"),
                   ": search.enqueue[0]: penalty: must be one of: l1, l2");
    expect_invalid(STUDY(", " LOG_SPACE ", 'search': {'enqueue': [{'C': 1}]}"),
                   ": search.enqueue[0]: penalty: missing");
    expect_invalid(STUDY(", " LOG_SPACE ", 'search': {'enqueue': [{'C': 1, 'penalty': 'l1', "
                         "'tol': 0.1}]}"),
                   ": search.enqueue[0]: tol: not a parameter of the space");
    expect_invalid(STUDY(", " LOG_SPACE ", 'search': {'enqueue': [{'C': 1, 'penalty': 'l1'}, "
                         "{'penalty': 'l1', 'C': 1}]}"),
                   ": search.enqueue[1]: the same point as search.enqueue[0]");
    expect_invalid(STUDY(", " LOG_SPACE ", 'search': {'strategy': 'grid', 'enqueue': "
                         "[{'C': 1, 'penalty': 'l1'}]}"),
                   ": search.enqueue: not with the grid strategy");
    expect_invalid(LINEAR_SPACE(PENALTY ", 'l1_ratio': {'type': 'float', 'low': 0, 'high': 1, "
                                        "'when': {'penalty': 'elasticnet'}}}, 'search': {"
                                        "'enqueue': [{'penalty': 'l2', 'l1_ratio': 0.5}]"),
                   ": search.enqueue[0]: l1_ratio: only with penalty elasticnet, not l2");
}

Test(config, warm_start_names_other_studies_for_bayes)
{
    struct tune_study_config *c = parse_ok(
        STUDY(", " LOG_SPACE ", 'search': {'strategy': 'bayes', 'warm_start': ['v1', 'v2']}"));
    cr_assert_eq(c->n_warm_start, 2);
    cr_assert_str_eq(c->warm_start[1], "v2");
    cr_assert_not_null(strstr(c->canonical, "\"warm_start\":[\"v1\",\"v2\"]"), "%s", c->canonical);
    tune_config_free(c);
    expect_invalid(STUDY(", " LOG_SPACE ", 'search': {'warm_start': ['v1']}"),
                   ": search.warm_start: only the bayes strategy uses prior observations "
                   "(strategy is random)");
    expect_invalid(STUDY(", " LOG_SPACE ", 'search': {'strategy': 'bayes', "
                         "'warm_start': ['cfg-test']}"),
                   ": search.warm_start[0]: \"cfg-test\" is this study itself");
    expect_invalid(STUDY(", " LOG_SPACE ", 'search': {'strategy': 'bayes', "
                         "'warm_start': ['v1', 'v1']}"),
                   ": search.warm_start[1]: \"v1\" is already search.warm_start[0]");
}

/* ------------------------------------------------- pruning and stop rules */

Test(config, pruning_names_its_strategy_and_hands_the_rest_to_it)
{
    struct tune_study_config *c = parse_ok(
        STUDY(", 'pruning': {'reduction': 2, 'strategy': 'asha', 'min_steps': 3}"));
    cr_assert_eq(c->pruner, &tune_pruner_asha);
    cr_assert_str_eq(c->pruning_options, "{\"reduction\":2,\"min_steps\":3}");
    cr_assert_eq(c->n_folds, 5);
    /* in the canonical text, in the order the strategy declares its options */
    cr_assert(strstr(c->canonical,
                     ",\"pruning\":{\"strategy\":\"asha\",\"min_steps\":3,\"reduction\":2}}"),
              "%s", c->canonical);
    tune_config_free(c);
    /* none, given or not, leaves the canonical text as it was before pruning */
    c = parse_ok(STUDY(", 'pruning': {'strategy': 'none'}"));
    struct tune_study_config *plain = parse_ok(STUDY(""));
    cr_assert_eq(c->pruner, &tune_pruner_none);
    cr_assert_eq(plain->pruner, &tune_pruner_none);
    cr_assert_str_eq(c->canonical, plain->canonical);
    cr_assert_null(strstr(plain->canonical, "pruning"));
    tune_config_free(c);
    tune_config_free(plain);
    /* folds per trial: holdout and repeats */
    c = parse_ok(STUDY(", 'cv': {'folds': 4, 'repeats': 3}"));
    cr_assert_eq(c->n_folds, 12);
    tune_config_free(c);
    c = parse_ok(STUDY(", 'cv': {'holdout': 0.25}"));
    cr_assert_eq(c->n_folds, 1);
    tune_config_free(c);
}

Test(config, another_pruning_setting_is_another_study)
{
    struct tune_study_config *a = parse_ok(STUDY(", 'pruning': {'strategy': 'median'}"));
    struct tune_study_config *b =
        parse_ok(STUDY(", 'pruning': {'strategy': 'median', 'warmup_steps': 5}"));
    struct tune_study_config *n = parse_ok(STUDY(""));
    cr_assert_str_neq(a->canonical, b->canonical);
    cr_assert_str_neq(a->canonical, n->canonical);
    tune_config_free(a);
    tune_config_free(b);
    tune_config_free(n);
}

Test(config, a_bad_pruning_section_names_the_key)
{
    expect_invalid(STUDY(", 'pruning': 3"), ": pruning: must be an object");
    expect_invalid(STUDY(", 'pruning': {}"), ": pruning.strategy: missing (required string)");
    expect_invalid(STUDY(", 'pruning': {'strategy': 'sha'}"),
                   ": pruning.strategy: unknown strategy \"sha\" (available: none, median, "
                   "percentile, asha, hyperband, folds)");
    expect_invalid(STUDY(", 'pruning': {'strategy': 'median', 'strategy': 'asha'}"),
                   ": pruning.strategy: duplicate key");
    expect_invalid(STUDY(", 'pruning': {'strategy': 'median', 'min_step': 2}"),
                   ": pruning.min_step: unknown key (expected one of: strategy, "
                   "startup_trials, warmup_steps, interval_steps, direction)");
    expect_invalid(STUDY(", 'pruning': {'strategy': 'hyperband'}"),
                   ": pruning.max_steps: required by hyperband");
    expect_invalid(STUDY(", 'cv': {'holdout': 0.2}, 'pruning': {'strategy': 'folds'}"),
                   ": pruning.strategy: folds compares trials fold by fold and needs "
                   "cross-validation with at least 3 folds (trials here run 1)");
}

Test(config, a_batch_is_for_bayes_and_part_of_the_study_identity)
{
    struct tune_study_config *c =
        parse_ok(STUDY(", 'search': {'strategy': 'bayes', 'batch': 3, 'xi': 0.02}"));
    struct tune_study_config *none = parse_ok(STUDY(", 'search': {'strategy': 'bayes', "
                                                    "'xi': 0.02}"));
    cr_assert_eq(c->batch, 3);
    cr_assert_eq(none->batch, 0);
    cr_assert_str_eq(c->search_options, "{\"xi\":0.02}", "no searcher sees it");
    cr_assert_not_null(strstr(c->canonical, "\"batch\":3"), "%s", c->canonical);
    cr_assert_null(strstr(none->canonical, "batch"), "stored studies keep their text");
    tune_config_free(c);
    tune_config_free(none);
    expect_invalid(STUDY(", 'search': {'strategy': 'bayes', 'batch': 0}"),
                   ": search.batch: must be an integer in [1, 1024], got 0");
    expect_invalid(STUDY(", 'search': {'strategy': 'bayes', 'batch': 1.5}"),
                   ": search.batch: must be an integer in [1, 1024], got 1.5");
    expect_invalid(STUDY(", 'search': {'strategy': 'random', 'batch': 2}"),
                   ": search.batch: only for a strategy that learns from the finished trials "
                   "(bayes); random's points follow from the seed alone, whatever the workers");
}

Test(config, stop_rules_are_search_keys_no_searcher_sees)
{
    struct tune_study_config *c = parse_ok(
        STUDY(", 'search': {'strategy': 'bayes', 'max_seconds': 90.5, 'target': 0.975, "
              "'patience': 12, 'xi': 0.02}"));
    cr_assert_eq(c->max_seconds, 90.5);
    cr_assert_eq(c->target_given, 1);
    cr_assert_eq(c->target_value, 0.975);
    cr_assert_eq(c->patience, 12);
    cr_assert_str_eq(c->search_options, "{\"xi\":0.02}");
    struct tune_study_config *same = parse_ok(STUDY(", 'search': {'strategy': 'bayes', "
                                                    "'xi': 0.02}"));
    cr_assert_str_eq(c->canonical, same->canonical, "stop rules are not the study's identity");
    cr_assert_eq(same->target_given, 0);
    cr_assert_eq(same->max_seconds, 0);
    cr_assert_eq(same->patience, 0);
    tune_config_free(c);
    tune_config_free(same);
    expect_invalid(STUDY(", 'search': {'max_seconds': 0}"),
                   ": search.max_seconds: must be a number of seconds > 0, got 0");
    expect_invalid(STUDY(", 'search': {'target': 'high'}"), ": search.target: must be a number");
    expect_invalid(STUDY(", 'search': {'patience': 0}"),
                   ": search.patience: must be an integer in [1, 1000000000], got 0");
}
