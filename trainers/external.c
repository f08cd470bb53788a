/* SPDX-License-Identifier: GPL-3.0-or-later */
/* external.c — a trainer that is a program (see tunefold/external.h and the
 * "External trainers" section of README.md).
 *
 * Predict mode, per fold: write TRAIN.csv (features as tunefold sees them
 * after preprocessing, then the target) and VALID.csv (features only) into a
 * fresh work folder, run the program with the protocol's environment, read
 * the predictions file it wrote (tunefold/predictions.h: the format of
 * `tunefold score`), and let the study score them like any model's.  The
 * program runs during fit, on the validation rows the study passes in
 * ctx->x_valid, so that fit_seconds is the program's time; predict returns
 * those predictions (and runs the program again for any other rows).
 *
 * Score mode, per trial: run the program once; its objective is the last
 * stdout line that is a JSON object with a numeric "objective" (or the first
 * group of objective_regex on the last matching line).
 *
 * Either way, stdout lines {"step": N, "value": V} (or intermediate_regex)
 * are intermediate values, and every failure — exit status, signal,
 * timeout, a bad predictions file, no objective — is TUNE_ETRAINER with a
 * one-line reason; the last 4 KiB of stderr go with the trial as an
 * artifact.  No shell is involved anywhere: the runner execs the argument
 * vector, and hyperparameter values are single arguments or variables.
 *
 * Arguments: exec's elements are templates ("-c", "{C}", "--g={gamma}";
 * "{{" and "}}" for braces), checked when the type is made, so a misspelt
 * name is a study-file error.  When any element holds a placeholder the
 * values go there only; otherwise "--name=value" arguments are appended. */
#include "tunefold/external.h"
#include "tunefold/predictions.h"
#include "src/process.h"
#include "tunefold/trainer.h"

#include <cJSON.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The type and its settings in one block: base first, so a type pointer is
 * the block. */
struct ext_type {
    struct tune_trainer_type base;
    struct tune_external ext;
    struct tune_hparam *hparams;
    regex_t objective_re, intermediate_re;
    int has_objective_re, has_intermediate_re;
    int templated;               /* an exec element holds a {name} placeholder */
};

static void strv_free(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

static void ext_release(struct tune_external *e)
{
    strv_free(e->argv);
    free(e->objective_regex);
    free(e->intermediate_regex);
    free(e->cwd);
    free(e->metric_key);
    memset(e, 0, sizeof *e);
}

const struct tune_external *tune_external_of(const struct tune_trainer_type *t)
{
    return t && t->data == t ? &((const struct ext_type *)t)->ext : NULL;
}

/* ---- files and text ---------------------------------------------------------- */

/* A CSV field: quoted when it holds a comma, quote or line break. */
static void put_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void put_name(FILE *f, const struct tune_fit_ctx *ctx, size_t j)
{
    char buf[32];
    if (ctx->feature_names && ctx->feature_names[j]) {
        put_field(f, ctx->feature_names[j]);
        return;
    }
    snprintf(buf, sizeof buf, "x%zu", j);
    fputs(buf, f);
}

/* Features (and the target when y != NULL) as CSV; 0 on I/O failure. */
static int write_csv(const char *path, const struct tune_matrix *x, const double *y,
                     const struct tune_fit_ctx *ctx)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return 0;
    for (size_t j = 0; j < x->n_cols; j++) {
        if (j)
            fputc(',', f);
        put_name(f, ctx, j);
    }
    if (y) {
        fputs(x->n_cols ? "," : "", f);
        put_field(f, ctx->target_name ? ctx->target_name : "target");
    }
    fputc('\n', f);
    int classification = ctx->task == TUNE_TASK_BINARY || ctx->task == TUNE_TASK_MULTICLASS;
    for (size_t i = 0; i < x->n_rows; i++) {
        for (size_t j = 0; j < x->n_cols; j++)
            fprintf(f, j ? ",%.17g" : "%.17g", x->data[j * x->n_rows + i]);
        if (y) {
            fputs(x->n_cols ? "," : "", f);
            size_t k = (size_t)y[i];
            if (classification && ctx->class_names && k < ctx->n_classes)
                put_field(f, ctx->class_names[k]);
            else
                fprintf(f, "%.17g", y[i]);
        }
        fputc('\n', f);
    }
    int ok = !ferror(f);
    return fclose(f) == 0 && ok;
}

/* A hyperparameter value as text: the same text in arguments, variables and
 * the params file. */
static void value_text(const struct tune_trainer_type *t, const struct tune_params *p, size_t i,
                       char *buf, size_t len)
{
    const struct tune_hparam *h = &t->hparams[i];
    switch (h->type) {
    case TUNE_PARAM_INT:
        snprintf(buf, len, "%.0f", p->values[i]);
        return;
    case TUNE_PARAM_BOOL:
        snprintf(buf, len, "%s", p->values[i] != 0 ? "true" : "false");
        return;
    case TUNE_PARAM_CATEGORICAL:
        snprintf(buf, len, "%s", p->strings && p->strings[i] ? p->strings[i] : "");
        return;
    case TUNE_PARAM_FLOAT:
        for (int prec = 15; prec <= 17; prec++) {
            snprintf(buf, len, "%.*g", prec, p->values[i]);
            if (strtod(buf, NULL) == p->values[i])
                return;
        }
        return;
    }
}

static int write_params_json(const char *path, const struct tune_trainer_type *t,
                             const struct tune_params *p)
{
    cJSON *o = cJSON_CreateObject();
    for (size_t i = 0; o && i < p->n; i++) {
        const struct tune_hparam *h = &t->hparams[i];
        char text[1024];
        value_text(t, p, i, text, sizeof text);
        if (h->type == TUNE_PARAM_CATEGORICAL)
            cJSON_AddStringToObject(o, h->name, text);
        else if (h->type == TUNE_PARAM_BOOL)
            cJSON_AddBoolToObject(o, h->name, p->values[i] != 0);
        else
            cJSON_AddRawToObject(o, h->name, text); /* exact digits, unlike cJSON's */
    }
    char *json = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    FILE *f = json ? fopen(path, "w") : NULL;
    int ok = f && fputs(json, f) >= 0 && fputc('\n', f) != EOF;
    if (f)
        ok = fclose(f) == 0 && ok;
    free(json);
    return ok;
}

/* ---- argument templates -------------------------------------------------------- */

/* A growing string; `oom` once an append failed. */
struct sbuf {
    char *s;
    size_t len, cap;
    int oom;
};

static void sbuf_add(struct sbuf *b, const char *p, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->oom = 1;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
    memcpy(b->s + b->len, p, n);
    b->len += n;
    b->s[b->len] = '\0';
}

/* The hyperparameter called name[0..len), or -1. */
static long hparam_index(const struct tune_trainer_type *t, const char *name, size_t len)
{
    for (size_t i = 0; i < t->n_hparams; i++)
        if (strlen(t->hparams[i].name) == len && memcmp(t->hparams[i].name, name, len) == 0)
            return (long)i;
    return -1;
}

/* Walk exec[k], the template `s`: literal text, "{{" and "}}" for a brace,
 * "{name}" for the value of a hyperparameter, as value_text writes it (the
 * name is everything up to the next '}').  Without params, only check it
 * and count its placeholders (*holes); with params, also write the
 * expansion to out.  A value is inserted as it is, never read again as a
 * template, and never seen by a shell.  TUNE_EINVAL names the element. */
static int tmpl_walk(const struct tune_trainer_type *t, size_t k, const char *s,
                     const struct tune_params *params, struct sbuf *out, size_t *holes,
                     struct tune_error *err)
{
    *holes = 0;
    for (const char *c = s; *c;) {
        const char *brace = strpbrk(c, "{}");
        if (!brace) {
            if (out)
                sbuf_add(out, c, strlen(c));
            break;
        }
        if (out)
            sbuf_add(out, c, (size_t)(brace - c));
        if (brace[1] == brace[0]) { /* "{{" or "}}" */
            if (out)
                sbuf_add(out, brace, 1);
            c = brace + 2;
            continue;
        }
        if (*brace == '}')
            return tune_error_set(err, TUNE_EINVAL,
                                  "trainer.exec[%zu]: '}' without an opening '{' in '%.200s' "
                                  "(write }} for a literal })",
                                  k, s);
        const char *close = strchr(brace + 1, '}');
        if (!close)
            return tune_error_set(err, TUNE_EINVAL,
                                  "trainer.exec[%zu]: '{' without a closing '}' in '%.200s' "
                                  "(write {{ for a literal {)",
                                  k, s);
        size_t len = (size_t)(close - brace - 1);
        if (len == 0)
            return tune_error_set(err, TUNE_EINVAL,
                                  "trainer.exec[%zu]: empty placeholder '{}' in '%.200s' "
                                  "(write {{}} for a literal {})",
                                  k, s);
        long i = hparam_index(t, brace + 1, len);
        if (i < 0) {
            char names[300] = "";
            size_t used = 0;
            for (size_t j = 0; j < t->n_hparams && used + 1 < sizeof names; j++) {
                int n = snprintf(names + used, sizeof names - used, "%s%s", j ? ", " : "",
                                 t->hparams[j].name);
                used += n > 0 ? (size_t)n : 0;
            }
            return tune_error_set(err, TUNE_EINVAL,
                                  "trainer.exec[%zu]: unknown parameter '%.*s' in '%.200s' "
                                  "(parameters: %s)",
                                  k, (int)(len > 100 ? 100 : len), brace + 1, s,
                                  t->n_hparams ? names : "none");
        }
        (*holes)++;
        if (out && params && (size_t)i < params->n) {
            char value[1024];
            value_text(t, params, (size_t)i, value, sizeof value);
            sbuf_add(out, value, strlen(value));
        }
        c = close + 1;
    }
    if (out && !out->s)
        sbuf_add(out, "", 0); /* an empty element stays an empty argument */
    return TUNE_OK;
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(path);
        else
            unlink(path);
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

/* ---- one run of the program ---------------------------------------------------- */

struct run_state {
    const struct ext_type *et;
    const struct tune_fit_ctx *ctx;
    int have_objective;
    double objective;
    cJSON *metrics;                   /* of the last objective line */
    char bad_objective[160];          /* an objective line that was not a number */
    int stop;                         /* report asked to stop (pruning) */
};

/* Each stdout line: an intermediate value, an objective, or anything else.
 * When report answers non-zero (the trial is pruned) the line's return
 * stops the program: SIGTERM to its group, SIGKILL after the grace. */
static int on_line(void *arg, const char *line, size_t len)
{
    struct run_state *rs = arg;
    const struct ext_type *et = rs->et;
    if (len > 0 && line[0] == '{' && strlen(line) == len) {
        cJSON *o = cJSON_Parse(line);
        if (o && cJSON_IsObject(o)) {
            const cJSON *step = cJSON_GetObjectItemCaseSensitive(o, "step");
            const cJSON *value = cJSON_GetObjectItemCaseSensitive(o, "value");
            const cJSON *obj = cJSON_GetObjectItemCaseSensitive(o, "objective");
            if (cJSON_IsNumber(step) && cJSON_IsNumber(value) && step->valuedouble >= 0 &&
                rs->ctx->report &&
                rs->ctx->report(rs->ctx->report_arg, (size_t)step->valuedouble,
                                value->valuedouble))
                rs->stop = 1;
            if (obj && et->ext.mode == TUNE_EXTERNAL_SCORE && !et->has_objective_re) {
                if (cJSON_IsNumber(obj) && isfinite(obj->valuedouble)) {
                    rs->have_objective = 1;
                    rs->objective = obj->valuedouble;
                    rs->bad_objective[0] = '\0';
                    cJSON_Delete(rs->metrics);
                    rs->metrics =
                        cJSON_DetachItemFromObjectCaseSensitive(o, "metrics");
                } else {
                    char *t = cJSON_PrintUnformatted(obj);
                    snprintf(rs->bad_objective, sizeof rs->bad_objective,
                             "the objective line has \"objective\": %s, not a finite number",
                             t ? t : "?");
                    free(t);
                    rs->have_objective = 0;
                }
            }
        }
        cJSON_Delete(o);
    }
    regmatch_t m[3];
    if (et->has_intermediate_re && rs->ctx->report &&
        regexec(&et->intermediate_re, line, 3, m, 0) == 0 && m[1].rm_so >= 0 &&
        m[2].rm_so >= 0) {
        char *end1, *end2;
        double step = strtod(line + m[1].rm_so, &end1);
        double value = strtod(line + m[2].rm_so, &end2);
        if (end1 == line + m[1].rm_eo && end2 == line + m[2].rm_eo && step >= 0 &&
            rs->ctx->report(rs->ctx->report_arg, (size_t)step, value))
            rs->stop = 1;
    }
    if (et->has_objective_re && regexec(&et->objective_re, line, 2, m, 0) == 0 &&
        m[1].rm_so >= 0) {
        char *end;
        double v = strtod(line + m[1].rm_so, &end);
        if (end == line + m[1].rm_eo && end > line + m[1].rm_so && isfinite(v)) {
            rs->have_objective = 1;
            rs->objective = v;
            rs->bad_objective[0] = '\0';
        } else {
            snprintf(rs->bad_objective, sizeof rs->bad_objective,
                     "objective_regex matched \"%.*s\", not a finite number",
                     (int)(m[1].rm_eo - m[1].rm_so > 60 ? 60 : m[1].rm_eo - m[1].rm_so),
                     line + m[1].rm_so);
            rs->have_objective = 0;
        }
    }
    return rs->stop;
}

/* TUNEFOLD_P_<NAME>: upper case, anything but a letter or digit becomes '_'. */
static void env_param(char *buf, size_t len, const char *name, const char *value)
{
    size_t o = (size_t)snprintf(buf, len, "TUNEFOLD_P_");
    for (; *name && o + 1 < len; name++)
        buf[o++] = isalnum((unsigned char)*name) ? (char)toupper((unsigned char)*name) : '_';
    snprintf(buf + o, len - o, "=%s", value);
}

/* The last non-empty line of a stderr tail, for the one-line reason. */
static void last_line(const char *tail, size_t len, char *buf, size_t size)
{
    while (len > 0 && (tail[len - 1] == '\n' || tail[len - 1] == '\r' || tail[len - 1] == ' '))
        len--;
    size_t start = len;
    while (start > 0 && tail[start - 1] != '\n')
        start--;
    size_t n = len - start < size - 1 ? len - start : size - 1;
    for (size_t i = 0; i < n; i++)
        buf[i] = (unsigned char)tail[start + i] < 0x20 ? ' ' : tail[start + i];
    buf[n] = '\0';
}

/* Run the program once.  `extra_env` adds the mode's variables.  On success
 * the run state holds what stdout said; `workdir` is the run's folder. */
static int run_program(const struct ext_type *et, const struct tune_fit_ctx *ctx,
                       const struct tune_params *p, const char *workdir,
                       const char *const *extra_env, struct run_state *rs, const char *label,
                       struct tune_error *err)
{
    const struct tune_external *e = &et->ext;
    size_t argc = 0, n_extra = 0;
    while (e->argv[argc])
        argc++;
    while (extra_env && extra_env[n_extra])
        n_extra++;
    char **argv = calloc(argc + p->n + 1, sizeof *argv);
    char **env = calloc(n_extra + p->n + 8, sizeof *env);
    char params_path[4096];
    int rc = TUNE_OK;
    size_t ne = 0, na = 0;
    if (!argv || !env) {
        rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < argc; i++) {
        struct sbuf b = {0};
        size_t holes;
        tmpl_walk(&et->base, i, e->argv[i], p, &b, &holes, NULL); /* checked at load */
        if (b.oom) {
            free(b.s);
            rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
            goto done;
        }
        argv[na++] = b.s;
    }
    snprintf(params_path, sizeof params_path, "%s/params.json", workdir);
    if (!write_params_json(params_path, &et->base, p)) {
        rc = tune_error_set(err, TUNE_EIO, "cannot write %s: %s", params_path, strerror(errno));
        goto done;
    }
    char buf[4096];
    /* with placeholders in exec the values are where they say, and only
     * there (or in the environment too, with params_as env) */
    for (size_t i = 0; i < p->n && (e->params_as_env || !et->templated); i++) {
        char value[1024];
        value_text(&et->base, p, i, value, sizeof value);
        if (e->params_as_env)
            env_param(buf, sizeof buf, p->names[i], value);
        else
            snprintf(buf, sizeof buf, "--%s=%s", p->names[i], value);
        char *copy = strdup(buf);
        if (!copy) {
            rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
            goto done;
        }
        if (e->params_as_env)
            env[ne++] = copy;
        else
            argv[na++] = copy;
    }
    const char *fixed[6];
    char v_params[4200], v_trial[64], v_seed[64], v_task[64], v_workdir[4200];
    snprintf(v_params, sizeof v_params, "TUNEFOLD_PARAMS=%s", params_path);
    snprintf(v_trial, sizeof v_trial, "TUNEFOLD_TRIAL=%d", ctx->trial);
    snprintf(v_seed, sizeof v_seed, "TUNEFOLD_SEED=%llu", (unsigned long long)ctx->seed);
    snprintf(v_task, sizeof v_task, "TUNEFOLD_TASK=%s",
             e->mode == TUNE_EXTERNAL_SCORE ? "score" : tune_task_name(ctx->task));
    snprintf(v_workdir, sizeof v_workdir, "TUNEFOLD_WORKDIR=%s", workdir);
    fixed[0] = v_params;
    fixed[1] = v_trial;
    fixed[2] = v_seed;
    fixed[3] = v_task;
    fixed[4] = v_workdir;
    fixed[5] = NULL;
    const char **envv = calloc(n_extra + p->n + 8, sizeof *envv);
    if (!envv) {
        rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
        goto done;
    }
    size_t k = 0;
    for (size_t i = 0; fixed[i]; i++)
        envv[k++] = fixed[i];
    for (size_t i = 0; i < n_extra; i++)
        envv[k++] = extra_env[i];
    for (size_t i = 0; i < ne; i++)
        envv[k++] = env[i];
    envv[k] = NULL;

    struct tune_proc_spec spec = {.argv = (const char *const *)argv,
                                  .env_add = envv,
                                  .workdir = e->cwd,
                                  .timeout = e->timeout,
                                  .grace = e->grace,
                                  .on_line = on_line,
                                  .arg = rs,
                                  .cancel = ctx->cancel};
    struct tune_proc_result res;
    rc = tune_proc_run(&spec, &res, err);
    free(envv);
    if (rc == TUNE_OK) {
        char name[64];
        if (ctx->attach && res.stderr_tail_len > 0) {
            snprintf(name, sizeof name, "stderr-%s.txt", label);
            ctx->attach(ctx->attach_arg, name, res.stderr_tail, res.stderr_tail_len);
        }
        if (!tune_proc_succeeded(&res)) {
            char reason[256], line[200];
            tune_proc_reason(&res, reason, sizeof reason);
            last_line(res.stderr_tail, res.stderr_tail_len, line, sizeof line);
            rc = tune_error_set(err, TUNE_ETRAINER, "'%s' %s%s%s", e->argv[0], reason,
                                line[0] ? "; stderr: " : "", line);
        }
    } else if (rc != TUNE_ENOMEM) {
        /* The runner's message already names the program and the system's
         * reason ("exec 'train.py': No such file or directory"); only the
         * code changes.  (Formatting err->msg into itself would be undefined
         * behaviour, and left the reason empty.) */
        int why = res.start_errno;
        rc = why == ENOENT || why == EACCES || why == ENOEXEC || why == ENOTDIR || why == EPERM
                 ? TUNE_ENOPROGRAM /* not on this machine, which another may have */
                 : TUNE_ETRAINER;
        if (err)
            err->code = rc;
    }
    tune_proc_result_release(&res);
done:
    for (size_t i = 0; argv && i < na; i++)
        free(argv[i]);
    free(argv);
    for (size_t i = 0; i < ne; i++)
        free(env[i]);
    free(env);
    return rc;
}

/* A fresh work folder for one run (removed afterwards unless kept). */
static int make_workdir(const struct tune_fit_ctx *ctx, char *dir, size_t len,
                        struct tune_error *err)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, len, "%s/tunefold-t%d-f%d-XXXXXX", tmp && *tmp ? tmp : "/tmp", ctx->trial,
             ctx->fold);
    if (!mkdtemp(dir))
        return tune_error_set(err, TUNE_EIO, "cannot make a work folder %s: %s", dir,
                              strerror(errno));
    return TUNE_OK;
}

/* ---- predict mode ------------------------------------------------------------- */

/* The files a program saved in TUNEFOLD_MODEL_DIR during a final fit. */
struct ext_file {
    char *name;
    unsigned char *data;
    size_t len;
};

struct ext_model {
    const struct ext_type *et;
    struct tune_predictions pred;   /* for valid_data */
    const double *valid_data;       /* the rows they are for */
    size_t valid_rows;
    /* A final fit's saved model (n_files > 0): what predict needs to run
     * the program again, without the study around it. */
    size_t n_files;
    struct ext_file *files;
    enum tune_task task;
    size_t n_classes, n_features;
    char **class_names, **feature_names;
    char *target;
    uint64_t seed;
    int trial;
    double *values;                 /* the parameters, n_hparams */
    char **strings;                 /* categoricals' text, else NULL */
};

/* Bounds on what a program may leave in TUNEFOLD_MODEL_DIR. */
#define MODEL_DIR_MAX_FILES 4096
#define MODEL_DIR_MAX_BYTES ((size_t)1 << 30)

static void files_free(struct ext_file *f, size_t n)
{
    for (size_t i = 0; f && i < n; i++) {
        free(f[i].name);
        free(f[i].data);
    }
    free(f);
}

/* A saved file's name: one plain path component. */
static int file_name_ok(const char *s)
{
    return s[0] && strchr(s, '/') == NULL && strcmp(s, ".") != 0 && strcmp(s, "..") != 0 &&
           strlen(s) < 256;
}

/* Read every file the program left in dir (regular files only, no
 * folders), within the bounds above. */
static int read_model_dir(const char *prog, const char *dir, struct ext_file **out, size_t *n,
                          struct tune_error *err)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t cap = 0, total = 0;
    int rc = TUNE_OK;
    *out = NULL;
    *n = 0;
    if (!d)
        return tune_error_set(err, TUNE_EIO, "cannot read %s: %s", dir, strerror(errno));
    while (!rc && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char path[4608];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode) || !file_name_ok(e->d_name)) {
            rc = tune_error_set(err, TUNE_ETRAINER, "'%s' left '%s' in TUNEFOLD_MODEL_DIR, "
                                "which is not a plain file: save files only", prog, e->d_name);
            break;
        }
        total += (size_t)st.st_size;
        if (*n == MODEL_DIR_MAX_FILES || total > MODEL_DIR_MAX_BYTES) {
            rc = tune_error_set(err, TUNE_ETRAINER, "'%s' left more than %d files or 1 GiB in "
                                "TUNEFOLD_MODEL_DIR", prog, MODEL_DIR_MAX_FILES);
            break;
        }
        if (*n == cap) {
            cap = cap ? 2 * cap : 8;
            struct ext_file *g = realloc(*out, cap * sizeof *g);
            if (!g) {
                rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
                break;
            }
            *out = g;
        }
        struct ext_file *f = &(*out)[*n];
        f->name = strdup(e->d_name);
        f->len = (size_t)st.st_size;
        f->data = malloc(f->len ? f->len : 1);
        (*n)++;
        FILE *fp = f->name && f->data ? fopen(path, "rb") : NULL;
        if (!fp || fread(f->data, 1, f->len, fp) != f->len)
            rc = f->name && f->data ? tune_error_set(err, TUNE_EIO, "cannot read %s", path)
                                    : tune_error_set(err, TUNE_ENOMEM, "out of memory");
        if (fp)
            fclose(fp);
    }
    closedir(d);
    if (rc) {
        files_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

static int write_model_dir(const char *dir, const struct ext_file *files, size_t n,
                           struct tune_error *err)
{
    if (mkdir(dir, 0700) != 0)
        return tune_error_set(err, TUNE_EIO, "cannot make %s: %s", dir, strerror(errno));
    for (size_t i = 0; i < n; i++) {
        char path[4608];
        snprintf(path, sizeof path, "%s/%s", dir, files[i].name);
        FILE *f = fopen(path, "wb");
        int ok = f && fwrite(files[i].data, 1, files[i].len, f) == files[i].len;
        if (f)
            ok = fclose(f) == 0 && ok;
        if (!ok)
            return tune_error_set(err, TUNE_EIO, "cannot write %s: %s", path, strerror(errno));
    }
    return TUNE_OK;
}

/* What one run of the program is for. */
enum run_kind {
    RUN_FOLD,       /* train on x, predict v (a cross-validation fold) */
    RUN_SAVE,       /* the final fit: train on x, save into TUNEFOLD_MODEL_DIR */
    RUN_LOAD        /* predict v with the saved files, no training data */
};

/* Run the program on train (x, y) and rows v; read its predictions.
 * RUN_SAVE reads back what it saved into *files; RUN_LOAD gives it *files. */
static int predict_run(const struct ext_type *et, const struct tune_matrix *x, const double *y,
                       const struct tune_matrix *v, const struct tune_fit_ctx *ctx,
                       const struct tune_params *p, struct tune_predictions *out,
                       enum run_kind kind, struct ext_file **files, size_t *n_files,
                       struct tune_error *err)
{
    char dir[4096], train[4200], valid[4200], preds[4200], model_dir[4200];
    int rc = make_workdir(ctx, dir, sizeof dir, err);
    if (rc)
        return rc;
    snprintf(train, sizeof train, "%s/train.csv", dir);
    snprintf(valid, sizeof valid, "%s/valid.csv", dir);
    snprintf(preds, sizeof preds, "%s/predictions.csv", dir);
    snprintf(model_dir, sizeof model_dir, "%s/model", dir);
    if ((kind != RUN_LOAD && !write_csv(train, x, y, ctx)) || !write_csv(valid, v, NULL, ctx)) {
        rc = tune_error_set(err, TUNE_EIO, "cannot write the fold's data in %s: %s", dir,
                            strerror(errno));
        goto done;
    }
    if (kind == RUN_SAVE && mkdir(model_dir, 0700) != 0) {
        rc = tune_error_set(err, TUNE_EIO, "cannot make %s: %s", model_dir, strerror(errno));
        goto done;
    }
    if (kind == RUN_LOAD && (rc = write_model_dir(model_dir, *files, *n_files, err)))
        goto done;
    /* classes, comma-separated, each CSV-quoted when it must be */
    size_t cap = 64;
    for (size_t k = 0; ctx->class_names && k < ctx->n_classes; k++)
        cap += 2 * strlen(ctx->class_names[k]) + 3;
    char *classes = malloc(cap), *c = classes;
    if (!classes) {
        rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
        goto done;
    }
    c += sprintf(c, "TUNEFOLD_CLASSES=");
    for (size_t k = 0; ctx->class_names && k < ctx->n_classes; k++) {
        const char *nm = ctx->class_names[k];
        if (k)
            *c++ = ',';
        int q = strpbrk(nm, ",\"\r\n") != NULL;
        if (q)
            *c++ = '"';
        for (; *nm; nm++) {
            if (*nm == '"')
                *c++ = '"';
            *c++ = *nm;
        }
        if (q)
            *c++ = '"';
    }
    *c = '\0';
    char v_train[4300], v_valid[4300], v_preds[4300], v_fold[64], v_target[600], v_model[4300];
    snprintf(v_train, sizeof v_train, "TUNEFOLD_TRAIN=%s", train);
    snprintf(v_valid, sizeof v_valid, "TUNEFOLD_VALID=%s", valid);
    snprintf(v_preds, sizeof v_preds, "TUNEFOLD_PREDICTIONS=%s", preds);
    snprintf(v_fold, sizeof v_fold, "TUNEFOLD_FOLD=%d", ctx->fold);
    snprintf(v_target, sizeof v_target, "TUNEFOLD_TARGET=%s",
             ctx->target_name ? ctx->target_name : "target");
    snprintf(v_model, sizeof v_model, "TUNEFOLD_MODEL_DIR=%s", model_dir);
    int classification = ctx->task == TUNE_TASK_BINARY || ctx->task == TUNE_TASK_MULTICLASS;
    const char *extra[8] = {v_valid, v_preds, v_fold, v_target,
                            classification ? classes : "TUNEFOLD_CLASSES"};
    size_t n_extra = 5;
    if (kind != RUN_LOAD)
        extra[n_extra++] = v_train;
    if (kind != RUN_FOLD)
        extra[n_extra++] = v_model;
    extra[n_extra] = NULL;
    struct run_state rs = {.et = et, .ctx = ctx};
    char label[64];
    snprintf(label, sizeof label, kind == RUN_FOLD ? "fold%d" : "final", ctx->fold + 1);
    rc = run_program(et, ctx, p, dir, extra, &rs, label, err);
    cJSON_Delete(rs.metrics);
    free(classes);
    if (rc)
        goto done;
    if (kind == RUN_SAVE) {
        /* the final fit predicts no rows: its predictions file may be absent */
        if ((rc = read_model_dir(et->ext.argv[0], model_dir, files, n_files, err)))
            goto done;
        if (*n_files == 0)
            rc = tune_error_set(err, TUNE_EUNSUPPORTED,
                                "'%s' saved no model in TUNEFOLD_MODEL_DIR, so it cannot "
                                "predict later (README: External trainers, saving a model)",
                                et->ext.argv[0]);
        goto done;
    }
    if (access(preds, F_OK) != 0) {
        rc = tune_error_set(err, TUNE_ETRAINER,
                            "'%s' exited without writing its predictions (TUNEFOLD_PREDICTIONS)",
                            et->ext.argv[0]);
        goto done;
    }
    struct tune_predictions got;
    rc = tune_predictions_read_csv(preds, ctx->task, ctx->n_classes, ctx->class_names,
                                   v->n_rows, &got, err);
    if (rc) {
        if (rc != TUNE_ENOMEM) {
            tune_error_prefix(err, "the predictions of '%s'", et->ext.argv[0]);
            rc = err ? (err->code = TUNE_ETRAINER) : TUNE_ETRAINER;
        }
        goto done;
    }
    /* into the caller's layout (allocated by the study for v->n_rows) */
    if (out->value && got.value)
        memcpy(out->value, got.value, v->n_rows * sizeof *out->value);
    if (out->label && got.label)
        memcpy(out->label, got.label, v->n_rows * sizeof *out->label);
    if (out->proba && got.proba)
        memcpy(out->proba, got.proba, v->n_rows * ctx->n_classes * sizeof *out->proba);
    tune_predictions_release(&got);
done:
    if (!et->ext.keep_workdir)
        remove_tree(dir);
    return rc;
}

static void ext_free_model(void *model)
{
    struct ext_model *m = model;
    if (!m)
        return;
    tune_predictions_release(&m->pred);
    files_free(m->files, m->n_files);
    for (size_t k = 0; m->class_names && k < m->n_classes; k++)
        free(m->class_names[k]);
    free(m->class_names);
    for (size_t j = 0; m->feature_names && j < m->n_features; j++)
        free(m->feature_names[j]);
    free(m->feature_names);
    free(m->target);
    free(m->values);
    for (size_t i = 0; m->strings && i < m->et->base.n_hparams; i++)
        free(m->strings[i]);
    free(m->strings);
    free(m);
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* Keep what predicting with the saved files needs: the fit context's
 * classes, columns and target, and the parameters. */
static int keep_context(struct ext_model *m, const struct tune_matrix *x,
                        const struct tune_fit_ctx *ctx, const struct tune_params *params)
{
    size_t nh = m->et->base.n_hparams;
    m->task = ctx->task;
    m->seed = ctx->seed;
    m->trial = ctx->trial;
    m->n_features = x->n_cols;
    m->n_classes = ctx->class_names ? ctx->n_classes : 0;
    m->class_names = calloc(m->n_classes + 1, sizeof *m->class_names);
    m->feature_names = calloc(m->n_features + 1, sizeof *m->feature_names);
    m->values = calloc(nh + 1, sizeof *m->values);
    m->strings = calloc(nh + 1, sizeof *m->strings);
    m->target = dup_or_null(ctx->target_name ? ctx->target_name : "target");
    int ok = m->class_names && m->feature_names && m->values && m->strings && m->target;
    for (size_t k = 0; ok && k < m->n_classes; k++)
        ok = (m->class_names[k] = strdup(ctx->class_names[k])) != NULL;
    for (size_t j = 0; ok && j < m->n_features; j++) {
        char buf[32];
        snprintf(buf, sizeof buf, "x%zu", j);
        const char *nm = ctx->feature_names && ctx->feature_names[j] ? ctx->feature_names[j] : buf;
        ok = (m->feature_names[j] = strdup(nm)) != NULL;
    }
    for (size_t i = 0; ok && i < nh && i < params->n; i++) {
        m->values[i] = params->values[i];
        if (params->strings && params->strings[i])
            ok = (m->strings[i] = strdup(params->strings[i])) != NULL;
    }
    return ok ? TUNE_OK : TUNE_ENOMEM;
}

static int ext_fit(const struct tune_matrix *x, const double *y, const struct tune_fit_ctx *ctx,
                   const struct tune_params *params, void **model, struct tune_error *err)
{
    const struct ext_type *et = (const struct ext_type *)ctx->type;
    if (!et || et->base.data != et)
        return tune_error_set(err, TUNE_EINVAL, "external trainer called without its settings");
    if (et->ext.mode == TUNE_EXTERNAL_SCORE)
        return tune_error_set(err, TUNE_EINVAL,
                              "a score-mode program is run once per trial, not per fold");
    /* No validation rows and no fold: the final fit of `tunefold fit`. */
    int final = !ctx->x_valid && ctx->fold < 0;
    if (!ctx->x_valid && !final)
        return tune_error_set(err, TUNE_EINVAL,
                              "an external trainer in predict mode needs the validation rows");
    struct ext_model *m = calloc(1, sizeof *m);
    if (!m)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    m->et = et;
    int classification = ctx->task == TUNE_TASK_BINARY || ctx->task == TUNE_TASK_MULTICLASS;
    int rc;
    if (final) {
        struct tune_matrix none = {0, x->n_cols, x->data};
        rc = keep_context(m, x, ctx, params) ? tune_error_set(err, TUNE_ENOMEM, "out of memory")
                                             : TUNE_OK;
        if (!rc)
            rc = predict_run(et, x, y, &none, ctx, params, NULL, RUN_SAVE, &m->files,
                             &m->n_files, err);
    } else {
        rc = tune_predictions_init(&m->pred, ctx->task, ctx->x_valid->n_rows, ctx->n_classes,
                                   classification, err);
        if (!rc)
            rc = predict_run(et, x, y, ctx->x_valid, ctx, params, &m->pred, RUN_FOLD, NULL,
                             NULL, err);
        m->valid_data = ctx->x_valid->data;
        m->valid_rows = ctx->x_valid->n_rows;
    }
    if (rc) {
        ext_free_model(m);
        return rc;
    }
    *model = m;
    return TUNE_OK;
}

/* Predict any rows with a saved model: run the program on them. */
static int saved_predict(const struct ext_model *m, const struct tune_matrix *x,
                         struct tune_predictions *out, struct tune_error *err)
{
    const struct ext_type *et = m->et;
    if (x->n_cols != m->n_features)
        return tune_error_set(err, TUNE_EINVAL, "external: %zu columns to predict, model has "
                              "%zu", x->n_cols, m->n_features);
    if (x->n_rows == 0)
        return TUNE_OK;
    const char **names = calloc(et->base.n_hparams + 1, sizeof *names);
    if (!names)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    for (size_t i = 0; i < et->base.n_hparams; i++)
        names[i] = et->base.hparams[i].name;
    struct tune_params params = {et->base.n_hparams, names, m->values,
                                 (const char *const *)m->strings};
    struct tune_fit_ctx ctx = {.task = m->task,
                               .n_classes = m->n_classes,
                               .seed = m->seed,
                               .n_threads = 1,
                               .type = &et->base,
                               .trial = m->trial,
                               .fold = -1,
                               .feature_names = (const char *const *)m->feature_names,
                               .class_names = (const char *const *)m->class_names,
                               .target_name = m->target};
    struct ext_file *files = m->files;
    size_t n_files = m->n_files;
    int rc = predict_run(et, NULL, NULL, x, &ctx, &params, out, RUN_LOAD, &files, &n_files,
                         err);
    free(names);
    return rc;
}

static int ext_predict(const void *model, const struct tune_matrix *x,
                       struct tune_predictions *out, struct tune_error *err)
{
    const struct ext_model *m = model;
    if (m->n_files)
        return saved_predict(m, x, out, err);
    if (x->data != m->valid_data || x->n_rows != m->valid_rows)
        return tune_error_set(err, TUNE_EINVAL,
                              "an external model predicts only the validation rows it was run "
                              "with");
    size_t n = x->n_rows;
    if (out->value && m->pred.value)
        memcpy(out->value, m->pred.value, n * sizeof *out->value);
    if (out->label && m->pred.label)
        memcpy(out->label, m->pred.label, n * sizeof *out->label);
    if (out->proba && m->pred.proba)
        memcpy(out->proba, m->pred.proba, n * m->pred.n_classes * sizeof *out->proba);
    return TUNE_OK;
}

/* ---- saving and loading (trainer.h, external.h) --------------------------------- */

#define EXT_MODEL_VERSION 1

/* The type's settings (what the study file said) and the saved model: enough
 * to run the program again without the study. */
static int ext_save(const void *model, struct tune_model_writer *w, struct tune_error *err)
{
    const struct ext_model *m = model;
    const struct ext_type *et = m->et;
    const struct tune_external *e = &et->ext;
    if (!m->n_files)
        return tune_error_set(err, TUNE_EUNSUPPORTED, "'%s': a cross-validation fold's run "
                              "cannot be saved; only the final fit's", e->argv[0]);
    size_t argc = 0;
    while (e->argv[argc])
        argc++;
    tune_model_put_u32(w, EXT_MODEL_VERSION);
    tune_model_put_u64(w, argc);
    for (size_t i = 0; i < argc; i++)
        tune_model_put_str(w, e->argv[i]);
    tune_model_put_u32(w, (uint32_t)e->params_as_env);
    tune_model_put_f64(w, e->timeout);
    tune_model_put_f64(w, e->grace);
    tune_model_put_str(w, e->cwd);
    tune_model_put_u32(w, et->base.tasks);
    tune_model_put_u64(w, et->base.n_hparams);
    for (size_t i = 0; i < et->base.n_hparams; i++) {
        const struct tune_hparam *h = &et->base.hparams[i];
        size_t nc = 0;
        while (h->choices && h->choices[nc])
            nc++;
        tune_model_put_str(w, h->name);
        tune_model_put_u32(w, (uint32_t)h->type);
        tune_model_put_f64(w, m->values[i]);
        tune_model_put_str(w, m->strings[i]);
        tune_model_put_u64(w, nc);
        for (size_t k = 0; k < nc; k++)
            tune_model_put_str(w, h->choices[k]);
    }
    tune_model_put_u32(w, (uint32_t)m->task);
    tune_model_put_u64(w, m->seed);
    tune_model_put_u64(w, (uint64_t)(int64_t)m->trial);
    tune_model_put_str(w, m->target);
    tune_model_put_u64(w, m->n_classes);
    for (size_t k = 0; k < m->n_classes; k++)
        tune_model_put_str(w, m->class_names[k]);
    tune_model_put_u64(w, m->n_features);
    for (size_t j = 0; j < m->n_features; j++)
        tune_model_put_str(w, m->feature_names[j]);
    tune_model_put_u64(w, m->n_files);
    int rc = TUNE_OK;
    for (size_t i = 0; i < m->n_files && !rc; i++) {
        tune_model_put_str(w, m->files[i].name);
        tune_model_put_u64(w, m->files[i].len);
        rc = tune_model_put_bytes(w, m->files[i].data, m->files[i].len);
    }
    return rc;
}

static int ext_load_alone(struct tune_model_reader *r, void **model, struct tune_error *err)
{
    (void)r;
    *model = NULL;
    return tune_error_set(err, TUNE_EUNSUPPORTED, "an external model is loaded with its "
                          "settings (tune_external_model_load)");
}

static int get_strv(struct tune_model_reader *r, const char *what, size_t max, char ***out,
                    size_t *n, struct tune_error *err)
{
    int rc = tune_model_get_size(r, what, max, 8, n);
    if (rc)
        return rc;
    *out = calloc(*n + 1, sizeof **out);
    if (!*out)
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    for (size_t i = 0; i < *n && !rc; i++)
        rc = tune_model_get_str(r, &(*out)[i]);
    return rc;
}

int tune_external_model_load(struct tune_model_reader *r, struct tune_trainer_type **type,
                             void **model, struct tune_error *err)
{
    struct tune_external e = {0};
    struct tune_hparam *hp = NULL;
    struct ext_model *m = NULL;
    double *values = NULL;
    char **strings = NULL;
    size_t argc = 0, nh = 0;
    uint32_t version, as_env, tasks, task;
    uint64_t seed, trial;
    int rc;
    *type = NULL;
    *model = NULL;
    if ((rc = tune_model_get_u32(r, &version)))
        return rc;
    if (version != EXT_MODEL_VERSION)
        return tune_model_reader_fail(r, "external model version %u is not %d (written by a "
                                      "newer tunefold?)", version, EXT_MODEL_VERSION);
    if ((rc = get_strv(r, "arguments", 100000, &e.argv, &argc, err)))
        goto fail;
    if (argc == 0 || !e.argv[0][0]) {
        rc = tune_model_reader_fail(r, "no program to run");
        goto fail;
    }
    if ((rc = tune_model_get_u32(r, &as_env)) || (rc = tune_model_get_f64(r, &e.timeout)) ||
        (rc = tune_model_get_f64(r, &e.grace)) || (rc = tune_model_get_str(r, &e.cwd)) ||
        (rc = tune_model_get_u32(r, &tasks)) ||
        (rc = tune_model_get_size(r, "parameters", 100000, 32, &nh)))
        goto fail;
    if (!e.cwd[0]) {
        free(e.cwd);
        e.cwd = NULL;
    }
    e.params_as_env = as_env != 0;
    e.mode = TUNE_EXTERNAL_PREDICT;
    if (!(e.timeout >= 0) || !(e.grace >= 0) || as_env > 1) {
        rc = tune_model_reader_fail(r, "settings out of range");
        goto fail;
    }
    hp = calloc(nh + 1, sizeof *hp);
    values = calloc(nh + 1, sizeof *values);
    strings = calloc(nh + 1, sizeof *strings);
    if (!hp || !values || !strings) {
        rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < nh; i++) {
        uint32_t ptype;
        char *name = NULL, **choices = NULL;
        size_t nc = 0;
        rc = tune_model_get_str(r, &name);
        hp[i].name = name;
        if (!rc && !(rc = tune_model_get_u32(r, &ptype)) &&
            !(rc = tune_model_get_f64(r, &values[i])) &&
            !(rc = tune_model_get_str(r, &strings[i])))
            rc = get_strv(r, "choices", 100000, &choices, &nc, err);
        hp[i].choices = (const char *const *)choices;
        if (rc)
            goto fail;
        hp[i].type = (enum tune_param_type)ptype;
        hp[i].low = -INFINITY;
        hp[i].high = INFINITY;
        if (ptype > TUNE_PARAM_CATEGORICAL || !name[0] ||
            (ptype == TUNE_PARAM_CATEGORICAL && !(values[i] >= 0 && values[i] < (double)nc))) {
            rc = tune_model_reader_fail(r, "parameter '%.100s' is out of range", name);
            goto fail;
        }
        if (!strings[i][0]) {
            free(strings[i]);
            strings[i] = NULL;
        }
    }
    struct tune_trainer_type *t = NULL;
    /* the type copies the declarations; it takes `e` over */
    rc = tune_external_type_new(&e, hp, nh, tasks, &t, err);
    if (rc)
        goto fail;
    *type = t;
    m = calloc(1, sizeof *m);
    if (!m) {
        rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
        goto fail;
    }
    m->et = (const struct ext_type *)t;
    m->values = values;
    m->strings = strings;
    values = NULL;
    strings = NULL;
    if ((rc = tune_model_get_u32(r, &task)) || (rc = tune_model_get_u64(r, &seed)) ||
        (rc = tune_model_get_u64(r, &trial)) || (rc = tune_model_get_str(r, &m->target)) ||
        (rc = get_strv(r, "classes", 65535, &m->class_names, &m->n_classes, err)) ||
        (rc = get_strv(r, "columns", 10000000, &m->feature_names, &m->n_features, err)) ||
        (rc = tune_model_get_size(r, "saved files", MODEL_DIR_MAX_FILES, 16, &m->n_files)))
        goto fail;
    m->task = (enum tune_task)task;
    m->seed = seed;
    m->trial = (int)(int64_t)trial;
    if ((task != TUNE_TASK_BINARY && task != TUNE_TASK_MULTICLASS &&
         task != TUNE_TASK_REGRESSION) || m->n_files == 0) {
        rc = tune_model_reader_fail(r, "task %u with %zu saved files", task, m->n_files);
        goto fail;
    }
    m->files = calloc(m->n_files, sizeof *m->files);
    if (!m->files) {
        rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < m->n_files; i++) {
        struct ext_file *f = &m->files[i];
        if ((rc = tune_model_get_str(r, &f->name)) ||
            (rc = tune_model_get_size(r, "a saved file's size", MODEL_DIR_MAX_BYTES, 1, &f->len)))
            goto fail;
        if (!file_name_ok(f->name)) {
            rc = tune_model_reader_fail(r, "saved file name '%.100s' is not a plain name",
                                        f->name);
            goto fail;
        }
        for (size_t k = 0; k < i; k++)
            if (strcmp(m->files[k].name, f->name) == 0) {
                rc = tune_model_reader_fail(r, "saved file '%.100s' appears twice", f->name);
                goto fail;
            }
        f->data = malloc(f->len ? f->len : 1);
        if (!f->data) {
            rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
            goto fail;
        }
        tune_model_get_bytes(r, f->data, f->len);
    }
    for (size_t i = 0; i < nh; i++) {
        free((char *)hp[i].name);
        strv_free((char **)hp[i].choices);
    }
    free(hp);
    *model = m;
    return TUNE_OK;
fail:
    ext_release(&e);
    if (m)
        ext_free_model(m);
    else if (strings)
        for (size_t i = 0; i < nh; i++)
            free(strings[i]);
    free(strings);
    free(values);
    for (size_t i = 0; hp && i < nh; i++) {
        free((char *)hp[i].name);
        strv_free((char **)hp[i].choices);
    }
    free(hp);
    if (*type)
        tune_external_type_free(*type);
    *type = NULL;
    return rc;
}

/* ---- score mode ---------------------------------------------------------------- */

void tune_score_result_release(struct tune_score_result *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_metrics; i++)
        free(s->metric_names[i]);
    free(s->metric_names);
    free(s->metric_values);
    memset(s, 0, sizeof *s);
}

int tune_external_score(const struct tune_fit_ctx *ctx, const struct tune_params *params,
                        struct tune_score_result *out, struct tune_error *err)
{
    const struct tune_trainer_type *t = ctx->type;
    const struct ext_type *et = (const struct ext_type *)t;
    memset(out, 0, sizeof *out);
    if (!t || t->data != t || et->ext.mode != TUNE_EXTERNAL_SCORE)
        return tune_error_set(err, TUNE_EINVAL, "not a score-mode external trainer");
    char dir[4096];
    int rc = make_workdir(ctx, dir, sizeof dir, err);
    if (rc)
        return rc;
    struct run_state rs = {.et = et, .ctx = ctx};
    rc = run_program(et, ctx, params, dir, NULL, &rs, "score", err);
    if (!et->ext.keep_workdir)
        remove_tree(dir);
    if (rc == TUNE_OK && !rs.have_objective) {
        if (rs.bad_objective[0])
            rc = tune_error_set(err, TUNE_ETRAINER, "'%s': %s", et->ext.argv[0],
                                rs.bad_objective);
        else if (et->has_objective_re)
            rc = tune_error_set(err, TUNE_ETRAINER,
                                "'%s' printed no line matching objective_regex",
                                et->ext.argv[0]);
        else
            rc = tune_error_set(err, TUNE_ETRAINER,
                                "'%s' printed no objective line (a JSON object with a numeric "
                                "\"objective\")",
                                et->ext.argv[0]);
    }
    if (rc == TUNE_OK) {
        out->objective = rs.objective;
        size_t n = (size_t)cJSON_GetArraySize(rs.metrics);
        out->metric_names = calloc(n + 1, sizeof *out->metric_names);
        out->metric_values = calloc(n + 1, sizeof *out->metric_values);
        if (!out->metric_names || !out->metric_values)
            rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
        for (const cJSON *m = rs.metrics ? rs.metrics->child : NULL; !rc && m; m = m->next) {
            if (!cJSON_IsNumber(m) || !m->string)
                continue;
            if (!(out->metric_names[out->n_metrics] = strdup(m->string))) {
                rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
                break;
            }
            out->metric_values[out->n_metrics++] = m->valuedouble;
        }
        if (!rc && et->ext.metric_key) {
            rc = TUNE_ETRAINER;
            for (size_t i = 0; i < out->n_metrics; i++)
                if (strcmp(out->metric_names[i], et->ext.metric_key) == 0 &&
                    isfinite(out->metric_values[i])) {
                    out->objective = out->metric_values[i];
                    rc = TUNE_OK;
                }
            if (rc)
                tune_error_set(err, TUNE_ETRAINER,
                               "'%s' reported no finite metric '%s' in its \"metrics\" object",
                               et->ext.argv[0], et->ext.metric_key);
        }
    }
    cJSON_Delete(rs.metrics);
    if (rc)
        tune_score_result_release(out);
    return rc;
}

/* ---- the type ------------------------------------------------------------------- */

void tune_external_type_free(struct tune_trainer_type *t)
{
    struct ext_type *et = (struct ext_type *)t;
    if (!et)
        return;
    for (size_t i = 0; et->hparams && i < et->base.n_hparams; i++) {
        free((char *)et->hparams[i].name);
        char **ch = (char **)et->hparams[i].choices;
        strv_free(ch);
    }
    free(et->hparams);
    if (et->has_objective_re)
        regfree(&et->objective_re);
    if (et->has_intermediate_re)
        regfree(&et->intermediate_re);
    ext_release(&et->ext);
    free(et);
}

static int compile(regex_t *re, const char *pattern, const char *key, int groups,
                   struct tune_error *err)
{
    int rc = regcomp(re, pattern, REG_EXTENDED);
    if (rc) {
        char msg[200];
        regerror(rc, re, msg, sizeof msg);
        return tune_error_set(err, TUNE_EINVAL, "trainer.%s: %s", key, msg);
    }
    if (re->re_nsub < (size_t)groups) {
        regfree(re);
        return tune_error_set(err, TUNE_EINVAL, "trainer.%s: needs %d capture group%s", key,
                              groups, groups == 1 ? "" : "s");
    }
    return TUNE_OK;
}

int tune_external_type_new(struct tune_external *ext, const struct tune_hparam *hparams,
                           size_t n_hparams, unsigned tasks, struct tune_trainer_type **out,
                           struct tune_error *err)
{
    *out = NULL;
    struct ext_type *et = calloc(1, sizeof *et);
    if (!et) {
        ext_release(ext);
        return tune_error_set(err, TUNE_ENOMEM, "out of memory");
    }
    et->ext = *ext;
    memset(ext, 0, sizeof *ext);
    et->hparams = calloc(n_hparams + 1, sizeof *et->hparams);
    et->base.n_hparams = 0;
    int rc = et->hparams ? TUNE_OK : tune_error_set(err, TUNE_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && i < n_hparams; i++) {
        struct tune_hparam *h = &et->hparams[i];
        *h = hparams[i];
        h->name = strdup(hparams[i].name);
        h->choices = NULL;
        et->base.n_hparams = i + 1;
        size_t k = 0;
        while (hparams[i].choices && hparams[i].choices[k])
            k++;
        char **ch = k ? calloc(k + 1, sizeof *ch) : NULL;
        for (size_t j = 0; ch && j < k; j++)
            if (!(ch[j] = strdup(hparams[i].choices[j]))) {
                strv_free(ch);
                ch = NULL;
            }
        h->choices = (const char *const *)ch;
        if (!h->name || (k && !ch))
            rc = tune_error_set(err, TUNE_ENOMEM, "out of memory");
    }
    /* the hyperparameters are in place: check every exec template now, so
     * that a misspelt name is a study-file error, not a failed trial */
    for (size_t k = 0; !rc && et->ext.argv && et->ext.argv[k]; k++) {
        size_t holes = 0;
        et->base.hparams = et->hparams;
        rc = tmpl_walk(&et->base, k, et->ext.argv[k], NULL, NULL, &holes, err);
        et->templated |= holes > 0;
    }
    if (!rc && et->ext.objective_regex) {
        rc = compile(&et->objective_re, et->ext.objective_regex, "objective_regex", 1, err);
        et->has_objective_re = rc == TUNE_OK;
    }
    if (!rc && et->ext.intermediate_regex) {
        rc = compile(&et->intermediate_re, et->ext.intermediate_regex, "intermediate_regex", 2,
                     err);
        et->has_intermediate_re = rc == TUNE_OK;
    }
    if (rc) {
        tune_external_type_free(&et->base);
        return rc;
    }
    et->base.version = 2;
    et->base.name = "external";
    et->base.tasks = tasks;
    et->base.hparams = et->hparams;
    et->base.fit = ext_fit;
    et->base.predict = ext_predict;
    et->base.free_model = ext_free_model;
    et->base.save = ext_save;
    et->base.load = ext_load_alone;
    et->base.data = et;
    if (et->ext.mode == TUNE_EXTERNAL_SCORE)
        et->base.score = tune_external_score;
    *out = &et->base;
    return TUNE_OK;
}
