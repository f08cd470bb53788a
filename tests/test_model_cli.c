/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_model_cli.c — `tunefold fit`, `tunefold model` and `tunefold predict`
 * as a user runs them (black box: command line in, output and exit status
 * out): tune -> fit -> predict -> score; every bad-input case is exit 2 with
 * one line naming it; external programs that save a model take part, and
 * one that does not is told so; the C example (examples/predict) builds
 * against the library and predicts what the CLI predicts. */
#include "testutil.h"

#ifndef TU_LDLIBS /* the link flags of the library, from the Makefile */
#define TU_LDLIBS "-lgsl -lnlopt -lsqlite3 -lcjson -lm -lpthread"
#endif

#include <cJSON.h>
#include <sys/stat.h>

TestSuite(model_cli, .init = tu_watchdog);

struct env {
    char *dir;
    char db[600], study[600], model[600];
};

static char *sh(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* The command line, formatted (malloc'ed). */
static char *sh(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = malloc(8192);
    vsnprintf(s, 8192, fmt, ap);
    va_end(ap);
    return s;
}

/* tu_run on a compound command: its output redirected as a whole. */
static int run(const char *cmd, char **out, char **err)
{
    char *full = sh("( %s )", cmd);
    int rc = tu_run(full, out, err);
    free(full);
    return rc;
}

/* A study of breast_cancer with forest (fast, exact) and a model of its best
 * trial. */
static void setup(struct env *e, int with_model)
{
    e->dir = tu_tmpdir();
    snprintf(e->db, sizeof e->db, "%s/t.db", e->dir);
    snprintf(e->model, sizeof e->model, "%s/m.tfm", e->dir);
    char json[2048];
    char *cwd = getcwd(NULL, 0);
    snprintf(json, sizeof json,
             "{\"name\": \"bc-forest\", \"data\": {\"path\": \"%s/data/breast_cancer.csv\"},\n"
             " \"task\": \"binary\",\n"
             " \"trainer\": {\"name\": \"forest\", \"params\": {\"n_estimators\": 15}},\n"
             " \"space\": {\"max_depth\": {\"type\": \"int\", \"low\": 2, \"high\": 8}},\n"
             " \"search\": {\"strategy\": \"random\", \"trials\": 3, \"seed\": 3},\n"
             " \"cv\": {\"folds\": 3}, \"objective\": {\"metric\": \"roc_auc\"},\n"
             " \"storage\": \"%s\"}\n",
             cwd, e->db);
    free(cwd);
    char *p = tu_write(e->dir, "study.json", json);
    snprintf(e->study, sizeof e->study, "%s", p);
    free(p);
    char *cmd = sh("%s run %s --quiet", tu_bin(), e->study), *err = NULL;
    cr_assert_eq(run(cmd, NULL, &err), 0, "%s", err);
    free(cmd);
    free(err);
    if (!with_model)
        return;
    cmd = sh("%s fit %s --out %s", tu_bin(), e->study, e->model);
    cr_assert_eq(run(cmd, NULL, &err), 0, "%s", err);
    free(cmd);
    free(err);
}

static void teardown(struct env *e)
{
    char *cmd = sh("rm -rf '%s'", e->dir);
    cr_assert_eq(system(cmd), 0);
    free(cmd);
    free(e->dir);
}

/* Run and expect exit 2 with one line on stderr holding `want`. */
static void expect_usage(const char *cmd, const char *want)
{
    char *out = NULL, *err = NULL;
    int rc = run(cmd, &out, &err);
    cr_assert_eq(rc, 2, "%s: exit %d, stderr %s", cmd, rc, err);
    cr_assert(strstr(err, want) != NULL, "%s: stderr '%s' lacks '%s'", cmd, err, want);
    size_t lines = 0;
    for (const char *c = err; *c; c++)
        lines += *c == '\n';
    cr_assert_eq(lines, 1, "one line expected: %s", err);
    free(out);
    free(err);
}

Test(model_cli, tune_fit_predict_score_round_trip)
{
    struct env e;
    setup(&e, 0);
    char *out = NULL, *err = NULL;
    char *cmd = sh("%s fit %s --out %s", tu_bin(), e.study, e.model);
    cr_assert_eq(run(cmd, &out, &err), 0, "%s", err);
    cr_assert(strstr(out, "fitted trial ") == out, "%s", out);
    cr_assert(strstr(out, "of study 'bc-forest' (forest, binary) on 569 rows, 30 columns in ") !=
              NULL, "%s", out);
    cr_assert(strstr(out, "cross-validated scores the model comes with (3 folds, mean ± std):\n"
                          "  roc_auc ") != NULL, "%s", out);
    cr_assert(strstr(out, "(objective, maximize)") != NULL, "%s", out);
    cr_assert(strstr(out, "wrote ") != NULL, "%s", out);
    free(cmd);
    free(out);
    free(err);

    /* the model tells where it came from: the best trial's number and value */
    char *best = NULL;
    cmd = sh("%s best --db %s --format json", tu_bin(), e.db);
    cr_assert_eq(run(cmd, &best, NULL), 0);
    free(cmd);
    cmd = sh("%s model %s --format json", tu_bin(), e.model);
    cr_assert_eq(run(cmd, &out, &err), 0, "%s", err);
    cJSON *b = cJSON_Parse(best), *m = cJSON_Parse(out);
    cr_assert_not_null(m, "%s", out);
    cr_assert_eq(cJSON_GetObjectItem(m, "trial")->valueint,
                 cJSON_GetObjectItem(b, "trial")->valueint);
    cr_assert_eq(cJSON_GetObjectItem(m, "value")->valuedouble,
                 cJSON_GetObjectItem(b, "value")->valuedouble);
    cr_assert_str_eq(cJSON_GetObjectItem(m, "trainer")->valuestring, "forest");
    cr_assert_str_eq(cJSON_GetObjectItem(m, "task")->valuestring, "binary");
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(m, "inputs")), 30);
    cr_assert_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(m, "data"), "rows")->valueint, 569);
    cr_assert_eq(strlen(cJSON_GetObjectItem(cJSON_GetObjectItem(m, "data"), "sha256")
                            ->valuestring), 64);
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(m, "params"), "n_estimators")
                         ->valuestring, "15");
    cJSON_Delete(b);
    cJSON_Delete(m);
    free(best);
    free(cmd);
    free(out);
    free(err);
    cmd = sh("%s model %s", tu_bin(), e.model);
    cr_assert_eq(run(cmd, &out, NULL), 0);
    cr_assert(strstr(out, ": a tunefold model (format 1, written by tunefold ") != NULL, "%s",
              out);
    cr_assert(strstr(out, "  trainer     forest\n") != NULL, "%s", out);
    cr_assert(strstr(out, "  from        study 'bc-forest', trial ") != NULL, "%s", out);
    free(cmd);
    free(out);

    /* predict, then score against the truth */
    cmd = sh("%s predict %s --data data/breast_cancer.csv --out %s/p.csv", tu_bin(), e.model,
             e.dir);
    cr_assert_eq(run(cmd, &out, &err), 0, "%s", err);
    cr_assert(strstr(err, "569 rows predicted in ") != NULL, "%s", err);
    free(cmd);
    free(out);
    free(err);
    char *pred = tu_read(e.dir, "p.csv");
    cr_assert(strncmp(pred, "label,score\n", 12) == 0, "%.100s", pred);
    free(pred);
    cmd = sh("cut -d, -f31 data/breast_cancer.csv > %s/truth.csv && %s score --truth "
             "%s/truth.csv --pred %s/p.csv --format json",
             e.dir, tu_bin(), e.dir, e.dir);
    cr_assert_eq(run(cmd, &out, &err), 0, "%s", err);
    cJSON *s = cJSON_Parse(out);
    cr_assert_not_null(s, "%s", out);
    cr_assert_eq(cJSON_GetObjectItem(s, "n")->valueint, 569);
    cr_assert_gt(cJSON_GetObjectItem(s, "roc_auc")->valuedouble, 0.98);
    cJSON_Delete(s);
    free(cmd);
    free(out);
    free(err);
    teardown(&e);
}

Test(model_cli, fit_refits_a_chosen_trial_and_the_same_trial_gives_the_same_predictions)
{
    struct env e;
    setup(&e, 0);
    char *a = NULL, *b = NULL;
    for (int k = 0; k < 2; k++) {
        char *cmd = sh("%s fit %s --trial 2 --threads %d --out %s/m%d.tfm && %s predict "
                       "%s/m%d.tfm --data data/breast_cancer.csv",
                       tu_bin(), e.study, k + 1, e.dir, k, tu_bin(), e.dir, k);
        cr_assert_eq(run(cmd, k ? &b : &a, NULL), 0);
        free(cmd);
    }
    cr_assert(strstr(a, "fitted trial 2 of study") == a, "%.80s", a);
    /* refitting is deterministic, whatever the threads */
    cr_assert_str_eq(strchr(a, '\n') ? strstr(a, "label,score") : a,
                     strstr(b, "label,score"));
    free(a);
    free(b);
    teardown(&e);
}

Test(model_cli, fit_says_what_is_wrong_with_one_line_and_exit_2)
{
    struct env e;
    setup(&e, 0);
    char *cmd;
    cmd = sh("%s fit %s", tu_bin(), e.study);
    expect_usage(cmd, "needs --out FILE");
    free(cmd);
    cmd = sh("%s fit %s --out %s --db %s/none.db", tu_bin(), e.study, e.model, e.dir);
    expect_usage(cmd, "no database");
    free(cmd);
    cmd = sh("%s fit %s --out %s --name other", tu_bin(), e.study, e.model);
    expect_usage(cmd, "no study 'other' in ");
    free(cmd);
    cmd = sh("%s fit %s --out %s --trial 99", tu_bin(), e.study, e.model);
    expect_usage(cmd, "study 'bc-forest' has no trial 99");
    free(cmd);
    /* the study file changed since the study ran */
    cmd = sh("sed -i 's/\"folds\": 3/\"folds\": 4/' %s && %s fit %s --out %s", e.study,
             tu_bin(), e.study, e.model);
    expect_usage(cmd, "ran with another configuration than");
    free(cmd);
    struct stat st;
    cr_assert_neq(stat(e.model, &st), 0, "no model file is written");
    teardown(&e);
}

Test(model_cli, predict_names_every_bad_input_with_exit_2)
{
    struct env e;
    setup(&e, 1);
    char *cmd;
    /* a missing column */
    cmd = sh("cut -d, -f2- data/breast_cancer.csv > %s/nocol.csv && %s predict %s --data "
             "%s/nocol.csv",
             e.dir, tu_bin(), e.model, e.dir);
    expect_usage(cmd, "nocol.csv:1: no column 'mean_radius', which the model needs");
    free(cmd);
    /* text in a numeric column, line 4, column 3 */
    cmd = sh("sed '4s/^\\([^,]*\\),\\([^,]*\\),[^,]*,/\\1,\\2,many,/' data/breast_cancer.csv > "
             "%s/text.csv && %s predict %s --data %s/text.csv",
             e.dir, tu_bin(), e.model, e.dir);
    expect_usage(cmd, "text.csv:4:3: column 'mean_perimeter' holds the text 'many', but the "
                      "model was trained on numbers there");
    free(cmd);
    /* a ragged row */
    cmd = sh("sed '7s/$/,9/' data/breast_cancer.csv > %s/rag.csv && %s predict %s --data "
             "%s/rag.csv",
             e.dir, tu_bin(), e.model, e.dir);
    expect_usage(cmd, "rag.csv:7: 32 fields, the header has 31");
    free(cmd);
    /* a damaged model, a truncated one, one from a newer tunefold */
    cmd = sh("cp %s %s/bad.tfm && printf x | dd of=%s/bad.tfm bs=1 seek=500 conv=notrunc "
             "2>/dev/null && %s predict %s/bad.tfm --data data/breast_cancer.csv",
             e.model, e.dir, e.dir, tu_bin(), e.dir);
    expect_usage(cmd, "bad.tfm: checksum mismatch");
    free(cmd);
    cmd = sh("head -c 1000 %s > %s/short.tfm && %s predict %s/short.tfm --data "
             "data/breast_cancer.csv",
             e.model, e.dir, tu_bin(), e.dir);
    expect_usage(cmd, "short.tfm: truncated: the header promises");
    free(cmd);
    cmd = sh("cp %s %s/new.tfm && printf '\\007' | dd of=%s/new.tfm bs=1 seek=8 conv=notrunc "
             "2>/dev/null && %s model %s/new.tfm",
             e.model, e.dir, e.dir, tu_bin(), e.dir);
    expect_usage(cmd, "model file format 7 is newer than this tunefold");
    free(cmd);
    cmd = sh("%s predict %s --data data/breast_cancer.csv --out %s/p.csv --data %s/none.csv",
             tu_bin(), e.model, e.dir, e.dir);
    expect_usage(cmd, "--data: cannot read");
    free(cmd);
    cmd = sh("%s predict %s --data data/breast_cancer.csv --unseen maybe", tu_bin(), e.model);
    expect_usage(cmd, "--unseen: expected error or zero");
    free(cmd);
    /* a failed predict leaves no output file behind */
    cmd = sh("%s predict %s --data %s/rag.csv --out %s/never.csv", tu_bin(), e.model, e.dir,
             e.dir);
    expect_usage(cmd, "rag.csv:7:");
    free(cmd);
    struct stat st;
    char path[700];
    snprintf(path, sizeof path, "%s/never.csv", e.dir);
    cr_assert_neq(stat(path, &st), 0);
    teardown(&e);
}

/* A text column: unseen categories are an error, or zeros with a note. */
Test(model_cli, an_unseen_category_is_an_error_or_a_note_with_unseen_zero)
{
    char *dir = tu_tmpdir();
    char *data = tu_write(dir, "d.csv",
                          "x,kind,y\n1,a,0\n2,b,1\n3,a,0\n4,b,1\n5,a,0\n6,b,1\n7,a,1\n8,b,0\n"
                          "9,a,0\n10,b,1\n11,a,0\n12,b,1\n");
    char json[1024];
    snprintf(json, sizeof json,
             "{\"name\": \"k\", \"data\": {\"path\": \"d.csv\", \"target\": \"y\"},"
             " \"task\": \"binary\", \"trainer\": {\"name\": \"tree\"},"
             " \"space\": {\"max_depth\": {\"type\": \"int\", \"low\": 1, \"high\": 3}},"
             " \"search\": {\"strategy\": \"random\", \"trials\": 2}, \"cv\": {\"folds\": 2},"
             " \"storage\": \"%s/k.db\"}",
             dir);
    char *study = tu_write(dir, "k.json", json);
    char *newdata = tu_write(dir, "new.csv", "x,kind\n1,a\n2,c\n3,b\n");
    char *cmd = sh("%s run %s --quiet && %s fit %s --out %s/k.tfm", tu_bin(), study, tu_bin(),
                   study, dir);
    cr_assert_eq(run(cmd, NULL, NULL), 0);
    free(cmd);
    cmd = sh("%s predict %s/k.tfm --data %s", tu_bin(), dir, newdata);
    expect_usage(cmd, "new.csv:3:2: column 'kind': category 'c' was never seen in training "
                      "(--unseen zero encodes it as all zeros)");
    free(cmd);
    char *out = NULL, *err = NULL;
    cmd = sh("%s predict %s/k.tfm --data %s --unseen zero --keep kind,x", tu_bin(), dir,
             newdata);
    cr_assert_eq(run(cmd, &out, &err), 0, "%s", err);
    cr_assert_str_eq(err, "tunefold predict: note: 1 cell held a category unseen in training "
                          "(first: line 3, column 'kind': 'c'), encoded as all zeros\n");
    cr_assert(strncmp(out, "kind,x,label,score\na,1,", 23) == 0, "%s", out);
    cr_assert(strstr(out, "\nc,2,") != NULL, "%s", out);
    free(cmd);
    free(out);
    free(err);
    cmd = sh("rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    free(cmd);
    free(data);
    free(study);
    free(newdata);
    free(dir);
}

Test(model_cli, every_command_has_help_that_shows_its_options)
{
    const char *cmds[][3] = {{"fit", "--trial N", "--out FILE"},
                             {"predict", "--keep COLS", "--unseen M"},
                             {"model", "--format F", "checked"}};
    for (size_t i = 0; i < 3; i++) {
        char *out = NULL, *cmd = sh("%s %s --help", tu_bin(), cmds[i][0]);
        cr_assert_eq(run(cmd, &out, NULL), 0);
        cr_assert(strstr(out, cmds[i][1]) && strstr(out, cmds[i][2]), "%s", out);
        free(out);
        free(cmd);
    }
}

/* ---- external programs ----------------------------------------------------------- */

static char *compile(const char *src, const char *dir, const char *name)
{
    char *path = sh("%s/%s", dir, name), *err = NULL;
    char *cmd = sh("cc -std=c11 -Wall -Wextra -Werror -O1 -o '%s' %s -lm", path, src);
    cr_assert_eq(run(cmd, NULL, &err), 0, "cannot compile %s: %s", src, err);
    free(cmd);
    free(err);
    return path;
}

static char *external_study(const char *dir, const char *prog, const char *name)
{
    char json[2048], *cwd = getcwd(NULL, 0);
    snprintf(json, sizeof json,
             "{\"name\": \"%s\", \"data\": {\"path\": \"%s/data/wine.csv\"},"
             " \"task\": \"multiclass\","
             " \"trainer\": {\"exec\": [\"%s\"], \"params_as\": \"env\"},"
             " \"space\": {\"k\": {\"type\": \"int\", \"low\": 3, \"high\": 9}},"
             " \"search\": {\"strategy\": \"random\", \"trials\": 2, \"seed\": 1},"
             " \"cv\": {\"folds\": 3}, \"objective\": {\"metric\": \"accuracy\"},"
             " \"storage\": \"%s/x.db\"}",
             name, cwd, prog, dir);
    free(cwd);
    char file[64];
    snprintf(file, sizeof file, "%s.json", name);
    return tu_write(dir, file, json);
}

Test(model_cli, an_external_program_that_saves_its_model_is_fitted_and_predicts_when_allowed)
{
    char *dir = tu_tmpdir();
    char *knn = compile("examples/trainers/knn.c", dir, "knn");
    char *study = external_study(dir, knn, "wine-knn");
    char *out = NULL, *err = NULL;
    char *cmd = sh("%s run %s --quiet && %s fit %s --out %s/knn.tfm", tu_bin(), study, tu_bin(),
                   study, dir);
    cr_assert_eq(run(cmd, &out, &err), 0, "%s", err);
    cr_assert(strstr(out, "(external, multiclass) on 178 rows") != NULL, "%s", out);
    free(cmd);
    free(out);
    free(err);
    cmd = sh("%s model %s/knn.tfm", tu_bin(), dir);
    cr_assert_eq(run(cmd, &out, NULL), 0);
    cr_assert(strstr(out, "  trainer     external: ") != NULL, "%s", out);
    free(out);
    free(cmd);
    /* a model file must not run a program unasked */
    cmd = sh("%s predict %s/knn.tfm --data data/wine.csv", tu_bin(), dir);
    expect_usage(cmd, "predicts by running a program");
    free(cmd);
    cmd = sh("%s predict %s/knn.tfm --data data/wine.csv --allow-exec --out %s/p.csv && cut "
             "-d, -f14 data/wine.csv > %s/truth.csv && %s score --truth %s/truth.csv --pred "
             "%s/p.csv --format json",
             tu_bin(), dir, dir, dir, tu_bin(), dir, dir);
    cr_assert_eq(run(cmd, &out, &err), 0, "%s", err);
    cJSON *s = cJSON_Parse(out);
    cr_assert_not_null(s, "%s", out);
    cr_assert_eq(cJSON_GetObjectItem(s, "n")->valueint, 178);
    cr_assert_gt(cJSON_GetObjectItem(s, "accuracy")->valuedouble, 0.9);
    cJSON_Delete(s);
    free(cmd);
    free(out);
    free(err);
    cmd = sh("rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    free(cmd);
    free(knn);
    free(study);
    free(dir);
}

Test(model_cli, an_external_program_that_saves_nothing_cannot_be_fitted)
{
    char *dir = tu_tmpdir();
    char *prog = compile("tests/programs/trainer_predict.c", dir, "trainer_predict");
    char *study = external_study(dir, prog, "wine-centroid");
    char *cmd = sh("%s run %s --quiet", tu_bin(), study);
    cr_assert_eq(run(cmd, NULL, NULL), 0);
    free(cmd);
    cmd = sh("%s fit %s --out %s/c.tfm", tu_bin(), study, dir);
    expect_usage(cmd, "saved no model in TUNEFOLD_MODEL_DIR, so it cannot predict later");
    free(cmd);
    cmd = sh("rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    free(cmd);
    free(prog);
    free(study);
    free(dir);
}

/* ---- prediction from C --------------------------------------------------------- */

Test(model_cli, the_c_example_builds_against_the_library_and_predicts_what_the_cli_predicts)
{
    struct env e;
    setup(&e, 1);
    /* the installed library: the public headers and the static library of
     * this build (the sanitizer build's when testing under it) */
    const char *bin = tu_bin();
    int asan = strstr(bin, "build-asan") != NULL;
    const char *lib = asan ? "build-asan/libtunefold.a" : "lib/libtunefold.a";
    char *inc = sh("%s/include/tunefold", e.dir);
    char *cmd = sh("mkdir -p %s && cp include/tunefold/*.h %s && cc -std=c11 -Wall -Wextra "
                   "-Werror %s -I%s/include -o %s/predict examples/predict/predict.c %s "
                   TU_LDLIBS,
                   inc, inc, asan ? "-fsanitize=address,undefined" : "", e.dir, e.dir, lib);
    char *err = NULL, *out = NULL, *want = NULL;
    cr_assert_eq(run(cmd, NULL, &err), 0, "the example does not build: %s", err);
    free(cmd);
    free(err);
    /* the same rows through the example and through tunefold predict */
    cmd = sh("cut -d, -f1-30 data/breast_cancer.csv | tail -n +2 | %s/predict %s", e.dir,
             e.model);
    cr_assert_eq(run(cmd, &out, &err), 0, "%s", err);
    free(cmd);
    cmd = sh("%s predict %s --data data/breast_cancer.csv | tail -n +2", bin, e.model);
    cr_assert_eq(run(cmd, &want, NULL), 0);
    cr_assert_str_eq(out, want);
    cr_assert_gt(strlen(out), 569 * 4);
    free(cmd);
    free(out);
    free(err);
    free(want);
    free(inc);
    teardown(&e);
}

/* A study run with --seed and --name is found, with its stored seed. */
Test(model_cli, fit_finds_a_study_run_with_another_seed_and_name)
{
    struct env e;
    setup(&e, 0);
    char *out = NULL, *err = NULL;
    char *cmd = sh("%s run %s --seed 9 --name other --quiet && %s fit %s --name other --out %s",
                   tu_bin(), e.study, tu_bin(), e.study, e.model);
    cr_assert_eq(run(cmd, &out, &err), 0, "%s", err);
    cr_assert(strstr(out, "of study 'other' (forest, binary)") != NULL, "%s", out);
    free(cmd);
    free(out);
    free(err);
    teardown(&e);
}
