/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_examples.c — the example external trainers (examples/trainers) and the
 * protocol-level test trainers (tests/programs/trainer_*.c) speak the
 * external-trainer protocol: run through the process runner with the
 * TUNEFOLD_* variables set by hand, they give known answers.  (The study
 * integration is tested with the external trainer itself; this keeps the
 * examples users copy from rotting.)  The Python example needs scikit-learn
 * and is not run here. */
#include "testutil.h"
#include "src/process.h"

#include <cJSON.h>
#include <sys/stat.h>

static void watchdog(void)
{
    alarm(120);
}

TestSuite(examples, .init = watchdog);

/* The last stdout line that parses as a JSON object with a numeric
 * "objective" — the score-mode rule. */
struct objective {
    int found;
    double value;
    size_t steps;
    double last_step_value;
};

static int find_objective(void *arg, const char *line, size_t len)
{
    (void)len;
    struct objective *o = arg;
    cJSON *j = cJSON_Parse(line);
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        return 0;
    }
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "objective");
    const cJSON *step = cJSON_GetObjectItemCaseSensitive(j, "step");
    if (cJSON_IsNumber(v)) {
        o->found = 1;
        o->value = v->valuedouble;
    } else if (cJSON_IsNumber(step)) {
        o->steps++;
        o->last_step_value = cJSON_GetObjectItemCaseSensitive(j, "value")->valuedouble;
    }
    cJSON_Delete(j);
    return 0;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot read %s", path);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

Test(examples, branin_sh_finds_the_known_minimum_value_at_each_minimiser)
{
    const double xs[3][2] = {{-3.141592653589793, 12.275}, {3.141592653589793, 2.275},
                             {9.42477796076938, 2.475}};
    for (int i = 0; i < 3; i++) {
        char a1[64], a2[64];
        snprintf(a1, sizeof a1, "--x1=%.17g", xs[i][0]);
        snprintf(a2, sizeof a2, "--x2=%.17g", xs[i][1]);
        const char *argv[] = {"examples/trainers/branin.sh", a1, a2, "--unused=7", NULL};
        struct objective o = {0};
        struct tune_proc_spec spec = {
            .argv = argv, .timeout = 20, .on_line = find_objective, .arg = &o};
        struct tune_proc_result r;
        struct tune_error err = {0};
        cr_assert_eq(tune_proc_run(&spec, &r, &err), TUNE_OK, "%s", err.msg);
        cr_assert(tune_proc_succeeded(&r), "%s", r.stderr_tail);
        cr_assert(o.found, "no objective line in: %s", r.stdout_tail);
        assert_close(o.value, 0.397887357729738, 1e-12);
        tune_proc_result_release(&r);
    }
    /* Branin(-5, 0) = 308.129096... */
    const char *argv[] = {"examples/trainers/branin.sh", "--x1=-5", "--x2=0", NULL};
    struct objective o = {0};
    struct tune_proc_spec spec = {.argv = argv, .timeout = 20, .on_line = find_objective, .arg = &o};
    struct tune_proc_result r;
    struct tune_error err = {0};
    cr_assert_eq(tune_proc_run(&spec, &r, &err), TUNE_OK, "%s", err.msg);
    assert_close(o.value, 308.12909601160663, 1e-12);
    tune_proc_result_release(&r);
}

Test(examples, branin_sh_refuses_a_value_that_is_not_a_number)
{
    const char *argv[] = {"examples/trainers/branin.sh", "--x1=1;touch pwned", "--x2=2", NULL};
    struct objective o = {0};
    struct tune_proc_spec spec = {.argv = argv, .timeout = 20, .on_line = find_objective, .arg = &o};
    struct tune_proc_result r;
    struct tune_error err = {0};
    cr_assert_eq(tune_proc_run(&spec, &r, &err), TUNE_OK, "%s", err.msg);
    cr_assert(r.exited);
    cr_assert_eq(r.exit_code, 2);
    cr_assert(!o.found);
    cr_assert_not_null(strstr(r.stderr_tail, "must be numbers"), "%s", r.stderr_tail);
    struct stat st;
    cr_assert_neq(stat("pwned", &st), 0);
    tune_proc_result_release(&r);
}

/* Six training points on a line, two classes; three validation points. */
static const char knn_train[] = "x,target\n0,a\n1,a\n2,a\n10,b\n11,b\n12,b\n";
static const char knn_valid[] = "x\n0.5\n11.5\n6.1\n";

static int run_knn(const char *prog, const char *dir, const char *task, const char *const *env_extra,
                   struct tune_proc_result *r)
{
    char *train = tu_write(dir, "train.csv", knn_train);
    char *valid = tu_write(dir, "valid.csv", knn_valid);
    char e_train[600], e_valid[600], e_pred[600], e_task[64];
    snprintf(e_train, sizeof e_train, "TUNEFOLD_TRAIN=%s", train);
    snprintf(e_valid, sizeof e_valid, "TUNEFOLD_VALID=%s", valid);
    snprintf(e_pred, sizeof e_pred, "TUNEFOLD_PREDICTIONS=%s/pred.csv", dir);
    snprintf(e_task, sizeof e_task, "TUNEFOLD_TASK=%s", task);
    const char *env[12] = {e_train, e_valid, e_pred, e_task, "TUNEFOLD_CLASSES"};
    size_t n = 5;
    for (size_t i = 0; env_extra && env_extra[i] && n < 11; i++)
        env[n++] = env_extra[i];
    env[n] = NULL;
    const char *argv[] = {prog, NULL};
    struct tune_proc_spec spec = {.argv = argv, .env_add = env, .timeout = 20};
    struct tune_error err = {0};
    int rc = tune_proc_run(&spec, r, &err);
    cr_assert_eq(rc, TUNE_OK, "%s", err.msg);
    free(train);
    free(valid);
    return rc;
}

Test(examples, knn_c_votes_among_the_k_nearest_training_rows)
{
    char *dir = tu_tmpdir();
    char *prog = tu_program("knn", dir);
    struct tune_proc_result r;
    char pred[600];
    snprintf(pred, sizeof pred, "%s/pred.csv", dir);

    /* k = 3, uniform: 0.5 sees a,a,a; 11.5 sees b,b,b; 6.1 sees 10, 2, 11 */
    const char *k3[] = {"TUNEFOLD_P_K=3", "TUNEFOLD_P_WEIGHTS=uniform", NULL};
    run_knn(prog, dir, "binary", k3, &r);
    cr_assert(tune_proc_succeeded(&r), "%s", r.stderr_tail);
    cr_assert_str_eq(slurp(pred), "score,label\n"
                                  "0,a\n"
                                  "1,b\n"
                                  "0.66666666666666663,b\n");
    tune_proc_result_release(&r);

    /* the same as multiclass, with the classes given in tunefold's order */
    const char *k3m[] = {"TUNEFOLD_P_K=3", "TUNEFOLD_CLASSES=a,b", NULL};
    run_knn(prog, dir, "multiclass", k3m, &r);
    cr_assert(tune_proc_succeeded(&r), "%s", r.stderr_tail);
    cr_assert_str_eq(slurp(pred), "proba_a,proba_b,label\n"
                                  "1,0,a\n"
                                  "0,1,b\n"
                                  "0.33333333333333331,0.66666666666666663,b\n");
    tune_proc_result_release(&r);

    /* a bad parameter is a failed run with a one-line reason */
    const char *bad[] = {"TUNEFOLD_P_WEIGHTS=heavy", NULL};
    run_knn(prog, dir, "binary", bad, &r);
    cr_assert(r.exited && r.exit_code == 1);
    cr_assert_str_eq(r.stderr_tail, "knn: TUNEFOLD_P_WEIGHTS must be uniform or distance, got "
                                    "'heavy'\n");
    tune_proc_result_release(&r);

    unlink(pred);
    unlink(prog);
    free(prog);
    char path[600];
    snprintf(path, sizeof path, "%s/train.csv", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/valid.csv", dir);
    unlink(path);
    rmdir(dir);
    free(dir);
}

Test(examples, knn_c_regression_weights_neighbours_by_inverse_distance)
{
    char *dir = tu_tmpdir();
    char *prog = tu_program("knn", dir);
    char *train = tu_write(dir, "train.csv", "x,y\n0,1\n1,3\n4,11\n");
    char *valid = tu_write(dir, "valid.csv", "x\n0.5\n1\n");
    char e_train[600], e_valid[600], e_pred[700], pred[600];
    snprintf(e_train, sizeof e_train, "TUNEFOLD_TRAIN=%s", train);
    snprintf(e_valid, sizeof e_valid, "TUNEFOLD_VALID=%s", valid);
    snprintf(pred, sizeof pred, "%s/pred.csv", dir);
    snprintf(e_pred, sizeof e_pred, "TUNEFOLD_PREDICTIONS=%s", pred);
    const char *env[] = {e_train, e_valid, e_pred, "TUNEFOLD_TASK=regression",
                         "TUNEFOLD_P_K=2", "TUNEFOLD_P_WEIGHTS=distance", "TUNEFOLD_P_P=1", NULL};
    const char *argv[] = {prog, NULL};
    struct tune_proc_spec spec = {.argv = argv, .env_add = env, .timeout = 20};
    struct tune_proc_result r;
    struct tune_error err = {0};
    cr_assert_eq(tune_proc_run(&spec, &r, &err), TUNE_OK, "%s", err.msg);
    cr_assert(tune_proc_succeeded(&r), "%s", r.stderr_tail);
    /* 0.5 is equidistant from 0 and 1: (1 + 3) / 2; 1 is an exact match: 3 */
    double a, b;
    cr_assert_eq(sscanf(slurp(pred), "prediction\n%lf\n%lf\n", &a, &b), 2);
    assert_close(a, 2, 1e-15);
    assert_close(b, 3, 1e-15);
    tune_proc_result_release(&r);
    unlink(pred);
    unlink(train);
    unlink(valid);
    unlink(prog);
    free(train);
    free(valid);
    free(prog);
    rmdir(dir);
    free(dir);
}

Test(examples, the_test_trainers_answer_and_misbehave_on_demand)
{
    char *dir = tu_tmpdir();
    char *score = tu_program("trainer_score", dir);
    struct objective o = {0};
    const char *argv[] = {score, "--x=1.5", "--y=-0.5", NULL};
    struct tune_proc_spec spec = {.argv = argv, .timeout = 20, .on_line = find_objective, .arg = &o};
    struct tune_proc_result r;
    struct tune_error err = {0};
    cr_assert_eq(tune_proc_run(&spec, &r, &err), TUNE_OK, "%s", err.msg);
    cr_assert(o.found);
    assert_close(o.value, 0.25, 1e-15);
    cr_assert_eq(o.steps, 5);
    assert_close(o.last_step_value, 0.25 * (1 + 1.0 / 41), 1e-15);
    tune_proc_result_release(&r);

    /* parameters from the environment; the last objective line counts */
    const char *env[] = {"TUNEFOLD_P_X=2.385", "TUNEFOLD_P_Y=1", "TUNEFOLD_P_FAULT=twice", NULL};
    const char *bare[] = {score, NULL};
    spec.argv = bare;
    spec.env_add = env;
    o = (struct objective){0};
    cr_assert_eq(tune_proc_run(&spec, &r, &err), TUNE_OK, "%s", err.msg);
    assert_close(o.value, 0.885 * 0.885 + 1.5 * 1.5 + 0.25, 1e-15);
    tune_proc_result_release(&r);

    const char *none[] = {score, "--x=1", "--y=1", "--fault=none_line", NULL};
    spec.argv = none;
    spec.env_add = NULL;
    o = (struct objective){0};
    cr_assert_eq(tune_proc_run(&spec, &r, &err), TUNE_OK, "%s", err.msg);
    cr_assert(tune_proc_succeeded(&r) && !o.found);
    tune_proc_result_release(&r);

    const char *crash[] = {score, "--x=1", "--y=1", "--fault=segv", NULL};
    spec.argv = crash;
    cr_assert_eq(tune_proc_run(&spec, &r, &err), TUNE_OK, "%s", err.msg);
    cr_assert(r.signaled);
    cr_assert_eq(r.term_signal, SIGSEGV);
    tune_proc_result_release(&r);

    /* the predict-mode trainer writes one row per validation row, or one
     * too few on demand */
    char *predict = tu_program("trainer_predict", dir);
    char pred[600];
    snprintf(pred, sizeof pred, "%s/pred.csv", dir);
    run_knn(predict, dir, "binary", NULL, &r);
    cr_assert(tune_proc_succeeded(&r), "%s", r.stderr_tail);
    const char *text = slurp(pred);
    size_t lines = 0;
    for (const char *p = text; *p; p++)
        lines += *p == '\n';
    cr_assert_eq(lines, 4, "header + 3 rows:\n%s", text);
    cr_assert_eq(strncmp(text, "score,label\n", 12), 0);
    cr_assert_eq(r.stdout_lines, 3, "three intermediate lines");
    tune_proc_result_release(&r);
    const char *short_env[] = {"TUNEFOLD_P_FAULT=short", NULL};
    run_knn(predict, dir, "binary", short_env, &r);
    text = slurp(pred);
    lines = 0;
    for (const char *p = text; *p; p++)
        lines += *p == '\n';
    cr_assert_eq(lines, 3, "header + 2 rows:\n%s", text);
    tune_proc_result_release(&r);

    char path[600];
    const char *files[] = {"pred.csv", "train.csv", "valid.csv", NULL};
    for (int i = 0; files[i]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    unlink(score);
    unlink(predict);
    free(score);
    free(predict);
    rmdir(dir);
    free(dir);
}
